"""三权分立 that one administrator cannot break (issue #7 item 3).

The attack: the system administrator resets a county user's password and second factor, logs in as that
user and reads the members in plaintext. After a reset by an administrator the account's grants stay
suspended until a security administrator (not the resetter) confirms them, a new second factor must be
enrolled at the first login, and a reset of any administrator account waits for an administrator of
another kind. Every step is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD, make_user
from tests.security.helpers import code_for, login, totp_device
from zugong.accounts import services
from zugong.accounts.models import AdminResetRequest
from zugong.audit.models import AuditEvent
from zugong.core.errors import PermissionDeniedError, ZugongError
from zugong.core.scoping import can
from zugong.people.models import Person

TEMP = "Office-Temp-Pass-77"
NEW = "Brand-New-Passw0rd-88!"


def _fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def _kinds_for(pk) -> list[str]:
    return list(AuditEvent.objects.filter(object_type="user", object_id=str(pk)).order_by("id")
                .values_list("kind", flat=True))


def _take_over(sec, admin_client) -> Client:
    """The attack, as far as it gets: reset password and second factor of the county user, log in as him,
    enrol a new TOTP device and set a password of one's own. Returns the attacker's client."""
    totp_device(sec.county_user)
    assert admin_client.post(f"/accounts/users/{sec.county_user.pk}/reset-password/",
                             {"password": TEMP, "password2": TEMP}).status_code == 302
    assert admin_client.post(f"/accounts/users/{sec.county_user.pk}/otp-reset/").status_code == 302
    attacker = Client()
    assert attacker.post("/accounts/login/", {"username": "county", "password": TEMP}).status_code == 302
    # the first login after a reset must enrol a new second factor
    response = attacker.get("/party/members/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/setup/")
    assert attacker.get("/accounts/otp/setup/").status_code == 200
    device = TOTPDevice.objects.get(user=sec.county_user, confirmed=False)
    assert attacker.post("/accounts/otp/setup/", {"token": code_for(device)}).status_code == 302
    # then change the temporary password
    response = attacker.get("/party/members/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/password/")
    assert attacker.post("/accounts/password/", {"old_password": TEMP, "new_password": NEW,
                                                 "new_password2": NEW}).status_code == 302
    return attacker


@pytest.mark.django_db
def test_system_admin_reset_then_login_as_the_user_sees_no_data(sec, otp_on, client):
    person = sec.member_a1_1
    login(client, sec.sysadm)
    attacker = _take_over(sec, client)
    county = _fresh(sec.county_user)
    assert county.grants_suspended_at is not None and county.grants_suspended_by == sec.sysadm
    assert not county.must_enrol_otp and not county.must_change_password
    # every scoping path sees no grant while suspended
    assert not Person.objects.restrict(county).exists()
    assert not can(county, "party", "view") and not services.has_action(county, ("unmask", "export"))
    members = attacker.get("/party/members/")
    assert members.status_code in (403, 404) or person.name not in members.content.decode()
    assert attacker.get(f"/people/{person.pk}/").status_code in (403, 404)
    assert attacker.post(f"/people/{person.pk}/unmask/", {"reason": "核对档案"}).status_code in (403, 404)
    api = attacker.get("/api/members/")
    assert api.status_code in (403, 404) or person.name not in api.content.decode()
    assert attacker.get(f"/api/people/{person.pk}/").status_code in (403, 404)
    profile = attacker.get("/accounts/profile/").content.decode()
    assert "授权暂停" in profile
    # the security administrator sees him in 「待确认的授权」 and confirms (with a fresh re-authentication)
    secadm_client = login(Client(), sec.secadm)
    page = secadm_client.get("/accounts/grants/pending/")
    assert page.status_code == 200 and "county" in page.content.decode() and "待确认的授权" in page.content.decode()
    assert secadm_client.post(f"/accounts/grants/pending/{county.pk}/confirm/").status_code == 302
    county = _fresh(county)
    assert county.grants_suspended_at is None
    assert Person.objects.restrict(county).filter(pk=person.pk).exists()
    assert attacker.get(f"/people/{person.pk}/").status_code == 200
    kinds = _kinds_for(county.pk)
    for kind in ("password_reset", "grants_suspended", "otp_reset", "login", "otp_enrolled", "password_change",
                 "grants_confirmed"):
        assert kind in kinds, kind
    confirmed = AuditEvent.objects.get(kind="grants_confirmed")
    assert confirmed.actor_id == sec.secadm.pk and confirmed.data["suspended_by"] == "sysadm"
    assert "org_department@C" in confirmed.data["grants"]


@pytest.mark.django_db
def test_password_reset_alone_also_removes_the_second_factor(sec, otp_on):
    totp_device(sec.county_user)
    assert services.user_reset_password(actor=sec.sysadm, user=sec.county_user, new_password=TEMP) is None
    county = _fresh(sec.county_user)
    assert not TOTPDevice.objects.filter(user=county).exists()
    assert county.must_enrol_otp and county.must_change_password and county.grants_suspended_at


@pytest.mark.django_db
def test_enrolment_is_forced_after_a_reset_even_without_otp_rights(sec, otp_on):
    viewer = make_user("viewer1", "viewer", sec.county)
    assert not services.otp_required(viewer)
    services.user_otp_reset(actor=sec.sysadm, user=viewer)
    client = Client()
    assert client.post("/accounts/login/", {"username": "viewer1", "password": PASSWORD}).status_code == 302
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/setup/")
    assert client.get("/api/schema/").status_code == 403
    client.get("/accounts/otp/setup/")
    device = TOTPDevice.objects.get(user=viewer, confirmed=False)
    client.post("/accounts/otp/setup/", {"token": code_for(device)})
    assert not _fresh(viewer).must_enrol_otp
    assert client.get("/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_who_may_confirm_suspended_grants(sec):
    services.user_reset_password(actor=sec.sysadm, user=sec.county_user, new_password=TEMP)
    county = _fresh(sec.county_user)
    # not before the user has completed the first login
    with pytest.raises(ZugongError, match="首次登录"):
        services.grants_confirm(actor=sec.secadm, user=county)
    county.must_change_password = False
    county.must_enrol_otp = False
    county.save()
    # a system or audit administrator cannot, nor can the user
    for actor in (sec.sysadm, sec.audadm, county, None):
        with pytest.raises(PermissionDeniedError):
            services.grants_confirm(actor=actor, user=county)
    # the resetter cannot, even were he a security administrator
    county.grants_suspended_by = sec.secadm
    county.save()
    with pytest.raises(PermissionDeniedError, match="执行重置"):
        services.grants_confirm(actor=sec.secadm, user=county)
    other_sec = make_user("secadm2")
    services.grant_role(user=other_sec, role_code="security_admin")
    services.grants_confirm(actor=other_sec, user=county)
    assert _fresh(county).grants_suspended_at is None
    with pytest.raises(ZugongError, match="未被暂停"):
        services.grants_confirm(actor=other_sec, user=county)


@pytest.mark.django_db
def test_confirmation_page_refused_to_system_admin(sec, client):
    services.user_reset_password(actor=sec.sysadm, user=sec.county_user, new_password=TEMP)
    login(client, sec.sysadm)
    assert client.get("/accounts/grants/pending/").status_code == 403
    assert client.post(f"/accounts/grants/pending/{sec.county_user.pk}/confirm/").status_code == 403
    assert _fresh(sec.county_user).grants_suspended_at is not None


@pytest.mark.django_db
def test_reset_of_a_user_without_grants_suspends_nothing(sec):
    services.user_reset_password(actor=sec.sysadm, user=sec.nogrant_user, new_password=TEMP)
    user = _fresh(sec.nogrant_user)
    assert user.grants_suspended_at is None and user.must_enrol_otp
    assert "grants_suspended" not in _kinds_for(user.pk)


@pytest.mark.django_db
def test_grants_given_while_suspended_stay_suspended(sec):
    services.user_otp_reset(actor=sec.sysadm, user=sec.town_user)
    services.grant_role(user=sec.town_user, role_code="viewer", organization=sec.town_b, granted_by=sec.secadm)
    assert not Person.objects.restrict(_fresh(sec.town_user)).exists()


# --- resets of administrator accounts --------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("target", ["secadm", "audadm"])
def test_reset_of_an_administrator_is_only_a_request(sec, target):
    admin = getattr(sec, target)
    device = totp_device(admin)
    old_hash = admin.password
    request = services.user_reset_password(actor=sec.sysadm, user=admin, new_password=TEMP)
    assert isinstance(request, AdminResetRequest) and request.status == "pending"
    admin = _fresh(admin)
    assert admin.password == old_hash and not admin.must_change_password and not admin.must_enrol_otp
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    otp_request = services.user_otp_reset(actor=sec.sysadm, user=admin)
    assert isinstance(otp_request, AdminResetRequest)
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    # one pending request per account and kind
    with pytest.raises(ZugongError, match="待批准"):
        services.user_otp_reset(actor=sec.sysadm, user=admin)
    assert AuditEvent.objects.filter(kind="admin_reset_requested", actor_id=sec.sysadm.pk).count() == 2


@pytest.mark.django_db
def test_admin_reset_approval_rules(sec):
    sysadm2 = make_user("sysadm2")
    services.grant_role(user=sysadm2, role_code="system_admin")
    device = totp_device(sec.secadm)
    request = services.user_reset_password(actor=sec.sysadm, user=sec.secadm, new_password=TEMP)
    # the requester, another administrator of the same kind, the account itself, a business user: refused
    for actor, reason in ((sec.sysadm, "申请人"), (sysadm2, "其他类别"), (sec.secadm, "本人"),
                          (sec.county_user, "仅管理员")):
        with pytest.raises(PermissionDeniedError, match=reason):
            services.admin_reset_approve(actor=actor, request=request)
    assert AdminResetRequest.objects.get(pk=request.pk).status == "pending"
    assert _fresh(sec.secadm).check_password(PASSWORD)
    # an administrator of another kind approves: the reset is applied
    services.admin_reset_approve(actor=sec.audadm, request=request)
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_by == sec.audadm and request.password == ""
    secadm = _fresh(sec.secadm)
    assert secadm.check_password(TEMP) and secadm.must_change_password and secadm.must_enrol_otp
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    # administrator grants are not suspended (the second administrator's approval is the control)
    assert secadm.grants_suspended_at is None and services.admin_kinds(secadm) == {"security"}
    with pytest.raises(PermissionDeniedError, match="已批准"):
        services.admin_reset_approve(actor=sec.audadm, request=request)
    approved = AuditEvent.objects.get(kind="admin_reset_approved")
    assert approved.actor_id == sec.audadm.pk and approved.data["requested_by"] == "sysadm"
    reset = AuditEvent.objects.get(kind="password_reset", object_id=str(secadm.pk))
    assert reset.actor_id == sec.sysadm.pk and reset.data["approved_by"] == "audadm"
    assert TEMP not in str(reset.data) and TEMP not in str(approved.data)


@pytest.mark.django_db
def test_admin_reset_reject_and_expiry(sec):
    request = services.user_otp_reset(actor=sec.sysadm, user=sec.audadm)
    # the account concerned may refuse a reset it did not ask for
    services.admin_reset_reject(actor=sec.audadm, request=request)
    request.refresh_from_db()
    assert request.status == "rejected" and AuditEvent.objects.filter(kind="admin_reset_rejected").exists()
    with pytest.raises(ZugongError):
        services.admin_reset_reject(actor=sec.secadm, request=request)
    with pytest.raises(PermissionDeniedError):
        services.admin_reset_approve(actor=sec.secadm, request=request)
    # a request older than RESET_REQUEST_HOURS cannot be approved; a new one replaces it
    request = services.user_otp_reset(actor=sec.sysadm, user=sec.audadm)
    AdminResetRequest.objects.filter(pk=request.pk).update(
        requested_at=timezone.now() - dt.timedelta(hours=services.RESET_REQUEST_HOURS, minutes=1))
    with pytest.raises(PermissionDeniedError, match="过期"):
        services.admin_reset_approve(actor=sec.secadm, request=AdminResetRequest.objects.get(pk=request.pk))
    fresh = services.user_otp_reset(actor=sec.sysadm, user=sec.audadm)
    assert AdminResetRequest.objects.get(pk=request.pk).status == "expired"
    services.admin_reset_approve(actor=sec.secadm, request=fresh)
    assert _fresh(sec.audadm).must_enrol_otp


@pytest.mark.django_db
def test_system_admin_cannot_reset_himself_here(sec):
    with pytest.raises(ZugongError, match="本人"):
        services.user_reset_password(actor=sec.sysadm, user=sec.sysadm, new_password=TEMP)
    with pytest.raises(ZugongError, match="本人"):
        services.user_otp_reset(actor=sec.sysadm, user=sec.sysadm)


@pytest.mark.django_db
def test_admin_reset_pages(sec, client):
    login(client, sec.sysadm)
    response = client.post(f"/accounts/users/{sec.secadm.pk}/reset-password/", {"password": TEMP, "password2": TEMP},
                           follow=True)
    assert "须由系统管理员以外的其他类别管理员" in response.content.decode()
    request = AdminResetRequest.objects.get(target=sec.secadm)
    page = client.get("/accounts/resets/").content.decode()
    assert "申请人不能批准本人提交的申请" in page and "撤回" in page
    assert client.post(f"/accounts/resets/{request.pk}/approve/").status_code == 302
    assert AdminResetRequest.objects.get(pk=request.pk).status == "pending"
    audit_client = login(Client(), sec.audadm)
    page = audit_client.get("/accounts/resets/").content.decode()
    assert f"/accounts/resets/{request.pk}/approve/" in page
    assert audit_client.post(f"/accounts/resets/{request.pk}/approve/").status_code == 302
    assert AdminResetRequest.objects.get(pk=request.pk).status == "approved"
    assert _fresh(sec.secadm).check_password(TEMP)
    # business users have no access to the approvals
    assert login(Client(), sec.county_user).get("/accounts/resets/").status_code == 403
