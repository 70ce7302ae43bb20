"""Benchmark: the generic list (``core.generic.ObjectListView``) at 100,000 members.

Two configurations of the same list (the 党员名册: ``roster_base`` + ``MemberFilterSet``), timed through
Django's test client in-process (middleware, view, SQL, template — server time without network):

- **counted** — the page as shipped (``party:member_list``): the pluggable ``RosterPaginator`` (keyset
  pages, the total from ``party.counts`` or a capped count, then the page's keys and rows). Target (issue #8): keep
  today's figures, ≤ 150 ms and a query count independent of page size and depth.
- **uncounted** — the generic default (``counting = "none"``, ``SeekPaginator``): ``per_page + 1`` rows,
  no ``COUNT`` at all (what a province-scale list uses: at 1,000,000 members the scope's ``COUNT`` alone
  costs ~130 ms). Served on a benchmark-only URL (``/bench/generic-members/``) by a subclass of the
  roster view that changes nothing but the paginator.

Usage (from the repository root; data and users are those of ``bench_member_list.py``, generated once)::

    .venv/bin/python benchmarks/bench_generic_list.py --members 100000
    .venv/bin/python benchmarks/bench_generic_list.py --members 100000 \\
        --database postgres://postgres@127.0.0.1:5432/zg_generic_bench

Prints min / median / max wall ms, this process's median CPU ms, the query count and whether a
``COUNT`` was among the queries.
"""

from __future__ import annotations

import functools
import sys
import types

from _common import (  # benchmarks/ is on sys.path
    load_line,
    open_database,
    page_bench_parser,
    request_queries,
    time_requests,
)

URLCONF = "bench_generic_list_urls"


def install_urlconf() -> None:
    """The project's URLs plus ``/bench/generic-members/`` (the roster view with the generic default
    paginator: no ``COUNT``)."""
    from django.conf import settings
    from django.urls import clear_url_caches, include, path

    from zugong.core import generic
    from zugong.party.views import MemberList

    class UncountedMemberList(MemberList):
        def make_paginator(self, queryset, per_page, filterset):
            return generic.SeekPaginator(queryset, per_page)

        def paginate(self, paginator):  # the generic ?page=N (no cursor)
            return paginator.get_page(self.request.GET.get("page"))

        def pager(self, page) -> dict:  # the roster's keyset pager needs a RosterPage
            return {}

    module = types.ModuleType(URLCONF)
    module.urlpatterns = [path("bench/generic-members/", UncountedMemberList.as_view()),
                          path("", include(settings.ROOT_URLCONF))]
    sys.modules[URLCONF] = module
    settings.ROOT_URLCONF = URLCONF
    clear_url_caches()


def cases(town_code: str):
    from bench_member_list import BRANCH_USER, COUNTY_USER

    out = []
    for kind, url in (("counted", "/party/members/"), ("uncounted", "/bench/generic-members/")):
        out += [
            (f"{kind} 全部 第1页", COUNTY_USER, url, {}),
            (f"{kind} 全部 每页100条", COUNTY_USER, url, {"per_page": "100"}),
            (f"{kind} 全部 第1000页", COUNTY_USER, url, {"page": "1000"}),
            (f"{kind} 按出生日期倒序", COUNTY_USER, url, {"sort": "-birth_date"}),
            (f"{kind} 最大的二级组织", COUNTY_USER, url, {"org": town_code}),
            (f"{kind} 预备+女+35岁以下", COUNTY_USER, url, {"category": "probationary", "sex": "2", "age_max": "35"}),
            (f"{kind} 支部书记（本支部）", BRANCH_USER, url, {}),
        ]
    return out


def biggest_town() -> str:
    from django.db.models import Count
    from django.db.models.functions import Substr

    from zugong.orgs.models import PartyOrganization
    from zugong.party.models import Membership

    biggest = (Membership.objects.current().annotate(prefix=Substr("organization__path", 1, 8))
               .values("prefix").annotate(n=Count("pk")).order_by("-n").first())
    return PartyOrganization.objects.get(path=biggest["prefix"]).code


def run(repeat: int):
    from bench_member_list import BRANCH_USER, COUNTY_USER
    from django.contrib.auth import get_user_model
    from django.test import Client

    clients = {}
    for user in get_user_model().objects.filter(username__in=[COUNTY_USER, BRANCH_USER]):
        clients[user.username] = Client()
        clients[user.username].force_login(user)
    results = []
    for label, username, url, params in cases(biggest_town()):
        client = clients[username]
        for _ in range(2):  # warm-up
            response = client.get(url, params)
            assert response.status_code == 200, (label, response.status_code)
        captured = request_queries(functools.partial(client.get, url, params))
        counted = any("COUNT(" in q["sql"].upper() and "party_membership" in q["sql"] for q in captured)
        results.append((label, *time_requests(functools.partial(client.get, url, params), repeat),
                        len(captured), counted))
    return results


def main() -> None:
    args = page_bench_parser(__doc__, "bench_roster.sqlite3").parse_args()
    open_database(args.database, args.rebuild)
    from bench_member_list import populate

    populate(args.members)
    install_urlconf()
    from django.db import connection

    from zugong.party.models import Membership

    print(f"\n{connection.vendor}: {Membership.objects.current().count()} current members; {args.repeat} runs each")
    print(f"{load_line()}\n")
    print(f"{'case':<30}{'min ms':>9}{'median':>9}{'max':>9}{'cpu ms':>9}{'queries':>9}{'COUNT':>7}")
    for label, lo, med, hi, cpu, queries, counted in run(args.repeat):
        print(f"{label:<30}{lo:>9.1f}{med:>9.1f}{hi:>9.1f}{cpu:>9.1f}{queries:>9}{'yes' if counted else 'no':>7}")


if __name__ == "__main__":
    main()
