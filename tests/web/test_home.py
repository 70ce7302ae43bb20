"""首页: the figures of the user's scope (exact numbers per scope), their recent imports (dry runs shown as
such), the 待办事项 from the to-do registry, and where administrators and users without grants land."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.security.helpers import login
from zugong.accounts.models import Role, RoleGrant
from zugong.core.models import ImportJob
from zugong.core.registry import TodoItem, registry, todos_for
from zugong.party.todos import probation_due
from zugong.reports.home import scope_counts


def _figures(html: str) -> dict:
    """The four stat cards of the home page: {title: (big number, sub-line)}."""
    cards = re.findall(r'<div class="muted">([^<]+)</div><div class="big">(?:<a [^>]*>)?([^<]+)(?:</a>)?</div>'
                       r'<div class="muted"[^>]*>([^<]+)</div>', html)
    return {title: (big, sub) for title, big, sub in cards}


@pytest.fixture
def home_tree(tree):
    """``tree`` + a member admitted today (this year's development) in branch B1."""
    tree.new_b1 = factories.make_member(tree.branch_b1, "赵新", birth_date=dt.date(2000, 2, 2),
                                        admission_date=timezone.localdate(), full_membership_date=None)
    return tree


@pytest.fixture
def party_todos_only(monkeypatch):
    """Only the party app's to-do providers (转正, 组织关系转接): the branches of ``tree`` have findings of
    issue #11 (达标, 持证上岗, 组织生活 …) that these tests do not look at; their own tests cover them."""
    monkeypatch.setattr(registry, "todo_providers", [p for p in registry.todo_providers if p.name.startswith("party.")])


def _get(client, user):
    login(client, user)
    return client.get(reverse("home"))


@pytest.mark.django_db
def test_branch_secretary_sees_only_their_branch(client, home_tree):
    """Branch A1 holds 张伟 (正式) and 李娜 (预备); nothing of A2, B1 or the development in B1 counts."""
    response = _get(client, home_tree.branch_user)
    assert response.status_code == 200
    figures = _figures(response.content.decode())
    assert figures["党员"] == ("2", "正式 1 · 预备 1")
    assert figures["党组织"][0] == "1"
    year = timezone.localdate().year
    assert figures[f"{year}年发展党员"][0] == "0"
    assert scope_counts(home_tree.branch_user, timezone.localdate()) == {
        "members": 2, "full": 1, "probationary": 1, "developed": 0, "organizations": 1}
    assert scope_counts(home_tree.branch_b_user, timezone.localdate()) == {
        "members": 2, "full": 1, "probationary": 1, "developed": 1, "organizations": 1}


@pytest.mark.django_db
def test_county_sees_the_whole_county(client, home_tree):
    figures = _figures(_get(client, home_tree.county_user).content.decode())
    assert figures["党员"] == ("5", "正式 3 · 预备 2")
    assert figures["党组织"][0] == "6"
    assert figures[f"{timezone.localdate().year}年发展党员"][0] == "1"
    assert scope_counts(home_tree.town_user, timezone.localdate()) == {
        "members": 3, "full": 2, "probationary": 1, "developed": 0, "organizations": 3}


@pytest.mark.django_db
def test_figures_as_of_today_leave_out_ended_and_dissolved(home_tree):
    today = timezone.localdate()
    membership = home_tree.member_a2_1.memberships.get()
    membership.end_date, membership.end_reason = today, "death"
    membership.save()
    home_tree.branch_a2.dissolved_date = today
    home_tree.branch_a2.save()
    counts = scope_counts(home_tree.county_user, today)
    assert (counts["members"], counts["full"], counts["organizations"]) == (4, 2, 5)


@pytest.mark.django_db
def test_probation_todo_scoped(client, home_tree, party_todos_only):
    """李娜 (A1) was admitted 2024-06-20: probation over, no 转正日期 → a to-do for A1 and above, not for B1
    (赵新 was admitted today)."""
    items = probation_due(home_tree.branch_user)
    assert len(items) == 1 and items[0].text.startswith("1 名预备党员预备期已满一年")
    assert items[0].due == dt.date(2025, 6, 20) and items[0].severity == "high"
    assert "category=probationary" in items[0].url
    assert probation_due(home_tree.branch_b_user) == []
    html = _get(client, home_tree.branch_user).content.decode()
    assert "预备期已满一年" in html and "应办日期 2025-06-20" in html
    client.logout()
    html = _get(client, home_tree.branch_b_user).content.decode()
    assert "预备期已满一年" not in html


@pytest.mark.django_db
def test_probation_todo_as_of_a_date_before_the_year_ends(home_tree):
    assert probation_due(home_tree.branch_user, today=dt.date(2025, 6, 19)) == []
    assert len(probation_due(home_tree.branch_user, today=dt.date(2025, 6, 20))) == 1


@pytest.mark.django_db
def test_todos_sorted_by_severity_then_due(home_tree, monkeypatch):
    monkeypatch.setattr(registry, "todo_providers", [])
    from zugong.core.registry import register_todo_provider

    register_todo_provider(name="a", provider=lambda user: [TodoItem("低", severity="low"),
                                                            TodoItem("晚", due=dt.date(2030, 1, 1))])
    register_todo_provider(name="b", provider=lambda user: [TodoItem("早", due=dt.date(2029, 1, 1)),
                                                            TodoItem("急", severity="high")])
    register_todo_provider(name="c", provider=lambda user: [TodoItem("无权")], permission="cadre.view")
    assert [t.text for t in todos_for(home_tree.branch_user)] == ["急", "早", "晚", "低"]


@pytest.mark.django_db
def test_recent_imports_own_last_five_dry_run_marked(client, home_tree):
    user = home_tree.town_user
    for i in range(6):
        ImportJob.objects.create(user=user, kind="roster", filename=f"old{i}.xlsx", status="succeeded")
    ImportJob.objects.create(user=user, kind="orgs", filename="trial.xlsx", status="succeeded",
                             options={"dry_run": True})
    ImportJob.objects.create(user=user, kind="roster", filename="bad.xlsx", status="failed")
    ImportJob.objects.create(user=home_tree.county_user, kind="roster", filename="county.xlsx", status="succeeded")
    html = _get(client, user).content.decode()
    assert "我的最近导入" in html
    assert "trial.xlsx" in html and "试导入（未写入）" in html
    assert "bad.xlsx" in html and "有错误，未导入" in html
    assert "county.xlsx" not in html  # another user's upload
    shown = re.findall(r">(old\d)\.xlsx<", html)
    assert shown == ["old5", "old4", "old3"]  # 5 in all, newest first
    trial = ImportJob.objects.get(filename="trial.xlsx")
    assert f'href="{reverse("orgs:import_job", args=[trial.pk])}"' in html
    assert trial.outcome_display == "试导入（未写入）" and trial.get_kind_display() == "党组织"


@pytest.mark.django_db
def test_no_imports_no_todos_empty_states(client, home_tree, party_todos_only):
    html = _get(client, home_tree.branch_b_user).content.decode()
    assert "您还没有导入过文件。" in html and "暂无待办事项" in html


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "target"), [("system_admin", "accounts:user_list"),
                                              ("security_admin", "accounts:grant_list"),
                                              ("audit_admin", "audit:event_list")])
def test_administrators_land_on_their_console(client, db, role, target):
    user = factories.make_user("adm", role)
    assert _get(client, user)["Location"] == reverse(target)


@pytest.mark.django_db
def test_administrator_of_several_kinds_lands_on_the_first(client, db):
    user = factories.make_user("every_admin")  # impossible through grant_role (三权分立); rows made directly
    for code in ("audit_admin", "security_admin"):
        RoleGrant.objects.create(user=user, role=Role.objects.get(code=code), include_subtree=True)
    assert _get(client, user)["Location"] == reverse("accounts:grant_list")


@pytest.mark.django_db
def test_user_without_grants_lands_on_profile(client, home_tree):
    assert _get(client, home_tree.nogrant_user)["Location"] == reverse("accounts:profile")


@pytest.mark.django_db
def test_home_query_count(client, home_tree, django_assert_max_num_queries):
    for i in range(8):
        ImportJob.objects.create(user=home_tree.county_user, kind="roster", filename=f"f{i}.xlsx", status="succeeded")
    login(client, home_tree.county_user)
    client.get(reverse("home"))
    # session, user, grants (once), OTP device, admin kinds, demo data present? (1; the default
    # 截至日期, demo.reference), figures (2), imports (1), to-dos: 转正 due, 组织关系转接 to receive, 发展党员
    # overdue, 达标 (7 group-bys), 持证上岗, 三会一课 behind (the granted organizations, then
    # life.compliance.evaluate's 4) … each a fixed number whatever the size of the scope
    with django_assert_max_num_queries(30):
        assert client.get(reverse("home")).status_code == 200


@pytest.mark.django_db
def test_todos_follow_the_demo_data_date_while_the_demo_is_installed(client, home_tree, monkeypatch):
    """The demo dataset is as of 2023-12-31: while it is installed (its root 「QS」 exists) the to-dos are
    computed for that day, and the page says so; otherwise for today (the providers' own default)."""
    from zugong.core.registry import TodoProvider, Visibility
    from zugong.demo.distributions import REFERENCE_DATE
    from zugong.orgs.services import organization_create

    seen = []

    def provider(user, today=None):
        seen.append(today)
        return [TodoItem(text=f"按 {today} 计算的待办")]

    monkeypatch.setattr(registry, "todo_providers", [TodoProvider("probe", provider, Visibility())])
    html = _get(client, home_tree.county_user).content.decode()
    assert seen == [None] and "演示数据截至" not in html
    organization_create(code="QS", name="演示根组织", org_type="committee", unit_category="government_organ",
                        founded_date=dt.date(1950, 1, 1))
    html = client.get(reverse("home")).content.decode()
    assert seen[-1] == REFERENCE_DATE and f"按 {REFERENCE_DATE} 计算的待办" in html
    assert f"演示数据截至 {REFERENCE_DATE.isoformat()}，待办事项按该日计算" in html
