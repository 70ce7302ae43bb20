"""后备干部 pages (issue #12 item 7), on the generic views (``core.generic``; each registers itself for the
scope tests). Label ``cadre``; reads through ``cadres.reserve.selectors``; each write is one service call.

- ``cadres:reserve_list`` (``/cadres/reserve/?list=&unit=&target_level=&young=&due=&as_of=&name=``): the pool
  on ``as_of`` in tabs (全部 / 近期使用 / 轮岗锻炼 / 蹲苗培养) with counts, filters, the table (姓名, 单位, 现任职务,
  年龄 on ``as_of``, 拟任方向, 入库时间, 下次复核, 培养措施), the 优秀年轻干部 counts per level, and a search
  (``?q=``) for cadres to enter;
- ``cadres:reserve_xlsx``: the same rows as .xlsx (``cadre.export``);
- ``cadres:reserve_detail`` (``reserve/<pk>/``): an entry with its measures and follow-ups, and the cadre's
  entry/exit history;
- ``cadres:reserve_enter`` (``<cadre pk>/reserve/enter/``, ``cadre.add``), ``cadres:reserve_move`` /
  ``reserve_exit`` / ``reserve_review`` (``reserve/<pk>/…``, ``cadre.change``), ``cadres:reserve_measure_add``
  (``reserve/<pk>/measures/add/``), ``cadres:reserve_measure_follow_up`` (``reserve/measures/<pk>/follow-up/``).
"""

from __future__ import annotations

import io

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from zugong.cadres.choices import POST_LEVEL, RESERVE_LIST
from zugong.cadres.models import Cadre, ReserveCadre
from zugong.cadres.reserve import rules, selectors, services
from zugong.cadres.reserve.filtersets import ReserveFilterSet, unit_in_scope
from zugong.cadres.reserve.forms import EnterForm, ExitForm, FollowUpForm, MeasureForm, MoveForm, ReviewForm
from zugong.cadres.selectors import post_facts
from zugong.core import generic
from zugong.core.dates import age_on
from zugong.core.files import write_xlsx
from zugong.core.scoping import can
from zugong.people import search

NOT_FOUND = "后备干部记录不存在或不在您的数据范围内"
CARRIED = ("list", "unit", "target_level", "young", "due", "as_of", "name")
HEADERS = ("序号", "姓名", "单位", "现任职务", "年龄", "类别", "拟任职务方向", "拟任职务级别", "优秀年轻干部", "入库时间",
           "下次复核时间", "培养措施")


def _list(*, user, action="view"):
    return selectors.reserve_list(user=user, action=action)


def display_rows(entries, as_of, *, user=None) -> list[dict]:
    """The table rows of ``entries`` (a page): each entry with the cadre's 现任职务 (``post_facts`` on
    ``as_of``, 2 queries for the page) and 年龄 (周岁 on ``as_of``)."""
    facts = post_facts([e.cadre for e in entries], as_of, user=user)
    return [{"entry": e, "post_title": facts[e.cadre_id].post_title,
             "age": age_on(e.cadre.person.birth_date, as_of) if e.cadre.person.birth_date else None,
             "target_level": POST_LEVEL.label(e.target_level)} for e in entries]


class ReserveList(generic.ObjectListView):
    """The pool of the user's scope (``cadre.view``) on a date, by list, with the 优秀年轻干部 counts."""

    url_name = "cadres:reserve_list"
    model = "cadres.ReserveCadre"
    list_selector = _list
    filterset_class = ReserveFilterSet
    default_ordering = ("list_kind", "cadre__unit__path", "entered_date", "pk")
    sort_fields = {"entered": ("entered_date", "入库时间"), "review": ("review_date", "下次复核"),
                   "name": ("cadre__person__name", "姓名")}
    carried_filters = CARRIED
    export_url_name = "cadres:reserve_xlsx"
    export_permission = "cadre.export"
    template_name = "cadres/reserve/list.html"

    def _as_of(self, filterset):
        return filterset.as_of_date if filterset is not None and filterset.is_valid() else timezone.localdate()

    def get_rows(self, objects, filterset):
        return display_rows(objects, self._as_of(filterset), user=self.user)

    def get_extra_context(self, filterset, page) -> dict:
        as_of = self._as_of(filterset)
        data = filterset.form.cleaned_data if filterset is not None and filterset.is_valid() else {}
        unit = unit_in_scope(self.user, data.get("unit") or "") if data.get("unit") else None
        pool = selectors.entries_on(selectors.reserve_list(user=self.user), as_of)
        if unit is not None:
            pool = pool.filter(cadre__unit__path__startswith=unit.path)
        counts = dict(pool.order_by().values_list("list_kind").annotate(n=Count("pk")))
        current = self.request.GET.get("list", "")
        params = {k: v for k, v in self.carried().items() if k != "list"}
        tabs = [{"key": "", "label": "全部", "n": sum(counts.values()), "active": not current}]
        tabs += [{"key": k, "label": label, "n": counts.get(k, 0), "active": current == k}
                 for k, label in RESERVE_LIST.entries.items()]
        q = self.request.GET.get("q", "").strip()
        may_add = can(self.user, "cadre", "add")
        candidates = []
        if q and may_add:
            candidates = list(Cadre.objects.restrict(self.user, "add").select_related("person", "unit")
                              .filter(search.search_q(q, user=self.user, prefix="person__"), status="serving")
                              .exclude(Exists(ReserveCadre.objects.filter(cadre_id=OuterRef("pk"), exited_date__isnull=True)))
                              .order_by(search.name_rank(q, "person__"), "person__name", "pk")[:20])
        young = selectors.young_counts(user=self.user, as_of=as_of, unit=unit)
        return {"as_of": as_of, "tabs": tabs, "tab_params": params, "young": young, "young_chart": young_chart(young),
                "young_source": rules.YOUNG_SOURCE, "q": q, "may_add": may_add, "candidates": candidates,
                "levels": POST_LEVEL}


def young_chart(young: list[dict]) -> dict:
    """The ECharts option of the 优秀年轻干部 counts (bars per level; the table beside it holds the numbers)."""
    return {"tooltip": {"trigger": "axis"}, "legend": {"top": 0},
            "grid": {"left": 40, "right": 10, "top": 30, "bottom": 24},
            "xAxis": {"type": "category", "data": [y["label"] for y in young]},
            "yAxis": {"type": "value", "minInterval": 1},
            "series": [{"name": "干部数", "type": "bar", "data": [y["cadres"] for y in young], "itemStyle": {"color": "#9ca3af"}},
                       {"name": "年轻干部", "type": "bar", "data": [y["young"] for y in young], "itemStyle": {"color": "#C8161D"}},
                       {"name": "其中在后备干部库", "type": "bar", "data": [y["young_in_reserve"] for y in young],
                        "itemStyle": {"color": "#f59e0b"}}]}


def reserve_xlsx(*, user, params) -> bytes:
    """The pool of ``user``'s ``cadre.export`` scope on the page's filters (``params``: the query dict), as
    .xlsx (``HEADERS``), ordered like the page."""
    queryset = selectors.reserve_list(user=user, action="export")
    filterset = ReserveFilterSet(params, queryset, user=user)
    if not filterset.is_valid():
        from zugong.core.errors import RowError, ValidationFailed

        raise ValidationFailed([RowError(0, str(k), "；".join(v)) for k, v in filterset.form.errors.items()],
                               message="筛选条件有误")
    entries = list(filterset.qs.order_by("list_kind", "cadre__unit__path", "entered_date", "pk"))
    rows = display_rows(entries, filterset.as_of_date, user=user)
    stream = io.BytesIO()
    write_xlsx(stream, headers=HEADERS, sheet_title="后备干部", rows=[
        (i, r["entry"].cadre.person.name, r["entry"].cadre.unit.name, r["post_title"], r["age"],
         RESERVE_LIST.label(r["entry"].list_kind), r["entry"].target_post, r["target_level"],
         "是" if r["entry"].young_outstanding else "", r["entry"].entered_date, r["entry"].review_date,
         r["entry"].measure_count)
        for i, r in enumerate(rows, start=1)],
        notes=[f"截至 {filterset.as_of_date.isoformat()} 在库的后备干部；年龄为截至该日的周岁。"])
    return stream.getvalue()


class ReserveExport(generic.ExportView):
    """后备干部名单 .xlsx (``cadre.export``), the list page's filters."""

    url_name = "cadres:reserve_xlsx"
    model = "cadres.ReserveCadre"
    label = "cadre"

    def export_kwargs(self) -> dict:
        return {"params": self.request.GET}

    def export(self, *, user, params) -> bytes:
        return reserve_xlsx(user=user, params=params)

    def filename(self, params) -> str:
        return f"后备干部名单_{timezone.localdate():%Y%m%d}.xlsx"


class ReserveDetail(generic.ObjectView):
    """An entry: list, target, dates, measures with follow-ups, and the cadre's history."""

    url_name = "cadres:reserve_detail"
    model = "cadres.ReserveCadre"
    get_selector = selectors.entry_get
    not_found = NOT_FOUND
    template_name = "cadres/reserve/detail.html"
    context_object_name = "entry"

    def get_extra_context(self, entry) -> dict:
        may_change = can(self.user, "cadre", "change", entry.cadre.unit)
        return {"history": selectors.history_of(user=self.user, cadre=entry.cadre),
                "measures": list(entry.measures.all()), "may_change": may_change and entry.exited_date is None,
                "may_follow": may_change,
                "facts": display_rows([entry], timezone.localdate(), user=self.user)[0]}


class _EntryAction(generic.ObjectActionView):
    model = "cadres.ReserveCadre"
    get_selector = selectors.entry_get
    not_found = NOT_FOUND
    template_name = "cadres/reserve/form.html"
    context_object_name = "entry"
    title = ""

    def success_url(self, entry, result) -> str:
        return reverse("cadres:reserve_detail", kwargs={"pk": getattr(result, "pk", entry.pk)})

    def get_extra_context(self, entry, form, errors) -> dict:
        return {"title": self.title, "cadre": entry.cadre, "entry": entry}


class ReserveMove(_EntryAction):
    """调整类别 (``cadre.change``)."""

    url_name = "cadres:reserve_move"
    form_class = MoveForm
    title = "调整后备干部类别"

    def get_initial(self, entry) -> dict:
        return {"version": entry.version, "date": timezone.localdate()}

    def perform(self, form, entry):
        d = form.cleaned_data
        return services.reserve_move(user=self.user, entry=entry.pk, list_kind=d["list_kind"], date=d["date"],
                                     expected_version=d["version"], target_post=d["target_post"] or None,
                                     target_level=d["target_level"] or None, review_date=d["review_date"],
                                     note=d["note"])

    def success_message(self, entry, new, form) -> str:
        return f"已将「{entry.cadre.person.name}」调整至「{RESERVE_LIST.label(new.list_kind)}」。"


class ReserveExit(_EntryAction):
    """出库 (``cadre.change``)."""

    url_name = "cadres:reserve_exit"
    form_class = ExitForm
    title = "后备干部出库"

    def get_initial(self, entry) -> dict:
        return {"version": entry.version, "exited_date": timezone.localdate()}

    def perform(self, form, entry):
        d = form.cleaned_data
        return services.reserve_exit(user=self.user, entry=entry.pk, exited_date=d["exited_date"], reason=d["reason"],
                                     expected_version=d["version"], note=d["note"])

    def success_message(self, entry, row, form) -> str:
        return f"「{entry.cadre.person.name}」已出库。"


class ReserveReview(_EntryAction):
    """复核 (``cadre.change``)."""

    url_name = "cadres:reserve_review"
    form_class = ReviewForm
    title = "后备干部复核"

    def get_initial(self, entry) -> dict:
        return {"version": entry.version, "reviewed_on": timezone.localdate()}

    def perform(self, form, entry):
        d = form.cleaned_data
        return services.reserve_review(user=self.user, entry=entry.pk, review_date=d["review_date"],
                                       reviewed_on=d["reviewed_on"], note=d["note"], expected_version=d["version"])

    def success_message(self, entry, row, form) -> str:
        return f"已记录复核，下次复核时间 {row.review_date.isoformat()}。"


class MeasureAdd(_EntryAction):
    """登记培养措施 (``cadre.change`` on the entry)."""

    url_name = "cadres:reserve_measure_add"
    model = "cadres.ReserveMeasure"
    object_model = "cadres.ReserveCadre"
    form_class = MeasureForm
    title = "登记培养措施"

    def get_initial(self, entry) -> dict:
        return {}

    def perform(self, form, entry):
        d = form.cleaned_data
        return services.measure_add(user=self.user, entry=entry.pk, measure=d["measure"], planned_date=d["planned_date"])

    def success_url(self, entry, measure) -> str:
        return reverse("cadres:reserve_detail", kwargs={"pk": entry.pk})

    def success_message(self, entry, measure, form) -> str:
        return f"已登记培养措施「{measure.measure}」。"


class MeasureFollowUp(generic.ObjectActionView):
    """跟踪了解 a measure (``cadre.change``)."""

    url_name = "cadres:reserve_measure_follow_up"
    model = "cadres.ReserveMeasure"
    get_selector = selectors.measure_get
    not_found = "培养措施不存在或不在您的数据范围内"
    form_class = FollowUpForm
    template_name = "cadres/reserve/form.html"
    context_object_name = "measure"

    def perform(self, form, measure):
        d = form.cleaned_data
        return services.measure_follow_up(user=self.user, measure=measure.pk, follow_up=d["follow_up"],
                                          done_date=d["done_date"], expected_version=d["version"])

    def success_message(self, measure, row, form) -> str:
        return f"已记录「{measure.measure}」的跟踪情况。"

    def success_url(self, measure, row) -> str:
        return reverse("cadres:reserve_detail", kwargs={"pk": measure.reserve_id})

    def get_extra_context(self, measure, form, errors) -> dict:
        return {"title": f"培养措施跟踪：{measure.measure}", "cadre": measure.reserve.cadre, "entry": measure.reserve}


class ReserveEnter(generic.ObjectActionView):
    """入库 a cadre (``cadre.add`` on the cadre's unit)."""

    url_name = "cadres:reserve_enter"
    model = "cadres.ReserveCadre"
    object_model = "cadres.Cadre"
    action = "add"
    get_selector = selectors.cadre_get
    not_found = "干部不存在或不在您的数据范围内"
    form_class = EnterForm
    template_name = "cadres/reserve/form.html"
    context_object_name = "cadre"

    def get_initial(self, cadre) -> dict:
        return {"entered_date": timezone.localdate()}

    def get_notes(self, cadre) -> list[str]:
        existing = services.open_entry_of(cadre.pk)
        return [services._open_problem(existing).reason] if existing is not None else []

    def perform(self, form, cadre):
        d = form.cleaned_data
        return services.reserve_enter(user=self.user, cadre=cadre.pk, list_kind=d["list_kind"],
                                      entered_date=d["entered_date"], target_post=d["target_post"],
                                      target_level=d["target_level"], young_outstanding=d["young_outstanding"],
                                      review_date=d["review_date"], note=d["note"])

    def success_message(self, cadre, entry, form) -> str:
        return f"「{cadre.person.name}」已列入后备干部「{RESERVE_LIST.label(entry.list_kind)}」名单。"

    def success_url(self, cadre, entry) -> str:
        return reverse("cadres:reserve_detail", kwargs={"pk": entry.pk})

    def get_extra_context(self, cadre, form, errors) -> dict:
        return {"title": "后备干部入库", "cadre": cadre, "entry": None}


def panel(user, cadre, request) -> dict:
    """The cadre page's 「后备干部」 tab (``cadres.panels``): the entry/exit history with measures, the open
    entry and the buttons the user may use."""
    history = selectors.history_of(user=user, cadre=cadre)
    current = next((e for e in history if e.exited_date is None), None)
    return {"cadre": cadre, "history": history, "current": current,
            "may_enter": current is None and cadre.status == "serving" and can(user, "cadre", "add", cadre.unit),
            "may_change": current is not None and can(user, "cadre", "change", cadre.unit)}
