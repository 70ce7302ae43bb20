"""Organization API: ``/api/organizations/`` — list (``?search=`` name / code / path words, plus the
``OrganizationFilterSet`` filters), retrieve, create (``POST``), partial update (``PATCH`` with
``version``), and ``POST …/{id}/move/``, ``…/dissolve/``, ``…/reactivate/``, ``…/unit/`` (党组织所在单位情况).
Units: ``/api/units/`` (``UnitViewSet``, scoped on the unit tree).

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
from zugong.orgs import services, unit_services
from zugong.orgs.api.serializers import (
    OrganizationCreateSerializer,
    OrganizationDissolveSerializer,
    OrganizationMoveSerializer,
    OrganizationPatchSerializer,
    OrganizationSerializer,
    OrganizationUnitSerializer,
    OrganizationVersionSerializer,
    UnitCreateSerializer,
    UnitMoveSerializer,
    UnitPatchSerializer,
    UnitSerializer,
)
from zugong.orgs.filtersets import OrganizationFilterSet
from zugong.orgs.models import PartyOrganization, Unit

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
        return scoped.annotate(parent_code=Subquery(parent)).select_related("unit").order_by("path")

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

    @extend_schema(summary="设置党组织所在单位", request=OrganizationUnitSerializer, responses={200: OrganizationSerializer},
                   description="党组织所在单位情况：法人单位（unit_code）、与上级党组织相同、联合党支部"
                               "（joint_unit_codes，至少 2 个）；单位须在您的单位数据范围内。" + CONFLICT)
    @action(detail=True, methods=["post"])
    def unit(self, request, pk=None):
        """POST ``/api/organizations/{id}/unit/``: 党组织所在单位情况 through ``orgs.services.organization_set_unit``
        (``party.change`` on the organization; the units must be visible on the unit tree, else 400 naming
        them)."""
        org = self.get_object()
        data = self._input(OrganizationUnitSerializer)
        problems = []
        unit = _unit_in_scope(request.user, data["unit_code"], "view") if data["unit_code"].strip() else None
        if data["unit_code"].strip() and unit is None:
            problems.append(RowError(0, "所在单位", f"单位「{data['unit_code']}」不存在或不在您的数据范围内"))
        joint = []
        for code in dict.fromkeys(data["joint_unit_codes"]):
            found = _unit_in_scope(request.user, code, "view")
            if found is None:
                problems.append(RowError(0, "联合党支部覆盖的单位", f"单位「{code}」不存在或不在您的数据范围内"))
            joint.append(found)
        if problems:
            raise ValidationFailed(problems, message="；".join(f"「{e.column}」：{e.reason}" for e in problems))
        org = services.organization_set_unit(user=request.user, organization=org, relation=data["unit_relation"],
                                             unit=unit, joint_units=joint, expected_version=data["version"])
        return self._out(org)


# --- units (单位): /api/units/ -----------------------------------------------------------------------------


def _unit_in_scope(user, code: str, action: str) -> Unit | None:
    code = (code or "").strip()
    return Unit.objects.restrict(user, action).filter(code=code).first() if code else None


@extend_schema_view(
    list=extend_schema(summary="单位列表", description="当前用户在单位树上的数据范围内的单位，按单位树顺序。"
                       "`search` 按名称（包含）、单位代码或统一社会信用代码（前缀）搜索。只有党组织授权、没有单位授权的用户得到空列表。",
                       parameters=[OpenApiParameter("search", str, description="名称、单位代码或统一社会信用代码")]),
    retrieve=extend_schema(summary="单位详情", description="不在数据范围内的单位返回 404。"),
    create=extend_schema(summary="新增下级单位", request=UnitCreateSerializer, responses={201: UnitSerializer},
                         description="须对上级单位有新增权限（覆盖下级的单位授权）；上级单位不在范围内返回 404。"),
    partial_update=extend_schema(summary="修改单位", request=UnitPatchSerializer, responses={200: UnitSerializer},
                                 description="须带读取时的 version；" + CONFLICT),
)
class UnitViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """``/api/units/`` — list (``?search=``), retrieve, create (``POST``), partial update (``PATCH`` with
    ``version``), ``POST …/{id}/move/``, ``…/dissolve/``, ``…/reactivate/``. Reads are scoped on the unit
    tree (``Unit.objects.restrict(user, "view")``, data label ``basic``); writes call ``orgs.unit_services``
    (``basic.add`` / ``change`` / ``delete``): out of scope 404, stale ``version`` 409, bad input 400 with
    ``errors`` naming the Chinese field."""

    serializer_class = UnitSerializer
    queryset = Unit.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        scoped = Unit.objects.restrict(self.request.user, "view")
        parent = scoped.filter(path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - Unit.steplen)).values("code")[:1]
        qs = scoped.annotate(parent_code=Subquery(parent)).order_by("path")
        text = (self.request.query_params.get("search") or "").strip()[:100] if self.action == "list" else ""
        if text:
            from django.db.models import Q

            qs = qs.filter(Q(name__icontains=text) | Q(code__startswith=text) | Q(credit_code__startswith=text.upper()))
        return qs

    def _out(self, unit: Unit, code: int = status.HTTP_200_OK) -> Response:
        fresh = self.get_queryset().filter(pk=unit.pk).first()
        if fresh is None:
            raise OutOfScope()
        return Response(UnitSerializer(fresh).data, status=code)

    def _input(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def create(self, request, *args, **kwargs):
        data = dict(self._input(UnitCreateSerializer))
        parent = _unit_in_scope(request.user, data.pop("parent_code"), "add")
        if parent is None:
            raise OutOfScope("上级单位不存在或不在您的数据范围内。")
        unit = unit_services.unit_create(user=request.user, parent=parent, **data)
        return self._out(unit, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        unit = self.get_object()
        data = dict(self._input(UnitPatchSerializer))
        version = data.pop("version")
        unit = unit_services.unit_update(user=request.user, unit=unit, expected_version=version, changes=data)
        return self._out(unit)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return Response({"detail": "请使用 PATCH 修改。"}, status=status.HTTP_405_METHOD_NOT_ALLOWED)
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(summary="调整单位隶属关系", request=UnitMoveSerializer, responses={200: UnitSerializer},
                   description="连同下级单位移到新的上级单位之下；新的上级不能是本单位或其下级。" + CONFLICT)
    @action(detail=True, methods=["post"])
    def move(self, request, pk=None):
        unit = self.get_object()
        data = self._input(UnitMoveSerializer)
        target = _unit_in_scope(request.user, data["new_parent_code"], "change")
        if target is None:
            message = f"上级单位「{data['new_parent_code']}」不存在或不在您的管理范围内"
            raise ValidationFailed([RowError(0, "上级单位", message)], message=f"「上级单位」：{message}")
        unit = unit_services.unit_move(user=request.user, unit=unit, new_parent=target, expected_version=data["version"])
        return self._out(unit)

    @extend_schema(summary="撤销单位", request=OrganizationDissolveSerializer, responses={200: UnitSerializer},
                   description="仍有未撤销的下级单位或党组织时拒绝（列出名单）。" + CONFLICT)
    @action(detail=True, methods=["post"])
    def dissolve(self, request, pk=None):
        unit = self.get_object()
        data = self._input(OrganizationDissolveSerializer)
        unit = unit_services.unit_dissolve(user=request.user, unit=unit, date=data["date"], reason=data["reason"],
                                           expected_version=data["version"])
        return self._out(unit)

    @extend_schema(summary="恢复已撤销的单位", request=OrganizationVersionSerializer, responses={200: UnitSerializer},
                   description=CONFLICT)
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        unit = self.get_object()
        data = self._input(OrganizationVersionSerializer)
        unit = unit_services.unit_reactivate(user=request.user, unit=unit, expected_version=data["version"])
        return self._out(unit)


