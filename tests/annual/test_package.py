"""The 年报 package in this process (issue #13 item 7): what a package holds and leaves out, its scope and
permission, its audit, the instance key's life cycle, and the upper level's table-level checks agreeing
with the 年报's own (``reports.annual_checks``) on the known-truth story of ``tests/annual/story.py``.
The cross-database proof and the refusals are ``test_rollup.py``."""

from __future__ import annotations

import base64
import copy
import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import CommandError, call_command
from django.test import override_settings

from tests.factories import make_user
from zugong.audit.models import AuditEvent
from zugong.core.errors import OutOfScope, PermissionDeniedError, ZugongError
from zugong.orgs.models import PartyOrganization
from zugong.reports.annual import annual_report
from zugong.reports.annual_layout import TABLE_1, TABLES
from zugong.reports.package import (
    DERIVED_CELLS,
    PackageRefused,
    build_package,
    canonical,
    checksum,
    instance_init,
    load_instance,
    load_trust,
    package_bytes,
    package_tables,
    summed_checks,
    verify_packages,
    with_derived,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def instance(tmp_path):
    directory = tmp_path / "instance"
    with override_settings(ZUGONG_INSTANCE_DIR=directory):
        yield instance_init(instance_id="XS", name="某县委组织部（测试）")


def test_package_holds_the_report_tables_without_derived_cells_signed_and_audited(year, instance, tmp_path):
    s = year
    report = annual_report(user=s.county, organization=s.orgs["X"], year=2023)
    package = build_package(user=s.county, organization=s.orgs["X"], year=2023, report=report)
    payload = package["payload"]
    assert payload["instance"] == {"id": "XS", "name": "某县委组织部（测试）"}
    assert (payload["year"], payload["as_of"], payload["root"]["code"]) == (2023, "2023-12-31", "X")
    assert payload["tool"]["name"] == "zugong" and payload["generated_at"].endswith("+00:00")
    # every organization of the subtree, dissolved ones included (their codes are spent), nothing else
    codes = set(PartyOrganization.objects.filter(path__startswith=s.orgs["X"].path).values_list("code", flat=True))
    assert set(payload["organizations"]) == codes and "X-A-5" in codes and "X-B-4" in codes
    # the tables: the report's, minus 第一表's two derived cells
    first = payload["tables"][TABLE_1.title]
    assert set(DERIVED_CELLS[TABLE_1.title]).isdisjoint(first)
    assert first["本年底实有数"] == report.tables[TABLE_1.title]["本年底实有数"]
    assert with_derived(payload["tables"]) == {t.title: report.tables[t.title] for t in TABLES}
    # the lower level's own checks go up as figures only (no names of people)
    assert [c["name"] for c in payload["checks"]] == [c.name for c in report.checks]
    assert all(set(c) == {"name", "ok", "expected", "actual"} for c in payload["checks"])
    # checksum and signature cover the canonical payload
    assert package["checksum"]["value"] == checksum(payload)
    Ed25519PublicKey.from_public_bytes(instance.public_key).verify(
        base64.b64decode(package["signature"]["value"]), canonical(payload))
    event = AuditEvent.objects.get(kind="annual_package")
    assert event.object_id == "X" and event.data["checksum"] == package["checksum"]["value"]
    assert event.data["fingerprint"].startswith("SHA256:")
    key_text = (instance.directory / "signing-key.pem").read_text()
    assert "PRIVATE KEY" not in json.dumps(event.data) and key_text.split("\n")[1] not in json.dumps(event.data)
    # verifies at the upper level against the exported line
    path = tmp_path / "x.json"
    path.write_bytes(package_bytes(package))
    trust = tmp_path / "trust.txt"
    trust.write_text(instance.public_line() + "\n", encoding="utf-8")
    (verified,) = verify_packages([path], year=2023, trust=load_trust(trust))
    assert verified.instance_id == "XS"


def test_package_is_scoped_and_needs_the_export_permission(year, instance):
    s = year
    with pytest.raises(OutOfScope):
        build_package(user=s.town_a, organization=s.orgs["X-B"], year=2023)
    viewer = make_user("viewer_pkg", "viewer", s.orgs["X"])
    with pytest.raises(PermissionDeniedError):
        build_package(user=viewer, organization=s.orgs["X"], year=2023)
    # a town's package holds the town's organizations only
    package = build_package(user=s.town_a, organization=s.orgs["X-A"], year=2023)
    assert all(code.startswith("X-A") for code in package["payload"]["organizations"])
    assert not AuditEvent.objects.filter(kind="annual_package", object_id="X").exists()


def test_stats_annual_package_command_writes_a_new_file_only(year, instance, tmp_path):
    out = tmp_path / "X.json"
    with override_settings(ZUGONG_INSTANCE_DIR=instance.directory):
        call_command("stats_annual", "--org", "X", "--year", "2023", "--user", "county", "--format", "package",
                     "--output", str(out))
        assert json.loads(out.read_text(encoding="utf-8"))["payload"]["root"]["code"] == "X"
        assert (out.stat().st_mode & 0o777) == 0o600
        with pytest.raises(CommandError, match="已存在"):
            call_command("stats_annual", "--org", "X", "--year", "2023", "--user", "county", "--format",
                         "package", "--output", str(out))
        with pytest.raises(CommandError, match="--output"):
            call_command("stats_annual", "--org", "X", "--year", "2023", "--user", "county", "--format", "package")
    # without an instance: refused, no file
    missing = tmp_path / "none.json"
    with override_settings(ZUGONG_INSTANCE_DIR=tmp_path / "nowhere"), pytest.raises(CommandError, match="instance init"):
        call_command("stats_annual", "--org", "X", "--year", "2023", "--user", "county", "--format", "package",
                     "--output", str(missing))
    assert not missing.exists()


def test_table_checks_agree_with_the_annual_report_checks(year):
    """The upper level's checks are the 年报's own table-level rules: same names, same figures, same result
    — on the story's report, and on a report with a row sum broken."""
    s = year
    report = annual_report(user=s.county, organization=s.orgs["X"], year=2023)
    own = {c.name: c for c in report.checks}
    checks = summed_checks(with_derived(package_tables(report.tables)), 2023)
    assert len(checks) == len(report.checks) == 28  # one table-level counterpart of every 年报 check
    for check in checks:
        if check.name == "第一表本年底应有数 = 本年底实有数":  # the report's is person by person
            mine = own["第一表本年底应有数 = 本年底实有数（逐人核对本年变动）"]
        else:
            mine = own[check.name]
        assert (check.ok, check.expected, check.actual) == (mine.ok, mine.expected, mine.actual), check.name
    broken = copy.deepcopy(report.tables)
    broken["党员学历情况"]["总计"]["研究生"] += 1
    failed = [c.name for c in summed_checks(broken, 2023) if not c.ok]
    assert failed == ["第四表总计：学历各栏之和 = 总数"]


def test_aggregate_lists_a_package_whose_tables_fail_a_check(year, instance, tmp_path):
    """A package whose (signed) tables break a rule is summed, but the upper level's checks name it."""
    s = year
    package = build_package(user=s.county, organization=s.orgs["X"], year=2023)
    payload = package["payload"]
    payload["tables"]["党员出党情况（一）"]["总计"]["总数"] += 1
    body = canonical(payload)
    package["checksum"]["value"] = checksum(payload)
    package["signature"]["value"] = base64.b64encode(instance.private_key().sign(body)).decode()
    path = tmp_path / "x.json"
    path.write_bytes(package_bytes(package))
    trust = tmp_path / "trust.txt"
    trust.write_text(instance.public_line(), encoding="utf-8")
    out = tmp_path / "sum.json"
    with pytest.raises(CommandError) as caught:
        call_command("stats_aggregate", str(path), "--year", "2023", "--trust", str(trust), "--format", "json",
                     "--output", str(out), "--strict")
    assert caught.value.returncode == 2
    checks = {c["name"]: c for c in json.loads(out.read_text(encoding="utf-8"))["逻辑校验"]}
    assert checks["〔XS〕第十表总计总数 = 第一表出党"]["ok"] is False
    assert checks["第十表总计总数 = 第一表出党"]["ok"] is False


# --------------------------------------------------------------------------------------------------
# Instance identity
# --------------------------------------------------------------------------------------------------


def test_instance_init_creates_a_private_key_once(tmp_path):
    directory = tmp_path / "inst"
    created = instance_init(instance_id="GD", name="中共广东省委组织部", directory=directory)
    assert (directory.stat().st_mode & 0o777) == 0o700
    assert (directory / "signing-key.pem").stat().st_mode & 0o777 == 0o600
    assert load_instance(directory) == created
    assert created.public_line().startswith("GD ed25519 ")
    with pytest.raises(ZugongError, match="不能直接覆盖"):
        instance_init(instance_id="GD", name="again", directory=directory)
    assert load_instance(directory).public_key == created.public_key
    event = AuditEvent.objects.get(kind="instance_init")
    assert event.data["fingerprint"].startswith("SHA256:") and "public_key" not in event.data


@pytest.mark.parametrize(("instance_id", "name", "says"), [
    ("广东", "名称", "实例标识"), ("GD GD", "名称", "实例标识"), ("GD", " ", "--name")])
def test_instance_init_refuses_bad_identity(tmp_path, instance_id, name, says):
    with pytest.raises(ZugongError, match=says):
        instance_init(instance_id=instance_id, name=name, directory=tmp_path / "inst")
    assert not (tmp_path / "inst").exists()


def test_instance_key_is_never_put_inside_the_program(tmp_path):
    from django.conf import settings

    with pytest.raises(ZugongError, match="程序目录"):
        instance_init(instance_id="GD", name="省委组织部", directory=Path(settings.BASE_DIR) / "var" / "instance")
    assert not (Path(settings.BASE_DIR) / "var").exists()


def test_instance_key_with_a_passphrase(tmp_path, monkeypatch):
    monkeypatch.setenv("ZUGONG_INSTANCE_KEY_PASSPHRASE", "pass-phrase-for-test")
    created = instance_init(instance_id="GD", name="省委组织部", directory=tmp_path / "inst")
    assert b"ENCRYPTED" in (tmp_path / "inst" / "signing-key.pem").read_bytes()
    created.private_key()  # decrypts
    monkeypatch.setenv("ZUGONG_INSTANCE_KEY_PASSPHRASE", "wrong")
    with pytest.raises(ZugongError, match="无法读取本实例的签名私钥"):
        created.private_key()


def test_instance_command_init_and_export_key(tmp_path, capsys):
    directory = tmp_path / "inst"
    call_command("instance", "init", "--id", "GD", "--name", "省委组织部", "--dir", str(directory))
    call_command("instance", "export-key", "--dir", str(directory))
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == load_instance(directory).public_line()
    assert "PRIVATE" not in "\n".join(lines)
    with pytest.raises(CommandError, match="尚未初始化"):
        call_command("instance", "export-key", "--dir", str(tmp_path / "none"))


def test_trust_directory_and_conflicting_keys(tmp_path):
    one = instance_init(instance_id="GA", name="甲", directory=tmp_path / "a")
    two = instance_init(instance_id="GB", name="乙", directory=tmp_path / "b")
    trust = tmp_path / "trust"
    trust.mkdir()
    (trust / "GA.pub").write_text(one.public_line() + "\n", encoding="utf-8")
    (trust / "GB.pub").write_text("# 乙省\n\n" + two.public_line() + "\n", encoding="utf-8")
    (trust / ".hidden").write_text("junk", encoding="utf-8")
    keys = load_trust(trust)
    assert set(keys) == {"GA", "GB"} and keys["GB"].name == "乙" and keys["GB"].source.endswith("GB.pub:3")
    (trust / "GB2.pub").write_text(f"GB ed25519 {one.public_line().split()[2]}\n", encoding="utf-8")
    with pytest.raises(ZugongError, match="两个不同的公钥"):
        load_trust(trust)
    with pytest.raises(ZugongError, match="--trust"):
        load_trust("")
    with pytest.raises(ZugongError, match="不存在"):
        load_trust(tmp_path / "nothing")


def test_no_packages_is_refused():
    with pytest.raises(PackageRefused, match="没有给出"):
        verify_packages([], year=2023, trust={})


def test_environment_is_untouched():
    assert "ZUGONG_INSTANCE_KEY_PASSPHRASE" not in os.environ
