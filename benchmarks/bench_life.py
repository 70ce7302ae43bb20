"""Benchmark: the phone quick entry of a meeting (``POST /life/orgs/<pk>/record/``, 记录会议) for a realistic
branch (the branch with the number of current members closest to ``--branch-size``, default 40) inside a
demo database of ``--members`` members (default 3,000).

Target (issue #11 item 1): ≤ 200 ms server time per save — the scope checks, the roster as of the meeting
date, the 流动党员 of that day, the checks, the meeting, one attendance row per roster member (bulk), the
audit events and the redirect.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_life.py                                   # SQLite file under var/
    .venv/bin/python benchmarks/bench_life.py --members 3000 \\
        --database postgres://postgres@127.0.0.1:5432/zg_life_bench

The data is the demo dataset (``zugong.demo.generator.generate(members=N)``), generated once into the named
database and kept between runs (``--rebuild`` regenerates). A 支部书记 of the chosen branch posts the
quick-entry form with two members 请假 / 缺席 (with reasons) through Django's test client in-process
(middleware, view, SQL, redirect: the server time without network), ``--repeat`` times after a warm-up;
every save records a new meeting (its topic numbered). Min / median / max in ms, this process's median CPU
time and the query count are printed.
"""

from __future__ import annotations

import itertools
import time

from _common import (  # benchmarks/ is on sys.path
    open_database,
    page_bench_parser,
    print_page_timings,
    request_queries,
    time_requests,
)

SECRETARY = "bench_life_secretary"
PASSWORD = "Bench-Passw0rd!"  # noqa: S105 (throw-away benchmark account)


def prepare(members: int, branch_size: int):
    """Migrate, generate the demo data if absent, pick the branch and create its secretary; returns the
    branch."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Q

    from zugong.accounts.models import User
    from zugong.accounts.services import grant_role
    from zugong.demo.generator import demo_root, generate
    from zugong.orgs.models import PartyOrganization

    call_command("migrate", verbosity=0)
    if demo_root() is None:
        print(f"generating {members:,} members into {connection.vendor} (zugong.demo.generator) …", flush=True)
        t0 = time.perf_counter()
        generate(members=members)
        print(f"  generated in {time.perf_counter() - t0:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    branches = (PartyOrganization.objects.filter(org_type__in=("branch", "joint_branch"), status="active")
                .annotate(n=Count("memberships", filter=Q(memberships__end_date__isnull=True))))
    branch = min(branches, key=lambda b: (abs(b.n - branch_size), b.pk))
    user = User.objects.filter(username=SECRETARY).first()
    if user is None:
        user = User.objects.create_user(username=SECRETARY, password=PASSWORD, full_name="基准支部书记")
        grant_role(user=user, role_code="branch_secretary", organization=branch)
    return branch, user


def run(branch, user, repeat: int):
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from zugong.life.selectors import roster_on

    day = timezone.localdate()
    roster = roster_on(branch, day)
    absent = roster[:2]
    numbers = itertools.count(1)
    url = reverse("life:meeting_record", kwargs={"pk": branch.pk})
    client = Client()
    client.force_login(user)

    def post():
        data = {"meeting_type": "general_meeting", "date": day.isoformat(), "topic": f"基准会议 {next(numbers)}",
                "presenter": "书记", "recorder": "组织委员"}
        for entry, status in zip(absent, ("leave", "absent"), strict=False):
            data[f"st_{entry.person_id}"] = status
            data[f"rs_{entry.person_id}"] = "外出"
        response = client.post(url, data)
        assert response.status_code == 302, response.content.decode()[:500]

    for _ in range(2):  # warm-up
        post()
    queries = len(request_queries(post))
    label = f"记录会议（{branch.name}，{len(roster)} 人）"
    return [(label, *time_requests(post, repeat), queries)]


def main() -> None:
    parser = page_bench_parser(__doc__, "bench_life.sqlite3")
    parser.set_defaults(members=3000)
    parser.add_argument("--branch-size", type=int, default=40)
    args = parser.parse_args()
    open_database(args.database, args.rebuild)
    branch, user = prepare(args.members, args.branch_size)
    from django.db import connection

    from zugong.party.models import Membership

    print(f"\n{connection.vendor}: {Membership.objects.current().count()} current members; {args.repeat} saves\n")
    print_page_timings(run(branch, user, args.repeat), 40)


if __name__ == "__main__":
    main()
