# TEMPORARY (mapping helper): replaced by the layout helper's module at merge
"""Layout detection and column mapping — a deliberately naive stand-in implementing the interface of
CONTRACT-9.md part 1 (``detect_layout``, ``Layout``, ``MappedColumn``, ``preview_import``) so the
column-mapping pages, the CLI options and their tests run before the real engine lands.

What it does: the header is the row (among the first ``HEADER_SEARCH_ROWS``) matching the most known
column names; a source column maps to a field by its header or aliases (``normalize_header``), then
``mapping`` (``{source header text: key or ""}``, compared normalised) overrides. Two source columns on
one key → ``ImportFailed`` naming both; a mapping key the kind has not → ``ImportFailed``. No two-row
headers, no hint rows, no ``accepts``/``repeat_key``/``group`` — the real module does those.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from zugong.core.errors import RowError

PHONE_KEYS = ("phone", "mobile")
ID_KEYS = ("id_number",)


@dataclass
class MappedColumn:
    """One source column: 0-based ``position``, Excel ``letter``, ``header`` as shown, ``match_text`` (the
    normalised header, the mapping key), the field ``key`` (``""`` = ignored) and its Chinese ``field``,
    ``how`` it was decided (``"alias"`` / ``"mapping"`` / ``""``) and a ``note``."""

    position: int
    letter: str
    header: str
    match_text: str
    key: str
    field: str
    how: str = ""
    note: str = ""


@dataclass
class Layout:
    """How a file is read: the sheet, header row(s), each source column's field, skipped rows."""

    kind: str
    filename: str
    format: str
    sheet_name: str
    sheet_names: list[str]
    sheet_note: str
    header_rows: tuple[int, ...]
    columns: list[MappedColumn]
    skipped: list[RowError] = field(default_factory=list)
    all_columns: tuple = ()

    @property
    def ignored(self) -> list[MappedColumn]:
        """Source columns not imported (key ``""``)."""
        return [c for c in self.columns if not c.key and c.header]

    @property
    def mapping(self) -> dict[str, str]:
        """``{match_text: key}`` of every source column (what a saved layout stores)."""
        return {c.match_text: c.key for c in self.columns if c.match_text}

    @property
    def missing(self) -> list:
        """The kind's optional/recommended columns absent from the file."""
        present = {c.key for c in self.columns if c.key}
        return [c for c in self.all_columns if c.key not in present and not c.required]

    def describe(self) -> list[str]:
        """Chinese lines for the CLI: sheet, header rows, each column → field, ignored columns, skips."""
        rows = "、".join(f"第 {n} 行" for n in self.header_rows)
        lines = [f"读取工作表「{self.sheet_name}」" if self.sheet_name else f"读取文件「{self.filename}」",
                 f"表头：{rows}"]
        for c in self.columns:
            if c.key:
                lines.append(f"  {c.letter} 列「{c.header}」→ {c.field}")
        if self.ignored:
            lines.append("未导入的列：" + "、".join(f"{c.letter} 列「{c.header}」" for c in self.ignored))
        for s in self.skipped:
            lines.append(f"跳过第 {s.row} 行：{s.reason}")
        return lines


@dataclass
class Preview:
    """The layout and the first data rows as they will be read: ``[(Excel row, {key: text})]``."""

    layout: Layout
    rows: list[tuple[int, dict[str, str]]]


def _letter(position: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(position + 1)


def detect_layout(workbook, columns: Sequence, *, mapping: dict[str, str] | None = None,
                  preferred_sheets: Sequence[str] = (), kind: str = "") -> Layout:
    """``workbook``: a ``core.files.Table``. See the module docstring."""
    from zugong.core.importing import HEADER_SEARCH_ROWS, ImportFailed, _match_table, normalize_header

    table = workbook
    columns = tuple(columns)
    by_key = {c.key: c for c in columns}
    lookup = _match_table(columns)
    override = {normalize_header(k): v for k, v in (mapping or {}).items()}
    errors = []
    by_header = {normalize_header(c.header): c.key for c in columns}
    for text, key in (mapping or {}).items():
        if key and key not in by_key and normalize_header(key) not in by_header:
            errors.append(RowError(0, str(text), f"列「{text}」对应的字段「{key}」不是本导入类型的字段"))
    if errors:
        raise ImportFailed(errors)
    best_index, best_hits = 0, -1
    for index, row in enumerate(table.rows[:HEADER_SEARCH_ROWS]):
        texts = [normalize_header(v) for v in row]
        hits = len({lookup[h] for h in texts if h in lookup}) + sum(1 for h in texts if h in override and override[h])
        if hits > best_hits:
            best_index, best_hits = index, hits
    if best_hits <= 0:
        names = "、".join(f"「{c.header}」" for c in columns if c.required)
        raise ImportFailed([RowError(0, "", f"未找到表头行：前 {HEADER_SEARCH_ROWS} 行中没有 {names} 等列名")])
    header = table.rows[best_index] if table.rows else []
    mapped: list[MappedColumn] = []
    taken: dict[str, MappedColumn] = {}
    for pos, value in enumerate(header):
        text = normalize_header(value)
        shown = "" if value is None else str(value).strip()
        if text in override:
            key, how = override[text], "mapping"
            key = by_header.get(normalize_header(key), key) if key else ""
        elif text in lookup:
            key, how = lookup[text], "alias"
        else:
            key, how = "", ""
        column = MappedColumn(pos, _letter(pos), shown, text, key, by_key[key].header if key else "", how)
        if key and key in taken:
            first = taken[key]
            errors.append(RowError(Table_row(best_index), by_key[key].header,
                                   f"第 {first.letter} 列「{first.header}」和第 {column.letter} 列「{column.header}」"
                                   f"都对应字段「{by_key[key].header}」，请在列映射中只保留一个"))
        elif key:
            taken[key] = column
        if text:
            mapped.append(column)
    if errors:
        raise ImportFailed(errors)
    return Layout(kind=kind, filename=table.filename, format=table.format, sheet_name=table.sheet_name,
                  sheet_names=[table.sheet_name] if table.sheet_name else [], sheet_note=(
                      f"读取工作表「{table.sheet_name}」" if table.sheet_name else ""),
                  header_rows=(Table_row(best_index),), columns=mapped, all_columns=columns)


def Table_row(index: int) -> int:  # noqa: N802 — Excel row number of rows[index]
    return index + 1


def preview_import(importer, source, *, filename: str, mapping: dict[str, str] | None = None,
                   rows: int = 10) -> Preview:
    """The layout of ``source`` for ``importer`` and its first ``rows`` data rows as text by key (ID
    numbers and phone numbers masked); nothing is validated against the database. Raises
    ``FileRejected``/``ImportFailed`` for an unreadable file or a bad mapping."""
    from zugong.core import idnumber
    from zugong.core.files import read_table
    from zugong.core.importing import cell_text
    from zugong.core.sealing import mask_phone

    table = read_table(source, filename=filename, preferred_sheets=getattr(importer, "sheet_names", ()))
    layout = detect_layout(table, importer.columns, mapping=mapping, kind=getattr(importer, "kind", ""))
    start = layout.header_rows[-1]
    out: list[tuple[int, dict[str, str]]] = []
    keyed = [c for c in layout.columns if c.key]
    for index in range(start, len(table.rows)):
        raw = table.rows[index]
        values = {}
        for c in keyed:
            text = cell_text(raw[c.position]) if c.position < len(raw) else ""
            if c.key in ID_KEYS and text:
                text = idnumber.mask(text)
            elif c.key in PHONE_KEYS and text:
                text = mask_phone(text)
            values[c.key] = text
        if not any(values.values()):
            continue
        out.append((index + 1, values))
        if len(out) >= rows:
            break
    return Preview(layout=layout, rows=out)
