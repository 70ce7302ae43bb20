"""Day one in a real browser (issue #8, "Done means"): on an empty database ``zugong setup``, then in Chromium
the new account logs in, changes the scripted password, creates a township committee and its branches
from the organization pages, adds a member by hand, imports a roster into branch 1, moves a member to
branch 2 from the person page — branch 1's roster as of last month still lists them, today's does not —
and dissolves an empty branch. Screenshots of the key steps (1366×768) go to ``ZUGONG_SHOTS`` when set,
else to the test's temporary directory."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.factories import make_id
from tests.imports.helpers import ROSTER_HEADERS, confirm_mapping_in_browser, member_row, xlsx
from zugong.orgs.models import PartyOrganization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SETUP_PASSWORD = "Setup-Passw0rd!2026"
NEW_PASSWORD = "Zg-first-day-7531"


def _main(page) -> str:
    return page.locator("main").inner_text()


def _roster(page, base: str, code: str, as_of: dt.date | None = None) -> tuple[int, str]:
    """(total shown, the table's text) of the roster of ``code``; ``as_of`` typed into the page's date field."""
    page.goto(f"{base}/party/members/?org={code}")
    if as_of is not None:
        page.fill("form.filters input[name=as_of]", as_of.isoformat())
        page.click("form.filters button[type=submit]")
        page.wait_for_url(re.compile(rf".*as_of={as_of.isoformat()}.*"))
    total = int(page.locator(".total strong").inner_text())
    return total, page.locator("table.data").inner_text() if total else ""


def _create_child(page, parent_name: str, *, code: str, name: str, org_type: str, unit: str, founded: str) -> None:
    """From the parent's page: 新增下级组织, fill the form, land on the new organization's page."""
    assert page.locator("h1").inner_text().startswith(parent_name)
    page.click(".toolbar .actions >> text=新增下级组织")
    page.wait_for_url("**/add-child/")
    page.fill("input[name=code]", code)
    page.fill("input[name=name]", name)
    page.select_option("select[name=org_type]", org_type)
    page.select_option("select[name=unit_category]", unit)
    page.fill("input[name=founded_date]", founded)
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/orgs/\d+/$"))
    assert f"已新增下级组织「{name}」" in page.content()
    assert page.locator("h1").inner_text().startswith(name)


def test_day_one(page, tmp_path, monkeypatch):
    shots = Path(os.environ.get("ZUGONG_SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    base = page.base_url
    today = dt.date.today()
    last_month = today - dt.timedelta(days=30)
    assert not PartyOrganization.objects.exists()

    # 1. zugong setup on the empty database, the password from the environment
    monkeypatch.setenv("ZUGONG_SETUP_PASSWORD", SETUP_PASSWORD)
    out = io.StringIO()
    call_command("setup", "--org-code", "X01", "--org-name", "中共某某县委员会", "--org-type", "党委",
                 "--admin", "zzb", "--admin-name", "县委组织部", stdout=out)
    assert "首次登录须修改密码" in out.getvalue()

    # 2. first login: the scripted password must be changed, then 首页
    page.goto(f"{base}/")
    page.wait_for_url("**/accounts/login/**")
    page.fill("input[name=username]", "zzb")
    page.fill("input[name=password]", SETUP_PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url("**/accounts/password/**")
    page.screenshot(path=str(shots / "01-password-change.png"))
    assert "初始密码" in page.locator("main .msg-warn").inner_text()  # not "已过期" on the first login
    page.fill("input[name=old_password]", SETUP_PASSWORD)
    page.fill("input[name=new_password]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert "密码已修改" in page.content() and page.locator("h1").inner_text() == "首页"

    # 3. 组织树 → the root → a township committee, under it two branches
    page.click("nav.sidenav >> text=组织树")
    page.wait_for_url("**/orgs/")
    page.click("text=中共某某县委员会")
    page.wait_for_url(re.compile(r".*/orgs/\d+/$"))
    _create_child(page, "中共某某县委员会", code="X01-01", name="中共甲镇委员会", org_type="committee", unit="township",
                  founded="1998-03-01")
    town_url = page.url
    _create_child(page, "中共甲镇委员会", code="X01-01-01", name="甲镇东村党支部", org_type="branch", unit="village",
                  founded="2001-07-01")
    page.goto(town_url)
    _create_child(page, "中共甲镇委员会", code="X01-01-02", name="甲镇西村党支部", org_type="branch", unit="village",
                  founded="2001-07-01")
    page.goto(town_url)
    page.click("text=下级组织（2）")
    children = page.locator("#tab-children").inner_text()
    assert "甲镇东村党支部" in children and "甲镇西村党支部" in children
    page.screenshot(path=str(shots / "02-township.png"))
    east, west = (PartyOrganization.objects.get(code=c) for c in ("X01-01-01", "X01-01-02"))

    # 4. 新增党员 in branch 1, from the branch's page
    page.click("#tab-children >> text=甲镇东村党支部")
    page.click(".toolbar .actions >> text=新增党员")
    page.wait_for_url("**/party/members/new/?org=X01-01-01")
    assert page.locator("select[name=organization] option:checked").inner_text().strip() == "甲镇东村党支部（X01-01-01）"
    birth = dt.date(1985, 3, 12)
    page.fill("input[name=name]", "孙立新")
    page.select_option("select[name=sex]", "1")
    page.fill("input[name=id_number]", make_id(birth, "1"))
    page.fill("input[name=birth_date]", birth.isoformat())
    page.select_option("select[name=education_level]", "21")
    page.select_option("select[name=category]", "full")
    page.fill("input[name=admission_date]", "2010-06-20")
    page.fill("input[name=full_membership_date]", "2011-06-20")
    page.select_option("select[name=occupation]", label="农牧渔民")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/people/*/")
    assert "已新增党员「孙立新」" in page.content()

    # 5. 导入党员花名册 into branch 1
    roster = tmp_path / "东村花名册.xlsx"
    roster.write_bytes(xlsx([ROSTER_HEADERS,
                             member_row("X01-01-01", name="李春梅", sex="女", birth=dt.date(1990, 5, 6)),
                             member_row("X01-01-01", name="王建国", sex="男", birth=dt.date(1978, 11, 2))]))
    page.click("nav.sidenav >> text=导入党员花名册")
    page.wait_for_url("**/party/roster/import/")
    page.set_input_files("input[type=file]", str(roster))
    page.click("form.import-form button[type=submit]")
    confirm_mapping_in_browser(page)
    page.wait_for_function("document.querySelector('#job-status') && "
                           "document.querySelector('#job-status').innerText.includes('导入完成')")
    assert "新增 2" in page.locator("#job-status").inner_text()
    page.screenshot(path=str(shots / "03-import-done.png"))
    total, table = _roster(page, base, east.code)
    assert total == 3 and all(n in table for n in ("孙立新", "李春梅", "王建国"))

    # 6. on 王建国's page: 转入/调整到其他支部 → branch 2 (today)
    page.click("table.data >> text=王建国")
    page.wait_for_url("**/people/*/")
    page.click("text=党员信息")
    page.click("text=转入/调整到其他支部")
    page.wait_for_url("**/transfer/")
    assert page.locator("input[name=date]").input_value() == today.isoformat()
    page.select_option("select[name=to_organization]", str(west.pk))
    page.screenshot(path=str(shots / "04-transfer.png"))
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/people/*/")
    assert "已办理「王建国」的组织关系转接" in page.content()

    # branch 1 as of last month is unchanged; as of today 王建国 is in branch 2
    total, table = _roster(page, base, east.code, last_month)
    assert total == 3 and "王建国" in table
    page.screenshot(path=str(shots / "05-roster-last-month.png"))
    total, table = _roster(page, base, east.code, today)
    assert total == 2 and "王建国" not in table and "孙立新" in table and "李春梅" in table
    total, table = _roster(page, base, west.code)
    assert total == 1 and "王建国" in table

    # 7. branch 1 still holds members: its dissolution page warns, naming them, and the dissolution is refused
    page.goto(f"{base}/orgs/{east.pk}/")
    page.click(".toolbar .actions >> text=撤销")
    page.wait_for_url("**/dissolve/")
    warning = page.locator("main .messages").inner_text()
    assert "孙立新" in warning and "李春梅" in warning and "王建国" not in warning
    page.fill("input[name=date]", today.isoformat())
    page.fill("textarea[name=reason]", "撤并")
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    refusal = _main(page)
    assert "孙立新" in refusal and "李春梅" in refusal
    assert page.console_errors == ["Failed to load resource: the server responded with a status of 400 (Bad Request)"]
    page.console_errors.clear()  # the refusal's own status
    assert PartyOrganization.objects.get(pk=east.pk).status == "active"

    # 8. a third, empty branch, dissolved from its page
    page.goto(town_url)
    _create_child(page, "中共甲镇委员会", code="X01-01-03", name="甲镇南村党支部", org_type="branch", unit="village",
                  founded="2015-01-01")
    page.click(".toolbar .actions >> text=撤销")
    page.wait_for_url("**/dissolve/")
    page.fill("input[name=date]", today.isoformat())
    page.fill("textarea[name=reason]", "村庄合并")
    page.once("dialog", lambda dialog: dialog.accept())  # 确定撤销「…」？
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/orgs/\d+/$"))
    assert "已撤销「甲镇南村党支部」" in page.content()
    assert "已撤销" in page.locator("h1").inner_text()
    basic = page.locator("#tab-basic").inner_text()
    assert f"{today.isoformat()} 撤销" in basic and "村庄合并" in basic
    page.screenshot(path=str(shots / "06-dissolved.png"))
    page.goto(town_url)
    page.click("text=下级组织（3）")
    row = page.locator("#tab-children tr", has_text="甲镇南村党支部").inner_text()
    assert "已撤销" in row
    assert not page.console_errors
