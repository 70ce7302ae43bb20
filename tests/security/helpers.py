"""Helpers for the security tests: log a test client in with a TOTP-verified, freshly re-authenticated
session, and produce valid TOTP codes."""

from __future__ import annotations

import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from zugong.accounts.services import AUTH_SESSION_KEY, REAUTH_SESSION_KEY


def totp_device(user) -> TOTPDevice:
    """The user's confirmed TOTP device (created on first call)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="测试令牌", confirmed=True)


def code_for(device: TOTPDevice, offset_steps: int = 0) -> str:
    """The 6-digit code ``device`` expects now (``offset_steps`` × 30 s later)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps):06d}"


def login(client, user, *, otp: bool = True, reauth: bool = True):
    """Log ``client`` in as ``user``; with ``otp`` the session is TOTP-verified (a device is created),
    with ``reauth`` the password counts as just re-entered."""
    client.force_login(user)
    session = client.session
    now = int(time.time())
    session[AUTH_SESSION_KEY] = now
    session["last_activity"] = now
    if otp:
        session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
    if reauth:
        session[REAUTH_SESSION_KEY] = now
    session.save()
    return client


def set_session(client, **values):
    session = client.session
    for key, value in values.items():
        if value is None:
            session.pop(key, None)
        else:
            session[key] = value
    session.save()
