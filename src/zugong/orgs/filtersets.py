"""Filters over party organizations (the API list; pages use ``orgs.selectors``).

The queryset handed in must already be restricted to the user's scope; ``under`` additionally resolves
its code through the scope, so an ``under`` outside the scope filters to nothing (never a leak).
"""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django_filters.fields import ChoiceField

from zugong.core.codes import ORG_TYPE, UNIT_CATEGORY
from zugong.orgs.models import PartyOrganization
from zugong.orgs.selectors import SEARCH_LIMIT, organization_by_ref, organization_pick


class CodeTableChoiceField(ChoiceField):
    """A choice field over a ``core.codes.CodeTable`` that also accepts the standard names and short
    forms (``党支部``, ``支部`` → ``branch``); the empty choice reads 全部."""

    def __init__(self, *args, table=None, **kwargs):
        self.table = table
        kwargs.setdefault("empty_label", "全部")
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value and self.table is not None:
            return self.table.parse(value) or value
        return value


class CodeTableFilter(django_filters.ChoiceFilter):
    """``ChoiceFilter`` over a code table (see ``CodeTableChoiceField``)."""

    field_class = CodeTableChoiceField

    def __init__(self, *args, table, **kwargs):
        kwargs.setdefault("choices", table.choices)
        super().__init__(*args, **kwargs)
        self.extra["table"] = table


class OrganizationFilterSet(django_filters.FilterSet):
    """组织 filters: ``code`` (exact), ``name`` (contains), ``org_type`` (code or name), ``status``,
    ``under`` (组织代码 or id: that organization's subtree, itself included; must be within scope),
    ``search`` (the organization picker's matching, ``selectors.organization_pick``: name contains, code
    prefix, or several words matching the organization and its ancestors' names)."""

    code = django_filters.CharFilter(field_name="code", label="组织代码")
    name = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="组织名称包含")
    org_type = CodeTableFilter(field_name="org_type", table=ORG_TYPE, label="组织类别")
    status = django_filters.ChoiceFilter(field_name="status", choices=PartyOrganization.STATUS_CHOICES, label="状态")
    under = django_filters.CharFilter(method="filter_under", label="上级组织（代码或ID，含下级）")
    search = django_filters.CharFilter(method="filter_search", label="名称、代码或路径关键词")

    class Meta:
        model = PartyOrganization
        fields: list[str] = []

    def filter_under(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        root = organization_by_ref(user=user, ref=value)
        if root is None:
            return queryset.none()
        return queryset.filter(path__startswith=root.path)

    def filter_search(self, queryset, name, value):
        words = value.replace("/", " ").split()
        if not words:
            return queryset
        if len(words) == 1:
            return queryset.filter(Q(name__icontains=words[0]) | Q(code__istartswith=words[0]))
        user = getattr(self.request, "user", None)
        picked = organization_pick(user=user, text=value, limit=SEARCH_LIMIT)
        return queryset.filter(pk__in=[o.pk for o in picked])


class UnitFilterSet(django_filters.FilterSet):
    """Filters of the unit API list: ``search`` (name contains, 单位代码 or 统一社会信用代码 prefix) and
    ``unit_category``. The queryset handed in is already restricted to the user's unit scope."""

    search = django_filters.CharFilter(method="filter_search", label="名称、单位代码或统一社会信用代码")
    unit_category = CodeTableFilter(table=UNIT_CATEGORY, label="单位属性")

    class Meta:
        from zugong.orgs.models import Unit

        model = Unit
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        text = (value or "").strip()[:100]
        if not text:
            return queryset
        return queryset.filter(Q(name__icontains=text) | Q(code__startswith=text) | Q(credit_code__startswith=text.upper()))
