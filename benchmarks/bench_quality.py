"""Benchmark: 数据质量 (``zugong.reports.quality.quality_report``) over a 100,000-member subtree.

Target (issue #9, performance): ≤ 2 s over 100,000 members on SQLite and PostgreSQL.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_quality.py --members 100000                 # SQLite file under var/
    .venv/bin/python benchmarks/bench_quality.py --members 100000 \\
        --database postgres://postgres@127.0.0.1:5432/zg_quality_bench

The data is the demo dataset (``zugong.demo.generator.generate(members=N)``, as ``bench_stats.py``),
generated once into the named database and kept between runs (``--rebuild`` regenerates it). The demo
data is complete, so the benchmark then leaves fields blank the way an import of a roster lacking them
does (``--blank-every K``, default 20: 学历 of every K-th person, 民族 of the next, 工作岗位 of the membership
of the one after — 5 % each, 15 % incomplete) and runs ``ANALYZE``, once. The report is taken as of the
demo's reference date (2023-12-31) by a user holding 组织部门管理员 at the demo root.

Each run times ``quality_report`` (``--repeat`` times) for the whole tree and for the largest first-level
sub-organization, and ``incomplete_counts`` (the 党内统计 page's extra query) for the whole tree: min /
median wall time and this process's CPU time (the whole query on SQLite, which runs in-process).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from _common import ROOT, backend_cpu, ensure_database, setup_django  # benchmarks/ is on sys.path


def blank_fields(every: int) -> int:
    """Leave 学历 / 民族 / 工作岗位 blank on a deterministic share of the records (once); returns how many
    people were changed (0 when already done)."""
    from django.db import connection

    from zugong.party.models import Membership
    from zugong.people.models import Person

    if Person.objects.filter(education_level="").exists():
        return 0
    n = Person.objects.extra(where=[f"id %% {int(every)} = 0"]).update(education_level="")  # noqa: S610
    n += Person.objects.extra(where=[f"id %% {int(every)} = 1"]).update(ethnicity="")  # noqa: S610
    n += Membership.objects.extra(where=[f"person_id %% {int(every)} = 2"]).update(occupation="")  # noqa: S610
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return n


def measure(fn, repeat: int, user) -> tuple[list[float], list[float], object]:
    wall, cpu, result = [], [], None
    for _ in range(repeat):
        if hasattr(user, "_zugong_scope_cache"):
            del user._zugong_scope_cache  # look the grants up every time, as a request would
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="数据质量 benchmark")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--database", help="DATABASE_URL (default: var/bench_quality_<members>.sqlite3)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--blank-every", type=int, default=20, dest="every")
    parser.add_argument("--rebuild", action="store_true", help="drop the data and generate it again")
    args = parser.parse_args(argv)
    database = args.database or f"sqlite:///{ROOT / 'var' / f'bench_quality_{args.members}.sqlite3'}"

    ensure_database(database, args.rebuild)
    setup_django(database)
    from bench_stats import cpu_share, largest_child, prepare
    from django.db import connection

    from zugong.demo.distributions import REFERENCE_DATE as AS_OF
    from zugong.reports.quality import incomplete_counts, quality_report

    user, root = prepare(args.members)
    changed = blank_fields(args.every)
    if changed:
        print(f"left {changed:,} fields blank (every {args.every}th record)")
    child = largest_child(root)
    print(f"{connection.vendor} {connection.Database.__name__}; as of {AS_OF}")
    worst = 0.0
    for label, org in (("whole tree", root), (f"largest sub-organization {child.code}", child)):
        wall, cpu, report = measure(lambda o=org: quality_report(user=user, organization=o, as_of=AS_OF),
                                    args.repeat, user)
        worst = max(worst, statistics.median(wall))
        counts = ", ".join(f"{c.label} {c.count:,}" for c in report.checks)
        print(f"  quality_report, {label}: 党员 {report.members:,}; {counts}")
        line = (f"    wall min {min(wall):.3f} s, median {statistics.median(wall):.3f} s; "
                f"this process's CPU min {min(cpu):.3f} s ({len(wall)} runs)")
        if connection.vendor == "postgresql":
            server = backend_cpu(lambda o=org: quality_report(user=user, organization=o, as_of=AS_OF))
            if server is not None:
                line += f"; PostgreSQL backend CPU without parallel workers {server:.2f} s"
        print(line)
    wall, cpu, counts = measure(lambda: incomplete_counts(user=user, organization=root, as_of=AS_OF),
                                args.repeat, user)
    print(f"  incomplete_counts, whole tree: {counts}")
    print(f"    wall min {min(wall):.3f} s, median {statistics.median(wall):.3f} s; CPU min {min(cpu):.3f} s")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; "
          f"a busy loop gets {cpu_share():.0%} of a CPU")
    print(f"  target ≤ 2 s: {'met' if worst <= 2.0 else 'NOT met'} (median wall time of the slowest case "
          f"{worst:.3f} s; on a loaded machine compare the CPU times)")


if __name__ == "__main__":
    main()
