"""Dates and ages.

- ``parse_date``: the date forms files carry (``rules.md`` §8, issue #9): ``YYYY-MM-DD``, ``YYYY/MM/DD``,
  ``YYYY.MM.DD``, ``YYYYMMDD``, single-digit months and days (``2019/10/8``, ``2019.1.8``), ``YYYY.MM`` /
  ``YYYY-MM`` / ``YYYY年M月`` / ``YYYYMM`` (day unknown → 1st, flagged), ``YYYY年M月D日``, a real
  date/datetime cell, or a NUMBER cell holding one of the digit forms: ``19850701`` / ``198507`` (an
  integer) or ``1985.07`` (Excel turns a typed ``1985.07`` into the number 1985.07 — and a typed
  ``1985.10`` into 1985.1, so one decimal digit ``d`` is read as month ``d0``: 1985.1 → October; the
  day-unknown warning shows the date chosen). Other numbers (an Excel serial day count) are refused.
- ``age_on``: age in completed years (周岁) on a reference date.
"""

from __future__ import annotations

import datetime as dt
import re

from zugong.core.codes import normalize_text


class DateParseError(ValueError):
    """Not a valid date; ``str(error)`` is a Chinese reason."""


_FULL = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")
_COMPACT_MONTH = re.compile(r"^(\d{4})(\d{2})$")


def parse_date(value: object) -> tuple[dt.date | None, bool]:
    """Parse ``value`` → ``(date, day_unknown)``; ``(None, False)`` for empty input.

    Raises ``DateParseError`` for unrecognised text or impossible dates (``2023-02-30``)."""
    if value is None:
        return None, False
    if isinstance(value, dt.datetime):
        return value.date(), False
    if isinstance(value, dt.date):
        return value, False
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = _number_text(value)
    else:
        text = normalize_text(value)
    if not text:
        return None, False
    # "2020-01-02 00:00:00" / "2020-01-02T00:00:00" from other systems: keep the date part
    text = text.split(" ")[0].split("T")[0]
    for pattern, day_unknown in ((_FULL, False), (_COMPACT, False), (_MONTH, True), (_COMPACT_MONTH, True)):
        m = pattern.match(text)
        if m:
            year, month = int(m.group(1)), int(m.group(2))
            day = 1 if day_unknown else int(m.group(3))
            try:
                return dt.date(year, month, day), day_unknown
            except ValueError:
                raise DateParseError(f"「{text}」不是有效日期")
    raise DateParseError(f"「{text}」不是可识别的日期格式（应为 YYYY-MM-DD）")


def is_date_number(value: int | float) -> bool:
    """Whether a number cell may hold a date in a digit form (``YYYYMMDD``, ``YYYYMM``, ``YYYY.MM``) rather
    than a count or an Excel serial day (which are refused: the cell lost its date format)."""
    if float(value).is_integer():
        return 19000101 <= value <= 29991231 or 190001 <= value <= 299912
    return 1900 < value < 3000


def _number_text(value: int | float) -> str:
    """The text a number cell stood for: ``19850701``/``198507`` as is; ``1985.07`` → ``1985.07``;
    ``1985.1`` → ``1985.10`` (Excel dropped the trailing zero of a typed month)."""
    if float(value).is_integer():
        return str(int(value))
    text = repr(float(value))
    whole, _, fraction = text.partition(".")
    if len(whole) == 4 and fraction.isdigit() and len(fraction) == 1:
        return f"{whole}.{fraction}0"
    return text


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Age in completed years (周岁) on ``on``."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def add_years(day: dt.date, years: int) -> dt.date:
    """``day`` plus ``years`` years (29 February → 28 February in non-leap years)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)
