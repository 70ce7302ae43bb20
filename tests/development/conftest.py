"""Fixtures of the development tests: the ``tree`` fixture plus three more full members in branch A1 (so the
branch has 4 正式党员 with voting rights: 张伟 and these) and an applicant born 2000-01-01."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.factories import make_id, make_member

TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def dev(tree):
    from zugong.people.services import person_create

    d = SimpleNamespace(t=tree, today=TODAY)
    d.full = [make_member(tree.branch_a1, name, admission_date=dt.date(2012, 7, 1),
                          full_membership_date=dt.date(2013, 7, 1)) for name in ("赵刚", "钱敏", "孙立")]
    birth = dt.date(2000, 1, 1)
    d.person = person_create(user=tree.town_user, organization_id=tree.branch_a1.pk, name="周新", sex="1",
                             ethnicity="01", birth_date=birth, id_number=make_id(birth, "1"), education_level="21")
    d.actor = tree.town_user
    return d
