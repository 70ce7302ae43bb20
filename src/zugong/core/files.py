"""Safe reading of uploaded spreadsheets and safe writing of .xlsx files.

Reading (``read_table``) — every check runs on the raw bytes *before* any parser sees them:

1. size: at most ``max_bytes`` (default ``settings.ZUGONG_MAX_UPLOAD_BYTES``) bytes are read; an empty
   file is refused;
2. content sniffing: the extension must be ``.xlsx``, ``.xls`` or ``.csv`` and the content must agree
   with it — a text file renamed ``.xlsx``, a ZIP renamed ``.csv`` or ``.xls``, an OLE2 container named
   ``.xlsx`` (a legacy or an encrypted workbook) are refused; ``.xlsm`` and any workbook carrying
   ``vbaProject.bin`` (macros) are refused. A ``.xls`` is either a real legacy workbook (OLE2/BIFF, as
   WPS and older Excel write it; an encrypted one is refused) or a web page holding a table (the
   "Excel" export of many web systems: HTML named ``.xls``), read by step 5;
3. ZIP-bomb checks (the thresholds of Apache POI's ``ZipSecureFile``): at most ``MAX_ZIP_ENTRIES``
   entries, at most ``MAX_UNCOMPRESSED_BYTES`` declared uncompressed bytes in total, no entry larger
   than 1 MiB inflating more than ``MAX_COMPRESSION_RATIO`` times; then every entry is inflated once by
   Python (bounded by its declared size, CRC-checked) so a lying size header is caught too;
4. sheet size (``core.sheet_scan``; ``SheetLimits``: columns, rows, cells; settings
   ``ZUGONG_IMPORT_MAX_COLUMNS``/``_ROWS``/``_CELLS``): while every worksheet part is inflated (step 3),
   its declared ``<dimension ref>`` and the position of every real cell are checked, streaming, without
   building a DOM. A parser allocates the whole rectangle from A1 to the farthest cell (two cells at A1
   and XFD1048576 are 17 billion cells, 512 GB), so the farthest column, the farthest row, the
   rectangle's area and the number of cells are each limited, and a refusal names the limit;
5. parsing — the WHOLE workbook (``read_workbook``): every visible sheet with its rows and its merged
   cell ranges (``Table.merged``), for ``core.layout`` to choose the sheet and read two-row headers.
   ``.xlsx`` and ``.xls`` with python-calamine (Rust; its XML reader, quick-xml, never resolves DTDs or
   external entities — no XXE, no entity expansion; its BIFF reader is bounds-checked), keeping cell
   types: text is ``str``, number cells are ``float``, date cells ``datetime.date``/``datetime.datetime``,
   booleans ``bool``, empty ``""``. A ``.xls`` has no ZIP to scan, so the sheet-size limits (step 4)
   are applied to each sheet's extent after calamine has read it and before its cells are converted
   (the child's memory limit bounds the read itself). An HTML ``.xls`` is parsed by lxml's HTML parser
   with the defusedxml policy (no network access, no entity resolution, no huge trees): each ``<table>``
   that holds no other table becomes a sheet (「表1」, 「表2」 …), ``rowspan``/``colspan`` expanded into
   merged ranges; a page without a table, with nested tables only, or an Excel 2003 XML workbook named
   ``.xls`` is refused with a clear message. ``.csv`` as UTF-8 (with or without BOM), falling back to
   GB18030 (a superset of GBK/GB2312); every CSV or HTML value is ``str``.

Writing (``write_xlsx``): openpyxl in write-only mode. Every string is written as an inline string;
strings starting with ``= + - @`` TAB or CR (the characters spreadsheet programs treat as the start of
a formula — OWASP "CSV injection") additionally get ``quotePrefix`` so Excel keeps them literal even
when the cell is edited. No cell is ever written as a formula. Control characters that XML cannot
carry are removed.

XML safety: uploads are parsed only by calamine (above). openpyxl, used here for writing and by
callers that read back what we wrote, parses XML through defusedxml automatically because defusedxml
is installed (a dependency; ``openpyxl.xml.DEFUSEDXML`` is asserted in the tests). We do not call
``defusedxml.defuse_stdlib()``: it would monkeypatch the standard library for every module in the
process.

Isolation: steps 3–5 never run in the server's process. ``read_workbook`` reads the bytes (step 1),
checks the type (step 2: only the extension and the first bytes, so a wrong type starts no child) and
hands the bytes to a child process (``core.sandbox.run_limited``) limited to ``ZUGONG_PARSE_MEMORY_MB`` MiB
of address space and ``ZUGONG_PARSE_SECONDS`` seconds; the parsed rows come back. Whatever the parser
does with a hostile file the answer is a Chinese refusal naming the limit, and the server keeps serving.
Web and command-line imports both read through ``read_workbook`` (``read_table`` = one sheet of it).
``max_rows`` reads only the first rows of each sheet (the mapping page's preview): the file is still
checked whole (steps 1–4), but for .xlsx the scan of step 4 keeps the XML of each worksheet's first
rows as it inflates them and calamine parses that cut-down copy (``sheet_scan.RowCapture``; a 100,000-row
file: ~0.02 s instead of ~1.6 s); other formats are parsed whole and only the first rows converted. Only
those rows are sent back (``Table.total_rows`` tells how many there are).

Errors: every refusal raises ``FileRejected`` (a ``ValidationFailed`` with one file-level
``RowError``, row 0) whose message is Chinese and names the problem.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from zugong.core.errors import RowError, ValidationFailed
from zugong.core.sheet_scan import (
    SCAN_CHUNK,
    RowCapture,
    SheetLimits,
    SheetRejected,
    scan_worksheet,
    worksheet_parts,
)

MAX_ZIP_ENTRIES = 1000
"""A real .xlsx holds 10–30 parts; thousands of entries is a ZIP bomb of the "many files" kind."""
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
"""Declared total uncompressed size. A 100 000-row roster written by openpyxl is about 60 MiB."""
MAX_COMPRESSION_RATIO = 100
"""Per entry, as Apache POI's ``ZipSecureFile.MIN_INFLATE_RATIO = 0.01``."""
RATIO_CHECK_MIN_BYTES = 1024 * 1024
"""Entries smaller than this are not ratio-checked (tiny XML parts legitimately compress very well)."""

PARSE_MEMORY_MB = 1024
"""Default address-space limit of the parsing child (``ZUGONG_PARSE_MEMORY_MB``). A 100,000-row roster
peaks at ~350 MB."""
PARSE_SECONDS = 120
"""Default wall-clock limit of the parsing child (``ZUGONG_PARSE_SECONDS``). A 100,000-row roster takes ~5 s."""

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
SUPPORTED_EXTENSIONS = (".xlsx", ".xls", ".csv")
HTML_SNIFF_BYTES = 4096
"""How much of a ``.xls`` is looked at to tell a web page from a legacy workbook."""


class FileRejected(ValidationFailed):
    """The file as a whole was refused (before or while parsing); ``reason`` is Chinese."""

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__([RowError(0, "", reason)], message=reason)


@dataclass
class Table:
    """A parsed sheet. ``rows[i]`` is spreadsheet row ``i + 1`` (for CSV: record ``i + 1``) as a list of
    cell values; rows may have different lengths. ``format`` is ``"xlsx"``, ``"xls"``, ``"html"`` or
    ``"csv"``. ``merged``: the merged cell ranges as ``(first_row, first_col, last_row, last_col)``,
    0-based indices into ``rows``, inclusive (the value sits in the first cell, the others read ``""``).
    ``total_rows``: the rows of the sheet (``len(rows)`` unless read with ``max_rows``)."""

    filename: str
    format: str
    sheet_name: str
    rows: list[list[object]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    total_rows: int = -1

    def __post_init__(self) -> None:
        if self.total_rows < 0:
            self.total_rows = len(self.rows)

    @property
    def truncated(self) -> bool:
        """True when only the first rows were read (``max_rows``)."""
        return self.total_rows > len(self.rows)

    @staticmethod
    def row_number(index: int) -> int:
        """The row number the user sees in Excel for ``rows[index]`` (header row 1 → index 0)."""
        return index + 1


@dataclass
class Workbook:
    """A parsed file: its visible ``sheets`` (``Table``s, in workbook order; a CSV is one sheet named
    ``""``), ``sheet_names`` (every sheet, hidden ones too) and ``hidden`` (the hidden sheets' names,
    not read). ``format`` as ``Table.format``."""

    filename: str
    format: str
    sheets: list[Table]
    sheet_names: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)

    def sheet(self, preferred: Sequence[str] = ()) -> Table:
        """The first of ``preferred`` present, else the first visible sheet."""
        by_name = {t.sheet_name: t for t in self.sheets}
        return next((by_name[n] for n in preferred if n in by_name), None) or self.sheets[0]


# --- reading -------------------------------------------------------------------------------------------

def max_upload_bytes() -> int:
    """The configured upload limit in bytes (``settings.ZUGONG_MAX_UPLOAD_BYTES``, default 50 MiB)."""
    return int(getattr(settings, "ZUGONG_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))


def _human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / 1024 / 1024:.0f} MB"
    return f"{max(n // 1024, 1)} KB"


def load_bytes(source, *, filename: str = "", max_bytes: int | None = None) -> tuple[bytes, str]:
    """Read ``source`` — a path (``str``/``Path``), ``bytes``, or a binary file object (Django
    ``UploadedFile``, ``BytesIO``, an open file) — into memory, at most ``max_bytes`` bytes.

    Returns ``(data, filename)``; ``filename`` defaults to the path's or file object's name.
    Raises ``FileRejected`` when the file is larger than the limit or empty."""
    limit = max_upload_bytes() if max_bytes is None else max_bytes
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        filename = filename or path.name
        try:
            with path.open("rb") as fh:
                data = fh.read(limit + 1)
        except FileNotFoundError:
            raise FileRejected(f"找不到文件：{path}")
    elif isinstance(source, (bytes, bytearray)):
        data = bytes(source[: limit + 1])
    else:
        filename = filename or os.path.basename(getattr(source, "name", "") or "")
        if hasattr(source, "seek"):
            try:
                source.seek(0)
            except (OSError, ValueError):
                pass
        data = source.read(limit + 1)
    if len(data) > limit:
        raise FileRejected(f"文件超过大小上限（{_human_size(limit)}），请拆分后分批导入")
    if not data:
        raise FileRejected("文件为空")
    return data, filename


def _looks_like_html(data: bytes) -> bool:
    head = data[:HTML_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"\xff\xfe") or head.startswith(b"\xfe\xff"):  # UTF-16 (a few exporters)
        head = head[2:].replace(b"\x00", b"")
    return head.startswith(b"<") and any(tag in head for tag in (b"<html", b"<table", b"<!doctype html", b"<meta", b"<tr"))


def _is_encrypted_ole2(data: bytes) -> bool:
    """An encrypted OOXML workbook is an OLE2 container holding an ``EncryptedPackage`` stream."""
    return "EncryptedPackage".encode("utf-16-le") in data[:1024 * 1024] or b"EncryptedPackage" in data[:1024 * 1024]


def sniff_format(data: bytes, filename: str) -> str:
    """``"xlsx"``, ``"xls"`` (a legacy OLE2/BIFF workbook), ``"html"`` (a web page named ``.xls``) or
    ``"csv"`` for ``data`` named ``filename``; the extension and the content must agree.

    Raises ``FileRejected`` for unsupported extensions, macro workbooks, encrypted workbooks and content
    that does not match the extension."""
    ext = os.path.splitext(filename or "")[1].lower()
    if ext == ".xlsm":
        raise FileRejected("不接受启用宏的工作簿（.xlsm），请另存为 .xlsx 后导入")
    if ext not in SUPPORTED_EXTENSIONS:
        shown = ext or "（无扩展名）"
        raise FileRejected(f"不支持的文件类型 {shown}，请上传 .xlsx、.xls 或 .csv 文件")
    is_ole2 = data.startswith(OLE2_MAGIC)
    if is_ole2 and _is_encrypted_ole2(data):
        raise FileRejected("工作簿已加密（设置了打开密码），请取消密码保护并另存为 .xlsx 后导入")
    if ext == ".xls":
        if is_ole2:
            return "xls"
        if data.startswith(ZIP_MAGIC):
            raise FileRejected("文件扩展名是 .xls，但内容是新版 Excel（.xlsx）格式，请把扩展名改为 .xlsx 后导入")
        head = data[:HTML_SNIFF_BYTES * 4].lower()
        if b"urn:schemas-microsoft-com:office:spreadsheet" in head and b"<html" not in head:
            raise FileRejected("文件扩展名是 .xls，但内容是 Excel 2003 XML 表格，请在 Excel 或 WPS 中另存为 .xlsx 后导入")
        if _looks_like_html(data):
            return "html"
        raise FileRejected("文件不是有效的 Excel（.xls）文件，也不是网页表格，可能是其他格式的文件改了扩展名")
    if is_ole2:
        raise FileRejected("文件是旧版 .xls 格式，但扩展名是 .xlsx，请把扩展名改为 .xls 或在 Excel 中另存为 .xlsx 后导入")
    is_zip = data.startswith(ZIP_MAGIC)
    if ext == ".xlsx":
        if not is_zip:
            raise FileRejected("文件不是有效的 Excel（.xlsx）文件，可能是其他格式的文件改了扩展名")
        return "xlsx"
    if is_zip or b"\x00" in data[:8192]:
        raise FileRejected("文件内容不是文本格式的 CSV，可能是其他格式的文件改了扩展名")
    return "csv"


@dataclass
class XlsxScan:
    """What ``check_xlsx_container`` learnt: ``rows`` (sheet name → farthest row) and, when asked for
    ``keep_rows``, ``cut`` — the workbook rewritten with only the first rows of each worksheet (``None``
    when a worksheet could not be cut)."""

    rows: dict[str, int]
    cut: bytes | None = None


def check_xlsx_container(data: bytes, limits: SheetLimits | None = None, *, keep_rows: int | None = None) -> XlsxScan:
    """Refuse a ZIP that is not a plain .xlsx workbook or could exhaust memory when inflated or parsed.

    Checks (in order): valid ZIP; entry count ≤ ``MAX_ZIP_ENTRIES``; declared total uncompressed size
    ≤ ``MAX_UNCOMPRESSED_BYTES``; no macros (``vbaProject.bin`` or a macro-enabled content type); a
    workbook part present; per-entry compression ratio ≤ ``MAX_COMPRESSION_RATIO`` for entries over
    1 MiB; finally every entry inflates to exactly its declared size with a matching CRC (Python stops
    reading at the declared size, so a lying header is caught without inflating the bomb), and every
    worksheet part is scanned while it inflates (``SheetScanner``: declared dimension, farthest cell,
    cell count within ``limits``, default ``SheetLimits()``). Raises ``FileRejected``.

    ``keep_rows``: also keep the XML of each worksheet's first rows as it is inflated and return the
    workbook rewritten with them (``XlsxScan.cut``: parts stored uncompressed) — the preview parses that
    instead of the whole file."""
    limits = limits or SheetLimits()
    scan = XlsxScan(rows={})
    captures: dict[str, RowCapture] = {}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileRejected("文件不是有效的 Excel（.xlsx）文件（压缩结构损坏）")
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_ENTRIES:
            raise FileRejected(f"文件结构异常（包含 {len(infos)} 个内部文件），疑似压缩炸弹，已拒绝")
        total = sum(info.file_size for info in infos)
        if total > MAX_UNCOMPRESSED_BYTES:
            raise FileRejected(
                f"文件解压后大小异常（声明为 {_human_size(total)}，上限 {_human_size(MAX_UNCOMPRESSED_BYTES)}），"
                "疑似压缩炸弹，已拒绝")
        names = {info.filename.lower() for info in infos}
        if any(name.endswith("vbaproject.bin") for name in names):
            raise FileRejected("文件包含宏（VBA 代码），为安全起见不予导入，请另存为不含宏的 .xlsx 后再导入")
        if "[content_types].xml" in names:
            content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in archive.namelist() else b""
            if b"macroenabled" in content_types.lower():
                raise FileRejected("文件是启用宏的工作簿，为安全起见不予导入，请另存为 .xlsx 后再导入")
        if "xl/workbook.xml" not in names:
            raise FileRejected("文件不是有效的 Excel（.xlsx）文件（缺少工作簿内容）")
        for info in infos:
            if (info.file_size > RATIO_CHECK_MIN_BYTES
                    and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)):
                raise FileRejected("文件压缩比异常，疑似压缩炸弹，已拒绝")
        try:
            sheets = worksheet_parts(archive)
            for info in infos:
                sheet = sheets.get(info.filename)
                if sheet is not None:
                    capture = RowCapture(keep_rows) if keep_rows is not None else None
                    scan.rows[sheet] = scan_worksheet(archive, info, sheet, limits, capture)
                    if capture is not None:
                        captures[info.filename] = capture
                    continue
                with archive.open(info) as member:
                    while member.read(SCAN_CHUNK):
                        pass
        except SheetRejected as exc:
            raise FileRejected(exc.reason)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError,
                RuntimeError, ValueError):
            raise FileRejected("文件不是有效的 Excel（.xlsx）文件（内部数据损坏或大小与声明不符）")
        if keep_rows is not None:
            scan.cut = _cut_workbook(archive, captures)
    return scan


def _cut_workbook(archive: zipfile.ZipFile, captures: dict[str, RowCapture]) -> bytes | None:
    parts = {}
    for name, capture in captures.items():
        part = capture.part()
        if part is None:
            return None
        parts[name] = part
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as out:
        for info in archive.infolist():
            out.writestr(info.filename, parts[info.filename] if info.filename in parts else archive.read(info))
    return buffer.getvalue()


def _calamine_error(exc: Exception, fmt: str) -> FileRejected:
    text = str(exc).lower()
    if "password" in text or "encrypt" in text:
        return FileRejected("工作簿已加密（设置了打开密码），请取消密码保护并另存为 .xlsx 后导入")
    return FileRejected(f"无法读取 Excel（.{fmt}）文件（{type(exc).__name__}），请确认文件未损坏")


def _check_extent(name: str, rows: int, columns: int, limits: SheetLimits) -> None:
    """The sheet-size limits (``core.sheet_scan``) applied to a sheet already read (``.xls``, HTML)."""
    from zugong.core.sheet_scan import SheetScanner

    try:
        SheetScanner(name, limits)._check(columns, rows, "的数据范围 ")
    except SheetRejected as exc:
        raise FileRejected(exc.reason)


def _read_calamine(data: bytes, filename: str, fmt: str, limits: SheetLimits | None = None,
                   max_rows: int | None = None, totals: dict[str, int] | None = None) -> Workbook:
    """Every visible sheet of an ``.xlsx``/``.xls`` workbook with its merged ranges (see module docstring)."""
    from python_calamine import CalamineError, CalamineWorkbook

    limits = limits or SheetLimits()
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
        kinds = {m.name: (str(m.visible).lower(), str(m.typ).lower()) for m in workbook.sheets_metadata}
        visible = [n for n in names if kinds.get(n, ("visible", "worksheet"))[0].endswith(".visible")
                   and "chart" not in kinds.get(n, ("", ""))[1]]
        if not visible and names:
            visible = names[:1]
        if not visible:
            raise FileRejected("工作簿中没有工作表")
        sheets = []
        for name in visible:
            sheet = workbook.get_sheet_by_name(name)
            end_row, end_col = sheet.end if sheet.height else (-1, -1)
            if fmt != "xlsx":  # the ZIP scan checked .xlsx sheets before parsing
                _check_extent(name, end_row + 1, end_col + 1, limits)
            # ``skip_empty_area=False`` keeps leading empty rows/columns so index i is Excel row i + 1.
            rows = sheet.to_python(skip_empty_area=False, nrows=max_rows) if max_rows is not None \
                else sheet.to_python(skip_empty_area=False)
            merged = [(int(a[0]), int(a[1]), int(b[0]), int(b[1])) for a, b in (sheet.merged_cell_ranges or [])]
            total = end_row + 1 if sheet.height else 0
            if totals and name in totals:  # read from a cut workbook: the scan counted the rows
                total = max(total, totals[name])
            sheets.append(Table(filename=filename, format=fmt, sheet_name=name, rows=rows, merged=merged,
                                total_rows=total))
    except FileRejected:
        raise
    except (CalamineError, ValueError, OSError, TypeError) as exc:
        raise _calamine_error(exc, fmt)
    except Exception as exc:  # python-calamine raises its own classes (XmlError, ZipError, …)
        if type(exc).__module__.startswith("python_calamine"):
            raise _calamine_error(exc, fmt)
        raise
    return Workbook(filename=filename, format=fmt, sheets=sheets, sheet_names=names,
                    hidden=[n for n in names if n not in visible])


def _read_xlsx(data: bytes, filename: str, preferred_sheets: Sequence[str]) -> Table:
    """One sheet of an ``.xlsx`` (the first of ``preferred_sheets`` present, else the first visible one),
    WITHOUT the container checks: for files the system wrote itself and for the tests' hostile parsers."""
    return _read_calamine(data, filename, "xlsx").sheet(preferred_sheets)


HTML_MAX_SPAN = 1000
"""The largest ``rowspan``/``colspan`` accepted in a web-page table (a larger one is a hostile file)."""


def _html_text(data: bytes) -> str:
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16")
    head = data[:HTML_SNIFF_BYTES].decode("ascii", "replace").lower()
    import re

    declared = re.search(r"charset\s*=\s*[\"']?\s*([a-z0-9_-]+)", head)
    encodings = ["utf-8-sig", "gb18030"]
    if declared:
        name = declared.group(1)
        if name in ("gbk", "gb2312", "gb18030", "x-gbk", "cp936"):
            encodings = ["gb18030", "utf-8-sig"]
        elif name not in ("utf-8", "utf8"):
            try:
                codecs.lookup(name)
                encodings.insert(0, name)
            except LookupError:
                pass
    for encoding in encodings:
        try:
            return codecs.decode(data, encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    raise FileRejected("无法识别网页表格（.xls）的编码，请在 Excel 或 WPS 中另存为 .xlsx 后导入")


def _span(cell, name: str) -> int:
    value = (cell.get(name) or "1").strip()
    try:
        number = int(float(value)) if value else 1
    except ValueError:
        number = 1
    if number > HTML_MAX_SPAN:
        raise FileRejected(f"网页表格中有单元格合并了 {number:,} 行或列，超过上限（{HTML_MAX_SPAN}），文件可能异常，已拒绝")
    return max(number, 1)


def _read_html(data: bytes, filename: str, limits: SheetLimits | None = None,
               max_rows: int | None = None) -> Workbook:
    """The tables of a web page named ``.xls`` (see module docstring)."""
    from lxml import etree

    limits = limits or SheetLimits()
    text = _html_text(data)
    del data
    if text.lstrip().startswith("<?xml"):  # XHTML: lxml refuses a str carrying an encoding declaration
        text = text.lstrip()
        text = text[text.find("?>") + 2:]
    # defusedxml policy for the HTML parser: no network, no entities resolved, bounded tree
    parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False,
                              recover=True)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        root = None
    if root is None:
        raise FileRejected("文件扩展名是 .xls，但内容是无法解析的网页，请在 Excel 或 WPS 中另存为 .xlsx 后导入")
    tables = root.findall(".//table")
    plain = [t for t in tables if t.find(".//table") is None]
    if not tables:
        raise FileRejected("文件扩展名是 .xls，但内容是网页，其中没有表格，无法导入。请在原系统中导出 Excel（.xlsx）或 CSV 文件")
    if not plain:
        raise FileRejected("文件扩展名是 .xls，但内容是网页，其中的表格层层嵌套（不是普通表格），无法导入。"
                           "请在 Excel 或 WPS 中打开后另存为 .xlsx 再导入")
    sheets: list[Table] = []
    for number, table in enumerate(plain, start=1):
        name = f"表{number}"
        grid: dict[int, dict[int, str]] = {}
        merged: list[tuple[int, int, int, int]] = []
        cells = 0
        row_index = -1
        for tr in table.iter("tr"):
            if tr.getparent() is not None and _owning_table(tr) is not table:
                continue
            row_index += 1
            if row_index >= limits.rows:
                raise FileRejected(f"网页表格超过上限（最多 {limits.rows:,} 行），请拆分后分批导入")
            row = grid.setdefault(row_index, {})
            col = 0
            for td in tr:
                if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                    continue
                while col in row:
                    col += 1
                rowspan, colspan = _span(td, "rowspan"), _span(td, "colspan")
                for br in td.iter("br"):
                    br.tail = " " + (br.tail or "")
                value = normalize_cell_text("".join(td.itertext()))
                if col + colspan > limits.columns:
                    raise FileRejected(f"工作表「{name}」的数据范围超过上限（最多 {limits.columns} 列）。"
                                       "文件可能异常，请只保留要导入的数据，另存为新文件后再导入")
                for r in range(row_index, row_index + rowspan):
                    target = grid.setdefault(r, {})
                    for c in range(col, col + colspan):
                        target[c] = ""
                row[col] = value
                cells += rowspan * colspan
                if cells > limits.cells:
                    raise FileRejected(f"工作表「{name}」的单元格超过上限（最多 {limits.cells:,} 个单元格）。请拆分后分批导入")
                if rowspan > 1 or colspan > 1:
                    merged.append((row_index, col, row_index + rowspan - 1, col + colspan - 1))
                col += colspan
        height = max(grid) + 1 if grid else 0
        width = max((max(r) + 1 for r in grid.values() if r), default=0)
        _check_extent(name, height, width, limits)
        rows: list[list[object]] = []
        for r in range(height if max_rows is None else min(height, max_rows)):
            line = grid.get(r, {})
            rows.append([line.get(c, "") for c in range(max(line) + 1 if line else 0)])
        sheets.append(Table(filename=filename, format="html", sheet_name=name, rows=rows, merged=merged,
                            total_rows=height))
    return Workbook(filename=filename, format="html", sheets=sheets, sheet_names=[t.sheet_name for t in sheets])


def _owning_table(element):
    parent = element.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def normalize_cell_text(text: str) -> str:
    """White space of a web-page cell collapsed (HTML renders runs of white space as one space)."""
    return " ".join(text.split())


def decode_text(data: bytes) -> str:
    """Decode CSV bytes: UTF-8 (BOM optional), else GB18030 (covers GBK/GB2312 files saved by Excel
    on Chinese Windows). Raises ``FileRejected`` when neither fits."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return codecs.decode(data, encoding)
        except UnicodeDecodeError:
            continue
    raise FileRejected("无法识别 CSV 文件的编码，请另存为 UTF-8 或 GBK 编码")


def _read_csv(data: bytes, filename: str, limits: SheetLimits | None = None, max_rows: int | None = None) -> Table:
    limits = limits or SheetLimits()
    text = decode_text(data)
    del data
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    rows: list[list[object]] = []
    cells = 0
    try:
        for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(record) > limits.columns:
                raise FileRejected(f"CSV 文件第 {len(rows) + 1} 行有 {len(record):,} 列，超过上限（最多 {limits.columns} 列）")
            cells += len(record)
            if len(rows) >= limits.rows or cells > limits.cells:
                limit = f"最多 {limits.rows:,} 行" if len(rows) >= limits.rows else f"最多 {limits.cells:,} 个单元格"
                raise FileRejected(f"CSV 文件超过上限（{limit}），请拆分后分批导入")
            rows.append(record)
    except csv.Error as exc:
        raise FileRejected(f"CSV 文件格式错误：{exc}")
    total = len(rows)
    if max_rows is not None:
        del rows[max_rows:]
    return Table(filename=filename, format="csv", sheet_name="", rows=rows, total_rows=total)


def parse_upload(data: bytes, filename: str, preferred_sheets: Sequence[str] = (),
                 limits: SheetLimits | None = None, max_rows: int | None = None) -> Workbook:
    """Steps 2–5 of the module docstring on ``data`` — *in this process*: ``read_workbook`` runs it in
    the limited child process; call it directly only on files the system wrote itself. Returns the
    whole ``Workbook`` (``preferred_sheets`` is accepted for the callers of ``read_table`` and unused:
    every visible sheet is read); ``max_rows`` limits the rows converted per sheet."""
    limits = limits or SheetLimits()
    kind = sniff_format(data, filename)
    if kind == "xlsx":
        scan = check_xlsx_container(data, limits, keep_rows=max_rows)
        if scan.cut is not None:  # the preview: parse only the first rows of each sheet
            del data
            return _read_calamine(scan.cut, filename, "xlsx", limits, max_rows, totals=scan.rows)
        return _read_calamine(data, filename, "xlsx", limits, max_rows)
    if kind == "xls":
        return _read_calamine(data, filename, "xls", limits, max_rows)
    if kind == "html":
        return _read_html(data, filename, limits, max_rows)
    table = _read_csv(data, filename, limits, max_rows)
    return Workbook(filename=filename, format="csv", sheets=[table], sheet_names=[""])


CHILD_PARSER = parse_upload
"""What the child process runs (``read_workbook``): a module-level function ``(data, filename,
preferred_sheets, limits, max_rows) -> Workbook``; tests replace it to make the child misbehave."""


def parse_limits() -> tuple[int, int]:
    """``(memory MiB, seconds)`` of the parsing child: ``settings.ZUGONG_PARSE_MEMORY_MB`` and
    ``settings.ZUGONG_PARSE_SECONDS`` (``0`` = no such limit; do not use in production)."""
    return (int(getattr(settings, "ZUGONG_PARSE_MEMORY_MB", PARSE_MEMORY_MB)),
            int(getattr(settings, "ZUGONG_PARSE_SECONDS", PARSE_SECONDS)))


def read_workbook(source, *, filename: str = "", max_bytes: int | None = None,
                  max_rows: int | None = None) -> Workbook:
    """Read every visible sheet of an uploaded ``.xlsx``/``.xls`` (legacy or web page) or a ``.csv``,
    after the size, content, ZIP-bomb and sheet-size checks described in the module docstring, parsing
    in a child process with a memory and a time limit. ``source`` as for ``load_bytes``; ``max_rows``:
    convert and return only the first rows of each sheet (``Table.total_rows`` keeps the count).
    Raises ``FileRejected``."""
    from zugong.core.sandbox import LimitExceeded, run_limited

    data, filename = load_bytes(source, filename=filename, max_bytes=max_bytes)
    sniff_format(data, filename)  # wrong types are refused before a child is started
    memory_mb, seconds = parse_limits()
    try:
        result = run_limited(CHILD_PARSER, data, filename, (), SheetLimits.configured(), max_rows,
                             memory_mb=memory_mb, seconds=seconds)
    except LimitExceeded as exc:
        raise FileRejected(limit_message(exc.kind, memory_mb=memory_mb, seconds=seconds))
    if isinstance(result, Table):  # a parser answering one sheet
        result = Workbook(filename=result.filename, format=result.format, sheets=[result],
                          sheet_names=[result.sheet_name])
    if not isinstance(result, Workbook) or not result.sheets:
        raise FileRejected("工作簿中没有可读取的工作表")
    return result


def read_table(source, *, filename: str = "", max_bytes: int | None = None,
               preferred_sheets: Sequence[str] = ()) -> Table:
    """One sheet of ``read_workbook``: the first of ``preferred_sheets`` present, else the first visible
    sheet. (Imports use ``core.layout.detect_layout``, which chooses the sheet holding the header.)
    Raises ``FileRejected``."""
    return read_workbook(source, filename=filename, max_bytes=max_bytes).sheet(preferred_sheets)


def limit_message(kind: str, *, memory_mb: int, seconds: int) -> str:
    """The Chinese refusal for a parsing child stopped by ``kind`` (``LimitExceeded.kind``)."""
    if kind == "time":
        return (f"读取文件超过时间上限（{seconds} 秒），已停止并拒绝该文件。文件可能异常，"
                "或数据量过大，请检查后拆分分批导入")
    if kind == "memory":
        return (f"读取文件所需内存超过上限（{memory_mb} MB），已停止并拒绝该文件。文件可能异常（例如声明了极大的"
                "单元格范围），或数据量过大，请只保留要导入的数据、拆分后分批导入")
    return "读取文件时解析程序异常退出，已拒绝该文件。请确认文件未损坏，另存为新的 .xlsx 后再导入"


# --- writing -------------------------------------------------------------------------------------------

def _strip_illegal(text: str) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", text)


def is_formula_like(text: str) -> bool:
    """True if ``text`` starts with a character a spreadsheet may treat as a formula (= + - @ TAB CR)."""
    return bool(text) and text[0] in FORMULA_PREFIXES


@dataclass(frozen=True)
class ColumnFormat:
    """How ``write_xlsx`` writes one column: ``width`` in Excel character units; ``text`` gives the
    column and its cells the text number format ``@`` (ID and phone numbers typed into a template, or
    edited, stay text: Excel and WPS would turn an 18-digit ID number into ``1.10105E+17``);
    ``values`` are the accepted values of a coded column, offered as a drop-down list (see
    ``write_xlsx``)."""

    width: float = 12
    text: bool = False
    values: tuple[str, ...] = ()


VALUES_SHEET = "可填写的值"
"""The sheet listing the accepted values of the coded columns (the drop-down lists point at it)."""
LAST_ROW = 1_048_576  # Excel's last row: a column's drop-down covers every row a user may fill


DATE_FORMAT = "yyyy-mm-dd"
_HIGHLIGHT_COLOR = "FFF3C9CB"


def write_xlsx(stream, *, headers: Sequence[str], rows: Iterable[Sequence[object]],
               sheet_title: str = "Sheet1", formats: Sequence[ColumnFormat] | None = None,
               highlight: Iterable[int] = (), notes: Sequence[str] = ()) -> int:
    """Write one sheet to ``stream`` (a binary file object) as .xlsx and return the number of data rows.

    - ``headers``: the first row (bold, frozen).
    - ``rows``: sequences of ``str``/``int``/``float``/``bool``/``datetime.date``/``None``; strings are
      always literal text (never formulas; see module docstring), dates use ``yyyy-mm-dd``.
    - ``formats``: per column width and text format.
    - ``highlight``: 0-based indices of data rows to fill light red (used by error reports).
    - ``notes``: lines for a second sheet 「说明」.
    - Columns whose format has ``values`` get a drop-down list (a ``list`` data validation, rows 2 to
      the last row) pointing at their column of the sheet 「可填写的值」 (header, then the values). A
      value outside the list only warns, since the importers also accept codes and short forms.
    Memory stays flat: rows are streamed (openpyxl write-only mode)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31] or "Sheet1")
    formats = list(formats or [])
    for index, fmt in enumerate(formats, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = fmt.width
        if fmt.text:  # the column's own style: cells typed later are text too
            dimension.number_format = "@"
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=_strip_illegal(str(text)))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)

    text_columns = {i for i, fmt in enumerate(formats) if fmt.text}
    highlighted = set(highlight)
    fill = PatternFill("solid", fgColor=_HIGHLIGHT_COLOR)
    count = 0
    for index, row in enumerate(rows):
        mark = index in highlighted
        out: list[object] = []
        for col, value in enumerate(row):
            styled = mark or col in text_columns
            if isinstance(value, str):
                value = _strip_illegal(value)
                if is_formula_like(value) or styled:
                    cell = WriteOnlyCell(sheet, value=value)
                    cell.data_type = "s"  # literal text, never a formula
                    if is_formula_like(value):
                        cell.quotePrefix = True
                    if col in text_columns:
                        cell.number_format = "@"
                    if mark:
                        cell.fill = fill
                    value = cell
            elif isinstance(value, (dt.date, dt.datetime)):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = DATE_FORMAT
                if mark:
                    cell.fill = fill
                value = cell
            elif mark:
                cell = WriteOnlyCell(sheet, value=value)
                cell.fill = fill
                value = cell
            out.append(value)
        sheet.append(out)
        count += 1
    if notes:
        info = workbook.create_sheet(title="说明")
        info.column_dimensions["A"].width = 100
        for line in notes:
            cell = WriteOnlyCell(info, value=_strip_illegal(line))
            cell.data_type = "s"
            info.append([cell])
    _value_lists(workbook, sheet, headers, formats)
    workbook.save(stream)
    return count


def _value_lists(workbook, sheet, headers: Sequence[str], formats: Sequence[ColumnFormat]) -> None:
    """The sheet 「可填写的值」 (one column per coded column) and the drop-down lists of ``sheet``."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    coded = [(index, fmt.values) for index, fmt in enumerate(formats) if fmt.values]
    if not coded:
        return
    values_sheet = workbook.create_sheet(title=VALUES_SHEET)
    bold = Font(bold=True)
    header_row = []
    for position, (index, _values) in enumerate(coded, start=1):
        values_sheet.column_dimensions[get_column_letter(position)].width = max(
            12, *(len(v) * 2 + 2 for v in _values))
        cell = WriteOnlyCell(values_sheet, value=_strip_illegal(str(headers[index]).rstrip("*")))
        cell.font = bold
        header_row.append(cell)
    values_sheet.append(header_row)
    for depth in range(max(len(values) for _index, values in coded)):
        row = []
        for _index, values in coded:
            if depth < len(values):
                cell = WriteOnlyCell(values_sheet, value=_strip_illegal(values[depth]))
                cell.data_type = "s"
                row.append(cell)
            else:
                row.append(None)
        values_sheet.append(row)
    for position, (index, values) in enumerate(coded, start=1):
        source = get_column_letter(position)
        validation = DataValidation(
            type="list", formula1=f"{quote_sheetname(VALUES_SHEET)}!${source}$2:${source}${len(values) + 1}",
            allow_blank=True, showErrorMessage=True, errorStyle="warning", errorTitle="不在可选值中",
            error=f"请从下拉列表中选择（见「{VALUES_SHEET}」表）；代码或常用简称也可导入。")
        target = get_column_letter(index + 1)
        validation.add(f"{target}2:{target}{LAST_ROW}")
        sheet.data_validations.append(validation)


def xlsx_bytes(**kwargs) -> bytes:
    """``write_xlsx`` into memory; returns the file's bytes."""
    buffer = io.BytesIO()
    write_xlsx(buffer, **kwargs)
    return buffer.getvalue()
