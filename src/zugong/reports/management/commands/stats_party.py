"""``zugong stats party``: the 党内统计 table of an organization subtree as of a date.

    zugong stats party --org CODE --as-of YYYY-MM-DD --user USERNAME [--format text|json|xlsx] [--output PATH]

Statistics are scoped: ``--user`` names the account whose data scope applies (an organization outside
it is refused exactly like an unknown one). ``text`` prints a readable table (with how many members lack a
statistics field, ``reports.quality.incomplete_counts``), ``json`` the result of
``party_statistics`` (Chinese keys), ``xlsx`` writes the 公报 table to ``--output`` (needs the
``party.export`` permission; audited). Errors exit with a non-zero status and a Chinese message.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zugong.core.errors import ZugongError
from zugong.core.import_cli import acting_user, as_of_option
from zugong.reports.exporters import party_statistics_xlsx, statistics_text
from zugong.reports.services import party_statistics, party_statistics_with_incomplete, scoped_organization


class Command(BaseCommand):
    help = "党内统计：按组织（含下级组织）和截至日期输出党内统计公报表（文本、JSON 或 Excel）。"
    # A read-only report: the static system checks (scope checks parse every view module, ~1 s of CPU) are
    # ``zugong check``'s and CI's job, not a cost of every statistic (issue #13: ``stats party`` ≤ 1 s).
    requires_system_checks: list = []

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码（统计该组织及其下级组织）")
        parser.add_argument("--as-of", required=True, dest="as_of", help="截至日期，YYYY-MM-DD")
        parser.add_argument("--user", required=True, help="以该用户的数据范围统计（用户名）")
        parser.add_argument("--format", choices=["text", "json", "xlsx"], default="text", help="输出格式（默认 text）")
        parser.add_argument("--output", help="输出文件路径（xlsx 必填；text/json 缺省时输出到屏幕）")

    def handle(self, *args, **options):
        fmt = options["format"]
        output = options.get("output")
        if fmt == "xlsx" and not output:
            raise CommandError("输出 Excel 时必须用 --output 指定文件路径。")
        as_of = as_of_option(options["as_of"])
        user = acting_user(options["user"])

        try:
            organization = scoped_organization(user=user, code=options["org"])
            if fmt == "xlsx":
                content, _ = party_statistics_xlsx(user=user, organization=organization, as_of=as_of)
                Path(output).write_bytes(content)
                self.stdout.write(self.style.SUCCESS(f"已导出：{output}"))
                return
            if fmt == "json":
                stats = party_statistics(user=user, organization=organization, as_of=as_of)
            else:  # the table and how many of its members lack a statistics field, from one read
                stats, incomplete = party_statistics_with_incomplete(user=user, organization=organization,
                                                                     as_of=as_of)
        except ZugongError as exc:
            raise CommandError(exc.message)

        if fmt == "json":
            text = json.dumps(stats, ensure_ascii=False, indent=2) + "\n"
        else:
            text = statistics_text(stats, organization, as_of, incomplete)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"已写入：{output}"))
        else:
            self.stdout.write(text, ending="")
