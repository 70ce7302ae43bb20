"""Pages of the branches app (issue #11): 班子成员 and 党支部达标情况.

- ``branches:officer_appoint`` (``orgs/<pk>/officers/new/``): 任职 in organization ``pk`` (``party.change``);
- ``branches:officer_end`` (``officers/<pk>/end/``): 离任 (``party.change`` on the post's organization);
- ``branches:officer_edit`` (``officers/<pk>/edit/``): 更正 (``party.change``; stale version → 409);
- ``branches:standards`` (``standards/?org=<组织代码>&as_of=<日期>&kind=<code>``): the branches of the subtree
  with findings, grouped by kind with counts (``party.view``; an ``org`` outside the scope → 404);
- ``branches:standards_xlsx``: the same findings as .xlsx (``party.export``).

The organization page gets two tabs (``register_org_panel`` in ``BranchesConfig.ready``): 「班子成员」
(``officers_panel``) and 「达标情况」 (``standards_panel``). Each write calls one service; bad input is a 400
listing every problem by field, anything outside the scope a 404.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from zugong.branches import officers, standards
from zugong.branches.choices import OFFICER_ROLE
from zugong.branches.forms import OfficerAppointForm, OfficerCorrectForm, OfficerEndForm
from zugong.branches.selectors import (
    officer_get,
    organization_by_code,
    organization_get,
    organization_member_choices,
    organization_officers,
)
from zugong.core import generic
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import FieldProblem, ValidationFailed, fail
from zugong.core.files import xlsx_bytes
from zugong.core.scoping import can
from zugong.orgs.selectors import organization_ancestors

ORG_NOT_FOUND = "组织不存在或不在您的数据范围内"
OFFICER_NOT_FOUND = "班子成员记录不存在或不在您的数据范围内"


# ----- 班子成员 ----------------------------------------------------------------------------------------


class OfficerAppoint(generic.ObjectActionView):
    """任职 in organization ``pk`` (``party.change``; else 404)."""

    url_name = "branches:officer_appoint"
    model = "branches.BranchOfficer"
    object_model = "orgs.PartyOrganization"
    get_selector = organization_get
    not_found = ORG_NOT_FOUND
    form_class = OfficerAppointForm
    template_name = "orgs/form.html"
    context_object_name = "org"

    def get_initial(self, org) -> dict:
        return {"start_date": timezone.localdate()}

    def get_form_kwargs(self, org) -> dict:
        return {"people": organization_member_choices(user=self.user, organization=org)}

    def get_notes(self, org) -> list[str]:
        return [p.reason for p in officers.check_organization(org)]

    def perform(self, form, org):
        d = form.cleaned_data
        return officers.officer_appoint(actor=self.user, organization=org, person=d["person"], role=d["role"],
                                        start_date=d["start_date"], note=d["note"])

    def success_message(self, org, officer, form) -> str:
        return f"已登记「{officer.person.name}」任「{org.name}」{OFFICER_ROLE.label(officer.role)}。"

    def success_url(self, org, officer) -> str:
        return reverse("orgs:detail", kwargs={"pk": org.pk}) + "#tab-officers"

    def get_extra_context(self, org, form, errors) -> dict:
        return {"title": f"登记班子成员：{org.name}", "submit": "保存", "step": "登记班子成员",
                "ancestors": organization_ancestors(user=self.user, organization=org),
                "note": "任职人员须为任职日期当日本组织的党员（党小组可为其所在党支部的党员）；每个党组织只设一名书记。"}


class OfficerEnd(generic.ObjectActionView):
    """离任 (``party.change`` on the post's organization)."""

    url_name = "branches:officer_end"
    model = "branches.BranchOfficer"
    get_selector = officer_get
    not_found = OFFICER_NOT_FOUND
    form_class = OfficerEndForm
    template_name = "orgs/form.html"
    context_object_name = "officer"

    def get_initial(self, officer) -> dict:
        return {"version": officer.version, "end_date": timezone.localdate()}

    def get_notes(self, officer) -> list[str]:
        return [f"该职务已于 {officer.end_date:%Y-%m-%d} 离任。"] if officer.end_date else []

    def perform(self, form, officer):
        d = form.cleaned_data
        return officers.officer_end(actor=self.user, officer=officer, end_date=d["end_date"], reason=d["reason"],
                                    expected_version=d["version"])

    def success_message(self, officer, result, form) -> str:
        return f"已登记「{officer.person.name}」离任{OFFICER_ROLE.label(officer.role)}。"

    def success_url(self, officer, result) -> str:
        return reverse("orgs:detail", kwargs={"pk": officer.organization_id}) + "#tab-officers"

    def get_extra_context(self, officer, form, errors) -> dict:
        org = officer.organization
        return {"org": org, "title": f"离任：{officers.describe(officer)}", "submit": "保存", "step": "离任",
                "ancestors": organization_ancestors(user=self.user, organization=org)}


class OfficerEdit(generic.ObjectEditView):
    """更正 a post (``party.change`` on its organization; stale version → 409)."""

    url_name = "branches:officer_edit"
    model = "branches.BranchOfficer"
    get_selector = officer_get
    not_found = OFFICER_NOT_FOUND
    form_class = OfficerCorrectForm
    template_name = "orgs/form.html"
    context_object_name = "officer"

    def get_initial(self, officer) -> dict:
        return {"version": officer.version, "role": officer.role, "start_date": officer.start_date,
                "end_date": officer.end_date, "note": officer.note}

    def perform(self, form, officer):
        d = form.cleaned_data
        return officers.officer_correct(actor=self.user, officer=officer, expected_version=d["version"],
                                        changes={k: d[k] for k in officers.CORRECTABLE})

    def success_message(self, officer, result, form) -> str:
        return "已更正班子成员记录。"

    def success_url(self, officer, result) -> str:
        return reverse("orgs:detail", kwargs={"pk": officer.organization_id}) + "#tab-officers"

    def get_extra_context(self, officer, form, errors) -> dict:
        org = officer.organization
        return {"org": org, "title": f"更正：{officers.describe(officer)}", "submit": "保存", "step": "更正",
                "ancestors": organization_ancestors(user=self.user, organization=org)}


def officers_panel(user, org, request) -> dict | None:
    """The organization page's 「班子成员」 tab: current and past posts with 任职/离任 dates, 「书记空缺 自 …」 when
    no 书记 is in office, the buttons for ``party.change``. ``None`` for organizations without a 班子 here."""
    if org.org_type not in officers.OFFICER_ORG_TYPES:
        return None
    rows = organization_officers(user=user, organization=org)
    today = timezone.localdate()
    current = [o for o in rows if o.end_date is None or o.end_date > today]
    past = [o for o in rows if o not in current]
    vacant_since = None
    # a 党小组 has a 组长, not a 书记: no vacancy shown for it
    has_secretary = org.org_type == "party_group" or any(o.role == "secretary" for o in current)
    if not has_secretary:
        ended = [o.end_date for o in past if o.role == "secretary"]
        vacant_since = max(ended) if ended else None
    return {"label": "班子成员", "current": current, "past": past, "has_secretary": has_secretary,
            "vacant_since": vacant_since, "may_change": can(user, "party", "change", org),
            "committee_min": standards.standards(on=today).committee_min}


def standards_panel(user, org, request) -> dict | None:
    """The organization page's 「达标情况」 tab: the organization's own findings as of today (for a 党支部 or
    联合党支部; ``None`` for other organizations)."""
    if org.org_type not in standards.EVALUATED_TYPES:
        return None
    today = timezone.localdate()
    findings = [f for f in standards.standards_findings(user=user, root=org, as_of=today) if f.organization.pk == org.pk]
    return {"label": "达标情况", "findings": findings, "as_of": today,
            "list_url": reverse("branches:standards") + "?" + urlencode({"org": org.code})}


# ----- 党支部达标情况 ------------------------------------------------------------------------------------


def _params(request, user, action: str = "view") -> dict:
    """``org`` (组织代码 → organization in scope, else ``Http404``; blank: the whole scope), ``as_of`` (default
    today; unreadable → ``ValidationFailed``), ``kind`` (codes of ``standards.KINDS``, repeated)."""
    code = (request.GET.get("org") or "").strip()
    root = None
    if code:
        root = organization_by_code(user=user, code=code, action=action)
        if root is None:
            raise Http404(ORG_NOT_FOUND)
    problems: list[FieldProblem] = []
    as_of = timezone.localdate()
    raw = (request.GET.get("as_of") or "").strip()
    if raw:
        try:
            day, _ = parse_date(raw)
        except DateParseError as exc:
            problems.append(FieldProblem("截至日期", str(exc)))
        else:
            as_of = day or as_of
    kinds = tuple(k for k in request.GET.getlist("kind") if k in standards.KINDS)
    fail(problems)
    return {"root": root, "as_of": as_of, "codes": kinds or None}


class StandardsList(generic.GenericView):
    """党支部达标情况 (``party.view``): the branches of the subtree with findings as of the date, grouped by kind
    with counts, filterable by kind. ``context["object_list"]``: the organizations listed."""

    url_name = "branches:standards"
    kind = "list"
    model = "orgs.PartyOrganization"
    action = "view"
    object_param = "org"
    not_found = ORG_NOT_FOUND
    template_name = "branches/standards.html"

    def get(self, request, *args, **kwargs):
        if not can(self.user, "party", "view"):
            raise PermissionDenied("您没有查看党组织数据的权限。")
        error = ""
        try:
            params = _params(request, self.user)
        except ValidationFailed as exc:
            error, params = exc.message, {"root": None, "as_of": timezone.localdate(), "codes": None}
        every = standards.standards_findings(user=self.user, root=params["root"], as_of=params["as_of"])
        summary = standards.summary_by_kind(every)
        codes = params["codes"]
        shown = [f for f in every if not codes or f.code in codes]
        groups = []
        for kind in standards.KINDS.values():
            items = [f for f in shown if f.code == kind.code]
            if items:
                groups.append({"kind": kind, "count": len(items), "findings": items})
        object_list = list({f.organization.pk: f.organization for f in shown}.values())
        base = {"as_of": params["as_of"].isoformat()}
        if params["root"] is not None:
            base["org"] = params["root"].code
        export_query = urlencode({**base, "kind": list(codes or ())}, doseq=True)
        context = {"object_list": object_list, "groups": groups, "summary": summary, "root": params["root"],
                   "as_of": params["as_of"], "codes": codes or (), "error": error, "kinds": standards.KINDS.values(),
                   "base_query": urlencode(base), "export_query": export_query,
                   "can_export": can(self.user, "party", "export"), "branch_count": len(object_list)}
        return render(request, self.template_name, context, status=400 if error else 200)


HEADERS = ("组织代码", "党支部名称", "问题类别", "说明", "依据", "起始日期", "届满日期")


def standards_xlsx(*, user, root=None, as_of: dt.date, codes=None) -> bytes:
    """The findings of ``standards_findings`` as one sheet (columns ``HEADERS``), a note sheet with the source."""
    rows = [(f.organization.code, f.organization.name, f.label, f.message, f.article, f.since, f.due)
            for f in standards.standards_findings(user=user, root=root, as_of=as_of, codes=codes, action="export")]
    scope = root.name if root is not None else "数据范围内全部党支部"
    return xlsx_bytes(headers=HEADERS, rows=rows, sheet_title="党支部达标情况",
                      notes=(f"范围：{scope}；截至 {as_of.isoformat()}。",
                             "依据：《中国共产党支部工作条例（试行）》（2018）、《中国共产党党员教育管理工作条例》（2019）。"))


class StandardsExport(generic.ExportView):
    """党支部达标情况 .xlsx (``party.export``; ``?org=`` outside the scope → 404)."""

    url_name = "branches:standards_xlsx"
    model = "orgs.PartyOrganization"
    object_param = "org"
    label = "party"
    not_found = ORG_NOT_FOUND

    def export_kwargs(self) -> dict:
        return _params(self.request, self.user, action="export")

    def export(self, *, user, root, as_of, codes) -> bytes:
        return standards_xlsx(user=user, root=root, as_of=as_of, codes=codes)

    def filename(self, params) -> str:
        where = params["root"].code if params["root"] is not None else "全部"
        return f"党支部达标情况_{where}_{params['as_of']:%Y%m%d}.xlsx"


officer_appoint = OfficerAppoint.as_view()
officer_end = OfficerEnd.as_view()
officer_edit = OfficerEdit.as_view()
standards_list = StandardsList.as_view()
standards_export = StandardsExport.as_view()
