"""任职资格 pages (issue #12 item 6), on the generic views (each registers itself for the scope tests):

- the cadre page's tab 「任职资格」 (``panel``, ``cadres.panels``): a target-level selector that reloads the
  conditions table by HTMX from ``cadres:eligibility``, and the cadre's 处理处分记录 (shown only with
  ``discipline.view``; 「登记」 with ``discipline.add``);
- ``cadres:eligibility`` (``<pk>/eligibility/?level=131&as_of=YYYY-MM-DD``, ``cadre.view``): the conditions
  table (✓ 符合 / ✗ 不符合 / 待核实, with the facts and the article) — the fragment for an HTMX request, else
  a page with the selector and the supervision records;
- ``cadres:supervision_add`` (``<pk>/supervision/add/``, ``discipline.add``), ``cadres:supervision_edit``
  (``supervision/<pk>/edit/``, ``discipline.change``), ``cadres:supervision_delete``
  (``supervision/<pk>/delete/``, ``discipline.delete``): one service call each
  (``eligibility.services.supervision_record_*``).
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from zugong.cadres.choices import POST_LEVEL, SUPERVISION_KIND
from zugong.cadres.eligibility import rules, services
from zugong.cadres.eligibility.forms import SupervisionDeleteForm, SupervisionEditForm, SupervisionForm
from zugong.cadres.models import Cadre, SupervisionRecord
from zugong.cadres.selectors import post_facts
from zugong.core import generic
from zugong.core.scoping import can

NOT_FOUND = "干部不存在或不在您的数据范围内"
RECORD_NOT_FOUND = "处理处分记录不存在或不在您的数据范围内"


def cadre_get(*, user, pk: int, action: str = "view") -> Cadre | None:
    """The cadre ``pk`` in ``user``'s ``cadre.<action>`` scope, else ``None``."""
    return Cadre.objects.restrict(user, action).select_related("person", "unit").filter(pk=pk).first()


def cadre_for_discipline(*, user, pk: int, action: str = "add") -> Cadre | None:
    """The cadre ``pk`` when ``user`` holds ``discipline.<action>`` on its unit, else ``None``."""
    return Cadre.objects.restrict(user, action, label="discipline").select_related("person", "unit").filter(pk=pk).first()


def record_get(*, user, pk: int, action: str = "view") -> SupervisionRecord | None:
    return (SupervisionRecord.objects.restrict(user, action).select_related("cadre", "cadre__person", "cadre__unit")
            .filter(pk=pk).first())


def parse_query(params, cadre, user) -> tuple[str, dt.date]:
    """``level`` (code or name; default: the level above the cadre's current one) and ``as_of`` (default
    today) from the query; ``Http404`` for an unknown level or date."""
    as_of = timezone.localdate()
    if params.get("as_of"):
        try:
            as_of = dt.date.fromisoformat(params["as_of"])
        except ValueError:
            raise Http404("日期格式应为 YYYY-MM-DD") from None
    raw = params.get("level", "")
    if raw:
        level = POST_LEVEL.parse(raw)
        if level not in services.TARGET_LEVELS:
            raise Http404("未知的拟任职务级别")
    else:
        facts = post_facts([cadre], as_of, user=user)[cadre.pk]
        level = services.default_target(facts.level or facts.rank_level)
    return level, as_of


def context_for(user, cadre, level: str, as_of: dt.date) -> dict:
    """What the tab, the page and the fragment show."""
    result = services.promotion_eligibility(cadre=cadre, target_level=level, as_of=as_of, user=user)
    may_view = can(user, "discipline", "view", cadre.unit)
    return {"cadre": cadre, "result": result, "level": level, "as_of": as_of, "levels": services.level_choices(),
            "url": reverse("cadres:eligibility", kwargs={"pk": cadre.pk}),
            "may_view_discipline": may_view,
            "records": services.supervision_records_of(user=user, cadre=cadre) if may_view else [],
            "may_add_discipline": can(user, "discipline", "add", cadre.unit),
            "may_change_discipline": can(user, "discipline", "change", cadre.unit),
            "may_delete_discipline": can(user, "discipline", "delete", cadre.unit),
            "bans": rules.BANS}


def panel(user, cadre, request) -> dict:
    """The cadre page's 「任职资格」 tab (``cadres.panels``), for the default target level today."""
    level, as_of = parse_query({}, cadre, user)
    return context_for(user, cadre, level, as_of)


class EligibilityView(generic.ObjectView):
    """The conditions for a target level (``cadre.view``): fragment for HTMX, else a page."""

    url_name = "cadres:eligibility"
    model = "cadres.Cadre"
    get_selector = cadre_get
    not_found = NOT_FOUND
    template_name = "cadres/eligibility/page.html"

    def get(self, request, *args, **kwargs):
        cadre = self.get_object()
        level, as_of = parse_query(request.GET, cadre, self.user)
        context = {"p": context_for(self.user, cadre, level, as_of), "object": cadre}
        template = "cadres/eligibility/_conditions.html" if request.headers.get("HX-Request") else self.template_name
        return render(request, template, context)


class SupervisionAdd(generic.ObjectActionView):
    """登记处理处分记录 (``discipline.add`` on the cadre's unit)."""

    url_name = "cadres:supervision_add"
    model = "cadres.SupervisionRecord"
    object_model = "cadres.Cadre"
    label = "discipline"
    action = "add"
    get_selector = cadre_for_discipline
    not_found = NOT_FOUND
    form_class = SupervisionForm
    template_name = "cadres/eligibility/form.html"
    context_object_name = "cadre"

    def get_initial(self, cadre) -> dict:
        return {}

    def perform(self, form, cadre):
        d = form.cleaned_data
        return services.supervision_record_create(user=self.user, cadre=cadre.pk, kind=d["kind"],
                                                  decided_date=d["decided_date"], document_number=d["document_number"],
                                                  reason=d["reason"])

    def success_message(self, cadre, record, form) -> str:
        return f"已登记「{cadre.person.name}」的{SUPERVISION_KIND.label(record.kind)}记录。"

    def success_url(self, cadre, record) -> str:
        return reverse("cadres:eligibility", kwargs={"pk": cadre.pk})

    def get_extra_context(self, cadre, form, errors) -> dict:
        return {"title": "登记处理处分记录", "cadre": cadre}


class SupervisionEdit(generic.ObjectEditView):
    """更正处理处分记录 (``discipline.change``)."""

    url_name = "cadres:supervision_edit"
    model = "cadres.SupervisionRecord"
    get_selector = record_get
    not_found = RECORD_NOT_FOUND
    form_class = SupervisionEditForm
    template_name = "cadres/eligibility/form.html"
    context_object_name = "record"

    def get_initial(self, record) -> dict:
        return {"version": record.version, "kind": record.kind, "decided_date": record.decided_date,
                "document_number": record.document_number, "reason": record.reason}

    def perform(self, form, record):
        d = dict(form.cleaned_data)
        version = d.pop("version")
        return services.supervision_record_update(user=self.user, record=record.pk, expected_version=version, changes=d)

    def success_message(self, record, row, form) -> str:
        return "已更正处理处分记录。"

    def success_url(self, record, row) -> str:
        return reverse("cadres:eligibility", kwargs={"pk": record.cadre_id})

    def get_extra_context(self, record, form, errors) -> dict:
        return {"title": "更正处理处分记录", "cadre": record.cadre}


class SupervisionDelete(generic.ObjectDeleteView):
    """删除处理处分记录 (``discipline.delete``; a reason is required and audited)."""

    url_name = "cadres:supervision_delete"
    model = "cadres.SupervisionRecord"
    get_selector = record_get
    not_found = RECORD_NOT_FOUND
    form_class = SupervisionDeleteForm
    template_name = "cadres/eligibility/form.html"
    context_object_name = "record"

    def get_initial(self, record) -> dict:
        return {"version": record.version}

    def perform(self, form, record):
        d = form.cleaned_data
        return services.supervision_record_delete(user=self.user, record=record.pk, expected_version=d["version"],
                                                  reason=d["reason"])

    def success_message(self, record, result, form) -> str:
        return "已删除处理处分记录。"

    def success_url(self, record, result) -> str:
        return reverse("cadres:eligibility", kwargs={"pk": record.cadre_id})

    def get_extra_context(self, record, form, errors) -> dict:
        return {"title": f"删除处理处分记录：{SUPERVISION_KIND.label(record.kind)}（{record.decided_date:%Y-%m-%d}）",
                "cadre": record.cadre}
