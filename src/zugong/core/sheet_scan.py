"""Size checks of a worksheet before any parser reads it (used by ``core.files.check_xlsx_container``).

A spreadsheet reader allocates the whole rectangle from A1 to the farthest cell: two cells at A1 and
XFD1048576 (a 1.9 KB file) are 17 billion cells, 512 GB; A1 + ZZ100000 takes 2.7 GB. ``SheetScanner``
reads a worksheet's XML as it is inflated, in chunks, without building a DOM, and refuses it
(``SheetRejected``, a Chinese reason naming the limit) when the declared ``<dimension ref>`` or the
real cells go beyond ``SheetLimits``: the farthest column, the farthest row, the area of the rectangle
and the number of cells. ``worksheet_parts`` finds every worksheet the workbook lists, the way a reader
follows the workbook's relationships. No Django here except the settings read by
``SheetLimits.configured()``.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings

MAX_COLUMNS = 200
"""Farthest column of a sheet (declared or real). Our layouts have 6–15 columns; Excel's maximum is 16,384."""
MAX_ROWS = 1_048_576
"""Farthest row of a sheet (declared or real): Excel's own maximum; anything beyond is not a real sheet."""
MAX_CELLS = 5_000_000
"""Cells of the rectangle A1 → farthest cell (declared or real), and real cells. A 100,000-row roster is
1.4 million; 5 million empty cells cost a parser ~200 MB, full ones ~1 GB."""
SCAN_CHUNK = 4 * 1024 * 1024
"""Bytes inflated at a time."""
MAX_TAG_BYTES = 1024 * 1024
"""A cell or row tag longer than this (attributes) is refused as malformed rather than buffered."""


class SheetRejected(Exception):
    """A worksheet over a limit or malformed; ``reason`` is Chinese."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SheetLimits:
    """The largest sheet accepted: farthest ``columns`` and ``rows``, and ``cells`` (the rectangle from
    A1 to the farthest cell, and the real cells). ``configured()`` reads the settings."""

    columns: int = MAX_COLUMNS
    rows: int = MAX_ROWS
    cells: int = MAX_CELLS

    @classmethod
    def configured(cls) -> SheetLimits:
        return cls(columns=int(getattr(settings, "ZUGONG_IMPORT_MAX_COLUMNS", MAX_COLUMNS)),
                   rows=int(getattr(settings, "ZUGONG_IMPORT_MAX_ROWS", MAX_ROWS)),
                   cells=int(getattr(settings, "ZUGONG_IMPORT_MAX_CELLS", MAX_CELLS)))


def column_number(letters: str | bytes) -> int:
    """``"A"`` → 1, ``"Z"`` → 26, ``"AA"`` → 27, ``"XFD"`` → 16384."""
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


def column_letters(number: int) -> str:
    """Inverse of ``column_number``."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_CELL_REF = re.compile(r"([A-Za-z]{1,3})([0-9]{1,7})")
_XML_ATTR = re.compile(rb'([^\s=/>]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_WORKBOOK_SHEET = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?sheet\s([^>]*)>")
_RELATIONSHIP = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?Relationship\s([^>]*)>")
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?dimension\s([^>]*)>")
MAX_WORKBOOK_PART_BYTES = 16 * 1024 * 1024


def _attributes(text: bytes) -> dict[str, str]:
    """Attributes of one tag (namespace prefixes dropped: ``r:id`` → ``id``), entity references resolved."""
    out = {}
    for name, double, single in _XML_ATTR.findall(text):
        key = name.decode("utf-8", "replace").rsplit(":", 1)[-1]
        out.setdefault(key, html.unescape((double or single).decode("utf-8", "replace")))
    return out


def _small_part(archive: zipfile.ZipFile, name: str) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return b""
    if info.file_size > MAX_WORKBOOK_PART_BYTES:
        raise SheetRejected("文件结构异常（工作簿目录过大），已拒绝")
    return archive.read(info)


def worksheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Zip member → sheet name, for every worksheet the workbook lists (resolved through
    ``xl/_rels/workbook.xml.rels``, as a reader does) and every part under ``xl/worksheets/``."""
    members = {info.filename for info in archive.infolist()}
    workbook = next((n for n in members if n.lower() == "xl/workbook.xml"), "xl/workbook.xml")
    rels_name = posixpath.join(posixpath.dirname(workbook), "_rels", posixpath.basename(workbook) + ".rels")
    targets: dict[str, str] = {}
    for match in _RELATIONSHIP.finditer(_small_part(archive, rels_name)):
        attrs = _attributes(match.group(1))
        target = attrs.get("Target", "")
        if attrs.get("Id") and target:
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(posixpath.dirname(workbook), target)
            targets[attrs["Id"]] = posixpath.normpath(path)
    parts: dict[str, str] = {}
    for match in _WORKBOOK_SHEET.finditer(_small_part(archive, workbook)):
        attrs = _attributes(match.group(1))
        path = targets.get(attrs.get("id", ""))
        if path in members:
            parts.setdefault(path, attrs.get("name", "") or posixpath.basename(path))
    for name in members:
        if name.lower().startswith("xl/worksheets/") and name.lower().endswith(".xml"):
            parts.setdefault(name, posixpath.splitext(posixpath.basename(name))[0])
    return parts


def scan_worksheet(archive: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: str, limits: SheetLimits,
                   capture: RowCapture | None = None) -> int:
    """Inflate worksheet ``info`` (named ``sheet``) in chunks through a ``SheetScanner``: the fast scan,
    or, for an unusual writer, the exact one. Returns the farthest row (the sheet's row count); a
    ``capture`` also keeps the part's first rows (``RowCapture``). Raises ``SheetRejected``."""
    try:
        return _scan_member(archive, info, SheetScanner(sheet, limits), capture)
    except _NeedsExactScan:
        if capture is not None:
            capture.reset()
        return _scan_member(archive, info, SheetScanner(sheet, limits, exact=True), capture)


def _scan_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scanner: SheetScanner,
                 capture: RowCapture | None = None) -> int:
    with archive.open(info) as member:
        while chunk := member.read(SCAN_CHUNK):
            scanner.feed(chunk)
            if capture is not None:
                capture.feed(chunk)
    scanner.finish()
    return scanner.max_row


class RowCapture:
    """Keeps the XML of a worksheet's first ``rows`` rows while the part is inflated for the scan (the
    mapping page's preview parses only them): ``part()`` is the worksheet cut after its ``rows``-th
    ``</row>`` and closed with what follows ``</sheetData>`` (merged cells, …), or ``None`` when it
    cannot be cut safely (then the whole part is parsed). Counting only ``</row>`` may keep a few more
    rows than asked (a row written ``<row/>``, a tag split between chunks), never fewer."""

    TAIL_BYTES = 2 * SCAN_CHUNK
    """How much of the part's end is kept to find ``</sheetData>`` and what follows it."""

    def __init__(self, rows: int):
        self.rows = rows
        self.reset()

    def reset(self) -> None:
        self.head: list[bytes] = []
        self.seen = 0
        self.done = False
        self.tail: list[bytes] = []
        self.tail_bytes = 0

    def feed(self, chunk: bytes) -> None:
        if not self.done:
            self.head.append(chunk)
            self.seen += chunk.count(b"</row>")
            self.done = self.seen > self.rows
        else:
            self.tail.append(chunk)
            self.tail_bytes += len(chunk)
            while self.tail_bytes - len(self.tail[0]) >= self.TAIL_BYTES:
                self.tail_bytes -= len(self.tail.pop(0))

    def part(self) -> bytes | None:
        head = b"".join(self.head)
        if not self.done:
            return head  # the whole part: nothing to cut
        pos = head.find(b"<sheetData")
        if pos < 0:
            return None
        for _ in range(self.rows):
            pos = head.find(b"</row>", pos)
            if pos < 0:
                return None
            pos += len(b"</row>")
        rest = b"".join(self.tail) if self.tail else head
        end = rest.rfind(b"</sheetData>")
        if end < 0 or (rest is head and end < pos):
            return None
        return head[:pos] + rest[end:]


class _NeedsExactScan(Exception):
    """The fast scan met a cell it cannot place (no ``r``, a prefixed tag, unusual quoting)."""


class SheetScanner:
    """Streaming size check of one worksheet's XML, fed in chunks (``feed``, then ``finish``); raises
    ``SheetRejected`` naming the limit that was exceeded.

    - ``<dimension ref="A1:XFD1048576"/>`` (in the first 64 KiB, before ``<sheetData>``): the declared
      range's last column, last row and area against ``limits``;
    - every cell: its position (``r="XFD1048576"``; a cell without ``r`` follows the previous one, a row
      without ``r`` the previous row, as readers place them) — farthest column, farthest row, the area
      from A1 to them, and the number of cells.

    Fast path (every writer we know: Excel, WPS, LibreOffice, openpyxl): each cell tag is written
    ``<c r="…"``; one regular expression per chunk collects the references (100,000 rows: ~1 s).
    Anything else (a cell without ``r``, a namespace prefix, other spacing) raises ``_NeedsExactScan``
    and the caller scans again with ``exact=True``: every ``<row>``/``<c>`` tag is parsed in Python.
    Text and CDATA cannot hide a tag from the count in the direction that matters: they can only make
    the scanner see *more* cells, never fewer. A chunk is cut at its last ``<`` (XML forbids ``<``
    inside a tag), so no tag is split."""

    _FAST_CELL = re.compile(rb'<c(?: r="([A-Z]{1,3}[1-9][0-9]{0,6})"(?=[\s/>])|(?=[\s/>]))')
    _PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
    _TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(c|row)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*/?>")
    _TAG_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:c|row)[\s/>]")
    _DIGITS, _LETTERS = b"0123456789", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    HEAD_BYTES = 64 * 1024

    def __init__(self, sheet: str, limits: SheetLimits, *, exact: bool = False):
        self.sheet, self.limits, self.exact = sheet, limits, exact
        self.tail = b""
        self.head: bytes | None = b""  # None once the dimension was checked
        self.cells = self.max_row = self.max_col = 0
        self.row = self.col = 0  # exact mode: the current row and the last column placed in it

    # -- input
    def feed(self, chunk: bytes) -> None:
        if self.head is not None:
            self.head += chunk[: self.HEAD_BYTES]
            if b"sheetData" in self.head or len(self.head) >= self.HEAD_BYTES:
                self._check_dimension()
        data = self.tail + chunk
        cut = data.rfind(b"<")
        if cut < 0:
            self.tail = b""
            return
        self.tail = data[cut:]
        self._scan(data[:cut])
        if len(self.tail) > MAX_TAG_BYTES:
            if self._TAG_START.match(self.tail):
                raise SheetRejected(f"工作表「{self.sheet}」的内容结构异常（单元格标记过长），已拒绝")
            self.tail = b""  # a long text run after some other tag: nothing to count in it

    def finish(self) -> None:
        if self.head is not None:
            self._check_dimension()
        self._scan(self.tail)
        self.tail = b""

    # -- checks
    def _check_dimension(self) -> None:
        head, self.head = self.head or b"", None
        match = _DIMENSION.search(head)
        if not match:
            return
        ref = _attributes(match.group(1)).get("ref", "").strip()
        last = ref.rsplit(":", 1)[-1].replace("$", "")
        cell = _CELL_REF.fullmatch(last)
        if cell is None:
            return  # a reader ignores a malformed dimension; the real cells are checked below
        self._check(column_number(cell.group(1)), int(cell.group(2)), f"声明的范围 {ref} ")

    def _check(self, columns: int, rows: int, what: str) -> None:
        limits = self.limits
        prefix = f"工作表「{self.sheet}」{what}"
        if columns > limits.columns:
            raise SheetRejected(f"{prefix}超过上限（最多 {limits.columns} 列，即到 {column_letters(limits.columns)} 列）。"
                               "文件可能异常，请只保留要导入的数据，另存为新文件后再导入")
        if rows > limits.rows:
            raise SheetRejected(f"{prefix}超过上限（最多 {limits.rows:,} 行）。请只保留要导入的数据，另存为新文件后再导入")
        if columns * rows > limits.cells:
            raise SheetRejected(f"{prefix}共 {columns * rows:,} 个单元格，超过上限（最多 {limits.cells:,} 个单元格）。"
                               "请删除多余的行列或拆分后分批导入")

    def _check_extent(self) -> None:
        if self.max_col > self.limits.columns or self.max_row > self.limits.rows \
                or self.max_col * self.max_row > self.limits.cells:
            far = f"{column_letters(self.max_col)}{self.max_row}"
            self._check(self.max_col, self.max_row, f"的数据范围 A1:{far} ")
        if self.cells > self.limits.cells:
            raise SheetRejected(f"工作表「{self.sheet}」的单元格超过上限（最多 {self.limits.cells:,} 个单元格）。"
                               "请拆分后分批导入")

    # -- scanning
    def _scan(self, data: bytes) -> None:
        if self.exact:
            self._scan_exact(data)
        else:
            self._scan_fast(data)
        self._check_extent()

    def _scan_fast(self, data: bytes) -> None:
        refs = self._FAST_CELL.findall(data)
        if (refs and b"" in refs) or self._PREFIXED.search(data):
            raise _NeedsExactScan
        if not refs:
            return
        self.cells += len(refs)
        joined = b" ".join(refs)  # one bytes object: the splitting below runs in C
        self.max_col = max(self.max_col, *map(column_number, set(joined.translate(None, self._DIGITS).split())))
        rows = joined.translate(None, self._LETTERS).split()
        # the largest number among digit strings without leading zeros: the longest, then the greatest
        self.max_row = max(self.max_row, int(max(zip(map(len, rows), rows, strict=True))[1]))

    def _scan_exact(self, data: bytes) -> None:
        for match in self._TAG.finditer(data):
            attrs = _attributes(match.group(2))
            ref = attrs.get("r")
            if match.group(1) == b"row":
                self.row = int(ref) if ref and ref.isdigit() else self.row + 1
                self.col = 0
                continue
            self.cells += 1
            if ref is None:
                self.col += 1
                row = max(self.row, 1)
            else:
                cell = _CELL_REF.fullmatch(ref.strip().replace("$", ""))
                if cell is None:
                    raise SheetRejected(f"工作表「{self.sheet}」中有格式异常的单元格地址，已拒绝")
                self.col, row = column_number(cell.group(1)), int(cell.group(2))
            self.max_col = max(self.max_col, self.col)
            self.max_row = max(self.max_row, row)
