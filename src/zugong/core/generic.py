"""Generic pages configured per model (in the spirit of NetBox's ``ObjectView``/``ObjectListView``/
``ObjectEditView``/``ObjectDeleteView``/``BulkImportView``; written for Zugong's layering).

A domain page is a small subclass naming its model, the scope action it needs, the selector functions it
reads through and the one service it calls; the class does the rest the same way on every page:

- ``ObjectListView`` (kind ``list``): ``list_selector(*, user, action) -> QuerySet`` → the filter set
  (django-filter, bound to ``request.GET``) → a whitelisted sort (``sort_fields``; a filter set with its own
  ``sort`` filter sorts itself) → a page cut in SQL. **No ``COUNT`` by default**: the page fetches
  ``per_page + 1`` rows and knows from the extra row whether there is a next one (``SeekPaginator``;
  ``page.paginator.count`` is ``None``). ``counting = "exact"`` opts into Django's ``Paginator`` (one
  ``COUNT``); ``make_paginator`` plugs in any other and ``paginate`` how a page is asked for (the roster's
  ``party.paging.RosterPaginator``: keyset pages by cursor, totals from the count table or estimated). The rows shown are in ``context["object_list"]`` (model instances: the
  generated scope tests check every one), the display rows in ``context["rows"]`` (``get_rows``), the
  export link (``export_url_name`` + the carried filters) in ``context["export_href"]``.
- ``ObjectView`` (kind ``detail``): ``get_selector(*, user, pk, action) -> obj | None`` (``None``: 404,
  the record "does not exist" for the user), ``tabs`` (``Tab(key, label)``; ``context["tabs"]``).
- ``ObjectFormView`` (kinds ``create``/``edit``/``delete``/``action``): the object (through
  ``get_selector``, or none for a top-level create), a form, and on a valid POST **one service call**
  (``perform``) run by ``core.form_flow.run_service``: ``ValidationFailed`` → 400 with the problems by
  field, ``ConcurrentEdit`` → **409** with the service's message plus, when that message does not say it
  already, who changed which fields and when (``core.concurrency.last_change`` of the object),
  ``PermissionDeniedError`` → 403 (``permission_denied``), ``OutOfScope`` → 404. Success: a flash message
  and a redirect (``success_url``).
- ``ExportView`` (kind ``export``): a download built by one exporter call; ``PermissionDeniedError`` →
  403, ``OutOfScope`` → 404, ``ValidationFailed`` → the options page with the problems (400).
- Import pages: ``core.import_views`` serves every kind registered with ``register_import_kind`` — a new
  kind gets its upload/template/job pages from its registration alone (``/imports/<code>/``), or under its
  app's own URLs with one ``import_urlpatterns(code)`` line.

Every concrete view with a ``url_name`` registers itself with ``core.registry.register_view`` when its
class is defined (its module is imported by the URLconf), so the generated scope tests see it. Views
never touch ``Model.objects``: reads go through the selectors named in the config (system check
``zugong.E013``). ``core`` names no domain app: models are given as ``"app_label.ModelName"``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header, urlencode
from django.views import View

from zugong.core.concurrency import last_change
from zugong.core.downloads import mark_download
from zugong.core.errors import ConcurrentEdit, OutOfScope, PermissionDeniedError, ValidationFailed
from zugong.core.form_flow import error_lines, run_service
from zugong.core.registry import register_view
from zugong.core.scoping import can

NOT_FOUND = "记录不存在或不在您的数据范围内"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _call(target, **kwargs):
    """Call a configured selector given as a function (read from the class, so it stays a plain
    function, not a bound method) or as a dotted path, with keyword arguments only."""
    if isinstance(target, str):
        from django.utils.module_loading import import_string

        target = import_string(target)
    return target(**kwargs)


class GenericView(LoginRequiredMixin, View):
    """Base of the generic views: login required, the HTTP ``methods`` of the declaration only, and the
    self-registration with ``core.registry.register_view`` (``url_name`` — namespaced, e.g.
    ``"orgs:detail"`` —, ``kind``, ``model`` ``"app_label.ModelName"``, scope ``action``, ``object_arg``,
    ``object_model``, ``object_param`` — the query parameter naming the record by code —, ``label``). A class without ``url_name`` is a base for others and registers nothing.
    ``not_found``: the 404 text for a record outside the scope."""

    url_name: str = ""
    kind: str = ""
    model: str = ""
    action: str = "view"
    methods: tuple[str, ...] = ("GET",)
    object_arg: str = ""
    object_model: str = ""
    object_param: str = ""
    label: str = ""
    not_found: str = NOT_FOUND
    template_name: str = ""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.http_method_names = [m.lower() for m in cls.methods] + (["head"] if "GET" in cls.methods else []) + ["options"]
        if "url_name" in cls.__dict__ and cls.url_name:
            register_view(url_name=cls.url_name, kind=cls.kind, model=cls.model, action=cls.action,
                          methods=cls.methods, object_arg=cls.object_arg, object_model=cls.object_model,
                          object_param=cls.object_param,
                          label=cls.label)

    @property
    def user(self):
        return self.request.user

    def model_class(self):
        """The model class of ``model`` (from the app registry: core imports no domain app)."""
        return apps.get_model(self.model)

    def object_pk(self):
        """The primary key named by the URL (``object_arg``), or ``None``."""
        return self.kwargs.get(self.object_arg) if self.object_arg else None


# ----- detail ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tab:
    """One tab of a detail page: ``key`` (the panel's id suffix, ``#tab-<key>``) and Chinese ``label``."""

    key: str
    label: str


class ObjectMixin:
    """Fetch the record named by the URL through ``get_selector(*, user, pk, action)``; ``None`` → 404."""

    get_selector: Callable | str | None = None

    def get_object(self):
        pk = self.object_pk()
        if pk is None:
            return None
        selector = type(self).get_selector  # read on the class: a plain function, not a bound method
        if selector is None:
            raise NotImplementedError(f"{type(self).__name__} names no get_selector")
        obj = _call(selector, user=self.user, pk=pk, action=self.action)
        if obj is None:
            raise Http404(self.not_found)
        return obj


class ObjectView(ObjectMixin, GenericView):
    """A record's page (kind ``detail``): ``context[context_object_name]`` (and ``object``), ``tabs``,
    plus ``get_extra_context(obj)``. 404 when the selector finds nothing in the user's scope."""

    kind = "detail"
    object_arg = "pk"
    context_object_name = "object"
    tabs: tuple[Tab, ...] = ()

    def get_extra_context(self, obj) -> dict:
        return {}

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        context = {"object": obj, self.context_object_name: obj, "tabs": self.tabs, **self.get_extra_context(obj)}
        return render(request, self.template_name, context)


# ----- list --------------------------------------------------------------------------------------


class SeekPage:
    """One page of a list cut without counting: ``object_list`` (at most ``per_page`` rows),
    ``has_next`` (the extra row was there), ``has_previous``, ``number``, ``start_index``/``end_index``
    and ``paginator`` (whose ``count`` and ``num_pages`` are ``None``: unknown)."""

    def __init__(self, object_list, number: int, paginator: SeekPaginator, has_next: bool):
        self.object_list = object_list
        self.number = number
        self.paginator = paginator
        self._has_next = has_next

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        if not self._has_next:
            raise EmptyPage("没有下一页")
        return self.number + 1

    def previous_page_number(self) -> int:
        if self.number <= 1:
            raise EmptyPage("没有上一页")
        return self.number - 1

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class SeekPaginator:
    """A paginator that never counts: page ``n`` is rows ``(n-1)*per_page`` to ``n*per_page`` plus one more
    (which only says whether a next page exists), whatever the size of the scope. Two queries: the page's
    primary keys (``LIMIT per_page+1 OFFSET …`` of a narrow sorted query — the database sorts keys, not
    joined rows; at 100,000 members sorting by birth date this halves the time of one wide query) and
    then those rows. With ``keys_first = False`` one query of whole rows instead. A page number past the
    end gives an empty page (``number`` kept), a bad one page 1."""

    count = None
    num_pages = None
    keys_first = True

    def __init__(self, object_list, per_page: int):
        self.object_list = object_list
        self.per_page = int(per_page)

    def get_page(self, number) -> SeekPage:
        try:
            number = max(int(number), 1)
        except (TypeError, ValueError, OverflowError):
            number = 1
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page + 1
        if not self.keys_first:
            rows = list(self.object_list[bottom:top])
        else:
            keys = list(self.object_list.values_list("pk", flat=True)[bottom:top])
            found = {obj.pk: obj for obj in self.object_list.order_by().filter(pk__in=keys)} if keys else {}
            rows = [found[k] for k in keys if k in found]
        return SeekPage(rows[:self.per_page], number, self, has_next=len(rows) > self.per_page)


class ExactPaginator(Paginator):
    """Django's ``Paginator`` (one ``COUNT`` per page view) for lists that opt into an exact total."""

    def get_page(self, number):
        try:
            return self.page(self.validate_number(number))
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)


class ObjectListView(GenericView):
    """A scoped list (kind ``list``). Configure:

    - ``list_selector(*, user, action) -> QuerySet`` (required): the rows of the user's scope;
    - ``filterset_class``: a django-filter ``FilterSet`` bound as ``filterset_class(request.GET, queryset,
      request=request)`` (override ``get_filterset`` for another signature); invalid input shows the
      form's errors and no rows;
    - ``sort_fields``: ``{param: (order_by path, 中文列名)}``, the only sorts accepted (``?sort=param`` or
      ``-param``; anything else is ignored); ``default_ordering`` otherwise. A filter set with a ``sort``
      filter of its own sorts itself (the links are still built from ``sort_fields``);
    - ``page_sizes``/``default_page_size`` (``?per_page=`` is whitelisted);
    - ``counting``: ``"none"`` (default: ``SeekPaginator``, no ``COUNT``) or ``"exact"`` (one ``COUNT``);
      ``make_paginator(queryset, per_page, filterset)`` for anything else;
    - ``carried_filters``: the query parameters kept in the export link; ``export_url_name`` and
      ``export_permission`` (``"label.action"``) for the 「导出」 link;
    - ``get_rows(objects, filterset)``: display rows of a page (default: the objects);
      ``get_extra_context(filterset, page)``; ``check_filters(filterset)`` may raise ``Http404``.

    Context: ``filter``, ``filter_errors``, ``page``, ``object_list`` (the page's model instances),
    ``rows``, ``total`` (``None`` when not counted), ``total_exact`` (``False`` when ``total`` is an
    estimate: a paginator's ``count_exact``), ``sorts``, ``page_sizes``, ``page_size``,
    ``export_href``, ``query`` (the carried filters, urlencoded)."""

    kind = "list"
    list_selector: Callable | str | None = None
    filterset_class = None
    sort_fields: dict[str, tuple[str, str]] = {}
    default_ordering: tuple[str, ...] = ("pk",)
    page_sizes: tuple[int, ...] = (20, 50, 100)
    default_page_size: int = 50
    counting: str = "none"
    carried_filters: tuple[str, ...] = ()
    export_url_name: str = ""
    export_permission: str = ""

    # -- configuration hooks --
    def get_queryset(self):
        selector = type(self).list_selector
        return _call(selector, user=self.user, action=self.action)

    def get_filterset(self, queryset):
        if self.filterset_class is None:
            return None
        return self.filterset_class(self.request.GET, queryset, request=self.request)

    def check_filters(self, filterset) -> None:
        """Raise ``Http404`` for a filter naming something outside the scope (default: nothing)."""

    def make_paginator(self, queryset, per_page: int, filterset):
        if self.counting == "exact":
            return ExactPaginator(queryset, per_page)
        if self.counting != "none":
            raise ValueError(f"{type(self).__name__}.counting must be 'none' or 'exact', not {self.counting!r}")
        return SeekPaginator(queryset, per_page)

    def paginate(self, paginator):
        """The page the request asks for (default: ``?page=N`` through ``paginator.get_page``; a keyset
        paginator such as the roster's reads its cursor here)."""
        return paginator.get_page(self.request.GET.get("page"))

    def get_rows(self, objects, filterset):
        return list(objects)

    def get_extra_context(self, filterset, page) -> dict:
        return {}

    # -- the flow --
    def page_size(self) -> int:
        try:
            size = int(self.request.GET.get("per_page", self.default_page_size))
        except ValueError:
            return self.default_page_size
        return size if size in self.page_sizes else self.default_page_size

    def sort_param(self) -> str:
        """The requested sort if whitelisted (``param`` or ``-param``), else ``""``."""
        value = self.request.GET.get("sort", "").strip()
        return value if value.removeprefix("-") in self.sort_fields else ""

    def apply_sort(self, queryset, filterset):
        if filterset is not None and "sort" in getattr(filterset, "filters", {}):
            return queryset  # the filter set's own ordering filter (whitelisted there)
        sort = self.sort_param()
        if sort:
            path = self.sort_fields[sort.removeprefix("-")][0]
            return queryset.order_by(f"-{path}" if sort.startswith("-") else path, "pk")
        return queryset.order_by(*self.default_ordering)

    def sort_links(self) -> dict[str, dict[str, str]]:
        """For each sortable column: the ``sort`` value its header link sets and the arrow to show."""
        current = self.request.GET.get("sort", "")
        links = {}
        for key in self.sort_fields:
            if current == key:
                links[key] = {"param": f"-{key}", "arrow": "↑"}
            elif current == f"-{key}":
                links[key] = {"param": key, "arrow": "↓"}
            else:
                links[key] = {"param": key, "arrow": ""}
        return links

    def carried(self) -> dict[str, str]:
        """The whitelisted filter parameters of the request (for links that keep them)."""
        return {k: self.request.GET[k] for k in self.carried_filters if self.request.GET.get(k)}

    def export_params(self, filterset) -> dict[str, str]:
        """The export link's parameters: the carried filters and the (whitelisted) sort."""
        params = self.carried()
        if self.sort_param():
            params["sort"] = self.sort_param()
        return params

    def export_href(self, filterset) -> str | None:
        if not self.export_url_name:
            return None
        if self.export_permission:
            label, action = self.export_permission.split(".", 1)
            if not can(self.user, label, action):
                return None
        try:
            url = reverse(self.export_url_name)
        except NoReverseMatch:
            return None
        params = self.export_params(filterset)
        return f"{url}?{urlencode(params)}" if params else url

    def get_context_data(self) -> dict:
        """The page's context (see the class docstring); the rows shown are ``object_list``."""
        queryset = self.get_queryset()
        filterset = self.get_filterset(queryset)
        valid = filterset.is_valid() if filterset is not None else True
        if filterset is not None:
            queryset = filterset.qs
            self.check_filters(filterset)
        if not valid:
            queryset = queryset.none()
        queryset = self.apply_sort(queryset, filterset)
        paginator = self.make_paginator(queryset, self.page_size(), filterset if valid else None)
        page = self.paginate(paginator)
        objects = list(page.object_list)
        context = {
            "filter": filterset,
            "filter_errors": [] if valid else filterset.form.errors,
            "page": page,
            "object_list": objects,
            "rows": self.get_rows(objects, filterset),
            "total": paginator.count,
            "total_exact": getattr(paginator, "count_exact", True),
            "sorts": self.sort_links(),
            "page_sizes": self.page_sizes,
            "page_size": paginator.per_page,
            "export_href": self.export_href(filterset),
            "query": urlencode(self.carried()),
            **self.get_extra_context(filterset, page),
        }
        return context

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, self.get_context_data())


# ----- create / edit / delete / state actions ------------------------------------------------------


class ObjectFormView(ObjectMixin, GenericView):
    """A page whose valid POST makes **one service call** (kinds ``create``, ``edit``, ``delete``,
    ``action``). Configure ``get_selector`` (omit with ``object_arg = ""`` for a top-level create),
    ``form_class``, ``template_name``, ``context_object_name``, and override:

    - ``perform(form, obj)``: the service call (keyword arguments from the form; ``expected_version``
      from its ``version`` field for edits) — its result goes to the success hooks;
    - ``get_initial(obj)``, ``get_form_kwargs(obj)``; ``get_notes(obj)``: problems to show up front on
      GET (what the service would refuse);
    - ``precheck(obj)``: a response to give instead of the form (e.g. a redirect), or ``None``;
    - ``success_message(obj, result, form)`` and ``success_url(obj, result)``;
    - ``get_extra_context(obj, form, errors)``;
    - ``permission_denied(form, exc)``: how a ``PermissionDeniedError`` shows (default: its message, 403).

    Statuses: 200 (form), 400 (invalid form or ``ValidationFailed``), 409 (``ConcurrentEdit``, with
    ``conflict_lines``), 403, 404; success redirects (302)."""

    kind = "edit"
    methods = ("GET", "POST")
    object_arg = "pk"
    form_class = None
    context_object_name = "object"

    def get_initial(self, obj) -> dict:
        version = getattr(obj, "version", None)
        return {"version": version} if version is not None else {}

    def get_form_kwargs(self, obj) -> dict:
        return {}

    def get_form(self, obj):
        data = self.request.POST if self.request.method == "POST" else None
        return self.form_class(data, initial=self.get_initial(obj), **self.get_form_kwargs(obj))

    def precheck(self, obj):
        return None

    def get_notes(self, obj) -> list[str]:
        return []

    def perform(self, form, obj):
        raise NotImplementedError(f"{type(self).__name__}.perform must call one service")

    def success_message(self, obj, result, form) -> str:
        return "已保存。"

    def success_url(self, obj, result) -> str:
        raise NotImplementedError(f"{type(self).__name__}.success_url")

    def get_extra_context(self, obj, form, errors) -> dict:
        return {}

    def conflict_object(self, obj, result=None):
        """``(model class, pk)`` whose change log explains a 409 (default: the page's object)."""
        return (type(obj), obj.pk) if obj is not None else (None, None)

    def conflict_lines(self, exc: ConcurrentEdit, obj) -> list[str]:
        """The 409 text: the service's message, then — unless that message names the change already (a
        service may say it, e.g. ``orgs.services.stale_message``) — who changed which fields and when,
        from the change log of ``conflict_object``."""
        lines = [exc.message]
        if exc.message == ConcurrentEdit().message:
            model, pk = self.conflict_object(obj)
            change = last_change(model._meta.label, pk) if model is not None else None
            if change is not None:
                lines.append(change.sentence)
        return lines

    def permission_denied(self, form, exc: PermissionDeniedError) -> tuple[list[str], int]:
        return [exc.message], 403

    def render_form(self, obj, form, errors, status):
        context = {"object": obj, self.context_object_name: obj, "form": form, "errors": errors,
                   "action_url": self.request.path, **self.get_extra_context(obj, form, errors)}
        return render(self.request, self.template_name, context, status=status)

    def _handle(self, request):
        obj = self.get_object()
        early = self.precheck(obj)
        if early is not None:
            return early
        form = self.get_form(obj)
        errors: list[str] = []
        status = 200
        if request.method == "GET":
            errors = self.get_notes(obj)
        else:
            status = 400
            if form.is_valid():
                try:
                    result, errors, status = run_service(lambda: self.perform(form, obj), not_found=self.not_found,
                                                         conflict=lambda exc: self.conflict_lines(exc, obj))
                except PermissionDeniedError as exc:
                    errors, status = self.permission_denied(form, exc)
                else:
                    if status == 200:
                        messages.success(request, self.success_message(obj, result, form))
                        return redirect(self.success_url(obj, result))
        return self.render_form(obj, form, errors, status)

    def get(self, request, *args, **kwargs):
        return self._handle(request)

    def post(self, request, *args, **kwargs):
        return self._handle(request)


class ObjectCreateView(ObjectFormView):
    """``ObjectFormView`` of kind ``create`` (action ``add``); ``object_arg`` names the parent when the
    new record hangs under one (set ``object_model`` when that parent is of another model)."""

    kind = "create"
    action = "add"
    object_arg = ""


class ObjectEditView(ObjectFormView):
    """``ObjectFormView`` of kind ``edit`` (action ``change``): optimistic ``version`` check in the service."""

    kind = "edit"
    action = "change"


class ObjectDeleteView(ObjectFormView):
    """``ObjectFormView`` of kind ``delete`` (action ``delete``): delete or dissolve through one service."""

    kind = "delete"
    action = "delete"


class ObjectActionView(ObjectFormView):
    """``ObjectFormView`` of kind ``action``: any other state change (a form → one service call)."""

    kind = "action"
    action = "change"


# ----- export ------------------------------------------------------------------------------------


class ExportView(GenericView):
    """A download (kind ``export``, action ``export``): ``export(**params) -> bytes`` is the one exporter
    call; ``export_kwargs()`` builds its keyword arguments from the request (``user`` is added; it may
    raise ``ValidationFailed`` or ``Http404`` for bad parameters);
    ``filename(params)``; ``content_type``. ``PermissionDeniedError`` → 403, ``OutOfScope`` → 404
    (``not_found``), ``ValidationFailed`` → ``render_problems`` (400). ``label`` (the data label) must be
    held for ``export`` somewhere, else 403 before anything is read."""

    kind = "export"
    action = "export"
    content_type = XLSX_TYPE
    denied_message = "您没有导出数据的权限。"

    def export(self, **kwargs) -> bytes:
        raise NotImplementedError

    def export_kwargs(self) -> dict:
        return {}

    def filename(self, params: dict) -> str:
        raise NotImplementedError

    def render_problems(self, exc: ValidationFailed):
        return HttpResponse("\n".join([exc.message, *error_lines(exc)]), status=400,
                            content_type="text/plain; charset=utf-8")

    def finish(self, response):
        """The file response, marked for the page's 「正在生成」 indicator (``core.downloads``)."""
        return mark_download(self.request, response)

    def get(self, request, *args, **kwargs):
        if self.label and not can(self.user, self.label, "export"):
            raise PermissionDenied(self.denied_message)
        try:
            params = self.export_kwargs()
            data = self.export(user=self.user, **params)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from None
        except OutOfScope:
            raise Http404(self.not_found) from None
        except ValidationFailed as exc:
            return self.render_problems(exc)
        response = HttpResponse(data, content_type=self.content_type)
        response["Content-Disposition"] = content_disposition_header(True, self.filename(params))
        return self.finish(response)

