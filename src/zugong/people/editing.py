"""Editing a person (人员信息修改) with optimistic locking: the page form, the API ``PATCH`` and any
script call the same service, ``person_update``.

The editor sends the ``version`` they loaded; if someone saved the person in between, the save is
refused with ``ConcurrentEdit`` (page: message + 409; API: 409) instead of overwriting
(``core.concurrency.save_with_version``). The change log records before/after of the changed fields,
with the encrypted ID number and phone shown only as ``***``.
"""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.db import transaction
from django.utils import timezone

from zugong.audit.services import record_event
from zugong.core import crypto, idnumber
from zugong.core.codes import EDUCATION, ETHNICITY, POLITICAL_STATUS, SEX
from zugong.core.concurrency import save_with_version
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import ConcurrentEdit, OutOfScope, PermissionDeniedError, RowError, ValidationFailed
from zugong.people.models import Person
from zugong.people.oracle import THROTTLED_MESSAGE, existence_answer

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
_PHONE = re.compile(r"^\+?[0-9][0-9-]{5,18}[0-9]$")


def _date(value, label: str, errors: list[RowError], *, required: bool) -> dt.date | None:
    try:
        day, _ = parse_date(value)
    except DateParseError as exc:
        errors.append(RowError(0, label, str(exc)))
        return None
    if day is None and required:
        errors.append(RowError(0, label, "必填"))
    elif day is not None and day > timezone.localdate():
        errors.append(RowError(0, label, f"{day.isoformat()} 晚于今天"))
    return day


def _new_id_number_problem(user, person: Person, digest: str) -> str:
    """Why ``person`` may not take the ID number hashed ``digest`` ("" if it may). A number held by
    another person inside ``user``'s ``basic.view`` scope is simply a duplicate; otherwise the answer goes
    through ``people.oracle.existence_answer`` (audited, counted against the daily budget; once it is
    spent, new and existing numbers get the same neutral refusal)."""
    holder = Person.objects.filter(id_number_hash=digest).exclude(pk=person.pk).values_list("pk", flat=True).first()
    if holder is not None and Person.objects.restrict(user, "view").filter(pk=holder).exists():
        return "该公民身份号码已登记"
    answer = existence_answer(user=user, unknown=1, elsewhere=int(holder is not None), context="修改人员信息",
                              object_type="people.person", object_id=person.pk)
    if answer.answered:
        return "该公民身份号码已在您的管理范围以外登记，如属同一人请通过组织关系转接办理"
    if answer.throttled:
        return THROTTLED_MESSAGE
    return ""


def _require_id_number_right(user, person: Person) -> None:
    """Changing an ID number needs ``basic.unmask`` on the person's organization (the right that
    ``person_unmask`` checks): without it the editor cannot know the number being replaced, and the
    duplicate check would let them probe numbers. Refused for any submitted number, even the current one
    (else comparing would reveal it). The refusal is audited (``id_number_change_denied``) and raises
    ``PermissionDeniedError``."""
    if Person.objects.restrict(user, "unmask").filter(pk=person.pk).exists():
        return
    record_event("id_number_change_denied", user=user, object_type="people.person", object_id=person.pk,
                 summary=f"修改「{person.name}」的公民身份号码被拒绝（无查看敏感信息明文权限）",
                 data={"field": "id_number"})
    raise PermissionDeniedError(ID_NUMBER_RIGHT_MESSAGE)


def _clean_changes(user, person: Person, changes: dict) -> dict:
    """Validate ``changes`` (field → new value) against the rules; returns the cleaned values or raises
    ``ValidationFailed`` listing every problem by field."""
    errors: list[RowError] = []
    unknown = set(changes) - set(EDITABLE_FIELDS)
    for name in sorted(unknown):
        errors.append(RowError(0, name, "该字段不可修改"))
    out: dict = {}
    if "name" in changes:
        name = str(changes["name"] or "").strip()
        if not name:
            errors.append(RowError(0, "姓名", "必填"))
        elif any(not ch.isprintable() for ch in name):
            errors.append(RowError(0, "姓名", "不得包含换行符或其他控制字符"))
        elif len(name) > 50:
            errors.append(RowError(0, "姓名", "不得超过 50 个字符"))
        out["name"] = name
    for field, table, required in (("sex", SEX, True), ("ethnicity", ETHNICITY, True),
                                   ("education_level", EDUCATION, False), ("political_status", POLITICAL_STATUS, False)):
        if field in changes:
            raw = changes[field]
            code = table.parse(raw) if raw not in (None, "") else ""
            if code is None or (required and not code):
                errors.append(RowError(0, EDITABLE_FIELDS[field], "必填" if raw in (None, "") else f"「{raw}」不是有效的{table.name}代码"))
            out[field] = code or ""
    if "birth_date" in changes:
        out["birth_date"] = _date(changes["birth_date"], "出生日期", errors, required=True)
    if "work_start_date" in changes:
        out["work_start_date"] = _date(changes["work_start_date"], "参加工作日期", errors, required=False)
    birth = out.get("birth_date", person.birth_date)
    work = out.get("work_start_date", person.work_start_date)
    if birth and work and work < birth:
        errors.append(RowError(0, "参加工作日期", "早于出生日期"))
    if changes.get("id_number") not in (None, ""):
        try:
            info = idnumber.parse(changes["id_number"])
        except idnumber.IdNumberError as exc:
            errors.append(RowError(0, "公民身份号码", str(exc)))
        else:
            digest = Person.hash_id_number(info.number)
            if digest != person.id_number_hash:
                problem = _new_id_number_problem(user, person, digest)
                if problem:
                    errors.append(RowError(0, "公民身份号码", problem))
                out["id_number"] = info.number
    if "phone" in changes:
        phone = re.sub(r"\s", "", str(changes["phone"] or ""))
        if phone and not _PHONE.match(phone):
            errors.append(RowError(0, "手机号码", "格式不正确（应为 11 位手机号码或带区号的电话号码）"))
        out["phone"] = phone
    if errors:
        raise ValidationFailed(errors, message="；".join(str(e).removeprefix("文件") for e in errors))
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
    person = Person.objects.restrict(user, "change").filter(pk=person_id).first()
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
