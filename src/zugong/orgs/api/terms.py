"""党组织届次 API (``orgs.terms``), the same services as the organization page:

- ``GET  /api/organizations/{id}/terms/`` — the organization's terms, newest first (``party.view``);
- ``POST /api/organizations/{id}/terms/`` — 登记换届 (``term_record``; ``party.change``): body ``election_date``,
  optional ``start_date`` (default: the 换届日期) and ``end_date`` (default: by the term rule, 3 or 5 years);
  201 with the term;
- ``GET /api/organization-terms/`` (``?organization=<组织代码>``), ``GET …/{id}/``, ``PATCH …/{id}/`` (更正:
  ``version`` + any dates; a stale version is a 409 naming who changed what).

Outside the scope an organization or term is a 404; bad input a 400 with every problem by field."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action as drf_action
from rest_framework.response import Response

from zugong.core.api import (
    API_NAMESPACE,
    ScopedListMixin,
    ScopedRetrieveMixin,
    ScopedUpdateMixin,
    ScopedViewSet,
    parse_input,
)
from zugong.core.errors import OutOfScope
from zugong.orgs import terms as term_services
from zugong.orgs.models import OrganizationTerm, PartyOrganization
from zugong.orgs.selectors import organization_get


class TermSerializer(serializers.Serializer):
    """一届：换届日期、本届任期开始、届满日期（该日任期届满）。"""

    id = serializers.IntegerField()
    organization_id = serializers.IntegerField(help_text="党组织ID")
    organization_code = serializers.CharField(source="organization.code", help_text="组织代码")
    election_date = serializers.DateField(help_text="换届日期")
    start_date = serializers.DateField(help_text="本届任期开始")
    end_date = serializers.DateField(help_text="届满日期")
    version = serializers.IntegerField(help_text="版本号（更正时须带上）")


class TermCreateSerializer(serializers.Serializer):
    """登记换届。"""

    election_date = serializers.CharField(label=term_services.ELECTION, help_text="换届日期 YYYY-MM-DD")
    start_date = serializers.CharField(label=term_services.START, required=False, allow_blank=True, default="",
                                       help_text="本届任期开始（默认为换届日期）")
    end_date = serializers.CharField(label=term_services.END, required=False, allow_blank=True, default="",
                                     help_text="届满日期（默认：村、社区党组织和党委5年，其他3年）")


class TermPatchSerializer(serializers.Serializer):
    """更正届次：``version`` 与要更正的日期。"""

    version = serializers.IntegerField(label="版本号", help_text="读取时的版本号；不一致返回 409")
    election_date = serializers.CharField(label=term_services.ELECTION, required=False)
    start_date = serializers.CharField(label=term_services.START, required=False)
    end_date = serializers.CharField(label=term_services.END, required=False, allow_blank=True)


class TermFilterSet(django_filters.FilterSet):
    """``?organization=<组织代码>``."""

    organization = django_filters.CharFilter(field_name="organization__code", label="组织代码")

    class Meta:
        model = OrganizationTerm
        fields = ["organization"]


@extend_schema_view(
    list=extend_schema(summary="届次列表", description="数据范围内各党组织的届次。"),
    retrieve=extend_schema(summary="届次", description="不在数据范围内返回 404。"),
    partial_update=extend_schema(summary="更正届次", request=TermPatchSerializer, responses={200: TermSerializer},
                                 description="须带读取时的 version；记录已被他人修改时返回 409。"),
)
class OrganizationTermViewSet(ScopedListMixin, ScopedRetrieveMixin, ScopedUpdateMixin, ScopedViewSet):
    """``/api/organization-terms/``."""

    model = OrganizationTerm
    list_selector = term_services.term_list
    get_selector = term_services.term_get
    serializer_class = TermSerializer
    update_serializer_class = TermPatchSerializer
    filterset_class = TermFilterSet
    not_found = "届次记录不存在或不在您的数据范围内。"

    def update_object(self, obj, *, expected_version, changes):
        return term_services.term_update(user=self.request.user, term_id=obj.pk, expected_version=expected_version,
                                         changes=changes)


_ORG_ID = OpenApiParameter("pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="党组织ID")


class OrganizationTermsViewSet(ScopedViewSet):
    """``/api/organizations/{id}/terms/``: ``GET`` (``party.view``) the organization's terms, ``POST``
    (``party.change``) records a new one. The URL's record is the organization, fetched in the scope of
    the method first (404 outside)."""

    model = OrganizationTerm
    object_model = PartyOrganization
    get_selector = organization_get
    serializer_class = TermSerializer
    not_found = "组织不存在或不在您的数据范围内。"
    pagination_class = None

    def scope_action(self) -> str:
        """``view`` to read the terms, ``change`` to record one."""
        return "change" if self.request.method.upper() == "POST" else "view"

    @extend_schema(methods=["GET"], summary="党组织的届次", parameters=[_ORG_ID], responses={200: TermSerializer(many=True)})
    @extend_schema(methods=["POST"], summary="登记换届", parameters=[_ORG_ID], request=TermCreateSerializer,
                   responses={201: TermSerializer},
                   description="换届日期不晚于今天、不早于组织成立日期；届满日期须晚于本届任期开始。校验失败返回 400。")
    @drf_action(detail=True, methods=["get", "post"], url_path="terms", url_name="terms")
    def terms(self, request, *args, **kwargs):
        org = self.get_object()
        if request.method.upper() == "POST":
            data = parse_input(TermCreateSerializer, request.data, context=self.get_serializer_context())
            created = term_services.term_record(user=request.user, organization_id=org.pk, **data)
            fresh = term_services.term_get(user=request.user, pk=created.pk)
            if fresh is None:
                raise OutOfScope(self.not_found)
            return Response(TermSerializer(fresh).data, status=status.HTTP_201_CREATED)
        return Response(TermSerializer(term_services.organization_terms(user=request.user, organization=org),
                                       many=True).data)

    terms.scope_action = "view"  # the GET route; POST is declared in scoped_view_specs

    @classmethod
    def scoped_view_specs(cls, *, basename: str, namespace: str = API_NAMESPACE) -> list[dict]:
        """Two declarations of the one URL: ``GET`` (kind ``detail``, ``view``) and ``POST`` (kind
        ``action``, ``change``), both naming the organization by ``pk``."""
        common = {"url_name": f"{namespace}:{basename}-terms", "model": cls.model._meta.label, "object_arg": "pk",
                  "object_model": cls.object_model._meta.label, "api": True}
        return [{**common, "kind": "detail", "action": "view", "methods": ("GET",)},
                {**common, "kind": "action", "action": "change", "methods": ("POST",)}]
