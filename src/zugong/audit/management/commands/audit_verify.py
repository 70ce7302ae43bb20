"""``zugong audit verify``: recompute the audit hash chain; print the first broken link and exit 1."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zugong.audit.services import verify_chain


class Command(BaseCommand):
    help = "校验审计日志哈希链（HMAC-SM3）；发现断链时报告第一条断开的记录并以非零状态退出。"

    def handle(self, *args, **options):
        report = verify_chain()
        if report.first_broken_id is not None:
            raise CommandError(f"审计日志链断开：第一条异常记录 ID={report.first_broken_id}（{report.reason}）；"
                               f"已校验 {report.checked} 条。")
        self.stdout.write(self.style.SUCCESS(f"审计日志链完整：共校验 {report.checked} 条记录。"))
