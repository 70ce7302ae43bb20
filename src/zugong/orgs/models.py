"""Party organizations (党组织): one tree of 党委/党工委/党组/党总支/党支部/联合党支部/临时党支部/党小组.

Stored as a django-treebeard materialized path (``path``: 4 characters per level, alphabet 0-9A-Z), so a
subtree is ``path LIKE '<prefix>%'`` in SQL — fast at 10^5 nodes with the pattern index below.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from zugong.core.codes import ORG_TYPE, UNIT_CATEGORY
from zugong.core.scoping import ScopedQuerySet


class PartyOrganizationQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    """Tree queryset with ``restrict(user, action)``."""

    def active_on(self, day: dt.date):
        """Organizations existing on ``day``: founded on or before it (or founding date unknown) and
        not dissolved by then."""
        return self.filter(models.Q(founded_date__isnull=True) | models.Q(founded_date__lte=day)).filter(
            models.Q(dissolved_date__isnull=True) | models.Q(dissolved_date__gt=day)
        )

    def subtree(self, org: PartyOrganization):
        """``org`` and all its descendants (path-prefix condition)."""
        return self.filter(path__startswith=org.path)


class PartyOrganizationManager(MP_NodeManager):
    def get_queryset(self):
        return PartyOrganizationQuerySet(self.model).order_by("path")

    def restrict(self, user, action: str = "view", label: str | None = None):
        return self.get_queryset().restrict(user, action, label)

    def active_on(self, day):
        return self.get_queryset().active_on(day)


class PartyOrganization(MP_Node):
    """党组织 (party organization). ``code`` (组织代码) is the stable external key used in files.

    Data label ``party``; the organization itself is the scope anchor (``scope_org_field = ""``)."""

    scope_anchor = "organization"  # what grants point at: scope_org_field paths end here
    scope_org_field = ""
    data_label = "party"

    STATUS_CHOICES = [("active", "正常"), ("dissolved", "已撤销")]

    code = models.CharField("组织代码", max_length=50, unique=True)
    name = models.CharField("组织名称", max_length=200)
    org_type = models.CharField("组织类别", max_length=20, choices=ORG_TYPE.choices)
    unit_category = models.CharField("单位属性", max_length=30, choices=UNIT_CATEGORY.choices, blank=True)
    founded_date = models.DateField("成立日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=STATUS_CHOICES, default="active")
    dissolved_date = models.DateField("撤销日期", null=True, blank=True)
    dissolution_reason = models.CharField("撤销原因", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    version = models.PositiveIntegerField("版本", default=1, editable=False)

    objects = PartyOrganizationManager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        indexes = [
            # LIKE 'prefix%' on PostgreSQL needs a pattern-ops index (ignored on SQLite).
            models.Index(fields=["path"], name="orgs_path_pattern_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["org_type"], name="orgs_type_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def org_type_label(self) -> str:
        return ORG_TYPE.label(self.org_type)
