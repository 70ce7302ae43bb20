"""Running imports submitted from the web page as background jobs with visible progress.

Column mapping (issue #9): the upload page calls ``keep_upload`` — the job waits in state ``mapping``
(「待确认列映射」) with the upload kept **encrypted** with the field cipher in ``ImportJob.upload_encrypted``
(no plaintext file outlives the request); the mapping page reads it back (``kept_upload``) for the preview,
and ``confirm_import`` (once: a conditional state change) writes it to a private locked file, clears the
kept copy and runs the job as below with the confirmed ``mapping`` among the runner's options. A kept
upload not confirmed within ``ImportJob.UPLOAD_KEPT_HOURS`` is purged and its job ends
「有错误，未导入」 with ``EXPIRED_MESSAGE`` (``purge_expired``). ``submit_import`` (upload and run at once)
remains for callers without a mapping step.

``submit_import`` takes the upload as a private file (mode 0600 in a 0700 directory; the import page's
upload handler writes it there directly, ``PrivateUploadHandler``; other callers' files are copied),
creates an ``ImportJob`` and runs the importer — in a background thread, or inline when
``settings.ZUGONG_IMPORT_SYNC`` is true (tests; deterministic).

The upload holds plaintext ID numbers, so it is deleted on every path:
- the job deletes it when it ends, whatever the outcome (``run_job``'s ``finally``);
- while a job (or a request receiving the upload) lives, its process holds an exclusive ``flock`` on
  the file. The kernel drops the lock when the process dies, however it dies, so an *unlocked*
  ``upload-*`` file is a leftover: ``remove_leftover_uploads`` deletes them at start-up
  (``CoreConfig.ready``) and on every submission;
- a job still 「正在导入」 whose upload (named ``upload-<job id>-…``) is no longer held lost its process
  (killed, server restarted): ``fail_interrupted_jobs`` marks it failed with a message, on every
  submission and whenever its page is polled — it never stays running. The write is one transaction,
  so such a job wrote nothing.
The lock test needs the upload directory (``ZUGONG_IMPORT_TMP_DIR``) to be shared by every process
serving the site: one host, or a shared directory.

A parse that exceeds its limits (``core.files.read_table`` runs it in a child process) is a refusal
like any other bad file: the job ends 「有错误，未导入」 with the Chinese reason.

Progress: the importer's ``progress(phase, done, total)`` callback updates an in-process table read
by ``job_progress`` (the page polls it every second) and, at most once a second and only outside the
write transaction, the job row — so a poll served by another worker process still sees the phase.
While the single write transaction runs, other processes see 「写入」 until it commits.

Outcome: counts and warnings (first ``ImportJob.MAX_SHOWN``) for a success; the errors, the Chinese
message and the error report (``importing.error_report``, encrypted with the field cipher) for a
rejected file; a generic message with the job number for an unexpected failure (details go to the
server log, not to the page).
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import logging
import os
import re
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import connection, transaction
from django.utils import timezone

from zugong.core import crypto
from zugong.core.errors import RowError, ValidationFailed, ZugongError
from zugong.core.filemodes import private_dir
from zugong.core.importing import error_report, safe_filename
from zugong.core.models import ImportJob

logger = logging.getLogger(__name__)

PHASES = {"读取文件": (0, 5), "校验": (5, 60), "写入": (60, 100)}
"""Phase → (start %, end %) of the progress bar."""
DB_PROGRESS_INTERVAL = 1.0

_live: dict[int, tuple[str, int]] = {}
_live_lock = threading.Lock()

Runner = Callable[..., object]
"""``runner(path, *, user, filename, progress, **options) -> ImportResult`` (``import_roster`` …)."""


INTERRUPTED_MESSAGE = "导入失败：处理该任务的服务进程已中断（例如服务重启），未写入任何数据，请重新导入"
_JOB_FILE = re.compile(r"upload-(\d+)-")


def _configured_upload_dir() -> Path:
    base = getattr(settings, "ZUGONG_IMPORT_TMP_DIR", "") or os.path.join(tempfile.gettempdir(), "zugong-imports")
    return Path(base)


def upload_dir() -> Path:
    """Private directory for uploads in progress (``settings.ZUGONG_IMPORT_TMP_DIR`` or the system
    temporary directory + ``zugong-imports``) with mode 0700; raises ``PermissionError`` when it belongs
    to another user."""
    return private_dir(_configured_upload_dir())  # 0700, ours (not a directory planted in a shared /tmp)


class LockedUpload:
    """A private upload file (``path``) and the open descriptor ``fd`` holding its exclusive lock; the
    file lives exactly as long as the lock (``discard`` deletes it, then releases it)."""

    def __init__(self, suffix: str = ""):
        while True:
            fd, name = tempfile.mkstemp(prefix="upload-", suffix=suffix, dir=upload_dir())  # mode 0600
            fcntl.flock(fd, fcntl.LOCK_EX)
            if os.fstat(fd).st_nlink:
                break
            os.close(fd)  # a clean-up removed it between creation and locking: take another name
        self.path, self.fd = Path(name), fd

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def attach_to_job(self, job_id: int) -> None:
        """Rename to ``upload-<job_id>-…`` so ``fail_interrupted_jobs`` can tell the job is alive."""
        target = self.path.with_name(f"upload-{job_id}-{self.path.name.removeprefix('upload-')}")
        os.rename(self.path, target)
        self.path = target

    def discard(self) -> None:
        """Delete the file and release the lock. Idempotent."""
        if self.fd < 0:
            return
        try:
            self.path.unlink(missing_ok=True)
        finally:
            os.close(self.fd)
            self.fd = -1


def _suffix(name: str | None) -> str:
    return os.path.splitext(name or "")[1].lower()[:10]


def save_upload(uploaded) -> LockedUpload:
    """The private, locked file of ``uploaded``: the one ``PrivateUploadHandler`` already wrote, or a
    copy of any other Django ``UploadedFile``."""
    if isinstance(uploaded, PrivateUploadedFile):
        return uploaded.adopt()
    upload = LockedUpload(_suffix(uploaded.name))
    try:
        for chunk in uploaded.chunks():
            upload.write(chunk)
    except BaseException:
        upload.discard()
        raise
    return upload


class PrivateUploadedFile(UploadedFile):
    """An upload received straight into a ``LockedUpload`` (by ``PrivateUploadHandler``). Closing it
    (Django does at the end of the request) deletes it, unless a job ``adopt``ed it."""

    def __init__(self, upload: LockedUpload, name, content_type, size, charset, content_type_extra=None):
        super().__init__(open(upload.path, "rb"), name, content_type, size, charset,  # noqa: SIM115
                         content_type_extra)
        self.upload: LockedUpload | None = upload

    def adopt(self) -> LockedUpload:
        upload, self.upload = self.upload, None
        if upload is None:
            raise ValueError("upload already taken by a job")
        self.file.close()
        return upload

    def close(self):
        try:
            return self.file.close()
        finally:
            if self.upload is not None:
                self.upload.discard()
                self.upload = None


class PrivateUploadHandler(FileUploadHandler):
    """Receives uploaded files into private locked files (``LockedUpload``) — never into the system
    temporary directory, where a crash would leave the ID numbers behind — and stops reading as soon
    as the request carries more than ``limit`` bytes (also when the declared request length already
    does), marking the request with ``upload_too_large``."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.upload: LockedUpload | None = None

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + 64 * 1024:  # multipart overhead allowance
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return None

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        self.upload = LockedUpload(_suffix(file_name))

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_too_large = True
            self.upload_interrupted()
            raise StopUpload(connection_reset=False)
        self.upload.write(raw_data)
        return None

    def file_complete(self, file_size):
        upload, self.upload = self.upload, None
        return PrivateUploadedFile(upload, self.file_name, self.content_type, file_size, self.charset,
                                   self.content_type_extra)

    def upload_interrupted(self):
        if self.upload is not None:
            self.upload.discard()
            self.upload = None


def _held(path: Path) -> bool | None:
    """True if a live process holds ``path``'s lock, False if nobody does, None if it is gone."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also releases the lock if we took it
    return False


def remove_leftover_uploads() -> int:
    """Delete every upload file no live process holds (left by a crash or a kill); returns how many.
    Run at start-up (``CoreConfig.ready``) and on every submission. Safe while other processes import:
    their files are locked."""
    directory = _configured_upload_dir()
    if not directory.is_dir():
        return 0
    removed = 0
    for path in directory.glob("upload-*"):
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            continue  # a live job or request holds it
        else:
            path.unlink(missing_ok=True)  # a creator blocked on this lock sees st_nlink == 0 and retries
            removed += 1
        finally:
            os.close(fd)
    if removed:
        logger.warning("removed %d leftover upload file(s) from %s", removed, directory)
    return removed


def live_job_ids() -> set[int]:
    """Ids of the jobs whose upload a live process holds (see module docstring)."""
    directory = _configured_upload_dir()
    if not directory.is_dir():
        return set()
    live = set()
    for path in directory.glob("upload-*-*"):
        match = _JOB_FILE.match(path.name)
        if match and _held(path):
            live.add(int(match.group(1)))
    return live


def fail_interrupted_jobs(queryset=None) -> int:
    """Mark the unfinished jobs (of ``queryset``, default all) whose process is gone as failed with
    ``INTERRUPTED_MESSAGE``; returns how many."""
    queryset = ImportJob.objects.all() if queryset is None else queryset
    unfinished = list(queryset.filter(status__in=("pending", "running")).values_list("pk", flat=True))
    if not unfinished:
        return 0
    dead = set(unfinished) - live_job_ids()
    if not dead:
        return 0
    with _live_lock:
        for pk in dead:
            _live.pop(pk, None)
    return ImportJob.objects.filter(pk__in=dead, status__in=("pending", "running")).update(
        status="error", message=INTERRUPTED_MESSAGE, phase="完成", finished_at=timezone.now())


def percent(phase: str, done: int, total: int) -> int:
    """Overall progress in % for ``done`` of ``total`` in ``phase``."""
    start, end = PHASES.get(phase, (0, 100))
    fraction = (done / total) if total else 1.0
    return max(0, min(100, int(start + (end - start) * fraction)))


def job_progress(job: ImportJob) -> tuple[str, int]:
    """``(phase, percent)`` of ``job``: live values when this process runs it, else the stored ones."""
    with _live_lock:
        live = _live.get(job.pk)
    if live is not None and not job.finished:
        return live
    if job.finished:
        return job.phase, 100
    return job.phase or "等待处理", job.progress


EXPIRED_MESSAGE = "列映射未在 24 小时内确认，上传的文件已删除，未写入任何数据。请重新上传。"


def purge_expired() -> None:
    """Housekeeping, run on each submission and each mapping page: drop error reports older than
    ``ImportJob.ERROR_REPORT_HOURS``, purge kept uploads older than ``ImportJob.UPLOAD_KEPT_HOURS`` (their
    jobs end 「有错误，未导入」 with ``EXPIRED_MESSAGE``), fail the jobs whose process is gone
    (``fail_interrupted_jobs``) and delete leftover upload files (``remove_leftover_uploads``)."""
    now = timezone.now()
    ImportJob.objects.filter(finished_at__lt=now - dt.timedelta(hours=ImportJob.ERROR_REPORT_HOURS)) \
        .exclude(error_report_encrypted="").update(error_report_encrypted="")
    ImportJob.objects.filter(status="mapping", created_at__lt=now - dt.timedelta(hours=ImportJob.UPLOAD_KEPT_HOURS)) \
        .update(status="failed", upload_encrypted="", message=EXPIRED_MESSAGE, phase="完成", progress=100,
                finished_at=now)
    fail_interrupted_jobs()
    remove_leftover_uploads()


def submit_import(*, user, kind: str, uploaded, runner: Runner, options: dict | None = None,
                  request_context: dict | None = None) -> ImportJob:
    """Create and start an import job of ``kind`` for ``uploaded`` (a Django ``UploadedFile``) run by
    ``runner`` as ``user`` with ``options`` (e.g. ``{"accept_bad_checksum": True, "dry_run": False}``).
    ``request_context``: ``request_id``/``ip_address`` for the audit events written by the job.
    Returns the job (already finished in synchronous mode). ``kind`` must be registered
    (``core.registry.register_import_kind``); ``ValueError`` otherwise."""
    from zugong.core.registry import import_kind

    if import_kind(kind) is None:
        raise ValueError(f"unregistered import kind {kind!r}")
    purge_expired()
    upload = save_upload(uploaded)
    try:
        # Other processes see the job only once its upload carries its id (fail_interrupted_jobs).
        with transaction.atomic():
            job = ImportJob.objects.create(user=user, kind=kind, filename=safe_filename(uploaded.name),
                                           options=dict(options or {}), phase="等待处理")
            upload.attach_to_job(job.pk)
        _start(job, upload, runner, request_context)
    except BaseException:
        upload.discard()  # run_job discards it too; discarding twice is harmless
        raise
    return job


def _start(job: ImportJob, upload: LockedUpload, runner: Runner, request_context: dict | None) -> None:
    """Run ``job`` over ``upload``: inline when ``settings.ZUGONG_IMPORT_SYNC`` (then ``job`` is refreshed
    with the outcome), else in a daemon thread. ``run_job`` discards the upload whatever the outcome."""
    args = (job.pk, upload, runner, dict(request_context or {}))
    if getattr(settings, "ZUGONG_IMPORT_SYNC", False):
        run_job(*args, threaded=False)
        job.refresh_from_db()
    else:
        threading.Thread(target=run_job, args=args, kwargs={"threaded": True}, daemon=True,
                         name=f"zugong-import-{job.pk}").start()


def keep_upload(*, user, kind: str, uploaded, options: dict | None = None) -> ImportJob:
    """Create a job of ``kind`` waiting for its column mapping (state ``mapping``) with ``uploaded`` (a
    Django ``UploadedFile``) kept encrypted in the job; the plaintext upload file is deleted before
    returning. ``options``: the runner's options chosen on the upload page (``dry_run`` …).
    ``ValueError`` for an unregistered kind."""
    from zugong.core.registry import import_kind

    if import_kind(kind) is None:
        raise ValueError(f"unregistered import kind {kind!r}")
    purge_expired()
    upload = save_upload(uploaded)
    try:
        data = upload.path.read_bytes()
        return ImportJob.objects.create(user=user, kind=kind, filename=safe_filename(uploaded.name),
                                        options=dict(options or {}), status="mapping", phase="待确认列映射",
                                        upload_encrypted=encrypt_report(data))
    finally:
        upload.discard()


def kept_upload(job: ImportJob) -> bytes:
    """The upload kept by ``keep_upload`` (decrypted); ``b""`` when it is gone (run or purged)."""
    return decrypt_report(job.upload_encrypted) if job.upload_encrypted else b""


def confirm_import(*, job: ImportJob, runner: Runner, mapping: dict[str, str], options: dict | None = None,
                   request_context: dict | None = None) -> ImportJob | None:
    """Start ``job`` (waiting for its mapping) with the confirmed ``mapping`` and ``options`` (merged over
    the upload page's): the kept upload goes to a private locked file and is cleared from the job, then
    the job runs as ``submit_import``'s. Returns the job (finished in synchronous mode), or ``None`` when it
    was no longer waiting (confirmed twice, expired) — nothing is started then."""
    with transaction.atomic():
        locked = ImportJob.objects.select_for_update().filter(pk=job.pk, status="mapping").first()
        if locked is None:
            return None
        data = kept_upload(locked)
        locked.options = {**(locked.options or {}), **(options or {}), "mapping": dict(mapping)}
        locked.status, locked.phase, locked.upload_encrypted = "pending", "等待处理", ""
        upload = LockedUpload(_suffix(locked.filename))
        try:
            upload.write(data)
            upload.attach_to_job(locked.pk)
            locked.save(update_fields=["options", "status", "phase", "upload_encrypted", "updated_at"])
        except BaseException:
            upload.discard()
            raise
    try:
        _start(locked, upload, runner, request_context)
    except BaseException:
        upload.discard()
        raise
    return locked


def _rows(errors: list[RowError]) -> list[dict]:
    return [{"row": e.row, "column": e.column, "reason": e.reason} for e in errors[: ImportJob.MAX_SHOWN]]


def encrypt_report(data: bytes) -> str:
    """The error report as stored: base64, then SM4-GCM via the field cipher."""
    return crypto.cipher().encrypt(base64.b64encode(data).decode("ascii"))


def decrypt_report(token: str) -> bytes:
    """Inverse of ``encrypt_report``."""
    return base64.b64decode(crypto.cipher().decrypt(token))


def run_job(job_id: int, upload: LockedUpload, runner: Runner, request_context: dict, *, threaded: bool) -> None:
    """Run one job to its end and record the outcome; always deletes the upload. Whatever happens —
    even an error while recording the outcome — the job does not stay 「正在导入」."""
    from zugong.audit.services import clear_request_context, set_request_context

    path = upload.path
    last_db_write = [0.0]
    recorded = False
    try:
        job = ImportJob.objects.select_related("user").get(pk=job_id)
        if threaded:  # a new thread has no request context: carry the request's id and address over
            set_request_context(request_id=request_context.get("request_id", ""),
                                ip_address=request_context.get("ip_address", ""), user=job.user)
        job.status, job.phase = "running", "读取文件"
        job.save(update_fields=["status", "phase", "updated_at"])

        def progress(phase: str, done: int, total: int) -> None:
            value = percent(phase, done, total)
            with _live_lock:
                _live[job_id] = (phase, value)
            now = time.monotonic()
            if not connection.in_atomic_block and now - last_db_write[0] >= DB_PROGRESS_INTERVAL:
                last_db_write[0] = now
                ImportJob.objects.filter(pk=job_id).update(phase=phase, progress=value, updated_at=timezone.now())

        try:
            result = runner(path, user=job.user, filename=job.filename, progress=progress, **job.options)
        except ValidationFailed as exc:
            job.status = "failed"
            job.message = exc.message[:500]
            job.errors, job.error_count = _rows(exc.errors), len(exc.errors)
            warnings = list(getattr(exc, "warnings", []))
            job.warnings, job.warning_count = _rows(warnings), len(warnings)
            with _live_lock:
                _live[job_id] = ("生成错误说明文件", 95)
            ImportJob.objects.filter(pk=job_id).update(phase="生成错误说明文件", progress=95, updated_at=timezone.now())
            report = error_report(exc)
            job.error_report_encrypted = encrypt_report(report) if report else ""
        except ZugongError as exc:
            job.status, job.message = "failed", exc.message[:500]
        except Exception:
            logger.exception("import job %s failed", job_id)
            job.status = "error"
            job.message = f"导入过程中发生系统错误，未写入任何数据。请联系系统管理员（任务编号 {job_id}）。"
        else:
            job.status = "succeeded"
            job.total_rows = result.total_rows
            job.created_count, job.updated_count, job.unchanged_count = result.created, result.updated, result.unchanged
            job.warnings, job.warning_count = _rows(result.warnings), len(result.warnings)
            layout = getattr(result, "layout", None)
            job.layout_lines = list(layout.describe()) if layout is not None else []
            prefix = "试运行（未写入）：" if result.dry_run else "导入完成："
            job.message = prefix + result.summary()
        job.phase, job.progress, job.finished_at = "完成", 100, timezone.now()
        job.save()
        recorded = True
    finally:
        if not recorded:
            _record_interrupted(job_id)
        upload.discard()
        with _live_lock:
            _live.pop(job_id, None)
        if threaded:
            clear_request_context()
            connection.close()


def _record_interrupted(job_id: int) -> None:
    logger.error("import job %s ended without recording its outcome", job_id)
    try:
        ImportJob.objects.filter(pk=job_id, status__in=("pending", "running")).update(
            status="error", message=f"导入失败：任务异常中止，未写入任何数据。请联系系统管理员（任务编号 {job_id}）。",
            phase="完成", finished_at=timezone.now())
    except Exception:  # the database itself failed; fail_interrupted_jobs will mark it later
        logger.exception("could not mark import job %s as failed", job_id)
