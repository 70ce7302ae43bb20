"""The shipped 组织生活要求 (compliance rules) and their synchronisation after every ``migrate``.

``BUILTIN_RULES`` is the usual 三会一课 standard and the other branch meetings of 《中国共产党支部工作条例
（试行）》 (中共中央 2018, in force from 2018-10-28; ``shared/rules.md`` §2). Each rule row holds the
regulation and the article it comes from, so the 晾晒 and the to-do items cite them:

================  ========  ===========  ==============================================================
会议类型            周期/次数   适用          依据
================  ========  ===========  ==============================================================
支部党员大会         季 ≥ 1     全部党支部     第十一条：党员大会一般每季度召开1次
支部委员会会议       月 ≥ 1     设支委会的      第十二条：支部委员会会议一般每月召开1次
党小组会            月 ≥ 1     设党小组的      第十三条：党小组会一般每月召开1次
党课                季 ≥ 1     全部党支部     第十六条（三会一课）；每季度1次是通行的三会一课标准，不是条例原文
党课（书记讲党课）    年 ≥ 1     全部党支部     第十六条（见下）
主题党日            月 1       全部党支部     第十七条：每月相对固定1天开展主题党日
组织生活会          年 ≥ 1     全部党支部     第十八条：每年至少召开1次组织生活会
民主评议党员         年 1       全部党支部     第十九条：一般每年开展1次民主评议党员
谈心谈话            年 ≥ 1     全部党支部     第二十条：每年谈心谈话一般不少于1次
================  ========  ===========  ==============================================================

第十六条 asks leading cadres to give 党课 regularly and the 党委（党组）书记 at least one a year; the branch
secretary's own lecture at least once a year is the usual 三会一课 requirement (``shared/rules.md`` §2).
The articles 第十一–十三条 were checked against the published text; 第十六–二十条 follow the order of
the regulation's chapter 五「组织生活」 and should be verified against the official text (a correction
is a change of ``BUILTIN_RULES``: the next ``migrate`` refreshes the rows).

``sync_builtin_rules`` (a ``post_migrate`` handler connected in ``LifeConfig.ready``) creates missing
built-in rules and refreshes their texts; it never touches ``effective_to`` (a deployment may end a
default and add a local rule in its place) nor any local rule (``is_builtin=False``). Idempotent; survives the flush of transactional tests.
"""

from __future__ import annotations

import datetime as dt

REGULATION = "《中国共产党支部工作条例（试行）》"
EFFECTIVE_FROM = dt.date(2018, 10, 28)  # 条例第四十四条：本条例自2018年10月28日起施行

BUILTIN_RULES: tuple[dict, ...] = (
    {"code": "general_meeting_quarterly", "name": "支部党员大会每季度至少召开1次",
     "meeting_type": "general_meeting", "min_count": 1, "period": "quarter", "applies_to": "all",
     "article": "第十一条", "note": "党支部党员大会一般每季度召开1次。"},
    {"code": "committee_meeting_monthly", "name": "支部委员会会议每月至少召开1次",
     "meeting_type": "committee_meeting", "min_count": 1, "period": "month", "applies_to": "with_committee",
     "article": "第十二条", "note": "党支部委员会会议一般每月召开1次；只适用于设支部委员会的党支部（当日在任班子成员不少于3人）。"},
    {"code": "group_meeting_monthly", "name": "党小组会每月至少召开1次",
     "meeting_type": "group_meeting", "min_count": 1, "period": "month", "applies_to": "with_groups",
     "article": "第十三条", "note": "党小组会一般每月召开1次；只适用于设党小组的党支部，党支部或其党小组召开的均计入。"},
    {"code": "party_lecture_quarterly", "name": "党课每季度至少1次",
     "meeting_type": "party_lecture", "min_count": 1, "period": "quarter", "applies_to": "all",
     "article": "第十六条", "note": "“三会一课”通行标准（党员大会每季度、支委会每月、党小组会每月、党课每季度）；条例要求按期上党课。"},
    {"code": "secretary_lecture_yearly", "name": "支部书记每年至少讲1次党课",
     "meeting_type": "party_lecture", "min_count": 1, "period": "year", "applies_to": "all",
     "secretary_lecture_only": True,
     "article": "第十六条",
     "note": "只计标注为书记讲党课的党课。条例第十六条要求党员领导干部定期讲党课、党委（党组）书记每年至少讲1次；"
             "支部书记每年至少讲1次党课是通行的三会一课要求。"},
    {"code": "theme_day_monthly", "name": "每月开展1次主题党日",
     "meeting_type": "theme_day", "min_count": 1, "period": "month", "applies_to": "all",
     "article": "第十七条", "note": "党支部每月相对固定1天开展主题党日。"},
    {"code": "organizational_life_meeting_yearly", "name": "组织生活会每年至少召开1次",
     "meeting_type": "organizational_life_meeting", "min_count": 1, "period": "year", "applies_to": "all",
     "article": "第十八条", "note": "党支部每年至少召开1次组织生活会，一般安排在第四季度。"},
    {"code": "member_evaluation_yearly", "name": "每年开展1次民主评议党员",
     "meeting_type": "member_evaluation", "min_count": 1, "period": "year", "applies_to": "all",
     "article": "第十九条", "note": "党支部一般每年开展1次民主评议党员，可以结合组织生活会一并进行。"},
    {"code": "heart_to_heart_talk_yearly", "name": "谈心谈话每年至少1次",
     "meeting_type": "heart_to_heart_talk", "min_count": 1, "period": "year", "applies_to": "all",
     "article": "第二十条", "note": "党支部委员之间、委员和党员之间、党员和党员之间每年谈心谈话一般不少于1次。"},
)


def sync_builtin_rules(using: str = "default") -> None:
    """Create each built-in rule that is missing (by ``code``) and refresh the texts and thresholds of
    the existing ones from ``BUILTIN_RULES``; ``effective_to`` and local rules are left alone."""
    from zugong.life.models import ComplianceRule

    for spec in BUILTIN_RULES:
        values = {
            "name": spec["name"], "meeting_type": spec["meeting_type"], "min_count": spec["min_count"],
            "period": spec["period"], "applies_to": spec["applies_to"],
            "secretary_lecture_only": spec.get("secretary_lecture_only", False),
            "regulation": REGULATION, "article": spec["article"], "effective_from": EFFECTIVE_FROM,
            "is_builtin": True, "note": spec["note"],
        }
        rule = ComplianceRule.objects.using(using).filter(code=spec["code"]).first()
        if rule is None:
            ComplianceRule.objects.using(using).create(code=spec["code"], **values)
            continue
        changed = [name for name, value in values.items() if getattr(rule, name) != value]
        if changed:
            for name in changed:
                setattr(rule, name, values[name])
            rule.save(using=using, update_fields=changed)
