"""API of a tree's records (``core.trees``): the write side every tree viewset shares — create under a
parent named by code, ``PATCH`` with ``version``, and ``POST …/{id}/move/``, ``…/dissolve/``,
``…/reactivate/`` — each one service call, the same the pages make (``core.tree_views``).

``tree_actions(...)`` builds the mixin for one tree (the OpenAPI words and serializers are per tree, so
the routes are made per call); the viewset puts it before ``core.api.ScopedModelViewSet`` and names the
services (``create_service``, ``update_service``, ``move_service``, ``dissolve_service``,
``reactivate_service``), ``object_kwarg`` (the services' keyword for the record: ``"organization"``),
``parent_field`` (「上级组织」) and ``parent_by_code(code, action)`` (a scoped selector call).

Errors: a parent outside the ``add`` scope on create → 404 「<parent_field>不存在或不在您的数据范围内。」;
a new parent outside the ``change`` scope on move → 400 on ``parent_field`` 「<parent_field>「…」不存在或不在您的
管理范围内」; the services' own refusals (400 by field, 404 out of scope, 409 stale ``version``).
"""

from __future__ import annotations

from collections.abc import Callable

from zugong.core.api import scoped_action
from zugong.core.errors import OutOfScope, RowError, ValidationFailed


def tree_actions(*, move_input, dissolve_input, version_input, output, move_summary: str, move_description: str,
                 dissolve_summary: str, dissolve_description: str, reactivate_summary: str,
                 reactivate_description: str) -> type:
    """A mixin class with ``create_object``, ``update_object`` and the routes ``move`` (``change``),
    ``dissolve`` and ``reactivate`` (``delete``), documented with the given serializers and words."""

    class TreeActions:
        parent_field = ""
        object_kwarg = ""
        create_service: Callable | None = None
        update_service: Callable | None = None
        move_service: Callable | None = None
        dissolve_service: Callable | None = None
        reactivate_service: Callable | None = None

        def parent_by_code(self, code: str, action: str):
            """The node with 代码 ``code`` in the request user's ``action`` scope, or ``None``."""
            raise NotImplementedError

        def call(self, service: Callable, obj, **kwargs):
            """``service(user=…, <object_kwarg>=obj, **kwargs)``."""
            return service(user=self.request.user, **{self.object_kwarg: obj}, **kwargs)

        def create_object(self, data):
            parent = self.parent_by_code(data.pop("parent_code"), "add")
            if parent is None:
                raise OutOfScope(f"{self.parent_field}不存在或不在您的数据范围内。")
            return type(self).create_service(user=self.request.user, parent=parent, **data)

        def update_object(self, obj, *, expected_version, changes):
            return self.call(type(self).update_service, obj, expected_version=expected_version, changes=changes)

        @scoped_action(scope="change", input=move_input, output=output, summary=move_summary,
                       description=move_description)
        def move(self, request, obj, data):
            code = data["new_parent_code"]
            target = self.parent_by_code(code, "change")
            if target is None:
                reason = f"{self.parent_field}「{code}」不存在或不在您的管理范围内"
                raise ValidationFailed([RowError(0, self.parent_field, reason)], message=f"「{self.parent_field}」：{reason}")
            return self.call(type(self).move_service, obj, new_parent=target, expected_version=data["version"])

        @scoped_action(scope="delete", input=dissolve_input, output=output, summary=dissolve_summary,
                       description=dissolve_description)
        def dissolve(self, request, obj, data):
            return self.call(type(self).dissolve_service, obj, date=data["date"], reason=data["reason"],
                             expected_version=data["version"])

        @scoped_action(scope="delete", input=version_input, output=output, summary=reactivate_summary,
                       description=reactivate_description)
        def reactivate(self, request, obj, data):
            return self.call(type(self).reactivate_service, obj, expected_version=data["version"])

    return TreeActions
