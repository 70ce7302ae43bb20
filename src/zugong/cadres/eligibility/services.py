"""Promotion eligibility (任职资格, issue #12 item 6) and the supervision records that ban promotion.

- ``promotion_eligibility(*, cadre, target_level, as_of, user=None) -> Eligibility``: every condition of
  ``checks`` for ``cadre`` (an instance the caller fetched in scope) promoted to ``target_level`` (GB/T 12407
  code, e.g. ``"131"`` 正处) on ``as_of``, from the records: ``Person.work_start_date``; the appointments and
  职级 history (``Appointment``, ``RankRecord``; ``cadres.selectors.post_facts`` for the current level);
  the units' 单位属性 (基层); the résumé; ``Education`` rows and ``Person.education_level``; the
  ``SupervisionRecord``s (label ``discipline``) and ``AnnualAssessment``s (label ``assessment``) the user may
  read — without that right the condition is 待核实, never silently passed. A few queries, none per row.
- Supervision records (处理处分记录, label ``discipline``): ``supervision_record_create`` /
  ``supervision_record_update`` / ``supervision_record_delete`` need ``discipline.add`` / ``change`` /
  ``delete`` on the cadre's unit (the 干部工作人员 role holds ``discipline.view`` only; the 组织部门管理员 holds
  all) — else ``OutOfScope`` (the cadre "does not exist" for that action). Audited (change log plus
  ``supervision_record_create`` / ``_update`` / ``_delete`` events); a stale ``expected_version`` is
  ``ConcurrentEdit``.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zugong.audit.services import record_event
from zugong.cadres.choices import LEADERSHIP_LEVELS, POST_LEVEL, RANK_LEVEL, SUPERVISION_KIND
from zugong.cadres.eligibility import checks, rules
from zugong.cadres.models import (
    AnnualAssessment,
    Appointment,
    Cadre,
    Education,
    RankRecord,
    ResumeEntry,
    SupervisionRecord,
)
from zugong.cadres.selectors import cadre_for_write, post_facts, post_title
from zugong.core.codes import EDUCATION
from zugong.core.concurrency import save_with_version
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import ConcurrentEdit, FieldProblem, OutOfScope, fail
from zugong.core.scoping import can

TARGET_LEVELS = LEADERSHIP_LEVELS
"""The levels one may ask about (正部 … 副科)."""


def default_target(level: str) -> str:
    """The next level up from ``level`` (副科 → 正科 → 副处 …); 副科 (142) when none is held."""
    if level not in TARGET_LEVELS:
        return "142"
    index = TARGET_LEVELS.index(level)
    return TARGET_LEVELS[max(index - 1, 0)]


def _education_rank(code: str) -> int | None:
    return rules.EDUCATION_RANK.get(code or "", 0 if code else None)


def promotion_eligibility(*, cadre: Cadre, target_level: str, as_of: dt.date | None = None,
                          user=None) -> checks.Eligibility:
    """The conditions for promoting ``cadre`` to ``target_level`` on ``as_of`` (default today), each with
    the facts used and its article (``checks``; ``rules`` for the thresholds and sources):

    工龄 and 基层工作经历 (第八条第一项, 提任县处级), 下一级两个以上职位 (第二项, 县处级以上, 一般应当), 任职年限
    at the feeder level (第三项: time in posts at that level merged with the equivalent 职级, ``RANK_LEVEL``),
    学历 (第四项), the promotion bans of 处分/诫勉 (影响期 from the decision date), the previous year's
    assessment. ``user``: whose rights decide whether the discipline and assessment records are read
    (``None``: a script, all read). Raises ``ValueError`` for an unknown ``target_level``."""
    if target_level not in TARGET_LEVELS:
        raise ValueError(f"未知的拟任职务级别：{target_level}")
    as_of = as_of or timezone.localdate()
    person = cadre.person
    facts = post_facts([cadre], as_of, user=user)[cadre.pk]
    appointments_qs = Appointment.objects.restrict(user, "view") if user is not None else Appointment.objects
    appointments = list(appointments_qs.filter(cadre_id=cadre.pk, start_date__lt=as_of)
                        .select_related("post", "post__unit").order_by("start_date", "id"))
    ranks = list(RankRecord.objects.filter(cadre_id=cadre.pk, start_date__lt=as_of).order_by("start_date"))
    resume = list(ResumeEntry.objects.filter(cadre_id=cadre.pk).order_by("position", "id"))

    grassroots = [(a.start_date, a.end_date) for a in appointments
                  if a.post.unit.unit_category in rules.GRASSROOTS_UNIT_CATEGORIES]
    resume_lines = [_resume_line(r) for r in resume if any(w in r.text for w in rules.GRASSROOTS_WORDS)]
    conditions = [
        checks.check_work_years(target_level=target_level, work_start=person.work_start_date, as_of=as_of),
        checks.check_grassroots(target_level=target_level, grassroots_periods=grassroots, resume_lines=resume_lines,
                                has_records=bool(appointments or resume), as_of=as_of),
    ]
    below = checks.lower_tier(target_level)
    posts_below = []
    for a in appointments:
        if a.post.level in below:
            title = post_title(a.post.unit.name, a.post.name)
            if title not in posts_below:
                posts_below.append(title)
    conditions.append(checks.check_posts_below(target_level=target_level, posts_below=posts_below))
    step = checks.feeder(target_level)
    feeder_level = step[0] if step else ""
    conditions.append(checks.check_years_below(
        target_level=target_level,
        periods_at_feeder=[(a.start_date, a.end_date) for a in appointments if a.post.level == feeder_level],
        rank_periods_at_feeder=[(r.start_date, r.end_date) for r in ranks if RANK_LEVEL.get(r.rank) == feeder_level],
        as_of=as_of, current_level=facts.level or facts.rank_level))
    rank, text = _highest_education(cadre, person)
    conditions.append(checks.check_education(target_level=target_level, education_rank=rank, education_text=text))
    records = None
    if user is None or can(user, "discipline", "view", cadre.unit):
        rows = SupervisionRecord.objects.filter(cadre_id=cadre.pk)
        if user is not None:
            rows = rows.restrict(user, "view")
        records = [checks.SupervisionFact(r.kind, r.decided_date, r.document_number) for r in rows]
    conditions.append(checks.check_bans(records=records, as_of=as_of))
    grades = None
    if user is None or can(user, "assessment", "view", cadre.unit):
        rows = AnnualAssessment.objects.filter(cadre_id=cadre.pk)
        if user is not None:
            rows = rows.restrict(user, "view")
        grades = dict(rows.values_list("year", "grade"))
    conditions.append(checks.check_assessment(grades=grades, as_of=as_of))
    return checks.Eligibility(cadre_id=cadre.pk, target_level=target_level, as_of=as_of, conditions=tuple(conditions))


def _resume_line(entry: ResumeEntry) -> str:
    until = entry.end_date.strftime("%Y.%m") if entry.end_date else "今"
    return f"{entry.start_date:%Y.%m}—{until} {entry.text}"


def _highest_education(cadre: Cadre, person) -> tuple[int | None, str]:
    """The highest 学历 rank among the cadre's ``Education`` rows (full-time or in-service; the code, else
    the text read through GB/T 4658) and ``Person.education_level``, with its text."""
    best: tuple[int, str] | None = None
    candidates = []
    for row in Education.objects.filter(cadre_id=cadre.pk):
        code = row.education_level or rules.education_code_of_text(row.education_text)
        if code or row.education_text:
            label = row.get_category_display()
            candidates.append((code, f"{row.education_text or EDUCATION.label(code)}（{label}）"))
    if person.education_level:
        candidates.append((person.education_level, EDUCATION.label(person.education_level)))
    for code, text in candidates:
        rank = _education_rank(code)
        if rank is not None and (best is None or rank > best[0]):
            best = (rank, text)
    return (best[0], best[1]) if best else (None, "")


# ----- supervision records (处理处分记录) --------------------------------------------------------------------

KIND = "类别"
DATE = "决定日期"
DOCUMENT = "文号"
REASON = "事由"
EDITABLE = ("kind", "decided_date", "document_number", "reason")


def _cadre_for(user, cadre, action: str) -> Cadre:
    return cadre_for_write(user, cadre, action, label="discipline", message="干部不存在或不在您的数据范围内。")


def _record_for(user, record, action: str) -> SupervisionRecord:
    pk = getattr(record, "pk", record)
    rows = SupervisionRecord.objects.all() if user is None else SupervisionRecord.objects.restrict(user, action)
    found = (rows.select_for_update(of=("self",)).select_related("cadre", "cadre__person").filter(pk=pk).first()
             if pk not in (None, "") else None)
    if found is None:
        raise OutOfScope("处理处分记录不存在或不在您的数据范围内。")
    return found


def _parse(values: dict, problems: list[FieldProblem], today: dt.date) -> dict:
    out = {}
    if "kind" in values:
        code = SUPERVISION_KIND.parse(values["kind"]) if values["kind"] not in (None, "") else None
        if code is None:
            problems.append(FieldProblem(KIND, "必填项为空" if values["kind"] in (None, "")
                                         else f"无法识别的类别「{values['kind']}」（{'、'.join(SUPERVISION_KIND.names)}）"))
        out["kind"] = code
    if "decided_date" in values:
        try:
            day, _ = parse_date(values["decided_date"])
        except DateParseError as exc:
            problems.append(FieldProblem(DATE, str(exc)))
            day = None
        else:
            if day is None:
                problems.append(FieldProblem(DATE, "必填项为空"))
            elif day > today:
                problems.append(FieldProblem(DATE, f"日期 {day.isoformat()} 晚于今天"))
                day = None
        out["decided_date"] = day
    for name, field, limit in (("document_number", DOCUMENT, 100), ("reason", REASON, 500)):
        if name in values:
            text = str(values[name] or "").strip()
            if len(text) > limit:
                problems.append(FieldProblem(field, f"不能超过 {limit} 个字"))
            out[name] = text
    return out


def _describe(record: SupervisionRecord) -> str:
    return f"{record.cadre.person.name} {SUPERVISION_KIND.label(record.kind)}（{record.decided_date.isoformat()}）"


@transaction.atomic
def supervision_record_create(*, user, cadre, kind, decided_date, document_number: str = "", reason: str = "",
                              today: dt.date | None = None) -> SupervisionRecord:
    """登记 a sanction or organizational handling of ``cadre`` (a ``Cadre`` or its id): ``kind``
    (``SUPERVISION_KIND`` code or name: 党内警告, 诫勉, 记过 …), ``decided_date`` (决定日期, not in the future;
    the promotion ban runs from it), 文号, 事由. Needs ``discipline.add`` on the cadre's unit (else
    ``OutOfScope``); ``ValidationFailed`` by field. Audited (``supervision_record_create``)."""
    today = today or timezone.localdate()
    target = _cadre_for(user, cadre, "add")
    problems: list[FieldProblem] = []
    data = _parse({"kind": kind, "decided_date": decided_date, "document_number": document_number,
                   "reason": reason}, problems, today)
    fail(problems)
    record = SupervisionRecord.objects.create(cadre=target, **data)
    record_event("supervision_record_create", user=user, object_type="cadres.supervisionrecord", object_id=record.pk,
                 summary=f"登记处理处分记录：{_describe(record)}",
                 data={"cadre": target.pk, "kind": record.kind, "decided_date": record.decided_date})
    return record


@transaction.atomic
def supervision_record_update(*, user, record, expected_version: int, changes: dict,
                              today: dt.date | None = None) -> SupervisionRecord:
    """更正 a supervision record: ``changes`` maps any of ``kind``, ``decided_date``, ``document_number``,
    ``reason`` to a new value. Needs ``discipline.change`` (else ``OutOfScope``); ``ConcurrentEdit`` for a
    stale ``expected_version``; ``ValidationFailed`` by field. Audited (change log and
    ``supervision_record_update`` with before/after)."""
    today = today or timezone.localdate()
    row = _record_for(user, record, "change")
    if int(expected_version) != row.version:
        raise ConcurrentEdit(record=row)
    problems = [FieldProblem(name, "该字段不可修改") for name in sorted(set(changes) - set(EDITABLE))]
    fail(problems)
    data = _parse(changes, problems, today)
    fail(problems)
    fields = [name for name, value in data.items() if getattr(row, name) != value]
    if not fields:
        return row
    before = {name: getattr(row, name) for name in fields}
    for name in fields:
        setattr(row, name, data[name])
    save_with_version(row, int(expected_version), fields)
    record_event("supervision_record_update", user=user, object_type="cadres.supervisionrecord", object_id=row.pk,
                 summary=f"更正处理处分记录：{_describe(row)}",
                 data={"cadre": row.cadre_id, "before": before, "after": {n: data[n] for n in fields}})
    return row


@transaction.atomic
def supervision_record_delete(*, user, record, expected_version: int | None = None, reason: str = "") -> None:
    """删除 a supervision record entered by mistake (``reason`` required). Needs ``discipline.delete``
    (else ``OutOfScope``); ``ConcurrentEdit`` for a stale version. Audited (``supervision_record_delete``,
    with the deleted values)."""
    row = _record_for(user, record, "delete")
    if expected_version is not None and int(expected_version) != row.version:
        raise ConcurrentEdit(record=row)
    reason = str(reason or "").strip()
    if not reason:
        fail([FieldProblem("删除原因", "必填项为空（如：重复录入、登记有误）")])
    summary = f"删除处理处分记录：{_describe(row)}：{reason}"
    values = {"cadre": row.cadre_id, "kind": row.kind, "decided_date": row.decided_date,
              "document_number": row.document_number, "reason": row.reason, "delete_reason": reason}
    pk = row.pk
    row.delete()
    record_event("supervision_record_delete", user=user, object_type="cadres.supervisionrecord", object_id=pk,
                 summary=summary, data=values)


def supervision_records_of(*, user, cadre) -> list[SupervisionRecord]:
    """The cadre's supervision records ``user`` may read (``discipline.view``), newest first; ``[]`` without
    the right."""
    return list(SupervisionRecord.objects.restrict(user, "view").filter(cadre_id=cadre.pk)
                .order_by("-decided_date", "-id"))


def level_choices() -> list[tuple[str, str]]:
    """``[(code, 中文)]`` of the target levels offered."""
    return [(code, POST_LEVEL.label(code)) for code in TARGET_LEVELS]
