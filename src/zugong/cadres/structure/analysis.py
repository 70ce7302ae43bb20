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
only when the cadre holds nothing else (the rule of ``cadres.selectors.post_facts``) —; else the level the
职级 held on D is equivalent to (``RANK_LEVEL``, 《公务员职务与职级并行规定》第十一条); else 未定级. Tiers:
厅局级 = 121/122, 县处级 = 131/132, 乡科级 = 141/142 (``LEVEL_TIERS``).

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

**Counting** is SQL (design.md rule 6): one ``GROUP BY level`` query over the counted cadres with
conditional counts for every band (≤ 14 group rows, added up in Python), one ``GROUP BY unit`` query over
the leadership appointments, and two small queries (scope check, unit names). Percentages: share of the
relevant total in percent, rounded half-up to 0.1 (``reports.services.share``; ``None`` when the total is 0).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Floor, Least

from zugong.cadres.choices import LEVEL_ORDER, POST_LEVEL, RANK_LEVEL
from zugong.cadres.models import Appointment, Cadre, Education, RankRecord
from zugong.cadres.selectors import held_on
from zugong.core.codes import SEX_FEMALE, UNIT_CATEGORY
from zugong.core.errors import OutOfScope, PermissionDeniedError
from zugong.core.scoping import can, user_scope
from zugong.orgs.models import Unit
from zugong.party.rules import _date_number, birth_cutoff, ethnicity_group
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


def _level_expression(as_of: dt.date):
    held = Appointment.objects.filter(held_on(as_of), cadre=OuterRef("pk"))
    post_level = Subquery(held.order_by("concurrent", "post__level").values("post__level")[:1],
                          output_field=CharField())
    rank = Subquery(RankRecord.objects.filter(held_on(as_of), cadre=OuterRef("pk"))
                    .order_by("-start_date", "-pk").values("rank")[:1], output_field=CharField())
    return post_level, rank


def counted_cadres(*, user, unit: Unit, as_of: dt.date, action: str = "view"):
    """The cadres counted on ``as_of`` in ``unit``'s subtree (module docstring), scoped by
    ``Cadre.objects.restrict(user, action)``, annotated with ``post_level`` (``None`` when no post is
    held), ``rank_code`` and ``level`` (the level code, ``""`` = 未定级). Unscoped units are the caller's
    to check (``scoped_unit``)."""
    post_level, rank = _level_expression(as_of)
    rank_level = Case(*[When(rank_code=code, then=Value(level)) for code, level in RANK_LEVEL.items()],
                      default=Value(""), output_field=CharField())
    created_by = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min)
    if settings.USE_TZ:
        from django.utils import timezone

        created_by = timezone.make_aware(created_by)
    no_records = (~Exists(Appointment.objects.filter(cadre=OuterRef("pk")))
                  & ~Exists(RankRecord.objects.filter(cadre=OuterRef("pk"))))
    return (
        Cadre.objects.restrict(user, action)
        .filter(unit__path__startswith=unit.path, status="serving")
        .annotate(post_level=post_level, rank_code=rank)
        .filter(Q(post_level__isnull=False) | Q(rank_code__isnull=False) | (Q(no_records) & Q(created_at__lt=created_by)))
        .annotate(level=Coalesce(F("post_level"), rank_level, output_field=CharField()))
    )


# --------------------------------------------------------------------------------------------------
# The analysis
# --------------------------------------------------------------------------------------------------


def _bucket_q(bucket: str, prefix: str = "") -> Q:
    """Condition on a cadre (at ``prefix``): 专业技术职务, 熟悉专业有何专长 or a full-time major names a
    keyword of ``bucket``."""
    words = SPECIALTY_BUCKETS[bucket]
    text = Q()
    for word in words:
        text |= Q(**{f"{prefix}professional_title__contains": word}) | Q(**{f"{prefix}specialty__contains": word})
    majors = Q()
    for word in words:
        majors |= Q(major__contains=word) | Q(education_school_major__contains=word)
    ref = OuterRef(f"{prefix}pk") if prefix else OuterRef("pk")
    study = Exists(Education.objects.filter(majors, cadre=ref, category="full_time"))
    return text | Q(study)


def _education_band_q(field: str, low: str, high: str) -> Q:
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def _aggregates(as_of: dt.date, bands: tuple[AgeBand, ...], limits: dict[str, int]) -> dict:
    from zugong.party.rules import age_range_q

    # 周岁 = floor((yyyymmdd(D) - yyyymmdd(birth)) / 10000); FLOOR because PostgreSQL's EXTRACT is numeric
    age = Floor((Value(_yyyymmdd(as_of)) - _date_number("person__birth_date")) / Value(10000))
    minority = ethnicity_group("minority", on=as_of).q("person__")
    status = "person__political_status"
    democratic_codes = [f"{i:02d}" for i in range(4, 12)]
    aggregates = {
        "n": Count("pk"),
        "age_avg": Avg(age, output_field=FloatField()),
        "female": Count("pk", filter=Q(person__sex=SEX_FEMALE)),
        "minority": Count("pk", filter=minority),
        "han": Count("pk", filter=Q(person__ethnicity="01")),
        "party": Count("pk", filter=Q(**{f"{status}__in": ["01", "02"]})),
        "democratic": Count("pk", filter=Q(**{f"{status}__in": democratic_codes})
                            | (~Q(other_party="") & ~Q(**{f"{status}__in": ["01", "02"]}))),
        "nonparty": Count("pk", filter=Q(**{status: "12"}) & Q(other_party="")),
        "masses": Count("pk", filter=Q(**{f"{status}__in": ["03", "13"]}) & Q(other_party="")),
    }
    for i, band in enumerate(bands):
        aggregates[f"age_{i}"] = Count("pk", filter=age_range_q(band.min_age, band.max_age, as_of, "person__"))
    for limit in sorted(set(limits.values())):
        aggregates[f"young_{limit}"] = Count("pk", filter=Q(person__birth_date__gt=birth_cutoff(as_of, limit + 1)))
    for i, (_label, low, high) in enumerate(EDUCATION_BANDS):
        aggregates[f"ft_{i}"] = Count("pk", filter=_education_band_q("ft_education", low, high))
        aggregates[f"hi_{i}"] = Count("pk", filter=_education_band_q("highest_education", low, high))
    return aggregates


def _yyyymmdd(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _counted(n: int, total: int) -> dict:
    return {"人数": n, "占比": share(n, total)}


def cadre_structure(*, user, unit: Unit | None = None, as_of: dt.date, age_bands=None) -> dict:
    """干部结构分析 of ``unit``'s subtree (default: the user's top ``cadre.view`` unit) as of ``as_of``,
    over the cadres of the user's ``cadre.view`` scope counted on that day (module docstring: who, level,
    age in 周岁 on ``as_of``, bands, buckets). ``age_bands``: upper bounds overriding the configured bands.

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
         "摘要": ["共有干部 120 名，平均年龄 45.3 岁。", "35岁及以下仅 8 名，占 6.7%。", …]}

    Raises ``OutOfScope`` when ``unit`` is not within the user's ``cadre.view`` scope,
    ``PermissionDeniedError`` when no unit is given and the user holds no ``cadre.view`` grant, and
    ``ValueError`` for age bands that do not increase. Runs 3 queries after the grants are cached."""
    unit = scoped_unit(user=user, unit=unit)
    bands = age_bands_from(age_bands)
    limits = young_ages()

    ft = Subquery(Education.objects.filter(cadre=OuterRef("pk"), category="full_time").exclude(education_level="")
                  .order_by("education_level").values("education_level")[:1], output_field=CharField())
    any_study = Subquery(Education.objects.filter(cadre=OuterRef("pk")).exclude(education_level="")
                         .order_by("education_level").values("education_level")[:1], output_field=CharField())
    person_level = Case(When(person__education_level="", then=Value(NO_EDUCATION)),
                        default=F("person__education_level"), output_field=CharField())
    rows = list(
        counted_cadres(user=user, unit=unit, as_of=as_of)
        .annotate(ft_education=Coalesce(ft, Value(NO_EDUCATION), output_field=CharField()),
                  highest_education=Least(Coalesce(any_study, Value(NO_EDUCATION), output_field=CharField()),
                                          person_level, output_field=CharField()))
        .order_by()
        .values("level")
        .annotate(**_aggregates(as_of, bands, limits))
    )
    return _assemble(user=user, unit=unit, as_of=as_of, rows=rows, bands=bands, limits=limits)


def _assemble(*, user, unit: Unit, as_of: dt.date, rows: list[dict], bands, limits) -> dict:
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
        "领导班子专业结构": leadership_specialty(user=user, unit=unit, as_of=as_of),
    }
    result["摘要"] = summary_sentences(result)
    return result


def leadership_specialty(*, user, unit: Unit, as_of: dt.date) -> dict:
    """领导班子专业结构 of ``unit``'s subtree on ``as_of`` (module docstring): one ``GROUP BY unit`` query
    over the leadership appointments held that day (scoped by ``Appointment.objects.restrict`` and the
    counted cadres' scope), counting distinct members per bucket. Shape: see ``cadre_structure``."""
    buckets = list(SPECIALTY_BUCKETS)
    bucket_q = {b: _bucket_q(b, "cadre__") for b in buckets}
    any_bucket = Q()
    for q in bucket_q.values():
        any_bucket |= q
    matching = Q(pk__in=[])
    for category, names in MATCHING_BUCKETS.items():
        cond = Q()
        for name in names:
            cond |= bucket_q[name]
        matching |= Q(post__unit__unit_category=category) & cond
    aggregates = {f"b{i}": Count("cadre", distinct=True, filter=bucket_q[b]) for i, b in enumerate(buckets)}
    groups = list(
        Appointment.objects.restrict(user, "view")
        .filter(held_on(as_of), post__leadership=True, post__unit__path__startswith=unit.path,
                cadre__status="serving", cadre__in=Cadre.objects.restrict(user, "view"))
        .order_by()
        .values("post__unit", "post__unit__code", "post__unit__name", "post__unit__unit_category", "post__unit__path")
        .annotate(members=Count("cadre", distinct=True), other=Count("cadre", distinct=True, filter=~any_bucket),
                  matched=Count("cadre", distinct=True, filter=matching), **aggregates)
    )
    groups.sort(key=lambda g: g["post__unit__path"])
    units = []
    for g in groups:
        distribution = {b: g[f"b{i}"] for i, b in enumerate(buckets)}
        distribution[OTHER_BUCKET] = g["other"]
        category = g["post__unit__unit_category"]
        units.append({"单位代码": g["post__unit__code"], "单位名称": g["post__unit__name"],
                      "单位属性": UNIT_CATEGORY.label(category) if category else "",
                      "班子成员": g["members"], "分布": distribution,
                      "对口专业": list(MATCHING_BUCKETS.get(category, ())),
                      "专业对口": g["matched"], "专业对口占比": share(g["matched"], g["members"])})
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
