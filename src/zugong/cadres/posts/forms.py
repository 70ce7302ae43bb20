"""Forms of the posts pages: they only parse (types, required fields); the rules are the services'."""

from __future__ import annotations

from django import forms

from zugong.cadres.choices import APPOINTMENT_METHOD, ESTABLISHMENT_TYPE, LEADERSHIP_LEVELS, POST_LEVEL, RANK

DATE_HELP = "YYYY-MM-DD"
LEVEL_CHOICES = [("", "——")] + POST_LEVEL.choices
QUOTA_LEVEL_CHOICES = [(code, POST_LEVEL.label(code)) for code in LEADERSHIP_LEVELS]


def _date(label: str, required: bool = True, help_text: str = DATE_HELP) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=20, help_text=help_text,
                           widget=forms.TextInput(attrs={"placeholder": "YYYY-MM-DD", "class": "w-date"}))


class VersionMixin(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PostForm(forms.Form):
    """设立 / 更正职务岗位."""

    name = forms.CharField(label="职务名称", max_length=100)
    post_code = forms.CharField(label="职务代码", max_length=10, required=False, help_text="GB/T 12403（可空）")
    level = forms.ChoiceField(label="职务级别", choices=LEVEL_CHOICES)
    leadership = forms.BooleanField(label="领导职务", required=False, initial=True)
    counts_against_quota = forms.BooleanField(label="占用职数", required=False, initial=True)
    max_holders = forms.IntegerField(label="可任职人数", min_value=0, initial=1, help_text="单一职数职务（如镇长）填 1")
    position = forms.IntegerField(label="排序", required=False, initial=0)
    start_date = _date("设立日期")
    note = forms.CharField(label="备注", max_length=500, required=False)


class PostEditForm(VersionMixin, PostForm):
    """更正职务岗位 (with the version read)."""


class PostCloseForm(VersionMixin):
    end_date = _date("撤销日期", help_text="自该日起不再设置该职务")
    reason = forms.CharField(label="撤销原因", max_length=200, required=False)


class QuotaForm(forms.Form):
    level = forms.ChoiceField(label="职务级别", choices=QUOTA_LEVEL_CHOICES)
    count = forms.CharField(label="职数", max_length=10, help_text="核定的领导职数（不小于 0）")
    start_date = _date("生效日期", help_text="自该日起生效；原职数于该日失效")
    document_number = forms.CharField(label="批准文号", max_length=100, required=False)


class EstablishmentForm(forms.Form):
    establishment_type = forms.ChoiceField(label="编制类型", choices=ESTABLISHMENT_TYPE.choices)
    count = forms.CharField(label="编制数", max_length=10, help_text="核定编制数（不小于 0）")
    start_date = _date("生效日期", help_text="自该日起生效；原编制于该日失效")
    document_number = forms.CharField(label="批准文号", max_length=100, required=False)


class AppointmentFields(forms.Form):
    start_date = _date("任职日期")
    end_date = _date("免职日期", required=False, help_text="登记已免去的历史任职时填写；在任留空")
    appointment_document = forms.CharField(label="任职文号", max_length=100, required=False)
    appointment_reason = forms.CharField(label="任职原因", max_length=300, required=False)
    method = forms.ChoiceField(label="任职方式", choices=[("", "——")] + APPOINTMENT_METHOD.choices, required=False)
    probation_months = forms.CharField(label="试用期（月）", max_length=3, required=False,
                                       help_text="留空按规定确定：提拔担任非选举产生的厅局级以下领导职务试用期一年")
    concurrent = forms.BooleanField(label="兼任", required=False)


class PostAppointForm(AppointmentFields):
    """任职 from the post's page: choose the cadre."""

    cadre = forms.ModelChoiceField(label="干部", queryset=None, empty_label="——请选择——")

    field_order = ["cadre"]

    def __init__(self, *args, cadres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].queryset = cadres
        self.fields["cadre"].label_from_instance = lambda c: f"{c.person.name}（{c.unit.name}）"
        self.order_fields(["cadre"])


class CadreAppointForm(AppointmentFields):
    """任职 from the cadre's page: choose the post."""

    post = forms.ModelChoiceField(label="职务岗位", queryset=None, empty_label="——请选择——")

    def __init__(self, *args, posts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = posts
        self.fields["post"].label_from_instance = lambda p: f"{p.unit.name} {p.name}（{POST_LEVEL.label(p.level)}）"
        self.order_fields(["post"])


class AppointmentRemoveForm(VersionMixin):
    end_date = _date("免职日期", help_text="自该日起不再担任")
    removal_document = forms.CharField(label="免职文号", max_length=100, required=False)
    removal_reason = forms.CharField(label="免职原因", max_length=300, required=False)


class AppointmentEditForm(VersionMixin, AppointmentFields):
    removal_document = forms.CharField(label="免职文号", max_length=100, required=False)
    removal_reason = forms.CharField(label="免职原因", max_length=300, required=False)


class RankForm(forms.Form):
    rank = forms.ChoiceField(label="职级", choices=RANK.choices)
    start_date = _date("任职级时间", help_text="自该日起任该职级；原职级于该日结束")
    document_number = forms.CharField(label="文号", max_length=100, required=False)
