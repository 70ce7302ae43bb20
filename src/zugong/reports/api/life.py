"""Reports API: ``GET /api/stats/life/?org=CODE&from=YYYY-MM-DD&to=YYYY-MM-DD`` → the 组织生活统计 of an
organization subtree for a period: ``reports.life_stats.life_stats_json``, the same dict the page shows and
``zugong stats life --format json`` prints. Scoped: an organization outside the user's ``party.view`` scope
(or unknown) is a 404; a bad date or ``from`` after ``to`` a 400 in the API's error shape."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from zugong.core.api import parse_input
from zugong.demo.reference import default_as_of
from zugong.life.choices import MEETING_TYPE
from zugong.reports.life_stats import SECTIONS, STAGES, TABLE_8, TABLE_9, life_stats_json, parse_period
from zugong.reports.services import scoped_organization

_ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}}


class LifeStatsQuerySerializer(serializers.Serializer):
    """``org`` 组织代码 (required); ``from`` / ``to`` (dates, both inclusive; parsed by ``parse_period``)."""

    org = serializers.CharField(max_length=50, label="组织代码", error_messages={
        "required": "请指定组织代码（org）。", "blank": "请指定组织代码（org）。"})
    start = serializers.CharField(max_length=20, required=False, allow_blank=True, label="起始日期")
    end = serializers.CharField(max_length=20, required=False, allow_blank=True, label="截止日期")


def _int(description: str = "") -> dict:
    return {"type": "integer", "description": description} if description else {"type": "integer"}


def _table_schema(table) -> dict:
    cells = {"type": "object", "properties": {c.key: {"type": "integer", "nullable": True} for c in table.columns}}
    return {"type": "object", "nullable": True, "description": f"{table.heading}；无记录来源的栏为 null", "properties": {
        "表": {"type": "string"}, "年度": _int(),
        "数据": {"type": "object", "properties": {r.key: cells for r in table.rows}},
        "补充资料": {"type": "object", "additionalProperties": {"type": "integer", "nullable": True}},
        "无记录来源": {"type": "array", "items": {"type": "string"}}}}


def life_stats_schema() -> dict:
    """OpenAPI schema of ``life_stats_json`` (derived from ``MEETING_TYPE``, the stages and the layouts)."""
    rate = {"type": "object", "properties": {"次数": _int(), "应到": _int(), "实到": _int(),
                                             "出席率": {"type": "number", "nullable": True,
                                                     "description": "实到/应到，百分比保留一位小数；应到为 0 时为 null"}}}
    stages = {"type": "object", "properties": {s: _int() for s in STAGES}}
    properties = {
        "组织代码": {"type": "string"}, "组织名称": {"type": "string"},
        "起始日期": {"type": "string", "format": "date"}, "截止日期": {"type": "string", "format": "date"},
        "年度": _int("年报第八、九表的年度（截止日期所在年）"),
        "meetings": {"type": "object", "properties": {
            "按会议类型": {"type": "object", "properties": {label: rate for label in MEETING_TYPE.entries.values()}},
            "合计": rate}},
        "development": {"type": "object", "properties": {
            "截至日期": {"type": "string", "format": "date"}, "累计口径": stages, "分阶段口径": stages,
            "发展党员": _int("期间内接收为预备党员"), "转正": _int("期间内转正")}},
        "member_evaluation": _table_schema(TABLE_8),
        "training": _table_schema(TABLE_9),
        "certification": {"type": "object", "description": "支部书记持证上岗（截止日期当天）", "properties": {
            "截至日期": {"type": "string", "format": "date"},
            **{k: _int() for k in ("支部数", "有书记的支部数", "书记空缺的支部数", "书记持证的支部数", "书记未持证的支部数",
                                   "证书90天内到期", "证书已过期")},
            "持证上岗率": {"type": "number", "nullable": True, "description": "书记持证的支部数/有书记的支部数，百分比一位小数"},
            "依据": {"type": "string"}}},
        "grading": {"type": "object", "description": "党支部达标晋级（截止日期所在年度）", "properties": {
            "年度": _int(), "支部数": _int(), "已评定的支部数": _int(), "示范党支部": _int(),
            "按等次": {"type": "array", "items": {"type": "object", "properties": {
                "方案": {"type": "string"}, "等次": {"type": "string"}, "个数": _int()}}},
            "软弱涣散": {"type": "object", "properties": {k: _int() for k in ("列入", "整改完成", "已验收")}}}},
    }
    for section in SECTIONS:
        properties.setdefault(section.key, {"type": "object", "nullable": True,
                                            "description": f"{section.title}（尚未接入时为 null）"})
    return {"type": "object", "properties": properties, "required": list(properties)}


class LifeStatsView(APIView):
    """组织生活统计 of an organization subtree for a period."""

    @extend_schema(
        operation_id="stats_life",
        summary="组织生活统计",
        description=(
            "组织（含下级组织）在起止日期之间（含两端）的组织生活会议（按会议类型的次数、应到、实到、出席率）、"
            "发展党员（截止日期时各阶段人数，累计口径与分阶段口径；期间发展党员、转正人数）、年报第八表民主评议党员情况"
            "和第九表党员培训情况（截止日期所在年度）、支部书记持证上岗率（截止日期当天）和党支部达标晋级（截止日期所在年度）。只统计当前用户数据范围内的数据；不在数据范围内或不存在的组织返回 404。"
        ),
        parameters=[
            OpenApiParameter("org", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True,
                             description="组织代码（统计该组织及其下级组织）"),
            OpenApiParameter("from", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                             description="起始日期（含），默认截止日期当年1月1日"),
            OpenApiParameter("to", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                             description="截止日期（含），默认今天（已安装演示数据时为演示数据截至日）"),
        ],
        responses={
            200: OpenApiResponse(life_stats_schema(), description="组织生活统计"),
            400: OpenApiResponse(_ERROR, description="参数错误（缺少组织代码、日期无效、起始日期晚于截止日期）"),
            404: OpenApiResponse(_ERROR, description="组织不存在或不在数据范围内"),
        },
        tags=["统计报表"],
    )
    def get(self, request):
        data = {"org": request.query_params.get("org", ""), "start": request.query_params.get("from", ""),
                "end": request.query_params.get("to", "")}
        params = parse_input(LifeStatsQuerySerializer, data)
        start, end = parse_period(params.get("start"), params.get("end"), default_end=default_as_of()[0])
        organization = scoped_organization(user=request.user, code=params["org"])
        return Response(life_stats_json(user=request.user, organization=organization, start=start, end=end))
