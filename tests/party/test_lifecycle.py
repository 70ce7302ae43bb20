"""Member lifecycle (issue #10): the guards (``lifecycle.check_event``) and ``services.event_record``.

Every bad input of the issue that belongs to the events is refused with a Chinese message naming the field
and the article, and nothing is written (people, party records, memberships, events, audit); the periods
follow the events, so the roster as of any day is exact — someone who dies on D is not counted on D."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_member, make_user
from zugong.audit.models import AuditEvent
from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed
from zugong.orgs.models import PartyOrganization
from zugong.party import lifecycle, services
from zugong.party.lifecycle import EventFact, MemberState, Period, check_event, load_states
from zugong.party.models import DevelopmentRecord, Membership, MembershipEvent, PartyMember
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 6, 30)


def snapshot():
    """Everything an event may write (a refused call writes none of it)."""
    return (sorted(Person.objects.values_list("pk", "version", "organization_id", "political_status")),
            sorted(PartyMember.objects.values_list("pk", "version", "admission_date", "full_membership_date")),
            sorted(Membership.objects.values_list("pk", "version", "organization_id", "start_date", "end_date",
                                                  "end_reason")),
            sorted(MembershipEvent.objects.values_list("pk", "kind", "detail", "date")),
            sorted(DevelopmentRecord.objects.values_list("pk", "version", "admission_date")),
            AuditEvent.objects.count())


def refused(**kwargs) -> list:
    """``event_record`` with ``kwargs`` must raise ``ValidationFailed`` and write nothing; the errors."""
    kwargs.setdefault("today", TODAY)
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.event_record(**kwargs)
    assert snapshot() == before
    return exc.value.errors


def record(**kwargs) -> MembershipEvent:
    kwargs.setdefault("today", TODAY)
    return services.event_record(**kwargs)


def only(errors, column: str) -> str:
    """The reason of the single error, which must be on ``column``."""
    assert [e.column for e in errors] == [column], errors
    return errors[0].reason


# ----- the bad inputs of the issue ----------------------------------------------------------------------------

def test_event_dated_before_admission(tree):
    member = tree.member_a1_2  # admitted 2024-06-20
    reason = only(refused(user=tree.town_user, person_id=member.pk, kind="suspension", date="2024-06-19"), "变动日期")
    assert reason.startswith("变动日期 2024-06-19 早于入党日期 2024-06-20") and "《党章》第七条" in reason


def test_event_after_death(tree):
    member = tree.member_a2_1
    record(user=tree.town_user, person_id=member.pk, kind="death", date="2025-03-01")
    for kind, extra in (("suspension", {}), ("reinstatement", {"to_organization_id": tree.branch_a2.pk}),
                        ("exit", {"detail": "expelled"})):
        reason = only(refused(user=tree.town_user, person_id=member.pk, kind=kind, date="2025-04-01", **extra),
                      "变动日期")
        assert reason.startswith("「王强」已于 2025-03-01 去世，不能登记 2025-04-01 的"), reason


def test_full_membership_before_one_year_without_extension(tree):
    member = tree.member_a1_2  # admitted 2024-06-20, probationary
    reason = only(refused(user=tree.branch_user, person_id=member.pk, kind="full_membership", detail="on_time",
                          date="2025-06-19"), "变动日期")
    assert "距入党日期 2024-06-20 不足一年" in reason and "至 2025-06-20 期满" in reason and "《党章》第七条" in reason
    # the old 转正 service refuses it too, nothing written
    before = snapshot()
    with pytest.raises(ValidationFailed):
        services.membership_change_category(user=tree.branch_user, person_id=member.pk,
                                            full_membership_date="2025-06-19", expected_version=1, today=TODAY)
    assert snapshot() == before


def test_reinstatement_for_a_member_never_stopped(tree):
    member = tree.member_a1_1
    errors = refused(user=tree.town_user, person_id=member.pk, kind="reinstatement", date="2025-01-02",
                     to_organization_id=tree.branch_a1.pk)
    reasons = {e.column: e.reason for e in errors}
    assert reasons["变动类型"].startswith("「张伟」没有出党或停止党籍的记录，不能恢复党籍")
    assert "《党员教育管理工作条例》第二十四条" in reasons["变动类型"]
    assert "已是党员（组织关系在「甲镇机关党支部」）" in reasons["变动日期"]


def test_reinstatement_after_suspension_needs_a_recorded_suspension(tree):
    member = tree.member_a1_1
    record(user=tree.town_user, person_id=member.pk, kind="exit", detail="withdrawn_removed", date="2024-03-01")
    reason = only(refused(user=tree.town_user, person_id=member.pk, kind="reinstatement", detail="after_suspension",
                          date="2025-01-02", to_organization_id=tree.branch_a1.pk), "变动情形")
    assert reason.startswith("「张伟」没有停止党籍的记录，不能登记「停止党籍后恢复党籍」")
    # a plain 恢复党籍 covers the other restorations (e.g. an exit reversed on review)
    event = record(user=tree.town_user, person_id=member.pk, kind="reinstatement", date="2025-01-02",
                   to_organization_id=tree.branch_a1.pk)
    assert (event.kind, event.detail, event.to_organization_id) == ("reinstatement", "", tree.branch_a1.pk)


def test_decrease_for_someone_not_a_member_on_that_date(tree):
    member = tree.member_a1_1
    record(user=tree.town_user, person_id=member.pk, kind="suspension", date="2024-03-01")
    for kind, detail in (("death", ""), ("exit", "lapsed_removed"), ("suspension", "")):
        reason = only(refused(user=tree.town_user, person_id=member.pk, kind=kind, detail=detail, date="2024-05-01"),
                      "变动日期")
        assert reason.startswith("「张伟」在 2024-05-01 不是本系统登记在册的党员（没有当日有效的组织关系）")


def test_increase_for_someone_who_is_a_member(tree):
    reason = only(refused(user=tree.town_user, person_id=tree.member_a1_1.pk, kind="admission", detail="readmission",
                          date="2024-05-01", to_organization_id=tree.branch_a2.pk)[:1], "变动日期")
    assert "在 2024-05-01 已是党员" in reason


def test_events_are_appended_in_date_order(tree):
    member = tree.member_a1_1
    record(user=tree.town_user, person_id=member.pk, kind="suspension", date="2024-03-01")
    reason = only(refused(user=tree.town_user, person_id=member.pk, kind="reinstatement", date="2024-02-01",
                          to_organization_id=tree.branch_a1.pk)[:1], "变动日期")
    assert "早于「张伟」已登记的最近一次变动或组织关系起始日期 2024-03-01" in reason


def test_extension_length_and_once_only(tree):
    member = tree.member_a1_2  # admitted 2024-06-20
    for months, shown in (("5", "5"), ("13", "13"), ("一年半", None)):
        errors = refused(user=tree.branch_user, person_id=member.pk, kind="full_membership", detail="extended",
                         extension_months=months, date="2025-06-20")
        reason = only(errors, "延长预备期")
        if shown:
            assert reason.startswith(f"延长预备期 {shown} 个月不在 6 至 12 个月之间") and "第三十二条" in reason
        else:
            assert "无法识别的延长时间「一年半」" in reason
    reason = only(refused(user=tree.branch_user, person_id=member.pk, kind="full_membership", detail="extended",
                          date="2025-06-20"), "延长预备期")
    assert reason == "请填写延长预备期的时间（6至12个月）"
    record(user=tree.branch_user, person_id=member.pk, kind="full_membership", detail="extended",
           extension_months="半年", date="2025-06-20")
    reason = only(refused(user=tree.branch_user, person_id=member.pk, kind="full_membership", detail="extended",
                          extension_months=6, date="2025-09-01"), "变动情形")
    assert "预备期只能延长一次（《发展党员工作细则》第三十二条）" in reason


def test_full_membership_after_extension(tree):
    member = tree.member_a1_2
    reason = only(refused(user=tree.branch_user, person_id=member.pk, kind="full_membership",
                          detail="after_extension", date="2025-12-20"), "变动情形")
    assert reason.startswith("「李娜」没有延长预备期的记录，不能登记「延长预备期后转正」")
    record(user=tree.branch_user, person_id=member.pk, kind="full_membership", detail="extended",
           extension_months=6, date="2025-06-20")
    reason = only(refused(user=tree.branch_user, person_id=member.pk, kind="full_membership", detail="on_time",
                          date="2025-07-01"), "变动情形")
    assert "已于 2025-06-20 延长预备期，转正请选择「延长预备期后转正」" in reason
    reason = only(refused(user=tree.branch_user, person_id=member.pk, kind="full_membership",
                          detail="after_extension", date="2025-12-19"), "变动日期")
    assert "延长的预备期（6 个月）至 2025-12-20 届满" in reason
    record(user=tree.branch_user, person_id=member.pk, kind="full_membership", detail="after_extension",
           date="2025-12-20")
    assert PartyMember.objects.get(pk=member.pk).full_membership_date == D(2025, 12, 20)
    assert Person.objects.get(pk=member.pk).political_status == "01"
    reason = only(refused(user=tree.branch_user, person_id=member.pk, kind="exit", detail="probation_cancelled",
                          date="2026-01-05"), "变动情形")
    assert "已于 2025-12-20 转为正式党员，取消预备党员资格只适用于预备党员（《党章》第七条）" in reason


def test_detail_must_fit_the_kind(tree):
    reason = only(refused(user=tree.town_user, person_id=tree.member_a1_1.pk, kind="exit", date="2025-01-02"),
                  "变动情形")
    assert reason.startswith("出党须填写出党方式（可选：开除党籍、退党除名、劝退")
    reason = only(refused(user=tree.town_user, person_id=tree.member_a1_1.pk, kind="death", detail="expelled",
                          date="2025-01-02"), "变动情形")
    assert reason == "「开除党籍」不是死亡的情形"
    reason = only(refused(user=tree.town_user, person_id=tree.member_a1_1.pk, kind="离职", date="2025-01-02"),
                  "变动类型")
    assert reason == "无法识别的变动类型「离职」"
    errors = refused(user=tree.town_user, person_id=tree.member_a1_1.pk, kind="death", date="2025-01-02",
                     reason_category="违反政治纪律", unreachable=True)
    assert {e.column: e.reason for e in errors} == {"出党原因": "只有出党需要填写出党原因",
                                                   "经多方查找确实无法取得联系": "只适用于自行脱党除名"}


def test_increase_into_a_dissolved_organization(tree):
    member = tree.member_a1_1
    record(user=tree.town_user, person_id=member.pk, kind="suspension", date="2024-03-01")
    PartyOrganization.objects.filter(pk=tree.branch_a2.pk).update(status="dissolved", dissolved_date=D(2024, 12, 31))
    reason = only(refused(user=tree.town_user, person_id=member.pk, kind="reinstatement", detail="after_suspension",
                          date="2025-01-02", to_organization_id=tree.branch_a2.pk), "党组织")
    assert reason.startswith("「甲镇东村党支部」已于 2024-12-31 撤销，组织关系不能从 2025-01-02 起转入（依据：《")


def test_future_date_and_admission_age(tree):
    reason = only(refused(user=tree.town_user, person_id=tree.member_a1_1.pk, kind="death", date="2026-07-01"),
                  "变动日期")
    assert reason == "日期 2026-07-01 晚于今天"


def test_failure_after_writing_started_leaves_nothing(tree, monkeypatch):
    """The event row is written, then applying it fails: the whole call rolls back."""
    def broken(event, *, occupation=None):
        assert MembershipEvent.objects.filter(pk=event.pk).exists()
        raise RuntimeError("disk full")

    monkeypatch.setattr(lifecycle, "apply_event", broken)
    before = snapshot()
    with pytest.raises(RuntimeError):
        services.event_record(user=tree.town_user, person_id=tree.member_a1_1.pk, kind="exit", detail="expelled",
                              date="2025-01-02", today=TODAY)
    assert snapshot() == before


# ----- scope and locking --------------------------------------------------------------------------------------

def test_out_of_scope_person_or_target_is_not_found(tree):
    before = snapshot()
    with pytest.raises(OutOfScope):  # the member is in 甲镇, the user in 乙镇's branch
        services.event_record(user=tree.branch_b_user, person_id=tree.member_a1_1.pk, kind="death", date="2025-01-02")
    record(user=tree.town_user, person_id=tree.member_a1_1.pk, kind="suspension", date="2024-03-01")
    viewer = make_user("viewer_a1", "viewer", tree.branch_a1)
    before = snapshot()
    with pytest.raises(OutOfScope):  # reinstated into an organization outside the town's scope
        services.event_record(user=tree.town_user, person_id=tree.member_a1_1.pk, kind="reinstatement",
                              date="2025-01-02", to_organization_id=tree.branch_b1.pk, today=TODAY)
    with pytest.raises(OutOfScope):  # may see the member, may not change the record
        services.event_record(user=viewer, person_id=tree.member_a1_2.pk, kind="death", date="2025-01-02",
                              today=TODAY)
    assert snapshot() == before


def test_stale_version_is_refused(tree):
    person = Person.objects.get(pk=tree.member_a1_1.pk)
    before = snapshot()
    with pytest.raises(ConcurrentEdit):
        services.event_record(user=tree.town_user, person_id=person.pk, kind="death", date="2025-01-02",
                              expected_version=person.version - 1, today=TODAY)
    assert snapshot() == before
    record(user=tree.town_user, person_id=person.pk, kind="suspension", date="2025-01-02",
           expected_version=person.version)
    assert Person.objects.get(pk=person.pk).version == person.version + 1  # every event bumps the lock


# ----- what the events write ----------------------------------------------------------------------------------

def test_counted_on_day_d_rule(tree):
    """Someone who dies on D is not on the roster as of D; counted the day before."""
    member = tree.member_a2_1
    event = record(user=tree.town_user, person_id=member.pk, kind="death", date="2025-03-01")
    assert (event.organization_id, event.from_organization_id, event.to_organization_id) == (
        tree.branch_a2.pk, tree.branch_a2.pk, None)
    on = lambda day: set(Membership.objects.on(day).filter(organization=tree.branch_a2)  # noqa: E731
                         .values_list("person_id", flat=True))
    assert member.pk in on(D(2025, 2, 28)) and member.pk not in on(D(2025, 3, 1))
    assert Person.objects.get(pk=member.pk).political_status == "01"  # died a member
    [closed] = Membership.objects.filter(person=member)
    assert (closed.end_date, closed.end_reason) == (D(2025, 3, 1), "death")
    audit = AuditEvent.objects.get(kind="membership_event", object_id=str(event.pk))
    assert audit.data["kind"] == "death" and audit.actor_id == tree.town_user.pk


def test_exit_sets_the_masses_and_readmission_starts_again(tree):
    member = tree.member_a1_1  # admitted 2010-07-01, full 2011-07-01
    event = record(user=tree.town_user, person_id=member.pk, kind="exit", detail="persuaded_to_leave",
                   reason_category="工作消极懈怠", reason="长期不履行党员义务", date="2023-04-01")
    assert (event.reason_category, event.detail) == ("work_slack", "persuaded_to_leave")
    assert Person.objects.get(pk=member.pk).political_status == "13"  # 群众, GB/T 4762
    record(user=tree.town_user, person_id=member.pk, kind="admission", detail="重新入党", date="2025-05-04",
           to_organization_id=tree.branch_a2.pk, occupation={"occupation": "farmer"})
    party = PartyMember.objects.get(pk=member.pk)
    assert (party.admission_date, party.full_membership_date) == (D(2025, 5, 4), None)
    person = Person.objects.get(pk=member.pk)
    assert (person.political_status, person.organization_id) == ("02", tree.branch_a2.pk)
    periods = list(Membership.objects.filter(person=member).order_by("start_date")
                   .values_list("organization_id", "start_date", "end_date", "end_reason", "occupation"))
    assert periods == [(tree.branch_a1.pk, D(2010, 7, 1), D(2023, 4, 1), "exit", "professional"),
                       (tree.branch_a2.pk, D(2025, 5, 4), None, "", "farmer")]


def test_admission_of_a_person_in_the_pipeline_closes_the_development_record(tree):
    from tests.factories import make_id
    from zugong.people.services import person_create

    birth = D(1999, 4, 5)
    person = person_create(user=tree.town_user, organization_id=tree.branch_a1.pk, name="赵新", sex="1",
                           ethnicity="01", birth_date=birth, id_number=make_id(birth, "1"), political_status="03")
    development = DevelopmentRecord.objects.create(person=person, organization=tree.branch_a1,
                                                   application_date=D(2023, 3, 1), activist_date=D(2023, 6, 1),
                                                   candidate_date=D(2024, 7, 1))
    record(user=tree.town_user, person_id=person.pk, kind="admission", date="2025-06-30",
           to_organization_id=tree.branch_a1.pk)
    development.refresh_from_db()
    assert development.admission_date == D(2025, 6, 30)
    assert PartyMember.objects.get(pk=person.pk).admission_date == D(2025, 6, 30)
    assert Person.objects.get(pk=person.pk).political_status == "02"
    reason = only(refused(user=tree.town_user, person_id=person.pk, kind="full_membership", detail="on_time",
                          date="2026-06-29"), "变动日期")
    assert "不足一年" in reason


def test_stored_periods_are_those_the_events_give(tree):
    """After a run of events the stored memberships equal ``periods_from_events`` (opening + events)."""
    member = tree.member_a1_1
    opening = [Period(tree.branch_a1.pk, D(2010, 7, 1))]
    record(user=tree.town_user, person_id=member.pk, kind="suspension", date="2022-01-10")
    record(user=tree.town_user, person_id=member.pk, kind="reinstatement", detail="after_suspension",
           date="2023-02-01", to_organization_id=tree.branch_a2.pk)
    services.membership_transfer(user=tree.town_user, person_id=member.pk, to_organization_id=tree.branch_a1.pk,
                                 date="2024-03-01", today=TODAY,
                                 expected_version=Membership.objects.get(person=member, end_date=None).version)
    record(user=tree.town_user, person_id=member.pk, kind="death", date="2025-08-08")
    events = list(MembershipEvent.objects.filter(person=member))
    assert [e.kind for e in sorted(events, key=lambda e: e.date)] == ["suspension", "reinstatement", "transfer", "death"]
    derived = [(p.organization_id, p.start, p.end, p.end_reason)
               for p in lifecycle.periods_from_events(opening, events)]
    stored = list(Membership.objects.filter(person=member).order_by("start_date")
                  .values_list("organization_id", "start_date", "end_date", "end_reason"))
    assert derived == stored == [(tree.branch_a1.pk, D(2010, 7, 1), D(2022, 1, 10), "suspension"),
                                 (tree.branch_a2.pk, D(2023, 2, 1), D(2024, 3, 1), "transfer"),
                                 (tree.branch_a1.pk, D(2024, 3, 1), D(2025, 8, 8), "death")]


# ----- the existing services write events ---------------------------------------------------------------------

def test_existing_services_record_events(tree):
    full = services.membership_change_category(user=tree.branch_user, person_id=tree.member_a1_2.pk,
                                               full_membership_date="2025-06-20", expected_version=1, today=TODAY)
    assert full.full_membership_date == D(2025, 6, 20)
    [event] = MembershipEvent.objects.filter(person=tree.member_a1_2)
    assert (event.kind, event.detail, event.date, event.organization_id) == (
        "full_membership", "on_time", D(2025, 6, 20), tree.branch_a1.pk)
    current = Membership.objects.get(person=tree.member_a2_1, end_date=None)
    services.membership_end(user=tree.town_user, person_id=tree.member_a2_1.pk, end_date="2025-02-01",
                            reason="expulsion", expected_version=current.version, today=TODAY)
    [event] = MembershipEvent.objects.filter(person=tree.member_a2_1)
    assert (event.kind, event.detail, event.from_organization_id) == ("exit", "expelled", tree.branch_a2.pk)
    assert Person.objects.get(pk=tree.member_a2_1.pk).political_status == "13"
    current = Membership.objects.get(person=tree.member_a1_1, end_date=None)
    services.membership_transfer(user=tree.town_user, person_id=tree.member_a1_1.pk,
                                 to_organization_id=tree.branch_a2.pk, date="2025-03-01",
                                 expected_version=current.version, today=TODAY)
    [event] = MembershipEvent.objects.filter(person=tree.member_a1_1)
    assert (event.kind, event.from_organization_id, event.to_organization_id, event.organization_id) == (
        "transfer", tree.branch_a1.pk, tree.branch_a2.pk, tree.branch_a2.pk)
    # the old 结束组织关系 refuses a date before a recorded event (the 转正 of 2025-06-20), naming its own field
    current = Membership.objects.get(person=tree.member_a1_2, end_date=None)
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.membership_end(user=tree.town_user, person_id=tree.member_a1_2.pk, end_date="2025-06-01",
                                reason="death", expected_version=current.version, today=TODAY)
    assert snapshot() == before
    assert exc.value.errors[0].column == "截止日期" and "最近一次变动或组织关系起始日期 2025-06-20" in exc.value.errors[0].reason


def test_full_membership_service_after_an_extension_records_that_outcome(tree):
    record(user=tree.branch_user, person_id=tree.member_a1_2.pk, kind="full_membership", detail="extended",
           extension_months=12, date="2025-06-20")
    member = PartyMember.objects.get(pk=tree.member_a1_2.pk)
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.membership_change_category(user=tree.branch_user, person_id=member.pk,
                                            full_membership_date="2026-06-19", expected_version=member.version,
                                            today=TODAY)
    assert snapshot() == before and "2026-06-20 届满" in exc.value.errors[0].reason
    services.membership_change_category(user=tree.branch_user, person_id=member.pk, full_membership_date="2026-06-20",
                                        expected_version=member.version, today=TODAY)
    assert MembershipEvent.objects.filter(person=member.person, detail="after_extension", date=D(2026, 6, 20)).exists()


def test_bulk_transfer_records_one_event_per_move(tree):
    current = Membership.objects.get(person=tree.member_a1_1, end_date=None)
    move = services.TransferMove(membership=current, to_organization_id=tree.branch_a2.pk, occupation="government",
                                 front_line=False, row=3)
    user = make_user("importer", "party_affairs", tree.town_a)
    services.membership_transfer_bulk(user=user, action="import", moves=[move], date=D(2025, 1, 1), summary="导入")
    [event] = MembershipEvent.objects.filter(person=tree.member_a1_1)
    assert (event.kind, event.date, event.from_organization_id, event.to_organization_id) == (
        "transfer", D(2025, 1, 1), tree.branch_a1.pk, tree.branch_a2.pk)


# ----- member_create with an entry kind ----------------------------------------------------------------------

def _new(tree, **overrides):
    from tests.factories import make_id

    birth = overrides.pop("birth", D(1995, 2, 3))
    values = dict(user=tree.town_user, organization_id=tree.branch_a1.pk, name="孙婷", sex="2", ethnicity="汉族",
                  birth_date=birth, id_number=make_id(birth, "2"), education_level="大学本科",
                  admission_date=D(2025, 5, 1), occupation="党政机关工作人员", today=TODAY)
    values.update(overrides)
    return values


def test_member_create_by_admission_records_the_events(tree):
    person = services.member_create(**_new(tree, entry_kind="admission"))
    [event] = MembershipEvent.objects.filter(person=person)
    assert (event.kind, event.date, event.to_organization_id) == ("admission", D(2025, 5, 1), tree.branch_a1.pk)
    [m] = Membership.objects.filter(person=person)
    assert (m.start_date, m.occupation, m.end_date) == (D(2025, 5, 1), "government", None)
    assert person.political_status == "02"
    other = services.member_create(**_new(tree, birth=D(1990, 1, 1), name="钱程", admission_date=D(2020, 5, 1),
                                          full_membership_date=D(2021, 5, 1), entry_kind="admission"))
    assert sorted(MembershipEvent.objects.filter(person=other).values_list("kind", "detail", "date")) == [
        ("admission", "", D(2020, 5, 1)), ("full_membership", "on_time", D(2021, 5, 1))]


def test_member_create_by_transfer_in_and_reinstatement(tree):
    person = services.member_create(**_new(tree, admission_date=D(2015, 5, 1), full_membership_date=D(2016, 5, 1),
                                           start_date=D(2026, 3, 1), entry_kind="transfer_in",
                                           entry_counterpart="某省某县某党支部"))
    [event] = MembershipEvent.objects.filter(person=person)
    assert (event.kind, event.date, event.counterpart) == ("transfer_in", D(2026, 3, 1), "某省某县某党支部")
    assert Membership.objects.get(person=person).start_date == D(2026, 3, 1)
    # a person new to Zugong: the 停止党籍 lies before Zugong, not on record — not refused for want of it
    other = services.member_create(**_new(tree, birth=D(1980, 1, 1), name="周成", admission_date=D(2005, 5, 1),
                                          full_membership_date=D(2006, 5, 1), start_date=D(2026, 2, 1),
                                          entry_kind="reinstatement", entry_detail="停止党籍后恢复党籍"))
    assert MembershipEvent.objects.get(person=other).detail == "after_suspension"


def test_member_create_with_a_bad_entry_writes_nothing(tree):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        services.member_create(**_new(tree, entry_kind="调入"))
    assert [(e.column, e.reason) for e in exc.value.errors] == [
        ("进入类型", "无法识别的进入类型「调入」（可选：发展党员、转入组织关系、恢复党籍）")]
    with pytest.raises(ValidationFailed) as exc:  # 发展党员 with a 转正 less than a year later
        services.member_create(**_new(tree, admission_date=D(2024, 5, 1), full_membership_date=D(2025, 4, 1),
                                      entry_kind="admission"))
    assert exc.value.errors[0].column == "转正日期" and "不足一年" in exc.value.errors[0].reason
    assert snapshot() == before


# ----- the pure guards ----------------------------------------------------------------------------------------

def test_load_states_in_bulk(tree, django_assert_max_num_queries):
    record(user=tree.branch_user, person_id=tree.member_a1_2.pk, kind="full_membership", detail="extended",
           extension_months=6, date="2025-06-20")
    ids = [tree.member_a1_1.pk, tree.member_a1_2.pk, tree.member_a2_1.pk, 999999]
    with django_assert_max_num_queries(4):
        states = load_states(ids)
    assert set(states) == set(ids[:3])
    state = states[tree.member_a1_2.pk]
    assert (state.admission_date, state.full_membership_date, state.name) == (D(2024, 6, 20), None, "李娜")
    assert state.extension == EventFact("full_membership", "extended", D(2025, 6, 20), 6)
    assert state.probation_end() == D(2025, 12, 20)
    assert state.current.organization_id == tree.branch_a1.pk
    assert state.organization_names[tree.branch_a1.pk] == "甲镇机关党支部"


def test_check_event_is_pure_and_follows_a_file_in_order():
    """A ledger of several events of one person is checked in order through ``MemberState.after``."""
    org = PartyOrganization(pk=7, name="某支部", org_type="branch", status="active", founded_date=D(2000, 1, 1))
    state = MemberState(name="吴某", birth_date=D(1990, 1, 1), admission_date=D(2020, 1, 1),
                        full_membership_date=D(2021, 1, 1), periods=[Period(7, D(2020, 1, 1))])
    assert check_event(state, kind="suspension", detail="", date=D(2024, 1, 1), today=TODAY) == []
    state = state.after(kind="suspension", date=D(2024, 1, 1))
    assert check_event(state, kind="reinstatement", detail="after_suspension", date=D(2024, 6, 1), to_organization=org,
                       today=TODAY) == []
    [problem] = check_event(state, kind="death", detail="", date=D(2024, 6, 1), today=TODAY)
    assert problem.field == "变动日期" and "不是本系统登记在册的党员" in problem.reason
    state = state.after(kind="reinstatement", detail="after_suspension", date=D(2024, 6, 1), to_organization_id=7)
    assert state.current == Period(7, D(2024, 6, 1))
    assert check_event(state, kind="death", detail="", date=D(2024, 6, 1), today=TODAY) == []
    state = state.after(kind="death", date=D(2025, 1, 1))
    assert state.death_date == D(2025, 1, 1) and state.member_on(D(2025, 1, 1)) is None
    assert state.member_on(D(2024, 12, 31)) is not None


def test_a_member_before_zugong_admitted_elsewhere(tree):
    """A member of the opening balance (no events) is checked against the periods alone."""
    member = make_member(tree.branch_a2, "冯涛", admission_date=D(2024, 1, 10), full_membership_date=None)
    record(user=tree.town_user, person_id=member.pk, kind="full_membership", detail="on_time", date="2025-01-10")
    assert PartyMember.objects.get(pk=member.pk).full_membership_date == D(2025, 1, 10)


def test_a_receiving_organization_only_for_increases(tree):
    reason = only(refused(user=tree.town_user, person_id=tree.member_a1_1.pk, kind="death", date="2025-01-02",
                          to_organization_id=tree.branch_a2.pk), "党组织")
    assert reason.startswith("死亡不填写接收党组织")
