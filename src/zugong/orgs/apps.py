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
        registry.register_audited_model("orgs.PartyOrganization")
        registry.register_audited_model("orgs.Unit")
        registry.register_import_kind(code="units", label="单位", runner="zugong.orgs.unit_importers.import_units",
                                      template="zugong.orgs.unit_importers.units_template",
                                      permission="basic.import", job_url_name="orgs:unit_import_job")
        self._register_unit_views(registry)
        registry.register_import_kind(code="orgs", label="党组织", runner="zugong.orgs.importers.import_organizations",
                                      template="zugong.orgs.importers.organizations_template",
                                      permission="party.import", job_url_name="orgs:import_job")
        from zugong.demo import checks  # noqa: F401  (registers the demo-data deploy check, zugong.E004)

    @staticmethod
    def _register_unit_views(registry) -> None:
        """The hand-written unit pages and ``/api/units/`` (``core.registry.register_view``)."""
        unit = "orgs.Unit"
        for name, kind, action, methods, arg in (
            ("orgs:unit_list", "list", "view", ("GET",), ""),
            ("orgs:unit_detail", "detail", "view", ("GET",), "pk"),
            ("orgs:unit_create_child", "create", "add", ("GET", "POST"), "pk"),
            ("orgs:unit_edit", "edit", "change", ("GET", "POST"), "pk"),
            ("orgs:unit_move", "action", "change", ("GET", "POST"), "pk"),
            ("orgs:unit_dissolve", "delete", "delete", ("GET", "POST"), "pk"),
            ("orgs:unit_reactivate", "action", "delete", ("GET", "POST"), "pk"),
            ("orgs:unit_import", "import", "import", ("GET", "POST"), ""),
            ("orgs:unit_import_template", "import", "import", ("GET",), ""),
            ("api:unit-list", "list", "view", ("GET", "POST"), ""),
            ("api:unit-detail", "detail", "view", ("GET", "PATCH"), "pk"),
            ("api:unit-move", "action", "change", ("POST",), "pk"),
            ("api:unit-dissolve", "delete", "delete", ("POST",), "pk"),
            ("api:unit-reactivate", "action", "delete", ("POST",), "pk"),
        ):
            registry.register_view(url_name=name, kind=kind, model=unit, action=action, methods=methods,
                                   object_arg=arg, api=name.startswith("api:"))
        registry.register_view(url_name="orgs:unit_set", kind="edit", model="orgs.PartyOrganization",
                               action="change", methods=("GET", "POST"), object_arg="pk")
        registry.register_view(url_name="api:organization-unit", kind="edit", model="orgs.PartyOrganization",
                               action="change", methods=("POST",), object_arg="pk", api=True)
