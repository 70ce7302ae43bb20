"""Pure validators of a 民主评议党员 result (``MemberEvaluation``), shared by the service
(``life.evaluations.member_evaluation_record``) and any form, API or importer that takes one: one input
gets one answer everywhere. No database access here.

Rules and their sources:

- 评议年度: a four-digit year from 1921 to the current year (an evaluation is of a year that has begun).
- 评议结果: 优秀 / 合格 / 基本合格 / 不合格 (``life.choices.EVALUATION_RESULT``; 共产党员网「民主评议党员」:
  按照“优秀”“合格”“基本合格”“不合格”对党员进行评定).
- 组织处置: required for 不合格 and refused for every other result; one of the 党内统计年报 第八表 columns
  限期改正 / 劝退 / 劝而不退除名 / 自行脱党除名 (``life.choices.EVALUATION_HANDLING``).
"""

from __future__ import annotations

import datetime as dt

from zugong.life.choices import EVALUATION_HANDLING, EVALUATION_RESULT
from zugong.people.validators import Problem

FIRST_YEAR = 1921
SOURCE_RESULTS = "共产党员网「民主评议党员」评定等次"
SOURCE_TABLE_8 = "党内统计年报第八表（民主评议党员情况）组织处置情况"


def clean_year(value, problems: list[Problem], *, today: dt.date) -> int | None:
    """``value`` (int or text) as a 评议年度 in ``[1921, today.year]``; appends a ``Problem`` otherwise."""
    text = str(value if value is not None else "").strip()
    if not text:
        problems.append(Problem("评议年度", "必填项为空"))
        return None
    if not text.isdigit() or not FIRST_YEAR <= int(text) <= today.year:
        problems.append(Problem("评议年度", f"评议年度「{text}」无效：应为 {FIRST_YEAR} 至 {today.year} 之间的四位年份"))
        return None
    return int(text)


def clean_result(value, problems: list[Problem]) -> str | None:
    """``value`` (code or name) as an ``EVALUATION_RESULT`` code; appends a ``Problem`` otherwise."""
    if value in (None, ""):
        problems.append(Problem("评议结果", "必填项为空", SOURCE_RESULTS))
        return None
    code = EVALUATION_RESULT.parse(value)
    if code is None:
        allowed = "、".join(EVALUATION_RESULT.entries.values())
        problems.append(Problem("评议结果", f"无法识别的评议结果「{value}」：应为 {allowed} 之一", SOURCE_RESULTS))
    return code


def clean_handling(value, result: str | None, problems: list[Problem]) -> str:
    """The 组织处置 code for ``result``: required (and one of ``EVALUATION_HANDLING``) for 不合格, blank for
    every other result. Appends a ``Problem`` otherwise; returns ``""`` when there is none."""
    text = str(value if value is not None else "").strip()
    allowed = "、".join(EVALUATION_HANDLING.entries.values())
    if result is None:
        return ""
    if result != "unqualified":
        if text:
            problems.append(Problem("组织处置", f"评议结果为「{EVALUATION_RESULT.label(result)}」时不填组织处置"
                                            f"（组织处置只针对评定为不合格的党员）", SOURCE_TABLE_8))
        return ""
    if not text:
        problems.append(Problem("组织处置", f"评议结果为不合格时必须填写组织处置（{allowed} 之一）", SOURCE_TABLE_8))
        return ""
    code = EVALUATION_HANDLING.parse(text)
    if code is None:
        problems.append(Problem("组织处置", f"无法识别的组织处置「{text}」：应为 {allowed} 之一", SOURCE_TABLE_8))
        return ""
    return code
