"""Member lifecycle (issue #10): membership events (``MembershipEvent``) and the membership periods that
follow from them.

Layers:

- ``apply_event(event)``: writes the ``Membership`` / ``PartyMember`` / ``Person`` changes that follow from
  one saved, already-validated event (no checks, no audit: the calling service does both). Every writer of
  events — the lifecycle services (``party.services``), transfers (``party.transfers``), the imports —
  goes through it (or, in bulk, through ``periods_from_events``'s rules), so the periods always follow
  the events.
- ``periods_from_events(opening, events)``: the pure rule (no database): given the opening-balance
  periods and the events of one person in date order, the periods that result. ``rebuild_check`` uses it
  to verify the stored periods.

How an event changes the periods (``date`` = the event's effective day):

- increase (发展党员, 恢复党籍, 转入组织关系): a membership of ``to_organization`` opens on ``date``;
- decrease (出党, 停止党籍, 死亡, 转出组织关系): the open membership ends on ``date`` with ``end_reason``
  = the kind (``exit`` / ``suspension`` / ``death`` / ``transfer_out``); the member is not counted on
  ``date`` itself;
- transfer (组织关系转接 in Zugong): the open membership ends on ``date`` (``end_reason="transfer"``) and
  one of ``to_organization`` opens on ``date``;
- full_membership: when the outcome makes a full member (``FULL_OUTCOMES``), ``PartyMember.
  full_membership_date = date`` and the person's 政治面貌 becomes 01 中共党员; other outcomes change no
  period.

The occupation (工作岗位 and its 年报 fields) of an opened period: what the caller gives, else that of the
person's latest period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F

from zugong.party.choices import DECREASE_KINDS, FULL_OUTCOMES, INCREASE_KINDS
from zugong.party.models import Membership, MembershipEvent, PartyMember

OCCUPATION_FIELDS = ("occupation", "occupation_detail", "ownership", "migrant_worker", "migrant_business",
                     "front_line", "front_line_kind")
"""The fields a new period takes from the previous one (or from the caller's ``occupation`` dict)."""

END_REASON_OF_KIND = {"exit": "exit", "suspension": "suspension", "death": "death", "transfer_out": "transfer_out",
                      "transfer": "transfer"}
"""``Membership.end_reason`` written for each closing event kind."""


@dataclass
class Period:
    """A membership period as ``periods_from_events`` sees it: ``organization_id``, ``start``, ``end``
    (exclusive, ``None`` = open), ``end_reason``."""

    organization_id: int
    start: dt.date
    end: dt.date | None = None
    end_reason: str = ""
    occupation: dict = field(default_factory=dict)


def periods_from_events(opening: list[Period], events: list[MembershipEvent]) -> list[Period]:
    """The periods of one person after ``events`` (any order; applied by ``(date, id)``) starting from the
    ``opening`` periods (members before Zugong: the periods not opened by an event). Pure: no queries.
    Events that do not fit (a decrease without an open period, an increase while one is open) are skipped
    here; the services refuse them before they are written."""
    periods = [Period(p.organization_id, p.start, p.end, p.end_reason, dict(p.occupation)) for p in opening]
    for event in sorted(events, key=lambda e: (e.date, e.pk or 0)):
        current = next((p for p in periods if p.end is None), None)
        if event.kind in INCREASE_KINDS:
            if current is None and event.to_organization_id:
                periods.append(Period(event.to_organization_id, event.date))
        elif event.kind in DECREASE_KINDS:
            if current is not None:
                current.end, current.end_reason = event.date, END_REASON_OF_KIND[event.kind]
        elif event.kind == "transfer":
            if current is not None and event.to_organization_id:
                current.end, current.end_reason = event.date, "transfer"
                periods.append(Period(event.to_organization_id, event.date, occupation=dict(current.occupation)))
    return sorted(periods, key=lambda p: p.start)


def _latest_period(person_id: int) -> Membership | None:
    return Membership.objects.filter(person_id=person_id).order_by("-start_date", "-pk").first()


def apply_event(event: MembershipEvent, *, occupation: dict | None = None) -> Membership | None:
    """Write the period changes that follow from the saved ``event`` (see the module docstring) and return
    the membership opened (``None`` when none was). ``occupation``: values of ``OCCUPATION_FIELDS`` for an
    opened period (missing keys come from the person's latest period). Must run inside the caller's
    transaction; no validation, no audit (the calling service does both). Raises ``ValueError`` when the
    event cannot apply (a decrease or transfer without an open membership, an increase while one is open)
    — the services' checks make that unreachable."""
    kind = event.kind
    if kind == "full_membership":
        if event.detail in FULL_OUTCOMES:
            member = PartyMember.objects.select_related("person").get(pk=event.person_id)
            member.full_membership_date = event.date
            member.version += 1
            member.save(update_fields=["full_membership_date", "version", "updated_at"])
            person = member.person
            if person.political_status != "01":
                person.political_status = "01"
                person.version += 1
                person.save(update_fields=["political_status", "version", "updated_at"])
        return None
    current = Membership.objects.select_for_update().filter(person_id=event.person_id, end_date__isnull=True).first()
    if kind in DECREASE_KINDS or kind == "transfer":
        if current is None:
            raise ValueError(f"event {event.pk}: no open membership to close")
        current.end_date, current.end_reason = max(event.date, current.start_date), END_REASON_OF_KIND[kind]
        current.version += 1
        current.save(update_fields=["end_date", "end_reason", "version", "updated_at"])
        if kind != "transfer":
            return None
    elif kind in INCREASE_KINDS:
        if current is not None:
            raise ValueError(f"event {event.pk}: an open membership already exists")
    else:
        raise ValueError(f"unknown event kind {kind!r}")
    source = current or _latest_period(event.person_id)
    values = {name: getattr(source, name) for name in OCCUPATION_FIELDS} if source is not None else {}
    values.update(occupation or {})
    opened = Membership.objects.create(person_id=event.person_id, organization_id=event.to_organization_id,
                                       start_date=event.date, version=(current.version if current else 1),
                                       **values)
    from zugong.people.models import Person  # the person's scope anchor follows the open membership

    Person.objects.filter(pk=event.person_id).exclude(organization_id=event.to_organization_id).update(
        organization_id=event.to_organization_id, version=F("version") + 1)
    return opened
