"""The LRMX / LRM writers and the Word form (issue #12 item 4): the round trip over the every-element
fixtures, the element order of the official template, the formats, the 4:5 photo, and the .docx content."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from pathlib import Path

import docx as python_docx
import pytest
from defusedxml.ElementTree import fromstring
from PIL import Image

from zugong.cadres.lrmx.data import AppointmentFormData, FamilyLine, Month, ResumeLine
from zugong.cadres.lrmx.docx import age_at, render_docx
from zugong.cadres.lrmx.elements import FAMILY_ELEMENTS, PERSON_ELEMENTS
from zugong.cadres.lrmx.reader import read_lrm, read_lrmx
from zugong.cadres.lrmx.writer import photo_4x5, resume_lines, write_lrm, write_lrmx

FIXTURES = Path(__file__).parent / "fixtures" / "lrmx"
# The blank template of the official form (xvchaoqun/owip src/main/resources/xml/adform/rm.xml): its
# element order, which the editor expects.
TEMPLATE_ORDER = """XingMing XingBie ChuShengNianYue MinZu JiGuan ChuShengDi RuDangShiJian CanJiaGongZuoShiJian
JianKangZhuangKuang ZhuanYeJiShuZhiWu ShuXiZhuanYeYouHeZhuanChang QuanRiZhiJiaoYu_XueLi QuanRiZhiJiaoYu_XueWei
QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi ZaiZhiJiaoYu_XueLi ZaiZhiJiaoYu_XueWei
ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi XianRenZhiWu NiRenZhiWu NiMianZhiWu JianLi
JiangChengQingKuang NianDuKaoHeJieGuo RenMianLiYou JiaTingChengYuan ChengBaoDanWei JiSuanNianLingShiJian
TianBiaoShiJian TianBiaoRen ShenFenZheng ZhaoPian Version""".split()


def fields(form: AppointmentFormData) -> dict:
    """Every field of the form but the reader's remarks and the file's name."""
    values = dataclasses.asdict(form)
    values.pop("warnings")
    values.pop("source_name")
    return values


@pytest.fixture(scope="module")
def every() -> AppointmentFormData:
    return read_lrmx((FIXTURES / "every_element.lrmx").read_bytes(), source_name="every_element.lrmx")


def test_the_fixture_carries_every_element_non_empty():
    root = fromstring((FIXTURES / "every_element.lrmx").read_bytes())
    assert [child.tag for child in root] == TEMPLATE_ORDER
    for child in root:
        if child.tag == "JiaTingChengYuan":
            for item in child:
                assert [c.tag for c in item] == [name for name, _ in FAMILY_ELEMENTS]
                assert all((c.text or "").strip() for c in item)
        else:
            assert (child.text or "").strip(), child.tag


def test_round_trip_lrmx_changes_no_field(every):
    again = read_lrmx(write_lrmx(every))
    assert fields(again) == fields(every)
    # and once more: the writer's output is a fixed point
    assert write_lrmx(again) == write_lrmx(every)


def test_round_trip_of_each_field_is_real(every):
    """The comparison above is field by field over non-empty values (a reader returning empties would pass
    nothing)."""
    values = fields(every)
    empty = [k for k, v in values.items() if v in ("", None, [], {})]
    assert empty == [], empty
    assert len(every.resume) == 8 and sum(r.in_service_study for r in every.resume) == 3
    assert [m.deceased for m in every.family] == [False, False, True, True]


def test_round_trip_lrm(every):
    lrm_form = read_lrm((FIXTURES / "every_element.lrm").read_bytes(), (FIXTURES / "every_element.pic").read_bytes())
    text, pic = write_lrm(lrm_form)
    again = read_lrm(text, pic)
    assert fields(again) == fields(lrm_form)
    text.decode("gbk")  # GBK, as the format wants
    # the LRM read gives the LRMX fixture's values (the LRM has no ID number, and flattens the school line)
    expected = fields(every) | {"id_number": "", "version": "2.0",
                                "full_time": fields(every)["full_time"] | {
                                    "education_school_major": "华中师范大学政治学系思想政治教育专业"}}
    assert fields(lrm_form) == expected


def test_writer_element_order_and_formats(every):
    data = write_lrmx(every)
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\r\n<Person>')
    root = fromstring(data)
    assert [child.tag for child in root] == TEMPLATE_ORDER == [name for name, _ in PERSON_ELEMENTS]
    text = {child.tag: child.text or "" for child in root}
    assert text["Version"] == "3.2.1.16"
    assert text["ChuShengNianYue"] == "197503" and text["CanJiaGongZuoShiJian"] == "199707"
    assert text["RuDangShiJian"] == "199707；民革"
    assert text["JiSuanNianLingShiJian"] == "20241201" and text["TianBiaoShiJian"] == "20241128"
    lines = text["JianLi"].split("\r\n")
    assert lines[0] == "1993.09--1997.07  华中师范大学政治学系思想政治教育专业学习"
    assert lines[2] == "（其间：1998.09--2000.12在省委党校函授本科班经济管理专业学习）"
    assert lines[-1] == "2011.12--" + " " * 7 + "  某县某局局长、党组书记"
    family = root.find("JiaTingChengYuan")
    assert [item.find("ChuShengRiQi").text for item in family] == ["197708", "200305", None, "195002"]
    assert [item.find("GongZuoDanWeiJiZhiWu").text for item in family][2:] == ["某县某乡农民（已去世）", "已去世"]
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", text["ZhaoPian"])


def test_party_only_and_empty_values():
    form = AppointmentFormData(name="甲", sex="女", birth=Month(1990, 1), other_party="民盟")
    root = fromstring(write_lrmx(form))
    assert root.find("RuDangShiJian").text == "民盟"
    assert root.find("JianLi").text is None and len(root.find("JiaTingChengYuan")) == 0
    again = read_lrmx(write_lrmx(form))
    assert (again.party_joined, again.other_party) == (None, "民盟")


def test_open_in_service_line_round_trips():
    resume = [ResumeLine(Month(2019, 3), None, "某局局长"), ResumeLine(Month(2020, 9), None, "在职研究生学习", True)]
    assert resume_lines(resume)[1] == "（其间：2020.09--" + " " * 7 + "  在职研究生学习）"
    form = AppointmentFormData(name="甲", sex="女", birth=Month(1990, 1), resume=resume)
    assert read_lrmx(write_lrmx(form)).resume == resume


def _jpeg(width, height) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (1, 2, 3)).save(out, format="JPEG")
    return out.getvalue()


def test_photo_is_made_four_by_five():
    square = _jpeg(200, 200)
    made = photo_4x5(square)
    with Image.open(io.BytesIO(made)) as image:
        assert (image.format, image.size) == ("JPEG", (300, 375))
    already = _jpeg(80, 100)
    assert photo_4x5(already) == already
    with Image.open(io.BytesIO(photo_4x5(_jpeg(100, 300)))) as image:
        assert image.size == (300, 375)


# ----- Word ---------------------------------------------------------------------------------------------------


def _docx_text(data: bytes) -> tuple[str, list[list[str]]]:
    document = python_docx.Document(io.BytesIO(data))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    text = "\n".join(p.text for p in document.paragraphs)
    return text, rows


def test_docx_contains_the_form(every):
    data = render_docx(every)
    text, rows = _docx_text(data)
    assert "干部任免审批表" in text and "填表人：赵干事" in text
    cells = {cell for row in rows for cell in row}
    assert "王建国" in cells and "1975.03\n（49岁）" in cells  # age at 计算年龄时间 2024-12-01
    resume_cell = next(c for c in cells if c.startswith("1993.09--1997.07"))
    assert "2011.12--         某县某局局长、党组书记" in resume_cell
    assert "（其间：2008.03--2008.07参加省委党校中青年干部培训班学习）" in resume_cell
    family = [row[1:6] for row in rows if row[1] in ("妻子", "父亲", "母亲")]
    assert family == [["妻子", "李娟", "47", "中共党员", "某县第一中学教师"],
                      ["父亲", "王大山", "", "群众", "某县某乡农民（已去世）"],
                      ["母亲", "张秀英", "", "群众", "已去世"]]
    for label in ("奖惩\n情况", "年度考\n核结果", "任免\n理由", "呈报\n单位", "审批\n机关\n意见", "行政\n机关\n任免\n意见",
                  "现 任 职 务", "拟 任 职 务", "拟 免 职 务", "全日制\n教\u3000育", "在\u3000职\n教\u3000育"):
        assert label in cells, label
    assert "2024年11月28日" in "".join(cells)
    document = python_docx.Document(io.BytesIO(data))
    assert len(document.inline_shapes) == 1  # the photo
    run = document.paragraphs[0].runs[0]
    assert run.font.name == "宋体" and run._element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "宋体"


def test_docx_age_without_reference_date_uses_today():
    form = AppointmentFormData(name="甲", sex="女", birth=Month(1990, 7),
                               family=[FamilyLine("父亲", "乙", Month(1960, 1))])
    _, rows = _docx_text(render_docx(form, today=dt.date(2025, 6, 30)))
    cells = {cell for row in rows for cell in row}
    assert "1990.07\n（34岁）" in cells and "65" in cells
    assert age_at(Month(1990, 7), dt.date(2025, 7, 1)) == 35 and age_at(None, dt.date(2025, 1, 1)) is None


def test_special_characters_survive_and_control_characters_are_dropped():
    form = AppointmentFormData(name="甲", sex="女", birth=Month(1990, 1), specialty='<法律> & "财会"\x0b',
                               rewards_punishments="2019年嘉奖\n2020年记三等功")
    again = read_lrmx(write_lrmx(form))
    assert again.specialty == '<法律> & "财会"' and again.rewards_punishments == "2019年嘉奖\n2020年记三等功"


def test_an_unreadable_stored_photo_is_left_out():
    assert photo_4x5(b"not an image") is None and photo_4x5(None) is None
    form = AppointmentFormData(name="甲", sex="女", birth=Month(1990, 1), photo=b"\xff\xd8\xffbroken")
    assert read_lrmx(write_lrmx(form)).photo is None
