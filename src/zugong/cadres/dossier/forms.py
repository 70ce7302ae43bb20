"""Forms of the dossier audit pages: the filters (``DossierFilterSet``, shared by the page, the ``.xlsx``
and the API), the 认定 form and the run form."""

from __future__ import annotations

import django_filters
from django import forms

from zugong.cadres.choices import DOSSIER_CHECK, DOSSIER_PROBLEM, FINDING_STATUS
from zugong.cadres.dossier import selectors
from zugong.cadres.dossier.services import DECISIONS
from zugong.people.search import PersonSearchFilter

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DossierFilterSet(django_filters.FilterSet):
    """``check`` (审核项目), ``problem_type`` (问题类型), ``status`` (认定状态), ``unit`` (单位代码, its
    subtree; must be in the user's ``cadre.view`` scope, else the form is invalid: no rows), ``name`` (姓名
    contains)."""

    check = django_filters.ChoiceFilter(field_name="check_code", choices=DOSSIER_CHECK.choices, label="审核项目",
                                        empty_label="全部项目")
    problem_type = django_filters.ChoiceFilter(choices=DOSSIER_PROBLEM.choices, label="问题类型", empty_label="全部类型")
    status = django_filters.ChoiceFilter(choices=FINDING_STATUS.choices, label="认定状态", empty_label="全部状态")
    unit = django_filters.CharFilter(method="filter_unit", label="单位（代码，含下级）")
    name = PersonSearchFilter(prefix="cadre__person__")

    def __init__(self, *args, request=None, user=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.user = user or (request.user if request is not None else None)

    def filter_unit(self, queryset, name, value):
        unit = selectors.unit_by_code(user=self.user, code=value)
        if unit is None:
            return queryset.none()
        return queryset.filter(cadre__unit__path__startswith=unit.path)

    def is_valid(self) -> bool:
        """Valid when the fields are and ``unit`` names a unit in the user's cadre scope."""
        if not super().is_valid():
            return False
        code = (self.form.cleaned_data.get("unit") or "").strip()
        if code and selectors.unit_by_code(user=self.user, code=code) is None:
            self.form.add_error("unit", "单位不存在或不在您的数据范围内")
            return False
        return True

    def selected_unit(self):
        """The unit of a valid ``unit`` filter, else ``None``."""
        if not self.is_valid():
            return None
        return selectors.unit_by_code(user=self.user, code=self.form.cleaned_data.get("unit") or "")


class DecideForm(forms.Form):
    """认定: conclusion, the deciding document (认定依据; the service refuses a blank one with its own
    message), a note, and the ``version`` read."""

    decision = forms.ChoiceField(label="认定结论", choices=[(k, FINDING_STATUS.label(k)) for k in DECISIONS])
    document = forms.CharField(label="认定依据", required=False, max_length=300,
                               help_text="认定所依据的档案材料，如「1978年招工登记表」「入党志愿书」")
    note = forms.CharField(label="说明", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class RunForm(forms.Form):
    """Run the audit over a unit's subtree; ``as_of`` (任现职时间 taken on, default today)."""

    as_of = forms.DateField(label="截至日期（默认今天）", required=False, widget=DATE)
