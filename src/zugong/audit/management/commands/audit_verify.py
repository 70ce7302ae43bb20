"""``zugong audit verify``: recompute the audit hash chain and compare it with the keyed checkpoint of
its head; print every problem found (first broken link, truncation, forged or missing checkpoint) and
exit 1, else print the verified head."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from zugong.audit.models import AuditCheckpoint
from zugong.audit.services import verify_chain


class Command(BaseCommand):
    help = ("校验审计日志哈希链（HMAC-SM3）和链头检查点；发现断链、末尾被截断或检查点被篡改时逐条报告并以非零状态退出。")

    def handle(self, *args, **options):
        report = verify_chain()
        if not report.ok:
            lines = []
            if report.first_broken_id is not None:
                lines.append(f"审计日志链断开：第一条异常记录 ID={report.first_broken_id}（{report.reason}）")
            lines.extend(report.problems)
            raise CommandError("；\n".join(lines) + f"。\n已校验 {report.checked} 条记录。")
        cp = AuditCheckpoint.objects.filter(pk=1).first()
        head = (f"检查点：{cp.event_count} 条，最后一条 ID {cp.last_id}，链摘要 {cp.last_hash[:16]}…"
                if cp and cp.event_count else "尚无审计记录。")
        self.stdout.write(self.style.SUCCESS(f"审计日志链完整：共校验 {report.checked} 条记录。{head}"))
