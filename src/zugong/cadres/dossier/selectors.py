"""Scoped reads of the dossier audit (档案专项审核): findings through
``DossierFinding.objects.restrict(user, action)`` (unit tree, label ``cadre``), units through
``Unit.objects.restrict(user, action, label="cadre")``."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet

from zugong.cadres.choices import DOSSIER_PROBLEM, FINDING_STATUS
from zugong.cadres.models import DossierFinding, FindingDecision
from zugong.core.scoping import user_scope
from zugong.orgs.models import Unit


def finding_list(*, user, action: str = "view") -> QuerySet[DossierFinding]:
    """The findings of the cadres ``user`` holds ``cadre.<action>`` on, with cadre, person and unit joined,
    newest problems first within a unit."""
    return (DossierFinding.objects.restrict(user, action)
            .select_related("cadre", "cadre__person", "cadre__unit")
            .order_by("cadre__unit__path", "cadre_id", "check_code", "id"))


def finding_get(*, user, pk, action: str = "view") -> DossierFinding | None:
    """One finding in scope with its decisions (oldest first, deciders joined); ``None`` outside it."""
    decisions = Prefetch("decisions", queryset=FindingDecision.objects.select_related("decided_by")
                         .order_by("decided_at", "id"))
    return finding_list(user=user, action=action).prefetch_related(decisions).filter(pk=pk).first()


def unit_for_audit(*, user, pk, action: str = "change") -> Unit | None:
    """Unit ``pk`` if ``user`` holds ``cadre.<action>`` on it (the audit runs over its subtree)."""
    return Unit.objects.restrict(user, action, label="cadre").filter(pk=pk).first()


def unit_by_code(*, user, code: str, action: str = "view") -> Unit | None:
    """The unit with ``code`` if ``user`` holds ``cadre.<action>`` on it; ``None`` otherwise."""
    code = (code or "").strip()
    if not code:
        return None
    return Unit.objects.restrict(user, action, label="cadre").filter(code=code).first()


def scope_root_units(*, user, action: str = "change") -> list[Unit]:
    """The units of ``user``'s ``cadre.<action>`` grants (the tops of the scope), by path."""
    ids = [n.org_id for n in user_scope(user, "cadre", action, "unit")]
    return list(Unit.objects.filter(pk__in=ids).order_by("path")) if ids else []


def finding_counts(queryset: QuerySet[DossierFinding]) -> dict:
    """Counts of ``queryset`` (already scoped) in one ``GROUP BY``: ``{"by_problem": [(code, label, n)],
    "by_status": [(code, label, n)], "table": {problem: {status: n}}, "rows": [(problem, label, [n per
    status], total)], "total": n}``; every problem type
    and status is listed, zero included."""
    table = {p: {s: 0 for s in FINDING_STATUS.entries} for p in DOSSIER_PROBLEM.entries}
    for row in queryset.order_by().values("problem_type", "status").annotate(n=Count("id")):
        table.setdefault(row["problem_type"], {})[row["status"]] = row["n"]
    by_problem = [(p, DOSSIER_PROBLEM.label(p), sum(table[p].values())) for p in DOSSIER_PROBLEM.entries]
    by_status = [(s, FINDING_STATUS.label(s), sum(table[p].get(s, 0) for p in table)) for s in FINDING_STATUS.entries]
    rows = [(p, label, [table[p].get(s, 0) for s in FINDING_STATUS.entries], n) for p, label, n in by_problem]
    return {"by_problem": by_problem, "by_status": by_status, "table": table, "rows": rows,
            "total": sum(n for _, _, n in by_problem)}


def open_count(*, user) -> int:
    """The open (待认定) findings ``user`` may decide (``cadre.change``)."""
    return DossierFinding.objects.restrict(user, "change").filter(status="open").count()
