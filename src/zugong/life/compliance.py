"""The compliance engine (组织生活落实情况): every branch of a scoped subtree × every applicable
``ComplianceRule`` × every period (月 / 季度 / 年) of a window, checked against the meetings recorded.

Rules of evaluation (``shared/rules.md`` §2, issue #11; the rule table: ``life.rules``):

- **Branches**: organizations of ``core.codes.ORG_TYPES_BRANCH`` (党支部, 联合党支部, 临时党支部) in the
  subtree, within the user's ``party.view`` scope. Meetings held by a committee or a general branch (党委,
  党总支) for their own members are recorded but are not branch compliance; a 党小组会 held by one of the
  branch's 党小组 (``party_group`` children) counts for the branch (only 党小组会: other meetings of a group
  count for no rule).
- **Periods owed**: a rule binds a period when it is in force on the period's last day
  (``effective_from <= end`` and ``effective_to`` empty or after ``end``). A branch owes only the periods
  that END on or after its founding date (成立日期) and end before its dissolution date (撤销日期: a
  dissolved branch owes nothing after it; the period in which it was dissolved is not owed either).
- **Committee** (``applies_to="with_committee"``, 支委会): the period counts only when the branch has a
  committee on the period's last day (today for the current period): at least
  ``branches.choices.COMMITTEE_MIN_OFFICERS`` posts of ``branches.BranchOfficer`` held that day.
- **Groups** (``applies_to="with_groups"``, 党小组会): only when the branch has a 党小组 existing at some
  time in the period (up to today for the current period).
- **Secretary's lecture** (``secretary_lecture_only``): only 党课 marked ``secretary_lecture`` count.
- **Status of a period**: ``met`` (达标: at least ``min_count`` meetings), ``missing`` (缺: the period
  has ended — its last day is before today — with fewer), ``in_progress`` (进行中: not ended and not yet
  met). Only ended periods are owed: an in-progress period, even one met early (status ``met``,
  ``counted=False``), adds nothing to 应开 or 已开.
- **Figures per branch × rule**: ``owed`` 应开 = Σ ``min_count`` over the owed (ended, applicable)
  periods; ``held`` 已开 = meetings actually held in those periods (uncapped); ``done`` = Σ
  min(held, min_count) per owed period (an extra meeting in one month does not make up for another);
  ``missing`` 缺 = labels of the owed periods not met: ``"2023-07"``, ``"2023Q2"``, ``"2023"``.
  The 落实率 of a branch is Σ done / Σ owed over its rules (``None`` when it owes nothing yet).

Queries: the rules, the branches with (when a group rule is in force) the party groups, the officers
(when a committee rule is), and ONE grouped count of the meetings (organization × type × 书记讲党课 × month,
the month as the first 7 characters of the ISO date) — four queries whatever the subtree's size; the
periods are folded in Python from the month buckets.

The 晾晒 page ranks thousands of branches but shows 100: ``rank`` gives the same order and figures from
per-branch sums computed in the database (Σ min(held, min_count) and the periods met, per branch × kind
of rule) and evaluates in detail only the branches the sums cannot express and the rows read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Count, ExpressionWrapper, F, IntegerField, Q, Value, When
from django.db.models.functions import Cast, Length, Substr
from django.utils import timezone

from zugong.branches.choices import COMMITTEE_MIN_OFFICERS
from zugong.core.codes import ORG_TYPES_BRANCH
from zugong.core.errors import FieldProblem, fail
from zugong.life.choices import MEETING_TYPE, RULE_APPLIES_TO, RULE_PERIOD

PERIOD_KINDS = ("month", "quarter", "year")
STATUS_LABELS = {"met": "达标", "missing": "未达标", "in_progress": "进行中", "not_owed": "不适用"}
QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}
NARROW_MAX = 900  # evaluate(branch_ids=...): up to this many organizations are named in the SQL (IN list)


# ----- periods ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """One calendar period: ``kind`` (``month``/``quarter``/``year``), first and last day (inclusive) and
    its ``label`` (``"2023-07"``, ``"2023Q2"``, ``"2023"``; ``title`` in Chinese: 2023年7月 …)."""

    kind: str
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def title(self) -> str:
        """The Chinese name: 2023年7月, 2023年第二季度, 2023年度."""
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年第{QUARTER_NAMES[(self.start.month - 1) // 3 + 1]}季度"
        return f"{self.start.year}年度"


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, 12, 31) if month == 12 else dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def make_period(kind: str, year: int, number: int = 1) -> Period:
    """The ``number``-th month (1–12) or quarter (1–4) of ``year``, or the year itself."""
    if kind == "month":
        return Period("month", dt.date(year, number, 1), _month_end(year, number))
    if kind == "quarter":
        first = 3 * (number - 1) + 1
        return Period("quarter", dt.date(year, first, 1), _month_end(year, first + 2))
    return Period("year", dt.date(year, 1, 1), dt.date(year, 12, 31))


def periods_overlapping(kind: str, start: dt.date, end: dt.date) -> list[Period]:
    """Every period of ``kind`` that overlaps ``[start, end]`` (both inclusive), in order."""
    out = []
    for year in range(start.year, end.year + 1):
        count = {"month": 12, "quarter": 4, "year": 1}[kind]
        for number in range(1, count + 1):
            p = make_period(kind, year, number)
            if p.end >= start and p.start <= end:
                out.append(p)
    return out


def parse_period(text: str) -> Period:
    """``"2026-07"`` (月度通报), ``"2026Q3"`` (季度评比) or ``"2026"`` (年度) → ``Period``.

    Raises ``ValidationFailed`` (field 期间) for anything else."""
    text = (text or "").strip().upper()
    try:
        if len(text) == 4 and text.isdigit():
            return make_period("year", int(text))
        if len(text) == 6 and text[4] == "Q" and text[:4].isdigit() and text[5] in "1234":
            return make_period("quarter", int(text[:4]), int(text[5]))
        if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() \
                and 1 <= int(text[5:]) <= 12:
            return make_period("month", int(text[:4]), int(text[5:]))
    except ValueError:
        pass
    fail([FieldProblem("期间", f"「{text}」不是有效的期间，应为 YYYY-MM（月）、YYYYQn（季度）或 YYYY（年）")])
    raise AssertionError  # fail() always raises


def _label_of(kind: str, ym: str) -> str:
    """Period label of the month bucket ``ym`` (``"2023-07"``) for ``kind``."""
    if kind == "month":
        return ym
    if kind == "quarter":
        return f"{ym[:4]}Q{(int(ym[5:7]) - 1) // 3 + 1}"
    return ym[:4]


# ----- rules --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleSpec:
    """A ``ComplianceRule`` row as the engine reads it. ``key`` is the rule's key in the results (the
    meeting type's Chinese name, ``党课（书记讲党课）`` for a secretary-only rule; when two rules in force
    would share one, the later ones add their ``（规则代码）``)."""

    code: str
    name: str
    key: str
    meeting_type: str
    min_count: int
    period: str
    applies_to: str
    secretary_lecture_only: bool
    regulation: str
    article: str
    effective_from: dt.date
    effective_to: dt.date | None

    @property
    def type_label(self) -> str:
        return MEETING_TYPE.label(self.meeting_type)

    @property
    def source(self) -> str:
        """``《中国共产党支部工作条例（试行）》第十二条``."""
        return f"{self.regulation}{self.article}"

    @property
    def applies_label(self) -> str:
        """「适用：设支部委员会的党支部；每月至少1次」."""
        text = f"适用：{RULE_APPLIES_TO.label(self.applies_to)}；{RULE_PERIOD.label(self.period)}至少{self.min_count}次"
        return text + ("（只计书记讲党课）" if self.secretary_lecture_only else "")

    @property
    def count_key(self) -> str:
        return f"{self.meeting_type}*" if self.secretary_lecture_only else self.meeting_type

    def in_force_on(self, day: dt.date) -> bool:
        """In force on ``day``: ``effective_from <= day`` and ``effective_to`` empty or after it."""
        return self.effective_from <= day and (self.effective_to is None or self.effective_to > day)


def rules_for(start: dt.date, end: dt.date) -> list[RuleSpec]:
    """The rules in force at some time in ``[start, end]`` (1 query), in the order of ``MEETING_TYPE``
    (meeting type), the secretary-only rule after the others, shipped rules before local ones (so a
    shipped rule keeps the plain key), then code."""
    from zugong.life.models import ComplianceRule

    rows = ComplianceRule.objects.filter(effective_from__lte=end).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gt=start))
    order = {code: i for i, code in enumerate(MEETING_TYPE.entries)}
    rows = sorted(rows, key=lambda r: (order.get(r.meeting_type, 99), r.secretary_lecture_only, not r.is_builtin, r.code))
    out, used = [], set()
    for r in rows:
        key = MEETING_TYPE.label(r.meeting_type) + ("（书记讲党课）" if r.secretary_lecture_only else "")
        if key in used:
            key = f"{key}（{r.code}）"
        used.add(key)
        out.append(RuleSpec(r.code, r.name, key, r.meeting_type, r.min_count, r.period, r.applies_to,
                            r.secretary_lecture_only, r.regulation, r.article, r.effective_from, r.effective_to))
    return out


# ----- results ------------------------------------------------------------------------------------------------


@dataclass
class PeriodResult:
    """One period of one rule for one branch (drill-down only): ``status`` (``STATUS_LABELS``), meetings
    ``held``, ``required`` (the rule's ``min_count``), ``counted`` (owed: ended and applicable),
    ``reason`` why a period is not owed (成立前 / 撤销后 / 未设支部委员会 / 未设党小组 / 规则未施行)."""

    period: Period
    status: str
    held: int
    required: int
    counted: bool
    reason: str = ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(slots=True)
class RuleResult:
    """One rule for one branch over the window: 应开 ``owed``, 已开 ``held``, ``done`` (Σ min(held,
    min_count) per owed period), 缺 ``missing`` (period labels), the ``periods`` (drill-down) and
    ``missing_periods`` (``Period`` objects of ``missing``)."""

    rule: RuleSpec
    owed: int = 0
    held: int = 0
    done: int = 0
    missing: list[str] = field(default_factory=list)
    periods: list[PeriodResult] | None = None

    @property
    def missing_periods(self) -> list[Period]:
        """``missing`` as ``Period`` objects (for their Chinese titles and last days)."""
        return [parse_period(label) for label in self.missing]

    def as_json(self) -> dict:
        """``{"应开": n, "已开": n, "缺": [labels]}`` (the CLI's JSON)."""
        return {"应开": self.owed, "已开": self.held, "缺": list(self.missing)}


@dataclass
class BranchResult:
    """One branch: ``org_id``, 组织代码 ``code``, ``name``, tree ``path`` and its ``rules`` (only those
    that apply to it in at least one period of the window, in rule order)."""

    org_id: int
    code: str
    name: str
    path: str
    rules: list[RuleResult] = field(default_factory=list)
    owed: int = 0
    done: int = 0
    missing_count: int = 0
    rate: float | None = None

    def total(self) -> None:
        """Set the totals over ``rules``: ``owed`` Σ应开, ``done``, ``missing_count`` (missing periods) and
        ``rate`` 落实率 in percent (0–100, one decimal; ``None`` when nothing is owed yet)."""
        self.owed = sum(r.owed for r in self.rules)
        self.done = sum(r.done for r in self.rules)
        self.missing_count = sum(len(r.missing) for r in self.rules)
        self.rate = round(100.0 * self.done / self.owed, 1) if self.owed else None

    def rule(self, key: str) -> RuleResult | None:
        """This branch's result for the rule keyed ``key`` (``RuleSpec.key``), ``None`` when it does not apply."""
        return next((r for r in self.rules if r.rule.key == key), None)


# ----- evaluation ---------------------------------------------------------------------------------------------


def evaluate(*, user, organization, start: dt.date, end: dt.date, today: dt.date | None = None,
             detail: bool = False, rules: list[RuleSpec] | None = None,
             branch_ids=None) -> list[BranchResult]:
    """Evaluate every branch of ``organization``'s subtree (itself included if it is a branch) in
    ``user``'s ``party.view`` scope, for every period of every rule's kind overlapping ``[start, end]``,
    as of ``today`` (default ``timezone.localdate()``).

    Returns ``BranchResult``s in tree order (``path``), only branches to which at least one rule
    applies in the window. ``detail=True`` fills ``RuleResult.periods`` (the drill-down grid; costs
    memory, meant for one branch or a few). ``rules``: the rules to apply (default ``rules_for``).
    ``branch_ids``: only these branches (organization ids) of the subtree, e.g. the page of a ranking
    (``rank``) being shown; the meetings read are then only theirs and their 党小组's.
    Queries: 2–4 (see the module docstring)."""
    from zugong.life.models import Meeting

    today = today or timezone.localdate()
    rules = rules_for(start, end) if rules is None else rules
    if not rules:
        return []
    periods = {kind: periods_overlapping(kind, start, end) for kind in PERIOD_KINDS}
    window_start = min(periods[r.period][0].start for r in rules)
    window_end = max(periods[r.period][-1].end for r in rules)

    branch_rows, counted_org, group_orgs, groups_of, posts_of = _subtree(user, organization, rules, window_start,
                                                                         window_end, branch_ids)
    if not branch_rows:
        return []

    # one grouped count: organization × type × 书记讲党课 × month, each type only over its rules' periods
    # (a secretary-only rule reads only the lectures marked so; without ``detail`` only the ended periods,
    # the only ones that count — the current period's meetings are shown in the drill-down)
    kinds_of: dict[str, set[str]] = defaultdict(set)
    for r in rules:
        kinds_of[r.meeting_type].add(r.period)
    type_window = Q(pk__in=[])
    windows = 0
    for r in rules:
        spans = [p for p in periods[r.period] if detail or p.end < today]
        if not spans:
            continue
        windows += 1
        condition = Q(meeting_type=r.meeting_type, date__gte=spans[0].start, date__lte=spans[-1].end)
        if r.secretary_lecture_only:
            condition &= Q(secretary_lecture=True)
        type_window |= condition
    month = Substr(Cast("date", output_field=CharField()), 1, 7)
    grouped = (Meeting.objects.restrict(user, "view")
               .filter(organization__path__startswith=organization.path,
                       organization__org_type__in=(*ORG_TYPES_BRANCH, "party_group"))
               .filter(type_window)
               .annotate(ym=month).values_list("organization_id", "meeting_type", "secretary_lecture", "ym")
               .annotate(n=Count("pk")).order_by())
    if branch_ids is not None and len(counted_org) <= NARROW_MAX:
        grouped = grouped.filter(organization_id__in=list(counted_org))
    rows = _raw_rows(grouped) if windows else []  # nothing ended yet: no meeting counts, no query
    # counts[branch][count key][period label] = meetings; the count key is the meeting type, with a "*"
    # for the 书记讲党课 among the 党课
    counts: dict[int, dict[str, dict[str, int]]] = {}
    labels: dict[tuple[str, str], str] = {}
    for org_id, mtype, secretary, ym, n in rows:
        branch = counted_org.get(org_id)
        if branch is None or (org_id in group_orgs and mtype != "group_meeting"):
            continue
        by_key = counts.get(branch)
        if by_key is None:
            by_key = counts[branch] = {}
        keys = (mtype, f"{mtype}*") if secretary else (mtype,)
        for kind in kinds_of[mtype]:
            label = labels.get((kind, ym))
            if label is None:
                label = labels[(kind, ym)] = _label_of(kind, ym)
            for key in keys:
                d = by_key.get(key)
                if d is None:
                    d = by_key[key] = {}
                d[label] = d.get(label, 0) + n

    plans = [_RulePlan(r, periods[r.period], today) for r in rules]
    plain_plans = [(p, p.rule, p.count_key, p.applies_to, p.single, p.all_in_force) for p in plans]
    results = []
    empty: dict = {}
    for org_id, code, name, path, founded, dissolved in branch_rows:
        by_key = counts.get(org_id, empty)
        posts = posts_of.get(org_id, ())
        groups = groups_of.get(org_id, ())
        dates_plain = not detail and (founded is None or founded <= window_start) and dissolved is None
        committee = _always_or_never(posts, window_start, COMMITTEE_MIN_OFFICERS)
        grouped = _always_or_never(groups, window_start, 1)
        branch = BranchResult(org_id, code, name, path)
        found = branch.rules
        owed = done = missing = 0
        for plan, rule, ckey, applies_to, single, all_in_force in plain_plans:
            held_by = by_key.get(ckey, empty)
            condition = True if applies_to == "all" else (committee if applies_to == "with_committee" else grouped)
            if condition is False:
                if detail:
                    found.append(plan.slow(held_by, founded, dissolved, posts, groups, detail))
                continue
            if dates_plain and condition is True and all_in_force:
                if single is not None:  # one ended period, one meeting required: the monthly 通报's case
                    n = held_by.get(single, 0)
                    res = RuleResult(rule, 1, n, 1, []) if n else RuleResult(rule, 1, 0, 0, [single])
                else:
                    res = plan.fast(held_by)
            else:
                res = plan.slow(held_by, founded, dissolved, posts, groups, detail)
                if res is None:
                    continue
            found.append(res)
            owed += res.owed
            done += res.done
            missing += len(res.missing)
        if found:
            branch.owed, branch.done, branch.missing_count = owed, done, missing
            branch.rate = round(100.0 * done / owed, 1) if owed else None
            results.append(branch)
    if detail:
        for branch in results:  # a rule applying in no period of the window is left out here too
            branch.rules = [r for r in branch.rules if any(p.status != "not_owed" for p in r.periods)]
            branch.total()
        results = [b for b in results if b.rules]
    return results


def _subtree(user, organization, rules, window_start: dt.date, window_end: dt.date, branch_ids=None):
    """The branches of ``organization``'s subtree existing in the window (scoped ``party.view``, tree
    order; only ``branch_ids`` when given) as ``(id, code, name, path, founded, dissolved)`` rows, with
    ``counted_org`` (organization id → the branch its meetings count for: itself, or a 党小组's branch),
    ``group_orgs`` (ids of the 党小组), ``groups_of`` (branch → its 党小组's ``(founded, dissolved)``) and
    ``posts_of`` (branch → its 班子成员 posts ``(start, end)`` overlapping the window; read only when a
    committee rule is among ``rules``). 1–2 queries."""
    from zugong.branches.models import BranchOfficer
    from zugong.orgs.models import PartyOrganization

    # the branches existing in the window and (when a 党小组 rule is in force) every 党小组: one query
    with_groups = any(r.meeting_type == "group_meeting" or r.applies_to == "with_groups" for r in rules)
    branch_q = (Q(org_type__in=ORG_TYPES_BRANCH)
                & (Q(founded_date__isnull=True) | Q(founded_date__lte=window_end))
                & (Q(dissolved_date__isnull=True) | Q(dissolved_date__gt=window_start))
                & ~Q(status="dissolved", dissolved_date__isnull=True))
    orgs = (PartyOrganization.objects.restrict(user, "view", label="party").filter(path__startswith=organization.path)
            .filter(branch_q | Q(org_type="party_group") if with_groups else branch_q))
    narrow = branch_ids is not None and len(branch_ids) <= NARROW_MAX
    if narrow:  # these branches and the 党小组 directly under them
        paths = list(orgs.filter(pk__in=list(branch_ids)).values_list("path", flat=True))
        orgs = orgs.annotate(zparent=Substr("path", 1, Length("path") - PartyOrganization.steplen)).filter(
            Q(pk__in=list(branch_ids)) | Q(org_type="party_group", zparent__in=paths))
    org_rows = _org_rows(
        orgs.order_by("path")
        .values_list("pk", "code", "name", "path", "founded_date", "dissolved_date", "org_type", "status")
    )
    branch_rows = [row[:6] for row in org_rows if row[6] != "party_group"]
    if branch_ids is not None:
        wanted = set(branch_ids)
        branch_rows = [row for row in branch_rows if row[0] in wanted]
    if not branch_rows:
        return [], {}, set(), {}, {}
    branch_by_path = {row[3]: row[0] for row in branch_rows}

    # 党小组 of the branches: existence intervals per branch, and group → branch for their 党小组会
    steplen = PartyOrganization.steplen
    groups_of: dict[int, list[tuple]] = defaultdict(list)
    counted_org: dict[int, int] = {row[0]: row[0] for row in branch_rows}
    group_orgs: set[int] = set()
    for pk, _code, _name, path, founded, dissolved, org_type, status in org_rows:
        if org_type != "party_group":
            continue
        branch = branch_by_path.get(path[:-steplen])
        if branch is None:
            continue
        counted_org[pk] = branch
        group_orgs.add(pk)
        if status == "dissolved" and dissolved is None:
            continue
        groups_of[branch].append((founded, dissolved))

    # 班子成员 posts overlapping the window, per branch (committee rule)
    posts_of: dict[int, list[tuple]] = defaultdict(list)
    if any(r.applies_to == "with_committee" for r in rules):
        posts = (BranchOfficer.objects.restrict(user, "view")
                 .filter(organization__path__startswith=organization.path,
                         organization__org_type__in=ORG_TYPES_BRANCH, start_date__lte=window_end)
                 .filter(Q(end_date__isnull=True) | Q(end_date__gt=window_start))
                 .values_list("organization_id", "start_date", "end_date"))
        if narrow:
            posts = posts.filter(organization_id__in=list(counted_org))
        iso = dt.date.fromisoformat  # read raw: thousands of posts; SQLite returns the dates as ISO text
        for org_id, s, e in _raw_rows(posts):
            posts_of[org_id].append((iso(s) if isinstance(s, str) else s, iso(e) if isinstance(e, str) else e))

    return branch_rows, counted_org, group_orgs, groups_of, posts_of


def _raw_rows(queryset) -> list[tuple]:
    """The rows of ``queryset`` (a scoped ``values_list``) as the database cursor returns them, without
    Django's per-row converters: tens of thousands of grouped counts over a large subtree. Only for
    columns whose raw values mean the same on every backend (ids, text, counts; a boolean read as truthy)."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    compiler = queryset.query.get_compiler(queryset.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # ``restrict`` without any grant: ``none()``
        return []
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _org_rows(queryset) -> list[tuple]:
    """The rows of the organizations' ``values_list`` (id, code, name, path, founded, dissolved, type,
    status) read raw (``_raw_rows``: thousands of branches), the two dates as ``datetime.date`` (SQLite
    returns them as ISO text)."""
    iso = dt.date.fromisoformat
    return [(a, b, c, d, iso(f) if isinstance(f, str) else f, iso(x) if isinstance(x, str) else x, t, st)
            for a, b, c, d, f, x, t, st in _raw_rows(queryset)]


def _always_or_never(spans, window_start: dt.date, minimum: int) -> bool | None:
    """Whether ``spans`` (``(start, end)`` pairs: officer posts, or a branch's 党小组 ``(founded,
    dissolved)``) number at least ``minimum`` on every day of the window (``True``: all began by
    ``window_start`` and are open), on no day (``False``: there are none), or it depends on the day
    (``None``: check each period)."""
    if not spans:
        return False
    if all((s is None or s <= window_start) and e is None for s, e in spans):
        return len(spans) >= minimum
    return None


class _RulePlan:
    """One rule's periods over the window, prepared once per evaluation: ``fast`` for the common branch
    (existing all along, the rule's condition holding all along, the rule in force in every period),
    ``slow`` period by period otherwise (and for the drill-down)."""

    def __init__(self, rule: RuleSpec, periods: list[Period], today: dt.date):
        self.rule = rule
        self.count_key = rule.count_key
        self.applies_to = rule.applies_to
        self.periods = [(p, p.label, p.end < today, min(p.end, today), rule.in_force_on(p.end)) for p in periods]
        self.all_in_force = all(item[4] for item in self.periods)
        self.ended = tuple(item[1] for item in self.periods if item[2])
        self.single = self.ended[0] if len(self.ended) == 1 and rule.min_count == 1 else None

    def fast(self, held_by: dict) -> RuleResult:
        need = self.rule.min_count
        ended = self.ended
        if not held_by:
            return RuleResult(self.rule, need * len(ended), 0, 0, list(ended))
        if need == 1:
            missing = [label for label in ended if label not in held_by]
            done = len(ended) - len(missing)
        else:
            got = [held_by.get(label, 0) for label in ended]
            missing = [label for label, n in zip(ended, got, strict=True) if n < need]
            done = sum(n if n < need else need for n in got)
        held = sum(held_by[label] for label in ended if label in held_by)
        return RuleResult(self.rule, need * len(ended), held, done, missing)

    def slow(self, held_by: dict, founded, dissolved, posts, groups, detail: bool) -> RuleResult | None:
        rule = self.rule
        res = RuleResult(rule, periods=[] if detail else None)
        applies = False
        need = rule.min_count
        for p, label, ended, check_day, in_force in self.periods:
            reason = ""
            if not in_force:
                reason = "规则未施行"
            elif founded is not None and p.end < founded:
                reason = "成立前"
            elif dissolved is not None and p.end >= dissolved:
                reason = "撤销后"
            elif rule.applies_to == "with_committee" and sum(
                    1 for s, e in posts if s <= check_day and (e is None or e > check_day)) < COMMITTEE_MIN_OFFICERS:
                reason = "未设支部委员会"
            elif rule.applies_to == "with_groups" and not any(
                    (f is None or f <= check_day) and (d is None or d > p.start) for f, d in groups):
                reason = "未设党小组"
            n = held_by.get(label, 0)
            if reason:
                if detail:
                    res.periods.append(PeriodResult(p, "not_owed", n, need, False, reason))
                continue
            applies = True
            if ended:
                res.owed += need
                res.held += n
                res.done += n if n < need else need
                if n < need:
                    res.missing.append(label)
                    status = "missing"
                else:
                    status = "met"
            else:
                status = "met" if n >= need else "in_progress"
            if detail:
                res.periods.append(PeriodResult(p, status, n, need, ended))
        return res if applies or detail else None


def compliance_json(results: list[BranchResult]) -> dict:
    """The CLI's JSON: ``{"<组织代码>": {"<规则键，如 支部党员大会>": {"应开": n, "已开": n, "缺": [...]}}}``
    over every branch evaluated, each with the rules that apply to it (``RuleSpec.key``)."""
    return {b.code: {r.rule.key: r.as_json() for r in b.rules} for b in results}


def ranking(results: list[BranchResult]) -> list[BranchResult]:
    """The 晾晒 order: lowest 落实率 first (branches owing nothing yet last), then most missing periods,
    then tree order."""
    return sorted(results, key=lambda b: (b.rate if b.rate is not None else 1000.0, -b.missing_count, b.path))


# ----- the ranking of a large subtree ----------------------------------------------------------------------------

APPLIES_CLASSES = ("all", "with_committee", "with_groups")


class RankedBranches(Sequence):
    """The branches of a ``rank`` in 晾晒 order (as ``ranking(evaluate(...))``), as a sequence whose items
    are ``BranchResult``s built only when read: ``ranked[100:200]`` evaluates those hundred branches in
    detail (one ``evaluate(branch_ids=...)``, 2–4 queries), the others stay figures.

    Attributes: ``owed`` Σ应开, ``done`` Σ达标次数, ``behind`` (branches with a missing period) over all
    the branches, ``used`` (keys of the rules applying to at least one of them)."""

    def __init__(self, entries: list[tuple], known: dict[int, BranchResult], materialize, *, owed: int = 0,
                 done: int = 0, behind: int = 0, used: set[str] | None = None):
        self._entries = entries  # (ranking key…, org_id), sorted
        self._known = known
        self._materialize = materialize
        self.owed, self.done, self.behind, self.used = owed, done, behind, used or set()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self):
        """All the rows, evaluated together (one ``evaluate``), not one by one."""
        return iter(self[0:len(self)])

    def __getitem__(self, index):
        if isinstance(index, slice):
            ids = [entry[-1] for entry in self._entries[index]]
            absent = [pk for pk in ids if pk not in self._known]
            if absent:
                for branch in self._materialize(absent):
                    self._known[branch.org_id] = branch
            return [self._known[pk] for pk in ids]
        return self[index:index + 1 or None][0] if index != -1 else self[-1:][0]


def rank(*, user, organization, start: dt.date, end: dt.date, today: dt.date | None = None,
         rules: list[RuleSpec] | None = None) -> RankedBranches:
    """``ranking(evaluate(...))`` for the 晾晒 of a large subtree (same arguments, same order, same
    figures), without evaluating every branch in detail: the met periods are summed in the database.

    One aggregate query returns, per branch (a 党小组's 党小组会 counted for its branch) × kind of rule
    (``applies_to``: all / with_committee / with_groups), Σ min(held, min_count) over the ended periods
    and the number of ended periods met; with the branch's 应开 (Σ min_count × ended periods of the
    rules applying to it) this gives its 落实率 and missing count. Branches whose case the sums cannot
    express (founded or dissolved in the window, a committee or 党小组 changing in it) are evaluated in
    detail (``evaluate(branch_ids=...)``); when a rule is not in force all along the window, or requires
    fewer than one meeting, everything is. The rows are ``BranchResult``s built when read (``RankedBranches``).
    Queries: 4–6, then 2–4 per page read."""
    from zugong.life.models import Meeting

    today = today or timezone.localdate()
    rules = rules_for(start, end) if rules is None else rules

    def materialize(ids):
        return evaluate(user=user, organization=organization, start=start, end=end, today=today, rules=rules,
                        branch_ids=ids)

    def from_results(results):
        rows = ranking(results)
        return RankedBranches([(b.org_id,) for b in rows], {b.org_id: b for b in rows}, materialize,
                              owed=sum(b.owed for b in rows), done=sum(b.done for b in rows),
                              behind=sum(1 for b in rows if b.missing_count),
                              used={r.rule.key for b in rows for r in b.rules})

    if not rules:
        return from_results([])
    periods = {kind: periods_overlapping(kind, start, end) for kind in PERIOD_KINDS}
    plans = [_RulePlan(r, periods[r.period], today) for r in rules]
    if not all(p.all_in_force and p.rule.min_count >= 1 for p in plans):
        return from_results(evaluate(user=user, organization=organization, start=start, end=end, today=today,
                                     rules=rules))
    window_start = min(periods[r.period][0].start for r in rules)
    window_end = max(periods[r.period][-1].end for r in rules)
    branch_rows, _counted, _group_orgs, groups_of, posts_of = _subtree(user, organization, rules, window_start,
                                                                       window_end)

    # Σ min(held, need) and the periods met, per branch path × class, over each rule's ended periods
    from zugong.orgs.models import PartyOrganization

    steplen = PartyOrganization.steplen
    branch_path = Case(When(organization__org_type="party_group",
                            then=Substr("organization__path", 1, Length("organization__path") - steplen)),
                       default=F("organization__path"), output_field=CharField())
    # the period from the ISO text of the date (SQLite's date functions are Python callbacks: slow)
    iso = Cast("date", output_field=CharField())
    month_number = Cast(Substr(iso, 6, 2), output_field=IntegerField())
    bucket = {"month": month_number,
              "quarter": ExpressionWrapper((month_number + 2) / 3, output_field=IntegerField()),
              "year": Value(0, output_field=IntegerField())}
    base = Meeting.objects.restrict(user, "view").filter(organization__path__startswith=organization.path)
    parts = []
    for plan in plans:
        rule = plan.rule
        ended = [item[0] for item in plan.periods if item[2]]
        if not ended:
            continue
        group_rule = rule.meeting_type == "group_meeting"
        qs = base.filter(organization__org_type__in=(*ORG_TYPES_BRANCH, "party_group") if group_rule
                         else ORG_TYPES_BRANCH,
                         meeting_type=rule.meeting_type, date__gte=ended[0].start, date__lte=ended[-1].end)
        if rule.secretary_lecture_only:
            qs = qs.filter(secretary_lecture=True)
        parts.append(qs.annotate(zb=branch_path if group_rule else F("organization__path"),
                                 zc=Value(APPLIES_CLASSES.index(rule.applies_to), output_field=IntegerField()),
                                 zneed=Value(rule.min_count, output_field=IntegerField()),
                                 zy=Substr(iso, 1, 4), zp=bucket[rule.period],
                                 zr=Value(len(parts), output_field=IntegerField()))
                     .values_list("zb", "zc", "zneed", "zr", "zy", "zp").annotate(zn=Count("pk")).order_by())
    sums: dict[str, dict[int, tuple[int, int]]] = defaultdict(dict)
    if parts:
        union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for path, cls, done, met in _aggregate_rows(union):
            sums[path][cls] = (int(done), int(met))

    owed_of = [0, 0, 0]
    periods_of = [0, 0, 0]
    keys_of: list[list[str]] = [[], [], []]
    for plan in plans:
        c = APPLIES_CLASSES.index(plan.applies_to)
        owed_of[c] += plan.rule.min_count * len(plan.ended)
        periods_of[c] += len(plan.ended)
        keys_of[c].append(plan.rule.key)
    has = [bool(k) for k in keys_of]
    entries, slow, used_classes = [], [], set()
    empty: dict = {}
    for pk, _code, _name, path, founded, dissolved in branch_rows:
        committee = _always_or_never(posts_of.get(pk, ()), window_start, COMMITTEE_MIN_OFFICERS) if has[1] else False
        grouped = _always_or_never(groups_of.get(pk, ()), window_start, 1) if has[2] else False
        if (founded is not None and founded > window_start) or dissolved is not None or committee is None \
                or grouped is None:
            slow.append(pk)
            continue
        got = sums.get(path, empty)
        owed = done = missing = 0
        applies = False
        for c, condition in ((0, has[0]), (1, has[1] and committee), (2, has[2] and grouped)):
            if not condition:
                continue
            applies = True
            used_classes.add(c)
            done_c, met_c = got.get(c, (0, 0))
            owed += owed_of[c]
            done += done_c
            missing += periods_of[c] - met_c
        if applies:
            rate = round(100.0 * done / owed, 1) if owed else None
            entries.append((1000.0 if rate is None else rate, -missing, path, owed, done, missing, pk))
    known = {}
    if slow:
        for b in evaluate(user=user, organization=organization, start=start, end=end, today=today, rules=rules,
                          branch_ids=slow):
            known[b.org_id] = b
            entries.append((1000.0 if b.rate is None else b.rate, -b.missing_count, b.path, b.owed, b.done,
                            b.missing_count, b.org_id))
    entries.sort(key=lambda e: e[:3])
    used = {key for c in used_classes for key in keys_of[c]} | {r.rule.key for b in known.values() for r in b.rules}
    return RankedBranches(entries, known, materialize, owed=sum(e[3] for e in entries),
                          done=sum(e[4] for e in entries), behind=sum(1 for e in entries if e[5]), used=used)


def _aggregate_rows(union) -> list[tuple]:
    """``(branch path, class, Σ min(n, need), periods met)`` over the per-period counts of ``union``
    (columns ``zb, zc, zneed, zr, zy, zp, zn``), grouped by branch path × class."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    compiler = union.query.get_compiler(union.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return []
    # ``sql`` is Django's compiled, parametrized query (``params`` separate); the rest is constant
    outer = ("SELECT u.zb, u.zc, SUM(CASE WHEN u.zn < u.zneed THEN u.zn ELSE u.zneed END), "  # noqa: S608  # nosec B608
             "SUM(CASE WHEN u.zn >= u.zneed THEN 1 ELSE 0 END) "
             f"FROM ({sql}) u GROUP BY u.zb, u.zc")
    with connections[union.db].cursor() as cursor:
        cursor.execute(outer, params)
        return cursor.fetchall()


def branch_meetings(*, user, organization, start: dt.date, end: dt.date):
    """The meetings counting for ``organization`` (a branch) in ``[start, end]``: its own and its
    党小组's 党小组会, scoped (``party.view``), by date. For the drill-down grid (1 query)."""
    from zugong.life.models import Meeting

    own = Q(organization_id=organization.pk)
    groups = Q(meeting_type="group_meeting", organization__org_type="party_group",
               organization__path__startswith=organization.path, organization__depth=organization.depth + 1)
    return (Meeting.objects.restrict(user, "view").filter(own | groups)
            .filter(date__gte=start, date__lte=end).select_related("organization").order_by("date", "pk"))
