"""Cadre work records (干部工作, issue #12): posts, quotas and establishment per unit; appointments and
ranks; the cadre record (干部信息: profile, education, résumé, family, photo, assessments); dossier
findings; the reserve pool; the supervision records that ban promotion.

**Scope.** Every model is scoped by the **unit tree** (``orgs.Unit``, anchor kind ``"unit"``) and carries
the data label ``cadre`` (干部信息) — except ``AnnualAssessment`` (label ``assessment``) and
``SupervisionRecord`` (label ``discipline``). A cadre's unit is ``Cadre.unit``; a post's is ``Post.unit``;
an appointment is scoped by the unit of its post (``post__unit``), so an appointment to a post in another
unit's subtree needs a grant there. The ``Person`` behind a cadre keeps its own party-organization scope
(label ``basic``); cadre pages show the person's basic fields to whoever may see the cadre.

**Dates.** Effective-dated rows hold on day D when ``start_date <= D`` and (``end_date`` is empty or
``D < end_date``): ``end_date`` is the first day no longer held (免职日期). Month-precision values from
files (``yyyyMM``) are stored as the 1st of the month.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from zugong.cadres.choices import (
    APPOINTMENT_METHOD,
    ASSESSMENT_GRADE,
    CADRE_STATUS,
    DEGREE,
    DOSSIER_CHECK,
    DOSSIER_PROBLEM,
    EDUCATION_CATEGORY,
    ESTABLISHMENT_TYPE,
    FINDING_STATUS,
    POST_LEVEL,
    RANK,
    RESERVE_EXIT,
    RESERVE_LIST,
    SUPERVISION_KIND,
)
from zugong.core.codes import EDUCATION
from zugong.core.scoping import BaseModel


def _period_constraint(prefix: str, *, strict: bool = True) -> models.CheckConstraint:
    cond = Q(end_date__gt=F("start_date")) if strict else Q(end_date__gte=F("start_date"))
    return models.CheckConstraint(condition=Q(end_date__isnull=True) | cond, name=f"{prefix}_end_after_start")


# ----- posts, quotas, establishment (item 1) ----------------------------------------------------------------


class Post(BaseModel):
    """A post (职务岗位) of ``unit``: ``name`` as used in the unit (GB/T 12403 code in ``post_code`` when
    known), ``level`` (GB/T 12407, ``POST_LEVEL``), ``leadership`` (领导职务), ``counts_against_quota``
    (占职数), ``max_holders`` (how many may hold it on one day; 1 = a single-holder post such as 局长).
    Effective over ``[start_date, end_date)``."""

    scope_org_field = "unit"
    data_label = "cadre"

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="posts", verbose_name="单位")
    name = models.CharField("职务名称", max_length=100)
    post_code = models.CharField("职务代码", max_length=10, blank=True, default="")
    level = models.CharField("职务级别", max_length=3, choices=POST_LEVEL.choices)
    leadership = models.BooleanField("领导职务", default=True)
    counts_against_quota = models.BooleanField("占用职数", default=True)
    max_holders = models.PositiveSmallIntegerField("可任职人数", default=1)
    position = models.PositiveIntegerField("排序", default=0)
    start_date = models.DateField("设立日期")
    end_date = models.DateField("撤销日期", null=True, blank=True)
    note = models.CharField("备注", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "职务岗位"
        verbose_name_plural = "职务岗位"
        ordering = ["unit_id", "position", "id"]
        constraints = [_period_constraint("cadres_post")]
        indexes = [models.Index(fields=["unit", "level"], name="cadres_post_unit_level_idx")]

    def __str__(self) -> str:
        return f"{self.unit}{self.name}"


class PostQuota(BaseModel):
    """职数 (``post_quota``): how many leadership posts of ``level`` ``unit`` may fill over
    ``[start_date, end_date)``, approved by ``document_number``. ``count >= 0``."""

    scope_org_field = "unit"
    data_label = "cadre"

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="post_quotas", verbose_name="单位")
    level = models.CharField("职务级别", max_length=3, choices=POST_LEVEL.choices)
    count = models.IntegerField("职数")
    start_date = models.DateField("生效日期")
    end_date = models.DateField("失效日期", null=True, blank=True)
    document_number = models.CharField("批准文号", max_length=100, blank=True, default="")

    class Meta:
        verbose_name = "领导职数"
        verbose_name_plural = "领导职数"
        ordering = ["unit_id", "level", "start_date"]
        constraints = [
            _period_constraint("cadres_quota"),
            models.CheckConstraint(condition=Q(count__gte=0), name="cadres_quota_count_not_negative"),
        ]
        indexes = [models.Index(fields=["unit", "level", "start_date"], name="cadres_quota_unit_level_idx")]


class Establishment(BaseModel):
    """编制 (``establishment``) of ``unit`` by ``establishment_type`` (行政/参公/事业/企业/合同) over
    ``[start_date, end_date)``. ``count >= 0``."""

    scope_org_field = "unit"
    data_label = "cadre"

    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="establishments",
                             verbose_name="单位")
    establishment_type = models.CharField("编制类型", max_length=30, choices=ESTABLISHMENT_TYPE.choices)
    count = models.IntegerField("编制数")
    start_date = models.DateField("生效日期")
    end_date = models.DateField("失效日期", null=True, blank=True)
    document_number = models.CharField("批准文号", max_length=100, blank=True, default="")

    class Meta:
        verbose_name = "编制"
        verbose_name_plural = "编制"
        ordering = ["unit_id", "establishment_type", "start_date"]
        constraints = [
            _period_constraint("cadres_establishment"),
            models.CheckConstraint(condition=Q(count__gte=0), name="cadres_establishment_count_not_negative"),
        ]


# ----- the cadre record (item 3) ------------------------------------------------------------------------------


class Cadre(BaseModel):
    """干部 (``Cadre``): the cadre profile of a ``Person`` (one per person), kept by ``unit`` (人事关系所在
    单位, the scope anchor). Values as the 干部任免审批表 carries them: 籍贯, 出生地, 健康状况, 入党时间
    (``party_joined_date`` and, for a democratic party, ``other_party``), 专业技术职务, 熟悉专业有何专长,
    现任职务 (``current_post_title`` as written), the recorded 任现职时间 / 任同级职务时间 (from the dossier or
    a roster; the appointment records give the computed ones), 奖惩情况, 年度考核结果 (text as written),
    the form's own fields (拟任/拟免职务, 任免理由, 呈报单位, 填表人, 填表时间, 计算年龄时间), and the cadre
    identity (一身份: ``identity_since`` with its ``identity_document``). Ages are never stored."""

    scope_org_field = "unit"
    data_label = "cadre"

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, related_name="cadre",
                                  verbose_name="人员")
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, related_name="cadres", verbose_name="所在单位")
    status = models.CharField("干部状态", max_length=20, choices=CADRE_STATUS.choices, default="serving")
    establishment_type = models.CharField("编制类型", max_length=30, choices=ESTABLISHMENT_TYPE.choices, blank=True,
                                          default="")
    native_place = models.CharField("籍贯", max_length=100, blank=True, default="")
    birthplace = models.CharField("出生地", max_length=100, blank=True, default="")
    health = models.CharField("健康状况", max_length=50, blank=True, default="")
    party_joined_date = models.DateField("入党时间", null=True, blank=True)
    other_party = models.CharField("民主党派", max_length=50, blank=True, default="")
    professional_title = models.CharField("专业技术职务", max_length=200, blank=True, default="")
    specialty = models.CharField("熟悉专业有何专长", max_length=500, blank=True, default="")
    current_post_title = models.CharField("现任职务", max_length=500, blank=True, default="")
    current_post_since = models.DateField("任现职时间", null=True, blank=True)
    same_level_since = models.DateField("任同级职务时间", null=True, blank=True)
    rewards_punishments = models.TextField("奖惩情况", blank=True, default="")
    assessment_summary = models.TextField("年度考核结果", blank=True, default="")
    proposed_post = models.CharField("拟任职务", max_length=500, blank=True, default="")
    proposed_removal = models.CharField("拟免职务", max_length=500, blank=True, default="")
    appointment_reason = models.TextField("任免理由", blank=True, default="")
    reporting_unit = models.CharField("呈报单位", max_length=200, blank=True, default="")
    form_filled_by = models.CharField("填表人", max_length=50, blank=True, default="")
    form_filled_date = models.DateField("填表时间", null=True, blank=True)
    age_reference_date = models.DateField("计算年龄时间", null=True, blank=True)
    identity_since = models.DateField("干部身份取得时间", null=True, blank=True)
    identity_document = models.CharField("干部身份认定依据", max_length=200, blank=True, default="")
    note = models.CharField("备注", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "干部"
        verbose_name_plural = "干部"
        ordering = ["unit_id", "id"]
        indexes = [models.Index(fields=["unit", "status"], name="cadres_cadre_unit_status_idx")]

    def __str__(self) -> str:
        return self.person.name if self.person_id else "干部"


class CadrePhoto(BaseModel):
    """The cadre's photo (照片): a JPEG (``content``, ≤ 2 MB after checks), its pixel size and SHA-256. The
    appointment form wants 4:5 (``cadres.lrmx`` crops/converts on export)."""

    scope_org_field = "cadre__unit"
    data_label = "cadre"

    cadre = models.OneToOneField(Cadre, on_delete=models.CASCADE, related_name="photo", verbose_name="干部")
    content = models.BinaryField("照片")
    width = models.PositiveIntegerField("宽（像素）")
    height = models.PositiveIntegerField("高（像素）")
    sha256 = models.CharField("摘要", max_length=64)

    class Meta:
        verbose_name = "干部照片"
        verbose_name_plural = "干部照片"


class Education(BaseModel):
    """One qualification (学历/学位) of a cadre, ``category`` 全日制教育 or 在职教育 kept apart
    (rules.md §6): the 学历 as written (``education_text``) and its GB/T 4658 code, the 学位 as written
    (``degree_text``) and its GB/T 6864 level, the 毕业院校系及专业 of each as written, school and major
    split where known, and the dates (month precision)."""

    scope_org_field = "cadre__unit"
    data_label = "cadre"

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="educations", verbose_name="干部")
    category = models.CharField("教育类别", max_length=20, choices=EDUCATION_CATEGORY.choices)
    position = models.PositiveSmallIntegerField("排序", default=0)
    education_text = models.CharField("学历", max_length=100, blank=True, default="")
    education_level = models.CharField("学历代码", max_length=2, choices=EDUCATION.choices, blank=True, default="")
    degree_text = models.CharField("学位", max_length=100, blank=True, default="")
    degree = models.CharField("学位代码", max_length=2, choices=DEGREE.choices, blank=True, default="")
    education_school_major = models.CharField("学历毕业院校系及专业", max_length=300, blank=True, default="")
    degree_school_major = models.CharField("学位毕业院校系及专业", max_length=300, blank=True, default="")
    school = models.CharField("毕业院校", max_length=200, blank=True, default="")
    major = models.CharField("专业", max_length=200, blank=True, default="")
    start_date = models.DateField("入学时间", null=True, blank=True)
    end_date = models.DateField("毕业时间", null=True, blank=True)
    degree_date = models.DateField("学位授予时间", null=True, blank=True)

    class Meta:
        verbose_name = "学历学位"
        verbose_name_plural = "学历学位"
        ordering = ["cadre_id", "category", "position", "id"]


class ResumeEntry(BaseModel):
    """One line of the résumé (简历): ``[start_date, end_date)`` month precision (``end_date`` empty = to
    this day, written as 7 spaces), the text, and ``in_service_study`` for a （其间：…） line that runs
    inside the main lines rather than after them. ``position`` keeps the written order."""

    scope_org_field = "cadre__unit"
    data_label = "cadre"

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="resume_entries", verbose_name="干部")
    position = models.PositiveSmallIntegerField("排序", default=0)
    start_date = models.DateField("起始时间")
    end_date = models.DateField("截止时间", null=True, blank=True)
    text = models.CharField("经历", max_length=1000)
    in_service_study = models.BooleanField("其间", default=False)

    class Meta:
        verbose_name = "简历"
        verbose_name_plural = "简历"
        ordering = ["cadre_id", "position", "id"]


class FamilyMember(BaseModel):
    """A family member or important social relation (家庭主要成员及重要社会关系): 称谓, 姓名, 出生日期
    (month precision, empty when unknown), 政治面貌 and 工作单位及职务 as written, ``deceased`` (已去世)."""

    scope_org_field = "cadre__unit"
    data_label = "cadre"

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="family_members", verbose_name="干部")
    position = models.PositiveSmallIntegerField("排序", default=0)
    relation = models.CharField("称谓", max_length=20)
    name = models.CharField("姓名", max_length=50)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    political_status = models.CharField("政治面貌", max_length=50, blank=True, default="")
    work_unit_and_post = models.CharField("工作单位及职务", max_length=300, blank=True, default="")
    deceased = models.BooleanField("已去世", default=False)

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["cadre_id", "position", "id"]


class AnnualAssessment(BaseModel):
    """年度考核 (``AnnualAssessment``): the grade of ``cadre`` for ``year`` (优秀/称职/基本称职/不称职, or 不定等次
    for those on probation, rules.md §5). Label ``assessment``."""

    scope_org_field = "cadre__unit"
    data_label = "assessment"

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="assessments", verbose_name="干部")
    year = models.PositiveSmallIntegerField("年度")
    grade = models.CharField("考核等次", max_length=30, choices=ASSESSMENT_GRADE.choices)
    note = models.CharField("备注", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "年度考核"
        verbose_name_plural = "年度考核"
        ordering = ["cadre_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["cadre", "year"], name="cadres_assessment_one_per_year")]


# ----- appointments and ranks (item 2) --------------------------------------------------------------------------


class Appointment(BaseModel):
    """任免 (``Appointment``): ``cadre`` holds ``post`` over ``[start_date, end_date)`` — 任职 on
    ``start_date`` by ``appointment_document`` (文号), 免职 on ``end_date`` by ``removal_document``, with the
    reasons, 任职方式 and 试用期 (``probation_months``, rules.md §4: 1 year for non-elected posts up to
    厅局级). ``concurrent`` marks a 兼任 post. Scoped by the post's unit."""

    scope_org_field = "post__unit"
    data_label = "cadre"

    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, related_name="appointments", verbose_name="干部")
    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="appointments", verbose_name="职务岗位")
    start_date = models.DateField("任职日期")
    end_date = models.DateField("免职日期", null=True, blank=True)
    appointment_document = models.CharField("任职文号", max_length=100, blank=True, default="")
    removal_document = models.CharField("免职文号", max_length=100, blank=True, default="")
    appointment_reason = models.CharField("任职原因", max_length=300, blank=True, default="")
    removal_reason = models.CharField("免职原因", max_length=300, blank=True, default="")
    method = models.CharField("任职方式", max_length=20, choices=APPOINTMENT_METHOD.choices, blank=True, default="")
    probation_months = models.PositiveSmallIntegerField("试用期（月）", null=True, blank=True)
    concurrent = models.BooleanField("兼任", default=False)

    class Meta:
        verbose_name = "任免记录"
        verbose_name_plural = "任免记录"
        ordering = ["cadre_id", "start_date", "id"]
        constraints = [_period_constraint("cadres_appointment", strict=False)]
        indexes = [
            models.Index(fields=["post", "start_date"], name="cadres_appt_post_start_idx"),
            models.Index(fields=["cadre", "start_date"], name="cadres_appt_cadre_start_idx"),
        ]


class RankRecord(BaseModel):
    """职级 (``rank``) held by ``cadre`` over ``[start_date, end_date)``, by ``document_number``."""

    scope_org_field = "cadre__unit"
    data_label = "cadre"

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="ranks", verbose_name="干部")
    rank = models.CharField("职级", max_length=30, choices=RANK.choices)
    start_date = models.DateField("任职级时间")
    end_date = models.DateField("免职级时间", null=True, blank=True)
    document_number = models.CharField("文号", max_length=100, blank=True, default="")

    class Meta:
        verbose_name = "职级记录"
        verbose_name_plural = "职级记录"
        ordering = ["cadre_id", "start_date", "id"]
        constraints = [_period_constraint("cadres_rank")]


# ----- supervision records that ban promotion (item 6) ------------------------------------------------------


class SupervisionRecord(BaseModel):
    """A disciplinary sanction or organizational handling of ``cadre`` (党纪处分, 政务处分, 诫勉 …) decided
    on ``decided_date`` by ``document_number``; ``SUPERVISION_KIND`` (rules.md §4 gives the promotion-ban
    periods). Label ``discipline``."""

    scope_org_field = "cadre__unit"
    data_label = "discipline"

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="supervision_records",
                              verbose_name="干部")
    kind = models.CharField("类别", max_length=30, choices=SUPERVISION_KIND.choices)
    decided_date = models.DateField("决定日期")
    document_number = models.CharField("文号", max_length=100, blank=True, default="")
    reason = models.CharField("事由", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "处理处分记录"
        verbose_name_plural = "处理处分记录"
        ordering = ["cadre_id", "-decided_date"]


# ----- dossier audit (item 5) -----------------------------------------------------------------------------------


class DossierFinding(BaseModel):
    """A finding of the dossier audit (三龄两历一身份专项审核, rules.md §6): ``check_code`` (``DOSSIER_CHECK``) found a problem of
    ``problem_type`` on ``cadre``, with ``evidence`` (JSON: which sources disagree and their values) and a
    ``fingerprint`` (stable per cadre, check and evidence) so a rerun adds nothing twice. ``status``: 待认定
    until a ``FindingDecision`` decides it."""

    scope_org_field = "cadre__unit"
    data_label = "cadre"

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="dossier_findings", verbose_name="干部")
    check_code = models.CharField("审核项目", max_length=40, choices=DOSSIER_CHECK.choices)
    problem_type = models.CharField("问题类型", max_length=30, choices=DOSSIER_PROBLEM.choices)
    evidence = models.JSONField("依据", default=dict)
    fingerprint = models.CharField("指纹", max_length=64)
    status = models.CharField("认定状态", max_length=20, choices=FINDING_STATUS.choices, default="open")
    detected_at = models.DateTimeField("发现时间")
    resolved_at = models.DateTimeField("认定时间", null=True, blank=True)

    class Meta:
        verbose_name = "档案审核问题"
        verbose_name_plural = "档案审核问题"
        ordering = ["cadre_id", "check_code", "id"]
        constraints = [models.UniqueConstraint(fields=["cadre", "fingerprint"], name="cadres_finding_unique")]


class FindingDecision(BaseModel):
    """One 认定 of a dossier finding: the ``decision`` (a ``FINDING_STATUS`` other than open), the deciding
    document (``document``: 认定依据材料, e.g. the earliest archive material), a note, who and when. The
    history of a finding is its decisions in order."""

    scope_org_field = "finding__cadre__unit"
    data_label = "cadre"

    finding = models.ForeignKey(DossierFinding, on_delete=models.CASCADE, related_name="decisions",
                                verbose_name="问题")
    decision = models.CharField("认定结论", max_length=20, choices=FINDING_STATUS.choices)
    document = models.CharField("认定依据", max_length=300)
    note = models.CharField("说明", max_length=1000, blank=True, default="")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="认定人")
    decided_at = models.DateTimeField("认定时间")

    class Meta:
        verbose_name = "认定记录"
        verbose_name_plural = "认定记录"
        ordering = ["finding_id", "decided_at", "id"]


# ----- reserve pool (item 7) ------------------------------------------------------------------------------------


class ReserveCadre(BaseModel):
    """后备干部 (``ReserveCadre``): ``cadre`` in one of the three lists (``RESERVE_LIST``: 近期使用 / 轮岗锻炼
    / 蹲苗培养) from ``entered_date`` until ``exited_date`` (with ``exit_reason``), aiming at
    ``target_post`` of ``target_level``; ``review_date`` is the next 动态调整 review; ``young_outstanding``
    marks 优秀年轻干部."""

    scope_org_field = "cadre__unit"
    data_label = "cadre"

    cadre = models.ForeignKey(Cadre, on_delete=models.CASCADE, related_name="reserve_entries", verbose_name="干部")
    list_kind = models.CharField("类别", max_length=20, choices=RESERVE_LIST.choices)
    target_post = models.CharField("拟任职务方向", max_length=300, blank=True, default="")
    target_level = models.CharField("拟任职务级别", max_length=3, choices=POST_LEVEL.choices, blank=True, default="")
    young_outstanding = models.BooleanField("优秀年轻干部", default=False)
    entered_date = models.DateField("入库时间")
    review_date = models.DateField("下次复核时间", null=True, blank=True)
    exited_date = models.DateField("出库时间", null=True, blank=True)
    exit_reason = models.CharField("出库原因", max_length=20, choices=RESERVE_EXIT.choices, blank=True, default="")
    note = models.CharField("备注", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "后备干部"
        verbose_name_plural = "后备干部"
        ordering = ["cadre_id", "entered_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(exited_date__isnull=True) | Q(exited_date__gte=F("entered_date")),
                                   name="cadres_reserve_exit_after_entry"),
        ]


class ReserveMeasure(BaseModel):
    """A training measure for a reserve cadre (培养措施: 挂职, 轮岗, 培训, 交流 …) planned on
    ``planned_date``, done on ``done_date``, with its ``follow_up`` (跟踪了解情况)."""

    scope_org_field = "reserve__cadre__unit"
    data_label = "cadre"

    reserve = models.ForeignKey(ReserveCadre, on_delete=models.CASCADE, related_name="measures",
                                verbose_name="后备干部")
    measure = models.CharField("培养措施", max_length=300)
    planned_date = models.DateField("计划时间", null=True, blank=True)
    done_date = models.DateField("完成时间", null=True, blank=True)
    follow_up = models.TextField("跟踪情况", blank=True, default="")

    class Meta:
        verbose_name = "培养措施"
        verbose_name_plural = "培养措施"
        ordering = ["reserve_id", "planned_date", "id"]
