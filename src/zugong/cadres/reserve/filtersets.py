"""The reserve list's filters (page, export and API): ``list`` (类别), ``unit`` (单位代码, its subtree; must be
in the user's scope), ``target_level``, ``young`` (优秀年轻干部: flagged, or young at the current level on
``as_of``), ``due`` (复核到期: 下次复核时间 within 30 days), ``as_of`` (the pool on that day; default today),
``name``."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils import timezone

from zugong.cadres.choices import RESERVE_LIST
from zugong.cadres.eligibility.services import level_choices
from zugong.cadres.reserve import rules, selectors
from zugong.orgs.models import Unit
from zugong.people.search import PersonSearchFilter


def unit_in_scope(user, code: str, action: str = "view"):
    """The unit with 单位代码 ``code`` in ``user``'s ``cadre.<action>`` scope (``None`` otherwise)."""
    code = (code or "").strip()
    return Unit.objects.restrict(user, action, label="cadre").filter(code=code).first() if code else None


class ReserveFilterSet(django_filters.FilterSet):
    list = django_filters.ChoiceFilter(choices=list(RESERVE_LIST.entries.items()), method="filter_noop", label="类别",
                                       empty_label="全部")
    unit = django_filters.CharFilter(method="filter_noop", label="单位（代码，含下级）")
    target_level = django_filters.ChoiceFilter(choices=level_choices(), method="filter_noop", label="拟任职务级别",
                                               empty_label="全部")
    young = django_filters.BooleanFilter(method="filter_noop", label="优秀年轻干部",
                                         widget=forms.CheckboxInput)
    due = django_filters.BooleanFilter(method="filter_noop", label="复核到期", widget=forms.CheckboxInput)
    as_of = django_filters.DateFilter(method="filter_noop", label="截至日期")
    name = PersonSearchFilter(prefix="cadre__person__")

    def __init__(self, *args, request=None, user=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.user = user or (request.user if request is not None else None)

    def filter_noop(self, queryset, name, value):
        return queryset  # applied together in ``filter_queryset`` (they share ``as_of``)

    @property
    def as_of_date(self):
        data = self.form.cleaned_data if hasattr(self.form, "cleaned_data") else {}
        return data.get("as_of") or timezone.localdate()

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        as_of = self.as_of_date
        queryset = selectors.entries_on(queryset, as_of)
        unit = unit_in_scope(self.user, data.get("unit") or "") if data.get("unit") else None
        queryset = selectors.filter_entries(queryset, list_kind=data.get("list") or "", unit=unit,
                                            target_level=data.get("target_level") or "", young=data.get("young"),
                                            as_of=as_of)
        if data.get("due"):
            import datetime as dt

            queryset = queryset.filter(exited_date__isnull=True, review_date__isnull=False,
                                       review_date__lte=timezone.localdate() + dt.timedelta(days=rules.REVIEW_DUE_DAYS))
        return queryset

    def is_valid(self) -> bool:
        """Valid when the fields are and ``unit`` names a unit in the user's scope."""
        if not super().is_valid():
            return False
        code = (self.form.cleaned_data.get("unit") or "").strip()
        if code and unit_in_scope(self.user, code) is None:
            self.form.add_error("unit", "单位不存在或不在您的数据范围内")
            return False
        return True
