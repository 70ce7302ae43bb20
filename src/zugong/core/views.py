"""Framework views: the home page and error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from zugong.core.error_pages import page_404, page_500
from zugong.core.scoping import can


@login_required
def home(request):
    """Home: send the user to the first page their roles open (member list, else the account page)."""
    if can(request.user, "party", "view"):
        return redirect("party:member_list")
    return redirect("accounts:profile")


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return page_404(request)


def error_500(request):
    return page_500(request)
