"""Security middleware.

- ``SecurityHeadersMiddleware``: Content-Security-Policy without inline script, ``Cache-Control:
  no-store`` on pages served to a logged-in user, Permissions-Policy.
- ``RequestIdMiddleware``: a request id (``X-Request-ID``) for audit rows; idle-session timeout
  (``settings.SESSION_IDLE_TIMEOUT`` seconds, default 30 minutes) and absolute session lifetime
  (``settings.SESSION_COOKIE_AGE``, 12 hours, counted from login — saving the session on every request
  would otherwise extend the cookie forever). An expired session is flushed (audited
  ``session_timeout``) and the user goes back to the login page.
"""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.contrib.auth import logout

from zugong.audit.services import clear_request_context, record_event, set_request_context

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response


def client_ip(request) -> str:
    """The client address (REMOTE_ADDR; ``X-Forwarded-For`` only when ``ZUGONG_BEHIND_PROXY`` is set)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return request.META.get("REMOTE_ADDR", "")[:45]


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = str(uuid.uuid4())
        user = getattr(request, "user", None)
        set_request_context(request_id=request.request_id, ip_address=client_ip(request), user=user)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_activity")
            started = request.session.get("auth_at")
            reason = ""
            if last is not None and now - int(last) > settings.SESSION_IDLE_TIMEOUT:
                reason = f"会话空闲超过 {settings.SESSION_IDLE_TIMEOUT // 60} 分钟"
            elif started is not None and now - int(started) > settings.SESSION_COOKIE_AGE:
                reason = f"会话超过最长有效期 {settings.SESSION_COOKIE_AGE // 3600} 小时"
            if reason:
                record_event("session_timeout", user=user, object_type="user", object_id=user.pk, summary=reason)
                logout(request)
            else:
                request.session["last_activity"] = now
                if started is None:  # a session opened without the login page: its lifetime starts now
                    request.session["auth_at"] = now
        set_request_context(request_id=request.request_id, ip_address=client_ip(request), user=request.user)
        try:
            response = self.get_response(request)
        finally:
            clear_request_context()
        response.headers["X-Request-ID"] = request.request_id
        return response
