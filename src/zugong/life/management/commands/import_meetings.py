"""``zugong import meetings FILE --user USERNAME [--dry-run] [--error-report PATH] [--layout NAME | --mapping FILE]``:
import a 三会一课台账 (one row per meeting: 党组织, 会议类型, 日期, 主题, 主持人, 记录人, 应到, 实到, 缺席人员).

Runs ``life.importers.import_meetings`` as ``--user`` (scope, audit): every row is checked as a page entry would
be (``life.services.meeting_check``). On any error prints how the file was read and the table 行 / 列 / 原因
and exits non-zero; nothing is written. ``--dry-run`` checks everything and records nothing. The same file
twice records nothing new.
"""

from __future__ import annotations

from zugong.core.import_cli import ImportCommand
from zugong.life.importers import import_meetings


class Command(ImportCommand):
    help = "导入三会一课台账（.xlsx、.xls 或 .csv）：每行登记一次会议；任何一行有错误则全部不写入。"
    kind = "meetings"
    title = "三会一课台账"

    def run_import(self, path, *, user, progress, options):
        return import_meetings(path, user=user, dry_run=options["dry_run"], progress=progress,
                               mapping=options["column_mapping"])
