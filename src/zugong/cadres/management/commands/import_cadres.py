"""``zugong import cadres FILE --user USERNAME [--unit CODE] [--dry-run] [--error-report PATH]
[--layout NAME | --mapping FILE]``: import a 干部名册 (issue #12 item 8; ``cadres.structure.importers``).

Runs ``import_cadre_roster`` as ``--user`` (``cadre.import`` scope, audit). ``--unit`` (单位代码) limits the
import to that unit's subtree and fills empty 单位 cells. On any error prints how the file was read and the
table 行 / 列 / 原因 and exits non-zero; nothing is written. The same file twice changes nothing.
"""

from __future__ import annotations

from zugong.cadres.structure.importers import import_cadre_roster
from zugong.core.import_cli import ImportCommand


class Command(ImportCommand):
    help = "导入干部名册（.xlsx、.xls 或 .csv）：按姓名和出生年月（或公民身份号码）新增或更新干部；任何一行有错误则全部不写入。"
    kind = "cadre_roster"
    title = "干部名册"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--unit", default="", help="单位代码：只导入该单位及其下级单位，「单位」为空的行归入该单位")

    def run_import(self, path, *, user, progress, options):
        return import_cadre_roster(path, user=user, dry_run=options["dry_run"], progress=progress,
                                   mapping=options["column_mapping"], unit=options.get("unit") or None)
