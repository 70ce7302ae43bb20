"""View decorators for the security rules.

- ``admin_required(*kinds)``: only holders of one of the ``system``/``security``/``audit``
  administrator roles named (三权分立); others get 403.
- ``require_recent_reauth``: the password must have been entered again within
  ``settings.ZUGONG_REAUTH_SECONDS`` (default 5 minutes) — required before unmasking, exporting and
  changing grants. Otherwise: a page request is redirected to ``accounts:reauth`` and, once the
  password is confirmed, comes back to the page it asked for (GET: that page; POST: the page the form was
  on — ``HX-Current-URL``, else ``Referer``, else the posted URL itself as GET — with the message that
  the form was not submitted yet and must be submitted again: a POST is never replayed); an HTMX request
  gets a small fragment with a link to it; an API request (``/api/``) gets 403 JSON. A ``next`` that
  leaves the site is dropped (home instead).
- ``require_otp_verified``: when ``settings.ZUGONG_REQUIRE_OTP`` is on, the session must have passed the
  TOTP check (``django_otp``); the middleware already enforces it for the users concerned, this makes
  it explicit on the most sensitive views.
"""

from __future__ import annotations

import functools
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from zugong.accounts.services import admin_kinds, reauth_is_recent


def safe_next(request, candidate: str | None) -> str:
    """``candidate`` if it is a same-site path (``//evil.example``, ``https://evil.example`` and
    ``javascript:`` are refused), else ``""``."""
    if not candidate:
        return ""
    if not url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return ""
    parts = urlsplit(candidate)
    path = parts.path or "/"
    return path + (f"?{parts.query}" if parts.query else "")


def _wants_json(request) -> bool:
    return request.path_info.startswith("/api/") or "application/json" in request.headers.get("Accept", "")


def admin_required(*kinds: str):
    """Allow only users holding one of the ``kinds`` administrator roles (``system``, ``security``,
    ``audit``); anonymous users go to the login page, everyone else gets 403."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not set(kinds) & admin_kinds(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


RESUBMIT_PARAM = "resubmit"
"""Query parameter of the re-authentication page: a POST was interrupted (say "submit again")."""


def reauth_url(request, back: str, *, resubmit: bool = False) -> str:
    """URL of the re-authentication page that returns to ``back`` (made safe); ``resubmit``: the user's
    POST was not carried out and must be submitted again."""
    target = safe_next(request, back)
    params = {"next": target} if target else {}
    if resubmit:
        params[RESUBMIT_PARAM] = "1"
    return reverse("accounts:reauth") + ("?" + urlencode(params) if params else "")


def require_recent_reauth(view):
    """Require a password re-entry within ``ZUGONG_REAUTH_SECONDS`` (see module docstring)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_required(view)(request, *args, **kwargs)
        if reauth_is_recent(request):
            return view(request, *args, **kwargs)
        if _wants_json(request):
            return JsonResponse({"detail": "此操作需要重新验证身份（输入密码）。", "reauth_url": reverse("accounts:reauth")},
                                status=403)
        if request.method in ("GET", "HEAD"):
            url = reauth_url(request, request.get_full_path())
        else:  # back to the form (as GET), never replaying the POST
            back = (safe_next(request, request.headers.get("HX-Current-URL"))
                    or safe_next(request, request.headers.get("Referer")) or request.path)
            url = reauth_url(request, back, resubmit=True)
        if request.headers.get("HX-Request"):
            return render(request, "accounts/_reauth_needed.html", {"reauth_url": url})
        return redirect(url)

    return wrapped


def require_otp_verified(view):
    """Require a TOTP-verified session when ``settings.ZUGONG_REQUIRE_OTP`` is on."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if getattr(settings, "ZUGONG_REQUIRE_OTP", True):
            verified = getattr(request.user, "is_verified", None)
            if not (verified and verified()):
                if _wants_json(request):
                    return JsonResponse({"detail": "此操作需要动态口令验证。"}, status=403)
                url = reverse("accounts:otp_verify") + "?" + urlencode({"next": request.get_full_path()})
                if request.headers.get("HX-Request"):
                    return render(request, "accounts/_reauth_needed.html", {"reauth_url": url, "otp": True})
                return redirect(url)
        return view(request, *args, **kwargs)

    return wrapped
