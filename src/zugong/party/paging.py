"""Paging and totals of the roster (党员名册) — the page ``/party/members/``, the API ``/api/members/``.

**Pages by keyset** (``core.paging``): every roster sort (default: organization tree order, name,
person; ``sort=name|birth_date|admission_date|organization`` and ``-…``) ends with ``person_id``, unique
among the rows of one ``as_of`` (a person has at most one membership in force on a day), so the order
is total and a page is "the ``per_page`` rows after the last row of the previous page". First /
previous / next / last links carry a signed cursor (``core.paging.encode_cursor``); 末页 is the first
page of the reversed order (as many rows as the last page of numbered paging holds when the total is
exact, so page numbers stay aligned). A forged, altered, expired or other-sort cursor gives the first
page and a Chinese ``notice``; the scope and filters always apply.

**A jump to page N** (``?page=N``): in organization order (the default and ``sort=±organization``) from
``deep_offset`` rows on, through per-organization counts — ``party.counts.member_counts_by_organization``
when only ``org``/``as_of`` filter (the maintained count table), else a ``GROUP BY`` of the filter set's
``count_qs`` — the page lies in the few organizations whose cumulative counts span it
(``organization_window``) and the key query runs inside them only. Other sorts: ``OFFSET`` over the
narrow key query (exact, the best there is without a rank index; measured in ``docs/members.md``).

**Orderings the keyset does not know** (an annotation or expression, e.g. the name search's
``search_rank``): plain ``OFFSET`` paging by page number (search results are small); no cursors.

**Totals** (``roster_count``): the unfiltered roster (only ``org``/``as_of``) from
``party.counts.member_total`` — exact, no ``COUNT`` over memberships; with other filters a capped exact
count (``COUNT`` over ``LIMIT cap + 1`` of ``count_qs``) when at most ``cap`` rows match, else an
estimate (``exact=False``): PostgreSQL's planner estimate of the count query (``EXPLAIN``; no rows read),
elsewhere the unfiltered total × the matching fraction of a sample of its rows; never below ``cap + 1``.
``cap`` defaults to ``EXACT_COUNT_CAP`` on PostgreSQL and to no cap (always exact) on SQLite, where the
exact count is fast at 100,000 members. On PostgreSQL a count the planner costs above ``COSTLY_COUNT`` (a
selective filter over a province: every candidate row must be read to count exactly) runs under a
``COUNT_TIMEOUT_MS`` statement timeout, and is estimated (flagged) when it does not finish in time — so
a page view never waits long for its total.

Queries per page whatever its size or depth: the total (1, or 2 when estimating; on PostgreSQL a costly
count adds its timeout settings) — or, for a deep jump in organization order, the per-organization counts
instead, which give the exact total too —, the page's keys and sort values, the page's rows with their
joins.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db import connection
from django.db.models import Count

from zugong.core.paging import (
    Cursor,
    CursorError,
    SortKey,
    decode_cursor,
    encode_cursor,
    ordering_keys,
    ordering_signature,
    seek_q,
)

EXACT_COUNT_CAP = 5_000
"""PostgreSQL: filtered rosters with more matching rows than this are estimated (``roster_count``)."""
COSTLY_COUNT = 20_000.0
"""PostgreSQL: a count query the planner costs above this (its cost units; ~100,000 people scanned) runs
under ``COUNT_TIMEOUT_MS`` and is estimated when it does not finish in time."""
COUNT_TIMEOUT_MS = 30
SAMPLE_SIZE = 2_000
"""Rows of the unfiltered roster sampled for the estimate where there is no planner estimate."""

# The roster's sort columns the keyset paging can seek on (path → can be NULL in roster rows):
# 入党日期 comes through an outer join to the party record.
KEYSET_FIELDS = {
    "organization__path": False,
    "person__name": False,
    "person__birth_date": False,
    "person__party_member__admission_date": True,
    "person_id": False,
    "person__id": False,
    "pk": False,
    "id": False,
}
ORGANIZATION_ORDER = ("organization__path", "-organization__path")
FILTERS_COUNTED_BY_TABLE = frozenset({"as_of", "org", "sort"})


def _filters_in_use(filterset) -> set[str]:
    """Names of the filter set's parameters that restrict rows (a cleaned value that is not empty)."""
    data = getattr(getattr(filterset, "form", None), "cleaned_data", None) or {}
    return {name for name, value in data.items() if value not in (None, "", [], ())}


def counted_by_table(filterset) -> bool:
    """Whether the filter set's rows are exactly those ``party.counts`` counts: no filter but ``org``
    (resolved in scope) and ``as_of`` (``sort`` does not change the rows)."""
    if filterset is None or not _filters_in_use(filterset) <= FILTERS_COUNTED_BY_TABLE:
        return False
    return not (filterset.form.cleaned_data.get("org") and filterset.selected_org is None)


def planner_plan(queryset) -> tuple[int, float] | None:
    """PostgreSQL's estimate for ``queryset``: ``(rows, total cost)`` of its plan (``EXPLAIN (FORMAT
    JSON)``: planning only, no row read), or ``None`` on another engine; ``(0, 0.0)`` for an empty query."""
    if connection.vendor != "postgresql":
        return None
    from django.core.exceptions import EmptyResultSet

    try:
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return 0, 0.0
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"]), float(plan[0]["Plan"]["Total Cost"])


def planner_estimate(queryset) -> int | None:
    """PostgreSQL's estimate of the number of rows of ``queryset`` (``planner_plan``), else ``None``."""
    plan = planner_plan(queryset)
    return plan[0] if plan is not None else None


def capped_count(queryset, cap: int, *, timeout_ms: int | None = None) -> int | None:
    """``COUNT`` over ``LIMIT cap + 1`` rows of ``queryset`` (so at most ``cap + 1``). With ``timeout_ms``
    (PostgreSQL) the count runs in a savepoint under that ``statement_timeout`` and gives ``None`` when
    cancelled; the previous timeout is restored either way."""
    counted = queryset.order_by()[:cap + 1]
    if timeout_ms is None or connection.vendor != "postgresql":
        return counted.count()
    from django.db import OperationalError, transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout')")
        previous = cursor.fetchone()[0]
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{int(timeout_ms)}ms"])
            result = counted.count()
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
            return result
    except OperationalError as exc:
        if getattr(getattr(exc, "__cause__", None), "sqlstate", None) != "57014":  # query_canceled
            raise
        return None  # rolled back to the savepoint: the timeout setting is undone with it


def _sample_estimate(count_queryset, plain_queryset) -> int:
    """The unfiltered roster's size × the fraction of a sample of its rows (the first ``SAMPLE_SIZE`` by
    primary key) that match the filters: two queries."""
    sample = plain_queryset.order_by("pk").values("pk")[:SAMPLE_SIZE]
    total = plain_queryset.order_by().count()
    if not total:
        return 0
    matched = count_queryset.filter(pk__in=sample).count()
    return round(total * matched / min(SAMPLE_SIZE, total))


def roster_count(*, filterset=None, count_queryset=None, user=None, action: str = "view",
                 cap: int | None = None) -> tuple[int, bool]:
    """``(rows, exact)`` of a roster (module docstring). ``filterset``: the bound, valid
    ``MemberFilterSet`` (its ``count_qs`` is counted unless ``count_queryset`` is given); ``user``/
    ``action``: the scope for ``party.counts``; ``cap``: the exact-count limit (``None``: no limit).
    Raises nothing; an empty or invalid roster gives ``(0, True)``."""
    from zugong.party import counts

    if filterset is not None and user is not None and counted_by_table(filterset):
        path = filterset.selected_org.path if filterset.selected_org is not None else ""
        return counts.member_total(user=user, as_of=filterset.as_of, path=path, action=action), True
    queryset = count_queryset if count_queryset is not None else getattr(filterset, "count_qs", None)
    if queryset is None:
        return 0, True
    if cap is None:
        return queryset.count(), True
    plan = planner_plan(queryset)  # PostgreSQL: (rows, cost) from EXPLAIN, no row read
    costly = plan is not None and plan[1] > COSTLY_COUNT
    capped = capped_count(queryset, cap, timeout_ms=COUNT_TIMEOUT_MS if costly else None)
    if capped is None:  # the exact count ran out of time: the planner's estimate, flagged
        return plan[0], False
    if capped <= cap:
        return capped, True
    estimate = plan[0] if plan is not None else None
    if estimate is None:
        plain = _plain_roster(filterset, user=user, action=action)
        estimate = _sample_estimate(queryset, plain) if plain is not None else capped
    return max(estimate, cap + 1), False


def _plain_roster(filterset, *, user, action: str):
    """The unfiltered roster of the filter set's scope, ``as_of`` and ``org`` (for the sample estimate)."""
    if filterset is None or user is None:
        return None
    from zugong.party.models import Membership

    queryset = Membership.objects.restrict(user, action).on(filterset.as_of)
    if filterset.selected_org is not None:
        queryset = queryset.filter(organization__path__startswith=filterset.selected_org.path)
    return queryset


def rounded_estimate(n: int) -> int:
    """An estimate rounded to two significant digits for display (``1,234,567`` → ``1,200,000``)."""
    if n < 100:
        return n
    step = 10 ** (int(math.log10(n)) - 1)
    return int(round(n / step) * step)


@dataclass
class RosterPage:
    """One roster page. ``object_list``: its rows (model instances, in order); ``number``: its page number
    (``None`` when unknown: reached from 末页 of an estimated total); ``has_next``/``has_previous``;
    ``next_cursor``/``previous_cursor``: tokens of the neighbouring pages (keyset mode; ``None`` in
    ``OFFSET`` mode or at an end); ``notice``: a message for the reader (a bad cursor); ``is_last``:
    reached through 末页."""

    object_list: list
    number: int | None
    paginator: RosterPaginator
    has_next: bool
    has_previous: bool
    next_cursor: str | None = None
    previous_cursor: str | None = None
    notice: str = ""
    is_last: bool = False
    rows_before: int | None = field(default=None)

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int | None:
        return self.number + 1 if self.number is not None and self.has_next else None

    def previous_page_number(self) -> int | None:
        return self.number - 1 if self.number is not None and self.number > 1 else None

    def start_index(self) -> int | None:
        """1-based position of the first row (``None`` when the position is unknown; 0 for no rows)."""
        if not self.object_list:
            return 0
        if self.rows_before is not None:
            return self.rows_before + 1
        return None

    def end_index(self) -> int | None:
        start = self.start_index()
        return None if start is None else start + len(self.object_list) - 1 if self.object_list else 0


MAX_PAGE_NUMBER = 1_000_000
"""The highest page number a request may ask for (50,000,000 rows at 50 a page); a larger one is taken as
this (no OFFSET overflow, no unbounded scan)."""

class RosterPaginator:
    """Keyset paginator of the roster (module docstring). ``object_list``: the ordered roster queryset
    (``MemberFilterSet.qs``); ``filterset``: its bound valid filter set (``None``: invalid input, no rows,
    or any other queryset — then ``count_queryset`` or ``object_list`` is counted with the cap);
    ``user``/``action``: the scope for ``party.counts``. ``count``/``count_exact``/``num_pages`` (the
    last approximate when the count is). ``get_page(page=…, cursor=…)`` → ``RosterPage``."""

    deep_offset = 5_000  # rows: below this a plain OFFSET costs less than the per-organization counts

    def __init__(self, object_list, per_page: int, *, filterset=None, user=None, action: str = "view",
                 count_queryset=None, cap: int | None | str = "default"):
        self.object_list = object_list
        self.per_page = max(int(per_page), 1)
        self.filterset = filterset
        self.user = user
        self.action = action
        self.count_queryset = count_queryset
        self.cap = (EXACT_COUNT_CAP if connection.vendor == "postgresql" else None) if cap == "default" else cap
        self.keys: list[SortKey] | None = ordering_keys(object_list, KEYSET_FIELDS)
        self._org_counts: list[tuple[str, int]] | None = None  # (path, rows) in row order, for deep jumps
        self.signature = ordering_signature(self.keys) if self.keys else ""

    # -- totals ---------------------------------------------------------------------------------------
    @cached_property
    def _count(self) -> tuple[int, bool]:
        if self.filterset is None and self.count_queryset is None:
            queryset = self.object_list
            if queryset.query.is_empty():
                return 0, True
            return roster_count(count_queryset=queryset.order_by(), cap=self.cap)
        return roster_count(filterset=self.filterset, count_queryset=self.count_queryset, user=self.user,
                            action=self.action, cap=self.cap)

    @property
    def count(self) -> int:
        """The number of rows (exact, or an estimate: ``count_exact``)."""
        return self._count[0]

    @property
    def count_exact(self) -> bool:
        return self._count[1]

    @property
    def num_pages(self) -> int:
        """Pages of ``per_page`` rows (at least 1); approximate when ``count_exact`` is false."""
        return max(1, -(-self.count // self.per_page))

    @property
    def keyset(self) -> bool:
        """Whether pages are cut by keyset (the ordering is known), else by ``OFFSET``."""
        return self.keys is not None

    # -- pages ----------------------------------------------------------------------------------------
    def get_page(self, *, page=None, cursor: str | None = None) -> RosterPage:
        """The page a request asks for: ``cursor`` (a token of this ordering) wins, else ``page`` — a
        number (bad or < 1: page 1; past the end of an exact total: the last page) or ``"last"``.
        Never raises for bad input: a bad cursor gives page 1 with ``notice``."""
        notice = ""
        if cursor and self.keyset:
            try:
                decoded = decode_cursor(cursor, signature=self.signature)
            except CursorError as exc:
                notice = exc.message
            else:
                return self._seek_page(decoded)
        elif cursor:
            notice = "当前排序不支持按位置翻页，已回到第一页。"
        if str(page or "").strip().lower() == "last":
            return self._last_page()
        try:
            number = int(str(page).strip()) if page not in (None, "") else 1
        except (TypeError, ValueError):
            number = 1
        # bounded work for any input (security review of issue #13): at most MAX_PAGE_NUMBER, and far past an
        # estimated end (twice the estimate) is the last page too
        number = min(max(number, 1), MAX_PAGE_NUMBER)
        if self._deep_organization_jump(number):
            # the per-organization counts the jump needs also give the exact total (one query, not two)
            self._org_counts = self._organization_counts(descending=self.keys[0].descending)
            self.__dict__["_count"] = (sum(n for _path, n in self._org_counts), True)
        if number > 1 and not self.count_exact and number > 2 * self.num_pages + 1:
            return self._last_page()
        if number > 1 and self.count_exact and number > self.num_pages:
            return self._last_page()
        result = self._numbered_page(number)
        result.notice = notice
        return result

    def _fetch(self, queryset, limit: int, offset: int = 0) -> tuple[list, list[tuple]]:
        """The rows and sort values of ``queryset[offset:offset + limit]`` in its order: the narrow key
        query (primary key and sort values), then the rows by primary key (two queries; one when no key)."""
        paths = [k.path for k in self.keys] if self.keys else []
        found = list(queryset.values_list("pk", *paths)[offset:offset + limit])
        keys = [row[0] for row in found]
        rows = {obj.pk: obj for obj in self.object_list.order_by().filter(pk__in=keys)} if keys else {}
        ordered = [(rows[row[0]], tuple(row[1:])) for row in found if row[0] in rows]
        return [obj for obj, _ in ordered], [values for _, values in ordered]

    def _make(self, rows, values, *, number, has_next, has_previous, rows_before, is_last=False) -> RosterPage:
        page = RosterPage(object_list=rows, number=number, paginator=self, has_next=has_next,
                          has_previous=has_previous, is_last=is_last, rows_before=rows_before)
        if self.keyset and rows:
            if has_next:
                page.next_cursor = encode_cursor(
                    Cursor(values[-1], "after", number + 1 if number is not None else None), signature=self.signature)
            if has_previous:
                previous = number - 1 if number is not None and number > 1 else None
                page.previous_cursor = encode_cursor(Cursor(values[0], "before", previous), signature=self.signature)
        return page

    def _deep_organization_jump(self, number: int) -> bool:
        """Whether page ``number`` is reached through the per-organization counts (organization order, at
        least ``deep_offset`` rows deep)."""
        return (self.keyset and self.keys[0].order_by in ORGANIZATION_ORDER
                and (number - 1) * self.per_page >= self.deep_offset)

    def _numbered_page(self, number: int) -> RosterPage:
        bottom = (number - 1) * self.per_page
        queryset = self.object_list
        offset = bottom
        if self._deep_organization_jump(number):
            if self._org_counts is None:
                self._org_counts = self._organization_counts(descending=self.keys[0].descending)
            paths, offset, _top = organization_window(self._org_counts, bottom, bottom + self.per_page + 1)
            queryset = queryset.filter(organization__path__in=paths)
        rows, values = self._fetch(queryset, self.per_page + 1, offset)
        has_next = len(rows) > self.per_page
        return self._make(rows[:self.per_page], values[:self.per_page], number=number, has_next=has_next,
                          has_previous=number > 1, rows_before=bottom)

    def _organization_counts(self, *, descending: bool) -> list[tuple[str, int]]:
        """``[(path, rows)]`` in the roster's organization order: from ``party.counts`` when it counts these
        rows (``counted_by_table``), else one ``GROUP BY`` of the count queryset."""
        from zugong.party import counts

        if self.user is not None and counted_by_table(self.filterset):
            org = self.filterset.selected_org
            result = counts.member_counts_by_organization(user=self.user, as_of=self.filterset.as_of,
                                                          path=org.path if org is not None else "",
                                                          action=self.action)
        else:
            source = self.count_queryset if self.count_queryset is not None else (
                self.filterset.count_qs if self.filterset is not None else self.object_list.order_by())
            # grouped by the path alone (unique): PostgreSQL hashes the groups instead of sorting rows
            result = list(source.values("organization__path").annotate(n=Count("*"))
                          .order_by("organization__path").values_list("organization__path", "n"))
        return list(reversed(result)) if descending else result

    def _last_page(self) -> RosterPage:
        exact = self.count_exact
        number = self.num_pages if exact else None
        size = self.count - (self.num_pages - 1) * self.per_page if exact else self.per_page
        if exact and self.count == 0:
            return self._make([], [], number=1, has_next=False, has_previous=False, rows_before=0, is_last=True)
        if not self.keyset:
            if number is None:  # OFFSET paging of an estimated total: no reliable last page
                return self._numbered_page(1)
            return self._numbered_page(number)
        reverse = self.object_list.order_by(*[k.reversed().order_by for k in self.keys])
        rows, values = self._fetch(reverse, size + 1)
        has_previous = len(rows) > size
        rows, values = rows[:size][::-1], values[:size][::-1]
        rows_before = self.count - len(rows) if exact else None
        return self._make(rows, values, number=number, has_next=False, has_previous=has_previous,
                          rows_before=rows_before, is_last=True)

    def _seek_page(self, cursor: Cursor) -> RosterPage:
        if len(cursor.values) != len(self.keys):
            return self._bad_cursor()
        per_page = self.per_page
        if cursor.direction == "after":
            queryset = self.object_list.filter(seek_q(self.keys, list(cursor.values)))
            rows, values = self._fetch(queryset, per_page + 1)
            number = cursor.number
            rows_before = (number - 1) * per_page if number is not None else None
            return self._make(rows[:per_page], values[:per_page], number=number, has_next=len(rows) > per_page,
                              has_previous=True, rows_before=rows_before)
        reversed_keys = [k.reversed() for k in self.keys]
        queryset = (self.object_list.order_by(*[k.order_by for k in reversed_keys])
                    .filter(seek_q(reversed_keys, list(cursor.values))))
        rows, values = self._fetch(queryset, per_page + 1)
        has_previous = len(rows) > per_page
        rows, values = rows[:per_page][::-1], values[:per_page][::-1]
        number = cursor.number if has_previous else 1
        rows_before = (number - 1) * per_page if number is not None else None
        return self._make(rows, values, number=number, has_next=True, has_previous=has_previous,
                          rows_before=rows_before)

    def _bad_cursor(self) -> RosterPage:
        page = self._numbered_page(1)
        page.notice = CursorError().message
        return page


def organization_window(counts: Iterable[tuple[str, int]], bottom: int, top: int) -> tuple[list[str], int, int]:
    """The organizations holding rows ``[bottom, top)`` of a listing ordered by organization, given the
    row count of each organization in that order (``[(path, n), …]``, any hashable key instead of the
    path), and the same window as offsets within those organizations' rows: ``(keys, bottom', top')``.
    E.g. counts ``[("a", 30), ("b", 30), ("c", 30)]`` and rows ``[50, 70)`` → ``(["b", "c"], 20, 40)``.
    A window past the last row gives the organizations it reaches (none past the end), as ``OFFSET``
    would. Raises nothing; ``bottom <= top`` is assumed."""
    keys: list[str] = []
    before = 0  # rows in the organizations wholly before the window
    seen = 0  # rows in the organizations looked at so far
    for key, n in counts:
        if seen >= top:
            break
        seen += n
        if seen <= bottom:
            before = seen
        else:
            keys.append(key)
    return keys, bottom - before, top - before
