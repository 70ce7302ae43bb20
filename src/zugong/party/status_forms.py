"""Forms of the 党员状态 pages (``party.status_views``): 登记 (one form per kind: only the kind's fields) and
结束. Dates and codes are taken as text/choices and checked by the services (``party.statuses``), so a bad
value gets the same message as in the API."""

from __future__ import annotations

from django import forms

from zugong.party.choices import (
    FLOW_DESTINATION,
    FLOW_SCOPE,
    LOST_CONTACT_SITUATION,
    MOBILE_ORIGINAL_OCCUPATION,
    STATUS_KIND,
)
from zugong.party.statuses import END_LABEL, KIND_FIELDS, START_LABEL


def _date(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, help_text=help_text,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))


def _select(label: str, table, *, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(label=label, required=False, choices=[("", "—请选择—"), *table.choices], help_text=help_text)


class StatusStartForm(forms.Form):
    """登记流动党员 / 失联党员 / 出国（境）: ``kind`` (hidden, from ``?kind=`` or the posted value) decides
    which fields the form keeps (``party.statuses.KIND_FIELDS``)."""

    kind = forms.ChoiceField(choices=STATUS_KIND.choices, widget=forms.HiddenInput)
    start_date = _date("起始日期")
    flow_scope = _select("流动范围", FLOW_SCOPE, help_text="跨省流动、省内跨市（地）流动或市（地）内流动（党内统计年报第三十三表）。")
    destination_type = _select("外出流向", FLOW_DESTINATION, help_text="流入的单位或地方；不清楚的选「不掌握流向」。")
    destination = forms.CharField(label="流入地（单位）", max_length=200, required=False)
    original_occupation = _select("原职业", MOBILE_ORIGINAL_OCCUPATION,
                                  help_text="不选则按党员的工作岗位确定（工勤技能人员、农牧渔民、公有制单位管理和专业技术人员）。")
    has_certificate = forms.BooleanField(label="持《中国共产党流动党员活动证》", required=False)
    lost_situation = _select("失去联系情形", LOST_CONTACT_SITUATION, help_text="党内统计年报第四十三表「失去联系具体情形」。")
    note = forms.CharField(label="备注", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["kind"].initial = kind
        self.fields["start_date"].label = START_LABEL[kind]
        if kind == "abroad":
            self.fields["destination"].label = "前往国家（地区）"
        keep = set(KIND_FIELDS[kind])
        for name in ("flow_scope", "destination_type", "destination", "original_occupation", "has_certificate",
                     "lost_situation"):
            if name not in keep:
                del self.fields[name]
            elif KIND_FIELDS[kind][name][2]:
                self.fields[name].required = True

    def service_kwargs(self) -> dict:
        """The cleaned form as ``party.statuses.status_start`` keyword arguments (besides user, person)."""
        return {k: v for k, v in self.cleaned_data.items()}


class StatusEndForm(forms.Form):
    """结束党员状态: the day it ends (返回 / 恢复联系 / 回国（境）)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    end_date = _date("结束日期", help_text="自该日起不再是该状态。")

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["end_date"].label = END_LABEL.get(kind, "结束日期")
