"""``zugong maintain [--vacuum] [--analyze] [--report] [--tables T,…] [--min-size MB]``: table maintenance for
large installations (issue #13; operator guide ``docs/operations.md``).

- PostgreSQL: ``--analyze`` runs ``ANALYZE`` and ``--vacuum`` ``VACUUM (ANALYZE)`` table by table (outside any
  transaction, as VACUUM requires), largest first, with a progress line per table; ``--report`` prints the
  tables' sizes, row estimates, dead rows, rows changed since the last ANALYZE and the last manual and
  automatic vacuum/analyze, then advice (tables never analyzed, many changes since ANALYZE, many dead rows).
- SQLite: ``--analyze`` runs ``ANALYZE`` and ``PRAGMA optimize``; ``--vacuum`` also ``VACUUM`` (rewrites the
  file); ``--report`` prints the file's pages and free pages and, per table, the analyzed row count (and
  sizes when SQLite has ``dbstat``).
- Without an option: ``--analyze --report``.

Tables smaller than ``--min-size`` MB (default 1) are left to autovacuum (PostgreSQL) and not listed;
``--tables`` names tables explicitly (an unknown name is an error). Exit status 1 on errors.
"""

from __future__ import annotations

import time
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone

from zugong.core import maintenance
from zugong.core.errors import ZugongError

MB = 1024 * 1024
DEAD_SHARE = 0.10  # dead rows above this share of the live rows: vacuum advised
CHANGED_SHARE = 0.10  # rows changed since ANALYZE above this share: analyze advised (autovacuum's default)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def _size(value: int | None) -> str:
    if value is None:
        return "—"
    for unit, factor in (("GB", 1024 ** 3), ("MB", MB), ("kB", 1024)):
        if value >= factor:
            return f"{value / factor:.1f} {unit}"
    return f"{value} B"


def _count(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def _when(manual, auto) -> str:
    """The later of a manual and an automatic run: 「12-01 07:05（自动）」, 「从未」."""
    stamps = [(t, label) for t, label in ((manual, ""), (auto, "（自动）")) if t is not None]
    if not stamps:
        return "从未"
    stamp, label = max(stamps, key=lambda s: s[0])
    return timezone.localtime(stamp).strftime("%Y-%m-%d %H:%M") + label


def table_lines(stats: list[maintenance.TableStats]) -> list[str]:
    """The report as aligned text lines (CJK-aware widths)."""
    header = ("表", "名称", "总大小", "表数据", "索引", "估计行数", "死行", "分析后修改", "上次清理", "上次分析")
    rows = [(s.table, s.label, _size(s.total_bytes), _size(s.table_bytes), _size(s.index_bytes), _count(s.rows),
             _count(s.dead_rows), _count(s.modified_since_analyze), _when(s.last_vacuum, s.last_autovacuum),
             _when(s.last_analyze, s.last_autoanalyze)) for s in stats]
    if connection.vendor != "postgresql":  # no per-table vacuum statistics on SQLite
        header, rows = header[:6], [r[:6] for r in rows]
    widths = [max(_width(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    numeric = {2, 3, 4, 5, 6, 7}
    def line(r):
        return "  ".join(_pad(str(v), widths[i], right=i in numeric) for i, v in enumerate(r)).rstrip()
    return [line(header), "  ".join("-" * w for w in widths), *(line(r) for r in rows)]


def advice(stats: list[maintenance.TableStats]) -> list[str]:
    """PostgreSQL: tables that need ``ANALYZE`` (never analyzed, or changed by more than ``CHANGED_SHARE``)
    or ``VACUUM`` (dead rows above ``DEAD_SHARE`` of the live rows)."""
    out = []
    for s in stats:
        live = s.live_rows or 0
        if s.last_analyze is None and s.last_autoanalyze is None and live:
            out.append(f"{s.table}：从未分析（ANALYZE），查询计划按猜测的行数制定 → zugong maintain --analyze")
        elif s.modified_since_analyze and live and s.modified_since_analyze > CHANGED_SHARE * live:
            out.append(f"{s.table}：上次分析后修改了 {s.modified_since_analyze:,} 行（{s.modified_since_analyze / live:.0%}）"
                       " → zugong maintain --analyze")
        if s.dead_rows and s.dead_rows > DEAD_SHARE * max(live, 1) and s.dead_rows >= 1000:
            out.append(f"{s.table}：死行 {s.dead_rows:,}（活行的 {s.dead_rows / max(live, 1):.0%}）→ zugong maintain --vacuum")
    return out


class Command(BaseCommand):
    help = "数据库维护：分析（ANALYZE）、清理（VACUUM）大表，报告表大小、估计行数、死行和上次清理/分析时间。"

    def add_arguments(self, parser):
        parser.add_argument("--analyze", action="store_true",
                            help="更新查询规划器的统计信息（PostgreSQL 逐表 ANALYZE；SQLite ANALYZE 与 PRAGMA optimize）")
        parser.add_argument("--vacuum", action="store_true",
                            help="清理（PostgreSQL 逐表 VACUUM (ANALYZE)；SQLite 另执行 VACUUM，重写数据库文件）")
        parser.add_argument("--report", action="store_true", help="报告各表大小、估计行数、死行和上次清理/分析时间")
        parser.add_argument("--tables", default="", help="只处理这些表（逗号分隔的表名，如 people_person,party_membership）")
        parser.add_argument("--min-size", type=float, default=1.0,
                            help="只处理和列出不小于此大小（MB）的表，默认 1；0 为全部表（PostgreSQL）")

    def handle(self, *args, analyze=False, vacuum=False, report=False, tables="", min_size=1.0, **options):
        if not (analyze or vacuum or report):
            analyze = report = True
        if min_size < 0:
            raise CommandError("--min-size 不能为负数。")
        self.quiet = options.get("verbosity", 1) == 0
        wanted = [t.strip() for t in tables.split(",") if t.strip()]
        try:
            if connection.vendor == "postgresql":
                self._postgresql(analyze=analyze, vacuum=vacuum, report=report, wanted=wanted,
                                 min_bytes=int(min_size * MB))
            elif connection.vendor == "sqlite":
                if wanted:
                    raise CommandError("SQLite 不支持 --tables：分析和清理针对整个数据库文件。")
                self._sqlite(analyze=analyze, vacuum=vacuum, report=report)
            else:
                raise CommandError(f"不支持的数据库：{connection.vendor}")
        except ZugongError as exc:
            raise CommandError(exc.message)

    def _say(self, text: str = "", ending: str = "\n") -> None:
        if not self.quiet:
            self.stdout.write(text, ending=ending)
            self.stdout.flush()

    def _selected(self, wanted: list[str], min_bytes: int) -> list[maintenance.TableStats]:
        stats = maintenance.table_report(min_bytes=0 if wanted else min_bytes)
        if not wanted:
            return stats
        known = {s.table: s for s in stats}
        unknown = [t for t in wanted if t not in known]
        if unknown:
            raise CommandError(f"数据库中没有这些表：{'、'.join(unknown)}")
        return [known[t] for t in wanted]

    def _postgresql(self, *, analyze: bool, vacuum: bool, report: bool, wanted: list[str], min_bytes: int) -> None:
        selected = self._selected(wanted, min_bytes)
        if (analyze or vacuum) and not selected:
            self._say(f"没有不小于 {min_bytes / MB:g} MB 的表，较小的表由自动清理（autovacuum）处理；"
                      "全部处理请加 --min-size 0。")
        elif vacuum or analyze:
            verb = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
            total = len(selected)
            started = time.perf_counter()
            for k, s in enumerate(selected, start=1):
                self._say(f"[{k}/{total}] {verb} {s.table}（{s.label or '—'}，{_size(s.total_bytes)}）… ", ending="")
                t0 = time.perf_counter()
                if vacuum:
                    maintenance.vacuum_tables([s.table], analyze=True)
                else:
                    maintenance.analyze_tables([s.table])
                self._say(f"{time.perf_counter() - t0:.1f} 秒")
            self._say(f"{verb} 完成：{total} 张表，用时 {time.perf_counter() - started:.1f} 秒。")
        if report:
            stats = self._selected(wanted, min_bytes)  # after the runs: their times and counts
            everything = maintenance.table_report()
            self._say()
            self._say(f"数据库 {connection.settings_dict.get('NAME')}：{len(everything)} 张表，共 "
                      f"{_size(sum(s.total_bytes or 0 for s in everything))}；以下为不小于 {min_bytes / MB:g} MB 的表"
                      if not wanted else f"数据库 {connection.settings_dict.get('NAME')}：所选的表")
            for line in table_lines(stats):
                self._say(line)
            rest = len(everything) - len(stats)
            if rest > 0 and not wanted:
                self._say(f"另有 {rest} 张较小的表未列出（--min-size 0 列出全部）。")
            tips = advice(stats)
            self._say()
            if tips:
                self._say("建议：")
                for tip in tips:
                    self._say(f"  {tip}")
            else:
                self._say("所列各表的统计信息和死行数正常。")

    def _sqlite(self, *, analyze: bool, vacuum: bool, report: bool) -> None:
        if analyze or vacuum:
            steps = ["ANALYZE", "PRAGMA optimize"] + (["VACUUM"] if vacuum else [])
            self._say(f"SQLite：{'、'.join(steps)} … ", ending="")
            t0 = time.perf_counter()
            maintenance.optimize_sqlite(vacuum=vacuum)
            self._say(f"{time.perf_counter() - t0:.1f} 秒")
        if report:
            info = maintenance.sqlite_file_stats()
            stats = maintenance.table_report()
            self._say()
            self._say(f"SQLite 数据库文件：{_size(info['page_size'] * info['page_count'])}（{info['page_count']:,} 页），"
                      f"空闲页 {info['freelist_count']:,}（VACUUM 可收回 {_size(info['page_size'] * info['freelist_count'])}）")
            shown = [s for s in stats if (s.rows or 0) > 0 or (s.total_bytes or 0) >= MB]
            for line in table_lines(shown):
                self._say(line)
            if any(s.rows is None for s in stats) and not (analyze or vacuum):
                self._say("有的表尚无统计信息（从未分析）→ zugong maintain --analyze")

