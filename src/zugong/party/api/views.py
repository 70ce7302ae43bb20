"""Members API: ``/api/members/`` (the roster, list) and ``/api/members/{person_id}/`` (one member),
read-only; the member's record and memberships, and the membership actions (the same services as the
person page; 404 outside the scope, 400 with every problem by field, 409 on a stale ``version``):

- ``GET  /api/members/{person_id}/record/`` — 入党/转正日期 and every membership period, with versions;
- ``POST /api/members/{person_id}/transfer/`` — 组织关系转接 within the scope (``membership_transfer``);
- ``POST /api/members/{person_id}/full-membership/`` — 转正 (``membership_change_category``);
- ``POST /api/members/{person_id}/end/`` — 结束组织关系 (``membership_end``).

Reads Rows come from ``party.selectors.roster_base`` (scoped: ``Membership.objects.restrict``) and
are filtered by the same ``MemberFilterSet`` as the roster page and export; a member outside the scope,
or not a member on ``as_of``, is a 404."""

from __future__ import annotations

from functools import partial

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from zugong.party import services
from zugong.party.api.serializers import (
    EndRequestSerializer,
    FullMembershipRequestSerializer,
    MemberRecordSerializer,
    MemberSerializer,
    TransferRequestSerializer,
    member_record,
)
from zugong.party.filtersets import MemberFilterSet
from zugong.party.models import Membership, PartyMember
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

    def _record(self, person_id, action: str = "view"):
        member = (PartyMember.objects.restrict(self.request.user, action).select_related("person")
                  .prefetch_related("person__memberships__organization").filter(pk=person_id).first())
        if member is None:
            raise NotFound("党员不存在或不在您的数据范围内。")
        return member

    @extend_schema(summary="党员记录与组织关系", parameters=[_PERSON_ID], responses={200: MemberRecordSerializer},
                   description="入党、转正日期和全部组织关系（含版本号）；不在数据范围内返回 404。")
    @action(detail=True, methods=["get"], url_path="record")
    def record(self, request, person_id=None):
        return Response(MemberRecordSerializer(member_record(self._record(person_id))).data)

    @extend_schema(summary="组织关系转接", parameters=[_PERSON_ID], request=TransferRequestSerializer,
                   responses={200: MemberRecordSerializer},
                   description="数据范围内转接：原组织关系于 date 结束，新组织关系自 date 开始。version 为未结束组织关系的"
                               "版本号，不一致返回 409；转入组织未成立、已撤销或不在范围内分别返回 400/404。")
    @action(detail=True, methods=["post"], url_path="transfer")
    def transfer(self, request, person_id=None):
        self._record(person_id)  # 404 before anything else outside the scope
        payload = TransferRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        services.membership_transfer(user=request.user, person_id=int(person_id), to_organization_id=d["to_organization"],
                                     date=d["date"], expected_version=d["version"],
                                     occupation=d.get("occupation") or None, front_line=d.get("front_line"))
        return Response(MemberRecordSerializer(member_record(self._record(person_id))).data)

    @extend_schema(summary="转正", parameters=[_PERSON_ID], request=FullMembershipRequestSerializer,
                   responses={200: MemberRecordSerializer},
                   description="预备党员转为正式党员；转正日期须在入党一年以后（《党章》第七条）。version 为党员记录版本号，"
                               "不一致返回 409。")
    @action(detail=True, methods=["post"], url_path="full-membership")
    def full_membership(self, request, person_id=None):
        self._record(person_id)
        payload = FullMembershipRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        services.membership_change_category(user=request.user, person_id=int(person_id),
                                            full_membership_date=d["full_membership_date"], expected_version=d["version"])
        return Response(MemberRecordSerializer(member_record(self._record(person_id))).data)

    @extend_schema(summary="结束组织关系", parameters=[_PERSON_ID], request=EndRequestSerializer,
                   responses={200: MemberRecordSerializer},
                   description="未结束的组织关系于 end_date 结束。version 为该组织关系的版本号，不一致返回 409。")
    @action(detail=True, methods=["post"], url_path="end")
    def end(self, request, person_id=None):
        self._record(person_id)
        payload = EndRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        d = payload.validated_data
        services.membership_end(user=request.user, person_id=int(person_id), end_date=d["end_date"], reason=d["reason"],
                                expected_version=d["version"])
        return Response(MemberRecordSerializer(member_record(self._record(person_id))).data)
