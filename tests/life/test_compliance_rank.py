"""The 晾晒 ranking's fast path (``life.compliance.rank``: per-branch sums in SQL, rows evaluated in detail
only when read) against the detailed path (``ranking(evaluate(...))``) on random data: every branch shape
the sums must handle or hand over to the detailed path (founded or dissolved in the window, committees
and 党小组 coming and going, 党小组会 of the branch and of its groups, 书记讲党课, a rule requiring two
meetings, a rule coming into force mid-year)."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from zugong.branches.models import BranchOfficer
from zugong.life.compliance import RankedBranches, evaluate, parse_period, rank, ranking, rules_for
from zugong.life.compliance_export import compliance_report
from zugong.life.models import ComplianceRule, Meeting
from zugong.orgs.models import PartyOrganization
from zugong.orgs.services import organization_create

pytestmark = pytest.mark.django_db

TYPES = ("theme_day", "committee_meeting", "group_meeting", "general_meeting", "party_lecture",
         "organizational_life_meeting", "member_evaluation", "heart_to_heart_talk")
PERIODS = ("2023-03", "2023-12", "2023Q2", "2023Q4", "2023")
TODAYS = (dt.date(2024, 2, 1), dt.date(2023, 11, 20), dt.date(2023, 4, 5))


def figures(branches):
    """Everything a 晾晒 shows of the branches, in their order."""
    return [(b.org_id, b.code, b.rate, b.owed, b.done, b.missing_count,
             [(r.rule.key, r.owed, r.held, r.done, r.missing) for r in b.rules]) for b in branches]


def random_subtree(tree, seed: int) -> None:
    """Ten more branches under the two towns, of every shape, and a few hundred random meetings."""
    rng = random.Random(seed)
    person = tree.member_a1_1
    branches = [tree.branch_a1, tree.branch_a2, tree.branch_b1]
    for n in range(10):
        town = tree.town_a if n % 2 else tree.town_b
        founded = rng.choice([dt.date(2000, 1, 1), dt.date(2023, 5, 15), dt.date(2023, 10, 1), None])
        branches.append(organization_create(code=f"R-{n}", name=f"随机第{n}党支部", org_type="branch", parent=town,
                                            founded_date=founded))
    for branch in branches[3:]:
        shape = rng.randrange(6)
        if shape == 1:  # a committee all along
            for role in ("secretary", "organization_member", "propaganda_member"):
                BranchOfficer.objects.create(organization=branch, person=person, role=role,
                                             start_date=dt.date(2020, 1, 1))
        elif shape == 2:  # a committee from mid-year, one post ending
            for role, end in (("secretary", None), ("organization_member", dt.date(2023, 9, 20)),
                              ("propaganda_member", None)):
                BranchOfficer.objects.create(organization=branch, person=person, role=role,
                                             start_date=dt.date(2023, 6, 1), end_date=end)
        elif shape == 3:  # two posts: no committee
            for role in ("secretary", "organization_member"):
                BranchOfficer.objects.create(organization=branch, person=person, role=role,
                                             start_date=dt.date(2020, 1, 1))
        if shape in (1, 4):
            organization_create(code=f"{branch.code}-G", name="党小组", org_type="party_group", parent=branch,
                                founded_date=dt.date(2019, 1, 1) if shape == 1 else dt.date(2023, 7, 1))
    PartyOrganization.objects.filter(code="R-3").update(status="dissolved", dissolved_date=dt.date(2023, 8, 10))
    holders = list(PartyOrganization.objects.filter(org_type__in=("branch", "party_group")))
    meetings = []
    for _ in range(400):
        org = rng.choice(holders)
        mtype = rng.choice(TYPES)
        day = dt.date(2023, rng.randint(1, 12), rng.randint(1, 28))
        meetings.append(Meeting(organization=org, meeting_type=mtype, date=day, topic="随机", expected_count=5,
                                attended_count=4, secretary_lecture=mtype == "party_lecture" and rng.random() < .3))
    Meeting.objects.bulk_create(meetings)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rank_equals_the_detailed_ranking_on_random_data(tree, seed):
    random_subtree(tree, seed)
    ComplianceRule.objects.create(code="local_theme_twice", name="主题党日每季度2次", meeting_type="theme_day",
                                  min_count=2, period="quarter", regulation="某县规定", article="第一条",
                                  effective_from=dt.date(2015, 1, 1))
    user = tree.county_user
    for label in PERIODS:
        period = parse_period(label)
        for today in TODAYS:
            detailed = ranking(evaluate(user=user, organization=tree.county, start=period.start, end=period.end,
                                        today=today))
            ranked = rank(user=user, organization=tree.county, start=period.start, end=period.end, today=today)
            assert len(ranked) == len(detailed)
            assert figures(ranked[0:len(ranked)]) == figures(detailed), (label, today)
            assert figures(ranked[2:5]) == figures(detailed[2:5])
            assert ranked.owed == sum(b.owed for b in detailed) and ranked.done == sum(b.done for b in detailed)
            assert ranked.behind == sum(1 for b in detailed if b.missing_count)
            assert ranked.used == {r.rule.key for b in detailed for r in b.rules}


def test_rank_with_a_rule_entering_into_force_mid_year_equals_the_detailed_ranking(tree):
    random_subtree(tree, 7)
    ComplianceRule.objects.create(code="local_lecture_monthly", name="党课每月1次", meeting_type="party_lecture",
                                  min_count=1, period="month", regulation="某县规定", article="第二条",
                                  effective_from=dt.date(2023, 6, 15))
    period = parse_period("2023")
    detailed = ranking(evaluate(user=tree.county_user, organization=tree.county, start=period.start,
                                end=period.end, today=dt.date(2024, 2, 1)))
    ranked = rank(user=tree.county_user, organization=tree.county, start=period.start, end=period.end,
                  today=dt.date(2024, 2, 1))
    assert figures(ranked[0:len(ranked)]) == figures(detailed)
    assert any(r.rule.key == "党课（local_lecture_monthly）" for b in detailed for r in b.rules)


def test_rank_is_scoped(tree):
    random_subtree(tree, 4)
    period = parse_period("2023")
    today = dt.date(2024, 2, 1)
    ranked = rank(user=tree.town_user, organization=tree.county, start=period.start, end=period.end, today=today)
    codes = {b.code for b in ranked[0:len(ranked)]}
    assert "C-B-1" not in codes and {"C-A-1", "C-A-2"} <= codes
    assert all(b.path.startswith(tree.town_a.path) for b in ranked[0:len(ranked)])
    assert len(rank(user=tree.nogrant_user, organization=tree.county, start=period.start, end=period.end,
                    today=today)) == 0


def test_a_page_of_the_ranking_is_read_with_a_few_queries(tree, django_assert_max_num_queries):
    random_subtree(tree, 5)
    period = parse_period("2023-12")
    today = dt.date(2024, 2, 1)
    rules = rules_for(period.start, period.end)
    rank(user=tree.county_user, organization=tree.county, start=period.start, end=period.end, today=today,
         rules=rules)  # warm the scope cache
    # branches + groups, officers, the sums; then the branches of mid-year shapes in detail (4)
    with django_assert_max_num_queries(7):
        ranked = rank(user=tree.county_user, organization=tree.county, start=period.start, end=period.end,
                      today=today, rules=rules)
    assert isinstance(ranked, RankedBranches)
    with django_assert_max_num_queries(4):  # paths, branches+groups, officers, meetings of those shown
        page = ranked[0:3]
    assert [b.org_id for b in page] == [b.org_id for b in ranked[0:3]]
    assert ranked[1].org_id == page[1].org_id and ranked[-1].org_id == list(ranked)[-1].org_id


def test_lazy_report_has_the_same_figures_as_the_full_report(tree):
    random_subtree(tree, 6)
    for label in ("2023-12", "2023"):
        period = parse_period(label)
        full = compliance_report(user=tree.county_user, organization=tree.county, period=period,
                                 today=dt.date(2024, 2, 1))
        lazy = compliance_report(user=tree.county_user, organization=tree.county, period=period,
                                 today=dt.date(2024, 2, 1), lazy=True)
        for key in ("title", "branches", "behind", "owed", "done", "rate"):
            assert lazy[key] == full[key], key
        assert [r.key for r in lazy["rules"]] == [r.key for r in full["rules"]]
        assert figures(lazy["rows"][0:len(lazy["rows"])]) == figures(full["rows"])
