"""The 晾晒 (monthly 通报, quarterly 评比, yearly) of a subtree: the report every interface shows and its
``.xlsx``.

``compliance_report`` evaluates the branches of ``organization``'s subtree for the rule periods overlapping
one ``Period`` (a month: that month, its quarter and its year; a quarter: its months, itself and its
year; a year: every month and quarter of it) and ranks them, the lowest 落实率 first. ``compliance_xlsx``
is the export service (``party.export`` on the organization, audited).
"""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from zugong.core.errors import PermissionDeniedError
from zugong.core.scoping import can
from zugong.life.compliance import Period, evaluate, rank, ranking, rules_for

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERIOD_NAMES = {"month": "月度通报", "quarter": "季度评比", "year": "年度晾晒"}


def report_title(organization, period: Period) -> str:
    """「某县委 组织生活落实情况 2026年7月 月度通报」."""
    return f"{organization.name} 组织生活落实情况 {period.title} {PERIOD_NAMES[period.kind]}"


def compliance_report(*, user, organization, period: Period, today: dt.date | None = None,
                      lazy: bool = False) -> dict:
    """The ranked 晾晒 of ``organization``'s subtree (``user``'s ``party.view`` scope) for ``period``.

    Returns ``{"title", "today", "period", "rules": [RuleSpec], "rows": [BranchResult] (lowest 落实率 first),
    "branches": n, "behind": n (branches with a missing period), "owed": Σ应开, "done": Σ达标次数,
    "rate": 总体落实率 % or None}``. 2–4 queries (``evaluate``). ``lazy=True`` (the page, which shows 100
    rows at a time): the same figures and order from ``life.compliance.rank``, ``rows`` a
    ``RankedBranches`` whose slices are evaluated in detail when read."""
    today = today or timezone.localdate()
    rules = rules_for(period.start, period.end)
    if lazy:
        rows = rank(user=user, organization=organization, start=period.start, end=period.end, today=today,
                    rules=rules)
        owed, done, used, behind = rows.owed, rows.done, rows.used, rows.behind
    else:
        results = evaluate(user=user, organization=organization, start=period.start, end=period.end, today=today,
                           rules=rules)
        rows = ranking(results)
        owed = sum(b.owed for b in rows)
        done = sum(b.done for b in rows)
        used = {r.rule.key for b in rows for r in b.rules}
        behind = sum(1 for b in rows if b.missing_count)
    return {
        "title": report_title(organization, period),
        "today": today,
        "period": period,
        "rules": [r for r in rules if r.key in used],
        "rows": rows,
        "branches": len(rows),
        "behind": behind,
        "owed": owed,
        "done": done,
        "rate": round(100.0 * done / owed, 1) if owed else None,
    }


def compliance_workbook(report: dict) -> Workbook:
    """The report as a workbook: title row, header row (排名, 组织代码, 党组织名称, 落实率(%), then per rule
    已开 / 应开 / 缺), one row per branch in ranking order, then the rules with their sources."""
    wb = Workbook()
    ws = wb.active
    ws.title = "组织生活晾晒"
    headers = ["排名", "组织代码", "党组织名称", "落实率(%)"]
    for rule in report["rules"]:
        headers += [f"{rule.key}已开", f"{rule.key}应开", f"{rule.key}缺"]
    bold = Font(bold=True)
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([report["title"]])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(headers)
    for cell in ws[2]:
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="F3F4F6")
        cell.border = border
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for place, branch in enumerate(report["rows"], start=1):
        values = [place, branch.code, branch.name, branch.rate]
        for rule in report["rules"]:
            result = branch.rule(rule.key)
            if result is None:
                values += ["不适用", "", ""]
            else:
                values += [result.held, result.owed, "、".join(result.missing)]
        ws.append(values)
    ws.append([])
    ws.append([f"说明：应开为已结束各期的应开次数之和，已开为这些期间实际召开的次数，缺为未达到要求的期间；"
               f"进行中的当期不计。统计日期：{report['today'].isoformat()}。"])
    for rule in report["rules"]:
        ws.append([f"{rule.key}：{rule.name}（{rule.source}）"])
    for index in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(index)].width = 30 if index == 3 else 12
    ws.freeze_panes = "D3"
    return wb


def compliance_filename(organization, period: Period) -> str:
    """``组织生活晾晒_<组织代码>_<期间>.xlsx``."""
    return f"组织生活晾晒_{organization.code}_{period.label}.xlsx"


def compliance_xlsx(*, user, organization, period: Period, today: dt.date | None = None) -> tuple[bytes, str]:
    """The 晾晒 of ``organization``'s subtree for ``period`` as xlsx → ``(bytes, file name)``.

    Raises ``PermissionDeniedError`` without ``party.export`` on the organization (the organization itself
    must already be in the user's view scope: callers resolve it with ``scoped_organization``). Audited
    as an ``export`` event."""
    from zugong.audit.services import record_event

    if not can(user, "party", "export", organization):
        raise PermissionDeniedError("您没有导出该组织组织生活数据的权限。")
    report = compliance_report(user=user, organization=organization, period=period, today=today)
    buffer = io.BytesIO()
    compliance_workbook(report).save(buffer)
    record_event("export", user=user, object_type="party_organization", object_id=organization.code,
                 summary=f"导出组织生活晾晒：{organization.name}（{period.title}）",
                 data={"report": "compliance", "organization": organization.code, "period": period.label,
                       "format": "xlsx", "branches": report["branches"]})
    return buffer.getvalue(), compliance_filename(organization, period)
