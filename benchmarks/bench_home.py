"""Benchmark: the home page (``/``, 首页) at 100,000 members.

Target (issue #8 item 7): ≤ 200 ms server time for the county account (组织部门管理员 at the root: the
figures of its whole scope — members as of today, 正式/预备, organizations, this year's developments —,
its last 5 imports and the 待办事项 of the to-do registry), with a query count that does not depend on
the number of members.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_home.py --members 100000                      # SQLite file under var/
    .venv/bin/python benchmarks/bench_home.py --members 100000 \\
        --database postgres://postgres@127.0.0.1:5432/zg_home_bench
    ... --explain        # PostgreSQL: EXPLAIN ANALYZE of the home page's member queries

The data is the demo dataset (``zugong.demo.generator.generate(members=N)``), generated once into the
named database (created and migrated when needed) and kept between runs (``--rebuild`` regenerates).
Users: 组织部门管理员 at the demo root and 支部书记 at the fullest branch, each with 8 import jobs.
Each case is requested through Django's test client in-process (middleware, view, SQL, template: the
server time without network), ``--repeat`` times after a warm-up; min / median / max in ms, this
process's median CPU time and the query count are printed.
"""

from __future__ import annotations

import functools
import time

from _common import (  # benchmarks/ is on sys.path
    open_database,
    page_bench_parser,
    print_page_timings,
    request_queries,
    time_requests,
)

COUNTY_USER = "bench_home_county"
BRANCH_USER = "bench_home_branch"
PASSWORD = "Bench-Passw0rd!"  # noqa: S105 (throw-away benchmark account)


def prepare(members: int) -> None:
    """Migrate, generate the demo data if absent, create the two users and their import jobs."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from zugong.accounts.models import User
    from zugong.accounts.services import grant_role
    from zugong.core.models import ImportJob
    from zugong.demo.generator import demo_root, generate
    from zugong.orgs.models import PartyOrganization

    call_command("migrate", verbosity=0)
    root = demo_root()
    if root is None:
        print(f"generating {members:,} members into {connection.vendor} (zugong.demo.generator) …", flush=True)
        t0 = time.perf_counter()
        generate(members=members)
        print(f"  generated in {time.perf_counter() - t0:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
        root = demo_root()
    if not User.objects.filter(username=COUNTY_USER).exists():
        branch = (PartyOrganization.objects.filter(org_type__in=("branch", "joint_branch"))
                  .annotate(n=Count("memberships")).order_by("-n").first())
        county = User.objects.create_user(username=COUNTY_USER, password=PASSWORD, full_name="基准县委用户")
        grant_role(user=county, role_code="org_department", organization=root)
        secretary = User.objects.create_user(username=BRANCH_USER, password=PASSWORD, full_name="基准支部书记")
        grant_role(user=secretary, role_code="branch_secretary", organization=branch)
        for user in (county, secretary):
            for i in range(8):
                ImportJob.objects.create(user=user, kind="roster", filename=f"花名册{i}.xlsx", status="succeeded",
                                         options={"dry_run": i % 3 == 0}, total_rows=1000, created_count=10)


def run(repeat: int, explain: bool) -> list[tuple[str, float, float, float, float, int]]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    users = {u.username: u for u in get_user_model().objects.filter(username__in=[COUNTY_USER, BRANCH_USER])}
    results = []
    for label, username in (("首页（县委用户，全县）", COUNTY_USER), ("首页（支部书记，本支部）", BRANCH_USER)):
        client = Client()
        client.force_login(users[username])
        for _ in range(2):  # warm-up
            response = client.get("/")
            assert response.status_code == 200, (label, response.status_code)
        captured = request_queries(functools.partial(client.get, "/"))
        queries = len(captured)
        if explain and connection.vendor == "postgresql":
            for q in captured:
                if "party_membership" in q["sql"] or "COUNT" in q["sql"]:
                    with connection.cursor() as cursor:
                        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                        print("\n".join(r[0] for r in cursor.fetchall()), "\n")
        results.append((label, *time_requests(functools.partial(client.get, "/"), repeat), queries))
    return results


def main() -> None:
    parser = page_bench_parser(__doc__, "bench_home.sqlite3")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    open_database(args.database, args.rebuild)
    prepare(args.members)
    from django.db import connection

    from zugong.party.models import Membership

    print(f"\n{connection.vendor}: {Membership.objects.current().count()} current members, "
          f"{Membership.objects.count()} membership rows; {args.repeat} runs each\n")
    print_page_timings(run(args.repeat, args.explain), 30)


if __name__ == "__main__":
    main()
