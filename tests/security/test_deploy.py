"""Production settings: ``check --deploy`` is clean, the process refuses to start without keys, an active
superuser fails the deploy check (三权分立), and the security headers are sent."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.test import Client

from tests.factories import make_user
from zugong.core.checks import no_active_superuser, second_factor_enabled

PRODUCTION = {
    "ZUGONG_SECRET_KEY": "k" + secrets.token_urlsafe(48),
    "ZUGONG_FIELD_KEY": secrets.token_hex(32),
    "ZUGONG_ALLOWED_HOSTS": "zugong.example.gov.cn",
}


def _run(args, env_extra, tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}", **env_extra}
    return subprocess.run([sys.executable, "-m", "zugong.cli", *args], env=env, cwd=tmp_path, capture_output=True,
                          text=True, check=False)


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    done = _run(["check", "--deploy", "--fail-level", "WARNING"], PRODUCTION, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("missing", ["ZUGONG_SECRET_KEY", "ZUGONG_FIELD_KEY"])
def test_production_refuses_to_start_without_keys(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    done = _run(["check"], env, tmp_path)
    assert done.returncode != 0
    assert missing in done.stderr


def test_check_deploy_fails_when_otp_switched_off(tmp_path):
    done = _run(["check", "--deploy", "--fail-level", "WARNING"], {**PRODUCTION, "ZUGONG_REQUIRE_OTP": "0"}, tmp_path)
    assert done.returncode != 0 and "zugong.W002" in done.stderr


@pytest.mark.django_db
def test_active_superuser_fails_deploy_check(settings, monkeypatch):
    settings.DEBUG = False
    assert no_active_superuser(None) == []
    root = make_user("root")
    root.is_superuser = True
    root.save()
    errors = no_active_superuser(None)
    assert [e.id for e in errors] == ["zugong.E001"] and "root" in errors[0].msg
    # naming the account is not enough: it must also be sealed as the break-glass account
    monkeypatch.setenv("ZUGONG_BREAK_GLASS_USERNAME", "root")
    assert [e.id for e in no_active_superuser(None)] == ["zugong.E001"]
    root.is_break_glass = True
    root.save()
    assert no_active_superuser(None) == []
    # a second superuser is still an error
    other = make_user("root2")
    other.is_superuser = True
    other.save()
    assert "root2" in no_active_superuser(None)[0].msg
    # deactivated superusers are fine
    other.is_active = False
    other.save()
    assert no_active_superuser(None) == []


def test_second_factor_check(settings):
    settings.DEBUG = False
    settings.ZUGONG_REQUIRE_OTP = False
    assert [w.id for w in second_factor_enabled(None)] == ["zugong.W002"]
    settings.ZUGONG_REQUIRE_OTP = True
    assert second_factor_enabled(None) == []


@pytest.mark.django_db
def test_hsts_and_headers_when_enabled(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = Client().get("/accounts/login/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
