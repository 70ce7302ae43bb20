"""Registrations of the cadres part ``record`` (navigation, API)."""


def register(app_label: str) -> None:
    """Called from ``CadresConfig.ready()``: the 干部名册 in the navigation (section 干部) and
    ``/api/cadres/``."""
    from zugong.core import registry

    registry.register_nav(section="干部", label="干部名册", url_name="cadres:cadre_list", order=280,
                          permission="cadre.view", app=app_label)
    registry.register_api_viewset(prefix="cadres", viewset="zugong.cadres.record.api.CadreViewSet", basename="cadre")
