"""The demo's party life (issue #11, ``zugong.demo.life``): branch officers who qualify, a year of meetings
whose 应到 / 实到 follow their attendance rows and whose attendees are on the branch's roster that day, the
planned exceptions (书记空缺, 应设未设支委会, 书记调整, missed months and quarters), and the same rows on every
run — at 1:100,000 (992 members, ~45 branches), where each exception still occurs."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

import chinese_calendar
import pytest
from django.db.models import Exists, OuterRef, Q

from zugong.branches.models import BranchOfficer
from zugong.core.codes import ORG_TYPES_BRANCH
from zugong.core.dates import add_years
from zugong.demo import life as L
from zugong.demo.checks import verify_life
from zugong.demo.generator import demo_reset, demo_root, generate
from zugong.life.models import Meeting, MeetingAttendance
from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership, MemberStatus, PartyMember

REF = dt.date(2023, 12, 31)
START = dt.date(2023, 1, 1)


@pytest.fixture
def demo(db):
    return generate(scale=100_000, seed=2023, workers=0)


def _branches():
    return list(PartyOrganization.objects.filter(path__startswith=demo_root().path, org_type__in=ORG_TYPES_BRANCH,
                                                 dissolved_date__isnull=True).order_by("path"))


def _planned(share: float, pool: int) -> int:
    count = round(share * pool)
    return count if count or pool < L.EXAMPLES_FROM else 1


def _member_on(person_id: int, org_id: int, day: dt.date) -> bool:
    return Membership.objects.on(day).filter(person_id=person_id, organization_id=org_id).exists()


def _full_members_on(org_id: int, day: dt.date) -> int:
    return Membership.objects.on(day).filter(organization_id=org_id,
                                             person__party_member__full_membership_date__lte=day).count()


def test_officers_qualify(demo):
    """Every active branch has a 书记 who is a member of it on every day of the post with ≥ 1 year of
    standing (from 转正) on its first day, never two at once; branches with ≥ 7 full members have a committee
    of 3–5 posts held by full members; the planned exceptions are there in their planned numbers."""
    branches = _branches()
    assert len(branches) >= L.EXAMPLES_FROM
    full = dict(PartyMember.objects.values_list("person_id", "full_membership_date"))
    vacant, changed, big, without_committee = [], [], [], []
    for org in branches:
        posts = list(BranchOfficer.objects.filter(organization=org).order_by("start_date", "pk"))
        secretaries = [p for p in posts if p.role == "secretary"]
        assert secretaries, org.name
        for p in posts:
            last = p.end_date - dt.timedelta(days=1) if p.end_date else REF
            for day in (p.start_date, last):
                assert _member_on(p.person_id, org.pk, day), (org.name, p.role, day)
            assert full[p.person_id] is not None and full[p.person_id] <= p.start_date
            if p.end_date is None:
                assert Membership.objects.filter(person_id=p.person_id, organization=org, end_date__isnull=True,
                                                 start_date__lte=p.start_date).exists()
        for p in secretaries:
            assert add_years(full[p.person_id], 1) <= p.start_date, (org.name, p.start_date)
        for a, b in zip(secretaries, secretaries[1:], strict=False):
            assert a.end_date is not None and a.end_date <= b.start_date  # never two at once
        assert sum(1 for p in secretaries if p.end_date is None) <= 1
        if secretaries[-1].end_date is not None:
            assert START <= secretaries[-1].end_date <= REF
            vacant.append(org)
        if len(secretaries) == 2 and secretaries[0].end_date == secretaries[1].start_date and \
                secretaries[0].person_id != secretaries[1].person_id and secretaries[0].end_date.year == 2023:
            changed.append(org)
        held = [p for p in posts if p.start_date <= REF and (p.end_date is None or p.end_date > REF)]
        if _full_members_on(org.pk, REF) >= L.COMMITTEE_FROM:
            big.append(org)
            if len(held) < 3:
                without_committee.append(org)
            else:
                assert len(held) <= 5 and len({p.person_id for p in held}) == len(held)
        else:
            assert len(held) <= 2
    assert len(vacant) == _planned(L.VACANT_SHARE, len(branches))
    assert len(without_committee) >= _planned(L.NO_COMMITTEE_SHARE, len(big)) >= 1
    assert len(without_committee) <= _planned(L.NO_COMMITTEE_SHARE, len(big)) + 1
    assert len(changed) >= _planned(L.CHANGED_SHARE, len(branches))
    assert BranchOfficer.objects.filter(role__in=("organization_member", "propaganda_member")).exists()


def test_meetings_follow_their_attendance(demo):
    """应到 = attendance rows, 实到 = 出席 rows ≤ 应到; every attendee is on the branch's roster that day (a
    支委会's are the officers holding posts that day); 流动党员 are marked; the presenter came; one 书记讲党课
    per branch given by the secretary of the day; every meeting on a working day of 2023."""
    root = demo_root()
    assert verify_life(root) == []
    meetings = Meeting.objects.filter(organization__path__startswith=root.path)
    assert meetings.count() > 500
    rows = defaultdict(list)
    for meeting_id, person_id, status, mobile, name in MeetingAttendance.objects.values_list(
            "meeting_id", "person_id", "status", "mobile", "person__name"):
        rows[meeting_id].append((person_id, status, mobile, name))
    for m in meetings:
        people = rows[m.pk]
        assert m.expected_count == len(people) > 0
        assert m.attended_count == sum(1 for _, status, _, _ in people if status == "present") <= m.expected_count
        assert START <= m.date <= REF and chinese_calendar.is_workday(m.date), m.date
        assert any(name == m.presenter and status == "present" for _, status, _, name in people), m
    on_roster = Membership.objects.filter(person_id=OuterRef("person_id"), organization_id=OuterRef("meeting__organization_id"),
                                          start_date__lte=OuterRef("meeting__date")).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=OuterRef("meeting__date")))
    assert not MeetingAttendance.objects.filter(~Exists(on_roster)).exists()
    holds = BranchOfficer.objects.filter(person_id=OuterRef("person_id"), organization_id=OuterRef("meeting__organization_id"),
                                         start_date__lte=OuterRef("meeting__date")).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=OuterRef("meeting__date")))
    committee = MeetingAttendance.objects.filter(meeting__meeting_type="committee_meeting")
    assert committee.exists() and not committee.filter(~Exists(holds)).exists()
    away = MemberStatus.objects.filter(person_id=OuterRef("person_id"), kind="mobile",
                                       start_date__lte=OuterRef("meeting__date")).filter(
        Q(end_date__isnull=True) | Q(end_date__gt=OuterRef("meeting__date")))
    marked = MeetingAttendance.objects.filter(mobile=True)
    assert marked.exists() and not marked.filter(~Exists(away)).exists()
    assert not MeetingAttendance.objects.filter(mobile=False).filter(Exists(away)).exists()
    assert not MeetingAttendance.objects.exclude(status="present").filter(reason="").exists()
    present = MeetingAttendance.objects.filter(status="present").count() / MeetingAttendance.objects.count()
    assert 0.85 < present < 0.95
    lectures = meetings.filter(secretary_lecture=True)
    assert lectures.exists() and not lectures.exclude(meeting_type="party_lecture").exists()
    assert max(Counter(lectures.values_list("organization_id", flat=True)).values()) == 1
    for lecture in lectures:
        secretary = BranchOfficer.objects.filter(organization_id=lecture.organization_id, role="secretary",
                                                 start_date__lte=lecture.date).filter(
            Q(end_date__isnull=True) | Q(end_date__gt=lecture.date)).get()
        assert lecture.lecturer == secretary.person.name
    assert set(meetings.values_list("meeting_type", flat=True)) == {
        "theme_day", "committee_meeting", "general_meeting", "party_lecture", "organizational_life_meeting",
        "member_evaluation", "heart_to_heart_talk"}


def test_planned_gaps(demo):
    """About 10 % of the branches miss the 主题党日 of some months (so the 晾晒 ranks them), about 2 % one
    quarter's 支部党员大会; the other branches that had members all year hold every one."""
    old = [org for org in _branches() if org.founded_date < START
           and Membership.objects.on(START).filter(organization=org).exists()]
    months = Counter(Meeting.objects.filter(meeting_type="theme_day", organization__in=old)
                     .values_list("organization_id", flat=True))
    quarters = Counter(Meeting.objects.filter(meeting_type="general_meeting", organization__in=old)
                       .values_list("organization_id", flat=True))
    all_branches = len(_branches())
    missing_months = [org for org in old if months[org.pk] < 12]
    missing_quarter = [org for org in old if quarters[org.pk] < 4]
    assert 1 <= len(missing_months) <= _planned(L.MISSING_MONTHS_SHARE, all_branches)
    assert len(missing_months) >= _planned(L.MISSING_MONTHS_SHARE, all_branches) - 1
    assert all(months[org.pk] >= 8 for org in old)
    assert 1 <= len(missing_quarter) <= _planned(L.MISSING_QUARTER_SHARE, all_branches)
    assert all(quarters[org.pk] == 3 for org in missing_quarter)


def _snapshot() -> tuple:
    """Everything ``demo.life`` wrote, without keys (organizations by code, people by name and birth)."""
    officers = sorted(BranchOfficer.objects.values_list("organization__code", "person__name", "person__birth_date",
                                                        "role", "start_date", "end_date", "note"))
    meetings = sorted(Meeting.objects.values_list("organization__code", "date", "meeting_type", "topic", "presenter",
                                                  "recorder", "lecturer", "secretary_lecture", "location",
                                                  "expected_count", "attended_count", "minutes"))
    attendance = sorted(MeetingAttendance.objects.values_list(
        "meeting__organization__code", "meeting__date", "meeting__meeting_type", "person__name",
        "person__birth_date", "status", "reason", "mobile"))
    return officers, meetings, attendance


def test_same_rows_on_every_run_and_reset_removes_them(demo):
    first = _snapshot()
    assert all(first)
    demo_reset()
    for model in (BranchOfficer, Meeting, MeetingAttendance):
        assert not model.objects.exists(), model.__name__
    summary = generate(scale=100_000, seed=2023, workers=0)
    assert _snapshot() == first
    assert summary.life == {"officers": len(first[0]), "meetings": len(first[1]), "attendances": len(first[2])}


def test_a_life_that_does_not_verify_writes_nothing(db, monkeypatch):
    """The generator checks the meetings before committing; a failure (a generator bug) rolls everything
    back. ``life=False`` writes no officers and no meetings."""
    from zugong.core.errors import ZugongError
    from zugong.demo import checks

    monkeypatch.setattr(checks, "verify_life", lambda root: ["会议 #1：应到 3、实到 4，出席记录 3 条、出席 3 人"])
    with pytest.raises(ZugongError, match="组织生活记录不一致"):
        generate(scale=100_000, seed=2023, workers=0)
    assert not PartyOrganization.objects.exists() and not Meeting.objects.exists()
    summary = generate(scale=100_000, seed=2023, workers=0, life=False)
    assert summary.life == {} and not BranchOfficer.objects.exists() and not Meeting.objects.exists()
