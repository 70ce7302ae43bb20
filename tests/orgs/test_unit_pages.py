"""Unit pages and the unit on the organization page: list content by unit scope (no row of another
subtree), detail 404 outside the scope, edit through the service, and the organization page showing its
unit's name to every viewer of the organization but linking it only for who may view the unit."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from zugong.orgs.models import Unit
from zugong.orgs.services import organization_create

pytestmark = pytest.mark.django_db


def unit_rows(response) -> list[str]:
    return re.findall(r'data-unit="([^"]+)"', response.content.decode())


def test_unit_list_shows_exactly_the_unit_subtree(client, units):
    client.force_login(units.town_user)
    assert unit_rows(client.get(reverse("orgs:unit_list"))) == ["U-A", "U-A-E"]
    client.force_login(units.unit_only_user)
    assert unit_rows(client.get(reverse("orgs:unit_list"))) == ["U-B", "U-B-E"]
    client.force_login(units.county_user)
    assert unit_rows(client.get(reverse("orgs:unit_list"))) == ["U", "U-A", "U-A-E", "U-B", "U-B-E"]
    assert unit_rows(client.get(reverse("orgs:unit_list"), {"q": "91110000802100433"})) == ["U-A-E"]


def test_org_tree_user_without_unit_grant_sees_no_unit_row(client, units):
    client.force_login(units.branch_user)
    response = client.get(reverse("orgs:unit_list"))
    assert response.status_code == 200 and unit_rows(response) == []
    assert "单位授权与党组织授权分开管理" in response.content.decode()
    assert client.get(reverse("orgs:unit_detail", args=[units.unit_firm_a.pk])).status_code == 404


def test_unit_detail_lists_organizations_and_sub_units_in_scope(client, units):
    client.force_login(units.town_user)
    page = client.get(reverse("orgs:unit_detail", args=[units.unit_town_a.pk])).content.decode()
    assert "甲镇农机厂" in page and "乙镇食品公司" not in page
    page = client.get(reverse("orgs:unit_detail", args=[units.unit_firm_a.pk])).content.decode()
    assert "甲镇机关党支部" in page and "集体经济控制" in page and "小型" in page and "91110000802100433B" in page
    assert client.get(reverse("orgs:unit_detail", args=[units.unit_firm_b.pk])).status_code == 404


def test_unit_create_and_bad_credit_code(client, units):
    client.force_login(units.town_user)
    url = reverse("orgs:unit_create_child", args=[units.unit_town_a.pk])
    response = client.post(url, {"code": "U-A-V", "name": "东村", "unit_category": "village",
                                 "credit_code": "91350100M000100Y44"})
    assert response.status_code == 400
    assert "第 18 位应为 3" in response.content.decode() and not Unit.objects.filter(code="U-A-V").exists()
    response = client.post(url, {"code": "U-A-V", "name": "东村", "unit_category": "village"})
    unit = Unit.objects.get(code="U-A-V")
    assert response.status_code == 302 and response["Location"] == reverse("orgs:unit_detail", args=[unit.pk])
    assert unit.path.startswith(units.unit_town_a.path)


def test_organization_page_shows_its_unit_and_links_only_when_visible(client, units):
    url = reverse("orgs:detail", args=[units.branch_a1.pk])
    unit_url = reverse("orgs:unit_detail", args=[units.unit_firm_a.pk])
    client.force_login(units.branch_user)  # sees the branch, holds no unit grant
    page = client.get(url).content.decode()
    assert "甲镇农机厂" in page and "法人单位" in page and unit_url not in page
    client.force_login(units.town_user)  # holds a grant on 甲镇's units
    page = client.get(url).content.decode()
    assert f'<a href="{unit_url}">甲镇农机厂</a>' in page


def test_organization_unit_page_sets_a_joint_branch(client, units):
    client.force_login(units.county_user)
    joint = organization_create(user=units.county_user, parent=units.town_a, code="C-A-J", name="联合党支部",
                                org_type="joint_branch")
    url = reverse("orgs:unit_set", args=[joint.pk])
    response = client.post(url, {"version": joint.version, "unit_relation": "joint", "joint_codes": "U-A-E"})
    assert response.status_code == 400 and "至少 2 个单位" in response.content.decode()
    response = client.post(url, {"version": joint.version, "unit_relation": "joint", "joint_codes": "U-A-E、U-B-E"})
    assert response.status_code == 302
    assert sorted(joint.joint_units.values_list("code", flat=True)) == ["U-A-E", "U-B-E"]
    page = client.get(reverse("orgs:detail", args=[joint.pk])).content.decode()
    assert "甲镇农机厂" in page and "乙镇食品公司" in page and "联合党支部" in page


def test_unit_picker_on_the_unit_form_finds_only_units_in_scope_and_the_pick_is_saved(client, units):
    """所在单位 by search: the town worker finds the units of their unit subtree by name or code (not the other
    town's), and the chosen radio is what the organization is set up in."""
    from zugong.orgs.models import PartyOrganization

    client.force_login(units.town_user)
    url = reverse("orgs:unit_picker")
    found = client.get(url, {"q": "U-"}).content.decode()
    assert 'name="unit_pick" value="U-A"' in found and 'value="U-A-E"' in found and 'value="U-B' not in found
    assert "没有匹配的单位" in client.get(url, {"q": "U-B"}).content.decode()
    form_page = client.get(reverse("orgs:unit_set", args=[units.branch_a1.pk])).content.decode()
    assert reverse("orgs:unit_picker") in form_page
    org = PartyOrganization.objects.get(pk=units.branch_a1.pk)
    response = client.post(reverse("orgs:unit_set", args=[org.pk]), {
        "version": org.version, "unit_relation": "legal_entity_unit", "unit_code": "", "joint_codes": "",
        "unit_pick": "U-A-E"})
    assert response.status_code == 302
    assert PartyOrganization.objects.get(pk=org.pk).unit_id == units.unit_firm_a.pk
