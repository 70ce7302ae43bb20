"""Registrations of the cadres part ``posts`` (navigation, the cadre page's tab and buttons, the API)."""


def register(app_label: str) -> None:
    """Called from ``CadresConfig.ready()``."""
    from zugong.cadres import panels
    from zugong.cadres.posts import rules  # noqa: F401  (registers the 试用期 rule row)
    from zugong.core import registry

    registry.register_nav(section="干部", label="干部配备", url_name="cadres:quota_table", order=282,
                          permission="cadre.view", app=app_label)
    registry.register_nav(section="干部", label="职务岗位", url_name="cadres:post_list", order=283,
                          permission="cadre.view", app=app_label)
    panels.register_panel(name="appointments", label="任免记录", template="cadres/posts/panel.html",
                          provider="zugong.cadres.posts.views.appointments_panel", order=30)
    panels.register_action(name="appoint", label="任职", url_name="cadres:cadre_appoint", order=30,
                           permission="cadre.change")
    panels.register_action(name="rank", label="确定职级", url_name="cadres:rank_set", order=31,
                           permission="cadre.change")
    for prefix, viewset, basename in (
            ("cadres/quota-table", "QuotaTableViewSet", "cadre-quota-table"),
            ("cadres/posts", "PostViewSet", "cadre-post"),
            ("cadres/quotas", "QuotaViewSet", "cadre-quota"),
            ("cadres/appointments", "AppointmentViewSet", "cadre-appointment")):
        registry.register_api_viewset(prefix=prefix, viewset=f"zugong.cadres.posts.api.{viewset}", basename=basename)
