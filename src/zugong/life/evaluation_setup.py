"""What the 民主评议党员 entry registers (called from ``LifeConfig.ready``; kept apart like
``life.compliance_setup``): the API viewset ``/api/member-evaluations/`` (``life.api.evaluations``; its routes
are declared for the generated scope tests by ``register_api_viewset``). The entry page
``life:member_evaluation_entry`` (``life.evaluation_views``) declares itself (``core.generic``).
"""

from __future__ import annotations


def register(app_config) -> None:
    """Register the API viewset (idempotent)."""
    from zugong.core import registry

    registry.register_api_viewset(prefix="member-evaluations",
                                  viewset="zugong.life.api.evaluations.MemberEvaluationViewSet",
                                  basename="member-evaluation")
