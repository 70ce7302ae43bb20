"""Demo branch building (issue #11), written by ``generate`` after ``demo.life`` (``write_building``):

**持证上岗** (``branches.TrainingRecord``, ``branches.SecretaryCertificate``; the rule of
``branches.certification``: a certificate is issued on a passed exam — score ≥ the pass mark 60 — taken within
``exam_years`` (2) before the issue date, the holder a member on the issue date, valid ``valid_years`` (3)).
Of the secretaries in post on 2023-12-31 (``REF``): ``EXPIRED_SHARE`` hold a certificate that expired during
2023 (not renewed), ``EXPIRING_SHARE`` one expiring within 90 days after ``REF``
(``certification.EXPIRING_DAYS``), ``UNCERTIFIED_SHARE`` none (some of them failed the exam), the rest
(≈ 90 %) one valid on ``REF`` and later. Every certificate has the passed training it was issued on.

**达标晋级 2023** (``grading.BranchGrading`` + ``GradingScore`` on the shipped 「五好」 scheme,
``grading.seed``): every branch active on ``REF`` gets its five scores; 班子好 is low where the secretary
post is vacant or the committee missing, 制度落实好 where 主题党日 are missing (read back from
``demo.life``'s rows); total = the sum, level = ``grading.validators.level_for`` (the services' rule).
``MODEL_SHARE`` of the branches at the top level (先进) are named 示范党支部. ``WEAK_SHARE`` of the branches (at
least three from ``EXAMPLES_FROM`` branches), preferably those with a vacant secretary or missing meetings, are on the
2023 软弱涣散 list (``grading.WeakBranch``) — never a 示范党支部 — a third still 整改中, a third 已整改, a third
已验收 by the parent organization.

**发展党员 steps** (``development.DevelopmentStep``, ``DevelopmentParticipant``) over the demo's
``party.DevelopmentRecord`` rows, consistent with their stage dates and the guards of
``development.services.step_record`` (``development.rules``): step 1 on the application date, 2 within a
month; 3 on the activist date, 4, 5 (1–2 培养联系人, full members of the branch), 6 every half year; 7 on the
candidate date (≥ 1 year after 3), 8, 9 (2 入党介绍人, full members of the branch that day), 10, 11 (3–5 days
of training), 12–14; 15 — the branch meeting — on the admission date (入党日期) with 应到 = the branch's full
members that day, 实到 and 赞成 over half; 16, 17 within three months of 15, 18–20, 21 every half year of the
预备期; for a member whose 预备期 was full before ``REF``: 22, then — following the member's 转正 decisions
of the history (``MembershipEvent``) — 23 (按期转正, votes), 24, 25; after a 延长预备期 23 (``extended``, the
months) and 24 on the day the year was full, a 21 during the extension and, once decided, 23 (按期转正), 24,
25; after a 推迟讨论 the vote of the day it was held. Nothing is dated after ``REF``; a pipeline stops where the next step cannot be dated or
staffed (no full member to vote, mentor or sponsor) — ``stopped`` in the counts.

**Determinism.** ``random.Random(f"{seed}:building")``; records in the order of their keys (reserved in
plan order by the generator, the same on SQLite and PostgreSQL), branches in tree order, people by their
plan key. Rows go through ``writer.RowWriter``; ``checks.verify_building`` checks them before commit.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from decimal import Decimal

import chinese_calendar
from django.db.models import Q

from zugong.branches.models import BranchOfficer, SecretaryCertificate, TrainingRecord
from zugong.core.codes import ORG_TYPES_BRANCH
from zugong.core.dates import add_years
from zugong.demo.planning import REF
from zugong.demo.records import Context
from zugong.demo.reference import ROOT_CODE
from zugong.demo.writer import IdReserver, RowWriter
from zugong.development.models import DevelopmentParticipant, DevelopmentStep
from zugong.grading.models import BranchGrading, GradingScheme, GradingScore, WeakBranch
from zugong.grading.validators import level_for, top_level
from zugong.life.models import Meeting
from zugong.party.lifecycle import add_months
from zugong.party.models import DevelopmentRecord, Membership, MembershipEvent, PartyMember

BATCH_SIZE = 5000
YEAR = REF.year
EXAMPLES_FROM = 20
EXPIRED_SHARE = 0.03
EXPIRING_SHARE = 0.04
UNCERTIFIED_SHARE = 0.04
MODEL_SHARE = 0.2
"""Share of the branches graded 先进 that are named 示范党支部."""
WEAK_SHARE = 0.02
VALID_YEARS = 3
INFINITY = dt.date.max.toordinal()
ISSUER = "中共示范县委组织部"
TRAININGS = ("党支部书记示范培训班", "基层党组织书记轮训班", "党支部书记任职资格培训班", "党务工作者能力提升培训班")
FAIL_NOTES = ("考试不合格，待补考", "未达合格线")


def _d(ordinal: int) -> dt.date:
    return dt.date.fromordinal(ordinal)


def _exact(rng: random.Random, pool: list, share: float) -> list:
    count = round(share * len(pool))
    if count == 0 and len(pool) >= EXAMPLES_FROM:
        count = 1
    return rng.sample(pool, min(count, len(pool)))


def _workday(ordinal: int, hi: int) -> int:
    """The first working day on or after ``ordinal`` not after ``hi`` (else ``ordinal``)."""
    day = ordinal
    while day <= hi:
        if chinese_calendar.is_workday(_d(day)):
            return day
        day += 1
    return ordinal


class _Rosters:
    """Every period of every person in a branch of the demo tree (dissolved branches included) and the
    persons' 转正 ordinals: two queries. ``full_members(org, day)`` is the 应到 of a branch meeting that day
    (``development.services.full_members_on``)."""

    def __init__(self, ctx: Context):
        prefix = ctx.tree.nodes[0].path
        key_of = {pk: i for i, pk in enumerate(ctx.member_pk)}
        key_of.update({pk: len(ctx.member_pk) + j for j, pk in enumerate(ctx.leaver_pk)})
        self.key_of = key_of
        self.full = {pk: (d.toordinal() if d else None) for pk, d in PartyMember.objects.filter(
            person__organization__path__startswith=prefix).values_list("person_id", "full_membership_date")}
        self.periods: dict[int, list[tuple[int, int, int]]] = {}
        self.person_periods: dict[int, list[tuple[int, int]]] = {}
        for pk, org, start, end in Membership.objects.filter(
                organization__path__startswith=prefix, organization__org_type__in=ORG_TYPES_BRANCH).values_list(
                "person_id", "organization_id", "start_date", "end_date"):
            span = (start.toordinal(), end.toordinal() if end else INFINITY)
            self.periods.setdefault(org, []).append((key_of.get(pk, 1 << 40), pk, *span))
            self.person_periods.setdefault(pk, []).append(span)
        for rows in self.periods.values():
            rows.sort()
        self.decisions: dict[int, list[tuple[int, str, int | None]]] = {}  # the 转正 decisions of the history
        for pk, day, detail, months in MembershipEvent.objects.filter(
                person__organization__path__startswith=prefix, kind="full_membership").order_by("date", "pk").values_list(
                "person_id", "date", "detail", "extension_months"):
            self.decisions.setdefault(pk, []).append((day.toordinal(), detail, months))

    def full_on(self, org: int, day: int, exclude: int = 0) -> list[int]:
        """Keys of the full members of ``org`` on ``day`` (plan order), without ``exclude``."""
        full = self.full
        return list(dict.fromkeys(pk for _, pk, s, e in self.periods.get(org, ()) if s <= day < e and pk != exclude
                                  and full.get(pk) is not None and full[pk] <= day))

    def member_on(self, person: int, day: int) -> bool:
        return any(s <= day < e for s, e in self.person_periods.get(person, ()))


# ----- 持证上岗 ---------------------------------------------------------------------------------------


def _certificates(rng: random.Random, ctx: Context, rosters: _Rosters) -> tuple[list, list]:
    """(training rows, certificate rows) without keys; a certificate row's last item is the index of its
    training row."""
    prefix = ctx.tree.nodes[0].path
    posts = list(BranchOfficer.objects.filter(organization__path__startswith=prefix, role="secretary",
                                              start_date__lte=REF).exclude(end_date__lte=REF)
                 .values_list("organization_id", "person_id", "start_date"))
    order = {ctx.node_id[node.index]: node.index for node in ctx.tree.nodes}
    posts.sort(key=lambda p: (order[p[0]], rosters.key_of.get(p[1], 0)))
    indexes = list(range(len(posts)))
    expired = set(_exact(rng, indexes, EXPIRED_SHARE))
    expiring = set(_exact(rng, [k for k in indexes if k not in expired], EXPIRING_SHARE))
    uncertified = set(_exact(rng, [k for k in indexes if k not in expired and k not in expiring], UNCERTIFIED_SHARE))
    ref = REF.toordinal()
    trainings: list[tuple] = []
    certificates: list[tuple] = []
    seen: set[int] = set()
    for k, (org, person, _post_start) in enumerate(posts):
        if person in seen:
            continue
        seen.add(person)
        if k in uncertified:
            if rng.random() < 0.5:  # took the exam and failed
                start = _workday(ref - 30 - int(rng.random() * 300), ref)
                if rosters.member_on(person, start):
                    trainings.append((person, org, rng.choice(TRAININGS), start, start + 2, start + 2,
                                      Decimal(str(30 + int(rng.random() * 29))), False, rng.choice(FAIL_NOTES)))
            continue
        if k in expired:
            until = ref - 10 - int(rng.random() * 300)
        elif k in expiring:
            until = ref + 1 + int(rng.random() * 89)
        else:
            until = ref + 91 + int(rng.random() * 900)
        issued = add_years(_d(until), -VALID_YEARS).toordinal()
        issued = _workday(issued, issued + 10)
        if issued > ref:
            issued = ref
        exam = issued - 7 - int(rng.random() * 60)
        start = exam - 2 - int(rng.random() * 3)
        if not (rosters.member_on(person, start) and rosters.member_on(person, issued)):
            continue  # not a member back then: no certificate (counted as uncertified)
        trainings.append((person, org, rng.choice(TRAININGS), start, exam, exam,
                          Decimal(str(65 + int(rng.random() * 35))), True, ""))
        certificates.append((person, org, issued, _d(until).toordinal(), len(trainings) - 1))
    return trainings, certificates


# ----- 达标晋级 ---------------------------------------------------------------------------------------


def _gradings(rng: random.Random, ctx: Context, rosters: _Rosters) -> tuple[list, list, list]:
    """(gradings, scores, weak entries) without keys; scores carry the index of their grading."""
    scheme = GradingScheme.objects.filter(code="five_good").first()
    if scheme is None:
        return [], [], []
    criteria = list(scheme.criteria.order_by("order", "pk"))
    levels = list(scheme.levels.all())
    top = top_level(levels)
    prefix = ctx.tree.nodes[0].path
    ref = REF.toordinal()
    nodes = [n for n in ctx.tree.nodes if n.org_type in ORG_TYPES_BRANCH and n.dissolved is None and n.founded <= ref]
    ids = [ctx.node_id[n.index] for n in nodes]
    secretary = set(BranchOfficer.objects.filter(organization__path__startswith=prefix, role="secretary",
                                                 start_date__lte=REF).exclude(end_date__lte=REF)
                    .values_list("organization_id", flat=True))
    officers: dict[int, int] = {}
    for org in BranchOfficer.objects.filter(organization__path__startswith=prefix, start_date__lte=REF).exclude(
            end_date__lte=REF).values_list("organization_id", flat=True):
        officers[org] = officers.get(org, 0) + 1
    theme_days: dict[int, int] = {}
    for org in Meeting.objects.filter(organization__path__startswith=prefix, meeting_type="theme_day",
                                      date__year=YEAR).values_list("organization_id", flat=True):
        theme_days[org] = theme_days.get(org, 0) + 1
    founded_in_year = {ctx.node_id[n.index] for n in nodes if n.founded > dt.date(YEAR, 1, 1).toordinal()}
    troubled = [k for k, pk in enumerate(ids) if pk not in secretary or
                (pk not in founded_in_year and theme_days.get(pk, 0) < 10)]
    others = [k for k in range(len(ids)) if k not in set(troubled)]
    want = max(round(WEAK_SHARE * len(ids)), 3 if len(ids) >= EXAMPLES_FROM else 0)  # one in each state
    weak = rng.sample(troubled, min(want, len(troubled)))
    weak += rng.sample(others, min(want - len(weak), len(others)))
    weak_set = set(weak)
    gradings, scores = [], []
    top_graded = []
    for k, (node, pk) in enumerate(zip(nodes, ids, strict=True)):
        base = 16.2 + rng.random() * 3.4 if rng.random() < 0.8 else 12.0 + rng.random() * 4.5
        values = []
        for c in criteria:
            value = base + rng.gauss(0, 0.8)
            if c.code == "leadership" and pk not in secretary:
                value -= 7
            elif c.code == "leadership" and officers.get(pk, 0) < 3 and len(rosters.full_on(pk, ref)) >= 7:
                value -= 3
            if c.code == "rules" and pk not in founded_in_year:
                value -= max(0, 12 - theme_days.get(pk, 0)) * 1.5
            if k in weak_set:
                value -= 3
            value = min(float(c.max_score), max(0.0, value))
            values.append(Decimal(str(round(value, 1))))
        total = sum(values, Decimal("0.0"))
        level = level_for(levels, total)
        day = _workday(dt.date(YEAR, 12, 11).toordinal() + int(rng.random() * 15), ref)
        gradings.append([pk, scheme.pk, YEAR, total, level.pk if level else None, False, _d(day),
                         ctx.tree.nodes[node.parent].name if node.parent is not None else ROOT_CODE,
                         (level.name + "。") if level else ""])
        for c, value in zip(criteria, values, strict=True):
            scores.append((len(gradings) - 1, c.pk, value, _evidence(c.code, value, c.max_score)))
        if top is not None and level is not None and level.pk == top.pk and k not in weak_set:
            top_graded.append(len(gradings) - 1)
    for g in _exact(rng, top_graded, MODEL_SHARE):
        gradings[g][5] = True
        gradings[g][8] = "命名为示范党支部。"
    entries = []
    for j, k in enumerate(sorted(weak)):
        pk = ids[k]
        node = nodes[k]
        identified = min(_workday(max(node.founded, dt.date(YEAR, 3, 1).toordinal()) + int(rng.random() * 60), ref), ref)
        categories = []
        reasons = []
        if pk not in secretary:
            categories.append("secretary_unfit")
            reasons.append("党支部书记空缺，工作无人牵头")
        if theme_days.get(pk, 12) < 10:
            categories.append("life_irregular")
            reasons.append("主题党日、支委会未按月开展")
        if not categories:
            categories.append(rng.choice(("rules_unimplemented", "role_weak", "members_lax")))
            reasons.append("三会一课记录不全，党员教育管理松散")
        deadline = add_months(_d(identified), 6)
        state = j % 3  # 整改中, 已整改, 已验收
        rectified = verified = None
        if state >= 1:
            rectified = max(identified, min(identified + 90 + int(rng.random() * 60), ref - 20))
        if state == 2:
            verified = _workday(rectified + 7 + int(rng.random() * 10), ref)
        parent = ctx.tree.nodes[node.parent].name if node.parent is not None else ""
        entries.append((pk, YEAR, _d(identified), json.dumps(categories), "；".join(reasons),
                        "选优配强支部书记，建立组织生活台账，上级党组织派员指导" if rectified else "上级党组织派员指导整顿",
                        "联系指导的上级党组织班子成员", deadline, _d(rectified) if rectified else None,
                        parent if verified else "", _d(verified) if verified else None,
                        "整改到位，同意验收" if verified else ""))
    return gradings, scores, entries


def _evidence(code: str, value: Decimal, max_score: Decimal) -> str:
    if value >= max_score * Decimal("0.9"):
        return "查阅台账，工作扎实，成效明显"
    if value >= max_score * Decimal("0.6"):
        return "基本落实，个别方面有待加强"
    return "存在明显不足，需限期整改"


# ----- 发展党员 --------------------------------------------------------------------------------------


def _sorted_days(rng: random.Random, lo: int, hi: int, k: int) -> list[int]:
    return sorted(lo + int(rng.random() * (hi - lo + 1)) for _ in range(k))


def _pipeline(rng: random.Random, record: tuple, rosters: _Rosters, out_steps: list, out_people: list) -> bool:
    """Append the steps (and participants) of one record; ``False`` when it stopped before its stage."""
    r_id, person, org, application, activist, candidate, admission = record
    ref = REF.toordinal()
    steps = out_steps

    def add(number, day, **extra):
        steps.append((r_id, number, day, extra))

    def votes(day) -> dict | None:
        expected = len(rosters.full_on(org, day))  # the member himself votes on his 转正 once full
        if expected == 0:
            return None
        quorum = expected // 2 + 1  # over half of those entitled (细则第二十四条)
        present = max(quorum, expected - int(rng.random() * rng.random() * (expected - quorum + 1)))
        favour = present if rng.random() < 0.9 or present - 1 < quorum else present - 1
        return {"votes_expected": expected, "votes_expected_computed": expected, "votes_present": present,
                "votes_in_favour": favour}

    a = application.toordinal()
    add(1, a)
    t = activist.toordinal() if activist else None
    hi = t if t is not None else ref
    if hi >= a + 3 and (t is not None or a < ref - 30 or rng.random() < 0.5):
        add(2, a + 3 + int(rng.random() * (min(a + 28, hi) - a - 3 + 1)))
    if t is None:
        return True
    c = candidate.toordinal() if candidate else None
    limit = c if c is not None else ref
    add(3, t)
    d4, d5 = _sorted_days(rng, t, min(t + 40, limit), 2)
    add(4, d4)
    mentors = rosters.full_on(org, d5, exclude=person)
    if not mentors:
        return False
    chosen = rng.sample(mentors, min(len(mentors), 1 if rng.random() < 0.6 else 2))
    for pk in chosen:
        out_people.append((r_id, pk, "mentor", d5, c))
    add(5, d5)
    day = add_months(_d(t), 6).toordinal()
    while day <= limit and (c is None or day < c):
        add(6, max(day, d5))
        day = add_months(_d(day), 6).toordinal()
    if c is None:
        return True
    v = admission.toordinal() if admission else None
    limit = v if v is not None else ref
    add(7, c)
    d8, d9, d10, d11 = _sorted_days(rng, c, min(c + 60, limit), 4)
    add(8, d8)
    sponsors = rosters.full_on(org, d9, exclude=person)
    if len(sponsors) < 2:
        return False
    for pk in rng.sample(sponsors, 2):
        out_people.append((r_id, pk, "sponsor", d9, None))
    add(9, d9)
    add(10, d10)
    days = 3 + int(rng.random() * 3)
    add(11, d11, training_days=days, training_hours=days * 8)
    if v is None:
        return True
    for number, day in zip((12, 13, 14), _sorted_days(rng, d11, v, 3), strict=True):
        add(number, day)
    counted = votes(v)
    if counted is None:
        return False
    add(15, v, **counted)
    end = min(add_months(_d(v), 3).toordinal() - 1, ref)
    d16, d17 = _sorted_days(rng, v, min(v + 80, end), 2)
    d18, d19, d20 = _sorted_days(rng, d17, min(d17 + 40, ref), 3)
    for number, day in ((16, d16), (17, d17), (18, d18)):
        if not rosters.member_on(person, day):
            return True  # left during the 预备期: the record is closed that day, no step after it
        add(number, day)
    if not rosters.member_on(person, d20):
        return True  # left during the 预备期 (转出, 取消预备党员资格 …): nothing more here
    add(19, d19)
    add(20, d20)
    probation = add_years(admission, 1).toordinal()
    day = add_months(admission, 6).toordinal()
    last = d20
    while day < probation and day <= ref and rosters.member_on(person, max(day, last)):
        last = max(day, last)
        add(21, last)
        day = add_months(_d(day), 6).toordinal()
    decisions = rosters.decisions.get(person, [])
    if probation > ref or not decisions or not rosters.member_on(person, probation):
        return True  # 转正 still ahead on REF (or the member left)
    d22 = max(last, probation - 5 - int(rng.random() * 20))
    add(22, d22)
    first, detail, months = decisions[0]
    if detail == "extended":  # 延长预备期: the vote on the day the year was full, approved, then a second vote
        counted = votes(first)
        if counted is None:
            return False
        add(23, first, outcome="extended", extension_months=months, **counted)
        d24 = min(first + 5 + int(rng.random() * 15), ref)
        add(24, d24, outcome="extended", extension_months=months)
        end = add_months(_d(probation), months or 6).toordinal()
        d21 = d24 + 60 + int(rng.random() * 60)
        if d21 <= min(end, ref) and rosters.member_on(person, d21):
            add(21, d21)
        final = decisions[1] if len(decisions) > 1 else None
    elif detail == "postponed":  # 推迟讨论: no step; the vote when it was held
        final = decisions[1] if len(decisions) > 1 else None
    else:
        final = (max(probation, d22) + int(rng.random() * 15), "on_time", None)
    if final is None or final[0] > ref or not rosters.member_on(person, final[0]):
        return True
    d23 = final[0]
    counted = votes(d23)
    if counted is None:
        return False
    add(23, d23, outcome="on_time", **counted)
    d24, d25 = _sorted_days(rng, d23, min(d23 + 40, ref), 2)
    add(24, d24, outcome="on_time")
    add(25, d25)
    return True


ACTORS = {1: "入党申请人", 2: "党支部委员", 3: "支部委员会", 4: "基层党委", 5: "党支部", 6: "党支部", 7: "支部委员会",
          8: "基层党委", 9: "党支部", 10: "党支部", 11: "县委组织部", 12: "支部委员会", 13: "基层党委", 14: "发展对象",
          15: "支部党员大会", 16: "基层党委", 17: "基层党委", 18: "县委组织部", 19: "党支部", 20: "基层党委",
          21: "党支部", 22: "预备党员", 23: "支部党员大会", 24: "基层党委", 25: "县委组织部"}


def _development(rng: random.Random, ctx: Context, rosters: _Rosters) -> tuple[list, list, int]:
    prefix = ctx.tree.nodes[0].path
    # open records, and those of members who left during the 预备期 (closed on the leaving day by the
    # generator): their steps up to the leaving
    records = list(DevelopmentRecord.objects.filter(organization__path__startswith=prefix)
                   .filter(Q(closed_date__isnull=True) | Q(admission_date__isnull=False))
                   .order_by("pk").values_list("pk", "person_id", "organization_id", "application_date",
                                               "activist_date", "candidate_date", "admission_date"))
    steps: list = []
    people: list = []
    stopped = 0
    for record in records:
        if not _pipeline(rng, record, rosters, steps, people):
            stopped += 1
    return steps, people, stopped


# ----- write ------------------------------------------------------------------------------------------


def write_building(ctx: Context, *, seed: int) -> dict[str, int]:
    """Write the trainings and certificates of the secretaries, the 2023 gradings and 软弱涣散 list, and the
    development steps (module docstring), after ``demo.life`` (reads its officers and meetings back).
    Draws from ``random.Random(f"{seed}:building")`` only. Returns the rows written per kind
    (``trainings``, ``certificates``, ``gradings``, ``scores``, ``weak``, ``steps``, ``participants``) and
    ``stopped`` (pipelines that stop before their stage). Must run inside the generator's transaction."""
    rng = random.Random(f"{seed}:building")  # nosec B311 (deterministic demo data, not security)
    rosters = _Rosters(ctx)
    trainings, certificates = _certificates(rng, ctx, rosters)
    gradings, scores, weak = _gradings(rng, ctx, rosters)
    steps, participants, stopped = _development(rng, ctx, rosters)

    training_ids = IdReserver(TrainingRecord).take(len(trainings))
    RowWriter(TrainingRecord, ("id", "person_id", "organization_id", "training_name", "organizer", "start_date",
                               "end_date", "class_hours", "exam_date", "exam_score", "passed", "note")).write(
        (pk, person, org, name, ISSUER, _d(start), _d(end), Decimal("24.0"), _d(exam), score, passed, note)
        for pk, (person, org, name, start, end, exam, score, passed, note) in zip(training_ids, trainings, strict=True))
    RowWriter(SecretaryCertificate, ("id", "person_id", "organization_id", "number", "issued_date", "valid_until",
                                     "issuer", "training_id")).write(
        (pk, person, org, f"{ROOT_CODE}-{_d(issued).year}-{k + 1:05d}", _d(issued), _d(until), ISSUER,
         training_ids[t])
        for k, (pk, (person, org, issued, until, t)) in enumerate(
            zip(IdReserver(SecretaryCertificate).take(len(certificates)), certificates, strict=True)))
    grading_ids = IdReserver(BranchGrading).take(len(gradings))
    RowWriter(BranchGrading, ("id", "organization_id", "scheme_id", "year", "total", "level_id", "designated_model",
                              "evaluated_on", "evaluator", "note")).write(
        (pk, *row) for pk, row in zip(grading_ids, gradings, strict=True))
    RowWriter(GradingScore, ("id", "grading_id", "criterion_id", "score", "evidence")).write(
        ((pk, grading_ids[g], c, value, text) for pk, (g, c, value, text) in
         zip(IdReserver(GradingScore).take(len(scores)), scores, strict=True)), every=BATCH_SIZE)
    RowWriter(WeakBranch, ("id", "organization_id", "year", "identified_on", "categories", "reasons", "measures",
                           "responsible_person", "deadline", "rectified_on", "verified_by", "verified_on",
                           "verification_note")).write(
        (pk, *row) for pk, row in zip(IdReserver(WeakBranch).take(len(weak)), weak, strict=True))
    fields = ("votes_expected", "votes_expected_computed", "votes_present", "votes_in_favour", "training_days",
              "training_hours", "outcome", "extension_months")
    RowWriter(DevelopmentStep, ("id", "record_id", "step", "date", "actor", *fields)).write(
        ((pk, r_id, number, _d(day), ACTORS[number], *(extra.get(f, "" if f == "outcome" else None) for f in fields))
         for pk, (r_id, number, day, extra) in zip(IdReserver(DevelopmentStep).take(len(steps)), steps, strict=True)),
        every=BATCH_SIZE)
    RowWriter(DevelopmentParticipant, ("id", "record_id", "person_id", "role", "start_date", "end_date")).write(
        (pk, r_id, person, role, _d(start), _d(end) if end is not None else None)
        for pk, (r_id, person, role, start, end) in
        zip(IdReserver(DevelopmentParticipant).take(len(participants)), participants, strict=True))
    return {"trainings": len(trainings), "certificates": len(certificates), "gradings": len(gradings),
            "scores": len(scores), "weak": len(weak), "steps": len(steps), "participants": len(participants),
            "stopped": stopped}
