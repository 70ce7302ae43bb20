"""Members API: ``/api/members/`` (the roster, list) and ``/api/members/{person_id}/`` (one member),
read-only. Rows come from ``party.selectors.roster_base`` (scoped: ``Membership.objects.restrict``) and
are filtered by the same ``MemberFilterSet`` as the roster page and export; a member outside the scope,
or not a member on ``as_of``, is a 404."""

from __future__ import annotations

from functools import partial

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.pagination import PageNumberPagination

from zugong.party.api.serializers import MemberSerializer
from zugong.party.filtersets import MemberFilterSet
from zugong.party.models import Membership
from zugong.party.selectors import RosterPaginator, roster_base


class RosterFilterBackend(DjangoFilterBackend):
    """``DjangoFilterBackend`` that also leaves the bound filter set on the view (``view.roster_filterset``)
    so that ``RosterPagination`` can count its rows with the filter set's ``count_qs``."""

    def get_filterset(self, request, queryset, view):
        """The bound filter set (as ``DjangoFilterBackend``), also stored as ``view.roster_filterset``."""
        filterset = super().get_filterset(request, queryset, view)
        view.roster_filterset = filterset
        return filterset


class RosterPagination(PageNumberPagination):
    """The default page-number pagination (``PAGE_SIZE`` rows) with the roster's paginator (page keys,
    then rows; deep pages through per-organization counts). Counts with the filter set's ``count_qs``
    when the queryset to paginate is that filter set's ``qs`` (see ``RosterFilterBackend``)."""

    django_paginator_class = RosterPaginator

    def paginate_queryset(self, queryset, request, view=None):
        """``PageNumberPagination.paginate_queryset`` (the page's rows, or 404 for a page out of range)."""
        filterset = getattr(view, "roster_filterset", None)
        count_queryset = filterset.count_qs if filterset is not None and filterset.qs is queryset else None
        self.django_paginator_class = partial(RosterPaginator, count_queryset=count_queryset)
        return super().paginate_queryset(queryset, request, view)


_PERSON_ID = OpenApiParameter("person_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="人员ID")


@extend_schema_view(
    list=extend_schema(summary="党员名册", description="当前用户数据范围内截至 as_of（默认今天）的党员，"
                       "筛选参数与党员名册页面、导出相同。"),
    retrieve=extend_schema(summary="党员", parameters=[_PERSON_ID],
                           description="截至 as_of 在数据范围内的党员；否则返回 404。"),
)
class MemberViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = MemberSerializer
    pagination_class = RosterPagination
    filter_backends = [RosterFilterBackend]
    filterset_class = MemberFilterSet
    lookup_field = "person_id"
    lookup_value_regex = r"\d+"
    queryset = Membership.objects.none()  # schema generation; real rows come from get_queryset

    def get_queryset(self):
        return roster_base(user=self.request.user)
