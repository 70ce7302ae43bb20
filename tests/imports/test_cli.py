"""``zugong import orgs|roster`` and ``zugong export_roster`` (management commands)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.factories import make_id
from tests.imports.helpers import ORG_HEADERS, ROSTER_HEADERS, member_row, xlsx
from zugong.audit.models import AuditEvent
from zugong.cli import main
from zugong.orgs.models import PartyOrganization
from zugong.people.models import Person

pytestmark = pytest.mark.django_db


def write(tmp_path, rows, headers=ROSTER_HEADERS, name="roster.xlsx"):
    path = tmp_path / name
    path.write_bytes(xlsx([headers, *rows]))
    return path


def call(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_roster_success_prints_counts(tree, tmp_path, capsys):
    path = write(tmp_path, [member_row(), member_row("C-A-2", name="郑和", sex="男", birth=dt.date(1971, 7, 11))])
    out, _ = call("import_roster", str(path), "--user", "town_a")
    assert "导入完成：新增 2，更新 0，未变 0" in out
    assert "校验" in capsys.readouterr().err  # the tqdm bar on the process's stderr
    out, _ = call("import_roster", str(path), "--user", "town_a", "--no-progress")
    assert "新增 0，更新 0，未变 2" in out
    assert AuditEvent.objects.filter(kind="import", actor_username="town_a").count() == 2


def test_import_roster_errors_print_a_table_and_fail(tree, tmp_path):
    bad = member_row(name="吴用")
    bad[6] = "2023-02-30"
    path = write(tmp_path, [member_row(), bad])
    report = tmp_path / "errors.xlsx"
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_roster", str(path), "--user", "town_a", "--no-progress", "--error-report", str(report),
                     stdout=io.StringIO(), stderr=err)
    assert "未写入任何数据" in str(exc.value)
    table = err.getvalue()
    assert "行" in table and "列" in table and "原因" in table
    # the 读取方式 lines (sheet, columns) come first; the error table's lines start with the row number
    line = next(line for line in table.splitlines() if "入党日期" in line and line.split()[0].isdigit())
    assert line.split()[0] == "3" and "「2023-02-30」不是有效日期" in line
    assert Person.objects.count() == 4
    ws = openpyxl.load_workbook(report).active
    assert ws.cell(row=1, column=ws.max_column).value == "错误说明"


def test_accept_bad_checksum_flag(tree, tmp_path):
    number = make_id(dt.date(1992, 4, 5), "2")
    bad = number[:17] + ("0" if number[17] != "0" else "1")
    path = write(tmp_path, [member_row(id_number=bad)])
    with pytest.raises(CommandError):
        call("import_roster", str(path), "--user", "town_a", "--no-progress")
    out, _ = call("import_roster", str(path), "--user", "town_a", "--no-progress", "--accept-bad-checksum")
    assert "新增 1" in out and "校验码错误" in out


def test_dry_run_writes_nothing(tree, tmp_path):
    path = write(tmp_path, [member_row()])
    out, _ = call("import_roster", str(path), "--user", "town_a", "--no-progress", "--dry-run")
    assert "试运行" in out and Person.objects.count() == 4


def test_user_is_required_and_must_exist(tree, tmp_path):
    path = write(tmp_path, [member_row()])
    with pytest.raises(CommandError) as exc:
        call("import_roster", str(path))
    assert "--user" in str(exc.value)
    with pytest.raises(CommandError) as exc:
        call("import_roster", str(path), "--user", "ghost")
    assert "不存在" in str(exc.value)
    with pytest.raises(CommandError) as exc:
        call("import_orgs", str(path))
    assert "--user" in str(exc.value)
    with pytest.raises(CommandError):
        call("import_roster", str(path), "--user", "branch_a1")  # no import permission


def test_import_orgs_via_the_zugong_entry_point(tree, tmp_path, monkeypatch):
    path = write(tmp_path, [["C-A-3", "西村党支部", "C-A", "党支部", "", ""]], headers=ORG_HEADERS, name="orgs.xlsx")
    seen = []
    # run_from_argv would close the test's database connection: capture the mapped argv, then run it
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)
    main(["zugong", "import", "orgs", str(path), "--user", "town_a", "--no-progress"])
    assert seen[0][1] == "import_orgs"
    call(*seen[0][1:])
    assert PartyOrganization.objects.filter(code="C-A-3").exists()


def test_import_orgs_cycle_fails(tree, tmp_path):
    path = write(tmp_path, [["C-A", "甲镇党委", "C-A-1", "党委", "", ""]], headers=ORG_HEADERS, name="orgs.xlsx")
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_orgs", str(path), "--user", "county", "--no-progress", stdout=io.StringIO(), stderr=err)
    assert "循环" in err.getvalue()


def test_export_roster_command(tree, tmp_path):
    output = tmp_path / "out.xlsx"
    out, _ = call("export_roster", "--user", "county", "--org", "C-A", "--as-of", "2025-01-01", "--output", str(output))
    assert "已导出 3 名党员" in out and "脱敏" in out
    ws = openpyxl.load_workbook(output)["党员花名册"]
    assert [c.value for c in ws[1]] == ROSTER_HEADERS and "*" in ws["D2"].value
    call("export_roster", "--user", "county", "--org", "C-A", "--as-of", "2025-01-01", "--output", str(output),
         "--unmask")
    ws = openpyxl.load_workbook(output)["党员花名册"]
    assert "*" not in ws["D2"].value and (output.stat().st_mode & 0o077) == 0
    with pytest.raises(CommandError) as exc:
        call("export_roster", "--user", "town_a", "--org", "C-B", "--as-of", "2025-01-01", "--output", str(output))
    assert "不存在或不在" in str(exc.value)
    with pytest.raises(CommandError):
        call("export_roster", "--user", "town_a", "--org", "C-A", "--as-of", "2025-01-01", "--output", str(output),
             "--unmask")
    with pytest.raises(CommandError) as exc:
        call("export_roster", "--org", "C-A", "--as-of", "2025-01-01", "--output", str(output))
    assert "--user" in str(exc.value)
    assert AuditEvent.objects.filter(kind="export").count() == 2


@pytest.mark.parametrize(("name", "content", "message"), [
    ("roster.xlsx", "姓名,性别\n".encode(), "不是有效的 Excel"),
    ("roster.xlsx", xlsx([ROSTER_HEADERS]), "文件中没有数据行"),
    ("roster.xlsx", xlsx([["姓名*", "性别*"], ["张三", "男"]]), "缺少必填列"),
])
def test_cli_file_level_rejections(tree, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    err = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import_roster", str(path), "--user", "town_a", "--no-progress", stdout=io.StringIO(), stderr=err)
    assert message in str(exc.value) + err.getvalue()
    assert Person.objects.count() == 4


def test_cli_number_cell_id_rejected(tree, tmp_path):
    row = member_row()
    row[3] = 1.10105199001011e17
    path = write(tmp_path, [row])
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_roster", str(path), "--user", "town_a", "--no-progress", stdout=io.StringIO(), stderr=err)
    assert "数字格式的单元格" in err.getvalue() and Person.objects.count() == 4


def test_export_roster_command_shows_a_progress_bar(tree, tmp_path, capsys):
    output = tmp_path / "out.xlsx"
    call_command("export_roster", "--user", "county", "--org", "C-A", "--as-of", "2025-01-01",
                 "--output", str(output), stdout=io.StringIO())
    err = capsys.readouterr().err
    assert "导出" in err and "3/3" in err  # tqdm: phase, rows done / rows in total
    call_command("export_roster", "--user", "county", "--org", "C-A", "--as-of", "2025-01-01",
                 "--output", str(output), "--no-progress", stdout=io.StringIO())
    assert "导出" not in capsys.readouterr().err


def test_export_progress_counts_exactly_the_rows_written(tree):
    from zugong.party import exporters
    from zugong.party.exporters import export_roster_to

    calls = []
    exporters_every = exporters.PROGRESS_EVERY
    try:
        exporters.PROGRESS_EVERY = 2
        count = export_roster_to(io.BytesIO(), user=tree.county_user, organization=None, as_of=dt.date(2025, 1, 1),
                                 progress=lambda phase, done, total: calls.append((phase, done, total)))
    finally:
        exporters.PROGRESS_EVERY = exporters_every
    assert calls[0] == ("导出", 0, count) and calls[-1] == ("导出", count, count)
    assert [done for _, done, _ in calls[1:-1]] == list(range(2, count + 1, 2))
