"""Roster paging at scale, on small data: the filter set's counting shape (``count_qs``) and the paginator's
deep-page path (per-organization counts, then a key query limited to the organizations the page spans)
must give exactly the rows, order and totals of the plain queries — with ties in the sort key, members
in non-leaf organizations, ended memberships and filters."""

import datetime as dt

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories
from zugong.party.filtersets import prefix_q
from zugong.party.models import Membership
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


# -- deep pages --------------------------------------------------------------------------------------
@pytest.mark.parametrize("sort", ["", "organization", "-organization"])
@pytest.mark.parametrize("filters", [{}, {"sex": "1"}, {"org": "C-A", "category": "full"}])
@pytest.mark.parametrize("per_page", [3, 7, 50])
def test_deep_pages_equal_the_plain_offset(crowd, monkeypatch, sort, filters, per_page):
    params = {**filters, "as_of": AS_OF.isoformat(), **({"sort": sort} if sort else {})}
    filterset = member_filterset(data=params, user=crowd.county_user)
    assert filterset.is_valid()
    expected = list(member_roster(user=crowd.county_user, filters=params).values_list("pk", flat=True))
    assert len(expected) > per_page or per_page == 50
    monkeypatch.setattr(RosterPaginator, "deep_offset", 0)  # every page takes the per-organization path
    pages = -(-len(expected) // per_page)
    for number in range(1, pages + 1):
        paginator = RosterPaginator(filterset.qs, per_page, count_queryset=filterset.count_qs)
        with CaptureQueriesContext(connection) as ctx:
            page = paginator.get_page(number)
        assert "GROUP BY" in ctx.captured_queries[0]["sql"]
        assert len(ctx.captured_queries) == 3  # grouped count, page keys, page rows
        assert paginator.count == len(expected)
        assert _keys(page) == expected[(number - 1) * per_page:number * per_page], number
        assert all(m.roster_as_of == AS_OF for m in page.object_list)


def test_deep_page_with_orphans_and_past_the_end(crowd, monkeypatch):
    params = {"as_of": AS_OF.isoformat()}
    filterset = member_filterset(data=params, user=crowd.county_user)
    assert filterset.is_valid()
    expected = list(filterset.qs.values_list("pk", flat=True))
    assert len(expected) == 44
    monkeypatch.setattr(RosterPaginator, "deep_offset", 0)
    paginator = RosterPaginator(filterset.qs, 10, orphans=5, count_queryset=filterset.count_qs)
    last = paginator.get_page(999)  # out of range: the last page, as Paginator.get_page does
    assert paginator.num_pages == 4
    assert _keys(last) == expected[30:]  # 14 rows: the orphans join the last page
    assert _keys(RosterPaginator(filterset.qs, 10, count_queryset=filterset.count_qs).get_page("x")) == expected[:10]


def test_shallow_pages_and_other_sorts_count_plainly(crowd):
    for sort in ("", "name"):
        filterset = member_filterset(data={"sort": sort, "as_of": AS_OF.isoformat()}, user=crowd.county_user)
        assert filterset.is_valid()
        paginator = RosterPaginator(filterset.qs, 5, count_queryset=filterset.count_qs)
        with CaptureQueriesContext(connection) as ctx:
            paginator.get_page(2)
        assert "GROUP BY" not in ctx.captured_queries[0]["sql"]
        assert len(ctx.captured_queries) == 3


def test_sorts_on_person_columns_never_take_the_organization_path(crowd, monkeypatch):
    monkeypatch.setattr(RosterPaginator, "deep_offset", 0)
    for sort in SORTS[3:]:
        params = {"sort": sort, "as_of": AS_OF.isoformat()}
        filterset = member_filterset(data=params, user=crowd.county_user)
        assert filterset.is_valid()
        expected = list(filterset.qs.values_list("pk", flat=True))
        paginator = RosterPaginator(filterset.qs, 4, count_queryset=filterset.count_qs)
        with CaptureQueriesContext(connection) as ctx:
            page = paginator.get_page(3)
        assert "GROUP BY" not in ctx.captured_queries[0]["sql"]
        assert _keys(page) == expected[8:12]


# -- through the page and the API --------------------------------------------------------------------
def _page_rows(client, params) -> tuple[list[int], int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("party:member_list"), params)
    assert response.status_code == 200
    return [r.person_id for r in response.context["rows"]], response.context["total"], len(ctx.captured_queries)


def test_member_list_deep_page_same_rows_and_query_count(client, crowd, monkeypatch):
    client.force_login(crowd.county_user)
    params = {"as_of": AS_OF.isoformat(), "per_page": "20", "page": "2", "sex": "1"}
    client.get(reverse("party:member_list"), params)  # warm-up
    plain = _page_rows(client, params)
    monkeypatch.setattr(RosterPaginator, "deep_offset", 0)
    deep = _page_rows(client, params)
    assert deep == plain  # same people, same order, same total, same number of queries
    assert len(plain[0]) == 8 and plain[1] == 28


def test_api_deep_page_and_last_page(client, crowd, monkeypatch):
    client.force_login(crowd.county_user)
    params = {"as_of": AS_OF.isoformat(), "sex": "1"}  # one API page (PAGE_SIZE 50) of 28 rows
    plain = client.get("/api/members/", params).json()
    monkeypatch.setattr(RosterPaginator, "deep_offset", 0)
    with CaptureQueriesContext(connection) as ctx:
        deep = client.get("/api/members/", params).json()
    assert deep == plain
    assert any("GROUP BY" in q["sql"] and "IN (SELECT" in q["sql"] for q in ctx.captured_queries)
    # page=last: DRF reads the count before asking for the page, so the plain OFFSET is used
    last = client.get("/api/members/", {**params, "page": "last"}).json()
    monkeypatch.setattr(RosterPaginator, "deep_offset", 10**9)
    assert client.get("/api/members/", {**params, "page": "last"}).json() == last


def test_api_filtered_count_uses_the_semi_join(client, crowd):
    client.force_login(crowd.county_user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/members/", {"ethnicity": "minority", "as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"] and "party_membership" in q["sql"]]
    assert len(counts) == 1 and "IN (SELECT" in counts[0]
    assert response.json()["count"] == member_roster(
        user=crowd.county_user, filters={"ethnicity": "minority", "as_of": AS_OF.isoformat()}).count()
