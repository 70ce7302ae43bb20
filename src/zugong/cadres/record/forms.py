"""Forms of the cadre record pages. They only parse: every rule is in ``cadres.record.services`` and
``validators`` (the same checks as the API). The edit forms are **partial**: only the fields present in
the POST are changes (``posted_changes``), so a page (or a script) may send just what it edits."""

from __future__ import annotations

from django import forms

from zugong.cadres.choices import ASSESSMENT_GRADE, CADRE_STATUS, EDUCATION_CATEGORY, ESTABLISHMENT_TYPE
from zugong.core.codes import ETHNICITY, POLITICAL_STATUS

_BLANK = [("", "—")]


def _choice(label, choices, required=False, **kw):
    return forms.ChoiceField(label=label, choices=_BLANK + list(choices), required=required, **kw)


def _text(label, max_length=None, required=False, area=False, **kw):
    widget = forms.Textarea(attrs={"rows": 3}) if area else None
    return forms.CharField(label=label, max_length=max_length, required=required, widget=widget, **kw)


def _date(label, help_text="", required=False):
    return forms.CharField(label=label, required=required, max_length=20, help_text=help_text,
                           widget=forms.TextInput(attrs={"placeholder": "yyyy-mm-dd 或 yyyy.mm", "class": "w-date"}))


def _month(label, required=False):
    return forms.CharField(label=label, required=required, max_length=20,
                           widget=forms.TextInput(attrs={"placeholder": "yyyy.mm", "class": "w-date"}))


class PartialForm(forms.Form):
    """A form whose ``posted_changes()`` are the cleaned values of the fields present in the POST."""

    def posted_changes(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k in self.data and k not in ("version", "person_version")}


PERSON_FIELDS = {
    "name": lambda: _text("姓名", 50),
    "sex": lambda: _choice("性别", [("1", "男"), ("2", "女")]),
    "ethnicity": lambda: _choice("民族", ETHNICITY.choices),
    "birth_date": lambda: _date("出生日期", "须与公民身份号码一致"),
    "education_level": lambda: _text("学历", 20, help_text="如 大学本科毕业、硕士研究生毕业"),
    "political_status": lambda: _choice("政治面貌", POLITICAL_STATUS.choices),
    "work_start_date": lambda: _date("参加工作日期"),
    "phone": lambda: _text("手机号码", 20, help_text="修改时留空表示不变"),
}

PROFILE_FORM_FIELDS = {
    "establishment_type": lambda: _choice("编制类型", ESTABLISHMENT_TYPE.choices),
    "native_place": lambda: _text("籍贯", 100),
    "birthplace": lambda: _text("出生地", 100),
    "health": lambda: _text("健康状况", 50),
    "party_joined_date": lambda: _date("入党时间"),
    "other_party": lambda: _text("民主党派", 50),
    "professional_title": lambda: _text("专业技术职务", 200),
    "specialty": lambda: _text("熟悉专业有何专长", 500),
    "current_post_title": lambda: _text("现任职务", 500),
    "current_post_since": lambda: _date("任现职时间"),
    "same_level_since": lambda: _date("任同级职务时间"),
    "rewards_punishments": lambda: _text("奖惩情况", area=True),
    "assessment_summary": lambda: _text("年度考核结果", area=True),
    "identity_since": lambda: _date("干部身份取得时间"),
    "identity_document": lambda: _text("干部身份认定依据", 200),
    "note": lambda: _text("备注", 500),
}


class CadreCreateForm(forms.Form):
    """新增干部: 单位, 公民身份号码 and the person's fields (an existing person is found by the number)."""

    unit_code = forms.CharField(label="所在单位（单位代码）", max_length=50,
                                widget=forms.TextInput(attrs={"list": "unit-codes", "autocomplete": "off"}))
    id_number = forms.CharField(label="公民身份号码", max_length=30)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, make in PERSON_FIELDS.items():
            self.fields[key] = make()
        self.fields["name"].required = True
        for key in ("native_place", "birthplace", "current_post_title", "establishment_type"):
            self.fields[key] = PROFILE_FORM_FIELDS[key]()

    def service_kwargs(self) -> dict:
        d = dict(self.cleaned_data)
        profile = {k: d.pop(k) for k in ("native_place", "birthplace", "current_post_title", "establishment_type")}
        return {**d, "profile": profile}


class CadreEditForm(PartialForm):
    """编辑干部信息: the person's basic fields and the profile (partial: only posted fields change)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    person_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    unit_code = forms.CharField(label="所在单位（单位代码）", max_length=50, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, make in {**PERSON_FIELDS, **PROFILE_FORM_FIELDS}.items():
            self.fields[key] = make()


class StatusForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="干部状态", choices=CADRE_STATUS.choices)
    note = forms.CharField(label="备注", max_length=500, required=False)


class PhotoForm(forms.Form):
    photo = forms.FileField(label="照片（JPG，不超过 2 MB）", allow_empty_file=True,
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg"}))


class EmptyForm(forms.Form):
    """A confirmation (删除照片)."""


class MoveForm(forms.Form):
    kind = forms.ChoiceField(choices=[("education", "学历学位"), ("resume", "简历"), ("family", "家庭成员")])
    record = forms.IntegerField()
    direction = forms.ChoiceField(choices=[("up", "上移"), ("down", "下移")])


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


# ----- child records -----------------------------------------------------------------------------------------

CHILD_FIELDS = {
    "education": {
        "category": lambda: _choice("教育类别", EDUCATION_CATEGORY.choices),
        "education_text": lambda: _text("学历", 100, help_text="按档案填写，如 大学本科、在职研究生"),
        "degree_text": lambda: _text("学位", 100, help_text="如 工学学士、公共管理硕士"),
        "education_school_major": lambda: _text("学历毕业院校系及专业", 300),
        "degree_school_major": lambda: _text("学位毕业院校系及专业", 300),
        "school": lambda: _text("毕业院校", 200),
        "major": lambda: _text("专业", 200),
        "start_date": lambda: _month("入学时间"),
        "end_date": lambda: _month("毕业时间"),
        "degree_date": lambda: _month("学位授予时间"),
    },
    "resume": {
        "start_date": lambda: _month("起始时间"),
        "end_date": lambda: _month("截止时间（空为至今）"),
        "text": lambda: _text("经历", 1000, area=True),
        "in_service_study": lambda: forms.BooleanField(label="其间（在职学习等）", required=False),
    },
    "family": {
        "relation": lambda: _text("称谓", 20),
        "name": lambda: _text("姓名", 50),
        "birth_date": lambda: _month("出生日期"),
        "political_status": lambda: _text("政治面貌", 50),
        "work_unit_and_post": lambda: _text("工作单位及职务", 300),
        "deceased": lambda: forms.BooleanField(label="已去世", required=False),
    },
    "assessment": {
        "year": lambda: _text("年度", 4),
        "grade": lambda: _choice("考核等次", ASSESSMENT_GRADE.choices),
        "note": lambda: _text("备注", 500),
    },
}


class ChildForm(PartialForm):
    """The form of one child record of ``kind`` (add: every field; edit: ``version`` too, partial)."""

    def __init__(self, *args, kind: str, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)
        for key, make in CHILD_FIELDS[kind].items():
            self.fields[key] = make()

    def posted_changes(self) -> dict:
        changes = super().posted_changes()
        # an unticked checkbox is absent from the POST: on a page form it means "no"
        for key, field in self.fields.items():
            if isinstance(field, forms.BooleanField) and "version" in self.data and key not in changes \
                    and self.data.get("_page"):
                changes[key] = False
        return changes
