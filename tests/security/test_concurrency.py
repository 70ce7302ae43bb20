"""Optimistic locking: two editors saving the same record — the second is refused (page 409, API 409)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from tests.factories import make_id
from tests.security.helpers import login
from zugong.audit.models import AuditEvent
from zugong.core.concurrency import save_with_version
from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed
from zugong.people.models import Person
from zugong.people.services import person_update


def _form(person, **overrides):
    data = {"version": person.version, "name": person.name, "sex": person.sex, "ethnicity": person.ethnicity,
            "birth_date": person.birth_date.isoformat(), "education_level": person.education_level,
            "political_status": person.political_status}
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_save_with_version_refuses_stale_copy(tree):
    first = Person.objects.get(pk=tree.member_a1_1.pk)
    second = Person.objects.get(pk=tree.member_a1_1.pk)
    first.name = "张伟一"
    assert save_with_version(first, first.version, ["name"]) == 2
    second.name = "张伟二"
    with pytest.raises(ConcurrentEdit):
        save_with_version(second, second.version, ["name"])
    stored = Person.objects.get(pk=first.pk)
    assert stored.name == "张伟一" and stored.version == 2
    with pytest.raises(OutOfScope):
        save_with_version(Person(pk=999999, name="x"), 1, ["name"])


@pytest.mark.django_db
def test_two_editors_on_the_page_second_refused(tree):
    person = tree.member_a1_1
    editor_a, editor_b = Client(), Client()
    login(editor_a, tree.branch_user)
    login(editor_b, tree.town_user)
    page_a = editor_a.get(f"/people/{person.pk}/edit/")
    page_b = editor_b.get(f"/people/{person.pk}/edit/")
    assert page_a.status_code == page_b.status_code == 200
    assert editor_a.post(f"/people/{person.pk}/edit/", _form(person, name="张伟甲")).status_code == 302
    response = editor_b.post(f"/people/{person.pk}/edit/", _form(person, name="张伟乙"))
    assert response.status_code == 409
    assert "该记录已被他人修改" in response.content.decode()
    person.refresh_from_db()
    assert person.name == "张伟甲" and person.version == 2


@pytest.mark.django_db
def test_api_patch_with_stale_version_is_409(tree):
    person = tree.member_a1_1
    api = login(Client(), tree.town_user)
    url = f"/api/people/{person.pk}/"
    got = api.get(url).json()
    assert got["version"] == 1 and got["id_number_masked"] == person.id_number_masked and "id_number" not in got
    response = api.patch(url, {"version": 1, "name": "张伟新"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["version"] == 2
    response = api.patch(url, {"version": 1, "name": "旧副本"}, content_type="application/json")
    assert response.status_code == 409
    assert "已被他人修改" in response.json()["detail"]
    response = api.patch(url, {"name": "没有版本"}, content_type="application/json")
    assert response.status_code == 400
    person.refresh_from_db()
    assert person.name == "张伟新"


@pytest.mark.django_db
def test_api_patch_outside_scope_is_404_and_csrf_enforced(tree):
    other = tree.member_b1_1
    api = login(Client(), tree.town_user)
    assert api.patch(f"/api/people/{other.pk}/", {"version": 1, "name": "x"},
                     content_type="application/json").status_code == 404
    csrf_api = login(Client(enforce_csrf_checks=True), tree.town_user)
    response = csrf_api.patch(f"/api/people/{tree.member_a1_1.pk}/", {"version": 1, "name": "x"},
                              content_type="application/json")
    assert response.status_code == 403
    # a viewer may read but not change
    from tests.factories import make_user

    viewer = login(Client(), make_user("viewer2", "viewer", tree.county))
    assert viewer.get(f"/api/people/{other.pk}/").status_code == 200
    assert viewer.patch(f"/api/people/{other.pk}/", {"version": 1, "name": "x"},
                        content_type="application/json").status_code == 404


@pytest.mark.django_db
def test_edit_validation_names_fields_and_writes_nothing(tree):
    person = tree.member_a1_1
    with pytest.raises(ValidationFailed) as exc:
        person_update(user=tree.county_user, person_id=person.pk, expected_version=1, changes={
            "name": "张\r\n伟", "sex": "X", "birth_date": "2999-01-01", "id_number": "110105198506150001",
            "phone": "abc"})
    columns = {e.column for e in exc.value.errors}
    assert columns == {"姓名", "性别", "出生日期", "公民身份号码", "手机号码"}
    person.refresh_from_db()
    assert person.name == "张伟" and person.version == 1


@pytest.mark.django_db
def test_edit_duplicate_id_number_refused(tree):
    other_id = tree.member_a1_2.id_number  # with the birth date and sex it encodes (checked first)
    with pytest.raises(ValidationFailed, match="已登记"):
        person_update(user=tree.county_user, person_id=tree.member_a1_1.pk, expected_version=1,
                      changes={"id_number": other_id, "birth_date": tree.member_a1_2.birth_date, "sex": "2"})


@pytest.mark.django_db
def test_edit_changes_sensitive_values_encrypted_and_logged_masked(tree):
    person = tree.member_a1_1
    new_id = make_id(dt.date(1985, 6, 15), "1")
    updated = person_update(user=tree.county_user, person_id=person.pk, expected_version=1,
                            changes={"id_number": new_id, "phone": "13700001111"})
    stored = Person.objects.get(pk=person.pk)
    assert stored.id_number == new_id and stored.phone == "13700001111" and stored.phone_masked == "137****1111"
    assert updated.version == 2
    event = AuditEvent.objects.filter(kind="change", object_type="people.person", object_id=str(person.pk)).latest("id")
    assert event.data["changes"]["id_number_encrypted"] == ["***", "***"]
    assert event.data["changes"]["phone_encrypted"] == ["", "***"]
    assert new_id not in str(event.data) and "13700001111" not in str(event.data)


@pytest.mark.django_db
def test_edit_out_of_scope_is_404(tree, client):
    login(client, tree.branch_user)
    assert client.get(f"/people/{tree.member_b1_1.pk}/edit/").status_code == 404
    with pytest.raises(OutOfScope):
        person_update(user=tree.branch_user, person_id=tree.member_b1_1.pk, expected_version=1, changes={"name": "x"})


@pytest.mark.django_db
def test_edit_needs_csrf(tree):
    csrf_client = login(Client(enforce_csrf_checks=True), tree.town_user)
    person = tree.member_a1_1
    assert csrf_client.post(f"/people/{person.pk}/edit/", _form(person, name="无令牌")).status_code == 403
    person.refresh_from_db()
    assert person.name == "张伟"
