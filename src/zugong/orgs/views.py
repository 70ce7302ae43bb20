"""Organization pages: the tree (组织树, children loaded lazily with HTMX), the detail page, the edit
pages (新增下级组织, 编辑, 调整隶属关系, 撤销, 恢复 — all through ``orgs.services``) and the organization
picker fragment.

Every read goes through ``orgs.selectors`` (scoped); an organization outside the scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from zugong.core.codes import ORG_TYPES_HOLDING_MEMBERS
from zugong.core.errors import RowError, ValidationFailed
from zugong.core.form_flow import run_service
from zugong.core.scoping import can
from zugong.orgs import services
from zugong.orgs import validators as v
from zugong.orgs.forms import DissolveForm, MoveForm, OrganizationForm, VersionForm
from zugong.orgs.models import PartyOrganization
from zugong.orgs.selectors import (
    covers_subtree,
    member_counts,
    organization_ancestors,
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
    """组织详情: fields (with its unit: 所在单位, 党组织所在单位情况), breadcrumbs (in-scope ancestors only),
    children with member counts, member figures, and links to the member list and statistics of this
    subtree. 404 outside the scope."""
    org = organization_get(user=request.user, pk=pk)
    if org is None:
        raise Http404("组织不存在或不在您的数据范围内")
    kids = (organization_children(user=request.user, parent=org)
            if covers_subtree(user=request.user, organization=org) else PartyOrganization.objects.none())
    context = {
        "org": org,
        "members": _first_members(request.user, org),
        "may": _allowed_actions(request.user, org),
        "ancestors": organization_ancestors(user=request.user, organization=org),
        "children": _nodes(request.user, kids, with_counts=True),
        "summary": organization_summary(user=request.user, organization=org),
        "members_href": f"{reverse('party:member_list')}?{urlencode({'org': org.code})}",
        "stats_href": _reverse_or_none("reports:party_stats", {"org": org.code}),
        # the unit's name and the relation are part of the organization's record; the unit page is linked
        # only when the user may view the unit (``orgs.unit_selectors.organization_unit``)
        "unit_info": organization_unit(user=request.user, organization=org),
    }
    return render(request, "orgs/detail.html", context)



FIRST_MEMBERS = 10
NOT_FOUND = "组织不存在或不在您的数据范围内"


def _first_members(user, org: PartyOrganization) -> list:
    """The first current memberships of ``org``'s subtree within scope (tree order, then name)."""
    from zugong.party.models import Membership

    return list(Membership.objects.restrict(user, "view").current()
                .filter(organization__path__startswith=org.path)
                .select_related("person", "organization")
                .order_by("organization__path", "person__name", "pk")[:FIRST_MEMBERS])


def _allowed_actions(user, org: PartyOrganization) -> dict:
    """Which edit buttons the detail page shows (the views check again)."""
    active = org.status == "active"
    return {
        "add": active and org.org_type != "party_group" and covers_subtree(user=user, organization=org, action="add"),
        "change": active and can(user, "party", "change", org),
        "move": active and can(user, "party", "change", org) and org.depth > 1,
        "dissolve": active and can(user, "party", "delete", org),
        "reactivate": not active and can(user, "party", "delete", org),
        # 新增党员 here (party:member_create checks basic.add and party.add again); members are held by
        # 党委、党总支、党支部, not by a 党小组
        "add_member": active and org.org_type in ORG_TYPES_HOLDING_MEMBERS and can(user, "party", "add", org)
        and can(user, "basic", "add", org),
    }


def _get(request, pk, action: str) -> PartyOrganization:
    org = organization_get(user=request.user, pk=pk, action=action)
    if org is None:
        raise Http404(NOT_FOUND)
    return org


def _page(request, template, org, form, errors, status, **extra):
    context = {"org": org, "form": form, "errors": errors,
               "ancestors": organization_ancestors(user=request.user, organization=org), **extra}
    return render(request, template, context, status=status)


@login_required
def create_child(request, pk):
    """新增下级组织 under ``pk`` (``party.add`` through a subtree grant; else 404)."""
    parent = _get(request, pk, "add")
    if not covers_subtree(user=request.user, organization=parent, action="add"):
        raise Http404(NOT_FOUND)
    form = OrganizationForm(request.POST or None, creating=True)
    errors, status = [], 200
    if request.method == "GET":  # say up front what the service would refuse
        problems = v.check_parent_type(parent.org_type, parent.name) + v.check_parent_active(parent.status, parent.name)
        errors = [f"「{p.field}」：{p.reason}" for p in problems]
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            org, errors, status = run_service(lambda: services.organization_create(
                user=request.user, parent=parent, code=data["code"], name=data["name"], org_type=data["org_type"],
                unit_category=data["unit_category"], founded_date=data["founded_date"]), not_found=NOT_FOUND)
            if not errors:
                messages.success(request, f"已新增下级组织「{org.name}」。")
                return redirect("orgs:detail", pk=org.pk)
    return _page(request, "orgs/form.html", parent, form, errors, status, title=f"新增下级组织：{parent.name}",
                 step="新增下级组织", submit="保存", action_url=request.path)


@login_required
def edit(request, pk):
    """编辑组织 (名称、类别、单位属性、成立日期), ``party.change``; stale version → 409 naming who changed what."""
    org = _get(request, pk, "change")
    initial = {"version": org.version, "name": org.name, "org_type": org.org_type,
               "unit_category": org.unit_category, "founded_date": org.founded_date}
    form = OrganizationForm(request.POST or None, initial=initial, creating=False)
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            _, errors, status = run_service(lambda: services.organization_update(
                user=request.user, organization=org, expected_version=form.cleaned_data["version"],
                changes=form.changes()), not_found=NOT_FOUND)
            if not errors:
                messages.success(request, f"已保存「{form.cleaned_data['name']}」。")
                return redirect("orgs:detail", pk=org.pk)
    return _page(request, "orgs/form.html", org, form, errors, status, title=f"编辑组织：{org.name}",
                 step="编辑", submit="保存", action_url=request.path)


@login_required
def move(request, pk):
    """调整隶属关系 (move with the subtree), ``party.change``; the new parent is typed or picked."""
    org = _get(request, pk, "change")
    form = MoveForm(request.POST or None, initial={"version": org.version})
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            ref = form.parent_ref(request.POST.get("new_parent_pick", ""))
            target = (PartyOrganization.objects.restrict(request.user, "change").filter(code=ref).first()
                      if ref else None)

            def move_to_target():
                if target is None:
                    raise ValidationFailed([RowError(0, "上级组织", "请选择新的上级组织" if not ref else
                                                              f"上级组织「{ref}」不存在或不在您的管理范围内")])
                services.organization_move(user=request.user, organization=org, new_parent=target,
                                           expected_version=form.cleaned_data["version"])

            _, errors, status = run_service(move_to_target, not_found=NOT_FOUND)
            if not errors:
                messages.success(request, f"已将「{org.name}」（含下级组织）调整到「{target.name}」之下。")
                return redirect("orgs:detail", pk=org.pk)
    return _page(request, "orgs/move.html", org, form, errors, status, title=f"调整隶属关系：{org.name}",
                 current_parent=organization_parent(user=request.user, organization=org))


@login_required
def dissolve(request, pk):
    """撤销组织 (date + reason, confirmed), ``party.delete``; refused while members or sub-organizations
    remain, the refusal listing them."""
    org = _get(request, pk, "delete")
    if org.status == "dissolved":
        messages.error(request, "该组织已撤销。")
        return redirect("orgs:detail", pk=org.pk)
    form = DissolveForm(request.POST or None, initial={"version": org.version})
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            _, errors, status = run_service(lambda: services.organization_dissolve(
                user=request.user, organization=org, date=data["date"], reason=data["reason"],
                expected_version=data["version"]), not_found=NOT_FOUND)
            if not errors:
                messages.success(request, f"已撤销「{org.name}」。")
                return redirect("orgs:detail", pk=org.pk)
    blockers = [] if errors else [p.reason for p in services.dissolve_blockers(org, user=request.user)]
    return _page(request, "orgs/dissolve.html", org, form, errors, status, title=f"撤销组织：{org.name}",
                 blockers=blockers)


@login_required
def reactivate(request, pk):
    """恢复已撤销的组织 (confirm page, then POST), ``party.delete``."""
    org = _get(request, pk, "delete")
    form = VersionForm(request.POST or None, initial={"version": org.version})
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            _, errors, status = run_service(lambda: services.organization_reactivate(
                user=request.user, organization=org, expected_version=form.cleaned_data["version"]),
                not_found=NOT_FOUND)
            if not errors:
                messages.success(request, f"已恢复「{org.name}」。")
                return redirect("orgs:detail", pk=org.pk)
    return _page(request, "orgs/form.html", org, form, errors, status, title=f"恢复组织：{org.name}", step="恢复",
                 submit="确认恢复", action_url=request.path,
                 note=f"该组织于 {org.dissolved_date:%Y-%m-%d} 撤销（{org.dissolution_reason or '未填写原因'}）。"
                      "恢复后状态为「正常」，撤销日期和原因清空（审计日志保留原记录）。" if org.dissolved_date else "")


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
    return render(request, "orgs/_picker.html", {"results": results, "q": q, "name": name})
