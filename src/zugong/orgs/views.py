"""Organization pages: the tree (组织树, children loaded lazily with HTMX), the detail page, the edit
pages (新增下级组织, 编辑, 调整隶属关系, 撤销, 恢复 — all through ``orgs.services``) and the organization
picker fragment.

Every read goes through ``orgs.selectors`` (scoped); an organization outside the scope is a 404.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from zugong.core import generic, registry, tree_views
from zugong.core.codes import ORG_TYPES_HOLDING_MEMBERS
from zugong.core.scoping import can
from zugong.orgs import services, terms
from zugong.orgs import validators as v
from zugong.orgs.forms import DissolveForm, MoveForm, OrganizationForm, VersionForm
from zugong.orgs.models import PartyOrganization
from zugong.orgs.selectors import (
    covers_subtree,
    member_counts,
    organization_ancestors,
    organization_by_code,
    organization_children,
    organization_get,
    organization_parent,
    organization_pick,
    organization_search,
    organization_summary,
    scope_tree,
)
from zugong.orgs.unit_selectors import organization_unit
from zugong.party.filtersets import CARRIED_FILTERS
from zugong.party.selectors import subtree_first_members

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
@require_GET
def tree(request):
    """组织树: the user's scope as a tree (roots = the user's grant nodes), each node with its type, its
    current member count and a link to its detail page; ``?q=`` searches by name or code instead."""
    text = request.GET.get("q", "").strip()
    context = {"q": text}
    if text:
        context["results"] = context["object_list"] = organization_search(user=request.user, text=text)
    else:
        nodes = scope_tree(user=request.user, with_counts=True)
        context.update({"nodes": nodes, "mode": "browse",
                        "object_list": [o["org"] for n in nodes for o in (n, *(n["children"] or ()))]})
    return render(request, "orgs/tree.html", context)


@login_required
@require_GET
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
    return render(request, "orgs/_tree_nodes.html", {"nodes": nodes, "mode": mode, "keep": _keep(request),
                                                     "object_list": [n["org"] for n in nodes]})


def _reverse_or_none(name: str, query: dict) -> str | None:
    try:
        return f"{reverse(name)}?{urlencode(query)}"
    except NoReverseMatch:
        return None


NOT_FOUND = "组织不存在或不在您的数据范围内"
ORG = "orgs.PartyOrganization"


class _OrganizationRecord:
    """The organization of the URL for the organization pages: through ``organization_get`` at the page's
    action, 404 outside the scope."""

    model = ORG
    get_selector = organization_get
    not_found = NOT_FOUND
    context_object_name = "org"


class OrganizationDetail(_OrganizationRecord, generic.ObjectView):
    """组织详情: fields (with its unit: 所在单位, 党组织所在单位情况; 党组织简称 and 外部标识), breadcrumbs (in-scope ancestors only),
    children with member counts, member figures, the first members, and links to the member list and statistics of this subtree. 404 outside
    the scope."""

    url_name = "orgs:detail"
    template_name = "orgs/detail.html"

    def get_extra_context(self, org) -> dict:
        user = self.user
        kids = (organization_children(user=user, parent=org)
                if covers_subtree(user=user, organization=org) else PartyOrganization.objects.none())
        return {
            "members": subtree_first_members(user=user, organization=org, limit=FIRST_MEMBERS),
            "may": _allowed_actions(user, org),
            "ancestors": organization_ancestors(user=user, organization=org),
            "children": _nodes(user, kids, with_counts=True),
            "summary": organization_summary(user=user, organization=org),
            "members_href": f"{reverse('party:member_list')}?{urlencode({'org': org.code})}",
            "stats_href": _reverse_or_none("reports:party_stats", {"org": org.code}),
            # the unit's name and the relation are part of the organization's record; the unit page is
            # linked only when the user may view the unit (``orgs.unit_selectors.organization_unit``)
            "unit_info": organization_unit(user=user, organization=org),
            # 外部标识: other systems' keys for this organization (issue #9), part of its record
            "external_ids": list(org.external_ids.order_by("system", "value")),
            **self.term_context(org),
            # tabs contributed by other apps (组织生活, 班子成员, 达标, …): ``core.registry.register_org_panel``
            "panels": registry.org_panels_for(user, org, self.request),
        }

    def term_context(self, org) -> dict:
        """届次 (issue #10): the terms, the one in force today and whether it has run out (任届期满),
        whether the user may record one (``party.change``, an organization that holds elections)."""
        rows = terms.organization_terms(user=self.user, organization=org)
        today = timezone.localdate()
        return {"terms": rows, "term_state": terms.term_state(rows, today), "today": today,
                "may_term": org.org_type in terms.ELECTED_TYPES and org.status == "active"
                and can(self.user, "party", "change", org)}


FIRST_MEMBERS = 10


def _allowed_actions(user, org: PartyOrganization) -> dict:
    """Which edit buttons the detail page shows (the views check again)."""
    active = org.status == "active"
    return {
        **tree_views.record_actions(user, org, may_add=lambda: org.org_type != "party_group"
                                    and covers_subtree(user=user, organization=org, action="add")),
        # 新增党员 here (party:member_create checks basic.add and party.add again); members are held by
        # 党委、党总支、党支部, not by a 党小组
        "add_member": active and org.org_type in ORG_TYPES_HOLDING_MEMBERS and can(user, "party", "add", org)
        and can(user, "basic", "add", org),
    }


class _OrganizationPage(_OrganizationRecord, tree_views.TreePage):
    """What the organization edit pages share (``core.tree_views.TreePage``): the organization, the
    breadcrumbs, back to its detail page after the one service call."""

    template_name = "orgs/form.html"
    noun = "组织"
    parent_field = v.PARENT
    detail_url_name = "orgs:detail"
    object_kwarg = "organization"

    def ancestors(self, org) -> list:
        return organization_ancestors(user=self.user, organization=org)


class OrganizationCreateChild(_OrganizationPage, tree_views.TreeCreateChildPage):
    """新增下级组织 under ``pk`` (``party.add`` through a subtree grant; else 404). GET says up front what
    the service would refuse (a parent type that takes no children, a dissolved parent)."""

    url_name = "orgs:create_child"
    form_class = OrganizationForm
    step = "新增下级组织"

    def covers_subtree(self, parent, action: str) -> bool:
        return covers_subtree(user=self.user, organization=parent, action=action)

    def get_notes(self, parent) -> list[str]:
        problems = v.check_parent_type(parent.org_type, parent.name) + v.check_parent_active(parent.status, parent.name)
        return [f"「{p.field}」：{p.reason}" for p in problems]

    def perform(self, form, parent):
        data = form.cleaned_data
        return services.organization_create(
            user=self.user, parent=parent, code=data["code"], name=data["name"], org_type=data["org_type"],
            unit_category=data["unit_category"], founded_date=data["founded_date"])


class OrganizationEdit(_OrganizationPage, tree_views.TreeEditPage):
    """编辑组织 (名称、类别、单位属性、成立日期), ``party.change``; stale version → 409 naming who changed what."""

    url_name = "orgs:edit"
    form_class = OrganizationForm
    update_service = services.organization_update
    title_format = "编辑组织：{name}"
    step = "编辑"

    def get_initial(self, org) -> dict:
        return {"version": org.version, "name": org.name, "org_type": org.org_type,
                "unit_category": org.unit_category, "founded_date": org.founded_date}


class OrganizationMove(_OrganizationPage, tree_views.TreeMovePage):
    """调整隶属关系 (move with the subtree), ``party.change``; the new parent is typed or picked (a code
    outside the ``party.change`` scope is "not found")."""

    url_name = "orgs:move"
    form_class = MoveForm
    template_name = "orgs/move.html"
    move_service = services.organization_move

    def parent_ref(self, form) -> str:
        return form.parent_ref(self.request.POST.get("new_parent_pick", ""))

    def parent_by_code(self, code: str):
        return organization_by_code(user=self.user, code=code, action="change")

    def page_context(self, org, errors) -> dict:
        return {"current_parent": organization_parent(user=self.user, organization=org)}


class OrganizationDissolve(_OrganizationPage, tree_views.TreeDissolvePage):
    """撤销组织 (date + reason, confirmed), ``party.delete``; refused while members or sub-organizations
    remain, the refusal listing them."""

    url_name = "orgs:dissolve"
    form_class = DissolveForm
    template_name = "orgs/dissolve.html"
    dissolve_service = services.organization_dissolve
    title_format = "撤销组织：{name}"

    def blockers(self, org) -> list:
        return services.dissolve_blockers(org, user=self.user)


class OrganizationReactivate(_OrganizationPage, tree_views.TreeReactivatePage):
    """恢复已撤销的组织 (confirm page, then POST), ``party.delete``."""

    url_name = "orgs:reactivate"
    form_class = VersionForm
    reactivate_service = services.organization_reactivate
    title_format = "恢复组织：{name}"

    def page_context(self, org, errors) -> dict:
        note = (f"该组织于 {org.dissolved_date:%Y-%m-%d} 撤销（{org.dissolution_reason or '未填写原因'}）。"
                "恢复后状态为「正常」，撤销日期和原因清空（审计日志保留原记录）。" if org.dissolved_date else "")
        return {"note": note}


PICK_ACTIONS = {"view", "change", "add", "export"}


@login_required
@require_GET
def picker(request):
    """组织选择 fragment (HTMX): ``?q=`` name / code / path words; ``action`` (view, add, change, export)
    and ``target=1`` (places that can take a child: subtree grants only) narrow the scope; ``exclude=<id>``
    drops that organization's subtree (move). ``name`` is the radio input's name (default ``org``); the
    query may also come as ``picker_q`` (a search box inside another form, e.g. the roster export).
    Organizations outside the scope are simply not found."""
    action = request.GET.get("action", "view")
    action = action if action in PICK_ACTIONS else "view"
    exclude = None
    if request.GET.get("exclude", "").isdigit():
        exclude = organization_get(user=request.user, pk=int(request.GET["exclude"]), action=action)
    q = (request.GET.get("q") or request.GET.get("picker_q") or "").strip()[:100]
    results = organization_pick(user=request.user, text=q, action=action, exclude=exclude,
                                subtree_only=request.GET.get("target") == "1")
    name = request.GET.get("name", "org")
    name = name if name.replace("_", "").isalnum() else "org"
    return render(request, "orgs/_picker.html", {"results": results, "object_list": results, "q": q, "name": name})
