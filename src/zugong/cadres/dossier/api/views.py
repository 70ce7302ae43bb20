"""档案专项审核 API (issue #12 item 5), the same services as the pages:

- ``GET  /api/dossier-findings/`` — the findings of the scope (``cadre.view``), filtered like the page
  (``?check=``, ``?problem_type=``, ``?status=``, ``?unit=<单位代码>`` with its subtree, ``?name=``);
  ``GET /api/dossier-findings/{id}/`` — one finding with its evidence and 认定 history;
- ``POST /api/dossier-findings/{id}/decide/`` — 认定 (``services.finding_decide``; ``cadre.change``; body
  ``decision``, ``document``, ``note``, ``version``): 200 with the finding; a blank 认定依据 is a 400, a
  stale ``version`` a 409;
- ``POST /api/dossier-findings/units/{unit_id}/audit/`` — run the audit over the unit's subtree
  (``services.dossier_audit_run``; ``cadre.change`` on the unit; body ``as_of`` optional): 200 with the
  counts ``{"unit", "as_of", "cadres", "detected", "new", "existing", "corrected", "by_check", "by_problem"}``.

Outside the scope a finding or unit is a 404."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.response import Response

from zugong.cadres.choices import DOSSIER_CHECK, DOSSIER_PROBLEM, FINDING_STATUS
from zugong.cadres.dossier import selectors, services
from zugong.cadres.dossier.forms import DossierFilterSet
from zugong.cadres.models import DossierFinding
from zugong.core.api import ScopedListMixin, ScopedRetrieveMixin, ScopedViewSet, scoped_action
from zugong.orgs.models import Unit


class DossierDecisionSerializer(serializers.Serializer):
    """一次认定。"""

    decision = serializers.CharField(help_text="confirmed 已认定（存在问题）/ dismissed 已认定（无问题）/ corrected 已更正")
    decision_label = serializers.SerializerMethodField()
    document = serializers.CharField(help_text="认定依据")
    note = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username")
    decided_at = serializers.DateTimeField()

    def get_decision_label(self, obj) -> str:
        return FINDING_STATUS.label(obj.decision)


class DossierFindingSerializer(serializers.Serializer):
    """档案审核问题。"""

    id = serializers.IntegerField()
    version = serializers.IntegerField()
    cadre_id = serializers.IntegerField()
    cadre_name = serializers.CharField(source="cadre.person.name")
    unit = serializers.CharField(source="cadre.unit.code", help_text="单位代码")
    unit_name = serializers.CharField(source="cadre.unit.name")
    check_code = serializers.CharField(help_text="审核项目代码")
    check_label = serializers.SerializerMethodField()
    problem_type = serializers.CharField()
    problem_label = serializers.SerializerMethodField()
    status = serializers.CharField()
    status_label = serializers.SerializerMethodField()
    evidence = serializers.JSONField(help_text="{message, sources: [{source, value}], basis}")
    detected_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    decisions = DossierDecisionSerializer(many=True, source="decisions.all")

    def get_check_label(self, obj) -> str:
        return DOSSIER_CHECK.label(obj.check_code)

    def get_problem_label(self, obj) -> str:
        return DOSSIER_PROBLEM.label(obj.problem_type)

    def get_status_label(self, obj) -> str:
        return FINDING_STATUS.label(obj.status)


class DossierDecideInputSerializer(serializers.Serializer):
    """认定档案审核问题。"""

    decision = serializers.ChoiceField(label="认定结论", choices=list(services.DECISIONS))
    document = serializers.CharField(label="认定依据", required=False, allow_blank=True, default="", max_length=300)
    note = serializers.CharField(label="说明", required=False, allow_blank=True, default="", max_length=1000)
    version = serializers.IntegerField(label="版本")


class DossierRunInputSerializer(serializers.Serializer):
    """开始档案专项审核。"""

    as_of = serializers.DateField(label="截至日期", required=False, allow_null=True, default=None)


class DossierRunResultSerializer(serializers.Serializer):
    """一次档案专项审核的结果。"""

    unit = serializers.CharField(allow_null=True, help_text="单位代码（null：权限范围内全部）")
    as_of = serializers.DateField(help_text="截至日期")
    cadres = serializers.IntegerField(help_text="审核干部数")
    detected = serializers.IntegerField(help_text="本次发现的问题数")
    new = serializers.IntegerField(help_text="新发现（新记录）的问题数")
    existing = serializers.IntegerField(help_text="已记录过的问题数（认定状态不变）")
    corrected = serializers.IntegerField(help_text="复核已不存在、标为已更正的问题数")
    by_check = serializers.DictField(child=serializers.IntegerField(), help_text="按审核项目")
    by_problem = serializers.DictField(child=serializers.IntegerField(), help_text="按问题类型")


class _FilterSet(DossierFilterSet):
    class Meta:
        model = DossierFinding
        fields = ["check", "problem_type", "status", "unit", "name"]


def _list(*, user, action="view"):
    return selectors.finding_list(user=user, action=action).prefetch_related("decisions__decided_by")


@extend_schema_view(list=extend_schema(summary="档案审核问题列表"), retrieve=extend_schema(summary="档案审核问题"))
class DossierFindingViewSet(ScopedListMixin, ScopedRetrieveMixin, ScopedViewSet):
    """``/api/dossier-findings/``: findings in the scope, one finding, and ``…/{id}/decide/``."""

    model = DossierFinding
    list_selector = _list
    get_selector = selectors.finding_get
    serializer_class = DossierFindingSerializer
    filterset_class = _FilterSet
    lookup_value_regex = "[0-9]+"
    not_found = "问题不存在或不在您的数据范围内。"

    @scoped_action(scope="change", input=DossierDecideInputSerializer, url_path="decide", summary="认定档案审核问题",
                   description="认定结论与认定依据（必填）；每次认定另记一条，历史保留。版本过期返回 409。")
    def decide(self, request, obj, data):
        services.finding_decide(user=request.user, finding=obj, decision=data["decision"], document=data["document"],
                                note=data["note"], expected_version=data["version"])
        return obj


class DossierRunViewSet(ScopedViewSet):
    """``/api/dossier-findings/units/{unit_id}/audit/``: run the audit over a unit's subtree."""

    model = DossierFinding
    object_model = Unit
    list_selector = _list
    get_selector = selectors.unit_for_audit
    serializer_class = DossierFindingSerializer
    lookup_value_regex = "[0-9]+"
    not_found = "单位不存在或不在您的数据范围内。"

    @scoped_action(scope="change", input=DossierRunInputSerializer, output=DossierRunResultSerializer, url_path="audit", summary="开始档案专项审核",
                   description="对该单位及下级单位的干部运行全部自动审核项目，返回审核干部数、发现问题数、新发现数和复核已更正数。")
    def audit(self, request, obj, data):
        result = services.dossier_audit_run(user=request.user, unit=obj, as_of=data.get("as_of"))
        return Response(result.as_dict())
