"""党员变动 API: ``GET/POST /api/members/{person_id}/events/`` — the events of a person with the person's
version, and one event recorded through ``party.services.event_record``: 201 with the event; 400 with every
problem by field and article, nothing written; 404 for a person or an organization outside the scope; 409 on a
stale version naming who changed the record."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.party.test_lifecycle import snapshot
from zugong.party.models import Membership, MembershipEvent
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
D = dt.date


def url(person) -> str:
    return f"/api/members/{person.pk}/events/"


def post(client, person, data):
    return client.post(url(person), data, content_type="application/json")


def test_record_and_list_events(client, tree):
    member = tree.member_a1_2  # probationary, admitted 2024-06-20
    client.force_login(tree.branch_user)
    listed = client.get(url(member))
    assert listed.status_code == 200
    body = listed.json()
    assert (body["person_id"], body["events"]) == (member.pk, [])
    version = body["version"]
    response = post(client, member, {"version": version, "kind": "full_membership", "detail": "延长预备期",
                                     "extension_months": "半年", "date": "2025-06-20", "document_number": "甲党〔2025〕3号"})
    assert response.status_code == 201, response.content
    event = response.json()
    assert (event["kind"], event["kind_label"], event["detail"], event["detail_label"], event["extension_months"]) == (
        "full_membership", "转正", "extended", "延长预备期", 6)
    assert event["from_organization"]["code"] == "C-A-1" and event["to_organization"] is None
    assert event["document_number"] == "甲党〔2025〕3号"
    response = post(client, member, {"version": version + 1, "kind": "full_membership", "detail": "after_extension",
                                     "date": "2025-12-20"})
    assert response.status_code == 201
    body = client.get(url(member)).json()
    assert [(e["date"], e["detail"]) for e in body["events"]] == [("2025-06-20", "extended"),
                                                                   ("2025-12-20", "after_extension")]
    assert body["version"] == version + 2


def test_bad_input_is_400_with_every_problem_and_nothing_written(client, tree):
    member = tree.member_a1_1
    client.force_login(tree.town_user)
    before = snapshot()
    response = post(client, member, {"kind": "reinstatement", "date": "2025-01-02", "to_organization": tree.branch_a2.pk})
    assert response.status_code == 400
    errors = {e["column"]: e["reason"] for e in response.json()["errors"]}
    assert errors["变动类型"].startswith("「张伟」没有出党或停止党籍的记录，不能恢复党籍")
    assert "《党员教育管理工作条例》第二十四条" in errors["变动类型"]
    assert "「变动类型」：「张伟」没有出党或停止党籍的记录" in response.json()["detail"]
    response = post(client, member, {"kind": "exit", "date": "2025-01-02"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["column"] == "变动情形"
    response = post(client, member, {"date": "2025-01-02"})  # the serializer: a required field missing
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "变动类型"
    response = post(client, member, {"kind": "death", "date": "二〇二五年"})
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "变动日期"
    assert snapshot() == before


def test_out_of_scope_is_404(client, tree):
    client.force_login(tree.branch_b_user)  # 乙镇机关党支部 secretary
    before = snapshot()
    assert client.get(url(tree.member_a1_1)).status_code == 404
    response = post(client, tree.member_a1_1, {"kind": "death", "date": "2025-01-02"})
    assert response.status_code == 404 and "张伟" not in response.content.decode()
    assert client.get("/api/members/99999999/events/").status_code == 404
    client.force_login(tree.town_user)
    member = tree.member_a1_1
    assert post(client, member, {"kind": "suspension", "date": "2024-03-01"}).status_code == 201
    before = snapshot()
    response = post(client, member, {"kind": "reinstatement", "detail": "after_suspension", "date": "2025-01-02",
                                     "to_organization": tree.branch_b1.pk})  # a receiving branch outside the scope
    assert response.status_code == 404
    assert snapshot() == before


def test_stale_version_is_409_naming_who_changed_it(client, tree):
    member = tree.member_a1_1
    client.force_login(tree.town_user)
    version = client.get(url(member)).json()["version"]
    other = client.__class__()
    other.force_login(tree.county_user)
    assert post(other, member, {"version": version, "kind": "suspension", "date": "2024-03-01"}).status_code == 201
    before = snapshot()
    response = post(client, member, {"version": version, "kind": "death", "date": "2025-01-02"})
    assert response.status_code == 409
    body = response.json()
    assert body["detail"].startswith("该记录已被他人修改") and body["conflict"]["changed_by"] == "county"
    assert snapshot() == before
    assert not MembershipEvent.objects.filter(person=member, kind="death").exists()


def test_admission_of_a_visible_person_without_a_party_record(client, tree):
    from tests.factories import make_id
    from zugong.people.services import person_create

    birth = D(2000, 8, 8)
    person = person_create(user=tree.town_user, organization_id=tree.branch_a2.pk, name="韩雪", sex="2",
                           ethnicity="01", birth_date=birth, id_number=make_id(birth, "2"), political_status="03")
    client.force_login(tree.town_user)
    assert client.get(url(person)).json()["events"] == []
    response = post(client, person, {"kind": "发展党员", "date": "2025-07-01", "to_organization": tree.branch_a2.pk})
    assert response.status_code == 201, response.content
    assert response.json()["to_organization"]["name"] == "甲镇东村党支部"
    assert Membership.objects.get(person=person).start_date == D(2025, 7, 1)
    assert Person.objects.get(pk=person.pk).political_status == "02"


def test_schema_documents_the_route(client, tree):
    client.force_login(tree.county_user)
    schema = client.get("/api/schema/").content.decode()
    assert "/api/members/{person_id}/events/" in schema and "党员变动" in schema
