"""The 干部名册 filters, shared by the page and the API (``/api/cadres/``): ``name`` (姓名 contains),
``unit`` (单位代码: the unit and its sub-units; must be a unit where the user holds ``cadre.view``, else the
filter is invalid and nothing is listed), ``status`` (干部状态), ``sex`` (性别), ``education`` (学历 band by
the first digit of the GB/T 4658 code: 研究生 1x, 大学本科 2x, 大学专科 3x, 中专 4x, 高中 6x, 初中及以下 7x–9x)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from zugong.cadres.choices import CADRE_STATUS
from zugong.core.codes import SEX
from zugong.orgs.models import Unit
from zugong.people.search import PersonSearchFilter

EDUCATION_BANDS = {"1": "研究生", "2": "大学本科", "3": "大学专科", "4": "中专", "6": "高中", "7": "初中及以下"}


def unit_in_scope(user, code: str) -> Unit | None:
    """The unit ``code`` if ``user`` holds ``cadre.view`` on it (``None`` when empty, unknown or outside)."""
    code = (code or "").strip()
    if not code:
        return None
    return Unit.objects.restrict(user, "view", label="cadre").filter(code=code).first()


class CadreFilterSet(django_filters.FilterSet):
    name = PersonSearchFilter(prefix="person__")
    unit = django_filters.CharFilter(method="filter_unit", label="单位（代码，含下级）")
    status = django_filters.ChoiceFilter(choices=CADRE_STATUS.choices, label="干部状态", empty_label="全部状态")
    sex = django_filters.ChoiceFilter(field_name="person__sex", choices=[("1", "男"), ("2", "女")], label="性别",
                                      empty_label="全部")
    education = django_filters.ChoiceFilter(choices=list(EDUCATION_BANDS.items()), method="filter_education",
                                            label="学历", empty_label="全部学历")

    def __init__(self, *args, request=None, user=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.user = user or (request.user if request is not None else None)
        self.selected_unit = None

    def filter_unit(self, queryset, name, value):
        unit = self.selected_unit or unit_in_scope(self.user, value)
        if unit is None:
            return queryset.none()
        return queryset.filter(unit__path__startswith=unit.path)

    def filter_education(self, queryset, name, value):
        if value == "7":
            return queryset.filter(Q(person__education_level__startswith="7") | Q(person__education_level__startswith="8")
                                   | Q(person__education_level__startswith="9"))
        return queryset.filter(person__education_level__startswith=value) if value else queryset

    def is_valid(self) -> bool:
        """Valid when the fields are and ``unit`` names a unit of the user's cadre scope."""
        if not super().is_valid():
            return False
        code = (self.form.cleaned_data.get("unit") or "").strip()
        if code:
            self.selected_unit = unit_in_scope(self.user, code)
            if self.selected_unit is None:
                self.form.add_error("unit", "单位不存在或不在您的干部管理范围内")
                return False
        return True


SEX_LABEL = SEX.label
