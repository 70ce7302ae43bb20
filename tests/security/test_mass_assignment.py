"""Extra fields in a form or API body (``organization`` pointing at another branch, ``is_staff``, a forged
``version`` bump, an encrypted column) change nothing: only the editable fields are taken."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.security.helpers import login
from zugong.people.models import Person


def _form(person, **extra):
    data = {"version": person.version, "name": "张伟伟", "sex": person.sex, "ethnicity": person.ethnicity,
            "birth_date": person.birth_date.isoformat(), "education_level": person.education_level,
            "political_status": person.political_status}
    data.update(extra)
    return data


@pytest.mark.django_db
def test_edit_form_ignores_organization_and_privilege_fields(tree):
    person = tree.member_a1_1
    client = login(Client(), tree.branch_user)
    response = client.post(f"/people/{person.pk}/edit/", _form(
        person, organization=tree.branch_b1.pk, organization_id=tree.branch_b1.pk, is_staff="on",
        is_superuser="on", id_number_hash="0" * 64))
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.organization_id == tree.branch_a1.pk
    assert person.version == 2
    assert person.id_number_hash != "0" * 64
    user = get_user_model().objects.get(pk=tree.branch_user.pk)
    assert not user.is_staff and not user.is_superuser


@pytest.mark.django_db
def test_api_patch_ignores_or_refuses_organization(tree):
    person = tree.member_a1_1
    api = login(Client(), tree.branch_user)
    response = api.patch(f"/api/people/{person.pk}/",
                         {"version": 1, "name": "张伟", "organization": tree.branch_b1.pk, "is_staff": True},
                         content_type="application/json")
    assert response.status_code in (200, 400)
    person.refresh_from_db()
    assert person.organization_id == tree.branch_a1.pk
    assert Person.objects.restrict(tree.branch_b_user).filter(pk=person.pk).count() == 0
