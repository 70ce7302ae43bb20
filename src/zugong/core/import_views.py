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

Column mapping (issue #9): the upload does not run at once — it is kept encrypted (``import_jobs.keep_upload``)
and the browser goes to the job's mapping page (``<name>_job_mapping``, the submitter's own job only): the
sheet read, the header row(s), a select per source column (the kind's fields + 「不导入」), the ignored and
unknown columns, the missing columns, the first rows as they will be read (``core.layout.preview_import``;
ID and phone numbers masked), the saved layouts the user may use (``core.import_layouts.visible_layouts``;
``?layout=<id>`` applies one — another scope's id is a 404 with the Chinese message) and "save as layout".
Its POST (CSRF-checked) ``action=preview`` redraws with the chosen mapping, ``save`` saves the layout,
``confirm`` runs the import (``import_jobs.confirm_import``, dry run kept) and redirects to the job page.
A mapping naming one field twice is refused with the columns named, nothing saved or run (HTTP 400).
``imports:layouts`` lists the layouts visible to the user (registered: a ``list`` of ``core.ImportLayout``,
so the generated scope tests cover it).
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

from zugong.core.errors import OutOfScope, ValidationFailed
from zugong.core.files import max_upload_bytes
from zugong.core.import_jobs import (
    PrivateUploadHandler,
    Runner,
    confirm_import,
    decrypt_report,
    fail_interrupted_jobs,
    job_progress,
    keep_upload,
    kept_upload,
    purge_expired,
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
    def import_columns(self) -> tuple[Column, ...]:
        """The fields the mapping step offers (``ImportKind.import_columns``)."""
        return self.registered.import_columns()

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
            "layouts_url": reverse("imports:layouts") + f"?kind={page.kind}",
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
                errors.append("请选择要导入的文件（.xlsx、.xls 或 .csv）。")
            else:
                options = {"dry_run": request.POST.get("dry_run") == "1"}
                if page.offers_bad_checksum:
                    options["accept_bad_checksum"] = request.POST.get("accept_bad_checksum") == "1"
                job = keep_upload(user=request.user, kind=page.kind, uploaded=uploaded, options=options)
                target = page.url("_job_mapping", job.pk)
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
            "mapping_url": page.url("_job_mapping", job.pk),
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


# --- the column-mapping step (issue #9) -----------------------------------------------------------------

class _StandInImporter:
    """What ``preview_import`` reads of an importer, for a kind registered without ``importer``."""

    def __init__(self, page: ImportPage, user):
        self.kind, self.columns, self.sheet_names = page.kind, page.import_columns, ()
        self.user, self.data_label = user, page.registered.permission.split(".", 1)[0]
        self.identity_keys = tuple(c.key for c in page.import_columns if c.required)[:2]


def _importer_for(page: ImportPage, user):
    cls = page.registered.get_importer()
    return cls(user=user) if cls is not None else _StandInImporter(page, user)


def _posted_mapping(request, page: ImportPage) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The mapping chosen on the page: ``({source text: key}, {text: column letter}, {text: header})`` from
    the ``text-<n>``/``col-<n>``/``letter-<n>``/``header-<n>`` fields; a key the kind has not is refused by
    ``check_mapping``."""
    mapping, letters, shown = {}, {}, {}
    for name, text in request.POST.items():
        if not name.startswith("text-"):
            continue
        n = name.removeprefix("text-")
        if not n.isdigit() or not text:
            continue
        text = text[:200]  # a header text as the page sent it (the engine compares it normalised)
        mapping[text] = request.POST.get(f"col-{n}", "")[:50]
        letters[text] = request.POST.get(f"letter-{n}", "")[:3]
        shown[text] = request.POST.get(f"header-{n}", text)[:100]
    return mapping, letters, shown


def _missing_required(page: ImportPage, layout) -> list[Column]:
    """Required columns of the kind no source column maps to (a ``group`` is satisfied by any member)."""
    present = {c.key for c in layout.columns if c.key}
    groups = {c.group for c in page.import_columns if c.group and c.key in present}
    return [c for c in page.import_columns
            if c.required and c.key not in present and not (c.group and c.group in groups)]


def _mapping_context(request, page: ImportPage, job: ImportJob, *, mapping, errors, chosen=None, message="",
                     layout_name="", dry_run=None, accept_bad_checksum=None) -> dict:
    from zugong.core.files import FileRejected
    from zugong.core.import_layouts import scope_roots, visible_layouts
    from zugong.core.layout import preview_import

    preview = None
    importer = _importer_for(page, request.user)
    if not errors:
        try:
            preview = preview_import(importer, kept_upload(job), filename=job.filename, mapping=mapping, rows=10)
        except (FileRejected, ValidationFailed) as exc:
            errors = [str(e) if e.row else (f"「{e.column}」{e.reason}" if e.column and e.column not in e.reason
                                              else e.reason) for e in exc.errors] or [exc.message]
    if preview is None and mapping is not None and not chosen:
        try:  # show the columns as detected, so the user can correct the mapping
            preview = preview_import(_importer_for(page, request.user), kept_upload(job), filename=job.filename,
                                     mapping=None, rows=10)
        except (FileRejected, ValidationFailed):
            preview = None
    layout = preview.layout if preview else None
    fields = [(c.key, c.header) for c in page.import_columns]
    header_by_key = dict(fields)
    shown_columns = []
    if layout is not None:
        posted = mapping or {}
        for c in layout.columns:
            key = posted.get(c.match_text, c.key) if errors else c.key
            shown_columns.append({"col": c, "key": key, "field": header_by_key.get(key, "")})
    mapped = [c for c in (layout.columns if layout else []) if c.key]
    rows = [(number, [values.get(c.key, "") for c in mapped]) for number, values in (preview.rows if preview else [])]
    options = job.options or {}
    # what the importer wants the user to confirm besides the columns (e.g. the organization sheet without a
    # parent column: 「组织将建在「甲镇党委」下」): ``Importer.mapping_notes(layout) -> list[str]``, optional
    notes_of = getattr(importer, "mapping_notes", None)
    notes = list(notes_of(layout)) if callable(notes_of) and layout is not None else []
    return {
        "page": page, "job": job, "errors": errors, "message": message, "layout": layout, "notes": notes,
        "columns": shown_columns, "fields": fields, "mapped": mapped, "rows": rows,
        "ignored": layout.ignored if layout else [],
        "missing_recommended": [c for c in layout.missing if c.recommended] if layout else [],
        "missing_optional": [c for c in layout.missing if not c.recommended] if layout else [],
        "missing_required": _missing_required(page, layout) if layout else [],
        "layouts": list(visible_layouts(request.user, page.registered)), "chosen": chosen,
        "roots": scope_roots(request.user, page.registered), "layout_name": layout_name or (chosen.name if chosen else ""),
        "dry_run": options.get("dry_run", False) if dry_run is None else dry_run,
        "accept_bad_checksum": options.get("accept_bad_checksum", False) if accept_bad_checksum is None
        else accept_bad_checksum,
        "form_url": page.url(), "job_url": page.url("_job", job.pk), "mapping_url": page.url("_job_mapping", job.pk),
        "layouts_url": reverse("imports:layouts") + f"?kind={page.kind}",
    }


def job_mapping(code: str | None = None):
    """The column-mapping page of a job waiting for it (the submitter's own job; see the module docstring).
    GET: the detected mapping, or the saved layout ``?layout=<id>`` (404 with a Chinese message when it is
    not visible to the user). POST ``action`` = ``preview`` | ``save`` | ``confirm``. A job no longer
    waiting redirects to its job page."""

    @login_required
    @require_http_methods(["GET", "POST"])
    @csrf_protect
    def view(request, pk: int, **kwargs):
        from zugong.core.import_layouts import check_mapping, get_visible_layout, import_layout_save

        page = _page(request, kwargs, code)
        purge_expired()
        job = _job(request, page, pk)
        if not job.awaiting_mapping:
            return redirect(page.url("_job", job.pk))
        if request.method == "GET":
            chosen, errors, status = None, [], 200
            if request.GET.get("layout"):
                try:
                    chosen = get_visible_layout(request.user, page.registered, request.GET["layout"])
                except OutOfScope as exc:
                    errors, status = [exc.message], 404
            context = _mapping_context(request, page, job, mapping=chosen.mapping if chosen else None,
                                       errors=errors, chosen=chosen)
            if status == 404:
                context["errors"] = errors
            return render(request, "imports/mapping.html", context, status=status)
        action = request.POST.get("action", "preview")
        mapping, letters, shown = _posted_mapping(request, page)
        dry_run = request.POST.get("dry_run") == "1"
        accept_bad = request.POST.get("accept_bad_checksum") == "1" if page.offers_bad_checksum else None
        name = request.POST.get("layout_name", "").strip()
        try:
            check_mapping(page.import_columns, mapping, letters=letters, shown=shown)
        except ValidationFailed as exc:
            context = _mapping_context(request, page, job, mapping=mapping, errors=[e.reason for e in exc.errors],
                                       layout_name=name, dry_run=dry_run, accept_bad_checksum=accept_bad)
            return render(request, "imports/mapping.html", context, status=400)
        message = ""
        if action == "save":
            roots = {str(r.pk): r for r in _roots(request, page)}
            organization = roots.get(request.POST.get("layout_org", "")) if len(roots) > 1 else None
            if len(roots) > 1 and organization is None:
                raise Http404("所选的共享范围不在您的权限范围内")
            try:
                saved = import_layout_save(user=request.user, kind=page.registered, name=name, mapping=mapping,
                                           organization=organization)
            except (ValidationFailed, OutOfScope) as exc:
                context = _mapping_context(request, page, job, mapping=mapping, errors=[exc.message],
                                           layout_name=name, dry_run=dry_run, accept_bad_checksum=accept_bad)
                return render(request, "imports/mapping.html", context, status=400)
            message = f"已保存导入版式「{saved.name}」（共享范围：{saved.organization.name}及其下级）。"
            context = _mapping_context(request, page, job, mapping=mapping, errors=[], chosen=saved, message=message,
                                       dry_run=dry_run, accept_bad_checksum=accept_bad)
            return render(request, "imports/mapping.html", context)
        if action == "confirm":
            options = {"dry_run": dry_run}
            if accept_bad is not None:
                options["accept_bad_checksum"] = accept_bad
            confirm_import(job=job, runner=page.runner, mapping=mapping, options=options,
                           request_context={"request_id": getattr(request, "request_id", ""),
                                            "ip_address": client_ip(request)})
            return redirect(page.url("_job", job.pk))
        context = _mapping_context(request, page, job, mapping=mapping, errors=[], layout_name=name,
                                   dry_run=dry_run, accept_bad_checksum=accept_bad)
        return render(request, "imports/mapping.html", context)

    return view


def _roots(request, page: ImportPage):
    from zugong.core.import_layouts import scope_roots

    return scope_roots(request.user, page.registered)


def layout_list(request):
    """``imports:layouts``: the saved layouts (导入版式, ``object_list``) of every import kind the user may run,
    visible to them (``visible_layouts``), each with its mapping; ``?kind=<code>`` keeps one kind. 403 for a
    user who may import nothing."""
    from zugong.core.import_layouts import visible_layouts
    from zugong.core.registry import registry

    wanted = request.GET.get("kind", "")
    kinds = [k for k in registry.import_kinds.values()
             if can(request.user, *k.permission.split(".", 1)) and (not wanted or k.code == wanted)]
    if not kinds and not wanted:
        raise PermissionDenied("您没有导入数据的权限。")
    layouts = []
    for kind in kinds:
        headers = {c.key: c.header for c in kind.import_columns()}
        for layout in visible_layouts(request.user, kind):
            layout.kind_label = kind.label
            layout.pairs = [(text, headers.get(key, "不导入") if key else "不导入") for text, key in layout.mapping.items()]
            layouts.append(layout)
    back = kinds[0].page_url() if wanted and kinds else reverse("home")
    return render(request, "imports/layouts.html", {"object_list": layouts, "form_url": back,
                                                    "title": f"{kinds[0].label}导入版式" if wanted and kinds else "导入版式"})


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
    """The routes of import kind ``code`` for its app's URLconf, named after its registered
    ``url_name`` (``<name>``, ``<name>_template``, ``<name>_job``, ``<name>_job_status``,
    ``<name>_job_errors``, ``<name>_job_mapping``, ``<name>_layouts``; the namespace is the including
    app's). The upload page and the layout list register with ``register_view``. Use as
    ``path("import/", include(import_urlpatterns("orgs")))``."""
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
        path("jobs/<int:pk>/mapping/", job_mapping(code), name=f"{name}_job_mapping"),
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
    register_view(url_name="imports:layouts", kind="list", model="core.ImportLayout", action="import")
    return [
        path("layouts/", login_required(require_GET(layout_list)), name="layouts"),
        path("<str:kind>/", import_form(), name="import"),
        path("<str:kind>/template/", template_download(), name="import_template"),
        path("<str:kind>/jobs/<int:pk>/", job_detail(), name="import_job"),
        path("<str:kind>/jobs/<int:pk>/status/", job_status(), name="import_job_status"),
        path("<str:kind>/jobs/<int:pk>/errors/", job_errors(), name="import_job_errors"),
        path("<str:kind>/jobs/<int:pk>/mapping/", job_mapping(), name="import_job_mapping"),
    ]
