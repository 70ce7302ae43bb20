"""From an appointment form (``cadres.lrmx.data.AppointmentFormData``) to the cadre record it describes — the
inverse of ``cadres.lrmx.mapping.form_from_cadre``.

``plan_from_form(form)`` reads the form **without the database**: the ``FormPlan`` holds the values the
record should take (codes parsed, the ID number validated) and the problems found. ``resolve(plan,
existing)`` then fixes the values against the existing record (``Existing``, ``None`` for a new person):
a month-precision date of the form (``yyyyMM``) keeps the existing day when the month is the same, so an
import → export → import round trip changes nothing (``rules.md`` §8: dates are month-precision on the
form). ``cadres.formfiles.diff`` compares the resolved ``Target`` with ``Existing``; the services write it.

Rules (``rules.md`` §7):
- 出生年月: the form's ``yyyyMM`` with the day from the form when it has one, else from the ID number when
  it encodes that month, else the existing record's day for that month, else the 1st. A birth month that
  differs from the ID number's is a warning (a 三龄 question for the dossier audit, §6: the ID card is not
  the basis), not an error.
- 公民身份号码 (GB 11643-1999): a malformed number is an error; a wrong check character is an error unless
  the user accepts it (``accept_bad_checksum``: then a warning).
- 性别 / 民族: ``SEX.parse`` / ``ETHNICITY.parse`` (code, standard name or short form); an unknown value is an
  error naming the element. A blank sex is taken from the ID number.
- 政治面貌: 中共党员 (``01``) when 入党时间 is a date and no democratic party is named (an existing 中共预备党员
  ``02`` is kept); the democratic party's ``POLITICAL_STATUS`` code when ``other_party`` names one; with
  neither, the existing value is kept (a new person: 群众 ``13``).
- 学历/学位: one ``Education`` row per category (全日制教育/在职教育) with the texts as written,
  ``education_level = EDUCATION.parse(text) or ""``, ``degree = degree_of_text(text)``.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import io
import re
from dataclasses import dataclass, field

from zugong.cadres.choices import DEGREE, degree_of_text
from zugong.cadres.lrmx.data import AppointmentFormData, Month
from zugong.core import idnumber
from zugong.core.codes import EDUCATION, ETHNICITY, POLITICAL_STATUS, SEX

MAX_PHOTO_BYTES = 2 * 1024 * 1024

# 民主党派 short names as forms write them (入党时间 「199805；民革」) → GB/T 4762 code
PARTY_SHORT_NAMES = {
    "民革": "04", "中国国民党革命委员会": "04", "民盟": "05", "中国民主同盟": "05", "民建": "06",
    "中国民主建国会": "06", "民进": "07", "中国民主促进会": "07", "农工党": "08", "农工": "08",
    "中国农工民主党": "08", "致公党": "09", "致公": "09", "中国致公党": "09", "九三学社": "10", "九三": "10",
    "台盟": "11", "台湾民主自治同盟": "11", "无党派": "12", "无党派人士": "12", "无党派民主人士": "12",
}
PARTY_MEMBER_CODES = ("01", "02")
DEMOCRATIC_PARTY_CODES = ("04", "05", "06", "07", "08", "09", "10", "11", "12")

# (field, Chinese label) in the form's order — what the diff shows and the apply writes
PERSON_FIELDS = (("name", "姓名"), ("sex", "性别"), ("birth_date", "出生年月"), ("ethnicity", "民族"),
                 ("work_start_date", "参加工作时间"), ("political_status", "政治面貌"))
CADRE_FIELDS = (
    ("native_place", "籍贯"), ("birthplace", "出生地"), ("party_joined_date", "入党时间"), ("other_party", "民主党派"),
    ("health", "健康状况"), ("professional_title", "专业技术职务"), ("specialty", "熟悉专业有何专长"),
    ("current_post_title", "现任职务"), ("proposed_post", "拟任职务"), ("proposed_removal", "拟免职务"),
    ("rewards_punishments", "奖惩情况"), ("assessment_summary", "年度考核结果"), ("appointment_reason", "任免理由"),
    ("reporting_unit", "呈报单位"), ("age_reference_date", "计算年龄时间"), ("form_filled_date", "填表时间"),
    ("form_filled_by", "填表人"),
)
DATE_FIELDS = {"birth_date", "work_start_date", "party_joined_date", "age_reference_date", "form_filled_date"}
EDUCATION_TEXTS = (("education_text", "学历"), ("degree_text", "学位"),
                   ("education_school_major", "学历毕业院校系及专业"), ("degree_school_major", "学位毕业院校系及专业"))
CATEGORIES = (("full_time", "全日制教育"), ("in_service", "在职教育"))
# the model's max_length of the text fields the form fills (a longer value is an error naming the element)
MAX_LENGTHS = {"name": 50, "native_place": 100, "birthplace": 100, "health": 50, "other_party": 50,
               "professional_title": 200, "specialty": 500, "current_post_title": 500, "proposed_post": 500,
               "proposed_removal": 500, "reporting_unit": 200, "form_filled_by": 50, "education_text": 100,
               "degree_text": 100, "education_school_major": 300, "degree_school_major": 300}


@dataclass(frozen=True)
class ResumeRow:
    """One planned 简历 line (month-precision ``start``/``end``; ``end`` ``None`` = to this day)."""

    start: Month
    end: Month | None
    text: str
    in_service_study: bool = False


@dataclass(frozen=True)
class FamilyRow:
    """One planned family member (``birth`` month precision, ``None`` when unknown)."""

    relation: str
    name: str
    birth: Month | None
    political_status: str
    work_unit_and_post: str
    deceased: bool


@dataclass(frozen=True)
class PhotoPlan:
    """The form's photo: JPEG ``content``, pixel size and SHA-256."""

    content: bytes
    width: int
    height: int
    sha256: str


@dataclass
class FormPlan:
    """What one form says the record is (no database read yet).

    ``person``/``cadre``: field → value (``Month`` for the month-precision dates, ``None`` = the form leaves
    it as it is); ``id_number``: normalised, ``""`` when the form has none; ``id_info``: what it encodes;
    ``educations``: category → the four texts (``{}``: the form has no such block); ``resume``, ``family``:
    the rows in order; ``photo``: ``None`` when the form has none. ``errors`` (the file cannot be applied)
    and ``warnings`` are Chinese sentences naming the element."""

    name: str = ""
    birth: Month | None = None
    id_number: str = ""
    id_info: idnumber.IdNumberInfo | None = None
    person: dict = field(default_factory=dict)
    cadre: dict = field(default_factory=dict)
    educations: dict = field(default_factory=dict)
    resume: list[ResumeRow] = field(default_factory=list)
    family: list[FamilyRow] = field(default_factory=list)
    photo: PhotoPlan | None = None
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def party_code(text: str) -> str | None:
    """The GB/T 4762 code of a democratic party named as forms write it (``民革``, ``中国民主同盟盟员``,
    ``九三学社``); ``None`` when none is recognised."""
    value = (text or "").strip()
    if not value:
        return None
    code = POLITICAL_STATUS.parse(value)
    if code in DEMOCRATIC_PARTY_CODES:
        return code
    if value in PARTY_SHORT_NAMES:
        return PARTY_SHORT_NAMES[value]
    for name, code in sorted(PARTY_SHORT_NAMES.items(), key=lambda kv: -len(kv[0])):
        if value.startswith(name):
            return code
    return None


def _check_id(plan: FormPlan, text: str, *, accept_bad_checksum: bool, today: dt.date) -> None:
    text = (text or "").strip()
    if not text:
        return
    if "*" in text:  # a masked export (cadres.lrmx.mapping): no number — matched by name and birth month
        plan.warnings.append("ShenFenZheng（身份证号）：公民身份号码已脱敏（含 *），按姓名和出生年月匹配")
        return
    try:
        plan.id_info = idnumber.parse(text, today=today)
    except idnumber.IdNumberError:
        try:
            info = idnumber.parse(text, accept_bad_checksum=True, today=today)
        except idnumber.IdNumberError as exc:
            plan.errors.append(f"ShenFenZheng（身份证号）：{exc}")
            return
        if not accept_bad_checksum:
            plan.errors.append("ShenFenZheng（身份证号）：公民身份号码校验码错误，请核对；如确认原始数据如此，"
                               "可选择「接受校验码错误」作为警告导入")
            return
        plan.warnings.append("ShenFenZheng（身份证号）：公民身份号码校验码错误（已按您的选择作为警告接受）")
        plan.id_info = info
    plan.id_number = plan.id_info.number


_CJK_SPACED = re.compile(r"^[\u3400-\u9fff·\s]+$")


def person_name(text: str) -> str:
    """A name as the record keeps it: forms pad Chinese names with spaces to fill the cell (``王 建 国``,
    ``李  娟``) — those spaces are dropped; other names are only stripped."""
    value = (text or "").strip()
    if _CJK_SPACED.match(value):
        return re.sub(r"\s+", "", value)
    return value


def _text(plan: FormPlan, key: str, value: str, element: str) -> str:
    value = (value or "").strip()
    limit = MAX_LENGTHS.get(key)
    if limit and len(value) > limit:
        plan.errors.append(f"{element}：内容超过 {limit} 个字符")
    return value


def _photo(plan: FormPlan, data: bytes | None) -> PhotoPlan | None:
    if not data:
        return None
    if len(data) > MAX_PHOTO_BYTES:
        plan.errors.append(f"ZhaoPian（照片）：照片大小 {len(data) // 1024} KB 超过 {MAX_PHOTO_BYTES // 1024 // 1024} MB")
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, size = image.format, image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        plan.errors.append("ZhaoPian（照片）：照片不是有效的 JPEG 图片")
        return None
    if kind != "JPEG":
        plan.errors.append(f"ZhaoPian（照片）：照片格式为 {kind}，应为 JPEG")
        return None
    return PhotoPlan(bytes(data), size[0], size[1], hashlib.sha256(data).hexdigest())


def plan_from_form(form: AppointmentFormData, *, accept_bad_checksum: bool = False,
                   today: dt.date | None = None) -> FormPlan:
    """Read ``form`` into a ``FormPlan`` (see the module docstring for the rules). Never raises for bad
    content: problems are in ``plan.errors`` (the file cannot be applied) and ``plan.warnings``; the
    reader's own warnings (``form.warnings``) are carried over. ``today``: the date an ID number's birth
    date must not be after (default: the system date)."""
    today = today or dt.date.today()
    plan = FormPlan(warnings=list(form.warnings))
    plan.name = _text(plan, "name", person_name(form.name), "XingMing（姓名）")
    if not plan.name:
        plan.errors.append("XingMing（姓名）：必填项为空")
    _check_id(plan, form.id_number, accept_bad_checksum=accept_bad_checksum, today=today)
    info = plan.id_info
    person: dict = {"name": plan.name}
    sex_text = (form.sex or "").strip()
    if sex_text:
        sex = SEX.parse(sex_text)
        if sex is None:
            plan.errors.append(f"XingBie（性别）：无法识别的性别「{sex_text}」")
        else:
            person["sex"] = sex
            if info is not None and info.sex != sex:
                plan.warnings.append("XingBie（性别）：与公民身份号码（第17位）所示性别不一致")
    elif info is not None:
        person["sex"] = info.sex
    plan.birth = form.birth
    if form.birth is None:
        plan.errors.append("ChuShengNianYue（出生年月）：必填项为空")
    else:
        if info is not None and (info.birth_date.year, info.birth_date.month) != (form.birth.year, form.birth.month):
            plan.warnings.append("ChuShengNianYue（出生年月）：与公民身份号码所含出生日期不一致（按表中出生年月导入，"
                                 "请在干部人事档案审核中认定）")
        person["birth_date"] = form.birth
    ethnicity_text = (form.ethnicity or "").strip()
    if ethnicity_text:
        code = ETHNICITY.parse(ethnicity_text)
        if code is None:
            plan.errors.append(f"MinZu（民族）：无法识别的民族「{ethnicity_text}」")
        else:
            person["ethnicity"] = code
    if form.work_start is not None:
        person["work_start_date"] = form.work_start
    other_party = _text(plan, "other_party", form.other_party, "RuDangShiJian（入党时间）")
    if other_party:
        code = party_code(other_party)
        if code is None:
            plan.warnings.append(f"RuDangShiJian（入党时间）：无法识别的民主党派「{other_party}」，政治面貌未修改")
        else:
            person["political_status"] = code
    elif form.party_joined is not None:
        person["political_status"] = "01"
    plan.person = person

    cadre = {
        "native_place": _text(plan, "native_place", form.native_place, "JiGuan（籍贯）"),
        "birthplace": _text(plan, "birthplace", form.birthplace, "ChuShengDi（出生地）"),
        "party_joined_date": form.party_joined,
        "other_party": other_party,
        "health": _text(plan, "health", form.health, "JianKangZhuangKuang（健康状况）"),
        "professional_title": _text(plan, "professional_title", form.professional_title,
                                    "ZhuanYeJiShuZhiWu（专业技术职务）"),
        "specialty": _text(plan, "specialty", form.specialty, "ShuXiZhuanYeYouHeZhuanChang（熟悉专业有何专长）"),
        "current_post_title": _text(plan, "current_post_title", form.current_post, "XianRenZhiWu（现任职务）"),
        "proposed_post": _text(plan, "proposed_post", form.proposed_post, "NiRenZhiWu（拟任职务）"),
        "proposed_removal": _text(plan, "proposed_removal", form.proposed_removal, "NiMianZhiWu（拟免职务）"),
        "rewards_punishments": (form.rewards_punishments or "").strip(),
        "assessment_summary": (form.assessment_results or "").strip(),
        "appointment_reason": (form.appointment_reason or "").strip(),
        "reporting_unit": _text(plan, "reporting_unit", form.reporting_unit, "ChengBaoDanWei（呈报单位）"),
        "age_reference_date": form.age_reference_date,
        "form_filled_date": form.filled_date,
        "form_filled_by": _text(plan, "form_filled_by", form.filled_by, "TianBiaoRen（填表人）"),
    }
    plan.cadre = cadre

    for category, label in CATEGORIES:
        block = getattr(form, category)
        texts = {key: _text(plan, key, getattr(block, attr), f"{label}{name}")
                 for (key, name), attr in zip(EDUCATION_TEXTS, ("education", "degree", "education_school_major",
                                                                 "degree_school_major"), strict=True)}
        if any(texts.values()):
            plan.educations[category] = texts

    for number, line in enumerate(form.resume, start=1):
        text = (line.text or "").strip()
        if len(text) > 1000:
            plan.errors.append(f"JianLi（简历）第{number}行：内容超过 1000 个字符")
        if line.end is not None and (line.end.year, line.end.month) < (line.start.year, line.start.month):
            plan.errors.append(f"JianLi（简历）第{number}行：截止时间早于起始时间")
        plan.resume.append(ResumeRow(Month(line.start.year, line.start.month),
                                     Month(line.end.year, line.end.month) if line.end else None,
                                     text, bool(line.in_service_study)))
    for number, member in enumerate(form.family, start=1):
        name = person_name(member.name)
        relation = (member.relation or "").strip()
        if not name and not relation:
            continue
        if len(name) > 50 or len(relation) > 20 or len(member.work_unit_and_post or "") > 300 \
                or len(member.political_status or "") > 50:
            plan.errors.append(f"JiaTingChengYuan（家庭成员）第{number}人：内容超过字段长度")
        birth = Month(member.birth.year, member.birth.month) if member.birth else None
        plan.family.append(FamilyRow(relation, name, birth, (member.political_status or "").strip(),
                                     (member.work_unit_and_post or "").strip(), bool(member.deceased)))
    plan.photo = _photo(plan, form.photo)
    return plan


# ----- resolving against the existing record ---------------------------------------------------------------


def first_of(value: Month) -> dt.date:
    """The date of a form ``Month`` (its day, else the 1st) — ``Month.as_date`` without its per-call import."""
    return dt.date(value.year, value.month, value.day or 1)


def month_to_date(value: Month | None, existing: dt.date | None = None) -> dt.date | None:
    """The date a form date stands for: its own day when it has one; else the ``existing`` date when it
    lies in the same month (the record knew the day); else the 1st."""
    if value is None:
        return None
    if value.day is None and existing is not None and (existing.year, existing.month) == (value.year, value.month):
        return existing
    return first_of(value)


@dataclass(frozen=True)
class EducationRow:
    """An existing or planned ``Education`` row's texts and codes."""

    education_text: str = ""
    degree_text: str = ""
    education_school_major: str = ""
    degree_school_major: str = ""
    education_level: str = ""
    degree: str = ""

    def texts(self) -> tuple[str, str, str, str]:
        return (self.education_text, self.degree_text, self.education_school_major, self.degree_school_major)


@dataclass
class Existing:
    """The record as it is: ``person``/``cadre`` field → value (``cadre`` ``{}`` when the person has no cadre
    profile), ``educations`` category → rows (texts per row; the form shows the first, as
    ``cadres.lrmx.mapping`` exports it), ``education_ids`` category → ``[(id, position)]`` of those rows, ``resume`` (as ``ResumeRow`` with the stored
    dates' months), ``resume_dates`` the stored ``(start, end)`` dates, ``family`` (as ``FamilyRow``),
    ``family_births`` the stored birth dates, ``photo_sha256`` (``""`` = none)."""

    person: dict = field(default_factory=dict)
    cadre: dict = field(default_factory=dict)
    educations: dict = field(default_factory=dict)
    resume: list[ResumeRow] = field(default_factory=list)
    family: list[FamilyRow] = field(default_factory=list)
    photo_sha256: str = ""
    photo_size: tuple[int, int] | None = None
    education_ids: dict = field(default_factory=dict)


@dataclass
class Target:
    """The record as it will be after the import: concrete values (dates resolved), the education rows per
    category (``[]`` = none), résumé and family rows, and the photo (``None`` = keep what is there)."""

    person: dict
    cadre: dict
    educations: dict
    resume: list[ResumeRow]
    family: list[FamilyRow]
    photo: PhotoPlan | None


@functools.lru_cache(maxsize=1024)
def education_codes(education_text: str, degree_text: str) -> tuple[str, str]:
    """``(EDUCATION code or "", DEGREE code or "")`` of the texts as written (cached: batches repeat them)."""
    return (EDUCATION.parse(education_text) or "",
            degree_of_text(degree_text) or (DEGREE.parse(degree_text) or ""))


def education_row(texts: dict) -> EducationRow:
    """The ``Education`` row for the form's texts of one block (codes parsed from the texts)."""
    return EducationRow(texts["education_text"], texts["degree_text"], texts["education_school_major"],
                        texts["degree_school_major"], *education_codes(texts["education_text"], texts["degree_text"]))


def resolve(plan: FormPlan, existing: Existing | None) -> Target:
    """The values the record takes when ``plan`` is applied over ``existing`` (``None``: a new person):
    dates resolved (``month_to_date``; the birth date by the rule of the module docstring), values the form
    leaves open kept from ``existing``, the political status by the rule of the module docstring."""
    old_person = existing.person if existing else {}
    old_cadre = existing.cadre if existing else {}
    person = {}
    for key, _label in PERSON_FIELDS:
        if key not in plan.person:
            person[key] = old_person.get(key, "" if key not in DATE_FIELDS else None)
            continue
        value = plan.person[key]
        if key == "birth_date":
            value = _birth_date(plan, old_person.get("birth_date"))
        elif key in DATE_FIELDS:
            value = month_to_date(value, old_person.get(key))
        elif key == "political_status" and value == "01" and old_person.get(key) in PARTY_MEMBER_CODES:
            value = old_person[key]  # 中共预备党员 stays one: the form does not tell them apart
        person[key] = value
    if existing is None and not person.get("political_status"):
        person["political_status"] = "13"
    cadre = {}
    for key, _label in CADRE_FIELDS:
        value = plan.cadre.get(key)
        cadre[key] = month_to_date(value, old_cadre.get(key)) if key in DATE_FIELDS else value
    educations = {category: ([education_row(plan.educations[category])] if category in plan.educations else [])
                  for category, _label in CATEGORIES}
    return Target(person, cadre, educations, list(plan.resume), list(plan.family), plan.photo)


def _birth_date(plan: FormPlan, existing: dt.date | None) -> dt.date | None:
    month = plan.birth
    if month is None:
        return existing
    if month.day is not None:
        return first_of(month)
    info = plan.id_info
    if info is not None and (info.birth_date.year, info.birth_date.month) == (month.year, month.month):
        return info.birth_date
    return month_to_date(month, existing)
