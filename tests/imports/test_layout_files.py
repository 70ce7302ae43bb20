"""Whole-workbook reading (``core.files.read_workbook``) of the formats real exports come in: legacy .xls
(BIFF, via calamine), a web page named .xls (lxml), GBK CSV; merged ranges; the sandbox and its limits."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.imports.helpers import csv_bytes
from tests.imports.layout_files import html_table, html_xls, xls_book, xlsx_book
from zugong.core import files
from zugong.core.files import FileRejected, read_table, read_workbook


def reason(exc) -> str:
    return exc.value.reason


def test_legacy_xls_is_read_with_every_sheet_merged_ranges_and_cell_types():
    pytest.importorskip("xlwt")
    data = xls_book({"填表说明": [["填表说明"], ["1. 姓名必填"]],
                     "党员信息": [["姓名", "入党情况", None], [None, "入党日期", "转正日期"],
                                  ["张三", dt.date(2016, 6, 28), dt.date(2017, 6, 28)], ["李四", 1001.0, "2024-03-01"]]},
                    merges={"党员信息": [(0, 0, 1, 2), (0, 1, 0, 0)]})
    assert data.startswith(files.OLE2_MAGIC)
    wb = read_workbook(data, filename="名册.xls")
    assert wb.format == "xls" and [t.sheet_name for t in wb.sheets] == ["填表说明", "党员信息"]
    sheet = wb.sheets[1]
    assert sorted(sheet.merged) == [(0, 0, 1, 0), (0, 1, 0, 2)]
    assert sheet.rows[0] == ["姓名", "入党情况", ""]
    assert sheet.rows[2][0] == "张三" and sheet.rows[2][1] in (dt.date(2016, 6, 28), dt.datetime(2016, 6, 28))
    assert sheet.rows[3] == ["李四", 1001.0, "2024-03-01"]
    assert read_table(data, filename="名册.xls", preferred_sheets=("党员信息",)).sheet_name == "党员信息"


def test_xls_sheet_limits_apply_after_reading(settings):
    pytest.importorskip("xlwt")
    data = xls_book({"名册": [["姓名"], ["a"], ["b"], ["c"]]})
    settings.ZUGONG_IMPORT_MAX_ROWS = 3
    with pytest.raises(FileRejected) as exc:
        read_workbook(data, filename="a.xls")
    assert "工作表「名册」的数据范围 超过上限（最多 3 行）" in reason(exc)


def test_broken_and_encrypted_ole2_files_are_refused():
    with pytest.raises(FileRejected) as exc:
        read_workbook(files.OLE2_MAGIC + b"\x00" * 600, filename="a.xls")
    assert "无法读取 Excel（.xls）文件" in reason(exc)
    encrypted = files.OLE2_MAGIC + b"\x00" * 100 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100
    for name in ("a.xls", "a.xlsx"):
        with pytest.raises(FileRejected) as exc:
            read_workbook(encrypted, filename=name)
        assert "工作簿已加密" in reason(exc)


def test_html_named_xls_is_read_with_spans_expanded_into_merged_ranges():
    body = ("<h3>党员名册</h3><table border=1>"
            "<tr><th rowspan=2>姓名</th><th colspan=2>入党情况</th><th rowspan=2>备注</th></tr>"
            "<tr><th>入党日期</th><th>转正日期</th></tr>"
            "<tr><td> 张&nbsp;三 </td><td>2016-06-28</td><td>2017-06-28</td><td><b>好</b>同志</td></tr>"
            "<tr><td>李四</td><td>2024-03-01</td><td></td></tr></table>")
    wb = read_workbook(html_xls(body), filename="导出.xls")
    assert wb.format == "html" and [t.sheet_name for t in wb.sheets] == ["表1"]
    table = wb.sheets[0]
    assert table.rows == [["姓名", "入党情况", "", "备注"], ["", "入党日期", "转正日期", ""],
                          ["张 三", "2016-06-28", "2017-06-28", "好同志"], ["李四", "2024-03-01", ""]]
    assert sorted(table.merged) == [(0, 0, 1, 0), (0, 1, 0, 2), (0, 3, 1, 3)]


def test_html_in_gbk_with_a_declared_charset_is_decoded():
    data = html_xls(html_table([["姓名", "公民身份号码"], ["张三", "110105199204050021"]]), charset="gb2312", encoding="gbk")
    assert read_workbook(data, filename="a.xls").sheets[0].rows[1] == ["张三", "110105199204050021"]


def test_html_without_a_plain_table_or_other_xml_is_refused_clearly():
    with pytest.raises(FileRejected) as exc:
        read_workbook(html_xls("<p>没有数据</p>"), filename="a.xls")
    assert "内容是网页，其中没有表格" in reason(exc)
    nested = "<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>"
    wb = read_workbook(html_xls(nested), filename="a.xls")  # the inner table is plain: it is read
    assert wb.sheets[0].rows == [["x"]]
    spreadsheet_xml = (b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet">'
                       b'<Worksheet ss:Name="Sheet1"><Table><Row><Cell><Data ss:Type="String">x</Data></Cell></Row>'
                       b"</Table></Worksheet></Workbook>")
    with pytest.raises(FileRejected) as exc:
        read_workbook(spreadsheet_xml, filename="a.xls")
    assert "Excel 2003 XML 表格" in reason(exc)


def test_html_entities_and_huge_spans_are_not_expanded():
    xxe = (b'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><html><body><table>'
           b"<tr><td>&xxe;</td></tr></table></body></html>")
    rows = read_workbook(xxe, filename="a.xls").sheets[0].rows
    assert "root:" not in repr(rows)
    with pytest.raises(FileRejected) as exc:
        read_workbook(html_xls('<table><tr><td colspan="100000">x</td></tr></table>'), filename="a.xls")
    assert "合并了 100,000 行或列" in reason(exc)


def test_html_table_over_the_cell_limit_is_refused(settings):
    settings.ZUGONG_IMPORT_MAX_CELLS = 10
    with pytest.raises(FileRejected) as exc:
        read_workbook(html_xls(html_table([["a", "b", "c"]] * 5)), filename="a.xls")
    assert "最多 10 个单元格" in reason(exc)


def test_gbk_csv_is_one_sheet():
    wb = read_workbook(csv_bytes([["姓名", "所在党支部"], ["张三", "康驿镇第一党支部"]], encoding="gbk"), filename="a.csv")
    assert wb.format == "csv" and len(wb.sheets) == 1 and wb.sheets[0].rows[1] == ["张三", "康驿镇第一党支部"]


def test_max_rows_converts_only_the_first_rows_and_keeps_the_count():
    data = xlsx_book({"名册": [["姓名"], *[[f"人{i}"] for i in range(50)]]}, merges={"名册": ["B1:C1"]})
    wb = read_workbook(data, filename="a.xlsx", max_rows=10)
    table = wb.sheets[0]
    assert len(table.rows) == 10 and table.total_rows == 51 and table.truncated
    assert table.merged == [(0, 1, 0, 2)]
    csv = read_workbook(csv_bytes([["姓名"], *[[f"人{i}"] for i in range(50)]]), filename="a.csv", max_rows=5)
    assert len(csv.sheets[0].rows) == 5 and csv.sheets[0].total_rows == 51
    assert not read_workbook(data, filename="a.xlsx").sheets[0].truncated


def test_row_capture_cuts_a_worksheet_after_its_first_rows_across_chunks():
    import io
    import zipfile

    from zugong.core.sheet_scan import RowCapture

    data = xlsx_book({"名册": [["姓名"], *[[f"人{i}"] for i in range(30)]]}, merges={"名册": ["B1:C1"]})
    xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    capture = RowCapture(5)
    for i in range(0, len(xml), 64):  # small chunks: tags cut everywhere
        capture.feed(xml[i:i + 64])
    part = capture.part()
    assert part.count(b"</row>") == 5 and part.endswith(xml[xml.rfind(b"</sheetData>"):])
    assert b"<mergeCell " in part
    whole = RowCapture(100)
    whole.feed(xml)
    assert whole.part() == xml


def test_xhtml_with_an_encoding_declaration_is_read():
    page = ('<?xml version="1.0" encoding="gb2312"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
            + html_table([["姓名", "党支部"], ["张三", "第一党支部"]]) + "</body></html>").encode("gbk")
    assert read_workbook(page, filename="a.xls").sheets[0].rows == [["姓名", "党支部"], ["张三", "第一党支部"]]
