"""Keyset (seek) paging: the machinery of list pages that never ``OFFSET`` past thousands of rows.

A page is "the ``per_page`` rows after (or before) the row whose sort key values are ``K``" in a
queryset's ``ORDER BY``: a condition ``(k1, k2, …) > K`` in that order, then ``LIMIT per_page + 1`` (the
extra row only says whether there is a next page). The database walks an index (or sorts only what
follows ``K``) and stops; page 100,000 costs what page 2 costs.

- ``ordering_keys(queryset, known)``: the queryset's ``ORDER BY`` as ``SortKey``s when every entry is a
  plain field path (``"person__name"``/``"-person__name"``) named in ``known`` (path → nullable);
  ``None`` for anything else (an expression, an annotation such as a search rank, a random order) —
  the caller then pages by ``OFFSET`` (``SeekPaginator``). The last key must be unique among the rows
  (a tie-breaker), else rows sharing every key value across a page boundary would be skipped.
- ``seek_q(keys, values, nulls_largest=…)``: the ``Q`` of the rows strictly after ``values`` in that
  order, ``NULL`` placed as the engine sorts it (PostgreSQL: ``NULL`` sorts as the largest value, so last
  ascending and first descending; SQLite: as the smallest). A leading ``k1 >= v1`` (``<=`` descending)
  is added so the database can start an index range scan at ``v1``.
- ``Cursor`` / ``encode_cursor`` / ``decode_cursor``: the opaque token the first/previous/next/last links
  carry: the key values of the boundary row, the direction (``after``/``before``), the page number it
  leads to when known, and a ``signature`` of the ordering. Signed with the site's ``SECRET_KEY``
  (``django.core.signing``, salt ``zugong.paging``): a forged or altered token, one of another
  ordering, or one older than ``CURSOR_MAX_AGE`` raises ``CursorError`` (a Chinese message; the page
  shows the first page with it, the API answers 400). A cursor never widens what a user sees: the
  caller's queryset (the scope filter) is always applied; a cursor only says where in it to start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core import signing
from django.db import connection
from django.db.models import Q

SALT = "zugong.paging"
CURSOR_MAX_AGE = 7 * 24 * 3600  # seconds: a bookmarked link older than a week starts again at page 1
BAD_CURSOR = "翻页位置无效或已过期（链接被修改或排序已变），已回到第一页。"


class CursorError(ValueError):
    """A cursor token that is forged, altered, expired, or was made for another ordering; ``message`` is
    the Chinese text to show."""

    def __init__(self, message: str = BAD_CURSOR):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class SortKey:
    """One ``ORDER BY`` entry: field ``path`` (as in ``values_list``), ``descending``, and whether the
    column can be ``NULL`` in these rows (``nullable``: e.g. through an outer join)."""

    path: str
    descending: bool = False
    nullable: bool = False

    @property
    def order_by(self) -> str:
        """The entry as ``order_by`` takes it: ``"path"`` or ``"-path"``."""
        return f"-{self.path}" if self.descending else self.path

    def reversed(self) -> SortKey:
        """The same column in the opposite direction."""
        return SortKey(self.path, not self.descending, self.nullable)


def ordering_keys(queryset, known: dict[str, bool]) -> list[SortKey] | None:
    """The ``ORDER BY`` of ``queryset`` as ``SortKey``s (see the module docstring), or ``None`` when an
    entry is not a string naming a path in ``known`` (``{path: nullable}``) or there is no ordering."""
    ordering = list(getattr(getattr(queryset, "query", None), "order_by", ()) or ())
    keys = []
    for entry in ordering:
        if not isinstance(entry, str):
            return None
        path = entry.removeprefix("-")
        if path not in known:
            return None
        keys.append(SortKey(path, entry.startswith("-"), known[path]))
    return keys or None


def nulls_sort_largest() -> bool:
    """Whether the database sorts ``NULL`` as the largest value (PostgreSQL, Oracle) or the smallest
    (SQLite, MySQL) under a plain ``ORDER BY``."""
    return connection.vendor in ("postgresql", "oracle")


def _after(keys: list[SortKey], values: list, nulls_largest: bool) -> Q | None:
    """Rows strictly after ``values`` in the order of ``keys`` (``None``: no row can be after)."""
    key, value = keys[0], values[0]
    rest = _after(keys[1:], values[1:], nulls_largest) if len(keys) > 1 else None
    null_after_values = nulls_largest != key.descending  # NULL placed after every value in this order
    isnull = Q(**{f"{key.path}__isnull": True})
    if value is None:
        condition = (isnull & rest) if rest is not None else None
        if not null_after_values:  # NULLs come first: every non-NULL value is after
            notnull = Q(**{f"{key.path}__isnull": False})
            condition = notnull if condition is None else condition | notnull
        return condition
    op = "lt" if key.descending else "gt"
    condition = Q(**{f"{key.path}__{op}": value})
    if rest is not None:
        condition |= Q(**{key.path: value}) & rest
    if key.nullable and null_after_values:
        condition |= isnull
    return condition


def seek_q(keys: list[SortKey], values: list, *, nulls_largest: bool | None = None) -> Q:
    """The ``Q`` of the rows strictly after the row with sort key ``values`` in the order ``keys`` (module
    docstring). ``nulls_largest`` defaults to the engine's (``nulls_sort_largest``). Raises
    ``ValueError`` when the lengths differ."""
    if len(keys) != len(values):
        raise ValueError("seek_q: one value per sort key")
    nulls_largest = nulls_sort_largest() if nulls_largest is None else nulls_largest
    condition = _after(keys, values, nulls_largest)
    if condition is None:
        return Q(pk__in=[])  # nothing is after the very last possible key
    first, value = keys[0], values[0]
    if value is not None and not (first.nullable and nulls_largest != first.descending):
        # a plain range on the leading column, so that an index scan can start there
        condition = Q(**{f"{first.path}__{'lte' if first.descending else 'gte'}": value}) & condition
    return condition


def ordering_signature(keys: list[SortKey]) -> str:
    """A short text naming the ordering (``"organization__path,person__name,-person_id"``) that a cursor
    carries, so a cursor of one ordering is not applied to another."""
    return ",".join(k.order_by for k in keys)


@dataclass(frozen=True)
class Cursor:
    """A decoded cursor: ``values`` (the boundary row's sort key values), ``direction`` (``"after"``: the
    page after that row, ``"before"``: the page before it) and ``number`` (the page number it leads to,
    ``None`` when unknown)."""

    values: tuple
    direction: str
    number: int | None = None


def _pack(value):
    if value is None:
        return ["n", None]
    if isinstance(value, dt.datetime):
        return ["t", value.isoformat()]
    if isinstance(value, dt.date):
        return ["d", value.isoformat()]
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, int):
        return ["i", value]
    return ["s", str(value)]


def _unpack(item):
    kind, raw = item
    if kind == "n":
        return None
    if kind == "d":
        return dt.date.fromisoformat(raw)
    if kind == "t":
        return dt.datetime.fromisoformat(raw)
    if kind == "b":
        return bool(raw)
    if kind == "i":
        return int(raw)
    if kind == "s":
        return str(raw)
    raise ValueError(kind)


def encode_cursor(cursor: Cursor, *, signature: str) -> str:
    """The signed, URL-safe token of ``cursor`` for the ordering ``signature``."""
    payload = {"o": signature, "d": cursor.direction, "n": cursor.number, "k": [_pack(v) for v in cursor.values]}
    return signing.dumps(payload, salt=SALT, compress=True)


def decode_cursor(token: str, *, signature: str) -> Cursor:
    """The ``Cursor`` of ``token`` if it is authentic, unexpired and made for ``signature``; else raises
    ``CursorError``."""
    try:
        payload = signing.loads(str(token), salt=SALT, max_age=CURSOR_MAX_AGE)
    except signing.SignatureExpired:
        raise CursorError("翻页链接已过期，已回到第一页。") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise CursorError() from None
    try:
        if payload["o"] != signature:
            raise CursorError("翻页位置与当前排序不符（排序已改变），已回到第一页。")
        direction = payload["d"]
        if direction not in ("after", "before"):
            raise ValueError(direction)
        number = payload.get("n")
        number = int(number) if number is not None and int(number) >= 1 else None
        values = tuple(_unpack(item) for item in payload["k"])
    except CursorError:
        raise
    except (KeyError, TypeError, ValueError):
        raise CursorError() from None
    return Cursor(values=values, direction=direction, number=number)
