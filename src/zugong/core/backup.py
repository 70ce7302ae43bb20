"""Backup and restore (GB/T 22239-2019 8.1.4.9 数据备份恢复) with a row-count check.

- PostgreSQL: ``pg_dump --format=custom`` taken inside a REPEATABLE READ transaction whose snapshot is
  exported to pg_dump (``--snapshot``), so the row counts in the manifest describe exactly the dumped
  data; restore with ``pg_restore --clean --if-exists --single-transaction`` (all or nothing).
- SQLite: the online backup API (``sqlite3.Connection.backup``) — never a file copy, which could catch a
  half-written page or miss the WAL; restore copies the backup into the live database the same way.
- Each backup writes ``<file>.manifest.json``: engine, time, SHA-256 of the file, and the row count of
  every table. ``restore`` refuses a file whose checksum differs, and afterwards compares the row
  counts table by table (``RestoreReport.mismatches``).
- Files are created with mode 0600 before anything is written to them (``core.filemodes``; pg_dump and
  SQLite keep the mode of the file they are given), the backup directory with 0700 when it is made.
  Sensitive columns stay encrypted in the backup; the field key is not in it (keep
  ``ZUGONG_FIELD_KEY`` separately, or the backup cannot be read).
- Both operations are audited (``backup``/``restore``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess  # nosec B404 — runs pg_dump/pg_restore with an argument list, never a shell
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from zugong.audit.services import record_event
from zugong.core.errors import ZugongError
from zugong.core.filemodes import PRIVATE_DIR, PRIVATE_FILE, create_private, open_private
from zugong.core.maintenance import analyze_tables

MANIFEST_FORMAT = "zugong-backup-1"


@dataclass
class BackupReport:
    """A finished backup: data file, manifest file, row counts per table."""

    path: Path
    manifest_path: Path
    counts: dict[str, int]


@dataclass
class RestoreReport:
    """A finished restore: ``mismatches`` maps table → (expected, actual); empty when every count matches."""

    path: Path
    counts: dict[str, int]
    mismatches: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def manifest_path_for(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _count_tables(cursor, tables: list[str], quote) -> dict[str, int]:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608  # nosec B608 — introspected table names
        counts[table] = int(cursor.fetchone()[0])
    return counts


def table_counts() -> dict[str, int]:
    """Row count of every table of the default database, without SQLite's own ``sqlite_*`` tables
    (e.g. the planner statistics ``sqlite_stat1``, which ``ANALYZE`` rewrites at will)."""
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_")]
        return _count_tables(cursor, tables, connection.ops.quote_name)


def _pg_env() -> tuple[list[str], dict[str, str]]:
    s = connection.settings_dict
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if s.get(key):
            env[name] = str(s[key])
    return ["--dbname", s["NAME"]], env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ZugongError(f"找不到 {name}，请安装与数据库版本一致的 PostgreSQL 客户端工具。")
    return found


def _default_path() -> Path:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    suffix = "dump" if connection.vendor == "postgresql" else "sqlite3"
    return Path(settings.ZUGONG_BACKUP_DIR) / f"zugong-{stamp}.{suffix}"


def backup(*, path: Path | str | None = None, user=None) -> BackupReport:
    """Write a backup of the default database to ``path`` (default ``ZUGONG_BACKUP_DIR/zugong-<time>.<ext>``)
    and its manifest, both mode 0600 from their creation (a new directory: 0700). Raises ``ZugongError``
    if the file exists or the tool fails."""
    path = Path(path) if path else _default_path()
    if path.exists() or path.is_symlink():
        raise ZugongError(f"备份文件已存在：{path}")
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    if connection.vendor not in ("postgresql", "sqlite"):
        raise ZugongError(f"不支持的数据库：{connection.vendor}")
    try:
        create_private(path)  # owner-only before pg_dump / SQLite write a byte into it
    except FileExistsError:
        raise ZugongError(f"备份文件已存在：{path}")
    try:
        counts = _backup_postgresql(path) if connection.vendor == "postgresql" else _backup_sqlite(path)
    except BaseException:
        path.unlink(missing_ok=True)  # no empty or half-written backup left behind
        raise
    os.chmod(path, PRIVATE_FILE)  # unchanged unless a tool replaced the file
    manifest = {
        "format": MANIFEST_FORMAT,
        "engine": connection.vendor,
        "created_at": timezone.now().isoformat(),
        "file": path.name,
        "sha256": _sha256(path),
        "tables": counts,
    }
    mpath = manifest_path_for(path)
    with open_private(mpath, binary=False) as fh:
        fh.write(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True))
    record_event("backup", user=user, object_type="database", object_id=connection.vendor,
                 summary=f"数据库备份：{path.name}（{len(counts)} 张表，{sum(counts.values())} 行）",
                 data={"file": path.name, "sha256": manifest["sha256"], "tables": len(counts), "rows": sum(counts.values())})
    return BackupReport(path=path, manifest_path=mpath, counts=counts)


def _backup_postgresql(path: Path) -> dict[str, int]:
    args, env = _pg_env()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count_tables(cursor, connection.introspection.table_names(cursor), connection.ops.quote_name)
            cmd = [_tool("pg_dump"), "--format=custom", "--no-owner", f"--snapshot={snapshot}", "--file", str(path), *args]
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # nosec B603
    if done.returncode != 0:
        path.unlink(missing_ok=True)
        raise ZugongError(f"pg_dump 失败：{done.stderr.strip()[:500]}")
    return counts


def _backup_sqlite(path: Path) -> dict[str, int]:
    connection.ensure_connection()
    target = sqlite3.connect(str(path))
    try:
        connection.connection.backup(target)
        cursor = target.cursor()
        tables = [r[0] for r in cursor.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'").fetchall()]
        return _count_tables(cursor, tables, lambda n: '"' + n.replace('"', '""') + '"')
    finally:
        target.close()


def read_manifest(path: Path | str) -> dict:
    """The manifest of backup ``path``; raises ``ZugongError`` if missing or not a Zugong manifest."""
    mpath = manifest_path_for(Path(path))
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ZugongError(f"无法读取备份清单 {mpath.name}：{exc}")
    if manifest.get("format") != MANIFEST_FORMAT or not isinstance(manifest.get("tables"), dict):
        raise ZugongError(f"{mpath.name} 不是组工备份清单。")
    return manifest


def compare_counts(expected: dict[str, int], actual: dict[str, int]) -> dict[str, tuple[int | None, int | None]]:
    """Tables whose row count differs (or that exist on one side only): table → (expected, actual)."""
    out = {}
    for table in sorted(set(expected) | set(actual)):
        if expected.get(table) != actual.get(table):
            out[table] = (expected.get(table), actual.get(table))
    return out


def restore(*, path: Path | str, user=None) -> RestoreReport:
    """Replace the default database's contents with backup ``path``, then compare row counts with the
    manifest. Raises ``ZugongError`` for a missing file, a checksum mismatch, an engine mismatch or a
    failed tool run (PostgreSQL restores in one transaction: nothing changes on failure)."""
    path = Path(path)
    if not path.is_file():
        raise ZugongError(f"备份文件不存在：{path}")
    manifest = read_manifest(path)
    if manifest["engine"] != connection.vendor:
        raise ZugongError(f"备份来自 {manifest['engine']}，当前数据库是 {connection.vendor}，不能直接恢复。")
    if _sha256(path) != manifest.get("sha256"):
        raise ZugongError("备份文件的 SHA-256 与清单不符（文件损坏或被修改），拒绝恢复。")
    if connection.in_atomic_block:
        raise ZugongError("不能在事务中恢复数据库。")
    if connection.vendor == "postgresql":
        args, env = _pg_env()
        connection.close()
        cmd = [_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
               *args, str(path)]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # nosec B603
        if done.returncode != 0:
            raise ZugongError(f"pg_restore 失败（数据库未改变）：{done.stderr.strip()[:500]}")
    else:
        connection.ensure_connection()
        source = sqlite3.connect(str(path))
        try:
            source.backup(connection.connection)
        finally:
            source.close()
    if connection.vendor == "postgresql":
        # pg_dump carries no planner statistics: analyze every restored table before the first pages are
        # planned (SQLite's sqlite_stat1 is a table of the file and comes back with it) — core.maintenance
        analyze_tables(manifest["tables"])
    counts = table_counts()
    expected = manifest["tables"]
    mismatches = compare_counts(expected, {t: c for t, c in counts.items() if t in expected or c})
    record_event("restore", user=user, object_type="database", object_id=connection.vendor,
                 summary=f"数据库恢复：{path.name}（{'行数核对一致' if not mismatches else f'{len(mismatches)} 张表行数不一致'}）",
                 data={"file": path.name, "sha256": manifest["sha256"], "backup_created_at": manifest.get("created_at"),
                       "mismatches": {t: list(v) for t, v in mismatches.items()}})
    return RestoreReport(path=path, counts=counts, mismatches=mismatches)

