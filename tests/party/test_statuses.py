"""党员状态 (``MemberStatus``, issue #10): 流动党员, 失联党员, 出国（境） — the services' rules
(``party.statuses``), the pages on the person page and the API; each refusal names its field, and nothing is
written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_member
from zugong.audit.models import AuditEvent
from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed
from zugong.party.models import Membership, MemberStatus
from zugong.party.statuses import member_statuses_of, status_end, status_start, statuses_on

D = dt.date
TODAY = dt.date.today()


def _errors(caught) -> dict[str, str]:
    return {e.column: e.reason for e in caught.value.errors}


def _mobile(t, person, **kwargs):
    data = dict(user=t.town_user, person_id=person.pk, kind="mobile", start_date=D(2023, 3, 1),
                flow_scope="跨省流动", destination_type="私营企业", destination="广东深圳")
    data.update(kwargs)
    return status_start(**data)


def test_start_records_the_status_at_the_members_organization(tree):
    t = tree
    worker = make_member(t.branch_a2, "外出务工者", occupation="worker")
    status = _mobile(t, worker, has_certificate="是")
    status.refresh_from_db()
    assert (status.kind, status.start_date, status.end_date, status.organization) == ("mobile", D(2023, 3, 1), None,
                                                                                       t.branch_a2)
    assert (status.flow_scope, status.destination_type, status.destination, status.has_certificate) == (
        "cross_province", "nonpublic_private", "广东深圳", True)
    assert status.original_occupation == "skilled_worker"  # from the 工作岗位 (第三十三表 原职业)
    event = AuditEvent.objects.filter(kind="member_status_start").latest("pk")
    assert event.object_id == str(status.pk) and event.data["kind"] == "mobile"
    lost = status_start(user=t.town_user, person_id=t.member_a2_1.pk, kind="失联党员", start_date="2022-05-01",
                        lost_situation="外出务工经商")
    assert (lost.kind, lost.lost_situation) == ("lost_contact", "migrant_work")
    assert set(MemberStatus.objects.filter(statuses_on(D(2023, 6, 1))).values_list("pk", flat=True)) == {status.pk,
                                                                                                        lost.pk}
    assert not MemberStatus.objects.filter(statuses_on(D(2022, 4, 30))).exists()


@pytest.mark.parametrize(("kwargs", "field", "words"), [
    ({"kind": "休假"}, "党员状态", "无法识别"),
    ({"flow_scope": ""}, "流动范围", "必填项为空"),
    ({"destination_type": "月球"}, "外出流向", "无法识别的外出流向"),
    ({"lost_situation": "出国（境）"}, "失去联系情形", "不适用于流动党员"),
    ({"start_date": ""}, "外出日期", "必填项为空"),
    ({"start_date": (TODAY + dt.timedelta(days=3)).isoformat()}, "外出日期", "晚于今天"),
    ({"start_date": "2009-01-01"}, "外出日期", "不是党员"),  # admitted 2010-07-01
])
def test_start_refuses_bad_input_and_writes_nothing(tree, kwargs, field, words):
    before = MemberStatus.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        _mobile(tree, tree.member_a1_1, **kwargs)
    assert words in _errors(caught)[field]
    assert MemberStatus.objects.count() == before


def test_lost_contact_needs_its_situation(tree):
    with pytest.raises(ValidationFailed) as caught:
        status_start(user=tree.town_user, person_id=tree.member_a1_1.pk, kind="lost_contact", start_date="2024-01-01")
    assert "第四十三表" in _errors(caught)["失去联系情形"]


def test_one_open_status_per_kind_and_no_overlap(tree):
    t = tree
    first = _mobile(t, t.member_a1_1)
    with pytest.raises(ValidationFailed) as caught:
        _mobile(t, t.member_a1_1, start_date=D(2024, 1, 1))
    assert "未结束的流动党员" in _errors(caught)["党员状态"]
    # another kind may be open at the same time
    status_start(user=t.town_user, person_id=t.member_a1_1.pk, kind="abroad", start_date=D(2023, 5, 1), destination="日本")
    status_end(user=t.town_user, status_id=first.pk, end_date=D(2023, 9, 1), expected_version=first.version)
    with pytest.raises(ValidationFailed) as caught:
        _mobile(t, t.member_a1_1, start_date=D(2023, 8, 1))
    assert "重叠" in _errors(caught)["外出日期"]
    again = _mobile(t, t.member_a1_1, start_date=D(2023, 9, 1))  # the day it ended: no overlap
    assert again.pk != first.pk
    assert [s.pk for s in member_statuses_of(user=t.town_user, person_id=t.member_a1_1.pk)][0] == again.pk


def test_a_former_member_cannot_be_given_a_status_after_leaving(tree):
    t = tree
    membership = Membership.objects.get(person=t.member_a2_1, end_date__isnull=True)
    Membership.objects.filter(pk=membership.pk).update(end_date=D(2020, 1, 1), end_reason="death")
    with pytest.raises(ValidationFailed) as caught:
        _mobile(t, t.member_a2_1, start_date=D(2021, 1, 1))
    assert "不是党员" in _errors(caught)["外出日期"]
    # a status of the time before is still recorded (at the organization of that period)
    old = _mobile(t, t.member_a2_1, start_date=D(2019, 1, 1))
    assert old.organization == t.branch_a2


def test_scope(tree):
    t = tree
    with pytest.raises(OutOfScope):
        _mobile(t, t.member_b1_1)  # town A's worker: branch B1 is outside
    with pytest.raises(OutOfScope):
        _mobile(t, t.member_a1_1, user=t.branch_b_user)
    mine = _mobile(t, t.member_a1_1)
    with pytest.raises(OutOfScope):
        status_end(user=t.branch_b_user, status_id=mine.pk, end_date=TODAY, expected_version=mine.version)
    assert member_statuses_of(user=t.branch_b_user, person_id=t.member_a1_1.pk) == []


def test_end_rules(tree):
    t = tree
    status = _mobile(t, t.member_a1_1)
    with pytest.raises(ValidationFailed) as caught:
        status_end(user=t.town_user, status_id=status.pk, end_date=D(2023, 2, 1), expected_version=status.version)
    assert "早于外出日期" in _errors(caught)["返回日期"]
    ended = status_end(user=t.town_user, status_id=status.pk, end_date=D(2023, 12, 1), expected_version=status.version)
    assert ended.end_date == D(2023, 12, 1) and ended.version == status.version + 1
    with pytest.raises(ConcurrentEdit):
        status_end(user=t.town_user, status_id=status.pk, end_date=D(2023, 12, 2), expected_version=status.version)
    with pytest.raises(ValidationFailed) as caught:
        status_end(user=t.town_user, status_id=status.pk, end_date=D(2023, 12, 2), expected_version=ended.version)
    assert "已于 2023-12-01 结束" in _errors(caught)["返回日期"]
    assert AuditEvent.objects.filter(kind="member_status_end", object_id=str(status.pk)).count() == 1


# --- pages ----------------------------------------------------------------------------------------------


def test_person_page_loads_the_section_and_the_forms_work(tree, client):
    t = tree
    client.login(username="town_a", password=PASSWORD)
    person_page = client.get(reverse("people:detail", args=[t.member_a1_1.pk])).content.decode()
    section_url = reverse("party:member_statuses", args=[t.member_a1_1.pk])
    assert f'hx-get="{section_url}"' in person_page
    fragment = client.get(section_url, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and "登记流动党员" in fragment and "没有流动党员" in fragment
    start_url = reverse("party:status_start", args=[t.member_a1_1.pk])
    form = client.get(start_url + "?kind=lost_contact").content.decode()
    assert "失去联系情形" in form and "流动范围" not in form
    response = client.post(start_url, {"kind": "mobile", "start_date": "2023-03-01", "flow_scope": "cross_city",
                                       "destination_type": "unknown"})
    assert response.status_code == 302
    status = MemberStatus.objects.get(person=t.member_a1_1)
    assert (status.flow_scope, status.destination_type) == ("cross_city", "unknown")
    fragment = client.get(section_url, HTTP_HX_REQUEST="true").content.decode()
    assert "省内跨市（地）流动" in fragment and "登记流动党员" not in fragment  # one open per kind
    assert reverse("party:status_end", args=[status.pk]) in fragment
    bad = client.post(start_url, {"kind": "abroad", "start_date": "2030-01-01"})
    assert bad.status_code == 400 and "晚于今天" in bad.content.decode()
    end_url = reverse("party:status_end", args=[status.pk])
    response = client.post(end_url, {"version": status.version, "end_date": "2024-01-01"})
    assert response.status_code == 302
    stale = client.post(end_url, {"version": status.version, "end_date": "2024-01-02"})
    assert stale.status_code == 409
    page = client.get(section_url).content.decode()  # without HTMX: a page of its own
    assert "<html" in page and "2024-01-01" in page


def test_pages_of_another_subtree_are_not_found(tree, client):
    t = tree
    status = _mobile(t, t.member_a1_1)
    client.login(username="branch_b1", password=PASSWORD)
    assert client.get(reverse("party:member_statuses", args=[t.member_a1_1.pk])).status_code == 404
    assert client.post(reverse("party:status_start", args=[t.member_a1_1.pk]), {
        "kind": "abroad", "start_date": "2024-01-01"}).status_code == 404
    assert client.post(reverse("party:status_end", args=[status.pk]), {
        "version": status.version, "end_date": "2024-01-01"}).status_code == 404
    assert MemberStatus.objects.get(pk=status.pk).end_date is None


# --- API ------------------------------------------------------------------------------------------------


def test_api(tree, client):
    t = tree
    client.login(username="town_a", password=PASSWORD)
    url = reverse("api:member-statuses-statuses", kwargs={"person_id": t.member_a2_1.pk})
    response = client.post(url, {"kind": "mobile", "start_date": "2023-04-01", "flow_scope": "跨省流动",
                                 "destination_type": "建制村", "has_certificate": True}, content_type="application/json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind_label"], body["flow_scope"], body["destination_type_label"], body["original_occupation"],
            body["organization"]["code"]) == ("流动党员", "cross_province", "建制村", "farmer", "C-A-2")
    listed = client.get(url).json()
    assert [s["id"] for s in listed] == [body["id"]]
    bad = client.post(url, {"kind": "lost_contact", "start_date": "2023-04-01"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["column"] == "失去联系情形"
    everything = client.get(reverse("api:member-status-list"), {"kind": "mobile", "open": "true"}).json()
    assert [s["id"] for s in everything["results"]] == [body["id"]]
    end = reverse("api:member-status-end", kwargs={"pk": body["id"]})
    done = client.post(end, {"version": body["version"], "end_date": "2023-10-01"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["end_date"] == "2023-10-01"
    conflict = client.post(end, {"version": body["version"], "end_date": "2023-10-02"}, content_type="application/json")
    assert conflict.status_code == 409
    assert client.get(reverse("api:member-status-list"), {"open": "true"}).json()["results"] == []
    # another subtree: 404, nothing written
    client.logout()
    client.login(username="branch_b1", password=PASSWORD)
    assert client.get(url).status_code == 404
    assert client.post(url, {"kind": "abroad", "start_date": "2024-01-01"},
                       content_type="application/json").status_code == 404
    assert MemberStatus.objects.filter(person=t.member_a2_1).count() == 1
