"""书记持证上岗 API (``branches.certification``), the same services and selectors as the pages:

- ``GET  /api/training-records/`` — training/exam records in the scope (``?org=<组织代码>``: that subtree;
  ``?person=<人员ID>``, ``?passed=true|false``); ``GET /api/training-records/{id}/``;
- ``POST /api/training-records/`` — 登记 (``training_record``; ``party.add`` on ``organization``): 201, or
  400 with every problem by field; an organization outside the scope is a 404;
- ``POST /api/training-records/{id}/certificate/`` — 颁发证书 on that passed exam (``certificate_issue``;
  ``party.add`` on the record's organization): 201 with the certificate;
- ``GET  /api/secretary-certificates/`` — certificates in the scope (``?org=``, ``?person=``,
  ``?valid_on=YYYY-MM-DD``); ``GET /api/secretary-certificates/{id}/``;
- ``POST /api/secretary-certificates/{id}/revoke/`` (``version``, ``revoked_date``, ``reason``) and
  ``…/{id}/renew/`` (``number``, ``issued_date``, ``valid_until``, ``issuer``: 201 with the new one);
- ``GET  /api/stats/certification/?org=<组织代码>&on=YYYY-MM-DD`` — ``certified_rate`` (the dict documented
  there).

Outside the scope every record and organization is a 404. The viewsets are ``core.api.ScopedViewSet``s, so
their routes are declared for the generated scope tests."""

from __future__ import annotations

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from zugong.branches import certification as cert
from zugong.branches.models import SecretaryCertificate, TrainingRecord
from zugong.core.api import (
    ScopedCreateMixin,
    ScopedListMixin,
    ScopedRetrieveMixin,
    ScopedViewSet,
    parse_input,
    scoped_action,
)
from zugong.core.errors import OutOfScope
from zugong.party.api.serializers import OrganizationRefSerializer


class TrainingRecordSerializer(serializers.Serializer):
    """一条书记培训考试记录。"""

    id = serializers.IntegerField()
    person_id = serializers.IntegerField(help_text="人员ID")
    person_name = serializers.CharField(source="person.name", help_text="姓名")
    organization = OrganizationRefSerializer(help_text="党组织（范围锚点）")
    training_name = serializers.CharField(help_text="培训名称")
    organizer = serializers.CharField(help_text="举办单位")
    start_date = serializers.DateField(help_text="开始日期")
    end_date = serializers.DateField(help_text="结束日期（含当日）")
    class_hours = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True, help_text="学时")
    exam_date = serializers.DateField(allow_null=True, help_text="考试日期")
    exam_score = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True, help_text="考试成绩（0–100）")
    passed = serializers.BooleanField(help_text="考试合格")
    note = serializers.CharField(help_text="备注")


class CertificateSerializer(serializers.Serializer):
    """一张《党支部书记任职资格证书》（发证日期至有效期至有效，撤销日期起失效）。"""

    id = serializers.IntegerField()
    person_id = serializers.IntegerField(help_text="人员ID")
    person_name = serializers.CharField(source="person.name", help_text="姓名")
    organization = OrganizationRefSerializer(help_text="党组织（范围锚点）")
    number = serializers.CharField(help_text="证书编号")
    issued_date = serializers.DateField(help_text="发证日期")
    valid_until = serializers.DateField(help_text="有效期至（含当日）")
    issuer = serializers.CharField(help_text="发证机关")
    training_id = serializers.IntegerField(allow_null=True, help_text="依据的培训考试记录ID")
    renews_id = serializers.IntegerField(allow_null=True, help_text="换发的原证书ID")
    revoked_date = serializers.DateField(allow_null=True, help_text="撤销日期")
    revoked_reason = serializers.CharField(help_text="撤销原因")
    note = serializers.CharField(help_text="备注")
    version = serializers.IntegerField(help_text="版本号（撤销时须带上）")


class TrainingCreateSerializer(serializers.Serializer):
    """登记培训考试。日期 YYYY-MM-DD。"""

    organization = serializers.CharField(label="党组织", help_text="组织代码")
    person_id = serializers.IntegerField(label="人员", help_text="人员ID（须为培训开始日的党员）")
    training_name = serializers.CharField(label="培训名称", max_length=200)
    organizer = serializers.CharField(label="举办单位", required=False, allow_blank=True, default="", max_length=200)
    start_date = serializers.CharField(label="开始日期")
    end_date = serializers.CharField(label="结束日期")
    class_hours = serializers.CharField(label="学时", required=False, allow_blank=True, allow_null=True, default=None)
    exam_date = serializers.CharField(label="考试日期", required=False, allow_blank=True, allow_null=True, default=None)
    exam_score = serializers.CharField(label="考试成绩", required=False, allow_blank=True, allow_null=True, default=None,
                                       help_text="0–100")
    passed = serializers.BooleanField(label="考试合格", required=False, default=False)
    note = serializers.CharField(label="备注", required=False, allow_blank=True, default="", max_length=500)


class CertificateInputSerializer(serializers.Serializer):
    """颁发 / 换发证书。"""

    number = serializers.CharField(label="证书编号", max_length=50)
    issued_date = serializers.CharField(label="发证日期")
    valid_until = serializers.CharField(label="有效期至", required=False, allow_blank=True, default="",
                                        help_text="不填按有效年限计算")
    issuer = serializers.CharField(label="发证机关", max_length=200)
    note = serializers.CharField(label="备注", required=False, allow_blank=True, default="", max_length=500)


class RevokeSerializer(serializers.Serializer):
    """撤销证书。"""

    version = serializers.IntegerField(label="版本号")
    revoked_date = serializers.CharField(label="撤销日期")
    reason = serializers.CharField(label="撤销原因", max_length=500)


def _subtree(queryset, name, value):
    return cert.subtree_filter(queryset, value)


class TrainingFilterSet(django_filters.FilterSet):
    """``?org=``, ``?person=``, ``?passed=``."""

    org = django_filters.CharFilter(method=_subtree, label="组织代码")
    person = django_filters.NumberFilter(field_name="person_id", label="人员ID")
    passed = django_filters.BooleanFilter(label="考试合格")

    class Meta:
        model = TrainingRecord
        fields = ["org", "person", "passed"]


class CertificateFilterSet(django_filters.FilterSet):
    """``?org=``, ``?person=``, ``?valid_on=YYYY-MM-DD``."""

    org = django_filters.CharFilter(method=_subtree, label="组织代码")
    person = django_filters.NumberFilter(field_name="person_id", label="人员ID")
    valid_on = django_filters.DateFilter(method=lambda qs, name, value: qs.filter(cert.valid_on(value)),
                                         label="该日有效")

    class Meta:
        model = SecretaryCertificate
        fields = ["org", "person", "valid_on"]


class TrainingRecordViewSet(ScopedListMixin, ScopedCreateMixin, ScopedRetrieveMixin, ScopedViewSet):
    """``/api/training-records/``: list, create, one record, and ``…/{id}/certificate/``."""

    model = TrainingRecord
    list_selector = cert.training_list
    get_selector = cert.training_get
    serializer_class = TrainingRecordSerializer
    create_serializer_class = TrainingCreateSerializer
    filterset_class = TrainingFilterSet
    not_found = cert.NOT_FOUND_TRAINING

    def create_object(self, data: dict):
        return cert.training_record(user=self.request.user, **data)

    @scoped_action(scope="add", input=CertificateInputSerializer, output=CertificateSerializer, url_path="certificate",
                   summary="颁发党支部书记任职资格证书",
                   description="依据该条考试合格记录颁发证书（发证前规定年限内考试合格；证书编号不能重复）。校验失败返回 400。")
    def certificate(self, request, obj, data):
        created = cert.certificate_issue(user=request.user, person_id=obj.person_id, organization=obj.organization,
                                         training_id=obj.pk, **data)
        fresh = cert.certificate_get(user=request.user, pk=created.pk)
        if fresh is None:
            raise OutOfScope(cert.NOT_FOUND_CERTIFICATE)
        return Response(CertificateSerializer(fresh).data, status=status.HTTP_201_CREATED)


class SecretaryCertificateViewSet(ScopedListMixin, ScopedRetrieveMixin, ScopedViewSet):
    """``/api/secretary-certificates/``: list, one certificate, ``…/{id}/revoke/`` and ``…/{id}/renew/``."""

    model = SecretaryCertificate
    list_selector = cert.certificate_list
    get_selector = cert.certificate_get
    serializer_class = CertificateSerializer
    filterset_class = CertificateFilterSet
    not_found = cert.NOT_FOUND_CERTIFICATE

    @scoped_action(scope="change", input=RevokeSerializer, url_path="revoke", summary="撤销任职资格证书",
                   description="自撤销日期起证书失效。version 不一致返回 409。")
    def revoke(self, request, obj, data):
        return cert.certificate_revoke(user=request.user, certificate_id=obj.pk, revoked_date=data["revoked_date"],
                                       reason=data["reason"], expected_version=data["version"])

    @scoped_action(scope="change", input=CertificateInputSerializer, url_path="renew", summary="换发任职资格证书",
                   description="须有原证书发证后、新证发证前规定年限内的考试合格记录。返回新证书（201）。")
    def renew(self, request, obj, data):
        new = cert.certificate_renew(user=request.user, certificate_id=obj.pk, **data)
        fresh = cert.certificate_get(user=request.user, pk=new.pk)
        if fresh is None:
            raise OutOfScope(cert.NOT_FOUND_CERTIFICATE)
        return Response(CertificateSerializer(fresh).data, status=status.HTTP_201_CREATED)


class RateQuerySerializer(serializers.Serializer):
    org = serializers.CharField(label="组织代码")
    on = serializers.DateField(label="统计日期", required=False)


class CertifiedRateView(APIView):
    """``GET /api/stats/certification/?org=&on=``: ``branches.certification.certified_rate``."""

    @extend_schema(operation_id="stats_certification", summary="书记持证上岗率",
                   description="组织（含下级）在统计日的支部数、有书记的支部数、书记空缺、持证、未持证、90天内到期、已过期及持证上岗率"
                               "（持证 ÷ 有书记的支部）。不在数据范围内的组织返回 404。",
                   parameters=[OpenApiParameter("org", OpenApiTypes.STR, OpenApiParameter.QUERY, required=True,
                                                description="组织代码"),
                               OpenApiParameter("on", OpenApiTypes.DATE, OpenApiParameter.QUERY, required=False,
                                                description="统计日期，默认今天")],
                   responses={200: OpenApiTypes.OBJECT}, tags=["统计报表"])
    def get(self, request):
        from django.utils import timezone

        params = parse_input(RateQuerySerializer, request.query_params)
        organization = cert.organization_in_scope(user=request.user, code=params["org"])
        return Response(cert.certified_rate(user=request.user, organization=organization,
                                            on=params.get("on") or timezone.localdate()))
