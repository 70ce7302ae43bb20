"""任职资格 API (issue #12 item 6):

``GET /api/cadres/{id}/eligibility/?level=131&as_of=YYYY-MM-DD`` (``cadre.view`` on the cadre; 404 outside the
scope): ``eligibility.services.promotion_eligibility`` as JSON — ``{"cadre_id", "target_level",
"target_level_label", "as_of", "passed" (true / false / null = 待核实), "status", "failing": ["条件（依据）"],
"conditions": [{"code", "name", "passed", "status", "facts": [...], "source"}]}``. ``level`` defaults to the
level above the cadre's current one; an unknown level or date is a 400."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.response import Response

from zugong.cadres.eligibility import views
from zugong.cadres.models import Cadre
from zugong.core.api import ScopedViewSet, scoped_action
from zugong.core.errors import RowError, ValidationFailed

_PARAMS = [OpenApiParameter("level", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False,
                            description="拟任职务级别（GB/T 12407 代码或名称，如 131 / 正处级）"),
           OpenApiParameter("as_of", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                            description="截至日期，默认今天")]


class ConditionSerializer(serializers.Serializer):
    """一项条件。"""

    code = serializers.CharField(help_text="条件代码：work_years / grassroots / posts_below / years_below / education / "
                                           "bans / assessment")
    name = serializers.CharField(help_text="条件")
    passed = serializers.BooleanField(allow_null=True, help_text="true 符合 / false 不符合 / null 待核实")
    status = serializers.CharField(help_text="符合 / 不符合 / 待核实")
    facts = serializers.ListField(child=serializers.CharField(), help_text="依据事实")
    source = serializers.CharField(help_text="依据（法规及条款）")


class EligibilitySerializer(serializers.Serializer):
    """任职资格审查结果。"""

    cadre_id = serializers.IntegerField()
    target_level = serializers.CharField(help_text="拟任职务级别代码")
    target_level_label = serializers.CharField()
    as_of = serializers.DateField(help_text="截至日期")
    passed = serializers.BooleanField(allow_null=True, help_text="有不符合项为 false；无不符合项但有待核实项为 null")
    status = serializers.CharField()
    failing = serializers.ListField(child=serializers.CharField(), help_text="不符合的条件及依据")
    conditions = ConditionSerializer(many=True)


class CadreEligibilityViewSet(ScopedViewSet):
    """``/api/cadres/{id}/eligibility/``: the cadre is fetched in the ``view`` scope first (404 outside)."""

    model = Cadre
    get_selector = views.cadre_get
    list_selector = None
    serializer_class = EligibilitySerializer
    not_found = "干部不存在或不在您的数据范围内。"
    pagination_class = None

    @scoped_action(scope="view", methods=("get",), url_path="eligibility", summary="任职资格", output=EligibilitySerializer,
                   parameters=_PARAMS, description="逐项列出提任拟任级别的基本资格条件（第八条）、处分影响期、年度考核，"
                                                   "每项给出结论（符合 / 不符合 / 待核实）、依据事实和条款。")
    def eligibility(self, request, obj, data):
        from django.http import Http404

        try:
            level, as_of = views.parse_query(request.query_params, obj, request.user)
        except Http404 as exc:
            raise ValidationFailed([RowError(0, "level/as_of", str(exc))], message=str(exc)) from None
        result = views.services.promotion_eligibility(cadre=obj, target_level=level, as_of=as_of, user=request.user)
        return Response(result.as_dict())
