"""The demo unit tree (单位) and where each demo party organization is set up (党组织所在单位情况).

The county (青山县, 机关, 县级) is the root; under it one unit per 乡镇 / 街道, each bureau (机关), school and
hospital (事业单位), company (企业, with its 经济控制类型 and 企业规模) and social organization (社会组织) that
holds a party committee, general branch or branch of its own; villages (行政村) and communities (社区（居委会）)
sit under their 乡镇 / 街道, and the small non-public businesses a 联合党支部 covers (个体工商户 and micro
companies) under the 乡镇 / 街道 of the joint branch.

Each organization gets ``unit_relation``: ``legal_entity_unit`` (its own unit: the 乡镇党委, a company's
党委, a village's branch …), ``same_as_parent`` (a company's workshop branch, a school's 教职工 branch …: the
unit is the nearest ancestor's), or ``joint`` (a 联合党支部, 2–4 units). The 年报 reads the 企业 / 事业单位 /
机关 / 街道 / 乡镇 rows of 第二十四表 and the sector (公有制 / 非公有制) of a member's 工作岗位 from there
(``UnitPlan.sector``).

Codes: the county ``QS-U``, a unit of an organization ``<组织代码>-U``, the businesses of a joint branch
``<组织代码>-U1`` …. Written in bulk (``write_units``: materialized paths computed here, as the organization
tree), inside the demo's transaction; one change-log event for the table.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from dataclasses import dataclass, field

from zugong.demo import distributions as D
from zugong.demo import names as N
from zugong.demo.reference import ROOT_CODE
from zugong.orgs.models import PartyOrganization, Unit

UNIT_ROOT_CODE = f"{ROOT_CODE}-U"  # 单位代码 of the demo unit root; an organization's own unit is <组织代码>-U
_SUFFIXES = ("工作委员会", "党工委", "党委", "党总支", "党支部")
_PUBLIC_CONTROL = ("state_controlled", "collective_controlled")
_BUREAU_BRANCH = re.compile(r"^(.+?)机关(?:第.+)?党支部$")
_SMALL_BUSINESSES = ("商店", "超市", "餐馆", "汽车修理部", "建材经营部", "农资经营部", "电子商务有限公司",
                     "物流有限公司", "装饰工程有限公司", "服装加工厂")


def demo_unit_root() -> Unit | None:
    """The root of the demo unit tree, if the demo data exists."""
    return Unit.objects.filter(code=UNIT_ROOT_CODE).first()


@dataclass
class UnitSpec:
    """One unit to be written; ``parent`` is a unit index, ``founded`` a date ordinal."""

    index: int
    parent: int | None
    code: str
    name: str
    unit_category: str
    founded: int
    economic_control: str = ""
    enterprise_size: str = ""
    organ_level: str = ""
    children: list[int] = field(default_factory=list)
    path: str = ""


@dataclass
class UnitPlan:
    """The units and, per organization node (by index): ``relation`` (``UNIT_RELATION`` code or ``""``),
    ``own`` (its unit index when ``legal_entity_unit``) and ``joint`` (unit indices of a 联合党支部)."""

    units: list[UnitSpec]
    relation: list[str]
    own: list[int | None]
    joint: dict[int, list[int]]
    effective: list[list[int]] = field(default_factory=list)  # per node: the units it is set up in

    def cover(self, rng: random.Random, tree) -> None:
        """Units for organizations added to ``tree`` after planning (the company branch that leaves whole in
        ``demo.history``, dissolved on the reference date but counted before): a company of its own under
        the unit its parent is set up in; other kinds get none."""
        for node in tree.nodes[len(self.relation):]:
            parent_units = self.effective[node.parent] if node.parent is not None else []
            if node.kind == "enterprise":
                unit = self.add(parent_units[0] if parent_units else 0, f"{node.code}-U", _unit_name(node.short),
                                "enterprise", node.founded, **_enterprise(rng, "branch"))
                self.relation.append("legal_entity_unit")
                self.own.append(unit)
                self.effective.append([unit])
            else:
                self.relation.append("")
                self.own.append(None)
                self.effective.append([])

    def add(self, parent: int | None, code: str, name: str, category: str, founded: int, **extra) -> int:
        """Append a unit (under unit index ``parent``); returns its index."""
        spec = UnitSpec(len(self.units), parent, code, name, category, founded, **extra)
        self.units.append(spec)
        if parent is not None:
            self.units[parent].children.append(spec.index)
        return spec.index

    def sector(self, node: int) -> str:
        """``"public"`` / ``"non_public"`` of the units organization ``node`` is set up in (企业 by
        经济控制类型: 国有 / 集体 → 公有制; 机关, 事业单位, 乡镇, 街道 → 公有制; 社会组织 and a joint branch's
        businesses → 非公有制), ``""`` for a village or community (no sector of its own)."""
        units = self.effective[node]
        if not units:
            return ""
        unit = self.units[units[0]]
        if unit.unit_category == "enterprise":
            return "public" if unit.economic_control in _PUBLIC_CONTROL else "non_public"
        if unit.unit_category in ("government_organ", "public_institution", "township", "subdistrict"):
            return "public"
        if unit.unit_category == "social_organization":
            return "non_public"
        return ""


def _enterprise(rng: random.Random, level: str) -> dict:
    """经济控制类型 and 企业规模 of a company holding a 党委 (``level`` ``"committee"``) or a branch."""
    controls = D.ECONOMIC_CONTROL[level]
    control = rng.choices([c for c, _ in controls], weights=[w for _, w in controls])[0]
    sizes = ("large", "medium") if level == "committee" else ("medium", "small", "micro")
    return {"economic_control": control, "enterprise_size": rng.choice(sizes)}


def _unit_name(short: str) -> str:
    name = short.removeprefix("中共")
    for suffix in _SUFFIXES:
        name = name.removesuffix(suffix)
    return name or short


def plan_units(rng: random.Random, tree) -> UnitPlan:
    """Units for the organization ``tree`` (``demo.tree.Tree``; nodes in parent-first order) — see the
    module docstring. Dissolved nodes get no unit here (see ``UnitPlan.cover``)."""
    nodes = tree.nodes
    units: list[UnitSpec] = []
    relation = [""] * len(nodes)
    own: list[int | None] = [None] * len(nodes)
    joint: dict[int, list[int]] = {}

    def add(parent: int | None, code: str, name: str, category: str, founded: int, **extra) -> int:
        spec = UnitSpec(len(units), parent, code, name, category, founded, **extra)
        units.append(spec)
        if parent is not None:
            units[parent].children.append(spec.index)
        return spec.index

    bureaus: dict[str, int] = {}
    root = nodes[0]
    county = add(None, UNIT_ROOT_CODE, N.COUNTY, "government_organ", root.founded, organ_level="county")

    def place_unit(node) -> int:
        """The unit of the nearest 乡镇 / 街道 above ``node`` (else the county)."""
        k = node.parent
        while k is not None:
            if nodes[k].kind in ("township", "subdistrict") and own[k] is not None:
                return own[k]
            k = nodes[k].parent
        return county

    def enterprise(node, level: str) -> dict:
        return _enterprise(rng, level)

    for node in nodes:
        if node.dissolved is not None:
            continue
        parent = nodes[node.parent] if node.parent is not None else None
        parent_kind = parent.kind if parent is not None else None
        category, extra = None, {}
        if parent is None:
            own[node.index], relation[node.index] = county, "legal_entity_unit"
            continue
        if node.kind == "organs_wc":
            own[node.index], relation[node.index] = county, "legal_entity_unit"
            continue
        if node.kind in ("township", "subdistrict"):
            category = node.kind
        elif node.kind == "enterprise":
            if parent_kind != "enterprise":
                category, extra = "enterprise", enterprise(node, "committee" if node.org_type == "committee"
                                                           else "branch")
        elif node.kind in ("school", "hospital", "student"):
            if node.org_type == "committee" or parent_kind in ("organs_wc", "root"):
                category = "public_institution"
        elif node.kind == "organ":
            if parent_kind == "organs_wc":
                match = _BUREAU_BRANCH.match(node.name)
                bureau = match.group(1) if match else _unit_name(node.short)
                if bureau in bureaus:  # a second branch of the same bureau
                    own[node.index], relation[node.index] = bureaus[bureau], "legal_entity_unit"
                    continue
                category, extra = "government_organ", {"organ_level": "county"}
        elif node.kind == "village":
            if parent_kind != "village":
                category = "village"
        elif node.kind == "community":
            if parent_kind != "community":
                category = "community"
        elif node.kind == "social":
            if parent_kind != "social":
                category = "social_organization"
        elif node.kind == "joint":
            above = place_unit(node)
            joint[node.index] = [
                add(above, f"{node.code}-U{k + 1}",
                    f"{N.COUNTY_STEM}{rng.choice(N.COMPANY_BRANDS)}{rng.choice(_SMALL_BUSINESSES)}", "enterprise",
                    node.founded, economic_control="non_public_controlled", enterprise_size="micro")
                for k in range(2 + int(rng.random() * 3))]
            relation[node.index] = "joint"
            continue
        if category is None:
            relation[node.index] = "same_as_parent"
            continue
        above = place_unit(node) if category in ("village", "community") else county
        if category == "government_organ":
            match = _BUREAU_BRANCH.match(node.name)
            name = match.group(1) if match else _unit_name(node.short)
            bureaus[name] = len(units)
        else:
            name = _unit_name(node.short)
        own[node.index] = add(above, f"{node.code}-U", name, category, node.founded, **extra)
        relation[node.index] = "legal_entity_unit"

    effective: list[list[int]] = [[] for _ in nodes]
    for node in nodes:  # parents first
        if relation[node.index] == "legal_entity_unit":
            effective[node.index] = [own[node.index]]
        elif relation[node.index] == "joint":
            effective[node.index] = joint[node.index]
        elif relation[node.index] == "same_as_parent" and node.parent is not None:
            effective[node.index] = effective[node.parent]
    return UnitPlan(units, relation, own, joint, effective)


def _next_root_path() -> str:
    last = Unit.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
    position = Unit._str2int(last) + 1 if last else 1
    return Unit._get_path(None, 1, position)


def write_units(plan: UnitPlan, ids: list[int]) -> int:
    """Insert ``plan.units`` with the primary keys ``ids`` (materialized paths, depth and numchild computed
    here, as ``generator._write_organizations``). Returns the number of units written."""
    from zugong.demo.writer import RowWriter

    steplen = Unit.steplen
    position = {child: k + 1 for unit in plan.units for k, child in enumerate(unit.children)}
    rows = []
    for unit in plan.units:  # parents come before their children
        if unit.parent is None:
            unit.path = _next_root_path()
        else:
            parent_path = plan.units[unit.parent].path
            unit.path = Unit._get_path(parent_path, len(parent_path) // steplen + 1, position[unit.index])
        rows.append((ids[unit.index], unit.code, unit.name, unit.unit_category, True, unit.economic_control,
                     unit.enterprise_size, unit.organ_level, dt.date.fromordinal(unit.founded), unit.path,
                     len(unit.path) // steplen, len(unit.children)))
    writer = RowWriter(Unit, ("id", "code", "name", "unit_category", "legal_entity", "economic_control",
                              "enterprise_size", "organ_level", "founded_date", "path", "depth", "numchild"))
    return writer.write(rows)


def joint_rows(plan: UnitPlan, node_id: list[int], unit_id: list[int]) -> list:
    """``PartyOrganization.joint_units`` through rows of the joint branches."""
    through = PartyOrganization.joint_units.through
    return [through(partyorganization_id=node_id[node], unit_id=unit_id[u])
            for node, units in sorted(plan.joint.items()) for u in units]

