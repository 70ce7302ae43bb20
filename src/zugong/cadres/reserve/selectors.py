"""Scoped reads of the reserve pool (后备干部, issue #12 item 7). Every function takes ``user`` and reads
through ``restrict(user, action)`` (label ``cadre``, unit tree): a record outside the scope does not exist.

- ``reserve_list(*, user, action)``: entries in scope (cadre, person and unit joined; ``measure_count``);
- ``entries_on(queryset, day)``: those in the pool on ``day`` (``[entered_date, exited_date)``);
- ``filter_entries(queryset, *, list_kind, unit, target_level, young, as_of)``: the list page's filters;
- ``entry_get`` / ``measure_get``: one record (measures prefetched);
- ``due_for_review(*, user, today)``: open entries whose 下次复核时间 ≤ today + 30 days;
- ``history_of(*, user, cadre)``: a cadre's entries, oldest first (entry and exit history);
- ``young_counts(*, user, as_of, unit=None)``: 优秀年轻干部 per current level — SQL group-by.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from zugong.cadres.choices import POST_LEVEL
from zugong.cadres.models import Appointment, Cadre, ReserveCadre, ReserveMeasure
from zugong.cadres.reserve import rules
from zugong.cadres.selectors import held_on
from zugong.party.rules import age_range_q


def reserve_list(*, user, action: str = "view") -> QuerySet[ReserveCadre]:
    """Entries whose cadre's unit lies in ``user``'s ``cadre.<action>`` scope, with cadre, person and unit
    joined and ``measure_count`` (培养措施 count) annotated."""
    return (ReserveCadre.objects.restrict(user, action)
            .select_related("cadre", "cadre__person", "cadre__unit")
            .annotate(measure_count=Count("measures")))


def on_q(day: dt.date, prefix: str = "") -> Q:
    """In the pool on ``day``: entered on or before it, not exited by then (``exited_date`` exclusive)."""
    return Q(**{f"{prefix}entered_date__lte": day}) & (
        Q(**{f"{prefix}exited_date__isnull": True}) | Q(**{f"{prefix}exited_date__gt": day}))


def entries_on(queryset: QuerySet[ReserveCadre], day: dt.date) -> QuerySet[ReserveCadre]:
    return queryset.filter(on_q(day))


def young_q(as_of: dt.date, level_field: str = "current_level", prefix: str = "person__") -> Q:
    """Young at their level on ``as_of`` (``rules.YOUNG_MAX_AGE``): ``level_field`` names the level
    (an annotation), ``prefix`` the path to the person."""
    condition = Q(pk__in=[])
    for level, max_age in rules.YOUNG_MAX_AGE.items():
        condition |= Q(**{level_field: level}) & age_range_q(None, max_age, as_of, prefix)
    return condition


def current_level_expr(day: dt.date, cadre_ref: str = "pk"):
    """SQL: the cadre's current level on ``day`` — the highest level among the non-concurrent appointments
    held (else any held), as ``cadres.selectors.post_facts`` picks the main post; ``NULL`` when none."""
    held = Appointment.objects.filter(held_on(day), cadre_id=OuterRef(cadre_ref))
    main = held.filter(concurrent=False).order_by("post__level").values("post__level")[:1]
    anyone = held.order_by("post__level").values("post__level")[:1]
    return Coalesce(Subquery(main), Subquery(anyone))


def filter_entries(queryset: QuerySet[ReserveCadre], *, list_kind: str = "", unit=None, target_level: str = "",
                   young: bool | None = None, as_of: dt.date) -> QuerySet[ReserveCadre]:
    """The list page's filters: ``list_kind`` (``RESERVE_LIST`` code), ``unit`` (a scoped ``Unit``: its
    subtree), ``target_level``, ``young`` (``True``: flagged 优秀年轻干部 or young at their current level on
    ``as_of``)."""
    if list_kind:
        queryset = queryset.filter(list_kind=list_kind)
    if unit is not None:
        queryset = queryset.filter(cadre__unit__path__startswith=unit.path)
    if target_level:
        queryset = queryset.filter(target_level=target_level)
    if young:
        queryset = queryset.annotate(current_level=current_level_expr(as_of, "cadre_id")).filter(
            Q(young_outstanding=True) | young_q(as_of, prefix="cadre__person__"))
    return queryset


def entry_get(*, user, pk: int, action: str = "view") -> ReserveCadre | None:
    """The entry ``pk`` in ``user``'s scope (measures prefetched), else ``None``."""
    return (reserve_list(user=user, action=action).prefetch_related("measures").filter(pk=pk).first())


def measure_get(*, user, pk: int, action: str = "view") -> ReserveMeasure | None:
    return (ReserveMeasure.objects.restrict(user, action).select_related("reserve", "reserve__cadre__person")
            .filter(pk=pk).first())


def cadre_get(*, user, pk: int, action: str = "view") -> Cadre | None:
    """The cadre ``pk`` in ``user``'s ``cadre.<action>`` scope (for 入库), else ``None``."""
    return Cadre.objects.restrict(user, action).select_related("person", "unit").filter(pk=pk).first()


def due_for_review(*, user, today: dt.date, days: int = rules.REVIEW_DUE_DAYS) -> QuerySet[ReserveCadre]:
    """Open entries in scope whose 下次复核时间 is on or before ``today + days`` (overdue ones included),
    earliest first."""
    return (reserve_list(user=user).filter(exited_date__isnull=True, review_date__isnull=False,
                                           review_date__lte=today + dt.timedelta(days=days))
            .order_by("review_date", "pk"))


def history_of(*, user, cadre) -> list[ReserveCadre]:
    """The cadre's entries in scope, oldest first: the entry and exit history (an adjustment shows as an
    exit 「调整出库」 and a new entry the same day)."""
    return list(reserve_list(user=user).filter(cadre_id=cadre.pk).prefetch_related("measures")
                .order_by("entered_date", "pk"))


def young_counts(*, user, as_of: dt.date, unit=None) -> list[dict]:
    """优秀年轻干部 counts per current level on ``as_of``, over the serving cadres in ``user``'s scope (and in
    ``unit``'s subtree when given): ``[{"level", "label", "max_age", "cadres", "young", "young_in_reserve",
    "in_reserve"}]`` for each level of ``rules.YOUNG_MAX_AGE`` (highest first). ``young``: 周岁 on ``as_of`` ≤
    the level's limit; ``in_reserve``: in the pool on ``as_of``. One SQL group-by (the level is a
    subquery on the appointments held that day)."""
    cadres = Cadre.objects.restrict(user, "view").filter(status="serving")
    if unit is not None:
        cadres = cadres.filter(unit__path__startswith=unit.path)
    in_pool = ReserveCadre.objects.filter(on_q(as_of), cadre_id=OuterRef("pk"))
    one = Value(1)
    rows = (cadres.annotate(current_level=current_level_expr(as_of), pooled=Exists(in_pool))
            .filter(current_level__in=list(rules.YOUNG_MAX_AGE))
            .annotate(is_young=Case(When(young_q(as_of), then=one), default=Value(0), output_field=IntegerField()))
            .values("current_level")
            .annotate(total=Count("pk"),
                      young=Sum("is_young"),
                      pooled_n=Sum(Case(When(pooled=True, then=one), default=Value(0), output_field=IntegerField())),
                      young_pooled=Sum(Case(When(Q(pooled=True) & young_q(as_of), then=one), default=Value(0),
                                            output_field=IntegerField())))
            .order_by("current_level"))
    found = {r["current_level"]: r for r in rows}
    result = []
    for level, max_age in sorted(rules.YOUNG_MAX_AGE.items()):
        r = found.get(level, {})
        result.append({"level": level, "label": POST_LEVEL.label(level), "max_age": max_age,
                       "cadres": r.get("total", 0) or 0, "young": r.get("young", 0) or 0,
                       "in_reserve": r.get("pooled_n", 0) or 0, "young_in_reserve": r.get("young_pooled", 0) or 0})
    return result
