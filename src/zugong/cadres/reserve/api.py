"""后备干部 API (issue #12 item 7), the same services and selectors as the pages (label ``cadre``):

- ``GET  /api/reserve-cadres/`` — the pool of the scope (``?list=&unit=&target_level=&young=&due=&as_of=&name=``
  as on the page: entries in the pool on ``as_of``, default today); ``GET /api/reserve-cadres/{id}/``;
- ``POST /api/cadres/{id}/reserve-enter/`` — 入库 (``cadre.add`` on the cadre): 201 with the entry; 400 by
  field (a second open entry is refused naming the open one);
- ``POST /api/reserve-cadres/{id}/move/`` (调整类别), ``…/exit/`` (出库), ``…/review/`` (复核) — ``cadre.change``;
  ``version`` required (a stale one is a 409 naming who changed what).

Outside the scope a cadre or entry is a 404. Both viewsets are ``core.api.ScopedViewSet``s (declared for the
generated scope tests)."""

from __future__ import annotations

from rest_framework import serializers, status
from rest_framework.filters import BaseFilterBackend
from rest_framework.response import Response

from zugong.cadres.models import Cadre, ReserveCadre
from zugong.cadres.reserve import selectors, services
from zugong.cadres.reserve.filtersets import ReserveFilterSet
from zugong.core.api import ScopedListMixin, ScopedRetrieveMixin, ScopedViewSet, scoped_action
from zugong.core.errors import OutOfScope


class ReserveCadreSerializer(serializers.Serializer):
    """一条后备干部记录（``[entered_date, exited_date)``，出库时间为空表示在库）。"""

    id = serializers.IntegerField()
    cadre_id = serializers.IntegerField(help_text="干部ID")
    name = serializers.CharField(source="cadre.person.name", help_text="姓名")
    unit_code = serializers.CharField(source="cadre.unit.code", help_text="单位代码")
    unit_name = serializers.CharField(source="cadre.unit.name", help_text="单位")
    list_kind = serializers.CharField(help_text="类别：ready_now 近期使用 / rotation 轮岗锻炼 / long_term 蹲苗培养")
    list_kind_label = serializers.CharField(source="get_list_kind_display")
    target_post = serializers.CharField(help_text="拟任职务方向")
    target_level = serializers.CharField(help_text="拟任职务级别（GB/T 12407）")
    young_outstanding = serializers.BooleanField(help_text="优秀年轻干部")
    entered_date = serializers.DateField(help_text="入库时间")
    review_date = serializers.DateField(allow_null=True, help_text="下次复核时间")
    exited_date = serializers.DateField(allow_null=True, help_text="出库时间")
    exit_reason = serializers.CharField(help_text="出库原因代码")
    note = serializers.CharField(help_text="备注")
    version = serializers.IntegerField(help_text="版本号（调整、出库、复核时须带上）")


class EnterSerializer(serializers.Serializer):
    """入库。类别、级别可写代码或名称。"""

    list_kind = serializers.CharField(label="类别", help_text="近期使用 / 轮岗锻炼 / 蹲苗培养（或代码）")
    entered_date = serializers.CharField(label="入库时间", help_text="YYYY-MM-DD")
    target_post = serializers.CharField(label="拟任职务方向", required=False, allow_blank=True, default="")
    target_level = serializers.CharField(label="拟任职务级别", required=False, allow_blank=True, default="")
    young_outstanding = serializers.BooleanField(label="优秀年轻干部", required=False, default=False)
    review_date = serializers.CharField(label="下次复核时间", required=False, allow_blank=True, default="")
    note = serializers.CharField(label="备注", required=False, allow_blank=True, default="")


class MoveSerializer(serializers.Serializer):
    version = serializers.IntegerField(label="版本号")
    list_kind = serializers.CharField(label="类别")
    date = serializers.CharField(label="调整时间", help_text="YYYY-MM-DD")
    target_post = serializers.CharField(label="拟任职务方向", required=False, allow_null=True, default=None)
    target_level = serializers.CharField(label="拟任职务级别", required=False, allow_null=True, default=None)
    review_date = serializers.CharField(label="下次复核时间", required=False, allow_blank=True, default="")
    note = serializers.CharField(label="备注", required=False, allow_blank=True, default="")


class ExitSerializer(serializers.Serializer):
    version = serializers.IntegerField(label="版本号")
    exited_date = serializers.CharField(label="出库时间", help_text="YYYY-MM-DD")
    reason = serializers.CharField(label="出库原因", help_text="已提拔使用 / 调整出库 / 超过年龄 / 受到处理 / 其他（或代码）")
    note = serializers.CharField(label="说明", required=False, allow_blank=True, default="")


class ReviewSerializer(serializers.Serializer):
    version = serializers.IntegerField(label="版本号")
    review_date = serializers.CharField(label="下次复核时间", help_text="YYYY-MM-DD")
    reviewed_on = serializers.CharField(label="本次复核时间", required=False, allow_blank=True, default="")
    note = serializers.CharField(label="复核意见", required=False, allow_blank=True, default="")


_FILTER_PARAMS = (("list", "类别：ready_now 近期使用 / rotation 轮岗锻炼 / long_term 蹲苗培养"),
                  ("unit", "单位代码（含下级）"), ("target_level", "拟任职务级别（GB/T 12407 代码）"),
                  ("young", "true：优秀年轻干部（已标记或按现任级别年龄标准）"), ("due", "true：30天内需复核"),
                  ("as_of", "截至日期 YYYY-MM-DD（在库口径），默认今天"), ("name", "姓名（包含）"))


class ReserveFilterBackend(BaseFilterBackend):
    """The page's filter set on the list (``ReserveFilterSet``); invalid filters answer 400."""

    def get_schema_operation_parameters(self, view):
        return [{"name": name, "required": False, "in": "query", "description": text, "schema": {"type": "string"}}
                for name, text in _FILTER_PARAMS]

    def filter_queryset(self, request, queryset, view):
        if getattr(view, "action", None) != "list":
            return queryset
        filterset = ReserveFilterSet(request.query_params, queryset, user=request.user)
        if not filterset.is_valid():
            from zugong.core.errors import RowError, ValidationFailed

            raise ValidationFailed([RowError(0, str(k), "；".join(v)) for k, v in filterset.form.errors.items()],
                                   message="筛选条件有误")
        return filterset.qs.order_by("list_kind", "cadre__unit__path", "entered_date", "pk")


class ReserveCadreViewSet(ScopedListMixin, ScopedRetrieveMixin, ScopedViewSet):
    """``/api/reserve-cadres/``: the pool in scope, one entry, and ``…/{id}/move|exit|review/``."""

    model = ReserveCadre
    list_selector = selectors.reserve_list
    get_selector = selectors.entry_get
    serializer_class = ReserveCadreSerializer
    filter_backends = [ReserveFilterBackend]
    not_found = "后备干部记录不存在或不在您的数据范围内。"

    @scoped_action(scope="change", input=MoveSerializer, url_path="move", summary="调整后备干部类别",
                   description="结束原记录（调整出库）并在新类别中新建一条记录（同日入库），历史保留。返回新记录。")
    def move(self, request, obj, data):
        return services.reserve_move(user=request.user, entry=obj.pk, list_kind=data["list_kind"], date=data["date"],
                                     expected_version=data["version"], target_post=data["target_post"],
                                     target_level=data["target_level"], review_date=data["review_date"] or None,
                                     note=data["note"])

    @scoped_action(scope="change", input=ExitSerializer, url_path="exit", summary="后备干部出库")
    def exit(self, request, obj, data):
        return services.reserve_exit(user=request.user, entry=obj.pk, exited_date=data["exited_date"],
                                     reason=data["reason"], expected_version=data["version"], note=data["note"])

    @scoped_action(scope="change", input=ReviewSerializer, url_path="review", summary="后备干部复核")
    def review(self, request, obj, data):
        return services.reserve_review(user=request.user, entry=obj.pk, review_date=data["review_date"],
                                       reviewed_on=data["reviewed_on"] or None, note=data["note"],
                                       expected_version=data["version"])


class CadreReserveEnterViewSet(ScopedViewSet):
    """``POST /api/cadres/{id}/reserve-enter/`` (``cadre.add`` on the cadre): 入库. The URL's record is the
    cadre, fetched in the ``add`` scope first (404 outside)."""

    model = ReserveCadre
    object_model = Cadre
    get_selector = selectors.cadre_get
    serializer_class = ReserveCadreSerializer
    not_found = "干部不存在或不在您的数据范围内。"
    pagination_class = None

    @scoped_action(scope="add", input=EnterSerializer, url_path="reserve-enter", summary="后备干部入库",
                   output=ReserveCadreSerializer,
                   description="将干部列入近期使用、轮岗锻炼或蹲苗培养名单。已在库的干部不能重复入库（400）。")
    def reserve_enter(self, request, obj, data):
        entry = services.reserve_enter(user=request.user, cadre=obj.pk, **{k: v or None if k == "review_date" else v
                                                                           for k, v in data.items()})
        fresh = selectors.entry_get(user=request.user, pk=entry.pk, action="view")
        if fresh is None:
            raise OutOfScope(self.not_found)
        return Response(ReserveCadreSerializer(fresh).data, status=status.HTTP_201_CREATED)
