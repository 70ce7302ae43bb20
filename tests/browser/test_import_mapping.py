"""The column-mapping step in a real browser (issue #9, "Done means"): the township worker uploads a roster in
a real-world layout (the organization under 「支部代码」, a 备注 column), the mapping page shows the unknown
columns and the missing 所在党组织; they map 支部代码 → 所在党组织, save the mapping as a layout, import, see
the result, and on the next upload pick the saved layout. The mapping page fits a 1366×768 screen and a
390×844 phone (no sideways scrolling of the page; wide tables scroll inside their box). Screenshots go to
``ZUGONG_SHOTS`` when set, else to the test's temporary directory."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests.factories import PASSWORD, build_tree, make_id
from tests.imports.helpers import ROSTER_HEADERS, member_row, xlsx
from zugong.core.models import ImportJob, ImportLayout
from zugong.party.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADERS = [("支部代码" if h == "所在党组织*" else h) for h in ROSTER_HEADERS] + ["备注"]


def _file(path: Path, *rows) -> Path:
    path.write_bytes(xlsx([HEADERS, *rows]))
    return path


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_upload_map_save_layout_import(page, tmp_path):
    shots = Path(os.environ.get("ZUGONG_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    tree = build_tree()
    base = page.base_url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "town_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button.btn[type=submit]")
    page.wait_for_url(f"{base}/")

    # 1. upload: the browser lands on the mapping page, nothing imported yet
    first = _file(tmp_path / "乡镇花名册.xlsx",
                  [*member_row("C-A-1", name="李春梅", birth=dt.date(1990, 5, 6),
                               id_number=make_id(dt.date(1990, 5, 6), "2")), "调入"],
                  [*member_row("C-A-2", name="王建国", sex="男", birth=dt.date(1978, 11, 2)), ""])
    page.goto(f"{base}/party/roster/import/")
    page.set_input_files("input[type=file]", str(first))
    page.click("form.import-form button[type=submit]")
    page.wait_for_url("**/import/jobs/*/mapping/")
    assert page.locator("h1").inner_text() == "导入党员花名册：确认列映射"
    main = page.locator("main").inner_text()
    assert "缺少必填列「所在党组织」" in main and "K 列「支部代码」" in main and "O 列「备注」" in main
    preview = page.locator("table.mapping-preview").inner_text()
    assert "李春梅" in preview and "王建国" in preview and make_id(dt.date(1990, 5, 6), "2") not in preview
    assert not Membership.objects.filter(person__name="李春梅").exists()
    assert _no_sideways_scroll(page)
    page.screenshot(path=str(shots / "mapping-1366.png"), full_page=True)

    # 2. change one mapping: 支部代码 → 所在党组织, preview again
    page.select_option("select[aria-label^='第 K 列']", "organization")
    page.click("button[name=action][value=preview]")
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "缺少必填列" not in main and "所在党组织" in page.locator("table.mapping-preview thead").inner_text()
    assert "C-A-2" in page.locator("table.mapping-preview").inner_text()

    # 3. save the mapping as a named layout
    page.fill("input[name=layout_name]", "乡镇花名册")
    page.click("button[name=action][value=save]")
    page.wait_for_load_state()
    assert "已保存导入版式「乡镇花名册」" in page.locator("main").inner_text()
    layout = ImportLayout.objects.get()
    assert layout.organization == tree.town_a and layout.mapping["支部代码"] == "organization"
    assert page.locator("select[aria-label^='第 K 列']").input_value() == "organization"  # kept on the page

    # the phone view of the same page
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    assert _no_sideways_scroll(page)
    page.screenshot(path=str(shots / "mapping-390.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 768})

    # 4. import, 5. the result
    page.click("button[name=action][value=confirm]")
    page.wait_for_url("**/import/jobs/*/")
    page.wait_for_function("document.querySelector('#job-status') && "
                           "document.querySelector('#job-status').innerText.includes('导入完成')")
    assert "新增 2" in page.locator("#job-status").inner_text()
    page.click("text=读取方式")
    assert "O 列「备注」" in page.locator("details.layout-lines").inner_text()
    page.screenshot(path=str(shots / "mapping-result.png"), full_page=True)
    assert Membership.objects.get(person__name="王建国", end_date__isnull=True).organization == tree.branch_a2

    # 6. the next file of the same layout: choose the saved layout, import
    second = _file(tmp_path / "第二批.xlsx", [*member_row("C-A-1", name="赵红", birth=dt.date(1995, 2, 3), education="",
                                                          id_number=make_id(dt.date(1995, 2, 3), "2")), ""])
    page.goto(f"{base}/party/roster/import/")
    page.set_input_files("input[type=file]", str(second))
    page.click("form.import-form button[type=submit]")
    page.wait_for_url("**/import/jobs/*/mapping/")
    page.select_option("select[name=layout]", str(layout.pk))
    page.click("text=套用版式")
    page.wait_for_url("**/mapping/?layout=*")
    assert "使用的版式" in page.locator("main").inner_text()
    assert page.locator("select[aria-label^='第 K 列']").input_value() == "organization"
    page.click("button[name=action][value=confirm]")
    page.wait_for_url("**/import/jobs/*/")
    page.wait_for_function("document.querySelector('#job-status').innerText.includes('导入完成')")
    assert Membership.objects.get(person__name="赵红").organization == tree.branch_a1
    assert ImportJob.objects.filter(status="succeeded").count() == 2
    # 学历 was empty: imported, but counted as incomplete
    assert "学历" in page.locator("#job-status").inner_text()

    # 7. the quality report of the town: 赵红 lacks 学历, linked to her page
    page.goto(f"{base}/reports/quality/?org=C-A")
    page.click("text=缺学历")
    page.wait_for_url("**check=missing_education*")
    listed = page.locator("main table").last
    assert "赵红" in listed.inner_text() and "王建国" not in listed.inner_text()
    page.screenshot(path=str(shots / "quality-1366.png"), full_page=True)
    page.click("main table >> text=赵红")
    page.wait_for_url("**/people/*/")
    assert "赵红" in page.locator("h1").inner_text()
    assert [e for e in page.console_errors if "inline style" not in e and "status of 404" not in e] == []
