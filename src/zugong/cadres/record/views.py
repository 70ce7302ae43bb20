"""Pages of the cadre record (干部信息, issue #12 item 3), on the generic views (``core.generic``; each
registers itself for the generated scope tests). Reads go through ``cadres.record.selectors``; each write
is one service call of ``cadres.record.services`` (400 with the problems by field, 409 for a stale edit,
404 outside the scope).

- ``cadres:cadre_list`` (``/cadres/``): 干部名册 — the unit tree on the left, filters, a dense table
  (姓名, 单位, 现任职务, 性别, 出生年月, 学历, 任现职时间), seek pagination;
- ``cadres:cadre_create`` (``new/``), ``cadres:cadre_detail`` (``<pk>/``: the tabs 基本信息, 学历, 简历,
  家庭成员, 奖惩, 考核, 历史 and those registered by the other parts, ``cadres.panels``),
  ``cadres:cadre_edit``, ``cadres:cadre_status``;
- the photo: ``cadres:cadre_photo`` (the JPEG bytes, scoped), ``cadres:cadre_photo_set``,
  ``cadres:cadre_photo_remove``;
- the child records (学历学位, 简历, 家庭成员, 年度考核): ``cadres:<kind>_add`` (on the cadre),
  ``cadres:<kind>_edit`` and ``cadres:<kind>_delete`` (on the record), and ``cadres:cadre_record_move``
  (上移/下移).
"""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone

from zugong.cadres.choices import CADRE_STATUS
from zugong.cadres.record import selectors, services
from zugong.cadres.record.filtersets import EDUCATION_BANDS, CadreFilterSet
from zugong.cadres.record.forms import (
    CadreCreateForm,
    CadreEditForm,
    ChildForm,
    EmptyForm,
    MoveForm,
    PhotoForm,
    StatusForm,
    VersionForm,
)
from zugong.cadres.selectors import post_facts
from zugong.core import generic
from zugong.core.scoping import can

NOT_FOUND = services.NOT_FOUND
CADRE = "cadres.Cadre"


def _detail(cadre_pk: int, tab: str = "") -> str:
    return reverse("cadres:cadre_detail", kwargs={"pk": cadre_pk}) + (f"#tab-{tab}" if tab else "")


class CadreList(generic.ObjectListView):
    """干部名册 of the user's cadre scope (``cadre.view``), filtered by the unit tree and the filters."""

    url_name = "cadres:cadre_list"
    model = CADRE
    list_selector = selectors.cadre_list
    filterset_class = CadreFilterSet
    sort_fields = {"name": ("person__name", "姓名"), "birth_date": ("person__birth_date", "出生年月"),
                   "unit": ("unit__path", "单位")}
    default_ordering = ("unit__path", "pk")
    carried_filters = ("name", "unit", "status", "sex", "education")
    template_name = "cadres/record/list.html"

    def get_rows(self, objects, filterset):
        facts = post_facts(objects, timezone.localdate(), user=self.user) if objects else {}
        return [{"cadre": c, "facts": facts[c.pk]} for c in objects]

    def get_extra_context(self, filterset, page) -> dict:
        selected = getattr(filterset, "selected_unit", None) if filterset is not None else None
        keep = {k: v for k, v in self.carried().items() if k != "unit"}
        from django.utils.http import urlencode

        return {"tree": selectors.unit_tree(user=self.user, selected=selected), "selected_unit": selected,
                "tree_query": urlencode(keep), "may_add": can(self.user, "cadre", "add"),
                "may_export": can(self.user, "cadre", "export"),  # 导出干部名册 (cadres.structure)
                "education_bands": EDUCATION_BANDS, "statuses": CADRE_STATUS.choices}


class CadreCreate(generic.ObjectCreateView):
    """新增干部 (``cadre.add`` on the unit chosen)."""

    url_name = "cadres:cadre_create"
    model = CADRE
    form_class = CadreCreateForm
    template_name = "cadres/record/form.html"

    def get_initial(self, obj) -> dict:
        return {"unit_code": self.request.GET.get("unit", "")}


    def perform(self, form, obj):
        return services.cadre_create(user=self.user, **form.service_kwargs())

    def success_message(self, obj, cadre, form) -> str:
        return f"已新增干部「{cadre.person.name}」。"

    def success_url(self, obj, cadre) -> str:
        return _detail(cadre.pk)

    def get_extra_context(self, obj, form, errors) -> dict:
        return {"title": "新增干部", "cancel_url": reverse("cadres:cadre_list"),
                "unit_choices": selectors.units_for(user=self.user, action="add")}


class CadreDetail(generic.ObjectView):
    """干部信息 page: the tabs of ``design.md`` and the registered ones."""

    url_name = "cadres:cadre_detail"
    model = CADRE
    get_selector = selectors.cadre_get
    not_found = NOT_FOUND
    template_name = "cadres/record/detail.html"
    context_object_name = "cadre"

    def get_extra_context(self, cadre) -> dict:
        profile = selectors.cadre_profile(user=self.user, cadre=cadre, as_of=timezone.localdate())
        return {"profile": profile, "person": cadre.person, "history": selectors.cadre_history(cadre=cadre),
                "panels": selectors.render_panels(user=self.user, cadre=cadre, request=self.request),
                "action_links": selectors.action_links(user=self.user, cadre=cadre)}


class _CadrePage:
    model = CADRE
    get_selector = selectors.cadre_get
    not_found = NOT_FOUND
    template_name = "cadres/record/form.html"
    context_object_name = "cadre"
    title = ""
    tab = ""

    def success_url(self, cadre, result) -> str:
        return _detail(cadre.pk, self.tab)

    def get_extra_context(self, cadre, form, errors) -> dict:
        return {"title": self.title, "cancel_url": _detail(cadre.pk, self.tab)}


class CadreEdit(_CadrePage, generic.ObjectEditView):
    """编辑干部信息 (``cadre.change``): the person's basic fields and the profile."""

    url_name = "cadres:cadre_edit"
    form_class = CadreEditForm
    title = "编辑干部信息"

    def get_initial(self, cadre) -> dict:
        p = cadre.person
        initial = {"version": cadre.version, "person_version": p.version, "unit_code": cadre.unit.code,
                   "name": p.name, "sex": p.sex, "ethnicity": p.ethnicity, "birth_date": p.birth_date,
                   "education_level": p.education_label, "political_status": p.political_status,
                   "work_start_date": p.work_start_date or ""}
        for key in services.PROFILE_FIELDS:
            value = getattr(cadre, key)
            initial[key] = "" if value is None else value
        return initial

    def perform(self, form, cadre):
        d = form.cleaned_data
        changes = form.posted_changes()
        if not changes.get("phone"):  # the form never shows the stored number: blank = unchanged
            changes.pop("phone", None)
        return services.cadre_update(user=self.user, cadre_id=cadre.pk, expected_version=d["version"],
                                     person_version=d.get("person_version"), changes=changes)

    def success_message(self, cadre, result, form) -> str:
        return f"已保存「{result.person.name}」的干部信息。"


class CadreStatus(_CadrePage, generic.ObjectActionView):
    """变更干部状态 (``cadre.change``)."""

    url_name = "cadres:cadre_status"
    form_class = StatusForm
    title = "变更干部状态"

    def get_initial(self, cadre) -> dict:
        return {"version": cadre.version, "status": cadre.status}

    def perform(self, form, cadre):
        d = form.cleaned_data
        return services.cadre_set_status(user=self.user, cadre_id=cadre.pk, expected_version=d["version"],
                                         status=d["status"], note=d["note"])

    def success_message(self, cadre, result, form) -> str:
        return f"已将「{cadre.person.name}」的干部状态设为「{CADRE_STATUS.label(result.status)}」。"


class PhotoView(generic.ObjectView):
    """The photo's JPEG bytes (``cadre.view`` on the cadre's unit; outside: 404)."""

    url_name = "cadres:cadre_photo"
    model = "cadres.CadrePhoto"
    get_selector = selectors.photo_get
    not_found = "照片不存在或不在您的管理范围内"

    def get(self, request, *args, **kwargs):
        photo = self.get_object()
        response = HttpResponse(bytes(photo.content), content_type="image/jpeg")
        response["Cache-Control"] = "private, max-age=300"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Disposition"] = "inline"
        return response


class PhotoSet(_CadrePage, generic.ObjectActionView):
    """上传照片 (``cadre.change``; JPEG by its bytes, ≤ 2 MB)."""

    url_name = "cadres:cadre_photo_set"
    form_class = PhotoForm
    title = "上传照片"

    def get_form(self, obj):
        if self.request.method == "POST":
            return self.form_class(self.request.POST, self.request.FILES)
        return self.form_class()

    def perform(self, form, cadre):
        return services.cadre_photo_set(user=self.user, cadre_id=cadre.pk, source=form.cleaned_data["photo"])

    def success_message(self, cadre, result, form) -> str:
        return f"已上传「{cadre.person.name}」的照片（{result.width}×{result.height} 像素）。"


class PhotoRemove(_CadrePage, generic.ObjectActionView):
    """删除照片 (``cadre.change``)."""

    url_name = "cadres:cadre_photo_remove"
    form_class = EmptyForm
    title = "删除照片"

    def perform(self, form, cadre):
        return services.cadre_photo_remove(user=self.user, cadre_id=cadre.pk)

    def success_message(self, cadre, result, form) -> str:
        return f"已删除「{cadre.person.name}」的照片。"


class RecordMove(_CadrePage, generic.ObjectActionView):
    """上移/下移 a 学历/简历/家庭成员 row (``cadre.change``)."""

    url_name = "cadres:cadre_record_move"
    form_class = MoveForm
    title = "调整顺序"

    def perform(self, form, cadre):
        d = form.cleaned_data
        self.tab = d["kind"]
        return services.cadre_record_move(user=self.user, cadre_id=cadre.pk, kind=d["kind"], record_id=d["record"],
                                          direction=d["direction"])

    def success_message(self, cadre, result, form) -> str:
        return "已调整顺序。"


# ----- child records ------------------------------------------------------------------------------------------

TAB_OF = {"education": "education", "resume": "resume", "family": "family", "assessment": "assessment"}


def _child_views(kind: str, model_label: str):
    """The add/edit/delete pages of the child records of ``kind`` (``model_label``: its model)."""
    noun = services.KINDS[kind].noun
    get_child = selectors.child_get(kind)

    class Add(_CadrePage, generic.ObjectActionView):
        url_name = f"cadres:{kind}_add"
        model = model_label
        action = "add"
        object_model = CADRE
        form_class = ChildForm
        title = f"新增{noun}"
        tab = TAB_OF[kind]
        get_selector = selectors.cadre_for_assessment if kind == "assessment" else selectors.cadre_get

        def get_form(self, obj):
            data = self.request.POST if self.request.method == "POST" else None
            return ChildForm(data, kind=kind)

        def perform(self, form, cadre):
            return services.cadre_record_add(user=self.user, cadre_id=cadre.pk, kind=kind, values=form.cleaned_data)

        def success_message(self, cadre, result, form) -> str:
            return f"已新增{noun}记录。"

    class Edit(generic.ObjectEditView):
        url_name = f"cadres:{kind}_edit"
        model = model_label
        get_selector = get_child
        form_class = ChildForm
        template_name = "cadres/record/form.html"
        context_object_name = "record"
        not_found = f"{noun}记录不存在或不在您的管理范围内"

        def get_form(self, obj):
            data = self.request.POST if self.request.method == "POST" else None
            initial = {f: ("" if getattr(obj, f) is None else getattr(obj, f)) for f in services.KINDS[kind].fields}
            for f in ("start_date", "end_date", "degree_date", "birth_date"):
                if f in initial and initial[f]:
                    initial[f] = f"{initial[f]:%Y.%m}"
            initial["version"] = obj.version
            initial["_page"] = "1"
            return ChildForm(data, kind=kind, editing=True, initial=initial)

        def perform(self, form, record):
            return services.cadre_record_update(user=self.user, kind=kind, record_id=record.pk,
                                                expected_version=form.cleaned_data["version"],
                                                changes=form.posted_changes())

        def success_message(self, record, result, form) -> str:
            return f"已保存{noun}记录。"

        def success_url(self, record, result) -> str:
            return _detail(record.cadre_id, TAB_OF[kind])

        def get_extra_context(self, record, form, errors) -> dict:
            return {"title": f"编辑{noun}", "cadre": record.cadre, "cancel_url": _detail(record.cadre_id, TAB_OF[kind]),
                    "page_flag": True}

    class Delete(generic.ObjectDeleteView):
        url_name = f"cadres:{kind}_delete"
        model = model_label
        get_selector = get_child
        form_class = VersionForm
        template_name = "cadres/record/form.html"
        context_object_name = "record"
        not_found = f"{noun}记录不存在或不在您的管理范围内"

        def perform(self, form, record):
            return services.cadre_record_delete(user=self.user, kind=kind, record_id=record.pk,
                                                expected_version=form.cleaned_data["version"])

        def success_message(self, record, result, form) -> str:
            return f"已删除{noun}记录。"

        def success_url(self, record, result) -> str:
            return _detail(record.cadre_id, TAB_OF[kind])

        def get_extra_context(self, record, form, errors) -> dict:
            return {"title": f"删除{noun}", "cadre": record.cadre, "cancel_url": _detail(record.cadre_id, TAB_OF[kind]),
                    "confirm": f"确定删除这条{noun}记录吗？删除后可在「历史」中查到删除前的内容。"}

    for cls, suffix in ((Add, "Add"), (Edit, "Edit"), (Delete, "Delete")):
        cls.__name__ = cls.__qualname__ = f"{kind.title()}{suffix}"
    return Add, Edit, Delete


EducationAdd, EducationEdit, EducationDelete = _child_views("education", "cadres.Education")
ResumeAdd, ResumeEdit, ResumeDelete = _child_views("resume", "cadres.ResumeEntry")
FamilyAdd, FamilyEdit, FamilyDelete = _child_views("family", "cadres.FamilyMember")
AssessmentAdd, AssessmentEdit, AssessmentDelete = _child_views("assessment", "cadres.AnnualAssessment")
