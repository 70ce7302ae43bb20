"""Forms of the grading pages. Values are taken as text and checked by the services (``grading.services``),
so a bad value gets the same message on the page as in the API; the score rows are built from the
scheme's criteria (one score and one evidence field per criterion)."""

from __future__ import annotations

from django import forms

from zugong.grading.choices import WEAK_CATEGORY

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label: str, *, required: bool = False, help_text: str = "") -> forms.CharField:
    return forms.CharField(label=label, required=required, help_text=help_text, widget=_DATE)


class GradingForm(forms.Form):
    """录入 / 修改评定: 年度 (create only), 评定日期, 评定单位, 示范党支部, 评定意见, and per criterion
    ``score_<code>`` (得分) and ``evidence_<code>`` (评分依据). ``criteria``: the scheme's criteria."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    scheme = forms.CharField(widget=forms.HiddenInput)
    year = forms.CharField(label="年度", max_length=4, widget=forms.NumberInput(attrs={"min": 1921, "class": "w-year"}))
    evaluated_on = _date("评定日期", help_text="不填为今天。")
    evaluator = forms.CharField(label="评定单位", max_length=100, required=False)
    designated_model = forms.BooleanField(label="命名为示范党支部", required=False,
                                          help_text="仅限评定为最高等次、且本年度未列入软弱涣散名单的支部。")
    note = forms.CharField(label="评定意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, criteria=(), editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        if editing:
            del self.fields["year"]
        for c in self.criteria:
            self.fields[f"score_{c.code}"] = forms.CharField(
                label=f"{c.name}得分", required=False, max_length=10,
                widget=forms.NumberInput(attrs={"step": "0.1", "min": 0, "max": f"{c.max_score:g}", "class": "w-score"}))
            self.fields[f"evidence_{c.code}"] = forms.CharField(
                label=f"{c.name}评分依据", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2, "style": "width:100%"}))

    def rows(self) -> list[dict]:
        """The score rows for the template: criterion, score field, evidence field."""
        return [{"criterion": c, "score": self[f"score_{c.code}"], "evidence": self[f"evidence_{c.code}"]}
                for c in self.criteria]

    def scores(self) -> dict:
        """``{criterion code: (score text, evidence)}`` of the criteria given a score (a blank score is left
        out: the service then names the criterion as missing)."""
        d = self.cleaned_data
        return {c.code: (d.get(f"score_{c.code}", ""), d.get(f"evidence_{c.code}", ""))
                for c in self.criteria if str(d.get(f"score_{c.code}", "")).strip()}


class WeakIdentifyForm(forms.Form):
    """列入软弱涣散名单."""

    year = forms.CharField(label="年度", max_length=4, widget=forms.NumberInput(attrs={"min": 1921, "class": "w-year"}))
    identified_on = _date("确定日期", required=True)
    categories = forms.MultipleChoiceField(label="软弱涣散情形", choices=WEAK_CATEGORY.choices, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    reasons = forms.CharField(label="具体问题", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    measures = forms.CharField(label="整改措施", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    responsible_person = forms.CharField(label="整改责任人", max_length=100, required=False)
    deadline = _date("整改时限")


class WeakRectifyForm(forms.Form):
    """整改完成."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    rectified_on = _date("整改完成日期", required=True)
    measures = forms.CharField(label="整改措施及成效", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class WeakVerifyForm(forms.Form):
    """验收 (上级党组织)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    verified_on = _date("验收日期", required=True)
    verified_by = forms.CharField(label="验收单位（人）", max_length=100, required=False)
    note = forms.CharField(label="验收意见", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}))
