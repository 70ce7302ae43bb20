"""Services of meeting records (组织生活会议记录, issue #11): record, edit, delete a meeting and attach files.
Pages (``life.views``), the API (``life.api``), the ledger import (``life.importers``) and scripts call them;
each is keyword-only, takes the acting user ``actor``, runs in one transaction, writes the audit event and
raises the typed errors of ``core.errors`` with Chinese messages naming the field.

- ``meeting_record(*, actor, organization, meeting_type, date, topic, …) -> Recorded``
- ``meeting_edit(*, actor, meeting, version, **changes) -> Recorded`` (a stale ``version``: ``ConcurrentEdit``)
- ``meeting_delete(*, actor, meeting, reason) -> None`` (``party.delete``; a 支部书记 has none)
- ``attachment_add(*, actor, meeting, upload) -> MeetingAttachment`` (``life.attachments`` checks the file)

Attendance (出席情况) has three shapes:

1. **by name, whole roster** (``attendance`` given, counts ``None``): the roster is the organization's members
   on the meeting date (``life.selectors.roster_on``); every roster member gets a row — 出席 unless listed
   as 请假 / 缺席 (with a reason); 应到 = roster size, 实到 = 出席 rows; 流动党员 that day are marked
   ``mobile``. A listed person not on that roster is refused by name.
2. **numbers only** (``attendance`` ``None``, counts given; neither given: shape 1 with everyone present): a
   ledger row without names — 应到 / 实到 as given, the
   absentees as text in ``absentee_note``.
3. **numbers with some names** (``attendance`` and counts given; the ledger import): 应到 / 实到 as given,
   rows only for the listed roster members (the absentees the ledger names).

Refused (``ValidationFailed``, nothing written), each naming its field: an unknown meeting type; a type the
organization does not hold (``validators.allowed_meeting_types``); a date in the future, before the
organization's 成立日期 or on/after its 撤销日期; 实到 > 应到; an attendee not on the roster that day; 请假 /
缺席 without a reason; an empty topic. Outside the actor's ``party.add`` (record) / ``party.change`` (edit)
scope: ``OutOfScope`` (404). A 支委会 of a branch without a committee recorded that day (fewer than
``branches.choices.COMMITTEE_MIN_OFFICERS`` posts held) is accepted with a warning in ``Recorded.warnings``:
the meeting is a fact, the 班子成员 may be recorded later.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from zugong.audit.changelog import log_bulk_change
from zugong.audit.services import record_event
from zugong.branches.choices import COMMITTEE_MIN_OFFICERS
from zugong.core.concurrency import save_with_version
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import (
    INTEGRITY,
    ConcurrentEdit,
    FieldProblem,
    OutOfScope,
    PermissionDeniedError,
    fail,
)
from zugong.core.scoping import can
from zugong.life import selectors, validators
from zugong.life.choices import ATTENDANCE_STATUS, MEETING_TYPE
from zugong.life.models import Meeting, MeetingAttachment, MeetingAttachmentContent, MeetingAttendance
from zugong.life.validators import FIELD
from zugong.orgs.models import PartyOrganization

ORG_NOT_FOUND = "党组织不存在或不在您的数据范围内。"
MEETING_NOT_FOUND = "会议记录不存在或不在您的数据范围内。"
TEXT_FIELDS = ("topic", "presenter", "recorder", "lecturer", "location", "minutes", "absentee_note")
EDITABLE = ("meeting_type", "date", "topic", "presenter", "recorder", "lecturer", "secretary_lecture", "location",
            "minutes", "attendance", "expected_count", "attended_count", "absentee_note")
"""What ``meeting_edit`` may change (the organization and the source are fixed)."""


@dataclass
class Recorded:
    """What ``meeting_record`` / ``meeting_edit`` return: the ``meeting`` and ``warnings`` (Chinese sentences:
    accepted, but worth a look — e.g. a 支委会 without a committee on record)."""

    meeting: Meeting
    warnings: list[str] = field(default_factory=list)


@dataclass
class MeetingPlan:
    """A checked meeting, ready to write: the model ``values``, the attendance ``rows`` ``(person_id, status,
    reason, mobile)`` and ``warnings``. Built by ``meeting_check``."""

    organization: PartyOrganization
    values: dict
    rows: list[tuple[int, str, str, bool]]
    warnings: list[str]


# ----- input helpers ---------------------------------------------------------------------------------------


def _person_id(person) -> int | None:
    if person is None or person == "":
        return None
    if hasattr(person, "pk"):
        return int(person.pk)
    try:
        return int(person)
    except (TypeError, ValueError):
        return None


def normalize_attendance(attendance) -> list[tuple[int | None, str, str, bool]]:
    """``attendance`` as ``(person_id, status code, reason, mobile)`` tuples. Each entry is a tuple
    ``(person, status, reason, mobile)`` (``reason`` and ``mobile`` optional) or a dict with those keys;
    ``person`` a ``Person``/``PartyMember`` or an id; ``status`` a code or name (出席 / 请假 / 缺席); an
    unknown status is kept as given (the validator names it)."""
    out = []
    for entry in attendance or ():
        if isinstance(entry, dict):
            person, status = entry.get("person", entry.get("person_id")), entry.get("status", "present")
            reason, mobile = entry.get("reason", ""), entry.get("mobile", False)
        else:
            entry = tuple(entry) + ("", False)
            person, status, reason, mobile = entry[0], entry[1], entry[2], entry[3]
        code = ATTENDANCE_STATUS.parse(status) if status not in (None, "") else "present"
        out.append((_person_id(person), code or str(status), str(reason or "").strip()[:200], bool(mobile)))
    return out


def _day(value, problems: list[FieldProblem]) -> dt.date | None:
    try:
        day, _ = parse_date(value)
    except DateParseError as exc:
        problems.append(FieldProblem(FIELD["date"], str(exc), INTEGRITY))
        return None
    if day is None:
        problems.append(FieldProblem(FIELD["date"], "必填项为空", INTEGRITY))
    return day


def _count(value, key: str, problems: list[FieldProblem]) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        problems.append(FieldProblem(FIELD[key], f"「{value}」不是整数", INTEGRITY))
        return None
    return number


def _scoped_org(actor, organization, action: str) -> PartyOrganization:
    pk = organization.pk if hasattr(organization, "pk") else organization
    org = (PartyOrganization.objects.restrict(actor, action, label="party").filter(pk=pk).first()
           if pk not in (None, "") else None)
    if org is None:
        raise OutOfScope(ORG_NOT_FOUND)
    return org


# ----- the check shared by record, edit and the ledger import ------------------------------------------------


def meeting_check(*, organization: PartyOrganization, meeting_type, date, topic, presenter="", recorder="",
                  lecturer="", secretary_lecture=False, location="", minutes="", attendance=None,
                  expected_count=None, attended_count=None, absentee_note="", source="entry",
                  today: dt.date | None = None) -> tuple[MeetingPlan | None, list[FieldProblem]]:
    """Check one meeting of ``organization`` (already scope-checked by the caller) without writing:
    ``(plan, [])`` when it may be recorded, ``(None, problems)`` otherwise (every problem by field, see the
    module docstring). Reads the roster, the party groups and the officers of the meeting date."""
    today = today or timezone.localdate()
    problems: list[FieldProblem] = []
    code = MEETING_TYPE.parse(meeting_type) if meeting_type not in (None, "") else None
    if code is None:
        problems.append(FieldProblem(FIELD["meeting_type"], "必填项为空" if meeting_type in (None, "")
                                     else f"无法识别的会议类型「{meeting_type}」（{'、'.join(MEETING_TYPE.names)}）"))
    day = _day(date, problems)
    texts = {"topic": topic, "presenter": presenter, "recorder": recorder, "lecturer": lecturer,
             "location": location, "minutes": minutes, "absentee_note": absentee_note}
    texts = {k: str(v or "").strip() for k, v in texts.items()}
    problems += validators.validate_texts(texts)
    problems += validators.validate_meeting_date(day, today=today, founded=organization.founded_date,
                                                 dissolved=organization.dissolved_date, org_name=organization.name)
    if code and day is not None:
        problems += validators.validate_meeting_type(code, organization.org_type,
                                                     has_groups=selectors.has_groups_on(organization, day))
    expected = _count(expected_count, "expected_count", problems)
    attended = _count(attended_count, "attended_count", problems)
    rows: list[tuple[int, str, str, bool]] = []
    if attendance is None and expected_count in (None, "") and attended_count in (None, ""):
        attendance = []  # neither names nor numbers: the whole roster, everyone present
    given = normalize_attendance(attendance) if attendance is not None else None
    if given is not None and day is not None:
        roster = selectors.roster_on(organization, day)
        names = {e.person_id: e.name for e in roster}
        mobile = {e.person_id for e in roster if e.mobile}
        unknown = [pid for pid, *_ in given if pid is None]
        if unknown:
            problems.append(FieldProblem(FIELD["attendance"], "出席情况中有未指明人员的行"))
        listed = [(pid, status, reason) for pid, status, reason, _ in given if pid is not None]
        others = selectors.people_names(pid for pid, *_ in listed if pid not in names)
        problems += validators.validate_attendance(listed, names, names=others, day=day)
        by_person = {pid: (status, reason) for pid, status, reason in listed}
        if expected_count in (None, "") and attended_count in (None, ""):  # shape 1: the whole roster
            for entry in roster:
                status, reason = by_person.get(entry.person_id, ("present", ""))
                rows.append((entry.person_id, status, reason if status != "present" else "",
                             entry.person_id in mobile))
            expected = len(rows)
            attended = sum(1 for r in rows if r[1] == "present")
        else:  # shape 3: the listed people only, counts as given
            rows = [(pid, status, reason, pid in mobile) for pid, (status, reason) in by_person.items()]
            problems += validators.validate_counts(expected, attended)
    elif given is None:
        problems += validators.validate_counts(expected, attended)
    if problems:
        return None, problems
    warnings = []
    warning = validators.committee_warning(code, organization.org_type, selectors.officers_on(organization, day),
                                           COMMITTEE_MIN_OFFICERS)
    if warning:
        warnings.append(warning)
    values = {"meeting_type": code, "date": day, **texts, "secretary_lecture": bool(secretary_lecture),
              "expected_count": expected, "attended_count": attended, "source": source}
    return MeetingPlan(organization, values, rows, warnings), []


def _write_rows(meeting: Meeting, rows, *, replace: bool) -> None:
    if replace:
        MeetingAttendance.objects.filter(meeting=meeting).delete()
    if rows:
        MeetingAttendance.objects.bulk_create([
            MeetingAttendance(meeting=meeting, person_id=pid, status=status, reason=reason, mobile=mobile)
            for pid, status, reason, mobile in rows])
    if rows or replace:
        absent = [pid for pid, status, *_ in rows if status != "present"]
        log_bulk_change(MeetingAttendance, len(rows), f"会议「{meeting.topic}」（{meeting.date}）的出席情况",
                        action="replace" if replace else "bulk_create",
                        data={"meeting": meeting.pk, "absent": absent})


def _summary(meeting: Meeting) -> str:
    return (f"{meeting.organization.name} {meeting.date.isoformat()} {MEETING_TYPE.label(meeting.meeting_type)}"
            f"「{meeting.topic}」应到 {meeting.expected_count} 人、实到 {meeting.attended_count} 人")


# ----- services --------------------------------------------------------------------------------------------


def meeting_record(*, actor, organization, meeting_type, date, topic, presenter="", recorder="", lecturer="",
                   secretary_lecture=False, location="", minutes="", attendance=None, expected_count=None,
                   attended_count=None, absentee_note="", source="entry", today: dt.date | None = None) -> Recorded:
    """Record a meeting held by ``organization`` (a ``PartyOrganization`` or its id) on ``date`` (``dt.date``
    or text in the forms of ``core.dates.parse_date``). ``meeting_type``: a ``MEETING_TYPE`` code or name
    (aliases such as 支委会 accepted). ``attendance``: ``None`` or a list of ``(person, status, reason,
    mobile)`` (see ``normalize_attendance`` and the module docstring for the three shapes); counts are
    numbers of people. ``source``: ``entry`` or ``import``. ``today``: the reference day (tests).

    Requires ``party.add`` on the organization (else ``OutOfScope``, 404). Raises ``ValidationFailed`` with
    every problem by field (nothing written). Audited: the meeting's change log, the attendance rows' bulk
    change and a ``meeting_record`` event. Returns ``Recorded(meeting, warnings)``."""
    with transaction.atomic():
        org = _scoped_org(actor, organization, "add")
        plan, problems = meeting_check(
            organization=org, meeting_type=meeting_type, date=date, topic=topic, presenter=presenter,
            recorder=recorder, lecturer=lecturer, secretary_lecture=secretary_lecture, location=location,
            minutes=minutes, attendance=attendance, expected_count=expected_count, attended_count=attended_count,
            absentee_note=absentee_note, source=source, today=today)
        fail(problems)
        return _create(actor, plan)


def _create(actor, plan: MeetingPlan) -> Recorded:
    meeting = Meeting(organization=plan.organization, **plan.values)
    meeting.save()
    _write_rows(meeting, plan.rows, replace=False)
    record_event("meeting_record", user=actor, object_type="life.meeting", object_id=meeting.pk,
                 summary=f"记录组织生活会议：{_summary(meeting)}",
                 data={"organization": plan.organization.code, "meeting_type": meeting.meeting_type,
                       "date": meeting.date, "expected": meeting.expected_count, "attended": meeting.attended_count,
                       "source": meeting.source, "warnings": plan.warnings})
    return Recorded(meeting, plan.warnings)


def meeting_create_checked(*, actor, plan: MeetingPlan) -> Recorded:
    """Write a meeting ``plan`` checked by ``meeting_check`` (the ledger import's bulk path: it checked every
    row first, with the organization resolved in the actor's ``party.import`` scope); requires ``party.add``
    or ``party.import`` on the organization, re-checked here. Same audit as ``meeting_record``."""
    org = plan.organization
    if not (can(actor, "party", "add", org) or can(actor, "party", "import", org)):
        raise OutOfScope(ORG_NOT_FOUND)
    with transaction.atomic():
        return _create(actor, plan)


def _current_attendance(meeting: Meeting) -> tuple[list | None, bool]:
    """The meeting's attendance as ``meeting_check`` input: ``(rows or None, whole roster?)``."""
    rows = list(MeetingAttendance.objects.filter(meeting=meeting).values_list("person_id", "status", "reason", "mobile"))
    if not rows:
        return None, False
    whole = len(rows) == meeting.expected_count
    if whole:
        return [r for r in rows if r[1] != "present"], True
    return rows, False


def meeting_edit(*, actor, meeting, version: int, today: dt.date | None = None, **changes) -> Recorded:
    """Change ``meeting`` (a ``Meeting`` or its id) loaded at ``version``: any of ``EDITABLE`` as in
    ``meeting_record`` (an ``attendance`` list replaces the rows; without it the rows are kept — re-checked
    against the roster of a changed date — and counts follow them).

    Requires ``party.change`` on the meeting's organization (else ``OutOfScope``). Raises
    ``ConcurrentEdit`` (409) when the stored version differs from ``version``, ``ValidationFailed`` as
    ``meeting_record`` (and for a field that cannot be changed). Audited (change log of the changed fields,
    the attendance rows, a ``meeting_edit`` event). Returns ``Recorded``."""
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        fail([FieldProblem(FIELD.get(k, k), "该字段不能修改", INTEGRITY) for k in unknown])
    pk = meeting.pk if hasattr(meeting, "pk") else meeting
    with transaction.atomic():
        current = (Meeting.objects.restrict(actor, "change").select_for_update(of=("self",))
                   .select_related("organization").filter(pk=pk).first())
        if current is None:
            raise OutOfScope(MEETING_NOT_FOUND)
        if version is None or int(version) != current.version:
            raise ConcurrentEdit(record=current)
        merged = {k: getattr(current, k) for k in EDITABLE if k != "attendance"}
        merged.update({k: v for k, v in changes.items() if k != "attendance"})
        if "attendance" in changes:
            attendance = changes["attendance"]
            if attendance is not None and not ({"expected_count", "attended_count"} & set(changes)):
                merged["expected_count"] = merged["attended_count"] = None
        else:
            attendance, whole = _current_attendance(current)
            if attendance is not None and whole and not ({"expected_count", "attended_count"} & set(changes)):
                merged["expected_count"] = merged["attended_count"] = None
        plan, problems = meeting_check(organization=current.organization, attendance=attendance,
                                       source=current.source, today=today, **merged)
        fail(problems)
        fields = [k for k, v in plan.values.items() if k != "source" and getattr(current, k) != v]
        for key in fields:
            setattr(current, key, plan.values[key])
        save_with_version(current, int(version), fields or ["topic"])
        _write_rows(current, plan.rows, replace=True)
        record_event("meeting_edit", user=actor, object_type="life.meeting", object_id=current.pk,
                     summary=f"修改组织生活会议：{_summary(current)}",
                     data={"fields": fields, "attendance": "attendance" in changes})
    return Recorded(current, plan.warnings)


def meeting_delete(*, actor, meeting, reason: str) -> None:
    """Delete ``meeting`` (a ``Meeting`` or its id) with its attendance and attachments, for ``reason``
    (required: the audit event keeps it with the deleted record's summary).

    A meeting outside the actor's ``party.view`` scope is ``OutOfScope`` (404); one the actor sees but may
    not delete (no ``party.delete`` there — a 支部书记) is ``PermissionDeniedError`` (403). Raises
    ``ValidationFailed`` for an empty reason. Audited (change log of the deleted rows, ``meeting_delete``)."""
    pk = meeting.pk if hasattr(meeting, "pk") else meeting
    with transaction.atomic():
        current = (Meeting.objects.restrict(actor, "view").select_for_update(of=("self",))
                   .select_related("organization").filter(pk=pk).first())
        if current is None:
            raise OutOfScope(MEETING_NOT_FOUND)
        if not can(actor, "party", "delete", current.organization):
            raise PermissionDeniedError("您没有删除会议记录的权限（支部书记可以记录和修改会议，删除须由上级党组织的党务工作者办理）。")
        text = str(reason or "").strip()
        if not text:
            fail([FieldProblem("删除原因", "必填项为空", INTEGRITY)])
        summary = _summary(current)
        count = current.attendances.count()
        current.delete()
        record_event("meeting_delete", user=actor, object_type="life.meeting", object_id=pk,
                     summary=f"删除组织生活会议：{summary}；原因：{text[:200]}",
                     data={"organization": current.organization.code, "reason": text[:200], "attendance_rows": count})


def attachment_add(*, actor, meeting, upload, filename: str = "") -> MeetingAttachment:
    """Attach the file ``upload`` (an ``UploadedFile``, a binary file object, bytes or a path; ``filename``
    when ``upload`` has no name) to ``meeting``. ``life.attachments.check_attachment`` checks the size
    (≤ 20 MB) and the type by the content's magic bytes (PDF, JPEG, PNG, DOCX/DOC, XLSX/XLS; the extension
    must agree). Requires ``party.change`` on the meeting (else ``OutOfScope``); raises ``ValidationFailed``
    (field 附件) for a refused file. Audited (change log, ``meeting_attachment_add``)."""
    from zugong.life.attachments import check_attachment

    pk = meeting.pk if hasattr(meeting, "pk") else meeting
    data, name, content_type = check_attachment(upload, filename=filename)
    with transaction.atomic():
        current = Meeting.objects.restrict(actor, "change").filter(pk=pk).first()
        if current is None:
            raise OutOfScope(MEETING_NOT_FOUND)
        attachment = MeetingAttachment.objects.create(meeting=current, original_name=name, size=len(data),
                                                      content_type=content_type, uploaded_by=actor)
        MeetingAttachmentContent.objects.create(attachment=attachment, content=data)
        record_event("meeting_attachment_add", user=actor, object_type="life.meetingattachment",
                     object_id=attachment.pk, summary=f"会议「{current.topic}」（{current.date}）添加附件「{name}」",
                     data={"meeting": current.pk, "size": len(data), "content_type": content_type})
    return attachment
