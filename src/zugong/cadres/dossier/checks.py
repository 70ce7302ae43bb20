"""The automatic checks of the dossier audit (干部人事档案专项审核，三龄两历一身份; ``rules.md`` §6,
《干部人事档案工作条例》(2018)). Each check is a **pure function** ``check(data: CadreData) -> list[Problem]``
over one cadre's loaded data (``CadreData``, built by ``dossier.services``); nothing here reads the
database or the clock.

A ``Problem`` names the check (``DOSSIER_CHECK``), the problem type (``DOSSIER_PROBLEM``), a Chinese
message saying what to do, and the **sources that disagree with their values** (``sources``: pairs
``(来源, 值)``). ``key`` is the tuple of the disagreeing values: the service's fingerprint is the check and
the key, so the same problem found again is the same finding, and a changed value is a new one.

**Dates and precision.** Month-precision values (the 干部任免审批表 writes ``yyyyMM``, stored as the 1st of
the month) are compared at month precision when the recorded day is the 1st: a work start recorded as
``1996-03-01`` is not flagged against a 16th birthday of ``1996-03-15`` (it may have been any day of
March); ``1996-02-01`` is. The résumé is month precision throughout.

The checks (what exactly is flagged):

- ``birth_vs_id`` (信息前后不一致): ``Person.birth_date`` differs from the birth date inside the ID number
  (GB 11643-1999 chars 7–14; a bad check character is tolerated here, an unreadable number is not checked).
  A recorded date on the 1st is compared by year and month only. The message says that the birth date is
  determined from the **earliest archive material**, not the ID card (rules.md §6).
- ``work_before_16`` (信息不准): ``Person.work_start_date`` before the 16th birthday (《劳动法》第十五条:
  禁止招用未满十六周岁的未成年人); on the birthday itself is not flagged.
- ``admission_before_18`` (信息不准): 入党时间 (``Cadre.party_joined_date``, else ``PartyMember.admission_date``)
  before the 18th birthday (《中国共产党章程》第一条: 年满十八岁); on the birthday is not flagged.
- ``full_membership_early`` (认定不合规): ``PartyMember.full_membership_date`` before ``admission_date`` + 1
  year (《中国共产党章程》第七条: 预备期为一年) while no 延长预备期 is recorded (a 转正 event with detail
  ``extended``/``after_extension`` or extension months, or a 发展党员 step with outcome ``extended``).
  Day precision (both dates come from the party record).
- ``resume_gap`` (重要材料缺失) / ``resume_overlap`` (信息前后不一致): over the main résumé lines (``ResumeEntry``
  with ``in_service_study`` false; the （其间） lines run inside them and are skipped), ordered by start and
  written order, at month precision against the latest end so far: a **gap** when a line starts more than
  one month after it (ends 1998.07, next starts 1998.09: 1998.08 is missing; 1998.07 or 1998.08 is
  continuous); an **overlap** when a line starts before it (an open-ended 「至今」 line followed by another
  line overlaps it). The first line against 参加工作时间 or full-time study is **not** checked.
- ``degree_order`` (信息前后不一致): clear contradictions only — a qualification whose 毕业时间 is before its
  入学时间; a 学位授予时间 before the 入学时间; among **full-time** qualifications, a 研究生 (GB/T 4658 1x)
  finishing before a 大学本科 (2x) finishes, and a 博士研究生 (11–13) finishing before a 硕士研究生 (14–16)
  finishes. In-service qualifications are not ordered against full-time ones (a second 本科 after a
  研究生 happens).
- ``same_level_after_current`` (信息前后不一致): 任同级职务时间 later than 任现职时间 (month precision),
  comparing the recorded ``Cadre`` fields with each other, the recorded 任同级职务时间 with the
  appointment records' 任现职时间, and ``cadres.selectors.post_facts`` (appointments and recorded fields
  combined) — each disagreeing pair once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zugong.cadres.choices import DOSSIER_CHECK, DOSSIER_PROBLEM

REGULATION = "《干部人事档案工作条例》（2018）"

SOURCE_BIRTH = "人员信息·出生日期"
SOURCE_WORK = "人员信息·参加工作时间"
SOURCE_CADRE_PARTY = "干部信息·入党时间"
SOURCE_MEMBER_ADMISSION = "党员信息·入党日期"
SOURCE_MEMBER_FULL = "党员信息·转正日期"
SOURCE_RECORDED_CURRENT = "干部信息·任现职时间"
SOURCE_RECORDED_SAME = "干部信息·任同级职务时间"


@dataclass(frozen=True)
class ResumeLine:
    """One résumé line as loaded: ``[start, end)`` (``end`` ``None``: 至今), text, written position."""

    start: dt.date
    end: dt.date | None
    text: str
    position: int = 0
    in_service_study: bool = False


@dataclass(frozen=True)
class Qualification:
    """One education row as loaded: ``category`` (``full_time``/``in_service``), GB/T 4658 ``level`` code
    (``""`` when unknown), the 学历 as written, dates (month precision) and the 学位 as written."""

    category: str
    level: str
    text: str
    start: dt.date | None
    end: dt.date | None
    degree_text: str = ""
    degree_date: dt.date | None = None
    school: str = ""


@dataclass(frozen=True)
class CadreData:
    """What the checks read about one cadre (loaded by ``dossier.services.load_cadre_data``):

    - ``birth_date`` (``Person.birth_date``); ``id_birth_date`` (the birth date inside the decrypted ID
      number, ``None`` when unreadable) and ``id_masked`` (the masked number, the only form evidence shows);
    - ``work_start_date`` (``Person.work_start_date``);
    - ``party_joined_date`` (``Cadre.party_joined_date``), ``member_admission``/``member_full``
      (``PartyMember``), ``extension_recorded`` (a 延长预备期 is on record) and its description;
    - ``resume`` and ``educations``;
    - ``recorded_current``/``recorded_same`` (the ``Cadre`` fields), ``appointment_current`` (start of the
      main appointment held on the audit date, with ``appointment_title``), ``facts_current``/
      ``facts_same`` (``post_facts``)."""

    cadre_id: int
    name: str = ""
    birth_date: dt.date | None = None
    id_birth_date: dt.date | None = None
    id_masked: str = ""
    work_start_date: dt.date | None = None
    party_joined_date: dt.date | None = None
    member_admission: dt.date | None = None
    member_full: dt.date | None = None
    extension_recorded: bool = False
    resume: tuple[ResumeLine, ...] = ()
    educations: tuple[Qualification, ...] = ()
    recorded_current: dt.date | None = None
    recorded_same: dt.date | None = None
    appointment_current: dt.date | None = None
    appointment_title: str = ""
    facts_current: dt.date | None = None
    facts_same: dt.date | None = None


@dataclass(frozen=True)
class Problem:
    """One problem found: ``check`` (``DOSSIER_CHECK``), ``problem_type`` (``DOSSIER_PROBLEM``), Chinese
    ``message``, ``sources`` ``((来源, 值), …)`` naming what disagrees, ``key`` (the disagreeing values, for
    the fingerprint) and ``basis`` (the regulation and article)."""

    check: str
    problem_type: str
    message: str
    sources: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    basis: str = REGULATION
    extra: dict = field(default_factory=dict, compare=False)

    def evidence(self) -> dict:
        """The finding's ``evidence`` JSON: ``{"message", "sources": [{"source", "value"}], "basis",
        "check_label", "problem_label"}``."""
        return {"message": self.message, "sources": [{"source": s, "value": v} for s, v in self.sources],
                "basis": self.basis, "check_label": DOSSIER_CHECK.label(self.check),
                "problem_label": DOSSIER_PROBLEM.label(self.problem_type), **self.extra}


# ----- date helpers -------------------------------------------------------------------------------------------


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def ym(day: dt.date | None) -> str:
    """``1998.07`` (the résumé's month form); ``至今`` for ``None``."""
    return f"{day.year}.{day.month:02d}" if day else "至今"


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def nth_birthday(birth: dt.date, years: int) -> dt.date:
    """The day ``birth`` turns ``years`` (周岁): same month and day; 29 February → 1 March in a non-leap
    year (the person is not yet that age on 28 February)."""
    try:
        return birth.replace(year=birth.year + years)
    except ValueError:
        return dt.date(birth.year + years, 3, 1)


def before(day: dt.date, limit: dt.date) -> bool:
    """``day`` is earlier than ``limit``, at month precision when ``day`` is on the 1st (a ``yyyyMM``
    value): then only a month before ``limit``'s month counts."""
    if day.day == 1:
        return month_index(day) < month_index(limit)
    return day < limit


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (clamped to the month's last day)."""
    index = month_index(day) + months
    year, month = divmod(index, 12)
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month + 1, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover


# ----- the checks ---------------------------------------------------------------------------------------------


def check_birth_vs_id(d: CadreData) -> list[Problem]:
    """``birth_vs_id``: recorded birth date vs the ID number's (see the module docstring)."""
    if d.birth_date is None or d.id_birth_date is None:
        return []
    if d.birth_date.day == 1:
        same = (d.birth_date.year, d.birth_date.month) == (d.id_birth_date.year, d.id_birth_date.month)
    else:
        same = d.birth_date == d.id_birth_date
    if same:
        return []
    return [Problem(
        "birth_vs_id", "inconsistent",
        f"人员信息记载的出生日期 {iso(d.birth_date)} 与公民身份号码中的出生日期 {iso(d.id_birth_date)} 不一致。"
        "出生日期以干部档案中最早记载的材料为准，身份证不作为认定依据：请查阅最早的档案材料（如招工、入学、"
        "入伍登记表）后认定，并据以更正人员信息或依法更正身份证。",
        ((SOURCE_BIRTH, iso(d.birth_date)), (f"公民身份号码（{d.id_masked}）中的出生日期", iso(d.id_birth_date))),
        (iso(d.birth_date), iso(d.id_birth_date)),
        basis=f"{REGULATION}；三龄两历一身份专项审核：出生日期以档案最早记载为准",
    )]


def check_work_before_16(d: CadreData) -> list[Problem]:
    """``work_before_16``: 参加工作时间 before the 16th birthday."""
    if d.birth_date is None or d.work_start_date is None:
        return []
    limit = nth_birthday(d.birth_date, 16)
    if not before(d.work_start_date, limit):
        return []
    return [Problem(
        "work_before_16", "inaccurate",
        f"参加工作时间 {iso(d.work_start_date)} 早于年满十六周岁之日 {iso(limit)}（出生日期 {iso(d.birth_date)}）。"
        "请核对招工（录用）审批表等原始材料认定参加工作时间，并核实出生日期。",
        ((SOURCE_WORK, iso(d.work_start_date)), (SOURCE_BIRTH, iso(d.birth_date)), ("年满十六周岁", iso(limit))),
        (iso(d.work_start_date), iso(d.birth_date)),
        basis=f"{REGULATION}；《中华人民共和国劳动法》第十五条（禁止招用未满十六周岁的未成年人）",
    )]


def check_admission_before_18(d: CadreData) -> list[Problem]:
    """``admission_before_18``: 入党时间 (the cadre record's, else the party record's) before the 18th
    birthday."""
    if d.birth_date is None:
        return []
    joined, source = ((d.party_joined_date, SOURCE_CADRE_PARTY) if d.party_joined_date
                      else (d.member_admission, SOURCE_MEMBER_ADMISSION))
    if joined is None:
        return []
    limit = nth_birthday(d.birth_date, 18)
    if not before(joined, limit):
        return []
    return [Problem(
        "admission_before_18", "inaccurate",
        f"入党时间 {iso(joined)} 早于年满十八岁之日 {iso(limit)}（出生日期 {iso(d.birth_date)}）。"
        "请核对入党志愿书等原始材料认定入党时间，并核实出生日期。",
        ((source, iso(joined)), (SOURCE_BIRTH, iso(d.birth_date)), ("年满十八岁", iso(limit))),
        (source, iso(joined), iso(d.birth_date)),
        basis=f"{REGULATION}；《中国共产党章程》第一条（年满十八岁）",
    )]


def check_full_membership_early(d: CadreData) -> list[Problem]:
    """``full_membership_early``: 转正 before admission + 1 year with no 延长预备期 on record."""
    if d.member_admission is None or d.member_full is None or d.extension_recorded:
        return []
    due = add_months(d.member_admission, 12)
    if d.member_full >= due:
        return []
    return [Problem(
        "full_membership_early", "improper_determination",
        f"转正日期 {iso(d.member_full)} 早于预备期满一年之日 {iso(due)}（入党日期 {iso(d.member_admission)}），"
        "且没有延长预备期的记录。请核对入党志愿书、转正申请及支部大会决议后认定。",
        ((SOURCE_MEMBER_ADMISSION, iso(d.member_admission)), (SOURCE_MEMBER_FULL, iso(d.member_full)),
         ("预备期满一年", iso(due)), ("延长预备期记录", "无")),
        (iso(d.member_admission), iso(d.member_full)),
        basis=f"{REGULATION}；《中国共产党章程》第七条（预备期为一年）",
    )]


def _line(line: ResumeLine) -> str:
    return f"{ym(line.start)}--{ym(line.end) if line.end else '至今'} {line.text}".strip()


def check_resume(d: CadreData) -> list[Problem]:
    """``resume_gap`` and ``resume_overlap`` over the main résumé lines (see the module docstring)."""
    lines = sorted((x for x in d.resume if not x.in_service_study), key=lambda x: (x.start, x.position))
    problems: list[Problem] = []
    latest: ResumeLine | None = None  # the line reaching furthest so far
    for line in lines:
        if latest is not None:
            start = month_index(line.start)
            end = month_index(latest.end) if latest.end is not None else None
            sources = (("简历·前一段", _line(latest)), ("简历·后一段", _line(line)))
            key = (ym(latest.start), ym(latest.end), ym(line.start), ym(line.end))
            if end is None or start < end:
                problems.append(Problem(
                    "resume_overlap", "inconsistent",
                    f"简历 {ym(line.start)} 起的一段与 {ym(latest.start)}--{ym(latest.end)} 的一段时间重叠。"
                    "请核对调动、任免等原始材料，更正简历起止时间（在职学习请作为「其间」记载）。",
                    sources, key, basis=f"{REGULATION}；简历应连续、准确"))
            elif start - end > 1:
                problems.append(Problem(
                    "resume_gap", "missing_material",
                    f"简历在 {ym(latest.end)} 至 {ym(line.start)} 之间断档 {start - end - 1} 个月。"
                    "请查找该期间的档案材料补充简历，材料缺失的按规定补充或说明。",
                    sources, key, basis=f"{REGULATION}；简历应连续、准确"))
        if latest is None or latest.end is not None and (line.end is None or line.end > latest.end):
            latest = line
    return problems


def _rank(level: str) -> str:
    """``"doctor"``, ``"master"``, ``"graduate"`` (研究生 of unknown kind), ``"bachelor"`` or ``""``."""
    if level in ("11", "12", "13"):
        return "doctor"
    if level in ("14", "15", "16"):
        return "master"
    if level.startswith("1"):
        return "graduate"
    if level.startswith("2"):
        return "bachelor"
    return ""


def _qual(q: Qualification) -> str:
    return f"{q.text or q.level}（{q.school}）" if q.school else (q.text or q.level)


def check_degree_order(d: CadreData) -> list[Problem]:
    """``degree_order``: end before start, degree before start, and the full-time order 本科 → 研究生
    (硕士 → 博士) contradicted (see the module docstring)."""
    problems: list[Problem] = []
    for q in d.educations:
        if q.start and q.end and month_index(q.end) < month_index(q.start):
            problems.append(Problem(
                "degree_order", "inconsistent",
                f"{_qual(q)}的毕业时间 {ym(q.end)} 早于入学时间 {ym(q.start)}。请核对毕业证书、学籍材料后更正。",
                ((f"{_qual(q)}·入学时间", ym(q.start)), (f"{_qual(q)}·毕业时间", ym(q.end))),
                ("end_before_start", q.text, ym(q.start), ym(q.end)), basis=f"{REGULATION}；学历学位以证书为准"))
        if q.start and q.degree_date and month_index(q.degree_date) < month_index(q.start):
            problems.append(Problem(
                "degree_order", "inconsistent",
                f"{_qual(q)}的学位（{q.degree_text or '学位'}）授予时间 {ym(q.degree_date)} 早于入学时间 {ym(q.start)}。"
                "请核对学位证书后更正。",
                ((f"{_qual(q)}·入学时间", ym(q.start)), (f"{q.degree_text or '学位'}·授予时间", ym(q.degree_date))),
                ("degree_before_start", q.text, ym(q.start), ym(q.degree_date)),
                basis=f"{REGULATION}；学历学位以证书为准"))
    full = [q for q in d.educations if q.category == "full_time" and q.end is not None]
    pairs = (("graduate", "bachelor", "研究生", "大学本科"), ("master", "bachelor", "研究生", "大学本科"),
             ("doctor", "bachelor", "研究生", "大学本科"), ("doctor", "master", "博士研究生", "硕士研究生"))
    for higher_rank, lower_rank, higher_name, lower_name in pairs:
        for high in (q for q in full if _rank(q.level) == higher_rank):
            for low in (q for q in full if _rank(q.level) == lower_rank):
                if month_index(high.end) < month_index(low.end):
                    problems.append(Problem(
                        "degree_order", "inconsistent",
                        f"全日制{higher_name}（{_qual(high)}）毕业时间 {ym(high.end)} 早于全日制{lower_name}"
                        f"（{_qual(low)}）毕业时间 {ym(low.end)}。请核对毕业证书、学籍材料后认定。",
                        ((f"全日制{_qual(high)}·毕业时间", ym(high.end)), (f"全日制{_qual(low)}·毕业时间", ym(low.end))),
                        ("order", high.text, ym(high.end), low.text, ym(low.end)),
                        basis=f"{REGULATION}；学历学位以证书为准，全日制教育和在职教育分别认定"))
    return problems


def check_same_level_after_current(d: CadreData) -> list[Problem]:
    """``same_level_after_current``: 任同级职务时间 later than 任现职时间 (each disagreeing pair once)."""
    candidates = [
        (d.recorded_same, SOURCE_RECORDED_SAME, d.recorded_current, SOURCE_RECORDED_CURRENT),
        (d.recorded_same, SOURCE_RECORDED_SAME, d.appointment_current,
         f"任免记录·任现职时间（{d.appointment_title}）" if d.appointment_title else "任免记录·任现职时间"),
        (d.facts_same, "任免记录与干部信息·任同级职务时间", d.facts_current, "任免记录与干部信息·任现职时间"),
    ]
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for same, same_source, current, current_source in candidates:
        if same is None or current is None or month_index(same) <= month_index(current):
            continue
        key = (ym(same), ym(current))
        if key in seen:
            continue
        seen.add(key)
        problems.append(Problem(
            "same_level_after_current", "inconsistent",
            f"任同级职务时间 {ym(same)} 晚于任现职时间 {ym(current)}：任现职务的时间不能早于任同级职务的时间。"
            "请核对任免审批表、任职文件后更正。",
            ((same_source, ym(same)), (current_source, ym(current))), key,
            basis=f"{REGULATION}；《党政领导干部选拔任用工作条例》（2019）任职时间以任职文件为准"))
    return problems


CHECKS = (check_birth_vs_id, check_work_before_16, check_admission_before_18, check_full_membership_early,
          check_resume, check_degree_order, check_same_level_after_current)
"""Every check, in the order of ``DOSSIER_CHECK``."""


def run_checks(d: CadreData) -> list[Problem]:
    """Every check's problems for one cadre."""
    return [p for check in CHECKS for p in check(d)]
