"""党员状态 API (流动党员, 失联党员, 出国（境）; ``party.statuses``), the same services as the pages:

- ``GET  /api/members/{person_id}/statuses/`` — a member's statuses (``party.view`` on the member);
- ``POST /api/members/{person_id}/statuses/`` — 登记 (``status_start``; ``party.change`` on the member): 201
  with the new status; 400 with every problem by field;
- ``GET  /api/member-statuses/`` — every status in the scope (``?kind=mobile|lost_contact|abroad``,
  ``?open=true|false``, ``?person=<id>``), ``GET /api/member-statuses/{id}/``;
- ``POST /api/member-statuses/{id}/end/`` — 结束 (``status_end``; body ``version``, ``end_date``): a stale
  ``version`` is a 409 naming who changed what.

Outside the scope a member or status is a 404. Both viewsets are ``core.api.ScopedViewSet``s: their
routes are declared with ``register_view`` (``scoped_view_specs``) so the generated scope tests cover them.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action as drf_action
from rest_framework.response import Response

from zugong.core.api import (
    API_NAMESPACE,
    ScopedListMixin,
    ScopedRetrieveMixin,
    ScopedViewSet,
    parse_input,
    scoped_action,
)
from zugong.core.errors import OutOfScope
from zugong.party import statuses as status_services
from zugong.party.api.serializers import OrganizationRefSerializer
from zugong.party.choices import STATUS_KIND
from zugong.party.models import MemberStatus, PartyMember
from zugong.party.selectors import party_member_get


class MemberStatusSerializer(serializers.Serializer):
    """一条党员状态记录（``[start_date, end_date)``，``end_date`` 为空表示至今）。代码字段另附中文名称（``*_label``）。"""

    id = serializers.IntegerField()
    person_id = serializers.IntegerField(help_text="人员ID")
    person_name = serializers.CharField(source="person.name", help_text="姓名")
    organization = OrganizationRefSerializer(help_text="登记时所在党组织")
    kind = serializers.CharField(help_text="状态：mobile 流动党员 / lost_contact 失联党员 / abroad 出国（境）")
    kind_label = serializers.CharField(source="get_kind_display")
    start_date = serializers.DateField(help_text="起始日期（外出、失去联系、出国（境）之日）")
    end_date = serializers.DateField(allow_null=True, help_text="结束日期（返回、恢复联系、回国（境）之日；空为至今）")
    flow_scope = serializers.CharField(help_text="流动范围代码（流动党员）")
    flow_scope_label = serializers.CharField(source="get_flow_scope_display")
    destination_type = serializers.CharField(help_text="外出流向代码（党内统计年报第三十三表）")
    destination_type_label = serializers.CharField(source="get_destination_type_display")
    destination = serializers.CharField(help_text="流入地（单位）或前往国家（地区）")
    original_occupation = serializers.CharField(help_text="原职业代码（第三十三表）")
    original_occupation_label = serializers.CharField(source="get_original_occupation_display")
    has_certificate = serializers.BooleanField(help_text="持《中国共产党流动党员活动证》")
    lost_situation = serializers.CharField(help_text="失去联系情形代码（第四十三表）")
    lost_situation_label = serializers.CharField(source="get_lost_situation_display")
    note = serializers.CharField(help_text="备注")
    version = serializers.IntegerField(help_text="版本号（结束时须带上）")


class StatusStartSerializer(serializers.Serializer):
    """登记党员状态。代码字段可写代码或名称。"""

    kind = serializers.CharField(label="党员状态", help_text="mobile 流动党员 / lost_contact 失联党员 / abroad 出国（境）")
    start_date = serializers.CharField(label="起始日期", help_text="YYYY-MM-DD：外出、失去联系或出国（境）之日")
    flow_scope = serializers.CharField(label="流动范围", required=False, allow_blank=True, default="",
                                       help_text="流动党员必填：跨省流动 / 省内跨市（地）流动 / 市（地）内流动")
    destination_type = serializers.CharField(label="外出流向", required=False, allow_blank=True, default="",
                                             help_text="流动党员必填：第三十三表外出流向（如 私营企业、不掌握流向）")
    destination = serializers.CharField(label="流入地（单位）", required=False, allow_blank=True, default="",
                                        help_text="流入地（单位），出国（境）为前往国家（地区）")
    original_occupation = serializers.CharField(label="原职业", required=False, allow_blank=True, default="",
                                                help_text="流动党员原职业（第三十三表）；不填按工作岗位确定")
    has_certificate = serializers.BooleanField(label="持流动党员活动证", required=False, default=False)
    lost_situation = serializers.CharField(label="失去联系情形", required=False, allow_blank=True, default="",
                                           help_text="失联党员必填：第四十三表失去联系具体情形")
    note = serializers.CharField(label="备注", required=False, allow_blank=True, default="", max_length=500)


class StatusEndSerializer(serializers.Serializer):
    """结束党员状态。"""

    version = serializers.IntegerField(label="版本号", help_text="该记录的版本号；不一致返回 409")
    end_date = serializers.CharField(label="结束日期", help_text="YYYY-MM-DD：返回、恢复联系或回国（境）之日")


class MemberStatusFilterSet(django_filters.FilterSet):
    """``?kind=``, ``?open=true|false`` (未结束 / 已结束), ``?person=<人员ID>``."""

    kind = django_filters.ChoiceFilter(choices=STATUS_KIND.choices, label="党员状态")
    open = django_filters.BooleanFilter(field_name="end_date", lookup_expr="isnull", label="未结束")
    person = django_filters.NumberFilter(field_name="person_id", label="人员ID")

    class Meta:
        model = MemberStatus
        fields = ["kind", "open", "person"]


@extend_schema_view(
    list=extend_schema(summary="党员状态列表", description="数据范围内的流动党员、失联党员、出国（境）记录，最新的在前。"),
    retrieve=extend_schema(summary="党员状态", description="不在数据范围内返回 404。"),
)
class MemberStatusViewSet(ScopedListMixin, ScopedRetrieveMixin, ScopedViewSet):
    """``/api/member-statuses/``: statuses in the scope, one status, and ``…/{id}/end/``."""

    model = MemberStatus
    list_selector = status_services.member_status_list
    get_selector = status_services.member_status_get
    serializer_class = MemberStatusSerializer
    filterset_class = MemberStatusFilterSet
    not_found = "党员状态记录不存在或不在您的数据范围内。"

    @scoped_action(scope="change", input=StatusEndSerializer, url_path="end", summary="结束党员状态",
                   description="该状态于 end_date 结束（不早于起始日期、不晚于今天）。version 不一致返回 409。")
    def end(self, request, obj, data):
        return status_services.status_end(user=request.user, status_id=obj.pk, end_date=data["end_date"],
                                   expected_version=data["version"])


_PERSON_ID = OpenApiParameter("person_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="人员ID")


class MemberStatusesOfMemberViewSet(ScopedViewSet):
    """``/api/members/{person_id}/statuses/``: ``GET`` (``party.view``) lists the member's statuses, ``POST``
    (``party.change``) starts one. The URL's record is the member (``PartyMember``), fetched in the scope
    of the method before anything else (404 outside)."""

    model = MemberStatus
    object_model = PartyMember
    get_selector = party_member_get
    serializer_class = MemberStatusSerializer
    lookup_field = "person_id"
    not_found = "党员不存在或不在您的数据范围内。"
    pagination_class = None

    def scope_action(self) -> str:
        """``view`` to read the member's statuses, ``change`` to start one."""
        return "change" if self.request.method.upper() == "POST" else "view"

    @extend_schema(methods=["GET"], summary="党员的状态记录", parameters=[_PERSON_ID],
                   responses={200: MemberStatusSerializer(many=True)},
                   description="该党员的流动党员、失联党员、出国（境）记录（数据范围内），最新的在前。")
    @extend_schema(methods=["POST"], summary="登记党员状态", parameters=[_PERSON_ID], request=StatusStartSerializer,
                   responses={201: MemberStatusSerializer},
                   description="登记流动党员、失联党员或出国（境）。须为起始日期当日的党员；同一类状态只能有一条未结束的记录。"
                               "校验失败返回 400 及逐项错误。")
    @drf_action(detail=True, methods=["get", "post"], url_path="statuses", url_name="statuses")
    def statuses(self, request, *args, **kwargs):
        member = self.get_object()
        if request.method.upper() == "POST":
            data = parse_input(StatusStartSerializer, request.data, context=self.get_serializer_context())
            created = status_services.status_start(user=request.user, person_id=member.pk, **data)
            fresh = status_services.member_status_get(user=request.user, pk=created.pk, action="view")
            if fresh is None:
                raise OutOfScope(self.not_found)
            return Response(MemberStatusSerializer(fresh).data, status=status.HTTP_201_CREATED)
        rows = status_services.member_statuses_of(user=request.user, person_id=member.pk)
        return Response(MemberStatusSerializer(rows, many=True).data)

    statuses.scope_action = "view"  # the GET route; POST is declared in scoped_view_specs

    @classmethod
    def scoped_view_specs(cls, *, basename: str, namespace: str = API_NAMESPACE) -> list[dict]:
        """Two declarations of the one URL: ``GET`` (kind ``detail``, ``view``) and ``POST`` (kind
        ``action``, ``change``), both naming the member by ``person_id``."""
        common = {"url_name": f"{namespace}:{basename}-statuses", "model": cls.model._meta.label,
                  "object_arg": cls.lookup_field, "object_model": cls.object_model._meta.label, "api": True}
        return [{**common, "kind": "detail", "action": "view", "methods": ("GET",)},
                {**common, "kind": "action", "action": "change", "methods": ("POST",)}]
