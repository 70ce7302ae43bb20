"""The thresholds of promotion eligibility (任职资格, issue #12 item 6) as data, each with its source
(``shared/rules.md`` §4, §5). A new regulation is a new value here, not a code hunt.

Verification marks as in ``rules.md``: [V] checked against the published text, [K] from knowledge, to be
confirmed by the organization department before relying on it.

- ``SELECTION_REGULATION`` 《党政领导干部选拔任用工作条例》(2019) **第八条** (基本资格) [V]:
  (一) 提任县处级领导职务的，应当具有五年以上工龄和两年以上基层工作经历；
  (二) 提任县处级以上领导职务的，一般应当具有在下一级两个以上职位任职的经历；
  (三) 提任县处级以上领导职务，由副职提任正职的，应当在副职岗位工作两年以上；由下级正职提任上级副职的，
  应当在下级正职岗位工作三年以上；
  (四) 一般应当具有大学专科以上文化程度，其中厅局级以上领导干部一般应当具有大学本科以上文化程度。
- Promotion bans (影响期, counted from the decision date ``SupervisionRecord.decided_date``):
  《中国共产党纪律处分条例》(2023) 第十条 警告 1 年、严重警告 1 年半 [V]; 第十一条 撤销党内职务 2 年 [K];
  第十二条 留党察看: 察看期 1 或 2 年 + 恢复党员权利后 2 年 [K] (the record holds no 察看期: 3 years always
  ban, 4 years never, in between 待核实); 《中华人民共和国公职人员政务处分法》(2020) 第八条 处分期间: 警告 6
  个月、记过 12 个月、记大过 18 个月、降级·撤职 24 个月 [K]; 诫勉 6 个月内不得提拔或者重用
  (《中国共产党组织处理规定（试行）》(2021)) [K]. 提醒谈话 and 函询 ban nothing.
- Annual assessment: the previous year graded 不称职 (or 基本称职) blocks promotion — 《公务员考核规定》(2020)
  第二十一条/第二十二条 and 《党政领导干部考核工作条例》(2019) 第四十条 [K].
- Rank (职级) minimum years at the lower rank: 4 / 4 / 3 / 2 years up the ladder (rules.md §4, configurable)
  [K] — 《公务员职务与职级并行规定》(2019) 第十八条.
"""

from __future__ import annotations

from dataclasses import dataclass

SELECTION_REGULATION = "《党政领导干部选拔任用工作条例》(2019)"
DISCIPLINE_REGULATION = "《中国共产党纪律处分条例》(2023)"
GOV_SANCTION_LAW = "《中华人民共和国公职人员政务处分法》(2020)"
HANDLING_REGULATION = "《中国共产党组织处理规定（试行）》(2021)"
ASSESSMENT_REGULATION = "《公务员考核规定》(2020)、《党政领导干部考核工作条例》(2019)"
RANK_REGULATION = "《公务员职务与职级并行规定》(2019)"

ART8 = f"{SELECTION_REGULATION}第八条"

# ----- Art. 8 -----------------------------------------------------------------------------------------------

COUNTY_LEVELS = ("131", "132")
"""县处级 (正处 131, 副处 132): 提任 needs ``WORK_YEARS`` and ``GRASSROOTS_YEARS`` (第八条第一项)."""
WORK_YEARS = 5
GRASSROOTS_YEARS = 2
TWO_POSTS_MIN = 2
"""第八条第二项: 提任县处级以上 generally ≥2 posts at the level below ("一般应当": a failure is shown as
待核实 with the count, not as a refusal — the article allows exceptions)."""
DEPUTY_TO_PRINCIPAL_YEARS = 2
"""第八条第三项: 副职提任正职 ≥2 years as deputy."""
PRINCIPAL_TO_UPPER_DEPUTY_YEARS = 3
"""第八条第三项: 下级正职提任上级副职 ≥3 years as the lower principal."""
ABOVE_COUNTY = ("101", "102", "111", "112", "121", "122", "131", "132")
"""县处级以上 (第八条第二、三项 apply)."""
BUREAU_AND_ABOVE = ("101", "102", "111", "112", "121", "122")
"""厅局级以上: 大学本科以上 (第八条第四项)."""

GRASSROOTS_UNIT_CATEGORIES = ("township", "subdistrict", "community", "village")
"""Units whose posts count as 基层工作经历 (乡镇、街道、社区、行政村). Other grassroots places the article's
note counts (县直单位、企事业单位基层) are not decided here: they come out as 待核实 from the résumé."""
GRASSROOTS_WORDS = ("乡", "镇", "街道", "村", "社区")
"""Résumé words that suggest grassroots work (→ 待核实, never a pass on their own)."""

# 学历 levels (GB/T 4658 codes that count as having *completed* that level; 结业/肄业 do not)
EDUCATION_RANK = {
    "10": 4, "11": 4, "14": 4, "17": 4,  # 研究生
    "20": 3, "21": 3, "28": 3,  # 大学本科 (大学普通班毕业 read as 本科 [K])
    "30": 2, "31": 2,  # 大学专科
    "40": 1, "41": 1, "44": 1, "47": 1, "60": 1, "61": 1,  # 中专、高中
    # 研究生、本科、专科 结业/肄业: the level was not completed — counted as the secondary level below it
    "12": 1, "13": 1, "15": 1, "16": 1, "18": 1, "19": 1, "22": 1, "23": 1, "32": 1, "33": 1,
}
EDUCATION_RANK_NAMES = {4: "研究生", 3: "大学本科", 2: "大学专科", 1: "中专或高中", 0: "高中以下"}
COLLEGE = 2
BACHELOR = 3
_EDUCATION_WORDS = (("博士", "11"), ("硕士", "14"), ("研究生", "10"), ("大专", "30"), ("专科", "30"),
                    ("本科", "20"), ("大学", "20"), ("中专", "40"), ("中技", "47"), ("高中", "60"))


def education_code_of_text(text: str) -> str:
    """The GB/T 4658 code of a 学历 as written in appointment forms, including the forms the code table does
    not know (``在职大学``, ``省委党校大学``, ``中央党校研究生``, ``在职研究生``): the code table first, then the
    first keyword found (博士/硕士/研究生 → 研究生; 大专/专科 before 本科/大学). ``""`` when none."""
    from zugong.core.codes import EDUCATION

    value = (text or "").strip()
    if not value:
        return ""
    code = EDUCATION.parse(value)
    if code:
        return code
    for word, found in _EDUCATION_WORDS:
        if word in value:
            return found
    return ""


def required_education(level: str) -> int:
    """The 学历 rank ``level`` needs (第八条第四项): 大学本科 (3) for 厅局级以上, else 大学专科 (2)."""
    return BACHELOR if level in BUREAU_AND_ABOVE else COLLEGE


# ----- promotion bans ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ban:
    """A promotion ban: ``months`` from the decision date (``max_months`` > ``months`` when the end is not
    known from the record: between the two the ban is 待核实), its ``label`` and ``source``."""

    months: int
    label: str
    source: str
    max_months: int | None = None


BANS: dict[str, Ban] = {
    "party_warning": Ban(12, "党内警告处分", f"{DISCIPLINE_REGULATION}第十条"),
    "party_serious_warning": Ban(18, "党内严重警告处分", f"{DISCIPLINE_REGULATION}第十条"),
    "party_post_removal": Ban(24, "撤销党内职务处分", f"{DISCIPLINE_REGULATION}第十一条 [K]"),
    "party_probation": Ban(36, "留党察看处分", f"{DISCIPLINE_REGULATION}第十二条（察看期一至二年，恢复党员权利后二年内）[K]",
                           max_months=48),
    "admonishment": Ban(6, "诫勉", f"{HANDLING_REGULATION} [K]"),
    "gov_warning": Ban(6, "政务警告处分", f"{GOV_SANCTION_LAW}第八条 [K]"),
    "gov_demerit": Ban(12, "记过处分", f"{GOV_SANCTION_LAW}第八条 [K]"),
    "gov_major_demerit": Ban(18, "记大过处分", f"{GOV_SANCTION_LAW}第八条 [K]"),
    "gov_demotion": Ban(24, "降级处分", f"{GOV_SANCTION_LAW}第八条 [K]"),
    "gov_dismissal": Ban(24, "撤职处分", f"{GOV_SANCTION_LAW}第八条 [K]"),
}
"""Promotion-ban periods by ``SUPERVISION_KIND`` (rules.md §4). 提醒谈话 and 函询 are not listed: no ban."""

# ----- annual assessment ------------------------------------------------------------------------------------

BLOCKING_GRADES = {"incompetent": "不称职", "basically_competent": "基本称职"}
"""Grades of the previous year's assessment that block promotion [K]."""
ASSESSMENT_SOURCE = f"{ASSESSMENT_REGULATION} [K]"

# ----- rank (职级) ------------------------------------------------------------------------------------------

RANK_MIN_YEARS = {
    "principal_clerk_4": 2, "principal_clerk_3": 2, "principal_clerk_2": 2, "principal_clerk_1": 2,
    "researcher_4": 3, "researcher_3": 3, "researcher_2": 4, "researcher_1": 4,
}
"""Minimum years at the rank held before the next rank (rules.md §4: 4 / 4 / 3 / 2 up the ladder,
configurable) [K]. Used to show ``rank_years`` as information beside the post conditions."""
RANK_SOURCE = f"{RANK_REGULATION}第十八条 [K]"
