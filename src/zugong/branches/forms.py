"""Forms of the 班子成员 pages (``branches.views``). Dates and the role are taken as text/choices and checked by
the services (``branches.officers``), so a bad value gets the same message as in the API."""

from __future__ import annotations

from django import forms

from zugong.branches.choices import OFFICER_ROLE

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text, widget=_DATE)


class OfficerAppointForm(forms.Form):
    """任职: 人员 (a member of the organization), 职务, 任职日期, 备注."""

    person = forms.TypedChoiceField(label="人员", coerce=int, choices=())
    role = forms.ChoiceField(label="职务", choices=[("", "—请选择—"), *OFFICER_ROLE.choices])
    start_date = _date("任职日期", help_text="选举产生或任命之日；须为当日该组织的党员。")
    note = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, people: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "—请选择—"), *people]


class OfficerEndForm(forms.Form):
    """离任: 离任日期 and 离任原因."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    end_date = _date("离任日期", help_text="自该日起不再担任该职务。")
    reason = forms.CharField(label="离任原因", max_length=200, help_text="如：换届、调离、免职、辞职。")


class OfficerCorrectForm(forms.Form):
    """更正: 职务, 任职日期, 离任日期 (blank: 在任), 备注."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    role = forms.ChoiceField(label="职务", choices=OFFICER_ROLE.choices)
    start_date = _date("任职日期")
    end_date = _date("离任日期", required=False, help_text="不填为在任。")
    note = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
