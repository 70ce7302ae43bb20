"""/api/units/: scoped on the unit tree (no row of another subtree, none for an organization-only user),
writes through the unit services (400 naming the field, 404 outside the scope, 409 stale), and
/api/organizations/{id}/unit/."""

from __future__ import annotations

import pytest

from zugong.orgs.models import Unit

pytestmark = pytest.mark.django_db
LIST = "/api/units/"


def codes(response):
    return [item["code"] for item in response.json()["results"]]


def test_list_is_the_unit_scope(client, units):
    client.force_login(units.town_user)
    assert codes(client.get(LIST)) == ["U-A", "U-A-E"]
    client.force_login(units.unit_only_user)
    assert codes(client.get(LIST)) == ["U-B", "U-B-E"]
    client.force_login(units.branch_user)
    assert client.get(LIST).json()["count"] == 0
    assert client.get(f"{LIST}{units.unit_firm_a.pk}/").status_code == 404


def test_retrieve_shape_and_parent_code_within_scope(client, units):
    client.force_login(units.town_user)
    town = client.get(f"{LIST}{units.unit_town_a.pk}/").json()
    assert town["parent_code"] is None  # 某县 is above the town user's scope
    firm = client.get(f"{LIST}{units.unit_firm_a.pk}/").json()
    assert (firm["parent_code"], firm["economic_control_label"], firm["enterprise_size_label"], firm["credit_code"]) == (
        "U-A", "集体经济控制", "小型", "91110000802100433B")
    assert codes(client.get(LIST, {"search": "农机"})) == ["U-A-E"]


def test_create_patch_and_refusals(client, units):
    client.force_login(units.town_user)
    bad = client.post(LIST, {"parent_code": "U-A", "code": "U-A-F", "name": "甲镇服装厂", "unit_category": "村",
                             "economic_control": "国有"}, content_type="application/json")
    assert bad.status_code == 400
    assert [e["column"] for e in bad.json()["errors"]] == ["经济控制类型"]
    assert not Unit.objects.filter(code="U-A-F").exists()
    out = client.post(LIST, {"parent_code": "U-B", "code": "U-B-F", "name": "x", "unit_category": "企业"},
                      content_type="application/json")
    assert out.status_code == 404
    made = client.post(LIST, {"parent_code": "U-A", "code": "U-A-F", "name": "甲镇服装厂", "unit_category": "企业",
                              "economic_control": "非公", "enterprise_size": "小型"}, content_type="application/json")
    assert made.status_code == 201 and made.json()["economic_control"] == "non_public_controlled"
    pk, version = made.json()["id"], made.json()["version"]
    ok = client.patch(f"{LIST}{pk}/", {"version": version, "name": "甲镇服装有限公司"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["name"] == "甲镇服装有限公司"
    stale = client.patch(f"{LIST}{pk}/", {"version": version, "name": "旧"}, content_type="application/json")
    assert stale.status_code == 409 and Unit.objects.get(pk=pk).name == "甲镇服装有限公司"


def test_dissolve_refusal_lists_the_organizations(client, units):
    client.force_login(units.county_user)
    firm = units.unit_firm_a
    response = client.post(f"{LIST}{firm.pk}/dissolve/", {"version": firm.version, "date": "2024-12-31",
                                                          "reason": "破产"}, content_type="application/json")
    assert response.status_code == 400
    assert "甲镇机关党支部" in response.json()["errors"][0]["reason"]


def test_organization_unit_endpoint(client, units):
    client.force_login(units.town_user)
    branch = units.branch_a2
    url = f"/api/organizations/{branch.pk}/unit/"
    refused = client.post(url, {"version": branch.version, "unit_relation": "法人单位", "unit_code": "U-B-E"},
                          content_type="application/json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["column"] == "所在单位"
    ok = client.post(url, {"version": branch.version, "unit_relation": "法人单位", "unit_code": "U-A-E"},
                     content_type="application/json")
    assert ok.status_code == 200
    assert (ok.json()["unit_relation"], ok.json()["unit_code"]) == ("legal_entity_unit", "U-A-E")
