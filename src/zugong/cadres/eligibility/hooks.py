"""Registrations of the cadres part ``eligibility`` (任职资格): the cadre-page tab and the API route."""


def register(app_label: str) -> None:
    """Called from ``CadresConfig.ready()``."""
    from zugong.cadres.panels import register_panel
    from zugong.core import registry

    register_panel(name="eligibility", label="任职资格", template="cadres/eligibility/panel.html",
                   provider="zugong.cadres.eligibility.views.panel", order=60, permission="cadre.view")
    registry.register_api_viewset(prefix="cadres", viewset="zugong.cadres.eligibility.api.CadreEligibilityViewSet",
                                  basename="cadre-eligibility")
