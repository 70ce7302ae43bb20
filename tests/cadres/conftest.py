"""Fixtures of the cadres tests (issue #12)."""

from __future__ import annotations

import pytest

from tests import factories
from zugong.accounts.services import grant_role


@pytest.fixture
def ct(units):
    """``units`` (org tree + unit tree, ``factories.build_units``) plus cadre workers:

    - ``cadre_user``: 干部工作人员 (``cadre_affairs``: cadre/assessment labels, discipline view) on 甲镇
      ``U-A`` and its subtree (甲镇农机厂 ``U-A-E``);
    - ``cadre_b_user``: 干部工作人员 on 乙镇 ``U-B``;
    - ``county_user`` (组织部门管理员 on the county unit ``U``: every label) comes from ``build_units``;
      ``town_user`` (党务工作者 on ``U-A``: basic and party only) must see **no** cadre data.
    """
    t = units
    t.cadre_user = factories.make_user("cadre_a")
    grant_role(user=t.cadre_user, role_code="cadre_affairs", unit=t.unit_town_a)
    t.cadre_b_user = factories.make_user("cadre_b")
    grant_role(user=t.cadre_b_user, role_code="cadre_affairs", unit=t.unit_town_b)
    return t
