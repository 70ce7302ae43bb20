"""发展党员 API (issue #11), the same services as the pages:

- ``GET  /api/development/`` — the records of the scope (``?org=<组织代码>``, ``?stage=``, ``?due=overdue|soon``,
  ``?name=``), each with its stage, next steps and due date; ``GET /api/development/{id}/`` — one record with
  its steps and participants;
- ``POST /api/development/{id}/steps/`` — record a step (``services.step_record``; ``party.change``): 200
  with the record; a refused move is a 400 whose ``detail`` names the step, the reason and the article;
- ``POST /api/development/people/{person_id}/start/`` — 登记入党申请 (第1步, ``services.development_start``;
  body ``organization`` (组织代码), ``application_date``): 201 with the new record.

Outside the scope a record or person is a 404. Both viewsets are ``ScopedViewSet``s (routes declared for
the generated scope tests)."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from zugong.core.api import ScopedListMixin, ScopedRetrieveMixin, ScopedViewSet, scoped_action
from zugong.core.errors import OutOfScope
from zugong.development import rules, selectors, services
from zugong.development.filtersets import DevelopmentFilterSet
from zugong.orgs.selectors import organization_by_code
from zugong.party.models import DevelopmentRecord
from zugong.people.models import Person


class StepSerializer(serializers.Serializer):
    """一个已登记的发展步骤。"""

    id = serializers.IntegerField()
    step = serializers.IntegerField(help_text="步骤 1–25")
    name = serializers.SerializerMethodField(help_text="步骤名称（《发展党员工作细则》用语）")
    article = serializers.SerializerMethodField(help_text="依据条款")
    date = serializers.DateField()
    actor = serializers.CharField(help_text="办理人（组织）")
    document = serializers.CharField()
    note = serializers.CharField()
    votes_expected = serializers.IntegerField(allow_null=True, help_text="应到（有表决权）")
    votes_expected_computed = serializers.IntegerField(allow_null=True, help_text="应到（按名册计算）")
    votes_present = serializers.IntegerField(allow_null=True)
    votes_in_favour = serializers.IntegerField(allow_null=True)
    training_days = serializers.IntegerField(allow_null=True)
    training_hours = serializers.IntegerField(allow_null=True)
    outcome = serializers.CharField(help_text="on_time 按期转正 / extended 延长预备期")
    extension_months = serializers.IntegerField(allow_null=True)
    special_reason = serializers.CharField()

    def get_name(self, obj) -> str:
        return rules.STEPS[obj.step].name

    def get_article(self, obj) -> str:
        return rules.STEPS[obj.step].article


class ParticipantSerializer(serializers.Serializer):
    person_id = serializers.IntegerField()
    person_name = serializers.CharField(source="person.name")
    role = serializers.CharField(help_text="mentor 培养联系人 / sponsor 入党介绍人")
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)


class RecordSerializer(serializers.Serializer):
    """发展党员记录及其步骤。"""

    id = serializers.IntegerField()
    person_id = serializers.IntegerField()
    person_name = serializers.CharField(source="person.name")
    organization = serializers.CharField(source="organization.code", help_text="培养党组织代码")
    organization_name = serializers.CharField(source="organization.name")
    application_date = serializers.DateField()
    activist_date = serializers.DateField(allow_null=True)
    candidate_date = serializers.DateField(allow_null=True)
    admission_date = serializers.DateField(allow_null=True)
    closed_date = serializers.DateField(allow_null=True)
    stage = serializers.SerializerMethodField(help_text="阶段")
    next_steps = serializers.SerializerMethodField(help_text="可登记的下一步骤")
    due = serializers.SerializerMethodField(help_text="下一期限 {label, date, state}")
    steps = StepSerializer(many=True, source="steps.all")
    participants = ParticipantSerializer(many=True, source="participants.all")

    def _status(self, obj):
        cache = self.context.setdefault("_status", {})
        if obj.pk not in cache:
            cache[obj.pk] = selectors.row_status(obj, timezone.localdate())
        return cache[obj.pk]

    def get_stage(self, obj) -> str:
        return self._status(obj).stage_label

    def get_next_steps(self, obj) -> list[int]:
        return self._status(obj).next_steps

    def get_due(self, obj) -> dict | None:
        s = self._status(obj)
        return {"label": s.due_label, "date": s.due_date, "state": s.state} if s.due_date else None


class StepInputSerializer(serializers.Serializer):
    """登记一个发展步骤（第2–25步）。"""

    step = serializers.IntegerField(label="步骤")
    date = serializers.DateField(label="日期")
    done_by = serializers.CharField(label="办理人（组织）", required=False, allow_blank=True, default="", max_length=100)
    document = serializers.CharField(label="材料（文号）", required=False, allow_blank=True, default="", max_length=200)
    note = serializers.CharField(label="备注", required=False, allow_blank=True, default="", max_length=500)
    votes_expected = serializers.IntegerField(label="应到", required=False, allow_null=True, default=None)
    votes_expected_reason = serializers.CharField(label="应到人数调整原因", required=False, allow_blank=True, default="")
    votes_present = serializers.IntegerField(label="实到", required=False, allow_null=True, default=None)
    votes_in_favour = serializers.IntegerField(label="赞成", required=False, allow_null=True, default=None)
    training_days = serializers.IntegerField(label="培训天数", required=False, allow_null=True, default=None)
    training_hours = serializers.IntegerField(label="培训学时", required=False, allow_null=True, default=None)
    outcome = serializers.CharField(label="转正意见", required=False, allow_blank=True, default="")
    extension_months = serializers.IntegerField(label="延长预备期（月）", required=False, allow_null=True, default=None)
    special_reason = serializers.CharField(label="特殊情况说明", required=False, allow_blank=True, default="")


class StartInputSerializer(serializers.Serializer):
    """登记入党申请（第1步）。"""

    organization = serializers.CharField(label="党支部代码")
    application_date = serializers.DateField(label="递交入党申请书日期")
    note = serializers.CharField(label="备注", required=False, allow_blank=True, default="", max_length=500)


class _FilterSet(DevelopmentFilterSet):
    class Meta:
        model = DevelopmentRecord
        fields = ["org", "stage", "due", "name"]


@extend_schema_view(list=extend_schema(summary="发展党员记录列表"), retrieve=extend_schema(summary="发展党员记录"))
class DevelopmentRecordViewSet(ScopedListMixin, ScopedRetrieveMixin, ScopedViewSet):
    """``/api/development/``: records in the scope, one record, and ``…/{id}/steps/``."""

    model = DevelopmentRecord
    list_selector = selectors.pipeline
    get_selector = selectors.record_get
    serializer_class = RecordSerializer
    filterset_class = _FilterSet
    lookup_value_regex = "[0-9]+"
    not_found = "发展党员记录不存在或不在您的数据范围内。"

    @scoped_action(scope="change", input=StepInputSerializer, url_path="steps", summary="登记发展步骤",
                   description="按程序登记下一步骤；不符合《发展党员工作细则》的返回 400，detail 写明步骤、原因和条款。")
    def steps(self, request, obj, data):
        services.step_record(actor=request.user, record=obj.pk, **data)
        return obj


class DevelopmentStartViewSet(ScopedViewSet):
    """``/api/development/people/{person_id}/start/``: 登记入党申请 (``party.add`` on the branch)."""

    model = DevelopmentRecord
    object_model = Person
    get_selector = selectors.person_for_start
    list_selector = selectors.record_list
    serializer_class = RecordSerializer
    lookup_value_regex = "[0-9]+"
    not_found = "人员不存在或不在您的数据范围内。"

    @scoped_action(scope="add", input=StartInputSerializer, url_path="start", summary="登记入党申请",
                   description="第1步：年满十八岁、非党员、没有未结束的培养记录。成功返回 201 及新记录。")
    def start(self, request, obj, data):
        org = organization_by_code(user=request.user, code=data["organization"], action="add")
        if org is None:
            raise OutOfScope("党组织不存在或不在您的数据范围内。")
        record = services.development_start(actor=request.user, person=obj.pk, organization=org,
                                            application_date=data["application_date"], note=data["note"])
        fresh = selectors.record_get(user=request.user, pk=record.pk)
        if fresh is None:
            raise OutOfScope(self.not_found)
        return Response(RecordSerializer(fresh, context=self.get_serializer_context()).data,
                        status=status.HTTP_201_CREATED)
