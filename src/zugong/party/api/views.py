"""Members API: ``/api/members/`` (the roster, list) and ``/api/members/{person_id}/`` (one member),
read-only. Rows come from ``party.selectors.roster_base`` (scoped: ``Membership.objects.restrict``) and
are filtered by the same ``MemberFilterSet`` as the roster page and export; a member outside the scope,
or not a member on ``as_of``, is a 404."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.pagination import PageNumberPagination

from zugong.party.api.serializers import MemberSerializer
from zugong.party.filtersets import MemberFilterSet
from zugong.party.models import Membership
from zugong.party.selectors import RosterPaginator, roster_base


class RosterPagination(PageNumberPagination):
    """The default page-number pagination (``PAGE_SIZE`` rows) with the roster's two-step page fetch."""

    django_paginator_class = RosterPaginator


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
    filterset_class = MemberFilterSet
    lookup_field = "person_id"
    lookup_value_regex = r"\d+"
    queryset = Membership.objects.none()  # schema generation; real rows come from get_queryset

    def get_queryset(self):
        return roster_base(user=self.request.user)
