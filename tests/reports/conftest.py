"""A statistics dataset whose true counts are known exactly (worked out by hand below).

Reference date ``AS_OF`` = 2024-06-30. Tree (``S`` = the subtree counted; ``O`` = another root)::

    S   县委 (committee, holds m18)
    ├── S-A   甲镇党委 (committee)
    │   ├── S-A-1  机关党支部 (branch)            m1 m2 m7 m14 m16 m19 (+m8 until 2024-03-01, m17 died, m13 later)
    │   │   └── S-A-1-G 党小组 (party_group — never counted)
    │   ├── S-A-2  联合党支部 (joint_branch)      m3 m4 m12 m20
    │   ├── S-A-3  临时党支部 (temporary_branch, founded 2024-03-01)   m11
    │   └── S-A-4  党支部 dissolved 2023-12-31 (not counted)
    ├── S-G   党总支 (general_branch)
    │   └── S-G-1  党支部 (branch)                m5 m6 m9 (transferred in 2023-05-01) m15 m21
    ├── S-W   党工委 (working_committee — not one of the 公报's three kinds)
    └── S-F   党支部 founded 2024-09-01 (after AS_OF: not counted)
    O   另一县委 (committee)
    └── O-1   党支部                            m8 (from 2024-03-01) m10 (m9 until 2023-05-01)

Members (sex, ethnicity, birth, education, admission, full membership, occupation, front line) — see
``MEMBERS``. Expected counts for S on AS_OF are in ``EXPECTED``; each figure's members are named in
the comments so a reader can check them.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.factories import make_id, make_member, make_user
from zugong.orgs.models import PartyOrganization
from zugong.orgs.services import organization_create
from zugong.party.models import DevelopmentRecord, Membership
from zugong.people.models import Person

AS_OF = dt.date(2024, 6, 30)
D = dt.date

# name: (org code, sex, ethnicity, birth, education, admission, full membership, occupation, front line)
MEMBERS = {
    "m1": ("S-A-1", "2", "01", D(1993, 6, 30), "21", D(2015, 7, 1), D(2016, 7, 1), "professional", False),  # turns 31 on AS_OF
    "m2": ("S-A-1", "1", "05", D(1993, 7, 1), "31", D(2012, 11, 8), D(2013, 11, 8), "worker", True),  # 30; 十八大 opened
    # 入党时间 eras run in whole months (rules.md §1): 三中全会 opened 1978-12-18, but its era starts 1979-01-01
    "m3": ("S-A-2", "1", "01", D(1955, 1, 1), "61", D(1978, 12, 18), D(1979, 12, 18), "retired", False),  # before
    "m4": ("S-A-2", "2", "01", D(1950, 5, 5), "71", D(1979, 1, 1), D(1980, 1, 1), "retired", False),  # era's first day
    "m5": ("S-G-1", "1", "03", D(1930, 2, 2), "81", D(1949, 10, 1), D(1950, 10, 1), "retired", False),  # 1949-10-01
    "m6": ("S-G-1", "1", "01", D(1929, 9, 9), "90", D(1949, 9, 30), D(1950, 9, 30), "retired", False),  # 新中国成立前
    "m7": ("S-A-1", "1", "01", D(2000, 3, 15), "14", D(2023, 8, 1), D(2024, 8, 1), "student", False),  # full after AS_OF
    "m8": ("S-A-1", "1", "01", D(1980, 1, 1), "21", D(2010, 1, 1), D(2011, 1, 1), "government", False),  # moves to O-1
    "m9": ("O-1", "2", "01", D(1975, 6, 30), "21", D(2005, 5, 5), D(2006, 5, 5), "worker", False),  # moves into S-G-1
    "m10": ("O-1", "1", "01", D(1985, 1, 1), "21", D(2010, 1, 1), D(2011, 1, 1), "worker", False),  # outside S
    "m11": ("S-A-3", "2", "02", D(1989, 3, 1), "31", D(2024, 3, 1), None, "farmer", True),  # developed, 35 at admission
    "m12": ("S-A-2", "1", "01", D(1988, 5, 19), "41", D(2024, 5, 20), None, "worker", True),  # developed, 36 at admission
    "m13": ("S-A-1", "1", "01", D(1999, 1, 1), "21", D(2024, 7, 15), None, "worker", False),  # admitted after AS_OF
    "m14": ("S-A-1", "1", "01", D(1988, 1, 2), "21", D(2024, 1, 1), None, "government", False),  # developed 1 Jan, 35
    "m15": ("S-G-1", "2", "01", D(1995, 12, 31), "21", D(2023, 12, 31), D(2024, 12, 31), "other", False),  # 2023
    "m16": ("S-A-1", "1", "01", D(1992, 2, 29), "21", D(2012, 11, 1), D(2013, 11, 1), "professional", False),  # leap day; era's first day
    "m17": ("S-A-1", "1", "01", D(1940, 1, 1), "81", D(1970, 1, 1), D(1971, 1, 1), "retired", False),  # died 2024-01-10
    "m18": ("S", "1", "01", D(1962, 7, 1), "21", D(1985, 3, 3), D(1986, 3, 3), "government", False),  # 61 on AS_OF
    "m19": ("S-A-1", "1", "", D(1963, 7, 1), "61", D(1990, 1, 1), D(1991, 1, 1), "farmer", False),  # 60; no ethnicity
    "m20": ("S-A-2", "1", "01", D(1979, 6, 30), "21", D(2001, 7, 1), D(2002, 7, 1), "professional", False),  # turns 45
    "m21": ("S-G-1", "2", "01", D(1969, 7, 1), "31", D(1995, 7, 1), D(1996, 7, 1), "manager", False),  # 54
}

OCCUPATIONS = ["工人（工勤技能人员）", "农牧渔民", "企事业单位、社会组织专业技术人员", "企事业单位、社会组织管理人员",
               "党政机关工作人员", "学生", "其他职业人员", "离退休人员"]

# Counted in S on AS_OF: m1 m2 m3 m4 m5 m6 m7 m9 m11 m12 m14 m15 m16 m18 m19 m20 m21 (17).
# Not counted: m8 (transferred out), m10 (outside S), m13 (admitted after AS_OF), m17 (died).
EXPECTED = {
    "截至日期": "2024-06-30",
    "党员总数": 17,
    "正式党员": 12,  # all but m7 m11 m12 m14 m15
    "预备党员": 5,
    "基层组织": {"基层党委": 2, "总支部": 1, "支部": 4},  # S S-A | S-G | S-A-1 S-A-2 S-A-3 S-G-1
    "女党员": 6,  # m1 m4 m9 m11 m15 m21
    "少数民族党员": 3,  # m2 m5 m11 (m19 has none recorded)
    "大专及以上学历党员": 11,  # m1 m2 m7 m9 m11 m14 m15 m16 m18 m20 m21
    "占比": {"女党员": 35.3, "少数民族党员": 17.6, "大专及以上学历党员": 64.7},  # 6/17 3/17 11/17
    "年龄": {
        "30岁及以下": 3,  # m2 (30) m7 m15
        "31至35岁": 3,  # m1 (31 today) m11 m16
        "36至40岁": 2,  # m12 m14
        "41至45岁": 1,  # m20 (45 today)
        "46至50岁": 1,  # m9
        "51至55岁": 1,  # m21
        "56至60岁": 1,  # m19 (61 tomorrow)
        "61岁及以上": 5,  # m3 m4 m5 m6 m18
    },
    "入党时间": {  # eras from 1949-10-01, 1979-01-01, 2012-11-01 (whole months)
        "新中国成立前": 1,  # m6
        "新中国成立后至党的十一届三中全会前": 2,  # m3 (1978-12-18) m5
        "党的十一届三中全会后至党的十八大前": 6,  # m4 (1979-01-01) m9 m18 m19 m20 m21
        "党的十八大以来": 8,  # m1 m2 m7 m11 m12 m14 m15 m16 (2012-11-01)
    },
    "职业": dict(zip(OCCUPATIONS, [2, 2, 3, 2, 2, 1, 1, 4], strict=True)),
    # worker m2 m12 | farmer m11 m19 | professional m1 m16 m20 | manager m9 (new membership) m21 |
    # government m14 m18 | student m7 | other m15 | retired m3 m4 m5 m6
    "发展党员": {
        "合计": 3,  # m11 m12 m14 (m13 after AS_OF, m15 in 2023)
        "女": 1,
        "少数民族": 1,
        "35岁及以下": 2,  # m11 (35 on admission day) m14; m12 was 36
        "大专及以上学历": 2,  # m11 m14
        "生产工作一线": 2,  # m11 m12
        "职业": dict(zip(OCCUPATIONS, [1, 1, 0, 0, 1, 0, 0, 0], strict=True)),
    },
    "入党申请人": 5,  # r1 r2 r3 r5 r8
    "入党积极分子": 3,  # r2 r3 r8
}


FOUNDED = D(1950, 1, 1)


def _org(code, name, org_type, parent=None, founded=FOUNDED, dissolved=None):
    org = organization_create(code=code, name=name, org_type=org_type, parent=parent, founded_date=founded)
    if dissolved:
        PartyOrganization.objects.filter(pk=org.pk).update(status="dissolved", dissolved_date=dissolved)
        org.refresh_from_db()
    return org


def _applicant(org, name, applied, activist=None, candidate=None, admitted=None, closed=None):
    person = Person(name=name, sex="1", ethnicity="01", birth_date=D(2000, 1, 1), education_level="21",
                    political_status="13", organization=org)
    person.set_id_number(make_id(person.birth_date, "1"))
    person.save()
    return DevelopmentRecord.objects.create(person=person, organization=org, application_date=applied,
                                            activist_date=activist, candidate_date=candidate,
                                            admission_date=admitted, closed_date=closed)


def build_stats_tree() -> SimpleNamespace:
    t = SimpleNamespace()
    t.S = _org("S", "某县委", "committee")
    t.SA = _org("S-A", "甲镇党委", "committee", t.S)
    t.SA1 = _org("S-A-1", "甲镇机关党支部", "branch", t.SA)
    t.SA1G = _org("S-A-1-G", "甲镇机关第一党小组", "party_group", t.SA1)
    t.SA2 = _org("S-A-2", "甲镇联合党支部", "joint_branch", t.SA)
    t.SA3 = _org("S-A-3", "甲镇项目临时党支部", "temporary_branch", t.SA, founded=D(2024, 3, 1))
    t.SA4 = _org("S-A-4", "甲镇原农机站党支部", "branch", t.SA, dissolved=D(2023, 12, 31))
    t.SG = _org("S-G", "县医院党总支", "general_branch", t.S)
    t.SG1 = _org("S-G-1", "县医院内科党支部", "branch", t.SG)
    t.SW = _org("S-W", "县直机关工委", "working_committee", t.S)
    t.SF = _org("S-F", "新区党支部", "branch", t.S, founded=D(2024, 9, 1))
    t.O = _org("O", "另一县委", "committee")
    t.O1 = _org("O-1", "另一县机关党支部", "branch", t.O)
    orgs = {o.code: o for o in PartyOrganization.objects.all()}

    t.members = {}
    for name, (code, sex, eth, birth, edu, adm, full, occ, front) in MEMBERS.items():
        t.members[name] = make_member(orgs[code], name, sex=sex, ethnicity=eth, birth_date=birth, education_level=edu,
                                      admission_date=adm, full_membership_date=full, occupation=occ,
                                      front_line=front)

    def move(name, to, on, occupation, reason="transfer"):
        person = t.members[name]
        current = Membership.objects.get(person=person, end_date__isnull=True)
        Membership.objects.filter(pk=current.pk).update(end_date=on, end_reason=reason)
        if to is not None:
            Membership.objects.create(person=person, organization=to, start_date=on, occupation=occupation)

    move("m8", t.O1, D(2024, 3, 1), "government")  # transferred out of S before AS_OF
    move("m9", t.SG1, D(2023, 5, 1), "manager")  # transferred into S (was a 工人 in O-1)
    move("m17", None, D(2024, 1, 10), "", reason="death")

    t.records = {
        "r1": _applicant(t.SA1, "申请人一", D(2023, 1, 1)),
        "r2": _applicant(t.SA1, "申请人二", D(2022, 1, 1), activist=D(2022, 6, 1)),
        "r3": _applicant(t.SA2, "申请人三", D(2021, 1, 1), activist=D(2021, 6, 1), candidate=D(2022, 6, 1)),
        "r4": _applicant(t.SA2, "申请人四", D(2024, 7, 1)),  # applied after AS_OF
        "r5": _applicant(t.SG1, "申请人五", D(2022, 1, 1), activist=D(2024, 7, 1)),  # activist after AS_OF
        "r6": _applicant(t.SA1, "申请人六", D(2021, 1, 1), activist=D(2021, 6, 1), admitted=D(2024, 3, 1)),
        "r7": _applicant(t.SA1, "申请人七", D(2021, 1, 1), closed=AS_OF),  # closed on AS_OF: no longer open
        "r8": _applicant(t.SA1, "申请人八", D(2021, 1, 1), activist=D(2022, 1, 1), admitted=D(2024, 7, 1)),
        "r9": _applicant(t.O1, "申请人九", D(2022, 1, 1), activist=D(2022, 6, 1)),  # outside S
    }

    t.county_user = make_user("stats_county", "org_department", t.S)
    t.town_user = make_user("stats_town", "party_affairs", t.SA)
    t.branch_user = make_user("stats_branch", "branch_secretary", t.SA1)
    t.viewer = make_user("stats_viewer", "viewer", t.S)  # no export permission
    t.town_node_user = make_user("stats_town_node", "viewer", t.SA, include_subtree=False)
    t.other_user = make_user("stats_other", "org_department", t.O)
    t.nogrant_user = make_user("stats_nogrant")
    return t


@pytest.fixture
def stats_tree(db):
    return build_stats_tree()
