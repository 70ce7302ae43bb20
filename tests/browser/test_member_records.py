"""Member records in a real browser (Playwright, headless Chromium): a township party worker adds a member
from the roster page, then moves them to another branch from the person page; both pages fit 1366×768
and a phone's width (no sideways scrolling)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import PASSWORD, build_tree, make_id
from zugong.party.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _fits(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844 if width < 800 else 768})
    page.wait_for_timeout(200)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_add_member_and_transfer(page):
    tree = build_tree()
    base = page.base_url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "town_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/")  # 首页

    page.goto(f"{base}/party/members/?org=C-A-1")
    page.click("text=新增党员")
    page.wait_for_url("**/party/members/new/?org=C-A-1")
    _fits(page, 1366)
    _fits(page, 390)
    page.set_viewport_size({"width": 1366, "height": 768})
    birth = dt.date(1994, 2, 3)
    page.fill("input[name=name]", "陈晨")
    page.select_option("select[name=sex]", "2")
    page.fill("input[name=id_number]", make_id(birth, "2"))
    page.fill("input[name=birth_date]", birth.isoformat())
    page.select_option("select[name=education_level]", "21")
    page.select_option("select[name=category]", "full")
    page.fill("input[name=admission_date]", "2019-06-28")
    page.fill("input[name=full_membership_date]", "2020-06-28")
    page.select_option("select[name=occupation]", "professional")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/people/*/")
    assert "已新增党员「陈晨」" in page.content()

    page.click("text=党员信息")
    page.click("text=转入/调整到其他支部")
    page.wait_for_url("**/transfer/")
    _fits(page, 390)
    page.set_viewport_size({"width": 1366, "height": 768})
    page.select_option("select[name=to_organization]", str(tree.branch_a2.pk))
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/people/*/")
    assert "已办理「陈晨」的组织关系转接" in page.content()
    codes = list(Membership.objects.filter(person__name="陈晨").order_by("pk")
                 .values_list("organization__code", "end_reason"))
    assert codes == [("C-A-1", "transfer"), ("C-A-2", "")]
    assert not page.console_errors
