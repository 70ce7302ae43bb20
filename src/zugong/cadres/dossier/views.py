"""Pages of the dossier audit (档案专项审核, issue #12 item 5), on the generic views (``core.generic``):

- ``cadres:dossier_list`` (``/cadres/dossier/``, ``cadre.view``): the findings of the scope, filtered by
  审核项目, 问题类型, 认定状态, 单位 (subtree) and 姓名, with the counts by problem type and status of the
  scope (or the unit filtered) and the 「开始审核」 buttons (``cadre.change``);
- ``cadres:dossier_xlsx`` (``cadre.export``): the same rows as ``.xlsx``;
- ``cadres:dossier_detail`` (``<pk>/``): the evidence (来源 → 值), the 认定 form (``cadre.change``) and the
  history of 认定;
- ``cadres:dossier_decide`` (``<pk>/decide/``, ``cadre.change``): ``services.finding_decide``;
- ``cadres:dossier_run`` (``run/<unit pk>/``, ``cadre.change`` on the unit): ``services.dossier_audit_run``
  over the unit's subtree.

Also the tab of the cadre page (``panel_context``) and the to-do (``todos``)."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from zugong.audit.services import record_event
from zugong.cadres.choices import DOSSIER_CHECK, DOSSIER_PROBLEM, FINDING_STATUS
from zugong.cadres.dossier import selectors, services
from zugong.cadres.dossier.forms import DecideForm, DossierFilterSet, RunForm
from zugong.core import generic
from zugong.core.files import write_xlsx
from zugong.core.registry import TodoItem
from zugong.core.scoping import can

NOT_FOUND = "问题不存在或不在您的数据范围内"
UNIT_NOT_FOUND = "单位不存在或不在您的数据范围内"
HEADERS = ("单位代码", "单位", "姓名", "审核项目", "问题类型", "问题描述", "依据（来源：值）", "认定状态", "发现时间",
           "认定时间", "最近认定依据")


def cadre_url(cadre) -> str:
    """The cadre page (``cadres.record``) if it exists yet, else ``""``."""
    for name in ("cadres:cadre_detail", "cadres:detail"):
        try:
            return reverse(name, args=[cadre.pk])
        except NoReverseMatch:
            continue
    return ""


def evidence_summary(finding) -> str:
    """「来源：值；来源：值」 of a finding's evidence."""
    return "；".join(f"{s.get('source', '')}：{s.get('value', '')}" for s in (finding.evidence or {}).get("sources", []))


def _filterset(request, queryset):
    return DossierFilterSet(request.GET, queryset, request=request)


class DossierList(generic.ObjectListView):
    """档案专项审核: the findings of the scope, counts, filters, and the run buttons."""

    url_name = "cadres:dossier_list"
    model = "cadres.DossierFinding"
    list_selector = selectors.finding_list
    filterset_class = DossierFilterSet
    default_ordering = ("cadre__unit__path", "cadre_id", "check_code", "id")
    carried_filters = ("check", "problem_type", "status", "unit", "name")
    export_url_name = "cadres:dossier_xlsx"
    export_permission = "cadre.export"
    template_name = "cadres/dossier/list.html"

    def get_rows(self, objects, filterset):
        return [{"finding": f, "summary": evidence_summary(f), "message": (f.evidence or {}).get("message", "")}
                for f in objects]

    def get_extra_context(self, filterset, page) -> dict:
        unit = filterset.selected_unit() if filterset is not None else None
        scope = selectors.finding_list(user=self.user)
        if unit is not None:
            scope = scope.filter(cadre__unit__path__startswith=unit.path)
        may_run = can(self.user, "cadre", "change")
        targets = []
        if may_run:
            if unit is not None and can(self.user, "cadre", "change", unit):
                targets = [unit]
            else:
                targets = selectors.scope_root_units(user=self.user)
        return {"counts": selectors.finding_counts(scope), "unit": unit, "run_targets": targets,
                "may_run": may_run and bool(targets), "checks": DOSSIER_CHECK.choices}


class DossierDetail(generic.ObjectView):
    """One finding: evidence, 认定 form, history."""

    url_name = "cadres:dossier_detail"
    model = "cadres.DossierFinding"
    get_selector = selectors.finding_get
    not_found = NOT_FOUND
    template_name = "cadres/dossier/detail.html"
    context_object_name = "finding"

    def get_extra_context(self, finding) -> dict:
        may_decide = can(self.user, "cadre", "change", finding.cadre.unit)
        form = DecideForm(initial={"version": finding.version,
                                   "decision": "confirmed" if finding.status == "open" else finding.status})
        return {"evidence": (finding.evidence or {}), "may_decide": may_decide, "form": form,
                "decisions": list(finding.decisions.all()), "cadre_url": cadre_url(finding.cadre),
                "check_label": DOSSIER_CHECK.label(finding.check_code),
                "problem_label": DOSSIER_PROBLEM.label(finding.problem_type),
                "status_label": FINDING_STATUS.label(finding.status)}


class DossierDecide(generic.ObjectActionView):
    """认定 a finding (``cadre.change``): one ``services.finding_decide`` call."""

    url_name = "cadres:dossier_decide"
    model = "cadres.DossierFinding"
    get_selector = selectors.finding_get
    not_found = NOT_FOUND
    form_class = DecideForm
    template_name = "cadres/dossier/decide.html"
    context_object_name = "finding"

    def get_initial(self, finding) -> dict:
        return {"version": finding.version, "decision": "confirmed" if finding.status == "open" else finding.status}

    def perform(self, form, finding):
        d = form.cleaned_data
        return services.finding_decide(user=self.user, finding=finding, decision=d["decision"],
                                       document=d["document"], note=d["note"], expected_version=d["version"])

    def success_message(self, finding, row, form) -> str:
        return f"已认定「{finding.cadre.person.name}」{DOSSIER_CHECK.label(finding.check_code)}：{row.get_decision_display()}。"

    def success_url(self, finding, row) -> str:
        return reverse("cadres:dossier_detail", args=[finding.pk])

    def get_extra_context(self, finding, form, errors) -> dict:
        return {"evidence": finding.evidence or {}, "check_label": DOSSIER_CHECK.label(finding.check_code)}


class DossierRun(generic.ObjectActionView):
    """开始审核 over a unit's subtree (``cadre.change`` on the unit): ``services.dossier_audit_run``."""

    url_name = "cadres:dossier_run"
    model = "cadres.DossierFinding"
    object_model = "orgs.Unit"
    label = "cadre"
    get_selector = selectors.unit_for_audit
    not_found = UNIT_NOT_FOUND
    form_class = RunForm
    template_name = "cadres/dossier/run.html"
    context_object_name = "unit"

    def get_initial(self, unit) -> dict:
        return {}

    def perform(self, form, unit):
        return services.dossier_audit_run(user=self.user, unit=unit, as_of=form.cleaned_data.get("as_of"))

    def success_message(self, unit, result, form) -> str:
        return f"「{unit.name}」档案专项审核完成：{result.sentence}"

    def success_url(self, unit, result) -> str:
        return f"{reverse('cadres:dossier_list')}?{urlencode({'unit': unit.code})}"

    def get_extra_context(self, unit, form, errors) -> dict:
        return {"checks": DOSSIER_CHECK.choices}


def findings_xlsx(*, user, params) -> bytes:
    """The findings of ``user``'s ``cadre.export`` scope filtered by ``params`` (the list's filters) as one
    sheet (``HEADERS``), with a note sheet naming the regulation. Audited (one ``export`` event: row count
    and filters)."""
    filterset = DossierFilterSet(params, selectors.finding_list(user=user, action="export"), user=user)
    queryset = filterset.qs if filterset.is_valid() else filterset.queryset.none()
    rows = []
    for f in queryset.prefetch_related("decisions"):
        decisions = sorted(f.decisions.all(), key=lambda d: (d.decided_at, d.pk))
        last = decisions[-1].document if decisions else ""
        rows.append((f.cadre.unit.code, f.cadre.unit.name, f.cadre.person.name, DOSSIER_CHECK.label(f.check_code),
                     DOSSIER_PROBLEM.label(f.problem_type), (f.evidence or {}).get("message", ""), evidence_summary(f),
                     FINDING_STATUS.label(f.status), timezone.localtime(f.detected_at).strftime("%Y-%m-%d %H:%M"),
                     timezone.localtime(f.resolved_at).strftime("%Y-%m-%d %H:%M") if f.resolved_at else "", last))
    record_event("export", user=user, object_type="cadres.dossierfinding",
                 summary=f"导出档案专项审核问题 {len(rows)} 条",
                 data={"rows": len(rows), "filters": {k: params.get(k) for k in DossierFilterSet.base_filters
                                                      if params.get(k)}})
    stream = io.BytesIO()
    write_xlsx(stream, headers=HEADERS, rows=rows, sheet_title="档案专项审核",
               notes=("依据：《干部人事档案工作条例》（2018）；三龄两历一身份专项审核。",
                      "出生日期以干部档案中最早记载的材料为准，身份证不作为认定依据。",
                      f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}。"))
    return stream.getvalue()


class DossierExport(generic.ExportView):
    """档案专项审核问题 .xlsx (``cadre.export``), the list's filters."""

    url_name = "cadres:dossier_xlsx"
    model = "cadres.DossierFinding"
    label = "cadre"

    def export_kwargs(self) -> dict:
        return {"params": self.request.GET.copy()}

    def export(self, *, user, params) -> bytes:
        return findings_xlsx(user=user, params=params)

    def filename(self, params) -> str:
        return f"档案专项审核_{timezone.localdate():%Y%m%d}.xlsx"


def panel_context(user, cadre, request) -> dict:
    """The 「档案审核」 tab of the cadre page: the cadre's findings (newest first) with their evidence."""
    findings = list(selectors.finding_list(user=user).filter(cadre=cadre).order_by("-detected_at", "-id"))
    return {"findings": [{"finding": f, "summary": evidence_summary(f), "check": DOSSIER_CHECK.label(f.check_code),
                          "problem": DOSSIER_PROBLEM.label(f.problem_type), "status": FINDING_STATUS.label(f.status)}
                         for f in findings],
            "open": sum(1 for f in findings if f.status == "open"),
            "list_url": f"{reverse('cadres:dossier_list')}?{urlencode({'name': cadre.person.name})}"}


def todos(user, today: dt.date | None = None) -> list[TodoItem]:
    """「档案专项审核：N 个问题待认定」 for the open findings ``user`` may decide (``cadre.change``)."""
    n = selectors.open_count(user=user)
    if not n:
        return []
    return [TodoItem(text=f"档案专项审核：{n} 个问题待认定", url=f"{reverse('cadres:dossier_list')}?status=open",
                     severity="normal")]
