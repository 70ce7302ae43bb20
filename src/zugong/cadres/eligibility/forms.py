"""Forms of the 处理处分记录 pages: they only parse; the services decide."""

from __future__ import annotations

from django import forms

from zugong.cadres.choices import SUPERVISION_KIND

DATE = forms.DateInput(attrs={"type": "date"})


class SupervisionForm(forms.Form):
    """登记: 类别, 决定日期 (the promotion ban runs from it), 文号, 事由."""

    kind = forms.ChoiceField(label="类别", choices=list(SUPERVISION_KIND.entries.items()))
    decided_date = forms.DateField(label="决定日期", widget=DATE, help_text="影响期自决定日期起计算")
    document_number = forms.CharField(label="文号", required=False, max_length=100)
    reason = forms.CharField(label="事由", required=False, max_length=500)


class SupervisionEditForm(SupervisionForm):
    """更正 (with the version loaded)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class SupervisionDeleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="删除原因", max_length=200, help_text="如：重复录入、登记有误")
