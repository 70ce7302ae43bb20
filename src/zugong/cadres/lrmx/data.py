"""The content of one 干部任免审批表 (appointment form) as the files carry it — the contract between the
file formats (``cadres.lrmx``: ``.lrmx`` 3.x XML, ``.lrm`` 2.0 text + ``.pic``) and the cadre record
(``cadres.formfiles``: preview, diff, apply; export). ``shared/rules.md`` §8.

Values are **parsed but not interpreted against the database**: dates are ``Month`` (year, month, and
day when the file gave one), coded fields keep the text as written (the apply step maps them to codes),
the résumé is a list of ``ResumeLine`` and the family a list of ``FamilyLine``. Age is never carried: it is
computed at ``age_reference_date`` (JiSuanNianLingShiJian).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Month:
    """A date as the form writes it: ``year`` and ``month``, ``day`` when given (``yyyyMMdd``,
    ``yyyy.MM.dd``), else ``None``."""

    year: int
    month: int
    day: int | None = None

    def as_date(self):
        """The ``datetime.date`` (the 1st when the day is unknown)."""
        import datetime as dt

        return dt.date(self.year, self.month, self.day or 1)


@dataclass(frozen=True)
class ResumeLine:
    """One 简历 line: ``start`` ``--`` ``end`` (``None`` = open, written as 7 spaces) and the text;
    ``in_service_study`` for a （其间：…） line."""

    start: Month
    end: Month | None
    text: str
    in_service_study: bool = False


@dataclass(frozen=True)
class FamilyLine:
    """One row of 家庭主要成员及重要社会关系: 称谓, 姓名, 出生日期 (``None`` when blank or not a date),
    政治面貌, 工作单位及职务, and ``deceased`` (已去世, written in the birth or work column)."""

    relation: str
    name: str
    birth: Month | None = None
    political_status: str = ""
    work_unit_and_post: str = ""
    deceased: bool = False


@dataclass(frozen=True)
class EducationBlock:
    """One of the two education blocks (全日制教育 / 在职教育) as written: 学历, 学位, and the 毕业院校系及专业
    of each (multi-line values keep their ``\\n``)."""

    education: str = ""
    degree: str = ""
    education_school_major: str = ""
    degree_school_major: str = ""


@dataclass
class AppointmentFormData:
    """Every element of the LRMX 3.x ``<Person>`` (rules.md §8), in the format's order.

    ``party_joined``: the 入党时间 date when it is one; ``party_joined_text``: what the file wrote when it is
    not only a date (a democratic party's name, ``yyyyMM；民革``) — ``other_party`` holds the party's name.
    ``photo``: JPEG bytes (``None`` when the form has none). ``version``: the file's Version element.
    ``warnings``: what the reader accepted with a remark (a 1st-of-month date, a repaired line)."""

    name: str = ""                       # XingMing
    sex: str = ""                        # XingBie (男/女)
    birth: Month | None = None           # ChuShengNianYue
    ethnicity: str = ""                  # MinZu
    native_place: str = ""               # JiGuan
    birthplace: str = ""                 # ChuShengDi
    party_joined: Month | None = None    # RuDangShiJian
    other_party: str = ""
    party_joined_text: str = ""
    work_start: Month | None = None      # CanJiaGongZuoShiJian
    health: str = ""                     # JianKangZhuangKuang
    professional_title: str = ""         # ZhuanYeJiShuZhiWu
    specialty: str = ""                  # ShuXiZhuanYeYouHeZhuanChang
    full_time: EducationBlock = field(default_factory=EducationBlock)   # QuanRiZhiJiaoYu_*
    in_service: EducationBlock = field(default_factory=EducationBlock)  # ZaiZhiJiaoYu_*
    current_post: str = ""               # XianRenZhiWu
    proposed_post: str = ""              # NiRenZhiWu
    proposed_removal: str = ""           # NiMianZhiWu
    resume: list[ResumeLine] = field(default_factory=list)  # JianLi
    rewards_punishments: str = ""        # JiangChengQingKuang
    assessment_results: str = ""         # NianDuKaoHeJieGuo
    appointment_reason: str = ""         # RenMianLiYou
    family: list[FamilyLine] = field(default_factory=list)  # JiaTingChengYuan/Item
    reporting_unit: str = ""             # ChengBaoDanWei
    age_reference_date: Month | None = None  # JiSuanNianLingShiJian
    filled_date: Month | None = None     # TianBiaoShiJian
    filled_by: str = ""                  # TianBiaoRen
    id_number: str = ""                  # ShenFenZheng (as written; validated by the apply step)
    photo: bytes | None = None           # ZhaoPian (base64 JPEG in the file)
    version: str = ""                    # Version
    source_name: str = ""                # the file's name (for reports)
    warnings: list[str] = field(default_factory=list)


class FormFileError(ValueError):
    """A form file that cannot be read: ``messages`` are Chinese, each naming the element or line and the
    reason (``["ChuShengNianYue（出生年月）：「1985.13」不是有效的年月"]``); ``source_name`` the file."""

    def __init__(self, messages: list[str] | str, *, source_name: str = ""):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        self.source_name = source_name
        super().__init__("；".join(self.messages))
