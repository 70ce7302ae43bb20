"""The value forms of other systems' rosters (issue #9): code tables (``core.codes``) and dates
(``core.dates``), independent of any file."""

from __future__ import annotations

import datetime as dt

import pytest

from zugong.core.codes import (
    EDUCATION,
    ETHNICITY,
    MEMBER_CATEGORY,
    OCCUPATION,
    OCCUPATION_DETAIL,
    OCCUPATION_OF_DETAIL,
    SEX,
    occupation_label,
    occupation_parse,
)
from zugong.core.dates import DateParseError, is_date_number, parse_date


@pytest.mark.parametrize(("table", "text", "code"), [
    (SEX, "男_1", "1"), (SEX, "女_2", "2"), (ETHNICITY, "汉族_1", "01"), (ETHNICITY, "回族_03", "03"),
    (EDUCATION, "高中及以下_1", "60"), (EDUCATION, "初中及以下", "70"), (EDUCATION, "博士及以上", "11"),
    (EDUCATION, "研究生（硕士）", "14"), (EDUCATION, "研究生(博士)", "11"), (EDUCATION, "硕士研究生", "14"),
    (EDUCATION, "高中、中技", "60"), (EDUCATION, "大学本科", "20"),
    (MEMBER_CATEGORY, "中共党员", "full"), (MEMBER_CATEGORY, "中共预备党员", "probationary"),
    (MEMBER_CATEGORY, "正式党员_1", "full"),
])
def test_code_forms(table, text, code):
    assert table.parse(text) == code


@pytest.mark.parametrize(("table", "text"), [
    (MEMBER_CATEGORY, "教职工"), (MEMBER_CATEGORY, "学生"), (MEMBER_CATEGORY, "正常"), (MEMBER_CATEGORY, "普通编制"),
    (SEX, "_1"), (SEX, "男_1234"), (SEX, "男_a"),
])
def test_not_codes(table, text):
    assert table.parse(text) is None


def test_every_annual_report_row_maps_to_one_communique_category():
    assert set(OCCUPATION_DETAIL.entries) == set(OCCUPATION_OF_DETAIL)
    assert set(OCCUPATION_OF_DETAIL.values()) <= set(OCCUPATION.entries)
    # 22 rows of the form = 13 row codes (+ 2 sectors for 企业 and 工勤技能 rows, 2 合计, 总计, 在岗职工 …);
    # the 其中 rows 农民工 / 外出务工经商人员 are flags, not codes (issue #10)
    assert len(OCCUPATION_DETAIL.entries) == 13
    for code, name in OCCUPATION_DETAIL.entries.items():
        occupation, detail = occupation_parse(name)
        assert occupation == OCCUPATION_OF_DETAIL[code]
        # a detail is kept only where it says more than the category; it always re-reads the same
        assert occupation_parse(occupation_label(occupation, detail)) == (occupation, detail)


def test_occupation_parse_examples():
    assert occupation_parse("事业单位专业技术人员") == ("professional", "institution_professional")
    assert occupation_parse("民办非企业专业技术人员") == ("professional", "nonprofit_professional")
    assert occupation_parse("农民工") == ("worker", "skilled_worker")  # + the flag: occupation_parse_annual
    assert occupation_parse("军人、武警") == ("other", "military")
    assert occupation_parse("工勤技能人员") == ("worker", "skilled_worker")  # a 年报 row the 公报 shares
    assert occupation_parse("学生") == ("student", "")  # the row is its 公报 category: implied
    assert occupation_parse("工人（工勤技能人员）") == ("worker", "")  # the 公报 category only
    assert occupation_parse("企事业单位、社会组织管理人员") == ("manager", "")
    assert occupation_parse("宇航员") is None
    assert occupation_label("", "") == ""


@pytest.mark.parametrize(("value", "expected", "day_unknown"), [
    ("1985.07", dt.date(1985, 7, 1), True), ("1985年7月", dt.date(1985, 7, 1), True),
    ("198507", dt.date(1985, 7, 1), True), (198507, dt.date(1985, 7, 1), True),
    (1985.07, dt.date(1985, 7, 1), True), (1985.1, dt.date(1985, 10, 1), True), (1985.12, dt.date(1985, 12, 1), True),
    ("2019.10.08", dt.date(2019, 10, 8), False), ("2019/10/8", dt.date(2019, 10, 8), False),
    (20191008, dt.date(2019, 10, 8), False), (20191008.0, dt.date(2019, 10, 8), False),
    ("2019年10月8日", dt.date(2019, 10, 8), False), (dt.datetime(2019, 10, 8, 0, 0), dt.date(2019, 10, 8), False),
])
def test_date_forms(value, expected, day_unknown):
    assert parse_date(value) == (expected, day_unknown)


@pytest.mark.parametrize("value", ["1985.13", 198513, 1985.13, "2019/2/30"])
def test_impossible_dates_refused(value):
    with pytest.raises(DateParseError):
        parse_date(value)


def test_which_numbers_may_be_dates():
    assert is_date_number(19850701) and is_date_number(198507) and is_date_number(1985.07)
    assert not is_date_number(40360) and not is_date_number(1) and not is_date_number(12.5)
