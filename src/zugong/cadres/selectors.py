"""Scoped reads shared by the parts of the cadres app (issue #12). Every read of a cadre record goes
through ``Model.objects.restrict(user, "cadre.<action>")`` — the unit-tree scope with label ``cadre``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from zugong.cadres.models import Appointment, Cadre, Post


def held_on(day: dt.date, prefix: str = "") -> Q:
    """``Q`` for an effective-dated row (``start_date``/``end_date``, ``end_date`` exclusive) holding on
    ``day``; ``prefix`` names a relation (``"appointments__"``)."""
    return Q(**{f"{prefix}start_date__lte": day}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": day}))


def cadres_in_scope(user, action: str = "view") -> QuerySet[Cadre]:
    """The cadres ``user`` holds ``cadre.<action>`` on (their unit in a granted unit subtree), with the
    person and unit joined."""
    return Cadre.objects.restrict(user, action).select_related("person", "unit")


def get_cadre(user, pk: int, action: str = "view") -> Cadre:
    """The cadre ``pk`` if ``user`` holds ``cadre.<action>`` on it; ``Http404`` otherwise (an object out of
    scope does not exist for the user)."""
    cadre = cadres_in_scope(user, action).filter(pk=pk).first()
    if cadre is None:
        raise Http404("干部不存在或不在您的管理范围内")
    return cadre


def cadre_for_write(user, cadre, action: str, *, label: str | None = None, message: str) -> Cadre:
    """The cadre ``cadre`` (an instance or a pk) with person and unit joined, if ``user`` holds
    ``<label>.<action>`` on its unit (``label`` defaults to the model's ``cadre``; ``user=None``: a system
    caller, unscoped); else ``OutOfScope(message)`` — the services' form of ``get_cadre``."""
    from zugong.core.errors import OutOfScope

    pk = getattr(cadre, "pk", cadre)
    rows = Cadre.objects.all() if user is None else Cadre.objects.restrict(user, action, label)
    found = rows.select_related("person", "unit").filter(pk=pk).first() if pk not in (None, "") else None
    if found is None:
        raise OutOfScope(message)
    return found


def appointments_on(day: dt.date, *, cadres: QuerySet[Cadre] | None = None) -> QuerySet[Appointment]:
    """Appointments held on ``day`` (unscoped: pass ``cadres`` from a scoped queryset, or restrict the
    result), with post and unit joined, highest level first."""
    qs = Appointment.objects.filter(held_on(day)).select_related("post", "post__unit")
    if cadres is not None:
        qs = qs.filter(cadre__in=cadres)
    return qs.order_by("cadre_id", "post__level", "start_date")


def posts_on(day: dt.date, *, units=None) -> QuerySet[Post]:
    """Posts existing on ``day`` (unscoped: pass ``units`` from a scoped unit queryset)."""
    qs = Post.objects.filter(held_on(day))
    if units is not None:
        qs = qs.filter(unit__in=units)
    return qs


@dataclass(frozen=True)
class PostFacts:
    """What a cadre holds on a day (``post_facts``): the main post (``post``: highest level among the
    non-concurrent appointments held; ``None`` when none), ``post_title`` (its unit and name, else the
    recorded 现任职务), ``level`` (GB/T 12407 code, ``""`` when none: the rank's equivalent level is
    ``rank_level``), 任现职时间 (``current_post_since``), 任同级职务时间 (``same_level_since``), the 职级
    held (``rank``, ``rank_since``) and the concurrent posts (``concurrent``)."""

    post: Post | None
    post_title: str
    level: str
    current_post_since: dt.date | None
    same_level_since: dt.date | None
    rank: str
    rank_since: dt.date | None
    rank_level: str
    concurrent: tuple = ()


SAME_LEVEL_GAP_DAYS = 31
"""The longest break (days between one appointment's 免职日期 and the next one's 任职日期) that still keeps
a run of same-level appointments unbroken for 任同级职务时间 (a transfer between posts of one level is
usually dated a few days or weeks apart)."""


def _same_level_run(periods: list[tuple[dt.date, dt.date | None]], anchor: dt.date) -> tuple[dt.date, bool]:
    """The start of the unbroken run (gaps ≤ ``SAME_LEVEL_GAP_DAYS``) of ``periods`` (``[start, end)``, end
    ``None`` = open) that contains the day ``anchor`` (a period's start), and whether that run is the first."""
    gap = dt.timedelta(days=SAME_LEVEL_GAP_DAYS)
    blocks: list[list] = []
    for start, end in sorted(periods, key=lambda p: p[0]):
        if blocks and (blocks[-1][1] is None or start <= blocks[-1][1] + gap):
            last = blocks[-1]
            last[1] = None if last[1] is None or end is None else max(last[1], end)
        else:
            blocks.append([start, end])
    found = [(i, block[0]) for i, block in enumerate(blocks) if block[0] <= anchor]
    if not found:
        return anchor, True
    index, start = found[-1]
    return start, index == 0


def post_title(unit_name: str, post_name: str) -> str:
    """How a post is written on forms and rosters: the unit's name then the post's. A party committee post
    whose name repeats the end of the unit's name is written as usual with the overlap once (青山县 +
    县委书记 → 青山县委书记; 龙场镇 + 镇党委书记 → 龙场镇党委书记; 城关街道 + 街道党工委书记 →
    城关街道党工委书记); other posts keep both (青山县交通运输局 + 局长 → 青山县交通运输局局长, 青山县 + 县长 →
    青山县县长)."""
    for k in range(min(len(unit_name), len(post_name) - 1), 0, -1):
        if unit_name.endswith(post_name[:k]) and post_name[k] in "委党":
            return unit_name + post_name[k:]
    return unit_name + post_name


def post_facts(cadres: list[Cadre], day: dt.date, *, user=None) -> dict[int, PostFacts]:
    """``{cadre.pk: PostFacts}`` on ``day`` for ``cadres`` (already scoped instances), in 2 queries.

    - 任现职时间 = the start of the main appointment held on ``day`` (else the recorded
      ``Cadre.current_post_since``);
    - 任同级职务时间 = the start of the **unbroken run** of the cadre's appointments at the main post's level —
      or at an equivalent level: the 职级 records whose equivalent level (``RANK_LEVEL``, 《公务员职务与职级并行
      规定》) is that level — begun on or before ``day``, that contains the main appointment's start; two periods
      belong to one run when the later begins at most ``SAME_LEVEL_GAP_DAYS`` (31) days after the earlier ends.
      When the run is the cadre's earliest history (no earlier period at that level, no earlier appointment at
      any level), the recorded ``Cadre.same_level_since`` (from the dossier: service before the records) is
      used when earlier; with no appointment held, the recorded value;
    - 职级 and 任现职级时间: the rank record held on ``day``."""
    from zugong.cadres.choices import RANK_LEVEL
    from zugong.cadres.models import RankRecord

    ids = [c.pk for c in cadres]
    appointments: dict[int, list[Appointment]] = {}
    # appointments are scoped by their post's unit: a post held in a unit outside ``user``'s cadre scope is
    # not shown (nor counted for 任现职时间 / 任同级职务时间); ``user=None`` reads every appointment (system
    # callers only: checks run on behalf of nobody)
    appointments_qs = Appointment.objects.restrict(user, "view") if user is not None else Appointment.objects
    for appt in (appointments_qs.filter(cadre_id__in=ids, start_date__lte=day)
                 .select_related("post", "post__unit").order_by("cadre_id", "start_date", "id")):
        appointments.setdefault(appt.cadre_id, []).append(appt)
    rank_history: dict[int, list[RankRecord]] = {}
    for record in RankRecord.objects.filter(cadre_id__in=ids, start_date__lte=day).order_by("cadre_id", "start_date"):
        rank_history.setdefault(record.cadre_id, []).append(record)
    facts = {}
    for cadre in cadres:
        mine = appointments.get(cadre.pk, [])
        held = [a for a in mine if a.end_date is None or a.end_date > day]
        main_list = sorted([a for a in held if not a.concurrent] or held, key=lambda a: (a.post.level, a.start_date))
        main = main_list[0] if main_list else None
        ranks = rank_history.get(cadre.pk, [])
        rank = next((r for r in reversed(ranks) if r.end_date is None or r.end_date > day), None)
        recorded_same = cadre.same_level_since
        if main is not None:
            level = main.post.level
            periods = [(a.start_date, a.end_date) for a in mine if a.post.level == level]
            periods += [(r.start_date, r.end_date) for r in ranks if RANK_LEVEL.get(r.rank) == level]
            run_start, reaches_first = _same_level_run(periods, main.start_date)
            earliest = not any(a.start_date < run_start for a in mine)
            same_since = min(run_start, recorded_same) if reaches_first and earliest and recorded_same else run_start
        else:
            same_since = recorded_same
        facts[cadre.pk] = PostFacts(
            post=main.post if main else None,
            post_title=post_title(main.post.unit.name, main.post.name) if main else cadre.current_post_title,
            level=main.post.level if main else "",
            current_post_since=main.start_date if main else cadre.current_post_since,
            same_level_since=same_since,
            rank=rank.rank if rank else "",
            rank_since=rank.start_date if rank else None,
            rank_level=RANK_LEVEL.get(rank.rank, "") if rank else "",
            concurrent=tuple(a.post for a in held if a is not main),
        )
    return facts
