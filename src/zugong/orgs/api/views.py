"""Organization API: ``/api/organizations/`` — list (``?search=`` name / code / path words, plus the
``OrganizationFilterSet`` filters), retrieve, create (``POST``), partial update (``PATCH`` with
``version``), and ``POST …/{id}/move/``, ``…/dissolve/``, ``…/reactivate/``.

Reads are scoped with ``PartyOrganization.objects.restrict(user, "view")``; every write calls the same
``orgs.services`` function as the pages, which checks ``party.add`` / ``change`` / ``delete`` on the
organization: outside that scope is a 404, a stale ``version`` a 409 naming who changed what, bad input a
400 with ``errors`` (``column`` = the Chinese field name). Nothing is written on any error.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from zugong.core.errors import OutOfScope, RowError, ValidationFailed
from zugong.orgs import services
from zugong.orgs.api.serializers import (
    OrganizationCreateSerializer,
    OrganizationDissolveSerializer,
    OrganizationMoveSerializer,
    OrganizationPatchSerializer,
    OrganizationSerializer,
    OrganizationVersionSerializer,
)
from zugong.orgs.filtersets import OrganizationFilterSet
from zugong.orgs.models import PartyOrganization

CONFLICT = "版本号已过期（记录已被他人修改）时返回 409，且不写入任何数据。"


@extend_schema_view(
    list=extend_schema(summary="党组织列表", description="当前用户数据范围内的党组织，按组织树顺序。"
                       "`search` 按名称（包含）、组织代码（前缀）或「上级名称 本级名称」搜索。",
                       parameters=[OpenApiParameter("search", str, description="名称、代码或路径关键词")]),
    retrieve=extend_schema(summary="党组织详情", description="不在数据范围内的组织返回 404。"),
    create=extend_schema(summary="新增下级组织", request=OrganizationCreateSerializer,
                         responses={201: OrganizationSerializer},
                         description="须对上级组织有新增权限（覆盖下级）；上级组织不在范围内返回 404。"),
    partial_update=extend_schema(summary="修改党组织", request=OrganizationPatchSerializer,
                                 responses={200: OrganizationSerializer}, description="须带读取时的 version；" + CONFLICT),
)
class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          mixins.UpdateModelMixin, viewsets.GenericViewSet):
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    queryset = PartyOrganization.objects.none()  # schema generation; real rows come from get_queryset
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        scoped = PartyOrganization.objects.restrict(user, "view")
        # The parent's code in one subquery per row (path minus the last step), itself scoped.
        parent = scoped.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - PartyOrganization.steplen)
        ).values("code")[:1]
        return scoped.annotate(parent_code=Subquery(parent)).order_by("path")

    def _out(self, org: PartyOrganization, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=org.pk).first()
        if fresh is None:  # written but no longer visible (cannot happen after the services' re-check)
            raise OutOfScope()
        return Response(OrganizationSerializer(fresh).data, status=code)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        data = dict(self._input(OrganizationCreateSerializer))
        parent = PartyOrganization.objects.restrict(request.user, "add").filter(code=data.pop("parent_code")).first()
        if parent is None:
            raise OutOfScope("上级组织不存在或不在您的数据范围内。")
        org = services.organization_create(user=request.user, parent=parent, **data)
        return self._out(org, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        org = self.get_object()
        data = dict(self._input(OrganizationPatchSerializer))
        version = data.pop("version")
        org = services.organization_update(user=request.user, organization=org, expected_version=version, changes=data)
        return self._out(org)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return Response({"detail": "请使用 PATCH 修改。"}, status=status.HTTP_405_METHOD_NOT_ALLOWED)
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(summary="调整隶属关系", request=OrganizationMoveSerializer, responses={200: OrganizationSerializer},
                   description="连同下级组织移到新的上级组织之下；新的上级不能是本组织或其下级。" + CONFLICT)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        org = self.get_object()
        data = self._input(OrganizationMoveSerializer)
        target = PartyOrganization.objects.restrict(request.user, "change").filter(code=data["new_parent_code"]).first()
        if target is None:
            raise ValidationFailed([RowError(0, "上级组织", f"上级组织「{data['new_parent_code']}」不存在或不在您的管理范围内")],
                                   message=f"「上级组织」：上级组织「{data['new_parent_code']}」不存在或不在您的管理范围内")
        org = services.organization_move(user=request.user, organization=org, new_parent=target,
                                         expected_version=data["version"])
        return self._out(org)

    @extend_schema(summary="撤销党组织", request=OrganizationDissolveSerializer, responses={200: OrganizationSerializer},
                   description="仍有党员组织关系或未撤销的下级组织时拒绝（列出名单）。" + CONFLICT)
    @action(detail=True, methods=["post"])
    def dissolve(self, request, pk=None):
        org = self.get_object()
        data = self._input(OrganizationDissolveSerializer)
        org = services.organization_dissolve(user=request.user, organization=org, date=data["date"],
                                             reason=data["reason"], expected_version=data["version"])
        return self._out(org)

    @extend_schema(summary="恢复已撤销的党组织", request=OrganizationVersionSerializer,
                   responses={200: OrganizationSerializer}, description=CONFLICT)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        org = self.get_object()
        data = self._input(OrganizationVersionSerializer)
        org = services.organization_reactivate(user=request.user, organization=org, expected_version=data["version"])
        return self._out(org)
