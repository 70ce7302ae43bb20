"""The home-page figures of the user's scope (widget registered in ``ReportsConfig.ready``).

Cheap scoped counts rather than the full 党内统计 (``services.party_statistics`` takes ~1 s at 100,000
members): two aggregate queries over the user's whole ``party.view`` scope (every grant, so overlapping
grants count each member once), with the definitions of the statistics page:

- 党员: memberships in force today whose 入党日期 is not later than today; 正式 when 转正日期 ≤ today,
  else 预备;
- 发展党员: of those, admitted from 1 January of this year to today;
- 党组织: organizations existing today (founded, not dissolved), the granted nodes included.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership


def scope_counts(user, today: dt.date) -> dict:
    """``{"members", "full", "probationary", "developed", "organizations"}`` of ``user``'s scope on
    ``today`` (2 queries, plus the grants query once per request)."""
    member = "person__party_member__"
    counts = (
        Membership.objects.restrict(user, "view").on(today)
        .filter(**{f"{member}admission_date__lte": today})
        .aggregate(members=Count("pk"),
                   full=Count("pk", filter=Q(**{f"{member}full_membership_date__lte": today})),
                   developed=Count("pk", filter=Q(**{f"{member}admission_date__gte": dt.date(today.year, 1, 1)})))
    )
    organizations = PartyOrganization.objects.restrict(user, "view").active_on(today).count()
    return {"members": counts["members"], "full": counts["full"], "probationary": counts["members"] - counts["full"],
            "developed": counts["developed"], "organizations": organizations}


def scope_figures(user, request) -> dict:
    """Widget context: the counts of ``scope_counts`` as of today and the links to the detail pages."""
    today = timezone.localdate()
    return {"today": today, "figures": scope_counts(user, today),
            "stats_url": reverse("reports:party_stats"), "members_url": reverse("party:member_list"),
            "tree_url": reverse("orgs:tree")}
