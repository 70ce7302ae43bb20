"""Password policy (GB/T 22239-2019 8.1.4.1 a 身份鉴别 — 口令具有复杂度要求并定期更换).

- ``ComplexityValidator``: at least ``MIN_LENGTH`` (12) characters with ``MIN_CLASSES`` (3) of the 4
  classes (upper, lower, digit, symbol); must not contain the username or the user's name; must not
  contain a citizen ID number (GB 11643) or a mainland mobile number — people reuse their own.
- ``HistoryValidator``: not the current password nor any of the last ``HISTORY_DEPTH`` (5) passwords
  (``PasswordHistory``, written by ``accounts.services`` on every password change).
- Expiry: ``settings.ZUGONG_PASSWORD_MAX_AGE_DAYS`` (default 90, ``0`` = never) counted from
  ``User.password_changed_at``; ``password_expired(user)`` is checked by ``accounts.middleware``.
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone

from zugong.core import idnumber

MIN_LENGTH = 12
MIN_CLASSES = 3
HISTORY_DEPTH = 5

_ID_CANDIDATE = re.compile(r"\d{17}[\dXx]")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def character_classes(password: str) -> int:
    """How many of the 4 classes (lower, upper, digit, symbol) ``password`` uses."""
    return sum([
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ])


def contains_id_or_phone(password: str) -> bool:
    """True if ``password`` contains a valid citizen ID number or an 11-digit mainland mobile number."""
    if _MOBILE.search(password):
        return True
    for i in range(max(len(password) - 17, 0)):
        chunk = password[i:i + 18]
        if _ID_CANDIDATE.fullmatch(chunk) and idnumber.is_valid(chunk):
            return True
    return False


class ComplexityValidator:
    """Django password validator: length, character classes, no username/name/ID number/phone."""

    def validate(self, password: str, user=None) -> None:
        errors = []
        if len(password) < MIN_LENGTH:
            errors.append(f"密码长度至少 {MIN_LENGTH} 位。")
        if character_classes(password) < MIN_CLASSES:
            errors.append("密码须包含大写字母、小写字母、数字、符号中的至少三类。")
        if user is not None:
            for attr in ("username", "full_name"):
                value = (getattr(user, attr, "") or "").lower()
                if value and len(value) >= 3 and value in password.lower():
                    errors.append("密码不得包含用户名或姓名。")
                    break
        if contains_id_or_phone(password):
            errors.append("密码不得包含公民身份号码或手机号码。")
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return (f"至少 {MIN_LENGTH} 位，包含大写字母、小写字母、数字、符号中的至少三类；不得包含用户名、姓名、"
                "公民身份号码或手机号码。")


class HistoryValidator:
    """Django password validator: refuses the current password and the last ``HISTORY_DEPTH`` ones."""

    def validate(self, password: str, user=None) -> None:
        if user is None or not getattr(user, "pk", None):
            return
        hashes = []
        if user.password:
            hashes.append(user.password)
        hashes += list(user.password_history.values_list("password", flat=True)[:HISTORY_DEPTH])
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(f"不得使用最近 {HISTORY_DEPTH} 次使用过的密码。")

    def get_help_text(self) -> str:
        return f"不得与最近 {HISTORY_DEPTH} 次使用过的密码相同。"


def password_expired(user, now: dt.datetime | None = None) -> bool:
    """True when ``user`` must set a new password: an administrator reset it (``must_change_password``)
    or it is older than ``ZUGONG_PASSWORD_MAX_AGE_DAYS`` days (0 disables expiry). A password with no
    recorded change time (legacy rows) is not treated as expired."""
    if getattr(user, "must_change_password", False):
        return True
    max_age = getattr(settings, "ZUGONG_PASSWORD_MAX_AGE_DAYS", 90)
    changed = getattr(user, "password_changed_at", None)
    if not max_age or changed is None:
        return False
    return (now or timezone.now()) - changed > dt.timedelta(days=max_age)


class PublishedPasswordValidator:
    """Django password validator: refuses the demo password published in the README and printed by
    ``zugong demo`` (``zugong.demo.accounts.DEMO_PASSWORD``), compared case-insensitively.

    Only ``create_demo_accounts`` sets it, on the demo usernames, so the deploy check
    (``demo.checks.no_demo_data``) need only test those accounts. Source: GB/T 22239-2019 8.1.4.1 a
    (身份鉴别信息具有复杂度要求); a published password has none."""

    def validate(self, password: str, user=None) -> None:
        from zugong.demo.accounts import DEMO_PASSWORD

        if password.casefold() == DEMO_PASSWORD.casefold():
            raise ValidationError("不得使用公开的演示密码。")

    def get_help_text(self) -> str:
        return "不得使用公开的演示密码。"
