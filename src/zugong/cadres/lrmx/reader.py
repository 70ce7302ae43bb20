"""Readers of the 干部任免审批表 files (``shared/rules.md`` §8) into ``AppointmentFormData``.

- ``read_lrmx(data)``: LRMX 3.x — UTF-8 XML, root ``<Person>``, flat pinyin elements. Parsed with
  ``defusedxml`` and **no DTD at all** (external entities, entity expansion / billion laughs are refused
  before anything is expanded).
- ``read_lrm(data, pic)``: LRM 2.0 — GBK text, 33 double-quoted fields separated by ``","`` (field order in
  ``elements.LRM_FIELDS``), ``@`` between rows and ``#`` between sub-columns of a field; the photo is the
  sibling ``.pic`` JPEG.
- ``read_form_file(name, data, sidecar)``: dispatch by extension.

What the readers accept (real editors' variants) and refuse: ``docs/cadres-lrmx.md``. Every refusal is a
``FormFileError`` whose Chinese messages name the element (pinyin and 中文) or the résumé line and the
reason; accepted-with-a-remark cases go to ``AppointmentFormData.warnings``.

Limits: a file ≤ ``MAX_FILE_BYTES`` (10 MB), a photo ≤ ``MAX_PHOTO_BYTES`` (5 MB decoded) and a real JPEG
(checked by its bytes and by Pillow, decompression bombs refused); the 简历 ≤ ``MAX_RESUME_CHARS`` (100,000)
characters and ≤ ``MAX_RESUME_LINES`` (300) entries; ≤ ``MAX_FAMILY_ROWS`` (50) 家庭成员 rows (an ``.lrm``
field is counted before it is split at ``@``, an ``.lrmx`` by its ``<Item>`` elements). Real forms hold
10–40 résumé entries and under 15 family rows; the caps keep one hostile file from taking seconds of CPU
or hundreds of MB of memory (a 2 MB ``.lrm`` of ``@`` built millions of rows).
"""

from __future__ import annotations

import base64
import binascii
import calendar
import heapq
import io
import re
import warnings as _warnings
from pathlib import PurePath

from zugong.cadres.lrmx.data import (
    AppointmentFormData,
    EducationBlock,
    FamilyLine,
    FormFileError,
    Month,
    ResumeLine,
)
from zugong.cadres.lrmx.elements import FAMILY_LABELS, LABELS, LRM_FIELDS, PERSON_ELEMENTS, REQUIRED

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PHOTO_PIXELS = 40_000_000
MAX_RESUME_CHARS = 100_000
MAX_RESUME_LINES = 300
MAX_FAMILY_ROWS = 50
MAX_OVERLAPS_LISTED = 20  # 300 open-ended lines overlap in 44,850 pairs: the first 20 are named, the rest counted

# Elements holding a 年月 only: a day given in the file is dropped (with a warning) so the value is what the
# form prints and what the writer writes back (yyyyMM).
MONTH_ONLY = ("ChuShengNianYue", "CanJiaGongZuoShiJian", "RuDangShiJian")

_DIGITS = {ord(c): ord("0") + i for i, c in enumerate("０１２３４５６７８９")}
# A 1:1 character map (keeps offsets) used to read dates and separators written with full-width forms.
_NORMALIZE = str.maketrans({**{chr(k): chr(v) for k, v in _DIGITS.items()},
                            "．": ".", "。": ".", "\u3000": " ", "－": "-", "～": "~", "〜": "~", "—": "-",
                            "–": "-", "―": "-", "─": "-", "／": "/", "\t": " ", "\xa0": " "})
_DECEASED = re.compile(r"[（(]?\s*(已去世|已故|已逝世|已病故|去世|已过世)\s*[）)]?")


def _label(element: str) -> str:
    return f"{element}（{LABELS.get(element) or FAMILY_LABELS.get(element, element)}）"


# ----- dates -------------------------------------------------------------------------------------------


_DATE_FORMS = (
    re.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})?"),
    re.compile(r"(?P<y>\d{4})\s*[.\-/]\s*(?P<m>\d{1,2})(?:\s*[.\-/]\s*(?P<d>\d{1,2}))?"),
    re.compile(r"(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月(?:\s*(?P<d>\d{1,2})\s*日)?"),
)


def parse_month(raw: str, where: str) -> Month | None:
    """A date as forms write it → ``Month`` (``None`` for a blank value).

    Accepted: ``yyyyMM``, ``yyyyMMdd``, ``yyyy.MM``, ``yyyy.MM.dd``, ``yyyy-MM``, ``yyyy-MM-dd``, ``yyyy/MM``,
    ``yyyy年MM月``, ``yyyy年MM月dd日``, full-width digits. ``FormFileError`` naming ``where`` otherwise
    (``1985.13``: month 13; ``1985.02.30``: no such day)."""
    text = (raw or "").translate(_NORMALIZE).strip()
    if not text:
        return None
    for form in _DATE_FORMS:
        match = form.fullmatch(text)
        if match:
            break
    else:
        raise FormFileError(f"{where}：「{raw.strip()}」不是可识别的日期（应为 yyyyMM、yyyy.MM、yyyyMMdd 或 yyyy.MM.dd）")
    year, month = int(match["y"]), int(match["m"])
    day = int(match["d"]) if match["d"] else None
    if not 1 <= month <= 12 or not 1800 <= year <= 2200:
        raise FormFileError(f"{where}：「{raw.strip()}」不是有效的年月（月份应为 01–12）")
    if day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise FormFileError(f"{where}：「{raw.strip()}」不是有效的日期（{year}年{month}月没有{day}日）")
    return Month(year, month, day)


def _month_field(values: dict, element: str, form: AppointmentFormData, errors: list[str]) -> Month | None:
    raw = values.get(element, "")
    try:
        value = parse_month(raw, _label(element))
    except FormFileError as exc:
        errors.extend(exc.messages)
        return None
    if value is not None and value.day is not None and element in MONTH_ONLY:
        form.warnings.append(f"{_label(element)}：表中只记到月，「{raw.strip()}」中的日已忽略")
        value = Month(value.year, value.month)
    return value


# ----- 入党时间 ------------------------------------------------------------------------------------


def parse_party_joined(raw: str, where: str = "RuDangShiJian（入党时间）") -> tuple[Month | None, str, str]:
    """``RuDangShiJian`` → ``(party_joined, other_party, party_joined_text)``.

    ``198507`` → the date only; ``民革`` → no date, other party 民革; ``198507；民革``, ``1985.07 民盟``,
    ``1985.07（民革）`` → both. ``party_joined_text`` is the stripped text when it is not a date alone.
    A part with digits that is not a date is an error."""
    text = (raw or "").strip()
    if not text:
        return None, "", ""
    normalized = text.translate(_NORMALIZE)
    try:
        return parse_month(normalized, where), "", ""
    except FormFileError:
        pass
    date = None
    parties = []
    for part in re.split(r"[；;，,、()（）\s]+", normalized):
        if not part:
            continue
        if re.search(r"\d", part):
            if date is not None:
                raise FormFileError(f"{where}：「{text}」含有两个日期")
            # a date glued to the party's name: 1985.07民革
            glued = re.fullmatch(r"(\d{4}[.\-/]?\d{1,2}(?:[.\-/]?\d{1,2})?|\d{4}年\d{1,2}月(?:\d{1,2}日)?)(\D+)", part)
            if glued:
                date = parse_month(glued[1], where)
                parties.append(glued[2])
            else:
                date = parse_month(part, where)
        else:
            parties.append(part)
    return date, "；".join(parties), text


# ----- 简历 --------------------------------------------------------------------------------------------


_RESUME_START = re.compile(
    r"\s*(?P<sy>\d{4})(?:\s*\.\s*)?(?P<sm>\d{1,2})\s*(?:-+|~+|至)\s*"
    r"(?:(?P<ey>\d{4})(?:\s*\.\s*)?(?P<em>\d{2}))?(?P<rest>.*)", re.S)
_IN_SERVICE_OPEN = re.compile(r"[（(]\s*其间\s*[：:]?\s*")


def _month_or_error(year: str, month: str, where: str) -> Month:
    value = parse_month(f"{year}.{month}", where)
    if value is None:  # parse_month raises on a bad month; None only for an empty text, impossible here
        raise FormFileError(f"{where}：「{year}.{month}」不是有效的年月")
    return value


def _resume_prefix(line: str, where: str):
    """Match a résumé date prefix on ``line`` (full-width forms accepted): ``(start, end, text)`` or
    ``None`` when the line does not start with a date."""
    normalized = line.translate(_NORMALIZE)
    match = _RESUME_START.match(normalized)
    if not match or (match["sm"] and len(match["sm"]) == 1 and not re.match(r"\s*\d{4}\s*\.", normalized)):
        return None
    start = _month_or_error(match["sy"], match["sm"], where)
    end = _month_or_error(match["ey"], match["em"], where) if match["ey"] else None
    text = line[match.start("rest"):].strip()
    return start, end, text



def _in_service_items(content: str, parent: ResumeLine | None, where: str, warnings: list[str]) -> list[ResumeLine]:
    """The entries of one （其间：…） content: items separated by ``；`` before a date."""
    items = [p.strip() for p in re.split(r"[；;](?=\s*[0-9０-９]{4})", content) if p.strip()]
    result = []
    for item in items:
        prefix = _resume_prefix(item, where)
        if prefix is None:
            if parent is None:
                raise FormFileError(f"{where}：其间经历「{item}」没有起止时间，且前面没有简历条目")
            warnings.append(f"{where}：其间经历「{item}」未写起止时间，按所在简历条目的时间记录")
            result.append(ResumeLine(parent.start, parent.end, item, in_service_study=True))
            continue
        start, end, text = prefix
        if end is not None and end < start:
            raise FormFileError(f"{where}：其间经历「{item}」截止时间早于起始时间")
        result.append(ResumeLine(start, end, text, in_service_study=True))
    return result


def _split_in_service(text: str) -> tuple[str, str | None]:
    """``主文本（其间：内容）`` → ``(主文本, 内容)``; ``(text, None)`` when there is no trailing 其间 part."""
    match = _IN_SERVICE_OPEN.search(text)
    if not match:
        return text, None
    tail = text[match.end():].rstrip()
    if tail.endswith(("）", ")")):
        tail = tail[:-1]
    return text[:match.start()].rstrip(), tail.strip()


def parse_resume(raw: str, where: str = "JianLi（简历）", warnings: list[str] | None = None) -> list[ResumeLine]:
    """The 简历 text → ``ResumeLine`` list in written order.

    A line starts with ``yyyy.MM--yyyy.MM`` (separators ``--``, ``—``, ``-``, ``～``, ``至``; full-width
    digits and spaces; ``yyyyMM`` too) and the text after any whitespace; an open end (到今) is blank
    (the editor writes 7 spaces). A line not starting with a date continues the previous entry (wrapped
    text, joined without a separator). ``（其间：…）`` — on its own line or at the end of a line, several
    items separated by ``；`` — gives ``in_service_study`` entries after their main line (an undated item
    takes its main line's period, with a warning). Refused: a first line without a date, an end before its
    start, **main lines that overlap** (both named, pairs in written order; past ``MAX_OVERLAPS_LISTED``
    pairs the rest are counted in one message), and — before any line is
    parsed — a text over ``MAX_RESUME_CHARS`` characters or over ``MAX_RESUME_LINES`` entries (a wrapped
    continuation line is no entry). The overlap check sorts the main lines by start: O(n log n + overlaps)."""
    warnings = warnings if warnings is not None else []
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_RESUME_CHARS:
        raise FormFileError(f"{where}：简历过长（{len(text)} 字），上限为 {MAX_RESUME_CHARS} 字，请核对文件")
    # 1. logical lines: (first physical line number, text)
    logical: list[list] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        stripped = line.strip()
        starts_entry = _resume_prefix(stripped, f"{where}第{number}行") is not None or _IN_SERVICE_OPEN.match(stripped)
        if starts_entry or not logical:
            if not starts_entry:
                raise FormFileError(f"{where}第{number}行「{stripped}」：没有起止时间（应为 yyyy.MM--yyyy.MM  经历）")
            if len(logical) >= MAX_RESUME_LINES:
                raise FormFileError(f"{where}：简历超过 {MAX_RESUME_LINES} 条（第{number}行为第 {len(logical) + 1} 条），"
                                    f"上限为 {MAX_RESUME_LINES} 条，请核对文件")
            logical.append([number, stripped])
        else:
            logical[-1][1] += stripped
    # 2. entries
    result: list[ResumeLine] = []
    main_lines: list[tuple[int, ResumeLine]] = []
    parent: ResumeLine | None = None
    for number, line in logical:
        at = f"{where}第{number}行"
        if _IN_SERVICE_OPEN.match(line):
            _, content = _split_in_service(line)
            result.extend(_in_service_items(content or "", parent, at, warnings))
            continue
        start, end, body = _resume_prefix(line, at)
        body, content = _split_in_service(body)
        if end is not None and end < start:
            raise FormFileError(f"{at}「{line}」：截止时间早于起始时间")
        if not body:
            raise FormFileError(f"{at}「{line}」：没有经历内容")
        parent = ResumeLine(start, end, body)
        result.append(parent)
        main_lines.append((number, parent))
        if content is not None:
            result.extend(_in_service_items(content, parent, at, warnings))
    # 3. overlaps among the main lines
    pairs = _overlapping_pairs([line for _, line in main_lines])
    problems = [f"{where}第{main_lines[i][0]}行「{_show(main_lines[i][1])}」与第{main_lines[j][0]}行"
                f"「{_show(main_lines[j][1])}」时间重叠" for i, j in pairs[:MAX_OVERLAPS_LISTED]]
    if len(pairs) > MAX_OVERLAPS_LISTED:
        problems.append(f"{where}：另有 {len(pairs) - MAX_OVERLAPS_LISTED} 处时间重叠未逐一列出")
    if problems:
        raise FormFileError(problems)
    return result


def _overlapping_pairs(lines: list[ResumeLine]) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, sorted, of the lines whose periods overlap: ``a.start < b.end`` and
    ``b.start < a.end`` by (year, month), an open end counting as 9999.12. A sweep over the lines sorted by
    start with a heap of the periods still open: O(n log n + pairs found)."""
    spans = []
    for index, line in enumerate(lines):
        end = (line.end.year, line.end.month) if line.end else (9999, 12)
        spans.append(((line.start.year, line.start.month), end, index))
    spans.sort()
    open_spans: list[tuple[tuple[int, int], tuple[int, int], int]] = []  # heap of (end, start, index)
    pairs = []
    for start, end, index in spans:
        while open_spans and open_spans[0][0] <= start:
            heapq.heappop(open_spans)  # ends at or before this start: no later line overlaps it either
        for _end, other_start, other in open_spans:  # other_start <= start < _end (all ends > start)
            if other_start < end:
                pairs.append((min(index, other), max(index, other)))
        heapq.heappush(open_spans, (end, start, index))
    return sorted(pairs)


def _show(line: ResumeLine) -> str:
    end = f"{line.end.year}.{line.end.month:02d}" if line.end else "至今"
    return f"{line.start.year}.{line.start.month:02d}--{end} {line.text[:20]}"


# ----- family ------------------------------------------------------------------------------------------


def parse_family_row(columns: dict[str, str], where: str, warnings: list[str]) -> FamilyLine | None:
    """One family row (``ChengWei``, ``XingMing``, ``ChuShengRiQi``, ``ZhengZhiMianMao``,
    ``GongZuoDanWeiJiZhiWu``) → ``FamilyLine``; ``None`` for a blank row. 已去世 (已故, 去世…) in any column
    sets ``deceased`` and is removed from that column. The birth column holds 年月 (a day is dropped);
    text without digits there (不详) → no date, with a warning."""
    values = {k: (v or "").strip() for k, v in columns.items()}
    if not any(values.values()):
        return None
    deceased = False
    for key, value in values.items():
        if _DECEASED.search(value):
            deceased = True
            values[key] = _DECEASED.sub("", value).strip(" ，,；;")
    birth = None
    raw_birth = values.get("ChuShengRiQi", "")
    if raw_birth:
        if re.search(r"[0-9０-９]", raw_birth):
            birth = parse_month(raw_birth, f"{where}ChuShengRiQi（出生日期）")
            if birth and birth.day is not None:
                birth = Month(birth.year, birth.month)
        else:
            warnings.append(f"{where}ChuShengRiQi（出生日期）：「{raw_birth}」不是日期，按空值处理")
    if not values.get("XingMing") and not values.get("ChengWei"):
        raise FormFileError(f"{where}：缺少称谓和姓名")
    return FamilyLine(relation=values.get("ChengWei", ""), name=re.sub(r"\s+", "", values.get("XingMing", "")),
                      birth=birth, political_status=values.get("ZhengZhiMianMao", ""),
                      work_unit_and_post=values.get("GongZuoDanWeiJiZhiWu", ""), deceased=deceased)


# ----- photo -------------------------------------------------------------------------------------------


def check_photo(content: bytes, where: str = "ZhaoPian（照片）") -> bytes:
    """``content`` if it is a JPEG of at most ``MAX_PHOTO_BYTES`` that Pillow reads (header ``FF D8 FF``,
    format JPEG, at most ``MAX_PHOTO_PIXELS`` pixels); ``FormFileError`` otherwise."""
    from PIL import Image

    if len(content) > MAX_PHOTO_BYTES:
        raise FormFileError(f"{where}：照片过大（{len(content) / 1048576:.1f} MB），上限为 {MAX_PHOTO_BYTES // 1048576} MB")
    if not content.startswith(b"\xff\xd8\xff"):
        kind = "PNG" if content.startswith(b"\x89PNG") else "GIF" if content.startswith(b"GIF8") else \
            "BMP" if content.startswith(b"BM") else "未知格式"
        raise FormFileError(f"{where}：照片不是 JPEG 图片（文件内容为{kind}）")
    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                if image.format != "JPEG":
                    raise FormFileError(f"{where}：照片不是 JPEG 图片")
                if image.width * image.height > MAX_PHOTO_PIXELS:
                    raise FormFileError(f"{where}：照片像素过多（{image.width}×{image.height}）")
                image.verify()
    except FormFileError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise FormFileError(f"{where}：照片像素过多，拒绝读取") from None
    except Exception:  # noqa: BLE001 — any decoder failure is a damaged photo
        raise FormFileError(f"{where}：照片已损坏，无法读取") from None
    return content


def _photo_from_base64(text: str) -> bytes | None:
    compact = re.sub(r"\s+", "", text or "")
    if not compact:
        return None
    if len(compact) * 3 // 4 > MAX_PHOTO_BYTES + 3:
        raise FormFileError(f"ZhaoPian（照片）：照片过大（约 {len(compact) * 3 / 4 / 1048576:.1f} MB），"
                            f"上限为 {MAX_PHOTO_BYTES // 1048576} MB")
    try:
        content = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise FormFileError("ZhaoPian（照片）：不是有效的 Base64 编码") from None
    return check_photo(content)


# ----- building the form -------------------------------------------------------------------------------


def _text(value: str | None) -> str:
    """Element text as written: line ends normalized to ``\\n``, outer blanks removed."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()


def _build(values: dict[str, str], family_rows: list[dict[str, str]], photo: bytes | None, *, version: str,
           source_name: str, warnings: list[str], errors: list[str]) -> AppointmentFormData:
    form = AppointmentFormData(source_name=source_name, version=version, photo=photo)
    form.warnings.extend(warnings)
    name = _text(values.get("XingMing"))
    compact = re.sub(r"\s+", "", name)
    if compact != name:
        form.warnings.append(f"XingMing（姓名）：「{name}」中的空格已去掉")
    form.name = compact
    for element in REQUIRED:
        if not _text(values.get(element)):
            errors.append(f"{_label(element)}：必填，文件中为空或缺少该元素")
    form.sex = _text(values.get("XingBie"))
    form.birth = _month_field(values, "ChuShengNianYue", form, errors)
    form.ethnicity = _text(values.get("MinZu"))
    form.native_place = _text(values.get("JiGuan"))
    form.birthplace = _text(values.get("ChuShengDi"))
    try:
        form.party_joined, form.other_party, form.party_joined_text = parse_party_joined(values.get("RuDangShiJian", ""))
        if form.party_joined and form.party_joined.day is not None:
            form.warnings.append("RuDangShiJian（入党时间）：表中只记到月，日已忽略")
            form.party_joined = Month(form.party_joined.year, form.party_joined.month)
    except FormFileError as exc:
        errors.extend(exc.messages)
    form.work_start = _month_field(values, "CanJiaGongZuoShiJian", form, errors)
    form.health = _text(values.get("JianKangZhuangKuang"))
    form.professional_title = _text(values.get("ZhuanYeJiShuZhiWu"))
    form.specialty = _text(values.get("ShuXiZhuanYeYouHeZhuanChang"))
    form.full_time = EducationBlock(*(_text(values.get(f"QuanRiZhiJiaoYu_{k}")) for k in (
        "XueLi", "XueWei", "XueLi_BiYeYuanXiaoXi", "XueWei_BiYeYuanXiaoXi")))
    form.in_service = EducationBlock(*(_text(values.get(f"ZaiZhiJiaoYu_{k}")) for k in (
        "XueLi", "XueWei", "XueLi_BiYeYuanXiaoXi", "XueWei_BiYeYuanXiaoXi")))
    form.current_post = _text(values.get("XianRenZhiWu"))
    form.proposed_post = _text(values.get("NiRenZhiWu"))
    form.proposed_removal = _text(values.get("NiMianZhiWu"))
    try:
        form.resume = parse_resume(values.get("JianLi", ""), warnings=form.warnings)
    except FormFileError as exc:
        errors.extend(exc.messages)
    form.rewards_punishments = _text(values.get("JiangChengQingKuang"))
    form.assessment_results = _text(values.get("NianDuKaoHeJieGuo"))
    form.appointment_reason = _text(values.get("RenMianLiYou"))
    for index, row in enumerate(family_rows, start=1):
        try:
            line = parse_family_row(row, f"JiaTingChengYuan（家庭成员）第{index}人：", form.warnings)
        except FormFileError as exc:
            errors.extend(exc.messages)
            continue
        if line is not None:
            form.family.append(line)
    form.reporting_unit = _text(values.get("ChengBaoDanWei"))
    form.age_reference_date = _month_field(values, "JiSuanNianLingShiJian", form, errors)
    if form.age_reference_date is not None and form.age_reference_date.day is None:
        form.warnings.append("JiSuanNianLingShiJian（计算年龄时间）：只写到月，年龄按该月1日计算")
    form.filled_date = _month_field(values, "TianBiaoShiJian", form, errors)
    form.filled_by = _text(values.get("TianBiaoRen"))
    form.id_number = re.sub(r"\s+", "", _text(values.get("ShenFenZheng")))
    if errors:
        raise FormFileError(errors, source_name=source_name)
    return form


# ----- LRMX --------------------------------------------------------------------------------------------


def _check_size(data: bytes, source_name: str) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise FormFileError(f"文件过大（{len(data) / 1048576:.1f} MB），上限为 {MAX_FILE_BYTES // 1048576} MB"
                            f"（照片不超过 {MAX_PHOTO_BYTES // 1048576} MB）", source_name=source_name)
    if not data.strip():
        raise FormFileError("文件为空", source_name=source_name)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


_DECLARED = re.compile(rb"""^(\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.\-]+)["']""")


def _as_utf8_xml(data: bytes, source_name: str, warnings: list[str]) -> bytes:
    """``data`` as UTF-8 XML: a file declaring a GB encoding (``gb2312``, ``gbk``, ``gb18030`` — older
    exports do) is transcoded, with a warning; another declared encoding the parser cannot read is
    refused."""
    match = _DECLARED.match(data[:200])
    if not match:
        return data
    declared = match[2].decode("ascii").lower()
    if declared in ("utf-8", "utf8", "us-ascii", "ascii", "utf-16", "iso-8859-1", "latin-1"):
        return data
    if declared not in ("gb2312", "gbk", "gb18030", "cp936"):
        raise FormFileError(f"文件声明的编码「{declared}」不受支持：LRMX 文件应为 UTF-8 编码", source_name=source_name)
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FormFileError(f"文件声明为 {declared} 编码，但第 {exc.start + 1} 字节起不是有效的 GBK 编码",
                            source_name=source_name) from None
    warnings.append(f"文件为 {declared.upper()} 编码（LRMX 应为 UTF-8），已按 {declared.upper()} 读取")
    head, rest = text[:200], text[200:]
    head = re.sub(r"""(encoding\s*=\s*["'])[^"']+""", r"\1utf-8", head, count=1)
    return (head + rest).encode("utf-8")


def read_lrmx(data: bytes, *, source_name: str = "") -> AppointmentFormData:
    """Read one ``.lrmx`` (LRMX 3.x) file → ``AppointmentFormData``; ``FormFileError`` with every problem
    found (Chinese, naming element and reason) when it cannot be read or holds invalid values.

    Refused before parsing: more than 10 MB. Refused by the parser: any DTD (``<!DOCTYPE``), hence external
    entities (XXE) and entity expansion (billion laughs); malformed XML; a root other than ``<Person>``.
    Then: XingMing, XingBie, ChuShengNianYue must be present and non-empty; dates (``parse_month``);
    RuDangShiJian (``parse_party_joined``); JianLi (``parse_resume``: overlapping main lines refused);
    family rows (``parse_family_row``); the photo (≤ 5 MB, a real JPEG). Missing optional elements are
    read as empty, with a warning."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    _check_size(data, source_name)
    warnings: list[str] = []
    data = _as_utf8_xml(data, source_name, warnings)
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        if re.search(rb"<!ENTITY", data[:65536]):
            reason = "文件含有实体声明（<!ENTITY>，可能引用外部文件或构成“实体膨胀”攻击），出于安全原因拒绝读取"
        else:
            reason = "文件含有文档类型声明（<!DOCTYPE>），任免审批表文件不应包含，出于安全原因拒绝读取"
        raise FormFileError(reason, source_name=source_name) from None
    except ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        hint = ""
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            hint = "（文件不是 UTF-8 编码：LRMX 文件应为 UTF-8，GBK 编码的旧文件请用 .lrm 格式导入）"
        raise FormFileError(f"文件不是有效的 XML（第 {line} 行第 {column + 1} 列）{hint}",
                            source_name=source_name) from None
    except (ValueError, LookupError):  # an encoding the parser cannot read
        raise FormFileError("文件的字符编码无法识别：LRMX 文件应为 UTF-8 编码", source_name=source_name) from None
    if _local(root.tag) != "Person":
        raise FormFileError(f"根元素应为 <Person>，文件中为 <{_local(root.tag)}>：不是干部任免审批表（LRMX）文件",
                            source_name=source_name)
    values: dict[str, str] = {}
    family_rows: list[dict[str, str]] = []
    known = {name for name, _ in PERSON_ELEMENTS}
    for child in root:
        tag = _local(child.tag)
        if tag == "JiaTingChengYuan":
            for item in child:
                if _local(item.tag) != "Item":
                    continue
                if len(family_rows) >= MAX_FAMILY_ROWS:
                    raise FormFileError(_too_many_family_rows(), source_name=source_name)
                family_rows.append({_local(c.tag): (c.text or "") for c in item})
        elif tag in known:
            if tag in values:
                warnings.append(f"{_label(tag)}：出现多次，取第一次的值")
                continue
            values[tag] = child.text or ""
        elif tag:
            warnings.append(f"元素 <{tag}> 不属于任免审批表格式，已忽略")
    missing = [_label(name) for name, _ in PERSON_ELEMENTS
               if name not in values and name not in REQUIRED and name != "JiaTingChengYuan"]
    if missing:
        warnings.append("文件缺少元素（按空值读取）：" + "、".join(missing))
    errors: list[str] = []
    photo = None
    try:
        photo = _photo_from_base64(values.get("ZhaoPian", ""))
    except FormFileError as exc:
        errors.extend(exc.messages)
    return _build(values, family_rows, photo, version=_text(values.get("Version")), source_name=source_name,
                  warnings=warnings, errors=errors)


# ----- LRM ---------------------------------------------------------------------------------------------


def decode_lrm(data: bytes, source_name: str = "") -> str:
    """The text of an ``.lrm`` file, which editors write in GBK (GB2312). A UTF-8 or UTF-16 file (saved by
    another tool; it would read as mojibake) and bytes that are not GBK are refused, naming the encoding
    found."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FormFileError("文件编码错误：该 .lrm 文件为 UTF-16 编码，应为 GBK（GB2312）编码。请用任免审批表软件重新保存",
                            source_name=source_name)
    if data.startswith(b"\xef\xbb\xbf"):
        raise FormFileError("文件编码错误：该 .lrm 文件为 UTF-8 编码（带 BOM），应为 GBK（GB2312）编码。"
                            "按 GBK 读取会成为乱码，请用任免审批表软件重新保存", source_name=source_name)
    try:
        as_utf8 = data.decode("utf-8")
    except UnicodeDecodeError:
        as_utf8 = None
    if as_utf8 is not None and any(ord(c) > 127 for c in as_utf8):
        raise FormFileError("文件编码错误：该 .lrm 文件为 UTF-8 编码，应为 GBK（GB2312）编码。"
                            "按 GBK 读取会成为乱码，请用任免审批表软件重新保存", source_name=source_name)
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FormFileError(f"文件编码错误：第 {exc.start + 1} 字节起不是有效的 GBK（GB2312）编码，文件可能已损坏",
                            source_name=source_name) from None


def _too_many_family_rows(field: str = "") -> str:
    where = f"JiaTingChengYuan（家庭成员）{field and '的 ' + field}"
    return f"{where}：家庭成员超过 {MAX_FAMILY_ROWS} 人，上限为 {MAX_FAMILY_ROWS} 人，请核对文件"


def read_lrm(data: bytes, pic: bytes | None = None, *, source_name: str = "") -> AppointmentFormData:
    """Read one ``.lrm`` (LRM 2.0) file and its ``.pic`` photo → ``AppointmentFormData`` (same values and
    checks as ``read_lrmx``; the LRM format has no ID number and no Version: ``version`` is ``"2.0"``).

    The text is 33 fields, each in double quotes, separated by ``","`` (``elements.LRM_FIELDS``): education
    as ``学历#学位@学历#学位`` (全日制@在职), schools likewise, family as five columns of ``@``-separated
    rows (padding rows of empty values are skipped). Fewer than 33 fields → refused."""
    _check_size(data, source_name)
    text = decode_lrm(data, source_name).strip()
    if not (text.startswith('"') and text.endswith('"')):
        raise FormFileError("不是 LRM 格式：内容应为以英文双引号括起、以 \",\" 分隔的字段", source_name=source_name)
    fields = text[1:-1].split('","')
    warnings: list[str] = []
    if len(fields) < len(LRM_FIELDS):
        raise FormFileError(f"不是完整的 LRM 文件：只有 {len(fields)} 个字段，应为 {len(LRM_FIELDS)} 个",
                            source_name=source_name)
    if len(fields) > len(LRM_FIELDS):
        warnings.append(f"文件有 {len(fields)} 个字段，多出的 {len(fields) - len(LRM_FIELDS)} 个已忽略")
    values: dict[str, str] = {}
    columns: dict[str, list[str]] = {}
    for name, value in zip(LRM_FIELDS, fields, strict=False):
        if name in ("@XueLiXueWei", "@BiYeYuanXiao"):
            columns[name[1:]] = value.split("@", 2)[:2]  # 全日制@在职: anything after is ignored
        elif name.startswith("@"):
            # counted before splitting; the trailing padding rows (``@@@``, blank) are dropped, not counted
            value = value.rstrip("@#| \t\r\n")
            if value.count("@") + 1 > MAX_FAMILY_ROWS:
                raise FormFileError(_too_many_family_rows(f"{name[1:]}（{FAMILY_LABELS.get(name[1:], '')}）"),
                                    source_name=source_name)
            columns[name[1:]] = value.split("@")
        elif name:
            values[name] = value
    for prefix, key, pair in (("", "XueLiXueWei", ("XueLi", "XueWei")),
                              ("", "BiYeYuanXiao", ("XueLi_BiYeYuanXiaoXi", "XueWei_BiYeYuanXiaoXi"))):
        blocks = columns.get(key, [""]) + [""]
        for block_name, block in zip(("QuanRiZhiJiaoYu", "ZaiZhiJiaoYu"), blocks[:2], strict=True):
            parts = block.split("#") + [""]
            values[f"{prefix}{block_name}_{pair[0]}"] = parts[0]
            values[f"{prefix}{block_name}_{pair[1]}"] = parts[1]
    family_keys = ("ChengWei", "XingMing", "ChuShengRiQi", "ZhengZhiMianMao", "GongZuoDanWeiJiZhiWu")
    rows = max(len(columns.get(k, [])) for k in family_keys)
    family_rows = [{k: (columns.get(k, [])[i] if i < len(columns.get(k, [])) else "").strip("#|")
                    for k in family_keys} for i in range(rows)]
    errors: list[str] = []
    photo = None
    if pic:
        try:
            photo = check_photo(pic, "照片文件（.pic）")
        except FormFileError as exc:
            errors.extend(exc.messages)
    return _build(values, family_rows, photo, version="2.0", source_name=source_name, warnings=warnings,
                  errors=errors)


def read_form_file(name: str, data: bytes, sidecar: dict[str, bytes] | None = None) -> AppointmentFormData:
    """Read a form file by its extension: ``.lrmx`` → ``read_lrmx``; ``.lrm`` → ``read_lrm`` with the photo
    ``sidecar[<stem>.pic]`` (names compared case-insensitively; any ``.pic``/``.jpg`` of the same stem).
    Another extension → ``FormFileError``."""
    path = PurePath(name)
    suffix = path.suffix.lower()
    if suffix == ".lrmx":
        return read_lrmx(data, source_name=name)
    if suffix == ".lrm":
        pic = None
        stem = path.stem.lower()
        for other, content in (sidecar or {}).items():
            other_path = PurePath(other)
            if other_path.stem.lower() == stem and other_path.suffix.lower() in (".pic", ".jpg", ".jpeg"):
                pic = content
                break
        return read_lrm(data, pic, source_name=name)
    raise FormFileError(f"不支持的文件类型「{suffix or '无扩展名'}」：只接受 .lrmx 和 .lrm（附 .pic 照片）文件",
                        source_name=name)
