"""Benchmark: layout detection and the mapping page's preview of a 100,000-row roster (issue #9).

Target: detection + preview (``core.layout.preview_import``: read in the sandbox, choose the sheet, find
the two-row header, map the columns, read the first rows) of a 100,000-row .xlsx ≤ 3 s.

The file has a real-world layout: a 填表说明 sheet first, then the data sheet with a merged title row, a
两行表头 (入党情况 merged over 入党日期 / 转正日期, the other headers merged over both rows), a hint row, and
100,000 members (the rows of ``bench_import.roster_file``: valid ID numbers, 2023 公报 distributions);
written once with openpyxl's write-only mode and cached as ``var/bench_layout_roster_<rows>.xlsx``.

Printed: the preview (min / median / max of ``--repeat`` runs), and for comparison the whole read
(``read_workbook`` of every row + ``detect_layout`` + ``read_sheet``), i.e. what an import spends before
validation. Every line shows the load average: the timings are wall-clock.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_layout.py                 # 100,000 rows, SQLite
    .venv/bin/python benchmarks/bench_layout.py --rows 20000 --repeat 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from _common import ROOT, ensure_database, setup_django  # benchmarks/ is on sys.path

USERNAME = "bench_layout"
TARGET_SECONDS = 3.0


def layout_file(path: Path, rows: int) -> None:
    """Write the real-layout roster of ``rows`` members (see module docstring)."""
    import tempfile

    import bench_import
    from openpyxl import Workbook, load_workbook
    from openpyxl.worksheet.cell_range import CellRange

    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.xlsx"
        bench_import.roster_file(plain, rows, [f"B-{t:02d}-{b:02d}" for t in range(10) for b in range(25)])
        source = load_workbook(plain, read_only=True)
        data = source.worksheets[0].iter_rows(values_only=True)
        header = list(next(data))  # 姓名* … 入党日期* 转正日期 … (columns G, H)
        wb = Workbook(write_only=True)
        info = wb.create_sheet("填表说明")
        for line in ("填表说明", "1. 带 * 的列必填", "2. 日期格式为 YYYY-MM-DD", "3. 人员类别填正式党员或预备党员"):
            info.append([line])
        ws = wb.create_sheet("党员信息")
        width = len(header)
        ws.append(["康驿镇党员信息统计表"])
        top = list(header)
        top[6], top[7] = "入党情况", None
        ws.append(top)
        ws.append([None] * 6 + [header[6], header[7]] + [None] * (width - 8))
        ws.append(["必填"] * 6 + ["格式:YYYY-MM-DD", "选填", "预备党员或正式党员"] + ["选填"] * (width - 9))
        ws.merged_cells.add(CellRange(min_col=1, min_row=1, max_col=width, max_row=1))
        ws.merged_cells.add(CellRange(min_col=7, min_row=2, max_col=8, max_row=2))
        for col in [*range(1, 7), *range(9, width + 1)]:
            ws.merged_cells.add(CellRange(min_col=col, min_row=2, max_col=col, max_row=3))
        for row in data:
            ws.append(list(row))
        source.close()
        wb.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'var' / 'bench_layout.sqlite3'}")
    args = parser.parse_args()

    ensure_database(args.database, rebuild=True)
    setup_django(args.database)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from zugong.accounts.services import grant_role
    from zugong.core.files import read_workbook
    from zugong.core.importing import read_sheet
    from zugong.core.layout import detect_layout, preview_import
    from zugong.orgs.services import organization_create
    from zugong.party.importers import RosterImporter

    root = organization_create(code="BENCH", name="基准测试县委", org_type="committee", unit_category="government_organ")
    user = get_user_model().objects.create_user(username=USERNAME, password="Bench-Passw0rd!x")
    grant_role(user=user, role_code="org_department", organization=root)

    path = ROOT / "var" / f"bench_layout_roster_{args.rows}.xlsx"
    if not path.exists():
        t0 = time.perf_counter()
        path.parent.mkdir(parents=True, exist_ok=True)
        layout_file(path, args.rows)
        print(f"generated {path} ({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s (not counted)")
    data = path.read_bytes()
    importer = RosterImporter(user=user)

    def load() -> str:
        return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"

    print(f"rows: {args.rows:,}   file: {len(data) / 1e6:.1f} MB   {load()}")
    read_workbook("姓名\n张三\n".encode(), filename="warm.csv")  # start the parsing fork server (not counted)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        preview = preview_import(importer, data, filename="党员信息.xlsx", rows=10)
        times.append(time.perf_counter() - t0)
    layout = preview.layout
    assert layout.sheet_name == "党员信息" and layout.header_rows == (2, 3) and layout.hint_rows == (4,)
    assert len(preview.rows) == 10 and not layout.errors, layout.describe()
    verdict = "OK" if statistics.median(times) <= TARGET_SECONDS else "OVER TARGET"
    print(f"detection + preview: min {min(times):.2f} s · median {statistics.median(times):.2f} s · "
          f"max {max(times):.2f} s (target ≤ {TARGET_SECONDS:.0f} s: {verdict})   {load()}")
    print("  " + "\n  ".join(layout.describe()[:3]))

    t0 = time.perf_counter()
    workbook = read_workbook(data, filename="党员信息.xlsx")
    t1 = time.perf_counter()
    layout = detect_layout(workbook, importer.columns, preferred_sheets=importer.sheet_names, kind=importer.kind,
                           identity_keys=importer.identity_keys)
    t2 = time.perf_counter()
    sheet = read_sheet(workbook, importer.columns, layout=layout)
    t3 = time.perf_counter()
    assert len(sheet.rows) == args.rows
    print(f"whole read (what an import does before validating): read_workbook {t1 - t0:.2f} s · detect_layout "
          f"{t2 - t1:.2f} s · read_sheet {t3 - t2:.2f} s · total {t3 - t0:.2f} s   {load()}")


if __name__ == "__main__":
    main()
