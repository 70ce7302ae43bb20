from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _install_statistics_triggers(sender, using="default", **kwargs) -> None:
    """After every ``migrate``: (re)create the statistics triggers (``reports.snapshot_triggers``) — a
    SQLite table rebuilt by a later migration has lost them."""
    from django.db import connections

    from zugong.reports.snapshot_triggers import install_triggers

    install_triggers(connections[using])


class ReportsConfig(AppConfig):
    name = "zugong.reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from zugong.core import registry

        post_migrate.connect(_install_statistics_triggers, sender=self,
                             dispatch_uid="zugong.reports.install_statistics_triggers")

        # while the demo dataset is installed, the home page's to-dos are computed as of its date
        registry.register_reference_date(name="demo", provider="zugong.demo.reference.demo_reference_date")
        registry.register_nav(section="统计报表", label="党内统计", url_name="reports:party_stats", order=400,
                              permission="party.view", app=self.label)
        registry.register_nav(section="统计报表", label="党内统计年报", url_name="reports:annual", order=405,
                              permission="party.view", app=self.label)
        registry.register_nav(section="统计报表", label="数据质量", url_name="reports:quality", order=410,
                              permission="party.view", app=self.label)
        registry.register_api_path(route="stats/party/", view="zugong.reports.api.views.PartyStatisticsView",
                                   name="party-stats")
        registry.register_api_path(route="stats/annual/", view="zugong.reports.api.annual.AnnualReportView",
                                   name="annual-stats")
        registry.register_api_path(route="stats/annual/records/", view="zugong.reports.api.annual.AnnualRecordsView",
                                   name="annual-records")
        registry.register_nav(section="统计报表", label="组织生活统计", url_name="reports:life", order=415,
                              permission="party.view", app=self.label)
        registry.register_api_path(route="stats/life/", view="zugong.reports.api.life.LifeStatsView", name="life-stats")
        registry.register_home_widget(name="reports.scope_figures", template="reports/_home_figures.html",
                                      provider="zugong.reports.home.scope_figures", order=100,
                                      permission="party.view")
        # --- scoped views: the statistics pages are reports, not model pages, so they stay hand-written and are
        # declared here; ``api:party-stats`` is a plain API path (not a viewset)
        # the statistics of one organization's subtree (``?org=CODE``): a detail of that organization
        org = "orgs.PartyOrganization"
        view = registry.register_view
        view(url_name="reports:party_stats", kind="detail", model=org, action="view", object_param="org")
        view(url_name="reports:party_stats_xlsx", kind="detail", model=org, action="export", object_param="org")
        view(url_name="api:party-stats", kind="detail", model=org, action="view", object_param="org", api=True)
        # 数据质量 of one organization's subtree (``?org=CODE``): a list of the people (and organizations) to fix
        person = "people.Person"
        view(url_name="reports:quality", kind="list", model=person, action="view", label="party", object_model=org,
             object_param="org")
        view(url_name="reports:quality_xlsx", kind="export", model=person, action="export", label="party",
             object_model=org, object_param="org")
        # 党内统计年报 of one organization's subtree (``?org=CODE&year=YYYY``): the tables (a detail of that
        # organization), its xlsx, and the records behind a figure (a list of people; default 第二表 总计 总数)
        view(url_name="reports:annual", kind="detail", model=org, action="view", object_param="org")
        view(url_name="reports:annual_xlsx", kind="detail", model=org, action="export", object_param="org")
        view(url_name="api:annual-stats", kind="detail", model=org, action="view", object_param="org", api=True)
        view(url_name="reports:annual_records", kind="list", model=person, action="view", label="party",
             object_model=org, object_param="org")
        view(url_name="api:annual-records", kind="list", model=person, action="view", label="party",
             object_model=org, object_param="org", api=True)
        # 组织生活统计 of one organization's subtree (``?org=CODE&from=&to=``): a detail of that organization
        view(url_name="reports:life", kind="detail", model=org, action="view", object_param="org")
        view(url_name="api:life-stats", kind="detail", model=org, action="view", object_param="org", api=True)
        # ---------------------------------------------------------------------------------------------------
