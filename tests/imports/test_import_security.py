"""Import pages and jobs under attack or failure (issue #7): CSRF, a hostile cell echoed in an error,
a parser or a worker that dies, leftovers after a crash, over-size requests, a failure in the middle of
the write (nothing written, on SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.imports import hostile
from tests.imports.helpers import ROSTER_HEADERS, mapping_form, member_row, upload_and_confirm, xlsx
from zugong.audit.models import AuditEvent
from zugong.core import files, import_jobs
from zugong.core.import_jobs import INTERRUPTED_MESSAGE, LockedUpload
from zugong.core.models import ImportJob
from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership, PartyMember
from zugong.people.models import Person

pytestmark = pytest.mark.django_db

ROSTER_URL = "party:import_roster"
XSS = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def private_tmp(settings, tmp_path):
    settings.ZUGONG_IMPORT_TMP_DIR = str(tmp_path / "uploads")
    return tmp_path / "uploads"


def leftovers(directory) -> list[str]:
    return sorted(p.name for p in directory.iterdir()) if directory.exists() else []


def state():
    """Everything an import may write."""
    return (Person.objects.count(), PartyMember.objects.count(), Membership.objects.count(),
            PartyOrganization.objects.count(), AuditEvent.objects.count(), ImportJob.objects.count())


def roster_file(*rows) -> SimpleUploadedFile:
    return SimpleUploadedFile("花名册.xlsx", xlsx([ROSTER_HEADERS, *(rows or [member_row()])]))


# --- CSRF -----------------------------------------------------------------------------------------------

def test_upload_needs_the_csrf_token(tree, private_tmp):
    client = Client(enforce_csrf_checks=True)
    client.force_login(tree.town_user)
    assert client.get(reverse(ROSTER_URL)).status_code == 200  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    before = state()
    response = client.post(reverse(ROSTER_URL), {"file": roster_file()})
    assert response.status_code == 403
    assert state() == before and not Person.objects.filter(name="赵敏").exists()
    assert leftovers(private_tmp) == []  # the received upload was deleted with the request
    response = client.post(reverse(ROSTER_URL), {"file": roster_file(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and ImportJob.objects.get().status == "mapping"
    # the confirmation of the column mapping is CSRF-checked too: without the token nothing runs
    mapping_url = response["Location"]
    data = mapping_form(client, mapping_url)
    before = state()
    assert client.post(mapping_url, data).status_code == 403
    assert state() == before and ImportJob.objects.get().status == "mapping"
    response = client.post(mapping_url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 302
    assert ImportJob.objects.get().status == "succeeded" and Person.objects.filter(name="赵敏").exists()


# --- a hostile cell echoed in an error -------------------------------------------------------------------

def test_hostile_cell_in_an_error_is_escaped_on_the_job_page(client, tree):
    client.force_login(tree.town_user)
    response = upload_and_confirm(client, reverse(ROSTER_URL), {"file": roster_file(member_row(XSS), member_row(name=XSS))})
    job = ImportJob.objects.get()
    assert job.status == "failed" and any(XSS in e["reason"] for e in job.errors)  # echoed, as text
    for url in (response["Location"], reverse("party:import_roster_job_status", args=[job.pk])):
        page = client.get(url).content.decode()
        assert XSS not in page and "<img" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page


# --- the parser or the worker dies -----------------------------------------------------------------------

@pytest.mark.parametrize("parser", [hostile.die, hostile.allocate])
def test_job_whose_parser_dies_fails_with_a_message_and_deletes_the_upload(client, tree, private_tmp, settings,
                                                                         monkeypatch, parser):
    settings.ZUGONG_PARSE_MEMORY_MB = 300
    monkeypatch.setattr(files, "CHILD_PARSER", parser)
    client.force_login(tree.town_user)
    before = state()
    response = upload_and_confirm(client, reverse(ROSTER_URL), {"file": roster_file()})
    job = ImportJob.objects.get()
    assert job.status == "failed" and job.finished_at is not None
    assert "读取文件所需内存超过上限（300 MB）" in job.message
    assert "内存超过上限" in client.get(response["Location"]).content.decode()
    assert leftovers(private_tmp) == []
    assert state()[:5] == before[:5]


def test_job_whose_process_died_is_shown_as_failed_not_running(client, tree, private_tmp):
    """A job row left 「正在导入」 by a killed server process (its upload no longer locked by anyone)
    ends as failed as soon as its page is polled; a job whose upload is held stays running."""
    dead = ImportJob.objects.create(user=tree.town_user, kind="roster", filename="a.xlsx", status="running",
                                    phase="校验", progress=40)
    alive = ImportJob.objects.create(user=tree.town_user, kind="roster", filename="b.xlsx", status="running",
                                     phase="校验", progress=40)
    held = LockedUpload(".xlsx")
    held.attach_to_job(alive.pk)
    client.force_login(tree.town_user)
    try:
        page = client.get(reverse("party:import_roster_job_status", args=[dead.pk])).content.decode()
        assert INTERRUPTED_MESSAGE in page and "hx-trigger" not in page
        dead.refresh_from_db()
        assert dead.status == "error" and dead.finished and dead.message.startswith("导入失败")
        page = client.get(reverse("party:import_roster_job_status", args=[alive.pk])).content.decode()
        assert 'hx-trigger="every 1s"' in page
        alive.refresh_from_db()
        assert alive.status == "running"
    finally:
        held.discard()
    assert import_jobs.fail_interrupted_jobs() == 1  # now that its holder is gone
    alive.refresh_from_db()
    assert alive.status == "error" and alive.message == INTERRUPTED_MESSAGE


class Crash(BaseException):
    """Something that is not an ``Exception`` (as ``SystemExit`` in a worker thread)."""


def test_job_whose_worker_crashes_is_recorded_and_deletes_the_upload(tree, private_tmp):
    def crash(*args, **kwargs):
        raise Crash

    upload = LockedUpload(".xlsx")
    upload.write(b"personal data")
    job = ImportJob.objects.create(user=tree.town_user, kind="roster", filename="a.xlsx")
    upload.attach_to_job(job.pk)
    with pytest.raises(Crash):
        import_jobs.run_job(job.pk, upload, crash, {}, threaded=False)
    job.refresh_from_db()
    assert job.status == "error" and job.finished and "导入失败" in job.message
    assert leftovers(private_tmp) == []


def test_leftover_uploads_are_deleted_at_start_up_but_not_those_in_use(private_tmp):
    """``CoreConfig.ready`` (start-up) removes uploads nobody holds — a crashed process's — and keeps
    the ones a live import holds."""
    private_tmp.mkdir()
    (private_tmp / "upload-abc123.xlsx").write_bytes(b"110105199001010012")
    (private_tmp / "upload-7-def456.csv").write_bytes(b"110105199001010012")
    in_use = LockedUpload(".xlsx")
    try:
        apps.get_app_config("core").ready()
        assert leftovers(private_tmp) == [in_use.path.name]
    finally:
        in_use.discard()
    assert leftovers(private_tmp) == []


def test_submission_also_cleans_leftovers(client, tree, private_tmp):
    private_tmp.mkdir()
    (private_tmp / "upload-old.xlsx").write_bytes(b"x")
    os.utime(private_tmp / "upload-old.xlsx", (0, 0))
    client.force_login(tree.town_user)
    client.post(reverse(ROSTER_URL), {"file": roster_file()})
    assert leftovers(private_tmp) == []


# --- over-size requests ----------------------------------------------------------------------------------

def test_upload_larger_than_the_limit_by_its_declared_length_gets_the_size_message(client, tree, settings,
                                                                                   private_tmp):
    """Content-Length over the limit: the body is not read at all (this was a server error)."""
    settings.ZUGONG_MAX_UPLOAD_BYTES = 2000
    client.force_login(tree.town_user)
    def big():
        return SimpleUploadedFile("花名册.xlsx", os.urandom(200 * 1024))

    response = client.post(reverse(ROSTER_URL), {"file": big()})
    assert response.status_code == 400 and "文件超过大小上限（1 KB）" in response.content.decode()
    response = client.post(reverse(ROSTER_URL), {"file": big()}, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 400 and "文件超过大小上限" in response.json()["errors"][0]
    assert not ImportJob.objects.exists() and leftovers(private_tmp) == []


def test_form_fields_over_djangos_memory_limit_get_the_size_message(client, tree, settings, private_tmp):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client.force_login(tree.town_user)
    response = client.post(reverse(ROSTER_URL), {"file": roster_file(), "padding": "x" * 5000})
    assert response.status_code == 400 and "文件超过大小上限" in response.content.decode()
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = client.post(reverse(ROSTER_URL), {f"f{i}": "1" for i in range(50)})
    assert response.status_code == 400 and "文件超过大小上限" in response.content.decode()
    assert not ImportJob.objects.exists() and leftovers(private_tmp) == []


def test_upload_is_never_written_to_the_system_temporary_directory(client, tree, settings, tmp_path, monkeypatch):
    """Above FILE_UPLOAD_MAX_MEMORY_SIZE Django would spool to FILE_UPLOAD_TEMP_DIR, where a crash would
    leave the ID numbers; the import page's handler writes to the private directory instead."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10
    spool = tmp_path / "spool"
    spool.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)
    client.force_login(tree.town_user)
    seen = []
    original = import_jobs.save_upload

    def spy(uploaded):
        seen.append(type(uploaded).__name__)
        assert leftovers(spool) == []
        return original(uploaded)

    monkeypatch.setattr(import_jobs, "save_upload", spy)
    upload_and_confirm(client, reverse(ROSTER_URL), {"file": roster_file()})
    assert seen == ["PrivateUploadedFile"] and ImportJob.objects.get().status == "succeeded"


# --- a failure in the middle of the write ----------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_failure_after_the_first_table_is_written_leaves_nothing(tree, monkeypatch):
    """Real transactions (``transaction=True``) on both engines: the people are inserted, then the
    second table fails — the import rolls back completely."""
    from zugong.core.bulk import RowInserter
    from zugong.party.importers import import_roster

    original = RowInserter.insert
    calls = []

    def insert_then_fail(self, rows):
        calls.append(self)
        if len(calls) == 2:
            assert Person.objects.filter(name="孙立").exists()  # the first table is written
            raise RuntimeError("disk full")
        return original(self, rows)

    monkeypatch.setattr(RowInserter, "insert", insert_then_fail)
    rows = [member_row(name="孙立"), member_row("C-A-2", name="钱多多", sex="男", birth=dt.date(1979, 1, 1))]
    before = state()
    with pytest.raises(RuntimeError, match="disk full"):
        import_roster(xlsx([ROSTER_HEADERS, *rows]), user=tree.town_user, filename="花名册.xlsx")
    assert len(calls) == 2
    assert state() == before and not Person.objects.filter(name="孙立").exists()


@pytest.mark.django_db(transaction=True)
def test_web_job_failing_in_the_write_is_an_error_and_writes_nothing(client, tree, monkeypatch, private_tmp):
    from zugong.core.bulk import RowInserter

    original = RowInserter.insert
    calls = []

    def insert_then_fail(self, rows):
        calls.append(self)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(self, rows)

    monkeypatch.setattr(RowInserter, "insert", insert_then_fail)
    client.force_login(tree.town_user)
    before = state()
    upload_and_confirm(client, reverse(ROSTER_URL), {"file": roster_file(member_row(name="孙立"))})
    job = ImportJob.objects.get()
    assert job.status == "error" and "未写入任何数据" in job.message
    assert state()[:5] == before[:5] and not Person.objects.filter(name="孙立").exists()
    assert leftovers(private_tmp) == []
