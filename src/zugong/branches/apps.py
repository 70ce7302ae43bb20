from django.apps import AppConfig


class BranchesConfig(AppConfig):
    """党支部建设 (issue #11): branch officers (班子成员), branch standards (达标, evaluated continuously, 换届
    reminders) and secretary certification (支部书记持证上岗: training, exams, certificates)."""

    name = "zugong.branches"
    verbose_name = "党支部建设"

    def ready(self) -> None:
        from zugong.branches import standards  # noqa: F401  (registers the STANDARDS_RULE row)
        from zugong.core import registry

        # 班子成员 and 达标情况: the standards page, the organization page's tabs, the home page's to-dos
        registry.register_nav(section="基层党建", label="党支部达标情况", url_name="branches:standards", order=250,
                              permission="party.view", app="branches")
        registry.register_org_panel(name="officers", label="班子成员", template="branches/officers_panel.html",
                                    provider="zugong.branches.views.officers_panel", order=20, permission="party.view")
        registry.register_org_panel(name="standards", label="达标情况", template="branches/standards_panel.html",
                                    provider="zugong.branches.views.standards_panel", order=21, permission="party.view")
        registry.register_todo_provider(name="branches_standards", provider="zugong.branches.todos.standards_todos",
                                        permission="party.view")
        registry.register_api_viewset(prefix="branch-officers", viewset="zugong.branches.api.officers.BranchOfficerViewSet",
                                      basename="branch-officer")
        registry.register_api_viewset(prefix="branch-standards",
                                      viewset="zugong.branches.api.standards.BranchStandardsViewSet",
                                      basename="branch-standards")

        from zugong.branches.certification import register_certification  # 支部书记持证上岗

        register_certification()
