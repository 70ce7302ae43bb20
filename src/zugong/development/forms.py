"""Forms of the development pages: they only parse; the services decide (``development.services``)."""

from __future__ import annotations

from django import forms

from zugong.development import rules

DATE = forms.DateInput(attrs={"type": "date"})


class StartForm(forms.Form):
    """登记入党申请 (第1步): the branch (组织代码) and the date the application was handed in."""

    organization = forms.ChoiceField(label="接收申请的党支部")
    application_date = forms.DateField(label="递交入党申请书日期", widget=DATE)
    note = forms.CharField(label="备注", required=False, max_length=500)

    def __init__(self, *args, branches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(o.code, f"{o.name}（{o.code}）") for o in branches]
        self.branches = {o.code: o for o in branches}


class StepForm(forms.Form):
    """Record one step: only the legal next steps are offered (``allowed``)."""

    step = forms.TypedChoiceField(label="步骤", coerce=int)
    date = forms.DateField(label="日期", widget=DATE)
    done_by = forms.CharField(label="办理人（组织）", required=False, max_length=100)
    document = forms.CharField(label="材料（文号）", required=False, max_length=200)
    votes_expected = forms.IntegerField(label="应到（不填按名册计算）", required=False, min_value=0)
    votes_expected_reason = forms.CharField(label="应到人数调整原因", required=False, max_length=300)
    votes_present = forms.IntegerField(label="实到（有表决权）", required=False, min_value=0)
    votes_in_favour = forms.IntegerField(label="赞成", required=False, min_value=0)
    training_days = forms.IntegerField(label="培训天数", required=False, min_value=0)
    training_hours = forms.IntegerField(label="培训学时", required=False, min_value=0)
    outcome = forms.ChoiceField(label="转正意见（第23步）", required=False,
                                choices=[("", "—"), *rules.OUTCOMES.items()])
    extension_months = forms.IntegerField(label="延长预备期（月）", required=False, min_value=1, max_value=24)
    special_reason = forms.CharField(label="特殊情况说明（逾期谈话、延长审批）", required=False, max_length=300)
    note = forms.CharField(label="备注", required=False, max_length=500)

    FIELDS_OF_STEP = {
        "votes_expected": (15, 23), "votes_expected_reason": (15, 23), "votes_present": (15, 23),
        "votes_in_favour": (15, 23), "training_days": (11,), "training_hours": (11,), "outcome": (23,),
        "extension_months": (23,), "special_reason": (2, 17),
    }
    """The step-specific fields and the steps that use them (the others are left off the page's form)."""

    def __init__(self, *args, allowed=(), trim: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].choices = [(n, rules.STEPS[n].label) for n in allowed]
        if trim:  # the page's form: only the fields the offered steps use
            for name, steps in self.FIELDS_OF_STEP.items():
                if not set(steps) & set(allowed):
                    del self.fields[name]

    def service_kwargs(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if not (k == "outcome" and v is None)}


class ParticipantsForm(forms.Form):
    """指定培养联系人 / 入党介绍人: the role, the people (正式党员) and the start date."""

    role = forms.ChoiceField(label="角色", choices=[("mentor", "培养联系人（1至2名）"), ("sponsor", "入党介绍人（2名）")])
    persons = forms.TypedMultipleChoiceField(label="人员（正式党员）", coerce=int)
    start_date = forms.DateField(label="起始日期", widget=DATE)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persons"].choices = [(p.pk, p.name) for p in people]


class CloseForm(forms.Form):
    """终止培养."""

    date = forms.DateField(label="终止日期", widget=DATE)
    reason = forms.CharField(label="原因", max_length=500)
