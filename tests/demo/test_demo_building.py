"""The demo's branch building (issue #11, ``zugong.demo.building``): secretaries' certificates on the
rule of ``branches.certification`` (≈ 90 % certified on 2023-12-31, some expiring, some expired), 2023 「五好」
gradings whose total and level are the services' (示范党支部 at the top level only, never on the 软弱涣散 list),
development steps consistent with each record's stage dates and the guards of ``development.services``, and
the same rows on every run — at 1:100,000 (992 members, ~45 branches)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from zugong.branches.certification import certification_rules, valid_on
from zugong.branches.models import BranchOfficer, SecretaryCertificate, TrainingRecord
from zugong.demo.checks import verify_building
from zugong.demo.generator import demo_reset, demo_root, generate
from zugong.development.models import DevelopmentParticipant, DevelopmentStep
from zugong.development.services import full_members_on, is_full_member_on, legal_next_steps
from zugong.grading.models import BranchGrading, GradingScore, WeakBranch
from zugong.grading.validators import level_for, top_level
from zugong.party.lifecycle import add_months
from zugong.party.models import DevelopmentRecord

REF = dt.date(2023, 12, 31)


@pytest.fixture
def demo(db):
    return generate(scale=100_000, seed=2023, workers=0)


def test_certificates_follow_the_rule(demo):
    """Most secretaries in post on REF hold a certificate valid that day, issued on a passed exam within two
    years before; some expire within 90 days, some expired during 2023; the check agrees."""
    rules = certification_rules()
    secretaries = set(BranchOfficer.objects.filter(role="secretary", start_date__lte=REF).exclude(
        end_date__lte=REF).values_list("person_id", flat=True))
    valid = set(SecretaryCertificate.objects.filter(valid_on(REF)).values_list("person_id", flat=True))
    assert 0.8 <= len(secretaries & valid) / len(secretaries) < 1
    assert SecretaryCertificate.objects.filter(valid_until__gt=REF, valid_until__lte=REF + dt.timedelta(90)).exists()
    assert SecretaryCertificate.objects.filter(valid_until__lt=REF).exists()
    for c in SecretaryCertificate.objects.select_related("training"):
        assert c.person_id in secretaries
        assert c.training.passed and c.training.person_id == c.person_id and c.training.exam_score >= rules.pass_mark
        assert c.issued_date - dt.timedelta(days=730) <= c.training.exam_date <= c.issued_date <= REF
    assert not TrainingRecord.objects.filter(passed=True, exam_score__lt=rules.pass_mark).exists()
    assert verify_building(demo_root()) == []


def test_gradings_total_and_level_as_the_services(demo):
    """Every active branch is graded for 2023 on 五好: total = the sum of its five scores, level =
    ``level_for``; 示范党支部 only at the top level and not on the 软弱涣散 list; the weak list has entries in every
    state, verified ones rectified first."""
    gradings = list(BranchGrading.objects.select_related("scheme"))
    assert gradings and {g.scheme.code for g in gradings} == {"five_good"} and {g.year for g in gradings} == {2023}
    scores = defaultdict(list)
    for s in GradingScore.objects.select_related("criterion"):
        assert 0 <= s.score <= s.criterion.max_score
        scores[s.grading_id].append(s.score)
    weak = {(w.organization_id, w.year) for w in WeakBranch.objects.all()}
    levels = list(gradings[0].scheme.levels.all())
    for g in gradings:
        assert len(scores[g.pk]) == 5 and sum(scores[g.pk]) == g.total
        assert g.level_id == level_for(levels, g.total).pk
        if g.designated_model:
            assert g.level_id == top_level(levels).pk and (g.organization_id, g.year) not in weak
    assert any(g.designated_model for g in gradings) and len({g.level_id for g in gradings}) >= 3
    states = {w.status for w in WeakBranch.objects.all()}
    assert states == {"rectifying", "rectified", "verified"}
    for w in WeakBranch.objects.all():
        assert w.categories and (w.rectified_on is None or w.rectified_on >= w.identified_on)


def test_development_steps_match_the_stage_dates(demo):
    """Each record's steps follow its stage (application → 1–2, activist → 3–6, candidate → 7–11, admitted
    → 15 on the admission date, 17 within three months); the next step the service would allow after the
    written ones is a real next step; sponsors are full members on step 9's day; 应到 of the votes is
    ``full_members_on``."""
    records = {r.pk: r for r in DevelopmentRecord.objects.all()}
    steps = defaultdict(list)
    for s in DevelopmentStep.objects.order_by("date", "pk"):
        steps[s.record_id].append(s)
    assert steps
    for pk, rows in steps.items():
        r = records[pk]
        day = {s.step: s.date for s in rows}
        assert day[1] == r.application_date and max(day.values()) <= REF
        if r.activist_date:
            assert day[3] == r.activist_date and (6 in day) == (add_months(r.activist_date, 6) <= REF)
        else:
            assert max(day) <= 2
        if r.candidate_date:
            assert day[7] == r.candidate_date
        if r.admission_date and 15 in day:
            assert day[15] == r.admission_date and day[17] <= add_months(day[15], 3)
            vote = next(s for s in rows if s.step == 15)
            assert vote.votes_expected == full_members_on(r.organization_id, vote.date)
            assert vote.votes_in_favour * 2 > vote.votes_expected
        assert legal_next_steps(r, rows) != [] or 25 in day or r.closed_date is not None
    for p in DevelopmentParticipant.objects.filter(role="sponsor").select_related("record"):
        assert is_full_member_on(p.person_id, p.start_date) and p.person_id != p.record.person_id
    assert DevelopmentStep.objects.filter(step=25).exists() and DevelopmentStep.objects.filter(step=2).exists()


def test_records_of_members_who_left_in_probation_are_closed(demo):
    """A member who left during the 预备期 (转出, 取消预备党员资格, 死亡 …: no open membership, no 转正日期) has
    the development record closed on the leaving day — not an open pipeline; every other admitted record is
    open; the demo's check says so and catches a record left open."""
    from zugong.party.models import Membership, PartyMember

    admitted = DevelopmentRecord.objects.filter(admission_date__isnull=False)
    left = []
    for r in admitted:
        spans = list(Membership.objects.filter(person_id=r.person_id).values_list("end_date", flat=True))
        full = PartyMember.objects.get(pk=r.person_id).full_membership_date
        if spans and None not in spans and (full is None or full > max(spans)):
            left.append(r)
            assert r.closed_date == max(spans), r.pk
        else:
            assert r.closed_date is None, r.pk
    assert left, "the demo has members who left during the 预备期"
    assert not DevelopmentRecord.objects.filter(admission_date__isnull=True, closed_date__isnull=False).exists()
    assert verify_building(demo_root()) == []
    DevelopmentRecord.objects.filter(pk=left[0].pk).update(closed_date=None)
    assert verify_building(demo_root()) == [
        f"发展党员记录 #{left[0].pk}：预备期内离开组织，应于离开之日 {left[0].closed_date} 终止培养，实为 None"]


def _snapshot():
    return (list(SecretaryCertificate.objects.order_by("pk").values_list("number", "issued_date", "valid_until")),
            list(GradingScore.objects.order_by("pk").values_list("score", "criterion__code")),
            list(WeakBranch.objects.order_by("pk").values_list("organization__code", "identified_on", "rectified_on")),
            list(DevelopmentStep.objects.order_by("pk").values_list("record__person__name", "step", "date",
                                                                    "votes_expected")))


def test_same_rows_on_every_run_and_reset_removes_them(demo):
    first = _snapshot()
    assert all(first)
    demo_reset()
    for model in (TrainingRecord, SecretaryCertificate, BranchGrading, GradingScore, WeakBranch, DevelopmentStep,
                  DevelopmentParticipant):
        assert not model.objects.exists(), model.__name__
    summary = generate(scale=100_000, seed=2023, workers=0)
    assert _snapshot() == first
    assert summary.building["steps"] == len(first[3])


def test_building_that_does_not_verify_writes_nothing(db, monkeypatch):
    from zugong.core.errors import ZugongError
    from zugong.demo import checks

    monkeypatch.setattr(checks, "verify_building", lambda root: ["证书 #1：依据的培训考试不合格或不是本人的"])
    with pytest.raises(ZugongError, match="党支部建设和发展党员记录不一致"):
        generate(scale=100_000, seed=2023, workers=0)
    assert not SecretaryCertificate.objects.exists() and not DevelopmentStep.objects.exists()
