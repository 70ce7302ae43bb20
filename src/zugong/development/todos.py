"""To-do providers of the development app (registered in ``DevelopmentConfig.ready``; the home page).

- ``branch_overdue`` (``party.change``: the branch secretary and whoever records steps): one item per kind of
  overdue obligation in the user's scope (``selectors.DEADLINES``: talk, assessment, approval, probation),
  with the count and a link to the pipeline filtered to the overdue records. One query.
- ``department_summary`` (``party.view`` at a committee: the organization department): one line summing the
  overdue obligations of the scope when the user's grant covers more than one branch. One query (the same
  aggregate, plus one to read the grant's organizations); nothing when there is nothing overdue.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from zugong.core.registry import TodoItem
from zugong.core.scoping import user_scope
from zugong.development.selectors import DEADLINES, overdue_counts
from zugong.orgs.models import PartyOrganization

BRANCH_TYPES = ("branch", "joint_branch", "temporary_branch")


def branch_overdue(user, today: dt.date | None = None) -> list[TodoItem]:
    today = today or timezone.localdate()
    counts = overdue_counts(user=user, today=today, action="change")
    url = reverse("development:list") + "?due=overdue"
    return [TodoItem(text=f"发展党员：{n} 人{DEADLINES[kind][0]}（《中国共产党发展党员工作细则》{DEADLINES[kind][1]}）",
                     url=url, due=today, severity="high")
            for kind, n in counts.items() if n]


def department_summary(user, today: dt.date | None = None) -> list[TodoItem]:
    today = today or timezone.localdate()
    nodes = user_scope(user, "party", "view")
    if not nodes or not PartyOrganization.objects.filter(pk__in=[n.org_id for n in nodes]).exclude(
            org_type__in=BRANCH_TYPES).exists():
        return []
    counts = overdue_counts(user=user, today=today)
    total = sum(counts.values())
    if not total:
        return []
    parts = "、".join(f"{DEADLINES[k][0]} {n} 人" for k, n in counts.items() if n)
    return [TodoItem(text=f"发展党员工作逾期汇总：{parts}", url=reverse("development:list") + "?due=overdue",
                     due=today, severity="normal")]
