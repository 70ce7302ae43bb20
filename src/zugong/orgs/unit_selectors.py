"""Scoped reads of the unit tree (单位) and of the unit a party organization is set up in.

Units are scoped by grants on the **unit tree** (``Unit.objects.restrict(user, action)``, data label
``basic``): a user whose grants hang only on party organizations sees no unit row, and "not in scope"
looks like "does not exist" (``None`` / empty). The unit *of an organization* (name, 党组织所在单位情况) is
part of the organization's own record: whoever sees the organization sees them (``organization_unit``),
but a link to the unit page is offered only when the user may view the unit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr

from zugong.core.scoping import can, user_scope
from zugong.orgs.choices import UNIT_RELATION
from zugong.orgs.models import PartyOrganization, Unit

SEARCH_LIMIT = 50


def unit_scope_nodes(*, user, action: str = "view"):
    """The ``basic.<action>`` grant nodes of ``user`` on the unit tree."""
    return user_scope(user, Unit.data_label, action, "unit")


def unit_covers_subtree(*, user, unit: Unit, action: str = "view") -> bool:
    """True if a subtree grant on the unit tree covers ``unit`` (its sub-units are in scope). No query."""
    return any(n.include_subtree and unit.path.startswith(n.path) for n in unit_scope_nodes(user=user, action=action))


def unit_get(*, user, pk: int, action: str = "view") -> Unit | None:
    """The unit ``pk`` if it is in ``user``'s scope for ``action``, else ``None``."""
    return Unit.objects.restrict(user, action).filter(pk=pk).first()


def unit_by_code(*, user, code: str, action: str = "view") -> Unit | None:
    """The in-scope unit with 单位代码 ``code`` (``None`` when empty, unknown or out of scope)."""
    code = (code or "").strip()
    return Unit.objects.restrict(user, action).filter(code=code).first() if code else None


def unit_list(*, user, text: str = "") -> QuerySet[Unit]:
    """Units in scope in tree order; ``text`` filters by name (contains), 单位代码 or 统一社会信用代码
    (prefix). Paginate the result (the list page shows 50 a page)."""
    qs = Unit.objects.restrict(user, "view")
    text = (text or "").strip()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(code__startswith=text) | Q(credit_code__startswith=text.upper()))
    return qs.order_by("path")


def unit_api_list(*, user, action: str = "view") -> QuerySet[Unit]:
    """Every unit in ``user``'s ``basic.<action>`` unit scope in tree order, annotated with ``parent_code``
    (the parent's 单位代码 when the parent is in the same scope, else ``None``). One query."""
    scoped = Unit.objects.restrict(user, action)
    parent = scoped.filter(path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Unit.steplen)).values("code")[:1]
    return scoped.annotate(parent_code=Subquery(parent)).order_by("path")


def unit_children(*, user, parent: Unit, action: str = "view") -> QuerySet[Unit]:
    """Direct sub-units of ``parent`` within scope, in tree order."""
    return Unit.objects.restrict(user, action).filter(path__startswith=parent.path, depth=parent.depth + 1).order_by("path")


def unit_ancestors(*, user, unit: Unit) -> list[Unit]:
    """The in-scope ancestors of ``unit``, top first (for breadcrumbs)."""
    steplen = Unit.steplen
    paths = [unit.path[:k] for k in range(steplen, len(unit.path), steplen)]
    return list(Unit.objects.restrict(user, "view").filter(path__in=paths).order_by("depth")) if paths else []


def unit_parent(*, user, unit: Unit) -> Unit | None:
    """The in-scope parent of ``unit`` (``None`` for a root or a parent outside the scope)."""
    if unit.depth <= 1:
        return None
    return Unit.objects.restrict(user, "view").filter(path=unit.path[:-Unit.steplen]).first()


def unit_for_grant(*, user, code: str) -> Unit | None:
    """The unit with 单位代码 ``code`` at which a role may be granted, for a **security administrator**
    (三权分立: granting is that administrator's job anywhere in the unit tree and confers no data scope of
    its own); ``None`` for anyone else or for an unknown code."""
    from zugong.core.registry import user_admin_kinds

    if "security" not in user_admin_kinds(user):
        return None
    return Unit.objects.filter(code=(code or "").strip()).first()


def unit_organizations(*, user, unit: Unit) -> QuerySet[PartyOrganization]:
    """The party organizations set up in ``unit`` (``unit``) or covering it as a 联合党支部
    (``joint_units``) that ``user`` may see (``party.view`` on the organization tree), in tree order."""
    return (PartyOrganization.objects.restrict(user, "view").filter(Q(unit=unit) | Q(joint_units=unit))
            .distinct().order_by("path"))


def joint_unit_codes(*, organization: PartyOrganization) -> list[str]:
    """The 单位代码 of the units a 联合党支部 covers, in tree order (part of the organization's record: the
    caller has checked that the user sees the organization)."""
    return list(organization.joint_units.order_by("path").values_list("code", flat=True))


def unit_pick(*, user, text: str, action: str = "view", limit: int = 20) -> list[Unit]:
    """Units matching ``text`` (name, code) within ``user``'s ``basic.<action>`` unit scope (a picker)."""
    text = (text or "").strip()
    if not text:
        return []
    return list(unit_list(user=user, text=text).restrict(user, action)[:limit])


def organization_unit(*, user, organization: PartyOrganization) -> dict:
    """The unit of ``organization`` as its detail page shows it (the caller has already checked that
    ``user`` sees the organization; the unit's name and the relation are part of the organization's
    record): ``{"relation": code, "relation_label": 中文, "units": [{"unit": Unit, "link": bool}],
    "inherited_from": PartyOrganization | None}``.

    For ``same_as_parent`` the unit is the nearest ancestor's own unit (legal-entity unit or joint
    units), found in one query over the ancestors' paths; ``inherited_from`` names that ancestor only when
    the user may see it. ``link`` is true when the user may view the unit on the unit tree (``basic.view``).
    Two queries at most (ancestors, joint units)."""
    relation = organization.unit_relation
    source = organization
    inherited_from = None
    if relation == "same_as_parent":
        steplen = PartyOrganization.steplen
        paths = [organization.path[:k] for k in range(steplen, len(organization.path), steplen)]
        # Unscoped on purpose: only the unit the organization inherits is shown, not the ancestor's record.
        source = (PartyOrganization.objects.filter(path__in=paths).exclude(unit_relation__in=("", "same_as_parent"))
                  .select_related("unit").order_by("-depth").first())
        if source is not None and can(user, "party", "view", source):
            inherited_from = source
    units: list[Unit] = []
    if source is not None:
        if source.unit_relation == "joint":
            units = list(source.joint_units.order_by("path"))
        elif source.unit_id:
            units = [source.unit]
    return {"relation": relation, "relation_label": UNIT_RELATION.label(relation), "inherited_from": inherited_from,
            "units": [{"unit": u, "link": can(user, "basic", "view", u)} for u in units]}


@dataclass(frozen=True)
class UnitFacts:
    """What the 党内统计年报 needs of the unit an organization is set up in: ``unit_category`` (单位属性
    code), ``economic_control`` (企业), ``organ_level`` (机关), and ``source``: ``"unit"`` (its own unit, or
    inherited from the nearest ancestor for 与上级党组织相同), ``"joint"`` (a 联合党支部: the first unit it
    covers, in unit-tree order), ``"organization"`` (no unit linked: the organization's own 单位属性) or
    ``""`` (nothing recorded)."""

    unit_category: str = ""
    economic_control: str = ""
    organ_level: str = ""
    source: str = ""


_FACT_FIELDS = ("pk", "path", "unit_relation", "unit_category", "unit_id", "unit__unit_category",
                "unit__economic_control", "unit__organ_level")


def organization_unit_facts(*, organizations: QuerySet[PartyOrganization]) -> dict[int, UnitFacts]:
    """``{organization id: UnitFacts}`` for every organization of ``organizations`` (a queryset the caller
    has already restricted to the user's scope): ``organization_unit`` for many organizations at once, in
    three queries whatever their number (the organizations, the ancestors they inherit from, the units of
    the 联合党支部 among them).

    The unit follows ``organization_unit``: a 法人单位 relation (or none) uses the organization's own unit;
    与上级党组织相同 the unit of the nearest ancestor whose relation is 法人单位 or 联合党支部 (ancestors are
    read unscoped on purpose, as ``organization_unit`` does: only the inherited unit's attributes come back,
    not the ancestor's record); a 联合党支部 its first covered unit. Without any, the organization's own
    单位属性 (``PartyOrganization.unit_category``, the 党组织 sheet's column) stands in."""
    rows = {r["path"]: r for r in organizations.values(*_FACT_FIELDS)}
    steplen = PartyOrganization.steplen
    wanted = {r["path"][:k] for r in rows.values() if r["unit_relation"] == "same_as_parent"
              for k in range(steplen, len(r["path"]), steplen)} - set(rows)
    ancestors = {r["path"]: r for r in PartyOrganization.objects.filter(path__in=wanted).values(*_FACT_FIELDS)} \
        if wanted else {}
    known = {**ancestors, **rows}
    joint_ids = [r["pk"] for r in ancestors.values() if r["unit_relation"] == "joint"]
    through = PartyOrganization.joint_units.through
    joint_first: dict[int, UnitFacts] = {}
    for j in (through.objects.filter(Q(partyorganization__in=organizations.filter(unit_relation="joint"))
                                     | Q(partyorganization_id__in=joint_ids))
              .order_by("partyorganization_id", "unit__path")
              .values("partyorganization_id", "unit__unit_category", "unit__economic_control", "unit__organ_level")):
        joint_first.setdefault(j["partyorganization_id"], UnitFacts(
            j["unit__unit_category"], j["unit__economic_control"], j["unit__organ_level"], "joint"))

    def own(row: dict) -> UnitFacts | None:
        if row["unit_relation"] == "joint":
            return joint_first.get(row["pk"])
        if row["unit_id"]:
            return UnitFacts(row["unit__unit_category"], row["unit__economic_control"], row["unit__organ_level"], "unit")
        return None

    out: dict[int, UnitFacts] = {}
    for path, row in rows.items():
        source = row
        if row["unit_relation"] == "same_as_parent":
            source = next((known[path[:k]] for k in range(len(path) - steplen, 0, -steplen)
                           if path[:k] in known and known[path[:k]]["unit_relation"] in ("legal_entity_unit", "joint")),
                          None)
        facts = own(source) if source is not None else None
        if facts is None:
            facts = UnitFacts(row["unit_category"], source="organization") if row["unit_category"] else UnitFacts()
        out[row["pk"]] = facts
    return out
