"""To-do providers of the party app (registered in ``PartyConfig.ready``; shown on the home page).

``probation_due``: 预备党员 whose one-year probation has ended and who have no 转正日期 yet — the branch
must discuss their admission to full membership (《中国共产党章程》第七条：预备期为一年，预备期满后支部
大会应当及时讨论其能否转为正式党员). One item with the count over the user's ``party.view`` scope, due on
the earliest end of probation among them. 1 query.

``transfers_incoming`` (issue #10): 组织关系转接 addressed to an organization in the user's ``party.add``
scope and still pending — the receiving side must accept or return them. One item with the count, due on
the earliest day sent. 1 query.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone

from zugong.core.dates import add_years
from zugong.core.registry import TodoItem
from zugong.party.models import Membership, PartyMember
from zugong.party.rules import probation_years
from zugong.party.transfer_selectors import transfer_incoming_pending


def probation_due(user, today: dt.date | None = None) -> list[TodoItem]:
    today = today or timezone.localdate()
    years = probation_years(on=today)
    # ``person_id IN (overdue)``: the few overdue probationary members drive the query (person index),
    # instead of a join of every member of the scope to their party record
    overdue = PartyMember.objects.filter(full_membership_date__isnull=True,
                                         admission_date__lte=add_years(today, -years))
    row = (
        Membership.objects.restrict(user, "view").on(today)
        .filter(person_id__in=overdue.values("person_id"))
        .aggregate(n=Count("pk"), earliest=Min("person__party_member__admission_date"))
    )
    if not row["n"]:
        return []
    url = reverse("party:member_list") + "?" + urlencode({"category": "probationary", "sort": "admission_date"})
    return [TodoItem(text=f"{row['n']} 名预备党员预备期已满一年，尚未登记转正（《中国共产党章程》第七条：支部大会应及时讨论）",
                     url=url, due=add_years(row["earliest"], years), severity="high")]


def transfers_incoming(user, today: dt.date | None = None) -> list[TodoItem]:
    row = transfer_incoming_pending(user=user, action="add").order_by().aggregate(n=Count("pk"), earliest=Min("sent_date"))
    if not row["n"]:
        return []
    url = reverse("party:transfer_list") + "?" + urlencode({"box": "incoming", "state": "pending"})
    return [TodoItem(text=f"{row['n']} 项组织关系转接待本组织接收或退回", url=url, due=row["earliest"], severity="high")]
