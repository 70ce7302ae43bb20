"""组织生活统计 page (``reports:life``, ``/reports/life/?org=&from=&to=``): the figures of
``reports.life_stats.life_stats_json`` — the same dict the API and ``zugong stats life`` give — as tables,
with ECharts charts of the meetings and the development stages beside their numbers.

``org`` defaults to the user's top granted organization (403 without any ``party.view`` grant; 404 outside
the scope); ``to`` to today (the demo data's date while the demo is installed), ``from`` to 1 January of
``to``'s year; a bad date or ``from`` after ``to`` is a 400 page with the reason, showing the defaults."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zugong.core.errors import OutOfScope, ValidationFailed
from zugong.demo.reference import default_as_of
from zugong.reports.annual_views import request_organization
from zugong.reports.life_stats import (
    CANDIDATE_TRAINING,
    SECTIONS,
    STAGES,
    TABLE_8,
    TABLE_9,
    life_stats_json,
    parse_period,
)
from zugong.reports.views import RED, _bar, _picker_organizations


def _table_rows(table, data: dict) -> list[dict]:
    """Rows of a 年报 table for the template: ``{"item", "cells": [value or None]}`` in column order."""
    return [{"item": row, "cells": [data["数据"][row.key][c.key] for c in table.columns]} for row in table.rows]


def life_charts(data: dict) -> list[dict]:
    """ECharts options with the numbers beside each: ``id``, ``title``, ``option``, ``head`` (column names)
    and ``rows`` (label + values)."""
    by_type = data["meetings"]["按会议类型"]
    labels = list(by_type)
    rate_option = _bar("出席率（实到/应到）", labels, [r["出席率"] or 0 for r in by_type.values()], unit="%")
    rate_option["yAxis"] = {**rate_option["yAxis"], "max": 100, "axisLabel": {"formatter": "{value}%"}}
    dev = data["development"]
    return [
        {"id": "chart-meetings", "title": "按会议类型的会议次数",
         "option": _bar("会议次数", labels, [r["次数"] for r in by_type.values()], unit="次"),
         "head": ("会议类型", "次数", "应到", "实到", "出席率(%)"),
         "rows": [(k, r["次数"], r["应到"], r["实到"], r["出席率"]) for k, r in
                  [*by_type.items(), ("合计", data["meetings"]["合计"])]]},
        {"id": "chart-attendance", "title": "出席率", "option": rate_option,
         "head": ("会议类型", "出席率(%)"), "rows": [(k, r["出席率"]) for k, r in by_type.items()]},
        {"id": "chart-development", "title": f"发展党员各阶段人数（截至 {dev['截至日期']}）",
         "option": {**_bar("各阶段人数（分阶段口径）", list(STAGES), [dev["分阶段口径"][s] for s in STAGES]),
                    "color": [RED]},
         "head": ("阶段", "分阶段口径", "累计口径"),
         "rows": [(s, dev["分阶段口径"][s], dev["累计口径"][s]) for s in STAGES]},
    ]


@login_required
@require_GET
def life_page(request):
    """组织生活统计 page: organization picker and period, the meetings and development charts with their
    tables, 第八表 and 第九表 of the year of the period's end, and the sections still to be wired
    (「（待接入）」)."""
    organization = request_organization(request)
    error = ""
    default_end = default_as_of()[0]
    try:
        start, end = parse_period(request.GET.get("from"), request.GET.get("to"), default_end=default_end)
    except ValidationFailed as exc:
        error = f"{exc.message}；已按默认期间统计。"
        start, end = parse_period("", "", default_end=default_end)
    try:
        data = life_stats_json(user=request.user, organization=organization, start=start, end=end)
    except OutOfScope:
        raise Http404("组织不存在或不在您的数据范围内")
    context = {
        "organization": organization,
        "start": start,
        "end": end,
        "error": error,
        "data": data,
        "charts": life_charts(data),
        "table_8": {"table": TABLE_8, "rows": _table_rows(TABLE_8, data["member_evaluation"]),
                    "data": data["member_evaluation"]},
        "table_9": {"table": TABLE_9, "rows": _table_rows(TABLE_9, data["training"]), "data": data["training"]},
        "candidate_training": data["training"][CANDIDATE_TRAINING],
        "pending": [s for s in SECTIONS if s.provider is None],
        "organizations": _picker_organizations(request.user, organization),
    }
    return render(request, "reports/life.html", context, status=400 if error else 200)
