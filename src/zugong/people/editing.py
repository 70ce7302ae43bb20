"""Editing a person (人员信息修改) with optimistic locking: the page form, the API ``PATCH`` and any
script call the same service, ``person_update``.

The editor sends the ``version`` they loaded; if someone saved the person in between, the save is
refused with ``ConcurrentEdit`` (page: message + 409; API: 409) instead of overwriting
(``core.concurrency.save_with_version``). The change log records before/after of the changed fields,
with the encrypted ID number and phone shown only as ``***``.
"""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.utils import timezone

from zugong.audit.changelog import last_change  # noqa: F401  (re-exported: the edit pages' 409 detail)
from zugong.audit.services import record_event
from zugong.core import crypto, idnumber
from zugong.core.codes import EDUCATION, ETHNICITY, POLITICAL_STATUS, SEX
from zugong.core.concurrency import save_with_version
from zugong.core.errors import ConcurrentEdit, OutOfScope, PermissionDeniedError
from zugong.people import validators
from zugong.people.models import Person
from zugong.people.selectors import person_get, person_may_unmask
from zugong.people.services import id_number_problem, parse_day, raise_problems
from zugong.people.validators import Problem

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


class NoEchoTextInput(forms.TextInput):
    """A text input that never writes its value back into the page: a form shown again after an error
    (400) or a conflict (409) does not repeat the ID number or phone typed into it."""

    def format_value(self, value):
        """Always ``None`` (no ``value`` attribute), whatever was submitted."""
        return None


class PersonEditForm(forms.Form):
    """The person edit page form. ``id_number``/``phone`` start empty (shown masked beside them): empty =
    unchanged."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="姓名", max_length=50)
    sex = forms.ChoiceField(label="性别", choices=SEX.choices)
    ethnicity = forms.ChoiceField(label="民族", choices=ETHNICITY.choices)
    birth_date = forms.DateField(label="出生日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    education_level = forms.ChoiceField(label="学历", choices=[("", "—"), *EDUCATION.choices], required=False)
    political_status = forms.ChoiceField(label="政治面貌", choices=[("", "—"), *POLITICAL_STATUS.choices], required=False)
    work_start_date = forms.DateField(label="参加工作日期", required=False,
                                      widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    id_number = forms.CharField(label="公民身份号码（新）", max_length=30, required=False,
                                help_text="留空表示不修改。", widget=NoEchoTextInput(attrs={"autocomplete": "off"}))
    phone = forms.CharField(label="手机号码（新）", max_length=30, required=False,
                            help_text="留空表示不修改。", widget=NoEchoTextInput(attrs={"autocomplete": "off"}))
    clear_phone = forms.BooleanField(label="清除手机号码", required=False)

    @classmethod
    def for_person(cls, person: Person, data=None, *, may_change_id_number: bool = True):
        """The form for ``person``; without ``may_change_id_number`` (no ``basic.unmask``) the ID number
        field says so (a value sent anyway is refused by ``person_update``)."""
        initial = {k: getattr(person, k) for k in ("name", "sex", "ethnicity", "birth_date", "education_level",
                                                    "political_status", "work_start_date")}
        initial["version"] = person.version
        form = cls(data, initial=initial)
        if not may_change_id_number:
            form.fields["id_number"].help_text = "您没有该人员的「查看敏感信息明文」权限，不能修改公民身份号码。"
        return form

    def changes(self) -> dict:
        """The cleaned form as a ``person_update`` change dict."""
        data = self.cleaned_data
        out = {k: data[k] for k in ("name", "sex", "ethnicity", "birth_date", "education_level", "political_status",
                                    "work_start_date")}
        if data.get("id_number"):
            out["id_number"] = data["id_number"]
        if data.get("clear_phone"):
            out["phone"] = ""
        elif data.get("phone"):
            out["phone"] = data["phone"]
        return out
