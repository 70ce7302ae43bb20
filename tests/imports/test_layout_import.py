"""Imports through the layout engine: real file shapes go in whole (``run_import`` with ``mapping=``,
``ImportResult.layout``, ``ImportFailed.layout``, skipped-row warnings), the mapping page's preview
(``preview_import``) and the error report of a two-row header."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from tests.factories import make_id
from tests.imports.helpers import ROSTER_HEADERS, member_row
from tests.imports.layout_files import html_xls, xls_book, xlsx_book
from zugong.core import idnumber
from zugong.core.errors import PermissionDeniedError
from zugong.core.importing import ImportFailed, error_report
from zugong.core.layout import preview_import
from zugong.party.importers import RosterImporter, import_roster
from zugong.party.models import PartyMember
from zugong.people.models import Person

pytestmark = pytest.mark.django_db

# ROSTER_HEADERS with 入党日期/转正日期 under a merged 入党情况 group (columns G–H)
TOP = ["姓名", "性别", "民族", "公民身份号码", "出生日期", "学历", "入党情况", None, "人员类别", "工作岗位", "所在党组织",
       "参加工作日期", "手机号码", "生产工作一线"]
SUB = [None] * 6 + ["入党日期", "转正日期"] + [None] * 6
TWO_ROW_MERGES = ["G2:H2", *[f"{c}2:{c}3" for c in "ABCDEFIJKLMN"]]


def two_row_roster(rows, *, hint=True, instruction=True) -> bytes:
    """Title row, two-row header (rows 2–3), a hint row, the members, a merged instruction block, a 填表说明
    sheet first."""
    body = [["康驿镇党员信息统计表"], TOP, SUB]
    if hint:
        body.append(["必填", "必填", "必填", "必填，18位", "必填", "必填", "格式:2016-06-28", "选填", "预备党员或正式党员",
                     "必填", "必填", "选填", "选填", "是或否"])
    body += rows
    merges = ["A1:N1", *TWO_ROW_MERGES]
    if instruction:
        body.append(["填表说明：日期格式为 YYYY-MM-DD；人员类别填正式党员或预备党员。"])
        merges.append(f"A{len(body)}:N{len(body)}")
    return xlsx_book({"填表说明": [["填表说明"], ["1. 请在「党员信息」表中填写"]], "党员信息": body},
                     merges={"党员信息": merges})


def test_two_row_header_title_hint_and_instruction_rows_import_whole(tree):
    first = make_id(dt.date(1992, 4, 5), "2")
    rows = [member_row(id_number=first), member_row("C-A-2", name="钱多多", sex="男", birth=dt.date(1990, 1, 1))]
    result = import_roster(two_row_roster(rows), user=tree.town_user, filename="党员信息.xlsx")
    assert (result.created, result.total_rows) == (2, 2)
    member = PartyMember.objects.get(person__id_number_hash=Person.hash_id_number(first))
    assert (member.admission_date, member.full_membership_date) == (dt.date(2016, 6, 28), dt.date(2017, 6, 28))
    layout = result.layout
    assert layout.sheet_name == "党员信息" and layout.header_rows == (2, 3) and layout.hint_rows == (4,)
    assert "读取工作表「党员信息」；跳过「填表说明」（没有表头）" == layout.sheet_note
    assert {c.header: c.key for c in layout.columns}["入党情况 / 入党日期"] == "admission_date"
    skipped = [w.reason for w in result.warnings if "已跳过" in w.reason]
    assert skipped[0].startswith("第 4 行是填写提示（「必填」「必填,18位」")
    assert skipped[1].startswith("第 7 行是合并单元格中的说明文字（「填表说明:日期格式为")
    assert layout.ignored == []


def test_legacy_xls_roster_imports(tree):
    pytest.importorskip("xlwt")
    number = make_id(dt.date(1992, 4, 5), "2")
    data = xls_book({"花名册": [["党员花名册"], ROSTER_HEADERS, member_row(id_number=number)]},
                    merges={"花名册": [(0, 0, 0, 13)]})
    result = import_roster(data, user=tree.town_user, filename="花名册.xls")
    assert result.created == 1 and result.layout.format == "xls" and result.layout.header_rows == (2,)
    assert Person.objects.get(id_number_hash=Person.hash_id_number(number)).name == "赵敏"


def test_html_xls_roster_imports(tree):
    number = make_id(dt.date(1992, 4, 5), "2")
    cells = "".join(f"<td>{v}</td>" for v in member_row(id_number=number))
    head = "".join(f"<th>{h}</th>" for h in ROSTER_HEADERS)
    data = html_xls(f"<table><tr>{head}</tr><tr>{cells}</tr></table>")
    result = import_roster(data, user=tree.town_user, filename="导出.xls")
    assert result.created == 1 and result.layout.format == "html"


def test_mapping_renames_columns_and_failures_carry_the_layout(tree):
    headers = ["同志名字", *ROSTER_HEADERS[1:], "备注"]
    data = xlsx_book({"Sheet1": [headers, [*member_row(), "老党员"]]})
    with pytest.raises(ImportFailed) as exc:
        import_roster(data, user=tree.town_user, filename="a.xlsx")
    assert [e.reason for e in exc.value.errors] == ["缺少必填列「姓名」"]
    assert exc.value.layout is not None and [c.header for c in exc.value.layout.ignored] == ["同志名字", "备注"]
    assert Person.objects.filter(name="赵敏").count() == 0
    result = import_roster(data, user=tree.town_user, filename="a.xlsx", mapping={"同志名字": "姓名", "备注": ""})
    assert result.created == 1 and result.layout.mapping["同志名字"] == "name"
    assert Person.objects.filter(name="赵敏").count() == 1


def test_rows_without_name_and_id_number_are_skipped_with_a_warning(tree):
    blank = [""] * 10 + ["C-A-1", "", "", ""]
    data = xlsx_book({"Sheet1": [ROSTER_HEADERS, member_row(), blank]})
    result = import_roster(data, user=tree.town_user, filename="a.xlsx")
    assert result.created == 1
    assert [(w.row, w.reason) for w in result.warnings] == [(3, "第 3 行没有姓名和公民身份号码，已跳过（提示行/说明行）")]


def test_preview_shows_the_first_rows_as_read_with_masked_numbers(tree):
    number = make_id(dt.date(1992, 4, 5), "2")
    rows = [member_row(id_number=number, phone="13912345678"), member_row(name="钱多多"), member_row(name="孙悟空")]
    people = Person.objects.count()
    preview = preview_import(RosterImporter(user=tree.town_user), two_row_roster(rows), filename="a.xlsx", rows=2)
    assert preview.layout.header_rows == (2, 3) and not preview.partial
    assert [n for n, _cells in preview.rows] == [5, 6]
    number_row, cells = preview.rows[0]
    assert cells["name"] == "赵敏" and cells["id_number"] == idnumber.mask(number)
    assert cells["phone"] == "139****5678" and cells["admission_date"] == "2016-06-28"
    assert number not in repr(preview)
    assert [w.row for w in preview.layout.skipped] == [4, 8]
    assert Person.objects.count() == people  # nothing written


def test_preview_returns_mapping_errors_instead_of_raising_and_checks_permission(tree):
    data = xlsx_book({"Sheet1": [["同志名字", *ROSTER_HEADERS[1:]], member_row()]})
    preview = preview_import(RosterImporter(user=tree.town_user), data, filename="a.xlsx")
    assert [e.reason for e in preview.layout.errors] == ["缺少必填列「姓名」"]
    assert "name" not in preview.rows[0][1]
    with pytest.raises(PermissionDeniedError):
        preview_import(RosterImporter(user=tree.nogrant_user), data, filename="a.xlsx")


def test_error_report_of_a_two_row_header_names_the_columns(tree):
    bad = member_row(name="钱多多", admission=dt.date(2030, 1, 1))
    with pytest.raises(ImportFailed) as exc:
        import_roster(two_row_roster([member_row(), bad]), user=tree.town_user, filename="a.xlsx")
    report = load_workbook(io.BytesIO(error_report(exc.value)))
    sheet = report["导入错误"]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[6:8] == ["入党情况 / 入党日期", "入党情况 / 转正日期"] and header[-1] == "错误说明"
    names = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["赵敏", "钱多多"]


BAD_FILES = [
    ("instruction sheet only", "a.xlsx", lambda: xlsx_book({"填表说明": [["填表说明"], ["1. 姓名必填"]]}), None,
     "未找到表头行：工作表「填表说明」前 20 行中没有"),
    ("header without data", "a.xlsx", lambda: two_row_roster([], instruction=False), None, "文件中没有数据行"),
    ("group over no sub-header", "a.xlsx",
     lambda: xlsx_book({"党员信息": [TOP + ["联系方式", None], SUB + [None, None], member_row() + ["", ""]]},
                       merges={"党员信息": ["G1:H1", "O1:P1", *[f"{c}1:{c}2" for c in "ABCDEFIJKLMN"]]}), None,
     "表头第 1 行第 O–P 列的合并单元格「联系方式」下面没有子表头"),
    ("two columns mapped to one field", "a.xlsx",
     lambda: xlsx_book({"Sheet1": [ROSTER_HEADERS + ["同志名字"], member_row() + ["赵敏"]]}), {"同志名字": "name"},
     "第 A 列「姓名*」和第 O 列「同志名字」都对应字段「姓名」，请在列映射中只保留一个"),
    ("html without a table", "a.xls", lambda: html_xls("<p>请登录</p>"), None, "内容是网页，其中没有表格"),
]


@pytest.mark.parametrize(("case", "name", "build", "mapping", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_bad_layouts_are_refused_clearly_and_nothing_is_written(tree, case, name, build, mapping, message):
    from zugong.core.errors import ValidationFailed

    before = (Person.objects.count(), PartyMember.objects.count())
    with pytest.raises(ValidationFailed) as exc:
        import_roster(build(), user=tree.town_user, filename=name, mapping=mapping)
    assert any(message in e.reason for e in exc.value.errors), [e.reason for e in exc.value.errors]
    assert (Person.objects.count(), PartyMember.objects.count()) == before
