"""Account services: login with lockout, role grants.

Lockout (GB/T 22239-2019 8.1.4.1 b): after ``MAX_FAILURES`` consecutive failures an account is locked for
``LOCK_MINUTES`` minutes; every failure and lockout is audited.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import authenticate, get_user_model
from django.db import transaction
from django.utils import timezone

from zugong.accounts.models import Role, RoleGrant
from zugong.audit.services import record_event

MAX_FAILURES = 5
LOCK_MINUTES = 30


class LoginRefused(Exception):
    """Login refused; ``str(error)`` is the Chinese message to show (never says whether the user exists)."""


def login_attempt(*, request, username: str, password: str):
    """Authenticate ``username``/``password``; returns the user or raises ``LoginRefused``.

    Locked accounts are refused even with the right password; the 5th consecutive failure locks the
    account for 30 minutes. Failures, lockouts and successes are audited."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is not None and user.is_locked:
        record_event("login_refused_locked", user=user, object_type="user", object_id=user.pk,
                     summary="账号锁定期间尝试登录")
        raise LoginRefused(f"账号已锁定，请 {LOCK_MINUTES} 分钟后再试或联系系统管理员。")
    authed = authenticate(request, username=username, password=password)
    if authed is None:
        with transaction.atomic():
            if user is not None:
                user = User.objects.select_for_update().get(pk=user.pk)
                user.failed_login_count += 1
                fields = ["failed_login_count"]
                if user.failed_login_count >= MAX_FAILURES:
                    user.locked_until = timezone.now() + dt.timedelta(minutes=LOCK_MINUTES)
                    user.failed_login_count = 0
                    fields.append("locked_until")
                    record_event("lockout", user=user, object_type="user", object_id=user.pk,
                                 summary=f"连续 {MAX_FAILURES} 次登录失败，账号锁定 {LOCK_MINUTES} 分钟")
                user.save(update_fields=fields)
            record_event("login_failed", user=user, object_type="user", object_id=user.pk if user else "",
                         summary="登录失败", data={"username": username[:150]})
        if user is not None and user.is_locked:
            raise LoginRefused(f"连续登录失败次数过多，账号已锁定 {LOCK_MINUTES} 分钟。")
        raise LoginRefused("用户名或密码错误。")
    with transaction.atomic():
        if authed.failed_login_count or authed.locked_until:
            authed.failed_login_count = 0
            authed.locked_until = None
            authed.save(update_fields=["failed_login_count", "locked_until"])
        record_event("login", user=authed, object_type="user", object_id=authed.pk, summary="登录成功")
    return authed


@transaction.atomic
def grant_role(*, user, role_code: str, organization, include_subtree: bool = True, granted_by=None) -> RoleGrant:
    """Give ``user`` the role ``role_code`` at ``organization`` (subtree when ``include_subtree``); audited.

    Raises ``Role.DoesNotExist`` for an unknown role code."""
    role = Role.objects.get(code=role_code)
    grant = RoleGrant.objects.create(user=user, role=role, organization=organization,
                                     include_subtree=include_subtree, granted_by=granted_by)
    record_event("grant_change", user=granted_by, object_type="role_grant", object_id=grant.pk,
                 summary=f"授予 {user.get_username()} 角色「{role.name}」于 {organization.name}",
                 data={"action": "grant", "user_id": user.pk, "role": role.code, "organization": organization.code,
                       "include_subtree": include_subtree})
    if hasattr(user, "_zugong_scope_cache"):
        del user._zugong_scope_cache
    return grant
