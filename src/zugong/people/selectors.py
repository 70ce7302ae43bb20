"""Scoped reads of people (人员) for the person detail page.

The person is fetched through ``Person.objects.restrict(user, "view")`` (data label ``basic``): outside the
scope it does not exist for the caller. The party tab needs ``party.view`` on the person as well
(``PartyMember.objects.restrict``). The membership history of a visible member is the member's own record
and is shown whole — including periods in organizations outside the caller's scope, whose names are shown
without a link (``in_scope``), as a transfer history must be readable.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from zugong.core.codes import MEMBER_CATEGORY, occupation_label
from zugong.core.dates import age_on
from zugong.core.scoping import can
from zugong.party.models import Membership, PartyMember
from zugong.people.models import Person


def person_list(*, user, action: str = "view") -> QuerySet[Person]:
    """Every person in ``user``'s ``basic.<action>`` scope, with the organization joined."""
    return Person.objects.restrict(user, action).select_related("organization")


def person_get(*, user, pk: int, action: str = "view") -> Person | None:
    """The person ``pk`` with its organization if within ``user``'s ``basic.<action>`` scope, else ``None``."""
    return Person.objects.restrict(user, action).select_related("organization").filter(pk=pk).first()


def person_may_unmask(*, user, pk: int) -> bool:
    """Whether ``user`` holds ``basic.unmask`` on person ``pk`` (the right to see, and so to change, the
    person's ID number)."""
    return Person.objects.restrict(user, "unmask").filter(pk=pk).exists()


@dataclass(frozen=True)
class MembershipPeriod:
    """One membership period for display; ``in_scope``: the caller may open its organization."""

    membership: Membership
    occupation_label: str
    end_reason_label: str
    in_scope: bool


@dataclass(frozen=True)
class PartyProfile:
    """The party tab of a person as of ``as_of``: the record, category, 党龄 (``party_standing_years``:
    completed years since 转正, ``None`` while probationary), the membership in force and the history."""

    record: PartyMember
    as_of: dt.date
    category: str
    category_label: str
    party_standing_years: int | None
    current: MembershipPeriod | None
    periods: list[MembershipPeriod]


def person_party_profile(*, user, person: Person, as_of: dt.date | None = None) -> PartyProfile | None:
    """The party profile of ``person`` (already fetched through ``person_get``), or ``None`` when the
    person has no party record or the user lacks ``party.view`` on it. Two queries."""
    as_of = as_of or timezone.localdate()
    record = PartyMember.objects.restrict(user, "view").filter(pk=person.pk).first()
    if record is None:
        return None
    periods = [
        MembershipPeriod(
            membership=m,
            occupation_label=occupation_label(m.occupation, m.occupation_detail),
            end_reason_label=m.get_end_reason_display() if m.end_reason else "",
            in_scope=can(user, "party", "view", m.organization),
        )
        # Scoped through the person and party record above (both restricted); see the module docstring.
        for m in Membership.objects.filter(person_id=record.pk).select_related("organization")
        .order_by("start_date", "pk")
    ]
    current = next(
        (p for p in periods if p.membership.start_date <= as_of
         and (p.membership.end_date is None or p.membership.end_date > as_of)),
        None,
    )
    category = record.category_on(as_of)
    # 党龄 counts from 转正 (《中国共产党章程》第七条): only a member who is 正式 on ``as_of`` has one
    standing = age_on(record.full_membership_date, as_of) if category == "full" else None
    return PartyProfile(record=record, as_of=as_of, category=category, category_label=MEMBER_CATEGORY.label(category),
                        party_standing_years=standing, current=current, periods=periods)


@dataclass(frozen=True)
class HistoryEvent:
    """One dated line of a person's history (历史 tab)."""

    date: dt.date
    kind: str
    text: str


def person_history(*, person: Person, profile: PartyProfile | None, events=()) -> list[HistoryEvent]:
    """The person's dated events, oldest first: birth, start of work, admission (入党), full membership
    (转正), each membership's start and end, and the 党员变动 ``events`` (``party.selectors.member_events``,
    issue #10) — a period's start or end, the 入党 or 转正 line that an event of the same day already
    tells is left out. Built from data already loaded (no query)."""
    from zugong.party.choices import DECREASE_KINDS, EVENT_DETAIL, EVENT_KIND, FULL_OUTCOMES, INCREASE_KINDS

    lines = [HistoryEvent(person.birth_date, "birth", "出生")]
    if person.work_start_date:
        lines.append(HistoryEvent(person.work_start_date, "work", "参加工作"))
    opened = {e.date for e in events if e.kind in INCREASE_KINDS or e.kind == "transfer"}
    closed = {e.date for e in events if e.kind in DECREASE_KINDS or e.kind == "transfer"}
    admitted = {e.date for e in events if e.kind == "admission"}
    made_full = {e.date for e in events if e.kind == "full_membership" and e.detail in FULL_OUTCOMES}
    for e in events:
        text = EVENT_KIND.label(e.kind)
        if e.detail:
            text += f"（{EVENT_DETAIL.label(e.detail)}" + (f" {e.extension_months} 个月" if e.extension_months else "") + "）"
        if e.kind == "transfer":
            text += f"：由「{e.from_organization.name if e.from_organization else '—'}」转入「{e.to_organization.name}」"
        elif e.to_organization is not None:
            text += f"：「{e.to_organization.name}」"
        elif e.from_organization is not None and e.kind in DECREASE_KINDS:
            text += f"：离开「{e.from_organization.name}」"
        if e.counterpart:
            text += f"（对方党组织：{e.counterpart}）"
        lines.append(HistoryEvent(e.date, "event", text))
    if profile is not None:
        record = profile.record
        if record.admission_date not in admitted:
            lines.append(HistoryEvent(record.admission_date, "admission", "入党（接收为预备党员）"))
        if record.full_membership_date and record.full_membership_date not in made_full:
            lines.append(HistoryEvent(record.full_membership_date, "full_membership", "转为正式党员"))
        for i, p in enumerate(profile.periods):
            m = p.membership
            verb = "编入" if i == 0 else "组织关系转入"
            if m.start_date not in opened:
                lines.append(HistoryEvent(m.start_date, "membership_start", f"{verb}「{m.organization.name}」"))
            if m.end_date and m.end_date not in closed:
                reason = f"（{p.end_reason_label}）" if p.end_reason_label else ""
                lines.append(HistoryEvent(m.end_date, "membership_end", f"组织关系离开「{m.organization.name}」{reason}"))
    order = {"birth": 0, "work": 1, "admission": 2, "membership_end": 3, "membership_start": 4, "full_membership": 5,
             "event": 6}
    return sorted(lines, key=lambda e: (e.date, order.get(e.kind, 9)))
