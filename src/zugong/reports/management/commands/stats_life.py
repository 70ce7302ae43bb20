"""``zugong stats life``: the 组织生活统计 of an organization subtree for a period (issue #11).

    zugong stats life --org CODE --user USERNAME [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format json|text]
                      [--output PATH]

Scoped like the page and the API: ``--user`` names the account whose ``party.view`` scope applies (an
organization outside it is refused exactly like an unknown one). ``--to`` defaults to today (the demo data's
date while the demo is installed), ``--from`` to 1 January of ``--to``'s year; both inclusive. ``json``
(default) prints ``reports.life_stats.life_stats_json`` — the API's JSON, byte for byte the same dict —,
``text`` a readable summary. Errors exit non-zero with a Chinese message.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zugong.core.errors import ZugongError
from zugong.core.import_cli import acting_user
from zugong.demo.reference import default_as_of
from zugong.reports.life_stats import life_stats_json, life_stats_text, parse_period
from zugong.reports.services import scoped_organization


class Command(BaseCommand):
    help = "组织生活统计：按组织（含下级组织）和期间输出会议、出席率、发展党员、年报第八、九表（JSON 或文本）。"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织代码（统计该组织及其下级组织）")
        parser.add_argument("--user", required=True, help="以该用户的数据范围统计（用户名）")
        parser.add_argument("--from", dest="start", default="", help="起始日期 YYYY-MM-DD（含；默认截止日期当年1月1日）")
        parser.add_argument("--to", dest="end", default="", help="截止日期 YYYY-MM-DD（含；默认今天）")
        parser.add_argument("--format", choices=["json", "text"], default="json", help="输出格式（默认 json）")
        parser.add_argument("--output", help="输出文件路径（缺省时输出到屏幕）")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        try:
            start, end = parse_period(options["start"], options["end"], default_end=default_as_of()[0])
            organization = scoped_organization(user=user, code=options["org"])
            data = life_stats_json(user=user, organization=organization, start=start, end=end)
        except ZugongError as exc:
            raise CommandError(exc.message)
        text = (json.dumps(data, ensure_ascii=False, indent=2) + "\n" if options["format"] == "json"
                else life_stats_text(data))
        if options.get("output"):
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"已写入：{options['output']}"))
        else:
            self.stdout.write(text, ending="")
