"""Registrations of the cadres part ``reserve`` (后备干部): navigation 「干部 › 后备干部」, the cadre-page tab,
the API viewsets and the 「后备干部复核到期」 to-do."""


def register(app_label: str) -> None:
    """Called from ``CadresConfig.ready()``."""
    from zugong.cadres.panels import register_panel
    from zugong.core import registry

    registry.register_nav(section="干部", label="后备干部", url_name="cadres:reserve_list", order=284,
                          permission="cadre.view", app=app_label)
    register_panel(name="reserve", label="后备干部", template="cadres/reserve/panel.html",
                   provider="zugong.cadres.reserve.views.panel", order=40, permission="cadre.view")
    registry.register_api_viewset(prefix="reserve-cadres", viewset="zugong.cadres.reserve.api.ReserveCadreViewSet",
                                  basename="reserve-cadre")
    registry.register_api_viewset(prefix="cadres", viewset="zugong.cadres.reserve.api.CadreReserveEnterViewSet",
                                  basename="cadre-reserve")
    registry.register_todo_provider(name="cadres.reserve_reviews_due", provider="zugong.cadres.reserve.todos.reviews_due",
                                    permission="cadre.view")
