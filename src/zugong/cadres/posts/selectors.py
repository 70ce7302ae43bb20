"""Scoped reads of posts, quotas, establishment and appointments as of any date (issue #12 items 1–2).

Every function takes the reading ``user`` and reads through ``restrict(user, "view")`` (the unit tree, label
``cadre``), so an interface (page, API, CLI, export) shows only its user's scope.

**干部配备一览表** (``quota_table``): for each unit of the chosen subtree in the user's scope and each level,
as of ``day``:

- 职数 = the ``PostQuota.count`` in force on ``day`` (``start_date <= day < end_date``) for that unit and level;
- 实配 = the number of **distinct cadres** holding on ``day`` at least one appointment that is **not a
  concurrent post** (``concurrent=False``: a 兼任 does not take a quota place) to a post of that unit and
  level that is a **leadership post counting against the quota** (``leadership`` and
  ``counts_against_quota``) and exists on ``day``. A cadre holding two such posts of one unit and level
  counts once; the unit is the post's unit (not the cadre's 人事关系 unit);
- 超配 = max(实配 − 职数, 0); 空缺 = max(职数 − 实配, 0).

Three SQL queries (the units, the quotas grouped by unit and level, the holders counted by unit and level),
whatever the number of units or people.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Prefetch, QuerySet, Sum
from django.http import Http404

from zugong.cadres.choices import LEVEL_ORDER, POST_LEVEL
from zugong.cadres.models import Appointment, Establishment, Post, PostQuota, RankRecord
from zugong.cadres.selectors import held_on
from zugong.orgs.models import Unit

NOT_FOUND_UNIT = "单位不存在或不在您的干部管理范围内"


# ----- units ----------------------------------------------------------------------------------------------------


def units_in_scope(*, user, action: str = "view") -> QuerySet[Unit]:
    """The units on which ``user`` holds ``cadre.<action>`` (tree order)."""
    return Unit.objects.restrict(user, action, "cadre").order_by("path")


def units_with_posts(units: QuerySet[Unit]) -> QuerySet[Unit]:
    """``units`` narrowed to those with a post or a quota row (at any date): the units the 干部配备一览表 page
    lists by default (a village or community without cadre posts is left out)."""
    from django.db.models import Exists, OuterRef

    return units.filter(Exists(Post.objects.filter(unit=OuterRef("pk"))) |
                        Exists(PostQuota.objects.filter(unit=OuterRef("pk"))))


def unit_in_scope(*, user, pk=None, code: str | None = None, action: str = "view") -> Unit | None:
    """The unit ``pk`` (or ``code``) if in ``user``'s ``cadre.<action>`` scope, else ``None``."""
    rows = units_in_scope(user=user, action=action)
    if code is not None:
        return rows.filter(code=str(code).strip()).first() if str(code).strip() else None
    try:
        return rows.filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def subtree_units(*, user, root: Unit | None = None, action: str = "view") -> QuerySet[Unit]:
    """The units of ``root``'s subtree (``None``: the whole scope) in ``user``'s ``cadre.<action>`` scope."""
    rows = units_in_scope(user=user, action=action)
    if root is not None:
        rows = rows.filter(path__startswith=root.path)
    return rows


# ----- the 干部配备一览表 ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuotaCell:
    """One cell of the table: 职数 (``quota``), 实配 (``actual``), 超配 (``over``), 空缺 (``vacant``)."""

    quota: int
    actual: int

    @property
    def over(self) -> int:
        return max(self.actual - self.quota, 0)

    @property
    def vacant(self) -> int:
        return max(self.quota - self.actual, 0)

    def as_dict(self) -> dict:
        return {"职数": self.quota, "实配": self.actual, "超配": self.over, "空缺": self.vacant}


@dataclass
class QuotaTable:
    """The table as of ``day``: ``units`` (tree order: pk, code, name, depth), ``cells`` ``{unit_pk: {level:
    QuotaCell}}`` (only the levels with a quota or a holder), ``levels`` (the levels present, highest first)
    and ``totals`` ``{level: QuotaCell}`` (超配/空缺 of a total are summed per unit, not recomputed)."""

    day: dt.date
    units: list[dict]
    cells: dict[int, dict[str, QuotaCell]]
    levels: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, dict[str, int]]:
        """Per level: 职数, 实配, 超配, 空缺 summed over the units (超配 and 空缺 are per-unit sums)."""
        out = {level: {"职数": 0, "实配": 0, "超配": 0, "空缺": 0} for level in self.levels}
        for row in self.cells.values():
            for level, cell in row.items():
                for key, value in cell.as_dict().items():
                    out[level][key] += value
        return out

    def as_json(self) -> dict:
        """``{"<unit code>": {"<level label>": {"职数": n, "实配": n, "超配": n, "空缺": n}}}`` — every unit
        of the table (``{}`` when it has no quota and no holder), levels by their Chinese label
        (``POST_LEVEL.label``: 正处级, 副科级 …), highest level first."""
        out = {}
        for unit in self.units:
            row = self.cells.get(unit["pk"], {})
            out[unit["code"]] = {POST_LEVEL.label(level): row[level].as_dict() for level in self.levels if level in row}
        return out


def _level_key(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)


def quota_table(*, user, day: dt.date, root: Unit | None = None, units: QuerySet[Unit] | None = None) -> QuotaTable:
    """The 干部配备一览表 of ``root``'s subtree (``None``: the user's whole ``cadre.view`` scope) as of ``day``
    (see the module docstring for the counting rule). ``units``: a narrower scoped unit queryset to use
    instead. Three queries."""
    unit_rows = units if units is not None else subtree_units(user=user, root=root)
    unit_list = list(unit_rows.values("pk", "code", "name", "depth", "path"))
    unit_ids = unit_rows.values("pk")
    cells: dict[int, dict[str, list[int]]] = {}
    quotas = (PostQuota.objects.filter(held_on(day), unit_id__in=unit_ids)
              .values("unit_id", "level").annotate(n=Sum("count")).order_by())
    for row in quotas:
        cells.setdefault(row["unit_id"], {}).setdefault(row["level"], [0, 0])[0] = row["n"] or 0
    actual = (Appointment.objects.filter(held_on(day), held_on(day, "post__"), concurrent=False,
                                         post__leadership=True, post__counts_against_quota=True,
                                         post__unit_id__in=unit_ids)
              .values("post__unit_id", "post__level").annotate(n=Count("cadre_id", distinct=True)).order_by())
    for row in actual:
        cells.setdefault(row["post__unit_id"], {}).setdefault(row["post__level"], [0, 0])[1] = row["n"]
    levels = sorted({level for row in cells.values() for level in row}, key=_level_key)
    return QuotaTable(day=day, units=unit_list, levels=levels,
                      cells={u: {lv: QuotaCell(q, a) for lv, (q, a) in row.items()} for u, row in cells.items()})


# ----- posts, holders, vacancies ------------------------------------------------------------------------------


def post_list(*, user, action: str = "view") -> QuerySet[Post]:
    """The posts of the units in ``user``'s ``cadre.<action>`` scope, with their unit."""
    return Post.objects.restrict(user, action).select_related("unit")


def post_get(*, user, pk, action: str = "view") -> Post | None:
    """The post ``pk`` in ``user``'s scope, else ``None``."""
    try:
        return post_list(user=user, action=action).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def posts_with_holders(*, user, day: dt.date, units: QuerySet[Unit] | None = None, action: str = "view") -> list[Post]:
    """The posts existing on ``day`` (of ``units`` when given) in ``user``'s scope, each with ``holders``
    (its appointments held on ``day``, cadre and person joined, earliest first) and ``vacancies``
    (``max_holders`` − holders, ≥ 0). Two queries."""
    rows = post_list(user=user, action=action).filter(held_on(day))
    if units is not None:
        rows = rows.filter(unit__in=units)
    held = Appointment.objects.filter(held_on(day)).select_related("cadre__person").order_by("start_date", "id")
    posts = list(rows.prefetch_related(Prefetch("appointments", queryset=held, to_attr="holders"))
                 .order_by("unit__path", "position", "id"))
    for post in posts:
        post.vacancies = max(post.max_holders - len(post.holders), 0)
    return posts


def holders_by_post(*, user, posts: list[Post], day: dt.date) -> dict[int, list[Appointment]]:
    """``{post.pk: [appointments held on day]}`` for ``posts`` (already scoped), through the user's scope;
    one query."""
    held: dict[int, list[Appointment]] = {}
    for appt in (Appointment.objects.restrict(user, "view").filter(held_on(day), post__in=[p.pk for p in posts])
                 .select_related("cadre__person").order_by("start_date", "id")):
        held.setdefault(appt.post_id, []).append(appt)
    return held


def vacancies(*, user, day: dt.date, units: QuerySet[Unit] | None = None) -> QuerySet[Post]:
    """The posts existing on ``day`` with fewer holders than ``max_holders`` (空缺职务), annotated with
    ``holder_count``; one query."""
    rows = post_list(user=user).filter(held_on(day))
    if units is not None:
        rows = rows.filter(unit__in=units)
    rows = rows.annotate(holder_count=Count("appointments", filter=held_on(day, "appointments__"), distinct=True))
    return rows.filter(holder_count__lt=F("max_holders")).order_by("unit__path", "position")


def quotas_of(*, user, unit: Unit, day: dt.date) -> list[PostQuota]:
    """The quotas of ``unit`` (every period, latest first per level), ``current`` set on those in force on ``day``."""
    rows = list(PostQuota.objects.restrict(user, "view").filter(unit=unit).order_by("level", "-start_date"))
    for row in rows:
        row.current = row.start_date <= day and (row.end_date is None or row.end_date > day)
    return rows


def establishments_of(*, user, unit: Unit, day: dt.date) -> list[Establishment]:
    """The establishment rows of ``unit`` (every period), ``current`` set on those in force on ``day``."""
    rows = list(Establishment.objects.restrict(user, "view").filter(unit=unit)
                .order_by("establishment_type", "-start_date"))
    for row in rows:
        row.current = row.start_date <= day and (row.end_date is None or row.end_date > day)
    return rows


# ----- appointments and ranks --------------------------------------------------------------------------------


def appointment_list(*, user, action: str = "view") -> QuerySet[Appointment]:
    """The appointments to posts of units in ``user``'s scope (post, unit, cadre and person joined)."""
    return (Appointment.objects.restrict(user, action)
            .select_related("post", "post__unit", "cadre", "cadre__person").order_by("-start_date", "-id"))


def appointment_get(*, user, pk, action: str = "view") -> Appointment | None:
    """The appointment ``pk`` in ``user``'s scope, else ``None``."""
    try:
        return appointment_list(user=user, action=action).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def quota_list(*, user, action: str = "view") -> QuerySet[PostQuota]:
    """The quota rows of units in ``user``'s scope."""
    return PostQuota.objects.restrict(user, action).select_related("unit").order_by("unit__path", "level", "-start_date")


def cadre_history(*, user, cadre) -> dict:
    """The 任免记录 and 职级 history of ``cadre`` (already fetched in scope) that ``user`` may see: appointments
    to posts in the user's scope (latest first) and rank records (latest first)."""
    appointments = list(appointment_list(user=user).filter(cadre=cadre))
    ranks = list(RankRecord.objects.restrict(user, "view").filter(cadre=cadre).order_by("-start_date", "-id"))
    return {"appointments": appointments, "ranks": ranks}


def parse_as_of(value, default: dt.date) -> dt.date:
    """``value`` (text) as a date, ``default`` when blank; ``Http404`` never — a bad date raises
    ``ValidationFailed`` naming 截至日期."""
    from zugong.core.dates import DateParseError, parse_date
    from zugong.core.errors import FieldProblem, fail

    try:
        day, _ = parse_date(value)
    except DateParseError as exc:
        fail([FieldProblem("截至日期", str(exc))])
    return day or default


def root_or_404(*, user, code: str) -> Unit | None:
    """The unit of ``code`` in scope (``None`` for a blank code), ``Http404`` when not in scope."""
    if not (code or "").strip():
        return None
    unit = unit_in_scope(user=user, code=code)
    if unit is None:
        raise Http404(NOT_FOUND_UNIT)
    return unit

