"""Benchmark: 干部结构分析 (``zugong.cadres.structure.analysis.cadre_structure``) over 50,000 cadres.

Target (issue #12, performance): ≤ 1 s over 50,000 cadres on SQLite and PostgreSQL.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_cadres_structure.py                        # SQLite file var/bench_cadres.sqlite3
    .venv/bin/python benchmarks/bench_cadres_structure.py \\
        --database postgres://postgres@127.0.0.1:5432/zg_cadres_bench [--explain]

Builds once (kept between runs; ``--rebuild`` regenerates) a unit tree 「基准县」 of ``--units`` units (20
towns of ``units / 20`` units each) holding ``--cadres`` cadres: each with 1–2 education rows (全日制 and
在职, random GB/T 4658 codes and majors), 70% holding 1–2 appointments (leadership posts 正处…副科, 15%
concurrent, some ended or starting later), 20% holding a 职级 only, 10% without records; random sex,
ethnicity, political status, 专业技术职务 and 专长. People are inserted with ``bulk_create`` and a
placeholder ID-number digest (the analysis never reads ID numbers), which is much faster than sealing
50,000 numbers and changes nothing the analysis reads.

Each run times ``cadre_structure`` ``--repeat`` times for the whole tree and for one town, printing min /
median wall time and this process's CPU time; ``--explain`` prints PostgreSQL's ``EXPLAIN ANALYZE`` of
the two counting queries. Wall time on a shared, busy machine is mostly the wait for a CPU, so each line
also gives CPU time: this process's (the whole query on SQLite, which runs in-process) and, on PostgreSQL on
the same host, the database backend's for one run (``_common.backend_cpu``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from _common import ROOT, backend_cpu, ensure_database, setup_django  # benchmarks/ is on sys.path

USERNAME = "bench_cadres"
ROOT_CODE = "BENCH-U"
AS_OF = dt.date(2024, 12, 31)
TITLES = ["", "", "高级经济师", "工程师", "律师", "主治医师", "中学高级教师", "农艺师", "会计师"]
SPECIALTIES = ["", "", "党建工作", "财务管理", "农村工作", "法律事务", "信息技术", "城市建设"]
MAJORS = ["汉语言文学", "土木工程", "会计学", "法学", "临床医学", "农学", "思想政治教育", "计算机科学与技术", "经济学"]
EDU = ["11", "14", "14", "21", "21", "21", "31", "31", "41", "61"]
ETHNIC = ["01"] * 9 + ["03", "08", ""]
POLITICAL = ["01"] * 7 + ["02", "05", "12", "13", ""]


def build(cadres: int, units: int, seed: int = 12) -> None:
    """The benchmark tree and cadres (module docstring)."""
    from django.db import connection, transaction

    from zugong.cadres.choices import RANK_LEVEL
    from zugong.cadres.models import Appointment, Cadre, Education, Post, RankRecord
    from zugong.orgs.unit_services import unit_create
    from zugong.people.models import Person

    rng = random.Random(seed)
    t0 = time.perf_counter()
    root = unit_create(code=ROOT_CODE, name="基准县", unit_category="government_organ")
    categories = ["government_organ", "public_institution", "enterprise", "township", "village"]
    all_units = [root]
    towns = 20
    for t in range(towns):
        town = unit_create(code=f"{ROOT_CODE}-{t:02d}", name=f"基准镇{t:02d}", unit_category="township", parent=root)
        all_units.append(town)
        for u in range(max(units // towns - 1, 0)):
            all_units.append(unit_create(code=f"{ROOT_CODE}-{t:02d}-{u:03d}", name=f"基准单位{t:02d}{u:03d}",
                                         unit_category=rng.choice(categories), parent=town))
    print(f"  {len(all_units)} units ({time.perf_counter() - t0:.0f} s)", flush=True)
    posts = []
    for unit in all_units:
        for level in ("131", "132", "141", "142"):
            posts.append(Post(unit=unit, name=f"{level}领导", level=level, leadership=True, max_holders=999,
                              start_date=dt.date(2000, 1, 1)))
        posts.append(Post(unit=unit, name="科员", level="150", leadership=False, max_holders=999,
                          start_date=dt.date(2000, 1, 1)))
    with transaction.atomic():
        Post.objects.bulk_create(posts, batch_size=2000)
    posts_by_unit: dict[int, list] = {}
    for post in Post.objects.filter(unit__path__startswith=root.path):
        posts_by_unit.setdefault(post.unit_id, []).append(post)
    batch = 5000
    for start in range(0, cadres, batch):
        with transaction.atomic():
            people = []
            for i in range(start, min(start + batch, cadres)):
                birth = dt.date(rng.randint(1962, 1998), rng.randint(1, 12), rng.randint(1, 28))
                people.append(Person(
                    name=f"基准干部{i}", sex=rng.choice("1112"), ethnicity=rng.choice(ETHNIC), birth_date=birth,
                    education_level=rng.choice(EDU), political_status=rng.choice(POLITICAL),
                    work_start_date=dt.date(birth.year + 22, 7, 1), id_number_encrypted="-",
                    id_number_hash=f"bench-cadre-{i}", id_number_masked="-"))
            Person.objects.bulk_create(people, batch_size=2000)
            cadre_rows = [Cadre(person=p, unit=rng.choice(all_units), professional_title=rng.choice(TITLES),
                                specialty=rng.choice(SPECIALTIES), status="serving" if rng.random() < 0.95 else "retired")
                          for p in people]
            Cadre.objects.bulk_create(cadre_rows, batch_size=2000)
            educations, appointments, ranks = [], [], []
            for cadre in cadre_rows:
                educations.append(Education(cadre=cadre, category="full_time", education_level=rng.choice(EDU),
                                            major=rng.choice(MAJORS)))
                if rng.random() < 0.4:
                    educations.append(Education(cadre=cadre, category="in_service", education_level=rng.choice(EDU[:5]),
                                                major=rng.choice(MAJORS)))
                kind = rng.random()
                if kind < 0.7:
                    for _ in range(1 if rng.random() < 0.8 else 2):
                        post = rng.choice(posts_by_unit[cadre.unit_id])
                        begin = dt.date(rng.randint(2005, 2025), rng.randint(1, 12), 1)
                        end = None if rng.random() < 0.85 else begin + dt.timedelta(days=rng.randint(200, 3000))
                        appointments.append(Appointment(cadre=cadre, post=post, start_date=begin, end_date=end,
                                                        concurrent=rng.random() < 0.15))
                elif kind < 0.9:
                    ranks.append(RankRecord(cadre=cadre, rank=rng.choice(list(RANK_LEVEL)),
                                            start_date=dt.date(rng.randint(2019, 2024), 6, 1)))
            Education.objects.bulk_create(educations, batch_size=2000)
            Appointment.objects.bulk_create(appointments, batch_size=2000)
            RankRecord.objects.bulk_create(ranks, batch_size=2000)
        print(f"  {min(start + batch, cadres):,}/{cadres:,} cadres ({time.perf_counter() - t0:.0f} s)", flush=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")


def prepare(cadres: int, units: int):
    from django.core.management import call_command

    from zugong.accounts.models import User
    from zugong.accounts.services import grant_role
    from zugong.orgs.models import Unit

    call_command("migrate", verbosity=0)
    root = Unit.objects.filter(code=ROOT_CODE).first()
    if root is None:
        print(f"building {cadres:,} cadres …", flush=True)
        build(cadres, units)
        root = Unit.objects.get(code=ROOT_CODE)
    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = User.objects.create_user(username=USERNAME, password="Bench-Passw0rd!", full_name="基准测试")
        grant_role(user=user, role_code="cadre_affairs", unit=root)
    return user, root


def measure(user, unit, repeat: int) -> tuple[float, float, float, int]:
    from zugong.cadres.structure.analysis import cadre_structure

    times, cpu = [], []
    total = 0
    for _ in range(repeat):
        fresh = type(user).objects.get(pk=user.pk)  # a new request: grants read again
        t0, c0 = time.perf_counter(), time.process_time()
        total = cadre_structure(user=fresh, unit=unit, as_of=AS_OF)["干部总数"]
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return min(times), statistics.median(times), statistics.median(cpu), total


def explain(user, unit) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zugong.cadres.structure.analysis import cadre_structure

    with CaptureQueriesContext(connection) as queries:
        cadre_structure(user=user, unit=unit, as_of=AS_OF)
    for q in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:2]:
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN ANALYZE " + q["sql"])
            print("\n".join(r[0] for r in cursor.fetchall()))
            print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'var' / 'bench_cadres.sqlite3'}")
    parser.add_argument("--cadres", type=int, default=50_000)
    parser.add_argument("--units", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    ensure_database(args.database, args.rebuild)
    setup_django(args.database)
    from django.db import connection

    from zugong.orgs.models import Unit

    user, root = prepare(args.cadres, args.units)
    town = Unit.objects.get(code=f"{ROOT_CODE}-00")
    print(f"{connection.vendor}: {args.cadres:,} cadres, as of {AS_OF}")
    for label, unit in (("whole tree", root), ("one town", town)):
        best, median, cpu, total = measure(user, unit, args.repeat)
        line = (f"  {label:<10} {total:>6,} counted  min {best * 1000:6.0f} ms  median {median * 1000:6.0f} ms  "
                f"process CPU {cpu * 1000:6.0f} ms")
        if connection.vendor == "postgresql":
            from zugong.cadres.structure.analysis import cadre_structure

            db_cpu = backend_cpu(lambda unit=unit: cadre_structure(user=user, unit=unit, as_of=AS_OF))
            if db_cpu is not None:
                line += f"  database CPU {db_cpu * 1000:6.0f} ms"
        print(line, flush=True)
    if args.explain and connection.vendor == "postgresql":
        explain(user, root)


if __name__ == "__main__":
    main()
