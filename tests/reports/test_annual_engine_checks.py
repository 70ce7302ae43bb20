"""The 年报's consistency checks (逻辑校验) on bad records: each check fails on exactly the records that
break it and names them with the cause (``reports.annual_checks``). Starts from the clean dataset of
``annual_dataset`` (where every check passes) and spoils one thing at a time."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.reports import annual_dataset as ds
from zugong.orgs.models import Unit
from zugong.party.models import Membership, MemberStatus
from zugong.people.models import Person
from zugong.reports.annual import annual_records, annual_report

D = dt.date


@pytest.fixture
def data(db):
    return ds.build()


def _failed(user, organization, year=2023) -> dict:
    report = annual_report(user=user, organization=organization, year=year)
    return {c.name: c for c in report.checks if not c.ok}


BALANCE = "第一表本年底应有数 = 本年底实有数（逐人核对本年变动）"


def test_a_branch_changed_without_an_event(data):
    """m14 moved from A2 to B1 the old way (period ended as 更正, a new one opened; no event): the county's
    figures are unchanged (both inside R), but town A lost a member its flows do not show."""
    m14 = data.m["m14"]
    current = Membership.objects.get(person=m14, end_date__isnull=True)
    Membership.objects.filter(pk=current.pk).update(end_date=D(2023, 4, 4), end_reason="correction")
    Membership.objects.create(person=m14, organization=data.B1, start_date=D(2023, 4, 4), occupation="manager",
                              occupation_detail="enterprise_manager", ownership="public")
    assert BALANCE not in _failed(data.county_user, data.R)
    town_a = _failed(data.county_user, data.A)[BALANCE]
    assert (town_a.expected, town_a.actual) == (9, 8)
    assert [(r.name, r.reason) for r in town_a.records] == [
        ("m14", "组织关系于 2023-04-04 在「农机厂党支部」结束（更正），但没有对应的减少变动"
                "（出党、停止党籍、死亡、转出组织关系或组织关系转接）")]
    town_b = _failed(data.county_user, data.B)[BALANCE]
    assert (town_b.expected, town_b.actual) == (6, 7)
    assert town_b.records[0].reason.startswith("组织关系自 2023-04-04 起在「东村党支部」，但没有对应的增加变动")


def test_totals_that_agree_still_list_the_people_who_do_not(data):
    """One member arrives without an event and another leaves without one: 应有 = 实有, yet both are wrong."""
    arrived = ds.opening(ds.person("补录甲", data.A1, birth=D(1980, 1, 1)), data.A1, D(2010, 1, 1), D(2011, 1, 1),
                         ds.occ("government", ownership="public"))
    Membership.objects.filter(person=arrived).update(start_date=D(2023, 6, 1))
    Membership.objects.filter(person=data.m["m14"], end_date__isnull=True).update(end_date=D(2023, 9, 1),
                                                                                  end_reason="death")
    check = _failed(data.county_user, data.R)[BALANCE]
    assert check.expected == check.actual == 15
    assert [r.name for r in check.records] == ["m14", "补录甲"]
    assert "结束（去世），但没有对应的减少变动" in check.records[0].reason


def test_an_event_without_its_period_and_the_sixteenth_table(data):
    """An admission recorded without opening the period: 发展党员 counts it, the members and 第十六表 do not."""
    lost = ds.person("漏建期间", data.B1, birth=D(1996, 6, 6))
    ds.admit(lost, data.B1, D(2023, 6, 6), apply=False)
    failed = _failed(data.county_user, data.R)
    assert failed[BALANCE].records[0].name == "漏建期间"
    assert failed[BALANCE].records[0].reason == "发展党员（2023-06-06）已登记，但组织关系没有自该日起在接收组织"
    sixteen = failed["第十六表总计总数 = 第一表发展党员"]
    assert (sixteen.expected, sixteen.actual) == (5, 4)
    assert [(r.name, r.reason) for r in sixteen.records] == [("漏建期间", "发展党员（2023-06-06）已登记，但没有自该日起的组织关系")]


def test_an_event_dated_before_the_admission(data):
    """发展党员 dated 2022-12-20 for a 入党日期 of 2023-01-05: counted in 2022's flows but not as a member on
    2022-12-31 — both years are off by one, and both name the cause."""
    early = ds.person("早登记", data.A1, birth=D(1995, 5, 5))
    ds.admit(early, data.A1, D(2022, 12, 20), occupation=ds.occ("government", ownership="public"))
    early.party_member.admission_date = D(2023, 1, 5)
    early.party_member.save()
    record = _failed(data.county_user, data.R, 2022)[BALANCE].records[-1]
    assert record.name == "早登记"
    assert record.reason.startswith("发展党员的变动日期 2022-12-20 与入党日期 2023-01-05 不一致")
    record = _failed(data.county_user, data.R, 2023)[BALANCE].records[0]
    assert (record.name, record.reason) == ("早登记", "入党日期 2023-01-05 晚于组织关系起始日期 2022-12-20（上年底不计为党员）")


def test_occupations_that_fit_no_row(data):
    Membership.objects.filter(person=data.m["m14"], end_date__isnull=True).update(occupation_detail="")  # 管理人员 only
    Membership.objects.filter(person=data.m["m3"], end_date__isnull=True).update(ownership="")
    Membership.objects.filter(person=data.m["m8"], end_date__isnull=True).update(occupation="")
    failed = _failed(data.county_user, data.R)
    on_duty = failed["第二表“一、在岗职工”= 公有制单位合计 + 非公有制单位合计"]
    assert (on_duty.expected, on_duty.actual) == (9, 7)
    assert [(r.name, r.reason) for r in on_duty.records] == [
        ("m14", "工作岗位只登记了公报类别「企事业单位、社会组织管理人员」，无法分入年报的在岗职工各行"),
        ("m3", "工作岗位「企业专业技术人员」未登记单位所有制（公有制单位/非公有制单位），无法分入两类单位"),
    ]
    total = failed["第二表“总计”= 在岗职工、农牧渔民、军人武警、学生、离退休人员、其他之和"]
    assert (total.expected, total.actual) == (15, 14)
    assert [(r.name, r.reason) for r in total.records] == [("m8", "未登记工作岗位，只计入总计")]
    assert "第三表“总计”= 在岗职工、农牧渔民、军人武警、学生、离退休人员、其他之和" in failed
    assert "第十六表“总计”= 在岗职工、农牧渔民、军人武警、学生、离退休人员、其他之和" not in failed
    # the figures themselves stay as the rows define them
    table = annual_report(user=data.county_user, organization=data.R, year=2023).tables["党员基本情况"]
    assert table["一、在岗职工"]["总数"] == 9 and table["公有制单位·合计"]["总数"] == 5


def test_records_missing_an_attribute(data):
    Person.objects.filter(pk=data.m["m6"].pk).update(education_level="")
    Unit.objects.filter(code="U-A-1").update(economic_control="")
    Unit.objects.filter(code="U").update(organ_level="")
    MemberStatus.objects.filter(person=data.m["m9"], kind="mobile").update(destination_type="", original_occupation="")
    MemberStatus.objects.filter(person=data.m["m14"], kind="lost_contact").update(lost_situation="")
    Person.objects.filter(pk=data.m["m3"].pk).update(education_level="")
    failed = _failed(data.county_user, data.R)
    education = failed["第四表总计：学历各栏之和 = 总数"]
    assert (education.expected, education.actual) == (15, 13)
    assert [(r.name, r.reason) for r in education.records] == [("m3", "未登记学历"), ("m6", "未登记学历")]
    enterprise = failed["第二十四表“企业”= 国有、集体、非公有经济控制之和"]
    assert (enterprise.expected, enterprise.actual) == (2, 1)
    assert [(r.name, r.person_id, r.organization_id, r.reason) for r in enterprise.records] == [
        ("农机厂党支部", None, data.A2.pk, "所在单位（企业）未登记经济控制类型")]
    organ = failed["第二十四表“机关”= 中央、省、市、县各级之和"]
    assert [r.name for r in organ.records] == ["某县委"]
    assert [r.name for r in failed["第三十三表“外出流向”各项之和 = 流出党员总数"].records] == ["m9"]
    assert [r.reason for r in failed["第三十三表原职业各栏之和 = 总数"].records] == ["流动党员未登记原职业"]
    lost = failed["第四十三表学历各栏之和 = 总数"]
    assert [(r.name, r.reason) for r in lost.records] == [("m3", "失联党员未登记学历")]
    assert [r.name for r in failed["第四十三表失去联系具体情形各栏之和 = 总数"].records] == ["m14"]
    assert len(failed) == 7
    # the drill-down of a figure that misses them does not list them either
    graduates = annual_records(user=data.county_user, organization=data.R, year=2023, table=4, row="总计",
                               column="研究生")
    assert sorted(p.name for p in graduates) == ["m9", "n2"]
