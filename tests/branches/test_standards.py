"""党支部达标 (``branches.standards``): each finding with real data shapes and its boundaries, the query count,
the scope of the page, export and API, and the home-page to-dos of the right people."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_member
from zugong.branches.models import BranchOfficer
from zugong.branches.standards import months_before, standards_findings
from zugong.branches.todos import standards_todos
from zugong.orgs.models import OrganizationTerm
from zugong.orgs.services import organization_create
from zugong.party.models import MemberStatus

AS_OF = dt.date(2025, 6, 1)  # a common year before it: one year of standing is 365 days


def _branch(t, code="C-A-9", unit_category="government_organ"):
    return organization_create(code=code, name=f"测试党支部{code}", org_type="branch", parent=t.town_a,
                               unit_category=unit_category, founded_date=dt.date(2000, 1, 1))


def _members(org, n, *, full=True, start=0):
    return [make_member(org, f"党员{start + i}", admission_date=dt.date(2010, 7, 1),
                        full_membership_date=dt.date(2011, 7, 1) if full else None) for i in range(n)]


def _codes(branch, **kwargs) -> dict:
    return {f.code: f for f in standards_findings(user=None, root=branch, as_of=AS_OF, **kwargs)
            if f.organization.pk == branch.pk}


def _officers(org, people, roles=None):
    roles = roles or ["secretary"] + ["committee_member"] * (len(people) - 1)
    for person, role in zip(people, roles, strict=True):
        BranchOfficer.objects.create(organization=org, person=person, role=role, start_date=dt.date(2020, 1, 1))


def test_fewer_than_three_full_members(tree):
    branch = _branch(tree)
    people = _members(branch, 2) + _members(branch, 1, full=False, start=10)
    _officers(branch, people[:1])
    finding = _codes(branch)["few_full_members"]
    assert finding.message == "正式党员 2 人，不足 3 人，不具备单独成立党支部的条件，应与邻近单位的党员成立联合党支部"
    assert finding.article == "《中国共产党支部工作条例（试行）》第二章（组织设置）" and finding.severity == "high"
    _members(branch, 1, start=20)
    assert "few_full_members" not in _codes(branch)  # exactly 3 正式党员 are enough


def test_more_than_fifty_members(tree):
    branch = _branch(tree)
    people = _members(branch, 50)
    _officers(branch, people[:3])
    assert "too_many_members" not in _codes(branch)
    _members(branch, 1, full=False, start=60)  # a 预备党员 counts among the members
    assert _codes(branch)["too_many_members"].message == "党员 51 人，超过 50 人，一般应分设党支部或成立党总支"


def test_seven_full_members_need_a_committee(tree):
    branch = _branch(tree)
    people = _members(branch, 6) + _members(branch, 1, full=False, start=10)
    _officers(branch, people[:2])
    assert "no_committee" not in _codes(branch)  # 6 正式党员 + 1 预备党员: a secretary suffices
    people += _members(branch, 1, start=20)
    finding = _codes(branch)["no_committee"]
    assert finding.message == "正式党员 7 人（7 人以上应设支部委员会），在任班子成员仅 2 人，不足 3 人"
    _officers(branch, people[2:3], ["organization_member"])
    assert "no_committee" not in _codes(branch)


def test_committee_size_above_five_warns_and_above_seven_is_a_finding(tree):
    branch = _branch(tree)
    people = _members(branch, 9)
    _officers(branch, people[:5])
    codes = _codes(branch)
    assert "committee_large" not in codes and "committee_too_large" not in codes
    _officers(branch, people[5:6], ["propaganda_member"])
    assert _codes(branch)["committee_large"].severity == "low"
    _officers(branch, people[6:8], ["discipline_member", "youth_member"])
    codes = _codes(branch)
    assert "committee_large" not in codes
    assert codes["committee_too_large"].message == "支部委员会 8 人，超过 7 人（一般 3 至 5 人）"


def test_secretary_vacant_since_the_last_one_left(tree):
    branch = _branch(tree)
    people = _members(branch, 3)
    assert _codes(branch)["secretary_vacant"].message == "书记空缺（未登记书记），应及时选举或指定书记"
    BranchOfficer.objects.create(organization=branch, person=people[0], role="secretary", start_date=dt.date(2019, 1, 1),
                                 end_date=dt.date(2025, 3, 1))
    finding = _codes(branch)["secretary_vacant"]
    assert finding.since == dt.date(2025, 3, 1) and "自 2025-03-01 起" in finding.message
    BranchOfficer.objects.create(organization=branch, person=people[1], role="secretary", start_date=dt.date(2025, 5, 1))
    assert "secretary_vacant" not in _codes(branch)
    assert "secretary_vacant" in {f.code for f in standards_findings(user=None, root=branch, as_of=dt.date(2025, 4, 1))}


@pytest.mark.parametrize(("days", "found"), [(364, True), (365, False)])
def test_secretary_party_standing_of_one_year(tree, days, found):
    branch = _branch(tree)
    _members(branch, 3)
    secretary = make_member(branch, "书记甲", admission_date=AS_OF - dt.timedelta(days=days + 400),
                            full_membership_date=AS_OF - dt.timedelta(days=days))
    BranchOfficer.objects.create(organization=branch, person=secretary, role="secretary", start_date=dt.date(2025, 1, 1))
    codes = _codes(branch)
    assert ("secretary_standing" in codes) is found
    if found:
        assert codes["secretary_standing"].message == (f"书记「书记甲」转正日期 {(AS_OF - dt.timedelta(days=364)).isoformat()}，"
                                                       "党龄 364 天，不足 1 年（党支部书记一般应具有1年以上党龄）")
        assert codes["secretary_standing"].article == "《中国共产党支部工作条例（试行）》第二十三条"


def test_a_probationary_secretary_has_no_standing(tree):
    branch = _branch(tree)
    _members(branch, 3)
    secretary = make_member(branch, "书记乙", admission_date=dt.date(2024, 12, 1), full_membership_date=None)
    BranchOfficer.objects.create(organization=branch, person=secretary, role="secretary", start_date=dt.date(2025, 1, 1))
    assert "尚未转正" in _codes(branch)["secretary_standing"].message


@pytest.mark.parametrize(("days", "code"), [(91, None), (90, "term_expiring"), (1, "term_expiring"), (0, "term_expired"),
                                            (-30, "term_expired")])
def test_term_reminders(tree, days, code):
    branch = _branch(tree)
    people = _members(branch, 3)
    _officers(branch, people[:1])
    end = AS_OF + dt.timedelta(days=days)
    OrganizationTerm.objects.create(organization=branch, election_date=end.replace(year=end.year - 3),
                                    start_date=end.replace(year=end.year - 3), end_date=end)
    codes = set(_codes(branch)) & {"term_expiring", "term_expired"}
    assert codes == ({code} if code else set())
    if code == "term_expiring":
        assert _codes(branch)[code].due == end and f"本届任期将于 {end.isoformat()} 届满（还有 {days} 天）" in _codes(branch)[code].message
    if code == "term_expired" and days == -30:
        assert "超期 30 天未换届" in _codes(branch)[code].message


def test_an_early_re_election_starts_the_next_term(tree):
    branch = _branch(tree, code="C-A-8", unit_category="village")
    _members(branch, 3)
    OrganizationTerm.objects.create(organization=branch, election_date=dt.date(2020, 7, 1), start_date=dt.date(2020, 7, 1),
                                    end_date=dt.date(2025, 7, 1))
    assert "term_expiring" in _codes(branch)
    OrganizationTerm.objects.create(organization=branch, election_date=dt.date(2025, 5, 1), start_date=dt.date(2025, 5, 1),
                                    end_date=dt.date(2030, 5, 1))
    assert not set(_codes(branch)) & {"term_expiring", "term_expired"}


@pytest.mark.parametrize(("offset", "found"), [(0, True), (1, False)])
def test_lost_contact_over_six_months(tree, offset, found):
    branch = _branch(tree)
    people = _members(branch, 3)
    start = months_before(AS_OF, 6) + dt.timedelta(days=offset)
    MemberStatus.objects.create(person=people[0], organization=branch, kind="lost_contact", start_date=start,
                                lost_situation="migrant_work")
    codes = _codes(branch)
    assert ("lost_contact" in codes) is found
    if found:
        assert codes["lost_contact"].since == dt.date(2024, 12, 1)
        assert codes["lost_contact"].article == "《中国共产党党员教育管理工作条例》第二十四条"
    MemberStatus.objects.filter(person=people[0]).update(end_date=AS_OF)  # contact restored on the day
    assert "lost_contact" not in _codes(branch)


def test_months_before_clamps_to_the_end_of_the_month():
    assert months_before(dt.date(2025, 8, 31), 6) == dt.date(2025, 2, 28)
    assert months_before(dt.date(2025, 6, 1), 6) == dt.date(2024, 12, 1)


def test_party_group_members_count_for_their_branch(tree):
    branch = _branch(tree)
    group = organization_create(code="C-A-9-G1", name="第一党小组", org_type="party_group", parent=branch,
                                founded_date=dt.date(2000, 1, 1))
    _members(branch, 2)
    assert "few_full_members" in _codes(branch)
    _members(group, 1, start=10)
    assert "few_full_members" not in _codes(branch)


def test_queries_do_not_grow_with_the_branches(tree, django_assert_max_num_queries):
    for code in ("C-A-7", "C-A-8", "C-A-9"):
        branch = _branch(tree, code=code)
        _members(branch, 1)
    with django_assert_max_num_queries(8):
        findings = standards_findings(user=tree.county_user, root=tree.county, as_of=AS_OF)
    assert {f.organization.code for f in findings} >= {"C-A-1", "C-A-2", "C-B-1", "C-A-7", "C-A-8", "C-A-9"}


def test_scope_of_findings_page_export_and_api(tree, client):
    client.login(username="branch_a1", password=PASSWORD)
    mine = {f.organization.code for f in standards_findings(user=tree.branch_user, as_of=AS_OF)}
    assert mine == {"C-A-1"}
    page = client.get(reverse("branches:standards"))
    assert page.status_code == 200
    assert [o.code for o in page.context["object_list"]] == ["C-A-1"]
    text = page.content.decode()
    assert "甲镇机关党支部" in text and "乙镇机关党支部" not in text and "正式党员不足3人" in text
    assert client.get(reverse("branches:standards") + "?org=C-B-1").status_code == 404
    assert client.get("/api/branch-standards/?org=C-B-1").status_code == 404
    rows = client.get("/api/branch-standards/").json()
    assert [r["code"] for r in rows] == ["C-A-1"] and rows[0]["findings"][0]["article"]
    xlsx = client.get(reverse("branches:standards_xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == {"C-A-1"}


def test_page_groups_by_kind_and_filters(tree, client):
    OrganizationTerm.objects.create(organization=tree.branch_a2, election_date=dt.date(2021, 1, 5),
                                    start_date=dt.date(2021, 1, 5), end_date=dt.date(2024, 1, 5))
    client.login(username="county", password=PASSWORD)
    page = client.get(reverse("branches:standards") + "?org=C-A&as_of=2025-06-01")
    summary = dict((kind.code, n) for kind, n in page.context["summary"])
    assert summary["few_full_members"] == 2 and summary["term_expired"] == 1 and summary["secretary_vacant"] == 2
    only = client.get(reverse("branches:standards") + "?org=C-A&as_of=2025-06-01&kind=term_expired")
    assert [o.code for o in only.context["object_list"]] == ["C-A-2"]
    assert [g["kind"].code for g in only.context["groups"]] == ["term_expired"]
    bad = client.get(reverse("branches:standards") + "?as_of=2025-13-45")
    assert bad.status_code == 400 and "截至日期" in bad.content.decode()


def test_org_panel_shows_own_findings(tree, client):
    client.login(username="branch_a1", password=PASSWORD)
    page = client.get(reverse("orgs:detail", args=[tree.branch_a1.pk])).content.decode()
    assert "达标情况" in page and 'id="org-standards"' in page and "正式党员 1 人" in page


def test_todos_for_the_right_people(tree):
    today = dt.date.today()
    for branch in (tree.branch_a1, tree.branch_b1):
        OrganizationTerm.objects.create(organization=branch, election_date=dt.date(2023, 1, 1), start_date=dt.date(2023, 1, 1),
                                        end_date=today + dt.timedelta(days=30))
    mine = standards_todos(tree.branch_user, today=today)
    texts = [i.text for i in mine]
    assert any(t.startswith("甲镇机关党支部：本届任期将于") and "请做好换届准备" in t for t in texts)
    assert not any("乙镇" in t for t in texts)
    due = next(i for i in mine if "换届" in i.text)
    assert due.due == today + dt.timedelta(days=30)
    other = [i.text for i in standards_todos(tree.branch_b_user, today=today)]
    assert other and all(t.startswith("乙镇机关党支部：") for t in other)
    county = standards_todos(tree.county_user, today=today)
    summary = next(i for i in county if "换届" in i.text)
    assert summary.text == "2 个党支部任届期满或 90 天内到期，需换届"
    assert summary.url == reverse("branches:standards") + "?kind=term_expired&kind=term_expiring"
    assert not any(i.text.startswith("甲镇机关党支部：") for i in county)
    assert standards_todos(tree.nogrant_user, today=today) == []


def test_home_page_shows_the_secretarys_items(tree, client):
    OrganizationTerm.objects.create(organization=tree.branch_a1, election_date=dt.date(2023, 1, 1),
                                    start_date=dt.date(2023, 1, 1), end_date=dt.date.today() + dt.timedelta(days=10))
    client.login(username="branch_a1", password=PASSWORD)
    page = client.get(reverse("home")).content.decode()
    assert "甲镇机关党支部：本届任期将于" in page and "乙镇机关党支部" not in page


def test_list_page_queries_do_not_grow_with_the_branches(tree, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.login(username="county", password=PASSWORD)
    url = reverse("branches:standards") + "?org=C&as_of=2025-06-01"
    client.get(url)  # warm the per-process caches (rule table, templates)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for code in ("C-A-7", "C-A-8", "C-A-9"):
        _members(_branch(tree, code=code), 1, start=int(code[-1]) * 10)
    with CaptureQueriesContext(connection) as more:
        page = client.get(url)
    assert len(page.context["object_list"]) == 6
    assert len(more) == len(few)
