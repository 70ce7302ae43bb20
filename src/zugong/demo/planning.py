"""Planning the demo members: exact allocations that meet the published marginals, and dates.

``allocate`` balances a joint table (strata × values) shaped like modelling weights to the published
totals (iterative proportional fitting, then integer rounding that keeps both margins), so each
attribute's national count is met to the unit at any scale; ``assign`` then shuffles the values inside
each stratum. ``plan_members`` assigns, in this order: occupation, 2023 development (and ≤35 at
admission), age band, admission era, sex, ethnicity (Han/minority) and 大专及以上 — each conditioned on
the earlier ones. ``realize_dates`` draws birth and admission dates consistent with them (see
``generator`` for the rules).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from zugong.core.dates import add_years, age_on
from zugong.demo import distributions as D
from zugong.reports.rules import communique_rules

REF = D.REFERENCE_DATE
COMMUNIQUE_RULES = communique_rules(REF)  # the 公报 layout's bands, eras and occupations in force on REF
YEAR_START = dt.date(REF.year, 1, 1)
LAST_PRE_REF_YEAR_DAY = dt.date(REF.year - 1, 12, 31)  # members not developed in 2023 were admitted by then
DEVELOPED_MIN_AGE = 20  # 2023 admissions: applied at ≥ 18, ≥ 1 year as 积极分子 before admission
PIPELINE_DAYS = 460  # the shortest 申请 (≥ 18) → 接收 on record: 30 + 366 + 60 days (+ a few)

if len(D.AGE_BANDS) != len(COMMUNIQUE_RULES.age_bands) or len(D.ADMISSION_ERAS) != len(
        COMMUNIQUE_RULES.admission_eras) or tuple(D.OCCUPATION_CODES) != tuple(COMMUNIQUE_RULES.occupations):
    raise ImportError("demo.distributions does not match the rule table (reports.rules.communique_rules)")


# ==================================================================================================
# Balancing: exact integer allocations with published marginals
# ==================================================================================================
def apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder; ties → lower index).
    Zero weights get zero. Returns all zeros when ``total`` is 0; raises ``ValueError`` when ``total``
    is positive and every weight is zero."""
    if total <= 0:
        return [0] * len(weights)
    s = float(sum(weights))
    if s <= 0:
        raise ValueError("apportion: all weights are zero")
    quotas = [total * w / s for w in weights]
    counts = [int(q) for q in quotas]
    rest = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - counts[i]), i))
    for i in order[:rest]:
        counts[i] += 1
    return counts


def allocate(row_sizes: Sequence[int], col_targets: Sequence[int], prior: Sequence[Sequence[float]],
             *, iterations: int = 1000) -> list[list[int]]:
    """An integer table with row sums ``row_sizes`` and column sums ``col_targets``, shaped like
    ``prior`` (iterative proportional fitting, then largest-remainder rounding per row and unit moves
    between columns along admissible cells to restore the column sums). Cells whose prior is 0 stay 0.

    Raises ``ValueError`` if the sums differ or the zero pattern makes the margins unreachable."""
    rows, cols = len(row_sizes), len(col_targets)
    if sum(row_sizes) != sum(col_targets):
        raise ValueError(f"allocate: row total {sum(row_sizes)} != column total {sum(col_targets)}")
    x = []
    for r in range(rows):
        p = [max(float(v), 0.0) for v in prior[r]]
        s = sum(p)
        if row_sizes[r] and s <= 0:
            raise ValueError(f"allocate: stratum {r} admits no value")
        x.append([row_sizes[r] * v / s if s else 0.0 for v in p])
    for _ in range(iterations):
        for c in range(cols):
            s = sum(x[r][c] for r in range(rows))
            if s > 0:
                f = col_targets[c] / s
                for r in range(rows):
                    x[r][c] *= f
            elif col_targets[c]:
                raise ValueError(f"allocate: value {c} is admissible in no stratum")
        for r in range(rows):
            s = sum(x[r])
            if s > 0:
                f = row_sizes[r] / s
                x[r] = [v * f for v in x[r]]
        err = max((abs(sum(x[r][c] for r in range(rows)) - col_targets[c]) for c in range(cols)), default=0)
        if err < 1e-6:
            break
    table = [apportion(row_sizes[r], x[r]) for r in range(rows)]
    col_sums = [sum(table[r][c] for r in range(rows)) for c in range(cols)]
    admissible = [[float(prior[r][c]) > 0 for c in range(cols)] for r in range(rows)]
    while True:
        surplus = [c for c in range(cols) if col_sums[c] > col_targets[c]]
        if not surplus:
            break
        start = surplus[0]
        # breadth-first search for a chain of unit moves start → … → a column in deficit
        previous: dict[int, tuple[int, int] | None] = {start: None}
        queue, found = [start], None
        while queue and found is None:
            a = queue.pop(0)
            candidates = []
            for r in range(rows):
                if table[r][a] > 0:
                    for b in range(cols):
                        if b not in previous and admissible[r][b]:
                            gain = (x[r][b] - table[r][b]) + (table[r][a] - x[r][a])
                            candidates.append((-gain, b, r))
            for _, b, r in sorted(candidates):
                if b in previous:
                    continue
                previous[b] = (a, r)
                if col_sums[b] < col_targets[b]:
                    found = b
                    break
                queue.append(b)
        if found is None:
            raise ValueError("allocate: the margins cannot be met with this zero pattern")
        b = found
        while previous[b] is not None:
            a, r = previous[b]
            table[r][a] -= 1
            table[r][b] += 1
            b = a
        col_sums[start] -= 1
        col_sums[found] += 1
    return table


def assign(rng: random.Random, members: Sequence[int], key: Callable[[int], tuple], targets: Sequence[int],
           prior: Callable[[tuple], Sequence[float]], out: list[int]) -> None:
    """Give each member in ``members`` a value index so that value ``v`` is used ``targets[v]`` times,
    distributed over the strata ``key(i)`` like ``prior(key)``; writes ``out[i]``."""
    groups: dict[tuple, list[int]] = {}
    for i in members:
        groups.setdefault(key(i), []).append(i)
    keys = sorted(groups)
    table = allocate([len(groups[k]) for k in keys], targets, [prior(k) for k in keys])
    for k, row in zip(keys, table, strict=True):
        values = [v for v, count in enumerate(row) for _ in range(count)]
        rng.shuffle(values)
        for i, v in zip(groups[k], values, strict=True):
            out[i] = v


def _binary_targets(total: int, yes: int) -> list[int]:
    yes = max(0, min(total, yes))
    return [yes, total - yes]


def _clamp(p: float, lo: float = 0.01, hi: float = 0.99) -> float:
    return max(lo, min(hi, p))


# ==================================================================================================
# The member plan (attributes as value indices; exact marginals)
# ==================================================================================================
@dataclass
class MemberPlan:
    """Per member ``i`` (0..n-1), value indices: occupation (``OCCUPATION_CODES``), 2023 development
    state, age band and admission era (``COMMUNIQUE_RULES`` order), flags, and the branch kind."""

    n: int
    occ: list[int]
    dev: list[int]  # 0 = admitted before 2023, 1 = 2023 and ≤35 at admission, 2 = 2023 and ≥36
    band: list[int]
    era: list[int]
    female: list[int]  # 1 = female
    minority: list[int]
    college: list[int]
    kind: list[int] = field(default_factory=list)


def scaled(n: int, figure: float) -> int:
    """``figure`` (万) at the plan's scale: ``round(n * figure / 党员总数)``."""
    return round(n * figure / D.MEMBERS)


def plan_members(rng: random.Random, n: int) -> MemberPlan:
    """The attributes of ``n`` members with the published marginals at that size (see module docstring)."""
    occ_codes = D.OCCUPATION_CODES
    occ_counts = apportion(n, D.OCCUPATIONS)
    occ = [o for o, c in enumerate(occ_counts) for _ in range(c)]
    everyone = range(n)

    n_dev = min(scaled(n, D.DEVELOPED), n - occ_counts[occ_codes.index("retired")])
    dev_flag = [0] * n
    rates = [_clamp(D.DEVELOPED_OCCUPATIONS[code] / 100 * D.DEVELOPED / figure, 0.0, 0.95)
             for code, figure in zip(occ_codes, D.OCCUPATIONS, strict=True)]
    assign(rng, everyone, lambda i: (occ[i],), [n - n_dev, n_dev],
           lambda k: (1 - rates[k[0]], rates[k[0]]), dev_flag)
    developed = [i for i in everyone if dev_flag[i]]
    n_young = round(n_dev * D.DEVELOPED_YOUNG / D.DEVELOPED)
    young = [0] * n
    student = occ_codes.index("student")
    assign(rng, developed, lambda i: (occ[i],), _binary_targets(n_dev, n_young)[::-1],
           lambda k: (0.0, 1.0) if k[0] == student else (0.2, 0.8), young)
    dev = [0 if not dev_flag[i] else (1 if young[i] else 2) for i in everyone]

    band = [0] * n
    band_targets = apportion(n, D.AGE_BANDS)

    def band_prior(k):
        o, state = k
        base = D.BAND_WEIGHTS[occ_codes[o]]
        if state == 0:
            return base
        shape = D.DEVELOPED_YOUNG_BANDS if state == 1 else D.DEVELOPED_OLD_BANDS
        return [max(b, 0.01) * s for b, s in zip(base, shape, strict=True)]

    assign(rng, everyone, lambda i: (occ[i], dev[i]), band_targets, band_prior, band)

    era = [0] * n
    assign(rng, everyone, lambda i: (band[i], 1 if dev[i] else 0), apportion(n, D.ADMISSION_ERAS),
           lambda k: (0, 0, 0, 1) if k[1] else D.ERA_WEIGHTS[k[0]], era)

    female, minority, college = [0] * n, [0] * n, [0] * n
    not_developed = [i for i in everyone if not dev[i]]
    specs = (
        (female, D.FEMALE, D.DEVELOPED_FEMALE,
         lambda o, b: _clamp(D.FEMALE_BY_OCCUPATION[occ_codes[o]] * D.FEMALE_BAND_FACTOR[b])),
        (minority, D.MINORITY, D.DEVELOPED_MINORITY,
         lambda o, b: _clamp(D.MINORITY / D.MEMBERS * D.MINORITY_BY_OCCUPATION[occ_codes[o]])),
        (college, D.COLLEGE, D.DEVELOPED_COLLEGE,
         lambda o, b: _clamp(D.COLLEGE_BY_OCCUPATION[occ_codes[o]] * D.COLLEGE_BAND_FACTOR[b], 0.02, 0.98)),
    )
    for out, total_figure, dev_figure, p in specs:
        total_yes = scaled(n, total_figure)
        dev_yes = min(round(n_dev * dev_figure / D.DEVELOPED), total_yes, n_dev)
        for group, yes in ((developed, dev_yes), (not_developed, total_yes - dev_yes)):
            if not group:
                continue
            assign(rng, group, lambda i: (occ[i], band[i]), _binary_targets(len(group), yes)[::-1],
                   lambda k, p=p: (1 - p(*k), p(*k)), out)
    return MemberPlan(n=n, occ=occ, dev=dev, band=band, era=era, female=female, minority=minority,
                       college=college)


def assign_kinds(rng: random.Random, plan: MemberPlan, kinds: Sequence[str]) -> None:
    """Which kind of branch each member belongs to (``plan.kind``): per occupation, split over the
    kinds of ``distributions.OCCUPATION_KINDS`` (farmers in villages, students in schools …)."""
    plan.kind = [0] * plan.n
    groups: list[list[int]] = [[] for _ in D.OCCUPATION_CODES]
    for i, o in enumerate(plan.occ):
        groups[o].append(i)
    for code, group in zip(D.OCCUPATION_CODES, groups, strict=True):
        targets = D.OCCUPATION_KINDS[code]
        values = [kinds.index(k) for k, c in zip(targets, apportion(len(group), list(targets.values())), strict=True)
                  for _ in range(c)]
        rng.shuffle(values)
        for i, v in zip(group, values, strict=True):
            plan.kind[i] = v


# ==================================================================================================
# Dates
# ==================================================================================================
def birth_bounds(min_age: int, max_age: int) -> tuple[int, int]:
    """Ordinals of the earliest and latest birth date of someone aged ``min_age``..``max_age`` on REF."""
    return (add_years(REF, -(max_age + 1)).toordinal() + 1, add_years(REF, -min_age).toordinal())


def _era_bounds() -> list[tuple[int, int]]:
    eras = COMMUNIQUE_RULES.admission_eras
    bounds = []
    for i, era in enumerate(eras):
        start = era.start or dt.date(1921, 7, 1)
        end = (eras[i + 1].start - dt.timedelta(days=1)) if i + 1 < len(eras) else REF
        bounds.append((start.toordinal(), end.toordinal()))
    return bounds


def uniform(rng: random.Random, lo: int, hi: int) -> int:
    """A whole number in ``lo..hi`` (inclusive); ``lo`` when ``hi <= lo``."""
    return lo + int(rng.random() * (hi - lo + 1)) if hi > lo else lo


def _old_age(rng: random.Random, floor: int) -> int:
    """An age ≥ ``floor`` with a declining tail (mean ≈ floor + 10, at most 101)."""
    return min(floor + int(rng.expovariate(1 / 10)), 101)


def realize_dates(rng: random.Random, plan: MemberPlan) -> tuple[list[int], list[int]]:
    """Birth and admission date ordinals for every member, consistent with band, era and 2023 status."""
    bands = COMMUNIQUE_RULES.age_bands
    eras = _era_bounds()
    student = D.OCCUPATION_CODES.index("student")
    last_band = len(bands) - 1
    y2023 = (YEAR_START.toordinal(), REF.toordinal())
    july = (dt.date(REF.year, 6, 15).toordinal(), dt.date(REF.year, 7, 1).toordinal())
    last_non_dev = LAST_PRE_REF_YEAR_DAY.toordinal()
    births, admissions = [0] * plan.n, [0] * plan.n
    for i in range(plan.n):
        b = plan.band[i]
        band = bands[b]
        is_student = plan.occ[i] == student
        if plan.dev[i]:
            adm = uniform(rng, *(july if rng.random() < 0.3 else y2023))
            if b == 0:
                lo_age, hi_age = (DEVELOPED_MIN_AGE, 24) if is_student else (21, 30)
            else:
                lo_age, hi_age = band.min_age, band.max_age if band.max_age is not None else 70
            lo, hi = birth_bounds(lo_age, hi_age)
            youngest = DEVELOPED_MIN_AGE if plan.dev[i] == 1 else COMMUNIQUE_RULES.development_young_max_age + 1
            hi = min(hi, add_years(dt.date.fromordinal(adm), -youngest).toordinal())
            births[i] = uniform(rng, min(lo, hi), hi)
            admissions[i] = adm
            continue
        era_lo, era_hi = eras[plan.era[i]]
        era_hi = min(era_hi, last_non_dev)
        latest_birth = add_years(dt.date.fromordinal(era_hi), -18).toordinal()
        if b == last_band:
            floor = band.min_age
            if plan.era[i] < 2:  # must have been 18 before the era ended
                floor = max(floor, age_on(dt.date.fromordinal(latest_birth), REF))
            age = _old_age(rng, floor)
            lo, hi = birth_bounds(age, age)
        elif b == 0:
            lo, hi = birth_bounds(19, 25) if is_student else birth_bounds(21, 30)
        else:
            lo, hi = birth_bounds(band.min_age, band.max_age)
        hi = min(hi, latest_birth)
        birth = uniform(rng, min(lo, hi), hi)
        earliest = max(era_lo, add_years(dt.date.fromordinal(birth), 18).toordinal())
        typical_end = min(era_hi, add_years(dt.date.fromordinal(birth), 40).toordinal())
        births[i] = birth
        admissions[i] = uniform(rng, earliest, typical_end if typical_end >= earliest else era_hi)
    _thin_previous_year(rng, plan, births, admissions, eras[-1][0])
    return births, admissions


def _thin_previous_year(rng: random.Random, plan: MemberPlan, births: list[int], admissions: list[int],
                        era_start: int) -> None:
    """Members admitted in the year before REF (their history is recorded, ``demo.history``) at the
    2023 rate: young members' admissions crowd into the latest years of their era, so those over the
    rate move back to an earlier day of the same era (the 公报's era counts do not change). Members who
    turned 18 only that year stay."""
    year_start = dt.date(REF.year - 1, 1, 1).toordinal()
    last_day = year_start - 1
    late = [i for i in range(plan.n) if not plan.dev[i] and admissions[i] >= year_start]
    target = scaled(plan.n, D.DEVELOPED)
    rng.shuffle(late)
    for i in late[target:]:
        earliest = max(era_start, add_years(dt.date.fromordinal(births[i]), 18).toordinal())
        if earliest <= last_day:
            admissions[i] = uniform(rng, earliest, last_day)
    # their 发展党员 pipeline is on record (申请 at 18, 积极分子 ≥ 1 month later, 发展对象 ≥ 1 year later, then
    # 接收: 《发展党员工作细则》): admitted at 18 years and PIPELINE_DAYS at the earliest
    for i in range(plan.n):
        if plan.dev[i] or admissions[i] < year_start:
            continue
        earliest = add_years(dt.date.fromordinal(births[i]), 18).toordinal() + PIPELINE_DAYS
        if admissions[i] >= earliest:
            continue
        end = LAST_PRE_REF_YEAR_DAY.toordinal()
        if earliest <= end:
            admissions[i] = uniform(rng, earliest, min(earliest + 200, end))
        else:  # too young to be admitted by the year's end: born earlier (still 30 or younger)
            births[i] = add_years(dt.date.fromordinal(admissions[i] - PIPELINE_DAYS), -18).toordinal()
