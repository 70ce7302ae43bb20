"""Pages of posts, quotas and appointments (generic views of ``zugong.core.generic``; every read through
``cadres.posts.selectors``, every write one service of ``cadres.posts.services``).

- ``cadres:quota_table`` — 干部配备一览表 (units of a subtree × levels as of a date) and its ``.xlsx``
  (``cadres:quota_table_xlsx``);
- ``cadres:post_list`` — 职务岗位 of the scope; ``cadres:unit_posts`` — a unit's 职务与职数 page (posts with
  holders and vacancies, quotas, establishment);
- forms: ``post_create`` / ``post_edit`` / ``post_close``, ``quota_set``, ``establishment_set``,
  ``post_appoint`` (任职 from the post), ``cadre_appoint`` (任职 from the cadre), ``appointment_remove`` (免职),
  ``appointment_edit`` (更正), ``rank_set`` (职级);
- ``appointments_panel``: the 任免记录 tab of the cadre page (``cadres.panels``).
"""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import urlencode

from zugong.cadres.choices import LEVEL_ORDER, POST_LEVEL
from zugong.cadres.posts import forms as f
from zugong.cadres.posts import selectors as sel
from zugong.cadres.posts import services
from zugong.cadres.posts.exporters import quota_table_xlsx
from zugong.cadres.selectors import cadres_in_scope
from zugong.core import generic
from zugong.core.errors import ValidationFailed
from zugong.core.scoping import can

UNIT = "orgs.Unit"
POST = "cadres.Post"
APPOINTMENT = "cadres.Appointment"
CADRE = "cadres.Cadre"
T = "cadres/posts/"


def _as_of(request):
    """The ``?as_of=`` date (default: the reference date while the demo is installed —
    ``core.registry.reference_date`` — else today) and the error text of an unreadable one."""
    from zugong.core.registry import reference_date

    today = reference_date()[0] or timezone.localdate()
    try:
        return sel.parse_as_of(request.GET.get("as_of", ""), today), ""
    except ValidationFailed as exc:
        return today, exc.message


def _unit_selector(*, user, pk, action):
    return sel.unit_in_scope(user=user, pk=pk, action=action)


def _cadre_selector(*, user, pk, action):
    try:
        return cadres_in_scope(user, action).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        return None


def cadre_url(cadre) -> str:
    """The cadre's profile page (``cadres:cadre_detail`` of the record part), else its unit's posts page."""
    try:
        return reverse("cadres:cadre_detail", args=[cadre.pk]) + "#tab-appointments"
    except NoReverseMatch:
        return reverse("cadres:unit_posts", args=[cadre.unit_id])


def _units_for_select(user):
    """The units offered in the subtree selector: the top three levels of the scope (tree order)."""
    units = sel.units_in_scope(user=user)
    top = units.order_by("depth").values_list("depth", flat=True).first()
    if top is None:
        return []
    rows = list(units.filter(depth__lte=top + 2).values("code", "name", "depth"))
    for row in rows:
        row["indent"] = "\u3000" * (row["depth"] - top)
    return rows


# ----- the 干部配备一览表 -----------------------------------------------------------------------------------------


def quota_units(*, user, action: str = "view"):
    """The rows of the quota table page: the units of the scope (label ``cadre``)."""
    return sel.units_in_scope(user=user, action=action)


class QuotaTableView(generic.ObjectListView):
    """干部配备一览表: ``?org=<单位代码>`` (the subtree; default the whole scope, a unit outside it is a 404),
    ``?as_of=YYYY-MM-DD`` (default today). One row per unit (tree order, 100 per page), per level 职数 /
    实配 / 超配 / 空缺, 超配 cells red and 空缺 cells amber, totals of the whole subtree."""

    url_name = "cadres:quota_table"
    model = UNIT
    label = "cadre"
    object_param = "org"
    template_name = T + "quota_table.html"
    list_selector = quota_units
    default_ordering = ("path",)
    page_sizes = (50, 100, 200, 500)
    default_page_size = 100
    carried_filters = ("org", "as_of", "all")
    export_url_name = "cadres:quota_table_xlsx"
    export_permission = "cadre.export"

    def root(self):
        if not hasattr(self, "_root"):
            self._root = sel.root_or_404(user=self.user, code=self.request.GET.get("org", ""))
        return self._root

    def get_queryset(self):
        rows = super().get_queryset()
        root = self.root()
        rows = rows.filter(path__startswith=root.path) if root is not None else rows
        # by default only the units with posts or quotas (``?all=1``: every unit of the subtree)
        return rows if self.request.GET.get("all") else sel.units_with_posts(rows)

    def get_rows(self, objects, filterset):
        day, _ = _as_of(self.request)
        self.table = sel.quota_table(user=self.user, day=day, root=self.root())
        top = min((u["depth"] for u in self.table.units), default=1)
        rows = []
        for unit in objects:
            cells = self.table.cells.get(unit.pk, {})
            rows.append({"unit": unit, "cells": [cells.get(level) for level in self.table.levels],
                         # the page's CSP forbids inline styles: the subtree depth as ideographic spaces
                         "indent": "\u3000" * (unit.depth - top)})
        return rows

    def get_extra_context(self, filterset, page) -> dict:
        day, error = _as_of(self.request)
        totals = self.table.totals()
        return {"day": day, "as_of_error": error, "root": self.root(), "units": _units_for_select(self.user),
                "levels": [(lv, POST_LEVEL.label(lv)) for lv in self.table.levels],
                "totals": [totals[lv] for lv in self.table.levels], "unit_count": len(self.table.units),
                "over_units": sum(1 for row in self.table.cells.values() if any(c.over for c in row.values())),
                "may_export": can(self.user, "cadre", "export")}


class QuotaTableXlsxView(generic.ExportView):
    """The 干部配备一览表 as ``.xlsx`` (same parameters as the page; ``cadre.export``, audited)."""

    url_name = "cadres:quota_table_xlsx"
    model = UNIT
    label = "cadre"
    object_param = "org"

    def export_kwargs(self) -> dict:
        root = sel.root_or_404(user=self.user, code=self.request.GET.get("org", ""))
        day = sel.parse_as_of(self.request.GET.get("as_of", ""), timezone.localdate())
        return {"root": root, "day": day}

    def export(self, *, user, root, day) -> bytes:
        units = sel.subtree_units(user=user, root=root, action="export")
        table = sel.quota_table(user=user, day=day, units=units)
        title = f"{root.name if root else '管辖范围'}干部配备一览表"
        return quota_table_xlsx(user=user, table=table, title=title)

    def filename(self, params: dict) -> str:
        root = params["root"]
        return f"干部配备一览表_{root.code if root else '全部'}_{params['day'].isoformat()}.xlsx"


# ----- posts ---------------------------------------------------------------------------------------------------


def post_rows(*, user, action: str = "view"):
    """The rows of the post list: the posts of the scope, in tree order."""
    return sel.post_list(user=user, action=action).order_by("unit__path", "position", "id")


class PostListView(generic.ObjectListView):
    """职务岗位: every post of the scope with its current holders (``?as_of=``), vacancies marked."""

    url_name = "cadres:post_list"
    model = POST
    template_name = T + "post_list.html"
    list_selector = post_rows
    default_ordering = ("unit__path", "position", "id")
    carried_filters = ("as_of",)

    def get_rows(self, objects, filterset):
        day, _ = _as_of(self.request)
        held = sel.holders_by_post(user=self.user, posts=objects, day=day)
        rows = []
        for post in objects:
            exists = post.start_date <= day and (post.end_date is None or post.end_date > day)
            holders = held.get(post.pk, [])
            rows.append({"post": post, "holders": holders, "exists": exists,
                         "vacant": exists and len(holders) < post.max_holders,
                         "vacancies": max(post.max_holders - len(holders), 0) if exists else 0})
        return rows

    def get_extra_context(self, filterset, page) -> dict:
        day, error = _as_of(self.request)
        return {"day": day, "as_of_error": error}


class UnitPostsView(generic.ObjectView):
    """A unit's 职务与职数: posts existing on ``?as_of=`` with holders and vacancies, the quotas and the
    establishment (every period, the one in force marked), the unit's row of the quota table, and the links
    to add or change them."""

    url_name = "cadres:unit_posts"
    model = UNIT
    label = "cadre"
    get_selector = _unit_selector
    template_name = T + "unit_posts.html"
    context_object_name = "unit"
    not_found = sel.NOT_FOUND_UNIT

    def get_extra_context(self, unit) -> dict:
        day, error = _as_of(self.request)
        units = sel.subtree_units(user=self.user).filter(pk=unit.pk)
        table = sel.quota_table(user=self.user, day=day, units=units)
        cells = table.cells.get(unit.pk, {})
        posts = sel.posts_with_holders(user=self.user, day=day, units=units)
        return {"day": day, "as_of_error": error, "posts": posts,
                "cells": [(POST_LEVEL.label(lv), cells[lv]) for lv in sorted(cells, key=LEVEL_ORDER.index)],
                "quotas": sel.quotas_of(user=self.user, unit=unit, day=day),
                "establishments": sel.establishments_of(user=self.user, unit=unit, day=day),
                "may_change": can(self.user, "cadre", "change", unit), "may_add": can(self.user, "cadre", "add", unit)}


class _Form:
    """Common context of the posts forms: ``title`` and the back link."""

    title = ""
    template_name = T + "form.html"

    def back_url(self, obj) -> str:
        raise NotImplementedError

    def get_extra_context(self, obj, form, errors) -> dict:
        return {"title": self.title, "back_url": self.back_url(obj), "subject": self.subject(obj)}

    def subject(self, obj) -> str:
        return str(obj) if obj is not None else ""


class PostCreateView(_Form, generic.ObjectCreateView):
    """设立职务岗位 in the unit of the URL (``cadre.add``)."""

    url_name = "cadres:post_create"
    model = POST
    object_arg = "unit"
    object_model = UNIT
    get_selector = _unit_selector
    form_class = f.PostForm
    title = "设立职务岗位"

    def get_initial(self, obj):
        return {"max_holders": 1, "leadership": True, "counts_against_quota": True, "position": 0}

    def perform(self, form, obj):
        d = form.cleaned_data
        return services.post_create(user=self.user, unit=obj, name=d["name"], level=d["level"], start_date=d["start_date"],
                                    leadership=d["leadership"], counts_against_quota=d["counts_against_quota"],
                                    max_holders=d["max_holders"], post_code=d["post_code"], position=d["position"] or 0,
                                    note=d["note"])

    def back_url(self, obj):
        return reverse("cadres:unit_posts", args=[obj.pk])

    def success_message(self, obj, result, form):
        return f"已设立职务岗位「{result.name}」。"

    def success_url(self, obj, result):
        return self.back_url(obj)


def _post_selector(*, user, pk, action):
    return sel.post_get(user=user, pk=pk, action=action)


class PostEditView(_Form, generic.ObjectEditView):
    """更正职务岗位 (``cadre.change``; optimistic lock)."""

    url_name = "cadres:post_edit"
    model = POST
    get_selector = _post_selector
    form_class = f.PostEditForm
    title = "更正职务岗位"

    def get_initial(self, obj):
        return {name: getattr(obj, name) for name in services.POST_FIELDS} | {"version": obj.version,
                                                                            "start_date": obj.start_date.isoformat()}

    def perform(self, form, obj):
        d = dict(form.cleaned_data)
        version = d.pop("version")
        d["position"] = d["position"] or 0
        return services.post_edit(user=self.user, post=obj, expected_version=version, changes=d)

    def back_url(self, obj):
        return reverse("cadres:unit_posts", args=[obj.unit_id])

    def success_url(self, obj, result):
        return self.back_url(obj)


class PostCloseView(_Form, generic.ObjectActionView):
    """撤销职务岗位 (``cadre.change``): refused while someone holds it after the date."""

    url_name = "cadres:post_close"
    model = POST
    get_selector = _post_selector
    form_class = f.PostCloseForm
    title = "撤销职务岗位"

    def perform(self, form, obj):
        d = form.cleaned_data
        return services.post_close(user=self.user, post=obj, end_date=d["end_date"], reason=d["reason"],
                                   expected_version=d["version"])

    def back_url(self, obj):
        return reverse("cadres:unit_posts", args=[obj.unit_id])

    def success_message(self, obj, result, form):
        return f"已撤销职务岗位「{result.name}」。"

    def success_url(self, obj, result):
        return self.back_url(obj)


class QuotaSetView(_Form, generic.ObjectCreateView):
    """核定领导职数 of the unit of the URL (``cadre.add``): from the date on, ending the previous one."""

    url_name = "cadres:quota_set"
    model = "cadres.PostQuota"
    object_arg = "unit"
    object_model = UNIT
    get_selector = _unit_selector
    form_class = f.QuotaForm
    title = "核定领导职数"

    def perform(self, form, obj):
        return services.quota_set(user=self.user, unit=obj, **form.cleaned_data)

    def back_url(self, obj):
        return reverse("cadres:unit_posts", args=[obj.pk])

    def success_message(self, obj, result, form):
        return f"已核定{POST_LEVEL.label(result.level)}职数 {result.count}（自 {result.start_date.isoformat()}）。"

    def success_url(self, obj, result):
        return self.back_url(obj)


class EstablishmentSetView(QuotaSetView):
    """核定编制 of the unit of the URL (``cadre.add``)."""

    url_name = "cadres:establishment_set"
    model = "cadres.Establishment"
    form_class = f.EstablishmentForm
    title = "核定编制"

    def perform(self, form, obj):
        return services.establishment_set(user=self.user, unit=obj, **form.cleaned_data)

    def success_message(self, obj, result, form):
        return f"已核定{result.get_establishment_type_display()}编制 {result.count}（自 {result.start_date.isoformat()}）。"


# ----- appointments and ranks --------------------------------------------------------------------------------------


def _appointment_kwargs(d: dict) -> dict:
    return {"start_date": d["start_date"], "end_date": d["end_date"] or None,
            "appointment_document": d["appointment_document"], "appointment_reason": d["appointment_reason"],
            "method": d["method"], "probation_months": d["probation_months"], "concurrent": d["concurrent"]}


class PostAppointView(_Form, generic.ObjectActionView):
    """任职 from a post's page: choose a cadre of the scope (``cadre.add`` on the post's unit)."""

    url_name = "cadres:post_appoint"
    model = POST
    action = "add"
    get_selector = _post_selector
    form_class = f.PostAppointForm
    title = "任职"

    def get_form_kwargs(self, obj):
        return {"cadres": cadres_in_scope(self.user, "change").order_by("unit__path", "person__name")}

    def perform(self, form, obj):
        d = form.cleaned_data
        return services.appointment_create(user=self.user, post=obj, cadre=d["cadre"], **_appointment_kwargs(d))

    def subject(self, obj):
        return f"{obj.unit.name} {obj.name}（{POST_LEVEL.label(obj.level)}）"

    def back_url(self, obj):
        return reverse("cadres:unit_posts", args=[obj.unit_id])

    def success_message(self, obj, result, form):
        return f"已登记任职：{result.cadre.person.name} 任{obj.name}。"

    def success_url(self, obj, result):
        return self.back_url(obj)


class CadreAppointView(_Form, generic.ObjectActionView):
    """任职 from a cadre's page: choose a post existing in the actor's ``cadre.add`` scope."""

    url_name = "cadres:cadre_appoint"
    model = CADRE
    action = "change"
    get_selector = _cadre_selector
    form_class = f.CadreAppointForm
    title = "任职"

    def get_form_kwargs(self, obj):
        posts = sel.post_list(user=self.user, action="add").filter(end_date__isnull=True)
        return {"posts": posts.order_by("unit__path", "position", "id")}

    def perform(self, form, obj):
        d = form.cleaned_data
        return services.appointment_create(user=self.user, cadre=obj, post=d["post"], **_appointment_kwargs(d))

    def subject(self, obj):
        return f"{obj.person.name}（{obj.unit.name}）"

    def back_url(self, obj):
        return cadre_url(obj)

    def success_message(self, obj, result, form):
        return f"已登记任职：{obj.person.name} 任{result.post.unit.name}{result.post.name}。"

    def success_url(self, obj, result):
        return self.back_url(obj)


def _appointment_selector(*, user, pk, action):
    return sel.appointment_get(user=user, pk=pk, action=action)


class AppointmentRemoveView(_Form, generic.ObjectActionView):
    """免职 (``cadre.change`` on the post's unit)."""

    url_name = "cadres:appointment_remove"
    model = APPOINTMENT
    get_selector = _appointment_selector
    form_class = f.AppointmentRemoveForm
    title = "免职"

    def perform(self, form, obj):
        d = form.cleaned_data
        return services.appointment_remove(user=self.user, appointment=obj, end_date=d["end_date"],
                                           removal_document=d["removal_document"], removal_reason=d["removal_reason"],
                                           expected_version=d["version"])

    def subject(self, obj):
        return f"{obj.cadre.person.name} · {obj.post.unit.name}{obj.post.name}（{obj.start_date.isoformat()} 任职）"

    def back_url(self, obj):
        return reverse("cadres:unit_posts", args=[obj.post.unit_id])

    def success_message(self, obj, result, form):
        return f"已登记免职：{obj.cadre.person.name} 自 {result.end_date.isoformat()} 不再担任{obj.post.name}。"

    def success_url(self, obj, result):
        return self.back_url(obj)


class AppointmentEditView(AppointmentRemoveView):
    """更正任免记录 (``cadre.change``; optimistic lock; the same rules as 任职)."""

    url_name = "cadres:appointment_edit"
    kind = "edit"
    form_class = f.AppointmentEditForm
    title = "更正任免记录"

    def get_initial(self, obj):
        fields = ("appointment_document", "removal_document", "appointment_reason", "removal_reason", "method",
                  "probation_months", "concurrent")
        return {name: getattr(obj, name) for name in fields} | {
            "version": obj.version, "start_date": obj.start_date.isoformat(),
            "end_date": obj.end_date.isoformat() if obj.end_date else ""}

    def perform(self, form, obj):
        d = dict(form.cleaned_data)
        version = d.pop("version")
        return services.appointment_edit(user=self.user, appointment=obj, expected_version=version, changes=d)

    def success_message(self, obj, result, form):
        return "已更正任免记录。"


class RankSetView(_Form, generic.ObjectActionView):
    """确定职级 of a cadre (``cadre.change``): the previous rank ends on the date."""

    url_name = "cadres:rank_set"
    model = CADRE
    get_selector = _cadre_selector
    form_class = f.RankForm
    title = "确定职级"

    def perform(self, form, obj):
        return services.rank_set(user=self.user, cadre=obj, **form.cleaned_data)

    def subject(self, obj):
        return f"{obj.person.name}（{obj.unit.name}）"

    def back_url(self, obj):
        return cadre_url(obj)

    def success_message(self, obj, result, form):
        return f"已登记职级：{obj.person.name} 自 {result.start_date.isoformat()} 起任{result.get_rank_display()}。"

    def success_url(self, obj, result):
        return self.back_url(obj)


# ----- the cadre page's tab ------------------------------------------------------------------------------------


def appointments_panel(user, cadre, request) -> dict:
    """The 任免记录 tab (``cadres.panels``): the cadre's appointments to posts of the user's scope and rank
    history (latest first), the facts as of today (``post_facts``), and whether the user may change them."""
    from zugong.cadres.selectors import post_facts

    history = sel.cadre_history(user=user, cadre=cadre)
    today = timezone.localdate()
    return {**history, "facts": post_facts([cadre], today, user=user)[cadre.pk], "today": today,
            "may_change": can(user, "cadre", "change", cadre.unit),
            "appoint_url": reverse("cadres:cadre_appoint", args=[cadre.pk]),
            "rank_url": reverse("cadres:rank_set", args=[cadre.pk])}


def quota_table_link(root=None, day=None) -> str:
    """The URL of the quota table of ``root`` as of ``day`` (for links from other pages)."""
    params = {}
    if root is not None:
        params["org"] = root.code
    if day is not None:
        params["as_of"] = day.isoformat()
    return reverse("cadres:quota_table") + (f"?{urlencode(params)}" if params else "")

