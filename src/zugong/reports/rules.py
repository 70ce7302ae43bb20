"""The 党内统计 definitions (统计口径) of the 公报 layout, as rows of the rule table (``zugong.core.rules``).

Source of every row: 中共中央组织部《中国共产党党内统计公报》 (``rules.md`` §1), together with the party
definitions registered in ``zugong.party.rules`` (学历分组, 民族分组, 正式/预备). Rows:

- ``reports.communique.age_bands`` 党员的年龄: eight bands of 周岁 on the reference date.
- ``reports.communique.admission_eras`` 党员的入党时间: four eras of 入党日期 by their first day, whole months
  (sums of the 党内统计年报's 第三表 columns; corrected in issue #10, the row's ``note`` says so on the page).
- ``reports.communique.occupations`` 党员的职业: the eight 工作岗位 codes in the 公报's order.
- ``reports.communique.organization_kinds`` 基层组织: which 组织类别 count as 基层党委 / 总支部 / 支部.
- ``reports.communique.development_young`` 发展党员 “35岁及以下”: 周岁 at the 入党日期.
- ``reports.communique.members`` / ``.development`` / ``.pipeline`` / ``.shares``: the counting
  conventions where the 公报 leaves room (text only; implemented by ``reports.services``).

All rows have an open start (``effective_from=None``): no earlier version of these 口径 is recorded, so
they apply to every reference date. When the 公报 changes a definition, register a row of the same key
with the date it takes effect; ``communique_rules(on)`` and ``statistics_definitions(on)`` then give each
reference date the definition in force on it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q

from zugong.core.codes import (
    OCCUPATION,
    ORG_TYPE,
    ORG_TYPES_BRANCH,
    ORG_TYPES_COMMITTEE,
    ORG_TYPES_GENERAL_BRANCH,
)
from zugong.core.rules import Rule, register, rule
from zugong.party.rules import (
    COMMUNIQUE,
    EDUCATION_GROUPS,
    ETHNICITY_GROUPS,
    MEMBER_CATEGORY_RULE,
    age_below_at_q,
    age_range_q,
)

SOURCE = f"{COMMUNIQUE}（截至每年12月31日的统计口径）"

AGE_BANDS = "reports.communique.age_bands"
ADMISSION_ERAS = "reports.communique.admission_eras"
OCCUPATIONS = "reports.communique.occupations"
ORGANIZATION_KINDS = "reports.communique.organization_kinds"
DEVELOPMENT_YOUNG = "reports.communique.development_young"
MEMBERS_COUNTED = "reports.communique.members"
DEVELOPMENT = "reports.communique.development"
PIPELINE = "reports.communique.pipeline"
SHARES = "reports.communique.shares"


def _date_text(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# --------------------------------------------------------------------------------------------------
# 党员的年龄
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeBand:
    """An age band in 周岁 on the reference date: ``min_age``..``max_age`` inclusive (``None`` = open)."""

    label: str
    min_age: int | None
    max_age: int | None


_AGE_BANDS = (
    AgeBand("30岁及以下", None, 30),
    AgeBand("31至35岁", 31, 35),
    AgeBand("36至40岁", 36, 40),
    AgeBand("41至45岁", 41, 45),
    AgeBand("46至50岁", 46, 50),
    AgeBand("51至55岁", 51, 55),
    AgeBand("56至60岁", 56, 60),
    AgeBand("61岁及以上", 61, None),
)
register(Rule(
    key=AGE_BANDS, name="年龄", value=_AGE_BANDS,
    definition="截至日期的周岁，分为" + "、".join(b.label for b in _AGE_BANDS),
    regulation=COMMUNIQUE, article="“党员的年龄”",
))


def age_band_q(band: AgeBand, as_of: dt.date, prefix: str = "") -> Q:
    """Condition on ``<prefix>birth_date`` selecting people whose 周岁 on ``as_of`` is in ``band``
    (党内统计公报 “党员的年龄”)."""
    return age_range_q(band.min_age, band.max_age, as_of, prefix)


# --------------------------------------------------------------------------------------------------
# 党员的入党时间
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdmissionEra:
    """An era of 入党日期 from ``start`` (inclusive; ``None`` = open) to the next era's start."""

    label: str
    start: dt.date | None


# First day of each era: 中华人民共和国成立 (1949-10-01), then the first month after 党的十一届三中全会 and
# the month 党的十八大 opened. The 公报's eras are sums of the columns of the 党内统计年报's 第三表, which run in
# whole months (… 1976年11月至1978年12月 | 1979年1月至2002年10月 | 2002年11月至2012年10月 | 2012年11月及以后;
# ``reports.annual_rules``), so the boundaries are month starts (rules.md §1, corrected version). This is a
# corrected row, not a new version: the 公报 has always summed those columns — the meeting days used before
# (see the note) were a misreading, so the correction applies to every reference date (issue #10).
_ADMISSION_ERAS = (
    AdmissionEra("新中国成立前", None),
    AdmissionEra("新中国成立后至党的十一届三中全会前", dt.date(1949, 10, 1)),
    AdmissionEra("党的十一届三中全会后至党的十八大前", dt.date(1979, 1, 1)),
    AdmissionEra("党的十八大以来", dt.date(2012, 11, 1)),
)
ADMISSION_ERAS_NOTE = ("口径更正：公报的入党时间是党内统计年报第三表各整月列的合计，各时期自1949年10月1日、1979年1月1日、"
                       "2012年11月1日起算；此前按党的十一届三中全会、党的十八大开幕日（1978年12月18日、2012年11月8日）分段，"
                       "1978年12月18日至31日、2012年11月1日至7日入党的党员现分别计入前一时期、党的十八大以来。")


def _eras_text(eras: tuple[AdmissionEra, ...]) -> str:
    parts = []
    for i, era in enumerate(eras):
        end = eras[i + 1].start - dt.timedelta(days=1) if i + 1 < len(eras) else None
        if era.start is None:
            span = f"{_date_text(end)}及以前"
        elif end is None:
            span = f"{_date_text(era.start)}及以后"
        else:
            span = f"{_date_text(era.start)}至{_date_text(end)}"
        parts.append(f"{era.label}（{span}）")
    return "按入党日期分为" + "、".join(parts)


register(Rule(
    key=ADMISSION_ERAS, name="入党时间", value=_ADMISSION_ERAS, definition=_eras_text(_ADMISSION_ERAS),
    regulation=COMMUNIQUE, article="“党员的入党时间”", note=ADMISSION_ERAS_NOTE,
))


def admission_era_q(eras: tuple[AdmissionEra, ...], index: int, field: str = "admission_date") -> Q:
    """Condition on ``field`` selecting the ``index``-th era of ``eras`` (党内统计公报 “党员的入党时间”)."""
    era = eras[index]
    condition = Q()
    if era.start is not None:
        condition &= Q(**{f"{field}__gte": era.start})
    if index + 1 < len(eras):
        condition &= Q(**{f"{field}__lt": eras[index + 1].start})
    return condition


# --------------------------------------------------------------------------------------------------
# 党员的职业, 基层组织
# --------------------------------------------------------------------------------------------------

_OCCUPATIONS = tuple(OCCUPATION.entries)
register(Rule(
    key=OCCUPATIONS, name="职业", value=_OCCUPATIONS,
    definition=("截至日期所在组织关系登记的工作岗位（含生产工作一线标记），分为"
                + "；".join(OCCUPATION.label(c) for c in _OCCUPATIONS)),
    regulation=COMMUNIQUE, article="“党员的职业”",
))


@dataclass(frozen=True)
class OrganizationKinds:
    """The 公报's three kinds of 基层组织 as tuples of ``org_type`` codes."""

    committee: tuple[str, ...]
    general_branch: tuple[str, ...]
    branch: tuple[str, ...]


_ORGANIZATION_KINDS = OrganizationKinds(ORG_TYPES_COMMITTEE, ORG_TYPES_GENERAL_BRANCH, ORG_TYPES_BRANCH)


def _kinds_text(kinds: OrganizationKinds) -> str:
    def names(types: tuple[str, ...]) -> str:
        return "、".join(ORG_TYPE.label(t) for t in types)

    counted = {*kinds.committee, *kinds.general_branch, *kinds.branch}
    others = [t for t in ORG_TYPE.entries if t not in counted]
    return (f"截至日期已成立且未撤销的组织（含本组织），其中基层党委为{names(kinds.committee)}，总支部为"
            f"{names(kinds.general_branch)}，支部为{names(kinds.branch)}；{names(tuple(others))}不计")


register(Rule(
    key=ORGANIZATION_KINDS, name="基层组织", value=_ORGANIZATION_KINDS, definition=_kinds_text(_ORGANIZATION_KINDS),
    regulation=COMMUNIQUE, article="“党的基层组织”",
))

# --------------------------------------------------------------------------------------------------
# 发展党员
# --------------------------------------------------------------------------------------------------

_DEVELOPMENT_YOUNG_MAX_AGE = 35
register(Rule(
    key=DEVELOPMENT_YOUNG, name=f"{_DEVELOPMENT_YOUNG_MAX_AGE}岁及以下（发展党员）", value=_DEVELOPMENT_YOUNG_MAX_AGE,
    definition=f"发展党员中入党日期当天周岁不超过{_DEVELOPMENT_YOUNG_MAX_AGE}岁者",
    regulation=COMMUNIQUE, article="“发展党员情况”",
))


def young_at_admission_q(max_age: int, *, birth_field: str, on_field: str) -> Q:
    """Condition: 周岁 on the date in ``on_field`` (the 入党日期) is at most ``max_age`` (党内统计公报
    “发展党员情况” 35岁及以下)."""
    return age_below_at_q(max_age + 1, birth_field=birth_field, on_field=on_field)


def development_q(as_of: dt.date, field: str = "admission_date") -> Q:
    """Condition on ``field`` (the 入党日期): admitted in the calendar year of ``as_of`` from 1 January
    (the upper bound, on or before ``as_of``, is the member condition's). 党内统计公报 “发展党员情况”."""
    return Q(**{f"{field}__gte": dt.date(as_of.year, 1, 1)})


# --------------------------------------------------------------------------------------------------
# Counting conventions (text; implemented in reports.services)
# --------------------------------------------------------------------------------------------------

register(
    Rule(key=MEMBERS_COUNTED, name="党员", value=None,
         definition="截至日期组织关系在本组织及下级组织、入党日期不晚于截至日期的党员",
         regulation=COMMUNIQUE, article="“党员总数”",
         note="组织关系按生效期间计：转出者计入转入组织，去世、出党者自离开之日起不计。"),
    Rule(key=DEVELOPMENT, name="发展党员", value=None,
         definition="截至日期所在年度1月1日至截至日期入党、截至日期组织关系在本组织及下级组织的党员",
         regulation=COMMUNIQUE, article="“发展党员情况”"),
    Rule(key=PIPELINE, name="入党申请人和入党积极分子", value=None,
         definition=("入党申请人指截至日期已递交申请、尚未被接收为预备党员或终止培养者（含积极分子、发展对象），"
                     "入党积极分子指已确定为积极分子、尚未接收或终止者（含发展对象），均按培养党组织统计"),
         regulation=COMMUNIQUE, article="“入党申请人和入党积极分子”"),
    Rule(key=SHARES, name="占比", value=None,
         definition=("以党员总数为基数（基层组织各项以基层组织合计、发展党员各项以发展党员合计为基数），"
                     "四舍五入保留一位小数"),
         regulation=COMMUNIQUE, article="各项占比"),
)

# The 统计口径 in the order the page and the export print them.
STATISTICS_DEFINITIONS = (MEMBERS_COUNTED, MEMBER_CATEGORY_RULE, ORGANIZATION_KINDS, ETHNICITY_GROUPS,
                          EDUCATION_GROUPS, AGE_BANDS, ADMISSION_ERAS, OCCUPATIONS, DEVELOPMENT, DEVELOPMENT_YOUNG,
                          PIPELINE, SHARES)


def statistics_definitions(on: dt.date | None = None) -> list[Rule]:
    """The rows of the 统计口径 in force on ``on`` (default today), in display order (党内统计公报)."""
    return [rule(key, on) for key in STATISTICS_DEFINITIONS]


# --------------------------------------------------------------------------------------------------
# The 公报 layout's rules on a date
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommuniqueRules:
    """The 公报's categories and boundaries in force on one date, with the source they come from.

    The member attributes (少数民族, 大专及以上, 正式/预备) are read from ``zugong.party.rules`` on the
    reference date by the statistics engine."""

    source: str
    age_bands: tuple[AgeBand, ...]
    admission_eras: tuple[AdmissionEra, ...]
    occupations: tuple[str, ...]  # OCCUPATION codes in the 公报's order
    development_young_max_age: int  # 发展党员 "35岁及以下": age at the 入党日期
    committee_types: tuple[str, ...]
    general_branch_types: tuple[str, ...]
    branch_types: tuple[str, ...]


def communique_rules(on: dt.date | None = None) -> CommuniqueRules:
    """The 公报 layout's rules in force on ``on`` (default today), from the rule table (党内统计公报)."""
    kinds: OrganizationKinds = rule(ORGANIZATION_KINDS, on).value
    return CommuniqueRules(
        source=SOURCE,
        age_bands=rule(AGE_BANDS, on).value,
        admission_eras=rule(ADMISSION_ERAS, on).value,
        occupations=rule(OCCUPATIONS, on).value,
        development_young_max_age=rule(DEVELOPMENT_YOUNG, on).value,
        committee_types=kinds.committee,
        general_branch_types=kinds.general_branch,
        branch_types=kinds.branch,
    )
