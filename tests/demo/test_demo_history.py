"""The demo's two years of membership history (issue #10): events of every kind that the membership periods
follow (``party.lifecycle``), 组织关系转接 records, former members, 流动党员 / 失联党员 / 出国（境）, terms, and
the 年报 attributes of members and development records — at 1:100,000 (992 members), where every kind of
change still occurs at least once in 2023, and at 1:10,000 for the proportions."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from types import SimpleNamespace

import pytest
from django.db.models import F, Q

from tests.demo.annual_counts import first_table, members_on
from zugong.core.dates import add_years, age_on
from zugong.demo import distributions as D
from zugong.demo.checks import opening_periods, verify_history
from zugong.demo.generator import demo_reset, demo_root, generate
from zugong.demo.history import add_months
from zugong.orgs.models import OrganizationTerm, PartyOrganization, Unit
from zugong.party.choices import (
    EXIT_KIND,
    EXIT_REASON,
    FLOW_DESTINATION,
    FLOW_SCOPE,
    LOST_CONTACT_SITUATION,
    MOBILE_ORIGINAL_OCCUPATION,
)
from zugong.party.lifecycle import END_REASON_OF_KIND, Period, periods_from_events
from zugong.party.models import (
    DevelopmentRecord,
    Membership,
    MembershipEvent,
    MembershipTransfer,
    MemberStatus,
    PartyMember,
)
from zugong.people.models import Person

REF = D.REFERENCE_DATE
YEAR = REF.year


@pytest.fixture
def demo(db):
    return generate(scale=100_000, seed=2023, workers=0)


def _events_by_person() -> dict[int, list]:
    events: dict[int, list] = {}
    for e in MembershipEvent.objects.order_by("date", "pk"):
        events.setdefault(e.person_id, []).append(e)
    return events


def _periods_by_person() -> dict[int, list[Period]]:
    periods: dict[int, list[Period]] = {}
    for m in Membership.objects.order_by("start_date", "pk"):
        periods.setdefault(m.person_id, []).append(Period(m.organization_id, m.start_date, m.end_date, m.end_reason))
    return periods


def _shape(periods) -> list[tuple]:
    return [(p.organization_id, p.start, p.end, p.end_reason) for p in periods]


def test_events_reconcile_with_the_periods(demo):
    """For every person, the stored periods are what ``periods_from_events`` makes of their opening balance
    and their events; and each event left its mark on the periods: an increase opens one on its date at its
    organization, a decrease closes the open one on its date with its reason, a transfer does both."""
    root = demo_root()
    assert verify_history(root) == []
    events, periods = _events_by_person(), _periods_by_person()
    assert len(events) > 200
    for person_id, person_events in events.items():
        stored = periods[person_id]
        assert _shape(periods_from_events(opening_periods(stored, person_events), person_events)) == _shape(stored)
        dates = [e.date for e in person_events]
        assert dates == sorted(dates)
        for e in person_events:
            started = {(p.organization_id, p.start) for p in stored}
            ended = {(p.organization_id, p.end, p.end_reason) for p in stored}
            if e.kind in ("admission", "reinstatement", "transfer_in"):
                assert (e.to_organization_id, e.date) in started and e.organization_id == e.to_organization_id
                assert e.from_organization_id is None
            elif e.kind in ("exit", "suspension", "death", "transfer_out"):
                assert (e.from_organization_id, e.date, END_REASON_OF_KIND[e.kind]) in ended
                assert e.organization_id == e.from_organization_id and e.to_organization_id is None
            elif e.kind == "transfer":
                assert (e.from_organization_id, e.date, "transfer") in ended
                assert (e.to_organization_id, e.date) in started and e.organization_id == e.to_organization_id
            else:  # 转正: the member's own organization that day, no period changes
                assert e.kind == "full_membership"
                assert any(p.organization_id == e.organization_id and p.start <= e.date
                           and (p.end is None or e.date < p.end) for p in stored)
    # nothing is dated before the person's admission, after their death or after the reference date
    # (but 转正 decisions of 2023's admissions, taken in 2024 and 2025 when the year is full)
    assert not MembershipEvent.objects.filter(date__lt=F("person__party_member__admission_date")).exists()
    assert not MembershipEvent.objects.filter(date__gt=REF).exclude(kind="full_membership").exists()
    assert not MembershipEvent.objects.filter(date__gt=dt.date.today()).exists()


def test_the_check_finds_a_period_that_no_event_explains(demo):
    root = demo_root()
    assert verify_history(root) == []
    death = MembershipEvent.objects.filter(kind="death", date__year=YEAR).first()
    death.delete()  # the membership still ends that day: 2023 no longer reconciles
    moved = MembershipEvent.objects.filter(kind="transfer").first()
    Membership.objects.filter(person_id=moved.person_id, end_reason="transfer", end_date=moved.date).update(
        end_date=moved.date - dt.timedelta(days=3))
    problems = verify_history(root)
    assert any(f"人员 #{moved.person_id} " in p and "组织关系与党员变动记录不符" in p for p in problems), problems
    assert any(p.startswith(f"{YEAR}年") for p in problems), problems
    assert not any(f"人员 #{death.person_id} " in p for p in problems)  # no events left: opening balance


def test_opening_periods_are_the_periods_before_any_event():
    org_a, org_b = 1, 2
    day = dt.date
    stored = [Period(org_a, day(1990, 5, 1), day(2023, 3, 1), "transfer"), Period(org_b, day(2023, 3, 1), None, "")]
    events = [SimpleNamespace(pk=1, kind="transfer", detail="", date=day(2023, 3, 1), to_organization_id=org_b)]
    assert _shape(opening_periods(stored, events)) == [(org_a, day(1990, 5, 1), None, "")]
    assert _shape(periods_from_events(opening_periods(stored, events), events)) == _shape(stored)
    # a period before Zugong's records that ended without an event stays closed in the opening balance
    history = [Period(org_a, day(1970, 1, 1), day(1995, 1, 1), "transfer"), Period(org_b, day(1995, 1, 1), day(2023, 8, 8), "death")]
    died = [SimpleNamespace(pk=2, kind="death", detail="", date=day(2023, 8, 8), to_organization_id=None)]
    assert _shape(opening_periods(history, died)) == [(org_a, day(1970, 1, 1), day(1995, 1, 1), "transfer"),
                                                     (org_b, day(1995, 1, 1), None, "")]
    assert _shape(periods_from_events(opening_periods(history, died), died)) == _shape(history)


@pytest.mark.parametrize("year", [YEAR - 1, YEAR])
def test_first_table_reconciles_for_the_county_and_every_subtree(demo, year):
    """本年底应有数 = 本年底实有数 for the county and for every 乡镇 / 街道 / 党委 below it: internal transfers
    (also across 乡镇) count as 转入 on one side and 转出 on the other."""
    root = demo_root()
    table = first_table(root, year)
    assert table["实有数与应有数之差"] == 0, table
    assert table["本年底实有数"] == members_on(root, dt.date(year, 12, 31))
    if year == YEAR:
        assert table["本年底实有数"] == 992
        assert table["本年增加"]["发展党员"] == demo.developed  # the 公报's 发展党员
    subtrees = PartyOrganization.objects.filter(path__startswith=root.path, depth=root.depth + 1)
    crossing = 0
    for org in subtrees:
        sub = first_table(org, year)
        assert sub["实有数与应有数之差"] == 0, (org.name, sub)
        crossing += sub["本年增加"]["转入组织关系"] - MembershipEvent.objects.filter(
            date__year=year, kind="transfer_in", to_organization__path__startswith=org.path).count()
    assert crossing > 0  # transfers between the county's 乡镇 / 党委


def test_every_kind_of_change_happens_in_the_reference_year(demo):
    root = demo_root()
    table = first_table(root, YEAR)
    for part in ("本年增加", "本年减少"):
        assert all(count > 0 for count in table[part].values()), table[part]
    of_year = MembershipEvent.objects.filter(date__year=YEAR)
    kinds = set(of_year.values_list("kind", "detail"))
    expected = {("admission", ""), ("admission", "readmission"), ("reinstatement", ""),
                ("reinstatement", "after_suspension"), ("transfer_in", ""), ("transfer_in", "whole_unit"),
                ("suspension", ""), ("death", ""), ("transfer_out", ""), ("transfer_out", "whole_unit"),
                ("transfer", ""), *(("exit", kind) for kind in EXIT_KIND.entries),
                *(("full_membership", outcome) for outcome in ("on_time", "extended", "after_extension", "postponed",
                                                               "after_postponement"))}
    assert expected <= kinds, expected - kinds
    # 出党: a 第十一表 reason category, the 除名 of someone unreachable, a 文号
    exits = of_year.filter(kind="exit")
    assert not exits.filter(Q(reason_category="") | Q(document_number="") | Q(reason="")).exists()
    assert set(exits.values_list("reason_category", flat=True)) <= set(EXIT_REASON.entries)
    assert exits.filter(detail="lapsed_removed", unreachable=True).exists()
    assert not exits.exclude(detail="lapsed_removed").filter(unreachable=True).exists()
    # 取消预备党员资格 only for a 预备党员: during probation or at the end of an extension
    for e in MembershipEvent.objects.filter(detail="probation_cancelled").select_related("person__party_member"):
        member = e.person.party_member
        assert member.full_membership_date is None and e.person.political_status == "13"
        extension = MembershipEvent.objects.filter(person_id=e.person_id, detail="extended").first()
        if extension is None:
            assert e.date < add_years(member.admission_date, 1)
        else:
            assert e.date >= add_months(add_years(member.admission_date, 1), extension.extension_months)
    # 转正 one year after admission; an extension of 6–12 months decided that day, then 延长预备期后转正 at its end
    for e in MembershipEvent.objects.filter(kind="full_membership").select_related("person__party_member"):
        year_full = add_years(e.person.party_member.admission_date, 1)
        if e.detail in ("on_time", "extended", "postponed"):
            assert e.date == year_full
        if e.detail == "extended":
            assert e.extension_months in (6, 12)
            after = MembershipEvent.objects.filter(person_id=e.person_id, detail="after_extension").first()
            assert after is None or after.date >= add_months(year_full, e.extension_months)
        else:
            assert e.extension_months is None
        if e.detail in ("on_time", "after_extension", "after_postponement"):
            assert e.person.party_member.full_membership_date == e.date
    # 停止党籍后恢复党籍 follows a recorded 停止党籍; a plain 恢复党籍 an 出党 reversed on review
    for e in of_year.filter(kind="reinstatement"):
        before = MembershipEvent.objects.filter(person_id=e.person_id, date__lt=e.date).exclude(
            kind="full_membership").order_by("-date").first()
        assert before.kind == ("suspension" if e.detail == "after_suspension" else "exit")


def test_transfer_records(demo):
    """组织关系转接 in the county (accepted, each with its event; also across 乡镇; two pending and one
    returned on the reference date, without an event), and 介绍信 to outside (number, validity, dues)."""
    internal = MembershipTransfer.objects.filter(direction="internal")
    accepted = internal.filter(state="accepted")
    assert accepted.count() == MembershipEvent.objects.filter(kind="transfer").count() > 0
    for t in accepted.prefetch_related("events"):
        (event,) = t.events.all()
        assert (event.kind, event.date, event.from_organization_id, event.to_organization_id) == (
            "transfer", t.decided_date, t.from_organization_id, t.to_organization_id)
        assert t.sent_date < t.decided_date
    towns = {o.path: o for o in PartyOrganization.objects.filter(depth=2)}

    def town(org) -> str:
        return org.path[:2 * PartyOrganization.steplen]

    assert any(town(t.from_organization) != town(t.to_organization) for t in accepted.select_related(
        "from_organization", "to_organization")) and towns
    assert internal.filter(state="pending", decided_date__isnull=True, events__isnull=True).count() == 2
    pending = internal.filter(state="pending").values_list("person_id", "from_organization_id")
    for person_id, org_id in pending:  # still where they were
        assert Membership.objects.get(person_id=person_id, end_date__isnull=True).organization_id == org_id
    returned = internal.get(state="returned")
    assert returned.return_reason and returned.decided_date > returned.sent_date and not returned.events.exists()
    out = MembershipTransfer.objects.filter(direction="out")
    assert out.count() == MembershipEvent.objects.filter(kind="transfer_out").count()
    assert not out.exclude(state="issued").exists()
    for t in out.prefetch_related("events"):
        (event,) = t.events.all()
        assert event.date == t.sent_date and event.counterpart == t.counterpart != ""
        assert t.letter_number and t.validity_days in (30, 60, 90) and t.dues_paid_through.day == 1
        assert t.dues_paid_through <= t.sent_date and t.whole_unit == (event.detail == "whole_unit")
    assert len(set(out.values_list("letter_number", flat=True))) == out.count()
    # graduates leave in summer
    graduates = MembershipEvent.objects.filter(kind="transfer_out", person__memberships__occupation="student")
    assert graduates.exists() and all(dt.date(d.year, 6, 20) <= d <= dt.date(d.year, 7, 15)
                                      for d in graduates.values_list("date", flat=True))


def test_whole_units_in_and_out(demo):
    """整建制转入: every member of one branch arrives on one day; 整建制转出: a branch leaves with all its
    members and is then dissolved (not counted on the reference date)."""
    arrived = MembershipEvent.objects.filter(kind="transfer_in", detail="whole_unit")
    (branch_id,) = set(arrived.values_list("to_organization_id", flat=True))
    (day,) = set(arrived.values_list("date", flat=True))
    members = Membership.objects.filter(organization_id=branch_id)  # nobody was there before (outside the county)
    assert members.count() == arrived.count() >= 3
    assert set(members.values_list("start_date", flat=True)) == {day}
    left = MembershipEvent.objects.filter(kind="transfer_out", detail="whole_unit")
    (gone,) = set(left.values_list("from_organization_id", flat=True))
    gone = PartyOrganization.objects.get(pk=gone)
    (day,) = set(left.values_list("date", flat=True))
    assert (gone.status, gone.dissolved_date, gone.dissolution_reason) == ("dissolved", day, "整建制转出")
    assert Membership.objects.filter(organization=gone).count() == left.count() >= 4
    assert not Membership.objects.filter(organization=gone).exclude(end_date=day).exists()
    assert not PartyOrganization.objects.active_on(REF).filter(pk=gone.pk).exists()
    assert PartyOrganization.objects.active_on(day - dt.timedelta(days=1)).filter(pk=gone.pk).exists()


def test_former_members(demo):
    """People who left in 2022–2023 are members on earlier dates only, with their party record; those who
    left by 出党 or 停止党籍 are 群众 now."""
    current = set(Membership.objects.current().values_list("person_id", flat=True))
    former = set(PartyMember.objects.values_list("person_id", flat=True)) - current
    assert len(former) == demo.former_members > 0
    last = {}
    for m in Membership.objects.filter(person_id__in=former).order_by("start_date"):
        last[m.person_id] = m
    for person_id, m in last.items():
        assert m.end_date.year in D.HISTORY_YEARS
        assert m.end_reason in ("death", "exit", "suspension", "transfer_out")
        assert m.person.organization_id == m.organization_id
        assert MembershipEvent.objects.filter(person_id=person_id, date=m.end_date,
                                              kind=dict(death="death", exit="exit", suspension="suspension",
                                                        transfer_out="transfer_out")[m.end_reason]).exists()
    statuses = dict(Person.objects.filter(pk__in=former).values_list("pk", "political_status"))
    for person_id, m in last.items():
        if m.end_reason in ("exit", "suspension"):
            assert statuses[person_id] == "13"
        else:
            assert statuses[person_id] in ("01", "02")


def test_member_statuses(demo):
    """流动党员 with flow scope, destination, 原职业 and certificate; 失联党员 in every 情形 and every 失去联系时间
    column of 第四十三表; 出国（境）; each starting within the member's current period at their branch."""
    mobile = MemberStatus.objects.filter(kind="mobile").select_related("person")
    assert mobile.count() > 10
    for s in mobile:
        assert s.flow_scope in FLOW_SCOPE.entries and s.destination_type in FLOW_DESTINATION.entries
        assert s.destination and s.original_occupation in MOBILE_ORIGINAL_OCCUPATION.entries
        current = Membership.objects.get(person_id=s.person_id, end_date__isnull=True)
        assert current.organization_id == s.organization_id and current.start_date < s.start_date < REF
        assert s.end_date is None or s.start_date < s.end_date <= REF
        # a farmer away on the reference date is 外出务工经商人员 (第二表 其中)
        if current.occupation == "farmer":
            assert current.migrant_business == (s.end_date is None)
    assert mobile.filter(has_certificate=True).exists() and mobile.filter(has_certificate=False).exists()
    assert mobile.filter(end_date__isnull=False).exists()
    assert len(set(mobile.values_list("flow_scope", flat=True))) == 3
    assert not Membership.objects.filter(migrant_business=True).exclude(
        person__member_statuses__kind="mobile", person__member_statuses__end_date__isnull=True).exists()

    lost = MemberStatus.objects.filter(kind="lost_contact", end_date__isnull=True)
    assert set(lost.values_list("lost_situation", flat=True)) == set(LOST_CONTACT_SITUATION.entries)
    years = Counter()
    for s in lost:
        current = Membership.objects.get(person_id=s.person_id, end_date__isnull=True)
        assert current.start_date < s.start_date <= REF - dt.timedelta(days=183)
        away = age_on(s.start_date, REF)  # whole years without contact on the reference date
        years["6个月以上不满1年" if away < 1 else "1年至5年" if away <= 5 else "6年至10年" if away <= 10
              else "11年及以上"] += 1
    assert set(years) == {"6个月以上不满1年", "1年至5年", "6年至10年", "11年及以上"}, years
    # former members who lost contact before 停止党籍 / 自行脱党除名: the status ended that day
    for s in MemberStatus.objects.filter(kind="lost_contact", end_date__isnull=False):
        ended = Membership.objects.filter(person_id=s.person_id, end_date=s.end_date,
                                          end_reason__in=("suspension", "exit"))
        assert ended.exists()
    assert MemberStatus.objects.filter(kind="abroad", end_date__isnull=True).exclude(destination="").exists()


def test_terms(demo):
    """Every active 党委 / 党总支 / 支部 has a term in force on the reference date (3 years, 5 for villages,
    communities, 乡镇党委 and the county committee), the one before it when it existed then; some overdue
    (任届期满), some elected in 2023 (报告期内换届)."""
    root = demo_root()
    grassroots = PartyOrganization.objects.active_on(REF).filter(
        path__startswith=root.path, org_type__in=("committee", "general_branch", "branch", "joint_branch"))
    terms = {}
    for t in OrganizationTerm.objects.order_by("start_date"):
        terms.setdefault(t.organization_id, []).append(t)
    assert set(terms) == set(grassroots.values_list("pk", flat=True))
    expired = elected = 0
    for org in grassroots:
        rows = terms[org.pk]
        years = 5 if (org.depth == root.depth or org.unit_category in ("township", "village", "community")) else 3
        for before, after in zip(rows, rows[1:], strict=False):
            assert before.end_date == after.start_date
        current = rows[-1]
        assert current.election_date == current.start_date <= REF and current.start_date >= org.founded_date
        if current.start_date > org.founded_date:
            assert current.end_date == add_years(current.start_date, years), org.name
        expired += current.end_date <= REF
        elected += current.election_date.year == YEAR
    assert 0 < expired < len(grassroots) / 3 and elected > 0
    assert not OrganizationTerm.objects.filter(organization__org_type="working_committee").exists()


def test_annual_attributes_of_members_and_records(demo):
    """The 年报's 工作岗位 rows: every 在岗职工 has its row and sector (a company's by its 经济控制类型),
    农民工 in village branches, 军人、武警 in 机关; 一线类别 exactly for those in 生产、工作第一线; 专业技术职务
    levels by age; a few 台湾省籍; the development records carry the same fields."""
    current = Membership.objects.on(REF).select_related("organization__unit")
    employed = current.filter(occupation__in=("worker", "professional", "manager"))
    assert not employed.filter(Q(occupation_detail="") | Q(ownership="")).exists()
    assert not current.filter(occupation="government").exclude(ownership="public").exists()
    assert not current.filter(occupation__in=("farmer", "student", "retired")).exclude(occupation_detail="").exists()
    assert current.filter(occupation="other", occupation_detail="military").exists()
    assert not current.filter(occupation_detail="military", person__birth_date__lt=add_years(REF, -56)).exists()
    assert not current.exclude(occupation="worker").filter(migrant_worker=True).exists()
    assert not current.filter(occupation="worker", organization__unit_category="village", migrant_worker=False).exists()
    assert not current.filter(Q(front_line=True, front_line_kind="") | Q(front_line=False) & ~Q(front_line_kind="")).exists()
    assert {"enterprise_production", "rural_production", "teaching_research"} <= set(
        current.values_list("front_line_kind", flat=True))
    units = {u.pk: u for u in Unit.objects.all()}
    by_path = {o.path: o for o in PartyOrganization.objects.all()}

    def unit_of(org):
        while org.unit_relation == "same_as_parent":
            org = by_path[org.path[:-PartyOrganization.steplen]]
        return units.get(org.unit_id)

    sectors = set()
    for m in employed.filter(organization__unit_category="enterprise").exclude(
            organization__org_type="joint_branch"):
        unit = unit_of(m.organization)
        sector = "public" if unit.economic_control in ("state_controlled", "collective_controlled") else "non_public"
        assert m.ownership == sector, (m.organization.name, unit.name)
        sectors.add(sector)
    assert sectors and set(employed.values_list("ownership", flat=True)) == {"public", "non_public"}
    assert set(employed.filter(organization__org_type="joint_branch").values_list("ownership", flat=True)) == {
        "non_public"}
    levels = Counter()
    for level, birth in Person.objects.filter(party_member__isnull=False).exclude(title_level="").values_list(
            "title_level", "birth_date"):
        levels[level] += 1
        if level == "senior":
            assert age_on(birth, REF) >= 35
    assert set(levels) == {"senior", "intermediate", "junior"}
    assert Person.objects.filter(taiwan_origin=True, party_member__isnull=False).count() >= 1
    records = DevelopmentRecord.objects.all()
    assert not records.filter(occupation="").exists()
    assert not records.filter(occupation__in=("worker", "professional", "manager")).filter(
        Q(occupation_detail="") | Q(ownership="")).exists()
    assert not records.filter(Q(front_line=True, front_line_kind="") | Q(front_line=False) & ~Q(front_line_kind="")).exists()
    assert records.filter(admission_date__isnull=True, front_line=True).exists()
    # a member admitted in 2022 or 2023 has the closed record of how (发展党员 pipeline), at the same branch
    admitted = MembershipEvent.objects.filter(kind="admission")
    assert DevelopmentRecord.objects.filter(admission_date__isnull=False).count() == admitted.count()
    for e in admitted.select_related("person"):
        record = DevelopmentRecord.objects.get(person_id=e.person_id, admission_date__isnull=False)
        assert (record.admission_date, record.organization_id) == (e.date, e.to_organization_id)


def test_reset_removes_the_history(demo):
    assert MembershipEvent.objects.exists() and OrganizationTerm.objects.exists()
    demo_reset()
    for model in (MembershipEvent, MembershipTransfer, MemberStatus, OrganizationTerm, Membership, PartyMember,
                  DevelopmentRecord, Person, PartyOrganization, Unit):
        assert not model.objects.exists(), model.__name__


@pytest.mark.django_db
def test_proportions_at_the_default_scale():
    """At 1:10,000 the yearly changes have the shares of ``distributions`` Part 3: 发展党员 2.4% (the
    公报's 240.8万 of 9918.5万), deaths 1.15%, 出党 0.1%, transfers; the total grows about as the
    country's did in 2023 (9804.1万 → 9918.5万, +1.17%); 流动党员 and 失联党员 at their shares."""
    summary = generate(scale=10_000, seed=2023, life=False)  # the meetings (demo.life) are not needed here
    root = demo_root()
    n = summary.members
    for year in D.HISTORY_YEARS:
        table = first_table(root, year)
        assert table["实有数与应有数之差"] == 0
        base = table["上年底总数"]
        share = {k: 100 * v / base for k, v in {**table["本年增加"], **table["本年减少"]}.items()}
        assert abs(share["死亡"] - 100 * D.DEATH_RATE) < 0.1
        assert abs(share["出党"] - 100 * D.EXIT_RATE) < 0.1
        assert 1.0 < share["转出组织关系"] < 2.2 and 1.0 < share["转入组织关系"] < 2.2
        assert 2.0 < share["发展党员"] < 3.2
        if year == YEAR:
            assert table["本年增加"]["发展党员"] == summary.developed == round(n * D.DEVELOPED / D.MEMBERS)
            growth = 100 * (table["本年底实有数"] - base) / base
            assert abs(growth - 100 * (D.MEMBERS - D.PREVIOUS_MEMBERS) / D.PREVIOUS_MEMBERS) < 0.4
    internal = MembershipEvent.objects.filter(kind="transfer", date__year=YEAR).count()
    assert abs(100 * internal / n - 100 * D.INTERNAL_TRANSFER_RATE) < 0.2
    mobile = MemberStatus.objects.filter(kind="mobile", start_date__lte=REF).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=REF)).count()
    assert 2.0 < 100 * mobile / n < 4.5
    lost = MemberStatus.objects.filter(kind="lost_contact", end_date__isnull=True).count()
    assert lost == round(n * D.LOST_CONTACT_RATE)
    extended = MembershipEvent.objects.filter(detail="extended", date__year=YEAR).count()
    due = MembershipEvent.objects.filter(kind="full_membership", date__year=YEAR).exclude(
        detail__in=("after_extension", "after_postponement")).count()
    assert abs(100 * extended / due - 100 * D.EXTENSION_SHARE) < 1.0


def test_a_history_that_does_not_verify_writes_nothing(db, monkeypatch):
    """The generator verifies what it wrote before committing: a failed check (a generator bug) rolls the
    whole dataset back."""
    from zugong.core.errors import ZugongError
    from zugong.demo import checks

    monkeypatch.setattr(checks, "verify_history", lambda root: ["人员 #1 的组织关系与党员变动记录不符"])
    with pytest.raises(ZugongError, match="党员变动与组织关系不一致"):
        generate(scale=100_000, seed=2023, workers=0)
    for model in (PartyOrganization, Unit, Person, Membership, MembershipEvent, MembershipTransfer, MemberStatus,
                  OrganizationTerm):
        assert not model.objects.exists(), model.__name__
    assert generate(scale=100_000, seed=2023, workers=0, verify=False).members == 992
