"""To-do items of the compliance engine (registered in ``life.compliance_setup``; shown on the home page).

``compliance_overdue(user)``:

- a user whose ``party.view`` grants are on branches only (a branch secretary, 支部书记): one item per
  missing period of the current year (ended periods only), e.g. 「本支部 2026年11月 未召开支部委员会会议
  （《中国共产党支部工作条例（试行）》第十二条）」 (the branch's name instead of 本支部 when the grants name
  several), linking to the branch's drill-down, due on the period's last day; a rule missing more than
  three periods lists the latest two and one item for the older ones (「本支部 2026年1月至2026年9月 有 9 期
  未召开主题党日（…）」), so a branch that recorded nothing does not flood the list;
- a user whose scope is above branches (an organization department, a township's party office): one item
  summarising how many branches of the top granted organization's subtree missed something in the last
  ended month (the monthly 通报), linking to the 晾晒 of that month.

Queries: the scope (cached per request), the organization(s) of the grants, then one evaluation per
granted branch, or one for the top organization (``life.compliance.evaluate``: 2–4 queries each; for the
summary only the ended periods' meetings are read, so in most months only the monthly rules' rows).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from zugong.core.codes import ORG_TYPES_BRANCH
from zugong.core.registry import TodoItem
from zugong.core.scoping import user_scope

SHOWN_PER_RULE = 2  # a rule missing more periods lists its latest two, the older ones in one item


def _scope_organizations(user) -> list:
    from zugong.orgs.models import PartyOrganization

    ids = {node.org_id for node in user_scope(user, "party", "view")}
    return list(PartyOrganization.objects.filter(pk__in=ids).order_by("path")) if ids else []


def compliance_overdue(user, today: dt.date | None = None) -> list[TodoItem]:
    """The user's compliance to-dos as of ``today`` (default ``timezone.localdate()``); see the module
    docstring."""
    from zugong.life.compliance import evaluate, make_period

    today = today or timezone.localdate()
    orgs = _scope_organizations(user)
    if not orgs:
        return []
    if all(org.org_type in ORG_TYPES_BRANCH for org in orgs):
        items = []
        for branch in orgs:
            who = "本支部" if len(orgs) == 1 else branch.name
            results = evaluate(user=user, organization=branch, start=dt.date(today.year, 1, 1),
                               end=dt.date(today.year, 12, 31), today=today)
            url = reverse("life:compliance_branch") + "?" + urlencode({"org": branch.code, "period": str(today.year)})
            for result in results:
                if result.org_id != branch.pk:
                    continue
                for rule in result.rules:
                    what = "支部书记未讲党课" if rule.rule.secretary_lecture_only else f"未召开{rule.rule.type_label}"
                    if rule.rule.min_count > 1:
                        what = f"{rule.rule.type_label}少于{rule.rule.min_count}次"
                    missing = rule.missing_periods
                    if len(missing) > SHOWN_PER_RULE + 1:  # the older ones in one item, the latest ones each
                        older, missing = missing[:-SHOWN_PER_RULE], missing[-SHOWN_PER_RULE:]
                        items.append(TodoItem(
                            text=f"{who} {older[0].title}至{older[-1].title} 有 {len(older)} 期{what}"
                                 f"（{rule.rule.source}）", url=url, due=older[0].end, severity="high"))
                    for period in missing:
                        items.append(TodoItem(text=f"{who} {period.title} {what}（{rule.rule.source}）", url=url,
                                              due=period.end, severity="high"))
        return items
    # above branches: the last ended month's 通报 of the top granted organization
    top = orgs[0]
    last_month_day = today.replace(day=1) - dt.timedelta(days=1)
    month = make_period("month", last_month_day.year, last_month_day.month)
    results = evaluate(user=user, organization=top, start=month.start, end=month.end, today=today)
    behind = sum(1 for b in results if b.missing_count)
    if not behind:
        return []
    url = reverse("life:compliance") + "?" + urlencode({"org": top.code, "period": month.label})
    return [TodoItem(text=f"{top.name} {behind} 个党支部 {month.title} 组织生活未按要求落实（三会一课晾晒）",
                     url=url, due=month.end, severity="normal")]
