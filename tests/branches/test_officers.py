"""班子成员 (``branches.officers``): appoint, end, correct — each rule with its message and nothing written; the
organization page's tab; the API (scope, filters, version, end)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_member
from zugong.audit.models import AuditEvent
from zugong.branches.models import BranchOfficer
from zugong.branches.officers import officer_appoint, officer_correct, officer_end
from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed
from zugong.orgs.services import organization_create


def _errors(caught) -> dict[str, str]:
    return {e.column: e.reason for e in caught.value.errors}


def _snapshot():
    return (list(BranchOfficer.objects.order_by("pk").values()),
            AuditEvent.objects.filter(kind__startswith="branch_officer").count())


@pytest.fixture
def t(tree):
    return tree


def test_appoint_records_the_post_and_audits_it(t):
    post = officer_appoint(actor=t.branch_user, organization=t.branch_a1, person=t.member_a1_1, role="书记",
                           start_date="2021-03-01", note="党员大会选举")
    post.refresh_from_db()
    assert (post.role, post.start_date, post.end_date, post.person_id) == ("secretary", dt.date(2021, 3, 1), None,
                                                                          t.member_a1_1.pk)
    event = AuditEvent.objects.get(kind="branch_officer_appoint")
    assert event.object_id == str(post.pk) and "张伟" in event.summary


def test_a_person_not_a_member_on_the_start_date_is_refused(t):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as caught:  # 李娜 was admitted on 2024-06-20
        officer_appoint(actor=t.branch_user, organization=t.branch_a1, person=t.member_a1_2, role="organization_member",
                        start_date="2024-01-01")
    assert _errors(caught)["人员"] == ("「李娜」在 2024-01-01 不是「甲镇机关党支部」的党员（没有当日有效的组织关系），"
                                     "不能任组织委员")
    with pytest.raises(ValidationFailed) as caught:  # a member of another branch
        officer_appoint(actor=None, organization=t.branch_a1, person=t.member_b1_1, role="委员", start_date="2020-01-01")
    assert "不是「甲镇机关党支部」的党员" in _errors(caught)["人员"]
    assert _snapshot() == before


def test_future_start_blank_role_and_unknown_role_are_refused(t):
    before = _snapshot()
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    with pytest.raises(ValidationFailed) as caught:
        officer_appoint(actor=t.branch_user, organization=t.branch_a1, person=t.member_a1_1, role="", start_date=future)
    errors = _errors(caught)
    assert errors["任职日期"] == f"日期 {future} 晚于今天"
    assert errors["职务"] == "必填项为空"
    with pytest.raises(ValidationFailed) as caught:
        officer_appoint(actor=t.branch_user, organization=t.branch_a1, person=t.member_a1_1, role="队长",
                        start_date="2020-01-01")
    assert _errors(caught)["职务"].startswith("无法识别的职务「队长」")
    assert _snapshot() == before


def test_a_second_secretary_is_refused_naming_the_sitting_one(t):
    officer_appoint(actor=t.branch_user, organization=t.branch_a1, person=t.member_a1_1, role="secretary",
                    start_date="2020-01-01")
    other = make_member(t.branch_a1, "赵敏", admission_date=dt.date(2012, 7, 1), full_membership_date=dt.date(2013, 7, 1))
    before = _snapshot()
    with pytest.raises(ValidationFailed) as caught:
        officer_appoint(actor=t.branch_user, organization=t.branch_a1, person=other, role="书记", start_date="2022-01-01")
    assert _errors(caught)["职务"] == ("「甲镇机关党支部」已有在任书记「张伟」（2020-01-01 起任），请先登记其离任"
                                     "（每个党组织只设一名书记，《中国共产党支部工作条例（试行）》第六章）")
    assert _snapshot() == before


def test_out_of_scope_organization_and_wrong_type_are_refused(t):
    before = _snapshot()
    with pytest.raises(OutOfScope):
        officer_appoint(actor=t.branch_user, organization=t.branch_b1, person=t.member_b1_1, role="委员",
                        start_date="2020-01-01")
    with pytest.raises(ValidationFailed) as caught:
        officer_appoint(actor=t.county_user, organization=t.town_a, person=t.member_a1_1, role="委员",
                        start_date="2020-01-01")
    assert "「甲镇党委」是党委，其班子成员不在此登记" in _errors(caught)["党组织"]
    assert _snapshot() == before


def test_a_party_group_officer_may_be_a_member_of_its_branch(t):
    group = organization_create(code="C-A-1-G1", name="第一党小组", org_type="party_group", parent=t.branch_a1,
                                founded_date=dt.date(2000, 1, 1))
    post = officer_appoint(actor=t.branch_user, organization=group, person=t.member_a1_1, role="委员",
                           start_date="2020-01-01")
    assert post.organization_id == group.pk


def test_end_checks_its_dates_and_reason_then_ends_the_post(t):
    post = officer_appoint(actor=t.branch_user, organization=t.branch_a1, person=t.member_a1_1, role="secretary",
                           start_date="2020-01-01")
    before = _snapshot()
    with pytest.raises(ValidationFailed) as caught:
        officer_end(actor=t.branch_user, officer=post, end_date="2020-01-01", reason="", expected_version=post.version)
    errors = _errors(caught)
    assert errors["离任日期"] == "离任日期 2020-01-01 须晚于任职日期 2020-01-01"
    assert errors["离任原因"].startswith("必填项为空")
    assert _snapshot() == before
    with pytest.raises(ConcurrentEdit):
        officer_end(actor=t.branch_user, officer=post, end_date="2024-01-01", reason="换届", expected_version=post.version + 1)
    assert _snapshot() == before
    ended = officer_end(actor=t.branch_user, officer=post, end_date="2024-01-01", reason="换届",
                        expected_version=post.version)
    ended.refresh_from_db()
    assert ended.end_date == dt.date(2024, 1, 1) and "离任原因：换届" in ended.note
    assert AuditEvent.objects.filter(kind="branch_officer_end", object_id=str(post.pk)).exists()
    with pytest.raises(ValidationFailed) as caught:
        officer_end(actor=t.branch_user, officer=post, end_date="2024-02-01", reason="调离")
    assert _errors(caught)["离任日期"] == "该职务已于 2024-01-01 离任"
    # the post is ended: a new secretary may be appointed
    officer_appoint(actor=t.branch_user, organization=t.branch_a1, person=t.member_a1_2, role="secretary",
                    start_date="2025-01-02")


def test_correct_with_version_and_revalidates(t):
    post = officer_appoint(actor=t.branch_user, organization=t.branch_a1, person=t.member_a1_2, role="委员",
                           start_date="2024-07-01")
    before = _snapshot()
    with pytest.raises(ValidationFailed) as caught:  # moved before her admission (2024-06-20)
        officer_correct(actor=t.branch_user, officer=post, expected_version=post.version, changes={"start_date": "2024-06-01"})
    assert "不是「甲镇机关党支部」的党员" in _errors(caught)["人员"]
    with pytest.raises(ValidationFailed) as caught:
        officer_correct(actor=t.branch_user, officer=post, expected_version=post.version, changes={"person": 1})
    assert _errors(caught)["person"] == "该字段不可修改"
    with pytest.raises(ConcurrentEdit):
        officer_correct(actor=t.branch_user, officer=post, expected_version=post.version + 1, changes={"note": "x"})
    assert _snapshot() == before
    fixed = officer_correct(actor=t.branch_user, officer=post, expected_version=post.version,
                            changes={"role": "宣传委员", "note": "分工调整"})
    fixed.refresh_from_db()
    assert (fixed.role, fixed.note, fixed.version) == ("propaganda_member", "分工调整", 2)
    with pytest.raises(OutOfScope):
        officer_correct(actor=t.branch_b_user, officer=post, expected_version=fixed.version, changes={"note": "y"})


def test_org_page_tab_lists_officers_and_vacancy(t, client):
    post = officer_appoint(actor=None, organization=t.branch_a1, person=t.member_a1_1, role="secretary",
                           start_date="2020-01-01")
    officer_end(actor=None, officer=post, end_date="2024-03-01", reason="调离")
    officer_appoint(actor=None, organization=t.branch_a1, person=t.member_a1_2, role="组织委员", start_date="2024-07-01")
    client.login(username="branch_a1", password=PASSWORD)
    page = client.get(reverse("orgs:detail", args=[t.branch_a1.pk])).content.decode()
    assert "班子成员" in page and "书记空缺（自 2024-03-01 起）" in page
    assert 'id="officers-current"' in page and "李娜" in page and 'id="officers-past"' in page
    assert reverse("branches:officer_appoint", args=[t.branch_a1.pk]) in page


def test_appoint_page_posts_one_service_call(t, client):
    client.login(username="branch_a1", password=PASSWORD)
    url = reverse("branches:officer_appoint", args=[t.branch_a1.pk])
    form = client.get(url).content.decode()
    assert "张伟" in form and "阿依古丽" not in form  # the choices are the branch's members only
    bad = client.post(url, {"person": t.member_a1_2.pk, "role": "secretary", "start_date": "2023-01-01"})
    assert bad.status_code == 400 and "不是「甲镇机关党支部」的党员" in bad.content.decode()
    assert not BranchOfficer.objects.exists()
    ok = client.post(url, {"person": t.member_a1_1.pk, "role": "secretary", "start_date": "2023-01-01"})
    assert ok.status_code == 302 and BranchOfficer.objects.get().role == "secretary"
    post = BranchOfficer.objects.get()
    end = client.post(reverse("branches:officer_end", args=[post.pk]),
                      {"version": post.version, "end_date": "2024-01-01", "reason": "换届"})
    assert end.status_code == 302
    assert BranchOfficer.objects.get().end_date == dt.date(2024, 1, 1)


def test_api_lists_in_scope_creates_patches_and_ends(t, client):
    mine = officer_appoint(actor=None, organization=t.branch_a1, person=t.member_a1_1, role="secretary",
                           start_date="2020-01-01")
    foreign = officer_appoint(actor=None, organization=t.branch_b1, person=t.member_b1_1, role="secretary",
                              start_date="2020-01-01")
    client.login(username="branch_a1", password=PASSWORD)
    rows = client.get("/api/branch-officers/").json()["results"]
    assert [r["id"] for r in rows] == [mine.pk]
    assert client.get("/api/branch-officers/?org=C-B-1").json()["results"] == []
    assert client.get(f"/api/branch-officers/{foreign.pk}/").status_code == 404
    bad = client.post("/api/branch-officers/", {"organization": "C-A-1", "person": t.member_a1_2.pk, "role": "书记",
                                                "start_date": "2024-07-01"}, content_type="application/json")
    assert bad.status_code == 400 and "已有在任书记「张伟」" in bad.json()["detail"]
    created = client.post("/api/branch-officers/", {"organization": "C-A-1", "person": t.member_a1_2.pk,
                                                    "role": "组织委员", "start_date": "2024-07-01"},
                          content_type="application/json")
    assert created.status_code == 201 and created.json()["role"] == "organization_member"
    stale = client.patch(f"/api/branch-officers/{mine.pk}/", {"version": 99, "note": "x"}, content_type="application/json")
    assert stale.status_code == 409
    patched = client.patch(f"/api/branch-officers/{mine.pk}/", {"version": mine.version, "note": "选举产生"},
                           content_type="application/json")
    assert patched.status_code == 200 and patched.json()["note"] == "选举产生"
    ended = client.post(f"/api/branch-officers/{mine.pk}/end/", {"version": patched.json()["version"],
                                                                "end_date": "2024-01-01", "reason": "换届"},
                        content_type="application/json")
    assert ended.status_code == 200 and ended.json()["end_date"] == "2024-01-01"
    assert client.post(f"/api/branch-officers/{foreign.pk}/end/", {"version": 1, "end_date": "2024-01-01", "reason": "x"},
                       content_type="application/json").status_code == 404
    assert BranchOfficer.objects.get(pk=foreign.pk).end_date is None


def test_correcting_a_past_secretary_back_into_office_is_refused_while_another_sits(t):
    old = officer_appoint(actor=None, organization=t.branch_a1, person=t.member_a1_1, role="secretary",
                          start_date="2020-01-01")
    officer_end(actor=None, officer=old, end_date="2024-07-01", reason="换届")
    officer_appoint(actor=None, organization=t.branch_a1, person=t.member_a1_2, role="secretary", start_date="2024-07-01")
    old.refresh_from_db()
    before = _snapshot()
    with pytest.raises(ValidationFailed) as caught:
        officer_correct(actor=t.branch_user, officer=old, expected_version=old.version, changes={"end_date": ""})
    assert _errors(caught)["职务"].startswith("「甲镇机关党支部」已有在任书记「李娜」（2024-07-01 起任）")
    assert _snapshot() == before


def test_start_before_the_founding_and_an_unknown_person_are_refused(t):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as caught:
        officer_appoint(actor=t.branch_user, organization=t.branch_a1, person=t.member_a1_1, role="委员",
                        start_date="1959-12-31")
    assert _errors(caught)["任职日期"] == "任职日期 1959-12-31 早于「甲镇机关党支部」的成立日期 1960-01-01"
    with pytest.raises(ValidationFailed) as caught:
        officer_appoint(actor=t.branch_user, organization=t.branch_a1, person=999999, role="委员", start_date="2020-01-01")
    assert _errors(caught)["人员"] == "该人员不存在"
    assert _snapshot() == before


def test_schema_documents_the_routes(t, client):
    client.force_login(t.county_user)
    schema = client.get("/api/schema/").content.decode()
    for route in ("/api/branch-officers/", "/api/branch-officers/{id}/end/", "/api/branch-standards/"):
        assert route in schema
