"""Code tables of the member lifecycle (issue #10): membership events, transfers, member statuses
(流动党员, 失联党员, 出国（境）) and the 党内统计年报 attributes of a member's 工作岗位.

Labels are the 党内统计年报's wording (``shared/annual-report.md``); identifiers follow
``shared/glossary.md`` ("Member lifecycle and the annual report").

- ``EVENT_KIND``: what a ``MembershipEvent`` records. Increases (增加): ``admission`` 发展党员,
  ``reinstatement`` 恢复党籍, ``transfer_in`` 转入组织关系 (from outside Zugong). Decreases (减少): ``exit``
  出党, ``suspension`` 停止党籍, ``death`` 死亡, ``transfer_out`` 转出组织关系 (to outside Zugong).
  ``transfer``: 组织关系转接 between two organizations held in Zugong (for a subtree it is an increase, a
  decrease or nothing, by which side lies in the subtree). ``full_membership``: a 转正 decision (no change
  of the count).
- ``EVENT_DETAIL``: the 其中 / kind of an event, by ``EVENT_KIND`` (``DETAILS_OF_KIND``): ``readmission``
  重新入党 (admission); ``after_suspension`` 停止党籍后恢复党籍 (reinstatement); ``whole_unit`` 整建制
  (transfer, transfer_in, transfer_out); the 第十表 出党 kinds (exit: ``EXIT_KIND``); the 转正 outcomes
  (full_membership: ``FULL_MEMBERSHIP_OUTCOME``).
"""

from __future__ import annotations

from zugong.core.codes import TITLE_LEVEL as _TITLE_LEVEL
from zugong.core.codes import CodeTable

INCREASE_KINDS = ("admission", "reinstatement", "transfer_in")
DECREASE_KINDS = ("exit", "suspension", "death", "transfer_out")

EVENT_KIND = CodeTable(
    "变动类型",
    {
        "admission": "发展党员",
        "reinstatement": "恢复党籍",
        "transfer_in": "转入组织关系",
        "exit": "出党",
        "suspension": "停止党籍",
        "death": "死亡",
        "transfer_out": "转出组织关系",
        "transfer": "组织关系转接",
        "full_membership": "转正",
    },
    aliases={"发展": "admission", "接收预备党员": "admission", "恢复": "reinstatement", "转入": "transfer_in",
             "停止": "suspension", "去世": "death", "逝世": "death", "病故": "death", "转出": "transfer_out",
             "转接": "transfer", "调整": "transfer", "内部转接": "transfer"},
)

# 第十表 党员出党情况（一）: the columns, in the printed order.
EXIT_KIND = CodeTable(
    "出党方式",
    {
        "expelled": "开除党籍",
        "withdrawn_removed": "退党除名",
        "persuaded_to_leave": "劝退",
        "removed_after_persuasion": "劝而不退除名",
        "lapsed_removed": "自行脱党除名",
        "probation_cancelled": "取消预备党员资格",
        "not_recognized": "不予承认",
    },
    aliases={"开除": "expelled", "退党": "withdrawn_removed", "除名": "lapsed_removed", "自行脱党": "lapsed_removed",
             "取消预备资格": "probation_cancelled", "不承认党员身份": "not_recognized"},
)

# 转正 decisions (第十五表 预备党员转正情况).
FULL_MEMBERSHIP_OUTCOME = CodeTable(
    "转正情况",
    {
        "on_time": "按期转正",
        "after_extension": "延长预备期后转正",
        "after_postponement": "推迟讨论后转正",
        "extended": "延长预备期",
        "postponed": "推迟讨论",
    },
    aliases={"转正": "on_time", "按期": "on_time", "转为正式党员": "on_time", "延长预备期转正": "after_extension",
             "推迟讨论转正": "after_postponement", "延期": "extended", "延长": "extended"},
)
FULL_OUTCOMES = ("on_time", "after_extension", "after_postponement")
"""Outcomes that make the member a full member on the event's date."""

EVENT_DETAIL = CodeTable(
    "变动情形",
    {
        "readmission": "重新入党",
        "after_suspension": "停止党籍后恢复党籍",
        "whole_unit": "整建制",
        **EXIT_KIND.entries,
        **FULL_MEMBERSHIP_OUTCOME.entries,
    },
    aliases={**EXIT_KIND.aliases, **FULL_MEMBERSHIP_OUTCOME.aliases, "整建制转入": "whole_unit",
             "整建制转出": "whole_unit"},
)
DETAILS_OF_KIND: dict[str, tuple[str, ...]] = {
    "admission": ("", "readmission"),
    "reinstatement": ("", "after_suspension"),
    "transfer_in": ("", "whole_unit"),
    "transfer_out": ("", "whole_unit"),
    "transfer": ("", "whole_unit"),
    "exit": tuple(EXIT_KIND.entries),
    "suspension": ("",),
    "death": ("",),
    "full_membership": tuple(FULL_MEMBERSHIP_OUTCOME.entries),
}
"""The ``detail`` values each ``kind`` allows (``""`` = none); ``MembershipEvent`` enforces it."""

# 第十一表 党员出党情况（二）: the reason category of an 出党 — the table's rows (its columns are the 出党方式 of
# 第十表). Rows as printed: 总计; 违纪行为: 违反政治纪律, 违反组织纪律 (其中: 违反干部选拔任用规定), 违反廉洁纪律,
# 违反群众纪律, 违反工作纪律, 违反生活纪律 (the six kinds of 《中国共产党纪律处分条例》); 具体表现: 理想信念缺失,
# 政治立场动摇, 宗旨观念淡薄, 工作消极懈怠, 组织纪律散漫, 道德行为不端 (the 不合格党员 situations); 其他.
# Source: a public implementation of the 2017 年报 table set (its sheet 党员出党情况（二）, rows and columns as
# above), consistent with the 2012 年报说明 (第十一表 asks for a list of those who left for 违反干部选拔任用规定).
# One category per 出党; ``cadre_selection`` is the 其中 row and counts in 违反组织纪律 too
# (``EXIT_REASON_PARENT``).
EXIT_REASON = CodeTable(
    "出党原因",
    {
        "political": "违反政治纪律",
        "organizational": "违反组织纪律",
        "cadre_selection": "违反干部选拔任用规定",
        "integrity": "违反廉洁纪律",
        "mass": "违反群众纪律",
        "work": "违反工作纪律",
        "life": "违反生活纪律",
        "ideals_lacking": "理想信念缺失",
        "political_stance": "政治立场动摇",
        "purpose_weak": "宗旨观念淡薄",
        "work_slack": "工作消极懈怠",
        "discipline_lax": "组织纪律散漫",
        "misconduct": "道德行为不端",
        "other": "其他",
    },
    aliases={"政治纪律": "political", "组织纪律": "organizational", "廉洁纪律": "integrity", "群众纪律": "mass",
             "工作纪律": "work", "生活纪律": "life", "干部选拔任用": "cadre_selection", "理想信念动摇": "ideals_lacking",
             "理想信念淡薄": "ideals_lacking", "长期不参加组织生活": "discipline_lax", "不交党费": "discipline_lax",
             "违法犯罪": "other"},
)
EXIT_REASON_GROUPS: dict[str, tuple[str, ...]] = {
    "违纪行为": ("political", "organizational", "integrity", "mass", "work", "life"),
    "具体表现": ("ideals_lacking", "political_stance", "purpose_weak", "work_slack", "discipline_lax", "misconduct"),
}
"""The two row groups of 第十一表 (``other`` stands alone; ``cadre_selection`` lies in ``organizational``)."""
EXIT_REASON_PARENT = {"cadre_selection": "organizational"}
"""A 其中 category → the row that includes it (a 违反干部选拔任用规定 exit is also one of 违反组织纪律)."""

TRANSFER_DIRECTION = CodeTable(
    "转接方向",
    {"internal": "系统内转接", "out": "转出本系统", "in": "从系统外转入"},
)
TRANSFER_STATE = CodeTable(
    "转接状态",
    {"pending": "待接收", "accepted": "已接收", "returned": "已退回", "cancelled": "已撤回", "issued": "已开具介绍信"},
)

# Member statuses: 流动党员 (第三十三表), 失联党员 (第四十三表), 出国（境）.
STATUS_KIND = CodeTable(
    "党员状态",
    {"mobile": "流动党员", "lost_contact": "失联党员", "abroad": "出国（境）"},
    aliases={"流出党员": "mobile", "失去联系党员": "lost_contact", "出国": "abroad", "出境": "abroad"},
)
FLOW_SCOPE = CodeTable(
    "流动范围",
    {"cross_province": "跨省流动", "cross_city": "省内跨市（地）流动", "within_city": "市（地）内流动"},
    aliases={"跨省": "cross_province", "省内跨市": "cross_city", "省内跨市（地）": "cross_city", "市内": "within_city"},
)
# 第三十三表 外出流向 rows.
FLOW_DESTINATION = CodeTable(
    "外出流向",
    {
        "public_organ": "公有经济控制单位·机关",
        "public_institution": "公有经济控制单位·事业单位",
        "public_talent_center": "公有经济控制单位·人才(劳动)服务中心",
        "public_hk_macao_taiwan": "公有经济控制单位·港澳台商投资企业",
        "public_foreign": "公有经济控制单位·外商投资企业",
        "nonpublic_nonprofit": "非公有经济控制单位·民办非企业单位",
        "nonpublic_private": "非公有经济控制单位·私营企业",
        "nonpublic_hk_macao_taiwan": "非公有经济控制单位·港澳台商投资企业",
        "nonpublic_foreign": "非公有经济控制单位·外商投资企业",
        "individual_business": "个体工商户",
        "urban_community": "城市社区（居委会）",
        "township_community": "乡镇社区（居委会）",
        "village": "建制村",
        "other": "其他",
        "unknown": "不掌握流向",
    },
    aliases={"私营企业": "nonpublic_private", "个体": "individual_business", "城市社区": "urban_community",
             "乡镇社区": "township_community", "行政村": "village", "不详": "unknown", "不掌握": "unknown"},
)
# 第三十三表 原职业 columns.
MOBILE_ORIGINAL_OCCUPATION = CodeTable(
    "原职业",
    {
        "public_staff": "公有经济企事业单位管理人员专业技术人员",
        "skilled_worker": "工勤技能人员",
        "farmer": "农牧渔民",
        "unemployed_graduate": "未就业的高校毕业生",
        "intermediary": "中介组织从业人员",
        "lawyer": "执业律师",
        "accountant": "会计师",
        "other": "其他",
    },
    aliases={"农民": "farmer", "律师": "lawyer", "未就业高校毕业生": "unemployed_graduate"},
)
# 第四十三表 失去联系具体情形.
LOST_CONTACT_SITUATION = CodeTable(
    "失去联系情形",
    {
        "migrant_work": "外出务工经商",
        "restructuring": "单位改制或破产",
        "graduate_unknown": "毕业后去向不明",
        "job_change": "工作单位改变",
        "abroad": "出国（境）",
        "residence_change": "居住地改变",
        "other": "其他",
    },
    aliases={"外出务工": "migrant_work", "改制": "restructuring", "破产": "restructuring", "出国": "abroad"},
)

# 工作岗位 of the 年报: the sector (公有制单位 / 非公有制单位) of 在岗职工, and 生产、工作第一线 kinds.
OWNERSHIP = CodeTable(
    "单位所有制",
    {"public": "公有制单位", "non_public": "非公有制单位"},
    aliases={"公有制": "public", "公有": "public", "国有": "public", "非公有制": "non_public", "非公有": "non_public",
             "非公": "non_public"},
)
FRONT_LINE_KIND = CodeTable(
    "一线类别",
    {"enterprise_production": "企业生产", "rural_production": "农村生产", "teaching_research": "教学科研",
     "other": "其他一线"},
)
TITLE_LEVEL = _TITLE_LEVEL  # core.codes (a person attribute, used by people.models)
