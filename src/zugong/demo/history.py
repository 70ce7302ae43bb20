"""Two years of membership changes for the demo (issue #10): events of every kind, the membership periods
that follow from them, 组织关系转接 records, member statuses (流动党员, 失联党员, 出国（境）).

``plan_history`` works on the member plan before anything is written (pure Python, one
``random.Random``); the generator writes what it returns. The years are ``distributions.HISTORY_YEARS``
(the reference year and the one before); shares are ``distributions`` Part 3.

**The reference date's stock is untouched.** The members on 2023-12-31 and every figure the 公报
reproduces stay as they were: a change either gives a current member a history (how and when they came
into their branch) or adds a *former* member — a person who left during the years (died, 出党, 停止党籍,
转出) and is counted on earlier dates only.

Current members (by ``Timeline``):

- 发展党员: everyone admitted in the years (the 2023 ones are the 公报's 发展党员), a share as 重新入党;
- 转正 decisions for everyone whose year of probation ends in the years up to today: 按期转正 on the day
  the year is full, a share 延长预备期 (6 or 12 months, then 延长预备期后转正 when that is before today), a
  share 推迟讨论 then 推迟讨论后转正 (``PartyMember.full_membership_date`` is the decision's day);
- 转入组织关系 from outside the county (the membership starts that day), 整建制转入 (one company branch
  whose members all arrive on one day), 组织关系转接 between two branches (the earlier period ends, the new
  one starts that day, also across 乡镇), 停止党籍 in the first year and 停止党籍后恢复党籍 in the second,
  an 开除党籍 reversed on review (恢复党籍); pending and returned 转接 on the reference date (no event).

Former members (``Leaver``): 死亡, 出党 of every 出党方式 (取消预备党员资格 during probation or at the end
of an extension, 自行脱党除名 partly 经多方查找确实无法取得联系, with their 第十一表 reason category), 停止党籍
(after losing contact), 转出组织关系 with a 介绍信 (graduates in summer), and 整建制转出 of one company
branch, which is then dissolved (it is not counted on the reference date).

Rules followed (``party.lifecycle``): an increase opens a period on its date, a decrease closes the open
one (not counted on that day), a transfer closes and opens; each person's events are in date order after
the start of their earlier periods; 转正 one year after admission (《党章》第七条), an extension of 6–12
months decided when the year is full; a 停止党籍后恢复党籍 follows a recorded 停止党籍.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from dataclasses import dataclass, field

from zugong.core.dates import add_years
from zugong.demo import distributions as D
from zugong.demo import names as N
from zugong.demo.planning import PIPELINE_DAYS, REF, apportion, uniform
from zugong.demo.tree import PREVIOUS_OCCUPATION
from zugong.party.choices import EXIT_REASON

BRANCH_TYPES = ("branch", "joint_branch")
STUDENT = D.OCCUPATION_CODES.index("student")

_EXTERNAL_PLACES = ("江州市江北区", "江州市高新区", "临川市", "云州市经济开发区", "石城县", "安平县", "南溪县",
                    "广东省深圳市南山区", "浙江省杭州市余杭区", "江苏省苏州市工业园区", "上海市浦东新区",
                    "北京市海淀区", "福建省厦门市思明区", "四川省成都市高新区")
_MOBILE_DESTINATIONS = {
    "cross_province": ("广东省深圳市", "广东省东莞市", "浙江省杭州市", "浙江省宁波市", "江苏省苏州市", "上海市",
                       "北京市", "福建省厦门市"),
    "cross_city": ("江州市", "临川市", "云州市", "东平市"),
    "within_city": ("本市城区", "本市经济开发区", "本市工业园区"),
}
_ABROAD = ("新加坡", "日本", "德国", "澳大利亚", "加拿大", "英国", "阿联酋", "马来西亚")
_EXIT_REASONS = {
    "expelled": ("political", "integrity", "organizational", "cadre_selection", "mass", "work", "life"),
    "withdrawn_removed": ("ideals_lacking", "political_stance", "ideals"),
    "persuaded_to_leave": ("work_slack", "purpose_weak", "discipline_lax", "lapsed"),
    "removed_after_persuasion": ("discipline_lax", "work_slack", "lapsed"),
    "lapsed_removed": ("discipline_lax", "lapsed"),
    "probation_cancelled": ("work_slack", "misconduct", "ideals_lacking", "other"),
    "not_recognized": ("other",),
}
_EXIT_TEXT = {
    "expelled": "严重违纪违法，经审议决定给予开除党籍处分",
    "withdrawn_removed": "本人要求退党，经教育仍坚持，予以除名",
    "persuaded_to_leave": "理想信念淡薄、经教育仍无转变，予以劝退",
    "removed_after_persuasion": "经劝退仍不退党，予以除名",
    "lapsed_removed": "连续六个月以上无正当理由不参加党的组织生活、不交纳党费、不做党所分配的工作，按自行脱党予以除名",
    "probation_cancelled": "预备期内不履行党员义务、不具备党员条件，取消预备党员资格",
    "not_recognized": "发展程序严重违规，不予承认其党员身份",
}


def _d(ordinal: int) -> dt.date:
    return dt.date.fromordinal(ordinal)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the day clamped to the month's end)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


@dataclass
class Transfer:
    """A ``MembershipTransfer`` to write (organizations as tree node indices, dates as ordinals)."""

    direction: str
    state: str
    from_org: int | None
    to_org: int | None
    sent: int
    decided: int | None = None
    whole_unit: bool = False
    counterpart: str = ""
    return_reason: str = ""
    letter_number: str = ""
    validity_days: int | None = None
    dues_paid_through: int | None = None


@dataclass
class Event:
    """A ``MembershipEvent`` to write: ``org`` is the scope anchor (the target of an increase or transfer,
    else the organization left or held)."""

    kind: str
    date: int
    org: int
    detail: str = ""
    from_org: int | None = None
    to_org: int | None = None
    counterpart: str = ""
    reason_category: str = ""
    reason: str = ""
    unreachable: bool = False
    extension_months: int | None = None
    document_number: str = ""
    transfer: Transfer | None = None


@dataclass
class Span:
    """A membership period ``[start, end)`` at ``org``; ``occupation``: a 公报 code for a period in another
    job (``None`` = the person's own)."""

    org: int
    start: int
    end: int | None = None
    end_reason: str = ""
    occupation: str | None = None


@dataclass
class Status:
    """A ``MemberStatus`` to write."""

    kind: str
    org: int
    start: int
    end: int | None = None
    flow_scope: str = ""
    destination_type: str = ""
    destination: str = ""
    original_occupation: str = ""
    has_certificate: bool = False
    lost_situation: str = ""


@dataclass
class Timeline:
    """One person's periods, events (in date order), transfers, statuses and 转正日期 (ordinal or ``None``)."""

    periods: list[Span]
    full: int | None
    events: list[Event] = field(default_factory=list)
    transfers: list[Transfer] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)

    @property
    def admission_event(self) -> Event | None:
        return next((e for e in self.events if e.kind == "admission"), None)


@dataclass
class Leaver:
    """A former member: drawn attributes and the ``Timeline`` ending in their decrease."""

    occupation: str
    birth: int
    admission: int
    female: bool
    minority: bool
    college: bool
    political_status: str
    timeline: Timeline

    @property
    def organization(self) -> int:
        """The node of their last membership (the person's scope anchor)."""
        return self.timeline.periods[-1].org


@dataclass
class History:
    """What ``plan_history`` returns: ``members`` (member index → ``Timeline``, for members with events,
    transfers or statuses; the others keep their default periods), ``leavers`` and ``counts`` (kind →
    events planned, for the summary)."""

    members: dict[int, Timeline]
    leavers: list[Leaver]
    counts: dict[str, int] = field(default_factory=dict)


class _Planner:
    """The state of one ``plan_history`` run: the member plan's arrays, the timelines and former members
    planned so far, counters for 介绍信 and 文号 numbers, and the branches by kind sorted by 成立日期."""

    def __init__(self, rng: random.Random, plan, tree, branch_of, births, admissions, previous, today: dt.date,
                 sector):
        self.rng, self.plan, self.tree, self.sector = rng, plan, tree, sector
        self.branch_of, self.births, self.admissions, self.previous = branch_of, births, admissions, previous
        self.today = today.toordinal()
        self.ref = REF.toordinal()
        self.window = dt.date(D.HISTORY_YEARS[0], 1, 1).toordinal()
        self.every_kind = plan.n >= D.EVERY_KIND_FROM
        self.members: dict[int, Timeline] = {}
        self.leavers: list[Leaver] = []
        self.letters = 0
        self.documents = 0
        self.arrived: int | None = None  # the branch that came in whole (整建制转入)
        self.unreachable = False  # a 自行脱党除名 of someone unreachable recorded in the reference year
        by_kind: dict[str, list[int]] = {}
        for node in tree.nodes:
            if node.org_type in BRANCH_TYPES and node.dissolved is None:
                by_kind.setdefault(node.kind, []).append(node.index)
        self.by_kind = {k: sorted(v, key=lambda i: (tree.nodes[i].founded, i)) for k, v in by_kind.items()}
        self.founded_by_kind = {k: [tree.nodes[i].founded for i in v] for k, v in self.by_kind.items()}
        every = sorted((i for v in by_kind.values() for i in v), key=lambda i: (tree.nodes[i].founded, i))
        self.all_branches, self.all_founded = every, [tree.nodes[i].founded for i in every]
        self.top = [0] * len(tree.nodes)  # the organization under the county committee each node lies in
        for node in tree.nodes:  # parents first
            self.top[node.index] = (node.index if node.parent in (None, 0) else self.top[node.parent])

    # --- helpers ---------------------------------------------------------------------------------
    def year_bounds(self, year: int) -> tuple[int, int]:
        return dt.date(year, 1, 1).toordinal(), min(dt.date(year, 12, 31).toordinal(), self.ref)

    def default_periods(self, i: int) -> list[Span]:
        b, adm, prev = self.branch_of[i], self.admissions[i], self.previous[i]
        if prev >= 0:
            founded = self.tree.nodes[b].founded
            return [Span(prev, adm, founded, "transfer", PREVIOUS_OCCUPATION[self.tree.nodes[prev].kind]),
                    Span(b, founded)]
        return [Span(b, adm)]

    def default_full(self, admission: int) -> int | None:
        full = add_years(_d(admission), 1).toordinal()
        return full if full <= self.today else None

    def timeline(self, i: int) -> Timeline:
        tl = self.members.get(i)
        if tl is None:
            tl = self.members[i] = Timeline(self.default_periods(i), self.default_full(self.admissions[i]))
        return tl

    def branch_founded_by(self, day: int, kind: str | None = None) -> int | None:
        """A random branch (of ``kind`` if one was founded by ``day``, else of any kind) founded by ``day``."""
        for nodes, founded in ((self.by_kind.get(kind), self.founded_by_kind.get(kind)),
                               (self.all_branches, self.all_founded)):
            if nodes:
                k = bisect.bisect_right(founded, day)
                if k:
                    return nodes[int(self.rng.random() * k)]
        return None

    def counterpart(self) -> str:
        place = self.rng.choice(_EXTERNAL_PLACES)
        return (f"中共{place}委组织部" if self.rng.random() < 0.5
                else f"中共{place}{self.rng.choice(N.SUBDISTRICT_NAMES)}街道工作委员会")

    def letter(self, year: int) -> str:
        self.letters += 1
        return f"{N.COUNTY_STEM}组转〔{year}〕{self.letters:04d}号"

    def document(self, year: int, issuer: str = "组") -> str:
        self.documents += 1
        return f"{N.COUNTY_STEM}{issuer}发〔{year}〕{self.documents}号"

    def count(self, rate: float, minimum: int = 0, base: int | None = None) -> int:
        return max(round((self.plan.n if base is None else base) * rate), minimum if self.every_kind else 0)

    # --- current members -------------------------------------------------------------------------
    def admissions_and_full_membership(self) -> None:
        rng, plan = self.rng, self.plan
        admitted = [i for i in range(plan.n) if self.admissions[i] >= self.window]
        for i in admitted:
            b = self.branch_of[i]
            self.timeline(i).events.append(Event("admission", self.admissions[i], b, to_org=b))
        for year in D.HISTORY_YEARS:  # 重新入党: admitted again after an earlier 出党 (outside Zugong's records)
            start, end = self.year_bounds(year)
            of_year = [i for i in admitted if start <= self.admissions[i] <= end]
            older = [i for i in of_year
                     if (self.admissions[i] - self.births[i]) / 365.25 >= 28 and plan.occ[i] != STUDENT]
            for i in rng.sample(older, min(len(older), self.count(D.READMISSION_SHARE, 1, len(of_year)))):
                self.timeline(i).events[0].detail = "readmission"

        low = add_years(_d(self.window), -1).toordinal() - 1  # a cheap filter before the exact test
        due = [i for i in range(plan.n) if self.admissions[i] >= low
               and self.window <= add_years(_d(self.admissions[i]), 1).toordinal() <= self.today]
        extended: dict[int, int] = {}  # member → months
        postponed: set[int] = set()
        for year in D.HISTORY_YEARS:
            start, end = self.year_bounds(year)
            in_year = [i for i in due if start <= add_years(_d(self.admissions[i]), 1).toordinal() <= end]
            rng.shuffle(in_year)
            n_ext = min(len(in_year), self.count(D.EXTENSION_SHARE, 2, len(in_year)))
            n_post = min(len(in_year) - n_ext, self.count(D.POSTPONEMENT_SHARE, 1, len(in_year)))
            # in the reference year, the first of each is early enough to be decided within the year
            if year == D.HISTORY_YEARS[-1] and self.every_kind:
                for deadline, position in ((dt.date(year, 6, 10), 0), (dt.date(year, 9, 30), n_ext)):
                    early = next((k for k in range(position, len(in_year))
                                  if add_years(_d(self.admissions[in_year[k]]), 1) <= deadline), None)
                    if early is not None and position < len(in_year):
                        in_year[position], in_year[early] = in_year[early], in_year[position]
            for k, i in enumerate(in_year[:n_ext]):
                first_early = year == D.HISTORY_YEARS[-1] and k == 0
                extended[i] = 6 if first_early or rng.random() < D.EXTENSION_MONTHS[0][1] else 12
            postponed.update(in_year[n_ext:n_ext + n_post])
        for i in due:
            tl, b = self.timeline(i), self.branch_of[i]
            year_full = add_years(_d(self.admissions[i]), 1).toordinal()
            if i in extended:
                months = extended[i]
                tl.events.append(Event("full_membership", year_full, b, "extended", from_org=b,
                                       extension_months=months))
                decided = add_months(_d(year_full), months).toordinal() + uniform(rng, 0, 20)
                outcome = "after_extension"
            elif i in postponed:
                tl.events.append(Event("full_membership", year_full, b, "postponed", from_org=b))
                decided, outcome = year_full + uniform(rng, 30, 90), "after_postponement"
            else:
                decided, outcome = year_full, "on_time"
            if decided <= self.today:
                tl.events.append(Event("full_membership", decided, b, outcome, from_org=b))
                tl.full = decided
            else:
                tl.full = None

    def stories(self) -> None:
        """Transfers in, between branches, 整建制转入, 停止党籍 → 恢复党籍, 开除党籍 reversed, pending and
        returned transfers: each for members admitted long before the years (no 转正 in them)."""
        rng, plan, tree = self.rng, self.plan, self.tree
        limit = add_years(_d(self.window), -1).toordinal()
        pool = [i for i in range(plan.n) if self.previous[i] < 0 and self.admissions[i] < limit
                and i not in self.members]
        rng.shuffle(pool)
        taken: set[int] = set()

        def take() -> int | None:
            while pool:
                i = pool.pop()
                if i not in taken:
                    taken.add(i)
                    return i
            return None

        y0, y1 = D.HISTORY_YEARS
        # 整建制转入: a company (or joint, social) branch whose members all arrive on one day
        if self.every_kind:  # (the members' earlier periods, before the branch came, were outside the county)
            members_of: dict[int, list[int]] = {}
            for i, b in enumerate(self.branch_of):
                members_of.setdefault(b, []).append(i)
            eligible = {i for i in range(plan.n) if self.admissions[i] < limit and i not in self.members}
            for b in sorted(members_of, key=lambda b: (len(members_of[b]), b)):
                if (tree.nodes[b].kind in ("enterprise", "social", "joint") and len(members_of[b]) <= 20
                        and all(i in eligible for i in members_of[b])):
                    start, end = self.year_bounds(y1)
                    day = uniform(rng, start + 60, end - 90)
                    source = f"中共{rng.choice(_EXTERNAL_PLACES)}{rng.choice(N.COMPANY_BRANDS)}集团有限公司委员会"
                    for i in members_of[b]:
                        taken.add(i)
                        self.members[i] = Timeline([Span(b, day)], self.default_full(self.admissions[i]),
                                                   [Event("transfer_in", day, b, "whole_unit", to_org=b,
                                                          counterpart=source)])
                    self.arrived = b
                    break
        for year in D.HISTORY_YEARS:
            start, end = self.year_bounds(year)
            crossed = False
            for _ in range(self.count(D.INTERNAL_TRANSFER_RATE, 2)):
                i = take()
                if i is None:
                    break
                b, adm = self.branch_of[i], self.admissions[i]
                a = None
                across = self.every_kind and not crossed  # the year's first one: from another 乡镇 / 党委
                for attempt in range(30):
                    a = self.branch_founded_by(adm, tree.nodes[b].kind if attempt < 10 else None)
                    if a is not None and a not in (b, self.arrived) and (not across or self.top[a] != self.top[b]):
                        break
                if a is None or a in (b, self.arrived) or (across and self.top[a] == self.top[b]):
                    continue
                crossed = crossed or self.top[a] != self.top[b]
                day = uniform(rng, start, end)
                sent = max(day - uniform(rng, 3, 20), adm + 1)
                transfer = Transfer("internal", "accepted", a, b, sent, decided=day)
                self.members[i] = Timeline([Span(a, adm, day, "transfer"), Span(b, day)],
                                           self.default_full(adm),
                                           [Event("transfer", day, b, from_org=a, to_org=b, transfer=transfer)],
                                           [transfer])
            for _ in range(self.count(D.TRANSFER_IN_RATE, 1)):
                i = take()
                if i is None:
                    break
                b, day = self.branch_of[i], uniform(rng, start, end)
                self.members[i] = Timeline([Span(b, day)], self.default_full(self.admissions[i]),
                                           [Event("transfer_in", day, b, to_org=b, counterpart=self.counterpart())])
        s0, e0 = self.year_bounds(y0)
        s1, e1 = self.year_bounds(y1)
        # 停止党籍 (after losing contact) in the first year, 停止党籍后恢复党籍 in the second
        for _ in range(self.count(D.SUSPENSION_RATE / 3, 1)):
            i = take()
            if i is None:
                break
            b, adm = self.branch_of[i], self.admissions[i]
            stop, back = uniform(rng, s0 + 30, e0 - 60), uniform(rng, s1 + 30, e1 - 30)
            lost = max(stop - uniform(rng, 190, 900), adm + 30)
            self.members[i] = Timeline(
                [Span(b, adm, stop, "suspension"), Span(b, back)], self.default_full(adm),
                [Event("suspension", stop, b, from_org=b, reason="与党组织失去联系六个月以上", document_number=self.document(y0)),
                 Event("reinstatement", back, b, "after_suspension", to_org=b, reason="本人主动与党组织联系，经审查予以恢复党籍",
                       document_number=self.document(y1))],
                statuses=[Status("lost_contact", b, lost, stop, lost_situation="migrant_work")])
        # an 开除党籍 reversed on review (恢复党籍)
        for _ in range(self.count(D.EXIT_RATE / 10, 1)):
            i = take()
            if i is None:
                break
            b, adm = self.branch_of[i], self.admissions[i]
            out, back = uniform(rng, s0 + 30, e0 - 30), uniform(rng, s1 + 30, e1 - 30)
            self.members[i] = Timeline(
                [Span(b, adm, out, "exit"), Span(b, back)], self.default_full(adm),
                [Event("exit", out, b, "expelled", from_org=b, reason_category=self.exit_reason("expelled"),
                       reason=_EXIT_TEXT["expelled"], document_number=self.document(y0, "纪")),
                 Event("reinstatement", back, b, to_org=b, reason="经复查，撤销原开除党籍处分，恢复党籍",
                       document_number=self.document(y1, "纪"))])
        # 转接 still pending on the reference date, and one returned (no event: the member stays)
        for state in ("pending", "pending", "returned") if self.every_kind else ():
            i = take()
            if i is None:
                break
            b = self.branch_of[i]
            target = None
            for _attempt in range(10):
                target = self.branch_founded_by(self.ref - 400)
                if target not in (b, None):
                    break
            if target in (b, None):
                continue
            sent = self.ref - uniform(rng, 3, 25) if state == "pending" else uniform(rng, s1 + 60, e1 - 60)
            transfer = Transfer("internal", state, b, target, sent)
            if state == "returned":
                transfer.decided = sent + uniform(rng, 5, 15)
                transfer.return_reason = "介绍信所列入党日期与档案记载不一致，请核实后重新办理"
            tl = self.timeline(i)
            tl.transfers.append(transfer)

    def exit_reason(self, detail: str) -> str:
        allowed = [code for code in _EXIT_REASONS[detail] if code in EXIT_REASON.entries] or ["other"]
        return allowed[int(self.rng.random() * len(allowed))]

    def statuses(self) -> None:
        """流动党员, 失联党员 and 出国（境） of current members, starting after their current period's start."""
        rng, plan = self.rng, self.plan
        ref = self.ref
        since = dt.date(2013, 1, 1).toordinal()

        def current_start(i: int) -> int:
            tl = self.members.get(i)
            return (tl.periods if tl else self.default_periods(i))[-1].start

        busy = {i for i, tl in self.members.items() if tl.statuses or any(
            e.kind in ("suspension", "exit", "transfer_in") for e in tl.events)}
        codes = D.OCCUPATION_CODES
        for i in range(plan.n):
            occupation = codes[plan.occ[i]]
            if i in busy or rng.random() >= D.MOBILE_RATES[occupation]:
                continue
            begin = max(current_start(i), since) + 30
            if begin >= ref - 30:
                continue
            start = max(uniform(rng, begin, ref - 30), uniform(rng, begin, ref - 30))  # recent more often
            end = None
            if rng.random() < D.MOBILE_ENDED_SHARE and start + 90 < ref:
                end = uniform(rng, start + 90, ref)
            scope = _pick(rng, D.FLOW_SCOPES)
            node = self.tree.nodes[self.branch_of[i]]
            self.timeline(i).statuses.append(Status(
                "mobile", node.index, start, end, flow_scope=scope, destination_type=_pick(rng, D.FLOW_DESTINATIONS),
                destination=rng.choice(_MOBILE_DESTINATIONS[scope]),
                original_occupation=self.original_occupation(occupation, node, i),
                has_certificate=rng.random() < D.MOBILE_CERTIFICATE))
            busy.add(i)
        candidates = [i for i in range(plan.n) if i not in busy and codes[plan.occ[i]] in ("farmer", "worker", "other")]
        rng.shuffle(candidates)
        # from EVERY_KIND_FROM members, the first ones cover every 情形 and every 失去联系时间 column
        required = ([(code, D.LOST_CONTACT_YEARS[k % len(D.LOST_CONTACT_YEARS)][0])
                     for k, (code, _) in enumerate(D.LOST_CONTACT_SITUATIONS)] if self.every_kind else [])
        total = self.count(D.LOST_CONTACT_RATE, len(required))
        chosen: list[tuple[int, str, tuple[float, float]]] = []
        for situation, (low, high) in required:
            latest = ref - int(high * 365.25)  # the whole span fits after the current period's start
            i = next((i for i in candidates if i not in busy and current_start(i) + 30 <= latest), None)
            if i is not None:
                busy.add(i)
                chosen.append((i, situation, (low, high)))
        for i in candidates:
            if len(chosen) >= total:
                break
            if i not in busy and current_start(i) + 30 <= ref - 183:  # lost for six months at least
                busy.add(i)
                chosen.append((i, _pick(rng, D.LOST_CONTACT_SITUATIONS), _pick_range(rng, D.LOST_CONTACT_YEARS)))
        for i, situation, (low, high) in chosen:
            first = current_start(i) + 30
            start = ref - int((low + rng.random() * (high - low)) * 365.25)
            if start < first:
                start = uniform(rng, first, ref - 183)
            self.timeline(i).statuses.append(Status("lost_contact", self.branch_of[i], start,
                                                    lost_situation=situation))
        others = [i for i in range(plan.n) if i not in busy and plan.occ[i] != STUDENT]
        rng.shuffle(others)
        for i in others[:self.count(D.ABROAD_RATE, 1)]:
            begin = max(current_start(i), dt.date(2019, 1, 1).toordinal()) + 30
            if begin >= ref - 30:
                continue
            self.timeline(i).statuses.append(Status("abroad", self.branch_of[i], uniform(rng, begin, ref - 30),
                                                    destination=rng.choice(_ABROAD)))

    def original_occupation(self, occupation: str, node, i: int) -> str:
        """第三十三表 原职业 of a 流动党员."""
        if occupation == "farmer":
            return "farmer"
        if occupation == "worker":
            return "skilled_worker"
        if occupation in ("professional", "manager"):
            if node.kind == "social":
                return ("lawyer" if "律师" in node.name else "accountant" if "会计" in node.name else "intermediary")
            return "public_staff" if self.sector(node.index) == "public" else "other"
        if occupation == "other" and (self.ref - self.births[i]) / 365.25 <= 30 and self.plan.college[i]:
            return "unemployed_graduate"
        return "other"

    # --- former members ----------------------------------------------------------------------------
    def leaver(self, kind: str, detail: str, year: int, *, day: int | None = None, branch: int | None = None,
               occupation: str | None = None, variant: str = "") -> Leaver:
        rng = self.rng
        start_y, end_y = self.year_bounds(year)
        group = "probation_cancelled" if detail == "probation_cancelled" else kind
        occupation = occupation or _pick(rng, tuple(D.LEAVER_OCCUPATIONS[group].items()))
        if day is None:
            if kind == "transfer_out" and occupation == "student":
                day = uniform(rng, dt.date(year, 6, 20).toordinal(), dt.date(year, 7, 15).toordinal())
            elif variant == "within_probation":
                day = uniform(rng, start_y + 14, min(end_y, dt.date(year, 11, 1).toordinal()))
            else:
                day = uniform(rng, start_y, end_y)
        lo, hi = ((21, 25) if occupation == "student" else
                  _pick_range(rng, D.LEAVER_AGES[group]))
        age = uniform(rng, lo, hi)
        birth = add_years(_d(day), -age - 1).toordinal() + uniform(rng, 1, 364)
        adult = add_years(_d(birth), 18).toordinal() + PIPELINE_DAYS  # the earliest admission on record
        last_year_end = dt.date(year - 1, 12, 31).toordinal()
        if variant == "within_probation":  # 预备期未满被取消预备党员资格
            admission = uniform(rng, max(day - 330, adult), max(min(day - 30, last_year_end), adult))
        elif variant == "extended":  # 延长预备期 (6 months) when the year was full, then cancelled at its end
            admission = uniform(rng, dt.date(year - 1, 1, 1).toordinal(), dt.date(year - 1, 6, 1).toordinal())
            birth = min(birth, add_years(_d(admission), -20).toordinal())
            adult = add_years(_d(birth), 18).toordinal() + PIPELINE_DAYS
            day = add_months(add_years(_d(admission), 1), 6).toordinal() + uniform(rng, 0, 20)
        elif occupation == "student":
            admission = uniform(rng, adult, max(day - 200, adult))
        else:
            latest = day - 400 if kind != "transfer_out" else day - 60
            earliest = min(add_years(_d(birth), 20).toordinal(), latest)
            admission = uniform(rng, earliest, min(latest, add_years(_d(birth), 45).toordinal()))
        if variant != "extended":  # former members were admitted before their last year (the 公报's 发展党员 stay)
            admission = min(admission, day - 30, last_year_end)
        b = branch
        if b is None:
            kinds = {k: w for k, w in D.OCCUPATION_KINDS[occupation].items() if k in self.by_kind}
            kind_of = _pick(rng, tuple(kinds.items())) if kinds else None
            for _attempt in range(10):  # not the branch that came in whole: it was outside the county before
                b = (self.by_kind[kind_of][int(rng.random() * len(self.by_kind[kind_of]))] if kind_of
                     else self.all_branches[int(rng.random() * len(self.all_branches))])
                if b != self.arrived:
                    break
            else:
                b = next(x for x in self.all_branches if x != self.arrived)
        founded = self.tree.nodes[b].founded
        periods = []
        if founded > admission:
            before = self.branch_founded_by(admission, "village")
            if before is None or before in (b, self.arrived):
                admission = founded
            else:
                periods.append(Span(before, admission, founded, "transfer",
                                    PREVIOUS_OCCUPATION.get(self.tree.nodes[before].kind, occupation)))
        end_reason = {"exit": "exit", "death": "death", "suspension": "suspension", "transfer_out": "transfer_out"}[kind]
        periods.append(Span(b, periods[-1].end if periods else admission, day, end_reason))
        events: list[Event] = []
        if admission >= self.window:
            events.append(Event("admission", admission, b, to_org=b))
        year_full = add_years(_d(admission), 1).toordinal()
        full = year_full if year_full < day else None
        if variant == "extended":
            events.append(Event("full_membership", year_full, b, "extended", from_org=b, extension_months=6))
            full = None
        elif variant == "within_probation":
            full = None
        elif full is not None and full >= self.window:
            events.append(Event("full_membership", full, b, "on_time", from_org=b))
        timeline = Timeline(periods, full, events)
        decrease = Event(kind, day, b, detail, from_org=b)
        if kind == "exit":
            decrease.reason_category = self.exit_reason(detail)
            decrease.reason = _EXIT_TEXT[detail]
            decrease.document_number = self.document(year, "纪" if detail == "expelled" else "组")
            # (the reference year's first 自行脱党除名 is one 经多方查找确实无法取得联系: the 第十表 其中 column)
            first = self.every_kind and year == D.HISTORY_YEARS[-1] and not self.unreachable
            decrease.unreachable = detail == "lapsed_removed" and (first or rng.random() < D.LAPSED_UNREACHABLE)
            self.unreachable = self.unreachable or (decrease.unreachable and year == D.HISTORY_YEARS[-1])
        if kind == "suspension":
            decrease.reason = "与党组织失去联系六个月以上，停止党籍"
            decrease.document_number = self.document(year)
        if kind == "suspension" or detail == "lapsed_removed":
            lost = max(day - uniform(rng, 200, 1200), periods[-1].start + 30)
            if lost < day:
                timeline.statuses.append(Status("lost_contact", b, lost, day,
                                                lost_situation=_pick(rng, D.LOST_CONTACT_SITUATIONS)))
        if kind == "transfer_out":
            dues = _d(day).replace(day=1)
            if rng.random() < 0.3:
                dues = (dues - dt.timedelta(days=1)).replace(day=1)
            transfer = Transfer("out", "issued", b, None, day, whole_unit=detail == "whole_unit",
                                counterpart=self.counterpart(), letter_number=self.letter(year),
                                validity_days=rng.choice((30, 60, 90)), dues_paid_through=dues.toordinal())
            decrease.transfer, decrease.counterpart = transfer, transfer.counterpart
            timeline.transfers.append(transfer)
        events.append(decrease)
        female = rng.random() < D.FEMALE_BY_OCCUPATION[occupation]
        minority = rng.random() < D.MINORITY / D.MEMBERS * D.MINORITY_BY_OCCUPATION[occupation]
        college = rng.random() < D.COLLEGE_BY_OCCUPATION[occupation] * (0.7 if age > 60 else 1.0)
        status = ("13" if kind in ("exit", "suspension") else "01" if full is not None and full < day else "02")
        leaver = Leaver(occupation, birth, admission, female, minority, college, status, timeline)
        self.leavers.append(leaver)
        return leaver

    def former_members(self) -> None:
        rng = self.rng
        y0, y1 = D.HISTORY_YEARS
        for year in D.HISTORY_YEARS:
            for _ in range(self.count(D.DEATH_RATE, 1)):
                self.leaver("death", "", year)
            n_exit = self.count(D.EXIT_RATE)
            kinds = list(D.EXIT_KINDS)
            per_kind = apportion(n_exit, list(D.EXIT_KINDS.values())) if n_exit else [0] * len(kinds)
            if year == y1 and self.every_kind:  # both ways of 取消预备党员资格 (第十五表)
                per_kind = [max(k, 2 if detail == "probation_cancelled" else 1)
                            for detail, k in zip(kinds, per_kind, strict=True)]
            for detail, k in zip(kinds, per_kind, strict=True):
                for j in range(k):
                    variant = ""
                    if detail == "probation_cancelled":
                        variant = "extended" if j % 2 == 0 else "within_probation"
                    self.leaver("exit", detail, year, variant=variant)
            for _ in range(self.count(D.SUSPENSION_RATE, 1)):
                self.leaver("suspension", "", year)
            graduates = round(self.count(D.TRANSFER_OUT_RATE, 1) * D.GRADUATE_SHARE)
            for j in range(self.count(D.TRANSFER_OUT_RATE, 1)):
                self.leaver("transfer_out", "", year, occupation="student" if j < graduates else None)
        # 整建制转出: a company branch moves with its members to a group outside the county, then is dissolved
        if self.every_kind:
            s1, e1 = self.year_bounds(y1)
            day = uniform(rng, s1 + 90, e1 - 60)
            parents = [n.index for n in self.tree.nodes if n.kind == "township"] or [0]
            parent = parents[int(rng.random() * len(parents))]
            company = self.tree.company()
            node = self.tree.nodes[self.tree.add(parent, "enterprise", "branch", "enterprise", f"{company}党支部",
                                                 company)]
            node.founded = dt.date(2008 + int(rng.random() * 6), 1, 1).toordinal() + uniform(rng, 0, 360)
            node.dissolved, node.dissolution_reason = day, "整建制转出"
            target = f"中共{rng.choice(_EXTERNAL_PLACES)}{rng.choice(N.COMPANY_BRANDS)}集团有限公司委员会"
            moved = []
            for _ in range(4 + int(rng.random() * 6)):
                leaver = self.leaver("transfer_out", "whole_unit", y1, day=day, branch=node.index,
                                     occupation=rng.choice(("worker", "worker", "professional", "manager")))
                moved.append(leaver)
            for leaver in moved:
                leaver.timeline.events[-1].counterpart = target
                leaver.timeline.transfers[-1].counterpart = target


def _pick(rng: random.Random, pairs) -> str:
    values = [v for v, _ in pairs]
    return rng.choices(values, weights=[w for _, w in pairs])[0]


def _pick_range(rng: random.Random, rows):
    """``(lo, hi)`` of ``rows`` ((lo, hi, weight) or ((lo, hi), weight)) drawn by weight."""
    if len(rows[0]) == 3:
        chosen = rng.choices(rows, weights=[r[2] for r in rows])[0]
        return chosen[0], chosen[1]
    return rng.choices([r[0] for r in rows], weights=[r[1] for r in rows])[0]


def plan_history(rng: random.Random, plan, tree, branch_of, births, admissions, previous, *,
                 today: dt.date, sector=lambda node: "") -> History:
    """The membership history of the demo (module docstring). May add one dissolved branch to ``tree``
    (整建制转出). ``today`` decides which 转正 decisions after the reference date are already taken (as the
    generator's ``full_membership_date``); ``sector(node)``: ``"public"`` / ``"non_public"`` / ``""`` of an
    organization's unit (``units.UnitPlan.sector``; a 流动党员's 原职业)."""
    planner = _Planner(rng, plan, tree, branch_of, births, admissions, previous, today, sector)
    planner.admissions_and_full_membership()
    planner.stories()
    planner.former_members()
    planner.statuses()
    counts: dict[str, int] = {}
    for tl in [*planner.members.values(), *(leaver.timeline for leaver in planner.leavers)]:
        for e in tl.events:
            counts[e.kind] = counts.get(e.kind, 0) + 1
    return History(planner.members, planner.leavers, counts)
