"""Benchmark: generating the demo dataset (``zugong.demo.generator.generate``) into a fresh database.

Target (issue item 10): 1,000,000 members on PostgreSQL in a few minutes at most.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_demo.py --members 100000                      # SQLite file
    .venv/bin/python benchmarks/bench_demo.py --members 1000000 \\
        --database postgres://postgres@127.0.0.1:5432/zg_demo_bench

The database is dropped and recreated (PostgreSQL) or deleted (SQLite file under ``var/``) first, then
migrated and filled. Prints wall time per stage and the CPU seconds of this process, of the encryption
worker processes and (PostgreSQL) of the database backend serving the connection — on a busy machine the
CPU seconds say more than the wall time.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

from _common import ROOT, ensure_database, setup_django  # benchmarks/ is on sys.path


def backend_cpu_seconds() -> float:
    """CPU seconds used so far by the PostgreSQL backend of this connection (0 elsewhere; Linux only)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()
    except OSError:  # the server runs elsewhere
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--workers", type=int, default=None, help="encryption processes (default: CPUs - 1)")
    parser.add_argument("--database", default=None, help="DATABASE_URL (default: SQLite var/bench_demo_N.sqlite3)")
    args = parser.parse_args()
    database = args.database or f"sqlite:///{ROOT / 'var' / f'bench_demo_{args.members}.sqlite3'}"
    (ROOT / "var").mkdir(exist_ok=True)
    ensure_database(database, rebuild=True)
    setup_django(database)
    from django.core.management import call_command
    from django.db import connection

    from zugong.demo.generator import generate

    call_command("migrate", interactive=False, verbosity=0)
    server0 = backend_cpu_seconds()
    wall0, cpu0 = time.perf_counter(), time.process_time()
    summary = generate(members=args.members, seed=args.seed, workers=args.workers)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    server = backend_cpu_seconds() - server0
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(f"{connection.vendor}: {summary.members:,} members, {summary.persons:,} people, "
          f"{summary.organization_total:,} organizations")
    print(f"  wall {wall:.1f} s  ({', '.join(f'{k} {v:.1f} s' for k, v in summary.timings.items())})")
    print(f"  CPU: main {cpu:.1f} s, encryption workers {children.ru_utime + children.ru_stime:.1f} s, "
          f"database backend {server:.1f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
