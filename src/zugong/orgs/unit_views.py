"""Unit pages (单位) on ``core.generic``: the list (search, tree order, 50 a page), the detail page (its
sub-units and the party organizations set up in it), and the edit pages — 新增下级单位, 编辑, 调整隶属关系,
撤销, 恢复 — each one service call of ``orgs.unit_services``; plus the page that records the unit of a
party organization (党组织所在单位情况, ``orgs.services.organization_set_unit``).

Every read goes through ``orgs.unit_selectors`` (scoped on the unit tree, ``basic.<action>``); a unit
outside the scope is a 404. The generic views register themselves with ``core.registry.register_view``.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from zugong.core import generic, tree_views
from zugong.core.errors import RowError, ValidationFailed
from zugong.orgs import services, unit_services
from zugong.orgs.forms import DissolveForm, OrganizationUnitForm, UnitForm, UnitMoveForm, VersionForm
from zugong.orgs.importers import split_unit_codes
from zugong.orgs.selectors import organization_ancestors, organization_get
from zugong.orgs.unit_selectors import (
    joint_unit_codes,
    organization_unit,
    unit_ancestors,
    unit_by_code,
    unit_children,
    unit_covers_subtree,
    unit_get,
    unit_list,
    unit_organizations,
    unit_parent,
    unit_pick,
)

NOT_FOUND = "单位不存在或不在您的数据范围内"
UNIT = "orgs.Unit"


def _unit_rows(*, user, action: str = "view"):
    return unit_list(user=user)


class UnitList(generic.ObjectListView):
    """单位列表: the units of the user's unit scope in tree order (indented by depth); ``?q=`` searches name,
    单位代码 or 统一社会信用代码; 50 a page without a COUNT. A user without a unit grant sees an empty list
    (grants on the party organization tree do not reach units)."""

    url_name = "orgs:unit_list"
    model = UNIT
    list_selector = _unit_rows
    template_name = "orgs/unit_list.html"
    default_ordering = ("path",)
    carried_filters = ("q",)

    def get_queryset(self):
        return unit_list(user=self.user, text=self.request.GET.get("q", "")[:100])

    def get_extra_context(self, filterset, page) -> dict:
        return {"q": self.request.GET.get("q", "").strip()[:100],
                "top": min((u.depth for u in page.object_list), default=1)}


class _UnitRecord:
    """The unit of the URL for the unit pages: through ``unit_get`` at the page's action, 404 outside the
    unit scope."""

    model = UNIT
    get_selector = unit_get
    not_found = NOT_FOUND
    context_object_name = "unit"


class UnitDetail(_UnitRecord, generic.ObjectView):
    """单位详情: fields, in-scope breadcrumbs, sub-units (when a subtree grant covers the unit) and the party
    organizations set up in it that the user may see (``party.view``). 404 outside the scope."""

    url_name = "orgs:unit_detail"
    template_name = "orgs/unit_detail.html"

    def get_extra_context(self, unit) -> dict:
        user = self.user
        return {
            "children": list(unit_children(user=user, parent=unit)) if unit_covers_subtree(user=user, unit=unit) else [],
            "ancestors": unit_ancestors(user=user, unit=unit),
            "organizations": list(unit_organizations(user=user, unit=unit)),
            "may": tree_views.record_actions(
                user, unit, may_add=lambda: unit_covers_subtree(user=user, unit=unit, action="add")),
        }


class _UnitPage(_UnitRecord, tree_views.TreePage):
    """What the unit edit pages share (``core.tree_views.TreePage``): the unit, breadcrumbs, back to its
    detail page after the one service call."""

    template_name = "orgs/unit_form.html"
    noun = "单位"
    parent_field = "上级单位"
    detail_url_name = "orgs:unit_detail"
    object_kwarg = "unit"

    def ancestors(self, unit) -> list:
        return unit_ancestors(user=self.user, unit=unit)


class UnitCreateChild(_UnitPage, tree_views.TreeCreateChildPage):
    """新增下级单位 under ``pk`` (``basic.add`` through a subtree grant on the unit tree; else 404)."""

    url_name = "orgs:unit_create_child"
    form_class = UnitForm
    step = "新增下级单位"

    def covers_subtree(self, parent, action: str) -> bool:
        return unit_covers_subtree(user=self.user, unit=parent, action=action)

    def perform(self, form, parent):
        return unit_services.unit_create(user=self.user, parent=parent, code=form.cleaned_data["code"],
                                         **form.changes())


class UnitEdit(_UnitPage, tree_views.TreeEditPage):
    """编辑单位, ``basic.change``; a stale version → 409 naming who changed what."""

    url_name = "orgs:unit_edit"
    form_class = UnitForm
    update_service = unit_services.unit_update
    step = "编辑"

    def get_initial(self, unit) -> dict:
        return {"version": unit.version} | {k: getattr(unit, k) for k in UnitForm.FIELDS}


class UnitMove(_UnitPage, tree_views.TreeMovePage):
    """调整单位隶属关系 (with its sub-units), ``basic.change``; the new parent by 单位代码 (a code outside
    the ``basic.change`` unit scope is "not found")."""

    url_name = "orgs:unit_move"
    form_class = UnitMoveForm
    move_service = unit_services.unit_move

    def parent_by_code(self, code: str):
        return unit_by_code(user=self.user, code=code, action="change")

    def page_context(self, unit, errors) -> dict:
        parent = unit_parent(user=self.user, unit=unit)
        where = f"{parent.name}（{parent.code}）" if parent else "—"
        return {"note": f"当前上级单位：{where}。调整后本单位连同全部下级单位一并移动；设在本单位的党组织不受影响。"}


class UnitDissolve(_UnitPage, tree_views.TreeDissolvePage):
    """撤销单位 (date + reason), ``basic.delete``; refused while sub-units or party organizations remain in
    it, the refusal listing them."""

    url_name = "orgs:unit_dissolve"
    form_class = DissolveForm
    dissolve_service = unit_services.unit_dissolve

    def blockers(self, unit) -> list:
        return unit_services.unit_dissolve_blockers(unit, user=self.user)

    def page_context(self, unit, errors) -> dict:
        return {"note": "撤销后单位保留在单位树中（标为「已撤销」）；如撤销有误可恢复。"}


class UnitReactivate(_UnitPage, tree_views.TreeReactivatePage):
    """恢复已撤销的单位, ``basic.delete``."""

    url_name = "orgs:unit_reactivate"
    form_class = VersionForm
    reactivate_service = unit_services.unit_reactivate

    def page_context(self, unit, errors) -> dict:
        return {"note": "恢复后状态为「正常」，撤销日期和原因清空（审计日志保留原记录）。"}


class OrganizationUnitEdit(generic.ObjectEditView):
    """所在单位 of the party organization ``pk`` (党组织所在单位情况), ``party.change`` on the organization;
    the units named must be visible to the user on the unit tree (else 「不存在或不在您的数据范围内」)."""

    url_name = "orgs:unit_set"
    model = "orgs.PartyOrganization"
    get_selector = organization_get
    not_found = "组织不存在或不在您的数据范围内"
    template_name = "orgs/form.html"
    context_object_name = "org"
    form_class = OrganizationUnitForm

    def get_initial(self, org) -> dict:
        return {"version": org.version, "unit_relation": org.unit_relation,
                "unit_code": org.unit.code if org.unit_id else "",
                "joint_codes": "、".join(joint_unit_codes(organization=org))}

    def perform(self, form, org):
        data = form.cleaned_data
        problems, unit, joint = [], None, []
        code = (self.request.POST.get("unit_pick") or data["unit_code"]).strip()  # the picker's radio wins
        if code:
            unit = unit_by_code(user=self.user, code=code)
            if unit is None:
                problems.append(RowError(0, "所在单位", f"单位「{code}」不存在或不在您的数据范围内"))
        for code in split_unit_codes(data["joint_codes"]):
            found = unit_by_code(user=self.user, code=code)
            if found is None:
                problems.append(RowError(0, "联合党支部覆盖的单位", f"单位「{code}」不存在或不在您的数据范围内"))
            joint.append(found)
        if problems:
            raise ValidationFailed(problems)
        return services.organization_set_unit(user=self.user, organization=org, relation=data["unit_relation"],
                                              unit=unit, joint_units=joint, expected_version=data["version"])

    def success_message(self, org, result, form) -> str:
        return f"已保存「{org.name}」的所在单位。"

    def success_url(self, org, result) -> str:
        return reverse("orgs:detail", kwargs={"pk": org.pk})

    def get_extra_context(self, org, form, errors) -> dict:
        return {"title": f"所在单位：{org.name}", "step": "所在单位", "submit": "保存",
                "ancestors": organization_ancestors(user=self.user, organization=org),
                "current": organization_unit(user=self.user, organization=org),
                "picker_url": reverse("orgs:unit_picker"), "picker_label": "或搜索所在单位",
                "note": "法人单位：填所在单位的单位代码；联合党支部：填覆盖的各单位代码（至少 2 个）；"
                        "与上级党组织相同：两项都不填。只能选择您有权查看的单位。"}


@require_GET
@login_required
def unit_picker(request):
    """单位选择 fragment (HTMX) for the 所在单位 form: ``?q=`` name or code; units in the user's ``basic.view``
    unit scope only (``unit_pick``); radios named ``unit_pick``. Units outside the scope are simply not found."""
    q = (request.GET.get("q") or "").strip()[:100]
    results = unit_pick(user=request.user, text=q)
    return render(request, "orgs/_picker.html", {
        "results": results, "object_list": results, "q": q, "name": "unit_pick",
        "none_text": f"未找到「{q}」：您有权查看的单位中没有匹配的单位。"})
