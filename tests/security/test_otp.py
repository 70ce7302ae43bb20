"""TOTP second factor: mandatory for the three administrator roles and for holders of unmask/export
rights when ZUGONG_REQUIRE_OTP is on; enrolment and verification flows; wrong codes lock the account."""

from __future__ import annotations

import pytest
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.security.helpers import code_for, login, totp_device
from zugong.accounts.services import otp_required
from zugong.audit.models import AuditEvent


@pytest.mark.django_db
def test_who_needs_a_second_factor(sec):
    assert otp_required(sec.sysadm) and otp_required(sec.secadm) and otp_required(sec.audadm)
    assert otp_required(sec.county_user)   # org_department: unmask + export
    assert otp_required(sec.town_user)     # party_affairs: export
    assert otp_required(sec.branch_user)   # branch_secretary: export
    assert not otp_required(sec.nogrant_user)


@pytest.mark.django_db
def test_viewer_without_export_needs_no_second_factor(sec, otp_on, client):
    from tests.factories import make_user

    viewer = make_user("viewer1", "viewer", sec.county)
    assert not otp_required(viewer)
    login(client, viewer, otp=False)
    assert client.get("/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_unenrolled_user_is_sent_to_setup_and_api_refused(sec, otp_on, client):
    login(client, sec.county_user, otp=False)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/setup/")
    assert client.get("/api/schema/").status_code == 403
    # logout still works without the second factor
    assert client.post("/accounts/logout/").status_code == 302


@pytest.mark.django_db
def test_enrolment_flow(sec, otp_on, client):
    login(client, sec.county_user, otp=False)
    page = client.get("/accounts/otp/setup/?next=/accounts/profile/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "data:image/svg+xml;base64," in html
    device = TOTPDevice.objects.get(user=sec.county_user, confirmed=False)
    # a wrong code does not confirm
    assert "不正确" in client.post("/accounts/otp/setup/", {"token": "000000" if code_for(device) != "000000" else "111111"}
                                  ).content.decode()
    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    response = client.post("/accounts/otp/setup/", {"token": code_for(device), "next": "/accounts/profile/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get("/accounts/profile/").status_code == 200
    assert AuditEvent.objects.filter(kind="otp_enrolled", actor_id=sec.county_user.pk).exists()
    # a confirmed device cannot be replaced by visiting setup again
    assert client.get("/accounts/otp/setup/")["Location"].startswith("/accounts/otp/verify/")


@pytest.mark.django_db
def test_enrolled_user_must_verify_each_session(sec, otp_on, client):
    device = totp_device(sec.audadm)
    login(client, sec.audadm, otp=False)
    response = client.get("/audit/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/verify/")
    response = client.post("/accounts/otp/verify/", {"token": code_for(device), "next": "/audit/"})
    assert response.status_code == 302 and response["Location"] == "/audit/"
    assert client.get("/audit/").status_code == 200


@pytest.mark.django_db
def test_five_wrong_codes_lock_the_account(sec, otp_on, client):
    device = totp_device(sec.secadm)
    wrong = "123456" if code_for(device) != "123456" else "654321"
    login(client, sec.secadm, otp=False)
    for _ in range(4):
        response = client.post("/accounts/otp/verify/", {"token": wrong})
        assert response.status_code == 200 and "不正确" in response.content.decode()
    response = client.post("/accounts/otp/verify/", {"token": wrong})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    sec.secadm.refresh_from_db()
    assert sec.secadm.is_locked
    assert AuditEvent.objects.filter(kind="otp_failed", object_id=str(sec.secadm.pk)).count() == 5
    assert AuditEvent.objects.filter(kind="lockout", object_id=str(sec.secadm.pk)).exists()


@pytest.mark.django_db
def test_demo_mode_lets_users_in_without_phone(sec, settings, client):
    settings.ZUGONG_REQUIRE_OTP = False
    login(client, sec.county_user, otp=False)
    assert client.get("/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_system_admin_resets_lost_device(sec, otp_on, client):
    totp_device(sec.county_user)
    login(client, sec.sysadm)
    response = client.post(f"/accounts/users/{sec.county_user.pk}/otp-reset/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=sec.county_user).exists()
    assert AuditEvent.objects.filter(kind="otp_reset", object_id=str(sec.county_user.pk)).exists()
