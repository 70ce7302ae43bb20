"""Benchmark: the 党员名册 page (``party:member_list``) and ``/api/members/`` at 100,000 members.

Target (issue item 7): ≤ 150 ms server time per page at 100,000 members, with a query count that does
not depend on the page size or the number of members.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_member_list.py --members 100000                      # SQLite file
    .venv/bin/python benchmarks/bench_member_list.py --members 100000 \\
        --database postgres://postgres@127.0.0.1:5432/zg_roster_bench
    ... --explain        # PostgreSQL: EXPLAIN ANALYZE of the count and page queries of the first case

The database is created and migrated when needed and filled once (kept between runs; ``--rebuild``
starts again). Data: ``zugong.demo.generator.generate(members=N)`` when that module exists, else a bulk
generator here: a county → 10 districts → towns → branches tree (40 members per branch), plausible
sexes/ethnicities/ages/education, ~10% of members with an earlier (ended) membership in another branch.
ID numbers are opaque placeholders (the roster shows the stored masked copy and never decrypts).

Each case is requested through Django's test client in-process (middleware, view, SQL, template: the
server time without network), ``--repeat`` times after a warm-up; min / median / max in ms and the query
count are printed, with this process's median CPU time (robust against a busy machine: on SQLite it
is the whole server time, on PostgreSQL the Python side only).
"""

from __future__ import annotations

import datetime as dt
import random
import time

from _common import (  # benchmarks/ is on sys.path
    explain_analyze,
    open_database,
    page_bench_parser,
    page_case,
    print_page_timings,
)

ROOT_CODE = "RB"
MEMBERS_PER_BRANCH = 40
BRANCHES_PER_TOWN = 25
TOWNS_PER_DISTRICT = 10
COUNTY_USER = "bench_roster_county"
BRANCH_USER = "bench_roster_branch"
PASSWORD = "Bench-Passw0rd!"  # noqa: S105 (throw-away benchmark account)


def _bulk_generate(n_members: int, seed: int = 7) -> None:
    """Fallback generator (see module docstring): tree, people, party records, memberships."""
    from django.db import transaction

    from zugong.orgs.models import PartyOrganization as Org
    from zugong.party.models import Membership, PartyMember
    from zugong.people.models import Person

    rng = random.Random(seed)
    n_branches = max(1, n_members // MEMBERS_PER_BRANCH)
    n_towns = max(1, -(-n_branches // BRANCHES_PER_TOWN))
    n_districts = max(1, -(-n_towns // TOWNS_PER_DISTRICT))
    founded = dt.date(1950, 1, 1)
    root = Org(code=ROOT_CODE, name="基准县委", org_type="committee", unit_category="government_organ",
               founded_date=founded, path=Org._get_path(None, 1, 1), depth=1, numchild=n_districts)
    rows, branches = [root], []
    town_no = branch_no = 0
    for d in range(n_districts):
        district = Org(code=f"{ROOT_CODE}-{d + 1:02d}", name=f"第{d + 1}片区党委", org_type="committee",
                       unit_category="subdistrict", founded_date=founded, path=Org._get_path(root.path, 2, d + 1),
                       depth=2, numchild=0)
        rows.append(district)
        for t in range(TOWNS_PER_DISTRICT):
            if town_no >= n_towns:
                break
            town_no += 1
            district.numchild += 1
            town = Org(code=f"{district.code}-{t + 1:02d}", name=f"第{town_no}镇党委", org_type="committee",
                       unit_category="township", founded_date=founded,
                       path=Org._get_path(district.path, 3, t + 1), depth=3, numchild=0)
            rows.append(town)
            for b in range(BRANCHES_PER_TOWN):
                if branch_no >= n_branches:
                    break
                branch_no += 1
                town.numchild += 1
                branch = Org(code=f"{town.code}-{b + 1:03d}", name=f"{town.name}第{b + 1}党支部", org_type="branch",
                             unit_category="village", founded_date=founded,
                             path=Org._get_path(town.path, 4, b + 1), depth=4, numchild=0)
                rows.append(branch)
                branches.append(branch)
    with transaction.atomic():
        Org.objects.bulk_create(rows, batch_size=2000)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志明海燕文斌"
    today = dt.date.today()
    chunk = 20_000
    serial = 0
    for start in range(0, n_members, chunk):
        count = min(chunk, n_members - start)
        people, facts = [], []
        for _ in range(count):
            serial += 1
            birth = today - dt.timedelta(days=rng.randint(19 * 365, 90 * 365))
            admission = birth + dt.timedelta(days=rng.randint(18 * 365 + 5, max(18 * 365 + 6, (today - birth).days - 1)))
            full = admission + dt.timedelta(days=365)
            if full > today:
                full = None
            branch = branches[(serial - 1) // MEMBERS_PER_BRANCH % len(branches)]
            facts.append((admission, full, branch))
            people.append(Person(
                name=rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.randint(1, 2))),
                sex="2" if rng.random() < 0.304 else "1",
                ethnicity=rng.choice(["02", "03", "05", "07"]) if rng.random() < 0.077 else "01",
                birth_date=birth, education_level=rng.choice(["14", "21", "21", "31", "41", "61", "71"]),
                political_status="01" if full else "02", organization_id=branch.pk,
                id_number_encrypted="bench", id_number_hash=f"roster-bench-{serial:051d}",
                id_number_masked="*****************0",
            ))
        with transaction.atomic():
            Person.objects.bulk_create(people, batch_size=5000)
            members, memberships = [], []
            for person, (admission, full, branch) in zip(people, facts, strict=True):
                members.append(PartyMember(person=person, admission_date=admission, full_membership_date=full))
                occupation = rng.choice(["worker", "farmer", "farmer", "professional", "manager", "government",
                                         "retired", "retired", "other", "student"])
                start_here = admission
                if rng.random() < 0.10 and (today - admission).days > 400:  # transferred in from elsewhere
                    moved = admission + dt.timedelta(days=rng.randint(200, (today - admission).days - 1))
                    memberships.append(Membership(person=person, organization_id=rng.choice(branches).pk,
                                                  start_date=admission, end_date=moved, end_reason="transfer",
                                                  occupation=occupation))
                    start_here = moved
                memberships.append(Membership(person=person, organization_id=branch.pk, start_date=start_here,
                                              occupation=occupation, front_line=rng.random() < 0.35))
            PartyMember.objects.bulk_create(members, batch_size=5000)
            Membership.objects.bulk_create(memberships, batch_size=5000)
        print(f"  {start + count} members", flush=True)


def populate(n_members: int) -> None:
    """Fill the database once (the demo generator when it exists, else ``_bulk_generate``) and create
    the two benchmark users: 组织部门管理员 at the root and 支部书记 at the fullest branch."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from zugong.accounts.models import User
    from zugong.accounts.services import grant_role
    from zugong.orgs.models import PartyOrganization
    from zugong.party.models import Membership

    call_command("migrate", verbosity=0)
    if Membership.objects.current().count() < n_members * 0.9:
        started = time.perf_counter()
        try:
            from zugong.demo.generator import generate
        except ImportError:
            print(f"generating {n_members} members (bulk generator) …", flush=True)
            _bulk_generate(n_members)
        else:
            print(f"generating {n_members} members (zugong.demo.generator) …", flush=True)
            generate(members=n_members)
        print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    if not User.objects.filter(username=COUNTY_USER).exists():
        root = PartyOrganization.objects.filter(depth=1).order_by("path").first()
        branch = (PartyOrganization.objects.filter(org_type__in=("branch", "joint_branch"))
                  .annotate(n=Count("memberships")).order_by("-n").first())
        county = User.objects.create_user(username=COUNTY_USER, password=PASSWORD, full_name="基准县委用户")
        grant_role(user=county, role_code="org_department", organization=root)
        secretary = User.objects.create_user(username=BRANCH_USER, password=PASSWORD, full_name="基准支部书记")
        grant_role(user=secretary, role_code="branch_secretary", organization=branch)


COVERING_INDEX = "bench_membership_org_start_end"


def set_covering_index(enabled: bool) -> None:
    """Create (or drop) ``Membership(organization, start_date, end_date)`` in the benchmark database
    only, to compare with the model's ``(organization, start_date)`` index: with ``end_date`` in the
    index the roster COUNT is answered from the index without reading the table rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        if enabled:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {COVERING_INDEX} ON party_membership "
                           "(organization_id, start_date, end_date)")
        else:
            cursor.execute(f"DROP INDEX IF EXISTS {COVERING_INDEX}")
        cursor.execute("VACUUM ANALYZE party_membership" if connection.vendor == "postgresql" else "ANALYZE")


def cases():
    """(label, username, url, params) of every timed request."""
    from django.db.models import Count
    from django.db.models.functions import Substr

    from zugong.orgs.models import PartyOrganization
    from zugong.party.models import Membership

    # the second-level organization (a town, a district …) with the most members
    biggest = (Membership.objects.current().annotate(prefix=Substr("organization__path", 1, 8))
               .values("prefix").annotate(n=Count("pk")).order_by("-n").first())
    town = PartyOrganization.objects.get(path=biggest["prefix"])
    print(f"second-level organization: {town.name} ({town.code}), {biggest['n']} members")
    return [
        ("名册 全部（县委用户）第1页", COUNTY_USER, "/party/members/", {}),
        ("名册 全部 每页100条", COUNTY_USER, "/party/members/", {"per_page": "100"}),
        ("名册 全部 第1000页", COUNTY_USER, "/party/members/", {"page": "1000"}),
        ("名册 全部 按姓名排序", COUNTY_USER, "/party/members/", {"sort": "name"}),
        ("名册 全部 按出生日期倒序", COUNTY_USER, "/party/members/", {"sort": "-birth_date"}),
        ("名册 最大的二级组织（含下级）", COUNTY_USER, "/party/members/", {"org": town.code}),
        ("名册 预备党员+女+35岁及以下", COUNTY_USER, "/party/members/",
         {"category": "probationary", "sex": "2", "age_max": "35"}),
        ("名册 大专及以上+少数民族", COUNTY_USER, "/party/members/",
         {"education": "college_or_above", "ethnicity": "minority"}),
        ("名册 截至2020-12-31", COUNTY_USER, "/party/members/", {"as_of": "2020-12-31"}),
        ("名册 姓名包含「李」", COUNTY_USER, "/party/members/", {"name": "李"}),
        ("名册 姓名包含「建国」", COUNTY_USER, "/party/members/", {"name": "建国"}),
        ("名册 姓名包含「王建国」", COUNTY_USER, "/party/members/", {"name": "王建国"}),
        ("名册 支部书记（本支部）", BRANCH_USER, "/party/members/", {}),
        ("API /api/members/ 全部", COUNTY_USER, "/api/members/", {}),
        ("API /api/members/ 最大的二级组织", COUNTY_USER, "/api/members/", {"org": town.code}),
        ("组织树（含党员数）", COUNTY_USER, "/orgs/", {}),
    ]


def run(repeat: int, explain: bool) -> list[tuple[str, float, float, float, int]]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    users = {u.username: u for u in get_user_model().objects.filter(username__in=[COUNTY_USER, BRANCH_USER])}
    clients = {}
    for name, user in users.items():
        client = Client()
        client.force_login(user)
        clients[name] = client
    results = []
    all_cases = cases()
    for label, username, url, params in all_cases:
        timings, captured = page_case(clients[username], url, params, repeat)
        if explain and connection.vendor == "postgresql" and label == all_cases[0][0]:
            for q in captured:
                if "party_membership" in q["sql"]:
                    print(explain_analyze(q["sql"]), "\n")
        results.append((label, *timings, len(captured)))
    return results


def main() -> None:
    parser = page_bench_parser(__doc__, "bench_roster.sqlite3")
    parser.add_argument("--explain", action="store_true")
    parser.add_argument("--covering-index", action="store_true",
                        help="add Membership(organization, start_date, end_date) to the benchmark database first")
    args = parser.parse_args()
    open_database(args.database, args.rebuild)
    populate(args.members)
    set_covering_index(args.covering_index)
    from django.db import connection

    from zugong.party.models import Membership

    print(f"\n{connection.vendor}: {Membership.objects.current().count()} current members, "
          f"{Membership.objects.count()} membership rows; {args.repeat} runs each"
          f"{'; with covering index' if args.covering_index else ''}\n")
    print_page_timings(run(args.repeat, args.explain), 34)


if __name__ == "__main__":
    main()
