"""The 党内统计年报 (``reports.annual.AnnualReport``) as the forms print it: the ``.xlsx`` (one sheet per
table), the JSON the API and the CLI give, and the printed layout the page shares with the workbook.

**Printed layout** (``printed_table``), as the 党内统计年报表 and every Chinese statistical form print a
table: the title centred (``第二表　党员基本情况``), a line with 填报单位, 截至日期 and the unit (名 / 个),
then the header — column 甲 (项目, the row labels) and column 乙 (行次, the row numbers), the column heads
(with their group heads above them: 年龄, 学历, 补充资料 …, ``COLUMN_GROUPS``) and under them the line
``甲 | 乙 | 1 | 2 | …`` numbering the columns (栏次) — then one line per row of ``reports.annual_layout``
numbered 1, 2, … in column 乙, indented by its level. The shared 工作岗位 rows print 公有制单位 and
非公有制单位 as unnumbered group lines above their 合计 (``ROW_GROUPS``; 第十表 likewise 年龄 and 入党时间).
A cell the records cannot fill (``None``) is left blank and a 说明 line under the table names it
(第几行、第几栏), e.g. 第十表's 厅局级 / 县处级 rows. 第一表 (``党员数量变化情况``) comes in the special JSON
shape of the issue (``上年底总数``, ``本年增加: {合计, 发展党员, …}`` …) and prints as rows with one column
人数.

**Services**: ``annual_xlsx(report) -> bytes`` renders a report (no query, no audit: the CLI and the page
call it after computing the report); ``annual_report_xlsx(*, user, organization, year)`` is what the page
and the API call for a file: the scoped report, the ``party.export`` permission on the organization, the
workbook and an ``export`` audit event. ``annual_json(report)`` is ``AnnualReport.to_json()`` plus the
organization and the consistency checks (逻辑校验); the CLI's aligned text is ``stats_annual.report_text``
(for the CLI's ``--format text``).
"""

from __future__ import annotations

import io
import unicodedata
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from zugong.reports.annual_layout import (
    NON_PUBLIC,
    OCCUPATION_ROWS,
    PUBLIC,
    TABLE_1,
    TABLES,
    Item,
    Table,
    number_text,
)

PEOPLE_UNIT, ORGANIZATION_UNIT = "名", "个"
FIRST_TABLE_TITLE = TABLE_1.title
CHECKS_KEY = "逻辑校验"
CHECKS_SHEET = "逻辑校验"

# ----- printed layout -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnGroup:
    """A group head printed above some columns: ``label`` over the columns ``keys`` (consecutive, in the
    table's order); ``inner`` groups sit one header line lower, over a part of ``keys``."""

    label: str
    keys: tuple[str, ...]
    inner: tuple[ColumnGroup, ...] = ()


def _group(label: str, *keys: str, inner: tuple[ColumnGroup, ...] = ()) -> ColumnGroup:
    return ColumnGroup(label, tuple(keys), inner)


_AGE_2 = ("30岁及以下", "31至35岁", "36至40岁", "41至45岁", "46至50岁", "51至55岁", "56至60岁", "61至65岁", "66至70岁",
          "71岁及以上")
_EDUCATION = ("研究生", "大学本科", "大学专科", "中专", "高中、中技", "初中及以下")
_TITLES = ("专业技术职务·高级", "专业技术职务·中级", "专业技术职务·初级")

COLUMN_GROUPS: dict[int, tuple[ColumnGroup, ...]] = {
    2: (_group("年龄", *_AGE_2),
        _group("补充资料", *_TITLES, inner=(_group("专业技术职务", *_TITLES),))),
    16: (_group("年龄", "25岁及以下", "26至30岁", "31至35岁", "36至40岁", "41至59岁", "60岁及以上"),
         _group("学历", *_EDUCATION)),
    33: (_group("原职业", "公有经济企事业单位管理人员专业技术人员", "工勤技能人员", "农牧渔民", "未就业的高校毕业生",
                "中介组织从业人员", "执业律师", "会计师", "其他"),),
    43: (_group("年龄", "35岁及以下", "36岁至45岁", "46岁至60岁", "61岁及以上"),
         _group("党龄", "1年以下", "1年至5年", "6年至10年", "11年至20年", "21年及以上"),
         _group("学历", "大专及以上", "中专、高中、中技", "初中及以下"),
         _group("失去联系时间", "6个月以上不满1年", "1年至5年（失联）", "6年至10年（失联）", "11年及以上"),
         _group("失去联系具体情形", "外出务工经商", "单位改制或破产", "毕业后去向不明", "工作单位改变", "出国（境）",
                "居住地改变", "其他")),
}
"""Group heads above the columns, per table number (the forms' 年龄 / 学历 / 补充资料 … heads; a column
outside every group spans the whole header height)."""

_OCCUPATION_GROUPS = {f"{PUBLIC}·合计": PUBLIC, f"{NON_PUBLIC}·合计": NON_PUBLIC}
ROW_GROUPS: dict[int, dict[str, str]] = {
    **{t.number: _OCCUPATION_GROUPS for t in TABLES if t.rows == OCCUPATION_ROWS},
    10: {"35岁及以下": "年龄", "1966年4月及以前": "入党时间"},
}
"""Unnumbered group lines, per table number: ``{row key: group label}`` — the label is printed on a line
of its own just above that row, one level deeper than the row before the group; the group's rows are
printed one level below the group line (at least)."""

UNITS = {24: ORGANIZATION_UNIT, 8: "个（支部）、名（党员）", 9: "人次"}
"""The unit printed on the 填报单位 line (default 名: people)."""


@dataclass(frozen=True)
class HeaderCell:
    """One cell of the header: ``label`` at header line ``line`` (0-based) and data column ``column``
    (0-based), spanning ``rowspan`` lines and ``colspan`` columns."""

    label: str
    line: int
    column: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class PrintedCell:
    """A figure: the layout's ``column`` key, its column number (栏次, 1-based) and ``value`` (``None``:
    the records cannot fill it)."""

    column: str
    number: int
    value: int | None


@dataclass(frozen=True)
class PrintedRow:
    """A printed line: a row of the layout (``key``, its 行次 ``number``, ``cells``) or a group line
    (``key``/``number`` ``None``, no cells). ``level``: the printed indentation."""

    label: str
    level: int
    key: str | None = None
    number: int | None = None
    cells: tuple[PrintedCell, ...] = ()

    @property
    def is_group(self) -> bool:
        return self.key is None


@dataclass
class PrintedTable:
    """A table laid out for printing: ``heading`` (``第二表　党员基本情况``), ``unit`` (名 / 个), the
    header (``header``: cells over ``depth`` lines; the 甲/乙 columns span them all), the data columns
    (``columns``: layout items, numbered 1… in order), the ``rows`` and the 说明 ``notes``."""

    table: Table
    heading: str
    unit: str
    depth: int
    header: list[HeaderCell]
    columns: tuple[Item, ...]
    rows: list[PrintedRow]
    notes: list[str] = field(default_factory=list)

    def value(self, row_key: str, column_key: str) -> int | None:
        """The figure of a cell (``KeyError`` for a key not in the table)."""
        row = next(r for r in self.rows if r.key == row_key)
        return next(c.value for c in row.cells if c.column == column_key)


def heading(table: Table) -> str:
    """``第二表　党员基本情况`` (a full-width space, as the forms print it)."""
    return f"{number_text(table.number)}\u3000{table.title}"


def column_label(table: Table, item: Item) -> str:
    """The head printed over a column: the label without the group prefix (``专业技术职务·高级`` → 高级)
    and without the key's disambiguation (``1年至5年（失联）`` → 1年至5年)."""
    label = item.label.rsplit("·", 1)[-1]
    return label.removesuffix("（失联）")


def first_table_value(data: dict, row_key: str):
    """A figure of 第一表 from its special JSON shape: ``本年增加`` / ``本年减少`` are the groups' ``合计``;
    their items are read inside the group; the others are top-level numbers. ``None`` when missing."""
    if not isinstance(data, dict):
        return None
    if row_key in ("本年增加", "本年减少"):
        group = data.get(row_key)
        return group.get("合计") if isinstance(group, dict) else group
    if row_key in data and not isinstance(data[row_key], dict):
        return data[row_key]
    for group in ("本年增加", "本年减少"):
        inner = data.get(group)
        if isinstance(inner, dict) and row_key in inner:
            return inner[row_key]
    return None


def cell_value(table: Table, tables: dict, row_key: str, column_key: str) -> int | None:
    """The figure ``tables[title][row][column]`` of a report's ``tables`` (第一表 through
    ``first_table_value``); ``None`` when the report leaves it out or cannot fill it."""
    data = tables.get(table.title) or {}
    if table.number == TABLE_1.number:
        return first_table_value(data, row_key)
    row = data.get(row_key)
    return row.get(column_key) if isinstance(row, dict) else None


def _header(table: Table) -> tuple[int, list[HeaderCell]]:
    groups = COLUMN_GROUPS.get(table.number, ())
    index = {c.key: i for i, c in enumerate(table.columns)}

    def nesting(gs) -> int:
        return max((1 + nesting(g.inner) for g in gs), default=0)

    depth = 1 + nesting(groups)
    cells: list[HeaderCell] = []
    placed: dict[str, int] = {}  # column key → the header line its own label goes on

    def place(gs, line: int) -> None:
        for g in gs:
            first = index[g.keys[0]]
            cells.append(HeaderCell(g.label, line, first, 1, len(g.keys)))
            for key in g.keys:
                placed[key] = line + 1
            place(g.inner, line + 1)

    place(groups, 0)
    for i, column in enumerate(table.columns):
        line = placed.get(column.key, 0)
        cells.append(HeaderCell(column_label(table, column), line, i, depth - line, 1))
    cells.sort(key=lambda c: (c.line, c.column))
    return depth, cells


def _note(table: Table, rows: list[PrintedRow]) -> str | None:
    """The 说明 line naming the blank cells (whole rows by 行次 and label, else 第几行第几栏)."""
    parts = []
    width = len(table.columns)
    for row in rows:
        blank = [c for c in row.cells if c.value is None]
        if not blank:
            continue
        if len(blank) == width:
            parts.append(f"第{row.number}行（{row.label}）")
        else:
            numbers = "、".join(str(c.number) for c in blank)
            parts.append(f"第{row.number}行第{numbers}栏")
    if not parts:
        return None
    return f"说明：{'、'.join(parts)}本系统尚无可据以统计的记录，留空未填。"


def printed_table(table: Table, tables: dict) -> PrintedTable:
    """``table`` laid out as the form prints it, with the figures of a report's ``tables``
    (``AnnualReport.tables``)."""
    depth, header = _header(table)
    groups = ROW_GROUPS.get(table.number, {})
    rows: list[PrintedRow] = []
    in_group = False
    group_level = 0
    for number, item in enumerate(table.rows, start=1):
        if item.key in groups:
            group_level = item.level
            rows.append(PrintedRow(groups[item.key], group_level))
            in_group = True
        elif in_group and item.level < group_level:
            in_group = False
        level = max(item.level, group_level + 1) if in_group else item.level
        cells = tuple(PrintedCell(c.key, i, cell_value(table, tables, item.key, c.key))
                      for i, c in enumerate(table.columns, start=1))
        rows.append(PrintedRow(item.label, level, item.key, number, cells))
    note = _note(table, rows)
    return PrintedTable(table, heading(table), UNITS.get(table.number, PEOPLE_UNIT), depth, header, table.columns,
                        rows, [note] if note else [])


def printed_tables(report) -> list[PrintedTable]:
    """Every table of ``TABLES`` laid out with ``report``'s figures, in the order of the set."""
    return [printed_table(t, report.tables) for t in TABLES]


def organization_name(report) -> str:
    org = report.organization
    return getattr(org, "name", "") or str(org or "")


def as_of_text(report) -> str:
    """``2023年12月31日``."""
    d = report.as_of
    return f"{d.year}年{d.month}月{d.day}日"


def title_line(report, printed: PrintedTable) -> str:
    """The line under the title: ``填报单位：某县委　　截至日期：2023年12月31日　　单位：名``."""
    return f"填报单位：{organization_name(report)}\u3000\u3000截至日期：{as_of_text(report)}\u3000\u3000单位：{printed.unit}"


def annual_filename(report, ext: str = "xlsx") -> str:
    """``党内统计年报_<组织代码>_<年度>.<ext>``."""
    code = getattr(report.organization, "code", "") or "report"
    return f"党内统计年报_{code}_{report.year}.{ext}"


# ----- JSON ---------------------------------------------------------------------------------------------


def annual_json(report) -> dict:
    """The API's and the CLI's JSON: ``AnnualReport.to_json()`` (``{"年度", "截至日期", "<table title>":
    {...}}``, 第一表 in its special shape) plus ``组织代码`` and ``填报单位`` (the subtree root) and
    ``逻辑校验`` (``[Check.to_json()]``, in the engine's order: name, ok, expected, actual, records with
    person_id — ``None`` for an organization of 第二十四表, then ``organization_id`` — name, organization, reason)."""
    org = report.organization
    return {
        **report.to_json(),
        "组织代码": getattr(org, "code", ""),
        "填报单位": organization_name(report),
        CHECKS_KEY: [c.to_json() for c in report.checks],
    }


# ----- text ---------------------------------------------------------------------------------------------


# ----- xlsx ---------------------------------------------------------------------------------------------

FONT = "宋体"
_thin = Side(style="thin")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
LABEL_MIN, LABEL_MAX = 18, 44
DATA_MIN, DATA_MAX = 6, 12
NUMBER_WIDTH = 6


def display_width(text: str) -> int:
    """Display columns of ``text`` (CJK characters count two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in str(text))


def _lines(text: str, width: float) -> int:
    return max(1, -(-display_width(text) // max(int(width) - 1, 1)))


def _data_width(label: str) -> int:
    # a head wraps onto at most 3 lines; a number needs ~6 columns
    return max(DATA_MIN, min(DATA_MAX, -(-display_width(label) // 3) + 2))


def _write_table(ws, report, printed: PrintedTable) -> None:
    n = len(printed.columns)
    last = n + 2
    regular, bold = Font(name=FONT, size=11), Font(name=FONT, size=11, bold=True)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    ws.cell(1, 1, printed.heading).font = Font(name=FONT, size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last)
    ws.row_dimensions[1].height = 30
    ws.cell(2, 1, title_line(report, printed)).font = regular
    ws.cell(2, 1).alignment = Alignment(horizontal="left", vertical="center")
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    ws.row_dimensions[2].height = 20

    top = 3  # first header line
    depth = printed.depth
    for col, text in ((1, "项目"), (2, "行次")):
        ws.cell(top, col, text)
        if depth > 1:
            ws.merge_cells(start_row=top, start_column=col, end_row=top + depth - 1, end_column=col)
    for cell in printed.header:
        r, c = top + cell.line, 3 + cell.column
        ws.cell(r, c, cell.label)
        if cell.rowspan > 1 or cell.colspan > 1:
            ws.merge_cells(start_row=r, start_column=c, end_row=r + cell.rowspan - 1, end_column=c + cell.colspan - 1)
    numbers = top + depth  # 甲 | 乙 | 1 | 2 …
    ws.cell(numbers, 1, "甲")
    ws.cell(numbers, 2, "乙")
    for i in range(1, n + 1):
        ws.cell(numbers, 2 + i, i)
    for r in range(top, numbers + 1):
        for c in range(1, last + 1):
            cell = ws.cell(r, c)
            cell.border, cell.alignment, cell.font = BORDER, centre, bold if r < numbers else regular

    first = numbers + 1
    for offset, row in enumerate(printed.rows):
        r = first + offset
        label = ws.cell(r, 1, row.label)
        label.alignment = Alignment(indent=row.level * 2, vertical="center")
        ws.cell(r, 2, row.number).alignment = Alignment(horizontal="center", vertical="center")
        for cell in row.cells:
            target = ws.cell(r, 2 + cell.number, cell.value)
            target.number_format = "0"
            target.alignment = Alignment(horizontal="right", vertical="center")
        for c in range(1, last + 1):
            ws.cell(r, c).border = BORDER
            ws.cell(r, c).font = regular
    end = first + len(printed.rows) - 1

    # widths: the labels' column fits the longest label with its indentation; a data column its head
    widths = {1: max(LABEL_MIN, min(LABEL_MAX, max((display_width(r.label) + 2 * r.level + 2 for r in printed.rows),
                                                    default=LABEL_MIN))),
              2: NUMBER_WIDTH}
    for i, column in enumerate(printed.columns, start=3):
        widths[i] = _data_width(column_label(printed.table, column))
    for c, w in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = w
    # header heights: a line as tall as its tallest one-line head needs (wrapped); a head spanning several
    # lines (a column without a group) gets what it lacks added to the last line
    heights = [18.0] * depth
    for h in printed.header:
        if h.rowspan == 1:
            heights[h.line] = max(heights[h.line], 15.0 * _lines(h.label, widths[3 + h.column] * h.colspan) + 4)
    for h in printed.header:
        if h.rowspan > 1:
            need = 15.0 * _lines(h.label, widths[3 + h.column]) + 4
            have = sum(heights[h.line:h.line + h.rowspan])
            heights[h.line + h.rowspan - 1] += max(0.0, need - have)
    for line, height in enumerate(heights):
        ws.row_dimensions[top + line].height = height

    # 说明 lines under the table (merged across, wrapped)
    r = end + 1
    total = sum(widths.values())
    for text in printed.notes:
        r += 1
        ws.cell(r, 1, text).alignment = Alignment(wrap_text=True, vertical="top")
        ws.cell(r, 1).font = regular
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last)
        ws.row_dimensions[r].height = 15 * _lines(text, total) + 4

    # print: A4 landscape, one page wide, the header repeated on every page, centred
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_title_rows = f"{top}:{numbers}"
    ws.freeze_panes = ws.cell(first, 3)


def _write_checks(ws, report) -> None:
    regular, bold = Font(name=FONT, size=11), Font(name=FONT, size=11, bold=True)
    ws.append([f"逻辑校验　{organization_name(report)}　{report.year}年度"])
    ws.cell(1, 1).font = Font(name=FONT, size=14, bold=True)
    ws.merge_cells("A1:F1")
    ws.append(["校验项", "结果", "应为", "实为", "需核查的记录", "原因"])
    for cell in ws[2]:
        cell.font, cell.border = bold, BORDER
    for check in report.checks:
        status = "通过" if check.ok else "未通过"
        records = check.records or [None]
        for ref in records:
            ws.append([check.name, status, check.expected, check.actual,
                       "" if ref is None else f"{ref.name}（{ref.organization}）", "" if ref is None else ref.reason])
            for cell in ws[ws.max_row]:
                cell.font, cell.border = regular, BORDER
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if not report.checks:
        ws.append(["（无校验项）"])
    for letter, width in zip("ABCDEF", (40, 8, 10, 10, 28, 48), strict=True):
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.freeze_panes = "A3"


def sheet_title(table: Table) -> str:
    """The sheet's name: ``第二表 党员基本情况`` (Excel allows 31 characters)."""
    return f"{number_text(table.number)} {table.title}"[:31]


def annual_workbook(report) -> Workbook:
    """The workbook of ``report``: one sheet per table of ``TABLES`` in the printed layout, then the
    逻辑校验 sheet (every check, with the records to fix)."""
    wb = Workbook()
    wb.remove(wb.active)
    for printed in printed_tables(report):
        _write_table(wb.create_sheet(sheet_title(printed.table)), report, printed)
    _write_checks(wb.create_sheet(CHECKS_SHEET), report)
    wb.active = 0
    return wb


def annual_xlsx(report) -> bytes:
    """``report`` (an ``AnnualReport``) as ``.xlsx`` bytes (``annual_workbook``). Renders only: no query,
    no permission check, no audit (``annual_report_xlsx`` does those for the page and the API)."""
    buffer = io.BytesIO()
    annual_workbook(report).save(buffer)
    return buffer.getvalue()


def annual_report_xlsx(*, user, organization, year: int, report=None) -> tuple[bytes, str]:
    """The 年报 of ``organization``'s subtree for ``year`` as xlsx: ``(file bytes, file name)`` — for the
    page, the API and the CLI. ``report``: the ``AnnualReport`` already computed for the same user,
    organization and year (the CLI's), else computed here.

    Raises ``OutOfScope`` (organization not in the user's ``party.view`` scope, from
    ``reports.annual.annual_report``) or ``PermissionDeniedError`` (no ``party.export`` on it). Audited as
    an ``export`` event with the organization code and the year."""
    from zugong.audit.services import record_event
    from zugong.core.errors import PermissionDeniedError
    from zugong.core.scoping import can
    from zugong.reports import annual

    if report is None:
        report = annual.annual_report(user=user, organization=organization, year=year)
    if not can(user, "party", "export", organization):
        raise PermissionDeniedError("您没有导出该组织统计数据的权限。")
    content = annual_xlsx(report)
    record_event(
        "export", user=user, object_type="party_organization", object_id=organization.code,
        summary=f"导出党内统计年报：{organization.name}（{year}年度）",
        data={"report": "annual_report", "organization": organization.code, "year": year, "format": "xlsx",
              "checks_failed": sum(1 for c in report.checks if not c.ok)},
    )
    return content, annual_filename(report)
