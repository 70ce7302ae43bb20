"""The roster's pager (首页 上一页 下一页 末页, 跳至第 N 页) in a browser with JavaScript turned off, at phone width
(375×667): the links and the jump form work as plain HTML, the pager wraps instead of widening the page.

Screenshots go to ``$ZUGONG_SCREENSHOTS`` when set (for a reviewer to look at)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests import factories
from tests.factories import PASSWORD, build_tree

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _names(page) -> list[str]:
    return page.locator("table.roster-table tbody tr td:nth-child(2)").all_inner_texts()


def test_pager_without_javascript_on_a_phone(browser, live_server):
    t = build_tree()
    for i in range(41):  # 45 members with the tree's four: pages of 20, 20, 5
        factories.make_member(t.branch_a2, f"翻页{i:02d}", birth_date=dt.date(1970, 1, 1) + dt.timedelta(days=i))
    context = browser.new_context(viewport={"width": 375, "height": 667}, locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15000)
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "county")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/party/members/?per_page=20&sort=birth_date&as_of=2025-06-01")
    pager = page.locator("nav.pager")
    assert "共 45 人" in page.locator(".toolbar .total").inner_text()
    assert "第 1 页 / 共 3 页" in pager.inner_text()
    first = _names(page)
    assert len(first) == 20
    # the pager fits the phone's width (it wraps), and the page itself does not scroll sideways
    box = pager.bounding_box()
    assert box["width"] <= 375
    folder = os.environ.get("ZUGONG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        pager.scroll_into_view_if_needed()
        page.screenshot(path=str(Path(folder) / "roster-pager-phone.png"), full_page=False)

    pager.get_by_role("link", name="下一页").click()
    assert "第 2 页" in page.locator("nav.pager").inner_text()
    second = _names(page)
    assert len(second) == 20 and not set(first) & set(second)
    page.locator("nav.pager").get_by_role("link", name="末页").click()
    assert "第 3 页" in page.locator("nav.pager").inner_text() and len(_names(page)) == 5
    page.locator("nav.pager").get_by_role("link", name="上一页").click()
    assert _names(page) == second
    # 跳至第 [1] 页: a plain GET form that keeps the sort, the date and the page size
    page.fill("nav.pager input[name=page]", "1")
    page.locator("nav.pager").get_by_role("button", name="跳转").click()
    assert _names(page) == first and "sort=birth_date" in page.url and "per_page=20" in page.url
    context.close()
