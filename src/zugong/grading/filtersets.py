"""Filters of the grading lists — one filter set serves the page, the API and the export:

- ``GradingFilterSet``: ``org`` (组织代码: the subtree; outside the scope → 404), ``year``, ``scheme``
  (方案代码), ``level`` (等次代码), ``designated`` (示范党支部 true/false);
- ``WeakFilterSet``: ``org``, ``year``, ``status`` (``rectifying`` 整改中 / ``rectified`` 已整改 /
  ``verified`` 已验收)."""

from __future__ import annotations

import django_filters
from django.http import Http404

from zugong.grading.choices import WEAK_STATUS
from zugong.grading.models import BranchGrading, WeakBranch
from zugong.grading.selectors import STATUS_Q, organization_in_scope

NOT_FOUND = "党组织不存在或不在您的数据范围内"


class _OrgFilterMixin:
    """``org``: the rows of the organization's subtree; an unknown or out-of-scope code is a 404 (it "does
    not exist" for the user). The organization found is kept as ``self.organization``."""

    organization = None

    def filter_org(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        org = organization_in_scope(user=user, ref=str(value).strip())
        if org is None or org.code != str(value).strip():
            raise Http404(NOT_FOUND)
        self.organization = org
        return queryset.filter(organization__path__startswith=org.path)


class GradingFilterSet(_OrgFilterMixin, django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label="党组织（组织代码）")
    year = django_filters.NumberFilter(field_name="year", label="年度")
    scheme = django_filters.CharFilter(field_name="scheme__code", label="评定方案")
    level = django_filters.CharFilter(field_name="level__code", label="等次")
    designated = django_filters.BooleanFilter(field_name="designated_model", label="示范党支部")

    class Meta:
        model = BranchGrading
        fields = ["org", "year", "scheme", "level", "designated"]


class WeakFilterSet(_OrgFilterMixin, django_filters.FilterSet):
    org = django_filters.CharFilter(method="filter_org", label="党组织（组织代码）")
    year = django_filters.NumberFilter(field_name="year", label="年度")
    status = django_filters.ChoiceFilter(choices=WEAK_STATUS.choices, method="filter_status", label="整改状态")

    class Meta:
        model = WeakBranch
        fields = ["org", "year", "status"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(STATUS_Q[value]) if value in STATUS_Q else queryset
