"""Files holding personal data are owner-only from their creation (``core.filemodes``): the SQLite database
and its companions, backups and manifests, import uploads, CLI exports and error reports — 0600, their
directories 0700 — even under a permissive umask (022)."""

from __future__ import annotations

import io
import os
import secrets
import stat
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

import zugong
from tests import factories
from zugong.core import backup as backups
from zugong.core import filemodes
from zugong.core.import_jobs import save_upload, upload_dir

SRC = str(Path(zugong.__file__).resolve().parent.parent)  # this checkout, not an installed copy


def mode(path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@contextmanager
def umask(value: int):
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def test_zugong_migrate_creates_the_sqlite_database_owner_only(tmp_path):
    db = tmp_path / "fresh.sqlite3"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "PYTHONPATH": SRC,
           "DATABASE_URL": f"sqlite:///{db}", "ZUGONG_DEBUG": "1", "ZUGONG_FIELD_KEY": secrets.token_hex(32)}
    # the umask a shell usually has: SQLite alone would create the file 0644, readable by every local user
    script = "import os, sys; os.umask(0o022); from zugong.cli import main; main(sys.argv)"
    done = subprocess.run([sys.executable, "-c", script, "migrate", "--no-input", "-v", "0"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert mode(db) == 0o600
    for companion in filemodes.SQLITE_COMPANIONS:
        path = Path(f"{db}{companion}")
        if path.exists():
            assert mode(path) == 0o600, companion
    assert db.stat().st_size > 0  # really the migrated database


def test_existing_sqlite_files_are_restricted_and_new_ones_created_private(tmp_path):
    old = tmp_path / "old.sqlite3"
    old.write_bytes(b"")
    Path(f"{old}-wal").write_bytes(b"")
    os.chmod(old, 0o644)
    os.chmod(f"{old}-wal", 0o664)
    filemodes.prepare_sqlite_file(str(old))
    assert mode(old) == 0o600 and mode(f"{old}-wal") == 0o600
    with umask(0):
        filemodes.prepare_sqlite_file(tmp_path / "new.sqlite3")
    assert mode(tmp_path / "new.sqlite3") == 0o600
    for memory in (":memory:", "file:memorydb_default?mode=memory&cache=shared", ""):
        filemodes.prepare_sqlite_file(memory)  # nothing to create
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.sqlite3", "old.sqlite3", "old.sqlite3-wal"]


def test_open_private_is_0600_whatever_the_umask_and_refuses_links(tmp_path):
    with umask(0), filemodes.open_private(tmp_path / "a.bin") as fh:
        assert mode(tmp_path / "a.bin") == 0o600  # already before the first byte
        fh.write(b"x")
    with umask(0o277), filemodes.open_private(tmp_path / "b.bin") as fh:
        fh.write(b"x")
    assert mode(tmp_path / "b.bin") == 0o600
    (tmp_path / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OSError):
        filemodes.open_private(tmp_path / "link")
    assert not (tmp_path / "elsewhere").exists()


@pytest.fixture
def committed(transactional_db):
    """Committed data (pg_dump runs in another session), on a database emptied afterwards."""
    return factories.build_tree()


def test_backup_and_manifest_are_created_owner_only(committed, tmp_path, monkeypatch):
    seen = []
    for name in ("_backup_postgresql", "_backup_sqlite"):
        original = getattr(backups, name)

        def spy(path, original=original):
            seen.append(mode(path))  # the mode while the tool writes the data
            return original(path)

        monkeypatch.setattr(backups, name, spy)
    target = tmp_path / "new-dir" / "b.bak"
    with umask(0o022):
        report = backups.backup(path=target)
    assert seen == [0o600]
    assert mode(report.path) == 0o600 and mode(report.manifest_path) == 0o600
    assert mode(target.parent) == 0o700


def test_import_upload_is_owner_only_in_an_owner_only_directory(settings, tmp_path):
    settings.ZUGONG_IMPORT_TMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir(mode=0o755)
    os.chmod(tmp_path / "uploads", 0o755)  # noqa: S103 — left by an earlier version: tightened
    with umask(0o022):
        saved = save_upload(SimpleUploadedFile("花名册.xlsx", b"PK\x03\x04data"))
    try:
        assert mode(saved.path) == 0o600 and mode(saved.path.parent) == 0o700 and saved.path.parent == upload_dir()
    finally:
        saved.discard()
    assert (settings.FILE_UPLOAD_PERMISSIONS, settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS) == (0o600, 0o700)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX file ownership")
def test_upload_directory_of_another_user_is_refused(settings, tmp_path, monkeypatch):
    settings.ZUGONG_IMPORT_TMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir(mode=0o700)
    monkeypatch.setattr(os, "getuid", lambda: os.stat(tmp_path).st_uid + 1)  # as if planted by someone else
    with pytest.raises(PermissionError):
        upload_dir()


@pytest.mark.django_db
def test_cli_export_and_error_report_are_owner_only(tree, tmp_path):
    from tests.imports.helpers import ROSTER_HEADERS, member_row, xlsx

    output = tmp_path / "masked.xlsx"
    with umask(0o022):
        call_command("export_roster", "--user", "county", "--org", "C-A", "--as-of", "2025-01-01", "--output",
                     str(output), "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    assert mode(output) == 0o600  # masked, but names and birth dates are personal data too
    bad = member_row()
    bad[6] = "2023-02-30"
    source = tmp_path / "bad.xlsx"
    source.write_bytes(xlsx([ROSTER_HEADERS, bad]))
    report = tmp_path / "errors.xlsx"
    with umask(0o022), pytest.raises(CommandError):
        call_command("import_roster", str(source), "--user", "town_a", "--no-progress", "--error-report",
                     str(report), stdout=io.StringIO(), stderr=io.StringIO())
    assert mode(report) == 0o600
