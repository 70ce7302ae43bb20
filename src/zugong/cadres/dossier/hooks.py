"""Registrations of the cadres part ``dossier`` (档案专项审核): navigation, API, the cadre page's tab and
the to-do."""


def register(app_label: str) -> None:
    """Called from ``CadresConfig.ready()``."""
    from zugong.cadres.panels import register_panel
    from zugong.core import registry

    registry.register_nav(section="干部", label="档案专项审核", url_name="cadres:dossier_list", order=285,
                          permission="cadre.view", app=app_label)
    registry.register_api_viewset(prefix="dossier-findings/units",
                                  viewset="zugong.cadres.dossier.api.views.DossierRunViewSet", basename="dossier-run")
    registry.register_api_viewset(prefix="dossier-findings",
                                  viewset="zugong.cadres.dossier.api.views.DossierFindingViewSet",
                                  basename="dossier-finding")
    registry.register_todo_provider(name="cadres.dossier", provider="zugong.cadres.dossier.views.todos",
                                    permission="cadre.change")
    register_panel(name="dossier", label="档案审核", template="cadres/dossier/panel.html",
                   provider="zugong.cadres.dossier.views.panel_context", order=50)
