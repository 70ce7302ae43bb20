"""Person forms: the edit page form (``PersonEditForm``) and the input that never echoes a typed ID number
or phone (``NoEchoTextInput``). The page calls ``people.services.person_update``."""

from __future__ import annotations

from django import forms

from zugong.core.codes import EDUCATION, ETHNICITY, POLITICAL_STATUS, SEX, TITLE_LEVEL
from zugong.people.models import Person


class NoEchoTextInput(forms.TextInput):
    """A text input that never writes its value back into the page: a form shown again after an error
    (400) or a conflict (409) does not repeat the ID number or phone typed into it."""

    def format_value(self, value):
        """Always ``None`` (no ``value`` attribute), whatever was submitted."""
        return None


class PersonEditForm(forms.Form):
    """The person edit page form. ``id_number``/``phone`` start empty (shown masked beside them): empty =
    unchanged. 民族 stays required when edited by hand (``people.services`` refuses a blank one); a person
    imported without it (issue #9) shows an empty 「请选择」 choice — never a silently pre-selected 汉族 —
    so saving the form asks for it."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label="姓名", max_length=50)
    sex = forms.ChoiceField(label="性别", choices=SEX.choices)
    ethnicity = forms.ChoiceField(label="民族", choices=[("", "—请选择—"), *ETHNICITY.choices])
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
    taiwan_origin = forms.BooleanField(label="台湾省籍", required=False,
                                       help_text="党内统计年报第二表「台湾省籍」栏。")
    title_level = forms.ChoiceField(label="专业技术职务等级", required=False, choices=[("", "无"), *TITLE_LEVEL.choices],
                                    help_text="取得的专业技术职务（职称）等级：正高、副高为高级（党内统计年报第二表补充资料）。")

    @classmethod
    def for_person(cls, person: Person, data=None, *, may_change_id_number: bool = True):
        """The form for ``person``; without ``may_change_id_number`` (no ``basic.unmask``) the ID number
        field says so (a value sent anyway is refused by ``person_update``)."""
        initial = {k: getattr(person, k) for k in ("name", "sex", "ethnicity", "birth_date", "education_level",
                                                    "political_status", "work_start_date", "taiwan_origin",
                                                    "title_level")}
        initial["version"] = person.version
        form = cls(data, initial=initial)
        if not may_change_id_number:
            form.fields["id_number"].help_text = "您没有该人员的「查看敏感信息明文」权限，不能修改公民身份号码。"
        return form

    def changes(self) -> dict:
        """The cleaned form as a ``person_update`` change dict."""
        data = self.cleaned_data
        out = {k: data[k] for k in ("name", "sex", "ethnicity", "birth_date", "education_level", "political_status",
                                    "work_start_date", "taiwan_origin", "title_level")}
        if data.get("id_number"):
            out["id_number"] = data["id_number"]
        if data.get("clear_phone"):
            out["phone"] = ""
        elif data.get("phone"):
            out["phone"] = data["phone"]
        return out
