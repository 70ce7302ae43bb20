"""Page bases of a tree's record pages (``core.trees``): 新增下级, 编辑, 调整隶属关系, 撤销, 恢复 — each a
``core.generic`` form view whose valid POST is one service call. A tree's page module subclasses them and
names only what differs: the selectors, the words (``noun``: 「组织」, 「单位」; ``parent_field``: 「上级组织」),
the detail page, the service functions and the forms.

Shared by every page of a tree (``TreePage``): the record through ``get_selector`` at the page's action,
``context["ancestors"]`` (``ancestors(obj)``, in-scope breadcrumbs), ``title`` / ``step`` / ``submit``
(``title(obj)`` is 「<step>：<name>」 unless ``title_format`` says otherwise), back to the detail page
(``detail_url_name``) after the service call. The state-change pages call their service with keyword
arguments only: ``<object_kwarg>=obj``, ``user``, ``expected_version`` from the form's ``version``.

Messages (the pages' tests pin them): 「已新增下级组织「…」。」, 「已保存「…」。」, 「已将「…」（含下级组织）调整到
「…」之下。」, 「已撤销「…」。」, 「该组织已撤销。」 (dissolve page of a dissolved record: back to its page),
「已恢复「…」。」.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse

from zugong.core import generic
from zugong.core.errors import RowError, ValidationFailed
from zugong.core.scoping import can


def record_actions(user, node, *, may_add: Callable[[], bool]) -> dict:
    """Which buttons a tree record's page shows (the pages check again), by the node's ``data_label``:
    ``add`` (新增下级: active and ``may_add()``, the subtree grant and the tree's own rule), ``change``,
    ``move`` (not a root), ``dissolve`` (active) and ``reactivate`` (dissolved)."""
    label = node.data_label
    active = node.status == "active"
    return {
        "add": active and may_add(),
        "change": active and can(user, label, "change", node),
        "move": active and can(user, label, "change", node) and node.depth > 1,
        "dissolve": active and can(user, label, "delete", node),
        "reactivate": not active and can(user, label, "delete", node),
    }


class TreeRecordForm(forms.Form):
    """Base of a tree record's form (新增下级 / 编辑): ``code`` (the stable external key) only when
    ``creating``, the hidden ``version`` (optimistic lock) only when editing; ``changes()`` are the
    editable ``FIELDS`` as the services take them. Subclasses declare ``version``, ``code`` and the
    fields; the forms only parse — the rules are in the services and validators."""

    FIELDS: tuple[str, ...] = ()

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["code"]
            self.fields["version"].required = True
        else:
            del self.fields["version"]

    def changes(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in self.FIELDS}


class TreePage:
    """Mixin of a tree's record pages (before the ``core.generic`` view in the bases)."""

    noun = ""  # 「组织」, 「单位」
    parent_field = ""  # 「上级组织」, 「上级单位」
    detail_url_name = ""  # "orgs:detail"
    object_kwarg = ""  # the services' keyword for the record: "organization", "unit"
    step = ""
    submit = "保存"
    title_format = "{step}：{name}"

    def ancestors(self, obj) -> list:
        """The in-scope ancestors of ``obj`` for the breadcrumbs (a selector call)."""
        return []

    def title(self, obj) -> str:
        return self.title_format.format(step=self.step, name=obj.name, noun=self.noun)

    def page_context(self, obj, errors) -> dict:
        """Context of one page beyond the shared keys."""
        return {}

    def success_url(self, obj, result) -> str:
        return reverse(self.detail_url_name, kwargs={"pk": getattr(result, "pk", None) or obj.pk})

    def get_extra_context(self, obj, form, errors) -> dict:
        return {"ancestors": self.ancestors(obj), "title": self.title(obj), "step": self.step, "submit": self.submit,
                **self.page_context(obj, errors)}

    def call(self, service: Callable, obj, **kwargs):
        """``service(user=…, <object_kwarg>=obj, **kwargs)`` (read from the class: a plain function)."""
        return service(user=self.user, **{self.object_kwarg: obj}, **kwargs)


class TreeCreateChildPage(TreePage, generic.ObjectCreateView):
    """新增下级<noun> under ``pk``: ``add`` through a *subtree* grant on the parent (else 404, the new
    record would be outside the creator's scope); the form gets ``creating=True``."""

    object_arg = "pk"

    def covers_subtree(self, parent, action: str) -> bool:
        """True if a subtree grant of ``action`` covers ``parent`` (a selector call)."""
        raise NotImplementedError

    def get_object(self):
        parent = super().get_object()
        if not self.covers_subtree(parent, "add"):
            raise Http404(self.not_found)
        return parent

    def get_initial(self, parent) -> dict:
        return {}

    def get_form_kwargs(self, parent) -> dict:
        return {"creating": True}

    def success_message(self, parent, node, form) -> str:
        return f"已新增下级{self.noun}「{node.name}」。"


class TreeEditPage(TreePage, generic.ObjectEditView):
    """编辑<noun> (``change``); a stale version is a 409 naming who changed what. The form gets
    ``creating=False`` and its ``changes()`` go to ``update_service``."""

    update_service: Callable | None = None

    def get_form_kwargs(self, node) -> dict:
        return {"creating": False}

    def perform(self, form, node):
        return self.call(type(self).update_service, node, expected_version=form.cleaned_data["version"],
                         changes=form.changes())

    def success_message(self, node, result, form) -> str:
        return f"已保存「{form.cleaned_data['name']}」。"


class TreeMovePage(TreePage, generic.ObjectActionView):
    """调整隶属关系 (with the subtree, ``change``): the new parent by code (``parent_ref(form)``) found by
    ``parent_by_code(code)`` in the ``change`` scope (else 「<parent_field>「…」不存在或不在您的管理范围内」),
    then ``move_service``."""

    move_service: Callable | None = None
    step = "调整隶属关系"
    submit = "确认调整"

    def parent_ref(self, form) -> str:
        return form.cleaned_data["new_parent"].strip()

    def parent_by_code(self, code: str):
        raise NotImplementedError

    def perform(self, form, node):
        ref = self.parent_ref(form)
        target = self.parent_by_code(ref) if ref else None
        if target is None:
            reason = (f"请选择新的{self.parent_field}" if not ref else
                      f"{self.parent_field}「{ref}」不存在或不在您的管理范围内")
            raise ValidationFailed([RowError(0, self.parent_field, reason)])
        self.call(type(self).move_service, node, new_parent=target, expected_version=form.cleaned_data["version"])
        return target

    def success_message(self, node, target, form) -> str:
        return f"已将「{node.name}」（含下级{self.noun}）调整到「{target.name}」之下。"

    def success_url(self, node, result) -> str:
        return reverse(self.detail_url_name, kwargs={"pk": node.pk})


class TreeDissolvePage(TreePage, generic.ObjectDeleteView):
    """撤销<noun> (date + reason, ``delete``) through ``dissolve_service``; a dissolved record goes back to
    its page (「该<noun>已撤销。」); on GET the page lists what blocks the dissolution (``blockers(node)``:
    the service's refusal reasons)."""

    dissolve_service: Callable | None = None
    step = "撤销"
    submit = "确认撤销"

    def blockers(self, node) -> list:
        return []

    def precheck(self, node):
        if node.status == "dissolved":
            messages.error(self.request, f"该{self.noun}已撤销。")
            return redirect(self.detail_url_name, pk=node.pk)
        return None

    def perform(self, form, node):
        data = form.cleaned_data
        return self.call(type(self).dissolve_service, node, date=data["date"], reason=data["reason"],
                         expected_version=data["version"])

    def success_message(self, node, result, form) -> str:
        return f"已撤销「{node.name}」。"

    def success_url(self, node, result) -> str:
        return reverse(self.detail_url_name, kwargs={"pk": node.pk})

    def get_extra_context(self, node, form, errors) -> dict:
        blockers = [] if errors else [p.reason for p in self.blockers(node)]
        return {**super().get_extra_context(node, form, errors), "blockers": blockers}


class TreeReactivatePage(TreePage, generic.ObjectActionView):
    """恢复已撤销的<noun> (confirm page, then POST; ``delete``) through ``reactivate_service``."""

    action = "delete"
    reactivate_service: Callable | None = None
    step = "恢复"
    submit = "确认恢复"

    def perform(self, form, node):
        return self.call(type(self).reactivate_service, node, expected_version=form.cleaned_data["version"])

    def success_message(self, node, result, form) -> str:
        return f"已恢复「{node.name}」。"

    def success_url(self, node, result) -> str:
        return reverse(self.detail_url_name, kwargs={"pk": node.pk})
