"""Organization pages: the tree (组织树, children loaded lazily with HTMX) and the detail page.

Every read goes through ``orgs.selectors`` (scoped); an organization outside the scope is a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from zugong.orgs.models import PartyOrganization
from zugong.orgs.selectors import (
    covers_subtree,
    member_counts,
    organization_ancestors,
    organization_children,
    organization_get,
    organization_search,
    organization_summary,
    scope_tree,
)
from zugong.party.filtersets import CARRIED_FILTERS

# Tree modes: ``browse`` (组织树 page: links to the detail page, member counts) and ``roster`` (beside the
# member list: links filter the roster; no counts, so the roster page stays fast).
MODES = ("browse", "roster")


def _nodes(user, orgs, *, with_counts: bool) -> list[dict]:
    """Template data for tree nodes: the organization, its member count (or ``None``), whether it can
    be expanded (has children and a subtree grant covers it); children are loaded on demand."""
    orgs = list(orgs)
    counts = member_counts(user=user, organizations=orgs) if with_counts and orgs else {}
    return [
        {"org": org, "count": counts.get(org.pk), "children": None,
         "expandable": org.numchild > 0 and covers_subtree(user=user, organization=org)}
        for org in orgs
    ]


def _mode(request) -> str:
    mode = request.GET.get("mode", "browse")
    return mode if mode in MODES else "browse"


def _keep(request) -> str:
    """The roster filters to keep in roster-mode links, re-encoded from the whitelisted keys only."""
    raw = QueryDict(request.GET.get("keep", ""))
    return urlencode({k: raw[k] for k in CARRIED_FILTERS if raw.get(k)})


@login_required
def tree(request):
    """组织树: the user's scope as a tree (roots = the user's grant nodes), each node with its type, its
    current member count and a link to its detail page; ``?q=`` searches by name or code instead."""
    text = request.GET.get("q", "").strip()
    context = {"q": text}
    if text:
        context["results"] = organization_search(user=request.user, text=text)
    else:
        context.update({"nodes": scope_tree(user=request.user, with_counts=True), "mode": "browse"})
    return render(request, "orgs/tree.html", context)


@login_required
def children(request, pk):
    """HTMX fragment: the children of organization ``pk`` as tree nodes (``?mode=browse|roster``).
    404 when ``pk`` is outside the scope."""
    parent = organization_get(user=request.user, pk=pk)
    if parent is None:
        raise Http404("组织不存在或不在您的数据范围内")
    mode = _mode(request)
    kids = organization_children(user=request.user, parent=parent) if covers_subtree(
        user=request.user, organization=parent) else PartyOrganization.objects.none()
    nodes = _nodes(request.user, kids, with_counts=mode == "browse")
    return render(request, "orgs/_tree_nodes.html", {"nodes": nodes, "mode": mode, "keep": _keep(request)})


def _reverse_or_none(name: str, query: dict) -> str | None:
    try:
        return f"{reverse(name)}?{urlencode(query)}"
    except NoReverseMatch:
        return None


@login_required
def detail(request, pk):
    """组织详情: fields, breadcrumbs (in-scope ancestors only), children with member counts, member
    figures, and links to the member list and statistics of this subtree. 404 outside the scope."""
    org = organization_get(user=request.user, pk=pk)
    if org is None:
        raise Http404("组织不存在或不在您的数据范围内")
    kids = (organization_children(user=request.user, parent=org)
            if covers_subtree(user=request.user, organization=org) else PartyOrganization.objects.none())
    context = {
        "org": org,
        "ancestors": organization_ancestors(user=request.user, organization=org),
        "children": _nodes(request.user, kids, with_counts=True),
        "summary": organization_summary(user=request.user, organization=org),
        "members_href": f"{reverse('party:member_list')}?{urlencode({'org': org.code})}",
        "stats_href": _reverse_or_none("reports:party_stats", {"org": org.code}),
    }
    return render(request, "orgs/detail.html", context)

