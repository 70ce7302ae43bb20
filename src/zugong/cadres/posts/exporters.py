"""The 干部配备一览表 as ``.xlsx`` (page download, CLI ``zugong quota --format xlsx``).

Written with openpyxl directly rather than ``core.files.write_xlsx``, which fills whole rows in one colour:
this table marks single cells — 超配 red (the over-quota cell and the unit's 实配 at that level), 空缺 amber
— like the page. Strings are written as literal text (a unit name starting with ``=`` stays text).

Layout of the first sheet 「干部配备一览表」: one header row (单位代码, 单位名称, then for each level present
「<级别>职数」「<级别>实配」「<级别>超配」「<级别>空缺」), one row per unit of the subtree in tree order. The second
sheet 「合计」 holds the totals per level, the third 「说明」 the as-of date
and the counting rule.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from zugong.audit.services import record_event
from zugong.cadres.choices import POST_LEVEL
from zugong.cadres.posts.selectors import QuotaTable
from zugong.core.errors import PermissionDeniedError
from zugong.core.scoping import can

OVER_FILL = PatternFill("solid", fgColor="F8C7C9")  # red: 超配
VACANT_FILL = PatternFill("solid", fgColor="FCE4B0")  # amber: 空缺
HEADER_FILL = PatternFill("solid", fgColor="F3F4F6")
KEYS = ("职数", "实配", "超配", "空缺")
RULE_TEXT = ("实配：截至日期当天，担任该单位该级别领导职务（占用职数、非兼任）的干部人数，同一人在同一单位同一级别"
             "担任多个职务只计一次；职数：截至日期当天有效的核定领导职数；超配 = 实配 − 职数（不小于0）；"
             "空缺 = 职数 − 实配（不小于0）。")


def quota_table_xlsx(*, user, table: QuotaTable, title: str) -> bytes:
    """The workbook of ``table`` (already computed for ``user``'s scope). Requires ``cadre.export``
    somewhere (``PermissionDeniedError``); audited (``export``). Returns the file's bytes."""
    if not can(user, "cadre", "export"):
        raise PermissionDeniedError("您没有导出干部信息的权限。")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "干部配备一览表"
    headers = ["单位代码", "单位名称"] + [f"{POST_LEVEL.label(level)}{key}" for level in table.levels for key in KEYS]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row_index, unit in enumerate(table.units, start=2):
        row_cells = table.cells.get(unit["pk"], {})
        values: list = [unit["code"], unit["name"]]
        fills: dict[int, PatternFill] = {}
        for level in table.levels:
            cell = row_cells.get(level)
            base = len(values)
            if cell is None:
                values += [None] * 4
                continue
            values += [cell.quota, cell.actual, cell.over, cell.vacant]
            if cell.over:
                fills[base + 1] = fills[base + 2] = OVER_FILL
            elif cell.vacant:
                fills[base + 3] = VACANT_FILL
        sheet.append(values)
        for column in (1, 2):  # literal text, never a formula
            sheet.cell(row=row_index, column=column).data_type = "s"
        for column, fill in fills.items():
            sheet.cell(row=row_index, column=column + 1).fill = fill
    sheet.freeze_panes = "C2"
    sheet.column_dimensions["A"].width = 14
    sheet.column_dimensions["B"].width = 28
    for index in range(3, len(headers) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 9
    totals = workbook.create_sheet("合计")
    totals.append(["职务级别", *KEYS])
    for cell in totals[1]:
        cell.font = Font(bold=True)
    for level, sums in table.totals().items():
        totals.append([POST_LEVEL.label(level), *[sums[k] for k in KEYS]])
        if sums["超配"]:
            totals.cell(row=totals.max_row, column=4).fill = OVER_FILL
        if sums["空缺"]:
            totals.cell(row=totals.max_row, column=5).fill = VACANT_FILL
    notes = workbook.create_sheet("说明")
    for line in (title, f"截至日期：{table.day.isoformat()}", RULE_TEXT, "红色：超配；黄色：空缺。"):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    workbook.save(buffer)
    record_event("export", user=user, object_type="cadres.postquota", object_id="",
                 summary=f"导出干部配备一览表（{title}，截至 {table.day.isoformat()}，{len(table.units)} 个单位）",
                 data={"kind": "quota_table", "as_of": table.day, "units": len(table.units)})
    return buffer.getvalue()
