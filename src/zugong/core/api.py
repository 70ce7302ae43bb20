"""The API's generic part: one scoped viewset every domain's API copies, its pagination, and the one
place where the services' typed errors become HTTP answers.

**Errors** (``exception_handler``, set as DRF's ``EXCEPTION_HANDLER``): ``ValidationFailed`` → 400
``{"detail", "errors": [{"row", "column", "reason"}]}`` (``column`` the Chinese field name, ``reason``
the same text the page and the importer show, because all three call the same validators);
``ConcurrentEdit`` → 409 ``{"detail", "conflict": {"changed_by", "changed_at", "fields"}}`` naming who
last changed the record, when and which fields (``core.concurrency.last_change``); ``OutOfScope`` → 404
(never naming the object); ``PermissionDeniedError`` → 403. Viewsets map nothing themselves.

**Viewsets** (``ScopedViewSet`` and its mixins; ``ScopedModelViewSet`` = list + create + retrieve +
``PATCH``). A viewset is configured per model::

    class OrganizationViewSet(ScopedModelViewSet):
        model = PartyOrganization
        list_selector = selectors.organization_list           # (*, user, action) -> QuerySet
        serializer_class = OrganizationSerializer            # the read shape
        create_serializer_class = OrganizationCreateSerializer
        update_serializer_class = OrganizationPatchSerializer  # must declare ``version``
        filterset_class = OrganizationFilterSet

        def create_object(self, data): return services.organization_create(user=self.request.user, **data)
        def update_object(self, obj, *, expected_version, changes): return services.organization_update(...)

- Every read goes through the app's selectors, called with the scope *action* of the request:
  ``GET`` → ``view``, create → ``add``, ``PATCH`` → ``change``, ``DELETE`` → ``delete``, an extra action →
  the ``scope`` it declares. ``get_queryset`` is ``list_selector(user=…, action=…)``; a detail route's
  object comes from ``get_selector(user=…, pk=…, action=…)`` (default: the list selector filtered by
  ``pk``; ``retrieve`` also applies the filter backends, e.g. the roster's ``as_of``). Not found or out of
  scope → ``OutOfScope`` → 404. Schema generation gets ``model._default_manager.none()``.
- Input is parsed by a serializer that only parses (``parse_input``); its errors become
  ``ValidationFailed`` with the fields' Chinese ``label``s, so a bad value of any kind answers in one shape.
- Writes call the app's services (``create_object`` / ``update_object`` / the actions' bodies); the
  result is read back through the selectors (``read_back``) with the route's scope action and rendered
  with ``serializer_class`` (or the action's ``output``).
- ``PATCH`` requires the ``version`` read (optimistic lock, ``core.concurrency``); ``PUT`` is not routed.
- Extra routes are ``@scoped_action(scope=…, input=…, output=…)`` methods ``(self, request, obj, data)``
  returning the object to show: the wrapper fetches ``obj`` in the declared scope (404 first), parses
  ``data`` (400), and renders the result.

**Registration**: ``core.registry.register_api_viewset`` puts a viewset on the router and, for a
``ScopedViewSet``, declares each of its routes with ``register_view`` (``api=True``; url name
``api:<basename>-list`` / ``-detail`` / ``-<action>``; kind, model, scope action, methods, object
argument), so the generated scope tests cover a new viewset without a line of test code.

**Pagination** (``ScopedPagination``, the default of every list): ``?page=N`` (1-based) and
``?page_size=`` (≤ ``MAX_PAGE_SIZE``). No ``COUNT`` of the whole scope per request: one query fetches the
page plus one row to know whether there is a next page. ``count`` is exact when it costs nothing (the
page reaches the end: ``count`` = rows before it + rows on it) and otherwise ``null`` unless the client
asks ``?count=true`` (one ``COUNT``). See ``docs/api.md``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action as drf_action
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from zugong.core.concurrency import last_change
from zugong.core.errors import ConcurrentEdit, OutOfScope, RowError, ValidationFailed, ZugongError

API_NAMESPACE = "api"
# The scope action of a request by HTTP method (an extra action declares its own).
METHOD_ACTIONS = {"GET": "view", "HEAD": "view", "OPTIONS": "view", "POST": "add", "PUT": "change",
                  "PATCH": "change", "DELETE": "delete"}
# The scope action and registry kind of the standard routes.
ROUTE_ACTIONS = {"list": ("list", "view"), "create": ("create", "add"), "retrieve": ("detail", "view"),
                 "partial_update": ("edit", "change"), "destroy": ("delete", "delete")}


# ----- errors -------------------------------------------------------------------------------------


def conflict_body(exc: ConcurrentEdit, view=None) -> dict:
    """The 409 body of ``exc``: ``detail`` (the service's message; when that is the generic one, followed by
    「该记录已于 <时间> 被 <用户> 修改（修改了 <字段>）。」) and ``conflict`` = ``{"changed_by", "changed_at"
    (ISO 8601), "fields": [Chinese field names]}`` from the change log, or ``null`` when unknown. The
    record is the one the exception names, else the object the view was working on."""
    label, pk = exc.model_label, exc.object_id
    if not label:
        target = getattr(view, "scoped_object", None)
        if target is not None:
            label, pk = target._meta.label_lower, target.pk
    change = last_change(label, pk) if label else None
    detail = exc.message
    if change is not None and exc.message == ConcurrentEdit.default_message:
        detail = f"{exc.message}{change.sentence}"
    conflict = None if change is None else {"changed_by": change.who, "changed_at": change.when.isoformat(),
                                             "fields": list(change.fields)}
    return {"detail": detail, "conflict": conflict}


def exception_handler(exc, context):
    """DRF exception handler — the one place typed errors become responses: ``ValidationFailed`` → 400
    with ``errors``; ``ConcurrentEdit`` → 409 with ``conflict`` (``conflict_body``); ``OutOfScope`` → 404;
    any ``ZugongError`` → ``{"detail": message}`` with its status; everything else as DRF does."""
    if isinstance(exc, ConcurrentEdit):
        return Response(conflict_body(exc, context.get("view")), status=exc.status_code)
    if isinstance(exc, ZugongError):
        body = {"detail": exc.message}
        if isinstance(exc, ValidationFailed):
            body["errors"] = [{"row": e.row, "column": e.column, "reason": e.reason} for e in exc.errors]
        return Response(body, status=exc.status_code)
    return drf_exception_handler(exc, context)


def _messages(value) -> list[str]:
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


def field_label(serializer, name: str) -> str:
    """The Chinese name of input field ``name``: its explicit ``label``, else the model field's
    ``verbose_name`` (model serializers), else ``name``."""
    field = serializer.fields.get(name)
    if field is not None and field._kwargs.get("label"):
        return str(field._kwargs["label"])
    model = getattr(getattr(serializer, "Meta", None), "model", None)
    if model is not None:
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:  # a serializer-only field
            return name
    return name


def input_errors(serializer) -> list[RowError]:
    """The errors of an invalid serializer as ``RowError(0, <Chinese field name>, reason)``."""
    errors = []
    for name, messages in serializer.errors.items():
        column = "" if name == "non_field_errors" else field_label(serializer, name)
        errors.extend(RowError(0, column, m) for m in _messages(messages))
    return errors


def parse_input(serializer_class, data, *, context: dict | None = None) -> dict:
    """``serializer_class(data=data).validated_data`` as a dict; invalid input raises ``ValidationFailed``
    (one ``RowError`` per problem, message 「字段」：原因；…)."""
    serializer = serializer_class(data=data, context=context or {})
    if not serializer.is_valid():
        errors = input_errors(serializer)
        raise ValidationFailed(errors, message="；".join(f"「{e.column}」：{e.reason}" if e.column else e.reason
                                                      for e in errors))
    return dict(serializer.validated_data)


# ----- pagination ---------------------------------------------------------------------------------


def requested_page_size(request, param: str, maximum: int) -> int:
    """The page size a request asks for with ``?<param>=`` clamped to 1 … ``maximum``; missing or not a
    number: ``settings.REST_FRAMEWORK["PAGE_SIZE"]`` (50 when unset). Shared by every API paginator."""
    default = settings.REST_FRAMEWORK.get("PAGE_SIZE") or 50
    try:
        asked = int(request.query_params.get(param, default))
    except (TypeError, ValueError):
        return default
    return min(max(asked, 1), maximum)


class ScopedPagination(BasePagination):
    """Page-number pagination without a ``COUNT`` per request (see the module docstring): the body is
    ``{"count": int | null, "next": url | null, "previous": url | null, "results": [...]}``."""

    page_query_param = "page"
    page_size_query_param = "page_size"
    count_query_param = "count"
    max_page_size = 500

    def get_page_size(self, request) -> int:
        """``?page_size=`` (1 … ``max_page_size``), else ``settings.REST_FRAMEWORK["PAGE_SIZE"]``."""
        return requested_page_size(request, self.page_size_query_param, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        """The rows of the page asked for (one query, plus a ``COUNT`` only with ``?count=true`` on a page
        that does not reach the end). Raises ``NotFound`` (404) for a page number that is not a positive
        integer or lies past the end."""
        self.request = request
        self.page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param, "1")
        try:
            self.number = int(raw)
            if self.number < 1:
                raise ValueError
        except (TypeError, ValueError):
            raise NotFound(f"无效的页码：{raw}。") from None
        offset = (self.number - 1) * self.page_size
        rows = list(queryset[offset:offset + self.page_size + 1])
        self.has_next = len(rows) > self.page_size
        rows = rows[:self.page_size]
        if not rows and self.number > 1:
            raise NotFound(f"无效的页码：{raw}（超出最后一页）。")
        if not self.has_next:
            self.count = offset + len(rows)
        elif request.query_params.get(self.count_query_param, "").lower() in ("1", "true", "yes"):
            self.count = queryset.count()
        else:
            self.count = None
        return rows

    def get_paginated_response(self, data):
        url = self.request.build_absolute_uri()
        following = replace_query_param(url, self.page_query_param, self.number + 1) if self.has_next else None
        previous = None
        if self.number > 1:
            previous = (remove_query_param(url, self.page_query_param) if self.number == 2
                        else replace_query_param(url, self.page_query_param, self.number - 1))
        return Response({"count": self.count, "next": following, "previous": previous, "results": data})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["count", "results"],
            "properties": {
                "count": {"type": "integer", "nullable": True,
                          "description": "总数：最后一页或带 count=true 时给出，否则为 null（不逐次统计全部数据）"},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {"name": self.page_query_param, "required": False, "in": "query",
             "description": "页码（从 1 开始）", "schema": {"type": "integer"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": f"每页条数（不超过 {self.max_page_size}）", "schema": {"type": "integer"}},
            {"name": self.count_query_param, "required": False, "in": "query",
             "description": "为 true 时统计总数（多一次计数查询）", "schema": {"type": "boolean"}},
        ]


# ----- viewsets -----------------------------------------------------------------------------------


def scoped_action(*, scope: str, input=None, output=None, methods: tuple[str, ...] = ("post",),
                  url_path: str | None = None, detail: bool = True, kind: str = "", summary: str = "",
                  description: str = "", parameters: list | None = None) -> Callable:
    """An extra route of a ``ScopedViewSet`` (transfer, move, dissolve …) in a few lines.

    The decorated method ``(self, request, obj, data) -> object`` gets ``obj`` — the record of the URL,
    fetched with the ``scope`` action (``view``/``add``/``change``/``delete``; out of scope → 404 before
    anything else) — and ``data``, the ``input`` serializer's validated data (bad input → 400). It calls
    a service and returns the object to show (usually ``obj``), which is read back through the selectors
    and rendered with ``output`` (default: the viewset's ``serializer_class``); a ``Response`` is passed
    through. ``kind`` is the registry kind (default ``action``; ``detail`` for a ``GET``). The OpenAPI
    operation gets ``summary``, ``description``, ``parameters``, ``input`` as request body and ``output``
    as the 200 response."""
    methods = tuple(m.lower() for m in methods)

    def decorate(func):
        @functools.wraps(func)
        def handler(self, request, *args, **kwargs):
            obj = self.get_object() if detail else None
            data = parse_input(input, request.data, context=self.get_serializer_context()) if input else {}
            result = func(self, request, obj, data)
            if isinstance(result, Response):
                return result
            if result is obj and request.method in ("GET", "HEAD"):  # a read: just fetched, nothing changed
                return Response((output or self.get_serializer_class())(obj, context=self.get_serializer_context()).data)
            return self.respond(result, serializer_class=output)

        handler.scope_action = scope
        handler.view_kind = kind or ("detail" if methods == ("get",) and detail else "action")
        schema = {"summary": summary, "description": description, "parameters": parameters or None,
                  "responses": {200: output} if output else None}
        if input is not None:
            schema["request"] = input
        routed = drf_action(detail=detail, methods=list(methods), url_path=url_path)(handler)
        # after @action, which replaces the function's ``kwargs`` where extend_schema keeps its schema
        return extend_schema(**{k: v for k, v in schema.items() if v is not None})(routed)

    return decorate


class ScopedViewSet(viewsets.GenericViewSet):
    """The scoped base (see the module docstring). Set ``model``, ``list_selector`` and
    ``serializer_class``; optionally ``get_selector``, ``filterset_class``, ``object_model`` (the model
    whose primary key the detail URL carries, when it is not ``model``: the roster lists memberships but
    ``/api/members/{person_id}/`` names a party member), ``row_model`` (the model whose primary key the
    list's rows carry, when it is not ``model``: a roster row names its member by ``person_id``) and
    ``not_found`` (the 404 text)."""

    model = None
    object_model = None
    row_model = None
    list_selector: Callable | None = None  # (*, user, action) -> QuerySet of rows in scope
    get_selector: Callable | None = None  # (*, user, pk, action) -> object | None
    not_found = "对象不存在或不在您的数据范围内。"
    pagination_class = ScopedPagination

    # -- scope --------------------------------------------------------------------------------------

    def scope_action(self) -> str:
        """The scope action of this request: the extra action's declared ``scope``, the standard route's
        (``ROUTE_ACTIONS``), else by HTTP method (``METHOD_ACTIONS``)."""
        handler = getattr(self, self.action, None) if getattr(self, "action", None) else None
        declared = getattr(handler, "scope_action", None)
        if declared:
            return declared
        if self.action in ROUTE_ACTIONS:
            return ROUTE_ACTIONS[self.action][1]
        return METHOD_ACTIONS.get(self.request.method.upper(), "view")

    def get_queryset(self):
        """``list_selector(user=…, action=scope_action())``; an empty queryset for schema generation."""
        if getattr(self, "swagger_fake_view", False) or getattr(self, "request", None) is None:
            return self.model._default_manager.none()
        return type(self).list_selector(user=self.request.user, action=self.scope_action())

    def _select_one(self, key: int, action: str, *, filtered: bool = False, field: str = "pk"):
        """The row ``field = key`` through ``get_selector`` (by primary key) or the list selector (the
        filter backends applied when ``filtered``); ``None`` when not in scope."""
        selector = type(self).get_selector
        if selector is not None and not filtered and field == "pk":
            return selector(user=self.request.user, pk=key, action=action)
        queryset = type(self).list_selector(user=self.request.user, action=action)
        if filtered:
            queryset = self.filter_queryset(queryset)
        return queryset.filter(**{field: key}).first()

    def get_object(self):
        """The record of the URL within the request's scope (``retrieve``: also through the filter
        backends); ``OutOfScope`` (404) when missing or outside it. Kept as ``scoped_object`` for the 409
        body."""
        key = str(self.kwargs[self.lookup_url_kwarg or self.lookup_field])
        if not (key.isascii() and key.isdigit()) or len(key) > 18:  # not a key: "does not exist", like any other
            raise OutOfScope(self.not_found)
        retrieve = self.action == "retrieve"
        # the detail URL names the object model's primary key (``lookup_field`` on the listed rows)
        obj = self._select_one(int(key), self.scope_action(), filtered=retrieve,
                               field=self.lookup_field if retrieve or type(self).get_selector is None else "pk")
        if obj is None:
            raise OutOfScope(self.not_found)
        self.check_object_permissions(self.request, obj)
        self.scoped_object = obj
        return obj

    def read_back(self, obj, action: str | None = None):
        """``obj`` fresh through the selectors with ``action`` (default: this request's scope action) —
        what a write returns; ``OutOfScope`` if it is no longer visible (the services re-check the scope
        after writing, so this does not happen)."""
        if obj is None:
            raise OutOfScope(self.not_found)
        fresh = self._select_one(obj.pk, action or self.scope_action())
        if fresh is None:
            raise OutOfScope(self.not_found)
        return fresh

    def respond(self, obj, *, status_code: int = status.HTTP_200_OK, serializer_class=None) -> Response:
        """``obj`` read back and rendered with ``serializer_class`` (default ``self.serializer_class``)."""
        serializer_class = serializer_class or self.get_serializer_class()
        fresh = self.read_back(obj)
        return Response(serializer_class(fresh, context=self.get_serializer_context()).data, status=status_code)

    def parse(self, serializer_class) -> dict:
        """The request body through ``serializer_class`` (``parse_input``: 400 with fields on error)."""
        return parse_input(serializer_class, self.request.data, context=self.get_serializer_context())

    # -- registry -----------------------------------------------------------------------------------

    @classmethod
    def scoped_view_specs(cls, *, basename: str, namespace: str = API_NAMESPACE) -> list[dict]:
        """The ``core.registry.register_view`` keyword arguments of every route of this viewset."""
        label = cls.model._meta.label
        object_model = cls.object_model._meta.label if cls.object_model is not None else ""
        row_label = cls.row_model._meta.label if cls.row_model is not None else label
        object_arg = cls.lookup_url_kwarg or cls.lookup_field
        specs = []
        for route, method, suffix in (("list", "GET", "list"), ("create", "POST", "list"),
                                      ("retrieve", "GET", "detail"), ("partial_update", "PATCH", "detail"),
                                      ("destroy", "DELETE", "detail")):
            if not hasattr(cls, route):
                continue
            kind, scope = ROUTE_ACTIONS[route]
            on_object = suffix == "detail"
            specs.append({"url_name": f"{namespace}:{basename}-{suffix}", "kind": kind,
                          "model": row_label if route == "list" else label,
                          "action": scope, "methods": (method,), "object_arg": object_arg if on_object else "",
                          "object_model": object_model if on_object else "", "api": True})
        for extra in cls.get_extra_actions():
            specs.append({"url_name": f"{namespace}:{basename}-{extra.url_name}",
                          "kind": getattr(extra, "view_kind", "action"), "model": label,
                          "action": getattr(extra, "scope_action", "view"),
                          "methods": tuple(m.upper() for m in extra.mapping),
                          "object_arg": object_arg if extra.detail else "",
                          "object_model": object_model if extra.detail else "", "api": True})
        return specs

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for extra in cls.get_extra_actions():
            if not hasattr(extra, "scope_action"):
                raise TypeError(f"{cls.__name__}.{extra.__name__}: declare extra routes with core.api.scoped_action "
                                "(it names the scope action)")
        update = getattr(cls, "update_serializer_class", None)
        if update is not None and "version" not in update().fields:
            raise TypeError(f"{cls.__name__}.update_serializer_class must declare 'version' (optimistic lock)")


class ScopedListMixin(mixins.ListModelMixin):
    """``GET …/``: the rows of ``list_selector(action="view")`` through the filter backends, paginated."""


class ScopedRetrieveMixin(mixins.RetrieveModelMixin):
    """``GET …/{pk}/``: one row in the ``view`` scope (404 outside)."""


class ScopedCreateMixin:
    """``POST …/``: ``create_serializer_class`` parses, ``create_object(data)`` calls the service (``add``
    scope); 201 with the new record read back."""

    create_serializer_class = None

    def create(self, request, *args, **kwargs):
        obj = self.create_object(self.parse(self.create_serializer_class))
        return self.respond(obj, status_code=status.HTTP_201_CREATED)

    def create_object(self, data: dict):
        """Call the app's create service with ``data``; return the new record."""
        raise NotImplementedError


class ScopedUpdateMixin:
    """``PATCH …/{pk}/``: the record in the ``change`` scope (404 outside), ``update_serializer_class``
    parses (``version`` required), ``update_object(obj, expected_version=…, changes=…)`` calls the service;
    a stale version is a 409 naming who changed what. ``PUT`` is not routed (405)."""

    update_serializer_class = None

    def partial_update(self, request, *args, **kwargs):
        obj = self.get_object()
        changes = self.parse(self.update_serializer_class)
        version = changes.pop("version")
        return self.respond(self.update_object(obj, expected_version=version, changes=changes))

    def update_object(self, obj, *, expected_version: int, changes: dict):
        """Call the app's update service; return the updated record."""
        raise NotImplementedError


class ScopedModelViewSet(ScopedListMixin, ScopedCreateMixin, ScopedRetrieveMixin, ScopedUpdateMixin, ScopedViewSet):
    """List, create, retrieve and ``PATCH`` of one model, scoped (see the module docstring)."""


class ScopedReadOnlyViewSet(ScopedListMixin, ScopedRetrieveMixin, ScopedViewSet):
    """List and retrieve of one model, scoped."""
