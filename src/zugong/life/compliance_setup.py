"""What the compliance part of the life app registers (called from ``LifeConfig.ready``; kept apart from the
meeting pages' registrations so each part is edited in its own file):

- the ``post_migrate`` handler seeding the shipped rules (``life.rules.sync_builtin_rules``);
- the navigation entry 「三会一课晾晒」 (``party.view``);
- the scoped view declarations of ``life.compliance_views`` (reports of one organization's subtree named
  by ``?org=<组织代码>``, like the statistics pages);
- the to-do provider ``life.todos.compliance_overdue``.
"""

from __future__ import annotations

from django.db.models.signals import post_migrate


def _sync_rules(sender, **kwargs):
    from zugong.life.rules import sync_builtin_rules

    sync_builtin_rules(using=kwargs.get("using", "default"))


def register(app_config) -> None:
    """Connect and register everything of the compliance part (idempotent)."""
    from zugong.core import registry

    post_migrate.connect(_sync_rules, sender=app_config, dispatch_uid="zugong.life.sync_builtin_rules")
    registry.register_nav(section="基层党建", label="三会一课晾晒", url_name="life:compliance", order=245,
                          permission="party.view", app=app_config.label)
    org = "orgs.PartyOrganization"
    view = registry.register_view
    view(url_name="life:compliance", kind="detail", model=org, action="view", object_param="org")
    view(url_name="life:compliance_xlsx", kind="detail", model=org, action="export", object_param="org")
    view(url_name="life:compliance_branch", kind="detail", model=org, action="view", object_param="org")
    registry.register_todo_provider(name="life.compliance_overdue", provider="zugong.life.todos.compliance_overdue",
                                    permission="party.view")
