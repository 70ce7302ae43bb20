"""Security middleware.

- ``SecurityHeadersMiddleware``: Content-Security-Policy without inline script, ``Cache-Control:
  no-store`` on pages served to a logged-in user, Permissions-Policy.
- ``RequestIdMiddleware``: a request id (``X-Request-ID``) and the client address (``client_ip``) for
  audit rows; idle-session timeout (``settings.SESSION_IDLE_TIMEOUT`` seconds, default 30 minutes,
  counted from the last request — or from login when the session has seen no request since) and
  absolute session lifetime (``settings.SESSION_COOKIE_AGE``, 12 hours, counted from login — saving the
  session on every request would otherwise extend the cookie forever). An expired session is flushed
  (audited ``session_timeout``) and the user goes back to the login page.
- ``client_ip``: the one place the client address is computed (audit rows, the per-IP login throttle,
  import jobs).
"""

from __future__ import annotations

import ipaddress
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


def _parse_ip(value: str) -> str:
    """``value`` as a normalised IP address (a ``:port`` or ``[v6]:port`` suffix dropped), else ``""``."""
    value = value.strip()
    candidates = [value]
    if value.startswith("[") and "]" in value:
        candidates.append(value[1:value.index("]")])
    elif value.count(":") == 1:
        candidates.append(value.split(":")[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return ""


def client_ip(request) -> str:
    """The client address of ``request`` (a string of at most 45 characters, ``""`` if unknown).

    With ``settings.ZUGONG_TRUSTED_PROXIES`` = 0 (the default without ``ZUGONG_BEHIND_PROXY``) it is
    ``REMOTE_ADDR`` and ``X-Forwarded-For`` is ignored. With *n* > 0 trusted reverse proxies in front,
    each appending the address it received from to ``X-Forwarded-For``, the client is the *n*-th entry
    counted from the right — never the leftmost, which the client writes itself, so a forged header
    cannot dodge the per-IP login throttle or falsify audit rows. A header with fewer than *n* entries
    gives its leftmost; a header entry that is not an IP address gives ``REMOTE_ADDR``.
    Source: GB/T 22239-2019 8.1.4.1 b (login-failure handling), 8.1.4.3 c (audit records the source)."""
    remote = request.META.get("REMOTE_ADDR", "")[:45]
    trusted = int(getattr(settings, "ZUGONG_TRUSTED_PROXIES", 0) or 0)
    if trusted <= 0:
        return remote
    entries = [e for e in (part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")) if e]
    if not entries:
        return remote
    return _parse_ip(entries[-min(trusted, len(entries))]) or remote


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = str(uuid.uuid4())
        user = getattr(request, "user", None)
        set_request_context(request_id=request.request_id, ip_address=client_ip(request), user=user)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.get("auth_at")
            # idle since the last request, or since login when no request has been stamped yet
            last = request.session.get("last_activity", started)
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
