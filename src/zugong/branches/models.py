"""Branch building records (党支部建设, issue #11). Sources: 《中国共产党支部工作条例（试行）》 (2018)
第八–十一条, 第二十三条; ``shared/rules.md`` §2."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zugong.branches.choices import OFFICER_ROLE
from zugong.core.scoping import BaseModel


class BranchOfficer(BaseModel):
    """One post of a branch's leadership (班子成员) held by ``person`` over ``[start_date, end_date)``:
    书记, 副书记, 组织委员… (``OFFICER_ROLE``). Open (``end_date`` empty) while held; on day D it holds when
    ``start_date <= D < end_date``. At most one open 书记 per organization. "Secretary vacant since" is the
    ``end_date`` of the last 书记 post when no open one exists."""

    scope_org_field = "organization"
    data_label = "party"

    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT, related_name="officers",
                                     verbose_name="党组织")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="officer_posts",
                               verbose_name="人员")
    role = models.CharField("职务", max_length=30, choices=OFFICER_ROLE.choices)
    start_date = models.DateField("任职日期")
    end_date = models.DateField("离任日期", null=True, blank=True)
    note = models.CharField("备注", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "班子成员"
        verbose_name_plural = "班子成员"
        ordering = ["organization_id", "start_date", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gt=models.F("start_date")),
                                   name="branches_officer_end_after_start"),
            models.UniqueConstraint(fields=["organization"], condition=Q(end_date__isnull=True, role="secretary"),
                                    name="branches_officer_one_open_secretary"),
        ]
        indexes = [models.Index(fields=["organization", "start_date"], name="branches_officer_org_start_idx")]

    def __str__(self) -> str:
        return f"{self.organization} {OFFICER_ROLE.label(self.role)} {self.person}"


# ----- 支部书记持证上岗 (issue #11 item 5; services and rules in ``branches.certification``) -----------------


class TrainingRecord(BaseModel):
    """One training of ``person`` for the 党支部书记 post (培训) and its exam (考试): the course
    (``training_name``, ``organizer``, ``[start_date, end_date]`` both days included, ``class_hours`` 学时),
    the exam day, score (0–100) and result (``passed``: 考试合格). ``organization`` is the scope anchor: the
    branch where the person is (or is to be) secretary, or the organization that sent them. A passed exam
    is the basis of a certificate (``branches.certification.certificate_issue``)."""

    scope_org_field = "organization"
    data_label = "party"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="secretary_trainings",
                               verbose_name="人员")
    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT,
                                     related_name="secretary_trainings", verbose_name="党组织")
    training_name = models.CharField("培训名称", max_length=200)
    organizer = models.CharField("举办单位", max_length=200, blank=True, default="")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    class_hours = models.DecimalField("学时", max_digits=5, decimal_places=1, null=True, blank=True)
    exam_date = models.DateField("考试日期", null=True, blank=True)
    exam_score = models.DecimalField("考试成绩", max_digits=4, decimal_places=1, null=True, blank=True)
    passed = models.BooleanField("考试合格", default=False)
    note = models.CharField("备注", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "书记培训考试记录"
        verbose_name_plural = "书记培训考试记录"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")),
                                   name="branches_training_end_not_before_start"),
            models.CheckConstraint(condition=Q(exam_score__isnull=True) | Q(exam_score__gte=0, exam_score__lte=100),
                                   name="branches_training_score_0_100"),
            models.CheckConstraint(condition=Q(passed=False) | Q(exam_date__isnull=False),
                                   name="branches_training_passed_has_exam_date"),
        ]
        indexes = [models.Index(fields=["person", "exam_date"], name="branches_training_person_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.training_name}"


class SecretaryCertificate(BaseModel):
    """《党支部书记任职资格证书》 of ``person`` (持证上岗): ``number`` (证书编号, unique), valid on day D when
    ``issued_date <= D <= valid_until`` (有效期至, inclusive) and not revoked by D (``revoked_date`` empty
    or later than D). ``organization`` is the scope anchor (the branch the holder serves, as issued). A
    renewal (换证) is a new certificate whose ``renews`` is the old one; ``training`` the passed exam it
    was issued on. The certificate is the person's qualification: it counts for whichever branch the
    holder is secretary of (``branches.certification.certified_rate``)."""

    scope_org_field = "organization"
    data_label = "party"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="secretary_certificates",
                               verbose_name="人员")
    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT,
                                     related_name="secretary_certificates", verbose_name="党组织")
    number = models.CharField("证书编号", max_length=50, unique=True)
    issued_date = models.DateField("发证日期")
    valid_until = models.DateField("有效期至")
    issuer = models.CharField("发证机关", max_length=200)
    training = models.ForeignKey(TrainingRecord, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="certificates", verbose_name="依据的培训考试")
    renews = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="renewals",
                               verbose_name="换发的原证书")
    revoked_date = models.DateField("撤销日期", null=True, blank=True)
    revoked_reason = models.CharField("撤销原因", max_length=500, blank=True, default="")
    note = models.CharField("备注", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "党支部书记任职资格证书"
        verbose_name_plural = "党支部书记任职资格证书"
        ordering = ["-issued_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gt=models.F("issued_date")),
                                   name="branches_certificate_valid_after_issued"),
            models.CheckConstraint(condition=Q(revoked_date__isnull=True) | Q(revoked_date__gte=models.F("issued_date")),
                                   name="branches_certificate_revoked_after_issued"),
        ]
        indexes = [models.Index(fields=["person", "valid_until"], name="branches_cert_person_idx")]

    def __str__(self) -> str:
        return f"{self.person} {self.number}"
