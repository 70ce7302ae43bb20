"""Organization edit pages: 新增下级组织, 编辑, 调整隶属关系 (with the picker), 撤销, 恢复 — success paths,
refusals with the Chinese field name and nothing written, 409 on a stale copy, 404 outside the scope."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.orgs.test_services import snapshot
from zugong.orgs.models import PartyOrganization
from zugong.orgs.services import organization_create, organization_update

pytestmark = pytest.mark.django_db


def fresh(org):
    return PartyOrganization.objects.get(pk=org.pk)


def as_user(client, user):
    client.force_login(user)
    return client


def test_detail_shows_members_children_dates_and_allowed_actions(client, tree):
    html = as_user(client, tree.town_user).get(reverse("orgs:detail", args=[tree.town_a.pk])).content.decode()
    for text in ("党员（3）", "张伟", "李娜", "王强", "?org=C-A", "甲镇机关党支部", "1958-01-01",
                 "新增下级组织", "编辑", "调整隶属关系", "撤销"):
        assert text in html, text
    # a branch secretary may add and edit, not dissolve
    html = as_user(client, tree.branch_user).get(reverse("orgs:detail", args=[tree.branch_a1.pk])).content.decode()
    assert "新增下级组织" in html and reverse("orgs:edit", args=[tree.branch_a1.pk]) in html
    assert reverse("orgs:dissolve", args=[tree.branch_a1.pk]) not in html


def test_create_child_page(client, tree):
    as_user(client, tree.town_user)
    url = reverse("orgs:create_child", args=[tree.town_a.pk])
    assert "新增下级组织" in client.get(url).content.decode()
    response = client.post(url, {"code": "C-A-3", "name": "甲镇西村党支部", "org_type": "branch",
                                 "unit_category": "village", "founded_date": "2001-07-01"})
    org = PartyOrganization.objects.get(code="C-A-3")
    assert response.status_code == 302 and response["Location"] == reverse("orgs:detail", args=[org.pk])
    assert PartyOrganization.objects.get_parent(org).pk == tree.town_a.pk


def test_create_child_duplicate_code_names_the_field(client, tree):
    before = snapshot()
    response = as_user(client, tree.town_user).post(reverse("orgs:create_child", args=[tree.town_a.pk]),
                                                    {"code": "C-A-1", "name": "重复", "org_type": "branch"})
    assert response.status_code == 400 and "「组织代码」：组织代码 C-A-1 已存在" in response.content.decode()
    assert snapshot() == before


def test_create_under_org_outside_scope_is_404(client, tree):
    before = snapshot()
    as_user(client, tree.town_user)
    url = reverse("orgs:create_child", args=[tree.town_b.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"code": "X", "name": "x", "org_type": "branch"}).status_code == 404
    assert snapshot() == before


def test_edit_page_and_stale_copy(client, tree):
    as_user(client, tree.town_user)
    url = reverse("orgs:edit", args=[tree.branch_a1.pk])
    form = {"version": 1, "name": "甲镇机关第一党支部", "org_type": "branch", "unit_category": "government_organ",
            "founded_date": "1960-01-01"}
    assert client.post(url, form).status_code == 302
    assert fresh(tree.branch_a1).name == "甲镇机关第一党支部"
    before = snapshot()
    response = client.post(url, {**form, "name": "又一个名字"})  # still version 1: stale
    html = response.content.decode()
    assert response.status_code == 409 and "town_a" in html and "组织名称" in html and "未保存" in html
    assert snapshot() == before


def test_move_page_with_picker(client, tree):
    as_user(client, tree.county_user)
    url = reverse("orgs:move", args=[tree.branch_a1.pk])
    html = client.get(url).content.decode()
    assert "甲镇党委" in html and reverse("orgs:picker") in html
    picked = client.get(reverse("orgs:picker"), {"q": "乙镇", "action": "change", "target": "1",
                                                 "exclude": tree.branch_a1.pk, "name": "new_parent_pick"})
    assert 'name="new_parent_pick" value="C-B"' in picked.content.decode()
    response = client.post(url, {"version": 1, "new_parent": "", "new_parent_pick": "C-B"})
    assert response.status_code == 302
    assert PartyOrganization.objects.get_parent(fresh(tree.branch_a1)).pk == tree.town_b.pk


def test_move_under_own_descendant_page(client, tree):
    before = snapshot()
    response = as_user(client, tree.county_user).post(reverse("orgs:move", args=[tree.town_a.pk]),
                                                       {"version": 1, "new_parent": "C-A-1"})
    html = response.content.decode()
    assert response.status_code == 400 and "「上级组织」" in html and "循环" in html
    assert snapshot() == before


def test_picker_does_not_find_outside_scope(client, tree):
    as_user(client, tree.town_user)
    for q in ("乙镇", "C-B", "某县委"):
        html = client.get(reverse("orgs:picker"), {"q": q}).content.decode()
        assert "未找到" in html and "C-B-1" not in html
    html = client.get(reverse("orgs:picker"), {"q": "甲镇 东村"}).content.decode()
    assert 'value="C-A-2"' in html


def test_dissolve_page_lists_blockers_then_dissolves_and_reactivates(client, tree):
    as_user(client, tree.town_user)
    html = client.get(reverse("orgs:dissolve", args=[tree.branch_a1.pk])).content.decode()
    assert "2 名党员" in html and "张伟" in html
    before = snapshot()
    response = client.post(reverse("orgs:dissolve", args=[tree.branch_a1.pk]),
                           {"version": 1, "date": "2024-12-31", "reason": "撤并"})
    assert response.status_code == 400 and "「撤销日期」" in response.content.decode()
    assert snapshot() == before

    empty = organization_create(user=tree.town_user, parent=tree.town_a, code="C-A-9", name="甲镇空党支部",
                                org_type="branch", founded_date=dt.date(2000, 1, 1))
    url = reverse("orgs:dissolve", args=[empty.pk])
    response = client.post(url, {"version": 1, "date": "1999-01-01", "reason": "撤并"})
    assert response.status_code == 400 and "早于成立日期 2000-01-01" in response.content.decode()
    assert client.post(url, {"version": 1, "date": "2024-06-30", "reason": "村党支部撤并"}).status_code == 302
    html = client.get(reverse("orgs:detail", args=[empty.pk])).content.decode()
    assert "已撤销" in html and "村党支部撤并" in html and reverse("orgs:reactivate", args=[empty.pk]) in html
    assert "村党支部撤并" in client.get(reverse("orgs:reactivate", args=[empty.pk])).content.decode()
    assert client.post(reverse("orgs:reactivate", args=[empty.pk]), {"version": 2}).status_code == 302
    assert fresh(empty).status == "active"


def test_pages_outside_scope_are_404(client, tree):
    as_user(client, tree.town_user)
    for name in ("orgs:edit", "orgs:move", "orgs:dissolve", "orgs:reactivate"):
        assert client.get(reverse(name, args=[tree.branch_b1.pk])).status_code == 404, name
        assert client.post(reverse(name, args=[tree.branch_b1.pk]), {"version": 1}).status_code == 404, name


def test_stale_dissolve_page_is_409(client, tree):
    empty = organization_create(user=tree.town_user, parent=tree.town_a, code="C-A-9", name="甲镇空党支部",
                                org_type="branch")
    organization_update(user=tree.county_user, organization=empty, expected_version=1, changes={"name": "改名"})
    response = as_user(client, tree.town_user).post(reverse("orgs:dissolve", args=[empty.pk]),
                                                    {"version": 1, "date": "2024-06-30", "reason": "撤并"})
    assert response.status_code == 409 and "county" in response.content.decode()
    assert fresh(empty).status == "active"


def test_roster_export_form_has_the_picker(client, tree):
    as_user(client, tree.town_user)
    html = client.get(reverse("party:export_roster_form")).content.decode()
    assert reverse("orgs:picker") in html and 'name="picker_q"' in html
    picked = client.get(reverse("orgs:picker"), {"picker_q": "东村", "action": "export", "name": "org"}).content.decode()
    assert 'name="org" value="C-A-2"' in picked


def test_detail_links_to_add_a_member_where_members_are_held(client, tree):
    """新增党员 on the organization page, preselecting it, for a user who may add members there; not for a
    党小组 (it holds no members) nor for a user without the add right."""
    from tests.factories import make_user

    link = f"{reverse('party:member_create')}?org=C-A-1"
    html = as_user(client, tree.town_user).get(reverse("orgs:detail", args=[tree.branch_a1.pk])).content.decode()
    assert link in html and "新增党员" in html
    group = organization_create(code="C-A-1-G", name="第一党小组", org_type="party_group", parent=tree.branch_a1)
    html = client.get(reverse("orgs:detail", args=[group.pk])).content.decode()
    assert "新增党员" not in html
    reader = make_user("reader", "viewer", tree.town_a)
    html = as_user(client, reader).get(reverse("orgs:detail", args=[tree.branch_a1.pk])).content.decode()
    assert "新增党员" not in html
    page = as_user(client, tree.town_user).get(link).content.decode()
    assert 'value="' in page and "甲镇机关党支部" in page
