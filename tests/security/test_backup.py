"""Backup and restore: pg_dump/pg_restore on PostgreSQL, the SQLite online backup API on SQLite; the
restore compares row counts per table with the backup's manifest."""

from __future__ import annotations

import io
import json
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests import factories
from zugong.audit.models import AuditEvent
from zugong.audit.services import verify_chain
from zugong.core import backup as backups
from zugong.core.errors import ZugongError
from zugong.people.models import Person


@pytest.fixture
def committed(transactional_db):
    """Committed data (pg_dump runs in another session), on a database emptied afterwards."""
    return factories.build_tree()


def test_backup_then_restore_round_trip(committed, tmp_path):
    target = tmp_path / "b.bak"
    out = io.StringIO()
    call_command("backup", str(target), stdout=out)
    assert "备份完成" in out.getvalue()
    manifest = json.loads((tmp_path / "b.bak.manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["people_person"] == 4
    assert manifest["tables"]["accounts_rolegrant"] == 4
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert AuditEvent.objects.filter(kind="backup").exists()
    # later changes ...
    factories.make_member(committed.branch_a2, "孙悦")
    assert Person.objects.count() == 5
    with pytest.raises(CommandError, match="行数核对不一致"):
        call_command("restore", str(target), "--check", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(target), stdout=io.StringIO())
    # ... are undone by the restore, and the row counts match the manifest
    out = io.StringIO()
    call_command("restore", str(target), "--yes", stdout=out)
    assert "一致" in out.getvalue()
    assert set(Person.objects.values_list("name", flat=True)) == {"张伟", "李娜", "王强", "阿依古丽"}
    assert Person.objects.get(name="张伟").id_number.startswith("110105")  # still decryptable
    restore_event = AuditEvent.objects.get(kind="restore")
    assert restore_event.data["mismatches"] == {}
    assert verify_chain().first_broken_id is None


def test_restore_refuses_a_modified_backup(committed, tmp_path):
    report = backups.backup(path=tmp_path / "c.bak")
    with report.path.open("ab") as fh:
        fh.write(b"tampered")
    with pytest.raises(ZugongError, match="SHA-256"):
        backups.restore(path=report.path)
    assert Person.objects.count() == 4


def test_backup_refuses_to_overwrite(committed, tmp_path):
    target = tmp_path / "d.bak"
    target.write_bytes(b"x")
    with pytest.raises(CommandError, match="已存在"):
        call_command("backup", str(target), stdout=io.StringIO())


def test_restore_without_manifest_refused(committed, tmp_path):
    bogus = tmp_path / "e.bak"
    bogus.write_bytes(b"not a backup")
    with pytest.raises(CommandError, match="清单"):
        call_command("restore", str(bogus), "--yes", stdout=io.StringIO())
