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
