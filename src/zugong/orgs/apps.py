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
        registry.register_nav(section="党组织", label="单位", url_name="orgs:unit_list", order=110,
                              permission="basic.view", app=self.label)
        registry.register_nav(section="数据导入", label="导入单位", url_name="orgs:unit_import", order=305,
                              permission="basic.import", app=self.label)
        registry.register_api_viewset(prefix="units", viewset="zugong.orgs.api.views.UnitViewSet", basename="unit")
        # 届次 (issue #10): /api/organizations/{id}/terms/ and /api/organization-terms/
        registry.register_api_viewset(prefix="organizations", viewset="zugong.orgs.api.terms.OrganizationTermsViewSet",
                                      basename="organization-terms")
        registry.register_api_viewset(prefix="organization-terms", viewset="zugong.orgs.api.terms.OrganizationTermViewSet",
                                      basename="organization-term")
        registry.register_audited_model("orgs.PartyOrganization")
        registry.register_audited_model("orgs.Unit")
        registry.register_audited_model("orgs.OrganizationExternalId")
        registry.register_audited_model("orgs.OrganizationTerm")
        registry.register_import_kind(
            code="orgs", label="党组织", runner="zugong.orgs.importers.import_organizations",
            template="zugong.orgs.importers.organizations_template", permission="party.import",
            model="orgs.PartyOrganization", columns="zugong.orgs.importers.ORG_COLUMNS", url_name="orgs:import",
            importer="zugong.orgs.importers.OrganizationImporter",
            done_url_name="orgs:tree", done_label="查看组织树",
            help_lines=(
                "上级组织可以是已有组织，也可以是本文件中的组织，行的顺序不限。",
                "已有的组织代码会更新名称、类别等；上级组织代码改变会把该组织（连同下级）移到新上级下。",
                "只能在您有导入权限的组织下新建或移动组织；组织不能成为自己或下级的下级。",
            ))
        # --- scoped views: the hand-written HTMX pages (tree, picker, children, unit picker); the generic pages and the
        # API viewsets register themselves
        org = "orgs.PartyOrganization"
        view = registry.register_view
        view(url_name="orgs:tree", kind="list", model=org, action="view")
        view(url_name="orgs:picker", kind="list", model=org, action="view")
        view(url_name="orgs:children", kind="list", model=org, action="view", object_arg="pk")
        view(url_name="orgs:unit_picker", kind="list", model="orgs.Unit", action="view")
        # ---------------------------------------------------------------------------------------------------
        registry.register_import_kind(
            code="units", label="单位", runner="zugong.orgs.unit_importers.import_units",
            template="zugong.orgs.unit_importers.units_template", permission="basic.import",
            model="orgs.Unit", columns="zugong.orgs.unit_importers.UNIT_COLUMNS", url_name="orgs:unit_import",
            importer="zugong.orgs.unit_importers.UnitImporter",
            done_url_name="orgs:unit_list", done_label="查看单位",
            help_lines=(
                "上级单位可以是已有单位，也可以是本文件中的单位，行的顺序不限；新建顶级单位只能由系统初始化完成。",
                "已有的单位代码会更新各列；导入不调整上级单位（请在单位页面办理）。",
                "统一社会信用代码按 GB 32100-2015 核对校验位；经济控制类型、企业规模只适用于企业。",
            ))
        from zugong.demo import checks  # noqa: F401  (registers the demo-data deploy check, zugong.E004)
