"""党员计数 (issue #13, ``party.counts``): the count table kept by the triggers of migration
``party.0010_member_counts`` answers ``member_total`` / ``member_counts_by_organization`` exactly as the live
``COUNT`` over ``Membership.objects.on(D)`` for any subtree and day, after every kind of write (services,
events and their revocation, roster import, ``bulk_create``, direct ORM updates and deletes); ``zugong check
--counts`` reports a corrupted table organization by organization and ``zugong rebuild_counts`` fixes it;
a user's totals never include an organization outside the scope."""

from __future__ import annotations

import datetime as dt
import importlib
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F

from tests.factories import make_member
from tests.imports.helpers import ROSTER_HEADERS, member_row, xlsx
from zugong.audit.models import AuditEvent
from zugong.orgs.models import PartyOrganization
from zugong.orgs.services import organization_create
from zugong.party import counts, services
from zugong.party.importers import import_roster
from zugong.party.models import MemberCount, Membership, MembershipEvent
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 30)


# ----- the live answer (the contract's first implementation) -------------------------------------------------

def live_total(user, as_of, path="", action="view") -> int:
    queryset = Membership.objects.restrict(user, action).on(as_of)
    return (queryset.filter(organization__path__startswith=path) if path else queryset).count()


def live_by_org(user, as_of, path="", action="view") -> list[tuple[str, int]]:
    queryset = Membership.objects.restrict(user, action).on(as_of)
    queryset = queryset.filter(organization__path__startswith=path) if path else queryset
    return list(queryset.order_by().values("organization__path").annotate(n=Count("*"))
                .order_by("organization__path").values_list("organization__path", "n"))


def assert_exact(users, days, paths) -> int:
    """Every (user, day, path) answered by the count table as the live COUNT; the number compared."""
    compared = 0
    for user in users:
        for day in days:
            for path in paths:
                got = counts.member_total(user=user, as_of=day, path=path)
                assert got == live_total(user, day, path), (user.username, day, path)
                assert counts.member_counts_by_organization(user=user, as_of=day, path=path) == \
                    live_by_org(user, day, path), (user.username, day, path)
                compared += 1
    return compared


def interesting_days(rng) -> list[dt.date]:
    """Each start and end date, the day before it, and random days from 1975 to 2027."""
    days = set()
    for start, end in Membership.objects.values_list("start_date", "end_date"):
        for day in (start, end):
            if day:
                days.update({day, day - dt.timedelta(days=1)})
    days.update(D(1975, 1, 1) + dt.timedelta(days=rng.randrange(52 * 365)) for _ in range(30))
    return sorted(days)


def a_mix_of_writes(tree):
    """Every write path that changes memberships, in the fixture tree (plus a fourth branch)."""
    t = tree
    t.branch_b2 = organization_create(code="C-B-2", name="乙镇西村党支部", org_type="branch", parent=t.town_b,
                                      unit_category="village", founded_date=D(1960, 1, 1))
    # services: new members, a transfer, an end
    extra = [make_member(t.branch_b2, name, admission_date=D(2012 + i, 7, 1), full_membership_date=D(2013 + i, 7, 1))
             for i, name in enumerate(["刘洋", "陈静", "杨帆"])]
    current = Membership.objects.get(person=t.member_a1_1, end_date=None)
    services.membership_transfer(user=t.county_user, person_id=t.member_a1_1.pk, to_organization_id=t.branch_a2.pk,
                                 date=D(2022, 1, 1), expected_version=current.version, today=TODAY)
    current = Membership.objects.get(person=t.member_a2_1, end_date=None)
    services.membership_end(user=t.county_user, person_id=t.member_a2_1.pk, end_date=D(2024, 2, 1), reason="death",
                            expected_version=current.version, today=TODAY)
    # events: an exit, then a transfer recorded and revoked (the period it closed reopens)
    services.event_record(user=t.county_user, person_id=extra[0].pk, kind="exit", detail="persuaded_to_leave",
                          date="2025-03-01", today=TODAY)
    moved = services.event_record(user=t.county_user, person_id=extra[1].pk, kind="transfer",
                                  to_organization_id=t.branch_b1.pk, date="2025-05-01", today=TODAY)
    services.event_revoke(user=t.county_user, event_id=moved.pk, reason="登记有误",
                          expected_version=Person.objects.get(pk=extra[1].pk).version)
    services.event_record(user=t.county_user, person_id=extra[2].pk, kind="transfer",
                          to_organization_id=t.branch_a1.pk, date="2024-09-01", today=TODAY)
    # the roster import (bulk_create of people and memberships)
    rows = [member_row("C-A-2", name="赵敏", admission=D(2018, 6, 28), full=D(2019, 6, 28)),
            member_row("C-B-1", name="孙丽", admission=D(2020, 6, 28), full=D(2021, 6, 28)),
            member_row("C-B-2", name="周红", admission=D(2016, 6, 28), full=D(2017, 6, 28))]
    import_roster(xlsx([ROSTER_HEADERS, *rows]), user=t.county_user, filename="花名册.xlsx")
    # bulk_create straight through the ORM: earlier, closed periods of three people; one future opening
    people = list(Person.objects.filter(name__in=["赵敏", "孙丽", "周红"]).order_by("pk"))
    Membership.objects.bulk_create([
        Membership(person=people[0], organization=t.branch_a1, start_date=D(2000, 1, 1), end_date=D(2005, 3, 1)),
        Membership(person=people[1], organization=t.branch_a2, start_date=D(1999, 5, 1), end_date=D(2003, 1, 1)),
        Membership(person=people[2], organization=t.branch_b1, start_date=D(2001, 2, 1), end_date=D(2001, 2, 1)),
        Membership(person=extra[0], organization=t.branch_b1, start_date=D(2026, 9, 1)),  # opens after today
    ])
    # direct ORM updates: move a closed period to another organization, close an open one, reopen it elsewhere
    Membership.objects.filter(person=people[0], end_date=D(2005, 3, 1)).update(organization=t.branch_b2)
    Membership.objects.filter(person=people[1], end_date=None).update(end_date=D(2023, 7, 1), end_reason="correction")
    Membership.objects.filter(person=people[1], end_date=D(2023, 7, 1)).update(end_date=None, end_reason="",
                                                                                organization=t.branch_a1)
    Membership.objects.filter(person=people[2], end_date=None).update(start_date=D(2015, 1, 1))
    # a statement updating many rows and nothing that matters (the occupation), and one that shifts all starts
    Membership.objects.update(front_line=True)
    Membership.objects.filter(organization=t.branch_b2).update(start_date=F("start_date") - dt.timedelta(days=3))
    # direct deletes
    Membership.objects.filter(person=people[2], end_date=D(2001, 2, 1)).delete()
    Membership.objects.filter(person=t.member_b1_1).delete()
    return t


def test_counts_equal_the_live_count_after_a_mix_of_writes(tree):
    rng = random.Random(13)
    assert counts.count_differences() == []
    t = a_mix_of_writes(tree)
    assert counts.count_differences() == []
    assert MembershipEvent.objects.exists() and Membership.objects.filter(end_date__isnull=False).count() >= 6
    paths = ["", *PartyOrganization.objects.order_by("path").values_list("path", flat=True)]
    users = [t.county_user, t.town_user, t.branch_user, t.branch_b_user]
    assert assert_exact(users, interesting_days(rng), rng.sample(paths, 5) + [""]) > 200
    # the whole tree, every path, on today and the dates around the writes
    assert assert_exact([t.county_user], [TODAY, D(2024, 2, 1), D(2025, 3, 1), D(2026, 9, 1)], paths)
    # something is counted at all (the comparison is not 0 == 0)
    assert counts.member_total(user=t.county_user, as_of=TODAY) >= 6
    assert counts.member_total(user=t.county_user, as_of=D(2002, 1, 1)) == 3  # 王强 and two closed periods


def test_an_update_moving_a_membership_moves_the_count(tree):
    membership = Membership.objects.get(person=tree.member_a1_1, end_date=None)
    before = {c.pk: c.open_members for c in MemberCount.objects.all()}
    Membership.objects.filter(pk=membership.pk).update(organization=tree.branch_b1)
    after = {c.pk: c.open_members for c in MemberCount.objects.all()}
    assert after[tree.branch_a1.pk] == before[tree.branch_a1.pk] - 1
    assert after[tree.branch_b1.pk] == before[tree.branch_b1.pk] + 1
    Membership.objects.filter(pk=membership.pk).update(end_date=D(2020, 1, 1))
    assert MemberCount.objects.get(pk=tree.branch_b1.pk).open_members == before[tree.branch_b1.pk]
    assert MemberCount.objects.get(pk=tree.branch_b1.pk).last_change == D(2020, 1, 1) or \
        MemberCount.objects.get(pk=tree.branch_b1.pk).last_change > D(2020, 1, 1)
    assert counts.count_differences() == []


def test_the_scope_of_the_count_table_is_the_rosters(tree):
    """A branch secretary's totals count their branch only, even when another branch's count is huge."""
    MemberCount.objects.filter(pk=tree.branch_a1.pk).update(open_members=F("open_members") + 1000)
    b_user = tree.branch_b_user
    assert counts.member_total(user=b_user, as_of=TODAY) == live_total(b_user, TODAY) == 1
    assert counts.member_total(user=b_user, as_of=TODAY, path=tree.branch_a1.path) == 0
    assert counts.member_counts_by_organization(user=b_user, as_of=TODAY) == [(tree.branch_b1.path, 1)]
    assert counts.member_total(user=tree.town_user, as_of=TODAY, path=tree.town_b.path) == 0
    assert counts.member_total(user=tree.nogrant_user, as_of=TODAY) == 0
    # the county sees the corrupted figure (it is in scope): the table is what is read, not a live count
    assert counts.member_total(user=tree.county_user, as_of=TODAY) == live_total(tree.county_user, TODAY) + 1000
    assert set(MemberCount.objects.restrict(b_user, "view").values_list("pk", flat=True)) == {tree.branch_b1.pk}


def test_a_total_is_one_query(tree, django_assert_num_queries):
    tree.county_user._zugong_scope_cache = None
    counts.member_total(user=tree.county_user, as_of=TODAY)  # loads the grants
    with django_assert_num_queries(1):
        counts.member_total(user=tree.county_user, as_of=D(2012, 1, 1), path=tree.town_a.path)
    with django_assert_num_queries(1):
        counts.member_counts_by_organization(user=tree.county_user, as_of=D(2012, 1, 1))


# ----- check and rebuild ------------------------------------------------------------------------------------

def corrupt(tree):
    """Three kinds of damage: a count too high, a row missing, a last-change date behind."""
    MemberCount.objects.filter(pk=tree.branch_a1.pk).update(open_members=F("open_members") + 3)
    MemberCount.objects.filter(pk=tree.branch_b1.pk).delete()
    MemberCount.objects.filter(pk=tree.branch_a2.pk).update(last_change=D(1970, 1, 1))


def run_check(*args) -> tuple[str, str | None]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("check", "--counts", "--no-progress", *args, stdout=out)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


def test_check_reports_each_organization_out_of_step_and_rebuild_fixes_it(tree):
    output, error = run_check()
    assert error is None and "党员计数一致（全部党组织）" in output
    corrupt(tree)
    output, error = run_check()
    lines = [line for line in output.splitlines() if line.startswith("C-")]
    assert lines == [
        "C-A-1\t甲镇机关党支部\t计数表 5\t实际 2\t差 +3",
        "C-A-2\t甲镇东村党支部\t计数表 1\t实际 1\t差 +0\t最近变动日期 计数表 1970-01-01 早于实际 1980-05-04",
        "C-B-1\t乙镇机关党支部\t计数表 0\t实际 1\t差 -1\t最近变动日期 计数表 无 早于实际 2015-07-01",
    ]
    assert "组织代码\t名称\t计数表\t实际\t差" in output
    assert "3 个组织" in error and "计数表合计差 +2" in error and "rebuild_counts" in error
    # --org limits the check to a subtree
    output, error = run_check("--org", "C-B")
    assert [line.split("\t")[0] for line in output.splitlines() if line.startswith("C-")] == ["C-B-1"]
    assert "乙镇党委 及其下级" in error
    _, error = run_check("--org", "NOPE")
    assert "组织代码「NOPE」不存在" in error

    from io import StringIO

    out = StringIO()
    call_command("rebuild_counts", "--no-progress", stdout=out)
    text = out.getvalue()
    assert "已修正 C-A-1\t甲镇机关党支部\t计数表 5\t实际 2\t差 +3" in text
    assert "修正 3 个" in text
    output, error = run_check()
    assert error is None and "党员计数一致" in output
    assert counts.count_differences() == []
    event = AuditEvent.objects.filter(kind="member_counts_rebuild").latest("pk")
    assert event.data["fixed_count"] == 3
    assert {f["code"] for f in event.data["fixed"]} == {"C-A-1", "C-A-2", "C-B-1"}
    assert counts.member_total(user=tree.county_user, as_of=TODAY) == live_total(tree.county_user, TODAY)


def test_rebuild_of_a_subtree_leaves_the_rest(tree):
    corrupt(tree)
    report = counts.rebuild_counts(organization=tree.town_b)
    assert [d.code for d in report.fixed] == ["C-B-1"]
    assert [d.code for d in counts.count_differences()] == ["C-A-1", "C-A-2"]


def test_rebuild_tightens_a_stale_upper_bound_without_calling_it_an_error(tree):
    membership = Membership.objects.get(person=tree.member_b1_1, end_date=None)
    Membership.objects.filter(pk=membership.pk).update(start_date=D(2030, 1, 1))  # raises last_change
    Membership.objects.filter(pk=membership.pk).update(start_date=D(2015, 7, 1))  # back: the bound stays
    assert MemberCount.objects.get(pk=tree.branch_b1.pk).last_change == D(2030, 1, 1)
    assert counts.count_differences() == []
    report = counts.rebuild_counts()
    assert report.fixed == [] and report.tightened == 1
    assert MemberCount.objects.get(pk=tree.branch_b1.pk).last_change == D(2015, 7, 1)


def test_check_without_counts_is_djangos_check(capsys):
    from io import StringIO

    out = StringIO()
    call_command("check", stdout=out)
    assert "System check identified no issues" in out.getvalue()
    with pytest.raises(CommandError, match="--org 只能与 --counts"):
        call_command("check", "--org", "C")


def test_the_migration_fill_matches_the_memberships(tree):
    """The first fill of the migration (run again on an emptied table) gives the exact figures."""
    a_mix_of_writes(tree)
    expected = sorted(MemberCount.objects.values_list("pk", "open_members"))
    MemberCount.objects.all().delete()
    migration = importlib.import_module("zugong.party.migrations.0010_member_counts")
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL)
    assert sorted(MemberCount.objects.values_list("pk", "open_members")) == expected
    assert counts.count_differences() == []


def test_the_organization_tree_counts_come_from_the_count_table(tree):
    """组织树（含党员数） (``orgs.selectors.member_counts``/``scope_tree``) sums the table's open memberships:
    the same figures as counting the open memberships, and a corrupted row shows (it is what is read)."""
    from zugong.orgs.selectors import member_counts, scope_tree

    a_mix_of_writes(tree)
    orgs = list(PartyOrganization.objects.order_by("path"))
    for user in (tree.county_user, tree.town_user, tree.branch_b_user):
        live = {o.pk: Membership.objects.restrict(user, "view").current()
                .filter(organization__path__startswith=o.path).count() for o in orgs}
        assert member_counts(user=user, organizations=orgs) == live
        for day in (D(2003, 1, 1), D(2024, 6, 1)):
            on_day = {o.pk: live_total(user, day, o.path) for o in orgs}
            assert member_counts(user=user, organizations=orgs, as_of=day) == on_day
    top = scope_tree(user=tree.county_user, with_counts=True)[0]
    assert top["count"] == Membership.objects.current().count() > 0
    MemberCount.objects.filter(pk=tree.branch_a1.pk).update(open_members=F("open_members") + 7)
    assert scope_tree(user=tree.county_user, with_counts=True)[0]["count"] == top["count"] + 7


def test_the_scope_case_makes_a_count_row_inside_its_subtree(tree):
    """``tests/security/scope_cases.py``'s case for ``party.MemberCount``: the row it makes lies in its side,
    the restricted manager shows it to that side's user and hides it from the other branch's."""
    from tests.security.scope_cases import CASES, Side, probe_name

    case = CASES["party.MemberCount"]
    mine = case.make(tree, Side("branch_a1", tree.branch_a1), probe_name("甲"))
    foreign = case.make(tree, Side("branch_b1", tree.branch_b1), probe_name("乙"))
    assert mine.open_members == foreign.open_members == 1
    assert case.records_under(Side("branch_a1", tree.branch_a1)).filter(pk=mine.pk).exists()
    visible = set(MemberCount.objects.restrict(tree.branch_user, "view").values_list("pk", flat=True))
    assert mine.pk in visible and foreign.pk not in visible
    assert case.named(case.marker_of(mine)).get() == mine


def test_demo_generation_and_reset_keep_the_table_exact(db):
    """The demo writes memberships in bulk (PostgreSQL ``COPY``, SQLite ``executemany``) and its reset deletes
    them and the organizations with ``_raw_delete``: the table follows both."""
    from tests.factories import make_user
    from zugong.demo.generator import demo_reset, demo_root, generate

    generate(scale=100_000, seed=2023, workers=0)
    assert MemberCount.objects.filter(open_members__gt=0).count() > 10
    assert counts.count_differences() == []
    user = make_user("counts_demo", "org_department", demo_root())
    towns = list(PartyOrganization.objects.filter(depth=demo_root().depth + 1).values_list("path", flat=True)[:2])
    assert assert_exact([user], [D(2021, 12, 31), D(2023, 6, 30), D(2023, 12, 31)], ["", *towns])
    assert counts.member_total(user=user, as_of=D(2023, 12, 31)) > 0
    demo_reset()
    assert not MemberCount.objects.exists()


def test_past_the_late_limit_the_count_is_live_and_still_exact(tree, monkeypatch, django_assert_num_queries):
    """An old date where more than ``LATE_LIMIT`` memberships start or end later: the table's correction would
    read more than the count itself, so the functions count live (a second query) — the same answers."""
    a_mix_of_writes(tree)
    user, day = tree.county_user, D(2003, 1, 1)
    expected_total, expected_by_org = live_total(user, day), live_by_org(user, day)
    assert counts.member_total(user=user, as_of=day) == expected_total
    monkeypatch.setattr(counts, "LATE_LIMIT", 2)
    with django_assert_num_queries(2):
        assert counts.member_total(user=user, as_of=day) == expected_total
    with django_assert_num_queries(2):
        assert counts.member_counts_by_organization(user=user, as_of=day) == expected_by_org
    MemberCount.objects.update(open_members=F("open_members") + 100)  # the live answer ignores the table
    assert counts.member_total(user=user, as_of=day) == expected_total
    expected_today = live_total(user, TODAY) + 100 * MemberCount.objects.count()
    with django_assert_num_queries(1):  # today: nothing dated later, the table answers (corrupted here: it is read)
        assert counts.member_total(user=user, as_of=TODAY) == expected_today
