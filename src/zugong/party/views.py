"""Party member pages: the roster (党员名册), a generic list (``core.generic.ObjectListView``) over
``party.selectors`` (scoped)."""

from __future__ import annotations

from django.http import Http404
from django.urls import reverse
from django.utils.http import urlencode

from zugong.core import generic
from zugong.core.scoping import can
from zugong.orgs.selectors import scope_tree
from zugong.party.filtersets import CARRIED_FILTERS, SORT_FIELDS
from zugong.party.selectors import RosterPaginator, member_filterset, roster_base, roster_rows

PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 50


def _create_href(user, selected_org) -> str | None:
    """新增党员 link (with the selected organization when the user may add there), or ``None``."""
    if not (can(user, "party", "add") and can(user, "basic", "add")):
        return None
    url = reverse("party:member_create")
    if selected_org is not None and can(user, "party", "add", selected_org) and can(user, "basic", "add", selected_org):
        return f"{url}?{urlencode({'org': selected_org.code})}"
    return url


class MemberList(generic.ObjectListView):
    """党员名册: the roster of the user's scope as of a date, filtered by ``MemberFilterSet`` (which also
    sorts, whitelisted by ``SORT_FIELDS``), paginated in SQL by ``RosterPaginator``: a count (of the
    filter set's ``count_qs``; per organization for deep pages), then the page's keys and rows — the query
    count does not depend on the page size or depth. An ``org`` outside the scope (or unknown) is a 404.
    ``object_list``: the page's ``Membership`` rows."""

    url_name = "party:member_list"
    model = "party.Membership"
    list_selector = roster_base
    template_name = "party/member_list.html"
    sort_fields = SORT_FIELDS
    page_sizes = PAGE_SIZES
    default_page_size = DEFAULT_PAGE_SIZE
    carried_filters = CARRIED_FILTERS
    export_url_name = "party:export_roster"
    export_permission = "party.export"

    def get_filterset(self, queryset):
        return member_filterset(data=self.request.GET, request=self.request)

    def check_filters(self, filterset) -> None:
        if self.request.GET.get("org", "").strip() and filterset.selected_org is None:
            raise Http404("组织不存在或不在您的数据范围内")

    def make_paginator(self, queryset, per_page, filterset):
        # same rows, shaped for COUNT; no filter set when the input was invalid (no rows)
        return RosterPaginator(queryset, per_page, count_queryset=filterset.count_qs if filterset else None)

    def get_rows(self, objects, filterset):
        return roster_rows(objects, filterset.as_of)

    def export_params(self, filterset) -> dict[str, str]:
        params = {**self.carried(), "as_of": filterset.as_of.isoformat()}
        if filterset.selected_org is not None:
            params["org"] = filterset.selected_org.code
        if self.request.GET.get("sort"):
            params["sort"] = self.request.GET["sort"]
        return params

    def get_extra_context(self, filterset, page) -> dict:
        return {
            "as_of": filterset.as_of,
            "as_of_note": filterset.as_of_note,
            "selected_org": filterset.selected_org,
            "roots_nodes": scope_tree(user=self.user),
            "tree_query": self.carried_query(),
            "create_href": _create_href(self.user, filterset.selected_org),
            # one reverse() for all rows: "/people/0/" → "/people/", the template appends "<id>/"
            "person_url_prefix": reverse("people:detail", args=[0]).removesuffix("0/"),
        }

    def carried_query(self) -> str:
        return urlencode(self.carried())


member_list = MemberList.as_view()
