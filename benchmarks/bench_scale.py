"""Benchmark at province scale: 1,000,000 members on one PostgreSQL server (issue #13, item 6).

Targets (1,000,000 members, PostgreSQL, 2 cores): roster first page, filtered page, page 1000 and person
detail ≤ 50 ms server time each; name search ≤ 100 ms; statistics page (公报) ≤ 500 ms; ``zugong stats party``
≤ 1 s over start-up; ``zugong stats annual`` ≤ 10 s; ≥ 30 requests/s on the roster with gunicorn 2 workers
and 8 concurrent clients; generating the 1,000,000-member demo ≤ 3 min.

Benchmarks at province scale — usage (from the repository root)::

    bash benchmarks/all.sh --scale 1m                      # this benchmark only, database zg_scale_1m
    .venv/bin/python benchmarks/bench_scale.py             # the same (generates once: 5–9 min of both cores)
    .venv/bin/python benchmarks/bench_scale.py --rebuild   # drop zg_scale_1m and time the generation again
    .venv/bin/python benchmarks/bench_scale.py --database postgres://postgres@127.0.0.1:5432/zg_annual_bench_1m \\
        --explain --json var/bench_scale.json              # an existing 1m database; EXPLAIN; results as JSON
    .venv/bin/python benchmarks/bench_scale.py --members 20000 \\
        --database postgres://postgres@127.0.0.1:5432/zg_scale_small --rebuild   # a quick try of every step

Steps:

1. **Data.** The demo dataset (``zugong.demo.generator.generate(members=N)``, default 1,000,000) is generated
   once into the named PostgreSQL database (created and migrated when needed; default
   ``postgres://postgres@127.0.0.1:5432/zg_scale_1m``) by ``bench_stats.prepare`` — which also runs
   ``VACUUM (ANALYZE)`` and creates the bench user ``bench_stats`` (组织部门管理员 at the demo root, the
   whole scope) — then a year of 2023 events is added unless the demo wrote them (``bench_annual.add_year``).
   The generation and the ``VACUUM (ANALYZE)`` are timed separately; a second run reuses the data (no
   generation figure then). On an existing database the benchmark writes nothing but the bench user when
   absent, its sessions (deleted at the end) and ``last_login``.
2. **Server time** of each page through Django's test client in-process (middleware, view, SQL, template;
   no network): two warm-up requests, then ``--repeat`` runs; min / median / max ms, this process's median
   CPU ms (the Python side), the PostgreSQL backend's CPU ms per request (mean of 5) without parallel workers
   (load-independent: on a busy machine wall time is mostly the queue for a CPU) and the query count. Cases:
   the roster's first page for the whole scope, filtered pages (预备党员+女+35岁及以下; the largest
   second-level organization), name searches for a 2- and a 3-character name taken from the data (the most
   common given name of a 3-character name, the most common 3-character name), page 1000 in the default
   order and by name, a member's person detail and the statistics page (公报) for the whole scope as of the
   demo's reference date. ``--explain`` prints ``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest query of each.
3. **Commands** as subprocesses (wall time and the command process's CPU, median of ``--runs`` runs):
   ``zugong stats party`` (text, as the page: the table and the incomplete counts) and ``zugong stats annual
   --format json`` for the whole scope, each minus the start-up — the wall time of ``zugong check`` (Python,
   Django set-up and the system checks every command runs first; reported on its own line).
4. **Throughput**: gunicorn (``zugong.wsgi``, 2 sync workers, production settings: no DEBUG, a fresh secret
   key, allowed host 127.0.0.1, plain HTTP, no second factor for the bench account) on a free port of
   127.0.0.1; 8 client threads, each with its own logged-in session (created directly in the session
   store), request the roster's first page for ``--duration`` seconds (default 20) after a warm-up. Every
   response must be 200 and hold the roster table (not the login page). Requests/s, latency percentiles,
   and the workers' CPU per request; with the first page's backend CPU this gives a load-independent
   estimate of what the cores could serve (cores / CPU per request). The server is stopped at the end
   whatever happens.

The results table gives each case's figure, its target and ✓/✗ (judged on the wall time), with the load
average; beside each wall figure the CPU it took (for a page: this process's + the backend's, about the server
time on an idle machine) — other work on the machine lengthens wall times, the CPU figures do not depend on
it. ``--json PATH`` saves everything; ``--baseline PATH`` (an earlier ``--json``) adds its figures as a
column, e.g. before and after a change. ``benchmarks/results/scale_1m_before.json`` holds the figures of main
before issue #13 (commit df0cddc, database ``zg_annual_bench_1m``, measured at load average 6–9 on 2 cores
while other work ran: compare the CPU figures, not the wall times).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess  # nosec B404 -- the benchmark runs the project's own commands and gunicorn
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import ROOT, backend_cpu, ensure_database, explain_analyze, load_line, page_case, setup_django
from bench_annual import add_year
from bench_stats import cpu_share, largest_child, prepare

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/zg_scale_1m"
ROSTER_MARK = b"roster-table"  # the class of the roster's <table> (party/member_list.html)
PAGE_MS, SEARCH_MS, STATS_PAGE_MS = 50, 100, 500
STATS_PARTY_S, STATS_ANNUAL_S, THROUGHPUT_RPS, GENERATION_S = 1.0, 10.0, 30.0, 180.0
CLIENTS = 8
WORKERS = 2
PG_CPU_RUNS = 5  # requests whose backend CPU is averaged (/proc counts in 10 ms ticks)


# --- data ------------------------------------------------------------------------------------------

def search_terms() -> tuple[str, str]:
    """``(two, three)``: the most common given name of the 3-character names (e.g. 建国) and the most
    common 3-character name — search terms that exist in the data."""
    from django.db.models import Count
    from django.db.models.functions import Length, Substr

    from zugong.people.models import Person

    three_char = Person.objects.annotate(n=Length("name")).filter(n=3)
    given = (three_char.annotate(g=Substr("name", 2, 2)).values("g").annotate(c=Count("pk")).order_by("-c", "g")
             .values_list("g", flat=True).first())
    full = three_char.values("name").annotate(c=Count("pk")).order_by("-c", "name").values_list("name", flat=True).first()
    return given, full


def page_cases(root, child, member_pk: int, two: str, three: str) -> list[tuple[str, str, dict, float]]:
    """(label, url, params, target ms) of every page timed through the test client."""
    from django.urls import reverse

    from zugong.demo.distributions import REFERENCE_DATE

    roster = reverse("party:member_list")
    return [
        ("名册 第1页（全部范围）", roster, {}, PAGE_MS),
        ("名册 预备党员+女+35岁及以下", roster, {"category": "probationary", "sex": "2", "age_max": "35"}, PAGE_MS),
        (f"名册 最大二级组织 {child.code}", roster, {"org": child.code}, PAGE_MS),
        (f"名册 姓名搜索 2字「{two}」", roster, {"name": two}, SEARCH_MS),
        (f"名册 姓名搜索 3字「{three}」", roster, {"name": three}, SEARCH_MS),
        ("名册 第1000页", roster, {"page": "1000"}, PAGE_MS),
        ("名册 第1000页 按姓名", roster, {"page": "1000", "sort": "name"}, PAGE_MS),
        ("人员详情", reverse("people:detail", args=[member_pk]), {}, PAGE_MS),
        ("党内统计公报页（全部范围）", reverse("reports:party_stats"),
         {"org": root.code, "as_of": REFERENCE_DATE.isoformat()}, STATS_PAGE_MS),
    ]


# --- server time -----------------------------------------------------------------------------------

def time_pages(user, cases, repeat: int, explain: bool) -> list[dict]:
    """Each case through the test client (``_common.page_case``) plus the backend CPU of one request."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    rows = []
    for label, url, params, target in cases:
        (lo, med, hi, cpu), captured = page_case(client, url, params, repeat)
        pg_cpu = backend_cpu(lambda url=url, params=params: [client.get(url, params) for _ in range(PG_CPU_RUNS)],
                             warm=False)
        rows.append({"case": label, "url": url, "params": params, "min_ms": lo, "median_ms": med, "max_ms": hi,
                     "cpu_ms": cpu, "pg_cpu_ms": None if pg_cpu is None else pg_cpu * 1000 / PG_CPU_RUNS,
                     "queries": len(captured), "target_ms": target, "ok": med <= target})
        print(f"  {label}: median {med:.1f} ms, {len(captured)} queries", flush=True)
        if explain and captured:
            slowest = max(captured, key=lambda q: float(q["time"]))
            print(f"\n--- {label}: slowest query ({float(slowest['time']) * 1000:.1f} ms)\n{slowest['sql']}\n"
                  f"{explain_analyze(slowest['sql'])}\n", flush=True)
    client.logout()  # its session row goes (a shared database keeps no litter)
    return rows


# --- commands --------------------------------------------------------------------------------------

def command_seconds(args: list[str], runs: int) -> tuple[float, float]:
    """Median wall seconds and median CPU seconds (the command's process: Python and its side of the
    queries, not PostgreSQL's) of ``zugong ARGS`` (``python -m zugong.cli``, this tree's ``src`` first on
    the path, this process's database and settings) over ``runs`` runs; a failing command raises with its
    output."""
    import resource

    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    times, cpu = [], []
    for _ in range(runs):
        c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "zugong.cli", *args], env=env, capture_output=True,  # nosec B603
                              check=False)
        times.append(time.perf_counter() - t0)
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime)
        if done.returncode:
            raise RuntimeError(f"zugong {' '.join(args)} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
    return statistics.median(times), statistics.median(cpu)


def time_commands(user, root, runs: int) -> dict:
    """Start-up, ``stats party`` (text, as the page: table and incomplete counts) and ``stats annual``
    (json) for the whole scope; medians in seconds, the commands' also minus the start-up."""
    from zugong.demo.distributions import REFERENCE_DATE

    startup, startup_cpu = command_seconds(["check"], max(runs, 3))
    party, party_cpu = command_seconds(["stats", "party", "--org", root.code, "--as-of", REFERENCE_DATE.isoformat(),
                                        "--user", user.username], runs)
    annual, annual_cpu = command_seconds(["stats", "annual", "--org", root.code, "--year", str(REFERENCE_DATE.year),
                                          "--user", user.username, "--format", "json"], runs)
    print(f"  start-up {startup:.2f} s (CPU {startup_cpu:.2f} s), stats party {party:.2f} s (CPU {party_cpu:.2f} s), "
          f"stats annual {annual:.2f} s (CPU {annual_cpu:.2f} s)", flush=True)
    return {"startup_s": startup, "stats_party_s": party, "stats_party_over_startup_s": party - startup,
            "stats_annual_s": annual, "stats_annual_over_startup_s": annual - startup, "startup_cpu_s": startup_cpu,
            "stats_party_cpu_s": party_cpu, "stats_annual_cpu_s": annual_cpu}


# --- throughput ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def open_sessions(user, secret_key: str, n: int) -> list[str]:
    """``n`` logged-in sessions of ``user`` signed with the server's ``secret_key`` (the session store is the
    database: the server reads them); returns their keys."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.test.utils import override_settings

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    with override_settings(SECRET_KEY=secret_key):
        for _ in range(n):
            store = store_class()
            store[SESSION_KEY] = str(user.pk)
            store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            store[HASH_SESSION_KEY] = user.get_session_auth_hash()
            store.save()
            keys.append(store.session_key)
    return keys


def close_sessions(keys: list[str]) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=keys).delete()


def process_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) used so far by the processes ``pids`` (those still running)."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (gunicorn's workers), from ``/proc``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError):
                continue
    return found


def fetch(port: int, path: str, session_key: str) -> tuple[int, bytes]:
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": f"sessionid={session_key}", "Host": "127.0.0.1"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def drive(port: int, path: str, keys: list[str], seconds: float) -> dict:
    """Each session key in a thread, requesting ``path`` in a loop for ``seconds`` (and at most 100,000
    requests in all); returns the latencies (s) and the failures (status or a response without the roster)."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(key: str) -> None:
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            try:
                status, body = fetch(port, path, key)
            except OSError as exc:
                problem = repr(exc)
            else:
                problem = "" if status == 200 and ROSTER_MARK in body else f"status {status}, roster table {ROSTER_MARK in body}"
            with lock:
                latencies.append(time.perf_counter() - t0)
                if problem:
                    failures.append(problem)
                if len(latencies) >= 100_000:
                    return

    threads = [threading.Thread(target=client, args=(key,)) for key in keys]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"latencies": latencies, "failures": failures}


def throughput(user, seconds: float) -> dict:
    """Start gunicorn (module docstring), warm it up, drive the roster's first page with ``CLIENTS`` threads
    for ``seconds``; stop the server in any case. Returns requests/s, latency percentiles (ms), failures and
    the workers' CPU ms per request."""
    from django.conf import settings
    from django.urls import reverse

    port, secret_key = free_port(), secrets.token_urlsafe(50)
    env = {k: v for k, v in os.environ.items() if k not in {"ZUGONG_TESTING", "ZUGONG_DEBUG"}}
    env.update(PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
               ZUGONG_SECRET_KEY=secret_key, ZUGONG_FIELD_KEY=settings.ZUGONG_FIELD_KEY,
               ZUGONG_ALLOWED_HOSTS="127.0.0.1", ZUGONG_HTTPS="0", ZUGONG_REQUIRE_OTP="0")
    keys = open_sessions(user, secret_key, CLIENTS)
    path = reverse("party:member_list")
    log = tempfile.NamedTemporaryFile(prefix="bench_scale_gunicorn_", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "zugong.wsgi", "-w", str(WORKERS),  # nosec B603
                               "-b", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120"],
                              env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        deadline = time.perf_counter() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if server.poll() is not None or time.perf_counter() > deadline:
                    raise RuntimeError("gunicorn did not start: " + Path(log.name).read_text()[-2000:]) from None
                time.sleep(0.2)
        warm = drive(port, path, keys, 3.0)  # both workers: imports, templates, first connections
        if warm["failures"]:
            raise RuntimeError(f"warm-up failed: {warm['failures'][:3]}; server log: {Path(log.name).read_text()[-2000:]}")
        workers = children(server.pid)
        cpu0, t0 = process_cpu(workers), time.perf_counter()
        run = drive(port, path, keys, seconds)
        elapsed, cpu = time.perf_counter() - t0, process_cpu(workers) - cpu0
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)
        close_sessions(keys)
    lat = sorted(x * 1000 for x in run["latencies"])
    n = len(lat)

    def pct(p: float) -> float:
        return lat[min(n - 1, int(p / 100 * n))] if n else float("nan")

    result = {"requests": n, "seconds": elapsed, "rps": n / elapsed, "failures": len(run["failures"]),
              "failure_examples": run["failures"][:5], "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99),
              "max_ms": lat[-1] if n else float("nan"), "worker_cpu_ms_per_request": cpu * 1000 / n if n else None,
              "clients": CLIENTS, "workers": WORKERS, "conn_max_age": os.environ.get("ZUGONG_CONN_MAX_AGE", "0")}
    print(f"  {result['rps']:.1f} req/s over {elapsed:.0f} s ({n} requests, {result['failures']} failed)", flush=True)
    return result


# --- report ----------------------------------------------------------------------------------------

def summary_rows(results: dict) -> list[tuple[str, str, str, bool | None]]:
    """(case, figure, target, met) of the results table."""
    mark = []
    gen = results.get("generation")
    if gen:
        cpu = f" (cpu {gen['generation_cpu']:.0f} + pg {gen.get('generation_backend_cpu', float('nan')):.0f})"
        mark.append((f"demo generation ({results['members']:,})", f"{gen['generation']:.0f} s{cpu}", f"≤ {GENERATION_S:.0f} s",
                     gen["generation"] <= GENERATION_S))
        mark.append(("VACUUM (ANALYZE) after it", f"{gen['analyze']:.0f} s", "—", None))
    else:
        mark.append(("demo generation", "reused (--rebuild times it)", f"≤ {GENERATION_S:.0f} s", None))
    for row in results["pages"]:
        cpu = row["cpu_ms"] + (row["pg_cpu_ms"] or 0)
        mark.append((row["case"], f"{row['median_ms']:.0f} ms (cpu {cpu:.0f})", f"≤ {row['target_ms']} ms", row["ok"]))
    cmd = results.get("commands")
    if cmd:
        mark.append(("zugong 启动（zugong check）", f"{cmd['startup_s']:.2f} s (cpu {cmd['startup_cpu_s']:.2f})", "—",
                     None))
        mark.append(("zugong stats party（启动之外）", f"{cmd['stats_party_over_startup_s']:.2f} s "
                     f"(cpu {cmd['stats_party_cpu_s'] - cmd['startup_cpu_s']:.2f})",
                     f"≤ {STATS_PARTY_S:.0f} s", cmd["stats_party_over_startup_s"] <= STATS_PARTY_S))
        mark.append(("zugong stats annual", f"{cmd['stats_annual_s']:.2f} s (cpu {cmd['stats_annual_cpu_s']:.2f})", f"≤ {STATS_ANNUAL_S:.0f} s",
                     cmd["stats_annual_s"] <= STATS_ANNUAL_S))
    tp = results.get("throughput")
    if tp:
        ok = tp["rps"] >= THROUGHPUT_RPS and not tp["failures"]
        estimate = f" (cpu-bound {tp['cpu_bound_rps_estimate']:.0f})" if tp.get("cpu_bound_rps_estimate") else ""
        mark.append((f"名册第1页 吞吐（{CLIENTS} 客户端, {WORKERS} workers）", f"{tp['rps']:.1f} req/s{estimate}",
                     f"≥ {THROUGHPUT_RPS:.0f} req/s", ok))
    return mark


def width(text: str) -> int:
    """Display columns of ``text`` (CJK characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


def print_pages(pages: list[dict]) -> None:
    """The server-time table of the page cases."""
    print("\nserver time (test client, ms; cpu = this process's Python side, pg cpu = the PostgreSQL backend "
          "per request, without parallel workers)")
    print(f"{pad('case', 40)}{'min':>8}{'median':>8}{'max':>8}{'cpu':>8}{'pg cpu':>8}{'queries':>8}")
    for r in pages:
        pg = "—" if r["pg_cpu_ms"] is None else f"{r['pg_cpu_ms']:.1f}"
        print(f"{pad(r['case'], 40)}{r['min_ms']:>8.1f}{r['median_ms']:>8.1f}{r['max_ms']:>8.1f}{r['cpu_ms']:>8.1f}"
              f"{pg:>8}{r['queries']:>8}")


def print_report(results: dict, baseline: dict | None = None) -> None:
    print(f"\n{results['load']}; a busy loop gets {results['cpu_share']:.0%} of a CPU")
    if results["pages"]:
        print_pages(results["pages"])
    tp = results.get("throughput")
    if tp:
        print(f"\nthroughput: {tp['requests']} requests in {tp['seconds']:.1f} s = {tp['rps']:.1f} req/s; latency "
              f"p50 {tp['p50_ms']:.0f} ms, p90 {tp['p90_ms']:.0f} ms, p99 {tp['p99_ms']:.0f} ms, max "
              f"{tp['max_ms']:.0f} ms; gunicorn workers' CPU {tp['worker_cpu_ms_per_request'] or 0:.1f} ms per "
              f"request; {tp['failures']} failed {tp['failure_examples'] or ''}")
        if tp.get("cpu_bound_rps_estimate"):
            print(f"  CPU-bound estimate (load-independent): {os.cpu_count()} cores / (workers' CPU + the backend CPU "
                  f"of the first page) = {tp['cpu_bound_rps_estimate']:.1f} req/s")
    def key(case: str) -> str:  # search terms and sizes may differ between databases
        return re.sub(r"「.*?」|\s*\(.*?\)", "", case)

    before = {key(case): figure for case, figure, _, _ in summary_rows(baseline)} if baseline else {}
    print(f"\n{pad('case', 44)}{pad('figure', 30)}{pad('target', 14)}{'    ' + pad('before', 30) if before else ''}")
    for case, figure, target, ok in summary_rows(results):
        mark = "" if ok is None else ("✓" if ok else "✗")
        earlier = f"  {pad(mark, 2)}{before.get(key(case), '—')}" if before else mark
        print(f"{pad(case, 44)}{pad(figure, 30)}{pad(target, 14)}{earlier}")
    print(f"\n{results['load']}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--members", type=int, default=1_000_000)
    parser.add_argument("--scale", choices=["1m"], help="the province scale: 1,000,000 members (the default)")
    parser.add_argument("--database", default=DEFAULT_DATABASE, help=f"PostgreSQL DATABASE_URL (default {DEFAULT_DATABASE})")
    parser.add_argument("--rebuild", action="store_true", help="drop the database and generate the data again")
    parser.add_argument("--repeat", type=int, default=10, help="timed requests per page (default 10)")
    parser.add_argument("--runs", type=int, default=3, help="runs of each command (default 3)")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of the throughput run (default 20)")
    parser.add_argument("--skip", action="append", default=[], choices=["pages", "commands", "throughput"],
                        help="leave a step out (repeatable)")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN (ANALYZE, BUFFERS) the slowest query of each page")
    parser.add_argument("--json", metavar="PATH", help="save the results as JSON")
    parser.add_argument("--baseline", metavar="PATH", help="results saved earlier with --json: shown as a column")
    args = parser.parse_args(argv)
    if args.scale == "1m":
        args.members = 1_000_000
    if not args.database.startswith("postgres"):
        parser.error("the province-scale benchmark runs on PostgreSQL (--database postgres://…)")

    ensure_database(args.database, args.rebuild)
    setup_django(args.database)
    from django.db import connection

    from zugong.party.models import Membership

    results: dict = {"database": args.database.rpartition("/")[2], "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    timings: dict = {}
    user, root = prepare(args.members, timings)
    if timings:
        results["generation"] = timings
    t0 = time.perf_counter()
    print(f"year of events: {add_year()} ({time.perf_counter() - t0:.0f} s)", flush=True)
    child = largest_child(root)
    member_pk = (Membership.objects.current().filter(organization__path__startswith=child.path)
                 .order_by("pk").values_list("person_id", flat=True).first())
    two, three = search_terms()
    members = Membership.objects.current().count()
    print(f"{connection.vendor}, {members:,} current members; scope {root.name} ({root.code}); largest second-level "
          f"organization {child.name} ({child.code}); search terms 「{two}」「{three}」", flush=True)
    results.update(members=members, search_terms=[two, three], largest_child=child.code, pages=[])
    if "pages" not in args.skip:
        results["pages"] = time_pages(user, page_cases(root, child, member_pk, two, three), args.repeat, args.explain)
    if "commands" not in args.skip:
        results["commands"] = time_commands(user, root, args.runs)
    if "throughput" not in args.skip:
        results["throughput"] = tp = throughput(user, args.duration)
        first = results["pages"][0] if results["pages"] else None
        if first and first["pg_cpu_ms"] is not None and tp["worker_cpu_ms_per_request"]:
            # what 2 idle cores could serve: CPU per request = the worker's + the database backend's
            tp["cpu_bound_rps_estimate"] = os.cpu_count() * 1000 / (tp["worker_cpu_ms_per_request"] + first["pg_cpu_ms"])
    results["load"] = load_line()
    results["cpu_share"] = cpu_share()
    baseline = json.loads(Path(args.baseline).read_text(encoding="utf-8")) if args.baseline else None
    print_report(results, baseline)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
        print(f"results saved to {args.json}")


if __name__ == "__main__":
    main()
