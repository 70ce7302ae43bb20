"""``zugong stats cadres``: the 干部结构分析 of a unit subtree as of a date (issue #12 item 8).

    zugong stats cadres --org UNITCODE --user USERNAME [--as-of YYYY-MM-DD] [--format json|text] [--output PATH]

Scoped like the page and the API: ``--user`` names the account whose ``cadre.view`` scope applies. ``--org``
is a 单位代码; a unit outside the scope (or unknown) exits with status 2 and a Chinese message, as does a
user without any ``cadre.view`` grant. ``json`` (default) prints ``cadres.structure.analysis.cadre_structure``
— the API's JSON —, ``text`` the summary sentences and the table.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zugong.cadres.structure.analysis import cadre_structure, scoped_unit
from zugong.cadres.structure.exporters import structure_table
from zugong.core.errors import ZugongError
from zugong.core.import_cli import acting_user, as_of_option
from zugong.demo.reference import default_as_of


def structure_text(data: dict) -> str:
    """``cadre_structure``'s result as readable text."""
    lines = [f"干部结构分析 — {data['单位名称']}（{data['单位代码']}，含下级单位，截至 {data['截至日期']}）", ""]
    lines += data["摘要"]
    lines.append("")
    for item, category, n, pct, age in structure_table(data):
        shown = "" if pct is None else f"  {pct:.1f}%"
        average = "" if age is None else f"  平均年龄 {age:.1f}"
        lines.append(f"  {item}｜{category}：{n}{shown}{average}")
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "干部结构分析：按单位（含下级单位）和截至日期输出年龄、职务层次、学历、性别、民族、政治面貌和领导班子专业结构（JSON 或文本）。"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="单位代码（统计该单位及其下级单位）")
        parser.add_argument("--user", required=True, help="以该用户的干部信息范围统计（用户名）")
        parser.add_argument("--as-of", dest="as_of", default="", help="截至日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--format", choices=["json", "text"], default="json", help="输出格式（默认 json）")
        parser.add_argument("--output", help="输出文件路径（缺省时输出到屏幕）")

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        as_of = as_of_option(options["as_of"]) if options["as_of"] else default_as_of()[0]
        try:
            unit = scoped_unit(user=user, code=options["org"])
            data = cadre_structure(user=user, unit=unit, as_of=as_of)
        except ZugongError as exc:
            raise CommandError(exc.message, returncode=2)
        text = (json.dumps(data, ensure_ascii=False, indent=2) + "\n" if options["format"] == "json"
                else structure_text(data))
        if options.get("output"):
            Path(options["output"]).write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"已写入：{options['output']}"))
        else:
            self.stdout.write(text, ending="")
