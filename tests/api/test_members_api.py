"""/api/members/: scope (404 outside, 403 anonymous), the shared filter set, fields, constant queries."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories

LIST = "/api/members/"


def detail(person):
    return f"/api/members/{person.pk}/"


def names(response):
    return sorted(item["name"] for item in response.json()["results"])


def test_anonymous_is_refused(client, tree):
    assert client.get(LIST).status_code == 403
    assert client.get(detail(tree.member_a1_1)).status_code == 403


def test_user_without_grant_sees_nothing(client, tree):
    client.force_login(tree.nogrant_user)
    response = client.get(LIST)
    assert response.status_code == 200
    assert response.json()["count"] == 0
    assert client.get(detail(tree.member_a1_1)).status_code == 404


def test_branch_user_scope(client, tree):
    client.force_login(tree.branch_user)
    assert names(client.get(LIST)) == ["张伟", "李娜"]
    assert client.get(detail(tree.member_b1_1)).status_code == 404
    assert client.get(detail(tree.member_a1_1)).status_code == 200


@pytest.mark.parametrize("ref", ["C-B-1", "C-B", "C", "unknown"])
def test_org_filter_outside_scope_gives_no_rows(client, tree, ref):
    client.force_login(tree.branch_user)
    response = client.get(LIST, {"org": ref})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_county_user_sees_all(client, tree):
    client.force_login(tree.county_user)
    body = client.get(LIST).json()
    assert body["count"] == 4
    assert names(client.get(LIST, {"org": "C-A"})) == ["张伟", "李娜", "王强"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"education": "college_or_above"}, ["张伟", "李娜", "阿依古丽"]),
        ({"ethnicity": "少数民族"}, ["阿依古丽"]),
        ({"category": "probationary"}, ["李娜"]),
        ({"age_min": "60", "as_of": "2018-01-09"}, ["王强"]),
        ({"age_min": "60", "as_of": "2018-01-08"}, []),
        ({"as_of": "2012-01-01"}, ["张伟", "王强"]),
        ({"name": "张", "sex": "男"}, ["张伟"]),
    ],
)
def test_filters(client, tree, params, expected):
    client.force_login(tree.county_user)
    response = client.get(LIST, params)
    assert response.status_code == 200
    assert names(response) == expected


def test_invalid_filter_is_400_with_chinese_message(client, tree):
    client.force_login(tree.county_user)
    response = client.get(LIST, {"education": "博士后"})
    assert response.status_code == 400
    assert "无法识别的学历" in str(response.json())


def test_item_fields_and_masked_id(client, tree):
    factories.make_member(tree.branch_a2, "赵敏", admission_date=dt.date(2019, 7, 1),
                          full_membership_date=dt.date(2020, 7, 1), birth_date=dt.date(1995, 7, 1), sex="2")
    client.force_login(tree.county_user)
    item = client.get(LIST, {"name": "赵敏", "as_of": "2020-06-30"}).json()["results"][0]
    assert item["category"] == "probationary" and item["category_label"] == "预备党员"
    assert item["full_membership_date"] is None
    assert item["age"] == 24
    assert item["as_of"] == "2020-06-30"
    assert item["organization"]["code"] == "C-A-2"
    assert item["sex_label"] == "女" and item["occupation_label"] == "企事业单位、社会组织专业技术人员"
    assert len(item["id_number_masked"]) == 18 and item["id_number_masked"][:17] == "*" * 17
    full = client.get(detail(tree.member_a1_1)).json()
    assert full["id_number_masked"] == tree.member_a1_1.id_number_masked
    assert tree.member_a1_1.id_number not in str(full)
    assert "id_number" not in full


def test_retrieve_as_of_before_admission_is_404(client, tree):
    client.force_login(tree.county_user)
    assert client.get(detail(tree.member_a1_2), {"as_of": "2020-01-01"}).status_code == 404
    assert client.get(detail(tree.member_a1_2), {"as_of": "2024-06-20"}).status_code == 200


def test_sort(client, tree):
    client.force_login(tree.county_user)
    results = client.get(LIST, {"sort": "-birth_date"}).json()["results"]
    assert [r["name"] for r in results] == ["李娜", "阿依古丽", "张伟", "王强"]


def _queries(client) -> tuple[int, int]:
    client.get(LIST)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST, {"org": "C-A-1"})
    return len(ctx.captured_queries), len(response.json()["results"])


def test_list_query_count_is_constant(client, tree):
    client.force_login(tree.county_user)
    for i in range(8):
        factories.make_member(tree.branch_a1, f"甲{i}")
    small, n_small = _queries(client)
    for i in range(40):
        factories.make_member(tree.branch_a1, f"乙{i}")
    large, n_large = _queries(client)
    assert (n_small, n_large) == (10, 50)
    assert small == large
