"""Factories for realistic test data: valid ID numbers, consistent dates, a three-level org tree.

``build_tree()`` returns a ``SimpleNamespace`` with:
- ``county`` (县委, code ``C``) → ``town_a`` (``C-A``, 乡镇党委) → ``branch_a1`` (``C-A-1``), ``branch_a2``
  (``C-A-2``); ``town_b`` (``C-B``) → ``branch_b1`` (``C-B-1``);
- users ``county_user`` (组织部门管理员 at county, subtree), ``town_user`` (党务工作者 at town A),
  ``branch_user`` (支部书记 at branch A1), ``branch_b_user`` (支部书记 at branch B1),
  ``nogrant_user`` (no grant); every password is ``PASSWORD``;
- members: 2 in A1 (one woman, one 预备党员), 1 in A2, 1 in B1 (少数民族).
"""

from __future__ import annotations

import datetime as dt
import itertools
from types import SimpleNamespace

from django.contrib.auth import get_user_model

from zugong.accounts.services import grant_role
from zugong.core import idnumber
from zugong.orgs.services import organization_create
from zugong.party.services import member_register

PASSWORD = "Zg-Test-Passw0rd!"
_seq = itertools.count(1)


def make_id(birth_date: dt.date, sex: str, region: str = "110105") -> str:
    """A fresh valid ID number for ``birth_date``/``sex`` (unique within a test run)."""
    return idnumber.make(region, birth_date, next(_seq), sex)


def make_user(username: str, role_code: str | None = None, org=None, include_subtree: bool = True):
    user = get_user_model().objects.create_user(username=username, password=PASSWORD, full_name=username)
    if role_code:
        grant_role(user=user, role_code=role_code, organization=org, include_subtree=include_subtree)
    return user


def make_member(org, name: str, *, sex: str = "1", ethnicity: str = "01", birth_date=dt.date(1985, 6, 15),
                education_level: str = "21", admission_date=dt.date(2010, 7, 1),
                full_membership_date: dt.date | None = dt.date(2011, 7, 1), occupation: str = "professional",
                front_line: bool = False):
    return member_register(
        name=name, id_number=make_id(birth_date, sex), sex=sex, ethnicity=ethnicity, birth_date=birth_date,
        education_level=education_level, organization=org, admission_date=admission_date,
        full_membership_date=full_membership_date, occupation=occupation, front_line=front_line,
    )


def build_tree() -> SimpleNamespace:
    t = SimpleNamespace()
    t.county = organization_create(code="C", name="某县委", org_type="committee", unit_category="government_organ",
                                   founded_date=dt.date(1950, 1, 1))
    t.town_a = organization_create(code="C-A", name="甲镇党委", org_type="committee", parent=t.county,
                                   unit_category="township", founded_date=dt.date(1958, 1, 1))
    t.town_b = organization_create(code="C-B", name="乙镇党委", org_type="committee", parent=t.county,
                                   unit_category="township", founded_date=dt.date(1958, 1, 1))
    t.branch_a1 = organization_create(code="C-A-1", name="甲镇机关党支部", org_type="branch", parent=t.town_a,
                                      unit_category="government_organ", founded_date=dt.date(1960, 1, 1))
    t.branch_a2 = organization_create(code="C-A-2", name="甲镇东村党支部", org_type="branch", parent=t.town_a,
                                      unit_category="village", founded_date=dt.date(1960, 1, 1))
    t.branch_b1 = organization_create(code="C-B-1", name="乙镇机关党支部", org_type="branch", parent=t.town_b,
                                      unit_category="government_organ", founded_date=dt.date(1960, 1, 1))
    t.member_a1_1 = make_member(t.branch_a1, "张伟")
    t.member_a1_2 = make_member(t.branch_a1, "李娜", sex="2", birth_date=dt.date(1998, 3, 2),
                                admission_date=dt.date(2024, 6, 20), full_membership_date=None,
                                occupation="government", education_level="14")
    t.member_a2_1 = make_member(t.branch_a2, "王强", birth_date=dt.date(1958, 1, 9), education_level="61",
                                admission_date=dt.date(1980, 5, 4), full_membership_date=dt.date(1981, 5, 4),
                                occupation="farmer", front_line=True)
    t.member_b1_1 = make_member(t.branch_b1, "阿依古丽", sex="2", ethnicity="05", birth_date=dt.date(1990, 11, 30),
                                admission_date=dt.date(2015, 7, 1), full_membership_date=dt.date(2016, 7, 1),
                                occupation="government", education_level="21")
    t.county_user = make_user("county", "org_department", t.county)
    t.town_user = make_user("town_a", "party_affairs", t.town_a)
    t.branch_user = make_user("branch_a1", "branch_secretary", t.branch_a1)
    t.branch_b_user = make_user("branch_b1", "branch_secretary", t.branch_b1)
    t.nogrant_user = make_user("nogrant")
    return t


# Real-shaped 统一社会信用代码 (GB 32100-2015 check characters verified by the validator's tests).
CREDIT_CODES = ("91350100M000100Y43", "91110000802100433B", "9144030071526726XG", "91330100716105852F")


def build_units(t: SimpleNamespace) -> SimpleNamespace:
    """Add a unit tree beside ``t``'s organization tree (idempotent):

    - ``unit_county`` (``U``, 某县, 机关) → ``unit_town_a`` (``U-A``, 甲镇, 乡镇) → ``unit_firm_a``
      (``U-A-E``, 甲镇农机厂, 企业, 法人, 集体经济控制, 小型); ``unit_town_b`` (``U-B``, 乙镇) →
      ``unit_firm_b`` (``U-B-E``, 乙镇食品公司, 企业, 法人, 非公有经济控制, 微型);
    - grants on the unit tree: ``county_user`` 组织部门管理员 on ``U``; ``town_user`` 党务工作者 on ``U-A``;
      ``unit_only_user`` 党务工作者 on ``U-B`` and no organization grant;
    - ``branch_a1`` is set up in ``U-A-E`` (法人单位).
    """
    from zugong.orgs.models import Unit
    from zugong.orgs.services import organization_set_unit
    from zugong.orgs.unit_services import unit_create

    if getattr(t, "unit_county", None) is not None:
        return t
    t.unit_county = Unit.objects.filter(code="U").first() or unit_create(
        code="U", name="某县", unit_category="government_organ", organ_level="county", legal_entity=True,
        credit_code=CREDIT_CODES[0])
    t.unit_town_a = unit_create(code="U-A", name="甲镇", unit_category="township", parent=t.unit_county)
    t.unit_town_b = unit_create(code="U-B", name="乙镇", unit_category="township", parent=t.unit_county)
    t.unit_firm_a = unit_create(code="U-A-E", name="甲镇农机厂", unit_category="enterprise", parent=t.unit_town_a,
                                legal_entity=True, credit_code=CREDIT_CODES[1], economic_control="collective_controlled",
                                enterprise_size="small", founded_date=dt.date(1985, 3, 1))
    t.unit_firm_b = unit_create(code="U-B-E", name="乙镇食品公司", unit_category="enterprise", parent=t.unit_town_b,
                                legal_entity=True, credit_code=CREDIT_CODES[2], economic_control="non_public_controlled",
                                enterprise_size="micro")
    grant_role(user=t.county_user, role_code="org_department", unit=t.unit_county)
    grant_role(user=t.town_user, role_code="party_affairs", unit=t.unit_town_a)
    t.unit_only_user = make_user("unit_b_only")
    grant_role(user=t.unit_only_user, role_code="party_affairs", unit=t.unit_town_b)
    t.branch_a1 = organization_set_unit(user=None, organization=t.branch_a1, relation="legal_entity_unit",
                                        unit=t.unit_firm_a, expected_version=None)
    return t


def make_cadre(unit, name: str, *, sex: str = "1", birth_date=dt.date(1980, 3, 15), organization=None, **fields):
    """A cadre (issue #12) of ``unit``: a new ``Person`` (valid ID number for ``birth_date``/``sex``, 汉族,
    大学本科毕业, in ``organization`` — ``None``: a non-member kept only by the unit) with its ``Cadre``
    profile; ``fields`` are further ``Cadre`` fields. Created directly (the contract of the cadres app);
    the cadre services are tested on their own."""
    from zugong.cadres.models import Cadre
    from zugong.people.models import Person

    person = Person(name=name, sex=sex, ethnicity="01", birth_date=birth_date, education_level="21",
                    political_status="01" if organization is not None else "13", organization=organization,
                    work_start_date=dt.date(birth_date.year + 22, 7, 1))
    person.set_id_number(make_id(birth_date, sex))
    person.save()
    return Cadre.objects.create(person=person, unit=unit, **fields)


def make_post(unit, name: str = "局长", *, level: str = "131", leadership: bool = True, max_holders: int = 1,
              start_date=dt.date(2000, 1, 1), **fields):
    """A post (issue #12) of ``unit`` at ``level`` (GB/T 12407), existing since ``start_date``."""
    from zugong.cadres.models import Post

    return Post.objects.create(unit=unit, name=name, level=level, leadership=leadership, max_holders=max_holders,
                               start_date=start_date, **fields)
