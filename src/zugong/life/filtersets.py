"""Filters of the meeting list (page and API): one filter set serves both (``design.md``).

- ``org``: 组织代码 (or id) → that organization's whole subtree, resolved in the user's scope (unknown or
  outside: no rows, and the page answers 404);
- ``type``: a ``MEETING_TYPE`` code or name (支委会 …);
- ``date_from`` / ``date_to``: the period, inclusive (YYYY-MM-DD).
"""

from __future__ import annotations

import django_filters
from django import forms

from zugong.life.choices import MEETING_TYPE
from zugong.life.models import Meeting
from zugong.orgs.selectors import organization_by_ref


class MeetingTypeField(forms.CharField):
    """A meeting type given as code or name; ``""`` for none; unknown text is a form error."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        code = MEETING_TYPE.parse(value)
        if code is None:
            raise forms.ValidationError(f"无法识别的会议类型「{value}」")
        return code


class MeetingTypeFilter(django_filters.CharFilter):
    field_class = MeetingTypeField


class MeetingFilterSet(django_filters.FilterSet):
    """``?org=&type=&date_from=&date_to=``; bind with ``request=`` (the user's scope resolves ``org``)."""

    org = django_filters.CharFilter(method="filter_org", label="党组织（代码，含下级）")
    type = MeetingTypeFilter(field_name="meeting_type", label="会议类型",
                             widget=forms.Select(choices=[("", "全部"), *MEETING_TYPE.choices]))
    date_from = django_filters.DateFilter(field_name="date", lookup_expr="gte", label="日期自",
                                          widget=forms.DateInput(attrs={"type": "date"}))
    date_to = django_filters.DateFilter(field_name="date", lookup_expr="lte", label="日期至",
                                        widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Meeting
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None, user=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.user = user if user is not None else getattr(request, "user", None)
        self.selected_org = None

    def filter_org(self, queryset, name, value):
        org = organization_by_ref(user=self.user, ref=value)
        self.selected_org = org
        if org is None:
            return queryset.none()
        return queryset.filter(organization__path__startswith=org.path)
