"""Validators of the cadre record (干部信息): pure functions, value(s) → list of ``Problem`` (no database,
no clock: the reference day ``today`` is passed in). The services (``cadres.record.services``), the forms,
the API and the appointment-form importers call these same functions, so one bad value gets one Chinese
message everywhere. ``Problem`` is ``people.validators.Problem`` (field, reason, source, warning).

- ``parse_month``: a month-precision date (``1994.09``, ``199409``, ``1994-09``, ``1994年9月``, a full date:
  the day is dropped) → the 1st of that month (``cadres.models``: month-precision values are stored so).
- ``education_code_of_text``: the GB/T 4658 学历 code of a 学历 as written (``EDUCATION.parse``, then the
  real-world variants: 「省委党校研究生」, 「在职大学」, 「大学本科学历」).
- ``resume_problems``: the simple continuity check of the résumé shown on the 简历 tab (gaps and overlaps
  between consecutive main lines; a （其间） line outside the main lines' span). The formal audit with
  findings is ``cadres.dossier`` (rules.md §6 三龄两历一身份).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from zugong.core.codes import EDUCATION, normalize_text
from zugong.core.dates import DateParseError, parse_date
from zugong.people.validators import Problem

SOURCE_DOSSIER = "《干部人事档案工作条例》（三龄两历一身份，干部履历连续）"
_MONTH_DOT = re.compile(r"^(\d{4})\s*[.．。\-/年]\s*(\d{1,2})\s*月?$")


def parse_month(value, field: str, problems: list[Problem], *, required: bool = False,
                today: dt.date | None = None) -> dt.date | None:
    """A month-precision date → ``dt.date`` on the 1st of the month (``None`` when blank).

    Accepts ``yyyy.MM``, ``yyyy.M``, ``yyyyMM``, ``yyyy-MM``, ``yyyy/MM``, ``yyyy年M月``, a full date in any
    form of ``core.dates.parse_date`` (``yyyyMMdd``, ``yyyy.MM.dd``: the day is dropped) or a ``dt.date``.
    Appends a ``Problem`` under ``field`` for a missing required value, an unreadable one (``1985.13``) or —
    when ``today`` is given — a month after the current one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(Problem(field, "必填项为空"))
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value.replace(day=1)
    else:
        text = normalize_text(value)
        m = _MONTH_DOT.match(text)
        try:
            if m:
                day = dt.date(int(m.group(1)), int(m.group(2)), 1)
            else:
                parsed, _ = parse_date(text)
                day = parsed.replace(day=1) if parsed else None
        except (ValueError, DateParseError):
            problems.append(Problem(field, f"「{text}」不是有效的年月（应为 yyyy.MM，如 1994.09）"))
            return None
        if day is None:
            if required:
                problems.append(Problem(field, "必填项为空"))
            return None
    if day.year < 1900:
        problems.append(Problem(field, f"{day:%Y.%m} 不合理（早于 1900 年）"))
        return None
    if today is not None and day > today.replace(day=1):
        problems.append(Problem(field, f"{day:%Y.%m} 晚于本月"))
        return None
    return day


def month_text(day: dt.date | None) -> str:
    """``1994.09`` (``""`` for ``None``): the résumé's and the appointment form's month format."""
    return f"{day.year:04d}.{day.month:02d}" if day else ""


# ----- 学历 ----------------------------------------------------------------------------------------------

# (keyword, code) in the order tried: the first keyword found in the text decides (GB/T 4658-2006)
_EDUCATION_WORDS = (
    ("博士", "11"), ("硕士", "14"), ("研究生", "10"),
    ("本科", "21"), ("大学普通班", "28"), ("专科", "31"), ("大专", "31"), ("高职", "31"),
    ("中专", "41"), ("中等专科", "41"), ("职高", "44"), ("职业高中", "44"), ("技工", "47"), ("技校", "47"),
    ("中技", "47"), ("高中", "61"), ("初中", "71"), ("小学", "81"), ("大学", "21"),
)
_EDUCATION_NOISE = ("学历", "毕业", "在职", "全日制", "函授", "自考", "成人", "夜大", "电大", "网络教育")


def education_code_of_text(text: str) -> str:
    """The GB/T 4658 学历 code of ``text`` as written (``""`` for blank or unrecognised): the code table's
    own names and short forms (``EDUCATION.parse``: 「大学本科毕业」 → 21, 「大学」 → 20), then the text without
    the words cadre records add (「学历」, 「在职」, 「函授」 …), then the first level keyword found
    (「中央党校研究生」 → 10, 「省委党校大学」 → 21, 「工学博士研究生」 → 11)."""
    value = normalize_text(text)
    if not value:
        return ""
    code = EDUCATION.parse(value)
    if code:
        return code
    stripped = value
    for word in _EDUCATION_NOISE:
        if word != "毕业":
            stripped = stripped.replace(word, "")
    code = EDUCATION.parse(stripped) if stripped else None
    if code:
        return code
    for word, code in _EDUCATION_WORDS:
        if word in value:
            return code
    return ""


# ----- 简历 ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResumeWarning:
    """A continuity problem between résumé lines (shown on the 简历 tab): ``kind`` ``gap`` (断档) /
    ``overlap`` (重叠) / ``outside`` (其间 line outside the main lines) / ``open`` (an open end that is not
    the last main line), the positions (0-based indexes of the lines as shown) and the Chinese text."""

    kind: str
    lines: tuple[int, ...]
    text: str


def resume_warnings(entries) -> list[ResumeWarning]:
    """Simple continuity check of résumé ``entries`` (objects with ``start_date``, ``end_date`` — ``None`` =
    to this day —, ``in_service_study``, in written order): each main line (not 其间) should start in the
    month the previous one ended (``end_date`` is the first month of the next line, as the form writes
    ``1994.09--1998.07`` / ``1998.07--2001.03``). A later start is a gap (断档), an earlier one an overlap
    (重叠); an open end before the last main line; a （其间） line outside the span of the main lines. The
    dossier audit (``cadres.dossier``) does the formal check with findings; this is the tab's warning."""
    out: list[ResumeWarning] = []
    main = [(i, e) for i, e in enumerate(entries) if not e.in_service_study]
    for (i, prev), (j, cur) in zip(main, main[1:], strict=False):
        if prev.end_date is None:
            out.append(ResumeWarning("open", (i, j), f"第{i + 1}行「{month_text(prev.start_date)}--」没有截止时间，"
                                                     f"但其后还有第{j + 1}行"))
            continue
        if cur.start_date > prev.end_date:
            out.append(ResumeWarning("gap", (i, j), f"第{i + 1}行截止于 {month_text(prev.end_date)}，第{j + 1}行起始于 "
                                                    f"{month_text(cur.start_date)}：简历不连续（断档）"))
        elif cur.start_date < prev.end_date:
            out.append(ResumeWarning("overlap", (i, j), f"第{i + 1}行截止于 {month_text(prev.end_date)}，第{j + 1}行起始于 "
                                                        f"{month_text(cur.start_date)}：简历时间重叠"))
    if main:
        first = min(e.start_date for _, e in main)
        last = None if any(e.end_date is None for _, e in main) else max(e.end_date for _, e in main)
        for i, e in enumerate(entries):
            if not e.in_service_study:
                continue
            if e.start_date < first or (last is not None and (e.end_date is None or e.end_date > last)):
                out.append(ResumeWarning("outside", (i,), f"第{i + 1}行（其间）不在主要经历的时间范围内"))
    return out


def validate_period(start: dt.date | None, end: dt.date | None, *, start_field: str = "起始时间",
                    end_field: str = "截止时间") -> list[Problem]:
    """``start`` must be before ``end`` (month precision; an empty ``end`` means to this day)."""
    if start is not None and end is not None and not start < end:
        return [Problem(end_field, f"截止时间 {month_text(end)} 应晚于起始时间 {month_text(start)}", SOURCE_DOSSIER)]
    return []
