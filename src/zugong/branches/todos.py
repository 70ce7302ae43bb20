"""To-do provider of the branches app (registered in ``BranchesConfig.ready``; shown on the home page).

``standards_todos(user)``: the 达标 findings (``branches.standards``) as of today over the user's ``party.view``
scope, for the right people:

- a branch the user holds a grant **on** (the 支部书记's own branch) gets one item per finding, with the
  branch's name, the finding's message and article, due on the 届满日期 for a 换届 reminder — 「甲镇机关党支部：
  本届任期将于 2026-02-01 届满（还有 62 天），请做好换届准备」;
- the branches *below* a grant on a higher organization (a township or county organization department) are
  summed up per kind — 「12 个党支部任届期满或 90 天内到期，需换届」 — linking to the 党支部达标情况 page filtered
  by those kinds.

The same 7 queries as ``standards_findings``, whatever the size of the scope.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from zugong.branches.standards import KINDS, standards_findings
from zugong.core.registry import TodoItem
from zugong.core.scoping import user_scope

# Summary groups for organization departments: (kinds, sentence with {n}).
SUMMARIES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("term_expired", "term_expiring"), "{n} 个党支部任届期满或 90 天内到期，需换届"),
    (("secretary_vacant",), "{n} 个党支部书记空缺"),
    (("secretary_standing",), "{n} 个党支部书记党龄不足1年"),
    (("no_committee",), "{n} 个党支部正式党员7人以上但未设支部委员会"),
    (("committee_too_large", "committee_large"), "{n} 个党支部委员会超过5人（一般3至5人，最多7人）"),
    (("few_full_members",), "{n} 个党支部正式党员不足3人，应成立联合党支部"),
    (("too_many_members",), "{n} 个党支部党员超过50人"),
    (("lost_contact",), "{n} 个党支部有失去联系6个月以上的党员"),
)
_RANK = {"high": 0, "normal": 1, "low": 2}


def standards_todos(user, today: dt.date | None = None) -> list[TodoItem]:
    """The home page's 达标 to-dos of ``user`` (see the module docstring)."""
    today = today or timezone.localdate()
    own = {node.org_id for node in user_scope(user, "party", "view")}
    if not own:
        return []
    findings = standards_findings(user=user, as_of=today)
    items: list[TodoItem] = []
    below: dict[str, list] = defaultdict(list)
    for f in findings:
        if f.organization.pk in own:
            url = reverse("orgs:detail", kwargs={"pk": f.organization.pk}) + "#tab-standards"
            items.append(TodoItem(text=f"{f.organization.name}：{f.message}（{f.article}）", url=url,
                                  due=f.due, severity=f.severity))
        else:
            below[f.code].append(f)
    base = reverse("branches:standards")
    for codes, sentence in SUMMARIES:
        rows = [f for code in codes for f in below.get(code, ())]
        if not rows:
            continue
        branches = {f.organization.pk for f in rows}
        dues = [f.due for f in rows if f.due is not None]
        severity = min((KINDS[f.code].severity for f in rows), key=lambda s: _RANK[s])
        items.append(TodoItem(text=sentence.format(n=len(branches)), url=f"{base}?{urlencode({'kind': codes}, doseq=True)}",
                              due=min(dues) if dues else None, severity=severity))
    return items
