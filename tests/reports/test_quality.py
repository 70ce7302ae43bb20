"""数据质量 (``reports.quality``): each check over real-shaped records, its boundaries, the scope, the page,
the xlsx, the ``zugong quality`` CLI, and the 党内统计 page's count of incomplete members.

Dataset (``quality_tree``, on ``factories.build_tree`` + ``build_units``; AS_OF = 2025-06-30)::

    C 某县委 ── C-A 甲镇党委 ── C-A-1 甲镇机关党支部 (in 甲镇农机厂)   张伟 李娜 + 赵敏 孙丽 冯小 褚明
             │              └ C-A-2 甲镇东村党支部                   王强 + 钱多 周杰 郑一 吴刚 陈大 卫东
             └ C-B 乙镇党委 ── C-B-1 乙镇机关党支部                   阿依古丽 (学历未填) + 蒋离 (left)

Records as an import of a real roster leaves them (blank 学历/民族/工作岗位 written directly, odd dates
that the hand-entry form would refuse written with ``update``):

- 赵敏 学历 "", 钱多 民族 "", 孙丽 工作岗位 "" (the membership in force);
- 周杰 admitted 2023-05-01, 郑一 2023-06-30 (预备, two years on AS_OF), 吴刚 2023-07-01 (a day short: not);
- 冯小 born 2000-03-10 admitted 2018-03-09 (17), 陈大 same birthday admitted 2018-03-10 (18: not);
- 褚明 admitted 2020-07-01 转正 2021-06-30 (< 1 year), 卫东 2020-07-01 → 2021-07-01 (exactly 1: not);
- 阿依古丽 (C-B-1) 学历 "" — outside the town-A worker's scope; 蒋离 (C-B-1) 学历 "" but transferred
  out before AS_OF (not a member there on AS_OF: never listed).
"""

from __future__ import annotations

import datetime as dt
import io
import json
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tests.factories import build_tree, build_units, make_member, make_user
from tests.security.helpers import login
from zugong.audit.models import AuditEvent
from zugong.core.errors import OutOfScope
from zugong.party.models import Membership, PartyMember
from zugong.people.models import Person
from zugong.reports.quality import check_specs, incomplete_counts, quality_report

AS_OF = dt.date(2025, 6, 30)
D = dt.date
CHECK_CODES = ["missing_education", "missing_ethnicity", "missing_occupation", "missing_sex", "probation_overdue",
               "admitted_under_18", "early_full_membership", "occupation_unplaced", "occupation_no_ownership",
               "small_branch", "organization_without_unit"]


def _imported(org, name, **kwargs):
    """A member as a roster import writes it: the member, then the fields the form would not accept."""
    person_fields = {k: kwargs.pop(k) for k in ("education_level", "ethnicity") if k in kwargs and kwargs[k] == ""}
    occupation = kwargs.pop("occupation", "professional")
    admission, full = kwargs.pop("admission_date", D(2010, 7, 1)), kwargs.pop("full_membership_date", D(2011, 7, 1))
    person = make_member(org, name, occupation=occupation or "professional", **kwargs)
    if person_fields:
        Person.objects.filter(pk=person.pk).update(**person_fields)
    if occupation == "":
        Membership.objects.filter(person=person).update(occupation="")
    PartyMember.objects.filter(pk=person.pk).update(admission_date=admission, full_membership_date=full)
    Membership.objects.filter(person=person).update(start_date=min(admission, D(2010, 7, 1)))
    return person


@pytest.fixture
def quality_tree(db) -> SimpleNamespace:
    t = build_units(build_tree())
    a1, a2, b1 = t.branch_a1, t.branch_a2, t.branch_b1
    t.zhao = _imported(a1, "赵敏", education_level="")
    t.qian = _imported(a2, "钱多", ethnicity="")
    t.sun = _imported(a1, "孙丽", occupation="")
    t.zhou = _imported(a2, "周杰", admission_date=D(2023, 5, 1), full_membership_date=None)
    t.zheng = _imported(a2, "郑一", admission_date=D(2023, 6, 30), full_membership_date=None)
    t.wu = _imported(a2, "吴刚", admission_date=D(2023, 7, 1), full_membership_date=None)
    t.feng = _imported(a1, "冯小", birth_date=D(2000, 3, 10), admission_date=D(2018, 3, 9),
                       full_membership_date=D(2019, 3, 9))
    t.chen = _imported(a2, "陈大", birth_date=D(2000, 3, 10), admission_date=D(2018, 3, 10),
                       full_membership_date=D(2019, 3, 10))
    t.chu = _imported(a1, "褚明", admission_date=D(2020, 7, 1), full_membership_date=D(2021, 6, 30))
    t.wei = _imported(a2, "卫东", admission_date=D(2020, 7, 1), full_membership_date=D(2021, 7, 1))
    Person.objects.filter(pk=t.member_b1_1.pk).update(education_level="")
    t.jiang = _imported(b1, "蒋离", education_level="")
    Membership.objects.filter(person=t.jiang).update(end_date=D(2025, 1, 1), end_reason="transfer")
    t.viewer = make_user("quality_viewer", "viewer", t.county)  # party.view, no export
    # the factories' 工作岗位 is the coarse 企事业单位、社会组织专业技术人员; here every member's is placed in a 年报
    # row, so only the checks above list anyone (the 年报 checks: tests/reports/test_quality_annual.py)
    Membership.objects.filter(occupation="professional").update(occupation_detail="institution_professional",
                                                                ownership="public")
    return t


def _names(report, code) -> list[str]:
    return [item.name for item in report.check(code).items]


# ----- the checks ---------------------------------------------------------------------------------------------

def test_each_check_lists_exactly_its_records(quality_tree):
    t = quality_tree
    report = quality_report(user=t.town_user, organization=t.town_a, as_of=AS_OF)
    assert [c.code for c in report.checks] == CHECK_CODES
    assert _names(report, "missing_education") == ["赵敏"]
    assert _names(report, "missing_ethnicity") == ["钱多"]
    assert _names(report, "missing_occupation") == ["孙丽"]
    assert _names(report, "missing_sex") == []
    # 李娜 (admitted 2024-06-20) is within two years, 吴刚 a day short of two: neither is listed
    assert sorted(_names(report, "probation_overdue")) == ["周杰", "郑一"]
    assert _names(report, "admitted_under_18") == ["冯小"]
    assert _names(report, "early_full_membership") == ["褚明"]
    # town A: 张伟 李娜(预备) 赵敏 孙丽 冯小 褚明 in A1 → 5 full; A2: 王强 钱多 陈大 卫东 full, 周杰 郑一 吴刚 预备 → 4
    assert _names(report, "small_branch") == []
    # A1 is set up in 甲镇农机厂; 甲镇党委 and A2 have no unit recorded
    assert _names(report, "organization_without_unit") == ["甲镇党委", "甲镇东村党支部"]
    assert report.members == 13  # 张伟 李娜 王强 of the tree, 10 imported (蒋离 is in town B)


def test_items_carry_their_organization_detail_and_link(quality_tree):
    t = quality_tree
    report = quality_report(user=t.town_user, organization=t.town_a, as_of=AS_OF)
    (zhou,) = [i for i in report.check("probation_overdue").items if i.name == "周杰"]
    assert (zhou.id, zhou.organization, zhou.organization_name) == (t.zhou.pk, "C-A-2", "甲镇东村党支部")
    assert zhou.detail == "入党日期 2023-05-01，尚未转正"
    assert zhou.url == reverse("people:detail", args=[t.zhou.pk])
    (chu,) = report.check("early_full_membership").items
    assert chu.detail == "入党日期 2020-07-01，转正日期 2021-06-30"
    (a2,) = [i for i in report.check("organization_without_unit").items if i.organization == "C-A-2"]
    assert a2.url == reverse("orgs:detail", args=[t.branch_a2.pk]) and a2.id == t.branch_a2.pk


def test_small_branch_counts_full_members_on_the_date(quality_tree):
    """A branch with fewer than 3 正式党员 on the date: on AS_OF 乙镇机关党支部 (阿依古丽 only; 蒋离 left); on
    2019-01-01 also 甲镇东村党支部, whose 陈大 (2019-03-10) and 卫东 (2021) were not yet full."""
    t = quality_tree
    county = quality_report(user=t.county_user, organization=t.county, as_of=AS_OF)
    (item,) = county.check("small_branch").items
    assert (item.name, item.organization, item.detail) == ("乙镇机关党支部", "C-B-1", "党支部，正式党员 1 人")
    early = quality_report(user=t.county_user, organization=t.county, as_of=D(2019, 1, 1))
    details = {i.organization: i.detail for i in early.check("small_branch").items}
    # A1 on 2019-01-01: 张伟 赵敏 孙丽 full (冯小 2019-03-09, 褚明 2021; 李娜 not yet admitted) = 3
    assert "C-A-1" not in details
    assert details["C-A-2"] == "党支部，正式党员 2 人"  # 王强 钱多 (陈大 转正 2019-03-10, 卫东 2021)
    assert details["C-B-1"] == "党支部，正式党员 2 人"  # 阿依古丽 蒋离 (left 2025)


def test_unit_inherited_from_the_superior_and_joint_units(quality_tree):
    from zugong.orgs.models import PartyOrganization

    t = quality_tree
    PartyOrganization.objects.filter(pk=t.town_a.pk).update(unit_relation="legal_entity_unit", unit=t.unit_town_a)
    PartyOrganization.objects.filter(pk=t.branch_a2.pk).update(unit_relation="same_as_parent")
    report = quality_report(user=t.county_user, organization=t.county, as_of=AS_OF)
    assert _names(report, "organization_without_unit") == ["某县委", "乙镇党委", "乙镇机关党支部"]
    # a 联合党支部 needs its units; 与上级相同 under an organization without a unit has none
    PartyOrganization.objects.filter(pk=t.branch_b1.pk).update(unit_relation="joint")
    PartyOrganization.objects.filter(pk=t.town_b.pk).update(unit_relation="same_as_parent")
    report = quality_report(user=t.county_user, organization=t.county, as_of=AS_OF)
    details = {i.organization: i.detail for i in report.check("organization_without_unit").items}
    assert details == {"C": "党委，所在单位情况未登记", "C-B": "党委，与上级党组织相同，上级也未登记单位",
                       "C-B-1": "党支部，联合党支部未指明单位"}
    t.branch_b1.joint_units.set([t.unit_firm_b, t.unit_town_b])
    report = quality_report(user=t.county_user, organization=t.county, as_of=AS_OF)
    assert _names(report, "organization_without_unit") == ["某县委", "乙镇党委"]


def test_report_of_a_subtree_below_an_organization_with_a_unit(quality_tree):
    """与上级相同 resolved through ancestors above the reported subtree."""
    from zugong.orgs.models import PartyOrganization

    t = quality_tree
    PartyOrganization.objects.filter(pk=t.town_a.pk).update(unit_relation="legal_entity_unit", unit=t.unit_town_a)
    PartyOrganization.objects.filter(pk=t.branch_a2.pk).update(unit_relation="same_as_parent")
    report = quality_report(user=t.town_user, organization=t.branch_a2, as_of=AS_OF)
    assert report.check("organization_without_unit").items == []


# ----- scope --------------------------------------------------------------------------------------------------

def test_only_records_in_scope(quality_tree):
    t = quality_tree
    town = quality_report(user=t.town_user, organization=t.town_a, as_of=AS_OF)
    everything = {i.name for c in town.checks for i in c.items} | {i.organization for c in town.checks for i in c.items}
    assert "阿依古丽" not in everything and "C-B-1" not in everything and "C-B" not in everything
    county = quality_report(user=t.county_user, organization=t.county, as_of=AS_OF)
    assert _names(county, "missing_education") == ["赵敏", "阿依古丽"]  # 蒋离 left before AS_OF
    with pytest.raises(OutOfScope):
        quality_report(user=t.town_user, organization=t.branch_b1, as_of=AS_OF)
    with pytest.raises(OutOfScope):
        quality_report(user=t.branch_user, organization=t.town_a, as_of=AS_OF)
    branch = quality_report(user=t.branch_user, organization=t.branch_a1, as_of=AS_OF)
    assert _names(branch, "missing_education") == ["赵敏"] and _names(branch, "missing_ethnicity") == []


def test_node_only_grant_sees_only_that_node(quality_tree):
    t = quality_tree
    node_user = make_user("quality_node", "viewer", t.town_a, include_subtree=False)
    report = quality_report(user=node_user, organization=t.town_a, as_of=AS_OF)
    assert report.members == 0
    assert all(i.organization == "C-A" for c in report.checks for i in c.items)


# ----- the 党内统计 and incomplete members ----------------------------------------------------------------------

def test_statistics_count_blank_fields_in_no_category(quality_tree):
    from zugong.reports.services import party_statistics

    t = quality_tree
    stats = party_statistics(user=t.town_user, organization=t.town_a, as_of=AS_OF)
    assert stats["党员总数"] == 13
    assert stats["少数民族党员"] == 0  # 钱多's blank 民族 is not 少数民族
    assert stats["大专及以上学历党员"] == 11  # all but 王强 (61 高中) and 赵敏 (未填)
    assert sum(stats["职业"].values()) == 12  # 孙丽's blank 工作岗位 is in no occupation
    assert incomplete_counts(user=t.town_user, organization=t.town_a, as_of=AS_OF) == {
        "合计": 3, "学历": 1, "民族": 1, "工作岗位": 1, "性别": 0}


def test_statistics_page_shows_incomplete_members(quality_tree):
    t = quality_tree
    response = login(Client(), t.town_user).get(reverse("reports:party_stats"),
                                                {"org": "C-A", "as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    text = response.content.decode()
    assert "信息不完整的党员 <strong>3</strong> 名（缺学历 1 名、缺民族 1 名、缺工作岗位 1 名）" in text
    assert f'href="{reverse("reports:quality")}?org=C-A&amp;as_of=2025-06-30"' in text
    complete = login(Client(), t.branch_user).get(reverse("reports:party_stats"),
                                                  {"org": "C-A-1", "as_of": "2010-01-01"})
    assert "信息不完整的党员" not in complete.content.decode()


# ----- the page -----------------------------------------------------------------------------------------------

def test_page_lists_checks_and_links_records(quality_tree):
    t = quality_tree
    client = login(Client(), t.town_user)
    response = client.get(reverse("reports:quality"), {"org": "C-A", "as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    text = response.content.decode()
    assert "数据质量 · 甲镇党委" in text and "检查结果（党员 13 名）" in text
    for spec in check_specs(AS_OF):
        assert spec.label in text
    assert f'<a href="{reverse("people:detail", args=[t.zhao.pk])}">赵敏</a>' in text
    assert f'<a href="{reverse("orgs:detail", args=[t.branch_a2.pk])}">甲镇东村党支部</a>' in text
    assert "入党日期 2023-05-01，尚未转正" in text
    assert {p.name for p in response.context["object_list"]} == {"赵敏", "钱多", "孙丽", "周杰", "郑一", "冯小", "褚明"}
    assert "阿依古丽" not in text and "乙镇" not in text


def test_page_of_one_check_and_preview_limit(quality_tree, monkeypatch):
    from zugong.reports import quality_views

    t = quality_tree
    monkeypatch.setattr(quality_views, "PREVIEW", 1)
    monkeypatch.setattr(quality_views, "PER_PAGE", 1)
    client = login(Client(), t.town_user)
    overview = client.get(reverse("reports:quality"), {"org": "C-A", "as_of": AS_OF.isoformat()}).content.decode()
    assert "查看全部 2 条" in overview  # probation_overdue: 2 items, 1 shown
    one = client.get(reverse("reports:quality"), {"org": "C-A", "as_of": AS_OF.isoformat(),
                                                  "check": "probation_overdue", "page": "2"})
    body = one.content.decode()
    assert "第 2 / 2 页" in body and "缺学历（1）" not in body
    assert [p.name for p in one.context["object_list"]] == ["郑一"]


def test_page_refuses_foreign_and_unknown_and_no_grant(quality_tree):
    t = quality_tree
    client = login(Client(), t.town_user)
    for code in ("C-B-1", "NOPE"):
        assert client.get(reverse("reports:quality"), {"org": code}).status_code == 404
    assert login(Client(), t.nogrant_user).get(reverse("reports:quality")).status_code == 403
    # default organization: the user's top granted one
    assert client.get(reverse("reports:quality"), {"as_of": AS_OF.isoformat()}).context["organization"] == t.town_a
    bad = client.get(reverse("reports:quality"), {"org": "C-A", "as_of": "2025-13-45"})
    assert bad.status_code == 400 and "截至日期无效" in bad.content.decode()


def test_nav_has_the_page(quality_tree):
    response = login(Client(), quality_tree.town_user).get(reverse("reports:quality"))
    assert f'href="{reverse("reports:quality")}"' in response.content.decode() and "数据质量" in response.content.decode()


# ----- xlsx ---------------------------------------------------------------------------------------------------

def _sheets(content: bytes):
    wb = openpyxl.load_workbook(io.BytesIO(content))
    return [[list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets], wb.sheetnames


def test_xlsx_lists_every_item_and_is_audited(quality_tree):
    t = quality_tree
    response = login(Client(), t.town_user).get(reverse("reports:quality_xlsx"),
                                                {"org": "C-A", "as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    assert "数据质量_C-A_20250630.xlsx" in response["Content-Disposition"] or "filename*=UTF-8''" in \
        response["Content-Disposition"]
    (items, summary), names = _sheets(response.content)
    assert names == ["问题清单", "汇总"]
    assert items[0] == ["检查项", "类别", "姓名/组织名称", "组织代码", "所在组织", "说明", "记录编号"]
    assert ["缺学历", "党员", "赵敏", "C-A-1", "甲镇机关党支部", None, t.zhao.pk] in items
    assert ["未关联单位的党组织", "党组织", "甲镇东村党支部", "C-A-2", "甲镇东村党支部", "党支部，所在单位情况未登记",
            t.branch_a2.pk] in items
    assert len(items) == 1 + 7 + 2  # 7 person items, 2 organizations
    assert ["入党满2年仍为预备党员", 2] == summary[3 + 4][:2]
    event = AuditEvent.objects.filter(kind="export").latest("pk")
    assert event.data["report"] == "quality" and event.data["counts"]["probation_overdue"] == 2


def test_xlsx_needs_export_permission(quality_tree):
    t = quality_tree
    assert login(Client(), t.viewer).get(reverse("reports:quality_xlsx"), {"org": "C"}).status_code == 403
    assert login(Client(), t.town_user).get(reverse("reports:quality_xlsx"), {"org": "C-B"}).status_code == 404


# ----- CLI ----------------------------------------------------------------------------------------------------

def test_cli_json_shape(quality_tree, capsys):
    call_command("quality", org="C-A", user="town_a", as_of=AS_OF.isoformat())
    body = json.loads(capsys.readouterr().out)
    assert (body["org"], body["as_of"], body["members"]) == ("C-A", "2025-06-30", 13)
    assert [c["code"] for c in body["checks"]] == CHECK_CODES
    education = body["checks"][0]
    assert (education["label"], education["count"]) == ("缺学历", 1)
    assert education["items"] == [{"id": quality_tree.zhao.pk, "name": "赵敏", "organization": "C-A-1",
                                   "organization_name": "甲镇机关党支部", "detail": ""}]


def test_cli_xlsx_and_output_file(quality_tree, tmp_path):
    out = tmp_path / "q.xlsx"
    call_command("quality", org="C", user="county", format="xlsx", output=str(out), as_of=AS_OF.isoformat())
    (items, _summary), _ = _sheets(out.read_bytes())
    assert {row[2] for row in items[1:]} >= {"赵敏", "阿依古丽", "乙镇机关党支部"}
    json_out = tmp_path / "q.json"
    call_command("quality", org="C-A-1", user="branch_a1", output=str(json_out), as_of=AS_OF.isoformat())
    assert json.loads(json_out.read_text(encoding="utf-8"))["org"] == "C-A-1"
    # names of people: both files are owner-only
    assert out.stat().st_mode & 0o777 == 0o600 and json_out.stat().st_mode & 0o777 == 0o600


def test_cli_refusals(quality_tree, tmp_path):
    with pytest.raises(CommandError, match="不存在或不在您的数据范围内"):
        call_command("quality", org="C-B", user="town_a")
    with pytest.raises(CommandError, match="--output"):
        call_command("quality", org="C-A", user="town_a", format="xlsx")
    with pytest.raises(CommandError, match="截至日期无效"):
        call_command("quality", org="C-A", user="town_a", as_of="2025-02-30")
    with pytest.raises(CommandError, match="不存在或已停用"):
        call_command("quality", org="C-A", user="nobody")
    with pytest.raises(CommandError, match="没有导出"):
        call_command("quality", org="C", user="quality_viewer", format="xlsx", output=str(tmp_path / "no.xlsx"))
    assert not (tmp_path / "no.xlsx").exists()


def test_zugong_console_script_runs_quality(quality_tree, capsys):
    from zugong.cli import main

    main(["zugong", "quality", "--org", "C-A-1", "--user", "branch_a1", "--as-of", AS_OF.isoformat()])
    assert json.loads(capsys.readouterr().out)["checks"][0]["items"][0]["name"] == "赵敏"


def test_29_february_as_the_validators_count_it(quality_tree):
    """The checks agree with the importer's validators (``party.validators``) on 29 February: a 转正 on
    28 February of the next year is one full year (``add_years``); admitted 29 February 2020, still 预备
    on 28 February 2022, is two full years; born 29 February 2000, admitted 28 February 2018, is 17."""
    from zugong.core.dates import add_years
    from zugong.party.validators import validate_full_membership, validate_probation_length
    from zugong.reports.quality import latest_start

    t = quality_tree
    leap = _imported(t.branch_a1, "闰年甲", admission_date=D(2020, 2, 29), full_membership_date=D(2021, 2, 28))
    early = _imported(t.branch_a1, "闰年乙", admission_date=D(2020, 2, 29), full_membership_date=D(2021, 2, 27))
    waiting = _imported(t.branch_a1, "闰年丙", admission_date=D(2020, 2, 29), full_membership_date=None)
    young = _imported(t.branch_a1, "闰年丁", birth_date=D(2000, 2, 29), admission_date=D(2018, 2, 28),
                      full_membership_date=D(2019, 3, 1))
    assert not validate_full_membership(D(2020, 2, 29), D(2021, 2, 28))
    assert validate_probation_length("probationary", D(2020, 2, 29), today=D(2022, 2, 28))
    assert latest_start(D(2022, 2, 28), 2) == D(2020, 2, 29) and add_years(D(2020, 2, 29), 2) == D(2022, 2, 28)
    assert latest_start(D(2024, 2, 28), 2) == D(2022, 2, 28)  # 2024 is a leap year: 29 Feb 2022 does not exist
    report = quality_report(user=t.branch_user, organization=t.branch_a1, as_of=D(2022, 2, 28))
    early_ids = [i.id for i in report.check("early_full_membership").items]
    assert early.pk in early_ids and leap.pk not in early_ids
    assert waiting.pk in [i.id for i in report.check("probation_overdue").items]
    assert young.pk in [i.id for i in report.check("admitted_under_18").items]
    day_before = quality_report(user=t.branch_user, organization=t.branch_a1, as_of=D(2022, 2, 27))
    assert waiting.pk not in [i.id for i in day_before.check("probation_overdue").items]


def test_statistics_xlsx_and_text_say_how_many_are_incomplete(quality_tree, tmp_path, capsys):
    note = "信息不完整的党员 3 名（缺学历 1 名、缺民族 1 名、缺工作岗位 1 名）：计入党员总数，不计入所缺项目的任何分类。"
    out = tmp_path / "s.xlsx"
    call_command("stats_party", org="C-A", user="town_a", as_of=AS_OF.isoformat(), format="xlsx", output=str(out))
    cells = [c for row in openpyxl.load_workbook(out).active.iter_rows(values_only=True) for c in row if c]
    assert note in cells
    call_command("stats_party", org="C-A", user="town_a", as_of=AS_OF.isoformat())
    assert note in capsys.readouterr().out
    call_command("stats_party", org="C-A-1", user="branch_a1", as_of="2010-01-01")
    assert "信息不完整" not in capsys.readouterr().out
