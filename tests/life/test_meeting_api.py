"""组织生活会议 API (``/api/meetings/``, ``life.api.views``): list with filters (no foreign rows), create through
the same service (with the warning), detail with attendance nested, PATCH with version (409 stale), delete
with a reason (a 支部书记 cannot)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import PASSWORD
from zugong.life import services
from zugong.life.models import Meeting

DAY = dt.date(2025, 1, 10)


def _login(client, username):
    client.login(username=username, password=PASSWORD)
    return client


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def meetings(tree):
    a = services.meeting_record(actor=tree.town_user, organization=tree.branch_a1, meeting_type="党课", date=DAY,
                                topic="甲支部党课").meeting
    a2 = services.meeting_record(actor=tree.town_user, organization=tree.branch_a2, meeting_type="支部党员大会",
                                 date=dt.date(2024, 5, 1), topic="东村大会").meeting
    b = services.meeting_record(actor=tree.branch_b_user, organization=tree.branch_b1, meeting_type="党课", date=DAY,
                                topic="乙支部党课").meeting
    return a, a2, b


def test_list_filters_and_no_foreign_rows(tree, client, meetings):
    a, a2, b = meetings
    _login(client, "town_a")
    url = reverse("api:meeting-list")
    ids = [r["id"] for r in client.get(url).json()["results"]]
    assert set(ids) == {a.pk, a2.pk}
    assert [r["id"] for r in client.get(url, {"org": "C-A-1"}).json()["results"]] == [a.pk]
    assert [r["id"] for r in client.get(url, {"type": "党课"}).json()["results"]] == [a.pk]
    assert [r["id"] for r in client.get(url, {"type": "general_meeting"}).json()["results"]] == [a2.pk]
    assert [r["id"] for r in client.get(url, {"date_from": "2025-01-01", "date_to": "2025-12-31"}).json()["results"]] == [a.pk]
    assert [r["id"] for r in client.get(url, {"period": "2024"}).json()["results"]] == [a2.pk]
    assert client.get(url, {"org": "C-B-1"}).json()["results"] == []
    assert client.get(reverse("api:meeting-detail", args=[b.pk])).status_code == 404


def test_create_with_attendance_and_detail(tree, client):
    _login(client, "branch_a1")
    body = {"organization": "C-A-1", "meeting_type": "支委会", "date": "2025-01-10", "topic": "研究发展对象",
            "presenter": "张伟", "recorder": "李娜",
            "attendance": [{"person_id": tree.member_a1_2.pk, "status": "缺席", "reason": "出差"}]}
    response = _post(client, reverse("api:meeting-list"), body)
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["expected_count"], data["attended_count"], data["meeting_type"]) == (2, 1, "committee_meeting")
    assert data["warnings"] and "班子成员不足" in data["warnings"][0]
    detail = client.get(reverse("api:meeting-detail", args=[data["id"]])).json()
    absent = [r for r in detail["attendance"] if r["status"] == "absent"]
    assert [(r["name"], r["reason"]) for r in absent] == [("李娜", "出差")]
    assert {r["name"] for r in detail["attendance"]} == {"张伟", "李娜"}


def test_create_bad_input_and_foreign_org(tree, client):
    _login(client, "branch_a1")
    url = reverse("api:meeting-list")
    bad = _post(client, url, {"organization": "C-A-1", "meeting_type": "党员大会", "date": "2025-01-10", "topic": "x",
                              "expected_count": 3, "attended_count": 4})
    assert bad.status_code == 400 and bad.json()["errors"][0]["column"] == "实到人数"
    foreign = _post(client, url, {"organization": "C-B-1", "meeting_type": "党员大会", "date": "2025-01-10", "topic": "x"})
    assert foreign.status_code == 404
    assert not Meeting.objects.exists()


def test_patch_with_version_and_stale_409(tree, client, meetings):
    a = meetings[0]
    _login(client, "branch_a1")
    url = reverse("api:meeting-detail", args=[a.pk])
    ok = client.patch(url, {"version": 1, "topic": "改过的主题"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["topic"] == "改过的主题" and ok.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "topic": "旧版本"}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["conflict"]
    a.refresh_from_db()
    assert a.topic == "改过的主题"


def test_delete_needs_permission_and_reason(tree, client, meetings):
    a = meetings[0]
    url = reverse("api:meeting-remove", args=[a.pk])
    _login(client, "branch_a1")
    assert _post(client, url, {"reason": "重复"}).status_code in (403, 404)
    assert Meeting.objects.filter(pk=a.pk).exists()
    client.logout()
    _login(client, "town_a")
    assert _post(client, url, {}).status_code == 400
    assert _post(client, url, {"reason": "重复录入"}).status_code == 200
    assert not Meeting.objects.filter(pk=a.pk).exists()
