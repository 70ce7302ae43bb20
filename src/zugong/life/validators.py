"""Validators of meeting records (组织生活会议记录, issue #11): pure functions, values → list of
``core.errors.FieldProblem`` (Chinese field name, reason, source), shared by the quick-entry and edit forms,
the API, the ledger import (三会一课台账) and the services. No function reads the database or the clock:
callers pass the organization's dates, the roster and the reference day.

Sources: 《中国共产党支部工作条例（试行）》(2018) 第十条 (支部委员会、党小组的设置), 第十九条 (三会一课: 党员大会、
支委会、党小组会、党课), 第二十条–第二十二条 (主题党日、组织生活会、民主评议党员、谈心谈话); ``shared/rules.md`` §2
(a meeting record holds date, type, topic, presenter, recorder, 应到, 实到, absentees with reasons, minutes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from zugong.core.codes import ORG_TYPE, ORG_TYPES_BRANCH
from zugong.core.errors import INTEGRITY, FieldProblem
from zugong.life.choices import ATTENDANCE_STATUS, MEETING_TYPE

SOURCE_BRANCH = "《中国共产党支部工作条例（试行）》第十条"
SOURCE_MEETINGS = "《中国共产党支部工作条例（试行）》第十九条"

FIELD = {
    "organization": "党组织", "meeting_type": "会议类型", "date": "会议日期", "topic": "会议主题",
    "presenter": "主持人", "recorder": "记录人", "lecturer": "主讲人", "location": "会议地点",
    "expected_count": "应到人数", "attended_count": "实到人数", "absentee_note": "缺席人员",
    "minutes": "会议记录", "attendance": "出席情况", "reason": "缺席原因",
}
"""The Chinese name of each field, as the forms, the API errors and the import headers show it."""

MAX_LENGTH = {"topic": 200, "presenter": 100, "recorder": 100, "lecturer": 100, "location": 200,
              "absentee_note": 1000}

ABSENT_STATUSES = ("leave", "absent")
"""请假 and 缺席: a reason is required (``shared/rules.md`` §2: absentees with reasons)."""

GROUP_TYPES = ("party_group",)
BRANCH_ONLY_TYPES = ("committee_meeting", "general_meeting", "party_lecture", "theme_day",
                     "organizational_life_meeting", "member_evaluation", "heart_to_heart_talk")


def allowed_meeting_types(org_type: str, *, has_groups: bool) -> tuple[str, ...]:
    """The ``MEETING_TYPE`` codes an organization of ``org_type`` holds (支部工作条例 第十条、第十九条):

    - a 党小组 (``party_group``): 党小组会 only;
    - a 党支部 / 联合党支部 / 临时党支部: every type but 党小组会, which only a branch with party groups
      (``has_groups``: a 党小组 under it on the meeting date) records for its groups;
    - a 党委 / 党总支 / 党工委 / 党组: every type but 党小组会 (recorded, not branch compliance)."""
    if org_type in GROUP_TYPES:
        return ("group_meeting",)
    if org_type in ORG_TYPES_BRANCH and has_groups:
        return tuple(MEETING_TYPE.entries)
    return tuple(code for code in MEETING_TYPE.entries if code != "group_meeting")


def validate_meeting_type(meeting_type: str, org_type: str, *, has_groups: bool) -> list[FieldProblem]:
    """``meeting_type`` (a code) is held by an organization of ``org_type`` (``allowed_meeting_types``)."""
    if meeting_type in allowed_meeting_types(org_type, has_groups=has_groups):
        return []
    kind = ORG_TYPE.label(org_type) or org_type
    label = MEETING_TYPE.label(meeting_type)
    if meeting_type == "group_meeting":
        reason = (f"{kind}没有设立党小组，不能记录党小组会（党小组会由党小组召开，或由设有党小组的党支部记录）"
                  if org_type in ORG_TYPES_BRANCH else f"{kind}不召开党小组会（党小组会由党小组召开）")
    else:
        reason = f"党小组只召开党小组会，不能记录{label}" if org_type in GROUP_TYPES else f"{kind}不召开{label}"
    return [FieldProblem(FIELD["meeting_type"], reason, SOURCE_BRANCH if meeting_type == "group_meeting"
                         else SOURCE_MEETINGS)]


def validate_meeting_date(day: dt.date | None, *, today: dt.date, founded: dt.date | None,
                          dissolved: dt.date | None, org_name: str = "") -> list[FieldProblem]:
    """The meeting date is not after ``today``, not before the organization's 成立日期 ``founded`` and
    before its 撤销日期 ``dissolved`` (an organization holds no meeting on or after the day it is
    dissolved). ``None`` (missing or unreadable: reported by the parser) is skipped."""
    if day is None:
        return []
    name = FIELD["date"]
    who = f"「{org_name}」" if org_name else "该党组织"
    if day > today:
        return [FieldProblem(name, f"会议日期 {day.isoformat()} 晚于今天（{today.isoformat()}），不能记录尚未召开的会议")]
    if founded is not None and day < founded:
        return [FieldProblem(name, f"会议日期 {day.isoformat()} 早于{who}的成立日期 {founded.isoformat()}")]
    if dissolved is not None and day >= dissolved:
        return [FieldProblem(name, f"会议日期 {day.isoformat()} 不早于{who}的撤销日期 {dissolved.isoformat()}，"
                                   "撤销后的党组织不再召开会议")]
    return []


def validate_counts(expected: int | None, attended: int | None) -> list[FieldProblem]:
    """应到 and 实到 given (non-negative integers) and 实到 ≤ 应到."""
    problems = []
    for key, value in (("expected_count", expected), ("attended_count", attended)):
        if value is None:
            problems.append(FieldProblem(FIELD[key], "必填项为空（没有逐人登记出席情况时须填写人数）", INTEGRITY))
        elif value < 0:
            problems.append(FieldProblem(FIELD[key], f"人数不能为负数（{value}）", INTEGRITY))
    if not problems and attended > expected:
        problems.append(FieldProblem(FIELD["attended_count"], f"实到人数 {attended} 多于应到人数 {expected}", INTEGRITY))
    return problems


def validate_attendance(rows: Iterable[tuple[int, str, str]], roster: dict[int, str], *,
                        names: dict[int, str] | None = None, day: dt.date | None = None) -> list[FieldProblem]:
    """Attendance rows ``(person_id, status code, reason)`` against the ``roster`` of the meeting date
    (``person_id → name``): every person is on it (else named: 「某某 在会议日期不是本组织党员」), at most one
    row a person, a known status, and a reason for 请假 / 缺席. ``names``: the names of people not on the
    roster, to name them."""
    problems: list[FieldProblem] = []
    seen: set[int] = set()
    names = names or {}
    on = f"在 {day.isoformat()} " if day else "在会议日期"
    for person_id, status, reason in rows:
        who = roster.get(person_id) or names.get(person_id) or f"人员 #{person_id}"
        if person_id not in roster:
            problems.append(FieldProblem(FIELD["attendance"], f"「{who}」{on}不是本组织的党员，不在应到名单中"))
            continue
        if person_id in seen:
            problems.append(FieldProblem(FIELD["attendance"], f"「{who}」重复登记"))
            continue
        seen.add(person_id)
        if status not in ATTENDANCE_STATUS.entries:
            problems.append(FieldProblem(FIELD["attendance"], f"「{who}」的出席情况「{status}」无法识别"
                                                              f"（{'、'.join(ATTENDANCE_STATUS.names)}）"))
        elif status in ABSENT_STATUSES and not (reason or "").strip():
            problems.append(FieldProblem(FIELD["reason"], f"「{who}」{ATTENDANCE_STATUS.label(status)}，须填写原因"))
    return problems


def validate_texts(values: dict[str, str], *, required: Iterable[str] = ("topic",)) -> list[FieldProblem]:
    """Text fields: ``required`` ones non-empty, none longer than ``MAX_LENGTH``."""
    problems = []
    for key in required:
        if not (values.get(key) or "").strip():
            problems.append(FieldProblem(FIELD[key], "必填项为空", INTEGRITY))
    for key, limit in MAX_LENGTH.items():
        if len(values.get(key) or "") > limit:
            problems.append(FieldProblem(FIELD[key], f"不能超过 {limit} 个字", INTEGRITY))
    return problems


def committee_warning(meeting_type: str, org_type: str, officers_on_day: int, minimum: int) -> str:
    """The warning for a 支委会 recorded by a branch without a committee on record that day (fewer than
    ``minimum`` officer posts held, ``branches.choices.COMMITTEE_MIN_OFFICERS``), else ``""``. The record is
    accepted: the meeting is a fact; the 班子成员 may be recorded later (支部工作条例 第十条: 党员 7 人以上的
    党支部设立支部委员会)."""
    if meeting_type != "committee_meeting" or org_type not in ORG_TYPES_BRANCH or officers_on_day >= minimum:
        return ""
    return (f"该党支部在会议日期登记的班子成员不足 {minimum} 人（现有 {officers_on_day} 人），系统中没有支部委员会的记录；"
            "会议已记录，请补充登记班子成员（《中国共产党支部工作条例（试行）》第十条）")
