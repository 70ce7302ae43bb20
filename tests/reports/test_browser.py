"""Browser check of the 党内统计 page under the real CSP: the four ECharts charts render from their
``json_script`` data (no inline script), and the organization picker switches the subtree."""

from __future__ import annotations

import pytest

from tests.factories import PASSWORD
from tests.reports.conftest import build_stats_tree

pytestmark = pytest.mark.browser


@pytest.fixture
def stats_data(transactional_db):
    return build_stats_tree()


def test_stats_page_renders_charts_and_switches_organization(page, stats_data):
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", stats_data.viewer.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(page.base_url + "/reports/party-stats/?org=S&as_of=2024-06-30")
    page.wait_for_selector("[data-chart='chart-era'] canvas")
    assert page.locator("[data-chart] canvas").count() == 4
    assert page.locator("table.communique tr", has_text="一、党员总数").locator("td.num").first.inner_text() == "17"
    assert not [e for e in page.console_errors if "script" in e.lower() or "echarts" in e.lower()]

    page.select_option("select[name=org]", "S-A")  # data-autosubmit
    page.wait_for_url("**org=S-A**")
    assert page.locator("table.communique tr", has_text="一、党员总数").locator("td.num").first.inner_text() == "11"
