"""Party life records (组织生活, issue #11): meetings with their attendance, and the compliance rule table.

Sources: 《中国共产党支部工作条例（试行）》 (2018) 第十七–十九条 (三会一课, 主题党日, 组织生活会, 民主评议党员,
谈心谈话); ``shared/rules.md`` §2."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zugong.core.scoping import BaseModel
from zugong.life.choices import (
    ATTENDANCE_STATUS,
    EVALUATION_HANDLING,
    EVALUATION_RESULT,
    MEETING_TYPE,
    RULE_APPLIES_TO,
    RULE_PERIOD,
)


class Meeting(BaseModel):
    """One meeting of party life held by ``organization`` on ``date``.

    ``organization`` is the body that held it: a branch (党支部/联合党支部/临时党支部), a party group (党小组,
    for 党小组会) or a committee / general branch (recorded, but not branch compliance). ``expected_count``
    (应到) and ``attended_count`` (实到) are computed from the roster as of ``date`` when attendance rows
    exist, and taken as given for a ledger row without names; ``attended_count <= expected_count``.
    ``lecturer`` is who gave a 党课; ``secretary_lecture`` marks the branch secretary's own lecture (书记讲党课,
    ≥ 1 per year). ``absentee_note`` keeps a ledger's 缺席人员 text where names could not be matched to
    attendance rows. ``source``: ``entry`` (recorded in Zugong) or ``import`` (ledger import)."""

    scope_org_field = "organization"
    data_label = "party"

    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT, related_name="meetings",
                                     verbose_name="党组织")
    meeting_type = models.CharField("会议类型", max_length=30, choices=MEETING_TYPE.choices)
    date = models.DateField("会议日期")
    topic = models.CharField("会议主题", max_length=200)
    presenter = models.CharField("主持人", max_length=100, blank=True, default="")
    recorder = models.CharField("记录人", max_length=100, blank=True, default="")
    lecturer = models.CharField("主讲人", max_length=100, blank=True, default="")
    secretary_lecture = models.BooleanField("书记讲党课", default=False)
    location = models.CharField("会议地点", max_length=200, blank=True, default="")
    expected_count = models.PositiveIntegerField("应到人数")
    attended_count = models.PositiveIntegerField("实到人数")
    absentee_note = models.CharField("缺席人员", max_length=1000, blank=True, default="")
    minutes = models.TextField("会议记录", blank=True, default="")
    source = models.CharField("来源", max_length=10, choices=[("entry", "录入"), ("import", "导入")], default="entry")

    class Meta:
        verbose_name = "组织生活会议"
        verbose_name_plural = "组织生活会议"
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(attended_count__lte=models.F("expected_count")),
                                   name="life_meeting_attended_le_expected"),
        ]
        indexes = [
            models.Index(fields=["organization", "date"], name="life_meeting_org_date_idx"),
            # covering the compliance engine's grouped count (life.compliance: type × date range →
            # organization × 书记讲党课 × month) without reading the table rows
            models.Index(fields=["meeting_type", "date", "organization", "secretary_lecture"],
                         name="life_meeting_type_cover_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {MEETING_TYPE.label(self.meeting_type)} {self.topic}"


class MeetingAttendance(BaseModel):
    """One roster member's attendance at a meeting: ``status`` 出席 / 请假 / 缺席 with ``reason`` (required
    for 请假 and 缺席); ``mobile`` marks a 流动党员 (counted in 应到, noted as 流动党员 in the record).
    One row per (meeting, person)."""

    scope_org_field = "meeting__organization"
    data_label = "party"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name="会议")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="meeting_attendances",
                               verbose_name="人员")
    status = models.CharField("出席情况", max_length=10, choices=ATTENDANCE_STATUS.choices, default="present")
    reason = models.CharField("缺席原因", max_length=200, blank=True, default="")
    mobile = models.BooleanField("流动党员", default=False)

    class Meta:
        verbose_name = "会议出席情况"
        verbose_name_plural = "会议出席情况"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="life_attendance_one_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} {ATTENDANCE_STATUS.label(self.status)}"


class ComplianceRule(models.Model):
    """组织生活要求: at least ``min_count`` meetings of ``meeting_type`` per ``period`` (月/季度/年) in every
    branch the rule ``applies_to`` (全部 / 设支委会的 / 设党小组的), from ``effective_from`` (to
    ``effective_to``, exclusive, if set), with the ``regulation`` and ``article`` it comes from.
    ``secretary_lecture_only``: only 党课 given by the branch secretary count (书记讲党课 ≥ 1 per year).

    Deployment-wide configuration, not business data (no scope): the shipped defaults (``is_builtin``,
    stable ``code``) are kept in the database after every ``migrate``; a deployment adds local rules
    (``is_builtin=False``) or ends a default with ``effective_to``."""

    scope_exempt = "configuration: the deployment's rule table, the same for every organization"

    code = models.CharField("规则代码", max_length=50, unique=True)
    name = models.CharField("规则名称", max_length=100)
    meeting_type = models.CharField("会议类型", max_length=30, choices=MEETING_TYPE.choices)
    min_count = models.PositiveSmallIntegerField("最少次数", default=1)
    period = models.CharField("考核周期", max_length=10, choices=RULE_PERIOD.choices)
    applies_to = models.CharField("适用党支部", max_length=20, choices=RULE_APPLIES_TO.choices, default="all")
    secretary_lecture_only = models.BooleanField("仅计书记讲党课", default=False)
    regulation = models.CharField("依据", max_length=200)
    article = models.CharField("条款", max_length=50, blank=True, default="")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True)
    is_builtin = models.BooleanField("系统预置", default=False)
    note = models.CharField("说明", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "组织生活要求"
        verbose_name_plural = "组织生活要求"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(min_count__gte=1), name="life_rule_min_count_positive"),
        ]

    def __str__(self) -> str:
        return self.name



class MeetingAttachment(BaseModel):
    """A file attached to a meeting record (签到表扫描件, 会议记录, 照片…): ``original_name`` as uploaded,
    ``size`` in bytes (≤ ``life.attachments.MAX_BYTES``, 20 MB), ``content_type`` as determined from the
    content's magic bytes (PDF, JPEG, PNG, DOCX/DOC, XLSX/XLS), ``uploaded_by``.

    The bytes live in ``MeetingAttachmentContent`` (one row per attachment, in the database, not on the file
    system): written and rolled back in the same transaction as the record, covered by the database backup,
    no orphan file when a meeting is deleted (cascade), and kept out of the change log (which records this
    row's metadata only). Downloads go through a scoped view (``life:attachment_download``)."""

    scope_org_field = "meeting__organization"
    data_label = "party"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments", verbose_name="会议")
    original_name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    content_type = models.CharField("文件类型", max_length=100)
    uploaded_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name="上传人")

    class Meta:
        verbose_name = "会议附件"
        verbose_name_plural = "会议附件"
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return self.original_name


class MeetingAttachmentContent(models.Model):
    """The bytes of one ``MeetingAttachment`` (see there). Not a business record of its own: it is read
    only through its scoped attachment (``life.selectors.attachment_content``) and is not in the change log
    (its metadata row is)."""

    scope_exempt = "the bytes of a MeetingAttachment, read only through that scoped record (life.selectors)"

    attachment = models.OneToOneField(MeetingAttachment, on_delete=models.CASCADE, primary_key=True,
                                      related_name="stored", verbose_name="附件")
    content = models.BinaryField("文件内容")

    class Meta:
        verbose_name = "会议附件内容"
        verbose_name_plural = "会议附件内容"

    def __str__(self) -> str:
        return f"附件 #{self.attachment_id} 的内容"


class MemberEvaluation(BaseModel):
    """One member's result in the 民主评议党员 of ``year`` (评议年度) at ``organization`` (the branch that held it).

    ``result``: 优秀 / 合格 / 基本合格 / 不合格 (``EVALUATION_RESULT``); ``handling``: the 组织处置 of an 不合格
    result (限期改正 / 劝退 / 劝而不退除名 / 自行脱党除名, ``EVALUATION_HANDLING``: the columns of 党内统计年报
    第八表), blank for every other result. ``meeting``: the 民主评议党员 meeting (``Meeting`` of type
    ``member_evaluation``) where it was decided, when recorded. One row per (person, year): a member is
    evaluated once a year (《中国共产党支部工作条例（试行）》第十九条：党支部一般每年开展1次民主评议党员).
    Written only by ``life.evaluations.member_evaluation_record``."""

    scope_org_field = "organization"
    data_label = "party"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="member_evaluations",
                               verbose_name="党员")
    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT,
                                     related_name="member_evaluations", verbose_name="党组织")
    year = models.PositiveSmallIntegerField("评议年度")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="member_evaluations", verbose_name="民主评议党员会议")
    result = models.CharField("评议结果", max_length=30, choices=EVALUATION_RESULT.choices)
    handling = models.CharField("组织处置", max_length=30, choices=EVALUATION_HANDLING.choices, blank=True, default="")
    note = models.CharField("备注", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "民主评议党员结果"
        verbose_name_plural = "民主评议党员结果"
        ordering = ["-year", "organization_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="life_evaluation_one_per_person_year"),
            models.CheckConstraint(condition=Q(result="unqualified") | Q(handling=""),
                                   name="life_evaluation_handling_only_unqualified"),
        ]
        indexes = [models.Index(fields=["organization", "year"], name="life_evaluation_org_year_idx")]

    def __str__(self) -> str:
        return f"{self.year}年度 {EVALUATION_RESULT.label(self.result)}"
