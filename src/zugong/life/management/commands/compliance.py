"""``zugong compliance``: the compliance of every branch of a subtree for a year (or one period).

    zugong compliance --org CODE --year YYYY --user USERNAME [--format json|xlsx] [--output FILE]
                      [--period YYYY-MM|YYYYQn|YYYY]

Scoped by ``--user`` (an organization outside the user's ``party.view`` scope is refused like an unknown
one: a Chinese message, exit status 1). ``json`` (default) prints or writes
``{"<组织代码>": {"<规则键>": {"应开": n, "已开": n, "缺": ["2023Q2", "2023-07", "2023"]}}}``
(``life.compliance.compliance_json``; the keys are the meeting types' Chinese names, the secretary's own
lecture ``党课（书记讲党课）``); ``xlsx`` writes the 晾晒 workbook to ``--output`` (needs ``party.export``;
audited). ``--period`` evaluates one month / quarter instead of the whole year (periods overlapping it).
Periods not yet ended are not owed (see ``life.compliance``).
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zugong.core.errors import ZugongError
from zugong.core.import_cli import acting_user
from zugong.life.compliance import compliance_json, evaluate, make_period, parse_period
from zugong.life.compliance_export import compliance_xlsx
from zugong.reports.services import scoped_organization


class Command(BaseCommand):
    help = "组织生活落实情况：按组织（含下级党支部）和年度检查三会一课等组织生活要求（JSON 或 Excel）。"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码（检查该组织及其下级党支部）")
        parser.add_argument("--year", type=int, help="年度，YYYY（与 --period 二选一）")
        parser.add_argument("--period", help="期间：YYYY-MM（月）、YYYYQn（季度）或 YYYY（年）")
        parser.add_argument("--user", required=True, help="以该用户的数据范围检查（用户名）")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json", help="输出格式（默认 json）")
        parser.add_argument("--output", help="输出文件路径（xlsx 必填；json 缺省时输出到屏幕）")

    def handle(self, *args, **options):
        fmt, output = options["format"], options.get("output")
        if fmt == "xlsx" and not output:
            raise CommandError("输出 Excel 时必须用 --output 指定文件路径。")
        if bool(options.get("year")) == bool(options.get("period")):
            raise CommandError("请用 --year 指定年度，或用 --period 指定期间（二者选一）。")
        user = acting_user(options["user"])
        try:
            if options.get("period"):
                period = parse_period(options["period"])
            else:
                if not 1900 <= options["year"] <= 9999:
                    raise CommandError(f"年度「{options['year']}」无效。")
                period = make_period("year", options["year"])
            organization = scoped_organization(user=user, code=options["org"])
            if fmt == "xlsx":
                content, _ = compliance_xlsx(user=user, organization=organization, period=period)
                Path(output).write_bytes(content)
                self.stdout.write(self.style.SUCCESS(f"已导出：{output}"))
                return
            results = evaluate(user=user, organization=organization, start=period.start, end=period.end)
        except ZugongError as exc:
            raise CommandError(exc.message)
        text = json.dumps(compliance_json(results), ensure_ascii=False, indent=2) + "\n"
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"已写入：{output}"))
        else:
            self.stdout.write(text, ending="")
