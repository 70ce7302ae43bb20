"""``zugong stats aggregate``: add up the 年报 packages of lower-level instances (issue #13 item 7).

    zugong stats aggregate PACKAGE... --year YYYY --trust PATH [--format text|json|xlsx] [--output PATH]
                           [--user USERNAME] [--strict]

Every package is verified first (``reports.package.verify_packages``: checksum, a trusted instance, the
signature, the year and as-of convention, the table layout; then no package twice, no instance twice, no
organization in two packages). Any failure exits with status 1 and the reasons (each naming its file);
nothing is aggregated and no output file is written. Otherwise the tables are summed (derived cells
recomputed) and printed in the shapes of ``zugong stats annual``: ``text`` (the same aligned tables and
逻辑校验, followed by the packages added), ``json`` (``annual_json`` plus ``"汇总来源"``: one entry per
package) or ``xlsx`` (the same workbook; ``--output`` required). The upper level's 逻辑校验: each
instance's reported result, the table-level rules on each package and on the sum
(``reports.package.summed_checks``); ``--strict`` exits with status 2 when one fails.
``--trust``: a file of ``zugong instance export-key`` lines or a directory of such files (default
``ZUGONG_TRUSTED_INSTANCES``). ``--user`` names the operator for the audit event ``annual_aggregate``
(the packages are not in any database scope: the trust file decides what is accepted).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zugong.core.errors import ZugongError
from zugong.core.filemodes import open_private
from zugong.core.import_cli import acting_user
from zugong.reports.annual_export import annual_json, annual_xlsx
from zugong.reports.management.commands.stats_annual import report_text
from zugong.reports.package import (
    aggregate_report,
    aggregate_sources,
    load_trust,
    record_aggregate,
    verify_packages,
)


class Command(BaseCommand):
    help = "汇总下级实例报送的党内统计年报上报包：逐包核验校验和、签名、年度和组织范围后相加，输出年报各表及逻辑校验。"

    def add_arguments(self, parser):
        parser.add_argument("packages", nargs="+", metavar="PACKAGE", help="下级实例的上报包（zugong stats annual --format package）")
        parser.add_argument("--year", required=True, type=int, help="汇总的统计年度，如 2023")
        parser.add_argument("--trust", help="受信任的下级实例公钥文件或目录（zugong instance export-key 的输出）")
        parser.add_argument("--format", choices=["text", "json", "xlsx"], default="text", help="输出格式（默认 text）")
        parser.add_argument("--output", help="输出文件路径（xlsx 必填；text/json 缺省时输出到屏幕）")
        parser.add_argument("--user", help="操作用户（记入审计日志）")
        parser.add_argument("--strict", action="store_true", help="逻辑校验未通过时以状态 2 退出")

    def handle(self, *args, **options):
        fmt, output, year = options["format"], options.get("output"), options["year"]
        if fmt == "xlsx" and not output:
            raise CommandError("输出 Excel 时必须用 --output 指定文件路径。")
        if not 1921 <= year <= 9999:
            raise CommandError(f"统计年度无效：{year}（应为 1921 以后的四位年份）。")
        user = acting_user(options["user"]) if options.get("user") else None
        try:
            trust = load_trust(options.get("trust"))
            packages = verify_packages(options["packages"], year=year, trust=trust)
            report = aggregate_report(packages, year=year)
            sources = aggregate_sources(packages)
            if fmt == "xlsx":
                content = annual_xlsx(report)
            elif fmt == "json":
                content = (json.dumps({**annual_json(report), "汇总来源": sources}, ensure_ascii=False, indent=2)
                           + "\n").encode("utf-8")
            else:
                content = (report_text(report) + sources_text(sources)).encode("utf-8")
            record_aggregate(user=user, packages=packages, report=report, output_format=fmt)
        except ZugongError as exc:
            raise CommandError(exc.message)
        if output:
            with open_private(Path(output)) as handle:
                handle.write(content)
            self.stdout.write(self.style.SUCCESS(f"已汇总 {len(packages)} 个上报包：{output}"))
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
        if options["strict"] and not report.ok:
            failed = sum(not c.ok for c in report.checks)
            raise CommandError(f"逻辑校验有 {failed} 项未通过。", returncode=2)


def sources_text(sources: list[dict]) -> str:
    """The packages added, one line each (file, instance, 填报单位, organizations, generated, checksum)."""
    lines = ["", f"汇总来源：共 {len(sources)} 个上报包"]
    for s in sources:
        lines.append(f"  {s['文件']}：实例 {s['实例']}（{s['实例名称']}），填报单位 {s['填报单位']}（{s['组织代码']}），"
                     f"组织 {s['组织数']} 个，生成于 {s['生成时间']}，程序版本 {s['程序版本']}，SHA-256 {s['校验和']}")
    return "\n".join(lines) + "\n"
