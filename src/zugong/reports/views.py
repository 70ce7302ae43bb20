"""统计报表 pages: 党内统计 (the 公报 table with charts) and its Excel export.

Both take ``org`` (组织代码; default: the user's top granted organization) and ``as_of`` (截至日期,
``YYYY-MM-DD``; default today) as GET parameters and call the same services as the API and the CLI
(``reports.services.party_statistics``, ``reports.exporters.party_statistics_xlsx``). An organization
outside the user's scope (or unknown) is a 404; no ``party.view`` grant at all is a 403.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote, urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from zugong.core.codes import ORG_TYPE
from zugong.core.dates import DateParseError, parse_date
from zugong.core.downloads import mark_download
from zugong.core.errors import OutOfScope, PermissionDeniedError
from zugong.core.scoping import can, user_scope
from zugong.demo.reference import default_as_of
from zugong.orgs.models import PartyOrganization
from zugong.orgs.selectors import organizations_above_branches, requested_organization
from zugong.reports.exporters import XLSX_CONTENT_TYPE, party_statistics_xlsx
from zugong.reports.rules import communique_rules, statistics_definitions
from zugong.reports.services import (
    SHARE_LABELS,
    communique_rows,
    communique_title,
    party_statistics_with_incomplete,
    share,
)

RED = "#C8161D"
PALETTE = [RED, "#E0585E", "#F08C8F", "#9CA3AF", "#6B7280", "#F4B183", "#D97706", "#4B5563"]
PICKER_LIMIT = 2000


def _request_params(request) -> tuple[PartyOrganization, dt.date, str, str]:
    """Resolve ``org`` and ``as_of`` from the query string → (organization, as_of, error message, note).

    Raises ``PermissionDenied`` (403) without any ``party.view`` grant and ``Http404`` for an
    organization outside the scope. Without a date (or with a bad one, plus an error message) the
    default date applies: today, or the demo data's date while the demo is installed (``note`` says so;
    ``demo.reference.default_as_of``)."""
    organization = requested_organization(request, what="党内统计")
    error = note = ""
    text = request.GET.get("as_of", "").strip()
    parsed = None
    if text:
        try:
            parsed, day_unknown = parse_date(text)
        except DateParseError as exc:
            parsed, day_unknown, error = None, False, f"截至日期无效：{exc}"
        if parsed is not None and day_unknown:
            parsed, error = None, "截至日期应为完整日期（YYYY-MM-DD）"
    if parsed is not None:
        as_of = parsed
    else:
        as_of, note = default_as_of()
        if error:
            error += "；已按今天统计。" if not note else f"；已按 {as_of.isoformat()} 统计。"
    return organization, as_of, error, note


def _picker_organizations(user, selected: PartyOrganization) -> list[dict]:
    """Options of the organization picker: the organizations in scope above branch level (党委, 党工委,
    党组, 党总支), the user's granted nodes and the selected one — not every branch (those are reached
    from the organization tree). ``[{"code", "name", "indent", "selected"}]`` in tree order."""
    granted = [node.org_id for node in user_scope(user, "party", "view")]
    orgs = organizations_above_branches(user=user, also=[*granted, selected.pk], limit=PICKER_LIMIT)
    top = min((o.depth for o in orgs), default=1)
    return [{"code": o.code, "name": o.name, "indent": "\u3000" * (o.depth - top), "selected": o.pk == selected.pk}
            for o in orgs]


def _bar(title: str, labels: list[str], values: list, *, horizontal: bool = False, unit: str = "人") -> dict:
    """A bar chart whose labels never overlap or get cut: vertical bars wrap their category labels
    (``width`` + ``overflow: break``, narrower the more bars there are) instead of rotating them out of
    the grid; horizontal bars wrap long
    category names at 8 characters and keep the value axis to a few ticks."""
    if horizontal:
        category = {"type": "category", "data": labels, "inverse": True,
                    "axisLabel": {"interval": 0, "width": 104, "overflow": "break", "lineHeight": 14}}
        value = {"type": "value", "name": unit, "minInterval": 1, "splitNumber": 2,
                 "axisLabel": {"hideOverlap": True}}
    else:
        category = {"type": "category", "data": labels,
                    "axisLabel": {"interval": 0, "width": max(36, min(96, 300 // max(len(labels), 1))),
                                  "overflow": "break", "lineHeight": 13, "fontSize": 11}}
        value = {"type": "value", "name": unit, "minInterval": 1, "splitNumber": 4, "axisLabel": {"hideOverlap": True}}
    return {
        "color": [RED],
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 40 if horizontal else 16, "bottom": 8, "top": 48, "containLabel": True},
        "xAxis": value if horizontal else category,
        "yAxis": category if horizontal else value,
        "series": [{"type": "bar", "data": values, "barMaxWidth": 28,
                    "label": {"show": True, "position": "right" if horizontal else "top"}}],
    }


def _pie(title: str, items: dict) -> dict:
    return {
        "color": PALETTE,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item", "formatter": "{b}：{c}人（{d}%）"},
        "legend": {"bottom": 0, "left": "center", "itemWidth": 12, "itemHeight": 12, "textStyle": {"fontSize": 11}},
        "series": [{"type": "pie", "radius": ["30%", "55%"], "center": ["50%", "45%"], "percentPrecision": 1,
                    "data": [{"name": k, "value": v} for k, v in items.items()],
                    "label": {"formatter": "{d}%"}}],
    }


def chart_specs(stats: dict) -> list[dict]:
    """ECharts options for the page, each with the numbers shown beside it: ``id``, ``title``,
    ``option`` (JSON-serialisable), ``rows`` [(label, count, share %)]."""
    total = stats["党员总数"]

    def rows(items: dict) -> list[tuple[str, int, float | None]]:
        return [(k, v, share(v, total)) for k, v in items.items()]

    structure = {label: stats[label] for label in SHARE_LABELS}
    shares = [stats["占比"][label] for label in SHARE_LABELS]
    return [
        {"id": "chart-age", "title": "党员的年龄",
         "option": _bar("党员年龄分布", list(stats["年龄"]), list(stats["年龄"].values())),
         "rows": rows(stats["年龄"])},
        {"id": "chart-occupation", "title": "党员的职业",
         "option": _bar("党员职业分布", list(stats["职业"]), list(stats["职业"].values()), horizontal=True),
         "rows": rows(stats["职业"])},
        {"id": "chart-structure", "title": "党员的性别、民族和学历",
         "option": {**_bar("占党员总数的比例", ["女党员", "少数民族党员", "大专及以上学历"], [s or 0 for s in shares]),
                    "yAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}}},
         "rows": rows(structure)},
        {"id": "chart-era", "title": "党员的入党时间",
         "option": _pie("党员入党时间分布", stats["入党时间"]),
         "rows": rows(stats["入党时间"])},
    ]


def _roster_links(organization: PartyOrganization, as_of: dt.date) -> dict[str, str]:
    """Drill-down links from table rows to the 党员名册 filtered the same way (rows without an
    equivalent roster filter get none)."""
    base = reverse("party:member_list")
    common = {"org": organization.code, "as_of": as_of.isoformat()}

    def link(**params) -> str:
        return f"{base}?{urlencode({**common, **params})}"

    links = {
        "一、党员总数": link(),
        "正式党员": link(category="full"),
        "预备党员": link(category="probationary"),
        "女党员": link(sex="2"),
        "少数民族党员": link(ethnicity="minority"),
        "大专及以上学历党员": link(education="大专及以上"),
    }
    for band in communique_rules(as_of).age_bands:
        params = {}
        if band.min_age is not None:
            params["age_min"] = band.min_age
        if band.max_age is not None:
            params["age_max"] = band.max_age
        links[band.label] = link(**params)
    return links


@login_required
@require_GET
def party_stats(request):
    """党内统计 page: organization picker, 截至日期 (today / end of last year), the full 公报 table with
    shares, four charts with their numbers, the Excel export link, and how many of the members counted
    lack a statistics field (``reports.quality.incomplete_counts``: 未填 学历/民族/工作岗位/性别 are in no
    category), linked to the 数据质量 page."""
    organization, as_of, error, note = _request_params(request)
    stats, incomplete = party_statistics_with_incomplete(user=request.user, organization=organization, as_of=as_of)
    today = timezone.localdate()
    last_year_end = dt.date(today.year - 1, 12, 31)
    params = {"org": organization.code, "as_of": as_of.isoformat()}
    links = _roster_links(organization, as_of)
    rows = [{"row": row, "link": links.get(row.label)} for row in communique_rows(stats)]
    context = {
        "organization": organization,
        "org_type_label": ORG_TYPE.label(organization.org_type),
        "as_of": as_of,
        "as_of_note": note,
        "title": communique_title(organization, as_of),
        "error": error,
        "stats": stats,
        "org_total": sum(stats["基层组织"].values()),
        "rows": rows,
        "charts": chart_specs(stats),
        "organizations": _picker_organizations(request.user, organization),
        "today": today,
        "last_year_end": last_year_end,
        "last_year_end_query": urlencode({"org": organization.code, "as_of": last_year_end.isoformat()}),
        "today_query": urlencode({"org": organization.code, "as_of": today.isoformat()}),
        "export_query": urlencode(params),
        "can_export": can(request.user, "party", "export", organization),
        "source": communique_rules(as_of).source,
        "definitions": statistics_definitions(as_of),  # 统计口径: the rule rows in force on the date
        "incomplete": incomplete,
        "incomplete_fields": [(label, n) for label, n in incomplete.items() if label != "合计" and n],
        "quality_url": f"{reverse('reports:quality')}?{urlencode(params)}",
    }
    return render(request, "reports/party_stats.html", context, status=400 if error else 200)


@login_required
@require_GET
def party_stats_xlsx(request):
    """The 党内统计 table as xlsx (the 公报 layout). Needs ``party.export`` on the organization (403
    otherwise); audited as an ``export`` event."""
    return xlsx_download(request, party_statistics_xlsx)


def xlsx_download(request, build) -> HttpResponse:
    """The shared body of the reports' xlsx downloads: the organization and 截至日期 of the request
    (``_request_params``; 400 with the reason when bad), ``build(user=, organization=, as_of=) -> (bytes,
    filename)`` (a scoped exporter), then ``xlsx_answer``."""
    organization, as_of, error, _note = _request_params(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    return xlsx_answer(request, lambda: build(user=request.user, organization=organization, as_of=as_of))


def xlsx_answer(request, produce) -> HttpResponse:
    """The download of ``produce() -> (bytes, filename)`` (a scoped, audited exporter call): 404 when it
    raises ``OutOfScope``, 403 for ``PermissionDeniedError``, else the attachment, marked for the page's
    download indicator (``core.downloads.mark_download``). Shared by the 公报, 数据质量 and 年报 downloads."""
    try:
        content, filename = produce()
    except OutOfScope:
        raise Http404("组织不存在或不在您的数据范围内")
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _attachment(filename)
    return mark_download(request, response)


def _attachment(filename: str) -> str:
    """``Content-Disposition`` with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987)."""
    fallback = filename.encode("ascii", "ignore").decode() or "party_stats.xlsx"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"
