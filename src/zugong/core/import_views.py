"""Generic import pages (upload form → job page with progress → result) for every import kind registered
with ``core.registry.register_import_kind``: a new kind gets its pages from its registration alone — under
``/imports/<code>/`` (namespace ``imports``: ``imports:import``, ``…_template``, ``…_job``,
``…_job_status``, ``…_job_errors``, the first argument the kind's code), or, when it registers a
``url_name``, where its app mounts ``import_urlpatterns(code)`` (one line in the app's URLconf; the
党组织 and 党员花名册 kinds keep their URLs that way). The views are thin: the importer services do the
work (``core.import_jobs`` runs them). Each upload page registers with ``register_view`` (kind
``import``, the kind's ``model``, action ``import``).

Security:
- login required; the user must hold the import kind's registered permission (``party.import``) somewhere
  (else 403); the importer itself checks
  every target organization against the user's scope;
- the upload is size-limited **while it is received** and written straight to a private locked file
  (``import_jobs.PrivateUploadHandler``, limit ``settings.ZUGONG_MAX_UPLOAD_BYTES``): the view is
  ``csrf_exempt`` only so the handler can be installed before the body is parsed, then
  ``csrf_protect`` checks the token as usual (the pattern from Django's upload-handler documentation);
- a request over any size limit — the upload limit (found from ``Content-Length`` or while reading),
  Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (non-file fields) or ``DATA_UPLOAD_MAX_NUMBER_FIELDS``/
  ``_FILES`` — gets the form again with the size message (HTTP 400), never a server error; nothing
  is imported (the body was not read, so there is no CSRF token to check, and nothing is changed);
- a job is visible only to the user who submitted it (404 for anyone else, or for a job of another
  kind); the error report download is that user's own upload annotated, decrypted on the fly.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import (
    ImproperlyConfigured,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.files.uploadhandler import StopUpload
from django.http import Http404, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.http import content_disposition_header
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from zugong.core.files import max_upload_bytes
from zugong.core.import_jobs import (
    PrivateUploadHandler,
    Runner,
    decrypt_report,
    fail_interrupted_jobs,
    job_progress,
    submit_import,
)
from zugong.core.importing import Column
from zugong.core.middleware import client_ip
from zugong.core.models import ImportJob
from zugong.core.registry import ImportKind, import_kind, register_view
from zugong.core.scoping import can

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class ImportPage:
    """What the import pages of one registered kind show (read from its ``ImportKind``): ``kind`` (the
    code), Chinese ``title``, ``columns`` (shown as help), ``help_lines``, ``offers_bad_checksum``,
    ``done_label``; ``url(suffix, *args)`` reverses its pages."""

    registered: ImportKind

    @property
    def kind(self) -> str:
        return self.registered.code

    @property
    def title(self) -> str:
        return self.registered.label

    @property
    def columns(self) -> tuple[Column, ...]:
        return self.registered.get_columns()

    @property
    def help_lines(self) -> tuple[str, ...]:
        return self.registered.help_lines

    @property
    def offers_bad_checksum(self) -> bool:
        return self.registered.offers_bad_checksum

    @property
    def done_label(self) -> str:
        return self.registered.done_label or "返回首页"

    @property
    def runner(self) -> Runner:
        return self.registered.get_runner()

    def done_url(self) -> str:
        return reverse(self.registered.done_url_name or "home")

    def url(self, suffix: str = "", *args) -> str:
        return self.registered.page_url(suffix, *args)


def _page(request, kwargs, code: str | None) -> ImportPage:
    """The page of the kind bound to the URL (``code``) or named by it (``kind`` argument of the
    ``/imports/<code>/`` routes, which serve only kinds without a ``url_name`` of their own); 404 for an
    unknown kind."""
    registered = import_kind(code or kwargs.get("kind", ""))
    if registered is None or (code is None and registered.url_name):
        raise Http404("没有这种导入类型")
    return ImportPage(registered)


def _require_import_permission(request, page: ImportPage) -> None:
    """The permission registered with the page's import kind (``core.registry``; ``party.import``)."""
    label, action = page.registered.permission.split(".", 1)
    if not can(request.user, label, action):
        raise PermissionDenied("您没有导入数据的权限。")


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _human(limit: int) -> str:
    return f"{limit / 1024 / 1024:.0f} MB" if limit >= 1024 * 1024 else f"{max(limit // 1024, 1)} KB"


def import_form(code: str | None = None):
    """The upload page of kind ``code`` (``None``: the kind named by the URL): GET shows the form and the
    user's recent jobs; POST starts a job and redirects to its page (JSON ``{"redirect": url}`` /
    ``{"errors": [...]}`` for the script upload)."""

    def too_large(request) -> list[str]:
        limit = max_upload_bytes()
        return [f"文件超过大小上限（{_human(limit)}），请拆分后分批导入。"]

    def respond(request, page: ImportPage, errors: list[str]):
        if errors and _wants_json(request):
            return JsonResponse({"errors": errors}, status=400)
        jobs = list(ImportJob.objects.owned_by(request.user).filter(kind=page.kind)[:10])
        for job in jobs:
            job.page_url = page.url("_job", job.pk)
        return render(request, "imports/import_form.html", {
            "page": page, "errors": errors, "jobs": jobs, "max_bytes": max_upload_bytes(),
            "template_url": page.url("_template"),
            "max_human": _human(max_upload_bytes()),
            "required": [c for c in page.columns if c.required], "optional": [c for c in page.columns if not c.required],
        }, status=400 if errors else 200)

    @csrf_protect
    def handle(request, page: ImportPage):
        _require_import_permission(request, page)
        errors: list[str] = []
        if request.method == "POST":
            uploaded = request.FILES.get("file")
            limit = max_upload_bytes()
            if getattr(request, "upload_too_large", False) or (uploaded is not None and uploaded.size > limit):
                errors = too_large(request)
            elif uploaded is None:
                errors.append("请选择要导入的文件（.xlsx 或 .csv）。")
            else:
                options = {"dry_run": request.POST.get("dry_run") == "1"}
                if page.offers_bad_checksum:
                    options["accept_bad_checksum"] = request.POST.get("accept_bad_checksum") == "1"
                job = submit_import(user=request.user, kind=page.kind, uploaded=uploaded, runner=page.runner,
                                    options=options,
                                    request_context={"request_id": getattr(request, "request_id", ""),
                                                     "ip_address": client_ip(request)})
                target = page.url("_job", job.pk)
                if _wants_json(request):
                    return JsonResponse({"redirect": target})
                return redirect(target)
        return respond(request, page, errors)

    @login_required
    @require_http_methods(["GET", "POST"])
    @csrf_exempt
    def view(request, **kwargs):
        page = _page(request, kwargs, code)
        if request.method == "POST":
            request.upload_handlers = [PrivateUploadHandler(request, max_upload_bytes())]
            try:
                request.POST  # noqa: B018 — parse the body now, under the handler and its limit
            except (StopUpload, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent):
                request.upload_too_large = True
            except MultiPartParserError:
                _require_import_permission(request, page)
                return respond(request, page, ["上传的数据格式错误，请重新选择文件上传。"])
            if getattr(request, "upload_too_large", False):
                # The body was not read to its end: refuse with the size message (nothing changes).
                _require_import_permission(request, page)
                return respond(request, page, too_large(request))
        return handle(request, page)

    return view


def _job(request, page: ImportPage, pk: int) -> ImportJob:
    _require_import_permission(request, page)
    job = get_object_or_404(ImportJob.objects.owned_by(request.user), pk=pk, kind=page.kind)
    if not job.finished and fail_interrupted_jobs(ImportJob.objects.filter(pk=job.pk)):
        job.refresh_from_db()  # its process died: show the failure instead of polling forever
    return job


def _job_context(page: ImportPage, job: ImportJob) -> dict:
    phase, value = job_progress(job)
    return {"page": page, "job": job, "phase": phase, "percent": value, "form_url": page.url(),
            "status_url": page.url("_job_status", job.pk), "errors_url": page.url("_job_errors", job.pk),
            "done_url": page.done_url(), "more_errors": max(job.error_count - len(job.errors), 0),
            "more_warnings": max(job.warning_count - len(job.warnings), 0)}


def _job_view(code: str | None, template: str):
    """A GET view rendering ``template`` with the job's context (the submitting user's job only)."""

    @login_required
    @require_GET
    def view(request, pk: int, **kwargs):
        page = _page(request, kwargs, code)
        job = _job(request, page, pk)
        return render(request, template, _job_context(page, job))

    return view


def job_detail(code: str | None = None):
    """The job page: progress while running (polled), then the result."""
    return _job_view(code, "imports/job.html")


def job_status(code: str | None = None):
    """The job status fragment polled by the page every second (HTMX)."""
    return _job_view(code, "imports/_job_status.html")


def job_errors(code: str | None = None):
    """Download the uploaded sheet with the 「错误说明」 column (the submitting user only)."""

    @login_required
    @require_GET
    def view(request, pk: int, **kwargs):
        page = _page(request, kwargs, code)
        job = _job(request, page, pk)
        if not job.error_report_encrypted:
            raise Http404("错误说明文件不存在或已过期（保留 24 小时）")
        response = HttpResponse(decrypt_report(job.error_report_encrypted), content_type=XLSX_TYPE)
        stem = job.filename.rsplit(".", 1)[0] or "导入文件"
        response["Content-Disposition"] = content_disposition_header(True, f"错误说明_{stem}.xlsx")
        return response

    return view


def template_download(code: str | None = None):
    """Download the blank template of kind ``code``."""

    @login_required
    @require_GET
    def view(request, **kwargs):
        page = _page(request, kwargs, code)
        _require_import_permission(request, page)
        response = HttpResponse(page.registered.get_template()(), content_type=XLSX_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, f"{page.title}导入模板.xlsx")
        return response

    return view


def import_urlpatterns(code: str) -> list:
    """The five routes of import kind ``code`` for its app's URLconf, named after its registered
    ``url_name`` (``<name>``, ``<name>_template``, ``<name>_job``, ``<name>_job_status``,
    ``<name>_job_errors``; the namespace is the including app's). The upload page registers with
    ``register_view``. Use as ``path("import/", include(import_urlpatterns("orgs")))``."""
    registered = import_kind(code)
    if registered is None or not registered.url_name:
        raise ImproperlyConfigured(f"import kind {code!r} is not registered with a url_name")
    name = registered.url_name.split(":")[-1]
    _register_import_view(registered.url_name, registered)
    return [
        path("", import_form(code), name=name),
        path("template/", template_download(code), name=f"{name}_template"),
        path("jobs/<int:pk>/", job_detail(code), name=f"{name}_job"),
        path("jobs/<int:pk>/status/", job_status(code), name=f"{name}_job_status"),
        path("jobs/<int:pk>/errors/", job_errors(code), name=f"{name}_job_errors"),
    ]


def _register_import_view(url_name: str, registered: ImportKind) -> None:
    if registered.model:
        label, _, action = registered.permission.partition(".")
        register_view(url_name=url_name, kind="import", model=registered.model, action=action,
                      methods=("GET", "POST"), label=label)


def generic_urlpatterns() -> list:
    """The ``/imports/<code>/`` routes (namespace ``imports``, ``core/import_urls.py``) serving every kind
    registered without a ``url_name`` (404 for the others and for unknown codes). One URL name serves
    several kinds (and models), so these routes are not declared with ``register_view``: the importer
    checks every row's organization against the user's ``<label>.import`` scope, and the job pages show
    the submitting user's own jobs only."""
    return [
        path("<str:kind>/", import_form(), name="import"),
        path("<str:kind>/template/", template_download(), name="import_template"),
        path("<str:kind>/jobs/<int:pk>/", job_detail(), name="import_job"),
        path("<str:kind>/jobs/<int:pk>/status/", job_status(), name="import_job_status"),
        path("<str:kind>/jobs/<int:pk>/errors/", job_errors(), name="import_job_errors"),
    ]
