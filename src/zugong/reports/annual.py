"""The 党内统计年报 (``annual_report``) of an organization subtree for a year (issue #10): the tables of
``reports.annual_layout`` that Zugong's records can fill, their consistency checks (逻辑校验) and the
records behind every figure.

Stocks are as of 31 December of the year (``截至日期``), flows the events dated in the year
(``MembershipEvent``). Everything is counted in the database by group-bys (as the 公报,
``reports.services``); scoped like the 公报: the organization must be in the user's ``party.view`` scope,
and every table is fetched through ``restrict(user, "view")`` (membership events through
``core.scoping.scope_q`` on either side of a transfer, so a transfer out of the subtree stays visible to
the sending side).

Public API (contract of issue #10):

- ``annual_report(*, user, organization=None, year) -> AnnualReport``
- ``AnnualReport.to_json() -> dict`` (shape: ``reports.annual_layout`` docstring)
- ``AnnualReport.checks -> list[Check]`` (逻辑校验)
- ``annual_records(*, user, organization, year, table, row, column) -> QuerySet[Person]``: the people a
  figure counts (drill-down; ``table`` = number or title, ``row``/``column`` = keys of the layout);
  for 第二十四表 the ``PartyOrganization`` queryset.

**Definitions** (统计口径): every band, era, group and row is a row of the rule table in
``reports.annual_rules`` (``annual_definitions(on)`` lists them with the reading chosen where the form
leaves room — the page, the export and the closing note print them). How the engine applies them, S being
the subtree of the report's organization, P = 31 December of the previous year and D = 31 December:

- **党员 on a day** (上年底总数 on P; 本年底实有数 and 第二、三、四表 on D): a ``Membership`` in force that day
  (``start_date <= day < end_date``) of an organization in S, whose person's 入党日期 is on or before the
  day — the 公报's definition (``reports.services``), so 第二表总计总数 equals the 公报's 党员总数.
  本年底实有数 is 第二表's 总计总数 (same query); 上年底总数 is derived from it exactly: minus the change
  over the periods that start or end in the year or belong to a person admitted in the year
  (``_changed_periods``; every other period counts its person alike on both days).
- **增加 / 减少** (第一表): the events dated P < date <= D. 发展党员 (其中 重新入党), 恢复党籍 (其中 停止党籍后
  恢复党籍), 转入组织关系 (其中 整建制转入) count where the member arrived (the event's ``organization`` =
  ``to_organization``); 出党, 停止党籍, 死亡, 转出组织关系 (其中 整建制转出) where they left. A ``transfer``
  between two organizations held in Zugong is 转入 of S when ``to_organization`` lies in S and
  ``from_organization`` does not, 转出 in the reverse case, nothing when both do (the subtree rule of
  ``MembershipEvent``); 整建制 by ``detail == "whole_unit"``. 本年底应有数 = 上年底总数 + 本年增加 − 本年减少.
- **第十表**: the 出党 events of the year in S by their kind (``detail``), 其中 经多方查找确实无法取得联系 =
  自行脱党除名 with ``unreachable``; rows by 周岁 on the 出党 date and by 入党日期. 厅局级 / 县处级 are ``None``
  (no cadre ranks yet).
- **第八表 / 第九表** (issue #11): computed by ``reports.life_stats`` (``table_8`` / ``table_9``, readings in
  their docstrings and ``docs/life-stats.md``): 第八表 from ``life.MemberEvaluation`` of the year (评议年度)
  at organizations of S, by the unit the evaluating organization is set up in; 第九表 has no record source
  yet (every cell ``None``).
- **第十五表** (reading chosen, rule ``reports.annual.full_membership``): 已经上级党组织审批 = the 转正
  decisions dated in the year in S (按期转正 → 转为正式党员, 延长预备期后转正 → 延长预备期转正, 推迟讨论后转正
  → 推迟讨论转正, 延长预备期) and the 取消预备党员资格 出党 events of the year made after one whole year of
  probation; 尚未讨论或审批 = members in S on D still 预备党员, whose year of probation (and any recorded
  extension) has run out by D; 预备期满的党员 = 已审批合计 + 尚未; 预备期未满被取消预备党员资格 = the 取消预备党员
  资格 events of the year made within the first year. A person extended and then made a full member in the
  same year counts twice (两次预备期满). A 推迟讨论 decision without 转正 leaves the member in 尚未.
- **第十六表** (rule ``reports.annual.development``): the memberships opened in the year in S by an
  ``admission`` event (same person, date and organization): counted by the organization that admitted
  the member even if they transferred later, so 总数 equals 第一表 发展党员; age in 周岁 on the 入党日期
  (the event's date); 工作岗位 of the membership opened at admission.
- **第十八–二十表**: ``DevelopmentRecord`` of organizations in S open on D (applied on or before D,
  neither admitted nor closed by then): 入党申请人 all of them, 入党积极分子 those with an 积极分子 date on or
  before D, 发展对象 those with a 发展对象 date on or before D — each stage includes the later ones, as the
  公报 counts them; rows by the record's own 工作岗位 fields, 生产、工作第一线 by ``front_line`` (and
  ``front_line_kind`` for its 其中).
- **第二十四表**: organizations of S (the root included) existing on D whose type is one of the 公报's
  three kinds (党委; 总支部; 支部 = 党支部, 联合党支部, 临时党支部); rows by the unit they are set up in
  (``orgs.unit_selectors.organization_unit_facts``: own, inherited or first covered unit, else the
  organization's own 单位属性; rule ``reports.annual.organization_unit_rows``); 任届期满 when the term in force
  on D (latest ``start_date <= D``) has ``end_date <= D``; 报告期内换届 when a term's ``election_date`` lies
  in the year. Organizations are classified in Python after three set-based queries (an inherited unit
  needs the ancestors; there are about 1 organization per 20 members).
- **第三十三表**: ``MemberStatus`` ``mobile`` open on D of members in S on D; 外出流向 (and its two
  公有/非公有 subtotals) = the sum of the recorded destinations.
- **第四十三表**: ``MemberStatus`` ``lost_contact`` open on D, lost for at least 6 months on D, of members in
  S on D; rows by the unit of the member's organization on D; 党龄 from the 转正日期 (预备党员 in 1年以下).

**Speed**: one aggregate query per table (第二、三、四表, 第一表's 实有数 and 第十五表's 尚未讨论或审批 share one),
grouped by the few distinct 工作岗位 / kind / status combinations, plus one per check (the person-by-person
balance is one ``UNION ALL`` of the year's changed periods and events grouped by person); Python only adds
up group rows (and classifies organizations for 第二十四表). No Python loop ever walks over members, except
over the records a failed check lists (at most ``LIMIT`` per check). Measured by
``benchmarks/bench_annual.py`` (demo data with a year of events; 2 CPUs, mostly idle): 100,000 members
0.86 s on SQLite and 0.58 s on PostgreSQL (0.50 s of backend CPU); 1,000,000 members 5.1 s on PostgreSQL
(5.3 s of backend CPU without parallel workers). The ``.xlsx`` adds about 0.5 s.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce

from zugong.core.codes import SEX_FEMALE, TITLE_LEVEL
from zugong.core.errors import OutOfScope
from zugong.core.scoping import scope_q, user_scope
from zugong.orgs.models import OrganizationTerm, PartyOrganization
from zugong.orgs.unit_selectors import UnitFacts, organization_unit_facts
from zugong.party.choices import (
    DECREASE_KINDS,
    EXIT_KIND,
    FLOW_DESTINATION,
    INCREASE_KINDS,
    LOST_CONTACT_SITUATION,
    MOBILE_ORIGINAL_OCCUPATION,
)
from zugong.party.models import DevelopmentRecord, Membership, MembershipEvent, MemberStatus, PartyMember
from zugong.party.rules import ethnicity_group, member_category_q, probation_years
from zugong.people.models import Person
from zugong.reports.annual_layout import (
    TABLE_1,
    TABLE_2,
    TABLE_3,
    TABLE_4,
    TABLE_8,
    TABLE_9,
    TABLE_10,
    TABLE_15,
    TABLE_16,
    TABLE_18,
    TABLE_19,
    TABLE_20,
    TABLE_24,
    TABLE_33,
    TABLE_43,
    TABLE_BY_NUMBER,
    TABLE_BY_TITLE,
    Table,
)
from zugong.reports.annual_rules import GROUP_FIELDS as OCCUPATION_FIELDS
from zugong.reports.annual_rules import (
    AnnualRules,
    age_band_at_q,
    age_band_on_q,
    annual_rules,
    era_q,
    extension_running_q,
    lost_contact_min_q,
    probation_completed_at_q,
    probation_expired_q,
    standing_band_q,
    year_band_q,
)
from zugong.reports.rules import AgeBand, communique_rules
from zugong.reports.services import default_organization

LIMIT = 100
"""At most this many records are listed under a failed check (its figures give the full count)."""

PM = "person__party_member__"  # from a row with ``person`` to its PartyMember


@dataclass(frozen=True)
class RecordRef:
    """A record a failed check points at: ``person_id``, ``name``, ``organization`` (name) and Chinese
    ``reason`` (e.g. 「变动日期 2023-03-01 早于入党日期 2023-05-01」). For a check about organizations
    (第二十四表) ``person_id`` is ``None``, ``name`` the organization's name and ``organization_id`` its id."""

    person_id: int | None
    name: str
    organization: str
    reason: str
    organization_id: int | None = None

    def to_json(self) -> dict:
        return {"person_id": self.person_id, "organization_id": self.organization_id, "name": self.name,
                "organization": self.organization, "reason": self.reason}


@dataclass
class Check:
    """One 逻辑校验: ``name`` (e.g. 「第一表本年底实有数 = 第二表总计总数」), ``ok``, ``expected`` and ``actual``
    figures, ``records`` (what to fix when it fails, at most ``LIMIT``; may be empty when the cause is not
    a record)."""

    name: str
    ok: bool
    expected: int | None = None
    actual: int | None = None
    records: list[RecordRef] = field(default_factory=list)

    def to_json(self) -> dict:
        """``{"name", "ok", "expected", "actual", "records": [RecordRef.to_json()]}``."""
        return {"name": self.name, "ok": self.ok, "expected": self.expected, "actual": self.actual,
                "records": [r.to_json() for r in self.records]}


@dataclass
class AnnualReport:
    """The filled tables: ``tables[title][row_key][column_key] = n | None`` (第一表: ``tables["党员数量变化情况"]``
    in the special shape of ``annual_layout``), for ``organization`` (the subtree root) and ``year``;
    ``as_of`` = 31 December of ``year``."""

    organization: object
    year: int
    as_of: dt.date
    tables: dict[str, dict]
    checks: list[Check] = field(default_factory=list)

    def to_json(self) -> dict:
        """``{"年度": year, "截至日期": "YYYY-12-31", **tables}``."""
        return {"年度": self.year, "截至日期": self.as_of.isoformat(), **self.tables}

    @property
    def ok(self) -> bool:
        """All consistency checks pass."""
        return all(c.ok for c in self.checks)


# --------------------------------------------------------------------------------------------------
# Context: the scoped querysets of one report
# --------------------------------------------------------------------------------------------------


class _Context:
    """The report's subtree, dates, rules and scoped querysets (each ``restrict(user, "view")``)."""

    def __init__(self, *, user, root: PartyOrganization, year: int):
        self.user, self.root, self.year = user, root, year
        self.start = dt.date(year, 1, 1)
        self.as_of = dt.date(year, 12, 31)
        self.prev = dt.date(year - 1, 12, 31)
        self.rules: AnnualRules = annual_rules(self.as_of)
        self.kinds = communique_rules(self.as_of)
        self.probation = probation_years(on=self.as_of)

    def s(self, field: str = "organization") -> Q:
        """``field`` (an organization foreign key; ``""`` = the row itself) lies in the subtree."""
        return Q(**{f"{field}__path__startswith" if field else "path__startswith": self.root.path})

    @cached_property
    def memberships(self):
        return Membership.objects.restrict(self.user, "view")

    def members_on(self, day: dt.date):
        """Memberships of the subtree in force on ``day`` of people admitted by then: the 党员 on ``day``."""
        return self.memberships.on(day).filter(self.s(), **{f"{PM}admission_date__lte": day})

    @cached_property
    def all_events(self):
        """Membership events in the user's ``party.view`` scope on either side (a transfer is seen by the
        sending and the receiving side; ``MembershipEvent`` docstring)."""
        nodes = user_scope(self.user, MembershipEvent.data_label, "view")
        if not nodes:
            return MembershipEvent.objects.none()
        return MembershipEvent.objects.filter(scope_q(nodes, "organization") | scope_q(nodes, "from_organization"))

    @property
    def events(self):
        """Scoped events dated in the year."""
        return self.all_events.filter(date__gte=self.start, date__lte=self.as_of)

    @property
    def touching(self) -> Q:
        """An event touches the subtree (its anchor or either side lies in it)."""
        return self.s() | self.s("to_organization") | self.s("from_organization")

    def statuses(self, kind: str):
        """``MemberStatus`` of ``kind`` open on 31 December, of members of the subtree on that day."""
        members = self.members_on(self.as_of).filter(person_id=OuterRef("person_id"))
        return (MemberStatus.objects.restrict(self.user, "view").filter(kind=kind, start_date__lte=self.as_of)
                .filter(Q(end_date__isnull=True) | Q(end_date__gt=self.as_of)).filter(Exists(members)))

    @cached_property
    def organizations(self):
        return PartyOrganization.objects.restrict(self.user, "view").filter(self.s(""))

    @cached_property
    def unit_facts(self) -> dict[int, UnitFacts]:
        return organization_unit_facts(organizations=self.organizations)


# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _count(q: Q | None) -> Count:
    return Count("pk") if q is None else Count("pk", filter=q)


def _and(a: Q | None, b: Q | None) -> Q | None:
    if a is None:
        return b
    return a if b is None else a & b


def _grouped(queryset, group_fields: Iterable[str], columns: dict) -> tuple[list[dict], dict]:
    """One ``GROUP BY group_fields`` query with a conditional count per entry of ``columns`` (any hashable
    key → ``Q`` or ``None`` for all rows). Returns ``(groups, alias)``: each group a dict of the group
    fields and the counts, ``alias[key]`` the count's name in it."""
    aggregates, alias, seen = {}, {}, {}
    for key, q in columns.items():
        marker = "*" if q is None else None
        if marker and marker in seen:
            alias[key] = seen[marker]
            continue
        name = f"c{len(aggregates)}"
        aggregates[name] = _count(q)
        alias[key] = name
        if marker:
            seen[marker] = name
    groups = list(queryset.order_by().values(*group_fields).annotate(**aggregates))
    return groups, alias


def _tabulate(table: Table, groups: list[dict], cells: Callable[[dict], Iterable[tuple[str, str, int]]]) -> dict:
    """``{row key: {column key: n}}`` of ``table``: each group adds its ``cells(group)`` ``(row, column, n)``."""
    out = {r.key: {c.key: 0 for c in table.columns} for r in table.rows}
    for group in groups:
        for row, column, n in cells(group):
            out[row][column] += n
    return out


def _person_refs(queryset, reason: str | Callable[[dict], str], *, organization: str = "organization__name",
                 limit: int = LIMIT, extra: tuple[str, ...] = ()) -> list[RecordRef]:
    """``RecordRef``s of the first ``limit`` rows of ``queryset`` (rows with ``person``) in record order
    (the database stops after ``limit`` matches: no sort of a large failing set), listed by person name."""
    rows = queryset.order_by("pk").values("person_id", "person__name", organization, *extra)[:limit]
    refs = [RecordRef(r["person_id"], r["person__name"], r[organization] or "",
                      reason(r) if callable(reason) else reason) for r in rows]
    return sorted(refs, key=lambda r: (r.name, r.person_id or 0))


def _people(queryset) -> object:
    """The ``Person`` rows of ``queryset`` (rows with ``person_id``), as a queryset."""
    return Person.objects.filter(pk__in=queryset.values("person_id"))


# --------------------------------------------------------------------------------------------------
# 第一表 党员数量变化情况
# --------------------------------------------------------------------------------------------------

INCREASE_ITEMS = ("发展党员", "重新入党", "恢复党籍", "停止党籍后恢复党籍", "转入组织关系", "整建制转入")
DECREASE_ITEMS = ("出党", "停止党籍", "死亡", "转出组织关系", "整建制转出")


def _flow_conditions(ctx: _Context) -> dict[str, Q]:
    """第一表's flow items (and 本年增加 / 本年减少 as wholes) as conditions on the year's events."""
    s = ctx.s
    arrived = Q(kind__in=INCREASE_KINDS) & s()
    left = Q(kind__in=DECREASE_KINDS) & s()
    moved_in = Q(kind="transfer") & s("to_organization") & ~s("from_organization")
    moved_out = Q(kind="transfer") & s("from_organization") & ~s("to_organization")
    whole = Q(detail="whole_unit")
    transfer_in = (arrived & Q(kind="transfer_in")) | moved_in
    transfer_out = (left & Q(kind="transfer_out")) | moved_out
    return {
        "发展党员": arrived & Q(kind="admission"),
        "重新入党": arrived & Q(kind="admission", detail="readmission"),
        "恢复党籍": arrived & Q(kind="reinstatement"),
        "停止党籍后恢复党籍": arrived & Q(kind="reinstatement", detail="after_suspension"),
        "转入组织关系": transfer_in,
        "整建制转入": transfer_in & whole,
        "出党": left & Q(kind="exit"),
        "停止党籍": left & Q(kind="suspension"),
        "死亡": left & Q(kind="death"),
        "转出组织关系": transfer_out,
        "整建制转出": transfer_out & whole,
        "本年增加": arrived | moved_in,
        "本年减少": left | moved_out,
    }


def _member_on_q(day: dt.date) -> Q:
    """A membership row that makes its person a 党员 of the subtree on ``day`` (``_Context.members_on``)."""
    return (Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gt=day))
            & Q(**{f"{PM}admission_date__lte": day}))


def _counted_on(day: dt.date) -> Case:
    """1 when the membership row makes its person a 党员 of the subtree on ``day``, else 0."""
    return Case(When(_member_on_q(day), then=Value(1)), default=Value(0), output_field=IntegerField())


def _changed_periods(ctx: _Context):
    """The subtree's membership periods that can count differently on the two 31 Decembers: starting or
    ending in the year, or in force on either day for a person admitted in the year. Every other period
    counts (or does not count) its person on both days alike — so 上年底总数 = 本年底实有数 − the change
    over these rows, and the person-by-person balance (``annual_checks``) needs only their people. The
    admitted people are an uncorrelated set of ``PartyMember`` ids (a filter on the scoped periods)."""
    start, end = ctx.prev, ctx.as_of
    admitted = PartyMember.objects.filter(admission_date__gt=start, admission_date__lte=end).values("person_id")
    return ctx.memberships.filter(ctx.s()).filter(
        Q(start_date__gt=start, start_date__lte=end) | Q(end_date__gt=start, end_date__lte=end)
        | (Q(start_date__lte=end, person_id__in=admitted) & (Q(end_date__isnull=True) | Q(end_date__gt=start))))


def _table_1(ctx: _Context, actual: int) -> dict:
    """第一表 in the JSON shape of ``annual_layout``. ``actual`` (本年底实有数) is the members on 31 December
    counted by the grouped query of 第二表 (same rows); 上年底总数 = ``actual`` minus the change over the
    year's changed periods (``_changed_periods``, exact: every other period counts alike on both days);
    the flows are one aggregate over the year's events."""
    conditions = _flow_conditions(ctx)
    keys = list(conditions)
    counts = ctx.events.filter(ctx.touching).aggregate(
        **{f"c{i}": Count("pk", filter=conditions[k]) for i, k in enumerate(keys)})
    flows = {k: counts[f"c{i}"] for i, k in enumerate(keys)}
    change = _changed_periods(ctx).aggregate(change=Coalesce(Sum(_counted_on(ctx.as_of)), 0)
                                             - Coalesce(Sum(_counted_on(ctx.prev)), 0))["change"]
    previous = actual - change
    expected = previous + flows["本年增加"] - flows["本年减少"]
    return {
        "上年底总数": previous,
        "本年增加": {"合计": flows["本年增加"], **{k: flows[k] for k in INCREASE_ITEMS}},
        "本年减少": {"合计": flows["本年减少"], **{k: flows[k] for k in DECREASE_ITEMS}},
        "本年底应有数": expected,
        "本年底实有数": actual,
        "实有数与应有数之差": actual - expected,
    }


# --------------------------------------------------------------------------------------------------
# 第二、三、四表 (members on 31 December), 第十六表, 第十八–二十表: the shared 工作岗位 rows
# --------------------------------------------------------------------------------------------------


def _member_columns(ctx: _Context) -> dict[int, dict[str, Q | None]]:
    """Columns of 第二、三、四表 as conditions on ``Membership`` rows (members on 31 December)."""
    d, r = ctx.as_of, ctx.rules
    minority = ethnicity_group("minority", on=d).q("person__")
    table_2 = {"总数": None, "预备党员": member_category_q("probationary", on=d, prefix=PM),
               "女": Q(person__sex=SEX_FEMALE), "少数民族": minority, "台湾省籍": Q(person__taiwan_origin=True)}
    table_2 |= {band.label: age_band_on_q(band, d) for band in r.age_bands_2}
    table_2 |= {f"专业技术职务·{label}": Q(person__title_level=code) for code, label in TITLE_LEVEL.entries.items()}
    table_3 = {"总数": None} | {era.label: era_q(r.eras_3, i) for i, era in enumerate(r.eras_3)}
    table_4 = {"总数": None} | {g.label: g.q("person__") for g in r.education.columns}
    return {2: table_2, 3: table_3, 4: table_4}


def _development_columns(ctx: _Context) -> dict[str, Q | None]:
    """Columns of 第十六表 on the memberships opened by an admission (入党之日 = ``start_date``)."""
    r = ctx.rules
    columns = {"总数": None, "女": Q(person__sex=SEX_FEMALE),
               "少数民族": ethnicity_group("minority", on=ctx.as_of).q("person__")}
    columns |= {band.label: age_band_at_q(band, birth_field="person__birth_date", on_field="start_date")
                for band in r.age_bands_16}
    columns |= {g.label: g.q("person__") for g in r.education.columns}
    return columns


PIPELINE_STAGES = {18: "candidate_date", 19: "activist_date", 20: None}
"""第十八表 发展对象, 第十九表 入党积极分子, 第二十表 入党申请人: the stage date that must be on or before
31 December (入党申请人: every open record)."""

FRONT_LINE_COLUMNS = {"企业生产": "enterprise_production", "农村生产": "rural_production", "教学科研": "teaching_research"}


def _pipeline_columns(ctx: _Context) -> dict[str, Q | None]:
    """Columns of 第十八–二十表 on ``DevelopmentRecord`` rows (without the stage condition)."""
    d, r = ctx.as_of, ctx.rules
    columns = {"总数": None, "女": Q(person__sex=SEX_FEMALE),
               "少数民族": ethnicity_group("minority", on=d).q("person__"),
               "35岁及以下": age_band_on_q(AgeBand("", None, r.pipeline_young), d),
               "大专及以上学历": r.education.college.q("person__"),
               "中专、高中、中技学历": r.education.secondary.q("person__"),
               "生产、工作第一线": Q(front_line=True)}
    columns |= {label: Q(front_line=True, front_line_kind=code) for label, code in FRONT_LINE_COLUMNS.items()}
    return columns


def _stage_q(ctx: _Context, number: int) -> Q | None:
    stage = PIPELINE_STAGES[number]
    return None if stage is None else Q(**{f"{stage}__lte": ctx.as_of})


def _developed(ctx: _Context):
    """第十六表's rows: memberships of S opened in the year by an ``admission`` event."""
    admitted = ctx.all_events.filter(kind="admission", person_id=OuterRef("person_id"), date=OuterRef("start_date"),
                                     to_organization_id=OuterRef("organization_id"))
    return ctx.memberships.filter(ctx.s(), start_date__gte=ctx.start, start_date__lte=ctx.as_of).filter(Exists(admitted))


def _pipeline(ctx: _Context):
    """第十八–二十表's rows: development records of S open on 31 December."""
    d = ctx.as_of
    return (DevelopmentRecord.objects.restrict(ctx.user, "view").filter(ctx.s(), application_date__lte=d)
            .filter(Q(admission_date__isnull=True) | Q(admission_date__gt=d))
            .filter(Q(closed_date__isnull=True) | Q(closed_date__gt=d)))


def _occupation_tables(ctx: _Context, groups: list[dict], alias: dict, specs: dict[int, Iterable[str]]) -> dict:
    """``{table number: filled table}`` for tables with the shared 工作岗位 rows from grouped counts."""
    rows = ctx.rules.occupation_rows
    keys = [(g, rows.keys_of(g)) for g in groups]
    out = {}
    for number, columns in specs.items():
        table = TABLE_BY_NUMBER[number]
        out[number] = _tabulate(table, keys, lambda gk, number=number, columns=columns: (
            (row, column, gk[0][alias[(number, column)]]) for row in gk[1] for column in columns))
    return out


# --------------------------------------------------------------------------------------------------
# 第十表 党员出党情况（一）
# --------------------------------------------------------------------------------------------------

UNREACHABLE = "经多方查找确实无法取得联系"
NOT_RECORDED_ROWS_10 = ("厅局级", "县处级")
"""第十表 rows the records cannot fill yet (cadre ranks): ``None``."""


def _exit_rows(ctx: _Context) -> dict[str, Q | None]:
    """第十表's rows as conditions on the 出党 events (年龄 on the event date, 入党时间 by 入党日期)."""
    rows: dict[str, Q | None] = {"总计": None}
    rows |= {band.label: age_band_at_q(band, birth_field="person__birth_date", on_field="date")
             for band in ctx.rules.age_bands_10}
    rows |= {era.label: era_q(ctx.rules.eras_10, i) for i, era in enumerate(ctx.rules.eras_10)}
    return rows


def _exit_column_q(column: str) -> Q | None:
    if column == "总数":
        return None
    if column == UNREACHABLE:
        return Q(detail="lapsed_removed", unreachable=True)
    return Q(detail=EXIT_KIND.parse(column))


def _exit_columns_of(group: dict) -> list[str]:
    columns = ["总数"]
    if group["detail"] in EXIT_KIND.entries:
        columns.append(EXIT_KIND.label(group["detail"]))
        if group["detail"] == "lapsed_removed" and group["unreachable"]:
            columns.append(UNREACHABLE)
    return columns


def _exits(ctx: _Context):
    return ctx.events.filter(ctx.s(), kind="exit")


def _table_10(ctx: _Context) -> dict:
    rows = _exit_rows(ctx)
    groups, alias = _grouped(_exits(ctx), ("detail", "unreachable"), rows)
    table = _tabulate(TABLE_10, groups, lambda g: (
        (row, column, g[alias[row]]) for row in rows for column in _exit_columns_of(g)))
    for row in NOT_RECORDED_ROWS_10:
        table[row] = {c.key: None for c in TABLE_10.columns}
    return table


# --------------------------------------------------------------------------------------------------
# 第十五表 预备党员转正情况
# --------------------------------------------------------------------------------------------------


def _decision_conditions(ctx: _Context) -> dict[str, Q]:
    """第十五表's decision items as conditions on the year's events of S."""
    completed = probation_completed_at_q(ctx.probation, admission_field=f"{PM}admission_date", on_field="date")
    cancelled = Q(kind="exit", detail="probation_cancelled")
    return {
        "转为正式党员": Q(kind="full_membership", detail="on_time"),
        "延长预备期转正": Q(kind="full_membership", detail="after_extension"),
        "推迟讨论转正": Q(kind="full_membership", detail="after_postponement"),
        "延长预备期": Q(kind="full_membership", detail="extended"),
        "取消预备党员资格": cancelled & completed,
        "预备期未满被取消预备党员资格": cancelled & ~completed,
    }


APPROVED_ITEMS = ("转为正式党员", "延长预备期转正", "推迟讨论转正", "延长预备期", "取消预备党员资格")


def _pending_q(ctx: _Context) -> Q:
    """尚未讨论或审批, as a condition on the members of S on 31 December: still 预备党员, their probation run
    out by then, and no recorded extension still running."""
    d, admission = ctx.as_of, f"{PM}admission_date"
    # an uncorrelated set (hashed once by the database), not a subquery per member
    extended = (ctx.all_events.filter(kind="full_membership", detail="extended", date__lte=d)
                .filter(extension_running_q(d, ctx.probation, admission_field=admission)).values("person_id"))
    return (member_category_q("probationary", on=d, prefix=PM) & probation_expired_q(ctx.probation, d, admission)
            & ~Q(person_id__in=extended))


def _pending(ctx: _Context):
    """The memberships of 尚未讨论或审批 (``_pending_q``)."""
    return ctx.members_on(ctx.as_of).filter(_pending_q(ctx))


def _table_15(ctx: _Context, pending: int) -> dict:
    """第十五表: the decisions from one aggregate over the year's events; ``pending`` (尚未讨论或审批) is
    counted with the members on 31 December (``annual_report``'s grouped query)."""
    conditions = _decision_conditions(ctx)
    counts = ctx.events.filter(ctx.s()).aggregate(
        **{f"c{i}": Count("pk", filter=q) for i, q in enumerate(conditions.values())})
    items = {k: counts[f"c{i}"] for i, k in enumerate(conditions)}
    approved = sum(items[k] for k in APPROVED_ITEMS)
    values = {"预备期满的党员": approved + pending, "已经上级党组织审批": approved, **items, "尚未讨论或审批": pending}
    return {r.key: {"人数": values[r.key]} for r in TABLE_15.rows}


# --------------------------------------------------------------------------------------------------
# 第二十四表 党的基层组织数量情况和换届情况
# --------------------------------------------------------------------------------------------------


def _org_column(ctx: _Context, org_type: str) -> str | None:
    kinds = ctx.kinds
    if org_type in kinds.committee_types:
        return "党委"
    if org_type in kinds.general_branch_types:
        return "总支部"
    if org_type in kinds.branch_types:
        return "支部"
    return None


def _org_rows_of(ctx: _Context, row: dict) -> list[str]:
    """第二十四表's rows of one counted organization (its values with ``term_end``, ``elected``)."""
    keys = ["党的基层组织数"]
    if row["term_end"] is not None and row["term_end"] <= ctx.as_of:
        keys.append("任届期满")
    if row["elected"]:
        keys.append("报告期内换届")
    facts = ctx.unit_facts.get(row["pk"], UnitFacts())
    keys += ctx.rules.organization_unit_rows.keys_of(facts.unit_category, facts.economic_control, facts.organ_level)
    return keys


def _counted_organizations(ctx: _Context) -> list[dict]:
    """Organizations of S existing on 31 December of the three counted kinds, with their term facts."""
    d, kinds = ctx.as_of, ctx.kinds
    terms = OrganizationTerm.objects.restrict(ctx.user, "view").filter(organization_id=OuterRef("pk"))
    term_end = Subquery(terms.filter(start_date__lte=d).order_by("-start_date").values("end_date")[:1])
    elected = Exists(terms.filter(election_date__gte=ctx.start, election_date__lte=d))
    return list(ctx.organizations.active_on(d)
                .filter(org_type__in=(*kinds.committee_types, *kinds.general_branch_types, *kinds.branch_types))
                .annotate(term_end=term_end, elected=elected).order_by()
                .values("pk", "name", "org_type", "term_end", "elected"))


def _table_24(ctx: _Context, organizations: list[dict]) -> dict:
    return _tabulate(TABLE_24, organizations, lambda o: (
        (row, column, 1) for row in _org_rows_of(ctx, o) for column in ("总数", _org_column(ctx, o["org_type"]))))


# --------------------------------------------------------------------------------------------------
# 第三十三表 流动党员情况
# --------------------------------------------------------------------------------------------------

_DESTINATION_GROUPS = ("公有经济控制单位", "非公有经济控制单位")


def _mobile_rows_of(group: dict) -> list[str]:
    keys = ["流出党员总数"]
    keys += {"cross_province": ["跨省流动"], "cross_city": ["省内跨市（地）流动"]}.get(group["flow_scope"], [])
    if group["has_certificate"]:
        keys.append("持《中国共产党流动党员活动证》")
    destination = group["destination_type"]
    if destination in FLOW_DESTINATION.entries:
        label = FLOW_DESTINATION.label(destination)
        keys += ["外出流向", label] + [g for g in _DESTINATION_GROUPS if label.startswith(f"{g}·")]
    return keys


def _mobile_row_q(row: str) -> Q | None:
    if row == "流出党员总数":
        return None
    if row == "跨省流动":
        return Q(flow_scope="cross_province")
    if row == "省内跨市（地）流动":
        return Q(flow_scope="cross_city")
    if row == "持《中国共产党流动党员活动证》":
        return Q(has_certificate=True)
    if row == "外出流向":
        return Q(destination_type__in=list(FLOW_DESTINATION.entries))
    if row in _DESTINATION_GROUPS:
        return Q(destination_type__in=[c for c, label in FLOW_DESTINATION.entries.items() if label.startswith(f"{row}·")])
    return Q(destination_type=FLOW_DESTINATION.parse(row))


def _mobile_columns_of(group: dict) -> list[str]:
    occupation = group["original_occupation"]
    return ["总数"] + ([MOBILE_ORIGINAL_OCCUPATION.label(occupation)]
                      if occupation in MOBILE_ORIGINAL_OCCUPATION.entries else [])


def _mobile_column_q(column: str) -> Q | None:
    return None if column == "总数" else Q(original_occupation=MOBILE_ORIGINAL_OCCUPATION.parse(column))


def _table_33(ctx: _Context) -> dict:
    groups, _ = _grouped(ctx.statuses("mobile"), ("flow_scope", "destination_type", "original_occupation",
                                                  "has_certificate"), {"n": None})
    return _tabulate(TABLE_33, groups, lambda g: (
        (row, column, g["c0"]) for row in _mobile_rows_of(g) for column in _mobile_columns_of(g)))


# --------------------------------------------------------------------------------------------------
# 第四十三表 失去联系党员情况
# --------------------------------------------------------------------------------------------------


def _lost(ctx: _Context):
    """失联党员 of S on 31 December (≥ 6 months), annotated with ``member_org``: their organization then."""
    org = ctx.members_on(ctx.as_of).filter(person_id=OuterRef("person_id")).values("organization_id")[:1]
    return (ctx.statuses("lost_contact").filter(lost_contact_min_q(ctx.as_of, ctx.rules.lost_min_months))
            .annotate(member_org=Subquery(org)))


def _lost_columns(ctx: _Context) -> dict[str, Q | None]:
    """第四十三表's columns other than 总数 and the 失去联系具体情形 (those come from the group)."""
    d, r = ctx.as_of, ctx.rules
    columns: dict[str, Q | None] = {
        "预备党员": member_category_q("probationary", on=d, prefix=PM), "女": Q(person__sex=SEX_FEMALE),
        "少数民族": ethnicity_group("minority", on=d).q("person__")}
    columns |= {band.label: age_band_on_q(band, d) for band in r.age_bands_43}
    columns |= {band.label: standing_band_q(band, d) for band in r.standing_bands}
    columns |= {g.label: g.q("person__") for g in (r.education.college, r.education.secondary, r.education.basic)}
    columns |= {band.label: year_band_q(band, d, "start_date") for band in r.lost_bands}
    return columns


def _lost_rows_of(ctx: _Context, org_id: int) -> list[str]:
    facts = ctx.unit_facts.get(org_id, UnitFacts())
    return ["总计", *ctx.rules.lost_contact_unit_rows.keys_of(facts.unit_category, facts.economic_control,
                                                           facts.organ_level)]


def _table_43(ctx: _Context) -> dict:
    columns = {"总数": None} | _lost_columns(ctx)
    groups, alias = _grouped(_lost(ctx), ("member_org", "lost_situation"), columns)

    def cells(g):
        rows = _lost_rows_of(ctx, g["member_org"])
        situation = g["lost_situation"]
        for row in rows:
            for column, name in alias.items():
                yield row, column, g[name]
            if situation in LOST_CONTACT_SITUATION.entries:
                yield row, LOST_CONTACT_SITUATION.label(situation), g[alias["总数"]]

    return _tabulate(TABLE_43, groups, cells)


def _lost_row_q(ctx: _Context, row: str) -> Q | None:
    if row == "总计":
        return None
    ids = [pk for pk in ctx.unit_facts if row in _lost_rows_of(ctx, pk)]
    return Q(member_org__in=ids)


def _lost_column_q(ctx: _Context, column: str) -> Q | None:
    if column == "总数":
        return None
    code = LOST_CONTACT_SITUATION.parse(column)
    if code is not None and LOST_CONTACT_SITUATION.label(code) == column:
        return Q(lost_situation=code)
    return _lost_columns(ctx)[column]


# --------------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------------


def _context(*, user, organization, year: int) -> _Context:
    if organization is None:
        organization = default_organization(user)
        if organization is None:
            raise OutOfScope()
    root = PartyOrganization.objects.restrict(user, "view").filter(pk=organization.pk).first()
    if root is None:
        raise OutOfScope()
    return _Context(user=user, root=root, year=int(year))


def annual_report(*, user, organization=None, year: int) -> AnnualReport:
    """The 年报 of ``organization``'s subtree (default: the user's top organization) for ``year``: every table
    of ``annual_layout.TABLES`` filled from the records (definitions: module docstring and
    ``reports.annual_rules``) and the consistency checks (``checks``). Raises ``OutOfScope`` when the
    organization is not in the user's ``party.view`` scope (or the user has none)."""
    ctx = _context(user=user, organization=organization, year=year)
    tables: dict[str, dict] = {}
    member_specs = _member_columns(ctx)
    groups, alias = _grouped(ctx.members_on(ctx.as_of), OCCUPATION_FIELDS,
                             {(n, c): q for n, cols in member_specs.items() for c, q in cols.items()}
                             | {(15, "尚未讨论或审批"): _pending_q(ctx)})
    pending = sum(g[alias[(15, "尚未讨论或审批")]] for g in groups)
    table_1 = _table_1(ctx, actual=sum(g[alias[(2, "总数")]] for g in groups))
    member_tables = _occupation_tables(ctx, groups, alias, {n: list(cols) for n, cols in member_specs.items()})

    dev_columns = _development_columns(ctx)
    dev_groups, dev_alias = _grouped(_developed(ctx), OCCUPATION_FIELDS, {(16, c): q for c, q in dev_columns.items()})
    development = _occupation_tables(ctx, dev_groups, dev_alias, {16: list(dev_columns)})

    pipe_columns = _pipeline_columns(ctx)
    pipe_groups, pipe_alias = _grouped(_pipeline(ctx), OCCUPATION_FIELDS, {
        (n, c): _and(_stage_q(ctx, n), q) for n in PIPELINE_STAGES for c, q in pipe_columns.items()})
    pipeline = _occupation_tables(ctx, pipe_groups, pipe_alias, {n: list(pipe_columns) for n in PIPELINE_STAGES})

    organizations = _counted_organizations(ctx)
    table_33 = _table_33(ctx)
    table_43 = _table_43(ctx)

    tables[TABLE_1.title] = table_1
    tables[TABLE_2.title] = member_tables[2]
    tables[TABLE_3.title] = member_tables[3]
    tables[TABLE_4.title] = member_tables[4]
    # 第八、九表 (issue #11): from the party-life records
    from zugong.reports.life_stats import annual_life_tables

    tables.update(annual_life_tables(user=user, root=ctx.root, year=ctx.year))
    tables[TABLE_10.title] = _table_10(ctx)
    tables[TABLE_15.title] = _table_15(ctx, pending)
    tables[TABLE_16.title] = development[16]
    tables[TABLE_18.title] = pipeline[18]
    tables[TABLE_19.title] = pipeline[19]
    tables[TABLE_20.title] = pipeline[20]
    tables[TABLE_24.title] = _table_24(ctx, organizations)
    tables[TABLE_33.title] = table_33
    tables[TABLE_43.title] = table_43

    from zugong.reports.annual_checks import consistency_checks  # the checks read the tables built here

    checks = consistency_checks(ctx, tables, groups={2: groups, 3: groups, 4: groups, 16: dev_groups,
                                                     18: pipe_groups, 19: pipe_groups, 20: pipe_groups},
                                organizations=organizations)
    return AnnualReport(organization=ctx.root, year=ctx.year, as_of=ctx.as_of, tables=tables, checks=checks)


# --------------------------------------------------------------------------------------------------
# Drill-down
# --------------------------------------------------------------------------------------------------


def _table_of(table) -> Table:
    """The layout's table named by ``table``: a ``Table``, its number (``2``, ``"2"``) or its title."""
    if isinstance(table, Table):
        return table
    text = str(table).strip()
    found = TABLE_BY_NUMBER.get(int(text)) if text.isdigit() else TABLE_BY_TITLE.get(text)
    if found is None:
        raise ValueError(f"表「{table}」不是本系统统计的年报表。")
    return found


def _check_keys(table: Table, row: str, column: str) -> None:
    if row not in {r.key for r in table.rows}:
        raise ValueError(f"{table.heading} 没有「{row}」这一行。")
    if column not in {c.key for c in table.columns} and table is not TABLE_1:
        raise ValueError(f"{table.heading} 没有「{column}」这一栏。")


def _first_table_records(ctx: _Context, row: str, column: str):
    """第一表: ``row`` a row key of the layout (column 人数), or ``本年增加`` / ``本年减少`` with ``column`` one
    of its items (the JSON's nesting) or 合计."""
    if row in ("本年增加", "本年减少") and column not in ("人数", "合计", ""):
        row = column
    if row == "上年底总数":
        return _people(ctx.members_on(ctx.prev))
    if row == "本年底实有数":
        return _people(ctx.members_on(ctx.as_of))
    if row == "实有数与应有数之差":
        from zugong.reports.annual_checks import mismatched_people

        return mismatched_people(ctx)
    conditions = _flow_conditions(ctx)
    if row in conditions:
        return _people(ctx.events.filter(ctx.touching).filter(conditions[row]))
    return Person.objects.none()  # 本年底应有数: a computed figure, no records behind it


def annual_records(*, user, organization, year: int, table, row: str, column: str):
    """The records a figure of ``annual_report`` counts, by the same scope and definitions: a ``Person``
    queryset (unordered; the people behind the counted memberships, events, statuses or development
    records — a member who has since left the user's scope is listed where their record in scope counts
    them, e.g. under 转出组织关系), or for 第二十四表 the ``PartyOrganization`` queryset. ``table``: number
    or title; ``row`` / ``column``: keys of ``annual_layout`` (第一表: a row key, column 人数 — or 本年增加 /
    本年减少 with an item as ``column``). A cell that counts no records (第十表's 厅局级 / 县处级, 第一表's
    本年底应有数) gives an empty queryset. Raises ``OutOfScope`` (organization not in scope) and
    ``ValueError`` (a table, row or column the layout does not have)."""
    ctx = _context(user=user, organization=organization, year=year)
    found = _table_of(table)
    _check_keys(found, row, column)
    number = found.number
    if number == 1:
        return _first_table_records(ctx, row, column)
    rows = ctx.rules.occupation_rows
    if number in (2, 3, 4):
        return _people(ctx.members_on(ctx.as_of).filter(rows.q(row), _member_columns(ctx)[number][column] or Q()))
    if number == 16:
        return _people(_developed(ctx).filter(rows.q(row), _development_columns(ctx)[column] or Q()))
    if number in PIPELINE_STAGES:
        condition = _and(_stage_q(ctx, number), _pipeline_columns(ctx)[column]) or Q()
        return _people(_pipeline(ctx).filter(rows.q(row), condition))
    if number == 10:
        if row in NOT_RECORDED_ROWS_10:
            return Person.objects.none()
        return _people(_exits(ctx).filter(_exit_rows(ctx)[row] or Q(), _exit_column_q(column) or Q()))
    if number == 15:
        return _decision_records(ctx, row)
    if number in (TABLE_8.number, TABLE_9.number):
        from zugong.reports.life_stats import annual_life_records

        return annual_life_records(user=user, root=ctx.root, year=ctx.year, table=number, row=row, column=column)
    if number == 24:
        ids = [o["pk"] for o in _counted_organizations(ctx)
               if row in _org_rows_of(ctx, o) and column in ("总数", _org_column(ctx, o["org_type"]))]
        return ctx.organizations.filter(pk__in=ids)
    if number == 33:
        return _people(ctx.statuses("mobile").filter(_mobile_row_q(row) or Q(), _mobile_column_q(column) or Q()))
    if number == 43:
        return _people(_lost(ctx).filter(member_org__isnull=False).filter(
            _lost_row_q(ctx, row) or Q(), _lost_column_q(ctx, column) or Q()))
    raise ValueError(f"{found.heading} 没有下钻定义。")  # pragma: no cover - every table of TABLES is above


def _decision_records(ctx: _Context, row: str):
    conditions = _decision_conditions(ctx)
    decided = ctx.events.filter(ctx.s())
    if row in conditions:
        return _people(decided.filter(conditions[row]))
    approved = Q(pk__in=[])
    for key in APPROVED_ITEMS:
        approved |= conditions[key]
    if row == "已经上级党组织审批":
        return _people(decided.filter(approved))
    if row == "尚未讨论或审批":
        return _people(_pending(ctx))
    # 预备期满的党员
    return Person.objects.filter(Q(pk__in=decided.filter(approved).values("person_id"))
                                 | Q(pk__in=_pending(ctx).values("person_id")))
