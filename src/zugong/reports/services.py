"""Statistics engine: the 党内统计 (party statistics) of an organization subtree as of a date.

The layout follows the annual 中国共产党党内统计公报 published by 中共中央组织部 (``rules.md`` §1). Every
band, era boundary and definition is a row of the effective-dated rule table (``zugong.core.rules``):
the 公报 layout's rows in ``zugong.reports.rules``, the member attributes (学历分组, 民族分组, 正式/预备) in
``zugong.party.rules``. A statistic as of D applies the rows in force on D; no boundary or code is a
literal in the counting code.

Everything is counted in the database (``design.md`` rule 6): one query over the memberships in force on
the reference date (grouped by occupation, ≤ 8 rows, each with conditional counts), one over the
organizations existing then and one over the development records. Ages, eras and categories are
``COUNT(...) FILTER (WHERE ...)`` conditions whose cut-off dates are computed once in Python (exact
calendar arithmetic, so 29 February is right and the SQL is the same on SQLite and PostgreSQL); the age
at admission compares ``yyyymmdd`` integers of two columns. No Python loop ever walks over people: Python
only adds up the ≤ 8 occupation rows and takes differences of cumulative band counts.

Speed (issue #13, ``docs/statistics-scale.md``): the member figures are read from **statistics snapshots**
(``reports.snapshots``: per organization and day, exact, refreshed where the data changed — triggers record
every change), so a repeated statistic reads one row per organization instead of joining every membership
to its person; the first statistic of a new day costs about the live query. ``party_statistics(...,
live=True)`` is the reference: the live query described below, which the snapshots must always equal. Live:
about 0.35 s of PostgreSQL CPU per 10^5 members in force and 0.55 s of SQLite CPU, linear in the subtree's
size (the joins dominate; ``people_stats_cover_idx`` lets PostgreSQL read people from a narrow index).

Public entry points take the requesting ``user`` and count only what lies in that user's ``party.view``
scope: the organization must be in ``PartyOrganization.objects.restrict(user, "view")`` (else
``OutOfScope``), and organizations, memberships and development records are each fetched through their
own ``restrict(user, "view")`` — a user holding a node-only grant sees only that node's members.

Definitions (口径): each is a rule row (``reports.rules.statistics_definitions`` lists them, the page and
the export print them); how the engine applies them:

- **党员** on D (``reports.communique.members``): a ``Membership`` in force on D (``start_date <= D <
  end_date``) of an organization in the subtree, whose person's 入党日期 is on or before D. Memberships of
  one person never overlap (a transfer ends one the day the next starts), so rows = people. A member who
  transferred out before D is not counted; one who transferred in is counted at the new organization.
- **正式党员 / 预备党员** (``party.member_category``), **少数民族党员** (``party.ethnicity_groups``),
  **大专及以上学历** (``party.education_groups``, the person's current 学历): the conditions of
  ``zugong.party.rules`` as in force on D.
- **年龄** in 周岁 on D and **入党时间** by 入党日期 (``reports.communique.age_bands`` / ``.admission_eras``).
- **职业** and **生产工作一线**: those of the membership in force on D (``reports.communique.occupations``).
- **基层组织** (``reports.communique.organization_kinds``): organizations existing on D
  (``PartyOrganization.objects.active_on(D)``) in the subtree, the root included.
- **发展党员** (``reports.communique.development``): members whose 入党日期 falls in the calendar year of D,
  on or before D, counted where they stand on D (someone admitted this year who has transferred out is
  counted by the receiving organization). 35岁及以下 = age at the 入党日期 (``.development_young``).
- **入党申请人** (``reports.communique.pipeline``): development records with an 申请 date on or before D
  that had neither been admitted nor closed by D — so it *includes* 积极分子 and 发展对象 (the whole open
  pipeline, as the 公报 counts it). **入党积极分子**: records with an 积极分子 date on or before D, not
  admitted nor closed by D (includes 发展对象). Counted by the cultivating organization.
- **占比** (``reports.communique.shares``): share of 党员总数 in percent, rounded half-up to 0.1; ``None``
  when there are no members.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q

from zugong.core.codes import OCCUPATION, SEX_FEMALE
from zugong.core.errors import OutOfScope
from zugong.orgs.models import PartyOrganization
from zugong.orgs.selectors import organization_by_code_in_scope, top_organization
from zugong.party.models import DevelopmentRecord, Membership
from zugong.party.rules import (
    age_below_at_q,
    birth_cutoff,
    education_group,
    ethnicity_group,
    member_category_q,
)
from zugong.reports.rules import (
    AdmissionEra,
    AgeBand,
    CommuniqueRules,
    admission_era_q,
    age_band_q,
    communique_rules,
    development_q,
    young_at_admission_q,
)

__all__ = [  # the rule helpers are defined in zugong.party.rules / zugong.reports.rules and re-exported here
    "COMMUNIQUE_RULES", "AdmissionEra", "AgeBand", "CommuniqueRules", "age_band_q", "age_below_at_q", "birth_cutoff",
    "communique_rows", "communique_title", "default_organization", "era_q", "party_statistics",
    "party_statistics_with_incomplete", "scoped_organization", "share", "snapshot_conditions", "snapshot_counts",
]

# --------------------------------------------------------------------------------------------------
# Rule table (zugong.reports.rules, zugong.party.rules)
# --------------------------------------------------------------------------------------------------

# The 公报 layout's rules in force today (labels for the API schema, the source line). The statistics
# themselves use the rules in force on their reference date (``communique_rules(as_of)``).
COMMUNIQUE_RULES = communique_rules()

# Labels used as keys of the result (the 公报's wording).
ORG_LABELS = ("基层党委", "总支部", "支部")
SHARE_LABELS = ("女党员", "少数民族党员", "大专及以上学历党员")
DEVELOPMENT_LABELS = ("合计", "女", "少数民族", f"{COMMUNIQUE_RULES.development_young_max_age}岁及以下", "大专及以上学历",
                      "生产工作一线")


def era_q(index: int, rules: CommuniqueRules | None = None, field: str = "admission_date") -> Q:
    """Condition on ``field`` selecting the ``index``-th admission era of ``rules`` (default: today's)."""
    return admission_era_q((rules or COMMUNIQUE_RULES).admission_eras, index, field)


def share(count: int | None, total: int | None) -> float | None:
    """``count`` as a percentage of ``total``, rounded half-up to 0.1; ``None`` when ``total`` is 0."""
    if not total or count is None:
        return None
    value = (Decimal(count) * 100 / Decimal(total)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return float(value)


# --------------------------------------------------------------------------------------------------
# Scope helpers
# --------------------------------------------------------------------------------------------------


# 组织代码 → organization in the user's party.view scope, and the top granted one: ``orgs.selectors`` (shared by
# every page that takes ``?org=``)
scoped_organization = organization_by_code_in_scope
default_organization = top_organization


def _check_in_scope(user, organization: PartyOrganization) -> PartyOrganization:
    org = PartyOrganization.objects.restrict(user, "view").filter(pk=organization.pk).first()
    if org is None:
        raise OutOfScope()
    return org


# --------------------------------------------------------------------------------------------------
# The statistics
# --------------------------------------------------------------------------------------------------


def party_statistics(*, user, organization: PartyOrganization, as_of: dt.date, live: bool = False) -> dict:
    """党内统计 of ``organization``'s subtree as of ``as_of``, restricted to ``user``'s scope.

    Returns a dict keyed by the 公报's labels::

        {"截至日期": "2023-12-31", "党员总数": int, "正式党员": int, "预备党员": int,
         "基层组织": {"基层党委": int, "总支部": int, "支部": int},
         "女党员": int, "少数民族党员": int, "大专及以上学历党员": int,
         "占比": {"女党员": float|None, "少数民族党员": ..., "大专及以上学历党员": ...},   # percent, 0.1
         "年龄": {"30岁及以下": int, ... "61岁及以上": int},
         "入党时间": {"新中国成立前": int, ...},
         "职业": {"工人（工勤技能人员）": int, ... "离退休人员": int},
         "发展党员": {"合计", "女", "少数民族", "35岁及以下", "大专及以上学历", "生产工作一线": int,
                    "职业": {...eight...}},
         "入党申请人": int, "入党积极分子": int}

    Definitions: see the module docstring. Raises ``OutOfScope`` if ``organization`` is not within
    ``PartyOrganization.objects.restrict(user, "view")``. Runs 5 queries (grants, scope check,
    organizations, the member snapshots' sum, development records) whatever the subtree's size, once the
    day's snapshots are current (``reports.snapshots``; refreshing stale ones adds a few). ``live=True``
    counts the members by the live query instead (the reference the snapshots equal; also 5 queries)."""
    org = _check_in_scope(user, organization)
    return _compute_party_statistics(
        root=org,
        as_of=as_of,
        organizations=PartyOrganization.objects.restrict(user, "view"),
        memberships=Membership.objects.restrict(user, "view"),
        development_records=DevelopmentRecord.objects.restrict(user, "view"),
        user=None if live else user,
    )


def _compute_party_statistics(*, root: PartyOrganization, as_of: dt.date, organizations, memberships,
                              development_records, rules: CommuniqueRules | None = None, user=None,
                              counts: dict | None = None) -> dict:
    """Internal: the statistics of ``root``'s subtree over the given (already scoped) querysets, by the
    rules in force on ``as_of`` (``communique_rules(as_of)`` unless ``rules`` is given). With ``user`` the
    member figures come from the snapshots of the organizations in that user's scope (``memberships`` must
    then be that user's scoped memberships; ``counts``: that sum already read); without, from the live query
    over ``memberships``.

    Callers outside this module use ``party_statistics``, which passes querysets restricted to the
    user. Same result shape as ``party_statistics``."""
    rules = rules or communique_rules(as_of)
    subtree = root.path
    orgs = _count_organizations(organizations, subtree, as_of, rules)
    members = None
    if user is not None:
        if counts is None:
            counts = snapshot_counts(user=user, root=root, as_of=as_of, rules=rules, memberships=memberships)
        members = None if counts is None else _members_from_counts(counts, rules)
    if members is None:
        members = _count_members(memberships, subtree, as_of, rules)
    pipeline = _count_pipeline(development_records, subtree, as_of)

    total = members["total"]
    occupation_labels = [OCCUPATION.label(code) for code in rules.occupations]
    age_counts = _bands_from_cumulative(total, members["age_below"])
    era_counts = _bands_from_cumulative(total, members["admitted_before"])
    return {
        "截至日期": as_of.isoformat(),
        "党员总数": total,
        "正式党员": members["full"],
        "预备党员": total - members["full"],
        "基层组织": orgs,
        "女党员": members["female"],
        "少数民族党员": members["minority"],
        "大专及以上学历党员": members["college"],
        "占比": {
            "女党员": share(members["female"], total),
            "少数民族党员": share(members["minority"], total),
            "大专及以上学历党员": share(members["college"], total),
        },
        "年龄": {band.label: n for band, n in zip(rules.age_bands, age_counts, strict=True)},
        "入党时间": {era.label: n for era, n in zip(rules.admission_eras, era_counts, strict=True)},
        "职业": {label: members["occupation"].get(code, 0)
               for code, label in zip(rules.occupations, occupation_labels, strict=True)},
        "发展党员": {
            "合计": members["dev_total"],
            "女": members["dev_female"],
            "少数民族": members["dev_minority"],
            f"{rules.development_young_max_age}岁及以下": members["dev_young"],
            "大专及以上学历": members["dev_college"],
            "生产工作一线": members["dev_front_line"],
            "职业": {label: members["dev_occupation"].get(code, 0)
                   for code, label in zip(rules.occupations, occupation_labels, strict=True)},
        },
        "入党申请人": pipeline["applicants"],
        "入党积极分子": pipeline["activists"],
    }


def _bands_from_cumulative(total: int, below: list[int]) -> list[int]:
    """Band sizes from cumulative counts: ``below[i]`` = how many fall before boundary ``i+1``."""
    edges = [0, *below, total]
    return [edges[i + 1] - edges[i] for i in range(len(edges) - 1)]


def _count_organizations(queryset, subtree: str, as_of: dt.date, rules: CommuniqueRules) -> dict:
    """基层组织 existing on ``as_of`` in the subtree: one aggregate query."""
    counts = (
        queryset.active_on(as_of)
        .filter(path__startswith=subtree)
        .aggregate(
            committee=Count("pk", filter=Q(org_type__in=rules.committee_types)),
            general_branch=Count("pk", filter=Q(org_type__in=rules.general_branch_types)),
            branch=Count("pk", filter=Q(org_type__in=rules.branch_types)),
        )
    )
    return {"基层党委": counts["committee"], "总支部": counts["general_branch"], "支部": counts["branch"]}


MEMBER = "person__party_member__"  # from a membership row to its PartyMember


def _member_conditions(as_of: dt.date, rules: CommuniqueRules) -> dict[str, Q | None]:
    """The member counts as conditions on the membership rows counted on ``as_of`` (``None``: every row),
    in order: ``total``, ``full``, ``female``, ``minority``, ``college``, ``dev_*``, ``age_below_<i>`` (one per
    boundary between age bands: "younger than 31", "younger than 36" …) and ``admitted_before_<i>`` (one per
    era boundary) — cumulative, so band sizes are differences. Every boundary and code is the rule row's in
    force on ``as_of``."""
    female = Q(person__sex=SEX_FEMALE)
    minority = ethnicity_group("minority", on=as_of).q("person__")
    college = education_group("college_or_above", on=as_of).q("person__")
    developed = development_q(as_of, f"{MEMBER}admission_date")
    young_at_admission = young_at_admission_q(rules.development_young_max_age,
                                              birth_field="person__birth_date", on_field=f"{MEMBER}admission_date")
    # Boundaries between consecutive bands: the lower bound of every band but the first.
    age_bounds = [band.min_age for band in rules.age_bands[1:]]
    era_bounds = [era.start for era in rules.admission_eras[1:]]
    conditions: dict[str, Q | None] = {
        "total": None,
        "full": member_category_q("full", on=as_of, prefix=MEMBER),
        "female": female,
        "minority": minority,
        "college": college,
        "dev_total": developed,
        "dev_female": developed & female,
        "dev_minority": developed & minority,
        "dev_young": developed & young_at_admission,
        "dev_college": developed & college,
        "dev_front_line": developed & Q(front_line=True),
    }
    for i, age in enumerate(age_bounds):  # younger than ``age`` ⇔ born after the cut-off
        conditions[f"age_below_{i}"] = Q(person__birth_date__gt=birth_cutoff(as_of, age))
    for i, start in enumerate(era_bounds):
        conditions[f"admitted_before_{i}"] = Q(**{f"{MEMBER}admission_date__lt": start})
    return conditions


def _gather(counts: dict[str, int]) -> dict:
    """``counts`` with the cumulative boundary counts gathered into ``age_below`` / ``admitted_before`` lists."""
    result = dict(counts)
    result["age_below"] = [result.pop(k) for k in sorted((k for k in counts if k.startswith("age_below_")),
                                                          key=lambda k: int(k.rsplit("_", 1)[1]))]
    result["admitted_before"] = [result.pop(k) for k in sorted((k for k in counts if k.startswith("admitted_before_")),
                                                                key=lambda k: int(k.rsplit("_", 1)[1]))]
    return result


def _count_members(queryset, subtree: str, as_of: dt.date, rules: CommuniqueRules) -> dict:
    """The live query (the reference): every member count in one query — memberships in force on ``as_of``
    grouped by occupation (≤ 8 rows), each group with the conditional counts of ``_member_conditions``;
    the ≤ 8 group rows are then added up.

    Returns ``{"total", "full", "female", "minority", "college", "dev_*": int, "age_below": [7 ints],
    "admitted_before": [3 ints], "occupation": {code: int}, "dev_occupation": {code: int}}``."""
    conditions = _member_conditions(as_of, rules)
    aggregates = {key: Count("pk") if q is None else Count("pk", filter=q) for key, q in conditions.items()}
    groups = list(
        queryset.on(as_of)
        .filter(organization__path__startswith=subtree)
        .filter(**{f"{MEMBER}admission_date__lte": as_of})
        .order_by()
        .values("occupation")
        .annotate(**aggregates)
    )
    result = _gather({key: sum(g[key] for g in groups) for key in aggregates})
    result["occupation"] = {g["occupation"]: g["total"] for g in groups}
    result["dev_occupation"] = {g["occupation"]: g["dev_total"] for g in groups}
    return result


def snapshot_conditions(as_of: dt.date, rules: CommuniqueRules | None = None) -> dict[str, Q | None]:
    """The components of a member snapshot (``reports.snapshots``) on ``as_of``: ``_member_conditions``, then
    ``occupation:<code>`` and ``dev_occupation:<code>`` for each 公报 occupation, then the 信息不完整 counts
    of ``reports.quality.incomplete_counts`` (``incomplete:<label>``, same conditions)."""
    from zugong.reports.quality import incomplete_conditions  # quality imports this module

    rules = rules or communique_rules(as_of)
    conditions = _member_conditions(as_of, rules)
    developed = conditions["dev_total"]
    for code in rules.occupations:
        conditions[f"occupation:{code}"] = Q(occupation=code)
    for code in rules.occupations:
        conditions[f"dev_occupation:{code}"] = developed & Q(occupation=code)
    conditions |= {f"incomplete:{label}": q for label, q in incomplete_conditions(as_of).items()}
    return conditions


def snapshot_counts(*, user, root: PartyOrganization, as_of: dt.date, rules: CommuniqueRules | None = None,
                    memberships=None) -> dict[str, int] | None:
    """The components of ``snapshot_conditions`` summed over ``root``'s subtree within ``user``'s scope, from
    the snapshots (``reports.snapshots.member_vector``); ``None`` when the layout does not fit a snapshot
    (count live then). ``root`` must already be in the user's scope."""
    from zugong.reports.snapshots import member_vector

    memberships = memberships if memberships is not None else Membership.objects.restrict(user, "view")
    members = memberships.on(as_of).filter(**{f"{MEMBER}admission_date__lte": as_of})
    return member_vector(user=user, root=root, day=as_of, conditions=snapshot_conditions(as_of, rules),
                         members=members)


def _members_from_counts(counts: dict[str, int], rules: CommuniqueRules) -> dict:
    """``_count_members``'s result from the snapshot components (``snapshot_counts``)."""
    result = _gather({k: v for k, v in counts.items() if ":" not in k})
    result["occupation"] = {code: counts[f"occupation:{code}"] for code in rules.occupations}
    result["dev_occupation"] = {code: counts[f"dev_occupation:{code}"] for code in rules.occupations}
    return result


def party_statistics_with_incomplete(*, user, organization: PartyOrganization, as_of: dt.date) -> tuple[dict, dict]:
    """``(party_statistics(...), reports.quality.incomplete_counts(...))`` for the page and the CLI's text
    output, both from one read of the snapshots (same scope, definitions and errors as the two)."""
    from zugong.reports.quality import INCOMPLETE_FIELDS, incomplete_counts

    org = _check_in_scope(user, organization)
    rules = communique_rules(as_of)
    memberships = Membership.objects.restrict(user, "view")
    counts = snapshot_counts(user=user, root=org, as_of=as_of, rules=rules, memberships=memberships)
    if counts is None:
        return (party_statistics(user=user, organization=org, as_of=as_of, live=True),
                incomplete_counts(user=user, organization=org, as_of=as_of, live=True))
    stats = _compute_party_statistics(
        root=org, as_of=as_of, rules=rules, user=user, counts=counts, memberships=memberships,
        organizations=PartyOrganization.objects.restrict(user, "view"),
        development_records=DevelopmentRecord.objects.restrict(user, "view"))
    return stats, {label: counts[f"incomplete:{label}"] for label in ("合计", *INCOMPLETE_FIELDS)}


def _count_pipeline(queryset, subtree: str, as_of: dt.date) -> dict:
    """入党申请人 / 入党积极分子 open on ``as_of`` in the subtree: one aggregate query."""
    still_open = (Q(admission_date__isnull=True) | Q(admission_date__gt=as_of)) & (
        Q(closed_date__isnull=True) | Q(closed_date__gt=as_of))
    return (
        queryset.filter(organization__path__startswith=subtree)
        .filter(still_open)
        .aggregate(
            applicants=Count("pk", filter=Q(application_date__lte=as_of)),
            activists=Count("pk", filter=Q(activist_date__lte=as_of)),
        )
    )


# --------------------------------------------------------------------------------------------------
# The published table layout (shared by the page, the text output and the xlsx export)
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommuniqueRow:
    """One row of the 公报 table: ``label``, ``count`` (``None`` for a heading), ``share`` in percent
    of the row's base (``None`` where no share applies), ``level`` (0 = section, 1 = item, 2 = sub-item)."""

    label: str
    count: int | None
    share: float | None
    level: int


def communique_rows(stats: dict) -> list[CommuniqueRow]:
    """The statistics as the 公报 table, top to bottom. Shares: of 党员总数 for member rows, of the
    基层组织 total for organization rows, of 发展党员合计 for the development rows."""
    total = stats["党员总数"]
    rows: list[CommuniqueRow] = [CommuniqueRow("一、党员总数", total, None, 0)]
    rows += [CommuniqueRow(k, stats[k], share(stats[k], total), 1) for k in ("正式党员", "预备党员")]

    orgs = stats["基层组织"]
    org_total = sum(orgs.values())
    rows.append(CommuniqueRow("二、基层组织", org_total, None, 0))
    rows += [CommuniqueRow(k, v, share(v, org_total), 1) for k, v in orgs.items()]

    rows.append(CommuniqueRow("三、党员的性别、民族和学历", None, None, 0))
    rows += [CommuniqueRow(k, stats[k], share(stats[k], total), 1) for k in SHARE_LABELS]

    for heading, key in (("四、党员的年龄", "年龄"), ("五、党员的入党时间", "入党时间"), ("六、党员的职业", "职业")):
        rows.append(CommuniqueRow(heading, None, None, 0))
        rows += [CommuniqueRow(k, v, share(v, total), 1) for k, v in stats[key].items()]

    dev = stats["发展党员"]
    year = stats["截至日期"][:4]
    rows.append(CommuniqueRow(f"七、发展党员（{year}年）", dev["合计"], None, 0))
    rows += [CommuniqueRow(k, v, share(v, dev["合计"]), 1) for k, v in dev.items() if k not in ("合计", "职业")]
    rows.append(CommuniqueRow("按职业分", None, None, 1))
    rows += [CommuniqueRow(k, v, share(v, dev["合计"]), 2) for k, v in dev["职业"].items()]

    rows.append(CommuniqueRow("八、入党申请人和入党积极分子", None, None, 0))
    rows += [CommuniqueRow(k, stats[k], None, 1) for k in ("入党申请人", "入党积极分子")]
    return rows


def communique_title(organization: PartyOrganization, as_of: dt.date) -> str:
    """``党内统计 — <组织名称>（截至 YYYY年M月D日）``."""
    return f"党内统计 — {organization.name}（截至 {as_of.year}年{as_of.month}月{as_of.day}日）"
