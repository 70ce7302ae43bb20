"""Pages of the cadres part ``structure`` (all ``GET``, parameters ``unit`` = 单位代码 and ``as_of`` =
截至日期 ``YYYY-MM-DD``; default: the user's top ``cadre.view`` unit and today — the demo data's date
while the demo is installed):

- ``cadres:structure`` — 干部结构分析: unit and date form, the summary sentences, ECharts charts with their
  numbers in a table beside each, the leadership teams' specialty table, links to the ``.xlsx`` and the
  干部名册;
- ``cadres:structure_xlsx`` — the analysis as ``.xlsx`` (``cadre.export``);
- ``cadres:roster_xlsx`` — the 干部名册 as ``.xlsx`` (``cadre.export``).

No ``cadre.view`` grant at all → 403; a unit outside the scope (or unknown) → 404; a bad date → 400 on the
page (with the reason, computed for the default date) and on the downloads.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from zugong.cadres.structure.analysis import cadre_structure, scoped_unit
from zugong.cadres.structure.exporters import roster_xlsx, structure_table, structure_xlsx
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import OutOfScope, PermissionDeniedError
from zugong.core.scoping import can, user_scope
from zugong.demo.reference import default_as_of
from zugong.orgs.models import Unit
from zugong.reports.views import PALETTE, RED, _bar, _pie, xlsx_answer

PICKER_LIMIT = 500


def parse_as_of(text: str | None) -> tuple[dt.date, str, str]:
    """``(date, error, note)`` of an ``as_of`` parameter: a complete date in the forms of
    ``core.dates.parse_date``; blank or bad → the default date (``demo.reference.default_as_of``) with an
    error message for a bad one."""
    text = (text or "").strip()
    error = ""
    if text:
        try:
            parsed, day_unknown = parse_date(text)
        except DateParseError as exc:
            parsed, day_unknown, error = None, False, f"截至日期无效：{exc}"
        if parsed is not None and day_unknown:
            parsed, error = None, "截至日期应为完整日期（YYYY-MM-DD）"
        if parsed is not None:
            return parsed, "", ""
    day, note = default_as_of()
    if error:
        error += f"；已按 {day.isoformat()} 统计。"
    return day, error, note


def request_unit(request) -> Unit:
    """The unit of ``?unit=`` in the user's ``cadre.view`` scope (default: the top granted unit): 403
    without any grant, 404 outside the scope."""
    try:
        return scoped_unit(user=request.user, code=request.GET.get("unit", ""))
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message)
    except OutOfScope:
        raise Http404("单位不存在或不在您的干部信息管理范围内")


def picker_units(user, selected: Unit) -> list[dict]:
    """Options of the unit picker: the units of the user's ``cadre.view`` grants and their subtrees (at
    most ``PICKER_LIMIT``, tree order), the selected one included: ``[{"code", "name", "indent",
    "selected"}]``."""
    from django.db.models import Q

    nodes = user_scope(user, "cadre", "view", "unit")
    condition = Q(pk=selected.pk)
    for node in nodes:
        condition |= Q(path__startswith=node.path) if node.include_subtree else Q(pk=node.org_id)
    units = list(Unit.objects.filter(condition).order_by("path")[:PICKER_LIMIT])
    top = min((u.depth for u in units), default=1)
    return [{"code": u.code, "name": u.name, "indent": "\u3000" * (u.depth - top), "selected": u.pk == selected.pk}
            for u in units]


def structure_charts(data: dict) -> list[dict]:
    """ECharts options for the page, each with its numbers: ``id``, ``title``, ``option``, ``head`` and
    ``rows``."""
    def pct(value):
        return "—" if value is None else value

    ages = data["年龄结构"]
    levels = data["职务层次"]
    team = data["领导班子专业结构"]["合计"]
    level_option = _bar("各职务层次人数", [r["级别"] for r in levels], [r["人数"] for r in levels])
    return [
        {"id": "chart-age", "title": "年龄结构",
         "option": _bar("各年龄段人数", [r["年龄段"] for r in ages], [r["人数"] for r in ages]),
         "head": ("年龄段", "人数", "占比(%)"), "rows": [(r["年龄段"], r["人数"], pct(r["占比"])) for r in ages]},
        {"id": "chart-level", "title": "职务层次与平均年龄", "option": level_option,
         "head": ("职务层次", "人数", "占比(%)", "平均年龄"),
         "rows": [(r["级别"], r["人数"], pct(r["占比"]), pct(r["平均年龄"])) for r in levels]},
        {"id": "chart-young", "title": "年轻干部",
         "option": {**_bar("年轻干部占比", [f"{r['层级']}（{r['年龄上限']}岁及以下）" for r in data["年轻干部"]],
                           [r["占比"] or 0 for r in data["年轻干部"]], unit="%"), "color": [RED]},
         "head": ("层级", "干部数", "年轻干部数", "占比(%)"),
         "rows": [(f"{r['层级']}（{r['年龄上限']}岁及以下）", r["干部数"], r["年轻干部数"], pct(r["占比"]))
                  for r in data["年轻干部"]]},
        {"id": "chart-education", "title": "全日制学历",
         "option": _pie("全日制学历", {r["学历"]: r["人数"] for r in data["全日制学历"]}),
         "head": ("学历", "全日制", "占比(%)", "最高学历", "占比(%)"),
         "rows": [(a["学历"], a["人数"], pct(a["占比"]), b["人数"], pct(b["占比"]))
                  for a, b in zip(data["全日制学历"], data["最高学历"], strict=True)]},
        {"id": "chart-people", "title": "性别、民族和政治面貌",
         "option": {**_pie("政治面貌", {r["政治面貌"]: r["人数"] for r in data["政治面貌"]}), "color": PALETTE},
         "head": ("类别", "人数", "占比(%)"),
         "rows": [(f"{r['性别']}干部", r["人数"], pct(r["占比"])) for r in data["性别"]]
         + [(r["民族"], r["人数"], pct(r["占比"])) for r in data["民族"]]
         + [(r["政治面貌"], r["人数"], pct(r["占比"])) for r in data["政治面貌"]]},
        {"id": "chart-specialty", "title": f"领导班子专业结构（班子成员 {team['班子成员']} 名）",
         "option": _bar("各专业背景人数（可重复计）", list(team["分布"]), list(team["分布"].values())),
         "head": ("专业背景", "人数"), "rows": [*team["分布"].items(), ("专业对口", team["专业对口"])]},
    ]


@login_required
@require_GET
def structure_page(request):
    """干部结构分析 page (module docstring)."""
    unit = request_unit(request)
    as_of, error, note = parse_as_of(request.GET.get("as_of"))
    try:
        data = cadre_structure(user=request.user, unit=unit, as_of=as_of)
    except OutOfScope:
        raise Http404("单位不存在或不在您的干部信息管理范围内")
    query = urlencode({"unit": unit.code, "as_of": as_of.isoformat()})
    context = {
        "unit": unit,
        "as_of": as_of,
        "as_of_note": note,
        "error": error,
        "data": data,
        "charts": structure_charts(data),
        "units": picker_units(request.user, unit),
        "query": query,
        "can_export": can(request.user, "cadre", "export", unit),
        "xlsx_url": f"{reverse('cadres:structure_xlsx')}?{query}",
        "roster_url": f"{reverse('cadres:roster_xlsx')}?{query}",
        "table": structure_table(data),
    }
    return render(request, "cadres/structure/structure.html", context, status=400 if error else 200)


def _download(request, build) -> HttpResponse:
    unit = request_unit(request)
    as_of, error, _note = parse_as_of(request.GET.get("as_of"))
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    return xlsx_answer(request, lambda: build(user=request.user, unit=unit, as_of=as_of))


@login_required
@require_GET
def structure_xlsx_view(request):
    """干部结构分析 as ``.xlsx`` (``cadre.export`` on the unit, else 403)."""
    return _download(request, structure_xlsx)


@login_required
@require_GET
def roster_xlsx_view(request):
    """干部名册 as ``.xlsx`` (``cadre.export`` on the unit, else 403): the columns of rules.md §8."""
    return _download(request, roster_xlsx)
