"""The distributions the demo dataset follows.

Part 1 holds the **published** figures of the 2023 中国共产党党内统计公报 (``../shared/rules.md`` §1), in
万人 / 万个 as printed, with their source. The category boundaries (age bands, admission eras,
occupation codes) and definitions (大专及以上, 少数民族) are the rule table's (``zugong.reports.rules``,
``zugong.party.rules``) as in force on ``REFERENCE_DATE``, so the generator and the statistics engine
cannot disagree; the tuples below are in the same order.

Part 2 holds the **modelling assumptions** the generator needs and the 公报 does not publish (which kind
of branch a farmer belongs to, how old retirees are, how education varies with occupation …). They are
plausible, not official; change them freely — the published marginals are still met exactly, because
the generator balances every joint table to the published totals (``generator.allocate``).
"""

from __future__ import annotations

import datetime as dt
import math

SOURCE = ("中共中央组织部《2023年中国共产党党内统计公报》（2024年6月30日发布），"
          "统计截至2023年12月31日")
REFERENCE_DATE = dt.date(2023, 12, 31)

# ==================================================================================================
# Part 1 — published figures (万)
# ==================================================================================================
MEMBERS = 9918.5
ORGANIZATIONS = 517.6
ORGANIZATION_TYPES = (("committee", 29.8), ("general_branch", 32.5), ("branch", 455.4))  # 基层党委/总支部/支部
FEMALE = 3018.5
MINORITY = 759.2
COLLEGE = 5578.6  # 大专及以上 (rule party.education_groups)
# 30岁及以下, 31–35, 36–40, 41–45, 46–50, 51–55, 56–60, 61岁及以上 (周岁 on 2023-12-31)
AGE_BANDS = (1241.2, 1119.6, 1086.4, 945.9, 907.1, 940.5, 890.7, 2787.2)
# 新中国成立前, 新中国成立后至十一届三中全会前, 十一届三中全会后至十八大前, 十八大以来
ADMISSION_ERAS = (6.8, 1286.3, 6014.2, 2611.2)
# worker, farmer, professional, manager, government, student, other, retired (OCCUPATION order)
OCCUPATIONS = (664.3, 2607.5, 1619.0, 1145.3, 764.5, 277.1, 776.4, 2064.4)
DEVELOPED = 240.8  # 2023年发展党员 (入党日期 in 2023)
DEVELOPED_FEMALE = 110.5
DEVELOPED_MINORITY = 25.2
DEVELOPED_YOUNG = 198.3  # 35岁及以下 (age at the 入党日期)
DEVELOPED_COLLEGE = 128.0
APPLICANTS = 2098.0  # 入党申请人 open on 2023-12-31 (includes 积极分子)
ACTIVISTS = 1054.7  # 入党积极分子 open on 2023-12-31

PEOPLE_PER_WAN = 10_000


def members_at_scale(scale: float) -> int:
    """党员总数 at ``1:scale`` (9918.5万 / 10,000 → 9,918; ``round`` halves to even)."""
    return max(1, round(MEMBERS * PEOPLE_PER_WAN / scale))


def round_half_up(x: float) -> int:
    """Round to the nearest integer, halves up (``32.5`` → 33)."""
    return math.floor(x + 0.5)


# ==================================================================================================
# Part 2 — modelling assumptions (not published)
# ==================================================================================================
OCCUPATION_CODES = ("worker", "farmer", "professional", "manager", "government", "student", "other", "retired")

# Branch kinds: (org_type, unit_category, typical members per branch).
BRANCH_KINDS: dict[str, tuple[str, str, int]] = {
    "village": ("branch", "village", 24),
    "community": ("branch", "community", 22),
    "organ": ("branch", "government_organ", 14),
    "retiree": ("branch", "government_organ", 30),
    "school": ("branch", "public_institution", 20),
    "student": ("branch", "public_institution", 30),
    "hospital": ("branch", "public_institution", 22),
    "enterprise": ("branch", "enterprise", 18),
    "social": ("branch", "social_organization", 9),
    "joint": ("joint_branch", "enterprise", 10),
}

# Where members of each occupation belong (share of all members, %): each row sums to the occupation's
# national share, so the kinds' sizes follow (village 33.3%, enterprise 17.4%, community 13.0% …).
OCCUPATION_KINDS: dict[str, dict[str, float]] = {
    "worker": {"village": 0.5, "community": 0.6, "school": 0.25, "hospital": 0.25, "enterprise": 4.6, "social": 0.5},
    "farmer": {"village": 26.29},
    "professional": {"organ": 0.5, "school": 5.5, "hospital": 5.5, "enterprise": 4.0, "social": 0.82},
    "manager": {"community": 0.4, "school": 1.25, "hospital": 1.25, "enterprise": 7.0, "social": 1.15, "joint": 0.5},
    "government": {"organ": 7.71},
    "student": {"student": 2.79},
    "other": {"village": 1.5, "community": 3.0, "enterprise": 0.5, "social": 1.5, "joint": 1.33},
    "retired": {"village": 5.0, "community": 9.0, "retiree": 2.5, "school": 1.5, "hospital": 1.5,
                "enterprise": 1.31},
}

# Non-root 基层党委 and 总支部 by kind (shares). Committees of a kind hold branches of the listed kinds.
COMMITTEE_KINDS = {"township": 0.45, "enterprise": 0.22, "school": 0.09, "hospital": 0.09, "community": 0.10,
                   "social": 0.05}
GENERAL_BRANCH_KINDS = {"village": 0.35, "organ": 0.15, "school": 0.10, "hospital": 0.10, "enterprise": 0.20,
                        "community": 0.10}

# Age band weights by occupation (relative; balanced to the published band totals).
BAND_WEIGHTS: dict[str, tuple[float, ...]] = {
    "worker": (1.2, 1.3, 1.2, 1.1, 1.0, 0.9, 0.6, 0.05),
    "farmer": (0.6, 0.7, 0.8, 0.9, 1.0, 1.2, 1.3, 2.0),
    "professional": (1.3, 1.3, 1.2, 1.1, 1.0, 0.9, 0.6, 0.05),
    "manager": (0.8, 1.1, 1.2, 1.2, 1.2, 1.0, 0.7, 0.05),
    "government": (1.0, 1.2, 1.2, 1.1, 1.0, 1.0, 0.8, 0.0),
    "student": (100.0, 3.0, 0.3, 0.0, 0.0, 0.0, 0.0, 0.0),
    "other": (1.2, 1.1, 1.0, 1.0, 1.0, 1.0, 1.0, 0.8),
    "retired": (0.0, 0.0, 0.0, 0.0, 0.02, 0.3, 2.0, 30.0),
}
# Members developed in 2023: share of them by occupation (%), and their age bands on 2023-12-31 for
# those 35 or younger at admission ("young") and 36 or older ("old").
DEVELOPED_OCCUPATIONS = {"worker": 11.0, "farmer": 21.0, "professional": 15.0, "manager": 8.0, "government": 4.0,
                         "student": 30.0, "other": 11.0, "retired": 0.0}
DEVELOPED_YOUNG_BANDS = (4.0, 1.2, 0, 0, 0, 0, 0, 0)
DEVELOPED_OLD_BANDS = (0, 0, 3.0, 2.0, 1.2, 0.6, 0.2, 0)

# Admission era weights by age band (relative; balanced to the published era totals). An era is only
# possible when the member could have been 18 by its end (pre-1949 → 92+ on 2023-12-31; 1949–1978 → 63+).
ERA_WEIGHTS: tuple[tuple[float, ...], ...] = (
    (0, 0, 0, 1),
    (0, 0, 1, 3),
    (0, 0, 2, 1.5),
    (0, 0, 3, 1),
    (0, 0, 4, 0.6),
    (0, 0, 4, 0.4),
    (0, 0, 4, 0.3),
    (1, 1, 3, 0.15),
)

# P(female) by occupation × factor by age band (balanced to the published totals).
FEMALE_BY_OCCUPATION = {"worker": 0.25, "farmer": 0.22, "professional": 0.45, "manager": 0.30, "government": 0.28,
                        "student": 0.55, "other": 0.35, "retired": 0.25}
FEMALE_BAND_FACTOR = (1.5, 1.4, 1.25, 1.1, 1.0, 0.9, 0.85, 0.7)
# P(大专及以上) by occupation × factor by age band.
COLLEGE_BY_OCCUPATION = {"worker": 0.35, "farmer": 0.12, "professional": 0.90, "manager": 0.80, "government": 0.92,
                         "student": 0.97, "other": 0.55, "retired": 0.35}
COLLEGE_BAND_FACTOR = (1.3, 1.25, 1.2, 1.1, 1.0, 0.85, 0.7, 0.45)
# P(少数民族): flat, a little higher among farmers (balanced to the published totals).
MINORITY_BY_OCCUPATION = {"worker": 1.0, "farmer": 1.3, "professional": 1.0, "manager": 0.9, "government": 1.0,
                          "student": 1.1, "other": 1.0, "retired": 0.8}

# Within 大专及以上: 研究生 (博士 11 / 硕士 14), 大学本科 21, 大学专科 31 — by occupation.
COLLEGE_LEVELS: dict[str, tuple[tuple[str, float], ...]] = {
    "default": (("11", 0.5), ("14", 6.0), ("21", 48.0), ("31", 45.5)),
    "professional": (("11", 2.0), ("14", 14.0), ("21", 60.0), ("31", 24.0)),
    "government": (("11", 0.5), ("14", 14.0), ("21", 66.0), ("31", 19.5)),
    "manager": (("11", 0.5), ("14", 9.0), ("21", 55.0), ("31", 35.5)),
    "student": (("11", 3.0), ("14", 22.0), ("21", 60.0), ("31", 15.0)),
    "farmer": (("21", 20.0), ("31", 80.0)),
    "worker": (("21", 30.0), ("31", 70.0)),
    "retired": (("14", 2.0), ("21", 35.0), ("31", 63.0)),
}
# Below 大专: 中专 41, 技工学校 47, 普通高中 61, 初中 71, 小学 81 — by age on 2023-12-31.
LOWER_LEVELS: tuple[tuple[int, tuple[tuple[str, float], ...]], ...] = (
    (40, (("41", 30.0), ("47", 10.0), ("61", 45.0), ("71", 15.0))),
    (60, (("41", 20.0), ("47", 5.0), ("61", 40.0), ("71", 30.0), ("81", 5.0))),
    (200, (("41", 12.0), ("61", 30.0), ("71", 38.0), ("81", 20.0))),
)
# Age at 参加工作 by education prefix (years, inclusive range; 16–25 overall).
WORK_START_AGE = {"1": (24, 25), "2": (21, 23), "3": (20, 22), "4": (17, 19), "6": (18, 20), "7": (16, 18),
                  "8": (16, 17)}
# 生产工作一线 probability by occupation.
FRONT_LINE = {"worker": 1.0, "farmer": 1.0, "professional": 0.6, "manager": 0.25, "government": 0.15,
              "student": 0.0, "other": 0.4, "retired": 0.0}
# Development pipeline: share of 积极分子 who are already 发展对象 on 2023-12-31.
CANDIDATE_SHARE = 0.3
# Ages of 入党申请人 on 2023-12-31: (min, max, weight).
APPLICANT_AGES = ((18, 24, 40.0), (25, 30, 30.0), (31, 35, 15.0), (36, 45, 12.0), (46, 55, 3.0))
