"""Deterministic demo dataset shaped like the country (2023 党内统计公报) at a chosen scale.

``generate(scale=10000, seed=2023)`` writes, in one transaction, a county-like organization tree (a root
县委, the 县直机关工委 and 街道党工委, township 党委, enterprise/school/hospital/community/social-
organization 党委, 党总支 and 党支部/联合党支部) with the units they are set up in (``units``), party
members with their ``Person``, ``PartyMember`` and ``Membership`` rows, ``DevelopmentRecord`` histories
for the members admitted in 2022–2023, and the open pipeline of 入党申请人/积极分子 (``Person`` +
``DevelopmentRecord``).

**Membership history (issue #10).** For 2022 and 2023 (``distributions.HISTORY_YEARS``) every change of a
member's standing is a ``MembershipEvent`` and the membership periods follow from the events
(``party.lifecycle``): 发展党员, 转正 (按期, 延长预备期 and after it, 推迟讨论 and after it), 转入 and 整建制转入,
组织关系转接 between branches (with ``MembershipTransfer`` rows, some still pending), 出党 of every kind,
停止党籍 and 恢复党籍, 死亡, 转出 with a 介绍信 and 整建制转出 — the last ones by *former members*, people
who are counted on earlier dates only. 流动党员, 失联党员 and 出国（境） are ``MemberStatus`` rows; every
党委 / 党总支 / 支部 has its terms (``OrganizationTerm``); memberships and development records carry the
年报's 工作岗位 row, sector (from the unit's 经济控制类型), 农民工 / 外出务工经商人员 flags and 一线类别;
people their 专业技术职务 level and a few 台湾省籍 (``history``, ``attributes``, ``records``). The 年报's
第一表 reconciles for every subtree; ``checks.verify_history`` proves the periods follow the events before
the transaction commits.

**What is reproduced.** Run ``party_statistics`` (or ``zugong stats party``) on the root **as of
2023-12-31** and every count of the 公报 comes out at scale: 党员总数, the three organization counts, 女 /
少数民族 / 大专及以上, the eight age bands, the four admission eras, the eight occupations, the 2023
development figures (女, 少数民族, 35岁及以下 at admission, 大专及以上) and the open 入党申请人 / 积极分子.
The history changes none of it: it gives current members a past (how they came into their branch) and
adds former members who left before the reference date.
The marginals are met *exactly* (to the unit, after rounding at scale), not in expectation: each
attribute is assigned by balancing a joint table (strata × values, with plausible modelling weights from
``distributions`` Part 2) to the published totals (``allocate``), then shuffled inside each stratum.

**Dates.** Everything is generated as of ``REFERENCE_DATE`` (2023-12-31), so the data does not depend on
the day it is generated; ages *today* are naturally older. Birth dates are drawn inside each member's age
band on 2023-12-31; 入党日期 inside the member's era and at age ≥ 18 (pre-1949 members are 92+, 1949–1978
members 63+); 转正日期 = 入党日期 + 1 year (``None`` if that is after today), or the day of the recorded
decision after an extension or a postponement; members admitted in 2023 (and a few of 2022 whose
probation was extended) are the 预备党员 on 2023-12-31; 参加工作日期 at age 16–25 by education (students have none). Organizations
get plausible 成立日期 (villages in the 1950s, communities 2000–2015, social organizations 2008–2018 …,
never after a sub-organization's). A member admitted before his branch existed has an ended membership
(``end_reason`` transfer) at an older village/organ/school/hospital branch up to the day his branch was
founded, then the open one — so statistics as of any past date find every member exactly once.

**Identity.** Valid GB 11643 ID numbers (``core.idnumber.make``) whose birth date and sex match the
person's, unique, with GB/T 2260 region codes from ``names``; stored encrypted, hashed and masked by
``Person.set_id_number`` / ``set_phone`` (SM4 + HMAC-SM3 per value — the main cost of large runs, done in
worker processes by ``sensitive.Encryptor``). Mobile numbers (``1[3-9]x…``) for most people; Chinese
names by sex, birth cohort and ethnicity (``names``).

**Speed.** Rows go to the database through ``writer.RowWriter`` (PostgreSQL ``COPY``, one stream per
table, binary where every column allows; ``executemany`` elsewhere) instead of ``bulk_create``; from
``DEFER_INDEXES_FROM`` members the large tables are loaded without their secondary indexes and
unique/foreign-key constraints, which are created again (and checked) before the transaction commits
(``writer.DeferredIndexes``); after the commit the written tables are analyzed (``core.maintenance``).
``demo_reset`` deletes in bulk. No per-row change-log events: one ``log_bulk_change`` event per table plus a
``demo_generate`` event. Measured at 1,000,000 members on PostgreSQL (issue #13, 2 shared cores): CPU seconds
of this process / the database backend 72 / 82 before these two changes, 59 / 28 after (the deferred
foreign-key checks alone took ~57 s at commit).

Same ``seed`` and size → the same rows (names, ID numbers, dates, tree); only ciphertexts differ (random
nonces).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import itertools
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Q

from zugong.accounts.models import RoleGrant
from zugong.audit.changelog import log_bulk_change
from zugong.audit.services import record_event
from zugong.branches.models import BranchOfficer, SecretaryCertificate, TrainingRecord
from zugong.core.codes import ORG_TYPE
from zugong.core.dates import add_years, age_on
from zugong.core.errors import ZugongError
from zugong.core.maintenance import analyze_models
from zugong.demo import distributions as D
from zugong.demo import names as N
from zugong.demo.accounts import refuse_in_production
from zugong.demo.attributes import occupation_fields, plan_terms, title_level
from zugong.demo.history import plan_history
from zugong.demo.planning import (
    REF,
    assign_kinds,
    birth_bounds,
    plan_members,
    realize_dates,
    uniform,
)
from zugong.demo.records import (
    MEMBERSHIP_COLUMNS,
    RECORD_COLUMNS,
    Context,
    write_history_rows,
    write_terms,
)
from zugong.demo.records import history_record as _history_record
from zugong.demo.reference import ROOT_CODE
from zugong.demo.sensitive import SENSITIVE_COLUMNS, Encryptor, default_workers
from zugong.demo.tree import (
    assign_branches,
    branch_counts,
    build_tree,
    org_counts,
    settle_history,
)
from zugong.demo.units import demo_unit_root, joint_rows, plan_units, write_units
from zugong.demo.writer import DeferredIndexes, IdReserver, RowWriter
from zugong.development.models import DevelopmentParticipant, DevelopmentStep
from zugong.grading.models import BranchGrading, GradingScore, WeakBranch
from zugong.life.models import Meeting, MeetingAttendance
from zugong.orgs.models import OrganizationTerm, PartyOrganization, Unit
from zugong.party.models import (
    DevelopmentRecord,
    MemberCount,
    Membership,
    MembershipEvent,
    MembershipTransfer,
    MemberStatus,
    PartyMember,
)
from zugong.party.rules import education_group, ethnicity_group
from zugong.people.models import Person

# The definitions the generator classifies by, as in force on the reference date (zugong.party.rules):
# 汉族 / 少数民族 (GB 3304-1991) and 研究生 (GB/T 4658-2006 1x).
HAN = ethnicity_group("han", on=REF)
GRADUATE = education_group("graduate", on=REF)

BATCH_SIZE = 5000

Progress = Callable[[str, int, int], None]


@dataclass
class GenerationSummary:
    """What ``generate`` wrote: counts, the root organization and timings (seconds per stage)."""

    seed: int
    scale: float  # effective 1:scale ratio to the 2023 公报 (9918.5万 / members)
    members: int
    organizations: dict[str, int]  # org_type → count (the whole demo tree, root included)
    developed: int  # members admitted in 2023
    applicants: int  # open 入党申请人 on 2023-12-31 (积极分子 included)
    activists: int
    persons: int  # members, former members, applicants and the cadres who are not members (demo.cadres)
    root_code: str
    root_id: int
    timings: dict[str, float] = field(default_factory=dict)
    former_members: int = 0  # people who left in the history years (not members on 2023-12-31)
    events: dict[str, int] = field(default_factory=dict)  # MembershipEvent kind → rows written
    life: dict[str, int] = field(default_factory=dict)  # demo.life: officers, meetings, attendances written
    building: dict[str, int] = field(default_factory=dict)  # demo.building: trainings, certificates, gradings …
    cadres: dict = field(default_factory=dict)  # demo.cadres: posts, quotas, cadres, appointments … (issue #12)

    @property
    def organization_total(self) -> int:
        return sum(self.organizations.values())

    @property
    def seconds(self) -> float:
        return sum(self.timings.values())


# ==================================================================================================
# Identity: ID numbers, names, phones
# ==================================================================================================
class _Identity:
    """Deterministic unique ID numbers: per (region, birth date, sex) a sequence 0–499 starting at a
    key-dependent offset; a full key moves to the next region of the same list."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: dict[int, int] = {}
        self.surnames = N.surname_table()
        self.minority_codes = [c for c, _ in N.MINORITY_POPULATION]
        cum, total = [], 0.0
        for _, w in N.MINORITY_POPULATION:
            total += w
            cum.append(total)
        self.minority_cum = cum

    def ethnicity(self, minority: bool) -> str:
        if not minority:
            return HAN.codes[0]
        return self.minority_codes[bisect.bisect(self.minority_cum, self.rng.random() * self.minority_cum[-1])]

    def regions(self, ethnicity: str) -> tuple[str, ...]:
        r = self.rng.random()
        if HAN.contains(ethnicity):
            return N.HOME_REGIONS if r < 0.88 else N.OTHER_REGIONS
        if r < 0.75:
            return N.MINORITY_REGIONS.get(ethnicity, N.MINORITY_FALLBACK_REGIONS)
        return N.HOME_REGIONS

    def id_number(self, ethnicity: str, birth: dt.date, sex: str) -> tuple[str, dt.date, int, str]:
        """Arguments of ``core.idnumber.make`` for a new, unique ID number (built by the ``Encryptor``)."""
        regions = self.regions(ethnicity)
        r = int(self.rng.random() * len(regions))
        ordinal = birth.toordinal()
        for step in range(len(regions)):
            region = regions[(r + step) % len(regions)]
            key = (int(region) * 1_000_000 + ordinal) * 2 + (sex == "2")
            used = self.used.get(key, 0)
            if used < 500:
                self.used[key] = used + 1
                return region, birth, (key * 7919 + used) % 500, sex
        raise RuntimeError("ID number space exhausted")  # pragma: no cover

    def phone(self) -> str:
        return self.rng.choice(N.MOBILE_PREFIXES) + f"{int(self.rng.random() * 100_000_000):08d}"

    def name(self, sex: str, birth: dt.date, ethnicity: str) -> str:
        return N.person_name(self.rng, sex, birth.year, ethnicity, self.surnames)


@functools.cache
def _cumulative(pairs: tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], list[float]]:
    values = tuple(v for v, _ in pairs)
    return values, list(itertools.accumulate(w for _, w in pairs))


def _pick(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> str:
    """A value of ``pairs`` ((value, weight), …) drawn by weight (as ``random.choices``, faster)."""
    values, cum = _cumulative(pairs)
    return values[bisect.bisect(cum, rng.random() * cum[-1])]


def _education(rng: random.Random, college: bool, occupation: str, age: int) -> str:
    """A GB/T 4658-2006 code consistent with the 大专及以上 flag, occupation and age on REF."""
    if college:
        code = _pick(rng, D.COLLEGE_LEVELS.get(occupation, D.COLLEGE_LEVELS["default"]))
        if GRADUATE.contains(code) and age < 24:
            code = "21"
        if code == "21" and age < 21 and occupation != "student":
            code = "31"
        return code
    for max_age, levels in D.LOWER_LEVELS:
        if age <= max_age:
            return _pick(rng, levels)
    return "71"  # pragma: no cover


def _work_start(rng: random.Random, birth: dt.date, education: str) -> dt.date:
    lo, hi = D.WORK_START_AGE.get(education[0], (18, 20))
    start = add_years(birth, uniform(rng, lo, hi)) + dt.timedelta(days=uniform(rng, 0, 299))
    return min(start, REF)


class _PersonRows:
    """Person rows for ``RowWriter``: plain columns drawn here, the sensitive ones added by the
    ``Encryptor`` (``Person.set_id_number`` / ``set_phone`` on a scratch instance)."""

    COLUMNS = ("id", "name", "sex", "ethnicity", "birth_date", "education_level", "political_status",
               "work_start_date", "organization_id", "title_level", "taiwan_origin", *SENSITIVE_COLUMNS)

    def __init__(self, identity: _Identity, encryptor: Encryptor):
        self.identity = identity
        self.encryptor = encryptor
        self.writer = RowWriter(Person, self.COLUMNS)
        self.ids = IdReserver(Person)

    def row(self, pk: int, *, sex: str, ethnicity: str, birth: dt.date, education: str, political_status: str,
            work_start: dt.date | None, organization_id: int, phone: bool, title_level: str = "",
            taiwan_origin: bool = False) -> tuple[tuple, tuple, str]:
        identity = self.identity
        id_number = identity.id_number(ethnicity, birth, sex)
        return ((pk, identity.name(sex, birth, ethnicity), sex, ethnicity, birth, education, political_status,
                 work_start, organization_id, title_level, taiwan_origin), id_number,
                identity.phone() if phone else "")

    def write(self, items: Iterable[tuple[tuple, tuple, str]], report: Callable[[int], None]) -> int:
        return self.writer.write(self.encryptor.rows(items), report=report, every=BATCH_SIZE)


# ==================================================================================================
# Public API
# ==================================================================================================
def demo_root() -> PartyOrganization | None:
    """The demo root organization (组织代码 ``ROOT_CODE``) if demo data exists, else ``None``."""
    return PartyOrganization.objects.filter(code=ROOT_CODE).first()


def _next_root_path() -> str:
    last = PartyOrganization.objects.filter(depth=1).order_by("-path").values_list("path", flat=True).first()
    position = PartyOrganization._str2int(last) + 1 if last else 1
    return PartyOrganization._get_path(None, 1, position)


LIFE_UP_TO = 200_000
"""``generate`` writes the branches' officers and a year of meetings (``demo.life``, about 25 attendance rows
per member) up to this many members by default (the benchmarks' million-member runs skip it)."""

DEFER_INDEXES_FROM = 50_000
"""From this many members ``generate`` loads the person, party-member, membership, event, transfer, status,
development-record and term tables without their secondary indexes and unique/foreign-key constraints and
creates them afterwards in the same transaction (PostgreSQL, ``writer.DeferredIndexes``): measured at
1,000,000 members, the deferred foreign-key checks alone took ~57 s at commit."""

DEFERRED_MODELS = (Person, PartyMember, Membership, MembershipEvent, MembershipTransfer, MemberStatus,
                   DevelopmentRecord, OrganizationTerm)

VERIFY_UP_TO = 200_000
"""``generate`` verifies the written history (``checks.verify_history``) up to this many members by default
(about 1 s per 100,000 members; the benchmarks' million-member runs skip it)."""


def generate(*, scale: int = 10000, seed: int = 2023, members: int | None = None,
             progress: Progress | None = None, workers: int | None = None,
             verify: bool | None = None, life: bool | None = None, cadres: bool | None = None) -> GenerationSummary:
    """Write the demo dataset at ``1:scale`` of the 2023 公报 (``members`` overrides the member count; the
    organization count follows at ≈ members / 19) with ``random.Random(seed)``; returns a
    ``GenerationSummary``. ``progress(stage, advance, total)`` is called as rows are written (stages
    ``党组织``, ``党员``, ``党籍与组织关系``, ``党员变动``, ``入党申请人``). ``workers``: processes encrypting ID
    numbers and phones (default ``sensitive.default_workers()``; 0 = in this process) — the data do not
    depend on it.

    Besides the stock as of the reference date it writes two years of membership history
    (``demo.history``: events of every kind with the periods that follow from them, 组织关系转接, former
    members, 流动党员 / 失联党员), the units the organizations are set up in (``demo.units``), the terms of
    the organizations and the 年报 attributes (``demo.attributes``), — ``life``, by default up to
    ``LIFE_UP_TO`` members — the branches' officers and the 2023 meetings with their attendance
    (``demo.life``), then the secretaries' trainings and certificates, the 2023 gradings with the 软弱涣散 list
    and the development steps (``demo.building``), — ``cadres``, by default with ``life`` — the cadre data of
    the units (``demo.cadres``: posts, quotas, establishment, cadres with appointments, ranks, education,
    résumé, family, assessments, reserve pool, supervision), and — ``verify``, by default up to ``VERIFY_UP_TO`` members — verifies them
    (``demo.checks.verify_history``, ``demo.checks.verify_life``, ``demo.checks.verify_building``) before
    committing.

    All-or-nothing (one transaction). Raises ``ZugongError`` when demo data already exists (use
    ``demo_reset`` first), the size is not positive or the written history does not verify (a generator
    bug), and ``accounts.DemoRefused`` under production settings. See the module docstring for what the
    data reproduces; timings are wall-clock seconds per stage."""
    from zugong.demo.building import write_building
    from zugong.demo.cadres import CADRE_COUNT_KEYS, CADRE_MODELS, write_cadres
    from zugong.demo.checks import verify_building, verify_cadres, verify_history, verify_life
    from zugong.demo.life import write_life

    refuse_in_production()
    if (members is not None and members < 1) or scale <= 0:
        raise ZugongError("演示数据规模必须为正数。")
    if demo_root() is not None:
        raise ZugongError(f"已存在演示数据（组织代码 {ROOT_CODE}），如需重新生成请先重置。")
    report = progress or (lambda stage, advance, total: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    rng = random.Random(seed)  # nosec B311 (deterministic demo data, not security)

    n = members if members is not None else D.members_at_scale(scale)
    plan = plan_members(rng, n)
    kinds = list(D.BRANCH_KINDS)
    assign_kinds(rng, plan, kinds)
    counts = org_counts(D.PEOPLE_PER_WAN / scale if members is None else n / D.MEMBERS)
    per_kind = branch_counts(plan, kinds, counts["branch"])
    tree, branch_nodes = build_tree(rng, kinds, counts, per_kind)
    branch_of = assign_branches(rng, plan, kinds, branch_nodes)
    births, admissions = realize_dates(rng, plan)
    previous = settle_history(rng, tree, branch_of, admissions)
    today = dt.date.today()
    units = plan_units(rng, tree)
    history = plan_history(rng, plan, tree, branch_of, births, admissions, previous, today=today, sector=units.sector)
    units.cover(rng, tree)
    terms = plan_terms(rng, tree, REF)
    timings["规划"] = time.perf_counter() - clock

    with Encryptor(default_workers() if workers is None else workers) as encryptor, transaction.atomic():
        clock = time.perf_counter()
        deferred = DeferredIndexes(DEFERRED_MODELS) if n >= DEFER_INDEXES_FROM else None
        if deferred is not None:
            deferred.drop()
        unit_id = IdReserver(Unit).take(len(units.units))
        write_units(units, unit_id)
        node_id = _write_organizations(tree, units, unit_id, report)
        joint = PartyOrganization.joint_units.through.objects.bulk_create(joint_rows(units, node_id, unit_id))
        n_terms = write_terms(terms, node_id)
        timings["党组织"] = time.perf_counter() - clock

        clock = time.perf_counter()
        identity = _Identity(rng)
        persons = _PersonRows(identity, encryptor)
        context = Context(rng=rng, plan=plan, tree=tree, units=units, history=history, births=births,
                           admissions=admissions, branch_of=branch_of, previous=previous, node_id=node_id,
                           today=today, report=report)
        written_members = _write_members(context, persons)
        timings["党员"] = time.perf_counter() - clock

        clock = time.perf_counter()
        written_history = _write_former_members(context, persons)
        timings["党员变动"] = time.perf_counter() - clock

        clock = time.perf_counter()
        young_branches = [branch_of[i] for i in range(n) if plan.band[i] <= 1] or branch_of
        n_applicants, n_activists = _write_applicants(rng, persons, n, young_branches, tree, units, node_id,
                                                      report)
        timings["入党申请人"] = time.perf_counter() - clock
        if deferred is not None:
            clock = time.perf_counter()
            deferred.restore()  # before anything below queries these tables
            timings["索引与约束"] = time.perf_counter() - clock

        written_life, written_building, written_cadres = {}, {}, {}
        with_life = life if life is not None else n <= LIFE_UP_TO
        if cadres if cadres is not None else with_life:
            clock = time.perf_counter()
            written_cadres = write_cadres(seed=seed, unit_root=Unit.objects.get(pk=unit_id[0]),
                                          org_root=PartyOrganization.objects.get(pk=node_id[0]))
            timings["干部"] = time.perf_counter() - clock
        if with_life:
            clock = time.perf_counter()
            written_life = write_life(context, seed=seed)
            timings["组织生活"] = time.perf_counter() - clock
            clock = time.perf_counter()
            written_building = write_building(context, seed=seed)
            timings["党支部建设"] = time.perf_counter() - clock

        if verify if verify is not None else n <= VERIFY_UP_TO:
            clock = time.perf_counter()
            root = PartyOrganization.objects.get(pk=node_id[0])
            problems = verify_history(root)
            if problems:
                raise ZugongError("演示数据的党员变动与组织关系不一致（生成程序错误）：" + "；".join(problems[:10]))
            problems = verify_life(root) if written_life else []
            if problems:
                raise ZugongError("演示数据的组织生活记录不一致（生成程序错误）：" + "；".join(problems[:10]))
            problems = verify_building(root) if written_building else []
            if problems:
                raise ZugongError("演示数据的党支部建设和发展党员记录不一致（生成程序错误）：" + "；".join(problems[:10]))
            problems = verify_cadres(Unit.objects.get(pk=unit_id[0])) if written_cadres else []
            if problems:
                raise ZugongError("演示数据的干部记录不一致（生成程序错误）：" + "；".join(problems[:10]))
            timings["校验"] = time.perf_counter() - clock

        summary_developed = sum(1 for d in plan.dev if d)
        type_counts: dict[str, int] = {}
        for code in ORG_TYPE.entries:
            count = sum(1 for node in tree.nodes if node.org_type == code and node.dissolved is None)
            if count:
                type_counts[code] = count
        n_leavers = len(history.leavers)
        written = ((Unit, len(units.units)), (PartyOrganization.joint_units.through, len(joint)),
                   (PartyOrganization, len(tree.nodes)), (OrganizationTerm, n_terms),
                   (Person, n + n_leavers + n_applicants), (PartyMember, n + n_leavers),
                   (Membership, written_members["memberships"] + written_history["memberships"]),
                   (DevelopmentRecord, n_applicants + written_members["records"] + written_history["records"]),
                   (MembershipEvent, written_history["events"]), (MembershipTransfer, written_history["transfers"]),
                   (MemberStatus, written_history["statuses"]))
        if written_life:
            written += ((BranchOfficer, written_life["officers"]), (Meeting, written_life["meetings"]),
                        (MeetingAttendance, written_life["attendances"]))
        if written_building:
            written += ((TrainingRecord, written_building["trainings"]),
                        (SecretaryCertificate, written_building["certificates"]),
                        (BranchGrading, written_building["gradings"]), (GradingScore, written_building["scores"]),
                        (WeakBranch, written_building["weak"]), (DevelopmentStep, written_building["steps"]),
                        (DevelopmentParticipant, written_building["participants"]))
        if written_cadres:
            written += ((Person, written_cadres["new_people"]),) + tuple(
                (model, written_cadres[key]) for model, key in zip(CADRE_MODELS, CADRE_COUNT_KEYS, strict=True))
        for model, count in written:
            if count:
                log_bulk_change(model, count, f"生成演示数据：{model._meta.verbose_name} {count} 条")
        record_event("demo_generate", object_type="party_organization", object_id=node_id[0],
                     summary=f"生成演示数据：党员 {n} 名、党组织 {len(tree.nodes)} 个、入党申请人 {n_applicants} 名、"
                             f"党员变动 {written_history['events']} 条",
                     data={"seed": seed, "members": n, "organizations": type_counts, "applicants": n_applicants,
                           "former_members": n_leavers, "events": history.counts})
        clock = time.perf_counter()
    timings["提交"] = time.perf_counter() - clock  # PostgreSQL checks the (deferred) foreign keys here
    # SQLite and PostgreSQL alike: the freshly loaded tables' planner statistics (core.maintenance; after the
    # commit above — at once here, or when an enclosing transaction commits)
    analyze_models([PartyOrganization, Unit, Person, PartyMember, Membership, MemberCount, DevelopmentRecord,
                    MembershipEvent, MembershipTransfer, MemberStatus, OrganizationTerm, BranchOfficer,
                    Meeting, MeetingAttendance, TrainingRecord, SecretaryCertificate, BranchGrading,
                    GradingScore, WeakBranch, DevelopmentStep, DevelopmentParticipant, *CADRE_MODELS])
    return GenerationSummary(seed=seed, scale=D.MEMBERS * D.PEOPLE_PER_WAN / n, members=n,
                             organizations=type_counts, developed=summary_developed,
                             applicants=n_applicants, activists=n_activists,
                             persons=n + n_leavers + n_applicants + written_cadres.get("new_people", 0),
                             root_code=ROOT_CODE, root_id=node_id[0], timings=timings, former_members=n_leavers,
                             events=dict(history.counts), life=written_life, building=written_building,
                             cadres=written_cadres)


def _write_organizations(tree, units, unit_id: list[int], report: Progress) -> list[int]:
    """Insert the tree with treebeard materialized paths computed here (steplen 4, alphabet 0-9A-Z,
    ``MP_Node._get_path``), depth and numchild, each with the unit it is set up in (``units``, a
    ``units.UnitPlan``; ``unit_id`` the units' keys). Returns the primary key of every node."""
    steplen = PartyOrganization.steplen
    root_path = _next_root_path()
    position = {child: k + 1 for node in tree.nodes for k, child in enumerate(node.children)}
    node_id = IdReserver(PartyOrganization).take(len(tree.nodes))
    writer = RowWriter(PartyOrganization, ("id", "code", "name", "org_type", "unit_category", "founded_date", "path",
                                           "depth", "numchild", "unit_id", "unit_relation", "status",
                                           "dissolved_date", "dissolution_reason"))
    rows = []
    for node in tree.nodes:  # parents come before their children
        if node.parent is None:
            node.path = root_path
        else:
            parent_path = tree.nodes[node.parent].path
            node.path = PartyOrganization._get_path(parent_path, len(parent_path) // steplen + 1, position[node.index])
        own = units.own[node.index]
        rows.append((node_id[node.index], node.code, node.name, node.org_type, node.unit_category,
                     dt.date.fromordinal(node.founded), node.path, len(node.path) // steplen, len(node.children),
                     unit_id[own] if own is not None else None, units.relation[node.index],
                     "dissolved" if node.dissolved else "active",
                     dt.date.fromordinal(node.dissolved) if node.dissolved else None, node.dissolution_reason))
    writer.write(rows, report=lambda k: report("党组织", k, len(rows)), every=BATCH_SIZE)
    return node_id


def _write_members(ctx: Context, persons: _PersonRows) -> dict[str, int]:
    """Person rows of every member (branch by branch), then their PartyMember rows, memberships — the
    periods of their history (``demo.history``: an ended one at the previous branch for those who joined
    the party before their branch existed, the periods of a transfer, a 停止党籍 …), each with its 年报
    工作岗位 fields (``demo.attributes``) — and, for those admitted in the history years, closed
    DevelopmentRecords: one stream per table. Sets ``ctx.member_pk`` and returns the counts written."""
    rng, plan, tree = ctx.rng, ctx.plan, ctx.tree
    n = plan.n
    order = sorted(range(n), key=lambda i: ctx.branch_of[i])  # stable: branch by branch
    person_ids = persons.ids.take(n)
    ctx.member_pk = [0] * n
    for pk, i in zip(person_ids, order, strict=True):
        ctx.member_pk[i] = pk
    timelines = ctx.history.members
    periods = {i: ctx.periods(i) for i in range(n)}
    n_memberships = sum(len(p) for p in periods.values())
    membership_ids = iter(IdReserver(Membership).take(n_memberships))
    occ_codes = D.OCCUPATION_CODES
    front_line = D.FRONT_LINE
    full_dates: list[dt.date | None] = [None] * n
    front: list[bool] = [False] * n
    taiwan = set(rng.sample(range(n), min(n, max(round(n * D.TAIWAN_RATE), 1 if n >= D.EVERY_KIND_FROM else 0))))

    def person_rows():
        for pk, i in zip(person_ids, order, strict=True):
            birth = dt.date.fromordinal(ctx.births[i])
            if i in timelines:
                full = timelines[i].full
                full = dt.date.fromordinal(full) if full is not None else None
            else:
                full = add_years(dt.date.fromordinal(ctx.admissions[i]), 1)
                full = full if full <= ctx.today else None
            full_dates[i] = full
            occupation = occ_codes[plan.occ[i]]
            age = age_on(birth, REF)
            sex = "2" if plan.female[i] else "1"
            ethnicity = persons.identity.ethnicity(bool(plan.minority[i]))
            education = _education(rng, bool(plan.college[i]), occupation, age)
            work_start = None if occupation == "student" else _work_start(rng, birth, education)
            front[i] = rng.random() < front_line[occupation]
            title = title_level(rng, occupation, tree.nodes[ctx.branch_of[i]].kind, age)
            yield persons.row(pk, sex=sex, ethnicity=ethnicity, birth=birth, education=education,
                              political_status="01" if full else "02", work_start=work_start,
                              organization_id=ctx.node_id[ctx.branch_of[i]], phone=age < 80 or rng.random() < 0.5,
                              title_level=title, taiwan_origin=i in taiwan)

    def membership_rows():
        for pk, i in zip(person_ids, order, strict=True):
            away = ctx.away(timelines.get(i))
            age = age_on(dt.date.fromordinal(ctx.births[i]), REF)
            for span in periods[i]:
                occupation = span.occupation or occ_codes[plan.occ[i]]
                on_line = front[i] if span.occupation is None else front_line[occupation] >= 0.5
                yield ctx.membership_row(next(membership_ids), pk, span, occupation, on_line, away and span.end is None,
                                         age)

    persons.write(person_rows(), lambda k: ctx.report("党员", k, n))
    relations = n + n_memberships
    step = lambda k: ctx.report("党籍与组织关系", k, relations)  # noqa: E731
    RowWriter(PartyMember, ("person_id", "admission_date", "full_membership_date")).write(
        ((pk, dt.date.fromordinal(ctx.admissions[i]), full_dates[i]) for pk, i in zip(person_ids, order, strict=True)),
        report=step, every=BATCH_SIZE)
    RowWriter(Membership, MEMBERSHIP_COLUMNS).write(membership_rows(), report=step, every=BATCH_SIZE)
    developed = [(ctx.member_pk[i], i) for i in order if i in timelines and timelines[i].admission_event]
    record_ids = IdReserver(DevelopmentRecord).take(len(developed))
    RowWriter(DevelopmentRecord, RECORD_COLUMNS).write(
        (_history_record(rng, r_id, pk, ctx.node_id[ctx.branch_of[i]], dt.date.fromordinal(ctx.births[i]),
                         dt.date.fromordinal(ctx.admissions[i]))
         + ctx.occupation_values(occ_codes[plan.occ[i]], ctx.branch_of[i], front[i],
                                 age=age_on(dt.date.fromordinal(ctx.births[i]), REF))
         for r_id, (pk, i) in zip(record_ids, developed, strict=True)),
        every=BATCH_SIZE)
    return {"memberships": n_memberships, "records": len(developed)}


def _closed_on(leaver) -> dt.date | None:
    """终止培养日期 of a former member's development record: the day they left (the end of their last
    membership period) when that was during the 预备期 (no 转正日期, or a later one) — the pipeline ended
    there, no 转正 will follow; ``None`` when they left as a full member (the pipeline was completed)."""
    left = leaver.timeline.periods[-1].end
    full = leaver.timeline.full
    return dt.date.fromordinal(left) if full is None or full > left else None


def _write_former_members(ctx: Context, persons: _PersonRows) -> dict[str, int]:
    """The former members of ``demo.history`` (Person, PartyMember, their ended memberships and, for
    those admitted in the history years, DevelopmentRecords — closed on the leaving day for those who left
    during the 预备期, ``_closed_on``), then every history row
    (``records.write_history_rows``: transfers, events, statuses). Sets ``ctx.leaver_pk``; returns the
    counts written."""
    rng, tree = ctx.rng, ctx.tree
    leavers = ctx.history.leavers
    ctx.leaver_pk = persons.ids.take(len(leavers))
    front = [rng.random() < D.FRONT_LINE[leaver.occupation] for leaver in leavers]

    def person_rows():
        for pk, leaver in zip(ctx.leaver_pk, leavers, strict=True):
            birth = dt.date.fromordinal(leaver.birth)
            left = dt.date.fromordinal(leaver.timeline.periods[-1].end)
            age = age_on(birth, left)
            education = _education(rng, leaver.college, leaver.occupation, age)
            work_start = None if leaver.occupation == "student" else _work_start(rng, birth, education)
            if work_start is not None and work_start > left:
                work_start = None
            yield persons.row(pk, sex="2" if leaver.female else "1",
                              ethnicity=persons.identity.ethnicity(leaver.minority), birth=birth,
                              education=education, political_status=leaver.political_status, work_start=work_start,
                              organization_id=ctx.node_id[leaver.organization],
                              phone=leaver.timeline.events[-1].kind != "death" or rng.random() < 0.5,
                              title_level=title_level(rng, leaver.occupation, tree.nodes[leaver.organization].kind, age))

    timelines = [*ctx.history.members.values(), *(leaver.timeline for leaver in leavers)]
    total = len(leavers) + sum(len(tl.events) for tl in timelines)
    step = lambda k: ctx.report("党员变动", k, total)  # noqa: E731
    persons.write(person_rows(), step)
    RowWriter(PartyMember, ("person_id", "admission_date", "full_membership_date")).write(
        (pk, dt.date.fromordinal(leaver.admission),
         dt.date.fromordinal(leaver.timeline.full) if leaver.timeline.full is not None else None)
        for pk, leaver in zip(ctx.leaver_pk, leavers, strict=True))
    n_memberships = sum(len(leaver.timeline.periods) for leaver in leavers)
    membership_ids = iter(IdReserver(Membership).take(n_memberships))
    RowWriter(Membership, MEMBERSHIP_COLUMNS).write(
        (ctx.membership_row(next(membership_ids), pk, span, span.occupation or leaver.occupation,
                            on_line if span.occupation is None else D.FRONT_LINE[span.occupation] >= 0.5, False)
         for pk, leaver, on_line in zip(ctx.leaver_pk, leavers, front, strict=True)
         for span in leaver.timeline.periods), every=BATCH_SIZE)
    developed = [(pk, leaver, on_line) for pk, leaver, on_line in zip(ctx.leaver_pk, leavers, front, strict=True)
                 if leaver.timeline.admission_event]
    record_ids = IdReserver(DevelopmentRecord).take(len(developed))
    RowWriter(DevelopmentRecord, (*RECORD_COLUMNS, "closed_date")).write(
        (_history_record(rng, r_id, pk, ctx.node_id[leaver.organization], dt.date.fromordinal(leaver.birth),
                         dt.date.fromordinal(leaver.admission))
         + ctx.occupation_values(leaver.occupation, leaver.organization, on_line) + (_closed_on(leaver),)
         for r_id, (pk, leaver, on_line) in zip(record_ids, developed, strict=True)))
    written = write_history_rows(ctx, step)
    return {**written, "memberships": n_memberships, "records": len(developed)}


def _write_applicants(rng: random.Random, persons: _PersonRows, n: int, young_branches: list[int], tree, units,
                      node_id: list[int], report: Progress) -> tuple[int, int]:
    """Open pipeline on REF: 入党申请人 (积极分子 included) at the published ratio to members; a share of
    the 积极分子 are already 发展对象 (≥ 1 year after becoming 积极分子). Each record has the 工作岗位 the
    年报's 第十八–二十表 count (by the kind of branch: ``distributions.APPLICANT_OCCUPATIONS``; sector from
    the branch's unit; 生产、工作第一线 as members of that occupation). Returns (applicants, activists)."""
    n_app = round(n * D.APPLICANTS / D.MEMBERS)
    n_act = min(round(n * D.ACTIVISTS / D.MEMBERS), n_app)
    n_cand = round(n_act * D.CANDIDATE_SHARE)
    ref = REF.toordinal()
    person_ids = persons.ids.take(n_app)
    record_ids = IdReserver(DevelopmentRecord).take(n_app)
    age_weights = [w for *_, w in D.APPLICANT_AGES]
    identity = persons.identity
    records: list[tuple] = []

    def person_rows():
        for j, (pk, r_id) in enumerate(zip(person_ids, record_ids, strict=True)):
            lo_age, hi_age, _ = rng.choices(D.APPLICANT_AGES, weights=age_weights)[0]
            birth = uniform(rng, *birth_bounds(lo_age, hi_age))
            if j < n_cand:
                activist = ref - uniform(rng, 366, 720)
                candidate = min(activist + uniform(rng, 366, 540), ref)
                application = activist - uniform(rng, 30, 180)
            elif j < n_act:
                activist = ref - uniform(rng, 0, 360)
                candidate = None
                application = activist - uniform(rng, 30, 365)
            else:
                activist = candidate = None
                application = ref - min(uniform(rng, 0, 1095), uniform(rng, 0, 1095))
            if add_years(dt.date.fromordinal(birth), 18).toordinal() > application:  # applied at ≥ 18
                birth = add_years(dt.date.fromordinal(application), -18).toordinal() - uniform(rng, 0, 700)
            birth_date = dt.date.fromordinal(birth)
            age = age_on(birth_date, REF)
            sex = "2" if rng.random() < 0.48 else "1"
            ethnicity = identity.ethnicity(rng.random() < 0.09)
            college = rng.random() < (0.6 if age >= 22 else 0.5)
            education = _education(rng, college, "student" if age < 22 else "other", age)
            work_start = _work_start(rng, birth_date, education) if (age >= 23 or not college) else None
            node = rng.choice(young_branches)
            kind = tree.nodes[node].kind
            occupation = rng.choices(*zip(*D.APPLICANT_OCCUPATIONS[kind], strict=True))[0]
            on_line = rng.random() < D.FRONT_LINE[occupation]
            detail, ownership, worker, business, line = occupation_fields(rng, occupation, kind, units.sector(node),
                                                                          on_line)
            records.append((r_id, pk, node_id[node], dt.date.fromordinal(application),
                            dt.date.fromordinal(activist) if activist else None,
                            dt.date.fromordinal(candidate) if candidate else None, None,
                            occupation, on_line, detail, ownership, worker, business, line))
            yield persons.row(pk, sex=sex, ethnicity=ethnicity, birth=birth_date, education=education,
                              political_status="03" if age <= 28 else "13", work_start=work_start,
                              organization_id=node_id[node], phone=True)

    persons.write(person_rows(), lambda k: report("入党申请人", k, 2 * n_app))
    RowWriter(DevelopmentRecord, RECORD_COLUMNS).write(
        records, report=lambda k: report("入党申请人", k, 2 * n_app), every=BATCH_SIZE)
    return n_app, n_act


def demo_reset() -> int:
    """Delete the demo dataset: the ``ROOT_CODE`` subtree, its people, party records, memberships,
    branch officers, meetings and their attendance, secretaries' trainings and certificates, gradings and
    their scores, 软弱涣散 entries, development steps and participants, membership events, transfers, member statuses, terms, development records, role grants and the demo
    unit tree (audit events stay). Rows are deleted in bulk (no per-row
    signals) with one change-log event per table; the database's foreign keys are checked before commit.
    Returns the number of organizations removed (0 if there is no demo data).

    Raises ``ZugongError`` (and deletes nothing) when records entered since still refer to demo people
    or organizations."""
    root = demo_root()
    if root is None:
        return 0
    prefix = root.path
    people = Person.objects.filter(organization__path__startswith=prefix)
    unit_root = demo_unit_root()
    units = Unit.objects.filter(path__startswith=unit_root.path) if unit_root else Unit.objects.none()
    joint = PartyOrganization.joint_units.through
    from zugong.demo.cadres import cadre_reset_targets

    targets = [*cadre_reset_targets(units),
        (RoleGrant, RoleGrant.objects.filter(organization__path__startswith=prefix)),
        (RoleGrant, RoleGrant.objects.filter(unit__in=units)),
        (joint, joint.objects.filter(Q(partyorganization__path__startswith=prefix) | Q(unit__in=units))),
        (DevelopmentParticipant, DevelopmentParticipant.objects.filter(
            Q(record__organization__path__startswith=prefix) | Q(person__organization__path__startswith=prefix))),
        (DevelopmentStep, DevelopmentStep.objects.filter(record__organization__path__startswith=prefix)),
        (WeakBranch, WeakBranch.objects.filter(organization__path__startswith=prefix)),
        (GradingScore, GradingScore.objects.filter(grading__organization__path__startswith=prefix)),
        (BranchGrading, BranchGrading.objects.filter(organization__path__startswith=prefix)),
        (SecretaryCertificate, SecretaryCertificate.objects.filter(
            Q(organization__path__startswith=prefix) | Q(person__organization__path__startswith=prefix))),
        (TrainingRecord, TrainingRecord.objects.filter(
            Q(organization__path__startswith=prefix) | Q(person__organization__path__startswith=prefix))),
        (MeetingAttendance, MeetingAttendance.objects.filter(Q(meeting__organization__path__startswith=prefix)
                                                             | Q(person__organization__path__startswith=prefix))),
        (Meeting, Meeting.objects.filter(organization__path__startswith=prefix)),
        (BranchOfficer, BranchOfficer.objects.filter(Q(organization__path__startswith=prefix)
                                                     | Q(person__organization__path__startswith=prefix))),
        (MembershipEvent, MembershipEvent.objects.filter(Q(organization__path__startswith=prefix)
                                                         | Q(person__organization__path__startswith=prefix))),
        (MemberStatus, MemberStatus.objects.filter(Q(organization__path__startswith=prefix)
                                                   | Q(person__organization__path__startswith=prefix))),
        (MembershipTransfer, MembershipTransfer.objects.filter(
            Q(from_organization__path__startswith=prefix) | Q(to_organization__path__startswith=prefix)
            | Q(person__organization__path__startswith=prefix))),
        (OrganizationTerm, OrganizationTerm.objects.filter(organization__path__startswith=prefix)),
        (DevelopmentRecord, DevelopmentRecord.objects.filter(Q(organization__path__startswith=prefix)
                                                             | Q(person__organization__path__startswith=prefix))),
        (Membership, Membership.objects.filter(Q(organization__path__startswith=prefix)
                                               | Q(person__organization__path__startswith=prefix))),
        # the 党员计数 rows of the demo organizations (issue #13; the memberships' triggers only decrement them)
        (MemberCount, MemberCount.objects.filter(organization__path__startswith=prefix)),
        (PartyMember, PartyMember.objects.filter(person__organization__path__startswith=prefix)),
        (Person, people),
        (PartyOrganization, PartyOrganization.objects.filter(path__startswith=prefix)),
        (Unit, units),
    ]
    try:
        with transaction.atomic():
            removed = {}
            for model, queryset in targets:
                ids = list(queryset.values_list("pk", flat=True))
                for start in range(0, len(ids), BATCH_SIZE):
                    # bulk delete without the per-row change-log signals (one event per table below)
                    model.objects.filter(pk__in=ids[start:start + BATCH_SIZE])._raw_delete(connection.alias)
                removed[model] = removed.get(model, 0) + len(ids)
            connection.check_constraints()
            for model, count in removed.items():
                if count:
                    log_bulk_change(model, count, f"重置演示数据：删除{model._meta.verbose_name} {count} 条",
                                    action="bulk_delete")
            record_event("demo_reset", object_type="party_organization", object_id=root.pk,
                         summary=f"重置演示数据：删除党组织 {removed[PartyOrganization]} 个")
    except IntegrityError:
        raise ZugongError("演示数据已被其他记录引用，无法重置；请改用新的数据库（删除 zugong.sqlite3 或换一个 DATABASE_URL）。")
    return removed[PartyOrganization]
