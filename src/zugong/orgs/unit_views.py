"""Unit pages (单位): the list (search, tree order, 50 a page), the detail page (its sub-units and the party
organizations set up in it), and the edit pages — 新增下级单位, 编辑, 调整隶属关系, 撤销, 恢复 — all through
``orgs.unit_services``; plus the page that records the unit of a party organization (党组织所在单位情况,
``orgs.services.organization_set_unit``).

Hand-written (the generic views of ``core.generic`` were not on the branch when these were built); each
view is declared with ``core.registry.register_view`` in ``OrgsConfig.ready``. Every read goes through
``orgs.unit_selectors`` (scoped on the unit tree, ``basic.<action>``); a unit outside the scope is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from zugong.core.errors import RowError, ValidationFailed
from zugong.core.form_flow import run_service
from zugong.core.scoping import can
from zugong.orgs import services, unit_services
from zugong.orgs.forms import DissolveForm, OrganizationUnitForm, UnitForm, UnitMoveForm, VersionForm
from zugong.orgs.importers import split_unit_codes
from zugong.orgs.selectors import organization_ancestors, organization_get
from zugong.orgs.unit_selectors import (
    organization_unit,
    unit_ancestors,
    unit_by_code,
    unit_children,
    unit_covers_subtree,
    unit_get,
    unit_list,
    unit_organizations,
    unit_parent,
)

NOT_FOUND = "单位不存在或不在您的数据范围内"
PAGE_SIZE = 50


def _get(request, pk, action: str = "view"):
    unit = unit_get(user=request.user, pk=pk, action=action)
    if unit is None:
        raise Http404(NOT_FOUND)
    return unit


def _page(request, template, unit, form, errors, status, **extra):
    context = {"unit": unit, "form": form, "errors": errors,
               "ancestors": unit_ancestors(user=request.user, unit=unit), **extra}
    return render(request, template, context, status=status)


@login_required
def unit_list_view(request):
    """单位列表: the units of the user's unit scope in tree order (indented by depth), ``?q=`` searches
    name, 单位代码 or 统一社会信用代码; 50 a page. A user without a unit grant sees an empty list."""
    text = request.GET.get("q", "").strip()[:100]
    page = Paginator(unit_list(user=request.user, text=text), PAGE_SIZE).get_page(request.GET.get("page"))
    top = min((u.depth for u in page.object_list), default=1)
    return render(request, "orgs/unit_list.html", {"page": page, "q": text, "top": top})


@login_required
def unit_detail(request, pk):
    """单位详情: fields, in-scope breadcrumbs, sub-units (when a subtree grant covers the unit) and the party
    organizations set up in it that the user may see. 404 outside the scope."""
    unit = _get(request, pk)
    kids = unit_children(user=request.user, parent=unit) if unit_covers_subtree(user=request.user, unit=unit) else []
    active = unit.status == "active"
    may = {
        "add": active and unit_covers_subtree(user=request.user, unit=unit, action="add"),
        "change": active and can(request.user, "basic", "change", unit),
        "move": active and can(request.user, "basic", "change", unit) and unit.depth > 1,
        "dissolve": active and can(request.user, "basic", "delete", unit),
        "reactivate": not active and can(request.user, "basic", "delete", unit),
    }
    return render(request, "orgs/unit_detail.html", {
        "unit": unit, "children": list(kids), "may": may,
        "ancestors": unit_ancestors(user=request.user, unit=unit),
        "organizations": list(unit_organizations(user=request.user, unit=unit).select_related("unit")),
    })


@login_required
def unit_create_child(request, pk):
    """新增下级单位 under ``pk`` (``basic.add`` through a subtree grant on the unit tree; else 404)."""
    parent = _get(request, pk, "add")
    if not unit_covers_subtree(user=request.user, unit=parent, action="add"):
        raise Http404(NOT_FOUND)
    form = UnitForm(request.POST or None, creating=True)
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            unit, errors, status = run_service(lambda: unit_services.unit_create(
                user=request.user, parent=parent, code=data["code"], **form.changes()), not_found=NOT_FOUND)
            if not errors:
                messages.success(request, f"已新增下级单位「{unit.name}」。")
                return redirect("orgs:unit_detail", pk=unit.pk)
    return _page(request, "orgs/unit_form.html", parent, form, errors, status, title=f"新增下级单位：{parent.name}",
                 step="新增下级单位", submit="保存")


@login_required
def unit_edit(request, pk):
    """编辑单位, ``basic.change``; a stale version → 409 naming who changed what."""
    unit = _get(request, pk, "change")
    initial = {"version": unit.version} | {k: getattr(unit, k) for k in UnitForm.FIELDS}
    form = UnitForm(request.POST or None, initial=initial, creating=False)
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            _, errors, status = run_service(lambda: unit_services.unit_update(
                user=request.user, unit=unit, expected_version=form.cleaned_data["version"], changes=form.changes()),
                not_found=NOT_FOUND)
            if not errors:
                messages.success(request, f"已保存「{form.cleaned_data['name']}」。")
                return redirect("orgs:unit_detail", pk=unit.pk)
    return _page(request, "orgs/unit_form.html", unit, form, errors, status, title=f"编辑单位：{unit.name}",
                 step="编辑", submit="保存")


@login_required
def unit_move(request, pk):
    """调整单位隶属关系 (with its sub-units), ``basic.change``; the new parent by 单位代码."""
    unit = _get(request, pk, "change")
    form = UnitMoveForm(request.POST or None, initial={"version": unit.version})
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            ref = form.cleaned_data["new_parent"].strip()
            target = unit_by_code(user=request.user, code=ref, action="change")

            def move_to_target():
                if target is None:
                    raise ValidationFailed([RowError(0, "上级单位", f"上级单位「{ref}」不存在或不在您的管理范围内")])
                unit_services.unit_move(user=request.user, unit=unit, new_parent=target,
                                        expected_version=form.cleaned_data["version"])

            _, errors, status = run_service(move_to_target, not_found=NOT_FOUND)
            if not errors:
                messages.success(request, f"已将「{unit.name}」（含下级单位）调整到「{target.name}」之下。")
                return redirect("orgs:unit_detail", pk=unit.pk)
    return _page(request, "orgs/unit_form.html", unit, form, errors, status, title=f"调整隶属关系：{unit.name}",
                 step="调整隶属关系", submit="确认调整",
                 note=_parent_note(unit_parent(user=request.user, unit=unit)))


def _parent_note(parent) -> str:
    where = f"{parent.name}（{parent.code}）" if parent else "—"
    return f"当前上级单位：{where}。调整后本单位连同全部下级单位一并移动；设在本单位的党组织不受影响。"


@login_required
def unit_dissolve(request, pk):
    """撤销单位 (date + reason), ``basic.delete``; refused while sub-units or party organizations remain
    in it, the refusal listing them."""
    unit = _get(request, pk, "delete")
    if unit.status == "dissolved":
        messages.error(request, "该单位已撤销。")
        return redirect("orgs:unit_detail", pk=unit.pk)
    form = DissolveForm(request.POST or None, initial={"version": unit.version})
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            _, errors, status = run_service(lambda: unit_services.unit_dissolve(
                user=request.user, unit=unit, date=data["date"], reason=data["reason"],
                expected_version=data["version"]), not_found=NOT_FOUND)
            if not errors:
                messages.success(request, f"已撤销「{unit.name}」。")
                return redirect("orgs:unit_detail", pk=unit.pk)
    blockers = [] if errors else [p.reason for p in unit_services.unit_dissolve_blockers(unit, user=request.user)]
    return _page(request, "orgs/unit_form.html", unit, form, errors, status, title=f"撤销单位：{unit.name}",
                 step="撤销", submit="确认撤销", blockers=blockers,
                 note="撤销后单位保留在单位树中（标为「已撤销」）；如撤销有误可恢复。")


@login_required
def unit_reactivate(request, pk):
    """恢复已撤销的单位, ``basic.delete``."""
    unit = _get(request, pk, "delete")
    form = VersionForm(request.POST or None, initial={"version": unit.version})
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            _, errors, status = run_service(lambda: unit_services.unit_reactivate(
                user=request.user, unit=unit, expected_version=form.cleaned_data["version"]), not_found=NOT_FOUND)
            if not errors:
                messages.success(request, f"已恢复「{unit.name}」。")
                return redirect("orgs:unit_detail", pk=unit.pk)
    return _page(request, "orgs/unit_form.html", unit, form, errors, status, title=f"恢复单位：{unit.name}",
                 step="恢复", submit="确认恢复", note="恢复后状态为「正常」，撤销日期和原因清空（审计日志保留原记录）。")


@login_required
def organization_unit_edit(request, pk):
    """所在单位 of the party organization ``pk`` (党组织所在单位情况), ``party.change`` on the organization;
    the units named must be visible to the user on the unit tree (else the form says 「不存在或不在您的
    数据范围内」)."""
    org = organization_get(user=request.user, pk=pk, action="change")
    if org is None:
        raise Http404("组织不存在或不在您的数据范围内")
    joint = "、".join(org.joint_units.order_by("path").values_list("code", flat=True))
    initial = {"version": org.version, "unit_relation": org.unit_relation,
               "unit_code": org.unit.code if org.unit_id else "", "joint_codes": joint}
    form = OrganizationUnitForm(request.POST or None, initial=initial)
    errors, status = [], 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data

            def set_unit():
                missing = []
                unit = None
                if data["unit_code"].strip():
                    unit = unit_by_code(user=request.user, code=data["unit_code"])
                    if unit is None:
                        missing.append(RowError(0, "所在单位", f"单位「{data['unit_code'].strip()}」不存在或不在您的数据范围内"))
                joint = []
                for code in split_unit_codes(data["joint_codes"]):
                    found = unit_by_code(user=request.user, code=code)
                    if found is None:
                        missing.append(RowError(0, "联合党支部覆盖的单位", f"单位「{code}」不存在或不在您的数据范围内"))
                    else:
                        joint.append(found)
                if missing:
                    raise ValidationFailed(missing)
                return services.organization_set_unit(user=request.user, organization=org,
                                                      relation=data["unit_relation"], unit=unit, joint_units=joint,
                                                      expected_version=data["version"])

            _, errors, status = run_service(set_unit, not_found="组织不存在或不在您的数据范围内")
            if not errors:
                messages.success(request, f"已保存「{org.name}」的所在单位。")
                return redirect("orgs:detail", pk=org.pk)
    context = {"org": org, "form": form, "errors": errors, "title": f"所在单位：{org.name}", "step": "所在单位",
               "submit": "保存", "action_url": request.path,
               "ancestors": organization_ancestors(user=request.user, organization=org),
               "note": "法人单位：填所在单位的单位代码；联合党支部：填覆盖的各单位代码（至少 2 个）；"
                       "与上级党组织相同：两项都不填。只能选择您有权查看的单位。",
               "current": organization_unit(user=request.user, organization=org)}
    return render(request, "orgs/form.html", context, status=status)
