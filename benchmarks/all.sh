#!/usr/bin/env bash
# Every benchmark of issues #2, #9, #10, #11 and #12, one after the other, on SQLite and PostgreSQL (127.0.0.1:5432, user
# postgres). Data is generated on the first run and kept (var/, databases zg_*); the 1,000,000-member
# statistics database takes about 5 minutes to generate. Run on an otherwise idle machine: the
# timings are wall-clock and every line prints the load average it saw.
#   bash benchmarks/all.sh            # everything
#   bash benchmarks/all.sh --quick    # without the 1,000,000-member statistics and 年报
#   bash benchmarks/all.sh --scale 1m [ARGS…]   # only the province-scale benchmark of issue #13 (bench_scale.py:
#                                     # 1,000,000 members in zg_scale_1m, generated once; ARGS go to the script,
#                                     # e.g. --rebuild, --explain, --json var/bench_scale.json)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG=postgres://postgres@127.0.0.1:5432
run() { echo; echo "### $*"; "$PY" "$@"; }
if [[ "${1:-}" == "--scale" ]]; then
  if [[ "${2:-}" != "1m" ]]; then echo "usage: bash benchmarks/all.sh --scale 1m [bench_scale.py arguments]" >&2; exit 2; fi
  shift 2
  run benchmarks/bench_scale.py --scale 1m --database "$PG/zg_scale_1m" "$@"
  exit 0
fi
run benchmarks/bench_import.py --rows 100000
run benchmarks/bench_import.py --rows 100000 --database "$PG/zg_imp_bench"
run benchmarks/bench_import.py --rows 100000 --org-names
run benchmarks/bench_import.py --rows 100000 --org-names --database "$PG/zg_imp_bench"
run benchmarks/bench_layout.py --rows 100000
run benchmarks/bench_quality.py --members 100000
run benchmarks/bench_quality.py --members 100000 --database "$PG/zg_quality_bench"
run benchmarks/bench_stats.py --members 100000
run benchmarks/bench_stats.py --members 100000 --database "$PG/zg_stats_bench"
if [[ "${1:-}" != "--quick" ]]; then
  run benchmarks/bench_stats.py --members 1000000 --database "$PG/zg_stats_bench_1m"
fi
run benchmarks/bench_annual.py --members 100000
run benchmarks/bench_annual.py --members 100000 --database "$PG/zg_annual_bench"
if [[ "${1:-}" != "--quick" ]]; then
  run benchmarks/bench_annual.py --scale 1m --database "$PG/zg_annual_bench_1m"
fi
run benchmarks/bench_member_list.py --members 100000
run benchmarks/bench_member_list.py --members 100000 --database "$PG/zg_bml"
run benchmarks/bench_home.py --members 100000
run benchmarks/bench_generic_list.py --members 100000
run benchmarks/bench_generic_list.py --members 100000 --database "$PG/zg_bml"
run benchmarks/bench_home.py --members 100000 --database "$PG/zg_home_bench"
run benchmarks/bench_life.py --members 3000
run benchmarks/bench_life.py --members 3000 --database "$PG/zg_life_bench"
# issue #11: 三会一课 compliance over 5,000 branches (engine ≤ 2 s, 晾晒 page ≤ 300 ms)
run benchmarks/bench_compliance.py --branches 5000
run benchmarks/bench_compliance.py --branches 5000 --database "$PG/zg_compliance_bench"
# issue #12: 干部配备一览表 over 2,000 units (≤ 1 s), structure analysis over 50,000 cadres (≤ 1 s),
# 1,000 .lrmx files in one batch (≥ 50 files/s)
run benchmarks/bench_cadres_quota.py --units 2000
run benchmarks/bench_cadres_quota.py --units 2000 --database "$PG/zg_cadres_quota_bench"
run benchmarks/bench_cadres_structure.py
run benchmarks/bench_cadres_structure.py --database "$PG/zg_cadres_bench"
run benchmarks/bench_cadres_lrmx_import.py
run benchmarks/bench_cadres_lrmx_import.py --database "$PG/zg_lrmx_bench"
