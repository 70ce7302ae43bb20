"""Data scope: every query is restricted by the requesting user's grants (``design.md`` rule 1).

A role grant = (user, role, organization node, include_subtree). A role carries permissions as
``"<label>.<action>"`` strings over **data labels** (``basic``, ``party``, ``cadre``, ``assessment``,
``discipline``, ``personal_matters``, ``travel_documents``) and **actions** (``view``, ``add``,
``change``, ``delete``, ``import``, ``export``, ``unmask``). Default deny: no grant, no rows.

Every business model's manager is built from ``ScopedQuerySet`` and the model declares — **no defaults**
(``BaseModel`` sets neither; the system check ``zugong.E010``–``E012`` in ``core.scope_checks`` fails when
one is missing or wrong):
- ``scope_org_field``: the lookup path from the model to its **scope anchor**, the model that declares
  ``scope_anchor = "organization"`` (the party organization tree grants point at); ``""`` when the model
  *is* the anchor;
- ``data_label``: the label its rows carry (a key of ``DATA_LABELS``).

A model of a Zugong app that holds no organization data declares ``scope_exempt = "<why>"`` instead
(owner-scoped import jobs, users and grants, the audit log). A later anchor kind (e.g. 单位) is a new
entry of ``ANCHOR_KINDS``, a ``scope_anchor`` on its model and its own lookup attribute.

``Model.objects.restrict(user, action)`` then returns only rows whose organization lies in a subtree
(or on a node) the user holds ``<label>.<action>`` on — a path-prefix condition in SQL, never a Python
list of ids.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Q

DATA_LABELS = {
    "basic": "基本信息",
    "party": "党员信息",
    "cadre": "干部信息",
    "assessment": "考核评议",
    "discipline": "纪律处分",
    "personal_matters": "个人有关事项",
    "travel_documents": "因私出入境证件",
}
# What a scope anchor is: the model a grant points at. ``scope_org_field`` paths end on an
# ``"organization"`` anchor (``PartyOrganization``, tree ``path`` used by ``scope_q``).
ANCHOR_KINDS = {"organization": "党组织"}

ACTIONS = {
    "view": "查看",
    "add": "新增",
    "change": "修改",
    "delete": "删除",
    "import": "导入",
    "export": "导出",
    "unmask": "查看敏感信息明文",
}


@dataclass(frozen=True)
class ScopeNode:
    """One node a user holds a permission on: organization id, its tree path, subtree or node only."""

    org_id: int
    path: str
    include_subtree: bool


def user_scope(user, label: str, action: str) -> list[ScopeNode]:
    """The nodes on which ``user`` holds ``label.action``, from grants in force
    (``RoleGrant.objects.in_force()``: not while suspended after an administrator reset); ``[]`` for
    anonymous or inactive users. Cached on the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = getattr(user, "_zugong_scope_cache", None)
    if cache is None:
        cache = {}
        user._zugong_scope_cache = cache
    key = (label, action)
    if key not in cache:
        if "_grants" not in cache:
            # All of the user's grants in one query per request; each (label, action) is derived from it.
            from zugong.accounts.models import RoleGrant

            cache["_grants"] = [
                (set(g.role.permissions), ScopeNode(g.organization_id, g.organization.path, g.include_subtree))
                for g in RoleGrant.objects.in_force().filter(user=user, organization__isnull=False)
                .select_related("role", "organization")
            ]
        perm = f"{label}.{action}"
        cache[key] = [node for perms, node in cache["_grants"]
                      if perm in perms or f"*.{action}" in perms or "*.*" in perms]
    return cache[key]


def scope_q(nodes: list[ScopeNode], org_field: str) -> Q:
    """A ``Q`` selecting rows whose organization (``org_field`` lookup path, ``""`` for the org
    itself) lies under ``nodes``. An empty node list gives a condition that matches nothing."""
    prefix = f"{org_field}__" if org_field else ""
    condition = Q(pk__in=[])
    for node in nodes:
        if node.include_subtree:
            condition |= Q(**{f"{prefix}path__startswith": node.path})
        else:
            condition |= Q(**{f"{prefix}pk" if not org_field else f"{org_field}_id": node.org_id})
    return condition


class ScopedQuerySet(models.QuerySet):
    """QuerySet with ``restrict(user, action, label=None)``; see the module docstring."""

    def restrict(self, user, action: str = "view", label: str | None = None):
        """Rows of this queryset within ``user``'s scope for ``action`` on the model's data label
        (or ``label``). Returns an empty queryset when the user holds no such grant."""
        model = self.model
        label = label or model.data_label
        nodes = user_scope(user, label, action)
        if not nodes:
            return self.none()
        return self.filter(scope_q(nodes, model.scope_org_field))


def can(user, label: str, action: str, organization=None) -> bool:
    """True if ``user`` holds ``label.action`` anywhere (``organization=None``) or on ``organization``
    (a ``PartyOrganization``: covered by a subtree grant above it or a node grant on it)."""
    nodes = user_scope(user, label, action)
    if organization is None:
        return bool(nodes)
    for node in nodes:
        if node.include_subtree and organization.path.startswith(node.path):
            return True
        if not node.include_subtree and organization.pk == node.org_id:
            return True
    return False


class BaseModel(models.Model):
    """Abstract base of business records: timestamps and an optimistic-locking ``version``.

    Concrete subclasses **must** declare ``scope_org_field`` and ``data_label`` (no defaults; see module
    docstring and the ``zugong.E010`` check)."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
