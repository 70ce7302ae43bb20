"""Account pages: login/logout, own account and password, TOTP enrolment and verification,
re-authentication, and the consoles of the system administrator (users) and the security administrator
(roles and grants). Thin: every rule lives in ``accounts.services``."""

from __future__ import annotations

import base64
import datetime as dt
import io
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_otp import devices_for_user, user_has_device, verify_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from zugong.accounts import services
from zugong.accounts.decorators import RESUBMIT_PARAM, admin_required, require_recent_reauth, safe_next
from zugong.accounts.forms import (
    GrantForm,
    LoginForm,
    PasswordChangeForm,
    ReauthForm,
    ResetPasswordForm,
    RoleForm,
    TokenForm,
    UserCreateForm,
)
from zugong.accounts.models import AdminResetRequest, Role, RoleGrant
from zugong.accounts.passwords import password_expired
from zugong.audit.services import record_event
from zugong.core.errors import ValidationFailed, ZugongError
from zugong.core.scoping import ACTIONS, DATA_LABELS
from zugong.orgs.selectors import grant_anchor_pick, organization_for_grant
from zugong.orgs.unit_selectors import unit_for_grant
from zugong.people.oracle import throttled_today


def _next(request) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"))


def _with_next(request, name: str) -> str:
    target = _next(request)
    return reverse(name) + (f"?{urlencode({'next': target})}" if target else "")


def _errors(exc: ZugongError) -> list[str]:
    if isinstance(exc, ValidationFailed) and exc.errors:
        return [str(e) if e.row else (f"「{e.column}」：{e.reason}" if e.column else e.reason) for e in exc.errors]
    return [exc.message]


# --- login, logout, own account ---------------------------------------------------------------------
def login_view(request):
    """GET: the login form. POST: authenticate with lockout and IP throttle; on success go to a
    same-site ``next`` or home (``//evil.example`` and other foreign targets are ignored)."""
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = services.login_attempt(request=request, username=form.cleaned_data["username"],
                                          password=form.cleaned_data["password"])
        except services.LoginRefused as exc:
            error = str(exc)
        else:
            login(request, user)
            services.stamp_login(request)
            return redirect(_next(request) or "home")
    return render(request, "accounts/login.html", {"form": form, "error": error, "next": _next(request)})


@require_POST
def logout_view(request):
    """Log out: the server-side session is flushed (a reused cookie no longer works)."""
    if request.user.is_authenticated:
        record_event("logout", user=request.user, object_type="user", object_id=request.user.pk, summary="退出登录")
    logout(request)
    return redirect("accounts:login")


@login_required
def profile(request):
    """The user's own account: roles held and where (and whether they wait for confirmation after a
    reset), second-factor status, administrator consoles with the number of items waiting."""
    grants = request.user.grants.active().select_related("role", "organization", "unit")
    kinds = services.admin_kinds(request.user)
    return render(request, "accounts/profile.html", {
        "grants": grants,
        "admin_kinds": kinds,
        "has_otp": user_has_device(request.user),
        "otp_required": services.otp_required(request.user),
        "pending_resets": AdminResetRequest.objects.filter(status="pending").count() if kinds else 0,
        "pending_grants": services.suspended_users().count() if "security" in kinds else 0,
    })


@login_required
def password_change(request):
    """Change one's own password (policy in ``accounts.passwords``); forced after a reset or expiry."""
    form = PasswordChangeForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.password_change(user=request.user, old_password=form.cleaned_data["old_password"],
                                     new_password=form.cleaned_data["new_password"])
        except ZugongError as exc:
            errors = _errors(exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改。")
            return redirect(_next(request) or "home")
    return render(request, "accounts/password_change.html", {
        "form": form, "errors": errors, "next": _next(request), "expired": password_expired(request.user)})


# --- second factor (TOTP) -----------------------------------------------------------------------------
def _qr_data_uri(text: str) -> str:
    import qrcode
    from qrcode.image.svg import SvgPathImage

    buf = io.BytesIO()
    qrcode.make(text, image_factory=SvgPathImage, box_size=8, border=2).save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


@login_required
def otp_setup(request):
    """Enrol a TOTP authenticator (手机令牌): scan the QR code, enter the first code to confirm. A user who
    already has a confirmed device is sent to verification — replacing a device needs a reset by the
    system administrator, so a stolen password alone cannot swap the second factor."""
    user = request.user
    if user_has_device(user):
        return redirect(_with_next(request, "accounts:otp_verify"))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="手机令牌", confirmed=False)
    form = TokenForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            services.otp_enrol(user=user, device=device)
            otp_login(request, device)
            messages.success(request, "动态口令设备已绑定。")
            return redirect(_next(request) or "home")
        error = "动态口令不正确，请确认手机时间准确后重新输入。"
    return render(request, "accounts/otp_setup.html", {
        "form": form, "error": error, "next": _next(request), "qr": _qr_data_uri(device.config_url),
        "secret": base64.b32encode(device.bin_key).decode("ascii"),
    })


@login_required
def otp_verify(request):
    """Verify the session with a TOTP code. Wrong codes count towards the account lockout."""
    user = request.user
    if not user_has_device(user):
        return redirect(_with_next(request, "accounts:otp_setup"))
    form = TokenForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        device = None
        for candidate in devices_for_user(user):
            device = verify_token(user, candidate.persistent_id, form.cleaned_data["token"])
            if device is not None:
                break
        if device is not None:
            otp_login(request, device)
            if user.failed_login_count:
                user.failed_login_count = 0
                user.save(update_fields=["failed_login_count"])
            record_event("otp_verified", user=user, object_type="user", object_id=user.pk, summary="动态口令验证通过")
            return redirect(_next(request) or "home")
        if services.register_failure(user, kind="otp_failed", summary="动态口令验证失败"):
            logout(request)
            messages.error(request, f"连续验证失败次数过多，账号已锁定 {services.LOCK_MINUTES} 分钟。")
            return redirect("accounts:login")
        error = "动态口令不正确。"
    return render(request, "accounts/otp_verify.html", {"form": form, "error": error, "next": _next(request)})


# --- re-authentication ----------------------------------------------------------------------------------
@login_required
def reauth(request):
    """Enter the password again before unmasking, exporting or changing grants; stamps the session."""
    form = ReauthForm(request.POST or None)
    error = ""
    resubmit = (request.POST.get(RESUBMIT_PARAM) or request.GET.get(RESUBMIT_PARAM)) == "1"
    if request.method == "POST" and form.is_valid():
        try:
            services.reauthenticate(request=request, password=form.cleaned_data["password"])
        except services.LoginRefused as exc:
            if request.user.is_locked:
                logout(request)
                messages.error(request, str(exc))
                return redirect("accounts:login")
            error = str(exc)
        else:
            if resubmit:
                messages.info(request, "身份已验证。刚才提交的操作尚未执行，请再次提交。")
            return redirect(_next(request) or "home")
    return render(request, "accounts/reauth.html", {"form": form, "error": error, "next": _next(request),
                                                    "resubmit": resubmit})


# --- system administrator: users ----------------------------------------------------------------------
@admin_required("system")
def user_list(request):
    """Accounts with status (active, locked, must change password, second factor)."""
    User = get_user_model()
    qs = User.objects.order_by("username")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
    status = request.GET.get("status", "")
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    elif status == "locked":
        qs = qs.filter(locked_until__gt=timezone.now())
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    with_device = set(TOTPDevice.objects.filter(user__in=[u.pk for u in page], confirmed=True)
                      .values_list("user_id", flat=True))
    return render(request, "accounts/user_list.html", {"page": page, "q": q, "status": status,
                                                       "with_device": with_device})


@admin_required("system")
def user_create(request):
    form = UserCreateForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(actor=request.user, username=form.cleaned_data["username"],
                                        full_name=form.cleaned_data["full_name"], password=form.cleaned_data["password"])
        except ZugongError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, f"已创建用户 {user.username}，请通知其首次登录后修改密码；角色由安全管理员授予。")
            return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "errors": errors})


def _target_user(pk):
    return get_object_or_404(get_user_model(), pk=pk)


@require_POST
@admin_required("system")
def user_deactivate(request, pk):
    return _user_action(request, lambda u: services.user_set_active(actor=request.user, user=u, active=False), pk,
                        "已停用用户 {}。")


@require_POST
@admin_required("system")
def user_activate(request, pk):
    return _user_action(request, lambda u: services.user_set_active(actor=request.user, user=u, active=True), pk,
                        "已启用用户 {}。")


@require_POST
@admin_required("system")
def user_unlock(request, pk):
    return _user_action(request, lambda u: services.user_unlock(actor=request.user, user=u), pk, "已解除用户 {} 的锁定。")


RESET_DONE = "已重置用户 {name} 的{what}；其下次登录时须修改密码并重新绑定手机令牌{grants}。"
RESET_FILED = ("{name} 是管理员账号：已提交{what}申请，须由系统管理员以外的其他类别管理员在「管理员重置审批」中批准后生效。")


def _reset_message(target, result, what: str) -> str:
    if isinstance(result, AdminResetRequest):
        return RESET_FILED.format(name=target.username, what=what)
    target.refresh_from_db(fields=["grants_suspended_at"])
    grants = "，其授权已暂停，待安全管理员与本人核实后确认" if target.grants_suspended_at else ""
    return RESET_DONE.format(name=target.username, what=what, grants=grants)


@require_POST
@admin_required("system")
def user_otp_reset(request, pk):
    """Reset a user's second factor (lost phone): see ``services.user_otp_reset``."""
    target = _target_user(pk)
    try:
        result = services.user_otp_reset(actor=request.user, user=target)
    except ZugongError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _reset_message(target, result, "动态口令设备"))
    return redirect("accounts:user_list")


def _user_action(request, action, pk, done: str):
    user = _target_user(pk)
    try:
        action(user)
    except ZugongError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done.format(user.username))
    return redirect("accounts:user_list")


@admin_required("system")
def user_reset_password(request, pk):
    """Set a temporary password that the user must change at next login (``services.user_reset_password``:
    a business account's grants are suspended; an administrator account gets a pending request)."""
    target = _target_user(pk)
    form = ResetPasswordForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.user_reset_password(actor=request.user, user=target,
                                                  new_password=form.cleaned_data["password"])
        except ZugongError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _reset_message(target, result, "密码"))
            return redirect("accounts:user_list")
    return render(request, "accounts/user_reset_password.html", {
        "form": form, "errors": errors, "target": target,
        "is_admin_account": bool(services.account_admin_kinds(target))})


# --- resets of administrator accounts: any administrator sees them, another kind approves ----------------
@admin_required("system", "security", "audit")
def reset_request_list(request):
    """管理员重置审批: pending requests first (with whether the viewer may approve each, and why not),
    then the last decided ones."""
    qs = AdminResetRequest.objects.select_related("target", "requested_by", "decided_by")
    pending = list(qs.filter(status="pending").order_by("requested_at", "pk"))
    rows = [(r, services.reset_request_refusal(actor=request.user, request=r)) for r in pending]
    decided = qs.exclude(status="pending").order_by("-decided_at", "-pk")[:50]
    return render(request, "accounts/reset_request_list.html", {"rows": rows, "decided": decided,
                                                                "hours": services.RESET_REQUEST_HOURS})


def _reset_request_action(request, pk, action, done: str):
    reset_request = get_object_or_404(AdminResetRequest, pk=pk)
    try:
        action(actor=request.user, request=reset_request)
    except ZugongError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done.format(name=reset_request.target.username,
                                              what=reset_request.get_kind_display()))
    return redirect("accounts:reset_request_list")


@require_POST
@admin_required("system", "security", "audit")
@require_recent_reauth
def reset_request_approve(request, pk):
    """Approve and apply a reset of an administrator account (another kind than the requester's)."""
    return _reset_request_action(request, pk, services.admin_reset_approve,
                                 "已批准并执行：{what}（{name}）。该账号下次登录时须修改密码并重新绑定手机令牌。")


@require_POST
@admin_required("system", "security", "audit")
def reset_request_reject(request, pk):
    """Reject (or withdraw one's own) pending reset request; nothing is reset."""
    return _reset_request_action(request, pk, services.admin_reset_reject, "已驳回：{what}（{name}）。")


# --- security administrator: grants suspended after a reset ---------------------------------------------
@admin_required("security")
def pending_grants(request):
    """待确认的授权: users whose grants are suspended after a reset by the system administrator."""
    users = list(services.suspended_users())
    rows = [(u, services.first_login_pending(u)) for u in users]
    return render(request, "accounts/pending_grants.html", {"rows": rows})


@require_POST
@admin_required("security")
@require_recent_reauth
def pending_grants_confirm(request, pk):
    """Confirm (restore) a user's suspended grants — after checking with the person."""
    target = _target_user(pk)
    try:
        services.grants_confirm(actor=request.user, user=target)
    except ZugongError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已确认并恢复用户 {target.username} 的授权。")
    return redirect("accounts:pending_grants")


# --- security administrator: roles and grants --------------------------------------------------------
@admin_required("security")
def grant_list(request):
    """Role grants (active by default; ``?all=1`` includes revoked and expired), under the dashboard item
    of users throttled today for probing ID numbers (``people.oracle.throttled_today``)."""
    qs = RoleGrant.objects.select_related("user", "role", "organization", "unit", "granted_by", "revoked_by").order_by("-id")
    show_all = request.GET.get("all") == "1"
    if not show_all:
        qs = qs.active()
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(user__username__icontains=q) | Q(user__full_name__icontains=q))
    role = request.GET.get("role", "")
    if role:
        qs = qs.filter(role__code=role)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "accounts/grant_list.html", {"page": page, "q": q, "role": role, "show_all": show_all,
                                                        "roles": Role.objects.all(),
                                                        "id_probe_alerts": throttled_today()})


@admin_required("security")
@require_recent_reauth
def grant_create(request):
    """Grant a role at a party organization or at a unit (re-authentication within 5 minutes required)."""
    form = GrantForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organization = unit = None
        code = (request.POST.get("organization_pick") or data["organization_code"]).strip()
        unit_code = (request.POST.get("unit_pick") or data["unit_code"]).strip()
        if code and unit_code:
            errors = ["一条授权只能指定授权组织或授权单位之一。"]
        elif code:
            organization = organization_for_grant(user=request.user, code=code)
            if organization is None:
                errors = [f"组织代码 {code} 不存在。"]
        elif unit_code:
            unit = unit_for_grant(user=request.user, code=unit_code)
            if unit is None:
                errors = [f"单位代码 {unit_code} 不存在。"]
        if not errors:
            expires = None
            if data["expires_on"]:
                expires = timezone.make_aware(dt.datetime.combine(data["expires_on"], dt.time.max))
            try:
                services.grant_role(user=data["user"], role_code=data["role"].code, organization=organization,
                                    unit=unit, include_subtree=data["include_subtree"], granted_by=request.user, expires_at=expires)
            except ZugongError as exc:
                errors = _errors(exc)
            else:
                messages.success(request, f"已授予 {data['user'].username} 角色「{data['role'].name}」。")
                return redirect("accounts:grant_list")
    return render(request, "accounts/grant_form.html", {"form": form, "errors": errors})


@require_GET
@admin_required("security")
def grant_picker(request):
    """HTMX fragment for the grant form: ``?q=`` name or code words, ``tree=org`` (党组织, default) or
    ``tree=unit`` (单位); radios named ``organization_pick`` / ``unit_pick`` that ``grant_create`` prefers over
    the typed code. Security administrator only (structure: name, code, the names above; no members)."""
    unit_tree = request.GET.get("tree") == "unit"
    q = (request.GET.get("q") or "").strip()[:100]
    results = grant_anchor_pick(user=request.user, tree="unit" if unit_tree else "organization", text=q)
    return render(request, "orgs/_picker.html", {
        "results": results, "q": q, "name": "unit_pick" if unit_tree else "organization_pick",
        "none_text": f"未找到「{q}」：没有匹配的{'单位' if unit_tree else '党组织'}。"})


@require_POST
@admin_required("security")
@require_recent_reauth
def grant_revoke(request, pk):
    grant = get_object_or_404(RoleGrant, pk=pk)
    try:
        services.grant_revoke(grant=grant, revoked_by=request.user)
    except ZugongError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已撤销 {grant.user.username} 的角色「{grant.role.name}」。")
    return redirect("accounts:grant_list")


def _permission_grid(selected) -> list[tuple[str, list[tuple[str, str, bool]]]]:
    selected = set(selected or [])
    return [(DATA_LABELS[label], [(f"{label}.{action}", ACTIONS[action], f"{label}.{action}" in selected)
                                  for action in ACTIONS]) for label in DATA_LABELS]


@admin_required("security")
def role_list(request):
    roles = Role.objects.all()
    return render(request, "accounts/role_list.html", {
        "roles": [(r, _permission_grid(r.permissions)) for r in roles], "actions": list(ACTIONS.values())})


@admin_required("security")
@require_recent_reauth
def role_edit(request, pk=None):
    """Create (``pk=None``) or change a custom role; built-in roles are read-only."""
    role = get_object_or_404(Role, pk=pk) if pk else None
    initial = {"code": role.code, "name": role.name, "description": role.description,
               "permissions": role.permissions} if role else {}
    form = RoleForm(request.POST or None, initial=initial)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.role_save(actor=request.user, code=data["code"], name=data["name"], permissions=data["permissions"],
                               description=data["description"], role=role)
        except ZugongError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, "角色已保存。")
            return redirect("accounts:role_list")
    selected = form.data.getlist("permissions") if form.is_bound else initial.get("permissions", [])
    return render(request, "accounts/role_form.html", {"form": form, "errors": errors, "role": role,
                                                       "grid": _permission_grid(selected),
                                                       "actions": list(ACTIONS.values())})
