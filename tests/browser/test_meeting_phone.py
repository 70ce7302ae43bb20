"""记录会议 on a phone (375×667, Playwright + headless Chromium): a 支部书记 opens the quick entry from the
meeting list, picks the type, date (the roster of that date is swapped in) and topic, taps one absentee as 请假 with a reason, saves, and finds the
meeting in the list; the stored row is checked. The page must not scroll sideways and its tap targets are
at least 40 px high.

Screenshots go to ``$ZUGONG_SCREENSHOTS`` when set (for a reviewer to look at)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.factories import PASSWORD, build_tree
from zugong.life.models import Meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    folder = os.environ.get("ZUGONG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_secretary_records_a_meeting_on_a_phone(page):
    t = build_tree()
    base = page.base_url
    page.set_viewport_size({"width": 375, "height": 667})
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "branch_a1")
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/life/meetings/?org=C-A-1")
    page.get_by_role("link", name="记录会议").click()
    page.wait_for_url(f"**/life/orgs/{t.branch_a1.pk}/record/")
    page.locator(f"li.qe-member[data-person='{t.member_a1_1.pk}']").wait_for()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    _shot(page, "meeting-quick-entry-375")

    page.select_option("select[name=meeting_type]", "general_meeting")
    page.fill("input[name=date]", "2025-01-10")
    # the roster is swapped for the one of the chosen date (HTMX) before anyone is tapped
    page.locator("#qe-roster legend", has_text="2025-01-10 的党员名单").wait_for()
    page.fill("input[name=topic]", "学习党的二十届三中全会精神")
    page.fill("input[name=presenter]", "张伟")
    page.fill("input[name=recorder]", "李娜")
    zhang = page.locator(f"li.qe-member[data-person='{t.member_a1_1.pk}']")
    reason = zhang.locator(f"input[name=rs_{t.member_a1_1.pk}]")
    assert not reason.is_visible()  # shown only once 请假 / 缺席 is tapped
    leave = zhang.locator("label.qe-leave")
    assert leave.bounding_box()["height"] >= 40
    leave.click()
    reason.wait_for(state="visible")
    reason.fill("外出培训")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    _shot(page, "meeting-quick-entry-375-absentee")
    page.get_by_role("button", name="保存").click()

    page.wait_for_url("**/life/meetings/?org=C-A-1")
    page.locator("table.meeting-table >> text=学习党的二十届三中全会精神").wait_for()
    assert "已记录支部党员大会" in page.locator("ul.messages").inner_text()
    _shot(page, "meeting-list-375")

    meeting = Meeting.objects.get(topic="学习党的二十届三中全会精神")
    assert (meeting.organization_id, str(meeting.date), meeting.meeting_type) == (t.branch_a1.pk, "2025-01-10",
                                                                                   "general_meeting")
    assert (meeting.expected_count, meeting.attended_count, meeting.presenter, meeting.recorder) == (2, 1, "张伟", "李娜")
    rows = {r.person_id: (r.status, r.reason) for r in meeting.attendances.all()}
    assert rows == {t.member_a1_1.pk: ("leave", "外出培训"), t.member_a1_2.pk: ("present", "")}
    assert not page.console_errors, page.console_errors
