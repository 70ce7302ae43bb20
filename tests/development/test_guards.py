"""Every guard of the pipeline: the illegal move is refused with its reason and article, and nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.development.helpers import PLAN, start, walk
from tests.factories import make_id
from zugong.core.errors import OutOfScope
from zugong.development import services
from zugong.development.models import DevelopmentParticipant, DevelopmentStep
from zugong.development.services import StepRefused
from zugong.party.models import DevelopmentRecord, Membership, MembershipEvent, PartyMember

D = dt.date


def snapshot():
    return (list(DevelopmentStep.objects.order_by("pk").values()),
            list(DevelopmentParticipant.objects.order_by("pk").values()),
            list(DevelopmentRecord.objects.order_by("pk").values()),
            list(MembershipEvent.objects.order_by("pk").values()), list(PartyMember.objects.order_by("pk").values()),
            list(Membership.objects.order_by("pk").values()))


def refused(call, *texts, article: str | None = None):
    """Run ``call``; assert StepRefused whose message holds every text (and the article), nothing written."""
    before = snapshot()
    with pytest.raises(StepRefused) as info:
        call()
    message = info.value.message
    for text in texts:
        assert text in message, message
    if article:
        assert article in message, message
    assert snapshot() == before
    return info.value


def step(dev, record, number, day=None, **extra):
    day = day or PLAN[number][0]
    return lambda: services.step_record(actor=dev.actor, record=record, step=number, date=day, today=dev.today, **extra)


# ----- start -----------------------------------------------------------------------------------------------

def test_start_under_18_refused(dev):
    from zugong.people.services import person_create

    birth = D(2008, 6, 1)
    young = person_create(user=dev.actor, organization_id=dev.t.branch_a1.pk, name="吴小", sex="1", ethnicity="01",
                          birth_date=birth, id_number=make_id(birth, "1"))
    refused(lambda: services.development_start(actor=dev.actor, person=young, organization=dev.t.branch_a1,
                                               application_date=D(2026, 5, 31), today=dev.today),
            "未满18周岁", article="第五条")


def test_start_member_refused(dev):
    refused(lambda: services.development_start(actor=dev.actor, person=dev.t.member_a1_1, organization=dev.t.branch_a1,
                                               application_date=D(2026, 1, 5), today=dev.today), "已是党员")


def test_start_second_open_pipeline_refused(dev):
    start(dev)
    refused(lambda: start(dev, D(2023, 5, 1)), "已有未结束的发展党员记录")


def test_start_not_a_branch_and_future_refused(dev):
    refused(lambda: services.development_start(actor=dev.actor, person=dev.person, organization=dev.t.town_a,
                                               application_date=D(2023, 1, 10), today=dev.today), "不是党支部")
    refused(lambda: start(dev, D(2027, 1, 1)), "晚于今天")


def test_start_out_of_scope(dev):
    before = snapshot()
    with pytest.raises(OutOfScope):
        services.development_start(actor=dev.t.branch_b_user, person=dev.person, organization=dev.t.branch_b1,
                                   application_date=D(2023, 1, 10), today=dev.today)
    with pytest.raises(OutOfScope):  # a branch outside the actor's scope
        services.development_start(actor=dev.t.branch_user, person=dev.person, organization=dev.t.branch_b1,
                                   application_date=D(2023, 1, 10), today=dev.today)
    assert snapshot() == before


# ----- order and dates -------------------------------------------------------------------------------------

def test_step_skipped_refused(dev):
    record = start(dev)
    refused(step(dev, record, 3), "第3步", "须先完成第2步「党组织派人谈话」", article="第八条")
    walk(dev, record, 4)
    refused(step(dev, record, 7), "须先完成第5步", article="第十四条")


def test_step_twice_refused(dev):
    record = walk(dev, start(dev), 3)
    refused(step(dev, record, 3, D(2023, 3, 5)), "此步骤已登记")


def test_date_before_previous_or_future_refused(dev):
    record = walk(dev, start(dev), 2)
    refused(step(dev, record, 3, D(2023, 2, 1)), "早于上一步骤的日期 2023-02-05")
    refused(step(dev, record, 3, D(2026, 12, 1)), "晚于今天")


def test_late_talk_needs_reason(dev):
    record = start(dev)
    refused(step(dev, record, 2, D(2023, 2, 11)), "已超过收到入党申请书后一个月（2023-02-10）", article="第七条")
    row = services.step_record(actor=dev.actor, record=record, step=2, date=D(2023, 2, 11), today=dev.today,
                               special_reason="谈话人出差")
    assert row.special_reason == "谈话人出差"


def test_mentors_one_or_two_full_members(dev):
    record = walk(dev, start(dev), 4)
    refused(step(dev, record, 5), "培养联系人为 0 名", article="第十条")
    refused(lambda: services.mentors_assign(actor=dev.actor, record=record, persons=[*dev.full], start_date=D(2023, 3, 15),
                                            today=dev.today), "应为1至2名", article="第十条")
    refused(lambda: services.mentors_assign(actor=dev.actor, record=record, persons=[dev.t.member_a1_2],
                                            start_date=D(2023, 3, 15), today=dev.today), "不是正式党员")


def test_mentors_before_activist_refused(dev):
    record = walk(dev, start(dev), 2)
    refused(lambda: services.mentors_assign(actor=dev.actor, record=record, persons=[dev.t.member_a1_1],
                                            start_date=D(2023, 2, 20), today=dev.today), "须先完成第3步")


def test_candidate_needs_a_year_as_activist(dev):
    record = walk(dev, start(dev), 6)
    refused(step(dev, record, 7, D(2024, 2, 29)), "未满一年，2024-03-01 起", article="第十四条")


def test_sponsors_two_full_members(dev):
    record = walk(dev, start(dev), 8)
    refused(step(dev, record, 9), "入党介绍人为 0 名", article="第十五条")
    refused(lambda: services.sponsors_assign(actor=dev.actor, record=record, persons=dev.full[:1],
                                             start_date=D(2024, 3, 15), today=dev.today), "应为2名", article="第十五条")
    refused(lambda: services.sponsors_assign(actor=dev.actor, record=record, persons=[dev.full[0], dev.t.member_a1_2],
                                             start_date=D(2024, 3, 15), today=dev.today), "「李娜」", "不是正式党员")


def test_political_review_before_committee_review(dev):
    record = walk(dev, start(dev), 9)
    refused(step(dev, record, 12), "须先完成第10步「进行政治审查」", article="第二十条")


def test_training_three_days_or_24_hours(dev):
    record = walk(dev, start(dev), 10)
    refused(step(dev, record, 11, training_days=2, training_hours=16), "不足3天或24学时", article="第十八条")
    row = services.step_record(actor=dev.actor, record=record, step=11, date=D(2024, 4, 10), training_hours=24,
                               today=dev.today)
    assert row.training_hours == 24


def test_pre_review_before_vote(dev):
    record = walk(dev, start(dev), 12)
    refused(step(dev, record, 15, votes_present=4, votes_in_favour=4), "须先完成第13步「上级党委预审」")


def test_vote_quorum_and_majority(dev):
    record = walk(dev, start(dev), 14)
    refused(step(dev, record, 15, votes_present=2, votes_in_favour=2), "未超过应到 4 人的半数，不足法定人数",
            article="第二十四条")
    refused(step(dev, record, 15, votes_present=4, votes_in_favour=2), "赞成 2 人未超过", "半数，决议未通过",
            article="第二十四条")
    refused(step(dev, record, 15, votes_present=5, votes_in_favour=3), "实到 5 人多于应到 4 人")
    refused(step(dev, record, 15, votes_expected=3, votes_present=2, votes_in_favour=2), "请填写调整原因")
    row = services.step_record(actor=dev.actor, record=record, step=15, date=D(2024, 6, 1), votes_expected=3,
                               votes_expected_reason="1人因病请假（无表决权人员除外）", votes_present=2,
                               votes_in_favour=2, today=dev.today)
    assert (row.votes_expected, row.votes_expected_computed) == (3, 4)


def test_approval_within_three_months_or_six_with_reason(dev):
    record = walk(dev, start(dev), 16)
    refused(step(dev, record, 17, D(2024, 9, 2)), "已超过3个月", article="第二十七条")
    refused(step(dev, record, 17, D(2024, 12, 2), special_reason="党委换届"), "已超过6个月", article="第二十七条")
    services.step_record(actor=dev.actor, record=record, step=17, date=D(2024, 9, 2), special_reason="党委换届",
                         today=dev.today)
    assert MembershipEvent.objects.get(person=dev.person, kind="admission").date == D(2024, 6, 1)


def test_full_membership_vote_not_before_probation_ends(dev):
    record = walk(dev, start(dev), 22)
    refused(step(dev, record, 23, D(2025, 5, 31), votes_present=4, votes_in_favour=4, outcome="on_time"),
            "预备期至 2025-06-01 届满", article="第七条")
    refused(step(dev, record, 23, outcome=""), "请选择转正意见")
    refused(step(dev, record, 24), "须先完成第23步「支部大会讨论」")


def test_extension_months_from_the_lifecycle(dev):
    record = walk(dev, start(dev), 22)
    services.step_record(actor=dev.actor, record=record, step=23, date=D(2025, 6, 1), votes_present=4,
                         votes_in_favour=4, outcome="extended", extension_months=3, today=dev.today)
    refused(step(dev, record, 24), "不在 6 至 12 个月之间", "第三十二条")


def test_closed_record_refuses_steps_and_close_needs_reason(dev):
    record = walk(dev, start(dev), 3)
    refused(lambda: services.development_close(actor=dev.actor, record=record, date=D(2023, 4, 1), reason="",
                                               today=dev.today), "请填写终止培养的原因")
    services.development_close(actor=dev.actor, record=record, date=D(2023, 4, 1), reason="本人撤回申请",
                               today=dev.today)
    refused(step(dev, record, 4), "已于 2023-04-01 终止培养")


def test_close_after_admission_refused(dev):
    record = walk(dev, start(dev), 17)
    refused(lambda: services.development_close(actor=dev.actor, record=record, date=D(2024, 8, 1), reason="调离",
                                               today=dev.today), "已接收为预备党员", article="第七条")


def test_step_out_of_scope(dev):
    record = start(dev)
    before = snapshot()
    with pytest.raises(OutOfScope):
        services.step_record(actor=dev.t.branch_b_user, record=record, step=2, date=D(2023, 2, 5), today=dev.today)
    assert snapshot() == before
