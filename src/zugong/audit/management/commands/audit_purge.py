"""``zugong audit purge``: delete audit rows older than the retention period (≥ 180 days).

Refuses when the chain is broken (the broken rows are evidence). ``--dry-run`` only counts."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zugong.audit.services import ChainBroken, purge_expired


class Command(BaseCommand):
    help = "清理超过保存期限（ZUGONG_AUDIT_RETENTION_DAYS，不少于 180 天）的审计记录；清理本身记入审计日志。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只统计将清理的记录数，不删除")

    def handle(self, *args, dry_run=False, **options):
        try:
            report = purge_expired(dry_run=dry_run)
        except ChainBroken as exc:
            raise CommandError(f"{exc}。链不完整时不清理，请先调查。")
        when = report.cutoff.strftime("%Y-%m-%d %H:%M")
        if dry_run:
            self.stdout.write(f"将清理 {when} 之前的审计记录 {report.deleted} 条（保存期限 "
                              f"{settings.ZUGONG_AUDIT_RETENTION_DAYS} 天）。")
        else:
            self.stdout.write(self.style.SUCCESS(f"已清理 {when} 之前的审计记录 {report.deleted} 条。"))
