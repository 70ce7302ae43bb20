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
- Resets that one administrator cannot abuse (三权分立, 8.1.4.2 c; 8.1.4.1 d 双因素):
  a password or second-factor reset of a *business* account by the system administrator deletes the
  user's TOTP devices (``must_enrol_otp``: a new one is enrolled at the next login) and suspends the
  user's grants (``User.grants_suspended_at``) — no scope, no rights — until a security administrator
  other than the resetter confirms them (``grants_confirm``) after the user has completed the first
  login. A reset of an *administrator* account (any kind) only files an ``AdminResetRequest``, applied
  when an administrator of another kind — neither the requester nor the account itself — approves it
  (``admin_reset_approve``) within ``RESET_REQUEST_HOURS``.
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

from zugong.accounts.models import AdminResetRequest, PasswordHistory, Role, RoleGrant
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
RESET_REQUEST_HOURS = 24
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
        cache = list(RoleGrant.objects.in_force().filter(user=user).select_related("role"))
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
    """True if ``user`` must use a TOTP second factor: an administrator role, or unmask/export rights
    (grants in force; a user whose grants are suspended needs none until they are confirmed — the
    enrolment after a reset is forced separately by ``User.must_enrol_otp``)."""
    return bool(admin_kinds(user)) or has_action(user, OTP_ACTIONS)


def account_admin_kinds(user) -> frozenset[str]:
    """The administrator kinds of ``user``'s account from its active grants, regardless of any
    suspension — what decides whether resetting the account needs another administrator's approval."""
    return frozenset(RoleGrant.objects.active().filter(user=user).exclude(role__admin_kind="")
                     .values_list("role__admin_kind", flat=True))


def first_login_pending(user) -> bool:
    """True while ``user`` still has to complete the first login after a reset: change the temporary
    password, and — when ``ZUGONG_REQUIRE_OTP`` is on — enrol a new second factor."""
    return bool(user.must_change_password
                or (user.must_enrol_otp and getattr(settings, "ZUGONG_REQUIRE_OTP", True)))


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


@transaction.atomic
def otp_enrol(*, user, device) -> None:
    """Confirm ``device`` (a TOTP device of ``user`` whose first code was just verified) as the user's
    second factor; this also ends a forced enrolment after a reset (``must_enrol_otp``). Audited
    (``otp_enrolled``). GB/T 22239-2019 8.1.4.1 d."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    if user.must_enrol_otp:
        user.must_enrol_otp = False
        user.save(update_fields=["must_enrol_otp"])
    record_event("otp_enrolled", user=user, object_type="user", object_id=user.pk, summary="绑定动态口令设备")


# --- passwords ------------------------------------------------------------------------------------
def _validate_new_password(user, password: str, field: str = "新密码") -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise ValidationFailed([RowError(0, field, m) for m in exc.messages], message="；".join(exc.messages))


def _store_password(user, password: str, *, must_change: bool) -> None:
    user.set_password(password)
    _store_encoded_password(user, user.password, must_change=must_change)


def _store_encoded_password(user, encoded: str, *, must_change: bool) -> None:
    user.password = encoded
    user.password_changed_at = timezone.now()
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


def installation_account(*, username: str, full_name: str, password: str, field: str,
                         must_change_password: bool):
    """An account created at installation time, when no system administrator exists yet to call
    ``user_create`` (``administrator_create``, ``accounts.setup.install``): the same username rules
    (required, unique ignoring case, letters/digits/@.+-_) and password policy; no role, no audit event
    (the callers write theirs). ``field`` names the password field in errors. Raises
    ``ValidationFailed``."""
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
    _validate_new_password(user, password, field)
    user.save()
    _store_password(user, password, must_change=must_change_password)
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
    user = installation_account(username=username, full_name=full_name, password=password,
                                field="初始密码", must_change_password=True)
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
def user_reset_password(*, actor, user, new_password: str) -> AdminResetRequest | None:
    """Reset ``user``'s password to a temporary one (system administrator) that must be changed at the
    next login. Audited without the password.

    - Business account: applied now — the lockout is cleared, the TOTP devices are deleted (a new one is
      enrolled at the next login) and the user's grants are suspended until a security administrator
      confirms them (``grants_confirm``). Returns ``None``.
    - Administrator account (any kind): nothing changes yet; returns the pending ``AdminResetRequest``
      that an administrator of another kind must approve (``admin_reset_approve``).

    ``actor=None`` (a trusted script) applies directly. Raises ``PermissionDeniedError`` (not a system
    administrator), ``ZugongError`` (one's own account; a request already pending), ``ValidationFailed``
    (password policy). GB/T 22239-2019 8.1.4.1 a/d, 8.1.4.2 c."""
    _require_admin(actor, "system")
    if actor is not None and actor.pk == user.pk:
        raise ZugongError("不能在此重置本人账号，请使用「修改密码」。")
    _validate_new_password(user, new_password, "临时密码")
    encoded = make_password(new_password)
    if actor is not None and account_admin_kinds(user):
        return _reset_request_file(actor=actor, user=user, kind="password", encoded=encoded)
    _reset_apply(user=user, kind="password", encoded=encoded, actor=actor)
    return None


@transaction.atomic
def user_otp_reset(*, actor, user) -> AdminResetRequest | None:
    """Delete ``user``'s TOTP devices (lost phone; system administrator) so that a new one is enrolled
    at the next login — with the same rules as ``user_reset_password``: a business account's grants are
    suspended until a security administrator confirms them (returns ``None``); an administrator
    account gets a pending ``AdminResetRequest`` instead (returned). Audited (``otp_reset``, with the
    number of devices removed). Raises ``PermissionDeniedError`` / ``ZugongError``."""
    _require_admin(actor, "system")
    if actor is not None and actor.pk == user.pk:
        raise ZugongError("不能在此重置本人账号的动态口令。")
    if actor is not None and account_admin_kinds(user):
        return _reset_request_file(actor=actor, user=user, kind="otp", encoded="")
    _reset_apply(user=user, kind="otp", encoded="", actor=actor)
    return None


def _reset_apply(*, user, kind: str, encoded: str, actor, approved_by=None) -> None:
    """Apply a reset to ``user`` (locked row): new password hash (``kind="password"``), TOTP devices
    deleted, ``must_enrol_otp`` set; a business account's grants suspended. Writes the audit events."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    if kind == "password":
        _store_encoded_password(user, encoded, must_change=True)
        user.failed_login_count = 0
        user.locked_until = None
    devices, _ = TOTPDevice.objects.filter(user=user).delete()
    user.must_enrol_otp = True
    fields = ["failed_login_count", "locked_until", "must_enrol_otp"] if kind == "password" else ["must_enrol_otp"]
    is_admin = bool(account_admin_kinds(user))
    grants = list(RoleGrant.objects.active().filter(user=user).select_related("role", "organization"))
    if grants and not is_admin:
        user.grants_suspended_at = timezone.now()
        user.grants_suspended_by = actor
        fields += ["grants_suspended_at", "grants_suspended_by"]
    user.save(update_fields=fields)
    what = "密码" if kind == "password" else "动态口令设备"
    data = {"devices": devices}
    if approved_by is not None:
        data["approved_by"] = approved_by.get_username()
    record_event("password_reset" if kind == "password" else "otp_reset", user=actor, object_type="user",
                 object_id=user.pk, summary=f"重置用户 {user.username} 的{what}", data=data)
    if "grants_suspended_at" in fields:
        record_event("grants_suspended", user=actor, object_type="user", object_id=user.pk,
                     summary=f"管理员重置后暂停用户 {user.username} 的全部授权，待安全管理员确认",
                     data={"reset": kind, "grants": [_grant_label(g) for g in grants]})
    forget_cached_grants(user)


def _grant_label(grant: RoleGrant) -> str:
    anchor = grant.organization or grant.unit
    return f"{grant.role.code}@{anchor.code if anchor else '*'}"


def _reset_request_file(*, actor, user, kind: str, encoded: str) -> AdminResetRequest:
    now = timezone.now()
    stale = AdminResetRequest.objects.select_for_update().filter(target=user, kind=kind, status="pending")
    for old in stale:
        if old.requested_at > now - dt.timedelta(hours=RESET_REQUEST_HOURS):
            raise ZugongError("该账号已有一条待批准的同类重置申请。")
        _reset_request_expire(old, now)
    request = AdminResetRequest.objects.create(target=user, kind=kind, password=encoded, requested_by=actor,
                                               requested_kind=sorted(admin_kinds(actor))[0])
    record_event("admin_reset_requested", user=actor, object_type="admin_reset_request", object_id=request.pk,
                 summary=f"申请{request.get_kind_display()}：管理员账号 {user.username}，待其他类别管理员批准",
                 data={"target": user.get_username(), "kind": kind, "target_kinds": sorted(account_admin_kinds(user))})
    return request


def _reset_request_expire(request: AdminResetRequest, now: dt.datetime) -> None:
    request.status = "expired"
    request.password = ""  # nosec B105 — clears the stored hash, not a password literal
    request.decided_at = now
    request.save(update_fields=["status", "password", "decided_at"])
    record_event("admin_reset_expired", object_type="admin_reset_request", object_id=request.pk,
                 summary=f"{request.get_kind_display()}申请超过 {RESET_REQUEST_HOURS} 小时未批准，已过期",
                 data={"target_id": request.target_id, "kind": request.kind})


def reset_request_refusal(*, actor, request: AdminResetRequest) -> str:
    """Why ``actor`` may not approve ``request`` (Chinese, for the page and the error), or ``""`` if
    he may: only an administrator of a kind other than the requester's, who is neither the requester
    nor the account being reset, while the request is pending and younger than ``RESET_REQUEST_HOURS``."""
    kinds = admin_kinds(actor)
    if not kinds:
        return "仅管理员可以审批管理员账号的重置申请。"
    if request.status != "pending":
        return f"该申请{request.get_status_display()}，不能再审批。"
    if request.requested_at <= timezone.now() - dt.timedelta(hours=RESET_REQUEST_HOURS):
        return f"该申请已超过 {RESET_REQUEST_HOURS} 小时，已过期，请重新申请。"
    if actor.pk == request.requested_by_id:
        return "申请人不能批准本人提交的申请。"
    if actor.pk == request.target_id:
        return "不能批准重置本人账号的申请。"
    if request.requested_kind in kinds:
        return f"须由{ADMIN_KIND_LABELS[request.requested_kind]}以外的其他类别管理员批准。"
    return ""


def _locked_request(request: AdminResetRequest) -> AdminResetRequest:
    return (AdminResetRequest.objects.select_for_update(of=("self",)).select_related("target", "requested_by")
            .get(pk=request.pk))


@transaction.atomic
def admin_reset_approve(*, actor, request: AdminResetRequest) -> None:
    """Approve a pending reset of an administrator account and apply it (new temporary password and/or
    TOTP devices deleted; ``must_enrol_otp``). The approver must pass ``reset_request_refusal``. Audited (``admin_reset_approved``, then the reset itself in the
    requester's name). Raises ``PermissionDeniedError`` (no actor or not allowed). GB/T 22239-2019
    8.1.4.2 c."""
    if actor is None:
        raise PermissionDeniedError("审批须由管理员本人在系统中进行。")
    request = _locked_request(request)
    refusal = reset_request_refusal(actor=actor, request=request)
    if refusal:
        raise PermissionDeniedError(refusal)
    request.status = "approved"
    request.decided_by = actor
    request.decided_at = timezone.now()
    encoded, request.password = request.password, ""
    request.save(update_fields=["status", "decided_by", "decided_at", "password"])
    record_event("admin_reset_approved", user=actor, object_type="admin_reset_request", object_id=request.pk,
                 summary=f"批准{request.get_kind_display()}：管理员账号 {request.target.username}",
                 data={"target": request.target.get_username(), "kind": request.kind,
                       "requested_by": request.requested_by.get_username() if request.requested_by else ""})
    _reset_apply(user=request.target, kind=request.kind, encoded=encoded, actor=request.requested_by, approved_by=actor)


@transaction.atomic
def admin_reset_reject(*, actor, request: AdminResetRequest) -> None:
    """Reject (or, by its requester, withdraw) a pending reset request; any administrator may — also
    the account concerned, who thereby refuses a reset he did not ask for. Nothing is reset. Audited
    (``admin_reset_rejected``). Raises ``PermissionDeniedError`` (not an administrator) / ``ZugongError``
    (not pending)."""
    if actor is None or not admin_kinds(actor):
        raise PermissionDeniedError("仅管理员可以驳回管理员账号的重置申请。")
    request = _locked_request(request)
    if request.status != "pending":
        raise ZugongError(f"该申请{request.get_status_display()}，不能再驳回。")
    request.status = "rejected"
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.password = ""  # nosec B105 — clears the stored hash, not a password literal
    request.save(update_fields=["status", "decided_by", "decided_at", "password"])
    record_event("admin_reset_rejected", user=actor, object_type="admin_reset_request", object_id=request.pk,
                 summary=f"{'撤回' if actor.pk == request.requested_by_id else '驳回'}{request.get_kind_display()}申请："
                         f"管理员账号 {request.target.username}",
                 data={"target": request.target.get_username(), "kind": request.kind})


@transaction.atomic
def grants_confirm(*, actor, user) -> None:
    """Restore the grants of ``user`` suspended by an administrator reset (security administrator).

    Refused (``PermissionDeniedError``) for anyone but a security administrator, for the administrator
    who did the reset and for the user himself; refused (``ZugongError``) when nothing is suspended or
    the user has not yet completed the first login (``first_login_pending``) — confirm only after
    checking with the person (phone, in person) that it was he who did. Audited (``grants_confirmed``,
    with the grants restored). GB/T 22239-2019 8.1.4.2 c."""
    if actor is None:
        raise PermissionDeniedError("确认授权须由安全管理员本人在系统中进行。")
    _require_admin(actor, "security")
    User = get_user_model()
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.grants_suspended_at is None:
        raise ZugongError("该用户的授权未被暂停，无需确认。")
    if actor.pk == user.pk:
        raise PermissionDeniedError("不能确认本人的授权。")
    if actor.pk == user.grants_suspended_by_id:
        raise PermissionDeniedError("执行重置的管理员不能确认该用户的授权。")
    if first_login_pending(user):
        raise ZugongError("该用户尚未完成重置后的首次登录（修改临时密码、绑定新的手机令牌），暂不能确认。")
    grants = list(RoleGrant.objects.active().filter(user=user).select_related("role", "organization"))
    suspended_at, suspended_by = user.grants_suspended_at, user.grants_suspended_by
    user.grants_suspended_at = None
    user.grants_suspended_by = None
    user.save(update_fields=["grants_suspended_at", "grants_suspended_by"])
    record_event("grants_confirmed", user=actor, object_type="user", object_id=user.pk,
                 summary=f"确认恢复用户 {user.username} 的授权（重置后暂停）",
                 data={"grants": [_grant_label(g) for g in grants], "suspended_at": suspended_at.isoformat(),
                       "suspended_by": suspended_by.get_username() if suspended_by else ""})
    forget_cached_grants(user)


def suspended_users():
    """Users whose grants are suspended after an administrator reset (the security administrator's
    「待确认的授权」), oldest first, with who suspended them and the grants waiting (prefetched)."""
    from django.db.models import Prefetch

    return (get_user_model().objects.filter(grants_suspended_at__isnull=False)
            .select_related("grants_suspended_by")
            .prefetch_related(Prefetch("grants", queryset=RoleGrant.objects.active().select_related("role", "organization", "unit"),
                                       to_attr="pending_grants"))
            .order_by("grants_suspended_at", "pk"))


@transaction.atomic
def user_unlock(*, actor, user) -> None:
    """Lift a lockout early (system administrator). Audited."""
    _require_admin(actor, "system")
    user.failed_login_count = 0
    user.locked_until = None
    user.save(update_fields=["failed_login_count", "locked_until"])
    record_event("user_unlock", user=actor, object_type="user", object_id=user.pk, summary=f"解除用户 {user.username} 的锁定")


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
def grant_role(*, user, role_code: str, organization=None, unit=None, include_subtree: bool = True, granted_by=None,
               expires_at: dt.datetime | None = None) -> RoleGrant:
    """Give ``user`` the role ``role_code`` at an anchor node — ``organization`` (a party organization) or
    ``unit`` (a 单位) — and its subtree when ``include_subtree``; audited.

    A business role names exactly one anchor (organization XOR unit; the database refuses both,
    ``accounts_grant_one_anchor``). Administrator roles are system-wide (``organization``/``unit`` are
    ignored and stored empty). When ``granted_by`` is given it must be a security administrator other
    than ``user``. Raises ``ZugongError`` for an unknown role, a business role without an anchor or with
    both, a duplicate grant, or a combination that breaks the separation of duties;
    ``PermissionDeniedError`` for a non-security-admin grantor."""
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
        organization = unit = None
        include_subtree = True
        others = {g.role.admin_kind or "business" for g in current} - {role.admin_kind}
        if others:
            raise ZugongError("三权分立：系统管理员、安全管理员、审计管理员角色互斥，且不能与业务角色兼任。")
    else:
        if organization is None and unit is None:
            raise ZugongError("业务角色必须指定授权组织或授权单位。")
        if organization is not None and unit is not None:
            raise ZugongError("一条授权只能指定一个授权组织或一个授权单位，不能同时指定。")
        if any(g.role.admin_kind for g in current):
            raise ZugongError("三权分立：管理员账号不能同时持有业务角色。")
    org_id = organization.pk if organization else None
    unit_id = unit.pk if unit else None
    if any(g.role_id == role.pk and g.organization_id == org_id and g.unit_id == unit_id for g in current):
        raise ZugongError("该用户已在此单位持有该角色。" if unit else "该用户已在此组织持有该角色。")
    grant = RoleGrant.objects.create(user=user, role=role, organization=organization, unit=unit,
                                     include_subtree=include_subtree, granted_by=granted_by, expires_at=expires_at)
    where = f"单位「{unit.name}」" if unit else (organization.name if organization else "全系统")
    record_event("grant_change", user=granted_by, object_type="role_grant", object_id=grant.pk,
                 summary=f"授予 {user.get_username()} 角色「{role.name}」于 {where}",
                 data={"action": "grant", "user_id": user.pk, "role": role.code,
                       "organization": organization.code if organization else "",
                       "unit": unit.code if unit else "", "include_subtree": include_subtree,
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
                       "organization": grant.organization.code if grant.organization else "",
                       "unit": grant.unit.code if grant.unit else ""})
    forget_cached_grants(grant.user)
