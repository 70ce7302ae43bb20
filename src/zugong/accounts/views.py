"""Login, logout and the user's own account page."""

from __future__ import annotations

from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from zugong.accounts.forms import LoginForm
from zugong.accounts.services import LoginRefused, login_attempt
from zugong.audit.services import record_event


def login_view(request):
    """GET: the login form. POST: authenticate with lockout; on success go to a same-site ``next`` or
    home (``//evil.example`` and other foreign targets are ignored)."""
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            user = login_attempt(request=request, username=form.cleaned_data["username"],
                                 password=form.cleaned_data["password"])
        except LoginRefused as exc:
            error = str(exc)
        else:
            login(request, user)
            target = request.POST.get("next") or request.GET.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
                target = ""
            return redirect(target or "home")
    return render(request, "accounts/login.html", {"form": form, "error": error,
                                                   "next": request.GET.get("next", "")})


@require_POST
def logout_view(request):
    """Log out: the server-side session is flushed (a reused cookie no longer works)."""
    if request.user.is_authenticated:
        record_event("logout", user=request.user, object_type="user", object_id=request.user.pk, summary="退出登录")
    logout(request)
    return redirect("accounts:login")


@login_required
def profile(request):
    """The user's own account: roles held and where."""
    grants = request.user.grants.active().select_related("role", "organization")
    return render(request, "accounts/profile.html", {"grants": grants})
