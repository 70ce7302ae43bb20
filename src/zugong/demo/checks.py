"""Deploy check of the demo data (registered when ``OrgsConfig.ready`` imports this module).

``zugong.E004`` (GB/T 22239-2019 8.1.4.1 a, 8.1.4.2 e): the demo dataset (root organization ``QS``) or a
demo account still holding the published demo password exists. Only ``zugong demo`` sets that password
(``PublishedPasswordValidator`` refuses it everywhere else), always on ``DEMO_USERNAMES``, so those
accounts are the ones checked.
"""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


@register(Tags.security, deploy=True)
def no_demo_data(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    from django.contrib.auth import get_user_model

    from zugong.demo.accounts import DEMO_PASSWORD, DEMO_USERNAMES
    from zugong.demo.generator import ROOT_CODE
    from zugong.orgs.models import PartyOrganization

    problems = []
    try:
        if PartyOrganization.objects.filter(code=ROOT_CODE).exists():
            problems.append(f"存在演示数据（组织代码 {ROOT_CODE}）")
        demo_users = [u.username for u in get_user_model().objects.filter(username__in=DEMO_USERNAMES)
                      if u.check_password(DEMO_PASSWORD)]
    except DatabaseError:
        return []
    if demo_users:
        problems.append(f"演示账号仍使用公开的演示密码：{', '.join(demo_users)}")
    if problems:
        return [Error("生产环境不得保留演示内容：" + "；".join(problems) + "。请使用新的数据库，或删除演示数据并停用这些账号。",
                      id="zugong.E004")]
    return []


# ==================================================================================================
# The demo's own consistency checks (issue #10): the membership history reconciles
# ==================================================================================================
def opening_periods(periods: list, events: list) -> list:
    """The opening balance of one person (``lifecycle.Period``s as before any recorded event) from their
    stored ``periods`` (``Period``s) and ``events`` (objects with ``kind``, ``date``, ``to_organization_id``):
    the periods no increase or transfer opened, each with the end a decrease or transfer explains taken
    off (open again). ``lifecycle.periods_from_events(opening, events)`` must give the stored periods back."""
    from zugong.party.choices import INCREASE_KINDS
    from zugong.party.lifecycle import END_REASON_OF_KIND, Period

    opened = {(e.to_organization_id, e.date) for e in events if e.kind in INCREASE_KINDS or e.kind == "transfer"}
    closed = {(e.date, END_REASON_OF_KIND[e.kind]) for e in events if e.kind in END_REASON_OF_KIND}
    opening = []
    for p in periods:
        if (p.organization_id, p.start) in opened:
            continue
        end, reason = p.end, p.end_reason
        if end is not None and (end, reason) in closed:
            end, reason = None, ""
        opening.append(Period(p.organization_id, p.start, end, reason))
    return opening


class _Event(NamedTuple):
    """What ``periods_from_events`` and the yearly reconciliation read of a ``MembershipEvent``."""

    pk: int
    person_id: int
    kind: str
    detail: str
    date: object
    organization_id: int
    from_organization_id: int | None
    to_organization_id: int | None


def verify_history(root) -> list[str]:
    """Problems (Chinese, empty when none) of the membership history under ``root`` (the demo root):

    - for every person with events, ``periods_from_events(opening, events)`` equals the stored periods
      (organization, start, end, end reason) — the periods follow the events (``party.lifecycle``);
    - every 转正日期 of a person with a 转正 decision on record is the day of the latest decision making
      them a full member;
    - 第一表 reconciles for the whole tree in each year with events: members on 31 December of the year
      before + increases − decreases = members on 31 December (a transfer counts only when it crosses the
      tree's border).

    Five queries (the tree's organizations, its events, the periods and party records of the people with
    events, one count of members per 31 December); the rest in Python. Unscoped: a maintenance check of
    generated data."""
    import datetime as dt

    from django.db.models import Count, Q, Subquery

    from zugong.orgs.models import PartyOrganization
    from zugong.party.choices import DECREASE_KINDS, FULL_OUTCOMES, INCREASE_KINDS
    from zugong.party.lifecycle import Period, periods_from_events
    from zugong.party.models import Membership, MembershipEvent, PartyMember

    prefix = root.path
    tree = set(PartyOrganization.objects.filter(path__startswith=prefix).values_list("pk", flat=True))
    in_tree = MembershipEvent.objects.filter(organization__path__startswith=prefix)
    events: dict[int, list[_Event]] = {}
    for row in in_tree.order_by("date", "pk").values_list(
            "pk", "person_id", "kind", "detail", "date", "organization_id", "from_organization_id",
            "to_organization_id"):
        event = _Event(*row)
        events.setdefault(event.person_id, []).append(event)
    people = Subquery(in_tree.values("person_id"))
    periods: dict[int, list] = {}
    for person_id, org, start, end, reason in Membership.objects.filter(person_id__in=people).order_by(
            "start_date", "pk").values_list("person_id", "organization_id", "start_date", "end_date", "end_reason"):
        periods.setdefault(person_id, []).append(Period(org, start, end, reason or ""))
    problems = []
    for person_id, person_events in events.items():
        stored = periods.get(person_id, [])
        derived = periods_from_events(opening_periods(stored, person_events), person_events)
        shape = [(p.organization_id, p.start, p.end, p.end_reason) for p in stored]
        if [(p.organization_id, p.start, p.end, p.end_reason) for p in derived] != shape:
            problems.append(f"人员 #{person_id} 的组织关系与党员变动记录不符")
    full = dict(PartyMember.objects.filter(person_id__in=people).values_list("person_id", "full_membership_date"))
    for person_id, person_events in events.items():
        decisions = [e.date for e in person_events if e.kind == "full_membership" and e.detail in FULL_OUTCOMES]
        if decisions and full.get(person_id) != decisions[-1]:
            problems.append(f"人员 #{person_id} 的转正日期与转正记录不符")

    changes: dict[int, list[int]] = {}  # year → [increases, decreases]
    for person_events in events.values():
        for e in person_events:
            if e.kind == "full_membership":
                continue
            counts = changes.setdefault(e.date.year, [0, 0])
            if e.kind in INCREASE_KINDS:
                counts[0] += 1
            elif e.kind in DECREASE_KINDS:
                counts[1] += 1
            elif e.kind == "transfer":
                counts[0] += e.from_organization_id not in tree
                counts[1] += e.to_organization_id not in tree
    days = sorted({dt.date(y, 12, 31) for year in changes for y in (year - 1, year)})
    members = Membership.objects.filter(organization__path__startswith=prefix).aggregate(**{
        day.isoformat(): Count("pk", filter=Q(start_date__lte=day, person__party_member__admission_date__lte=day)
                               & (Q(end_date__isnull=True) | Q(end_date__gt=day))) for day in days}) if days else {}
    for year, (increases, decreases) in sorted(changes.items()):
        before, after = members[f"{year - 1}-12-31"], members[f"{year}-12-31"]
        if before + increases - decreases != after:
            problems.append(f"{year}年：上年底 {before} 名 + 增加 {increases} − 减少 {decreases} ≠ 年底 {after} 名")
    return problems


# ==================================================================================================
# The demo's party life (issue #11): meeting counts follow the attendance rows, secretaries qualify
# ==================================================================================================
def verify_life(root) -> list[str]:
    """Problems (Chinese, empty when none) of the demo's officers and meetings under ``root``:

    - every meeting with attendance rows has 应到 (``expected_count``) = its rows and 实到
      (``attended_count``) = its 出席 rows, and 实到 ≤ 应到 (《中国共产党支部工作条例（试行）》: a meeting record
      states 应到、实到 and the absentees; ``life.models.Meeting``);
    - every 书记 post is held by a member of that organization on its first day with ≥ 1 year of party
      standing (党龄 from 转正, 《党章》第七条) then (《中国共产党支部工作条例（试行）》第二十三条), and no organization
      has two open 书记 posts.

    Three queries (one group-by over the meetings, the secretary posts, their memberships); unscoped: a
    maintenance check of generated data."""
    from django.db.models import Count, F, Q

    from zugong.branches.models import BranchOfficer
    from zugong.core.dates import add_years
    from zugong.life.models import Meeting
    from zugong.party.models import Membership

    prefix = root.path
    problems = []
    wrong = (Meeting.objects.filter(organization__path__startswith=prefix)
             .annotate(rows=Count("attendances"), came=Count("attendances", filter=Q(attendances__status="present")))
             .filter(Q(rows__gt=0) & (~Q(expected_count=F("rows")) | ~Q(attended_count=F("came")))
                     | Q(attended_count__gt=F("expected_count")))
             .values_list("pk", "expected_count", "attended_count", "rows", "came"))
    for pk, expected, attended, rows, came in wrong[:20]:
        problems.append(f"会议 #{pk}：应到 {expected}、实到 {attended}，出席记录 {rows} 条、出席 {came} 人")
    posts = list(BranchOfficer.objects.filter(organization__path__startswith=prefix, role="secretary").values_list(
        "pk", "organization_id", "person_id", "start_date", "end_date", "person__party_member__full_membership_date"))
    periods: dict[tuple[int, int], list] = {}
    for person, org, start, end in Membership.objects.filter(
            person_id__in=[p[2] for p in posts], organization__path__startswith=prefix).values_list(
            "person_id", "organization_id", "start_date", "end_date"):
        periods.setdefault((person, org), []).append((start, end))
    open_posts: set[int] = set()
    for pk, org, person, start, end, full in posts:
        if full is None or add_years(full, 1) > start:
            problems.append(f"书记任职 #{pk}：任职时党龄不足1年")
        if not any(s <= start and (e is None or e > start) for s, e in periods.get((person, org), [])):
            problems.append(f"书记任职 #{pk}：任职时不是本组织党员")
        if end is None:
            if org in open_posts:
                problems.append(f"党组织 #{org} 有两名在任书记")
            open_posts.add(org)
    return problems


# ==================================================================================================
# The demo's branch building (issue #11): certificates, gradings, development steps follow the services' rules
# ==================================================================================================
def verify_building(root) -> list[str]:
    """Problems (Chinese, empty when none) of the demo's certification, grading and development rows under
    ``root`` — the rules of the services that would have written them:

    - a certificate has a passed training of its holder (score ≥ the pass mark) with the exam within
      ``exam_years`` before the issue date, and the holder is a member on the issue date
      (``branches.certification``);
    - a grading's total is the sum of its scores, each within 0 … the criterion's 满分, its level is
      ``level_for`` of the total, a 示范党支部 is at the top level and not on that year's 软弱涣散 list; a
      verified 软弱涣散 entry was rectified first, not before its listing (``grading.services``);
    - a development record's steps are in order without gaps (1..n, none before the previous one's date), the
      repeatable 6 at least once before 7 and 21 before 22, 3/7/15 on the record's activist/candidate/admission
      dates, 7 ≥ 3 + 1 year, 17 within three months of 15, 23 not before the 预备期 is full; the votes carry
      over half of 应到 present and in favour; 5 has 1–2 mentors and 9 two sponsors, full members that day
      (``development.services``, 《中国共产党发展党员工作细则》);
    - an admitted record whose person left during the 预备期 (no membership open, no 转正日期 on or before the
      end of the last one) is closed on that leaving day, with no step after it; no other admitted record is
      closed.

    A handful of queries; unscoped: a maintenance check of generated data."""
    from decimal import Decimal

    from zugong.branches.certification import certification_rules
    from zugong.branches.models import SecretaryCertificate
    from zugong.core.dates import add_years
    from zugong.development.models import DevelopmentParticipant, DevelopmentStep
    from zugong.grading.models import BranchGrading, GradingLevel, GradingScore, WeakBranch
    from zugong.grading.validators import level_for, top_level
    from zugong.party.lifecycle import add_months
    from zugong.party.models import DevelopmentRecord, Membership, PartyMember

    prefix = root.path
    problems: list[str] = []
    rules = certification_rules()
    periods: dict[int, list] = {}
    for person, start, end in Membership.objects.filter(person__organization__path__startswith=prefix).values_list(
            "person_id", "start_date", "end_date"):
        periods.setdefault(person, []).append((start, end))

    def member_on(person, day):
        return any(s <= day and (e is None or e > day) for s, e in periods.get(person, ()))

    full = dict(PartyMember.objects.filter(person__organization__path__startswith=prefix).values_list(
        "person_id", "full_membership_date"))
    for pk, person, issued, until, passed, exam, score, t_person in SecretaryCertificate.objects.filter(
            organization__path__startswith=prefix).values_list(
            "pk", "person_id", "issued_date", "valid_until", "training__passed", "training__exam_date",
            "training__exam_score", "training__person_id"):
        if not passed or t_person != person or score is None or score < rules.pass_mark:
            problems.append(f"证书 #{pk}：依据的培训考试不合格或不是本人的")
        elif not add_years(issued, -rules.exam_years) <= exam <= issued:
            problems.append(f"证书 #{pk}：考试日期不在发证前 {rules.exam_years} 年内")
        if until <= issued or not member_on(person, issued):
            problems.append(f"证书 #{pk}：有效期或发证时的党员身份不符")

    levels: dict[int, list] = {}
    for level in GradingLevel.objects.all():
        levels.setdefault(level.scheme_id, []).append(level)
    sums: dict[int, Decimal] = {}
    for grading, score, top in GradingScore.objects.filter(grading__organization__path__startswith=prefix).values_list(
            "grading_id", "score", "criterion__max_score"):
        sums[grading] = sums.get(grading, Decimal(0)) + score
        if not 0 <= score <= top:
            problems.append(f"评定 #{grading}：得分 {score} 超出范围")
    weak = {(org, year): (rectified, verified, identified) for org, year, identified, rectified, verified in
            WeakBranch.objects.filter(organization__path__startswith=prefix).values_list(
                "organization_id", "year", "identified_on", "rectified_on", "verified_on")}
    for pk, org, scheme, year, total, level, model in BranchGrading.objects.filter(
            organization__path__startswith=prefix).values_list("pk", "organization_id", "scheme_id", "year", "total",
                                                                "level_id", "designated_model"):
        expected = level_for(levels.get(scheme, []), total)
        if sums.get(pk) != total or (expected.pk if expected else None) != level:
            problems.append(f"评定 #{pk}：总分或等次与评分不符")
        if model and (level != top_level(levels.get(scheme, [])).pk or (org, year) in weak):
            problems.append(f"评定 #{pk}：示范党支部不是最高等次或已列入软弱涣散名单")
    for (org, year), (rectified, verified, identified) in weak.items():
        if (verified and not rectified) or (rectified and rectified < identified) or (
                verified and verified < rectified):
            problems.append(f"软弱涣散 党组织 #{org} {year}：整改、验收日期不符")

    records = {}
    closed_on = {}
    for pk, person, application, activist, candidate, admission, closed in DevelopmentRecord.objects.filter(
            organization__path__startswith=prefix).values_list(
            "pk", "person_id", "application_date", "activist_date", "candidate_date", "admission_date", "closed_date"):
        records[pk] = (application, activist, candidate, admission)
        closed_on[pk] = closed
        if admission is None:
            continue
        spans = periods.get(person, ())
        left = None if not spans or any(e is None for _, e in spans) else max(e for _, e in spans)
        expected = left if left is not None and (full.get(person) is None or full[person] > left) else None
        if closed != expected and expected is not None:
            problems.append(f"发展党员记录 #{pk}：预备期内离开组织，应于离开之日 {expected} 终止培养，实为 {closed}")
        elif closed != expected:
            problems.append(f"发展党员记录 #{pk}：未在预备期内离开却登记了终止培养日期 {closed}")
    steps: dict[int, list] = {}
    for record, number, day, expected, present, favour in DevelopmentStep.objects.filter(
            record__organization__path__startswith=prefix).order_by("record_id", "pk").values_list(
            "record_id", "step", "date", "votes_expected", "votes_present", "votes_in_favour"):
        steps.setdefault(record, []).append((number, day, expected, present, favour))
    people: dict[tuple[int, str], list] = {}
    for record, person, role, start in DevelopmentParticipant.objects.filter(
            record__organization__path__startswith=prefix).values_list("record_id", "person_id", "role", "start_date"):
        people.setdefault((record, role), []).append((person, start))
    for record, rows in steps.items():
        application, activist, candidate, admission = records[record]
        if closed_on.get(record) is not None and any(d > closed_on[record] for _, d, *_ in rows):
            problems.append(f"发展党员记录 #{record}：终止培养日期 {closed_on[record]} 之后仍有步骤")
        numbers = [n for n, *_ in rows]
        distinct = list(dict.fromkeys(numbers))
        dates = [d for _, d, *_ in rows]
        if distinct != list(range(1, len(distinct) + 1)) or dates != sorted(dates) or any(
                b < a for a, b in zip(numbers, numbers[1:], strict=False) if a < 21):
            problems.append(f"发展党员记录 #{record}：步骤不连续或顺序不符")
            continue
        day = {}
        for n, d, *_ in rows:
            day.setdefault(n, d)  # the first time each step was recorded
        stage = {3: activist, 7: candidate, 15: admission, 1: application}
        if any(n in day and day[n] != d for n, d in stage.items()):
            problems.append(f"发展党员记录 #{record}：步骤日期与阶段日期不符")
        if 7 in day and day[7] < add_years(day[3], 1):
            problems.append(f"发展党员记录 #{record}：确定为积极分子未满一年即列为发展对象")
        if 17 in day and day[17] > add_months(day[15], 3):
            problems.append(f"发展党员记录 #{record}：上级党委审批超过三个月")
        if 23 in day and day[23] < add_years(admission, 1):
            problems.append(f"发展党员记录 #{record}：预备期未满即讨论转正")
        for n, _d, expected, present, favour in rows:
            if n in (15, 23) and not (expected and present * 2 > expected and favour * 2 > expected
                                      and favour <= present <= expected):
                problems.append(f"发展党员记录 #{record}：第{n}步表决人数不符")
        for number, role, low, high in ((5, "mentor", 1, 2), (9, "sponsor", 2, 2)):
            if number not in day:
                continue
            assigned = [p for p, s in people.get((record, role), []) if s <= day[number]]
            if not low <= len(assigned) <= high or any(
                    full.get(p) is None or full[p] > day[number] or not member_on(p, day[number]) for p in assigned):
                problems.append(f"发展党员记录 #{record}：第{number}步的培养联系人或入党介绍人不符")
    return problems


# ==================================================================================================
# The demo's cadre work (issue #12): the rows follow the rules of the cadre services
# ==================================================================================================
def verify_cadres(unit_root) -> list[str]:
    """Problems (Chinese, empty when none) of the demo's cadre rows under the unit ``unit_root`` — the
    rules the cadre services enforce:

    - no post has more holders on one day than ``max_holders`` (a single-holder post: no overlapping
      appointments), every removal (免职) is on or after its appointment, every appointment is to a post
      that exists on its start date;
    - quotas and establishment counts are ≥ 0; every unit with posts has a quota for each level of its posts
      that count against the quota;
    - a cadre holds at most one main (non-concurrent) post on ``REF``; every cadre has a continuous résumé
      apart from the planned gaps (checked by the tests), 3–6 family members and one assessment per year.

    A handful of queries; unscoped: a maintenance check of generated data."""
    from django.db.models import Count

    from zugong.cadres.models import Appointment, Cadre, Establishment, FamilyMember, Post, PostQuota
    from zugong.demo.planning import REF

    prefix = unit_root.path
    problems: list[str] = []
    posts = {pk: (unit, level, holders, start, counts) for pk, unit, level, holders, start, counts in Post.objects.filter(
        unit__path__startswith=prefix).values_list("pk", "unit_id", "level", "max_holders", "start_date",
                                                   "counts_against_quota")}
    spans: dict[int, list] = {}
    main_on_ref: dict[int, int] = {}
    for pk, cadre, post, start, end, concurrent in Appointment.objects.filter(
            post__unit__path__startswith=prefix).values_list("pk", "cadre_id", "post_id", "start_date", "end_date",
                                                             "concurrent"):
        if end is not None and end < start:
            problems.append(f"任免记录 #{pk}：免职日期早于任职日期")
        if start < posts[post][3]:
            problems.append(f"任免记录 #{pk}：任职时岗位尚未设立")
        spans.setdefault(post, []).append((start, end))
        if not concurrent and start <= REF and (end is None or end > REF):
            main_on_ref[cadre] = main_on_ref.get(cadre, 0) + 1
    for post, rows in spans.items():
        days = sorted({start for start, _ in rows})
        for day in days:
            held = sum(1 for start, end in rows if start <= day and (end is None or end > day))
            if held > posts[post][2]:
                problems.append(f"岗位 #{post}：{day} 有 {held} 人任职，超过可任职人数 {posts[post][2]}")
                break
    problems += [f"干部 #{cadre}：同时担任 {count} 个主要职务" for cadre, count in main_on_ref.items() if count > 1]
    if PostQuota.objects.filter(unit__path__startswith=prefix, count__lt=0).exists() or Establishment.objects.filter(
            unit__path__startswith=prefix, count__lt=0).exists():
        problems.append("存在小于 0 的职数或编制数")
    quotas = set(PostQuota.objects.filter(unit__path__startswith=prefix).values_list("unit_id", "level"))
    for unit, level, _, _, counts in posts.values():
        if counts and (unit, level) not in quotas:
            problems.append(f"单位 #{unit}：{level} 级岗位没有核定职数")
            break
    cadres = Cadre.objects.filter(unit__path__startswith=prefix)
    family = dict(FamilyMember.objects.filter(cadre__in=cadres).values("cadre_id").annotate(n=Count("pk"))
                  .values_list("cadre_id", "n"))
    for pk in cadres.values_list("pk", flat=True):
        if not 3 <= family.get(pk, 0) <= 6:
            problems.append(f"干部 #{pk}：家庭成员 {family.get(pk, 0)} 人")
            break
    return problems
