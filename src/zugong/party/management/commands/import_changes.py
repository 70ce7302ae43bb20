"""``zugong import changes FILE --user USERNAME [--dry-run] [--error-report PATH] [--layout NAME | --mapping FILE]``:
import a 党员变动台账 (one row per 党员变动: 公民身份号码, 姓名, 变动类型, 变动日期, 对方党组织, 出党方式, 原因 …).

Runs ``party.ledger.import_changes`` as ``--user`` (scope, audit): every row is checked against the member's
record with the lifecycle guards (《党章》, 《发展党员工作细则》, 《党员教育管理工作条例》) and recorded through
``party.services.event_record``. On any error prints how the file was read and the table 行 / 列 / 原因 and
exits non-zero; nothing is written. ``--dry-run`` checks everything and records nothing.
"""

from __future__ import annotations

from zugong.core.import_cli import ImportCommand
from zugong.party.ledger import import_changes


class Command(ImportCommand):
    help = "导入党员变动台账（.xlsx、.xls 或 .csv）：每行登记一次党员变动；任何一行有错误则全部不写入。"
    kind = "changes"
    title = "党员变动"

    def run_import(self, path, *, user, progress, options):
        return import_changes(path, user=user, dry_run=options["dry_run"], progress=progress,
                              mapping=options["column_mapping"])
