"""党内统计年报 pages: the tables of an organization subtree for a year (``reports:annual``), their
``.xlsx`` (``reports:annual_xlsx``) and the records behind a figure (``reports:annual_records``).

GET parameters: ``org`` (组织代码; default the user's top granted organization) and ``year`` (年度, four
digits; default ``default_year()``: the year of the demo data while it is installed, else last year);
the records page adds ``table`` (表号, e.g. ``2``), ``row`` and ``column`` (keys of
``reports.annual_layout``; default 第二表 总计 / 总数: every member at the year's end) and ``page``.
An organization outside the user's ``party.view`` scope (or unknown) is a 404, no ``party.view`` grant
at all a 403, a bad year or cell a 400 with the reason.

All three call the engine (``reports.annual.annual_report`` / ``annual_records``, looked up on the module
at call time) and lay the tables out with ``reports.annual_export.printed_table``, so the page, the file
and the API show the same figures in the same places.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from zugong.core.errors import OutOfScope
from zugong.core.scoping import can
from zugong.demo.reference import demo_as_of
from zugong.orgs.models import PartyOrganization
from zugong.orgs.selectors import requested_organization
from zugong.reports import annual
from zugong.reports.annual_export import (
    annual_report_xlsx,
    as_of_text,
    printed_tables,
)
from zugong.reports.annual_layout import TABLE_BY_NUMBER, TABLE_BY_TITLE, Table, number_text
from zugong.reports.selectors import annual_record_rows
from zugong.reports.views import _picker_organizations, xlsx_answer

FIRST_YEAR = 1921  # 中国共产党成立
PER_PAGE = 50
DEFAULT_CELL = (2, "总计", "总数")  # 第二表 总计 总数: every member at the year's end


class BadParameter(ValueError):
    """A query parameter the page cannot use; ``str(exc)`` is the Chinese reason."""


def default_year() -> int:
    """The 年度 a page uses when none is chosen: the demo data's year while it is installed (its events
    are those of that year), else last year (the 年报 is made after 31 December)."""
    demo = demo_as_of()
    if demo is not None:
        return demo.year if (demo.month, demo.day) == (12, 31) else demo.year - 1
    return timezone.localdate().year - 1


def parse_year(text: str | None) -> int:
    """``"2023"`` → 2023; blank → ``default_year()``. Raises ``BadParameter`` for anything else than a
    year from 1921 to the current year."""
    text = (text or "").strip()
    if not text:
        return default_year()
    this_year = timezone.localdate().year
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= this_year:
        raise BadParameter(f"年度「{text}」无效：应为 {FIRST_YEAR} 至 {this_year} 之间的四位年份。")
    return int(text)


def request_organization(request) -> PartyOrganization:
    """``?org=`` in the user's ``party.view`` scope (``Http404`` when unknown or outside), else the user's
    top granted organization (``PermissionDenied`` without any ``party.view`` grant)."""
    return requested_organization(request, what="党内统计")


def parse_table(text: str | None) -> Table:
    """``table`` by number (``2``) or title (``党员基本情况``); blank → 第二表. ``BadParameter`` otherwise."""
    text = (text or "").strip()
    if not text:
        return TABLE_BY_NUMBER[DEFAULT_CELL[0]]
    table = TABLE_BY_NUMBER.get(int(text)) if text.isdigit() else TABLE_BY_TITLE.get(text)
    if table is None:
        raise BadParameter(f"表「{text}」不是本系统统计的年报表。")
    return table


def parse_cell(table: Table, row: str | None, column: str | None) -> tuple[str, str]:
    """The ``(row key, column key)`` of a figure of ``table``; blanks → the table's first row and
    column. ``BadParameter`` for a key the table has not."""
    row = (row or "").strip() or table.rows[0].key
    column = (column or "").strip() or table.columns[0].key
    if row not in {r.key for r in table.rows}:
        raise BadParameter(f"{table.heading} 没有「{row}」这一行。")
    if column not in {c.key for c in table.columns}:
        raise BadParameter(f"{table.heading} 没有「{column}」这一栏。")
    return row, column


def records_query(organization, year: int, table: Table, row: str, column: str) -> str:
    return urlencode({"org": organization.code, "year": year, "table": table.number, "row": row, "column": column})


def table_sections(report, organization, year: int) -> list[dict]:
    """The page's tables: ``printed_table`` of each, each non-zero figure with the URL of its records
    (``reports:annual_records``)."""
    base = reverse("reports:annual_records")
    sections = []
    for printed in printed_tables(report):
        rows = []
        for row in printed.rows:
            cells = [{"value": c.value, "column": c.column,
                      "url": (f"{base}?{records_query(organization, year, printed.table, row.key, c.column)}"
                              if c.value else None)}
                     for c in row.cells]
            rows.append({"row": row, "cells": cells})
        header_lines = [[h for h in printed.header if h.line == line] for line in range(printed.depth)]
        sections.append({"printed": printed, "id": f"table-{printed.table.number}", "rows": rows,
                         "header_lines": header_lines, "number_text": number_text(printed.table.number)})
    return sections


def _check_rows(report) -> list[dict]:
    """The checks with a link per record: the person page, or the organization page for an organization of
    第二十四表 (``RecordRef.person_id`` is ``None`` then)."""
    def url(r) -> str:
        if r.person_id is not None:
            return reverse("people:detail", args=[r.person_id])
        return reverse("orgs:detail", args=[r.organization_id]) if r.organization_id else ""

    return [{"check": c, "records": [{"ref": r, "url": url(r)} for r in c.records]} for c in report.checks]


@login_required
@require_GET
def annual_page(request):
    """党内统计年报 page: organization picker and 年度; the consistency checks (逻辑校验) summed up at the
    top and listed at the bottom with the records to fix (linked to the people's pages); every table in
    the printed layout (``reports.annual_export.printed_table``), each non-zero figure linked to the
    records it counts; the xlsx download (with the "file is being generated" indicator) when the user may
    export."""
    organization = request_organization(request)
    error = ""
    try:
        year = parse_year(request.GET.get("year"))
    except BadParameter as exc:
        year, error = default_year(), f"{exc}已按 {default_year()} 年度统计。"
    try:
        report = annual.annual_report(user=request.user, organization=organization, year=year)
    except OutOfScope:
        raise Http404("组织不存在或不在您的数据范围内")
    params = {"org": organization.code, "year": year}
    failed = [c for c in report.checks if not c.ok]
    this_year = timezone.localdate().year
    context = {
        "organization": organization,
        "year": year,
        "as_of": report.as_of,
        "as_of_text": as_of_text(report),
        "error": error,
        "report": report,
        "sections": table_sections(report, organization, year),
        "checks": _check_rows(report),
        "failed": failed,
        "organizations": _picker_organizations(request.user, organization),
        "first_year": FIRST_YEAR,
        "this_year": this_year,
        "quick_years": [y for y in (this_year - 1, this_year - 2) if y != year],
        "org_code": organization.code,
        "export_query": urlencode(params),
        "can_export": can(request.user, "party", "export", organization),
    }
    return render(request, "reports/annual.html", context, status=400 if error else 200)


@login_required
@require_GET
def annual_xlsx(request):
    """The 年报 as xlsx (``reports.annual_export.annual_report_xlsx``): one sheet per table in the printed
    layout and a 逻辑校验 sheet. Needs ``party.export`` on the organization (403 otherwise); audited as an
    ``export`` event; 400 for a bad year; answers the download cookie of the page's indicator."""
    organization = request_organization(request)
    try:
        year = parse_year(request.GET.get("year"))
    except BadParameter as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    return xlsx_answer(request, lambda: annual_report_xlsx(user=request.user, organization=organization, year=year))


@login_required
@require_GET
def annual_records(request):
    """The records a figure of the 年报 counts (``reports.annual.annual_records``): the people — name
    (linked to the person's page), sex, birth date, 公民身份号码 masked as on the roster, 入党日期 and the
    organization at the year's end (in scope) — or, for 第二十四表, the organizations; ``PER_PAGE`` a page.
    ``context["object_list"]``: the page's records (for the generated scope tests)."""
    organization = request_organization(request)
    try:
        year = parse_year(request.GET.get("year"))
        table = parse_table(request.GET.get("table"))
        if request.GET.get("table", "").strip():
            row, column = parse_cell(table, request.GET.get("row"), request.GET.get("column"))
        else:
            row, column = DEFAULT_CELL[1], DEFAULT_CELL[2]
    except BadParameter as exc:
        return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
    try:
        records = annual.annual_records(user=request.user, organization=organization, year=year, table=table.number,
                                        row=row, column=column)
    except OutOfScope:
        raise Http404("组织不存在或不在您的数据范围内")
    if getattr(records, "ordered", True) is False:  # a stable order for the pages
        records = records.order_by("path" if records.model is PartyOrganization else "name", "pk")
    page = Paginator(records, PER_PAGE).get_page(request.GET.get("page"))
    objects = list(page.object_list)
    as_of = dt.date(year, 12, 31)
    row_label, column_label = table.row(row).label, table.column(column).label
    is_people = getattr(records, "model", None) is not PartyOrganization
    context = {
        "organization": organization,
        "year": year,
        "table": table,
        "row_label": row_label,
        "column_label": column_label,
        "page": page,
        "object_list": objects,
        "rows": annual_record_rows(user=request.user, objects=objects, as_of=as_of),
        "is_people": is_people,
        "query": records_query(organization, year, table, row, column),
        "back_url": f"{reverse('reports:annual')}?{urlencode({'org': organization.code, 'year': year})}"
                    f"#table-{table.number}",
    }
    return render(request, "reports/annual_records.html", context)
