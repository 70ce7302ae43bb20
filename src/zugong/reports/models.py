"""The statistics engine's pre-aggregates (issue #13, ``reports.snapshots``): not organization data but a
cache of figures computed from it, read only by ``reports.services`` through the user's scoped organizations.

- ``StatsSnapshot`` (统计快照): one organization's *own* members (not its subtree) as of one day, as a vector
  of counts (``n00`` … ``n47``; what each component means is the layout of the rules in force that day,
  fingerprinted by ``signature``), valid while ``version`` equals the organization's change count.
- ``StatsChange`` (统计变更): an append-only log written by database triggers whenever a membership, a
  person's statistics fields or a party member's dates change; an organization's change count is the sum of
  its rows' ``weight``. Compaction merges rows without changing any sum.
"""

from __future__ import annotations

from django.db import models

VECTOR_SIZE = 48
"""Components a snapshot can hold; a layout needing more falls back to the live query."""


class StatsChange(models.Model):
    """统计变更: ``weight`` changes touched the members of organization ``organization_id`` (no foreign key:
    the log outlives a deleted organization and triggers write it without locking the organization row)."""

    scope_exempt = "statistics cache: written by database triggers, read only by reports.snapshots"

    id = models.BigAutoField(primary_key=True)
    organization_id = models.BigIntegerField("党组织")
    weight = models.BigIntegerField("变更次数", default=1)

    class Meta:
        verbose_name = "统计变更"
        verbose_name_plural = "统计变更"
        indexes = [models.Index(fields=["organization_id", "weight"], name="reports_statschange_org_idx")]

    def __str__(self) -> str:
        return f"{self.organization_id} +{self.weight}"


class StatsSnapshot(models.Model):
    """统计快照: the count vector of ``organization``'s own members as of ``day`` (``reports.snapshots``)."""

    scope_exempt = "statistics cache: read only by reports.services through the user's scoped organizations"

    id = models.BigAutoField(primary_key=True)
    organization = models.ForeignKey("orgs.PartyOrganization", on_delete=models.CASCADE, related_name="+",
                                     verbose_name="党组织", db_index=False)
    day = models.DateField("截至日期")
    signature = models.CharField("口径指纹", max_length=40)
    version = models.BigIntegerField("变更计数")

    class Meta:
        verbose_name = "统计快照"
        verbose_name_plural = "统计快照"
        constraints = [models.UniqueConstraint(fields=["organization", "day"], name="reports_snapshot_org_day")]

    def __str__(self) -> str:
        return f"{self.organization_id} @ {self.day}"


for _i in range(VECTOR_SIZE):  # the vector's components n00 … n47
    StatsSnapshot.add_to_class(f"n{_i:02d}", models.IntegerField(default=0, db_default=0))
