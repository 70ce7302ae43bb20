"""Organization API: ``/api/organizations/`` — list (``?search=`` name / code / path words, plus the
``OrganizationFilterSet`` filters), retrieve, create (``POST``), partial update (``PATCH`` with
``version``), and ``POST …/{id}/move/``, ``…/dissolve/``, ``…/reactivate/``, ``…/unit/`` (党组织所在单位情况);
and the unit API ``/api/units/`` (``UnitViewSet``, scoped on the unit tree).

A ``core.api.ScopedModelViewSet``: reads go through ``orgs.selectors`` (``organization_list`` in the
request's ``party.<action>`` scope); every write calls the same ``orgs.services`` function as the pages,
which checks ``party.add`` / ``change`` / ``delete`` on the organization: outside that scope is a 404, a
stale ``version`` a 409 naming who changed what, bad input a 400 with ``errors`` (``column`` = the
Chinese field name). Nothing is written on any error.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from zugong.core.api import ScopedModelViewSet, scoped_action
from zugong.core.errors import RowError, ValidationFailed
from zugong.core.tree_api import tree_actions
from zugong.orgs import selectors, services, unit_selectors, unit_services
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
from zugong.orgs.filtersets import OrganizationFilterSet, UnitFilterSet
from zugong.orgs.models import PartyOrganization, Unit

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
class OrganizationViewSet(tree_actions(
        move_input=OrganizationMoveSerializer, dissolve_input=OrganizationDissolveSerializer,
        version_input=OrganizationVersionSerializer, output=OrganizationSerializer, move_summary="调整隶属关系",
        move_description="连同下级组织移到新的上级组织之下；新的上级不能是本组织或其下级。" + CONFLICT,
        dissolve_summary="撤销党组织", dissolve_description="仍有党员组织关系或未撤销的下级组织时拒绝（列出名单）。" + CONFLICT,
        reactivate_summary="恢复已撤销的党组织", reactivate_description=CONFLICT), ScopedModelViewSet):
    """``/api/organizations/``: the tree actions of ``core.tree_api`` on ``orgs.services``, plus ``…/unit/``."""

    model = PartyOrganization
    list_selector = selectors.organization_list
    serializer_class = OrganizationSerializer
    create_serializer_class = OrganizationCreateSerializer
    update_serializer_class = OrganizationPatchSerializer
    filterset_class = OrganizationFilterSet
    not_found = "组织不存在或不在您的数据范围内。"
    parent_field = "上级组织"
    object_kwarg = "organization"
    create_service = services.organization_create
    update_service = services.organization_update
    move_service = services.organization_move
    dissolve_service = services.organization_dissolve
    reactivate_service = services.organization_reactivate

    def parent_by_code(self, code: str, action: str):
        return selectors.organization_by_code(user=self.request.user, code=code, action=action)

    @scoped_action(scope="change", input=OrganizationUnitSerializer, output=OrganizationSerializer,
                   summary="设置党组织所在单位",
                   description="党组织所在单位情况：法人单位（unit_code）、与上级党组织相同、联合党支部"
                               "（joint_unit_codes，至少 2 个）；单位须在您的单位数据范围内，否则 400「不存在」。" + CONFLICT)
    def unit(self, request, obj, data):
        user = request.user
        problems, unit, joint = [], None, []
        if data["unit_code"].strip():
            unit = unit_selectors.unit_by_code(user=user, code=data["unit_code"])
            if unit is None:
                problems.append(RowError(0, "所在单位", f"单位「{data['unit_code'].strip()}」不存在或不在您的数据范围内"))
        for code in dict.fromkeys(data["joint_unit_codes"]):
            found = unit_selectors.unit_by_code(user=user, code=code)
            if found is None:
                problems.append(RowError(0, "联合党支部覆盖的单位", f"单位「{code}」不存在或不在您的数据范围内"))
            joint.append(found)
        if problems:
            raise ValidationFailed(problems, message="；".join(f"「{e.column}」：{e.reason}" for e in problems))
        return services.organization_set_unit(user=user, organization=obj, relation=data["unit_relation"], unit=unit,
                                              joint_units=joint, expected_version=data["version"])


@extend_schema_view(
    list=extend_schema(summary="单位列表", description="当前用户在单位树上的数据范围内的单位，按单位树顺序。"
                       "`search` 按名称（包含）、单位代码或统一社会信用代码（前缀）搜索。只有党组织授权、"
                       "没有单位授权的用户得到空列表。"),
    retrieve=extend_schema(summary="单位详情", description="不在数据范围内的单位返回 404。"),
    create=extend_schema(summary="新增下级单位", request=UnitCreateSerializer, responses={201: UnitSerializer},
                         description="须对上级单位有新增权限（覆盖下级的单位授权）；上级单位不在范围内返回 404。"),
    partial_update=extend_schema(summary="修改单位", request=UnitPatchSerializer, responses={200: UnitSerializer},
                                 description="须带读取时的 version；" + CONFLICT),
)
class UnitViewSet(tree_actions(
        move_input=UnitMoveSerializer, dissolve_input=OrganizationDissolveSerializer,
        version_input=OrganizationVersionSerializer, output=UnitSerializer, move_summary="调整单位隶属关系",
        move_description="连同下级单位移到新的上级单位之下；新的上级不能是本单位或其下级。" + CONFLICT,
        dissolve_summary="撤销单位", dissolve_description="仍有未撤销的下级单位或党组织时拒绝（列出名单）。" + CONFLICT,
        reactivate_summary="恢复已撤销的单位", reactivate_description=CONFLICT), ScopedModelViewSet):
    """``/api/units/``: list (``?search=``), retrieve, create, ``PATCH`` (with ``version``), ``move``,
    ``dissolve``, ``reactivate``. Reads through ``orgs.unit_selectors.unit_api_list`` (the unit tree,
    ``basic.<action>``); writes through ``orgs.unit_services``."""

    model = Unit
    list_selector = unit_selectors.unit_api_list
    serializer_class = UnitSerializer
    create_serializer_class = UnitCreateSerializer
    update_serializer_class = UnitPatchSerializer
    filterset_class = UnitFilterSet
    not_found = "单位不存在或不在您的数据范围内。"
    parent_field = "上级单位"
    object_kwarg = "unit"
    create_service = unit_services.unit_create
    update_service = unit_services.unit_update
    move_service = unit_services.unit_move
    dissolve_service = unit_services.unit_dissolve
    reactivate_service = unit_services.unit_reactivate

    def parent_by_code(self, code: str, action: str):
        return unit_selectors.unit_by_code(user=self.request.user, code=code, action=action)
