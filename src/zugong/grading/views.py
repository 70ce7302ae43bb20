"""Pages of branch grading (达标晋级) on the generic views (``core.generic``); reads through
``grading.selectors``, writes through one ``grading.services`` call each:

- ``grading:list`` (``/grading/?org=<组织代码>&year=``): the gradings of a subtree and year (default: the
  latest year with gradings) with total, level and 示范 mark, counts per level, the branches not yet graded;
- ``grading:detail`` (``<pk>/``): one grading with its scores and evidence;
- ``grading:create`` (``branches/<pk>/new/?scheme=&year=``): 录入评定 of a branch (``party.add``);
- ``grading:edit`` (``<pk>/edit/``): 修改评定 (``party.change``, optimistic ``version``);
- ``grading:export`` (``export/?org=&year=``): the list as .xlsx (``party.export``);
- ``grading:weak_list`` (``weak/?org=&year=&status=``): the 软弱涣散 list with the rectification status;
- ``grading:weak_create`` (``branches/<pk>/weak/new/``): 列入软弱涣散名单 (``party.add``);
- ``grading:weak_rectify`` / ``grading:weak_verify`` (``weak/<pk>/rectify|verify/``): 整改完成 / 验收;
- ``grading:weak_export`` (``weak/export/``).

Bad input is a 400 listing every problem by field, a stale version a 409, anything outside the scope a 404.
The organization page's tab 「达标晋级」 is ``grading.panels.org_panel``."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from zugong.core import generic
from zugong.core.errors import ValidationFailed
from zugong.core.scoping import can
from zugong.grading import exporters, selectors, services
from zugong.grading.choices import WEAK_CATEGORY, WEAK_STATUS
from zugong.grading.filtersets import GradingFilterSet, WeakFilterSet
from zugong.grading.forms import GradingForm, WeakIdentifyForm, WeakRectifyForm, WeakVerifyForm
from zugong.grading.validators import fmt_score
from zugong.orgs.selectors import organization_get

ORG_NOT_FOUND = "党组织不存在或不在您的数据范围内"
GRADING_NOT_FOUND = "达标晋级评定不存在或不在您的数据范围内"
WEAK_NOT_FOUND = "软弱涣散党组织记录不存在或不在您的数据范围内"


def _org_param(request, user, action: str = "view"):
    """The organization of ``?org=`` (组织代码) in scope, ``None`` when not given; 404 when unknown."""
    code = request.GET.get("org", "").strip()
    if not code:
        return None
    org = selectors.organization_in_scope(user=user, ref=code, action=action)
    if org is None or org.code != code:
        raise Http404(ORG_NOT_FOUND)
    return org


def _year_param(request, default: int | None) -> int | None:
    text = request.GET.get("year", "").strip()
    if not text:
        return default
    if not text.isdigit() or len(text) != 4:
        raise ValidationFailed([], message=f"年度「{text[:10]}」无效，应为四位数字")
    return int(text)


def _years(selected: int | None) -> list[int]:
    this = timezone.localdate().year
    years = list(range(this, this - 10, -1))
    if selected and selected not in years:
        years.append(selected)
    return years


# ----- gradings -----------------------------------------------------------------------------------


class GradingList(generic.ObjectListView):
    """达标晋级评定一览 of ``?org=`` (default: the whole scope) for ``?year=`` (default: the latest year with
    gradings in it), with ``?scheme=``, ``?level=``, ``?designated=`` filters."""

    url_name = "grading:list"
    model = "grading.BranchGrading"
    object_param = "org"
    object_model = "orgs.PartyOrganization"
    list_selector = selectors.grading_list
    filterset_class = GradingFilterSet
    counting = "exact"
    default_ordering = ("organization__path", "scheme_id", "pk")
    sort_fields = {"org": ("organization__path", "党支部"), "total": ("total", "总分")}
    carried_filters = ("org", "scheme", "level", "designated")
    export_url_name, export_permission = "grading:export", "party.export"
    template_name = "grading/list.html"

    def get_filterset(self, queryset):
        self.organization = _org_param(self.request, self.user)
        data = self.request.GET.copy()
        year = data.get("year", "").strip()
        self.year = int(year) if year.isdigit() else selectors.latest_year(user=self.user, organization=self.organization)
        data["year"] = str(self.year)
        return self.filterset_class(data, queryset, request=self.request)

    def export_params(self, filterset) -> dict:
        return {**super().export_params(filterset), "year": str(self.year)}

    def get_extra_context(self, filterset, page) -> dict:
        qs = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        org = self.organization
        return {
            "organization": org, "year": self.year, "years": _years(self.year),
            "schemes": selectors.scheme_list(),
            "level_counts": selectors.level_counts(qs),
            "model_count": qs.filter(designated_model=True).count(),
            "ungraded": selectors.branches_without_grading(user=self.user, organization=org, year=self.year, limit=100),
            "may_add": can(self.user, "party", "add"),
            "weak_href": reverse("grading:weak_list") + (f"?org={org.code}" if org else ""),
        }


class GradingDetail(generic.ObjectView):
    """One grading with its scores and evidence (``party.view``)."""

    url_name = "grading:detail"
    model = "grading.BranchGrading"
    get_selector = selectors.grading_get
    not_found = GRADING_NOT_FOUND
    template_name = "grading/detail.html"
    context_object_name = "grading"

    def get_extra_context(self, grading) -> dict:
        return {"scores": list(grading.scores.all()),
                "may_change": can(self.user, "party", "change", grading.organization)}


def _scheme_choice(request):
    code = (request.POST.get("scheme") or request.GET.get("scheme") or "").strip()
    schemes = selectors.scheme_list()
    if not code:
        return (schemes[0] if schemes else None), schemes
    return selectors.scheme_by_code(code), schemes


class GradingCreate(generic.ObjectCreateView):
    """录入评定 of branch ``pk`` (``party.add``): ``?scheme=`` chooses the rubric (default: the first one),
    ``?year=`` the year (default: the current year)."""

    url_name = "grading:create"
    model = "grading.BranchGrading"
    object_arg = "pk"
    object_model = "orgs.PartyOrganization"
    get_selector = organization_get
    not_found = ORG_NOT_FOUND
    form_class = GradingForm
    template_name = "grading/form.html"
    context_object_name = "org"

    def get_form_kwargs(self, org) -> dict:
        return {"criteria": list(self.scheme.criteria.all()) if self.scheme else []}

    def precheck(self, org):
        self.scheme, self.schemes = _scheme_choice(self.request)
        return None

    def get_initial(self, org) -> dict:
        year = self.request.GET.get("year", "").strip()
        return {"scheme": self.scheme.code if self.scheme else "",
                "year": year if year.isdigit() else timezone.localdate().year,
                "evaluated_on": timezone.localdate()}

    def get_notes(self, org) -> list[str]:
        from zugong.core.codes import ORG_TYPES_BRANCH

        if org.org_type not in ORG_TYPES_BRANCH:
            return [f"「{org.name}」是{org.org_type_label}，达标晋级评定只针对党支部。"]
        return []

    def perform(self, form, org):
        d = form.cleaned_data
        return services.grading_record(actor=self.user, organization=org, scheme=d["scheme"], year=d["year"],
                                       scores=form.scores(), designated_model=d["designated_model"],
                                       evaluated_on=d["evaluated_on"], evaluator=d["evaluator"], note=d["note"])

    def success_message(self, org, grading, form) -> str:
        level = grading.level.name if grading.level else "未达任何等次"
        return f"已录入「{org.name}」{grading.year} 年度{grading.scheme.name}评定：{fmt_score(grading.total)} 分，{level}。"

    def success_url(self, org, grading) -> str:
        return reverse("grading:detail", kwargs={"pk": grading.pk})

    def get_extra_context(self, org, form, errors) -> dict:
        return {"title": f"录入达标晋级评定：{org.name}", "scheme": self.scheme, "schemes": self.schemes,
                "cancel_url": reverse("orgs:detail", kwargs={"pk": org.pk}) + "#tab-grading"}


class GradingEdit(generic.ObjectEditView):
    """修改评定 (``party.change``; stale ``version`` → 409)."""

    url_name = "grading:edit"
    model = "grading.BranchGrading"
    get_selector = selectors.grading_get
    not_found = GRADING_NOT_FOUND
    form_class = GradingForm
    template_name = "grading/form.html"
    context_object_name = "grading"

    def get_form_kwargs(self, grading) -> dict:
        return {"criteria": list(grading.scheme.criteria.all()), "editing": True}

    def get_initial(self, grading) -> dict:
        initial = {"version": grading.version, "scheme": grading.scheme.code, "evaluated_on": grading.evaluated_on,
                   "evaluator": grading.evaluator, "designated_model": grading.designated_model, "note": grading.note}
        for s in grading.scores.all():
            initial[f"score_{s.criterion.code}"] = f"{fmt_score(s.score)}"
            initial[f"evidence_{s.criterion.code}"] = s.evidence
        return initial

    def perform(self, form, grading):
        d = form.cleaned_data
        return services.grading_edit(actor=self.user, grading=grading, expected_version=d["version"],
                                     scores=form.scores(), designated_model=d["designated_model"],
                                     evaluated_on=d["evaluated_on"] or None, evaluator=d["evaluator"], note=d["note"])

    def success_message(self, grading, result, form) -> str:
        return f"已保存「{grading.organization.name}」{grading.year} 年度{grading.scheme.name}评定。"

    def success_url(self, grading, result) -> str:
        return reverse("grading:detail", kwargs={"pk": grading.pk})

    def get_extra_context(self, grading, form, errors) -> dict:
        return {"title": f"修改达标晋级评定：{grading.organization.name} {grading.year} 年度", "scheme": grading.scheme,
                "org": grading.organization, "cancel_url": reverse("grading:detail", kwargs={"pk": grading.pk})}


class GradingExport(generic.ExportView):
    """达标晋级评定一览 .xlsx (``party.export``): ``?org=`` (default: the whole scope), ``?year=`` (default: the
    latest year with gradings), ``?scheme=``, ``?level=``, ``?designated=``."""

    url_name = "grading:export"
    model = "grading.BranchGrading"
    object_param = "org"
    object_model = "orgs.PartyOrganization"
    label = "party"
    not_found = ORG_NOT_FOUND

    def export_kwargs(self) -> dict:
        org = _org_param(self.request, self.user, "export")
        year = _year_param(self.request, None) or selectors.latest_year(user=self.user, organization=org)
        return {"organization": org, "year": year,
                "filters": {k: self.request.GET.get(k, "") for k in ("scheme", "level", "designated")}}

    def export(self, **kwargs) -> bytes:
        return exporters.gradings_xlsx(**kwargs)

    def filename(self, params: dict) -> str:
        org = params["organization"]
        return f"达标晋级评定_{org.code if org else '全部'}_{params['year']}.xlsx"


# ----- 软弱涣散 ---------------------------------------------------------------------------------------


class WeakList(generic.ObjectListView):
    """软弱涣散基层党组织名单 of ``?org=`` (default: the whole scope), ``?year=`` (default: every year),
    ``?status=rectifying|rectified|verified``."""

    url_name = "grading:weak_list"
    model = "grading.WeakBranch"
    object_param = "org"
    object_model = "orgs.PartyOrganization"
    list_selector = selectors.weak_list
    filterset_class = WeakFilterSet
    counting = "exact"
    default_ordering = ("-year", "organization__path", "pk")
    carried_filters = ("org", "year", "status")
    export_url_name, export_permission = "grading:weak_export", "party.export"
    template_name = "grading/weak_list.html"

    def get_extra_context(self, filterset, page) -> dict:
        org = getattr(filterset, "organization", None)
        return {"organization": org, "years": _years(None), "statuses": WEAK_STATUS.choices,
                "may_change": can(self.user, "party", "change"), "today": timezone.localdate()}


class WeakCreate(generic.ObjectCreateView):
    """列入软弱涣散名单 (``party.add`` on the organization)."""

    url_name = "grading:weak_create"
    model = "grading.WeakBranch"
    object_arg = "pk"
    object_model = "orgs.PartyOrganization"
    get_selector = organization_get
    not_found = ORG_NOT_FOUND
    form_class = WeakIdentifyForm
    template_name = "grading/weak_form.html"
    context_object_name = "org"

    def get_initial(self, org) -> dict:
        today = timezone.localdate()
        return {"year": today.year, "identified_on": today}

    def perform(self, form, org):
        d = form.cleaned_data
        return services.weak_branch_identify(actor=self.user, organization=org, year=d["year"],
                                             identified_on=d["identified_on"], categories=d["categories"],
                                             reasons=d["reasons"], measures=d["measures"],
                                             responsible_person=d["responsible_person"], deadline=d["deadline"])

    def success_message(self, org, entry, form) -> str:
        return f"已将「{org.name}」列入 {entry.year} 年度软弱涣散基层党组织名单。"

    def success_url(self, org, entry) -> str:
        return reverse("grading:weak_list") + f"?org={org.code}"

    def get_extra_context(self, org, form, errors) -> dict:
        return {"title": f"列入软弱涣散名单：{org.name}", "org": org, "categories": WEAK_CATEGORY.choices,
                "cancel_url": reverse("orgs:detail", kwargs={"pk": org.pk}) + "#tab-grading"}


class _WeakAction(generic.ObjectActionView):
    model = "grading.WeakBranch"
    get_selector = selectors.weak_get
    not_found = WEAK_NOT_FOUND
    template_name = "grading/weak_form.html"
    context_object_name = "entry"

    def success_url(self, entry, result) -> str:
        return reverse("grading:weak_list") + f"?org={entry.organization.code}"


class WeakRectify(_WeakAction):
    """整改完成 (``party.change`` on the organization)."""

    url_name = "grading:weak_rectify"
    form_class = WeakRectifyForm

    def get_initial(self, entry) -> dict:
        return {"version": entry.version, "rectified_on": entry.rectified_on or timezone.localdate(),
                "measures": entry.measures}

    def get_notes(self, entry) -> list[str]:
        return [f"该记录已于 {entry.verified_on:%Y-%m-%d} 验收。"] if entry.verified_on else []

    def perform(self, form, entry):
        d = form.cleaned_data
        return services.weak_branch_rectify(actor=self.user, weak_branch=entry, expected_version=d["version"],
                                            rectified_on=d["rectified_on"], measures=d["measures"])

    def success_message(self, entry, result, form) -> str:
        return f"已登记「{entry.organization.name}」整改完成。"

    def get_extra_context(self, entry, form, errors) -> dict:
        return {"title": f"整改完成：{entry.organization.name} {entry.year} 年度", "org": entry.organization,
                "cancel_url": self.success_url(entry, None)}


class WeakVerify(_WeakAction):
    """验收 (``party.change`` on the organization and on its parent: the higher organization verifies)."""

    url_name = "grading:weak_verify"
    form_class = WeakVerifyForm

    def get_initial(self, entry) -> dict:
        return {"version": entry.version, "verified_on": timezone.localdate()}

    def get_notes(self, entry) -> list[str]:
        if entry.verified_on:
            return [f"该记录已于 {entry.verified_on:%Y-%m-%d} 验收。"]
        if entry.rectified_on is None:
            return ["尚未登记整改完成，不能验收。"]
        return []

    def perform(self, form, entry):
        d = form.cleaned_data
        return services.weak_branch_verify(actor=self.user, weak_branch=entry, expected_version=d["version"],
                                           verified_on=d["verified_on"], verified_by=d["verified_by"], note=d["note"])

    def success_message(self, entry, result, form) -> str:
        return f"「{entry.organization.name}」的整改已通过验收。"

    def get_extra_context(self, entry, form, errors) -> dict:
        return {"title": f"验收：{entry.organization.name} {entry.year} 年度", "org": entry.organization,
                "cancel_url": self.success_url(entry, None)}


class WeakExport(generic.ExportView):
    """软弱涣散基层党组织名单 .xlsx (``party.export``): ``?org=``, ``?year=`` (default: every year), ``?status=``."""

    url_name = "grading:weak_export"
    model = "grading.WeakBranch"
    object_param = "org"
    object_model = "orgs.PartyOrganization"
    label = "party"
    not_found = ORG_NOT_FOUND

    def export_kwargs(self) -> dict:
        return {"organization": _org_param(self.request, self.user, "export"),
                "year": _year_param(self.request, None), "filters": {"status": self.request.GET.get("status", "")}}

    def export(self, **kwargs) -> bytes:
        return exporters.weak_xlsx(**kwargs)

    def filename(self, params: dict) -> str:
        org = params["organization"]
        return f"软弱涣散党组织_{org.code if org else '全部'}_{params['year'] or '全部年度'}.xlsx"
