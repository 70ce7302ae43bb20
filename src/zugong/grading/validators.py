"""Pure checks of branch grading (达标晋级) shared by the services, so the page, the API and scripts give one
input one answer. Each returns ``core.errors.FieldProblem`` rows (Chinese field name, reason, source);
none touches the database.

Rules (sources: ``shared/rules.md`` §2 — grading schemes are local, [L]; the rules below are this
system's, documented in ``docs/grading.md``):

- a score is a number from 0 to the criterion's 满分 with at most one decimal; every criterion of the
  scheme is scored exactly once and no criterion of another scheme is given (``check_scores``);
- the year is not in the future, nor before the organization was founded, nor after it was dissolved
  (``check_year``);
- the total is the sum of the scores; the level is the level with the highest 最低总分 not above the total
  (``level_for``);
- 示范党支部 may be designated only for a grading at the scheme's top level (order 1) of an organization
  that is not on the 软弱涣散 list for that year (``check_designation``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from zugong.core.errors import FieldProblem

RULE_SOURCE = "本系统达标晋级规则（docs/grading.md）"
MIN_YEAR = 1921


def fmt_score(value) -> str:
    """A score or total for messages: ``Decimal("20.0")`` → ``20``, ``Decimal("17.5")`` → ``17.5``."""
    return f"{Decimal(value).normalize():f}"


def parse_score(raw: object, label: str, max_score: Decimal, problems: list[FieldProblem]) -> Decimal | None:
    """``raw`` (number or text) as a ``Decimal`` of at most one decimal place in ``0 … max_score``; else a
    problem under ``label`` (the criterion's name) and ``None``."""
    text = str(raw).strip() if raw is not None else ""
    if text == "":
        problems.append(FieldProblem(label, f"缺少评分项「{label}」的得分", RULE_SOURCE))
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        problems.append(FieldProblem(label, f"评分项「{label}」的得分「{text}」不是数字", RULE_SOURCE))
        return None
    if not value.is_finite():
        problems.append(FieldProblem(label, f"评分项「{label}」的得分「{text}」不是数字", RULE_SOURCE))
        return None
    if value != value.quantize(Decimal("0.1")):
        problems.append(FieldProblem(label, f"评分项「{label}」的得分 {text} 最多保留一位小数", RULE_SOURCE))
        return None
    if value < 0 or value > max_score:
        problems.append(FieldProblem(label, f"评分项「{label}」的得分 {text} 超出范围（0–{fmt_score(max_score)} 分）",
                                     RULE_SOURCE))
        return None
    return value.quantize(Decimal("0.1"))


def split_entry(entry: object) -> tuple[object, str]:
    """A score entry as ``(score, evidence)``: a pair, a ``{"score", "evidence"}`` mapping, or a bare score."""
    if isinstance(entry, Mapping):
        return entry.get("score"), str(entry.get("evidence") or "").strip()
    if isinstance(entry, list | tuple):
        score = entry[0] if entry else None
        return score, str(entry[1] if len(entry) > 1 and entry[1] is not None else "").strip()
    return entry, ""


def check_scores(criteria: Iterable, scores: Mapping, *, require_all: bool = True,
                 scheme_name: str = "") -> tuple[list[FieldProblem], dict]:
    """Check ``scores`` (``{criterion code: (score, evidence)}``, see ``split_entry``) against ``criteria``
    (the scheme's ``GradingCriterion`` rows). Returns ``(problems, {code: (Decimal, evidence)})``: a code not
    in the scheme, a missing criterion (when ``require_all``) and a bad score are problems naming the
    criterion."""
    problems: list[FieldProblem] = []
    by_code = {c.code: c for c in criteria}
    cleaned: dict = {}
    for code in scores:
        if code not in by_code:
            problems.append(FieldProblem("评分项", f"评分项「{code}」不属于{scheme_name or '该评定方案'}"
                                                 f"（应为：{'、'.join(c.name for c in by_code.values())}）", RULE_SOURCE))
    for code, criterion in by_code.items():
        if code not in scores:
            if require_all:
                problems.append(FieldProblem(criterion.name, f"缺少评分项「{criterion.name}」的得分", RULE_SOURCE))
            continue
        raw, evidence = split_entry(scores[code])
        value = parse_score(raw, criterion.name, Decimal(criterion.max_score), problems)
        if value is not None:
            cleaned[code] = (value, evidence[:4000])
    return problems, cleaned


def level_for(levels: Iterable, total: Decimal):
    """The level reached by ``total``: of ``levels`` (``GradingLevel`` rows) the one with the highest
    ``min_total`` not above ``total``; ``None`` when none is reached."""
    reached = [lv for lv in levels if Decimal(lv.min_total) <= total]
    return max(reached, key=lambda lv: (Decimal(lv.min_total), -lv.order)) if reached else None


def top_level(levels: Iterable):
    """The scheme's top level (smallest ``order``, then highest ``min_total``), ``None`` without levels."""
    levels = list(levels)
    return min(levels, key=lambda lv: (lv.order, -Decimal(lv.min_total))) if levels else None


def parse_year(raw: object, problems: list[FieldProblem], *, field: str = "年度") -> int | None:
    """``raw`` as a year (integer); a problem and ``None`` when empty or not an integer."""
    text = str(raw).strip() if raw is not None else ""
    if not text:
        problems.append(FieldProblem(field, "必填项为空"))
        return None
    try:
        return int(text)
    except ValueError:
        problems.append(FieldProblem(field, f"年度「{text}」不是整数"))
        return None


def check_year(year: int, *, today: dt.date, founded: dt.date | None = None, dissolved: dt.date | None = None,
               org_name: str = "", field: str = "年度") -> list[FieldProblem]:
    """``year`` is not after ``today``'s year, not before 1921, not before the organization's founding
    year and not after the year it was dissolved."""
    if year > today.year:
        return [FieldProblem(field, f"年度 {year} 晚于本年度（{today.year}），不能评定未来的年度")]
    if year < MIN_YEAR:
        return [FieldProblem(field, f"年度 {year} 不合理")]
    if founded is not None and year < founded.year:
        return [FieldProblem(field, f"「{org_name}」成立于 {founded.isoformat()}，{year} 年度尚未成立")]
    if dissolved is not None and year > dissolved.year:
        return [FieldProblem(field, f"「{org_name}」已于 {dissolved.isoformat()} 撤销，{year} 年度已不存在")]
    return []


def check_day_in_year(day: dt.date | None, year: int | None, field: str) -> list[FieldProblem]:
    """``day`` is not before 1 January of ``year`` (a grading or a listing of year Y happens in Y or later)."""
    if day is not None and year is not None and day < dt.date(year, 1, 1):
        return [FieldProblem(field, f"{field} {day.isoformat()} 早于 {year} 年度")]
    return []


def check_designation(*, level, top, on_weak_list: bool, year: int) -> list[FieldProblem]:
    """示范党支部 only at the top level (``top``) and not while on the 软弱涣散 list of ``year``."""
    problems = []
    if top is None or level is None or level.pk != top.pk:
        reached = level.name if level is not None else "未达任何等次"
        problems.append(FieldProblem("示范党支部", f"只有评定为最高等次「{top.name if top else '—'}」的支部才能命名为"
                                                 f"示范党支部（本次为「{reached}」）", RULE_SOURCE))
    if on_weak_list:
        problems.append(FieldProblem("示范党支部", f"该组织已列入 {year} 年度软弱涣散基层党组织名单，不能命名为示范党支部",
                                     RULE_SOURCE))
    return problems
