"""数据质量 (data quality): the records of an organization subtree a clerk should complete or check, as of a date.

``quality_report(user=, organization=, as_of=)`` is the scoped selector every interface calls (the page
``reports:quality``, its xlsx ``reports:quality_xlsx`` through ``quality_xlsx``, and ``zugong quality``).
It lists, for ``organization``'s subtree within the user's ``party.view`` scope, one ``QualityCheck``
per check below, each with its items (``QualityItem``: the person or organization, its organization's
code and name, and a detail text), each item linked to its record (``QualityItem.url``: the person page
``people:detail`` or the organization page ``orgs:detail``).

Members checked: the same population as the 党内统计 (``reports.services``, ``reports.communique.members``):
a ``Membership`` in force on ``as_of`` of an organization in the subtree whose person's 入党日期 is on or
before ``as_of``. Organizations checked: those existing on ``as_of`` in the subtree (root included).

Checks (``CHECKS``, in this order; codes are stable, used as JSON keys and ``?check=`` values):

- ``missing_education`` 缺学历, ``missing_ethnicity`` 缺民族, ``missing_sex`` 缺性别 (``Person``) and
  ``missing_occupation`` 缺工作岗位 (the membership in force): the statistics fields the 公报 counts by
  (大专及以上学历, 少数民族, 女党员, 职业). A blank value ("") is 未填: the statistics count it in no
  category (``incomplete_counts`` says how many such members a statistic holds).
- ``probation_overdue`` 入党满两年仍为预备党员: 预备党员 on ``as_of`` (no 转正日期 on or before it) whose
  入党日期 is ``quality.probation_max_years`` (2) or more years before ``as_of`` — 预备期一年，可延长但不超过
  一年 (《中国共产党章程》第七条); the same rule as the importer's warning
  (``party.validators.validate_probation_length``, 29 February as ``core.dates.add_years``).
- ``admitted_under_18`` 入党时未满十八周岁: 周岁 at the 入党日期 below ``quality.admission_min_age`` (18;
  《中国共产党章程》第一条 年满十八岁).
- ``early_full_membership`` 入党不满一年转正: a 转正日期 earlier than one 预备期 (``party.probation_years``,
  1 year) after the 入党日期 (《中国共产党章程》第七条; as ``party.validators.validate_full_membership``).
- ``occupation_unplaced`` 工作岗位未细分到年报岗位 (issue #10): a coarse 公报 category of 在岗职工 without its 年报
  row — 企事业单位、社会组织专业技术人员 / 管理人员 (``occupation`` ``professional``/``manager``, blank
  ``occupation_detail``): the 党内统计年报's 工作岗位 rows (第二、三、四、十六表) split it into 事业单位, 企业 and
  民办非企业单位 rows, so the member counts in 一、在岗职工 but in no row below it (the row sums fail). The
  detail names the likely row when the organization's 单位属性 suggests one.
- ``occupation_no_ownership`` 企业、工勤岗位缺单位所有制 (issue #10): 企业管理人员, 企业专业技术人员, 工勤技能人员
  (or the category 工人（工勤技能人员）) without ``ownership``: those rows are printed under both 公有制单位 and
  非公有制单位, so the member falls in neither (``core.codes.annual_row`` is ``None``).
- ``small_branch`` 正式党员不足三人的支部: 支部 (``ORG_TYPES_BRANCH``) existing on ``as_of`` with fewer
  than ``quality.branch_min_full_members`` (3) 正式党员 in force (《中国共产党章程》第三十条).
- ``organization_without_unit`` 未关联单位的党组织: organizations existing on ``as_of`` whose 党组织所在单位情况
  names no unit — not recorded, 法人单位 without a unit, 联合党支部 without units, or 与上级党组织相同 where
  no ancestor names one (党小组 are part of their branch and not checked).

Cost (``benchmarks/bench_quality.py``): five queries whatever the size — one over the memberships in
force selecting only the rows failing a person check (each check an annotated boolean, so the subtree
is read once; the two date-difference checks in native date arithmetic, as supersets narrowed in Python),
one grouped count of members and full members per organization, one over the organizations, one over
joint units, one for the ancestors of the root (inherited units). Everything else is Python over the
failing rows and the organizations only.

JSON shape (``QualityReport.as_dict``, the CLI's ``--format json``)::

    {"org": "C-1", "org_name": "…", "as_of": "2024-06-30", "members": 1234,
     "checks": [{"code": "missing_education", "label": "缺学历", "kind": "person", "count": 2,
                 "definition": "…", "source": "…",
                 "items": [{"id": 17, "name": "张三", "organization": "C-1-2", "organization_name": "…",
                            "detail": ""}]}]}

``id`` is the person's id for ``kind == "person"`` and the organization's id for ``"organization"``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
from dataclasses import dataclass, field

from django.db.models import BooleanField, Count, ExpressionWrapper, F, Func, IntegerField, Q
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan
from django.urls import reverse
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from zugong.core.codes import (
    COARSE_OCCUPATIONS,
    OCCUPATION,
    ORG_TYPE,
    ORG_TYPES_BRANCH,
    SECTOR_DETAILS,
    UNIT_CATEGORY,
    occupation_label,
)
from zugong.core.dates import add_years, age_on
from zugong.core.errors import OutOfScope, PermissionDeniedError
from zugong.core.rules import Rule, register, rule
from zugong.core.scoping import can
from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership
from zugong.party.rules import member_category_q, probation_years
from zugong.party.validators import MAX_PROBATION_YEARS, MIN_ADMISSION_AGE

PROBATION_MAX_RULE = "quality.probation_max_years"
ADMISSION_AGE_RULE = "quality.admission_min_age"
BRANCH_MIN_RULE = "quality.branch_min_full_members"
CHARTER = "《中国共产党章程》"

register(
    Rule(key=PROBATION_MAX_RULE, name="预备期最长年限", value=MAX_PROBATION_YEARS,
         definition="预备期为一年，可以延长但不能超过一年；入党已满两年仍未转正的预备党员应予核查",
         regulation=CHARTER, article="第七条"),
    Rule(key=ADMISSION_AGE_RULE, name="入党年龄", value=MIN_ADMISSION_AGE,
         definition="年满十八岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子可以申请入党，入党日期时未满十八周岁者应予核查",
         regulation=CHARTER, article="第一条"),
    Rule(key=BRANCH_MIN_RULE, name="支部正式党员人数", value=3,
         definition="凡是有正式党员三人以上的，都应当成立党的基层组织；正式党员不足三人的支部应予核查",
         regulation=CHARTER, article="第三十条"),
)

PERSON, ORGANIZATION = "person", "organization"
ANNUAL = "党内统计年报 工作岗位（第二、三、四、十六、十八至二十表）"
# Organizations that are set up in a unit (党组织所在单位情况): every kind but the 党小组 (part of a branch).
UNIT_CHECKED_TYPES = tuple(code for code in ORG_TYPE.entries if code != "party_group")
MEMBER_PREFIX = "person__party_member__"


@dataclass(frozen=True)
class CheckSpec:
    """One check: stable ``code``, Chinese ``label``, ``kind`` (``"person"``/``"organization"``) and the
    definition printed beside it (with its ``source``)."""

    code: str
    label: str
    kind: str
    definition: str
    source: str


def _rule_source(key: str, on: dt.date | None) -> str:
    row = rule(key, on)
    return f"{row.regulation}{row.article}"


def check_specs(on: dt.date | None = None) -> list[CheckSpec]:
    """The checks in display order with their definitions in force on ``on`` (see the module docstring)."""
    stats = "中共中央组织部《中国共产党党内统计公报》"
    probation_max = rule(PROBATION_MAX_RULE, on).value
    min_age = rule(ADMISSION_AGE_RULE, on).value
    branch_min = rule(BRANCH_MIN_RULE, on).value
    years = probation_years(on=on)
    return [
        CheckSpec("missing_education", "缺学历", PERSON, "未登记学历，不计入“大专及以上学历党员”", stats),
        CheckSpec("missing_ethnicity", "缺民族", PERSON, "未登记民族，不计入“少数民族党员”", stats),
        CheckSpec("missing_occupation", "缺工作岗位", PERSON, "所在组织关系未登记工作岗位，不计入任何职业", stats),
        CheckSpec("missing_sex", "缺性别", PERSON, "未登记性别，不计入“女党员”", stats),
        CheckSpec("probation_overdue", f"入党满{probation_max}年仍为预备党员", PERSON,
                  f"截至日期仍为预备党员、入党已满{probation_max}年（预备期一年，延长不超过一年）",
                  _rule_source(PROBATION_MAX_RULE, on)),
        CheckSpec("admitted_under_18", f"入党时未满{min_age}周岁", PERSON,
                  f"入党日期时未满{min_age}周岁（按出生日期计算）", _rule_source(ADMISSION_AGE_RULE, on)),
        CheckSpec("early_full_membership", f"入党不满{years}年转正", PERSON,
                  f"转正日期早于入党日期满{years}年之日（预备期为{years}年）", f"{CHARTER}第七条"),
        CheckSpec("occupation_unplaced", "工作岗位未细分到年报岗位", PERSON,
                  "工作岗位只登记为“企事业单位、社会组织专业技术人员”或“管理人员”，未细分为事业单位、企业或民办非企业单位"
                  "的岗位，党内统计年报只能计入“在岗职工”，不能计入其下任何一行", ANNUAL),
        CheckSpec("occupation_no_ownership", "企业、工勤岗位缺单位所有制", PERSON,
                  "工作岗位为企业管理人员、企业专业技术人员或工勤技能人员（工人），未登记所在单位为公有制单位或非公有制单位"
                  "（所在单位也未登记经济控制类型），党内统计年报不能计入公有制或非公有制单位的行", ANNUAL),
        CheckSpec("small_branch", f"正式党员不足{branch_min}人的支部", ORGANIZATION,
                  f"截至日期正式党员少于{branch_min}人的党支部（含联合、临时党支部）", _rule_source(BRANCH_MIN_RULE, on)),
        CheckSpec("organization_without_unit", "未关联单位的党组织", ORGANIZATION,
                  "党组织所在单位情况未登记，或未指明所在单位（与上级相同时上级也未登记）；党小组不计",
                  "党组织所在单位情况"),
    ]


@dataclass(frozen=True)
class QualityItem:
    """One record to fix: ``kind`` ``"person"`` (``id`` = person id) or ``"organization"`` (``id`` =
    organization id), its ``name``, its organization's ``organization`` code and ``organization_name``,
    and a ``detail`` text (e.g. 「入党日期 2020-01-01」)."""

    kind: str
    id: int
    name: str
    organization: str
    organization_name: str
    detail: str = ""
    path: str = field(default="", compare=False, repr=False)

    @property
    def url(self) -> str:
        """The record's page (``people:detail`` or ``orgs:detail``)."""
        return reverse("people:detail" if self.kind == PERSON else "orgs:detail", args=[self.id])

    def as_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "organization": self.organization,
                "organization_name": self.organization_name, "detail": self.detail}


@dataclass
class QualityCheck:
    """A check (``spec``) and its ``items`` (ordered by organization tree position, then name)."""

    spec: CheckSpec
    items: list[QualityItem]

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def label(self) -> str:
        return self.spec.label

    @property
    def count(self) -> int:
        return len(self.items)

    def as_dict(self) -> dict:
        return {"code": self.spec.code, "label": self.spec.label, "kind": self.spec.kind, "count": self.count,
                "definition": self.spec.definition, "source": self.spec.source,
                "items": [item.as_dict() for item in self.items]}


@dataclass
class QualityReport:
    """The report of ``organization``'s subtree on ``as_of``: ``members`` checked and the ``checks``."""

    organization: PartyOrganization
    as_of: dt.date
    members: int
    checks: list[QualityCheck]

    @property
    def total(self) -> int:
        """Items over all checks (a record failing two checks counts twice)."""
        return sum(check.count for check in self.checks)

    def check(self, code: str) -> QualityCheck | None:
        return next((c for c in self.checks if c.code == code), None)

    def as_dict(self) -> dict:
        """The JSON shape of the module docstring."""
        return {"org": self.organization.code, "org_name": self.organization.name, "as_of": self.as_of.isoformat(),
                "members": self.members, "checks": [c.as_dict() for c in self.checks]}


# --------------------------------------------------------------------------------------------------
# The selector
# --------------------------------------------------------------------------------------------------


def _scoped(user, organization: PartyOrganization, action: str = "view") -> PartyOrganization:
    org = PartyOrganization.objects.restrict(user, action).filter(pk=organization.pk).first()
    if org is None:
        raise OutOfScope(f"组织代码「{organization.code}」不存在或不在您的数据范围内。")
    return org


def _member_rows(user, root: PartyOrganization, as_of: dt.date, action: str = "view"):
    """The memberships in force on ``as_of`` in ``root``'s subtree, admitted by then (the 公报's members),
    within ``user``'s ``action`` scope."""
    return (Membership.objects.restrict(user, action).on(as_of)
            .filter(organization__path__startswith=root.path, **{f"{MEMBER_PREFIX}admission_date__lte": as_of}))


class DateNumber(Func):
    """``yyyymmdd`` of a date column as an integer (ordering-preserving, so ``DateNumber(b) - DateNumber(a)
    < n * 10000`` ⇔ ``core.dates.age_on(a, b) < n``, 29 February included). SQLite: ``strftime`` (native C;
    Django's ``Extract*`` there call a Python function per row — 2.5 s of CPU per 100,000 members for the
    two checks below); other databases: Django's ``Extract*``."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection,
                              template="CAST(strftime('%%%%Y%%%%m%%%%d', %(expressions)s) AS INTEGER)", **extra)

    def as_sql(self, compiler, connection, **extra):
        field = self.source_expressions[0]
        portable = ExtractYear(field) * 10000 + ExtractMonth(field) * 100 + ExtractDay(field)
        return compiler.compile(portable.resolve_expression(compiler.query))


class YearsBelow(Func):
    """Boolean: fewer than ``years`` whole years from the date in ``start`` to the date in ``end`` (same
    row). ``anniversary="age_on"`` counts a 29 February start's anniversary in a common year on 1 March
    (``core.dates.age_on``, the 入党年龄 rule), ``"add_years"`` on 28 February (``core.dates.add_years``, the
    预备期 rule). PostgreSQL: native date arithmetic, ``end < start + make_interval(years => n)`` (PostgreSQL
    adds years as ``add_years`` does; ``to_char`` or ``EXTRACT`` per row cost 0.3–0.5 s per 100,000
    members), exact for both. Other databases: ``yyyymmdd`` numbers (``DateNumber``), exact for
    ``"age_on"`` and a superset for ``"add_years"`` (29 February starts only) — the caller narrows the
    returned rows in Python."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, start: str, end: str, years: int, anniversary: str):
        self.years, self.anniversary = int(years), anniversary
        super().__init__(F(start), F(end))

    def as_postgresql(self, compiler, connection, **extra):
        (start, params_start), (end, params_end) = (compiler.compile(e) for e in self.source_expressions)
        if params_start or params_end:
            raise ValueError("YearsBelow compares two date columns")
        target = f"CAST({start} + make_interval(years => {self.years}) AS date)"
        sql = f"{end} < {target}"
        if self.anniversary == "age_on":  # the day PostgreSQL moved to 28 February is still before it
            sql = (f"({sql} OR ({end} = {target} AND EXTRACT(MONTH FROM {start}) = 2 "
                   f"AND EXTRACT(DAY FROM {start}) = 29))")
        return f"({sql})", ()

    def as_sql(self, compiler, connection, **extra):
        start, end = self.source_expressions
        below = LessThan(DateNumber(end) - DateNumber(start), self.years * 10000)
        return compiler.compile(below.resolve_expression(compiler.query))


def latest_start(as_of: dt.date, years: int) -> dt.date:
    """The latest day ``d`` with ``add_years(d, years) <= as_of`` (29 February counted as
    ``core.dates.add_years`` does: 28 February in a common year), so ``d <= latest_start(...)`` ⇔ ``years``
    full years have passed by ``as_of`` — the rule ``party.validators.validate_probation_length`` applies."""
    day = add_years(as_of, -years)
    if (day.month, day.day) == (2, 28) and calendar.isleap(day.year) and not calendar.isleap(as_of.year):
        return day.replace(day=29)
    return day


def _early_full(admission: dt.date, full: dt.date) -> bool:
    """转正日期 earlier than one 预备期 after 入党 (``party.validators.validate_full_membership``)."""
    return full < add_years(admission, probation_years(on=admission))


def _flag(condition: Q) -> ExpressionWrapper:
    return ExpressionWrapper(condition, output_field=BooleanField())


def _person_conditions(as_of: dt.date) -> dict[str, Q]:
    admission = f"{MEMBER_PREFIX}admission_date"
    full = f"{MEMBER_PREFIX}full_membership_date"
    probation_max = rule(PROBATION_MAX_RULE, as_of).value
    return {
        "missing_education": Q(person__education_level=""),
        "missing_ethnicity": Q(person__ethnicity=""),
        "missing_occupation": Q(occupation=""),
        "missing_sex": Q(person__sex=""),
        "probation_overdue": (member_category_q("probationary", on=as_of, prefix=MEMBER_PREFIX)
                              & Q(**{f"{admission}__lte": latest_start(as_of, probation_max)})),
        "admitted_under_18": Q(YearsBelow("person__birth_date", admission, rule(ADMISSION_AGE_RULE, as_of).value,
                                          "age_on")),
        # 转正 less than one 预备期 after 入党 (candidates; ``_person_checks`` keeps the exact ``add_years`` ones)
        "early_full_membership": (Q(**{f"{full}__isnull": False})
                                  & Q(YearsBelow(admission, full, probation_years(on=as_of), "add_years"))),
        # the 年报's 工作岗位 rows (issue #10; ``core.codes.annual_row``)
        "occupation_unplaced": Q(occupation__in=COARSE_OCCUPATIONS, occupation_detail=""),
        "occupation_no_ownership": Q(ownership="") & (Q(occupation_detail__in=SECTOR_DETAILS)
                                                      | Q(occupation="worker", occupation_detail="")),
    }


LIKELY_ROWS = {"public_institution": "事业单位", "enterprise": "企业", "social_organization": "民办非企业单位"}
"""单位属性 of the organization → the 年报 rows a coarse 工作岗位 there most likely belongs to (a hint only)."""


def _person_details(code: str, row: dict) -> str:
    admission, full, birth = row["admission"], row["full"], row["birth"]
    if code == "occupation_unplaced":
        text = f"工作岗位：{OCCUPATION.label(row['occupation'])}"
        likely = LIKELY_ROWS.get(row["org_category"])
        if likely:
            kind = "专业技术人员" if row["occupation"] == "professional" else "管理人员"
            text += f"（所在党组织单位属性为{UNIT_CATEGORY.label(row['org_category'])}，可能为「{likely}{kind}」）"
        return text
    if code == "occupation_no_ownership":
        return f"工作岗位：{occupation_label(row['occupation'], row['occupation_detail'])}，未登记公有制或非公有制单位"
    if code == "probation_overdue":
        return f"入党日期 {admission.isoformat()}，尚未转正"
    if code == "admitted_under_18":
        return f"出生日期 {birth.isoformat()}，入党日期 {admission.isoformat()}"
    if code == "early_full_membership":
        return f"入党日期 {admission.isoformat()}，转正日期 {full.isoformat()}"
    return ""


def _member_counts(user, root: PartyOrganization, as_of: dt.date, action: str) -> dict[int, tuple[int, int]]:
    """``{organization id: (members, full members)}`` on ``as_of`` in the subtree: one grouped query."""
    rows = (_member_rows(user, root, as_of, action).order_by().values("organization_id")
            .annotate(n=Count("pk"), full=Count("pk", filter=member_category_q("full", on=as_of, prefix=MEMBER_PREFIX))))
    return {row["organization_id"]: (row["n"], row["full"]) for row in rows}


def _person_checks(user, root: PartyOrganization, as_of: dt.date, action: str) -> dict[str, list[QualityItem]]:
    """``{code: items}`` of the person checks — one query returning only the failing rows."""
    conditions = _person_conditions(as_of)
    rows = _member_rows(user, root, as_of, action)
    any_failed = Q()
    for condition in conditions.values():
        any_failed |= condition
    failing = (rows.filter(any_failed).order_by()
               .values("person_id", "person__name", "organization__code", "organization__name", "organization__path",
                       "occupation", "occupation_detail", birth=F("person__birth_date"), admission=F(f"{MEMBER_PREFIX}admission_date"),
                       full=F(f"{MEMBER_PREFIX}full_membership_date"), org_category=F("organization__unit_category"),
                       **{f"f_{code}": _flag(condition) for code, condition in conditions.items()}))
    found: dict[str, list[QualityItem]] = {code: [] for code in conditions}
    min_age = rule(ADMISSION_AGE_RULE, as_of).value
    for row in failing:  # the date-difference checks may come as supersets (``YearsBelow``): the exact rules
        if row["f_early_full_membership"] and not _early_full(row["admission"], row["full"]):
            row["f_early_full_membership"] = False
        if row["f_admitted_under_18"] and age_on(row["birth"], row["admission"]) >= min_age:
            row["f_admitted_under_18"] = False
        if not any(row[f"f_{code}"] for code in conditions):
            continue
        for code in conditions:
            if row[f"f_{code}"]:
                found[code].append(QualityItem(PERSON, row["person_id"], row["person__name"], row["organization__code"],
                                               row["organization__name"], _person_details(code, row),
                                               row["organization__path"]))
    for items in found.values():
        items.sort(key=lambda i: (i.path, i.name, i.id))
    return found


def _organization_checks(user, root: PartyOrganization, as_of: dt.date, action: str,
                         counts: dict[int, tuple[int, int]]) -> dict[str, list[QualityItem]]:
    """``small_branch`` and ``organization_without_unit`` over the organizations existing on ``as_of``
    (``counts``: ``_member_counts``)."""
    orgs = list(PartyOrganization.objects.restrict(user, action).active_on(as_of)
                .filter(path__startswith=root.path).order_by("path")
                .values("id", "code", "name", "path", "org_type", "unit_relation", "unit_id"))
    branch_min = rule(BRANCH_MIN_RULE, as_of).value
    full_counts = {org_id: full for org_id, (_n, full) in counts.items()}
    small = [QualityItem(ORGANIZATION, o["id"], o["name"], o["code"], o["name"],
                         f"{ORG_TYPE.label(o['org_type'])}，正式党员 {full_counts.get(o['id'], 0)} 人", o["path"])
             for o in orgs if o["org_type"] in ORG_TYPES_BRANCH and full_counts.get(o["id"], 0) < branch_min]

    joint = set(PartyOrganization.joint_units.through.objects
                .filter(partyorganization__path__startswith=root.path)
                .values_list("partyorganization_id", flat=True).distinct())
    # whether each organization names a unit of its own (None: same as its superior)
    own: dict[str, bool | None] = {}
    steplen = PartyOrganization.steplen
    ancestors = [root.path[:k] for k in range(steplen, len(root.path), steplen)]
    above = (PartyOrganization.objects.filter(path__in=ancestors).values("id", "path", "unit_relation", "unit_id")
             if ancestors else [])
    for o in [*above, *orgs]:
        relation = o["unit_relation"]
        if relation == "same_as_parent":
            own[o["path"]] = None
        elif relation == "joint":
            own[o["path"]] = o["id"] in joint
        else:
            own[o["path"]] = bool(relation) and o["unit_id"] is not None

    def has_unit(path: str) -> bool:
        while path:
            value = own.get(path)
            if value is not None:
                return value
            if path not in own:
                return False  # an ancestor outside what was read (cannot happen: read above)
            path = path[:-steplen]
        return False

    relation_labels = {"": "所在单位情况未登记", "legal_entity_unit": "法人单位未指明", "joint": "联合党支部未指明单位",
                       "same_as_parent": "与上级党组织相同，上级也未登记单位"}
    without = [QualityItem(ORGANIZATION, o["id"], o["name"], o["code"], o["name"],
                           f"{ORG_TYPE.label(o['org_type'])}，{relation_labels.get(o['unit_relation'], '未指明单位')}",
                           o["path"])
               for o in orgs if o["org_type"] in UNIT_CHECKED_TYPES and not has_unit(o["path"])]
    return {"small_branch": small, "organization_without_unit": without}


def quality_report(*, user, organization: PartyOrganization, as_of: dt.date, action: str = "view") -> QualityReport:
    """数据质量 of ``organization``'s subtree on ``as_of`` within ``user``'s ``party.<action>`` scope
    (``"view"``; the export reads with ``"export"``).

    Returns a ``QualityReport`` (checks in ``check_specs`` order; see the module docstring for each
    check's definition and source). Raises ``OutOfScope`` when ``organization`` is not in the scope
    (the same message as an unknown code). Members and organizations are read through
    ``restrict(user, action)``: a node-only grant shows only that node's records."""
    root = _scoped(user, organization, action)
    counts = _member_counts(user, root, as_of, action)
    person_items = _person_checks(user, root, as_of, action)
    org_items = _organization_checks(user, root, as_of, action, counts)
    members = sum(n for n, _full in counts.values())
    found = {**person_items, **org_items}
    return QualityReport(root, as_of, members, [QualityCheck(spec, found[spec.code]) for spec in check_specs(as_of)])


def people_listed(*, user, items) -> list:
    """The ``Person`` rows of the person ``items`` (``QualityItem``) within ``user``'s ``party.view``
    scope (the page's ``object_list``)."""
    from zugong.people.models import Person

    ids = {item.id for item in items if item.kind == PERSON}
    return list(Person.objects.restrict(user, "view", "party").filter(pk__in=ids)) if ids else []


INCOMPLETE_FIELDS = {"学历": "missing_education", "民族": "missing_ethnicity", "工作岗位": "missing_occupation",
                     "性别": "missing_sex"}


def incomplete_conditions(as_of: dt.date) -> dict[str, Q]:
    """The conditions of ``incomplete_counts`` on the membership rows: ``{"合计": lacks any, "学历": …}``."""
    conditions = _person_conditions(as_of)
    any_missing = Q()
    for code in INCOMPLETE_FIELDS.values():
        any_missing |= conditions[code]
    return {"合计": any_missing, **{label: conditions[code] for label, code in INCOMPLETE_FIELDS.items()}}


def incomplete_counts(*, user, organization: PartyOrganization, as_of: dt.date, live: bool = False) -> dict[str, int]:
    """How many of the 公报's members (same population as ``reports.services.party_statistics``) lack a
    statistics field: ``{"合计": members lacking any, "学历": n, "民族": n, "工作岗位": n, "性别": n}``.
    Read from the statistics snapshots (``reports.snapshots``, exact) or, with ``live=True`` (the reference),
    one aggregate query; raises ``OutOfScope`` like ``quality_report``. Such members are in 党员总数
    but in no category of the field they lack (未填)."""
    root = _scoped(user, organization)
    if not live:
        from zugong.reports.services import snapshot_counts

        counts = snapshot_counts(user=user, root=root, as_of=as_of)
        if counts is not None:
            return {label: counts[f"incomplete:{label}"] for label in ("合计", *INCOMPLETE_FIELDS)}
    conditions = incomplete_conditions(as_of)
    return _member_rows(user, root, as_of).aggregate(**{label: Count("pk", filter=q) for label, q in conditions.items()})


def incomplete_note(counts: dict[str, int]) -> str:
    """The line under a statistic saying how many of its members are incomplete (``incomplete_counts``),
    ``""`` when none is: 「信息不完整的党员 3 名（缺学历 1 名、缺民族 2 名）：计入党员总数，不计入所缺项目的分类。」"""
    if not counts.get("合计"):
        return ""
    parts = "、".join(f"缺{label} {n} 名" for label, n in counts.items() if label != "合计" and n)
    return f"信息不完整的党员 {counts['合计']} 名（{parts}）：计入党员总数，不计入所缺项目的任何分类。"


# --------------------------------------------------------------------------------------------------
# Export
# --------------------------------------------------------------------------------------------------

XLSX_HEADERS = ("检查项", "类别", "姓名/组织名称", "组织代码", "所在组织", "说明", "记录编号")


def quality_filename(organization: PartyOrganization, as_of: dt.date, ext: str = "xlsx") -> str:
    """``数据质量_<组织代码>_<YYYYMMDD>.<ext>``."""
    return f"数据质量_{organization.code}_{as_of:%Y%m%d}.{ext}"


def quality_workbook(report: QualityReport) -> Workbook:
    """Sheet 「问题清单」: a header row (``XLSX_HEADERS``) then one row per item (every row names its
    organization's code); sheet 「汇总」: the title, each check with its count, definition and source."""
    wb = Workbook()
    ws = wb.active
    ws.title = "问题清单"
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="F3F4F6")
    ws.append(list(XLSX_HEADERS))
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
    for check in report.checks:
        kind = "党员" if check.spec.kind == PERSON else "党组织"
        for item in check.items:
            ws.append([check.label, kind, item.name, item.organization, item.organization_name, item.detail, item.id])
    for index, width in enumerate((24, 8, 24, 16, 30, 40, 10), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"

    summary = wb.create_sheet("汇总")
    org = report.organization
    summary.append([f"数据质量 — {org.name}（{org.code}，含下级组织，截至 {report.as_of.isoformat()}）"])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append([f"检查党员 {report.members} 名"])
    summary.append(["检查项", "数量", "口径", "依据"])
    for cell in summary[3]:
        cell.font, cell.fill = bold, fill
    for check in report.checks:
        summary.append([check.label, check.count, check.spec.definition, check.spec.source])
    for index, width in enumerate((26, 10, 60, 30), start=1):
        summary.column_dimensions[get_column_letter(index)].width = width
    return wb


def quality_xlsx(*, user, organization: PartyOrganization, as_of: dt.date) -> tuple[bytes, str]:
    """The report as xlsx: ``(file bytes, file name)``. Raises ``OutOfScope`` (not in the user's
    ``party.view`` scope) or ``PermissionDeniedError`` (no ``party.export`` on the organization).
    Audited as an ``export`` event (organization code, 截至日期, item counts)."""
    from zugong.audit.services import record_event

    root = _scoped(user, organization)  # OutOfScope exactly as the page
    if not can(user, "party", "export", root):
        raise PermissionDeniedError("您没有导出该组织数据的权限。")
    report = quality_report(user=user, organization=root, as_of=as_of, action="export")
    buffer = io.BytesIO()
    quality_workbook(report).save(buffer)
    record_event(
        "export", user=user, object_type="party_organization", object_id=report.organization.code,
        summary=f"导出数据质量报告：{report.organization.name}（截至 {as_of.isoformat()}）",
        data={"report": "quality", "organization": report.organization.code, "as_of": as_of.isoformat(),
              "format": "xlsx", "counts": {c.code: c.count for c in report.checks}},
    )
    return buffer.getvalue(), quality_filename(report.organization, as_of)
