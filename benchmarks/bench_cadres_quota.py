"""Benchmark: the 干部配备一览表 (``zugong.cadres.posts.selectors.quota_table``) over 2,000 units.

Target (issue #12, performance): the over-quota table for 2,000 units ≤ 1 s, on SQLite and PostgreSQL.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_cadres_quota.py                       # SQLite file var/bench_cadres_quota_2000.sqlite3
    .venv/bin/python benchmarks/bench_cadres_quota.py --units 2000 \\
        --database postgres://postgres@127.0.0.1:5432/zg_cadres_quota_bench
    .venv/bin/python benchmarks/bench_cadres_quota.py --rebuild            # generate the data again

The data is generated once into the named database (migrated first) and kept between runs: a unit tree of
one county root, ``--units // 50`` first-level units and the rest spread evenly under them (2,001 units by
default);
per unit a 正职 post (single-holder), a 副职 post (3 holders), a non-leadership post, the quotas of both
levels (a superseded period and the current one), about five cadres (``people.Person`` with valid ID
numbers) with current and ended appointments, a few concurrent and a few over quota. Rows are written
with ``bulk_create`` (the benchmark measures reading, not the services). The table is read by a user
holding 组织部门管理员 at the root, as of 2024-06-30: for the whole tree (``as_json`` included, as the API
and CLI answer) and for one first-level subtree; then the ``.xlsx`` of the whole tree. Each line prints
min / median wall time over ``--repeat`` runs and the load average seen.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import time

from _common import ROOT, ensure_database, setup_django  # benchmarks/ is on sys.path

AS_OF = dt.date(2024, 6, 30)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(birth: dt.date, seq: int) -> str:
    """A valid 18-character ID number (GB 11643-1999) for ``birth``, sequence ``seq`` (0…999)."""
    body = f"110101{birth:%Y%m%d}{seq % 1000:03d}"
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, WEIGHTS, strict=True)) % 11]


def build(units_wanted: int, seed: int = 12) -> None:
    """Generate the units, posts, quotas, cadres and appointments (see the module docstring)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from zugong.accounts.services import grant_role
    from zugong.cadres.models import Appointment, Cadre, Post, PostQuota
    from zugong.orgs.models import Unit
    from zugong.people.models import Person

    rng = random.Random(seed)
    with transaction.atomic():
        root = Unit(code="BQ", name="基准县", unit_category="government_organ", path=Unit._get_path(None, 1, 1),
                    depth=1, numchild=0)
        root.save()
        firsts = max(units_wanted // 50, 1)
        per_first = -(-(units_wanted - 1 - firsts) // firsts)
        nodes = []
        for i in range(firsts):
            first = Unit(code=f"BQ-{i:03d}", name=f"基准部门{i}", unit_category="government_organ",
                         path=Unit._get_path(root.path, 2, i + 1), depth=2, numchild=per_first)
            nodes.append(first)
            for j in range(per_first):
                nodes.append(Unit(code=f"BQ-{i:03d}-{j:03d}", name=f"基准单位{i}-{j}", unit_category="public_institution",
                                  path=Unit._get_path(first.path, 3, j + 1), depth=3, numchild=0))
        Unit.objects.bulk_create(nodes, batch_size=1000)
        Unit.objects.filter(pk=root.pk).update(numchild=firsts)
        units = list(Unit.objects.filter(path__startswith=root.path).order_by("path"))
        posts, quotas = [], []
        for unit in units:
            high, low = ("131", "132") if unit.depth <= 2 else ("141", "142")
            posts += [Post(unit=unit, name="正职", level=high, max_holders=1, start_date=dt.date(2010, 1, 1)),
                      Post(unit=unit, name="副职", level=low, max_holders=3, start_date=dt.date(2010, 1, 1)),
                      Post(unit=unit, name="调研员岗", level=low, leadership=False, counts_against_quota=False,
                           max_holders=2, start_date=dt.date(2010, 1, 1))]
            for level in (high, low):
                quotas += [PostQuota(unit=unit, level=level, count=rng.randrange(1, 4), start_date=dt.date(2015, 1, 1),
                                     end_date=dt.date(2021, 1, 1)),
                           PostQuota(unit=unit, level=level, count=rng.randrange(0, 4), start_date=dt.date(2021, 1, 1))]
        Post.objects.bulk_create(posts, batch_size=2000)
        PostQuota.objects.bulk_create(quotas, batch_size=2000)
        people = []
        for n in range(len(units)):
            for k in range(5):
                birth = dt.date(1965, 1, 1) + dt.timedelta(days=(n * 5 + k) % 11000)  # distinct: unique ID numbers
                person = Person(name=f"干部{n}-{k}", sex=rng.choice("12"), ethnicity="01", birth_date=birth,
                                education_level="21", political_status="01")
                person.set_id_number(id_number(birth, (n * 5 + k) // 11000))
                people.append(person)
        Person.objects.bulk_create(people, batch_size=2000)
        people = list(Person.objects.filter(name__startswith="干部").order_by("pk"))
        cadres = Cadre.objects.bulk_create([Cadre(person=p, unit=units[i // 5]) for i, p in enumerate(people)],
                                           batch_size=2000)
        post_rows = list(Post.objects.filter(unit__path__startswith=root.path).order_by("unit__path", "id"))
        by_unit: dict[int, list] = {}
        for post in post_rows:
            by_unit.setdefault(post.unit_id, []).append(post)
        appointments = []
        for i, cadre in enumerate(cadres):
            head, deputy, other = by_unit[cadre.unit_id]
            k = i % 5
            post = head if k == 0 else (deputy if k < 4 else other)
            if k == 3 and rng.random() < 0.3:
                post = head if rng.random() < 0.5 else deputy  # some over quota
            start = dt.date(2016 + rng.randrange(0, 8), rng.randrange(1, 13), 1)
            appointments.append(Appointment(cadre=cadre, post=post, start_date=start,
                                            end_date=None if rng.random() > 0.15 else start + dt.timedelta(days=400)))
            if rng.random() < 0.1:
                appointments.append(Appointment(cadre=cadre, post=other, start_date=start, concurrent=True))
            appointments.append(Appointment(cadre=cadre, post=deputy, start_date=dt.date(2012, 1, 1),
                                            end_date=dt.date(2015, 1, 1)))
        Appointment.objects.bulk_create(appointments, batch_size=2000)
        user = get_user_model().objects.create_user(username="bench_cadres", password=None)
        grant_role(user=user, role_code="org_department", unit=root)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def measure(fn, repeat: int, user) -> tuple[list[float], object]:
    wall, result = [], None
    for _ in range(repeat):
        if hasattr(user, "_zugong_scope_cache"):
            del user._zugong_scope_cache  # look the grants up every time, as a request would
        t0 = time.perf_counter()
        result = fn()
        wall.append(time.perf_counter() - t0)
    return wall, result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="干部配备一览表 benchmark")
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--database", help="DATABASE_URL (default: var/bench_cadres_quota_<units>.sqlite3)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rebuild", action="store_true", help="drop the data and generate it again")
    args = parser.parse_args(argv)
    database = args.database or f"sqlite:///{ROOT / 'var' / f'bench_cadres_quota_{args.units}.sqlite3'}"
    ensure_database(database, args.rebuild)
    setup_django(database)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from zugong.cadres.posts.exporters import quota_table_xlsx
    from zugong.cadres.posts.selectors import quota_table
    from zugong.orgs.models import Unit

    call_command("migrate", verbosity=0)
    if not Unit.objects.filter(code="BQ").exists():
        t0 = time.perf_counter()
        build(args.units)
        print(f"generated in {time.perf_counter() - t0:.1f} s")
    user = get_user_model().objects.get(username="bench_cadres")
    first = Unit.objects.get(code="BQ-000")
    units = Unit.objects.filter(path__startswith=Unit.objects.get(code="BQ").path).count()
    load = os.getloadavg()[0]
    print(f"{connection.vendor}: {units} units, as of {AS_OF}, load {load:.2f}")
    for label, fn in (
            ("whole tree (table + JSON)", lambda: quota_table(user=user, day=AS_OF).as_json()),
            ("one first-level subtree", lambda: quota_table(user=user, day=AS_OF, root=first).as_json()),
            ("whole tree .xlsx", lambda: quota_table_xlsx(user=user, table=quota_table(user=user, day=AS_OF),
                                                         title="基准县干部配备一览表"))):
        wall, result = measure(fn, args.repeat, user)
        size = len(result) if isinstance(result, (dict, bytes)) else 0
        print(f"  {label:28s} min {min(wall) * 1000:7.1f} ms  median {statistics.median(wall) * 1000:7.1f} ms"
              f"  ({size} {'units' if isinstance(result, dict) else 'bytes'})")


if __name__ == "__main__":
    main()
