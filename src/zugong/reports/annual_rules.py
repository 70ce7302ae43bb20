"""The 党内统计年报 definitions (统计口径 of the annual tables), as rows of the rule table (``zugong.core.rules``).

Source of every row: 中共中央组织部 党内统计年报 表式 (the 2017 table set, ``shared/annual-report.md``) — the
column items as the forms print them — together with the member definitions of ``zugong.party.rules``
(少数民族, 正式/预备, 预备期) and the 公报 layout's organization kinds (``zugong.reports.rules``). Where the
form prints an item but not its definition, the row's ``note`` says which reading Zugong applies and why;
``annual_definitions(on)`` lists them for the page, the ``.xlsx`` 说明 and the closing note.

Rows (keys ``reports.annual.*``):

- ``age_bands.t2`` / ``.t10`` / ``.t16`` / ``.t43`` and ``pipeline_young``: 年龄 columns/rows of 第二表 (周岁 on
  31 December), 第十表 (周岁 on the 出党 date), 第十六表 (周岁 on the 入党日期), 第四十三表 (31 December) and the
  35岁及以下 of 第十八–二十表 (31 December).
- ``eras.t3`` / ``.t10``: 入党时间 columns of 第三表 and rows of 第十表 (by 入党日期; whole months as printed).
- ``education_groups``: 学历 columns of 第四表 and 第十六表 (研究生 … 初中及以下) by GB/T 4658-2006 code
  prefixes, with the coarser groups of 第十八–二十表 and 第四十三表 made of them.
- ``party_standing_bands`` (第四十三表 党龄) and ``lost_contact_bands`` (失去联系时间, with the 6-month minimum
  that makes a member 失联).
- ``occupation_rows``: which member falls in which 工作岗位 row (the layout's ``OCCUPATION_ROW_RULES``).
- ``organization_unit_rows`` (第二十四表) and ``lost_contact_unit_rows`` (第四十三表): the rows by the unit an
  organization is set up in.
- the counting conventions (text; implemented by ``reports.annual``): ``members``, ``flows``,
  ``full_membership``, ``development``, ``pipeline``, ``organizations``, ``mobile``, ``lost_contact``.

Every row has an open start (no earlier version of the 年报 口径 is recorded). When a definition changes,
register a row of the same key with the date it takes effect; ``annual_rules(on)`` gives each year the
rows in force on its 31 December.

Each value comes with the one function that turns it into a Django ``Q`` (and, for the 工作岗位 rows, a
Python predicate over a group of the same fields, so the group-by counts and the drill-down agree).
Dates compared with a reference day are computed once in Python (exact calendar arithmetic, 29 February
included); comparisons between two columns of a row (age on the 出党 date, probation completed on a
decision date) use the ``yyyymmdd`` integer difference of ``zugong.party.rules.age_below_at_q``.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q

from zugong.core.rules import Rule, register, rule
from zugong.party.rules import (
    EducationGroup,
    age_below_at_q,
    age_range_q,
    birth_cutoff,
    education_group,
)
from zugong.reports.annual_layout import (
    AGE_COLUMNS_2,
    ALWAYS_NON_PUBLIC,
    ALWAYS_PUBLIC,
    EDUCATION_COLUMNS,
    ERA_COLUMNS_3,
    NON_PUBLIC,
    OCCUPATION_ROW_RULES,
    PUBLIC,
)
from zugong.reports.rules import AdmissionEra, AgeBand, admission_era_q

ANNUAL = "中共中央组织部党内统计年报（2017年起使用的表式）"

AGE_BANDS_2 = "reports.annual.age_bands.t2"
AGE_BANDS_10 = "reports.annual.age_bands.t10"
AGE_BANDS_16 = "reports.annual.age_bands.t16"
AGE_BANDS_43 = "reports.annual.age_bands.t43"
PIPELINE_YOUNG = "reports.annual.pipeline_young"
ERAS_3 = "reports.annual.eras.t3"
ERAS_10 = "reports.annual.eras.t10"
EDUCATION_GROUPS = "reports.annual.education_groups"
STANDING_BANDS = "reports.annual.party_standing_bands"
LOST_CONTACT_BANDS = "reports.annual.lost_contact_bands"
OCCUPATION_ROWS_RULE = "reports.annual.occupation_rows"
ORGANIZATION_UNIT_ROWS = "reports.annual.organization_unit_rows"
LOST_CONTACT_UNIT_ROWS = "reports.annual.lost_contact_unit_rows"
MEMBERS = "reports.annual.members"
FLOWS = "reports.annual.flows"
FULL_MEMBERSHIP = "reports.annual.full_membership"
DEVELOPMENT = "reports.annual.development"
PIPELINE = "reports.annual.pipeline"
ORGANIZATIONS = "reports.annual.organizations"
MOBILE = "reports.annual.mobile"
LOST_CONTACT = "reports.annual.lost_contact"


def _bands_text(bands: tuple[AgeBand, ...]) -> str:
    return "、".join(b.label for b in bands)


# --------------------------------------------------------------------------------------------------
# 年龄
# --------------------------------------------------------------------------------------------------

_AGE_BANDS_2 = tuple(AgeBand(label, lo, hi) for label, lo, hi in zip(
    AGE_COLUMNS_2, (None, 31, 36, 41, 46, 51, 56, 61, 66, 71), (30, 35, 40, 45, 50, 55, 60, 65, 70, None),
    strict=True))
_AGE_BANDS_10 = (AgeBand("35岁及以下", None, 35), AgeBand("36岁至54岁", 36, 54), AgeBand("55岁至59岁", 55, 59),
                 AgeBand("60岁及以上", 60, None))
_AGE_BANDS_16 = (AgeBand("25岁及以下", None, 25), AgeBand("26至30岁", 26, 30), AgeBand("31至35岁", 31, 35),
                 AgeBand("36至40岁", 36, 40), AgeBand("41至59岁", 41, 59), AgeBand("60岁及以上", 60, None))
_AGE_BANDS_43 = (AgeBand("35岁及以下", None, 35), AgeBand("36岁至45岁", 36, 45), AgeBand("46岁至60岁", 46, 60),
                 AgeBand("61岁及以上", 61, None))
_PIPELINE_YOUNG = 35

register(
    Rule(key=AGE_BANDS_2, name="年龄（第二表）", value=_AGE_BANDS_2,
         definition="12月31日的周岁，分为" + _bands_text(_AGE_BANDS_2), regulation=ANNUAL, article="第二表“年龄”"),
    Rule(key=AGE_BANDS_10, name="年龄（第十表）", value=_AGE_BANDS_10,
         definition="出党之日的周岁，分为" + _bands_text(_AGE_BANDS_10), regulation=ANNUAL, article="第十表“年龄”",
         note="表式未写明年龄的计算日；出党是本年内的变动，按出党之日计（与第十六表按入党之日计一致）。"),
    Rule(key=AGE_BANDS_16, name="年龄（第十六表）", value=_AGE_BANDS_16,
         definition="入党之日（发展党员变动日期）的周岁，分为" + _bands_text(_AGE_BANDS_16), regulation=ANNUAL,
         article="第十六表“年龄”"),
    Rule(key=AGE_BANDS_43, name="年龄（第四十三表）", value=_AGE_BANDS_43,
         definition="12月31日的周岁，分为" + _bands_text(_AGE_BANDS_43), regulation=ANNUAL,
         article="第四十三表“年龄”"),
    Rule(key=PIPELINE_YOUNG, name="35岁及以下（第十八至二十表）", value=_PIPELINE_YOUNG,
         definition=f"12月31日周岁不超过{_PIPELINE_YOUNG}岁者", regulation=ANNUAL, article="第十八、十九、二十表"),
)


def age_band_on_q(band: AgeBand, on: dt.date, prefix: str = "person__") -> Q:
    """Condition on ``<prefix>birth_date``: 周岁 on ``on`` within ``band`` (党内统计年报 年龄 items)."""
    return age_range_q(band.min_age, band.max_age, on, prefix)


def age_band_at_q(band: AgeBand, *, birth_field: str, on_field: str) -> Q:
    """Condition: 周岁 on the date in ``on_field`` (same row: the 出党 date, the 入党日期) within ``band``
    (党内统计年报 第十表 / 第十六表 年龄). Exact, 29 February included (``age_below_at_q``)."""
    condition = Q()
    if band.min_age is not None:
        condition &= ~age_below_at_q(band.min_age, birth_field=birth_field, on_field=on_field)
    if band.max_age is not None:
        condition &= age_below_at_q(band.max_age + 1, birth_field=birth_field, on_field=on_field)
    return condition


# --------------------------------------------------------------------------------------------------
# 入党时间 (whole months, as the forms print them)
# --------------------------------------------------------------------------------------------------

_ERA_STARTS_3 = (None, dt.date(1937, 7, 7), dt.date(1945, 9, 3), dt.date(1949, 10, 1), dt.date(1966, 5, 1),
                 dt.date(1976, 11, 1), dt.date(1979, 1, 1), dt.date(2002, 11, 1), dt.date(2012, 11, 1))
_ERAS_3 = tuple(AdmissionEra(label, start) for label, start in zip(ERA_COLUMNS_3, _ERA_STARTS_3, strict=True))
_ERAS_10 = (AdmissionEra("1966年4月及以前", None), AdmissionEra("1966年5月至1976年10月", dt.date(1966, 5, 1)),
            AdmissionEra("1976年11月至1978年12月", dt.date(1976, 11, 1)),
            AdmissionEra("1979年1月至2002年10月", dt.date(1979, 1, 1)),
            AdmissionEra("2002年11月至2012年10月", dt.date(2002, 11, 1)),
            AdmissionEra("2012年11月及以后", dt.date(2012, 11, 1)))

register(
    Rule(key=ERAS_3, name="入党时间（第三表）", value=_ERAS_3,
         definition="按入党日期分为" + "、".join(e.label for e in _ERAS_3), regulation=ANNUAL,
         article="第三表“入党时间”",
         note="各列按表式所印的起止年月（整月）划分；公报的四个时期是这些列的合计（reports.communique.admission_eras）。"),
    Rule(key=ERAS_10, name="入党时间（第十表）", value=_ERAS_10,
         definition="按入党日期分为" + "、".join(e.label for e in _ERAS_10), regulation=ANNUAL,
         article="第十表“入党时间”"),
)


def era_q(eras: tuple[AdmissionEra, ...], index: int, field: str = "person__party_member__admission_date") -> Q:
    """Condition on ``field`` (the 入党日期): in the ``index``-th era of ``eras`` (党内统计年报 入党时间)."""
    return admission_era_q(eras, index, field)


# --------------------------------------------------------------------------------------------------
# 学历
# --------------------------------------------------------------------------------------------------

_GRADUATE = education_group("graduate")
_BACHELOR = education_group("bachelor")
_ASSOCIATE = education_group("associate")
# GB/T 4658-2006: 40–43 中等专科 (中专), 44–46 职业高中, 47–49 技工学校 (中技), 6x 普通高中, 7x 初中, 8x 小学, 90 其他.
_SECONDARY_VOCATIONAL = EducationGroup("secondary_vocational", EDUCATION_COLUMNS[3], ("中专",), ("40", "41", "42", "43"))
_HIGH_SCHOOL = EducationGroup("high_school", EDUCATION_COLUMNS[4], ("高中", "中技"),
                              ("44", "45", "46", "47", "48", "49", "6"))
_MIDDLE_OR_BELOW = EducationGroup("middle_school_or_below", EDUCATION_COLUMNS[5], ("初中及以下",), ("7", "8", "9"))
_EDUCATION_COLUMN_GROUPS = (
    EducationGroup("graduate", EDUCATION_COLUMNS[0], _GRADUATE.aliases, _GRADUATE.prefixes),
    EducationGroup("bachelor", EDUCATION_COLUMNS[1], _BACHELOR.aliases, _BACHELOR.prefixes),
    EducationGroup("associate", EDUCATION_COLUMNS[2], _ASSOCIATE.aliases, _ASSOCIATE.prefixes),
    _SECONDARY_VOCATIONAL, _HIGH_SCHOOL, _MIDDLE_OR_BELOW,
)


@dataclass(frozen=True)
class AnnualEducation:
    """The 学历 groups of the 年报: ``columns`` (第四表 / 第十六表, six groups that partition every recorded
    code), and the coarser groups made of them: ``college`` (大专及以上), ``secondary`` (中专、高中、中技),
    ``basic`` (初中及以下)."""

    columns: tuple[EducationGroup, ...]

    def _union(self, key: str, label: str, members: tuple[int, ...]) -> EducationGroup:
        prefixes = tuple(p for i in members for p in self.columns[i].prefixes)
        return EducationGroup(key, label, (label,), prefixes)

    @property
    def college(self) -> EducationGroup:
        return self._union("college_or_above", "大专及以上", (0, 1, 2))

    @property
    def secondary(self) -> EducationGroup:
        return self._union("secondary", "中专、高中、中技", (3, 4))

    @property
    def basic(self) -> EducationGroup:
        return self._union("basic", "初中及以下", (5,))


register(Rule(
    key=EDUCATION_GROUPS, name="学历（年报）", value=AnnualEducation(_EDUCATION_COLUMN_GROUPS),
    definition=("按人员登记的最高学历（GB/T 4658-2006 代码）分组：" + "；".join(
        f"{g.label}为 {'、'.join(p + 'x' if len(p) == 1 else p for p in g.prefixes)}" for g in _EDUCATION_COLUMN_GROUPS)
        + "；大专及以上为前三组，中专、高中、中技为中专与高中、中技两组"),
    regulation="GB/T 4658-2006《学历代码》；" + ANNUAL, article="第四、十六、十八至二十、四十三表“学历”",
    note="职业高中（44–46）与技工学校（47–49）计入“高中、中技”，90 其他计入“初中及以下”；未登记学历者不计入任何学历列（逻辑校验列出）。",
))

# --------------------------------------------------------------------------------------------------
# 党龄, 失去联系时间 (第四十三表)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearBand:
    """Completed years (or, with ``months``, completed months) from a date column to the reference day:
    ``low``..``high`` inclusive (``None`` = open)."""

    label: str
    low: int | None
    high: int | None
    months: bool = False


_STANDING_BANDS = (YearBand("1年以下", None, 0), YearBand("1年至5年", 1, 5), YearBand("6年至10年", 6, 10),
                   YearBand("11年至20年", 11, 20), YearBand("21年及以上", 21, None))
_LOST_MIN_MONTHS = 6
_LOST_BANDS = (YearBand("6个月以上不满1年", _LOST_MIN_MONTHS, 11, months=True), YearBand("1年至5年（失联）", 1, 5),
               YearBand("6年至10年（失联）", 6, 10), YearBand("11年及以上", 11, None))

register(
    Rule(key=STANDING_BANDS, name="党龄（第四十三表）", value=_STANDING_BANDS,
         definition="自转正日期至12月31日的整年数，分为" + "、".join(b.label for b in _STANDING_BANDS),
         regulation="《中国共产党章程》第七条；" + ANNUAL, article="第四十三表“党龄”",
         note="党龄从转正之日算起（党章第七条）；预备党员尚无党龄，计入“1年以下”，使各党龄列之和等于总数。"),
    Rule(key=LOST_CONTACT_BANDS, name="失去联系时间（第四十三表）", value=(_LOST_MIN_MONTHS, _LOST_BANDS),
         definition=(f"自失去联系之日至12月31日的时间，满{_LOST_MIN_MONTHS}个月者为失去联系党员，分为"
                     + "、".join(b.label.replace("（失联）", "") for b in _LOST_BANDS)),
         regulation="中共中央组织部《关于组织处置失去联系党员的意见》；" + ANNUAL, article="第四十三表“失去联系时间”",
         note=f"失去联系不满{_LOST_MIN_MONTHS}个月的党员（尚未认定为失联党员）不计入第四十三表。"),
)


def _shift_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by ``months`` calendar months, the day clipped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_cutoff(on: dt.date, months: int) -> dt.date:
    """The latest date from which at least ``months`` whole months have passed on ``on`` (a date ``d`` has
    completed ``months`` months on ``on`` exactly when ``d <= months_cutoff(on, months)``)."""
    return _shift_months(on, -months)


def year_band_q(band: YearBand, on: dt.date, field: str) -> Q:
    """Condition on the date ``field``: the time from it to ``on`` (whole years, or months) is within
    ``band`` (a blank ``field`` is in no band)."""
    def cutoff(n: int) -> dt.date:
        return months_cutoff(on, n) if band.months else birth_cutoff(on, n)

    condition = Q()
    if band.low is not None:
        condition &= Q(**{f"{field}__lte": cutoff(band.low)})
    if band.high is not None:
        condition &= Q(**{f"{field}__gt": cutoff(band.high + 1)})
    return condition


def standing_band_q(band: YearBand, on: dt.date, prefix: str = "person__party_member__") -> Q:
    """党龄 band (第四十三表) on ``on``: completed years since the 转正日期 (``<prefix>full_membership_date``);
    a 预备党员 (no 转正日期 yet, or one after ``on``) is in the band open at the bottom (1年以下)."""
    field = f"{prefix}full_membership_date"
    condition = year_band_q(band, on, field)
    if band.low is None:
        condition |= Q(**{f"{field}__isnull": True})
    return condition


def lost_contact_min_q(on: dt.date, months: int, field: str = "start_date") -> Q:
    """失去联系 for at least ``months`` whole months on ``on`` (the rule's minimum, 6: 第四十三表 population)."""
    return Q(**{f"{field}__lte": months_cutoff(on, months)})


# --------------------------------------------------------------------------------------------------
# 预备期 on a decision date (第十五表)
# --------------------------------------------------------------------------------------------------


def probation_completed_at_q(years: int, *, admission_field: str, on_field: str) -> Q:
    """Condition: on the date in ``on_field`` the member has completed ``years`` whole years of probation
    since the 入党日期 in ``admission_field`` (《中国共产党章程》第七条: 预备期一年; the years come from
    ``party.rules.probation_years``)."""
    return ~age_below_at_q(years, birth_field=admission_field, on_field=on_field)


def probation_expired_q(years: int, on: dt.date, admission_field: str) -> Q:
    """Condition on the 入党日期: ``years`` whole years of probation completed on ``on``."""
    return Q(**{f"{admission_field}__lte": birth_cutoff(on, years)})


def probation_probationary_on_q(on: dt.date, prefix: str = "person__party_member__") -> Q:
    """Not yet a full member on ``on`` by the 转正日期 (blank or later) — with ``member_category_q`` the
    definition of 预备党员; used where the member's 入党日期 condition is applied separately."""
    return Q(**{f"{prefix}full_membership_date__isnull": True}) | Q(**{f"{prefix}full_membership_date__gt": on})


def extension_running_q(on: dt.date, years: int, *, admission_field: str) -> Q:
    """Condition on a ``full_membership`` event with outcome ``extended`` (延长预备期 by ``extension_months``):
    the extended probation (``years`` + the extension, from the 入党日期 in ``admission_field``) has not
    ended on ``on``. One branch per possible length (1–12 months)."""
    return reduce(or_, [Q(extension_months=months, **{f"{admission_field}__gt": months_cutoff(on, years * 12 + months)})
                        for months in range(1, 13)])


# --------------------------------------------------------------------------------------------------
# 工作岗位 rows (第二、三、四、十六、十八、十九、二十表)
# --------------------------------------------------------------------------------------------------

ON_DUTY_OCCUPATIONS = ("government", "manager", "professional", "worker")
"""公报 categories that are 在岗职工 (一、在岗职工): 党政机关工作人员, 管理人员, 专业技术人员, 工人（工勤技能人员）."""

GROUP_FIELDS = ("occupation", "occupation_detail", "ownership", "migrant_worker", "migrant_business")
"""The fields of ``Membership`` / ``DevelopmentRecord`` that decide a member's 工作岗位 row."""

# Details written before the 年报 flags existed (``core.codes.occupation_parse`` of 农民工 / 外出务工经商人员):
# counted in the row they are a 其中 of (detail → that row's detail), as if the flag of the same name were set.
_LEGACY_DETAILS = {"skilled_worker": "migrant_worker", "farmer": "migrant_business"}


@dataclass(frozen=True)
class OccupationRow:
    """A leaf 工作岗位 row: members whose ``occupation_detail`` is in ``details``, or whose ``occupation`` is
    in ``categories`` with a blank detail; with ``ownership`` when the row's sector is not implied; with
    ``flag`` (``migrant_worker`` / ``migrant_business``) for a 其中 row."""

    key: str
    details: tuple[str, ...]
    categories: tuple[str, ...]
    ownership: str = ""
    flag: str = ""

    def q(self, prefix: str = "") -> Q:
        """The row as a condition on the fields ``GROUP_FIELDS`` (after ``prefix``)."""
        match = Q(**{f"{prefix}occupation_detail__in": self.details})
        if self.categories:
            match |= Q(**{f"{prefix}occupation__in": self.categories, f"{prefix}occupation_detail": ""})
        if self.ownership:
            match &= Q(**{f"{prefix}ownership": self.ownership})
        if self.flag:
            match &= Q(**{f"{prefix}{self.flag}": True}) | Q(**{f"{prefix}occupation_detail": self.flag})
        return match

    def contains(self, group: dict) -> bool:
        """Whether a group of ``GROUP_FIELDS`` values (keys without prefix) is in the row."""
        detail = group["occupation_detail"] or ""
        found = detail in self.details or (not detail and group["occupation"] in self.categories)
        if self.ownership and group["ownership"] != self.ownership:
            return False
        if self.flag:
            return found and (bool(group[self.flag]) or detail == self.flag)
        return found


def _leaf_rows() -> tuple[OccupationRow, ...]:
    rows = []
    for key, codes in OCCUPATION_ROW_RULES.items():
        details = tuple(c for c in codes if not c.startswith("@"))
        categories = tuple(c[1:] for c in codes if c.startswith("@"))
        legacy = tuple(_LEGACY_DETAILS[d] for d in details if d in _LEGACY_DETAILS)
        ownership = ""
        if key.startswith(f"{PUBLIC}·") and not set(codes) <= set(ALWAYS_PUBLIC):
            ownership = "public"
        elif key.startswith(f"{NON_PUBLIC}·") and not set(codes) <= set(ALWAYS_NON_PUBLIC):
            ownership = "non_public"
        rows.append(OccupationRow(key, details + legacy, categories, ownership))
    return tuple(rows)


@dataclass(frozen=True)
class OccupationRows:
    """The 工作岗位 rows as conditions: ``leaves`` (one row each member can be in at most), the 其中 rows
    (``flags``: 农民工 under each sector's 工勤技能人员, 外出务工经商人员 under 农牧渔民) and the sums (总计,
    一、在岗职工 = the 在岗 categories, each sector's 合计 = its leaves)."""

    leaves: tuple[OccupationRow, ...]
    on_duty: tuple[str, ...]

    @property
    def flags(self) -> tuple[OccupationRow, ...]:
        out = []
        for sector in (PUBLIC, NON_PUBLIC):
            worker = self.leaf(f"{sector}·工勤技能人员")
            out.append(OccupationRow(f"{sector}·其中：农民工", worker.details, worker.categories, worker.ownership,
                                     "migrant_worker"))
        farmer = self.leaf("二、农牧渔民")
        out.append(OccupationRow("其中：外出务工经商人员", farmer.details, farmer.categories, "", "migrant_business"))
        return tuple(out)

    def leaf(self, key: str) -> OccupationRow:
        return next(r for r in self.leaves if r.key == key)

    def sector_leaves(self, sector: str) -> tuple[OccupationRow, ...]:
        return tuple(r for r in self.leaves if r.key.startswith(f"{sector}·"))

    def keys_of(self, group: dict) -> list[str]:
        """Every row key (leaf, 其中, sums) a group of ``GROUP_FIELDS`` values counts in."""
        keys = ["总计"]
        if group["occupation"] in self.on_duty:
            keys.append("一、在岗职工")
        for row in self.leaves:
            if row.contains(group):
                keys.append(row.key)
                for sector in (PUBLIC, NON_PUBLIC):
                    if row.key.startswith(f"{sector}·"):
                        keys.append(f"{sector}·合计")
        keys += [row.key for row in self.flags if row.contains(group)]
        return keys

    def q(self, key: str, prefix: str = "") -> Q:
        """The condition of row ``key`` (any row of ``annual_layout.OCCUPATION_ROWS``)."""
        if key == "总计":
            return Q()
        if key == "一、在岗职工":
            return Q(**{f"{prefix}occupation__in": self.on_duty})
        for sector in (PUBLIC, NON_PUBLIC):
            if key == f"{sector}·合计":
                return reduce(or_, [row.q(prefix) for row in self.sector_leaves(sector)])
        for row in (*self.leaves, *self.flags):
            if row.key == key:
                return row.q(prefix)
        raise KeyError(key)

    def classified(self, group: dict) -> bool:
        """Whether the group falls in exactly the rows the sums expect: an 在岗 category in one sector's
        leaf, any other category in its leaf; a blank or coarse 工作岗位 does not."""
        return any(row.contains(group) for row in self.leaves)


register(Rule(
    key=OCCUPATION_ROWS_RULE, name="工作岗位（年报）", value=OccupationRows(_leaf_rows(), ON_DUTY_OCCUPATIONS),
    definition=("12月31日所在组织关系登记的工作岗位（发展党员为入党时的组织关系，发展对象等为培养记录的工作岗位）："
                "在岗职工为党政机关工作人员、管理人员、专业技术人员和工人（工勤技能人员）；党政机关和事业单位各行计入公有制单位，"
                "民办非企业单位各行计入非公有制单位，企业各行和工勤技能人员按登记的单位所有制计入公有制或非公有制单位；"
                "农民工、外出务工经商人员按标记计入其中项"),
    regulation=ANNUAL, article="第二、三、四、十六、十八、十九、二十表“工作岗位”",
    note=("只登记了公报大类（企事业单位、社会组织专业技术人员/管理人员）或未登记单位所有制的在岗职工只计入“在岗职工”，"
          "未登记工作岗位的只计入“总计”；逻辑校验列出这些人员。"),
))

# --------------------------------------------------------------------------------------------------
# Rows by unit (第二十四表, 第四十三表)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitRows:
    """Rows by the unit an organization is set up in: ``by_category`` (单位属性 code → row), ``by_control``
    (企业 经济控制类型 code → row, under the 企业 row when given), ``by_level`` (机关层级 code → row), ``other``
    (every unit not listed, and organizations without a unit)."""

    by_category: dict
    by_control: dict
    by_level: dict
    other: str

    def keys_of(self, category: str, control: str = "", level: str = "") -> list[str]:
        """The row keys (the row and its 其中) of an organization whose unit has these attributes."""
        if (category, control) in self.by_control:
            return list(self.by_control[(category, control)])
        row = self.by_category.get(category)
        if row is None:
            return [self.other]
        keys = [row]
        if (category, level) in self.by_level:
            keys.append(self.by_level[(category, level)])
        return keys


_ORG_UNIT_ROWS = UnitRows(
    by_category={"subdistrict": "城市街道", "township": "乡镇", "enterprise": "企业", "public_institution": "事业单位",
                 "government_organ": "机关"},
    by_control={("enterprise", "state_controlled"): ("企业", "国有经济控制"),
                ("enterprise", "collective_controlled"): ("企业", "集体经济控制"),
                ("enterprise", "non_public_controlled"): ("企业", "非公有经济控制")},
    by_level={("government_organ", "central"): "中央一级", ("government_organ", "provincial"): "省（区、市）一级",
              ("government_organ", "prefectural"): "市（地、州、盟）一级",
              ("government_organ", "county"): "县（市、区、旗）一级"},
    other="其他",
)
_LOST_UNIT_ROWS = UnitRows(
    by_category={"village": "建制村", "community": "社区（居委会）", "government_organ": "机关",
                 "subdistrict": "机关", "township": "机关", "public_institution": "事业单位",
                 "social_organization": "社会组织"},
    by_control={("enterprise", "state_controlled"): ("公有经济控制企业",),
                ("enterprise", "collective_controlled"): ("公有经济控制企业",),
                ("enterprise", "non_public_controlled"): ("非公有经济控制企业",)},
    by_level={},
    other="其他",
)

register(
    Rule(key=ORGANIZATION_UNIT_ROWS, name="党的基层组织按所在单位（第二十四表）", value=_ORG_UNIT_ROWS,
         definition=("按党组织所在单位的单位属性分行：街道计入城市街道，乡镇计入乡镇，企业按经济控制类型、机关按机关层级计入其中项，"
                     "事业单位计入事业单位，社区、行政村、社会组织及未关联单位者计入其他"),
         regulation=ANNUAL, article="第二十四表",
         note=("所在单位按“党组织所在单位情况”确定：法人单位为所关联的单位，与上级党组织相同的取最近的上级党组织的单位，"
               "联合党支部取所覆盖单位中的第一个（单位树顺序）；都没有时取党组织自身登记的单位属性。"
               "表式只列城市街道、乡镇，社区和建制村党组织按字面计入其他。")),
    Rule(key=LOST_CONTACT_UNIT_ROWS, name="失去联系党员按所在单位（第四十三表）", value=_LOST_UNIT_ROWS,
         definition=("按失联党员12月31日所在党组织的所在单位分行：行政村计入建制村，社区计入社区（居委会），机关、街道、乡镇计入机关，"
                     "事业单位，企业按经济控制类型计入公有（国有、集体）或非公有经济控制企业，社会组织，其余计入其他"),
         regulation=ANNUAL, article="第四十三表"),
)

# --------------------------------------------------------------------------------------------------
# Counting conventions (text; implemented by reports.annual)
# --------------------------------------------------------------------------------------------------

register(
    Rule(key=MEMBERS, name="党员（存量）", value=None,
         definition=("某日的党员为该日组织关系在本组织及下级组织、入党日期不晚于该日的党员：上年底总数按上年12月31日，"
                     "本年底实有数及第二、三、四、十五（尚未讨论或审批）、三十三、四十三表按本年12月31日"),
         regulation=ANNUAL, article="第一表及各存量表",
         note="当日去世、出党、转出的党员当日起不计（组织关系期间为左闭右开），与公报口径一致。"),
    Rule(key=FLOWS, name="增加和减少（流量）", value=None,
         definition=("本年1月1日至12月31日的党员变动：发展党员、恢复党籍、转入组织关系按接收组织，出党、停止党籍、死亡、转出组织关系按原组织计入；"
                     "系统内组织关系转接，接收组织在本组织及下级组织而原组织不在的计转入，反之计转出，两者都在的不计"),
         regulation=ANNUAL, article="第一表",
         note="本年底应有数 = 上年底总数 + 本年增加 − 本年减少；与实有数不等时逻辑校验逐人列出原因。"),
    Rule(key=FULL_MEMBERSHIP, name="预备党员转正情况", value=None,
         definition=("已经上级党组织审批为本年内作出的转正决定（按期转正、延长预备期后转正、推迟讨论后转正、延长预备期）和预备期满后"
                     "取消预备党员资格；尚未讨论或审批为12月31日仍是预备党员、预备期（含延长的预备期）已满而尚无决定者；"
                     "预备期满的党员为二者之和；预备期未满被取消预备党员资格为本年内预备期满一年之前取消资格者"),
         regulation="《中国共产党章程》第七条；" + ANNUAL, article="第十五表",
         note=("表式未写明“预备期满的党员”的统计范围，此处按本年内的决定加年底尚未决定者计（人次：同一人本年先延长预备期、"
               "期满后又转正的计两次），各项均由变动记录得出且相互平衡；推迟讨论（尚未转正）的计入尚未讨论或审批。")),
    Rule(key=DEVELOPMENT, name="发展党员（第十六表）", value=None,
         definition=("本年内的发展党员变动（含重新入党），按接收其为预备党员的组织计入，年内转走的仍计入原组织；"
                     "年龄为入党之日的周岁，工作岗位为入党时组织关系登记的工作岗位"),
         regulation=ANNUAL, article="第十六表",
         note="与第一表“发展党员”同一口径（逻辑校验核对两者相等）；公报页面的发展党员仍按截至日期所在组织计。"),
    Rule(key=PIPELINE, name="发展对象、入党积极分子、入党申请人", value=None,
         definition=("12月31日已递交入党申请、尚未被接收为预备党员或终止培养的培养记录，按培养党组织计：入党申请人含积极分子和发展对象，"
                     "入党积极分子含发展对象（与公报口径一致）；工作岗位、生产工作第一线为培养记录登记的"),
         regulation=ANNUAL, article="第十八、十九、二十表"),
    Rule(key=ORGANIZATIONS, name="党的基层组织", value=None,
         definition=("12月31日已成立且未撤销的本组织及下级组织中的党委、总支部、支部（支部含联合党支部、临时党支部）；"
                     "任届期满为12月31日生效的届次届满日期不晚于该日，报告期内换届为有换届日期在本年内的届次"),
         regulation="《中国共产党支部工作条例（试行）》第十二条；" + ANNUAL, article="第二十四表"),
    Rule(key=MOBILE, name="流动党员", value=None,
         definition="12月31日仍在外流动（流动党员状态未结束）、组织关系在本组织及下级组织的党员，按登记的流动范围、外出流向和原职业",
         regulation=ANNUAL, article="第三十三表",
         note="“外出流向”行为各流向之和（未登记流向的不计入，逻辑校验列出）。"),
    Rule(key=LOST_CONTACT, name="失去联系党员", value=None,
         definition="12月31日失联状态未结束、失去联系已满6个月、组织关系在本组织及下级组织的党员",
         regulation="中共中央组织部《关于组织处置失去联系党员的意见》；" + ANNUAL, article="第四十三表"),
)

ANNUAL_DEFINITIONS = (MEMBERS, FLOWS, OCCUPATION_ROWS_RULE, AGE_BANDS_2, ERAS_3, EDUCATION_GROUPS, AGE_BANDS_10,
                      ERAS_10, FULL_MEMBERSHIP, DEVELOPMENT, AGE_BANDS_16, PIPELINE, PIPELINE_YOUNG, ORGANIZATIONS,
                      ORGANIZATION_UNIT_ROWS, MOBILE, LOST_CONTACT, AGE_BANDS_43, STANDING_BANDS, LOST_CONTACT_BANDS,
                      LOST_CONTACT_UNIT_ROWS)
"""The 年报 统计口径 in the order the page and the export print them."""


def annual_definitions(on: dt.date | None = None) -> list[Rule]:
    """The rows of the 年报 统计口径 in force on ``on`` (default today), in display order; each row's
    ``note`` says the reading chosen where the form does not define an item (党内统计年报)."""
    return [rule(key, on) for key in ANNUAL_DEFINITIONS]


@dataclass(frozen=True)
class AnnualRules:
    """The 年报's bands, eras, groups and rows in force on one 31 December."""

    age_bands_2: tuple[AgeBand, ...]
    age_bands_10: tuple[AgeBand, ...]
    age_bands_16: tuple[AgeBand, ...]
    age_bands_43: tuple[AgeBand, ...]
    pipeline_young: int
    eras_3: tuple[AdmissionEra, ...]
    eras_10: tuple[AdmissionEra, ...]
    education: AnnualEducation
    standing_bands: tuple[YearBand, ...]
    lost_min_months: int
    lost_bands: tuple[YearBand, ...]
    occupation_rows: OccupationRows
    organization_unit_rows: UnitRows
    lost_contact_unit_rows: UnitRows


def annual_rules(on: dt.date | None = None) -> AnnualRules:
    """The 年报 rules in force on ``on`` (default today), from the rule table (党内统计年报)."""
    lost_min, lost_bands = rule(LOST_CONTACT_BANDS, on).value
    return AnnualRules(
        age_bands_2=rule(AGE_BANDS_2, on).value,
        age_bands_10=rule(AGE_BANDS_10, on).value,
        age_bands_16=rule(AGE_BANDS_16, on).value,
        age_bands_43=rule(AGE_BANDS_43, on).value,
        pipeline_young=rule(PIPELINE_YOUNG, on).value,
        eras_3=rule(ERAS_3, on).value,
        eras_10=rule(ERAS_10, on).value,
        education=rule(EDUCATION_GROUPS, on).value,
        standing_bands=rule(STANDING_BANDS, on).value,
        lost_min_months=lost_min,
        lost_bands=lost_bands,
        occupation_rows=rule(OCCUPATION_ROWS_RULE, on).value,
        organization_unit_rows=rule(ORGANIZATION_UNIT_ROWS, on).value,
        lost_contact_unit_rows=rule(LOST_CONTACT_UNIT_ROWS, on).value,
    )
