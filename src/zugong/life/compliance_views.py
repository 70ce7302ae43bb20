"""三会一课晾晒 pages: the ranking of a subtree's branches (``life:compliance``), its ``.xlsx``
(``life:compliance_xlsx``) and the drill-down to one branch (``life:compliance_branch``).

Parameters (GET): ``org`` (组织代码; default the user's top ``party.view`` organization), ``period``
(``YYYY-MM`` 月度通报, ``YYYYQn`` 季度评比, ``YYYY`` 年度; default the last ended month for the ranking, the
current year for the drill-down), ``page`` (the ranking's page, ``PAGE_SIZE`` branches each). An
organization outside the scope (or unknown) is a 404; no ``party.view`` grant at all is a 403; a bad
``period`` is a 400 naming it. Reads go through ``reports.services.scoped_organization`` and the
scoped engine (``life.compliance``); the views hold no query of their own.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from zugong.core.codes import ORG_TYPE, ORG_TYPES_BRANCH
from zugong.core.errors import ValidationFailed
from zugong.core.scoping import can
from zugong.life.compliance import (
    PERIOD_KINDS,
    branch_meetings,
    evaluate,
    make_period,
    parse_period,
    periods_overlapping,
    rules_for,
)
from zugong.life.compliance_export import PERIOD_NAMES, compliance_report, compliance_xlsx
from zugong.orgs.selectors import requested_organization
from zugong.reports.views import xlsx_answer

PAGE_SIZE = 100


def _organization(request):
    """The organization of ``?org=`` (404 outside the scope) or the user's top one (403 without any)."""
    return requested_organization(request, what="组织生活")


def _last_month(today: dt.date):
    day = today.replace(day=1) - dt.timedelta(days=1)
    return make_period("month", day.year, day.month)


def _period(request, default):
    """``(Period, error)``: the ``period`` parameter, or ``default`` with the reason when it is bad."""
    text = request.GET.get("period", "").strip()
    if not text:
        return default, ""
    try:
        return parse_period(text), ""
    except ValidationFailed as exc:
        return default, exc.message


def _period_choices(today: dt.date, selected) -> dict:
    """Options of the period picker: the months, quarters and years of this year and last (up to today)
    and of the selected period's year."""
    out = {"month": [], "quarter": [], "year": []}
    for year in sorted({today.year, today.year - 1, selected.start.year}, reverse=True):
        for kind in PERIOD_KINDS:
            for p in periods_overlapping(kind, dt.date(year, 1, 1), max(min(dt.date(year, 12, 31), today),
                                                                        dt.date(year, 1, 1))):
                out[kind].append({"label": p.label, "title": p.title, "selected": p == selected})
    return out


def _cells_html(cells) -> str:
    """The ranking row's rule cells as HTML (escaped values), built here rather than by template loops: a
    page shows 100 rows × up to 9 rules × their missing periods."""
    out = []
    for cls, text, missing in cells:  # escape() per value: format_html_join costs ~0.5 ms a row here
        out.append(f'<td class="{escape(cls)}">{escape(text)}')
        if missing:
            out.append('<div class="missing">缺 ')
            out.append("、".join(f'<span class="nw">{escape(label)}</span>' for label in missing))
            out.append("</div>")
        out.append("</td>")
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703 -- every value above is escaped


@login_required
@require_GET
def compliance(request):
    """The 晾晒 ranking: one row per branch, lowest 落实率 first, per rule 已开/应开 and the missing
    periods (「进行中」 when none of the rule's periods in the window has ended yet), a summary (branches, behind, overall rate), the period picker and the Excel link."""
    organization = _organization(request)
    today = timezone.localdate()
    period, error = _period(request, _last_month(today))
    report = compliance_report(user=request.user, organization=organization, period=period, today=today,
                               lazy=True)
    rows = report["rows"]  # RankedBranches: only the page shown is evaluated in detail
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(page, pages)
    first = (page - 1) * PAGE_SIZE
    shown = []
    for rank, branch in enumerate(rows[first:first + PAGE_SIZE], start=first + 1):
        cells = []  # prepared: (class, "已开/应开", missing labels); the template only prints them
        for rule in report["rules"]:
            result = branch.rule(rule.key)
            if result is None:
                cells.append(("muted na", "不适用", ()))
            elif not result.owed:  # no period of it has ended yet (e.g. the year in a quarter's 评比)
                cells.append(("muted in-progress", "进行中", ()))
            else:
                cells.append(("cell-missing" if result.missing else "cell-met", f"{result.held}/{result.owed}",
                              result.missing))
        shown.append({"rank": rank, "branch": branch, "cells": cells, "cells_html": _cells_html(cells),
                      "rate": "—" if branch.rate is None else f"{branch.rate}%",
                      "query": urlencode({"org": branch.code, "period": period.label})})
    base = {"org": organization.code, "period": period.label}
    context = {
        "organization": organization,
        "org_type_label": ORG_TYPE.label(organization.org_type),
        "report": report,
        "period": period,
        "period_name": PERIOD_NAMES[period.kind],
        "error": error,
        "rows": shown,
        "page": page,
        "pages": pages,
        "prev_query": urlencode({**base, "page": page - 1}) if page > 1 else "",
        "next_query": urlencode({**base, "page": page + 1}) if page < pages else "",
        "query": urlencode(base),
        "org_query": urlencode({"org": organization.code}),
        "choices": _period_choices(today, period),
        "can_export": can(request.user, "party", "export", organization),
        "today": today,
        "branch_url": reverse("life:compliance_branch"),
    }
    return render(request, "life/compliance_report.html", context, status=400 if error else 200)


@login_required
@require_GET
def compliance_export(request):
    """The ranking as ``.xlsx`` (``party.export`` on the organization; audited)."""
    organization = _organization(request)
    today = timezone.localdate()
    period, error = _period(request, _last_month(today))
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    return xlsx_answer(request, lambda: compliance_xlsx(user=request.user, organization=organization,
                                                        period=period, today=today))


@login_required
@require_GET
def compliance_branch(request):
    """One branch's year as a grid: a row per rule (with its article), twelve month columns, a quarterly
    period spanning three and the year spanning all twelve; each cell the period's status and count
    (未达标 marked), then every meeting counted, by date. ``period`` picks the year (a month or quarter
    selects its year). A non-branch organization gets a note instead."""
    organization = _organization(request)
    today = timezone.localdate()
    period, error = _period(request, make_period("year", today.year))
    year = make_period("year", period.start.year)
    context = {"organization": organization, "period": year, "error": error, "today": today,
               "is_branch": organization.org_type in ORG_TYPES_BRANCH, "grid": [], "meetings": [],
               "months": [f"{m}月" for m in range(1, 13)],
               "back_query": urlencode({"org": organization.code, "period": period.label}),
               "prev_query": urlencode({"org": organization.code, "period": str(year.start.year - 1)}),
               "next_query": urlencode({"org": organization.code, "period": str(year.start.year + 1)})
               if year.end < today else ""}
    if context["is_branch"]:
        rules = rules_for(year.start, year.end)
        results = evaluate(user=request.user, organization=organization, start=year.start, end=year.end,
                           today=today, detail=True, rules=rules)
        result = next((b for b in results if b.org_id == organization.pk), None)
        meetings = list(branch_meetings(user=request.user, organization=organization, start=year.start,
                                        end=year.end))
        span = {"month": 1, "quarter": 3, "year": 12}
        grid = []
        for rule_result in (result.rules if result else []):
            rule = rule_result.rule
            cells = []
            for pr in rule_result.periods:
                held = [m for m in meetings if m.meeting_type == rule.meeting_type
                        and pr.period.start <= m.date <= pr.period.end
                        and (m.secretary_lecture or not rule.secretary_lecture_only)]
                tip = "；".join(f"{m.date:%m-%d} {m.topic}" for m in held)
                cells.append({"p": pr, "span": span[pr.period.kind], "tip": tip, "meetings": held})
            grid.append({"result": rule_result, "rule": rule, "cells": cells})
        context.update(result=result, grid=grid, meetings=meetings,
                       not_applicable=[r for r in rules if not result or result.rule(r.key) is None])
    return render(request, "life/compliance_branch.html", context, status=400 if error else 200)
