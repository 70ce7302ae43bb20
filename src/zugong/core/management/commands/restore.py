"""``zugong restore FILE --yes``: replace the database with a backup, then compare row counts per table
with the backup's manifest (exit 1 on any difference). ``--check`` only compares the current database
with the manifest."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zugong.core import backup as backups
from zugong.core.errors import ZugongError


class Command(BaseCommand):
    help = "用备份文件恢复数据库（覆盖当前数据），恢复后逐表核对行数。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件（同目录须有 .manifest.json 清单）")
        parser.add_argument("--yes", action="store_true", help="确认覆盖当前数据库（必填）")
        parser.add_argument("--check", action="store_true", help="不恢复，只核对当前数据库与清单的行数")

    def handle(self, *args, file, yes=False, check=False, **options):
        try:
            if check:
                manifest = backups.read_manifest(file)
                mismatches = backups.compare_counts(manifest["tables"], {
                    t: c for t, c in backups.table_counts().items() if t in manifest["tables"] or c})
            else:
                if not yes:
                    raise CommandError("恢复将覆盖当前数据库的全部数据；确认请加 --yes。")
                report = backups.restore(path=file)
                mismatches = report.mismatches
        except ZugongError as exc:
            raise CommandError(exc.message)
        if mismatches:
            for table, (expected, actual) in mismatches.items():
                self.stderr.write(f"  {table}: 备份 {expected if expected is not None else '—'} 行，"
                                  f"当前 {actual if actual is not None else '—'} 行")
            raise CommandError(f"行数核对不一致：{len(mismatches)} 张表。")
        self.stdout.write(self.style.SUCCESS(("核对" if check else "恢复完成，") + "各表行数与备份清单一致。"))
