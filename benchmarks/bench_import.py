"""Benchmark: 党员花名册 import of 100,000 rows (``zugong.party.importers.import_roster``).

Targets (issue item 4): ≥ 5,000 rows/s end to end (read + validate + encrypt + write + audit) for
100,000 rows on an empty database, on SQLite and on PostgreSQL; peak memory ≤ 1 GB.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_import.py                                   # SQLite file
    .venv/bin/python benchmarks/bench_import.py \\
        --database postgres://postgres@127.0.0.1:5432/zg_imp_bench
    .venv/bin/python benchmarks/bench_import.py --rows 20000 --reimport           # also time a re-import

Each run starts from an EMPTY database (the SQLite file is deleted; the PostgreSQL database is dropped
and re-created), migrates, creates one root organization and an administrator granted on it, imports
a 党组织 sheet of 10 towns × 25 branches (timed separately), then generates a valid roster .xlsx with
openpyxl's write-only mode (real ID numbers from ``core.idnumber.make``, 2023 公报 distributions,
phone numbers on every row; fixed seed, cached as ``var/bench_import_roster_<rows>.xlsx``) and
imports it. Printed: phase times (read, validate, write), rows/s and
the process's peak resident memory (``ru_maxrss``, which includes Django and the file generation) and
that of the child process that parsed the file (``core.sandbox``).
It also times the field encryption alone (SM4-GCM encrypt + HMAC-SM3 hash of the ID number and the
phone, as the import does per row) to show its share of the cost. ``--reimport`` imports the same
file again (expect 0 created, 0 changed) and times it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import tempfile
import time
from pathlib import Path

from _common import ROOT, ensure_database, setup_django  # benchmarks/ is on sys.path

ROOT_CODE = "BENCH"
USERNAME = "bench_import"
TOWNS = 10
BRANCHES_PER_TOWN = 25

AGE_BANDS = [((18, 30), 1241.2), ((31, 35), 1119.6), ((36, 40), 1086.4), ((41, 45), 945.9),
             ((46, 50), 907.1), ((51, 55), 940.5), ((56, 60), 890.7), ((61, 90), 2787.2)]
OCCUPATIONS = [("工人（工勤技能人员）", 664.3), ("农牧渔民", 2607.5), ("企事业单位、社会组织专业技术人员", 1619.0),
               ("企事业单位、社会组织管理人员", 1145.3), ("党政机关工作人员", 764.5), ("学生", 277.1),
               ("其他职业人员", 776.4), ("离退休人员", 2064.4)]
EDUCATION = [("硕士研究生毕业", 6.0), ("大学本科", 30.0), ("大专", 20.2), ("中专", 10.0), ("高中", 14.0),
             ("初中", 14.0), ("小学", 5.8)]
ETHNICITIES = [("汉族", 92.3), ("回族", 2.0), ("壮族", 2.0), ("满族", 1.5), ("蒙古族", 1.2), ("苗族", 1.0)]
REGIONS = ["110105", "310104", "440106", "510107", "330106", "420106", "610113", "370102"]


def weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def org_sheet(path: Path) -> list[str]:
    """Write the 党组织 sheet (towns and branches under ``ROOT_CODE``); returns the branch codes."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党组织")
    ws.append(["组织代码*", "组织名称*", "上级组织代码", "组织类别*", "单位属性", "成立日期"])
    branches = []
    # Children before parents on purpose: the importer sorts topologically.
    for t in range(TOWNS):
        for b in range(BRANCHES_PER_TOWN):
            code = f"{ROOT_CODE}-{t:02d}-{b:02d}"
            branches.append(code)
            ws.append([code, f"第{t + 1}镇第{b + 1}党支部", f"{ROOT_CODE}-{t:02d}", "党支部", "行政村", "1990-07-01"])
    for t in range(TOWNS):
        ws.append([f"{ROOT_CODE}-{t:02d}", f"第{t + 1}镇党委", ROOT_CODE, "党委", "乡镇", "1958-01-01"])
    wb.save(path)
    return branches


def official_name(code: str) -> str:
    """The full official name another system's export gives the branch ``code`` of ``org_sheet``
    (中共 + place + 支部委员会: matched to 「第N镇第M党支部」 by the importer's name normalisation)."""
    _root, town, branch = code.split("-")
    return f"中共第{int(town) + 1}镇第{int(branch) + 1}支部委员会"


def roster_file(path: Path, rows: int, branches: list[str], seed: int = 20240701, *, by_name: bool = False) -> None:
    """Write a valid roster of ``rows`` members (write-only mode; ID numbers as text). ``by_name``: the
    organization column is 所在党支部 holding official full names (``official_name``) instead of codes."""
    from openpyxl import Workbook

    from zugong.core import idnumber
    from zugong.core.dates import add_years

    rng = random.Random(seed)
    today = dt.date.today()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("党员花名册")
    ws.append(["姓名*", "性别*", "民族*", "公民身份号码*", "出生日期*", "学历*", "入党日期*", "转正日期", "人员类别*",
               "工作岗位*", "所在党支部" if by_name else "所在党组织*", "参加工作日期", "手机号码", "生产工作一线"])
    org_cell = official_name if by_name else str
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红文辉力鹏宇浩然子涵欣怡梓轩"
    seen: set[str] = set()
    for i in range(rows):
        low, high = weighted(rng, AGE_BANDS)
        age = rng.randint(low, high)
        birth = add_years(today, -age) - dt.timedelta(days=rng.randint(1, 364))
        sex = "2" if rng.random() < 0.304 else "1"
        while True:
            number = idnumber.make(rng.choice(REGIONS), birth, rng.randint(0, 499), sex)
            if number not in seen:
                seen.add(number)
                break
        earliest = add_years(birth, 18) + dt.timedelta(days=1)
        span = max((today - earliest).days - 30, 0)
        admission = earliest + dt.timedelta(days=rng.randint(0, span))
        full = add_years(admission, 1)
        category = "正式党员"
        if full > today or rng.random() < 0.03:
            full, category = None, "预备党员"
            admission = max(today - dt.timedelta(days=rng.randint(30, 360)), earliest)
        name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(rng.choice((1, 2))))
        work_start = add_years(birth, rng.randint(18, 24))
        ws.append([name, "女" if sex == "2" else "男", weighted(rng, ETHNICITIES), number, birth.isoformat(),
                   weighted(rng, EDUCATION), admission.isoformat(), full.isoformat() if full else "", category,
                   weighted(rng, OCCUPATIONS), org_cell(branches[i % len(branches)]),
                   work_start.isoformat() if work_start <= today else "", f"1{rng.randint(3, 9)}{rng.randint(0, 999999999):09d}",
                   "是" if rng.random() < 0.4 else "否"])
    wb.save(path)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'var' / 'bench_import.sqlite3'}")
    parser.add_argument("--reimport", action="store_true", help="import the same file a second time")
    parser.add_argument("--org-names", action="store_true", dest="org_names",
                        help="name each member's branch by its official full name (中共…支部委员会) instead of its code")
    parser.add_argument("--profile", metavar="PATH", help="profile the roster import with pyinstrument and write "
                                                          "its text report to PATH")
    parser.add_argument("--workers", type=int, default=None,
                        help="encryption processes (ZUGONG_IMPORT_WORKERS; default CPUs - 1, 0 = in-process)")
    args = parser.parse_args()
    if args.workers is not None:
        os.environ["ZUGONG_IMPORT_WORKERS"] = str(args.workers)

    ensure_database(args.database, rebuild=True)
    setup_django(args.database)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from zugong.accounts.services import grant_role
    from zugong.core import crypto
    from zugong.orgs.importers import import_organizations
    from zugong.orgs.services import organization_create
    from zugong.party.importers import import_roster
    from zugong.party.models import Membership

    root = organization_create(code=ROOT_CODE, name="基准测试县委", org_type="committee",
                               unit_category="government_organ")
    user = get_user_model().objects.create_user(username=USERNAME, password="Bench-Passw0rd!x")
    grant_role(user=user, role_code="org_department", organization=root)

    with tempfile.TemporaryDirectory() as tmp:
        org_path, roster_path = Path(tmp) / "orgs.xlsx", Path(tmp) / "roster.xlsx"
        branches = org_sheet(org_path)
        t0 = time.perf_counter()
        result = import_organizations(org_path, user=user)
        org_seconds = time.perf_counter() - t0
        from zugong.core.sealing import default_workers

        print(f"engine: {connection.vendor}   rows: {args.rows:,}   encryption processes: {default_workers()}"
              f" (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
        print(f"党组织 import: {result.total_rows} orgs in {org_seconds:.2f} s ({result.summary()})")

        cached = ROOT / "var" / f"bench_import_roster_{args.rows}{'_names' if args.org_names else ''}.xlsx"
        if cached.exists():  # deterministic content (fixed seed): reuse between runs and engines
            roster_path = cached
            print(f"roster .xlsx: {cached} ({cached.stat().st_size / 1e6:.1f} MB, reused)")
        else:
            t0 = time.perf_counter()
            roster_file(roster_path, args.rows, branches, by_name=args.org_names)
            cached.parent.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(roster_path.read_bytes())
            print(f"generated roster .xlsx: {roster_path.stat().st_size / 1e6:.1f} MB in "
                  f"{time.perf_counter() - t0:.1f} s (not counted; kept as {cached})")
        rss_before = peak_rss_mb()

        marks: dict[str, float] = {}

        def progress(phase: str, done: int, total: int) -> None:
            marks.setdefault(f"{phase}-start", time.perf_counter())
            if done >= total:
                marks[f"{phase}-end"] = time.perf_counter()

        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.002)
            profiler.start()
        t0, cpu0 = time.perf_counter(), time.process_time()
        result = import_roster(roster_path, user=user, progress=progress)
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        if profiler is not None:
            profiler.stop()
            Path(args.profile).write_text(profiler.output_text(unicode=True, show_all=False))
            print(f"  profile written to {args.profile} (timings include the profiler's overhead)")
        print(f"roster import: {result.summary()}")
        read = marks.get("校验-start", t0) - t0
        validate = marks.get("校验-end", 0) - marks.get("校验-start", 0)
        write = marks.get("写入-end", 0) - marks.get("写入-start", 0)
        print(f"  read {read:.2f} s · validate+lookups {validate:.2f} s · write {write:.2f} s · total {seconds:.2f} s")
        print(f"  => {args.rows / seconds:,.0f} rows/s end to end (CPU time of this process: {cpu:.2f} s)")
        from zugong.core import sandbox

        print(f"  peak RSS: {peak_rss_mb():.0f} MB (before import: {rss_before:.0f} MB); "
              f"file-parsing child process: {sandbox.last_child_peak_rss_kb / 1024:.0f} MB")
        assert Membership.objects.filter(end_date__isnull=True).count() == args.rows

        c = crypto.cipher()
        sample = [("11010519900101" + f"{i % 10000:04d}", f"138{i:08d}") for i in range(args.rows)]
        t0 = time.perf_counter()
        for number, phone in sample:
            c.encrypt(number)
            c.lookup_hash(number)
            c.encrypt(phone)
            c.lookup_hash(phone)
        crypto_seconds = time.perf_counter() - t0
        print(f"  of which field crypto (encrypt+hash of ID and phone, {args.rows:,}×): {crypto_seconds:.2f} s "
              f"({crypto_seconds / seconds:.0%} of the import)")

        if args.reimport:
            t0 = time.perf_counter()
            again = import_roster(roster_path, user=user)
            seconds = time.perf_counter() - t0
            print(f"re-import: {again.summary()} in {seconds:.2f} s ({args.rows / seconds:,.0f} rows/s); "
                  f"peak RSS {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
