"""API of the cadres part ``structure``: ``GET /api/stats/cadres/?org=UNITCODE&as_of=YYYY-MM-DD`` → the
干部结构分析 of a unit subtree (``analysis.cadre_structure``, the same dict the page shows and ``zugong stats
cadres --format json`` prints). Scoped: a unit outside the user's ``cadre.view`` scope (or unknown) is a
404, no ``cadre.view`` grant a 403; a bad date a 400 in the API's error shape."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from zugong.cadres.structure.analysis import cadre_structure, scoped_unit
from zugong.core.api import parse_input
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import RowError, ValidationFailed
from zugong.demo.reference import default_as_of

_ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}}
_COUNT = {"type": "object", "properties": {"人数": {"type": "integer"},
                                           "占比": {"type": "number", "nullable": True}}}


class CadreStatsQuerySerializer(serializers.Serializer):
    """``org`` 单位代码 (required), ``as_of`` 截至日期 (optional; default today)."""

    org = serializers.CharField(max_length=50, label="单位代码", error_messages={
        "required": "请指定单位代码（org）。", "blank": "请指定单位代码（org）。"})
    as_of = serializers.CharField(max_length=20, required=False, allow_blank=True, label="截至日期")


def as_of_value(text: str):
    """A complete date, or ``ValidationFailed`` (column 截至日期); blank → the default date."""
    text = (text or "").strip()
    if not text:
        return default_as_of()[0]
    try:
        day, unknown = parse_date(text)
    except DateParseError as exc:
        raise ValidationFailed([RowError(0, "截至日期", f"截至日期无效：{exc}")], message=f"截至日期无效：{exc}")
    if unknown:
        raise ValidationFailed([RowError(0, "截至日期", "截至日期应为完整日期（YYYY-MM-DD）")],
                               message="截至日期应为完整日期（YYYY-MM-DD）")
    return day


def _rows(label: str) -> dict:
    return {"type": "array", "items": {"type": "object", "properties": {
        label: {"type": "string"}, "人数": {"type": "integer"}, "占比": {"type": "number", "nullable": True}}}}


class CadreStructureView(APIView):
    """干部结构分析 of a unit subtree as of a date."""

    @extend_schema(
        operation_id="stats_cadres",
        summary="干部结构分析",
        description=("单位（含下级单位）截至日期的干部结构：年龄结构、各职务层次人数和平均年龄、年轻干部、全日制学历和最高学历、"
                     "性别、民族、政治面貌、领导班子专业结构和分析摘要。只统计当前用户干部信息范围内的干部；"
                     "不在范围内或不存在的单位返回 404。"),
        parameters=[
            OpenApiParameter("org", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True,
                             description="单位代码（统计该单位及其下级单位）"),
            OpenApiParameter("as_of", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                             description="截至日期，默认今天（已安装演示数据时为演示数据截至日）"),
        ],
        responses={
            200: OpenApiResponse({"type": "object", "properties": {
                "单位代码": {"type": "string"}, "单位名称": {"type": "string"},
                "截至日期": {"type": "string", "format": "date"}, "干部总数": {"type": "integer"},
                "平均年龄": {"type": "number", "nullable": True},
                "年龄结构": _rows("年龄段"), "全日制学历": _rows("学历"), "最高学历": _rows("学历"),
                "性别": _rows("性别"), "民族": _rows("民族"), "政治面貌": _rows("政治面貌"),
                "职务层次": {"type": "array", "items": {"type": "object"}},
                "年轻干部": {"type": "array", "items": {"type": "object"}},
                "领导班子专业结构": {"type": "object"},
                "摘要": {"type": "array", "items": {"type": "string"}}}}, description="干部结构分析"),
            400: OpenApiResponse(_ERROR, description="参数错误（缺少单位代码、日期无效）"),
            403: OpenApiResponse(_ERROR, description="没有查看干部信息的权限"),
            404: OpenApiResponse(_ERROR, description="单位不存在或不在数据范围内"),
        },
        tags=["统计报表"],
    )
    def get(self, request):
        params = parse_input(CadreStatsQuerySerializer, {"org": request.query_params.get("org", ""),
                                                         "as_of": request.query_params.get("as_of", "")})
        as_of = as_of_value(params.get("as_of"))
        unit = scoped_unit(user=request.user, code=params["org"])
        return Response(cadre_structure(user=request.user, unit=unit, as_of=as_of))
