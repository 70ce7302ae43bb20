"""Filters of the meeting list (page and API): one filter set serves both (``design.md``).

- ``org``: 组织代码 (or id) → that organization's whole subtree, resolved in the user's scope (unknown or
  outside: no rows, and the page answers 404);
- ``type``: a ``MEETING_TYPE`` code or name (支委会 …);
- ``period``: a year ``2025``, a quarter ``2025-Q1`` or a month ``2025-03`` (the periods the 三会一课 rules count
  in); ``date_from`` / ``date_to``: any other period, inclusive (YYYY-MM-DD). Both may be combined.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

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


def period_range(text: str) -> tuple[dt.date, dt.date] | None:
    """``"2025"`` → the year, ``"2025-Q2"`` → April–June, ``"2025-03"`` → March, as ``(first day, last day)``;
    ``None`` for anything else."""
    text = (text or "").strip().upper()
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", text):
        year, q = int(m[1]), int(m[2])
        last = 3 * q
        return dt.date(year, last - 2, 1), dt.date(year, last, calendar.monthrange(year, last)[1])
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])
    return None


class PeriodField(forms.CharField):
    """A period as ``period_range`` reads it; unreadable text is a form error."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        found = period_range(value)
        if found is None:
            raise forms.ValidationError(f"无法识别的期间「{value}」（如 2025、2025-Q1、2025-03）")
        return found


class PeriodFilter(django_filters.CharFilter):
    field_class = PeriodField

    def filter(self, qs, value):
        if not value:
            return qs
        first, last = value
        return qs.filter(date__gte=first, date__lte=last)


class MeetingFilterSet(django_filters.FilterSet):
    """``?org=&type=&date_from=&date_to=``; bind with ``request=`` (the user's scope resolves ``org``)."""

    org = django_filters.CharFilter(method="filter_org", label="党组织（代码，含下级）")
    type = MeetingTypeFilter(field_name="meeting_type", label="会议类型",
                             widget=forms.Select(choices=[("", "全部"), *MEETING_TYPE.choices]))
    period = PeriodFilter(label="期间", widget=forms.TextInput(attrs={"placeholder": "2025、2025-Q1 或 2025-03"}))
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
