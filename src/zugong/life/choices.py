"""Code tables of party life (组织生活, issue #11). Identifiers follow ``shared/glossary.md``
("Organizational life"); labels are the wording of 《中国共产党支部工作条例（试行）》 (2018) and of the
三会一课 ledgers (三会一课台账) branches keep.

- ``MEETING_TYPE``: what a ``Meeting`` records.
- ``ATTENDANCE_STATUS``: one roster member's attendance at a meeting (出席 / 请假 / 缺席).
- ``RULE_PERIOD``: the period a ``ComplianceRule`` counts in (月 / 季度 / 年).
- ``RULE_APPLIES_TO``: which branches a rule binds: every branch, branches with a committee (支委会), branches
  with party groups (党小组会).
"""

from __future__ import annotations

from zugong.core.codes import CodeTable

MEETING_TYPE = CodeTable(
    "会议类型",
    {
        "general_meeting": "支部党员大会",
        "committee_meeting": "支部委员会会议",
        "group_meeting": "党小组会",
        "party_lecture": "党课",
        "theme_day": "主题党日",
        "organizational_life_meeting": "组织生活会",
        "member_evaluation": "民主评议党员",
        "heart_to_heart_talk": "谈心谈话",
    },
    aliases={
        "党员大会": "general_meeting", "支部大会": "general_meeting", "党员大会会议": "general_meeting",
        "支委会": "committee_meeting", "支部委员会": "committee_meeting", "支委会会议": "committee_meeting",
        "党小组会议": "group_meeting", "小组会": "group_meeting",
        "上党课": "party_lecture", "讲党课": "party_lecture",
        "主题党日活动": "theme_day", "固定主题党日": "theme_day",
        "组织生活会议": "organizational_life_meeting",
        "民主评议": "member_evaluation", "民主评议党员会议": "member_evaluation",
        "谈心谈话活动": "heart_to_heart_talk", "谈心": "heart_to_heart_talk",
    },
)

ATTENDANCE_STATUS = CodeTable(
    "出席情况",
    {"present": "出席", "leave": "请假", "absent": "缺席"},
    aliases={"到会": "present", "参加": "present", "请假缺席": "leave", "未到": "absent"},
)

RULE_PERIOD = CodeTable(
    "考核周期",
    {"month": "每月", "quarter": "每季度", "year": "每年"},
    aliases={"月": "month", "季度": "quarter", "季": "quarter", "年": "year", "年度": "year"},
)

RULE_APPLIES_TO = CodeTable(
    "适用党支部",
    {"all": "全部党支部", "with_committee": "设支部委员会的党支部", "with_groups": "设党小组的党支部"},
)

# --- 民主评议党员 (``MemberEvaluation``): the result a member is given and the 组织处置 of an 不合格 result.
# Results: 《关于开展民主评议党员工作的意见》 as applied by 共产党员网 (12371.cn) 「民主评议党员」: 优秀 / 合格 /
# 基本合格 / 不合格. Handling: the columns of 党内统计年报 第八表 民主评议党员情况 (组织处置情况: 限期改正, 劝退,
# 劝而不退除名, 自行脱党除名; ``docs/life-stats.md`` gives the source of the layout).
EVALUATION_RESULT = CodeTable(
    "评议结果",
    {"excellent": "优秀", "qualified": "合格", "basically_qualified": "基本合格", "unqualified": "不合格"},
    aliases={"优秀党员": "excellent", "合格党员": "qualified", "基本合格党员": "basically_qualified",
             "不合格党员": "unqualified"},
)

EVALUATION_HANDLING = CodeTable(
    "组织处置",
    {"rectify": "限期改正", "persuade_to_quit": "劝退", "removed_after_refusal": "劝而不退除名",
     "removed_for_lapse": "自行脱党除名"},
    aliases={"劝其退党": "persuade_to_quit", "劝而不改除名": "removed_after_refusal", "劝而不退予以除名": "removed_after_refusal",
             "除名": "removed_after_refusal", "自行脱党": "removed_for_lapse"},
)
