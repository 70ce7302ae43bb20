"""Browser journey (Playwright + headless Chromium, strict CSP): log in, upload a roster through the
script upload (progress bar), land on the job page, see the errors, fix the file, import it."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import PASSWORD, build_tree
from tests.imports.helpers import ROSTER_HEADERS, confirm_mapping_in_browser, member_row, xlsx
from zugong.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_roster_upload_journey(page, tmp_path):
    build_tree()
    base = page.base_url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "town_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button.btn[type=submit]")
    page.wait_for_url(f"{base}/")  # 首页
    page.goto(f"{base}/party/roster/import/")
    assert page.locator("h1").inner_text() == "导入党员花名册"

    bad = member_row(name="吴用")
    bad[6] = "2023-02-30"
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(xlsx([ROSTER_HEADERS, member_row(), bad]))
    page.set_input_files("input[type=file]", str(path))
    page.click("form.import-form button[type=submit]")
    confirm_mapping_in_browser(page)
    assert "共发现 1 处错误" in page.locator("#job-status").inner_text()
    assert "「2023-02-30」不是有效日期" in page.locator("table.errors").inner_text()
    with page.expect_download() as download:
        page.click("text=下载带「错误说明」的原文件")
    assert download.value.suggested_filename.startswith("错误说明_")
    assert not Person.objects.filter(name="吴用").exists()

    path.write_bytes(xlsx([ROSTER_HEADERS, member_row(),
                           member_row("C-A-2", name="吴用", sex="男", birth=dt.date(1979, 3, 3))]))
    page.goto(f"{base}/party/roster/import/")
    page.set_input_files("input[type=file]", str(path))
    page.click("form.import-form button[type=submit]")
    confirm_mapping_in_browser(page)
    assert "导入完成：新增 2，更新 0，未变 0" in page.locator("#job-status").inner_text()
    page.click("text=查看党员名册")
    page.wait_for_url("**/party/members/**")
    assert Person.objects.filter(name="吴用").exists()
    # No script errors and no script-src violations from the import pages. (HTMX's own indicator <style>
    # is refused by the style-src CSP on every page — a base-template setting — and /favicon.ico is 404.)
    mine = [e for e in page.console_errors if "inline style" not in e and "status of 404" not in e]
    assert mine == []
