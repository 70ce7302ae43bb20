"""Set-up shared by the benchmarks: the database to run on and Django, the same way for every script.

Scripts are run as ``.venv/bin/python benchmarks/bench_x.py`` (this folder is then on ``sys.path``)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ensure_database(database_url: str, rebuild: bool) -> None:
    """Create the PostgreSQL database if missing (dropping it first with ``rebuild``); for SQLite create
    the parent directory (and delete the file and its WAL files with ``rebuild``)."""
    if database_url.startswith("sqlite:///"):
        path = Path(database_url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        if rebuild:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base, _, name = database_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if rebuild:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(database_url: str) -> None:
    """Point Django at ``database_url`` and set it up: development keys (``ZUGONG_TESTING``, no OTP),
    ``DEBUG`` off so no query log skews the timings."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("ZUGONG_TESTING", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "zugong.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()


def time_requests(get, repeat: int) -> tuple[float, float, float, float]:
    """Call ``get()`` (one page request) ``repeat`` times; returns ``(min, median, max, median CPU)`` in
    milliseconds — wall time includes waiting for a CPU, CPU time is this process's."""
    import statistics
    import time

    times, cpu = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        get()
        times.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return min(times), statistics.median(times), max(times), statistics.median(cpu)


def request_queries(get) -> list[dict]:
    """The SQL queries of one page request ``get()`` (``[{"sql", "time"}]``). Django empties the
    connection's query log when a request starts, so the log is emptied here first and read from its
    start (a ``CaptureQueriesContext`` opened before the request would slice past the emptied log and
    report 0 queries)."""
    from django.db import connection, reset_queries

    reset_queries()
    force = connection.force_debug_cursor
    connection.force_debug_cursor = True
    try:
        get()
        return list(connection.queries)
    finally:
        connection.force_debug_cursor = force


def page_case(client, url: str, params: dict, repeat: int) -> tuple[tuple[float, float, float, float], list[dict]]:
    """One page case of a benchmark: two warm-up requests through the Django test ``client`` (each must
    answer 200 — a redirect to the login page or a refusal fails loudly), the queries of one request
    (``request_queries``), then ``repeat`` timed requests. Returns ``(time_requests(...), queries)``."""
    import functools

    get = functools.partial(client.get, url, params)
    for _ in range(2):
        status = get().status_code
        assert status == 200, (url, params, status)  # nosec B101 -- a benchmark's own sanity check
    captured = request_queries(get)
    return time_requests(get, repeat), captured


def explain_analyze(sql: str, params=None) -> str:
    """PostgreSQL's ``EXPLAIN (ANALYZE, BUFFERS)`` of ``sql`` (as logged by Django, or with ``params``)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def page_bench_parser(doc: str, database_file: str):
    """The arguments every page benchmark takes: ``--members``, ``--database`` (default: the SQLite file
    ``var/<database_file>``), ``--repeat``, ``--rebuild``; a script adds its own before parsing."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'var' / database_file}")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--rebuild", action="store_true")
    return parser


def open_database(database_url: str, rebuild: bool) -> None:
    """Create (or re-create with ``rebuild``) the benchmark database — its folder too, for SQLite — and
    set Django up on it."""
    if database_url.startswith("sqlite"):
        Path(database_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    ensure_database(database_url, rebuild)
    setup_django(database_url)


def load_line() -> str:
    """「load average X on N CPUs」: how busy the machine was (wall times include waiting for a CPU)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"load average {load:.1f} on {os.cpu_count()} CPUs"


def print_page_timings(results, label_width: int) -> None:
    """The load line and the table of a page benchmark: ``results`` rows ``(label, min, median, max, cpu,
    queries)`` in ms, as ``time_requests`` and ``request_queries`` give them."""
    print(f"{load_line()} (wall times include waiting for a CPU; 'cpu' is this process's CPU time — all of it "
          f"on SQLite, the Python side only on PostgreSQL)\n")
    print(f"{'case':<{label_width}}{'min ms':>9}{'median':>9}{'max':>9}{'cpu ms':>9}{'queries':>9}")
    for label, lo, med, hi, cpu, queries in results:
        print(f"{label:<{label_width}}{lo:>9.1f}{med:>9.1f}{hi:>9.1f}{cpu:>9.1f}{queries:>9}")


def backend_cpu(run, *, warm: bool = True) -> float | None:
    """PostgreSQL only, server on this host: CPU seconds the database backend spends on one ``run()`` with
    parallel workers disabled — a load-independent measure of the work (on a shared, busy machine wall time
    mostly measures the queue for the CPU). ``warm``: call ``run()`` once first, unmeasured. ``None`` when
    the backend's ``/proc`` entry is not visible (another host)."""
    from django.db import connection

    if backend_seconds() is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute("SET max_parallel_workers_per_gather = 0")
        try:
            if warm:
                run()
            before = backend_seconds()
            run()
            return backend_seconds() - before
        finally:
            cursor.execute("RESET max_parallel_workers_per_gather")


def backend_seconds() -> float | None:
    """CPU seconds (user + system) used so far by this connection's PostgreSQL backend, read from
    ``/proc`` (server on this host); ``None`` on SQLite or when the backend's entry is not visible."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    try:
        fields = stat.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu_seconds() -> float:
    """CPU seconds used so far by this process and its finished child processes (e.g. encryption workers)."""
    import resource
    import time

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime
