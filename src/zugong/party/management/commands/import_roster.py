"""``zugong import roster FILE --user USERNAME [--accept-bad-checksum] [--dry-run] [--layout NAME | --mapping FILE]``: import a
党员花名册 (.xlsx/.csv).

Runs ``party.importers.import_roster`` as ``--user`` (scope, audit). ``--accept-bad-checksum`` turns
a wrong ID-number check character into a warning. On any error prints the table 行 / 列 / 原因 and
exits non-zero; nothing is written. ``--error-report PATH`` also writes the file with a 「错误说明」
column. Progress bar on stderr. ``--layout``/``--mapping``: how the columns are read (``core.import_cli``);
the reading (sheet, header, each column, the ignored columns) is printed before the result.
"""

from __future__ import annotations

from zugong.core.import_cli import ImportCommand
from zugong.party.importers import import_roster


class Command(ImportCommand):
    help = "导入党员花名册（.xlsx、.xls 或 .csv）：按公民身份号码新增或更新党员；任何一行有错误则全部不写入。"
    kind = "roster"
    title = "党员花名册"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--accept-bad-checksum", action="store_true", dest="accept_bad_checksum",
                            help="把公民身份号码校验码错误作为警告接受（仅在确认原始数据如此时使用）")

    def run_import(self, path, *, user, progress, options):
        return import_roster(path, user=user, accept_bad_checksum=options["accept_bad_checksum"],
                             dry_run=options["dry_run"], progress=progress,
                             mapping=options["column_mapping"])
