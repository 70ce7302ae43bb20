"""Scoped by default (``design.md`` rule 1): system checks that every model declares its scope and that
view modules read business models only through ``restrict(user, action)`` or a selector.

- ``zugong.E010``: a concrete model of a Zugong app (``zugong.*``) declares neither a scope
  (``scope_org_field`` *and* ``data_label``, no defaults — see ``core.scoping``) nor
  ``scope_exempt = "<why it is not organization data>"``; or declares only half of a scope; or both.
- ``zugong.E011``: ``scope_org_field`` does not resolve, relation by relation through ``_meta``, to a
  scope anchor (a model declaring ``scope_anchor = "<kind>"`` with a kind of ``ANCHOR_KINDS``:
  ``"organization"`` or ``"unit"``, and ``scope_org_field = ""``); ``""`` only on an anchor itself.
- ``zugong.E012``: ``data_label`` is not a key of ``core.scoping.DATA_LABELS``.
- ``zugong.E013``: a **page view module** (``views.py``, ``*_views.py`` of a Zugong app) touches a
  business model's manager at all — ``<BusinessModel>.objects`` (or ``_default_manager``/
  ``_base_manager``), even with ``.restrict(``; only ``.objects.none()`` is allowed: pages read through
  the selectors (``selectors.py``, scoped ``(*, user, ...)``), as the generic views do. An **API view
  module** (``api/views.py``) may still read through ``.restrict(user, action)`` (being moved onto the
  selectors separately), but not without it. Either kind may not pass a business model class to
  ``get_object_or_404``/``get_list_or_404``. Static analysis (AST), reported with file and line.

A *business model* is one declaring ``scope_org_field``. Core names no domain app: models come from the
app registry. What the static check cannot see (related managers such as ``org.people.all()``,
``apps.get_model``) stays the reviewer's job.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.apps import apps
from django.core.checks import Error, register

from zugong.core.scoping import ANCHOR_KINDS, DATA_LABELS, resolve_scope_path

SCOPE_TAG = "zugong_scope"
MANAGER_ATTRS = {"objects", "_default_manager", "_base_manager"}
GET_OR_404 = {"get_object_or_404", "get_list_or_404"}
_MISSING = object()


def _zugong_app_configs(app_configs):
    configs = app_configs if app_configs is not None else apps.get_app_configs()
    return [c for c in configs if c.name.startswith("zugong.")]


def is_business_model(model) -> bool:
    """True when ``model`` declares a scope (``scope_org_field``, possibly ``""`` for the anchor)."""
    return isinstance(getattr(model, "scope_org_field", None), str)


def _anchor_kind(model) -> str | None:
    return getattr(model, "scope_anchor", None)


def check_model_scope(model) -> list[Error]:
    """The ``E010``–``E012`` errors of one model (empty when it declares its scope correctly)."""
    if model._meta.abstract or model._meta.proxy or not model._meta.managed:
        return []
    label = model._meta.label
    org_field = getattr(model, "scope_org_field", _MISSING)
    data_label = getattr(model, "data_label", _MISSING)
    exempt = getattr(model, "scope_exempt", _MISSING)
    declared_scope = org_field is not _MISSING or data_label is not _MISSING
    if exempt is not _MISSING:
        if not isinstance(exempt, str) or not exempt.strip():
            return [Error(f"{label}: scope_exempt must say why the model is not organization data.",
                          obj=model, id="zugong.E010")]
        if declared_scope:
            return [Error(f"{label} declares both a scope (scope_org_field/data_label) and scope_exempt.",
                          obj=model, id="zugong.E010")]
        return []
    if org_field is _MISSING or data_label is _MISSING:
        missing = [n for n, v in (("scope_org_field", org_field), ("data_label", data_label)) if v is _MISSING]
        return [Error(
            f"{label} does not declare {' and '.join(missing)}: a business model declares its scope anchor "
            "and data label (no defaults); a model that is not organization data declares scope_exempt.",
            hint="See docs/development.md, “How a new domain model declares its scope”.",
            obj=model, id="zugong.E010")]
    errors: list[Error] = []
    if not isinstance(org_field, str):
        errors.append(Error(f"{label}.scope_org_field must be a lookup path string.", obj=model, id="zugong.E011"))
    elif org_field == "":
        if _anchor_kind(model) not in ANCHOR_KINDS:
            errors.append(Error(f"{label}.scope_org_field is empty but the model is not a scope anchor "
                                f"(scope_anchor = one of {', '.join(map(repr, ANCHOR_KINDS))}).",
                                obj=model, id="zugong.E011"))
    else:
        target, problem = resolve_scope_path(model, org_field)
        if target is None:
            errors.append(Error(f"{label}.scope_org_field {org_field!r} does not resolve: {problem}.",
                                obj=model, id="zugong.E011"))
        elif _anchor_kind(target) not in ANCHOR_KINDS or getattr(target, "scope_org_field", None) != "":
            errors.append(Error(f"{label}.scope_org_field {org_field!r} leads to {target._meta.label}, "
                                "not to a scope anchor (a model declaring scope_anchor = one of "
                                f"{', '.join(map(repr, ANCHOR_KINDS))}: the party organization or the unit).",
                                obj=model, id="zugong.E011"))
    if data_label not in DATA_LABELS:
        errors.append(Error(f"{label}.data_label {data_label!r} is not a data label ({', '.join(DATA_LABELS)}).",
                            obj=model, id="zugong.E012"))
    return errors


@register(SCOPE_TAG)
def models_declare_scope(app_configs, **kwargs):
    errors: list[Error] = []
    for config in _zugong_app_configs(app_configs):
        for model in config.get_models():
            errors.extend(check_model_scope(model))
    return errors


# ----- E013: view modules ---------------------------------------------------------------------------


def is_api_view_module(path: Path) -> bool:
    """True for an app's ``api/views.py`` (the looser rule of ``E013``)."""
    return path.name == "views.py" and path.parent.name == "api"


def view_modules(app_config) -> list[Path]:
    """``views.py``, ``*_views.py`` and ``api/views.py`` of one app."""
    root = Path(app_config.path)
    found = [p for p in root.glob("*.py") if p.name == "views.py" or p.name.endswith("_views.py")]
    api = root / "api" / "views.py"
    if api.exists():
        found.append(api)
    return sorted(found)


def _model_names(tree: ast.AST, business: dict[str, set[str]]) -> set[str]:
    """Names that denote a business model in the module: the class names themselves, and aliases of
    ``from <models module> import <Model> as <alias>``."""
    names = {name for name in business}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if node.module in business.get(alias.name, ()):
                    names.add(alias.asname or alias.name)
    return names


def _chain_methods(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> list[str]:
    """The attribute names called after ``node`` (a ``<Model>.objects`` attribute) in the same chain."""
    names: list[str] = []
    current = node
    while True:
        parent = parents.get(current)
        if isinstance(parent, ast.Attribute) and parent.value is current:
            names.append(parent.attr)
        elif isinstance(parent, ast.Call) and parent.func is current:
            pass
        else:
            return names
        current = parent


def scan_view_source(source: str, filename: str, business: dict[str, set[str]], *,
                     strict: bool = False) -> list[tuple[int, str]]:
    """``(line, message)`` for each business-model read in ``source`` (one view module) that the rule
    forbids: with ``strict`` (a page view module) any manager use but ``.objects.none()``; without (an API
    view module) a chain without ``.restrict(``. ``business`` maps a business model's class name to the
    modules it may be imported from."""
    tree = ast.parse(source, filename=filename)
    names = _model_names(tree, business)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    problems: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in MANAGER_ATTRS
                and isinstance(node.value, ast.Name) and node.value.id in names):
            chain = _chain_methods(node, parents)
            if chain[:1] == ["none"] or ("restrict" in chain and not strict):
                continue
            shown = ".".join([node.value.id, node.attr, *chain[:1]])
            problems.append((node.lineno, f"{shown}… in a page view module (read through a selector)" if strict
                             else f"{shown}… without .restrict(user, action)"))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in GET_OR_404
              and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in names):
            problems.append((node.lineno, f"{node.func.id}({node.args[0].id}, …) reads an unscoped manager"))
    return sorted(problems)


def _business_models() -> dict[str, set[str]]:
    business: dict[str, set[str]] = {}
    for model in apps.get_models():
        if is_business_model(model):
            business.setdefault(model.__name__, set()).add(model.__module__)
    return business


@register(SCOPE_TAG)
def views_read_through_scope(app_configs, **kwargs):
    business = _business_models()
    src_root = Path(__file__).resolve().parents[2]
    errors: list[Error] = []
    for config in _zugong_app_configs(app_configs):
        for path in view_modules(config):
            shown = path.relative_to(src_root) if path.is_relative_to(src_root) else path
            try:
                source = path.read_text(encoding="utf-8")
            except OSError as exc:  # an installation without sources must say so, not pass silently
                errors.append(Error(f"{shown}: cannot be read for the scope check ({exc}).", id="zugong.E013"))
                continue
            strict = not is_api_view_module(path)
            for line, message in scan_view_source(source, str(path), business, strict=strict):
                errors.append(Error(
                    f"{shown}:{line}: {message}",
                    hint="Read through a selector in the app's selectors.py with a scoped signature "
                         "(*, user, ...)." if strict else
                         "Read through Model.objects.restrict(user, action) or a selector in the app's "
                         "selectors.py with a scoped signature (*, user, ...).",
                    id="zugong.E013"))
    return errors
