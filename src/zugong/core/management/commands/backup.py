"""``zugong backup [FILE]``: back up the database (pg_dump / SQLite online backup API) with a manifest of
row counts per table; see ``zugong.core.backup``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zugong.core import backup as backups
from zugong.core.errors import ZugongError


class Command(BaseCommand):
    help = "备份数据库（PostgreSQL 用 pg_dump，SQLite 用在线备份接口），同时生成含各表行数和校验值的清单文件。"

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="备份文件路径（默认 ZUGONG_BACKUP_DIR/zugong-时间.dump|sqlite3）")

    def handle(self, *args, file=None, **options):
        try:
            report = backups.backup(path=file)
        except ZugongError as exc:
            raise CommandError(exc.message)
        self.stdout.write(self.style.SUCCESS(
            f"备份完成：{report.path}（{len(report.counts)} 张表，共 {sum(report.counts.values())} 行）；"
            f"清单：{report.manifest_path}"))
