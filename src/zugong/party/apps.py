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
        # --- scoped views (hand-written views; the generic views register themselves) -------------------
        member, membership = "party.PartyMember", "party.Membership"
        view = registry.register_view
        view(url_name="party:member_list", kind="list", model=membership, action="view")
        view(url_name="party:member_create", kind="create", model=member, action="add", methods=("GET", "POST"))
        # the member pages name the person (``PartyMember``'s primary key is the person's)
        view(url_name="party:membership_transfer", kind="action", model=membership, action="change",
             methods=("GET", "POST"), object_arg="pk", object_model=member)
        view(url_name="party:membership_full", kind="action", model=member, action="change", methods=("GET", "POST"),
             object_arg="pk")
        view(url_name="party:membership_end", kind="action", model=membership, action="change",
             methods=("GET", "POST"), object_arg="pk", object_model=member)
        view(url_name="party:import_roster", kind="import", model=membership, action="import",
             methods=("GET", "POST"))
        view(url_name="party:export_roster", kind="export", model=membership, action="export", object_param="org",
             object_model="orgs.PartyOrganization")
        view(url_name="api:member-list", kind="list", model=member, action="view", api=True)
        view(url_name="api:member-detail", kind="detail", model=member, action="view", object_arg="person_id",
             api=True)
        view(url_name="api:member-record", kind="detail", model=member, action="view", object_arg="person_id",
             api=True)
        view(url_name="api:member-transfer", kind="action", model=membership, action="change", methods=("POST",),
             object_arg="person_id", object_model=member, api=True)
        view(url_name="api:member-full-membership", kind="action", model=member, action="change", methods=("POST",),
             object_arg="person_id", api=True)
        view(url_name="api:member-end", kind="action", model=membership, action="change", methods=("POST",),
             object_arg="person_id", object_model=member, api=True)
        # ---------------------------------------------------------------------------------------------------
