"""Shared pieces of the import/export management commands (``zugong import orgs|roster``,
``zugong export_roster``, ``zugong stats party``): the acting user, the ``--as-of`` date, a tqdm progress
bar on stderr, the error table.

Every command acts as a user (``--user``): the same scope rules and audit as on the web; without
``--user`` the command refuses. Errors exit non-zero (``CommandError``) after printing a table
行 / 列 / 原因; nothing is written.

Column mapping (issue #9): every import command takes ``--layout NAME`` (a saved 导入版式 of its kind
visible to ``--user``, ``core.import_layouts.layout_by_name``) or ``--mapping FILE`` (JSON
``{"源列名": "字段（key 或中文列名）", "不要的列": ""}``), not both, and prints how the file was read
(``Layout.describe()``: sheet, header rows, each column → field, the IGNORED columns, skipped rows) before
the result — on stdout for a success, on stderr before the error table for a rejected file.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import RowError, ValidationFailed, ZugongError
from zugong.core.importing import error_report

MAX_PRINTED = 500


def acting_user(username: str | None):
    """The active user named ``username``; ``CommandError`` when missing, unknown or inactive."""
    if not username:
        raise CommandError("必须用 --user 指定操作用户：每个导入、导出都以某个用户的身份和权限进行，并记入审计日志。")
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active:
        raise CommandError(f"用户「{username}」不存在或已停用。")
    return user


def as_of_option(text: str) -> dt.date:
    """The ``--as-of`` option as a date: a complete date in the forms of ``core.dates.parse_date``;
    ``CommandError`` (Chinese) otherwise."""
    try:
        as_of, day_unknown = parse_date(text)
    except DateParseError as exc:
        raise CommandError(f"截至日期无效：{exc}")
    if as_of is None or day_unknown:
        raise CommandError("截至日期无效：应为完整日期 YYYY-MM-DD。")
    return as_of


class TqdmProgress:
    """``progress(phase, done, total)`` drawing one tqdm bar per phase on stderr (disabled when
    ``enabled`` is false, e.g. ``--no-progress`` or ``--verbosity 0``)."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled
        self.bar = None
        self.phase = ""

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = tqdm(total=total, desc=phase, unit="行", file=sys.stderr, leave=True, mininterval=0.5)
        if self.bar is not None:
            self.bar.update(max(done - self.bar.n, 0))

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(width - _width(text), 0)


def format_table(errors: Sequence[RowError], *, title: str = "原因", limit: int = MAX_PRINTED) -> str:
    """A plain-text table 行 | 列 | 原因 (CJK-aware column widths), at most ``limit`` rows."""
    rows = [("文件" if e.row == 0 else str(e.row), e.column or "—", e.reason) for e in errors[:limit]]
    w_row = max([_width("行"), *(_width(r[0]) for r in rows)])
    w_col = max([_width("列"), *(_width(r[1]) for r in rows)])
    lines = [f"{_pad('行', w_row)}  {_pad('列', w_col)}  {title}",
             f"{'-' * w_row}  {'-' * w_col}  {'-' * _width(title) * 2}"]
    lines += [f"{_pad(r[0], w_row)}  {_pad(r[1], w_col)}  {r[2]}" for r in rows]
    if len(errors) > limit:
        lines.append(f"……另有 {len(errors) - limit} 条未列出")
    return "\n".join(lines)



def load_mapping_file(path: str, columns) -> dict[str, str]:
    """The ``--mapping`` JSON file as ``{source header: field key or ""}``; the field may be named by its
    key, its Chinese header or an alias. ``CommandError`` (Chinese) for an unreadable file, a value that
    is not an object of texts, or an unknown field."""
    from zugong.core.layout import field_key

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise CommandError(f"找不到列映射文件：{path}")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CommandError(f"列映射文件「{path}」不是有效的 JSON：{exc}")
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, (str, type(None)))
                                             for k, v in data.items()):
        raise CommandError('列映射文件应为 JSON 对象：{"源列名": "字段（key 或中文列名）", "不要的列": ""}')
    mapping: dict[str, str] = {}
    unknown = []
    for source, target in data.items():
        key = field_key(columns, target or "")
        if key is None:
            unknown.append(f"「{source}」→「{target}」")
        else:
            mapping[source] = key
    if unknown:
        names = "、".join(c.header for c in columns)
        raise CommandError(f"列映射文件中有不存在的字段：{'、'.join(unknown)}。可用的字段：{names}")
    return mapping


def print_layout(stream, layout) -> None:
    """Write ``layout.describe()`` (how the file was read) to ``stream``; nothing when ``layout`` is None."""
    if layout is None:
        return
    stream.write("读取方式：")
    for line in layout.describe():
        stream.write(f"  {line}")


class ImportCommand(BaseCommand):
    """Base of ``import_orgs``/``import_roster``/``import_units``: arguments ``FILE --user [--dry-run]
    [--error-report PATH] [--no-progress] [--layout NAME | --mapping FILE]``; subclasses set ``title`` and
    ``kind`` (the registered import kind) and implement ``run_import`` (passing ``options["column_mapping"]``
    as the runner's ``mapping``)."""

    title = ""
    kind = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .xlsx、.xls 或 .csv 文件")
        parser.add_argument("--user", help="操作用户（用户名，必填）：按其权限范围导入并记入审计日志")
        parser.add_argument("--dry-run", action="store_true", dest="dry_run", help="只校验和统计，不写入")
        parser.add_argument("--error-report", dest="error_report",
                            help="有错误时，把带「错误说明」列的文件写到此路径（.xlsx）")
        parser.add_argument("--no-progress", action="store_true", dest="no_progress", help="不显示进度条")
        parser.add_argument("--layout", dest="layout", help="按已保存的导入版式（名称）读取各列")
        parser.add_argument("--mapping", dest="mapping_file",
                            help='列映射 JSON 文件：{"源列名": "字段（key 或中文列名）", "不要的列": ""}')

    def column_mapping(self, user, options) -> dict[str, str] | None:
        """The mapping named by ``--layout`` or read from ``--mapping`` (``None``: detect the columns)."""
        from zugong.core.import_layouts import layout_by_name
        from zugong.core.registry import import_kind

        name, path = options.get("layout"), options.get("mapping_file")
        if name and path:
            raise CommandError("--layout 和 --mapping 只能选一个。")
        if not name and not path:
            return None
        kind = import_kind(self.kind)
        if kind is None:  # pragma: no cover - every command names a registered kind
            raise CommandError(f"未登记的导入类型「{self.kind}」")
        if path:
            return load_mapping_file(path, kind.import_columns())
        try:
            layout = layout_by_name(user, kind, name)
        except ZugongError as exc:
            raise CommandError(exc.message)
        self.stdout.write(f"使用导入版式「{layout.name}」（{layout.organization.name}）")
        return dict(layout.mapping)

    def run_import(self, path, *, user, progress, options):  # pragma: no cover - abstract
        raise NotImplementedError

    def handle(self, *args, **options):
        user = acting_user(options.get("user"))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        options = {**options, "column_mapping": self.column_mapping(user, options)}
        progress = TqdmProgress(enabled=not options["no_progress"] and options["verbosity"] > 0)
        try:
            result = self.run_import(path, user=user, progress=progress, options=options)
        except ValidationFailed as exc:
            progress.close()
            print_layout(self.stderr, getattr(exc, "layout", None))
            self.stderr.write(format_table(exc.errors))
            report_path = options.get("error_report")
            if report_path:
                report = error_report(exc)
                if report:
                    target = Path(report_path)
                    target.touch(mode=0o600)  # the uploaded personal data, annotated: owner-only
                    target.chmod(0o600)
                    target.write_bytes(report)
                    self.stderr.write(f"已写出错误说明文件：{report_path}")
            raise CommandError(f"导入{self.title}失败：{exc.message}")
        except ZugongError as exc:
            progress.close()
            raise CommandError(exc.message)
        progress.close()
        print_layout(self.stdout, getattr(result, "layout", None))
        if result.warnings:
            self.stdout.write(f"警告 {len(result.warnings)} 条（不影响导入）：")
            self.stdout.write(format_table(result.warnings, title="说明"))
        prefix = "试运行（未写入任何数据）" if result.dry_run else "导入完成"
        self.stdout.write(self.style.SUCCESS(f"{prefix}：{result.summary()}（共 {result.total_rows} 行）"))
