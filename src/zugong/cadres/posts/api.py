"""API of posts, quotas and appointments (``cadres.posts``), the same selectors and services as the pages:

- ``GET /api/cadres/quota-table/?org=<单位代码>&as_of=<YYYY-MM-DD>`` — the 干部配备一览表, exactly the JSON of
  ``zugong quota``: ``{"<单位代码>": {"<职务级别中文名>": {"职数", "实配", "超配", "空缺"}}}`` (``org`` blank:
  the whole ``cadre.view`` scope; outside the scope: 404; a bad date: 400);
- ``/api/cadres/posts/`` — list (``?unit=<单位代码>``, ``?as_of=`` for posts existing that day), retrieve,
  create (``post_create``: ``unit`` code, ``name``, ``level``, ``start_date`` …), ``PATCH`` (``post_edit``, with
  ``version``), ``POST …/{id}/close/`` (撤销), ``POST …/{id}/appoint/`` (任职: ``cadre`` id, ``start_date`` …);
- ``/api/cadres/quotas/`` — list (``?unit=``), retrieve, create (``quota_set``: ``unit``, ``level``, ``count``,
  ``start_date``, ``document_number``);
- ``/api/cadres/appointments/`` — list (``?cadre=<id>``, ``?post=<id>``, ``?as_of=`` held that day), retrieve,
  ``PATCH`` (``appointment_edit``), ``POST …/{id}/remove/`` (免职: ``version``, ``end_date``,
  ``removal_document``, ``removal_reason``). An appointment is created on its post (``…/posts/{id}/appoint/``).

Everything is scoped by the unit tree (label ``cadre``); a record outside the scope is a 404.
"""

from __future__ import annotations

import django_filters
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from zugong.cadres.models import Appointment, Post, PostQuota
from zugong.cadres.posts import selectors as sel
from zugong.cadres.posts import services
from zugong.cadres.selectors import held_on
from zugong.core.api import (
    API_NAMESPACE,
    ScopedCreateMixin,
    ScopedListMixin,
    ScopedModelViewSet,
    ScopedRetrieveMixin,
    ScopedUpdateMixin,
    ScopedViewSet,
    scoped_action,
)
from zugong.core.errors import OutOfScope
from zugong.orgs.models import Unit


def _unit_by_code(user, code: str, action: str) -> Unit:
    unit = sel.unit_in_scope(user=user, code=code, action=action)
    if unit is None:
        raise OutOfScope(sel.NOT_FOUND_UNIT + "。")
    return unit


class AsOfFilter(django_filters.CharFilter):
    """``?as_of=YYYY-MM-DD``: rows held (effective) on that day."""

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(held_on(sel.parse_as_of(value, timezone.localdate())))


# ----- quota table -----------------------------------------------------------------------------------------------


class QuotaTableViewSet(ScopedViewSet):
    """``/api/cadres/quota-table/``: the 干部配备一览表 as the CLI prints it (``cadre.view``)."""

    model = Unit
    list_selector = sel.subtree_units
    serializer_class = serializers.Serializer
    pagination_class = None
    not_found = sel.NOT_FOUND_UNIT + "。"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False) or getattr(self, "request", None) is None:
            return Unit.objects.none()
        return sel.subtree_units(user=self.request.user)

    @extend_schema(summary="干部配备一览表", responses={200: OpenApiTypes.OBJECT}, parameters=[
        OpenApiParameter("org", OpenApiTypes.STR, description="单位代码（含下级单位；默认数据范围内全部）"),
        OpenApiParameter("as_of", OpenApiTypes.DATE, description="截至日期（默认今天）")],
        description='{"单位代码": {"职务级别中文名（如 正处级）": {"职数": n, "实配": n, "超配": n, "空缺": n}}}，'
                    "与 zugong quota --format json 相同。")
    def list(self, request, *args, **kwargs):
        code = (request.query_params.get("org") or "").strip()
        root = _unit_by_code(request.user, code, "view") if code else None
        day = sel.parse_as_of(request.query_params.get("as_of", ""), timezone.localdate())
        return Response(sel.quota_table(user=request.user, day=day, root=root).as_json())

    @classmethod
    def scoped_view_specs(cls, *, basename: str, namespace: str = API_NAMESPACE) -> list[dict]:
        """One route: ``GET`` naming its subtree by ``?org=`` (a report of one subtree: kind ``detail``)."""
        return [{"url_name": f"{namespace}:{basename}-list", "kind": "detail", "model": "orgs.Unit", "label": "cadre",
                 "action": "view", "methods": ("GET",), "object_param": "org", "api": True}]


# ----- posts -----------------------------------------------------------------------------------------------------


class PostSerializer(serializers.Serializer):
    """一个职务岗位（``[start_date, end_date)``）。"""

    id = serializers.IntegerField()
    unit_code = serializers.CharField(source="unit.code", help_text="单位代码")
    unit_name = serializers.CharField(source="unit.name", help_text="单位名称")
    name = serializers.CharField(help_text="职务名称")
    post_code = serializers.CharField(help_text="职务代码（GB/T 12403）")
    level = serializers.CharField(help_text="职务级别代码（GB/T 12407）")
    level_label = serializers.CharField(source="get_level_display", help_text="职务级别")
    leadership = serializers.BooleanField(help_text="领导职务")
    counts_against_quota = serializers.BooleanField(help_text="占用职数")
    max_holders = serializers.IntegerField(help_text="可任职人数")
    start_date = serializers.DateField(help_text="设立日期")
    end_date = serializers.DateField(allow_null=True, help_text="撤销日期（空为存续）")
    note = serializers.CharField(help_text="备注")
    version = serializers.IntegerField(help_text="版本号（更正、撤销时须带上）")


class PostCreateSerializer(serializers.Serializer):
    """设立职务岗位。"""

    unit = serializers.CharField(label="单位", help_text="单位代码")
    name = serializers.CharField(label="职务名称", max_length=100)
    level = serializers.CharField(label="职务级别", help_text="代码或名称：131、正处级…")
    start_date = serializers.CharField(label="设立日期", help_text="YYYY-MM-DD")
    leadership = serializers.BooleanField(label="领导职务", required=False, default=True)
    counts_against_quota = serializers.BooleanField(label="占用职数", required=False, default=True)
    max_holders = serializers.IntegerField(label="可任职人数", required=False, default=1)
    post_code = serializers.CharField(label="职务代码", required=False, allow_blank=True, default="", max_length=10)
    position = serializers.IntegerField(label="排序", required=False, default=0)
    note = serializers.CharField(label="备注", required=False, allow_blank=True, default="", max_length=500)


class PostPatchSerializer(serializers.Serializer):
    """更正职务岗位：``version`` 与要更正的字段。"""

    version = serializers.IntegerField(label="版本号")
    name = serializers.CharField(label="职务名称", required=False, max_length=100)
    level = serializers.CharField(label="职务级别", required=False)
    start_date = serializers.CharField(label="设立日期", required=False)
    leadership = serializers.BooleanField(label="领导职务", required=False)
    counts_against_quota = serializers.BooleanField(label="占用职数", required=False)
    max_holders = serializers.IntegerField(label="可任职人数", required=False)
    post_code = serializers.CharField(label="职务代码", required=False, allow_blank=True, max_length=10)
    position = serializers.IntegerField(label="排序", required=False)
    note = serializers.CharField(label="备注", required=False, allow_blank=True, max_length=500)


class PostCloseSerializer(serializers.Serializer):
    """撤销职务岗位。"""

    version = serializers.IntegerField(label="版本号")
    end_date = serializers.CharField(label="撤销日期", help_text="YYYY-MM-DD：自该日起不再设置")
    reason = serializers.CharField(label="撤销原因", required=False, allow_blank=True, default="")


class AppointSerializer(serializers.Serializer):
    """任职。"""

    cadre = serializers.IntegerField(label="干部", help_text="干部ID")
    start_date = serializers.CharField(label="任职日期", help_text="YYYY-MM-DD")
    end_date = serializers.CharField(label="免职日期", required=False, allow_blank=True, default="")
    appointment_document = serializers.CharField(label="任职文号", required=False, allow_blank=True, default="")
    appointment_reason = serializers.CharField(label="任职原因", required=False, allow_blank=True, default="")
    method = serializers.CharField(label="任职方式", required=False, allow_blank=True, default="",
                                   help_text="选任/委任/聘任/考任")
    probation_months = serializers.IntegerField(label="试用期（月）", required=False, allow_null=True, default=None,
                                                help_text="留空按规定确定")
    concurrent = serializers.BooleanField(label="兼任", required=False, default=False)


class PostFilterSet(django_filters.FilterSet):
    unit = django_filters.CharFilter(field_name="unit__code", label="单位代码")
    as_of = AsOfFilter(label="截至日期")

    class Meta:
        model = Post
        fields = ["unit", "as_of"]


class PostViewSet(ScopedModelViewSet):
    """``/api/cadres/posts/``."""

    model = Post
    list_selector = sel.post_list
    get_selector = sel.post_get
    serializer_class = PostSerializer
    create_serializer_class = PostCreateSerializer
    update_serializer_class = PostPatchSerializer
    filterset_class = PostFilterSet
    not_found = "职务岗位不存在或不在您的干部管理范围内。"

    def create_object(self, data):
        unit = _unit_by_code(self.request.user, data.pop("unit"), "add")
        return services.post_create(user=self.request.user, unit=unit, **data)

    def update_object(self, obj, *, expected_version, changes):
        return services.post_edit(user=self.request.user, post=obj, expected_version=expected_version, changes=changes)

    @scoped_action(scope="change", input=PostCloseSerializer, url_path="close", summary="撤销职务岗位",
                   description="自 end_date 起撤销；仍有人在任时拒绝。version 不一致返回 409。")
    def close(self, request, obj, data):
        return services.post_close(user=request.user, post=obj, end_date=data["end_date"], reason=data["reason"],
                                   expected_version=data["version"])

    @scoped_action(scope="add", input=AppointSerializer, url_path="appoint", summary="任职",
                   description="干部任该职务（appointment_create）：单一职数职务不能同时有两人在任，任职日期须在职务存续期间内。"
                               "返回该职务。")
    def appoint(self, request, obj, data):
        services.appointment_create(user=request.user, post=obj, end_date=data.pop("end_date") or None, **data)
        return obj


# ----- quotas ----------------------------------------------------------------------------------------------------


class QuotaSerializer(serializers.Serializer):
    """一条领导职数核定（``[start_date, end_date)``）。"""

    id = serializers.IntegerField()
    unit_code = serializers.CharField(source="unit.code", help_text="单位代码")
    unit_name = serializers.CharField(source="unit.name", help_text="单位名称")
    level = serializers.CharField(help_text="职务级别代码")
    level_label = serializers.CharField(source="get_level_display", help_text="职务级别")
    count = serializers.IntegerField(help_text="职数")
    start_date = serializers.DateField(help_text="生效日期")
    end_date = serializers.DateField(allow_null=True, help_text="失效日期（空为现行）")
    document_number = serializers.CharField(help_text="批准文号")


class QuotaCreateSerializer(serializers.Serializer):
    """核定领导职数（原职数于生效日期失效）。"""

    unit = serializers.CharField(label="单位", help_text="单位代码")
    level = serializers.CharField(label="职务级别")
    count = serializers.IntegerField(label="职数")
    start_date = serializers.CharField(label="生效日期", help_text="YYYY-MM-DD")
    document_number = serializers.CharField(label="批准文号", required=False, allow_blank=True, default="")


class QuotaFilterSet(django_filters.FilterSet):
    unit = django_filters.CharFilter(field_name="unit__code", label="单位代码")
    as_of = AsOfFilter(label="截至日期")

    class Meta:
        model = PostQuota
        fields = ["unit", "as_of"]


class QuotaViewSet(ScopedListMixin, ScopedCreateMixin, ScopedRetrieveMixin, ScopedViewSet):
    """``/api/cadres/quotas/``."""

    model = PostQuota
    list_selector = sel.quota_list
    serializer_class = QuotaSerializer
    create_serializer_class = QuotaCreateSerializer
    filterset_class = QuotaFilterSet
    not_found = "职数记录不存在或不在您的干部管理范围内。"

    def create_object(self, data):
        unit = _unit_by_code(self.request.user, data.pop("unit"), "add")
        return services.quota_set(user=self.request.user, unit=unit, **data)


# ----- appointments ------------------------------------------------------------------------------------------------


class AppointmentSerializer(serializers.Serializer):
    """一条任免记录（``[start_date, end_date)``，``end_date`` 为空表示在任）。"""

    id = serializers.IntegerField()
    cadre_id = serializers.IntegerField(help_text="干部ID")
    cadre_name = serializers.CharField(source="cadre.person.name", help_text="姓名")
    post_id = serializers.IntegerField(help_text="职务岗位ID")
    post_name = serializers.CharField(source="post.name", help_text="职务名称")
    unit_code = serializers.CharField(source="post.unit.code", help_text="职务所在单位代码")
    level = serializers.CharField(source="post.level", help_text="职务级别代码")
    start_date = serializers.DateField(help_text="任职日期")
    end_date = serializers.DateField(allow_null=True, help_text="免职日期（空为在任）")
    appointment_document = serializers.CharField(help_text="任职文号")
    removal_document = serializers.CharField(help_text="免职文号")
    appointment_reason = serializers.CharField(help_text="任职原因")
    removal_reason = serializers.CharField(help_text="免职原因")
    method = serializers.CharField(help_text="任职方式代码")
    probation_months = serializers.IntegerField(allow_null=True, help_text="试用期（月）")
    concurrent = serializers.BooleanField(help_text="兼任")
    version = serializers.IntegerField(help_text="版本号")


class AppointmentPatchSerializer(serializers.Serializer):
    """更正任免记录：``version`` 与要更正的字段。"""

    version = serializers.IntegerField(label="版本号")
    start_date = serializers.CharField(label="任职日期", required=False)
    end_date = serializers.CharField(label="免职日期", required=False, allow_blank=True)
    appointment_document = serializers.CharField(label="任职文号", required=False, allow_blank=True)
    removal_document = serializers.CharField(label="免职文号", required=False, allow_blank=True)
    appointment_reason = serializers.CharField(label="任职原因", required=False, allow_blank=True)
    removal_reason = serializers.CharField(label="免职原因", required=False, allow_blank=True)
    method = serializers.CharField(label="任职方式", required=False, allow_blank=True)
    probation_months = serializers.IntegerField(label="试用期（月）", required=False, allow_null=True)
    concurrent = serializers.BooleanField(label="兼任", required=False)


class RemoveSerializer(serializers.Serializer):
    """免职。"""

    version = serializers.IntegerField(label="版本号")
    end_date = serializers.CharField(label="免职日期", help_text="YYYY-MM-DD：自该日起不再担任")
    removal_document = serializers.CharField(label="免职文号", required=False, allow_blank=True, default="")
    removal_reason = serializers.CharField(label="免职原因", required=False, allow_blank=True, default="")


class AppointmentFilterSet(django_filters.FilterSet):
    cadre = django_filters.NumberFilter(field_name="cadre_id", label="干部ID")
    post = django_filters.NumberFilter(field_name="post_id", label="职务岗位ID")
    as_of = AsOfFilter(label="截至日期")

    class Meta:
        model = Appointment
        fields = ["cadre", "post", "as_of"]


class AppointmentViewSet(ScopedListMixin, ScopedRetrieveMixin, ScopedUpdateMixin, ScopedViewSet):
    """``/api/cadres/appointments/``."""

    model = Appointment
    list_selector = sel.appointment_list
    get_selector = sel.appointment_get
    serializer_class = AppointmentSerializer
    update_serializer_class = AppointmentPatchSerializer
    filterset_class = AppointmentFilterSet
    not_found = "任免记录不存在或不在您的干部管理范围内。"

    def update_object(self, obj, *, expected_version, changes):
        return services.appointment_edit(user=self.request.user, appointment=obj, expected_version=expected_version,
                                         changes=changes)

    @scoped_action(scope="change", input=RemoveSerializer, url_path="remove", summary="免职",
                   description="自 end_date 起不再担任（不早于任职日期）。version 不一致返回 409。")
    def remove(self, request, obj, data):
        return services.appointment_remove(user=request.user, appointment=obj, end_date=data["end_date"],
                                           removal_document=data["removal_document"],
                                           removal_reason=data["removal_reason"], expected_version=data["version"])
