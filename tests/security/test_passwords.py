"""Password policy: ≥12 characters, 3 of 4 classes, not the username/ID number/phone, not among the
last 5, expiry after ZUGONG_PASSWORD_MAX_AGE_DAYS (default 90)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import PASSWORD, make_id
from tests.security.helpers import login
from zugong.accounts import services
from zugong.accounts.models import PasswordHistory
from zugong.accounts.passwords import password_expired
from zugong.core.errors import ValidationFailed


def _messages(password, user=None) -> list[str]:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "expected"), [
    ("Ab1!short", "至少 12 位"),
    ("abcdefghijklmn", "至少三类"),
    ("abcdefgh12345", "至少三类"),
    ("Xy7!" + make_id(dt.date(1980, 5, 6), "1"), "公民身份号码"),
    ("Mobile#13812345678", "手机号码"),
])
def test_policy_rejects(password, expected):
    assert any(expected in m for m in _messages(password)), _messages(password)


@pytest.mark.django_db
def test_policy_accepts_strong_password_and_rejects_username(tree):
    assert _messages("Quiet-River-2024", tree.town_user) == []
    msgs = _messages("town_a-Secure-2024", tree.town_user)
    assert any("用户名" in m for m in msgs)


@pytest.mark.django_db
def test_last_five_passwords_refused(tree):
    user = tree.branch_user
    used = [PASSWORD] + [f"Rotate-Pass-{i}x!" for i in range(1, 6)]
    for old, new in zip(used, used[1:], strict=False):
        services.password_change(user=user, old_password=old, new_password=new)
    assert PasswordHistory.objects.filter(user=user).count() == 5
    # the current one and the four before it are refused
    for recent in used[-5:]:
        with pytest.raises(ValidationFailed) as exc:
            services.password_change(user=user, old_password=used[-1], new_password=recent)
        assert "最近 5 次" in exc.value.message
    # the sixth-last one is allowed again
    services.password_change(user=user, old_password=used[-1], new_password=used[0])
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_wrong_old_password_refused_and_nothing_changes(tree):
    user = tree.branch_user
    with pytest.raises(ValidationFailed):
        services.password_change(user=user, old_password="wrong", new_password="Another-Good-Pass9")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_expiry_after_90_days_forces_change(client, tree, settings):
    settings.ZUGONG_PASSWORD_MAX_AGE_DAYS = 90
    user = tree.branch_user
    assert not password_expired(user)
    user.password_changed_at = timezone.now() - dt.timedelta(days=91)
    user.save(update_fields=["password_changed_at"])
    assert password_expired(user)
    login(client, user)
    response = client.get("/accounts/profile/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/password/")
    # the change page itself opens, and after the change the user proceeds
    assert client.get("/accounts/password/").status_code == 200
    response = client.post("/accounts/password/", {"old_password": PASSWORD, "new_password": "Fresh-Branch-2025",
                                                    "new_password2": "Fresh-Branch-2025", "next": "/accounts/profile/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/profile/"
    assert client.get("/accounts/profile/").status_code == 200


@pytest.mark.django_db
def test_expiry_disabled_with_zero(tree, settings):
    settings.ZUGONG_PASSWORD_MAX_AGE_DAYS = 0
    tree.branch_user.password_changed_at = timezone.now() - dt.timedelta(days=900)
    assert not password_expired(tree.branch_user)
