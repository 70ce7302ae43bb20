"""The demo unit tree (单位): the county (青山县, 机关) and one unit per 乡镇 / 街道 under it, each 乡镇党委 /
街道党工委 of the demo set up in its own 乡镇 / 街道 (党组织所在单位情况 = 法人单位).

Written through ``orgs.unit_services.unit_create`` and ``orgs.services.organization_set_unit`` (a few
dozen rows at the demo's scale), inside the demo's transaction; member figures are untouched.
"""

from __future__ import annotations

from zugong.demo import names as N
from zugong.demo.reference import ROOT_CODE
from zugong.orgs.models import PartyOrganization, Unit

UNIT_ROOT_CODE = f"{ROOT_CODE}-U"  # 单位代码 of the demo unit root; the towns' units are <组织代码>-U
_SUFFIXES = ("工作委员会", "党工委", "党委")


def demo_unit_root() -> Unit | None:
    """The root of the demo unit tree, if the demo data exists."""
    return Unit.objects.filter(code=UNIT_ROOT_CODE).first()


def write_units(root: PartyOrganization) -> int:
    """Create the demo unit tree for the demo organization tree under ``root`` and link each 乡镇党委 /
    街道党工委 to its unit. Returns the number of units created."""
    from zugong.orgs.services import organization_set_unit
    from zugong.orgs.unit_services import unit_create

    county = unit_create(code=UNIT_ROOT_CODE, name=N.COUNTY, unit_category="government_organ", organ_level="county",
                         legal_entity=True)
    towns = (PartyOrganization.objects.filter(path__startswith=root.path, depth=root.depth + 1,
                                              unit_category__in=("township", "subdistrict")).order_by("path"))
    created = 1
    for org in towns:
        name = org.name.removeprefix(f"中共{N.COUNTY}")
        for suffix in _SUFFIXES:
            name = name.removesuffix(suffix)
        unit = unit_create(code=f"{org.code}-U", name=name or org.name, unit_category=org.unit_category,
                           legal_entity=True, parent=county)
        organization_set_unit(user=None, organization=org, relation="legal_entity_unit", unit=unit,
                              expected_version=None)
        created += 1
    return created
