"""发展党员 (issue #11): the dated steps of one person's pipeline and the people assigned to it.

- ``DevelopmentStep``: one of the 25 steps of 《中国共产党发展党员工作细则》 (2014) recorded on a
  ``party.DevelopmentRecord`` — number 1..25 (the table in ``development.rules.STEPS``), date, who did it,
  note, document, the vote of a branch meeting (steps 15 and 23: 应到 / 实到 / 赞成) and, for the approval
  beyond three months (step 17) or a late talk (step 2), the recorded special reason. One row per
  record × step, except the repeatable steps (6 考察 every half year, 21 预备期考察, 23/24 after an extension).
- ``DevelopmentParticipant``: a 培养联系人 (mentor, step 5) or 入党介绍人 (sponsor, step 9) of a record, with
  the period ``[start_date, end_date)`` of the assignment (``end_date`` empty: still assigned).

Both are scoped through the record's 培养党组织 (``record__organization``), data label ``party``. Written only
by ``development.services``."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from zugong.core.scoping import BaseModel

REPEATABLE_STEPS = (6, 21, 23, 24)
"""Steps that may be recorded more than once on a record (see ``development.rules``)."""


class DevelopmentStep(BaseModel):
    """一个发展步骤的记录. ``step``: 1..25 (``development.rules.STEPS``); ``date``: the day it was done
    (not in the future, not before the previous step); ``actor``: who did it (支部委员会, 基层党委, 谈话人…);
    ``votes_*``: the branch meeting's 应到 (entitled to vote: full members on the day, computed unless
    overridden with ``votes_expected_reason``), 实到 and 赞成 (steps 15 and 23); ``training_days`` /
    ``training_hours`` (step 11); ``outcome``: the 转正 decision of steps 23/24 (``on_time`` 按期转正 /
    ``extended`` 延长预备期) and ``extension_months``; ``special_reason``: why the approval (17) took more
    than three months or the talk (2) more than one."""

    scope_org_field = "record__organization"
    data_label = "party"

    record = models.ForeignKey("party.DevelopmentRecord", on_delete=models.CASCADE, related_name="steps",
                               verbose_name="发展党员记录")
    step = models.PositiveSmallIntegerField("步骤")
    date = models.DateField("日期")
    actor = models.CharField("办理人（组织）", max_length=100, blank=True, default="")
    note = models.CharField("备注", max_length=500, blank=True, default="")
    document = models.CharField("材料（文号）", max_length=200, blank=True, default="")
    votes_expected = models.PositiveIntegerField("应到（有表决权）", null=True, blank=True)
    votes_expected_computed = models.PositiveIntegerField("应到（按名册计算）", null=True, blank=True)
    votes_expected_reason = models.CharField("应到人数调整原因", max_length=300, blank=True, default="")
    votes_present = models.PositiveIntegerField("实到（有表决权）", null=True, blank=True)
    votes_in_favour = models.PositiveIntegerField("赞成", null=True, blank=True)
    training_days = models.PositiveSmallIntegerField("培训天数", null=True, blank=True)
    training_hours = models.PositiveSmallIntegerField("培训学时", null=True, blank=True)
    outcome = models.CharField("转正意见", max_length=20, blank=True, default="")
    extension_months = models.PositiveSmallIntegerField("延长预备期（月）", null=True, blank=True)
    special_reason = models.CharField("特殊情况说明", max_length=300, blank=True, default="")

    class Meta:
        verbose_name = "发展步骤"
        verbose_name_plural = "发展步骤"
        ordering = ("record", "step", "date", "pk")
        constraints = [
            models.UniqueConstraint(fields=["record", "step"], condition=~Q(step__in=REPEATABLE_STEPS),
                                    name="development_step_once"),
            models.CheckConstraint(condition=Q(step__gte=1) & Q(step__lte=25), name="development_step_range"),
        ]
        indexes = [models.Index(fields=["step", "date"], name="development_step_date")]

    def __str__(self) -> str:
        return f"第{self.step}步 {self.date:%Y-%m-%d}"


class DevelopmentParticipant(BaseModel):
    """培养联系人 (``mentor``, 《细则》第十条: 一至两名正式党员) or 入党介绍人 (``sponsor``, 第十五条: 两名正式党员)
    of a development record, assigned from ``start_date`` until ``end_date`` (exclusive; empty: still)."""

    ROLE_CHOICES = (("mentor", "培养联系人"), ("sponsor", "入党介绍人"))

    scope_org_field = "record__organization"
    data_label = "party"

    record = models.ForeignKey("party.DevelopmentRecord", on_delete=models.CASCADE, related_name="participants",
                               verbose_name="发展党员记录")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="development_roles",
                               verbose_name="人员")
    role = models.CharField("角色", max_length=10, choices=ROLE_CHOICES)
    start_date = models.DateField("起始日期")
    end_date = models.DateField("终止日期", null=True, blank=True)

    class Meta:
        verbose_name = "培养联系人和入党介绍人"
        verbose_name_plural = "培养联系人和入党介绍人"
        ordering = ("record", "role", "start_date", "pk")

    def __str__(self) -> str:
        return f"{self.get_role_display()} #{self.person_id}"
