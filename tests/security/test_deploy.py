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


# --- nothing of the demo in production (issue #7 item 8) -------------------------------------------

def test_demo_refuses_to_run_with_production_settings(tmp_path):
    done = _run(["demo", "--no-serve", "--scale", "1000000"], PRODUCTION, tmp_path)
    assert done.returncode != 0
    assert "生产环境" in done.stderr and "ZUGONG_DEBUG=1" in done.stderr
    assert not (tmp_path / "prod.sqlite3").exists() or (tmp_path / "prod.sqlite3").stat().st_size == 0


@pytest.mark.django_db
def test_demo_refused_in_the_services_too(settings):
    from zugong.demo.accounts import DemoRefused, create_demo_accounts
    from zugong.demo.generator import generate

    settings.DEBUG = False
    settings.TESTING = False
    with pytest.raises(DemoRefused):
        generate(members=10)
    with pytest.raises(DemoRefused):
        create_demo_accounts(None)


@pytest.mark.django_db
def test_check_deploy_fails_while_demo_data_or_demo_password_exists(settings):
    from django.contrib.auth import get_user_model

    from zugong.demo.accounts import DEMO_PASSWORD, DEMO_USERNAMES, _targets
    from zugong.demo.checks import no_demo_data
    from zugong.demo.generator import ROOT_CODE
    from zugong.orgs.models import PartyOrganization
    from zugong.orgs.services import organization_create

    settings.DEBUG = False
    assert no_demo_data(None) == []
    zzb = get_user_model().objects.create_user(username="zzb", password=DEMO_PASSWORD)
    errors = no_demo_data(None)
    assert [e.id for e in errors] == ["zugong.E004"] and "zzb" in errors[0].msg
    zzb.set_password("Another-Passw0rd!")
    zzb.save()
    assert no_demo_data(None) == []  # a real account that happens to be called zzb is fine
    organization_create(code=ROOT_CODE, name="演示县委", org_type="committee", unit_category="government_organ")
    errors = no_demo_data(None)
    assert [e.id for e in errors] == ["zugong.E004"] and ROOT_CODE in errors[0].msg
    assert {t[0] for t in _targets(PartyOrganization.objects.get(code=ROOT_CODE))} == set(DEMO_USERNAMES)


@pytest.mark.django_db
@pytest.mark.parametrize("password", ["Zugong-Demo-2023", "zugong-demo-2023"])
def test_the_published_demo_password_cannot_be_set(password):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        validate_password(password, user=make_user("someone"))
    assert "演示密码" in str(exc.value)


def test_testserver_is_not_an_allowed_host_outside_tests(tmp_path):
    code = "from django.conf import settings; import django; django.setup(); print(settings.ALLOWED_HOSTS)"
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}", "DJANGO_SETTINGS_MODULE": "zugong.settings"}
    for extra in (PRODUCTION, {"ZUGONG_DEBUG": "1"}):
        done = subprocess.run([sys.executable, "-c", code], env={**env, **{k: v for k, v in extra.items()
                                                                          if k != "ZUGONG_ALLOWED_HOSTS"}},
                              capture_output=True, text=True, check=False, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "testserver" not in done.stdout and "127.0.0.1" in done.stdout
