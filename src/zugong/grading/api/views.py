"""达标晋级 API (issue #11) — the same selectors, filters and services as the pages; 404 outside the scope,
400 with every problem by field, 409 on a stale ``version``:

- ``GET /api/branch-gradings/`` (``?org=<组织代码>``, ``?year=``, ``?scheme=``, ``?level=``,
  ``?designated=``), ``GET /api/branch-gradings/{id}/`` — gradings with their scores;
- ``POST /api/branch-gradings/`` — 录入评定 (``grading_record``): ``organization`` (组织代码 or id),
  ``scheme`` (方案代码, e.g. ``five_good``), ``year``, ``scores`` = ``{"<评分项代码>": {"score": 18,
  "evidence": "…"}}`` (or ``[18, "…"]`` or a bare number), ``designated_model``, ``evaluated_on``,
  ``evaluator``, ``note``; total and level are computed;
- ``PATCH /api/branch-gradings/{id}/`` — 修改评定 (``grading_edit``): ``version`` plus any of the above
  except organization, scheme and year;
- ``GET /api/weak-branches/`` (``?org=``, ``?year=``, ``?status=rectifying|rectified|verified``),
  ``GET /api/weak-branches/{id}/``; ``POST /api/weak-branches/`` — 列入名单 (``weak_branch_identify``);
  ``POST /api/weak-branches/{id}/rectify/`` (``version``, ``rectified_on``, ``measures``) and
  ``…/verify/`` (``version``, ``verified_on``, ``verified_by``, ``note``; the higher organization)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from zugong.core.api import (
    ScopedCreateMixin,
    ScopedListMixin,
    ScopedModelViewSet,
    ScopedRetrieveMixin,
    ScopedViewSet,
    scoped_action,
)
from zugong.grading import selectors, services
from zugong.grading.filtersets import GradingFilterSet, WeakFilterSet
from zugong.grading.models import BranchGrading, WeakBranch


class GradingOrgRef(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(help_text="组织代码")
    name = serializers.CharField(help_text="组织名称")


class GradingNamedRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ScoreSerializer(serializers.Serializer):
    """一个评分项的得分。"""

    criterion = serializers.CharField(source="criterion.code", help_text="评分项代码")
    criterion_name = serializers.CharField(source="criterion.name", help_text="评分项")
    max_score = serializers.DecimalField(source="criterion.max_score", max_digits=5, decimal_places=1,
                                         coerce_to_string=False, help_text="满分")
    score = serializers.DecimalField(max_digits=5, decimal_places=1, coerce_to_string=False, help_text="得分")
    evidence = serializers.CharField(help_text="评分依据")


class BranchGradingSerializer(serializers.Serializer):
    """一个支部某年度按某评定方案的达标晋级评定。"""

    id = serializers.IntegerField()
    organization = GradingOrgRef(help_text="党支部")
    scheme = GradingNamedRef(help_text="评定方案")
    year = serializers.IntegerField(help_text="年度")
    total = serializers.DecimalField(max_digits=6, decimal_places=1, coerce_to_string=False, help_text="总分")
    level = GradingNamedRef(allow_null=True, help_text="等次（未达任何等次为 null）")
    designated_model = serializers.BooleanField(help_text="示范党支部")
    evaluated_on = serializers.DateField(help_text="评定日期")
    evaluator = serializers.CharField(help_text="评定单位")
    note = serializers.CharField(help_text="评定意见")
    scores = ScoreSerializer(many=True, source="scores.all")
    version = serializers.IntegerField(help_text="版本号（修改时须带上）")


class GradingCreateSerializer(serializers.Serializer):
    organization = serializers.CharField(label="党支部", help_text="组织代码（或组织 ID）")
    scheme = serializers.CharField(label="评定方案", help_text="方案代码，如 five_good（五好）、four_strong（四强）")
    year = serializers.CharField(label="年度", help_text="四位年份，不晚于本年度")
    scores = serializers.DictField(label="评分", child=serializers.JSONField(),
                                   help_text='{"评分项代码": {"score": 18, "evidence": "评分依据"}}；方案的每个评分项都须评分')
    designated_model = serializers.BooleanField(label="示范党支部", required=False, default=False)
    evaluated_on = serializers.CharField(label="评定日期", required=False, allow_blank=True, default="")
    evaluator = serializers.CharField(label="评定单位", required=False, allow_blank=True, default="", max_length=100)
    note = serializers.CharField(label="评定意见", required=False, allow_blank=True, default="", max_length=500)


class GradingUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(label="版本号")
    scores = serializers.DictField(label="评分", child=serializers.JSONField(), required=False,
                                   help_text="只需给出要修改的评分项")
    designated_model = serializers.BooleanField(label="示范党支部", required=False)
    evaluated_on = serializers.CharField(label="评定日期", required=False, allow_blank=True)
    evaluator = serializers.CharField(label="评定单位", required=False, allow_blank=True, max_length=100)
    note = serializers.CharField(label="评定意见", required=False, allow_blank=True, max_length=500)


def grading_rows(*, user, action: str = "view"):
    """The API's rows: ``selectors.grading_list`` with the scores prefetched."""
    return selectors.grading_list(user=user, action=action).prefetch_related("scores__criterion")


@extend_schema_view(
    list=extend_schema(summary="达标晋级评定列表", description="数据范围内的评定，按年度（新在前）和组织排列。"),
    retrieve=extend_schema(summary="达标晋级评定", description="不在数据范围内返回 404。"),
    create=extend_schema(summary="录入达标晋级评定", description="总分和等次按评定方案计算；评分超出范围、缺少或多出评分项返回 400。"),
    partial_update=extend_schema(summary="修改达标晋级评定", description="version 不一致返回 409。"),
)
class BranchGradingViewSet(ScopedModelViewSet):
    """``/api/branch-gradings/``."""

    model = BranchGrading
    list_selector = grading_rows
    serializer_class = BranchGradingSerializer
    create_serializer_class = GradingCreateSerializer
    update_serializer_class = GradingUpdateSerializer
    filterset_class = GradingFilterSet
    not_found = "达标晋级评定不存在或不在您的数据范围内。"

    def create_object(self, data: dict):
        return services.grading_record(actor=self.request.user, **data)

    def update_object(self, obj, *, expected_version: int, changes: dict):
        return services.grading_edit(actor=self.request.user, grading=obj, expected_version=expected_version, **changes)


class WeakBranchSerializer(serializers.Serializer):
    """软弱涣散基层党组织名单的一项及其整改、验收情况。"""

    id = serializers.IntegerField()
    organization = GradingOrgRef(help_text="党组织")
    year = serializers.IntegerField(help_text="年度")
    identified_on = serializers.DateField(help_text="确定日期")
    categories = serializers.ListField(child=serializers.CharField(), help_text="软弱涣散情形代码")
    category_labels = serializers.ListField(child=serializers.CharField(), help_text="软弱涣散情形")
    reasons = serializers.CharField(help_text="具体问题")
    measures = serializers.CharField(help_text="整改措施")
    responsible_person = serializers.CharField(help_text="整改责任人")
    deadline = serializers.DateField(allow_null=True, help_text="整改时限")
    status = serializers.CharField(help_text="rectifying 整改中 / rectified 已整改 / verified 已验收")
    status_label = serializers.CharField()
    rectified_on = serializers.DateField(allow_null=True, help_text="整改完成日期")
    verified_by = serializers.CharField(help_text="验收单位（人）")
    verified_on = serializers.DateField(allow_null=True, help_text="验收日期")
    verification_note = serializers.CharField(help_text="验收意见")
    version = serializers.IntegerField(help_text="版本号")


class WeakCreateSerializer(serializers.Serializer):
    organization = serializers.CharField(label="党组织", help_text="组织代码（或组织 ID）")
    year = serializers.CharField(label="年度")
    identified_on = serializers.CharField(label="确定日期", help_text="YYYY-MM-DD")
    categories = serializers.ListField(label="软弱涣散情形", child=serializers.CharField(), allow_empty=True,
                                       help_text="情形代码或名称，如 secretary_unfit、组织生活不正常")
    reasons = serializers.CharField(label="具体问题", allow_blank=True)
    measures = serializers.CharField(label="整改措施", required=False, allow_blank=True, default="")
    responsible_person = serializers.CharField(label="整改责任人", required=False, allow_blank=True, default="",
                                               max_length=100)
    deadline = serializers.CharField(label="整改时限", required=False, allow_blank=True, default="")


class WeakRectifySerializer(serializers.Serializer):
    version = serializers.IntegerField(label="版本号")
    rectified_on = serializers.CharField(label="整改完成日期")
    measures = serializers.CharField(label="整改措施", allow_blank=True)


class WeakVerifySerializer(serializers.Serializer):
    version = serializers.IntegerField(label="版本号")
    verified_on = serializers.CharField(label="验收日期")
    verified_by = serializers.CharField(label="验收单位（人）", allow_blank=True)
    note = serializers.CharField(label="验收意见", required=False, allow_blank=True, default="", max_length=500)


@extend_schema_view(
    list=extend_schema(summary="软弱涣散党组织列表"),
    retrieve=extend_schema(summary="软弱涣散党组织", description="不在数据范围内返回 404。"),
    create=extend_schema(summary="列入软弱涣散名单"),
)
class WeakBranchViewSet(ScopedListMixin, ScopedCreateMixin, ScopedRetrieveMixin, ScopedViewSet):
    """``/api/weak-branches/``."""

    model = WeakBranch
    list_selector = selectors.weak_list
    get_selector = selectors.weak_get
    serializer_class = WeakBranchSerializer
    create_serializer_class = WeakCreateSerializer
    filterset_class = WeakFilterSet
    not_found = "软弱涣散党组织记录不存在或不在您的数据范围内。"

    def create_object(self, data: dict):
        return services.weak_branch_identify(actor=self.request.user, **data)

    @scoped_action(scope="change", input=WeakRectifySerializer, url_path="rectify", summary="整改完成",
                   description="登记整改完成日期和整改措施；已验收的不能再改。")
    def rectify(self, request, obj, data):
        return services.weak_branch_rectify(actor=request.user, weak_branch=obj, expected_version=data["version"],
                                            rectified_on=data["rectified_on"], measures=data["measures"])

    @scoped_action(scope="change", input=WeakVerifySerializer, url_path="verify", summary="验收",
                   description="上级党组织验收已整改的记录（须有上级党组织的修改权限，否则 400）。")
    def verify(self, request, obj, data):
        return services.weak_branch_verify(actor=request.user, weak_branch=obj, expected_version=data["version"],
                                           verified_on=data["verified_on"], verified_by=data["verified_by"],
                                           note=data.get("note", ""))
