"""Organization API: ``/api/organizations/`` (list, retrieve), read-only, scoped with
``PartyOrganization.objects.restrict(user, "view")`` — an organization outside the scope is a 404."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.db.models.functions import Length, Substr
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from zugong.orgs.api.serializers import OrganizationSerializer
from zugong.orgs.filtersets import OrganizationFilterSet
from zugong.orgs.models import PartyOrganization


@extend_schema_view(
    list=extend_schema(summary="党组织列表", description="当前用户数据范围内的党组织，按组织树顺序。"),
    retrieve=extend_schema(summary="党组织详情", description="不在数据范围内的组织返回 404。"),
)
class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    queryset = PartyOrganization.objects.none()  # schema generation; real rows come from get_queryset

    def get_queryset(self):
        user = self.request.user
        scoped = PartyOrganization.objects.restrict(user, "view")
        # The parent's code in one subquery per row (path minus the last step), itself scoped.
        parent = scoped.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - PartyOrganization.steplen)
        ).values("code")[:1]
        return scoped.annotate(parent_code=Subquery(parent)).order_by("path")
