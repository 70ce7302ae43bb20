"""Member record API: ``POST /api/people/`` (person or party member), ``/api/members/{id}/record/``,
``transfer/``, ``full-membership/``, ``end/`` — the services behind the pages; 400 with errors by field,
404 outside the scope, 409 on a stale version; the schema documents them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_id
from zugong.party.models import Membership, PartyMember
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
D = dt.date


def body(tree, **overrides) -> dict:
    birth = D(1987, 12, 1)
    values = {"organization": tree.branch_a1.pk, "name": "郑佳", "sex": "女", "ethnicity": "汉族",
              "id_number": make_id(birth, "2"), "birth_date": birth.isoformat(), "education_level": "大学本科",
              "admission_date": "2012-07-01", "full_membership_date": "2013-07-01", "category": "full",
              "occupation": "企事业单位、社会组织管理人员", "phone": "13900001111"}
    values.update(overrides)
    return values


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_create_member_and_person(client, tree):
    client.force_login(tree.branch_user)
    response = post(client, "/api/people/", body(tree))
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["political_status"] == "01" and data["organization_code"] == "C-A-1"
    assert "id_number" not in data and "13900001111" not in response.content.decode()
    assert Membership.objects.get(person_id=data["id"]).occupation == "manager"
    birth = D(1970, 2, 2)
    response = post(client, "/api/people/", {"organization": tree.branch_a1.pk, "name": "冯林", "sex": "1",
                                             "ethnicity": "01", "id_number": make_id(birth, "1"),
                                             "birth_date": birth.isoformat(), "political_status": "13"})
    assert response.status_code == 201 and not PartyMember.objects.filter(pk=response.json()["id"]).exists()


def test_create_bad_input_and_scope(client, tree):
    client.force_login(tree.branch_user)
    before = Person.objects.count()
    response = post(client, "/api/people/", body(tree, sex="男", full_membership_date="2013-01-01"))
    assert response.status_code == 400
    columns = {e["column"] for e in response.json()["errors"]}
    assert columns == {"性别", "转正日期"}
    response = post(client, "/api/people/", body(tree, organization=tree.branch_b1.pk))
    assert response.status_code == 404
    assert Person.objects.count() == before


def test_record_and_transfer_with_version(client, tree):
    client.force_login(tree.town_user)
    pk = tree.member_a1_1.pk
    record = client.get(f"/api/members/{pk}/record/").json()
    [period] = record["memberships"]
    assert period["organization"]["code"] == "C-A-1" and period["end_date"] is None
    today = timezone.localdate().isoformat()
    response = post(client, f"/api/members/{pk}/transfer/", {"version": period["version"] + 1,
                                                             "to_organization": tree.branch_a2.pk, "date": today})
    assert response.status_code == 409 and "已被他人修改" in response.json()["detail"]
    response = post(client, f"/api/members/{pk}/transfer/", {"version": period["version"],
                                                             "to_organization": tree.branch_a1.pk, "date": today})
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "转入党组织"
    response = post(client, f"/api/members/{pk}/transfer/", {"version": period["version"],
                                                             "to_organization": tree.branch_b1.pk, "date": today})
    assert response.status_code == 404
    response = post(client, f"/api/members/{pk}/transfer/", {"version": period["version"],
                                                             "to_organization": tree.branch_a2.pk, "date": today})
    assert response.status_code == 200
    codes = [(m["organization"]["code"], m["end_reason"]) for m in response.json()["memberships"]]
    assert codes == [("C-A-1", "transfer"), ("C-A-2", "")]


def test_full_membership_and_end(client, tree):
    client.force_login(tree.branch_user)
    pk = tree.member_a1_2.pk
    record = client.get(f"/api/members/{pk}/record/").json()
    response = post(client, f"/api/members/{pk}/full-membership/",
                    {"version": record["version"], "full_membership_date": "2025-01-01"})
    assert response.status_code == 400 and "不足一年" in response.json()["errors"][0]["reason"]
    response = post(client, f"/api/members/{pk}/full-membership/",
                    {"version": record["version"], "full_membership_date": "2025-06-20"})
    assert response.status_code == 200 and response.json()["full_membership_date"] == "2025-06-20"
    [period] = response.json()["memberships"]
    response = post(client, f"/api/members/{pk}/end/", {"version": period["version"], "end_date": "2025-08-01",
                                                        "reason": "withdrawal"})
    assert response.status_code == 200 and response.json()["memberships"][0]["end_reason"] == "withdrawal"


def test_out_of_scope_member_actions_are_404(client, tree):
    client.force_login(tree.branch_b_user)
    pk = tree.member_a1_2.pk
    assert client.get(f"/api/members/{pk}/record/").status_code == 404
    for action, data in (("transfer", {}), ("full-membership", {}), ("end", {})):
        assert post(client, f"/api/members/{pk}/{action}/", data).status_code == 404


def test_schema_documents_the_new_endpoints(client, tree):
    client.force_login(tree.county_user)
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "post" in paths["/api/people/"]
    for action in ("record", "transfer", "full-membership", "end"):
        assert f"/api/members/{{person_id}}/{action}/" in paths, action
