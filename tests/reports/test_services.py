"""The statistics engine: exact counts on a hand-built dataset, scope, query count, date arithmetic."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from tests.factories import make_member
from tests.reports.conftest import AS_OF, EXPECTED
from zugong.core.codes import OCCUPATION
from zugong.core.dates import age_on
from zugong.core.errors import OutOfScope
from zugong.party.models import Membership
from zugong.reports.services import (
    COMMUNIQUE_RULES,
    age_band_q,
    birth_cutoff,
    communique_rows,
    era_q,
    party_statistics,
    scoped_organization,
    share,
)


def test_every_figure_of_the_subtree_is_exact(stats_tree):
    stats = party_statistics(user=stats_tree.county_user, organization=stats_tree.S, as_of=AS_OF)
    assert stats == EXPECTED
    assert list(stats) == list(EXPECTED)  # the 公报's order


def test_runs_a_fixed_number_of_queries(stats_tree, django_assert_num_queries):
    # grants, scope check, organizations, members, development records — whatever the number of members:
    # no per-person queries. Members: the live query grouped by occupation (live=True), or the sum of the
    # day's statistics snapshots once they are current (the first statistic of a day computes them).
    with django_assert_num_queries(5):
        party_statistics(user=stats_tree.county_user, organization=stats_tree.S, as_of=AS_OF, live=True)
    party_statistics(user=stats_tree.county_user, organization=stats_tree.S, as_of=AS_OF)
    del stats_tree.county_user._zugong_scope_cache  # a new request looks the grants up again
    with django_assert_num_queries(5):
        party_statistics(user=stats_tree.county_user, organization=stats_tree.S, as_of=AS_OF)


def test_transfers_count_where_the_member_stands_on_the_date(stats_tree):
    other = party_statistics(user=stats_tree.other_user, organization=stats_tree.O, as_of=AS_OF)
    assert other["党员总数"] == 2  # m8 (arrived 2024-03-01) and m10; m9 left in 2023
    assert other["职业"]["党政机关工作人员"] == 1  # m8's occupation in O-1
    before = party_statistics(user=stats_tree.other_user, organization=stats_tree.O, as_of=dt.date(2023, 4, 30))
    assert before["党员总数"] == 2  # m9 and m10
    assert before["职业"]["工人（工勤技能人员）"] == 2  # m9 was a 工人 there
    assert before["入党申请人"] == 1 and before["入党积极分子"] == 1  # r9


def test_history_and_the_leap_day_birthday(stats_tree):
    # On 2023-02-28 the branch still had m8 and m17; m16 (born 1992-02-29) is 30 until 1 March.
    feb28 = party_statistics(user=stats_tree.county_user, organization=stats_tree.SA1, as_of=dt.date(2023, 2, 28))
    assert feb28["党员总数"] == 6  # m1 m2 m8 m16 m17 m19
    assert feb28["年龄"]["30岁及以下"] == 3  # m1 (29) m2 (29) m16 (30)
    assert feb28["年龄"]["31至35岁"] == 0
    assert feb28["基层组织"] == {"基层党委": 0, "总支部": 0, "支部": 1}
    assert feb28["发展党员"]["合计"] == 0
    mar1 = party_statistics(user=stats_tree.county_user, organization=stats_tree.SA1, as_of=dt.date(2023, 3, 1))
    assert mar1["年龄"]["30岁及以下"] == 2
    assert mar1["年龄"]["31至35岁"] == 1  # m16 turned 31


def test_organizations_exist_on_the_date(stats_tree):
    early = party_statistics(user=stats_tree.county_user, organization=stats_tree.S, as_of=dt.date(2023, 12, 30))
    # S-A-4 not yet dissolved, S-A-3 not yet founded
    assert early["基层组织"] == {"基层党委": 2, "总支部": 1, "支部": 4}
    assert early["发展党员"]["合计"] == 1  # m7 (2023-08-01); m15 comes on the 31st
    late = party_statistics(user=stats_tree.county_user, organization=stats_tree.S, as_of=dt.date(2024, 9, 1))
    assert late["基层组织"]["支部"] == 5  # + S-F founded that day
    assert late["预备党员"] == 5  # m11 m12 m13 (admitted 2024-07-15) m14 m15; m7 full since 2024-08-01
    assert late["发展党员"]["合计"] == 4  # m11 m12 m13 m14


def test_branch_root_counts_itself(stats_tree):
    stats = party_statistics(user=stats_tree.branch_user, organization=stats_tree.SA1, as_of=AS_OF)
    assert stats["党员总数"] == 6  # m1 m2 m7 m14 m16 m19
    assert stats["基层组织"] == {"基层党委": 0, "总支部": 0, "支部": 1}
    assert stats["入党申请人"] == 3 and stats["入党积极分子"] == 2  # r1 r2 r8 | r2 r8


def test_out_of_scope_organization_is_refused(stats_tree):
    with pytest.raises(OutOfScope):
        party_statistics(user=stats_tree.branch_user, organization=stats_tree.S, as_of=AS_OF)
    with pytest.raises(OutOfScope):
        party_statistics(user=stats_tree.town_user, organization=stats_tree.SG, as_of=AS_OF)
    with pytest.raises(OutOfScope):
        party_statistics(user=stats_tree.nogrant_user, organization=stats_tree.SA1, as_of=AS_OF)
    with pytest.raises(OutOfScope):
        party_statistics(user=stats_tree.county_user, organization=stats_tree.O, as_of=AS_OF)
    with pytest.raises(OutOfScope):
        scoped_organization(user=stats_tree.branch_user, code="S")
    with pytest.raises(OutOfScope):
        scoped_organization(user=stats_tree.county_user, code="NO-SUCH-ORG")
    assert scoped_organization(user=stats_tree.town_user, code=" S-A-2 ") == stats_tree.SA2


def test_node_only_grant_counts_only_that_node(stats_tree):
    # A grant on the town without its subtree: the town itself is in scope, its branches' members are not.
    stats = party_statistics(user=stats_tree.town_node_user, organization=stats_tree.SA, as_of=AS_OF)
    assert stats["党员总数"] == 0
    assert stats["基层组织"] == {"基层党委": 1, "总支部": 0, "支部": 0}
    assert stats["入党申请人"] == 0
    assert stats["占比"] == {"女党员": None, "少数民族党员": None, "大专及以上学历党员": None}
    with pytest.raises(OutOfScope):
        party_statistics(user=stats_tree.town_node_user, organization=stats_tree.SA1, as_of=AS_OF)
    # the same organization with a subtree grant
    town = party_statistics(user=stats_tree.town_user, organization=stats_tree.SA, as_of=AS_OF)
    assert town["党员总数"] == 11  # S-A-1: 6, S-A-2: m3 m4 m12 m20, S-A-3: m11
    assert town["基层组织"] == {"基层党委": 1, "总支部": 0, "支部": 3}


def test_rows_follow_the_communique(stats_tree):
    stats = party_statistics(user=stats_tree.county_user, organization=stats_tree.S, as_of=AS_OF)
    rows = communique_rows(stats)
    by_label = {r.label: r for r in rows}
    assert [r.label for r in rows if r.level == 0] == [
        "一、党员总数", "二、基层组织", "三、党员的性别、民族和学历", "四、党员的年龄", "五、党员的入党时间",
        "六、党员的职业", "七、发展党员（2024年）", "八、入党申请人和入党积极分子"]
    assert by_label["一、党员总数"].count == 17
    assert by_label["二、基层组织"].count == 7
    assert by_label["支部"].share == 57.1  # 4 of 7 organizations
    assert by_label["61岁及以上"].share == 29.4  # 5 of 17
    assert by_label["35岁及以下"].share == 66.7  # 2 of the 3 developed
    assert by_label["入党申请人"].share is None
    assert sum(r.count for r in rows if r.label in EXPECTED["职业"] and r.level == 1) == 17


def test_share_rounds_half_up():
    assert share(1, 8) == 12.5
    assert share(1, 16) == 6.3  # 6.25 → 6.3 (not banker's 6.2)
    assert share(2, 3) == 66.7
    assert share(0, 5) == 0.0
    assert share(3, 0) is None


def test_rule_table_carries_the_communique_boundaries():
    rules = COMMUNIQUE_RULES
    assert "党内统计公报" in rules.source
    assert [b.label for b in rules.age_bands] == ["30岁及以下", "31至35岁", "36至40岁", "41至45岁", "46至50岁",
                                                   "51至55岁", "56至60岁", "61岁及以上"]
    assert [e.start for e in rules.admission_eras] == [None, dt.date(1949, 10, 1), dt.date(1979, 1, 1),
                                                        dt.date(2012, 11, 1)]  # whole months (issue #10)
    assert [OCCUPATION.label(c) for c in rules.occupations] == list(EXPECTED["职业"])
    # bands are contiguous and cover every age
    for lower, upper in zip(rules.age_bands, rules.age_bands[1:], strict=False):
        assert upper.min_age == lower.max_age + 1


def _band_of(age: int) -> str:
    return next(b.label for b in COMMUNIQUE_RULES.age_bands
                if (b.min_age is None or age >= b.min_age) and (b.max_age is None or age <= b.max_age))


def test_birth_cutoffs_agree_with_age_on_including_29_february():
    days = [dt.date(y, m, d) for y in (2023, 2024, 2028) for m, d in ((2, 27), (2, 28), (2, 29), (3, 1), (12, 31))
            if not (m == 2 and d == 29 and y % 4)]
    births = [dt.date(1960, 1, 1) + dt.timedelta(days=k) for k in range(0, 40 * 366, 3)]
    births += [dt.date(y, 2, 29) for y in range(1960, 2004, 4)] + [dt.date(y, 2, 28) for y in range(1960, 2004)]
    for day in days:
        for birth in births:
            for n in (18, 31, 36, 61):
                assert (birth <= birth_cutoff(day, n)) == (age_on(birth, day) >= n), (birth, day, n)


def test_sql_conditions_match_a_python_reference_on_random_members(db):
    """Random members (random dates, leap days, boundary days): the SQL figures equal a plain Python
    count of the same people with ``age_on`` — a cross-check of the whole engine."""
    from tests.factories import make_user
    from zugong.orgs.services import organization_create

    rng = random.Random(7)
    root = organization_create(code="R", name="随机党委", org_type="committee")
    branch = organization_create(code="R-1", name="随机党支部", org_type="branch", parent=root)
    user = make_user("random_stats", "org_department", root)
    as_of = dt.date(2024, 2, 29)
    # born on the cut-off days around 29 February for 31 / 36 / 61 years of age
    specials = [dt.date(1993, 2, 28), dt.date(1992, 2, 29), dt.date(1993, 3, 1), dt.date(1988, 2, 29),
                dt.date(1963, 3, 1), dt.date(1988, 3, 1), dt.date(1963, 2, 28)]
    people = []
    for i in range(60):
        birth = specials[i] if i < len(specials) else dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(23000))
        admission = min(birth + dt.timedelta(days=rng.randrange(18 * 366, 50 * 366)), dt.date(2024, 6, 1))
        if i % 7 == 0:
            admission = rng.choice([dt.date(2024, 1, 1), dt.date(2024, 2, 29), dt.date(2024, 3, 1),
                                    dt.date(2023, 12, 31), dt.date(1949, 10, 1), dt.date(1978, 12, 18)])
        if admission < birth + dt.timedelta(days=18 * 365):
            admission = birth + dt.timedelta(days=18 * 366)
        full = admission + dt.timedelta(days=365) if rng.random() < 0.8 else None
        occupation = rng.choice(list(OCCUPATION.entries))
        person = make_member(branch, f"随机{i}", sex=rng.choice("12"), ethnicity=rng.choice(["01", "01", "03", ""]),
                             birth_date=birth, education_level=rng.choice(["11", "21", "31", "41", "61", ""]),
                             admission_date=admission, full_membership_date=full, occupation=occupation,
                             front_line=rng.random() < 0.5)
        people.append((person, birth, admission, full, occupation))

    stats = party_statistics(user=user, organization=root, as_of=as_of)
    counted = [p for p in people if p[2] <= as_of]
    assert stats["党员总数"] == len(counted)
    assert stats["正式党员"] == sum(1 for p in counted if p[3] and p[3] <= as_of)
    assert stats["女党员"] == sum(1 for p in counted if p[0].sex == "2")
    assert stats["少数民族党员"] == sum(1 for p in counted if p[0].ethnicity not in ("01", ""))
    assert stats["大专及以上学历党员"] == sum(1 for p in counted if p[0].education_level[:1] in ("1", "2", "3")
                                         and p[0].education_level)
    ages = {b.label: 0 for b in COMMUNIQUE_RULES.age_bands}
    for p in counted:
        ages[_band_of(age_on(p[1], as_of))] += 1
    assert stats["年龄"] == ages
    eras = [e.start for e in COMMUNIQUE_RULES.admission_eras]
    era_counts = {e.label: 0 for e in COMMUNIQUE_RULES.admission_eras}
    for p in counted:
        index = max(i for i, start in enumerate(eras) if start is None or p[2] >= start)
        era_counts[COMMUNIQUE_RULES.admission_eras[index].label] += 1
    assert stats["入党时间"] == era_counts
    developed = [p for p in counted if p[2] >= dt.date(2024, 1, 1)]
    assert stats["发展党员"]["合计"] == len(developed)
    assert stats["发展党员"]["35岁及以下"] == sum(1 for p in developed if age_on(p[1], p[2]) <= 35)
    assert stats["职业"] == {OCCUPATION.label(c): sum(1 for p in counted if p[4] == c) for c in OCCUPATION.entries}

    # the helper conditions used for drill-down agree with the engine
    members = Membership.objects.on(as_of).filter(organization__path__startswith=root.path,
                                                  person__party_member__admission_date__lte=as_of)
    for band in COMMUNIQUE_RULES.age_bands:
        assert members.filter(age_band_q(band, as_of, "person__")).count() == stats["年龄"][band.label]
    for i, era in enumerate(COMMUNIQUE_RULES.admission_eras):
        assert members.filter(era_q(i, field="person__party_member__admission_date")).count() == \
            stats["入党时间"][era.label]
