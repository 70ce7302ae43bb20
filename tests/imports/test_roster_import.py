"""党员花名册 import service (``party.importers.import_roster``): semantics, every bad-input class, scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_id
from tests.imports.helpers import ROSTER_HEADERS, csv_bytes, member_row, xlsx
from zugong.audit.models import AuditEvent
from zugong.core import idnumber
from zugong.core.errors import PermissionDeniedError, ValidationFailed
from zugong.core.importing import error_report
from zugong.party.importers import import_roster
from zugong.party.models import Membership, PartyMember
from zugong.people.models import Person

pytestmark = pytest.mark.django_db


def state():
    """Everything an import may write (to prove that a failed import wrote nothing)."""
    return (Person.objects.count(), PartyMember.objects.count(), Membership.objects.count(),
            AuditEvent.objects.filter(kind="import").count(),
            sorted(Person.objects.values_list("pk", "version")), sorted(Membership.objects.values_list("pk", "version")))


def run(rows, user, **kwargs):
    return import_roster(xlsx([ROSTER_HEADERS, *rows]), user=user, filename="花名册.xlsx", **kwargs)


def rejected(rows, user, **kwargs) -> list:
    """Import ``rows``, expect a rejection, check nothing was written; returns the errors."""
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        run(rows, user, **kwargs)
    assert state() == before
    return exc.value.errors


def only(errors, row: int | None = None):
    assert len(errors) == 1, [str(e) for e in errors]
    if row is not None:
        assert errors[0].row == row
    return errors[0]


# --- success paths ---------------------------------------------------------------------------------

def test_new_members_created_with_person_member_and_membership(tree):
    number = make_id(dt.date(1992, 4, 5), "2")
    result = run([member_row(id_number=number),
                  member_row("C-A-2", name="钱多多", sex="男", birth=dt.date(1999, 1, 1), category="预备党员", full=None,
                             admission=dt.date(2025, 3, 1), occupation="农牧渔民", front_line="是", phone="")],
                 tree.town_user)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    person = Person.objects.get(id_number_hash=Person.hash_id_number(number))
    reference = Person()
    reference.set_id_number(number)  # the bulk insert stores what the model's own method computes
    assert (person.id_number_hash, person.id_number_masked) == (reference.id_number_hash, reference.id_number_masked)
    assert person.name == "赵敏" and person.sex == "2" and person.ethnicity == "01"
    assert person.education_level == "20" and person.political_status == "01"
    assert person.organization == tree.branch_a1 and person.id_number == number
    assert person.id_number_masked == idnumber.mask(number) and person.phone == "13800138000"
    assert person.work_start_date == dt.date(2014, 7, 1)
    member = PartyMember.objects.get(person=person)
    assert (member.admission_date, member.full_membership_date) == (dt.date(2016, 6, 28), dt.date(2017, 6, 28))
    membership = Membership.objects.get(person=person)
    assert membership.organization == tree.branch_a1 and membership.start_date == dt.date(2016, 6, 28)
    assert membership.end_date is None and membership.occupation == "government" and not membership.front_line
    other = Person.objects.get(name="钱多多")
    assert other.political_status == "02" and other.phone == ""
    assert Membership.objects.get(person=other).front_line is True
    assert PartyMember.objects.get(person=other).full_membership_date is None


def test_same_file_twice_creates_and_changes_nothing(tree):
    rows = [member_row(), member_row("C-A-2", name="孙悟", sex="男", birth=dt.date(1980, 2, 29))]
    first = run(rows, tree.town_user)
    before = state()
    second = run(rows, tree.town_user)
    assert (first.created, second.created, second.updated, second.unchanged) == (2, 0, 0, 2)
    after = state()
    assert after[:3] == before[:3] and after[4:] == before[4:]  # same rows, same versions
    assert after[3] == before[3] + 1  # one more import event


def test_existing_id_number_updates_that_person(tree):
    person = tree.member_a1_2  # 李娜, 预备党员 in C-A-1
    number = person.id_number
    row = member_row("C-A-1", name="李娜娜", sex="女", birth=person.birth_date, id_number=number,
                     education="硕士研究生毕业", admission=dt.date(2024, 6, 20), full=None, category="预备党员",
                     occupation="党政机关工作人员", phone="13912345678", front_line="是")
    result = run([row], tree.town_user)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 0)
    person.refresh_from_db()
    assert person.name == "李娜娜" and person.phone == "13912345678" and person.version == 2
    membership = Membership.objects.get(person=person)
    assert membership.front_line is True and membership.end_date is None
    assert Person.objects.filter(id_number_hash=person.id_number_hash).count() == 1


def test_changed_organization_transfers_membership_today(tree):
    person = tree.member_a1_1  # 张伟 in C-A-1
    old = Membership.objects.get(person=person)
    row = member_row("C-A-2", name="张伟", sex="男", birth=person.birth_date, id_number=person.id_number,
                     education="大学本科毕业", admission=dt.date(2010, 7, 1), full=dt.date(2011, 7, 1),
                     occupation="企事业单位、社会组织专业技术人员", work_start=None, phone="")
    result = run([row], tree.town_user)
    assert result.updated == 1 and result.details["transferred"] == 1
    today = timezone.localdate()
    old.refresh_from_db()
    assert old.end_date == today and old.end_reason == "transfer" and old.organization == tree.branch_a1
    new = Membership.objects.get(person=person, end_date__isnull=True)
    assert new.organization == tree.branch_a2 and new.start_date == today
    person.refresh_from_db()
    assert person.organization == tree.branch_a2
    # the roster as of yesterday still shows the old branch
    yesterday = today - dt.timedelta(days=1)
    assert Membership.objects.on(yesterday).get(person=person).organization == tree.branch_a1


def test_absent_optional_columns_leave_data_alone(tree):
    person = tree.member_a1_1
    person.set_phone("13700001111")
    person.save()
    headers = [h for h in ROSTER_HEADERS if h not in ("手机号码", "参加工作日期", "生产工作一线")]
    row = member_row("C-A-1", name="张伟", sex="男", birth=person.birth_date, id_number=person.id_number,
                     education="大学本科毕业", admission=dt.date(2010, 7, 1), full=dt.date(2011, 7, 1),
                     occupation="企事业单位、社会组织专业技术人员")
    row = row[:11]
    result = import_roster(xlsx([headers, row]), user=tree.town_user, filename="a.xlsx")
    assert result.unchanged == 1
    person.refresh_from_db()
    assert person.phone == "13700001111"


def test_headers_matched_by_name_fullwidth_aliases_any_order_and_title_row(tree):
    headers = ["所在党组织代码", "公民身份号码＊", "姓　名", "性别", "民族", "出生日期", "学历", "入党时间", "转正时间",
               "人员类别 *", "工作岗位", "序号"]
    number = make_id(dt.date(1990, 3, 3), "1")
    row = ["C-A-1", number, "周正", "男", "汉", "19900303", "大专", "2015/07/01", "2016.07.01", "正式党员", "工人", 1]
    result = import_roster(xlsx([headers, row], title_rows=[["某镇党员花名册"], ["填报单位：甲镇"]]),
                           user=tree.town_user, filename="a.xlsx")
    assert result.created == 1
    person = Person.objects.get(name="周正")
    assert person.education_level == "30" and person.birth_date == dt.date(1990, 3, 3)


def test_csv_gbk_file(tree):
    data = csv_bytes([ROSTER_HEADERS, member_row()], encoding="gbk")
    assert import_roster(data, user=tree.town_user, filename="名册.csv").created == 1


def test_excel_date_cells_accepted(tree):
    row = member_row()
    row[4], row[6], row[7] = dt.date(1992, 4, 5), dt.datetime(2016, 6, 28), dt.date(2017, 6, 28)
    assert run([row], tree.town_user).created == 1


def test_day_unknown_dates_are_warnings(tree):
    row = member_row(birth=dt.date(1992, 4, 5))
    row[4] = "1992.04"
    row[6] = "2016.06"
    result = run([row], tree.town_user)
    assert result.created == 1
    # a month-only 出生日期 agreeing with the ID number takes the ID number's day, without a warning
    assert {(w.row, w.column) for w in result.warnings} == {(2, "入党日期")}
    assert "日期只有年月" in result.warnings[0].reason
    assert Person.objects.get(name=row[0]).birth_date == dt.date(1992, 4, 5)


def test_dry_run_counts_without_writing(tree):
    before = state()
    result = run([member_row()], tree.town_user, dry_run=True)
    assert result.dry_run and result.created == 1
    assert state() == before


def test_audit_event_has_counts_and_no_id_numbers(tree):
    number = make_id(dt.date(1992, 4, 5), "2")
    run([member_row(id_number=number)], tree.town_user)
    event = AuditEvent.objects.filter(kind="import").latest("id")
    assert event.actor_username == "town_a"
    assert event.data["created"] == 1 and event.data["updated"] == 0 and event.data["unchanged"] == 0
    assert event.data["filename"] == "花名册.xlsx"
    for e in AuditEvent.objects.all():
        assert number not in str(e.data) and number not in e.summary


def test_audit_filename_with_id_number_is_masked(tree):
    number = make_id(dt.date(1992, 4, 5), "2")
    import_roster(xlsx([ROSTER_HEADERS, member_row(id_number=number)]), user=tree.town_user,
                  filename=f"{number}.xlsx")
    event = AuditEvent.objects.filter(kind="import").latest("id")
    assert number not in event.data["filename"] and idnumber.mask(number) in event.data["filename"]


def test_formula_like_name_is_stored_literally(tree):
    row = member_row(name='=HYPERLINK("http://x","y")')
    assert run([row], tree.town_user).created == 1
    assert Person.objects.filter(name='=HYPERLINK("http://x","y")').exists()


# --- bad input: each rejected with row and column, nothing written ---------------------------------

def test_wrong_checksum_rejected(tree):
    number = make_id(dt.date(1992, 4, 5), "2")
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    error = only(rejected([member_row(), member_row(name="吴用", id_number=bad)], tree.town_user), row=3)
    assert error.column == "公民身份号码" and "校验码错误" in error.reason


def test_wrong_checksum_accepted_as_warning_when_asked(tree):
    number = make_id(dt.date(1992, 4, 5), "2")
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    result = run([member_row(id_number=bad)], tree.town_user, accept_bad_checksum=True)
    assert result.created == 1
    assert [(w.row, w.column) for w in result.warnings] == [(2, "公民身份号码")]
    assert Person.objects.get(name="赵敏").id_number == bad


def test_id_number_contradicting_birth_date_and_sex(tree):
    number = make_id(dt.date(1992, 4, 5), "1")  # a man born 1992-04-05
    row = member_row(sex="女", birth=dt.date(1992, 4, 6), id_number=number)
    errors = rejected([row], tree.town_user)
    assert {(e.row, e.column) for e in errors} == {(2, "出生日期"), (2, "性别")}
    by_column = {e.column: e.reason for e in errors}
    assert "1992-04-05" in by_column["出生日期"] and "不一致" in by_column["性别"]


@pytest.mark.parametrize("cell", [1.10105199001011e17, 110105199001011234])
def test_id_number_as_excel_number_cell_rejected_never_rounded(tree, cell):
    row = member_row()
    row[3] = cell
    error = only(rejected([row], tree.town_user), row=2)
    assert error.column == "公民身份号码"
    assert "数字格式的单元格" in error.reason
    assert "110105" not in error.reason and "1.101051" not in error.reason  # the digits are not echoed


def test_id_number_in_scientific_notation_text_rejected(tree):
    row = member_row()
    row[3] = "1.10105E+17"
    assert "科学计数法" in only(rejected([row], tree.town_user)).reason


def test_masked_id_number_rejected(tree):
    row = member_row(id_number="*****************X")
    assert "已脱敏" in only(rejected([row], tree.town_user)).reason
    row = member_row(id_number="110105********002X")  # the mask of earlier versions
    assert "已脱敏" in only(rejected([row], tree.town_user)).reason


def test_impossible_date_rejected(tree):
    row = member_row()
    row[6] = "2023-02-30"
    error = only(rejected([row], tree.town_user), row=2)
    assert error.column == "入党日期" and "不是有效日期" in error.reason


def test_future_date_rejected(tree):
    row = member_row(category="预备党员", full=None)
    row[6] = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    assert "晚于今天" in only(rejected([row], tree.town_user)).reason


def test_admission_before_age_18_rejected(tree):
    row = member_row(birth=dt.date(2000, 5, 10), admission=dt.date(2018, 5, 9), full=dt.date(2019, 5, 9))
    error = only(rejected([row], tree.town_user), row=2)
    assert error.column == "入党日期" and "未满十八周岁" in error.reason and "党章" in error.reason
    # on the 18th birthday it is allowed
    ok = member_row(birth=dt.date(2000, 5, 10), admission=dt.date(2018, 5, 10), full=dt.date(2019, 5, 10))
    assert run([ok], tree.town_user).created == 1


def test_full_membership_before_admission_rejected(tree):
    row = member_row(admission=dt.date(2016, 6, 28), full=dt.date(2016, 6, 1))
    error = only(rejected([row], tree.town_user), row=2)
    assert error.column == "转正日期" and "不能早于" in error.reason


def test_full_membership_within_a_year_is_a_warning(tree):
    result = run([member_row(admission=dt.date(2016, 6, 28), full=dt.date(2017, 1, 2))], tree.town_user)
    assert result.created == 1
    warning = only(result.warnings, row=2)
    assert warning.column == "转正日期" and "不足一年" in warning.reason


def test_full_member_without_full_membership_date_rejected(tree):
    error = only(rejected([member_row(full=None, category="正式党员")], tree.town_user), row=2)
    assert error.column == "转正日期" and "必须填写转正日期" in error.reason


def test_probationary_member_with_full_membership_date_rejected(tree):
    error = only(rejected([member_row(category="预备党员")], tree.town_user), row=2)
    assert error.column == "转正日期" and "不应填写转正日期" in error.reason


def test_unknown_organization_code_rejected(tree):
    error = only(rejected([member_row("NOPE-1")], tree.town_user), row=2)
    assert error.column == "所在党组织" and error.reason == "所在党组织「NOPE-1」不存在或不在您的管理范围内"


def test_out_of_scope_organization_gives_the_same_message_as_unknown(tree):
    error = only(rejected([member_row("C-B-1")], tree.town_user), row=2)
    assert error.reason == "所在党组织「C-B-1」不存在或不在您的管理范围内"


def test_id_number_of_a_person_outside_the_scope_rejected_without_naming_them(tree):
    outsider = tree.member_b1_1  # 阿依古丽 in 乙镇
    row = member_row("C-A-1", name="阿依古丽", sex="女", birth=outsider.birth_date, id_number=outsider.id_number,
                     ethnicity="维吾尔族")
    error = only(rejected([row], tree.town_user), row=2)
    assert error.reason == "该公民身份号码已在其他党组织登记，请通过组织关系转接办理"
    assert "乙镇" not in str(error) and "C-B" not in str(error)


def test_duplicate_id_numbers_in_file_name_both_rows(tree):
    number = make_id(dt.date(1992, 4, 5), "2")
    errors = rejected([member_row(id_number=number), member_row(), member_row(name="赵敏二", id_number=number)],
                      tree.town_user)
    assert [(e.row, e.column) for e in errors] == [(2, "公民身份号码"), (4, "公民身份号码")]
    assert "第 4 行" in errors[0].reason and "第 2 行" in errors[1].reason


def test_missing_required_column_is_a_file_level_error(tree):
    headers = [h for h in ROSTER_HEADERS if h != "入党日期*"]
    row = member_row()
    del row[6]
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        import_roster(xlsx([headers, row]), user=tree.town_user, filename="a.xlsx")
    assert state() == before
    error = only(exc.value.errors, row=0)
    assert error.column == "入党日期" and error.reason == "缺少必填列「入党日期」"


def test_unknown_code_values_rejected(tree):
    errors = rejected([member_row(sex="未知x", education="博士后", occupation="宇航员")], tree.town_user)
    by_column = {e.column: e.reason for e in errors}
    assert by_column["性别"].startswith("无法识别的性别「未知x」")
    assert "学历" in by_column and "工作岗位" in by_column


def test_empty_required_cells_rejected(tree):
    row = member_row()
    row[0] = ""
    row[8] = " "
    errors = rejected([row], tree.town_user)
    assert {(e.column, e.reason) for e in errors} == {("姓名", "必填项为空"), ("人员类别", "必填项为空")}


def test_bad_phone_and_front_line_rejected(tree):
    errors = rejected([member_row(phone="12345", front_line="也许")], tree.town_user)
    assert {e.column for e in errors} == {"手机号码", "生产工作一线"}


def test_party_group_cannot_hold_members(tree):
    from zugong.orgs.services import organization_create

    organization_create(code="C-A-1-G1", name="第一党小组", org_type="party_group", parent=tree.branch_a1)
    error = only(rejected([member_row("C-A-1-G1")], tree.town_user))
    assert "党小组" in error.reason


def test_one_bad_row_among_many_writes_nothing(tree):
    rows = [member_row(name=f"党员{i}", birth=dt.date(1970 + i % 20, 1 + i % 12, 1 + i % 28)) for i in range(30)]
    rows[17][6] = "2023-02-30"
    error = only(rejected(rows, tree.town_user))
    assert error.row == 19


def test_not_a_real_xlsx_rejected(tree):
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        import_roster("姓名,性别\n".encode(), user=tree.town_user, filename="花名册.xlsx")
    assert state() == before
    assert "不是有效的 Excel" in only(exc.value.errors, row=0).reason


def test_empty_file_and_header_only_sheet_rejected(tree):
    with pytest.raises(ValidationFailed) as exc:
        import_roster(b"", user=tree.town_user, filename="a.xlsx")
    assert only(exc.value.errors).reason == "文件为空"
    with pytest.raises(ValidationFailed) as exc:
        import_roster(xlsx([ROSTER_HEADERS]), user=tree.town_user, filename="a.xlsx")
    assert only(exc.value.errors).reason == "文件中没有数据行"
    with pytest.raises(ValidationFailed) as exc:
        import_roster(xlsx([[]]), user=tree.town_user, filename="a.xlsx")
    assert "空的" in only(exc.value.errors).reason


def test_user_without_import_permission_refused(tree):
    with pytest.raises(PermissionDeniedError):
        run([member_row()], tree.branch_user)  # 支部书记: no import
    with pytest.raises(PermissionDeniedError):
        run([member_row()], tree.nogrant_user)


def test_error_report_marks_rows_and_keeps_values(tree):
    import io

    import openpyxl

    row = member_row()
    row[3] = 1.10105199001011e17
    with pytest.raises(ValidationFailed) as exc:
        run([member_row(), row], tree.town_user)
    report = openpyxl.load_workbook(io.BytesIO(error_report(exc.value)))
    sheet = report["导入错误"]
    header = [c.value for c in sheet[1]]
    assert header[-1] == "错误说明" and header[:3] == ["姓名*", "性别", "民族"]
    assert sheet.cell(row=2, column=len(header)).value in (None, "")
    assert "数字格式的单元格" in sheet.cell(row=3, column=len(header)).value
    assert sheet.cell(row=3, column=4).value == pytest.approx(1.10105199001011e17)  # kept as read
    assert sheet.cell(row=3, column=1).fill.fgColor.rgb.endswith("F3C9CB")
    assert sheet.cell(row=2, column=1).fill.fgColor.rgb in ("00000000", None)


def test_query_count_does_not_grow_with_rows(tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def rows(n, offset, **kwargs):
        return [member_row(name=f"党员{offset + i}", birth=dt.date(1960 + i % 30, 1 + i % 12, 1 + i % 28), **kwargs)
                for i in range(n)]

    small, large = rows(3, 0), rows(30, 100)
    counts = []
    user = tree.town_user
    run([member_row(name="预热")], user, dry_run=True)  # the user's grants are cached after the first use
    for batch in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            run(batch, user)
        counts.append(len(ctx))
    # updates (new phone) and transfers of everyone, again for 3 and 30 rows
    for batch in (small, large):
        changed = [r[:10] + ["C-A-2"] + r[11:12] + ["13911112222"] + r[13:] for r in batch]
        with CaptureQueriesContext(connection) as ctx:
            result = run(changed, user)
        assert result.updated == len(batch) and result.details["transferred"] == len(batch)
        counts.append(len(ctx))
    assert counts[0] == counts[1] and counts[2] == counts[3], counts


def test_duplicate_reported_even_when_the_other_row_has_other_errors(tree):
    number = make_id(dt.date(1992, 4, 5), "2")
    second = member_row(name="赵敏二", id_number=number)
    second[9] = "宇航员"
    errors = rejected([member_row(id_number=number), second], tree.town_user)
    assert {(e.row, e.column) for e in errors} == {(2, "公民身份号码"), (3, "公民身份号码"), (3, "工作岗位")}


def test_error_report_can_be_fixed_and_reuploaded(tree):
    import io

    import openpyxl

    bad = member_row(name="吴用")
    bad[6] = "2023-02-30"
    with pytest.raises(ValidationFailed) as exc:
        run([member_row(), bad], tree.town_user)
    report = error_report(exc.value)
    # uploading the report unchanged fails again, and its new report has one 错误说明 column, not two
    with pytest.raises(ValidationFailed) as again:
        import_roster(report, user=tree.town_user, filename="错误说明_花名册.xlsx")
    header = [c.value for c in openpyxl.load_workbook(io.BytesIO(error_report(again.value)))["导入错误"][1]]
    assert header.count("错误说明") == 1
    # fixed in place, the report itself imports (the 错误说明 column is ignored)
    workbook = openpyxl.load_workbook(io.BytesIO(report))
    workbook["导入错误"].cell(row=3, column=7).value = "2016-06-28"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert import_roster(buffer.getvalue(), user=tree.town_user, filename="错误说明_花名册.xlsx").created == 2


def test_record_changed_between_validation_and_write_rolls_back(tree, monkeypatch):
    from zugong.party.importers import RosterImporter

    person = tree.member_a1_1
    row = member_row("C-A-1", name="张伟（改）", sex="男", birth=person.birth_date, id_number=person.id_number,
                     education="大学本科毕业", admission=dt.date(2010, 7, 1), full=dt.date(2011, 7, 1),
                     occupation="企事业单位、社会组织专业技术人员")
    original = RosterImporter._plan

    def plan_then_someone_edits(self, rows, issues):
        plan = original(self, rows, issues)
        Person.objects.filter(pk=person.pk).update(version=person.version + 5)  # another user saved meanwhile
        return plan

    monkeypatch.setattr(RosterImporter, "_plan", plan_then_someone_edits)
    before = Person.objects.filter(pk=person.pk).values_list("name", flat=True).get()
    with pytest.raises(ValidationFailed) as exc:
        run([row, member_row()], tree.town_user)
    assert "被他人修改" in only(exc.value.errors, row=0).reason
    assert Person.objects.get(pk=person.pk).name == before
    assert not Person.objects.filter(name="赵敏").exists()


def test_ids_reserved_by_the_import_do_not_collide_with_later_saves(tree):
    from tests.factories import make_member

    run([member_row(), member_row("C-A-2", name="郑和", sex="男", birth=dt.date(1971, 7, 11))], tree.town_user)
    imported = max(Person.objects.values_list("pk", flat=True))
    later = make_member(tree.branch_a1, "后来者")  # an ordinary save after the bulk insert
    assert later.pk > imported
    assert run([member_row(name="再导入", birth=dt.date(1966, 6, 6))], tree.town_user).created == 1
    assert Person.objects.get(name="再导入").pk > later.pk


def test_large_import_path_with_worker_processes_stores_the_same(tree, settings, monkeypatch):
    """The sealing pool used for large files (forced here for three rows) stores decryptable values
    identical in hash and mask to the model's own methods."""
    from zugong.core import sealing

    monkeypatch.setattr(sealing, "PARALLEL_MIN_ROWS", 0)
    settings.ZUGONG_IMPORT_WORKERS = "1"
    numbers = [make_id(dt.date(1980 + i, 3, 3), "1") for i in range(3)]
    rows = [member_row("C-A-1", id_number=n, sex="男", birth=dt.date(1980 + i, 3, 3), phone=f"1390000000{i}")
            for i, n in enumerate(numbers)]
    assert run(rows, tree.town_user).created == 3
    for i, number in enumerate(numbers):
        person = Person.objects.get(id_number_hash=Person.hash_id_number(number))
        reference = Person()
        reference.set_phone(f"1390000000{i}")
        assert person.id_number == number and person.id_number_masked == idnumber.mask(number)
        assert person.phone == f"1390000000{i}"
        assert (person.phone_hash, person.phone_masked) == (reference.phone_hash, reference.phone_masked)


def test_boolean_cell_is_not_read_as_the_number_one(tree):
    """Memoised parsing must not confuse TRUE with 1 (equal in Python): 性别 1 is 男, TRUE is not a sex."""
    male = member_row("C-A-1", name="孙一", sex="男", birth=dt.date(1985, 2, 2))
    male[1] = 1
    other = member_row("C-A-1", name="孙二", sex="男", birth=dt.date(1986, 2, 2))
    other[1] = True
    error = only(rejected([male, other], tree.town_user), row=3)
    assert error.column == "性别" and "是" in error.reason


def test_large_import_refreshes_sqlite_planner_statistics(tree, monkeypatch, django_capture_on_commit_callbacks):
    """SQLite never analyzes by itself: after a large import the roster tables get ``sqlite_stat1``
    rows (threshold lowered here; the ANALYZE runs when the import commits — ``core.maintenance``, whose
    tests cover PostgreSQL)."""
    from django.db import connection

    from zugong.core import maintenance

    monkeypatch.setattr(maintenance, "ANALYZE_MIN_ROWS", 2)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")
    with django_capture_on_commit_callbacks(execute=True):
        run([member_row("C-A-1", name="甲"), member_row("C-A-1", name="乙", birth=dt.date(1990, 1, 1))], tree.town_user)
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        analyzed = {row[0] for row in cursor.fetchall()}
    assert {"people_person", "party_membership", "party_partymember"} <= analyzed


def test_rejected_large_import_stops_its_sealing_workers(tree, settings, monkeypatch):
    """Sealing starts while validating (large files); a rejected file must not leave workers behind."""
    import multiprocessing

    from zugong.core import sealing

    monkeypatch.setattr(sealing, "PARALLEL_MIN_ROWS", 0)
    settings.ZUGONG_IMPORT_WORKERS = "1"
    good = member_row("C-A-1", name="周一")
    bad = member_row("C-A-1", name="周二", birth=dt.date(1991, 1, 1), sex="未知x")
    rejected([good, bad], tree.town_user)
    assert multiprocessing.active_children() == []
