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
    # 其他职业人员 in 机关 branches are the 人武部's 军人、武警 (the 年报 row 三、军人、武警)
    "other": {"village": 1.5, "community": 2.92, "organ": 0.08, "enterprise": 0.5, "social": 1.5, "joint": 1.33},
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

# ==================================================================================================
# Part 3 — membership changes, statuses and the 党内统计年报 attributes (issue #10; assumptions)
# ==================================================================================================
# The 公报 publishes the stock and 发展党员 only. The total grew from 9804.1万 (2022-12-31) to 9918.5万
# with 240.8万 developed, so about 126.4万 — 1.29% of the members — left in 2023, mostly by death (the
# 2787.2万 members aged 61 and over). Transfers in and out of one county are not published; the shares
# below are plausible for a county, not official. Shares are of the members (per year) unless noted.
PREVIOUS_MEMBERS = 9804.1  # 2022年底党员总数 (2022年党内统计公报)
HISTORY_YEARS = (REFERENCE_DATE.year - 1, REFERENCE_DATE.year)  # the years whose changes are recorded
DEATH_RATE = 0.0115
EXIT_RATE = 0.0010  # 出党, all kinds
# 第十表 出党方式 (relative): 开除党籍 most often, then the 除名 kinds of 处置不合格党员.
EXIT_KINDS = {"expelled": 42.0, "withdrawn_removed": 5.0, "persuaded_to_leave": 10.0,
              "removed_after_persuasion": 8.0, "lapsed_removed": 22.0, "probation_cancelled": 9.0,
              "not_recognized": 4.0}
LAPSED_UNREACHABLE = 0.6  # 自行脱党除名: share 经多方查找确实无法取得联系
SUSPENSION_RATE = 0.0003  # 停止党籍 (lost contact ≥ 6 months, 《党员教育管理工作条例》第二十四条)
TRANSFER_OUT_RATE = 0.016  # 转出组织关系 to outside the county
TRANSFER_IN_RATE = 0.015  # 转入组织关系 from outside the county
INTERNAL_TRANSFER_RATE = 0.025  # 组织关系转接 between two branches of the county
GRADUATE_SHARE = 0.2  # of those transferring out: students leaving on graduation (late June – mid July)
READMISSION_SHARE = 0.01  # of those developed: 重新入党
EXTENSION_SHARE = 0.015  # of the 预备期满 in the year: 延长预备期 (6 or 12 months)
EXTENSION_MONTHS = ((6, 0.6), (12, 0.4))
POSTPONEMENT_SHARE = 0.005  # of the 预备期满: 推迟讨论
# From this many members on, every kind of change (each 出党方式, 停止党籍, 恢复党籍 both ways, 整建制转入 /
# 转出, 延长预备期, 推迟讨论) occurs at least once in the reference year, so every row of the 年报 tables
# has an example even at 1:100,000.
EVERY_KIND_FROM = 500
# Who leaves: occupation weights by kind of decrease, and ages on the day (min, max, weight).
LEAVER_OCCUPATIONS = {
    "death": {"retired": 65.0, "farmer": 25.0, "other": 5.0, "worker": 5.0},
    "exit": {"farmer": 25.0, "worker": 20.0, "other": 20.0, "manager": 10.0, "government": 10.0,
             "professional": 10.0, "retired": 5.0},
    "probation_cancelled": {"worker": 30.0, "farmer": 30.0, "other": 20.0, "student": 20.0},
    "suspension": {"farmer": 40.0, "other": 40.0, "worker": 20.0},
    "transfer_out": {"professional": 35.0, "manager": 15.0, "worker": 20.0, "government": 15.0, "other": 15.0},
}
LEAVER_AGES = {
    "death": ((45, 61, 8.0), (62, 74, 25.0), (75, 89, 52.0), (90, 99, 15.0)),
    "exit": ((25, 40, 35.0), (41, 55, 45.0), (56, 65, 20.0)),
    "probation_cancelled": ((20, 25, 50.0), (26, 35, 50.0)),
    "suspension": ((25, 40, 50.0), (41, 55, 50.0)),
    "transfer_out": ((23, 30, 45.0), (31, 40, 40.0), (41, 50, 15.0)),
}
# 流动党员 (第三十三表): share of the members of each occupation away from their branch on the reference
# date (外出务工经商 farmers above all), and how far and where they go.
MOBILE_RATES = {"worker": 0.05, "farmer": 0.10, "professional": 0.015, "manager": 0.01, "government": 0.0,
                "student": 0.0, "other": 0.06, "retired": 0.003}
MOBILE_ENDED_SHARE = 0.12  # of the mobile statuses recorded: already back by the reference date
MOBILE_CERTIFICATE = 0.65  # 持《中国共产党流动党员活动证》
FLOW_SCOPES = (("cross_province", 45.0), ("cross_city", 35.0), ("within_city", 20.0))
FLOW_DESTINATIONS = (("nonpublic_private", 35.0), ("individual_business", 15.0), ("urban_community", 12.0),
                     ("township_community", 5.0), ("village", 3.0), ("public_institution", 5.0),
                     ("public_organ", 2.0), ("public_talent_center", 2.0), ("public_hk_macao_taiwan", 1.0),
                     ("public_foreign", 1.0), ("nonpublic_nonprofit", 3.0), ("nonpublic_hk_macao_taiwan", 3.0),
                     ("nonpublic_foreign", 4.0), ("other", 4.0), ("unknown", 5.0))
# 失联党员 (第四十三表): share of the members, and when contact was lost (years before the reference date:
# 6个月以上不满1年, 1年至5年, 6年至10年, 11年及以上).
LOST_CONTACT_RATE = 0.0015
LOST_CONTACT_YEARS = (((0.5, 1.0), 20.0), ((1.0, 6.0), 40.0), ((6.0, 11.0), 25.0), ((11.0, 18.0), 15.0))
LOST_CONTACT_SITUATIONS = (("migrant_work", 40.0), ("residence_change", 15.0), ("job_change", 12.0),
                           ("restructuring", 10.0), ("graduate_unknown", 8.0), ("abroad", 5.0), ("other", 10.0))
ABROAD_RATE = 0.001  # 出国（境） for study or work, open on the reference date
# Terms (第二十四表): 3 years, 5 for villages, communities, 乡镇党委 and the county committee
# (《中国共产党支部工作条例（试行）》第十二条; rules.md §2); a share is overdue (任届期满, not re-elected).
TERM_EXPIRED_SHARE = 0.06
# Enterprises' 经济控制类型 (第二十四表): 党委-level companies are more often state-controlled.
ECONOMIC_CONTROL = {"committee": (("state_controlled", 50.0), ("collective_controlled", 5.0),
                                  ("non_public_controlled", 45.0)),
                    "branch": (("state_controlled", 20.0), ("collective_controlled", 8.0),
                               ("non_public_controlled", 72.0))}
MIGRANT_WORKER = {"village": 1.0, "community": 0.3, "enterprise": 0.25, "joint": 0.4}  # 农民工 among 工勤技能人员
# 专业技术职务 level (senior, intermediate, junior; the rest none) by occupation; minimum ages 35 / 28.
TITLE_LEVELS = {"professional": (0.12, 0.38, 0.35), "manager": (0.05, 0.20, 0.15), "government": (0.02, 0.08, 0.05),
                "retired": (0.04, 0.08, 0.05), "worker": (0.0, 0.02, 0.05)}
TITLE_LEVELS_RETIRED_PROFESSIONAL = (0.2, 0.3, 0.15)  # retirees of school / hospital branches
TAIWAN_RATE = 0.00025  # 台湾省籍 (at least one from EVERY_KIND_FROM members)
# The development pipeline's 工作岗位 by the kind of branch it is in (入党申请人 … 发展对象).
APPLICANT_OCCUPATIONS = {
    "village": (("farmer", 80.0), ("worker", 20.0)),
    "community": (("other", 50.0), ("worker", 30.0), ("manager", 20.0)),
    "organ": (("government", 100.0),),
    "retiree": (("other", 100.0),),
    "school": (("professional", 80.0), ("manager", 20.0)),
    "student": (("student", 100.0),),
    "hospital": (("professional", 85.0), ("manager", 15.0)),
    "enterprise": (("worker", 45.0), ("professional", 35.0), ("manager", 20.0)),
    "social": (("professional", 50.0), ("manager", 30.0), ("other", 20.0)),
    "joint": (("worker", 50.0), ("manager", 30.0), ("other", 20.0)),
}
