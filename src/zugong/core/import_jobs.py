"""Running imports submitted from the web page as background jobs with visible progress.

``submit_import`` copies the upload to a private temporary file (mode 0600 in a 0700 directory),
creates an ``ImportJob`` and runs the importer — in a background thread, or inline when
``settings.ZUGONG_IMPORT_SYNC`` is true (tests; deterministic). The temporary file is deleted when
the job ends, whatever the outcome.

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
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from zugong.core import crypto
from zugong.core.errors import RowError, ValidationFailed, ZugongError
from zugong.core.filemodes import private_dir
from zugong.core.importing import error_report, safe_filename
from zugong.core.models import ImportJob

logger = logging.getLogger(__name__)

PHASES = {"读取文件": (0, 5), "校验": (5, 60), "写入": (60, 100)}
"""Phase → (start %, end %) of the progress bar."""
STALE_RUNNING_HOURS = 6
DB_PROGRESS_INTERVAL = 1.0

_live: dict[int, tuple[str, int]] = {}
_live_lock = threading.Lock()

Runner = Callable[..., object]
"""``runner(path, *, user, filename, progress, **options) -> ImportResult`` (``import_roster`` …)."""


def upload_dir() -> Path:
    """Private directory for uploads in progress (``settings.ZUGONG_IMPORT_TMP_DIR`` or the system
    temporary directory + ``zugong-imports``) with mode 0700; raises ``PermissionError`` when it belongs
    to another user."""
    base = getattr(settings, "ZUGONG_IMPORT_TMP_DIR", "") or os.path.join(tempfile.gettempdir(), "zugong-imports")
    return private_dir(base)  # 0700, ours (not a directory planted in a shared /tmp)


def save_upload(uploaded) -> Path:
    """Copy a Django ``UploadedFile`` to a new private temporary file; returns its path."""
    suffix = os.path.splitext(uploaded.name or "")[1].lower()[:10]
    fd, name = tempfile.mkstemp(prefix="upload-", suffix=suffix, dir=upload_dir())
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in uploaded.chunks():
                out.write(chunk)
        os.chmod(name, 0o600)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


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


def purge_expired() -> None:
    """Housekeeping, run on each submission: drop error reports older than
    ``ImportJob.ERROR_REPORT_HOURS``, mark jobs stuck in 「正在导入」 for hours (a restarted server) as
    failed, and delete orphaned temporary files older than a day."""
    now = timezone.now()
    ImportJob.objects.filter(finished_at__lt=now - dt.timedelta(hours=ImportJob.ERROR_REPORT_HOURS)) \
        .exclude(error_report_encrypted="").update(error_report_encrypted="")
    ImportJob.objects.filter(status__in=("pending", "running"),
                             updated_at__lt=now - dt.timedelta(hours=STALE_RUNNING_HOURS)) \
        .update(status="error", message="任务已中断（服务重启或超时），未写入任何数据，请重新导入", finished_at=now)
    cutoff = time.time() - 86400
    for path in upload_dir().glob("upload-*"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass


def submit_import(*, user, kind: str, uploaded, runner: Runner, options: dict | None = None,
                  request_context: dict | None = None) -> ImportJob:
    """Create and start an import job of ``kind`` for ``uploaded`` (a Django ``UploadedFile``) run by
    ``runner`` as ``user`` with ``options`` (e.g. ``{"accept_bad_checksum": True, "dry_run": False}``).
    ``request_context``: ``request_id``/``ip_address`` for the audit events written by the job.
    Returns the job (already finished in synchronous mode)."""
    purge_expired()
    path = save_upload(uploaded)
    job = ImportJob.objects.create(user=user, kind=kind, filename=safe_filename(uploaded.name),
                                   options=dict(options or {}), phase="等待处理")
    args = (job.pk, path, runner, dict(request_context or {}))
    if getattr(settings, "ZUGONG_IMPORT_SYNC", False):
        run_job(*args, threaded=False)
        job.refresh_from_db()
    else:
        threading.Thread(target=run_job, args=args, kwargs={"threaded": True}, daemon=True,
                         name=f"zugong-import-{job.pk}").start()
    return job


def _rows(errors: list[RowError]) -> list[dict]:
    return [{"row": e.row, "column": e.column, "reason": e.reason} for e in errors[: ImportJob.MAX_SHOWN]]


def encrypt_report(data: bytes) -> str:
    """The error report as stored: base64, then SM4-GCM via the field cipher."""
    return crypto.cipher().encrypt(base64.b64encode(data).decode("ascii"))


def decrypt_report(token: str) -> bytes:
    """Inverse of ``encrypt_report``."""
    return base64.b64decode(crypto.cipher().decrypt(token))


def run_job(job_id: int, path: Path, runner: Runner, request_context: dict, *, threaded: bool) -> None:
    """Run one job to its end and record the outcome; always deletes ``path``."""
    from zugong.audit.services import clear_request_context, set_request_context

    last_db_write = [0.0]
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
            prefix = "试运行（未写入）：" if result.dry_run else "导入完成："
            job.message = prefix + result.summary()
        job.phase, job.progress, job.finished_at = "完成", 100, timezone.now()
        job.save()
    finally:
        path.unlink(missing_ok=True)
        with _live_lock:
            _live.pop(job_id, None)
        if threaded:
            clear_request_context()
            connection.close()
