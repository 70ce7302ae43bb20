"""Framework views: the home page and error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from zugong.core.error_pages import page_404, page_500
from zugong.core.models import ImportJob
from zugong.core.registry import home_widgets_for, navigation_for, reference_date, todos_for, user_admin_kinds

# Where each administrator kind lands (三权分立: an administrator has no business data to show).
ADMIN_CONSOLES = (("system", "accounts:user_list"), ("security", "accounts:grant_list"),
                  ("audit", "audit:event_list"))
RECENT_IMPORTS = 5


@login_required
def home(request):
    """首页. A business user (any navigation entry outside 系统管理) sees the widgets registered by the apps
    (the figures of their scope …), their last imports and the 待办事项 of the to-do providers. An
    administrator lands on their console (system → 用户管理, security → 角色授权, audit → 审计日志; the
    first of the kinds they hold); a user with nothing to see lands on their account page."""
    user = request.user
    widgets = [(w.template, ctx) for w in home_widgets_for(user) if (ctx := w.context(user, request)) is not None]
    if not widgets and not _has_business_pages(user):
        kinds = user_admin_kinds(user)
        for kind, url_name in ADMIN_CONSOLES:
            if kind in kinds:
                return redirect(url_name)
        return redirect("accounts:profile")
    imports = list(ImportJob.objects.owned_by(user).defer("errors", "warnings", "error_report_encrypted")
                   [:RECENT_IMPORTS])
    # the to-dos follow the data's date where a registered reference date answers (the demo dataset is as of
    # 2023-12-31: computed for today, every certificate would have expired and every month gone unmet)
    today, note = reference_date()
    return render(request, "home.html", {"widgets": widgets, "imports": imports, "todos": todos_for(user, today),
                                         "todo_note": note})


def _has_business_pages(user) -> bool:
    return any(title != "系统管理" for title, _items in navigation_for(user))


def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


def error_404(request, exception=None):
    return page_404(request)


def error_500(request):
    return page_500(request)
