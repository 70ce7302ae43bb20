from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "zugong.orgs"
    verbose_name = "党组织"

    def ready(self) -> None:
        from zugong.core import registry

        registry.register_nav(section="党组织", label="组织树", url_name="orgs:tree", order=100,
                              permission="party.view", app=self.label)
        registry.register_nav(section="数据导入", label="导入党组织", url_name="orgs:import", order=300,
                              permission="party.import", app=self.label)
        registry.register_api_viewset(prefix="organizations", viewset="zugong.orgs.api.views.OrganizationViewSet",
                                      basename="organization")
        registry.register_audited_model("orgs.PartyOrganization")
        registry.register_import_kind(code="orgs", label="党组织", runner="zugong.orgs.importers.import_organizations",
                                      template="zugong.orgs.importers.organizations_template",
                                      permission="party.import", job_url_name="orgs:import_job")
        from zugong.demo import checks  # noqa: F401  (registers the demo-data deploy check, zugong.E004)
