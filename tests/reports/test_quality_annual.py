"""数据质量 for the 党内统计年报 (issue #10): members whose 工作岗位 cannot be placed in a 年报 row — the coarse
企事业单位、社会组织专业技术人员 / 管理人员 without its row (``occupation_unplaced``) and 企业 / 工勤技能 rows
without 公有制/非公有制 (``occupation_no_ownership``) — on the quality page, in its xlsx and in
``zugong quality``; every member listed is one the 年报 cannot place (``core.codes.annual_row``), every other
member is not, and nothing outside the user's scope appears."""

from __future__ import annotations

import datetime as dt
import io
import json
from types import SimpleNamespace

import openpyxl
import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import build_tree, make_member
from tests.security.helpers import login
from zugong.core.codes import annual_row
from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership
from zugong.reports.quality import quality_report

AS_OF = dt.date(2025, 6, 30)
UNPLACED, NO_OWNERSHIP = "occupation_unplaced", "occupation_no_ownership"


def _member(org, name, *, occupation, detail="", ownership="", migrant_worker=False):
    person = make_member(org, name, occupation=occupation)
    Membership.objects.filter(person=person).update(occupation_detail=detail, ownership=ownership,
                                                    migrant_worker=migrant_worker)
    return person


@pytest.fixture
def annual_tree(db) -> SimpleNamespace:
    t = build_tree()
    # every member of the fixture tree placed in a row first (the factories' coarse 专业技术人员 otherwise)
    Membership.objects.filter(occupation="professional").update(occupation_detail="institution_professional")
    PartyOrganization.objects.filter(pk=t.branch_a2.pk).update(unit_category="public_institution")
    a1, a2, b1 = t.branch_a1, t.branch_a2, t.branch_b1
    t.coarse_manager = _member(a1, "钱粗管", occupation="manager")
    t.coarse_professional = _member(a2, "孙粗专", occupation="professional", ownership="public")  # sector, no row
    t.firm_no_sector = _member(a1, "李企管", occupation="manager", detail="enterprise_manager")
    t.worker_no_sector = _member(a2, "周工人", occupation="worker")  # 工人（工勤技能人员）, no sector
    t.migrant_no_sector = _member(a1, "吴农工", occupation="worker", detail="skilled_worker", migrant_worker=True)
    # placed: each with what its row needs
    t.firm_public = _member(a1, "郑企专", occupation="professional", detail="enterprise_professional", ownership="public")
    t.worker_private = _member(a2, "王工勤", occupation="worker", detail="skilled_worker", ownership="non_public")
    t.nonprofit = _member(a2, "冯民非", occupation="manager", detail="nonprofit_manager")  # always 非公有制
    t.institution = _member(a1, "陈事管", occupation="manager", detail="institution_manager")  # always 公有制
    t.farmer = _member(a2, "褚农民", occupation="farmer")
    t.military = _member(a1, "卫军人", occupation="other", detail="military")
    # outside town A
    t.foreign = _member(b1, "蒋外粗", occupation="manager")
    return t


def _names(report, code) -> set[str]:
    return {item.name for item in report.check(code).items}


def test_lists_exactly_the_members_the_annual_report_cannot_place(annual_tree):
    t = annual_tree
    report = quality_report(user=t.town_user, organization=t.town_a, as_of=AS_OF)
    assert _names(report, UNPLACED) == {"钱粗管", "孙粗专"}
    assert _names(report, NO_OWNERSHIP) == {"李企管", "周工人", "吴农工"}
    # the listed are exactly those ``annual_row`` cannot place (the rule the engine counts by)
    listed = {i.id for c in (UNPLACED, NO_OWNERSHIP) for i in report.check(c).items}
    for m in Membership.objects.filter(organization__path__startswith=t.town_a.path, end_date__isnull=True):
        assert (annual_row(m.occupation, m.occupation_detail, m.ownership) is None) == (m.person_id in listed), m
    assert "蒋外粗" not in _names(report, UNPLACED)  # town B: outside the town's scope and subtree
    county = quality_report(user=t.county_user, organization=t.county, as_of=AS_OF)
    assert "蒋外粗" in _names(county, UNPLACED)


def test_details_name_the_value_and_the_likely_row(annual_tree):
    t = annual_tree
    report = quality_report(user=t.town_user, organization=t.town_a, as_of=AS_OF)
    details = {i.name: i.detail for c in (UNPLACED, NO_OWNERSHIP) for i in report.check(c).items}
    assert details["钱粗管"] == "工作岗位：企事业单位、社会组织管理人员"  # a 机关 branch: no likely row
    assert details["孙粗专"] == ("工作岗位：企事业单位、社会组织专业技术人员（所在党组织单位属性为事业单位，"
                               "可能为「事业单位专业技术人员」）")
    assert details["李企管"] == "工作岗位：企业管理人员，未登记公有制或非公有制单位"
    assert details["周工人"] == "工作岗位：工人（工勤技能人员），未登记公有制或非公有制单位"
    assert details["吴农工"] == "工作岗位：工勤技能人员，未登记公有制或非公有制单位"
    spec = report.check(NO_OWNERSHIP).spec
    assert spec.label == "企业、工勤岗位缺单位所有制" and "党内统计年报" in spec.source


def test_fixing_the_record_removes_it(annual_tree):
    t = annual_tree
    Membership.objects.filter(person=t.firm_no_sector).update(ownership="non_public")
    Membership.objects.filter(person=t.coarse_manager).update(occupation_detail="enterprise_manager", ownership="public")
    report = quality_report(user=t.town_user, organization=t.town_a, as_of=AS_OF)
    assert _names(report, UNPLACED) == {"孙粗专"}
    assert _names(report, NO_OWNERSHIP) == {"周工人", "吴农工"}


def test_page_xlsx_and_cli(annual_tree, tmp_path, capsys):
    t = annual_tree
    client = login(Client(), t.town_user)
    page = client.get(reverse("reports:quality"), {"org": "C-A", "as_of": AS_OF.isoformat()})
    text = page.content.decode()
    assert "工作岗位未细分到年报岗位" in text and "企业、工勤岗位缺单位所有制" in text
    assert f'<a href="{reverse("people:detail", args=[t.firm_no_sector.pk])}">李企管</a>' in text
    assert "蒋外粗" not in text
    one = client.get(reverse("reports:quality"), {"org": "C-A", "as_of": AS_OF.isoformat(), "check": NO_OWNERSHIP})
    assert {p.name for p in one.context["object_list"]} == {"李企管", "周工人", "吴农工"}
    response = client.get(reverse("reports:quality_xlsx"), {"org": "C-A", "as_of": AS_OF.isoformat()})
    assert response.status_code == 200
    rows = [list(r) for r in openpyxl.load_workbook(io.BytesIO(response.content))["问题清单"].iter_rows(values_only=True)]
    assert ["企业、工勤岗位缺单位所有制", "党员", "李企管", "C-A-1", "甲镇机关党支部",
            "工作岗位：企业管理人员，未登记公有制或非公有制单位", t.firm_no_sector.pk] in rows
    assert not [r for r in rows if r[2] == "蒋外粗"]
    call_command("quality", org="C-A", user="town_a", as_of=AS_OF.isoformat())
    body = json.loads(capsys.readouterr().out)
    checks = {c["code"]: c for c in body["checks"]}
    assert checks[UNPLACED]["count"] == 2 and checks[NO_OWNERSHIP]["count"] == 3
    assert {i["name"] for i in checks[NO_OWNERSHIP]["items"]} == {"李企管", "周工人", "吴农工"}
