"""Pure validators of organization values, shared by the services (form and API go through them) and
the 党组织 importer.

Each function takes plain values (no database access, no user) and returns a list of
``FieldProblem(field, reason, source)``: ``field`` is the Chinese field name the user sees (form label,
API error ``column``, import header), ``reason`` a Chinese sentence, ``source`` the rule's origin
(regulation and article, or ``"数据完整性"`` for a rule of the record itself). An empty list means valid.
Callers turn problems into ``core.errors.RowError`` with their own row number (``as_row_errors``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zugong.core.codes import ORG_TYPE, UNIT_CATEGORY
from zugong.core.errors import RowError
from zugong.core.text import strip_controls

CODE, NAME, ORG_TYPE_FIELD, UNIT_FIELD, FOUNDED, PARENT = "组织代码", "组织名称", "组织类别", "单位属性", "成立日期", "上级组织"
DISSOLVED, REASON = "撤销日期", "撤销原因"
CODE_MAX, NAME_MAX, REASON_MAX = 50, 200, 200

BRANCH_REGULATION = "《中国共产党支部工作条例（试行）》第二章 组织设置"
CHARTER_ART_30 = "《中国共产党章程》第三十条"
INTEGRITY = "数据完整性"


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One rule broken by one value: Chinese ``field`` name, ``reason`` and the rule's ``source``."""

    field: str
    reason: str
    source: str = INTEGRITY


def as_row_errors(problems: list[FieldProblem], row: int = 0) -> list[RowError]:
    """``problems`` as ``RowError`` of ``row`` (0 = a form or API request)."""
    return [RowError(row, p.field, p.reason) for p in problems]


def check_text(value: str, field: str, max_length: int) -> list[FieldProblem]:
    """A required single-line text: not empty once control characters are removed (``core.text``: the
    model save strips them, as every text field), at most ``max_length`` characters."""
    text = strip_controls(value or "").strip()
    if not text:
        return [FieldProblem(field, "必填项为空")]
    if len(text) > max_length:
        return [FieldProblem(field, f"{field}超过 {max_length} 个字符")]
    return []


def check_code(value: str) -> list[FieldProblem]:
    """组织代码: required, at most 50 characters, no spaces (it is the key used in files)."""
    problems = check_text(value, CODE, CODE_MAX)
    if not problems and any(ch.isspace() for ch in value.strip()):
        problems.append(FieldProblem(CODE, "组织代码不得包含空格"))
    return problems


def check_name(value: str) -> list[FieldProblem]:
    """组织名称: required, at most 200 characters."""
    return check_text(value, NAME, NAME_MAX)


def check_org_type(value: str) -> list[FieldProblem]:
    """组织类别: a code of ``ORG_TYPE`` (the categories of 《中国共产党章程》第三十条 and the 支部工作条例)."""
    if not value:
        return [FieldProblem(ORG_TYPE_FIELD, "必填项为空")]
    if value not in ORG_TYPE.entries:
        return [FieldProblem(ORG_TYPE_FIELD, f"无法识别的组织类别「{value}」（应为 {'/'.join(ORG_TYPE.entries.values())}）",
                             CHARTER_ART_30)]
    return []


def check_unit_category(value: str) -> list[FieldProblem]:
    """单位属性: empty or a code of ``UNIT_CATEGORY``."""
    if value and value not in UNIT_CATEGORY.entries:
        return [FieldProblem(UNIT_FIELD, f"无法识别的单位属性「{value}」（应为 {'/'.join(UNIT_CATEGORY.entries.values())}）")]
    return []


def check_founded_date(day: dt.date | None, *, today: dt.date) -> list[FieldProblem]:
    """成立日期: optional, not after ``today``."""
    if day is not None and day > today:
        return [FieldProblem(FOUNDED, f"成立日期 {day.isoformat()} 晚于今天")]
    return []


def check_parent_type(parent_type: str, parent_label: str = "") -> list[FieldProblem]:
    """A 党小组 is the smallest unit inside a 党支部 and has no sub-organizations (支部工作条例)."""
    if parent_type == "party_group":
        who = f"「{parent_label}」" if parent_label else ""
        return [FieldProblem(PARENT, f"上级组织{who}是党小组，不能设下级组织", BRANCH_REGULATION)]
    return []


def check_parent_position(*, org_path: str, parent_path: str, parent_label: str = "") -> list[FieldProblem]:
    """Moving the organization at ``org_path`` under the one at ``parent_path`` must not make it its own
    ancestor: the new parent may be neither the organization itself nor one of its descendants."""
    who = f"「{parent_label}」" if parent_label else ""
    if parent_path == org_path:
        return [FieldProblem(PARENT, "上级组织不能是本组织自身（会形成循环）")]
    if parent_path.startswith(org_path):
        return [FieldProblem(PARENT, f"上级组织{who}是本组织的下级组织，不能作为上级（会形成循环）")]
    return []


def check_parent_active(parent_status: str, parent_label: str = "") -> list[FieldProblem]:
    """An organization cannot be placed under (or reactivated below) a dissolved organization."""
    if parent_status == "dissolved":
        who = f"「{parent_label}」" if parent_label else ""
        return [FieldProblem(PARENT, f"上级组织{who}已撤销")]
    return []


def check_dissolve(*, day: dt.date | None, reason: str, founded: dt.date | None, today: dt.date) -> list[FieldProblem]:
    """撤销日期 required, not before the founding date and not in the future; 撤销原因 required (≤ 200)."""
    problems: list[FieldProblem] = []
    if day is None:
        problems.append(FieldProblem(DISSOLVED, "必填项为空"))
    elif day > today:
        problems.append(FieldProblem(DISSOLVED, f"撤销日期 {day.isoformat()} 晚于今天"))
    elif founded is not None and day < founded:
        problems.append(FieldProblem(DISSOLVED, f"撤销日期 {day.isoformat()} 早于成立日期 {founded.isoformat()}"))
    problems += check_text(reason, REASON, REASON_MAX)
    return problems


def check_founded_before_dissolved(founded: dt.date | None, dissolved: dt.date | None) -> list[FieldProblem]:
    """A dissolved organization's founding date may not move after its dissolution date."""
    if founded and dissolved and founded > dissolved:
        return [FieldProblem(FOUNDED, f"成立日期 {founded.isoformat()} 晚于撤销日期 {dissolved.isoformat()}")]
    return []
