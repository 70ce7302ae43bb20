"""Party members, their effective-dated memberships, and the member-development pipeline.

- ``PartyMember``: one per person who has been admitted — 入党日期 (``admission_date``: the branch general
  meeting date) and 转正日期 (``full_membership_date``). Category as of a date D: the rule
  ``party.member_category`` in force on D (``zugong.party.rules``; 《中国共产党章程》第七条).
- ``Membership``: the member's organizational relation to one organization over ``[start_date, end_date)``
  with the occupation (工作岗位) and front-line flag of that period. A roster or statistic as of D takes
  the rows with ``start_date <= D < end_date`` (open end = still there) — ``design.md`` rule 3.
- ``DevelopmentRecord``: the pipeline 入党申请人 → 积极分子 → 发展对象 (stages 1–3) up to admission
  (《中国共产党发展党员工作细则》, 2014).
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q

from zugong.core.codes import OCCUPATION, OCCUPATION_DETAIL
from zugong.core.scoping import BaseModel, ScopedQuerySet
from zugong.party.rules import member_category


class PartyMember(BaseModel):
    """党员: admission and full-membership dates of one person. Scope via the person's organization."""

    scope_org_field = "person__organization"
    data_label = "party"

    person = models.OneToOneField("people.Person", on_delete=models.PROTECT, primary_key=True,
                                  related_name="party_member", verbose_name="人员")
    admission_date = models.DateField("入党日期")
    full_membership_date = models.DateField("转正日期", null=True, blank=True)

    class Meta:
        verbose_name = "党员"
        verbose_name_plural = "党员"
        constraints = [
            models.CheckConstraint(
                condition=Q(full_membership_date__isnull=True) | Q(full_membership_date__gt=models.F("admission_date")),
                name="party_member_full_after_admission",
            )
        ]

    def __str__(self) -> str:
        return str(self.person)

    def category_on(self, day: dt.date) -> str:
        """``"full"``, ``"probationary"`` or ``""`` (not yet admitted) on ``day``, by the rule
        ``party.member_category`` in force that day (《中国共产党章程》第七条)."""
        return member_category(self, on=day)


class MembershipQuerySet(ScopedQuerySet):
    def on(self, day: dt.date):
        """Memberships in force on ``day`` (``start_date <= day`` and no end or ``end_date > day``)."""
        return self.filter(start_date__lte=day).filter(Q(end_date__isnull=True) | Q(end_date__gt=day))

    def current(self):
        """Open memberships (no end date)."""
        return self.filter(end_date__isnull=True)


class Membership(BaseModel):
    """组织关系: a party member's membership of ``organization`` over ``[start_date, end_date)``, with the
    工作岗位 of that period (``occupation``, possibly blank; ``occupation_detail`` the 年报 row, see
    ``core.codes.occupation_label`` for display)."""

    scope_org_field = "organization"
    data_label = "party"

    END_REASONS = [
        ("transfer", "组织关系转出"), ("death", "去世"), ("withdrawal", "退党"), ("expulsion", "开除党籍"),
        ("removal", "除名"), ("cancelled", "取消预备党员资格"), ("correction", "更正"),
    ]

    # No single-column FK indexes: membership_person_end_idx and membership_org_period_idx lead with
    # these columns and serve the same lookups (one index less to maintain per row on import).
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="memberships",
                               verbose_name="人员", db_index=False)
    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT,
                                     related_name="memberships", verbose_name="所在党组织", db_index=False)
    start_date = models.DateField("起始日期")
    end_date = models.DateField("截止日期", null=True, blank=True)
    end_reason = models.CharField("离开原因", max_length=20, choices=END_REASONS, blank=True)
    # 工作岗位: the 公报 category; blank = not recorded (a roster imported without it, issue #9 — the
    # record is incomplete, counted in no category). ``occupation_detail``: the finer 党内统计年报 row the
    # file gave (事业单位专业技术人员 …, ``core.codes.OCCUPATION_DETAIL``), blank when the file gave the
    # category itself; it always lies in ``occupation`` (``core.codes.OCCUPATION_OF_DETAIL``).
    occupation = models.CharField("工作岗位", max_length=20, choices=OCCUPATION.choices, blank=True)
    occupation_detail = models.CharField("工作岗位（年报）", max_length=30, choices=OCCUPATION_DETAIL.choices,
                                         blank=True, default="", db_default="")
    front_line = models.BooleanField("生产工作一线", default=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "组织关系"
        verbose_name_plural = "组织关系"
        indexes = [
            # covers the as-of roster filter (organization, start <= D < end) so counts need no table lookups;
            # person_id too, so the roster sorted by a person column (姓名, 出生日期) joins people straight
            # from the index (SQLite, 100,000 members: key query ~80 → ~55 ms). Costs ~2% more time to
            # insert memberships on SQLite, ~10% on PostgreSQL (index 6.1 → 8.2 MB per 126,000 rows).
            models.Index(fields=["organization", "start_date", "end_date", "person"],
                         name="membership_org_period_idx"),
            models.Index(fields=["person", "end_date"], name="membership_person_end_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                                   name="membership_end_after_start"),
            models.UniqueConstraint(fields=["person"], condition=Q(end_date__isnull=True),
                                    name="membership_one_open_per_person"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.organization}"


class DevelopmentRecord(BaseModel):
    """发展党员 pipeline record of one person at ``organization``: the dates each stage began.

    Stage open on D: 入党申请人 from ``application_date``; 入党积极分子 from ``activist_date``; 发展对象
    from ``candidate_date``; the record leaves the pipeline at ``admission_date`` (admitted as
    预备党员) or ``closed_date`` (stopped)."""

    scope_org_field = "organization"
    data_label = "party"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="development_records",
                               verbose_name="人员")
    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT,
                                     related_name="development_records", verbose_name="培养党组织")
    application_date = models.DateField("递交入党申请书日期")
    activist_date = models.DateField("确定为入党积极分子日期", null=True, blank=True)
    candidate_date = models.DateField("确定为发展对象日期", null=True, blank=True)
    admission_date = models.DateField("接收为预备党员日期", null=True, blank=True)
    closed_date = models.DateField("终止培养日期", null=True, blank=True)

    class Meta:
        verbose_name = "发展党员记录"
        verbose_name_plural = "发展党员记录"
