"""Hostile spreadsheets never reach the server's memory (issue #7, item 2).

Each hole of the issue is rebuilt here as a tiny .xlsx and must be refused quickly with a Chinese message
that names the limit, without the parser ever running in the test process: ``python_calamine`` is
booby-trapped in this process, and the process's peak memory must not grow. The parsing child's own
limits (memory, time, a crash) are tested with misbehaving parsers from ``tests.imports.hostile``."""

from __future__ import annotations

import datetime as dt
import io
import resource
import time
import zipfile

import pytest

from tests.imports import hostile
from tests.imports.helpers import xlsx
from zugong.core import files, sandbox
from zugong.core.files import FileRejected, read_table
from zugong.core.sheet_scan import SheetLimits, SheetScanner


@pytest.fixture
def no_parser_in_this_process(monkeypatch):
    """Fails the test if anything parses a workbook with calamine in the test process."""
    import python_calamine

    def trap(*args, **kwargs):
        raise AssertionError("calamine ran in the server process")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", trap)
    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", trap)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def refused(data: bytes, name: str = "花名册.xlsx", **kwargs) -> str:
    """Read ``data``; it must be refused within 10 s, this process's peak memory growing < 100 MB."""
    before, started = peak_rss_mb(), time.monotonic()
    with pytest.raises(FileRejected) as exc:
        read_table(data, filename=name, **kwargs)
    assert time.monotonic() - started < 10
    assert peak_rss_mb() - before < 100
    return exc.value.reason


@pytest.mark.parametrize("far", ["XFD1048576", "ZZ100000", "AAA1000000"])
def test_issue_files_with_a_huge_declared_dimension_are_refused(far, no_parser_in_this_process):
    data = hostile.two_cells(far)
    assert len(data) < 2000
    reason = refused(data)
    assert f"工作表「名册」声明的范围 A1:{far} 超过上限（最多 200 列" in reason


@pytest.mark.parametrize(("far", "expected"), [
    ("XFD1048576", "的数据范围 A1:XFD1048576 超过上限（最多 200 列"),
    ("A2000000", "的数据范围 A1:A2000000 超过上限（最多 1,048,576 行"),
    ("GR30000", "的数据范围 A1:GR30000 共 6,000,000 个单元格，超过上限（最多 5,000,000 个单元格"),
])
def test_far_cells_without_a_dimension_are_refused(far, expected, no_parser_in_this_process):
    """Real cells are checked too, whatever the sheet declares (here: no dimension, or a small one)."""
    for dimension in (None, "A1:B2"):
        assert "工作表「名册」" + expected in refused(hostile.two_cells(far, dimension=dimension))


def test_cells_without_position_are_placed_as_readers_do(no_parser_in_this_process):
    """Cells without ``r`` follow each other; a row without ``r`` follows the previous row: 300 of them in
    row 5 reach column KN (the exact, tag-by-tag scan)."""
    data = hostile.workbook('<row r="1"><c r="A1"/></row><row/><row/><row/><row>' + "<c/>" * 300 + "</row>")
    assert "的数据范围 A1:KN5 超过上限（最多 200 列" in refused(data)


def test_prefixed_tags_and_odd_quoting_are_scanned_exactly(no_parser_in_this_process):
    data = hostile.workbook("<x:row xmlns:x='http://schemas.openxmlformats.org/spreadsheetml/2006/main' r='1'>"
                            "<x:c r = 'XFD1'/></x:row>")
    assert "A1:XFD1 超过上限（最多 200 列" in refused(data)


def test_worksheet_outside_the_usual_folder_is_found_through_the_workbook(no_parser_in_this_process):
    data = hostile.workbook(f'<row r="1">{hostile.inline("A1", "a")}{hostile.inline("ZZ1", "b")}</row>',
                            sheet_path="xl/elsewhere/data.xml")
    assert "工作表「名册」的数据范围 A1:ZZ1" in refused(data)


def test_repeated_cells_count_against_the_cell_limit(settings, no_parser_in_this_process):
    """The same position written again and again costs the parser memory per cell, not per position."""
    settings.ZUGONG_IMPORT_MAX_CELLS = 10
    data = hostile.workbook('<row r="1">' + '<c r="A1"><v>1</v></c>' * 20 + "</row>")
    assert "工作表「名册」的单元格超过上限（最多 10 个单元格）" in refused(data)


def test_limits_come_from_settings(settings):
    settings.ZUGONG_IMPORT_MAX_COLUMNS = 3
    assert "最多 3 列" in refused(xlsx([["a", "b", "c", "d"]]))
    settings.ZUGONG_IMPORT_MAX_COLUMNS = 200
    settings.ZUGONG_IMPORT_MAX_ROWS = 2
    assert "最多 2 行" in refused(xlsx([["a"], ["b"], ["c"]]))
    assert "最多 2 行" in refused(b"a\nb\nc\n", name="名册.csv")
    settings.ZUGONG_IMPORT_MAX_ROWS = 1000
    settings.ZUGONG_IMPORT_MAX_COLUMNS = 3
    assert "有 4 列，超过上限（最多 3 列）" in refused(b"a,b,c,d\n", name="名册.csv")


def test_a_real_roster_passes_the_checks_and_keeps_its_values():
    data = xlsx([["姓名", "出生日期", "人数", "是否"], ["张三", dt.date(1990, 1, 2), 3.0, True]])
    table = read_table(data, filename="名册.xlsx")
    assert table.rows == [["姓名", "出生日期", "人数", "是否"], ["张三", dt.date(1990, 1, 2), 3.0, True]]
    assert table.rows == files.parse_upload(data, "名册.xlsx").sheets[0].rows  # the child returns what parsing gives


def test_scanner_fast_and_exact_paths_agree():
    refs = "".join(f'<row r="{r}">' + "".join(hostile.inline(f"{c}{r}", "x") for c in "ABN") + "</row>"
                   for r in (1, 2, 99999, 100001))
    xml = zipfile.ZipFile(io.BytesIO(hostile.workbook(refs))).read("xl/worksheets/sheet1.xml")
    results = []
    for exact in (False, True):
        scanner = SheetScanner("名册", SheetLimits(), exact=exact)
        for i in range(0, len(xml), 7):  # tiny chunks: tags cut everywhere
            scanner.feed(xml[i:i + 7])
        scanner.finish()
        results.append((scanner.cells, scanner.max_col, scanner.max_row))
    assert results == [(12, 14, 100001)] * 2


# --- the child process's own limits -------------------------------------------------------------------

def test_parser_over_the_memory_limit_is_refused(settings, monkeypatch):
    settings.ZUGONG_PARSE_MEMORY_MB = 300
    monkeypatch.setattr(files, "CHILD_PARSER", hostile.allocate)
    assert "读取文件所需内存超过上限（300 MB）" in refused(xlsx([["a"]]))


def test_calamine_itself_is_stopped_by_the_memory_limit(monkeypatch, no_parser_in_this_process):
    """If a file got past the checks, calamine would abort in the child on its failed 512 GB allocation:
    here the checks are skipped on purpose."""
    monkeypatch.setattr(files, "CHILD_PARSER", hostile.calamine_only)
    assert "读取文件所需内存超过上限（1024 MB）" in refused(hostile.two_cells("XFD1048576"))


def test_parser_over_the_time_limit_is_killed_and_refused(settings, monkeypatch):
    settings.ZUGONG_PARSE_SECONDS = 1
    monkeypatch.setattr(files, "CHILD_PARSER", hostile.sleep)
    started = time.monotonic()
    assert "读取文件超过时间上限（1 秒）" in refused(xlsx([["a"]]))
    assert time.monotonic() - started < 5


@pytest.mark.parametrize(("parser", "message"), [(hostile.die, "内存超过上限"), (hostile.exit_abruptly, "异常退出")])
def test_parser_that_dies_is_a_refusal(monkeypatch, parser, message):
    monkeypatch.setattr(files, "CHILD_PARSER", parser)
    assert message in refused(xlsx([["a"]]))


def test_answer_from_the_child_cannot_build_arbitrary_objects():
    with pytest.raises(sandbox.LimitExceeded) as exc:
        sandbox.run_limited(hostile.smuggle, b"", "a.xlsx", (), None, memory_mb=0, seconds=10)
    assert exc.value.kind == "crash"
    with pytest.raises(Exception, match="not allowed"):
        sandbox.safe_loads(__import__("pickle").dumps(__import__("collections").OrderedDict()))
