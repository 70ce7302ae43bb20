"""The organization page's 「组织生活」 tab (``core.registry.register_org_panel``): the organization's recent
meetings and the 「记录会议」 button."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode

from zugong.core.scoping import can
from zugong.life import selectors
from zugong.life.views import record_href


def meetings_panel(user, org, request) -> dict | None:
    """``{"label", "meetings", "record_href", "list_href"}`` for ``org``, ``None`` without ``party.view`` there
    (the tab is then not shown). Two queries (the meetings; the grants are cached on the user)."""
    if not can(user, "party", "view", org):
        return None
    return {"label": "组织生活", "meetings": selectors.organization_recent_meetings(user=user, organization=org),
            "record_href": record_href(user, org),
            "list_href": f"{reverse('life:meeting_list')}?{urlencode({'org': org.code})}"}
