"""Account services: login with lockout and IP throttle, re-authentication, passwords, users, role grants.

Rules (GB/T 22239-2019 level 3, 8.1.4.1 身份鉴别 / 8.1.4.2 访问控制):
- Lockout (8.1.4.1 b): after ``MAX_FAILURES`` (5) consecutive failures — wrong password at login or at
  re-authentication, wrong TOTP code — an account is locked for ``LOCK_MINUTES`` (30) minutes.
- Per-IP throttle: more than ``settings.ZUGONG_LOGIN_IP_MAX_FAILURES`` failed logins from one client
  address within ``ZUGONG_LOGIN_IP_WINDOW_MINUTES`` refuse further attempts from it (counted from the audit
  log, so it holds across processes).
- Passwords: ``accounts.passwords`` policy; the last 5 are kept in ``PasswordHistory``.
- Separation of duties (三权分立, 8.1.4.2 c): the system, security and audit administrator roles are
  mutually exclusive, are never combined with business roles, carry no organization, and nobody grants
  a role to himself. Only a security administrator grants and revokes (when ``granted_by`` is given).
- Login tells nothing (8.1.4.1 b): an unknown username, a wrong password, a disabled account and a locked
  account get the same message (``LOGIN_FAILED_MESSAGE``), and each runs the password hasher once.
- Every change is audited (``audit.services.record_event``); no password or token is ever logged.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zugong.accounts.models import PasswordHistory, Role, RoleGrant
from zugong.accounts.passwords import HISTORY_DEPTH
from zugong.audit.models import AuditEvent
from zugong.audit.services import record_event
from zugong.core.errors import PermissionDeniedError, RowError, ValidationFailed, ZugongError
from zugong.core.scoping import ACTIONS, DATA_LABELS

MAX_FAILURES = 5
LOCK_MINUTES = 30
REAUTH_SESSION_KEY = "reauth_at"
AUTH_SESSION_KEY = "auth_at"
IDLE_SESSION_KEY = "last_activity"
ADMIN_KIND_LABELS = dict(Role.ADMIN_KINDS)
OTP_ACTIONS = ("unmask", "export")
LOGIN_FAILED_MESSAGE = (f"用户名或密码错误，或账号已暂时锁定（连续失败 {MAX_FAILURES} 次锁定 {LOCK_MINUTES} 分钟）。"
                        "请核对后重试，或联系系统管理员。")


class LoginRefused(Exception):
    """Login refused; ``str(error)`` is the Chinese message to show. For an unknown username, a wrong
    password, a disabled or a locked account it is always ``LOGIN_FAILED_MESSAGE``."""


# --- who is who -----------------------------------------------------------------------------------
def _active_grants(user):
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = getattr(user, "_zugong_grant_cache", None)
    if cache is None:
        cache = list(RoleGrant.objects.active().filter(user=user).select_related("role"))
        user._zugong_grant_cache = cache
    return cache


def forget_cached_grants(user) -> None:
    """Drop the per-request grant/scope caches on ``user`` after its grants changed."""
    for attr in ("_zugong_grant_cache", "_zugong_scope_cache"):
        if hasattr(user, attr):
            delattr(user, attr)


def admin_kinds(user) -> frozenset[str]:
    """The administrator kinds (``system``/``security``/``audit``) ``user`` holds through active grants."""
    return frozenset(g.role.admin_kind for g in _active_grants(user) if g.role.admin_kind)


def has_action(user, actions=OTP_ACTIONS) -> bool:
    """True if any active grant of ``user`` carries one of ``actions`` on any label."""
    for grant in _active_grants(user):
        for perm in grant.role.permissions:
            _, _, action = perm.partition(".")
            if action in actions or action == "*":
                return True
    return False


def otp_required(user) -> bool:
    """True if ``user`` must use a TOTP second factor: an administrator role, or unmask/export rights."""
    return bool(admin_kinds(user)) or has_action(user, OTP_ACTIONS)


# --- login, lockout, throttle ---------------------------------------------------------------------
def ip_throttled(ip: str, now: dt.datetime | None = None) -> bool:
    """True if ``ip`` produced at least ``ZUGONG_LOGIN_IP_MAX_FAILURES`` failed logins in the window."""
    if not ip:
        return False
    since = (now or timezone.now()) - dt.timedelta(minutes=settings.ZUGONG_LOGIN_IP_WINDOW_MINUTES)
    failures = AuditEvent.objects.filter(kind="login_failed", ip_address=ip, created_at__gte=since).count()
    return failures >= settings.ZUGONG_LOGIN_IP_MAX_FAILURES


@transaction.atomic
def register_failure(user, *, kind: str, summary: str) -> bool:
    """Count one authentication failure of ``user`` (audited as ``kind``); lock the account for
    ``LOCK_MINUTES`` at the ``MAX_FAILURES``-th consecutive one (audited ``lockout``). Returns True if the
    account is now locked."""
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    user.failed_login_count += 1
    fields = ["failed_login_count"]
    locked = False
    if user.failed_login_count >= MAX_FAILURES:
        user.locked_until = timezone.now() + dt.timedelta(minutes=LOCK_MINUTES)
        user.failed_login_count = 0
        fields.append("locked_until")
        locked = True
    user.save(update_fields=fields)
    record_event(kind, user=user, object_type="user", object_id=user.pk, summary=summary)
    if locked:
        record_event("lockout", user=user, object_type="user", object_id=user.pk,
                     summary=f"连续 {MAX_FAILURES} 次认证失败，账号锁定 {LOCK_MINUTES} 分钟")
    return locked


def mask_attempted_username(username: str) -> str:
    """What the audit log keeps of a username that matches no account: the first 3 characters and the
    length — people sometimes type their password into the username field, and it must not be logged."""
    username = username or ""
    return username[:3] + "*" * min(max(len(username) - 3, 0), 32)


def _burn_password_hash(password: str) -> None:
    """Run the password hasher once for nothing, so a refusal without a password check takes as long
    as one with it (no timing difference between unknown, locked and existing accounts)."""
    make_password(password or "")


def login_attempt(*, request, username: str, password: str):
    """Authenticate ``username``/``password``; returns the user or raises ``LoginRefused``.

    Refused when the client address (``core.middleware.client_ip``) is throttled, or the account is
    locked (the password is not checked, but hashed once all the same). The 5th consecutive failure
    locks the account for 30 minutes. An unknown username, a wrong password, a disabled and a locked
    account all get ``LOGIN_FAILED_MESSAGE`` (GB/T 22239-2019 8.1.4.1 b: nothing tells an attacker
    which accounts exist or are locked); only the throttle, which concerns the address, says so.
    Failures (with the client address), lockouts and successes are audited; the password never is."""
    from zugong.core.middleware import client_ip

    User = get_user_model()
    ip = client_ip(request)
    username = (username or "")[:150]
    if ip_throttled(ip):
        record_event("login_throttled", object_type="ip", object_id=ip, summary="该地址登录失败次数过多，已暂停登录",
                     data={"username": mask_attempted_username(username)})
        raise LoginRefused(f"登录失败次数过多，请 {settings.ZUGONG_LOGIN_IP_WINDOW_MINUTES} 分钟后再试。")
    user = User.objects.filter(username=username).first()
    if user is not None and user.is_locked:
        _burn_password_hash(password)
        record_event("login_refused_locked", user=user, object_type="user", object_id=user.pk,
                     summary="账号锁定期间尝试登录")
        raise LoginRefused(LOGIN_FAILED_MESSAGE)
    authed = authenticate(request, username=username, password=password)  # hashes for unknown users too
    if authed is None:
        if user is not None:
            register_failure(user, kind="login_failed", summary="登录失败（密码错误或账号停用）")
        else:
            record_event("login_failed", object_type="user", summary="登录失败（用户名不存在）",
                         data={"username": mask_attempted_username(username)})
        raise LoginRefused(LOGIN_FAILED_MESSAGE)
    with transaction.atomic():
        if authed.failed_login_count or authed.locked_until:
            authed.failed_login_count = 0
            authed.locked_until = None
            authed.save(update_fields=["failed_login_count", "locked_until"])
        record_event("login", user=authed, object_type="user", object_id=authed.pk, summary="登录成功")
    return authed


def stamp_login(request) -> None:
    """Mark the session as freshly authenticated: the absolute lifetime, idle and re-auth clocks all
    start now (GB/T 22239-2019 8.1.4.1 b 登录连接超时自动退出)."""
    now = int(time.time())
    request.session[AUTH_SESSION_KEY] = now
    request.session[IDLE_SESSION_KEY] = now
    request.session[REAUTH_SESSION_KEY] = now


def reauth_is_recent(request) -> bool:
    """True if the password was entered in this session within ``ZUGONG_REAUTH_SECONDS``."""
    stamped = request.session.get(REAUTH_SESSION_KEY)
    return stamped is not None and time.time() - float(stamped) <= settings.ZUGONG_REAUTH_SECONDS


def reauthenticate(*, request, password: str) -> None:
    """Check the logged-in user's password again and stamp the session (``reauth_at``).

    A wrong password counts towards the lockout; raises ``LoginRefused`` (and the caller logs the user
    out when the account got locked — ``request.user.is_locked``)."""
    user = request.user
    if user.is_locked:
        raise LoginRefused(f"账号已锁定，请 {LOCK_MINUTES} 分钟后再试。")
    if not user.check_password(password or ""):
        locked = register_failure(user, kind="reauth_failed", summary="重新验证身份失败")
        if locked:
            user.locked_until = timezone.now() + dt.timedelta(minutes=LOCK_MINUTES)
            raise LoginRefused(f"连续验证失败次数过多，账号已锁定 {LOCK_MINUTES} 分钟。")
        raise LoginRefused("密码错误。")
    with transaction.atomic():
        if user.failed_login_count:
            user.failed_login_count = 0
            user.save(update_fields=["failed_login_count"])
        record_event("reauth", user=user, object_type="user", object_id=user.pk, summary="重新验证身份")
    request.session[REAUTH_SESSION_KEY] = int(time.time())


# --- passwords ------------------------------------------------------------------------------------
def _validate_new_password(user, password: str, field: str = "新密码") -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed([RowError(0, field, m) for m in exc.messages], message="；".join(exc.messages))


def _store_password(user, password: str, *, must_change: bool) -> None:
    user.set_password(password)
    user.must_change_password = must_change
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    PasswordHistory.objects.create(user=user, password=user.password)
    stale = list(user.password_history.values_list("pk", flat=True)[HISTORY_DEPTH:])
    if stale:
        PasswordHistory.objects.filter(pk__in=stale).delete()


@transaction.atomic
def password_change(*, user, old_password: str, new_password: str) -> None:
    """The user changes his own password. Raises ``ValidationFailed`` if ``old_password`` is wrong or
    ``new_password`` breaks the policy (length, classes, username/ID/phone, last 5). Audited."""
    if not user.check_password(old_password or ""):
        raise ValidationFailed([RowError(0, "原密码", "原密码不正确")], message="原密码不正确。")
    _validate_new_password(user, new_password)
    _store_password(user, new_password, must_change=False)
    record_event("password_change", user=user, object_type="user", object_id=user.pk, summary="修改本人密码")


# --- users (system administrator) -----------------------------------------------------------------
def _require_admin(actor, kind: str) -> None:
    if actor is not None and kind not in admin_kinds(actor):
        raise PermissionDeniedError(f"仅{ADMIN_KIND_LABELS[kind]}可以执行此操作。")


def _clean_text(value: str, field: str, max_length: int) -> str:
    value = (value or "").strip()
    if any(not ch.isprintable() for ch in value):
        raise ValidationFailed([RowError(0, field, "不得包含换行符或其他控制字符")])
    if len(value) > max_length:
        raise ValidationFailed([RowError(0, field, f"不得超过 {max_length} 个字符")])
    return value


@transaction.atomic
def user_create(*, actor, username: str, full_name: str, password: str):
    """Create an account (system administrator). The password must meet the policy and is changed by
    the user at first login (``must_change_password``). Raises ``ValidationFailed`` / ``PermissionDeniedError``."""
    _require_admin(actor, "system")
    User = get_user_model()
    username = _clean_text(username, "用户名", 150)
    full_name = _clean_text(full_name, "姓名", 50)
    errors = []
    if not username:
        errors.append(RowError(0, "用户名", "必填"))
    else:
        try:
            User.username_validator(username)
        except ValidationError:
            errors.append(RowError(0, "用户名", "只能包含字母、数字和 @ . + - _"))
        if User.objects.filter(username__iexact=username).exists():
            errors.append(RowError(0, "用户名", "该用户名已存在"))
    if errors:
        raise ValidationFailed(errors, message="；".join(str(e) for e in errors))
    user = User(username=username, full_name=full_name)
    _validate_new_password(user, password, "初始密码")
    user.save()
    _store_password(user, password, must_change=True)
    record_event("user_create", user=actor, object_type="user", object_id=user.pk,
                 summary=f"创建用户 {username}", data={"username": username, "full_name": full_name})
    return user


ADMIN_ROLE_FOR_KIND = {"system": "system_admin", "security": "security_admin", "audit": "audit_admin"}


@transaction.atomic
def administrator_create(*, username: str, kind: str, password: str, full_name: str = ""):
    """Installation-time creation of one of the three administrator accounts (``kind``: ``system``,
    ``security`` or ``audit``) with its system-wide role — used by ``zugong create_admin`` before any
    security administrator exists. Same username and password rules as ``user_create``; the password
    must be changed at first login. Raises ``ValidationFailed`` / ``ZugongError``."""
    if kind not in ADMIN_ROLE_FOR_KIND:
        raise ZugongError(f"未知的管理员类别：{kind}")
    User = get_user_model()
    username = _clean_text(username, "用户名", 150)
    full_name = _clean_text(full_name, "姓名", 50)
    try:
        User.username_validator(username)
    except ValidationError:
        raise ValidationFailed([RowError(0, "用户名", "只能包含字母、数字和 @ . + - _")])
    if not username or User.objects.filter(username__iexact=username).exists():
        raise ValidationFailed([RowError(0, "用户名", "必填且不能与已有用户重复")])
    user = User(username=username, full_name=full_name)
    _validate_new_password(user, password, "初始密码")
    user.save()
    _store_password(user, password, must_change=True)
    record_event("user_create", object_type="user", object_id=user.pk, summary=f"命令行创建{ADMIN_KIND_LABELS[kind]} {username}",
                 data={"username": username, "kind": kind})
    grant_role(user=user, role_code=ADMIN_ROLE_FOR_KIND[kind])
    return user


@transaction.atomic
def user_set_active(*, actor, user, active: bool) -> None:
    """Deactivate (or reactivate) an account (system administrator); a deactivated user cannot log in
    and his sessions stop working at the next request. Nobody deactivates himself."""
    _require_admin(actor, "system")
    if actor is not None and actor.pk == user.pk:
        raise ZugongError("不能停用本人账号。")
    user.is_active = active
    user.save(update_fields=["is_active"])
    record_event("user_activate" if active else "user_deactivate", user=actor, object_type="user", object_id=user.pk,
                 summary=f"{'启用' if active else '停用'}用户 {user.username}")


@transaction.atomic
def user_reset_password(*, actor, user, new_password: str) -> None:
    """Set a temporary password (system administrator); the user must change it at next login. The
    lockout is cleared. Audited without the password."""
    _require_admin(actor, "system")
    _validate_new_password(user, new_password, "临时密码")
    _store_password(user, new_password, must_change=True)
    user.failed_login_count = 0
    user.locked_until = None
    user.save(update_fields=["failed_login_count", "locked_until"])
    record_event("password_reset", user=actor, object_type="user", object_id=user.pk,
                 summary=f"重置用户 {user.username} 的密码")


@transaction.atomic
def user_unlock(*, actor, user) -> None:
    """Lift a lockout early (system administrator). Audited."""
    _require_admin(actor, "system")
    user.failed_login_count = 0
    user.locked_until = None
    user.save(update_fields=["failed_login_count", "locked_until"])
    record_event("user_unlock", user=actor, object_type="user", object_id=user.pk, summary=f"解除用户 {user.username} 的锁定")


@transaction.atomic
def user_otp_reset(*, actor, user) -> int:
    """Remove the user's TOTP devices (lost phone; system administrator); the user enrols again at next
    login. Returns the number of devices removed. Audited."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _require_admin(actor, "system")
    count, _ = TOTPDevice.objects.filter(user=user).delete()
    record_event("otp_reset", user=actor, object_type="user", object_id=user.pk,
                 summary=f"重置用户 {user.username} 的动态口令设备", data={"devices": count})
    return count


# --- roles and grants (security administrator) ----------------------------------------------------
def permission_choices() -> list[tuple[str, str]]:
    """Every ``label.action`` permission with its Chinese label, label-major."""
    return [(f"{label}.{action}", f"{DATA_LABELS[label]}·{ACTIONS[action]}") for label in DATA_LABELS for action in ACTIONS]


@transaction.atomic
def role_save(*, actor, code: str, name: str, permissions: list[str], description: str = "", role: Role | None = None) -> Role:
    """Create (``role=None``) or change a custom business role (security administrator). Built-in roles
    cannot be changed. Raises ``ValidationFailed`` for an unknown permission, empty name or taken code."""
    _require_admin(actor, "security")
    valid = {p for p, _ in permission_choices()}
    errors = [RowError(0, "权限", f"未知的权限：{p}") for p in permissions if p not in valid]
    name = _clean_text(name, "角色名称", 50)
    description = _clean_text(description, "说明", 500)
    if not name:
        errors.append(RowError(0, "角色名称", "必填"))
    if role is None:
        code = _clean_text(code, "角色代码", 50)
        if not code or not all(c.isascii() and (c.isalnum() or c in "-_") for c in code):
            errors.append(RowError(0, "角色代码", "只能包含英文字母、数字、- 和 _"))
        elif Role.objects.filter(code=code).exists():
            errors.append(RowError(0, "角色代码", "该角色代码已存在"))
    elif role.is_builtin:
        raise ZugongError("内置角色不能修改。")
    if errors:
        raise ValidationFailed(errors, message="；".join(str(e) for e in errors))
    before = sorted(role.permissions) if role else []
    if role is None:
        role = Role.objects.create(code=code, name=name, permissions=sorted(set(permissions)), description=description)
    else:
        role.name, role.permissions, role.description = name, sorted(set(permissions)), description
        role.save(update_fields=["name", "permissions", "description"])
    record_event("role_change", user=actor, object_type="role", object_id=role.pk, summary=f"保存角色「{role.name}」",
                 data={"code": role.code, "before": before, "after": role.permissions})
    return role


@transaction.atomic
def grant_role(*, user, role_code: str, organization=None, include_subtree: bool = True, granted_by=None,
               expires_at: dt.datetime | None = None) -> RoleGrant:
    """Give ``user`` the role ``role_code`` at ``organization`` (subtree when ``include_subtree``); audited.

    Administrator roles are system-wide (``organization`` is ignored and stored empty). When
    ``granted_by`` is given it must be a security administrator other than ``user``. Raises
    ``ZugongError`` for an unknown role, a business role without organization, a duplicate grant, or a
    combination that breaks the separation of duties; ``PermissionDeniedError`` for a non-security-admin
    grantor."""
    role = Role.objects.filter(code=role_code).first()
    if role is None:
        raise ZugongError(f"未知的角色：{role_code}")
    if granted_by is not None:
        _require_admin(granted_by, "security")
        if granted_by.pk == user.pk:
            raise ZugongError("不能给本人授权。")
    if not user.is_active:
        raise ZugongError("该用户已停用，不能授权。")
    current = list(RoleGrant.objects.active().filter(user=user).select_related("role"))
    if role.admin_kind:
        organization = None
        include_subtree = True
        others = {g.role.admin_kind or "business" for g in current} - {role.admin_kind}
        if others:
            raise ZugongError("三权分立：系统管理员、安全管理员、审计管理员角色互斥，且不能与业务角色兼任。")
    else:
        if organization is None:
            raise ZugongError("业务角色必须指定授权组织。")
        if any(g.role.admin_kind for g in current):
            raise ZugongError("三权分立：管理员账号不能同时持有业务角色。")
    if any(g.role_id == role.pk and g.organization_id == (organization.pk if organization else None) for g in current):
        raise ZugongError("该用户已在此组织持有该角色。")
    grant = RoleGrant.objects.create(user=user, role=role, organization=organization, include_subtree=include_subtree,
                                     granted_by=granted_by, expires_at=expires_at)
    where = organization.name if organization else "全系统"
    record_event("grant_change", user=granted_by, object_type="role_grant", object_id=grant.pk,
                 summary=f"授予 {user.get_username()} 角色「{role.name}」于 {where}",
                 data={"action": "grant", "user_id": user.pk, "role": role.code,
                       "organization": organization.code if organization else "", "include_subtree": include_subtree,
                       "expires_at": expires_at.isoformat() if expires_at else None})
    forget_cached_grants(user)
    return grant


@transaction.atomic
def grant_revoke(*, grant: RoleGrant, revoked_by=None) -> None:
    """Revoke ``grant`` now (security administrator when ``revoked_by`` is given; not one's own grant).
    Revoked grants stay as history. Raises ``ZugongError`` if already revoked."""
    if revoked_by is not None:
        _require_admin(revoked_by, "security")
        if revoked_by.pk == grant.user_id:
            raise ZugongError("不能撤销本人的授权。")
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.revoked_at is not None:
        raise ZugongError("该授权已撤销。")
    grant.revoked_at = timezone.now()
    grant.revoked_by = revoked_by
    grant.save(update_fields=["revoked_at", "revoked_by"])
    record_event("grant_change", user=revoked_by, object_type="role_grant", object_id=grant.pk,
                 summary=f"撤销 {grant.user.get_username()} 的角色「{grant.role.name}」",
                 data={"action": "revoke", "user_id": grant.user_id, "role": grant.role.code,
                       "organization": grant.organization.code if grant.organization else ""})
    forget_cached_grants(grant.user)
