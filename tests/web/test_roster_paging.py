"""Roster paging at scale, on small data (``party.paging``): the filter set's counting shape (``count_qs``),
keyset pages by cursor on every sort and direction, the jump to page N (per-organization counts, then a
key query limited to the organizations the page spans), 末页, bad cursors, totals exact or estimated, the
``OFFSET`` fallback for orderings the keyset does not know — each must give exactly the rows, order and
totals of the plain queries, with ties in the sort key, members in non-leaf organizations, ended
memberships, missing party records (NULL 入党日期), dates in the past and filters."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from zugong.core.paging import Cursor, encode_cursor
from zugong.party import paging
from zugong.party.filtersets import DEFAULT_ORDERING, prefix_q
from zugong.party.models import Membership, PartyMember
from zugong.party.selectors import RosterPaginator, member_filterset, member_roster, organization_window

AS_OF = dt.date(2025, 6, 1)
SORTS = ["", "organization", "-organization", "name", "-birth_date", "admission_date"]
FILTERS = [
    {},
    {"sex": "2"},
    {"name": "同"},
    {"ethnicity": "minority"},
    {"ethnicity": "han", "education": "college_or_above"},
    {"category": "probationary"},
    {"category": "full", "age_min": "30", "age_max": "45"},
    {"front_line": "true", "sex": "1"},
    {"org": "C-A", "education": "21"},
]


@pytest.fixture
def crowd(tree):
    """The tree plus 40 members: many namesakes in one branch (ties on 姓名 and on 出生日期), members
    directly in a town committee, women, minorities, 预备党员, and two transfers (an ended membership
    in another branch, which is not on the roster as of ``AS_OF``)."""
    orgs = [tree.branch_a1, tree.branch_a2, tree.town_a, tree.branch_b1, tree.town_b]
    people = []
    for i in range(40):
        people.append(factories.make_member(
            orgs[i % len(orgs)] if i % 3 else tree.branch_a2,
            "同名" if i % 4 == 0 else f"成员{i % 7}",  # ties on the name inside one organization
            sex="2" if i % 3 == 0 else "1",
            ethnicity="05" if i % 6 == 0 else "01",
            birth_date=dt.date(1975 + i % 4, 5, 1),  # ties on the birth date
            education_level=["21", "31", "61", "14"][i % 4],
            admission_date=dt.date(2010, 7, 1) if i % 5 else dt.date(2025, 1, 10),
            full_membership_date=dt.date(2011, 7, 1) if i % 5 else None,
            front_line=i % 2 == 0,
        ))
    # two members without a party record: NULL 入党日期 in the roster's outer join (sorted as the engine does)
    PartyMember.objects.filter(person_id__in=[people[7].pk, people[11].pk]).delete()
    for person, target in ((people[1], tree.branch_b1), (people[2], tree.branch_a1)):
        old = Membership.objects.get(person=person)
        old.end_date, old.end_reason = dt.date(2020, 3, 1), "transfer"
        old.save()
        Membership.objects.create(person=person, organization=target, start_date=dt.date(2020, 3, 1),
                                  occupation="professional")
    return tree


def _keys(page) -> list[int]:
    return [m.pk for m in page.object_list]


# -- the counting shape ------------------------------------------------------------------------------
def test_prefix_q_keeps_connectors_negations_and_values():
    condition = (Q(sex="2") | ~Q(name__icontains="x")) & ~(Q(birth_date__lte=AS_OF) & Q(ethnicity="01"))
    prefixed = prefix_q(condition, "person__")
    expected = ((Q(person__sex="2") | ~Q(person__name__icontains="x"))
                & ~(Q(person__birth_date__lte=AS_OF) & Q(person__ethnicity="01")))
    assert prefixed == expected
    assert condition == (Q(sex="2") | ~Q(name__icontains="x")) & ~(Q(birth_date__lte=AS_OF) & Q(ethnicity="01"))


@pytest.mark.parametrize("filters", FILTERS)
def test_count_qs_selects_exactly_the_rows_of_qs(crowd, filters):
    filterset = member_filterset(data={**filters, "as_of": AS_OF.isoformat()}, user=crowd.county_user)
    assert filterset.is_valid(), filterset.form.errors
    rows = list(filterset.qs.values_list("pk", flat=True))
    assert rows, "each case should select some rows"
    assert sorted(filterset.count_qs.values_list("pk", flat=True)) == sorted(rows)
    assert filterset.count_qs.count() == len(rows) == filterset.qs.count()
    person_filters = set(filters) - {"org", "front_line", "occupation"}
    # person conditions are a semi-join in the count, a join in the rows
    assert ("IN (SELECT" in str(filterset.count_qs.query)) == bool(person_filters)
    # ... and a join in the rows — except a ranked name search on SQLite, driven from the matching people
    # (party.filtersets: the ranked order cannot stop early along the tree)
    ranked_on_sqlite = "name" in filters and "sort" not in filters and connection.vendor == "sqlite"
    assert ("IN (SELECT" in str(filterset.qs.query)) == ranked_on_sqlite


def test_count_qs_is_scoped(crowd):
    filterset = member_filterset(data={"sex": "2", "as_of": AS_OF.isoformat()}, user=crowd.branch_user)
    assert filterset.is_valid()
    orgs = set(filterset.count_qs.values_list("organization__code", flat=True))
    assert orgs == {"C-A-1"}
    nobody = member_filterset(data={"sex": "2"}, user=crowd.nogrant_user)
    assert nobody.is_valid() and nobody.count_qs.count() == 0


# -- the window arithmetic ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("bottom", "top", "expected"),
    [
        (0, 10, (["a"], 0, 10)),
        (0, 30, (["a"], 0, 30)),
        (25, 35, (["a", "b"], 25, 35)),
        (30, 40, (["b"], 0, 10)),  # starts exactly at an organization boundary
        (50, 70, (["b", "c"], 20, 40)),
        (59, 61, (["b", "c"], 29, 31)),
        (60, 90, (["c"], 0, 30)),
        (85, 95, (["c"], 25, 35)),  # runs past the end: what is there
        (90, 100, ([], 0, 10)),  # wholly past the end: nothing
    ],
)
def test_organization_window(bottom, top, expected):
    assert organization_window([("a", 30), ("b", 30), ("c", 30)], bottom, top) == expected


def test_organization_window_skips_many_small_organizations():
    counts = [(f"o{i}", 1) for i in range(10)]
    assert organization_window(counts, 3, 6) == (["o3", "o4", "o5"], 0, 3)


# -- keyset pages -------------------------------------------------------------------------------------
ALL_SORTS = ["", "organization", "-organization", "name", "-name", "birth_date", "-birth_date",
             "admission_date", "-admission_date"]
PAST = "2020-01-01"  # before the transfers: the two transferred members are in their first branches


def _paginator(user, params, per_page, **kwargs) -> RosterPaginator:
    filterset = member_filterset(data=params, user=user)
    assert filterset.is_valid(), filterset.form.errors
    return RosterPaginator(filterset.qs, per_page, filterset=filterset, user=user, **kwargs)


def _expected(user, params) -> list[int]:
    return list(member_roster(user=user, filters=params).values_list("pk", flat=True))


def _walk_forward(user, params, per_page) -> list[list[int]]:
    pages, cursor = [], None
    while True:
        page = _paginator(user, params, per_page).get_page(cursor=cursor)
        assert not page.notice
        pages.append(_keys(page))
        if not page.has_next:
            return pages
        cursor = page.next_cursor
        assert len(pages) < 100


@pytest.mark.parametrize("as_of", [AS_OF.isoformat(), PAST])
@pytest.mark.parametrize("sort", ALL_SORTS)
def test_keyset_pages_concatenate_to_the_roster(crowd, sort, as_of):
    params = {"as_of": as_of, **({"sort": sort} if sort else {})}
    expected = _expected(crowd.county_user, params)
    assert len(expected) > 20
    # ties: namesakes and shared birth dates → the order must still be total (person_id last)
    assert _paginator(crowd.county_user, params, 5).keys[-1].path == "person_id"
    for per_page in (3, 7):
        pages = _walk_forward(crowd.county_user, params, per_page)
        assert [pk for page in pages for pk in page] == expected
        assert all(len(p) == per_page for p in pages[:-1])


def test_roster_has_name_ties_and_null_admission_dates(crowd):
    rows = member_roster(user=crowd.county_user, filters={"as_of": AS_OF.isoformat(), "sort": "name"})
    names = [m.person.name for m in rows]
    assert names.count("同名") >= 5
    assert rows.filter(person__party_member__isnull=True).count() == 2


@pytest.mark.parametrize("sort", ALL_SORTS)
def test_previous_of_next_is_the_same_page_and_backwards_walk(crowd, sort):
    params = {"as_of": AS_OF.isoformat(), **({"sort": sort} if sort else {})}
    expected = _expected(crowd.county_user, params)
    per_page = 6
    page = _paginator(crowd.county_user, params, per_page).get_page()
    numbers = [page.number]
    while page.has_next:
        following = _paginator(crowd.county_user, params, per_page).get_page(cursor=page.next_cursor)
        back = _paginator(crowd.county_user, params, per_page).get_page(cursor=following.previous_cursor)
        assert _keys(back) == _keys(page) and back.number == page.number
        assert back.has_next and back.has_previous == page.has_previous
        page = following
        numbers.append(page.number)
    assert numbers == list(range(1, len(numbers) + 1))
    # from 末页 back to the first page by 上一页: the same pages as numbered paging
    last = _paginator(crowd.county_user, params, per_page).get_page(page="last")
    pages, page = [_keys(last)], last
    while page.has_previous:
        page = _paginator(crowd.county_user, params, per_page).get_page(cursor=page.previous_cursor)
        pages.insert(0, _keys(page))
    assert [pk for p in pages for pk in p] == expected
    assert page.number == 1 and page.start_index() == 1


@pytest.mark.parametrize("sort", ALL_SORTS)
def test_last_page_and_jumps_equal_the_offset_pages(crowd, sort, monkeypatch):
    params = {"as_of": AS_OF.isoformat(), **({"sort": sort} if sort else {})}
    expected = _expected(crowd.county_user, params)
    per_page = 5
    pages = -(-len(expected) // per_page)
    for deep_offset in (10**9, 0):  # plain OFFSET, then the per-organization window for every page
        monkeypatch.setattr(RosterPaginator, "deep_offset", deep_offset)
        for number in range(1, pages + 1):
            page = _paginator(crowd.county_user, params, per_page).get_page(page=str(number))
            assert _keys(page) == expected[(number - 1) * per_page:number * per_page], (deep_offset, number)
            assert page.number == number and page.start_index() == (number - 1) * per_page + 1
    last = _paginator(crowd.county_user, params, per_page).get_page(page="last")
    assert _keys(last) == expected[(pages - 1) * per_page:]
    assert (last.number, last.has_next, last.has_previous) == (pages, False, True)
    beyond = _paginator(crowd.county_user, params, per_page).get_page(page="999")
    assert _keys(beyond) == _keys(last)  # past the end of an exact total: the last page
    assert _keys(_paginator(crowd.county_user, params, per_page).get_page(page="x")) == expected[:per_page]
    assert _keys(_paginator(crowd.county_user, params, per_page).get_page(page="-3")) == expected[:per_page]


@pytest.mark.parametrize("filters", [{}, {"sex": "1"}, {"org": "C-A", "category": "full"}, {"org": "C-A"}])
@pytest.mark.parametrize("sort", ["", "-organization"])
def test_deep_jump_in_organization_order_uses_one_count_query(crowd, monkeypatch, filters, sort):
    params = {**filters, "as_of": AS_OF.isoformat(), **({"sort": sort} if sort else {})}
    expected = _expected(crowd.county_user, params)
    monkeypatch.setattr(RosterPaginator, "deep_offset", 0)
    calls = []
    from zugong.party import counts

    original = counts.member_counts_by_organization
    monkeypatch.setattr(counts, "member_counts_by_organization", lambda **kw: calls.append(kw) or original(**kw))
    paginator = _paginator(crowd.county_user, params, 4)
    with CaptureQueriesContext(connection) as ctx:
        page = paginator.get_page(page="3")
    assert _keys(page) == expected[8:12]
    # one counting query: the count table (party.counts) for org/as_of only, else a GROUP BY of count_qs
    counting = [q for q in ctx.captured_queries if "GROUP BY" in q["sql"] or "party_membercount" in q["sql"]]
    assert len(counting) == 1
    with CaptureQueriesContext(connection) as ctx:
        assert (paginator.count, paginator.count_exact) == (len(expected), True)
    assert not ctx.captured_queries  # the total is the sum of the per-organization counts
    # only org/as_of: the counts come from party.counts (the count table); other filters group count_qs
    assert bool(calls) == (set(filters) <= {"org"})


def test_forged_altered_and_foreign_cursors(crowd):
    params = {"as_of": AS_OF.isoformat(), "sort": "name"}
    expected = _expected(crowd.county_user, params)
    first = _paginator(crowd.county_user, params, 5).get_page()
    token = first.next_cursor
    for bad in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "garbage", token.replace(":", "x", 1),
                "%00" * 10):
        page = _paginator(crowd.county_user, params, 5).get_page(cursor=bad)
        assert page.notice and "第一页" in page.notice
        assert _keys(page) == expected[:5] and page.number == 1
    # a genuine cursor of another sort
    other = _paginator(crowd.county_user, {"as_of": AS_OF.isoformat()}, 5).get_page().next_cursor
    page = _paginator(crowd.county_user, params, 5).get_page(cursor=other)
    assert "排序" in page.notice and _keys(page) == expected[:5]
    # a validly signed cursor with values of someone else's rows never widens the scope
    keys = _paginator(crowd.branch_user, params, 5).keys
    signed = encode_cursor(Cursor(("", 0), "after", 2), signature=",".join(k.order_by for k in keys))
    page = _paginator(crowd.branch_user, params, 50).get_page(cursor=signed)
    assert not page.notice
    assert {m.organization.code for m in page.object_list} == {"C-A-1"}
    wrong_length = encode_cursor(Cursor(("张",), "after", 2), signature=",".join(k.order_by for k in keys))
    assert _paginator(crowd.branch_user, params, 5).get_page(cursor=wrong_length).notice


@pytest.mark.parametrize("sort", ALL_SORTS)
def test_branch_secretary_pages_hold_no_foreign_rows(crowd, sort):
    params = {"as_of": AS_OF.isoformat(), **({"sort": sort} if sort else {})}
    pages = _walk_forward(crowd.branch_user, params, 2)
    rows = Membership.objects.filter(pk__in=[pk for p in pages for pk in p]).select_related("organization")
    assert rows and {m.organization.code for m in rows} == {"C-A-1"}
    assert [pk for p in pages for pk in p] == _expected(crowd.branch_user, params)


# -- totals --------------------------------------------------------------------------------------------
@pytest.mark.parametrize("filters", [{}, {"org": "C-A"}, {"org": "C-B-1"}, {"as_of": PAST}, {"sex": "2"},
                                     {"name": "同"}, {"org": "C-A", "ethnicity": "minority"}])
def test_totals_equal_the_live_count(crowd, filters):
    params = {"as_of": AS_OF.isoformat(), **filters}
    live = len(_expected(crowd.county_user, params))
    paginator = _paginator(crowd.county_user, params, 5)
    assert (paginator.count, paginator.count_exact) == (live, True)
    # only org/as_of: from party.counts, no COUNT over the filtered rows
    assert paging.counted_by_table(paginator.filterset) == (set(filters) <= {"org", "as_of"})


def test_estimate_only_past_the_cap(crowd):
    params = {"as_of": AS_OF.isoformat(), "sex": "1"}
    live = len(_expected(crowd.county_user, params))
    assert live > 10
    exact = _paginator(crowd.county_user, params, 5, cap=live)
    assert (exact.count, exact.count_exact) == (live, True)
    estimated = _paginator(crowd.county_user, params, 5, cap=10)
    with CaptureQueriesContext(connection) as ctx:
        count, flag = estimated.count, estimated.count_exact
    assert flag is False and count >= 11
    assert len(ctx.captured_queries) <= 3  # capped count, then EXPLAIN (PostgreSQL) or the sample (two)
    # the unfiltered roster is never estimated, whatever the cap
    plain = _paginator(crowd.county_user, {"as_of": AS_OF.isoformat()}, 5, cap=1)
    assert plain.count_exact and plain.count == len(_expected(crowd.county_user, {"as_of": AS_OF.isoformat()}))
    # 末页 of an estimated total: the last rows of the reversed order, page number unknown
    last = estimated.get_page(page="last")
    assert _keys(last) == _expected(crowd.county_user, params)[-5:] and last.number is None


def test_rounded_estimate():
    assert paging.rounded_estimate(7) == 7
    assert paging.rounded_estimate(1_234_567) == 1_200_000
    assert paging.rounded_estimate(987) == 990
    assert paging.rounded_estimate(1_000_000) == 1_000_000


# -- orderings the keyset does not know (the name search's rank) --------------------------------------
def test_unknown_ordering_falls_back_to_offset_pages(crowd):
    from django.db.models import Case, IntegerField, Value, When

    filterset = member_filterset(data={"as_of": AS_OF.isoformat()}, user=crowd.county_user)
    assert filterset.is_valid()
    ranked = filterset.qs.annotate(search_rank=Case(When(person__name="同名", then=Value(2)), default=Value(1),
                                                    output_field=IntegerField()))
    ranked = ranked.order_by("-search_rank", *DEFAULT_ORDERING)
    expected = list(ranked.values_list("pk", flat=True))
    paginator = RosterPaginator(ranked, 4, filterset=filterset, user=crowd.county_user)
    assert not paginator.keyset
    pages = []
    for number in range(1, paginator.num_pages + 1):
        page = RosterPaginator(ranked, 4, filterset=filterset, user=crowd.county_user).get_page(page=number)
        assert page.next_cursor is None and page.previous_cursor is None
        pages.append(_keys(page))
    assert [pk for p in pages for pk in p] == expected
    assert pages[0][:3] == [m.pk for m in ranked if m.person.name == "同名"][:3]
    last = RosterPaginator(ranked, 4, filterset=filterset, user=crowd.county_user).get_page(page="last")
    assert _keys(last) == pages[-1]
    page = RosterPaginator(ranked, 4, filterset=filterset, user=crowd.county_user).get_page(cursor="x")
    assert page.notice and _keys(page) == expected[:4]


# -- through the page and the API --------------------------------------------------------------------
def _page_response(client, params):
    url = reverse("party:member_list")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url + params) if isinstance(params, str) else client.get(url, params)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def test_member_list_pager_links_walk_the_roster_with_constant_queries(client, crowd, monkeypatch):
    client.force_login(crowd.county_user)
    params = {"as_of": AS_OF.isoformat(), "per_page": "20", "sort": "-birth_date"}
    expected_people = [m.person_id for m in member_roster(user=crowd.county_user, filters=params)]
    client.get(reverse("party:member_list"), params)  # warm-up
    response, first_queries = _page_response(client, params)
    html = response.content.decode()
    for text in ("首页", "上一页", "下一页", "末页", "跳至第", "共 <strong>44</strong> 人", "/ 共 3 页"):
        assert text in html
    seen, queries = [r.person_id for r in response.context["rows"]], [first_queries]
    pager = response.context["pager"]
    while pager["next"]:
        assert "cursor=" in pager["next"] and "sort=-birth_date" in pager["next"]
        response, n = _page_response(client, pager["next"])
        queries.append(n)
        seen += [r.person_id for r in response.context["rows"]]
        pager = response.context["pager"]
    assert seen == expected_people
    assert response.context["page"].number == 3 and "第 3 页" in response.content.decode()
    assert len(set(queries)) == 1  # page depth does not change the query count
    # a bigger page: same number of queries
    _, big = _page_response(client, {**params, "per_page": "100"})
    assert big == first_queries
    # 末页 and the jump form keep the filters
    response, n = _page_response(client, {**params, "page": "last"})
    assert [r.person_id for r in response.context["rows"]] == expected_people[40:] and n == first_queries
    assert ('name="sort" value="-birth_date"' in response.content.decode()
            and 'name="page"' in response.content.decode())


def test_member_list_deep_jump_costs_no_extra_query(client, crowd, monkeypatch):
    client.force_login(crowd.county_user)
    params = {"as_of": AS_OF.isoformat(), "per_page": "20"}
    client.get(reverse("party:member_list"), params)
    _, shallow = _page_response(client, {**params, "page": "2"})
    monkeypatch.setattr(RosterPaginator, "deep_offset", 0)
    response, deep = _page_response(client, {**params, "page": "2"})
    assert deep == shallow  # the per-organization counts (party.counts) replace the total's query
    expected = [m.person_id for m in member_roster(user=crowd.county_user, filters=params)]
    assert [r.person_id for r in response.context["rows"]] == expected[20:40]
    assert response.context["total"] == len(expected) and response.context["total_exact"]


def test_member_list_bad_cursor_shows_the_first_page_with_a_notice(client, crowd):
    client.force_login(crowd.county_user)
    response, _ = _page_response(client, {"as_of": AS_OF.isoformat(), "cursor": "forged-token"})
    assert "翻页位置无效或已过期" in response.content.decode()
    assert response.context["page"].number == 1 and len(response.context["rows"]) == 44


def test_member_list_shows_an_estimate(client, crowd, monkeypatch):
    client.force_login(crowd.county_user)
    monkeypatch.setattr(paging, "EXACT_COUNT_CAP", 10)
    monkeypatch.setattr(RosterPaginator, "__init__", _with_cap(RosterPaginator.__init__, 10))
    response, _ = _page_response(client, {"as_of": AS_OF.isoformat(), "sex": "1", "per_page": "20"})
    html = response.content.decode()
    assert "约 <strong>" in html and "人（估算）" in html and "页数为估算" in html
    assert response.context["total_exact"] is False
    plain, _ = _page_response(client, {"as_of": AS_OF.isoformat(), "per_page": "20"})
    assert "共 <strong>44</strong> 人" in plain.content.decode() and "估算" not in plain.content.decode()


def _with_cap(init, cap):
    def patched(self, *args, **kwargs):
        kwargs["cap"] = cap
        init(self, *args, **kwargs)
    return patched


def test_api_cursor_links_count_flag_and_bad_cursor(client, crowd, monkeypatch):
    client.force_login(crowd.county_user)
    params = {"as_of": AS_OF.isoformat(), "sort": "name", "page_size": "10"}
    expected = [m.person_id for m in member_roster(user=crowd.county_user, filters=params)]
    body = client.get("/api/members/", params).json()
    assert (body["count"], body["count_exact"], body["page"], body["num_pages"]) == (44, True, 1, 5)
    seen = [r["person_id"] for r in body["results"]]
    while body["next"]:
        assert "cursor=" in body["next"]
        body = client.get(body["next"]).json()
        seen += [r["person_id"] for r in body["results"]]
    assert seen == expected and body["page"] == 5
    previous = client.get(body["previous"]).json()
    assert [r["person_id"] for r in previous["results"]] == expected[30:40]
    last = client.get(previous["last"]).json()
    assert [r["person_id"] for r in last["results"]] == expected[40:]
    response = client.get("/api/members/", {**params, "cursor": "forged"})
    assert response.status_code == 400 and "翻页位置无效" in str(response.json())
    monkeypatch.setattr(RosterPaginator, "__init__", _with_cap(RosterPaginator.__init__, 10))
    estimated = client.get("/api/members/", {"as_of": AS_OF.isoformat(), "sex": "1"}).json()
    assert estimated["count_exact"] is False and estimated["count"] >= 11


def test_api_filtered_count_uses_the_semi_join(client, crowd):
    client.force_login(crowd.county_user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/members/", {"ethnicity": "minority", "as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"] and "party_membership" in q["sql"]]
    assert len(counts) == 1 and "IN (SELECT" in counts[0]
    assert response.json()["count"] == member_roster(
        user=crowd.county_user, filters={"ethnicity": "minority", "as_of": AS_OF.isoformat()}).count()


def test_a_count_that_runs_out_of_time_is_estimated(crowd, monkeypatch):
    params = {"as_of": AS_OF.isoformat(), "sex": "2"}
    live = len(_expected(crowd.county_user, params))
    monkeypatch.setattr(paging, "planner_plan", lambda queryset: (live + 3, 10**9))
    monkeypatch.setattr(paging, "capped_count", lambda queryset, cap, timeout_ms=None: None)
    paginator = _paginator(crowd.county_user, params, 5, cap=10_000)
    assert (paginator.count, paginator.count_exact) == (live + 3, False)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is PostgreSQL's")
def test_costly_count_runs_under_a_timeout_and_restores_it(crowd, monkeypatch):
    params = {"as_of": AS_OF.isoformat(), "sex": "2"}
    live = len(_expected(crowd.county_user, params))
    monkeypatch.setattr(paging, "COSTLY_COUNT", 0.0)  # every count is "costly": runs under the timeout
    monkeypatch.setattr(paging, "COUNT_TIMEOUT_MS", 5_000)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        before = cursor.fetchone()[0]
    with CaptureQueriesContext(connection) as ctx:
        paginator = _paginator(crowd.county_user, params, 5, cap=10_000)
        assert (paginator.count, paginator.count_exact) == (live, True)
    assert any("set_config('statement_timeout'" in q["sql"] for q in ctx.captured_queries)
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before
    # a real cancellation: pg_sleep in the counted query is cut off and the roster is estimated
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    slow = Membership.objects.filter(RawSQL("pg_sleep(0.2) IS NOT NULL", [], output_field=BooleanField()))
    assert paging.capped_count(slow, 5, timeout_ms=20) is None
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == before


@pytest.mark.parametrize("ordering", ["", "sort", "name"])
def test_huge_page_numbers_give_the_last_page_not_an_error(crowd, ordering):
    """A page number far past the end (exact or estimated total, keyset or OFFSET ordering) is the last
    page — never an OFFSET overflow or a scan past the end (security review of issue #13)."""
    params = {"as_of": AS_OF.isoformat(), "sex": "1"}
    if ordering == "sort":
        params["sort"] = "name"
    elif ordering == "name":  # a ranked name search (OFFSET pages): a surname present in the roster
        params["name"] = member_roster(user=crowd.county_user, filters=params).first().person.name[0]
    expected = _expected(crowd.county_user, params)
    for cap in (None, 3):  # exact total, then an estimate
        kwargs = {"cap": cap} if cap else {}
        page = _paginator(crowd.county_user, params, 5, **kwargs).get_page(page=str(10**20))
        assert _keys(page) and set(_keys(page)) <= set(expected[-5:] + expected[-10:])
