"""The shared validators (people.validators, party.validators): pure functions, field + reason + source."""

import datetime as dt

from tests.factories import make_id
from zugong.core import idnumber
from zugong.party import validators as party_rules
from zugong.people import validators as people_rules

D = dt.date
TODAY = D(2026, 11, 30)


def test_id_number_against_birth_date_and_sex():
    info = idnumber.parse(make_id(D(1992, 4, 5), "2"))
    assert people_rules.validate_id_number_matches(info, birth_date=D(1992, 4, 5), sex="2") == []
    problems = people_rules.validate_id_number_matches(info, birth_date=D(1992, 4, 6), sex="1")
    assert [p.field for p in problems] == ["出生日期", "性别"]
    assert "1992-04-06" in problems[0].reason and "1992-04-05" in problems[0].reason and "不一致" in problems[0].reason
    assert "GB 11643" in problems[0].source and "第17位" in problems[1].reason
    # a day-unknown birth date (1992.04) compares year and month only
    assert people_rules.validate_id_number_matches(info, birth_date=D(1992, 4, 1), sex=None,
                                                   birth_day_unknown=True) == []


def test_id_number_text_checks_never_echo_the_number():
    number = make_id(D(1990, 1, 1), "1")
    info, problems = people_rules.check_id_number(number, today=TODAY)
    assert info.number == number and problems == []
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    info, problems = people_rules.check_id_number(bad, today=TODAY)
    assert info is None and "校验码错误" in problems[0].reason and bad not in problems[0].reason
    info, problems = people_rules.check_id_number(bad, today=TODAY, accept_bad_checksum=True)
    assert info is not None and problems[0].warning
    for text, words in (("", "必填"), ("1.10105E+17", "科学计数法"), ("110105********1234", "已脱敏"), ("123", "18位")):
        info, problems = people_rules.check_id_number(text, today=TODAY)
        assert info is None and words in problems[0].reason, text


def test_phone_name_birth_date_and_work_start():
    assert people_rules.validate_phone(people_rules.normalize_phone("+86 138-0013-8000")) == []
    assert people_rules.validate_phone("") == []
    assert people_rules.validate_phone("abc")[0].reason == "手机号码应为以 1 开头的 11 位数字"
    assert "已脱敏" in people_rules.validate_phone("138****8000")[0].reason
    assert people_rules.validate_name("张伟") == []
    assert [p.reason for p in people_rules.validate_name("")] == ["必填项为空"]
    assert "控制字符" in people_rules.validate_name("张\n伟")[0].reason
    assert "超过 50" in people_rules.validate_name("张" * 51)[0].reason
    assert "晚于今天" in people_rules.validate_birth_date(D(2027, 1, 1), today=TODAY)[0].reason
    assert "不合理" in people_rules.validate_birth_date(D(1899, 1, 1), today=TODAY)[0].reason
    young = people_rules.validate_work_start(D(2000, 5, 1), D(2016, 4, 30))
    assert young[0].warning and "未满十六周岁" in young[0].reason and "劳动法" in young[0].source
    assert people_rules.validate_work_start(D(2000, 5, 1), D(2016, 5, 1)) == []
    assert not people_rules.validate_work_start(D(2000, 5, 1), D(1999, 1, 1))[0].warning


def test_admission_age_and_probation():
    assert party_rules.validate_admission(D(2000, 5, 1), D(2018, 5, 1)) == []
    [p] = party_rules.validate_admission(D(2000, 5, 1), D(2018, 4, 30))
    assert p.field == "入党日期" and "未满十八周岁" in p.reason and p.source == "《中国共产党章程》第一条"
    assert party_rules.validate_full_membership(D(2020, 6, 1), D(2021, 6, 1)) == []
    [p] = party_rules.validate_full_membership(D(2020, 6, 1), D(2021, 5, 31))
    assert p.warning and "不足一年" in p.reason and p.source == "《中国共产党章程》第七条"
    [p] = party_rules.validate_full_membership(D(2020, 6, 1), D(2020, 6, 1))
    assert not p.warning and "不能早于或等于" in p.reason
    assert "必须填写转正日期" in party_rules.validate_category("full", None)[0].reason
    assert "不应填写" in party_rules.validate_category("probationary", D(2021, 1, 1))[0].reason
    assert party_rules.validate_probation_length("probationary", D(2024, 11, 30), today=TODAY)[0].warning


def org(**kw):
    values = dict(org_name="甲支部", org_type="branch", org_status="active", founded_date=D(2005, 3, 1),
                  dissolved_date=None, start_date=D(2010, 1, 1))
    values.update(kw)
    return party_rules.validate_membership_start(**values)


def test_membership_start_within_the_organizations_life():
    assert org() == []
    assert org(founded_date=None) == []
    [p] = org(start_date=D(2005, 2, 28))
    assert p.field == "所在党组织" and "早于「甲支部」的成立日期 2005-03-01" in p.reason
    [p] = org(dissolved_date=D(2009, 12, 31))
    assert "已于 2009-12-31 撤销" in p.reason
    assert org(dissolved_date=D(2010, 1, 2)) == []
    assert "已撤销" in org(org_status="dissolved")[0].reason
    assert "党小组" in org(org_type="party_group")[0].reason


def test_at_most_one_open_membership():
    assert party_rules.validate_open_membership([], start_date=D(2020, 1, 1)) == []
    open_one = [(D(2015, 1, 1), D(2018, 1, 1)), (D(2018, 1, 1), None)]
    [p] = party_rules.validate_open_membership(open_one, start_date=D(2020, 1, 1))
    assert "未结束的组织关系" in p.reason
    assert party_rules.validate_open_membership(open_one, start_date=D(2020, 1, 1), closing_open=True) == []
    assert "早于现有组织关系的起始日期" in party_rules.validate_open_membership(
        open_one, start_date=D(2017, 1, 1), closing_open=True)[0].reason
    closed = [(D(2015, 1, 1), D(2018, 1, 1))]
    assert party_rules.validate_open_membership(closed, start_date=D(2018, 1, 1)) == []
    assert "上一段组织关系的截止日期" in party_rules.validate_open_membership(closed, start_date=D(2017, 6, 1))[0].reason


def test_a_stored_number_is_not_described():
    info = idnumber.parse(make_id(D(1992, 4, 5), "2"))
    problems = people_rules.validate_id_number_matches(info, birth_date=D(1992, 4, 6), sex="1", reveal=False)
    assert [p.reason for p in problems] == ["出生日期 1992-04-06 与公民身份号码中的出生日期不一致",
                                            "性别「男」与公民身份号码不一致"]
