"""To-do provider of the development app (registered in ``DevelopmentConfig.ready``; the home page).

``overdue`` (``party.view``): the overdue obligations of the pipeline in the user's scope
(``selectors.DEADLINES``: talk, half-yearly assessment, approval, probation), in one query
(``selectors.overdue_counts``, which also counts the branches concerned):

- a branch secretary (the overdue records lie in one branch): one item per kind, with the count and the
  article, linking to the pipeline filtered to the overdue records;
- the organization department (overdue records in several branches of its subtree): one summary line — the
  count per kind and the number of branches — linking to the same list.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from zugong.core.registry import TodoItem
from zugong.development.selectors import DEADLINES, overdue_counts

REGULATION = "《中国共产党发展党员工作细则》"


def overdue(user, today: dt.date | None = None) -> list[TodoItem]:
    today = today or timezone.localdate()
    counts = overdue_counts(user=user, today=today, with_branches=True)
    branches = counts.pop("branches")
    url = reverse("development:list") + "?due=overdue"
    if not any(counts.values()):
        return []
    if branches <= 1:
        return [TodoItem(text=f"发展党员：{n} 人{DEADLINES[kind][0]}（{REGULATION}{DEADLINES[kind][1]}）",
                         url=url, due=today, severity="high")
                for kind, n in counts.items() if n]
    parts = "、".join(f"{DEADLINES[k][0]} {n} 人" for k, n in counts.items() if n)
    return [TodoItem(text=f"发展党员工作逾期汇总（{branches} 个党支部）：{parts}", url=url, due=today, severity="normal")]
