"""The 党内统计年报 page in a real browser (Playwright, headless Chromium), on a hand-made report (the
engine is replaced where the views call it): the page fits 1366×768 and a phone's width (the wide tables
scroll inside their frame, not the page), a figure opens the records it counts, and 导出Excel downloads
the workbook while the "file is being generated" indicator shows and then goes.

Screenshots go to ``$ZUGONG_SCREENSHOTS`` when set (for a reviewer to look at)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.factories import PASSWORD, build_tree
from tests.reports.annual_sample import figure, sample_report
from zugong.core.errors import OutOfScope
from zugong.orgs.models import PartyOrganization
from zugong.people.models import Person
from zugong.reports import annual

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fake_engine(monkeypatch):
    def report(*, user, organization=None, year):
        if not PartyOrganization.objects.restrict(user, "view").filter(pk=organization.pk).exists():
            raise OutOfScope()
        return sample_report(organization, year)

    def records(*, user, organization, year, table, row, column):
        return (Person.objects.restrict(user, "view", "party")
                .filter(memberships__organization__path__startswith=organization.path).distinct().order_by("name"))

    monkeypatch.setattr(annual, "annual_report", report)
    monkeypatch.setattr(annual, "annual_records", records)


def _shot(page, name: str) -> None:
    folder = os.environ.get("ZUGONG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=False)


def _fits(page, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 844 if width < 800 else 768})
    page.wait_for_timeout(200)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width


def test_annual_page_figures_records_and_download(page, fake_engine):
    build_tree()
    base = page.base_url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "county")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.click("nav >> text=党内统计年报")
    page.wait_for_url("**/reports/annual/")
    assert page.locator("h1").inner_text().startswith("党内统计年报 · 某县委")
    page.fill("input[name=year]", "2023")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/reports/annual/?org=C&year=2023")
    _fits(page, 1366)
    _shot(page, "annual-1366")
    page.locator("#table-2").scroll_into_view_if_needed()
    _shot(page, "annual-1366-table2")
    _fits(page, 390)
    _shot(page, "annual-390")
    page.locator("#table-43").scroll_into_view_if_needed()
    _shot(page, "annual-390-table43")
    page.set_viewport_size({"width": 1366, "height": 768})

    # a figure opens the records it counts
    cell = page.locator('#table-2 tr[data-row="总计"] td[data-column="女"] a')
    assert cell.inner_text() == str(figure(2, 1, 3))
    cell.click()
    page.wait_for_url("**/reports/annual/records/**")
    assert "总计 · 女" in page.locator("h1").inner_text()
    assert page.locator("table.annual-records tbody tr").count() >= 3
    _fits(page, 390)
    _shot(page, "annual-records-390")
    page.set_viewport_size({"width": 1366, "height": 768})
    _shot(page, "annual-records-1366")
    page.go_back()

    # 导出Excel: the indicator shows while the file is made, the workbook arrives, the indicator goes
    with page.expect_download() as info:
        page.click("text=导出Excel")
    download = info.value
    assert download.suggested_filename == "党内统计年报_C_2023.xlsx"
    wb = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert wb.sheetnames[0] == "第一表 党员数量变化情况"
    page.wait_for_selector("#download-indicator", state="hidden")
    assert not page.console_errors
