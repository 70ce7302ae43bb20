"""Audit services: ``record_event`` appends one chained row; ``verify_chain`` finds the first broken link.

The write happens inside the caller's transaction, so a failed audit write rolls the business change
back (GB/T 22239-2019 8.1.4.3 安全审计). No plaintext ID numbers, passwords or tokens may be passed in
``summary``/``data``: callers pass masked values only.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from zugong.audit import checkpoint
from zugong.audit.models import AuditCheckpoint, AuditEvent
from zugong.core import crypto

_local = threading.local()
MIN_RETENTION_DAYS = 180


def set_request_context(*, request_id: str = "", ip_address: str = "", user=None) -> None:
    """Remember the current request's id, client address and user for events recorded in this thread."""
    _local.request_id = request_id
    _local.ip_address = ip_address
    _local.user = user


@contextmanager
def acting_user(user):
    """Within the block, events recorded without an explicit ``user`` (the change log) name ``user`` —
    for services called outside a request (scripts, tests, the API test client) with an actor. Inside a
    request whose context already names a user, that user stays. ``None`` changes nothing."""
    previous = getattr(_local, "user", None)
    if user is None or previous is not None:
        yield
        return
    _local.user = user
    try:
        yield
    finally:
        _local.user = previous


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

    The new row links to the head kept in the keyed checkpoint (``audit.checkpoint``), which is moved to
    the new row in the same transaction (one SELECT by primary key and one UPDATE more than the INSERT),
    so the event and the checkpoint commit or roll back together. Linking to the checkpoint rather than
    to the newest row in the table means rows written after a cut tail still expose the cut.
    Serialised per database (PostgreSQL advisory lock; SQLite's write lock) so the chain stays linear.
    Raises whatever the database raises: callers' transactions then roll back."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(7730001)")
    user = user if user is not None else getattr(_local, "user", None)
    authenticated = bool(user is not None and getattr(user, "is_authenticated", False))
    head = checkpoint.head_for_write()
    last = head.last_hash
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
    checkpoint.advance(head, event)
    return event


@dataclass
class ChainReport:
    """Result of ``verify_chain``: rows checked, the id of the first broken row (``None`` if every link
    holds) with its ``reason``, and ``problems`` between the table and its keyed checkpoint (truncation,
    forged or missing checkpoint …; Chinese sentences, empty when none). ``ok`` when both are clean."""

    checked: int
    first_broken_id: int | None
    reason: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every link holds and the table agrees with its checkpoint."""
        return self.first_broken_id is None and not self.problems


def _purge_anchors() -> set[str]:
    """Chain hashes of the last rows removed by ``purge_expired`` (recorded in ``audit_purge`` events);
    used only when there is no valid checkpoint to name the anchor."""
    return {str(d.get("last_deleted_hash", "")) for d in
            AuditEvent.objects.filter(kind="audit_purge").values_list("data", flat=True) if isinstance(d, dict)}


@contextmanager
def _snapshot():
    """One consistent read of the audit table and its checkpoint: a transaction (REPEATABLE READ on
    PostgreSQL when it is the outermost one), so events committed meanwhile do not look like a mismatch."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def verify_chain() -> ChainReport:
    """Walk the audit table in id order, recompute every link, and compare the table with its keyed
    checkpoint. Returns a ``ChainReport`` (never raises for tampering; database errors propagate).

    The first remaining row may link to a row removed by a retention purge; that is accepted only when
    the checkpoint (sealed with the field key) names that row's hash as its purge anchor — or, without a
    valid checkpoint, when an ``audit_purge`` event recorded it. Truncation of the newest rows, a
    missing, forged or rebuilt checkpoint are reported in ``problems`` (see ``audit.checkpoint``).
    Source: GB/T 22239-2019 8.1.4.3 安全审计 c/d."""
    with _snapshot():
        cp = AuditCheckpoint.objects.filter(pk=checkpoint.PK).first()
        if cp is not None and checkpoint.is_sealed(cp):
            anchors = {cp.purge_anchor} - {""}
        else:
            anchors = _purge_anchors()
        prev = None
        checked = 0
        last_id, last_hash = None, ""
        broken: tuple[int, str] | None = None
        for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
            checked += 1
            last_id, last_hash = event.pk, event.chain_hash
            if broken is not None:
                continue
            if prev is None:
                prev = ""
                if event.prev_hash and event.prev_hash in anchors:
                    prev = event.prev_hash
            if event.prev_hash != prev:
                broken = (event.pk, "前一条摘要不匹配（有记录被删除或插入）")
            elif compute_hash(prev, event) != event.chain_hash:
                broken = (event.pk, "记录内容与摘要不符（记录被修改）")
            prev = event.chain_hash
        found = checkpoint.problems(cp, rows=checked, last_id=last_id, last_hash=last_hash)
    if broken is not None:
        return ChainReport(checked, broken[0], broken[1], found)
    return ChainReport(checked, None, "", found)


@dataclass
class PurgeReport:
    """Result of ``purge_expired``: rows deleted, the cut-off time, the last deleted id."""

    deleted: int
    cutoff: dt.datetime
    last_deleted_id: int | None


def purge_expired(*, now: dt.datetime | None = None, dry_run: bool = False, user=None) -> PurgeReport:
    """Delete audit rows older than ``settings.ZUGONG_AUDIT_RETENTION_DAYS`` (never fewer than
    ``MIN_RETENTION_DAYS`` = 180: 《网络安全法》 Art. 21 (3) keeps network logs ≥ 6 months).

    Only a contiguous prefix of the chain is removed, and only when the chain verifies: a broken chain
    is evidence and raises ``ChainBroken``. The purge is itself audited (``audit_purge``) with the hash
    of the last deleted row, which ``verify_chain`` accepts as the new start. On PostgreSQL the
    append-only trigger lets the DELETE through only inside this transaction (``SET LOCAL
    zugong.audit_purge = 'on'``) and only for rows older than 180 days."""
    retention = max(int(settings.ZUGONG_AUDIT_RETENTION_DAYS), MIN_RETENTION_DAYS)
    cutoff = (now or timezone.now()) - dt.timedelta(days=retention)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(7730001)")
        last = AuditEvent.objects.filter(created_at__lt=cutoff).order_by("-id").values("id", "chain_hash").first()
        if last is None:
            return PurgeReport(0, cutoff, None)
        if AuditEvent.objects.filter(id__lte=last["id"], created_at__gte=cutoff).exists():
            # ids and times grow together; if not, take the prefix that is entirely expired
            boundary = AuditEvent.objects.filter(created_at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
            last = AuditEvent.objects.filter(id__lt=boundary).order_by("-id").values("id", "chain_hash").first()
            if last is None:
                return PurgeReport(0, cutoff, None)
        report = verify_chain()
        if not report.ok:
            raise ChainBroken(report)
        count = AuditEvent.objects.filter(id__lte=last["id"]).count()
        if dry_run:
            return PurgeReport(count, cutoff, last["id"])
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL zugong.audit_purge = 'on'")
            table = connection.ops.quote_name(AuditEvent._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE id <= %s", [last["id"]])  # noqa: S608 (table name from model meta)  # nosec B608
            if connection.vendor == "postgresql":
                cursor.execute("SET LOCAL zugong.audit_purge = 'off'")
        checkpoint.after_purge(deleted=count, last_deleted_id=last["id"], last_deleted_hash=last["chain_hash"])
        record_event("audit_purge", user=user, object_type="audit_event", object_id=last["id"],
                     summary=f"清理超过保存期限（{retention} 天）的审计记录 {count} 条",
                     data={"deleted_through_id": last["id"], "last_deleted_hash": last["chain_hash"], "count": count,
                           "cutoff": cutoff.isoformat(), "retention_days": retention})
    return PurgeReport(count, cutoff, last["id"])


class ChainBroken(Exception):
    """The audit chain is broken; ``report`` is the ``ChainReport``."""

    def __init__(self, report: ChainReport):
        parts = [f"审计日志链在第 {report.first_broken_id} 条记录处断开：{report.reason}"] \
            if report.first_broken_id is not None else []
        super().__init__("；".join(parts + report.problems))
        self.report = report
