"""导入干部任免审批表 (``cadres:form_import``): one page, three steps — upload (files, a folder or a ``.zip``,
and the unit new cadres go to), the preview of the batch (``form-import/<job id>/``: each file's status and its
diff, checkboxes for the files to apply) and the result (the same URL once applied).

- ``GET``: the upload form (with the user's recent batches); ``GET <id>/``: the batch of the user (another
  user's, or an unknown id: 404). Both URLs carry the one name ``cadres:form_import`` (reversed with or
  without the batch id), which is also the registered import kind's job page.
- ``POST`` ``action=preview`` (default; multipart ``files``, ``unit``, ``accept_bad_checksum``):
  ``services.form_batch_preview``, then a redirect to the batch (JSON ``{"redirect": url}`` for the
  upload script ``zugong/imports.js``, which shows the upload progress and keeps the form busy while the
  server reads the files).
- ``POST <id>/`` (``selected`` file ids, ``unit``): ``services.form_batch_apply``
  (one transaction), then the batch's page shows the outcome; a refusal redraws the preview with the
  reasons per file (HTTP 400), nothing written.

Needs ``cadre.import`` (else 403); the services check every unit and cadre against the user's scope. The
upload goes to private locked files (``core.import_jobs.PrivateUploadHandler``, the size limit
``ZUGONG_MAX_UPLOAD_BYTES`` enforced while it is received), like the other import pages.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.files.uploadhandler import StopUpload
from django.http import Http404, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from zugong.cadres.formfiles import services
from zugong.core.errors import ConcurrentEdit, OutOfScope, PermissionDeniedError, ValidationFailed
from zugong.core.files import max_upload_bytes
from zugong.core.import_jobs import PrivateUploadHandler
from zugong.core.models import ImportJob
from zugong.core.registry import register_view
from zugong.core.scoping import can

URL_NAME = "cadres:form_import"
register_view(url_name=URL_NAME, kind="import", model="cadres.Cadre", action="import", methods=("GET", "POST"),
              label="cadre")


def _human(limit: int) -> str:
    return f"{limit / 1024 / 1024:.0f} MB" if limit >= 1024 * 1024 else f"{max(limit // 1024, 1)} KB"


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _require(request) -> None:
    if not can(request.user, "cadre", "import"):
        raise PermissionDenied("您没有导入干部信息的权限。")


def _upload_page(request, errors: list[str], status: int = 200):
    if errors and _wants_json(request):
        return JsonResponse({"errors": errors}, status=400)
    units = list(services.units_for_new_cadres(request.user)[:500])
    default = services.default_unit(request.user)
    jobs = list(ImportJob.objects.owned_by(request.user).filter(kind=services.KIND)
                .defer("upload_encrypted", "error_report_encrypted", "errors", "warnings")[:10])
    return render(request, "cadres/formfiles/upload.html", {
        "errors": errors, "units": units, "default_unit": default.pk if default else None, "jobs": jobs,
        "max_bytes": max_upload_bytes(), "max_human": _human(max_upload_bytes()),
        "form_url": reverse(URL_NAME),
    }, status=400 if errors else status)


def _batch_page(request, job: ImportJob, errors: list[str] | None = None, row_errors=None, status: int = 200):
    batch = services.batch_results(job)
    by_file = {}
    for error in row_errors or []:
        by_file.setdefault(error.row, []).append(error.reason)
    for result in batch.files:
        result.refusal = by_file.get(result.id, [])
    units = list(services.units_for_new_cadres(request.user)[:500])
    return render(request, "cadres/formfiles/batch.html", {
        "job": job, "batch": batch, "errors": errors or [], "units": units, "form_url": reverse(URL_NAME),
        "waiting": job.status == "mapping" and bool(batch.files), "applied": set(batch.applied),
        "counts": {label: batch.count(code) for code, label in services.STATUSES.items()},
    }, status=status)


def batch_url(job_id: int) -> str:
    """The page of batch ``job_id``."""
    return reverse(URL_NAME, args=[job_id])


@csrf_protect
def _handle(request, batch: int | None):
    _require(request)
    job = None
    if batch is not None:
        try:
            job = services.batch_for(user=request.user, job_id=batch)
        except OutOfScope:
            raise Http404("导入任务不存在。")
    if request.method == "GET":
        return _batch_page(request, job) if job is not None else _upload_page(request, [])
    if job is not None:
        selected = []
        for value in request.POST.getlist("selected"):
            if value.isdigit():
                selected.append(int(value))
        unit = request.POST.get("unit") or None
        try:
            services.form_batch_apply(user=request.user, job=job, selected=selected,
                                      unit=int(unit) if unit and unit.isdigit() else None)
        except ValidationFailed as exc:
            return _batch_page(request, job, [exc.message], exc.errors, status=400)
        except OutOfScope as exc:
            return _batch_page(request, job, [exc.message], status=400)
        except ConcurrentEdit as exc:
            return _batch_page(request, job, [exc.message], status=409)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message)
        return redirect(batch_url(job.pk))
    # preview
    if getattr(request, "upload_too_large", False):
        return _upload_page(request, [f"上传的文件超过大小上限（{_human(max_upload_bytes())}），请分批上传。"])
    uploads = request.FILES.getlist("files")
    if not uploads:
        return _upload_page(request, ["请选择要导入的干部任免审批表文件（.lrmx、.lrm 及其 .pic 照片，或 .zip 压缩包）。"])
    files = []
    for uploaded in uploads:
        try:
            files.append((getattr(uploaded, "name", "") or "", b"".join(uploaded.chunks())))
        finally:
            uploaded.close()
    unit = request.POST.get("unit") or None
    try:
        batch = services.form_batch_preview(user=request.user, files=files,
                                            unit=int(unit) if unit and unit.isdigit() else None,
                                            accept_bad_checksum=request.POST.get("accept_bad_checksum") == "1")
    except ValidationFailed as exc:
        return _upload_page(request, [e.reason for e in exc.errors] or [exc.message])
    except OutOfScope as exc:
        return _upload_page(request, [exc.message])
    target = batch_url(batch.job.pk)
    if _wants_json(request):
        return JsonResponse({"redirect": target})
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
@csrf_exempt
def form_import(request, batch: int | None = None):
    """The page (module docstring). ``csrf_exempt`` only so the private upload handler is installed before
    the body is parsed; ``_handle`` checks the CSRF token as usual."""
    if request.method == "POST":
        request.upload_handlers = [PrivateUploadHandler(request, max_upload_bytes())]
        try:
            request.POST  # noqa: B018 — parse the body now, under the handler and its limit
        except (StopUpload, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
            request.upload_too_large = True
        except MultiPartParserError:
            _require(request)
            return _upload_page(request, ["上传的数据格式错误，请重新选择文件上传。"])
        if getattr(request, "upload_too_large", False):
            _require(request)
            return _upload_page(request, [f"上传的文件过大或文件数过多（上限 {_human(max_upload_bytes())}），"
                                          "请打包为 .zip 或分批上传。"])
    return _handle(request, batch)
