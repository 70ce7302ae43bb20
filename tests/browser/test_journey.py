"""The issue's "done means" journey in a real browser (Playwright, headless Chromium, 1366×768):

a new user logs in with a printed demo account, sees a country-shaped dataset, imports a roster file of
their own, sees the statistics change accordingly, and exports them (statistics and roster)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from tests.factories import make_id
from tests.imports.helpers import confirm_mapping_in_browser
from zugong.demo.accounts import DEMO_PASSWORD, create_demo_accounts
from zugong.demo.generator import demo_root, generate
from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADERS = ["姓名", "性别", "民族", "公民身份号码", "出生日期", "学历", "入党日期", "转正日期", "人员类别", "工作岗位",
           "所在党组织", "参加工作日期", "手机号码", "生产工作一线"]


def _roster_file(path, branch_code: str) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADERS)
    b1, b2 = dt.date(1996, 4, 12), dt.date(1979, 10, 3)
    ws.append(["韩晓梅", "女", "回族", make_id(b1, "2"), b1.isoformat(), "大学本科", "2020-06-28", "2021-06-30",
               "正式党员", "党政机关工作人员", branch_code, "2018-07-01", "13912345678", "否"])
    ws.append(["赵建国", "男", "汉族", make_id(b2, "1"), b2.isoformat(), "高中", "2005-07-01", "2006-07-01", "正式党员",
               "农牧渔民", branch_code, "1997-03-01", "", "是"])
    for row in ws.iter_rows(min_row=2):
        row[3].number_format = "@"
    wb.save(path)


def _stat(page, label: str) -> int:
    """The 人数 cell of the statistics table row whose 项目 cell reads ``label``."""
    rows = page.eval_on_selector_all(
        "table.communique tbody tr",
        "trs => trs.map(tr => Array.from(tr.cells).map(td => td.innerText.trim()))")
    matches = [int(r[1]) for r in rows if r and r[0].split("、")[-1] == label and r[1].isdigit()]
    assert matches, f"no row {label!r} in the statistics table: {rows[:8]}"
    return matches[0]


def test_new_user_journey(page, tmp_path):
    generate(scale=100_000, seed=7, workers=0)  # ~992 members, a whole county-shaped tree
    root = demo_root()
    create_demo_accounts(root)
    today = dt.date.today()
    base = page.base_url
    expected_total = Membership.objects.on(today).filter(person__party_member__admission_date__lte=today).count()
    assert expected_total > 50

    # 1. log in with the printed county account
    page.goto(f"{base}/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", "zzb")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/")
    # 首页: the county's members as of today, then on to the roster from the figure
    assert page.locator("h1").inner_text() == "首页"
    assert page.locator(".stat-card .big").first.inner_text() == str(expected_total)
    page.locator(".stat-card .big a").first.click()
    page.wait_for_url("**/party/members/**")
    assert "党员名册" in page.content()
    assert str(expected_total) in page.locator("main").inner_text()

    # 2. the statistics of the whole county today
    page.goto(f"{base}/reports/party-stats/?org={root.code}&as_of={today.isoformat()}")
    assert _stat(page, "党员总数") == expected_total
    women_before = _stat(page, "女党员")
    minority_before = _stat(page, "少数民族党员")
    assert page.locator("[data-chart] canvas").count() >= 1  # ECharts rendered (no CSP block)

    # 3. import a roster file of their own into a village branch
    branch = PartyOrganization.objects.filter(path__startswith=root.path, org_type="branch").order_by("path").first()
    roster = tmp_path / "我的花名册.xlsx"
    _roster_file(roster, branch.code)
    page.goto(f"{base}/party/roster/import/")
    page.set_input_files("input[type=file]", str(roster))
    page.click("form.import-form button[type=submit]")
    confirm_mapping_in_browser(page)
    page.wait_for_function("document.querySelector('#job-status') && "
                           "document.querySelector('#job-status').innerText.includes('导入完成')")
    assert "新增 2" in page.locator("#job-status").inner_text()

    # 4. the statistics change accordingly
    page.goto(f"{base}/reports/party-stats/?org={root.code}&as_of={today.isoformat()}")
    assert _stat(page, "党员总数") == expected_total + 2
    assert _stat(page, "女党员") == women_before + 1
    assert _stat(page, "少数民族党员") == minority_before + 1
    # on a phone the statistics page fits the screen: no sideways scrolling
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(300)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.set_viewport_size({"width": 1366, "height": 768})

    # 5. export the statistics and the roster
    with page.expect_download() as download:
        page.click("text=导出Excel")
    wb = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    cells = {str(r[0]).strip().split("、")[-1]: r[1] for r in wb.active.iter_rows(values_only=True) if r and r[0] and len(r) > 1}
    assert cells["党员总数"] == expected_total + 2

    page.goto(f"{base}/party/members/?org={branch.code}")
    assert "韩晓梅" in page.locator("main").inner_text()
    # at 1366×768 every column, the ID number's included, is on screen; the tree folds away and stays folded
    page.click("[data-tree-collapse]")
    assert page.locator("[data-tree-split].tree-collapsed").count() == 1
    header = page.locator("th", has_text="公民身份号码").bounding_box()
    assert header["x"] + header["width"] <= 1366
    page.reload()
    assert page.locator("[data-tree-split].tree-collapsed").count() == 1
    page.click("[data-tree-collapse]")
    assert page.locator("[data-tree-split].tree-collapsed").count() == 0
    page.evaluate("""() => { window.indicatorShown = false;
        const box = document.getElementById('download-indicator');
        new MutationObserver(() => { if (!box.hidden) window.indicatorShown = true; })
            .observe(box, {attributes: true}); }""")
    with page.expect_download() as download:
        page.click("text=导出Excel")
    # the "generating…" indicator showed for this download and is gone once the file arrived
    assert "dl=" in download.value.url
    assert page.evaluate("() => window.indicatorShown") is True
    page.wait_for_function("() => document.getElementById('download-indicator').hidden")
    assert "zugong_dl=" not in page.evaluate("() => document.cookie")
    ws = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).active
    rows = list(ws.iter_rows(values_only=True))
    assert [str(h).rstrip("*") for h in rows[0][:len(HEADERS)]] == HEADERS
    names = {r[0] for r in rows[1:]}
    assert {"韩晓梅", "赵建国"} <= names
    id_numbers = {r[3] for r in rows[1:] if r[0] == "韩晓梅"}
    assert all("*" in n for n in id_numbers)  # masked by default

    script_errors = [e for e in page.console_errors if "Content Security Policy" in e or "Uncaught" in e]
    assert script_errors == []
