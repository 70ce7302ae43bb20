"""The 干部任免审批表 as a Word document in the printed A4 layout: ``render_docx(form) -> bytes``.

Page 1: the title, the main table — 姓名 / 性别 / 出生年月（岁）, 民族 / 籍贯 / 出生地, 入党时间 /
参加工作时间 / 健康状况, 专业技术职务 / 熟悉专业有何专长, the photo cell (4 rows, the 4:5 photo 2.5 × 3.125 cm),
学历学位 with 全日制教育 and 在职教育 and their 毕业院校系及专业, 现任职务, 拟任职务, 拟免职务 — and the 简历
block (one paragraph per résumé line, 其间 lines indented). Page 2: 奖惩情况, 年度考核结果, 任免理由, the
家庭主要成员及重要社会关系 table (称谓, 姓名, 年龄, 政治面貌, 工作单位及职务; at least 7 rows), 呈报单位,
审批机关意见, 行政机关任免意见, and 填表人 under the table.

Ages (出生年月（岁） and the family 年龄) are 周岁 at the form's ``age_reference_date`` (计算年龄时间), else
``today``, counted by month (the form records 年月 only). Text is 宋体 (labels 10.5 pt, title 22 pt bold),
with the East-Asian font set on every run so Word does not fall back to a Latin font.
"""

from __future__ import annotations

import datetime as dt
import io

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from zugong.cadres.lrmx.data import AppointmentFormData, Month
from zugong.cadres.lrmx.writer import dotted, photo_4x5, resume_lines

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "宋体"
LABEL_SIZE = Pt(10.5)
WIDTHS = (Cm(2.2), Cm(2.4), Cm(2.0), Cm(2.6), Cm(2.4), Cm(2.6), Cm(2.9))  # 7 grid columns, 17.1 cm


def age_at(birth: Month | None, day: dt.date) -> int | None:
    """周岁 on ``day`` of someone born in ``birth`` (month precision); ``None`` without a birth."""
    if birth is None:
        return None
    return day.year - birth.year - (1 if day.month < birth.month else 0)


def _font(run, size=LABEL_SIZE, bold=False) -> None:
    run.font.name = FONT
    run.font.size = size
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)


def _write(cell, text: str, *, center=True, size=LABEL_SIZE, bold=False, lines: list[str] | None = None) -> None:
    """Put ``text`` (or ``lines``, one paragraph each) in ``cell``."""
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraphs = lines if lines is not None else (text.split("\n") if text else [""])
    first = cell.paragraphs[0]
    for index, line in enumerate(paragraphs):
        paragraph = first if index == 0 else cell.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.LEFT
        paragraph.paragraph_format.space_after = Pt(0)
        _font(paragraph.add_run(line), size=size, bold=bold)


def _table(document, rows: int):
    table = document.add_table(rows=rows, cols=7)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, WIDTHS, strict=True):
            cell.width = width
    return table


def _merge(table, row: int, first: int, last: int):
    return table.cell(row, first).merge(table.cell(row, last))


def render_docx(form: AppointmentFormData, *, today: dt.date | None = None) -> bytes:
    """The ``.docx`` bytes of ``form`` in the printed layout (module docstring)."""
    reference = form.age_reference_date.as_date() if form.age_reference_date else (today or dt.date.today())
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.9)
    section.top_margin = section.bottom_margin = Cm(1.8)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(title.add_run("干部任免审批表"), size=Pt(22), bold=True)

    # ----- page 1 ---------------------------------------------------------------------------------
    t = _table(document, 10)
    age = age_at(form.birth, reference)
    birth = dotted(form.birth) + (f"\n（{age}岁）" if age is not None else "")
    party = dotted(form.party_joined)
    if form.other_party:
        party = f"{party}；{form.other_party}" if party else form.other_party
    cells = [
        (0, ["姓　名", form.name, "性　别", form.sex, "出生年月\n（　岁）", birth]),
        (1, ["民　族", form.ethnicity, "籍　贯", form.native_place, "出 生 地", form.birthplace]),
        (2, ["入党时间", party, "参加工作\n时　　间", dotted(form.work_start), "健康状况", form.health]),
    ]
    for row, texts in cells:
        for col, text in enumerate(texts):
            _write(t.cell(row, col), text)
    _write(t.cell(3, 0), "专业技术\n职　　务")
    _write(_merge(t, 3, 1, 2), form.professional_title)
    _write(t.cell(3, 3), "熟悉专业\n有何专长")
    _write(_merge(t, 3, 4, 5), form.specialty)
    photo_cell = t.cell(0, 6).merge(t.cell(3, 6))
    photo = photo_4x5(form.photo)
    if photo:
        photo_cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        photo_cell.paragraphs[0].add_run().add_picture(io.BytesIO(photo), width=Cm(2.5), height=Cm(3.125))
        photo_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    else:
        _write(photo_cell, "（照片）")
    _write(t.cell(4, 0).merge(t.cell(5, 0)), "学　历\n学　位")
    for row, label, block in ((4, "全日制\n教　育", form.full_time), (5, "在　职\n教　育", form.in_service)):
        _write(t.cell(row, 1), label)
        _write(_merge(t, row, 2, 3), "\n".join(v for v in (block.education, block.degree) if v))
        _write(t.cell(row, 4), "毕业院校\n系及专业")
        _write(_merge(t, row, 5, 6), "\n".join(v for v in (block.education_school_major,
                                                          block.degree_school_major) if v), center=False)
    for row, label, text in ((6, "现 任 职 务", form.current_post), (7, "拟 任 职 务", form.proposed_post),
                             (8, "拟 免 职 务", form.proposed_removal)):
        _write(t.cell(row, 0), label)
        _write(_merge(t, row, 1, 6), text, center=False)
    _write(t.cell(9, 0), "简\n\n\n\n历")
    resume_cell = _merge(t, 9, 1, 6)
    _write(resume_cell, "", center=False, lines=[line.replace("（其间", "　　　　　　　（其间", 1)
                                                 for line in resume_lines(form.resume)] or [""])
    t.rows[9].height = Cm(14)

    # ----- page 2 ---------------------------------------------------------------------------------
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    family_rows = max(len(form.family), 7)
    t2 = _table(document, 3 + 1 + family_rows + 3)
    for row, label, text in ((0, "奖惩\n情况", form.rewards_punishments), (1, "年度考\n核结果", form.assessment_results),
                             (2, "任免\n理由", form.appointment_reason)):
        _write(t2.cell(row, 0), label)
        _write(_merge(t2, row, 1, 6), text, center=False)
    first = 3
    _write(t2.cell(first, 0).merge(t2.cell(first + family_rows, 0)), "家庭\n主要\n成员\n及重\n要社\n会关\n系")
    for col, label in enumerate(("称　谓", "姓　名", "年龄", "政治\n面貌"), start=1):
        _write(t2.cell(first, col), label)
    _write(_merge(t2, first, 5, 6), "工　作　单　位　及　职　务")
    for index in range(family_rows):
        row = first + 1 + index
        member = form.family[index] if index < len(form.family) else None
        work = _merge(t2, row, 5, 6)
        if member is None:
            continue
        member_age = None if member.deceased else age_at(member.birth, reference)
        for col, text in enumerate((member.relation, member.name, "" if member_age is None else str(member_age),
                                    member.political_status), start=1):
            _write(t2.cell(row, col), text)
        work_text = member.work_unit_and_post
        if member.deceased:
            work_text = f"{work_text}（已去世）" if work_text else "已去世"
        _write(work, work_text, center=False)
    tail = first + 1 + family_rows
    filled = form.filled_date.as_date() if form.filled_date else None
    date_line = f"{filled.year}年{filled.month}月{filled.day}日" if filled else "　　年　　月　　日"
    for offset, label, text in ((0, "呈报\n单位", f"{form.reporting_unit}\n\n{date_line}"),
                                (1, "审批\n机关\n意见", "（盖章）\n　　年　　月　　日"),
                                (2, "行政\n机关\n任免\n意见", "（盖章）\n　　年　　月　　日")):
        _write(t2.cell(tail + offset, 0), label)
        _write(_merge(t2, tail + offset, 1, 6), text)
        t2.rows[tail + offset].height = Cm(2.6)
    footer = document.add_paragraph()
    _font(footer.add_run(f"填表人：{form.filled_by}"))

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
