"""The 干部名册 and a cadre's profile in a real browser (Playwright, headless Chromium) at 1366×768: the
page does not scroll sideways, the unit tree narrows the list, the tabs switch, a résumé line is added
through its form. Screenshots go to ``$ZUGONG_SCREENSHOTS`` when set."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from tests import factories
from tests.factories import PASSWORD
from zugong.accounts.services import grant_role
from zugong.cadres.models import ResumeEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    folder = os.environ.get("ZUGONG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


def _fits(page) -> None:
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366


def test_roster_and_profile_at_1366(page):
    t = factories.build_units(factories.build_tree())
    worker = factories.make_user("cadre_a")
    grant_role(user=worker, role_code="cadre_affairs", unit=t.unit_town_a)
    town = factories.make_cadre(t.unit_town_a, "甲镇干部", current_post_title="甲镇人民政府副镇长（兼）甲镇农业综合服务中心主任")
    factories.make_cadre(t.unit_firm_a, "农机厂干部")
    factories.make_cadre(t.unit_town_b, "乙镇干部")
    ResumeEntry.objects.create(cadre=town, position=0, start_date=dt.date(2002, 9, 1), end_date=dt.date(2006, 7, 1),
                               text="某大学农学院农学专业学习")
    base = page.base_url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "cadre_a")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.click("nav >> text=干部名册")
    page.wait_for_url("**/cadres/")
    assert page.locator("table.cadre-table tbody tr").count() == 2
    assert "乙镇干部" not in page.content()
    _fits(page)
    _shot(page, "cadre-roster-1366")
    page.click(".unit-tree >> text=甲镇农机厂")
    page.wait_for_url("**/cadres/?unit=U-A-E*")
    assert page.locator("table.cadre-table tbody tr").count() == 1

    page.goto(f"{base}/cadres/{town.pk}/")
    _fits(page)
    _shot(page, "cadre-profile-1366")
    page.click(".tablist >> text=简历")
    assert page.locator("#tab-resume").is_visible()
    assert "2002.09--2006.07" in page.locator("#tab-resume").inner_text()
    page.click("#tab-resume >> text=新增简历")
    page.fill("input[name=start_date]", "2006.07")
    page.fill("textarea[name=text]", "甲镇党政办科员")
    page.click("form.form-grid button[type=submit]")
    page.wait_for_url(f"**/cadres/{town.pk}/#tab-resume")
    assert "2006.07--" in page.locator("#tab-resume").inner_text()
    _fits(page)
    _shot(page, "cadre-resume-1366")
