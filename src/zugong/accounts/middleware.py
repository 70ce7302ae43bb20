"""``AccountSecurityMiddleware``: what a logged-in user must do before reaching any page or API.

Runs after ``django_otp.middleware.OTPMiddleware`` and ``core.middleware.RequestIdMiddleware`` (which
already applied the idle and absolute session limits). For an authenticated user, in this order:

1. **Second factor** (when ``settings.ZUGONG_REQUIRE_OTP``): the three administrator roles and anyone
   holding unmask or export rights must have a confirmed TOTP device and a TOTP-verified session;
   until then only OTP setup/verify, login and logout open (pages redirect, ``/api/`` answers 403).
   After an administrator reset (``User.must_enrol_otp``) every account, whatever its roles, must
   enrol a new device first.
2. **Password expiry**: an expired or administrator-reset password sends the user to the password
   change page (``/api/`` answers 403).
3. **Separation of duties** (三权分立): administrator accounts reach only the home page and the
   ``accounts`` and ``audit`` pages (each view then checks the administrator kind); business pages and
   the API answer 403 — they never see business data.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django_otp import user_has_device

from zugong.accounts.passwords import password_expired
from zugong.accounts.services import admin_kinds, otp_required

OTP_EXEMPT = {"accounts:login", "accounts:logout", "accounts:otp_setup", "accounts:otp_verify"}
PASSWORD_EXEMPT = OTP_EXEMPT | {"accounts:password_change"}
ADMIN_NAMESPACES = {"accounts", "audit"}
ADMIN_VIEWS = {"home"}


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            refusal = self.check(request, user)
            if refusal is not None:
                return refusal
        return self.get_response(request)

    def check(self, request, user):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        name = match.view_name
        is_api = request.path_info.startswith("/api/")
        if (getattr(settings, "ZUGONG_REQUIRE_OTP", True) and name not in OTP_EXEMPT
                and (user.must_enrol_otp or otp_required(user)) and not user.is_verified()):
            if is_api:
                return JsonResponse({"detail": "请先完成动态口令（TOTP）验证。"}, status=403)
            target = "accounts:otp_verify" if user_has_device(user) else "accounts:otp_setup"
            return redirect(reverse(target) + "?" + urlencode({"next": request.get_full_path()}))
        if name not in PASSWORD_EXEMPT and password_expired(user):
            if is_api:
                return JsonResponse({"detail": "密码已过期，或仍是初始密码、重置后的密码，请先在网页上修改密码。"}, status=403)
            return redirect(reverse("accounts:password_change") + "?" + urlencode({"next": request.get_full_path()}))
        if admin_kinds(user) and not (set(match.namespaces) & ADMIN_NAMESPACES or name in ADMIN_VIEWS):
            if is_api:
                return JsonResponse({"detail": "管理员账号不能访问业务数据。"}, status=403)
            return render(request, "errors/403.html", status=403)
        return None
