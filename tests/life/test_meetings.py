"""组织生活会议记录 (issue #11): the services (record, edit, delete, attach), the roster as of the meeting date,
every bad input (message and nothing written), scope, and the pages (quick entry, list, detail, edit, delete,
attachments, the organization tab).

Fixture tree (``tests/factories.build_tree``): branch A1 (C-A-1, founded 1960) has 张伟 (member since
2010-07-01) and 李娜 (member since 2024-06-20); branch B1 (C-B-1) has 阿依古丽. ``branch_user`` is the 支部书记 of
A1 (party view/add/change, no delete), ``town_user`` the 党务工作者 of town A (with delete)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD
from tests.security.helpers import login
from zugong.audit.models import AuditEvent
from zugong.branches.models import BranchOfficer
from zugong.core.errors import ConcurrentEdit, OutOfScope, PermissionDeniedError, ValidationFailed
from zugong.life import selectors, services
from zugong.life.models import Meeting, MeetingAttachment, MeetingAttendance
from zugong.orgs.models import PartyOrganization
from zugong.orgs.services import organization_create
from zugong.party.models import MemberStatus

DAY = dt.date(2025, 1, 10)  # both A1 members on the roster
EARLY = dt.date(2024, 6, 1)  # before 李娜 joined (2024-06-20)


def _snapshot():
    return (Meeting.objects.count(), MeetingAttendance.objects.count(), MeetingAttachment.objects.count(),
            AuditEvent.objects.filter(kind__startswith="meeting_").count())


def _record(tree, **kw):
    args = {"actor": tree.branch_user, "organization": tree.branch_a1, "meeting_type": "general_meeting",
            "date": DAY, "topic": "学习贯彻全会精神", "presenter": "张伟", "recorder": "李娜"}
    args.update(kw)
    return services.meeting_record(**args)


def _messages(exc: ValidationFailed) -> str:
    return "；".join(f"{e.column}:{e.reason}" for e in exc.errors)


# ----- recording: the roster as of the date ---------------------------------------------------------------


def test_record_with_one_absentee_counts_the_roster_of_the_date(tree):
    zhang, li = tree.member_a1_1, tree.member_a1_2
    result = _record(tree, attendance=[(zhang, "请假", "出差")])
    m = result.meeting
    assert (m.expected_count, m.attended_count, m.source) == (2, 1, "entry")
    rows = {r.person_id: (r.status, r.reason, r.mobile) for r in m.attendances.all()}
    assert rows == {zhang.pk: ("leave", "出差", False), li.pk: ("present", "", False)}
    assert result.warnings == []
    event = AuditEvent.objects.get(kind="meeting_record", object_id=str(m.pk))
    assert "应到 2 人、实到 1 人" in event.summary


def test_a_member_who_joined_after_the_date_is_not_on_the_roster(tree):
    m = _record(tree, date=EARLY).meeting
    assert (m.expected_count, m.attended_count) == (1, 1)
    assert list(m.attendances.values_list("person_id", flat=True)) == [tree.member_a1_1.pk]


def test_a_mobile_member_is_marked(tree):
    MemberStatus.objects.create(person=tree.member_a1_1, organization=tree.branch_a1, kind="mobile",
                                start_date=dt.date(2024, 12, 1), flow_scope="cross_province",
                                destination_type="private_enterprise")
    m = _record(tree, attendance=[(tree.member_a1_1, "absent", "在外务工")]).meeting
    row = m.attendances.get(person=tree.member_a1_1)
    assert row.mobile and row.status == "absent"
    assert not m.attendances.get(person=tree.member_a1_2).mobile
    # the status had not started on an earlier date: not marked then
    earlier = _record(tree, date=dt.date(2024, 11, 5), topic="另一次").meeting
    assert not earlier.attendances.get(person=tree.member_a1_1).mobile


def test_numbers_only_record_keeps_the_ledger_counts(tree):
    m = _record(tree, expected_count=30, attended_count=28, absentee_note="王五（病假）、赵六").meeting
    assert (m.expected_count, m.attended_count, m.absentee_note) == (30, 28, "王五（病假）、赵六")
    assert not m.attendances.exists()


def test_a_party_group_uses_its_branch_roster(tree):
    group = organization_create(parent=tree.branch_a1, code="C-A-1-G1", name="第一党小组", org_type="party_group",
                                founded_date=dt.date(2020, 1, 1))
    m = _record(tree, organization=group, meeting_type="党小组会").meeting
    assert m.expected_count == 2 and m.organization == group
    # the branch with a group may record 党小组会 too
    assert _record(tree, meeting_type="group_meeting", topic="小组学习").meeting.meeting_type == "group_meeting"


def test_a_committee_records_its_own_direct_members_only(tree):
    m = services.meeting_record(actor=tree.town_user, organization=tree.town_a, meeting_type="党员大会", date=DAY,
                                topic="党委扩大会议").meeting
    assert (m.expected_count, m.attended_count) == (0, 0)  # the branches' members are not the committee's


# ----- 支委会 without a committee on record: accepted with a warning ---------------------------------------------


def test_committee_meeting_without_committee_is_accepted_with_a_warning(tree):
    result = _record(tree, meeting_type="支委会")
    assert Meeting.objects.filter(pk=result.meeting.pk, meeting_type="committee_meeting").exists()
    assert len(result.warnings) == 1 and "班子成员不足 3 人" in result.warnings[0]
    for person, role in ((tree.member_a1_1, "secretary"), (tree.member_a1_2, "organization_member"),
                         (tree.member_a2_1, "propaganda_member")):
        BranchOfficer.objects.create(organization=tree.branch_a1, person=person, role=role, start_date=dt.date(2024, 1, 1))
    assert _record(tree, meeting_type="支委会", topic="研究发展对象").warnings == []


# ----- bad input: a clear message naming the field, nothing written --------------------------------------------


def _dissolve(org, day):
    PartyOrganization.objects.filter(pk=org.pk).update(status="dissolved", dissolved_date=day, dissolution_reason="撤并")
    org.refresh_from_db()


@pytest.mark.parametrize("case, kwargs, field, text", [
    ("future", {"date": "FUTURE"}, "会议日期", "晚于今天"),
    ("before founded", {"date": dt.date(1959, 12, 31)}, "会议日期", "早于「甲镇机关党支部」的成立日期 1960-01-01"),
    ("attended > expected", {"expected_count": 5, "attended_count": 6}, "实到人数", "实到人数 6 多于应到人数 5"),
    ("not on the roster", {"date": EARLY, "attendance": [("LI", "absent", "病假")]}, "出席情况",
     "「李娜」在 2024-06-01 不是本组织的党员"),
    ("leave without reason", {"attendance": [("ZHANG", "leave", "")]}, "缺席原因", "「张伟」请假，须填写原因"),
    ("absent without reason", {"attendance": [("ZHANG", "缺席", "  ")]}, "缺席原因", "「张伟」缺席，须填写原因"),
    ("group meeting without groups", {"meeting_type": "党小组会"}, "会议类型", "没有设立党小组，不能记录党小组会"),
    ("unknown type", {"meeting_type": "茶话会"}, "会议类型", "无法识别的会议类型「茶话会」"),
    ("empty topic", {"topic": " "}, "会议主题", "必填项为空"),
    ("foreign attendee", {"attendance": [("B1", "absent", "出差")]}, "出席情况", "「阿依古丽」在 2025-01-10 不是本组织的党员"),
])
def test_bad_input_is_refused_and_nothing_written(tree, case, kwargs, field, text):
    people = {"ZHANG": tree.member_a1_1, "LI": tree.member_a1_2, "B1": tree.member_b1_1}
    if kwargs.get("date") == "FUTURE":
        kwargs = {**kwargs, "date": timezone.localdate() + dt.timedelta(days=1)}
    if "attendance" in kwargs:
        kwargs = {**kwargs, "attendance": [(people[p], s, r) for p, s, r in kwargs["attendance"]]}
    before = _snapshot()
    with pytest.raises(ValidationFailed) as info:
        _record(tree, **kwargs)
    assert any(e.column == field and text in e.reason for e in info.value.errors), _messages(info.value)
    assert _snapshot() == before


def test_date_on_or_after_dissolution_is_refused(tree):
    _dissolve(tree.branch_a1, dt.date(2024, 12, 31))
    before = _snapshot()
    with pytest.raises(ValidationFailed) as info:
        _record(tree, actor=tree.town_user, date=DAY)
    assert "不早于「甲镇机关党支部」的撤销日期 2024-12-31" in _messages(info.value)
    assert _snapshot() == before
    # before the dissolution the meeting is a fact that may be recorded
    assert _record(tree, actor=tree.town_user, date=dt.date(2024, 12, 30)).meeting.pk


def test_a_party_group_holds_no_general_meeting(tree):
    group = organization_create(parent=tree.branch_a1, code="C-A-1-G2", name="第二党小组", org_type="party_group",
                                founded_date=dt.date(2020, 1, 1))
    before = _snapshot()
    with pytest.raises(ValidationFailed) as info:
        _record(tree, organization=group, meeting_type="支部党员大会")
    assert "党小组只召开党小组会，不能记录支部党员大会" in _messages(info.value)
    assert _snapshot() == before


def test_secretary_cannot_record_for_another_branch(tree):
    before = _snapshot()
    with pytest.raises(OutOfScope):
        _record(tree, organization=tree.branch_b1)
    assert _snapshot() == before


# ----- scope of the reads ----------------------------------------------------------------------------------


def test_lists_hold_no_foreign_rows(tree):
    mine = _record(tree).meeting
    foreign = services.meeting_record(actor=tree.branch_b_user, organization=tree.branch_b1,
                                      meeting_type="general_meeting", date=DAY, topic="乙镇学习").meeting
    assert list(selectors.meeting_list(user=tree.branch_user)) == [mine]
    assert selectors.meeting_get(user=tree.branch_user, pk=foreign.pk) is None
    assert set(selectors.meeting_list(user=tree.county_user)) == {mine, foreign}
    client = Client()
    client.login(username="branch_a1", password=PASSWORD)
    page = client.get(reverse("life:meeting_list"))
    assert page.status_code == 200 and list(page.context["object_list"]) == [mine]
    assert "乙镇学习" not in page.content.decode()
    assert client.get(reverse("life:meeting_detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("life:meeting_list") + "?org=C-B-1").status_code == 404
    assert client.get(reverse("life:meeting_record", args=[tree.branch_b1.pk])).status_code == 404


def test_branch_secretary_sees_record_link_without_choosing_the_org(tree):
    """A branch secretary's scope is one branch: 「记录会议」 to its quick entry at once (no ``?org=``); a county
    user (many organizations) still picks one in the tree first."""
    record_url = reverse("life:meeting_record", kwargs={"pk": tree.branch_a1.pk})
    client = Client()
    client.login(username="branch_a1", password=PASSWORD)
    html = client.get(reverse("life:meeting_list")).content.decode()
    assert f'href="{record_url}"' in html and "记录会议" in html
    assert "在左侧选择党组织后可记录会议" not in html
    assert selectors.default_record_organization(user=tree.branch_user) == tree.branch_a1
    assert selectors.default_record_organization(user=tree.county_user) is None
    html = login(Client(), tree.county_user).get(reverse("life:meeting_list")).content.decode()
    assert "在左侧选择党组织后可记录会议" in html and "/record/" not in html


def test_list_filters_by_org_type_and_period(tree):
    a = _record(tree, date=dt.date(2024, 3, 1), topic="三月").meeting
    b = _record(tree, date=dt.date(2024, 9, 1), topic="九月", meeting_type="党课").meeting
    c = services.meeting_record(actor=tree.town_user, organization=tree.branch_a2, meeting_type="党课",
                                date=dt.date(2024, 9, 2), topic="东村党课").meeting
    assert set(selectors.meetings_in(user=tree.town_user, organization=tree.branch_a1)) == {a, b}
    assert set(selectors.meetings_in(user=tree.town_user, meeting_type="party_lecture")) == {b, c}
    assert set(selectors.meetings_in(user=tree.town_user, date_from=dt.date(2024, 6, 1),
                                     date_to=dt.date(2024, 9, 1))) == {b}
    client = Client()
    client.login(username="town_a", password=PASSWORD)
    page = client.get(reverse("life:meeting_list"), {"org": "C-A-1", "type": "党课"})
    assert list(page.context["object_list"]) == [b]
    page = client.get(reverse("life:meeting_list"), {"date_from": "2024-09-02"})
    assert list(page.context["object_list"]) == [c]
    page = client.get(reverse("life:meeting_list"), {"period": "2024-Q3"})
    assert set(page.context["object_list"]) == {b, c}
    page = client.get(reverse("life:meeting_list"), {"period": "2024-03"})
    assert list(page.context["object_list"]) == [a]
    page = client.get(reverse("life:meeting_list"), {"period": "明年"})
    assert list(page.context["object_list"]) == [] and "无法识别的期间" in page.content.decode()


# ----- edit and delete -------------------------------------------------------------------------------------


def test_edit_changes_attendance_and_counts(tree):
    m = _record(tree).meeting
    result = services.meeting_edit(actor=tree.branch_user, meeting=m, version=m.version, topic="改后的主题",
                                   attendance=[(tree.member_a1_2, "absent", "值班")])
    m.refresh_from_db()
    assert (m.topic, m.expected_count, m.attended_count, m.version) == ("改后的主题", 2, 1, 2)
    assert m.attendances.get(person=tree.member_a1_2).status == "absent"
    assert result.meeting.pk == m.pk
    # a date before 李娜 joined: the roster shrinks and her absence is refused by name
    with pytest.raises(ValidationFailed) as info:
        services.meeting_edit(actor=tree.branch_user, meeting=m, version=m.version, date=EARLY)
    assert "「李娜」在 2024-06-01 不是本组织的党员" in _messages(info.value)


def test_stale_edit_is_refused(tree):
    m = _record(tree).meeting
    services.meeting_edit(actor=tree.town_user, meeting=m, version=1, topic="他人先改")
    with pytest.raises(ConcurrentEdit):
        services.meeting_edit(actor=tree.branch_user, meeting=m, version=1, topic="我的修改")
    m.refresh_from_db()
    assert (m.topic, m.version) == ("他人先改", 2)


def test_secretary_cannot_delete(tree):
    m = _record(tree).meeting
    before = _snapshot()
    with pytest.raises(PermissionDeniedError):
        services.meeting_delete(actor=tree.branch_user, meeting=m, reason="重复录入")
    assert _snapshot() == before
    client = Client()
    client.login(username="branch_a1", password=PASSWORD)
    assert client.post(reverse("life:meeting_delete", args=[m.pk]), {"reason": "重复"}).status_code == 403
    assert Meeting.objects.filter(pk=m.pk).exists()


def test_delete_needs_a_reason_and_is_audited(tree):
    m = _record(tree, attendance=[(tree.member_a1_1, "absent", "病假")]).meeting
    with pytest.raises(ValidationFailed) as info:
        services.meeting_delete(actor=tree.town_user, meeting=m, reason=" ")
    assert "删除原因" in _messages(info.value) and Meeting.objects.filter(pk=m.pk).exists()
    services.meeting_delete(actor=tree.town_user, meeting=m, reason="录错了党组织")
    assert not Meeting.objects.filter(pk=m.pk).exists() and not MeetingAttendance.objects.exists()
    assert "录错了党组织" in AuditEvent.objects.get(kind="meeting_delete").summary


# ----- pages -----------------------------------------------------------------------------------------------


def test_quick_entry_page_records_an_absentee(tree):
    client = Client()
    client.login(username="branch_a1", password=PASSWORD)
    url = reverse("life:meeting_record", args=[tree.branch_a1.pk])
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200 and "张伟" in body and "李娜" in body and 'value="present" checked' in body
    zhang = tree.member_a1_1.pk
    response = client.post(url, {"meeting_type": "general_meeting", "date": "2025-01-10", "topic": "主题党日学习",
                                 "presenter": "张伟", "recorder": "李娜", f"st_{zhang}": "leave", f"rs_{zhang}": "探亲"})
    assert response.status_code == 302
    m = Meeting.objects.get(topic="主题党日学习")
    assert (m.expected_count, m.attended_count) == (2, 1)
    assert m.attendances.get(person_id=zhang).reason == "探亲"
    listing = client.get(response["Location"])
    assert m in listing.context["object_list"]
    detail = client.get(reverse("life:meeting_detail", args=[m.pk])).content.decode()
    assert "探亲" in detail and "请假" in detail


def test_quick_entry_roster_follows_the_date(tree):
    client = Client()
    client.login(username="branch_a1", password=PASSWORD)
    url = reverse("life:meeting_record", args=[tree.branch_a1.pk])
    early = client.get(url, {"date": "2024-06-01"}).content.decode()
    assert f'data-person="{tree.member_a1_1.pk}"' in early and f'data-person="{tree.member_a1_2.pk}"' not in early
    assert "2024-06-01 的党员名单" in early and 'hx-get="' in early
    later = client.get(url, {"date": "2025-01-10"}).content.decode()
    assert f'data-person="{tree.member_a1_2.pk}"' in later
    assert f'data-person="{tree.member_a1_2.pk}"' in client.get(url, {"date": "2999-01-01"}).content.decode()  # today


def test_quick_entry_page_shows_the_refusal(tree):
    client = Client()
    client.login(username="branch_a1", password=PASSWORD)
    zhang = tree.member_a1_1.pk
    response = client.post(reverse("life:meeting_record", args=[tree.branch_a1.pk]),
                           {"meeting_type": "general_meeting", "date": "2025-01-10", "topic": "学习",
                            f"st_{zhang}": "absent", f"rs_{zhang}": ""})
    assert response.status_code == 400 and "「张伟」缺席，须填写原因" in response.content.decode()
    assert not Meeting.objects.exists()


def test_edit_page_and_stale_version(tree):
    m = _record(tree).meeting
    client = Client()
    client.login(username="branch_a1", password=PASSWORD)
    url = reverse("life:meeting_edit", args=[m.pk])
    assert client.get(url).status_code == 200
    data = {"version": 1, "meeting_type": "general_meeting", "date": "2025-01-10", "topic": "新主题"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, {**data, "topic": "旧页面的修改"}).status_code == 409
    m.refresh_from_db()
    assert m.topic == "新主题"


def test_organization_page_has_the_meetings_tab(tree):
    _record(tree, topic="最近一次会议")
    client = Client()
    client.login(username="branch_a1", password=PASSWORD)
    body = client.get(reverse("orgs:detail", args=[tree.branch_a1.pk])).content.decode()
    assert 'href="#tab-meetings"' in body and "最近一次会议" in body
    assert reverse("life:meeting_record", args=[tree.branch_a1.pk]) in body


# ----- attachments -----------------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_attachment_is_checked_by_content_and_downloaded_in_scope(tree):
    m = _record(tree).meeting
    a = services.attachment_add(actor=tree.branch_user, meeting=m, upload=PDF, filename="签到表.pdf")
    assert (a.original_name, a.size, a.content_type) == ("签到表.pdf", len(PDF), "application/pdf")
    client = Client()
    client.login(username="branch_a1", password=PASSWORD)
    response = client.get(reverse("life:attachment_download", args=[a.pk]))
    assert response.status_code == 200 and response.content == PDF and "attachment" in response["Content-Disposition"]
    other = Client()
    other.login(username="branch_b1", password=PASSWORD)
    assert other.get(reverse("life:attachment_download", args=[a.pk])).status_code == 404


@pytest.mark.parametrize("name, data, text", [
    ("会议记录.pdf", b"just text, not a pdf", "文件内容与扩展名 .pdf 不符"),
    ("照片.jpg", PNG, "文件内容与扩展名 .jpg 不符"),
    ("程序.exe", b"MZ\x90\x00", "不支持的文件类型 .exe"),
    ("记录.docx", b"PK\x03\x04" + b"\x00" * 30, "文件内容与扩展名 .docx 不符"),
    ("空.pdf", b"", "文件为空"),
])
def test_bad_attachments_are_refused(tree, name, data, text):
    m = _record(tree).meeting
    before = _snapshot()
    with pytest.raises(ValidationFailed) as info:
        services.attachment_add(actor=tree.branch_user, meeting=m, upload=data, filename=name)
    assert info.value.errors[0].column == "附件" and text in info.value.errors[0].reason
    assert _snapshot() == before


def test_attachment_over_20_mb_is_refused(tree):
    m = _record(tree).meeting
    with pytest.raises(ValidationFailed) as info:
        services.attachment_add(actor=tree.branch_user, meeting=m, upload=b"%PDF-" + b"0" * (20 * 1024 * 1024),
                                filename="大文件.pdf")
    assert "超过 20 MB" in info.value.errors[0].reason and not MeetingAttachment.objects.exists()


def test_list_page_and_api_query_counts_do_not_grow_with_rows(tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.login(username="town_a", password=PASSWORD)

    def counts():
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("life:meeting_list")).status_code == 200
        with CaptureQueriesContext(connection) as api:
            assert client.get(reverse("api:meeting-list")).status_code == 200
        return len(page), len(api)

    _record(tree, topic="第一次")
    one = counts()
    for i in range(4):
        _record(tree, topic=f"第{i + 2}次", date=dt.date(2024, 10, i + 1))
    _record(tree, organization=tree.branch_a2, actor=tree.town_user, topic="东村")
    assert counts() == one


def test_editing_a_ledger_record_keeps_its_counts_and_matched_absentees(tree):
    m = _record(tree, expected_count=30, attended_count=28, absentee_note="王五",
                attendance=[(tree.member_a1_1, "absent", "台账未注明原因")]).meeting
    assert list(m.attendances.values_list("person_id", "status")) == [(tree.member_a1_1.pk, "absent")]
    client = Client()
    client.login(username="branch_a1", password=PASSWORD)
    url = reverse("life:meeting_edit", args=[m.pk])
    page = client.get(url).content.decode()
    assert 'name="expected_count"' in page and 'name="st_' not in page  # the numbers form, not the roster
    response = client.post(url, {"version": m.version, "meeting_type": "general_meeting", "date": "2025-01-10",
                                 "topic": "台账会议（已核对）", "expected_count": 30, "attended_count": 27,
                                 "absentee_note": "王五、赵六"})
    assert response.status_code == 302
    m.refresh_from_db()
    assert (m.topic, m.expected_count, m.attended_count, m.absentee_note) == ("台账会议（已核对）", 30, 27, "王五、赵六")
    assert list(m.attendances.values_list("person_id", "status")) == [(tree.member_a1_1.pk, "absent")]
