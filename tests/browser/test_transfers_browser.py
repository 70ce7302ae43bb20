"""组织关系转接 in a real browser (Playwright, headless Chromium): branch A1's secretary (甲镇) sends a member
to branch B1 of another township (乙镇) from the person page, picking the receiving branch in the search that
reaches outside the scope; branch B1's secretary finds it in the home page's to-do, does not see the member
before accepting, accepts, and then sees them on the roster; the sender's roster no longer lists them. The
pages fit 1366×768."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD, build_tree
from zugong.party.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username: str) -> None:
    base = page.base_url
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/")


def _fits(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366


def test_send_to_another_township_and_accept(page):
    tree = build_tree()
    base = page.base_url
    zhang = tree.member_a1_1

    _login(page, "branch_a1")
    page.goto(f"{base}/people/{zhang.pk}/")
    page.click("text=党员信息")
    page.click("text=组织关系转接（转往其他党组织）")
    page.wait_for_url(f"**/party/members/{zhang.pk}/transfers/new/")
    page.fill("input[name=q]", "乙镇机关")
    page.locator("#picker-results input[value='C-B-1']").check()
    _fits(page)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/party/transfers/*/")
    assert "已向「乙镇机关党支部」发出「张伟」的组织关系转接，待对方接收。" in page.content()
    assert "打印介绍信（Word）" in page.content()

    _login(page, "branch_b1")
    page.click("text=1 项组织关系转接待本组织接收或退回")
    page.wait_for_url("**/party/transfers/?box=incoming&state=pending")
    _fits(page)
    page.goto(f"{base}/party/members/")
    assert "张伟" not in page.locator("main").inner_text()
    page.goto(f"{base}/party/transfers/?box=incoming")
    page.click("table.transfer-table a:text-is('接收')")
    page.wait_for_url("**/accept/")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/people/{zhang.pk}/")
    assert "已接收「张伟」的组织关系" in page.content()
    page.goto(f"{base}/party/members/")
    assert "张伟" in page.locator("table.data").inner_text()

    _login(page, "branch_a1")
    page.goto(f"{base}/party/members/")
    assert "张伟" not in page.locator("main").inner_text()
    assert Membership.objects.get(person=zhang, end_date__isnull=True).organization_id == tree.branch_b1.pk
