"""Scoped reads of the party organization tree (``design.md`` rule 1: every read goes through
``PartyOrganization.objects.restrict(user, action)``).

All functions take the requesting ``user`` keyword-only and never return an organization outside the
user's ``party.<action>`` scope; "not in scope" and "does not exist" look the same to the caller
(``None`` or an empty queryset), so pages can answer 404 without naming anything.

Member counts are *current* members (open ``Membership`` rows, or rows in force on ``as_of`` when given)
of an organization's whole subtree, counted in SQL (``design.md`` rule 6).
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict
from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr

from zugong.core.registry import user_admin_kinds
from zugong.core.scoping import ScopeNode, can, user_scope
from zugong.orgs.models import PartyOrganization, Unit

STEPLEN = PartyOrganization.steplen  # characters of ``path`` per tree level (treebeard: 4)
SEARCH_LIMIT = 50


def scope_nodes(*, user, action: str = "view") -> list[ScopeNode]:
    """The ``party.<action>`` grant nodes of ``user`` (cached per request by ``core.scoping``)."""
    return user_scope(user, PartyOrganization.data_label, action)


def covers_subtree(*, user, organization: PartyOrganization, action: str = "view") -> bool:
    """True if a *subtree* grant covers ``organization`` — i.e. its children are in scope too
    (a node-only grant shows the node but not its children). No query."""
    return any(n.include_subtree and organization.path.startswith(n.path) for n in scope_nodes(user=user, action=action))


def scope_roots(*, user, action: str = "view") -> QuerySet[PartyOrganization]:
    """The top-most organizations of the user's scope: each grant node that is not already inside
    another subtree grant, in tree order. Empty for a user without grants."""
    nodes = scope_nodes(user=user, action=action)
    subtree_paths = [n.path for n in nodes if n.include_subtree]
    root_ids = [
        n.org_id for n in nodes
        if not any(n.path != p and n.path.startswith(p) for p in subtree_paths)
    ]
    return PartyOrganization.objects.restrict(user, action).filter(pk__in=root_ids).order_by("path")


def organization_children(*, user, parent: PartyOrganization, action: str = "view") -> QuerySet[PartyOrganization]:
    """Direct children of ``parent`` within scope, in tree order (uses the path pattern index)."""
    return (
        PartyOrganization.objects.restrict(user, action)
        .filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("path")
    )


def organization_get(*, user, pk: int, action: str = "view") -> PartyOrganization | None:
    """The organization ``pk`` if it is in scope, else ``None``."""
    return PartyOrganization.objects.restrict(user, action).filter(pk=pk).first()


def organization_list(*, user, action: str = "view") -> QuerySet[PartyOrganization]:
    """Every organization in ``user``'s ``party.<action>`` scope in tree order, each annotated with
    ``parent_code``: the parent's 组织代码 when the parent is in the same scope, else ``None`` (the top of
    the scope), with its unit (所在单位) joined. One query (the parent code is a scoped subquery per row:
    the path minus its last step)."""
    scoped = PartyOrganization.objects.restrict(user, action)
    parent = scoped.filter(path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - STEPLEN)).values("code")[:1]
    return scoped.annotate(parent_code=Subquery(parent)).select_related("unit").order_by("path")


def organization_by_code(*, user, code: str, action: str = "view") -> PartyOrganization | None:
    """The organization whose 组织代码 is exactly ``code`` if in ``user``'s ``party.<action>`` scope, else
    ``None`` (unknown and out of scope look the same)."""
    code = (code or "").strip()
    return PartyOrganization.objects.restrict(user, action).filter(code=code).first() if code else None


def organization_by_ref(*, user, ref: object, action: str = "view") -> PartyOrganization | None:
    """The in-scope organization named by ``ref``: its 组织代码 ``code`` or, when ``ref`` is all digits and
    no code matches, its database id. ``None`` when empty, unknown or outside the scope."""
    text = str(ref or "").strip()
    if not text:
        return None
    condition = Q(code=text)
    if text.isdigit() and len(text) < 19:
        condition |= Q(pk=int(text))
    found = list(PartyOrganization.objects.restrict(user, action).filter(condition)[:2])
    for org in found:
        if org.code == text:
            return org
    return found[0] if found else None


def organizations_above_branches(*, user, also: Iterable[int] = (), limit: int = 2000,
                                 action: str = "view") -> list[PartyOrganization]:
    """The organizations in ``user``'s ``party.<action>`` scope above branch level (党委, 党工委, 党组,
    党总支 — not 党支部 or 党小组), plus those whose id is in ``also``; tree order, at most ``limit``, only
    ``pk``/``code``/``name``/``depth`` loaded (an organization picker's options)."""
    from zugong.core.codes import ORG_TYPES_BRANCH

    return list(
        PartyOrganization.objects.restrict(user, action)
        .filter(~Q(org_type__in=(*ORG_TYPES_BRANCH, "party_group")) | Q(pk__in=list(also)))
        .only("pk", "code", "name", "depth")
        .order_by("path")[:limit]
    )


def organization_parent(*, user, organization: PartyOrganization,
                        action: str = "view") -> PartyOrganization | None:
    """The parent of ``organization`` when ``user`` holds ``party.<action>`` on it, else ``None``
    (a top-level organization, or a parent outside the scope)."""
    parent = PartyOrganization.objects.get_parent(organization)
    return parent if parent is not None and can(user, PartyOrganization.data_label, action, parent) else None


def organization_for_grant(*, user, code: str) -> PartyOrganization | None:
    """The organization with 组织代码 ``code`` at which a role may be granted, for a **security
    administrator** (三权分立: granting roles is that administrator's job, anywhere in the tree, and
    confers no data scope of its own); ``None`` for anyone else or for an unknown code."""
    if "security" not in user_admin_kinds(user):
        return None
    return PartyOrganization.objects.filter(code=code).first()


def _with_ancestor_names(results: list, candidates) -> list:
    """``results`` (tree nodes), each given ``.ancestor_names``: the names of its ancestors found in
    ``candidates`` (a queryset of the same tree — the scope decides which are shown), from the top. One
    query for all results together."""
    prefixes = {r.path[:i] for r in results for i in range(STEPLEN, len(r.path), STEPLEN)}
    names = dict(candidates.filter(path__in=prefixes).values_list("path", "name")) if prefixes else {}
    for r in results:
        r.ancestor_names = [names[r.path[:i]] for i in range(STEPLEN, len(r.path), STEPLEN) if r.path[:i] in names]
    return results


def grant_anchor_pick(*, user, tree: str, text: str, limit: int = 20) -> list:
    """The grant form's picker (授权组织/授权单位) for a **security administrator**: nodes of the ``tree``
    (``"organization"``: party organizations; ``"unit"``: units) whose name contains ``text`` or whose code starts with it, tree order,
    at most ``limit``, each with ``.ancestor_names`` (the names above it). Structure only — name, code,
    position, status — the same the code lookup of ``organization_for_grant`` resolves anyway, never members
    or counts. ``[]`` for anyone else or an empty ``text``."""
    text = (text or "").strip()[:100]
    if not text or "security" not in user_admin_kinds(user):
        return []
    model = Unit if tree == "unit" else PartyOrganization
    results = list(model.objects.filter(Q(name__icontains=text) | Q(code__istartswith=text))
                   .only("pk", "path", "code", "name", "status").order_by("path")[:limit])
    return _with_ancestor_names(results, model.objects.all())


def organization_ancestors(*, user, organization: PartyOrganization,
                           action: str = "view") -> list[PartyOrganization]:
    """Ancestors of ``organization`` from the top, **only those within scope** (breadcrumbs), one query."""
    prefixes = [organization.path[:i] for i in range(STEPLEN, len(organization.path), STEPLEN)]
    if not prefixes:
        return []
    return list(PartyOrganization.objects.restrict(user, action).filter(path__in=prefixes).order_by("path"))


def organization_search(*, user, text: str, limit: int = SEARCH_LIMIT,
                        action: str = "view") -> list[PartyOrganization]:
    """In-scope organizations whose name contains ``text`` or whose code starts with it (tree order, at
    most ``limit``). Each result gets ``.ancestor_names``: the names of its in-scope ancestors (one extra
    query for all results together)."""
    text = (text or "").strip()
    if not text:
        return []
    qs = PartyOrganization.objects.restrict(user, action)
    results = list(qs.filter(Q(name__icontains=text) | Q(code__istartswith=text)).order_by("path")[:limit])
    return _with_ancestor_names(results, qs)


def _prefix_counts(*, user, under: str, width: int, as_of: dt.date | None = None) -> dict[str, int]:
    """``{path prefix: members}``: in-scope memberships (open, or in force on ``as_of``) of organizations
    under path ``under``, grouped by the first ``width`` characters of the organization path (a path
    shorter than ``width`` is its own group). One ``GROUP BY`` query over the 党员计数 table
    (``party.counts.member_counts_by_prefix``, issue #13), not over the memberships."""
    from zugong.party.counts import member_counts_by_prefix  # party depends on orgs, not the reverse

    return member_counts_by_prefix(user=user, under=under, width=width, as_of=as_of)


def member_counts(*, user, organizations: Iterable[PartyOrganization],
                  as_of: dt.date | None = None) -> dict[int, int]:
    """``{organization id: number of members in its subtree}`` for each of ``organizations``.

    Members are ``Membership`` rows within the user's ``party.view`` scope, open ones (``as_of=None``) or
    those in force on ``as_of``. One ``GROUP BY`` query per tree depth among ``organizations`` (siblings:
    one query): memberships under the common path prefix grouped by the first ``depth × 4`` characters of
    their organization's path."""
    orgs = list(organizations)
    counts = {o.pk: 0 for o in orgs}
    by_depth: dict[int, list[PartyOrganization]] = defaultdict(list)
    for o in orgs:
        by_depth[o.depth].append(o)
    for depth, group in by_depth.items():
        common = os.path.commonprefix([o.path for o in group])
        common = common[: len(common) - len(common) % STEPLEN]
        found = _prefix_counts(user=user, under=common, width=depth * STEPLEN, as_of=as_of)
        for o in group:
            counts[o.pk] = found.get(o.path, 0)
    return counts


def organization_summary(*, user, organization: PartyOrganization, as_of: dt.date | None = None) -> dict[str, int]:
    """Member figures of ``organization`` within the user's scope, as of ``as_of`` (default: open
    memberships today), one query: ``total`` (whole subtree), ``direct`` (the organization itself),
    ``full`` / ``probationary`` (subtree, category as of the date by the rule ``party.member_category``,
    《中国共产党章程》第七条)."""
    from django.utils import timezone

    from zugong.party.models import Membership
    from zugong.party.rules import member_category_q

    day = as_of or timezone.localdate()
    base = Membership.objects.restrict(user, "view")
    base = base.current() if as_of is None else base.on(as_of)
    member = "person__party_member__"
    return base.filter(organization__path__startswith=organization.path).aggregate(
        total=Count("pk"),
        direct=Count("pk", filter=Q(organization_id=organization.pk)),
        full=Count("pk", filter=member_category_q("full", on=day, prefix=member)),
        probationary=Count("pk", filter=member_category_q("probationary", on=day, prefix=member)),
    )


PRELOAD_CHILDREN = 60  # scope_tree shows the roots' children only when there are at most this many


def scope_tree(*, user, with_counts: bool = False, preload: int = PRELOAD_CHILDREN) -> list[dict]:
    """The top of the user's tree for display: each scope root (``scope_roots``) as a dict ``{"org",
    "count", "expandable", "children"}``. The roots' children are included (``children`` a list of such
    dicts with ``children=None``: loaded on demand) when there are at most ``preload`` of them in all;
    otherwise the roots come collapsed (``children=None``) so a county with hundreds of towns does not
    render them on every page. ``count`` is the current subtree member count when ``with_counts`` (one
    ``GROUP BY`` per root), else ``None``."""
    roots = list(scope_roots(user=user))
    children: dict[int, list[PartyOrganization]] = {r.pk: [] for r in roots}
    expandable = {r.pk for r in roots if r.numchild and covers_subtree(user=user, organization=r)}
    collapsed = sum(r.numchild for r in roots if r.pk in expandable) > preload
    if expandable and not collapsed:
        parents = [r for r in roots if r.pk in expandable]
        condition = reduce(or_, [Q(path__startswith=r.path, depth=r.depth + 1) for r in parents])
        pk_by_path = {r.path: r.pk for r in parents}
        for child in PartyOrganization.objects.restrict(user).filter(condition).order_by("path"):
            parent_pk = pk_by_path.get(child.path[:-STEPLEN])
            if parent_pk is not None:
                children[parent_pk].append(child)
    counts: dict[int, int] = {}
    if with_counts and collapsed:
        counts = member_counts(user=user, organizations=roots)
    elif with_counts:
        # one GROUP BY per root: its children's subtrees and its own direct members; the total is the sum
        for root in roots:
            found = _prefix_counts(user=user, under=root.path, width=(root.depth + 1) * STEPLEN)
            counts[root.pk] = sum(found.values())
            counts.update({c.pk: found.get(c.path, 0) for c in children[root.pk]})
    return [
        {
            "org": root, "count": counts.get(root.pk), "expandable": root.pk in expandable,
            "children": None if collapsed else [
                {"org": c, "count": counts.get(c.pk), "expandable": c.numchild > 0, "children": None}
                for c in children[root.pk]
            ],
        }
        for root in roots
    ]


PICK_LIMIT = 20


def organization_pick(*, user, text: str, action: str = "view", subtree_only: bool = False,
                      exclude: PartyOrganization | None = None, limit: int = PICK_LIMIT) -> list[PartyOrganization]:
    """The organization picker (组织选择): in-scope organizations (``party.<action>``) matching ``text``
    by name (contains), code (prefix) or path — several words separated by spaces or ``/``: the last
    matches the organization, and all appear in order along the path of in-scope ancestor names down to
    the organization's own name (``甲镇 机关``, ``西山村 党总支``).

    ``subtree_only`` keeps organizations under a *subtree* grant (a place where a child may be put);
    ``exclude`` drops that organization and its descendants (a move target cannot be inside the moved
    subtree). Each result carries ``.ancestor_names``. Outside the scope nothing is found."""
    words = [w for w in text.replace("/", " ").replace("／", " ").split() if w]
    if not words:
        return []
    candidates = organization_search(user=user, text=words[-1], limit=limit * 5 if len(words) > 1 or exclude or
                                     subtree_only else limit, action=action)
    out = []
    for org in candidates:
        if exclude is not None and org.path.startswith(exclude.path):
            continue
        if subtree_only and not covers_subtree(user=user, organization=org, action=action):
            continue
        path = " / ".join([*org.ancestor_names, f"{org.name} {org.code}"])
        position = 0
        for word in words if len(words) > 1 else ():
            found = path.find(word, position)
            if found < 0:
                break
            position = found + len(word)
        else:
            out.append(org)
        if len(out) >= limit:
            break
    return out


def organization_by_code_in_scope(*, user, code: str, action: str = "view") -> PartyOrganization:
    """``organization_by_code``, raising instead of answering ``None``: ``OutOfScope`` when the organization
    does not exist *or* is out of scope (the message is the same, so a user cannot probe other subtrees)."""
    from zugong.core.errors import OutOfScope

    org = organization_by_code(user=user, code=str(code or ""), action=action)
    if org is None:
        raise OutOfScope(f"组织代码「{code}」不存在或不在您的数据范围内。")
    return org


def top_organization(user, label: str = "party", action: str = "view") -> PartyOrganization | None:
    """The user's top granted organization for ``<label>.<action>`` (shortest tree path), or ``None``."""
    nodes = user_scope(user, label, action)
    if not nodes:
        return None
    top = min(nodes, key=lambda n: (len(n.path), n.path))
    return PartyOrganization.objects.filter(pk=top.org_id).first()


def requested_organization(request, *, what: str) -> PartyOrganization:
    """The organization a statistics or list page is about: ``?org=<组织代码>`` in the user's ``party.view``
    scope (``Http404`` when unknown or outside — one answer for both), else the user's top granted
    organization (``PermissionDenied`` naming ``what``, e.g. 「党内统计」, without any ``party.view`` grant)."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from zugong.core.errors import OutOfScope

    code = request.GET.get("org", "").strip()
    if code:
        try:
            return organization_by_code_in_scope(user=request.user, code=code)
        except OutOfScope:
            raise Http404("组织不存在或不在您的数据范围内") from None
    organization = top_organization(request.user)
    if organization is None:
        raise PermissionDenied(f"您没有查看{what}的权限")
    return organization
