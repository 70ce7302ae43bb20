"""Audit trail: one append-only table of events, each row chained to the previous by HMAC-SM3.

``kind`` is either ``change`` (automatic change log: model, object id, before/after values) or a domain
event (``login``, ``login_failed``, ``lockout``, ``grant_change``, ``unmask``, ``sensitive_view``,
``import``, ``export``, ``audit_read`` …). Rows are never updated (a PostgreSQL trigger
enforces it; on SQLite ``zugong audit verify`` detects tampering through the chain) and deleted only by
the retention purge (``zugong audit purge``, rows older than the retention period, at least 180 days).
"""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    """审计事件. ``chain_hash`` = HMAC-SM3(key, ``prev_hash`` ‖ canonical JSON of the row's content)."""

    scope_exempt = "audit log: read by the audit administrator only (audit.selectors)"

    created_at = models.DateTimeField("时间", db_index=True)
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor_username = models.CharField("操作人", max_length=150, blank=True)
    ip_address = models.CharField("IP地址", max_length=45, blank=True)
    request_id = models.CharField("请求ID", max_length=36, blank=True)
    kind = models.CharField("事件类型", max_length=30, db_index=True)
    object_type = models.CharField("对象类型", max_length=100, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    summary = models.CharField("摘要", max_length=500, blank=True)
    data = models.JSONField("详情", default=dict, blank=True)
    prev_hash = models.CharField("前一条摘要", max_length=64, blank=True)
    chain_hash = models.CharField("链摘要", max_length=64)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["kind", "ip_address", "created_at"], name="audit_kind_ip_time_idx")]
        verbose_name = "审计事件"
        verbose_name_plural = "审计事件"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.kind} {self.summary}"


class AuditCheckpoint(models.Model):
    """审计检查点: the keyed head of the chain, one row (``id=1``), written in the same transaction as every
    audit event so that cutting the tail of ``AuditEvent`` (deleting the newest rows, or all of them) is
    reported by ``zugong audit verify`` (GB/T 22239-2019 8.1.4.3 安全审计 c/d).

    ``event_count``/``last_id``/``last_hash`` describe the rows the table must hold; ``purged_through_id``
    and ``purge_anchor`` the prefix a retention purge removed legitimately; ``anomaly`` (sticky) why the
    checkpoint had to be rebuilt (it was missing or its MAC failed when an event was written). ``mac`` =
    HMAC-SM3(field key, all of these), so a database writer without the key cannot forge a checkpoint for a
    shorter chain. See ``zugong.audit.checkpoint``."""

    scope_exempt = "audit log: the hash-chain head, one row, never listed"

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    event_count = models.BigIntegerField("记录数", default=0)
    last_id = models.BigIntegerField("最后一条ID", default=0)
    last_hash = models.CharField("最后一条链摘要", max_length=64, blank=True)
    purged_through_id = models.BigIntegerField("已清理至ID", default=0)
    purge_anchor = models.CharField("清理锚点摘要", max_length=64, blank=True)
    anomaly = models.CharField("异常记录", max_length=300, blank=True)
    updated_at = models.DateTimeField("更新时间", null=True, blank=True)
    mac = models.CharField("校验码", max_length=64)

    class Meta:
        verbose_name = "审计检查点"
        verbose_name_plural = "审计检查点"

    def __str__(self) -> str:
        return f"审计检查点：{self.event_count} 条，最后 ID {self.last_id}"
