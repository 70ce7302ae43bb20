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
and the members are read by the same statement (one consistent view of the database), so a write committed
afterwards leaves the snapshot stale (it is recomputed next time) — never wrong. The log is append-only:
triggers lock no shared row, so writers never wait for each other because of it. Compaction merges each
organization's change rows into one with the same sum (one statement), so versions never go back.

**Reading** (``member_vector``): one query sums the valid snapshots of the scoped subtree and counts the
organizations without a valid one; when that count is 0 (the usual case) that is all. Otherwise one
``INSERT … SELECT … ON CONFLICT DO UPDATE`` recounts the stale organizations (by their ids when at most
``SMALL``, else every organization of the subtree by its path) and the sum is taken again. The first request
for a new day therefore costs about the live query (plus writing one row per organization); every later
one reads only the snapshot rows. At most ``KEEP_DAYS`` days are kept (the oldest computed are dropped).
"""

# ruff: noqa: S608 -- SQL built from table and column names of this module and compiled ORM SQL; values are parameters

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.exceptions import EmptyResultSet
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from zugong.orgs.models import PartyOrganization
from zugong.reports.models import VECTOR_SIZE, StatsChange, StatsSnapshot

KEEP_DAYS = 12
"""Days whose snapshots are kept besides the protected ones (``protected_days``); computing a new day beyond
that drops the oldest computed of the others."""


def snapshot_day(day: dt.date) -> bool:
    """Whether statistics as of ``day`` are kept as snapshots: today and the last day of a month (the dates
    reports are made for: 公报 and 年报 as of 31 December, monthly figures). Any other date is counted live
    (exact, not stored), so requests for arbitrary dates cannot grow the table or evict the days that matter
    (security review of issue #13)."""
    return day == timezone.localdate() or (day + dt.timedelta(days=1)).day == 1


def protected_days(day: dt.date) -> set[dt.date]:
    """Days never evicted by ``_tidy`` after computing ``day``: that day, today and the last 31 December."""
    today = timezone.localdate()
    return {day, today, dt.date(today.year - 1, 12, 31)}

SMALL = 500
"""Up to this many stale organizations are recounted by their ids; more by the subtree's path."""

ENGINE_VERSION = "1"
"""Part of every signature: bump it when the way a vector is computed changes."""

COLUMNS = [f"n{i:02d}" for i in range(VECTOR_SIZE)]
ORGS = PartyOrganization._meta.db_table
SNAPSHOTS = StatsSnapshot._meta.db_table
CHANGES = StatsChange._meta.db_table


def signature(day: dt.date, conditions: dict[str, Q | None]) -> str:
    """Fingerprint of a layout: the day, the engine version and every component's name and condition (the
    conditions carry the rule values in force on the day: cut-off dates, codes)."""
    text = repr((ENGINE_VERSION, day.isoformat(), [(name, repr(q)) for name, q in conditions.items()]))
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def _scoped_where(user, root: PartyOrganization) -> tuple[str, list] | None:
    """The SQL condition (on the table ``orgs_partyorganization`` itself) selecting the organizations of
    ``root``'s subtree in ``user``'s ``party.view`` scope, or ``None`` when there are none."""
    queryset = PartyOrganization.objects.restrict(user, "view").filter(path__startswith=root.path)
    query = queryset.query
    try:
        where, params = query.get_compiler(connection=connection).compile(query.where)
    except EmptyResultSet:
        return None
    if len(query.alias_map) > 1:  # pragma: no cover - restrict() filters on the table itself; be safe anyway
        sql, params = queryset.values("pk").query.sql_with_params()
        return f"{ORGS}.id IN ({sql})", list(params)
    return where, list(params)


def _changes() -> str:
    """Each organization's version: the sum of its change weights."""
    return f"(SELECT organization_id, SUM(weight) AS v FROM {CHANGES} GROUP BY organization_id) c"  # nosec B608 -- table name only


def _sums(where: tuple[str, list], day, sig, width: int) -> tuple[int, list[int]]:
    """``(organizations without a valid snapshot, [sums of the valid snapshots' first width components])``."""
    condition, params = where
    sums = ", ".join(f"SUM(s.{c})" for c in COLUMNS[:width])
    sql = (f"SELECT SUM(CASE WHEN s.id IS NULL OR s.version <> COALESCE(c.v, 0) THEN 1 ELSE 0 END), {sums} "  # nosec B608 -- column names and compiled ORM SQL only; values are parameters
           f"FROM {ORGS} LEFT JOIN {SNAPSHOTS} s ON s.organization_id = {ORGS}.id AND s.day = %s AND s.signature = %s "
           f"LEFT JOIN {_changes()} ON c.organization_id = {ORGS}.id WHERE {condition}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [day, sig, *params])
        stale, *values = cursor.fetchone()
    return int(stale or 0), [int(v or 0) for v in values]


def _stale_ids(where: tuple[str, list], day, sig) -> list[int]:
    """Ids of the organizations (of ``where``) without a valid snapshot on ``day``."""
    condition, params = where
    sql = (f"SELECT {ORGS}.id FROM {ORGS} "  # nosec B608 -- compiled ORM SQL; values are parameters
           f"LEFT JOIN {SNAPSHOTS} s ON s.organization_id = {ORGS}.id AND s.day = %s AND s.signature = %s "
           f"LEFT JOIN {_changes()} ON c.organization_id = {ORGS}.id "
           f"WHERE ({condition}) AND (s.id IS NULL OR s.version <> COALESCE(c.v, 0))")
    with connection.cursor() as cursor:
        cursor.execute(sql, [day, sig, *params])
        return [int(pk) for (pk,) in cursor.fetchall()]


def compact_changes() -> None:
    """Merge each organization's ``StatsChange`` rows into one with the same weight sum (versions unchanged).
    One statement on PostgreSQL (rows written meanwhile are untouched); one transaction on SQLite (writes are
    serialized there)."""
    table = CHANGES
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


def _refresh(where: tuple[str, list], day, sig, conditions: dict[str, Q | None], members, root,
             ids: list[int] | None) -> None:
    """Recompute the snapshots on ``day`` of the organizations ``ids`` (all of ``where`` when ``None``) in one
    ``INSERT … SELECT … ON CONFLICT DO UPDATE``: each organization's version and its members' counts are read
    by the same statement (one consistent snapshot of the database), organizations without members get a
    row of zeros."""
    width = len(conditions)
    names = list(conditions)
    rows = (members.filter(organization_id__in=ids) if ids is not None
            else members.filter(organization__path__startswith=root.path))
    aggregates = {f"v{i}": Count("pk") if conditions[n] is None else Count("pk", filter=conditions[n])
                  for i, n in enumerate(names)}
    counted = rows.order_by().values(oid=F("organization_id")).annotate(**aggregates)
    counted_sql, counted_params = counted.query.sql_with_params()
    if ids is not None:
        condition, params = f"{ORGS}.id IN ({', '.join(['%s'] * len(ids))})", list(ids)
    else:
        condition, params = where
    columns = COLUMNS[:width]
    values = ", ".join(f"COALESCE(a.v{i}, 0)" for i in range(width))
    updates = ", ".join(f"{c} = excluded.{c}" for c in ("signature", "version", *columns))
    sql = (f"INSERT INTO {SNAPSHOTS} (organization_id, day, signature, version, {', '.join(columns)}) "  # nosec B608 -- column names and compiled ORM SQL; values are parameters
           f"SELECT {ORGS}.id, %s, %s, COALESCE(c.v, 0), {values} FROM {ORGS} "
           f"LEFT JOIN ({counted_sql}) a ON a.oid = {ORGS}.id LEFT JOIN {_changes()} ON c.organization_id = {ORGS}.id "
           f"WHERE {condition} "
           f"ON CONFLICT (organization_id, day) DO UPDATE SET {updates}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [day, sig, *counted_params, *params])


def _tidy(day, refreshed: int) -> None:
    """After a refresh: keep at most ``KEEP_DAYS`` days (drop the oldest computed), compact the change log
    when it has grown, and on PostgreSQL give the planner statistics of the snapshot table after a large
    refresh (a fresh table's default estimates make it sort on disk)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT day, MAX(id) FROM {SNAPSHOTS} GROUP BY day ORDER BY 2 DESC")  # nosec B608 -- table name only
        protected = protected_days(day)
        old = [d for d, _ in cursor.fetchall() if d not in protected][KEEP_DAYS:]
    if old:
        StatsSnapshot.objects.filter(day__in=old).delete()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), COUNT(DISTINCT organization_id) FROM {CHANGES}")  # nosec B608 -- table name only
        rows, organizations = cursor.fetchone()
    if rows > 2 * organizations + 1000:
        compact_changes()
    if refreshed > 1000 and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {SNAPSHOTS}")  # nosec B608 -- table name only


def member_vector(*, user, root: PartyOrganization, day: dt.date, conditions: dict[str, Q | None],
                  members) -> dict[str, int] | None:
    """``{component name: count}`` over the memberships ``members`` (the scoped rows counted on ``day``) of
    ``root``'s subtree, each component counting the rows matching its condition (``None``: every row) — from
    the snapshots, refreshed where stale (module docstring). ``None`` when the layout has more components
    than a snapshot holds (``VECTOR_SIZE``) or ``day`` is not kept as snapshots (``snapshot_day``): the caller counts live. Exact: equals counting ``members``
    filtered by the subtree directly."""
    width = len(conditions)
    if width > VECTOR_SIZE or not snapshot_day(day):
        return None
    where = _scoped_where(user, root)
    if where is None:
        return dict.fromkeys(conditions, 0)
    sig = signature(day, conditions)
    for _attempt in range(3):
        stale, sums = _sums(where, day, sig, width)
        if not stale:
            return dict(zip(conditions, sums, strict=True))
        ids = _stale_ids(where, day, sig) if stale <= SMALL else None
        try:
            with transaction.atomic():
                _refresh(where, day, sig, conditions, members, root, ids)
        except DatabaseError:  # e.g. a deadlock with a concurrent refresh: count live this time
            return None
        _tidy(day, stale)
    return None  # pragma: no cover - writes kept racing the refresh: the caller counts live
