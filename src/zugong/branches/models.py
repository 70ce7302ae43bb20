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
