"""Layout detection and column mapping (``core.layout``) on real file shapes: title rows, two-row headers
with merged group cells, hint rows, instruction blocks, a 填表说明 sheet first, mappings, aliases."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.imports.layout_files import xlsx_book
from zugong.core.files import parse_upload
from zugong.core.importing import Column, ImportFailed, read_sheet
from zugong.core.layout import detect_layout, normalize_match

COLUMNS = (
    Column("name", "姓名", True),
    Column("id_number", "公民身份号码", True, aliases=("身份证号码",)),
    Column("admission_date", "入党日期", True, aliases=("入党时间",)),
    Column("full_membership_date", "转正日期"),
    Column("category", "人员类别", True, aliases=("党籍状态",),
           accepts=lambda values: sum(str(v) in ("正式党员", "预备党员") for v in values) * 2 > len(values)),
    Column("organization", "所在党组织", True, aliases=("所在党支部",), group="organization"),
    Column("organization_ref", "党组织唯一标识", True, group="organization"),
    Column("founded_date", "成立日期", repeat_key="unit_founded_date"),
    Column("unit_founded_date", "单位成立日期"),
    Column("education", "学历", recommended=True),
)
IDENTITY = ("name", "id_number")
ID1, ID2 = "110105199204050021", "11010519850101001X"


def book(rows, *, merges=(), sheet="党员信息", extra=None, hidden=()):
    sheets = {**(extra or {}), sheet: rows}
    return parse_upload(xlsx_book(sheets, merges={sheet: list(merges)}, hidden=hidden), "名册.xlsx")


def detect(workbook, **kwargs):
    kwargs.setdefault("identity_keys", IDENTITY)
    return detect_layout(workbook, COLUMNS, **kwargs)


def read(workbook, **kwargs):
    kwargs.setdefault("identity_keys", IDENTITY)
    return read_sheet(workbook, COLUMNS, **kwargs)


def errors_of(exc):
    return [e.reason for e in exc.value.errors]


HEADER = ["姓名", "公民身份号码", "入党日期", "转正日期", "人员类别", "所在党支部"]
ROW1 = ["张三", ID1, "2016-06-28", "2017-06-28", "正式党员", "康驿镇第一党支部"]
ROW2 = ["李四", ID2, "2024-03-01", "", "预备党员", "康驿镇第一党支部"]


def test_header_found_under_title_and_reporting_unit_rows():
    wb = book([["中共汶上县委组织部党员信息统计表"], ["填报单位：康驿镇党委", None, None, "填报日期：2025年1月"],
               HEADER, ROW1, ROW2], merges=["A1:F1"])
    sheet = read(wb)
    layout = sheet.layout
    assert layout.header_rows == (3,) and layout.sheet_name == "党员信息"
    assert layout.sheet_note == "读取工作表「党员信息」"
    assert [(c.letter, c.key, c.how) for c in layout.columns] == [
        ("A", "name", "alias"), ("B", "id_number", "alias"), ("C", "admission_date", "alias"),
        ("D", "full_membership_date", "alias"), ("E", "category", "alias"), ("F", "organization", "alias")]
    assert [(r.number, r.cells["name"], r.cells["organization"]) for r in sheet.rows] == [
        (4, "张三", "康驿镇第一党支部"), (5, "李四", "康驿镇第一党支部")]
    assert sheet.header_index == 2 and layout.skipped == []


def test_two_row_header_with_merged_group_cells():
    wb = book([["姓名", "公民身份号码", "入党情况", None, "人员类别", "所在党支部"],
               [None, None, "入党时间", "转正日期", None, None], ROW1, ROW2],
              merges=["A1:A2", "B1:B2", "C1:D1", "E1:E2", "F1:F2"])
    sheet = read(wb)
    layout = sheet.layout
    assert layout.header_rows == (1, 2)
    by_letter = {c.letter: c for c in layout.columns}
    assert (by_letter["C"].header, by_letter["C"].match_text, by_letter["C"].key, by_letter["C"].field) == (
        "入党情况 / 入党时间", "入党情况/入党时间", "admission_date", "入党日期")
    assert by_letter["D"].header == "入党情况 / 转正日期" and by_letter["D"].key == "full_membership_date"
    assert by_letter["A"].header == "姓名" and by_letter["A"].key == "name"  # merged over both rows: one header
    assert [r.number for r in sheet.rows] == [3, 4]
    assert sheet.rows[0].cells["admission_date"] == "2016-06-28"
    assert layout.mapping["入党情况/入党时间"] == "admission_date"
    assert "表头：第 1–2 行" in layout.describe()


def test_two_row_header_matched_by_group_and_sub_header():
    # 「入党」 over 「日期」: neither alone is a field, 「入党日期」 is
    wb = book([["姓名", "公民身份号码", "入党", None, "人员类别", "所在党支部"],
               [None, None, "日期", "转正日期", None, None], ROW1],
              merges=["A1:A2", "B1:B2", "C1:D1", "E1:E2", "F1:F2"])
    layout = detect(wb)
    assert {c.letter: c.key for c in layout.columns}["C"] == "admission_date"


def test_group_cell_spanning_no_sub_header_is_a_file_error():
    wb = book([["姓名", "公民身份号码", "入党情况", None, "人员类别", "所在党支部", "联系方式", None],
               [None, None, "入党日期", "转正日期", None, None, None, None], ROW1],
              merges=["A1:A2", "B1:B2", "C1:D1", "E1:E2", "F1:F2", "G1:H1"])
    with pytest.raises(ImportFailed) as exc:
        read(wb)
    assert errors_of(exc) == ["表头第 1 行第 G–H 列的合并单元格「联系方式」下面没有子表头（第 2 行是空的），"
                              "无法确定这些列的内容，请补上子表头或取消合并"]
    assert exc.value.layout is not None and exc.value.layout.header_rows == (1, 2)


def test_hint_row_under_the_header_is_skipped_with_a_warning():
    wb = book([HEADER, ["必填", "必填，18位", "格式：1985.07", "选填", "预备党员或正式党员", "填写党支部全称"], ROW1, ROW2])
    sheet = read(wb)
    assert [r.number for r in sheet.rows] == [3, 4]
    assert sheet.layout.hint_rows == (2,)
    assert [w.row for w in sheet.layout.skipped] == [2]
    assert sheet.layout.skipped[0].reason.startswith("第 2 行是填写提示（「必填」「必填,18位」「格式:1985.07」")
    assert sheet.layout.skipped[0].reason.endswith("，已跳过")


def test_instruction_block_in_the_data_area_and_rows_without_identity_are_skipped_with_warnings():
    wb = book([HEADER, ROW1,
               ["填表说明：1. 姓名与身份证一致；2. 日期格式为 1985.07；3. 人员类别填正式党员或预备党员"],
               ["", "", "", "", "", "康驿镇第一党支部"],
               ["注：本表由支部书记审核"],
               ROW2], merges=["A3:F3"])
    sheet = read(wb)
    assert [r.number for r in sheet.rows] == [2, 6]
    assert [w.reason for w in sheet.layout.skipped] == [
        "第 3 行是合并单元格中的说明文字（「填表说明:1. 姓名与身份证一致;2. …」），已跳过",
        "第 4 行没有姓名和公民身份号码，已跳过（提示行/说明行）",
        "第 5 行是说明文字（「注:本表由支部书记审核」），已跳过",
    ]


def test_a_row_with_only_its_name_is_a_data_row_not_skipped():
    wb = book([HEADER, ["王五", "", "", "", "", ""]])
    sheet = read(wb)
    assert [r.cells["name"] for r in sheet.rows] == ["王五"] and sheet.layout.skipped == []


def test_a_value_merged_down_one_column_is_read_on_every_row():
    wb = book([HEADER, ROW1, [*ROW2[:5], None]], merges=["F2:F3"])
    sheet = read(wb)
    assert [r.cells["organization"] for r in sheet.rows] == ["康驿镇第一党支部"] * 2


def test_the_sheet_holding_the_header_is_chosen_after_an_instruction_sheet():
    wb = book([HEADER, ROW1], extra={"填表说明": [["填表说明"], ["1. 姓名必填"], ["2. 公民身份号码为18位"]]},
              hidden=())
    layout = detect(wb)
    assert layout.sheet_name == "党员信息" and layout.sheet_names == ["填表说明", "党员信息"]
    assert layout.sheet_note == "读取工作表「党员信息」；跳过「填表说明」（没有表头）"


def test_preferred_sheet_breaks_a_tie_and_hidden_sheets_are_not_read():
    wb = parse_upload(xlsx_book({"汇总": [HEADER, ROW1], "花名册": [HEADER, ROW2], "隐藏": [HEADER, ROW1]},
                                hidden=("隐藏",)), "a.xlsx")
    assert [t.sheet_name for t in wb.sheets] == ["汇总", "花名册"] and wb.hidden == ["隐藏"]
    assert detect(wb).sheet_name == "汇总"
    layout = detect(wb, preferred_sheets=("花名册",))
    assert layout.sheet_name == "花名册"
    assert layout.sheet_note == "读取工作表「花名册」；跳过「汇总」（只识别出 6 列）、「隐藏」（隐藏的工作表）"


def test_instruction_sheet_only_is_refused():
    wb = book([["填表说明"], ["1. 请在「党员信息」表中填写"]], sheet="填表说明")
    with pytest.raises(ImportFailed) as exc:
        detect(wb)
    assert errors_of(exc) == ["未找到表头行：工作表「填表说明」前 20 行中没有 「姓名」、「公民身份号码」、「入党日期」、「人员类别」、"
                              "「所在党组织」、「党组织唯一标识」 等列名（只有说明文字？请确认文件中有数据所在的工作表）"]


def test_header_without_data_rows_is_refused():
    wb = book([["党员信息表"], HEADER, ["必填", "必填", "", "", "", ""]])
    with pytest.raises(ImportFailed) as exc:
        read(wb)
    assert errors_of(exc) == ["文件中没有数据行"]
    assert [w.row for w in exc.value.warnings] == [3]  # the hint row it skipped


def test_required_suffixes_and_markers_are_ignored_in_headers():
    assert normalize_match(" 公民身份号码（必填） ") == "公民身份号码"
    assert normalize_match("*姓名(选填)") == "姓名"
    assert normalize_match("入党日期【必填】*") == "入党日期"
    wb = book([["姓名（必填）", "身份证号码*", "入党时间(必填)", "人员类别【必填】", "所在党支部（选填）"], ROW1[:3] + ROW1[4:]])
    assert len(detect(wb).positions) == 5


def test_mapping_overrides_aliases_names_fields_by_key_or_header_and_ignores_columns():
    wb = book([["党员姓名", "证件号", "入党时间", "人员类别", "所在党支部", "备注"], ["张三", ID1, "2016-06-28", "正式党员", "一支部", "x"]])
    layout = detect(wb, mapping={"党员姓名": "name", " 证件号 ": "公民身份号码", "所在党支部": ""}, strict=False)
    by_letter = {c.letter: c for c in layout.columns}
    assert (by_letter["A"].key, by_letter["A"].how) == ("name", "mapping")
    assert (by_letter["B"].key, by_letter["B"].field) == ("id_number", "公民身份号码")
    assert (by_letter["E"].key, by_letter["E"].how, by_letter["E"].note) == ("", "mapping", "按列映射不导入")
    assert (by_letter["F"].key, by_letter["F"].how, by_letter["F"].note) == ("", "", "")
    assert [c.header for c in layout.ignored] == ["所在党支部", "备注"]
    assert [e.reason for e in layout.errors] == ["缺少必填列「所在党组织」（或「党组织唯一标识」）"]
    layout = detect(wb, mapping={"党员姓名": "name", "证件号": "公民身份号码", "所在党支部": "", "备注": "所在党支部"})
    assert layout.positions["organization"] == 5 and layout.errors == []  # a field named by its alias


def test_mapping_to_an_unknown_field_is_an_error():
    wb = book([HEADER, ROW1])
    with pytest.raises(ImportFailed) as exc:
        detect(wb, mapping={"姓名": "nickname"})
    assert errors_of(exc) == ["列映射中「姓名」对应的字段「nickname」不存在，请重新选择"]


def test_two_columns_on_one_field_is_an_error_for_mappings_and_aliases():
    wb = book([[*HEADER, "党员姓名"], [*ROW1, "张三"]])
    with pytest.raises(ImportFailed) as exc:
        detect(wb, mapping={"党员姓名": "name"})
    assert errors_of(exc) == ["第 A 列「姓名」和第 G 列「党员姓名」都对应字段「姓名」，请在列映射中只保留一个"]
    wb = book([[*HEADER, "身份证号码"], [*ROW1, ID1]])
    with pytest.raises(ImportFailed) as exc:
        detect(wb)
    assert errors_of(exc) == ["第 B 列「公民身份号码」和第 G 列「身份证号码」都对应字段「公民身份号码」，请在列映射中只保留一个"]
    # the user resolves it by ignoring one of them
    layout = detect(wb, mapping={"身份证号码": ""})
    assert layout.positions["id_number"] == 1 and layout.errors == []


def test_repeated_header_takes_the_repeat_key():
    wb = book([[*HEADER, "成立日期", "单位名称", "成立日期"], [*ROW1, "1990-07-01", "某公司", "1985-01-01"]])
    sheet = read(wb)
    assert sheet.positions["founded_date"] == 6 and sheet.positions["unit_founded_date"] == 8
    assert sheet.rows[0].cells["unit_founded_date"] == "1985-01-01"
    column = {c.letter: c for c in sheet.layout.columns}["I"]
    assert (column.field, column.note) == ("单位成立日期", "第二个「成立日期」列")


def test_accepts_leaves_a_column_with_other_values_unmapped_with_a_note():
    # OWIP: 人员类别 holds 教职工/学生; the 正式/预备 status is in 党籍状态
    wb = book([["姓名", "公民身份号码", "入党日期", "人员类别", "所在党支部"],
               ["张三", ID1, "2016-06-28", "教职工", "一支部"], ["李四", ID2, "2016-06-28", "学生", "一支部"]])
    layout = detect(wb, strict=False)
    column = {c.letter: c for c in layout.columns}["D"]
    assert (column.key, column.note) == ("", "内容为「教职工」「学生」，不是「人员类别」的值，未使用")
    assert [e.reason for e in layout.errors] == ["缺少必填列「人员类别」"]
    wb = book([["姓名", "公民身份号码", "入党日期", "人员类别", "党籍状态", "所在党支部"],
               ["张三", ID1, "2016-06-28", "教职工", "正式党员", "一支部"]])
    layout = detect(wb)
    assert layout.positions["category"] == 4 and layout.ignored[0].header == "人员类别"
    assert any("D 列「人员类别」：内容为「教职工」" in line for line in layout.describe())


def test_a_group_member_satisfies_the_required_group():
    wb = book([["姓名", "公民身份号码", "入党日期", "人员类别", "党组织唯一标识"], ["张三", ID1, "2016-06-28", "正式党员", "4a5b"]])
    layout = detect(wb)
    assert layout.positions["organization_ref"] == 4 and layout.errors == []


def test_deployment_aliases_extend_the_columns(settings):
    wb = book([["姓名", "公民身份号码", "入党日期", "人员类别", "支部全称"], ["张三", ID1, "2016-06-28", "正式党员", "一支部"]])
    with pytest.raises(ImportFailed):
        detect(wb, kind="roster")
    settings.ZUGONG_IMPORT_ALIASES = {"roster": {"organization": ["支部全称"]}}
    assert detect(wb, kind="roster").positions["organization"] == 4
    with pytest.raises(ImportFailed):
        detect(wb, kind="orgs")  # only the kind named


def test_describe_lists_sheet_columns_ignored_missing_and_skipped_rows():
    wb = book([HEADER + ["备注"], ["必填"] * 6 + [""], ROW1 + ["x"]],
              extra={"填表说明": [["说明"]]})
    sheet = read(wb)
    lines = sheet.layout.describe()
    assert lines[0] == "读取工作表「党员信息」；跳过「填表说明」（没有表头）"
    assert lines[1] == "表头：第 1 行（第 2 行是填写提示）"
    assert "  F 列「所在党支部」→ 所在党组织" in lines
    assert "未导入的列：" in lines and "  G 列「备注」" in lines
    assert "文件中没有的列：成立日期、单位成立日期、学历" in lines
    assert [c.header for c in sheet.layout.missing] == ["成立日期", "单位成立日期", "学历"]
    assert any(line.startswith("  第 2 行是填写提示") for line in lines)


def test_date_cells_and_numbers_keep_their_types():
    wb = book([HEADER, ["张三", ID1, dt.date(2016, 6, 28), None, "正式党员", 1001.0]])
    row = read(wb).rows[0]
    assert row.cells["admission_date"] == dt.datetime(2016, 6, 28) or row.cells["admission_date"] == dt.date(2016, 6, 28)
    assert row.cells["organization"] == 1001.0


def test_a_column_number_row_under_the_header_is_skipped():
    wb = book([HEADER, ["1", "2", "3", "4", "5", "6"], ROW1])
    sheet = read(wb)
    assert [r.number for r in sheet.rows] == [3] and sheet.layout.hint_rows == (2,)
    assert sheet.layout.skipped[0].reason == "第 2 行是填写提示（「1」「2」「3」「4」「5」「6」），已跳过"


def test_a_two_row_header_without_merged_cells_is_read():
    wb = book([["姓名", "公民身份号码", "入党情况", None, "人员类别", "所在党支部"],
               [None, None, "入党日期", "转正日期", None, None], ROW1])
    layout = detect(wb)
    assert layout.header_rows == (1, 2)
    assert {c.letter: (c.header, c.key) for c in layout.columns}["C"] == ("入党情况 / 入党日期", "admission_date")
    assert {c.letter: (c.header, c.key) for c in layout.columns}["D"] == ("转正日期", "full_membership_date")


def test_a_title_over_a_one_row_header_stays_a_title_row():
    wb = book([["康驿镇党员统计表"], HEADER, ROW1])
    layout = detect(wb)
    assert layout.header_rows == (2,) and {c.letter: c.header for c in layout.columns}["A"] == "姓名"
