from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "zugong.reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from zugong.core import registry

        registry.register_nav(section="统计报表", label="党内统计", url_name="reports:party_stats", order=400,
                              permission="party.view", app=self.label)
        registry.register_api_path(route="stats/party/", view="zugong.reports.api.views.PartyStatisticsView",
                                   name="party-stats")
        # a plain API path (not a viewset): declared by hand — the 党内统计 of an organization subtree (``?org=``,
        # 404 outside the party.view scope), counted over the memberships in scope
        registry.register_view(url_name="api:party-stats", kind="list", model="party.Membership", action="view",
                               methods=("GET",), api=True)
        registry.register_home_widget(name="reports.scope_figures", template="reports/_home_figures.html",
                                      provider="zugong.reports.home.scope_figures", order=100,
                                      permission="party.view")
