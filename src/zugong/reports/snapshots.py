"""Pre-aggregated member counts (统计快照, issue #13): the 公报's member figures of any subtree and day as a sum
of per-organization, per-day count vectors, exact and equal to the live query (``reports.services``).

**What is pre-aggregated, and why it is exact.** A statistic as of D counts the memberships in force on D of
organizations in the subtree (and in the user's scope), each with conditions on the member's attributes —
several of which depend on D itself (周岁 on D, 正式/预备 on D, 发展党员 of D's year, the rule rows in force on
D). Per-organization *event* sums cannot give ages on an arbitrary day, so the unit pre-aggregated is the
pair (organization, day): ``StatsSnapshot`` holds one organization's **own** members' counts as of D under
the rules in force on D (``signature`` = a fingerprint of every condition, so a new rule row or another
layout makes old snapshots stale). Each membership belongs to exactly one organization, so the sum over the
organizations of a subtree in the user's scope equals the live count over that subtree and scope — for any
subtree, including node-only grants (the organizations summed are ``PartyOrganization.objects.restrict(user,
"view")``, the same nodes ``Membership.objects.restrict`` uses).

**Staying exact when data changes.** Database triggers (``reports.snapshot_triggers``) append a
``StatsChange`` row for every organization whose members a write touches (memberships, the person's 性别 /
民族 / 学历 / 出生日期, the 入党日期 / 转正日期), whatever writes it. An organization's *version* is the sum of
its change weights; a snapshot is used only while its stored ``version`` equals the current one. The version
is read *before* the members are counted, so a write committed in between leaves the snapshot stale (it is
recomputed next time) — never wrong. Compaction merges each organization's change rows into one with the
same sum (one statement), so versions never go back.

**Reading** (``member_vector``): one query sums the valid snapshots of the scoped subtree and counts the
organizations without a valid one; when that count is 0 (the usual case) that is all. Otherwise the stale
organizations' versions are read, their members counted by one grouped query (by organization list when
few, by the subtree's path when many), their snapshots replaced, and the sum taken again. The first request
for a new day therefore costs about the live query (plus writing one row per organization); every later
one reads only the snapshot rows. At most ``KEEP_DAYS`` days are kept (the oldest computed are dropped).
"""

# ruff: noqa: S608 -- SQL built from table and column names of this module and compiled ORM SQL; values are parameters

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import connection, transaction
from django.db.models import Count, Q

from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership
from zugong.reports.models import VECTOR_SIZE, StatsChange, StatsSnapshot

KEEP_DAYS = 12
"""Days whose snapshots are kept; computing a new day beyond that drops the oldest computed."""

SMALL = 500
"""Up to this many stale organizations are recounted by their ids; more by the subtree's path."""

ENGINE_VERSION = "1"
"""Part of every signature: bump it when the way a vector is computed changes."""

COLUMNS = [f"n{i:02d}" for i in range(VECTOR_SIZE)]


def signature(day: dt.date, conditions: dict[str, Q | None]) -> str:
    """Fingerprint of a layout: the day, the engine version and every component's name and condition (the
    conditions carry the rule values in force on the day: cut-off dates, codes)."""
    text = repr((ENGINE_VERSION, day.isoformat(), [(name, repr(q)) for name, q in conditions.items()]))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _scoped_organizations(user, root: PartyOrganization):
    return PartyOrganization.objects.restrict(user, "view").filter(path__startswith=root.path)


def _sum_sql(user, root, day, sig, width: int) -> tuple[str, list]:
    org_sql, org_params = _scoped_organizations(user, root).order_by().values("pk").query.sql_with_params()
    sums = ", ".join(f"SUM(s.{c})" for c in COLUMNS[:width])
    sql = (f"SELECT SUM(CASE WHEN s.id IS NULL OR s.version <> COALESCE(c.v, 0) THEN 1 ELSE 0 END), {sums} "  # nosec B608 -- column names and compiled ORM SQL only; values are parameters
           f"FROM {PartyOrganization._meta.db_table} o "
           f"LEFT JOIN {StatsSnapshot._meta.db_table} s ON s.organization_id = o.id AND s.day = %s AND s.signature = %s "
           f"LEFT JOIN (SELECT organization_id, SUM(weight) AS v FROM {StatsChange._meta.db_table} "
           f"WHERE organization_id IN ({org_sql}) GROUP BY organization_id) c ON c.organization_id = o.id "
           f"WHERE o.id IN ({org_sql})")
    return sql, [day, sig, *org_params, *org_params]


def _stale(user, root, day, sig) -> list[tuple[int, int]]:
    """``[(organization id, current version)]`` of the scoped subtree's organizations without a valid snapshot."""
    org_sql, org_params = _scoped_organizations(user, root).order_by().values("pk").query.sql_with_params()
    sql = (f"SELECT o.id, COALESCE(c.v, 0) FROM {PartyOrganization._meta.db_table} o "  # nosec B608 -- compiled ORM SQL; values are parameters
           f"LEFT JOIN {StatsSnapshot._meta.db_table} s ON s.organization_id = o.id AND s.day = %s AND s.signature = %s "
           f"LEFT JOIN (SELECT organization_id, SUM(weight) AS v FROM {StatsChange._meta.db_table} "
           f"WHERE organization_id IN ({org_sql}) GROUP BY organization_id) c ON c.organization_id = o.id "
           f"WHERE o.id IN ({org_sql}) AND (s.id IS NULL OR s.version <> COALESCE(c.v, 0))")
    with connection.cursor() as cursor:
        cursor.execute(sql, [day, sig, *org_params, *org_params])
        return [(int(pk), int(v)) for pk, v in cursor.fetchall()]


def compact_changes() -> None:
    """Merge each organization's ``StatsChange`` rows into one with the same weight sum (versions unchanged).
    One statement on PostgreSQL (rows written meanwhile are untouched); one transaction on SQLite (writes are
    serialized there)."""
    table = StatsChange._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"WITH gone AS (DELETE FROM {table} RETURNING organization_id, weight) "  # nosec B608 -- table name only
                           f"INSERT INTO {table} (organization_id, weight) "
                           "SELECT organization_id, SUM(weight) FROM gone GROUP BY organization_id")
            return
        with transaction.atomic():
            cursor.execute(f"SELECT MAX(id) FROM {table}")  # nosec B608 -- table name only
            (last,) = cursor.fetchone()
            if last is None:
                return
            cursor.execute(f"INSERT INTO {table} (organization_id, weight) SELECT organization_id, SUM(weight) "  # nosec B608 -- table name only
                           f"FROM {table} WHERE id <= %s GROUP BY organization_id", [last])
            cursor.execute(f"DELETE FROM {table} WHERE id <= %s", [last])  # nosec B608 -- table name only


def _maybe_compact() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), COUNT(DISTINCT organization_id) FROM {StatsChange._meta.db_table}")  # nosec B608 -- table name only
        rows, organizations = cursor.fetchone()
    if rows > 2 * organizations + 1000:
        compact_changes()


def _count(root, conditions, members, stale: list[tuple[int, int]]) -> dict[int, list[int]]:
    """Count vectors of the stale organizations' own members (``members``: the scoped memberships counted on
    ``day``, e.g. ``Membership.objects.restrict(user).on(day).filter(admission ≤ day)``)."""
    ids = [pk for pk, _ in stale]
    if len(ids) <= SMALL:
        rows = members.filter(organization_id__in=ids)
    else:
        rows = members.filter(organization__path__startswith=root.path)
    names = list(conditions)
    aggregates = {f"v{i}": Count("pk") if conditions[n] is None else Count("pk", filter=conditions[n])
                  for i, n in enumerate(names)}
    vectors: dict[int, list[int]] = {}
    for group in rows.order_by().values("organization_id").annotate(**aggregates):
        vectors[group["organization_id"]] = [group[f"v{i}"] for i in range(len(names))]
    return vectors


def _store(day, sig, stale: list[tuple[int, int]], vectors: dict[int, list[int]], width: int) -> None:
    table = StatsSnapshot._meta.db_table
    zero = [0] * width
    with transaction.atomic():
        ids = [pk for pk, _ in stale]
        for i in range(0, len(ids), 1000):
            StatsSnapshot.objects.filter(day=day, organization_id__in=ids[i:i + 1000]).delete()
        StatsSnapshot.objects.bulk_create(
            [StatsSnapshot(organization_id=pk, day=day, signature=sig, version=version,
                           **dict(zip(COLUMNS, vectors.get(pk, zero), strict=False)))
             for pk, version in stale],
            batch_size=2000, ignore_conflicts=True)
    with connection.cursor() as cursor:  # keep at most KEEP_DAYS days: drop the oldest computed
        cursor.execute(f"SELECT day, MAX(id) FROM {table} GROUP BY day ORDER BY 2 DESC")  # nosec B608 -- table name only
        old = [d for d, _ in cursor.fetchall()[KEEP_DAYS:]]
    if old:
        StatsSnapshot.objects.filter(day__in=old).exclude(day=day).delete()


def member_vector(*, user, root: PartyOrganization, day: dt.date, conditions: dict[str, Q | None],
                  members) -> dict[str, int] | None:
    """``{component name: count}`` over the memberships ``members`` (the scoped rows counted on ``day``) of
    ``root``'s subtree, each component counting the rows matching its condition (``None``: every row) — from
    the snapshots, refreshed where stale (module docstring). ``None`` when the layout has more components
    than a snapshot holds (``VECTOR_SIZE``): the caller counts live. Exact: equals counting ``members``
    filtered by the subtree directly."""
    width = len(conditions)
    if width > VECTOR_SIZE:
        return None
    sig = signature(day, conditions)
    sql, params = _sum_sql(user, root, day, sig, width)
    for _attempt in range(3):
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            stale_count, *sums = cursor.fetchone()
        if not stale_count:
            return {name: int(n or 0) for name, n in zip(conditions, sums, strict=True)}
        _maybe_compact()
        stale = _stale(user, root, day, sig)  # versions first, then the members (module docstring)
        _store(day, sig, stale, _count(root, conditions, members, stale), width)
    return None  # pragma: no cover - writes kept racing the refresh: the caller counts live


def members_counted_on(user, day: dt.date, member_prefix: str = "person__party_member__"):
    """The scoped memberships the 公报 counts on ``day`` (in force, admitted by then), any organization."""
    return Membership.objects.restrict(user, "view").on(day).filter(**{f"{member_prefix}admission_date__lte": day})
