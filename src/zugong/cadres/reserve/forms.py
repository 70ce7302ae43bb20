"""Forms of the reserve pages: they only parse; the services decide (``cadres.reserve.services``)."""

from __future__ import annotations

from django import forms

from zugong.cadres.choices import POST_LEVEL, RESERVE_EXIT, RESERVE_LIST
from zugong.cadres.eligibility.services import level_choices

DATE = forms.DateInput(attrs={"type": "date"})
LISTS = list(RESERVE_LIST.entries.items())
LEVELS = [("", "—"), *level_choices()]


class EnterForm(forms.Form):
    """入库."""

    list_kind = forms.ChoiceField(label="类别", choices=LISTS)
    entered_date = forms.DateField(label="入库时间", widget=DATE)
    target_post = forms.CharField(label="拟任职务方向", required=False, max_length=300)
    target_level = forms.ChoiceField(label="拟任职务级别", choices=LEVELS, required=False)
    young_outstanding = forms.BooleanField(label="优秀年轻干部", required=False)
    review_date = forms.DateField(label="下次复核时间", required=False, widget=DATE)
    note = forms.CharField(label="备注", required=False, max_length=500)


class MoveForm(forms.Form):
    """调整类别 (the target and review date are kept unless given)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    list_kind = forms.ChoiceField(label="调整至", choices=LISTS)
    date = forms.DateField(label="调整时间", widget=DATE)
    target_post = forms.CharField(label="拟任职务方向（不填则不变）", required=False, max_length=300)
    target_level = forms.ChoiceField(label="拟任职务级别（不填则不变）", choices=LEVELS, required=False)
    review_date = forms.DateField(label="下次复核时间（不填则不变）", required=False, widget=DATE)
    note = forms.CharField(label="备注", required=False, max_length=500)


class ExitForm(forms.Form):
    """出库."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    exited_date = forms.DateField(label="出库时间", widget=DATE)
    reason = forms.ChoiceField(label="出库原因", choices=list(RESERVE_EXIT.entries.items()))
    note = forms.CharField(label="说明", required=False, max_length=500)


class ReviewForm(forms.Form):
    """复核."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reviewed_on = forms.DateField(label="本次复核时间", required=False, widget=DATE)
    review_date = forms.DateField(label="下次复核时间", widget=DATE)
    note = forms.CharField(label="复核意见", required=False, max_length=200)


class MeasureForm(forms.Form):
    """培养措施."""

    measure = forms.CharField(label="培养措施", max_length=300, help_text="如：到村（社区）挂职一年、参加中青年干部培训班")
    planned_date = forms.DateField(label="计划时间", required=False, widget=DATE)


class FollowUpForm(forms.Form):
    """跟踪了解."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    follow_up = forms.CharField(label="跟踪情况", max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    done_date = forms.DateField(label="完成时间", required=False, widget=DATE)


LEVEL_LABELS = dict(POST_LEVEL.entries)
