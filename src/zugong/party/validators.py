"""Validators of party membership (党员、组织关系): pure functions, value(s) → list of
``people.validators.Problem``, shared by the roster importer, the member forms and the API.

No function reads the database or the clock; callers pass what they loaded (organization dates, the
person's open memberships) and the reference day.
"""

from __future__ import annotations

import datetime as dt

from zugong.core.codes import ORG_TYPE, ORG_TYPES_HOLDING_MEMBERS
from zugong.core.dates import add_years, age_on
from zugong.party.rules import probation_years
from zugong.people.validators import Problem

MIN_ADMISSION_AGE = 18
"""《中国共产党章程》第一条：年满十八岁……可以申请加入中国共产党；《发展党员工作细则》第三条."""
MAX_PROBATION_YEARS = 2
"""《中国共产党章程》第七条：延长预备期，但不能超过一年 → at most two years in total."""

SOURCE_ADMISSION_AGE = "《中国共产党章程》第一条"
SOURCE_PROBATION = "《中国共产党章程》第七条"
SOURCE_RECORDS = "《中国共产党党员权利保障条例》及组织关系管理规定（组织关系须连续、唯一）"
SOURCE_TRANSFER = "《中国共产党党员教育管理工作条例》第五章（党员组织关系转接须转入现有的党组织）"


def validate_admission(birth_date: dt.date | None, admission_date: dt.date | None, *,
                       field: str = "入党日期") -> list[Problem]:
    """入党日期 at age ≥ 18 (《党章》第一条). ``None`` values are skipped."""
    if birth_date is None or admission_date is None:
        return []
    if admission_date <= birth_date or age_on(birth_date, admission_date) < MIN_ADMISSION_AGE:
        return [Problem(field, f"入党时未满十八周岁（出生日期 {birth_date.isoformat()}，入党日期 {admission_date.isoformat()}；"
                               "《党章》第一条：年满十八岁方可申请入党）", SOURCE_ADMISSION_AGE)]
    return []


def validate_category(category: str | None, full_membership_date: dt.date | None, *,
                      full_date_given: bool = False) -> list[Problem]:
    """人员类别 vs 转正日期: a 正式党员 (``"full"``) needs a 转正日期, a 预备党员 (``"probationary"``) has
    none. ``full_date_given``: a 转正日期 was entered but could not be read (its own error is reported)."""
    if category == "full" and full_membership_date is None and not full_date_given:
        return [Problem("转正日期", "人员类别为正式党员，必须填写转正日期", SOURCE_PROBATION)]
    if category == "probationary" and full_membership_date is not None:
        return [Problem("转正日期", "人员类别为预备党员，不应填写转正日期（已转正的请将人员类别改为正式党员）", SOURCE_PROBATION)]
    return []


def validate_full_membership(admission_date: dt.date | None, full_membership_date: dt.date | None, *,
                             field: str = "转正日期") -> list[Problem]:
    """转正日期 after 入党日期 (error) and at least one year after it (预备期为一年，《党章》第七条): a shorter
    probation is a warning for imported history and refused when entered by hand."""
    if admission_date is None or full_membership_date is None:
        return []
    if full_membership_date <= admission_date:
        return [Problem(field, f"转正日期 {full_membership_date.isoformat()} 不能早于或等于入党日期 {admission_date.isoformat()}",
                        SOURCE_PROBATION)]
    if full_membership_date < add_years(admission_date, probation_years(on=admission_date)):
        return [Problem(field, "转正日期距入党日期不足一年（《党章》第七条：预备期为一年），请核实", SOURCE_PROBATION,
                        warning=True)]
    return []


def validate_probation_length(category: str | None, admission_date: dt.date | None, *,
                              today: dt.date) -> list[Problem]:
    """A 预备党员 admitted two or more years before ``today`` (预备期一年，延长不超过一年，《党章》第七条):
    a warning."""
    if category == "probationary" and admission_date and add_years(admission_date, MAX_PROBATION_YEARS) <= today:
        return [Problem("人员类别", "入党已满两年仍为预备党员（预备期一年，延长不超过一年，《党章》第七条），请核实",
                        SOURCE_PROBATION, warning=True)]
    return []


def validate_membership_start(*, org_name: str, org_type: str, org_status: str, founded_date: dt.date | None,
                              dissolved_date: dt.date | None, start_date: dt.date,
                              field: str = "所在党组织") -> list[Problem]:
    """A membership of the organization from ``start_date``: the organization holds members directly
    (not a 党小组/党组), was founded on or before ``start_date`` (``founded_date``; unknown = no check)
    and was not dissolved by then (``dissolved_date``, or ``status == "dissolved"`` without a date)."""
    if org_type not in ORG_TYPES_HOLDING_MEMBERS:
        return [Problem(field, f"「{org_name}」是{ORG_TYPE.label(org_type)}，不直接管理党员组织关系，"
                               "请选择其所属党支部或党委", SOURCE_RECORDS)]
    if founded_date is not None and start_date < founded_date:
        return [Problem(field, f"组织关系起始日期 {start_date.isoformat()} 早于「{org_name}」的成立日期 "
                               f"{founded_date.isoformat()}", SOURCE_RECORDS)]
    if dissolved_date is not None and start_date >= dissolved_date:
        return [Problem(field, f"「{org_name}」已于 {dissolved_date.isoformat()} 撤销，组织关系不能从 "
                               f"{start_date.isoformat()} 起转入（依据：{SOURCE_TRANSFER}）", SOURCE_TRANSFER)]
    if dissolved_date is None and org_status == "dissolved":
        return [Problem(field, f"「{org_name}」已撤销", SOURCE_RECORDS)]
    return []


def validate_open_membership(open_periods: list[tuple[dt.date, dt.date | None]], *, start_date: dt.date,
                             closing_open: bool = False, field: str = "起始日期") -> list[Problem]:
    """At most one open membership per person (组织关系唯一). ``open_periods``: the person's periods
    ``(start, end)`` stored now; ``closing_open``: the caller closes the open one at ``start_date``
    (a transfer). Refused: opening a second open membership; a new period starting before the start
    of one already recorded (history may not overlap)."""
    problems = []
    open_now = [p for p in open_periods if p[1] is None]
    if open_now and not closing_open:
        problems.append(Problem(field, "该党员已有未结束的组织关系，同一时间只能有一个组织关系；"
                                       "请办理组织关系转接或先结束现有组织关系", SOURCE_RECORDS))
    latest = max((p[0] for p in open_periods), default=None)
    if latest is not None and start_date < latest:
        problems.append(Problem(field, f"起始日期 {start_date.isoformat()} 早于现有组织关系的起始日期 "
                                       f"{latest.isoformat()}", SOURCE_RECORDS))
    else:
        ended = max((p[1] for p in open_periods if p[1] is not None), default=None)
        if ended is not None and start_date < ended:
            problems.append(Problem(field, f"起始日期 {start_date.isoformat()} 早于上一段组织关系的截止日期 "
                                           f"{ended.isoformat()}", SOURCE_RECORDS))
    return problems


def validate_end(start_date: dt.date, end_date: dt.date, *, today: dt.date, field: str = "截止日期") -> list[Problem]:
    """An end date of a membership: not before its start, not after ``today``."""
    if end_date < start_date:
        return [Problem(field, f"截止日期 {end_date.isoformat()} 早于起始日期 {start_date.isoformat()}")]
    if end_date > today:
        return [Problem(field, f"日期 {end_date.isoformat()} 晚于今天")]
    return []
