"""Audit services: ``record_event`` appends one chained row; ``verify_chain`` finds the first broken link.

The write happens inside the caller's transaction, so a failed audit write rolls the business change
back (GB/T 22239-2019 8.1.4.3 安全审计). No plaintext ID numbers, passwords or tokens may be passed in
``summary``/``data``: callers pass masked values only.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from zugong.audit.models import AuditEvent
from zugong.core import crypto

_local = threading.local()


def set_request_context(*, request_id: str = "", ip_address: str = "", user=None) -> None:
    """Remember the current request's id, client address and user for events recorded in this thread."""
    _local.request_id = request_id
    _local.ip_address = ip_address
    _local.user = user


def clear_request_context() -> None:
    """Forget the request context (end of request)."""
    for name in ("request_id", "ip_address", "user"):
        if hasattr(_local, name):
            delattr(_local, name)


def _clean(text: str) -> str:
    """Strip CR/LF and other control characters so a value cannot forge log lines."""
    return "".join(ch if ch.isprintable() else " " for ch in str(text))


def _content(event: AuditEvent) -> str:
    return json.dumps(
        {
            "created_at": event.created_at.isoformat(),
            "actor_id": event.actor_id,
            "actor_username": event.actor_username,
            "ip_address": event.ip_address,
            "request_id": event.request_id,
            "kind": event.kind,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "summary": event.summary,
            "data": event.data,
        },
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
        default=str,
    )


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    """HMAC-SM3 chain link of ``event`` after ``prev_hash``."""
    return crypto.cipher().lookup_hash(f"{prev_hash}|{_content(event)}")


@transaction.atomic
def record_event(kind: str, *, user=None, object_type: str = "", object_id: object = "", summary: str = "",
                 data: dict | None = None) -> AuditEvent:
    """Append an audit event and return it. ``user`` defaults to the request context's user.

    Serialised per database (PostgreSQL advisory lock; SQLite's write lock) so the chain stays linear.
    Raises whatever the database raises: callers' transactions then roll back."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7730001)")
    user = user if user is not None else getattr(_local, "user", None)
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    last = AuditEvent.objects.order_by("-id").values_list("chain_hash", flat=True).first() or ""
    data_json = json.loads(json.dumps(data or {}, ensure_ascii=False, default=str))
    event = AuditEvent(
        created_at=timezone.now(),
        actor_id=user.pk if authenticated else None,
        actor_username=_clean(user.get_username()) if authenticated else _clean(getattr(user, "username", "") or ""),
        ip_address=getattr(_local, "ip_address", "") or "",
        request_id=getattr(_local, "request_id", "") or "",
        kind=kind,
        object_type=object_type,
        object_id=_clean(str(object_id or "")),
        summary=_clean(summary)[:500],
        data=data_json,
        prev_hash=last,
    )
    event.chain_hash = compute_hash(last, event)
    event.save(force_insert=True)
    return event


@dataclass
class ChainReport:
    """Result of ``verify_chain``: rows checked and the id of the first broken row (``None`` if intact)."""

    checked: int
    first_broken_id: int | None
    reason: str = ""


def verify_chain() -> ChainReport:
    """Walk the audit table in id order and recompute every link. Returns a ``ChainReport``."""
    prev = ""
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        checked += 1
        if event.prev_hash != prev:
            return ChainReport(checked, event.pk, "前一条摘要不匹配（有记录被删除或插入）")
        if compute_hash(prev, event) != event.chain_hash:
            return ChainReport(checked, event.pk, "记录内容与摘要不符（记录被修改）")
        prev = event.chain_hash
    return ChainReport(checked, None)
