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
        registry.register_import_kind(
            code="orgs", label="党组织", runner="zugong.orgs.importers.import_organizations",
            template="zugong.orgs.importers.organizations_template", permission="party.import",
            model="orgs.PartyOrganization", columns="zugong.orgs.importers.ORG_COLUMNS", url_name="orgs:import",
            done_url_name="orgs:tree", done_label="查看组织树",
            help_lines=(
                "上级组织可以是已有组织，也可以是本文件中的组织，行的顺序不限。",
                "已有的组织代码会更新名称、类别等；上级组织代码改变会把该组织（连同下级）移到新上级下。",
                "只能在您有导入权限的组织下新建或移动组织；组织不能成为自己或下级的下级。",
            ))
        # --- scoped views: the hand-written HTMX pages (tree, picker, children); the generic pages and the
        # API viewsets register themselves
        org = "orgs.PartyOrganization"
        view = registry.register_view
        view(url_name="orgs:tree", kind="list", model=org, action="view")
        view(url_name="orgs:picker", kind="list", model=org, action="view")
        view(url_name="orgs:children", kind="list", model=org, action="view", object_arg="pk")
        # ---------------------------------------------------------------------------------------------------
        from zugong.demo import checks  # noqa: F401  (registers the demo-data deploy check, zugong.E004)
