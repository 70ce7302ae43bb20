"""The appointment-form readers (issue #12 item 4, rules.md §8): what ``read_lrmx`` / ``read_lrm`` accept
(the editors' real variants) and what they refuse with a Chinese message naming element and reason."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest
from PIL import Image

from zugong.cadres.lrmx.data import FamilyLine, FormFileError, Month, ResumeLine
from zugong.cadres.lrmx.reader import (
    MAX_FAMILY_ROWS,
    MAX_PHOTO_BYTES,
    MAX_RESUME_CHARS,
    MAX_RESUME_LINES,
    _overlapping_pairs,
    parse_month,
    parse_party_joined,
    parse_resume,
    read_form_file,
    read_lrm,
    read_lrmx,
)

FIXTURES = Path(__file__).parent / "fixtures" / "lrmx"


def jpeg(width=40, height=50) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(out, format="JPEG")
    return out.getvalue()


def lrmx(body: str = "", *, name="张三", sex="男", birth="198003", head="") -> bytes:
    """A minimal LRMX file with the required elements and ``body`` inside ``<Person>``."""
    return (f'<?xml version="1.0" encoding="utf-8"?>{head}<Person><XingMing>{name}</XingMing>'
            f"<XingBie>{sex}</XingBie><ChuShengNianYue>{birth}</ChuShengNianYue>{body}</Person>").encode()


def refused(data: bytes) -> str:
    with pytest.raises(FormFileError) as info:
        read_lrmx(data)
    return "；".join(info.value.messages)


# ----- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("198503", Month(1985, 3)), ("19850315", Month(1985, 3, 15)), ("1985.03", Month(1985, 3)),
    ("1985.3", Month(1985, 3)), ("1985.03.15", Month(1985, 3, 15)), ("1985-03", Month(1985, 3)),
    ("1985-03-15", Month(1985, 3, 15)), ("1985/03", Month(1985, 3)), ("1985年03月", Month(1985, 3)),
    ("1985年3月15日", Month(1985, 3, 15)), ("１９８５．０３", Month(1985, 3)), (" 198503 ", Month(1985, 3)),
    ("", None),
])
def test_every_date_form(text, expected):
    assert parse_month(text, "X") == expected


@pytest.mark.parametrize("text, reason", [("1985.13", "月份"), ("198500", "月份"), ("1985.02.30", "没有30日"),
                                          ("85.03", "不是可识别的日期"), ("不详", "不是可识别的日期")])
def test_bad_dates_are_refused_naming_the_element(text, reason):
    message = refused(lrmx(f"<CanJiaGongZuoShiJian>{text}</CanJiaGongZuoShiJian>"))
    assert "CanJiaGongZuoShiJian（参加工作时间）" in message and text in message and reason in message


def test_birth_1985_13_is_refused():
    message = refused(lrmx(birth="1985.13"))
    assert message == "ChuShengNianYue（出生年月）：「1985.13」不是有效的年月（月份应为 01–12）"


def test_a_day_in_a_month_element_is_dropped_with_a_warning_and_kept_where_the_day_counts():
    form = read_lrmx(lrmx("<JiSuanNianLingShiJian>2024.06</JiSuanNianLingShiJian>"
                          "<TianBiaoShiJian>20240605</TianBiaoShiJian>", birth="19800315"))
    assert form.birth == Month(1980, 3)
    assert any("出生年月" in w and "日已忽略" in w for w in form.warnings)
    assert form.age_reference_date == Month(2024, 6) and form.filled_date == Month(2024, 6, 5)
    assert "JiSuanNianLingShiJian（计算年龄时间）：只写到月，年龄按该月1日计算" in form.warnings


# ----- 入党时间 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, joined, party", [
    ("198507", Month(1985, 7), ""), ("1985.07", Month(1985, 7), ""), ("民革", None, "民革"),
    ("198507；民革", Month(1985, 7), "民革"), ("1985.07 民盟", Month(1985, 7), "民盟"),
    ("1985.07（民进）", Month(1985, 7), "民进"), ("1985.07民建", Month(1985, 7), "民建"),
    ("九三学社；198507", Month(1985, 7), "九三学社"), ("民革;民盟", None, "民革；民盟"),
])
def test_party_joined_variants(text, joined, party):
    got_joined, got_party, raw = parse_party_joined(text)
    assert (got_joined, got_party) == (joined, party)
    assert raw == ("" if party == "" else text)
    form = read_lrmx(lrmx(f"<RuDangShiJian>{text}</RuDangShiJian>"))
    assert (form.party_joined, form.other_party) == (joined, party)


def test_party_joined_with_a_bad_date_is_refused():
    assert "RuDangShiJian（入党时间）：「1985.13」" in refused(lrmx("<RuDangShiJian>1985.13；民革</RuDangShiJian>"))


# ----- 简历 ------------------------------------------------------------------------------------------------


def test_resume_lines_open_end_continuation_and_in_service():
    text = ("1994.09--1998.07  某大学学习\r\n"
            "1998.07—2003.05　某乡干部（其间：2000.09--2002.07在省委党校函授学习）\r\n"
            "２００３．０５～２００８．０１  某局副局长，负责\r\n"
            "                  办公室工作\r\n"
            "(其间:2005.03-2005.07参加中青班学习；2006.01--2006.03挂职锻炼)\r\n"
            "2008.01--         某局局长\r\n"
            "                  （其间：参加党校进修）")
    warnings: list[str] = []
    assert parse_resume(text, warnings=warnings) == [
        ResumeLine(Month(1994, 9), Month(1998, 7), "某大学学习"),
        ResumeLine(Month(1998, 7), Month(2003, 5), "某乡干部"),
        ResumeLine(Month(2000, 9), Month(2002, 7), "在省委党校函授学习", True),
        ResumeLine(Month(2003, 5), Month(2008, 1), "某局副局长，负责办公室工作"),
        ResumeLine(Month(2005, 3), Month(2005, 7), "参加中青班学习", True),
        ResumeLine(Month(2006, 1), Month(2006, 3), "挂职锻炼", True),
        ResumeLine(Month(2008, 1), None, "某局局长"),
        ResumeLine(Month(2008, 1), None, "参加党校进修", True),
    ]
    assert any("未写起止时间" in w for w in warnings)


def test_resume_seven_space_open_end_and_yyyymm_dates():
    assert parse_resume("199409--199807  学习\n2019.03--       至今工作") == [
        ResumeLine(Month(1994, 9), Month(1998, 7), "学习"), ResumeLine(Month(2019, 3), None, "至今工作")]


def test_overlapping_resume_lines_are_refused_naming_both():
    message = refused(lrmx("<JianLi>1994.09--1998.07  某大学学习\n1997.07--2003.05  某乡干部\n"
                           "2003.05--         某局</JianLi>"))
    assert "JianLi（简历）第1行「1994.09--1998.07 某大学学习」与第2行「1997.07--2003.05 某乡干部」时间重叠" in message


def test_an_open_line_before_another_overlaps():
    message = refused(lrmx("<JianLi>2003.05--         某局\n2005.01--2006.01  某乡</JianLi>"))
    assert "第1行" in message and "第2行" in message and "重叠" in message


@pytest.mark.parametrize("text, reason", [
    ("某大学学习", "第1行「某大学学习」：没有起止时间"),
    ("1998.07--1994.09  倒置", "截止时间早于起始时间"),
    ("1994.13--1998.07  某大学", "不是有效的年月"),
])
def test_bad_resume_lines(text, reason):
    assert reason in refused(lrmx(f"<JianLi>{text}</JianLi>"))


def _monthly_resume(count: int) -> str:
    """``count`` consecutive one-month entries from 1950.01, none overlapping."""
    lines = []
    for k in range(count):
        y1, m1 = divmod(1950 * 12 + k, 12)
        y2, m2 = divmod(1950 * 12 + k + 1, 12)
        lines.append(f"{y1}.{m1 + 1:02d}--{y2}.{m2 + 1:02d}  第{k + 1}段经历")
    return "\n".join(lines)


def test_a_resume_of_the_maximum_length_is_read_in_order():
    assert MAX_RESUME_LINES == 300
    form = read_lrmx(lrmx(f"<JianLi>{_monthly_resume(300)}</JianLi>"))
    assert len(form.resume) == 300
    assert form.resume[0] == ResumeLine(Month(1950, 1), Month(1950, 2), "第1段经历")
    assert form.resume[-1] == ResumeLine(Month(1974, 12), Month(1975, 1), "第300段经历")


def test_a_resume_over_the_entry_limit_is_refused_before_parsing():
    message = refused(lrmx(f"<JianLi>{_monthly_resume(301)}</JianLi>"))
    assert message == ("JianLi（简历）：简历超过 300 条（第301行为第 301 条），上限为 300 条，请核对文件")
    # wrapped continuation lines are no entries: 300 entries written on 600 lines are read
    wrapped = _monthly_resume(300).replace("段经历", "段\n                  经历")
    assert len(parse_resume(wrapped)) == 300


def test_a_resume_text_over_the_length_limit_is_refused_before_parsing():
    text = "2001.01--         某局" + "很长" * (MAX_RESUME_CHARS // 2)
    assert f"JianLi（简历）：简历过长（{len(text)} 字），上限为 100000 字" in refused(lrmx(f"<JianLi>{text}</JianLi>"))
    assert len(parse_resume("2001.01--         某局" + "长" * (MAX_RESUME_CHARS - 30))) == 1


def test_the_overlap_sweep_finds_the_same_pairs_as_comparing_every_pair():
    import random

    rng = random.Random(12)

    def brute(lines):
        key = lambda m: (m.year, m.month) if m else (9999, 12)  # noqa: E731
        return [(i, j) for i in range(len(lines)) for j in range(i + 1, len(lines))
                if key(lines[i].start) < key(lines[j].end) and key(lines[j].start) < key(lines[i].end)]

    for _ in range(300):
        lines = []
        for _ in range(rng.randint(0, 12)):
            start = rng.randint(0, 40)
            end = None if rng.random() < 0.15 else start + rng.randint(0, 8)  # zero-length lines too
            lines.append(ResumeLine(Month(2000 + start // 12, start % 12 + 1),
                                    None if end is None else Month(2000 + end // 12, end % 12 + 1), "x"))
        assert _overlapping_pairs(lines) == brute(lines)


def test_many_overlaps_are_named_up_to_twenty_and_the_rest_counted():
    text = "\n".join(f"2003.05--         某局{k}" for k in range(MAX_RESUME_LINES))  # every pair overlaps
    with pytest.raises(FormFileError) as info:
        parse_resume(text)
    assert len(info.value.messages) == 21
    assert info.value.messages[0] == "JianLi（简历）第1行「2003.05--至今 某局0」与第2行「2003.05--至今 某局1」时间重叠"
    assert info.value.messages[-1] == f"JianLi（简历）：另有 {300 * 299 // 2 - 20} 处时间重叠未逐一列出"


def test_overlaps_are_reported_in_written_order_whatever_the_start_order():
    message = refused(lrmx("<JianLi>2010.01--2012.01  丙\n2000.01--2003.01  甲\n2002.01--2011.01  乙</JianLi>"))
    assert message == ("JianLi（简历）第1行「2010.01--2012.01 丙」与第3行「2002.01--2011.01 乙」时间重叠；"
                       "JianLi（简历）第2行「2000.01--2003.01 甲」与第3行「2002.01--2011.01 乙」时间重叠")


# ----- family ---------------------------------------------------------------------------------------------


def _item(relation, name, birth, status, work):
    return (f"<Item><ChengWei>{relation}</ChengWei><XingMing>{name}</XingMing><ChuShengRiQi>{birth}</ChuShengRiQi>"
            f"<ZhengZhiMianMao>{status}</ZhengZhiMianMao><GongZuoDanWeiJiZhiWu>{work}</GongZuoDanWeiJiZhiWu></Item>")


def test_family_deceased_in_any_column():
    form = read_lrmx(lrmx("<JiaTingChengYuan>" + _item("父亲", "王大", "已去世", "群众", "") +
                          _item("母亲", "李二", "195002", "群众", "原某厂职工（已去世）") +
                          _item("祖父", "王老", "193001", "已故", "") +
                          _item("妻子", "赵三", "1982.05", "中共党员", "某校教师") +
                          _item("", "", "", "", "") + "</JiaTingChengYuan>"))
    assert form.family == [
        FamilyLine("父亲", "王大", None, "群众", "", True),
        FamilyLine("母亲", "李二", Month(1950, 2), "群众", "原某厂职工", True),
        FamilyLine("祖父", "王老", Month(1930, 1), "", "", True),
        FamilyLine("妻子", "赵三", Month(1982, 5), "中共党员", "某校教师", False),
    ]


def test_family_rows_over_the_limit_are_refused():
    assert MAX_FAMILY_ROWS == 50
    rows = "".join(_item("子女", f"王{n}", "", "", "") for n in range(50))
    assert len(read_lrmx(lrmx(f"<JiaTingChengYuan>{rows}</JiaTingChengYuan>")).family) == 50
    rows += _item("子女", "王五十", "", "", "")
    assert refused(lrmx(f"<JiaTingChengYuan>{rows}</JiaTingChengYuan>")) == (
        "JiaTingChengYuan（家庭成员）：家庭成员超过 50 人，上限为 50 人，请核对文件")


def test_family_birth_errors_and_unknowns():
    assert "第1人：ChuShengRiQi（出生日期）：「1950.13」" in refused(
        lrmx("<JiaTingChengYuan>" + _item("父亲", "王大", "1950.13", "", "") + "</JiaTingChengYuan>"))
    form = read_lrmx(lrmx("<JiaTingChengYuan>" + _item("父亲", "王大", "不详", "", "") + "</JiaTingChengYuan>"))
    assert form.family[0].birth is None and any("不详" in w for w in form.warnings)


# ----- hostile and malformed files ------------------------------------------------------------------------


def test_xxe_with_a_local_file_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = lrmx(head=f'<!DOCTYPE Person [<!ENTITY xxe SYSTEM "file://{secret}">]>', name="&xxe;")
    message = refused(data)
    assert "实体声明" in message and "拒绝读取" in message and "TOP-SECRET" not in message


def test_billion_laughs_is_refused_without_expansion():
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    data = lrmx(head=f"<!DOCTYPE Person [{entities}]>", name="&lol9;")
    assert "实体声明" in refused(data)


def test_any_dtd_is_refused():
    assert "文档类型声明" in refused(lrmx(head='<!DOCTYPE Person SYSTEM "http://example.invalid/x.dtd">'))


def test_malformed_xml_and_wrong_root():
    assert "不是有效的 XML（第 1 行" in refused(b'<?xml version="1.0"?><Person><XingMing>x</Person>')
    assert "根元素应为 <Person>" in refused(b"<Root><XingMing>x</XingMing></Root>")
    assert "文件为空" in refused(b"  ")
    gbk = '<?xml version="1.0"?><Person><XingMing>张三</XingMing></Person>'.encode("gbk")
    assert "不是 UTF-8 编码" in refused(gbk)


def test_missing_required_elements_are_named():
    message = refused('<?xml version="1.0" encoding="utf-8"?><Person><XingBie>男</XingBie></Person>'.encode())
    assert "XingMing（姓名）：必填" in message and "ChuShengNianYue（出生年月）：必填" in message
    form = read_lrmx(lrmx())
    assert any("文件缺少元素" in w and "JianLi（简历）" in w for w in form.warnings)


def test_fifty_megabyte_photo_is_refused_before_parsing():
    big = base64.b64encode(b"\xff\xd8\xff" + bytes(50 * 1024 * 1024)).decode()
    message = refused(lrmx(f"<ZhaoPian>{big}</ZhaoPian>"))
    assert "文件过大" in message and "上限为 10 MB" in message


def test_photo_over_five_megabytes_in_a_small_file_is_refused():
    big = base64.b64encode(b"\xff\xd8\xff" + bytes(MAX_PHOTO_BYTES + 10)).decode()
    assert "ZhaoPian（照片）：照片过大" in refused(lrmx(f"<ZhaoPian>{big}</ZhaoPian>"))


def test_non_jpeg_photos_are_refused():
    png = io.BytesIO()
    Image.new("RGB", (4, 5)).save(png, format="PNG")
    assert "ZhaoPian（照片）：照片不是 JPEG 图片（文件内容为PNG）" in refused(
        lrmx(f"<ZhaoPian>{base64.b64encode(png.getvalue()).decode()}</ZhaoPian>"))
    broken = base64.b64encode(b"\xff\xd8\xff" + b"junk" * 10).decode()
    assert "照片已损坏" in refused(lrmx(f"<ZhaoPian>{broken}</ZhaoPian>"))
    assert "不是有效的 Base64" in refused(lrmx("<ZhaoPian>@@@@</ZhaoPian>"))


def test_a_real_jpeg_photo_is_read():
    photo = jpeg()
    form = read_lrmx(lrmx(f"<ZhaoPian>\n{base64.encodebytes(photo).decode()}</ZhaoPian>"))
    assert form.photo == photo


def test_all_problems_are_reported_together():
    with pytest.raises(FormFileError) as info:
        read_lrmx(lrmx("<CanJiaGongZuoShiJian>2001.13</CanJiaGongZuoShiJian><JianLi>乱写</JianLi>", birth="1985.13"),
                  source_name="a.lrmx")
    assert len(info.value.messages) == 3 and info.value.source_name == "a.lrmx"


# ----- LRM 2.0 ----------------------------------------------------------------------------------------------


def test_lrm_fixture_reads_like_the_lrmx_fixture():
    lrmx_form = read_lrmx((FIXTURES / "every_element.lrmx").read_bytes())
    lrm_form = read_form_file("Every_Element.LRM", (FIXTURES / "every_element.lrm").read_bytes(),
                              {"every_element.pic": (FIXTURES / "every_element.pic").read_bytes()})
    assert lrm_form.version == "2.0" and lrm_form.id_number == ""
    assert lrm_form.photo == lrmx_form.photo
    assert lrm_form.full_time.education_school_major == "华中师范大学政治学系思想政治教育专业"
    for name in ("name", "sex", "birth", "ethnicity", "native_place", "birthplace", "party_joined", "other_party",
                 "work_start", "health", "professional_title", "specialty", "in_service", "current_post",
                 "proposed_post", "proposed_removal", "resume", "rewards_punishments", "assessment_results",
                 "appointment_reason", "family", "reporting_unit", "age_reference_date", "filled_by"):
        assert getattr(lrm_form, name) == getattr(lrmx_form, name), name
    assert lrm_form.filled_date == Month(2024, 11, 28)


def test_lrm_in_utf8_is_detected():
    text = (FIXTURES / "every_element.lrm").read_bytes().decode("gbk")
    with pytest.raises(FormFileError) as info:
        read_lrm(text.encode("utf-8"), source_name="a.lrm")
    assert "该 .lrm 文件为 UTF-8 编码，应为 GBK" in info.value.messages[0]
    with pytest.raises(FormFileError, match="UTF-8 编码（带 BOM）"):
        read_lrm(b"\xef\xbb\xbf" + text.encode("utf-8"))
    with pytest.raises(FormFileError, match="UTF-16"):
        read_lrm(text.encode("utf-16"))


def test_lrm_invalid_gbk_and_bad_structure():
    with pytest.raises(FormFileError, match="第 4 字节起不是有效的 GBK"):
        read_lrm(b'"ab\x81\x20"')
    with pytest.raises(FormFileError, match="只有 3 个字段，应为 33 个"):
        read_lrm('"张三","男","198003"'.encode("gbk"))
    with pytest.raises(FormFileError, match="不是 LRM 格式"):
        read_lrm("张三,男".encode("gbk"))


def _lrm_with(old: str, new: str) -> bytes:
    text = (FIXTURES / "every_element.lrm").read_bytes().decode("gbk")
    assert text.count(old) == 1
    return text.replace(old, new).encode("gbk")


def test_lrm_family_field_over_the_limit_is_refused_before_rows_are_built():
    names = "@".join(f"王{n}" for n in range(51))
    with pytest.raises(FormFileError) as info:
        read_lrm(_lrm_with('"李娟@王小明@王大山@张秀英@@@"', f'"{names}"'), source_name="a.lrm")
    assert info.value.messages == ["JiaTingChengYuan（家庭成员）的 XingMing（姓名）：家庭成员超过 50 人，"
                                   "上限为 50 人，请核对文件"]
    assert info.value.source_name == "a.lrm"
    # a 2 MB field of separators is refused the same way (counted, never split into rows)
    with pytest.raises(FormFileError, match="家庭成员超过 50 人"):
        read_lrm(_lrm_with('"妻子@儿子@父亲@母亲@@@"', '"' + "@ " * 1_000_000 + '父亲"'))


def test_lrm_trailing_padding_rows_do_not_count_and_extra_education_blocks_are_ignored():
    form = read_lrm(_lrm_with('"李娟@王小明@王大山@张秀英@@@"', '"李娟@王小明@王大山@张秀英' + "@" * 500_000 + '"'))
    assert [f.name for f in form.family] == ["李娟", "王小明", "王大山", "张秀英"]
    form = read_lrm(_lrm_with('"大学#法学学士@中央党校研究生#法学硕士"',
                              '"大学#法学学士@中央党校研究生#法学硕士' + "@x" * 500_000 + '"'))
    assert (form.full_time.education, form.in_service.education) == ("大学", "中央党校研究生")


def test_lrm_pic_must_be_a_jpeg():
    data = (FIXTURES / "every_element.lrm").read_bytes()
    with pytest.raises(FormFileError, match=r"照片文件（\.pic）：照片不是 JPEG"):
        read_lrm(data, b"\x89PNG\r\n\x1a\nxxxx")


def test_read_form_file_dispatch():
    with pytest.raises(FormFileError, match="只接受 .lrmx 和 .lrm"):
        read_form_file("a.xml", b"<Person/>")
    assert read_form_file("a.LRMX", lrmx()).name == "张三"
    assert read_form_file("x/b.lrm", (FIXTURES / "every_element.lrm").read_bytes()).photo is None


def test_gb_encoded_lrmx_is_read_with_a_warning_and_other_encodings_refused():
    text = ('<?xml version="1.0" encoding="GB2312"?><Person><XingMing>张三</XingMing><XingBie>男</XingBie>'
            "<ChuShengNianYue>198001</ChuShengNianYue></Person>")
    form = read_lrmx(text.encode("gbk"))
    assert form.name == "张三" and "文件为 GB2312 编码（LRMX 应为 UTF-8），已按 GB2312 读取" in form.warnings
    assert "编码「shift_jis」不受支持" in refused(text.replace("GB2312", "shift_jis").encode("utf-8"))
    assert "不是有效的 GBK 编码" in refused(text.encode("gbk").replace("张".encode("gbk"), b"\x81\x20"))
    assert read_lrmx(b"\xef\xbb\xbf" + text.replace("GB2312", "utf-8").encode()).name == "张三"


def test_a_file_shaped_like_the_blank_template_reads_as_empty_values():
    """The editor's template leaves elements as whitespace and the family Item commented out."""
    from zugong.cadres.lrmx.elements import PERSON_ELEMENTS

    filled = {"XingMing": "张三", "XingBie": "男", "ChuShengNianYue": "198001", "Version": "3.2.1.6"}
    parts = []
    for element, _ in PERSON_ELEMENTS:
        if element == "JiaTingChengYuan":
            parts.append("<JiaTingChengYuan>\n    <!--<Item><ChengWei></ChengWei></Item>-->\n  </JiaTingChengYuan>")
        else:
            parts.append(f"<{element}>{filled.get(element, chr(10) + '  ')}</{element}>")
    form = read_lrmx(("\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<Person>\n  " + "\n  ".join(parts)
                      + "\n</Person>").encode("utf-8"))
    assert (form.name, form.birth, form.version, form.family, form.resume) == ("张三", Month(1980, 1), "3.2.1.6", [], [])
    assert form.proposed_post == "" and form.photo is None and form.warnings == []
