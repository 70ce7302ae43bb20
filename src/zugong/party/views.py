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
from zugong.party.paging import rounded_estimate
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
    sorts, whitelisted by ``SORT_FIELDS``), paged by ``party.paging.RosterPaginator``: keyset pages
    (``?cursor=`` of the 首页/上一页/下一页/末页 links), a jump to ``?page=N`` (or ``page=last``), the total
    from the count table or a capped count / estimate (「约 N 人（估算）」) — the query count does not depend
    on the page size or depth. An ``org`` outside the scope (or unknown) is a 404; a bad cursor shows the
    first page with a notice. ``object_list``: the page's ``Membership`` rows."""

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
        # no filter set when the input was invalid (no rows)
        return RosterPaginator(queryset, per_page, filterset=filterset, user=self.user,
                               action=getattr(filterset, "scope_action", self.action))

    def paginate(self, paginator):
        return paginator.get_page(page=self.request.GET.get("page"), cursor=self.request.GET.get("cursor"))

    def get_rows(self, objects, filterset):
        return roster_rows(objects, filterset.as_of)

    def export_params(self, filterset) -> dict[str, str]:
        params = {**self.carried(), "as_of": filterset.as_of.isoformat()}
        if filterset.selected_org is not None:
            params["org"] = filterset.selected_org.code
        if self.request.GET.get("sort"):
            params["sort"] = self.request.GET["sort"]
        return params

    def pager(self, page) -> dict:
        """The pager's links (首页, 上一页, 下一页, 末页: hrefs or ``None``), the hidden fields of the 跳至第 N 页
        form (every other parameter of the request), and the total as shown (``display_total``: rounded
        when estimated)."""
        params = self.request.GET.copy()
        for key in ("page", "cursor"):
            params.pop(key, None)

        def href(**extra) -> str:
            query = params.copy()
            for key, value in extra.items():
                query[key] = str(value)
            return "?" + query.urlencode() if query else "?"

        keyset = page.paginator.keyset
        previous = next_ = None
        if page.has_previous:
            if page.previous_page_number() == 1:
                previous = href()
            elif keyset and page.previous_cursor:
                previous = href(cursor=page.previous_cursor)
            elif page.previous_page_number():
                previous = href(page=page.previous_page_number())
        if page.has_next:
            if keyset and page.next_cursor:
                next_ = href(cursor=page.next_cursor)
            elif page.next_page_number():
                next_ = href(page=page.next_page_number())
        paginator = page.paginator
        last_known = keyset or paginator.count_exact
        return {
            "first": href() if page.has_previous else None,
            "previous": previous,
            "next": next_,
            "last": href(page="last") if page.has_next and last_known else None,
            "hidden": [(k, v) for k, values in params.lists() for v in values],
            "num_pages": paginator.num_pages,
            "exact": paginator.count_exact,
            "display_total": f"{paginator.count if paginator.count_exact else rounded_estimate(paginator.count):,}",
        }

    def get_extra_context(self, filterset, page) -> dict:
        return {
            "pager": self.pager(page),
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
