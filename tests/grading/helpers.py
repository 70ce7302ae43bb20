"""Helpers of the grading tests: score dicts and a "nothing was written" snapshot."""

from __future__ import annotations

from zugong.audit.models import AuditEvent
from zugong.grading.models import BranchGrading, GradingScore, WeakBranch

FIVE_GOOD = ("leadership", "member_management", "rules", "conduct", "role")
FOUR_STRONG = ("political", "team", "members", "role")


def five_good(*values, evidence: str = "台账齐全") -> dict:
    """``{criterion code: (score, evidence)}`` of the 五好 scheme, in its order."""
    return {code: (value, evidence) for code, value in zip(FIVE_GOOD, values, strict=True)}


def snapshot() -> tuple:
    """Every grading, score and 软弱涣散 row (all fields) and the audit event count."""
    return (list(BranchGrading.objects.order_by("pk").values()), list(GradingScore.objects.order_by("pk").values()),
            list(WeakBranch.objects.order_by("pk").values()), AuditEvent.objects.count())
