"""Layout detection and column mapping of an uploaded workbook (issue #9: 真实版式的导入).

Real exports put their table anywhere: a 填表说明 sheet before the data sheet, a title row and a 填报单位
row above the header, two-row headers with merged group cells (入党情况 over 入党日期 / 转正日期), a hint
row under the header (必填 / 预备党员或正式党员), instruction blocks inside the data area. This module finds
the table and decides, for every source column, which field of the import it feeds.

``detect_layout(workbook, columns, *, mapping=None, preferred_sheets=(), kind="", identity_keys=())``
→ ``Layout``:

1. **Sheet**: every visible sheet is scored by the number of distinct fields its best header row
   recognises; the highest wins, ties are broken by ``preferred_sheets`` (the importer's
   ``sheet_names``), then by workbook order. ``Layout.sheet_note`` says which sheet was read and why the
   others were skipped (「读取工作表「党员信息」；跳过「填表说明」（没有表头）」). No header anywhere (an
   instruction sheet only) is a file-level error.
2. **Header row(s)**: among the first ``HEADER_SEARCH_ROWS`` rows (title and 填报单位 rows are passed
   over), the row recognising the most fields. A row carrying merged cells is also read together with
   the row below it as a **two-row header**: a cell merged across columns is a group (入党情况), each
   column under it takes the sub-header below (shown 「入党情况 / 入党日期」, matched by the sub-header,
   then by group + sub-header; its mapping text is 「入党情况/入党日期」); a cell merged across both rows is
   one header; a two-row header written without merging (入党情况 above 入党日期, an empty cell above
   转正日期) is read the same way. The two-row reading is chosen only when it recognises more fields than
   the single row (so a title over a one-row header stays a title row).
   A group cell with no sub-header under any of its columns is a file-level error.
3. **Columns**: header texts are normalised (``normalize_match``: NFKC, no white space, no ``*``, no
   「（必填）」「(选填)」… suffix) and looked up in the columns' headers and aliases, extended per deployment
   by ``settings.ZUGONG_IMPORT_ALIASES = {"roster": {"organization": ["党支部全称", …]}}`` (by the
   importer's ``kind``). ``mapping`` (``{source header text: field key or Chinese header, or "" to
   ignore}``, compared normalised; a saved 导入版式 or the mapping page's choices) overrides the aliases
   (``MappedColumn.how`` = ``"mapping"``). A column matched by alias whose ``Column.accepts`` refuses
   its first values is left unmapped with a note (an OWIP 人员类别 of 教职工/学生 is not 正式/预备). A
   second column matched to the same field takes the field's ``repeat_key`` when it has one (the
   national layout's second 成立日期 is the unit's); otherwise two source columns on one field are a
   file-level error (「第 C 列「X」和第 F 列「Y」都对应字段「Z」，请在列映射中只保留一个」). A required column
   is satisfied by any column of its ``group``. A mapping to a field the import does not have is an
   error. Columns nobody uses are listed (``Layout.ignored``) — nothing is dropped silently.
4. **Rows** (``iter_rows``, used by ``core.importing.read_sheet`` and ``preview_import``): the data rows
   follow the (last) header row. Skipped with a warning naming the row (``Layout.skipped``): hint rows
   directly under the header (most of their cells say 必填 / 选填 / 格式… / 例如… / 「预备党员或正式党员」,
   or they number the columns 1 2 3 …), rows inside a merged block spanning several columns (instructions in the
   data area), a row of 填表说明 text, and any row where all ``identity_keys`` (the importer's: roster
   ``("name", "id_number")``, organizations ``("code", "name")``) are empty —
   「第 3 行没有姓名和公民身份号码，已跳过（提示行/说明行）」. A row whose known cells are all empty is
   skipped silently. A value merged down several rows of one column (the same 党支部 for a group of
   members) is read on each of those rows, as Excel shows it.

``preview_import(importer, source, *, filename, mapping=None, rows=10)`` → ``Preview``: the layout and
the first data rows as they will be read (text per field; ID and phone numbers masked), without any
database validation, for the mapping page. The file is checked and parsed whole in the sandbox, but
only its first ``PREVIEW_SCAN_ROWS`` rows are converted and scanned (100,000-row file: about 2 s, see
``benchmarks/bench_layout.py``); ``Preview.partial`` says so.

Errors: ``ImportFailed`` (file-level ``RowError``s, row 0) with ``.layout`` set when a layout was found.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings

from zugong.core.errors import RowError
from zugong.core.files import Table, Workbook
from zugong.core.importing import (
    HEADER_SEARCH_ROWS,
    Column,
    ImportFailed,
    SourceRow,
    cell_text,
    normalize_header,
)
from zugong.core.sheet_scan import column_letters

PREVIEW_SCAN_ROWS = 500
"""Rows (after the header search area) ``preview_import`` converts and scans."""
HINT_SEARCH_ROWS = 3
"""Rows directly under the header that may be hint rows."""
ACCEPTS_SAMPLES = 20
"""Non-empty values of a column handed to ``Column.accepts``."""

_MARKER_SUFFIX = re.compile(r"[(\[【](?:必填|选填|可选|必录|选录|非必填|可不填|必填项|选填项|必须填写|必须|可空)[)\]】]$")
_HINT = re.compile(
    r"^[(\[【]?(?:必填|选填|可选|非必填|必录|选录|可空|可不填|必填项|选填项|必须填写|必须|不填|可为空)[)\]】]?"
    r"|填写|格式|例[：:如]|示例|说明|请选择|请输入|请填|下拉|或|YYYY|yyyy|xxxx|XXXX")
_INSTRUCTION = re.compile(r"^(?:填表说明|填写说明|导入说明|说明|注意事项|注意|备注|提示|注)(?:[:：]|\d|[一二三四五六七八九十]、|[\s(（]|$)")
_SAMPLE_SHOWN = 3


def normalize_match(value: object) -> str:
    """Header text for matching and for mapping keys: ``normalize_header`` (NFKC, no white space, no
    leading/trailing ``*``) and without a trailing 「（必填）」「(选填)」「【必填】」… marker."""
    text = normalize_header(value)
    while True:
        stripped = _MARKER_SUFFIX.sub("", text).strip("*")
        if stripped == text:
            return text
        text = stripped


@dataclass
class MappedColumn:
    """One source column and what it feeds (see module docstring)."""

    position: int
    """0-based source column."""
    letter: str
    """Its Excel letter, ``"C"``."""
    header: str
    """As shown; a two-row header ``"入党情况 / 入党日期"``."""
    match_text: str
    """The normalised text used as mapping key (``"入党情况/入党日期"``)."""
    key: str
    """The field key; ``""`` = ignored."""
    field: str
    """The field's Chinese header, ``""`` when ignored."""
    how: str
    """``"alias"`` | ``"mapping"`` | ``""``: why it was decided."""
    note: str = ""
    """e.g. 「内容为「教职工」「学生」，不是人员类别（正式/预备党员），未使用」."""


@dataclass
class Layout:
    """Where the table of an uploaded file is and how its columns map (``detect_layout``).

    ``header_rows``: the Excel row numbers of the header (1 or 2); ``columns``: every source column
    with a header, in file order; ``skipped``: warnings of the skipped hint/instruction rows (filled
    while rows are read); ``errors``: file-level problems of the mapping (a missing required column,
    two columns on one field, an unknown field in ``mapping``) — ``detect_layout(strict=True)`` raises
    them, the mapping page shows them."""

    kind: str
    filename: str
    format: str
    sheet_name: str
    sheet_names: list[str]
    sheet_note: str
    header_rows: tuple[int, ...]
    columns: list[MappedColumn]
    skipped: list[RowError] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    kind_columns: tuple[Column, ...] = field(default=(), repr=False, compare=False)
    identity_keys: tuple[str, ...] = ()
    hint_rows: tuple[int, ...] = ()
    """Excel row numbers of the hint rows under the header."""
    instruction_rows: frozenset[int] = frozenset()
    """0-based indices of the rows inside merged blocks of the data area."""
    total_rows: int = 0
    """Rows of the sheet read (all of them, even when only the first were converted)."""

    @property
    def ignored(self) -> list[MappedColumn]:
        """Source columns no field takes."""
        return [c for c in self.columns if not c.key]

    @property
    def mapping(self) -> dict[str, str]:
        """``{match_text: key}`` of every source column (``""`` = ignored): what a saved layout stores."""
        return {c.match_text: c.key for c in self.columns if c.match_text}

    @property
    def positions(self) -> dict[str, int]:
        """Field key → 0-based source column, for the mapped columns."""
        return {c.key: c.position for c in self.columns if c.key}

    @property
    def missing(self) -> list[Column]:
        """The optional and recommended columns of the import absent from the file."""
        present = set(self.positions)
        return [c for c in self.kind_columns if c.key not in present and not c.required]

    @property
    def data_start(self) -> int:
        """0-based index of the first row after the header."""
        return self.header_rows[-1] if self.header_rows else 0

    def describe(self) -> list[str]:
        """Chinese lines for the CLI: the sheet, the header rows, each column → field, the ignored
        columns, the columns absent, the skipped rows."""
        lines = [self.sheet_note]
        if self.header_rows:
            rows = "–".join(str(r) for r in (self.header_rows[0], self.header_rows[-1])) \
                if len(self.header_rows) > 1 else str(self.header_rows[0])
            lines.append(f"表头：第 {rows} 行" + (f"（第 {'、'.join(map(str, self.hint_rows))} 行是填写提示）"
                                                   if self.hint_rows else ""))
        lines.append("列映射：")
        for column in self.columns:
            if column.key:
                how = "（按列映射）" if column.how == "mapping" else ""
                lines.append(f"  {column.letter} 列「{column.header}」→ {column.field}{how}")
        ignored = self.ignored
        if ignored:
            lines.append("未导入的列：")
            for column in ignored:
                lines.append(f"  {column.letter} 列「{column.header}」" + (f"：{column.note}" if column.note else ""))
        missing = self.missing
        if missing:
            lines.append("文件中没有的列：" + "、".join(c.header for c in missing))
        if self.skipped:
            lines.append(f"跳过的行（{len(self.skipped)} 行）：")
            for warning in self.skipped[:20]:
                lines.append(f"  {warning.reason}")
            if len(self.skipped) > 20:
                lines.append(f"  …另有 {len(self.skipped) - 20} 行")
        for error in self.errors:
            lines.append(f"错误：{error.reason}")
        return lines


# --- lookup tables ----------------------------------------------------------------------------------------

def extra_aliases(kind: str) -> dict[str, tuple[str, ...]]:
    """``settings.ZUGONG_IMPORT_ALIASES[kind]``: deployment-specific header aliases by field key."""
    table = getattr(settings, "ZUGONG_IMPORT_ALIASES", None) or {}
    return {key: tuple(values) for key, values in (table.get(kind) or {}).items()}


def alias_lookup(columns: Sequence[Column], kind: str = "") -> dict[str, str]:
    """Normalised header/alias text → field key (the columns' own, then the deployment's)."""
    lookup: dict[str, str] = {}
    keys = {c.key for c in columns}
    for column in columns:
        for name in (column.header, *column.aliases):
            lookup.setdefault(normalize_match(name), column.key)
    for key, names in extra_aliases(kind).items():
        if key in keys:
            for name in names:
                lookup[normalize_match(name)] = key
    return lookup


def _field_lookup(columns: Sequence[Column], lookup: dict[str, str]) -> dict[str, str]:
    """What a mapping value may name: a key, a header or an alias (normalised) → key."""
    out = dict(lookup)
    for column in columns:
        out[column.key] = column.key
        out[normalize_match(column.key)] = column.key
    return out


def _field_of(fields: dict[str, str], target: str) -> str | None:
    """The key a mapping value names in ``fields`` (``_field_lookup``); ``None`` for an unknown field."""
    return fields.get(target) or fields.get(normalize_match(target))


def field_key(columns: Sequence[Column], text: str) -> str | None:
    """The field key named by ``text`` — a key, a Chinese header or an alias of ``columns``, as a mapping
    value is read (``""`` stays ``""`` = 不导入); ``None`` for an unknown field. For the ``--mapping`` file."""
    text = (text or "").strip()
    if not text:
        return ""
    return _field_of(_field_lookup(columns, alias_lookup(columns)), text)


# --- header candidates ------------------------------------------------------------------------------------

@dataclass
class _Source:
    position: int
    header: str
    match_text: str
    candidates: tuple[str, ...]
    group: tuple[int, int] | None = None  # the group cell's (first, last) column, two-row headers


@dataclass
class _Candidate:
    table: Table
    index: int  # 0-based first header row
    rows: int  # 1 or 2
    sources: list[_Source]
    hits: int
    empty_groups: list[tuple[int, int, str]] = field(default_factory=list)


def _text(row: Sequence[object], position: int) -> str:
    return cell_text(row[position]) if position < len(row) else ""


def _single(table: Table, index: int) -> list[_Source]:
    out = []
    for position, value in enumerate(table.rows[index]):
        text = cell_text(value)
        if text:
            norm = normalize_match(text)
            out.append(_Source(position, text, norm, (norm,)))
    return out


def _two_row(table: Table, index: int, known: dict[str, str]) -> tuple[list[_Source], list[tuple[int, int, str]]] | None:
    """The sources of rows ``index`` and ``index + 1`` read as one header, or ``None`` when nothing
    makes them a two-row header: a merged cell of row ``index`` (a group over sub-headers, a header over
    both rows), or a known header text in row ``index + 1`` under an empty or unknown cell (two-row
    headers written without merging, as some exporters do)."""
    if index + 1 >= len(table.rows):
        return None
    top, bottom = table.rows[index], table.rows[index + 1]
    groups: dict[int, tuple[int, int]] = {}  # column → (first, last) of its group cell
    spanning: dict[int, tuple[int, int]] = {}  # column → (first, last) of a cell merged over both rows
    structure = False
    for r0, c0, r1, c1 in table.merged:
        if r0 != index:
            continue
        if r1 >= index + 1:
            for c in range(c0, c1 + 1):
                spanning[c] = (c0, c1)
            structure = True
        elif c1 > c0:
            for c in range(c0, c1 + 1):
                groups[c] = (c0, c1)
            if any(_text(bottom, c) for c in range(c0, c1 + 1)):
                structure = True
    if not structure:
        for c, value in enumerate(bottom):
            text = cell_text(value)
            if text and normalize_match(text) in known and normalize_match(_text(top, c)) not in known:
                structure = True
                break
    if not structure:
        return None
    width = max(len(top), len(bottom))
    sources: list[_Source] = []
    empty_groups: list[tuple[int, int, str]] = []
    seen_groups: set[tuple[int, int]] = set()
    for c in range(width):
        if c in spanning:
            c0, _c1 = spanning[c]
            if c == c0 and _text(top, c):
                text = _text(top, c)
                norm = normalize_match(text)
                sources.append(_Source(c, text, norm, (norm,)))
            continue
        sub = _text(bottom, c)
        if c in groups:
            c0, c1 = groups[c]
            group = _text(top, c0)
            if (c0, c1) not in seen_groups:
                seen_groups.add((c0, c1))
                if group and not any(_text(bottom, k) for k in range(c0, c1 + 1)):
                    empty_groups.append((c0, c1, group))
            if sub:
                g, s = normalize_match(group), normalize_match(sub)
                header = f"{group} / {sub}" if group else sub
                sources.append(_Source(c, header, f"{g}/{s}" if g else s, (s, g + s, f"{g}/{s}"), (c0, c1)))
            elif c == c0 and group:
                norm = normalize_match(group)
                sources.append(_Source(c, group, norm, (norm,), (c0, c1)))
            continue
        head = _text(top, c)
        if head and sub:
            h, s = normalize_match(head), normalize_match(sub)
            sources.append(_Source(c, f"{head} / {sub}", f"{h}/{s}", (h, s, h + s, f"{h}/{s}")))
        elif head or sub:
            text = head or sub
            norm = normalize_match(text)
            sources.append(_Source(c, text, norm, (norm,)))
    return sources, empty_groups


def _resolve(source: _Source, lookup: dict[str, str], mapping: dict[str, str]) -> tuple[str | None, str]:
    """``(key or None, how)`` for a source: the mapping first, then the aliases."""
    for text in (source.match_text, *source.candidates):
        if text in mapping:
            return mapping[text], "mapping"
    for text in source.candidates:
        key = lookup.get(text)
        if key is not None:
            return key, "alias"
    return None, ""


def _hits(sources: list[_Source], lookup: dict[str, str], mapping: dict[str, str]) -> int:
    keys = set()
    for source in sources:
        key, _how = _resolve(source, lookup, mapping)
        if key:
            keys.add(key)
    return len(keys)


def _best_header(table: Table, lookup: dict[str, str], mapping: dict[str, str]) -> _Candidate | None:
    best: _Candidate | None = None
    known = {**lookup, **{k: v for k, v in mapping.items() if v}}
    for index in range(min(HEADER_SEARCH_ROWS, len(table.rows))):
        row = table.rows[index]
        if not any(cell_text(v) for v in row):
            continue
        sources = _single(table, index)
        candidate = _Candidate(table, index, 1, sources, _hits(sources, lookup, mapping))
        two = _two_row(table, index, known)
        if two is not None:
            two_sources, empty = two
            hits = _hits(two_sources, lookup, mapping)
            if hits > candidate.hits:
                candidate = _Candidate(table, index, 2, two_sources, hits, empty)
        # more fields first; on a tie a single row beats a two-row reading (a merged title over the header)
        if candidate.hits and (best is None or (candidate.hits, candidate.rows == 1) > (best.hits, best.rows == 1)):
            best = candidate
    return best


# --- detection --------------------------------------------------------------------------------------------

def _as_workbook(source: Workbook | Table) -> Workbook:
    if isinstance(source, Table):
        return Workbook(filename=source.filename, format=source.format, sheets=[source],
                        sheet_names=[source.sheet_name])
    return source


def _normalised_mapping(mapping: dict[str, str] | None, fields: dict[str, str],
                        errors: list[RowError]) -> dict[str, str]:
    out: dict[str, str] = {}
    for source, target in (mapping or {}).items():
        text = normalize_match(source)
        if not text:
            continue
        target = "" if target is None else str(target).strip()
        if not target:
            out[text] = ""
            continue
        key = _field_of(fields, target)
        if key is None:
            errors.append(RowError(0, str(source), f"列映射中「{source}」对应的字段「{target}」不存在，请重新选择"))
            continue
        out[text] = key
    return out


def _sheet_note(workbook: Workbook, chosen: Table, scores: dict[str, int]) -> str:
    if workbook.format == "csv":
        return "读取 CSV 文件"
    parts = [f"读取工作表「{chosen.sheet_name}」"]
    skipped = []
    for table in workbook.sheets:
        if table is chosen:
            continue
        hits = scores.get(table.sheet_name, 0)
        skipped.append(f"「{table.sheet_name}」（{'没有表头' if not hits else f'只识别出 {hits} 列'}）")
    for name in workbook.hidden:
        skipped.append(f"「{name}」（隐藏的工作表）")
    if skipped:
        parts.append("跳过" + "、".join(skipped))
    return "；".join(parts)


def detect_layout(workbook: Workbook | Table, columns: Sequence[Column], *, mapping: dict[str, str] | None = None,
                  preferred_sheets: Sequence[str] = (), kind: str = "", identity_keys: Sequence[str] = (),
                  strict: bool = True) -> Layout:
    """Find the sheet, the header row(s) and the mapping of every source column (module docstring).

    ``workbook``: a ``core.files.Workbook`` (or one ``Table``); ``columns``: the import's ``Column``s;
    ``mapping``: ``{source header text: key / Chinese header / ""}`` overriding the aliases; ``kind``:
    the importer's kind (deployment aliases); ``identity_keys``: the keys a data row must have one of.
    Raises ``ImportFailed`` (row 0) when no sheet has a header (always), and with ``strict`` when the
    mapping has errors (``Layout.errors``; ``strict=False`` returns them for the mapping page)."""
    workbook = _as_workbook(workbook)
    columns = tuple(columns)
    by_key = {c.key: c for c in columns}
    lookup = alias_lookup(columns, kind)
    errors: list[RowError] = []
    fields = _field_lookup(columns, lookup)
    norm_mapping = _normalised_mapping(mapping, fields, errors)

    preferred = {name: i for i, name in enumerate(preferred_sheets)}
    scores: dict[str, int] = {}
    best: _Candidate | None = None
    best_rank = None
    for order, table in enumerate(workbook.sheets):
        candidate = _best_header(table, lookup, norm_mapping)
        scores[table.sheet_name] = candidate.hits if candidate else 0
        if candidate is None:
            continue
        rank = (candidate.hits, -preferred.get(table.sheet_name, len(preferred)), -order)
        if best_rank is None or rank > best_rank:
            best, best_rank = candidate, rank
    if best is None:
        if all(not any(any(cell_text(v) for v in row) for row in t.rows) for t in workbook.sheets):
            raise ImportFailed([RowError(0, "", "工作表是空的，没有表头和数据")])
        names = "、".join(f"「{c.header}」" for c in columns if c.required)
        shown = "、".join(f"「{t.sheet_name}」" for t in workbook.sheets if t.sheet_name)
        where = f"工作表{shown}" if shown else ""
        raise ImportFailed([RowError(0, "", f"未找到表头行：{where}前 {HEADER_SEARCH_ROWS} 行中没有 {names} 等列名"
                                             + ("（只有说明文字？请确认文件中有数据所在的工作表）" if shown else ""))])

    table = best.table
    header_rows = tuple(range(best.index + 1, best.index + best.rows + 1))
    for c0, c1, group in best.empty_groups:
        span = f"第 {column_letters(c0 + 1)}–{column_letters(c1 + 1)} 列"
        errors.append(RowError(0, group, f"表头第 {header_rows[0]} 行{span}的合并单元格「{group}」下面没有子表头"
                                         f"（第 {header_rows[-1]} 行是空的），无法确定这些列的内容，请补上子表头或取消合并"))

    mapped: list[MappedColumn] = []
    for source in best.sources:
        key, how = _resolve(source, lookup, norm_mapping)
        column = by_key.get(key or "")
        mapped.append(MappedColumn(position=source.position, letter=column_letters(source.position + 1),
                                   header=source.header, match_text=source.match_text, key=key or "",
                                   field=column.header if column else "", how=how,
                                   note="按列映射不导入" if how == "mapping" and not key else ""))

    layout = Layout(kind=kind, filename=workbook.filename, format=workbook.format, sheet_name=table.sheet_name,
                    sheet_names=list(workbook.sheet_names or [t.sheet_name for t in workbook.sheets]),
                    sheet_note=_sheet_note(workbook, table, scores), header_rows=header_rows, columns=mapped,
                    errors=errors, kind_columns=columns, total_rows=table.total_rows,
                    identity_keys=tuple(k for k in identity_keys if k in by_key))
    _instruction_blocks(layout, table)
    _hint_rows(layout, table)
    _check_accepts(layout, table, by_key)
    _check_duplicates(layout, table, by_key)
    _check_required(layout, columns)
    if strict and layout.errors:
        raise ImportFailed(layout.errors, layout=layout)
    return layout


def _instruction_blocks(layout: Layout, table: Table) -> None:
    """Merged cells of the data area: a block over several columns is an instruction (its rows are
    skipped); a value merged down one column is copied to the rows it covers."""
    start = layout.data_start
    rows: set[int] = set()
    for r0, c0, r1, c1 in table.merged:
        if r0 < start:
            continue
        if c1 > c0:
            rows.update(range(r0, r1 + 1))
        elif r1 > r0 and r0 < len(table.rows):
            source = table.rows[r0]
            value = source[c0] if c0 < len(source) else ""
            for r in range(r0 + 1, min(r1 + 1, len(table.rows))):
                row = table.rows[r]
                if len(row) <= c0:
                    row.extend([""] * (c0 + 1 - len(row)))
                if row[c0] in ("", None):
                    row[c0] = value
    layout.instruction_rows = frozenset(rows)


def _is_hint_row(row: Sequence[object]) -> bool:
    texts = [t for t in (cell_text(v) for v in row) if t]
    if not texts:
        return False
    hints = sum(1 for t in texts if not t.replace(".", "").isdigit() and _HINT.search(t))
    return hints * 2 >= len(texts)


def _is_column_number_row(row: Sequence[object]) -> bool:
    """A row numbering the columns under the header (「1 2 3 4 …」, as statistical forms carry)."""
    numbers = []
    for value in row:
        text = cell_text(value)
        if not text:
            continue
        if not text.isdigit():
            return False
        numbers.append(int(text))
    return len(numbers) >= 3 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _hint_rows(layout: Layout, table: Table) -> None:
    hint_rows = []
    index = layout.data_start
    for index in range(layout.data_start, min(layout.data_start + HINT_SEARCH_ROWS, len(table.rows))):
        row = table.rows[index]
        if not any(cell_text(v) for v in row):
            continue
        if index in layout.instruction_rows:
            continue
        if not (_is_hint_row(row) or _is_column_number_row(row)):
            break
        hint_rows.append(index + 1)
    layout.hint_rows = tuple(hint_rows)


def _samples(layout: Layout, table: Table, position: int) -> list[object]:
    out: list[object] = []
    hints = {n - 1 for n in layout.hint_rows}
    for index in range(layout.data_start, len(table.rows)):
        if index in hints or index in layout.instruction_rows:
            continue
        row = table.rows[index]
        if position < len(row) and cell_text(row[position]):
            out.append(row[position])
            if len(out) >= ACCEPTS_SAMPLES:
                break
    return out


def _check_accepts(layout: Layout, table: Table, by_key: dict[str, Column]) -> None:
    for mapped in layout.columns:
        column = by_key.get(mapped.key)
        if mapped.how != "alias" or column is None or column.accepts is None:
            continue
        samples = _samples(layout, table, mapped.position)
        if not samples or column.accepts(samples):
            continue
        shown = []
        for value in samples:
            text = cell_text(value)
            if text not in shown:
                shown.append(text)
            if len(shown) >= _SAMPLE_SHOWN:
                break
        mapped.note = f"内容为{''.join(f'「{t}」' for t in shown)}，不是「{column.header}」的值，未使用"
        mapped.key, mapped.field, mapped.how = "", "", ""


def _check_duplicates(layout: Layout, table: Table, by_key: dict[str, Column]) -> None:
    """Two source columns on one field: a second same-header column takes the field's ``repeat_key``;
    of two columns matched by their headers of which one is empty throughout (a 文化程度 column left blank
    beside 学历), the filled one is used and the empty one listed as ignored; anything else is an error."""
    taken: dict[str, MappedColumn] = {}
    for mapped in layout.columns:
        if not mapped.key:
            continue
        first = taken.get(mapped.key)
        if first is None:
            taken[mapped.key] = mapped
            continue
        column = by_key[mapped.key]
        repeat = column.repeat_key
        if mapped.how == "alias" and first.how == "alias" and repeat and repeat not in taken:
            mapped.key = repeat
            mapped.field = by_key[repeat].header if repeat in by_key else f"{column.header}（第二列）"
            mapped.note = f"第二个「{column.header}」列"
            taken[repeat] = mapped
            continue
        if mapped.how == "alias" and first.how == "alias":
            empty = [m for m in (first, mapped) if not _samples(layout, table, m.position)]
            if len(empty) == 1:
                kept = mapped if empty[0] is first else first
                empty[0].note = f"本列没有内容，与第 {kept.letter} 列同为「{column.header}」，未使用"
                empty[0].key, empty[0].field, empty[0].how = "", "", ""
                taken[kept.key] = kept
                continue
        layout.errors.append(RowError(
            0, column.header,
            f"第 {first.letter} 列「{first.header}」和第 {mapped.letter} 列「{mapped.header}」都对应字段"
            f"「{column.header}」，请在列映射中只保留一个"))


def _check_required(layout: Layout, columns: Sequence[Column]) -> None:
    present = set(layout.positions)
    groups: dict[str, list[Column]] = {}
    for column in columns:
        if column.group:
            groups.setdefault(column.group, []).append(column)
    reported: set[str] = set()
    for column in columns:
        if not column.required or column.key in present:
            continue
        if column.group:
            members = groups[column.group]
            if any(m.key in present for m in members) or column.group in reported:
                continue
            reported.add(column.group)
            others = [m.header for m in members if m.key != column.key]
            extra = "（或" + "、".join(f"「{h}」" for h in others) + "）" if others else ""
            layout.errors.append(RowError(0, column.header, f"缺少必填列「{column.header}」{extra}"))
            continue
        layout.errors.append(RowError(0, column.header, f"缺少必填列「{column.header}」"))


# --- rows -------------------------------------------------------------------------------------------------

def _quote(text: str, limit: int = 20) -> str:
    return f"「{text[:limit]}…」" if len(text) > limit else f"「{text}」"


def iter_rows(layout: Layout, table: Table, *, limit: int | None = None) -> Iterator[SourceRow]:
    """The data rows of ``table`` read with ``layout`` (``SourceRow``: Excel row number, index, raw cells
    by key), skipping the hint and instruction rows with a warning in ``layout.skipped`` and the empty
    rows silently. ``limit``: stop after that many data rows."""
    positions = layout.positions
    if not positions:
        return
    keys = list(positions)
    needed = max(positions.values()) + 1
    pick = operator.itemgetter(*positions.values()) if len(keys) > 1 else (lambda raw: (raw[positions[keys[0]]],))
    identity = [keys.index(k) for k in layout.identity_keys if k in positions]
    identify = operator.itemgetter(*identity) if len(identity) > 1 else (lambda v: (v[identity[0]],)) if identity else None
    by_key = {c.key: c for c in layout.kind_columns}
    identity_label = "和".join(by_key[keys[i]].header if keys[i] in by_key else keys[i] for i in identity)
    hints = {n - 1 for n in layout.hint_rows}
    instructions = layout.instruction_rows
    special = hints | instructions
    skipped = layout.skipped
    count = 0
    rows = table.rows
    for index in range(layout.data_start, len(rows)):
        raw = rows[index]
        if len(raw) < needed:  # short CSV row: absent cells read as empty
            raw = [*raw, *([""] * (needed - len(raw)))]
        values = pick(raw)
        if index in special:
            # checked before the empty-row test: a merged 说明 block often starts in an unmapped column (序号)
            number = index + 1
            if index in hints:
                shown = "".join(_quote(t) for t in dict.fromkeys(cell_text(v) for v in values) if t)
                if shown:
                    skipped.append(RowError(number, "", f"第 {number} 行是填写提示（{_first(shown)}），已跳过"))
            else:
                text = next((cell_text(v) for v in raw if cell_text(v)), "")
                if text:  # the block's other rows are empty: skipped silently
                    skipped.append(RowError(number, "", f"第 {number} 行是合并单元格中的说明文字（{_quote(text)}），已跳过"))
            continue
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if identify is not None and not all(identify(values)):  # fast path: every identity cell filled
            number = index + 1
            present = [v for v in identify(values) if not (v is None or (isinstance(v, str) and not v.strip()))]
            if len(present) < len(identity):
                instruction = next((t for t in (cell_text(v) for v in values) if t and _INSTRUCTION.match(t)), "")
                if instruction and len(present) <= 1:
                    skipped.append(RowError(number, "", f"第 {number} 行是说明文字（{_quote(instruction)}），已跳过"))
                    continue
                if not present:
                    skipped.append(RowError(number, "", f"第 {number} 行没有{identity_label}，已跳过（提示行/说明行）"))
                    continue
        yield SourceRow(index + 1, index, dict(zip(keys, values, strict=True)))
        if limit is not None:
            count += 1
            if count >= limit:
                return


def _first(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# --- preview ----------------------------------------------------------------------------------------------

@dataclass
class Preview:
    """What the mapping page shows: the ``layout`` and the first data ``rows`` as they will be read —
    ``(Excel row number, {key: cell text})``, ID and phone numbers masked. ``partial``: only the first
    rows of a large file were scanned (``layout.skipped`` lists the skipped rows among them)."""

    layout: Layout
    rows: list[tuple[int, dict[str, str]]]
    partial: bool = False


def _masked(key: str, text: str) -> str:
    from zugong.core import idnumber
    from zugong.core.sealing import mask_phone

    if "id_number" in key:
        return idnumber.mask(text)
    if "phone" in key:
        return mask_phone(text)
    return text


def _preview_text(value: object) -> str:
    if hasattr(value, "isoformat"):
        if hasattr(value, "hour") and not (value.hour or value.minute or value.second):
            return value.date().isoformat()
        return value.isoformat()
    return cell_text(value)


def preview_import(importer, source, *, filename: str = "", mapping: dict[str, str] | None = None,
                   rows: int = 10) -> Preview:
    """The mapping page's view of ``source`` for ``importer`` (module docstring): ``Preview(layout,
    rows)``. No database access besides the permission check. Raises ``PermissionDeniedError`` (no
    ``<label>.import`` grant), ``FileRejected`` (unreadable file), ``ImportFailed`` (no header found);
    mapping problems are returned in ``layout.errors``, not raised."""
    from zugong.core.errors import PermissionDeniedError
    from zugong.core.files import read_workbook
    from zugong.core.scoping import can

    if not can(importer.user, importer.data_label, "import"):
        raise PermissionDeniedError("您没有导入数据的权限。")
    workbook = read_workbook(source, filename=filename, max_rows=HEADER_SEARCH_ROWS + PREVIEW_SCAN_ROWS)
    layout = detect_layout(workbook, importer.columns, mapping=mapping, preferred_sheets=importer.sheet_names,
                           kind=importer.kind, identity_keys=getattr(importer, "identity_keys", ()), strict=False)
    table = next(t for t in workbook.sheets if t.sheet_name == layout.sheet_name)
    out: list[tuple[int, dict[str, str]]] = []
    for row in iter_rows(layout, table):  # the whole scanned part: layout.skipped lists every skipped row in it
        if len(out) < rows:
            out.append((row.number, {k: _masked(k, _preview_text(v)) for k, v in row.cells.items()}))
    return Preview(layout=layout, rows=out, partial=table.truncated)
