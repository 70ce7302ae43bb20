"""Party organizations (党组织): one tree of 党委/党工委/党组/党总支/党支部/联合党支部/临时党支部/党小组;
and administrative units (单位: 机关, 事业单位, 企业, 社会组织, 街道, 乡镇, 社区, 行政村 …), a second tree.

Both are stored as django-treebeard materialized paths (``path``: 4 characters per level, alphabet 0-9A-Z),
so a subtree is ``path LIKE '<prefix>%'`` in SQL — fast at 10^5 nodes with the pattern indexes below. Both
are scope anchors (``core.scoping``): grants hang on a party organization or on a unit. Both are
``core.trees.TreeNode``s: the life-cycle fields (成立日期, 状态, 撤销日期, 撤销原因, timestamps, ``version``), the
queryset (``restrict``, ``active_on``, ``subtree``) and the manager are the tree base's; each model keeps its
key, name, attributes and indexes.

A party organization is set up in a unit (党组织所在单位情况, ``unit_relation``): in a legal-entity unit
(``legal_entity_unit``, ``unit`` names it), in the same unit as its superior organization
(``same_as_parent``, ``unit`` empty: the unit is the nearest ancestor's, ``orgs.selectors.organization_unit``),
or as a 联合党支部 covering several units (``joint``, ``joint_units`` names at least two).
"""

from __future__ import annotations

from django.db import models

from zugong.core.codes import ORG_TYPE, UNIT_CATEGORY
from zugong.core.scoping import BaseModel
from zugong.core.trees import TreeManager, TreeNode
from zugong.orgs.choices import ECONOMIC_CONTROL, ENTERPRISE_SIZE, ORGAN_LEVEL, UNIT_RELATION


class PartyOrganization(TreeNode):
    """党组织 (party organization). ``code`` (组织代码) is the stable external key used in files.

    Data label ``party``; the organization itself is the scope anchor (``scope_org_field = ""``)."""

    scope_anchor = "organization"  # what grants point at: scope_org_field paths end here
    scope_org_field = ""
    data_label = "party"

    code = models.CharField("组织代码", max_length=50, unique=True)
    name = models.CharField("组织名称", max_length=200)
    short_name = models.CharField("党组织简称", max_length=100, blank=True,
                                  help_text="本地常用的简称，如「康驿镇第一党支部」；导入时按简称也能找到本组织")
    org_type = models.CharField("组织类别", max_length=20, choices=ORG_TYPE.choices)
    unit_category = models.CharField("单位属性", max_length=30, choices=UNIT_CATEGORY.choices, blank=True)
    unit_relation = models.CharField("党组织所在单位情况", max_length=20, choices=UNIT_RELATION.choices, blank=True)
    unit = models.ForeignKey("orgs.Unit", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="organizations", verbose_name="所在单位")
    joint_units = models.ManyToManyField("orgs.Unit", blank=True, related_name="joint_organizations",
                                         verbose_name="联合党支部覆盖的单位")

    objects = TreeManager()

    class Meta:
        verbose_name = "党组织"
        verbose_name_plural = "党组织"
        indexes = [
            # LIKE 'prefix%' on PostgreSQL needs a pattern-ops index (ignored on SQLite).
            models.Index(fields=["path"], name="orgs_path_pattern_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["org_type"], name="orgs_type_idx"),
        ]

    @property
    def org_type_label(self) -> str:
        return ORG_TYPE.label(self.org_type)


class OrganizationExternalId(BaseModel):
    """外部标识 (``external_id``): another system's key for one of our party organizations — the
    全国党员管理信息系统's 党组织唯一标识, a platform's 所在党支部编码 — so its files keep resolving to the
    same organization on every import (``orgs.matching``).

    ``system`` names the source (``""`` = unnamed: the identifier column of a file whose system is not
    told); ``(system, value)`` is unique, so one identifier of one system names one organization. The same
    ``value`` under two systems may name two organizations: a lookup without a system then reports it as
    ambiguous. Written by the 党组织 importer (``orgs.services.organization_external_ids_bulk_set``);
    scoped through its organization (data label ``party``)."""

    scope_org_field = "organization"
    data_label = "party"

    organization = models.ForeignKey(PartyOrganization, on_delete=models.CASCADE, related_name="external_ids",
                                     verbose_name="党组织")
    system = models.CharField("来源系统", max_length=50, blank=True)
    value = models.CharField("外部标识", max_length=100)

    class Meta:
        verbose_name = "党组织外部标识"
        verbose_name_plural = "党组织外部标识"
        constraints = [models.UniqueConstraint(fields=["system", "value"], name="orgs_external_id_unique")]
        indexes = [models.Index(fields=["value"], name="orgs_external_id_value_idx")]

    def __str__(self) -> str:
        return f"{self.system or '外部标识'}：{self.value}"


class Unit(TreeNode):
    """单位 (administrative unit: 机关, 事业单位, 企业, 社会组织, 街道, 乡镇, 社区, 行政村), a tree of its own
    beside the party organizations. ``code`` (单位代码) is the stable external key used in files.

    Scope anchor of kind ``"unit"`` (grants may hang on a unit and cover its subtree); data label ``basic``
    (基本信息: a unit's name, category and registration are not party data). ``credit_code`` is the
    18-character 统一社会信用代码 (GB 32100-2015, check character verified by ``orgs.validators``),
    unique when given. ``economic_control`` and ``enterprise_size`` apply to enterprises only,
    ``organ_level`` to 机关 only (``orgs.choices``)."""

    scope_anchor = "unit"  # grants on the unit tree: scope_org_field paths ending here use them
    scope_org_field = ""
    data_label = "basic"

    code = models.CharField("单位代码", max_length=50, unique=True)
    name = models.CharField("单位名称", max_length=200)
    unit_category = models.CharField("单位属性", max_length=30, choices=UNIT_CATEGORY.choices)
    legal_entity = models.BooleanField("法人单位", default=False)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    economic_control = models.CharField("经济控制类型", max_length=30, choices=ECONOMIC_CONTROL.choices, blank=True)
    enterprise_size = models.CharField("企业规模", max_length=10, choices=ENTERPRISE_SIZE.choices, blank=True)
    organ_level = models.CharField("机关层级", max_length=20, choices=ORGAN_LEVEL.choices, blank=True)

    objects = TreeManager()

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        indexes = [
            models.Index(fields=["path"], name="orgs_unit_path_pattern_idx", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["credit_code"], condition=~models.Q(credit_code=""),
                                    name="orgs_unit_credit_code_unique"),
        ]

    @property
    def unit_category_label(self) -> str:
        return UNIT_CATEGORY.label(self.unit_category)


class OrganizationTerm(BaseModel):
    """One term (届) of a party organization's committee or secretary: 换届日期 (``election_date``, the day
    it was elected), 本届任期开始 (``start_date``) and 届满日期 (``end_date``: the day the term is due to end;
    3 years, 5 for villages and communities — 《中国共产党支部工作条例（试行）》第十二条, ``rules.md`` §2).
    The term in force on D is the latest with ``start_date <= D``. 党内统计年报 第二十四表 counts an
    organization 任届期满 on 31 December when its term in force then has ended (``end_date <= D``), and
    报告期内换届 when a term's ``election_date`` falls in the year. Scope: its organization (label ``party``)."""

    scope_org_field = "organization"
    data_label = "party"

    organization = models.ForeignKey(PartyOrganization, on_delete=models.CASCADE, related_name="terms",
                                     verbose_name="党组织")
    election_date = models.DateField("换届日期")
    start_date = models.DateField("本届任期开始")
    end_date = models.DateField("届满日期")

    class Meta:
        verbose_name = "党组织届次"
        verbose_name_plural = "党组织届次"
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gt=models.F("start_date")),
                                   name="orgs_term_end_after_start"),
            models.UniqueConstraint(fields=["organization", "start_date"], name="orgs_term_unique_start"),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.start_date}—{self.end_date}"
