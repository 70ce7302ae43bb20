"""The 25 steps of 《中国共产党发展党员工作细则》 (中共中央, 2014-05-28) as data, and the timing thresholds as rows
of the rule table (``core.rules``), each with its article.

``STEPS``: number → ``Step`` (stage I–V, Chinese name in the 细则's wording, article, prerequisites, the
``DevelopmentRecord`` date the step sets, whether it carries a vote, may repeat …). The order is the
细则's: a step needs every earlier step (``prerequisites``: the numbers before it; the repeatable
assessments 6 and 21 at least once). The guards that are not "the previous step first" are in
``development.services`` and read their thresholds here (``threshold``).

Articles follow the 2014 text as published (第二章 入党申请 第五–七条; 第三章 入党积极分子 第八–十三条;
第四章 发展对象 第十四–十九条; 第五章 接收预备党员 第二十–二十八条; 第六章 预备期 第二十九–三十四条;
第三十五条 档案). They are data: a deployment that reads its own copy differently changes one row here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from zugong.core.rules import Rule, register, rule

REGULATION = "《中国共产党发展党员工作细则》"
EFFECTIVE = dt.date(2014, 5, 28)

STAGES = {
    1: "申请入党",
    2: "入党积极分子的确定和培养教育",
    3: "发展对象的确定和考察",
    4: "预备党员的接收",
    5: "预备党员的教育考察和转正",
}
STAGE_NUMERALS = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五"}
STAGE_SHORT = {1: "入党申请人", 2: "入党积极分子", 3: "发展对象", 4: "接收预备党员", 5: "预备党员"}


@dataclass(frozen=True)
class Step:
    """One step: ``number`` 1..25, ``stage`` 1..5, ``name`` (细则 wording), ``article`` (of the 细则),
    ``actor`` (who usually does it: the default of the form), ``sets`` (the ``DevelopmentRecord`` date field
    this step's date sets, or ""), ``vote`` (a branch meeting vote: 应到/实到/赞成), ``repeatable``."""

    number: int
    stage: int
    name: str
    article: str
    actor: str
    sets: str = ""
    vote: bool = False
    repeatable: bool = False

    @property
    def source(self) -> str:
        return f"{REGULATION}{self.article}"

    @property
    def label(self) -> str:
        return f"第{self.number}步「{self.name}」"

    @property
    def prerequisites(self) -> tuple[int, ...]:
        """The steps that must be recorded before this one: every earlier step (in order, none skipped)."""
        return tuple(range(1, self.number))


STEPS: dict[int, Step] = {s.number: s for s in [
    Step(1, 1, "递交入党申请书", "第五条、第六条", "入党申请人", sets="application_date"),
    Step(2, 1, "党组织派人谈话", "第七条", "谈话人"),
    Step(3, 2, "推荐和确定入党积极分子", "第八条", "支部委员会", sets="activist_date"),
    Step(4, 2, "上级党委备案", "第八条", "基层党委"),
    Step(5, 2, "指定培养联系人", "第十条", "党支部"),
    Step(6, 2, "培养教育考察", "第十一条、第十二条", "党支部", repeatable=True),
    Step(7, 3, "确定发展对象", "第十四条", "支部委员会", sets="candidate_date"),
    Step(8, 3, "上级党委备案", "第十四条", "基层党委"),
    Step(9, 3, "确定入党介绍人", "第十五条", "党支部"),
    Step(10, 3, "进行政治审查", "第十六条、第十七条", "党支部"),
    Step(11, 3, "开展集中培训", "第十八条", "基层党委或县级党委组织部门"),
    Step(12, 4, "支部委员会审查", "第二十条", "支部委员会"),
    Step(13, 4, "上级党委预审", "第二十一条", "基层党委"),
    Step(14, 4, "填写入党志愿书", "第二十二条", "发展对象"),
    Step(15, 4, "支部大会讨论", "第二十三条、第二十四条", "支部党员大会", vote=True),
    Step(16, 4, "上级党委派人谈话", "第二十六条", "基层党委"),
    Step(17, 4, "上级党委审批", "第二十七条", "基层党委", sets="admission_date"),
    Step(18, 4, "再上一级党委组织部门备案", "第二十七条", "上级党委组织部门"),
    Step(19, 5, "编入党支部和党小组", "第二十九条", "党支部"),
    Step(20, 5, "入党宣誓", "第三十条", "基层党委或党支部"),
    Step(21, 5, "继续教育考察", "第三十一条", "党支部", repeatable=True),
    Step(22, 5, "提出转正申请", "第三十三条", "预备党员"),
    Step(23, 5, "支部大会讨论", "第三十二条、第三十三条", "支部党员大会", vote=True, repeatable=True),
    Step(24, 5, "上级党委审批", "第三十四条", "基层党委", repeatable=True),
    Step(25, 5, "材料归档", "第三十五条", "党委组织部门"),
]}

OUTCOMES = {"on_time": "按期转正", "extended": "延长预备期"}
"""转正意见 of steps 23/24: the ``party.choices.FULL_MEMBERSHIP_OUTCOME`` codes the lifecycle writes (``on_time``,
after an extension ``after_extension``; ``extended`` with its months)."""


def stage_of(number: int) -> int:
    """The stage (1..5) of step ``number``."""
    return STEPS[number].stage


def _row(key: str, name: str, value, definition: str, article: str, note: str = "") -> None:
    register(Rule(key=key, name=name, value=value, definition=definition, regulation=REGULATION, article=article,
                  effective_from=EFFECTIVE, note=note))


_row("development.min_age", "申请入党年龄", 18, "年满十八岁（以递交入党申请书之日计算周岁）", "第五条")
_row("development.talk_months", "入党申请谈话期限", 1, "党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话（月数）",
     "第七条", note="逾期谈话照实登记，须写明逾期原因（special_reason），并列入逾期清单。")
_row("development.mentors", "培养联系人人数", (1, 2), "指定一至两名正式党员作为入党积极分子的培养联系人", "第十条")
_row("development.assessment_months", "入党积极分子考察间隔", 6, "党支部每半年对入党积极分子进行一次考察（月数）", "第十二条",
     note="逾期不阻止后续步骤，列入逾期清单。")
_row("development.activist_years", "入党积极分子培养期", 1, "经过一年以上培养教育和考察的入党积极分子方可列为发展对象（年）",
     "第十四条")
_row("development.sponsors", "入党介绍人人数", 2, "发展对象应当有两名正式党员作入党介绍人", "第十五条")
_row("development.training", "集中培训时间", (3, 24), "短期集中培训时间一般不少于三天（或不少于二十四个学时）", "第十八条")
_row("development.approval_months", "接收预备党员审批期限", (3, 6),
     "基层党委对党支部上报的接收预备党员的决议，应当在三个月内审批；因特殊情况可适当延长审批时间，但不得超过六个月（月数）",
     "第二十七条")


def threshold(key: str, on: dt.date | None = None):
    """The value of rule ``development.<key>`` in force on ``on`` (the 2014 row for earlier days: the
    细则 is the only source the pipeline implements)."""
    full = f"development.{key}"
    try:
        return rule(full, on).value
    except LookupError:
        return rule(full, EFFECTIVE).value


def source(key: str) -> str:
    """「《中国共产党发展党员工作细则》第N条」 of rule ``development.<key>``."""
    return f"{REGULATION}{rule(f'development.{key}', EFFECTIVE).article}"
