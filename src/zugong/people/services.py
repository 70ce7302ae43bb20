"""Person services (人员): creating a person. Editing is ``people.editing.person_update``.

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
from zugong.core.codes import EDUCATION, ETHNICITY, POLITICAL_STATUS, SEX
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import OutOfScope, RowError, ValidationFailed
from zugong.orgs.models import PartyOrganization
from zugong.people import validators
from zugong.people.models import Person
from zugong.people.oracle import THROTTLED_MESSAGE, existence_answer
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


def _code(table, raw, field: str, problems: list[Problem], *, required: bool) -> str:
    if raw in (None, ""):
        if required:
            problems.append(Problem(field, "必填项为空"))
        return ""
    code = table.parse(raw)
    if code is None:
        problems.append(Problem(field, f"无法识别的{table.name}「{raw}」"))
        return ""
    return code


def clean_person_fields(values: dict, *, today: dt.date) -> tuple[PersonFields | None, list[Problem]]:
    """Check the fields of a new person with ``people.validators`` — the roster import's rules.

    ``values``: ``name``, ``sex``, ``ethnicity``, ``birth_date``, ``id_number`` (required);
    ``education_level``, ``political_status``, ``work_start_date``, ``phone`` (optional); codes as code,
    standard name or short form, dates as ``dt.date`` or text. Returns ``(fields, problems)``; ``fields``
    is ``None`` when anything is wrong. Warnings are problems here (a record entered by hand)."""
    problems: list[Problem] = []
    name = str(values.get("name") or "").strip()
    problems += validators.validate_name(name)
    sex = _code(SEX, values.get("sex"), "性别", problems, required=True)
    ethnicity = _code(ETHNICITY, values.get("ethnicity"), "民族", problems, required=True)
    education = _code(EDUCATION, values.get("education_level"), "学历", problems, required=False)
    political = _code(POLITICAL_STATUS, values.get("political_status"), "政治面貌", problems, required=False)
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
    if problems:
        return None, validators.blocking(problems)
    return PersonFields(name=name, sex=sex, ethnicity=ethnicity, birth_date=birth, id_number=info.number,
                        education_level=education, political_status=political, work_start_date=work,
                        phone=phone), []


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
                    work_start_date=fields.work_start_date, organization=organization)
    person.set_id_number(fields.id_number)
    person.set_phone(fields.phone)
    person.save()
    record_event("person_create", user=user, object_type="people.person", object_id=person.pk,
                 summary=f"新增人员 #{person.pk}（{organization.name}）",
                 data={"organization": organization.code})
    return person


def person_create(*, user, organization_id: int, name: str, sex: str, ethnicity: str, birth_date,
                  id_number: str, education_level: str = "", political_status: str = "", work_start_date=None,
                  phone: str = "") -> Person:
    """Create a person (人员) held by organization ``organization_id``.

    ``sex``/``ethnicity``/``education_level``/``political_status`` as GB code, standard name or short
    form; ``birth_date``/``work_start_date`` as ``dt.date`` or text (``YYYY-MM-DD`` …); ``id_number`` and
    ``phone`` in plaintext (stored encrypted, hashed and masked).

    Requires ``basic.add`` on the organization (else ``OutOfScope``, 404). Raises ``ValidationFailed``
    (every problem by field, nothing written) for: a malformed ID number or one whose birth date or sex
    contradicts 出生日期/性别 (GB 11643-1999); a bad phone, name or birth date; work before age 16
    (《劳动法》第十五条); a number already registered (inside the scope: a duplicate; outside it: answered
    through the ID-number oracle, audited and counted, or the neutral throttled refusal). The checks run
    before the write transaction (their audit events are kept on refusal); the write is atomic."""
    values = dict(name=name, sex=sex, ethnicity=ethnicity, birth_date=birth_date, id_number=id_number,
                  education_level=education_level, political_status=political_status,
                  work_start_date=work_start_date, phone=phone)
    org, fields = check_new_person(user=user, organization_id=organization_id, values=values)
    with transaction.atomic():
        return insert_person(user=user, organization=org, fields=fields)
