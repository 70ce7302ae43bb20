"""People API: ``POST /api/people/`` (create; with ``admission_date`` a party member — the same services as
the 新增党员 page: ``people.services.person_create`` / ``party.services.member_create``; 400 lists every
problem by field, an organization outside the ``basic.add``/``party.add`` scope is a 404),
``GET /api/people/{id}/`` (masked) and ``PATCH /api/people/{id}/`` with optimistic
locking — the body carries the ``version`` read; a stale version answers **409** naming who changed what
(``core.api``) and nothing is written. Scoped (``core.api.ScopedViewSet`` over ``people.selectors``):
``basic.view`` to read, ``basic.change`` to write; outside the scope a person is a 404. Sending an
``id_number`` needs ``basic.unmask`` on the person's organization: without it **403** with the reason,
nothing written."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view

from zugong.core.api import ScopedCreateMixin, ScopedRetrieveMixin, ScopedUpdateMixin, ScopedViewSet
from zugong.people import selectors
from zugong.people.api.serializers import PersonCreateSerializer, PersonPatchSerializer, PersonSerializer
from zugong.people.models import Person
from zugong.people.services import person_create, person_update

PARTY_KEYS = ("admission_date", "full_membership_date", "category", "occupation", "front_line", "start_date",
              "ownership", "migrant_worker", "migrant_business", "front_line_kind")
OCCUPATION_KEYS = ("occupation", "ownership", "migrant_worker", "migrant_business", "front_line", "front_line_kind")


@extend_schema_view(
    create=extend_schema(summary="新增人员（党员）", request=PersonCreateSerializer, responses={201: PersonSerializer},
                         description="校验与党员花名册导入相同；填写 admission_date 即作为党员登记。"
                                     "组织不在数据范围内返回 404；校验失败返回 400 及逐项错误（errors），不写入任何数据。"),
    retrieve=extend_schema(summary="人员", description="数据范围内的人员；敏感信息为掩码。"),
    partial_update=extend_schema(summary="修改人员", request=PersonPatchSerializer, responses={200: PersonSerializer},
                                 description="须带读取时的 version；记录已被他人修改时返回 409（说明修改人、时间和字段），"
                                             "且不写入任何数据。修改 id_number 须有该人员的「查看敏感信息明文」权限，否则返回 403。"),
)
class PersonViewSet(ScopedCreateMixin, ScopedRetrieveMixin, ScopedUpdateMixin, ScopedViewSet):
    model = Person
    list_selector = selectors.person_list
    get_selector = selectors.person_get
    serializer_class = PersonSerializer
    create_serializer_class = PersonCreateSerializer
    update_serializer_class = PersonPatchSerializer
    not_found = "人员不存在或不在您的数据范围内。"

    def create_object(self, data):
        user = self.request.user
        organization_id = data.pop("organization")
        party = {k: data.pop(k) for k in PARTY_KEYS if k in data}
        if not party.get("admission_date"):
            return person_create(user=user, organization_id=organization_id, **data)
        from zugong.party.services import member_create  # people does not depend on party

        data.pop("political_status", None)  # a member's political status follows the category
        occupation = {k: party.pop(k) for k in OCCUPATION_KEYS if k in party}  # clean_occupation's dict value
        return member_create(user=user, organization_id=organization_id, education_level=data.pop("education_level", ""),
                             occupation=occupation if occupation.get("occupation") else "", **data, **party)

    def update_object(self, obj, *, expected_version, changes):
        return person_update(user=self.request.user, person_id=obj.pk, expected_version=expected_version,
                             changes=changes)
