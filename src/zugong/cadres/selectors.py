"""Scoped reads shared by the parts of the cadres app (issue #12). Every read of a cadre record goes
through ``Model.objects.restrict(user, "cadre.<action>")`` — the unit-tree scope with label ``cadre``."""

from __future__ import annotations

import datetime as dt

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
