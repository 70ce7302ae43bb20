"""撤销党员变动 (``party.services.event_revoke``, the person page's form ``party:event_revoke`` and
``POST /api/members/{person_id}/events/{event_id}/revoke/``): each kind undone exactly (periods, 政治面貌,
转正日期, the stored periods = ``periods_from_events(opening, remaining events)``), every refusal writing
nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tests.party.test_lifecycle import snapshot  # everything an event may write
from tests.security.helpers import login
from zugong.audit.models import AuditEvent
from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed
from zugong.party import lifecycle, services
from zugong.party.models import (
    Membership,
    MembershipEvent,
    MembershipTransfer,
    PartyMember,
)
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 30)


def periods(person) -> list[tuple]:
    return list(Membership.objects.filter(person=person).order_by("start_date", "pk")
                .values_list("organization_id", "start_date", "end_date", "end_reason"))


def opening(person) -> list[lifecycle.Period]:
    return [lifecycle.Period(o, s, e, r or "") for o, s, e, r in periods(person)]


def follows_events(person, start: list[lifecycle.Period]) -> None:
    derived = [(p.organization_id, p.start, p.end, p.end_reason)
               for p in lifecycle.periods_from_events(start, list(MembershipEvent.objects.filter(person=person)))]
    assert derived == periods(person)


def record(**kwargs) -> MembershipEvent:
    kwargs.setdefault("today", TODAY)
    return services.event_record(**kwargs)


def revoke(user, event, reason="登记有误"):
    version = Person.objects.get(pk=event.person_id).version
    return services.event_revoke(user=user, event_id=event.pk, expected_version=version, reason=reason)


def refused(user, event, column, *, reason="登记有误", version=None) -> str:
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.event_revoke(user=user, event_id=event.pk, reason=reason,
                              expected_version=version or Person.objects.get(pk=event.person_id).version)
    assert snapshot() == before
    assert [e.column for e in exc.value.errors] == [column], exc.value.errors
    return exc.value.errors[0].reason


def state(person):
    p = Person.objects.get(pk=person.pk)
    return p.political_status, p.organization_id, PartyMember.objects.get(pk=person.pk).full_membership_date


# ----- each kind undone ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,detail,extra", [
    ("exit", "persuaded_to_leave", {}),
    ("suspension", "", {}),
    ("death", "", {}),
    ("transfer_out", "", {"counterpart": "中共某市某区委组织部"}),
])
def test_a_decrease_reopens_the_period_it_closed(tree, kind, detail, extra):
    member = tree.member_a1_1  # full member since 2011-07-01
    start, before = opening(member), state(member)
    version = Person.objects.get(pk=member.pk).version
    event = record(user=tree.town_user, person_id=member.pk, kind=kind, detail=detail, date="2025-03-01", **extra)
    assert periods(member)[-1][2:] == (D(2025, 3, 1), kind)
    revoke(tree.town_user, event, reason="日期填错")
    assert not MembershipEvent.objects.filter(pk=event.pk).exists()
    assert periods(member) == [(tree.branch_a1.pk, D(2010, 7, 1), None, "")]
    assert state(member) == before == ("01", tree.branch_a1.pk, D(2011, 7, 1))
    assert Person.objects.get(pk=member.pk).version == version + 2  # the event, then the undo
    follows_events(member, start)
    audit = AuditEvent.objects.get(kind="membership_event_revoke", object_id=str(event.pk))
    assert (audit.data["kind"], audit.data["detail"], audit.data["reason"]) == (kind, detail, "日期填错")
    assert audit.actor_id == tree.town_user.pk
    lines = [a.data["changes"]["党员变动"] for a in AuditEvent.objects.filter(kind="change", object_id=str(member.pk))
             .order_by("pk") if "党员变动" in a.data.get("changes", {})]
    assert lines[-1] == [f"2025-03-01 {services._event_text(event)}", "已撤销（日期填错）"]


def test_an_undone_exit_of_a_probationary_member_is_02_again(tree):
    member = tree.member_a1_2  # admitted 2024-06-20, not full
    event = record(user=tree.town_user, person_id=member.pk, kind="exit", detail="probation_cancelled",
                   date="2025-03-01")
    assert Person.objects.get(pk=member.pk).political_status == "13"
    revoke(tree.branch_user, event)
    assert state(member) == ("02", tree.branch_a1.pk, None)
    assert periods(member)[-1][2:] == (None, "")


@pytest.mark.parametrize("kind,detail,extra", [
    ("reinstatement", "", {}),
    ("transfer_in", "", {"counterpart": "中共某市某区委组织部"}),
])
def test_an_increase_deletes_the_period_it_opened(tree, kind, detail, extra):
    member = tree.member_a1_1
    left = record(user=tree.town_user, person_id=member.pk, kind="exit" if kind == "reinstatement" else "transfer_out",
                  detail="persuaded_to_leave" if kind == "reinstatement" else "", date="2024-03-01",
                  **({} if kind == "reinstatement" else extra))
    start, before = [lifecycle.Period(tree.branch_a1.pk, D(2010, 7, 1))], state(member)
    event = record(user=tree.town_user, person_id=member.pk, kind=kind, detail=detail, date="2025-03-01",
                   to_organization_id=tree.branch_a2.pk, **extra)
    assert state(member)[:2] == ("01", tree.branch_a2.pk)
    revoke(tree.town_user, event)
    assert periods(member) == [(tree.branch_a1.pk, D(2010, 7, 1), D(2024, 3, 1), left.kind)]
    assert state(member) == before  # 13 after 出党 again; the 所属组织 back to branch A1
    follows_events(member, start)


def test_a_transfer_deletes_the_new_period_and_reopens_the_old(tree):
    member = tree.member_a1_1
    start = opening(member)
    event = record(user=tree.town_user, person_id=member.pk, kind="transfer", date="2025-03-01",
                   to_organization_id=tree.branch_a2.pk)
    assert Person.objects.get(pk=member.pk).organization_id == tree.branch_a2.pk
    revoke(tree.town_user, event)
    assert periods(member) == [(tree.branch_a1.pk, D(2010, 7, 1), None, "")]
    assert state(member) == ("01", tree.branch_a1.pk, D(2011, 7, 1))
    follows_events(member, start)


def test_full_membership_clears_the_date_other_outcomes_just_go(tree):
    member = tree.member_a1_2  # admitted 2024-06-20
    start = opening(member)
    event = record(user=tree.town_user, person_id=member.pk, kind="full_membership", detail="on_time",
                   date="2025-06-25")
    assert state(member) == ("01", tree.branch_a1.pk, D(2025, 6, 25))
    revoke(tree.town_user, event)
    assert state(member) == ("02", tree.branch_a1.pk, None)
    extended = record(user=tree.town_user, person_id=member.pk, kind="full_membership", detail="extended",
                      extension_months=6, date="2025-06-25")
    revoke(tree.town_user, extended)
    assert state(member) == ("02", tree.branch_a1.pk, None) and not MembershipEvent.objects.filter(person=member)
    follows_events(member, start)
    # the extension gone, an on-time 转正 may be recorded again
    record(user=tree.town_user, person_id=member.pk, kind="full_membership", detail="on_time", date="2025-06-26")


# ----- refusals -------------------------------------------------------------------------------------------------

def test_only_the_latest_event(tree):
    member = tree.member_a1_1
    first = record(user=tree.town_user, person_id=member.pk, kind="suspension", date="2024-03-01")
    record(user=tree.town_user, person_id=member.pk, kind="reinstatement", detail="after_suspension",
           date="2025-03-01", to_organization_id=tree.branch_a1.pk)
    reason = refused(tree.town_user, first, "变动日期")
    assert "最近一次" in reason and "2025-03-01" in reason


def test_transfer_linked_and_admission_are_refused(tree):
    member = tree.member_a1_1
    event = record(user=tree.town_user, person_id=member.pk, kind="transfer", date="2025-03-01",
                   to_organization_id=tree.branch_a2.pk)
    transfer = MembershipTransfer.objects.create(person=member, direction="internal", state="accepted",
                                                 from_organization=tree.branch_a1, to_organization=tree.branch_a2,
                                                 sent_date=D(2025, 3, 1))
    MembershipEvent.objects.filter(pk=event.pk).update(transfer=transfer)
    assert "组织关系转接页面" in refused(tree.town_user, event, "组织关系转接")
    other = tree.member_a2_1
    record(user=tree.town_user, person_id=other.pk, kind="exit", detail="persuaded_to_leave", date="2020-01-01")
    admission = record(user=tree.town_user, person_id=other.pk, kind="admission", detail="readmission",
                       date="2025-03-01", to_organization_id=tree.branch_a2.pk)
    assert "更正党员记录" in refused(tree.town_user, admission, "变动类型")


def test_missing_reason_stale_version_and_out_of_scope(tree):
    member = tree.member_a1_1
    event = record(user=tree.town_user, person_id=member.pk, kind="death", date="2025-03-01")
    assert "撤销原因" in refused(tree.town_user, event, "撤销原因", reason="  ")
    before = snapshot()
    version = Person.objects.get(pk=member.pk).version
    with pytest.raises(ConcurrentEdit):
        services.event_revoke(user=tree.town_user, event_id=event.pk, expected_version=version - 1, reason="有误")
    with pytest.raises(OutOfScope):  # 乙镇's branch secretary
        services.event_revoke(user=tree.branch_b_user, event_id=event.pk, expected_version=version, reason="有误")
    assert snapshot() == before


def test_a_period_opened_after_the_decrease_is_refused(tree):
    member = tree.member_a1_1
    event = record(user=tree.town_user, person_id=member.pk, kind="suspension", date="2025-03-01")
    Membership.objects.create(person=member, organization=tree.branch_a2, start_date=D(2025, 4, 1))  # no event
    assert "不一致" in refused(tree.town_user, event, "组织关系")


# ----- page and API ---------------------------------------------------------------------------------------------

def test_person_page_form_and_api(tree):
    member = tree.member_a1_1
    event = record(user=tree.town_user, person_id=member.pk, kind="death", date="2025-03-01")
    client = login(Client(), tree.town_user)
    page = client.get(reverse("people:detail", kwargs={"pk": member.pk}))
    url = reverse("party:event_revoke", kwargs={"pk": member.pk, "event_id": event.pk})
    assert page.status_code == 200 and url in page.content.decode()
    version = Person.objects.get(pk=member.pk).version
    response = client.post(url, {"version": version, "reason": ""})
    assert response.status_code == 400 and "撤销原因" in response.content.decode()
    assert client.post(url, {"version": version - 1, "reason": "有误"}).status_code == 409
    wrong_person = reverse("party:event_revoke", kwargs={"pk": tree.member_a1_2.pk, "event_id": event.pk})
    assert client.post(wrong_person, {"version": version, "reason": "有误"}).status_code == 404
    response = client.post(url, {"version": version, "reason": "登记有误"})
    assert response.status_code == 302 and not MembershipEvent.objects.filter(pk=event.pk).exists()
    assert periods(member)[-1][2:] == (None, "")
    page = client.get(reverse("people:detail", kwargs={"pk": member.pk}))
    assert "event-revoke" not in page.content.decode()  # no event left to undo

    event = record(user=tree.town_user, person_id=member.pk, kind="suspension", date="2025-04-01")
    api = reverse("api:member-event-revoke", kwargs={"person_id": member.pk, "event_id": event.pk})
    version = Person.objects.get(pk=member.pk).version
    assert client.post(api, {"version": version}, content_type="application/json").status_code == 400
    other = login(Client(), tree.branch_b_user)
    assert other.post(api, {"version": version, "reason": "有误"}, content_type="application/json").status_code == 404
    response = client.post(api, {"version": version, "reason": "登记有误"}, content_type="application/json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["event_id"], body["kind"], body["version"]) == (event.pk, "suspension", version + 1)
    assert periods(member)[-1][2:] == (None, "")
