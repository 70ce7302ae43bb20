"""The downloadable import templates: ID and phone columns formatted as text, drop-down lists of the
coded columns pointing at the sheet 「可填写的值」, and a template that still imports (empty → "no
rows", filled in → imported)."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest

from tests.factories import make_id
from zugong.core.codes import EDUCATION, ETHNICITY, MEMBER_CATEGORY, OCCUPATION, ORG_TYPE, UNIT_CATEGORY
from zugong.core.errors import ValidationFailed
from zugong.core.files import LAST_ROW, VALUES_SHEET
from zugong.orgs.importers import import_organizations, organizations_template
from zugong.orgs.models import PartyOrganization
from zugong.party.exporters import roster_template
from zugong.party.importers import import_roster
from zugong.people.models import Person

pytestmark = pytest.mark.django_db


def workbook(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def header_columns(ws) -> dict[str, str]:
    """Header (without ``*``) → column letter."""
    return {str(c.value).rstrip("*"): c.column_letter for c in ws[1]}


def drop_downs(ws) -> dict[str, tuple[str, str]]:
    """Column letter → (the validation's range, its formula) of every list validation of ``ws``."""
    found = {}
    for validation in ws.data_validations.dataValidation:
        assert validation.type == "list"
        (cell_range,) = validation.sqref.ranges
        found[cell_range.coord[0]] = (cell_range.coord, validation.formula1)
    return found


def listed_values(wb, formula: str) -> list[str]:
    """The values a ``'可填写的值'!$B$2:$B$9`` formula points at."""
    sheet, cells = formula.rsplit("!", 1)
    assert sheet == f"'{VALUES_SHEET}'"
    return [row[0].value for row in wb[VALUES_SHEET][cells.replace("$", "")]]


ROSTER_CODED = {
    "性别": ["男", "女"],
    "民族": list(ETHNICITY.names),
    "学历": list(EDUCATION.names),
    "人员类别": list(MEMBER_CATEGORY.names),
    "工作岗位": list(OCCUPATION.names),
    "生产工作一线": ["是", "否"],
}


def test_roster_template_text_columns_drop_downs_and_values_sheet():
    wb = workbook(roster_template())
    assert wb.sheetnames == ["党员花名册", "说明", VALUES_SHEET]
    ws = wb["党员花名册"]
    columns = header_columns(ws)
    for header in ("公民身份号码", "手机号码", "所在党组织"):
        assert ws.column_dimensions[columns[header]].number_format == "@", header
    for header in ("姓名", "出生日期"):
        assert ws.column_dimensions[columns[header]].number_format == "General", header
    lists = drop_downs(ws)
    assert set(lists) == {columns[h] for h in ROSTER_CODED}
    values_sheet = wb[VALUES_SHEET]
    for header, expected in ROSTER_CODED.items():
        letter = columns[header]
        cell_range, formula = lists[letter]
        assert cell_range == f"{letter}2:{letter}{LAST_ROW}"
        assert listed_values(wb, formula) == expected, header
        source_column = formula.rsplit("!", 1)[1].split(":")[0].strip("$").rstrip("0123456789$")
        assert values_sheet[f"{source_column}1"].value == header
    assert ws.max_row == 1  # headers only: no pre-formatted empty rows


def test_org_template_drop_downs():
    wb = workbook(organizations_template())
    ws = wb["党组织"]
    columns = header_columns(ws)
    assert ws.column_dimensions[columns["组织代码"]].number_format == "@"
    lists = drop_downs(ws)
    assert set(lists) == {columns["组织类别"], columns["单位属性"]}
    assert listed_values(wb, lists[columns["组织类别"]][1]) == list(ORG_TYPE.names)
    assert listed_values(wb, lists[columns["单位属性"]][1]) == list(UNIT_CATEGORY.names)


def test_empty_template_imports_as_no_rows(tree):
    for data, run in ((roster_template(), import_roster), (organizations_template(), import_organizations)):
        with pytest.raises(ValidationFailed) as exc:
            run(data, user=tree.town_user, filename="模板.xlsx")
        assert [e.reason for e in exc.value.errors] == ["文件中没有数据行"]


def fill(data: bytes, sheet: str, values: dict[str, object]) -> bytes:
    """The template ``data`` with one row filled in by header, saved the way a user saves it."""
    wb = workbook(data)
    ws = wb[sheet]
    columns = header_columns(ws)
    for header, value in values.items():
        ws[f"{columns[header]}2"] = value
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_filled_templates_import(tree):
    number = make_id(dt.date(1990, 3, 8), "1")
    data = fill(roster_template(), "党员花名册", {
        "姓名": "周全", "性别": "男", "民族": "壮族", "公民身份号码": number, "出生日期": dt.date(1990, 3, 8),
        "学历": "大学专科", "入党日期": dt.date(2015, 7, 1), "转正日期": dt.date(2016, 7, 1), "人员类别": "正式党员",
        "工作岗位": OCCUPATION.names[0], "所在党组织": "C-A-1", "手机号码": "13900001111", "生产工作一线": "是"})
    result = import_roster(data, user=tree.town_user, filename="党员花名册导入模板.xlsx")
    assert (result.created, result.updated) == (1, 0)
    person = Person.objects.get(id_number_hash=Person.hash_id_number(number))
    assert (person.name, person.ethnicity, person.education_level, person.phone) == ("周全", "08", "30", "13900001111")

    data = fill(organizations_template(), "党组织", {
        "组织代码": "C-A-9", "组织名称": "第九党支部", "上级组织代码": "C-A", "组织类别": "党支部", "单位属性": "企业"})
    result = import_organizations(data, user=tree.county_user, filename="党组织导入模板.xlsx")
    assert result.created == 1
    org = PartyOrganization.objects.get(code="C-A-9")
    assert (org.org_type, org.unit_category) == ("branch", "enterprise")
    assert org.path.startswith(tree.town_a.path) and org.depth == tree.town_a.depth + 1
