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
        # --- scoped views (hand-written views; the generic views register themselves) -------------------
        org = "orgs.PartyOrganization"
        view = registry.register_view
        view(url_name="orgs:tree", kind="list", model=org, action="view")
        view(url_name="orgs:picker", kind="list", model=org, action="view")
        view(url_name="orgs:children", kind="list", model=org, action="view", object_arg="pk")
        view(url_name="orgs:detail", kind="detail", model=org, action="view", object_arg="pk")
        view(url_name="orgs:create_child", kind="create", model=org, action="add", methods=("GET", "POST"),
             object_arg="pk")
        view(url_name="orgs:edit", kind="edit", model=org, action="change", methods=("GET", "POST"), object_arg="pk")
        view(url_name="orgs:move", kind="action", model=org, action="change", methods=("GET", "POST"),
             object_arg="pk")
        view(url_name="orgs:dissolve", kind="delete", model=org, action="delete", methods=("GET", "POST"),
             object_arg="pk")
        view(url_name="orgs:reactivate", kind="action", model=org, action="delete", methods=("GET", "POST"),
             object_arg="pk")
        view(url_name="orgs:import", kind="import", model=org, action="import", methods=("GET", "POST"))
        view(url_name="api:organization-list", kind="list", model=org, action="view", methods=("GET", "POST"),
             api=True)
        view(url_name="api:organization-detail", kind="detail", model=org, action="view", methods=("GET", "PATCH"),
             object_arg="pk", api=True)
        view(url_name="api:organization-move", kind="action", model=org, action="change", methods=("POST",),
             object_arg="pk", api=True)
        view(url_name="api:organization-dissolve", kind="delete", model=org, action="delete", methods=("POST",),
             object_arg="pk", api=True)
        view(url_name="api:organization-reactivate", kind="action", model=org, action="delete", methods=("POST",),
             object_arg="pk", api=True)
        # ---------------------------------------------------------------------------------------------------
        from zugong.demo import checks  # noqa: F401  (registers the demo-data deploy check, zugong.E004)
