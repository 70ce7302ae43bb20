"""Issue #11's journey, end to end in a browser (Playwright + headless Chromium): "A branch secretary records
a quarter of meetings from a phone-sized browser; the county organization department sees which branches
are behind and why."

- "Today" is pinned to 2025-10-20 (``django.utils.timezone.localdate``, which the pages, the services and
  the compliance engine all ask): the 2025Q3 评比 is made just after the quarter, as in real life, and the
  year 2025 has not ended, so the yearly rules (组织生活会, 民主评议党员, …) are not owed yet and a branch
  that held the quarter's 三会一课 and 主题党日 is fully met whatever the real date of the run.
- At 375×667 the secretary of 甲镇机关党支部 (C-A-1, 5 members) records through the quick entry
  (「记录会议」 on the meeting list): 主题党日 in July, August and September 2025, one 支部党员大会 and one
  党课 (书记讲党课), one member 请假 with a reason at the 党员大会; each save lands in the list with its
  message.
- At 1366×768 the county's 组织部门 sees the monthly to-do on the home page, opens 「三会一课晾晒」 from
  the navigation, picks 2025年第三季度 in the period picker, and reads: C-A-1 fully met (100%, each rule's
  已开/应开), C-A-2 and C-B-1 ranked ahead of it at 0% with their missing periods; the drill-down of C-A-2
  shows the missing months and quarters with the regulation's articles.

Only explicit waits (URLs, selectors, texts); no sleeps. Screenshots go to ``$ZUGONG_SCREENSHOTS`` when set."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.utils import timezone

from tests.factories import PASSWORD, build_tree, make_member
from zugong.life.models import Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = dt.date(2025, 10, 20)
WAIT = 20000  # ms: generous for 2 shared cores, bounded


def _shot(page, name: str) -> None:
    folder = os.environ.get("ZUGONG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def _login(page, username: str) -> None:
    base = page.base_url
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/", timeout=WAIT)
    page.locator("#todo-title").wait_for(timeout=WAIT)


@pytest.fixture
def pinned_today(monkeypatch):
    """``timezone.localdate()`` (without arguments) is ``TODAY`` in the test and in the live server's thread."""
    original = timezone.localdate

    def localdate(value=None, timezone=None):
        if value is None and timezone is None:
            return TODAY
        return original(value, timezone)

    monkeypatch.setattr(timezone, "localdate", localdate)
    return TODAY


def _record(page, t, *, meeting_type: str, date: str, topic: str, leave: tuple | None = None,
            secretary_lecture: bool = False) -> None:
    """From the meeting list of C-A-1: 「记录会议」, fill the quick entry, save, and wait for the list."""
    page.get_by_role("link", name="记录会议").click()
    page.wait_for_url(f"**/life/orgs/{t.branch_a1.pk}/record/", timeout=WAIT)
    page.locator(f"li.qe-member[data-person='{t.member_a1_1.pk}']").wait_for(timeout=WAIT)
    page.select_option("select[name=meeting_type]", meeting_type)
    page.fill("input[name=date]", date)
    # the roster of the chosen date is swapped in (HTMX) before anyone is tapped
    page.locator("#qe-roster legend", has_text=f"{date} 的党员名单").wait_for(timeout=WAIT)
    page.locator("#qe-roster legend", has_text="共 5 人").wait_for(timeout=WAIT)
    page.fill("input[name=topic]", topic)
    page.fill("input[name=presenter]", "张伟")
    page.fill("input[name=recorder]", "李娜")
    if leave:
        person, reason_text = leave
        row = page.locator(f"li.qe-member[data-person='{person.pk}']")
        reason = row.locator(f"input[name=rs_{person.pk}]")
        row.locator("label.qe-leave").click()
        reason.wait_for(state="visible", timeout=WAIT)
        reason.fill(reason_text)
        assert row.locator("input[value=leave]").is_checked()
    if secretary_lecture:
        page.locator("details.qe-more > summary").click()
        page.locator("input[name=lecturer]").wait_for(state="visible", timeout=WAIT)
        page.fill("input[name=lecturer]", "张伟")
        page.locator("input[name=secretary_lecture]").check()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/life/meetings/?org=C-A-1", timeout=WAIT)
    page.locator("table.meeting-table", has_text=topic).wait_for(timeout=WAIT)
    attended = 4 if leave else 5
    page.locator("ul.messages", has_text=f"「{topic}」：应到 5 人，实到 {attended} 人").wait_for(timeout=WAIT)


def test_secretary_records_a_quarter_and_the_county_sees_who_is_behind(page, pinned_today):
    t = build_tree()
    # C-A-1 gets three more members (5 in all), so 应到 / 实到 are real numbers
    extra = [make_member(t.branch_a1, name, birth_date=dt.date(1980 + i, 3, 1 + i))
             for i, name in enumerate(("赵敏", "孙磊", "周洁"))]
    base = page.base_url

    # ---- the secretary, on a phone ------------------------------------------------------------------------
    page.set_viewport_size({"width": 375, "height": 667})
    _login(page, "branch_a1")
    page.goto(f"{base}/life/meetings/?org=C-A-1")
    page.get_by_role("link", name="记录会议").wait_for(timeout=WAIT)
    plan = [
        ("theme_day", "2025-07-01", "七一主题党日：重温入党誓词", None, False),
        ("general_meeting", "2025-07-15", "学习贯彻党的二十届三中全会精神", (extra[0], "外出培训"), False),
        ("theme_day", "2025-08-05", "八月主题党日：走访困难群众", None, False),
        ("party_lecture", "2025-08-26", "书记讲党课：严守政治纪律", None, True),
        ("theme_day", "2025-09-09", "九月主题党日：防汛志愿服务", None, False),
    ]
    for meeting_type, date, topic, leave, secretary_lecture in plan:
        _record(page, t, meeting_type=meeting_type, date=date, topic=topic, leave=leave,
                secretary_lecture=secretary_lecture)
    assert page.locator("table.meeting-table tbody tr").count() == 5
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375  # the list scrolls in its own box
    _shot(page, "journey-secretary-list-375")

    # the records, as stored
    rows = {m.topic: m for m in Meeting.objects.filter(organization=t.branch_a1)}
    assert {topic: (m.meeting_type, str(m.date), m.expected_count, m.attended_count, m.secretary_lecture)
            for topic, m in rows.items()} == {
        topic: (meeting_type, date, 5, 4 if leave else 5, secretary_lecture)
        for meeting_type, date, topic, leave, secretary_lecture in plan}
    general = rows["学习贯彻党的二十届三中全会精神"]
    absent = {(a.person_id, a.status, a.reason) for a in general.attendances.exclude(status="present")}
    assert absent == {(extra[0].pk, "leave", "外出培训")}
    assert general.attendances.filter(status="present").count() == 4
    assert all(m.attendances.filter(status="present").count() == 5 for topic, m in rows.items() if m != general)
    assert not Meeting.objects.exclude(organization=t.branch_a1).exists()

    # ---- the county's organization department, at a desk ---------------------------------------------------
    page.set_viewport_size({"width": 1366, "height": 768})
    _login(page, "county")
    # the monthly 通报 as a to-do: two branches (C-A-2, C-B-1) held no 主题党日 in September
    page.locator("ul.todo-list li", has_text="2 个党支部 2025年9月 组织生活未按要求落实").wait_for(timeout=WAIT)
    page.locator("nav.sidenav a", has_text="三会一课晾晒").click()
    page.wait_for_url("**/life/compliance/**", timeout=WAIT)
    page.locator("#compliance-ranking").wait_for(timeout=WAIT)
    page.select_option("#period-select", "2025Q3")
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**/life/compliance/?org=C&period=2025Q3", timeout=WAIT)
    page.locator("h1", has_text="2025年第三季度").wait_for(timeout=WAIT)
    ranking = page.locator("#compliance-ranking")
    ranking.locator("tbody tr[data-org='C-A-1']").wait_for(timeout=WAIT)
    _shot(page, "journey-county-ranking-1366")

    assert page.locator("#summary-branches").inner_text() == "3"
    assert page.locator("#summary-behind").inner_text() == "2"
    # lowest first: the two branches without any meeting, then C-A-1
    order = ranking.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.org)")
    assert order == ["C-A-2", "C-B-1", "C-A-1"]
    headers = ranking.locator("thead th").all_inner_texts()
    rule_keys = headers[3:]
    for key in ("支部党员大会", "党课", "主题党日"):
        assert key in rule_keys, headers

    def cells(code: str) -> dict[str, str]:
        texts = ranking.locator(f"tbody tr[data-org='{code}'] td").all_inner_texts()
        return dict(zip(rule_keys, texts[3:], strict=True))

    met = ranking.locator("tbody tr[data-org='C-A-1']")
    assert met.locator("td").nth(2).inner_text() == "100.0%"
    assert "behind" not in (met.get_attribute("class") or "")
    assert met.locator("td.cell-missing").count() == 0
    a1 = cells("C-A-1")
    assert (a1["支部党员大会"], a1["党课"], a1["主题党日"]) == ("1/1", "1/1", "3/3")
    assert a1["组织生活会"] == "进行中"  # the year 2025 has not ended: not owed yet
    for code in ("C-A-2", "C-B-1"):
        row = ranking.locator(f"tbody tr[data-org='{code}']")
        assert row.locator("td").nth(2).inner_text() == "0.0%"
        assert "behind" in row.get_attribute("class")
        got = {key: " ".join(text.split()) for key, text in cells(code).items()}
        assert got["主题党日"] == "0/3 缺 2025-07、2025-08、2025-09", got
        assert got["支部党员大会"] == "0/1 缺 2025Q3", got
        assert got["党课"] == "0/1 缺 2025Q3", got
    assert "第十七条" in page.locator("section.card", has_text="考核要求").inner_text()

    # drill-down: why 甲镇东村党支部 is behind
    ranking.locator("tbody tr[data-org='C-A-2'] a", has_text="甲镇东村党支部").click()
    page.wait_for_url("**/life/compliance/branch/?org=C-A-2&period=2025Q3", timeout=WAIT)
    grid = page.locator("#compliance-grid")
    grid.wait_for(timeout=WAIT)
    page.locator("h1", has_text="甲镇东村党支部").wait_for(timeout=WAIT)
    _shot(page, "journey-county-drilldown-1366")
    theme = grid.locator("tbody tr[data-rule='theme_day_monthly']")
    assert "第十七条" in theme.locator("th.rule-name").inner_text()
    for month in ("2025-07", "2025-08", "2025-09"):
        cell = theme.locator(f"td[data-period='{month}']")
        assert "status-missing" in cell.get_attribute("class")
        assert " ".join(cell.inner_text().split()) == "0/1 缺"
    assert "status-in_progress" in theme.locator("td[data-period='2025-10']").get_attribute("class")
    general_row = grid.locator("tbody tr[data-rule='general_meeting_quarterly']")
    assert "第十一条" in general_row.locator("th.rule-name").inner_text()
    assert "status-missing" in general_row.locator("td[data-period='2025Q3']").get_attribute("class")
    lecture_row = grid.locator("tbody tr[data-rule='party_lecture_quarterly']")
    assert "第十六条" in lecture_row.locator("th.rule-name").inner_text()
    assert "status-missing" in lecture_row.locator("td[data-period='2025Q3']").get_attribute("class")
    summary = " ".join(page.locator("p", has_text="未达标：").inner_text().split())
    assert "主题党日 缺 2025-01、2025-02、2025-03、2025-04、2025-05、2025-06、2025-07、2025-08、2025-09" in summary
    assert "支部党员大会 缺 2025Q1、2025Q2、2025Q3" in summary
    assert page.locator("#compliance-meetings", has_text="本年没有会议记录").count() == 1
    assert not page.console_errors, page.console_errors
