"""Pure checks of promotion eligibility (no queries): each takes the facts ``services.promotion_eligibility``
gathered and returns one ``Condition`` — its name, ``passed`` (``True``; ``False``; ``None`` = cannot be
decided from the records, 待核实: needs manual confirmation), the facts used (Chinese text) and the article
(``rules``).

Time arithmetic: a period of N years is reached on ``as_of`` when the days counted reach the days between
``as_of`` minus N calendar years and ``as_of`` (so one unbroken run from ``S`` reaches N years exactly on
``S`` + N years, 29 February as ``core.dates.add_years``). Effective-dated rows are ``[start, end)``;
periods are merged before counting (two concurrent posts count once).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zugong.cadres.choices import LEADERSHIP_LEVELS, LEVEL_ORDER, POST_LEVEL
from zugong.cadres.eligibility import rules
from zugong.core.dates import add_years

PASSED_LABELS = {True: "符合", False: "不符合", None: "待核实"}


@dataclass(frozen=True)
class Condition:
    """One condition: ``code`` (stable, English), ``name`` (Chinese), ``passed`` (True / False / None =
    待核实), ``facts`` (the facts used, Chinese sentences), ``source`` (regulation and article)."""

    code: str
    name: str
    passed: bool | None
    facts: tuple[str, ...]
    source: str

    @property
    def status_label(self) -> str:
        return PASSED_LABELS[self.passed]

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "passed": self.passed, "status": self.status_label,
                "facts": list(self.facts), "source": self.source}


@dataclass(frozen=True)
class Eligibility:
    """The result for a cadre and a target level on ``as_of``: ``conditions`` in order; ``passed`` is False
    when any condition fails, None when none fails but some need confirmation, else True; ``failing``
    names each failing condition with its article."""

    cadre_id: int
    target_level: str
    as_of: dt.date
    conditions: tuple[Condition, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool | None:
        values = [c.passed for c in self.conditions]
        if False in values:
            return False
        if None in values:
            return None
        return True

    @property
    def status_label(self) -> str:
        return PASSED_LABELS[self.passed]

    @property
    def failing(self) -> list[str]:
        """「不符合：工龄（《…》第八条）」 for each failing condition."""
        return [f"{c.name}（{c.source}）" for c in self.conditions if c.passed is False]

    def as_dict(self) -> dict:
        return {"cadre_id": self.cadre_id, "target_level": self.target_level,
                "target_level_label": POST_LEVEL.label(self.target_level), "as_of": self.as_of.isoformat(),
                "passed": self.passed, "status": self.status_label, "failing": self.failing,
                "conditions": [c.as_dict() for c in self.conditions]}


# ----- period arithmetic ------------------------------------------------------------------------------------


def merge(periods, as_of: dt.date) -> list[tuple[dt.date, dt.date]]:
    """``[(start, end)]`` (``end`` ``None`` = open) cut at ``as_of`` and merged: disjoint, sorted."""
    cut = sorted((s, min(e or as_of, as_of)) for s, e in periods if s is not None and s < as_of)
    merged: list[list[dt.date]] = []
    for start, end in cut:
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def days(periods) -> int:
    return sum((e - s).days for s, e in periods)


def reaches(total_days: int, years: int, as_of: dt.date) -> bool:
    """Whether ``total_days`` reach ``years`` years counted back from ``as_of``."""
    return total_days >= (as_of - add_years(as_of, -years)).days


def years_text(total_days: int) -> str:
    """「约 1 年 11 个月」 (30.44-day months)."""
    months = int(total_days / 30.4375)
    years, months = divmod(months, 12)
    if years and months:
        return f"约 {years} 年 {months} 个月"
    if years:
        return f"约 {years} 年"
    return f"约 {months} 个月"


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the 31st → the month's last day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


# ----- the ladder -------------------------------------------------------------------------------------------

TIERS = (("101", "102"), ("111", "112"), ("121", "122"), ("131", "132"), ("141", "142"))


def tier_of(level: str) -> int | None:
    for i, tier in enumerate(TIERS):
        if level in tier:
            return i
    return None


def lower_tier(level: str) -> tuple[str, ...]:
    """The levels of the tier below ``level``'s (县处级 → 乡科级 141/142); ``()`` at the bottom."""
    i = tier_of(level)
    return TIERS[i + 1] if i is not None and i + 1 < len(TIERS) else ()


def feeder(level: str) -> tuple[str, int, str] | None:
    """第八条第三项: the level a promotion to ``level`` normally comes from, the years required there and
    the wording: 正职 ← 同级副职 (2 years), 副职 ← 下级正职 (3 years). ``None`` at the bottom of the ladder."""
    i = tier_of(level)
    if i is None:
        return None
    principal, deputy = TIERS[i]
    if level == principal:
        return deputy, rules.DEPUTY_TO_PRINCIPAL_YEARS, "由副职提任正职"
    if i + 1 < len(TIERS):
        return TIERS[i + 1][0], rules.PRINCIPAL_TO_UPPER_DEPUTY_YEARS, "由下级正职提任上级副职"
    return None


# ----- the conditions ---------------------------------------------------------------------------------------


def check_work_years(*, target_level: str, work_start: dt.date | None, as_of: dt.date) -> Condition:
    """第八条第一项: 提任县处级 needs ≥5 years of work (工龄 from 参加工作时间); other levels: not required
    (shown as 符合 with the facts)."""
    name = f"工龄{rules.WORK_YEARS}年以上"
    source = f"{rules.ART8}第一项"
    if target_level not in rules.COUNTY_LEVELS:
        return Condition("work_years", name, True, ("提任县处级领导职务时适用，本级不作要求",), source)
    if work_start is None:
        return Condition("work_years", name, None, ("未登记参加工作时间",), source)
    due = add_years(work_start, rules.WORK_YEARS)
    ok = as_of >= due
    facts = (f"参加工作时间 {work_start.isoformat()}，至 {as_of.isoformat()} "
             f"{'已满' if ok else '未满'} {rules.WORK_YEARS} 年（{due.isoformat()} 满）",)
    return Condition("work_years", name, ok, facts, source)


def check_grassroots(*, target_level: str, grassroots_periods, resume_lines: list[str], has_records: bool,
                     as_of: dt.date) -> Condition:
    """第八条第一项: 提任县处级 needs ≥2 years at the grassroots — counted from appointments to posts of units
    whose 单位属性 is 乡镇/街道/社区/行政村 (``grassroots_periods``, merged). Short of that, résumé lines
    naming 乡/镇/街道/村/社区 make it 待核实; with records and no such line it fails; with no records at all
    it is 待核实."""
    name = f"基层工作经历{rules.GRASSROOTS_YEARS}年以上"
    source = f"{rules.ART8}第一项"
    if target_level not in rules.COUNTY_LEVELS:
        return Condition("grassroots", name, True, ("提任县处级领导职务时适用，本级不作要求",), source)
    merged = merge(grassroots_periods, as_of)
    total = days(merged)
    facts = [f"任免记录中乡镇、街道、社区、村任职 {years_text(total)}" if total else "任免记录中无乡镇、街道、社区、村任职"]
    if reaches(total, rules.GRASSROOTS_YEARS, as_of):
        return Condition("grassroots", name, True, tuple(facts), source)
    if resume_lines:
        facts.append("简历中可能的基层经历：" + "；".join(resume_lines[:5]) + "（需核实）")
        return Condition("grassroots", name, None, tuple(facts), source)
    if not has_records:
        facts.append("未登记任免记录和简历")
        return Condition("grassroots", name, None, tuple(facts), source)
    return Condition("grassroots", name, False, tuple(facts), source)


def check_posts_below(*, target_level: str, posts_below: list[str]) -> Condition:
    """第八条第二项: 提任县处级以上 generally ≥2 posts at the tier below. "一般应当": short of it is 待核实
    (an exception the organization must justify), never a refusal."""
    name = f"下一级{rules.TWO_POSTS_MIN}个以上职位任职经历"
    source = f"{rules.ART8}第二项"
    below = lower_tier(target_level)
    if target_level not in rules.ABOVE_COUNTY or not below:
        return Condition("posts_below", name, True, ("提任县处级以上领导职务时适用，本级不作要求",), source)
    tier = "、".join(POST_LEVEL.label(c) for c in below)
    facts = (f"在下一级（{tier}）任职 {len(posts_below)} 个职位" + (f"：{'、'.join(posts_below[:6])}" if posts_below else ""),)
    if len(posts_below) >= rules.TWO_POSTS_MIN:
        return Condition("posts_below", name, True, facts, source)
    return Condition("posts_below", name, None, (*facts, "「一般应当」：不足两个职位的须说明理由（需核实）"), source)


def check_years_below(*, target_level: str, periods_at_feeder, rank_periods_at_feeder, as_of: dt.date,
                      current_level: str) -> Condition:
    """第八条第三项: 副职提任正职 ≥2 years as deputy; 下级正职提任上级副职 ≥3 years as the lower principal.
    Time at the feeder level = appointments at that level, merged with the periods of 职级 equivalent to it
    (``RANK_LEVEL``: e.g. 三级调研员 ↔ 副处) [K: 职级 time counts where the organization department
    recognises it]. A cadre already at or above the target level: not a promotion (符合)."""
    source = f"{rules.ART8}第三项"
    step = feeder(target_level)
    if step is None or target_level not in rules.ABOVE_COUNTY:
        name = "任职年限"
        return Condition("years_below", name, True, ("提任县处级以上领导职务时适用，本级不作要求",), source)
    level, years, wording = step
    name = f"{wording}：任{POST_LEVEL.label(level)}{years}年以上"
    if current_level in LEADERSHIP_LEVELS and _order(current_level) <= _order(target_level):
        return Condition("years_below", name, True,
                         (f"现任{POST_LEVEL.label(current_level)}，不低于拟任级别（非提任）",), source)
    posts = merge(periods_at_feeder, as_of)
    both = merge([*periods_at_feeder, *rank_periods_at_feeder], as_of)
    total = days(both)
    facts = [f"任{POST_LEVEL.label(level)}职务 {years_text(days(posts))}" if posts
             else f"无{POST_LEVEL.label(level)}职务任职记录"]
    if days(both) > days(posts):
        facts.append(f"连同相当职级合计 {years_text(total)}")
    if both:
        facts.append(f"最早 {both[0][0].isoformat()} 起")
    if not both:
        return Condition("years_below", name, None if not current_level else False, tuple(facts), source)
    return Condition("years_below", name, reaches(total, years, as_of), tuple(facts), source)


def _order(level: str) -> int:
    return LEVEL_ORDER.index(level) if level in LEVEL_ORDER else len(LEVEL_ORDER)


def check_education(*, target_level: str, education_rank: int | None, education_text: str) -> Condition:
    """第八条第四项: 大学专科以上 (厅局级以上 大学本科以上), "一般应当": the highest 学历 recorded (full-time or
    in-service) below the requirement fails; none recorded is 待核实."""
    need = rules.required_education(target_level)
    name = f"{rules.EDUCATION_RANK_NAMES[need]}以上文化程度"
    source = f"{rules.ART8}第四项"
    if education_rank is None:
        return Condition("education", name, None, ("未登记学历",), source)
    facts = (f"最高学历：{education_text or rules.EDUCATION_RANK_NAMES[education_rank]}",)
    return Condition("education", name, education_rank >= need, facts, source)


@dataclass(frozen=True)
class SupervisionFact:
    """A supervision record as the ban check reads it."""

    kind: str
    decided_date: dt.date
    document_number: str = ""


def check_bans(*, records: list[SupervisionFact] | None, as_of: dt.date) -> Condition:
    """The promotion bans (影响期) of ``rules.BANS`` from each record's decision date: inside a ban → 不符合
    naming the sanction, the date and the article; inside the uncertain tail of a ban (留党察看: 察看期 not
    recorded) → 待核实; ``records`` ``None`` (the user may not read 处理处分记录) → 待核实."""
    name = "不在处分、诫勉影响期内"
    sources = sorted({b.source for b in rules.BANS.values()})
    if records is None:
        return Condition("bans", name, None, ("无权查看处理处分记录，需人工核实",), "；".join(sources))
    failing, unsure, facts, used = [], [], [], set()
    for record in sorted(records, key=lambda r: r.decided_date):
        ban = rules.BANS.get(record.kind)
        if ban is None or record.decided_date > as_of:
            continue
        end = add_months(record.decided_date, ban.months)
        doc = f"（{record.document_number}）" if record.document_number else ""
        if as_of < end:
            failing.append(record)
            used.add(ban.source)
            facts.append(f"{record.decided_date.isoformat()} 受{ban.label}{doc}，影响期至 "
                         f"{(end - dt.timedelta(days=1)).isoformat()}（{ban.months} 个月）")
        elif ban.max_months and as_of < add_months(record.decided_date, ban.max_months):
            unsure.append(record)
            used.add(ban.source)
            facts.append(f"{record.decided_date.isoformat()} 受{ban.label}{doc}，影响期视察看期长短至迟 "
                         f"{(add_months(record.decided_date, ban.max_months) - dt.timedelta(days=1)).isoformat()}，需核实")
        else:
            facts.append(f"{record.decided_date.isoformat()} 受{ban.label}{doc}，影响期已满")
    source = "；".join(sorted(used)) if used else "；".join(sources)
    if failing:
        return Condition("bans", name, False, tuple(facts), source)
    if unsure:
        return Condition("bans", name, None, tuple(facts), source)
    return Condition("bans", name, True, tuple(facts) or ("无影响提拔的处分、诫勉记录",), source)


def check_assessment(*, grades: dict[int, str] | None, as_of: dt.date) -> Condition:
    """The previous year's annual assessment (``as_of.year - 1``): 不称职 or 基本称职 fails [K]; not recorded
    (or the user may not read assessments) is 待核实."""
    year = as_of.year - 1
    name = f"{year}年度考核称职以上"
    if grades is None:
        return Condition("assessment", name, None, ("无权查看年度考核结果，需人工核实",), rules.ASSESSMENT_SOURCE)
    grade = grades.get(year)
    if grade is None:
        return Condition("assessment", name, None, (f"未登记{year}年度考核结果",), rules.ASSESSMENT_SOURCE)
    from zugong.cadres.choices import ASSESSMENT_GRADE

    facts = (f"{year}年度考核：{ASSESSMENT_GRADE.label(grade)}",)
    if grade in rules.BLOCKING_GRADES:
        return Condition("assessment", name, False, facts, rules.ASSESSMENT_SOURCE)
    if grade == "not_graded":
        return Condition("assessment", name, None, (*facts, "（试用期等不定等次，需核实）"), rules.ASSESSMENT_SOURCE)
    return Condition("assessment", name, True, facts, rules.ASSESSMENT_SOURCE)
