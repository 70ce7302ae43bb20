"""Reports API views: ``GET /api/stats/party/?org=CODE&as_of=YYYY-MM-DD`` → the ``party_statistics``
dict. Scoped like the page: an organization outside the user's ``party.view`` scope (or unknown) is a
404 (``OutOfScope`` through ``core.api.exception_handler``)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from zugong.demo.reference import default_as_of
from zugong.reports.api.serializers import PartyStatisticsQuerySerializer, party_statistics_schema
from zugong.reports.services import COMMUNIQUE_RULES, party_statistics, scoped_organization

_ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}}


class PartyStatisticsView(APIView):
    """党内统计 of an organization subtree as of a date."""

    @extend_schema(
        operation_id="stats_party",
        summary="党内统计",
        description=(
            "按《中国共产党党内统计公报》口径统计组织（含下级组织）截至某日的党员总数、基层组织、性别民族学历、"
            "年龄、入党时间、职业、发展党员、入党申请人和入党积极分子。只统计当前用户数据范围内的数据；"
            f"不在数据范围内或不存在的组织返回 404。统计口径：{COMMUNIQUE_RULES.source}。"
        ),
        parameters=[
            OpenApiParameter("org", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True,
                             description="组织代码（统计该组织及其下级组织）"),
            OpenApiParameter("as_of", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                             description="截至日期 YYYY-MM-DD，默认今天（已安装演示数据时为演示数据截至日）"),
        ],
        responses={
            200: OpenApiResponse(party_statistics_schema(), description="统计结果（键为公报中文项目名）"),
            400: OpenApiResponse(_ERROR, description="参数错误（缺少组织代码、日期格式错误）"),
            404: OpenApiResponse(_ERROR, description="组织不存在或不在数据范围内"),
        },
        tags=["统计报表"],
    )
    def get(self, request):
        params = PartyStatisticsQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        as_of = params.validated_data.get("as_of") or default_as_of()[0]
        organization = scoped_organization(user=request.user, code=params.validated_data["org"])
        return Response(party_statistics(user=request.user, organization=organization, as_of=as_of))
