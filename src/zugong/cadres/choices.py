"""Code tables of cadre work (干部工作, issue #12). Sources: ``shared/rules.md`` §4–§8.

- ``POST_LEVEL``: 职务级别, GB/T 12407-2008 (3-digit codes) [K]; ``LEVEL_ORDER`` ranks them (higher first).
- ``RANK``: 职级 of civil servants, 《公务员职务与职级并行规定》(2019) 第八条 [K]; ``RANK_LEVEL`` the post level
  each rank is equivalent to (used by structure analysis and eligibility).
- ``ESTABLISHMENT_TYPE``: 编制类型 (glossary).
- ``DEGREE``: 学位 level, GB/T 6864-2003 first digit [K]; free-text degrees (``工学硕士``) are read by
  ``degree_of_text``.
- ``CADRE_STATUS``, ``EDUCATION_CATEGORY`` (全日制/在职), ``APPOINTMENT_METHOD``, ``ASSESSMENT_GRADE``
  (glossary: excellent/competent/basically_competent/incompetent), ``RESERVE_LIST`` (glossary:
  ready_now/rotation/long_term), ``RESERVE_EXIT``, ``SUPERVISION_KIND`` (the kinds of rules.md §4 that ban
  promotion), ``DOSSIER_PROBLEM`` (the six problem types, rules.md §6), ``DOSSIER_CHECK`` (the automatic
  checks), ``FINDING_STATUS``.
"""

from __future__ import annotations

import re

from zugong.core.codes import CodeTable

POST_LEVEL = CodeTable(
    "职务级别",
    {
        "101": "国家级正职", "102": "国家级副职",
        "111": "省部级正职", "112": "省部级副职",
        "121": "厅局级正职", "122": "厅局级副职",
        "131": "县处级正职", "132": "县处级副职",
        "141": "乡科级正职", "142": "乡科级副职",
        "150": "科员级", "160": "办事员级", "199": "未定职级",
    },
    aliases={
        "正部": "111", "正部级": "111", "副部": "112", "副部级": "112", "省部级": "111",
        "正厅": "121", "正厅级": "121", "副厅": "122", "副厅级": "122", "正局": "121", "副局": "122",
        "正处": "131", "正处级": "131", "副处": "132", "副处级": "132", "正县": "131", "副县": "132",
        "正县级": "131", "副县级": "132",
        "正科": "141", "正科级": "141", "副科": "142", "副科级": "142", "正乡": "141", "副乡": "142",
        "科员": "150", "办事员": "160",
    },
    labels={"111": "正部级", "112": "副部级", "121": "正厅级", "122": "副厅级", "131": "正处级",
            "132": "副处级", "141": "正科级", "142": "副科级"},
)
# higher level first; a smaller index is a higher level
LEVEL_ORDER = ("101", "102", "111", "112", "121", "122", "131", "132", "141", "142", "150", "160", "199")
LEADERSHIP_LEVELS = ("111", "112", "121", "122", "131", "132", "141", "142")

RANK = CodeTable(
    "职级",
    {
        "inspector_1": "一级巡视员", "inspector_2": "二级巡视员",
        "researcher_1": "一级调研员", "researcher_2": "二级调研员", "researcher_3": "三级调研员",
        "researcher_4": "四级调研员",
        "principal_clerk_1": "一级主任科员", "principal_clerk_2": "二级主任科员",
        "principal_clerk_3": "三级主任科员", "principal_clerk_4": "四级主任科员",
        "clerk_1": "一级科员", "clerk_2": "二级科员",
    },
)
RANK_ORDER = tuple(RANK.entries)  # higher first
# 《公务员职务与职级并行规定》第十一条 equivalences [K]
RANK_LEVEL = {
    "inspector_1": "121", "inspector_2": "122",
    "researcher_1": "131", "researcher_2": "131", "researcher_3": "132", "researcher_4": "132",
    "principal_clerk_1": "141", "principal_clerk_2": "141", "principal_clerk_3": "142", "principal_clerk_4": "142",
    "clerk_1": "150", "clerk_2": "150",
}

ESTABLISHMENT_TYPE = CodeTable(
    "编制类型",
    {"administrative": "行政", "civil_service_managed": "参公", "public_institution": "事业",
     "enterprise": "企业", "contract": "合同"},
    aliases={"行政编制": "administrative", "参照公务员法管理": "civil_service_managed", "参公管理": "civil_service_managed",
             "事业编制": "public_institution", "企业编制": "enterprise", "合同制": "contract"},
)

DEGREE = CodeTable(
    "学位",
    {"1": "名誉博士", "2": "博士", "3": "硕士", "4": "学士"},
    aliases={"博士学位": "2", "硕士学位": "3", "学士学位": "4"},
)
_DEGREE_WORDS = (("名誉博士", "1"), ("博士", "2"), ("硕士", "3"), ("学士", "4"))


def degree_of_text(text: str) -> str:
    """The ``DEGREE`` code of a degree as written (``"工学硕士"`` → ``"3"``, ``"MBA"``/``"工商管理硕士"`` →
    ``"3"``); ``""`` when none is recognised."""
    value = (text or "").strip()
    if not value:
        return ""
    for word, code in _DEGREE_WORDS:
        if word in value:
            return code
    if re.search(r"\b(MBA|MPA|EMBA|MPAcc|MEng)\b", value, re.I):
        return "3"
    return ""


CADRE_STATUS = CodeTable(
    "干部状态",
    {"serving": "在职", "retired": "退休", "transferred": "调出", "deceased": "去世", "other": "其他"},
)
EDUCATION_CATEGORY = CodeTable("教育类别", {"full_time": "全日制教育", "in_service": "在职教育"},
                               aliases={"全日制": "full_time", "在职": "in_service"})
APPOINTMENT_METHOD = CodeTable(
    "任职方式",
    {"election": "选任", "commission": "委任", "engagement": "聘任", "examination": "考任"},
    aliases={"选任制": "election", "委任制": "commission", "聘任制": "engagement", "考任制": "examination"},
)
ASSESSMENT_GRADE = CodeTable(
    "年度考核等次",
    {"excellent": "优秀", "competent": "称职", "basically_competent": "基本称职", "incompetent": "不称职",
     "not_graded": "不定等次"},
    aliases={"合格": "competent", "基本合格": "basically_competent", "不合格": "incompetent",
             "未定等次": "not_graded", "不确定等次": "not_graded"},
)
RESERVE_LIST = CodeTable(
    "后备干部类别",
    {"ready_now": "近期使用", "rotation": "轮岗锻炼", "long_term": "蹲苗培养"},
    aliases={"近期可用": "ready_now", "近期": "ready_now", "轮岗": "rotation", "蹲苗": "long_term"},
)
RESERVE_EXIT = CodeTable(
    "出库原因",
    {"appointed": "已提拔使用", "adjusted": "调整出库", "age": "超过年龄", "discipline": "受到处理", "other": "其他"},
)
SUPERVISION_KIND = CodeTable(
    "处理处分类别",
    {
        "party_warning": "党内警告", "party_serious_warning": "党内严重警告", "party_post_removal": "撤销党内职务",
        "party_probation": "留党察看", "admonishment": "诫勉",
        "gov_warning": "政务警告", "gov_demerit": "记过", "gov_major_demerit": "记大过", "gov_demotion": "降级",
        "gov_dismissal": "撤职",
        "reminder_talk": "提醒谈话", "written_inquiry": "函询",
    },
    aliases={"警告": "party_warning", "严重警告": "party_serious_warning", "党纪警告": "party_warning",
             "党纪严重警告": "party_serious_warning", "政务处分警告": "gov_warning"},
)
DOSSIER_PROBLEM = CodeTable(
    "档案问题类型",
    {"tampering": "涂改造假", "inconsistent": "信息前后不一致", "missing_material": "重要材料缺失",
     "improper_determination": "认定不合规", "inaccurate": "信息不准", "misfiled": "错装混装"},
)
DOSSIER_CHECK = CodeTable(
    "审核项目",
    {
        "birth_vs_id": "出生日期与身份证号码不一致",
        "work_before_16": "参加工作时未满16周岁",
        "admission_before_18": "入党时未满18周岁",
        "full_membership_early": "转正时间早于入党满一年且无延长预备期记录",
        "resume_gap": "简历不连续（断档）",
        "resume_overlap": "简历时间重叠",
        "degree_order": "学历学位时间顺序不合理",
        "same_level_after_current": "任同级职务时间晚于任现职时间",
    },
)
FINDING_STATUS = CodeTable(
    "认定状态",
    {"open": "待认定", "confirmed": "已认定（存在问题）", "corrected": "已更正", "dismissed": "已认定（无问题）"},
)
