"""组织关系转接 API ``/api/transfers/``: list of both sides (no foreign rows), start (by id or code), accept /
return / cancel with the page's rules (400 by field, 404 outside, 409 stale), the member's visibility in
``/api/members/`` moving only on acceptance."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from zugong.party import transfers
from zugong.party.models import MembershipEvent, MembershipTransfer

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def api(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def members(user) -> set[int]:
    return {row["person_id"] for row in api(user).get("/api/members/?page_size=500").json()["results"]}


def test_start_accept_moves_the_member_between_the_sides(tree):
    zhang = tree.member_a1_1.pk
    sender, receiver = api(tree.branch_user), api(tree.branch_b_user)
    response = post(sender, "/api/transfers/", {"person_id": zhang, "to_organization_code": "C-B-1",
                                                "date": TODAY.isoformat(), "note": "工作调动"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["state"], data["direction"], data["from_organization"]["code"], data["to_organization"]["code"],
            data["person"]["name"], data["note"]) == ("pending", "internal", "C-A-1", "C-B-1", "张伟", "工作调动")
    assert "*" in data["person"]["id_number_masked"] and "id_number" not in data["person"]
    assert data["person"]["category"] == "full" and data["person"]["sex_label"] == "男"
    pk = data["id"]
    assert zhang in members(tree.branch_user) and zhang not in members(tree.branch_b_user)
    assert receiver.get(f"/api/members/{zhang}/").status_code == 404
    assert ids(receiver.get("/api/transfers/?box=incoming")) == {pk}
    assert ids(receiver.get("/api/transfers/?box=outgoing")) == set()
    assert receiver.get(f"/api/transfers/{pk}/").json()["person"]["name"] == "张伟"

    response = post(sender, f"/api/transfers/{pk}/accept/", {"version": data["version"], "date": TODAY.isoformat()})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 0, "column": "接收党组织",
                                          "reason": "只有接收方「乙镇机关党支部」可以接收；接收党组织不在您的管理范围内"}]
    response = post(receiver, f"/api/transfers/{pk}/accept/", {"version": data["version"] + 1, "date": TODAY.isoformat()})
    assert response.status_code == 409
    response = post(receiver, f"/api/transfers/{pk}/accept/", {"version": data["version"], "date": TODAY.isoformat()})
    assert response.status_code == 200, response.content
    assert (response.json()["state"], response.json()["decided_date"]) == ("accepted", TODAY.isoformat())
    assert MembershipEvent.objects.get(person_id=zhang).kind == "transfer"
    assert zhang in members(tree.branch_b_user) and zhang not in members(tree.branch_user)
    assert receiver.get(f"/api/members/{zhang}/").status_code == 200
    assert sender.get(f"/api/members/{zhang}/").status_code == 404
    assert sender.get(f"/api/transfers/{pk}/").json()["state"] == "accepted"  # the sender keeps its record


def test_start_errors(tree):
    client = api(tree.branch_user)
    response = post(client, "/api/transfers/", {"person_id": tree.member_a1_1.pk, "to_organization": tree.branch_a1.pk,
                                                "date": TODAY.isoformat()})
    assert response.status_code == 400
    assert response.json()["errors"] == [{"row": 0, "column": "接收党组织",
                                          "reason": "接收党组织「甲镇机关党支部」与现所在党组织相同"}]
    response = post(client, "/api/transfers/", {"person_id": tree.member_a1_1.pk, "to_organization_code": "NOPE",
                                                "date": TODAY.isoformat()})
    assert response.status_code == 400 and response.json()["errors"][0]["reason"] == "组织代码「NOPE」不存在"
    response = post(client, "/api/transfers/", {"person_id": tree.member_a1_1.pk, "to_organization": tree.branch_b1.pk})
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "转接日期"
    response = post(client, "/api/transfers/", {"person_id": tree.member_b1_1.pk, "to_organization": tree.branch_a2.pk,
                                                "date": TODAY.isoformat()})
    assert response.status_code == 404
    assert not MembershipTransfer.objects.exists()


def test_list_contents_and_no_foreign_rows(tree):
    day = TODAY - dt.timedelta(days=1)
    t1 = transfers.transfer_start(user=tree.branch_user, person_id=tree.member_a1_1.pk,
                                  to_organization_id=tree.branch_b1.pk, date=day)
    t2 = transfers.transfer_start(user=tree.town_user, person_id=tree.member_a2_1.pk,
                                  to_organization_id=tree.branch_a1.pk, date=day)
    t3 = transfers.transfer_start(user=tree.branch_b_user, person_id=tree.member_b1_1.pk,
                                  to_organization_id=tree.town_b.pk, date=day)
    assert ids(api(tree.branch_user).get("/api/transfers/")) == {t1.pk, t2.pk}
    assert ids(api(tree.branch_b_user).get("/api/transfers/")) == {t1.pk, t3.pk}
    assert ids(api(tree.branch_b_user).get("/api/transfers/?state=accepted")) == set()
    assert ids(api(tree.county_user).get("/api/transfers/?name=王")) == {t2.pk}
    assert api(tree.branch_b_user).get(f"/api/transfers/{t2.pk}/").status_code == 404
    for pk in (t2.pk,):  # neither side of branch B1: every decision is a 404
        for action in ("accept", "return", "cancel"):
            assert post(api(tree.branch_b_user), f"/api/transfers/{pk}/{action}/",
                        {"version": 1, "date": TODAY.isoformat(), "reason": "x"}).status_code == 404


def test_return_and_cancel(tree):
    t = transfers.transfer_start(user=tree.branch_user, person_id=tree.member_a1_1.pk,
                                 to_organization_id=tree.branch_b1.pk, date=TODAY)
    receiver = api(tree.branch_b_user)
    response = post(receiver, f"/api/transfers/{t.pk}/return/", {"version": t.version, "reason": ""})
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "退回原因"
    response = post(receiver, f"/api/transfers/{t.pk}/return/", {"version": t.version, "reason": "材料不全"})
    assert response.status_code == 200 and response.json()["return_reason"] == "材料不全"
    response = post(api(tree.branch_user), f"/api/transfers/{t.pk}/cancel/", {"version": t.version + 1})
    assert response.status_code == 400 and response.json()["errors"][0]["reason"] == "该转接已退回，不能再办理"
    t2 = transfers.transfer_start(user=tree.branch_user, person_id=tree.member_a1_1.pk,
                                  to_organization_id=tree.branch_b1.pk, date=TODAY)
    response = post(receiver, f"/api/transfers/{t2.pk}/cancel/", {"version": t2.version})
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "转出党组织"
    response = post(api(tree.branch_user), f"/api/transfers/{t2.pk}/cancel/", {"version": t2.version})
    assert response.status_code == 200 and response.json()["state"] == "cancelled"


def test_schema_documents_the_routes(tree):
    schema = api(tree.branch_user).get("/api/schema/?format=json").json()
    for path in ("/api/transfers/", "/api/transfers/{id}/", "/api/transfers/{id}/accept/", "/api/transfers/{id}/return/",
                 "/api/transfers/{id}/cancel/"):
        assert path in schema["paths"], path


def test_list_query_count_does_not_grow_with_the_rows(tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_member

    def count(n_extra: int) -> int:
        for i in range(n_extra):
            person = make_member(tree.branch_a1, f"测试{i}")
            transfers.transfer_start(user=tree.branch_user, person_id=person.pk, to_organization_id=tree.branch_b1.pk,
                                     date=TODAY)
        client = api(tree.branch_b_user)
        with CaptureQueriesContext(connection) as api_queries:
            assert client.get("/api/transfers/").status_code == 200
        with CaptureQueriesContext(connection) as page_queries:
            assert client.get("/party/transfers/").status_code == 200
        return len(api_queries), len(page_queries)

    assert count(2) == count(5)
