from django.apps import AppConfig


class PartyConfig(AppConfig):
    name = "zugong.party"
    verbose_name = "党员管理"

    def ready(self) -> None:
        from zugong.core import registry

        registry.register_nav(section="党员", label="党员名册", url_name="party:member_list", order=200,
                              permission="party.view", app=self.label)
        registry.register_nav(section="数据导入", label="导入党员花名册", url_name="party:import_roster", order=310,
                              permission="party.import", app=self.label)
        registry.register_api_viewset(prefix="members", viewset="zugong.party.api.views.MemberViewSet",
                                      basename="member")
        registry.register_import_kind(code="roster", label="党员花名册", runner="zugong.party.importers.import_roster",
                                      template="zugong.party.exporters.roster_template", permission="party.import",
                                      job_url_name="party:import_roster_job")
        registry.register_todo_provider(name="party.probation_due", provider="zugong.party.todos.probation_due",
                                        permission="party.view")
