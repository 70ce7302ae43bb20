"""班子成员 API (``branches.officers``), the same services as the organization page:

- ``GET  /api/branch-officers/`` — the posts in the scope (``?org=<组织代码>``: of that organization;
  ``?open=true|false``: 在任 / 已离任; ``?role=secretary|…``), ``GET …/{id}/``;
- ``POST /api/branch-officers/`` — 任职 (``officer_appoint``): body ``organization`` (组织代码), ``person``
  (人员ID), ``role`` (code or name), ``start_date``, ``note``; 201 with the post, 400 with every problem by field;
- ``PATCH /api/branch-officers/{id}/`` — 更正 (``officer_correct``): ``version`` + any of ``role``,
  ``start_date``, ``end_date``, ``note``; a stale version is a 409 naming who changed what;
- ``POST /api/branch-officers/{id}/end/`` — 离任 (``officer_end``): ``version``, ``end_date``, ``reason``.

Outside the scope an organization or post is a 404 (the create names an organization outside it: 404 too)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from zugong.branches import officers as officer_services
from zugong.branches.choices import OFFICER_ROLE
from zugong.branches.models import BranchOfficer
from zugong.branches.selectors import officer_get, officer_list, organization_by_code
from zugong.core.api import ScopedModelViewSet, scoped_action
from zugong.core.errors import OutOfScope


class OfficerSerializer(serializers.Serializer):
    """一个班子成员职务（``[start_date, end_date)``，``end_date`` 为空表示在任）。"""

    id = serializers.IntegerField()
    organization_code = serializers.CharField(source="organization.code", help_text="组织代码")
    organization_name = serializers.CharField(source="organization.name", help_text="组织名称")
    person_id = serializers.IntegerField(help_text="人员ID")
    person_name = serializers.CharField(source="person.name", help_text="姓名")
    role = serializers.CharField(help_text="职务代码：secretary 书记 / deputy_secretary 副书记 / organization_member 组织委员 …")
    role_label = serializers.CharField(source="get_role_display", help_text="职务")
    start_date = serializers.DateField(help_text="任职日期")
    end_date = serializers.DateField(allow_null=True, help_text="离任日期（空为在任）")
    note = serializers.CharField(help_text="备注（含离任原因）")
    version = serializers.IntegerField(help_text="版本号（更正、离任时须带上）")


class OfficerCreateSerializer(serializers.Serializer):
    """任职。"""

    organization = serializers.CharField(label="党组织", help_text="组织代码")
    person = serializers.IntegerField(label="人员", help_text="人员ID（须为任职日期当日该组织的党员）")
    role = serializers.CharField(label="职务", help_text="书记、副书记、组织委员…（代码或名称）")
    start_date = serializers.CharField(label="任职日期", help_text="YYYY-MM-DD")
    note = serializers.CharField(label="备注", required=False, allow_blank=True, default="", max_length=500)


class OfficerPatchSerializer(serializers.Serializer):
    """更正：``version`` 与要更正的字段。"""

    version = serializers.IntegerField(label="版本号", help_text="读取时的版本号；不一致返回 409")
    role = serializers.CharField(label="职务", required=False)
    start_date = serializers.CharField(label="任职日期", required=False)
    end_date = serializers.CharField(label="离任日期", required=False, allow_blank=True, help_text="空为在任")
    note = serializers.CharField(label="备注", required=False, allow_blank=True, max_length=500)


class OfficerEndSerializer(serializers.Serializer):
    """离任。"""

    version = serializers.IntegerField(label="版本号", help_text="读取时的版本号；不一致返回 409")
    end_date = serializers.CharField(label="离任日期", help_text="YYYY-MM-DD：自该日起不再担任")
    reason = serializers.CharField(label="离任原因", help_text="换届、调离、免职、辞职…", allow_blank=True)


class OfficerFilterSet(django_filters.FilterSet):
    """``?org=<组织代码>``, ``?open=true|false``, ``?role=<职务代码>``."""

    org = django_filters.CharFilter(field_name="organization__code", label="组织代码")
    open = django_filters.BooleanFilter(field_name="end_date", lookup_expr="isnull", label="在任")
    role = django_filters.ChoiceFilter(choices=OFFICER_ROLE.choices, label="职务")

    class Meta:
        model = BranchOfficer
        fields = ["org", "open", "role"]


@extend_schema_view(
    list=extend_schema(summary="班子成员列表", description="数据范围内党组织的班子成员（在任与已离任）。"),
    retrieve=extend_schema(summary="班子成员", description="不在数据范围内返回 404。"),
    create=extend_schema(summary="任职", request=OfficerCreateSerializer, responses={201: OfficerSerializer},
                         description="人员须为任职日期当日该组织的党员；每个党组织只设一名在任书记。校验失败返回 400。"),
    partial_update=extend_schema(summary="更正班子成员", request=OfficerPatchSerializer, responses={200: OfficerSerializer},
                                 description="须带读取时的 version；记录已被他人修改时返回 409。"),
)
class BranchOfficerViewSet(ScopedModelViewSet):
    """``/api/branch-officers/``."""

    model = BranchOfficer
    list_selector = officer_list
    get_selector = officer_get
    serializer_class = OfficerSerializer
    create_serializer_class = OfficerCreateSerializer
    update_serializer_class = OfficerPatchSerializer
    filterset_class = OfficerFilterSet
    not_found = "班子成员记录不存在或不在您的数据范围内。"

    def create_object(self, data):
        org = organization_by_code(user=self.request.user, code=data.pop("organization"), action="change")
        if org is None:
            raise OutOfScope("党组织不存在或不在您的数据范围内。")
        return officer_services.officer_appoint(actor=self.request.user, organization=org, **data)

    def update_object(self, obj, *, expected_version, changes):
        return officer_services.officer_correct(actor=self.request.user, officer=obj,
                                                expected_version=expected_version, changes=changes)

    @scoped_action(scope="change", input=OfficerEndSerializer, url_path="end", summary="离任",
                   description="该职务自 end_date 起不再担任（晚于任职日期、不晚于今天），须写明离任原因。"
                               "version 不一致返回 409。")
    def end(self, request, obj, data):
        return officer_services.officer_end(actor=request.user, officer=obj, end_date=data["end_date"],
                                            reason=data["reason"], expected_version=data["version"])
