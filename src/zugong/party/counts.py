"""Member counts of a subtree as of a date (issue #13: counts that do not scan).

The roster's totals and its deep-page windows read these functions, never ``COUNT(*)`` over every
membership in scope. Contract (shared by the roster, the API and the exports):

- ``member_total(user=, as_of=, path=, action=)``: the number of memberships in force on ``as_of``
  (``Membership.objects.on``: ``start_date <= D`` and no end or ``end_date > D``) whose organization lies in
  ``user``'s ``party.<action>`` scope and whose path starts with ``path`` (``""`` = the whole scope).
  Exactly the rows of the unfiltered roster (``party.selectors.roster_base`` + ``MemberFilterSet`` with only
  ``as_of``/``org``).
- ``member_counts_by_organization(...)``: the same, per organization: ``[(organization path, n), …]`` in
  path order, organizations with ``n == 0`` left out; the sum equals ``member_total``.

**How (the count table).** ``party.models.MemberCount`` holds per organization ``open_members`` (its
memberships with no end) and ``last_change`` (no membership of it starts or ends after that day). For an
organization on day D::

    in force on D = open_members − #{memberships starting after D} + #{memberships ending after D}

(a membership starting after D is either open — counted in ``open_members`` but not in force — or ends
after D as well, where the two terms cancel; one ending after D that started by D is in force and not
open). When ``last_change <= D`` both corrections are zero, so only organizations changed after D are
probed, each through an index range of just those rows (``membership_org_period_idx`` for the starts,
the partial ``membership_org_ended_idx`` for the ends). A total is one query: the scoped rows of the count
table (``MemberCount.objects.restrict(user, action)``, the same path condition as the roster's
memberships) summed, plus the memberships of those rows dated after D, read up to ``LATE_LIMIT``.

**Which is chosen.** For today or any recent day (nothing or little dated later) the table answers: at
1,000,000 members one pass over ~46,000 count rows instead of ~1,000,000 memberships. For an old day —
more than ``LATE_LIMIT`` (10,000) memberships in scope start or end after it — reading them costs more per
row than the live count's index-only scan, so the functions count live (a second query; the probe reads at
most ``LATE_LIMIT + 1`` rows). Exact either way; ``docs/counts.md`` gives the measured figures.

**Maintenance: database triggers, not services.** The issue asks for counts "maintained as memberships
change". Every write path that changes memberships — the services (``party.services``, transfers,
lifecycle events and their revocation), the roster import's ``bulk_create``/``bulk_update``, the demo's
``COPY``, a test's ``Membership.objects.create``, a manual ``UPDATE`` in ``psql`` — goes through the
table, so the triggers created by migration ``party.0010_member_counts`` keep the counts exact where
service code could be bypassed: on PostgreSQL statement-level triggers with transition tables (one
grouped upsert per statement: a 100,000-row import costs one ``GROUP BY``), on SQLite row-level
triggers; both handle an UPDATE that moves a membership to another organization, ends or reopens it.
``pg_restore`` loads the table's own rows and creates the triggers after the data (consistent); a
``TRUNCATE`` of the memberships empties the table (trigger), Django's test flush truncates both.

**Out of step** (a manual fix with triggers disabled, a restore of a partial dump): ``count_differences``
(``zugong check --counts``) lists the organizations whose stored figures differ from the memberships;
``rebuild_counts`` (``zugong rebuild_counts``) recomputes them, atomically and audited.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, F, Max, Q
from django.db.models.functions import Coalesce

from zugong.party.models import MemberCount, Membership

Progress = Callable[[str, int, int], None]
CHUNK = 2000  # organizations per query of the check and the rebuild


def _rows_sql(*, user, path: str, action: str) -> tuple[str, list] | None:
    """``(sql, params)`` of ``user``'s count-table rows under ``path`` — columns ``organization_id``,
    ``open_members``, ``last_change`` and ``org_path`` — compiled by the ORM from
    ``MemberCount.objects.restrict(user, action)`` (the roster's scope condition); ``None`` when the scope
    is empty."""
    queryset = MemberCount.objects.restrict(user, action)
    if path:
        queryset = queryset.filter(organization__path__startswith=path)
    if queryset.query.is_empty():
        return None
    queryset = queryset.order_by().values("organization_id", "open_members", "last_change",
                                          org_path=F("organization__path"))
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


LATE_LIMIT = 10_000  # at most this many memberships dated after D are read to correct the table; beyond: live


def _late_sql(rows: str, rows_params: list, as_of: dt.date) -> tuple[str, list]:
    """``(sql, params)`` of ``organization_id, d``: one row per membership of the count rows ``rows`` changed
    after ``as_of`` (``last_change > as_of``) that ends after ``as_of`` (``d = 1``) or starts after it
    (``d = -1``), each term its own index range; at most ``LATE_LIMIT + 1`` rows (module docstring). Table
    names come from ``_meta`` and ``rows`` from the ORM; every value is a parameter."""

    def late(sign: int, column: str) -> str:
        return (f"SELECT s.organization_id, {sign} AS d FROM ({rows}) s INNER JOIN {_MEMBERSHIP} m"  # noqa: S608  # nosec B608 -- see docstring
                f" ON m.organization_id = s.organization_id WHERE s.last_change > %s AND m.{column} > %s")

    sql = (f"SELECT y.organization_id, y.d FROM ({late(1, 'end_date')}"  # noqa: S608  # nosec B608
           f" UNION ALL {late(-1, 'start_date')}) y LIMIT %s")
    return sql, [*rows_params, as_of, as_of, *rows_params, as_of, as_of, LATE_LIMIT + 1]


_MEMBERSHIP = Membership._meta.db_table


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _live(*, user, as_of: dt.date, path: str, action: str):
    """The memberships of ``member_total`` counted live (the fallback when more than ``LATE_LIMIT`` of them
    are dated after ``as_of``: an old date, where the correction would read more than the count)."""
    queryset = Membership.objects.restrict(user, action).on(as_of)
    return queryset.filter(organization__path__startswith=path) if path else queryset


def member_total(*, user, as_of: dt.date, path: str = "", action: str = "view") -> int:
    """Memberships in force on ``as_of`` in ``user``'s ``party.<action>`` scope under ``path`` (module
    docstring): one query on the count table; a second, live ``COUNT`` only when more than ``LATE_LIMIT``
    memberships in scope start or end after ``as_of`` (an old date). Exact either way. Raises nothing; an
    empty scope gives 0."""
    rows = _rows_sql(user=user, path=path, action=action)
    if rows is None:
        return 0
    late, params = _late_sql(*rows, as_of)
    sql = (f"SELECT COUNT(*), COALESCE(SUM(k.d), 0),"  # noqa: S608  # nosec B608 -- as in _late_sql
           f" (SELECT COALESCE(SUM(s.open_members), 0) FROM ({rows[0]}) s) FROM ({late}) k")
    n_late, delta, open_members = _fetch(sql, [*rows[1], *params])[0]
    if n_late > LATE_LIMIT:
        return _live(user=user, as_of=as_of, path=path, action=action).count()
    return int(open_members) + int(delta)


def _merged(*, user, as_of: dt.date | None, path: str, action: str) -> list[tuple[str, int]] | None:
    """``[(organization path, members), …]`` in path order, organizations without members left out, from
    the count table in one query (the scoped rows and, for a day, the memberships dated after it); ``None``
    when more than ``LATE_LIMIT`` are (the caller counts live)."""
    rows = _rows_sql(user=user, path=path, action=action)
    if rows is None:
        return []
    if as_of is None:
        found = _fetch(f"SELECT s.org_path, s.open_members FROM ({rows[0]}) s WHERE s.open_members <> 0"  # noqa: S608  # nosec B608
                       " ORDER BY s.org_path", rows[1])
        return [(p, int(n)) for p, n in found]
    late, params = _late_sql(*rows, as_of)
    found = _fetch(f"SELECT 0, s.organization_id, s.org_path, s.open_members FROM ({rows[0]}) s"  # noqa: S608  # nosec B608
                   f" UNION ALL SELECT 1, k.organization_id, NULL, k.d FROM ({late}) k", [*rows[1], *params])
    late_rows = [r for r in found if r[0]]  # kind 1: a membership starting or ending after as_of
    if len(late_rows) > LATE_LIMIT:
        return None
    figures = {pk: int(n) for kind, pk, _, n in found if kind == 0}
    for _, pk, _, d in late_rows:
        figures[pk] += int(d)
    return sorted((p, figures[pk]) for kind, pk, p, _ in found if kind == 0 and figures[pk] > 0)


def member_counts_by_organization(*, user, as_of: dt.date, path: str = "",
                                  action: str = "view") -> list[tuple[str, int]]:
    """``[(organization path, n), …]`` in path order for the memberships of ``member_total`` (organizations
    without any left out): one query on the count table, live only past ``LATE_LIMIT`` (``member_total``)."""
    found = _merged(user=user, as_of=as_of, path=path, action=action)
    if found is not None:
        return found
    return list(_live(user=user, as_of=as_of, path=path, action=action).order_by()
                .values("organization__path").annotate(n=Count("*")).order_by("organization__path")
                .values_list("organization__path", "n"))


def member_counts_by_prefix(*, user, under: str, width: int, as_of: dt.date | None = None,
                            action: str = "view") -> dict[str, int]:
    """``{path prefix: members}`` of the in-scope organizations under path ``under``, grouped by the first
    ``width`` characters of the organization path (a shorter path is its own group): the memberships in
    force on ``as_of``, or with ``as_of=None`` the open ones (no end date: ``Membership.objects.current()``,
    the count table's ``open_members`` as stored). The same figures as counting the memberships; one query
    over the count table (the 组织树's member counts). Prefixes without members are left out."""
    found = member_counts_by_organization(user=user, as_of=as_of, path=under, action=action) \
        if as_of is not None else _merged(user=user, as_of=None, path=under, action=action)
    out: dict[str, int] = {}
    for org_path, n in found:
        out[org_path[:width]] = out.get(org_path[:width], 0) + n
    return out


# ----- check and rebuild ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountDifference:
    """One organization whose stored figures differ from its memberships: ``stored``/``actual`` open
    memberships (``difference`` = stored − actual), ``stored_change``/``actual_change`` the
    ``last_change`` dates (a stored date below the actual one is out of step: counts for the days between
    would be wrong; a stored date above it is only an upper bound, not a difference)."""

    organization_id: int
    code: str
    name: str
    path: str
    stored: int
    actual: int
    stored_change: dt.date | None
    actual_change: dt.date | None

    @property
    def difference(self) -> int:
        return self.stored - self.actual

    @property
    def change_behind(self) -> bool:
        """True when the stored ``last_change`` is missing or earlier than the memberships' latest date."""
        return self.actual_change is not None and (self.stored_change is None or self.stored_change < self.actual_change)


@dataclass
class RebuildReport:
    """What ``rebuild_counts`` changed: ``fixed`` (the differences found and corrected, as the check
    reports them), ``tightened`` (organizations whose ``last_change`` upper bound was lowered to the exact
    date: not an error), ``checked`` (organizations examined)."""

    fixed: list[CountDifference]
    tightened: int
    checked: int


def _organizations(organization):
    from zugong.orgs.models import PartyOrganization

    queryset = PartyOrganization.objects.all()
    if organization is not None:
        queryset = queryset.filter(path__startswith=organization.path)
    return queryset.order_by("path")


def _as_date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _compare(organization, progress: Progress | None):
    """Yield ``(organization row, stored row or None, actual open, actual last change)`` for every
    organization of the subtree (``None``: all), chunk by chunk."""
    orgs = list(_organizations(organization).values_list("pk", "code", "name", "path"))
    total = len(orgs)
    for start in range(0, total, CHUNK):
        chunk = orgs[start:start + CHUNK]
        ids = [row[0] for row in chunk]
        actual = {row["organization_id"]: row for row in Membership.objects.filter(organization_id__in=ids)
                  .order_by().values("organization_id")
                  .annotate(open=Count("pk", filter=Q(end_date__isnull=True)),
                            change=Max(Coalesce("end_date", "start_date")))}
        stored = {c.pk: c for c in MemberCount.objects.filter(organization_id__in=ids)}
        for row in chunk:
            found = actual.get(row[0])
            yield (row, stored.get(row[0]), int(found["open"]) if found else 0,
                   _as_date(found["change"]) if found else None)
        if progress:
            progress("核对党员计数", min(start + CHUNK, total), total)


def _difference(row, stored, actual: int, change) -> CountDifference | None:
    pk, code, name, path = row
    stored_open = stored.open_members if stored else 0
    stored_change = stored.last_change if stored else None
    found = CountDifference(pk, code, name, path, stored_open, actual, stored_change, change)
    return found if found.difference or found.change_behind else None


def count_differences(*, organization=None, progress: Progress | None = None) -> list[CountDifference]:
    """The organizations (of ``organization``'s subtree, or all) whose count-table figures differ from
    their memberships, in path order (``CountDifference``); ``[]`` when the table is exact. Reads every
    membership of the subtree (grouped per organization, ``CHUNK`` organizations per query; ``progress``
    is called as ``progress(phase, done, total)`` after each chunk). Not scoped: an operator's check of
    the whole installation (``zugong check --counts``). Raises nothing."""
    out = []
    for row, stored, actual, change in _compare(organization, progress):
        found = _difference(row, stored, actual, change)
        if found:
            out.append(found)
    return out


@transaction.atomic
def rebuild_counts(*, user=None, organization=None, progress: Progress | None = None) -> RebuildReport:
    """Recompute the count table of ``organization``'s subtree (``None``: all organizations) from the
    memberships and store the exact figures. Atomic: on PostgreSQL the memberships are locked against
    writes (``SHARE`` mode; reads go on) for the duration, so no write can slip between the recount and
    the store. Audited (``member_counts_rebuild``, with the corrected organizations). Returns a
    ``RebuildReport`` (the differences fixed, as ``count_differences`` reported them). Raises whatever
    the database raises (then nothing is changed)."""
    from zugong.audit.services import record_event

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("LOCK TABLE party_membership IN SHARE MODE")
    fixed: list[CountDifference] = []
    tightened = checked = 0
    create: list[MemberCount] = []
    update: list[MemberCount] = []
    for row, stored, actual, change in _compare(organization, progress):
        checked += 1
        found = _difference(row, stored, actual, change)
        if found:
            fixed.append(found)
        elif stored is None or stored.last_change == change:
            continue
        else:
            tightened += 1
        if stored is None:
            create.append(MemberCount(organization_id=row[0], open_members=actual, last_change=change))
        else:
            stored.open_members, stored.last_change = actual, change
            update.append(stored)
    MemberCount.objects.bulk_create(create, batch_size=1000)
    MemberCount.objects.bulk_update(update, ["open_members", "last_change"], batch_size=1000)
    scope = f"{organization.code} {organization.name}" if organization is not None else "全部党组织"
    record_event("member_counts_rebuild", user=user, object_type="party.MemberCount",
                 object_id=organization.pk if organization is not None else "",
                 summary=f"重建党员计数（{scope}）：核对 {checked} 个组织，修正 {len(fixed)} 个，"
                         f"最近变动日期收紧 {tightened} 个",
                 data={"checked": checked, "tightened": tightened,
                       "fixed": [{"code": d.code, "stored": d.stored, "actual": d.actual,
                                  "stored_change": d.stored_change, "actual_change": d.actual_change}
                                 for d in fixed[:200]],
                       "fixed_count": len(fixed)})
    return RebuildReport(fixed=fixed, tightened=tightened, checked=checked)
