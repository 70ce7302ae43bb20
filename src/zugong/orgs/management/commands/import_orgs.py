"""``zugong import orgs FILE --user USERNAME [--dry-run] [--layout NAME | --mapping FILE]``: import a 党组织 sheet (.xlsx/.csv).

Runs ``orgs.importers.import_organizations`` as ``--user`` (scope, audit). On any error prints the
table 行 / 列 / 原因 and exits non-zero; nothing is written. ``--error-report PATH`` also writes the
file with a 「错误说明」 column. Progress bar on stderr. ``--layout``/``--mapping``: how the columns are read (``core.import_cli``);
the reading (sheet, header, each column, the ignored columns) is printed before the result.
"""

from __future__ import annotations

from zugong.core.import_cli import ImportCommand
from zugong.orgs.importers import import_organizations


class Command(ImportCommand):
    help = "导入党组织（.xlsx、.xls 或 .csv）：新建、更新、调整上级组织；任何一行有错误则全部不写入。"
    kind = "orgs"
    title = "党组织"

    def run_import(self, path, *, user, progress, options):
        return import_organizations(path, user=user, dry_run=options["dry_run"], progress=progress,
                                    mapping=options["column_mapping"])
