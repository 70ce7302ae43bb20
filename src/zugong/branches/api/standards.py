"""党支部达标 API (``branches.standards``): ``GET /api/branch-standards/?org=<组织代码>&as_of=<YYYY-MM-DD>&kind=<code>``
— the branches of the subtree (default: the whole ``party.view`` scope) with findings as of the date, one row per
branch: ``{"id", "code", "name", "findings": [{"code", "label", "severity", "message", "article", "since",
"due"}]}``. An ``org`` outside the scope is a 404; an unreadable date a 400. Not paginated (one row per branch
with findings)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from zugong.branches import standards
from zugong.core.api import API_NAMESPACE, ScopedViewSet
from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import FieldProblem, OutOfScope, fail
from zugong.orgs.models import PartyOrganization
from zugong.orgs.selectors import organization_by_code


class FindingSerializer(serializers.Serializer):
    """一项达标问题（``branches.standards.Finding``）。"""

    code = serializers.CharField(help_text="问题代码（branches.standards.KINDS）")
    label = serializers.CharField(help_text="问题类别")
    severity = serializers.CharField(help_text="high / normal / low")
    message = serializers.CharField(help_text="说明（含人数、日期）")
    article = serializers.CharField(help_text="依据（条例及条款）")
    since = serializers.DateField(allow_null=True, help_text="起始日期（已知时）")
    due = serializers.DateField(allow_null=True, help_text="届满日期（换届提醒）")


class BranchFindingsSerializer(serializers.Serializer):
    """一个有问题的党支部及其全部问题。"""

    id = serializers.IntegerField(help_text="党组织ID")
    code = serializers.CharField(help_text="组织代码")
    name = serializers.CharField(help_text="组织名称")
    findings = FindingSerializer(many=True)


def _branches_selector(*, user, action: str = "view"):
    """The branches in ``user``'s scope (the schema's queryset; the rows come from ``standards_findings``)."""
    return standards.branches_on(user=user, root=None, as_of=timezone.localdate(),
                                 action=action)


class BranchStandardsViewSet(ScopedViewSet):
    """``/api/branch-standards/``: the findings per branch (``party.view``)."""

    model = PartyOrganization
    list_selector = _branches_selector
    serializer_class = BranchFindingsSerializer
    pagination_class = None
    not_found = "组织不存在或不在您的数据范围内。"

    @extend_schema(summary="党支部达标情况", responses={200: BranchFindingsSerializer(many=True)}, parameters=[
        OpenApiParameter("org", OpenApiTypes.STR, description="组织代码（含下级；默认数据范围内全部）"),
        OpenApiParameter("as_of", OpenApiTypes.DATE, description="截至日期（默认今天）"),
        OpenApiParameter("kind", OpenApiTypes.STR, many=True, description="只看这些问题类别")])
    def list(self, request, *args, **kwargs):
        code = (request.query_params.get("org") or "").strip()
        root = None
        if code:
            root = organization_by_code(user=request.user, code=code)
            if root is None:
                raise OutOfScope(self.not_found)
        as_of = None
        raw = (request.query_params.get("as_of") or "").strip()
        if raw:
            try:
                as_of, _ = parse_date(raw)
            except DateParseError as exc:
                fail([FieldProblem("截至日期", str(exc))])
        codes = tuple(k for k in request.query_params.getlist("kind") if k in standards.KINDS) or None
        rows: dict[int, dict] = {}
        for f in standards.standards_findings(user=request.user, root=root, as_of=as_of, codes=codes):
            row = rows.setdefault(f.organization.pk, {"id": f.organization.pk, "code": f.organization.code,
                                                      "name": f.organization.name, "findings": []})
            row["findings"].append({"code": f.code, "label": f.label, "severity": f.severity, "message": f.message,
                                    "article": f.article, "since": f.since, "due": f.due})
        return Response(BranchFindingsSerializer(list(rows.values()), many=True).data)

    @classmethod
    def scoped_view_specs(cls, *, basename: str, namespace: str = API_NAMESPACE) -> list[dict]:
        """One route: ``GET`` list of ``PartyOrganization`` rows, the subtree named by ``?org=``."""
        return [{"url_name": f"{namespace}:{basename}-list", "kind": "list", "model": "orgs.PartyOrganization",
                 "action": "view", "methods": ("GET",), "object_param": "org", "api": True}]
