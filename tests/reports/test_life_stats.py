"""组织生活统计 (issue #11 item 7): ``reports.life_stats`` figures against plain Python counts, the period and
subtree boundaries, development stages, the 民主评议党员 service's refusals and 第八表, and the page / API /
CLI sharing one JSON."""

from __future__ import annotations

import datetime as dt
import io
import json
import random

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import PASSWORD, make_member
from zugong.audit.models import AuditEvent
from zugong.core.errors import OutOfScope, ValidationFailed
from zugong.life.choices import MEETING_TYPE
from zugong.life.evaluations import member_evaluation_record
from zugong.life.models import Meeting, MemberEvaluation
from zugong.party.models import DevelopmentRecord, MembershipEvent
from zugong.reports.life_stats import SECTIONS, life_stats_json, parse_period
from zugong.reports.services import share

START, END = dt.date(2023, 3, 1), dt.date(2023, 9, 30)


def _meeting(org, day, kind="general_meeting", expected=10, attended=8):
    return Meeting.objects.create(organization=org, meeting_type=kind, date=day, topic=f"{kind} {day}",
                                  expected_count=expected, attended_count=attended)


def _stats(user, org, start=START, end=END):
    return life_stats_json(user=user, organization=org, start=start, end=end)


# ----- meetings ------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_meeting_figures_match_a_plain_count_over_seeded_meetings(tree):
    """~60 meetings spread over A1, A2 (subtree of 甲镇) and B1 (foreign), dates around the period: the
    figures of 甲镇 equal a Python count over the generated rows in the subtree and the period."""
    rng = random.Random(20231101)
    kinds = list(MEETING_TYPE.entries)
    made = []
    for _ in range(60):
        org = rng.choice([tree.branch_a1, tree.branch_a2, tree.branch_b1])
        day = dt.date(2023, 1, 1) + dt.timedelta(days=rng.randrange(0, 365))
        expected = rng.randrange(3, 30)
        attended = rng.randrange(0, expected + 1)
        made.append((org.code, kinds[rng.randrange(len(kinds))], day, expected, attended))
        _meeting(org, day, made[-1][1], expected, attended)
    data = _stats(tree.county_user, tree.town_a)["meetings"]
    inside = [m for m in made if m[0].startswith("C-A") and START <= m[2] <= END]
    assert inside and len(inside) < len(made)  # the seed puts meetings on both sides of every boundary
    for code, label in MEETING_TYPE.entries.items():
        rows = [m for m in inside if m[1] == code]
        expected, attended = sum(m[3] for m in rows), sum(m[4] for m in rows)
        assert data["按会议类型"][label] == {"次数": len(rows), "应到": expected, "实到": attended,
                                        "出席率": share(attended, expected)}, label
    assert data["合计"]["次数"] == len(inside)
    assert data["合计"]["应到"] == sum(m[3] for m in inside)
    assert data["合计"]["实到"] == sum(m[4] for m in inside)


@pytest.mark.django_db
def test_period_is_inclusive_at_both_ends(tree):
    for day in (START - dt.timedelta(days=1), START, END, END + dt.timedelta(days=1)):
        _meeting(tree.branch_a1, day, "party_lecture", expected=4, attended=3)
    row = _stats(tree.county_user, tree.town_a)["meetings"]["按会议类型"]["党课"]
    assert row == {"次数": 2, "应到": 8, "实到": 6, "出席率": 75.0}


@pytest.mark.django_db
def test_attendance_rate_is_one_decimal_and_null_without_expected(tree):
    _meeting(tree.branch_a1, START, "theme_day", expected=3, attended=2)
    _meeting(tree.branch_a1, START, "committee_meeting", expected=0, attended=0)
    rows = _stats(tree.county_user, tree.town_a)["meetings"]["按会议类型"]
    assert rows["主题党日"]["出席率"] == 66.7
    assert rows["支部委员会会议"] == {"次数": 1, "应到": 0, "实到": 0, "出席率": None}


@pytest.mark.django_db
def test_foreign_subtree_meetings_are_never_counted(tree):
    _meeting(tree.branch_b1, START, expected=50, attended=50)
    _meeting(tree.branch_a2, START, expected=5, attended=1)
    assert _stats(tree.county_user, tree.town_a)["meetings"]["合计"] == {"次数": 1, "应到": 5, "实到": 1, "出席率": 20.0}
    assert _stats(tree.county_user, tree.county)["meetings"]["合计"]["次数"] == 2
    # A1's secretary sees only A1: A2's meeting is outside even when asking for A1, and 甲镇 is out of scope
    assert _stats(tree.branch_user, tree.branch_a1)["meetings"]["合计"]["次数"] == 0
    with pytest.raises(OutOfScope):
        _stats(tree.branch_user, tree.town_a)


# ----- development -------------------------------------------------------------------------------------


def _record(org, person, **dates):
    return DevelopmentRecord.objects.create(organization=org, person=person, **dates)


@pytest.mark.django_db
def test_development_stages_cumulative_and_exclusive(tree):
    people = [make_member(tree.branch_a1, f"培养{i}") for i in range(7)]
    d = dt.date
    _record(tree.branch_a1, people[0], application_date=d(2023, 1, 5))                                  # applicant
    _record(tree.branch_a1, people[1], application_date=d(2022, 1, 5), activist_date=d(2022, 6, 1))      # activist
    _record(tree.branch_a2, people[2], application_date=d(2021, 1, 5), activist_date=d(2021, 6, 1),
            candidate_date=d(2022, 8, 1))                                                                 # candidate
    _record(tree.branch_a1, people[3], application_date=d(2020, 1, 5), activist_date=d(2020, 6, 1),
            candidate_date=d(2021, 8, 1), admission_date=d(2023, 6, 1))                                   # admitted in period
    _record(tree.branch_a1, people[4], application_date=d(2022, 1, 5), closed_date=d(2023, 2, 1))        # closed
    _record(tree.branch_a1, people[5], application_date=d(2023, 10, 5))                                   # after `to`
    _record(tree.branch_b1, people[6], application_date=d(2022, 1, 5))                                    # foreign
    # activist date after `to`: still only an applicant on `to`
    _record(tree.branch_a2, make_member(tree.branch_a2, "培养7"), application_date=d(2023, 1, 1),
            activist_date=d(2023, 10, 1))
    MembershipEvent.objects.create(person=tree.member_a1_1, kind="full_membership", date=END,
                                   organization=tree.branch_a1)
    MembershipEvent.objects.create(person=tree.member_a2_1, kind="full_membership", date=END + dt.timedelta(1),
                                   organization=tree.branch_a2)
    MembershipEvent.objects.create(person=tree.member_b1_1, kind="full_membership", date=START,
                                   organization=tree.branch_b1)
    dev = _stats(tree.county_user, tree.town_a)["development"]
    assert dev["累计口径"] == {"入党申请人": 4, "入党积极分子": 2, "发展对象": 1}  # like the 公报: applicants ⊇ activists ⊇ candidates
    assert dev["分阶段口径"] == {"入党申请人": 2, "入党积极分子": 1, "发展对象": 1}
    assert dev["发展党员"] == 1
    assert dev["转正"] == 1
    assert dev["截至日期"] == END.isoformat()


@pytest.mark.django_db
def test_development_cumulative_matches_the_communique_pipeline(tree):
    """The 累计口径 is the 公报's: the same numbers ``party_statistics`` gives for 入党申请人 / 入党积极分子."""
    from zugong.reports.services import party_statistics

    for i, dates in enumerate([{"application_date": dt.date(2023, 1, 5)},
                               {"application_date": dt.date(2022, 1, 5), "activist_date": dt.date(2022, 6, 1)},
                               {"application_date": dt.date(2021, 1, 5), "activist_date": dt.date(2021, 6, 1),
                                "candidate_date": dt.date(2023, 2, 1)}]):
        _record(tree.branch_a1, make_member(tree.branch_a1, f"公报{i}"), **dates)
    stats = party_statistics(user=tree.county_user, organization=tree.town_a, as_of=END)
    dev = _stats(tree.county_user, tree.town_a)["development"]["累计口径"]
    assert (dev["入党申请人"], dev["入党积极分子"]) == (stats["入党申请人"], stats["入党积极分子"]) == (3, 2)


# ----- 民主评议党员: the service -------------------------------------------------------------------------


def _snapshot():
    return MemberEvaluation.objects.count(), AuditEvent.objects.filter(kind="member_evaluation_record").count()


def _record_eval(tree, person, org=None, user=None, **kw):
    values = {"year": 2023, "result": "合格", "handling": ""} | kw
    return member_evaluation_record(user=user or tree.county_user, person_id=person.pk,
                                    organization_id=(org or tree.branch_a1).pk, **values)


@pytest.mark.django_db
def test_evaluation_record_writes_row_and_audit_event(tree):
    evaluation = _record_eval(tree, tree.member_a1_1, result="不合格", handling="限期改正", note="n")
    evaluation.refresh_from_db()
    assert (evaluation.result, evaluation.handling, evaluation.year) == ("unqualified", "rectify", 2023)
    event = AuditEvent.objects.get(kind="member_evaluation_record")
    assert event.object_id == str(evaluation.pk) and "不合格（限期改正）" in event.summary


BAD_INPUTS = [
    ({"year": "2O23"}, "评议年度", "评议年度「2O23」无效"),
    ({"year": 1900}, "评议年度", "1921 至"),
    ({"result": "良好"}, "评议结果", "无法识别的评议结果「良好」"),
    ({"result": ""}, "评议结果", "必填项为空"),
    ({"result": "不合格"}, "组织处置", "评议结果为不合格时必须填写组织处置"),
    ({"result": "不合格", "handling": "警告"}, "组织处置", "无法识别的组织处置「警告」"),
    ({"result": "合格", "handling": "劝退"}, "组织处置", "评议结果为「合格」时不填组织处置"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("values", "field", "text"), BAD_INPUTS)
def test_evaluation_bad_values_are_refused_and_nothing_written(tree, values, field, text):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as exc:
        _record_eval(tree, tree.member_a1_1, **values)
    assert text in exc.value.message
    assert any(e.column == field and text in e.reason for e in exc.value.errors)
    assert _snapshot() == before


@pytest.mark.django_db
def test_evaluation_of_a_non_member_of_the_organization_in_that_year_is_refused(tree):
    before = _snapshot()
    with pytest.raises(ValidationFailed) as exc:  # 阿依古丽 is a member of 乙镇机关党支部, not of A1
        _record_eval(tree, tree.member_b1_1)
    assert "该人员在 2023 年不是甲镇机关党支部的党员" in exc.value.message
    with pytest.raises(ValidationFailed) as exc:  # 李娜 was admitted on 2024-06-20
        _record_eval(tree, tree.member_a1_2, year=2023)
    assert "不是甲镇机关党支部的党员" in exc.value.message
    assert _snapshot() == before


@pytest.mark.django_db
def test_second_result_of_the_same_member_and_year_is_refused(tree):
    _record_eval(tree, tree.member_a1_1)
    before = _snapshot()
    with pytest.raises(ValidationFailed) as exc:
        _record_eval(tree, tree.member_a1_1, result="优秀")
    assert "该党员 2023 年度的民主评议结果已经登记" in exc.value.message
    assert _snapshot() == before
    assert MemberEvaluation.objects.get().result == "qualified"


@pytest.mark.django_db
def test_evaluation_meeting_must_be_a_member_evaluation_of_the_organization(tree):
    lecture = _meeting(tree.branch_a1, dt.date(2023, 12, 20), "party_lecture")
    other_org = _meeting(tree.branch_a2, dt.date(2023, 12, 20), "member_evaluation")
    too_late = _meeting(tree.branch_a1, dt.date(2025, 1, 10), "member_evaluation")
    before = _snapshot()
    for meeting, text in ((lecture, "所选会议不是民主评议党员会议"), (other_org, "所选会议不是该党组织召开的"),
                          (too_late, "与评议年度不符")):
        with pytest.raises(ValidationFailed) as exc:
            _record_eval(tree, tree.member_a1_1, meeting_id=meeting.pk)
        assert text in exc.value.message
    assert _snapshot() == before
    ok = _meeting(tree.branch_a1, dt.date(2024, 1, 15), "member_evaluation")  # 2023年度 held next January
    assert _record_eval(tree, tree.member_a1_1, meeting_id=ok.pk).meeting_id == ok.pk


@pytest.mark.django_db
def test_evaluation_at_an_organization_outside_the_change_scope_is_out_of_scope(tree):
    before = _snapshot()
    with pytest.raises(OutOfScope):
        _record_eval(tree, tree.member_b1_1, org=tree.branch_b1, user=tree.branch_user)
    assert _snapshot() == before


# ----- 第八表 ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_table_8_figures(tree):
    a1 = [tree.member_a1_1, *(make_member(tree.branch_a1, f"评议{i}") for i in range(4))]
    a2 = [tree.member_a2_1, make_member(tree.branch_a2, "评议村")]
    early = make_member(tree.branch_a1, "早先限改", admission_date=dt.date(2010, 7, 1))
    _record_eval(tree, early, year=2022, result="不合格", handling="限期改正")
    _record_eval(tree, early, year=2023, result="不合格", handling="劝退")
    _record_eval(tree, a1[0], result="优秀")
    _record_eval(tree, a1[1], result="优秀")
    _record_eval(tree, a1[2], result="基本合格")
    _record_eval(tree, a1[3], result="不合格", handling="劝而不退除名")  # no earlier 限期改正
    _record_eval(tree, a1[4], result="不合格", handling="限期改正")
    _record_eval(tree, a2[0], org=tree.branch_a2, result="合格")
    _record_eval(tree, a2[1], org=tree.branch_a2, result="不合格", handling="自行脱党除名")
    _record_eval(tree, tree.member_b1_1, org=tree.branch_b1, result="不合格", handling="劝退")  # foreign
    # a branch that held the meeting but recorded no result yet (开展 but not 结束)
    _meeting(tree.branch_a2, dt.date(2023, 12, 28), "member_evaluation")
    _meeting(tree.branch_a1, dt.date(2022, 12, 28), "member_evaluation")  # another year: not counted
    table = _stats(tree.county_user, tree.town_a, dt.date(2023, 1, 1), dt.date(2023, 12, 31))["member_evaluation"]
    assert table["年度"] == 2023 and table["表"] == "第八表 民主评议党员情况"
    data = table["数据"]
    # A1 is set up in a 机关 (government_organ), A2 in a 建制村 (village)
    assert data["开展评议的支部"]["总数"] == 2 and data["结束评议的支部"]["总数"] == 2
    assert (data["开展评议的支部"]["机关"], data["开展评议的支部"]["建制村"]) == (1, 1)
    assert data["参加评议的党员"] == data["结束评议的党员"]
    assert (data["参加评议的党员"]["总数"], data["参加评议的党员"]["机关"], data["参加评议的党员"]["建制村"]) == (8, 6, 2)
    assert data["表彰党员"]["总数"] == 2
    assert data["被评定为不合格党员"]["总数"] == 4 == data["组织处置情况"]["总数"]
    assert (data["限期改正"]["总数"], data["劝退"]["总数"], data["劝而不退除名"]["总数"], data["自行脱党除名"]["总数"]) == (1, 1, 1, 1)
    assert data["自行脱党除名"]["建制村"] == 1 and data["自行脱党除名"]["机关"] == 0
    assert data["限期改正期满仍无转变予以劝退以及劝而不退除名"]["总数"] == 1  # only 早先限改
    assert all(row["上年开展本年结束评议"] is None for row in data.values())
    assert all(v is None for v in table["补充资料"].values()) and table["无记录来源"]


@pytest.mark.django_db
def test_table_8_counts_a_branch_that_held_the_meeting_as_started_not_finished(tree):
    _record_eval(tree, tree.member_a1_1, result="合格")
    _meeting(tree.branch_a2, dt.date(2023, 12, 28), "member_evaluation")
    data = _stats(tree.county_user, tree.town_a, dt.date(2023, 1, 1), dt.date(2023, 12, 31))["member_evaluation"]["数据"]
    assert data["开展评议的支部"]["总数"] == 2 and data["结束评议的支部"]["总数"] == 1
    assert data["开展评议的支部"]["建制村"] == 1 and data["结束评议的支部"]["建制村"] == 0


def _training(org, person, end, name="书记培训班"):
    from zugong.branches.models import TrainingRecord

    return TrainingRecord.objects.create(person=person, organization=org, training_name=name,
                                         start_date=end - dt.timedelta(days=4), end_date=end)


@pytest.mark.django_db
def test_table_9_counts_secretary_training_and_names_the_cells_without_source(tree):
    _training(tree.branch_a1, tree.member_a1_1, dt.date(2023, 6, 5))
    _training(tree.branch_a1, tree.member_a1_1, dt.date(2023, 1, 1))   # the same person twice: 2 人次
    _training(tree.branch_a2, tree.member_a2_1, dt.date(2023, 12, 31))  # 行政村 → 农村党组织书记培训
    _training(tree.branch_a2, tree.member_a2_1, dt.date(2022, 12, 31))  # another year
    _training(tree.branch_b1, tree.member_b1_1, dt.date(2023, 6, 5))    # foreign subtree
    table = _stats(tree.county_user, tree.town_a)["training"]
    cells = table["数据"]["人次"]
    assert cells["基层党组织书记培训"] == 3
    assert all(v is None for k, v in cells.items() if k != "基层党组织书记培训")
    assert table["补充资料"]["农村党组织书记培训"] == 1
    assert table["补充资料"]["非公有制经济控制企业党组织书记培训"] == 0
    assert table["补充资料"]["国有企业二级及以下单位（部门）党组织书记培训"] is None
    assert "新党员培训" in table["无记录来源"] and "基层党组织书记培训" not in table["无记录来源"]
    assert "新党员培训" in table["可接入来源"]
    assert table["发展对象集中培训（发展党员第11步，不是第九表的栏目）"] == 0


@pytest.mark.django_db
def test_candidate_training_counts_step_11_records_of_the_year_in_the_subtree(tree):
    from zugong.development.models import DevelopmentStep

    def step(org, name, day, number=11):
        record = _record(org, make_member(org, name), application_date=dt.date(2020, 1, 5),
                         activist_date=dt.date(2020, 6, 1), candidate_date=dt.date(2022, 8, 1))
        DevelopmentStep.objects.create(record=record, step=number, date=day, training_days=3)

    step(tree.branch_a1, "集训甲", dt.date(2023, 4, 1))
    step(tree.branch_a2, "集训乙", dt.date(2023, 12, 31))
    step(tree.branch_a1, "集训丙", dt.date(2022, 12, 31))        # another year
    step(tree.branch_b1, "集训丁", dt.date(2023, 4, 1))          # foreign subtree
    step(tree.branch_a1, "政审", dt.date(2023, 4, 1), number=10)  # another step
    table = _stats(tree.county_user, tree.town_a)["training"]
    assert table["发展对象集中培训（发展党员第11步，不是第九表的栏目）"] == 2
    assert table["数据"]["人次"]["新党员培训"] is None


@pytest.mark.django_db
def test_certification_section_gives_the_certified_rate_on_the_end_date(tree):
    from zugong.branches.models import BranchOfficer, SecretaryCertificate

    BranchOfficer.objects.create(organization=tree.branch_a1, person=tree.member_a1_1, role="secretary",
                                 start_date=dt.date(2020, 1, 1))
    BranchOfficer.objects.create(organization=tree.branch_a2, person=tree.member_a2_1, role="secretary",
                                 start_date=dt.date(2020, 1, 1))
    SecretaryCertificate.objects.create(person=tree.member_a1_1, organization=tree.branch_a1, number="Z-2023-001",
                                        issued_date=dt.date(2022, 1, 1), valid_until=dt.date(2025, 1, 1),
                                        issuer="中共某县委组织部")
    cert = _stats(tree.county_user, tree.town_a)["certification"]
    assert cert["截至日期"] == END.isoformat()
    assert (cert["支部数"], cert["有书记的支部数"], cert["书记持证的支部数"], cert["持证上岗率"]) == (2, 2, 1, 50.0)
    # before the certificate was issued nobody holds one
    early = _stats(tree.county_user, tree.town_a, dt.date(2021, 1, 1), dt.date(2021, 12, 31))["certification"]
    assert early["书记持证的支部数"] == 0 and early["持证上岗率"] == 0.0


@pytest.mark.django_db
def test_grading_section_gives_the_years_levels_and_weak_branches(tree):
    from zugong.grading.models import BranchGrading, GradingLevel, GradingScheme, WeakBranch

    scheme = GradingScheme.objects.create(code="t_scheme", name="测试方案")
    good = GradingLevel.objects.create(scheme=scheme, code="good", name="达标", min_total=6, order=1)

    def grade(org, year, level, model=False):
        BranchGrading.objects.create(organization=org, scheme=scheme, year=year, total=8, level=level,
                                     designated_model=model, evaluated_on=dt.date(year, 12, 1))

    grade(tree.branch_a1, 2023, good, model=True)
    grade(tree.branch_a2, 2023, None)
    grade(tree.branch_a1, 2022, good)   # another year
    grade(tree.branch_b1, 2023, good)   # foreign subtree
    WeakBranch.objects.create(organization=tree.branch_a2, year=2023, identified_on=dt.date(2023, 3, 1),
                              categories=["life_irregular"], reasons="组织生活不正常")
    g = _stats(tree.county_user, tree.town_a)["grading"]
    assert (g["年度"], g["支部数"], g["已评定的支部数"], g["示范党支部"]) == (2023, 2, 2, 1)
    assert {(r["方案"], r["等次"], r["个数"]) for r in g["按等次"]} == {("测试方案", "达标", 1), ("测试方案", "未达任何等次", 1)}
    assert g["软弱涣散"] == {"列入": 1, "整改完成": 0, "已验收": 0}


# ----- period parsing, hooks, and the three interfaces ---------------------------------------------------


def test_parse_period_defaults_and_errors():
    assert parse_period("", "", default_end=dt.date(2023, 5, 6)) == (dt.date(2023, 1, 1), dt.date(2023, 5, 6))
    assert parse_period("2023-02-01", "2023-02-01", default_end=dt.date(2024, 1, 1)) == (dt.date(2023, 2, 1),) * 2
    with pytest.raises(ValidationFailed, match="起始日期 2023-03-02 晚于截止日期 2023-03-01"):
        parse_period("2023-03-02", "2023-03-01", default_end=dt.date(2024, 1, 1))
    with pytest.raises(ValidationFailed, match="截止日期应为完整日期"):
        parse_period("", "2023.03", default_end=dt.date(2024, 1, 1))


@pytest.mark.django_db
def test_every_section_is_wired():
    assert [s.key for s in SECTIONS if s.provider is None] == []


@pytest.mark.django_db
def test_compliance_section_counts_the_ended_periods_of_the_window(tree):
    """Town A's branches A1, A2 (no committee, no 党小组) over 2023-03-01 … 2023-09-30: owed per branch 主题党日
    for 7 months (3–9), 支部党员大会 and 党课 for Q1–Q3 (3 each); the year 2023 has not ended on 09-30, so the
    yearly rules owe nothing. A1 held 主题党日 in March and a 党员大会 in Q2 (two in Q2 count once); A2
    nothing; B1's meetings are outside the subtree."""
    _meeting(tree.branch_a1, dt.date(2023, 3, 20), kind="theme_day")
    _meeting(tree.branch_a1, dt.date(2023, 5, 10))
    _meeting(tree.branch_a1, dt.date(2023, 6, 10))
    _meeting(tree.branch_b1, dt.date(2023, 4, 10))
    data = _stats(tree.county_user, tree.town_a)["compliance"]
    assert (data["支部数"], data["应开"], data["已落实"], data["落实率"]) == (2, 26, 2, 7.7)
    assert (data["全部落实的支部数"], data["未全部落实的支部数"], data["截至日期"]) == (0, 2, "2023-09-30")
    rows = {r["要求"]: (r["应开"], r["已落实"], r["缺项"]) for r in data["按要求"]}
    assert rows == {"支部党员大会": (6, 1, 5), "党课": (6, 0, 6), "主题党日": (14, 1, 13), "党课（书记讲党课）": (0, 0, 0),
                    "组织生活会": (0, 0, 0), "民主评议党员": (0, 0, 0), "谈心谈话": (0, 0, 0)}
    # B1's secretary sees B1 only: its subtree, its one 党员大会 in Q2
    b1 = _stats(tree.branch_b_user, tree.branch_b1)["compliance"]
    assert (b1["支部数"], b1["应开"], b1["已落实"]) == (1, 13, 1)


@pytest.mark.django_db
def test_api_json_equals_cli_json(tree, client):
    _meeting(tree.branch_a1, START, expected=9, attended=7)
    _record_eval(tree, tree.member_a1_1, result="优秀")
    client.login(username="county", password=PASSWORD)
    answer = client.get("/api/stats/life/", {"org": "C-A", "from": "2023-03-01", "to": "2023-09-30"})
    assert answer.status_code == 200
    out = io.StringIO()
    call_command("stats_life", org="C-A", user="county", start="2023-03-01", end="2023-09-30", stdout=out)
    assert json.loads(out.getvalue()) == answer.json()
    assert answer.json()["meetings"]["合计"]["次数"] == 1
    assert answer.json() == _stats(tree.county_user, tree.town_a)


@pytest.mark.django_db
def test_api_and_cli_refuse_foreign_org_and_bad_dates(tree, client):
    client.login(username="branch_a1", password=PASSWORD)
    assert client.get("/api/stats/life/", {"org": "C-B-1"}).status_code == 404
    bad = client.get("/api/stats/life/", {"org": "C-A-1", "from": "2023-05-01", "to": "2023-04-01"})
    assert bad.status_code == 400 and "晚于截止日期" in bad.json()["detail"]
    with pytest.raises(CommandError, match="不存在或不在您的数据范围内"):
        call_command("stats_life", org="C-B-1", user="branch_a1", stdout=io.StringIO())
    with pytest.raises(CommandError, match="起始日期无效"):
        call_command("stats_life", org="C-A-1", user="branch_a1", start="yesterday", stdout=io.StringIO())


@pytest.mark.django_db
def test_cli_text_format(tree):
    _meeting(tree.branch_a1, START, expected=9, attended=7)
    out = io.StringIO()
    call_command("stats_life", org="C-A", user="county", start="2023-03-01", end="2023-09-30", format="text",
                 stdout=out)
    text = out.getvalue()
    assert "组织生活统计 — 甲镇党委（C-A" in text and "支部党员大会" in text and "77.8" in text


@pytest.mark.django_db
def test_page_shows_figures_and_tables(tree, client):
    _meeting(tree.branch_a1, START, expected=9, attended=7)
    _meeting(tree.branch_b1, START, expected=99, attended=99)
    client.login(username="county", password=PASSWORD)
    page = client.get("/reports/life/", {"org": "C-A", "from": "2023-03-01", "to": "2023-09-30"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="meeting-total">1<' in html and "77.8" in html and "99" not in html.split("chart-meetings-table")[1][:2000]
    assert "第八表 民主评议党员情况" in html and "第九表 党员培训情况" in html and "无记录来源" in html
    assert 'data-chart="chart-meetings"' in html
    assert "发展对象集中培训（发展党员第11步，不是第九表的栏目）：2023年 <strong>0</strong> 人次" in html
    assert "（待接入）" not in html and 'id="compliance-rate"' in html and "组织生活要求落实情况" in html


@pytest.mark.django_db
def test_page_scope_and_bad_dates(tree, client):
    client.login(username="branch_a1", password=PASSWORD)
    assert client.get("/reports/life/", {"org": "C-B-1"}).status_code == 404
    bad = client.get("/reports/life/", {"org": "C-A-1", "from": "2023-05-01", "to": "2023-04-01"})
    assert bad.status_code == 400 and "晚于截止日期" in bad.content.decode()
    client.login(username="nogrant", password=PASSWORD)
    assert client.get("/reports/life/").status_code == 403


# ----- the 年报 carries 第八表 and 第九表 -------------------------------------------------------------------


@pytest.mark.django_db
def test_annual_report_carries_tables_8_and_9_with_drill_down(tree, client):
    from zugong.reports.annual import annual_records, annual_report
    from zugong.reports.annual_export import printed_tables

    _record_eval(tree, tree.member_a1_1, result="优秀")
    _record_eval(tree, tree.member_a2_1, org=tree.branch_a2, result="不合格", handling="限期改正")
    _record_eval(tree, tree.member_b1_1, org=tree.branch_b1, result="优秀")  # foreign to 甲镇
    report = annual_report(user=tree.county_user, organization=tree.town_a, year=2023)
    life = _stats(tree.county_user, tree.town_a, dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert report.tables["民主评议党员情况"] == life["member_evaluation"]["数据"]
    assert report.tables["党员培训情况"] == life["training"]["数据"]
    assert report.tables["民主评议党员情况"]["表彰党员"]["总数"] == 1
    people = annual_records(user=tree.county_user, organization=tree.town_a, year=2023, table=8, row="表彰党员",
                            column="总数")
    assert [p.name for p in people] == ["张伟"]
    branches = annual_records(user=tree.county_user, organization=tree.town_a, year=2023, table=8,
                              row="开展评议的支部", column="建制村")
    assert [o.code for o in branches] == ["C-A-2"]
    assert not annual_records(user=tree.county_user, organization=tree.town_a, year=2023, table=9, row="人次",
                              column="总数").exists()
    _training(tree.branch_a2, tree.member_a2_1, dt.date(2023, 5, 1))
    trained = annual_records(user=tree.county_user, organization=tree.town_a, year=2023, table=9, row="人次",
                             column="基层党组织书记培训")
    assert [p.name for p in trained] == ["王强"]
    headings = [p.heading for p in printed_tables(report)]
    assert headings[4:6] == ["第八表\u3000民主评议党员情况", "第九表\u3000党员培训情况"]
    client.login(username="county", password=PASSWORD)
    body = client.get("/api/stats/annual/", {"org": "C-A", "year": "2023"}).json()
    assert body["民主评议党员情况"]["被评定为不合格党员"]["建制村"] == 1
    assert body["党员培训情况"]["人次"]["总数"] is None


@pytest.mark.django_db
def test_openapi_schema_describes_the_life_endpoint(tree, client):
    client.force_login(tree.county_user)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/stats/life/"]["get"]
    assert operation["operationId"] == "stats_life"
    body = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"meetings", "development", "member_evaluation", "training", "compliance", "grading",
            "certification"} <= set(body["properties"])
    assert "支部党员大会" in body["properties"]["meetings"]["properties"]["按会议类型"]["properties"]
