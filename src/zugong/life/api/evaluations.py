"""民主评议党员结果 API (``life.evaluations``; the same service as the entry page):

- ``GET  /api/member-evaluations/`` — results in the ``party.view`` scope, newest 评议年度 first;
  ``?org=<组织代码>`` (that organization's subtree; unknown or outside the scope: no rows), ``?year=`` (评议年度);
- ``POST /api/member-evaluations/`` — record one result (``member_evaluation_record``; ``party.change`` on
  ``organization``, given by 组织代码): 201 with the record; 400 with the service's message and every
  problem by field (a second result of the same member and year, a person who was not a member that year,
  不合格 without 组织处置 …); an organization outside the scope is a 404.

``MemberEvaluationViewSet`` is a ``core.api.ScopedViewSet``: ``register_api_viewset`` declares its routes, so
the generated scope tests cover them.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from zugong.core.api import ScopedCreateMixin, ScopedListMixin, ScopedViewSet
from zugong.core.errors import OutOfScope
from zugong.life import evaluations
from zugong.life.models import MemberEvaluation
from zugong.orgs.selectors import organization_by_ref
from zugong.party.api.serializers import OrganizationRefSerializer

ORG_NOT_FOUND = "该党组织不存在或不在您的数据范围内。"


class MemberEvaluationSerializer(serializers.Serializer):
    """一名党员一个评议年度的民主评议结果。"""

    id = serializers.IntegerField()
    person_id = serializers.IntegerField(help_text="人员ID")
    name = serializers.CharField(source="person.name", help_text="姓名")
    organization = OrganizationRefSerializer(help_text="开展评议的党组织")
    year = serializers.IntegerField(help_text="评议年度")
    result = serializers.CharField(help_text="excellent 优秀 / qualified 合格 / basically_qualified 基本合格 / "
                                             "unqualified 不合格")
    result_label = serializers.CharField(source="get_result_display")
    handling = serializers.CharField(help_text="组织处置代码（不合格时）：rectify 限期改正 / persuade_to_quit 劝退 / "
                                               "removed_after_refusal 劝而不退除名 / removed_for_lapse 自行脱党除名")
    handling_label = serializers.CharField(source="get_handling_display")
    meeting_id = serializers.IntegerField(allow_null=True, help_text="民主评议党员会议ID")
    note = serializers.CharField(help_text="备注")


class MemberEvaluationCreateSerializer(serializers.Serializer):
    """登记一名党员的民主评议结果。"""

    organization = serializers.CharField(label="党组织", help_text="组织代码")
    person_id = serializers.IntegerField(label="党员", help_text="人员ID")
    year = serializers.CharField(label="评议年度", help_text="如 2025")
    result = serializers.CharField(label="评议结果", help_text="代码或名称：优秀 / 合格 / 基本合格 / 不合格")
    handling = serializers.CharField(label="组织处置", required=False, allow_blank=True, default="",
                                     help_text="不合格时必填：限期改正 / 劝退 / 劝而不退除名 / 自行脱党除名")
    meeting_id = serializers.IntegerField(label="民主评议党员会议", required=False, allow_null=True, default=None)
    note = serializers.CharField(label="备注", required=False, allow_blank=True, default="", max_length=500)


class MemberEvaluationFilterSet(django_filters.FilterSet):
    """``?org=<组织代码>`` (subtree, resolved in the user's scope) and ``?year=``."""

    org = django_filters.CharFilter(method="filter_org", label="党组织（代码，含下级）")
    year = django_filters.NumberFilter(field_name="year", label="评议年度")

    class Meta:
        model = MemberEvaluation
        fields: list[str] = []

    def filter_org(self, queryset, name, value):
        org = organization_by_ref(user=getattr(self.request, "user", None), ref=value)
        if org is None:
            return queryset.none()
        return queryset.filter(organization__path__startswith=org.path)


@extend_schema_view(
    list=extend_schema(summary="民主评议党员结果列表", description="数据范围内的评议结果；可按 org（含下级）、year 筛选。"),
    create=extend_schema(summary="登记民主评议结果", description="与「登记评议结果」页面相同的校验；同一党员同一年度只登记一次。"),
)
class MemberEvaluationViewSet(ScopedListMixin, ScopedCreateMixin, ScopedViewSet):
    """``/api/member-evaluations/``: the scoped list and recording one result."""

    model = MemberEvaluation
    list_selector = evaluations.member_evaluation_list
    get_selector = evaluations.member_evaluation_get
    serializer_class = MemberEvaluationSerializer
    create_serializer_class = MemberEvaluationCreateSerializer
    filterset_class = MemberEvaluationFilterSet
    not_found = "民主评议结果不存在或不在您的数据范围内。"

    def get_queryset(self):
        return super().get_queryset().order_by("-year", "organization__path", "person__name", "pk")

    def create_object(self, data: dict):
        org = organization_by_ref(user=self.request.user, ref=data.pop("organization"), action="change")
        if org is None:
            raise OutOfScope(ORG_NOT_FOUND)
        return evaluations.member_evaluation_record(user=self.request.user, organization_id=org.pk, **data)
