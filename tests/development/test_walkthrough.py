"""A person goes from application to full membership through every one of the 25 steps."""

from __future__ import annotations

import datetime as dt

from tests.development.helpers import start, walk
from zugong.audit.models import AuditEvent
from zugong.development.models import DevelopmentParticipant, DevelopmentStep
from zugong.development.services import legal_next_steps
from zugong.party.models import MembershipEvent, PartyMember
from zugong.party.selectors import member_roster


def test_application_to_full_membership(dev):
    record = start(dev)
    assert legal_next_steps(record, list(record.steps.all())) == [2]
    walk(dev, record, 16)
    record.refresh_from_db()
    assert (record.activist_date, record.candidate_date) == (dt.date(2023, 3, 1), dt.date(2024, 3, 5))
    assert record.admission_date is None
    assert not PartyMember.objects.filter(pk=dev.person.pk).exists()

    walk(dev, record, 17, start_at=17)
    # admission: the 发展党员 event dated the branch meeting (入党时间 = 支部大会 date), record and roster follow
    event = MembershipEvent.objects.get(person=dev.person, kind="admission")
    assert (event.date, event.to_organization_id) == (dt.date(2024, 6, 1), dev.t.branch_a1.pk)
    assert record.admission_date == dt.date(2024, 6, 1)
    roster = member_roster(user=dev.t.town_user, as_of=dt.date(2024, 7, 1), filters={"category": "probationary"})
    assert dev.person.pk in set(roster.values_list("person_id", flat=True))
    dev.person.refresh_from_db()
    assert dev.person.political_status == "02"

    walk(dev, record, 25, start_at=18)
    full = MembershipEvent.objects.get(person=dev.person, kind="full_membership")
    assert (full.detail, full.date) == ("on_time", dt.date(2025, 6, 1))  # 转正 from the day the 预备期 is full
    assert PartyMember.objects.get(pk=dev.person.pk).full_membership_date == dt.date(2025, 6, 1)
    roster = member_roster(user=dev.t.town_user, as_of=dt.date(2025, 7, 1), filters={"category": "full"})
    assert dev.person.pk in set(roster.values_list("person_id", flat=True))
    assert sorted(set(DevelopmentStep.objects.filter(record=record).values_list("step", flat=True))) == list(range(1, 26))
    assert legal_next_steps(record, list(record.steps.all())) == []
    assert DevelopmentParticipant.objects.filter(record=record, role="sponsor").count() == 2
    vote = DevelopmentStep.objects.get(record=record, step=15)
    assert (vote.votes_expected, vote.votes_expected_computed, vote.votes_present) == (4, 4, 4)
    kinds = set(AuditEvent.objects.filter(object_type="party.developmentrecord", object_id=str(record.pk))
                .values_list("kind", flat=True))
    assert {"development_start", "development_step", "development_mentors_assign", "development_sponsors_assign"} <= kinds


def test_extension_then_full_membership(dev):
    record = start(dev)
    walk(dev, record, 22)
    from zugong.development import services

    services.step_record(actor=dev.actor, record=record, step=23, date=dt.date(2025, 6, 1), votes_present=4,
                         votes_in_favour=4, outcome="extended", extension_months=6, today=dev.today)
    services.step_record(actor=dev.actor, record=record, step=24, date=dt.date(2025, 6, 20), today=dev.today)
    ext = MembershipEvent.objects.get(person=dev.person, kind="full_membership")
    assert (ext.detail, ext.extension_months) == ("extended", 6)
    assert legal_next_steps(record, list(record.steps.all())) == [21, 23]
    services.step_record(actor=dev.actor, record=record, step=23, date=dt.date(2025, 12, 2), votes_present=4,
                         votes_in_favour=4, outcome="on_time", today=dev.today)
    services.step_record(actor=dev.actor, record=record, step=24, date=dt.date(2025, 12, 10), today=dev.today)
    last = MembershipEvent.objects.filter(person=dev.person, kind="full_membership").order_by("-pk").first()
    assert (last.detail, last.date) == ("after_extension", dt.date(2025, 12, 1))
    assert PartyMember.objects.get(pk=dev.person.pk).full_membership_date == dt.date(2025, 12, 1)


def test_admission_carries_the_occupation_of_the_record(dev):
    """The 工作岗位 recorded on the development record (年报 第十八–二十表) becomes that of the new membership."""
    from zugong.party.models import DevelopmentRecord, Membership

    record = start(dev)
    DevelopmentRecord.objects.filter(pk=record.pk).update(occupation="professional", front_line=True)
    record.refresh_from_db()
    walk(dev, record, 17)
    membership = Membership.objects.get(person=dev.person)
    assert (membership.occupation, membership.front_line, membership.start_date) == (
        "professional", True, dt.date(2024, 6, 1))


def test_former_member_is_readmitted(dev):
    """Someone who left the Party (出党) applies again: step 17 writes 发展党员（重新入党）."""
    from tests.factories import make_member
    from zugong.development import services
    from zugong.party.services import exit_record

    former = make_member(dev.t.branch_a1, "吴重", birth_date=dt.date(1990, 2, 2), admission_date=dt.date(2012, 7, 1),
                         full_membership_date=dt.date(2013, 7, 1))
    exit_record(user=dev.actor, person_id=former.pk, exit_kind="persuaded_to_leave", date=dt.date(2020, 1, 1),
                today=dev.today)
    dev.person = former
    record = services.development_start(actor=dev.actor, person=former, organization=dev.t.branch_a1,
                                        application_date=dt.date(2023, 1, 10), today=dev.today)
    walk(dev, record, 17)
    event = MembershipEvent.objects.get(person=former, kind="admission")
    assert (event.detail, event.date) == ("readmission", dt.date(2024, 6, 1))
    assert PartyMember.objects.get(pk=former.pk).admission_date == dt.date(2024, 6, 1)
