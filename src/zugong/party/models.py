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
from zugong.party.choices import (
    EVENT_DETAIL,
    EVENT_KIND,
    EXIT_REASON,
    FLOW_DESTINATION,
    FLOW_SCOPE,
    FRONT_LINE_KIND,
    LOST_CONTACT_SITUATION,
    MOBILE_ORIGINAL_OCCUPATION,
    OWNERSHIP,
    STATUS_KIND,
    TRANSFER_DIRECTION,
    TRANSFER_STATE,
)
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
        # issue #10: the decrease kinds of ``MembershipEvent`` (the event holds the detail)
        ("exit", "出党"), ("suspension", "停止党籍"), ("transfer_out", "转出组织关系"),
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
    # 党内统计年报 (issue #10): the sector of 在岗职工 (公有制单位 / 非公有制单位; blank = not known, or not
    # an 在岗职工 row), the 其中 flags 农民工 (of 工勤技能人员) and 外出务工经商人员 (of 农牧渔民), and which
    # 生产、工作第一线 (企业生产 / 农村生产 / 教学科研) when ``front_line``.
    ownership = models.CharField("单位所有制", max_length=20, choices=OWNERSHIP.choices, blank=True, default="",
                                 db_default="")
    migrant_worker = models.BooleanField("农民工", default=False, db_default=False)
    migrant_business = models.BooleanField("外出务工经商人员", default=False, db_default=False)
    front_line_kind = models.CharField("一线类别", max_length=30, choices=FRONT_LINE_KIND.choices, blank=True,
                                       default="", db_default="")

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
            # party.counts (issue #13): the memberships of an organization that end after a day D, counted
            # without reading its open rows. Partial: only ended memberships (a minority; a roster import of
            # open memberships writes no entry).
            models.Index(fields=["organization", "end_date"], condition=Q(end_date__isnull=False),
                         name="membership_org_ended_idx"),
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
    # 工作岗位 of the person in the pipeline (第十八–二十表 rows; same codes as ``Membership``).
    occupation = models.CharField("工作岗位", max_length=20, choices=OCCUPATION.choices, blank=True, default="",
                                  db_default="")
    occupation_detail = models.CharField("工作岗位（年报）", max_length=30, choices=OCCUPATION_DETAIL.choices,
                                         blank=True, default="", db_default="")
    ownership = models.CharField("单位所有制", max_length=20, choices=OWNERSHIP.choices, blank=True, default="",
                                 db_default="")
    migrant_worker = models.BooleanField("农民工", default=False, db_default=False)
    migrant_business = models.BooleanField("外出务工经商人员", default=False, db_default=False)
    front_line = models.BooleanField("生产工作一线", default=False, db_default=False)
    front_line_kind = models.CharField("一线类别", max_length=30, choices=FRONT_LINE_KIND.choices, blank=True,
                                       default="", db_default="")

    class Meta:
        verbose_name = "发展党员记录"
        verbose_name_plural = "发展党员记录"


class MembershipEventQuerySet(ScopedQuerySet):
    def in_year(self, year: int):
        """Events dated in calendar ``year``."""
        return self.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))


class MembershipEvent(BaseModel):
    """党员变动 (``MembershipEvent``): one effective-dated change of a member's standing (issue #10).

    ``kind`` (``party.choices.EVENT_KIND``) with its ``detail`` (``DETAILS_OF_KIND``): an increase
    (发展党员 / 恢复党籍 / 转入组织关系), a decrease (出党 / 停止党籍 / 死亡 / 转出组织关系), a transfer between
    two organizations held in Zugong, or a 转正 decision. ``date`` is the day it takes effect: an increase
    counts the member from ``date`` (included), a decrease ends the count on ``date`` (someone who dies on
    D is not counted on D).

    ``from_organization``: where the member stood before (``None`` for an increase from outside Zugong);
    ``to_organization``: where after (``None`` for a decrease). For a subtree S, a ``transfer`` whose
    ``to_organization`` lies in S and ``from_organization`` not is 转入组织关系 of S (整建制 when ``detail``
    is ``whole_unit``), the reverse is 转出组织关系, both inside is nothing. ``organization`` is the scope
    anchor: ``to_organization`` when set, else ``from_organization``; selectors show a transfer to both
    sides (``core.scoping.scope_q`` on either field).

    Membership periods (``Membership``) follow from the events in date order; the lifecycle services write
    both in one transaction. Rows without events are the opening balance (members before Zugong)."""

    scope_org_field = "organization"
    data_label = "party"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="membership_events",
                               verbose_name="人员")
    kind = models.CharField("变动类型", max_length=20, choices=EVENT_KIND.choices)
    detail = models.CharField("变动情形", max_length=30, choices=EVENT_DETAIL.choices, blank=True, default="")
    date = models.DateField("变动日期")
    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name="党组织")
    from_organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="+", verbose_name="原党组织")
    to_organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="+", verbose_name="现党组织")
    counterpart = models.CharField("对方党组织", max_length=200, blank=True, default="",
                                   help_text="系统外的转出去向或转入来源")
    reason_category = models.CharField("出党原因类别", max_length=30, choices=EXIT_REASON.choices, blank=True,
                                       default="")
    reason = models.CharField("原因", max_length=500, blank=True, default="")
    unreachable = models.BooleanField("经多方查找确实无法取得联系", default=False)
    extension_months = models.PositiveSmallIntegerField("延长预备期（月）", null=True, blank=True)
    document_number = models.CharField("文号", max_length=100, blank=True, default="")
    transfer = models.ForeignKey("party.MembershipTransfer", on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="events", verbose_name="组织关系转接")
    note = models.CharField("备注", max_length=500, blank=True, default="")

    objects = MembershipEventQuerySet.as_manager()

    class Meta:
        verbose_name = "党员变动"
        verbose_name_plural = "党员变动"
        indexes = [
            models.Index(fields=["person", "date"], name="party_event_person_date_idx"),
            models.Index(fields=["date", "kind"], name="party_event_date_kind_idx"),
            models.Index(fields=["organization", "date"], name="party_event_org_date_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(extension_months__isnull=True)
                                   | Q(extension_months__gte=1, extension_months__lte=12),
                                   name="party_event_extension_months"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {EVENT_KIND.label(self.kind)}"


class MembershipTransfer(BaseModel):
    """组织关系转接 (``membership_transfer``) of one member, with its 介绍信 (``transfer_letter``).

    ``direction``: ``internal`` (between two organizations in Zugong: the sending side starts it, the
    receiving side accepts or returns it; the member stays where they are — and invisible to the receiving
    side — until accepted), ``out`` (to a party organization outside Zugong: a 介绍信 is issued and the
    member leaves on ``sent_date``), ``in`` (a member arriving with a 介绍信 from outside, registered by
    the receiving side). ``state`` (``TRANSFER_STATE``): ``pending`` until decided; at most one pending
    transfer per person. The event it produced: ``events``.

    Scope anchor ``from_organization`` (the sender); the receiving side reads its pending transfers
    through a selector on ``to_organization`` (``core.scoping.scope_q``)."""

    scope_org_field = "from_organization"
    data_label = "party"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="membership_transfers",
                               verbose_name="人员")
    direction = models.CharField("转接方向", max_length=10, choices=TRANSFER_DIRECTION.choices)
    state = models.CharField("状态", max_length=10, choices=TRANSFER_STATE.choices, default="pending")
    whole_unit = models.BooleanField("整建制", default=False)
    from_organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT, null=True,
                                          blank=True, related_name="+", verbose_name="转出党组织")
    to_organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT, null=True,
                                        blank=True, related_name="+", verbose_name="接收党组织")
    counterpart = models.CharField("系统外党组织", max_length=200, blank=True, default="",
                                   help_text="转出去向（转出本系统）或转入来源（从系统外转入）")
    sent_date = models.DateField("转出日期")
    decided_date = models.DateField("接收（退回）日期", null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=500, blank=True, default="")
    letter_number = models.CharField("介绍信编号", max_length=50, blank=True, default="")
    validity_days = models.PositiveSmallIntegerField("有效期（天）", null=True, blank=True)
    dues_paid_through = models.DateField("党费交至（月）", null=True, blank=True,
                                         help_text="该月的1日表示交至该月")
    note = models.CharField("备注", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "组织关系转接"
        verbose_name_plural = "组织关系转接"
        constraints = [
            models.UniqueConstraint(fields=["person"], condition=Q(state="pending"),
                                    name="party_transfer_one_pending_per_person"),
        ]
        indexes = [models.Index(fields=["to_organization", "state"], name="party_transfer_to_state_idx")]

    def __str__(self) -> str:
        return f"{self.person} {TRANSFER_DIRECTION.label(self.direction)} {TRANSFER_STATE.label(self.state)}"


class MemberStatus(BaseModel):
    """A member's status over ``[start_date, end_date)``: 流动党员 (``mobile_member``, 第三十三表), 失联党员
    (``lost_contact_member``, 第四十三表) or 出国（境） (``kind``, ``STATUS_KIND``). Open (``end_date`` empty)
    while it lasts; on day D it holds when ``start_date <= D < end_date``. At most one open status of each
    kind per person. Recorded at ``organization`` (the member's organization when recorded; scope anchor).

    Mobile: ``flow_scope`` (跨省 / 省内跨市（地） / 市（地）内), ``destination_type`` (外出流向), ``destination``
    (text), ``original_occupation`` (原职业), ``has_certificate`` (持《中国共产党流动党员活动证》).
    Lost contact: ``lost_situation`` (失去联系具体情形); ``start_date`` is the day contact was lost."""

    scope_org_field = "organization"
    data_label = "party"

    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="member_statuses",
                               verbose_name="人员")
    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.PROTECT, related_name="+",
                                     verbose_name="党组织")
    kind = models.CharField("党员状态", max_length=20, choices=STATUS_KIND.choices)
    start_date = models.DateField("起始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    flow_scope = models.CharField("流动范围", max_length=20, choices=FLOW_SCOPE.choices, blank=True, default="")
    destination_type = models.CharField("外出流向", max_length=30, choices=FLOW_DESTINATION.choices, blank=True,
                                        default="")
    destination = models.CharField("流入地（单位）", max_length=200, blank=True, default="")
    original_occupation = models.CharField("原职业", max_length=30, choices=MOBILE_ORIGINAL_OCCUPATION.choices,
                                           blank=True, default="")
    has_certificate = models.BooleanField("持流动党员活动证", default=False)
    lost_situation = models.CharField("失去联系情形", max_length=30, choices=LOST_CONTACT_SITUATION.choices,
                                      blank=True, default="")
    note = models.CharField("备注", max_length=500, blank=True, default="")

    class Meta:
        verbose_name = "党员状态"
        verbose_name_plural = "党员状态"
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                                   name="party_status_end_after_start"),
            models.UniqueConstraint(fields=["person", "kind"], condition=Q(end_date__isnull=True),
                                    name="party_status_one_open_per_kind"),
        ]
        indexes = [models.Index(fields=["kind", "start_date"], name="party_status_kind_start_idx")]

    def __str__(self) -> str:
        return f"{self.person} {STATUS_KIND.label(self.kind)}"


class MemberCount(models.Model):
    """党员计数 (issue #13): per party organization, the figures ``party.counts`` sums over a subtree
    instead of counting every membership in scope.

    - ``open_members``: memberships of the organization with no end (``end_date IS NULL``), exact.
    - ``last_change``: no membership of the organization starts or ends after this date (an **upper
      bound**: an insert or update raises it to the row's latest date, a delete leaves it; ``zugong
      rebuild_counts`` makes it exact again). On a day D >= ``last_change`` the organization has exactly
      ``open_members`` members; otherwise ``party.counts`` corrects by the memberships starting or
      ending after D.

    Written **only by database triggers** on ``party_membership`` (migration ``member_counts``), never by
    Django code except the rebuild service (``party.counts.rebuild_counts``). An organization without a
    row has had no membership. Not a ``BaseModel``: no change log, no version (the trigger writes it)."""

    scope_org_field = "organization"
    data_label = "party"

    organization = models.OneToOneField("orgs.PartyOrganization", on_delete=models.CASCADE, primary_key=True,
                                        related_name="member_count", verbose_name="党组织")
    open_members = models.IntegerField("在册组织关系数", default=0)
    last_change = models.DateField("最近变动日期（上限）", null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "党员计数"
        verbose_name_plural = "党员计数"

    def __str__(self) -> str:
        return f"{self.organization_id}: {self.open_members}"
