"""组织关系转接 (``membership_transfer``, issue #10): the services that move a member between party
organizations — inside Zugong with the receiving side's acceptance, out of Zugong with a 介绍信, into Zugong
from a 介绍信, and a whole organization at once (整建制).

Every service is keyword-only, atomic, audited (``audit.services.record_event`` + the change log of the
rows it writes) and raises the typed errors of ``core.errors``: ``ValidationFailed`` listing every problem
by field (Chinese, with the rule's source), ``OutOfScope`` (404) for a member or organization outside the
caller's scope, ``ConcurrentEdit`` (409) for a stale ``expected_version``. Nothing is half-written: the
transfer, its ``MembershipEvent`` and the membership periods (``party.lifecycle.apply_event``) are written in
one transaction.

- ``transfer_start``: the sending side (``party.change`` on the member's organization) starts a transfer to
  an organization inside Zugong — in its scope or not (the receiving-organization picker,
  ``transfer_selectors.transfer_target_pick``). The transfer is ``pending``; the member stays where they
  are and stays **invisible** to the receiving side (roster, person page, members API) until it accepts.
- ``transfer_accept`` (``party.add`` on the receiving organization): a ``transfer`` event dated the day of
  acceptance; the membership of the sender closes and one of the receiver opens that day, and the person's
  scope anchor moves — from then on the receiver sees the member and the sender no longer does (its
  rosters as of earlier days are unchanged).
- ``transfer_return`` (the receiving side, with a reason) and ``transfer_cancel`` (the sending side)
  close a pending transfer without any change of membership.
- ``transfer_out_issue``: 转出本系统 — a 介绍信 (``party.letters.transfer_letter``) with its number, the
  destination, validity (days) and dues paid through (month); a ``transfer_out`` event ends the membership
  on the date (a decrease of every subtree holding the member).
- ``transfer_in_register``: 从系统外转入 — a member arriving with a 介绍信: a new person, the party record
  and a ``transfer_in`` event opening the membership on the date.
- ``whole_unit_transfer``: 整建制转接 of an organization's members, one event per member with the detail
  ``whole_unit`` — ``transfer`` events to an organization in Zugong (which the caller must also manage),
  ``transfer_out`` events to one outside; the source organization is then dissolved.

Guards (each names its field and rule): at most one open transfer per member (also a database
constraint); the receiving organization must exist, hold members (not a 党小组/党组), have been founded by
the date and not be dissolved; the member must be a member on the date (an open membership that started
on or before it, admitted before it); dates not in the future, not before the current membership's start
nor before the member's latest recorded event (history is appended in order); the 介绍信's validity
1–90 days and dues month within a year of the date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from zugong.audit.services import acting_user, record_event
from zugong.core.codes import ORG_TYPES_HOLDING_MEMBERS
from zugong.core.concurrency import save_with_version
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import ConcurrentEdit, OutOfScope, RowError, ValidationFailed
from zugong.core.scoping import can
from zugong.orgs.models import PartyOrganization
from zugong.party import validators
from zugong.party.choices import TRANSFER_STATE
from zugong.party.lifecycle import apply_event
from zugong.party.models import Membership, MembershipEvent, MembershipTransfer, PartyMember
from zugong.party.transfer_selectors import (
    may_receive,
    may_send,
    pending_transfer_of,
    transfer_get,
    transfer_target_get,
)
from zugong.people.services import parse_day, raise_problems
from zugong.people.validators import Problem

SOURCE_RECORDS = validators.SOURCE_RECORDS
SOURCE_LETTER = "《中国共产党党员组织关系介绍信》填写使用说明（组通字〔2006〕45号）"
MAX_VALIDITY_DAYS = 90
"""A 介绍信's validity: set case by case, commonly 10 days in a city and 30 outside, never more than three
months (the transfer rules of the organization departments built on 组通字〔2006〕45号). [K]"""
MAX_DUES_MONTHS_AHEAD = 12
"""党费交至 a month at most this many months after the transfer (prepaid dues; a later month is a typo)."""

FIELD_TARGET = "接收党组织"
FIELD_DATE = "转接日期"


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _check_version(obj, expected_version) -> None:
    if expected_version is None or int(expected_version) != obj.version:
        raise ConcurrentEdit(record=obj)


def _open_membership(*, user, person_id: int, lock: bool = True) -> Membership:
    """The person's open membership if its organization is in ``user``'s ``party.change`` scope (locked
    for the transaction), else ``OutOfScope``."""
    queryset = Membership.objects.restrict(user, "change").select_related("organization", "person")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    membership = queryset.filter(person_id=person_id, end_date__isnull=True).first()
    if membership is None:
        raise OutOfScope("该党员不存在、没有未结束的组织关系或不在您的数据范围内。")
    return membership


def _latest_event_date(person_id: int) -> dt.date | None:
    return MembershipEvent.objects.filter(person_id=person_id).aggregate(d=Max("date"))["d"]


def _member_on(membership: Membership, day: dt.date | None, problems: list[Problem], *, field: str,
               what: str) -> None:
    """The member must be a member on ``day``: admitted and in the current membership by then, and no
    event recorded after it (history is appended in order)."""
    if day is None:
        return
    member = PartyMember.objects.filter(pk=membership.person_id).only("admission_date").first()
    if member is not None and day < member.admission_date:
        problems.append(Problem(field, f"{what}日期 {day.isoformat()} 早于入党日期 {member.admission_date.isoformat()}，"
                                       "该日尚不是党员", SOURCE_RECORDS))
    elif day < membership.start_date:
        problems.append(Problem(field, f"{what}日期 {day.isoformat()} 早于现组织关系的起始日期 "
                                       f"{membership.start_date.isoformat()}（该日不在「{membership.organization.name}」）",
                                SOURCE_RECORDS))
    latest = _latest_event_date(membership.person_id)
    if latest is not None and day < latest:
        problems.append(Problem(field, f"{what}日期 {day.isoformat()} 早于该党员最近一次变动的日期 {latest.isoformat()}"
                                       "（党员变动须按日期先后登记）", SOURCE_RECORDS))


def _no_pending(person_id: int, problems: list[Problem], *, name: str = "该党员") -> None:
    pending = pending_transfer_of(person_id=person_id)
    if pending is not None:
        where = pending.to_organization.name if pending.to_organization else (pending.counterpart or "—")
        problems.append(Problem("组织关系转接", f"{name}已有一项未办结的组织关系转接（{pending.sent_date.isoformat()} 转往"
                                              f"「{where}」，待接收），同一党员同一时间只能有一项转接；请等待对方办理或先撤回",
                                SOURCE_RECORDS))


def _target_problems(target: PartyOrganization | None, day: dt.date | None, *, current_org_id: int | None = None,
                     given: bool = True, field: str = FIELD_TARGET) -> list[Problem]:
    """The receiving organization: chosen (``given``), exists, differs from the current one, holds members,
    was founded by ``day`` and is not dissolved (``party.validators.validate_membership_start``)."""
    if target is None:
        return [Problem(field, "接收党组织不存在" if given else "请选择接收党组织")]
    if current_org_id is not None and target.pk == current_org_id:
        return [Problem(field, f"接收党组织「{target.name}」与现所在党组织相同")]
    return [Problem(field, p.reason, p.source) for p in validators.validate_membership_start(
        org_name=target.name, org_type=target.org_type, org_status=target.status, founded_date=target.founded_date,
        dissolved_date=target.dissolved_date, start_date=day or timezone.localdate(), field=field)]


def _locked_transfer(*, user, transfer_id: int, expected_version) -> MembershipTransfer:
    """The transfer ``transfer_id`` as ``user`` sees it on either side with ``party.change`` (else
    ``OutOfScope``), locked, at ``expected_version`` (else ``ConcurrentEdit``)."""
    found = transfer_get(user=user, pk=transfer_id, action="change")
    if found is None:
        raise OutOfScope("组织关系转接不存在或不在您的数据范围内。")
    transfer = (MembershipTransfer.objects.select_for_update(of=("self",))
                .select_related("person", "from_organization", "to_organization").get(pk=found.pk))
    _check_version(transfer, expected_version)
    return transfer


def _pending_internal(transfer: MembershipTransfer, problems: list[Problem]) -> bool:
    if transfer.direction != "internal":
        problems.append(Problem("转接方向", "转出本系统或从系统外转入的记录已办结，无需接收、退回或撤回"))
        return False
    if transfer.state != "pending":
        problems.append(Problem("状态", f"该转接{TRANSFER_STATE.label(transfer.state)}，不能再办理"))
        return False
    return True


def _audit(user, transfer: MembershipTransfer, summary: str, **data) -> dict:
    """The keyword arguments of the ``record_event`` call of a transfer service (the kind stays a literal at
    the call: ``audit.choices.EVENT_KINDS`` names every kind)."""
    return dict(user=user, object_type="party.membershiptransfer", object_id=transfer.pk, summary=summary,
                data={"person": transfer.person_id, "direction": transfer.direction, "state": transfer.state,
                      "from": transfer.from_organization.code if transfer.from_organization else "",
                      "to": transfer.to_organization.code if transfer.to_organization else "",
                      "counterpart": transfer.counterpart, **data})


def _create_transfer(**fields) -> MembershipTransfer:
    """Insert a transfer; the database's one-pending-per-person constraint (a concurrent start) becomes the
    same ``ValidationFailed`` as the check before it."""
    try:
        with transaction.atomic():
            return MembershipTransfer.objects.create(**fields)
    except IntegrityError:
        raise_problems([Problem("组织关系转接", "该党员已有一项未办结的组织关系转接，同一党员同一时间只能有一项转接",
                                SOURCE_RECORDS)])
        raise


# ----- 系统内转接：发起、接收、退回、撤回 ---------------------------------------------------------------------

@transaction.atomic
def transfer_start(*, user, person_id: int, to_organization_id: int | None, date, note: str = "",
                   today: dt.date | None = None) -> MembershipTransfer:
    """发起组织关系转接 (inside Zugong): a ``pending`` transfer of member ``person_id`` from their current
    organization to ``to_organization_id`` (any organization in Zugong that holds members — the receiving
    side need not be in the caller's scope), sent on ``date`` (``dt.date`` or text). The member stays in
    the current organization, unseen by the receiving side, until ``transfer_accept``.

    Requires ``party.change`` on the member's organization (else ``OutOfScope``). ``ValidationFailed``
    (nothing written): no receiving organization, or it does not exist, is the current one, is a 党小组/党组,
    is dissolved or not yet founded on ``date``; ``date`` missing, in the future, before the current
    membership's start, the admission or the latest recorded event; another transfer of the member still
    open (组织关系唯一; also the database constraint ``party_transfer_one_pending_per_person``).
    Audited (``transfer_start``; the change log of the new row)."""
    today = _today(today)
    with acting_user(user):
        current = _open_membership(user=user, person_id=person_id)
        problems: list[Problem] = []
        day = parse_day(date, FIELD_DATE, problems, required=True, today=today)
        target = transfer_target_get(user=user, pk=to_organization_id) if to_organization_id else None
        problems += _target_problems(target, day, current_org_id=current.organization_id,
                                     given=bool(to_organization_id))
        _member_on(current, day, problems, field=FIELD_DATE, what="转接")
        _no_pending(person_id, problems)
        raise_problems(problems)
        transfer = _create_transfer(person_id=person_id, direction="internal", state="pending",
                                    from_organization=current.organization, to_organization=target, sent_date=day,
                                    note=(note or "").strip()[:500])
        record_event("transfer_start", **_audit(user, transfer,
               f"人员 #{person_id} 的组织关系于 {day.isoformat()} 由「{current.organization.name}」转往「{target.name}」，待接收",
               date=day))
    return transfer


@transaction.atomic
def transfer_accept(*, user, transfer_id: int, date, expected_version, today: dt.date | None = None) -> MembershipEvent:
    """接收: the receiving side accepts the pending transfer ``transfer_id`` on ``date``: a ``transfer``
    event (detail ``whole_unit`` for a whole-unit transfer) closes the sender's membership and opens one of
    the receiving organization that day (``party.lifecycle.apply_event``), the person's scope anchor moves
    there and the transfer becomes ``accepted``. Returns the event.

    The transfer must be seen with ``party.change`` on either side (else ``OutOfScope``) at
    ``expected_version`` (else ``ConcurrentEdit``). ``ValidationFailed`` (nothing written): the caller does
    not hold ``party.add`` on the receiving organization (only the receiving side accepts); the transfer
    is not a pending internal one; ``date`` missing, in the future, before the day it was sent or the
    member's current membership began; the receiving organization dissolved by then; the member no longer
    in the sending organization. Audited (``transfer_accept``; the change log of every row)."""
    today = _today(today)
    with acting_user(user):
        transfer = _locked_transfer(user=user, transfer_id=transfer_id, expected_version=expected_version)
        problems: list[Problem] = []
        if _pending_internal(transfer, problems) and not may_receive(user, transfer):
            problems.append(Problem(FIELD_TARGET, f"只有接收方「{transfer.to_organization.name}」可以接收；"
                                                  "接收党组织不在您的管理范围内"))
        raise_problems(problems)
        day = parse_day(date, "接收日期", problems, required=True, today=today)
        current = (Membership.objects.select_for_update(of=("self",)).select_related("organization")
                   .filter(person_id=transfer.person_id, end_date__isnull=True).first())
        if current is None or current.organization_id != transfer.from_organization_id:
            problems.append(Problem("组织关系", "该党员已不在转出党组织（组织关系已结束或已转往他处），不能接收；请退回"))
        if day is not None:
            if day < transfer.sent_date:
                problems.append(Problem("接收日期", f"接收日期 {day.isoformat()} 早于转出日期 {transfer.sent_date.isoformat()}"))
            if current is not None:
                _member_on(current, day, problems, field="接收日期", what="接收")
            problems += _target_problems(transfer.to_organization, day, field=FIELD_TARGET)
        raise_problems(problems)
        transfer.state, transfer.decided_date = "accepted", day
        save_with_version(transfer, expected_version, ["state", "decided_date"])
        event = MembershipEvent.objects.create(
            person_id=transfer.person_id, kind="transfer", detail="whole_unit" if transfer.whole_unit else "", date=day,
            organization=transfer.to_organization, from_organization=transfer.from_organization,
            to_organization=transfer.to_organization, transfer=transfer, document_number=transfer.letter_number)
        apply_event(event)
        record_event("transfer_accept", **_audit(user, transfer,
               f"「{transfer.to_organization.name}」于 {day.isoformat()} 接收人员 #{transfer.person_id} 的组织关系"
               f"（由「{transfer.from_organization.name}」转入）", date=day, event=event.pk))
    return event


@transaction.atomic
def transfer_return(*, user, transfer_id: int, reason: str, expected_version,
                    today: dt.date | None = None) -> MembershipTransfer:
    """退回: the receiving side returns the pending transfer ``transfer_id`` with ``reason`` (e.g. 材料不全,
    不属于本组织接收范围); the transfer becomes ``returned`` (dated today) and the member stays where they
    are. Scope, version and 「only the receiving side」 as ``transfer_accept``; ``ValidationFailed`` also for
    an empty reason. Audited (``transfer_return``)."""
    today = _today(today)
    with acting_user(user):
        transfer = _locked_transfer(user=user, transfer_id=transfer_id, expected_version=expected_version)
        problems: list[Problem] = []
        if _pending_internal(transfer, problems) and not may_receive(user, transfer):
            problems.append(Problem(FIELD_TARGET, f"只有接收方「{transfer.to_organization.name}」可以退回；"
                                                  "接收党组织不在您的管理范围内"))
        reason = (reason or "").strip()
        if not reason:
            problems.append(Problem("退回原因", "请填写退回原因"))
        raise_problems(problems)
        transfer.state, transfer.decided_date, transfer.return_reason = "returned", today, reason[:500]
        save_with_version(transfer, expected_version, ["state", "decided_date", "return_reason"])
        record_event("transfer_return", **_audit(user, transfer, f"「{transfer.to_organization.name}」退回人员 #{transfer.person_id} "
               f"的组织关系转接：{reason[:100]}", reason=reason))
    return transfer


@transaction.atomic
def transfer_cancel(*, user, transfer_id: int, expected_version, today: dt.date | None = None) -> MembershipTransfer:
    """撤回: the sending side (``party.change`` on the sending organization) withdraws its pending transfer
    ``transfer_id``; it becomes ``cancelled`` (dated today), the member stays. ``OutOfScope`` /
    ``ConcurrentEdit`` as ``transfer_accept``; ``ValidationFailed`` when the caller is not the sending side
    or the transfer is not a pending internal one. Audited (``transfer_cancel``)."""
    today = _today(today)
    with acting_user(user):
        transfer = _locked_transfer(user=user, transfer_id=transfer_id, expected_version=expected_version)
        problems: list[Problem] = []
        if _pending_internal(transfer, problems) and not may_send(user, transfer):
            problems.append(Problem("转出党组织", f"只有转出方「{transfer.from_organization.name}」可以撤回"))
        raise_problems(problems)
        transfer.state, transfer.decided_date = "cancelled", today
        save_with_version(transfer, expected_version, ["state", "decided_date"])
        record_event("transfer_cancel", **_audit(user, transfer, f"撤回人员 #{transfer.person_id} 的组织关系转接"))
    return transfer


# ----- 转出本系统（介绍信） -------------------------------------------------------------------------------------

def parse_month(value, field: str, problems: list[Problem]) -> dt.date | None:
    """A month (``2025-01``, ``2025年1月``, ``202501`` or a date: its month) as the 1st of that month."""
    try:
        day, _ = parse_date(value)
    except DateParseError as exc:
        problems.append(Problem(field, str(exc)))
        return None
    return day.replace(day=1) if day else None


def _letter_problems(*, counterpart: str, letter_number: str, validity_days, dues_paid_through,
                     day: dt.date | None, problems: list[Problem]) -> tuple[int | None, dt.date | None]:
    """The 介绍信 fields: destination and number required; validity 1–``MAX_VALIDITY_DAYS`` days; dues
    paid through a month not more than ``MAX_DUES_MONTHS_AHEAD`` after the transfer (组通字〔2006〕45号:
    the letter carries 转入单位全称、党费交至年月、有效期)."""
    if not counterpart:
        problems.append(Problem("接收党组织（系统外）", "请填写接收党组织全称（介绍信「由…去…」）", SOURCE_LETTER))
    if not letter_number:
        problems.append(Problem("介绍信编号", "请填写介绍信编号（每联右上角「第 号」，由转出地党组织填写）", SOURCE_LETTER))
    days = None
    if validity_days in (None, ""):
        problems.append(Problem("有效期（天）", "请填写介绍信有效期（天数）", SOURCE_LETTER))
    else:
        try:
            days = int(str(validity_days).strip())
        except ValueError:
            problems.append(Problem("有效期（天）", f"「{validity_days}」不是天数"))
        else:
            if not 1 <= days <= MAX_VALIDITY_DAYS:
                problems.append(Problem("有效期（天）", f"有效期 {days} 天超出范围：应为 1–{MAX_VALIDITY_DAYS} 天"
                                                    "（一般市内 10 天、市外 30 天，最长不超过 3 个月）", SOURCE_LETTER))
                days = None
    month = parse_month(dues_paid_through, "党费交至", problems)
    if month is None and dues_paid_through in (None, ""):
        problems.append(Problem("党费交至", "请填写党费交至的年月（介绍信「党费已交到 年 月」）", SOURCE_LETTER))
    elif month is not None and day is not None:
        limit = dt.date(day.year + (day.month - 1 + MAX_DUES_MONTHS_AHEAD) // 12,
                        (day.month - 1 + MAX_DUES_MONTHS_AHEAD) % 12 + 1, 1)
        if month > limit:
            problems.append(Problem("党费交至", f"党费交至 {month:%Y年%m月} 晚于转出日期后 {MAX_DUES_MONTHS_AHEAD} 个月，请核实"))
    return days, month


@transaction.atomic
def transfer_out_issue(*, user, person_id: int, counterpart: str, letter_number: str, validity_days, dues_paid_through,
                       date, whole_unit: bool = False, note: str = "", today: dt.date | None = None) -> MembershipTransfer:
    """转出本系统: issue a 介绍信 for member ``person_id`` to ``counterpart`` (the receiving party
    organization outside Zugong, full name), number ``letter_number``, valid ``validity_days`` days, dues
    paid through the month ``dues_paid_through`` (``2025-01`` or a date); a ``transfer_out`` event ends the
    membership on ``date`` (detail ``whole_unit`` when ``whole_unit``). The transfer is ``issued``; the
    letter is printed by ``party.letters.transfer_letter``. The person's record stays with the sending
    organization (a former member there).

    Requires ``party.change`` on the member's organization (else ``OutOfScope``). ``ValidationFailed``
    (nothing written): the letter's fields (``_letter_problems``); ``date`` missing, in the future, before
    the admission, the current membership's start or the latest event (a decrease for someone who is not a
    member that day); another transfer still open. Audited (``transfer_out_issue``)."""
    today = _today(today)
    with acting_user(user):
        current = _open_membership(user=user, person_id=person_id)
        problems: list[Problem] = []
        day = parse_day(date, "转出日期", problems, required=True, today=today)
        counterpart, letter_number = (counterpart or "").strip()[:200], (letter_number or "").strip()[:50]
        days, month = _letter_problems(counterpart=counterpart, letter_number=letter_number, validity_days=validity_days,
                                       dues_paid_through=dues_paid_through, day=day, problems=problems)
        _member_on(current, day, problems, field="转出日期", what="转出")
        _no_pending(person_id, problems)
        raise_problems(problems)
        transfer = _create_transfer(person_id=person_id, direction="out", state="issued", whole_unit=bool(whole_unit),
                                    from_organization=current.organization, counterpart=counterpart, sent_date=day,
                                    decided_date=day, letter_number=letter_number, validity_days=days,
                                    dues_paid_through=month, note=(note or "").strip()[:500])
        event = MembershipEvent.objects.create(
            person_id=person_id, kind="transfer_out", detail="whole_unit" if whole_unit else "", date=day,
            organization=current.organization, from_organization=current.organization, counterpart=counterpart,
            transfer=transfer, document_number=letter_number)
        apply_event(event)
        record_event("transfer_out_issue", **_audit(user, transfer, f"人员 #{person_id} 的组织关系于 {day.isoformat()} 由「"
               f"{current.organization.name}」转出至「{counterpart}」（介绍信第 {letter_number} 号）",
               date=day, letter_number=letter_number, event=event.pk))
    return transfer


# ----- 从系统外转入 ----------------------------------------------------------------------------------------------

def transfer_in_register(*, user, organization_id: int, name: str, sex: str, ethnicity: str, birth_date, id_number: str,
                         education_level: str, admission_date, full_membership_date=None, category: str | None = None,
                         occupation, front_line: bool | None = None, work_start_date=None, phone: str = "",
                         counterpart: str, letter_number: str = "", date, whole_unit: bool = False, note: str = "",
                         today: dt.date | None = None) -> MembershipTransfer:
    """登记转入党员: a member arriving from outside Zugong with a 介绍信 from ``counterpart`` (number
    ``letter_number``, optional) joins ``organization_id`` on ``date``: ``party.services.member_create``
    with ``entry_kind="transfer_in"`` (a new ``Person``, the ``PartyMember`` — 入党日期, 转正日期, a 预备党员
    has none —, the ``transfer_in`` event, detail ``whole_unit`` when ``whole_unit``, opening the membership
    on ``date`` with ``occupation``/``front_line`` as the 新增党员 form takes them), and an ``in`` transfer
    (``accepted``) keeping the letter's data, linked from the event.

    Requires ``basic.add`` and ``party.add`` on the organization (else ``OutOfScope``). ``ValidationFailed``
    (every problem by field, nothing written): ``member_create``'s (the person's fields and ID number — a
    number already registered, e.g. a member who left and comes back, is refused: such a member is not new;
    入党 before 18, 《党章》第一条; 转正 not a year after 入党, 《党章》第七条; 人员类别 vs 转正日期; the
    organization a 党小组/党组, not founded or dissolved on ``date``; ``lifecycle.check_event``), with its
    「起始日期」 reported as 「转入日期」; ``counterpart`` empty (「原所在党组织」); ``date`` missing. Audited
    (``member_create``'s events and ``transfer_in_register``)."""
    from zugong.party.services import member_create

    today = _today(today)
    problems: list[Problem] = []
    if not (counterpart or "").strip():
        problems.append(Problem("原所在党组织", "请填写介绍信开出的原党组织全称", SOURCE_LETTER))
    if date in (None, ""):
        problems.append(Problem("转入日期", "必填项为空"))
    own = [RowError(0, p.field, p.reason) for p in problems]
    try:
        with acting_user(user), transaction.atomic():
            person = member_create(
                user=user, organization_id=organization_id, name=name, sex=sex, ethnicity=ethnicity,
                birth_date=birth_date, id_number=id_number, education_level=education_level,
                admission_date=admission_date, full_membership_date=full_membership_date, category=category,
                occupation=occupation, front_line=front_line, start_date=date or None,
                work_start_date=work_start_date, phone=phone, entry_kind="transfer_in",
                entry_detail="whole_unit" if whole_unit else "", entry_counterpart=counterpart or "", today=today)
            if own:
                raise ValidationFailed(own)  # rolls the person back: every problem is reported at once
            event = MembershipEvent.objects.select_related("to_organization").get(person=person, kind="transfer_in")
            org = event.to_organization
            transfer = MembershipTransfer.objects.create(
                person=person, direction="in", state="accepted", whole_unit=bool(whole_unit), to_organization=org,
                counterpart=event.counterpart, sent_date=event.date, decided_date=event.date,
                letter_number=(letter_number or "").strip()[:50], note=(note or "").strip()[:500])
            event.transfer, event.document_number = transfer, transfer.letter_number
            event.save(update_fields=["transfer", "document_number", "updated_at"])
            record_event("transfer_in_register", **_audit(user, transfer, f"「{org.name}」于 {event.date.isoformat()} 登记由「"
                   f"{transfer.counterpart}」转入的人员 #{person.pk}", date=event.date, event=event.pk))
    except ValidationFailed as exc:
        if exc.errors is own or exc.errors == own:
            raise ValidationFailed(own, message="；".join(p.message for p in problems)) from None
        errors = [RowError(e.row, "转入日期" if e.column == "起始日期" else e.column,
                           e.reason.replace("组织关系起始日期", "转入日期")) for e in exc.errors]
        errors += [e for e in own if e.column not in {x.column for x in errors}]
        raise ValidationFailed(errors, message="；".join(f"「{e.column}」：{e.reason}" for e in errors)) from None
    return transfer


# ----- 整建制转接 -----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class WholeUnitResult:
    """What ``whole_unit_transfer`` did: the dissolved ``organization``, one ``MembershipEvent`` per member
    (``events``) and the ``transfers`` recording them."""

    organization: PartyOrganization
    events: list[MembershipEvent]
    transfers: list[MembershipTransfer]


def whole_unit_transfer(*, user, from_organization_id: int, to_organization_id: int | None = None, counterpart: str = "",
                        date, reason: str = "", letter_number: str = "", validity_days=None, dues_paid_through=None,
                        expected_version=None, today: dt.date | None = None) -> WholeUnitResult:
    """整建制转接: every member of ``from_organization_id`` (its open memberships; not those of its
    sub-organizations) moves on ``date`` — to ``to_organization_id`` in Zugong (one ``transfer`` event per
    member, detail ``whole_unit``: 整建制转入 for the receiving subtree, 整建制转出 for the sending one) or,
    with ``counterpart`` instead, out of Zugong (one ``transfer_out`` event per member, detail
    ``whole_unit``; the 介绍信 data ``letter_number``/``validity_days``/``dues_paid_through`` as
    ``transfer_out_issue``, the same number for every member). Each move is a transfer row (``accepted`` /
    ``issued``, ``whole_unit=True``). The source organization is then dissolved on ``date`` for ``reason``
    (default 「整建制转接」) through ``orgs.services.organization_dissolve``.

    Requires ``party.change`` and ``party.delete`` on the source (``OutOfScope`` when it is not in the
    ``party.change`` scope) and, inside Zugong, ``party.add`` on the receiving organization: a whole-unit
    move within Zugong is made by a level that manages both sides (a receiving organization outside the
    caller's scope is refused — start member transfers one by one instead). ``expected_version``: the
    source organization's version (``ConcurrentEdit`` when stale). ``ValidationFailed`` (nothing written):
    neither or both destinations; the receiving organization missing, the source itself or below it, a
    党小组/党组, not founded or dissolved on ``date``; the source a 党小组/党组, already dissolved, with active
    sub-organizations, or without members; a member with an open transfer or whose membership began after
    ``date``; ``date`` missing or in the future; the dissolution's own checks (a refusal there rolls back
    the moves already written). Audited: one ``whole_unit_transfer`` event with the count (the change log
    holds every transfer, event and membership row). Returns a ``WholeUnitResult``."""
    from zugong.orgs.services import organization_dissolve

    today = _today(today)
    with acting_user(user), transaction.atomic():
        source = (PartyOrganization.objects.restrict(user, "change", label="party").select_for_update()
                  .filter(pk=from_organization_id).first())
        if source is None:
            raise OutOfScope("党组织不存在或不在您的数据范围内。")
        if expected_version is not None:
            _check_version(source, expected_version)
        problems: list[Problem] = []
        day = parse_day(date, FIELD_DATE, problems, required=True, today=today)
        counterpart = (counterpart or "").strip()[:200]
        outside = bool(counterpart)
        if source.org_type not in ORG_TYPES_HOLDING_MEMBERS:
            problems.append(Problem("原党组织", f"「{source.name}」不直接管理党员组织关系，不能整建制转接", SOURCE_RECORDS))
        if source.status == "dissolved":
            problems.append(Problem("原党组织", f"「{source.name}」已撤销"))
        if not can(user, "party", "delete", source):
            problems.append(Problem("原党组织", "整建制转接后须撤销原党组织，您没有撤销该组织的权限"))
        target = None
        if to_organization_id and outside:
            problems.append(Problem(FIELD_TARGET, "请在系统内接收党组织和系统外接收党组织中选择一个"))
        elif to_organization_id:
            target = transfer_target_get(user=user, pk=to_organization_id)
            if target is not None and target.path.startswith(source.path):
                problems.append(Problem(FIELD_TARGET, f"接收党组织「{target.name}」是原党组织本身或其下级"))
            elif target is not None and not can(user, "party", "add", target):
                problems.append(Problem(FIELD_TARGET, f"接收党组织「{target.name}」不在您的管理范围内：系统内的整建制转接须由"
                                                      "同时管理双方的上级党组织办理（或逐人发起组织关系转接）"))
            else:
                problems += _target_problems(target, day, current_org_id=source.pk)
        elif not outside:
            problems.append(Problem(FIELD_TARGET, "请选择系统内接收党组织，或填写系统外接收党组织全称"))
        days = month = None
        if outside:
            days, month = _letter_problems(counterpart=counterpart, letter_number=(letter_number or "").strip(),
                                           validity_days=validity_days, dues_paid_through=dues_paid_through, day=day,
                                           problems=problems)
        children = PartyOrganization.objects.get_children(source).filter(status="active")
        if children.exists():
            names = "、".join(children.order_by("path").values_list("name", flat=True)[:10])
            problems.append(Problem("原党组织", f"「{source.name}」还有未撤销的下级组织（{names}），请先撤销或调整隶属关系",
                                    SOURCE_RECORDS))
        members = list(Membership.objects.select_for_update(of=("self",)).select_related("person")
                       .filter(organization=source, end_date__isnull=True).order_by("pk"))
        if not members and source.org_type in ORG_TYPES_HOLDING_MEMBERS:
            problems.append(Problem("原党组织", f"「{source.name}」没有党员组织关系，无需整建制转接（可直接撤销）"))
        pending = {t.person_id for t in MembershipTransfer.objects.filter(
            person_id__in=[m.person_id for m in members], state="pending")}
        if pending:
            names = "、".join(m.person.name for m in members if m.person_id in pending)
            problems.append(Problem("组织关系转接", f"以下党员还有未办结的组织关系转接，请先办结或撤回：{names}", SOURCE_RECORDS))
        if day is not None:
            late = [m.person.name for m in members if m.start_date > day]
            if late:
                problems.append(Problem(FIELD_DATE, f"以下党员的组织关系起始日期晚于 {day.isoformat()}：{'、'.join(late)}",
                                        SOURCE_RECORDS))
        raise_problems(problems)
        events, transfers = [], []
        for membership in members:
            transfer = MembershipTransfer.objects.create(
                person_id=membership.person_id, direction="out" if outside else "internal",
                state="issued" if outside else "accepted", whole_unit=True, from_organization=source,
                to_organization=target, counterpart=counterpart, sent_date=day, decided_date=day,
                letter_number=(letter_number or "").strip()[:50] if outside else "", validity_days=days,
                dues_paid_through=month)
            event = MembershipEvent.objects.create(
                person_id=membership.person_id, kind="transfer_out" if outside else "transfer", detail="whole_unit",
                date=day, organization=target or source, from_organization=source, to_organization=target,
                counterpart=counterpart, transfer=transfer, document_number=transfer.letter_number)
            apply_event(event)
            events.append(event)
            transfers.append(transfer)
        source.refresh_from_db()
        dissolved = organization_dissolve(user=user, organization=source, date=day,
                                          reason=(reason or "").strip() or "整建制转接", expected_version=source.version)
        destination = target.name if target else counterpart
        record_event("whole_unit_transfer", user=user, object_type="orgs.partyorganization", object_id=source.pk,
                     summary=f"「{source.name}」的 {len(events)} 名党员于 {day.isoformat()} 整建制转往「{destination}」，原组织撤销",
                     data={"organization": source.code, "to": target.code if target else "", "counterpart": counterpart,
                           "date": day, "members": len(events)})
    return WholeUnitResult(organization=dissolved, events=events, transfers=transfers)
