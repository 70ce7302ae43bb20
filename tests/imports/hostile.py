"""Hostile files and misbehaving parsers for the tests of ``core.files``/``core.sandbox``.

The functions below run *in the parsing child process* (tests put them in ``files.CHILD_PARSER`` or
pass them to ``run_limited``), so they live at module level in an importable module."""

from __future__ import annotations

import io
import os
import signal
import time
import zipfile

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/{sheet}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>")
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="名册" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="{target}"/></Relationships>')


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def workbook(sheet_data: str, *, dimension: str | None = None, sheet_path: str = "xl/worksheets/sheet1.xml") -> bytes:
    """A minimal .xlsx (about 1.5 KB) whose one sheet 「名册」 has ``<sheetData>`` ``sheet_data`` and,
    when given, ``<dimension ref="…">``."""
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    sheet = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             f"{dim}<sheetData>{sheet_data}</sheetData></worksheet>")
    target = sheet_path.removeprefix("xl/")
    parts = {"[Content_Types].xml": CONTENT_TYPES.format(sheet=sheet_path), "_rels/.rels": ROOT_RELS,
             "xl/workbook.xml": WORKBOOK, "xl/_rels/workbook.xml.rels": WORKBOOK_RELS.format(target=target),
             sheet_path: sheet}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def two_cells(far: str, *, dimension: str | None = "declared") -> bytes:
    """Cells at A1 and ``far`` (e.g. ``XFD1048576``); ``dimension="declared"`` declares ``A1:far``."""
    row = int("".join(ch for ch in far if ch.isdigit()))
    data = f'<row r="1">{inline("A1", "姓名")}</row><row r="{row}">{inline(far, "x")}</row>'
    return workbook(data, dimension=f"A1:{far}" if dimension == "declared" else dimension)


# --- misbehaving parsers (run in the child) -------------------------------------------------------------

def allocate(data, filename, preferred_sheets, limits, max_rows=None):
    """Allocates 4 GiB, 64 MiB at a time (a parser gone wild)."""
    hoard = []
    for _ in range(64):
        hoard.append(bytearray(64 * 1024 * 1024))
    return hoard


def sleep(data, filename, preferred_sheets, limits, max_rows=None):
    time.sleep(60)


def die(data, filename, preferred_sheets, limits, max_rows=None):
    os.kill(os.getpid(), signal.SIGKILL)


def exit_abruptly(data, filename, preferred_sheets, limits, max_rows=None):
    os._exit(3)


def calamine_only(data, filename, preferred_sheets, limits, max_rows=None):
    """Hands the file to calamine with no size check at all, as the reader did before."""
    from zugong.core.files import _read_xlsx

    return _read_xlsx(data, filename, preferred_sheets)


def smuggle(data, filename, preferred_sheets, limits, max_rows=None):
    """Answers with an object the parent must refuse to build."""
    import collections

    return collections.OrderedDict(a=1)
