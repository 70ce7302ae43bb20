"""The roll-up proof of issue #13 item 7: ``zugong stats annual --format package`` on two databases and
``zugong stats aggregate`` of the two packages give exactly the 年报 of one database holding both trees —
table by table, cell by cell — and every bad package is refused with its reason, nothing written.

Three separate databases on the engine of the run (SQLite files; on the PostgreSQL pass, three databases
created beside the test database and dropped after), each migrated and filled by the CLI and
``tests.annual.rollup_data`` in processes of their own (``DATABASE_URL`` set per process, as deployed
instances run):

- ``a``: province GA (demo generator, seed 11: members, former members, two years of events of every kind,
  流动/失联, terms, units, the pipeline, a year of party life);
- ``b``: province GB (seed 22);
- ``c``: both, generated the same way, under one national root of a type 第二十四表 does not count.

GA and GB each run ``zugong instance init`` (own key in a temporary directory; its last line, the one
``export-key`` prints, goes into a trust directory); their packages are aggregated by the upper level (``--trust``), and the result compared
with ``zugong stats annual --org QG`` on ``c`` (JSON tables and the xlsx sheets). The refusals run the
aggregate command in this process on altered copies of the packages.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess  # nosec B404 -- runs this project's own CLI with fixed arguments
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from zugong.audit.models import AuditEvent
from zugong.reports.annual_layout import TABLES
from zugong.reports.package import canonical, load_instance

ROOT = Path(__file__).resolve().parents[2]
YEAR = 2023
META = {"年度", "截至日期", "组织代码", "填报单位", "逻辑校验", "汇总来源"}


# --------------------------------------------------------------------------------------------------
# Databases and processes
# --------------------------------------------------------------------------------------------------


def _run(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, *args], env=env, cwd=env["ROLLUP_CWD"], capture_output=True,  # nosec B603
                            text=True, timeout=600, check=False)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _env(database_url: str, cwd: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ZUGONG_", "DATABASE_URL"))}
    env.update(DATABASE_URL=database_url, ZUGONG_DEBUG="1", DJANGO_SETTINGS_MODULE="zugong.settings",
               PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]), ROLLUP_CWD=str(cwd), **extra)
    return env


def _zugong(env: dict, *args: str) -> str:
    return _run(env, "-m", "zugong.cli", *args)


class _SQLite:
    """Three database files: one migrated, copied twice."""

    def __init__(self, tmp: Path):
        self.tmp = tmp

    def url(self, name: str) -> str:
        return f"sqlite:///{self.tmp / f'{name}.sqlite3'}"

    def create(self, names: list[str]) -> None:
        _zugong(_env(self.url("base"), self.tmp), "migrate", "-v0")
        for name in names:
            shutil.copy(self.tmp / "base.sqlite3", self.tmp / f"{name}.sqlite3")

    def drop(self) -> None:
        pass


class _PostgreSQL:
    """Databases beside the test database: one migrated, the others created from it as template."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.prefix = f"zg_rollup_{uuid.uuid4().hex[:8]}"
        self.base = urlsplit(os.environ["DATABASE_URL"])
        self.created: list[str] = []

    def url(self, name: str) -> str:
        return urlunsplit(self.base._replace(path=f"/{self.prefix}_{name}"))

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(urlunsplit(self.base._replace(path="/postgres")), autocommit=True) as conn:
            conn.execute(sql)

    def create(self, names: list[str]) -> None:
        self._admin(f'CREATE DATABASE "{self.prefix}_base"')
        self.created.append("base")
        _zugong(_env(self.url("base"), self.tmp), "migrate", "-v0")
        for name in names:
            self._admin(f'CREATE DATABASE "{self.prefix}_{name}" TEMPLATE "{self.prefix}_base"')
            self.created.append(name)

    def drop(self) -> None:
        for name in self.created:
            self._admin(f'DROP DATABASE IF EXISTS "{self.prefix}_{name}"')


@pytest.fixture(scope="module")
def rollup(tmp_path_factory):
    """Databases a, b, c filled; instances GA, GB with keys and a trust directory; the packages of GA and
    GB for 2023, a second GA package for 2023 (instance twice), GA's for 2022 (wrong year), a package of
    a GB sub-organization by another instance GBX (overlap); c's 年报 over both trees (JSON and xlsx)."""
    tmp = tmp_path_factory.mktemp("rollup")
    engine = _PostgreSQL(tmp) if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else _SQLite(tmp)
    engine.create(["a", "b", "c"])
    try:
        env = {name: _env(engine.url(name), tmp) for name in ("a", "b", "c")}
        module = ("-m", "tests.annual.rollup_data")
        _run(env["a"], *module, "--province", "GA", "--seed", "11")
        _run(env["b"], *module, "--province", "GB", "--seed", "22")
        _run(env["c"], *module, "--province", "GA", "--seed", "11", "--province", "GB", "--seed", "22",
             "--national", "QG")
        trust = tmp / "trust"
        trust.mkdir()
        inst = {}
        for db, instance, name in (("a", "GA", "甲省委组织部"), ("b", "GB", "乙省委组织部"), ("b", "GBX", "乙省某市委组织部")):
            inst[instance] = {**env[db], "ZUGONG_INSTANCE_DIR": str(tmp / f"instance-{instance}")}
            printed = _zugong(inst[instance], "instance", "init", "--id", instance, "--name", name)
            # init ends with the line export-key prints (one process fewer per instance; export-key: test_package)
            (trust / f"{instance}.pub").write_text(printed.strip().splitlines()[-1] + "\n", encoding="utf-8")
        out = tmp / "out"
        out.mkdir()

        def package(instance: str, org: str, year: int, file: str) -> Path:
            _zugong(inst[instance], "stats", "annual", "--org", org, "--year", str(year), "--user", "rollup",
                    "--format", "package", "--output", str(out / file))
            return out / file

        packages = SimpleNamespace(
            a=package("GA", "GA", YEAR, "GA-2023.json"), b=package("GB", "GB", YEAR, "GB-2023.json"),
            a_again=package("GA", "GA", YEAR, "GA-2023-again.json"), a_2022=package("GA", "GA", 2022, "GA-2022.json"),
            sub=package("GBX", "GB000001", YEAR, "GBX-2023.json"))
        _zugong(env["c"], "stats", "annual", "--org", "QG", "--year", str(YEAR), "--user", "rollup", "--format", "json",
                "--output", str(tmp / "both.json"))
        _zugong(env["c"], "stats", "annual", "--org", "QG", "--year", str(YEAR), "--user", "rollup", "--format", "xlsx",
                "--output", str(tmp / "both.xlsx"))
        yield SimpleNamespace(tmp=tmp, env=env, trust=trust, packages=packages, instances=inst,
                              both=json.loads((tmp / "both.json").read_text(encoding="utf-8")),
                              both_xlsx=tmp / "both.xlsx")
    finally:
        engine.drop()


# --------------------------------------------------------------------------------------------------
# The proof
# --------------------------------------------------------------------------------------------------


def _aggregate(rollup, fmt: str, output: Path, *packages: Path) -> None:
    _zugong(rollup.env["c"], "stats", "aggregate", *map(str, packages), "--year", str(YEAR), "--trust",
            str(rollup.trust), "--format", fmt, "--output", str(output), "--strict")


def test_aggregate_of_two_packages_equals_one_database_holding_both(rollup):
    out = rollup.tmp / "sum.json"
    _aggregate(rollup, "json", out, rollup.packages.a, rollup.packages.b)
    summed = json.loads(out.read_text(encoding="utf-8"))
    both = rollup.both
    assert [t for t in summed if t not in META] == [t.title for t in TABLES]
    for table in TABLES:
        assert summed[table.title] == both[table.title], table.heading
    # the data are a real year: members, every kind of flow the tables count, statuses, organizations
    first = both["党员数量变化情况"]
    assert first["本年底实有数"] > 2000 and first["上年底总数"] > 2000
    assert all(first["本年增加"][k] > 0 for k in ("发展党员", "恢复党籍", "转入组织关系", "整建制转入"))
    assert all(first["本年减少"][k] > 0 for k in ("出党", "停止党籍", "死亡", "转出组织关系"))
    assert both["流动党员情况"]["流出党员总数"]["总数"] > 0 and both["失去联系党员情况"]["总计"]["总数"] > 0
    assert both["党的基层组织数量情况和换届情况"]["党的基层组织数"]["总数"] > 100
    assert both["民主评议党员情况"]["开展评议的支部"]["总数"] > 0
    assert both["预备党员转正情况"]["预备期满的党员"]["人数"] > 0 and both["发展党员情况（一）"]["总计"]["总数"] > 0
    assert both["入党申请人情况"]["总计"]["总数"] > 0 and both["党员出党情况（一）"]["总计"]["总数"] > 0
    # each province alone differs from the whole (the sum is not one package passed through)
    one = json.loads(rollup.packages.a.read_text(encoding="utf-8"))["payload"]["tables"]
    assert one["党员基本情况"]["总计"]["总数"] < both["党员基本情况"]["总计"]["总数"]
    # the upper level's checks ran and pass (as the database's own do)
    assert summed["逻辑校验"] and all(c["ok"] for c in summed["逻辑校验"])
    assert all(c["ok"] for c in both["逻辑校验"])
    assert [s["实例"] for s in summed["汇总来源"]] == ["GA", "GB"]


def test_aggregate_xlsx_has_the_sheets_of_the_database_holding_both(rollup):
    out = rollup.tmp / "sum.xlsx"
    _aggregate(rollup, "xlsx", out, rollup.packages.a, rollup.packages.b)
    summed, both = load_workbook(out), load_workbook(rollup.both_xlsx)
    tables = [name for name in both.sheetnames if name != "逻辑校验"]
    assert tables and summed.sheetnames == both.sheetnames
    for name in tables:
        mine = [row for i, row in enumerate(summed[name].iter_rows(values_only=True), start=1) if i != 2]
        theirs = [row for i, row in enumerate(both[name].iter_rows(values_only=True), start=1) if i != 2]
        assert mine == theirs, name  # row 2 is the 填报单位 line


def test_aggregate_text_prints_the_tables_and_the_sources(rollup):
    text = _zugong(rollup.env["c"], "stats", "aggregate", str(rollup.packages.a), str(rollup.packages.b),
                   "--year", str(YEAR), "--trust", str(rollup.trust))
    total = rollup.both["党员基本情况"]["总计"]["总数"]
    assert "第二表 党员基本情况" in text and f"{total:,}" in text
    assert "逻辑校验：共" in text and "全部通过" in text
    assert "汇总来源：共 2 个上报包" in text and "GA-2023.json" in text and "GB-2023.json" in text


# --------------------------------------------------------------------------------------------------
# Refusals: the reason, naming the file; nothing aggregated, no output
# --------------------------------------------------------------------------------------------------


def _copy(rollup, tmp_path, *names: str) -> list[Path]:
    paths = []
    for name in names:
        source = getattr(rollup.packages, name)
        target = tmp_path / source.name
        if target.exists():
            target = tmp_path / f"copy-{source.name}"
        shutil.copy(source, target)
        paths.append(target)
    return paths


def _refused(paths: list[Path], tmp_path: Path, *, trust: Path, year: int = YEAR) -> str:
    out = tmp_path / "sum.json"
    with pytest.raises(CommandError) as caught:
        call_command("stats_aggregate", *map(str, paths), "--year", str(year), "--trust", str(trust),
                     "--format", "json", "--output", str(out))
    assert not out.exists()
    assert not AuditEvent.objects.filter(kind="annual_aggregate").exists()
    return str(caught.value)


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.mark.django_db
def test_the_two_packages_aggregate_in_process_and_are_audited(rollup, tmp_path):
    out = tmp_path / "sum.json"
    call_command("stats_aggregate", str(rollup.packages.a), str(rollup.packages.b), "--year", str(YEAR),
                 "--trust", str(rollup.trust), "--format", "json", "--output", str(out))
    assert json.loads(out.read_text(encoding="utf-8"))["党员基本情况"] == rollup.both["党员基本情况"]
    event = AuditEvent.objects.get(kind="annual_aggregate")
    assert [p["instance"] for p in event.data["packages"]] == ["GA", "GB"]
    assert "PRIVATE" not in json.dumps(event.data)


@pytest.mark.django_db
def test_a_cell_altered_after_signing_is_refused(rollup, tmp_path):
    a, b = _copy(rollup, tmp_path, "a", "b")
    _edit(b, lambda d: d["payload"]["tables"]["党员基本情况"]["总计"].update(
        总数=d["payload"]["tables"]["党员基本情况"]["总计"]["总数"] + 1))
    message = _refused([a, b], tmp_path, trust=rollup.trust)
    assert "GB-2023.json" in message and "校验和不符" in message and "改动" in message
    assert "GA-2023.json" not in message  # the intact package is not blamed


@pytest.mark.django_db
def test_a_cell_altered_with_a_new_checksum_fails_the_signature(rollup, tmp_path):
    import hashlib

    (b,) = _copy(rollup, tmp_path, "b")

    def change(d):
        d["payload"]["tables"]["党员数量变化情况"]["本年增加"]["发展党员"] += 5
        d["checksum"]["value"] = hashlib.sha256(canonical(d["payload"])).hexdigest()

    _edit(b, change)
    message = _refused([b], tmp_path, trust=rollup.trust)
    assert "GB-2023.json" in message and "签名无效" in message


@pytest.mark.django_db
def test_a_package_from_an_unknown_instance_is_refused(rollup, tmp_path):
    a, b = _copy(rollup, tmp_path, "a", "b")
    trust = tmp_path / "trust.txt"
    trust.write_text((rollup.trust / "GA.pub").read_text(encoding="utf-8"), encoding="utf-8")
    message = _refused([a, b], tmp_path, trust=trust)
    assert "GB-2023.json" in message and "未知实例" in message and "「GB」" in message


@pytest.mark.django_db
def test_a_package_signed_by_another_key_than_the_trusted_one_is_refused(rollup, tmp_path):
    """The trust file names GB with GBX's key: GB's genuine package does not verify against it."""
    (b,) = _copy(rollup, tmp_path, "b")
    key = (rollup.trust / "GBX.pub").read_text(encoding="utf-8").split()[2]
    trust = tmp_path / "trust.txt"
    trust.write_text(f"GB ed25519 {key}  # 冒名\n", encoding="utf-8")
    message = _refused([b], tmp_path, trust=trust)
    assert "GB-2023.json" in message and "签名无效" in message


@pytest.mark.django_db
def test_a_package_for_another_year_is_refused(rollup, tmp_path):
    a_2022, b = _copy(rollup, tmp_path, "a_2022", "b")
    message = _refused([a_2022, b], tmp_path, trust=rollup.trust)
    assert "GA-2022.json" in message and "年度为 2022" in message and "2023" in message
    # and the whole set asked for another year: both named
    other = tmp_path / "other"
    other.mkdir()
    a, b2 = _copy(rollup, other, "a", "b")
    message = _refused([a, b2], tmp_path, trust=rollup.trust, year=2024)
    assert "GA-2023.json" in message and "GB-2023.json" in message and "2024" in message


@pytest.mark.django_db
def test_overlapping_organizations_are_refused(rollup, tmp_path):
    b, sub = _copy(rollup, tmp_path, "b", "sub")
    message = _refused([b, sub], tmp_path, trust=rollup.trust)
    assert "GBX-2023.json" in message and "GB-2023.json" in message and "重叠" in message
    assert "GB000001" in message


@pytest.mark.django_db
def test_the_same_package_twice_is_refused(rollup, tmp_path):
    a, a_copy = _copy(rollup, tmp_path, "a", "a")
    message = _refused([a, a_copy], tmp_path, trust=rollup.trust)
    assert "同一个上报包" in message and "GA-2023.json" in message


@pytest.mark.django_db
def test_one_instance_twice_is_refused(rollup, tmp_path):
    a, again, b = _copy(rollup, tmp_path, "a", "a_again", "b")
    message = _refused([a, again, b], tmp_path, trust=rollup.trust)
    assert "GA-2023-again.json" in message and "「GA」" in message and "只能汇总一个包" in message


@pytest.mark.django_db
def test_a_signed_package_with_another_table_layout_is_refused(rollup, tmp_path):
    """Signed with GA's own key (so checksum and signature hold): a row missing and a negative cell."""
    import base64
    import hashlib

    (a,) = _copy(rollup, tmp_path, "a")
    key = load_instance(rollup.instances["GA"]["ZUGONG_INSTANCE_DIR"]).private_key()

    def change(d):
        del d["payload"]["tables"]["党员学历情况"]["四、学生"]
        d["payload"]["tables"]["流动党员情况"]["流出党员总数"]["总数"] = -1
        body = canonical(d["payload"])
        d["checksum"]["value"] = hashlib.sha256(body).hexdigest()
        d["signature"]["value"] = base64.b64encode(key.sign(body)).decode()

    _edit(a, change)
    message = _refused([a], tmp_path, trust=rollup.trust)
    assert "GA-2023.json" in message and "第四表 党员学历情况" in message and "表式不同" in message
    assert "-1" in message and "非负整数" in message


@pytest.mark.django_db
def test_a_file_that_is_not_a_package_is_refused(rollup, tmp_path):
    (a,) = _copy(rollup, tmp_path, "a")
    junk = tmp_path / "junk.json"
    junk.write_text("not json", encoding="utf-8")
    message = _refused([a, junk], tmp_path, trust=rollup.trust)
    assert "junk.json" in message and "不是有效的 JSON" in message


@pytest.mark.django_db
def test_a_malformed_trust_file_is_refused_naming_its_line(rollup, tmp_path):
    (a,) = _copy(rollup, tmp_path, "a")
    trust = tmp_path / "trust.txt"
    trust.write_text("# 受信任的实例\nGA rsa AAAA\n", encoding="utf-8")
    message = _refused([a], tmp_path, trust=trust)
    assert f"{trust}:2" in message and "格式不对" in message
