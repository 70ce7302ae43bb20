"""Validators of a person's fields (人员基本信息): pure functions, value(s) → list of ``Problem``.

The roster importer (``party.importers``), the person forms (``people.forms``, the 新增党员 page) and
the API (``/api/people/``) call these same functions, so the same bad value gets the same Chinese
message everywhere. No function here reads the database or the clock: the reference day ``today`` is
passed in.

A ``Problem`` names the field (the Chinese label, which is also the roster column header), the reason
and the source it rests on. ``warning=True`` marks a check that the roster import reports as a warning
(historical records are imported as given, ``rules.md`` §3/§6); records entered by hand
(``people.services.person_create``, ``person_update``, the membership services) refuse warnings too —
see ``blocking``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from zugong.core import idnumber
from zugong.core.codes import SEX
from zugong.core.dates import age_on

MIN_WORK_AGE = 16
"""《中华人民共和国劳动法》第十五条：禁止用人单位招用未满十六周岁的未成年人 (``rules.md`` §6)."""
MAX_NAME_LENGTH = 50
OLDEST_BIRTH_YEAR = 1900
"""A birth date before 1900 is not plausible for a living record (GB 11643 numbers start at 1880)."""

SOURCE_ID_NUMBER = "GB 11643-1999《公民身份号码》"
SOURCE_WORK_AGE = "《中华人民共和国劳动法》第十五条"
SOURCE_DOSSIER = "《干部人事档案工作条例》（三龄两历一身份）"

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem with a value: ``field`` (Chinese field label = roster column header), ``reason``
    (Chinese, safe to show: never echoes an ID number or phone), ``source`` (the regulation or standard),
    ``warning`` (reported, not refused, by the roster import)."""

    field: str
    reason: str
    source: str = ""
    warning: bool = False

    @property
    def message(self) -> str:
        """「字段」：reason — the text every interface shows."""
        return f"「{self.field}」：{self.reason}"


def blocking(problems: list[Problem]) -> list[Problem]:
    """The problems that refuse a record entered by hand: all of them (warnings included)."""
    return list(problems)


# --- 姓名 -------------------------------------------------------------------------------------------------
def validate_name(name: str, *, field: str = "姓名") -> list[Problem]:
    """姓名: required, printable, at most 50 characters. ``name`` already stripped."""
    if not name:
        return [Problem(field, "必填项为空")]
    if any(not ch.isprintable() for ch in name):
        return [Problem(field, "不得包含换行符或其他控制字符")]
    if len(name) > MAX_NAME_LENGTH:
        return [Problem(field, "姓名超过 50 个字符")]
    return []


# --- 手机号码 -----------------------------------------------------------------------------------------------
def normalize_phone(text: str) -> str:
    """Spaces and dashes removed, a leading ``+86`` dropped."""
    digits = str(text or "").strip().replace(" ", "").replace("-", "")
    return digits[3:] if digits.startswith("+86") else digits


def validate_phone(text: str, *, field: str = "手机号码") -> list[Problem]:
    """手机号码 (after ``normalize_phone``): empty is allowed; a masked value (``*``) is refused; else 11
    digits starting with 1 and 3–9 (mobile numbers, GSM numbering of the MIIT). The value is never
    echoed (sensitive)."""
    if not text:
        return []
    if "*" in text:
        return [Problem(field, "手机号码已脱敏（含 *），脱敏导出的文件不能用于导入")]
    if not _MOBILE.match(text):
        return [Problem(field, "手机号码应为以 1 开头的 11 位数字")]
    return []


# --- 出生日期 ---------------------------------------------------------------------------------------------
def validate_birth_date(birth_date: dt.date, *, today: dt.date, field: str = "出生日期") -> list[Problem]:
    """出生日期: not after ``today`` and not before 1900."""
    if birth_date > today:
        return [Problem(field, f"日期 {birth_date.isoformat()} 晚于今天")]
    if birth_date.year < OLDEST_BIRTH_YEAR:
        return [Problem(field, f"出生日期 {birth_date.isoformat()} 不合理（早于 {OLDEST_BIRTH_YEAR} 年）")]
    return []


# --- 公民身份号码 -------------------------------------------------------------------------------------------
def check_id_number(text: str, *, today: dt.date, accept_bad_checksum: bool = False,
                    field: str = "公民身份号码") -> tuple[idnumber.IdNumberInfo | None, list[Problem]]:
    """Parse the text of an ID number (GB 11643-1999: 18 characters, birth date in chars 7–14, check
    character). Returns ``(info, problems)``; ``info`` is ``None`` when the number is refused. A masked
    number (``*``) or one shown in scientific notation (an Excel number) is refused; a wrong check
    character is refused unless ``accept_bad_checksum`` (then a warning, ``rules.md`` §7). Messages never
    echo the number."""
    text = str(text or "").replace(" ", "")
    if not text:
        return None, [Problem(field, "必填项为空")]
    if _SCIENTIFIC.match(text):
        return None, [Problem(field, "公民身份号码显示为科学计数法，已被转换为数字并可能丢失末几位；"
                                     "请将该列设为「文本」格式后重新填写", SOURCE_ID_NUMBER)]
    if "*" in text:
        return None, [Problem(field, "公民身份号码已脱敏（含 *），脱敏导出的文件不能用于导入")]
    try:
        return idnumber.parse(text, today=today), []
    except idnumber.IdNumberError:
        pass
    try:  # was it only the check character?
        info = idnumber.parse(text, accept_bad_checksum=True, today=today)
    except idnumber.IdNumberError as exc:
        return None, [Problem(field, str(exc), SOURCE_ID_NUMBER)]
    if not accept_bad_checksum:
        return None, [Problem(field, "公民身份号码校验码错误，请核对；如确认原始数据如此，可选择「接受校验码错误」作为警告导入",
                              SOURCE_ID_NUMBER)]
    return info, [Problem(field, "公民身份号码校验码错误（已按您的选择作为警告接受）", SOURCE_ID_NUMBER, warning=True)]


def validate_id_number_matches(info: idnumber.IdNumberInfo, *, birth_date: dt.date | None, sex: str | None,
                               birth_day_unknown: bool = False, reveal: bool = True) -> list[Problem]:
    """The birth date (chars 7–14) and sex (char 17: odd = male) encoded in the ID number must agree with
    出生日期 and 性别 (GB 11643-1999 §4–5). ``birth_day_unknown``: the birth date was given as year and
    month only (``1990.05``) — then only year and month are compared. ``None`` values are skipped.
    ``reveal=False``: the number is a stored one the user may not see (an edit of birth date or sex
    checked against it) — the message does not say what the number encodes."""
    problems = []
    if birth_date is not None:
        same = ((birth_date.year, birth_date.month) == (info.birth_date.year, info.birth_date.month)
                if birth_day_unknown else birth_date == info.birth_date)
        if not same:
            encoded = f" {info.birth_date.isoformat()} " if reveal else ""
            problems.append(Problem("出生日期", f"出生日期 {birth_date.isoformat()} 与公民身份号码中的出生日期{encoded}不一致",
                                    SOURCE_ID_NUMBER))
    if sex is not None and sex != info.sex:
        encoded = f"（第17位表示{SEX.label(info.sex)}性）" if reveal else ""
        problems.append(Problem("性别", f"性别「{SEX.label(sex)}」与公民身份号码{encoded}不一致", SOURCE_ID_NUMBER))
    return problems


# --- 参加工作日期 -------------------------------------------------------------------------------------------
def validate_work_start(birth_date: dt.date | None, work_start: dt.date | None, *,
                        field: str = "参加工作日期") -> list[Problem]:
    """参加工作日期: not before the birth date (error); before age 16 is a warning (《劳动法》第十五条;
    ``rules.md`` §6 dossier check — refused when entered by hand, reported when imported)."""
    if birth_date is None or work_start is None:
        return []
    if work_start <= birth_date:
        return [Problem(field, "参加工作日期早于出生日期", SOURCE_DOSSIER)]
    if age_on(birth_date, work_start) < MIN_WORK_AGE:
        return [Problem(field, "参加工作时未满十六周岁，请核实（《劳动法》第十五条）", SOURCE_WORK_AGE, warning=True)]
    return []
