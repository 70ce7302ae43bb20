"""Scoped reads of branch grading (达标晋级). Every business read is ``Model.objects.restrict(user, action)``
(data label ``party``); the configuration (schemes, criteria, levels) is the same for everyone.

Statistics (``grade_figures``, ``level_counts``) are SQL group-bys over the scoped subtree (path prefix)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from zugong.core.codes import ORG_TYPES_BRANCH
from zugong.grading.models import BranchGrading, GradingScheme, WeakBranch
from zugong.orgs.models import PartyOrganization

# ----- configuration -------------------------------------------------------------------------------


def scheme_list(*, active_only: bool = True) -> list[GradingScheme]:
    """The grading schemes (built-in first) with their criteria and levels prefetched."""
    qs = GradingScheme.objects.prefetch_related("criteria", "levels")
    if active_only:
        qs = qs.filter(is_active=True)
    return list(qs)


def scheme_by_code(code: str) -> GradingScheme | None:
    """The scheme ``code`` (or its name) with criteria and levels prefetched, ``None`` when unknown."""
    text = str(code or "").strip()
    if not text:
        return None
    return GradingScheme.objects.prefetch_related("criteria", "levels").filter(Q(code=text) | Q(name=text)).first()


# ----- organizations ------------------------------------------------------------------------------


def organization_in_scope(*, user, ref, action: str = "view") -> PartyOrganization | None:
    """The organization named by ``ref`` — an instance or integer id (by primary key), or text (its 组织代码,
    else an id) — if in ``user``'s ``party.<action>`` scope, else ``None``."""
    from zugong.orgs.selectors import organization_by_ref, organization_get

    if isinstance(ref, PartyOrganization):
        return organization_get(user=user, pk=ref.pk, action=action)
    if isinstance(ref, int):
        return organization_get(user=user, pk=ref, action=action)
    return organization_by_ref(user=user, ref=ref, action=action)


def branches_in_year(*, user, organization: PartyOrganization | None, year: int, action: str = "view") -> QuerySet:
    """The branches (``ORG_TYPES_BRANCH``) of ``organization``'s subtree (or the whole scope) in ``user``'s
    scope that existed during ``year`` (founded by 31 December, not dissolved before 1 January)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    qs = (PartyOrganization.objects.restrict(user, action).filter(org_type__in=ORG_TYPES_BRANCH)
          .filter(Q(founded_date__isnull=True) | Q(founded_date__lte=end))
          .filter(Q(dissolved_date__isnull=True) | Q(dissolved_date__gte=start)))
    if organization is not None:
        qs = qs.filter(path__startswith=organization.path)
    return qs.order_by("path")


def branches_without_grading(*, user, organization: PartyOrganization | None, year: int, limit: int = 200) -> list:
    """Up to ``limit`` branches of ``branches_in_year`` with no grading of ``year`` (any scheme), in tree order."""
    graded = BranchGrading.objects.filter(year=year).values("organization_id")
    return list(branches_in_year(user=user, organization=organization, year=year, action="add")
                .exclude(pk__in=graded)[:limit])


# ----- gradings -----------------------------------------------------------------------------------


def grading_list(*, user, action: str = "view") -> QuerySet[BranchGrading]:
    """Every grading in ``user``'s ``party.<action>`` scope with organization, scheme and level joined,
    newest year first, then tree order."""
    return (BranchGrading.objects.restrict(user, action).select_related("organization", "scheme", "level")
            .order_by("-year", "organization__path", "scheme_id", "pk"))


def grading_get(*, user, pk: int, action: str = "view") -> BranchGrading | None:
    """The grading ``pk`` in scope (with its scores and their criteria), else ``None``."""
    return grading_list(user=user, action=action).prefetch_related("scores__criterion").filter(pk=pk).first()


def gradings_of(*, user, organization: PartyOrganization) -> list[BranchGrading]:
    """The history of ``organization``'s gradings across years (every scheme), newest first (one query)."""
    return list(grading_list(user=user).filter(organization=organization))


def latest_year(*, user, organization: PartyOrganization | None = None, weak: bool = False) -> int:
    """The latest year with a grading (``weak``: a 软弱涣散 entry) in scope under ``organization``, else
    the current year."""
    qs = (weak_list if weak else grading_list)(user=user)
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    return qs.aggregate(y=Max("year"))["y"] or timezone.localdate().year


def level_counts(queryset: QuerySet[BranchGrading]) -> list[dict]:
    """Gradings of ``queryset`` counted per scheme and level (one group-by): ``[{"scheme", "scheme_name",
    "level", "level_name", "count"}]`` in scheme and level order (``level`` ``None``: 未达任何等次)."""
    rows = (queryset.order_by().values("scheme__code", "scheme__name", "level__code", "level__name", "level__order")
            .annotate(n=Count("pk")).order_by("scheme__code", "level__order"))
    return [{"scheme": r["scheme__code"], "scheme_name": r["scheme__name"], "level": r["level__code"],
             "level_name": r["level__name"] or "未达任何等次", "count": r["n"]} for r in rows]


# ----- 软弱涣散 ---------------------------------------------------------------------------------------

STATUS_Q = {
    "rectifying": Q(rectified_on__isnull=True),
    "rectified": Q(rectified_on__isnull=False, verified_on__isnull=True),
    "verified": Q(verified_on__isnull=False),
}
"""The condition of each ``choices.WEAK_STATUS`` code."""


def weak_list(*, user, action: str = "view") -> QuerySet[WeakBranch]:
    """Every 软弱涣散 entry in ``user``'s ``party.<action>`` scope, newest year first, then tree order."""
    return (WeakBranch.objects.restrict(user, action).select_related("organization")
            .order_by("-year", "organization__path", "pk"))


def weak_get(*, user, pk: int, action: str = "view") -> WeakBranch | None:
    """The 软弱涣散 entry ``pk`` in scope, else ``None``."""
    return weak_list(user=user, action=action).filter(pk=pk).first()


def weak_entries_of(*, user, organization: PartyOrganization) -> list[WeakBranch]:
    """``organization``'s 软弱涣散 entries across years, newest first."""
    return list(weak_list(user=user).filter(organization=organization))


# ----- figures ------------------------------------------------------------------------------------


def grade_figures(*, user, organization: PartyOrganization, year: int) -> dict:
    """The year's grading figures of ``organization``'s subtree within ``user``'s ``party.view`` scope
    (the organization itself must be in that scope: the caller fetched it through a selector). Five SQL
    queries (group-bys and counts over the path prefix), whatever the size of the subtree::

        {"organization": "<组织代码>", "year": 2025,
         "branches": n,            # branches existing during the year (ORG_TYPES_BRANCH)
         "graded": n,              # branches with at least one grading of the year
         "by_level": [{"scheme", "scheme_name", "level", "level_name", "count"}],  # gradings per scheme × level
         "model_branches": n,      # branches designated 示范党支部 that year (any scheme, counted once)
         "weak": {"identified": n, "rectified": n, "verified": n}}  # 软弱涣散 entries of the year; rectified
                                   # counts 已整改 and 已验收 (整改完成), verified only 已验收
    """
    prefix = organization.path
    gradings = grading_list(user=user).filter(year=year, organization__path__startswith=prefix)
    graded = gradings.order_by().aggregate(
        graded=Count("organization", distinct=True),
        models=Count("organization", distinct=True, filter=Q(designated_model=True)))
    weak = weak_list(user=user).filter(year=year, organization__path__startswith=prefix).order_by().aggregate(
        identified=Count("pk"), rectified=Count("pk", filter=Q(rectified_on__isnull=False)),
        verified=Count("pk", filter=Q(verified_on__isnull=False)))
    return {
        "organization": organization.code,
        "year": year,
        "branches": branches_in_year(user=user, organization=organization, year=year).count(),
        "graded": graded["graded"],
        "by_level": level_counts(gradings),
        "model_branches": graded["models"],
        "weak": {"identified": weak["identified"], "rectified": weak["rectified"], "verified": weak["verified"]},
    }
