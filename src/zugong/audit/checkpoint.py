"""The keyed checkpoint of the audit chain head (``AuditCheckpoint``): what makes a cut tail visible.

The hash chain alone proves that the rows which are present were not modified, inserted or removed in
the middle; it cannot show that the newest rows (or all of them) were deleted. The checkpoint row holds
the row count, the id and chain hash of the newest row, and the legitimate purge anchor, sealed with
HMAC-SM3 under the field key (``core.crypto``; the key is never in the database). It is written in the
same transaction as every audit event (``record_event``) and by the retention purge, so

- deleting the newest rows leaves ``checkpoint.last_id`` > the largest id in the table → truncation;
- deleting every row leaves ``checkpoint.event_count`` > 0 → truncation;
- a checkpoint rewritten to describe the shorter chain fails its MAC (the writer has no key) → tampering;
- an old, validly sealed checkpoint put back (replay): on PostgreSQL a trigger refuses any UPDATE that
  lowers ``last_id`` or ``purged_through_id`` and any DELETE (audit migration 0005); on SQLite the id
  counter ``sqlite_sequence`` (transactional, never lowered by Django) shows that larger ids were
  handed out than the checkpoint knows → reported as a rolled-back checkpoint.

Residual risk (documented in docs/security.md §5): someone who can rewrite the whole database (SQLite
file, or PostgreSQL superuser who disables triggers and resets the sequence) and kept an old checkpoint
can roll log and checkpoint back together; only a copy outside the database (off-host log shipping of
``zugong audit verify`` output, backups) shows that. Source: GB/T 22239-2019 8.1.4.3 安全审计 c/d
(审计记录应受到保护，避免受到未预期的删除、修改或覆盖).

Message layout sealed by the MAC: ``zugong-audit-checkpoint-v1|count|last_id|last_hash|purged_through_id|
purge_anchor|anomaly`` — the fixed prefix keeps it apart from chain links (``<hex>|{json}``) and lookup
hashes of ID numbers.
"""

from __future__ import annotations

import hmac as std_hmac

from django.db import connection
from django.utils import timezone

from zugong.audit.models import AuditCheckpoint, AuditEvent
from zugong.core import crypto

PK = 1
MAC_PREFIX = "zugong-audit-checkpoint-v1"


def checkpoint_mac(*, event_count: int, last_id: int, last_hash: str, purged_through_id: int, purge_anchor: str,
                   anomaly: str) -> str:
    """HMAC-SM3 hex digest (64 chars) sealing the checkpoint values. Raises ``ImproperlyConfigured``
    when the field key is missing or malformed (``crypto.cipher``)."""
    message = "|".join((MAC_PREFIX, str(int(event_count)), str(int(last_id)), last_hash or "",
                        str(int(purged_through_id)), purge_anchor or "", anomaly or ""))
    return crypto.cipher().lookup_hash(message)


def _values(cp) -> dict:
    return {"event_count": cp.event_count, "last_id": cp.last_id, "last_hash": cp.last_hash,
            "purged_through_id": cp.purged_through_id, "purge_anchor": cp.purge_anchor, "anomaly": cp.anomaly}


def is_sealed(cp: AuditCheckpoint) -> bool:
    """True when ``cp.mac`` is the HMAC of its values (constant-time comparison)."""
    return std_hmac.compare_digest(cp.mac or "", checkpoint_mac(**_values(cp)))


FIELDS = ("event_count", "last_id", "last_hash", "purged_through_id", "purge_anchor", "anomaly", "mac")


def _table() -> str:
    return connection.ops.quote_name(AuditCheckpoint._meta.db_table)


def load() -> AuditCheckpoint | None:
    """The stored checkpoint row, or ``None``. One primary-key SELECT in plain SQL: it runs for every
    audit event, where the ORM's query building costs more than the query."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(FIELDS)} FROM {_table()} WHERE id = %s", [PK])  # noqa: S608  # nosec B608
        row = cursor.fetchone()
    if row is None:
        return None
    cp = AuditCheckpoint(pk=PK, **dict(zip(FIELDS, row, strict=True)))
    cp._state.adding = False
    cp._state.db = connection.alias
    return cp


def seal(cp: AuditCheckpoint) -> AuditCheckpoint:
    """Set ``cp.mac`` (and ``updated_at``) from its values and save the row (plain-SQL UPDATE of the
    existing row, INSERT for a new one); returns ``cp``."""
    cp.mac = checkpoint_mac(**_values(cp))
    cp.updated_at = timezone.now()
    if cp._state.adding:
        cp.save(force_insert=True)
        cp._state.adding = False
        return cp
    columns = (*FIELDS, "updated_at")
    params = [getattr(cp, name) for name in FIELDS]
    params.append(connection.ops.adapt_datetimefield_value(cp.updated_at))
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_table()} SET {', '.join(f'{c} = %s' for c in columns)} WHERE id = %s",  # noqa: S608  # nosec B608
                       [*params, PK])
        if cursor.rowcount != 1:
            cp.save(force_insert=True)
    return cp


def _table_head() -> tuple[int, int, str, str, int]:
    """``(rows, largest id, its chain hash, prev_hash of the oldest row, oldest id)`` of the audit table."""
    count = AuditEvent.objects.count()
    last = AuditEvent.objects.order_by("-id").values_list("id", "chain_hash").first() or (0, "")
    first_prev = AuditEvent.objects.order_by("id").values_list("prev_hash", flat=True).first() or ""
    first_id = AuditEvent.objects.order_by("id").values_list("id", flat=True).first() or 0
    return count, last[0], last[1], first_prev if first_id else "", first_id


def head_for_write() -> AuditCheckpoint:
    """The checkpoint to extend with the next event. Call inside ``record_event``'s transaction, after
    its lock. Normally the stored row; when it is missing or its MAC does not verify, a checkpoint
    rebuilt from the table with a sticky ``anomaly`` note (so ``audit verify`` keeps reporting it: a
    forged checkpoint is never laundered by the next event). An empty table without a checkpoint is a
    fresh start (a new database whose migration-time checkpoint was emptied with the table, e.g. by
    Django's test flush) and is not an anomaly."""
    cp = load()
    if cp is not None and is_sealed(cp):
        return cp
    count, last_id, last_hash, first_prev, first_id = _table_head()
    if cp is None and count == 0:
        return AuditCheckpoint(pk=PK)
    when = timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")
    if cp is None:
        note = f"{when} 写入审计记录时发现检查点缺失，已按当时的 {count} 条记录重建"
        old_last_id = old_purged = 0
    else:
        note = f"{when} 写入审计记录时发现检查点校验码不符，已按当时的 {count} 条记录重建"
        old_last_id, old_purged = cp.last_id, cp.purged_through_id
    previous = cp.anomaly if cp is not None else ""
    rebuilt = cp or AuditCheckpoint(pk=PK)
    rebuilt.event_count = count
    # never lower the stored ids: the PostgreSQL trigger refuses it (and a forged high value then shows
    # as truncation next to the anomaly, which is what it is)
    rebuilt.last_id = max(last_id, old_last_id)
    rebuilt.last_hash = last_hash
    rebuilt.purged_through_id = max(first_id - 1 if first_prev else 0, old_purged)
    rebuilt.purge_anchor = first_prev
    rebuilt.anomaly = "；".join(x for x in (previous, note) if x)[:300]
    return rebuilt


def advance(cp: AuditCheckpoint, event: AuditEvent) -> None:
    """Move ``cp`` to ``event`` (just inserted) and save it sealed: one more row, new head."""
    cp.event_count += 1
    cp.last_id = max(cp.last_id, event.pk)
    cp.last_hash = event.chain_hash
    seal(cp)


def after_purge(*, deleted: int, last_deleted_id: int, last_deleted_hash: str) -> None:
    """Record a legitimate retention purge: ``deleted`` fewer rows, the chain now starts after
    ``last_deleted_id`` whose hash is the new anchor. Call in the purge transaction, after the DELETE."""
    cp = head_for_write()
    cp.event_count = max(cp.event_count - int(deleted), 0)
    cp.purged_through_id = int(last_deleted_id)
    cp.purge_anchor = last_deleted_hash
    seal(cp)


def allocated_max_id() -> int | None:
    """The largest audit id ever handed out, where the database keeps it transactionally: SQLite's
    ``sqlite_sequence`` (AUTOINCREMENT). ``None`` on other engines (a PostgreSQL sequence also advances
    for rolled-back inserts, so it proves nothing)."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [AuditEvent._meta.db_table])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def problems(cp: AuditCheckpoint | None, *, rows: int, last_id: int | None, last_hash: str) -> list[str]:
    """Chinese descriptions of everything wrong between checkpoint ``cp`` and the table as walked
    (``rows`` rows, newest ``last_id``/``last_hash``); empty when they agree. Reports, in this order:
    a missing checkpoint, a failed MAC, a recorded anomaly, truncation, a checkpoint behind the table,
    a replaced newest row, and (SQLite) ids handed out beyond the checkpoint."""
    out: list[str] = []
    allocated = allocated_max_id()
    shown_last = last_id if last_id is not None else "无"
    if cp is None:
        if rows:
            out.append(f"审计检查点缺失（检查点表被删除或清空）：数据库中有 {rows} 条审计记录、最后一条 ID {shown_last}")
        elif allocated:
            out.append(f"审计日志为空且检查点缺失，但已分配过审计记录 ID（最大 {allocated}）：审计日志和检查点可能被一并删除")
        return out
    if not is_sealed(cp):
        out.append("审计检查点的校验码（HMAC-SM3）不符：检查点被篡改或伪造")
    if cp.anomaly:
        out.append(f"审计检查点曾被重建：{cp.anomaly}")
    if (last_id or 0) < cp.last_id or rows < cp.event_count:
        out.append(f"审计日志被截断：检查点记录 {cp.event_count} 条、最后一条 ID {cp.last_id}，"
                   f"数据库中只有 {rows} 条、最后一条 ID {shown_last}")
    elif (last_id or 0) > cp.last_id or rows > cp.event_count:
        out.append(f"检查点落后于审计日志：检查点记录 {cp.event_count} 条、最后一条 ID {cp.last_id}，"
                   f"数据库中有 {rows} 条、最后一条 ID {shown_last}（检查点被回滚为旧值，或有记录绕过系统写入）")
    elif rows and last_hash != cp.last_hash:
        out.append(f"最后一条审计记录（ID {shown_last}）的链摘要与检查点不符：最后一条记录被替换")
    if allocated is not None and allocated > cp.last_id:
        out.append(f"已分配的最大审计记录 ID 为 {allocated}，大于检查点记录的最后一条 ID {cp.last_id}："
                   f"末尾记录被删除且检查点被回滚为旧值")
    return out
