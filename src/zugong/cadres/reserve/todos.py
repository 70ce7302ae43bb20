"""To-do provider of the reserve pool (registered in ``cadres.reserve.hooks``; the home page).

``reviews_due(user, today=None)`` (``cadre.view``): one 「后备干部复核到期」 item counting the open entries of
the user's scope whose 下次复核时间 is within 30 days (``rules.REVIEW_DUE_DAYS``; overdue ones included),
linking to the list filtered to them; severity ``high`` when any is already overdue."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils import timezone

from zugong.cadres.reserve import rules
from zugong.cadres.reserve.selectors import due_for_review
from zugong.core.registry import TodoItem


def reviews_due(user, today: dt.date | None = None) -> list[TodoItem]:
    today = today or timezone.localdate()
    figures = due_for_review(user=user, today=today).order_by().aggregate(
        n=Count("pk"), overdue=Count("pk", filter=Q(review_date__lt=today)), first=Min("review_date"))
    if not figures["n"]:
        return []
    late = f"，其中已逾期 {figures['overdue']} 人" if figures["overdue"] else ""
    return [TodoItem(text=f"后备干部复核到期：{figures['n']} 人{rules.REVIEW_DUE_DAYS}天内需复核{late}",
                     url=reverse("cadres:reserve_list") + "?due=1", due=figures["first"],
                     severity="high" if figures["overdue"] else "normal")]
