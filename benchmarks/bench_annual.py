"""Benchmark: the 党内统计年报 (``zugong.reports.annual.annual_report``, ``zugong stats annual``) over large
subtrees with a year of membership events.

Targets (issue #10): ``stats annual`` ≤ 3 s for a 100,000-member subtree with a year of events on SQLite and
PostgreSQL; ≤ 10 s for 1,000,000 members on PostgreSQL; the ``.xlsx`` ≤ 5 s.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_annual.py                                  # SQLite, 100,000 members
    .venv/bin/python benchmarks/bench_annual.py --database postgres://postgres@127.0.0.1:5432/zg_annual_bench
    .venv/bin/python benchmarks/bench_annual.py --scale 1m \\
        --database postgres://postgres@127.0.0.1:5432/zg_annual_bench_1m --explain

The data is the demo dataset (``zugong.demo.generator.generate(members=N)``: a county-like tree with the
2023 公报's distributions, units, development records), generated once into the named database and kept;
then, unless the database already holds events of 2023 (the demo may write them itself), a year of
events is bulk-written consistent with the membership periods (``add_year``): an ``admission`` event for
every 2023 admission, 转正 decisions (on time, a few extended), deaths, 出党 of every kind, 停止党籍 and
恢复党籍, transfers within the tree (the member moves to another branch), out of it and into it (整建制 for
some), events for the demo's own moves of the year, 流动党员 and 失联党员 statuses, and a term for every
organization. ``--rebuild`` regenerates everything.

Each run times ``annual_report`` ``--repeat`` times for the whole tree and for the largest first-level
sub-organization (wall min / median and this process's CPU; on PostgreSQL the backend's CPU without
parallel workers), then the command ``zugong stats annual --format json`` once end to end, and the
``.xlsx`` (``reports.annual_export.annual_xlsx``) when that module exists. ``--explain`` prints
PostgreSQL's ``EXPLAIN (ANALYZE, BUFFERS)`` of the slowest queries; ``--profile`` the time of each query.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import statistics
import time

from _common import ROOT, backend_cpu, ensure_database, setup_django  # benchmarks/ is on sys.path
from bench_stats import cpu_share, largest_child, prepare

YEAR = 2023


def add_year(year: int = YEAR, seed: int = 2023) -> str:
    """Bulk-write a year of events, statuses and terms consistent with the periods (module docstring).
    Returns what was done (``"kept"`` when the year already has events)."""
    from django.db import transaction
    from django.db.models import F

    from zugong.orgs.models import OrganizationTerm, PartyOrganization
    from zugong.party.models import Membership, MembershipEvent, MemberStatus, PartyMember

    if MembershipEvent.objects.filter(date__year=year).exists():
        return "kept (the database already holds events of the year)"
    rng = random.Random(seed)  # nosec B311 (benchmark data)
    start, end, previous = dt.date(year, 1, 1), dt.date(year, 12, 31), dt.date(year - 1, 12, 31)
    days = [start + dt.timedelta(days=k) for k in range(365)]
    branches = list(PartyOrganization.objects.active_on(end).filter(org_type="branch").values_list("pk", flat=True))
    events: list[MembershipEvent] = []

    with transaction.atomic():
        # 1. every admission of the year: its event (the demo's periods start at the 入党日期)
        for _pk, person, org, day in (Membership.objects.filter(start_date__gte=start, start_date__lte=end,
                                                               person__party_member__admission_date=F("start_date"))
                                     .values_list("pk", "person_id", "organization_id", "start_date")):
            events.append(MembershipEvent(person_id=person, kind="admission", date=day, organization_id=org,
                                          to_organization_id=org, detail="readmission" if rng.random() < 0.01 else ""))
        admitted = {e.person_id for e in events}
        # 2. the demo's own moves of the year: a transfer event for each period that follows another
        ended = {(m["person_id"], m["end_date"]): m["organization_id"] for m in Membership.objects.filter(
            end_date__gte=start, end_date__lte=end).values("person_id", "end_date", "organization_id")}
        for m in Membership.objects.filter(start_date__gte=start, start_date__lte=end).exclude(
                person_id__in=admitted).values("person_id", "start_date", "organization_id"):
            source = ended.get((m["person_id"], m["start_date"]))
            events.append(MembershipEvent(person_id=m["person_id"], kind="transfer" if source else "transfer_in",
                                          date=m["start_date"], organization_id=m["organization_id"],
                                          from_organization_id=source, to_organization_id=m["organization_id"]))
        touched = {e.person_id for e in events}
        # 3. decreases and moves of members present all year (open periods begun before the year)
        stock = list(Membership.objects.filter(end_date__isnull=True, start_date__lte=previous)
                     .exclude(person_id__in=touched).values_list("pk", "person_id", "organization_id"))
        rng.shuffle(stock)
        n = len(stock)
        plan = {"death": 0.007, "exit": 0.0008, "suspension": 0.0002, "transfer_out": 0.006, "transfer": 0.015,
                "transfer_in": 0.006, "status": 0.03}
        cursor = 0
        closing, opening, moved_in = [], [], []
        exit_kinds = ["expelled", "withdrawn_removed", "persuaded_to_leave", "removed_after_persuasion",
                      "lapsed_removed", "not_recognized"]
        for kind, share in plan.items():
            chosen, cursor = stock[cursor:cursor + int(n * share)], cursor + int(n * share)
            for pk, person, org in chosen:
                day = rng.choice(days)
                if kind == "status":
                    continue
                if kind == "transfer_in":  # arrived this year from outside: the period starts on the day
                    moved_in.append((pk, day))
                    events.append(MembershipEvent(person_id=person, kind="transfer_in", date=day, organization_id=org,
                                                  to_organization_id=org, counterpart="外地党组织",
                                                  detail="whole_unit" if rng.random() < 0.1 else ""))
                    continue
                if kind == "transfer":
                    target = rng.choice(branches)
                    closing.append((pk, day, "transfer"))
                    opening.append(Membership(person_id=person, organization_id=target, start_date=day,
                                              occupation="worker", occupation_detail="skilled_worker",
                                              ownership="public"))
                    events.append(MembershipEvent(person_id=person, kind="transfer", date=day, organization_id=target,
                                                  from_organization_id=org, to_organization_id=target))
                    continue
                detail = rng.choice(exit_kinds) if kind == "exit" else (
                    "whole_unit" if kind == "transfer_out" and rng.random() < 0.1 else "")
                closing.append((pk, day, kind))
                events.append(MembershipEvent(person_id=person, kind=kind, date=day, organization_id=org,
                                              from_organization_id=org, detail=detail,
                                              unreachable=detail == "lapsed_removed" and rng.random() < 0.5))
        by_pk = {pk: (day, reason) for pk, day, reason in closing}
        periods = list(Membership.objects.filter(pk__in=list(by_pk)))
        for period in periods:
            period.end_date, period.end_reason = by_pk[period.pk]
        Membership.objects.bulk_update(periods, ["end_date", "end_reason"], batch_size=2000)
        Membership.objects.bulk_create(opening, batch_size=2000)
        starts = dict(moved_in)
        arrived = list(Membership.objects.filter(pk__in=list(starts)))
        for period in arrived:
            period.start_date = starts[period.pk]
        Membership.objects.bulk_update(arrived, ["start_date"], batch_size=2000)
        # 4. 转正 of the year (the demo's 2022 admissions became full members in 2023): one decision each
        for person, org, day in (PartyMember.objects.filter(full_membership_date__gte=start, full_membership_date__lte=end)
                                 .filter(person__memberships__end_date__isnull=True)
                                 .values_list("person_id", "person__memberships__organization_id",
                                              "full_membership_date")):
            events.append(MembershipEvent(person_id=person, kind="full_membership", date=day, organization_id=org,
                                          detail=rng.choice(["on_time"] * 18 + ["after_extension", "after_postponement"])))
        MembershipEvent.objects.bulk_create(events, batch_size=2000)
        # 5. 流动党员 and 失联党员 open on 31 December
        statuses = []
        for _pk, person, org in stock[cursor:cursor + int(n * plan["status"])]:
            if rng.random() < 0.9:
                statuses.append(MemberStatus(
                    person_id=person, organization_id=org, kind="mobile", start_date=rng.choice(days),
                    flow_scope=rng.choice(["cross_province", "cross_city", "within_city"]),
                    destination_type=rng.choice(["public_organ", "nonpublic_private", "individual_business",
                                                 "urban_community", "village", "unknown"]),
                    original_occupation=rng.choice(["public_staff", "skilled_worker", "farmer", "other"]),
                    has_certificate=rng.random() < 0.6))
            else:
                statuses.append(MemberStatus(
                    person_id=person, organization_id=org, kind="lost_contact",
                    start_date=dt.date(rng.randrange(2005, year), rng.randrange(1, 13), 1),
                    lost_situation=rng.choice(["migrant_work", "restructuring", "job_change", "residence_change"])))
        MemberStatus.objects.bulk_create(statuses, batch_size=2000)
        # 6. a term for every organization (a third elected this year)
        terms = []
        for org in PartyOrganization.objects.values_list("pk", flat=True):
            elected = dt.date(year - rng.randrange(0, 3), rng.randrange(1, 13), 1)
            terms.append(OrganizationTerm(organization_id=org, election_date=elected, start_date=elected,
                                          end_date=elected.replace(year=elected.year + 3)))
        OrganizationTerm.objects.bulk_create(terms, batch_size=2000)
    from zugong.core.bulk import refresh_planner_statistics

    refresh_planner_statistics([Membership, MembershipEvent, MemberStatus, OrganizationTerm])
    return f"{len(events):,} events, {len(statuses):,} statuses, {len(terms):,} terms written"


def measure(user, org, repeat: int):
    from zugong.reports.annual import annual_report

    wall, cpu, report = [], [], None
    for _ in range(repeat):
        if hasattr(user, "_zugong_scope_cache"):
            del user._zugong_scope_cache  # look the grants up every time, as a request would
        t0, c0 = time.perf_counter(), time.process_time()
        report = annual_report(user=user, organization=org, year=YEAR)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return wall, cpu, report


def profile(user, org) -> list:
    """Each query of one ``annual_report`` with its wall time and this process's CPU time (SQLite runs the
    query in-process, so its CPU is the query's work whatever the machine's load), slowest first."""
    from django.db import connection

    from zugong.reports.annual import annual_report

    queries = []

    def timed(execute, sql, params, many, context):
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append({"sql": sql, "params": params, "time": time.perf_counter() - t0,
                            "cpu": time.process_time() - c0})

    with connection.execute_wrapper(timed):
        annual_report(user=user, organization=org, year=YEAR)
    queries.sort(key=lambda q: -q["cpu" if connection.vendor == "sqlite" else "time"])
    print(f"    {len(queries)} queries: {sum(q['time'] for q in queries):.3f} s wall, "
          f"{sum(q['cpu'] for q in queries):.3f} s CPU of this process; slowest:")
    for q in queries[:10]:
        print(f"      {q['time']:.3f} s wall {q['cpu']:.3f} s CPU  {' '.join(q['sql'].split())[:150]}")
    return queries


def explain(queries) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for query in queries[:5]:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"], query["params"])
            print("\n".join(row[0] for row in cursor.fetchall()), end="\n\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="党内统计年报 benchmark")
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--scale", choices=["100k", "1m"], help="shorthand for --members 100000 / 1000000")
    parser.add_argument("--database", help="DATABASE_URL (default: var/bench_annual_<members>.sqlite3)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rebuild", action="store_true", help="drop the data and generate it again")
    parser.add_argument("--profile", action="store_true", help="time each query of one report")
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest queries (PostgreSQL)")
    args = parser.parse_args(argv)
    members = {"100k": 100_000, "1m": 1_000_000}.get(args.scale, args.members)
    database = args.database or f"sqlite:///{ROOT / 'var' / f'bench_annual_{members}.sqlite3'}"

    ensure_database(database, args.rebuild)
    setup_django(database)
    from django.core.management import call_command
    from django.db import connection

    user, root = prepare(members)
    t0 = time.perf_counter()
    print(f"year of events: {add_year()} ({time.perf_counter() - t0:.0f} s)", flush=True)
    child = largest_child(root)
    print(f"{connection.vendor} {connection.Database.__name__}; 年报 {YEAR}")
    for label, org in (("whole tree", root), (f"largest sub-organization {child.code}", child)):
        wall, cpu, report = measure(user, org, args.repeat)
        first = report.tables["党员数量变化情况"]
        print(f"  {label}: 实有数 {first['本年底实有数']:,}, 增加 {first['本年增加']['合计']:,}, "
              f"减少 {first['本年减少']['合计']:,}; checks failed {sum(not c.ok for c in report.checks)}")
        line = (f"    annual_report wall min {min(wall):.3f} s, median {statistics.median(wall):.3f} s; "
                f"this process's CPU min {min(cpu):.3f} s ({len(wall)} runs)")
        if connection.vendor == "postgresql":
            server = backend_cpu(lambda org=org: measure(user, org, 1), warm=False)
            if server is not None:
                line += f"; PostgreSQL backend CPU without parallel workers {server:.2f} s"
        print(line)
        if args.profile or args.explain:
            queries = profile(user, org)
            if args.explain and connection.vendor == "postgresql":
                explain(queries)
    t0 = time.perf_counter()
    call_command("stats_annual", org=root.code, year=YEAR, user=user.username, format="json", stdout=io.StringIO())
    print(f"  zugong stats annual --format json (whole tree): {time.perf_counter() - t0:.3f} s")
    try:
        from zugong.reports.annual_export import annual_xlsx
    except ImportError:
        print("  xlsx: reports.annual_export not available in this tree")
    else:
        _, _, report = measure(user, root, 1)
        t0 = time.perf_counter()
        content = annual_xlsx(report)
        xlsx = time.perf_counter() - t0
        t0 = time.perf_counter()
        out = ROOT / "var" / "bench_annual.xlsx"
        out.parent.mkdir(exist_ok=True)  # var/ exists only after a SQLite run
        call_command("stats_annual", org=root.code, year=YEAR, user=user.username, format="xlsx", output=str(out),
                     stdout=io.StringIO())
        print(f"  xlsx: annual_xlsx {xlsx:.3f} s ({len(content):,} bytes); zugong stats annual --format xlsx "
              f"end to end {time.perf_counter() - t0:.3f} s")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; a busy loop gets {cpu_share():.0%} "
          f"of a CPU")


if __name__ == "__main__":
    main()
