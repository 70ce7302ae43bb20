"""Benchmark: 干部任免审批表 import of 1,000 ``.lrmx`` files in one batch (``cadres.formfiles``).

Target (issue #12, Performance): ≥ 50 files/s for preview + apply, on SQLite and on PostgreSQL.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_cadres_lrmx_import.py                       # SQLite file var/bench_lrmx.sqlite3
    .venv/bin/python benchmarks/bench_cadres_lrmx_import.py \\
        --database postgres://postgres@127.0.0.1:5432/zg_lrmx_bench
    .venv/bin/python benchmarks/bench_cadres_lrmx_import.py --files 200 --profile  # pyinstrument profile of one run

Each run starts from an EMPTY database (dropped and re-created), migrates, creates a unit and a 干部工作人员
granted on it, then generates ``--files`` realistic forms with ``cadres.lrmx.writer.write_lrmx`` (fixed
seed: every element filled, résumé of 8–15 lines, 5 family members, a small JPEG photo), zips them, and
times: the preview (``form_batch_preview``: read, map, match, diff, keep the batch encrypted), the apply of
every file (``form_batch_apply``: one transaction), then a second preview of the same files (all
unchanged: the matching and diff of existing records) and a re-import with one field changed per file
(all changed, written). Printed: seconds per phase and files/s (wall time), and the process's CPU time for the first import (on a
shared, loaded machine the wall time mostly measures waiting for a CPU; the database server's CPU on
PostgreSQL is not in it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import time
import zipfile

from _common import ROOT, ensure_database, setup_django  # benchmarks/ is on sys.path

USERNAME = "bench_lrmx"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "建国华明丽娟伟芳强军平勇杰静敏磊洋艳涛超"
PLACES = ["湖北武汉", "湖北黄陂", "湖南长沙", "河南信阳", "江西九江", "安徽安庆"]
JOBS = ["乡党政办干事", "乡党委委员、副乡长", "县委组织部干部科科员", "县委组织部干部科副科长", "镇党委副书记",
        "县发改局副局长", "县发改局局长、党组书记", "县政府办公室副主任", "镇党委书记", "县委办公室副主任"]


def jpeg(rng: random.Random) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 150), (rng.randrange(256), 40, 40)).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def make_form(index: int, rng: random.Random, photo: bytes):
    from zugong.cadres.lrmx.data import AppointmentFormData, EducationBlock, FamilyLine, Month, ResumeLine
    from zugong.core import idnumber

    birth = dt.date(rng.randint(1965, 1995), rng.randint(1, 12), rng.randint(1, 28))
    sex = rng.choice("12")
    name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
    resume, year, month = [], birth.year + 18, 9
    resume.append(ResumeLine(Month(year, month), Month(year + 4, 7), "某大学经济管理专业学习"))
    year, month = year + 4, 7
    for line in range(rng.randint(7, 14)):
        end_year, end_month = year + rng.randint(1, 3), rng.randint(1, 12)
        last = line == 13 or end_year >= 2024
        resume.append(ResumeLine(Month(year, month), None if last else Month(end_year, end_month), rng.choice(JOBS)))
        if last:
            break
        year, month = end_year, end_month
    family = [FamilyLine("妻子" if sex == "1" else "丈夫", rng.choice(SURNAMES) + rng.choice(GIVEN),
                         Month(birth.year + 1, 5), "中共党员", "某县第一中学教师"),
              FamilyLine("儿子", name[0] + rng.choice(GIVEN), Month(birth.year + 27, 3), "共青团员", "某大学学生"),
              FamilyLine("女儿", name[0] + rng.choice(GIVEN) + "儿", Month(birth.year + 30, 8), "群众", "某小学学生"),
              FamilyLine("父亲", name[0] + "大山", Month(birth.year - 28, 1), "中共党员", "退休"),
              FamilyLine("母亲", rng.choice(SURNAMES) + "秀英", None, "群众", "", deceased=True)]
    return AppointmentFormData(
        name=name, sex="男" if sex == "1" else "女", birth=Month(birth.year, birth.month), ethnicity="汉族",
        native_place=rng.choice(PLACES), birthplace=rng.choice(PLACES), party_joined=Month(birth.year + 22, 6),
        work_start=Month(birth.year + 22, 7), health="健康", professional_title="经济师", specialty="经济管理",
        full_time=EducationBlock("大学本科", "经济学学士", "某大学经济管理专业", "某大学"),
        in_service=EducationBlock("中央党校研究生", "法学硕士", "中央党校函授学院法律专业", "某大学法学院"),
        current_post=resume[-1].text, proposed_post="某县某局局长", proposed_removal="", resume=resume,
        rewards_punishments="无", assessment_results="2021年至2023年年度考核均为称职。", appointment_reason="工作需要",
        family=family, reporting_unit="中共某县委组织部", age_reference_date=Month(2024, 12, 1),
        filled_date=Month(2024, 11, 28), filled_by="王五",
        id_number=idnumber.make("420102", birth, 100 + index % 800, sex), photo=photo, version="3.2.1.16")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", default=f"sqlite:///{ROOT / 'var' / 'bench_lrmx.sqlite3'}")
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--profile", action="store_true", help="profile preview + apply with pyinstrument")
    args = parser.parse_args()
    ensure_database(args.database, rebuild=True)
    setup_django(args.database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.auth import get_user_model

    from zugong.accounts.services import grant_role
    from zugong.cadres.formfiles import services
    from zugong.cadres.lrmx.writer import write_lrmx
    from zugong.orgs.unit_services import unit_create

    unit = unit_create(code="BU", name="基准测试县", unit_category="government_organ", organ_level="county")
    user = get_user_model().objects.create_user(username=USERNAME, password="Bench-Passw0rd!x")
    grant_role(user=user, role_code="cadre_affairs", unit=unit)

    rng = random.Random(20241201)
    photo = jpeg(rng)
    t0 = time.perf_counter()
    forms = [make_form(i, rng, photo) for i in range(args.files)]
    seen, unique = set(), []
    for form in forms:  # ID numbers must be unique in the batch
        if form.id_number not in seen:
            seen.add(form.id_number)
            unique.append(form)
    forms = unique
    files = [(f"{i:04d}-{form.name}.lrmx", write_lrmx(form)) for i, form in enumerate(forms)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files:
            archive.writestr(f"干部任免审批表/{name}", data)
    upload = [("干部任免审批表.zip", buffer.getvalue())]
    n = len(files)
    size = sum(len(d) for _, d in files)
    print(f"{args.database.split('://')[0]}: {n} files generated in {time.perf_counter() - t0:.1f} s "
          f"({size / n / 1024:.1f} KB each, zip {len(upload[0][1]) / 1024 / 1024:.1f} MB)")

    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    t0, c0 = time.perf_counter(), time.process_time()
    batch = services.form_batch_preview(user=user, files=upload, unit=unit)
    t1 = time.perf_counter()
    statuses = {s: batch.count(s) for s in services.STATUSES}
    done = services.form_batch_apply(user=user, job=batch.job, selected=[f.id for f in batch.files if f.selectable])
    t2, c2 = time.perf_counter(), time.process_time()
    if profiler is not None:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(f"preview {t1 - t0:.2f} s {statuses}; apply {t2 - t1:.2f} s (created {done.created}); "
          f"total {t2 - t0:.2f} s = {n / (t2 - t0):.0f} files/s  [target ≥ 50]; "
          f"CPU of this process {c2 - c0:.2f} s = {n / (c2 - c0):.0f} files/s per CPU second")

    t0 = time.perf_counter()
    again = services.form_batch_preview(user=user, files=upload)
    t1 = time.perf_counter()
    print(f"preview of the same files again: {t1 - t0:.2f} s = {n / (t1 - t0):.0f} files/s "
          f"(unchanged {again.count('unchanged')})")

    changed = [(name, write_lrmx(_with(form, health="良好"))) for (name, _), form in zip(files, forms, strict=True)]
    t0 = time.perf_counter()
    batch = services.form_batch_preview(user=user, files=changed)
    t1 = time.perf_counter()
    done = services.form_batch_apply(user=user, job=batch.job, selected=[f.id for f in batch.files if f.selectable])
    t2 = time.perf_counter()
    print(f"re-import with one field changed: preview {t1 - t0:.2f} s, apply {t2 - t1:.2f} s "
          f"(updated {done.updated}); total {n / (t2 - t0):.0f} files/s")


def _with(form, **changes):
    import dataclasses

    return dataclasses.replace(form, **changes)


if __name__ == "__main__":
    main()
