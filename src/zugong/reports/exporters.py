"""Exports of the 党内统计 table: xlsx (the 公报 layout) and plain text (the CLI's table).

``party_statistics_xlsx`` is the service every interface calls for a file: it computes the scoped
statistics, checks the ``party.export`` permission on the organization, builds the workbook and writes
an ``export`` audit event (organization code, 截至日期, format). The layout functions
(``statistics_workbook``, ``statistics_text``) only render a result of ``party_statistics``.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from zugong.audit.services import record_event
from zugong.core.errors import PermissionDeniedError
from zugong.core.scoping import can
from zugong.orgs.models import PartyOrganization
from zugong.reports.quality import incomplete_counts, incomplete_note
from zugong.reports.rules import communique_rules, statistics_definitions
from zugong.reports.services import (
    communique_rows,
    communique_title,
    party_statistics,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = ("项目", "人数", "占比(%)")
NOTE = "说明：统计口径参照{source}，各项口径如下（依据见括号）。"
NOTE_WIDTH = 70  # display columns of the merged note cells (A–C: 46 + 14 + 12 characters wide)


def statistics_notes(as_of: dt.date) -> list[str]:
    """The definitions note under the table: the source, then one line per rule row in force on
    ``as_of`` (``reports.rules.statistics_definitions``: name, definition, source)."""
    lines = [NOTE.format(source=communique_rules(as_of).source)]
    lines += [f"{r.name}：{r.definition}。（{r.source}）" for r in statistics_definitions(as_of)]
    return lines


def statistics_filename(organization: PartyOrganization, as_of: dt.date, ext: str = "xlsx") -> str:
    """``党内统计_<组织代码>_<YYYYMMDD>.<ext>``."""
    return f"党内统计_{organization.code}_{as_of:%Y%m%d}.{ext}"


def statistics_workbook(stats: dict, organization: PartyOrganization, as_of: dt.date,
                        incomplete: dict | None = None) -> Workbook:
    """The 公报 table as a workbook: a title row, a header row (项目 / 人数 / 占比(%)), one row per line
    of ``communique_rows`` (sections in bold, items indented), then the definitions note
    (``statistics_notes``) and, when ``incomplete`` (``reports.quality.incomplete_counts``) counts any,
    the line saying how many members lack a statistics field."""
    wb = Workbook()
    ws = wb.active
    ws.title = "党内统计"
    bold = Font(bold=True)
    thin = Side(style="thin", color="BFBFBF")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    section_fill = PatternFill("solid", fgColor="F3F4F6")

    ws.append([communique_title(organization, as_of)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 28
    ws.append(list(HEADERS))
    for cell in ws[2]:
        cell.font = bold
        cell.fill = section_fill
        cell.border = border
        cell.alignment = Alignment(horizontal="center")

    for row in communique_rows(stats):
        ws.append([row.label, row.count, row.share])
        r = ws.max_row
        label, count, share = ws.cell(r, 1), ws.cell(r, 2), ws.cell(r, 3)
        label.alignment = Alignment(indent=row.level * 2)
        count.number_format = "#,##0"
        share.number_format = "0.0"
        for cell in (label, count, share):
            cell.border = border
        if row.level == 0:
            for cell in (label, count, share):
                cell.font = bold
                cell.fill = section_fill

    ws.append([])
    note = incomplete_note(incomplete or {})
    for line in [*statistics_notes(as_of), *([note] if note else [])]:
        ws.append([line])
        note_row = ws.max_row
        ws.merge_cells(start_row=note_row, start_column=1, end_row=note_row, end_column=len(HEADERS))
        ws.cell(note_row, 1).alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[note_row].height = 15 * -(-_display_width(line) // NOTE_WIDTH) + 3

    for index, width in enumerate((46, 14, 12), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A3"
    return wb


def party_statistics_xlsx(*, user, organization: PartyOrganization, as_of: dt.date) -> tuple[bytes, str]:
    """Export the statistics of ``organization``'s subtree as of ``as_of`` as xlsx.

    Returns ``(file bytes, file name)``. Raises ``OutOfScope`` (organization not in the user's
    ``party.view`` scope) or ``PermissionDeniedError`` (no ``party.export`` on it). Audited as an
    ``export`` event with the organization code and 截至日期."""
    stats = party_statistics(user=user, organization=organization, as_of=as_of)
    if not can(user, "party", "export", organization):
        raise PermissionDeniedError("您没有导出该组织统计数据的权限。")
    incomplete = incomplete_counts(user=user, organization=organization, as_of=as_of)
    buffer = io.BytesIO()
    statistics_workbook(stats, organization, as_of, incomplete).save(buffer)
    record_event(
        "export", user=user, object_type="party_organization", object_id=organization.code,
        summary=f"导出党内统计：{organization.name}（截至 {as_of.isoformat()}）",
        data={"report": "party_statistics", "organization": organization.code, "as_of": as_of.isoformat(),
              "format": "xlsx", "members": stats["党员总数"]},
    )
    return buffer.getvalue(), statistics_filename(organization, as_of)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - _display_width(text), 0)
    return gap + text if right else text + gap


def statistics_text(stats: dict, organization: PartyOrganization, as_of: dt.date,
                    incomplete: dict | None = None) -> str:
    """The 公报 table as aligned plain text (CJK characters count as two columns), then the source and,
    when ``incomplete`` counts any, how many members lack a statistics field."""
    rows = communique_rows(stats)
    labels = ["  " * row.level + row.label for row in rows]
    w_label = max(_display_width(x) for x in [*labels, HEADERS[0]]) + 2
    w_count, w_share = 10, 9
    lines = [communique_title(organization, as_of), ""]
    lines.append(_pad(HEADERS[0], w_label) + _pad(HEADERS[1], w_count, True) + _pad(HEADERS[2], w_share, True))
    lines.append("-" * (w_label + w_count + w_share))
    for label, row in zip(labels, rows, strict=True):
        count = "" if row.count is None else f"{row.count:,}"
        share = "" if row.share is None else f"{row.share:.1f}"
        lines.append((_pad(label, w_label) + _pad(count, w_count, True) + _pad(share, w_share, True)).rstrip())
    lines.append("")
    lines.append(f"统计口径：{communique_rules(as_of).source}")
    note = incomplete_note(incomplete or {})
    if note:
        lines.append(note)
    return "\n".join(lines) + "\n"
