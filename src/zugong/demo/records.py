"""Rows of the demo's membership history (issue #10): memberships with their 年报 工作岗位 fields, closed
development records, ``MembershipTransfer``, ``MembershipEvent``, ``MemberStatus`` and ``OrganizationTerm``
rows, all through ``writer.RowWriter`` (PostgreSQL ``COPY``, else ``executemany``). ``Context`` carries
what the writers share: the plans (``demo.planning``, ``demo.tree``, ``demo.units``, ``demo.history``), the
organizations' keys and each person's key.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from zugong.core.dates import add_years
from zugong.demo.attributes import occupation_fields
from zugong.demo.history import History, Span, Timeline
from zugong.demo.planning import REF, uniform
from zugong.demo.tree import PREVIOUS_OCCUPATION
from zugong.demo.writer import IdReserver, RowWriter
from zugong.orgs.models import OrganizationTerm
from zugong.party.models import MembershipEvent, MembershipTransfer, MemberStatus

BATCH_SIZE = 5000
MEMBERSHIP_COLUMNS = ("id", "person_id", "organization_id", "start_date", "end_date", "end_reason", "occupation",
                      "front_line", "occupation_detail", "ownership", "migrant_worker", "migrant_business",
                      "front_line_kind")
RECORD_COLUMNS = ("id", "person_id", "organization_id", "application_date", "activist_date", "candidate_date",
                  "admission_date", "occupation", "front_line", "occupation_detail", "ownership", "migrant_worker",
                  "migrant_business", "front_line_kind")
"""``DevelopmentRecord`` columns: the pipeline dates, then ``Context.occupation_values``."""


def _d(ordinal: int | None) -> dt.date | None:
    return dt.date.fromordinal(ordinal) if ordinal is not None else None


@dataclass
class Context:
    """What the demo writers share. ``member_pk`` (member index → ``Person`` key) is set by the member
    writer, ``leaver_pk`` by the former-member writer."""

    rng: random.Random
    plan: object
    tree: object
    units: object
    history: History
    births: list[int]
    admissions: list[int]
    branch_of: list[int]
    previous: list[int]
    node_id: list[int]
    today: dt.date
    report: Callable[[str, int, int], None]
    member_pk: list[int] = field(default_factory=list)
    leaver_pk: list[int] = field(default_factory=list)

    def periods(self, i: int) -> list[Span]:
        """Member ``i``'s periods: their timeline's, else the default (an ended one at the previous branch
        for those admitted before their branch was founded, then the open one)."""
        timeline = self.history.members.get(i)
        if timeline is not None:
            return timeline.periods
        b, admission, prev = self.branch_of[i], self.admissions[i], self.previous[i]
        if prev >= 0:
            founded = self.tree.nodes[b].founded
            return [Span(prev, admission, founded, "transfer", PREVIOUS_OCCUPATION[self.tree.nodes[prev].kind]),
                    Span(b, founded)]
        return [Span(b, admission)]

    @staticmethod
    def away(timeline: Timeline | None) -> bool:
        """A 流动党员 on the reference date (an open mobile status)."""
        ref = REF.toordinal()
        return timeline is not None and any(s.kind == "mobile" and s.start <= ref and (s.end is None or s.end > ref)
                                            for s in timeline.statuses)

    def occupation_values(self, occupation: str, node: int, front_line: bool, away: bool = False,
                          age: int | None = None) -> tuple:
        """``(occupation, front_line, occupation_detail, ownership, migrant_worker, migrant_business,
        front_line_kind)`` of someone of 公报 category ``occupation`` (aged ``age``) in organization ``node``."""
        detail, ownership, worker, business, kind = occupation_fields(
            self.rng, occupation, self.tree.nodes[node].kind, self.units.sector(node), front_line, away=away,
            age=age)
        return (occupation, front_line, detail, ownership, worker, business, kind)

    def membership_row(self, pk: int, person_pk: int, span: Span, occupation: str, front_line: bool,
                       away: bool, age: int | None = None) -> tuple:
        """A ``MEMBERSHIP_COLUMNS`` row of ``span``."""
        return (pk, person_pk, self.node_id[span.org], _d(span.start), _d(span.end), span.end_reason,
                *self.occupation_values(occupation, span.org, front_line, away, age))


def history_record(rng: random.Random, pk: int, person_id: int, organization_id: int, birth: dt.date,
                   admission: dt.date) -> tuple:
    """The closed pipeline of a member admitted in the history years: 申请 → 积极分子 (1–6 months later) →
    发展对象 (≥ 1 year later, 《发展党员工作细则》 Art. 12) → 接收 (2–10 months later); applied at ≥ 18 (Art. 5).
    The first seven ``RECORD_COLUMNS``."""
    a = admission.toordinal()
    candidate = a - uniform(rng, 60, 300)
    activist = candidate - uniform(rng, 366, 540)
    application = activist - uniform(rng, 30, 180)
    floor = add_years(birth, 18).toordinal()
    if application < floor:
        application = floor
        activist = max(activist, application + 30)
        candidate = max(candidate, activist + 366)
    return (pk, person_id, organization_id, dt.date.fromordinal(application), dt.date.fromordinal(activist),
            dt.date.fromordinal(candidate), admission)


def write_history_rows(ctx: Context, report: Callable[[int], None] | None = None) -> dict[str, int]:
    """``MembershipTransfer``, ``MembershipEvent`` (ordered by date, then person: their keys follow time)
    and ``MemberStatus`` rows of every timeline (members and former members); ``report(k)`` after every
    batch of events. Returns the counts."""
    timelines: list[tuple[int, Timeline]] = [(ctx.member_pk[i], tl) for i, tl in ctx.history.members.items()]
    timelines += [(ctx.leaver_pk[j], leaver.timeline) for j, leaver in enumerate(ctx.history.leavers)]
    node_id = ctx.node_id

    def org(node: int | None) -> int | None:
        return node_id[node] if node is not None else None

    transfers = [(pk, t) for pk, tl in timelines for t in tl.transfers]
    transfer_ids = IdReserver(MembershipTransfer).take(len(transfers))
    transfer_pk = {id(t): tid for tid, (_, t) in zip(transfer_ids, transfers, strict=True)}
    RowWriter(MembershipTransfer, ("id", "person_id", "direction", "state", "whole_unit", "from_organization_id",
                                   "to_organization_id", "counterpart", "sent_date", "decided_date", "return_reason",
                                   "letter_number", "validity_days", "dues_paid_through")).write(
        ((transfer_pk[id(t)], pk, t.direction, t.state, t.whole_unit, org(t.from_org), org(t.to_org), t.counterpart,
          _d(t.sent), _d(t.decided), t.return_reason, t.letter_number, t.validity_days, _d(t.dues_paid_through))
         for pk, t in transfers), every=BATCH_SIZE)

    events = sorted(((e.date, pk, k, e) for pk, tl in timelines for k, e in enumerate(tl.events)),
                    key=lambda row: row[:3])
    event_ids = IdReserver(MembershipEvent).take(len(events))
    RowWriter(MembershipEvent, ("id", "person_id", "kind", "detail", "date", "organization_id",
                                "from_organization_id", "to_organization_id", "counterpart", "reason_category",
                                "reason", "unreachable", "extension_months", "document_number", "transfer_id")).write(
        ((eid, pk, e.kind, e.detail, _d(e.date), node_id[e.org], org(e.from_org), org(e.to_org), e.counterpart,
          e.reason_category, e.reason, e.unreachable, e.extension_months, e.document_number,
          transfer_pk[id(e.transfer)] if e.transfer is not None else None)
         for eid, (_, pk, _, e) in zip(event_ids, events, strict=True)),
        report=report, every=BATCH_SIZE)

    statuses = [(pk, s) for pk, tl in timelines for s in tl.statuses]
    status_ids = IdReserver(MemberStatus).take(len(statuses))
    RowWriter(MemberStatus, ("id", "person_id", "organization_id", "kind", "start_date", "end_date", "flow_scope",
                             "destination_type", "destination", "original_occupation", "has_certificate",
                             "lost_situation")).write(
        ((sid, pk, node_id[s.org], s.kind, _d(s.start), _d(s.end), s.flow_scope, s.destination_type, s.destination,
          s.original_occupation, s.has_certificate, s.lost_situation)
         for sid, (pk, s) in zip(status_ids, statuses, strict=True)), every=BATCH_SIZE)
    return {"events": len(events), "transfers": len(transfers), "statuses": len(statuses)}


def write_terms(terms: list[tuple[int, dt.date, dt.date, dt.date]], node_id: list[int]) -> int:
    """``OrganizationTerm`` rows of ``attributes.plan_terms``. Returns how many."""
    ids = IdReserver(OrganizationTerm).take(len(terms))
    return RowWriter(OrganizationTerm, ("id", "organization_id", "election_date", "start_date", "end_date")).write(
        ((pk, node_id[node], election, start, end) for pk, (node, election, start, end) in zip(ids, terms, strict=True)),
        every=BATCH_SIZE)
