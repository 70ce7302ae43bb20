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
