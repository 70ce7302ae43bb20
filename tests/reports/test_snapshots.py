"""Statistics snapshots (``reports.snapshots``, issue #13): the 公报 and its 信息不完整 counts read from the
per-organization, per-day snapshots equal the live query (the reference, ``live=True``) on generated data —
random subtrees (the root, a middle node, a leaf branch, a node-only grant), random days (past, today, a day
with memberships that start in the future) — before and after writes of every kind that bypass the
services (``update()``, ``bulk_create``, ``delete()``), so only the triggers can have noticed them.

The 年报 (``reports.annual``) has no pre-aggregated path: its tables are always counted live."""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from tests.factories import make_id, make_user
from zugong.core.codes import EDUCATION, ETHNICITY, OCCUPATION
from zugong.orgs.services import organization_create
from zugong.party.models import Membership, PartyMember
from zugong.people.models import Person
from zugong.reports import snapshots
from zugong.reports.models import StatsChange, StatsSnapshot
from zugong.reports.quality import incomplete_counts
from zugong.reports.services import party_statistics, party_statistics_with_incomplete
from zugong.reports.snapshot_triggers import TRIGGER_NAMES, install_triggers, installed_triggers

D = dt.date
SEEDS = (7, 1913, 20231231)
EDUCATIONS = [*list(EDUCATION.entries)[:30], ""]
ETHNICITIES = ["01"] * 6 + list(ETHNICITY.entries)[1:5] + [""]
OCCUPATIONS = [*OCCUPATION.entries, ""]


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _person(rng: random.Random, org, n: int) -> Person:
    birth = D(1992, 2, 29) if rng.random() < 0.05 else _day(rng, D(1930, 1, 1), D(2004, 12, 31))
    sex = rng.choice(["1", "2", "2", ""])
    person = Person(name=f"人员{n}", sex=sex, ethnicity=rng.choice(ETHNICITIES), birth_date=birth,
                    education_level=rng.choice(EDUCATIONS), political_status="01", organization=org)
    person.set_id_number(make_id(birth, sex or "1"))
    return person


def build(seed: int) -> SimpleNamespace:
    """A seeded tree (root → 3 middle committees → 2–3 branches each, one with a sub-branch) and 70 members
    with transfers between branches (some dated in the future), ends (death, leaving) and 转正 dates."""
    rng = random.Random(seed)  # nosec B311 (test data)
    t = SimpleNamespace(rng=rng, today=timezone.localdate())
    t.root = organization_create(code="R", name="某市委", org_type="committee", founded_date=D(1950, 1, 1))
    t.middles, t.branches = [], []
    for i in range(3):
        middle = organization_create(code=f"R-{i}", name=f"第{i}区委", org_type="committee", parent=t.root,
                                     founded_date=D(1950, 1, 1))
        t.middles.append(middle)
        for j in range(rng.choice((2, 3))):
            t.branches.append(organization_create(code=f"R-{i}-{j}", name=f"第{i}区第{j}支部", org_type="branch",
                                                  parent=middle, founded_date=D(1950, 1, 1)))
    t.leaf = organization_create(code="R-0-0-0", name="下级支部", org_type="branch", parent=t.branches[0],
                                 founded_date=D(1960, 1, 1))
    t.branches.append(t.leaf)
    t.future = []
    for n in range(70):
        add_member(t, n)
    t.county_user = make_user(f"snap_root_{seed}", "org_department", t.root)
    t.middle_user = make_user(f"snap_middle_{seed}", "org_department", t.middles[0])
    t.leaf_user = make_user(f"snap_leaf_{seed}", "org_department", t.leaf)
    t.node_user = make_user(f"snap_node_{seed}", "viewer", t.middles[0], include_subtree=False)
    return t


def add_member(t: SimpleNamespace, n: int, *, bulk: bool = False) -> None:
    """One member with a membership history: admitted, maybe transferred (maybe in the future), maybe ended."""
    rng = t.rng
    where = rng.choice([*t.branches, *t.middles])
    person = _person(rng, where, n)
    admitted = _day(rng, max(person.birth_date + dt.timedelta(days=18 * 366), D(1940, 1, 1)), t.today + dt.timedelta(days=200))
    full = admitted + dt.timedelta(days=366) if rng.random() < 0.8 else None
    periods, start = [], admitted
    while True:
        end = None
        roll = rng.random()
        if roll < 0.35:  # a transfer, sometimes in the future
            end = _day(rng, start + dt.timedelta(days=1), max(t.today + dt.timedelta(days=300), start + dt.timedelta(days=2)))
        elif roll < 0.45:  # death or leaving
            end = _day(rng, start + dt.timedelta(days=1), max(t.today + dt.timedelta(days=30), start + dt.timedelta(days=2)))
        periods.append((where, start, end, roll < 0.35))
        if end is None or roll >= 0.35 or len(periods) == 3:
            break
        where, start = rng.choice(t.branches), end
        if start > t.today:
            t.future.append(start)
    if bulk:
        Person.objects.bulk_create([person])
        PartyMember.objects.bulk_create([PartyMember(person=person, admission_date=admitted, full_membership_date=full)])
    else:
        person.save()
        PartyMember.objects.create(person=person, admission_date=admitted, full_membership_date=full)
    rows = [Membership(person=person, organization=org, start_date=s, end_date=e,
                       end_reason=("transfer" if moved else "death") if e else "",
                       occupation=rng.choice(OCCUPATIONS), front_line=rng.random() < 0.3)
            for org, s, e, moved in periods]
    if bulk:
        Membership.objects.bulk_create(rows)
    else:
        for row in rows:
            row.save()


def _cases(t: SimpleNamespace) -> list[tuple]:
    days = [D(2015, 6, 30), D(t.today.year - 1, 12, 31), t.today, t.rng.choice(t.future) if t.future else t.today]
    subtrees = [(t.county_user, t.root), (t.county_user, t.middles[1]), (t.middle_user, t.middles[0]),
                (t.leaf_user, t.leaf), (t.node_user, t.middles[0]), (t.county_user, t.rng.choice(t.branches))]
    return [(user, org, day) for user, org in subtrees for day in days]


def assert_snapshots_equal_live(t: SimpleNamespace) -> None:
    for user, org, day in _cases(t):
        if hasattr(user, "_zugong_scope_cache"):
            del user._zugong_scope_cache
        live = party_statistics(user=user, organization=org, as_of=day, live=True)
        assert party_statistics(user=user, organization=org, as_of=day) == live, (user.username, org.code, day)
        incomplete = incomplete_counts(user=user, organization=org, as_of=day, live=True)
        assert incomplete_counts(user=user, organization=org, as_of=day) == incomplete, (user.username, org.code, day)
        assert party_statistics_with_incomplete(user=user, organization=org, as_of=day) == (live, incomplete)


def change_everything(t: SimpleNamespace) -> None:
    """Writes of every kind the statistics read, none through a service (no signal, no audit): only the
    triggers see them."""
    rng = t.rng
    people = list(Person.objects.filter(memberships__isnull=False).distinct().order_by("pk"))
    some = rng.sample(people, 8)
    Person.objects.filter(pk__in=[p.pk for p in some[:3]]).update(education_level="")  # 学历 cleared
    Person.objects.filter(pk=some[3].pk).update(birth_date=D(1999, 2, 28), sex="2", ethnicity="03")
    PartyMember.objects.filter(person_id__in=[p.pk for p in some[4:6]], full_membership_date__isnull=True).update(
        full_membership_date=t.today)  # 转正 today (only where still 预备)
    # a transfer today: the open membership ends, a new one starts in another branch
    open_row = Membership.objects.filter(end_date__isnull=True, start_date__lt=t.today).order_by("pk").first()
    Membership.objects.filter(pk=open_row.pk).update(end_date=t.today, end_reason="transfer")
    Membership.objects.create(person_id=open_row.person_id, organization=rng.choice(t.branches), start_date=t.today,
                              occupation="worker")
    # a membership moved to another organization, one re-dated, one deleted, one's 工作岗位 changed
    rows = list(Membership.objects.order_by("pk"))
    Membership.objects.filter(pk=rows[1].pk).update(organization=t.leaf)
    Membership.objects.filter(pk=rows[2].pk).update(start_date=rows[2].start_date - dt.timedelta(days=400))
    Membership.objects.filter(pk=rows[3].pk).update(occupation="retired", front_line=not rows[3].front_line)
    victim = rows[4].person_id
    Membership.objects.filter(person_id=victim).delete()
    PartyMember.objects.filter(person_id=victim).delete()
    for n in range(70, 76):  # new members by bulk_create
        add_member(t, n, bulk=True)


@pytest.mark.parametrize("seed", SEEDS)
def test_snapshots_equal_the_live_query_before_and_after_changes(db, seed):
    t = build(seed)
    assert_snapshots_equal_live(t)
    assert StatsSnapshot.objects.exists()
    change_everything(t)
    assert StatsChange.objects.exists()
    assert_snapshots_equal_live(t)


def test_a_changed_member_makes_only_their_organizations_stale(db):
    t = build(SEEDS[0])
    day = t.today
    party_statistics(user=t.county_user, organization=t.root, as_of=day)
    before = dict(StatsSnapshot.objects.filter(day=day).values_list("organization_id", "version"))
    assert set(before) == {o.pk for o in (t.root, *t.middles, *t.branches)}  # one row per organization
    member = Membership.objects.filter(end_date__isnull=True).order_by("pk").first()
    Person.objects.filter(pk=member.person_id).update(education_level="")
    touched = set(Membership.objects.filter(person_id=member.person_id).values_list("organization_id", flat=True))
    stale = set(snapshots._stale_ids(snapshots._scoped_where(t.county_user, t.root), day,
                                     StatsSnapshot.objects.filter(day=day).values_list("signature", flat=True)[0]))
    assert stale == touched
    Person.objects.filter(pk=member.person_id).update(name="改名不影响统计")  # not a statistics column
    assert set(snapshots._stale_ids(snapshots._scoped_where(t.county_user, t.root), day,
                                    StatsSnapshot.objects.filter(day=day).values_list("signature", flat=True)[0])) \
        == touched
    assert party_statistics(user=t.county_user, organization=t.root, as_of=day) == \
        party_statistics(user=t.county_user, organization=t.root, as_of=day, live=True)


def test_compaction_keeps_every_version(db):
    t = build(SEEDS[1])
    party_statistics(user=t.county_user, organization=t.root, as_of=t.today)
    versions = dict(StatsChange.objects.values("organization_id").annotate(v=Sum(
        "weight")).values_list("organization_id", "v"))
    rows = StatsChange.objects.count()
    snapshots.compact_changes()
    after = dict(StatsChange.objects.values("organization_id").annotate(v=Sum(
        "weight")).values_list("organization_id", "v"))
    assert after == versions and StatsChange.objects.count() == len(versions) < rows
    del t.county_user._zugong_scope_cache
    assert not snapshots._stale_ids(snapshots._scoped_where(t.county_user, t.root), t.today,
                                    StatsSnapshot.objects.filter(day=t.today).values_list("signature", flat=True)[0])


def test_only_a_bounded_number_of_days_is_kept(db, monkeypatch):
    t = build(SEEDS[2])
    monkeypatch.setattr(snapshots, "KEEP_DAYS", 2)
    year_end = D(t.today.year - 1, 12, 31)
    for day in (year_end, D(2020, 1, 31), D(2021, 1, 31), D(2022, 1, 31), t.today):
        party_statistics(user=t.county_user, organization=t.root, as_of=day)
    # the two latest month ends besides the protected days (today, the last 31 December)
    assert set(StatsSnapshot.objects.values_list("day", flat=True)) == {D(2021, 1, 31), D(2022, 1, 31), year_end,
                                                                        t.today}
    assert party_statistics(user=t.county_user, organization=t.root, as_of=D(2020, 1, 31)) == \
        party_statistics(user=t.county_user, organization=t.root, as_of=D(2020, 1, 31), live=True)


def test_other_days_are_counted_live_and_stored_nowhere(db):
    """Only today and month ends are kept: a request for any other date is exact (the live count) and
    writes no snapshot, so no one can evict the days that matter by asking for many dates."""
    t = build(SEEDS[2])
    for day in (D(2020, 3, 15), D(2021, 7, 1)):
        assert party_statistics(user=t.county_user, organization=t.root, as_of=day) == \
            party_statistics(user=t.county_user, organization=t.root, as_of=day, live=True)
    assert not StatsSnapshot.objects.exists()


def test_the_triggers_are_installed_and_reinstalled_idempotently(db):
    assert installed_triggers(connection) == set(TRIGGER_NAMES)
    assert install_triggers(connection) is True  # again: no error, nothing doubled
    assert installed_triggers(connection) == set(TRIGGER_NAMES)


def test_many_stale_organizations_are_recounted_by_the_subtree_path(db, monkeypatch):
    t = build(SEEDS[0])
    monkeypatch.setattr(snapshots, "SMALL", 0)  # every refresh by the subtree's path, not by ids
    assert_snapshots_equal_live(t)
    change_everything(t)
    assert_snapshots_equal_live(t)


def test_the_command_computes_and_checks_the_snapshots(db, capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    t = build(SEEDS[1])
    day = t.today.isoformat()
    call_command("stats_snapshots", org="R", as_of=day, user=t.county_user.username)
    assert "统计快照已是最新" in capsys.readouterr().out
    assert StatsSnapshot.objects.filter(day=t.today).count() == len(t.branches) + len(t.middles) + 1
    call_command("stats_snapshots", org="R", as_of=day, user=t.county_user.username, check=True)
    assert "一致" in capsys.readouterr().out
    # a snapshot altered behind the engine's back (same version): the check names the figure that differs
    StatsSnapshot.objects.filter(day=t.today, organization=t.leaf).update(n00=999)
    with pytest.raises(CommandError, match="党员总数"):
        call_command("stats_snapshots", org="R", as_of=day, user=t.county_user.username, check=True)
    with pytest.raises(CommandError, match="不存在或不在您的数据范围内"):
        call_command("stats_snapshots", org="R", as_of=day, user=t.leaf_user.username)
