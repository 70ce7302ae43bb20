"""班子成员 (``BranchOfficer``): the services that appoint, end and correct officer posts, and their pure checks.

Services (keyword-only, ``@transaction.atomic``, audited: the change log of the row plus an event):

- ``officer_appoint(*, actor, organization, person, role, start_date, note="")`` → the new post (任职);
- ``officer_end(*, actor, officer, end_date, reason, expected_version=None)`` → the post, ended (离任);
- ``officer_correct(*, actor, officer, expected_version, changes)`` → the post, corrected (更正: 职务, 任职日期,
  离任日期, 备注).

Rules (every refusal is a ``ValidationFailed`` naming its field; nothing is written):

- the organization is a 党支部 / 联合党支部 / 临时党支部, a 党总支 or a 党小组 (the organizations with a 班子 of
  their own; a 党委's members are not recorded here) and lies in ``actor``'s ``party.change`` scope (else
  ``OutOfScope``: it "does not exist");
- the person is a party member of that organization (for a 党小组: of it or of its branch) on the 任职日期 —
  a membership (``party.Membership``) in force that day; the message names the person, the day and the
  organization;
- 任职日期 is given, not in the future and not before the organization was founded; 离任日期 is after the
  任职日期 (``branches_officer_end_after_start``) and not in the future;
- one 书记 in office per organization (``branches_officer_one_open_secretary``; 《中国共产党支部工作条例（试行）》
  第六章: 党支部设书记1名): a second open 书记 is refused naming the sitting one; the same person cannot hold the
  same post twice at once.

The secretary's party standing (党龄 ≥ 1 year, 第二十三条: "一般应当") is not a refusal but a 达标 finding
(``branches.standards``).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone

from zugong.audit.services import record_event
from zugong.branches.choices import OFFICER_ROLE
from zugong.branches.models import BranchOfficer
from zugong.core.concurrency import save_with_version
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import ConcurrentEdit, FieldProblem, OutOfScope, fail
from zugong.orgs.models import PartyOrganization

ORG = "党组织"
PERSON = "人员"
ROLE = "职务"
START = "任职日期"
END = "离任日期"
NOTE = "备注"
REASON = "离任原因"
OFFICER_ORG_TYPES = ("branch", "joint_branch", "temporary_branch", "general_branch", "party_group")
"""Organizations whose 班子成员 are recorded here."""
REGULATION = "《中国共产党支部工作条例（试行）》"
CORRECTABLE = ("role", "start_date", "end_date", "note")


# ----- pure checks (no queries: the services gather the facts) -----------------------------------------


def parse_day(value, field: str, problems: list[FieldProblem], *, today: dt.date, required: bool) -> dt.date | None:
    """``value`` (``dt.date`` or text) as a date; appends a problem under ``field`` for a blank required value,
    an unreadable text or a day after ``today``."""
    try:
        day, _ = parse_date(value)
    except DateParseError as exc:
        problems.append(FieldProblem(field, str(exc)))
        return None
    if day is None:
        if required:
            problems.append(FieldProblem(field, "必填项为空"))
        return None
    if day > today:
        problems.append(FieldProblem(field, f"日期 {day.isoformat()} 晚于今天"))
        return None
    return day


def parse_role(value, problems: list[FieldProblem]) -> str | None:
    """The ``OFFICER_ROLE`` code of ``value`` (code or name, e.g. 书记, 组织委员); a problem when blank or unknown."""
    if value in (None, ""):
        problems.append(FieldProblem(ROLE, "必填项为空"))
        return None
    code = OFFICER_ROLE.parse(value)
    if code is None:
        problems.append(FieldProblem(ROLE, f"无法识别的职务「{value}」（{'、'.join(OFFICER_ROLE.names)}）"))
    return code


def check_organization(organization: PartyOrganization) -> list[FieldProblem]:
    """The organization keeps a 班子 of its own here (``OFFICER_ORG_TYPES``)."""
    if organization.org_type not in OFFICER_ORG_TYPES:
        return [FieldProblem(ORG, f"「{organization.name}」是{organization.org_type_label}，其班子成员不在此登记"
                                  "（此处登记党支部、党总支和党小组的班子成员）")]
    return []


def check_dates(organization: PartyOrganization, start: dt.date | None, end: dt.date | None) -> list[FieldProblem]:
    """任职日期 not before the organization's founding; 离任日期 after 任职日期."""
    problems = []
    if start is not None and organization.founded_date and start < organization.founded_date:
        problems.append(FieldProblem(START, f"任职日期 {start.isoformat()} 早于「{organization.name}」的成立日期 "
                                            f"{organization.founded_date.isoformat()}"))
    if start is not None and end is not None and end <= start:
        problems.append(FieldProblem(END, f"离任日期 {end.isoformat()} 须晚于任职日期 {start.isoformat()}"))
    return problems


def check_membership(*, person_name: str, organization: PartyOrganization, start: dt.date, is_member: bool,
                     role: str) -> list[FieldProblem]:
    """The person was a party member of the organization (or, for a 党小组, of its branch) on ``start``."""
    if is_member:
        return []
    where = f"「{organization.name}」" + ("或其所在党支部" if organization.org_type == "party_group" else "")
    return [FieldProblem(PERSON, f"「{person_name}」在 {start.isoformat()} 不是{where}的党员（没有当日有效的组织关系），"
                                 f"不能任{OFFICER_ROLE.label(role) or '班子成员'}")]


def check_open_secretary(*, organization: PartyOrganization, sitting: BranchOfficer | None) -> list[FieldProblem]:
    """No other 书记 in office (``sitting``: the open 书记 post of the organization other than the one being
    written, or ``None``)."""
    if sitting is None:
        return []
    return [FieldProblem(ROLE, f"「{organization.name}」已有在任书记「{sitting.person.name}」（{sitting.start_date.isoformat()} "
                               "起任），请先登记其离任（每个党组织只设一名书记，" + REGULATION + "第六章）")]


# ----- helpers ------------------------------------------------------------------------------------------


def member_org_paths(organization: PartyOrganization) -> list[str]:
    """The paths of the organizations a member must belong to: itself, and for a 党小组 also its parent branch."""
    paths = [organization.path]
    if organization.org_type == "party_group" and organization.depth > 1:
        paths.append(organization.path[:-PartyOrganization.steplen])
    return paths


def _is_member(person_id: int, organization: PartyOrganization, day: dt.date) -> bool:
    from zugong.party.models import Membership

    return Membership.objects.on(day).filter(person_id=person_id,
                                             organization__path__in=member_org_paths(organization)).exists()


def _sitting_secretary(organization_id: int, *, exclude: int | None = None) -> BranchOfficer | None:
    rows = (BranchOfficer.objects.select_for_update().select_related("person")
            .filter(organization_id=organization_id, role="secretary", end_date__isnull=True))
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.first()


def _scoped_organization(actor, organization) -> PartyOrganization:
    pk = getattr(organization, "pk", organization)
    rows = PartyOrganization.objects.all() if actor is None else PartyOrganization.objects.restrict(actor, "change")
    org = rows.filter(pk=pk).first() if pk is not None else None
    if org is None:
        raise OutOfScope("党组织不存在或不在您的数据范围内。")
    return org


def _scoped_officer(actor, officer) -> BranchOfficer:
    pk = getattr(officer, "pk", officer)
    rows = BranchOfficer.objects.all() if actor is None else BranchOfficer.objects.restrict(actor, "change")
    found = (rows.select_for_update(of=("self",)).select_related("organization", "person")
             .filter(pk=pk).first()) if pk is not None else None
    if found is None:
        raise OutOfScope("班子成员记录不存在或不在您的数据范围内。")
    return found


def describe(officer: BranchOfficer) -> str:
    """「张伟 书记（2020-01-01 至今）」."""
    until = officer.end_date.isoformat() if officer.end_date else "今"
    return f"{officer.person.name} {OFFICER_ROLE.label(officer.role)}（{officer.start_date.isoformat()} 至 {until}）"


def _save(officer: BranchOfficer, *, fields: list[str] | None = None, expected_version: int | None = None) -> None:
    """Save (insert, or update ``fields`` at ``expected_version``); the one-open-secretary constraint hit by a
    concurrent write becomes the same message as the check."""
    try:
        with transaction.atomic():
            if fields is None:
                officer.save()
            else:
                save_with_version(officer, expected_version, fields)
    except IntegrityError:
        fail([FieldProblem(ROLE, f"「{officer.organization.name}」已有在任书记（每个党组织只设一名书记，{REGULATION}第六章）")])


# ----- services -----------------------------------------------------------------------------------------


@transaction.atomic
def officer_appoint(*, actor, organization, person, role, start_date, note: str = "",
                    today: dt.date | None = None) -> BranchOfficer:
    """任职: ``person`` (a ``people.Person`` or its id) takes the post ``role`` (``OFFICER_ROLE`` code or name:
    书记, 副书记, 组织委员 …) in ``organization`` (a ``PartyOrganization`` or its id) from ``start_date``
    (``dt.date`` or text; the first day in office). Requires ``party.change`` on the organization (else
    ``OutOfScope``). Raises ``ValidationFailed`` for the rules of the module docstring (not a member on the
    day, a future day, a second 书记 in office …). Audited (change log, ``branch_officer_appoint``). Returns
    the new post."""
    from zugong.people.models import Person

    today = today or timezone.localdate()
    org = _scoped_organization(actor, organization)
    problems = check_organization(org)
    code = parse_role(role, problems)
    start = parse_day(start_date, START, problems, today=today, required=True)
    problems += check_dates(org, start, None)
    person_id = getattr(person, "pk", person)
    who = Person.objects.filter(pk=person_id).only("pk", "name").first() if person_id not in (None, "") else None
    if who is None:
        problems.append(FieldProblem(PERSON, "必填项为空" if person_id in (None, "") else "该人员不存在"))
    elif start is not None and not problems:
        problems += check_membership(person_name=who.name, organization=org, start=start,
                                     is_member=_is_member(who.pk, org, start), role=code)
    if code == "secretary" and not problems:
        problems += check_open_secretary(organization=org, sitting=_sitting_secretary(org.pk))
    if code and who is not None and not problems and BranchOfficer.objects.filter(
            organization=org, person_id=who.pk, role=code, end_date__isnull=True).exists():
        problems.append(FieldProblem(ROLE, f"「{who.name}」已在任「{org.name}」{OFFICER_ROLE.label(code)}"))
    fail(problems)
    officer = BranchOfficer(organization=org, person=who, role=code, start_date=start, note=str(note or "").strip()[:500])
    _save(officer)
    record_event("branch_officer_appoint", user=actor, object_type="branches.branchofficer", object_id=officer.pk,
                 summary=f"「{org.name}」{describe(officer)} 任职",
                 data={"organization": org.code, "person": who.pk, "role": code, "start_date": start})
    return officer


@transaction.atomic
def officer_end(*, actor, officer, end_date, reason, expected_version: int | None = None,
                today: dt.date | None = None) -> BranchOfficer:
    """离任: the open post ``officer`` (a ``BranchOfficer`` or its id) ends on ``end_date`` (``dt.date`` or text;
    the first day no longer in office — ``[start_date, end_date)``) for ``reason`` (离任原因: 换届, 调离, 免职 …;
    required, kept in 备注 and in the audit event). ``expected_version``: the version as loaded (``None``:
    not checked — a script). Requires ``party.change`` on the post's organization (else ``OutOfScope``);
    ``ConcurrentEdit`` for a stale version; ``ValidationFailed`` when already ended, the date is missing, in the
    future or not after the 任职日期, or the reason is blank. Audited (change log, ``branch_officer_end``)."""
    today = today or timezone.localdate()
    post = _scoped_officer(actor, officer)
    if expected_version is not None and int(expected_version) != post.version:
        raise ConcurrentEdit(record=post)
    problems: list[FieldProblem] = []
    if post.end_date is not None:
        problems.append(FieldProblem(END, f"该职务已于 {post.end_date.isoformat()} 离任"))
    end = parse_day(end_date, END, problems, today=today, required=True)
    problems += check_dates(post.organization, post.start_date, end)
    reason = str(reason or "").strip()
    if not reason:
        problems.append(FieldProblem(REASON, "必填项为空（如：换届、调离、免职、辞职）"))
    fail(problems)
    post.end_date = end
    post.note = (f"{post.note}；" if post.note else "") + f"离任原因：{reason}"
    post.note = post.note[:500]
    _save(post, fields=["end_date", "note"], expected_version=post.version)
    record_event("branch_officer_end", user=actor, object_type="branches.branchofficer", object_id=post.pk,
                 summary=f"「{post.organization.name}」{describe(post)} 离任：{reason}",
                 data={"organization": post.organization.code, "person": post.person_id, "role": post.role,
                       "end_date": end, "reason": reason})
    return post


@transaction.atomic
def officer_correct(*, actor, officer, expected_version: int, changes: dict,
                    today: dt.date | None = None) -> BranchOfficer:
    """更正 a recorded post: ``changes`` maps any of ``role``, ``start_date``, ``end_date`` (blank: in office
    again), ``note`` to a new value; the others keep theirs. Requires ``party.change`` on the organization
    (else ``OutOfScope``); ``ConcurrentEdit`` for a stale ``expected_version``; ``ValidationFailed`` for an
    unknown field or any rule of the module docstring on the corrected post. Audited (change log with
    before/after, ``branch_officer_correct``). Returns the post (unchanged when nothing differs)."""
    today = today or timezone.localdate()
    post = _scoped_officer(actor, officer)
    if int(expected_version) != post.version:
        raise ConcurrentEdit(record=post)
    problems = [FieldProblem(name, "该字段不可修改") for name in sorted(set(changes) - set(CORRECTABLE))]
    fail(problems)
    role = parse_role(changes["role"], problems) if "role" in changes else post.role
    start = (parse_day(changes["start_date"], START, problems, today=today, required=True)
             if "start_date" in changes else post.start_date)
    end = (parse_day(changes["end_date"], END, problems, today=today, required=False)
           if "end_date" in changes else post.end_date)
    note = str(changes.get("note", post.note) or "").strip()[:500]
    problems += check_dates(post.organization, start, end)
    if start is not None and not problems:
        problems += check_membership(person_name=post.person.name, organization=post.organization, start=start,
                                     is_member=_is_member(post.person_id, post.organization, start), role=role)
    if role == "secretary" and end is None and not problems:
        problems += check_open_secretary(organization=post.organization,
                                         sitting=_sitting_secretary(post.organization_id, exclude=post.pk))
    fail(problems)
    new = {"role": role, "start_date": start, "end_date": end, "note": note}
    fields = [name for name, value in new.items() if getattr(post, name) != value]
    if not fields:
        return post
    before = {name: getattr(post, name) for name in fields}
    for name in fields:
        setattr(post, name, new[name])
    _save(post, fields=fields, expected_version=int(expected_version))
    record_event("branch_officer_correct", user=actor, object_type="branches.branchofficer", object_id=post.pk,
                 summary=f"更正「{post.organization.name}」{describe(post)}",
                 data={"organization": post.organization.code, "before": before,
                       "after": {name: new[name] for name in fields}})
    return post
