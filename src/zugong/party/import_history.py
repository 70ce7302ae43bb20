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
→ 公有制, 非公有经济控制 → 非公有制; a 机关, 事业单位, 街道 or 乡镇 → 公有制 (年报 第二表: 在岗职工 are counted by
the ownership of their unit). An organization with no unit link falls back to its own 单位属性 (机关 / 事业单位
/ 街道 / 乡镇 → 公有制). Anything else is unknown (``""``): the quality report flags the member.
"""

from __future__ import annotations

import re
from collections import defaultdict

from zugong.core.codes import TITLE_LEVEL, CodeTable, normalize_text
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

TITLE_NAMES: dict[str, str] = {
    # 高级 (正高级 and 副高级)
    "教授": "senior", "副教授": "senior", "研究员": "senior", "副研究员": "senior", "主任医师": "senior",
    "副主任医师": "senior", "主任药师": "senior", "副主任药师": "senior", "主任护师": "senior", "副主任护师": "senior",
    "主任技师": "senior", "副主任技师": "senior", "编审": "senior", "副编审": "senior", "译审": "senior",
    "副译审": "senior", "主任记者": "senior", "正高级教师": "senior", "教授级高级工程师": "senior",
    "正高级工程师": "senior", "正高级会计师": "senior", "正高级经济师": "senior", "研究馆员": "senior",
    "副研究馆员": "senior", "农业技术推广研究员": "senior",
    # 中级
    "讲师": "intermediate", "工程师": "intermediate", "助理研究员": "intermediate", "主治医师": "intermediate",
    "主管药师": "intermediate", "主管护师": "intermediate", "主管技师": "intermediate", "会计师": "intermediate",
    "经济师": "intermediate", "统计师": "intermediate", "审计师": "intermediate", "编辑": "intermediate",
    "记者": "intermediate", "翻译": "intermediate", "一级教师": "intermediate", "农艺师": "intermediate",
    "畜牧师": "intermediate", "兽医师": "intermediate", "馆员": "intermediate", "律师": "intermediate",
    "一级律师": "senior", "二级律师": "senior", "三级律师": "intermediate", "四级律师": "junior",
    # 初级
    "助教": "junior", "助理工程师": "junior", "技术员": "junior", "医师": "junior", "住院医师": "junior",
    "药师": "junior", "药士": "junior", "护师": "junior", "护士": "junior", "技师": "junior", "技士": "junior",
    "助理会计师": "junior", "会计员": "junior", "助理经济师": "junior", "经济员": "junior", "助理统计师": "junior",
    "统计员": "junior", "二级教师": "junior", "三级教师": "junior", "研究实习员": "junior", "助理编辑": "junior",
    "助理记者": "junior", "助理翻译": "junior", "助理农艺师": "junior", "农业技术员": "junior", "助理馆员": "junior",
    "管理员": "junior", "审计员": "junior", "助理审计师": "junior",
}
"""Title names (专业技术职务名称, the 职称 series of 人社部) → 专业技术职务等级 (年报 第二表 补充资料)."""

NO_TITLE = frozenset({"无", "没有", "暂无", "未评", "未定级", "否", "-", "—", "/", "无职称"})


def parse_title_level(value: object) -> str | None:
    """专业技术职务等级 code (``senior`` / ``intermediate`` / ``junior``) of a cell, ``""`` for an empty cell or
    无 / 未评 (none), ``None`` if unknown. Accepts the levels (高级, 中级, 初级, 正高级, 副高级 …), a 「高级」/
    「中级」/「初级」 inside the text (高级工程师, 中级职称), and title names (``TITLE_NAMES``)."""
    text = _compact(value)
    if not text or text in NO_TITLE:
        return ""
    code = TITLE_LEVEL.parse(text)
    if code is not None:
        return code
    if text in TITLE_NAMES:
        return TITLE_NAMES[text]
    for suffix in ("职称", "职务", "专业技术职务"):
        if text.endswith(suffix) and len(text) > len(suffix):
            found = parse_title_level(text[: -len(suffix)])
            if found:
                return found
    if text.startswith(("正高", "副高")) or "高级" in text:
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

PUBLIC_UNIT_CATEGORIES = ("government_organ", "public_institution", "subdistrict", "township")
"""单位属性 whose staff count as 公有制单位 (机关, 事业单位, 街道, 乡镇)."""
OWNERSHIP_OF_CONTROL = {"state_controlled": "public", "collective_controlled": "public",
                        "non_public_controlled": "non_public"}
"""企业 经济控制类型 → 单位所有制: 国有/集体经济控制 → 公有制, 非公有经济控制 → 非公有制 (年报 第二表, 第二十四表)."""

NEEDS_OWNERSHIP_DETAILS = frozenset({"enterprise_manager", "enterprise_professional", "skilled_worker"})
"""年报 rows counted under 公有制 or 非公有制 by the unit's ownership (企业 rows and 工勤技能人员)."""


def needs_ownership(occupation: str, detail: str) -> bool:
    """Whether a 工作岗位 goes by the unit's ownership (企业 rows, 工勤技能人员, the coarse 工人（工勤技能人员）)."""
    return detail in NEEDS_OWNERSHIP_DETAILS or (occupation == "worker" and not detail)


def unit_ownership(unit_category: str, economic_control: str) -> str:
    """``public`` / ``non_public`` / ``""`` of a unit from its 单位属性 and 经济控制类型."""
    if unit_category == "enterprise":
        return OWNERSHIP_OF_CONTROL.get(economic_control or "", "")
    return "public" if unit_category in PUBLIC_UNIT_CATEGORIES else ""


def organization_ownership(org_ids) -> dict[int, str]:
    """``{organization id: "public" | "non_public" | ""}``: the ownership the unit of each organization gives
    (see the module docstring). Unscoped reads of the organizations' unit links (the caller has the
    organizations in scope; the result says nothing but the sector). At most five queries."""
    from zugong.orgs.models import PartyOrganization, Unit

    ids = sorted({int(pk) for pk in org_ids})
    if not ids:
        return {}
    steplen = PartyOrganization.steplen
    orgs = {pk: (path, relation, unit_id, category) for pk, path, relation, unit_id, category in
            PartyOrganization.objects.filter(pk__in=ids).values_list("pk", "path", "unit_relation", "unit_id",
                                                                     "unit_category")}
    # 与上级党组织相同: the nearest ancestor with a unit of its own
    wanted = {path[:k] for path, relation, _, _ in orgs.values() if relation == "same_as_parent"
              for k in range(steplen, len(path), steplen)}
    ancestors = {}
    if wanted:
        ancestors = {path: (pk, relation, unit_id) for pk, path, relation, unit_id in
                     PartyOrganization.objects.filter(path__in=sorted(wanted))
                     .exclude(unit_relation__in=("", "same_as_parent"))
                     .values_list("pk", "path", "unit_relation", "unit_id")}
    source: dict[int, tuple[int, str, int | None]] = {}  # org → (org holding the unit, relation, unit)
    for pk, (path, relation, unit_id, _) in orgs.items():
        if relation == "same_as_parent":
            for k in range(len(path) - steplen, 0, -steplen):
                found = ancestors.get(path[:k])
                if found is not None:
                    source[pk] = found
                    break
        elif relation or unit_id:
            source[pk] = (pk, relation, unit_id)
    joint_ids = {holder for holder, relation, _ in source.values() if relation == "joint"}
    joint: dict[int, list[int]] = defaultdict(list)
    if joint_ids:
        through = PartyOrganization.joint_units.through
        for org_id, unit_id in through.objects.filter(partyorganization_id__in=sorted(joint_ids)).values_list(
                "partyorganization_id", "unit_id"):
            joint[org_id].append(unit_id)
    unit_ids = {unit_id for _, relation, unit_id in source.values() if relation != "joint" and unit_id}
    unit_ids |= {u for units in joint.values() for u in units}
    units = {pk: unit_ownership(category, control) for pk, category, control in
             Unit.objects.filter(pk__in=sorted(unit_ids)).values_list("pk", "unit_category", "economic_control")}
    result: dict[int, str] = {}
    for pk, (_, _, _, own_category) in orgs.items():
        found = source.get(pk)
        value = ""
        if found is not None:
            holder, relation, unit_id = found
            if relation == "joint":
                values = {units.get(u, "") for u in joint.get(holder, ())}
                value = values.pop() if len(values) == 1 else ""
            elif unit_id:
                value = units.get(unit_id, "")
        if not value and found is None:
            value = "public" if own_category in PUBLIC_UNIT_CATEGORIES else ""
        result[pk] = value
    return result
