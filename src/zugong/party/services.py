"""Party member services: every change of a member's party record and organizational relation
(组织关系). Pages, the API and the roster import call these; each is keyword-only, atomic, audited
(change log + a domain event) and raises the typed errors of ``zugong.core.errors``.

- ``member_register``: unscoped registration used by fixtures and the demo generator.
- ``member_create``: 新增党员 — a new person with the party record and the open membership (scoped).
- ``membership_start``: 编入党组织 — the party record if missing and an open membership from a date.
- ``membership_change_category``: 转正 — 预备党员 → 正式党员 on the 转正日期 (one-year probation).
- ``membership_end``: 结束组织关系 — the open membership ends on a date, with the reason.
- ``membership_transfer`` / ``membership_transfer_bulk``: 组织关系转接 inside the caller's scope — the
  open membership closes on the date and one opens at the target (effective dating: rosters before the
  date are unchanged). The roster import uses the bulk form.

Checks are the shared validators (``party.validators``, ``people.validators``); records entered by hand
refuse what the import reports as a warning (e.g. 转正 less than a year after 入党, 《党章》第七条).
Cross-scope transfers with acceptance by the receiving side are issue #10.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zugong.audit.changelog import log_bulk_change
from zugong.audit.services import record_event
from zugong.core import idnumber
from zugong.core.concurrency import save_with_version
from zugong.core.errors import ConcurrentEdit, OutOfScope, RowError, ValidationFailed, ZugongError
from zugong.orgs.models import PartyOrganization
from zugong.party import lifecycle, validators
from zugong.party.choices import (
    DECREASE_KINDS,
    EVENT_DETAIL,
    EVENT_KIND,
    EXIT_REASON,
    FULL_OUTCOMES,
    INCREASE_KINDS,
)
from zugong.party.models import DevelopmentRecord, Membership, MembershipEvent, PartyMember
from zugong.party.occupations import clean_occupation, occupation_fields_of
from zugong.people.models import Person
from zugong.people.services import (
    check_new_person,
    insert_person,
    parse_code,
    parse_day,
    raise_problems,
    target_organization,
)
from zugong.people.validators import Problem

END_REASONS = {k: v for k, v in Membership.END_REASONS if k not in ("transfer", "exit", "transfer_out")}
"""Reasons ``membership_end`` accepts (a transfer goes through ``membership_transfer`` or the transfers
part; a 出党 with its 出党方式 through ``event_record``)."""

END_REASON_EVENT = {
    "death": ("death", ""),
    "withdrawal": ("exit", "withdrawn_removed"),
    "expulsion": ("exit", "expelled"),
    "removal": ("exit", "lapsed_removed"),
    "cancelled": ("exit", "probation_cancelled"),
    "suspension": ("suspension", ""),
}
"""The ``MembershipEvent`` (kind, detail) ``membership_end`` records for each reason: 去世 → 死亡, 退党 →
出党（退党除名）, 开除党籍 → 出党（开除党籍）, 除名 → 出党（自行脱党除名: the most frequent 除名; the other
除名 kinds are recorded through ``event_record``), 取消预备党员资格 → 出党（取消预备党员资格）, 停止党籍 →
停止党籍. ``correction`` (更正: the period was recorded by mistake) records no event."""


@transaction.atomic
def member_register(*, name: str, id_number: str, sex: str, ethnicity: str, birth_date: dt.date,
                    education_level: str, organization: PartyOrganization, admission_date: dt.date,
                    full_membership_date: dt.date | None, occupation: str, front_line: bool = False,
                    work_start_date: dt.date | None = None, phone: str = "") -> Person:
    """Register one party member without a user (fixtures, demo data): ``Person`` + ``PartyMember`` +
    open ``Membership`` of ``organization`` starting at ``admission_date``. Political status is 中共党员
    (01) or 中共预备党员 (02) by whether a full-membership date is given. Raises ``ZugongError`` for an
    invalid or already registered ID number (the message never names where the existing record lives).
    Interactive paths use ``member_create`` (scoped, validated, oracle-checked)."""
    try:
        info = idnumber.parse(id_number)
    except idnumber.IdNumberError as exc:
        raise ZugongError(str(exc))
    if Person.objects.filter(id_number_hash=Person.hash_id_number(info.number)).exists():
        raise ZugongError("该公民身份号码已登记")
    person = Person(name=name, sex=sex, ethnicity=ethnicity, birth_date=birth_date, education_level=education_level,
                    political_status="01" if full_membership_date else "02", work_start_date=work_start_date,
                    organization=organization)
    person.set_id_number(info.number)
    person.set_phone(phone)
    person.save()
    PartyMember.objects.create(person=person, admission_date=admission_date, full_membership_date=full_membership_date)
    Membership.objects.create(person=person, organization=organization, start_date=admission_date,
                              occupation=occupation, front_line=front_line)
    return person


# --- helpers ---------------------------------------------------------------------------------------------
def _org_problems(org: PartyOrganization, start_date: dt.date) -> list[Problem]:
    return validators.validate_membership_start(
        org_name=org.name, org_type=org.org_type, org_status=org.status, founded_date=org.founded_date,
        dissolved_date=org.dissolved_date, start_date=start_date)


def _occupation(raw, problems: list[Problem], *, organization: PartyOrganization, front_line=None,
                previous: Membership | None = None) -> dict:
    """The 工作岗位 fields of a membership (``party.occupations.clean_occupation``: 年报 row, 单位所有制 — from
    the organization's unit when the value does not say it —, 农民工 / 外出务工经商人员, 一线类别)."""
    return clean_occupation(raw, problems, organization=organization, front_line=front_line,
                            previous=occupation_fields_of(previous) if previous is not None else None)


def _party_dates(values: dict, birth_date: dt.date | None, problems: list[Problem], *,
                 today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """入党日期 (required) and 转正日期 with the admission-age and probation rules (blocking)."""
    admission = parse_day(values.get("admission_date"), "入党日期", problems, required=True, today=today)
    full = parse_day(values.get("full_membership_date"), "转正日期", problems, required=False, today=today)
    problems += validators.validate_admission(birth_date, admission)
    problems += validators.validate_full_membership(admission, full)
    return admission, full


def _open_membership(*, user, person_id: int, action: str = "change") -> Membership:
    """The person's open membership if in ``user``'s ``party.<action>`` scope, else ``OutOfScope``."""
    membership = (Membership.objects.restrict(user, action).select_related("organization", "person")
                  .filter(person_id=person_id, end_date__isnull=True).first())
    if membership is None:
        raise OutOfScope("该党员不存在、没有未结束的组织关系或不在您的数据范围内。")
    return membership


def _check_version(obj, expected_version: int | None) -> None:
    if expected_version is not None and int(expected_version) != obj.version:
        raise ConcurrentEdit(record=obj)


# --- 新增党员 ----------------------------------------------------------------------------------------------
def member_create(*, user, organization_id: int, name: str, sex: str, ethnicity: str, birth_date, id_number: str,
                  education_level: str, admission_date, full_membership_date=None, occupation: str | dict,
                  front_line: bool | None = None, start_date=None, work_start_date=None, phone: str = "",
                  category: str | None = None, taiwan_origin=False, title_level: str = "",
                  entry_kind: str | None = None, entry_detail: str = "",
                  entry_counterpart: str = "", today: dt.date | None = None) -> Person:
    """新增党员: a new ``Person`` (political status 01 中共党员 with a 转正日期, else 02 中共预备党员) with
    its ``PartyMember`` (入党日期, 转正日期) and an open ``Membership`` of ``organization_id`` from
    ``start_date`` (default: the 入党日期) with ``occupation`` (工作岗位: a text — 年报 row, 公报 category, code,
    ``非公有制单位·企业管理人员``, ``农民工`` — or a dict of the fields, ``party.occupations.clean_occupation``;
    单位所有制 from the organization's unit when not given) and ``front_line``. Dates as ``dt.date`` or text. ``category`` (``"full"``/``"probationary"``, optional):
    checked against the 转正日期 as in the roster import (a 正式党员 needs one, a 预备党员 has none).
    ``taiwan_origin`` / ``title_level``: 台湾省籍 and 专业技术职务等级 (``people.services.clean_person_fields``).

    Requires ``basic.add`` and ``party.add`` on the organization (else ``OutOfScope``, 404). Raises
    ``ValidationFailed`` (every problem by field, nothing written): the person's fields as
    ``people.services.person_create`` (ID number vs 出生日期/性别, GB 11643; oracle for numbers held
    elsewhere); 入党 before 18 (《党章》第一条); 转正 not after 入党 or less than a year after it
    (《党章》第七条); a membership starting before the organization was founded or after it was dissolved,
    or in a 党小组/党组. Audited: change log of the three rows, ``person_create`` and ``membership_start``.

    ``entry_kind`` (issue #10): how the member enters — ``None``: the opening balance (a member before
    Zugong, no event, as before); ``"admission"`` 发展党员 (``entry_detail="readmission"``: 重新入党), dated
    the 入党日期 (the membership starts that day; a 转正日期 given too is recorded as a 按期转正 event);
    ``"transfer_in"`` 转入组织关系 (``entry_detail="whole_unit"``: 整建制; ``entry_counterpart``: the
    organization outside Zugong it comes from) or ``"reinstatement"`` 恢复党籍 (``"after_suspension"``),
    dated ``start_date`` (default the 入党日期). The event goes through ``lifecycle.check_event`` (its
    problems are listed with the others; the history before Zugong is not on record, so a 恢复党籍 or
    重新入党 of a new person is not refused for want of an earlier 出党) and ``lifecycle.apply_event``
    writes the membership; a ``membership_event`` audit event follows."""
    today = today or timezone.localdate()
    values = dict(name=name, sex=sex, ethnicity=ethnicity, birth_date=birth_date, id_number=id_number,
                  education_level=education_level, work_start_date=work_start_date, phone=phone,
                  taiwan_origin=taiwan_origin, title_level=title_level)
    party: dict = {}

    def party_checks(fields, org) -> list[Problem]:
        problems: list[Problem] = []
        # the birth date as given (as the roster import does), else the one the ID number encodes
        birth = fields.birth_date if fields else parse_day(birth_date, "出生日期", [], required=False, today=today)
        if birth is None:
            try:
                birth = idnumber.parse(id_number, accept_bad_checksum=True).birth_date
            except idnumber.IdNumberError:
                birth = None
        admission, full = _party_dates({"admission_date": admission_date, "full_membership_date": full_membership_date},
                                       birth, problems, today=today)
        if category is not None:
            problems += validators.validate_category(category, full, full_date_given=full_membership_date not in (None, "")
                                                     and full is None)
        start = parse_day(start_date, "起始日期", problems, required=False, today=today) or admission
        if admission and start and start < admission:
            problems.append(Problem("起始日期", f"组织关系起始日期 {start.isoformat()} 早于入党日期 {admission.isoformat()}"))
        if start and entry_kind is None:
            problems += _org_problems(org, start)
        party.update(admission=admission, full=full, start=start,
                     occupation=_occupation(occupation, problems, organization=org, front_line=front_line))
        if entry_kind is not None and admission and start and not problems:
            problems += _entry_problems(fields, org, admission, full, start)
        return problems

    def _entry_problems(fields, org, admission, full, start) -> list[Problem]:
        problems: list[Problem] = []
        kind = EVENT_KIND.parse(entry_kind) if entry_kind else None
        if kind not in INCREASE_KINDS:
            return [Problem("进入类型", f"无法识别的进入类型「{entry_kind}」（可选：发展党员、转入组织关系、恢复党籍）")]
        detail = EVENT_DETAIL.parse(entry_detail) if entry_detail else ""
        if detail is None:
            return [Problem("变动情形", f"无法识别的变动情形「{entry_detail}」")]
        day = admission if kind == "admission" else start
        if kind == "admission" and start != admission:
            problems.append(Problem("起始日期", "发展党员的组织关系自入党日期（支部大会通过之日）起"))
        state = lifecycle.MemberState(name=name, birth_date=fields.birth_date if fields else None,
                                      admission_date=None if kind == "admission" else admission,
                                      full_membership_date=None if kind == "admission" else full)
        # the form's and the roster's name for the receiving organization
        problems += [Problem("所在党组织", p.reason, p.source) if p.field == "党组织" else p
                     for p in lifecycle.check_event(state, kind=kind, detail=detail, date=day, to_organization=org,
                                                    today=today)]
        if kind == "admission" and full and not problems:
            after = state.after(kind=kind, detail=detail, date=day, to_organization_id=org.pk)
            problems += [Problem("转正日期", p.reason, p.source) for p in lifecycle.check_event(
                after, kind="full_membership", detail="on_time", date=full, today=today)]
        party.update(entry=(kind, detail, day))
        return problems

    values["political_status"] = "01" if full_membership_date else "02"
    org, fields = check_new_person(user=user, organization_id=organization_id, values=values, context="新增党员",
                                   labels=("basic", "party"), more_checks=party_checks, today=today)
    with transaction.atomic():
        person = insert_person(user=user, organization=org, fields=fields)
        PartyMember.objects.create(person=person, admission_date=party["admission"],
                                   full_membership_date=party["full"])
        if entry_kind is None:
            membership = Membership.objects.create(person=person, organization=org, start_date=party["start"],
                                                   **party["occupation"])
        else:
            kind, detail, day = party["entry"]
            event = MembershipEvent.objects.create(
                person=person, kind=kind, detail=detail, date=day, organization=org, to_organization=org,
                counterpart=(entry_counterpart or "").strip()[:200])
            membership = lifecycle.apply_event(event, occupation=party["occupation"])
            _event_audit(user, event, person)
            if kind == "admission" and party["full"]:
                # the 转正日期 is already on the party record (written above); the event records the decision
                full_event = MembershipEvent.objects.create(
                    person=person, kind="full_membership", detail="on_time", date=party["full"], organization=org,
                    from_organization=org)
                _event_audit(user, full_event, person)
        _event_start(user, membership)
    return person


def _event_start(user, membership: Membership) -> None:
    record_event("membership_start", user=user, object_type="party.membership", object_id=membership.pk,
                 summary=f"人员 #{membership.person_id} 自 {membership.start_date.isoformat()} 编入「{membership.organization.name}」",
                 data={"person": membership.person_id, "organization": membership.organization.code,
                       "start_date": membership.start_date})


# --- 编入党组织 --------------------------------------------------------------------------------------------
@transaction.atomic
def membership_start(*, user, person_id: int, organization_id: int, start_date, occupation: str | dict,
                     front_line: bool | None = None, admission_date=None, full_membership_date=None,
                     today: dt.date | None = None) -> Membership:
    """编入党组织: open a membership of ``organization_id`` from ``start_date`` for person ``person_id``,
    creating the ``PartyMember`` (``admission_date`` required then, ``full_membership_date`` optional) if
    the person has none. Returns the new ``Membership``.

    Requires ``basic.view`` on the person and ``party.add`` on the organization (else ``OutOfScope``).
    Raises ``ValidationFailed`` for: an open membership already recorded (at most one per person — use
    ``membership_transfer``), a start before the last recorded period, a start before the organization
    was founded or after it was dissolved, a 党小组/党组, the admission rules (《党章》第一条、第七条).
    Audited (change log, ``membership_start``)."""
    today = today or timezone.localdate()
    person = Person.objects.restrict(user, "view").filter(pk=person_id).first()
    if person is None:
        raise OutOfScope()
    org = target_organization(user=user, organization_id=organization_id, label="party")
    problems: list[Problem] = []
    start = parse_day(start_date, "起始日期", problems, required=True, today=today)
    fields = _occupation(occupation, problems, organization=org, front_line=front_line)
    member = PartyMember.objects.filter(pk=person.pk).first()
    admission = full = None
    if member is None:
        admission, full = _party_dates({"admission_date": admission_date, "full_membership_date": full_membership_date},
                                       person.birth_date, problems, today=today)
    else:
        admission = member.admission_date
    if start:
        if admission and start < admission:
            problems.append(Problem("起始日期", f"组织关系起始日期 {start.isoformat()} 早于入党日期 {admission.isoformat()}"))
        problems += _org_problems(org, start)
        periods = list(Membership.objects.select_for_update().filter(person_id=person.pk)
                       .values_list("start_date", "end_date"))
        problems += validators.validate_open_membership(periods, start_date=start)
    raise_problems(problems)
    if member is None:
        PartyMember.objects.create(person=person, admission_date=admission, full_membership_date=full)
        if person.political_status not in ("01", "02"):
            person.political_status = "01" if full else "02"
            save_with_version(person, person.version, ["political_status"])
    membership = Membership.objects.create(person=person, organization=org, start_date=start, **fields)
    _event_start(user, membership)
    return membership


# --- 转正 -----------------------------------------------------------------------------------------------
@transaction.atomic
def membership_change_category(*, user, person_id: int, full_membership_date, expected_version: int,
                               today: dt.date | None = None) -> PartyMember:
    """转正: the probationary member ``person_id`` becomes a full member on ``full_membership_date``
    and a ``full_membership`` event records it (按期转正; 延长预备期后转正 / 推迟讨论后转正 when an extension /
    postponement is on record — ``lifecycle.check_event``'s guards apply: e.g. not before the extended
    probation ends, not before the latest recorded event). Since issue #10 the 转正 page of the person
    offers every outcome (``event_record``); this service stays for the API's ``full-membership/`` action
    (``dt.date`` or text; 党龄 counts from it). ``expected_version``: the ``PartyMember.version`` the editor
    loaded. The person's political status becomes 01 中共党员.

    Requires ``party.change`` on the member (else ``OutOfScope``). Raises ``ValidationFailed`` when the
    member is already full, the date is missing, in the future, not after 入党日期, or less than one year
    after it (预备期为一年，《中国共产党章程》第七条); ``ConcurrentEdit`` when the record changed since it
    was loaded. Audited (change log, ``membership_change_category``)."""
    today = today or timezone.localdate()
    member = PartyMember.objects.restrict(user, "change").select_related("person").filter(pk=person_id).first()
    if member is None:
        raise OutOfScope()
    _check_version(member, expected_version)
    problems: list[Problem] = []
    if member.full_membership_date is not None:
        problems.append(Problem("转正日期", f"该党员已于 {member.full_membership_date.isoformat()} 转为正式党员"))
    day = parse_day(full_membership_date, "转正日期", problems, required=True, today=today)
    problems += validators.validate_full_membership(member.admission_date, day)
    state = lifecycle.load_states([member.pk])[member.pk]
    outcome = "after_extension" if state.extension else "after_postponement" if state.postponement else "on_time"
    if not problems:
        problems += [Problem("转正日期", p.reason, p.source) for p in lifecycle.check_event(
            state, kind="full_membership", detail=outcome, date=day, today=today)]
    raise_problems(problems)
    member.full_membership_date = day
    save_with_version(member, expected_version, ["full_membership_date"])
    person = member.person
    if person.political_status != "01":
        person.political_status = "01"
        save_with_version(person, person.version, ["political_status"])
    org_id = state.member_on(day).organization_id
    event = MembershipEvent.objects.create(person_id=member.pk, kind="full_membership", detail=outcome, date=day,
                                           organization_id=org_id, from_organization_id=org_id)
    _event_audit(user, event, person)
    record_event("membership_change_category", user=user, object_type="party.partymember", object_id=member.pk,
                 summary=f"人员 #{member.pk} 于 {day.isoformat()} 转为正式党员",
                 data={"person": member.pk, "full_membership_date": day})
    return member


# --- 结束组织关系 ------------------------------------------------------------------------------------------
@transaction.atomic
def membership_end(*, user, person_id: int, end_date, reason: str, expected_version: int,
                   today: dt.date | None = None) -> Membership:
    """结束组织关系: the open membership of ``person_id`` ends on ``end_date`` (exclusive: the member is
    on the rosters up to the day before) for ``reason`` (a key of ``END_REASONS``: 去世, 退党, 开除党籍,
    除名, 取消预备党员资格, 更正, 停止党籍). ``expected_version``: the open ``Membership.version`` loaded.
    Issue #10: the decrease is also recorded as a ``MembershipEvent`` (``END_REASON_EVENT``; 更正 records
    none) after ``lifecycle.check_event``'s guards (e.g. not before the latest recorded event, 取消预备党员资格
    not for a full member); a 出党 sets 政治面貌 13 群众 (``POLITICAL_STATUS_AFTER_EXIT``).

    Requires ``party.change`` on the membership's organization (else ``OutOfScope``). Raises
    ``ValidationFailed`` for an unknown reason, a date before the start or after today; ``ConcurrentEdit``
    for a stale version. Audited (change log, ``membership_end``)."""
    today = today or timezone.localdate()
    membership = _open_membership(user=user, person_id=person_id)
    _check_version(membership, expected_version)
    problems: list[Problem] = []
    if reason not in END_REASONS:
        problems.append(Problem("离开原因", "请选择离开原因" if not reason else f"无法识别的离开原因「{reason}」"))
    day = parse_day(end_date, "截止日期", problems, required=True, today=today)
    if day:
        problems += validators.validate_end(membership.start_date, day, today=today)
    state = lifecycle.load_states([person_id])[person_id]
    kind, detail = END_REASON_EVENT.get(reason, ("", ""))
    if kind and not problems:
        problems += [Problem("截止日期" if p.field == "变动日期" else "离开原因", p.reason, p.source)
                     for p in lifecycle.check_event(state, kind=kind, detail=detail, date=day, today=today)]
    raise_problems(problems)
    membership.end_date, membership.end_reason = day, reason
    save_with_version(membership, expected_version, ["end_date", "end_reason"])
    if kind:
        event = MembershipEvent.objects.create(person_id=person_id, kind=kind, detail=detail, date=day,
                                               organization_id=membership.organization_id,
                                               from_organization_id=membership.organization_id)
        person = membership.person
        if kind == "exit" and person.political_status != POLITICAL_STATUS_AFTER_EXIT:
            person.political_status = POLITICAL_STATUS_AFTER_EXIT
            save_with_version(person, person.version, ["political_status"])
        _event_audit(user, event, person)
    record_event("membership_end", user=user, object_type="party.membership", object_id=membership.pk,
                 summary=f"人员 #{person_id} 的组织关系于 {day.isoformat()} 结束（{END_REASONS[reason]}）",
                 data={"person": person_id, "organization": membership.organization.code, "end_date": day,
                       "reason": reason})
    return membership


# --- 组织关系转接 ------------------------------------------------------------------------------------------
@transaction.atomic
def membership_transfer(*, user, person_id: int, to_organization_id: int, date, expected_version: int,
                        occupation: str | dict | None = None, front_line: bool | None = None,
                        today: dt.date | None = None) -> Membership:
    """组织关系转接 within the caller's scope: the open membership of ``person_id`` ends on ``date``
    (``end_reason="transfer"``) and a membership of ``to_organization_id`` opens on ``date`` (keeping
    工作岗位 — with its 年报 row, 单位所有制, flags and 一线类别 — and 生产工作一线 unless ``occupation``/
    ``front_line`` are given: ``party.occupations.clean_occupation`` with the current period as ``previous``); the person's scope anchor
    moves to the target. Rosters as of any day before ``date`` are unchanged (effective dating).
    ``expected_version``: the open ``Membership.version`` loaded. Returns the new membership.

    Requires ``party.change`` on both organizations (else ``OutOfScope``; across scopes, with acceptance
    by the receiving side, is issue #10). Raises ``ValidationFailed`` when the target is the current
    organization, a 党小组/党组, not yet founded or already dissolved on ``date``, or ``date`` is before the
    current membership's start or after today, or ``lifecycle.check_event``'s guards refuse it (e.g. a date
    before the latest recorded event); ``ConcurrentEdit`` for a stale version. Audited (change log,
    ``membership_transfer``, and a ``transfer`` ``MembershipEvent`` — issue #10 — with its
    ``membership_event`` audit event)."""
    today = today or timezone.localdate()
    current = _open_membership(user=user, person_id=person_id)
    target = target_organization(user=user, organization_id=to_organization_id, label="party", action="change")
    _check_version(current, expected_version)
    problems: list[Problem] = []
    day = parse_day(date, "转接日期", problems, required=True, today=today)
    # unchanged unless given; the 年报 row stays with a category picked again (clean_occupation)
    fields = _occupation(occupation, problems, organization=target, front_line=front_line, previous=current)
    if target.pk == current.organization_id:
        problems.append(Problem("转入党组织", "转入党组织与现所在党组织相同"))
    if day:
        if day < current.start_date:
            problems.append(Problem("转接日期", f"转接日期 {day.isoformat()} 早于现组织关系的起始日期 "
                                               f"{current.start_date.isoformat()}"))
        problems += [Problem("转入党组织", p.reason, p.source) for p in _org_problems(target, day)]
    if day and not problems:
        state = lifecycle.load_states([person_id])[person_id]
        problems += [Problem("转接日期" if p.field == "变动日期" else "转入党组织", p.reason, p.source)
                     for p in lifecycle.check_event(state, kind="transfer", detail="", date=day, to_organization=target,
                                                    today=today)]
    raise_problems(problems)
    current.end_date, current.end_reason = day, "transfer"
    save_with_version(current, expected_version, ["end_date", "end_reason"])
    # The successor continues the closed period's version: a stale form or API call carrying the version
    # read before this transfer is then a 409, not a second transfer of the person's new membership.
    new = Membership.objects.create(person_id=person_id, organization=target, start_date=day, **fields,
                                    version=expected_version + 1)
    person = current.person
    if person.organization_id != target.pk:
        person.organization = target
        save_with_version(person, person.version, ["organization"])
    record_event("membership_transfer", user=user, object_type="party.membership", object_id=new.pk,
                 summary=f"人员 #{person_id} 的组织关系于 {day.isoformat()} 由「{current.organization.name}」转入「{target.name}」",
                 data={"person": person_id, "from": current.organization.code, "to": target.code, "date": day})
    event = MembershipEvent.objects.create(person_id=person_id, kind="transfer", date=day, organization=target,
                                           from_organization_id=current.organization_id, to_organization=target)
    _event_audit(user, event, person)
    return new


@dataclass(frozen=True)
class TransferMove:
    """One move of ``membership_transfer_bulk``: close ``membership`` (a loaded open membership) and open
    one of ``to_organization_id`` for its person. ``row``: the caller's row number for errors (0: none).
    ``occupation_detail``: the 年报 row of the new period (``Membership.occupation_detail``, may be blank);
    ``more``: the other 年报 fields of the new period (``ownership``, ``migrant_worker``, ``migrant_business``,
    ``front_line_kind``; missing ones take the model defaults)."""

    membership: Membership
    to_organization_id: int
    occupation: str
    front_line: bool
    row: int = 0
    occupation_detail: str = ""
    more: dict = field(default_factory=dict)


def membership_transfer_bulk(*, user, moves: list[TransferMove], date: dt.date, summary: str, action: str = "change",
                             now: dt.datetime | None = None, data: dict | None = None) -> list[Membership]:
    """组织关系转接 in bulk (the roster import; run inside the caller's transaction, which it joins
    atomically): each open ``membership`` ends on ``date`` (``end_reason="transfer"``, version bumped) and a
    membership of ``to_organization_id`` opens on ``date``; rosters before ``date`` are unchanged.
    The caller has checked the memberships' versions (``select_for_update``); the people's scope anchor is
    the caller's (the import updates people in bulk).

    Requires ``party.<action>`` on every target organization; every target must exist on ``date``
    (founded, not dissolved; ``party.validators.validate_membership_start``) — else ``ValidationFailed``
    with one ``RowError`` per move (``row``, 「所在党组织」). One query for the targets, one bulk update,
    two bulk inserts (the memberships and, issue #10, one ``transfer`` ``MembershipEvent`` per move dated
    ``date``); the change log gets one event per table and action (``summary``, ``data``). The event
    guards (``lifecycle.check_event``) are the caller's (the importer checks its rows in bulk).
    Returns the new memberships."""
    if not moves:
        return []
    now = now or timezone.now()
    with transaction.atomic():
        target_ids = {m.to_organization_id for m in moves}
        targets = {o.pk: o for o in PartyOrganization.objects.restrict(user, action, label="party")
                   .filter(pk__in=sorted(target_ids))
                   .only("id", "code", "name", "org_type", "status", "founded_date", "dissolved_date", "path")}
        problems_of = {pk: _org_problems(org, date) for pk, org in targets.items()}
        errors = []
        for move in moves:
            org = targets.get(move.to_organization_id)
            if org is None:
                errors.append(RowError(move.row, "所在党组织", "所在党组织不存在或不在您的管理范围内"))
            else:
                errors += [RowError(move.row, "所在党组织", p.reason) for p in problems_of[org.pk]]
        if errors:
            raise ValidationFailed(errors)
        closed = []
        for move in moves:
            m = move.membership
            m.end_date = max(date, m.start_date)
            m.end_reason = "transfer"
            if not getattr(m, "_zugong_touched", False):
                m.version += 1
                m._zugong_touched = True
            m.updated_at = now
            closed.append(m)
        Membership.objects.bulk_update(closed, ["end_date", "end_reason", "version", "updated_at"], batch_size=500)
        opened = Membership.objects.bulk_create(
            [Membership(person_id=move.membership.person_id, organization_id=move.to_organization_id, start_date=date,
                        occupation=move.occupation, occupation_detail=move.occupation_detail,
                        front_line=bool(move.front_line), **move.more,
                        version=move.membership.version)  # continues the closed period's (bumped) version
             for move in moves],
            batch_size=2000)
        events = MembershipEvent.objects.bulk_create(
            [MembershipEvent(person_id=move.membership.person_id, kind="transfer", date=date,
                             organization_id=move.to_organization_id,
                             from_organization_id=move.membership.organization_id,
                             to_organization_id=move.to_organization_id) for move in moves],
            batch_size=2000)
        extra = {**(data or {}), "end_reason": "transfer", "date": date}
        log_bulk_change(Membership, len(closed), summary, action="bulk_update", data=extra)
        log_bulk_change(Membership, len(opened), summary, action="bulk_create", data=extra)
        log_bulk_change(MembershipEvent, len(events), summary, action="bulk_create", data=extra)
    return opened


# --- 党员变动 (issue #10) -----------------------------------------------------------------------------------
EVENT_AUDIT_KIND = "membership_event"
"""``AuditEvent.kind`` of every recorded ``MembershipEvent``."""

POLITICAL_STATUS_AFTER_EXIT = "13"
"""政治面貌 after 出党: 13 群众 (GB/T 4762). After 停止党籍, 死亡 and 转出 it is left as it was: a
suspended member's 党籍 may be restored, a deceased member died a member, and a member transferred out
is still a member elsewhere."""


def _months(raw, problems: list[Problem]) -> int | None:
    """延长预备期 in months: a number, ``N个月``, ``半年`` (6) or ``一年`` (12)."""
    if raw in (None, ""):
        return None
    if isinstance(raw, int):
        return raw
    text = str(raw).strip().replace("个月", "").replace("月", "")
    named = {"半年": 6, "一年": 12, "1年": 12}
    if text in named:
        return named[text]
    try:
        return int(float(text))
    except ValueError:
        problems.append(Problem("延长预备期", f"无法识别的延长时间「{raw}」（填写月数，如 6 或 12）"))
        return None


def _event_anchor(state: lifecycle.MemberState, day: dt.date | None, person: Person) -> int | None:
    """The organization whose ``party.change`` a decrease / 转正 / transfer on ``day`` needs: the membership
    in force that day, else the open one, else the latest, else the person's organization."""
    period = (state.member_on(day) if day else None) or state.current
    if period is None and state.periods:
        period = max(state.periods, key=lambda p: p.start)
    return period.organization_id if period else person.organization_id


@transaction.atomic
def event_record(*, user, person_id: int, kind: str, date, detail: str = "", to_organization_id: int | None = None,
                 counterpart: str = "", reason_category: str = "", reason: str = "", unreachable: bool = False,
                 extension_months=None, document_number: str = "", note: str = "", occupation: dict | None = None,
                 expected_version: int | None = None, today: dt.date | None = None) -> MembershipEvent:
    """Record one 党员变动 (``MembershipEvent``) of person ``person_id`` and write the periods that follow
    (``lifecycle.apply_event``). Returns the saved event.

    - ``kind``: ``EVENT_KIND`` code or label (发展党员, 恢复党籍, 转入组织关系, 出党, 停止党籍, 死亡, 转出组织关系,
      组织关系转接, 转正); ``detail``: its ``DETAILS_OF_KIND`` value (code or label: 重新入党, 停止党籍后恢复党籍,
      整建制, the 出党方式 of 第十表, the 转正情况); ``date``: the effective day (``dt.date`` or text).
    - ``to_organization_id``: the receiving organization of an increase or of a transfer in Zugong.
    - ``counterpart``: 对方党组织 outside Zugong (required for 转入组织关系 / 转出组织关系); ``reason_category``
      (``EXIT_REASON``, 第十一表) and ``unreachable`` (经多方查找确实无法取得联系, only with 自行脱党除名) for
      出党; ``reason``, ``document_number`` (文号), ``note``; ``extension_months`` (延长预备期: 6–12, also
      ``半年``/``一年``/``N个月``); ``occupation``: ``lifecycle.OCCUPATION_FIELDS`` values of a period opened.
    - ``expected_version``: the ``Person.version`` the form/API client loaded (each event bumps it and
      writes a change-log line 「党员变动」 on the person, so a 409 names who recorded what), else no check.

    Effects beyond the periods: 发展党员 writes the ``PartyMember`` (入党日期 = ``date``; 重新入党 replaces the
    earlier 入党日期 and clears the 转正日期: 党龄 counts anew), closes the person's open 发展党员 record and
    sets 政治面貌 02; 恢复党籍 sets 政治面貌 back to 01/02; 出党 sets 政治面貌 13 群众
    (``POLITICAL_STATUS_AFTER_EXIT``); a full-member 转正 outcome sets the 转正日期 and 01.

    Scope: 组织关系转接 needs ``party.change`` on both organizations; the other increases ``party.add`` on the
    receiving organization and the person visible; decreases and 转正 ``party.change`` on the organization
    of the membership in force on ``date`` — else ``OutOfScope`` (404). Raises ``ValidationFailed`` listing
    every problem by field (``lifecycle.check_event``'s guards with their articles, and the fields of
    this call), nothing written; ``ConcurrentEdit`` for a stale ``expected_version``. Audited: the change
    log of every row and a ``membership_event`` domain event."""
    today = today or timezone.localdate()
    problems: list[Problem] = []
    kind_code = parse_code(EVENT_KIND, kind, "变动类型", problems, required=True)
    if problems:
        raise_problems(problems)
    person = Person.objects.restrict(user, "view").select_for_update().filter(pk=person_id).first()
    if person is None:
        raise OutOfScope("人员不存在或不在您的数据范围内。")
    day = parse_day(date, "变动日期", problems, required=True, today=today)
    state = lifecycle.load_states([person.pk])[person.pk]

    # scope
    target = None
    if kind_code in INCREASE_KINDS:
        if to_organization_id not in (None, ""):
            target = target_organization(user=user, organization_id=int(to_organization_id), label="party")
    else:
        anchor = _event_anchor(state, day, person)
        if anchor is None or not PartyOrganization.objects.restrict(user, "change", label="party").filter(pk=anchor).exists():
            raise OutOfScope("该党员不存在或不在您的数据范围内。")
        if kind_code == "transfer" and to_organization_id not in (None, ""):
            target = target_organization(user=user, organization_id=int(to_organization_id), label="party",
                                         action="change")
    if expected_version not in (None, "") and int(expected_version) != person.version:
        raise ConcurrentEdit(record=person)

    # fields of this call
    detail_code = ""
    if detail not in (None, ""):
        detail_code = EVENT_DETAIL.parse(detail)
        if detail_code is None:
            problems.append(Problem("变动情形", f"无法识别的变动情形「{detail}」"))
    months = _months(extension_months, problems)
    category = parse_code(EXIT_REASON, reason_category, "出党原因", problems)
    counterpart = (counterpart or "").strip()
    if kind_code in ("transfer_in", "transfer_out") and not counterpart:
        problems.append(Problem("对方党组织", f"{EVENT_KIND.label(kind_code)}须填写对方党组织（系统外的"
                                              f"{'转入来源' if kind_code == 'transfer_in' else '转出去向'}）"))
    if to_organization_id not in (None, "") and kind_code not in (*INCREASE_KINDS, "transfer"):
        problems.append(Problem("党组织", f"{EVENT_KIND.label(kind_code)}不填写接收党组织（只有发展党员、恢复党籍、"
                                          "转入和组织关系转接需要）"))
    if category and kind_code != "exit":
        problems.append(Problem("出党原因", "只有出党需要填写出党原因"))
    if unreachable and not (kind_code == "exit" and detail_code == "lapsed_removed"):
        problems.append(Problem("经多方查找确实无法取得联系", "只适用于自行脱党除名"))
    for name, value, limit in (("原因", reason, 500), ("文号", document_number, 100), ("备注", note, 500),
                               ("对方党组织", counterpart, 200)):
        if value and len(str(value)) > limit:
            problems.append(Problem(name, f"不能超过 {limit} 个字"))
    occupation_fields = None
    if occupation not in (None, "", {}) and kind_code in (*INCREASE_KINDS, "transfer"):
        # the 工作岗位 of the period the event opens: checked as on the member forms (年报 row, 单位所有制 from
        # the receiving organization's unit), what it does not say kept from the latest period
        latest = Membership.objects.filter(person_id=person.pk).order_by("-start_date", "-pk").first()
        occupation_fields = clean_occupation(occupation, problems, organization=target,
                                             previous=occupation_fields_of(latest) if latest is not None else None)
    if day is not None and detail_code is not None and not problems:
        problems += lifecycle.check_event(state, kind=kind_code, detail=detail_code, date=day, to_organization=target,
                                          extension_months=months, today=today)
    raise_problems(problems)

    # write
    in_force = state.member_on(day)
    from_id = None if kind_code in INCREASE_KINDS else (in_force.organization_id if in_force else None)
    to_id = target.pk if target is not None else None
    event = MembershipEvent.objects.create(
        person=person, kind=kind_code, detail=detail_code, date=day, organization_id=to_id or from_id,
        from_organization_id=from_id, to_organization_id=to_id, counterpart=counterpart, reason_category=category,
        reason=(reason or "").strip(), unreachable=bool(unreachable), extension_months=months,
        document_number=(document_number or "").strip(), note=(note or "").strip())
    status = person.political_status
    if kind_code == "admission":
        member = PartyMember.objects.filter(pk=person.pk).first()
        if member is None:
            PartyMember.objects.create(person=person, admission_date=day)
        else:
            member.admission_date, member.full_membership_date = day, None
            save_with_version(member, member.version, ["admission_date", "full_membership_date"])
        for record in DevelopmentRecord.objects.filter(person=person, admission_date__isnull=True,
                                                       closed_date__isnull=True):
            record.admission_date = day
            save_with_version(record, record.version, ["admission_date"])
        status = "02"
    elif kind_code == "reinstatement":
        status = "01" if state.full_membership_date else "02"
    elif kind_code == "exit":
        status = POLITICAL_STATUS_AFTER_EXIT
    elif kind_code == "full_membership" and detail_code in FULL_OUTCOMES:
        status = "01"
    if status != person.political_status:
        person.political_status = status
        save_with_version(person, person.version, ["political_status"])
    else:  # every event bumps the person's version (the page's and the API's expected_version)
        Person.objects.filter(pk=person.pk).update(version=F("version") + 1)
    # the person's change log names the event, so a 409 on a stale version says who recorded what
    record_event("change", user=user, object_type="people.person", object_id=person.pk,
                 summary=f"人员 #{person.pk} 登记党员变动",
                 data={"model": "people.person", "action": "update",
                       "changes": {"党员变动": ["", f"{day.isoformat()} {_event_text(event)}"]}})
    lifecycle.apply_event(event, occupation=occupation_fields)
    _event_audit(user, event, person)
    return event


def _event_text(event) -> str:
    """「出党（开除党籍）」: the kind and its detail as the pages show them."""
    return EVENT_KIND.label(event.kind) + (f"（{EVENT_DETAIL.label(event.detail)}）" if event.detail else "")


def _event_audit(user, event, person: Person) -> None:
    text = _event_text(event)
    record_event(EVENT_AUDIT_KIND, user=user, object_type="party.membershipevent", object_id=event.pk,
                 summary=f"人员 #{person.pk} {event.date.isoformat()} {text}",
                 data={"person": person.pk, "kind": event.kind, "detail": event.detail, "date": event.date,
                       "from": event.from_organization_id, "to": event.to_organization_id})


def admit(*, user, person_id: int, to_organization_id: int, date, readmission: bool = False, **more) -> MembershipEvent:
    """发展党员 (``readmission``: 重新入党) — ``event_record`` with ``kind="admission"``."""
    return event_record(user=user, person_id=person_id, kind="admission", detail="readmission" if readmission else "",
                        to_organization_id=to_organization_id, date=date, **more)


def reinstate(*, user, person_id: int, to_organization_id: int, date, after_suspension: bool = False,
              **more) -> MembershipEvent:
    """恢复党籍 (``after_suspension``: 停止党籍后恢复党籍) — ``event_record`` with ``kind="reinstatement"``."""
    return event_record(user=user, person_id=person_id, kind="reinstatement",
                        detail="after_suspension" if after_suspension else "", to_organization_id=to_organization_id,
                        date=date, **more)


def exit_record(*, user, person_id: int, exit_kind: str, date, **more) -> MembershipEvent:
    """出党 with its 出党方式 ``exit_kind`` (第十表) — ``event_record`` with ``kind="exit"``."""
    return event_record(user=user, person_id=person_id, kind="exit", detail=exit_kind, date=date, **more)


def suspend(*, user, person_id: int, date, **more) -> MembershipEvent:
    """停止党籍 — ``event_record`` with ``kind="suspension"``."""
    return event_record(user=user, person_id=person_id, kind="suspension", date=date, **more)


def death_record(*, user, person_id: int, date, **more) -> MembershipEvent:
    """死亡 — ``event_record`` with ``kind="death"`` (not counted from ``date`` on)."""
    return event_record(user=user, person_id=person_id, kind="death", date=date, **more)


def decide_full_membership(*, user, person_id: int, outcome: str, date, extension_months=None,
                           **more) -> MembershipEvent:
    """A 转正 decision (``outcome``: ``FULL_MEMBERSHIP_OUTCOME``) — ``event_record`` with
    ``kind="full_membership"``."""
    return event_record(user=user, person_id=person_id, kind="full_membership", detail=outcome, date=date,
                        extension_months=extension_months, **more)


# --- 撤销党员变动 (issue #10) -------------------------------------------------------------------------------
EVENT_REVOKE_AUDIT_KIND = "membership_event_revoke"
"""``AuditEvent.kind`` of an undone (撤销) ``MembershipEvent``; its data hold the event as it was."""

REVOKE_SOURCE = "《中国共产党党员教育管理工作条例》第五章（党籍和党员组织关系管理）"


def event_revocable(event: MembershipEvent, latest: MembershipEvent | None) -> str:
    """Why ``event`` cannot be undone by ``event_revoke`` on its face (``""``: it may be tried): it is not
    the person's ``latest`` event (by date, then entry), it came from a 组织关系转接 (undone on the transfer
    pages), or it is a 发展党员 (it sets the 入党日期: correct the record instead). Pure: the page shows the
    撤销 button only when this is empty; the service also checks the periods."""
    if latest is None or latest.pk != event.pk:
        return "只能撤销最近一次党员变动"
    if event.transfer_id:
        return "该变动由组织关系转接产生，请在组织关系转接页面撤回或退回"
    if event.kind == "admission":
        return "发展党员确定了入党日期，不能撤销"
    return ""


def _revoke_refuse(column: str, message: str) -> None:
    raise ValidationFailed([RowError(0, column, message)])


@transaction.atomic
def event_revoke(*, user, event_id: int, expected_version: int, reason: str,
                 today: dt.date | None = None) -> MembershipEvent:
    """撤销党员变动: undo the person's latest ``MembershipEvent`` ``event_id`` entered by mistake, reversing
    ``lifecycle.apply_event`` exactly, and delete it. Returns the deleted event (unsaved, ``pk`` kept).

    - ``expected_version``: the ``Person.version`` the page/API client loaded (``ConcurrentEdit`` when
      stale); ``reason``: 撤销原因 (required, ≤ 500 characters); ``today`` is accepted for symmetry with
      ``event_record`` (the undo itself is not dated).
    - Scope: the person visible (``basic.view``) and ``party.change`` on the event's ``organization``
      (the anchor ``event_record`` wrote), else ``OutOfScope`` (404).
    - Refused (``ValidationFailed``, nothing written) unless the event is the person's latest (by date, then
      entry: history is undone from the end), is not linked to a ``MembershipTransfer`` (undone through the
      transfer pages) and is not a 发展党员 (it set the 入党日期: correct the member record instead).
    - Effects: a decrease (出党, 停止党籍, 死亡, 转出) reopens the period it closed (the latest, ended on the
      event's date with the kind as reason; refused when another period started after it); an increase
      (恢复党籍, 转入) deletes the open period it opened on the date (refused when a 党员状态 was registered
      or a 组织关系转接 started in it, or any other row depends on it); 组织关系转接 deletes the new period and
      reopens the previous one (the person's 所属组织 back to it); a full-member 转正 outcome clears the
      转正日期 (only when it is the event's date), other outcomes only go. 政治面貌: 01/02 by the 转正日期 when
      the person is a member after the undo; after an undone 恢复党籍 following 出党, 13 群众; else unchanged.
    - Audited: the person's change log line 「党员变动」 (the event → empty, with the reason), the version
      bumped, and a ``membership_event_revoke`` domain event holding the event's data and the reason.
      Afterwards the stored periods equal ``lifecycle.periods_from_events(opening, remaining events)``."""
    from django.db.models import ProtectedError

    from zugong.party.models import MembershipTransfer, MemberStatus

    event = MembershipEvent.objects.filter(pk=event_id).first() if str(event_id).isdigit() else None
    person = (Person.objects.restrict(user, "view").select_for_update().filter(pk=event.person_id).first()
              if event is not None else None)
    if person is None or not PartyOrganization.objects.restrict(user, "change", label="party").filter(
            pk=event.organization_id).exists():
        raise OutOfScope("该党员变动不存在或不在您的数据范围内。")
    if expected_version in (None, "") or int(expected_version) != person.version:
        raise ConcurrentEdit(record=person)
    reason = (reason or "").strip()
    if not reason:
        _revoke_refuse("撤销原因", "请填写撤销原因（如：登记有误）")
    if len(reason) > 500:
        _revoke_refuse("撤销原因", "不能超过 500 个字")
    who, text = f"「{person.name}」", _event_text(event)
    latest = MembershipEvent.objects.filter(person_id=person.pk).order_by("-date", "-pk").first()
    if latest.pk != event.pk:
        _revoke_refuse("变动日期", f"只能撤销{who}最近一次党员变动（{latest.date.isoformat()} {_event_text(latest)}）；"
                                  f"{event.date.isoformat()} 的{text}之后还有变动，须先撤销其后的变动"
                                  f"（党员变动按时间顺序登记，依据：{REVOKE_SOURCE}）")
    if event.transfer_id:
        _revoke_refuse("组织关系转接", f"{event.date.isoformat()} 的{text}由组织关系转接产生，请在组织关系转接页面"
                                      "撤回或退回，不能在此撤销")
    if event.kind == "admission":
        _revoke_refuse("变动类型", f"发展党员确定了{who}的入党日期，不能撤销；登记有误请更正党员记录（入党日期、组织关系），"
                                  "或联系上级组织部门")

    periods = list(Membership.objects.select_for_update().filter(person_id=person.pk).order_by("start_date", "pk"))
    last = periods[-1] if periods else None
    mismatch = (f"{who}的组织关系记录与 {event.date.isoformat()} 的{text}不一致（{{what}}），不能自动撤销；"
                "请联系上级组织部门更正")
    kind = event.kind
    reopened = deleted = None
    if kind in DECREASE_KINDS:
        closed = [p for p in periods if p.end_date is not None and p.end_date == max(event.date, p.start_date)
                  and p.end_reason == lifecycle.END_REASON_OF_KIND[kind]]
        if not closed:
            _revoke_refuse("组织关系", mismatch.format(what="没有该日结束的组织关系"))
        if closed[-1] is not last or any(p.end_date is None for p in periods):
            _revoke_refuse("组织关系", mismatch.format(
                what=f"{closed[-1].end_date.isoformat()} 之后又有组织关系（自 {last.start_date.isoformat()}）"))
        reopened = closed[-1]
    elif kind in INCREASE_KINDS or kind == "transfer":
        if (last is None or last.end_date is not None or last.start_date != event.date
                or last.organization_id != event.to_organization_id):
            _revoke_refuse("组织关系", mismatch.format(what="该日开始的组织关系已结束或已有其他组织关系"))
        deleted = last
        if kind == "transfer":
            previous = [p for p in periods[:-1] if p.end_date == max(event.date, p.start_date)
                        and p.end_reason == "transfer"]
            if not previous:
                _revoke_refuse("组织关系", mismatch.format(what="没有该日因转接结束的原组织关系"))
            reopened = previous[-1]
        if MemberStatus.objects.filter(person_id=person.pk, start_date__gte=event.date).exists():
            _revoke_refuse("组织关系", f"{who}自 {event.date.isoformat()} 起已登记党员状态（流动党员、失联党员或出国（境）），"
                                      f"请先撤销这些记录再撤销{text}")
        if MembershipTransfer.objects.filter(person_id=person.pk, state="pending").exists():
            _revoke_refuse("组织关系", f"{who}有未办结的组织关系转接，请先撤回或办结后再撤销{text}")

    member = PartyMember.objects.filter(pk=person.pk).first()
    full_date = member.full_membership_date if member is not None else None
    if kind == "full_membership" and event.detail in FULL_OUTCOMES:
        if member is None or member.full_membership_date != event.date:
            _revoke_refuse("转正日期", f"{who}的转正日期（{_day_text(full_date)}）与 {event.date.isoformat()} 的{text}不一致，"
                                      "不能自动撤销；请更正党员记录")
        member.full_membership_date = full_date = None
        save_with_version(member, member.version, ["full_membership_date"])

    # write: the periods back as before the event
    if deleted is not None:
        try:
            with transaction.atomic():
                deleted.delete()
        except ProtectedError:
            _revoke_refuse("组织关系", f"自 {event.date.isoformat()} 起的组织关系已被其他记录引用，不能撤销{text}")
    if reopened is not None:
        reopened.end_date, reopened.end_reason = None, ""
        reopened.version += 1
        reopened.save(update_fields=["end_date", "end_reason", "version", "updated_at"])
    member_after = reopened is not None or any(p.end_date is None for p in periods if p is not deleted)
    fields = []
    if kind == "transfer" or (kind in INCREASE_KINDS and deleted is not None):
        remaining = [p for p in periods if p is not deleted]
        anchor = (reopened or (remaining[-1] if remaining else None))
        if anchor is not None and anchor.organization_id != person.organization_id:
            person.organization_id = anchor.organization_id
            fields.append("organization")
    status = person.political_status
    if member_after and member is not None:
        status = "01" if full_date else "02"
    elif kind == "reinstatement":
        left = max((p for p in periods if p is not deleted and p.end_date is not None),
                   key=lambda p: (p.end_date, p.start_date), default=None)
        if left is not None and left.end_reason in lifecycle.EXIT_END_REASONS:
            status = POLITICAL_STATUS_AFTER_EXIT
    if status != person.political_status:
        person.political_status = status
        fields.append("political_status")
    if fields:
        save_with_version(person, person.version, fields)
    else:
        Person.objects.filter(pk=person.pk).update(version=F("version") + 1)

    data = {"person": person.pk, "kind": event.kind, "detail": event.detail, "date": event.date,
            "organization": event.organization_id, "from": event.from_organization_id,
            "to": event.to_organization_id, "counterpart": event.counterpart,
            "reason_category": event.reason_category, "event_reason": event.reason,
            "unreachable": event.unreachable, "extension_months": event.extension_months,
            "document_number": event.document_number, "note": event.note, "reason": reason}
    record_event("change", user=user, object_type="people.person", object_id=person.pk,
                 summary=f"人员 #{person.pk} 撤销党员变动",
                 data={"model": "people.person", "action": "update",
                       "changes": {"党员变动": [f"{event.date.isoformat()} {text}", f"已撤销（{reason}）"]}})
    event_pk = event.pk
    event.delete()
    event.pk = event_pk
    record_event(EVENT_REVOKE_AUDIT_KIND, user=user, object_type="party.membershipevent", object_id=event_pk,
                 summary=f"人员 #{person.pk} 撤销 {event.date.isoformat()} {text}：{reason}", data=data)
    return event


def _day_text(day: dt.date | None) -> str:
    return day.isoformat() if day else "未填"
