"""The 三会一课晾晒 pages (``life.compliance_views``), the xlsx and the home-page to-do items
(``life.todos``). Dates are relative to the pinned "today" of the test run."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.security.helpers import login
from zugong.audit.models import AuditEvent
from zugong.life.compliance import make_period
from zugong.life.compliance_export import compliance_xlsx
from zugong.life.models import Meeting
from zugong.life.todos import compliance_overdue
from zugong.orgs.services import organization_create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year - 1  # a whole ended year


def meet(org, meeting_type, day, topic=None):
    return Meeting.objects.create(organization=org, meeting_type=meeting_type, date=day,
                                  topic=topic or f"{meeting_type} {day}", expected_count=5, attended_count=4)


def full_year(org, year=YEAR):
    """Every shipped requirement of a branch without committee or groups met in ``year``."""
    for m in range(1, 13):
        meet(org, "theme_day", dt.date(year, m, 8))
    for m in (1, 4, 7, 10):
        meet(org, "general_meeting", dt.date(year, m, 9))
        meet(org, "party_lecture", dt.date(year, m, 10))
    Meeting.objects.filter(organization=org, meeting_type="party_lecture", date=dt.date(year, 4, 10)) \
        .update(secretary_lecture=True)
    for mtype in ("organizational_life_meeting", "member_evaluation", "heart_to_heart_talk"):
        meet(org, mtype, dt.date(year, 12, 5))


def client(user) -> Client:
    return login(Client(), user)


def page(user, name="life:compliance", **params):
    return client(user).get(reverse(name), params)


# ----- ranking ------------------------------------------------------------------------------------------------


def test_ranking_lowest_first_with_cells_and_missing_periods(tree):
    full_year(tree.branch_a1)
    meet(tree.branch_a2, "theme_day", dt.date(YEAR, 3, 8), topic="东村三月主题党日")
    response = page(tree.county_user, org="C", period=str(YEAR))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["branch"].code for r in rows][-1] == "C-A-1"  # the complete branch is last
    assert rows[-1]["branch"].rate == 100.0
    a2 = next(r for r in rows if r["branch"].code == "C-A-2")
    assert a2["branch"].rate < 10
    keys = [r.key for r in response.context["report"]["rules"]]
    cells = dict(zip(keys, a2["cells"], strict=True))
    assert cells["支部党员大会"] == ("cell-missing", "0/4", [f"{YEAR}Q1", f"{YEAR}Q2", f"{YEAR}Q3", f"{YEAR}Q4"])
    assert cells["主题党日"][1] == "1/12"  # 东村: 1 held of 12 owed
    html = response.content.decode()
    assert f'缺 <span class="nw">{YEAR}Q1</span>、<span class="nw">{YEAR}Q2</span>' in html
    assert response.context["report"]["behind"] == 2 and response.context["report"]["branches"] == 3


def test_rules_with_no_ended_period_show_in_progress_not_zero_of_zero(tree):
    """The current year's rules have no ended period yet: 「进行中」, as the drill-down says, not 「0/0」."""
    response = page(tree.county_user, org="C", period=str(TODAY.year))
    keys = [r.key for r in response.context["report"]["rules"]]
    for row in response.context["rows"]:
        cells = dict(zip(keys, row["cells"], strict=True))
        assert cells["组织生活会"] == ("muted in-progress", "进行中", ())
    html = response.content.decode()
    assert '<td class="muted in-progress">进行中</td>' in html
    assert ">0/0<" not in html


def test_monthly_report_is_the_default_and_covers_the_month_its_quarter_and_year(tree):
    response = page(tree.town_user)
    last = TODAY.replace(day=1) - dt.timedelta(days=1)
    period = response.context["period"]
    assert period == make_period("month", last.year, last.month)
    assert response.context["organization"] == tree.town_a
    keys = [r.key for r in response.context["report"]["rules"]]
    assert "主题党日" in keys and "支部党员大会" in keys  # the month's rule and its quarter's


def test_ranking_is_scoped(tree):
    meet(tree.branch_b1, "theme_day", dt.date(YEAR, 3, 8))
    response = page(tree.town_user, period=str(YEAR))
    codes = {r["branch"].code for r in response.context["rows"]}
    assert codes == {"C-A-1", "C-A-2"}
    assert "乙镇机关党支部" not in response.content.decode()
    assert page(tree.town_user, org="C-B", period=str(YEAR)).status_code == 404
    assert page(tree.town_user, org="C-B-1", name="life:compliance_branch").status_code == 404
    assert page(tree.nogrant_user).status_code == 403


def test_bad_period_is_a_400_naming_it(tree):
    response = page(tree.town_user, period="2026Q7")
    assert response.status_code == 400
    assert "「2026Q7」不是有效的期间" in response.content.decode()


def test_ranking_pages(tree, monkeypatch):
    from zugong.life import compliance_views

    monkeypatch.setattr(compliance_views, "PAGE_SIZE", 2)
    first = page(tree.county_user, org="C", period=str(YEAR))
    second = page(tree.county_user, org="C", period=str(YEAR), page=2)
    assert len(first.context["rows"]) == 2 and [r["rank"] for r in second.context["rows"]] == [3]
    assert first.context["next_query"] and not second.context["next_query"]


# ----- drill-down ---------------------------------------------------------------------------------------------


def test_branch_drill_down_lists_meetings_and_marks_missing_periods(tree):
    group = organization_create(code="C-A-1-G1", name="机关第一党小组", org_type="party_group", parent=tree.branch_a1,
                                founded_date=dt.date(YEAR - 1, 1, 1))
    meet(tree.branch_a1, "general_meeting", dt.date(YEAR, 2, 20), topic="一季度党员大会")
    meet(group, "group_meeting", dt.date(YEAR, 5, 6), topic="五月党小组学习")
    response = page(tree.branch_user, name="life:compliance_branch", org="C-A-1", period=str(YEAR))
    assert response.status_code == 200
    html = response.content.decode()
    assert "一季度党员大会" in html and "五月党小组学习" in html and "机关第一党小组" in html
    grid = {row["rule"].key: row for row in response.context["grid"]}
    general = grid["支部党员大会"]
    statuses = {c["p"].period.label: c["p"].status for c in general["cells"]}
    assert statuses == {f"{YEAR}Q1": "met", f"{YEAR}Q2": "missing", f"{YEAR}Q3": "missing", f"{YEAR}Q4": "missing"}
    assert "《中国共产党支部工作条例（试行）》第十一条" in html
    assert f"缺 {YEAR}Q2、{YEAR}Q3、{YEAR}Q4" in html
    assert [m.topic for m in general["cells"][0]["meetings"]] == ["一季度党员大会"]
    assert "支部委员会会议" in [r.key for r in response.context["not_applicable"]]  # no committee recorded


def test_drill_down_of_a_non_branch_says_so(tree):
    response = page(tree.town_user, name="life:compliance_branch", org="C-A")
    assert response.status_code == 200
    assert "不是党支部" in response.content.decode()


# ----- xlsx ---------------------------------------------------------------------------------------------------


def test_xlsx_content_read_back(tree):
    full_year(tree.branch_a1)
    content, filename = compliance_xlsx(user=tree.town_user, organization=tree.town_a,
                                        period=make_period("year", YEAR))
    assert filename == f"组织生活晾晒_C-A_{YEAR}.xlsx"
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value == f"甲镇党委 组织生活落实情况 {YEAR}年度 年度晾晒"
    headers = [c.value for c in ws[2]]
    assert headers[:4] == ["排名", "组织代码", "党组织名称", "落实率(%)"]
    assert headers[4:7] == ["支部党员大会已开", "支部党员大会应开", "支部党员大会缺"]
    rows = {ws.cell(r, 2).value: [c.value for c in ws[r]] for r in (3, 4)}
    assert set(rows) == {"C-A-1", "C-A-2"}  # never the foreign branch
    assert rows["C-A-2"][0] == 1 and rows["C-A-1"][0] == 2  # lowest first
    assert rows["C-A-1"][3] == 100 and rows["C-A-1"][4:7] == [4, 4, None]
    assert rows["C-A-2"][4:7] == [0, 4, f"{YEAR}Q1、{YEAR}Q2、{YEAR}Q3、{YEAR}Q4"]
    assert AuditEvent.objects.filter(kind="export", object_id="C-A").exists()


def test_xlsx_download_needs_export_permission_and_scope(tree):
    ok = page(tree.town_user, name="life:compliance_xlsx", org="C-A", period=str(YEAR))
    assert ok.status_code == 200 and ok["Content-Type"].startswith("application/vnd.openxmlformats")
    assert page(tree.town_user, name="life:compliance_xlsx", org="C-B", period=str(YEAR)).status_code == 404


# ----- to-dos -------------------------------------------------------------------------------------------------


def _last_ended_month():
    day = TODAY.replace(day=1) - dt.timedelta(days=1)
    return make_period("month", day.year, day.month)


def test_branch_secretary_sees_own_branch_overdue_items_only(tree):
    month = _last_ended_month()
    if month.start.year != TODAY.year:
        pytest.skip("in January the current year has no ended period yet")
    for m in range(1, TODAY.month):
        meet(tree.branch_b1, "theme_day", dt.date(TODAY.year, m, 8))
    items_a = compliance_overdue(tree.branch_user)
    texts = [i.text for i in items_a]
    expected = f"本支部 {month.title} 未召开主题党日（《中国共产党支部工作条例（试行）》第十七条）"
    assert expected in texts
    assert all(t.startswith("本支部 ") for t in texts)
    assert all("C-A-1" in i.url for i in items_a)
    assert not any("主题党日" in i.text for i in compliance_overdue(tree.branch_b_user))  # B1 held them
    home_a = client(tree.branch_user).get(reverse("home")).content.decode()
    assert expected in home_a
    home_b = client(tree.branch_b_user).get(reverse("home")).content.decode()
    assert expected not in home_b


def test_organization_department_sees_one_summary_item(tree):
    month = _last_ended_month()
    items = compliance_overdue(tree.county_user)
    assert len(items) == 1
    assert items[0].text == f"某县委 3 个党支部 {month.title} 组织生活未按要求落实（三会一课晾晒）"
    assert f"period={month.label}" in items[0].url and "org=C" in items[0].url
    assert "本支部" not in client(tree.county_user).get(reverse("home")).content.decode()


def test_no_items_when_everything_was_held(tree, django_assert_max_num_queries):
    month = _last_ended_month()
    for branch in (tree.branch_a1, tree.branch_a2):
        meet(branch, "theme_day", month.start)
    user = tree.town_user
    with django_assert_max_num_queries(10):
        items = compliance_overdue(user, today=month.end + dt.timedelta(days=1))
    # only periods ending in that month can be missing: the quarter or the year when it ends then
    assert all("主题党日" not in i.text for i in items)


def test_user_with_grants_on_two_branches_gets_items_per_branch_by_name(tree):
    from tests.factories import make_user

    month = _last_ended_month()
    if month.start.year != TODAY.year:
        pytest.skip("in January the current year has no ended period yet")
    user = make_user("two_branches", "branch_secretary", tree.branch_a1)
    from zugong.accounts.services import grant_role

    grant_role(user=user, role_code="branch_secretary", organization=tree.branch_a2, include_subtree=True)
    texts = [i.text for i in compliance_overdue(user)]
    assert any(t.startswith("甲镇机关党支部 ") for t in texts)
    assert any(t.startswith("甲镇东村党支部 ") for t in texts)
    assert not any("乙镇" in t or t.startswith("本支部") for t in texts)


def test_long_runs_of_missing_periods_are_collapsed(tree):
    today = dt.date(2026, 12, 1)  # nothing recorded: January–November missing
    texts = [i.text for i in compliance_overdue(tree.branch_user, today=today)]
    theme = [t for t in texts if "主题党日" in t]
    source = "（《中国共产党支部工作条例（试行）》第十七条）"
    assert theme == [f"本支部 2026年1月至2026年9月 有 9 期未召开主题党日{source}",
                     f"本支部 2026年10月 未召开主题党日{source}",
                     f"本支部 2026年11月 未召开主题党日{source}"]
    general = [t for t in texts if "支部党员大会" in t]
    assert general == [f"本支部 2026年第{n}季度 未召开支部党员大会（《中国共产党支部工作条例（试行）》第十一条）"
                       for n in ("一", "二", "三")]  # three: not collapsed
