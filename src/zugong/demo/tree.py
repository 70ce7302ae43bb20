"""The demo organization tree: a county committee (县委) with the 县直机关工委, 街道党工委, township
党委, enterprise / school / hospital / community / social-organization 党委, 党总支 and 党支部 /
联合党支部, with realistic names, 成立日期 guesses and each branch kind under fitting parents.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from zugong.demo import distributions as D
from zugong.demo import names as N
from zugong.demo.planning import MemberPlan, apportion
from zugong.demo.reference import ROOT_CODE

ROOT_NAME = f"中共{N.COUNTY}委员会"


_CN_DIGITS = "零一二三四五六七八九"


def _nth(pool: Sequence[str], k: int) -> str:
    """The ``k``-th (1-based) name of ``pool``, numbered once the pool is used up (``机关二``)."""
    name = pool[(k - 1) % len(pool)]
    rounds = (k - 1) // len(pool)
    return name if rounds == 0 else f"{name}{cn_ordinal(rounds + 1)}"


def cn_ordinal(k: int) -> str:
    """Chinese numeral for 1–99 (``12`` → ``十二``); larger numbers stay Arabic."""
    if k < 10:
        return _CN_DIGITS[k]
    if k < 100:
        tens, ones = divmod(k, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")
    return str(k)


@dataclass
class _Node:
    """One organization to be written; ``founded`` is a date ordinal, ``path`` set at write time."""

    index: int
    parent: int | None
    kind: str
    org_type: str
    unit_category: str
    name: str
    short: str
    founded: int  # date ordinal
    children: list[int] = field(default_factory=list)
    counter: dict[str, int] = field(default_factory=dict)
    path: str = ""
    dissolved: int | None = None  # date ordinal (an organization that left before the reference date)
    dissolution_reason: str = ""

    @property
    def code(self) -> str:
        """组织代码: the root's ``ROOT_CODE``, then ``QS000001`` … by index."""
        return ROOT_CODE if self.parent is None else f"{ROOT_CODE}{self.index:06d}"


# Plausible 成立日期 ranges (years) by node kind; a parent is then moved no later than its children.
_FOUNDED_YEARS = {
    "root": (1949, 1949), "organs_wc": (1953, 1958), "subdistrict": (2001, 2012), "township": (1950, 1958),
    "c_enterprise": (1995, 2012), "c_school": (1960, 1990), "c_hospital": (1960, 1990),
    "c_community": (2008, 2016), "c_social": (2010, 2016),
    "g_village": (1960, 2000), "g_organ": (1970, 2000), "g_school": (1970, 2005), "g_hospital": (1970, 2005),
    "g_enterprise": (1998, 2015), "g_community": (2005, 2016),
    "village": (1950, 1965), "community": (2000, 2015), "organ": (1953, 1990), "retiree": (1985, 2000),
    "school": (1955, 2000), "student": (1990, 2012), "hospital": (1960, 2000), "enterprise": (1995, 2016),
    "social": (2008, 2018), "joint": (2008, 2018),
}


class _Places:
    """Place names: unique county-wide (townships, communities) or within one parent (villages)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: dict[object, set[str]] = {}

    def take(self, scope: object) -> str:
        used = self.used.setdefault(scope, set())
        for attempt in range(200):
            name = self.rng.choice(N.PLACE_FIRST) + self.rng.choice(N.PLACE_SECOND)
            if attempt > 40:
                name = self.rng.choice(N.PLACE_FIRST) + name
            if name not in used:
                used.add(name)
                return name
        raise RuntimeError("place names exhausted")  # pragma: no cover


class Tree:
    """The nodes (parents before children) and the naming helpers used while building them."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.nodes: list[_Node] = []
        self.places = _Places(rng)
        self.cycles: dict[str, int] = {}

    def founded_guess(self, kind: str) -> int:
        lo, hi = _FOUNDED_YEARS[kind]
        start = dt.date(lo, 1, 1).toordinal()
        return start + self.rng.randrange(dt.date(hi, 12, 31).toordinal() - start + 1)

    def add(self, parent: int | None, kind: str, org_type: str, unit_category: str, name: str, short: str,
            founded_kind: str | None = None) -> int:
        node = _Node(len(self.nodes), parent, kind, org_type, unit_category, name, short,
                     self.founded_guess(founded_kind or kind))
        self.nodes.append(node)
        if parent is not None:
            self.nodes[parent].children.append(node.index)
        return node.index

    def next_in(self, parent: int, counter: str) -> int:
        c = self.nodes[parent].counter
        c[counter] = c.get(counter, 0) + 1
        return c[counter]

    def cycle(self, pool: Sequence[str], key: str) -> tuple[str, int]:
        """Next item of ``pool`` (round robin) and how many times it has come round."""
        k = self.cycles.get(key, 0)
        self.cycles[key] = k + 1
        return pool[k % len(pool)], k // len(pool)

    def company(self) -> str:
        brand = self.rng.choice(N.COMPANY_BRANDS)
        trade, _ = self.cycle(N.COMPANY_TRADES, "trade")
        prefix = N.COUNTY if trade in N.COMPANY_TRADES[:5] else f"{N.COUNTY_STEM}{brand}"
        name = f"{prefix}{trade}"
        for _ in range(50):
            if name not in self.places.used.setdefault("company", set()):
                break
            name = f"{N.COUNTY_STEM}{self.rng.choice(N.COMPANY_BRANDS)}{self.places.take('brand')}{trade}"
        self.places.used["company"].add(name)
        return name

    def unit(self, pool: Sequence[str], key: str, fallback: Callable[[int], str]) -> str:
        item, rounds = self.cycle(pool, key)
        if rounds == 0:
            return item
        return fallback(self.cycles[key])


def org_counts(ratio: float) -> dict[str, int]:
    """基层党委/总支部/支部 at ``ratio`` people per 万 of the 公报 (each rounded half up; 1:10,000 →
    30 / 33 / 455). At least the root committee and one branch."""
    counts = {t: D.round_half_up(v * ratio) for t, v in D.ORGANIZATION_TYPES}
    counts["committee"] = max(counts["committee"], 1)
    counts["branch"] = max(counts["branch"], 1)
    return counts


def branch_counts(plan: MemberPlan, kinds: list[str], total: int) -> list[int]:
    """Branches per kind: proportional to members / typical size, each branch ≥ 3 members."""
    members = [0] * len(kinds)
    for k in plan.kind:
        members[k] += 1
    weights = [members[k] / D.BRANCH_KINDS[kind][2] for k, kind in enumerate(kinds)]
    counts = apportion(min(total, max(1, sum(members) // 3)), weights)
    spare = 0
    for k in range(len(kinds)):
        cap = members[k] // 3
        if counts[k] > cap:
            spare += counts[k] - cap
            counts[k] = cap
    while spare:
        open_kinds = [k for k in range(len(kinds)) if counts[k] < members[k] // 3]
        if not open_kinds:
            break
        k = max(open_kinds, key=lambda k: (members[k] / (counts[k] + 1), -k))
        counts[k] += 1
        spare -= 1
    # members of a kind left without any branch join the biggest kind
    biggest = max(range(len(kinds)), key=lambda k: (counts[k], -k))
    for i, k in enumerate(plan.kind):
        if counts[k] == 0:
            plan.kind[i] = biggest
    return counts


def _distribute(rng: random.Random, count: int, containers: list[tuple[int, int, float]]) -> list[int]:
    """Parents for ``count`` children: each container ``(node, minimum, weight)`` first gets its minimum
    (in list order, while children last), the rest go at random by weight. Returns one parent per child."""
    parents: list[int] = []
    for node, minimum, _ in containers:
        take = min(minimum, count - len(parents))
        parents += [node] * take
    rest = count - len(parents)
    weighted = [(node, w) for node, _, w in containers if w > 0]
    if rest and weighted:
        nodes, weights = zip(*weighted, strict=True)
        parents += rng.choices(nodes, weights=weights, k=rest)
    elif rest:
        parents += [containers[0][0]] * rest
    return parents


def build_tree(rng: random.Random, kinds: list[str], counts: dict[str, int],
               per_kind: list[int]) -> tuple[Tree, dict[str, list[int]]]:
    """Create the node list: root 县委, 县直机关工委 and 街道党工委 (working committees, not counted as
    基层党委), ``counts["committee"] - 1`` more 党委, ``counts["general_branch"]`` 党总支 and ``per_kind[k]``
    branches of kind ``kinds[k]`` under fitting parents. Returns the tree and, per branch kind, its
    branch node indices (in creation order)."""
    t = Tree(rng)
    root = t.add(None, "root", "committee", "government_organ", ROOT_NAME, N.COUNTY)
    organs_wc = t.add(root, "organs_wc", "working_committee", "government_organ",
                      f"中共{N.COUNTY}直属机关工作委员会", f"{N.COUNTY}直属机关")

    committee_kinds = list(D.COMMITTEE_KINDS)
    c_counts = dict(zip(committee_kinds, apportion(counts["committee"] - 1, list(D.COMMITTEE_KINDS.values())),
                        strict=True))
    if counts["committee"] > 1 and c_counts["township"] == 0:
        donor = max(committee_kinds, key=lambda k: c_counts[k])
        c_counts[donor] -= 1
        c_counts["township"] += 1
    g_kinds = list(D.GENERAL_BRANCH_KINDS)
    g_counts = dict(zip(g_kinds, apportion(counts["general_branch"], list(D.GENERAL_BRANCH_KINDS.values())),
                        strict=True))

    n_sub = max(1, round(c_counts["township"] / 5))
    subdistricts = []
    for i in range(n_sub):
        stem = N.SUBDISTRICT_NAMES[i] if i < len(N.SUBDISTRICT_NAMES) else t.places.take("county")
        t.places.used.setdefault("county", set()).add(stem)
        short = f"{stem}街道"
        subdistricts.append(t.add(root, "subdistrict", "working_committee", "subdistrict",
                                  f"中共{N.COUNTY}{short}工作委员会", short))
    townships = []
    for _ in range(c_counts["township"]):
        short = t.places.take("county") + ("镇" if rng.random() < 0.7 else "乡")
        townships.append(t.add(root, "township", "committee", "township", f"{short}党委", short))
    committees: dict[str, list[int]] = {"township": townships}
    fallback_school = lambda k: (f"{N.COUNTY}第{cn_ordinal(k)}小学" if k % 3  # noqa: E731
                                 else f"{N.COUNTY}第{cn_ordinal(k // 3)}职业技术学校")
    fallback_hospital = lambda k: f"{t.places.take('county')}中心卫生院"  # noqa: E731
    for kind in ("enterprise", "school", "hospital", "social"):
        committees[kind] = []
        for _ in range(c_counts[kind]):
            if kind == "enterprise":
                short = t.company()
                unit_category = "enterprise"
            elif kind == "school":
                short = t.unit(N.SCHOOLS, "school", fallback_school)
                unit_category = "public_institution"
            elif kind == "hospital":
                short = t.unit(N.HOSPITALS, "hospital", fallback_hospital)
                unit_category = "public_institution"
            else:
                short = t.unit(N.SOCIAL_COMMITTEES, "c_social", lambda k: f"{N.COUNTY}社会组织第{cn_ordinal(k)}综合")
                unit_category = "social_organization"
            committees[kind].append(t.add(root, kind, "committee", unit_category, f"{short}党委", short,
                                          f"c_{kind}"))
    committees["community"] = []
    for _ in range(c_counts["community"]):
        short = t.places.take("county") + "社区"
        committees["community"].append(t.add(rng.choice(subdistricts), "community", "committee", "community",
                                             f"{short}党委", short, "c_community"))

    # general branches
    gbs: dict[str, list[int]] = {kind: [] for kind in g_kinds}
    big_bureaus = [b for b in N.BUREAUS if any(s in b for s in ("公安局", "人民法院", "人民检察院", "教育局", "卫生健康局",
                                                               "财政局", "税务局", "农业农村局", "自然资源",
                                                               "市场监督管理局"))]
    for kind in g_kinds:
        for _ in range(g_counts[kind]):
            if kind == "village":
                parent = rng.choice(townships) if townships else root
                short = t.places.take(("village", parent)) + "村"
                unit_category = "village"
            elif kind == "organ":
                parent = organs_wc
                short = t.unit(big_bureaus, "g_organ", lambda k: f"{N.BUREAUS[k % len(N.BUREAUS)]}第{cn_ordinal(k)}")
                unit_category = "government_organ"
            elif kind in ("school", "hospital"):
                parent = rng.choice(committees[kind]) if committees[kind] else organs_wc
                if parent == organs_wc:
                    short = (t.unit(N.SCHOOLS, "school", fallback_school) if kind == "school"
                             else t.unit(N.HOSPITALS, "hospital", fallback_hospital))
                else:
                    pool = N.SCHOOL_DIVISIONS if kind == "school" else N.HOSPITAL_DIVISIONS
                    short = f"{t.nodes[parent].short}{_nth(pool, t.next_in(parent, 'gb'))}"
                unit_category = "public_institution"
            elif kind == "enterprise":
                if committees["enterprise"] and rng.random() < 0.5:
                    parent = rng.choice(committees["enterprise"])
                    short = f"{t.nodes[parent].short}{_nth(N.COMPANY_DIVISIONS, t.next_in(parent, 'gb'))}"
                else:
                    parent = root
                    short = t.company()
                unit_category = "enterprise"
            else:  # community
                pool = committees["community"] + subdistricts
                parent = rng.choice(pool)
                short = (t.places.take("county") + "社区") if parent in subdistricts else (
                    f"{t.nodes[parent].short}{_nth(N.RESIDENTIAL_AREAS, t.next_in(parent, 'gb'))}小区")
                unit_category = "community"
            gbs[kind].append(t.add(parent, kind, "general_branch", unit_category, f"{short}党总支", short,
                                   f"g_{kind}"))

    # branches: parents per kind
    wc_only = [(organs_wc, 0, 1.0)]
    containers: dict[str, list[tuple[int, int, float]]] = {
        # at very small scales (1:1,000,000) a kind may have no fitting parent: then the county committee
        "village": [(n, 1, 3.0) for n in townships] + [(n, 2, 1.0) for n in gbs["village"]] or [(root, 0, 1.0)],
        "community": [(n, 1, 3.0) for n in committees["community"]] + [(n, 2, 1.0) for n in gbs["community"]]
        + [(n, 0, 1.0) for n in subdistricts] or [(root, 0, 1.0)],
        "organ": [(n, 2, 1.0) for n in gbs["organ"]] + [(n, 1, 0.0) for n in townships] + [(organs_wc, 0, 4.0)],
        "retiree": [(organs_wc, 0, 3.0)] + [(n, 0, 1.0) for n in gbs["organ"]],
        "school": [(n, 1, 3.0) for n in committees["school"]] + [(n, 2, 1.0) for n in gbs["school"]] or wc_only,
        # students of age are in vocational schools (a 中学's students are minors)
        "student": [(n, 0, 1.0) for n in committees["school"] if "职业" in t.nodes[n].short]
        or [(n, 0, 1.0) for n in committees["school"]] or wc_only,
        "hospital": [(n, 1, 3.0) for n in committees["hospital"]] + [(n, 2, 1.0) for n in gbs["hospital"]]
        or wc_only,
        "enterprise": [(n, 1, 3.0) for n in committees["enterprise"]] + [(n, 2, 1.0) for n in gbs["enterprise"]]
        or [(root, 0, 1.0)],
        "social": [(n, 1, 1.0) for n in committees["social"]] or [(root, 0, 1.0)],
        "joint": [(n, 0, 1.0) for n in townships + subdistricts] or [(root, 0, 1.0)],
    }
    branches: dict[str, list[int]] = {}
    gb_set = {n for nodes in gbs.values() for n in nodes}
    for k, kind in enumerate(kinds):
        org_type, unit_category, _ = D.BRANCH_KINDS[kind]
        parents = _distribute(rng, per_kind[k], containers[kind])
        branches[kind] = []
        for parent in sorted(parents, key=lambda p: p):  # group siblings; order within a parent stays
            p = t.nodes[parent]
            j = t.next_in(parent, kind)
            if kind == "village":
                name = (f"{p.short}第{cn_ordinal(j)}党支部" if parent in gb_set
                        else f"{t.places.take(('village', parent))}村党支部")
            elif kind == "community":
                name = (f"{t.places.take('county')}社区党支部" if p.kind == "subdistrict"
                        else f"{p.short}第{cn_ordinal(j)}党支部")
            elif kind == "organ":
                if p.kind == "township":
                    name = f"{p.short}机关党支部" if j == 1 else f"{p.short}机关第{cn_ordinal(j)}党支部"
                elif parent == organs_wc:
                    bureau, rounds = t.cycle([b for b in N.BUREAUS if b not in big_bureaus], "organ")
                    name = f"{bureau}机关党支部" if rounds == 0 else f"{bureau}机关第{cn_ordinal(rounds + 1)}党支部"
                else:
                    name = f"{p.short}第{cn_ordinal(j)}党支部"
            elif kind == "retiree":
                if parent == organs_wc:
                    bureau, rounds = t.cycle(N.BUREAUS, "retiree")
                    name = f"{bureau}离退休干部党支部" + (f"（{cn_ordinal(rounds + 1)}）" if rounds else "")
                else:
                    name = f"{p.short}离退休干部党支部" + (f"（{cn_ordinal(j)}）" if j > 1 else "")
            elif kind in ("school", "student", "hospital"):
                if parent == organs_wc:
                    unit = (t.unit(N.HOSPITALS, "hospital", fallback_hospital) if kind == "hospital"
                            else t.unit(N.SCHOOLS, "school", fallback_school))
                    name = f"{unit}学生党支部" if kind == "student" else f"{unit}党支部"
                elif parent in gb_set:
                    label = "学生" if kind == "student" else ""
                    name = f"{p.short}{label}第{cn_ordinal(j)}党支部"
                elif kind == "hospital":
                    dept = N.HOSPITAL_DEPARTMENTS[(j - 1) % len(N.HOSPITAL_DEPARTMENTS)]
                    rounds = (j - 1) // len(N.HOSPITAL_DEPARTMENTS)
                    name = f"{p.short}{dept}党支部" if rounds == 0 else f"{p.short}{dept}第{cn_ordinal(rounds + 1)}党支部"
                else:
                    label = "学生" if kind == "student" else "教职工"
                    name = f"{p.short}{label}第{cn_ordinal(j)}党支部"
            elif kind == "enterprise":
                if parent == root:
                    name = f"{t.company()}党支部"
                elif parent in gb_set:
                    name = f"{p.short}第{cn_ordinal(j)}党支部"
                else:
                    dept = N.COMPANY_DEPARTMENTS[(j - 1) % len(N.COMPANY_DEPARTMENTS)]
                    rounds = (j - 1) // len(N.COMPANY_DEPARTMENTS)
                    name = f"{p.short}{dept}党支部" if rounds == 0 else f"{p.short}{dept}第{cn_ordinal(rounds + 1)}党支部"
            elif kind == "social":
                name = f"{N.COUNTY_STEM}{rng.choice(N.COMPANY_BRANDS)}{rng.choice(N.SOCIAL_UNITS)}党支部"
            else:  # joint
                label = "非公有制企业" if j % 2 else "个体工商户"
                name = f"{p.short}{label}第{cn_ordinal(j)}联合党支部"
            branches[kind].append(t.add(parent, kind, org_type, unit_category, name, name.removesuffix("党支部")))
    return t, branches


def assign_branches(rng: random.Random, plan: MemberPlan, kinds: Sequence[str],
                    branch_nodes: dict[str, list[int]]) -> list[int]:
    """The branch node of every member: each branch of a kind gets ≥ 3 of that kind's members, the rest
    spread with varying sizes (gamma weights) around the kind's typical size."""
    branch_of = [0] * plan.n
    groups: list[list[int]] = [[] for _ in kinds]
    for i, k in enumerate(plan.kind):
        groups[k].append(i)
    for kind, group in zip(kinds, groups, strict=True):
        nodes = branch_nodes[kind]
        if not nodes:
            continue
        rng.shuffle(group)
        extra = apportion(len(group) - 3 * len(nodes), [rng.gammavariate(4.0, 1.0) for _ in nodes])
        pos = 0
        for node, more in zip(nodes, extra, strict=True):
            for i in group[pos:pos + 3 + more]:
                branch_of[i] = node
            pos += 3 + more
    return branch_of


LEGACY_KINDS = ("village", "organ", "school", "hospital")  # long-established units people move on from
PREVIOUS_OCCUPATION = {"village": "farmer", "organ": "government", "school": "professional",
                       "hospital": "professional"}


def settle_history(rng: random.Random, tree: Tree, branch_of: Sequence[int], admissions: Sequence[int]) -> list[int]:
    """Organizations keep plausible 成立日期; a member admitted before his branch was founded moved there
    from an older branch (a village, organ, school or hospital branch founded by his 入党日期), chosen
    here. Returns that previous branch per member (``-1``: none). Also makes every 成立日期 on or before
    its sub-organizations' (and, if needed, one old village branch as early as the earliest admission),
    so every statistic as of a past date finds each member in exactly one organization."""
    legacy = [node for node in tree.nodes if node.kind in LEGACY_KINDS and node.org_type != "general_branch"
              and node.org_type != "committee"]
    if legacy and admissions:
        earliest = min(admissions)
        oldest = min((n for n in legacy if n.kind == "village"), default=min(legacy, key=lambda n: n.founded),
                     key=lambda n: n.founded)
        oldest.founded = min(oldest.founded, earliest)
    legacy.sort(key=lambda n: (n.founded, n.index))
    founded = [n.founded for n in legacy]
    previous = [-1] * len(branch_of)
    for i, (node, admission) in enumerate(zip(branch_of, admissions, strict=True)):
        if admission < tree.nodes[node].founded and legacy:
            eligible = bisect.bisect_right(founded, admission)
            previous[i] = legacy[int(rng.random() * eligible)].index
    for node in reversed(tree.nodes):  # children come after their parents
        if node.parent is not None:
            parent = tree.nodes[node.parent]
            parent.founded = min(parent.founded, node.founded)
    return previous
