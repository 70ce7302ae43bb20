"""People API: ``POST /api/people/`` (create; with ``admission_date`` a party member — the same services as
the 新增党员 page: ``people.services.person_create`` / ``party.services.member_create``; 400 lists every
problem by field, an organization outside the ``basic.add``/``party.add`` scope is a 404),
``GET /api/people/{id}/`` (masked) and ``PATCH /api/people/{id}/`` with optimistic
locking — the body carries the ``version`` read; a stale version answers **409** (``ConcurrentEdit``
through ``core.api.exception_handler``) and nothing is written. Scoped: ``basic.view`` to read,
``basic.change`` to write; outside the scope a person is a 404. Sending an ``id_number`` needs
``basic.unmask`` on the person's organization: without it **403** with the reason, nothing written."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response

from zugong.people.api.serializers import PersonCreateSerializer, PersonPatchSerializer, PersonSerializer
from zugong.people.editing import person_update
from zugong.people.models import Person
from zugong.people.selectors import person_get
from zugong.people.services import person_create


@extend_schema_view(
    create=extend_schema(summary="新增人员（党员）", request=PersonCreateSerializer, responses={201: PersonSerializer},
                         description="校验与党员花名册导入相同；填写 admission_date 即作为党员登记。"
                                     "组织不在数据范围内返回 404；校验失败返回 400 及逐项错误（errors），不写入任何数据。"),
    retrieve=extend_schema(summary="人员", description="数据范围内的人员；敏感信息为掩码。"),
    partial_update=extend_schema(summary="修改人员", request=PersonPatchSerializer, responses={200: PersonSerializer},
                                 description="须带读取时的 version；记录已被他人修改时返回 409，且不写入任何数据。"
                                             "修改 id_number 须有该人员的「查看敏感信息明文」权限，否则返回 403。"),
)
class PersonViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                    viewsets.GenericViewSet):
    serializer_class = PersonSerializer
    queryset = Person.objects.none()  # schema generation; real rows come from get_queryset
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        action = "change" if self.request.method == "PATCH" else "view"
        return Person.objects.restrict(self.request.user, action).select_related("organization")

    def create(self, request, *args, **kwargs):
        payload = PersonCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        organization_id = data.pop("organization")
        party_keys = ("admission_date", "full_membership_date", "category", "occupation", "front_line", "start_date")
        party = {k: data.pop(k) for k in party_keys if k in data}
        if party.get("admission_date"):
            from zugong.party.services import member_create

            data.pop("political_status", None)
            person = member_create(user=request.user, organization_id=organization_id,
                                   education_level=data.pop("education_level", ""), occupation=party.pop("occupation", ""),
                                   **data, **party)
        else:
            person = person_create(user=request.user, organization_id=organization_id, **data)
        person = person_get(user=request.user, pk=person.pk, action="add")  # both services require basic.add
        return Response(PersonSerializer(person).data, status=201)

    def partial_update(self, request, *args, **kwargs):
        person = self.get_object()  # 404 outside the change scope
        payload = PersonPatchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version")
        updated = person_update(user=request.user, person_id=person.pk, expected_version=version, changes=data)
        updated = self.get_queryset().get(pk=updated.pk)
        return Response(PersonSerializer(updated).data)
