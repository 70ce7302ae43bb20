"""台湾省籍 and 专业技术职务等级 (党内统计年报 第二表, issue #10) on the person: entered on the edit page and
through the API (a level, a code or a title name), shown on the person page, refused when unreadable."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_id
from zugong.core.errors import ValidationFailed
from zugong.people.models import Person
from zugong.people.services import person_create, person_update


def _edit_data(person, **changes):
    data = {"version": person.version, "name": person.name, "sex": person.sex, "ethnicity": person.ethnicity,
            "birth_date": person.birth_date.isoformat(), "education_level": person.education_level,
            "political_status": person.political_status, "work_start_date": ""}
    data.update(changes)
    return data


def test_edit_page_and_person_page(tree, client):
    person = tree.member_a1_1
    client.login(username="town_a", password=PASSWORD)
    form = client.get(reverse("people:edit", args=[person.pk])).content.decode()
    assert "台湾省籍" in form and "专业技术职务等级" in form
    response = client.post(reverse("people:edit", args=[person.pk]),
                           _edit_data(person, taiwan_origin="on", title_level="senior"))
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.taiwan_origin, person.title_level) == (True, "senior")
    page = client.get(reverse("people:detail", args=[person.pk])).content.decode()
    assert "<dt>台湾省籍</dt><dd>是</dd>" in page and "<dt>专业技术职务等级</dt><dd>高级</dd>" in page
    # unticked / none clears them
    client.post(reverse("people:edit", args=[person.pk]), _edit_data(person, title_level=""))
    person.refresh_from_db()
    assert (person.taiwan_origin, person.title_level) == (False, "")


def test_api_patch_reads_titles_and_refuses_unknown_values(tree, client):
    person = tree.member_a1_1
    client.login(username="town_a", password=PASSWORD)
    url = reverse("api:person-detail", args=[person.pk])
    response = client.patch(url, {"version": person.version, "title_level": "副主任医师", "taiwan_origin": True},
                            content_type="application/json")
    assert response.status_code == 200, response.json()
    assert (response.json()["title_level"], response.json()["title_level_label"], response.json()["taiwan_origin"]) == (
        "senior", "高级", True)
    bad = client.patch(url, {"version": response.json()["version"], "title_level": "科长"},
                       content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["column"] == "专业技术职务等级"
    assert Person.objects.get(pk=person.pk).title_level == "senior"


def test_services(tree):
    birth = dt.date(1980, 2, 3)
    person = person_create(user=tree.town_user, organization_id=tree.branch_a2.pk, name="台胞甲", sex="1",
                           ethnicity="01", birth_date=birth, id_number=make_id(birth, "1"), taiwan_origin="是",
                           title_level="中级")
    assert (person.taiwan_origin, person.title_level) == (True, "intermediate")
    with pytest.raises(ValidationFailed) as caught:
        person_update(user=tree.town_user, person_id=person.pk, expected_version=person.version,
                      changes={"taiwan_origin": "也许"})
    assert caught.value.errors[0].column == "台湾省籍"
