"""组织关系转接 services (``party.transfers``): a transfer across townships (send, accept) moves the member's
visibility from the sending to the receiving side only on acceptance; every guard refuses with a Chinese
message naming the field, and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_member, make_user
from zugong.audit.models import AuditEvent
from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed
from zugong.orgs.services import organization_create, organization_dissolve
from zugong.party import transfers
from zugong.party.models import Membership, MembershipEvent, MembershipTransfer, PartyMember
from zugong.party.todos import transfers_incoming
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = timezone.localdate()
AGO = lambda days: TODAY - dt.timedelta(days=days)  # noqa: E731


def state():
    """Everything a transfer service may write (a refused call writes none of it)."""
    return (sorted(Person.objects.values_list("pk", "version", "organization_id")),
            sorted(PartyMember.objects.values_list("pk", "version", "full_membership_date")),
            sorted(Membership.objects.values_list("pk", "version", "organization_id", "start_date", "end_date")),
            sorted(MembershipTransfer.objects.values_list("pk", "version", "state")),
            MembershipEvent.objects.count(),
            AuditEvent.objects.exclude(kind__in=("id_exists_probe", "id_probe_throttled")).count())


def refused(call, **kwargs) -> dict[str, str]:
    """Run ``call``, expect ``ValidationFailed`` and an unchanged database; returns ``{column: reason}``."""
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        call(**kwargs)
    assert state() == before
    return {e.column: e.reason for e in exc.value.errors}


def roster_ids(user, day=None) -> set[int]:
    """Person ids on ``user``'s roster page (as of ``day``)."""
    client = Client()
    client.force_login(user)
    url = reverse("party:member_list") + (f"?as_of={day.isoformat()}" if day else "")
    response = client.get(url)
    assert response.status_code == 200
    return {m.person_id for m in response.context["object_list"]}


def api_member_ids(user) -> set[int]:
    client = Client()
    client.force_login(user)
    response = client.get("/api/members/?page_size=500")
    assert response.status_code == 200
    return {row["person_id"] for row in response.json()["results"]}


def person_page(user, person) -> int:
    client = Client()
    client.force_login(user)
    return client.get(reverse("people:detail", kwargs={"pk": person.pk})).status_code


def start(tree, person=None, *, to=None, day=None, user=None, **kwargs):
    return transfers.transfer_start(user=user or tree.branch_user, person_id=(person or tree.member_a1_1).pk,
                                    to_organization_id=(to or tree.branch_b1).pk, date=day or AGO(10), **kwargs)


# ----- the journey ---------------------------------------------------------------------------------------------

def test_cross_township_transfer_is_invisible_to_the_receiver_until_accepted(tree):
    zhang = tree.member_a1_1
    transfer = start(tree, note="工作调动")
    assert (transfer.state, transfer.direction, transfer.from_organization, transfer.to_organization) == (
        "pending", "internal", tree.branch_a1, tree.branch_b1)
    assert AuditEvent.objects.filter(kind="transfer_start", object_id=str(transfer.pk)).exists()
    # pending: the member is where they were; the receiving branch sees the transfer, not the member
    assert Membership.objects.get(person=zhang, end_date__isnull=True).organization == tree.branch_a1
    assert zhang.pk in roster_ids(tree.branch_user) and zhang.pk in api_member_ids(tree.branch_user)
    assert zhang.pk not in roster_ids(tree.branch_b_user) and zhang.pk not in api_member_ids(tree.branch_b_user)
    assert person_page(tree.branch_b_user, zhang) == 404 and person_page(tree.branch_user, zhang) == 200
    assert not MembershipEvent.objects.filter(person=zhang).exists()
    assert [i.text for i in transfers_incoming(tree.branch_b_user)] == ["1 项组织关系转接待本组织接收或退回"]
    assert transfers_incoming(tree.branch_user) == []

    event = transfers.transfer_accept(user=tree.branch_b_user, transfer_id=transfer.pk, date=AGO(5),
                                      expected_version=transfer.version)
    assert (event.kind, event.detail, event.date, event.from_organization, event.to_organization, event.organization,
            event.transfer_id) == ("transfer", "", AGO(5), tree.branch_a1, tree.branch_b1, tree.branch_b1, transfer.pk)
    transfer.refresh_from_db()
    assert (transfer.state, transfer.decided_date) == ("accepted", AGO(5))
    periods = list(Membership.objects.filter(person=zhang).order_by("start_date").values_list(
        "organization_id", "start_date", "end_date", "end_reason", "occupation"))
    assert periods == [(tree.branch_a1.pk, D(2010, 7, 1), AGO(5), "transfer", "professional"),
                       (tree.branch_b1.pk, AGO(5), None, "", "professional")]
    zhang.refresh_from_db()
    assert zhang.organization == tree.branch_b1
    # accepted: the receiver sees the member, the sender no longer does (its past rosters are unchanged)
    assert zhang.pk in roster_ids(tree.branch_b_user) and zhang.pk in api_member_ids(tree.branch_b_user)
    assert person_page(tree.branch_b_user, zhang) == 200
    assert zhang.pk not in roster_ids(tree.branch_user) and zhang.pk not in api_member_ids(tree.branch_user)
    assert person_page(tree.branch_user, zhang) == 404
    assert zhang.pk in roster_ids(tree.branch_user, AGO(6)) and zhang.pk not in roster_ids(tree.branch_b_user, AGO(6))
    assert transfers_incoming(tree.branch_b_user) == []


def test_return_and_cancel_leave_the_member_in_place(tree):
    transfer = start(tree)
    errors = refused(transfers.transfer_return, user=tree.branch_b_user, transfer_id=transfer.pk, reason=" ",
                     expected_version=transfer.version)
    assert errors == {"退回原因": "请填写退回原因"}
    returned = transfers.transfer_return(user=tree.branch_b_user, transfer_id=transfer.pk, reason="材料不全",
                                         expected_version=transfer.version)
    assert (returned.state, returned.return_reason, returned.decided_date) == ("returned", "材料不全", TODAY)
    assert Membership.objects.get(person=tree.member_a1_1, end_date__isnull=True).organization == tree.branch_a1
    # returned: the member may be sent again, and the sender may withdraw that one
    again = start(tree)
    cancelled = transfers.transfer_cancel(user=tree.branch_user, transfer_id=again.pk, expected_version=again.version)
    assert cancelled.state == "cancelled" and not MembershipEvent.objects.exists()
    assert {e.kind for e in AuditEvent.objects.filter(object_type="party.membershiptransfer")} >= {
        "transfer_start", "transfer_return", "transfer_cancel"}


def test_transfer_inside_one_scope_is_accepted_by_the_same_user(tree):
    wang = tree.member_a2_1
    transfer = start(tree, wang, to=tree.branch_a1, user=tree.town_user)
    transfers.transfer_accept(user=tree.town_user, transfer_id=transfer.pk, date=TODAY, expected_version=transfer.version)
    assert Membership.objects.get(person=wang, end_date__isnull=True).organization == tree.branch_a1


# ----- guards --------------------------------------------------------------------------------------------------

def test_two_open_transfers_are_refused(tree):
    start(tree)
    errors = refused(start, tree=tree, to=tree.branch_a2)
    assert "已有一项未办结的组织关系转接" in errors["组织关系转接"] and "乙镇机关党支部" in errors["组织关系转接"]
    errors = refused(transfers.transfer_out_issue, user=tree.branch_user, person_id=tree.member_a1_1.pk,
                     counterpart="中共某市某区委", letter_number="1", validity_days=30, dues_paid_through="2024-12",
                     date=TODAY)
    assert "同一党员同一时间只能有一项转接" in errors["组织关系转接"]


def test_the_database_constraint_backs_the_one_open_transfer_rule(tree, monkeypatch):
    """Two concurrent starts both pass the check; the constraint refuses the second with the same message."""
    start(tree)
    monkeypatch.setattr(transfers, "pending_transfer_of", lambda person_id: None)
    errors = refused(start, tree=tree, to=tree.branch_a2)
    assert "同一党员同一时间只能有一项转接" in errors["组织关系转接"]


def test_receiving_organization_guards(tree):
    dissolved = organization_create(parent=tree.town_b, code="C-B-8", name="乙镇撤并党支部", org_type="branch",
                                    founded_date=D(2000, 1, 1))
    organization_dissolve(user=tree.county_user, organization=dissolved, date=AGO(30), reason="撤并",
                          expected_version=dissolved.version)
    group = organization_create(parent=tree.branch_b1, code="C-B-1-G", name="乙镇第一党小组", org_type="party_group",
                                founded_date=D(2000, 1, 1))
    young = organization_create(parent=tree.town_b, code="C-B-9", name="乙镇新建党支部", org_type="branch",
                                founded_date=AGO(3))
    assert refused(start, tree=tree, to=dissolved)["接收党组织"].startswith(
        f"「乙镇撤并党支部」已于 {AGO(30).isoformat()} 撤销，组织关系不能从 {AGO(10).isoformat()} 起转入（依据：《")
    assert "党小组，不直接管理党员组织关系" in refused(start, tree=tree, to=group)["接收党组织"]
    assert "早于「乙镇新建党支部」的成立日期" in refused(start, tree=tree, to=young)["接收党组织"]
    assert refused(start, tree=tree, to=tree.branch_a1)["接收党组织"] == "接收党组织「甲镇机关党支部」与现所在党组织相同"
    errors = refused(transfers.transfer_start, user=tree.branch_user, person_id=tree.member_a1_1.pk,
                     to_organization_id=None, date=TODAY)
    assert errors == {"接收党组织": "请选择接收党组织"}
    errors = refused(transfers.transfer_start, user=tree.branch_user, person_id=tree.member_a1_1.pk,
                     to_organization_id=999999, date=TODAY)
    assert errors == {"接收党组织": "接收党组织不存在"}


def test_dates_and_membership_guards(tree):
    errors = refused(start, tree=tree, day=TODAY + dt.timedelta(days=1))
    assert errors["转接日期"].endswith("晚于今天")
    errors = refused(start, tree=tree, day=D(2009, 1, 1))
    assert errors["转接日期"] == "转接日期 2009-01-01 早于入党日期 2010-07-01，该日尚不是党员"
    moved = make_member(tree.branch_a1, "赵磊")
    Membership.objects.filter(person=moved).update(start_date=D(2020, 3, 1))
    errors = refused(start, tree=tree, person=moved, day=D(2019, 1, 1))
    assert "早于现组织关系的起始日期 2020-03-01" in errors["转接日期"]
    MembershipEvent.objects.create(person=moved, kind="full_membership", detail="on_time", date=AGO(20),
                                   organization=tree.branch_a1)
    errors = refused(start, tree=tree, person=moved, day=AGO(25))
    assert "早于该党员最近一次变动的日期" in errors["转接日期"]
    assert refused(start, tree=tree, day="2024-13-01")["转接日期"] == "「2024-13-01」不是有效日期"


def test_non_members_and_foreign_members_are_out_of_scope(tree):
    before = state()
    with pytest.raises(OutOfScope):  # the foreign branch's member: "does not exist" for branch A1
        start(tree, tree.member_b1_1, to=tree.branch_a2)
    transfers.transfer_out_issue(user=tree.branch_user, person_id=tree.member_a1_1.pk, counterpart="中共某市某区委",
                                 letter_number="2024-9", validity_days=30, dues_paid_through="2024-12", date=TODAY)
    before = state()
    with pytest.raises(OutOfScope):  # no longer a member: no open membership to transfer
        start(tree)
    with pytest.raises(OutOfScope):
        transfers.transfer_out_issue(user=tree.branch_user, person_id=tree.member_a1_1.pk, counterpart="中共某市某区委",
                                     letter_number="2024-10", validity_days=30, dues_paid_through="2024-12", date=TODAY)
    assert state() == before


def test_accept_guards(tree):
    transfer = start(tree)
    errors = refused(transfers.transfer_accept, user=tree.branch_user, transfer_id=transfer.pk, date=TODAY,
                     expected_version=transfer.version)
    assert errors == {"接收党组织": "只有接收方「乙镇机关党支部」可以接收；接收党组织不在您的管理范围内"}
    errors = refused(transfers.transfer_accept, user=tree.branch_b_user, transfer_id=transfer.pk, date=AGO(11),
                     expected_version=transfer.version)
    assert errors["接收日期"] == f"接收日期 {AGO(11).isoformat()} 早于转出日期 {AGO(10).isoformat()}"
    errors = refused(transfers.transfer_cancel, user=tree.branch_b_user, transfer_id=transfer.pk,
                     expected_version=transfer.version)
    assert errors == {"转出党组织": "只有转出方「甲镇机关党支部」可以撤回"}
    outsider = make_user("town_c", "party_affairs", organization_create(
        parent=tree.county, code="C-C", name="丙镇党委", org_type="committee", founded_date=D(1958, 1, 1)))
    before = state()
    with pytest.raises(ConcurrentEdit):
        transfers.transfer_accept(user=tree.branch_b_user, transfer_id=transfer.pk, date=TODAY,
                                  expected_version=transfer.version + 1)
    with pytest.raises(OutOfScope):  # 丙镇 sees neither side of it
        transfers.transfer_accept(user=outsider, transfer_id=transfer.pk, date=TODAY, expected_version=transfer.version)
    assert state() == before
    transfers.transfer_accept(user=tree.branch_b_user, transfer_id=transfer.pk, date=TODAY,
                              expected_version=transfer.version)
    transfer.refresh_from_db()
    errors = refused(transfers.transfer_accept, user=tree.branch_b_user, transfer_id=transfer.pk, date=TODAY,
                     expected_version=transfer.version)
    assert errors == {"状态": "该转接已接收，不能再办理"}


def test_accept_refused_when_the_target_was_dissolved_or_the_member_left(tree):
    target = organization_create(parent=tree.town_b, code="C-B-7", name="乙镇临时接收党支部", org_type="branch",
                                 founded_date=D(2000, 1, 1))
    transfer = start(tree, to=target)
    organization_dissolve(user=tree.county_user, organization=target, date=AGO(2), reason="撤并",
                          expected_version=target.version)
    errors = refused(transfers.transfer_accept, user=tree.county_user, transfer_id=transfer.pk, date=TODAY,
                     expected_version=transfer.version)
    assert errors["接收党组织"].startswith("「乙镇临时接收党支部」已于")
    li = tree.member_a1_2
    other = start(tree, li)
    Membership.objects.filter(person=li, end_date__isnull=True).update(end_date=AGO(1), end_reason="death")
    errors = refused(transfers.transfer_accept, user=tree.branch_b_user, transfer_id=other.pk, date=TODAY,
                     expected_version=other.version)
    assert "该党员已不在转出党组织" in errors["组织关系"]


# ----- 转出本系统 ---------------------------------------------------------------------------------------------------

def test_transfer_out_issues_a_letter_and_ends_the_membership(tree):
    transfer = transfers.transfer_out_issue(user=tree.branch_user, person_id=tree.member_a1_1.pk,
                                            counterpart="中共某省某市某区某街道工作委员会", letter_number="2024-031",
                                            validity_days="30", dues_paid_through="2024年12月", date=AGO(3))
    assert (transfer.direction, transfer.state, transfer.validity_days, transfer.dues_paid_through, transfer.to_organization,
            transfer.letter_number) == ("out", "issued", 30, D(2024, 12, 1), None, "2024-031")
    [event] = MembershipEvent.objects.filter(person=tree.member_a1_1)
    assert (event.kind, event.date, event.counterpart, event.from_organization, event.to_organization,
            event.document_number) == ("transfer_out", AGO(3), "中共某省某市某区某街道工作委员会", tree.branch_a1, None, "2024-031")
    closed = Membership.objects.get(person=tree.member_a1_1)
    assert (closed.end_date, closed.end_reason) == (AGO(3), "transfer_out")
    assert tree.member_a1_1.pk not in roster_ids(tree.branch_user)
    assert person_page(tree.branch_user, tree.member_a1_1) == 200  # a former member's record stays with the sender


@pytest.mark.parametrize(("change", "column", "reason"), [
    ({"counterpart": ""}, "接收党组织（系统外）", "请填写接收党组织全称（介绍信「由…去…」）"),
    ({"letter_number": " "}, "介绍信编号", "请填写介绍信编号（每联右上角「第 号」，由转出地党组织填写）"),
    ({"validity_days": ""}, "有效期（天）", "请填写介绍信有效期（天数）"),
    ({"validity_days": "0"}, "有效期（天）", "有效期 0 天超出范围：应为 1–90 天（一般市内 10 天、市外 30 天，最长不超过 3 个月）"),
    ({"validity_days": 91}, "有效期（天）", "有效期 91 天超出范围：应为 1–90 天（一般市内 10 天、市外 30 天，最长不超过 3 个月）"),
    ({"validity_days": "三十"}, "有效期（天）", "「三十」不是天数"),
    ({"dues_paid_through": ""}, "党费交至", "请填写党费交至的年月（介绍信「党费已交到 年 月」）"),
    ({"dues_paid_through": "2099-01"}, "党费交至", None),
    ({"date": "2009-06-30"}, "转出日期", "转出日期 2009-06-30 早于入党日期 2010-07-01，该日尚不是党员"),
])
def test_transfer_out_guards(tree, change, column, reason):
    values = dict(user=tree.branch_user, person_id=tree.member_a1_1.pk, counterpart="中共某市某区委",
                  letter_number="2024-5", validity_days=30, dues_paid_through="2024-12", date=TODAY)
    errors = refused(transfers.transfer_out_issue, **{**values, **change})
    assert column in errors
    if reason is not None:
        assert errors[column] == reason
    else:
        assert "晚于转出日期后 12 个月" in errors[column]


# ----- 从系统外转入 -------------------------------------------------------------------------------------------------

def arriving(tree, **overrides) -> dict:
    from tests.factories import make_id

    birth = D(1992, 4, 18)
    values = dict(user=tree.branch_b_user, organization_id=tree.branch_b1.pk, name="孙悦", sex="2", ethnicity="回族",
                  birth_date=birth, id_number=make_id(birth, "2"), education_level="大学本科",
                  admission_date=D(2016, 6, 1), full_membership_date=None, category="probationary",
                  occupation="企事业单位、社会组织专业技术人员", counterpart="中共某省某市某大学委员会",
                  letter_number="外字 2024-88", date=AGO(2))
    values.update(overrides)
    return values


def test_transfer_in_registers_a_member_arriving_with_a_letter(tree):
    transfer = transfers.transfer_in_register(**arriving(tree, full_membership_date=D(2017, 6, 1), category="full"))
    person = transfer.person
    assert (transfer.direction, transfer.state, transfer.from_organization, transfer.to_organization,
            transfer.counterpart, transfer.letter_number) == ("in", "accepted", None, tree.branch_b1,
                                                              "中共某省某市某大学委员会", "外字 2024-88")
    [event] = MembershipEvent.objects.filter(person=person)
    assert (event.kind, event.date, event.to_organization, event.from_organization, event.counterpart) == (
        "transfer_in", AGO(2), tree.branch_b1, None, "中共某省某市某大学委员会")
    [m] = Membership.objects.filter(person=person)
    assert (m.organization, m.start_date, m.end_date, m.occupation) == (tree.branch_b1, AGO(2), None, "professional")
    assert PartyMember.objects.get(pk=person.pk).admission_date == D(2016, 6, 1)
    assert person.political_status == "01" and person.pk in roster_ids(tree.branch_b_user)
    assert person.pk not in roster_ids(tree.branch_b_user, AGO(3))  # counted from the day of arrival
    assert AuditEvent.objects.filter(kind="transfer_in_register").exists()


def test_transfer_in_guards(tree):
    errors = refused(transfers.transfer_in_register, **arriving(tree, date=D(2016, 5, 1)))
    assert errors["转入日期"] == "转入日期 2016-05-01 早于入党日期 2016-06-01"
    errors = refused(transfers.transfer_in_register, **arriving(tree, counterpart=" "))
    assert errors["原所在党组织"] == "请填写介绍信开出的原党组织全称"
    errors = refused(transfers.transfer_in_register, **arriving(tree, category="full"))
    assert errors["转正日期"] == "人员类别为正式党员，必须填写转正日期"
    with pytest.raises(OutOfScope):
        transfers.transfer_in_register(**arriving(tree, organization_id=tree.branch_a1.pk))
    group = organization_create(parent=tree.branch_b1, code="C-B-1-G", name="乙镇第一党小组", org_type="party_group",
                                founded_date=D(2000, 1, 1))
    errors = refused(transfers.transfer_in_register, **arriving(tree, organization_id=group.pk))
    assert "党小组" in errors["所在党组织"]


# ----- 整建制转接 -----------------------------------------------------------------------------------------------------

def test_whole_unit_transfer_inside_zugong_writes_one_event_per_member_and_dissolves_the_source(tree):
    second = make_member(tree.branch_a2, "钱芳", sex="2")
    source = tree.branch_a2
    result = transfers.whole_unit_transfer(user=tree.county_user, from_organization_id=source.pk,
                                           to_organization_id=tree.branch_b1.pk, date=AGO(1), expected_version=source.version)
    members = {tree.member_a2_1.pk, second.pk}
    assert {e.person_id for e in result.events} == members and len(result.events) == 2
    assert {(e.kind, e.detail, e.date, e.from_organization_id, e.to_organization_id) for e in result.events} == {
        ("transfer", "whole_unit", AGO(1), source.pk, tree.branch_b1.pk)}
    assert {(t.direction, t.state, t.whole_unit) for t in result.transfers} == {("internal", "accepted", True)}
    assert set(Membership.objects.filter(person_id__in=members, end_date__isnull=True)
               .values_list("organization_id", flat=True)) == {tree.branch_b1.pk}
    source.refresh_from_db()
    assert (source.status, source.dissolved_date, source.dissolution_reason) == ("dissolved", AGO(1), "整建制转接")
    assert members <= roster_ids(tree.branch_b_user) and not members & roster_ids(tree.town_user)
    assert AuditEvent.objects.filter(kind="whole_unit_transfer", object_id=str(source.pk)).exists()


def test_whole_unit_transfer_out_of_zugong(tree):
    source = tree.branch_a2
    result = transfers.whole_unit_transfer(user=tree.town_user, from_organization_id=source.pk,
                                           counterpart="中共某县某镇委员会", date=TODAY, letter_number="整 2024-1",
                                           validity_days=30, dues_paid_through="2024-12", expected_version=source.version)
    [event] = result.events
    assert (event.kind, event.detail, event.person_id, event.counterpart, event.to_organization) == (
        "transfer_out", "whole_unit", tree.member_a2_1.pk, "中共某县某镇委员会", None)
    [transfer] = result.transfers
    assert (transfer.direction, transfer.state, transfer.letter_number, transfer.validity_days) == (
        "out", "issued", "整 2024-1", 30)
    assert result.organization.status == "dissolved"


def test_whole_unit_transfer_guards(tree):
    source = tree.branch_a2
    call = dict(user=tree.town_user, from_organization_id=source.pk, to_organization_id=tree.branch_b1.pk, date=TODAY,
                expected_version=source.version)
    errors = refused(transfers.whole_unit_transfer, **call)  # 乙镇 is outside 甲镇's scope
    assert errors["接收党组织"].startswith("接收党组织「乙镇机关党支部」不在您的管理范围内")
    errors = refused(transfers.whole_unit_transfer, **{**call, "to_organization_id": None})
    assert errors["接收党组织"] == "请选择系统内接收党组织，或填写系统外接收党组织全称"
    errors = refused(transfers.whole_unit_transfer, **{**call, "counterpart": "中共某县委"})
    assert errors["接收党组织"] == "请在系统内接收党组织和系统外接收党组织中选择一个"
    errors = refused(transfers.whole_unit_transfer, **{**call, "to_organization_id": source.pk})
    assert errors["接收党组织"] == "接收党组织「甲镇东村党支部」是原党组织本身或其下级"
    # a member with an open transfer; a sub-organization not dissolved
    transfers.transfer_start(user=tree.town_user, person_id=tree.member_a2_1.pk, to_organization_id=tree.branch_a1.pk,
                             date=TODAY)
    organization_create(parent=source, code="C-A-2-G", name="东村第一党小组", org_type="party_group",
                        founded_date=D(2000, 1, 1))
    source.refresh_from_db()
    errors = refused(transfers.whole_unit_transfer, **{**call, "to_organization_id": tree.branch_a1.pk,
                                                        "expected_version": source.version})
    assert errors["组织关系转接"] == "以下党员还有未办结的组织关系转接，请先办结或撤回：王强"
    assert "还有未撤销的下级组织（东村第一党小组）" in errors["原党组织"]
    # branch secretaries may not dissolve their branch
    errors = refused(transfers.whole_unit_transfer, user=tree.branch_user, from_organization_id=tree.branch_a1.pk,
                     counterpart="中共某县委", date=TODAY, letter_number="1", validity_days=10, dues_paid_through="2024-12",
                     expected_version=tree.branch_a1.version)
    assert errors["原党组织"] == "整建制转接后须撤销原党组织，您没有撤销该组织的权限"
    with pytest.raises(OutOfScope):
        transfers.whole_unit_transfer(user=tree.town_user, from_organization_id=tree.branch_b1.pk,
                                      to_organization_id=tree.branch_a1.pk, date=TODAY)
    with pytest.raises(ConcurrentEdit):
        transfers.whole_unit_transfer(**{**call, "to_organization_id": tree.branch_a1.pk,
                                         "expected_version": source.version - 1})


def test_whole_unit_refusal_after_writing_started_leaves_nothing(tree, monkeypatch):
    """The dissolution at the end refuses (its own check): the members' moves written before roll back."""
    from zugong.orgs import services as org_services
    from zugong.orgs import validators as org_validators

    def refuse(**kwargs):
        return [org_validators.FieldProblem("撤销日期", "测试：撤销被拒绝")]

    monkeypatch.setattr(org_validators, "check_dissolve", refuse)
    monkeypatch.setattr(org_services.v, "check_dissolve", refuse)
    source = tree.branch_a2
    errors = refused(transfers.whole_unit_transfer, user=tree.county_user, from_organization_id=source.pk,
                     to_organization_id=tree.branch_b1.pk, date=TODAY, expected_version=source.version)
    assert errors == {"撤销日期": "测试：撤销被拒绝"}
    assert not MembershipTransfer.objects.filter(Q(from_organization=source) | Q(to_organization=source)).exists()
