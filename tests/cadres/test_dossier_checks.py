"""The automatic checks of the dossier audit (``cadres.dossier.checks``): pure functions, each tested at its
boundary (a positive and a negative case)."""

from __future__ import annotations

import datetime as dt

from zugong.cadres.dossier.checks import (
    CadreData,
    Qualification,
    ResumeLine,
    check_admission_before_18,
    check_birth_vs_id,
    check_degree_order,
    check_full_membership_early,
    check_resume,
    check_same_level_after_current,
    check_work_before_16,
    nth_birthday,
    run_checks,
)

D = dt.date
BIRTH = D(1980, 3, 15)


def data(**kw) -> CadreData:
    return CadreData(cadre_id=1, name="张三", birth_date=BIRTH, **kw)


# ----- birth_vs_id ---------------------------------------------------------------------------------------------

def test_birth_vs_id_flags_a_different_date_naming_both_sources_and_the_archive_rule():
    [p] = check_birth_vs_id(data(id_birth_date=D(1981, 3, 15), id_masked="*****************7"))
    assert p.check == "birth_vs_id" and p.problem_type == "inconsistent"
    assert dict(p.sources) == {"人员信息·出生日期": "1980-03-15",
                               "公民身份号码（*****************7）中的出生日期": "1981-03-15"}
    assert "最早记载的材料为准" in p.message and "身份证不作为认定依据" in p.message
    assert p.key == ("1980-03-15", "1981-03-15")


def test_birth_vs_id_same_date_or_month_precision_record_is_not_flagged():
    assert check_birth_vs_id(data(id_birth_date=BIRTH)) == []
    # a recorded 1980-03-01 is the 任免审批表's 198003: same month as the ID's 1980-03-15
    month_only = CadreData(cadre_id=1, birth_date=D(1980, 3, 1), id_birth_date=D(1980, 3, 15))
    assert check_birth_vs_id(month_only) == []
    other_month = CadreData(cadre_id=1, birth_date=D(1980, 4, 1), id_birth_date=D(1980, 3, 15))
    assert len(check_birth_vs_id(other_month)) == 1
    assert check_birth_vs_id(data(id_birth_date=None)) == []  # unreadable number: not checked
    # one day apart is a difference at day precision
    assert len(check_birth_vs_id(data(id_birth_date=D(1980, 3, 16)))) == 1


# ----- work_before_16 ------------------------------------------------------------------------------------------

def test_work_start_on_the_16th_birthday_is_fine_the_day_before_is_flagged():
    assert check_work_before_16(data(work_start_date=D(1996, 3, 15))) == []
    [p] = check_work_before_16(data(work_start_date=D(1996, 3, 14)))
    assert p.check == "work_before_16" and p.problem_type == "inaccurate"
    assert dict(p.sources)["人员信息·参加工作时间"] == "1996-03-14"
    assert dict(p.sources)["年满十六周岁"] == "1996-03-15"


def test_work_start_of_month_precision_is_compared_by_month():
    assert check_work_before_16(data(work_start_date=D(1996, 3, 1))) == []  # 199603: may be after the 15th
    assert len(check_work_before_16(data(work_start_date=D(1996, 2, 1)))) == 1


def test_leap_day_birthdays():
    assert nth_birthday(D(1980, 2, 29), 16) == D(1996, 2, 29)
    assert nth_birthday(D(1980, 2, 29), 18) == D(1998, 3, 1)


# ----- admission_before_18 -------------------------------------------------------------------------------------

def test_admission_on_the_18th_birthday_is_fine_the_day_before_is_flagged():
    assert check_admission_before_18(data(party_joined_date=D(1998, 3, 15))) == []
    [p] = check_admission_before_18(data(party_joined_date=D(1998, 3, 14)))
    assert p.check == "admission_before_18" and "第一条" in p.basis
    assert dict(p.sources)["干部信息·入党时间"] == "1998-03-14"


def test_admission_falls_back_to_the_party_record():
    [p] = check_admission_before_18(data(member_admission=D(1997, 7, 1) + dt.timedelta(days=1)))
    assert dict(p.sources)["党员信息·入党日期"] == "1997-07-02"
    # the cadre record's 入党时间 wins when present
    assert check_admission_before_18(data(party_joined_date=D(2000, 7, 1), member_admission=D(1997, 7, 2))) == []


# ----- full_membership_early -----------------------------------------------------------------------------------

def test_full_membership_exactly_one_year_after_admission_is_fine_a_day_earlier_is_flagged():
    assert check_full_membership_early(data(member_admission=D(2005, 7, 1), member_full=D(2006, 7, 1))) == []
    [p] = check_full_membership_early(data(member_admission=D(2005, 7, 1), member_full=D(2006, 6, 30)))
    assert p.problem_type == "improper_determination" and "第七条" in p.basis
    assert dict(p.sources) == {"党员信息·入党日期": "2005-07-01", "党员信息·转正日期": "2006-06-30",
                               "预备期满一年": "2006-07-01", "延长预备期记录": "无"}


def test_full_membership_early_with_a_recorded_extension_is_not_flagged():
    assert check_full_membership_early(data(member_admission=D(2005, 7, 1), member_full=D(2006, 6, 30),
                                            extension_recorded=True)) == []


# ----- résumé ---------------------------------------------------------------------------------------------------

def line(start, end, text="工作", position=0, study=False):
    return ResumeLine(start, end, text, position, study)


def test_resume_one_month_step_is_continuous_two_months_is_a_gap():
    continuous = data(resume=(line(D(1994, 9, 1), D(1998, 7, 1), "学习"), line(D(1998, 8, 1), None, "工作")))
    assert check_resume(continuous) == []
    same_month = data(resume=(line(D(1994, 9, 1), D(1998, 7, 1)), line(D(1998, 7, 1), None)))
    assert check_resume(same_month) == []
    gap = data(resume=(line(D(1994, 9, 1), D(1998, 7, 1), "某大学学习"), line(D(1998, 9, 1), None, "某局科员")))
    [p] = check_resume(gap)
    assert p.check == "resume_gap" and p.problem_type == "missing_material"
    assert "断档 1 个月" in p.message
    assert dict(p.sources) == {"简历·前一段": "1994.09--1998.07 某大学学习", "简历·后一段": "1998.09--至今 某局科员"}


def test_resume_overlap_and_open_end_and_in_service_lines():
    overlap = data(resume=(line(D(1994, 9, 1), D(1998, 7, 1)), line(D(1998, 6, 1), None)))
    [p] = check_resume(overlap)
    assert p.check == "resume_overlap" and p.problem_type == "inconsistent"
    open_end = data(resume=(line(D(1994, 9, 1), None, position=0), line(D(2000, 1, 1), D(2001, 1, 1), position=1)))
    assert [p.check for p in check_resume(open_end)] == ["resume_overlap"]
    # a （其间） line inside the main lines is skipped
    study = data(resume=(line(D(1994, 9, 1), D(2010, 7, 1)), line(D(2000, 9, 1), D(2003, 7, 1), "在职研究生", study=True),
                         line(D(2010, 7, 1), None)))
    assert check_resume(study) == []


def test_resume_line_contained_in_a_longer_one_is_checked_against_the_latest_end():
    lines = (line(D(2000, 1, 1), D(2010, 1, 1), position=0), line(D(2002, 1, 1), D(2004, 1, 1), position=1),
             line(D(2010, 1, 1), None, position=2))
    assert [p.check for p in check_resume(data(resume=lines))] == ["resume_overlap"]


# ----- degree_order --------------------------------------------------------------------------------------------

def q(category, level, text, start, end, degree_date=None, degree_text=""):
    return Qualification(category, level, text, start, end, degree_text, degree_date, "某大学")


def test_degree_end_before_start_and_degree_before_start():
    [p] = check_degree_order(data(educations=(q("full_time", "21", "大学本科", D(2002, 9, 1), D(2001, 7, 1)),)))
    assert p.check == "degree_order" and "毕业时间 2001.07 早于入学时间 2002.09" in p.message
    [p] = check_degree_order(data(educations=(q("full_time", "21", "大学本科", D(1998, 9, 1), D(2002, 7, 1),
                                                degree_date=D(1998, 7, 1), degree_text="学士"),)))
    assert "授予时间 1998.07 早于入学时间 1998.09" in p.message
    assert check_degree_order(data(educations=(q("full_time", "21", "大学本科", D(1998, 9, 1), D(2002, 7, 1),
                                                 degree_date=D(2002, 7, 1)),))) == []


def test_full_time_graduate_before_bachelor_is_flagged_in_service_is_not_ordered():
    bachelor = q("full_time", "21", "大学本科", D(1998, 9, 1), D(2002, 7, 1))
    master_ok = q("full_time", "14", "硕士研究生", D(2002, 9, 1), D(2005, 7, 1))
    assert check_degree_order(data(educations=(bachelor, master_ok))) == []
    master_early = q("full_time", "14", "硕士研究生", D(1999, 9, 1), D(2001, 7, 1))
    [p] = check_degree_order(data(educations=(bachelor, master_early)))
    assert "全日制研究生" in p.message and "早于全日制大学本科" in p.message
    in_service = q("in_service", "14", "在职研究生", D(1999, 9, 1), D(2001, 7, 1))
    assert check_degree_order(data(educations=(bachelor, in_service))) == []
    doctor_early = q("full_time", "11", "博士研究生", D(2003, 9, 1), D(2004, 7, 1))
    checks = check_degree_order(data(educations=(master_ok, doctor_early)))
    assert len(checks) == 1 and "博士研究生" in checks[0].message


# ----- same_level_after_current --------------------------------------------------------------------------------

def test_same_level_later_than_current_recorded_fields():
    assert check_same_level_after_current(data(recorded_same=D(2018, 3, 1), recorded_current=D(2018, 3, 1))) == []
    assert check_same_level_after_current(data(recorded_same=D(2016, 3, 1), recorded_current=D(2018, 3, 1))) == []
    [p] = check_same_level_after_current(data(recorded_same=D(2018, 4, 1), recorded_current=D(2018, 3, 1)))
    assert dict(p.sources) == {"干部信息·任同级职务时间": "2018.04", "干部信息·任现职时间": "2018.03"}
    assert p.problem_type == "inconsistent"


def test_same_level_recorded_against_the_appointment_record():
    [p] = check_same_level_after_current(data(recorded_same=D(2020, 1, 1), appointment_current=D(2018, 5, 20),
                                              appointment_title="甲镇镇长"))
    assert dict(p.sources)["任免记录·任现职时间（甲镇镇长）"] == "2018.05"
    # the same pair from several sources is reported once
    both = data(recorded_same=D(2020, 1, 1), recorded_current=D(2018, 5, 1), appointment_current=D(2018, 5, 20))
    assert len(check_same_level_after_current(both)) == 1


def test_a_clean_record_has_no_problem():
    clean = data(id_birth_date=BIRTH, work_start_date=D(2002, 7, 1), party_joined_date=D(2001, 6, 1),
                 member_admission=D(2001, 6, 1), member_full=D(2002, 6, 1),
                 resume=(line(D(1998, 9, 1), D(2002, 7, 1)), line(D(2002, 7, 1), None)),
                 educations=(q("full_time", "21", "大学本科", D(1998, 9, 1), D(2002, 7, 1)),),
                 recorded_current=D(2018, 3, 1), recorded_same=D(2016, 3, 1))
    assert run_checks(clean) == []
