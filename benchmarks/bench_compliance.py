"""Benchmark: the compliance engine (``zugong.life.compliance.evaluate``) and the 三会一课晾晒 page over an
N-branch subtree.

Targets (issue #11, performance): all branches of a 5,000-branch subtree for one year ≤ 2 s; the 晾晒 page
for that subtree ≤ 300 ms server time.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_compliance.py --branches 500              # SQLite file under var/
    .venv/bin/python benchmarks/bench_compliance.py --branches 5000 \\
        --database postgres://postgres@127.0.0.1:5432/zg_compliance_bench

The data is generated once into the named database (``--rebuild`` regenerates it), directly with
``bulk_create`` (tree paths from treebeard): a root 县委 with 50 township committees and N branches under
them; half of the branches have a committee (3 officer posts), a third have a 党小组; every branch has the
reference year's meetings (主题党日 and 支委会 monthly, 党小组会 monthly by the group, 党员大会 and 党课
quarterly with one 书记讲党课, the yearly ones), each left out with probability 10 % (seeded), so some
branches are behind. ``ANALYZE`` once. A user holding 组织部门管理员 at the root evaluates.

Measured: ``evaluate`` for the whole year (median wall and this process's CPU), the page
(``life:compliance``, Django test client: server time without network) for the monthly 通报 of the last
month of the year and for the whole year, and the query count of the page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import random
import statistics
import time

from _common import (  # benchmarks/ is on sys.path
    ROOT,
    backend_cpu,
    load_line,
    open_database,
    request_queries,
    time_requests,
)

YEAR = 2023
TODAY = dt.date(2024, 1, 15)
USERNAME = "bench_compliance_county"
TOWNS = 50


def prepare(branches: int) -> None:
    """Migrate and generate the tree, officers, groups and meetings when the root is absent."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from zugong.accounts.services import grant_role
    from zugong.branches.models import BranchOfficer
    from zugong.core import idnumber
    from zugong.life.models import Meeting
    from zugong.orgs.models import PartyOrganization
    from zugong.party.services import member_register

    call_command("migrate", verbosity=0)
    if PartyOrganization.objects.filter(code="BC").exists():
        return
    print(f"generating {branches:,} branches into {connection.vendor} …", flush=True)
    t0 = time.perf_counter()
    rng = random.Random(11)
    founded = dt.date(2000, 1, 1)
    root = PartyOrganization.objects.add_root({"code": "BC", "name": "基准县委", "org_type": "committee",
                                               "founded_date": founded})
    path_of = PartyOrganization._get_path
    towns = [PartyOrganization(code=f"BC-{i:02d}", name=f"基准第{i}镇党委", org_type="committee",
                               founded_date=founded, path=path_of(root.path, 2, i + 1), depth=2, numchild=0)
             for i in range(TOWNS)]
    rows, groups = [], []
    for n in range(branches):
        town = towns[n % TOWNS]
        town.numchild += 1
        branch = PartyOrganization(code=f"{town.code}-{n:05d}", name=f"基准第{n}党支部", org_type="branch",
                                   founded_date=founded, path=path_of(town.path, 3, town.numchild), depth=3,
                                   numchild=0)
        rows.append(branch)
        if n % 3 == 0:
            branch.numchild = 1
            groups.append(PartyOrganization(code=f"{branch.code}-G", name=f"基准第{n}党小组", org_type="party_group",
                                            founded_date=founded, path=path_of(branch.path, 4, 1), depth=4,
                                            numchild=0))
    root.numchild = TOWNS
    root.save(update_fields=["numchild"])
    PartyOrganization.objects.bulk_create(towns, batch_size=1000)
    PartyOrganization.objects.bulk_create(rows, batch_size=1000)
    PartyOrganization.objects.bulk_create(groups, batch_size=1000)
    ids = dict(PartyOrganization.objects.filter(path__startswith=root.path).values_list("code", "pk"))
    person = member_register(name="基准委员", id_number=idnumber.make("110105", dt.date(1985, 6, 15), 17, "1"), sex="1", ethnicity="01",
                             birth_date=dt.date(1985, 6, 15), education_level="21",
                             organization=PartyOrganization.objects.get(pk=ids[rows[0].code]),
                             admission_date=dt.date(2010, 7, 1), full_membership_date=dt.date(2011, 7, 1),
                             occupation="professional")
    officers, meetings = [], []

    def meet(code, mtype, day, secretary=False):
        if rng.random() < 0.1:
            return
        meetings.append(Meeting(organization_id=ids[code], meeting_type=mtype, date=day, topic=f"{mtype}",
                                expected_count=20, attended_count=18, secretary_lecture=secretary))

    for n, branch in enumerate(rows):
        code = branch.code
        if n % 2 == 0:
            for role in ("secretary", "organization_member", "propaganda_member"):
                officers.append(BranchOfficer(organization_id=ids[code], person=person, role=role,
                                              start_date=dt.date(2021, 3, 1)))
        for m in range(1, 13):
            meet(code, "theme_day", dt.date(YEAR, m, 5))
            if n % 2 == 0:
                meet(code, "committee_meeting", dt.date(YEAR, m, 3))
            if n % 3 == 0:
                meet(f"{code}-G", "group_meeting", dt.date(YEAR, m, 12))
        for q in range(4):
            meet(code, "general_meeting", dt.date(YEAR, 3 * q + 2, 15))
            meet(code, "party_lecture", dt.date(YEAR, 3 * q + 2, 20), secretary=(q == 1))
        for mtype in ("organizational_life_meeting", "member_evaluation", "heart_to_heart_talk"):
            meet(code, mtype, dt.date(YEAR, 12, 10))
        if len(meetings) > 20000:
            Meeting.objects.bulk_create(meetings, batch_size=5000)
            meetings.clear()
    Meeting.objects.bulk_create(meetings, batch_size=5000)
    BranchOfficer.objects.bulk_create(officers, batch_size=5000)
    user = get_user_model().objects.create_user(username=USERNAME, password="Bench-Passw0rd!",  # noqa: S106
                                                full_name="基准县委用户")
    grant_role(user=user, role_code="org_department", organization=root)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"  generated {Meeting.objects.count():,} meetings in {time.perf_counter() - t0:.0f} s", flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="三会一课晾晒 benchmark")
    parser.add_argument("--branches", type=int, default=5000)
    parser.add_argument("--database", help="DATABASE_URL (default: var/bench_compliance_<branches>.sqlite3)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="drop the data and generate it again")
    args = parser.parse_args(argv)
    database = args.database or f"sqlite:///{ROOT / 'var' / f'bench_compliance_{args.branches}.sqlite3'}"
    open_database(database, args.rebuild)
    prepare(args.branches)

    from unittest import mock

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from zugong.life.compliance import evaluate, make_period
    from zugong.orgs.models import PartyOrganization

    user = get_user_model().objects.get(username=USERNAME)
    root = PartyOrganization.objects.get(code="BC")
    year = make_period("year", YEAR)
    print(f"{connection.vendor}; {load_line()}")
    wall, cpu, results = [], [], None
    for _ in range(args.repeat):
        if hasattr(user, "_zugong_scope_cache"):
            del user._zugong_scope_cache
        t0, c0 = time.perf_counter(), time.process_time()
        results = evaluate(user=user, organization=root, start=year.start, end=year.end, today=TODAY)
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    behind = sum(1 for b in results if b.missing_count)
    line = (f"  evaluate {YEAR}: {len(results):,} branches ({behind:,} behind); wall min {min(wall):.3f} s, "
            f"median {statistics.median(wall):.3f} s; CPU min {min(cpu):.3f} s — target ≤ 2 s "
            f"{'met' if statistics.median(wall) <= 2.0 else 'NOT met'}")
    if connection.vendor == "postgresql":
        for label, period in (("year", year), ("month 2023-12", make_period("month", YEAR, 12))):
            server = backend_cpu(lambda p=period: evaluate(user=user, organization=root, start=p.start, end=p.end,
                                                           today=TODAY))
            if server is not None:
                line += f"; PostgreSQL backend CPU ({label}) {server * 1000:.0f} ms"
    print(line)

    client = Client()
    client.force_login(user)
    with mock.patch("zugong.life.compliance_views.timezone.localdate", return_value=TODAY):
        for label, period in (("page, monthly 通报 2023-12", "2023-12"), ("page, quarterly 评比 2023Q4", "2023Q4"),
                              (f"page, year {YEAR}", str(YEAR))):
            get = functools.partial(client.get, "/life/compliance/", {"org": "BC", "period": period})
            response = get()
            assert response.status_code == 200, response.status_code
            queries = len(request_queries(get))
            lo, med, hi, c = time_requests(get, args.repeat)
            print(f"  {label}: min {lo:.0f} ms, median {med:.0f} ms, max {hi:.0f} ms, CPU {c:.0f} ms, "
                  f"{queries} queries — target ≤ 300 ms {'met' if med <= 300 else 'NOT met'}")


if __name__ == "__main__":
    main()
