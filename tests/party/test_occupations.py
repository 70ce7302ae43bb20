"""工作岗位 for the 党内统计年报 (issue #10): the value forms (``core.codes.occupation_parse_annual`` and its
round trip through ``occupation_label``), the checks of hand entry (``party.occupations.clean_occupation``),
the sector from the organization's unit, and every place a membership's 工作岗位 is entered or shown:
新增党员 (page and API), 组织关系转接 (page and API), the roster, the person page, the member record API and
the roster export."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import openpyxl
import pytest
from django.urls import reverse

from tests.factories import PASSWORD, make_id, make_member
from zugong.core.codes import (
    OCCUPATION,
    OCCUPATION_DETAIL,
    annual_row,
    occupation_label,
    occupation_label_of,
    occupation_parse_annual,
    ownership_from_unit,
    title_level_parse,
)
from zugong.core.errors import ValidationFailed
from zugong.orgs.services import organization_create, organization_set_unit
from zugong.party import services
from zugong.party.exporters import export_roster
from zugong.party.models import Membership
from zugong.party.occupations import clean_occupation, organization_ownership, organization_ownerships

# --- value forms ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("农民工", ("worker", "skilled_worker", "", True, False)),
    ("进城务工人员", ("worker", "skilled_worker", "", True, False)),
    ("外出务工经商人员", ("farmer", "", "", False, True)),
    ("其中：外出务工经商人员", ("farmer", "", "", False, True)),
    ("公有制单位·其中：农民工", ("worker", "skilled_worker", "public", True, False)),  # the 年报 layout's own key
    ("工勤技能人员（农民工）", ("worker", "skilled_worker", "", True, False)),
    ("非公有制单位·企业管理人员", ("manager", "enterprise_manager", "non_public", False, False)),
    ("企业管理人员（非公有制）", ("manager", "enterprise_manager", "non_public", False, False)),
    ("国有企业管理人员", ("manager", "enterprise_manager", "public", False, False)),
    ("集体企业专业技术人员", ("professional", "enterprise_professional", "public", False, False)),
    ("私营企业专业技术人员", ("professional", "enterprise_professional", "non_public", False, False)),
    ("公有经济控制企业专业技术人员", ("professional", "enterprise_professional", "public", False, False)),
    ("企业工勤技能人员", ("worker", "skilled_worker", "", False, False)),  # sector unknown
    ("事业单位工勤技能人员", ("worker", "skilled_worker", "public", False, False)),
    ("非公有制单位·党政机关工作人员", ("government", "", "public", False, False)),  # the row fixes the sector
    ("民办非企业单位管理人员", ("manager", "nonprofit_manager", "non_public", False, False)),
    ("公务员", ("government", "", "public", False, False)),
    ("在校学生", ("student", "", "", False, False)),
    ("非公有制单位·学生", ("student", "", "", False, False)),  # not an 在岗职工: no sector
    ("退休人员", ("retired", "", "", False, False)),
    ("解放军", ("other", "military", "", False, False)),
    ("企事业单位、社会组织管理人员", ("manager", "", "", False, False)),  # coarse: no 年报 row
    ("社会组织专业技术人员", ("professional", "", "", False, False)),
])
def test_annual_value_forms(text, expected):
    read = occupation_parse_annual(text)
    assert (read.occupation, read.detail, read.ownership, read.migrant_worker, read.migrant_business) == expected


@pytest.mark.parametrize("text", ["宇航员", "企业管理人员（农民工）", "学生（外出务工经商人员）", "研究生", ""])
def test_unknown_or_contradictory_values(text):
    assert occupation_parse_annual(text) is None


def _combinations():
    rows = [(code, "") for code in OCCUPATION.entries]
    rows += [(None, code) for code in OCCUPATION_DETAIL.entries]
    for (category, detail), ownership, mw, mb in itertools.product(rows, ("", "public", "non_public"), (False, True),
                                                                   (False, True)):
        read = occupation_parse_annual(detail or category)
        yield read.occupation, read.detail, ownership, mw, mb


def test_every_label_reads_back_to_the_same_fields():
    """Whatever a membership holds, the label pages and exports show re-imports to the same fields (the
    sector only where the row does not fix it, a flag only on its row)."""
    seen = 0
    for occupation, detail, ownership, mw, mb in _combinations():
        label = occupation_label(occupation, detail, ownership=ownership, migrant_worker=mw, migrant_business=mb)
        read = occupation_parse_annual(label)
        assert read is not None, label
        if mw and occupation == "worker":
            detail = "skilled_worker"  # 农民工 are 工勤技能人员: 工人 and 工勤技能人员 are the same 年报 row
        assert (read.occupation, read.detail) == (occupation, detail), label
        assert read.migrant_worker == (mw and occupation == "worker"), label
        assert read.migrant_business == (mb and occupation == "farmer"), label
        if occupation in ("worker", "professional", "manager") and detail not in (
                "institution_manager", "institution_professional", "nonprofit_manager", "nonprofit_professional"):
            assert read.ownership == ownership, label
        seen += 1
    assert seen == (8 + 13) * 3 * 2 * 2


def test_annual_row_places_members_as_the_layout_does():
    assert annual_row("worker", "skilled_worker", "public") == "public·skilled_worker"
    assert annual_row("worker", "", "non_public") == "non_public·skilled_worker"  # 工人 → 工勤技能人员
    assert annual_row("worker", "skilled_worker", "") is None  # no sector: neither 公有 nor 非公有
    assert annual_row("manager", "enterprise_manager", "") is None
    assert annual_row("manager", "", "public") is None  # coarse: cannot be split
    assert annual_row("professional", "institution_professional", "") == "public·institution_professional"
    assert annual_row("government", "", "") == "public·government_staff"
    assert annual_row("manager", "nonprofit_manager", "public") == "non_public·nonprofit_manager"
    assert annual_row("farmer", "", "public") == "farmer"
    assert annual_row("other", "military") == "military"
    assert annual_row("", "") is None


def test_ownership_from_unit():
    assert ownership_from_unit("government_organ") == ownership_from_unit("public_institution") == "public"
    assert ownership_from_unit("enterprise", "state_controlled") == "public"
    assert ownership_from_unit("enterprise", "collective_controlled") == "public"
    assert ownership_from_unit("enterprise", "non_public_controlled") == "non_public"
    assert ownership_from_unit("enterprise") == ownership_from_unit("village") == ownership_from_unit("township") == ""


@pytest.mark.parametrize(("text", "level"), [
    ("高级", "senior"), ("正高级", "senior"), ("副高", "senior"), ("高级工程师", "senior"), ("副教授", "senior"),
    ("研究员", "senior"), ("正高级会计师", "senior"), ("中级", "intermediate"), ("主治医师", "intermediate"),
    ("讲师", "intermediate"), ("助理研究员", "intermediate"), ("经济师", "intermediate"), ("初级", "junior"),
    ("助理工程师", "junior"), ("技术员", "junior"), ("员级", "junior"), ("无", None), ("科长", None),
])
def test_title_level_names(text, level):
    assert title_level_parse(text) == level


# --- the sector of an organization's unit -----------------------------------------------------------------


def test_organization_ownership_follows_the_unit_link(units):
    t = units
    assert organization_ownership(t.branch_a1) == "public"  # 甲镇农机厂: 集体经济控制
    child = organization_create(parent=t.branch_a1, code="C-A-1-G", name="农机厂一组", org_type="party_group",
                                founded_date=dt.date(2000, 1, 1))
    child = organization_set_unit(user=None, organization=child, relation="same_as_parent", unit=None,
                                  expected_version=None)
    firm_b = organization_create(parent=t.town_b, code="C-B-9", name="乙镇食品公司党支部", org_type="branch",
                                 founded_date=dt.date(2000, 1, 1))
    firm_b = organization_set_unit(user=None, organization=firm_b, relation="legal_entity_unit", unit=t.unit_firm_b,
                                   expected_version=None)
    got = organization_ownerships([child.pk, firm_b.pk, t.branch_a2.pk, t.branch_b1.pk])
    # inherited from the branch above; 非公有经济控制; a village gives none; an organization without a unit link
    # whose own 单位属性 is 机关 is 公有制
    assert got == {child.pk: "public", firm_b.pk: "non_public", t.branch_a2.pk: "", t.branch_b1.pk: "public"}


# --- hand entry: clean_occupation -------------------------------------------------------------------------


def _clean(value, **kwargs):
    problems = []
    fields = clean_occupation(value, problems, **kwargs)
    return fields, {p.field: p.reason for p in problems}


def test_clean_occupation_rules(tree):
    fields, problems = _clean({"occupation": "enterprise_manager", "ownership": "非公有制单位", "front_line_kind": "企业生产"})
    assert problems == {}
    assert fields == {"occupation": "manager", "occupation_detail": "enterprise_manager", "ownership": "non_public",
                      "migrant_worker": False, "migrant_business": False, "front_line": True,
                      "front_line_kind": "enterprise_production"}
    # a 企业 row in a village branch: the sector cannot be derived, hand entry must give it
    _, problems = _clean("企业管理人员", organization=tree.branch_a2)
    assert "单位所有制" in problems and "经济控制类型" in problems["单位所有制"]
    # ... unless the text says it, or the organization's own 单位属性 (机关) does
    assert _clean("私营企业管理人员", organization=tree.branch_a2)[0]["ownership"] == "non_public"
    assert _clean("工勤技能人员", organization=tree.branch_b1)[0]["ownership"] == "public"
    # a coarse category is accepted (the quality report flags it)
    assert _clean("企事业单位、社会组织管理人员", organization=tree.branch_a2)[1] == {}
    # contradictions, each naming its field and the rule
    assert "属于公有制单位" in _clean({"occupation": "事业单位管理人员", "ownership": "non_public"})[1]["单位所有制"]
    assert "不是在岗职工" in _clean({"occupation": "学生", "ownership": "public"})[1]["单位所有制"]
    assert "只有工勤技能人员" in _clean({"occupation": "farmer", "migrant_worker": True})[1]["农民工"]
    assert "只有农牧渔民" in _clean({"occupation": "学生", "migrant_business": "是"})[1]["外出务工经商人员"]
    assert "为否" in _clean({"occupation": "farmer", "front_line": False, "front_line_kind": "农村生产"})[1]["一线类别"]
    assert "无法识别的一线类别" in _clean({"occupation": "farmer", "front_line_kind": "车间"})[1]["一线类别"]
    assert "不属于" in _clean({"occupation": "学生", "occupation_detail": "enterprise_manager"})[1]["工作岗位（年报）"]
    assert _clean("", required=True)[1] == {"工作岗位": "必填项为空"}
    assert _clean("宇航员")[1] == {"工作岗位": "无法识别的工作岗位「宇航员」"}


def test_clean_occupation_carries_a_previous_period(tree):
    previous = {"occupation": "manager", "occupation_detail": "enterprise_manager", "ownership": "", "migrant_worker": False,
                "migrant_business": False, "front_line": True, "front_line_kind": "enterprise_production"}
    # unchanged and incomplete (no sector): carried over, not re-checked; the new organization's unit fills it
    fields, problems = _clean(None, previous=previous, organization=tree.branch_a2)
    assert problems == {} and fields == previous
    fields, _ = _clean(None, previous=previous, organization=tree.branch_b1)
    assert fields["ownership"] == "public"
    # the same coarse category picked again keeps the row
    assert _clean("企事业单位、社会组织管理人员", previous=previous)[0]["occupation_detail"] == "enterprise_manager"
    # a new row drops a flag that no longer fits and keeps the front line
    farmer = previous | {"occupation": "worker", "occupation_detail": "skilled_worker", "ownership": "public",
                         "migrant_worker": True}
    fields, problems = _clean("学生", previous=farmer)
    assert problems == {} and (fields["migrant_worker"], fields["front_line"]) == (False, True)


# --- entered and shown ------------------------------------------------------------------------------------


def _new_member(t, **kwargs):
    birth = dt.date(1990, 4, 5)
    data = dict(user=t.county_user, organization_id=t.branch_a1.pk, name="赵农", sex="1", ethnicity="01",
                birth_date=birth, id_number=make_id(birth, "1"), education_level="21", admission_date=dt.date(2015, 7, 1),
                full_membership_date=dt.date(2016, 7, 1))
    data.update(kwargs)
    return services.member_create(**data)


def test_member_create_stores_the_annual_fields_with_the_units_sector(units):
    person = _new_member(units, occupation={"occupation": "农民工", "front_line_kind": "企业生产"})
    m = Membership.objects.get(person=person)
    # branch A1 is set up in 甲镇农机厂 (集体经济控制): 公有制
    assert (m.occupation, m.occupation_detail, m.ownership, m.migrant_worker, m.front_line, m.front_line_kind) == (
        "worker", "skilled_worker", "public", True, True, "enterprise_production")
    assert occupation_label_of(m) == "公有制单位·农民工"


def test_member_create_refuses_an_unplaceable_row_and_writes_nothing(tree):
    before = Membership.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        _new_member(tree, organization_id=tree.branch_a2.pk, occupation={"occupation": "企业专业技术人员",
                                                                          "migrant_business": True})
    columns = {e.column for e in caught.value.errors}
    assert columns == {"单位所有制", "外出务工经商人员"}
    assert Membership.objects.count() == before


def test_member_create_page_and_roster_show_the_row(units, client):
    t = units
    client.login(username="county", password=PASSWORD)
    birth = dt.date(1991, 2, 3)
    response = client.post(reverse("party:member_create"), {
        "organization": t.branch_a2.pk, "name": "钱企", "sex": "1", "ethnicity": "01", "id_number": make_id(birth, "1"),
        "birth_date": birth.isoformat(), "education_level": "21", "category": "full", "admission_date": "2014-07-01",
        "full_membership_date": "2015-07-01", "occupation": "enterprise_professional", "ownership": "non_public",
        "front_line_kind": "teaching_research", "taiwan_origin": "on", "title_level": "intermediate"})
    assert response.status_code == 302, response.content.decode()[:2000]
    m = Membership.objects.select_related("person").get(person__name="钱企")
    assert (m.occupation_detail, m.ownership, m.front_line, m.front_line_kind) == (
        "enterprise_professional", "non_public", True, "teaching_research")
    assert (m.person.taiwan_origin, m.person.title_level) == (True, "intermediate")
    roster = client.get(reverse("party:member_list"), {"org": "C-A-2"}).content.decode()
    assert "非公有制单位·企业专业技术人员" in roster
    page = client.get(reverse("people:detail", args=[m.person_id])).content.decode()
    assert "非公有制单位·企业专业技术人员" in page and "是（教学科研）" in page
    # the same page refuses a 企业 row without the sector in a village branch, naming the field
    response = client.post(reverse("party:member_create"), {
        "organization": t.branch_a2.pk, "name": "孙企", "sex": "1", "ethnicity": "01", "id_number": make_id(birth, "1"),
        "birth_date": birth.isoformat(), "education_level": "21", "category": "full", "admission_date": "2014-07-01",
        "full_membership_date": "2015-07-01", "occupation": "enterprise_manager"})
    assert response.status_code == 400 and "单位所有制" in response.content.decode()
    assert not Membership.objects.filter(person__name="孙企").exists()


def test_transfer_page_keeps_the_row_and_api_changes_it(units, client):
    t = units
    person = _new_member(t, occupation={"occupation": "企业管理人员"})  # 公有制 from 甲镇农机厂
    current = Membership.objects.get(person=person, end_date__isnull=True)
    client.login(username="county", password=PASSWORD)
    url = reverse("party:membership_transfer", args=[person.pk])
    form = client.get(url).content.decode()
    assert 'value="enterprise_manager" selected' in form  # the form starts with the current row
    response = client.post(url, {"version": current.version, "to_organization": t.branch_a2.pk, "date": "2024-03-01",
                                 "occupation": "enterprise_manager", "ownership": "public"})
    assert response.status_code == 302, response.content.decode()[:1500]
    moved = Membership.objects.get(person=person, end_date__isnull=True)
    assert (moved.organization, moved.occupation_detail, moved.ownership) == (t.branch_a2, "enterprise_manager", "public")
    response = client.post(reverse("api:member-transfer", args=[person.pk]),
                           {"version": moved.version, "to_organization": t.branch_a1.pk, "date": "2024-06-01",
                            "occupation": "农民工", "front_line_kind": "enterprise_production"},
                           content_type="application/json")
    assert response.status_code == 200, response.json()
    last = response.json()["memberships"][-1]
    assert {k: last[k] for k in ("occupation", "occupation_detail", "ownership", "migrant_worker", "front_line",
                                 "front_line_kind", "occupation_label")} == {
        "occupation": "worker", "occupation_detail": "skilled_worker", "ownership": "public", "migrant_worker": True,
        "front_line": True, "front_line_kind": "enterprise_production", "occupation_label": "公有制单位·农民工"}
    bad = client.post(reverse("api:member-transfer", args=[person.pk]),
                      {"version": last["version"], "to_organization": t.branch_a2.pk, "date": "2024-07-01",
                       "occupation": "学生", "migrant_worker": True}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["column"] == "农民工"


def test_api_create_and_roster_items_carry_the_annual_fields(tree, client):
    client.login(username="county", password=PASSWORD)
    birth = dt.date(1987, 8, 9)
    response = client.post(reverse("api:person-list"), {
        "organization": tree.branch_a2.pk, "name": "周渔", "sex": "男", "ethnicity": "汉族", "birth_date": birth.isoformat(),
        "id_number": make_id(birth, "1"), "education_level": "高中", "admission_date": "2012-07-01",
        "full_membership_date": "2013-07-01", "occupation": "外出务工经商人员", "front_line_kind": "农村生产",
        "title_level": "助理农艺师"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    assert (response.json()["title_level"], response.json()["title_level_label"]) == ("junior", "初级")
    items = client.get(reverse("api:member-list"), {"org": "C-A-2", "name": "周渔"}).json()["results"]
    assert len(items) == 1
    item = items[0]
    assert {k: item[k] for k in ("occupation", "occupation_label", "migrant_business", "ownership", "front_line",
                                 "front_line_kind")} == {
        "occupation": "farmer", "occupation_label": "外出务工经商人员", "migrant_business": True, "ownership": "",
        "front_line": True, "front_line_kind": "rural_production"}


def test_roster_export_writes_labels_that_read_back(units):
    t = units
    make_member(t.branch_a2, "吴工", occupation="worker")
    Membership.objects.filter(person__name="吴工").update(occupation_detail="skilled_worker", ownership="non_public",
                                                          migrant_worker=True)
    data = export_roster(user=t.county_user, organization=t.branch_a2, as_of=dt.date.today(), unmask=True)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    header = [c.value for c in sheet[1]]
    shown = {r[0]: r[header.index("工作岗位")] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert shown["吴工"] == "非公有制单位·农民工"
    read = occupation_parse_annual(shown["吴工"])
    assert (read.detail, read.ownership, read.migrant_worker) == ("skilled_worker", "non_public", True)
