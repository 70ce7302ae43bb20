"""``party.selectors.member_roster``: the entry point exports and scripts use (same filters as the page)."""

import datetime as dt

import pytest
from django.http import QueryDict

from zugong.core.errors import ValidationFailed
from zugong.party.selectors import member_roster, roster_rows


def test_roster_with_plain_filters_and_as_of(tree):
    rows = roster_rows(member_roster(user=tree.county_user, as_of=dt.date(2012, 1, 1)))
    assert [(r.name, r.category_label, r.age) for r in rows] == [("张伟", "正式党员", 26), ("王强", "正式党员", 53)]
    assert {r.as_of for r in rows} == {dt.date(2012, 1, 1)}


def test_roster_accepts_a_querydict(tree):
    qs = member_roster(user=tree.county_user, filters=QueryDict("org=C-A&category=probationary"))
    assert [m.person.name for m in qs] == ["李娜"]


def test_roster_is_scoped_and_out_of_scope_org_is_empty(tree):
    assert [m.person.name for m in member_roster(user=tree.branch_b_user)] == ["阿依古丽"]
    assert not member_roster(user=tree.branch_b_user, filters={"org": "C-A-1"}).exists()
    assert not member_roster(user=tree.nogrant_user).exists()


def test_export_action_uses_the_export_scope(tree):
    # 支部书记 may export their branch; the viewer-only county grant is not an export grant
    from tests.factories import make_user

    viewer = make_user("county_viewer", "viewer", tree.county)
    assert member_roster(user=viewer).count() == 4
    assert member_roster(user=viewer, action="export").count() == 0
    assert member_roster(user=tree.branch_user, action="export").count() == 2


def test_invalid_filters_raise_validation_failed_with_chinese_reasons(tree):
    with pytest.raises(ValidationFailed) as caught:
        member_roster(user=tree.county_user, filters={"education": "博士后", "ethnicity": "火星族"})
    reasons = {(e.column, e.reason) for e in caught.value.errors}
    assert reasons == {("学历", "无法识别的学历「博士后」"), ("民族", "无法识别的民族「火星族」")}


@pytest.mark.parametrize("sort", ["", "name", "-birth_date", "admission_date", "-organization"])
def test_roster_paginator_pages_follow_the_order(tree, sort):
    from tests import factories
    from zugong.party.selectors import RosterPaginator

    for i in range(12):
        factories.make_member(tree.branch_a2, f"测{i:02d}", birth_date=dt.date(1970 + i % 5, 1 + i, 1))
    qs = member_roster(user=tree.county_user, filters={"sort": sort} if sort else {})
    expected = [m.pk for m in qs]
    paginator = RosterPaginator(qs, 5)
    pages = [[m.pk for m in paginator.get_page(page=n).object_list] for n in range(1, paginator.num_pages + 1)]
    assert [pk for page in pages for pk in page] == expected
    assert [len(p) for p in pages] == [5, 5, 5, 1]
    assert all(m.roster_as_of for m in paginator.get_page(page=2).object_list)
