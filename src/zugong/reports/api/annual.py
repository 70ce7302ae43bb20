"""党内统计年报 API: ``GET /api/stats/annual/?org=CODE&year=YYYY`` → ``reports.annual_export.annual_json``
(the tables keyed by their titles, row and column keys of ``reports.annual_layout``; 第一表 in its special
shape; ``逻辑校验`` the consistency checks), and ``GET /api/stats/annual/records/?org=&year=&table=&row=
&column=`` → the records a figure counts, paginated like every list (``core.api.ScopedPagination``).

Scoped like the page (``reports.annual_views``): an organization outside the user's ``party.view`` scope
(or unknown) is a 404 (``OutOfScope`` through ``core.api.exception_handler``); a bad year, table, row or
column a 400 in the API's error shape."""

from __future__ import annotations

import datetime as dt

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from zugong.core.api import ScopedPagination, parse_input
from zugong.core.errors import RowError, ValidationFailed
from zugong.orgs.models import PartyOrganization
from zugong.reports import annual
from zugong.reports.annual_export import CHECKS_KEY, annual_json
from zugong.reports.annual_layout import TABLE_1, TABLES
from zugong.reports.annual_views import (
    DEFAULT_CELL,
    BadParameter,
    parse_cell,
    parse_table,
    parse_year,
)
from zugong.reports.selectors import annual_record_rows
from zugong.reports.services import scoped_organization

_ERROR = {"type": "object", "properties": {"detail": {"type": "string"}}}


class AnnualQuerySerializer(serializers.Serializer):
    """``org`` 组织代码 (required), ``year`` 年度 (default: last year, or the demo data's year)."""

    org = serializers.CharField(max_length=50, label="组织代码", error_messages={
        "required": "请指定组织代码（org）。", "blank": "请指定组织代码（org）。"})
    year = serializers.CharField(max_length=8, required=False, allow_blank=True, label="年度")


class AnnualRecordsQuerySerializer(AnnualQuerySerializer):
    """… and the figure: ``table`` (表号 or title), ``row``, ``column`` (keys of ``reports.annual_layout``)."""

    table = serializers.CharField(max_length=40, required=False, allow_blank=True, label="表号")
    row = serializers.CharField(max_length=80, required=False, allow_blank=True, label="行")
    column = serializers.CharField(max_length=80, required=False, allow_blank=True, label="栏")


def _bad(column: str, exc: BadParameter) -> ValidationFailed:
    return ValidationFailed([RowError(0, column, str(exc))], message=str(exc))


def _year(value) -> int:
    try:
        return parse_year(value)
    except BadParameter as exc:
        raise _bad("年度", exc) from None


def _cells(columns) -> dict:
    return {"type": "object", "properties": {c.key: {"type": "integer", "nullable": True} for c in columns}}


def annual_report_schema() -> dict:
    """OpenAPI schema of ``annual_json``, derived from the layout (every table's exact row and column keys)."""
    first = {
        "type": "object", "description": "第一表 党员数量变化情况",
        "properties": {
            "上年底总数": {"type": "integer"},
            "本年增加": {"type": "object", "properties": {k: {"type": "integer"} for k in (
                "合计", "发展党员", "重新入党", "恢复党籍", "停止党籍后恢复党籍", "转入组织关系", "整建制转入")}},
            "本年减少": {"type": "object", "properties": {k: {"type": "integer"} for k in (
                "合计", "出党", "停止党籍", "死亡", "转出组织关系", "整建制转出")}},
            "本年底应有数": {"type": "integer"}, "本年底实有数": {"type": "integer"}, "实有数与应有数之差": {"type": "integer"},
        },
    }
    tables = {t.title: {"type": "object", "description": t.heading,
                        "properties": {r.key: _cells(t.columns) for r in t.rows}}
              for t in TABLES if t is not TABLE_1}
    check = {"type": "object", "properties": {
        "name": {"type": "string"}, "ok": {"type": "boolean"},
        "expected": {"type": "integer", "nullable": True}, "actual": {"type": "integer", "nullable": True},
        "records": {"type": "array", "items": {"type": "object", "properties": {
            "person_id": {"type": "integer", "nullable": True,
                          "description": "人员ID；第二十四表的组织记录为空，见 organization_id"},
            "organization_id": {"type": "integer", "nullable": True}, "name": {"type": "string"},
            "organization": {"type": "string"}, "reason": {"type": "string"}}}}}}
    properties = {
        "年度": {"type": "integer"}, "截至日期": {"type": "string", "format": "date"},
        "组织代码": {"type": "string"}, "填报单位": {"type": "string"},
        TABLE_1.title: first, **tables,
        CHECKS_KEY: {"type": "array", "items": check, "description": "逻辑校验；ok 为 false 时 records 列出需核查的记录"},
    }
    return {"type": "object", "properties": properties, "required": ["年度", "截至日期", *[t.title for t in TABLES]]}


_ORG_PARAM = OpenApiParameter("org", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True,
                              description="组织代码（统计该组织及其下级组织）")
_YEAR_PARAM = OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False,
                               description="年度（四位年份），默认上一年度（已安装演示数据时为演示数据年度）")


class AnnualReportView(APIView):
    """党内统计年报 of an organization subtree for a year."""

    @extend_schema(
        operation_id="stats_annual",
        summary="党内统计年报",
        description=(
            "组织（含下级组织）某年度的党内统计年报各表（第一、二、三、四、八、九、十、十五、十六、十八至二十、二十四、三十三、"
            "四十三表）：键为表名、行、栏的中文名称（同导出的 Excel）；存量截至该年12月31日，增量为该年度。"
            "本系统记录无法统计的栏为 null。「逻辑校验」列出各项校验及未通过时需核查的记录。"
            "只统计当前用户数据范围内的数据；不在数据范围内或不存在的组织返回 404。"
        ),
        parameters=[_ORG_PARAM, _YEAR_PARAM],
        responses={
            200: OpenApiResponse(annual_report_schema(), description="年报各表与逻辑校验"),
            400: OpenApiResponse(_ERROR, description="参数错误（缺少组织代码、年度无效）"),
            404: OpenApiResponse(_ERROR, description="组织不存在或不在数据范围内"),
        },
        tags=["统计报表"],
    )
    def get(self, request):
        params = parse_input(AnnualQuerySerializer, request.query_params)
        year = _year(params.get("year"))
        organization = scoped_organization(user=request.user, code=params["org"])
        report = annual.annual_report(user=request.user, organization=organization, year=year)
        return Response(annual_json(report))


def _person_json(row: dict) -> dict:
    person, org = row["person"], row["organization"]
    return {
        "id": person.pk, "name": person.name, "sex": person.sex, "sex_label": person.sex_label,
        "birth_date": person.birth_date.isoformat() if person.birth_date else None,
        "id_number_masked": person.id_number_masked,
        "admission_date": row["admission_date"].isoformat() if row["admission_date"] else None,
        "organization": None if org is None else {"id": org.pk, "code": org.code, "name": org.name},
    }


def _organization_json(row: dict) -> dict:
    org = row["organization"]
    return {"id": org.pk, "code": org.code, "name": org.name, "org_type": org.org_type,
            "org_type_label": org.org_type_label,
            "founded_date": org.founded_date.isoformat() if org.founded_date else None}


_RECORD = {"type": "object", "description": "人员（第二十四表为党组织）", "properties": {
    "id": {"type": "integer", "description": "人员ID（第二十四表：党组织ID）"},
    "name": {"type": "string"}, "sex_label": {"type": "string"}, "birth_date": {"type": "string", "format": "date"},
    "id_number_masked": {"type": "string", "description": "公民身份号码（掩码）"},
    "admission_date": {"type": "string", "format": "date", "nullable": True},
    "organization": {"type": "object", "nullable": True, "description": "年底（或最后）所在党组织（数据范围内）"},
    "code": {"type": "string", "description": "组织代码（第二十四表）"}}}


class AnnualRecordsView(APIView):
    """The records behind one figure of the 党内统计年报."""

    pagination_class = ScopedPagination

    @extend_schema(
        operation_id="stats_annual_records",
        summary="党内统计年报：某一数字的记录",
        description=(
            "年报某表某行某栏计入的人员（第二十四表为党组织），公民身份号码只给出掩码。table 为表号（如 2）或表名，"
            "row、column 为该表的行、栏名称（同年报 JSON 的键）；不指定时为第二表「总计」「总数」（年底全部党员）。"
        ),
        parameters=[
            _ORG_PARAM, _YEAR_PARAM,
            OpenApiParameter("table", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False, description="表号或表名"),
            OpenApiParameter("row", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False, description="行"),
            OpenApiParameter("column", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False, description="栏"),
            OpenApiParameter("page", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False, description="页码（从 1 开始）"),
            OpenApiParameter("page_size", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False,
                             description=f"每页条数（不超过 {ScopedPagination.max_page_size}）"),
            OpenApiParameter("count", OpenApiTypes.BOOL, OpenApiParameter.QUERY, required=False,
                             description="为 true 时统计总数（多一次计数查询）"),
        ],
        responses={
            200: OpenApiResponse(ScopedPagination().get_paginated_response_schema({"type": "array", "items": _RECORD}),
                                 description="计入该数字的记录（分页）"),
            400: OpenApiResponse(_ERROR, description="参数错误"),
            404: OpenApiResponse(_ERROR, description="组织不存在或不在数据范围内"),
        },
        tags=["统计报表"],
    )
    def get(self, request):
        params = parse_input(AnnualRecordsQuerySerializer, request.query_params)
        year = _year(params.get("year"))
        organization = scoped_organization(user=request.user, code=params["org"])
        try:
            table = parse_table(params.get("table"))
        except BadParameter as exc:
            raise _bad("表号", exc) from None
        if (params.get("table") or "").strip():
            try:
                row, column = parse_cell(table, params.get("row"), params.get("column"))
            except BadParameter as exc:
                raise _bad("行" if "行" in str(exc) else "栏", exc) from None
        else:
            row, column = DEFAULT_CELL[1], DEFAULT_CELL[2]
        records = annual.annual_records(user=request.user, organization=organization, year=year, table=table.number,
                                        row=row, column=column)
        if getattr(records, "ordered", True) is False:
            records = records.order_by("path" if records.model is PartyOrganization else "name", "pk")
        paginator = ScopedPagination()
        objects = paginator.paginate_queryset(records, request, view=self)
        rows = annual_record_rows(user=request.user, objects=objects, as_of=dt.date(year, 12, 31))
        return paginator.get_paginated_response(
            [_person_json(r) if "person" in r else _organization_json(r) for r in rows])
