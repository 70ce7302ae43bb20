"""Builders of real-world file shapes for the layout tests: .xlsx with merged cells (openpyxl), legacy .xls
(xlwt), web pages named .xls, GBK CSV."""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook


def xlsx_book(sheets: dict[str, list[list[object]]], *, merges: dict[str, list[str]] | None = None,
              hidden: tuple[str, ...] = ()) -> bytes:
    """An .xlsx with one sheet per entry of ``sheets`` (rows from row 1) and the merged ranges of
    ``merges`` (``{"党员信息": ["B2:C2", "A2:A3"]}``, Excel notation)."""
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
        for ref in (merges or {}).get(name, ()):
            ws.merge_cells(ref)
        if name in hidden:
            ws.sheet_state = "hidden"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xls_book(sheets: dict[str, list[list[object]]], *, merges: dict[str, list[tuple[int, int, int, int]]] | None = None) -> bytes:
    """A legacy BIFF8 .xls (xlwt, as WPS and older Excel write it). ``merges``: ``(first_row, last_row,
    first_col, last_col)`` 0-based, the value being the first cell's. Dates become date cells."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in sheets.items():
        ws = wb.add_sheet(name)
        merged = {(r0, c0): (r1, c1) for r0, r1, c0, c1 in (merges or {}).get(name, ())}
        covered = {(r, c) for (r0, c0), (r1, c1) in merged.items() for r in range(r0, r1 + 1)
                   for c in range(c0, c1 + 1) if (r, c) != (r0, c0)}
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if (r, c) in covered:
                    continue
                style = date_style if isinstance(value, dt.date) else xlwt.Style.default_style
                if (r, c) in merged:
                    r1, c1 = merged[(r, c)]
                    ws.write_merge(r, r1, c, c1, value, style)
                elif value is not None and value != "":
                    ws.write(r, c, value, style)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def html_xls(body: str, *, charset: str = "utf-8", encoding: str = "utf-8") -> bytes:
    """A web page as web systems export it under an .xls name."""
    page = (f'<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head><meta http-equiv="Content-Type" '
            f'content="text/html; charset={charset}"></head><body>{body}</body></html>')
    return page.encode(encoding)


def html_table(rows: list[list[str]]) -> str:
    return "<table border=1>" + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows) + "</table>"
