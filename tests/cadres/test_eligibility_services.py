"""Promotion eligibility (issue #12 item 6): each condition at its boundary, the 待核实 cases, the
supervision-record services and their labels."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_cadre, make_post
from zugong.cadres.eligibility import checks, services
from zugong.cadres.models import (
    AnnualAssessment,
    Appointment,
    Education,
    RankRecord,
    ResumeEntry,
    SupervisionRecord,
)
from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 6, 30)


def _cond(result, code):
    return next(c for c in result.conditions if c.code == code)


def _eligibility(cadre, level="132", as_of=AS_OF, user=None):
    cadre.refresh_from_db()
    return services.promotion_eligibility(cadre=cadre, target_level=level, as_of=as_of, user=user)


def _work_start(cadre, day):
    Person.objects.filter(pk=cadre.person_id).update(work_start_date=day)


# ----- 第八条第一项 ------------------------------------------------------------------------------------------


def test_work_years_boundary_exactly_five_years(ct):
    cadre = make_cadre(ct.unit_town_a, "张伟")
    _work_start(cadre, dt.date(2020, 6, 30))
    condition = _cond(_eligibility(cadre), "work_years")
    assert condition.passed is True and "已满 5 年" in condition.facts[0]
    assert "第八条第一项" in condition.source
    _work_start(cadre, dt.date(2020, 7, 1))
    condition = _cond(_eligibility(cadre), "work_years")
    assert condition.passed is False and "2025-07-01 满" in condition.facts[0]


def test_work_years_unknown_is_to_be_confirmed_and_not_required_below_county(ct):
    cadre = make_cadre(ct.unit_town_a, "张伟")
    _work_start(cadre, None)
    assert _cond(_eligibility(cadre), "work_years").passed is None
    assert _cond(_eligibility(cadre, "141"), "work_years").passed is True


def test_grassroots_from_township_posts_boundary(ct):
    cadre = make_cadre(ct.unit_town_a, "张伟")
    post = make_post(ct.unit_town_a, "副镇长", level="142")
    appt = Appointment.objects.create(cadre=cadre, post=post, start_date=dt.date(2023, 6, 30))
    assert _cond(_eligibility(cadre), "grassroots").passed is True
    Appointment.objects.filter(pk=appt.pk).update(start_date=dt.date(2023, 7, 1))
    condition = _cond(_eligibility(cadre), "grassroots")
    assert condition.passed is False and "约 1 年 11 个月" in condition.facts[0]


def test_grassroots_posts_in_an_enterprise_do_not_count_but_resume_lines_make_it_to_be_confirmed(ct):
    cadre = make_cadre(ct.unit_town_a, "张伟")
    post = make_post(ct.unit_firm_a, "厂长", level="142")  # 甲镇农机厂: an enterprise, not a township
    Appointment.objects.create(cadre=cadre, post=post, start_date=dt.date(2015, 1, 1))
    assert _cond(_eligibility(cadre), "grassroots").passed is False
    ResumeEntry.objects.create(cadre=cadre, start_date=dt.date(2005, 7, 1), end_date=dt.date(2008, 9, 1),
                               text="某县乙镇农业服务中心干部")
    condition = _cond(_eligibility(cadre), "grassroots")
    assert condition.passed is None and "2005.07—2008.09 某县乙镇农业服务中心干部" in condition.facts[-1]


def test_grassroots_without_any_record_is_to_be_confirmed(ct):
    cadre = make_cadre(ct.unit_town_a, "张伟")
    assert _cond(_eligibility(cadre), "grassroots").passed is None


# ----- 第八条第二、三项 -------------------------------------------------------------------------------------


def test_deputy_to_principal_one_year_eleven_months_vs_two_years(ct):
    cadre = make_cadre(ct.unit_county, "张伟")
    post = make_post(ct.unit_county, "副局长", level="132")
    appt = Appointment.objects.create(cadre=cadre, post=post, start_date=dt.date(2023, 6, 30))
    condition = _cond(_eligibility(cadre, "131"), "years_below")
    assert condition.passed is True and "由副职提任正职" in condition.name and "第八条第三项" in condition.source
    Appointment.objects.filter(pk=appt.pk).update(start_date=dt.date(2023, 7, 30))
    condition = _cond(_eligibility(cadre, "131"), "years_below")
    assert condition.passed is False and "约 1 年 11 个月" in condition.facts[0]
    assert any("由副职提任正职" in f for f in _eligibility(cadre, "131").failing)


def test_lower_principal_to_upper_deputy_three_years(ct):
    cadre = make_cadre(ct.unit_town_a, "张伟")
    post = make_post(ct.unit_town_a, "镇长", level="141")
    appt = Appointment.objects.create(cadre=cadre, post=post, start_date=dt.date(2022, 6, 30))
    assert _cond(_eligibility(cadre, "132"), "years_below").passed is True
    Appointment.objects.filter(pk=appt.pk).update(start_date=dt.date(2022, 7, 1))
    condition = _cond(_eligibility(cadre, "132"), "years_below")
    assert condition.passed is False and "任正科级3年以上" in condition.name


def test_equivalent_rank_time_counts_toward_the_feeder_level(ct):
    cadre = make_cadre(ct.unit_county, "张伟")
    post = make_post(ct.unit_county, "副局长", level="132")
    Appointment.objects.create(cadre=cadre, post=post, start_date=dt.date(2024, 6, 30))
    # 四级调研员 (≙ 副处) since 2023-06-30: a year before the post
    RankRecord.objects.create(cadre=cadre, rank="researcher_4", start_date=dt.date(2023, 6, 30),
                              end_date=dt.date(2024, 6, 30))
    condition = _cond(_eligibility(cadre, "131"), "years_below")
    assert condition.passed is True and any("连同相当职级" in f for f in condition.facts)


def test_already_at_the_level_is_not_a_promotion(ct):
    cadre = make_cadre(ct.unit_county, "张伟")
    Appointment.objects.create(cadre=cadre, post=make_post(ct.unit_county, "局长", level="131"),
                               start_date=dt.date(2025, 1, 1))
    assert _cond(_eligibility(cadre, "131"), "years_below").passed is True


def test_two_posts_below_is_should_not_must(ct):
    cadre = make_cadre(ct.unit_county, "张伟")
    Appointment.objects.create(cadre=cadre, post=make_post(ct.unit_town_a, "副镇长", level="142"),
                               start_date=dt.date(2015, 1, 1), end_date=dt.date(2018, 1, 1))
    condition = _cond(_eligibility(cadre, "132"), "posts_below")
    assert condition.passed is None and "1 个职位" in condition.facts[0]
    Appointment.objects.create(cadre=cadre, post=make_post(ct.unit_town_b, "镇长", level="141"),
                               start_date=dt.date(2018, 1, 1))
    assert _cond(_eligibility(cadre, "132"), "posts_below").passed is True
    assert _cond(_eligibility(cadre, "142"), "posts_below").passed is True  # 科级: not required


# ----- 第八条第四项 -----------------------------------------------------------------------------------------


def test_education_highest_of_full_time_and_in_service(ct):
    cadre = make_cadre(ct.unit_county, "张伟")
    Person.objects.filter(pk=cadre.person_id).update(education_level="31")  # 大学专科毕业
    assert _cond(_eligibility(cadre, "132"), "education").passed is True
    condition = _cond(_eligibility(cadre, "122"), "education")
    assert condition.passed is False and "大学本科以上" in condition.name
    Education.objects.create(cadre=cadre, category="in_service", education_text="在职大学")
    condition = _cond(_eligibility(cadre, "122"), "education")
    assert condition.passed is True and "（在职教育）" in condition.facts[0]


def test_education_not_recorded_is_to_be_confirmed(ct):
    cadre = make_cadre(ct.unit_county, "张伟")
    Person.objects.filter(pk=cadre.person_id).update(education_level="")
    assert _cond(_eligibility(cadre, "132"), "education").passed is None


# ----- bans ---------------------------------------------------------------------------------------------------


def _record(cadre, kind, decided):
    return SupervisionRecord.objects.create(cadre=cadre, kind=kind, decided_date=decided, document_number="纪发〔1〕号")


def test_admonishment_five_vs_seven_months_ago(ct):
    cadre = make_cadre(ct.unit_county, "张伟")
    record = _record(cadre, "admonishment", dt.date(2025, 1, 30))  # 5 months before
    condition = _cond(_eligibility(cadre), "bans")
    assert condition.passed is False and "诫勉" in condition.facts[0] and "组织处理规定" in condition.source
    SupervisionRecord.objects.filter(pk=record.pk).update(decided_date=dt.date(2024, 11, 30))  # 7 months
    assert _cond(_eligibility(cadre), "bans").passed is True


def test_serious_warning_17_vs_19_months(ct):
    cadre = make_cadre(ct.unit_county, "张伟")
    record = _record(cadre, "party_serious_warning", dt.date(2024, 1, 30))  # 17 months before
    condition = _cond(_eligibility(cadre), "bans")
    assert condition.passed is False and "第十条" in condition.source
    assert any("不在处分、诫勉影响期内" in f and "第十条" in f for f in _eligibility(cadre).failing)
    SupervisionRecord.objects.filter(pk=record.pk).update(decided_date=dt.date(2023, 11, 30))  # 19 months
    assert _cond(_eligibility(cadre), "bans").passed is True


def test_ban_ends_exactly_on_the_anniversary(ct):
    cadre = make_cadre(ct.unit_county, "张伟")
    _record(cadre, "party_warning", dt.date(2024, 6, 30))
    assert _cond(_eligibility(cadre, as_of=dt.date(2025, 6, 29)), "bans").passed is False
    assert _cond(_eligibility(cadre, as_of=dt.date(2025, 6, 30)), "bans").passed is True


def test_probation_tail_is_to_be_confirmed(ct):
    cadre = make_cadre(ct.unit_county, "张伟")
    _record(cadre, "party_probation", dt.date(2021, 12, 30))  # 3.5 years
    condition = _cond(_eligibility(cadre), "bans")
    assert condition.passed is None and "需核实" in condition.facts[0]


def test_reminder_talk_bans_nothing_and_gov_sanction_periods(ct):
    cadre = make_cadre(ct.unit_county, "张伟")
    _record(cadre, "reminder_talk", dt.date(2025, 6, 1))
    assert _cond(_eligibility(cadre), "bans").passed is True
    _record(cadre, "gov_demerit", dt.date(2024, 7, 30))  # 11 months: 记过 12 months
    assert _cond(_eligibility(cadre), "bans").passed is False


def test_bans_without_discipline_view_are_to_be_confirmed(ct):
    from tests.factories import make_user
    from zugong.accounts.services import grant_role

    cadre = make_cadre(ct.unit_town_a, "张伟")
    _record(cadre, "party_warning", dt.date(2025, 1, 1))
    assert _cond(_eligibility(cadre, user=ct.cadre_user), "bans").passed is False
    clerk = make_user("clerk")
    grant_role(user=clerk, role_code="party_affairs", unit=ct.unit_town_a)  # no discipline label
    condition = _cond(_eligibility(cadre, user=clerk), "bans")
    assert condition.passed is None and "无权查看" in condition.facts[0]


def test_assessment_previous_year(ct):
    cadre = make_cadre(ct.unit_county, "张伟")
    assert _cond(_eligibility(cadre), "assessment").passed is None
    AnnualAssessment.objects.create(cadre=cadre, year=2024, grade="incompetent")
    condition = _cond(_eligibility(cadre), "assessment")
    assert condition.passed is False and "不称职" in condition.facts[0]
    AnnualAssessment.objects.filter(cadre=cadre).update(grade="excellent")
    assert _cond(_eligibility(cadre), "assessment").passed is True


def test_overall_result_and_dict_shape(ct):
    cadre = make_cadre(ct.unit_town_a, "张伟", birth_date=dt.date(1985, 1, 1))
    _work_start(cadre, dt.date(2008, 7, 1))
    Appointment.objects.create(cadre=cadre, post=make_post(ct.unit_town_a, "镇长", level="141"),
                               start_date=dt.date(2018, 1, 1))
    Appointment.objects.create(cadre=cadre, post=make_post(ct.unit_town_a, "副镇长", level="142"),
                               start_date=dt.date(2014, 1, 1), end_date=dt.date(2018, 1, 1))
    AnnualAssessment.objects.create(cadre=cadre, year=2024, grade="competent")
    result = _eligibility(cadre, "132")
    assert result.passed is True, [(c.code, c.passed, c.facts) for c in result.conditions]
    data = result.as_dict()
    assert data["target_level_label"] == "副处级" and data["status"] == "符合"
    assert [c["code"] for c in data["conditions"]] == ["work_years", "grassroots", "posts_below", "years_below",
                                                        "education", "bans", "assessment"]
    with pytest.raises(ValueError):
        _eligibility(cadre, "999")


def test_add_months_and_period_merge():
    assert checks.add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)
    merged = checks.merge([(dt.date(2020, 1, 1), dt.date(2021, 1, 1)), (dt.date(2020, 6, 1), None)], dt.date(2022, 1, 1))
    assert merged == [(dt.date(2020, 1, 1), dt.date(2022, 1, 1))]


# ----- supervision records ----------------------------------------------------------------------------------


def test_supervision_record_needs_discipline_add(ct):
    cadre = make_cadre(ct.unit_town_a, "张伟")
    with pytest.raises(OutOfScope):  # 干部工作人员: discipline.view only
        services.supervision_record_create(user=ct.cadre_user, cadre=cadre, kind="诫勉", decided_date="2025-01-02")
    record = services.supervision_record_create(user=ct.county_user, cadre=cadre, kind="诫勉",
                                                decided_date="2025-01-02", document_number="县纪委〔2025〕1号")
    assert record.kind == "admonishment"
    assert [r.pk for r in services.supervision_records_of(user=ct.cadre_user, cadre=cadre)] == [record.pk]
    assert services.supervision_records_of(user=ct.cadre_b_user, cadre=cadre) == []
    assert services.supervision_records_of(user=ct.town_user, cadre=cadre) == []


def test_supervision_record_bad_input_update_and_delete(ct):
    cadre = make_cadre(ct.unit_town_a, "张伟")
    with pytest.raises(ValidationFailed) as exc:
        services.supervision_record_create(user=ct.county_user, cadre=cadre, kind="罚款", decided_date="2099-01-01")
    assert {e.column for e in exc.value.errors} == {"类别", "决定日期"}
    record = services.supervision_record_create(user=ct.county_user, cadre=cadre, kind="party_warning",
                                                decided_date="2025-01-02")
    with pytest.raises(OutOfScope):
        services.supervision_record_update(user=ct.cadre_user, record=record, expected_version=record.version,
                                           changes={"reason": "x"})
    row = services.supervision_record_update(user=ct.county_user, record=record, expected_version=record.version,
                                             changes={"kind": "严重警告", "reason": "违反工作纪律"})
    assert (row.kind, row.reason, row.version) == ("party_serious_warning", "违反工作纪律", 2)
    with pytest.raises(ConcurrentEdit):
        services.supervision_record_update(user=ct.county_user, record=record, expected_version=1,
                                           changes={"reason": "y"})
    with pytest.raises(ValidationFailed, match="删除原因"):
        services.supervision_record_delete(user=ct.county_user, record=record, reason="")
    services.supervision_record_delete(user=ct.county_user, record=record, reason="登记有误")
    assert not SupervisionRecord.objects.exists()
