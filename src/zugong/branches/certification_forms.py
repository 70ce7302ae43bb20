"""Forms of the 书记持证上岗 pages (``branches.certification_views``). Values are taken as text and checked
by the services (``branches.certification``), so a bad value gets the same message as in the API."""

from __future__ import annotations

from django import forms


def _date(label: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


class TrainingForm(forms.Form):
    """登记书记培训考试: 党组织 (组织代码), 人员 (chosen among the organization's members), the course, the
    exam. ``members``: ``[(person id, label)]`` for the picker (empty: a number field)."""

    organization = forms.CharField(label="党组织（组织代码）", max_length=60,
                                   help_text="书记所在支部或选派单位的组织代码。")
    person = forms.CharField(label="人员", help_text="须为培训开始日当天的党员。")
    training_name = forms.CharField(label="培训名称", max_length=200)
    organizer = forms.CharField(label="举办单位", max_length=200, required=False)
    start_date = _date("开始日期")
    end_date = _date("结束日期")
    class_hours = forms.CharField(label="学时", required=False, max_length=10)
    exam_date = _date("考试日期", required=False)
    exam_score = forms.CharField(label="考试成绩", required=False, max_length=10, help_text="0–100 分。")
    passed = forms.BooleanField(label="考试合格", required=False)
    note = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, members: list[tuple[int, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if members:
            self.fields["person"].widget = forms.Select(choices=[("", "—请选择—"), *members])

    def service_kwargs(self) -> dict:
        """The cleaned form as ``training_record`` keyword arguments (besides ``user``)."""
        d = dict(self.cleaned_data)
        d["person_id"] = d.pop("person")
        return d


class CertificateForm(forms.Form):
    """颁发 / 换发任职资格证书: number, issue date, validity, issuer."""

    number = forms.CharField(label="证书编号", max_length=50)
    issued_date = _date("发证日期")
    valid_until = _date("有效期至", required=False, help_text="不填按发证日期起的有效年限计算。")
    issuer = forms.CharField(label="发证机关", max_length=200)
    note = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RevokeForm(forms.Form):
    """撤销任职资格证书."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    revoked_date = _date("撤销日期", help_text="自该日起证书失效。")
    reason = forms.CharField(label="撤销原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
