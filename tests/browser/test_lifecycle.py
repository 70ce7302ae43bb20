"""The member lifecycle in a real browser (Playwright, headless Chromium; issue #10 "Done means"):

- 组织关系转接 from one township to another: 甲镇's party worker sends 吴芳 from 甲镇机关党支部 to 乙镇机关党支部
  (picked by name in the receiving-organization search, although it is outside 甲镇's scope); 乙镇's party
  worker does not see her until accepting the transfer in 组织关系转接, and sees her afterwards.
- 转正 with an extension on the person page: 延长预备期 6个月 when the probation ends, then 延长预备期后转正
  when the extension ends.

Dates are relative to today (every event must lie in the past)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.annual.story import build_tree
from tests.factories import PASSWORD, make_id
from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership, MembershipEvent, MembershipTransfer, PartyMember
from zugong.party.services import member_register
from zugong.people.models import Person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def months_before(day: dt.date, months: int) -> dt.date:
    """The 10th of the month ``months`` before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 10)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, day.day)


def register(code: str, name: str, birth: dt.date, admission: dt.date, full: dt.date | None, sex: str = "2"):
    return member_register(name=name, id_number=make_id(birth, sex), sex=sex, ethnicity="01", birth_date=birth,
                           education_level="21", organization=PartyOrganization.objects.get(code=code),
                           admission_date=admission, full_membership_date=full, occupation="government")


def login(page, username: str) -> None:
    page.goto(f"{page.base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{page.base_url}/")


def open_party_tab(page) -> None:
    """The person page's 党员信息 tab (the member's actions and history live there)."""
    tab = page.locator("a[role=tab]", has_text="党员信息")
    if tab.count():
        tab.first.click()


def second_page(browser, page):
    """Another user's browser window (its own cookies) on the same live server."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    other = context.new_page()
    other.set_default_timeout(15000)
    other.base_url = page.base_url
    other.console_errors = []
    other.on("console", lambda msg: other.console_errors.append(msg.text) if msg.type == "error" else None)
    return context, other


def test_transfer_from_one_township_to_another(page, browser):
    build_tree()
    person = register("X-A-1", "吴芳", dt.date(1990, 8, 20), dt.date(2015, 7, 1), dt.date(2016, 7, 1))
    today = timezone.localdate()
    sent, accepted = today - dt.timedelta(days=10), today - dt.timedelta(days=3)
    base = page.base_url

    # 甲镇 (town_a) sends her from the person page
    login(page, "town_a")
    page.goto(f"{base}/people/{person.pk}/")
    open_party_tab(page)
    page.click(f"a[href='/party/members/{person.pk}/transfers/new/']")
    page.wait_for_url(f"**/party/members/{person.pk}/transfers/new/")
    page.fill("input[name=q]", "乙镇机关")
    pick = page.locator("input[name=to_organization_pick][value='X-B-1']")
    pick.wait_for()
    pick.check()
    page.fill("input[name=date]", sent.isoformat())
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()
    assert "/transfers/new/" not in page.url, page.content()[:2000]
    transfer = MembershipTransfer.objects.get(person=person)
    assert (transfer.state, transfer.to_organization.code, transfer.sent_date) == ("pending", "X-B-1", sent)
    assert Membership.objects.get(person=person, end_date__isnull=True).organization.code == "X-A-1"

    # 乙镇 (town_b) does not see her before accepting
    context, other = second_page(browser, page)
    try:
        login(other, "town_b")
        response = other.goto(f"{base}/people/{person.pk}/")
        assert response.status == 404
        other.console_errors.clear()  # the 404 just asked for
        other.goto(f"{base}/party/members/?org=X-B-1")
        assert "吴芳" not in other.locator("main").inner_text()

        # … finds the transfer among the incoming ones and accepts it
        other.goto(f"{base}/party/transfers/")
        other.click("a:has-text('吴芳')")
        other.wait_for_url(f"**/party/transfers/{transfer.pk}/")
        other.click(f"a[href='/party/transfers/{transfer.pk}/accept/']")
        other.wait_for_url(f"**/party/transfers/{transfer.pk}/accept/")
        other.fill("input[name=date]", accepted.isoformat())
        other.click("form.stack button[type=submit]")
        other.wait_for_load_state()
        assert "/accept/" not in other.url, other.content()[:2000]
        transfer.refresh_from_db()
        assert (transfer.state, transfer.decided_date) == ("accepted", accepted)
        current = Membership.objects.get(person=person, end_date__isnull=True)
        assert (current.organization.code, current.start_date) == ("X-B-1", accepted)
        event = MembershipEvent.objects.get(person=person)
        assert (event.kind, event.date, event.from_organization.code, event.to_organization.code) == (
            "transfer", accepted, "X-A-1", "X-B-1")

        # … and sees her now, on her page and on the branch's roster
        response = other.goto(f"{base}/people/{person.pk}/")
        assert response.status == 200 and "吴芳" in other.content()
        other.goto(f"{base}/party/members/?org=X-B-1")
        assert "吴芳" in other.locator("main").inner_text()
        assert not other.console_errors
    finally:
        context.close()

    # 甲镇's roster no longer lists her
    page.goto(f"{base}/party/members/?org=X-A-1")
    assert "吴芳" not in page.locator("main").inner_text()
    assert not page.console_errors


def test_full_membership_after_an_extended_probation(page):
    build_tree()
    today = timezone.localdate()
    admitted = months_before(today, 20)
    probation_end = add_months(admitted, 12)
    extended_on = probation_end + dt.timedelta(days=5)
    extension_end = add_months(probation_end, 6)
    full_on = extension_end + dt.timedelta(days=7)
    assert full_on < today
    person = register("X-A-1", "钱进", dt.date(1998, 9, 9), admitted, None, sex="1")
    base = page.base_url
    login(page, "town_a")

    def record(detail: str, day: dt.date, months: str = "") -> None:
        page.goto(f"{base}/people/{person.pk}/")
        open_party_tab(page)
        page.click(f"a[href='/party/members/{person.pk}/events/full_membership/']")
        page.wait_for_url(f"**/party/members/{person.pk}/events/full_membership/")
        page.select_option("select[name=detail]", detail)
        if months:
            page.fill("input[name=extension_months]", months)
        page.fill("input[name=date]", day.isoformat())
        page.click("form.stack button[type=submit]")
        page.wait_for_load_state()
        assert f"/people/{person.pk}/" in page.url and "/events/" not in page.url, (
            page.locator("main").inner_text()[:1500])

    # the probation ended: the branch extends it by 6 months
    record("extended", extended_on, "6")
    open_party_tab(page)
    assert "延长预备期" in page.locator("main").inner_text()
    event = MembershipEvent.objects.get(person=person)
    assert (event.kind, event.detail, event.date, event.extension_months) == (
        "full_membership", "extended", extended_on, 6)
    assert PartyMember.objects.get(pk=person.pk).full_membership_date is None

    # the extension ended: 延长预备期后转正
    record("after_extension", full_on)
    open_party_tab(page)
    assert "延长预备期后转正" in page.locator("main").inner_text()
    assert list(MembershipEvent.objects.filter(person=person).order_by("date").values_list("detail", "date")) == [
        ("extended", extended_on), ("after_extension", full_on)]
    assert PartyMember.objects.get(pk=person.pk).full_membership_date == full_on
    assert Person.objects.get(pk=person.pk).political_status == "01"
    assert not page.console_errors
