"""Organization API: ``/api/organizations/`` — list (``?search=`` name / code / path words, plus the
``OrganizationFilterSet`` filters), retrieve, create (``POST``), partial update (``PATCH`` with
``version``), and ``POST …/{id}/move/``, ``…/dissolve/``, ``…/reactivate/``.

A ``core.api.ScopedModelViewSet``: reads go through ``orgs.selectors`` (``organization_list`` in the
request's ``party.<action>`` scope); every write calls the same ``orgs.services`` function as the pages,
which checks ``party.add`` / ``change`` / ``delete`` on the organization: outside that scope is a 404, a
stale ``version`` a 409 naming who changed what, bad input a 400 with ``errors`` (``column`` = the
Chinese field name). Nothing is written on any error.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from zugong.core.api import ScopedModelViewSet, scoped_action
from zugong.core.errors import OutOfScope, RowError, ValidationFailed
from zugong.orgs import selectors, services
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

CONFLICT = "版本号已过期（记录已被他人修改）时返回 409（说明修改人、时间和字段），且不写入任何数据。"


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
class OrganizationViewSet(ScopedModelViewSet):
    model = PartyOrganization
    list_selector = selectors.organization_list
    serializer_class = OrganizationSerializer
    create_serializer_class = OrganizationCreateSerializer
    update_serializer_class = OrganizationPatchSerializer
    filterset_class = OrganizationFilterSet
    not_found = "组织不存在或不在您的数据范围内。"

    def create_object(self, data):
        user = self.request.user
        parent = selectors.organization_by_code(user=user, code=data.pop("parent_code"), action="add")
        if parent is None:
            raise OutOfScope("上级组织不存在或不在您的数据范围内。")
        return services.organization_create(user=user, parent=parent, **data)

    def update_object(self, obj, *, expected_version, changes):
        return services.organization_update(user=self.request.user, organization=obj,
                                            expected_version=expected_version, changes=changes)

    @scoped_action(scope="change", input=OrganizationMoveSerializer, output=OrganizationSerializer,
                   summary="调整隶属关系", description="连同下级组织移到新的上级组织之下；新的上级不能是本组织或其下级。" + CONFLICT)
    def move(self, request, obj, data):
        code = data["new_parent_code"]
        target = selectors.organization_by_code(user=request.user, code=code, action="change")
        if target is None:
            reason = f"上级组织「{code}」不存在或不在您的管理范围内"
            raise ValidationFailed([RowError(0, "上级组织", reason)], message=f"「上级组织」：{reason}")
        return services.organization_move(user=request.user, organization=obj, new_parent=target,
                                          expected_version=data["version"])

    @scoped_action(scope="delete", input=OrganizationDissolveSerializer, output=OrganizationSerializer,
                   summary="撤销党组织", description="仍有党员组织关系或未撤销的下级组织时拒绝（列出名单）。" + CONFLICT)
    def dissolve(self, request, obj, data):
        return services.organization_dissolve(user=request.user, organization=obj, date=data["date"],
                                              reason=data["reason"], expected_version=data["version"])

    @scoped_action(scope="delete", input=OrganizationVersionSerializer, output=OrganizationSerializer,
                   summary="恢复已撤销的党组织", description=CONFLICT)
    def reactivate(self, request, obj, data):
        return services.organization_reactivate(user=request.user, organization=obj,
                                                expected_version=data["version"])
