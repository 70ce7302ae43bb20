"""What each app contributes to the shell, registered by the app itself (design: "core names no domain app").

An app registers in its ``AppConfig.ready()``; the consumers in ``core``, ``api`` and ``audit`` read the
registry lazily (at request time, or when the URLconf is first loaded — always after every ``ready()``),
so the order of ``INSTALLED_APPS`` does not matter. Callables may be given as dotted paths
(``"zugong.orgs.importers.import_organizations"``) so ``ready()`` imports nothing heavy.

- **Navigation** (``register_nav``): an entry of the left navigation — section title, Chinese label, URL
  name, who sees it (``permission="party.view"``: the user holds that label.action somewhere;
  ``admin_kinds=("security",)``: the user holds one of those administrator kinds; ``any_admin=True``:
  any administrator kind), and an ``order``. Sections appear in the order of their first entry's order;
  entries within a section by ``order``.
- **API** (``register_api_viewset`` / ``register_api_path``): DRF viewsets (prefix, viewset, basename)
  put on one router by ``zugong.api.urls``, and plain API paths (route, view, name).
- **Audited models** (``register_audited_model``): models the change log tracks besides the concrete
  ``BaseModel`` subclasses (which are tracked automatically); ``on_audited_model`` lets the change log
  connect to models registered before or after it.
- **Import kinds** (``register_import_kind``): ``ImportJob.kind`` values, with Chinese label, runner,
  template builder, permission and what the import pages show (columns, help, where to go after). The
  pages come from the registration alone (``core.import_views``); ``ImportJob.kind`` has no ``choices``:
  a new kind needs no migration either.
- **Home widgets** (``register_home_widget``): ``callable(user, request) -> dict | None`` rendering a
  template fragment on the home page (``None``: nothing to show), with an order and a permission.
- **Organization panels** (``register_org_panel``): a tab of the organization page contributed by an app:
  ``provider(user, organization, request) -> dict | None`` (``None``: no tab for this organization or user)
  rendering ``template`` with that dict as ``p``; the tab's label is the dict's ``"label"`` (or the
  registered ``label``) and tabs follow ``order``.
- **To-do providers** (``register_todo_provider``): ``callable(user, today=None) -> list[TodoItem]``; the home page's
  「待办事项」 list is their union, most severe and earliest due first.
- **Scoped views** (``register_view``): what each page or API route reads or changes — its kind
  (``list``/``detail``/``create``/``edit``/``delete``/``action``/``import``/``export``), the model, the scope
  action it needs and which URL argument names which record. The generic views (``core.generic``) register
  themselves; a hand-written view registers in its app's ``ready()``; ``register_api_viewset`` declares
  every route of an API viewset (``core.api.ScopedViewSet``). ``registry.views`` is keyed by URL name; a
  URL whose methods are of different kinds (the API's ``-list``: ``GET`` list, ``POST`` create; ``-detail``:
  ``GET`` detail, ``PATCH`` edit) has one declaration per kind, the further ones keyed
  ``"<url name> <METHODS>"`` (``views_for(url_name)`` lists them all). The generated scope tests
  (``tests/security/test_scope_generated.py``) are built from this table, and a meta-test fails for a URL name
  that is neither here nor in the hand-kept matrix.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.module_loading import import_string

ADMIN_KINDS = ("system", "security", "audit")


def _resolve(target):
    return import_string(target) if isinstance(target, str) else target


@dataclass(frozen=True)
class Visibility:
    """Who sees an entry: a ``label.action`` permission, administrator kinds, or any administrator."""

    permission: str = ""
    admin_kinds: tuple[str, ...] = ()
    any_admin: bool = False

    def allows(self, user, kinds: frozenset[str] | None = None) -> bool:
        from zugong.core.scoping import can

        if self.permission:
            label, action = self.permission.split(".", 1)
            if not can(user, label, action):
                return False
        if self.admin_kinds or self.any_admin:
            kinds = user_admin_kinds(user) if kinds is None else kinds
            if self.any_admin and not kinds:
                return False
            if self.admin_kinds and not kinds & set(self.admin_kinds):
                return False
        return True


def user_admin_kinds(user) -> frozenset[str]:
    """The administrator kinds (``system``/``security``/``audit``) ``user`` holds (cached per request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_zugong_admin_kinds", None)
    if cached is None:
        from zugong.accounts.services import admin_kinds

        cached = frozenset(admin_kinds(user))
        user._zugong_admin_kinds = cached
    return cached


@dataclass(frozen=True)
class NavEntry:
    section: str
    label: str
    url_name: str
    order: int
    visibility: Visibility
    app: str = ""


@dataclass(frozen=True)
class ApiViewset:
    prefix: str
    viewset: object  # class or dotted path
    basename: str

    @property
    def view_class(self):
        return _resolve(self.viewset)


@dataclass(frozen=True)
class ApiPath:
    route: str
    view: object  # class-based view (``as_view()`` is called) or dotted path to one
    name: str


@dataclass(frozen=True)
class ImportKind:
    """One import kind: ``code`` (``ImportJob.kind``), Chinese ``label``, the importer ``runner``
    (``runner(path, *, user, filename, progress, **options)``), the blank-template builder ``template``
    (``() -> bytes``), the ``permission`` needed to run it, and what its pages (``core.import_views``,
    built from this registration alone) show and where they live:

    - ``model``: ``"app_label.ModelName"`` of the rows it writes (declared as the import view's model for
      the generated scope tests);
    - ``columns``: its ``core.importing.Column``s (or a dotted path to them), listed as help on the form;
      ``help_lines``: more help, one sentence each; ``offers_bad_checksum``: the form offers
      「接受校验码错误的公民身份号码」;
    - ``done_url_name``/``done_label``: the link shown after a successful import;
    - ``url_name``: the URL name of its upload page in its app's URLconf (e.g. ``"orgs:import"``; the
      app mounts ``core.import_views.import_urlpatterns(code)`` there, names ``<url_name>``,
      ``…_template``, ``…_job``, ``…_job_status``, ``…_job_errors``); empty: the pages are served under
      ``/imports/<code>/`` (namespace ``imports``) with no URL line at all;
    - ``job_url_name``: the URL name of a job's page (one argument: the job id); default ``<url_name>_job``;
    - ``importer``: the ``core.importing.Importer`` subclass (or a dotted path) the runner uses, for the
      column-mapping page's preview (``core.layout.preview_import``); empty: the page builds a stand-in
      from ``columns``.
    """

    code: str
    label: str
    runner: object
    template: object
    permission: str  # no default: each kind names the label.action it needs
    job_url_name: str = ""
    model: str = ""
    columns: object = ()
    help_lines: tuple[str, ...] = ()
    offers_bad_checksum: bool = False
    done_url_name: str = ""
    done_label: str = ""
    url_name: str = ""
    importer: object = ""

    def get_runner(self) -> Callable:
        return _resolve(self.runner)

    def get_template(self) -> Callable:
        return _resolve(self.template)

    def get_importer(self):
        """The importer class (``None`` when not registered)."""
        return _resolve(self.importer) if self.importer else None

    def get_columns(self) -> tuple:
        """The layout of the kind's template and help text (``columns``)."""
        return tuple(_resolve(self.columns) if isinstance(self.columns, str) else self.columns)

    def import_columns(self) -> tuple:
        """Every column the importer reads — the template's plus those only other systems' files carry
        (e.g. 党组织唯一标识, 政治面貌 of the roster): the fields the mapping step and ``--mapping`` offer.
        The registered importer's ``columns`` when there is one, else ``get_columns()``."""
        importer = self.get_importer()
        return tuple(importer.columns) if importer is not None else self.get_columns()

    def page_url(self, suffix: str = "", *args) -> str:
        """The URL of one of its pages: ``suffix`` ``""`` (upload form), ``"_template"``, ``"_job"``,
        ``"_job_status"``, ``"_job_errors"`` (those three take the job id)."""
        from django.urls import reverse

        if self.url_name:
            return reverse(f"{self.url_name}{suffix}", args=args)
        return reverse(f"imports:import{suffix}", args=(self.code, *args))

    def job_url(self, pk: int) -> str:
        """The page of job ``pk`` of this kind."""
        if self.job_url_name:
            from django.urls import reverse

            return reverse(self.job_url_name, args=[pk])
        return self.page_url("_job", pk)


@dataclass(frozen=True)
class HomeWidget:
    """A home-page block: ``provider(user, request) -> dict | None`` renders ``template`` with that dict."""

    name: str
    template: str
    provider: object
    order: int
    visibility: Visibility

    def context(self, user, request):
        return _resolve(self.provider)(user, request)


@dataclass(frozen=True)
class OrgPanel:
    """A tab of the organization page: ``provider(user, organization, request) -> dict | None`` renders
    ``template`` with that dict (as ``p``)."""

    name: str
    label: str
    template: str
    provider: object
    order: int
    visibility: Visibility

    def context(self, user, organization, request):
        return _resolve(self.provider)(user, organization, request)


@dataclass(frozen=True)
class TodoItem:
    """One 待办事项: Chinese ``text``, a ``url`` to act on it, an optional ``due`` date and a ``severity``
    (``"high"``, ``"normal"`` or ``"low"``)."""

    text: str
    url: str = ""
    due: dt.date | None = None
    severity: str = "normal"

    SEVERITY_RANK = {"high": 0, "normal": 1, "low": 2}

    def sort_key(self):
        return (self.SEVERITY_RANK.get(self.severity, 1), self.due or dt.date.max, self.text)


@dataclass(frozen=True)
class TodoProvider:
    name: str
    provider: object
    visibility: Visibility

    def items(self, user, today: dt.date | None = None) -> list[TodoItem]:
        """The provider's items for ``user`` as of ``today`` (``None``: the provider's own today)."""
        provider = _resolve(self.provider)
        return list((provider(user) if today is None else provider(user, today=today)) or [])


VIEW_KINDS = ("list", "detail", "create", "edit", "delete", "action", "import", "export")


@dataclass(frozen=True)
class ViewSpec:
    """One scoped view: ``url_name`` (namespaced, e.g. ``"orgs:detail"``, ``"api:organization-detail"``),
    ``kind`` (one of ``VIEW_KINDS``), ``model`` (``"app_label.ModelName"`` of the rows it reads or
    changes), the scope ``action`` it needs on the model's data label (or ``label``), the HTTP ``methods``
    it answers, ``object_arg`` — the URL keyword argument holding a record's primary key (``""`` when the
    URL names none) — and ``object_model`` when that record is of another model than ``model`` (e.g. the
    parent organization of a create-child page). ``object_param``: the query-string parameter naming the
    record by its code instead (``"org"`` for ``?org=C-A-1`` of the statistics and exports; ``""`` when
    none). ``api=True`` for API routes (JSON bodies).

    An API route answering several methods (a DRF list or detail route) registers the kind of its ``GET``
    (``list``/``detail``); the scope tests read ``POST`` on a list as a create, ``PATCH``/``PUT`` on a
    detail as an edit and ``DELETE`` as a delete (``tests/security/test_scope_generated.py``)."""

    url_name: str
    kind: str
    model: str
    action: str
    methods: tuple[str, ...] = ("GET",)
    object_arg: str = ""
    object_model: str = ""
    label: str = ""
    api: bool = False
    object_param: str = ""

    @property
    def target_model(self) -> str:
        return self.object_model or self.model


@dataclass
class Registry:
    nav: list[NavEntry] = field(default_factory=list)
    api_viewsets: list[ApiViewset] = field(default_factory=list)
    api_paths: list[ApiPath] = field(default_factory=list)
    audited_models: list[str] = field(default_factory=list)
    import_kinds: dict[str, ImportKind] = field(default_factory=dict)
    home_widgets: list[HomeWidget] = field(default_factory=list)
    todo_providers: list[TodoProvider] = field(default_factory=list)
    org_panels: list[OrgPanel] = field(default_factory=list)
    reference_dates: list[tuple[str, object]] = field(default_factory=list)
    audited_listeners: list[Callable] = field(default_factory=list)
    declared_views: dict[str, ViewSpec] = field(default_factory=dict)
    undeclared_api_viewsets: list[ApiViewset] = field(default_factory=list)

    @property
    def views(self) -> dict[str, ViewSpec]:
        """Every scoped view declaration (see the module docstring), the API viewsets' routes included:
        those are declared on first reading (importing the viewsets needs DRF, which ``ready()`` should
        not pay for in every ``zugong`` command). The root URLconf is loaded first: the generic views
        declare themselves when their modules are imported, which the URLconf does."""
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018  (imports every view module once; cached afterwards)
        self.declare_api_viewsets()
        return self.declared_views

    def declare_api_viewsets(self) -> None:
        """Declare the routes of every API viewset registered so far (the API URLconf calls this while
        it is loaded, before routing them)."""
        while self.undeclared_api_viewsets:
            _declare_api_routes(self.undeclared_api_viewsets[0])


registry = Registry()


def _visibility(permission: str, admin_kinds, any_admin: bool) -> Visibility:
    if permission and "." not in permission:
        raise ValueError(f"permission must be 'label.action', not {permission!r}")
    unknown = set(admin_kinds) - set(ADMIN_KINDS)
    if unknown:
        raise ValueError(f"unknown administrator kinds {sorted(unknown)}")
    return Visibility(permission=permission, admin_kinds=tuple(admin_kinds), any_admin=any_admin)


def _add_unique(items: list, item, key) -> None:
    if any(key(existing) == key(item) for existing in items):
        return  # ready() may run twice in tests that reload apps: registration is idempotent
    items.append(item)


# ----- registration (called from AppConfig.ready) -------------------------------------------------


def register_nav(*, section: str, label: str, url_name: str, order: int, permission: str = "",
                 admin_kinds: tuple[str, ...] = (), any_admin: bool = False, app: str = "") -> None:
    entry = NavEntry(section, label, url_name, order, _visibility(permission, admin_kinds, any_admin), app)
    _add_unique(registry.nav, entry, lambda e: (e.section, e.url_name))


def register_api_viewset(*, prefix: str, viewset, basename: str) -> None:
    """Put ``viewset`` (class or dotted path) on the API router at ``prefix`` and declare each of its routes
    with ``register_view`` (``api:<basename>-list`` …; the declarations come from the viewset itself,
    ``core.api.ScopedViewSet.scoped_view_specs``). A dotted path is imported when ``registry.views`` is
    first read or the API URLconf is loaded, not here. A viewset that cannot declare its routes is refused
    with ``ValueError`` (then, or now for a class) — every API route is scoped and covered by the
    generated scope tests."""
    entry = ApiViewset(prefix, viewset, basename)
    if any(e.basename == basename for e in registry.api_viewsets):
        return  # ready() may run twice in tests that reload apps: registration is idempotent
    registry.api_viewsets.append(entry)
    registry.undeclared_api_viewsets.append(entry)
    if not isinstance(viewset, str):
        _declare_api_routes(entry)


def _declare_api_routes(entry: ApiViewset) -> None:
    """``register_view`` for every route of ``entry``'s viewset; a viewset that is not a ``ScopedViewSet``
    is taken off the router and refused (``ValueError``)."""
    registry.undeclared_api_viewsets.remove(entry)
    specs = getattr(entry.view_class, "scoped_view_specs", None)
    if specs is None:
        registry.api_viewsets.remove(entry)
        raise ValueError(f"API viewset {entry.viewset!r} must derive from zugong.core.api.ScopedViewSet")
    for spec in specs(basename=entry.basename):
        register_view(**spec)


def register_api_path(*, route: str, view, name: str) -> None:
    _add_unique(registry.api_paths, ApiPath(route, view, name), lambda e: e.name)


def register_audited_model(label: str) -> None:
    """Track ``label`` (``"app_label.ModelName"``) in the change log."""
    label = label.lower()
    if label in registry.audited_models:
        return
    registry.audited_models.append(label)
    for listener in registry.audited_listeners:
        listener(label)


def on_audited_model(listener: Callable[[str], None]) -> None:
    """Call ``listener(label)`` for every audited model, already registered or registered later."""
    registry.audited_listeners.append(listener)
    for label in list(registry.audited_models):
        listener(label)


def register_import_kind(*, code: str, label: str, runner, template, permission: str,
                         job_url_name: str = "", model: str = "", columns=(), help_lines: tuple[str, ...] = (),
                         offers_bad_checksum: bool = False, done_url_name: str = "", done_label: str = "",
                         url_name: str = "", importer="") -> None:
    """Register import kind ``code`` (see ``ImportKind``): its upload, template and job pages need no
    view or URL code of their own (``core.import_views``)."""
    if len(code) > 20:
        raise ValueError(f"import kind code {code!r} is longer than ImportJob.kind (20)")
    from zugong.core.scoping import ACTIONS, DATA_LABELS

    data_label, _, action = permission.partition(".")
    if data_label not in DATA_LABELS or action not in ACTIONS:
        raise ValueError(f"import kind {code!r}: permission must be 'label.action', not {permission!r}")
    existing = registry.import_kinds.get(code)
    if existing is not None and existing.label != label:
        raise ValueError(f"import kind {code!r} registered twice")
    registry.import_kinds[code] = ImportKind(code, label, runner, template, permission, job_url_name, model,
                                             columns, tuple(help_lines), offers_bad_checksum, done_url_name,
                                             done_label, url_name, importer)


def register_home_widget(*, name: str, template: str, provider, order: int, permission: str = "") -> None:
    widget = HomeWidget(name, template, provider, order, _visibility(permission, (), False))
    _add_unique(registry.home_widgets, widget, lambda w: w.name)


def register_org_panel(*, name: str, label: str, template: str, provider, order: int, permission: str = "") -> None:
    """A tab of the organization page (see the module docstring); ``name`` is also the tab's anchor
    (``#tab-<name>``)."""
    panel = OrgPanel(name, label, template, provider, order, _visibility(permission, (), False))
    _add_unique(registry.org_panels, panel, lambda p: p.name)


def org_panels_for(user, organization, request) -> list[tuple[OrgPanel, dict]]:
    """The organization page's contributed tabs for ``user``: (panel, context) pairs in ``order``, the
    panels whose provider returned ``None`` left out."""
    out = []
    for panel in sorted(registry.org_panels, key=lambda p: p.order):
        if panel.visibility.allows(user) and (ctx := panel.context(user, organization, request)) is not None:
            out.append((panel, ctx))
    return out


def register_reference_date(*, name: str, provider) -> None:
    """A ``callable() -> (date, note) | None`` naming the day the home page's to-dos are computed for instead
    of today (the demo dataset, which is as of a fixed past date, registers one); the first that answers
    wins."""
    _add_unique(registry.reference_dates, (name, provider), lambda p: p[0])


def reference_date() -> tuple[dt.date | None, str]:
    """``(day, note)`` of the first registered reference date that answers, else ``(None, "")`` (today)."""
    for _name, provider in registry.reference_dates:
        answer = _resolve(provider)()
        if answer is not None:
            return answer
    return None, ""


def register_todo_provider(*, name: str, provider, permission: str = "") -> None:
    _add_unique(registry.todo_providers, TodoProvider(name, provider, _visibility(permission, (), False)),
                lambda p: p.name)


def register_view(*, url_name: str, kind: str, model: str, action: str, methods: tuple[str, ...] = ("GET",),
                  object_arg: str = "", object_model: str = "", label: str = "", api: bool = False,
                  object_param: str = "") -> ViewSpec:
    """Declare what the view ``url_name`` reads or changes (see ``ViewSpec``). Idempotent for the same
    declaration; a different declaration under the same name raises ``ValueError``."""
    from zugong.core.scoping import ACTIONS, DATA_LABELS

    if kind not in VIEW_KINDS:
        raise ValueError(f"view {url_name!r}: kind must be one of {VIEW_KINDS}, not {kind!r}")
    if action not in ACTIONS:
        raise ValueError(f"view {url_name!r}: unknown action {action!r}")
    if label and label not in DATA_LABELS:
        raise ValueError(f"view {url_name!r}: unknown data label {label!r}")
    if object_arg and object_param:
        raise ValueError(f"view {url_name!r}: name the record by object_arg or object_param, not both")
    spec = ViewSpec(url_name, kind, model, action, tuple(m.upper() for m in methods), object_arg, object_model,
                    label, api, object_param)
    same_url = [s for s in registry.declared_views.values() if s.url_name == url_name]
    if spec in same_url:
        return spec
    if any(set(s.methods) & set(spec.methods) for s in same_url):
        raise ValueError(f"view {url_name!r} registered twice with different declarations")
    # one URL may answer several methods with different kinds (an API list route: GET list, POST create)
    key = f"{url_name} {' '.join(spec.methods)}" if same_url else url_name
    registry.declared_views[key] = spec
    return spec


def view_names() -> set[str]:
    """The URL names with at least one declaration."""
    return {s.url_name for s in registry.views.values()}


def view_methods(url_name: str) -> set[str]:
    """Every HTTP method the declarations of ``url_name`` answer, whatever their kinds."""
    return {m for s in views_for(url_name) for m in s.methods}


def views_for(url_name: str) -> list[ViewSpec]:
    """Every declaration of ``url_name`` (more than one when its methods are different kinds, as the API's
    ``-list`` route: ``GET`` list and ``POST`` create)."""
    return [s for s in registry.views.values() if s.url_name == url_name]


# ----- reading ------------------------------------------------------------------------------------


def navigation_for(user) -> list[tuple[str, list[tuple[str, str]]]]:
    """The left navigation ``[(section, [(label, url name)])]`` ``user`` may open."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    kinds = user_admin_kinds(user)
    sections: dict[str, list[NavEntry]] = {}
    first: dict[str, int] = {}
    for entry in sorted(registry.nav, key=lambda e: e.order):
        if entry.visibility.allows(user, kinds):
            sections.setdefault(entry.section, []).append(entry)
            first.setdefault(entry.section, entry.order)
    return [(title, [(e.label, e.url_name) for e in entries])
            for title, entries in sorted(sections.items(), key=lambda kv: first[kv[0]])]


def import_kind(code: str) -> ImportKind | None:
    return registry.import_kinds.get(code)


def import_kind_label(code: str) -> str:
    kind = registry.import_kinds.get(code)
    return kind.label if kind else code


def home_widgets_for(user) -> list[HomeWidget]:
    return [w for w in sorted(registry.home_widgets, key=lambda w: w.order) if w.visibility.allows(user)]


def todos_for(user, today: dt.date | None = None) -> list[TodoItem]:
    """The home page's 待办事项 of ``user``: every visible provider's items as of ``today`` (default: the
    providers' own today), most severe and earliest due first. A provider is
    ``callable(user, today=None) -> list[TodoItem]``."""
    items: list[TodoItem] = []
    for provider in registry.todo_providers:
        if provider.visibility.allows(user):
            items.extend(provider.items(user, today))
    return sorted(items, key=TodoItem.sort_key)
