"""``zugong import units FILE --user USERNAME [--dry-run] [--layout NAME | --mapping FILE]``: import a 单位 sheet (.xlsx/.csv).

Runs ``orgs.unit_importers.import_units`` as ``--user`` (scope on the unit tree, audit). On any error
prints the table 行 / 列 / 原因 and exits non-zero; nothing is written. Progress bar on stderr. ``--layout``/``--mapping``: how the columns are read (``core.import_cli``);
the reading (sheet, header, each column, the ignored columns) is printed before the result.
"""

from __future__ import annotations

from zugong.core.import_cli import ImportCommand
from zugong.orgs.unit_importers import import_units


class Command(ImportCommand):
    help = "导入单位（.xlsx、.xls 或 .csv）：新建、更新单位；任何一行有错误则全部不写入。"
    kind = "units"
    title = "单位"

    def run_import(self, path, *, user, progress, options):
        return import_units(path, user=user, dry_run=options["dry_run"], progress=progress,
                            mapping=options["column_mapping"])
