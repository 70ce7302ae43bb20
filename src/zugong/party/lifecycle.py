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

Guards (``check_event``): the pure rule set every writer of events applies before writing —
``MemberState`` is what one person's record says (loaded in bulk by ``load_states``), ``check_event``
returns the ``people.validators.Problem`` list (Chinese, naming the field and the article) for one
proposed event. ``MemberState.after(...)`` gives the state once an event is applied, so a file holding
several events of one person is checked in order without writing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zugong.core.dates import add_years
from zugong.core.rules import Rule, register, rule
from zugong.party.choices import (
    DECREASE_KINDS,
    DETAILS_OF_KIND,
    EVENT_DETAIL,
    EVENT_KIND,
    FULL_OUTCOMES,
    INCREASE_KINDS,
)
from zugong.party.models import Membership, MembershipEvent, PartyMember
from zugong.party.rules import member_categories, probation_years
from zugong.people.validators import Problem

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
    from zugong.core.concurrency import save_with_version
    from zugong.people.models import Person  # the person's scope anchor follows the open membership

    person = Person.objects.filter(pk=event.person_id).exclude(organization_id=event.to_organization_id).first()
    if person is not None:  # change-logged (the person's 所属组织), version bumped
        person.organization_id = event.to_organization_id
        save_with_version(person, person.version, ["organization"])
    return opened


# =====================================================================================================
# Guards: MemberState, load_states, check_event
# =====================================================================================================

EXTENSION_RULE = "party.probation_extension_months"
register(Rule(
    key=EXTENSION_RULE,
    name="延长预备期",
    value=(6, 12),
    definition="预备期满需要继续考察和教育的，可以延长一次预备期，延长时间不能少于半年，最长不超过一年（月数）",
    regulation="《中国共产党章程》第七条；《中国共产党发展党员工作细则》（2014）",
    article="第三十二条",
    effective_from=dt.date(2014, 5, 28),
    note="《党章》第七条只规定“不能超过一年”；不少于半年、只延长一次见《发展党员工作细则》第三十二条。",
))


def extension_bounds(*, on: dt.date | None = None) -> tuple[int, int]:
    """``(shortest, longest)`` extension of the 预备期 in months in force on ``on`` (6, 12:
    《发展党员工作细则》第三十二条; before 2014-05-28 the table has no row — ``rule`` then raises
    ``RuleNotInForce``, which ``check_event`` reads as 1–12 months, 《党章》第七条 alone)."""
    try:
        return tuple(rule(EXTENSION_RULE, on).value)
    except LookupError:
        return (1, 12)


SOURCE_CHARTER_7 = "《中国共产党章程》第七条"
SOURCE_PROBATION = "《中国共产党章程》第七条；《中国共产党发展党员工作细则》第三十二条"
SOURCE_RECORDS = "《中国共产党党员教育管理工作条例》第五章（党籍和党员组织关系管理）"
SOURCE_REINSTATEMENT = "《中国共产党党员教育管理工作条例》第二十四条"
SOURCE_ADMISSION = "《中国共产党章程》第五条、第七条；《中国共产党发展党员工作细则》"
SOURCE_EXIT = "《中国共产党章程》第九条、第七条；《中国共产党纪律处分条例》"

EXIT_END_REASONS = frozenset({"exit", "withdrawal", "expulsion", "removal", "cancelled"})
"""``Membership.end_reason`` values that mean 出党 (the issue #10 ``exit`` and the older reasons of
``membership_end``: 退党, 开除党籍, 除名, 取消预备党员资格)."""


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the day clamped to the month's last day: 8-31 + 6 → 2-28/29)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # unreachable


@dataclass(frozen=True)
class EventFact:
    """One recorded event as the guards see it: ``kind``, ``detail``, ``date``, ``extension_months``."""

    kind: str
    detail: str
    date: dt.date
    extension_months: int | None = None


@dataclass
class MemberState:
    """What one person's record says, for the guards (``check_event``): no queries once built.

    - ``person_id`` (``None`` for a person not written yet, e.g. a member arriving by 转入 or a new
      member admitted by 发展党员), ``name``, ``birth_date``, ``political_status``;
    - ``admission_date`` / ``full_membership_date``: the ``PartyMember`` row (``None`` when the person was
      never admitted: no party record);
    - ``periods``: the memberships (``Period``, sorted by start), ``organization_names``: id → name of
      their organizations (for messages);
    - ``events``: the recorded ``EventFact``s in date order.

    Build with ``load_states`` (bulk) or directly (for a new person); ``after`` returns the state once a
    further event applies (the rules of ``periods_from_events``)."""

    person_id: int | None = None
    name: str = ""
    birth_date: dt.date | None = None
    political_status: str = ""
    admission_date: dt.date | None = None
    full_membership_date: dt.date | None = None
    periods: list[Period] = field(default_factory=list)
    events: list[EventFact] = field(default_factory=list)
    organization_names: dict[int, str] = field(default_factory=dict)

    # --- derived facts ----------------------------------------------------------------------------
    @property
    def is_admitted(self) -> bool:
        """Has a party record (入党日期)."""
        return self.admission_date is not None

    @property
    def has_history(self) -> bool:
        """Whether Zugong holds any membership period or event of the person (else what happened before —
        an 出党, a 停止党籍 — is not on record, and the guards that need it do not apply)."""
        return bool(self.periods or self.events)

    @property
    def current(self) -> Period | None:
        """The open membership, if any."""
        return next((p for p in self.periods if p.end is None), None)

    def member_on(self, day: dt.date) -> Period | None:
        """The membership in force on ``day`` (``start <= day < end``), else ``None``: a member who dies or
        leaves on ``day`` is no longer counted on ``day``."""
        return next((p for p in self.periods if p.start <= day and (p.end is None or day < p.end)), None)

    @property
    def last_closed(self) -> Period | None:
        """The latest ended membership when none is open (how the person last left), else ``None``."""
        if self.current is not None:
            return None
        closed = [p for p in self.periods if p.end is not None]
        return max(closed, key=lambda p: (p.end, p.start)) if closed else None

    @property
    def death_date(self) -> dt.date | None:
        """The day of death (a 死亡 event, or a membership ended with reason 死亡)."""
        days = [e.date for e in self.events if e.kind == "death"]
        days += [p.end for p in self.periods if p.end_reason == "death" and p.end is not None]
        return min(days) if days else None

    @property
    def latest_date(self) -> dt.date | None:
        """The latest day on record (an event's date or a period's start): a new event may not be
        dated before it (history is appended in order)."""
        days = [e.date for e in self.events] + [p.start for p in self.periods]
        return max(days) if days else None

    def _since_admission(self) -> list[EventFact]:
        return [e for e in self.events if self.admission_date is None or e.date >= self.admission_date]

    @property
    def extension(self) -> EventFact | None:
        """The 延长预备期 recorded in the current probation (since the 入党日期), if any."""
        return next((e for e in reversed(self._since_admission())
                     if e.kind == "full_membership" and e.detail == "extended"), None)

    @property
    def postponement(self) -> EventFact | None:
        """The 推迟讨论 recorded in the current probation, if any."""
        return next((e for e in reversed(self._since_admission())
                     if e.kind == "full_membership" and e.detail == "postponed"), None)

    def probation_end(self) -> dt.date | None:
        """The day the 预备期 is full: 入党日期 + one year (《党章》第七条), + the extension's months when
        one is recorded."""
        if self.admission_date is None:
            return None
        end = add_years(self.admission_date, probation_years(on=self.admission_date))
        extension = self.extension
        if extension is not None and extension.extension_months:
            end = add_months(end, extension.extension_months)
        return end

    def is_full_on(self, day: dt.date) -> bool:
        """Whether a full member (正式党员) on ``day``, by the rule ``party.member_category`` in force then."""
        return member_categories(on=day).of(self, day) == "full"

    def org_name(self, organization_id: int | None) -> str:
        return self.organization_names.get(organization_id, "") if organization_id else ""

    # --- evolution --------------------------------------------------------------------------------
    def after(self, *, kind: str, detail: str = "", date: dt.date, to_organization_id: int | None = None,
              to_organization_name: str = "", extension_months: int | None = None) -> MemberState:
        """The state once the event applies (periods as ``periods_from_events``; 发展党员 sets the
        入党日期 and clears the 转正日期, a full-member 转正 outcome sets the 转正日期). Pure."""
        periods = [Period(p.organization_id, p.start, p.end, p.end_reason, dict(p.occupation)) for p in self.periods]
        current = next((p for p in periods if p.end is None), None)
        admission, full = self.admission_date, self.full_membership_date
        if kind in INCREASE_KINDS:
            if current is None and to_organization_id:
                periods.append(Period(to_organization_id, date))
            if kind == "admission":
                admission, full = date, None
        elif kind in DECREASE_KINDS:
            if current is not None:
                current.end, current.end_reason = date, END_REASON_OF_KIND[kind]
        elif kind == "transfer":
            if current is not None and to_organization_id:
                current.end, current.end_reason = date, "transfer"
                periods.append(Period(to_organization_id, date))
        elif kind == "full_membership" and detail in FULL_OUTCOMES:
            full = date
        names = dict(self.organization_names)
        if to_organization_id and to_organization_name:
            names[to_organization_id] = to_organization_name
        return MemberState(person_id=self.person_id, name=self.name, birth_date=self.birth_date,
                           political_status=self.political_status, admission_date=admission,
                           full_membership_date=full, periods=sorted(periods, key=lambda p: p.start),
                           events=[*self.events, EventFact(kind, detail, date, extension_months)],
                           organization_names=names)


def load_states(person_ids) -> dict[int, MemberState]:
    """``MemberState`` of each existing person in ``person_ids`` (unknown ids are left out), in four
    queries per 2,000 people (people, party records, memberships with their organization names, events).
    Unscoped: the caller has checked the scope of the people it asks for."""
    from zugong.people.models import Person

    ids = sorted({int(pk) for pk in person_ids})
    states: dict[int, MemberState] = {}
    for start in range(0, len(ids), 2000):
        chunk = ids[start:start + 2000]
        for pk, name, birth, status in Person.objects.filter(pk__in=chunk).values_list(
                "pk", "name", "birth_date", "political_status"):
            states[pk] = MemberState(person_id=pk, name=name, birth_date=birth, political_status=status)
        for pk, admission, full in PartyMember.objects.filter(pk__in=chunk).values_list(
                "pk", "admission_date", "full_membership_date"):
            if pk in states:
                states[pk].admission_date, states[pk].full_membership_date = admission, full
        rows = (Membership.objects.filter(person_id__in=chunk)
                .values_list("person_id", "organization_id", "organization__name", "start_date", "end_date",
                             "end_reason").order_by("person_id", "start_date", "pk"))
        for person_id, org_id, org_name, begin, end, reason in rows:
            state = states.get(person_id)
            if state is not None:
                state.periods.append(Period(org_id, begin, end, reason or ""))
                state.organization_names[org_id] = org_name
        events = (MembershipEvent.objects.filter(person_id__in=chunk)
                  .values_list("person_id", "kind", "detail", "date", "extension_months").order_by("person_id", "date", "pk"))
        for person_id, kind, detail, day, months in events:
            state = states.get(person_id)
            if state is not None:
                state.events.append(EventFact(kind, detail or "", day, months))
    return states


def _day(d: dt.date | None) -> str:
    return d.isoformat() if d else ""


def check_event(state: MemberState, *, kind: str, detail: str, date: dt.date, to_organization=None,
                extension_months: int | None = None, today: dt.date) -> list[Problem]:
    """The guards of one proposed event for the person in ``state`` (pure: no queries, no clock).

    ``to_organization``: the target organization of an increase or a transfer (a ``PartyOrganization`` or
    any object with ``pk``, ``name``, ``org_type``, ``status``, ``founded_date``, ``dissolved_date``);
    ``extension_months``: the length of a 延长预备期. Returns the problems (empty = the event may be
    written), each naming its field (变动类型, 变动情形, 变动日期, 党组织, 延长预备期) and its source:

    - kind / detail unknown, or a detail the kind does not allow (``DETAILS_OF_KIND``: 出党 needs its
      出党方式, 转正 its outcome);
    - a date after ``today``; an event on or after the person's death; before the 入党日期 (except 发展党员
      itself; the 预备期 runs from the branch meeting, 《党章》第七条); before the latest day on record
      (history is appended in order);
    - a decrease, a transfer or a 转正 decision for someone who is not a member on that date; an increase
      for someone who is (组织关系唯一, 《党员教育管理工作条例》第二十五条 — cited with 第五章);
    - 发展党员 for someone already admitted (use 重新入党), 重新入党 without an earlier 出党; 入党 before 18
      (《党章》第一条);
    - 恢复党籍 for someone never stopped or removed; 停止党籍后恢复党籍 without a recorded 停止党籍 as the
      last departure (《党员教育管理工作条例》第二十四条) — both, and 重新入党 without an earlier 出党, only
      when Zugong holds some history of the person (``MemberState.has_history``): a person entering with
      no record here left, if at all, before Zugong;
    - 转正: for a full member; 按期转正 before one year of probation or after a recorded extension;
      延长预备期后转正 without a recorded extension or before it ends; 推迟讨论后转正 without a recorded
      推迟讨论; 延长预备期 outside 6–12 months, a second extension, or before the year is full
      (《党章》第七条, 《发展党员工作细则》第三十二条); months given for any other outcome;
    - 取消预备党员资格 (出党) for a full member (《党章》第七条);
    - a target that is missing for an increase or transfer, equal to the current organization, not holding
      members (党小组/党组), not founded or already dissolved on ``date`` (``validators.
      validate_membership_start``)."""
    from zugong.party import validators

    problems: list[Problem] = []
    label = EVENT_KIND.label(kind) if kind in EVENT_KIND.entries else kind
    if kind not in EVENT_KIND.entries:
        return [Problem("变动类型", f"无法识别的变动类型「{kind}」" if kind else "必填项为空")]
    allowed = DETAILS_OF_KIND[kind]
    if (detail or "") not in allowed:
        if not detail:
            what = {"exit": "出党方式", "full_membership": "转正情况"}.get(kind, "变动情形")
            problems.append(Problem("变动情形", f"{label}须填写{what}（可选：{'、'.join(EVENT_DETAIL.label(d) for d in allowed if d)}）"))
        else:
            shown = EVENT_DETAIL.label(detail) if detail in EVENT_DETAIL.entries else detail
            problems.append(Problem("变动情形", f"「{shown}」不是{label}的情形"
                                    + (f"（可选：{'、'.join(EVENT_DETAIL.label(d) for d in allowed if d)}）"
                                       if any(allowed) else "")))
        return problems
    if date > today:
        return [Problem("变动日期", f"日期 {date.isoformat()} 晚于今天")]

    who = f"「{state.name}」" if state.name else "该人员"
    death = state.death_date
    if death is not None and date >= death:
        return [Problem("变动日期", f"{who}已于 {death.isoformat()} 去世，不能登记 {date.isoformat()} 的{label}"
                                    f"（依据：{SOURCE_RECORDS}）", SOURCE_RECORDS)]
    if kind != "admission" and state.admission_date is not None and date < state.admission_date:
        return [Problem("变动日期", f"变动日期 {date.isoformat()} 早于入党日期 {state.admission_date.isoformat()}"
                                    "（预备期从支部大会通过其为预备党员之日算起，《党章》第七条）", SOURCE_CHARTER_7)]
    latest = state.latest_date
    if latest is not None and date < latest:
        return [Problem("变动日期", f"变动日期 {date.isoformat()} 早于{who}已登记的最近一次变动或组织关系起始日期 "
                                    f"{latest.isoformat()}；党员变动须按时间顺序登记，更正历史记录请联系上级组织部门",
                        SOURCE_RECORDS)]

    in_force = state.member_on(date)
    org_text = f"（组织关系在「{state.org_name(in_force.organization_id)}」）" if in_force and state.org_name(
        in_force.organization_id) else ""

    # --- membership on the date --------------------------------------------------------------------
    if kind in INCREASE_KINDS:
        if in_force is not None:
            hint = "；在系统内调整组织关系请办理组织关系转接" if kind == "transfer_in" else ""
            problems.append(Problem("变动日期", f"{who}在 {date.isoformat()} 已是党员{org_text}，不能再登记{label}{hint}"
                                                f"（依据：{SOURCE_RECORDS}）", SOURCE_RECORDS))
    elif in_force is None:
        problems.append(Problem("变动日期", f"{who}在 {date.isoformat()} 不是本系统登记在册的党员（没有当日有效的组织关系），"
                                            f"不能登记{label}（依据：{SOURCE_RECORDS}）", SOURCE_RECORDS))

    # --- by kind ------------------------------------------------------------------------------------
    if kind == "admission":
        if detail == "readmission":
            left = state.last_closed
            if state.has_history and (not state.is_admitted or left is None or left.end_reason not in EXIT_END_REASONS):
                problems.append(Problem("变动情形", f"{who}没有出党的记录，不能登记「重新入党」（劝退、除名、开除党籍等出党后"
                                                    "符合条件的方可重新入党，《党员教育管理工作条例》第二十四条）",
                                        SOURCE_REINSTATEMENT))
        elif state.is_admitted:
            problems.append(Problem("变动情形", f"{who}已有入党记录（入党日期 {state.admission_date.isoformat()}），"
                                                "出党后再次入党请选择「重新入党」，停止党籍后恢复请登记恢复党籍",
                                    SOURCE_REINSTATEMENT))
        problems += validators.validate_admission(state.birth_date, date, field="变动日期")
    elif kind == "reinstatement":
        left = state.last_closed
        if not state.has_history:
            pass  # a person without any period or event in Zugong: the earlier history is not on record
        elif detail == "after_suspension":
            if left is None or left.end_reason != "suspension":
                problems.append(Problem("变动情形", f"{who}没有停止党籍的记录，不能登记「停止党籍后恢复党籍」"
                                                    "（《党员教育管理工作条例》第二十四条：对停止党籍的党员，符合条件的，"
                                                    "可以按照规定程序恢复党籍）", SOURCE_REINSTATEMENT))
        elif left is None or left.end_reason not in EXIT_END_REASONS | {"suspension"}:
            problems.append(Problem("变动类型", f"{who}没有出党或停止党籍的记录，不能恢复党籍"
                                                "（恢复党籍只适用于被停止党籍或出党后经复查等予以恢复的党员，"
                                                "《党员教育管理工作条例》第二十四条）", SOURCE_REINSTATEMENT))
    elif kind == "transfer_in":
        if not state.is_admitted:
            problems.append(Problem("入党日期", "转入组织关系的党员须有入党日期", SOURCE_CHARTER_7))
    elif kind == "exit" and detail == "probation_cancelled":
        if state.is_full_on(date):
            problems.append(Problem("变动情形", f"{who}已于 {state.full_membership_date.isoformat()} 转为正式党员，"
                                                "取消预备党员资格只适用于预备党员（《党章》第七条）", SOURCE_CHARTER_7))
    elif kind == "full_membership":
        problems += _full_membership_problems(state, who, detail, date, extension_months)
    if kind != "full_membership" and extension_months not in (None, ""):
        problems.append(Problem("延长预备期", "只有延长预备期需要填写延长时间", SOURCE_PROBATION))

    # --- the target organization ---------------------------------------------------------------------
    if kind in INCREASE_KINDS or kind == "transfer":
        if to_organization is None:
            problems.append(Problem("党组织", f"请选择{'转入' if kind == 'transfer' else '接收'}党组织"))
        else:
            if kind == "transfer" and state.current is not None and state.current.organization_id == to_organization.pk:
                problems.append(Problem("党组织", "转入党组织与现所在党组织相同"))
            problems += validators.validate_membership_start(
                org_name=to_organization.name, org_type=to_organization.org_type, org_status=to_organization.status,
                founded_date=to_organization.founded_date, dissolved_date=to_organization.dissolved_date,
                start_date=date, field="党组织")
    return problems


def _full_membership_problems(state: MemberState, who: str, detail: str, date: dt.date,
                              extension_months) -> list[Problem]:
    problems: list[Problem] = []
    if state.admission_date is None:
        return [Problem("变动类型", f"{who}没有入党记录，不能登记转正", SOURCE_CHARTER_7)]
    if state.full_membership_date is not None:  # full already (on ``date`` or, by a later decision, since)
        return [Problem("变动类型", f"{who}已于 {state.full_membership_date.isoformat()} 转为正式党员", SOURCE_CHARTER_7)]
    year_full = add_years(state.admission_date, probation_years(on=state.admission_date))
    extension = state.extension
    if detail == "extended":
        low, high = extension_bounds(on=date)
        if extension_months in (None, ""):
            problems.append(Problem("延长预备期", f"请填写延长预备期的时间（{low}至{high}个月）", SOURCE_PROBATION))
        else:
            months = int(extension_months)
            if not low <= months <= high:
                problems.append(Problem("延长预备期", f"延长预备期 {months} 个月不在 {low} 至 {high} 个月之间（延长时间不能少于"
                                                     "半年，最长不超过一年：《党章》第七条、《发展党员工作细则》第三十二条）",
                                        SOURCE_PROBATION))
        if extension is not None:
            problems.append(Problem("变动情形", f"{who}已于 {extension.date.isoformat()} 延长预备期 "
                                                f"{extension.extension_months or ''} 个月，预备期只能延长一次"
                                                "（《发展党员工作细则》第三十二条）", SOURCE_PROBATION))
        elif date < year_full:
            problems.append(Problem("变动日期", f"预备期至 {year_full.isoformat()} 才满一年，延长预备期应在预备期满时讨论"
                                                "（《党章》第七条）", SOURCE_CHARTER_7))
        return problems
    if extension_months not in (None, ""):
        problems.append(Problem("延长预备期", "只有延长预备期需要填写延长时间", SOURCE_PROBATION))
    if detail == "on_time":
        if extension is not None:
            problems.append(Problem("变动情形", f"{who}已于 {extension.date.isoformat()} 延长预备期，转正请选择「延长预备期后转正」",
                                    SOURCE_PROBATION))
        elif date < year_full:
            problems.append(Problem("变动日期", f"转正日期 {date.isoformat()} 距入党日期 {state.admission_date.isoformat()} "
                                                f"不足一年（预备期为一年，至 {year_full.isoformat()} 期满，《党章》第七条）；"
                                                "需要继续考察的请登记延长预备期", SOURCE_CHARTER_7))
    elif detail == "after_extension":
        if extension is None:
            problems.append(Problem("变动情形", f"{who}没有延长预备期的记录，不能登记「延长预备期后转正」"
                                                f"（请先登记延长预备期，或选择按期转正；依据：{SOURCE_PROBATION}）", SOURCE_PROBATION))
        else:
            end = state.probation_end()
            if date < end:
                problems.append(Problem("变动日期", f"延长的预备期（{extension.extension_months} 个月）至 {end.isoformat()} 届满，"
                                                    f"转正日期 {date.isoformat()} 早于届满日（《发展党员工作细则》第三十二条）",
                                        SOURCE_PROBATION))
    elif detail == "after_postponement":
        if state.postponement is None:
            problems.append(Problem("变动情形", f"{who}没有推迟讨论的记录，不能登记「推迟讨论后转正」", SOURCE_CHARTER_7))
        elif date < year_full:
            problems.append(Problem("变动日期", f"转正日期 {date.isoformat()} 距入党日期不足一年（《党章》第七条）",
                                    SOURCE_CHARTER_7))
    elif detail == "postponed":
        if state.postponement is not None:
            problems.append(Problem("变动情形", f"{who}已于 {state.postponement.date.isoformat()} 登记推迟讨论", SOURCE_CHARTER_7))
    return problems
