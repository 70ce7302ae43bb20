"""Member record pages: 新增党员 (from the roster and from an organization), the person page's membership
actions (转接, 转正, 结束组织关系), stale edits answered 409 with who changed what, scope (404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import make_id
from zugong.party.models import Membership, PartyMember
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
D = dt.date


def form(tree, **overrides) -> dict:
    birth = D(1993, 9, 9)
    values = {"organization": tree.branch_a1.pk, "name": "吴桐", "sex": "1", "ethnicity": "01",
              "id_number": make_id(birth, "1"), "birth_date": birth.isoformat(), "education_level": "21",
              "category": "probationary", "admission_date": "2025-05-04", "full_membership_date": "",
              "occupation": "professional", "front_line": "on", "start_date": "", "work_start_date": "2015-07-01",
              "phone": ""}
    values.update(overrides)
    return values


def test_roster_links_to_the_create_page_with_the_selected_organization(client, tree):
    client.force_login(tree.town_user)
    html = client.get("/party/members/", {"org": "C-A-1"}).content.decode()
    assert 'href="/party/members/new/?org=C-A-1"' in html
    page = client.get("/party/members/new/", {"org": "C-A-1"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<option value="{tree.branch_a1.pk}" selected>' in html
    assert "C-B-1" not in html  # organizations outside the scope are not offered
    assert client.get("/party/members/new/", {"org": "C-B-1"}).status_code == 404
    viewer = Client()
    viewer.force_login(tree.nogrant_user)
    assert viewer.get("/party/members/new/").status_code == 404


def test_create_member_page(client, tree):
    client.force_login(tree.branch_user)
    response = client.post("/party/members/new/", form(tree))
    person = Person.objects.get(name="吴桐")
    assert response.status_code == 302 and response["Location"] == f"/people/{person.pk}/"
    assert person.political_status == "02" and PartyMember.objects.get(pk=person.pk).full_membership_date is None
    m = Membership.objects.get(person=person)
    assert (m.start_date, m.front_line, m.organization) == (D(2025, 5, 4), True, tree.branch_a1)


def test_create_member_page_refuses_out_of_scope_organization(client, tree):
    client.force_login(tree.branch_user)
    before = Person.objects.count()
    response = client.post("/party/members/new/", form(tree, organization=tree.branch_b1.pk))
    assert response.status_code == 400  # not among the choices: the form refuses it
    assert Person.objects.count() == before


def test_create_member_page_lists_every_problem_by_field(client, tree):
    client.force_login(tree.branch_user)
    before = Person.objects.count()
    response = client.post("/party/members/new/", form(tree, sex="2", admission_date="2010-01-01",
                                                       category="full", phone="123"))
    html = response.content.decode()
    assert response.status_code == 400 and Person.objects.count() == before
    for text in ("「性别」", "「入党日期」：入党时未满十八周岁", "「转正日期」：人员类别为正式党员，必须填写转正日期", "「手机号码」"):
        assert text in html, text


def test_person_page_offers_membership_actions_by_scope(client, tree):
    client.force_login(tree.branch_user)
    html = client.get(f"/people/{tree.member_a1_2.pk}/").content.decode()
    for label in ("转入/调整到其他支部", "转正", "结束组织关系"):
        assert label in html
    html = client.get(f"/people/{tree.member_a1_1.pk}/").content.decode()
    assert "结束组织关系" in html and f"/party/members/{tree.member_a1_1.pk}/full-membership/" not in html  # already full
    viewer = Client()
    from tests.factories import make_user
    viewer.force_login(make_user("viewer_a1", "viewer", tree.branch_a1))
    assert "结束组织关系" not in viewer.get(f"/people/{tree.member_a1_1.pk}/").content.decode()
    assert viewer.get(f"/party/members/{tree.member_a1_1.pk}/end/").status_code == 404


def test_transfer_page_within_scope(client, tree):
    client.force_login(tree.town_user)
    url = f"/party/members/{tree.member_a1_1.pk}/transfer/"
    page = client.get(url)
    assert page.status_code == 200 and "甲镇东村党支部" in page.content.decode()
    assert "乙镇机关党支部" not in page.content.decode()
    current = Membership.objects.get(person=tree.member_a1_1, end_date=None)
    today = timezone.localdate().isoformat()
    response = client.post(url, {"version": current.version, "to_organization": tree.branch_a2.pk, "date": today})
    assert response.status_code == 302
    assert Membership.objects.get(person=tree.member_a1_1, end_date=None).organization == tree.branch_a2
    other = Client()
    other.force_login(tree.branch_b_user)
    assert other.get(url).status_code == 404


def test_transfer_after_the_membership_was_ended_elsewhere_is_404(client, tree):
    client.force_login(tree.town_user)
    current = Membership.objects.get(person=tree.member_a1_1, end_date=None)
    first = Client()
    first.force_login(tree.county_user)
    first.post(f"/party/members/{tree.member_a1_1.pk}/end/",
               {"version": current.version, "end_date": "2024-01-01", "reason": "correction"})
    before = list(Membership.objects.values_list("pk", "version", "end_date"))
    response = client.post(f"/party/members/{tree.member_a1_1.pk}/transfer/",
                           {"version": current.version, "to_organization": tree.branch_a2.pk, "date": "2024-02-01"})
    # the membership is no longer open: the page says it is not there any more
    assert response.status_code == 404
    assert list(Membership.objects.values_list("pk", "version", "end_date")) == before


def test_stale_full_membership_is_409_naming_who_changed_what(client, tree):
    member = PartyMember.objects.get(pk=tree.member_a1_2.pk)
    client.force_login(tree.branch_user)
    page = client.get(f"/party/members/{member.pk}/full-membership/")
    assert page.status_code == 200
    PartyMember.objects.filter(pk=member.pk).update(version=member.version + 1)  # someone else saved
    from zugong.audit.services import record_event
    record_event("change", user=tree.county_user, object_type="party.partymember", object_id=member.pk,
                 summary="x", data={"changes": {"admission_date": ["2024-06-20", "2024-06-21"]}})
    response = client.post(f"/party/members/{member.pk}/full-membership/",
                           {"version": member.version, "full_membership_date": "2025-06-21"})
    html = response.content.decode()
    assert response.status_code == 409 and "已被他人修改" in html and "被 county 修改（修改了 入党日期）" in html
    assert PartyMember.objects.get(pk=member.pk).full_membership_date is None


def test_second_person_editor_refused_with_who_changed_what(client, tree):
    person = tree.member_a1_1
    client.force_login(tree.branch_user)
    loaded = client.get(f"/people/{person.pk}/edit/").context["form"].initial["version"]
    fields = {"version": loaded, "sex": person.sex, "ethnicity": person.ethnicity,
              "birth_date": person.birth_date.isoformat(), "education_level": person.education_level,
              "political_status": person.political_status}
    first = Client()
    first.force_login(tree.county_user)
    assert first.post(f"/people/{person.pk}/edit/", {**fields, "name": "张卫"}).status_code == 302
    response = client.post(f"/people/{person.pk}/edit/", {**fields, "name": "张伟伟"})
    html = response.content.decode()
    assert response.status_code == 409 and "被 county 修改（修改了 姓名）" in html
    assert Person.objects.get(pk=person.pk).name == "张卫"


def test_end_page(client, tree):
    client.force_login(tree.town_user)
    current = Membership.objects.get(person=tree.member_a2_1, end_date=None)
    url = f"/party/members/{tree.member_a2_1.pk}/end/"
    response = client.post(url, {"version": current.version, "end_date": "2099-01-01", "reason": "death"})
    assert response.status_code == 400 and "晚于今天" in response.content.decode()
    response = client.post(url, {"version": current.version, "end_date": "2024-03-01", "reason": "death"})
    assert response.status_code == 302
    current.refresh_from_db()
    assert (current.end_date, current.end_reason) == (D(2024, 3, 1), "death")
