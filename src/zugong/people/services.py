"""Person services (人员): creating a person (``person_create``) and editing one (``person_update``).

Both run the same checks (``people.validators``) as the roster import and the API, and the same
ID-number rules: a number held inside the caller's scope is a plain duplicate; a number held outside it
is answered only through the ID-number oracle (``people.oracle.existence_answer``: audited, counted
against the daily budget, refused neutrally once it is spent).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from zugong.audit.services import record_event
from zugong.core import crypto, idnumber
from zugong.core.codes import (
    EDUCATION,
    ETHNICITY,
    POLITICAL_STATUS,
    SEX,
    TITLE_LEVEL,
    YES_NO,
    title_level_parse,
)
from zugong.core.concurrency import save_with_version
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import ConcurrentEdit, OutOfScope, PermissionDeniedError, RowError, ValidationFailed
from zugong.orgs.models import PartyOrganization
from zugong.people import validators
from zugong.people.models import Person
from zugong.people.oracle import THROTTLED_MESSAGE, existence_answer
from zugong.people.selectors import person_get, person_may_unmask
from zugong.people.validators import Problem

ELSEWHERE_MESSAGE = "该公民身份号码已在您的管理范围以外登记，如属同一人请通过组织关系转接办理"
DUPLICATE_MESSAGE = "该公民身份号码已登记"


@dataclass(frozen=True)
class PersonFields:
    """The cleaned fields of a new person (plaintext ``id_number``/``phone``, normalised)."""

    name: str
    sex: str
    ethnicity: str
    birth_date: dt.date
    id_number: str
    education_level: str
    political_status: str
    work_start_date: dt.date | None
    phone: str
    taiwan_origin: bool = False
    title_level: str = ""


def raise_problems(problems: list[Problem]) -> None:
    """Raise ``ValidationFailed`` listing ``problems`` (``RowError(0, field, reason)`` each; the
    message joins them) when there are any."""
    if problems:
        errors = [RowError(0, p.field, p.reason) for p in problems]
        raise ValidationFailed(errors, message="；".join(p.message for p in problems))


def parse_day(value, field: str, problems: list[Problem], *, required: bool, today: dt.date) -> dt.date | None:
    """A date from a form/API value (``dt.date`` or text in the forms of ``core.dates.parse_date``);
    appends a ``Problem`` for a missing required, unreadable or future date."""
    try:
        day, _ = parse_date(value)
    except DateParseError as exc:
        problems.append(Problem(field, str(exc)))
        return None
    if day is None:
        if required:
            problems.append(Problem(field, "必填项为空"))
        return None
    if day > today:
        problems.append(Problem(field, f"日期 {day.isoformat()} 晚于今天"))
        return None
    return day


def parse_code(table, raw, field: str, problems: list[Problem], *, required: bool = False) -> str:
    """The code of ``raw`` in the code ``table`` (code, standard name or short form; ``""`` when blank),
    appending 「必填项为空」 (``required``) or 「无法识别的<table>「raw」」 to ``problems`` under ``field``."""
    if raw in (None, ""):
        if required:
            problems.append(Problem(field, "必填项为空"))
        return ""
    code = table.parse(raw)
    if code is None:
        problems.append(Problem(field, f"无法识别的{table.name}「{raw}」"))
        return ""
    return code


def parse_yes_no(raw, field: str, problems: list[Problem]) -> bool:
    """A yes/no value (``bool``, 是/否, 1/0, ``on``; blank = 否); appends a ``Problem`` for anything else."""
    if raw in (None, ""):
        return False
    if isinstance(raw, bool):
        return raw
    if str(raw).strip().lower() == "on":
        return True
    code = YES_NO.parse(raw)
    if code is None:
        problems.append(Problem(field, f"「{raw}」不是「是」或「否」"))
        return False
    return code == "1"


def parse_title_level(raw, problems: list[Problem]) -> str:
    """专业技术职务等级 (党内统计年报 第二表 补充资料): 高级/中级/初级, a code, or a title name (高级工程师 →
    ``senior``, ``core.codes.title_level_parse``); blank = none. Appends a ``Problem`` for anything else."""
    if raw in (None, ""):
        return ""
    code = title_level_parse(raw)
    if code is None:
        problems.append(Problem("专业技术职务等级", f"无法识别的专业技术职务等级「{raw}」（{'、'.join(TITLE_LEVEL.names)}，"
                                              "或职称名称如 高级工程师）"))
        return ""
    return code


def clean_person_fields(values: dict, *, today: dt.date) -> tuple[PersonFields | None, list[Problem]]:
    """Check the fields of a new person with ``people.validators`` — the roster import's rules.

    ``values``: ``name``, ``sex``, ``ethnicity``, ``birth_date``, ``id_number`` (required);
    ``education_level``, ``political_status``, ``work_start_date``, ``phone``, ``taiwan_origin`` (台湾省籍,
    是/否), ``title_level`` (专业技术职务等级, ``parse_title_level``) (optional); codes as code,
    standard name or short form, dates as ``dt.date`` or text. Returns ``(fields, problems)``; ``fields``
    is ``None`` when anything is wrong. Warnings are problems here (a record entered by hand)."""
    problems: list[Problem] = []
    name = str(values.get("name") or "").strip()
    problems += validators.validate_name(name)
    sex = parse_code(SEX, values.get("sex"), "性别", problems, required=True)
    ethnicity = parse_code(ETHNICITY, values.get("ethnicity"), "民族", problems, required=True)
    education = parse_code(EDUCATION, values.get("education_level"), "学历", problems, required=False)
    political = parse_code(POLITICAL_STATUS, values.get("political_status"), "政治面貌", problems, required=False)
    birth = parse_day(values.get("birth_date"), "出生日期", problems, required=True, today=today)
    if birth is not None:
        problems += validators.validate_birth_date(birth, today=today)
    work = parse_day(values.get("work_start_date"), "参加工作日期", problems, required=False, today=today)
    info, id_problems = validators.check_id_number(str(values.get("id_number") or ""), today=today)
    problems += id_problems
    if info is not None:
        problems += validators.validate_id_number_matches(info, birth_date=birth, sex=sex or None)
    problems += validators.validate_work_start(birth or (info.birth_date if info else None), work)
    phone = validators.normalize_phone(values.get("phone") or "")
    problems += validators.validate_phone(phone)
    taiwan = parse_yes_no(values.get("taiwan_origin"), "台湾省籍", problems)
    title = parse_title_level(values.get("title_level"), problems)
    if problems:
        return None, validators.blocking(problems)
    return PersonFields(name=name, sex=sex, ethnicity=ethnicity, birth_date=birth, id_number=info.number,
                        education_level=education, political_status=political, work_start_date=work,
                        phone=phone, taiwan_origin=taiwan, title_level=title), []


def id_number_problem(*, user, digest: str, context: str, exclude_pk: int | None = None,
                      object_id: object = "") -> Problem | None:
    """Whether a person may take the ID number hashed ``digest``: ``None`` if so, else the ``Problem``.

    A number held by another person inside ``user``'s ``basic.view`` scope is a duplicate
    (「该公民身份号码已登记」). Otherwise the answer goes through ``people.oracle.existence_answer``
    (``context`` names the path in the audit row): held outside the scope → answered (audited, counted);
    budget spent → ``THROTTLED_MESSAGE`` for new and existing numbers alike. Call it outside the write
    transaction (its audit events must outlive a refusal)."""
    holders = Person.objects.filter(id_number_hash=digest)
    if exclude_pk is not None:
        holders = holders.exclude(pk=exclude_pk)
    holder = holders.values_list("pk", flat=True).first()
    if holder is not None and Person.objects.restrict(user, "view").filter(pk=holder).exists():
        return Problem("公民身份号码", DUPLICATE_MESSAGE)
    answer = existence_answer(user=user, unknown=1, elsewhere=int(holder is not None), context=context,
                              object_type="people.person", object_id=object_id)
    if answer.answered:
        return Problem("公民身份号码", ELSEWHERE_MESSAGE)
    if answer.throttled:
        return Problem("公民身份号码", THROTTLED_MESSAGE)
    return None


def target_organization(*, user, organization_id: int, label: str, action: str = "add") -> PartyOrganization:
    """The organization ``organization_id`` if ``user`` holds ``<label>.<action>`` on it, else
    ``OutOfScope`` (unknown and out-of-scope alike: 404)."""
    org = PartyOrganization.objects.restrict(user, action, label=label).filter(pk=organization_id).first()
    if org is None:
        raise OutOfScope("党组织不存在或不在您的数据范围内。")
    return org


def check_new_person(*, user, organization_id: int, values: dict, context: str = "新增人员",
                     labels: tuple[str, ...] = ("basic",), more_checks=None,
                     today: dt.date | None = None) -> tuple[PartyOrganization, PersonFields]:
    """Everything ``person_create`` checks before writing: the scope (``<label>.add`` on the target
    organization for each of ``labels``, else ``OutOfScope``), the fields (``clean_person_fields``) and
    ``more_checks(fields_or_None, org) -> list[Problem]`` (the caller's own checks, e.g. the party data), then —
    only when everything else is right — the ID number against existing people (``id_number_problem``).
    Raises ``ValidationFailed`` listing every problem. Returns ``(organization, fields)``."""
    today = today or timezone.localdate()
    org = None
    for label in labels:
        org = target_organization(user=user, organization_id=organization_id, label=label)
    fields, problems = clean_person_fields(values, today=today)
    if more_checks is not None:
        problems += more_checks(fields, org)
    raise_problems(problems)
    problem = id_number_problem(user=user, digest=Person.hash_id_number(fields.id_number), context=context)
    if problem is not None:
        raise_problems([problem])
    return org, fields


def insert_person(*, user, organization: PartyOrganization, fields: PersonFields) -> Person:
    """Write a checked person (inside the caller's transaction): ``Person`` saved (change log: the
    sensitive columns as ``***``) and a ``person_create`` event (id and organization, no name or number)."""
    person = Person(name=fields.name, sex=fields.sex, ethnicity=fields.ethnicity, birth_date=fields.birth_date,
                    education_level=fields.education_level, political_status=fields.political_status,
                    work_start_date=fields.work_start_date, organization=organization,
                    taiwan_origin=fields.taiwan_origin, title_level=fields.title_level)
    person.set_id_number(fields.id_number)
    person.set_phone(fields.phone)
    person.save()
    record_event("person_create", user=user, object_type="people.person", object_id=person.pk,
                 summary=f"新增人员 #{person.pk}（{organization.name}）",
                 data={"organization": organization.code})
    return person


def person_create(*, user, organization_id: int, name: str, sex: str, ethnicity: str, birth_date,
                  id_number: str, education_level: str = "", political_status: str = "", work_start_date=None,
                  phone: str = "", taiwan_origin=False, title_level: str = "") -> Person:
    """Create a person (人员) held by organization ``organization_id``.

    ``sex``/``ethnicity``/``education_level``/``political_status`` as GB code, standard name or short
    form; ``birth_date``/``work_start_date`` as ``dt.date`` or text (``YYYY-MM-DD`` …); ``id_number`` and
    ``phone`` in plaintext (stored encrypted, hashed and masked); ``taiwan_origin`` (台湾省籍) and
    ``title_level`` (专业技术职务等级: 高级/中级/初级 or a title name) for the 党内统计年报 第二表.

    Requires ``basic.add`` on the organization (else ``OutOfScope``, 404). Raises ``ValidationFailed``
    (every problem by field, nothing written) for: a malformed ID number or one whose birth date or sex
    contradicts 出生日期/性别 (GB 11643-1999); a bad phone, name or birth date; work before age 16
    (《劳动法》第十五条); a number already registered (inside the scope: a duplicate; outside it: answered
    through the ID-number oracle, audited and counted, or the neutral throttled refusal). The checks run
    before the write transaction (their audit events are kept on refusal); the write is atomic."""
    values = dict(name=name, sex=sex, ethnicity=ethnicity, birth_date=birth_date, id_number=id_number,
                  education_level=education_level, political_status=political_status,
                  work_start_date=work_start_date, phone=phone, taiwan_origin=taiwan_origin, title_level=title_level)
    org, fields = check_new_person(user=user, organization_id=organization_id, values=values)
    with transaction.atomic():
        return insert_person(user=user, organization=org, fields=fields)


# ----- 人员信息修改 (person_update): the page form, the API PATCH and scripts call it -----------------------
# The editor sends the ``version`` they loaded; if someone saved the person in between, the save is refused
# with ``ConcurrentEdit`` (page: message + 409; API: 409) instead of overwriting
# (``core.concurrency.save_with_version``). The change log records before/after of the changed fields, with
# the encrypted ID number and phone shown only as ``***``.

EDITABLE_FIELDS = {
    "name": "姓名",
    "sex": "性别",
    "ethnicity": "民族",
    "birth_date": "出生日期",
    "education_level": "学历",
    "political_status": "政治面貌",
    "work_start_date": "参加工作日期",
    "id_number": "公民身份号码",
    "phone": "手机号码",
    "taiwan_origin": "台湾省籍",
    "title_level": "专业技术职务等级",
}
ID_NUMBER_RIGHT_MESSAGE = "修改公民身份号码须具有该人员所在组织的「查看敏感信息明文」权限，请联系本单位组织部门"


def _new_id_number_problem(user, person: Person, digest: str) -> str:
    """Why ``person`` may not take the ID number hashed ``digest`` ("" if it may): the shared rule of
    ``people.services.id_number_problem`` (a duplicate inside the scope; otherwise the ID-number oracle —
    audited, counted against the daily budget, neutral refusal once it is spent)."""
    problem = id_number_problem(user=user, digest=digest, context="修改人员信息", exclude_pk=person.pk,
                                object_id=person.pk)
    return problem.reason if problem else ""


def _require_id_number_right(user, person: Person) -> None:
    """Changing an ID number needs ``basic.unmask`` on the person's organization (the right that
    ``person_unmask`` checks): without it the editor cannot know the number being replaced, and the
    duplicate check would let them probe numbers. Refused for any submitted number, even the current one
    (else comparing would reveal it). The refusal is audited (``id_number_change_denied``) and raises
    ``PermissionDeniedError``."""
    if person_may_unmask(user=user, pk=person.pk):
        return
    record_event("id_number_change_denied", user=user, object_type="people.person", object_id=person.pk,
                 summary=f"修改「{person.name}」的公民身份号码被拒绝（无查看敏感信息明文权限）",
                 data={"field": "id_number"})
    raise PermissionDeniedError(ID_NUMBER_RIGHT_MESSAGE)


def _clean_changes(user, person: Person, changes: dict) -> dict:
    """Validate ``changes`` (field → new value) with the shared validators (``people.validators``: the
    roster import's rules; warnings refuse here, as for any record entered by hand); returns the cleaned
    values or raises ``ValidationFailed`` listing every problem by field."""
    today = timezone.localdate()
    problems: list[Problem] = []
    unknown = set(changes) - set(EDITABLE_FIELDS)
    for name in sorted(unknown):
        problems.append(Problem(name, "该字段不可修改"))
    out: dict = {}
    if "name" in changes:
        out["name"] = str(changes["name"] or "").strip()
        problems += validators.validate_name(out["name"])
    for field, table, required in (("sex", SEX, True), ("ethnicity", ETHNICITY, True),
                                   ("education_level", EDUCATION, False), ("political_status", POLITICAL_STATUS, False)):
        if field in changes:
            raw = changes[field]
            code = table.parse(raw) if raw not in (None, "") else ""
            if code is None or (required and not code):
                problems.append(Problem(EDITABLE_FIELDS[field],
                                        "必填项为空" if raw in (None, "") else f"「{raw}」不是有效的{table.name}代码"))
                code = None
            out[field] = code or ""
    if "birth_date" in changes:
        out["birth_date"] = parse_day(changes["birth_date"], "出生日期", problems, required=True, today=today)
        if out["birth_date"] is not None:
            problems += validators.validate_birth_date(out["birth_date"], today=today)
    if "work_start_date" in changes:
        out["work_start_date"] = parse_day(changes["work_start_date"], "参加工作日期", problems, required=False,
                                           today=today)
    birth = out.get("birth_date", person.birth_date)
    sex = out.get("sex", person.sex) or None
    if "work_start_date" in changes or "birth_date" in changes:
        problems += validators.validate_work_start(birth, out.get("work_start_date", person.work_start_date))
    info = None
    if changes.get("id_number") not in (None, ""):
        info, id_problems = validators.check_id_number(str(changes["id_number"]), today=today)
        problems += id_problems
    elif ("birth_date" in changes or "sex" in changes) and person.id_number_encrypted:
        # the stored number must still agree with the changed birth date or sex (GB 11643)
        try:
            info = idnumber.parse(person.id_number, accept_bad_checksum=True, today=today)
        except idnumber.IdNumberError:
            info = None
    if info is not None:
        problems += validators.validate_id_number_matches(
            info, birth_date=birth if "出生日期" not in {p.field for p in problems} else None,
            sex=sex if "性别" not in {p.field for p in problems} else None,
            reveal=changes.get("id_number") not in (None, ""))  # a stored number is not described
    if changes.get("id_number") not in (None, "") and info is not None and not problems:
        digest = Person.hash_id_number(info.number)
        if digest != person.id_number_hash:
            problem = _new_id_number_problem(user, person, digest)
            if problem:
                problems.append(Problem("公民身份号码", problem))
            out["id_number"] = info.number
    if "phone" in changes:
        phone = validators.normalize_phone(changes["phone"] or "")
        problems += validators.validate_phone(phone)
        out["phone"] = phone
    if "taiwan_origin" in changes:
        out["taiwan_origin"] = parse_yes_no(changes["taiwan_origin"], "台湾省籍", problems)
    if "title_level" in changes:
        out["title_level"] = parse_title_level(changes["title_level"], problems)
    if problems:
        raise_problems(validators.blocking(problems))
    return out


def person_update(*, user, person_id: int, expected_version: int, changes: dict) -> Person:
    """Change the fields in ``changes`` (keys of ``EDITABLE_FIELDS``; ``id_number``/``phone`` as plaintext,
    stored encrypted; an empty ``id_number`` means unchanged) of person ``person_id``.

    Requires ``basic.change`` on the person's organization (else ``OutOfScope``: the person does not
    exist for the caller), and ``basic.unmask`` there to submit an ``id_number`` (else
    ``PermissionDeniedError``, audited). Raises ``ValidationFailed`` (every bad field, nothing written)
    and ``ConcurrentEdit`` when the stored version differs from ``expected_version``. Returns the person
    with its new ``version``. Audited by the change log (sensitive columns as ``***``).

    Checks run before the write transaction, so the audit events of a refusal (denied ID change, an
    "already registered elsewhere" answer) are kept; the write itself is atomic and re-checks the
    version (and the database the ID number's uniqueness)."""
    person = person_get(user=user, pk=person_id, action="change")
    if person is None:
        raise OutOfScope()
    if changes.get("id_number") not in (None, ""):
        _require_id_number_right(user, person)
    cleaned = _clean_changes(user, person, changes)
    with transaction.atomic():
        return _write(person, expected_version, cleaned)


def _write(person: Person, expected_version: int, cleaned: dict) -> Person:
    fields: list[str] = []
    for key, value in cleaned.items():
        if key == "id_number":
            person.set_id_number(value)
            fields += ["id_number_encrypted", "id_number_hash", "id_number_masked"]
        elif key == "phone":
            if crypto.cipher().lookup_hash(value) != person.phone_hash:
                person.set_phone(value)
                fields += ["phone_encrypted", "phone_hash", "phone_masked"]
        elif getattr(person, key) != value:
            setattr(person, key, value)
            fields.append(key)
    if not fields:
        # nothing to write, but a stale copy is still refused so the editor sees the other change
        current = Person.objects.filter(pk=person.pk).values_list("version", flat=True).first()
        if current != expected_version:
            raise ConcurrentEdit()
        return person
    save_with_version(person, expected_version, fields)
    return person
