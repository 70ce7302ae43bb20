"""``zugong stats annual``: the 党内统计年报 of an organization subtree for a year (issue #10).

    zugong stats annual --org CODE --year YYYY --user USERNAME [--format text|json|xlsx|package] [--output PATH]
                        [--strict]

Scoped like every statistic: ``--user`` names the account whose ``party.view`` scope applies (an
organization outside it is refused exactly like an unknown one). ``text`` prints every table as readable
aligned blocks (wide tables split into column groups) followed by the consistency checks (逻辑校验) and
the records to fix; ``json`` prints the API's JSON (``reports.annual_export.annual_json``:
``AnnualReport.to_json()`` — ``{"年度", "截至日期", "<table title>": …}`` — plus 组织代码, 填报单位 and the checks
under ``"逻辑校验"``); ``xlsx`` writes the page's workbook (``reports.annual_export.annual_report_xlsx``:
needs the ``party.export`` permission; audited as an ``export`` event) to ``--output``; ``package`` writes
the signed package for the upper level (``reports.package.build_package``: the tables as additive cells,
the organizations covered, this instance's id, checksum and signature — needs ``zugong instance init``
first and the ``party.export`` permission; audited as ``annual_package``) to ``--output``, which must not
exist yet (a package is never overwritten: the upper level may hold the old one). ``--strict``
exits with status 2 when a check fails. Errors exit with a non-zero status and a Chinese message.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zugong.core.errors import ZugongError
from zugong.core.filemodes import open_private
from zugong.core.import_cli import acting_user
from zugong.reports.annual import AnnualReport, annual_report
from zugong.reports.annual_export import annual_json, annual_report_xlsx
from zugong.reports.annual_layout import NON_PUBLIC, OCCUPATION_ROWS, PUBLIC, TABLE_1, TABLES, Table
from zugong.reports.services import scoped_organization

TEXT_WIDTH = 150  # display columns of a text block before a wide table is split


class Command(BaseCommand):
    help = "党内统计年报：按组织（含下级组织）和年度输出年报各表及逻辑校验（文本、JSON、Excel 或报送上级的上报包）。"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码（统计该组织及其下级组织）")
        parser.add_argument("--year", required=True, type=int, help="统计年度，如 2023（截至当年12月31日）")
        parser.add_argument("--user", required=True, help="以该用户的数据范围统计（用户名）")
        parser.add_argument("--format", choices=["text", "json", "xlsx", "package"], default="text",
                            help="输出格式（默认 text；package 为报送上级的签名汇总包）")
        parser.add_argument("--output", help="输出文件路径（xlsx、package 必填；text/json 缺省时输出到屏幕）")
        parser.add_argument("--strict", action="store_true", help="逻辑校验未通过时以状态 2 退出")

    def handle(self, *args, **options):
        fmt, output, year = options["format"], options.get("output"), options["year"]
        if fmt == "xlsx" and not output:
            raise CommandError("输出 Excel 时必须用 --output 指定文件路径。")
        if fmt == "package" and not output:
            raise CommandError("输出上报包时必须用 --output 指定文件路径。")
        if fmt == "package" and Path(output).exists():
            raise CommandError(f"文件 {output} 已存在：上报包不覆盖已有文件，请换一个文件名。")
        if not 1921 <= year <= 9999:
            raise CommandError(f"统计年度无效：{year}（应为 1921 以后的四位年份）。")
        user = acting_user(options["user"])
        try:
            organization = scoped_organization(user=user, code=options["org"])
            report = annual_report(user=user, organization=organization, year=year)
            if fmt == "package":
                from zugong.reports.package import build_package, package_bytes

                package = build_package(user=user, organization=report.organization, year=report.year, report=report)
                with open_private(output, exclusive=True) as handle:
                    handle.write(package_bytes(package))
                self.stdout.write(self.style.SUCCESS(
                    f"已生成上报包：{output}（实例 {package['payload']['instance']['id']}，"
                    f"组织 {len(package['payload']['organizations'])} 个，SHA-256 {package['checksum']['value']}）"))
            elif fmt == "xlsx":
                Path(output).write_bytes(annual_report_xlsx(user=user, organization=report.organization,
                                                            year=report.year, report=report)[0])
                self.stdout.write(self.style.SUCCESS(f"已导出：{output}"))
            else:
                text = (json.dumps(annual_json(report), ensure_ascii=False, indent=2) + "\n" if fmt == "json"
                        else report_text(report))
                if output:
                    Path(output).write_text(text, encoding="utf-8")
                    self.stdout.write(self.style.SUCCESS(f"已写入：{output}"))
                else:
                    self.stdout.write(text, ending="")
        except ZugongError as exc:
            raise CommandError(exc.message)
        if options["strict"] and not report.ok:
            failed = sum(not c.ok for c in report.checks)
            raise CommandError(f"逻辑校验有 {failed} 项未通过。", returncode=2)


# --------------------------------------------------------------------------------------------------
# Text
# --------------------------------------------------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(width - _width(text), 0)
    return gap + text if right else text + gap


def _first_table_rows(data: dict) -> dict[str, int]:
    flat = {"上年底总数": data["上年底总数"], "本年增加": data["本年增加"]["合计"], "本年减少": data["本年减少"]["合计"]}
    flat |= {k: v for group in ("本年增加", "本年减少") for k, v in data[group].items() if k != "合计"}
    flat |= {k: data[k] for k in ("本年底应有数", "本年底实有数", "实有数与应有数之差")}
    return flat


def _value(table: Table, data: dict, row: str, column: str):
    if table is TABLE_1:
        return _first_table_rows(data)[row]
    return data[row][column]


def _printed_rows(table: Table) -> list[tuple[str, str | None]]:
    """``(label, row key)`` lines of ``table``: the 工作岗位 rows get the group lines 公有制单位 / 非公有制单位
    above their 合计 (as the forms print them; key ``None``), their rows indented under it."""
    lines = []
    for row in table.rows:
        group, _, _ = row.key.partition("·")
        grouped = table.rows is OCCUPATION_ROWS and group in (PUBLIC, NON_PUBLIC)
        if grouped and row.key == f"{group}·合计":
            lines.append(("  " * row.level + group, None))
        lines.append(("  " * (row.level + grouped) + row.label, row.key))
    return lines


def table_text(table: Table, data: dict) -> list[str]:
    """One table as aligned text: the heading, then blocks of columns that fit ``TEXT_WIDTH`` (the row
    labels repeated in each), blank cells (``None``) left empty."""
    printed = _printed_rows(table)
    labels = [label for label, _ in printed]
    label_width = max(_width(x) for x in [*labels, "项目"]) + 2
    widths = [max(_width(c.label), 6) + 2 for c in table.columns]
    blocks, current, used = [], [], label_width
    for index, width in enumerate(widths):
        if current and used + width > TEXT_WIDTH:
            blocks.append(current)
            current, used = [], label_width
        current.append(index)
        used += width
    blocks.append(current)
    lines = [table.heading]
    for block in blocks:
        lines.append(_pad("项目", label_width) + "".join(_pad(table.columns[i].label, widths[i], True) for i in block))
        lines.append("-" * (label_width + sum(widths[i] for i in block)))
        for label, key in printed:
            cells = []
            for i in block:
                value = None if key is None else _value(table, data, key, table.columns[i].key)
                cells.append(_pad("" if value is None else f"{value:,}", widths[i], True))
            lines.append((_pad(label, label_width) + "".join(cells)).rstrip())
        lines.append("")
    return lines


def report_text(report: AnnualReport) -> str:
    """Every table (``table_text``), then the checks: 全部通过, or each failed check with its figures and
    the records to fix."""
    org = report.organization
    lines = [f"党内统计年报 — {org.name}（{org.code}，{report.year}年度，截至 {report.as_of.year}年12月31日）", ""]
    for table in TABLES:
        lines += table_text(table, report.tables[table.title])
    failed = [c for c in report.checks if not c.ok]
    lines.append(f"逻辑校验：共 {len(report.checks)} 项，" + ("全部通过。" if not failed else f"{len(failed)} 项未通过："))
    for check in failed:
        lines.append(f"  × {check.name}（应为 {check.expected}，实为 {check.actual}）")
        for record in check.records:
            lines.append(f"      - {record.name}（{record.organization}）：{record.reason}")
    return "\n".join(lines) + "\n"
