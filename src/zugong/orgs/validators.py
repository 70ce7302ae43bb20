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

from zugong.core.codes import ORG_TYPE, UNIT_CATEGORY
from zugong.core.errors import INTEGRITY, FieldProblem, as_row_errors  # noqa: F401 (re-exported)
from zugong.core.text import strip_controls

CODE, NAME, ORG_TYPE_FIELD, UNIT_FIELD, FOUNDED, PARENT = "组织代码", "组织名称", "组织类别", "单位属性", "成立日期", "上级组织"
DISSOLVED, REASON = "撤销日期", "撤销原因"
CODE_MAX, NAME_MAX, REASON_MAX = 50, 200, 200
SHORT_NAME, SHORT_NAME_MAX = "党组织简称", 100

BRANCH_REGULATION = "《中国共产党支部工作条例（试行）》第二章 组织设置"
CHARTER_ART_30 = "《中国共产党章程》第三十条"


def check_text(value: str, field: str, max_length: int) -> list[FieldProblem]:
    """A required single-line text: not empty once control characters are removed (``core.text``: the
    model save strips them, as every text field), at most ``max_length`` characters."""
    text = strip_controls(value or "").strip()
    if not text:
        return [FieldProblem(field, "必填项为空")]
    if len(text) > max_length:
        return [FieldProblem(field, f"{field}超过 {max_length} 个字符")]
    return []


def check_key(value: str, field: str) -> list[FieldProblem]:
    """A record's code (``field``: 组织代码, 单位代码): required, at most 50 characters, no spaces (it is
    the key used in files)."""
    problems = check_text(value, field, CODE_MAX)
    if not problems and any(ch.isspace() for ch in value.strip()):
        problems.append(FieldProblem(field, f"{field}不得包含空格"))
    return problems


def check_code(value: str) -> list[FieldProblem]:
    """组织代码: ``check_key``."""
    return check_key(value, CODE)


def check_name(value: str) -> list[FieldProblem]:
    """组织名称: required, at most 200 characters."""
    return check_text(value, NAME, NAME_MAX)


def check_short_name(value: str) -> list[FieldProblem]:
    """党组织简称: optional, at most 100 characters."""
    return check_text(value, SHORT_NAME, SHORT_NAME_MAX) if value else []


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


# --- units (单位) ----------------------------------------------------------------------------------------
UNIT_CODE, UNIT_NAME, UNIT_PARENT = "单位代码", "单位名称", "上级单位"
LEGAL_ENTITY, CREDIT_CODE, ECONOMIC_CONTROL_FIELD, SIZE_FIELD, ORGAN_LEVEL_FIELD = (
    "是否法人单位", "统一社会信用代码", "经济控制类型", "企业规模", "机关层级")
UNIT_RELATION_FIELD, UNIT_OF_ORG, JOINT_UNITS = "党组织所在单位情况", "所在单位", "联合党支部覆盖的单位"

GB_32100 = "GB 32100-2015《法人和其他组织统一社会信用代码编码规则》"
# GB 32100-2015: the code character set (digits and capital letters without I, O, S, V, Z; each character's
# value is its index) and the weights of positions 1–17 for the check character (position 18):
# C18 = 31 − (Σ Ci × Wi mod 31), 31 → 0.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
SIZE_RULE = "《统计上大中小微型企业划分办法（2017）》"
ANNUAL_REPORT_24 = "党内统计年报 第二十四表"


def credit_code_check_char(first17: str) -> str:
    """The GB 32100-2015 check character (position 18) of the first 17 characters of a 统一社会信用代码.
    Raises ``ValueError`` for a character outside the code's character set."""
    total = sum(CREDIT_CODE_CHARS.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=True))
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def normalize_credit_code(value: object) -> str:
    """Upper case, no spaces (files and forms carry ``91350100 m000100y43`` as often as the printed form)."""
    return "".join(str(value or "").split()).upper()


def check_credit_code(value: str) -> list[FieldProblem]:
    """统一社会信用代码 (optional): 18 characters of the GB 32100-2015 character set (digits and capital
    letters except I, O, S, V, Z) whose 18th character is the check character of the first 17
    (``credit_code_check_char``). ``value`` is already normalised (``normalize_credit_code``)."""
    if not value:
        return []
    if len(value) != 18:
        return [FieldProblem(CREDIT_CODE, f"统一社会信用代码应为 18 位，「{value}」为 {len(value)} 位", GB_32100)]
    bad = sorted({ch for ch in value if ch not in CREDIT_CODE_CHARS})
    if bad:
        return [FieldProblem(CREDIT_CODE, f"统一社会信用代码含有不允许的字符「{''.join(bad)}」"
                                          "（只允许数字和除 I、O、S、V、Z 以外的大写字母）", GB_32100)]
    expected = credit_code_check_char(value[:17])
    if value[17] != expected:
        return [FieldProblem(CREDIT_CODE, f"统一社会信用代码「{value}」校验位错误（第 18 位应为 {expected}），请核对",
                             GB_32100)]
    return []


def check_unit_code(value: str) -> list[FieldProblem]:
    """单位代码: ``check_key``."""
    return check_key(value, UNIT_CODE)


def check_unit_name(value: str) -> list[FieldProblem]:
    """单位名称: required, at most 200 characters."""
    return check_text(value, UNIT_NAME, NAME_MAX)


def check_required_unit_category(value: str) -> list[FieldProblem]:
    """单位属性 of a unit: required, a code of ``UNIT_CATEGORY``."""
    if not value:
        return [FieldProblem(UNIT_FIELD, "必填项为空")]
    return check_unit_category(value)


def check_unit_attributes(*, unit_category: str, legal_entity: bool, credit_code: str, economic_control: str,
                          enterprise_size: str, organ_level: str) -> list[FieldProblem]:
    """The attributes that depend on the category (codes already parsed):

    - 经济控制类型 and 企业规模 are attributes of an enterprise only (第二十四表 splits 企业 by control type;
      the size classes are those of 《统计上大中小微型企业划分办法（2017）》); 机关层级 of a 机关 only;
    - a 统一社会信用代码 is issued to legal entities and other organizations (GB 32100-2015 第1章), so a unit
      carrying one must be marked 法人单位 — a unit marked 法人单位 may leave the code empty (not yet known).
    Unknown codes are named."""
    from zugong.orgs.choices import ECONOMIC_CONTROL, ENTERPRISE_SIZE, ORGAN_LEVEL

    problems: list[FieldProblem] = []
    for field, value, table in ((ECONOMIC_CONTROL_FIELD, economic_control, ECONOMIC_CONTROL),
                                (SIZE_FIELD, enterprise_size, ENTERPRISE_SIZE), (ORGAN_LEVEL_FIELD, organ_level, ORGAN_LEVEL)):
        if value and value not in table.entries:
            problems.append(FieldProblem(field, f"无法识别的{field}「{value}」（应为 {'/'.join(table.entries.values())}）"))
    if unit_category != "enterprise":
        if economic_control:
            problems.append(FieldProblem(ECONOMIC_CONTROL_FIELD, "只有企业填写经济控制类型", ANNUAL_REPORT_24))
        if enterprise_size:
            problems.append(FieldProblem(SIZE_FIELD, "只有企业填写企业规模", SIZE_RULE))
    if unit_category != "government_organ" and organ_level:
        problems.append(FieldProblem(ORGAN_LEVEL_FIELD, "只有机关填写机关层级", ANNUAL_REPORT_24))
    if credit_code and not legal_entity:
        problems.append(FieldProblem(LEGAL_ENTITY, "填写了统一社会信用代码的单位应为法人单位", GB_32100))
    return problems


def check_unit_relation(*, relation: str, org_type: str, has_parent: bool, unit_legal_entity: bool | None,
                        unit_active: bool | None, joint_count: int) -> list[FieldProblem]:
    """党组织所在单位情况 (``relation``, a code of ``orgs.choices.UNIT_RELATION`` or ``""`` = not recorded)
    and the units it names:

    - ``legal_entity_unit`` (法人单位): one unit (``unit_legal_entity`` is its 法人单位 flag, ``None`` when
      no unit is given), which is a legal entity and not dissolved; no joint units;
    - ``same_as_parent`` (与上级党组织相同): the organization has a superior; no unit of its own;
    - ``joint`` (联合党支部): only for a 联合党支部, which covers at least two units (the units of a joint
      branch are each too small to set up a branch alone — 《中国共产党支部工作条例（试行）》第二章);
    - ``""``: no unit and no joint units."""
    from zugong.orgs.choices import UNIT_RELATION

    problems: list[FieldProblem] = []
    if relation and relation not in UNIT_RELATION.entries:
        return [FieldProblem(UNIT_RELATION_FIELD, f"无法识别的党组织所在单位情况「{relation}」"
                                                  f"（应为 {'/'.join(UNIT_RELATION.entries.values())}）")]
    if relation == "legal_entity_unit":
        if unit_legal_entity is None:
            problems.append(FieldProblem(UNIT_OF_ORG, "党组织所在单位情况为「法人单位」时必须指定所在单位"))
        elif not unit_legal_entity:
            problems.append(FieldProblem(UNIT_OF_ORG, "所选单位不是法人单位"))
        elif unit_active is False:
            problems.append(FieldProblem(UNIT_OF_ORG, "所选单位已撤销"))
    elif unit_legal_entity is not None:
        problems.append(FieldProblem(UNIT_OF_ORG, "只有党组织所在单位情况为「法人单位」时才指定所在单位"
                                                  "（联合党支部请指定覆盖的单位）"))
    if relation == "same_as_parent" and not has_parent:
        problems.append(FieldProblem(UNIT_RELATION_FIELD, "顶级组织没有上级党组织，不能选「与上级党组织相同」"))
    if relation == "joint":
        if org_type != "joint_branch":
            problems.append(FieldProblem(UNIT_RELATION_FIELD, "只有联合党支部的所在单位情况可以是「联合党支部」",
                                         BRANCH_REGULATION))
        if joint_count < 2:
            problems.append(FieldProblem(JOINT_UNITS, f"联合党支部应覆盖至少 2 个单位（现为 {joint_count} 个）",
                                         BRANCH_REGULATION))
    elif joint_count:
        problems.append(FieldProblem(JOINT_UNITS, "只有党组织所在单位情况为「联合党支部」时才指定覆盖的单位"))
    return problems
