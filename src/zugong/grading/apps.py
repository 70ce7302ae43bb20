from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _sync_schemes(sender, **kwargs):
    from zugong.grading.seed import sync_builtin_schemes

    sync_builtin_schemes(using=kwargs.get("using", "default"))


class GradingConfig(AppConfig):
    """达标晋级 (issue #11): configurable grading rubrics (shipped: 五好, 四强), annual scoring with evidence,
    levels, 示范党支部 designations, the 软弱涣散 list and its rectification."""

    name = "zugong.grading"
    verbose_name = "达标晋级"

    def ready(self) -> None:
        from zugong.core import registry

        # the shipped rubrics, after every migrate (a flushed test database gets them back)
        post_migrate.connect(_sync_schemes, sender=self)
        section = "基层党建"
        registry.register_nav(section=section, label="达标晋级", url_name="grading:list", order=260,
                              permission="party.view", app=self.label)
        registry.register_nav(section=section, label="软弱涣散党组织", url_name="grading:weak_list", order=261,
                              permission="party.view", app=self.label)
        registry.register_org_panel(name="grading", label="达标晋级", template="grading/_org_panel.html",
                                    provider="zugong.grading.panels.org_panel", order=40, permission="party.view")
        registry.register_api_viewset(prefix="branch-gradings", viewset="zugong.grading.api.views.BranchGradingViewSet",
                                      basename="branch-grading")
        registry.register_api_viewset(prefix="weak-branches", viewset="zugong.grading.api.views.WeakBranchViewSet",
                                      basename="weak-branch")
