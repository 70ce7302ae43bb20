"""The generic import pipeline (``design.md`` rule 5: imports are all-or-nothing).

    read (``core.files.read_table``: size, content, ZIP-bomb checks)
      → find the header row and match columns **by name** (``read_sheet``)
      → validate every row (``Importer.validate``), collecting ``RowError``s (row as the user sees it in
        Excel, header = its own row number; column = the header text; Chinese reason) and warnings
      → if there is any error: raise ``ImportFailed`` — nothing is written
      → else write everything in ONE transaction (``Importer.write``) and record one ``import`` audit
        event with the counts (never ID numbers).

Header matching: headers are compared after NFKC (full-width → half-width), removing white space and
a leading/trailing ``*`` (the "required" marker of our templates), so ``公民身份号码*``, ``公民身份号码``
and ``公民身份号码＊`` match. Each ``Column`` may list aliases (``身份证号``). Unknown columns are ignored
(so the 错误说明 column of an error report can be re-uploaded). The header row is the row, among the
first ``HEADER_SEARCH_ROWS``, matching the most known column names (files often carry a title row).
Rows whose known cells are all empty are skipped.

A missing required column, a duplicated column, a file without data rows → file-level errors (row 0).

``progress(phase, done, total)`` is called with phases 「读取文件」, 「校验」, 「写入」 at most every
``PROGRESS_EVERY`` rows; it must be cheap and must not touch the database inside the write transaction.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from zugong.core import idnumber
from zugong.core.bulk import ANALYZE_MIN_ROWS, bulk_write_session, refresh_planner_statistics
from zugong.core.codes import normalize_text
from zugong.core.errors import PermissionDeniedError, RowError, ValidationFailed
from zugong.core.files import ColumnFormat, Table, read_table, xlsx_bytes
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

    def has(self, key: str) -> bool:
        """True if the file carries the column ``key`` (absent optional columns leave data alone)."""
        return key in self.positions


def _match_table(columns: Sequence[Column]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            lookup[normalize_header(name)] = column.key
    return lookup


def read_sheet(table: Table, columns: Sequence[Column], *, mapping: dict[str, str] | None = None) -> Sheet:
    """Locate the header row, match ``columns`` by name and collect the non-empty data rows.
    ``mapping`` (``{header text: key or ""}``) overrides the name matching (TEMPORARY wiring of the
    mapping helper until ``core.layout`` lands).

    Raises ``ImportFailed`` (file-level errors, row 0): empty sheet, no recognisable header row, a
    column present twice, missing required columns, no data rows."""
    columns = tuple(columns)
    by_key = {c.key: c for c in columns}
    lookup = _match_table(columns)
    for text, key in (mapping or {}).items():
        lookup[normalize_header(text)] = key
    lookup = {k: v for k, v in lookup.items() if v}
    if not any(any(not _empty(v) for v in row) for row in table.rows):
        raise ImportFailed([RowError(0, "", "工作表是空的，没有表头和数据")])
    best_index, best_hits = -1, 0
    for index, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        hits = len({lookup[h] for h in (normalize_header(v) for v in row) if h in lookup})
        if hits > best_hits:
            best_index, best_hits = index, hits
    if best_hits == 0:
        names = "、".join(f"「{c.header}」" for c in columns if c.required)
        raise ImportFailed([RowError(0, "", f"未找到表头行：前 {HEADER_SEARCH_ROWS} 行中没有 {names} 等列名")])
    header = table.rows[best_index]
    header_number = Table.row_number(best_index)
    positions: dict[str, int] = {}
    errors: list[RowError] = []
    for pos, value in enumerate(header):
        key = lookup.get(normalize_header(value))
        if key is None:
            continue
        if key in positions:
            errors.append(RowError(header_number, by_key[key].header,
                                   f"列「{by_key[key].header}」出现了两次（第 {_col_letter(positions[key])} 列和第 "
                                   f"{_col_letter(pos)} 列）"))
            continue
        positions[key] = pos
    for column in columns:
        if column.required and column.key not in positions:
            errors.append(RowError(0, column.header, f"缺少必填列「{column.header}」"))
    if errors:
        raise ImportFailed(errors)
    rows: list[SourceRow] = []
    items = list(positions.items())
    keys = [key for key, _ in items]
    needed = max(positions.values()) + 1
    pick = operator.itemgetter(*positions.values()) if len(items) > 1 else (lambda raw: (raw[items[0][1]],))
    for index in range(best_index + 1, len(table.rows)):
        raw = table.rows[index]
        if len(raw) < needed:  # short CSV row: absent cells read as empty
            raw = [*raw, *([""] * (needed - len(raw)))]
        values = pick(raw)
        if all(_empty(v) for v in values):
            continue
        rows.append(SourceRow(Table.row_number(index), index, dict(zip(keys, values, strict=True))))
    sheet = Sheet(table=table, columns=columns, header_index=best_index, positions=positions, rows=rows)
    if not rows:
        raise ImportFailed([RowError(0, "", "文件中没有数据行")], sheet=sheet)
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
    ``sheet``: the parsed sheet when the file could be read (for the error report), else ``None``."""

    def __init__(self, errors: Sequence[RowError], *, sheet: Sheet | None = None,
                 warnings: Sequence[RowError] = ()):
        self.sheet = sheet
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
    skipped rows), for the CLI and the job page; ``None`` before issue #9's layout engine."""

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
    models_written: tuple = ()  # models whose planner statistics are refreshed after a large import
    columns: tuple[Column, ...] = ()
    sheet_names: tuple[str, ...] = ()

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
    table = read_table(source, filename=filename, preferred_sheets=importer.sheet_names)
    filename = safe_filename(filename or table.filename)
    if progress:
        progress("读取文件", 1, 1)
    # TEMPORARY (mapping helper): minimal wiring of ``mapping``/``layout``; the layout helper's version wins
    from zugong.core.layout import detect_layout

    layout = None
    if mapping is not None:
        layout = detect_layout(table, importer.columns, mapping=mapping, kind=importer.kind)
    sheet = read_sheet(table, importer.columns, mapping=mapping)
    if layout is None:
        try:
            layout = detect_layout(table, importer.columns, kind=importer.kind)
        except ImportFailed:
            layout = None
    issues = Issues()
    ticker = Ticker(progress, "校验", len(sheet.rows))
    plan = importer.validate(sheet, issues, ticker)
    ticker.finish()
    if issues.errors:
        raise ImportFailed(sort_errors(issues.errors, importer.columns), sheet=sheet,
                           warnings=sort_errors(issues.warnings, importer.columns))
    result = ImportResult(kind=importer.kind, filename=filename, total_rows=len(sheet.rows),
                          warnings=sort_errors(issues.warnings, importer.columns), dry_run=dry_run, layout=layout)
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
    except ImportFailed as exc:
        exc.sheet = exc.sheet or sheet
        raise
    except IntegrityError:
        raise ImportFailed([RowError(0, "", "写入时与其他用户同时提交的数据发生冲突（例如同一公民身份号码被同时登记），"
                                            "请稍后重新导入")], sheet=sheet)
    ticker.finish()
    if result.created + result.updated >= ANALYZE_MIN_ROWS:
        refresh_planner_statistics(importer.models_written)
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
