"""On the day of 转正 the member is 正式: ``full_membership_date == as_of`` counts as 正式党员 in the roster
filter (page, API and export share ``MemberFilterSet``), in the roster rows and in the statistics
(``reports.services.party_statistics``); the day before, the member is still 预备党员.
(《中国共产党章程》第七条: 党龄「从预备期满转为正式党员之日算起」— the 转正 day is the first day as 正式党员.)"""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from zugong.party.selectors import member_roster, roster_rows
from zugong.reports.services import party_statistics

pytestmark = pytest.mark.django_db

FULL = dt.date(2021, 3, 1)
DAY_BEFORE = FULL - dt.timedelta(days=1)


@pytest.fixture
def member(tree):
    return factories.make_member(tree.branch_b1, "赵转正", admission_date=dt.date(2020, 3, 1),
                                 full_membership_date=FULL)


def _names(user, as_of, category):
    return {m.person.name for m in member_roster(user=user, as_of=as_of, filters={"category": category})}


def test_roster_filter_counts_the_member_as_full_on_the_full_membership_date(tree, member):
    assert "赵转正" in _names(tree.county_user, FULL, "full")
    assert "赵转正" not in _names(tree.county_user, FULL, "probationary")
    assert "赵转正" in _names(tree.county_user, DAY_BEFORE, "probationary")
    assert "赵转正" not in _names(tree.county_user, DAY_BEFORE, "full")
    rows = {r.name: r for r in roster_rows(member_roster(user=tree.county_user, as_of=FULL))}
    assert (rows["赵转正"].category, rows["赵转正"].full_membership_date) == ("full", FULL)
    rows = {r.name: r for r in roster_rows(member_roster(user=tree.county_user, as_of=DAY_BEFORE))}
    assert (rows["赵转正"].category, rows["赵转正"].full_membership_date) == ("probationary", None)


def test_statistics_count_the_member_as_full_on_the_full_membership_date(tree, member):
    on_the_day = party_statistics(user=tree.county_user, organization=tree.branch_b1, as_of=FULL)
    day_before = party_statistics(user=tree.county_user, organization=tree.branch_b1, as_of=DAY_BEFORE)
    # 乙镇机关党支部: 阿依古丽 (正式 since 2016) and 赵转正
    assert (on_the_day["党员总数"], on_the_day["正式党员"], on_the_day["预备党员"]) == (2, 2, 0)
    assert (day_before["党员总数"], day_before["正式党员"], day_before["预备党员"]) == (2, 1, 1)
