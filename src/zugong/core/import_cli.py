"""Shared pieces of the import/export management commands (``zugong import orgs|roster``,
``zugong export_roster``, ``zugong stats party``): the acting user, the ``--as-of`` date, a tqdm progress
bar on stderr, the error table.

Every command acts as a user (``--user``): the same scope rules and audit as on the web; without
``--user`` the command refuses. Errors exit non-zero (``CommandError``) after printing a table
行 / 列 / 原因; nothing is written.
"""

from __future__ import annotations

import datetime as dt
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



class ImportCommand(BaseCommand):
    """Base of ``import_orgs``/``import_roster``: arguments ``FILE --user [--dry-run]
    [--error-report PATH] [--no-progress]``; subclasses set ``title`` and implement ``run_import``."""

    title = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .xlsx 或 .csv 文件")
        parser.add_argument("--user", help="操作用户（用户名，必填）：按其权限范围导入并记入审计日志")
        parser.add_argument("--dry-run", action="store_true", dest="dry_run", help="只校验和统计，不写入")
        parser.add_argument("--error-report", dest="error_report",
                            help="有错误时，把带「错误说明」列的文件写到此路径（.xlsx）")
        parser.add_argument("--no-progress", action="store_true", dest="no_progress", help="不显示进度条")

    def run_import(self, path, *, user, progress, options):  # pragma: no cover - abstract
        raise NotImplementedError

    def handle(self, *args, **options):
        user = acting_user(options.get("user"))
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        progress = TqdmProgress(enabled=not options["no_progress"] and options["verbosity"] > 0)
        try:
            result = self.run_import(path, user=user, progress=progress, options=options)
        except ValidationFailed as exc:
            progress.close()
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
        if result.warnings:
            self.stdout.write(f"警告 {len(result.warnings)} 条（不影响导入）：")
            self.stdout.write(format_table(result.warnings, title="说明"))
        prefix = "试运行（未写入任何数据）" if result.dry_run else "导入完成"
        self.stdout.write(self.style.SUCCESS(f"{prefix}：{result.summary()}（共 {result.total_rows} 行）"))
