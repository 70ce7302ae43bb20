"""Definitions of a party member's attributes, as rows of the rule table (``zugong.core.rules``).

Each definition is written once, here, as data (the row's ``value``) with its source, plus the one
interpretation that turns it into a Django ``Q`` (SQL) and a Python predicate over the same data:

- ``party.education_groups`` 学历分组 — GB/T 4658-2006 code prefixes: 研究生 1x, 大学本科 2x, 大学专科 3x,
  大专及以上 = the three (the 党内统计公报's 大专及以上学历), 高中及以下 4x 6x 7x 8x 9x (roster grouping).
  ``education_group(key_or_alias, on=D)`` → ``EducationGroup`` with ``.q(prefix)`` and ``.contains(code)``.
- ``party.ethnicity_groups`` 民族分组 — 汉族 = GB 3304-1991 code 01; 少数民族 = any other recorded code
  (97 其他 and 98 外国血统中国籍人士 included; an unrecorded 民族 is neither). ``ethnicity_group(...)``
  → ``EthnicityGroup`` with ``.q(prefix)`` and ``.contains(code)``.
- ``party.member_category`` 正式党员/预备党员 on day D — 正式 from the 转正日期 (that day included), 预备
  from the 入党日期 until then (《中国共产党章程》第七条). ``member_categories(on=D)`` → ``MemberCategories``
  with ``.q(category, day, prefix)`` and ``.of(record, day)``.

Ages in 周岁 (completed years) on a date, as the 公报 and the roster count them, are ``birth_cutoff`` /
``age_range_q`` / ``age_below_at_q`` (exact calendar arithmetic, 29 February included).

``prefix`` arguments are the lookup path from the queried model to ``Person`` (education, ethnicity,
birth date: ``"person__"`` from ``Membership``, ``""`` on ``Person``) or to ``PartyMember`` (category:
``"person__party_member__"`` from ``Membership``, ``"party_member__"`` from ``Person``). Every condition
is made of keyword lookups only, so ``party.filtersets.prefix_q`` can re-root it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.functions import ExtractDay, ExtractMonth, ExtractYear
from django.db.models.lookups import LessThan

from zugong.core.codes import ETHNICITY, ETHNICITY_HAN, MEMBER_CATEGORY
from zugong.core.dates import add_years
from zugong.core.rules import Rule, register, rule

EDUCATION_GROUPS = "party.education_groups"
ETHNICITY_GROUPS = "party.ethnicity_groups"
MEMBER_CATEGORY_RULE = "party.member_category"
PROBATION_RULE = "party.probation_years"

COMMUNIQUE = "中共中央组织部《中国共产党党内统计公报》"


# --------------------------------------------------------------------------------------------------
# 学历分组 (GB/T 4658-2006)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EducationGroup:
    """A group of GB/T 4658-2006 学历 codes by their leading digit(s): ``key`` (filter value), ``label``
    (Chinese), ``aliases`` (other accepted texts), ``prefixes``."""

    key: str
    label: str
    aliases: tuple[str, ...]
    prefixes: tuple[str, ...]

    def q(self, prefix: str = "") -> Q:
        """Condition on ``<prefix>education_level``: the code starts with one of the prefixes."""
        condition = Q()
        for p in self.prefixes:
            condition |= Q(**{f"{prefix}education_level__startswith": p})
        return condition

    def contains(self, code: str | None) -> bool:
        """Whether the 学历 code ``code`` is in the group (an empty code never is)."""
        return bool(code) and code.startswith(self.prefixes)

    def names(self, text: str) -> bool:
        """Whether ``text`` names this group (key, label or alias)."""
        return text == self.key or text == self.label or text in self.aliases


def _codes_text(prefixes: tuple[str, ...]) -> str:
    return "、".join(f"{p}x" for p in prefixes)


_GRADUATE = EducationGroup("graduate", "研究生", ("研究生",), ("1",))
_BACHELOR = EducationGroup("bachelor", "大学本科", ("本科", "大学本科"), ("2",))
_ASSOCIATE = EducationGroup("associate", "大学专科", ("专科", "大专", "大学专科"), ("3",))
_COLLEGE = EducationGroup("college_or_above", "大专及以上", ("大专及以上", "大专以上", "大专及以上学历"),
                          _GRADUATE.prefixes + _BACHELOR.prefixes + _ASSOCIATE.prefixes)
# 中等职业教育 4x, 普通高中 6x, 初中 7x, 小学 8x, 其他 90 (there is no 5x in GB/T 4658-2006).
_HIGH_SCHOOL_OR_BELOW = EducationGroup("high_school_or_below", "高中及以下", ("高中及以下", "高中以下"),
                                       ("4", "6", "7", "8", "9"))
_EDUCATION_GROUPS = (_GRADUATE, _BACHELOR, _ASSOCIATE, _COLLEGE, _HIGH_SCHOOL_OR_BELOW)

register(Rule(
    key=EDUCATION_GROUPS,
    name="学历分组",
    value=_EDUCATION_GROUPS,
    definition="按人员登记的最高学历（GB/T 4658-2006 代码）分组，" + "；".join(
        f"{g.label}为{'、'.join(x.label for x in _EDUCATION_GROUPS[:3])}（{_codes_text(g.prefixes)}）"
        if g is _COLLEGE else f"{g.label}为 {_codes_text(g.prefixes)}"
        for g in _EDUCATION_GROUPS
    ),
    regulation="GB/T 4658-2006《学历代码》；" + COMMUNIQUE,
    article="“大专及以上学历党员”口径",
    note="高中及以下（含中等职业教育）是本系统党员名册的筛选分组，公报不单列。",
))


def education_groups(*, on: dt.date | None = None) -> tuple[EducationGroup, ...]:
    """The 学历 groups in force on ``on`` (GB/T 4658-2006; 大专及以上 per the 党内统计公报)."""
    return rule(EDUCATION_GROUPS, on).value


def education_group(text: str, *, on: dt.date | None = None) -> EducationGroup | None:
    """The 学历 group named ``text`` (key such as ``college_or_above``, label 大专及以上 or an alias such as
    本科) in force on ``on``, or ``None`` (GB/T 4658-2006; 大专及以上 per the 党内统计公报)."""
    text = (text or "").strip()
    return next((g for g in education_groups(on=on) if g.names(text)), None)


# --------------------------------------------------------------------------------------------------
# 民族分组 (GB 3304-1991)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EthnicityGroup:
    """A group of GB 3304-1991 民族 codes: the codes in ``codes`` — or, with ``complement``, every code
    *not* in ``codes``."""

    key: str
    label: str
    aliases: tuple[str, ...]
    codes: tuple[str, ...]
    complement: bool = False

    def q(self, prefix: str = "") -> Q:
        """Condition on ``<prefix>ethnicity``."""
        field = f"{prefix}ethnicity"
        condition = Q(**{field: self.codes[0]}) if len(self.codes) == 1 else Q(**{f"{field}__in": self.codes})
        return ~condition if self.complement else condition

    def contains(self, code: str | None) -> bool:
        """Whether the 民族 code ``code`` is in the group."""
        return ((code or "") in self.codes) != self.complement

    def names(self, text: str) -> bool:
        return text == self.key or text == self.label or text in self.aliases


_HAN = EthnicityGroup("han", "汉族", ("汉族", "汉"), (ETHNICITY_HAN,))
_MINORITY = EthnicityGroup("minority", "少数民族", ("少数民族",), (ETHNICITY_HAN, ""), complement=True)

register(Rule(
    key=ETHNICITY_GROUPS,
    name="民族分组",
    value=(_HAN, _MINORITY),
    definition=(f"少数民族为{ETHNICITY.label(ETHNICITY_HAN)}以外的民族（GB 3304-1991 代码 {ETHNICITY_HAN} 以外，"
                f"含 97 {ETHNICITY.label('97')}、98 {ETHNICITY.label('98')}；未登记民族的不计入）"),
    regulation="GB 3304-1991《中国各民族名称的罗马字母拼写法和代码》；" + COMMUNIQUE,
    article="“少数民族党员”口径",
))


def ethnicity_groups(*, on: dt.date | None = None) -> tuple[EthnicityGroup, ...]:
    """The 民族 groups (汉族, 少数民族) in force on ``on`` (GB 3304-1991; 少数民族 per the 党内统计公报)."""
    return rule(ETHNICITY_GROUPS, on).value


def ethnicity_group(text: str, *, on: dt.date | None = None) -> EthnicityGroup | None:
    """The 民族 group named ``text`` (``han``/汉族/汉, ``minority``/少数民族) in force on ``on``, or
    ``None`` (GB 3304-1991; 少数民族 per the 党内统计公报)."""
    text = (text or "").strip()
    return next((g for g in ethnicity_groups(on=on) if g.names(text)), None)


# --------------------------------------------------------------------------------------------------
# 正式党员 / 预备党员 on a day (《中国共产党章程》第七条)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberCategories:
    """Categories of a party member on a day D, as ``stages``: (category, date field of ``PartyMember``)
    from the most advanced down. A member is in the first category whose date is on or before D (that
    day included); in none (``""``) when no date is — not yet admitted."""

    stages: tuple[tuple[str, str], ...]

    def q(self, category: str, day: dt.date, prefix: str = "") -> Q:
        """Condition on the ``PartyMember`` at ``prefix``: in ``category`` on ``day``."""
        condition = Q()
        for name, field in self.stages:
            if name == category:
                return condition & Q(**{f"{prefix}{field}__lte": day})
            condition &= Q(**{f"{prefix}{field}__isnull": True}) | Q(**{f"{prefix}{field}__gt": day})
        raise ValueError(f"unknown member category {category!r}")

    def of(self, record, day: dt.date) -> str:
        """The category of ``record`` (anything with the stages' date attributes) on ``day``."""
        for name, field in self.stages:
            value = getattr(record, field)
            if value is not None and value <= day:
                return name
        return ""


register(Rule(
    key=MEMBER_CATEGORY_RULE,
    name="正式党员、预备党员",
    value=MemberCategories(stages=(("full", "full_membership_date"), ("probationary", "admission_date"))),
    definition=(f"转正日期不晚于截至日期者为{MEMBER_CATEGORY.label('full')}（转正之日起即为正式党员），"
                f"入党日期不晚于截至日期、尚未转正者为{MEMBER_CATEGORY.label('probationary')}"),
    regulation="《中国共产党章程》",
    article="第七条",
    note="第七条：预备党员的预备期为一年；党员的党龄从预备期满转为正式党员之日算起——转正之日即为正式党员。",
))


def member_categories(*, on: dt.date | None = None) -> MemberCategories:
    """The 正式/预备 definition in force on ``on`` (《中国共产党章程》第七条)."""
    return rule(MEMBER_CATEGORY_RULE, on).value


def member_category_q(category: str, *, on: dt.date, prefix: str = "") -> Q:
    """Condition: the ``PartyMember`` at ``prefix`` is ``category`` (``full``/``probationary``) on ``on``,
    by the definition in force that day (《中国共产党章程》第七条)."""
    return member_categories(on=on).q(category, on, prefix)


def member_category(record, *, on: dt.date) -> str:
    """``"full"``, ``"probationary"`` or ``""`` (not yet admitted) for ``record`` (a ``PartyMember``) on
    ``on``, by the definition in force that day (《中国共产党章程》第七条)."""
    return member_categories(on=on).of(record, on)


# --------------------------------------------------------------------------------------------------
# 周岁 on a date (the 公报's and the roster's age)
# --------------------------------------------------------------------------------------------------


def birth_cutoff(as_of: dt.date, age: int) -> dt.date:
    """The latest birth date of someone at least ``age`` 周岁 on ``as_of``: ``age_on(b, as_of) >= age``
    exactly when ``b <= birth_cutoff(as_of, age)`` (29 February handled as ``core.dates.age_on`` does).
    年龄 in 周岁 on the reference date: 中共中央组织部《中国共产党党内统计公报》“党员的年龄”口径."""
    return add_years(as_of, -age)


def age_range_q(min_age: int | None, max_age: int | None, as_of: dt.date, prefix: str = "") -> Q:
    """Condition on ``<prefix>birth_date``: 周岁 on ``as_of`` within ``min_age``..``max_age`` (inclusive;
    ``None`` = open). 年龄 in 周岁 per the 党内统计公报's “党员的年龄”口径."""
    condition = Q()
    if min_age is not None:  # 周岁 >= n  ⇔  born on or before as_of minus n years
        condition &= Q(**{f"{prefix}birth_date__lte": birth_cutoff(as_of, min_age)})
    if max_age is not None:  # 周岁 <= n  ⇔  born after as_of minus (n+1) years
        condition &= Q(**{f"{prefix}birth_date__gt": birth_cutoff(as_of, max_age + 1)})
    return condition


def _date_number(field: str):
    """``yyyymmdd`` as an integer expression (ordering-preserving; engine-neutral)."""
    return ExtractYear(field) * 10000 + ExtractMonth(field) * 100 + ExtractDay(field)


def age_below_at_q(age: int, *, birth_field: str, on_field: str) -> Q:
    """Condition: 周岁 on the date in ``on_field`` is below ``age`` (both fields on the same row), as for
    the 公报's “35岁及以下” at the 入党日期.

    ``age_on(b, d) >= n`` ⇔ ``(b.year + n, b.month, b.day) <= (d.year, d.month, d.day)`` ⇔
    ``yyyymmdd(d) - yyyymmdd(b) >= n * 10000`` — exact, including 29 February."""
    return Q(LessThan(_date_number(on_field) - _date_number(birth_field), age * 10000))



register(Rule(
    key=PROBATION_RULE,
    name="预备期",
    value=1,
    definition="预备党员的预备期为一年（年数）；预备期满，支部大会应当及时讨论其能否转为正式党员",
    regulation="《中国共产党章程》",
    article="第七条",
))


def probation_years(*, on: dt.date | None = None) -> int:
    """Length of the 预备期 in years in force on ``on`` (《中国共产党章程》第七条: one year)."""
    return rule(PROBATION_RULE, on).value
