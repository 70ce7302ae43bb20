"""What the imports read about a member's history and 年报 attributes (issue #10, item 3 and item 4): the
value tables of the 进入类型 / 离开类型 / 变动类型 columns, 延长预备期时间, 专业技术职务, 一线类别, and the
sector (公有制 / 非公有制) an organization's unit gives a 工作岗位 that does not say it.

Used by the 党员花名册 import (``party.importers``: 进入类型, 进入日期, 离开类型, 离开日期, 出党方式, 延长预备期时间,
台湾省籍, 专业技术职务, 一线类别) and by the change ledger (``party.ledger``: 变动类型, 出党方式, 延长预备期时间,
转正情况). Pure parsing, except ``organization_ownership`` (a few queries).

Values (each table a ``core.codes.CodeTable`` whose codes are ``kind`` or ``kind:detail`` of
``MembershipEvent``; ``parse_kind`` splits them):

- 进入类型 (``ENTRY_KIND``, the national system's 进入支部类型 / 进入当前支部类型 and its values 新发展,
  组织关系恢复, 组织关系转入): 发展党员, 重新入党, 恢复党籍, 停止党籍后恢复党籍, 转入组织关系, 整建制转入.
- 离开类型 (``EXIT_KIND_TEXT``, 转离支部类型 / 党员减少信息): each 出党方式 of 第十表 itself (开除党籍, 退党除名,
  劝退, 劝而不退除名, 自行脱党除名, 取消预备党员资格, 不予承认), or 出党 with the kind in 出党方式, 停止党籍, 死亡,
  转出组织关系, 整建制转出.
- 变动类型 of the change ledger (``CHANGE_KIND``): all of the above, 组织关系转接 (整建制转接), 转正 (with
  转正情况) and the 转正 outcomes themselves (按期转正, 延长预备期, 延长预备期后转正, 推迟讨论, 推迟讨论后转正).
- 延长预备期时间 (``parse_extension_months``): ``6个月``, ``12个月``, ``半年``, ``一年``, ``六个月``, or a number
  of months (the range, 6–12 months, is ``lifecycle.extension_bounds``: 《党章》第七条, 《发展党员工作细则》
  第三十二条).
- 专业技术职务 (``parse_title_level``): 高级 / 中级 / 初级 (``core.codes.TITLE_LEVEL``, also 正高级, 副高级 …) or a
  title name (高级工程师, 教授, 副主任医师 → 高级; 工程师, 讲师, 主治医师 → 中级; 助理工程师, 技术员, 医师 → 初级);
  无 / 未评 → none.
- 一线类别 (``parse_front_line_kind``): 企业生产 / 农村生产 / 教学科研 / 其他一线, also written 在企业生产一线,
  企业生产第一线 ….

Sector (``organization_ownership``): the unit of the organization (its own legal-entity unit, or the nearest
ancestor's for 与上级党组织相同, or its joint units when they agree): an enterprise of 国有经济控制 or 集体经济控制
→ 公有制, 非公有经济控制 → 非公有制; a 机关 or 事业单位 → 公有制 (年报 第二表: 在岗职工 are counted by the
ownership of their unit). An organization with no unit link falls back to its own 单位属性 (机关 / 事业单位 →
公有制). Anything else (街道, 乡镇, 社区, 行政村 …) is unknown (``""``): the quality report flags the member.
The rule is ``party.occupations.organization_ownerships``, the same as the member forms'.
"""

from __future__ import annotations

import re

from zugong.core.codes import CodeTable, normalize_text, title_level_parse
from zugong.party.choices import EXIT_KIND, FRONT_LINE_KIND, FULL_MEMBERSHIP_OUTCOME

# --- kinds -----------------------------------------------------------------------------------------------

ENTRY_KIND = CodeTable(
    "进入类型",
    {
        "admission": "发展党员",
        "admission:readmission": "重新入党",
        "reinstatement": "恢复党籍",
        "reinstatement:after_suspension": "停止党籍后恢复党籍",
        "transfer_in": "转入组织关系",
        "transfer_in:whole_unit": "整建制转入",
    },
    aliases={
        # the national system's 进入支部类型 values and the usual short forms
        "新发展": "admission", "新发展党员": "admission", "发展": "admission", "新入党": "admission",
        "接收预备党员": "admission", "吸收预备党员": "admission", "发展入党": "admission", "新吸收": "admission",
        "重新入党（出党后）": "admission:readmission",
        "组织关系恢复": "reinstatement", "恢复": "reinstatement", "党籍恢复": "reinstatement",
        "恢复党籍（复查）": "reinstatement",
        "停止党籍后恢复": "reinstatement:after_suspension", "停止党籍后恢复党籍（复查）": "reinstatement:after_suspension",
        "恢复停止的党籍": "reinstatement:after_suspension",
        "转入": "transfer_in", "组织关系转入": "transfer_in", "转入党员": "transfer_in", "外单位转入": "transfer_in",
        "从外单位转入": "transfer_in", "外地转入": "transfer_in", "从系统外转入": "transfer_in", "调入": "transfer_in",
        "整建制转入组织关系": "transfer_in:whole_unit", "整建制调入": "transfer_in:whole_unit",
    },
)
"""进入类型: how a member entered the organization (``MembershipEvent`` increase ``kind:detail``)."""

_EXIT_WAYS = {code: f"exit:{code}" for code in EXIT_KIND.entries}
EXIT_KIND_TEXT = CodeTable(
    "离开类型",
    {
        "exit": "出党",
        **{f"exit:{code}": label for code, label in EXIT_KIND.entries.items()},
        "suspension": "停止党籍",
        "death": "死亡",
        "transfer_out": "转出组织关系",
        "transfer_out:whole_unit": "整建制转出",
    },
    aliases={
        **{alias: f"exit:{code}" for alias, code in EXIT_KIND.aliases.items()},
        "已出党": "exit", "出党（见出党方式）": "exit",
        "停止": "suspension", "停止党籍（停党）": "suspension",
        "去世": "death", "逝世": "death", "病故": "death", "亡故": "death", "因病去世": "death", "死亡（去世）": "death",
        "转出": "transfer_out", "组织关系转出": "transfer_out", "已转出": "transfer_out", "调出": "transfer_out",
        "转往系统外": "transfer_out", "转出本系统": "transfer_out",
        "整建制转出组织关系": "transfer_out:whole_unit", "整建制调出": "transfer_out:whole_unit",
    },
)
"""离开类型: how a member left (``MembershipEvent`` decrease ``kind:detail``; ``exit`` alone needs 出党方式)."""

CHANGE_KIND = CodeTable(
    "变动类型",
    {
        **ENTRY_KIND.entries,
        **EXIT_KIND_TEXT.entries,
        "transfer": "组织关系转接",
        "transfer:whole_unit": "整建制转接",
        "full_membership": "转正",
        **{f"full_membership:{code}": label for code, label in FULL_MEMBERSHIP_OUTCOME.entries.items()},
    },
    aliases={
        **ENTRY_KIND.aliases,
        **EXIT_KIND_TEXT.aliases,
        "转接": "transfer", "系统内转接": "transfer", "内部转接": "transfer", "组织关系调整": "transfer",
        "转为正式党员": "full_membership", "预备党员转正": "full_membership",
        **{alias: f"full_membership:{code}" for alias, code in FULL_MEMBERSHIP_OUTCOME.aliases.items()
           if alias not in ("转正", "转为正式党员")},
        "延长预备期（延期）": "full_membership:extended",
    },
)
"""变动类型 of the change ledger: every ``EVENT_KIND`` with its detail."""


def parse_kind(table: CodeTable, value: object) -> tuple[str, str] | None:
    """``(kind, detail)`` of a 进入类型 / 离开类型 / 变动类型 cell read with ``table`` (``ENTRY_KIND``,
    ``EXIT_KIND_TEXT``, ``CHANGE_KIND``); ``None`` if unknown or empty."""
    code = table.parse(_compact(value))
    if code is None:
        code = table.parse(value)
    if code is None:
        return None
    kind, _, detail = code.partition(":")
    return kind, detail


def kind_hint(table: CodeTable) -> str:
    """「应为 发展党员、重新入党 …」: the accepted names of ``table``, for error messages."""
    return "应为 " + "、".join(table.entries.values())


def _compact(value: object) -> str:
    return "".join(normalize_text(value).split())


# --- 延长预备期时间 ---------------------------------------------------------------------------------------

_CN_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
               "十一": 11, "十二": 12}
_MONTHS = re.compile(r"^(\d{1,2}|[一二两三四五六七八九十]{1,3})(?:个)?月?$")
_YEARS = {"半年": 6, "一年": 12, "1年": 12, "0.5年": 6, "半": 6}


def parse_extension_months(value: object) -> int | None:
    """Months of a 延长预备期时间 cell: ``6个月`` → 6, ``12个月`` → 12, ``半年`` → 6, ``一年`` → 12, ``六个月`` → 6,
    ``6`` / ``6.0`` → 6. ``None`` when the text is not a length (the caller reports it); ``0`` for an empty
    cell or ``无``/``否`` (no extension). The range is not checked here (``lifecycle.extension_bounds``)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return int(value) if float(value).is_integer() and value >= 0 else None
    text = _compact(value)
    if text in ("", "无", "否", "未延长", "-", "—", "/"):
        return 0
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if text in _YEARS:
        return _YEARS[text]
    match = _MONTHS.match(text)
    if not match:
        return None
    number = match.group(1)
    return int(number) if number.isdigit() else _CN_NUMBERS.get(number)


# --- 专业技术职务 -----------------------------------------------------------------------------------------

NO_TITLE = frozenset({"无", "没有", "暂无", "未评", "未定级", "否", "-", "—", "/", "无职称"})


def parse_title_level(value: object) -> str | None:
    """专业技术职务等级 code (``senior`` / ``intermediate`` / ``junior``) of a cell, ``""`` for an empty cell or
    无 / 未评 (none), ``None`` if unknown: ``core.codes.title_level_parse`` (the levels and the title names,
    as the person form reads them), also with a 职称 / 职务 suffix (中级职称) and a 「高级」/「中级」/「初级」
    inside the text."""
    text = _compact(value)
    if not text or text in NO_TITLE:
        return ""
    code = title_level_parse(text)
    if code is not None:
        return code
    for suffix in ("专业技术职务", "职称", "职务"):
        if text.endswith(suffix) and len(text) > len(suffix):
            found = parse_title_level(text[: -len(suffix)])
            if found:
                return found
    if "高级" in text:
        return "senior"
    if "中级" in text:
        return "intermediate"
    if "初级" in text or "员级" in text:
        return "junior"
    return None


# --- 一线类别 ---------------------------------------------------------------------------------------------

_FRONT_WORDS = (("企业", "enterprise_production"), ("工厂", "enterprise_production"), ("农村", "rural_production"),
                ("农业", "rural_production"), ("教学", "teaching_research"), ("科研", "teaching_research"),
                ("其他", "other"), ("其它", "other"))


def parse_front_line_kind(value: object) -> str | None:
    """一线类别 code (``FRONT_LINE_KIND``) of a cell: 企业生产 / 农村生产 / 教学科研 / 其他一线, also written
    在企业生产一线, 企业生产第一线, 教学、科研一线; ``""`` for an empty cell or 否 / 不在一线; ``None`` if unknown."""
    text = _compact(value)
    if not text or text in ("否", "无", "不在一线", "非一线", "-", "—", "/"):
        return ""
    code = FRONT_LINE_KIND.parse(text)
    if code is not None:
        return code
    core = text.removeprefix("在").replace("第一线", "").replace("一线", "").replace("、", "")
    core = core.replace("生产工作", "").replace("工作", "") or text
    code = FRONT_LINE_KIND.parse(core)
    if code is not None:
        return code
    for word, code in _FRONT_WORDS:
        if word in core:
            return code
    return None


# --- the sector of an organization's unit ------------------------------------------------------------------

NEEDS_OWNERSHIP_DETAILS = frozenset({"enterprise_manager", "enterprise_professional", "skilled_worker"})
"""年报 rows counted under 公有制 or 非公有制 by the unit's ownership (企业 rows and 工勤技能人员)."""


def needs_ownership(occupation: str, detail: str) -> bool:
    """Whether a 工作岗位 goes by the unit's ownership (企业 rows, 工勤技能人员, the coarse 工人（工勤技能人员）)."""
    return detail in NEEDS_OWNERSHIP_DETAILS or (occupation == "worker" and not detail)


def organization_ownership(org_ids) -> dict[int, str]:
    """``{organization id: "public" | "non_public" | ""}``: the sector the unit of each organization gives —
    ``party.occupations.organization_ownerships``, the rule the member forms use."""
    from zugong.party.occupations import organization_ownerships

    return organization_ownerships(int(pk) for pk in org_ids)
