"""The compliance engine (``life.compliance``) and the shipped rule table (``life.rules``).

Every test evaluates 2023 with an explicit ``today`` (after the year unless the test is about the
periods in progress), against meetings created with the ORM (the meeting service is another part)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zugong.branches.models import BranchOfficer
from zugong.life.compliance import compliance_json, evaluate, make_period, parse_period, periods_overlapping
from zugong.life.models import ComplianceRule, Meeting
from zugong.life.rules import BUILTIN_RULES, EFFECTIVE_FROM, REGULATION, sync_builtin_rules
from zugong.orgs.models import PartyOrganization
from zugong.orgs.services import organization_create

pytestmark = pytest.mark.django_db

AFTER = dt.date(2024, 2, 1)
YEAR = (dt.date(2023, 1, 1), dt.date(2023, 12, 31))


def meet(org, meeting_type, day, *, secretary=False):
    return Meeting.objects.create(organization=org, meeting_type=meeting_type, date=day, topic=f"{meeting_type} {day}",
                                  expected_count=5, attended_count=4, secretary_lecture=secretary)


def months(org, meeting_type, numbers, year=2023):
    for m in numbers:
        meet(org, meeting_type, dt.date(year, m, 10))


def run(user, org, today=AFTER, start=YEAR[0], end=YEAR[1], **kw):
    return {b.code: b for b in evaluate(user=user, organization=org, start=start, end=end, today=today, **kw)}


def committee(branch, person, since, until=None):
    for role in ("secretary", "organization_member", "propaganda_member"):
        BranchOfficer.objects.create(organization=branch, person=person, role=role, start_date=since, end_date=until)


# ----- rule table -------------------------------------------------------------------------------------------------


def test_builtin_rules_are_seeded_with_regulation_and_article():
    rules = {r.code: r for r in ComplianceRule.objects.filter(is_builtin=True)}
    assert set(rules) == {spec["code"] for spec in BUILTIN_RULES}
    assert len(rules) == 9
    committee_rule = rules["committee_meeting_monthly"]
    assert (committee_rule.meeting_type, committee_rule.period, committee_rule.applies_to, committee_rule.min_count) \
        == ("committee_meeting", "month", "with_committee", 1)
    assert rules["group_meeting_monthly"].applies_to == "with_groups"
    assert rules["secretary_lecture_yearly"].secretary_lecture_only is True
    assert rules["party_lecture_quarterly"].period == "quarter" and "三会一课" in rules["party_lecture_quarterly"].note
    assert rules["general_meeting_quarterly"].article == "第十一条"
    for rule in rules.values():
        assert rule.regulation == REGULATION == "《中国共产党支部工作条例（试行）》"
        assert rule.article.startswith("第") and rule.effective_from == EFFECTIVE_FROM == dt.date(2018, 10, 28)


def test_sync_is_idempotent_keeps_local_rules_and_an_ended_default():
    ComplianceRule.objects.filter(code="theme_day_monthly").update(effective_to=dt.date(2025, 1, 1), min_count=3)
    ComplianceRule.objects.create(code="local_lecture", name="党课每月1次", meeting_type="party_lecture", min_count=1,
                                  period="month", regulation="某县规定", effective_from=dt.date(2025, 1, 1))
    sync_builtin_rules()
    sync_builtin_rules()
    theme = ComplianceRule.objects.get(code="theme_day_monthly")
    assert theme.effective_to == dt.date(2025, 1, 1)  # the deployment's end of a default stays
    assert theme.min_count == 1  # the shipped threshold is restored
    assert ComplianceRule.objects.filter(is_builtin=True).count() == 9
    assert ComplianceRule.objects.get(code="local_lecture").is_builtin is False


@pytest.mark.django_db(transaction=True)
def test_rules_survive_a_flush():
    call_command("flush", interactive=False, verbosity=0)
    assert ComplianceRule.objects.filter(is_builtin=True).count() == 9


# ----- periods ------------------------------------------------------------------------------------------------


def test_period_labels_and_parsing():
    assert parse_period("2023-07") == make_period("month", 2023, 7)
    assert parse_period("2023q2").label == "2023Q2"
    assert parse_period("2023").title == "2023年度"
    assert make_period("quarter", 2023, 3).title == "2023年第三季度"
    assert make_period("month", 2024, 2).end == dt.date(2024, 2, 29)
    assert [p.label for p in periods_overlapping("quarter", dt.date(2023, 5, 1), dt.date(2023, 5, 31))] == ["2023Q2"]
    for bad in ("2023-13", "2023Q5", "23", "七月"):
        with pytest.raises(Exception) as exc:
            parse_period(bad)
        assert "期间" in str(exc.value) and "YYYY-MM" in str(exc.value)


# ----- each rule kind ---------------------------------------------------------------------------------------------


def test_monthly_quarterly_and_yearly_rules(tree):
    a1 = tree.branch_a1
    months(a1, "theme_day", range(1, 12))  # no December
    months(a1, "theme_day", [3])  # a second one in March does not make up for December
    for m in (2, 8, 11):
        meet(a1, "general_meeting", dt.date(2023, m, 5))  # Q1, Q3, Q4 — no Q2
    meet(a1, "member_evaluation", dt.date(2023, 12, 20))
    res = run(tree.county_user, tree.county)["C-A-1"]
    theme = res.rule("主题党日")
    assert (theme.owed, theme.held, theme.done, theme.missing) == (12, 12, 11, ["2023-12"])
    general = res.rule("支部党员大会")
    assert (general.owed, general.held, general.missing) == (4, 3, ["2023Q2"])
    assert res.rule("民主评议党员").missing == []
    assert res.rule("组织生活会").missing == ["2023"]
    assert res.rule("谈心谈话").as_json() == {"应开": 1, "已开": 0, "缺": ["2023"]}


def test_committee_rule_applies_from_the_month_a_committee_exists(tree):
    a1, a2 = tree.branch_a1, tree.branch_a2
    committee(a1, tree.member_a1_1, since=dt.date(2023, 7, 1))
    months(a1, "committee_meeting", [7, 8, 9, 10, 11])
    result = run(tree.county_user, tree.county)
    rule = result["C-A-1"].rule("支部委员会会议")
    assert (rule.owed, rule.held, rule.missing) == (6, 5, ["2023-12"])  # July–December only
    assert result["C-A-2"].rule("支部委员会会议") is None  # no committee: the rule does not apply
    # two posts are not a committee (COMMITTEE_MIN_OFFICERS = 3)
    BranchOfficer.objects.create(organization=a2, person=tree.member_a2_1, role="secretary", start_date=dt.date(2020, 1, 1))
    BranchOfficer.objects.create(organization=a2, person=tree.member_a2_1, role="committee_member",
                                 start_date=dt.date(2020, 1, 1))
    assert run(tree.county_user, tree.county)["C-A-2"].rule("支部委员会会议") is None


def test_committee_that_ended_mid_year_owes_only_while_it_existed(tree):
    committee(tree.branch_a1, tree.member_a1_1, since=dt.date(2020, 1, 1), until=dt.date(2023, 4, 15))
    rule = run(tree.county_user, tree.county)["C-A-1"].rule("支部委员会会议")
    assert rule.missing == ["2023-01", "2023-02", "2023-03"]  # held on 31 March, not on 30 April


def test_group_rule_applies_where_groups_exist_and_counts_group_meetings(tree):
    a1 = tree.branch_a1
    group = organization_create(code="C-A-1-G1", name="机关第一党小组", org_type="party_group", parent=a1,
                                founded_date=dt.date(2023, 4, 10))
    months(group, "group_meeting", [4, 5, 6, 7, 8, 9, 10])
    months(a1, "group_meeting", [11])
    meet(group, "general_meeting", dt.date(2023, 5, 3))  # a group holds no 党员大会: counts for nothing
    result = run(tree.county_user, tree.county)
    rule = result["C-A-1"].rule("党小组会")
    assert (rule.owed, rule.held, rule.missing) == (9, 8, ["2023-12"])  # April–December
    assert result["C-A-1"].rule("支部党员大会").held == 0
    assert result["C-A-2"].rule("党小组会") is None
    assert "C-A-1-G1" not in result  # a group is not a branch


def test_secretary_lecture_rule_counts_only_the_secretarys_lectures(tree):
    a1 = tree.branch_a1
    for m in (2, 5, 8, 11):
        meet(a1, "party_lecture", dt.date(2023, m, 1))
    res = run(tree.county_user, tree.county)["C-A-1"]
    assert res.rule("党课").missing == []
    assert res.rule("党课（书记讲党课）").as_json() == {"应开": 1, "已开": 0, "缺": ["2023"]}
    Meeting.objects.filter(organization=a1, date=dt.date(2023, 8, 1)).update(secretary_lecture=True)
    res = run(tree.county_user, tree.county)["C-A-1"]
    assert res.rule("党课（书记讲党课）").as_json() == {"应开": 1, "已开": 1, "缺": []}
    assert res.rule("党课").held == 4


def test_branch_founded_mid_year_owes_periods_ending_after_founding(tree):
    new = organization_create(code="C-A-9", name="甲镇新建党支部", org_type="branch", parent=tree.town_a,
                              founded_date=dt.date(2023, 5, 15))
    res = run(tree.county_user, tree.county)["C-A-9"]
    assert res.rule("主题党日").missing == [f"2023-{m:02d}" for m in range(5, 13)]
    assert res.rule("支部党员大会").missing == ["2023Q2", "2023Q3", "2023Q4"]
    assert res.rule("组织生活会").missing == ["2023"]
    assert new.founded_date == dt.date(2023, 5, 15)


def test_dissolved_branch_owes_nothing_after_dissolution(tree):
    PartyOrganization.objects.filter(pk=tree.branch_a2.pk).update(status="dissolved", dissolved_date=dt.date(2023, 8, 10))
    res = run(tree.county_user, tree.county)["C-A-2"]
    assert res.rule("主题党日").missing == [f"2023-{m:02d}" for m in range(1, 8)]
    assert res.rule("支部党员大会").missing == ["2023Q1", "2023Q2"]
    assert res.rule("组织生活会") is None  # the year did not end before the dissolution
    PartyOrganization.objects.filter(pk=tree.branch_a2.pk).update(dissolved_date=dt.date(2022, 12, 1))
    assert "C-A-2" not in run(tree.county_user, tree.county)


def test_meetings_of_a_committee_are_not_branch_compliance(tree):
    months(tree.town_a, "theme_day", range(1, 13))
    meet(tree.town_a, "general_meeting", dt.date(2023, 3, 1))
    result = run(tree.county_user, tree.county)
    assert set(result) == {"C-A-1", "C-A-2", "C-B-1"}  # committees are not evaluated
    for code in ("C-A-1", "C-A-2"):
        assert result[code].rule("主题党日").held == 0
        assert result[code].rule("支部党员大会").missing == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]


def test_periods_in_progress_are_not_owed_and_early_meetings_show_met(tree):
    a1 = tree.branch_a1
    months(a1, "theme_day", range(1, 8))  # July too, before the month is over
    today = dt.date(2023, 7, 15)
    res = run(tree.county_user, tree.county, today=today, detail=True)["C-A-1"]
    theme = res.rule("主题党日")
    assert (theme.owed, theme.held, theme.missing) == (6, 6, [])
    july = next(p for p in theme.periods if p.period.label == "2023-07")
    assert (july.status, july.counted) == ("met", False)
    august = next(p for p in theme.periods if p.period.label == "2023-08")
    assert (august.status, august.counted) == ("in_progress", False)
    general = res.rule("支部党员大会")
    assert (general.owed, general.missing) == (2, ["2023Q1", "2023Q2"])
    assert res.rule("组织生活会").as_json() == {"应开": 0, "已开": 0, "缺": []}


def test_rules_apply_only_while_in_force(tree):
    ComplianceRule.objects.filter(code="theme_day_monthly").update(effective_to=dt.date(2023, 7, 1))
    ComplianceRule.objects.create(code="local_theme_twice", name="主题党日每月2次", meeting_type="theme_day", min_count=2,
                                  period="month", regulation="某县组织生活规定", article="第三条",
                                  effective_from=dt.date(2023, 7, 1))
    months(tree.branch_a1, "theme_day", range(1, 13))
    res = run(tree.county_user, tree.county)["C-A-1"]
    builtin, local = res.rule("主题党日"), res.rule("主题党日（local_theme_twice）")
    assert (builtin.owed, builtin.missing) == (6, [])  # January–June under the shipped rule
    assert (local.owed, local.held, local.done) == (12, 6, 6)  # July–December, 2 a month
    assert local.missing == [f"2023-{m:02d}" for m in range(7, 13)]
    assert local.rule.source == "某县组织生活规定第三条"


def test_json_shape_is_exact(tree):
    a1 = tree.branch_a1
    months(a1, "theme_day", range(1, 13))
    for m in (1, 4, 7, 10):
        meet(a1, "general_meeting", dt.date(2023, m, 2))
        meet(a1, "party_lecture", dt.date(2023, m, 3), secretary=(m == 4))
    meet(a1, "organizational_life_meeting", dt.date(2023, 12, 1))
    meet(a1, "member_evaluation", dt.date(2023, 12, 1))
    meet(a1, "heart_to_heart_talk", dt.date(2023, 6, 1))
    data = compliance_json(evaluate(user=tree.town_user, organization=tree.town_a, start=YEAR[0], end=YEAR[1],
                                    today=AFTER))
    assert data["C-A-1"] == {
        "支部党员大会": {"应开": 4, "已开": 4, "缺": []},
        "党课": {"应开": 4, "已开": 4, "缺": []},
        "党课（书记讲党课）": {"应开": 1, "已开": 1, "缺": []},
        "主题党日": {"应开": 12, "已开": 12, "缺": []},
        "组织生活会": {"应开": 1, "已开": 1, "缺": []},
        "民主评议党员": {"应开": 1, "已开": 1, "缺": []},
        "谈心谈话": {"应开": 1, "已开": 1, "缺": []},
    }
    assert list(data) == ["C-A-1", "C-A-2"]
    assert data["C-A-2"]["支部党员大会"] == {"应开": 4, "已开": 0, "缺": ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]}
    json.dumps(data, ensure_ascii=False)


def test_scope_a_town_user_sees_only_its_branches(tree):
    months(tree.branch_b1, "theme_day", range(1, 13))
    assert set(run(tree.town_user, tree.town_a)) == {"C-A-1", "C-A-2"}
    # asked for the whole county, the town user still gets its own subtree only
    assert set(run(tree.town_user, tree.county)) == {"C-A-1", "C-A-2"}
    assert set(run(tree.branch_user, tree.county)) == {"C-A-1"}
    assert set(run(tree.county_user, tree.county)) == {"C-A-1", "C-A-2", "C-B-1"}
    assert run(tree.nogrant_user, tree.county) == {}


def test_evaluation_is_a_few_queries_whatever_the_size(tree, django_assert_max_num_queries):
    committee(tree.branch_a1, tree.member_a1_1, since=dt.date(2020, 1, 1))
    organization_create(code="C-A-1-G1", name="第一党小组", org_type="party_group", parent=tree.branch_a1,
                        founded_date=dt.date(2020, 1, 1))
    for branch in (tree.branch_a1, tree.branch_a2, tree.branch_b1):
        months(branch, "theme_day", range(1, 13))
    user = tree.county_user
    evaluate(user=user, organization=tree.county, start=YEAR[0], end=YEAR[1], today=AFTER)  # warm the scope cache
    with django_assert_max_num_queries(4):  # rules, branches + groups, officers, meetings
        evaluate(user=user, organization=tree.county, start=YEAR[0], end=YEAR[1], today=AFTER)


# ----- CLI ----------------------------------------------------------------------------------------------------


def test_cli_json_and_xlsx(tree, tmp_path, capsys):
    months(tree.branch_a1, "theme_day", range(1, 13))
    call_command("compliance", "--org", "C-A", "--year", "2023", "--user", tree.town_user.username)
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"C-A-1", "C-A-2"}
    assert data["C-A-1"]["主题党日"] == {"应开": 12, "已开": 12, "缺": []}
    out = tmp_path / "c.xlsx"
    call_command("compliance", "--org", "C-A", "--year", "2023", "--user", tree.town_user.username,
                 "--format", "xlsx", "--output", str(out))
    from openpyxl import load_workbook

    ws = load_workbook(out).active
    assert ws["A1"].value == "甲镇党委 组织生活落实情况 2023年度 年度晾晒"


@pytest.mark.parametrize("org", ["C-B", "C-NOPE"])
def test_cli_refuses_an_organization_outside_the_scope(tree, org, capsys):
    with pytest.raises(CommandError) as exc:
        call_command("compliance", "--org", org, "--year", "2023", "--user", tree.town_user.username)
    assert f"组织代码「{org}」不存在或不在您的数据范围内" in str(exc.value)
    assert capsys.readouterr().out == ""


def test_cli_bad_arguments(tree):
    with pytest.raises(CommandError, match="二者选一"):
        call_command("compliance", "--org", "C-A", "--user", tree.town_user.username)
    with pytest.raises(CommandError, match="期间"):
        call_command("compliance", "--org", "C-A", "--period", "2023Q9", "--user", tree.town_user.username)
    with pytest.raises(CommandError, match="--output"):
        call_command("compliance", "--org", "C-A", "--year", "2023", "--format", "xlsx",
                     "--user", tree.town_user.username)



def test_cli_period_option_evaluates_one_quarter(tree, capsys):
    meet(tree.branch_a1, "general_meeting", dt.date(2023, 8, 1))
    call_command("compliance", "--org", "C-A-1", "--period", "2023Q3", "--user", tree.branch_user.username)
    data = json.loads(capsys.readouterr().out)
    assert list(data) == ["C-A-1"]
    assert data["C-A-1"]["支部党员大会"] == {"应开": 1, "已开": 1, "缺": []}
    assert data["C-A-1"]["主题党日"] == {"应开": 3, "已开": 0, "缺": ["2023-07", "2023-08", "2023-09"]}
    assert data["C-A-1"]["组织生活会"] == {"应开": 1, "已开": 0, "缺": ["2023"]}  # the year overlapping it


def test_one_month_window_checks_the_month_its_quarter_and_year(tree):
    meet(tree.branch_a1, "theme_day", dt.date(2023, 6, 30))
    meet(tree.branch_a1, "general_meeting", dt.date(2023, 4, 1))
    june = make_period("month", 2023, 6)
    result = run(tree.county_user, tree.county, start=june.start, end=june.end)
    a1, a2 = result["C-A-1"], result["C-A-2"]
    assert a1.rule("主题党日").as_json() == {"应开": 1, "已开": 1, "缺": []}
    assert a2.rule("主题党日").as_json() == {"应开": 1, "已开": 0, "缺": ["2023-06"]}
    assert a1.rule("支部党员大会").as_json() == {"应开": 1, "已开": 1, "缺": []}  # 2023Q2
    assert a2.rule("支部党员大会").missing == ["2023Q2"]
    assert a1.rule("组织生活会").missing == ["2023"]
    # 7 rules apply (no committee, no groups): 主题党日 and 党员大会 met; 党课, 书记讲党课 and the 3 yearly ones not
    assert (a1.owed, a1.done, a1.rate, a1.missing_count) == (7, 2, round(100 * 2 / 7, 1), 5)


def test_nothing_ended_reads_no_meetings(tree, django_assert_max_num_queries):
    meet(tree.branch_a1, "theme_day", dt.date(2023, 7, 3))
    july = make_period("month", 2023, 7)
    evaluate(user=tree.county_user, organization=tree.county, start=july.start, end=july.end, today=dt.date(2023, 7, 20))
    with django_assert_max_num_queries(3):  # rules, branches + groups, officers: July, Q3 and 2023 are all open
        result = run(tree.county_user, tree.county, start=july.start, end=july.end, today=dt.date(2023, 7, 20))
    assert result["C-A-1"].rule("主题党日").as_json() == {"应开": 0, "已开": 0, "缺": []}
    assert result["C-A-1"].rate is None
