"""党员花名册 of real layouts (issue #9, part "roster"): only 姓名/公民身份号码/所在党组织/入党日期/正式预备
required, 性别 and 出生日期 from the ID number, 学历/民族/工作岗位 recommended (records without them are
imported and counted), the value forms and header aliases of other systems' exports, the 党内统计年报
工作岗位 rows kept as ``Membership.occupation_detail``.

All files here have their header on row 1 (the layout engine, ``core.layout``, is tested on its own)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_id
from tests.imports.helpers import ROSTER_HEADERS, member_row, xlsx
from zugong.audit.models import AuditEvent
from zugong.core.errors import ValidationFailed
from zugong.party.exporters import export_roster
from zugong.party.importers import import_roster
from zugong.party.models import Membership, MembershipEvent, PartyMember
from zugong.people.models import Person

pytestmark = pytest.mark.django_db


def state():
    return (Person.objects.count(), PartyMember.objects.count(), Membership.objects.count(),
            AuditEvent.objects.filter(kind="import").count(),
            sorted(Person.objects.values_list("pk", "version")), sorted(Membership.objects.values_list("pk", "version")))


def load(headers, *rows, user, **kwargs):
    return import_roster(xlsx([headers, *rows]), user=user, filename="花名册.xlsx", **kwargs)


def rejected(headers, *rows, user) -> list:
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        load(headers, *rows, user=user)
    assert state() == before
    return exc.value.errors


def person(number: str) -> Person:
    return Person.objects.get(id_number_hash=Person.hash_id_number(number))


MINIMAL = ["姓名", "公民身份号码", "所在党组织", "入党日期", "人员类别"]


# --- required versus recommended ------------------------------------------------------------------------

def test_only_identifying_columns_required_sex_and_birth_from_the_id_number(tree):
    woman = make_id(dt.date(1991, 8, 17), "2")
    man = make_id(dt.date(1979, 12, 1), "1")
    result = load(MINIMAL, ["孙丽", woman, "C-A-1", "2015-07-01", "正式党员"],
                  ["周明", man, "C-A-2", "2024-06-01", "预备党员"], user=tree.town_user)
    assert result.created == 2
    p = person(woman)
    assert (p.sex, p.birth_date, p.ethnicity, p.education_level) == ("2", dt.date(1991, 8, 17), "", "")
    assert Membership.objects.get(person=p).occupation == ""
    q = person(man)
    assert (q.sex, q.birth_date, q.political_status) == ("1", dt.date(1979, 12, 1), "02")
    assert result.details["incomplete"] == {"学历": 2, "民族": 2, "工作岗位": 2}
    summary = {(w.row, w.column): w.reason for w in result.warnings if w.row == 0}
    assert summary[(0, "学历")] == "2 条记录没有学历（文件没有该列），已导入，记为信息不完整，请在「数据质量」中补全"
    assert set(summary) == {(0, "学历"), (0, "民族"), (0, "工作岗位"), (0, "转正日期")}
    # no 转正日期 column: the 正式党员 turned full when the one-year probation ended (按期转正)
    assert PartyMember.objects.get(person=p).full_membership_date == dt.date(2016, 7, 1)
    assert PartyMember.objects.get(person=q).full_membership_date is None
    assert summary[(0, "转正日期")].startswith("文件没有转正日期列：1 名正式党员的转正日期按入党满一年（按期转正）记录")


def test_without_full_membership_column_a_stored_date_is_kept_and_a_recent_full_member_refused(tree):
    member = tree.member_a1_1  # 入党 2010-07-01, 转正 2011-07-01
    PartyMember.objects.filter(pk=member.pk).update(full_membership_date=dt.date(2012, 1, 5))  # 延长预备期
    result = load(MINIMAL, ["张伟", member.id_number, "C-A-1", "2010-07-01", "正式党员"], user=tree.town_user)
    assert result.updated + result.unchanged == 1
    assert PartyMember.objects.get(pk=member.pk).full_membership_date == dt.date(2012, 1, 5)
    recent = (dt.date.today() - dt.timedelta(days=100)).isoformat()
    errors = rejected(MINIMAL, ["周明", make_id(dt.date(1980, 3, 4), "1"), "C-A-1", recent, "正式党员"],
                      user=tree.town_user)
    assert [(e.row, e.column) for e in errors] == [(2, "人员类别")] and "入党未满一年" in errors[0].reason


def test_empty_recommended_cells_are_counted_not_refused(tree):
    rows = [member_row(name="甲一", ethnicity="", education="大学本科", occupation=""),
            member_row(name="甲二", birth=dt.date(1990, 1, 1), ethnicity="汉族", education="", occupation="学生"),
            member_row(name="甲三", birth=dt.date(1990, 1, 2))]
    result = load(ROSTER_HEADERS, *rows, user=tree.town_user)
    assert result.created == 3
    assert result.details["incomplete"] == {"学历": 1, "民族": 1, "工作岗位": 1}
    reasons = [w.reason for w in result.warnings if w.row == 0]
    assert "1 条记录没有民族（单元格为空），已导入，记为信息不完整，请在「数据质量」中补全" in reasons
    assert Person.objects.get(name="甲一").ethnicity == ""
    assert Person.objects.get(name="甲二").education_level == ""
    complete = load(ROSTER_HEADERS, member_row(name="乙一", birth=dt.date(1990, 1, 3)), user=tree.town_user)
    assert complete.details["incomplete"] == {"学历": 0, "民族": 0, "工作岗位": 0}
    assert not [w for w in complete.warnings if w.row == 0]


def test_existing_person_keeps_stored_values_the_file_lacks(tree):
    member = tree.member_a1_1  # 张伟: 汉族, 21, professional
    rows = [["张伟", member.id_number, "C-A-1", "2010-07-01", "正式党员", "2011-07-01"]]
    result = load([*MINIMAL, "转正日期"], *rows, user=tree.town_user)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert result.details["incomplete"] == {"学历": 0, "民族": 0, "工作岗位": 0}
    member.refresh_from_db()
    assert (member.ethnicity, member.education_level) == ("01", "21")
    assert Membership.objects.get(person=member).occupation == "professional"
    # an empty cell keeps the stored value too (a partial export never erases what Zugong knows)
    row = member_row(name="张伟", sex="男", birth=member.birth_date, id_number=member.id_number, ethnicity="",
                     education="", occupation="", admission=dt.date(2010, 7, 1), full=dt.date(2011, 7, 1))
    assert load(ROSTER_HEADERS, row, user=tree.town_user).details["incomplete"] == {"学历": 0, "民族": 0, "工作岗位": 0}
    member.refresh_from_db()
    assert (member.ethnicity, member.education_level) == ("01", "21")


def test_given_sex_and_birth_date_still_checked_against_the_id_number(tree):
    number = make_id(dt.date(1991, 8, 17), "2")
    errors = rejected(["姓名", "性别", "出生日期", *MINIMAL[1:]],
                      ["孙丽", "男", "1991-08-18", number, "C-A-1", "2015-07-01", "正式党员"], user=tree.town_user)
    assert {e.column for e in errors} == {"性别", "出生日期"}


def test_unknown_recommended_value_is_still_an_error_never_dropped(tree):
    errors = rejected(ROSTER_HEADERS, member_row(ethnicity="火星族", education="博士后", occupation="宇航员"),
                      user=tree.town_user)
    assert {e.column for e in errors} == {"民族", "学历", "工作岗位"}
    assert any("事业单位专业技术人员" in e.reason for e in errors if e.column == "工作岗位")  # the hint names 年报 rows


def test_missing_organization_column_names_both_sources(tree):
    errors = rejected(["姓名", "公民身份号码", "入党日期", "人员类别"],
                      ["孙丽", make_id(dt.date(1991, 8, 17), "2"), "2015-07-01", "正式党员"], user=tree.town_user)
    assert len(errors) == 1 and errors[0].row == 0 and "缺少必填列「所在党组织」" in errors[0].reason


# --- value forms ----------------------------------------------------------------------------------------

def test_coded_values_with_index_suffix_and_education_variants(tree):
    headers = ["姓名", "性别", "民族", "公民身份号码", "学历", "入党日期", "人员类别", "所在党组织"]
    cases = [("高中及以下_1", "60"), ("研究生（硕士）", "14"), ("博士及以上", "11"), ("初中及以下", "70"),
             ("硕士研究生", "14"), ("高中、中技", "60")]
    rows, numbers = [], []
    for i, (education, _code) in enumerate(cases):
        number = make_id(dt.date(1980 + i, 3, 4), "1")
        numbers.append(number)
        rows.append([f"党员{i}", "男_1", "汉族_1", number, education, "2010-07-01", "正式党员_1", "C-A-1"])
    assert load(headers, *rows, user=tree.town_user).created == len(cases)
    for number, (_education, code) in zip(numbers, cases, strict=True):
        p = person(number)
        assert (p.sex, p.ethnicity, p.education_level) == ("1", "01", code)


@pytest.mark.parametrize(("admission", "expected", "day_unknown"), [
    ("2010.07", dt.date(2010, 7, 1), True),
    ("2010年7月", dt.date(2010, 7, 1), True),
    ("201007", dt.date(2010, 7, 1), True),
    (201007, dt.date(2010, 7, 1), True),        # the same typed into a number cell
    (2010.07, dt.date(2010, 7, 1), True),       # Excel's number for a typed 2010.07
    (2010.1, dt.date(2010, 10, 1), True),       # Excel's number for a typed 2010.10
    ("2019.10.08", dt.date(2019, 10, 8), False),
    ("2019/10/8", dt.date(2019, 10, 8), False),
    (dt.datetime(2019, 10, 8), dt.date(2019, 10, 8), False),
])
def test_date_forms(tree, admission, expected, day_unknown):
    number = make_id(dt.date(1980, 3, 4), "1")
    result = load(MINIMAL, ["周明", number, "C-A-1", admission, "预备党员"], user=tree.town_user)
    assert PartyMember.objects.get(person=person(number)).admission_date == expected
    assert any(w.row == 2 and w.column == "入党日期" for w in result.warnings) == day_unknown


def test_number_cell_that_is_not_a_date_is_refused(tree):
    errors = rejected(MINIMAL, ["周明", make_id(dt.date(1980, 3, 4), "1"), "C-A-1", 40360, "预备党员"],
                      user=tree.town_user)
    assert [(e.row, e.column) for e in errors] == [(2, "入党日期")] and "不是日期" in errors[0].reason


# --- 工作岗位: the 党内统计年报 rows ----------------------------------------------------------------------

ANNUAL_REPORT_ROWS = {
    "党政机关工作人员": ("government", ""), "事业单位管理人员": ("manager", "institution_manager"),
    "事业单位专业技术人员": ("professional", "institution_professional"),
    "企业管理人员": ("manager", "enterprise_manager"), "企业专业技术人员": ("professional", "enterprise_professional"),
    "民办非企业单位管理人员": ("manager", "nonprofit_manager"),
    "民办非企业专业技术人员": ("professional", "nonprofit_professional"), "工勤技能人员": ("worker", "skilled_worker"),
    # issue #10: 农民工 / 外出务工经商人员 are the 其中 flags of 工勤技能人员 / 农牧渔民 (``migrant_worker`` …)
    "农民工": ("worker", "skilled_worker", "migrant_worker"), "农牧渔民": ("farmer", ""),
    "外出务工经商人员": ("farmer", "", "migrant_business"),
    "军人、武警": ("other", "military"), "学生": ("student", ""), "离退休人员": ("retired", ""), "其他": ("other", "other"),
}


def test_annual_report_occupations_keep_their_row_and_round_trip_through_the_export(tree):
    rows = []
    for i, name in enumerate(ANNUAL_REPORT_ROWS):
        rows.append(member_row(name=f"岗位{i}", birth=dt.date(1960 + i, 5, 6), occupation=name, phone=""))
    result = load(ROSTER_HEADERS, *rows, user=tree.town_user)
    assert result.created == len(ANNUAL_REPORT_ROWS)
    for i, (_name, expected) in enumerate(ANNUAL_REPORT_ROWS.items()):
        m = Membership.objects.get(person__name=f"岗位{i}")
        assert (m.occupation, m.occupation_detail) == expected[:2]
        assert (m.migrant_worker, m.migrant_business) == ("migrant_worker" in expected, "migrant_business" in expected)
    # the export writes the 年报 row (or the category) and re-imports as "nothing changed"
    data = export_roster(user=tree.county_user, organization=tree.branch_a1, as_of=dt.date.today(), unmask=True)
    import io

    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [c.value for c in ws[1]]
    shown = {r[0]: r[header.index("工作岗位")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert shown["岗位1"] == "事业单位管理人员" and shown["岗位0"] == "党政机关工作人员"
    again = import_roster(data, user=tree.town_user, filename="导出.xlsx")
    assert again.created == 0 and again.updated == 0


def test_category_in_file_replaces_a_stored_detail_only_when_it_differs(tree):
    row = member_row(name="王一", birth=dt.date(1970, 1, 1), occupation="企业专业技术人员")
    load(ROSTER_HEADERS, row, user=tree.town_user)
    m = Membership.objects.get(person__name="王一")
    assert (m.occupation, m.occupation_detail) == ("professional", "enterprise_professional")
    row[9] = "企事业单位、社会组织专业技术人员"  # the same category, less precise: the detail stays
    assert load(ROSTER_HEADERS, row, user=tree.town_user).unchanged == 1
    row[9] = "企业管理人员"
    assert load(ROSTER_HEADERS, row, user=tree.town_user).updated == 1
    m.refresh_from_db()
    assert (m.occupation, m.occupation_detail) == ("manager", "enterprise_manager")
    row[9] = "学生"  # a 年报 row that is its 公报 category: stored as the category alone
    load(ROSTER_HEADERS, row, user=tree.town_user)
    m.refresh_from_db()
    assert (m.occupation, m.occupation_detail) == ("student", "")


def test_transfer_by_import_carries_the_annual_report_row(tree):
    row = member_row(name="王二", birth=dt.date(1970, 1, 2), occupation="农民工")
    load(ROSTER_HEADERS, row, user=tree.town_user)
    moved = [*row[:9], "", "C-A-2", *row[11:]]  # no 工作岗位 given: the new period keeps it
    result = load(ROSTER_HEADERS, moved, user=tree.town_user)
    assert result.details["transferred"] == 1
    current = Membership.objects.get(person__name="王二", end_date__isnull=True)
    assert (current.organization, current.occupation, current.occupation_detail) == (tree.branch_a2, "worker",
                                                                                       "skilled_worker")
    assert current.migrant_worker  # the 其中 flag moves with the row (issue #10)
    # and the move is on record as a 组织关系转接 of today (issue #10: the periods follow the events)
    event = MembershipEvent.objects.get(person__name="王二")
    assert (event.kind, event.from_organization, event.to_organization, event.date) == (
        "transfer", tree.branch_a1, tree.branch_a2, current.start_date)


# --- header aliases of real layouts ---------------------------------------------------------------------

@pytest.mark.parametrize("org_header", [
    "所在党支部", "组织关系所在党支部", "党支部名称", "所属党支部", "隶属党组织", "党支部", "所在党组织代码",
    "党组织唯一标识", "所在党支部编码", "所在分党委编码",
])
def test_organization_header_aliases(tree, org_header):
    number = make_id(dt.date(1980, 3, 4), "1")
    headers = ["党员姓名", "身份证号码", org_header, "入党时间", "党员类别", "文化程度", "党员职业"]
    result = load(headers, ["周明", number, "C-A-1", "2010.07.01", "预备党员", "大专", "农民工"], user=tree.town_user)
    assert result.created == 1
    m = Membership.objects.get(person=person(number))
    assert (m.organization, m.occupation_detail, m.migrant_worker) == (tree.branch_a1, "skilled_worker", True)
    assert person(number).education_level == "30"


def test_organization_by_identifier_when_the_name_cell_is_empty(tree):
    number = make_id(dt.date(1980, 3, 4), "1")
    headers = ["姓名", "公民身份号码", "所在党支部", "党组织唯一标识", "入党日期", "人员类别"]
    assert load(headers, ["周明", number, "", "C-A-2", "2025-07-01", "预备党员"], user=tree.town_user).created == 1
    assert Membership.objects.get(person=person(number)).organization == tree.branch_a2


def test_unknown_identifier_names_its_own_column(tree):
    errors = rejected(["姓名", "公民身份号码", "所在党组织", "党组织唯一标识", "入党日期", "人员类别"],
                      ["周明", make_id(dt.date(1980, 3, 4), "1"), "", "ZZ-404", "2010-07-01", "正式党员"],
                      user=tree.town_user)
    assert [(e.row, e.column) for e in errors] == [(2, "党组织唯一标识")]
    assert "「ZZ-404」不存在或不在您的管理范围内" in errors[0].reason


def test_organization_by_full_name(tree):
    number = make_id(dt.date(1980, 3, 4), "1")
    result = load(["姓名", "公民身份号码", "所在党支部", "入党日期", "人员类别"],
                  ["周明", number, "甲镇机关党支部", "2010-07-01", "正式党员"], user=tree.town_user)
    assert result.created == 1
    assert Membership.objects.get(person=person(number)).organization == tree.branch_a1


def test_political_status_and_category_must_agree(tree):
    errors = rejected([*MINIMAL, "政治面貌"],
                      ["周明", make_id(dt.date(1980, 3, 4), "1"), "C-A-1", "2010-07-01", "预备党员", "中共党员"],
                      user=tree.town_user)
    assert [(e.column, e.reason) for e in errors] == [("政治面貌", "政治面貌「中共党员」与人员类别「预备党员」不一致")]


def test_category_from_political_status_column(tree):
    full, probationary = make_id(dt.date(1980, 3, 4), "1"), make_id(dt.date(1990, 3, 4), "2")
    headers = ["姓名", "公民身份号码", "所在党组织", "入党日期", "转正日期", "政治面貌"]
    load(headers, ["周明", full, "C-A-1", "2010-07-01", "2011-07-01", "中共党员"],
         ["孙丽", probationary, "C-A-1", "2025-07-01", "", "中共预备党员"], user=tree.town_user)
    assert person(full).political_status == "01" and person(probationary).political_status == "02"


def test_category_from_full_membership_date_when_no_category_column(tree):
    full, probationary = make_id(dt.date(1980, 3, 4), "1"), make_id(dt.date(1990, 3, 4), "2")
    result = load(["姓名", "公民身份号码", "所在党组织", "入党日期", "转正日期"],
                  ["周明", full, "C-A-1", "2010-07-01", "2011-07-01"],
                  ["孙丽", probationary, "C-A-1", "2025-07-01", ""], user=tree.town_user)
    assert person(full).political_status == "01" and person(probationary).political_status == "02"
    assert any(w.row == 0 and w.column == "人员类别" and "按转正日期判断" in w.reason for w in result.warnings)


def test_owip_staff_category_is_not_the_member_category(tree):
    number = make_id(dt.date(1980, 3, 4), "1")
    headers = ["姓名", "公民身份号码", "所在党支部", "入党时间", "转正时间", "人员类别", "党籍状态", "政治面貌"]
    result = load(headers, ["周明", number, "C-A-1", "2010-07-01", "2011-07-01", "教职工", "正常", "中共党员"],
                  user=tree.town_user)
    assert result.created == 1 and person(number).political_status == "01"


def test_category_accepts_check():
    from zugong.party.importers import category_values

    assert category_values(["正式党员", "预备党员", "正式党员"])
    assert category_values(["中共党员", "中共预备党员"])
    assert category_values(["正式党员_1"])
    assert not category_values(["教职工", "学生", "教职工"])
    assert not category_values(["正常", "正常"])
    assert not category_values(["普通编制", "正式党员", "学生"])
