"""Unmasking: a separate POST with a reason, basic.unmask on the person's organization, recent
re-authentication and (when required) a TOTP-verified session; audited without the number."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.security.helpers import login
from zugong.audit.models import AuditEvent


def _unmask(client, person, reason="核对干部档案", **headers):
    return client.post(f"/people/{person.pk}/unmask/", {"reason": reason}, **headers)


@pytest.mark.django_db
def test_unmask_returns_plaintext_fragment_and_audits_reason(sec, otp_on, client):
    person = sec.member_a1_1
    login(client, sec.county_user)
    response = _unmask(client, person, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert person.id_number in html and "<html" not in html
    event = AuditEvent.objects.get(kind="unmask")
    assert event.actor_id == sec.county_user.pk and event.object_id == str(person.pk)
    assert event.data["reason"] == "核对干部档案"
    assert person.id_number not in str(event.data) and person.id_number not in event.summary


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", " ", "x", "\r\n"])
def test_reason_required(sec, client, reason):
    login(client, sec.county_user)
    response = _unmask(client, sec.member_a1_1, reason=reason, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "查看事由" in response.content.decode()
    assert sec.member_a1_1.id_number not in response.content.decode()
    assert not AuditEvent.objects.filter(kind="unmask").exists()


@pytest.mark.django_db
def test_without_unmask_permission_the_person_does_not_exist(sec, client):
    # 党务工作者 (town A) sees the person but may not unmask
    login(client, sec.town_user)
    assert client.get(f"/people/{sec.member_a1_1.pk}/unmask/").status_code == 404
    assert _unmask(client, sec.member_a1_1).status_code == 404
    # county user out of... a branch B secretary cannot reach branch A's member at all
    login(client, sec.branch_b_user)
    assert _unmask(client, sec.member_a1_1).status_code == 404
    assert not AuditEvent.objects.filter(kind="unmask").exists()


@pytest.mark.django_db
def test_unmask_needs_recent_reauth(sec, client):
    login(client, sec.county_user, reauth=False)
    response = _unmask(client, sec.member_a1_1, HTTP_REFERER=f"http://testserver/people/{sec.member_a1_1.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauth/?next=%2Fpeople%2F")
    assert not AuditEvent.objects.filter(kind="unmask").exists()


@pytest.mark.django_db
def test_unmask_needs_verified_session_when_otp_required(sec, otp_on):
    client = Client()
    login(client, sec.county_user, otp=False)
    response = _unmask(client, sec.member_a1_1)
    assert response.status_code == 302 and "/accounts/otp/" in response["Location"]
    assert not AuditEvent.objects.filter(kind="unmask").exists()


@pytest.mark.django_db
def test_unmask_get_only_shows_the_form(sec, client):
    login(client, sec.county_user)
    response = client.get(f"/people/{sec.member_a1_1.pk}/unmask/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert sec.member_a1_1.id_number not in response.content.decode()
    assert 'name="reason"' in response.content.decode()


@pytest.mark.django_db
def test_unmask_needs_csrf(sec):
    client = login(Client(enforce_csrf_checks=True), sec.county_user)
    assert _unmask(client, sec.member_a1_1).status_code == 403
    assert not AuditEvent.objects.filter(kind="unmask").exists()


@pytest.mark.django_db
def test_detail_page_offers_unmask_only_to_holders(sec, client):
    person = sec.member_a1_1
    login(client, sec.county_user)
    html = client.get(f"/people/{person.pk}/").content.decode()
    assert f"/people/{person.pk}/unmask/" in html and person.id_number not in html
    login(client, sec.town_user)
    html = client.get(f"/people/{person.pk}/").content.decode()
    assert f"/people/{person.pk}/unmask/" not in html
    assert f"/people/{person.pk}/edit/" in html


def test_unmask_event_stores_no_name(tree):
    """The stored audit row of an unmask names the person by id only (the auditor sees no personal data)."""
    from zugong.audit.models import AuditEvent
    from zugong.people.sensitive import person_unmask

    person = tree.member_a1_1
    person_unmask(user=tree.county_user, person_id=person.pk, reason="核对档案")
    event = AuditEvent.objects.filter(kind="unmask").latest("id")
    assert person.name not in event.summary and str(person.pk) in event.summary
    assert person.name not in str(event.data)
