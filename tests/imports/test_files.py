"""Safe reading and writing of spreadsheets (``core.files``): sniffing, ZIP bombs, macros, encodings,
formula-safe writing."""

from __future__ import annotations

import datetime as dt
import io
import struct
import zipfile

import openpyxl
import pytest

from tests.imports.helpers import csv_bytes, xlsx
from zugong.core import files
from zugong.core.files import FileRejected, read_table, write_xlsx


def reason(exc_info) -> str:
    return exc_info.value.errors[0].reason


def test_reads_xlsx_keeping_cell_types_and_excel_row_numbers():
    data = xlsx([["姓名", "号码", "日期"], ["张三", 110105199001011234.0, dt.date(2020, 1, 2)]],
                title_rows=[["党员花名册"], []])
    table = read_table(data, filename="a.xlsx")
    assert table.format == "xlsx"
    assert table.rows[2] == ["姓名", "号码", "日期"]  # Excel row 3
    assert table.row_number(2) == 3
    name, number, day = table.rows[3]
    assert name == "张三" and isinstance(number, float) and day == dt.date(2020, 1, 2)


def test_leading_empty_rows_and_columns_keep_positions():
    wb = openpyxl.Workbook()
    wb.active["C5"] = "姓名"
    buf = io.BytesIO()
    wb.save(buf)
    table = read_table(buf.getvalue(), filename="x.xlsx")
    assert table.rows[4][2] == "姓名"  # row 5, column C


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(encoding):
    data = csv_bytes([["姓名", "民族"], ["欧阳娜", "维吾尔族"]], encoding=encoding)
    table = read_table(data, filename="名册.csv")
    assert table.rows[0] == ["姓名", "民族"]
    assert table.rows[1] == ["欧阳娜", "维吾尔族"]


def test_empty_file_refused():
    with pytest.raises(FileRejected) as exc:
        read_table(b"", filename="a.xlsx")
    assert reason(exc) == "文件为空"


def test_text_file_renamed_xlsx_refused():
    with pytest.raises(FileRejected) as exc:
        read_table("姓名,性别\n张三,男\n".encode(), filename="名册.xlsx")
    assert "不是有效的 Excel" in reason(exc)


def test_zip_renamed_csv_refused():
    with pytest.raises(FileRejected) as exc:
        read_table(xlsx([["a"]]), filename="a.csv")
    assert "不是文本格式的 CSV" in reason(exc)


def test_mismatched_xls_and_unknown_extensions_refused():
    # legacy .xls is read now (tests/imports/test_layout_files.py); its content must still agree with the name
    with pytest.raises(FileRejected) as exc:
        read_table(files.OLE2_MAGIC + b"\x00" * 100, filename="a.xlsx")
    assert "旧版 .xls 格式，但扩展名是 .xlsx" in reason(exc)
    with pytest.raises(FileRejected) as exc:
        read_table(b"whatever", filename="a.xls")
    assert "不是有效的 Excel（.xls）文件" in reason(exc)
    with pytest.raises(FileRejected) as exc:
        read_table(xlsx([["a"]]), filename="a.xls")
    assert "请把扩展名改为 .xlsx" in reason(exc)
    with pytest.raises(FileRejected) as exc:
        read_table(b"whatever", filename="a.pdf")
    assert "不支持的文件类型" in reason(exc)


def test_xlsm_and_macro_payload_refused():
    with pytest.raises(FileRejected) as exc:
        read_table(xlsx([["a"]]), filename="a.xlsm")
    assert "宏" in reason(exc)
    # A macro workbook renamed .xlsx: vbaProject.bin inside
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx([["a"]]))) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 fake vba")
    with pytest.raises(FileRejected) as exc:
        read_table(buf.getvalue(), filename="a.xlsx")
    assert "宏" in reason(exc)


def _patch_declared_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size of ``name`` in the central directory (a lying header)."""
    out = bytearray(data)
    pos = out.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", out, pos + 28)[0]
        entry = bytes(out[pos + 46: pos + 46 + name_len]).decode()
        if entry == name:
            struct.pack_into("<I", out, pos + 24, size)
        pos = out.find(b"PK\x01\x02", pos + 46)
    return bytes(out)


def test_zip_bomb_declared_size_refused():
    bomb = _patch_declared_size(xlsx([["a"]]), "xl/worksheets/sheet1.xml", 0xFFFFFFF0)
    with pytest.raises(FileRejected) as exc:
        read_table(bomb, filename="bomb.xlsx")
    assert "压缩炸弹" in reason(exc)


def test_zip_bomb_compression_ratio_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx([["a"]]))) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
        dst.writestr("xl/media/padding.bin", b"\0" * (20 * 1024 * 1024))  # 20 MiB of zeros → ~20 KiB
    with pytest.raises(FileRejected) as exc:
        read_table(buf.getvalue(), filename="bomb.xlsx")
    assert "压缩比异常" in reason(exc)


def test_zip_with_too_many_entries_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx([["a"]]))) as src, zipfile.ZipFile(buf, "w") as dst:
        for item in src.infolist():
            dst.writestr(item.filename, src.read(item.filename))
        for i in range(files.MAX_ZIP_ENTRIES + 1):
            dst.writestr(f"xl/x/{i}.xml", b"<a/>")
    with pytest.raises(FileRejected) as exc:
        read_table(buf.getvalue(), filename="many.xlsx")
    assert "疑似压缩炸弹" in reason(exc)


def test_understated_size_header_refused_without_inflating():
    # The central directory claims 10 bytes; the real data is longer: CRC/size check fails.
    data = _patch_declared_size(xlsx([["a" * 50] for _ in range(200)]), "xl/worksheets/sheet1.xml", 10)
    with pytest.raises(FileRejected) as exc:
        read_table(data, filename="lie.xlsx")
    assert "不是有效的 Excel" in reason(exc)


def test_upload_size_limit():
    with pytest.raises(FileRejected) as exc:
        read_table(b"a" * 2000, filename="a.csv", max_bytes=1000)
    assert "超过大小上限" in reason(exc)


def test_formula_like_text_is_written_as_literal_text():
    dangerous = ['=HYPERLINK("http://x","y")', "+1+2", "-3", "@SUM(A1)", "\tx", "\rx", "普通文本"]
    buf = io.BytesIO()
    write_xlsx(buf, headers=["姓名"], rows=[[v] for v in dangerous])
    # Read back with openpyxl (which parses XML through defusedxml because it is installed)
    assert openpyxl.xml.DEFUSEDXML is True
    ws = openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active
    for i, value in enumerate(dangerous, start=2):
        cell = ws.cell(row=i, column=1)
        assert cell.data_type == "s", value
        assert cell.value == value
    assert ws["A2"].quotePrefix and not ws["A8"].quotePrefix
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_control_characters_are_stripped_when_writing():
    buf = io.BytesIO()
    write_xlsx(buf, headers=["姓名"], rows=[["张\x01三"]])
    assert openpyxl.load_workbook(io.BytesIO(buf.getvalue())).active["A2"].value == "张三"
