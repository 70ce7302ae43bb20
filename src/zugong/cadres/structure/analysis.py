"""干部结构分析 (``structure_analysis``, issue #12 item 8): the age, level, education, sex, ethnicity, party
and specialty structure of the cadres of a unit subtree as of a date — one JSON function
(``cadre_structure``) behind the page (``cadres:structure``), its ``.xlsx``, the API
(``GET /api/stats/cadres/``) and the CLI (``zugong stats cadres``).

**Who is counted** (「纳入分析的干部」) on day D: a ``Cadre`` of a unit in the subtree and in the user's
``cadre.view`` scope, with ``status == "serving"`` (在职), and

- holding an appointment on D (``Appointment`` with ``start_date <= D < end_date``), or
- holding a 职级 on D (``RankRecord`` in force on D), or
- with no appointment and no rank record at all (a cadre kept from a 干部名册 without history) and whose
  record was created on or before D.

So an appointment starting after D does not bring a cadre into the analysis as of D.

**Level** (职务层次) of a counted cadre on D: the highest GB/T 12407 level (``POST_LEVEL``; smaller code =
higher, ``LEVEL_ORDER``) among the posts held on D — non-concurrent appointments first, concurrent ones
only when the cadre holds nothing else (the rule of ``cadres.selectors.post_facts``) —; else the highest
level the 职级 held on D are equivalent to (``RANK_LEVEL``, 《公务员职务与职级并行规定》第十一条; one rank is
held at a time in practice); else 未定级. Tiers: 厅局级 = 121/122, 县处级 = 131/132, 乡科级 = 141/142
(``LEVEL_TIERS``).

**Age**: 周岁 on D (birthday reached), as in ``reports.services``: band conditions compare the birth date
with cut-off dates computed in Python (``party.rules.birth_cutoff``); the average age averages the 周岁
computed in SQL from ``yyyymmdd`` integers (``party.rules._date_number``), identical on SQLite and
PostgreSQL. Age bands (rules.md §7): default ≤35, 36–40, 41–45, 46–50, 51–54, 55–59, ≥60, configurable by
``settings.ZUGONG_CADRE_AGE_BANDS`` (the upper bounds of every band but the last, e.g.
``[35, 40, 45, 50, 54, 59]``) or the ``age_bands`` argument.

**Young cadres** (年轻干部, 优秀年轻干部 reference ages): ≤35 at 乡科级, ≤40 at 县处级, ≤45 at 厅局级
(``DEFAULT_YOUNG_AGES``; ``settings.ZUGONG_CADRE_YOUNG_AGES`` = ``{"乡科级": 35, …}`` overrides).

**Education** (GB/T 4658-2006 codes; smaller = higher): 全日制学历 = the highest coded ``Education`` row of
category ``full_time``; 最高学历 = the highest of ``Person.education_level`` and every coded
``Education`` row. Bands: 研究生 (1x), 大学本科 (2x), 大学专科 (3x), 中专及以下 (4x–9x), 未填.

**Sex** 女干部 (GB/T 2261.1 code 2); **ethnicity** 少数民族 = the 党内统计 rule
``party.rules.ethnicity_group("minority")``; **party**: 中共党员 (``Person.political_status`` 01/02),
民主党派 (04–11, or a recorded ``Cadre.other_party`` without 01/02), 无党派人士 (12), 群众 (03, 13),
未填 (blank).

**Leadership teams' specialty** (领导班子专业结构): per unit, the holders on D of its leadership posts
(``Post.leadership``); each member's 专业技术职务, 熟悉专业有何专长 and full-time majors
(``Education.major`` / ``education_school_major``, category full_time) are matched against keyword
buckets (``SPECIALTY_BUCKETS``: 经济管理, 法律, 工程技术, 农业, 教育, 医学, 党务政工; 其他 = none matched). A
member may fall in several buckets. 专业对口 = the member matches a bucket of the unit's category
(``MATCHING_BUCKETS``: 企业 → 经济管理/工程技术; 事业单位 → 教育/医学/工程技术/农业; 机关 → 党务政工/经济管理/法律;
乡镇/街道 → 党务政工/经济管理/农业/法律; 行政村/社区 → 农业/党务政工/经济管理; 社会组织 → 经济管理/法律).

**Counting** is SQL (design.md rule 6), two queries whatever the subtree's size: the structure — the
scoped cadres of the subtree (person attributes as 0/1 flags, 周岁 from engine-side ``yyyymmdd`` integers:
``DateNumber``) joined to their appointments, ranks and education grouped per cadre, ``GROUP BY`` level
with a ``SUM`` per band (≤ 14 group rows, added up in Python) —, and the leadership teams — the leadership
appointments held on D with their members' keyword flags, joined to the members' full-time majors grouped
per cadre, ``GROUP BY`` unit counting distinct members. Each is one statement of materialised CTEs built
from scoped Django querysets (``_run_sql``), so every per-cadre fact is computed once per cadre.
Percentages: share of the relevant total in percent, rounded half-up to 0.1 (``reports.services.share``;
``None`` when the total is 0).

Speed (``benchmarks/bench_cadres_structure.py``, 50,000 cadres, 38,477 counted): about 0.55 s of PostgreSQL
backend CPU and 0.75 s of SQLite CPU for the whole tree (wall time on an idle machine about the same).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce

from zugong.cadres.choices import LEVEL_ORDER, POST_LEVEL, RANK_LEVEL
from zugong.cadres.models import Appointment, Cadre, Education, RankRecord
from zugong.cadres.selectors import held_on
from zugong.core.codes import SEX_FEMALE, UNIT_CATEGORY
from zugong.core.errors import OutOfScope, PermissionDeniedError
from zugong.core.scoping import can, user_scope
from zugong.orgs.models import Unit
from zugong.party.rules import _date_number, ethnicity_group
from zugong.reports.services import share

DEFAULT_AGE_BANDS = (35, 40, 45, 50, 54, 59)
"""Upper bounds (inclusive, 周岁) of every band but the last: ≤35, 36–40, 41–45, 46–50, 51–54, 55–59, ≥60
(rules.md §7)."""

DEFAULT_YOUNG_AGES = {"乡科级": 35, "县处级": 40, "厅局级": 45}
"""年轻干部 per tier: at most this many 周岁 on the date."""

LEVEL_TIERS = {"厅局级": ("121", "122"), "县处级": ("131", "132"), "乡科级": ("141", "142")}
UNRANKED = "未定级"

EDUCATION_BANDS = (("研究生", "10", "20"), ("大学本科", "20", "30"), ("大学专科", "30", "40"),
                   ("中专及以下", "40", "98"))
NO_EDUCATION = "99"  # sorts after every GB/T 4658 code: "not recorded"

SPECIALTY_BUCKETS: dict[str, tuple[str, ...]] = {
    "经济管理": ("经济", "管理", "金融", "财务", "财政", "会计", "审计", "统计", "商务", "贸易", "工商", "税"),
    "法律": ("法律", "法学", "律师", "司法", "政法", "纪检", "监察"),
    "工程技术": ("工程", "工学", "技术", "机械", "电气", "电子", "计算机", "信息", "建筑", "土木", "化工", "环境",
             "自动化", "通信", "水利"),
    "农业": ("农业", "农学", "农村", "林业", "畜牧", "兽医", "水产", "园艺", "植保", "农艺", "种植"),
    "教育": ("教育", "教师", "师范", "教学", "中学", "小学"),
    "医学": ("医学", "医师", "临床", "护理", "药学", "卫生", "医疗", "中医", "护师"),
    "党务政工": ("党务", "党建", "政工", "组织", "宣传", "思想政治", "政治", "行政", "马克思", "中共党史", "社会工作"),
}
"""Keyword buckets of the specialty structure (a text matches a bucket when it contains one keyword)."""
OTHER_BUCKET = "其他"

MATCHING_BUCKETS: dict[str, tuple[str, ...]] = {
    "enterprise": ("经济管理", "工程技术"),
    "public_institution": ("教育", "医学", "工程技术", "农业"),
    "government_organ": ("党务政工", "经济管理", "法律"),
    "township": ("党务政工", "经济管理", "农业", "法律"),
    "subdistrict": ("党务政工", "经济管理", "法律"),
    "village": ("农业", "党务政工", "经济管理"),
    "community": ("党务政工", "经济管理"),
    "social_organization": ("经济管理", "法律"),
}
"""The buckets counted as 专业对口 for a unit of each ``UNIT_CATEGORY``."""

FEW_SHARE = 10.0
"""A summary sentence says 「仅」 when the share is below this percentage."""


# --------------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeBand:
    """An age band: ``label`` and inclusive 周岁 bounds (``None`` = open)."""

    label: str
    min_age: int | None
    max_age: int | None


def age_bands_from(bounds=None) -> tuple[AgeBand, ...]:
    """Bands from ``bounds`` (increasing upper bounds of all bands but the last; default
    ``settings.ZUGONG_CADRE_AGE_BANDS`` or ``DEFAULT_AGE_BANDS``): ``(35, 40)`` → 35岁及以下, 36—40岁,
    41岁及以上. ``ValueError`` for bounds that do not increase."""
    bounds = tuple(int(b) for b in (bounds or getattr(settings, "ZUGONG_CADRE_AGE_BANDS", None) or DEFAULT_AGE_BANDS))
    if not bounds or any(b >= c for b, c in zip(bounds, bounds[1:], strict=False)):
        raise ValueError(f"年龄段上限应递增：{bounds!r}")
    bands = [AgeBand(f"{bounds[0]}岁及以下", None, bounds[0])]
    for low, high in zip(bounds, bounds[1:], strict=False):
        bands.append(AgeBand(f"{low + 1}—{high}岁", low + 1, high))
    bands.append(AgeBand(f"{bounds[-1] + 1}岁及以上", bounds[-1] + 1, None))
    return tuple(bands)


def young_ages() -> dict[str, int]:
    """年轻干部 age limits per tier (``DEFAULT_YOUNG_AGES`` updated by ``settings.ZUGONG_CADRE_YOUNG_AGES``)."""
    return {**DEFAULT_YOUNG_AGES, **(getattr(settings, "ZUGONG_CADRE_YOUNG_AGES", None) or {})}


def tier_of(level: str) -> str:
    """The tier (厅局级/县处级/乡科级) of a GB/T 12407 level code, ``""`` for the others."""
    return next((tier for tier, codes in LEVEL_TIERS.items() if level in codes), "")


def level_label(level: str) -> str:
    """The Chinese name of a level code (``""`` → 未定级)."""
    return POST_LEVEL.label(level) if level else UNRANKED


# --------------------------------------------------------------------------------------------------
# Scope
# --------------------------------------------------------------------------------------------------


def default_unit(user) -> Unit | None:
    """The top unit of ``user``'s ``cadre.view`` grants (the shortest path; ``None`` without any)."""
    nodes = user_scope(user, "cadre", "view", "unit")
    if not nodes:
        return None
    top = min(nodes, key=lambda n: (len(n.path), n.path))
    return Unit.objects.filter(pk=top.org_id).first()


def scoped_unit(*, user, code: str = "", unit: Unit | None = None) -> Unit:
    """The unit named by ``code`` (单位代码) or ``unit`` if ``user`` holds ``cadre.view`` on it — else
    ``OutOfScope`` (unknown and out of scope alike); no code and no unit: the user's top granted unit
    (``PermissionDeniedError`` without any ``cadre.view`` grant)."""
    if unit is None and code:
        unit = Unit.objects.filter(code=code.strip()).first()
        if unit is None:
            raise OutOfScope("单位不存在或不在您的干部信息管理范围内。")
    if unit is None:
        if not can(user, "cadre", "view"):
            raise PermissionDeniedError("您没有查看干部信息的权限。")
        unit = default_unit(user)
        if unit is None:
            raise PermissionDeniedError("您没有查看干部信息的权限。")
    if not can(user, "cadre", "view", unit):
        raise OutOfScope("单位不存在或不在您的干部信息管理范围内。")
    return unit


# --------------------------------------------------------------------------------------------------
# The counted cadres (shared with the roster export)
# --------------------------------------------------------------------------------------------------


def _rank_level(as_of: dt.date) -> Subquery:
    """The post level the 职级 held on ``as_of`` is equivalent to (``RANK_LEVEL``): one subquery."""
    level = Case(*[When(rank=code, then=Value(level)) for code, level in RANK_LEVEL.items()],
                 default=Value(""), output_field=CharField())
    return Subquery(RankRecord.objects.filter(held_on(as_of), cadre=OuterRef("pk")).order_by("-start_date", "-pk")
                    .annotate(equivalent=level).values("equivalent")[:1], output_field=CharField())


def _post_level(as_of: dt.date) -> Subquery:
    """The highest level of the posts held on ``as_of`` (non-concurrent ones first): one subquery."""
    held = Appointment.objects.filter(held_on(as_of), cadre=OuterRef("pk"))
    return Subquery(held.order_by("concurrent", "post__level").values("post__level")[:1], output_field=CharField())


class DateNumber(Func):
    """``yyyymmdd`` of a date column as an integer, computed by the engine itself (the generic
    ``Extract`` calls a Python function per row on SQLite, which dominated the analysis' time): SQLite
    stores dates as ``YYYY-MM-DD`` text, PostgreSQL formats with ``to_char``."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(REPLACE(%(expressions)s, '-', '') AS INTEGER)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(TO_CHAR(%(expressions)s, 'YYYYMMDD') AS INTEGER)",
                           **extra)

    def as_sql(self, compiler, connection, **extra):
        if "template" not in extra and connection.vendor not in ("sqlite", "postgresql"):
            return Cast(_date_number(self.source_expressions[0]), IntegerField()).as_sql(compiler, connection)
        return super().as_sql(compiler, connection, **extra)


def _flag(condition) -> Case:
    """1 when ``condition`` holds, else 0 (an integer column, the same on both engines)."""
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _created_by(as_of: dt.date) -> dt.datetime:
    """The first instant after ``as_of`` (local midnight): a record created before it was created on or
    before ``as_of``."""
    created_by = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min)
    if settings.USE_TZ:
        from django.utils import timezone

        created_by = timezone.make_aware(created_by)
    return created_by


def cadre_rows(*, user, unit: Unit, as_of: dt.date, action: str = "view"):
    """The cadres of ``unit``'s subtree in ``user``'s ``cadre.<action>`` scope with ``status`` serving,
    annotated with what decides whether they are counted on ``as_of`` (module docstring): ``post_level``
    (``None`` when no post is held), ``rank_level`` (``None`` when no 职级 is held), ``no_records`` (1: no
    appointment and no rank record at all) and ``created_ok`` (1: created on or before ``as_of``).
    ``counted_q()`` selects the counted ones."""
    no_records = ~Exists(Appointment.objects.filter(cadre=OuterRef("pk"))) & ~Exists(
        RankRecord.objects.filter(cadre=OuterRef("pk")))
    return (
        Cadre.objects.restrict(user, action)
        .filter(unit__path__startswith=unit.path, status="serving")
        .annotate(post_level=_post_level(as_of), rank_level=_rank_level(as_of), no_records=_flag(no_records),
                  created_ok=_flag(Q(created_at__lt=_created_by(as_of))))
    )


def counted_q() -> Q:
    """Condition on ``cadre_rows``' annotations: the cadre is counted on the date (module docstring)."""
    return Q(post_level__isnull=False) | Q(rank_level__isnull=False) | (Q(no_records=1) & Q(created_ok=1))


def counted_cadres(*, user, unit: Unit, as_of: dt.date, action: str = "view"):
    """The cadres counted on ``as_of`` (module docstring), with ``level`` annotated (the level code, ``""``
    = 未定级) — for lists and exports (the statistics filter in their outer query instead, so each
    subquery runs once per cadre)."""
    return (cadre_rows(user=user, unit=unit, as_of=as_of, action=action).filter(counted_q())
            .annotate(level=Coalesce(F("post_level"), F("rank_level"), Value(""), output_field=CharField())))


# --------------------------------------------------------------------------------------------------
# SQL helpers
# --------------------------------------------------------------------------------------------------


def _run_sql(ctes: list[tuple[str, object]], *, select: list[str], source: str, where: str, group: str) -> list[dict]:
    """``WITH <name> AS (<queryset>), … SELECT <select> FROM <source> WHERE <where> GROUP BY <group>``:
    each CTE is a Django queryset (scoped by the caller; its values stay query parameters), the outer
    query joins and counts them. ``select``/``source``/``where``/``group`` are SQL written from this
    module's constants, never from user input. On PostgreSQL JIT compilation is switched off for the
    statement (it would cost more than the query)."""
    parts, params = [], []
    for name, queryset in ctes:
        sql, cte_params = queryset.query.sql_with_params()
        parts.append(f"{name} AS MATERIALIZED ({sql})")
        params.extend(cte_params)
    query = (f"WITH {', '.join(parts)} SELECT {', '.join(select)} FROM {source} "  # noqa: S608  # nosec B608
             f"WHERE {where} GROUP BY {group}")
    db = ctes[0][1].db
    connection = connections[db]
    with transaction.atomic(using=db), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(query, params)
        names = [col[0] for col in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _sum(condition: str) -> str:
    return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"


def _yyyymmdd(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _counted(n: int, total: int) -> dict:
    return {"人数": n, "占比": share(n, total)}


# --------------------------------------------------------------------------------------------------
# The analysis
# --------------------------------------------------------------------------------------------------


def _per_cadre_tables(*, cadres, as_of: dt.date) -> list[tuple[str, object]]:
    """The per-cadre facts of ``cadres`` (a scoped queryset) as grouped querysets, joined by the outer
    query on ``cadre_id``: ``ap`` (every cadre with an appointment record: ``nc_level`` / ``any_level`` =
    the highest level among the non-concurrent / all posts held on ``as_of``), ``rk`` (every cadre with a
    rank record: ``rank_level`` = the highest equivalent level among the 职级 held on ``as_of``)."""
    held = held_on(as_of)
    rank_equivalent = Case(*[When(rank=code, then=Value(level)) for code, level in RANK_LEVEL.items()],
                           default=Value(""), output_field=CharField())
    ap = (Appointment.objects.filter(cadre__in=cadres).order_by().values("cadre_id")
          .annotate(nc_level=Min("post__level", filter=held & Q(concurrent=False)),
                    any_level=Min("post__level", filter=held)))
    rk = (RankRecord.objects.filter(cadre__in=cadres).order_by().annotate(equivalent=rank_equivalent)
          .values("cadre_id").annotate(rank_level=Min("equivalent", filter=held)))
    return [("ap", ap), ("rk", rk)]


LEVEL_SQL = "COALESCE(ap.nc_level, ap.any_level, rk.rank_level, '')"
COUNTED_SQL = ("(ap.any_level IS NOT NULL OR rk.rank_level IS NOT NULL "
               "OR (ap.cadre_id IS NULL AND rk.cadre_id IS NULL AND c.created_ok = 1))")
"""The counted cadres (module docstring) over the joined per-cadre tables."""
JOIN_SQL = "c LEFT JOIN ap ON ap.cadre_id = c.id LEFT JOIN rk ON rk.cadre_id = c.id"


def _structure_rows(*, user, unit: Unit, as_of: dt.date, bands, limits, action: str = "view") -> list[dict]:
    """The counted cadres grouped by level, each group with its counts: one query (the scoped cadres,
    their appointment, rank and education facts grouped per cadre, joined and counted)."""
    minority = ethnicity_group("minority", on=as_of).q("person__")
    han = ethnicity_group("han", on=as_of).q("person__")
    status = "person__political_status"
    cpc = Q(**{f"{status}__in": ["01", "02"]})
    no_party = Q(other_party="")
    cadres = Cadre.objects.restrict(user, action).filter(unit__path__startswith=unit.path, status="serving")
    birth = DateNumber("person__birth_date")
    c = (
        cadres.annotate(
            created_ok=_flag(Q(created_at__lt=_created_by(as_of))),
            age=(Value(_yyyymmdd(as_of)) - birth) / Value(10000),  # 周岁 on as_of (integer division)
            female=_flag(Q(person__sex=SEX_FEMALE)),
            minority=_flag(minority),
            han=_flag(han),
            party=_flag(cpc),
            democratic=_flag(Q(**{f"{status}__in": [f"{i:02d}" for i in range(4, 12)]}) | (~no_party & ~cpc)),
            nonparty=_flag(Q(**{status: "12"}) & no_party),
            masses=_flag(Q(**{f"{status}__in": ["03", "13"]}) & no_party),
            person_education=Case(When(person__education_level="", then=Value(NO_EDUCATION)),
                                  default=F("person__education_level"), output_field=CharField()),
        )
        .order_by()
        .values("id", "created_ok", "age", "female", "minority", "han", "party", "democratic", "nonparty", "masses",
                "person_education")
    )
    ed = (Education.objects.filter(cadre__in=cadres).exclude(education_level="").order_by().values("cadre_id")
          .annotate(ft_level=Min("education_level", filter=Q(category="full_time")), any_level=Min("education_level")))
    ft = f"COALESCE(ed.ft_level, '{NO_EDUCATION}')"
    study = f"COALESCE(ed.any_level, '{NO_EDUCATION}')"
    highest = f"(CASE WHEN {study} < c.person_education THEN {study} ELSE c.person_education END)"
    select = [f"{LEVEL_SQL} AS level", "COUNT(*) AS n", "AVG(c.age * 1.0) AS age_avg"]
    select += [f"SUM(c.{col}) AS {col}" for col in ("female", "minority", "han", "party", "democratic", "nonparty",
                                                    "masses")]
    for i, band in enumerate(bands):
        cond = [f"c.age >= {int(band.min_age)}"] if band.min_age is not None else []
        cond += [f"c.age <= {int(band.max_age)}"] if band.max_age is not None else []
        select.append(f"{_sum(' AND '.join(cond))} AS age_{i}")
    for limit in sorted(set(limits.values())):
        select.append(f"{_sum(f'c.age <= {int(limit)}')} AS young_{int(limit)}")
    for i, (_label, low, high) in enumerate(EDUCATION_BANDS):
        for column, alias in ((ft, "ft"), (highest, "hi")):
            condition = f"{column} >= '{low}' AND {column} < '{high}'"
            select.append(f"{_sum(condition)} AS {alias}_{i}")
    rows = _run_sql([("c", c), *_per_cadre_tables(cadres=cadres, as_of=as_of), ("ed", ed)], select=select,
                    source=f"{JOIN_SQL} LEFT JOIN ed ON ed.cadre_id = c.id", where=COUNTED_SQL, group=LEVEL_SQL)
    for row in rows:  # PostgreSQL answers SUM() as Decimal and AVG() as numeric
        for key, value in row.items():
            if key == "age_avg":
                row[key] = float(value) if value is not None else None
            elif key != "level":
                row[key] = int(value or 0)
    return rows


def cadre_structure(*, user, unit: Unit | None = None, as_of: dt.date, age_bands=None,
                    action: str = "view") -> dict:
    """干部结构分析 of ``unit``'s subtree (default: the user's top ``cadre.view`` unit) as of ``as_of``,
    over the cadres of the user's ``cadre.view`` scope counted on that day (module docstring: who, level,
    age in 周岁 on ``as_of``, bands, buckets). ``age_bands``: upper bounds overriding the configured bands.
    ``action``: the scope the cadres and appointments are read with — ``"view"`` for the page and API,
    ``"export"`` for the workbook (only what the user may export: ``cadre.export`` held on a unit node alone
    does not bring in its child units' cadres); the root ``unit`` itself is still checked for ``cadre.view``.

    Returns (counts are ints; 占比 a percentage of the section's base rounded half-up to 0.1, ``None``
    when the base is 0; 平均年龄 in years to 0.1, ``None`` without cadres)::

        {"单位代码": "U", "单位名称": "某县", "截至日期": "2024-12-31", "干部总数": n, "平均年龄": 45.3,
         "年龄结构": [{"年龄段": "35岁及以下", "人数": n, "占比": 12.5}, …],
         "职务层次": [{"级别代码": "131", "级别": "正处级", "层级": "县处级", "人数": n, "占比": …,
                    "平均年龄": 50.2}, …, {"级别代码": "", "级别": "未定级", …}],   # levels present only
         "年轻干部": [{"层级": "乡科级", "年龄上限": 35, "干部数": n, "年轻干部数": n, "占比": …}, …],
         "全日制学历": [{"学历": "研究生", "人数": n, "占比": …}, …, {"学历": "未填", …}],
         "最高学历": [… same …],
         "性别": [{"性别": "男", "人数", "占比"}, {"性别": "女", …}],
         "民族": [{"民族": "汉族", …}, {"民族": "少数民族", …}, {"民族": "未填", …}],
         "政治面貌": [{"政治面貌": "中共党员", …}, {"民主党派"}, {"无党派人士"}, {"群众"}, {"未填"}],
         "领导班子专业结构": {"合计": {"班子成员": n, "分布": {"经济管理": n, …, "其他": n},
                                     "专业对口": n, "专业对口占比": …},
                            "单位": [{"单位代码", "单位名称", "单位属性", "班子成员": n, "分布": {…},
                                     "对口专业": ["经济管理", …], "专业对口": n, "专业对口占比": …}, …]},
         "摘要": ["截至 2024-12-31，某县（含下级单位）共有干部 120 名，平均年龄 45.3 岁。",
                "35岁及以下仅 8 名，占 6.7%。", …]}

    Raises ``OutOfScope`` when ``unit`` is not within the user's ``cadre.view`` scope,
    ``PermissionDeniedError`` when no unit is given and the user holds no ``cadre.view`` grant, and
    ``ValueError`` for age bands that do not increase. Runs 3 queries once the grants are cached (the
    structure, the leadership teams, the user's grants)."""
    unit = scoped_unit(user=user, unit=unit)
    bands = age_bands_from(age_bands)
    limits = young_ages()
    rows = _structure_rows(user=user, unit=unit, as_of=as_of, bands=bands, limits=limits, action=action)
    return _assemble(user=user, unit=unit, as_of=as_of, rows=rows, bands=bands, limits=limits, action=action)


def _assemble(*, user, unit: Unit, as_of: dt.date, rows: list[dict], bands, limits, action: str = "view") -> dict:
    total = sum(r["n"] for r in rows)

    def add(key: str) -> int:
        return sum(r[key] for r in rows)

    age_total = sum((r["age_avg"] or 0) * r["n"] for r in rows)
    average = round(age_total / total, 1) if total else None
    order = {code: i for i, code in enumerate(LEVEL_ORDER)}
    by_level = sorted(rows, key=lambda r: (r["level"] == "", order.get(r["level"], len(order))))
    levels = [{"级别代码": r["level"], "级别": level_label(r["level"]), "层级": tier_of(r["level"]),
               "人数": r["n"], "占比": share(r["n"], total),
               "平均年龄": round(r["age_avg"], 1) if r["age_avg"] is not None else None} for r in by_level]
    young = []
    for tier, codes in LEVEL_TIERS.items():
        limit = limits[tier]
        in_tier = [r for r in rows if r["level"] in codes]
        n = sum(r["n"] for r in in_tier)
        y = sum(r[f"young_{limit}"] for r in in_tier)
        young.append({"层级": tier, "年龄上限": limit, "干部数": n, "年轻干部数": y, "占比": share(y, n)})

    def education(prefix: str) -> list[dict]:
        counts = [add(f"{prefix}_{i}") for i in range(len(EDUCATION_BANDS))]
        out = [{"学历": label, **_counted(n, total)} for (label, _l, _h), n in zip(EDUCATION_BANDS, counts, strict=True)]
        out.append({"学历": "未填", **_counted(total - sum(counts), total)})
        return out

    female, minority, han = add("female"), add("minority"), add("han")
    party, democratic, nonparty, masses = add("party"), add("democratic"), add("nonparty"), add("masses")
    result = {
        "单位代码": unit.code,
        "单位名称": unit.name,
        "截至日期": as_of.isoformat(),
        "干部总数": total,
        "平均年龄": average,
        "年龄结构": [{"年龄段": b.label, **_counted(add(f"age_{i}"), total)} for i, b in enumerate(bands)],
        "职务层次": levels,
        "年轻干部": young,
        "全日制学历": education("ft"),
        "最高学历": education("hi"),
        "性别": [{"性别": "男", **_counted(total - female, total)}, {"性别": "女", **_counted(female, total)}],
        "民族": [{"民族": "汉族", **_counted(han, total)}, {"民族": "少数民族", **_counted(minority, total)},
               {"民族": "未填", **_counted(total - han - minority, total)}],
        "政治面貌": [{"政治面貌": "中共党员", **_counted(party, total)},
                 {"政治面貌": "民主党派", **_counted(democratic, total)},
                 {"政治面貌": "无党派人士", **_counted(nonparty, total)},
                 {"政治面貌": "群众", **_counted(masses, total)},
                 {"政治面貌": "未填", **_counted(total - party - democratic - nonparty - masses, total)}],
        "领导班子专业结构": leadership_specialty(user=user, unit=unit, as_of=as_of, action=action),
    }
    result["摘要"] = summary_sentences(result)
    return result


def _text_q(bucket: str, prefix: str = "") -> Q:
    """Condition: 专业技术职务 or 熟悉专业有何专长 (at ``prefix``) names a keyword of ``bucket``."""
    text = Q()
    for word in SPECIALTY_BUCKETS[bucket]:
        text |= Q(**{f"{prefix}professional_title__contains": word}) | Q(**{f"{prefix}specialty__contains": word})
    return text


def _major_q(bucket: str) -> Q:
    """Condition on an ``Education`` row: its major or 毕业院校系及专业 names a keyword of ``bucket``."""
    majors = Q()
    for word in SPECIALTY_BUCKETS[bucket]:
        majors |= Q(major__contains=word) | Q(education_school_major__contains=word)
    return majors


def leadership_specialty(*, user, unit: Unit, as_of: dt.date, action: str = "view") -> dict:
    """领导班子专业结构 of ``unit``'s subtree on ``as_of`` (module docstring): the leadership appointments
    held that day (``Appointment.objects.restrict(user, "view")``, of serving cadres in the user's
    ``cadre.view`` scope) with each member's text bucket flags, joined to the members' full-time majors'
    bucket flags (grouped per cadre), grouped by unit counting distinct members: one query. Shape: see
    ``cadre_structure``. ``action``: the scope (``"view"``, or ``"export"`` for the workbook)."""
    buckets = list(SPECIALTY_BUCKETS)
    cadres = Cadre.objects.restrict(user, action).filter(status="serving")
    a = (
        Appointment.objects.restrict(user, action)
        .filter(held_on(as_of), post__leadership=True, post__unit__path__startswith=unit.path, cadre__in=cadres)
        .annotate(unit_id=F("post__unit"), category=F("post__unit__unit_category"),
                  **{f"t{i}": _flag(_text_q(b, "cadre__")) for i, b in enumerate(buckets)})
        .order_by()
        .values("unit_id", "category", "cadre_id", *[f"t{i}" for i in range(len(buckets))])
    )
    leaders = (Appointment.objects.filter(held_on(as_of), post__leadership=True,
                                          post__unit__path__startswith=unit.path).values("cadre_id"))
    em = (Education.objects.filter(category="full_time", cadre__in=leaders)
          .order_by().values("cadre_id")
          .annotate(**{f"m{i}": Max(_flag(_major_q(b))) for i, b in enumerate(buckets)}))
    flag = {b: f"(a.t{i} = 1 OR COALESCE(em.m{i}, 0) = 1)" for i, b in enumerate(buckets)}
    select = ["a.unit_id AS unit_id", "a.category AS category", "COUNT(DISTINCT a.cadre_id) AS members"]
    select += [f"COUNT(DISTINCT CASE WHEN {flag[b]} THEN a.cadre_id END) AS b{i}" for i, b in enumerate(buckets)]
    select.append(f"COUNT(DISTINCT CASE WHEN NOT ({' OR '.join(flag.values())}) THEN a.cadre_id END) AS other")
    matching = []
    for category, names in MATCHING_BUCKETS.items():
        hits = " OR ".join(flag[name] for name in names)
        matching.append(f"(a.category = '{category}' AND ({hits}))")
    select.append(f"COUNT(DISTINCT CASE WHEN {' OR '.join(matching)} THEN a.cadre_id END) AS matched")
    groups = _run_sql([("a", a), ("em", em)], select=select, source="a LEFT JOIN em ON em.cadre_id = a.cadre_id",
                      where="1 = 1", group="a.unit_id, a.category")
    names = {u.pk: u for u in Unit.objects.filter(pk__in=[g["unit_id"] for g in groups]).only("code", "name", "path")}
    groups.sort(key=lambda g: names[g["unit_id"]].path)
    units = []
    for g in groups:
        distribution = {b: int(g[f"b{i}"]) for i, b in enumerate(buckets)}
        distribution[OTHER_BUCKET] = int(g["other"])
        category, members, matched = g["category"], int(g["members"]), int(g["matched"])
        unit_row = names[g["unit_id"]]
        units.append({"单位代码": unit_row.code, "单位名称": unit_row.name,
                      "单位属性": UNIT_CATEGORY.label(category) if category else "",
                      "班子成员": members, "分布": distribution,
                      "对口专业": list(MATCHING_BUCKETS.get(category, ())),
                      "专业对口": matched, "专业对口占比": share(matched, members)})
    members = sum(u["班子成员"] for u in units)
    matched = sum(u["专业对口"] for u in units)
    total_distribution = {b: sum(u["分布"][b] for u in units) for b in [*buckets, OTHER_BUCKET]}
    return {"合计": {"班子成员": members, "分布": total_distribution, "专业对口": matched,
                   "专业对口占比": share(matched, members)},
            "单位": units}


def _sentence(label: str, n: int, pct: float | None) -> str:
    few = "仅" if pct is not None and pct < FEW_SHARE else ""
    shown = "—" if pct is None else f"{pct:.1f}%"
    return f"{label}{few} {n} 名，占 {shown}。"


def summary_sentences(data: dict) -> list[str]:
    """「X岁以下仅X名，占X%」 style sentences of a ``cadre_structure`` result (「仅」 below ``FEW_SHARE``
    percent)."""
    total = data["干部总数"]
    if not total:
        return [f"截至 {data['截至日期']}，{data['单位名称']}（含下级单位）没有纳入分析的干部。"]
    average = data["平均年龄"]
    lines = [f"截至 {data['截至日期']}，{data['单位名称']}（含下级单位）共有干部 {total} 名，平均年龄 {average:.1f} 岁。"]
    first = data["年龄结构"][0]
    lines.append(_sentence(first["年龄段"], first["人数"], first["占比"]))
    over = data["年龄结构"][-1]
    lines.append(_sentence(over["年龄段"], over["人数"], over["占比"]))
    for row in data["年轻干部"]:
        if row["干部数"]:
            lines.append(_sentence(f"{row['层级']}干部 {row['干部数']} 名，其中{row['年龄上限']}岁及以下",
                                   row["年轻干部数"], row["占比"]))
    female = data["性别"][1]
    lines.append(_sentence("女干部", female["人数"], female["占比"]))
    minority = data["民族"][1]
    lines.append(_sentence("少数民族干部", minority["人数"], minority["占比"]))
    party = data["政治面貌"][0]
    lines.append(_sentence("中共党员", party["人数"], party["占比"]))
    ft = data["全日制学历"]
    college = ft[0]["人数"] + ft[1]["人数"]
    lines.append(_sentence("全日制大学本科及以上学历", college, share(college, total)))
    team = data["领导班子专业结构"]["合计"]
    if team["班子成员"]:
        lines.append(_sentence(f"领导班子成员 {team['班子成员']} 名，其中专业背景与单位性质对口的", team["专业对口"],
                               team["专业对口占比"]))
    return lines
