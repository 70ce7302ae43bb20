"""``zugong quality``: the 数据质量 report of an organization subtree (``reports.quality``).

    zugong quality --org CODE --user USERNAME [--format json|xlsx] [--output PATH] [--as-of YYYY-MM-DD]

Scoped like the page: ``--user`` names the account whose ``party.view`` scope applies (an organization
outside it is refused exactly like an unknown one). ``json`` (default) prints ``QualityReport.as_dict()``
(shape in ``reports.quality``'s docstring) or writes it to ``--output``; ``xlsx`` writes the workbook to
``--output`` (needs ``party.export`` on the organization; audited). ``--as-of`` defaults to today (the
demo's date while the demo data is installed, as on the page). Errors exit non-zero with a Chinese message.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from zugong.core.errors import ZugongError
from zugong.core.filemodes import open_private
from zugong.core.import_cli import acting_user, as_of_option
from zugong.demo.reference import default_as_of
from zugong.reports.quality import quality_report, quality_xlsx
from zugong.reports.services import scoped_organization


class Command(BaseCommand):
    help = "数据质量：列出组织（含下级组织）中缺少统计项目或需要核查的党员和党组织（JSON 或 Excel）。"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码（检查该组织及其下级组织）")
        parser.add_argument("--user", required=True, help="以该用户的数据范围检查（用户名）")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json", help="输出格式（默认 json）")
        parser.add_argument("--output", help="输出文件路径（xlsx 必填；json 缺省时输出到屏幕）")
        parser.add_argument("--as-of", dest="as_of", help="截至日期 YYYY-MM-DD（默认今天）")

    def handle(self, *args, **options):
        fmt, output = options["format"], options.get("output")
        if fmt == "xlsx" and not output:
            raise CommandError("输出 Excel 时必须用 --output 指定文件路径。")
        as_of = as_of_option(options["as_of"]) if options.get("as_of") else default_as_of()[0]
        user = acting_user(options["user"])
        try:
            organization = scoped_organization(user=user, code=options["org"])
            if fmt == "xlsx":
                content, _ = quality_xlsx(user=user, organization=organization, as_of=as_of)
                with open_private(output) as fh:  # names of people: owner-only, like every CLI export
                    fh.write(content)
                self.stdout.write(self.style.SUCCESS(f"已导出：{output}"))
                return
            report = quality_report(user=user, organization=organization, as_of=as_of)
        except ZugongError as exc:
            raise CommandError(exc.message)
        text = json.dumps(report.as_dict(), ensure_ascii=False, indent=2) + "\n"
        if output:
            with open_private(output) as fh:
                fh.write(text.encode("utf-8"))
            self.stdout.write(self.style.SUCCESS(f"已写入：{output}"))
        else:
            self.stdout.write(text, ending="")
