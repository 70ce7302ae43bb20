"""Forms of the member pages: 新增党员 and the membership actions (转接, 转正, 结束组织关系).

Dates, codes, the ID number and the phone are taken as text and checked by the services with the shared
validators, so a bad value gets the same message as in the roster import and the API; the forms only
shape the input (choices, widgets)."""

from __future__ import annotations

from django import forms

from zugong.core.codes import (
    EDUCATION,
    ETHNICITY,
    MEMBER_CATEGORY,
    ORG_TYPES_HOLDING_MEMBERS,
    SEX,
    TITLE_LEVEL,
)
from zugong.orgs.models import PartyOrganization
from zugong.party.occupation_forms import OccupationFields
from zugong.party.services import END_REASONS
from zugong.people.forms import NoEchoTextInput


def _date(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def organization_choices(user, *, labels: tuple[str, ...], action: str) -> list[tuple[int, str]]:
    """In-scope organizations that hold members (not dissolved), for a plain select: ``<label>.<action>``
    on each of ``labels``, ordered by tree path (parents before children), one query per label."""
    queryset = PartyOrganization.objects.filter(status="active", org_type__in=ORG_TYPES_HOLDING_MEMBERS)
    for label in labels:
        queryset = queryset.filter(pk__in=PartyOrganization.objects.restrict(user, action, label=label).values("pk"))
    return [(o.pk, f"{'　' * (o.depth - 1)}{o.name}（{o.code}）")
            for o in queryset.order_by("path").only("pk", "name", "code", "depth")]


class MemberCreateForm(OccupationFields):
    """新增党员: the columns of the 党员花名册 import, one person. Entered by hand, 民族, 学历 and 工作岗位
    stay required (the clerk has the member's file at hand; ``party.services.member_create`` refuses them
    blank), although the import accepts records without them as incomplete (issue #9). 工作岗位 offers the
    党内统计年报 rows with 单位所有制, 农民工 / 外出务工经商人员 and 一线类别 (``party.occupation_forms``)."""

    field_order = ("organization", "name", "sex", "ethnicity", "id_number", "birth_date", "education_level",
                   "category", "admission_date", "full_membership_date", "occupation", "ownership", "migrant_worker",
                   "migrant_business", "front_line", "front_line_kind", "start_date", "work_start_date", "phone",
                   "taiwan_origin", "title_level")

    organization = forms.TypedChoiceField(label="所在党组织", coerce=int)
    name = forms.CharField(label="姓名", max_length=50)
    sex = forms.ChoiceField(label="性别", choices=SEX.choices)
    ethnicity = forms.ChoiceField(label="民族", choices=ETHNICITY.choices, initial="01")
    id_number = forms.CharField(label="公民身份号码", max_length=30,
                                widget=NoEchoTextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
                                help_text="18 位；出生日期、性别须与号码一致。出错时需重新填写（号码不回显）。")
    birth_date = _date("出生日期", required=True)
    education_level = forms.ChoiceField(label="学历", choices=EDUCATION.choices)
    category = forms.ChoiceField(label="人员类别", choices=MEMBER_CATEGORY.choices)
    admission_date = _date("入党日期", required=True, help_text="接收为预备党员的支部大会日期；入党时须年满十八周岁。")
    full_membership_date = _date("转正日期", help_text="预备党员不填；正式党员须在入党一年以后（《党章》第七条）。")
    start_date = _date("编入本组织日期", help_text="不填则为入党日期；不得早于该组织的成立日期。")
    work_start_date = _date("参加工作日期")
    phone = forms.CharField(label="手机号码", max_length=30, required=False,
                            widget=NoEchoTextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    taiwan_origin = forms.BooleanField(label="台湾省籍", required=False)
    title_level = forms.ChoiceField(label="专业技术职务等级", required=False, choices=[("", "无"), *TITLE_LEVEL.choices])

    def __init__(self, *args, organizations: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = organizations

    def service_kwargs(self) -> dict:
        """The cleaned form as ``party.services.member_create`` keyword arguments."""
        d = self.cleaned_data
        return dict(organization_id=d["organization"], name=d["name"], sex=d["sex"], ethnicity=d["ethnicity"],
                    id_number=d["id_number"], birth_date=d["birth_date"], education_level=d["education_level"],
                    category=d["category"], admission_date=d["admission_date"],
                    full_membership_date=d["full_membership_date"] or None, occupation=self.occupation_value(),
                    start_date=d["start_date"] or None,
                    work_start_date=d["work_start_date"] or None, phone=d["phone"],
                    taiwan_origin=d["taiwan_origin"], title_level=d["title_level"])


class TransferForm(OccupationFields):
    """转入/调整到其他支部 (within the user's scope); the 工作岗位 fields start with the current period's
    (blank 工作岗位 = unchanged)."""

    occupation_optional_label = "（不变）"
    field_order = ("version", "to_organization", "date")

    version = forms.IntegerField(widget=forms.HiddenInput)
    to_organization = forms.TypedChoiceField(label="转入党组织", coerce=int)
    date = _date("转接日期", required=True, help_text="自该日起在新组织；此前各日的名册不变。")

    def __init__(self, *args, organizations: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_organization"].choices = organizations


class FullMembershipForm(forms.Form):
    """转正."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    full_membership_date = _date("转正日期", required=True,
                                 help_text="支部大会讨论通过之日；预备期满一年方可转正（《党章》第七条）。")


class EndForm(forms.Form):
    """结束组织关系."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    end_date = _date("截止日期", required=True, help_text="自该日起不再计入名册。")
    reason = forms.ChoiceField(label="离开原因", choices=[("", "请选择"), *END_REASONS.items()])


# --- 党员变动 (issue #10) -----------------------------------------------------------------------------------
PAGE_EVENT_KINDS = ("admission", "reinstatement", "exit", "suspension", "death", "full_membership")
"""The event kinds entered on the person page (``party:event_create``); transfers (组织关系转接, 转入, 转出)
have their own pages (the transfers part)."""

OCCUPATION_FIELD_NAMES = ("occupation", "ownership", "migrant_worker", "migrant_business", "front_line", "front_line_kind")
"""The 工作岗位 fields of ``OccupationFields`` (the period an increase opens)."""

EVENT_FIELDS = {
    "admission": ("detail", "to_organization", *OCCUPATION_FIELD_NAMES, "document_number"),
    "reinstatement": ("detail", "to_organization", *OCCUPATION_FIELD_NAMES, "reason", "document_number"),
    "exit": ("detail", "reason_category", "reason", "unreachable", "document_number"),
    "suspension": ("reason", "document_number"),
    "death": (),
    "full_membership": ("detail", "extension_months", "document_number"),
}
"""Fields of the event form by kind (besides 变动日期, 备注 and the hidden version); the kind-less form has
them all."""

DETAIL_LABELS = {"admission": "发展类型", "reinstatement": "恢复类型", "exit": "出党方式",
                 "full_membership": "转正情况"}
DATE_HELP = {
    "admission": "支部大会通过其为预备党员之日（入党日期）；入党时须年满十八周岁。",
    "reinstatement": "恢复党籍的决定日期；自该日起计入名册。",
    "exit": "出党的批准日期；自该日起不再计入名册（《党章》第九条、第七条）。",
    "suspension": "停止党籍的决定日期；自该日起不再计入名册（《党员教育管理工作条例》第二十四条）。",
    "death": "去世日期；当日起不再计入名册。",
    "full_membership": "支部大会讨论之日；预备期满一年方可按期转正，延长预备期 6 至 12 个月"
                       "（《党章》第七条、《发展党员工作细则》第三十二条）。",
}


class EventForm(OccupationFields):
    """登记党员变动: one ``MembershipEvent`` for ``party.services.event_record``. ``kind`` fixes the kind
    (a page per kind: only that kind's fields, ``EVENT_FIELDS``); without it the form offers a 变动类型
    select and every field. Values are taken as text/codes and checked by the service."""

    field_order = ("version", "kind", "detail", "date", "to_organization", *OCCUPATION_FIELD_NAMES)

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    kind = forms.ChoiceField(label="变动类型")
    detail = forms.ChoiceField(label="变动情形", required=False)
    date = _date("变动日期", required=True)
    to_organization = forms.TypedChoiceField(label="接收党组织", coerce=int, required=False, empty_value=None)
    occupation_optional_label = "（同最近一段组织关系）"
    reason_category = forms.ChoiceField(label="出党原因", required=False,
                                        help_text="党内统计年报第十一表（党员出党情况（二））的分类。")
    unreachable = forms.BooleanField(label="经多方查找确实无法取得联系", required=False,
                                     help_text="仅自行脱党除名（第十表“其中”栏）。")
    extension_months = forms.CharField(label="延长预备期（月）", required=False,
                                       help_text="仅延长预备期：6 至 12 个月，可填 6、12、半年、一年。")
    reason = forms.CharField(label="原因", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    document_number = forms.CharField(label="文号", max_length=100, required=False)
    note = forms.CharField(label="备注", max_length=500, required=False)

    def __init__(self, *args, kind: str | None, organizations: list[tuple[int, str]], **kwargs):
        from zugong.party.choices import DETAILS_OF_KIND, EVENT_DETAIL, EVENT_KIND, EXIT_REASON

        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["kind"].choices = [("", "请选择"), *((k, EVENT_KIND.label(k)) for k in PAGE_EVENT_KINDS)]
        self.fields["to_organization"].choices = [("", "请选择"), *organizations]
        self.fields["reason_category"].choices = [("", "（不填）"), *EXIT_REASON.choices]
        if kind is None:
            details = [d for k in PAGE_EVENT_KINDS for d in DETAILS_OF_KIND[k] if d]
            self.fields["detail"].choices = [("", "（无）"), *((d, EVENT_DETAIL.label(d)) for d in dict.fromkeys(details))]
            return
        self.fields["kind"].initial = kind
        self.fields["kind"].widget = forms.HiddenInput()
        self.fields["date"].help_text = DATE_HELP[kind]
        keep = {"version", "kind", "date", "note", *EVENT_FIELDS[kind]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        if "detail" in self.fields:
            allowed = DETAILS_OF_KIND[kind]
            field = self.fields["detail"]
            field.label = DETAIL_LABELS.get(kind, "变动情形")
            plain = {"admission": "发展党员", "reinstatement": "恢复党籍"}.get(kind)
            field.choices = ([("", plain)] if plain else [("", "请选择")]) + [(d, EVENT_DETAIL.label(d)) for d in allowed if d]
        if "to_organization" in self.fields:
            self.fields["to_organization"].required = True

    def clean_kind(self):
        value = self.cleaned_data["kind"]
        if self.kind is not None and value != self.kind:
            raise forms.ValidationError("变动类型与页面不一致")
        return value

    def service_kwargs(self) -> dict:
        """The cleaned form as ``party.services.event_record`` keyword arguments (without ``user`` and
        ``person_id``)."""
        d = self.cleaned_data
        values = dict(kind=d["kind"], date=d["date"], detail=d.get("detail") or "",
                      to_organization_id=d.get("to_organization"), reason_category=d.get("reason_category") or "",
                      reason=d.get("reason") or "", unreachable=bool(d.get("unreachable")),
                      extension_months=d.get("extension_months") or None,
                      document_number=d.get("document_number") or "", note=d.get("note") or "",
                      expected_version=d.get("version"))
        if "occupation" in self.fields:
            occupation = self.occupation_value()
            if occupation is not None:
                values["occupation"] = occupation
        return values


class EventRevokeForm(forms.Form):
    """撤销党员变动 (``party.services.event_revoke``): the person's version and the 撤销原因."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="撤销原因", max_length=500, required=True,
                             help_text="如：登记有误、日期填错。撤销后组织关系和政治面貌恢复到登记该变动之前。",
                             error_messages={"required": "请填写撤销原因（如：登记有误）"})
