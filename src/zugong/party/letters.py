"""中国共产党党员组织关系介绍信 (``transfer_letter``) as a Word ``.docx`` (python-docx), in the usual layout of
the form revised by the Central Organization Department (《关于印发〈中国共产党流动党员活动证〉和〈中国共产党党员
组织关系介绍信〉修订式样的通知》, 组通字〔2006〕45号): one sheet of three parts (一式三联), each numbered 第 … 号
at the top right, separated by the line where the seal straddles (骑缝章):

1. 第一联 存根 — 「××同志系中共正式（预备）党员，组织关系由××转到××。」, the date, 「贴回执联处」;
2. 第二联 介绍信 — addressed to the receiving organization: 姓名, 性别, 年龄, 民族, 党员身份（正式/预备）,
   身份证号码, 「由××去××，请接转组织关系。该同志党费已交到××年××月。」, 「（有效期××天）」, the seal and date
   line, the member's contact and the sending committee's address lines;
3. 第三联 回执 — addressed back to the sending organization: 「××同志的党员组织关系已转达我处，特此回复。」,
   seal and date line, 经办人, and the note that the receiving committee returns it within a month.

As the form's instructions require, the year and month the dues are paid to and the validity are written
in capital numerals (大写: 贰零贰伍年壹拾贰月, 叁拾天) so that they cannot be altered. The age is in completed
years on the letter's date. Blank fields (a letter of a transfer inside Zugong has no validity or dues
recorded) are left as lines to fill in by hand.

**Sensitive data.** The 身份证号码 and the member's phone are printed in clear only when the user may see
them in clear (``basic.unmask`` on the person, ``people.selectors.person_may_unmask``, the roster export's
rule); otherwise the number is masked and the phone left blank, to be completed by hand. Every printing is
audited (``transfer_letter``: who, which transfer, whether in clear).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from zugong.audit.services import record_event
from zugong.core.codes import ETHNICITY, SEX
from zugong.core.dates import age_on
from zugong.core.errors import OutOfScope, PermissionDeniedError, RowError, ValidationFailed
from zugong.core.scoping import can
from zugong.party.models import MembershipTransfer
from zugong.party.transfer_selectors import may_send, transfer_get
from zugong.people.selectors import person_may_unmask

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FONT = "仿宋"
TITLE_FONT = "宋体"
BLANK = "＿＿＿＿＿＿"

_CAPITAL = "零壹贰叁肆伍陆柒捌玖"


def capital_digits(number: int) -> str:
    """A year digit by digit in capital numerals: 2025 → 贰零贰伍."""
    return "".join(_CAPITAL[int(d)] for d in str(number))


def capital_number(number: int) -> str:
    """A count (1–9999) in capital numerals as written on forms: 10 → 壹拾, 12 → 壹拾贰, 30 → 叁拾,
    90 → 玖拾, 105 → 壹佰零伍."""
    if number <= 0:
        return _CAPITAL[0]
    units = ("", "拾", "佰", "仟")
    digits = [int(d) for d in str(number)]
    out, zero = [], False
    for i, d in enumerate(digits):
        place = len(digits) - 1 - i
        if d == 0:
            zero = True
            continue
        if zero and out:
            out.append(_CAPITAL[0])
        zero = False
        out.append(_CAPITAL[d] + units[place])
    return "".join(out)


@dataclass(frozen=True)
class LetterData:
    """What the letter prints (strings; ``""`` = a blank to fill in by hand)."""

    number: str
    name: str
    sex: str
    age: str
    ethnicity: str
    category: str  # 正式 / 预备
    id_number: str
    from_name: str
    to_name: str
    dues_year: str
    dues_month: str
    validity: str
    date: dt.date
    phone: str


def letter_data(transfer: MembershipTransfer, *, plaintext: bool) -> LetterData:
    """The printed values of ``transfer``'s letter (person, party record and organizations loaded);
    ``plaintext``: print the ID number and phone in clear (else masked / blank)."""
    person = transfer.person
    member = getattr(person, "party_member", None)
    day = transfer.sent_date
    full = member is not None and member.category_on(day) == "full"  # 《党章》第七条 (party.rules)
    dues = transfer.dues_paid_through
    return LetterData(
        number=transfer.letter_number, name=person.name, sex=SEX.label(person.sex),
        age=str(age_on(person.birth_date, day)), ethnicity=ETHNICITY.label(person.ethnicity) if person.ethnicity else "",
        category="正式" if full else "预备", id_number=person.id_number if plaintext else person.id_number_masked,
        from_name=transfer.from_organization.name if transfer.from_organization else transfer.counterpart,
        to_name=transfer.to_organization.name if transfer.to_organization else transfer.counterpart,
        dues_year=capital_digits(dues.year) if dues else "", dues_month=capital_number(dues.month) if dues else "",
        validity=capital_number(transfer.validity_days) if transfer.validity_days else "", date=day,
        phone=(person.phone if plaintext else "") or "")


# ----- the document ----------------------------------------------------------------------------------------

def _font(run, *, size: float = 14, bold: bool = False, name: str = FONT) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _para(doc, parts, *, align=None, size: float = 14, space_after: float = 4, indent: bool = False):
    """A paragraph of ``parts``: text, or ``(text, True)`` for an underlined filled-in value."""
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.line_spacing = 1.25
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    for part in parts if isinstance(parts, list) else [parts]:
        text, filled = (part, False) if isinstance(part, str) else part
        run = p.add_run(text if text or not filled else BLANK)
        _font(run, size=size)
        if filled:
            run.font.underline = True
    return p


def _fill(value: str) -> tuple[str, bool]:
    return (f" {value} " if value else "", True)


def _number_line(doc, number: str, *, part: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.paragraph_format.space_after = Pt(2)
    _font(p.add_run(f"{part}　　第 "), size=12)
    run = p.add_run(number or "＿＿＿＿")
    _font(run, size=12)
    run.font.underline = True
    _font(p.add_run(" 号"), size=12)


def _title(doc, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_after = Pt(6)
    _font(p.add_run(text), size=18, bold=True, name=TITLE_FONT)


def _date_line(day: dt.date | None) -> str:
    return f"{day.year} 年 {day.month} 月 {day.day} 日" if day else "　　年　　月　　日"


def _cut(doc, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.space_after = Pt(6)
    _font(p.add_run(f"┄┄┄┄┄┄┄┄┄┄┄┄（{text}）┄┄┄┄┄┄┄┄┄┄┄┄"), size=10)


def letter_docx(data: LetterData) -> bytes:
    """The three-part letter of ``data`` as ``.docx`` bytes (A4 portrait, 2 cm margins)."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    section.top_margin = section.bottom_margin = Cm(1.6)
    doc.core_properties.title = "中国共产党党员组织关系介绍信"
    doc.core_properties.author = "Zugong"

    # 第一联 存根
    _number_line(doc, data.number, part="第一联")
    _title(doc, "党员组织关系介绍信存根")
    _para(doc, [_fill(data.name), "同志系中共", _fill(data.category), "党员，组织关系由", _fill(data.from_name),
                "转到", _fill(data.to_name), "。"], indent=True)
    _para(doc, _date_line(data.date), align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, "（贴回执联处）", align=WD_ALIGN_PARAGRAPH.CENTER, size=11)
    _cut(doc, "加盖骑缝章")

    # 第二联 介绍信
    _number_line(doc, data.number, part="第二联")
    _title(doc, "中国共产党党员组织关系介绍信")
    _para(doc, [_fill(data.to_name), "："])
    _para(doc, [_fill(data.name), "同志（", _fill(data.sex), "），", _fill(data.age), "岁，", _fill(data.ethnicity),
                "，系中共", _fill(data.category), "党员，身份证号码", _fill(data.id_number), "，由", _fill(data.from_name),
                "去", _fill(data.to_name), "，请转接组织关系。该同志党费已交到", _fill(data.dues_year), "年",
                _fill(data.dues_month), "月。"], indent=True)
    _para(doc, ["（有效期", _fill(data.validity), "天）"], align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(doc, "（盖章）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, _date_line(data.date), align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, ["党员联系电话或其他联系方式：", _fill(data.phone)], size=12)
    _para(doc, ["党员原所在基层党委通讯地址：", _fill("")], size=12)
    _para(doc, ["联系电话：", _fill(""), "　传真：", _fill(""), "　邮编：", _fill("")], size=12)
    _cut(doc, "加盖骑缝章")

    # 第三联 回执
    _number_line(doc, data.number, part="第三联")
    _title(doc, "中国共产党党员组织关系介绍信回执")
    _para(doc, [_fill(data.from_name), "："])
    _para(doc, [_fill(data.name), "同志的党员组织关系已转达我处，特此回复。"], indent=True)
    _para(doc, "（盖章）", align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, _date_line(None), align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, ["经办人：", _fill(""), "　联系电话：", _fill("")], size=12)
    _para(doc, "注：回执联由接收党员组织关系的基层党委在接收党员后一个月内邮寄或传真至党员原所在基层党委。", size=10)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


# ----- the scoped entry point --------------------------------------------------------------------------------

@dataclass(frozen=True)
class LetterFile:
    """A printed letter: ``content`` (.docx bytes), ``filename``, whether the ID number is in clear."""

    content: bytes
    filename: str
    plaintext: bool


def transfer_letter(*, user, transfer_id: int, today: dt.date | None = None) -> LetterFile:
    """The 介绍信 of transfer ``transfer_id`` for the sending side: requires ``party.export`` on the sending
    organization (a transfer outside the user's ``party.export`` scope on either side: ``OutOfScope``; the
    receiving side: ``PermissionDeniedError`` — the letter is the sender's to issue). A transfer from
    outside Zugong (``in``) has no letter of ours (``ValidationFailed``). The ID number and phone are in
    clear only with ``basic.unmask`` on the person. Audited (``transfer_letter``)."""
    transfer = transfer_get(user=user, pk=transfer_id, action="export")
    if transfer is None:
        raise OutOfScope("组织关系转接不存在或不在您的数据范围内。")
    if transfer.direction == "in":
        raise ValidationFailed([RowError(0, "转接方向", "从系统外转入的党员持原党组织开具的介绍信，本系统不开具")])
    if not (may_send(user, transfer) and _may_export(user, transfer)):
        raise PermissionDeniedError("介绍信由转出方党组织开具，您不在转出方的导出权限范围内。")
    person = transfer.person
    plaintext = person_may_unmask(user=user, pk=person.pk)
    content = letter_docx(letter_data(transfer, plaintext=plaintext))
    record_event("transfer_letter", user=user, object_type="party.membershiptransfer", object_id=transfer.pk,
                 summary=f"打印人员 #{person.pk} 的党员组织关系介绍信（{'明文' if plaintext else '掩码'}身份证号码）",
                 data={"person": person.pk, "letter_number": transfer.letter_number, "plaintext": plaintext,
                       "printed_on": (today or timezone.localdate()).isoformat()})
    number = transfer.letter_number or str(transfer.pk)
    return LetterFile(content=content, filename=f"党员组织关系介绍信_{number}.docx", plaintext=plaintext)


def _may_export(user, transfer: MembershipTransfer) -> bool:
    return can(user, "party", "export", transfer.from_organization)
