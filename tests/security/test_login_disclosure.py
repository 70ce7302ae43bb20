"""Login that tells nothing (issue #7 item 4): a locked account, an unknown username and a wrong password
get the same answer; the idle clock starts at login; behind proxies the client address comes from the
configured number of trusted proxies (``ZUGONG_TRUSTED_PROXIES``), so a forged ``X-Forwarded-For`` cannot
dodge the per-IP throttle."""

from __future__ import annotations

import re
import time
from unittest import mock

import pytest
from django.test import Client, RequestFactory

from tests.factories import PASSWORD
from tests.security.helpers import login, set_session
from zugong.accounts import services
from zugong.audit.models import AuditEvent
from zugong.core.middleware import client_ip

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"')


def _post_login(client, username, password, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def _page(response, username: str) -> str:
    """The rendered page with the per-render CSRF token and the echoed username neutralised."""
    return _CSRF.sub("", response.content.decode()).replace(f'value="{username}"', 'value="…"')


@pytest.mark.django_db
def test_locked_unknown_wrong_and_disabled_get_the_same_answer(tree):
    tree.town_user.is_active = False
    tree.town_user.save(update_fields=["is_active"])
    for _ in range(services.MAX_FAILURES):
        _post_login(Client(), "branch_a1", "Wrong-Password-1")
    tree.branch_user.refresh_from_db()
    assert tree.branch_user.is_locked
    answers = {
        "locked, right password": _post_login(Client(), "branch_a1", PASSWORD),
        "locked, wrong password": _post_login(Client(), "branch_a1", "Wrong-Password-1"),
        "unknown username": _post_login(Client(), "no_such_user", PASSWORD),
        "wrong password": _post_login(Client(), "branch_b1", "Wrong-Password-1"),
        "disabled account": _post_login(Client(), "town_a", PASSWORD),
    }
    usernames = {"locked, right password": "branch_a1", "locked, wrong password": "branch_a1",
                 "unknown username": "no_such_user", "wrong password": "branch_b1", "disabled account": "town_a"}
    assert {r.status_code for r in answers.values()} == {200}
    assert {r.context["error"] for r in answers.values()} == {services.LOGIN_FAILED_MESSAGE}
    pages = {_page(r, usernames[k]) for k, r in answers.items()}
    assert len(pages) == 1
    assert "锁定" in services.LOGIN_FAILED_MESSAGE  # the message covers every case without telling which


@pytest.mark.django_db
def test_the_locking_failure_itself_gets_the_same_answer(tree):
    client = Client()
    for _ in range(services.MAX_FAILURES - 1):
        _post_login(client, "branch_a1", "Wrong-Password-1")
    response = _post_login(client, "branch_a1", "Wrong-Password-1")
    tree.branch_user.refresh_from_db()
    assert tree.branch_user.is_locked
    assert response.context["error"] == services.LOGIN_FAILED_MESSAGE


@pytest.mark.django_db
def test_every_refusal_runs_the_password_hasher(tree):
    """Timing-neutral: unknown, locked and wrong-password attempts each hash the password exactly once."""
    from django.contrib.auth.hashers import get_hasher

    for _ in range(services.MAX_FAILURES):
        _post_login(Client(), "branch_a1", "Wrong-Password-1")
    hasher = type(get_hasher("default"))
    for username in ("no_such_user", "branch_a1", "branch_b1"):
        with mock.patch.object(hasher, "encode", autospec=True, side_effect=hasher.encode) as encode:
            response = _post_login(Client(), username, "Wrong-Password-1")
        assert response.context["error"] == services.LOGIN_FAILED_MESSAGE
        assert encode.call_count == 1, username  # a check (verify) is one encode too: the same work


# --- idle clock ----------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_idle_clock_starts_at_login(client, tree):
    """A session logged in 31 minutes ago that has seen no request since is idle, not fresh."""
    login(client, tree.town_user)
    set_session(client, auth_at=int(time.time()) - 31 * 60, last_activity=None)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert AuditEvent.objects.filter(kind="session_timeout", actor_id=tree.town_user.pk).exists()


@pytest.mark.django_db
def test_login_page_stamps_the_idle_clock(client, tree):
    assert _post_login(client, "town_a", PASSWORD).status_code == 302
    assert client.session["last_activity"] == client.session["auth_at"]
    set_session(client, last_activity=None, auth_at=int(time.time()) - 29 * 60)
    assert client.get("/accounts/profile/").status_code == 200


# --- client address behind proxies ---------------------------------------------------------------------
def _request(remote="10.0.0.1", xff=None):
    extra = {"REMOTE_ADDR": remote}
    if xff is not None:
        extra["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **extra)


def test_no_trusted_proxy_ignores_x_forwarded_for(settings):
    settings.ZUGONG_TRUSTED_PROXIES = 0
    assert client_ip(_request("203.0.113.9", "1.2.3.4")) == "203.0.113.9"


def test_one_trusted_proxy_takes_the_rightmost_entry(settings):
    settings.ZUGONG_TRUSTED_PROXIES = 1
    assert client_ip(_request("10.0.0.1", "6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.1", "203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.1")) == "10.0.0.1"
    assert client_ip(_request("10.0.0.1", "garbage<script>")) == "10.0.0.1"
    assert client_ip(_request("10.0.0.1", "203.0.113.9:51234")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.1", "[2001:db8::1]:443")) == "2001:db8::1"


def test_two_trusted_proxies_take_the_second_from_the_right(settings):
    settings.ZUGONG_TRUSTED_PROXIES = 2
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.2", "203.0.113.9")) == "203.0.113.9"


def test_behind_proxy_defaults_to_one_trusted_proxy(monkeypatch):
    import importlib

    import zugong.settings as settings_module

    monkeypatch.setenv("ZUGONG_BEHIND_PROXY", "1")
    monkeypatch.delenv("ZUGONG_TRUSTED_PROXIES", raising=False)
    try:
        assert importlib.reload(settings_module).ZUGONG_TRUSTED_PROXIES == 1
        monkeypatch.setenv("ZUGONG_TRUSTED_PROXIES", "2")
        assert importlib.reload(settings_module).ZUGONG_TRUSTED_PROXIES == 2
        monkeypatch.delenv("ZUGONG_BEHIND_PROXY")
        monkeypatch.delenv("ZUGONG_TRUSTED_PROXIES")
        assert importlib.reload(settings_module).ZUGONG_TRUSTED_PROXIES == 0
    finally:
        monkeypatch.undo()
        importlib.reload(settings_module)


@pytest.mark.django_db
def test_forged_leftmost_x_forwarded_for_cannot_dodge_the_throttle(tree, settings):
    settings.ZUGONG_TRUSTED_PROXIES = 1
    settings.ZUGONG_LOGIN_IP_MAX_FAILURES = 20
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for i in range(25):
        forged = f"198.51.100.{i}, 203.0.113.9"  # a new forged leftmost value on every attempt
        _post_login(proxy, f"nobody{i}", "Wrong-Password-1", HTTP_X_FORWARDED_FOR=forged)
    assert AuditEvent.objects.filter(kind="login_failed", ip_address="203.0.113.9").count() == 20
    response = _post_login(proxy, "county", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.77, 203.0.113.9")
    assert "登录失败次数过多" in response.content.decode() and "_auth_user_id" not in proxy.session
    assert AuditEvent.objects.filter(kind="login_throttled", ip_address="203.0.113.9").exists()
    assert not AuditEvent.objects.filter(ip_address__startswith="198.51.100.").exists()
    # another client behind the same proxy is not affected
    other = Client(REMOTE_ADDR="10.0.0.1")
    assert _post_login(other, "county", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.10").status_code == 302


@pytest.mark.django_db
def test_without_trusted_proxies_a_forged_header_is_ignored_by_the_throttle(tree, settings):
    settings.ZUGONG_TRUSTED_PROXIES = 0
    settings.ZUGONG_LOGIN_IP_MAX_FAILURES = 5
    client = Client(REMOTE_ADDR="203.0.113.9")
    for i in range(5):
        _post_login(client, f"nobody{i}", "Wrong-Password-1", HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
    response = _post_login(client, "county", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert "登录失败次数过多" in response.content.decode()


def test_client_address_is_computed_in_one_place():
    """No module reads REMOTE_ADDR or X-Forwarded-For except ``core.middleware.client_ip``."""
    from pathlib import Path

    import zugong

    root = Path(zugong.__file__).parent
    readers = sorted(str(path.relative_to(root)) for path in root.rglob("*.py")
                     if re.search(r"REMOTE_ADDR|X_FORWARDED_FOR|X-Forwarded-For", path.read_text(encoding="utf-8")))
    assert readers == ["core/middleware.py", "settings.py"]
