"""民主评议党员 result entry (issue #11): the page reached from a 民主评议党员 meeting (every member in one
transaction, all-or-nothing, already recorded results shown and not written twice), the 年报 第八表 figures
that count what it records, scope (a foreign meeting is a 404; the API list holds no foreign rows) and the API.

Fixture tree (``tests/factories.build_tree``): branch A1 (C-A-1) has 张伟 and 李娜 (member since 2024-06-20);
branch B1 (C-B-1) has 阿依古丽. ``branch_user`` is the 支部书记 of A1, ``branch_b_user`` the one of B1."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD
from zugong.audit.models import AuditEvent
from zugong.life import services
from zugong.life.evaluations import member_evaluation_record
from zugong.life.models import MemberEvaluation
from zugong.reports.life_stats import LifeContext, table_8

DAY = dt.date(2025, 1, 10)  # both A1 members on the roster


def _login(username: str) -> Client:
    client = Client()
    client.login(username=username, password=PASSWORD)
    return client


def _meeting(tree, org=None, actor=None, meeting_type="member_evaluation"):
    return services.meeting_record(actor=actor or tree.branch_user, organization=org or tree.branch_a1,
                                   meeting_type=meeting_type, date=DAY, topic="2025年度民主评议党员").meeting


def _snapshot():
    return (MemberEvaluation.objects.count(),
            AuditEvent.objects.filter(kind="member_evaluation_record").count())


def _url(meeting):
    return reverse("life:member_evaluation_entry", args=[meeting.pk])


def _table_8(tree, year=2025):
    ctx = LifeContext(user=tree.county_user, root=tree.town_a, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    return table_8(ctx)["数据"]


def test_page_records_every_member_and_table_8_counts_them(tree):
    meeting = _meeting(tree)
    client = _login("branch_a1")
    detail = client.get(reverse("life:meeting_detail", args=[meeting.pk])).content.decode()
    assert "登记评议结果" in detail and _url(meeting) in detail
    page = client.get(_url(meeting))
    body = page.content.decode()
    zhang, li = tree.member_a1_1.pk, tree.member_a1_2.pk
    assert page.status_code == 200 and "张伟" in body and "李娜" in body
    assert f'name="r_{zhang}"' in body and '<option value="qualified" selected>' in body
    response = client.post(_url(meeting), {"year": "2025", f"r_{zhang}": "excellent", f"h_{zhang}": "",
                                           f"r_{li}": "unqualified", f"h_{li}": "rectify"})
    assert response.status_code == 302 and response["Location"] == reverse("life:meeting_detail", args=[meeting.pk])
    rows = {e.person_id: (e.result, e.handling, e.year, e.meeting_id, e.organization_id)
            for e in MemberEvaluation.objects.all()}
    assert rows == {zhang: ("excellent", "", 2025, meeting.pk, tree.branch_a1.pk),
                    li: ("unqualified", "rectify", 2025, meeting.pk, tree.branch_a1.pk)}
    assert _snapshot() == (2, 2)
    data = _table_8(tree)
    assert data["结束评议的支部"]["总数"] == 1 and data["参加评议的党员"]["总数"] == 2
    assert data["表彰党员"]["总数"] == 1 and data["被评定为不合格党员"]["总数"] == 1 and data["限期改正"]["总数"] == 1


def test_other_meeting_types_have_no_entry(tree):
    meeting = _meeting(tree, meeting_type="general_meeting")
    client = _login("branch_a1")
    assert "登记评议结果" not in client.get(reverse("life:meeting_detail", args=[meeting.pk])).content.decode()
    page = client.get(_url(meeting))
    assert page.status_code == 200 and "不是民主评议党员会议" in page.content.decode()
    assert 'name="r_' not in page.content.decode()
    before = _snapshot()
    zhang = tree.member_a1_1.pk
    refused = client.post(_url(meeting), {"year": "2025", f"r_{zhang}": "qualified"})
    assert refused.status_code == 400 and "不是民主评议党员会议" in refused.content.decode()
    assert _snapshot() == before


def test_a_bad_row_writes_nothing(tree):
    meeting = _meeting(tree)
    client = _login("branch_a1")
    zhang, li = tree.member_a1_1.pk, tree.member_a1_2.pk
    before = _snapshot()
    response = client.post(_url(meeting), {"year": "2025", f"r_{zhang}": "excellent", f"h_{zhang}": "",
                                           f"r_{li}": "unqualified", f"h_{li}": ""})
    assert response.status_code == 400
    body = response.content.decode()
    assert "李娜" in body and "组织处置" in body
    assert any("李娜" in line and "组织处置" in line for line in response.context["errors"])
    assert _snapshot() == before


def test_a_foreign_organizations_meeting_is_404(tree):
    foreign = _meeting(tree, org=tree.branch_b1, actor=tree.branch_b_user)
    client = _login("branch_a1")
    before = _snapshot()
    assert client.get(_url(foreign)).status_code == 404
    member = tree.member_b1_1.pk
    assert client.post(_url(foreign), {"year": "2025", f"r_{member}": "qualified"}).status_code == 404
    assert _snapshot() == before


def test_recorded_results_are_shown_and_not_written_twice(tree):
    meeting = _meeting(tree)
    zhang, li = tree.member_a1_1, tree.member_a1_2
    member_evaluation_record(user=tree.branch_user, person_id=zhang.pk, organization_id=tree.branch_a1.pk,
                             year=2025, result="优秀")
    client = _login("branch_a1")
    body = client.get(_url(meeting)).content.decode()
    assert "已登记：优秀" in body and f'name="r_{zhang.pk}"' not in body and f'name="r_{li.pk}"' in body
    # the previous 评议年度 (the year select refreshes the list): nothing recorded for 2024 yet
    earlier = client.get(_url(meeting), {"year": "2024"}).content.decode()
    assert '<option value="2024" selected>' in earlier and f'name="r_{zhang.pk}"' in earlier
    assert "已登记：优秀" not in earlier
    # a stale form still posting 张伟 cannot add a second result: the form only takes the members to do
    response = client.post(_url(meeting), {"year": "2025", f"r_{zhang.pk}": "qualified", f"r_{li.pk}": "qualified"})
    assert response.status_code == 302
    assert list(MemberEvaluation.objects.filter(person=zhang).values_list("result", flat=True)) == ["excellent"]
    assert MemberEvaluation.objects.get(person=li).result == "qualified"
    # the API answers a duplicate with the service's message and writes nothing
    api = _login("branch_a1")
    before = _snapshot()
    answer = api.post(reverse("api:member-evaluation-list"), {"organization": "C-A-1", "person_id": li.pk,
                                                              "year": "2025", "result": "合格"},
                      content_type="application/json")
    assert answer.status_code == 400 and "已经登记" in answer.json()["detail"]
    assert _snapshot() == before


def test_api_records_one_result_and_refuses_bad_input(tree):
    client = _login("branch_a1")
    url = reverse("api:member-evaluation-list")
    before = _snapshot()
    bad = client.post(url, {"organization": "C-A-1", "person_id": tree.member_a1_1.pk, "year": "2025",
                            "result": "不合格"}, content_type="application/json")
    assert bad.status_code == 400 and "组织处置" in str(bad.json())
    assert _snapshot() == before
    foreign = client.post(url, {"organization": "C-B-1", "person_id": tree.member_b1_1.pk, "year": "2025",
                                "result": "合格"}, content_type="application/json")
    assert foreign.status_code == 404 and _snapshot() == before
    ok = client.post(url, {"organization": "C-A-1", "person_id": tree.member_a1_1.pk, "year": "2025",
                           "result": "不合格", "handling": "限期改正"}, content_type="application/json")
    assert ok.status_code == 201
    assert (ok.json()["name"], ok.json()["result"], ok.json()["handling"]) == ("张伟", "unqualified", "rectify")
    assert _snapshot() == (1, 1)


def test_api_list_is_scoped(tree):
    mine = member_evaluation_record(user=tree.county_user, person_id=tree.member_a1_1.pk,
                                    organization_id=tree.branch_a1.pk, year=2025, result="合格")
    theirs = member_evaluation_record(user=tree.county_user, person_id=tree.member_b1_1.pk,
                                      organization_id=tree.branch_b1.pk, year=2025, result="优秀")
    url = reverse("api:member-evaluation-list")
    other = _login("branch_b1")
    assert [r["id"] for r in other.get(url).json()["results"]] == [theirs.pk]
    assert other.get(url, {"org": "C-A-1"}).json()["results"] == []
    assert "张伟" not in other.get(url, {"year": "2025"}).content.decode()
    county = _login("county")
    assert {r["id"] for r in county.get(url).json()["results"]} == {mine.pk, theirs.pk}
    assert [r["id"] for r in county.get(url, {"org": "C-A-1", "year": "2025"}).json()["results"]] == [mine.pk]
    assert county.get(url, {"year": "2024"}).json()["results"] == []


@pytest.fixture(autouse=True)
def _db(db):
    return db
