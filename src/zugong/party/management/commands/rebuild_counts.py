"""``zugong rebuild_counts [--org CODE]``: recompute the 党员计数 table from the memberships
(``party.counts.rebuild_counts``: atomic, audited as 重建党员计数) and print what it changed — one line per
organization that was out of step (组织代码, 名称, 计数表 → 实际, 差) and a summary. Run it when
``zugong check --counts`` reports differences (``docs/counts.md``). A progress bar on stderr.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from zugong.core.import_cli import TqdmProgress
from zugong.party.management.commands.check import difference_line, organization_for


class Command(BaseCommand):
    help = ("重建党员计数表：按组织关系重新计算各党组织的在册组织关系数（--org 只重建该组织及其下级），"
            "在一个事务中写入并记入审计日志，列出修正了哪些组织。")

    def add_arguments(self, parser):
        parser.add_argument("--org", metavar="CODE", help="只重建该组织代码的组织及其下级")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")

    def handle(self, *args, org=None, no_progress=False, **options):
        from zugong.party.counts import rebuild_counts

        organization = organization_for(org)
        progress = TqdmProgress(enabled=not no_progress and options.get("verbosity", 1) > 0)
        try:
            report = rebuild_counts(organization=organization, progress=progress)
        finally:
            progress.close()
        for d in report.fixed:
            self.stdout.write(f"已修正 {difference_line(d)}")
        where = f"{organization.code} {organization.name} 及其下级" if organization else "全部党组织"
        self.stdout.write(self.style.SUCCESS(
            f"党员计数已重建（{where}）：核对 {report.checked} 个组织，修正 {len(report.fixed)} 个"
            f"（计数表合计差 {sum(d.difference for d in report.fixed):+d}），"
            f"最近变动日期收紧 {report.tightened} 个。"))
