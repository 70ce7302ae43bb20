"""Services of the cadre record (干部信息, issue #12 item 3). The pages, the API and the appointment-form
importer call these and nothing else to change a cadre record.

Every service is keyword-only, takes the actor ``user``, checks the scope (unit tree, label ``cadre``;
``assessment`` for 年度考核), validates with ``cadres.record.validators`` and ``people.validators``,
writes in one transaction with an audit event (``object_type="cadres.cadre"``, ``object_id`` the cadre:
the 历史 tab reads them), and raises the typed errors of ``core.errors``: ``OutOfScope`` (the cadre, the
record or the target unit is not in the user's scope: 404), ``PermissionDeniedError`` (403),
``ValidationFailed`` (every problem by field, nothing written), ``ConcurrentEdit`` (a stale
``expected_version``: 409).

**The person behind a cadre.** ``Person`` keeps its own party-organization scope (label ``basic``). A user
who may change the cadre (``cadre.change`` on the cadre's unit) may change the person's basic fields
(姓名, 性别, 民族, 出生日期, 学历, 政治面貌, 参加工作日期, 手机号码) **through ``cadre_update``** — the cadre
record is where the organization department keeps them for its cadres, and the same validators as
``people.services.person_update`` apply (出生日期 and 性别 must agree with the stored ID number,
GB 11643-1999). The 公民身份号码 is not changed here (``people.services.person_update``: it needs
``basic.unmask`` on the person's organization).

**A new cadre** (``cadre_create``) is a new ``Person`` (kept by the unit only: no party organization) or
an existing one found by the ID number: inside the user's ``basic.view`` scope it is linked directly;
outside it, the answer goes through the ID-number oracle (``people.oracle.existence_answer``: audited,
counted against the daily budget, refused neutrally once it is spent), and the name given must be the
recorded one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from zugong.audit.services import record_event
from zugong.cadres.choices import (
    ASSESSMENT_GRADE,
    CADRE_STATUS,
    DEGREE,
    EDUCATION_CATEGORY,
    ESTABLISHMENT_TYPE,
    degree_of_text,
)
from zugong.cadres.models import AnnualAssessment, Cadre, CadrePhoto, Education, FamilyMember, ResumeEntry
from zugong.cadres.record.validators import education_code_of_text, parse_month, validate_period
from zugong.cadres.selectors import cadre_for_write
from zugong.core.codes import EDUCATION, normalize_text
from zugong.core.concurrency import save_with_version
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import ConcurrentEdit, OutOfScope, PermissionDeniedError, RowError, ValidationFailed
from zugong.core.scoping import can
from zugong.orgs.models import Unit
from zugong.people import services as people_services
from zugong.people import validators
from zugong.people.models import Person
from zugong.people.oracle import THROTTLED_MESSAGE, existence_answer
from zugong.people.validators import Problem

NOT_FOUND = "干部不存在或不在您的管理范围内"
UNIT_NOT_FOUND = "单位不存在或不在您的干部管理范围内"
MAX_PHOTO_BYTES = 2 * 1024 * 1024
MAX_PHOTO_SIDE = 10000


def _fail(problems: list[Problem]) -> None:
    if problems:
        errors = [RowError(0, p.field, p.reason) for p in problems]
        raise ValidationFailed(errors, message="；".join(p.message for p in problems))


def _on(cadre: Cadre) -> dict:
    """The object of a cadre event (the 历史 tab reads events by it)."""
    return {"object_type": "cadres.cadre", "object_id": cadre.pk}


def _cadre(user, cadre_id: int, action: str) -> Cadre:
    """The cadre ``cadre_id`` if ``user`` holds ``cadre.<action>`` on its unit, else ``OutOfScope``."""
    return cadre_for_write(user, cadre_id, action, message=NOT_FOUND)


def _lock_in_scope(user, cadre_id: int, action: str) -> None:
    """Inside the write's transaction: lock the cadre's row and check again that ``user`` holds
    ``cadre.<action>`` on it (a move to another unit or a revoked grant since the first check refuses the
    write with ``OutOfScope``; design.md rule 1)."""
    if not Cadre.objects.restrict(user, action).select_for_update().filter(pk=cadre_id).exists():
        raise OutOfScope(NOT_FOUND)


def _unit(user, code: str, action: str) -> Unit:
    """The unit ``code`` if ``user`` holds ``cadre.<action>`` on it, else ``OutOfScope``."""
    code = (code or "").strip()
    unit = Unit.objects.restrict(user, action, label="cadre").filter(code=code).first() if code else None
    if unit is None:
        raise OutOfScope(UNIT_NOT_FOUND)
    return unit


# ----- the profile's own fields ----------------------------------------------------------------------------

TEXT_FIELDS = ("native_place", "birthplace", "health", "other_party", "professional_title", "specialty",
               "current_post_title", "rewards_punishments", "assessment_summary", "proposed_post",
               "proposed_removal", "appointment_reason", "reporting_unit", "form_filled_by", "identity_document",
               "note")
DATE_FIELDS = ("party_joined_date", "current_post_since", "same_level_since", "form_filled_date",
               "age_reference_date", "identity_since")
PROFILE_FIELDS = (*TEXT_FIELDS, *DATE_FIELDS, "establishment_type")
PERSON_FIELDS = ("name", "sex", "ethnicity", "birth_date", "education_level", "political_status", "work_start_date",
                 "phone")


def _label(field: str) -> str:
    return str(Cadre._meta.get_field(field).verbose_name)


def clean_profile(values: dict, *, today: dt.date) -> tuple[dict, list[Problem]]:
    """Check the cadre profile fields in ``values`` (keys of ``PROFILE_FIELDS``; others are ignored):
    texts stripped and within the column's length; dates as ``dt.date`` or text (``yyyy.MM`` → the 1st,
    ``yyyy-MM-dd`` …), not after ``today``; 编制类型 by code or name (``ESTABLISHMENT_TYPE.parse``).
    Returns ``(cleaned, problems)``."""
    problems: list[Problem] = []
    out: dict = {}
    for field in TEXT_FIELDS:
        if field in values:
            text = str(values[field] or "").strip()
            limit = Cadre._meta.get_field(field).max_length
            if limit and len(text) > limit:
                problems.append(Problem(_label(field), f"超过 {limit} 个字符"))
            out[field] = text
    for field in DATE_FIELDS:
        if field in values:
            try:
                day, _ = parse_date(values[field])
            except DateParseError as exc:
                problems.append(Problem(_label(field), str(exc)))
                continue
            if day is not None and day > today and field not in ("age_reference_date", "form_filled_date"):
                problems.append(Problem(_label(field), f"日期 {day.isoformat()} 晚于今天"))
                continue
            out[field] = day
    if "establishment_type" in values:
        raw = values["establishment_type"]
        code = ESTABLISHMENT_TYPE.parse(raw) if raw not in (None, "") else ""
        if code is None:
            problems.append(Problem("编制类型", f"无法识别的编制类型「{raw}」（{'、'.join(ESTABLISHMENT_TYPE.names)}）"))
        else:
            out["establishment_type"] = code
    return out, problems


# ----- cadre_create ------------------------------------------------------------------------------------------


def _existing_person(user, number: str, name: str) -> tuple[Person | None, list[Problem]]:
    """The person holding ID number ``number`` (``None`` when nobody does) and the problems of linking a
    new cadre to them. A holder outside ``user``'s ``basic.view`` scope is answered only through the
    ID-number oracle (audited, counted; throttled → the neutral refusal for new and existing numbers)."""
    digest = Person.hash_id_number(number)
    holder = Person.objects.filter(id_number_hash=digest).first()
    visible = holder is not None and Person.objects.restrict(user, "view").filter(pk=holder.pk).exists()
    if not visible:
        answer = existence_answer(user=user, unknown=1, elsewhere=int(holder is not None), context="新增干部",
                                  object_type="people.person", object_id=holder.pk if holder else "")
        if holder is not None and not answer.answered or answer.throttled:
            return None, [Problem("公民身份号码", THROTTLED_MESSAGE)]
    if holder is None:
        return None, []
    problems = []
    if normalize_text(holder.name) != normalize_text(name):
        problems.append(Problem("姓名", "该公民身份号码已登记，姓名与已登记的不一致，请核对"))
    if Cadre.objects.filter(person=holder).exists():
        problems.append(Problem("公民身份号码", "该人员已有干部信息，请在干部名册中查找（如在其他单位，请办理调动）"))
    return holder, problems


def cadre_create(*, user, unit_code: str, name: str, id_number: str, sex="", ethnicity="", birth_date=None,
                 education_level="", political_status="", work_start_date=None, phone: str = "",
                 profile: dict | None = None) -> Cadre:
    """新增干部 by hand: the cadre record of a person in unit ``unit_code`` (单位代码).

    The person is found by ``id_number`` (GB 11643-1999, ``core.idnumber``) or created: a new person needs
    姓名, 性别, 民族, 出生日期 consistent with the number (sex/ethnicity/education/political status as code,
    standard name or short form: the code tables' ``.parse``; ``people.services.clean_person_fields``, the
    roster's rules) and is kept by the unit only (no party organization); an existing one must carry the
    given name and no cadre record yet (see the module docstring for the oracle). ``profile``: the
    cadre's own fields (``PROFILE_FIELDS``, ``clean_profile``).

    Requires ``cadre.add`` on the unit (else ``OutOfScope``). Raises ``ValidationFailed`` with every
    problem (nothing written). The checks (and the oracle's audit events) run before the write
    transaction; the write — person, cadre, ``cadre_create`` event — is atomic."""
    unit = _unit(user, unit_code, "add")
    today = timezone.localdate()
    info, problems = validators.check_id_number(str(id_number or ""), today=today)
    profile_values, profile_problems = clean_profile(profile or {}, today=today)
    holder, fields = None, None
    if info is not None:
        holder, link_problems = _existing_person(user, info.number, str(name or "").strip())
        problems += link_problems
    if holder is None and info is not None and not problems:
        fields, person_problems = people_services.clean_person_fields(
            dict(name=name, sex=sex, ethnicity=ethnicity, birth_date=birth_date, id_number=id_number,
                 education_level=education_level, political_status=political_status,
                 work_start_date=work_start_date, phone=phone), today=today)
        problems += person_problems
    _fail(problems + profile_problems)
    with transaction.atomic():
        if holder is None:
            person = Person(name=fields.name, sex=fields.sex, ethnicity=fields.ethnicity, birth_date=fields.birth_date,
                            education_level=fields.education_level, political_status=fields.political_status,
                            work_start_date=fields.work_start_date, organization=None)
            person.set_id_number(fields.id_number)
            person.set_phone(fields.phone)
            person.save()
        else:
            person = holder
        cadre = Cadre.objects.create(person=person, unit=unit, **profile_values)
        record_event("cadre_create", user=user, **_on(cadre),
               summary=f"新增干部「{person.name}」（{unit.name}）{'，关联已登记人员' if holder else ''}",
               data={"unit": unit.code, "person": person.pk, "linked": holder is not None})
    return cadre


# ----- cadre_update / cadre_set_status ---------------------------------------------------------------------------


def cadre_update(*, user, cadre_id: int, expected_version: int, changes: dict, person_version: int | None = None) -> Cadre:
    """Change the cadre's own fields (``PROFILE_FIELDS``; ``unit_code`` moves the cadre to another unit,
    needing ``cadre.change`` there too) and the person's basic fields (``PERSON_FIELDS``, checked by the
    same validators as ``people.services.person_update``; 出生日期/性别 against the stored ID number).

    Requires ``cadre.change`` on the cadre's unit (else ``OutOfScope``) — and that is all the person's
    fields need (see the module docstring); ``id_number`` is refused (``PermissionDeniedError``: changed
    through the person's own page). ``expected_version`` is the cadre's; ``person_version`` the person's
    when the editor loaded it (``None``: not checked). A stale one raises ``ConcurrentEdit``; any problem
    ``ValidationFailed`` (nothing written). Returns the cadre. Audited: the change log of both records and
    a ``cadre_update`` event naming the fields."""
    cadre = _cadre(user, cadre_id, "change")
    if changes.get("id_number") not in (None, ""):
        raise PermissionDeniedError("公民身份号码不能在干部信息中修改，请在人员信息中修改（需要查看敏感信息明文权限）")
    unknown = set(changes) - set(PROFILE_FIELDS) - set(PERSON_FIELDS) - {"unit_code", "id_number"}
    problems = [Problem(name, "该字段不可修改") for name in sorted(unknown)]
    today = timezone.localdate()
    profile, profile_problems = clean_profile(changes, today=today)
    problems += profile_problems
    person_changes = {k: v for k, v in changes.items() if k in PERSON_FIELDS}
    person_cleaned: dict = {}
    if person_changes:
        try:
            person_cleaned = people_services._clean_changes(user, cadre.person, person_changes)
        except ValidationFailed as exc:
            problems += [Problem(e.column, e.reason) for e in exc.errors]
    new_unit = None
    if changes.get("unit_code") not in (None, "") and changes["unit_code"] != cadre.unit.code:
        new_unit = _unit(user, str(changes["unit_code"]), "change")
    _fail(problems)
    with transaction.atomic():
        _lock_in_scope(user, cadre.pk, "change")
        fields = [k for k, v in profile.items() if getattr(cadre, k) != v]
        for key in fields:
            setattr(cadre, key, profile[key])
        if new_unit is not None:
            cadre.unit = new_unit
            fields.append("unit")
        person_fields = [k for k, v in person_cleaned.items() if k == "phone" or getattr(cadre.person, k) != v]
        if person_fields:
            current = Person.objects.select_for_update().filter(pk=cadre.person_id).values_list("version", flat=True).first()
            if person_version is not None and current != person_version:
                raise ConcurrentEdit("该人员的基本信息已被他人修改，请刷新后重新编辑。您的修改未保存。", record=cadre.person)
            people_services._write(cadre.person, current, person_cleaned)
        # the cadre's version is the lock of the whole page (its own fields and the person's)
        save_with_version(cadre, expected_version, fields or ["updated_at"])
        changed = fields + [f"person.{k}" for k in person_fields]
        if changed:
            record_event("cadre_update", user=user, **_on(cadre), summary=f"修改干部「{cadre.person.name}」的信息",
                   data={"fields": changed})
    return cadre


def cadre_set_status(*, user, cadre_id: int, expected_version: int, status: str, note: str = "") -> Cadre:
    """Set the 干部状态 (``CADRE_STATUS``: 在职/退休/调出/去世/其他, by code or name) of the cadre, with an
    optional 备注. Requires ``cadre.change`` (else ``OutOfScope``); ``ValidationFailed`` for an unknown
    status or the status it already has; ``ConcurrentEdit`` for a stale version. Audited
    (``cadre_status``, old and new status)."""
    cadre = _cadre(user, cadre_id, "change")
    code = CADRE_STATUS.parse(status) if status not in (None, "") else None
    problems = []
    if code is None:
        problems.append(Problem("干部状态", f"无法识别的干部状态「{status or ''}」（{'、'.join(CADRE_STATUS.names)}）"))
    elif code == cadre.status:
        problems.append(Problem("干部状态", f"干部状态已是「{CADRE_STATUS.label(code)}」"))
    note = str(note or "").strip()
    if len(note) > 500:
        problems.append(Problem("备注", "超过 500 个字符"))
    _fail(problems)
    with transaction.atomic():
        _lock_in_scope(user, cadre.pk, "change")
        old = cadre.status
        cadre.status = code
        fields = ["status"]
        if note:
            cadre.note = note
            fields.append("note")
        save_with_version(cadre, expected_version, fields)
        record_event("cadre_status", user=user, **_on(cadre),
               summary=f"干部「{cadre.person.name}」状态：{CADRE_STATUS.label(old)} → {CADRE_STATUS.label(code)}",
               data={"from": old, "to": code})
    return cadre


# ----- child records: 学历, 简历, 家庭成员, 年度考核 -------------------------------------------------------------


def _text(values, key, field, problems, *, required=False, limit=None) -> str:
    text = str(values.get(key) or "").strip()
    if required and not text:
        problems.append(Problem(field, "必填项为空"))
    if limit and len(text) > limit:
        problems.append(Problem(field, f"超过 {limit} 个字符"))
    return text


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "true", "on", "是", "yes", "y")


def clean_education(values: dict, *, today: dt.date) -> tuple[dict, list[Problem]]:
    """学历学位: ``category`` (全日制教育 / 在职教育, ``EDUCATION_CATEGORY.parse``; required), 学历 as written
    (``education_text``) and its code (``education_level``: given, else ``education_code_of_text``), 学位
    as written (``degree_text``) and its code (``degree``: given, else ``degree_of_text``), the 毕业院校系及
    专业 of each, ``school``, ``major``, 入学/毕业/学位授予 as months (``parse_month``; 入学 before 毕业).
    A 学历 or a 学位 is required."""
    problems: list[Problem] = []
    out: dict = {}
    raw = values.get("category")
    out["category"] = EDUCATION_CATEGORY.parse(raw) if raw not in (None, "") else None
    if out["category"] is None:
        problems.append(Problem("教育类别", "必填项为空" if raw in (None, "") else f"无法识别的教育类别「{raw}」（全日制教育、在职教育）"))
    out["education_text"] = _text(values, "education_text", "学历", problems, limit=100)
    out["degree_text"] = _text(values, "degree_text", "学位", problems, limit=100)
    if not out["education_text"] and not out["degree_text"]:
        problems.append(Problem("学历", "学历和学位至少填写一项"))
    level = values.get("education_level")
    if level not in (None, ""):
        code = EDUCATION.parse(level)
        if code is None:
            problems.append(Problem("学历代码", f"无法识别的学历「{level}」"))
        out["education_level"] = code or ""
    else:
        out["education_level"] = education_code_of_text(out["education_text"])
    degree = values.get("degree")
    if degree not in (None, ""):
        code = DEGREE.parse(degree) or degree_of_text(str(degree))
        if not code:
            problems.append(Problem("学位代码", f"无法识别的学位「{degree}」"))
        out["degree"] = code or ""
    else:
        out["degree"] = degree_of_text(out["degree_text"])
    out["education_school_major"] = _text(values, "education_school_major", "学历毕业院校系及专业", problems, limit=300)
    out["degree_school_major"] = _text(values, "degree_school_major", "学位毕业院校系及专业", problems, limit=300)
    out["school"] = _text(values, "school", "毕业院校", problems, limit=200)
    out["major"] = _text(values, "major", "专业", problems, limit=200)
    out["start_date"] = parse_month(values.get("start_date"), "入学时间", problems, today=today)
    out["end_date"] = parse_month(values.get("end_date"), "毕业时间", problems, today=today)
    out["degree_date"] = parse_month(values.get("degree_date"), "学位授予时间", problems, today=today)
    problems += validate_period(out["start_date"], out["end_date"], start_field="入学时间", end_field="毕业时间")
    return out, problems


def clean_resume(values: dict, *, today: dt.date) -> tuple[dict, list[Problem]]:
    """简历 line: 起始时间 (required) and 截止时间 (empty = 至今) as months, start before end; the 经历 text
    (required, ≤ 1000); ``in_service_study`` for a （其间） line."""
    problems: list[Problem] = []
    out = {"start_date": parse_month(values.get("start_date"), "起始时间", problems, required=True, today=today),
           "end_date": parse_month(values.get("end_date"), "截止时间", problems, today=today),
           "text": _text(values, "text", "经历", problems, required=True, limit=1000),
           "in_service_study": _bool(values.get("in_service_study"))}
    problems += validate_period(out["start_date"], out["end_date"])
    return out, problems


def clean_family(values: dict, *, today: dt.date) -> tuple[dict, list[Problem]]:
    """家庭成员及重要社会关系: 称谓 and 姓名 (required), 出生日期 (month; empty when unknown), 政治面貌 and
    工作单位及职务 as written, 已去世."""
    problems: list[Problem] = []
    name = str(values.get("name") or "").strip()
    problems += validators.validate_name(name)
    out = {"relation": _text(values, "relation", "称谓", problems, required=True, limit=20), "name": name,
           "birth_date": parse_month(values.get("birth_date"), "出生日期", problems, today=today),
           "political_status": _text(values, "political_status", "政治面貌", problems, limit=50),
           "work_unit_and_post": _text(values, "work_unit_and_post", "工作单位及职务", problems, limit=300),
           "deceased": _bool(values.get("deceased"))}
    return out, problems


def clean_assessment(values: dict, *, today: dt.date) -> tuple[dict, list[Problem]]:
    """年度考核: 年度 (1950 … this year), 考核等次 (``ASSESSMENT_GRADE.parse``: 优秀/称职/基本称职/不称职/不定等次,
    also 合格/基本合格/不合格), 备注."""
    problems: list[Problem] = []
    raw_year = values.get("year")
    try:
        year = int(str(raw_year).strip())
        if not 1950 <= year <= today.year:
            problems.append(Problem("年度", f"年度 {year} 不合理（1950–{today.year}）"))
    except (TypeError, ValueError):
        year = None
        problems.append(Problem("年度", "必填项为空" if raw_year in (None, "") else f"「{raw_year}」不是年份"))
    raw = values.get("grade")
    grade = ASSESSMENT_GRADE.parse(raw) if raw not in (None, "") else None
    if grade is None:
        problems.append(Problem("考核等次", "必填项为空" if raw in (None, "") else
                                f"无法识别的考核等次「{raw}」（{'、'.join(ASSESSMENT_GRADE.names)}）"))
    out = {"year": year, "grade": grade, "note": _text(values, "note", "备注", problems, limit=500)}
    return out, problems


@dataclass(frozen=True)
class ChildKind:
    """One kind of child record of a cadre: the model, its label and action names, the clean function,
    the fields, its Chinese noun and whether it is ordered by ``position``."""

    key: str
    model: type
    noun: str
    clean: object
    fields: tuple[str, ...]
    ordered: bool = True

    @property
    def label(self) -> str:
        return self.model.data_label


KINDS = {
    "education": ChildKind("education", Education, "学历学位", clean_education,
                           ("category", "education_text", "education_level", "degree_text", "degree",
                            "education_school_major", "degree_school_major", "school", "major", "start_date",
                            "end_date", "degree_date")),
    "resume": ChildKind("resume", ResumeEntry, "简历", clean_resume, ("start_date", "end_date", "text", "in_service_study")),
    "family": ChildKind("family", FamilyMember, "家庭成员", clean_family,
                        ("relation", "name", "birth_date", "political_status", "work_unit_and_post", "deceased")),
    "assessment": ChildKind("assessment", AnnualAssessment, "年度考核", clean_assessment, ("year", "grade", "note"),
                            ordered=False),
}


def kind_of(key: str) -> ChildKind:
    """The ``ChildKind`` named ``key`` (``education``, ``resume``, ``family``, ``assessment``)."""
    try:
        return KINDS[key]
    except KeyError:
        raise ValidationFailed([RowError(0, "类别", f"未知的记录类别「{key}」")]) from None


def _check_assessment_year(kind: ChildKind, cadre: Cadre, values: dict, exclude_pk=None) -> list[Problem]:
    if kind.key != "assessment" or values.get("year") is None:
        return []
    others = AnnualAssessment.objects.filter(cadre=cadre, year=values["year"])
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return [Problem("年度", f"{values['year']} 年度已有考核结果，请修改该条记录")] if others.exists() else []


def _child_cadre(user, kind: ChildKind, cadre_id: int, action: str) -> Cadre:
    """The cadre (seen with ``cadre.view``) on whose unit ``user`` holds ``<kind's label>.<action>``."""
    cadre = _cadre(user, cadre_id, "view" if kind.label != "cadre" else action)
    if kind.label != "cadre" and not can(user, kind.label, action, cadre.unit):
        raise PermissionDeniedError(f"您没有{ {'add': '新增', 'change': '修改', 'delete': '删除'}.get(action, action)}"
                                    f"{kind.noun}的权限。")
    return cadre


def _child(user, kind: ChildKind, record_id: int, action: str):
    record = kind.model.objects.restrict(user, action).select_related("cadre", "cadre__person", "cadre__unit") \
        .filter(pk=record_id).first()
    if record is None or not Cadre.objects.restrict(user, "view").filter(pk=record.cadre_id).exists():
        raise OutOfScope(f"{kind.noun}记录不存在或不在您的管理范围内")
    return record


def cadre_record_add(*, user, cadre_id: int, kind: str, values: dict):
    """Add a child record of ``kind`` (``education`` 学历学位, ``resume`` 简历, ``family`` 家庭成员,
    ``assessment`` 年度考核) to the cadre, checked by the kind's clean function (``clean_education`` …),
    placed last (``position``). Requires ``<label>.add`` on the cadre's unit (``cadre``; ``assessment``
    for 年度考核, with ``cadre.view``): ``OutOfScope`` when the cadre is not visible,
    ``PermissionDeniedError`` without the assessment right. One assessment per year (``ValidationFailed``).
    Audited (``cadre_record_add``). Returns the new record."""
    spec = kind_of(kind)
    cadre = _child_cadre(user, spec, cadre_id, "add")
    cleaned, problems = spec.clean(values, today=timezone.localdate())
    problems += _check_assessment_year(spec, cadre, cleaned)
    _fail(problems)
    with transaction.atomic():
        _lock_in_scope(user, cadre.pk, "view")
        extra = {}
        if spec.ordered:
            top = spec.model.objects.filter(cadre=cadre).aggregate(m=Max("position"))["m"]
            extra["position"] = 0 if top is None else top + 1
        record = spec.model.objects.create(cadre=cadre, **cleaned, **extra)
        record_event("cadre_record_add", user=user, **_on(cadre), summary=f"新增干部「{cadre.person.name}」的{spec.noun}记录",
               data={"kind": spec.key, "record": record.pk})
    return record


def cadre_record_update(*, user, kind: str, record_id: int, expected_version: int, changes: dict):
    """Change fields of a child record (keys of the kind's ``fields``; a changed 学历/学位 text re-derives
    its code unless the code is given too). Requires ``<label>.change`` on the cadre's unit (else
    ``OutOfScope``); ``ValidationFailed`` for any problem, ``ConcurrentEdit`` for a stale
    ``expected_version``. Audited (``cadre_record_change``). Returns the record."""
    spec = kind_of(kind)
    record = _child(user, spec, record_id, "change")
    unknown = set(changes) - set(spec.fields)
    current = {f: getattr(record, f) for f in spec.fields}
    if "education_text" in changes and "education_level" not in changes:
        current["education_level"] = ""
    if "degree_text" in changes and "degree" not in changes:
        current["degree"] = ""
    current.update({k: v for k, v in changes.items() if k in spec.fields})
    cleaned, problems = spec.clean(current, today=timezone.localdate())
    problems = [Problem(name, "该字段不可修改") for name in sorted(unknown)] + problems
    problems += _check_assessment_year(spec, record.cadre, cleaned, exclude_pk=record.pk)
    _fail(problems)
    with transaction.atomic():
        _lock_in_scope(user, record.cadre_id, "view")
        fields = [k for k, v in cleaned.items() if getattr(record, k) != v]
        for k in fields:
            setattr(record, k, cleaned[k])
        save_with_version(record, expected_version, fields or ["updated_at"])
        if fields:
            record_event("cadre_record_change", user=user, **_on(record.cadre),
                   summary=f"修改干部「{record.cadre.person.name}」的{spec.noun}记录",
                   data={"kind": spec.key, "record": record.pk, "fields": fields})
    return record


def cadre_record_delete(*, user, kind: str, record_id: int, expected_version: int) -> None:
    """Delete a child record. Requires ``<label>.delete`` on the cadre's unit (else ``OutOfScope``);
    ``ConcurrentEdit`` when it changed since loaded. Audited (``cadre_record_delete``, with the record's
    values)."""
    spec = kind_of(kind)
    record = _child(user, spec, record_id, "delete")
    with transaction.atomic():
        _lock_in_scope(user, record.cadre_id, "view")
        current = spec.model.objects.select_for_update().filter(pk=record.pk).values_list("version", flat=True).first()
        if current is None:
            raise OutOfScope(f"{spec.noun}记录不存在或不在您的管理范围内")
        if current != expected_version:
            raise ConcurrentEdit(record=record)
        cadre = record.cadre
        values = {f: getattr(record, f) for f in spec.fields}
        record.delete()
        record_event("cadre_record_delete", user=user, **_on(cadre), summary=f"删除干部「{cadre.person.name}」的{spec.noun}记录",
               data={"kind": spec.key, "record": record_id, "values": values})


def cadre_record_reorder(*, user, cadre_id: int, kind: str, order: list[int]) -> None:
    """Put the cadre's records of ``kind`` (学历学位, 简历, 家庭成员) in the order of ``order`` (their ids,
    every one exactly once: the list the editor saw). Requires ``cadre.change`` (else ``OutOfScope``);
    ``ConcurrentEdit`` when the records changed meanwhile (the set differs); ``ValidationFailed`` for a
    kind without order. Audited (``cadre_record_reorder``)."""
    spec = kind_of(kind)
    if not spec.ordered:
        _fail([Problem("类别", f"{spec.noun}按年度排列，不能调整顺序")])
    cadre = _cadre(user, cadre_id, "change")
    with transaction.atomic():
        _lock_in_scope(user, cadre.pk, "change")
        rows = list(spec.model.objects.select_for_update().filter(cadre=cadre).order_by("position", "pk"))
        ids = [int(i) for i in order]
        if sorted(ids) != sorted(r.pk for r in rows) or len(set(ids)) != len(ids):
            raise ConcurrentEdit(f"{spec.noun}记录已被他人修改，请刷新后重新调整顺序。")
        by_pk = {r.pk: r for r in rows}
        for position, pk in enumerate(ids):
            row = by_pk[pk]
            if row.position != position:
                row.position = position
                row.save(update_fields=["position", "updated_at"])
        record_event("cadre_record_reorder", user=user, **_on(cadre), summary=f"调整干部「{cadre.person.name}」的{spec.noun}顺序",
               data={"kind": spec.key, "order": ids})


def cadre_record_move(*, user, cadre_id: int, kind: str, record_id: int, direction: str) -> None:
    """Move one record of ``kind`` up (``direction="up"``) or down (``"down"``) by one place
    (``cadre_record_reorder`` with the current order: same rights and errors); ``ValidationFailed`` when it is
    already first/last or the direction is unknown."""
    spec = kind_of(kind)
    cadre = _cadre(user, cadre_id, "change")
    rows = spec.model.objects.filter(cadre=cadre).order_by("position", "pk")
    # 学历学位 move within their category (全日制 / 在职 are shown apart)
    group = (lambda r: r[1]) if spec.key == "education" else (lambda r: "")
    pairs = list(rows.values_list("pk", "category")) if spec.key == "education" else [(pk, "") for pk in
                                                                                      rows.values_list("pk", flat=True)]
    ids = [pk for pk, _ in pairs]
    if record_id not in ids:  # not a row of this cadre (deleted meanwhile, or another cadre's)
        _fail([Problem(spec.noun, f"该{spec.noun}记录不存在，请刷新后重试")])
    if direction not in ("up", "down"):
        _fail([Problem("方向", f"未知的方向「{direction}」（up 上移 / down 下移）")])
    i = ids.index(record_id)
    same = [k for k, pair in enumerate(pairs) if group(pair) == group(pairs[i])]
    at = same.index(i) + (-1 if direction == "up" else 1)
    if not 0 <= at < len(same):
        _fail([Problem("方向", "已在最前" if direction == "up" else "已在最后")])
    j = same[at]
    ids[i], ids[j] = ids[j], ids[i]
    cadre_record_reorder(user=user, cadre_id=cadre.pk, kind=kind, order=ids)


def cadre_records_replace(*, user, cadre_id: int, kind: str, rows: list[dict]) -> list:
    """Replace all of the cadre's records of ``kind`` by ``rows`` (in order) — the apply step of an
    appointment-form import (``cadres.formfiles``) and any "save the whole list" editor. Every row is
    checked first with the kind's clean function; a problem names its row (``RowError.row`` = 1-based
    index in ``rows``) and nothing is written. Requires ``<label>.add`` and ``<label>.delete`` on the
    cadre's unit (``OutOfScope`` / ``PermissionDeniedError`` as ``cadre_record_add``). Audited once
    (``cadre_record_replace``: the kind, how many rows before and after). Returns the new records."""
    spec = kind_of(kind)
    cadre = _child_cadre(user, spec, cadre_id, "add")
    if not can(user, spec.label, "delete", cadre.unit):
        raise PermissionDeniedError(f"您没有删除{spec.noun}的权限。")
    today = timezone.localdate()
    errors: list[RowError] = []
    cleaned_rows = []
    years: set = set()
    for number, values in enumerate(rows, start=1):
        cleaned, problems = spec.clean(values, today=today)
        if spec.key == "assessment" and cleaned.get("year") is not None:
            if cleaned["year"] in years:
                problems.append(Problem("年度", f"{cleaned['year']} 年度重复"))
            years.add(cleaned["year"])
        errors += [RowError(number, p.field, p.reason) for p in problems]
        cleaned_rows.append(cleaned)
    if errors:
        raise ValidationFailed(errors, message="；".join(str(e) for e in errors))
    with transaction.atomic():
        _lock_in_scope(user, cadre.pk, "view")
        before = spec.model.objects.filter(cadre=cadre).count()
        spec.model.objects.filter(cadre=cadre).delete()
        records = []
        for position, cleaned in enumerate(cleaned_rows):
            extra = {"position": position} if spec.ordered else {}
            records.append(spec.model.objects.create(cadre=cadre, **cleaned, **extra))
        record_event("cadre_record_replace", user=user, **_on(cadre),
               summary=f"更新干部「{cadre.person.name}」的全部{spec.noun}记录（{before} 条 → {len(records)} 条）",
               data={"kind": spec.key, "before": before, "after": len(records)})
    return records


# ----- 照片 -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhotoFacts:
    """A checked photo: the bytes, pixel size and SHA-256 (hex)."""

    content: bytes
    width: int
    height: int
    sha256: str


_SIGNATURES = ((b"\x89PNG", "PNG"), (b"GIF8", "GIF"), (b"BM", "BMP"), (b"RIFF", "WEBP"), (b"II*\x00", "TIFF"),
               (b"MM\x00*", "TIFF"), (b"%PDF", "PDF"), (b"PK\x03\x04", "ZIP/Office 文档"))


def check_photo(source) -> PhotoFacts:
    """Check a cadre photo: ``source`` is ``bytes`` or a binary file object (an upload). The format is
    detected from the bytes (never the file name): JPEG only (Pillow opens and verifies it), at most
    ``MAX_PHOTO_BYTES`` (2 MB), each side at most ``MAX_PHOTO_SIDE`` pixels. Raises ``ValidationFailed``
    with one clear reason: too large, empty, another format (named: 「检测到 PNG 图片」), damaged."""
    from PIL import Image, UnidentifiedImageError

    if isinstance(source, bytes | bytearray):
        data = bytes(source[:MAX_PHOTO_BYTES + 1])
    else:
        if hasattr(source, "seek"):
            source.seek(0)
        data = source.read(MAX_PHOTO_BYTES + 1)
    if not data:
        _fail([Problem("照片", "文件为空")])
    if len(data) > MAX_PHOTO_BYTES:
        _fail([Problem("照片", "照片超过 2 MB，请压缩后上传（JPG 格式，建议 4:5 证件照）")])
    if not data.startswith(b"\xff\xd8\xff"):
        found = next((name for sig, name in _SIGNATURES if data.startswith(sig)), "")
        what = f"（检测到 {found} 文件）" if found else ""
        _fail([Problem("照片", f"照片必须是 JPEG 格式{what}；请上传 JPG/JPEG 照片（改文件扩展名不能转换格式）")])
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt, (width, height) = image.format, image.size
            if width > MAX_PHOTO_SIDE or height > MAX_PHOTO_SIDE:
                _fail([Problem("照片", f"照片尺寸 {width}×{height} 像素过大（每边不超过 {MAX_PHOTO_SIDE} 像素）")])
            image.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
    except ValidationFailed:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        _fail([Problem("照片", "照片文件已损坏或不完整，无法读取")])
    if fmt != "JPEG":
        _fail([Problem("照片", f"照片必须是 JPEG 格式（检测到 {fmt}）")])
    return PhotoFacts(content=data, width=width, height=height, sha256=hashlib.sha256(data).hexdigest())


def cadre_photo_set(*, user, cadre_id: int, source) -> CadrePhoto:
    """Store (or replace) the cadre's photo from ``source`` (bytes or an uploaded file; ``check_photo``:
    JPEG by its bytes, ≤ 2 MB) with its width, height and SHA-256. Requires ``cadre.change`` (else
    ``OutOfScope``); ``ValidationFailed`` for a refused file (nothing written). Audited (``cadre_photo_set``,
    size and digest, not the bytes)."""
    cadre = _cadre(user, cadre_id, "change")
    facts = check_photo(source)
    with transaction.atomic():
        _lock_in_scope(user, cadre.pk, "change")
        photo = CadrePhoto.objects.select_for_update().filter(cadre=cadre).first()
        if photo is None:
            photo = CadrePhoto(cadre=cadre)
        photo.content, photo.width, photo.height, photo.sha256 = facts.content, facts.width, facts.height, facts.sha256
        if photo.pk is not None:
            photo.version += 1
        photo.save()
        record_event("cadre_photo_set", user=user, **_on(cadre), summary=f"上传干部「{cadre.person.name}」的照片",
               data={"width": facts.width, "height": facts.height, "bytes": len(facts.content), "sha256": facts.sha256})
    return photo


def cadre_photo_remove(*, user, cadre_id: int) -> None:
    """Remove the cadre's photo. Requires ``cadre.change`` (else ``OutOfScope``); ``ValidationFailed`` when
    there is none. Audited (``cadre_photo_remove``)."""
    cadre = _cadre(user, cadre_id, "change")
    with transaction.atomic():
        _lock_in_scope(user, cadre.pk, "change")
        photo = CadrePhoto.objects.select_for_update().filter(cadre=cadre).first()
        if photo is None:
            _fail([Problem("照片", "该干部没有照片")])
        digest = photo.sha256
        photo.delete()
        record_event("cadre_photo_remove", user=user, **_on(cadre), summary=f"删除干部「{cadre.person.name}」的照片",
               data={"sha256": digest})
