"""Demo party life (issue #11): the leadership of every branch (``branches.BranchOfficer``) and a year of
组织生活 (``life.Meeting`` with ``life.MeetingAttendance``), written by ``generate`` after the members and
their history (``write_life``), so the 党支部建设 and 组织生活 pages have data shaped like a county's.

**Officers** (《中国共产党支部工作条例（试行）》第十条、第二十三条; ``shared/rules.md`` §2). Every active branch gets a
书记: a full member (正式党员) of that branch on every day of the post, with ≥ 1 year of party standing (党龄,
counted from 转正, 《党章》第七条) on the post's first day. The post starts with the branch's term in force on
1 January 2023 (``OrganizationTerm``; the current term's start, or the previous term's when the current one
was elected during 2023). Branches with ≥ ``COMMITTEE_FROM`` full members on the reference date get a
支部委员会 of 3–5 posts (书记, 组织委员, 宣传委员, then 纪检委员 and 副书记) held by full members; smaller
branches have a secretary and, some, a 副书记. On purpose, so the standards pages have findings:

- ``VACANT_SHARE`` of the branches: the secretary left during 2023 and nobody followed (书记空缺);
- ``NO_COMMITTEE_SHARE`` of the branches with ≥ 7 full members: no committee (应设未设支委会);
- ``CHANGED_SHARE`` of the branches: the secretary changed mid-2023 (工作调动), and at a 换届 during 2023
  a new secretary was elected in ``TERM_CHANGE_SHARE`` of the branches concerned;
- a branch whose members cannot yet provide a qualified secretary gets one from the first day someone
  qualifies (or none).

**Meetings** of 2023 (``MEETING_YEAR``) on working days (``chinese_calendar.is_workday``: 调休 Saturdays
count, holidays do not), only while the branch exists: every month a 主题党日 (on the branch's fixed day:
the first working day on or after it) and, while the branch has a committee (≥ 3 posts held that day,
``branches.choices.COMMITTEE_MIN_OFFICERS``), a 支委会; every quarter a 支部党员大会 and a 党课 (one of
the year's 党课 given by the secretary: ``secretary_lecture``, ``lecturer`` = the secretary's name); once a
year 谈心谈话, then the 组织生活会 and the 民主评议党员 (January–February for the year before, or December).
The demo tree has no 党小组, so there are no 党小组会. Topics are drawn from pools that fit the month
(``THEMES``) and the meeting type; the presenter is the secretary (else the next officer, else a member),
the recorder another officer or a member. Gaps on purpose: ``MISSING_MONTHS_SHARE`` of the branches skip the
主题党日 and 支委会 of 1–4 months (so the 晾晒 has a ranking), ``MISSING_QUARTER_SHARE`` skip one quarter's
支部党员大会.

**Attendance**: one row per member on the branch's roster on the meeting's date (``Membership`` in force
that day; the officers holding posts that day for a 支委会): mostly 出席, some 请假 with a reason (因公出差,
生病住院 …; older members more often), a few 缺席; 流动党员 (an open ``MemberStatus`` of kind ``mobile`` that
day) are marked ``mobile`` and mostly 请假 (外出务工 …), 出国（境） members 请假, 失联党员 缺席. The presenter and
the recorder are present. ``expected_count`` (应到) is the number of rows, ``attended_count`` (实到) the
present ones, so 实到 ≤ 应到 (``checks.verify_life`` proves it before the transaction commits).

**Determinism.** Everything is drawn from ``random.Random(f"{seed}:life")`` — independent of the
generator's own stream, so the rest of the dataset does not change — in an order that follows the tree's
node indexes and each person's place in the plan (never a database key): same seed and size, same rows on
SQLite and PostgreSQL. The exceptional branches are exact counts (at least one each from ``EXAMPLES_FROM``
branches), so small test datasets have them too.

Rows go through ``writer.RowWriter`` (PostgreSQL ``COPY``, else ``executemany``) like the rest of the demo.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field

import chinese_calendar

from zugong.branches.choices import COMMITTEE_MIN_OFFICERS
from zugong.branches.models import BranchOfficer
from zugong.core.codes import ORG_TYPES_BRANCH
from zugong.core.dates import add_years
from zugong.demo.planning import REF
from zugong.demo.records import Context
from zugong.demo.writer import IdReserver, RowWriter
from zugong.life.models import Meeting, MeetingAttendance
from zugong.orgs.models import OrganizationTerm
from zugong.party.models import Membership, MemberStatus, PartyMember
from zugong.people.models import Person

BATCH_SIZE = 5000
MEETING_YEAR = REF.year
COMMITTEE_FROM = 7
"""Full members from which a branch sets up a committee (《中国共产党支部工作条例（试行）》第十条)."""
EXAMPLES_FROM = 20
"""From this many active branches, each exception below occurs at least once."""
VACANT_SHARE = 0.02
NO_COMMITTEE_SHARE = 0.03
CHANGED_SHARE = 0.05
TERM_CHANGE_SHARE = 0.35
MISSING_MONTHS_SHARE = 0.10
MISSING_QUARTER_SHARE = 0.02
PRESENT_RATE = 0.92
"""Chance that an ordinary member (not away, younger than 80) attends; ~90 % overall with the others."""

INFINITY = dt.date.max.toordinal()

LEAVE_REASONS = ("因公出差", "因公出差", "生病住院", "身体不适", "家中有事", "外出学习培训", "值班", "照顾病人",
                 "外出务工", "单位工作冲突")
ELDERLY_REASONS = ("年老体弱", "行动不便", "生病住院", "身体不适")
MOBILE_REASONS = ("外出务工", "外出务工", "外出经商", "在外地工作")
ABSENT_REASONS = ("未请假", "未按时参加", "联系不上")

LOCATIONS = {"village": "村党群服务中心", "community": "社区党群服务中心", "organ": "机关党员活动室",
             "retiree": "老干部活动中心", "school": "学校会议室", "student": "学院党员活动室",
             "hospital": "医院会议室", "enterprise": "公司党员活动室", "social": "党群服务站",
             "joint": "党群服务中心"}

# 主题党日 themes by month (1–12) of 2023, plus themes for any month.
THEMES: dict[int, tuple[str, ...]] = {
    1: ("学习习近平总书记2023年新年贺词", "新春走访慰问困难党员和老党员"),
    2: ("学习贯彻党的二十届二中全会精神", "学习2023年中央一号文件精神"),
    3: ("学雷锋志愿服务活动", "学习贯彻全国两会精神", "大兴调查研究之风"),
    4: ("清明祭英烈", "全民国家安全教育日宣传", "学习贯彻习近平新时代中国特色社会主义思想主题教育动员部署"),
    5: ("主题教育专题学习：《习近平著作选读》", "五四青年节座谈", "劳动最光荣"),
    6: ("安全生产月宣传", "防汛减灾知识学习", "迎七一重温入党誓词"),
    7: ("庆祝中国共产党成立102周年", "学习《习近平新时代中国特色社会主义思想专题摘编》"),
    8: ("首个全国生态日：学习习近平生态文明思想", "八一走访慰问退役军人"),
    9: ("第二批主题教育动员部署", "中秋国庆节前廉洁教育"),
    10: ("国庆爱国主义教育", "重阳敬老志愿服务", "学习习近平文化思想"),
    11: ("消防安全宣传月", "主题教育专题学习：以学正风", "学习《中华人民共和国民法典》"),
    12: ("国家宪法日学法", "纪念毛泽东同志诞辰130周年", "年终党建工作总结"),
}
ANY_MONTH_THEMES = ("学习贯彻党的二十大精神", "学习贯彻党的二十大精神", "主题教育专题学习", "党风廉政建设警示教育",
                    "铸牢中华民族共同体意识", "学习《中国共产党纪律处分条例》", "重温入党誓词",
                    "学习党章 遵守党章", "党员志愿服务进社区", "学习《中国共产党支部工作条例（试行）》")
GENERAL_TOPICS = {
    1: ("通报2022年度党建工作，部署2023年工作要点", "讨论接收预备党员", "学习贯彻党的二十大精神"),
    2: ("传达学习主题教育部署要求", "通报党费收缴情况", "讨论预备党员转正"),
    3: ("通报上半年党建工作", "讨论预备党员转正", "主题教育专题学习研讨"),
    4: ("审议年度党建工作总结", "民主推荐入党积极分子", "讨论接收预备党员"),
}
COMMITTEE_TOPICS = ("研究本月主题党日活动安排", "研究发展党员工作", "研究党费收缴和使用", "研究主题教育实施方案",
                    "研究困难党员帮扶", "研究党员教育培训计划", "研究组织生活会准备工作", "研究季度党建工作")
LECTURE_TOPICS = ("深刻领会党的二十大精神", "以学铸魂、以学增智、以学正风、以学促干", "坚定理想信念 筑牢信仰之基",
                  "弘扬伟大建党精神", "全面从严治党永远在路上", "中国式现代化的本质要求", "大兴调查研究之风",
                  "牢记初心使命 争做合格党员")


@dataclass
class _Member:
    """A person's period in a branch (ordinals; ``end`` exclusive, ``INFINITY`` when open)."""

    key: int  # place in the plan: member index, former members after the members
    pk: int
    name: str
    start: int
    end: int
    full: int | None  # 转正 ordinal
    senior_from: int  # ordinal of the 65th birthday
    elderly_from: int  # ordinal of the 80th birthday


@dataclass
class _Post:
    role: str
    member: _Member
    start: int
    end: int | None = None
    note: str = ""

    def holds(self, day: int) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass
class _Branch:
    node: object
    pk: int
    members: list[_Member] = field(default_factory=list)
    posts: list[_Post] = field(default_factory=list)

    def roster(self, day: int) -> list[_Member]:
        return [m for m in self.members if m.start <= day < m.end]


class _Workdays:
    """Working days (``chinese_calendar.is_workday``) around the meeting year, as sorted ordinals."""

    def __init__(self, first: dt.date, last: dt.date):
        days = (first + dt.timedelta(days=k) for k in range((last - first).days + 1))
        self.days = [d.toordinal() for d in days if chinese_calendar.is_workday(d)]

    def pick(self, rng: random.Random, lo: int, hi: int) -> int | None:
        """A working day in ``[lo, hi]`` drawn uniformly, or ``None``."""
        a, b = bisect.bisect_left(self.days, lo), bisect.bisect_right(self.days, hi)
        return self.days[a + int(rng.random() * (b - a))] if a < b else None

    def on_or_after(self, day: int, hi: int) -> int | None:
        """The first working day in ``[day, hi]``, else the last one before ``day``."""
        k = bisect.bisect_left(self.days, day)
        if k < len(self.days) and self.days[k] <= hi:
            return self.days[k]
        return self.days[k - 1] if k else None


def _exact(rng: random.Random, pool: list, share: float) -> set:
    """``round(share × len(pool))`` items of ``pool`` (at least one from ``EXAMPLES_FROM`` branches)."""
    count = round(share * len(pool))
    if count == 0 and len(pool) >= EXAMPLES_FROM:
        count = 1
    return set(rng.sample(pool, min(count, len(pool))))


def _load(ctx: Context) -> list[_Branch]:
    """The active branches (tree order) with every period of a member in them: five queries (memberships,
    party records, names and birth dates), keyed back to the plan (``ctx.member_pk``, ``ctx.leaver_pk``)."""
    nodes = [node for node in ctx.tree.nodes if node.org_type in ORG_TYPES_BRANCH and node.dissolved is None]
    branches = {ctx.node_id[node.index]: _Branch(node, ctx.node_id[node.index]) for node in nodes}
    key_of = {pk: i for i, pk in enumerate(ctx.member_pk)}
    key_of.update({pk: len(ctx.member_pk) + j for j, pk in enumerate(ctx.leaver_pk)})
    root_path = ctx.tree.nodes[0].path
    periods = list(Membership.objects.filter(organization__path__startswith=root_path,
                                             organization__org_type__in=ORG_TYPES_BRANCH)
                   .values_list("person_id", "organization_id", "start_date", "end_date"))
    full = dict(PartyMember.objects.filter(person__organization__path__startswith=root_path)
                .values_list("person_id", "full_membership_date"))
    persons = {pk: (name, birth) for pk, name, birth in Person.objects.filter(
        organization__path__startswith=root_path, party_member__isnull=False).values_list("id", "name", "birth_date")}
    for pk, org, start, end in periods:
        if org not in branches:
            continue
        name, birth = persons[pk]
        done = full.get(pk)
        branches[org].members.append(_Member(
            key_of[pk], pk, name, start.toordinal(), end.toordinal() if end else INFINITY,
            done.toordinal() if done else None, add_years(birth, 65).toordinal(), add_years(birth, 80).toordinal()))
    for branch in branches.values():
        branch.members.sort(key=lambda m: (m.key, m.start))
    return [branches[ctx.node_id[node.index]] for node in nodes]


def _terms(ctx: Context) -> dict[int, list[tuple[int, int]]]:
    """Organization key → its terms' (start, end) ordinals, oldest first (one query)."""
    terms: dict[int, list[tuple[int, int]]] = {}
    for org, start, end in OrganizationTerm.objects.filter(
            organization__path__startswith=ctx.tree.nodes[0].path).order_by("start_date").values_list(
            "organization_id", "start_date", "end_date"):
        terms.setdefault(org, []).append((start.toordinal(), end.toordinal()))
    return terms


WINDOW = dt.date(MEETING_YEAR, 1, 1).toordinal()
LAST = dt.date(MEETING_YEAR, 12, 31).toordinal()
COMMITTEE_ROLES = ("organization_member", "propaganda_member", "discipline_member", "deputy_secretary")


def _date(ordinal: int) -> dt.date:
    return dt.date.fromordinal(ordinal)


def _since(branch: _Branch, terms: dict[int, list[tuple[int, int]]], rng: random.Random) -> tuple[int, int | None]:
    """(first day of the branch's posts, the day of a 换届 during the meeting year or ``None``): the posts
    start with the term in force on 1 January (else at the branch's founding); a term starting during the
    year is a 换届."""
    founded = branch.node.founded
    own = terms.get(branch.pk, [])
    before = [start for start, _ in own if start <= WINDOW]
    during = [start for start, _ in own if WINDOW < start <= LAST]
    if before:
        since = max(before[-1], founded)
    elif own:
        since = founded
    else:  # no term on record: a secretary appointed one to three years before the year
        since = max(founded, WINDOW - 365 - int(rng.random() * 730))
    change = during[0] if during and during[0] > since else None
    return since, change


def _choose(rng: random.Random, branch: _Branch, start: int, end: int | None, used: set[int],
            standing: int) -> tuple[_Member, int] | None:
    """A member for a post over ``[start, end)`` (``end`` ``None``: open): in the branch on every day of it,
    a full member for ``standing`` years on its first day (党龄 from 转正), not ``used``; preferably under 65.
    When nobody qualifies on ``start``, the one who qualifies first (the post then starts later). Returns
    (member, first day) or ``None``."""
    need = INFINITY if end is None else end
    ready, later = [], []
    for m in branch.members:
        if m.pk in used or m.full is None or m.end < need or (end is None and m.end != INFINITY):
            continue
        first = max(start, m.start, add_years(_date(m.full), standing).toordinal())
        if first == start:
            ready.append(m)
        elif first < need and first <= LAST:
            later.append((first, m))
    if ready:
        younger = [m for m in ready if m.senior_from > start]
        return rng.choice(younger or ready), start
    if later:
        first = min(day for day, _ in later)
        return rng.choice([m for day, m in later if day == first]), first
    return None


def _plan_officers(rng: random.Random, branch: _Branch, since: int, change: int | None, vacant: bool,
                   changed: bool, committee: bool, workdays: _Workdays) -> None:
    """Fill ``branch.posts`` (module docstring): the secretary's posts, then the committee or a deputy."""
    segments: list[tuple[int, int | None, str]] = []
    if vacant:
        leave = workdays.pick(rng, max(since + 1, _date(WINDOW).replace(month=3).toordinal()),
                              _date(WINDOW).replace(month=11, day=30).toordinal())
        segments = [(since, leave, rng.choice(("工作调动", "退休", "因病辞去职务")))] if leave else [(since, None, "")]
    elif changed:
        day = workdays.pick(rng, max(since + 1, _date(WINDOW).replace(month=4).toordinal()),
                            _date(WINDOW).replace(month=9, day=30).toordinal())
        segments = [(since, day, "工作调动"), (day, None, "")] if day else [(since, None, "")]
    elif change is not None and rng.random() < TERM_CHANGE_SHARE:
        segments = [(since, change, "换届"), (change, None, "")]
    else:
        segments = [(since, None, "")]
    used: set[int] = set()
    for start, end, note in segments:
        found = _choose(rng, branch, start, end, used, 1)
        if found is None:
            continue
        member, first = found
        used.add(member.pk)
        branch.posts.append(_Post("secretary", member, first, end, note))
    full_on_last = sum(1 for m in branch.members if m.full is not None and m.full <= LAST and m.start <= LAST < m.end)
    if full_on_last >= COMMITTEE_FROM and committee:
        if full_on_last < 15:
            size = 3
        elif full_on_last < 30:
            size = rng.choice((3, 4, 5))
        else:
            size = 5
        for role in COMMITTEE_ROLES[:size - 1]:
            found = _choose(rng, branch, since, None, used, 0)
            if found is None:
                break
            member, first = found
            used.add(member.pk)
            branch.posts.append(_Post(role, member, first))
    elif full_on_last >= 4 and rng.random() < 0.2:
        found = _choose(rng, branch, since, None, used, 0)
        if found is not None:
            branch.posts.append(_Post("deputy_secretary", found[0], found[1]))


def _holder(branch: _Branch, day: int, roles: tuple[str, ...]) -> _Member | None:
    """Who holds the first of ``roles`` (in that order) on ``day``."""
    for role in roles:
        for post in branch.posts:
            if post.role == role and post.holds(day):
                return post.member
    return None


@dataclass
class _Meetings:
    """The meetings planned so far (rows without keys) and their attendance rows ``(person, status, reason,
    mobile)``, meeting after meeting: those of meeting ``k`` start at ``starts[k]``."""

    rows: list[tuple] = field(default_factory=list)
    attendance: list[tuple] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)


class _Planner:
    """The year of meetings of one branch after another (module docstring)."""

    def __init__(self, rng: random.Random, workdays: _Workdays, statuses: dict[int, list[tuple[str, int, int]]]):
        self.rng = rng
        self.workdays = workdays
        self.statuses = statuses
        self.out = _Meetings()

    def attend(self, people: list[_Member], day: int, present: set[int]) -> int:
        """Append the attendance rows ``(person, status, reason, mobile)`` of ``people`` on ``day`` to
        ``out.attendance``; returns how many came."""
        random_, statuses, append = self.rng.random, self.statuses, self.out.attendance.append
        came = 0
        for m in people:
            pk = m.pk
            away = statuses.get(pk)
            kinds = {k for k, s, e in away if s <= day < e} if away else None
            if not kinds:
                if pk in present:
                    append((pk, "present", "", False))
                    came += 1
                    continue
                r = random_()
                if r < PRESENT_RATE if day < m.elderly_from else r < 0.7:
                    append((pk, "present", "", False))
                    came += 1
                elif day >= m.elderly_from:
                    append((pk, "leave", ELDERLY_REASONS[int(random_() * len(ELDERLY_REASONS))], False))
                elif r < PRESENT_RATE + 0.065:
                    append((pk, "leave", LEAVE_REASONS[int(random_() * len(LEAVE_REASONS))], False))
                else:
                    append((pk, "absent", ABSENT_REASONS[int(random_() * len(ABSENT_REASONS))], False))
                continue
            mobile = "mobile" in kinds
            if pk in present:
                append((pk, "present", "", mobile))
                came += 1
            elif "lost_contact" in kinds:
                append((pk, "absent", "失去联系", mobile))
            elif "abroad" in kinds:
                append((pk, "leave", "出国（境）", mobile))
            elif random_() < 0.3:  # a 流动党员 taking part online
                append((pk, "present", "", True))
                came += 1
            else:
                append((pk, "leave", MOBILE_REASONS[int(random_() * len(MOBILE_REASONS))], True))
        return came

    def add(self, branch: _Branch, kind: str, day: int, topic: str, *, lecturer: _Member | None = None,
            secretary_lecture: bool = False, committee: bool = False) -> bool:
        """One meeting of ``branch`` on ``day`` with its attendance; ``False`` (nothing added) when nobody
        is on the roster."""
        held = [p for p in branch.posts if p.holds(day)]
        people = [p.member for p in held] if committee else branch.roster(day)
        if not people:
            return False
        on_roster = {m.pk for m in people}
        presenter = _holder(branch, day, ("secretary", "deputy_secretary", "organization_member"))
        if presenter is None or presenter.pk not in on_roster:
            presenter = next((m for m in people if m.full is not None and m.full <= day), people[0])
        pool = [p.member for p in held if p.role != "secretary" and p.member.pk != presenter.pk
                and p.member.pk in on_roster]
        if not pool and len(people) > 1:
            pool = [m for m in people if m.pk != presenter.pk]
        recorder = pool[int(self.rng.random() * len(pool))] if pool else None
        present = {presenter.pk}
        if recorder:
            present.add(recorder.pk)
        if lecturer:
            present.add(lecturer.pk)
        self.out.starts.append(len(self.out.attendance))
        came = self.attend(people, day, present)
        recorder_name = recorder.name if recorder else ""
        minutes = (f"会议由{presenter.name}主持，{recorder_name or presenter.name}记录，应到{len(people)}人，实到{came}人。"
                   f"会议围绕“{topic}”进行了学习讨论。")
        self.out.rows.append((branch.pk, kind, _date(day), topic, presenter.name, recorder_name,
                              lecturer.name if lecturer else "", secretary_lecture,
                              LOCATIONS.get(branch.node.kind, "党员活动室"), len(people), came, minutes))
        return True

    def year(self, branch: _Branch, missing_months: set[int], missing_quarter: int | None) -> None:
        """The branch's meetings of the meeting year."""
        rng, workdays = self.rng, self.workdays
        first = max(WINDOW, branch.node.founded)
        if first > LAST:
            return
        fixed = rng.choice((1, 5, 8, 10, 15, 18, 20, 25))
        for month in range(1, 13):
            lo = max(first, dt.date(MEETING_YEAR, month, 1).toordinal())
            hi = (dt.date(MEETING_YEAR, month, 28) + dt.timedelta(days=4)).replace(day=1).toordinal() - 1
            if lo > hi or month in missing_months:
                continue
            day = workdays.on_or_after(max(lo, dt.date(MEETING_YEAR, month, fixed).toordinal()), hi)
            if day is not None and day >= lo:
                theme = rng.choice(THEMES[month]) if rng.random() < 0.6 else rng.choice(ANY_MONTH_THEMES)
                self.add(branch, "theme_day", day, theme)
            day = workdays.pick(rng, lo, hi)
            if day is not None and sum(1 for p in branch.posts if p.holds(day)) >= COMMITTEE_MIN_OFFICERS:
                self.add(branch, "committee_meeting", day, rng.choice(COMMITTEE_TOPICS), committee=True)
        lectures = []
        for quarter in range(1, 5):
            lo = max(first, dt.date(MEETING_YEAR, 3 * quarter - 2, 1).toordinal())
            hi = (dt.date(MEETING_YEAR + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1).toordinal() - 1)
            if lo > hi:
                continue
            day = workdays.pick(rng, lo, hi)
            if day is not None and quarter != missing_quarter:
                self.add(branch, "general_meeting", day, rng.choice(GENERAL_TOPICS[quarter]))
            day = workdays.pick(rng, lo, hi)
            if day is not None:
                lectures.append(day)
        by_secretary = [day for day in lectures if _holder(branch, day, ("secretary",)) is not None
                        and any(m.pk == _holder(branch, day, ("secretary",)).pk for m in branch.roster(day))]
        chosen = rng.choice(by_secretary) if by_secretary else None
        for day in lectures:
            if day == chosen:
                self.add(branch, "party_lecture", day, "书记讲党课：" + rng.choice(LECTURE_TOPICS),
                         lecturer=_holder(branch, day, ("secretary",)), secretary_lecture=True)
                continue
            roster = branch.roster(day)
            officers = [p.member for p in branch.posts if p.holds(day) and p.role != "secretary"
                        and any(p.member.pk == m.pk for m in roster)]
            pool = officers or [m for m in roster if m.full is not None and m.full <= day]
            self.add(branch, "party_lecture", day, rng.choice(LECTURE_TOPICS),
                     lecturer=rng.choice(pool) if pool else None)
        early = rng.random() < 0.6
        if early and first <= dt.date(MEETING_YEAR, 1, 25).toordinal():
            day, year = workdays.pick(rng, max(first + 10, dt.date(MEETING_YEAR, 1, 10).toordinal()),
                                      dt.date(MEETING_YEAR, 2, 28).toordinal()), MEETING_YEAR - 1
        else:
            day, year = workdays.pick(rng, max(first + 10, dt.date(MEETING_YEAR, 12, 1).toordinal()),
                                      dt.date(MEETING_YEAR, 12, 28).toordinal()), MEETING_YEAR
        if day is None:
            return
        talk = workdays.pick(rng, max(first, day - 15), day - 3)
        if talk is not None:
            self.add(branch, "heart_to_heart_talk", talk, f"{year}年度组织生活会会前谈心谈话")
        self.add(branch, "organizational_life_meeting", day,
                 f"{year}年度组织生活会" if year < MEETING_YEAR or rng.random() < 0.5 else "主题教育专题组织生活会")
        evaluation = workdays.on_or_after(day + int(rng.random() * 3), LAST)
        if evaluation is not None and evaluation >= day:
            self.add(branch, "member_evaluation", evaluation, f"{year}年度民主评议党员")


def write_life(ctx: Context, *, seed: int) -> dict[str, int]:
    """Write the branches' officers and the meeting year of every active branch of the demo tree (module
    docstring) with their attendance, after the members and their history are written (``ctx.member_pk``
    and ``ctx.leaver_pk`` set; reads the memberships, party records, terms and member statuses back).
    Draws from ``random.Random(f"{seed}:life")`` only. Returns the rows written:
    ``{"officers": …, "meetings": …, "attendances": …}``; ``ctx.report("组织生活", k, total)`` as
    attendance rows are written. Must run inside the generator's transaction."""
    rng = random.Random(f"{seed}:life")  # nosec B311 (deterministic demo data, not security)
    branches = _load(ctx)
    if not branches:
        return {"officers": 0, "meetings": 0, "attendances": 0}
    terms = _terms(ctx)
    workdays = _Workdays(dt.date(MEETING_YEAR - 1, 12, 1), dt.date(MEETING_YEAR + 1, 1, 31))
    indexes = list(range(len(branches)))
    vacant = _exact(rng, indexes, VACANT_SHARE)
    changed = _exact(rng, [k for k in indexes if k not in vacant], CHANGED_SHARE)
    big = [k for k, b in enumerate(branches)
           if sum(1 for m in b.members if m.full is not None and m.full <= LAST and m.start <= LAST < m.end)
           >= COMMITTEE_FROM]
    no_committee = _exact(rng, big, NO_COMMITTEE_SHARE)
    missing_months = _exact(rng, indexes, MISSING_MONTHS_SHARE)
    missing_quarter = _exact(rng, indexes, MISSING_QUARTER_SHARE)
    for k, branch in enumerate(branches):
        since, change = _since(branch, terms, rng)
        _plan_officers(rng, branch, since, change, k in vacant, k in changed, k not in no_committee, workdays)

    statuses: dict[int, list[tuple[str, int, int]]] = {}
    for pk, kind, start, end in MemberStatus.objects.filter(
            organization__path__startswith=ctx.tree.nodes[0].path).values_list(
            "person_id", "kind", "start_date", "end_date"):
        statuses.setdefault(pk, []).append((kind, start.toordinal(), end.toordinal() if end else INFINITY))
    planner = _Planner(rng, workdays, statuses)
    for k, branch in enumerate(branches):
        months = set(rng.sample(range(1, 13), 1 + int(rng.random() * 4))) if k in missing_months else set()
        quarter = 1 + int(rng.random() * 4) if k in missing_quarter else None
        planner.year(branch, months, quarter)

    posts = [(branch.pk, post) for branch in branches for post in branch.posts]
    RowWriter(BranchOfficer, ("id", "organization_id", "person_id", "role", "start_date", "end_date", "note")).write(
        (pk, org, post.member.pk, post.role, _date(post.start), _date(post.end) if post.end else None, post.note)
        for pk, (org, post) in zip(IdReserver(BranchOfficer).take(len(posts)), posts, strict=True))
    out = planner.out
    meeting_ids = IdReserver(Meeting).take(len(out.rows))
    RowWriter(Meeting, ("id", "organization_id", "meeting_type", "date", "topic", "presenter", "recorder", "lecturer",
                        "secretary_lecture", "location", "expected_count", "attended_count", "minutes")).write(
        ((pk, *row) for pk, row in zip(meeting_ids, out.rows, strict=True)), every=BATCH_SIZE)
    total = len(out.attendance)
    ends = [*out.starts[1:], total]
    ids = iter(IdReserver(MeetingAttendance).take(total))  # not inside the generator: PostgreSQL is in a COPY then

    def attendance_rows():
        rows = out.attendance
        for meeting, start, end in zip(meeting_ids, out.starts, ends, strict=True):
            for k in range(start, end):
                yield (next(ids), meeting) + rows[k]

    RowWriter(MeetingAttendance, ("id", "meeting_id", "person_id", "status", "reason", "mobile")).write(
        attendance_rows(), report=lambda n: ctx.report("组织生活", n, total), every=BATCH_SIZE)
    return {"officers": len(posts), "meetings": len(out.rows), "attendances": total}
