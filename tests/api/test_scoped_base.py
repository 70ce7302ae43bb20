"""The generic scoped API base (``core.api``): 409 naming who changed which fields and when, the same
field messages as the page and the importer, out of scope → 404, lists that never hold another subtree's
row (every row checked, every page), pagination without a ``COUNT`` per request, the routes declared in
the registry, and API modules that read only through selectors."""

from __future__ import annotations

import ast
import datetime as dt
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import serializers
from rest_framework.viewsets import ModelViewSet

from tests import factories
from tests.imports.helpers import ORG_HEADERS, xlsx
from tests.orgs.test_services import snapshot
from zugong.core.api import ScopedModelViewSet, ScopedViewSet, scoped_action
from zugong.core.errors import ValidationFailed
from zugong.core.registry import register_api_viewset, registry, views_for
from zugong.orgs.importers import import_organizations
from zugong.orgs.models import PartyOrganization
from zugong.orgs.services import organization_create
from zugong.party.models import Membership
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
ORGS = "/api/organizations/"
SRC = Path(__file__).resolve().parents[2] / "src" / "zugong"


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


# ----- 409: who changed which fields and when ----------------------------------------------------------


def test_stale_person_patch_names_who_changed_which_fields_and_when(client, tree):
    url = f"/api/people/{tree.member_a1_1.pk}/"
    client.force_login(tree.county_user)
    assert patch(client, url, {"version": 1, "name": "张伟新", "education_level": "31"}).status_code == 200
    client.force_login(tree.town_user)
    response = patch(client, url, {"version": 1, "name": "旧副本"})
    assert response.status_code == 409
    body = response.json()
    assert "已被他人修改" in body["detail"] and "未保存" in body["detail"]
    assert "被 county 修改（修改了 姓名、学历）" in body["detail"]
    assert body["conflict"]["changed_by"] == "county"
    assert body["conflict"]["fields"] == ["姓名", "学历"]
    assert abs(dt.datetime.fromisoformat(body["conflict"]["changed_at"]) - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert Person.objects.get(pk=tree.member_a1_1.pk).name == "张伟新"


def test_stale_organization_patch_keeps_the_service_message_and_adds_the_conflict(client, tree):
    url = f"{ORGS}{tree.branch_a1.pk}/"
    client.force_login(tree.county_user)
    assert patch(client, url, {"version": 1, "founded_date": "1961-02-01"}).status_code == 200
    client.force_login(tree.town_user)
    before = snapshot()
    body = patch(client, url, {"version": 1, "name": "改名"}).json()
    assert body["detail"].startswith("该组织已被 county 于 ") and "（成立日期）" in body["detail"]
    assert body["conflict"]["changed_by"] == "county" and body["conflict"]["fields"] == ["成立日期"]
    assert snapshot() == before


def test_stale_membership_action_names_the_membership_change(client, tree):
    """The 409 of an action names the record whose version was stale (the open membership), not the
    party record of the URL."""
    pk = tree.member_a1_1.pk
    client.force_login(tree.town_user)
    [period] = client.get(f"/api/members/{pk}/record/").json()["memberships"]
    response = post(client, f"/api/members/{pk}/end/", {"version": period["version"] + 5, "end_date": "2025-08-01",
                                                        "reason": "withdrawal"})
    assert response.status_code == 409
    assert response.json()["conflict"]["changed_by"] == "系统"  # the factory created it, nobody since
    assert "创建" in response.json()["detail"]
    assert Membership.objects.get(pk=period["id"]).end_date is None


# ----- 400: the same field messages as the page and the importer -----------------------------------------


def test_organization_create_errors_equal_the_importers(client, tree):
    future = (dt.date.today() + dt.timedelta(days=30))
    client.force_login(tree.town_user)
    before = snapshot()
    response = post(client, ORGS, {"parent_code": "C-A", "code": "C-A-9", "name": "新支部", "org_type": "支部委员会?",
                                   "founded_date": future.isoformat()})
    assert response.status_code == 400
    from_api = {(e["column"], e["reason"]) for e in response.json()["errors"]}
    with pytest.raises(ValidationFailed) as exc:
        import_organizations(xlsx([ORG_HEADERS, ["C-A-9", "新支部", "C-A", "支部委员会?", "", future]]),
                             user=tree.town_user, filename="党组织.xlsx")
    from_import = {(e.column.rstrip("*"), e.reason) for e in exc.value.errors}
    assert {c for c, _ in from_api} == {"组织类别", "成立日期"}
    assert from_api == from_import
    assert snapshot() == before


def test_person_patch_errors_equal_the_edit_pages(client, tree):
    person = tree.member_a1_1
    bad = {"name": "张伟", "sex": person.sex, "ethnicity": person.ethnicity, "birth_date": "2999-01-01",
           "education_level": person.education_level, "political_status": person.political_status, "phone": "12345"}
    client.force_login(tree.county_user)
    response = patch(client, f"/api/people/{person.pk}/", {"version": 1, **bad})
    assert response.status_code == 400
    from_api = {(e["column"], e["reason"]) for e in response.json()["errors"]}
    page = client.post(f"/people/{person.pk}/edit/", {"version": 1, **bad})
    assert page.status_code == 400
    found = re.findall(r'<li class="msg-error" role="alert">「(.+?)」：(.+?)</li>', page.content.decode())
    from_page = {(column, reason.replace("&quot;", '"')) for column, reason in found}
    assert {c for c, _ in from_api} == {"出生日期", "手机号码"}
    assert from_api == from_page
    assert Person.objects.get(pk=person.pk).version == 1


def test_bad_input_of_the_parser_answers_in_the_same_shape(client, tree):
    """A value the input serializer already refuses (not an integer, missing) is a ``ValidationFailed``
    too: ``errors`` with the Chinese field name, nothing written."""
    client.force_login(tree.town_user)
    response = patch(client, f"{ORGS}{tree.branch_a1.pk}/", {"version": "一", "founded_date": "去年"})
    assert response.status_code == 400
    assert {e["column"] for e in response.json()["errors"]} == {"版本号", "成立日期"}
    assert "「版本号」" in response.json()["detail"]
    response = patch(client, f"/api/people/{tree.member_a1_1.pk}/", {"name": "没有版本"})
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "版本号"
    assert Person.objects.get(pk=tree.member_a1_1.pk).name == "张伟"


# ----- 404: out of scope ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "data"), [
    ("get", "{org}", None),
    ("patch", "{org}", {"version": 1, "name": "x"}),
    ("post", "{org}move/", {"version": 1, "new_parent_code": "C-A"}),
    ("post", "{org}dissolve/", {"version": 1, "date": "2024-12-31", "reason": "撤并"}),
    ("get", "/api/people/{person}/", None),
    ("patch", "/api/people/{person}/", {"version": 1, "name": "x"}),
    ("get", "/api/members/{person}/", None),
    ("get", "/api/members/{person}/record/", None),
    ("post", "/api/members/{person}/transfer/", {}),
])
def test_out_of_scope_is_404_without_naming_anything(client, tree, method, path, data):
    client.force_login(tree.town_user)
    before = snapshot()
    url = path.format(org=f"{ORGS}{tree.branch_b1.pk}/", person=tree.member_b1_1.pk)
    response = getattr(client, method)(url, data, content_type="application/json") if data is not None else \
        getattr(client, method)(url)
    assert response.status_code == 404
    text = response.content.decode()
    assert "不在您的数据范围内" in text and "乙镇" not in text and "阿依古丽" not in text and "C-B" not in text
    assert snapshot() == before


def test_a_key_that_is_not_a_number_is_404(client, tree):
    client.force_login(tree.county_user)
    assert client.get(f"{ORGS}abc/").status_code == 404
    assert client.get(f"{ORGS}99999999999999999999999/").status_code == 404


def test_action_scope_is_the_declared_one(client, tree):
    """支部书记 may change branch A1 but not delete it: ``move`` (scope change) reaches the service,
    ``dissolve`` (scope delete) is a 404 before it."""
    client.force_login(tree.branch_user)
    url = f"{ORGS}{tree.branch_a1.pk}/"
    response = post(client, f"{url}move/", {"version": 1, "new_parent_code": "C-B"})
    assert response.status_code == 400 and response.json()["errors"][0]["column"] == "上级组织"
    assert post(client, f"{url}dissolve/", {"version": 1, "date": "2024-12-31", "reason": "撤并"}).status_code == 404


# ----- lists: no foreign row, on any page --------------------------------------------------------------------


def _all_pages(client, url, params):
    rows, page = [], 1
    while True:
        body = client.get(url, {**params, "page": page}).json()
        rows += body["results"]
        if not body["next"]:
            return rows
        page += 1


def test_organization_list_holds_only_the_users_subtree_on_every_page(client, tree):
    for i in range(7):
        organization_create(code=f"C-B-1-{i}", name=f"乙{i}党小组", org_type="party_group", parent=tree.branch_b1)
        organization_create(code=f"C-A-1-{i}", name=f"甲{i}党小组", org_type="party_group", parent=tree.branch_a1)
    client.force_login(tree.town_user)
    subtree = set(PartyOrganization.objects.filter(path__startswith=tree.town_a.path).values_list("code", flat=True))
    for params in ({}, {"org_type": "party_group"}, {"search": "党小组"}, {"under": "C-B"}, {"name": "乙"}):
        rows = _all_pages(client, ORGS, {**params, "page_size": 3})
        assert all(r["code"] in subtree for r in rows), params
    rows = _all_pages(client, ORGS, {"page_size": 3})
    assert sorted(r["code"] for r in rows) == sorted(subtree)


def test_member_list_holds_only_the_users_subtree(client, tree):
    for i in range(4):
        factories.make_member(tree.branch_b1, f"乙{i}")
        factories.make_member(tree.branch_a2, f"甲{i}")
    client.force_login(tree.branch_user)
    rows = _all_pages(client, "/api/members/", {})
    assert rows and all(r["organization"]["code"] == "C-A-1" for r in rows)
    assert sorted(r["name"] for r in rows) == ["张伟", "李娜"]


# ----- pagination --------------------------------------------------------------------------------------------


def _count_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]


def test_list_pages_without_counting(client, tree):
    for i in range(5):
        organization_create(code=f"C-A-2-{i}", name=f"东村第{i}党小组", org_type="party_group", parent=tree.branch_a2)
    client.force_login(tree.county_user)  # 11 organizations
    with CaptureQueriesContext(connection) as ctx:
        first = client.get(ORGS, {"page_size": 4}).json()
    assert not _count_queries(ctx)
    assert first["count"] is None and len(first["results"]) == 4 and first["previous"] is None
    assert "page=2" in first["next"] and "page_size=4" in first["next"]
    with CaptureQueriesContext(connection) as ctx:
        counted = client.get(ORGS, {"page_size": 4, "count": "true"}).json()
    assert counted["count"] == 11 and len(_count_queries(ctx)) == 1
    with CaptureQueriesContext(connection) as ctx:
        last = client.get(ORGS, {"page_size": 4, "page": 3}).json()
    assert not _count_queries(ctx)
    assert last["count"] == 11 and last["next"] is None and len(last["results"]) == 3 and "page=2" in last["previous"]
    assert client.get(ORGS, {"page_size": 4, "page": 4}).status_code == 404
    assert client.get(ORGS, {"page": "0"}).status_code == 404
    assert client.get(ORGS, {"page_size": 100000}).json()["count"] == 11  # capped, still one page


# ----- the registry ------------------------------------------------------------------------------------------


def _api_url_names(patterns=None, namespace=None) -> set[str]:
    names = set()
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            names |= _api_url_names(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name and namespace == "api":
            names.add(f"api:{p.name}")
    return names


def test_every_api_route_is_declared():
    declared = {s.url_name for s in registry.views.values() if s.api}
    assert _api_url_names() - {"api:schema"} <= declared
    assert declared <= _api_url_names()


def test_routes_of_a_viewset_are_declared_with_kind_action_and_object():
    got = {(s.kind, s.action, s.methods, s.object_arg, s.object_model) for s in views_for("api:organization-list")}
    assert got == {("list", "view", ("GET",), "", ""), ("create", "add", ("POST",), "", "")}
    got = {(s.kind, s.action, s.methods, s.object_arg) for s in views_for("api:organization-detail")}
    assert got == {("detail", "view", ("GET",), "pk"), ("edit", "change", ("PATCH",), "pk")}
    assert [(s.kind, s.action) for s in views_for("api:organization-move")] == [("action", "change")]
    assert [(s.kind, s.action) for s in views_for("api:organization-dissolve")] == [("action", "delete")]
    [transfer] = views_for("api:member-transfer")
    assert (transfer.model, transfer.object_arg, transfer.target_model) == ("party.Membership", "person_id",
                                                                             "party.PartyMember")
    assert [(s.kind, s.methods) for s in views_for("api:member-record")] == [("detail", ("GET",))]
    assert {s.kind for s in views_for("api:person-list")} == {"create"}  # no list of people
    assert all(s.api for name in ("api:person-detail", "api:party-stats") for s in views_for(name))


def test_the_base_refuses_what_it_cannot_scope():
    class NoVersion(serializers.Serializer):
        name = serializers.CharField()

    with pytest.raises(TypeError, match="version"):
        type("Bad", (ScopedModelViewSet,), {"model": PartyOrganization, "update_serializer_class": NoVersion})

    from rest_framework.decorators import action

    def poke(self, request, pk=None):
        return None

    with pytest.raises(TypeError, match="scoped_action"):
        type("Bad", (ScopedViewSet,), {"model": PartyOrganization, "poke": action(detail=True)(poke)})
    with pytest.raises(ValueError, match="ScopedViewSet"):
        register_api_viewset(prefix="plain", viewset=ModelViewSet, basename="plain")
    register_api_viewset(prefix="plain", viewset="rest_framework.viewsets.ModelViewSet", basename="plain")
    with pytest.raises(ValueError, match="ScopedViewSet"):  # a dotted path is checked on first reading
        registry.views  # noqa: B018
    assert "plain" not in {v.basename for v in registry.api_viewsets} and registry.views

    class Probe(ScopedViewSet):
        model = PartyOrganization

        @scoped_action(scope="delete", methods=("post",))
        def poke(self, request, obj, data):
            return obj

    assert Probe.poke.scope_action == "delete" and Probe.poke.view_kind == "action"


def test_api_modules_read_only_through_selectors():
    """No ``<Model>.objects`` in an app's ``api`` package except ``.none()`` (reads go through selectors)."""
    offenders = []
    for path in sorted(SRC.glob("*/api/*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager", "_base_manager"):
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert not offenders, offenders
