"""/api/organizations/: scope, filters (code, name, org_type, under), parent code, constant queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zugong.orgs.services import organization_create

LIST = "/api/organizations/"


def codes(response):
    return [item["code"] for item in response.json()["results"]]


def test_anonymous_is_refused(client, tree):
    assert client.get(LIST).status_code == 403
    assert client.get(f"{LIST}{tree.county.pk}/").status_code == 403


def test_user_without_grant(client, tree):
    client.force_login(tree.nogrant_user)
    assert client.get(LIST).json()["count"] == 0
    assert client.get(f"{LIST}{tree.county.pk}/").status_code == 404


def test_scope_and_retrieve(client, tree):
    client.force_login(tree.town_user)
    assert codes(client.get(LIST)) == ["C-A", "C-A-1", "C-A-2"]
    assert client.get(f"{LIST}{tree.town_b.pk}/").status_code == 404
    assert client.get(f"{LIST}{tree.county.pk}/").status_code == 404
    item = client.get(f"{LIST}{tree.branch_a1.pk}/").json()
    assert item["code"] == "C-A-1" and item["org_type_label"] == "党支部" and item["parent_code"] == "C-A"
    top = client.get(f"{LIST}{tree.town_a.pk}/").json()
    assert top["parent_code"] is None  # the parent (某县委) is outside the scope


def test_county_user_sees_everything(client, tree):
    client.force_login(tree.county_user)
    assert codes(client.get(LIST)) == ["C", "C-A", "C-A-1", "C-A-2", "C-B", "C-B-1"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"code": "C-B"}, ["C-B"]),
        ({"name": "机关"}, ["C-A-1", "C-B-1"]),
        ({"org_type": "branch"}, ["C-A-1", "C-A-2", "C-B-1"]),
        ({"org_type": "党委"}, ["C", "C-A", "C-B"]),
        ({"under": "C-A"}, ["C-A", "C-A-1", "C-A-2"]),
        ({"under": "nope"}, []),
    ],
)
def test_filters(client, tree, params, expected):
    client.force_login(tree.county_user)
    assert codes(client.get(LIST, params)) == expected


def test_under_outside_scope_gives_nothing(client, tree):
    client.force_login(tree.town_user)
    assert codes(client.get(LIST, {"under": "C-B"})) == []
    assert codes(client.get(LIST, {"under": "C"})) == []
    assert codes(client.get(LIST, {"under": str(tree.town_b.pk)})) == []


def test_list_query_count_is_constant(client, tree):
    client.force_login(tree.county_user)
    client.get(LIST)
    with CaptureQueriesContext(connection) as ctx:
        client.get(LIST)
    before = len(ctx.captured_queries)
    for i in range(30):
        organization_create(code=f"C-A-1-{i}", name=f"第{i}党小组", org_type="party_group", parent=tree.branch_a1)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(LIST)
    assert response.json()["count"] == 36
    assert len(ctx.captured_queries) == before


def test_schema_lists_both_endpoints(client, tree):
    client.force_login(tree.county_user)
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = response.content.decode()
    assert "/api/organizations/" in schema and "/api/members/{person_id}/" in schema
