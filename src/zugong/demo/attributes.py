"""What the 党内统计年报 needs to know about a demo member and a demo organization (issue #10), beyond
what the 公报 reproduces: the 年报's 工作岗位 row of a membership (``occupation_fields``), 专业技术职务 level
(``title_level``) and the organizations' terms (``plan_terms``). Pure functions of the drawn values and a
``random.Random``; ``distributions`` Part 3 holds the shares.

工作岗位 (``core.codes.OCCUPATION_DETAIL``, the rows of ``reports.annual_layout.OCCUPATION_ROWS``): the 公报
category of the member (``plan.occ``) and the kind of branch decide the row — a 专业技术人员 of a school or
hospital is 事业单位专业技术人员, of a company 企业专业技术人员, of a social organization 民办非企业专业技术人员 —
and the branch's unit its sector (``UnitPlan.sector``: a company's 经济控制类型). Rows that are their 公报
category under the same name (党政机关工作人员, 农牧渔民, 学生, 离退休人员) are stored as the category alone, as
the importer does (``core.codes.occupation_parse``); every 在岗职工 row has its sector, so the 年报's row sums
add up. 农民工: 工勤技能人员 of village branches and a share of those of communities, companies and joint
branches; 外出务工经商人员: 农牧渔民 away as 流动党员 on the reference date (the caller passes it).
"""

from __future__ import annotations

import datetime as dt
import random

from zugong.core.dates import add_years
from zugong.demo import distributions as D


def occupation_fields(rng: random.Random, occupation: str, kind: str, sector: str, front_line: bool, *,
                      away: bool = False, age: int | None = None) -> tuple[str, str, bool, bool, str]:
    """``(occupation_detail, ownership, migrant_worker, migrant_business, front_line_kind)`` of a member
    (or development record) of 公报 category ``occupation`` in a branch of ``kind`` whose unit's sector is
    ``sector`` (``""`` = none: village, community); ``front_line``: in 生产、工作第一线; ``away``: a 流动党员
    (a farmer away is 外出务工经商人员); ``age`` on the reference date (军人、武警 serve up to 55)."""
    detail, ownership, migrant_worker, migrant_business, line = "", "", False, False, ""
    if occupation == "worker":
        detail = "skilled_worker"
        ownership = sector or ("public" if kind in ("school", "hospital", "organ") else "non_public")
        if kind == "village":
            migrant_worker, ownership = True, "non_public"
        elif rng.random() < D.MIGRANT_WORKER.get(kind, 0.0):
            migrant_worker = True
        line = "enterprise_production" if kind in ("enterprise", "joint") or migrant_worker else "other"
    elif occupation == "farmer":
        migrant_business = away
        line = "rural_production"
    elif occupation == "professional":
        if kind in ("enterprise", "joint"):
            detail, ownership = "enterprise_professional", sector or "non_public"
        elif kind == "social":
            detail, ownership = "nonprofit_professional", "non_public"
        else:
            detail, ownership = "institution_professional", "public"
        line = ("teaching_research" if kind in ("school", "student") else
                "enterprise_production" if kind in ("enterprise", "joint") else "other")
    elif occupation == "manager":
        if kind in ("enterprise", "joint"):
            detail, ownership = "enterprise_manager", sector or "non_public"
        elif kind == "social":
            detail, ownership = "nonprofit_manager", "non_public"
        else:
            detail, ownership = "institution_manager", "public"
        line = "enterprise_production" if kind in ("enterprise", "joint") else "other"
    elif occupation == "government":
        ownership, line = "public", "other"
    elif occupation == "other":
        detail = "military" if kind == "organ" and (age is None or age <= 55) else "other"
        line = "other"
    return detail, ownership, migrant_worker, migrant_business, (line if front_line else "")


def title_level(rng: random.Random, occupation: str, kind: str, age: int) -> str:
    """专业技术职务 level (``senior`` / ``intermediate`` / ``junior`` / ``""``) by occupation (retirees of
    schools and hospitals more often titled); senior from 35, intermediate from 28."""
    shares = (D.TITLE_LEVELS_RETIRED_PROFESSIONAL if occupation == "retired" and kind in ("school", "hospital")
              else D.TITLE_LEVELS.get(occupation))
    if not shares:
        return ""
    r = rng.random()
    senior, intermediate, junior = shares
    level = ("senior" if r < senior else "intermediate" if r < senior + intermediate
             else "junior" if r < senior + intermediate + junior else "")
    if level == "senior" and age < 35:
        level = "intermediate"
    if level == "intermediate" and age < 28:
        level = "junior"
    return level


def term_years(node) -> int:
    """Term length of an organization node: 5 years for the county committee, 乡镇党委, villages and
    communities, 3 otherwise (rules.md §2)."""
    if node.kind in ("root", "township") or node.unit_category in ("village", "community"):
        return 5
    return 3


def plan_terms(rng: random.Random, tree, reference: dt.date) -> list[tuple[int, dt.date, dt.date, dt.date]]:
    """``(node index, election_date, start_date, end_date)`` of the current term of every 党委, 党总支 and
    支部 in force on ``reference`` (and of the term before it when the organization existed then). A share
    ``TERM_EXPIRED_SHARE`` is overdue: its term ended before ``reference`` (任届期满); the others were
    elected within the last term length, so about a third of the 3-year ones 换届 in the reference year."""
    terms = []
    ref = reference.toordinal()
    grassroots = [node for node in tree.nodes if node.org_type in ("committee", "general_branch", "branch",
                                                                    "joint_branch") and not node.dissolved]
    overdue = {node.index for node in grassroots if rng.random() < D.TERM_EXPIRED_SHARE}
    if not overdue and len(grassroots) >= 20:  # an example of 任届期满 even at small scales
        overdue.add(grassroots[-1].index)
    for node in grassroots:
        years = term_years(node)
        span = add_years(reference, -years).toordinal()  # a term starting after this is in force on REF
        if node.index in overdue:
            start = span - 1 - int(rng.random() * 300)
        else:
            start = span + 1 + int(rng.random() * (ref - span - 1))
        start = max(start, node.founded)
        first = dt.date.fromordinal(start)
        terms.append((node.index, first, first, add_years(first, years)))
        before = add_years(first, -years)
        if before.toordinal() >= node.founded:
            terms.append((node.index, before, before, first))
    return terms
