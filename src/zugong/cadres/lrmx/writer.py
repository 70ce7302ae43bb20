"""Writers of the 干部任免审批表 files: ``write_lrmx(form) -> bytes`` (LRMX 3.x, what the official editor
opens) and ``write_lrm(form) -> (lrm bytes, pic bytes | None)`` (LRM 2.0, GBK).

LRMX as the editor writes it (``shared/rules.md`` §8, the blank template of xvchaoqun/owip ``rm.xml``):
UTF-8 with the declaration ``<?xml version="1.0" encoding="utf-8"?>``, root ``<Person>``, every element of
``elements.PERSON_ELEMENTS`` present and in that order (empty elements written ``<X></X>``), family rows as
``JiaTingChengYuan/Item`` with the five children in order, ``Version`` 3.2.1.16.

Formats: ChuShengNianYue, CanJiaGongZuoShiJian, RuDangShiJian and the family ChuShengRiQi as ``yyyyMM``
(RuDangShiJian followed by ``；<党派>`` for a democratic party, or the party alone when there is no date);
JiSuanNianLingShiJian and TianBiaoShiJian as ``yyyyMMdd`` when the day is known, else ``yyyyMM``. 简历
lines ``yyyy.MM--yyyy.MM  经历`` (two spaces before the text; an open end is 7 spaces), each
（其间：…） entry on its own line after its main line, lines separated by CR LF. A deceased family member's
work column carries 「（已去世）」. The photo: base64 of a 4:5 JPEG — a photo already 4:5 (within 1 %) is
written unchanged, any other is centre-cropped to 4:5 and scaled to 300×375 pixels (JPEG quality 90).
"""

from __future__ import annotations

import base64
import io
import re
from xml.sax.saxutils import escape  # nosec B406 -- escapes text we write; parses nothing

from zugong.cadres.lrmx.data import AppointmentFormData, Month, ResumeLine
from zugong.cadres.lrmx.elements import FAMILY_ELEMENTS, PERSON_ELEMENTS, VERSION

PHOTO_SIZE = (300, 375)
OPEN_END = " " * 7


def month_text(value: Month | None, *, with_day: bool = False) -> str:
    """``yyyyMM`` (``yyyyMMdd`` when ``with_day`` and the day is known); ``""`` for ``None``."""
    if value is None:
        return ""
    text = f"{value.year:04d}{value.month:02d}"
    if with_day and value.day is not None:
        text += f"{value.day:02d}"
    return text


def dotted(value: Month | None) -> str:
    """``yyyy.MM`` as the résumé and the printed form write it; ``""`` for ``None``."""
    return "" if value is None else f"{value.year:04d}.{value.month:02d}"


def party_joined_text(form: AppointmentFormData) -> str:
    """RuDangShiJian: ``yyyyMM``, ``yyyyMM；民革``, or ``民革``."""
    parts = [month_text(form.party_joined)] if form.party_joined else []
    if form.other_party:
        parts.append(form.other_party)
    return "；".join(parts)


def resume_lines(resume: list[ResumeLine]) -> list[str]:
    """The 简历 lines: ``1994.09--1998.07  text``, ``2019.03--       text`` for an open end (7 spaces
    then the two spaces), ``（其间：2003.09--2006.07text）`` for in-service study."""
    lines = []
    for entry in resume:
        end = dotted(entry.end) if entry.end else OPEN_END
        if entry.in_service_study:
            period = f"{dotted(entry.start)}--{end if entry.end else OPEN_END}"
            lines.append(f"（其间：{period}{entry.text if entry.end else '  ' + entry.text}）")
        else:
            lines.append(f"{dotted(entry.start)}--{end}  {entry.text}")
    return lines


def photo_4x5(content: bytes | None) -> bytes | None:
    """``content`` when already 4:5 (±1 %), else centre-cropped to 4:5 and resized to ``PHOTO_SIZE``;
    ``None`` without a photo or when the stored bytes cannot be read as an image (the form is then
    written without a photo rather than not at all)."""
    if not content:
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        return _photo_4x5(content, Image)
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def _photo_4x5(content: bytes, Image) -> bytes:  # noqa: N803 — the PIL module passed in
    with Image.open(io.BytesIO(content)) as image:
        width, height = image.size
        if abs(width * 5 - height * 4) <= 0.01 * height * 4:
            return content
        if width * 5 > height * 4:  # too wide
            new_width = height * 4 // 5
            box = ((width - new_width) // 2, 0, (width - new_width) // 2 + new_width, height)
        else:
            new_height = width * 5 // 4
            box = (0, (height - new_height) // 2, width, (height - new_height) // 2 + new_height)
        cropped = image.convert("RGB").crop(box).resize(PHOTO_SIZE, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        cropped.save(out, format="JPEG", quality=90)
        return out.getvalue()


def _family_cells(line) -> dict[str, str]:
    work = line.work_unit_and_post
    if line.deceased:
        work = f"{work}（已去世）" if work else "已去世"
    return {"ChengWei": line.relation, "XingMing": line.name, "ChuShengRiQi": month_text(line.birth),
            "ZhengZhiMianMao": line.political_status, "GongZuoDanWeiJiZhiWu": work}


def element_values(form: AppointmentFormData) -> dict[str, str]:
    """Every element's text (``JiaTingChengYuan`` excluded) as ``write_lrmx`` writes it."""
    ft, ins = form.full_time, form.in_service
    photo = photo_4x5(form.photo)
    return {
        "XingMing": form.name, "XingBie": form.sex, "ChuShengNianYue": month_text(form.birth),
        "MinZu": form.ethnicity, "JiGuan": form.native_place, "ChuShengDi": form.birthplace,
        "RuDangShiJian": party_joined_text(form), "CanJiaGongZuoShiJian": month_text(form.work_start),
        "JianKangZhuangKuang": form.health, "ZhuanYeJiShuZhiWu": form.professional_title,
        "ShuXiZhuanYeYouHeZhuanChang": form.specialty,
        "QuanRiZhiJiaoYu_XueLi": ft.education, "QuanRiZhiJiaoYu_XueWei": ft.degree,
        "QuanRiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": ft.education_school_major,
        "QuanRiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": ft.degree_school_major,
        "ZaiZhiJiaoYu_XueLi": ins.education, "ZaiZhiJiaoYu_XueWei": ins.degree,
        "ZaiZhiJiaoYu_XueLi_BiYeYuanXiaoXi": ins.education_school_major,
        "ZaiZhiJiaoYu_XueWei_BiYeYuanXiaoXi": ins.degree_school_major,
        "XianRenZhiWu": form.current_post, "NiRenZhiWu": form.proposed_post, "NiMianZhiWu": form.proposed_removal,
        "JianLi": "\r\n".join(resume_lines(form.resume)),
        "JiangChengQingKuang": form.rewards_punishments, "NianDuKaoHeJieGuo": form.assessment_results,
        "RenMianLiYou": form.appointment_reason, "ChengBaoDanWei": form.reporting_unit,
        "JiSuanNianLingShiJian": month_text(form.age_reference_date, with_day=True),
        "TianBiaoShiJian": month_text(form.filled_date, with_day=True), "TianBiaoRen": form.filled_by,
        "ShenFenZheng": form.id_number,
        "ZhaoPian": base64.b64encode(photo).decode("ascii") if photo else "",
        "Version": VERSION,
    }


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _multiline(text: str) -> str:
    """Escaped element text: line ends as CR LF (CR written ``&#xD;``), characters XML 1.0 cannot carry
    (control characters from an LRM file) dropped."""
    text = _NOT_XML.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return escape(text.replace("\n", "\r\n")).replace("\r", "&#xD;")


def write_lrmx(form: AppointmentFormData) -> bytes:
    """The ``.lrmx`` bytes of ``form`` (UTF-8; see the module docstring for order and formats). Carriage
    returns are written as ``&#xD;`` so CR LF line ends survive XML parsing as the editor expects."""
    values = element_values(form)
    out = ['<?xml version="1.0" encoding="utf-8"?>', "<Person>"]
    for element, _ in PERSON_ELEMENTS:
        if element == "JiaTingChengYuan":
            out.append("  <JiaTingChengYuan>")
            for line in form.family:
                cells = _family_cells(line)
                out.append("    <Item>")
                for child, _ in FAMILY_ELEMENTS:
                    out.append(f"      <{child}>{_multiline(cells[child])}</{child}>")
                out.append("    </Item>")
            out.append("  </JiaTingChengYuan>")
            continue
        out.append(f"  <{element}>{_multiline(values[element])}</{element}>")
    out.append("</Person>")
    return ("\r\n".join(out) + "\r\n").encode("utf-8")


def write_lrm(form: AppointmentFormData) -> tuple[bytes, bytes | None]:
    """The ``.lrm`` (LRM 2.0, GBK) bytes of ``form`` and its ``.pic`` photo (``None`` without a photo).
    Characters GBK cannot hold are replaced by ``?``; a value's ``"`` becomes ``“`` (the format has no
    escape)."""
    from zugong.cadres.lrmx.elements import LRM_FIELDS

    values = element_values(form)
    ft, ins = form.full_time, form.in_service
    values["@XueLiXueWei"] = f"{ft.education}#{ft.degree}@{ins.education}#{ins.degree}"
    values["@BiYeYuanXiao"] = (f"{ft.education_school_major}#{ft.degree_school_major}@"
                               f"{ins.education_school_major}#{ins.degree_school_major}")
    rows = [_family_cells(line) for line in form.family]
    for key, _ in FAMILY_ELEMENTS:
        values[f"@{key}"] = "@".join(row[key] for row in rows)
    fields = [values.get(name, "") if name else "" for name in LRM_FIELDS]
    text = '"' + '","'.join(f.replace('"', "“") for f in fields) + '"'
    return text.encode("gbk", errors="replace"), photo_4x5(form.photo)
