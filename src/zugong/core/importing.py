"""The generic import pipeline (``design.md`` rule 5: imports are all-or-nothing).

    read (``core.files.read_workbook``: size, content, ZIP-bomb checks; every visible sheet)
      → choose the sheet, find the header row(s) and map the columns (``core.layout.detect_layout``:
        aliases, the user's ``mapping``, two-row headers, hint and instruction rows) → ``read_sheet``
      → validate every row (``Importer.validate``), collecting ``RowError``s (row as the user sees it in
        Excel, header = its own row number; column = the header text; Chinese reason) and warnings
      → if there is any error: raise ``ImportFailed`` — nothing is written
      → else write everything in ONE transaction (``Importer.write``) and record one ``import`` audit
        event with the counts (never ID numbers).

Header matching (``core.layout``): headers are compared after NFKC (full-width → half-width), removing
white space, a leading/trailing ``*`` (the "required" marker of our templates) and a 「（必填）」 suffix,
so ``公民身份号码*``, ``公民身份号码（必填）`` and ``公民身份号码＊`` match. Each ``Column`` may list aliases
(``身份证号``), extended per deployment (``settings.ZUGONG_IMPORT_ALIASES``). Unknown columns are ignored
and listed (``Layout.ignored``; so the 错误说明 column of an error report can be re-uploaded). The header
row is the row, among the first ``HEADER_SEARCH_ROWS`` of the sheet holding the header, matching the
most known column names (files often carry a title row). Rows whose known cells are all empty are
skipped; rows without any identity key (``Importer.identity_keys``) are skipped with a warning.

A missing required column, two columns on one field, a file without data rows → file-level errors (row 0).

``progress(phase, done, total)`` is called with phases 「读取文件」, 「校验」, 「写入」 at most every
``PROGRESS_EVERY`` rows; it must be cheap and must not touch the database inside the write transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from zugong.core import idnumber
from zugong.core.bulk import bulk_write_session
from zugong.core.codes import normalize_text
from zugong.core.errors import PermissionDeniedError, RowError, ValidationFailed
from zugong.core.files import ColumnFormat, Table, Workbook, read_workbook, xlsx_bytes
from zugong.core.maintenance import analyze_models
from zugong.core.scoping import can

HEADER_SEARCH_ROWS = 20
PROGRESS_EVERY = 1000
ERROR_COLUMN = "错误说明"

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: phase name (Chinese), rows done, rows in total."""


@dataclass(frozen=True)
class Column:
    """One column of an import layout: ``key`` (identifier used by the importer), Chinese ``header``,
    whether it is ``required`` (file-level error if absent; row error if empty), extra accepted
    ``aliases``, the export ``width``/``text`` format, and for a coded column the accepted ``values``
    (the code table's names, offered as a drop-down list in templates)."""

    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    width: float = 12
    text: bool = False
    values: tuple[str, ...] = ()
    # --- issue #9 (layout detection and column mapping; implemented by ``core.layout``) ---
    group: str = ""
    """Columns sharing a non-empty ``group`` satisfy each other's ``required`` (e.g. 所在党组织 given
    by name or by 党组织唯一标识: at least one of them must be present)."""
    repeat_key: str = ""
    """The key a SECOND source column with the same header takes (the national layout repeats 成立日期:
    the organization's, then the unit's)."""
    accepts: Callable[[Sequence[object]], bool] | None = None
    """Content check for alias detection: called with the first non-empty sample values of a source
    column matched by header; ``False`` leaves the column unmapped (listed as ignored with a note),
    e.g. an OWIP 人员类别 holding 教职工/学生 is not 正式/预备."""
    recommended: bool = False
    """Not required, but a record without it is incomplete (数据质量): the import counts such records."""

    @property
    def format(self) -> ColumnFormat:
        """How templates write this column (width, text format, drop-down values)."""
        return ColumnFormat(width=self.width, text=self.text, values=self.values)

    @property
    def template_header(self) -> str:
        """The header as written in templates and exports: required columns end with ``*``."""
        return f"{self.header}*" if self.required else self.header


def normalize_header(value: object) -> str:
    """Header text for matching: NFKC, no white space, no leading/trailing ``*``."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = "".join(text.split())
    return text.strip("*")


def cell_text(value: object) -> str:
    """A cell as text: ``""`` for empty; strings NFKC-normalised and white space collapsed; numbers
    without a trailing ``.0`` (``13800138000.0`` → ``13800138000``)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return normalize_text(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalize_text(value)


def is_number_cell(value: object) -> bool:
    """True for an Excel number cell (``int``/``float``, not ``bool``)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass
class SourceRow:
    """One data row: its Excel row ``number``, its index in ``Table.rows`` and the raw cell values of
    the known columns by key (``""`` for an empty or absent cell)."""

    number: int
    index: int
    cells: dict[str, object]


@dataclass
class Sheet:
    """A table with its header row located: ``header_index`` into ``table.rows``, ``positions`` (column
    key → 0-based position) and the non-empty data ``rows``."""

    table: Table
    columns: tuple[Column, ...]
    header_index: int
    positions: dict[str, int]
    rows: list[SourceRow]
    layout: object = None
    """The ``core.layout.Layout`` the sheet was read with (``header_index`` is its last header row)."""

    def has(self, key: str) -> bool:
        """True if the file carries the column ``key`` (absent optional columns leave data alone)."""
        return key in self.positions


def read_sheet(table: Table | Workbook, columns: Sequence[Column], *, layout=None,
               mapping: dict[str, str] | None = None, identity_keys: Sequence[str] = (), kind: str = "",
               preferred_sheets: Sequence[str] = ()) -> Sheet:
    """Locate the header (``core.layout.detect_layout``, unless ``layout`` is given), map ``columns``
    (aliases, then ``mapping``) and collect the data rows (``core.layout.iter_rows``: hint and
    instruction rows skipped with a warning in ``layout.skipped``, empty rows silently).

    ``table``: a ``Table`` or a whole ``Workbook`` (the sheet holding the header is chosen). Raises
    ``ImportFailed`` (file-level errors, row 0; ``.layout`` set when a header was found): empty sheet, no
    recognisable header row, two columns on one field, missing required columns, no data rows."""
    from zugong.core.layout import detect_layout, iter_rows

    columns = tuple(columns)
    if layout is None:
        layout = detect_layout(table, columns, mapping=mapping, preferred_sheets=preferred_sheets, kind=kind,
                               identity_keys=identity_keys)
    elif layout.errors:
        raise ImportFailed(layout.errors, layout=layout)
    if isinstance(table, Workbook):
        table = next(t for t in table.sheets if t.sheet_name == layout.sheet_name)
    layout.skipped.clear()
    rows = list(iter_rows(layout, table))
    sheet = Sheet(table=table, columns=columns, header_index=layout.data_start - 1, positions=layout.positions,
                  rows=rows, layout=layout)
    if not rows:
        raise ImportFailed([RowError(0, "", "文件中没有数据行")], sheet=sheet, warnings=layout.skipped)
    return sheet


def _col_letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)


class Issues:
    """Collects row errors and warnings during validation."""

    def __init__(self) -> None:
        self.errors: list[RowError] = []
        self.warnings: list[RowError] = []

    def error(self, row: int, column: str, reason: str) -> None:
        self.errors.append(RowError(row, column, reason))

    def warning(self, row: int, column: str, reason: str) -> None:
        self.warnings.append(RowError(row, column, reason))


def sort_errors(errors: Sequence[RowError], columns: Sequence[Column] = ()) -> list[RowError]:
    """Errors ordered by row, then by the column's position in the layout."""
    order = {c.header: i for i, c in enumerate(columns)}
    return sorted(errors, key=lambda e: (e.row, order.get(e.column, len(order)), e.reason))


class ImportFailed(ValidationFailed):
    """The file was rejected; nothing was written. ``errors``/``warnings``: lists of ``RowError``;
    ``sheet``: the parsed sheet when the file could be read (for the error report), else ``None``;
    ``layout``: the ``core.layout.Layout`` when a header was found (the sheet's, or given), else ``None``."""

    def __init__(self, errors: Sequence[RowError], *, sheet: Sheet | None = None,
                 warnings: Sequence[RowError] = (), layout=None):
        self.sheet = sheet
        self.layout = layout if layout is not None else getattr(sheet, "layout", None)
        self.warnings = list(warnings)
        errors = list(errors)
        if len(errors) == 1 and errors[0].row == 0 and not errors[0].column:
            message = f"{errors[0].reason}。未写入任何数据。"
        else:
            message = f"共发现 {len(errors)} 处错误，未写入任何数据。"
        super().__init__(errors, message=message)


@dataclass
class ImportResult:
    """Outcome of a successful (or dry-run) import: row counts ``created``/``updated``/``unchanged``
    (``total_rows`` = their sum = data rows in the file), ``warnings`` (list of ``RowError``),
    ``dry_run`` (nothing was written), ``details`` (importer-specific counts, e.g. ``moved``,
    ``transferred``)."""

    kind: str
    filename: str = ""
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    warnings: list[RowError] = field(default_factory=list)
    dry_run: bool = False
    details: dict = field(default_factory=dict)
    layout: object = None
    """The ``core.layout.Layout`` the file was read with (sheet, header rows, mapped and ignored columns,
    skipped rows), for the CLI and the job page."""

    @property
    def changed(self) -> int:
        """Alias of ``updated``."""
        return self.updated

    def summary(self) -> str:
        """One Chinese line: 「新增 3，更新 1，未变 10；警告 2 条」."""
        text = f"新增 {self.created}，更新 {self.updated}，未变 {self.unchanged}"
        if self.warnings:
            text += f"；警告 {len(self.warnings)} 条"
        return text


class Ticker:
    """Throttled progress reporting for one phase: calls ``callback(phase, done, total)`` at most
    every ``every`` rows and once at the end."""

    def __init__(self, callback: Progress | None, phase: str, total: int, every: int = PROGRESS_EVERY):
        self.callback, self.phase, self.total, self.every = callback, phase, total, every
        self.done = 0
        self._next = every
        if callback:
            callback(phase, 0, total)

    def step(self, n: int = 1) -> None:
        self.done += n
        if self.callback and self.done >= self._next:
            self._next = self.done + self.every
            self.callback(self.phase, min(self.done, self.total), self.total)

    def finish(self) -> None:
        if self.callback:
            self.callback(self.phase, self.total, self.total)


@dataclass
class KeyedPlan:
    """What ``validate`` of a keyed sheet (a code per row) hands to ``write``: the ``rows`` in write order,
    the ``existing`` records by code, and the counts for the dry run and the result (``count_into``)."""

    rows: list = field(default_factory=list)
    existing: dict = field(default_factory=dict)
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def count_into(self, result: ImportResult) -> None:
        result.created, result.updated, result.unchanged = self.created, self.updated, self.unchanged


class Importer:
    """Base class of an importer. Subclasses set ``kind`` (``"orgs"``/``"roster"``), ``title``
    (Chinese), ``data_label`` (no default), ``columns``, ``sheet_names`` (preferred sheet names) and implement:

    - ``validate(sheet, issues, ticker) -> plan``: check every row, add errors/warnings to ``issues``
      (may query the database, read-only), return whatever ``write`` needs;
    - ``count(plan, result)``: fill ``result.created/updated/unchanged`` from the plan (dry run);
    - ``write(plan, result, ticker)``: perform the plan (called inside the transaction); may raise
      ``ImportFailed`` when it detects a concurrent change; fills the counts.
    """

    kind = ""
    title = ""
    data_label: str  # the label whose ``import`` permission a run needs: declared by each importer
    models_written: tuple = ()  # models whose tables are analyzed after a large import (core.maintenance)
    columns: tuple[Column, ...] = ()
    sheet_names: tuple[str, ...] = ()
    identity_keys: tuple[str, ...] = ()
    """Keys identifying a record (roster: name, ID number): a data row where all of them are empty is
    a hint or instruction row, skipped with a warning (``core.layout``). Empty = no such skipping."""

    def __init__(self, *, user):
        self.user = user
        self.dry_run = False  # set by run_import before validate

    def validate(self, sheet: Sheet, issues: Issues, ticker: Ticker):  # pragma: no cover - abstract
        raise NotImplementedError

    def count(self, plan, result: ImportResult) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def write(self, plan, result: ImportResult, ticker: Ticker) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def audit_data(self, result: ImportResult) -> dict:
        """Extra audit fields (no personal data)."""
        return {}

    def close(self) -> None:
        """Release what ``validate``/``write`` started (worker processes); ``run_import`` calls it
        whatever the outcome."""

    # -- helpers of keyed sheets (a code per row, a parent code: the trees' importers) ----------------

    @staticmethod
    def date_value(raw: object) -> tuple[dt.date | None, bool]:
        """A date cell: an Excel date, ``YYYY-MM-DD`` text or the forms ``core.dates.parse_date`` reads;
        returns ``(date or None, day unknown)``. A number cell that is not a ``YYYYMMDD`` date, or text
        that is not a date, raises ``DateParseError`` (its message is the row error)."""
        from zugong.core.dates import DateParseError, parse_date

        if is_number_cell(raw) and not (19000101 <= raw <= 29991231):
            raise DateParseError(f"「{cell_text(raw)}」不是日期（应为日期格式单元格或 YYYY-MM-DD 文本）")
        return parse_date(raw)

    @staticmethod
    def unique_rows(parsed: Sequence, issues: Issues, column: str) -> dict:
        """The parsed rows by ``code``, in file order; a code on several rows is an error on each of
        them (「组织代码「A1」与第 3 行重复」, ``column`` the key's header) and none of them is kept."""
        seen: dict[str, list[int]] = {}
        for row in parsed:
            seen.setdefault(row.code, []).append(row.number)
        for code, numbers in seen.items():
            for n in numbers if len(numbers) > 1 else ():
                others = "、".join(f"第 {o} 行" for o in numbers if o != n)
                issues.error(n, column, f"{column}「{code}」与{others}重复")
        return {row.code: row for row in parsed if len(seen[row.code]) == 1}

    @staticmethod
    def parents_first(rows: dict) -> list:
        """The rows (by code, each with its ``parent`` code) in write order: by the number of in-file
        ancestors, so a parent named in the file is written before its children (a loop counts as deep
        as the file, the validation has refused it)."""
        depth: dict[str, int] = {}

        def file_depth(code: str) -> int:
            if code not in depth:
                d, current = 0, rows[code].parent
                while current in rows and d <= len(rows):
                    d, current = d + 1, rows[current].parent
                depth[code] = d
            return depth[code]

        return sorted(rows.values(), key=lambda r: file_depth(r.code))

    @staticmethod
    @contextmanager
    def service_errors():
        """Around the bulk service calls of ``write``: their ``ValidationFailed`` becomes the import's
        row errors, an ``OutOfScope`` (a write that would leave the user's scope) a file-level error —
        the whole import rolls back."""
        from zugong.core.errors import OutOfScope

        try:
            yield
        except ValidationFailed as exc:
            raise ImportFailed(exc.errors) from None
        except OutOfScope as exc:
            raise ImportFailed([RowError(0, "", exc.message)]) from None


_ID_LIKE = re.compile(r"\d{17}[\dXx]")


def safe_filename(name: str) -> str:
    """A file name fit for the audit log and pages: path removed, ID-number-like runs masked,
    control characters removed, at most 200 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _ID_LIKE.sub(lambda m: idnumber.mask(m.group(0)), name)
    return "".join(ch for ch in name if ch.isprintable())[:200]


def run_import(importer: Importer, source, *, filename: str = "", dry_run: bool = False,
               progress: Progress | None = None, mapping: dict[str, str] | None = None) -> ImportResult:
    """Run ``importer`` over ``source`` (path, bytes or binary file object) as ``importer.user``.

    Returns an ``ImportResult``. Raises ``PermissionDeniedError`` when the user holds no
    ``<label>.import`` grant anywhere; ``FileRejected``/``ImportFailed`` (both ``ValidationFailed``)
    when the file or any row is bad — then nothing is written. With ``dry_run`` everything is validated
    and counted but nothing is written and no audit event is recorded. ``mapping`` (issue #9):
    ``{source header text: field key, or "" to ignore that column}`` overriding the alias detection
    of ``core.layout`` (a saved 导入版式 or the mapping page's choices); ``None`` = detect."""
    try:
        return _run_import(importer, source, filename=filename, dry_run=dry_run, progress=progress, mapping=mapping)
    finally:
        importer.close()


def _run_import(importer: Importer, source, *, filename: str, dry_run: bool, progress: Progress | None,
                mapping: dict[str, str] | None = None) -> ImportResult:
    user = importer.user
    importer.dry_run = dry_run
    if not can(user, importer.data_label, "import"):
        raise PermissionDeniedError("您没有导入数据的权限。")
    if progress:
        progress("读取文件", 0, 1)
    workbook = read_workbook(source, filename=filename)
    filename = safe_filename(filename or workbook.filename)
    if progress:
        progress("读取文件", 1, 1)
    sheet = read_sheet(workbook, importer.columns, mapping=mapping, identity_keys=importer.identity_keys,
                       kind=importer.kind, preferred_sheets=importer.sheet_names)
    del workbook  # the other sheets
    issues = Issues()
    ticker = Ticker(progress, "校验", len(sheet.rows))
    plan = importer.validate(sheet, issues, ticker)
    ticker.finish()
    skipped = list(sheet.layout.skipped)
    if issues.errors:
        raise ImportFailed(sort_errors(issues.errors, importer.columns), sheet=sheet,
                           warnings=skipped + sort_errors(issues.warnings, importer.columns))
    result = ImportResult(kind=importer.kind, filename=filename, total_rows=len(sheet.rows),
                          warnings=skipped + sort_errors(issues.warnings, importer.columns), dry_run=dry_run,
                          layout=sheet.layout)
    if dry_run:
        importer.count(plan, result)
        return result
    from zugong.audit.services import record_event

    ticker = Ticker(progress, "写入", len(sheet.rows))
    try:
        with bulk_write_session(), transaction.atomic():
            importer.write(plan, result, ticker)
            record_event(
                "import", user=user, object_type=importer.kind, object_id="",
                summary=f"导入{importer.title}「{filename}」：{result.summary()}",
                data={"kind": importer.kind, "filename": filename, "rows": result.total_rows,
                      "created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                      "warnings": len(result.warnings), **importer.audit_data(result)},
            )
            # fresh planner statistics for the written tables once this commits (core.maintenance)
            analyze_models(importer.models_written, rows=result.created + result.updated)
    except ImportFailed as exc:
        exc.sheet = exc.sheet or sheet
        raise
    except IntegrityError:
        raise ImportFailed([RowError(0, "", "写入时与其他用户同时提交的数据发生冲突（例如同一公民身份号码被同时登记），"
                                            "请稍后重新导入")], sheet=sheet)
    ticker.finish()
    return result


# --- error report -------------------------------------------------------------------------------------

def error_report(exc: ValidationFailed) -> bytes | None:
    """The uploaded sheet with an added 「错误说明」 column and the rows in error highlighted, as
    .xlsx bytes; ``None`` when the file could not be read at all. Cell values are written back as read
    (number cells stay numbers, text stays literal text). File-level errors go to a 「说明」 sheet."""
    sheet: Sheet | None = getattr(exc, "sheet", None)
    if sheet is None:
        return None
    table = sheet.table
    header = [cell_text(v) for v in table.rows[sheet.header_index]]
    width = max([len(header), *(len(table.rows[r.index]) for r in sheet.rows)] or [0])
    header += [""] * (width - len(header))
    for column in getattr(sheet.layout, "columns", ()):  # two-row headers: 「入党情况 / 入党日期」
        if column.position < width:
            header[column.position] = column.header
    # a re-uploaded error report: its old 错误说明 column is replaced, not repeated
    keep = [i for i, h in enumerate(header) if normalize_header(h) != ERROR_COLUMN]
    by_row: dict[int, list[str]] = {}
    file_level: list[str] = []
    for error in exc.errors:
        text = f"「{error.column}」{error.reason}" if error.column else error.reason
        if error.row:
            by_row.setdefault(error.row, []).append(text)
        else:
            file_level.append(text)
    highlight = []
    rows = []
    for i, row in enumerate(sheet.rows):
        raw = list(table.rows[row.index]) + [""] * (width - len(table.rows[row.index]))
        reasons = by_row.get(row.number)
        if reasons:
            highlight.append(i)
        rows.append([_report_value(raw[k]) for k in keep] + ["；".join(reasons or [])])
    formats = [ColumnFormat(width=14)] * len(keep) + [ColumnFormat(width=60)]
    notes = [f"原文件：{safe_filename(table.filename)}", f"共 {len(exc.errors)} 处错误，标红的行有错误，见最后一列「{ERROR_COLUMN}」。",
             "修改后可直接重新导入本文件（「错误说明」列会被忽略）。", *file_level]
    return xlsx_bytes(headers=[*(header[k] for k in keep), ERROR_COLUMN], rows=rows, sheet_title="导入错误", formats=formats,
                      highlight=highlight, notes=notes)


def _report_value(value: object) -> object:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return value if hasattr(value, "isoformat") and not hasattr(value, "hour") else str(value)
