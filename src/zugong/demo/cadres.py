"""Demo cadre work (issue #12): posts, quotas (职数) and establishment (编制) of the demo's units, the cadres
who hold the posts with their appointment history, ranks (职级), education, résumé, family, annual
assessments, the reserve pool and a couple of supervision records — written by ``generate`` after the units
and the members (``write_cadres``), so the 干部 pages, the 干部配备一览表, the structure analysis and the
dossier audit have data shaped like a county's (as of ``REF``, 2023-12-31).

**Units and posts** (GB/T 12407 levels, as in a county): the county (``QS-U``) holds the county leaders —
县委书记, 县长, 县人大常委会主任, 县政协主席 (正处, ``131``); 县委副书记, 县委常委, 副县长, 人大副主任, 政协副主席
(副处, ``132``); each county organ (机关: 部, 委, 办, 局) a principal (部长 / 主任 / 局长, 正科 ``141``) and
deputies (副科 ``142``), a bureau also a 党组书记 held concurrently by its 局长; each 乡镇 / 街道 its 党委书记,
党委副书记、镇长 (or 乡长 / 办事处主任) and 人大主席 (正科) and its 副科 team; each school and hospital
(事业单位) a 党委书记 and a 校长 / 院长 (正科) with deputies; each state- or collective-controlled company
(企业) its 董事长 (also 党委书记, concurrent) and 总经理 (正科) with 副总经理. The 常委 of the county hold the
principal post of 组织部, 宣传部, 统战部, 政法委, 县委办 and 纪委监委 concurrently (兼任; those posts, like a
党组书记 held by the 局长, do not count against the unit's quota: the 干部配备一览表 counts 非兼任 posts). Villages,
communities, private companies and social organizations have no cadre posts. Every unit with posts has a
quota per level (``PostQuota``; the approved 职数: the posts' seats) and establishment per type
(``Establishment``: 行政 for organs and 乡镇 / 街道, plus 事业 for 乡镇 / 街道; 事业 for schools and hospitals;
企业 for companies).

**On purpose**, so the 干部配备一览表 has something to show: ``OVER_SHARE`` of the multi-seat deputy cells
(at least one) are **over quota by one** (their quota is one below the seats filled), ``VACANT_SHARE`` of
the other seats (at least one) are **vacant** on ``REF`` (some because their holder was promoted away).

**Cadres** (``Cadre`` of a ``Person``): the holders of the posts and, in the organs and 乡镇 / 街道, the
non-leadership civil servants with their 职级 (一级科员 … 一级主任科员). Most are demo party members whose
branch is set up in the unit (their ``Person`` and party records stay as they are, ``Person.organization``
included; the cadre record's 入党时间 is their admission date); where the unit has none that fit (age, a
college education), a new ``Person`` is written (a party member of a branch elsewhere is not invented: these
are 群众 or members of a democratic party, ``Person.organization`` empty, kept by the unit). Leaders have a
previous appointment in about half of the cases (promoted from a lower post or moved from the same level
in another unit) whose seat is then free or taken later, so no single-holder post has two holders on one
day and every removal (免职) is after its appointment. 任现职时间 / 任同级职务时间 (recorded on the cadre)
follow the appointments.

Each cadre gets 全日制 education (and, for about 40 %, 在职 education that is the highest: 省委党校 or
中央党校函授学院 研究生 / 本科, MPA) consistent with ``Person.education_level``, a continuous résumé of 8–15
lines (month precision, the current line open, a （其间：…） line for in-service study), 3–6 family members
(older parents often 已去世), annual assessments 2021–2023 (about 17 % 优秀 per year), ranks for the
non-leaders and some leaders; ``RESERVE_SHARE`` of the cadres are in the reserve pool (three lists, with
measures; some already exited as 已提拔使用); two supervision records (诫勉, 党内警告).

**Deliberate dossier inconsistencies** (``INCONSISTENCIES``: the dossier audit must find them; the
returned ``problems`` names the cadres): a new person whose recorded 出生日期 differs from the ID number's;
a cadre whose recorded 入党时间 is before 18; a cadre whose résumé has a 5-month gap; a cadre whose recorded
任同级职务时间 is later than the 任现职时间.

**Determinism.** Everything is drawn from ``random.Random(f"{seed}:cadres")`` over the units in tree
order and the people in the order they were written (the relative order of their keys, the same on SQLite
and PostgreSQL), never a key's value. Rows go through ``writer.RowWriter``; ``checks.verify_cadres``
checks them before commit. ``write_cadres`` writes nothing when the demo units already have posts
(idempotent), so ``zugong demo`` can also add the cadre data to a demo database generated before it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.db.models import Q

from zugong.cadres.choices import POST_LEVEL
from zugong.cadres.models import (
    AnnualAssessment,
    Appointment,
    Cadre,
    Education,
    Establishment,
    FamilyMember,
    Post,
    PostQuota,
    RankRecord,
    ReserveCadre,
    ReserveMeasure,
    ResumeEntry,
    SupervisionRecord,
)
from zugong.core.dates import add_years, age_on
from zugong.demo import names as N
from zugong.demo.planning import REF
from zugong.demo.sensitive import SENSITIVE_COLUMNS, sensitive_values
from zugong.demo.writer import IdReserver, RowWriter
from zugong.orgs.models import PartyOrganization, Unit
from zugong.party.models import Membership
from zugong.people.models import Person

OVER_SHARE = 0.12
"""Share of the multi-seat deputy cells (unit × level) staffed one over their quota."""
VACANT_SHARE = 0.06
"""Share of the other seats vacant on ``REF``."""
PREVIOUS_SHARE = 0.5
"""Share of the leaders with a recorded previous appointment."""
IN_SERVICE_SHARE = 0.4
EXCELLENT_SHARE = 0.17
RESERVE_SHARE = 0.08
YEARS = (REF.year - 2, REF.year - 1, REF.year)
INCONSISTENCIES = ("birth_vs_id", "admission_before_18", "resume_gap", "same_level_after_current")
FILE_START = dt.date(2000, 1, 1)
INF = dt.date.max.toordinal()

# (level, minimum age, maximum age) on REF of a holder
AGES = {"131": (44, 57), "132": (38, 57), "141": (32, 57), "142": (27, 55), "staff": (24, 57)}
LOWER = {"131": "132", "132": "141", "141": "142", "142": "staff"}

SCHOOLS_BACHELOR = ("四川大学", "西南财经大学", "西南交通大学", "四川师范大学", "西华师范大学", "四川农业大学",
                    "西南石油大学", "成都理工大学", "西南科技大学", "西南政法大学", "西南大学", "西华大学",
                    "四川文理学院", "乐山师范学院", "绵阳师范学院", "内江师范学院", "宜宾学院", "成都信息工程大学")
SCHOOLS_COLLEGE = ("四川财经职业学院", "四川交通职业技术学院", "四川建筑职业技术学院", "南充职业技术学院",
                   "达州职业技术学院", "四川农业大学", "川北医学院", "四川师范大学")
PARTY_SCHOOLS = (("中共四川省委党校", "研究生", "经济管理"), ("中共四川省委党校", "研究生", "法学"),
                 ("中共四川省委党校", "本科", "经济管理"), ("中央党校函授学院", "本科", "法律"),
                 ("中央党校函授学院", "本科", "经济管理"), ("四川大学", "研究生", "公共管理"),
                 ("西南财经大学", "研究生", "公共管理"), ("中央党校函授学院", "研究生", "政治学"))
MAJORS = {  # major → 学位门类
    "汉语言文学": "文学", "法学": "法学", "行政管理": "管理学", "会计学": "管理学", "农学": "农学",
    "计算机科学与技术": "工学", "经济学": "经济学", "思想政治教育": "法学", "土木工程": "工学",
    "工商管理": "管理学", "历史学": "历史学", "英语": "文学", "林学": "农学", "水利水电工程": "工学",
    "财政学": "经济学", "数学与应用数学": "理学", "新闻学": "文学", "公共事业管理": "管理学",
}
MEDICAL_MAJORS = {"临床医学": "医学", "中医学": "医学", "护理学": "理学"}
TEACHING_MAJORS = {"汉语言文学": "文学", "数学与应用数学": "理学", "英语": "文学", "物理学": "理学",
                   "思想政治教育": "法学", "体育教育": "教育学"}
SPECIALTIES = ("熟悉党务工作", "熟悉基层社会治理", "熟悉经济工作", "熟悉农业农村工作", "熟悉财政金融工作",
               "熟悉组织人事工作", "熟悉宣传思想文化工作", "熟悉政法工作", "熟悉城乡规划建设", "熟悉教育管理",
               "熟悉医疗卫生管理", "熟悉企业经营管理", "熟悉文字综合工作", "熟悉招商引资工作")
SECTIONS = ("办公室", "综合股", "人事股", "财务股", "政策法规股", "业务股")
TOWN_OFFICES = ("党政办公室", "经济发展办公室", "社会事务办公室", "综合行政执法办公室", "党建工作办公室")
RELATIVES_WORK = ("青山县第一中学教师", "青山县人民医院医生", "务农", "个体经营", "青山县农村商业银行职员",
                  "退休", "青山县自然资源和规划局干部", "成都某科技有限公司职员", "青山县城关小学教师", "无业")
CHILD_WORK = ("学生", "学生", "学生", "四川大学学生", "成都某公司职员", "青山县某中学教师", "无业")
MEASURES = ("到乡镇挂职锻炼", "参加县委党校中青年干部培训班", "到信访、招商等吃劲岗位轮岗", "参加省委组织部专题培训",
            "到县直部门跟班学习", "承担乡村振兴重点项目", "到上级部门跟班学习")
FOLLOW_UPS = ("表现良好，群众认可度较高", "工作扎实，进步明显", "适应较快，能独立负责一方面工作", "有待进一步观察")


def _d(ordinal: int) -> dt.date:
    return dt.date.fromordinal(ordinal)


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_months(day: dt.date, months: int) -> dt.date:
    total = day.year * 12 + day.month - 1 + months
    return dt.date(total // 12, total % 12 + 1, 1)


def _months_between(a: dt.date, b: dt.date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


@dataclass
class _UnitPlan:
    pk: int
    code: str
    name: str
    kind: str  # county / organ / township / subdistrict / institution / enterprise
    short: str  # the unit's name without the county prefix
    posts: list = field(default_factory=list)  # indexes into _Plan.posts


@dataclass
class _PostPlan:
    unit: int  # index into _Plan.units
    name: str
    level: str
    max_holders: int
    leadership: bool = True
    counts: bool = True
    concurrent_of: tuple[int, ...] | None = None  # (post, slot) whose holder also holds this one (兼任)


@dataclass
class _Seat:
    post: int
    slot: int
    floor: int = INF  # earliest start among its tenures (ordinal)
    holder: int | None = None  # cadre index of the current holder
    vacant: bool = False
    has_previous: bool = False


@dataclass
class _Person:
    """A cadre's person: an existing demo member (``pk``) or a new one (``pk`` None until written)."""

    pk: int | None
    name: str
    sex: str
    birth: dt.date
    education: str
    work_start: dt.date | None
    admission: dt.date | None
    ethnicity: str = "01"
    political_status: str = "01"
    other_party: str = ""
    id_birth: dt.date | None = None  # a new person's ID-number birth date (differs on purpose: birth_vs_id)


@dataclass
class _CadrePlan:
    person: _Person
    unit: int
    kind: str  # the unit's kind
    appointments: list = field(default_factory=list)  # [post, start ord, end ord | None, concurrent, promoted]
    ranks: list = field(default_factory=list)  # [rank, start, end | None]
    staff: bool = False
    current_since: dt.date | None = None
    same_level_since: dt.date | None = None
    title: str = ""  # 现任职务 with the concurrent posts (the résumé's current line)
    record_title: str = ""  # Cadre.current_post_title: the main post


def _main(cadre: _CadrePlan) -> list | None:
    """The main appointment held on REF (not a 兼任), else ``None``."""
    return next((a for a in cadre.appointments if a[2] is None and not a[3]), None)


class _Pool:
    """Candidate members per unit (plan order), drawn without replacement by age."""

    def __init__(self, rows: dict[int, list[tuple]], below: dict[int, list[tuple]] | None = None):
        self.rows = rows
        self.below = below or {}  # members of the villages / communities / workshops under the unit
        self.used: set[int] = set()

    def take(self, rng: random.Random, units: list[int], lo: int, hi: int) -> tuple | None:
        """A member of ``units`` aged ``lo``..``hi`` on REF (else of the organizations below them), or None."""
        choices = [r for u in units for r in self.rows.get(u, ()) if r[0] not in self.used
                   and lo <= age_on(r[3], REF) <= hi]
        if not choices:
            choices = [r for u in units for r in self.below.get(u, ()) if r[0] not in self.used
                       and lo <= age_on(r[3], REF) <= hi]
        if not choices:
            return None
        row = choices[int(rng.random() * len(choices))]
        self.used.add(row[0])
        return row


def _kind(unit: Unit) -> str | None:
    if unit.depth == 1:
        return "county"
    if unit.depth != 2:
        return None
    if unit.unit_category == "government_organ":
        return "organ"
    if unit.unit_category in ("township", "subdistrict"):
        return unit.unit_category
    if unit.unit_category == "public_institution":
        return "institution"
    if unit.unit_category == "enterprise" and unit.economic_control in ("state_controlled", "collective_controlled"):
        return "enterprise"
    return None


def _organ_titles(name: str) -> tuple[str, str, bool]:
    """(principal title, deputy title, is a bureau with a 党组) of a county organ by its name."""
    if name.endswith("部"):
        return "部长", "副部长", False
    if "纪委" in name:
        return "副书记、副主任", "常务委员会委员", False
    if "政法委" in name:
        return "副书记", "委员", False
    if "人大常委会" in name or "政协" in name:
        return "秘书长", "副秘书长", False
    if name.endswith("办公室"):
        return "主任", "副主任", False
    if name.endswith("局"):
        return "局长", "副局长", True
    return "主任", "副主任", False


CONCURRENT_ORGANS = ("组织部", "宣传部", "统战部", "政法委", "县委办公室", "纪委")


def _templates(kind: str, name: str, rng: random.Random) -> list[tuple]:
    """(name, level, max holders, leadership, counts against the quota, filled seats) of a unit's posts."""
    if kind == "county":
        return [("县委书记", "131", 1), ("县委副书记、县长", "131", 1), ("县人大常委会主任", "131", 1),
                ("县政协主席", "131", 1), ("县委副书记", "132", 1), ("县委常委", "132", 6), ("副县长", "132", 5),
                ("县人大常委会副主任", "132", 3), ("县政协副主席", "132", 3)]
    if kind == "organ":
        principal, deputy, bureau = _organ_titles(name)
        posts = [(principal, "141", 1), (deputy, "142", 2 + int(rng.random() * 3))]
        if bureau:
            posts.append(("党组书记", "141", 1, True, False))
        return posts
    if kind == "township":
        head = "镇长" if name.endswith("镇") else "乡长"
        return [("党委书记", "141", 1), (f"党委副书记、{head}", "141", 1), ("人大主席", "141", 1),
                ("党委副书记", "142", 1), (f"副{head}", "142", 3), ("党委委员、组织委员", "142", 1),
                ("党委委员、宣传委员", "142", 1), ("纪委书记", "142", 1), ("人武部部长", "142", 1)]
    if kind == "subdistrict":
        return [("党工委书记", "141", 1), ("党工委副书记、办事处主任", "141", 1), ("党工委副书记", "142", 1),
                ("办事处副主任", "142", 3), ("纪工委书记", "142", 1), ("人大工委主任", "142", 1)]
    if kind == "institution":
        head = "院长" if ("医院" in name or "保健院" in name) else ("校长" if "学" in name else "主任")
        return [("党委书记", "141", 1), (head, "141", 1), (f"副{head}", "142", 2 + int(rng.random() * 2))]
    if kind == "enterprise":
        return [("董事长", "141", 1), ("党委书记", "141", 1, True, False), ("总经理", "141", 1),
                ("副总经理", "142", 2 + int(rng.random() * 2))]
    return []


STAFF_COUNT = {"organ": (8, 18), "township": (10, 20), "subdistrict": (8, 14)}
ESTABLISHMENT = {"county": (("administrative", 30, 40),), "organ": (("administrative", 12, 35),),
                 "township": (("administrative", 30, 45), ("public_institution", 20, 40)),
                 "subdistrict": (("administrative", 25, 40), ("public_institution", 15, 30)),
                 "institution": (("public_institution", 80, 320),), "enterprise": (("enterprise", 40, 260),)}
CADRE_ESTABLISHMENT = {"county": "administrative", "organ": "administrative", "township": "administrative",
                       "subdistrict": "administrative", "institution": "public_institution",
                       "enterprise": "enterprise"}
STAFF_RANKS = (("clerk_2", 24, 28), ("clerk_1", 26, 33), ("principal_clerk_4", 30, 40),
               ("principal_clerk_3", 34, 50), ("principal_clerk_2", 38, 57), ("principal_clerk_1", 42, 57))


class _Builder:
    def __init__(self, rng: random.Random, unit_root: Unit, org_root: PartyOrganization | None):
        self.rng = rng
        self.unit_root = unit_root
        self.org_root = org_root
        self.units: list[_UnitPlan] = []
        self.posts: list[_PostPlan] = []
        self.seats: dict[tuple[int, int], _Seat] = {}
        self.cadres: list[_CadrePlan] = []
        self.new_people: list[_Person] = []
        self.quotas: list[tuple] = []
        self.establishments: list[tuple] = []
        self.surnames = N.surname_table()

    # ----- units, posts, seats --------------------------------------------------------------------------
    def plan_posts(self) -> None:
        rng = self.rng
        for unit in Unit.objects.filter(path__startswith=self.unit_root.path, depth__lte=2).order_by("path"):
            kind = _kind(unit)
            if kind is None:
                continue
            short = unit.name.removeprefix(N.COUNTY) or unit.name
            plan = _UnitPlan(unit.pk, unit.code, unit.name, kind, short)
            self.units.append(plan)
            u = len(self.units) - 1
            for template in _templates(kind, short, rng):
                title, level, holders, *rest = template
                leadership, counts = (rest + [True, True])[:2]
                self.posts.append(_PostPlan(u, title, level, holders, leadership, counts))
                plan.posts.append(len(self.posts) - 1)
                for slot in range(holders):
                    self.seats[(len(self.posts) - 1, slot)] = _Seat(len(self.posts) - 1, slot)
        # the 常委 hold some organs' principal posts concurrently; a bureau's 局长 is its 党组书记; a company's
        # 董事长 its 党委书记
        county_members = [p for p in self.units[0].posts if self.posts[p].name == "县委常委"] if self.units else []
        standing = [(county_members[0], slot) for slot in range(self.posts[county_members[0]].max_holders)] \
            if county_members else []
        for unit in self.units:
            if unit.kind == "organ" and standing and any(word in unit.name for word in CONCURRENT_ORGANS):
                # held by a 常委 (兼任): the 常委 occupies a county 副处 quota, not this unit's 正科 one
                self.posts[unit.posts[0]].concurrent_of = standing.pop(0)
                self.posts[unit.posts[0]].counts = False
            names = {self.posts[p].name: p for p in unit.posts}
            pair = (("局长", "党组书记") if unit.kind == "organ" else ("董事长", "党委书记") if unit.kind == "enterprise"
                    else None)
            if pair and pair[0] in names and pair[1] in names and self.posts[names[pair[0]]].concurrent_of is None:
                self.posts[names[pair[1]]].concurrent_of = (names[pair[0]], 0)

    def plan_vacancies_and_quotas(self) -> list[str]:
        """Mark over-quota cells and vacant seats; write the quota and establishment rows (without keys)."""
        rng = self.rng
        cells: dict[tuple[int, str], list[int]] = {}
        for p, post in enumerate(self.posts):
            if post.counts:
                cells.setdefault((post.unit, post.level), []).append(p)
        multi = [cell for cell, posts in cells.items() if cell[1] == "142" and self.units[cell[0]].kind != "county"
                 and any(self.posts[p].max_holders > 1 for p in posts)]
        over = set(rng.sample(multi, min(len(multi), max(1, round(OVER_SHARE * len(multi))))))
        candidates = [key for key, seat in self.seats.items() if (self.posts[key[0]].unit, self.posts[key[0]].level)
                      not in over and self.posts[key[0]].concurrent_of is None and self.posts[key[0]].level != "131"]
        vacant = set(rng.sample(candidates, min(len(candidates), max(1, round(VACANT_SHARE * len(candidates))))))
        for key in vacant:
            self.seats[key].vacant = True
        year_doc = 0
        for (u, level), posts in sorted(cells.items()):
            seats = sum(self.posts[p].max_holders for p in posts)
            count = seats - 1 if (u, level) in over else seats
            year_doc += 1
            self.quotas.append((u, level, count, dt.date(2019, 3, 1), f"青编〔2019〕{10 + u}号"))
        for u, unit in enumerate(self.units):
            for kind, lo, hi in ESTABLISHMENT[unit.kind]:
                self.establishments.append((u, kind, lo + int(rng.random() * (hi - lo + 1)), dt.date(2019, 3, 1),
                                            f"青编〔2019〕{10 + u}号"))
        return [f"{self.units[u].name}{POST_LEVEL.label(level)}" for u, level in sorted(over)]

    # ----- people ----------------------------------------------------------------------------------------
    def load_pool(self) -> _Pool:
        """Demo members on REF per unit (their branch is set up in the unit, or in a company's / organ's
        unit above), with college education: ``(pk, name, sex, birth, education, work_start, admission,
        ethnicity)``."""
        unit_index = {unit.pk: u for u, unit in enumerate(self.units)}
        if self.org_root is None:
            return _Pool({})
        # units below a cadre unit (villages, communities under a 乡镇 / 街道): their members are the second choice
        paths = dict(Unit.objects.filter(pk__in=[x.pk for x in self.units]).values_list("path", "pk"))
        under: dict[int, int] = {}
        for pk, path in Unit.objects.filter(path__startswith=self.unit_root.path, depth__gt=2).values_list("pk", "path"):
            owner = paths.get(path[:2 * Unit.steplen])
            if owner is not None:
                under[pk] = unit_index[owner]
        org_unit: dict[str, int | None] = {}
        orgs = list(PartyOrganization.objects.filter(path__startswith=self.org_root.path).order_by("path")
                    .values_list("pk", "path", "unit_id", "unit_relation"))
        by_path = {}
        for pk, path, unit_id, relation in orgs:
            if relation == "legal_entity_unit" and unit_id is not None:
                u = unit_index.get(unit_id, -1 - under[unit_id] if unit_id in under else None)
            elif relation == "same_as_parent":
                u = by_path.get(path[:-PartyOrganization.steplen])
            else:
                u = None
            by_path[path] = u
            org_unit[pk] = u
        rows: dict[int, list[tuple]] = {}
        below: dict[int, list[tuple]] = {}
        memberships = (Membership.objects.filter(Q(end_date__isnull=True) | Q(end_date__gt=REF),
                                                 start_date__lte=REF, organization__path__startswith=self.org_root.path,
                                                 person__education_level__regex=r"^[123]")
                       .order_by("person_id").values_list(
                           "person_id", "organization_id", "person__name", "person__sex", "person__birth_date",
                           "person__education_level", "person__work_start_date", "person__party_member__admission_date",
                           "person__ethnicity", "person__party_member__full_membership_date"))
        seen = set()
        for pk, org, name, sex, birth, education, work, admission, ethnicity, full in memberships:
            u = org_unit.get(org)
            if u is None or pk in seen or work is None or full is None:
                continue
            seen.add(pk)
            row = (pk, name, sex, birth, education, work, admission, ethnicity)
            if u >= 0:
                rows.setdefault(u, []).append(row)
            else:
                below.setdefault(-1 - u, []).append(row)
        return _Pool(rows, below)

    def new_person(self, lo: int, hi: int, *, party: str = "") -> _Person:
        """A new (non-member) person aged ``lo``..``hi`` on REF, college-educated."""
        rng = self.rng
        age = lo + int(rng.random() * (hi - lo + 1))
        birth = add_years(REF, -age - 1) + dt.timedelta(days=1 + int(rng.random() * 360))
        sex = "2" if rng.random() < 0.3 else "1"
        education = rng.choice(("14", "21", "21", "21", "31"))
        grad_age = {"1": 25, "2": 22, "3": 21}[education[0]]
        work = _add_months(add_years(birth, grad_age), 6 - birth.month + int(rng.random() * 3))
        status, other = ("13", "")
        if party:
            status, other = party
        person = _Person(None, N.person_name(rng, sex, birth.year, "01", self.surnames), sex, birth, education,
                         work, None, "01", status, other)
        self.new_people.append(person)
        return person

    def member_person(self, row: tuple) -> _Person:
        pk, name, sex, birth, education, work, admission, ethnicity = row
        return _Person(pk, name, sex, birth, education, work, admission, ethnicity or "01")

    # ----- holders and appointments ------------------------------------------------------------------------
    def fill(self, pool: _Pool) -> None:
        rng = self.rng
        ref = REF.toordinal()
        organ_units = [u for u, unit in enumerate(self.units) if unit.kind == "organ"]
        parties = (("05", "民盟"), ("10", "九三学社"), ("07", "民进"), ("12", ""))
        seats = sorted(self.seats.items(), key=lambda kv: (self.posts[kv[0][0]].concurrent_of is not None, kv[0]))
        # seats whose holder also holds a party post (局长 兼 党组书记, 常委 兼 部长): held by a party member
        party_seats = {p.concurrent_of for p in self.posts if p.concurrent_of is not None
                       and ("书记" in p.name or "委" in p.name)}
        for _key, seat in seats:
            post = self.posts[seat.post]
            if post.concurrent_of is not None:
                holder_seat = self.seats[post.concurrent_of]
                if holder_seat.holder is None:
                    seat.vacant = True
                    continue
                cadre = self.cadres[holder_seat.holder]
                start = cadre.appointments[0][1] + int(rng.random() * 3) * 30
                start = min(start, ref - 10)
                cadre.appointments.append([seat.post, start, None, True, False])
                seat.holder, seat.floor = holder_seat.holder, start
                continue
            if seat.vacant:
                continue
            lo, hi = AGES[post.level]
            unit = self.units[post.unit]
            row = None
            party_post = "书记" in post.name or "委" in post.name or _key in party_seats
            if party_post or rng.random() < 0.88:
                where = organ_units if unit.kind == "county" else [post.unit]
                row = pool.take(rng, where, lo, hi)
                if row is None and party_post:  # a party post is held by a party member: any unit's
                    row = pool.take(rng, list(range(len(self.units))), lo, hi)
            if row is not None:
                person = self.member_person(row)
            elif party_post:  # no demo member fits: a party member whose membership is kept elsewhere (上级机关)
                person = self.new_person(lo, hi, party=("01", ""))
            else:
                party = rng.choice(parties) if post.level in ("132", "142") and rng.random() < 0.3 else ""
                person = self.new_person(lo, hi, party=party)
            earliest = max(add_years(person.birth, lo - 4).toordinal(), person.work_start.toordinal() + 3 * 365,
                           ref - 8 * 365)
            start = earliest + int(rng.random() * max(1, ref - 45 - earliest))
            cadre = _CadrePlan(person, post.unit, unit.kind)
            cadre.appointments.append([seat.post, start, None, False, False])
            self.cadres.append(cadre)
            seat.holder, seat.floor = len(self.cadres) - 1, start
        for u, unit in enumerate(self.units):
            if unit.kind not in STAFF_COUNT:
                continue
            lo_n, hi_n = STAFF_COUNT[unit.kind]
            for _ in range(lo_n + int(rng.random() * (hi_n - lo_n + 1))):
                row = pool.take(rng, [u], *AGES["staff"])
                person = self.member_person(row) if row is not None else self.new_person(*AGES["staff"])
                cadre = _CadrePlan(person, u, unit.kind, staff=True)
                self.cadres.append(cadre)

    def previous_appointments(self) -> None:
        """About half the leaders: one earlier appointment (promotion from the level below, else a move at
        the same level) on a seat of the demo that was free then — its current holder started later."""
        rng = self.rng
        by_level: dict[str, list[tuple[int, int]]] = {}
        for key in self.seats:
            post = self.posts[key[0]]
            if post.concurrent_of is None:
                by_level.setdefault(post.level, []).append(key)
        for cadre in self.cadres:
            if cadre.staff or rng.random() >= PREVIOUS_SHARE:
                continue
            post_index, start = cadre.appointments[0][0], cadre.appointments[0][1]
            level = self.posts[post_index].level
            promoted = rng.random() < 0.65
            target = LOWER[level] if promoted else level
            if target == "staff":
                continue
            options = [key for key in by_level.get(target, ()) if key[0] != post_index
                       and self.seats[key].floor >= start and not self.seats[key].has_previous]
            same_unit = [key for key in options if self.posts[key[0]].unit == cadre.unit]
            options = same_unit if same_unit and rng.random() < 0.6 else options
            if not options:
                continue
            key = options[int(rng.random() * len(options))]
            floor = max(cadre.person.work_start.toordinal() + 2 * 365, FILE_START.toordinal())
            begin = start - 730 - int(rng.random() * 1500)
            if begin < floor:
                continue
            seat = self.seats[key]
            seat.has_previous, seat.floor = True, begin
            cadre.appointments.insert(0, [key[0], begin, start, False, False])
            cadre.appointments[1][4] = promoted

    # ----- the written rows ---------------------------------------------------------------------------------
    def titles(self) -> None:
        for cadre in self.cadres:
            held = [a for a in cadre.appointments if a[2] is None]
            if held:
                main = held[0]
                parts = []
                for a in held:
                    post = self.posts[a[0]]
                    unit = self.units[post.unit]
                    prefix = "" if unit.kind == "county" else unit.name
                    parts.append(prefix + post.name if not parts or post.unit != self.posts[held[0][0]].unit
                                 else post.name)
                cadre.title = "、".join(parts)
                # the recorded 现任职务: the main post as the appointment records give it (unit name + post name,
                # ``cadres.selectors.post_facts``), so an exported form reads back unchanged
                cadre.record_title = self.units[self.posts[main[0]].unit].name + self.posts[main[0]].name
                level = self.posts[main[0]].level
                same = [a[1] for a in cadre.appointments if self.posts[a[0]].level == level and not a[3]]
                cadre.current_since = _d(main[1])
                cadre.same_level_since = _d(min(same))
            else:
                cadre.title = self.units[cadre.unit].name + (_rank_label(cadre.ranks[-1][0]) if cadre.ranks else "干部")
                cadre.record_title = cadre.title

    def plan_ranks(self) -> None:
        rng = self.rng
        ref = REF.toordinal()
        for cadre in self.cadres:
            age = age_on(cadre.person.birth, REF)
            if cadre.staff:
                fits = [r for r, lo, hi in STAFF_RANKS if lo <= age <= hi] or ["clerk_1"]
                rank = fits[min(len(fits) - 1, int(rng.random() * len(fits)))]
            elif cadre.kind in ("organ", "township", "subdistrict") and rng.random() < 0.3:
                level = self.posts[_main(cadre)[0]].level
                rank = {"141": "principal_clerk_2", "142": "principal_clerk_4"}.get(level)
                if rank is None:
                    continue
            else:
                continue
            work = cadre.person.work_start.toordinal()
            start = max(work + 365, ref - 365 * 6) + int(rng.random() * 365 * 4)
            start = min(start, ref - 30)
            if rng.random() < 0.4 and start - work > 4 * 365:
                previous = {"clerk_1": "clerk_2", "principal_clerk_4": "clerk_1", "principal_clerk_3": "principal_clerk_4",
                            "principal_clerk_2": "principal_clerk_3", "principal_clerk_1": "principal_clerk_2"}.get(rank)
                if previous:
                    cadre.ranks.append([previous, start - 3 * 365 - int(rng.random() * 365), start])
            cadre.ranks.append([rank, start, None])


def _education_rows(rng: random.Random, cadre: _CadrePlan, unit_name: str) -> tuple[list[tuple], tuple | None]:
    """(education rows, the in-service study for the résumé as (start, end, text) or None). Rows:
    (category, position, education_text, level, degree_text, degree, edu_school_major, degree_school_major,
    school, major, start, end, degree_date)."""
    person = cadre.person
    grad = _month(person.work_start)
    majors = MAJORS
    if cadre.kind == "institution":
        majors = MEDICAL_MAJORS if "院" in unit_name else TEACHING_MAJORS
    level = person.education[0]
    in_service = level in "12" and rng.random() < IN_SERVICE_SHARE
    rows: list[tuple] = []
    full_level = {"1": "2", "2": "3", "3": "3"}[level] if in_service else level
    if full_level == "1":  # 全日制 研究生 after 本科
        major, field_ = rng.choice(list(majors.items()))
        school = rng.choice(SCHOOLS_BACHELOR)
        start = _add_months(grad, -36)
        rows.append(("full_time", 1, "研究生", "14", f"{field_}硕士", "3", f"{school}{major}专业",
                     f"{school}{major}专业", school, major, start, grad, grad))
        grad = start
        full_level = "2"
    if full_level == "2":
        major, field_ = rng.choice(list(majors.items()))
        school = rng.choice(SCHOOLS_BACHELOR)
        start = _add_months(grad, -48)
        rows.append(("full_time", 0, "大学本科", "21", f"{field_}学士", "4", f"{school}{major}专业",
                     f"{school}{major}专业", school, major, start, grad, grad))
    elif full_level == "3":
        major, _ = rng.choice(list(majors.items()))
        school = rng.choice(SCHOOLS_COLLEGE)
        start = _add_months(grad, -36)
        rows.append(("full_time", 0, "大学专科", "31", "", "", f"{school}{major}专业", "", school, major, start,
                     grad, None))
    rows.sort(key=lambda r: r[10])
    rows = [(r[0], k, *r[2:]) for k, r in enumerate(rows)]
    study = None
    if in_service:
        options = [p for p in PARTY_SCHOOLS if (p[1] == "研究生") == (level == "1")]
        school, grade, major = rng.choice(options)
        begin = _add_months(person.work_start, 36 + int(rng.random() * 96))
        if begin > _add_months(REF, -36):
            begin = _add_months(REF, -36 - int(rng.random() * 12))
        if begin <= _month(person.work_start):
            return rows, None
        end = _add_months(begin, 30)
        mpa = school not in ("中共四川省委党校", "中央党校函授学院")
        text = "在职研究生" if grade == "研究生" else "在职大学"
        degree_text = "公共管理硕士" if mpa else ""
        rows.append(("in_service", 0, text, "17" if grade == "研究生" and not mpa else ("14" if mpa else "21"),
                     degree_text, "3" if mpa else "", f"{school}{major}专业", f"{school}{major}专业" if mpa else "",
                     school, major, begin, end, end if mpa else None))
        study = (begin, end, f"在{school}{major}专业{text}学习")
    return rows, study


LADDER = {"organ": ("{unit}{section}科员", "{unit}{section}副股长", "{unit}{section}股长", "{unit}办公室副主任",
                    "{unit}办公室主任"),
          "township": ("{unit}{office}科员", "{unit}{office}副主任", "{unit}{office}主任", "{unit}党委委员"),
          "subdistrict": ("{unit}{office}科员", "{unit}{office}副主任", "{unit}{office}主任"),
          "institution": ("{unit}职工", "{unit}科室副主任", "{unit}科室主任", "{unit}办公室主任"),
          "enterprise": ("{unit}职员", "{unit}综合部副经理", "{unit}综合部经理"),
          "county": ("{town}{office}科员", "{town}党政办公室主任", "{town}党委委员、副镇长", "{organ}副局长",
                     "{town}党委副书记、镇长", "{town}党委书记", "{organ}局长")}


def _rank_label(code: str) -> str:
    from zugong.cadres.choices import RANK

    return RANK.label(code)


def _resume(rng: random.Random, b: _Builder, cadre: _CadrePlan, education: list[tuple], study: tuple | None,
            towns: list[str], organs: list[str], gap: bool) -> list[tuple]:
    """Résumé lines ``(position, start, end | None, text, in_service_study)``, month precision: the
    全日制 study, early work (a ladder of the unit kind's posts from the work start), the appointments (the
    current one open), and the （其间：…） line of in-service study after the line it starts in. Continuous
    (each line ends where the next starts) unless ``gap`` (then one line starts 5 months late)."""
    person = cadre.person
    first = _month(person.work_start)
    appointments = [a for a in cadre.appointments if not a[3]]
    if appointments:
        anchor = _month(_d(appointments[0][1]))
    elif cadre.ranks:
        anchor = _month(_d(cadre.ranks[0][1]))
    else:
        anchor = _month(REF)
    anchor = max(anchor, first)
    span = _months_between(first, anchor)
    ladder = LADDER[cadre.kind]
    town = rng.choice(towns) if towns else f"{N.COUNTY}城关镇"
    organ = rng.choice(organs) if organs else f"{N.COUNTY}人民政府办公室"
    unit = b.units[cadre.unit].name
    full_time = sum(1 for r in education if r[0] == "full_time")
    want = 8 + int(rng.random() * 6) - full_time - max(1, len(appointments)) - (study is not None)
    pieces = max(1, min(want, span // 12)) if span >= 12 else (1 if span > 0 else 0)
    cuts = sorted(rng.sample(range(6, span - 5), pieces - 1)) if pieces > 1 and span - 11 >= pieces - 1 else []
    bounds = [first, *(_add_months(first, c) for c in cuts), anchor] if pieces else [first]
    lines: list[list] = []
    for k in range(len(bounds) - 1):
        step = ladder[min(len(ladder) - 1, k * len(ladder) // max(1, len(bounds) - 1))]
        text = step.format(unit=unit, section=rng.choice(SECTIONS), office=rng.choice(TOWN_OFFICES), town=town,
                           organ=organ)
        if cadre.staff and k == len(bounds) - 2 and not cadre.ranks:
            text = cadre.title
        lines.append([bounds[k], bounds[k + 1], text, False])
    for a in appointments:
        post = b.posts[a[0]]
        owner = b.units[post.unit]
        text = cadre.title if a[2] is None else ("" if owner.kind == "county" else owner.name) + post.name
        lines.append([_month(_d(a[1])), _month(_d(a[2])) if a[2] is not None else None, text, False])
    if not appointments:
        text = f"{unit}{_rank_label(cadre.ranks[-1][0])}" if cadre.ranks else cadre.title
        lines.append([anchor, None, text, False])
    for k in range(1, len(lines)):  # continuous: a line starts where the previous one ends
        lines[k][0] = lines[k - 1][1]
    lines = [line for line in lines if line[1] is None or line[1] > line[0]]
    if gap and len(lines) >= 3:
        k = len(lines) - 2
        if _months_between(lines[k][0], lines[k][1]) > 8:
            lines[k][0] = _add_months(lines[k][0], 5)
    rows = [[r[10], r[11], f"{r[8]}{r[9]}专业学习", False] for r in education if r[0] == "full_time"]
    rows += lines
    if study is not None:
        begin, end, text = study
        k = max((i for i, row in enumerate(rows) if row[0] <= begin and not row[3]), default=len(rows) - 1)
        rows.insert(k + 1, [begin, end, text, True])
    return [(k, *row) for k, row in enumerate(rows)]


def _family(rng: random.Random, b: _Builder, cadre: _CadrePlan) -> list[tuple]:
    """3–6 family members ``(position, relation, name, birth, political status, work, deceased)``; a deceased
    one has no 工作单位及职务 (the form writes 已去世 there)."""
    person = cadre.person
    surname = person.name[0]
    rows = []
    birth = person.birth
    age = age_on(birth, REF)
    spouse_sex = "2" if person.sex == "1" else "1"
    if age >= 26 or rng.random() < 0.5:
        spouse_birth = add_years(birth, int(rng.random() * 5) - 2)
        rows.append(("妻子" if person.sex == "1" else "丈夫",
                     N.person_name(rng, spouse_sex, spouse_birth.year, "01", b.surnames),
                     _month(spouse_birth), rng.choice(("中共党员", "群众", "群众")), rng.choice(RELATIVES_WORK), False))
        for _ in range(1 + (rng.random() < 0.35) if age >= 30 else 0):
            child_birth = add_years(birth, 25 + int(rng.random() * 8))
            if child_birth >= REF:
                break
            sex = rng.choice("12")
            child = surname + N.person_name(rng, sex, child_birth.year, "01", b.surnames)[1:]
            rows.append(("儿子" if sex == "1" else "女儿", child, _month(child_birth),
                         "共青团员" if age_on(child_birth, REF) >= 14 else "群众",
                         rng.choice(CHILD_WORK) if age_on(child_birth, REF) >= 18 else "学生", False))
    father_birth = add_years(birth, -(24 + int(rng.random() * 8)))
    mother_birth = add_years(father_birth, int(rng.random() * 4))
    father_gone = age_on(father_birth, REF) > 70 and rng.random() < 0.45
    mother_gone = age_on(mother_birth, REF) > 72 and rng.random() < 0.3
    father = surname + N.person_name(rng, "1", father_birth.year, "01", b.surnames)[1:]
    rows.append(("父亲", father, _month(father_birth), rng.choice(("中共党员", "群众")),
                 "" if father_gone else rng.choice(("退休", "务农", "退休")), father_gone))
    rows.append(("母亲", N.person_name(rng, "2", mother_birth.year, "01", b.surnames), _month(mother_birth), "群众",
                 "" if mother_gone else rng.choice(("退休", "务农")), mother_gone))
    if len(rows) < 3 or rng.random() < 0.2:
        rows.append(("岳父" if person.sex == "1" else "公公",
                     N.person_name(rng, "1", father_birth.year, "01", b.surnames), _month(father_birth), "群众",
                     "务农", False))
    return [(k, *row) for k, row in enumerate(rows[:6])]


def _new_person_rows(people: list[_Person]) -> tuple[list[tuple], list[str]]:
    """``Person`` rows of the new people (ID numbers unique against the database: the sequence moves on
    when one is taken) and their hashes."""
    rows, hashes = [], []
    for k, person in enumerate(people):
        region = N.HOME_REGIONS[k * 7 % len(N.HOME_REGIONS)]
        id_birth = person.id_birth or person.birth
        for sequence in range(k * 13 % 500, 500 + k * 13 % 500):
            values = sensitive_values([((region, id_birth, sequence % 500, person.sex), "")])[0]
            if values[1] not in hashes:
                break
        rows.append(values)
        hashes.append(values[1])
    taken = set(Person.objects.filter(id_number_hash__in=hashes).values_list("id_number_hash", flat=True))
    for k, person in enumerate(people):  # a collision with a member: try other sequences
        if rows[k][1] not in taken:
            continue
        region = N.HOME_REGIONS[(k * 7 + 1) % len(N.HOME_REGIONS)]
        for sequence in range(500):
            values = sensitive_values([((region, person.id_birth or person.birth, sequence, person.sex), "")])[0]
            if values[1] not in hashes and not Person.objects.filter(id_number_hash=values[1]).exists():
                rows[k], hashes[k] = values, values[1]
                break
    return rows, hashes


def write_cadres(*, seed: int, unit_root: Unit | None = None, org_root: PartyOrganization | None = None) -> dict:
    """Write the demo's cadre data (module docstring) under the demo unit tree ``unit_root`` (default
    ``demo.units.demo_unit_root()``), reusing the members of the organizations under ``org_root`` (default
    the demo root). Draws from ``random.Random(f"{seed}:cadres")`` only. Returns the rows written per kind
    (``posts``, ``quotas``, ``establishments``, ``cadres``, ``new_people``, ``appointments``, ``ranks``,
    ``educations``, ``resume``, ``family``, ``assessments``, ``reserve``, ``measures``, ``supervision``),
    ``over_quota`` (cells) and ``inconsistencies`` (check code → cadre keys); ``{}`` when there is no demo
    unit tree or it already has posts (idempotent). Must run inside a transaction (``IdReserver``)."""
    from zugong.demo.generator import demo_root
    from zugong.demo.units import demo_unit_root

    unit_root = unit_root or demo_unit_root()
    if unit_root is None or Post.objects.filter(unit__path__startswith=unit_root.path).exists():
        return {}
    org_root = org_root or demo_root()
    rng = random.Random(f"{seed}:cadres")  # nosec B311 (deterministic demo data, not security)
    b = _Builder(rng, unit_root, org_root)
    b.plan_posts()
    if not b.units:
        return {}
    over = b.plan_vacancies_and_quotas()
    pool = b.load_pool()
    b.fill(pool)
    b.previous_appointments()
    b.plan_ranks()
    b.titles()
    ref = REF.toordinal()

    # deliberate dossier inconsistencies (the dossier audit must find them)
    problems: dict[str, list[int]] = {code: [] for code in INCONSISTENCIES}
    new_indexes = [c for c, cadre in enumerate(b.cadres) if cadre.person.pk is None]
    members = [c for c, cadre in enumerate(b.cadres) if cadre.person.pk is not None and cadre.person.admission]
    for c in new_indexes[:2]:
        person = b.cadres[c].person
        person.id_birth = person.birth
        person.birth = add_years(person.birth, 1) if c % 2 else person.birth.replace(day=1) + dt.timedelta(days=40)
        problems["birth_vs_id"].append(c)
    early_joined = {}
    for c in rng.sample(members, min(2, len(members))):
        early_joined[c] = add_years(b.cadres[c].person.birth, 17) + dt.timedelta(days=int(rng.random() * 200))
        problems["admission_before_18"].append(c)
    leaders = [c for c, cadre in enumerate(b.cadres) if cadre.current_since and cadre.current_since.toordinal() < ref - 3 * 365]
    for c in rng.sample(leaders, min(2, len(leaders))):
        b.cadres[c].same_level_since = add_years(b.cadres[c].current_since, 1) + dt.timedelta(days=int(rng.random() * 300))
        problems["same_level_after_current"].append(c)
    gap_pool = [c for c in range(len(b.cadres)) if c not in problems["same_level_after_current"]]
    gaps = set(rng.sample(gap_pool, min(3, len(gap_pool))))

    towns = [u.name for u in b.units if u.kind in ("township", "subdistrict")]
    organs = [u.name for u in b.units if u.kind == "organ" and u.name.endswith("局")]

    # ----- plan every row ------------------------------------------------------------------------------------
    educations, resumes, family, assessments, reserves, measures, supervision = [], [], [], [], [], [], []
    profiles = []
    for c, cadre in enumerate(b.cadres):
        person = cadre.person
        education, study = _education_rows(rng, cadre, b.units[cadre.unit].name)
        educations += [(c, *row) for row in education]
        lines = _resume(rng, b, cadre, education, study, towns, organs, gap=c in gaps)
        if c in gaps and not _has_gap(lines):
            gaps.discard(c)
        resumes += [(c, *row) for row in lines]
        family += [(c, *row) for row in _family(rng, b, cadre)]
        # annual assessments: 17 % 优秀 by draw, 不定等次 in the first (probation) year of a new civil servant
        for year in YEARS:
            if person.work_start.year >= year:
                continue
            draw = rng.random()
            grade = ("excellent" if draw < EXCELLENT_SHARE else "basically_competent" if draw > 0.992
                     else "competent")
            if person.work_start.year == year - 1 and cadre.staff and rng.random() < 0.5:
                grade = "not_graded"
            assessments.append((c, year, grade))
        native = rng.choice((f"四川{N.COUNTY_STEM}", f"四川{N.COUNTY_STEM}", "四川南充", "四川达州", "四川巴中",
                             "四川广安", "四川遂宁", "重庆"))
        joined = early_joined.get(c, person.admission)
        title = ""
        if cadre.kind == "institution":
            hospital = "院" in b.units[cadre.unit].name
            title = rng.choice(("主任医师", "副主任医师") if hospital else ("中学高级教师", "一级教师", "高级讲师"))
        elif cadre.kind == "enterprise" and rng.random() < 0.5:
            title = rng.choice(("高级经济师", "高级会计师", "高级工程师"))
        profiles.append((c, native, native if rng.random() < 0.7 else f"四川{rng.choice(('成都', '绵阳', '南充'))}",
                         joined, title, rng.choice(SPECIALTIES)))
    grades = {}
    for c, year, grade in assessments:
        grades.setdefault(c, []).append((year, grade))
    # reserve pool: young leaders and staff in the three lists
    young = [c for c, cadre in enumerate(b.cadres) if age_on(cadre.person.birth, REF) <= 42
             and (cadre.staff or b.posts[_main(cadre)[0]].level in ("142", "141"))]
    chosen = rng.sample(young, min(len(young), max(3, round(RESERVE_SHARE * len(b.cadres)))))
    lists = ("ready_now", "rotation", "long_term")
    for k, c in enumerate(chosen):
        cadre = b.cadres[c]
        level = "141" if (not cadre.staff and b.posts[_main(cadre)[0]].level == "142") else "142"
        entered = dt.date(REF.year - int(rng.random() * 3), 3 + int(rng.random() * 6), 1 + int(rng.random() * 27))
        exited, reason = None, ""
        if k % 9 == 8 and entered < dt.date(REF.year, 6, 1):
            exited, reason = min(entered + dt.timedelta(days=200 + int(rng.random() * 200)), REF), "appointed"
        target = "乡镇党政正职" if level == "141" else "乡镇党政副职或县直部门副职"
        young_outstanding = age_on(cadre.person.birth, REF) <= (35 if level == "142" else 40)
        review = None if exited else dt.date(REF.year + 1, 6, 30)
        reserves.append((c, lists[k % 3], target, level, young_outstanding, entered, review, exited, reason))
        for j in range(1 + int(rng.random() * 3)):
            planned = entered + dt.timedelta(days=60 + 120 * j)
            done = planned + dt.timedelta(days=90) if planned + dt.timedelta(days=90) <= REF else None
            measures.append((len(reserves) - 1, rng.choice(MEASURES), planned, done,
                             rng.choice(FOLLOW_UPS) if done else ""))
    # supervision: one 诫勉, one 党内警告 (a member)
    picks = rng.sample(members, min(2, len(members)))
    kinds = (("admonishment", dt.date(REF.year, 5, 16), "青纪诫〔2023〕3号", "落实安全生产监管责任不力"),
             ("party_warning", dt.date(REF.year - 1, 11, 8), "青纪发〔2022〕21号", "违反中央八项规定精神，违规公款吃喝"))
    for c, (kind, day, doc, reason) in zip(picks, kinds, strict=False):
        supervision.append((c, kind, day, doc, reason))

    # ----- write ---------------------------------------------------------------------------------------------
    person_rows, _ = _new_person_rows(b.new_people)
    person_ids = IdReserver(Person).take(len(b.new_people))
    for person, pk in zip(b.new_people, person_ids, strict=True):
        person.pk = pk
    RowWriter(Person, ("id", "name", "sex", "ethnicity", "birth_date", "education_level", "political_status",
                       "work_start_date", "organization_id", *SENSITIVE_COLUMNS)).write(
        (pk, p.name, p.sex, p.ethnicity, p.birth, p.education, p.political_status, p.work_start, None, *values)
        for pk, p, values in zip(person_ids, b.new_people, person_rows, strict=True))

    post_ids = IdReserver(Post).take(len(b.posts))
    unit_pk = [u.pk for u in b.units]
    position: dict[int, int] = {}
    post_rows = []
    # a post exists from 2010-01-01, or from its first appointment when a long-serving cadre took it earlier
    # (at 100,000 members and more some do: verify_cadres refused 「任职时岗位尚未设立」)
    first_start: dict[int, int] = {}
    for cadre in b.cadres:
        for post_index, start, *_ in cadre.appointments:
            first_start[post_index] = min(start, first_start.get(post_index, start))
    established = dt.date(2010, 1, 1)
    for index, (pk, post) in enumerate(zip(post_ids, b.posts, strict=True)):
        position[post.unit] = position.get(post.unit, 0) + 1
        start = min(established, _d(first_start[index])) if index in first_start else established
        post_rows.append((pk, unit_pk[post.unit], post.name, post.level, post.leadership, post.counts,
                          post.max_holders, position[post.unit], start))
    RowWriter(Post, ("id", "unit_id", "name", "level", "leadership", "counts_against_quota", "max_holders",
                     "position", "start_date")).write(post_rows)
    RowWriter(PostQuota, ("id", "unit_id", "level", "count", "start_date", "document_number")).write(
        (pk, unit_pk[u], level, count, start, doc)
        for pk, (u, level, count, start, doc) in zip(IdReserver(PostQuota).take(len(b.quotas)), b.quotas, strict=True))
    RowWriter(Establishment, ("id", "unit_id", "establishment_type", "count", "start_date", "document_number")).write(
        (pk, unit_pk[u], kind, count, start, doc) for pk, (u, kind, count, start, doc) in
        zip(IdReserver(Establishment).take(len(b.establishments)), b.establishments, strict=True))

    cadre_ids = IdReserver(Cadre).take(len(b.cadres))
    cadre_rows = []
    for pk, cadre, (c, native, birthplace, joined, title, specialty) in zip(cadre_ids, b.cadres, profiles, strict=True):
        person = cadre.person
        summary = "；".join(f"{year}年度考核{_grade_label(grade)}" for year, grade in grades.get(c, []))
        cadre_rows.append((pk, person.pk, unit_pk[cadre.unit], "serving", CADRE_ESTABLISHMENT[cadre.kind], native,
                           birthplace, "健康", joined, person.other_party, title, specialty, cadre.record_title,
                           cadre.current_since, cadre.same_level_since,
                           rng.choice(("无", "无", f"{2015 + c % 8}年被评为全县优秀共产党员" if joined else "无",
                                       f"{2016 + c % 7}年度嘉奖")),
                           (summary + "。") if summary else "", person.work_start,
                           "公务员登记表" if cadre.kind in ("organ", "township", "subdistrict", "county")
                           else "事业单位聘用合同" if cadre.kind == "institution" else "企业聘用合同"))
    RowWriter(Cadre, ("id", "person_id", "unit_id", "status", "establishment_type", "native_place", "birthplace",
                      "health", "party_joined_date", "other_party", "professional_title", "specialty",
                      "current_post_title", "current_post_since", "same_level_since", "rewards_punishments",
                      "assessment_summary", "identity_since", "identity_document")).write(cadre_rows)

    appointment_rows = []
    for c, cadre in enumerate(b.cadres):
        for post_index, start, end, concurrent, promoted in cadre.appointments:
            level = b.posts[post_index].level
            elected = b.units[b.posts[post_index].unit].kind in ("county", "township")
            year = _d(start).year
            document = (f"市委干〔{year}〕{7 + start % 90}号" if level in ("131", "132")
                        else f"青委干〔{year}〕{3 + start % 120}号")
            removal = ""
            if end is not None:
                removal = (f"市委干〔{_d(end).year}〕{7 + end % 90}号" if level in ("131", "132")
                           else f"青委干〔{_d(end).year}〕{3 + end % 120}号")
            appointment_rows.append((cadre_ids[c], post_ids[post_index], _d(start), _d(end) if end else None,
                                     document, removal, "提拔任职" if promoted else ("兼任" if concurrent else "工作需要"),
                                     "工作调动" if end else "", "election" if elected else "commission",
                                     12 if promoted and not elected else None, concurrent))
    RowWriter(Appointment, ("id", "cadre_id", "post_id", "start_date", "end_date", "appointment_document",
                            "removal_document", "appointment_reason", "removal_reason", "method", "probation_months",
                            "concurrent")).write(
        (pk, *row) for pk, row in zip(IdReserver(Appointment).take(len(appointment_rows)), appointment_rows,
                                      strict=True))
    rank_rows = [(cadre_ids[c], rank, _d(start), _d(end) if end else None, f"青组干〔{_d(start).year}〕{start % 60 + 1}号")
                 for c, cadre in enumerate(b.cadres) for rank, start, end in cadre.ranks]
    RowWriter(RankRecord, ("id", "cadre_id", "rank", "start_date", "end_date", "document_number")).write(
        (pk, *row) for pk, row in zip(IdReserver(RankRecord).take(len(rank_rows)), rank_rows, strict=True))
    RowWriter(Education, ("id", "cadre_id", "category", "position", "education_text", "education_level", "degree_text",
                          "degree", "education_school_major", "degree_school_major", "school", "major", "start_date",
                          "end_date", "degree_date")).write(
        (pk, cadre_ids[row[0]], *row[1:]) for pk, row in zip(IdReserver(Education).take(len(educations)), educations,
                                                           strict=True))
    RowWriter(ResumeEntry, ("id", "cadre_id", "position", "start_date", "end_date", "text", "in_service_study")).write(
        (pk, cadre_ids[row[0]], *row[1:]) for pk, row in zip(IdReserver(ResumeEntry).take(len(resumes)), resumes,
                                                           strict=True))
    RowWriter(FamilyMember, ("id", "cadre_id", "position", "relation", "name", "birth_date", "political_status",
                             "work_unit_and_post", "deceased")).write(
        (pk, cadre_ids[row[0]], *row[1:]) for pk, row in zip(IdReserver(FamilyMember).take(len(family)), family,
                                                           strict=True))
    RowWriter(AnnualAssessment, ("id", "cadre_id", "year", "grade")).write(
        (pk, cadre_ids[c], year, grade) for pk, (c, year, grade) in
        zip(IdReserver(AnnualAssessment).take(len(assessments)), assessments, strict=True))
    reserve_ids = IdReserver(ReserveCadre).take(len(reserves))
    RowWriter(ReserveCadre, ("id", "cadre_id", "list_kind", "target_post", "target_level", "young_outstanding",
                             "entered_date", "review_date", "exited_date", "exit_reason")).write(
        (pk, cadre_ids[row[0]], *row[1:]) for pk, row in zip(reserve_ids, reserves, strict=True))
    RowWriter(ReserveMeasure, ("id", "reserve_id", "measure", "planned_date", "done_date", "follow_up")).write(
        (pk, reserve_ids[row[0]], *row[1:]) for pk, row in zip(IdReserver(ReserveMeasure).take(len(measures)), measures,
                                                             strict=True))
    RowWriter(SupervisionRecord, ("id", "cadre_id", "kind", "decided_date", "document_number", "reason")).write(
        (pk, cadre_ids[row[0]], *row[1:]) for pk, row in
        zip(IdReserver(SupervisionRecord).take(len(supervision)), supervision, strict=True))
    problems["resume_gap"] = sorted(gaps)
    return {"posts": len(b.posts), "quotas": len(b.quotas), "establishments": len(b.establishments),
            "cadres": len(b.cadres), "new_people": len(b.new_people), "appointments": len(appointment_rows),
            "ranks": len(rank_rows), "educations": len(educations), "resume": len(resumes), "family": len(family),
            "assessments": len(assessments), "reserve": len(reserves), "measures": len(measures),
            "supervision": len(supervision), "over_quota": over,
            "inconsistencies": {code: [cadre_ids[c] for c in cs] for code, cs in problems.items()}}


def _has_gap(lines: list[tuple]) -> bool:
    main = [line for line in lines if not line[4]]
    return any(a[2] is not None and b[1] > a[2] for a, b in zip(main, main[1:], strict=False))


def _grade_label(code: str) -> str:
    from zugong.cadres.choices import ASSESSMENT_GRADE

    return ASSESSMENT_GRADE.label(code)


CADRE_MODELS = (SupervisionRecord, ReserveMeasure, ReserveCadre, AnnualAssessment, FamilyMember, ResumeEntry,
                Education, RankRecord, Appointment, Cadre, Establishment, PostQuota, Post)
"""The models ``write_cadres`` writes (children first: the order ``demo_reset`` deletes them in)."""
CADRE_COUNT_KEYS = ("supervision", "measures", "reserve", "assessments", "family", "resume", "educations", "ranks",
                    "appointments", "cadres", "establishments", "quotas", "posts")
"""The keys of ``write_cadres``'s counts, in the order of ``CADRE_MODELS``."""


def cadre_reset_targets(units) -> list[tuple]:
    """``(model, queryset)`` pairs ``generator.demo_reset`` deletes (in this order, before the people and the
    units): every cadre record of the demo units ``units`` (a unit queryset) — with the dossier findings, their
    decisions and the photos entered since — and the people written for them (no party organization: the
    members among the cadres go with the party data). The people are listed now, before their cadres go."""
    from zugong.cadres.models import CadrePhoto, DossierFinding, FindingDecision

    cadres = Cadre.objects.filter(unit__in=units)
    people = list(Person.objects.filter(organization__isnull=True, cadre__in=cadres).values_list("pk", flat=True))
    return [
        (FindingDecision, FindingDecision.objects.filter(finding__cadre__in=cadres)),
        (DossierFinding, DossierFinding.objects.filter(cadre__in=cadres)),
        (CadrePhoto, CadrePhoto.objects.filter(cadre__in=cadres)),
        (SupervisionRecord, SupervisionRecord.objects.filter(cadre__in=cadres)),
        (ReserveMeasure, ReserveMeasure.objects.filter(reserve__cadre__in=cadres)),
        (ReserveCadre, ReserveCadre.objects.filter(cadre__in=cadres)),
        (AnnualAssessment, AnnualAssessment.objects.filter(cadre__in=cadres)),
        (FamilyMember, FamilyMember.objects.filter(cadre__in=cadres)),
        (ResumeEntry, ResumeEntry.objects.filter(cadre__in=cadres)),
        (Education, Education.objects.filter(cadre__in=cadres)),
        (RankRecord, RankRecord.objects.filter(cadre__in=cadres)),
        (Appointment, Appointment.objects.filter(Q(cadre__in=cadres) | Q(post__unit__in=units))),
        (Cadre, cadres),
        (Establishment, Establishment.objects.filter(unit__in=units)),
        (PostQuota, PostQuota.objects.filter(unit__in=units)),
        (Post, Post.objects.filter(unit__in=units)),
        (Person, Person.objects.filter(pk__in=people)),
    ]


def add_demo_cadres(*, seed: int = 2023) -> dict:
    """Add the cadre data (``write_cadres``) to an installed demo that has none (generated before this
    stage existed), verified (``checks.verify_cadres``) and logged like ``generate`` does, in one
    transaction. Returns the counts, ``{}`` when there is no demo or it already has its cadre data.
    Raises ``ZugongError`` if the rows do not verify (a generator bug; nothing is written)."""
    from django.db import transaction

    from zugong.audit.changelog import log_bulk_change
    from zugong.core.errors import ZugongError
    from zugong.demo.accounts import refuse_in_production
    from zugong.demo.checks import verify_cadres
    from zugong.demo.units import demo_unit_root

    refuse_in_production()
    unit_root = demo_unit_root()
    if unit_root is None or Post.objects.filter(unit__path__startswith=unit_root.path).exists():
        return {}
    with transaction.atomic():
        written = write_cadres(seed=seed, unit_root=unit_root)
        problems = verify_cadres(unit_root) if written else []
        if problems:
            raise ZugongError("演示数据的干部记录不一致（生成程序错误）：" + "；".join(problems[:10]))
        for model, key in ((Person, "new_people"), *zip(CADRE_MODELS, CADRE_COUNT_KEYS, strict=True)):
            if written.get(key):
                log_bulk_change(model, written[key], f"生成演示数据：{model._meta.verbose_name} {written[key]} 条")
    return written
