"""Party member pages: the roster (党员名册). Reads go through ``party.selectors`` (scoped)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from zugong.core.scoping import can
from zugong.orgs.selectors import scope_tree
from zugong.party.filtersets import CARRIED_FILTERS, SORT_FIELDS
from zugong.party.selectors import RosterPaginator, member_filterset, roster_rows

PAGE_SIZES = (20, 50, 100)
DEFAULT_PAGE_SIZE = 50


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _sort_links(current: str) -> dict[str, dict[str, str]]:
    """For each sortable column: the ``sort`` value its header link sets and the arrow to show."""
    links = {}
    for key in SORT_FIELDS:
        if current == key:
            links[key] = {"param": f"-{key}", "arrow": "↑"}
        elif current == f"-{key}":
            links[key] = {"param": key, "arrow": "↓"}
        else:
            links[key] = {"param": key, "arrow": ""}
    return links


def _export_href(params: dict[str, str]) -> str | None:
    """The roster export link with the current filters, or ``None`` while the export view is absent."""
    try:
        url = reverse("party:export_roster")
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(params)}" if params else url


def _create_href(user, selected_org) -> str | None:
    """新增党员 link (with the selected organization when the user may add there), or ``None``."""
    if not (can(user, "party", "add") and can(user, "basic", "add")):
        return None
    url = reverse("party:member_create")
    if selected_org is not None and can(user, "party", "add", selected_org) and can(user, "basic", "add", selected_org):
        return f"{url}?{urlencode({'org': selected_org.code})}"
    return url


@login_required
@require_GET
def member_list(request):
    """党员名册: the roster of the user's scope as of a date, filtered by ``MemberFilterSet``, paginated
    in SQL (``RosterPaginator``: COUNT (of the filter set's ``count_qs``), then the page's keys and rows;
    the query count does not depend on the page size or depth). An ``org`` outside the scope (or
    unknown) is a 404."""
    user = request.user
    filterset = member_filterset(data=request.GET, request=request)
    valid = filterset.is_valid()
    queryset = filterset.qs  # resolves ``org`` through the scope
    selected_org = filterset.selected_org
    if request.GET.get("org", "").strip() and selected_org is None:
        raise Http404("组织不存在或不在您的数据范围内")
    if not valid:
        queryset = queryset.none()
    count_queryset = filterset.count_qs if valid else None  # same rows, shaped for COUNT
    paginator = RosterPaginator(queryset, _page_size(request), count_queryset=count_queryset)
    page = paginator.get_page(request.GET.get("page"))
    rows = roster_rows(page.object_list, filterset.as_of)

    carried = {k: request.GET[k] for k in CARRIED_FILTERS if request.GET.get(k)}
    export_params = {**carried, "as_of": filterset.as_of.isoformat()}
    if selected_org is not None:
        export_params["org"] = selected_org.code
    if request.GET.get("sort"):
        export_params["sort"] = request.GET["sort"]

    context = {
        "filter": filterset,
        "filter_errors": [] if valid else filterset.form.errors,
        "page": page,
        "object_list": page.object_list,  # the page's memberships (the rows' records)
        "rows": rows,
        "total": paginator.count,
        "as_of": filterset.as_of,
        "as_of_note": filterset.as_of_note,
        "selected_org": selected_org,
        "roots_nodes": scope_tree(user=user),
        "tree_query": urlencode(carried),
        "export_href": _export_href(export_params) if can(user, "party", "export") else None,
        "create_href": _create_href(user, selected_org),
        "sorts": _sort_links(request.GET.get("sort", "")),
        "page_sizes": PAGE_SIZES,
        "page_size": paginator.per_page,
        # one reverse() for all rows: "/people/0/" → "/people/", the template appends "<id>/"
        "person_url_prefix": reverse("people:detail", args=[0]).removesuffix("0/"),
    }
    return render(request, "party/member_list.html", context)

