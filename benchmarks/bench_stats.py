"""Benchmark: 党内统计 (``zugong.reports.services.party_statistics``) over large subtrees.

Targets (issue item 6): ≤ 1 s over a 100,000-member subtree on SQLite and PostgreSQL; ≤ 3 s over
1,000,000 members on PostgreSQL.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_stats.py --members 100000                 # SQLite file under var/
    .venv/bin/python benchmarks/bench_stats.py --members 100000 \\
        --database postgres://postgres@127.0.0.1:5432/zg_stats_bench
    .venv/bin/python benchmarks/bench_stats.py --members 1000000 \\
        --database postgres://postgres@127.0.0.1:5432/zg_stats_bench_1m --explain

The data is the demo dataset (``zugong.demo.generator.generate(members=N)``): a county-like tree whose
counts reproduce the 2023 公报 at scale (realistic distributions, valid encrypted ID numbers). It is
generated once into the named database (created and migrated when needed) and kept between runs;
``--rebuild`` regenerates it. Statistics are taken as of the demo's reference date (2023-12-31) by a
user holding 组织部门管理员 at the demo root.

Each run times ``party_statistics`` ``--repeat`` times for the whole tree and for the largest
first-level sub-organization, printing min / median wall time and the Python process's CPU time (the
whole query on SQLite, which runs in-process); ``--explain`` prints PostgreSQL's
``EXPLAIN (ANALYZE, BUFFERS)`` of each statistics query.

Wall time on a shared machine is mostly the wait for a CPU, so each line also gives CPU time: this
process's (the whole query on SQLite, which runs in-process) and, on PostgreSQL on the same host, the
database backend's for one run without parallel workers (read from ``/proc``).

Note for SQLite: the benchmark does not run ``ANALYZE`` (Django never does, so deployments have no
``sqlite_stat1``). With those statistics SQLite may switch to a skip-scan of the membership index in
organization order, which reads people in a less favourable order (measured +15% CPU on the demo data,
up to 3× on members inserted in random branch order).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from _common import (  # benchmarks/ is on sys.path
    ROOT,
    backend_cpu,
    backend_seconds,
    ensure_database,
    own_cpu_seconds,
    setup_django,
)

USERNAME = "bench_stats"


def prepare(members: int, timings: dict | None = None):
    """Migrate (when a migration is unapplied), generate the demo data if absent, and return (user, root organization). When the data is
    generated here and ``timings`` is a dict, the wall seconds of the generation and of the ``VACUUM
    (ANALYZE)`` after it are stored in it as ``"generation"`` and ``"analyze"``, with the generation's CPU
    seconds: ``"generation_cpu"`` (this process and its workers), ``"generation_backend_cpu"`` (the PostgreSQL
    backend of this connection, when visible)."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    from zugong.accounts.models import User
    from zugong.accounts.services import grant_role
    from zugong.demo.generator import demo_root, generate

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):  # nothing written to an up-to-date database
        call_command("migrate", verbosity=0)
    root = demo_root()
    if root is None:
        print(f"generating {members:,} members into {connection.vendor} (zugong.demo.generator) …", flush=True)
        t0 = time.perf_counter()

        def progress(stage: str, advance: int, total: int, _seen={}):  # noqa: B006 (progress state)
            _seen[stage] = _seen.get(stage, 0) + advance
            if _seen[stage] == total or _seen[stage] % 100_000 < advance:
                print(f"  {stage}: {_seen[stage]:,}/{total:,} ({time.perf_counter() - t0:.0f} s)", flush=True)

        cpu0, pg0 = own_cpu_seconds(), backend_seconds()
        generate(members=members, progress=progress)
        generated = time.perf_counter() - t0
        cpu = {"generation_cpu": own_cpu_seconds() - cpu0}
        if pg0 is not None:
            cpu["generation_backend_cpu"] = backend_seconds() - pg0
        print(f"  generated in {generated:.0f} s", flush=True)
        t0 = time.perf_counter()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # what autovacuum does after a bulk load (statistics, visibility map, hint bits), so the
                # timings are those of a settled database, not of the first reads after the load
                cursor.execute("VACUUM (ANALYZE)")
            print(f"  VACUUM (ANALYZE) in {time.perf_counter() - t0:.0f} s", flush=True)
        if timings is not None:
            timings.update(generation=generated, analyze=time.perf_counter() - t0, **cpu)
        root = demo_root()
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User.objects.create_user(username=USERNAME, password="Bench-Passw0rd!", full_name="基准测试")
        grant_role(user=user, role_code="org_department", organization=root, include_subtree=True)
    return user, root


def largest_child(root):
    """The first-level sub-organization with the most members in force on the reference date."""
    from zugong.demo.distributions import REFERENCE_DATE
    from zugong.orgs.models import PartyOrganization
    from zugong.party.models import Membership

    best, best_n = None, -1
    for child in PartyOrganization.objects.filter(path__startswith=root.path, depth=root.depth + 1):
        n = Membership.objects.on(REFERENCE_DATE).filter(organization__path__startswith=child.path).count()
        if n > best_n:
            best, best_n = child, n
    return best


def cpu_share(seconds: float = 1.0) -> float:
    """Share of one CPU this process gets right now: CPU time / wall time of a busy loop (1.0 on an
    idle machine; on a shared, loaded one it tells how much of the wall time below is queueing)."""
    t0, c0 = time.perf_counter(), time.process_time()
    while time.process_time() - c0 < seconds:
        sum(range(10_000))
    return (time.process_time() - c0) / (time.perf_counter() - t0)


def measure(user, org, as_of, repeat: int) -> tuple[list[float], list[float], dict]:
    from zugong.reports.services import party_statistics

    wall, cpu = [], []
    result = {}
    for _ in range(repeat):
        if hasattr(user, "_zugong_scope_cache"):
            del user._zugong_scope_cache  # look the grants up every time, as a request would
        t0, c0 = time.perf_counter(), time.process_time()
        result = party_statistics(user=user, organization=org, as_of=as_of)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu, result


def explain(user, org, as_of) -> None:
    """Print EXPLAIN (ANALYZE, BUFFERS) of each aggregate query ``party_statistics`` sends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zugong.reports.services import party_statistics

    with CaptureQueriesContext(connection) as ctx:
        party_statistics(user=user, organization=org, as_of=as_of)
    with connection.cursor() as cursor:
        for query in ctx.captured_queries:
            if "COUNT(" not in query["sql"]:
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"])
            print("\n".join(row[0] for row in cursor.fetchall()), end="\n\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="党内统计 benchmark")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--database", help="DATABASE_URL (default: var/bench_stats_<members>.sqlite3)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="drop the data and generate it again")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the queries (PostgreSQL)")
    args = parser.parse_args(argv)
    database = args.database or f"sqlite:///{ROOT / 'var' / f'bench_stats_{args.members}.sqlite3'}"

    ensure_database(database, args.rebuild)
    setup_django(database)
    from django.db import connection

    from zugong.demo.distributions import REFERENCE_DATE as AS_OF
    from zugong.reports.services import party_statistics

    user, root = prepare(args.members)
    child = largest_child(root)
    print(f"{connection.vendor} {connection.Database.__name__}; as of {AS_OF}")
    for label, org in (("whole tree", root), (f"largest sub-organization {child.code}", child)):
        wall, cpu, result = measure(user, org, AS_OF, args.repeat)
        print(f"  {label}: 党员总数 {result['党员总数']:,}, 基层组织 {sum(result['基层组织'].values()):,}, "
              f"发展党员 {result['发展党员']['合计']:,}")
        line = (f"    wall min {min(wall):.3f} s, median {statistics.median(wall):.3f} s; "
                f"this process's CPU min {min(cpu):.3f} s ({len(wall)} runs)")
        if connection.vendor == "postgresql":
            server = backend_cpu(lambda o=org: party_statistics(user=user, organization=o, as_of=AS_OF))
            if server is not None:
                line += f"; PostgreSQL backend CPU without parallel workers {server:.2f} s"
        print(line)
        print(f"    load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
              f"a busy loop gets {cpu_share():.0%} of a CPU")
    if args.explain and connection.vendor == "postgresql":
        explain(user, root, AS_OF)


if __name__ == "__main__":
    main()
