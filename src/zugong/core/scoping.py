"""Data scope: every query is restricted by the requesting user's grants (``design.md`` rule 1).

A role grant = (user, role, anchor node, include_subtree), the anchor node being a party organization
or a unit (单位) — one of ``ANCHOR_KINDS``. A role carries permissions as
``"<label>.<action>"`` strings over **data labels** (``basic``, ``party``, ``cadre``, ``assessment``,
``discipline``, ``personal_matters``, ``travel_documents``) and **actions** (``view``, ``add``,
``change``, ``delete``, ``import``, ``export``, ``unmask``). Default deny: no grant, no rows.

Every business model's manager is built from ``ScopedQuerySet`` and the model declares — **no defaults**
(``BaseModel`` sets neither; the system check ``zugong.E010``–``E012`` in ``core.scope_checks`` fails when
one is missing or wrong):
- ``scope_org_field``: the lookup path from the model to its **scope anchor**, a model that declares
  ``scope_anchor = "<kind>"`` with a kind of ``ANCHOR_KINDS`` (``"organization"``: the party organization
  tree; ``"unit"``: the unit tree); ``""`` when the model *is* the anchor;
- ``data_label``: the label its rows carry (a key of ``DATA_LABELS``).

A model of a Zugong app that holds no organization data declares ``scope_exempt = "<why>"`` instead
(owner-scoped import jobs, users and grants, the audit log).

**Two trees.** A model is scoped by the grants of the anchor kind its ``scope_org_field`` path ends at
(``anchor_kind(model)``, resolved through ``_meta`` and the anchor model's own ``scope_anchor`` — core
imports no domain app): a path ending at ``PartyOrganization`` is scoped by organization grants, one
ending at ``Unit`` by unit grants. A grant names its anchor in the ``RoleGrant`` foreign key named like
the kind (``organization`` or ``unit``); exactly one for a business grant, none for an administrator
grant. A new anchor kind is a new entry of ``ANCHOR_KINDS``, a ``scope_anchor`` on its model (a
treebeard ``MP_Node``: the ``path`` column is what ``scope_q`` matches) and a ``RoleGrant`` foreign key of
the same name.

``Model.objects.restrict(user, action)`` then returns only rows whose anchor lies in a subtree (or on a
node) the user holds ``<label>.<action>`` on — a path-prefix condition in SQL, never a Python list of
ids.
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
# What a scope anchor is: the model a grant points at. ``scope_org_field`` paths end on an anchor of one of
# these kinds (``"organization"``: ``orgs.PartyOrganization``; ``"unit"``: ``orgs.Unit``), each a tree whose
# ``path`` ``scope_q`` matches; the ``RoleGrant`` foreign key naming the anchor has the kind's name.
ANCHOR_KINDS = {"organization": "党组织", "unit": "单位"}

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
    """One node a user holds a permission on: the anchor's id (``org_id``: an organization's or, for
    ``anchor="unit"``, a unit's), its tree path, subtree or node only, and the anchor kind."""

    org_id: int
    path: str
    include_subtree: bool
    anchor: str = "organization"


_UNSET = object()


def resolve_scope_path(model, path: str):
    """The model ``path`` (``"person__organization"``) leads to from ``model`` through foreign keys and
    one-to-one relations, or ``None`` and the reason it does not resolve."""
    current = model
    for part in path.split("__"):
        try:
            field = current._meta.get_field(part)
        except Exception:  # FieldDoesNotExist, or an app registry without the related model
            return None, f"{current.__name__} has no field {part!r}"
        if not field.is_relation or field.related_model is None or field.many_to_many or field.one_to_many:
            return None, f"{current.__name__}.{part} is not a foreign key or one-to-one relation"
        current = field.related_model
        if isinstance(current, str):
            return None, f"{path!r}: the related model {current!r} is not installed"
    return current, ""


def anchor_kind(model) -> str | None:
    """The anchor kind (a key of ``ANCHOR_KINDS``) whose grants scope ``model``: its own ``scope_anchor``
    when it is an anchor (``scope_org_field == ""``), else the ``scope_anchor`` of the model its
    ``scope_org_field`` path ends at. ``None`` when the path does not resolve to an anchor (the system
    check ``zugong.E011`` reports it)."""
    cached = model.__dict__.get("_zugong_anchor_kind", _UNSET)
    if cached is not _UNSET:
        return cached
    field = getattr(model, "scope_org_field", None)
    if field == "":
        kind = getattr(model, "scope_anchor", None)
    elif isinstance(field, str):
        target, _ = resolve_scope_path(model, field)
        kind = getattr(target, "scope_anchor", None) if target is not None and getattr(
            target, "scope_org_field", None) == "" else None
    else:
        kind = None
    kind = kind if kind in ANCHOR_KINDS else None
    model._zugong_anchor_kind = kind
    return kind



def user_scope(user, label: str, action: str, anchor: str = "organization") -> list[ScopeNode]:
    """The nodes of the ``anchor`` tree (a key of ``ANCHOR_KINDS``: party organizations by default, or
    units) on which ``user`` holds ``label.action``, from grants in force (``RoleGrant.objects.in_force()``:
    not while suspended after an administrator reset); ``[]`` for anonymous or inactive users. Cached on
    the user object for the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = getattr(user, "_zugong_scope_cache", None)
    if cache is None:
        cache = {}
        user._zugong_scope_cache = cache
    key = (label, action, anchor)
    if key not in cache:
        if "_grants" not in cache:
            # All of the user's grants in one query per request; each (label, action, anchor) is derived
            # from it. The grant's anchor is the foreign key named like the anchor kind.
            from zugong.accounts.models import RoleGrant

            kinds = list(ANCHOR_KINDS)
            anchored = Q(pk__in=[])
            for kind in kinds:
                anchored |= Q(**{f"{kind}__isnull": False})
            grants = []
            for g in RoleGrant.objects.in_force().filter(anchored, user=user).select_related("role", *kinds):
                for kind in kinds:
                    node = getattr(g, kind)
                    if node is not None:
                        grants.append((set(g.role.permissions), ScopeNode(node.pk, node.path, g.include_subtree, kind)))
                        break
            cache["_grants"] = grants
        perm = f"{label}.{action}"
        cache[key] = [node for perms, node in cache["_grants"]
                      if node.anchor == anchor and (perm in perms or f"*.{action}" in perms or "*.*" in perms)]
    return cache[key]


def scope_q(nodes: list[ScopeNode], org_field: str) -> Q:
    """A ``Q`` selecting rows whose anchor (``org_field`` lookup path, ``""`` for the anchor itself) lies
    under ``nodes`` (all of the anchor kind the path ends at). An empty node list gives a condition that
    matches nothing."""
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
        (or ``label``), by the grants of the anchor kind the model's ``scope_org_field`` ends at
        (``anchor_kind``). Returns an empty queryset when the user holds no such grant."""
        model = self.model
        label = label or model.data_label
        kind = anchor_kind(model)
        if kind is None:
            return self.none()  # not a business model (zugong.E011 reports it): default deny
        nodes = user_scope(user, label, action, kind)
        if not nodes:
            return self.none()
        return self.filter(scope_q(nodes, model.scope_org_field))


def can(user, label: str, action: str, organization=None) -> bool:
    """True if ``user`` holds ``label.action`` anywhere (``organization=None``: on any anchor tree) or on
    ``organization`` — an anchor node (a ``PartyOrganization``, or a ``Unit``: the node's own
    ``scope_anchor`` says which grants count), covered by a subtree grant above it or a node grant on it."""
    if organization is None:
        return any(user_scope(user, label, action, kind) for kind in ANCHOR_KINDS)
    nodes = user_scope(user, label, action, getattr(organization, "scope_anchor", "organization"))
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
