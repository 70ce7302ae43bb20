"""组织生活会议 API (``life.services``; the same services as the pages):

- ``GET  /api/meetings/`` — meetings in the scope; ``?org=<组织代码>`` (that organization's subtree), ``?type=``
  (code or name), ``?period=`` (``2025``, ``2025-Q1``, ``2025-03``), ``?date_from=`` / ``?date_to=`` (YYYY-MM-DD,
  inclusive);
- ``POST /api/meetings/`` — record a meeting (``meeting_record``; ``party.add`` on ``organization``, given by
  组织代码): 201 with the record and ``warnings``; 400 with every problem by field;
- ``GET  /api/meetings/{id}/`` — one meeting with its attendance (``attendance``) and attachments;
- ``PATCH /api/meetings/{id}/`` — change it (``meeting_edit``; body ``version`` plus the fields): a stale
  ``version`` is a 409 naming who changed what;
- ``POST /api/meetings/{id}/delete/`` — delete it (``meeting_delete``; body ``reason``; ``party.delete``). A
  route of its own rather than ``DELETE`` because the reason is required and a body on ``DELETE`` is not
  dependable through proxies.

Outside the scope a meeting or organization is a 404. ``MeetingViewSet`` is a ``core.api.ScopedViewSet``: its
routes are declared with ``register_view`` so the generated scope tests cover them.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.response import Response

from zugong.core.api import ScopedModelViewSet, scoped_action
from zugong.core.errors import OutOfScope
from zugong.life import selectors, services
from zugong.life.filtersets import MeetingFilterSet
from zugong.life.models import Meeting
from zugong.orgs.selectors import organization_by_ref
from zugong.party.api.serializers import OrganizationRefSerializer


class AttendanceSerializer(serializers.Serializer):
    """一名党员的出席情况。"""

    person_id = serializers.IntegerField(help_text="人员ID")
    name = serializers.CharField(source="person.name", help_text="姓名")
    status = serializers.CharField(help_text="present 出席 / leave 请假 / absent 缺席")
    status_label = serializers.CharField(source="get_status_display")
    reason = serializers.CharField(help_text="请假、缺席原因")
    mobile = serializers.BooleanField(help_text="流动党员（会议当日）")


class AttachmentSerializer(serializers.Serializer):
    """会议附件（下载：``/life/attachments/{id}/``）。"""

    id = serializers.IntegerField()
    original_name = serializers.CharField(help_text="文件名")
    size = serializers.IntegerField(help_text="大小（字节）")
    content_type = serializers.CharField(help_text="文件类型")


class MeetingSerializer(serializers.Serializer):
    """一次组织生活会议（列表中不含出席情况）。"""

    id = serializers.IntegerField()
    organization = OrganizationRefSerializer(help_text="召开会议的党组织")
    meeting_type = serializers.CharField(help_text="会议类型代码")
    meeting_type_label = serializers.CharField(source="get_meeting_type_display")
    date = serializers.DateField(help_text="会议日期")
    topic = serializers.CharField(help_text="会议主题")
    presenter = serializers.CharField(help_text="主持人")
    recorder = serializers.CharField(help_text="记录人")
    lecturer = serializers.CharField(help_text="主讲人（党课）")
    secretary_lecture = serializers.BooleanField(help_text="书记讲党课")
    location = serializers.CharField(help_text="会议地点")
    expected_count = serializers.IntegerField(help_text="应到人数")
    attended_count = serializers.IntegerField(help_text="实到人数")
    absentee_note = serializers.CharField(help_text="缺席人员（台账中未能对应到党员的姓名）")
    source = serializers.CharField(help_text="entry 录入 / import 导入")
    version = serializers.IntegerField(help_text="版本号（修改时须带上）")


class MeetingDetailSerializer(MeetingSerializer):
    """一次组织生活会议，含出席情况和附件。"""

    minutes = serializers.CharField(help_text="会议记录")
    attendance = serializers.SerializerMethodField(help_text="出席情况（逐人；请假、缺席在前）")
    attachments = serializers.SerializerMethodField(help_text="附件")

    def get_attendance(self, meeting) -> list[dict]:
        user = self.context["request"].user
        return AttendanceSerializer(selectors.meeting_attendance(user=user, meeting=meeting), many=True).data

    def get_attachments(self, meeting) -> list[dict]:
        user = self.context["request"].user
        return AttachmentSerializer(selectors.meeting_attachments(user=user, meeting=meeting), many=True).data


class AttendanceInputSerializer(serializers.Serializer):
    """未出席的一名党员（未列出的党员按出席登记）。"""

    person_id = serializers.IntegerField(label="人员ID")
    status = serializers.CharField(label="出席情况", help_text="leave 请假 / absent 缺席（也可写中文）")
    reason = serializers.CharField(label="缺席原因", required=False, allow_blank=True, default="")


class _MeetingFields(serializers.Serializer):
    meeting_type = serializers.CharField(label="会议类型", help_text="代码或名称：支部党员大会、支委会、党小组会、党课…")
    date = serializers.CharField(label="会议日期", help_text="YYYY-MM-DD，不晚于今天")
    topic = serializers.CharField(label="会议主题", max_length=200)
    presenter = serializers.CharField(label="主持人", required=False, allow_blank=True, default="")
    recorder = serializers.CharField(label="记录人", required=False, allow_blank=True, default="")
    lecturer = serializers.CharField(label="主讲人", required=False, allow_blank=True, default="")
    secretary_lecture = serializers.BooleanField(label="书记讲党课", required=False, default=False)
    location = serializers.CharField(label="会议地点", required=False, allow_blank=True, default="")
    minutes = serializers.CharField(label="会议记录", required=False, allow_blank=True, default="")
    attendance = AttendanceInputSerializer(label="出席情况", many=True, required=False, allow_null=True, default=None,
                                           help_text="逐人登记：列出请假、缺席的党员（其余按会议当日的党员名单出席）；"
                                                     "不逐人登记时省略，填写应到、实到人数")
    expected_count = serializers.IntegerField(label="应到人数", required=False, allow_null=True, default=None)
    attended_count = serializers.IntegerField(label="实到人数", required=False, allow_null=True, default=None)
    absentee_note = serializers.CharField(label="缺席人员", required=False, allow_blank=True, default="")


class MeetingCreateSerializer(_MeetingFields):
    """记录会议。"""

    organization = serializers.CharField(label="党组织", help_text="组织代码")


class MeetingPatchSerializer(serializers.Serializer):
    """修改会议记录：只写要改的字段，须带 version。"""

    version = serializers.IntegerField(label="版本号")
    meeting_type = serializers.CharField(label="会议类型", required=False)
    date = serializers.CharField(label="会议日期", required=False)
    topic = serializers.CharField(label="会议主题", max_length=200, required=False)
    presenter = serializers.CharField(label="主持人", required=False, allow_blank=True)
    recorder = serializers.CharField(label="记录人", required=False, allow_blank=True)
    lecturer = serializers.CharField(label="主讲人", required=False, allow_blank=True)
    secretary_lecture = serializers.BooleanField(label="书记讲党课", required=False)
    location = serializers.CharField(label="会议地点", required=False, allow_blank=True)
    minutes = serializers.CharField(label="会议记录", required=False, allow_blank=True)
    attendance = AttendanceInputSerializer(label="出席情况", many=True, required=False, allow_null=True)
    expected_count = serializers.IntegerField(label="应到人数", required=False, allow_null=True)
    attended_count = serializers.IntegerField(label="实到人数", required=False, allow_null=True)
    absentee_note = serializers.CharField(label="缺席人员", required=False, allow_blank=True)


class MeetingDeleteSerializer(serializers.Serializer):
    """删除会议记录。"""

    reason = serializers.CharField(label="删除原因", max_length=200)


def _attendance(rows):
    if rows is None:
        return None
    return [(r["person_id"], r["status"], r.get("reason", "")) for r in rows]


@extend_schema_view(
    list=extend_schema(summary="组织生活会议列表", description="数据范围内的会议，最新的在前；可按 org、type、date_from、date_to 筛选。"),
    retrieve=extend_schema(summary="组织生活会议", description="含逐人出席情况和附件。不在数据范围内返回 404。"),
    create=extend_schema(summary="记录会议", responses={201: MeetingDetailSerializer},
                         description="与页面的「记录会议」相同的校验；返回的 warnings 为提醒（如支委会但未登记班子成员）。"),
    partial_update=extend_schema(summary="修改会议记录", description="version 不一致返回 409。"),
)
class MeetingViewSet(ScopedModelViewSet):
    """``/api/meetings/``: list, record, one meeting, ``PATCH`` and ``…/{id}/delete/``."""

    model = Meeting
    list_selector = selectors.meeting_list
    get_selector = selectors.meeting_get
    serializer_class = MeetingDetailSerializer
    create_serializer_class = MeetingCreateSerializer
    update_serializer_class = MeetingPatchSerializer
    filterset_class = MeetingFilterSet
    not_found = "会议记录不存在或不在您的数据范围内。"

    def get_serializer_class(self):
        return MeetingSerializer if getattr(self, "action", None) == "list" else MeetingDetailSerializer

    def create(self, request, *args, **kwargs):
        data = self.parse(self.create_serializer_class)
        org = organization_by_ref(user=request.user, ref=data.pop("organization"), action="add")
        if org is None:
            raise OutOfScope(services.ORG_NOT_FOUND)
        result = services.meeting_record(actor=request.user, organization=org,
                                         attendance=_attendance(data.pop("attendance")), **data)
        fresh = self.read_back(result.meeting)
        body = dict(MeetingDetailSerializer(fresh, context=self.get_serializer_context()).data)
        body["warnings"] = result.warnings
        return Response(body, status=status.HTTP_201_CREATED)

    def update_object(self, obj, *, expected_version: int, changes: dict):
        if "attendance" in changes:
            changes["attendance"] = _attendance(changes["attendance"])
        return services.meeting_edit(actor=self.request.user, meeting=obj, version=expected_version, **changes).meeting

    @scoped_action(scope="delete", input=MeetingDeleteSerializer, url_path="delete", kind="delete",
                   summary="删除会议记录", description="须填写删除原因（记入审计日志）；需要删除权限（支部书记没有）。")
    def remove(self, request, obj, data):
        services.meeting_delete(actor=request.user, meeting=obj, reason=data["reason"])
        return Response({"detail": "已删除会议记录。", "id": obj.pk}, status=status.HTTP_200_OK)
