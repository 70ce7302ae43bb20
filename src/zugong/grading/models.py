"""Branch grading (达标晋级, issue #11): the rubric configuration and the yearly records.

Configuration (the same for every organization, ``scope_exempt``): a ``GradingScheme`` (评定方案: "五好",
"四强" or a deployment's own) has ``GradingCriterion`` rows (评分项, each with its maximum score) and
``GradingLevel`` rows (等次: the lowest total that reaches it; order 1 is the top level).

Records (scoped by the organization, data label ``party``): ``BranchGrading`` — one branch's grading for one
scheme and year (total and level computed from the ``GradingScore`` rows by ``grading.services``),
possibly designated 示范党支部 — and ``WeakBranch``, an entry of the 软弱涣散 list for a year with its
rectification (整改) and verification (验收).

Sources: ``shared/rules.md`` §2 (grading schemes differ by locality, [L]); the 软弱涣散 categories are
described in ``grading.choices``."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zugong.core.scoping import BaseModel
from zugong.grading.choices import WEAK_STATUS
from zugong.grading.validators import fmt_score


class GradingScheme(models.Model):
    """评定方案: ``code`` (stable key, e.g. ``five_good``), ``name``, ``description``; ``is_builtin`` for the
    shipped ones (kept by ``grading.seed.sync_builtin_schemes`` after every ``migrate``). Its criteria and
    levels are ``criteria`` and ``levels`` (ordered by ``order``). The full score is the sum of the
    criteria's ``max_score``."""

    scope_exempt = "configuration: the deployment's grading rubrics, the same for every organization"

    code = models.CharField("方案代码", max_length=30, unique=True)
    name = models.CharField("方案名称", max_length=50)
    description = models.TextField("说明", blank=True, default="")
    is_builtin = models.BooleanField("系统内置", default=False)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "评定方案"
        verbose_name_plural = "评定方案"
        ordering = ["-is_builtin", "code"]

    def __str__(self) -> str:
        return self.name


class GradingCriterion(models.Model):
    """评分项 of a scheme: ``code`` (unique in the scheme), ``name`` (e.g. 班子好), ``max_score`` (points, ≥ 0,
    one decimal), ``order`` on the form, ``guidance`` (评分要点)."""

    scope_exempt = "configuration: a criterion of a grading rubric, the same for every organization"

    scheme = models.ForeignKey(GradingScheme, on_delete=models.CASCADE, related_name="criteria",
                               verbose_name="评定方案")
    code = models.CharField("评分项代码", max_length=30)
    name = models.CharField("评分项", max_length=50)
    max_score = models.DecimalField("满分", max_digits=5, decimal_places=1)
    order = models.PositiveSmallIntegerField("顺序", default=0)
    guidance = models.TextField("评分要点", blank=True, default="")

    class Meta:
        verbose_name = "评分项"
        verbose_name_plural = "评分项"
        ordering = ["scheme_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="grading_criterion_unique_code"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="grading_criterion_max_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{fmt_score(self.max_score)}分）"


class GradingLevel(models.Model):
    """等次 of a scheme: ``code``, ``name`` (e.g. 先进), ``min_total`` — the lowest total reaching it —
    and ``order`` (1 = the top level). A grading's level is the level with the highest ``min_total`` not
    above its total (``grading.services.level_for``)."""

    scope_exempt = "configuration: a level of a grading rubric, the same for every organization"

    scheme = models.ForeignKey(GradingScheme, on_delete=models.CASCADE, related_name="levels",
                               verbose_name="评定方案")
    code = models.CharField("等次代码", max_length=30)
    name = models.CharField("等次", max_length=30)
    min_total = models.DecimalField("最低总分", max_digits=5, decimal_places=1)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "等次"
        verbose_name_plural = "等次"
        ordering = ["scheme_id", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["scheme", "code"], name="grading_level_unique_code")]

    def __str__(self) -> str:
        return self.name


class BranchGrading(BaseModel):
    """One branch's grading (达标晋级评定) under ``scheme`` for ``year``: ``total`` (sum of the scores) and
    ``level`` (computed by the services from the scheme's levels; ``None`` when the scheme has no level
    the total reaches), ``designated_model`` (命名为示范党支部), ``evaluated_on`` (评定日期), ``evaluator``
    (评定单位) and ``note`` (评定意见). One row per organization × scheme × year; written only through
    ``grading.services``."""

    scope_org_field = "organization"
    data_label = "party"

    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT,
                                     related_name="gradings", verbose_name="党支部")
    scheme = models.ForeignKey(GradingScheme, on_delete=models.PROTECT, related_name="gradings",
                               verbose_name="评定方案")
    year = models.PositiveSmallIntegerField("年度")
    total = models.DecimalField("总分", max_digits=6, decimal_places=1, default=0)
    level = models.ForeignKey(GradingLevel, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="gradings", verbose_name="等次")
    designated_model = models.BooleanField("示范党支部", default=False)
    evaluated_on = models.DateField("评定日期")
    evaluator = models.CharField("评定单位", max_length=100, blank=True, default="")
    note = models.CharField("评定意见", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "达标晋级评定"
        verbose_name_plural = "达标晋级评定"
        ordering = ["-year", "organization__path", "scheme_id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "scheme", "year"], name="grading_unique_org_scheme_year"),
        ]
        indexes = [models.Index(fields=["year", "organization"], name="grading_year_org_idx")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}年{self.scheme}"


class GradingScore(BaseModel):
    """The score of one criterion in a grading, with its evidence (评分依据). One row per grading ×
    criterion; ``0 <= score <= criterion.max_score`` (checked by the services)."""

    scope_org_field = "grading__organization"
    data_label = "party"

    grading = models.ForeignKey(BranchGrading, on_delete=models.CASCADE, related_name="scores", verbose_name="评定")
    criterion = models.ForeignKey(GradingCriterion, on_delete=models.PROTECT, related_name="scores",
                                  verbose_name="评分项")
    score = models.DecimalField("得分", max_digits=5, decimal_places=1)
    evidence = models.TextField("评分依据", blank=True, default="")

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        ordering = ["grading_id", "criterion__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["grading", "criterion"], name="grading_score_unique_criterion"),
            models.CheckConstraint(condition=Q(score__gte=0), name="grading_score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.name} {fmt_score(self.score)}"


class WeakBranch(BaseModel):
    """An entry of the 软弱涣散基层党组织 list (``organization``, ``year``): ``identified_on`` (确定日期),
    ``categories`` (list of ``choices.WEAK_CATEGORY`` codes), ``reasons`` (具体问题), ``measures`` (整改措施),
    ``responsible_person`` (整改责任人), ``deadline`` (整改时限), ``rectified_on`` (整改完成日期),
    ``verified_by`` / ``verified_on`` (验收单位或验收人 / 验收日期), ``verification_note`` (验收意见).
    Status: 整改中 until ``rectified_on``, then 已整改, then 已验收 (``status``). One entry per organization and
    year."""

    scope_org_field = "organization"
    data_label = "party"

    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT,
                                     related_name="weak_entries", verbose_name="党组织")
    year = models.PositiveSmallIntegerField("年度")
    identified_on = models.DateField("确定日期")
    categories = models.JSONField("软弱涣散情形", default=list, blank=True)
    reasons = models.TextField("具体问题")
    measures = models.TextField("整改措施", blank=True, default="")
    responsible_person = models.CharField("整改责任人", max_length=100, blank=True, default="")
    deadline = models.DateField("整改时限", null=True, blank=True)
    rectified_on = models.DateField("整改完成日期", null=True, blank=True)
    verified_by = models.CharField("验收单位（人）", max_length=100, blank=True, default="")
    verified_on = models.DateField("验收日期", null=True, blank=True)
    verification_note = models.CharField("验收意见", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "软弱涣散党组织"
        verbose_name_plural = "软弱涣散党组织"
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="grading_weak_unique_org_year"),
            models.CheckConstraint(condition=Q(verified_on__isnull=True) | Q(rectified_on__isnull=False),
                                   name="grading_weak_verified_after_rectified"),
        ]
        indexes = [models.Index(fields=["year", "organization"], name="grading_weak_year_org_idx")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}年软弱涣散"

    @property
    def status(self) -> str:
        """``rectifying`` (整改中), ``rectified`` (已整改) or ``verified`` (已验收)."""
        if self.verified_on is not None:
            return "verified"
        if self.rectified_on is not None:
            return "rectified"
        return "rectifying"

    @property
    def status_label(self) -> str:
        return WEAK_STATUS.label(self.status)

    @property
    def category_labels(self) -> list[str]:
        from zugong.grading.choices import WEAK_CATEGORY

        return [WEAK_CATEGORY.label(c) for c in self.categories or []]
