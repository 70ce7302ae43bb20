"""Writable /api/organizations/: create, PATCH with version (409 naming who changed what), move, dissolve,
reactivate, ?search= — the same services as the pages; nothing written on any refusal."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.orgs.test_services import snapshot
from zugong.orgs.models import PartyOrganization
from zugong.orgs.services import organization_create

pytestmark = pytest.mark.django_db
LIST = "/api/organizations/"


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_create_and_patch(client, tree):
    client.force_login(tree.town_user)
    response = post(client, LIST, {"parent_code": "C-A", "code": "C-A-3", "name": "甲镇西村党支部", "org_type": "branch",
                                   "founded_date": "2001-07-01"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["parent_code"] == "C-A" and body["version"] == 1
    url = f"{LIST}{body['id']}/"
    response = client.patch(url, {"version": 1, "name": "甲镇西村第一党支部"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["name"] == "甲镇西村第一党支部"
    assert response.json()["version"] == 2
    assert client.put(url, {"version": 2}, content_type="application/json").status_code == 405


def test_create_under_org_outside_scope_is_404(client, tree):
    client.force_login(tree.town_user)
    before = snapshot()
    response = post(client, LIST, {"parent_code": "C-B", "code": "X", "name": "x", "org_type": "branch"})
    assert response.status_code == 404
    assert snapshot() == before


def test_bad_values_are_400_with_fields(client, tree):
    client.force_login(tree.town_user)
    before = snapshot()
    response = post(client, LIST, {"parent_code": "C-A", "code": "C-A-1", "name": "x", "org_type": "nope"})
    assert response.status_code == 400
    columns = {e["column"] for e in response.json()["errors"]}
    assert columns == {"组织代码", "组织类别"}
    assert snapshot() == before


def test_stale_patch_is_409_naming_who_changed_what(client, tree):
    client.force_login(tree.county_user)
    url = f"{LIST}{tree.branch_a1.pk}/"
    assert client.patch(url, {"version": 1, "name": "改名"}, content_type="application/json").status_code == 200
    client.force_login(tree.town_user)
    before = snapshot()
    response = client.patch(url, {"version": 1, "founded_date": "1961-01-01"}, content_type="application/json")
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert "county" in detail and "组织名称" in detail and "未保存" in detail
    assert snapshot() == before


def test_move_dissolve_reactivate(client, tree):
    client.force_login(tree.county_user)
    response = post(client, f"{LIST}{tree.branch_a1.pk}/move/", {"new_parent_code": "C-B", "version": 1})
    assert response.status_code == 200 and response.json()["parent_code"] == "C-B"
    before = snapshot()
    response = post(client, f"{LIST}{tree.town_b.pk}/move/", {"new_parent_code": "C-A-1", "version": 1})
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "上级组织"
    response = post(client, f"{LIST}{tree.branch_a1.pk}/dissolve/", {"date": "2024-12-31", "reason": "撤并", "version": 2})
    assert response.status_code == 400 and "张伟" in response.json()["detail"]
    assert snapshot() == before

    empty = organization_create(user=tree.county_user, parent=tree.town_a, code="C-A-9", name="空支部",
                                org_type="branch", founded_date=dt.date(2000, 1, 1))
    url = f"{LIST}{empty.pk}/"
    future = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    response = post(client, f"{url}dissolve/", {"date": future, "reason": "撤并", "version": 1})
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "撤销日期"
    response = post(client, f"{url}dissolve/", {"date": "2024-06-30", "reason": "撤并", "version": 1})
    assert response.status_code == 200 and response.json()["status"] == "dissolved"
    assert response.json()["dissolution_reason"] == "撤并"
    assert post(client, f"{url}reactivate/", {"version": 1}).status_code == 409
    response = post(client, f"{url}reactivate/", {"version": 2})
    assert response.status_code == 200 and response.json()["status"] == "active"
    assert PartyOrganization.objects.get(pk=empty.pk).version == 3


def test_search_within_scope(client, tree):
    client.force_login(tree.town_user)
    codes = lambda q: [o["code"] for o in client.get(LIST, {"search": q}).json()["results"]]  # noqa: E731
    assert codes("机关") == ["C-A-1"]
    assert codes("C-A-") == ["C-A-1", "C-A-2"]
    assert codes("甲镇 东村") == ["C-A-2"]
    assert codes("乙镇") == [] and codes("C-B-1") == []


def test_create_and_patch_take_names_as_well_as_codes(client, tree):
    """组织类别/单位属性 as the error message lists them (党支部, 乡镇), like the importer and /api/people/."""
    client.force_login(tree.town_user)
    response = post(client, LIST, {"parent_code": "C-A", "code": "C-A-7", "name": "甲镇南村党支部", "org_type": "党支部",
                                   "unit_category": "行政村"})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["org_type"], body["unit_category"]) == ("branch", "village")
    response = client.patch(f"{LIST}{body['id']}/", {"version": 1, "org_type": "联合党支部", "unit_category": ""},
                            content_type="application/json")
    assert response.status_code == 200 and response.json()["org_type"] == "joint_branch"
    response = post(client, LIST, {"parent_code": "C-A", "code": "C-A-8", "name": "x", "org_type": "小组"})
    assert response.status_code == 400 and "党支部" in response.json()["errors"][0]["reason"]
