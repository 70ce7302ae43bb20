"""The demo's 党内统计年报 (``reports.annual.annual_report``, issue #10): for the county and for a 乡镇, in
2023 and 2022, every consistency check (逻辑校验) passes and 第一表 reconciles (本年底应有数 = 本年底实有数),
with the figures counted straight from the records (``annual_counts.first_table``).

These tests need the annual-report engine (written in parallel); they pass once it is merged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from tests.demo.annual_counts import first_table
from zugong.demo import distributions as D
from zugong.demo.accounts import create_demo_accounts
from zugong.demo.generator import demo_root, generate
from zugong.orgs.models import PartyOrganization
from zugong.reports.annual import annual_report

YEAR = D.REFERENCE_DATE.year
FIRST_TABLE = "党员数量变化情况"


@pytest.fixture
def demo(db):
    summary = generate(scale=100_000, seed=2023, workers=0)
    root = demo_root()
    create_demo_accounts(root)
    user = get_user_model().objects.get(username="zzb")
    township = PartyOrganization.objects.filter(path__startswith=root.path, unit_category="township",
                                                org_type="committee").order_by("path").first()
    return summary, root, township, user


def _failed(report) -> list:
    return [(c.name, c.expected, c.actual, [(r.name, r.organization, r.reason) for r in c.records[:5]])
            for c in report.checks if not c.ok]


@pytest.mark.parametrize("year", [YEAR, YEAR - 1])
def test_the_county_report_passes_every_check(demo, year):
    summary, root, _, user = demo
    report = annual_report(user=user, organization=root, year=year)
    assert report.year == year and report.as_of == dt.date(year, 12, 31)
    assert report.checks, "the report lists its consistency checks"
    assert report.ok and not _failed(report), _failed(report)
    table = report.tables[FIRST_TABLE]
    assert table["本年底应有数"] == table["本年底实有数"] and table["实有数与应有数之差"] == 0
    assert table == first_table(root, year)
    if year == YEAR:
        assert table["本年底实有数"] == summary.members
        assert table["本年增加"]["发展党员"] == summary.developed
        for part in ("本年增加", "本年减少"):  # every kind of change occurs in the demo's reference year
            assert all(n > 0 for n in table[part].values()), table[part]
    data = report.to_json()
    assert data["年度"] == year and data["截至日期"] == f"{year}-12-31" and data[FIRST_TABLE] == table


def test_a_township_report_passes_every_check(demo):
    """A subtree: transfers from and to other 乡镇 count as 转入 / 转出 of the 乡镇 and the books still
    balance."""
    _, _, township, user = demo
    for year in (YEAR - 1, YEAR):
        report = annual_report(user=user, organization=township, year=year)
        assert report.ok and not _failed(report), (year, _failed(report))
        table = report.tables[FIRST_TABLE]
        assert table == first_table(township, year)
        assert table["实有数与应有数之差"] == 0
