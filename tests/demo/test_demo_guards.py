"""Every event of the demo passes the lifecycle guards (``party.lifecycle.check_event``, the rules the
services, the API and the imports apply), replayed person by person in date order from their opening
balance: the demo's history is one a user could have entered.

Needs ``lifecycle.MemberState`` / ``check_event`` from the events part of issue #10 (passes once merged)."""

from __future__ import annotations

import datetime as dt

import pytest

from zugong.demo.checks import opening_periods
from zugong.demo.generator import generate
from zugong.orgs.models import PartyOrganization
from zugong.party.choices import FULL_OUTCOMES
from zugong.party.models import Membership, MembershipEvent, PartyMember
from zugong.people.models import Person


@pytest.mark.django_db
def test_every_demo_event_passes_the_lifecycle_guards():
    from zugong.party.lifecycle import MemberState, Period, check_event

    generate(scale=100_000, seed=2023, workers=0)
    today = dt.date.today()
    orgs = {o.pk: o for o in PartyOrganization.objects.all()}
    events: dict[int, list] = {}
    for e in MembershipEvent.objects.order_by("date", "pk"):
        events.setdefault(e.person_id, []).append(e)
    people = {p.pk: p for p in Person.objects.filter(pk__in=events)}
    members = {m.pk: m for m in PartyMember.objects.filter(pk__in=events)}
    periods: dict[int, list] = {}
    for person_id, org, start, end, reason in Membership.objects.filter(person_id__in=events).order_by(
            "start_date", "pk").values_list(
            "person_id", "organization_id", "start_date", "end_date", "end_reason"):
        periods.setdefault(person_id, []).append(Period(org, start, end, reason))
    refused = []
    for person_id, person_events in events.items():
        person, member = people[person_id], members[person_id]
        admitted_here = any(e.kind == "admission" for e in person_events)
        decided = any(e.kind == "full_membership" and e.detail in FULL_OUTCOMES for e in person_events)
        state = MemberState(person_id=person_id, name=person.name, birth_date=person.birth_date,
                            political_status=person.political_status,
                            admission_date=None if admitted_here else member.admission_date,
                            full_membership_date=None if (admitted_here or decided) else member.full_membership_date,
                            periods=opening_periods(periods.get(person_id, []), person_events),
                            organization_names={pk: o.name for pk, o in orgs.items()})
        for e in person_events:
            target = orgs.get(e.to_organization_id)
            problems = check_event(state, kind=e.kind, detail=e.detail, date=e.date, to_organization=target,
                                   extension_months=e.extension_months, today=today)
            if problems:
                refused.append((person.name, e.kind, e.detail, e.date, [p.reason for p in problems]))
            state = state.after(kind=e.kind, detail=e.detail, date=e.date, to_organization_id=e.to_organization_id,
                                extension_months=e.extension_months)
        assert [(p.organization_id, p.start, p.end, p.end_reason) for p in state.periods] == [
            (p.organization_id, p.start, p.end, p.end_reason) for p in periods.get(person_id, [])]
        assert state.admission_date == member.admission_date
        assert state.full_membership_date == member.full_membership_date
    assert not refused, refused[:10]
