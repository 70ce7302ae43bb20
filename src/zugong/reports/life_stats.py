"""组织生活统计 (issue #11 item 7): the figures of party life of an organization subtree for a period — one
JSON function (``life_stats_json``) behind the page (``reports:life``), the API (``GET /api/stats/life/``)
and the CLI (``zugong stats life``), so the three always show the same numbers.

Scope: every count goes through ``Model.objects.restrict(user, "view")`` (``party`` label) and the subtree's
path prefix; an organization outside the user's ``party.view`` scope raises ``OutOfScope`` (a 404 on the page
and the API, an error on the CLI). Counting is SQL (``COUNT``/``SUM`` with ``GROUP BY`` in the database);
Python only adds up per-type or per-organization group rows.

Sections (``SECTIONS``: one list of providers, ``key → provider(ctx) -> dict``; a section whose provider is
``None`` is a hook and is ``null`` in the JSON):

- ``meetings`` — 组织生活会议 by meeting type (``life.choices.MEETING_TYPE`` labels): meetings held by
  organizations of the subtree with ``start <= date <= end`` (both inclusive): 次数, 应到 (sum of
  ``expected_count``), 实到 (sum of ``attended_count``), 出席率 = 实到 / 应到 in percent, rounded half-up to
  0.1 (``reports.services.share``; ``null`` when 应到 is 0); plus 合计 over all types.
- ``development`` — 发展党员 by stage, from ``party.DevelopmentRecord`` (counted by the cultivating
  organization): stages open on ``end`` as the model's docstring defines them (a stage from its date on; the
  record leaves the pipeline on ``admission_date`` or ``closed_date``). ``累计口径`` follows the 公报
  (``reports.services``: 入党申请人 includes 入党积极分子 and 发展对象; 入党积极分子 includes 发展对象);
  ``分阶段口径`` counts each record once, at its furthest stage reached by ``end``. 发展党员: records whose
  ``admission_date`` is in the period; 转正: ``party.MembershipEvent`` of kind ``full_membership`` dated in
  the period, at organizations of the subtree.
- ``member_evaluation`` — 党内统计年报 第八表 民主评议党员情况 of the 评议年度 = the year of ``end``
  (``table_8``), from ``life.MemberEvaluation``.
- ``training`` — 第九表 党员培训情况 of the same year (``table_9``): 基层党组织书记培训 and two of its 补充资料
  from the 书记培训 records (``branches.TrainingRecord``); every other cell is ``null`` and listed under
  「无记录来源」 with where it could come from.
- ``certification`` — 支部书记持证上岗 on ``end`` (``certification_section``, from
  ``branches.certification.certified_rate``).
- ``grading`` — 党支部达标晋级 of the year of ``end`` (``grading_section``, from
  ``grading.selectors.grade_figures``).
- ``compliance`` — 组织生活达标率 over the window (``compliance_section``, from ``life.compliance.evaluate``).

JSON shape (``life_stats_json``)::

    {"组织代码": "C", "组织名称": "某县委", "起始日期": "2023-01-01", "截止日期": "2023-12-31", "年度": 2023,
     "meetings": {"按会议类型": {"支部党员大会": {"次数": n, "应到": n, "实到": n, "出席率": 95.5|null}, …},
                  "合计": {"次数": n, "应到": n, "实到": n, "出席率": …}},
     "development": {"截至日期": "2023-12-31", "累计口径": {"入党申请人": n, "入党积极分子": n, "发展对象": n},
                     "分阶段口径": {"入党申请人": n, "入党积极分子": n, "发展对象": n}, "发展党员": n, "转正": n},
     "member_evaluation": {"表": "第八表 民主评议党员情况", "年度": 2023, "数据": {"<row>": {"<column>": n|null}},
                           "补充资料": {…: null}, "无记录来源": [...]},
     "training": {"表": "第九表 党员培训情况", "年度": 2023, "数据": {"人次": {"基层党组织书记培训": n, "<other>": null}},
                  "补充资料": {…}, "无记录来源": [...], "可接入来源": {...}},
     "certification": {"截至日期", "支部数", "有书记的支部数", …, "持证上岗率": 87.5|null, "依据"},
     "grading": {"年度", "支部数", "已评定的支部数", "按等次": [{"方案", "等次", "个数"}], "示范党支部", "软弱涣散"},
     "compliance": {"截至日期", "支部数", "应开", "已落实", "落实率": 93.2|null, "全部落实的支部数",
                    "未全部落实的支部数", "按要求": [{"要求", "依据", "应开", "已落实", "缺项"}]}}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from zugong.core.dates import DateParseError, parse_date
from zugong.core.errors import OutOfScope, RowError, ValidationFailed
from zugong.life.choices import MEETING_TYPE
from zugong.life.models import Meeting, MemberEvaluation
from zugong.orgs.models import PartyOrganization
from zugong.orgs.unit_selectors import UnitFacts, organization_unit_facts
from zugong.party.models import DevelopmentRecord, MembershipEvent
from zugong.reports.annual_layout import PRIOR_YEARS_COLUMN, TABLE_8, TABLE_9, UNIT_COLUMNS_8
from zugong.reports.annual_rules import annual_rules
from zugong.reports.services import share

# --------------------------------------------------------------------------------------------------
# The period
# --------------------------------------------------------------------------------------------------


def parse_period(start_text, end_text, *, default_end: dt.date) -> tuple[dt.date, dt.date]:
    """``(start, end)`` from the ``from`` / ``to`` parameters (``YYYY-MM-DD`` and the other forms of
    ``core.dates.parse_date``; both inclusive). Blank ``to`` → ``default_end``; blank ``from`` → 1 January of
    ``end``'s year. Raises ``ValidationFailed`` (column 起始日期 / 截止日期) for an unreadable or partial
    date, or ``from`` after ``to``."""
    problems: list[RowError] = []

    def day(text, column: str) -> dt.date | None:
        text = str(text or "").strip()
        if not text:
            return None
        try:
            value, day_unknown = parse_date(text)
        except DateParseError as exc:
            problems.append(RowError(0, column, f"{column}无效：{exc}"))
            return None
        if day_unknown:
            problems.append(RowError(0, column, f"{column}应为完整日期（YYYY-MM-DD）"))
            return None
        return value

    start, end = day(start_text, "起始日期"), day(end_text, "截止日期")
    if problems:
        raise ValidationFailed(problems, message="；".join(e.reason for e in problems))
    end = end or default_end
    start = start or dt.date(end.year, 1, 1)
    if start > end:
        reason = f"起始日期 {start.isoformat()} 晚于截止日期 {end.isoformat()}"
        raise ValidationFailed([RowError(0, "起始日期", reason)], message=reason)
    return start, end


@dataclass
class LifeContext:
    """One request: ``user``, the subtree's ``root`` (already checked in scope), the period
    ``[start, end]`` (inclusive) and the 年报 year (``end.year``)."""

    user: object
    root: PartyOrganization
    start: dt.date
    end: dt.date

    @property
    def year(self) -> int:
        return self.end.year

    def subtree(self, field: str = "organization") -> Q:
        return Q(**{f"{field}__path__startswith": self.root.path})

    @cached_property
    def organizations(self):
        return PartyOrganization.objects.restrict(self.user, "view").filter(path__startswith=self.root.path)


# --------------------------------------------------------------------------------------------------
# meetings
# --------------------------------------------------------------------------------------------------


def _rate_row(count: int, expected: int, attended: int) -> dict:
    return {"次数": count, "应到": expected, "实到": attended, "出席率": share(attended, expected)}


def meetings_section(ctx: LifeContext) -> dict:
    """Meetings of the subtree dated in ``[start, end]`` by type (every ``MEETING_TYPE``, zeros included)
    and 合计: one ``GROUP BY meeting_type`` query."""
    groups = {
        g["meeting_type"]: g
        for g in Meeting.objects.restrict(ctx.user, "view")
        .filter(ctx.subtree(), date__gte=ctx.start, date__lte=ctx.end)
        .order_by().values("meeting_type")
        .annotate(n=Count("pk"), expected=Sum("expected_count"), attended=Sum("attended_count"))
    }
    by_type = {}
    for code, label in MEETING_TYPE.entries.items():
        g = groups.get(code, {})
        by_type[label] = _rate_row(g.get("n", 0), g.get("expected") or 0, g.get("attended") or 0)
    total = _rate_row(sum(r["次数"] for r in by_type.values()), sum(r["应到"] for r in by_type.values()),
                      sum(r["实到"] for r in by_type.values()))
    return {"按会议类型": by_type, "合计": total}


# --------------------------------------------------------------------------------------------------
# development
# --------------------------------------------------------------------------------------------------

STAGES = ("入党申请人", "入党积极分子", "发展对象")


def _before_or_never(field: str, day: dt.date) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gt": day})


def development_section(ctx: LifeContext) -> dict:
    """发展党员 by stage (module docstring): one aggregate over the development records of the subtree and
    one count of 转正 events."""
    d = ctx.end
    still_open = _before_or_never("admission_date", d) & _before_or_never("closed_date", d)
    applied, activist, candidate = (Q(application_date__lte=d), Q(activist_date__lte=d), Q(candidate_date__lte=d))
    counts = (
        DevelopmentRecord.objects.restrict(ctx.user, "view").filter(ctx.subtree())
        .aggregate(
            applicants=Count("pk", filter=still_open & applied),
            activists=Count("pk", filter=still_open & activist),
            candidates=Count("pk", filter=still_open & candidate),
            only_applicants=Count("pk", filter=still_open & applied & ~activist & ~candidate),
            only_activists=Count("pk", filter=still_open & activist & ~candidate),
            admitted=Count("pk", filter=Q(admission_date__gte=ctx.start, admission_date__lte=ctx.end)),
        )
    )
    full = (MembershipEvent.objects.restrict(ctx.user, "view")
            .filter(ctx.subtree(), kind="full_membership", date__gte=ctx.start, date__lte=ctx.end).count())
    return {
        "截至日期": d.isoformat(),
        "累计口径": {"入党申请人": counts["applicants"], "入党积极分子": counts["activists"],
                 "发展对象": counts["candidates"]},
        "分阶段口径": {"入党申请人": counts["only_applicants"], "入党积极分子": counts["only_activists"],
                  "发展对象": counts["candidates"]},
        "发展党员": counts["admitted"],
        "转正": full,
    }


# --------------------------------------------------------------------------------------------------
# 第八表 民主评议党员情况
# --------------------------------------------------------------------------------------------------

TABLE_8_SUPPLEMENT = ("本年民主评议党员中发现党员违反党的纪律线索，通报纪检机关查实开除党籍的",
                      "本年民主评议党员中发现党员违反党的纪律线索，给予其他党的纪律处分的")

HANDLING_ROWS = {"rectify": "限期改正", "persuade_to_quit": "劝退", "removed_after_refusal": "劝而不退除名",
                 "removed_for_lapse": "自行脱党除名"}


def _unit_columns(facts: UnitFacts, rules) -> list[str]:
    return [k for k in rules.lost_contact_unit_rows.keys_of(facts.unit_category, facts.economic_control,
                                                              facts.organ_level) if k in UNIT_COLUMNS_8]


class _Table8Parts:
    """What 第八表 and its drill-down share: the scoped evaluations of the year in the subtree, the condition
    of each member row, the organizations that held a 民主评议党员 meeting in the year, and the unit column
    of each organization."""

    def __init__(self, ctx: LifeContext):
        self.ctx, self.year = ctx, ctx.year
        self.rules = annual_rules(dt.date(ctx.year, 12, 31))
        self.evaluations = MemberEvaluation.objects.restrict(ctx.user, "view").filter(ctx.subtree(), year=ctx.year)
        earlier_rectified = (MemberEvaluation.objects.restrict(ctx.user, "view")
                             .filter(handling="rectify", year__lt=ctx.year).values("person_id"))
        unqualified = Q(result="unqualified")
        self.member_rows: dict[str, Q] = {
            "参加评议的党员": Q(), "结束评议的党员": Q(),
            "表彰党员": Q(result="excellent"),
            "被评定为不合格党员": unqualified,
            "组织处置情况": unqualified & ~Q(handling=""),
            **{row: unqualified & Q(handling=code) for code, row in HANDLING_ROWS.items()},
            "限期改正期满仍无转变予以劝退以及劝而不退除名": unqualified & Q(
                handling__in=("persuade_to_quit", "removed_after_refusal"), person_id__in=earlier_rectified),
        }

    @cached_property
    def started(self) -> set[int]:
        """Organizations with a 民主评议党员 meeting dated in the year (results or not)."""
        held = Meeting.objects.restrict(self.ctx.user, "view").filter(
            organization_id=OuterRef("pk"), meeting_type="member_evaluation", date__year=self.year)
        return set(self.ctx.organizations.filter(Exists(held)).values_list("pk", flat=True))

    def facts(self, ids: set[int]) -> dict[int, UnitFacts]:
        return organization_unit_facts(organizations=self.ctx.organizations.filter(pk__in=ids)) if ids else {}

    def in_column(self, ids: set[int], column: str) -> set[int]:
        """The organizations of ``ids`` counted in ``column`` (总数: all; 上年开展本年结束评议: none)."""
        if column == "总数":
            return set(ids)
        if column == PRIOR_YEARS_COLUMN:
            return set()
        facts = self.facts(ids)
        return {pk for pk in ids if column in _unit_columns(facts.get(pk, UnitFacts()), self.rules)}


def table_8(ctx: LifeContext) -> dict:
    """第八表 of the year ``ctx.year`` from ``MemberEvaluation`` rows of the subtree with that 评议年度
    (counted by the organization that held the evaluation, in the column of the unit it is set up in:
    ``orgs.unit_selectors.organization_unit_facts`` and the 第四十三表 unit rows of ``annual_rules``):

    - 开展评议的支部: organizations with a result of the year, or a 民主评议党员 meeting dated in the year;
      其中 结束评议的支部: those with a result (a recorded result is a concluded evaluation).
    - 参加评议的党员 and its 其中 结束评议的党员: members with a result (Zugong records results, not
      participation in an unfinished evaluation, so both are the same number).
    - 表彰党员: members rated 优秀 (优秀 members are 通报表扬; a separate commendation record does not exist).
    - 被评定为“不合格党员”; 组织处置情况 合计 and by 处置 (``MemberEvaluation.handling``).
    - 限期改正期满仍无转变予以劝退以及劝而不退除名: 劝退 / 劝而不退除名 this year of a member who had been
      given 限期改正 in an earlier year's evaluation.
    - ``null``: the column 上年开展本年结束评议 (Zugong does not record when an evaluation began) and the
      补充资料 (discipline found in the evaluation: no link between an evaluation and a 纪律处分 yet).

    One aggregate query grouped by organization, one for the organizations that held a meeting, plus
    ``organization_unit_facts``. Returns ``{"表", "年度", "数据": {row: {column: n|None}}, "补充资料",
    "无记录来源"}``."""
    parts = _Table8Parts(ctx)
    groups = list(parts.evaluations.order_by().values("organization_id").annotate(
        **{f"n_{i}": Count("pk", filter=q) for i, q in enumerate(parts.member_rows.values())}))
    started, done = parts.started, {g["organization_id"] for g in groups}
    facts, rules = parts.facts(started | done), parts.rules
    year = ctx.year

    data = {row.key: {c.key: (None if c.key == PRIOR_YEARS_COLUMN else 0) for c in TABLE_8.columns}
            for row in TABLE_8.rows}

    def add(row: str, org_id: int, n: int) -> None:
        for column in ("总数", *_unit_columns(facts.get(org_id, UnitFacts()), rules)):
            data[row][column] += n

    for org_id in started | done:
        add("开展评议的支部", org_id, 1)
    for org_id in done:
        add("结束评议的支部", org_id, 1)
    for g in groups:
        for i, row in enumerate(parts.member_rows):
            add(row, g["organization_id"], g[f"n_{i}"])
    return {
        "表": TABLE_8.heading, "年度": year, "数据": data,
        "补充资料": {label: None for label in TABLE_8_SUPPLEMENT},
        "无记录来源": [f"各行「{PRIOR_YEARS_COLUMN}」栏（未记录评议开始日期）",
                  *(f"补充资料：{label}" for label in TABLE_8_SUPPLEMENT)],
    }


def table_8_records(ctx: LifeContext, row: str, column: str):
    """The records behind a figure of 第八表: the ``PartyOrganization`` queryset for 开展 / 结束评议的支部, else
    the ``Person`` queryset of the evaluations the cell counts (same conditions as ``table_8``)."""
    from zugong.people.models import Person

    parts = _Table8Parts(ctx)
    done = set(parts.evaluations.values_list("organization_id", flat=True).distinct())
    if row in ("开展评议的支部", "结束评议的支部"):
        ids = parts.in_column(parts.started | done if row == "开展评议的支部" else done, column)
        return ctx.organizations.filter(pk__in=ids)
    ids = parts.in_column(done, column)
    chosen = parts.evaluations.filter(parts.member_rows[row], organization_id__in=ids)
    return Person.objects.filter(pk__in=chosen.values("person_id"))


# --------------------------------------------------------------------------------------------------
# 第九表 党员培训情况
# --------------------------------------------------------------------------------------------------

TABLE_9_SUPPLEMENT = ("农村党组织书记培训", "社区党务工作者培训", "国有企业二级及以下单位（部门）党组织书记培训",
                      "非公有制经济控制企业党组织书记培训", "党员年度集中学习培训达标的基层党组织",
                      "基层党组织书记和班子成员年度集中学习培训达标的基层党组织")

SECRETARY_TRAINING = "基层党组织书记培训"
RURAL_SECRETARY = "农村党组织书记培训"
NON_PUBLIC_SECRETARY = "非公有制经济控制企业党组织书记培训"

TABLE_9_FUTURE_SOURCES = {
    "新党员培训": "预备党员的培训记录：发展党员第21步（继续教育考察，development.DevelopmentStep）目前不记培训人次，"
             "给该步骤加上培训天数/学时后可按人次统计",
    "总数": "各栏都有记录来源后为各栏之和（目前只有基层党组织书记培训有记录）",
}
"""Cells that could be filled once the other parts of issue #11 land (the lead wires them after merging)."""

CANDIDATE_TRAINING = "发展对象集中培训（发展党员第11步，不是第九表的栏目）"
CANDIDATE_TRAINING_STEP = 11  # development.rules.STEPS: 集中培训 (≥ 3 days or 24 class hours)


def table_9(ctx: LifeContext) -> dict:
    """第九表 of the year ``ctx.year``. What the records hold: 基层党组织书记培训 (人次) = the 书记培训
    (``branches.TrainingRecord``, 支部书记持证上岗) of organizations of the subtree that ended in the year, and
    of these, by the unit the organization is set up in, 补充资料 农村党组织书记培训 (行政村) and
    非公有制经济控制企业党组织书记培训 (企业, 非公有经济控制). Every other cell is ``None`` and named under
    「无记录来源」 — no record holds them (国有企业二级及以下单位 cannot be told from the unit records; 总数 would
    need every column); ``可接入来源`` says which record a cell will come from once it exists.
    ``发展对象集中培训`` (step 11 of the 25 steps, ≥ 3 days or 24 class hours; 《中国共产党发展党员工作细则》
    第十八条) is not a column of 第九表; it is shown beside the table: the step-11 records
    (``development.DevelopmentStep``) of development records of the subtree dated in the year (人次). One
    grouped query plus ``organization_unit_facts``, and one count."""
    from zugong.branches.models import TrainingRecord
    from zugong.development.models import DevelopmentStep

    groups = list(TrainingRecord.objects.restrict(ctx.user, "view")
                  .filter(ctx.subtree(), end_date__gte=dt.date(ctx.year, 1, 1), end_date__lte=dt.date(ctx.year, 12, 31))
                  .order_by().values("organization_id").annotate(n=Count("pk")))
    ids = {g["organization_id"] for g in groups}
    facts = organization_unit_facts(organizations=ctx.organizations.filter(pk__in=ids)) if ids else {}

    def of(g) -> UnitFacts:
        return facts.get(g["organization_id"], UnitFacts())

    cells = {c.key: None for c in TABLE_9.columns}
    cells[SECRETARY_TRAINING] = sum(g["n"] for g in groups)
    supplement = {label: None for label in TABLE_9_SUPPLEMENT}
    supplement[RURAL_SECRETARY] = sum(g["n"] for g in groups if of(g).unit_category == "village")
    supplement[NON_PUBLIC_SECRETARY] = sum(g["n"] for g in groups if of(g).unit_category == "enterprise"
                                           and of(g).economic_control == "non_public_controlled")
    return {
        "表": TABLE_9.heading, "年度": ctx.year,
        "数据": {"人次": cells},
        "补充资料": supplement,
        "无记录来源": [*(k for k, v in cells.items() if v is None),
                  *(f"补充资料：{k}" for k, v in supplement.items() if v is None)],
        "可接入来源": dict(TABLE_9_FUTURE_SOURCES),
        CANDIDATE_TRAINING: DevelopmentStep.objects.restrict(ctx.user, "view").filter(
            ctx.subtree("record__organization"), step=CANDIDATE_TRAINING_STEP, date__gte=dt.date(ctx.year, 1, 1),
            date__lte=dt.date(ctx.year, 12, 31)).count(),
    }


def certification_section(ctx: LifeContext) -> dict:
    """支部书记持证上岗 on ``end`` (``branches.certification.certified_rate``: branches of the subtree existing
    that day, the secretary post held that day, a certificate valid that day), keyed in Chinese:
    ``{"截至日期", "支部数", "有书记的支部数", "书记空缺的支部数", "书记持证的支部数", "书记未持证的支部数",
    "证书90天内到期", "证书已过期", "持证上岗率" (percent of 有书记的支部数, one decimal; null without a
    secretary), "依据"}``."""
    from zugong.branches.certification import certified_rate

    r = certified_rate(user=ctx.user, organization=ctx.root, on=ctx.end)
    return {"截至日期": ctx.end.isoformat(), "支部数": r["branches"], "有书记的支部数": r["with_secretary"],
            "书记空缺的支部数": r["vacant"], "书记持证的支部数": r["certified"], "书记未持证的支部数": r["uncertified"],
            "证书90天内到期": r["expiring"], "证书已过期": r["expired"], "持证上岗率": r["rate_percent"],
            "依据": r["rules"]["source"]}


def compliance_section(ctx: LifeContext) -> dict:
    """组织生活达标率 over ``[start, end]`` (``life.compliance.evaluate``: every branch of the subtree, every rule
    in force, the periods (月/季度/年) that overlap the window and have ended by ``end`` — a period still
    running on ``end`` is not owed — capped at today), keyed in Chinese: ``{"截至日期", "支部数" (branches a
    rule applies to), "应开" (Σ meetings owed), "已落实" (Σ min(held, required) per owed period), "落实率"
    (percent of 应开, one decimal; null when nothing is owed), "全部落实的支部数", "未全部落实的支部数",
    "按要求": [{"要求" (rule key, e.g. 支部委员会会议, 党课（书记讲党课）), "依据", "应开", "已落实", "缺项"
    (missing periods, summed over branches)}]}``. Source of the rules: ``life.rules`` (《中国共产党支部工作条例
    （试行）》)."""
    from zugong.life.compliance import evaluate

    as_of = min(ctx.end + dt.timedelta(days=1), timezone.localdate() + dt.timedelta(days=1))
    results = evaluate(user=ctx.user, organization=ctx.root, start=ctx.start, end=ctx.end, today=as_of)
    by_rule: dict[str, dict] = {}
    owed = done = complete = 0
    for branch in results:
        branch.total()
        owed += branch.owed
        done += branch.done
        complete += branch.owed > 0 and branch.done == branch.owed
        for r in branch.rules:
            row = by_rule.setdefault(r.rule.key, {"要求": r.rule.key, "依据": r.rule.source, "应开": 0, "已落实": 0,
                                                  "缺项": 0})
            row["应开"] += r.owed
            row["已落实"] += r.done
            row["缺项"] += len(r.missing)
    owing = sum(1 for b in results if b.owed)
    return {"截至日期": (as_of - dt.timedelta(days=1)).isoformat(), "支部数": len(results), "应开": owed,
            "已落实": done, "落实率": round(100.0 * done / owed, 1) if owed else None,
            "全部落实的支部数": complete, "未全部落实的支部数": owing - complete,
            "按要求": list(by_rule.values())}


def grading_section(ctx: LifeContext) -> dict:
    """党支部达标晋级 of the year of ``end`` (``grading.selectors.grade_figures``: branches existing during the
    year, the gradings of the year by scheme and level, 示范党支部, the 软弱涣散 entries), keyed in Chinese:
    ``{"年度", "支部数", "已评定的支部数", "按等次": [{"方案", "等次", "个数"}], "示范党支部",
    "软弱涣散": {"列入", "整改完成", "已验收"}}`` (个数: gradings of that level; 等次 未达任何等次 when none)."""
    from zugong.grading.selectors import grade_figures

    g = grade_figures(user=ctx.user, organization=ctx.root, year=ctx.year)
    return {"年度": ctx.year, "支部数": g["branches"], "已评定的支部数": g["graded"],
            "按等次": [{"方案": r["scheme_name"], "等次": r["level_name"], "个数": r["count"]} for r in g["by_level"]],
            "示范党支部": g["model_branches"],
            "软弱涣散": {"列入": g["weak"]["identified"], "整改完成": g["weak"]["rectified"], "已验收": g["weak"]["verified"]}}


def _year_context(*, user, root: PartyOrganization, year: int) -> LifeContext:
    return LifeContext(user=user, root=root, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))


def annual_life_tables(*, user, root: PartyOrganization, year: int) -> dict[str, dict]:
    """第八表 and 第九表 for the 党内统计年报 (``reports.annual.annual_report``): ``{title: {row: {column:
    n|None}}}`` of ``root``'s subtree (already checked in ``user``'s scope) for ``year``."""
    ctx = _year_context(user=user, root=root, year=year)
    return {TABLE_8.title: table_8(ctx)["数据"], TABLE_9.title: table_9(ctx)["数据"]}


def annual_life_records(*, user, root: PartyOrganization, year: int, table: int, row: str, column: str):
    """The records behind a figure of 第八表 (``table_8_records``) or 第九表 (the people trained for
    基层党组织书记培训; none for the cells without a record source)."""
    if table == TABLE_9.number:
        from zugong.branches.models import TrainingRecord
        from zugong.people.models import Person

        if column != SECRETARY_TRAINING:
            return Person.objects.none()
        trainings = TrainingRecord.objects.restrict(user, "view").filter(
            organization__path__startswith=root.path, end_date__gte=dt.date(year, 1, 1),
            end_date__lte=dt.date(year, 12, 31))
        return Person.objects.filter(pk__in=trainings.values("person_id"))
    return table_8_records(_year_context(user=user, root=root, year=year), row, column)


# --------------------------------------------------------------------------------------------------
# The sections and the one JSON function
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    """One part of the statistics: ``key`` (JSON key), ``title`` (page heading) and ``provider(ctx) ->
    dict`` — ``None`` for a hook not wired yet (``null`` in the JSON, 「（待接入）」 on the page)."""

    key: str
    title: str
    provider: Callable[[LifeContext], dict] | None


SECTIONS: tuple[Section, ...] = (
    Section("meetings", "组织生活会议", meetings_section),
    Section("development", "发展党员", development_section),
    Section("member_evaluation", "民主评议党员（年报第八表）", table_8),
    Section("training", "党员培训（年报第九表）", table_9),
    Section("compliance", "组织生活达标率", compliance_section),
    Section("grading", "党支部达标晋级等次", grading_section),
    Section("certification", "支部书记持证上岗率", certification_section),
)


def life_stats_json(*, user, organization: PartyOrganization, start: dt.date, end: dt.date) -> dict:
    """The 组织生活统计 of ``organization``'s subtree for ``[start, end]`` (inclusive), restricted to
    ``user``'s ``party.view`` scope: the shape of the module docstring, one key per ``SECTIONS`` entry.

    Raises ``OutOfScope`` when ``organization`` is not in ``PartyOrganization.objects.restrict(user,
    "view")``, ``ValidationFailed`` when ``start > end``."""
    root = PartyOrganization.objects.restrict(user, "view").filter(pk=organization.pk).first()
    if root is None:
        raise OutOfScope("组织不存在或不在您的数据范围内。")
    if start > end:
        reason = f"起始日期 {start.isoformat()} 晚于截止日期 {end.isoformat()}"
        raise ValidationFailed([RowError(0, "起始日期", reason)], message=reason)
    ctx = LifeContext(user=user, root=root, start=start, end=end)
    result = {"组织代码": root.code, "组织名称": root.name, "起始日期": start.isoformat(), "截止日期": end.isoformat(),
              "年度": ctx.year}
    for section in SECTIONS:
        result[section.key] = section.provider(ctx) if section.provider is not None else None
    return result


def life_stats_text(data: dict) -> str:
    """``life_stats_json``'s result as readable text (the CLI's ``--format text``)."""
    lines = [f"组织生活统计 — {data['组织名称']}（{data['组织代码']}，{data['起始日期']} 至 {data['截止日期']}，含下级组织）", ""]
    meetings = data["meetings"]
    lines.append("一、组织生活会议")
    lines.append(f"  {'会议类型':<12}{'次数':>6}{'应到':>8}{'实到':>8}{'出席率(%)':>10}")
    for label, row in [*meetings["按会议类型"].items(), ("合计", meetings["合计"])]:
        rate = "" if row["出席率"] is None else f"{row['出席率']:.1f}"
        lines.append(f"  {label:<12}{row['次数']:>6}{row['应到']:>8}{row['实到']:>8}{rate:>10}")
    dev = data["development"]
    lines += ["", f"二、发展党员（截至 {dev['截至日期']}）"]
    for stage in STAGES:
        lines.append(f"  {stage}：累计口径 {dev['累计口径'][stage]}，分阶段口径 {dev['分阶段口径'][stage]}")
    lines.append(f"  本期发展党员 {dev['发展党员']} 名，转正 {dev['转正']} 名")
    for key, title in (("member_evaluation", "三"), ("training", "四")):
        table = data[key]
        lines += ["", f"{title}、{table['表']}（{table['年度']}年度）"]
        for row, cells in table["数据"].items():
            shown = "，".join(f"{c} {'无记录来源' if v is None else v}" for c, v in cells.items())
            lines.append(f"  {row}：{shown}")
        if table["无记录来源"]:
            lines.append("  无记录来源：" + "；".join(table["无记录来源"]))
    cert = data.get("certification")
    if cert:
        rate = "—" if cert["持证上岗率"] is None else f"{cert['持证上岗率']:.1f}%"
        lines += ["", f"五、支部书记持证上岗（截至 {cert['截至日期']}）",
                  f"  持证上岗率 {rate}：书记持证的支部 {cert['书记持证的支部数']} 个，有书记的支部 {cert['有书记的支部数']} 个，"
                  f"书记空缺 {cert['书记空缺的支部数']} 个"]
    grading = data.get("grading")
    if grading:
        levels = "，".join(f"{r['方案']}·{r['等次']} {r['个数']}" for r in grading["按等次"]) or "无"
        weak = grading["软弱涣散"]
        lines += ["", f"六、党支部达标晋级（{grading['年度']}年度）",
                  f"  支部 {grading['支部数']} 个，已评定 {grading['已评定的支部数']} 个；按等次：{levels}；"
                  f"示范党支部 {grading['示范党支部']} 个；软弱涣散 列入 {weak['列入']}、整改完成 {weak['整改完成']}、已验收 {weak['已验收']}"]
    pending = [s.title for s in SECTIONS if s.provider is None]
    if pending:
        lines += ["", "待接入：" + "、".join(pending)]
    return "\n".join(lines) + "\n"
