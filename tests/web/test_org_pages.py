"""组织树 / 组织详情 pages and the lazily loaded children fragment: scope, counts, search, escaping."""

import pytest
from django.urls import reverse

from zugong.orgs.services import organization_create


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("name", ["orgs:tree", "orgs:detail", "orgs:children"])
def test_anonymous_is_sent_to_login(client, tree, name):
    url = reverse(name) if name == "orgs:tree" else reverse(name, args=[tree.county.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_tree_without_grant_is_empty(client, tree):
    response = login(client, tree.nogrant_user).get(reverse("orgs:tree"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "没有党组织" in html
    assert "某县委" not in html


@pytest.mark.parametrize("name", ["orgs:detail", "orgs:children"])
def test_without_grant_detail_and_children_are_404(client, tree, name):
    response = login(client, tree.nogrant_user).get(reverse(name, args=[tree.county.pk]))
    assert response.status_code == 404


def test_tree_roots_are_the_users_grant_nodes(client, tree):
    html = login(client, tree.town_user).get(reverse("orgs:tree")).content.decode()
    assert "甲镇党委" in html and "甲镇机关党支部" in html and "甲镇东村党支部" in html
    assert "某县委" not in html and "乙镇" not in html


def test_tree_shows_type_tags_and_subtree_member_counts(client, tree):
    response = login(client, tree.county_user).get(reverse("orgs:tree"))
    nodes = response.context["nodes"]
    assert [n["org"].code for n in nodes] == ["C"]
    assert nodes[0]["count"] == 4
    assert [(c["org"].code, c["count"]) for c in nodes[0]["children"]] == [("C-A", 3), ("C-B", 1)]
    html = response.content.decode()
    assert '<span class="tag">党委</span>' in html
    assert f'hx-get="{reverse("orgs:children", args=[tree.town_a.pk])}?mode=browse"' in html
    assert f'href="{reverse("orgs:detail", args=[tree.town_a.pk])}"' in html


def test_children_fragment_loads_one_level(client, tree):
    response = login(client, tree.county_user).get(reverse("orgs:children", args=[tree.town_a.pk]))
    assert response.status_code == 200
    assert [(n["org"].code, n["count"]) for n in response.context["nodes"]] == [("C-A-1", 2), ("C-A-2", 1)]
    html = response.content.decode()
    assert "<html" not in html  # a fragment
    assert "甲镇机关党支部" in html and "乙镇" not in html


def test_children_fragment_in_roster_mode_links_to_roster(client, tree):
    url = reverse("orgs:children", args=[tree.town_a.pk])
    response = login(client, tree.town_user).get(url, {"mode": "roster", "keep": "as_of=2024-01-01&evil=1"})
    html = response.content.decode()
    assert f'{reverse("party:member_list")}?org=C-A-1&amp;as_of=2024-01-01' in html
    assert "evil" not in html
    assert response.context["nodes"][0]["count"] is None  # no counting beside the roster


def test_children_outside_scope_is_404(client, tree):
    response = login(client, tree.branch_user).get(reverse("orgs:children", args=[tree.town_b.pk]))
    assert response.status_code == 404
    # the branch user's own node, but its parent is out of scope
    assert client.get(reverse("orgs:children", args=[tree.town_a.pk])).status_code == 404


def test_node_only_grant_shows_node_without_children(client, tree):
    from tests.factories import make_user

    user = make_user("node_only", "viewer", tree.town_a, include_subtree=False)
    response = login(client, user).get(reverse("orgs:tree"))
    nodes = response.context["nodes"]
    assert [(n["org"].code, n["expandable"], n["children"]) for n in nodes] == [("C-A", False, [])]
    fragment = client.get(reverse("orgs:children", args=[tree.town_a.pk]))
    assert fragment.context["nodes"] == []


def test_search_by_name_or_code_within_scope(client, tree):
    response = login(client, tree.town_user).get(reverse("orgs:tree"), {"q": "机关"})
    assert [o.code for o in response.context["results"]] == ["C-A-1"]
    assert response.context["results"][0].ancestor_names == ["甲镇党委"]  # 某县委 is outside the scope
    response = login(client, tree.county_user).get(reverse("orgs:tree"), {"q": "机关"})
    assert [o.code for o in response.context["results"]] == ["C-A-1", "C-B-1"]
    response = client.get(reverse("orgs:tree"), {"q": "C-B"})
    assert [o.code for o in response.context["results"]] == ["C-B", "C-B-1"]


def test_detail_fields_counts_breadcrumbs_and_links(client, tree):
    response = login(client, tree.town_user).get(reverse("orgs:detail", args=[tree.branch_a1.pk]))
    assert response.status_code == 200
    assert response.context["ancestors"] == [tree.town_a]  # 某县委 is outside the scope
    html = response.content.decode()
    assert "某县委" not in html
    assert "甲镇机关党支部" in html and "C-A-1" in html and "党支部" in html
    assert f'{reverse("party:member_list")}?org=C-A-1' in html
    assert f'{reverse("reports:party_stats")}?org=C-A-1' in html

    response = client.get(reverse("orgs:detail", args=[tree.town_a.pk]))
    assert response.context["summary"] == {"total": 3, "direct": 0, "full": 2, "probationary": 1}
    assert [(n["org"].code, n["count"]) for n in response.context["children"]] == [("C-A-1", 2), ("C-A-2", 1)]


def test_detail_outside_scope_is_404(client, tree):
    login(client, tree.branch_user)
    for org in (tree.branch_b1, tree.town_a, tree.county):
        assert client.get(reverse("orgs:detail", args=[org.pk])).status_code == 404
    assert client.get(reverse("orgs:detail", args=[999999])).status_code == 404


def test_county_user_opens_every_detail(client, tree):
    login(client, tree.county_user)
    for org in (tree.county, tree.town_b, tree.branch_b1):
        assert client.get(reverse("orgs:detail", args=[org.pk])).status_code == 200


def test_org_name_is_escaped(client, tree):
    evil = "<img src=x onerror=alert(1)>"
    org = organization_create(code="C-A-9", name=evil, org_type="branch", parent=tree.town_a)
    login(client, tree.town_user)
    for url in (reverse("orgs:children", args=[tree.town_a.pk]), reverse("orgs:detail", args=[org.pk]),
                reverse("orgs:tree") + "?q=img"):
        html = client.get(url).content.decode()
        assert evil not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_scope_tree_collapses_roots_with_many_children(tree):
    from zugong.orgs.selectors import scope_tree

    nodes = scope_tree(user=tree.county_user, with_counts=True, preload=1)
    assert [(n["org"].code, n["count"], n["expandable"], n["children"]) for n in nodes] == [("C", 4, True, None)]
    nodes = scope_tree(user=tree.county_user, with_counts=True, preload=2)
    assert [c["org"].code for c in nodes[0]["children"]] == ["C-A", "C-B"]
