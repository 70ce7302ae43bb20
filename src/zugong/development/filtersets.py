"""The pipeline list's filters (page and API): ``org`` (组织代码, its subtree; must be in the user's scope),
``stage`` (``selectors.STAGE_FILTERS``), ``due`` (``overdue`` 已逾期 / ``soon`` 30天内到期), ``name``."""

from __future__ import annotations

import django_filters
from django.utils import timezone

from zugong.development import selectors
from zugong.orgs.selectors import organization_by_code
from zugong.people.search import PersonSearchFilter


class DevelopmentFilterSet(django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label="党组织（代码，含下级）")
    stage = django_filters.ChoiceFilter(choices=list(selectors.STAGE_FILTERS.items()), method="filter_stage",
                                        label="阶段", empty_label="全部阶段")
    due = django_filters.ChoiceFilter(choices=[("overdue", "已逾期"), ("soon", "30天内到期")], method="filter_due",
                                      label="期限", empty_label="全部")
    name = PersonSearchFilter(prefix="person__")

    def __init__(self, *args, request=None, user=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.user = user or (request.user if request is not None else None)

    def filter_org(self, queryset, name, value):
        org = organization_by_code(user=self.user, code=value.strip(), action="view")
        if org is None:
            return queryset.none()
        return queryset.filter(organization__path__startswith=org.path)

    def filter_stage(self, queryset, name, value):
        return queryset.filter(selectors.stage_q(value)) if value else queryset

    def filter_due(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(selectors.any_due(today=today))
        if value == "soon":
            return queryset.filter(selectors.any_due(today=today, within=selectors.DUE_SOON_DAYS)).exclude(
                selectors.any_due(today=today))
        return queryset

    def is_valid(self) -> bool:
        """Valid when the fields are and ``org`` names an organization in the user's scope."""
        if not super().is_valid():
            return False
        code = (self.form.cleaned_data.get("org") or "").strip()
        if code and organization_by_code(user=self.user, code=code, action="view") is None:
            self.form.add_error("org", "党组织不存在或不在您的数据范围内")
            return False
        return True
