"""Login, lockout, IP throttle, sessions, open redirects, CSRF, log-line forging."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD
from tests.security.helpers import login, set_session
from zugong.accounts.services import LOGIN_FAILED_MESSAGE
from zugong.audit.models import AuditEvent


def _post_login(client, username, password, next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post("/accounts/login/", data)


@pytest.mark.django_db
def test_six_wrong_passwords_lock_the_account_and_are_audited(client, tree):
    for _ in range(5):
        response = _post_login(client, "branch_a1", "Wrong-Password-1")
        assert response.status_code == 200
    # the page never says which (test_login_disclosure.py): the same answer as a wrong password
    assert response.context["error"] == LOGIN_FAILED_MESSAGE
    response = _post_login(client, "branch_a1", "Wrong-Password-1")
    assert response.context["error"] == LOGIN_FAILED_MESSAGE
    # even the right password is refused while locked
    response = _post_login(client, "branch_a1", PASSWORD)
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert response.context["error"] == LOGIN_FAILED_MESSAGE
    tree.branch_user.refresh_from_db()
    assert tree.branch_user.is_locked
    kinds = list(AuditEvent.objects.filter(object_type="user", object_id=str(tree.branch_user.pk))
                 .values_list("kind", flat=True))
    assert kinds.count("login_failed") == 5
    assert kinds.count("lockout") == 1
    assert kinds.count("login_refused_locked") == 2
    # no password in any audit row
    for event in AuditEvent.objects.all():
        assert "Wrong-Password-1" not in str(event.data) and PASSWORD not in event.summary


@pytest.mark.django_db
def test_lock_lasts_30_minutes(client, tree):
    for _ in range(5):
        _post_login(client, "branch_a1", "Wrong-Password-1")
    tree.branch_user.refresh_from_db()
    remaining = (tree.branch_user.locked_until - timezone.now()).total_seconds()
    assert 29 * 60 < remaining <= 30 * 60


@pytest.mark.django_db
def test_success_resets_failure_count(client, tree):
    for _ in range(4):
        _post_login(client, "branch_a1", "Wrong-Password-1")
    response = _post_login(client, "branch_a1", PASSWORD)
    assert response.status_code == 302
    tree.branch_user.refresh_from_db()
    assert tree.branch_user.failed_login_count == 0
    assert AuditEvent.objects.filter(kind="login", actor_id=tree.branch_user.pk).exists()


@pytest.mark.django_db
def test_per_ip_throttle(client, tree, settings):
    settings.ZUGONG_LOGIN_IP_MAX_FAILURES = 8
    # failures spread over many (also unknown) accounts from one address
    for i in range(8):
        _post_login(client, f"nobody{i}", "Wrong-Password-1")
    response = _post_login(client, "county", PASSWORD)
    assert "登录失败次数过多" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(kind="login_throttled", ip_address="127.0.0.1").exists()
    # another address is not affected
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert _post_login(other, "county", PASSWORD).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/x", "javascript:alert(1)",
                                    "/\\evil.example", "http://testserver.evil.example/"])
def test_next_to_foreign_site_is_ignored(client, tree, target):
    response = _post_login(client, "town_a", PASSWORD, next_url=target)
    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_next_same_site_is_followed(client, tree):
    response = _post_login(client, "town_a", PASSWORD, next_url="/accounts/profile/?tab=1")
    assert response["Location"] == "/accounts/profile/?tab=1"


@pytest.mark.django_db
def test_login_page_carries_only_safe_next(client):
    page = client.get("/accounts/login/?next=//evil.example").content.decode()
    assert "evil.example" not in page


@pytest.mark.django_db
def test_logout_clears_server_session_and_reused_cookie_gets_login_page(client, tree):
    login(client, tree.town_user)
    cookie = client.cookies["sessionid"].value
    assert client.get("/accounts/profile/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=cookie).exists()
    thief = Client()
    thief.cookies["sessionid"] = cookie
    response = thief.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_logout_requires_post(client, tree):
    login(client, tree.town_user)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_idle_31_minutes_goes_to_login(client, tree):
    login(client, tree.town_user)
    set_session(client, last_activity=int(time.time()) - 31 * 60)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(kind="session_timeout", actor_id=tree.town_user.pk).exists()
    # the session is gone for good
    assert client.get("/accounts/profile/").status_code == 302


@pytest.mark.django_db
def test_activity_within_30_minutes_keeps_session(client, tree):
    login(client, tree.town_user)
    set_session(client, last_activity=int(time.time()) - 29 * 60)
    assert client.get("/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_absolute_lifetime_12_hours(client, tree):
    login(client, tree.town_user)
    set_session(client, auth_at=int(time.time()) - 12 * 3600 - 60)  # active all day long
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_csrf_required_on_login_and_logout():
    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.post("/accounts/login/", {"username": "x", "password": "y"}).status_code == 403


@pytest.mark.django_db
def test_csrf_required_on_logout(tree):
    csrf_client = Client(enforce_csrf_checks=True)
    login(csrf_client, tree.town_user)
    assert csrf_client.post("/accounts/logout/").status_code == 403
    assert csrf_client.get("/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_login_with_csrf_token_works(tree):
    csrf_client = Client(enforce_csrf_checks=True)
    page = csrf_client.get("/accounts/login/")
    token = page.cookies["csrftoken"].value
    response = csrf_client.post("/accounts/login/", {"username": "town_a", "password": PASSWORD,
                                                     "csrfmiddlewaretoken": token})
    assert response.status_code == 302


@pytest.mark.django_db
def test_crlf_in_username_cannot_forge_log_lines(client, tree):
    forged = "nobody\r\n2025-01-01 12:00:00 INFO login county 登录成功"
    _post_login(client, forged, "Wrong-Password-1")
    event = AuditEvent.objects.filter(kind="login_failed").latest("id")
    for text in (event.summary, event.actor_username, event.object_id):
        assert "\n" not in text and "\r" not in text
    # the JSON detail keeps the value as data (escaped), not as a line of its own

    assert "\n" not in json.dumps(event.data)


@pytest.mark.django_db
def test_cache_control_no_store_on_authenticated_pages(client, tree):
    login(client, tree.town_user)
    response = client.get("/accounts/profile/")
    assert response["Cache-Control"] == "no-store"
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_password_typed_into_username_field_is_not_logged(client, tree):
    _post_login(client, PASSWORD, PASSWORD)
    event = AuditEvent.objects.filter(kind="login_failed").latest("id")
    assert PASSWORD not in json.dumps(event.data, ensure_ascii=False)
    assert event.data["username"] == PASSWORD[:3] + "*" * (len(PASSWORD) - 3)
