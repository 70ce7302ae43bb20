"""三权分立: system, security and audit administrators are separate, see no business data, and every
administrative change is audited."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, make_user
from tests.security.helpers import login
from zugong.accounts.models import Role, RoleGrant
from zugong.accounts.services import grant_revoke, grant_role
from zugong.audit.models import AuditEvent
from zugong.core.errors import PermissionDeniedError, ZugongError
from zugong.people.models import Person


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["sysadm", "secadm", "audadm"])
def test_administrators_see_no_business_data(sec, client, who):
    admin = getattr(sec, who)
    assert not Person.objects.restrict(admin).exists()
    login(client, admin)
    person = sec.member_a1_1
    assert client.get(f"/people/{person.pk}/").status_code == 403
    assert client.get("/party/members/").status_code == 403
    assert client.get("/api/schema/").status_code == 403
    assert client.get(f"/api/people/{person.pk}/").status_code == 403


@pytest.mark.django_db
def test_audit_admin_opening_a_person_is_403(sec, client):
    login(client, sec.audadm)
    assert client.get(f"/people/{sec.member_a1_1.pk}/").status_code == 403


@pytest.mark.django_db
def test_system_admin_opening_the_audit_log_is_403(sec, client):
    login(client, sec.sysadm)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export/?format=csv").status_code == 403


@pytest.mark.django_db
def test_consoles_are_separate(sec, client):
    login(client, sec.sysadm)
    assert client.get("/accounts/users/").status_code == 200
    assert client.get("/accounts/grants/").status_code == 403
    login(client, sec.secadm)
    assert client.get("/accounts/grants/").status_code == 200
    assert client.get("/accounts/roles/").status_code == 200
    assert client.get("/accounts/users/").status_code == 403
    assert client.get("/audit/").status_code == 403
    login(client, sec.audadm)
    assert client.get("/audit/").status_code == 200
    assert client.get("/accounts/users/").status_code == 403
    assert client.get("/accounts/grants/").status_code == 403


@pytest.mark.django_db
def test_business_user_cannot_open_consoles(sec, client):
    login(client, sec.county_user)
    for url in ("/accounts/users/", "/accounts/grants/", "/accounts/roles/", "/audit/"):
        assert client.get(url).status_code == 403, url


@pytest.mark.django_db
def test_admin_roles_are_mutually_exclusive_and_not_combined_with_business_roles(sec):
    with pytest.raises(ZugongError, match="三权分立"):
        grant_role(user=sec.sysadm, role_code="audit_admin")
    with pytest.raises(ZugongError, match="三权分立"):
        grant_role(user=sec.sysadm, role_code="viewer", organization=sec.county)
    with pytest.raises(ZugongError, match="三权分立"):
        grant_role(user=sec.county_user, role_code="security_admin")
    with pytest.raises(ZugongError, match="必须指定授权组织"):
        grant_role(user=sec.nogrant_user, role_code="viewer")


@pytest.mark.django_db
def test_only_security_admin_grants_and_never_to_himself(sec):
    with pytest.raises(PermissionDeniedError):
        grant_role(user=sec.nogrant_user, role_code="viewer", organization=sec.county, granted_by=sec.sysadm)
    with pytest.raises(ZugongError, match="本人"):
        grant_role(user=sec.secadm, role_code="security_admin", granted_by=sec.secadm)
    other_sec = make_user("secadm2")
    grant = grant_role(user=other_sec, role_code="security_admin", granted_by=sec.secadm)
    with pytest.raises(ZugongError, match="本人"):
        grant_revoke(grant=grant, revoked_by=other_sec)


@pytest.mark.django_db
def test_system_admin_user_lifecycle(sec, client):
    login(client, sec.sysadm)
    response = client.post("/accounts/users/new/", {"username": "clerk", "full_name": "王明", "password": "Office-Start-2025",
                                                    "password2": "Office-Start-2025"})
    assert response.status_code == 302
    from django.contrib.auth import get_user_model

    clerk = get_user_model().objects.get(username="clerk")
    assert clerk.must_change_password and not clerk.grants.exists()
    # weak password refused with the policy message
    response = client.post("/accounts/users/new/", {"username": "clerk2", "password": "short", "password2": "short"})
    assert response.status_code == 200 and "至少 12 位" in response.content.decode()
    # reset password, deactivate, reactivate
    response = client.post(f"/accounts/users/{clerk.pk}/reset-password/", {"password": "Office-Temp-2025!",
                                                                             "password2": "Office-Temp-2025!"})
    assert response.status_code == 302
    assert client.post(f"/accounts/users/{clerk.pk}/deactivate/").status_code == 302
    clerk.refresh_from_db()
    assert not clerk.is_active
    assert client.post(f"/accounts/users/{clerk.pk}/activate/").status_code == 302
    kinds = set(AuditEvent.objects.filter(object_type="user", object_id=str(clerk.pk)).values_list("kind", flat=True))
    assert {"user_create", "password_reset", "user_deactivate", "user_activate"} <= kinds
    assert not AuditEvent.objects.filter(summary__contains="Office-Temp-2025!").exists()
    # the system admin cannot deactivate himself
    client.post(f"/accounts/users/{sec.sysadm.pk}/deactivate/")
    sec.sysadm.refresh_from_db()
    assert sec.sysadm.is_active


@pytest.mark.django_db
def test_deactivated_user_is_logged_out(sec, client):
    from django.test import Client

    victim = Client()
    login(victim, sec.town_user)
    assert victim.get("/accounts/profile/").status_code == 200
    login(client, sec.sysadm)
    client.post(f"/accounts/users/{sec.town_user.pk}/deactivate/")
    assert victim.get("/accounts/profile/").status_code == 302


@pytest.mark.django_db
def test_reset_password_forces_change_at_next_login(sec, client):
    login(client, sec.sysadm)
    client.post(f"/accounts/users/{sec.town_user.pk}/reset-password/", {"password": "Town-Temp-Pass-9",
                                                                        "password2": "Town-Temp-Pass-9"})
    from django.test import Client

    user_client = Client()
    response = user_client.post("/accounts/login/", {"username": "town_a", "password": "Town-Temp-Pass-9"})
    assert response.status_code == 302
    response = user_client.get("/accounts/profile/")
    assert response["Location"].startswith("/accounts/password/")


@pytest.mark.django_db
def test_security_admin_grants_and_revokes_with_reauth(sec, client):
    login(client, sec.secadm)
    viewer_role = Role.objects.get(code="viewer")
    response = client.post("/accounts/grants/new/", {"user": sec.nogrant_user.pk, "role": viewer_role.pk,
                                                     "organization_code": "C-B", "include_subtree": "on"})
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=sec.nogrant_user)
    assert grant.organization == sec.town_b and grant.granted_by == sec.secadm
    assert set(Person.objects.restrict(sec.nogrant_user).values_list("name", flat=True)) == {"阿依古丽"}
    # unknown organization code
    response = client.post("/accounts/grants/new/", {"user": sec.nogrant_user.pk, "role": viewer_role.pk,
                                                     "organization_code": "NOPE"})
    assert "不存在" in response.content.decode()
    # revoke needs a fresh re-authentication
    from tests.security.helpers import set_session

    set_session(client, reauth_at=0)
    response = client.post(f"/accounts/grants/{grant.pk}/revoke/", HTTP_REFERER="http://testserver/accounts/grants/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/reauth/")
    grant.refresh_from_db()
    assert grant.revoked_at is None
    client.post("/accounts/reauth/", {"password": PASSWORD})
    assert client.post(f"/accounts/grants/{grant.pk}/revoke/").status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None and grant.revoked_by == sec.secadm
    fresh_user = type(sec.nogrant_user).objects.get(pk=sec.nogrant_user.pk)
    assert not Person.objects.restrict(fresh_user).exists()
    actions = [e.data["action"] for e in AuditEvent.objects.filter(kind="grant_change", actor_id=sec.secadm.pk)]
    assert actions == ["grant", "revoke"]


@pytest.mark.django_db
def test_security_admin_defines_a_custom_role(sec, client):
    login(client, sec.secadm)
    response = client.post("/accounts/roles/new/", {"code": "stats_only", "name": "统计员",
                                                    "permissions": ["party.view", "basic.view"]})
    assert response.status_code == 302

    role = Role.objects.get(code="stats_only")
    assert role.permissions == ["basic.view", "party.view"]
    assert client.post(f"/accounts/roles/{role.pk}/edit/", {"name": "统计员", "permissions": ["bogus.view"]}).status_code == 200
    builtin = Role.objects.get(code="viewer")
    response = client.post(f"/accounts/roles/{builtin.pk}/edit/", {"name": "x", "permissions": ["basic.unmask"]})
    assert "内置角色不能修改" in response.content.decode()
    assert AuditEvent.objects.filter(kind="role_change", object_id=str(role.pk)).exists()


@pytest.mark.django_db
def test_state_changes_need_csrf(sec):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    login(csrf_client, sec.sysadm)
    assert csrf_client.post(f"/accounts/users/{sec.town_user.pk}/deactivate/").status_code == 403
    sec.town_user.refresh_from_db()
    assert sec.town_user.is_active


@pytest.mark.django_db
def test_create_admin_command_bootstraps_an_administrator(monkeypatch):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from zugong.accounts.services import admin_kinds

    monkeypatch.setenv("ZG_ADMIN_PW", "Install-Admin-2025")
    call_command("create_admin", "secboss", "--kind", "security", "--password-env", "ZG_ADMIN_PW", stdout=io.StringIO())
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username="secboss")
    assert admin_kinds(user) == {"security"} and user.must_change_password and not user.is_superuser
    monkeypatch.setenv("ZG_ADMIN_PW", "weak")
    with pytest.raises(CommandError, match="12"):
        call_command("create_admin", "sysboss", "--kind", "system", "--password-env", "ZG_ADMIN_PW", stdout=io.StringIO())
