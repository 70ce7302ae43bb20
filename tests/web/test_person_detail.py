"""人员详情 page: scope (404 outside), tabs, masked values, party data and membership history, escaping."""

import datetime as dt

from django.urls import reverse

from tests import factories
from zugong.party.models import Membership
from zugong.people.models import Person


def url(person):
    return reverse("people:detail", args=[person.pk])


def test_anonymous_is_sent_to_login(client, tree):
    response = client.get(url(tree.member_a1_1))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_user_without_grant_gets_404(client, tree):
    client.force_login(tree.nogrant_user)
    assert client.get(url(tree.member_a1_1)).status_code == 404


def test_branch_user_opening_another_branchs_person_gets_404(client, tree):
    client.force_login(tree.branch_user)
    response = client.get(url(tree.member_b1_1))
    assert response.status_code == 404
    assert "阿依古丽" not in response.content.decode()
    assert client.get(url(tree.member_a2_1)).status_code == 404
    assert client.get(reverse("people:detail", args=[999999])).status_code == 404


def test_county_user_opens_everyone(client, tree):
    client.force_login(tree.county_user)
    for person in (tree.member_a1_1, tree.member_a1_2, tree.member_a2_1, tree.member_b1_1):
        assert client.get(url(person)).status_code == 200


def test_tabs_and_masked_values(client, tree):
    person = tree.member_a1_1
    person.set_phone("13812345678")
    person.save()
    client.force_login(tree.branch_user)
    html = client.get(url(person)).content.decode()
    for tab in ("基本信息", "党员信息", "历史"):
        assert f">{tab}</a>" in html
    assert person.id_number_masked in html
    assert person.id_number not in html
    assert "138****5678" in html
    assert "13812345678" not in html
    assert "2010-07-01" in html and "2011-07-01" in html  # 入党日期, 转正日期


def test_probationary_member_party_tab(client, tree):
    client.force_login(tree.branch_user)
    response = client.get(url(tree.member_a1_2))
    profile = response.context["profile"]
    assert profile.category_label == "预备党员"
    assert profile.party_standing_years is None
    assert profile.current.membership.organization == tree.branch_a1


def test_membership_history_with_transfer(client, tree):
    """History shows both periods with dates; the out-of-scope earlier organization is named, not linked."""
    person = tree.member_b1_1
    old = Membership.objects.get(person=person)
    old.end_date, old.end_reason = dt.date(2021, 9, 1), "transfer"
    old.save()
    Membership.objects.create(person=person, organization=tree.branch_a1, start_date=dt.date(2021, 9, 1),
                              occupation="government")
    Person.objects.filter(pk=person.pk).update(organization=tree.branch_a1)
    client.force_login(tree.branch_user)
    response = client.get(url(person))
    assert response.status_code == 200
    periods = response.context["profile"].periods
    assert [(p.membership.organization.code, p.membership.end_date, p.in_scope) for p in periods] == [
        ("C-B-1", dt.date(2021, 9, 1), False), ("C-A-1", None, True)]
    html = response.content.decode()
    assert "组织关系转出" in html and "2021-09-01" in html and "至今" in html
    assert f'href="{reverse("orgs:detail", args=[tree.branch_b1.pk])}"' not in html
    texts = [e.text for e in response.context["history"]]
    assert texts[-2:] == ["组织关系离开「乙镇机关党支部」（组织关系转出）", "组织关系转入「甲镇机关党支部」"]


def test_person_without_party_permission_has_no_party_tab_data(client, tree):
    user = factories.make_user("basic_only", None)
    from zugong.accounts.models import Role, RoleGrant

    role = Role.objects.create(code="basic_viewer", name="基本信息查看", permissions=["basic.view"])
    RoleGrant.objects.create(user=user, role=role, organization=tree.branch_a1)
    client.force_login(user)
    response = client.get(url(tree.member_a1_1))
    assert response.status_code == 200
    assert response.context["profile"] is None
    assert "入党日期" not in response.content.decode()


def test_person_name_is_escaped(client, tree):
    evil = "<img src=x onerror=alert(1)>"
    person = factories.make_member(tree.branch_a1, evil)
    client.force_login(tree.branch_user)
    html = client.get(url(person)).content.decode()
    assert evil not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
