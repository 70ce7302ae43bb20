"""Benchmark: the roster's paging and totals (issue #13 item 2) on an existing, filled database —
read-only: every request runs inside a transaction that is rolled back (the test client's session row
is never committed), nothing is created.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_roster_paging.py \\
        --database postgres://postgres@127.0.0.1:5432/zg_annual_bench_1m --user bench_stats
    ... --explain      # EXPLAIN (ANALYZE, BUFFERS) of every party_membership query of each case

Cases: first page (default order, by name, by birth date descending), a filtered page (estimated
total), a selective filter (exact count), page 1000 by jump in organization order and by name, page
1000 reached by cursor (the next link of page 999), 末页, and the API. Prints min / median / max ms of
``--repeat`` in-process requests (Django's test client: middleware, view, SQL, template), the query
count, and this process's median CPU ms.
"""

from __future__ import annotations

import argparse
import functools

from _common import (  # benchmarks/ on sys.path
    print_page_timings,
    request_queries,
    setup_django,
    time_requests,
)


def cases(client):
    """(label, url, params) of every timed request; cursors are taken from live pages."""
    from urllib.parse import parse_qs, urlsplit

    def next_cursor(params) -> str:  # the API pages like the page (50 rows)
        link = client.get("/api/members/", params).json()["next"]
        return parse_qs(urlsplit(link).query)["cursor"][0]

    url = "/party/members/"
    return [
        ("名册 第1页（组织顺序）", url, {}),
        ("名册 第1页 按姓名", url, {"sort": "name"}),
        ("名册 第1页 按出生日期倒序", url, {"sort": "-birth_date"}),
        ("名册 筛选 预备党员+女+35岁及以下", url, {"category": "probationary", "sex": "2", "age_max": "35"}),
        ("名册 筛选 女（估算总数）", url, {"sex": "2"}),
        ("名册 跳至第1000页（组织顺序）", url, {"page": "1000"}),
        ("名册 跳至第1000页 按姓名", url, {"page": "1000", "sort": "name"}),
        ("名册 第1000页 经下一页（cursor）", url, {"cursor": next_cursor({"page": "999"})}),
        ("名册 第1000页 按姓名 经下一页", url, {"cursor": next_cursor({"page": "999", "sort": "name"}), "sort": "name"}),
        ("名册 末页", url, {"page": "last"}),
        ("名册 末页 按入党日期", url, {"page": "last", "sort": "admission_date"}),
        ("API /api/members/ 第1页", "/api/members/", {}),
    ]


def memo_counts() -> None:
    """Replace ``party.counts.member_total``/``member_counts_by_organization`` by memoised versions."""
    from zugong.party import counts

    for name in ("member_total", "member_counts_by_organization"):
        real, memo = getattr(counts, name), {}

        def cached(*, user, as_of, path="", action="view", _real=real, _memo=memo):
            key = (user.pk, as_of, path, action)
            if key not in _memo:
                _memo[key] = _real(user=user, as_of=as_of, path=path, action=action)
            return _memo[key]

        setattr(counts, name, cached)


def run(username: str, repeat: int, explain: bool):
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.test import Client

    results = []
    with transaction.atomic():
        user = get_user_model().objects.get(username=username)
        client = Client()
        client.force_login(user)
        for label, url, params in cases(client):
            get = functools.partial(client.get, url, params)
            for _ in range(2):  # warm-up
                response = get()
                assert response.status_code == 200, (label, response.status_code)
            captured = request_queries(get)
            if explain:
                print(f"== {label}")
                for q in captured:
                    if "party_membership" in q["sql"] and not q["sql"].startswith("EXPLAIN"):
                        with connection.cursor() as cursor:
                            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                            print("\n".join(r[0] for r in cursor.fetchall()), "\n")
            results.append((label, *time_requests(get, repeat), len(captured)))
        transaction.set_rollback(True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True)
    parser.add_argument("--user", default="bench_stats", help="a user with the roster in scope")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--memo-counts", action="store_true",
                        help="answer party.counts from a memo after the first call (what the paging costs once the "
                             "count table makes totals cheap; the table read itself is not timed then)")
    args = parser.parse_args()
    setup_django(args.database)
    if args.memo_counts:
        memo_counts()
    print_page_timings(run(args.user, args.repeat, args.explain), 34)


if __name__ == "__main__":
    main()
