"""Saved import layouts (导入版式, ``core.models.ImportLayout``): selectors and the save service, shared by the
mapping page (``core.import_views``) and the import commands (``--layout NAME``).

Visibility (``visible_layouts``): a layout of kind K anchored on organization O is visible to a user holding
the kind's import permission (``<label>.import`` of the registered ``ImportKind``) on a node N of the party
organization tree when O lies in N's scope (N's subtree, or N itself for a node-only grant) **or** O is an
ancestor of N (a layout saved by the county is shared down to its towns and branches). A sibling scope's
layout is never visible: choosing it by id is "not found", exactly like an id that does not exist.

Saving (``import_layout_save``): anchored on one of the user's scope roots (the top nodes of their import
scope; the page offers the choice when there are several); a name already used for the kind at that
organization is replaced (a change-log event with the old and new mapping, ``audit.changelog``); the
mapping is checked first (``check_mapping``): only keys of the kind, no key twice — else a typed error
(``ValidationFailed``), nothing written.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from zugong.core.errors import OutOfScope, RowError, ValidationFailed
from zugong.core.models import ImportLayout
from zugong.core.scoping import ScopeNode, scope_q, user_scope

NAME_MAX = 50


def _label(kind) -> str:
    """The data label of ``kind``'s import permission (``party`` for ``party.import``)."""
    return kind.permission.split(".", 1)[0]


def scope_nodes(user, kind) -> list[ScopeNode]:
    """The party-organization nodes on which ``user`` holds ``kind``'s import permission."""
    return user_scope(user, _label(kind), "import", "organization")


def scope_roots(user, kind):
    """The organizations a new layout of ``kind`` may be anchored on: the top nodes of ``user``'s import
    scope (a node covered by another node's subtree is left out), ordered by path."""
    organization_model = ImportLayout._meta.get_field("organization").related_model
    nodes = scope_nodes(user, kind)
    tops = [n for n in nodes if not any(o is not n and o.include_subtree and n.path.startswith(o.path)
                                          and o.path != n.path for o in nodes)]
    return list(organization_model.objects.filter(pk__in={n.org_id for n in tops}).order_by("path"))


def visible_layouts(user, kind):
    """The layouts of ``kind`` (an ``ImportKind``) ``user`` may use (see the module docstring), nearest
    first within a name: ordered by name, then deepest organization first."""
    nodes = scope_nodes(user, kind)
    if not nodes:
        return ImportLayout.objects.none()
    organization_model = ImportLayout._meta.get_field("organization").related_model
    step = getattr(organization_model, "steplen", 4)
    ancestors = {n.path[:i] for n in nodes for i in range(step, len(n.path), step)}
    condition = scope_q(nodes, "organization") | Q(organization__path__in=ancestors)
    return (ImportLayout.objects.filter(condition, kind=kind.code).select_related("organization")
            .order_by("name", "-organization__depth", "pk"))


def get_visible_layout(user, kind, pk) -> ImportLayout:
    """The visible layout ``pk`` of ``kind``; ``OutOfScope`` (Chinese) for a missing id, another kind's or
    another scope's layout alike."""
    try:
        return visible_layouts(user, kind).get(pk=int(pk))
    except (ImportLayout.DoesNotExist, TypeError, ValueError):
        raise OutOfScope("所选的导入版式不存在，或不在您的权限范围内（其他单位保存的版式不可使用）。") from None


def layout_by_name(user, kind, name: str) -> ImportLayout:
    """The visible layout of ``kind`` named ``name`` (the CLI's ``--layout``): the one anchored nearest to
    the user (deepest organization) when several scopes saved the name; ``OutOfScope`` when none is visible,
    ``ValidationFailed`` when two equally near ones remain."""
    found = [layout for layout in visible_layouts(user, kind) if layout.name == name.strip()]
    if not found:
        raise OutOfScope(f"没有名为「{name}」的{kind.label}导入版式，或它不在您的权限范围内。")
    deepest = max(layout.organization.depth for layout in found)
    nearest = [layout for layout in found if layout.organization.depth == deepest]
    if len(nearest) > 1:
        names = "、".join(f"{layout.organization.name}" for layout in nearest)
        raise ValidationFailed([RowError(0, "", f"有多个名为「{name}」的导入版式（{names}），请改用 --mapping 文件")])
    return nearest[0]


def check_mapping(columns, mapping: dict[str, str], *, letters: dict[str, str] | None = None,
                  shown: dict[str, str] | None = None) -> None:
    """Refuse (``ValidationFailed``, file-level Chinese errors) a mapping naming a field the kind has not,
    or mapping two source columns to one field: 「第 C 列「X」和第 F 列「Y」都对应字段「Z」，请在列映射中只保留
    一个」. ``letters``/``shown``: each source text's column letter and header as displayed."""
    letters, shown = letters or {}, shown or {}
    by_key = {c.key: c for c in columns}
    errors: list[RowError] = []
    first: dict[str, str] = {}
    for text, key in mapping.items():
        if not key:
            continue
        if key not in by_key:
            errors.append(RowError(0, shown.get(text, text), f"列「{shown.get(text, text)}」对应的字段「{key}」不是可导入的字段"))
            continue
        if key in first:
            a, b = first[key], text
            where_a = f"第 {letters[a]} 列" if a in letters else "列"
            where_b = f"第 {letters[b]} 列" if b in letters else "列"
            errors.append(RowError(0, by_key[key].header,
                                   f"{where_a}「{shown.get(a, a)}」和{where_b}「{shown.get(b, b)}」都对应字段"
                                   f"「{by_key[key].header}」，请在列映射中只保留一个"))
        else:
            first[key] = text
    if errors:
        raise ValidationFailed(errors, message="；".join(e.reason for e in errors))


@transaction.atomic
def import_layout_save(*, user, kind, name: str, mapping: dict[str, str], organization=None) -> ImportLayout:
    """Save ``mapping`` as layout ``name`` of ``kind`` anchored on ``organization`` (default: ``user``'s first
    scope root; it must be one of ``scope_roots``), replacing a layout of that name there. Returns it.
    Raises ``ValidationFailed`` for an empty or too long name, a bad mapping (``check_mapping``) or a user
    without an import scope on the organization tree; the change log records the create or update."""
    name = (name or "").strip()
    if not name:
        raise ValidationFailed([RowError(0, "版式名称", "请填写版式名称")], message="请填写版式名称。")
    if len(name) > NAME_MAX:
        raise ValidationFailed([RowError(0, "版式名称", f"版式名称不能超过 {NAME_MAX} 个字")],
                               message=f"版式名称不能超过 {NAME_MAX} 个字。")
    check_mapping(kind.import_columns(), mapping)
    roots = scope_roots(user, kind)
    if organization is None:
        if not roots:
            raise ValidationFailed([RowError(0, "", "您在党组织树上没有导入权限，无法保存版式")],
                                   message="您在党组织树上没有导入权限，无法保存版式。")
        organization = roots[0]
    elif organization.pk not in {r.pk for r in roots}:
        raise OutOfScope("所选的共享范围不在您的权限范围内。")
    clean = {str(k): str(v or "") for k, v in mapping.items()}
    layout = ImportLayout.objects.select_for_update().filter(organization=organization, kind=kind.code,
                                                             name=name).first()
    if layout is None:
        layout = ImportLayout(organization=organization, kind=kind.code, name=name, created_by=user)
    elif layout.mapping == clean:
        return layout
    else:
        layout.version += 1
    layout.mapping = clean
    layout.created_by = layout.created_by or user
    layout.full_clean()
    layout.save()
    return layout
