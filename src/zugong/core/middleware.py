"""Security middleware.

- ``SecurityHeadersMiddleware``: Content-Security-Policy without inline script, ``Cache-Control:
  no-store`` on pages served to a logged-in user, Permissions-Policy.
- ``RequestIdMiddleware``: a request id (``X-Request-ID``) for audit rows; idle-session timeout
  (``settings.SESSION_IDLE_TIMEOUT`` seconds, default 30 minutes) — an idle session is flushed and the
  user goes back to the login page.
"""

from __future__ import annotations

import time
import uuid

from django.conf import settings
from django.contrib.auth import logout

from zugong.audit.services import clear_request_context, set_request_context

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
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_activity")
            if last is not None and now - int(last) > settings.SESSION_IDLE_TIMEOUT:
                logout(request)
            else:
                request.session["last_activity"] = now
        set_request_context(request_id=request.request_id, ip_address=client_ip(request), user=request.user)
        try:
            response = self.get_response(request)
        finally:
            clear_request_context()
        response.headers["X-Request-ID"] = request.request_id
        return response
