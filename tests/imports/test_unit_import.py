"""单位 import (kind ``units``) and the 党组织 sheet's 所在单位代码 column: tree order, update, twice changes
nothing, each bad input refused by row and column with nothing written, scope on the unit tree."""

from __future__ import annotations

import pytest

from tests.imports.helpers import ORG_HEADERS, xlsx
from zugong.audit.models import AuditEvent
from zugong.core.errors import PermissionDeniedError, ValidationFailed
from zugong.core.registry import import_kind
from zugong.orgs.importers import import_organizations
from zugong.orgs.models import PartyOrganization, Unit
from zugong.orgs.unit_importers import import_units

pytestmark = pytest.mark.django_db
HEADERS = ["单位代码*", "单位名称*", "上级单位代码", "单位属性*", "是否法人单位", "统一社会信用代码", "经济控制类型",
           "企业规模", "成立日期"]


def run(rows, user, **kwargs):
    return import_units(xlsx([HEADERS, *rows], sheet="单位"), user=user, filename="单位.xlsx", **kwargs)


def state():
    return (list(Unit.objects.order_by("pk").values_list("code", "path", "name", "credit_code", "version")),
            AuditEvent.objects.count())


def rejected(rows, user) -> list[tuple[int, str, str]]:
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        run(rows, user)
    assert state() == before
    return [(e.row, e.column, e.reason) for e in exc.value.errors]


def test_registered_through_the_registry():
    kind = import_kind("units")
    assert (kind.label, kind.permission, kind.get_runner()) == ("单位", "basic.import", import_units)


def test_children_before_parents_then_twice_changes_nothing(units):
    rows = [
        ["U-A-E-1", "农机厂一车间", "U-A-E", "企业", "否", "", "集体经济控制", "小型", "2001-05-01"],
        ["U-A-E", "甲镇农机厂", "U-A", "企业", "是", "91110000802100433B", "集体", "中型", "1985-03-01"],
    ]
    result = run(rows, units.town_user)
    assert (result.created, result.updated) == (1, 1)
    child = Unit.objects.get(code="U-A-E-1")
    assert child.path.startswith(units.unit_firm_a.path) and child.enterprise_size == "small"
    assert Unit.objects.get(code="U-A-E").enterprise_size == "medium"
    again = run(rows, units.town_user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_bad_rows_named_by_row_and_column(units):
    errors = rejected([
        ["U-A-1", "东村", "U-A", "村", "是", "91350100M000100Y44", "", "", ""],
        ["U-A-2", "西村", "U-A", "村", "否", "", "国有", "", ""],
        ["U-A-3", "北村", "U-B", "村", "否", "", "", "", ""],
        ["U-B-E", "乙镇食品公司", "U-B", "企业", "是", "", "", "", ""],
        ["U-A-4", "南村", "", "村", "否", "", "", "", ""],
        ["U-A-E", "甲镇农机厂", "U", "企业", "是", "", "", "", ""],
    ], units.town_user)
    assert (2, "统一社会信用代码", "统一社会信用代码「91350100M000100Y44」校验位错误（第 18 位应为 3），请核对") in errors
    assert (3, "经济控制类型", "只有企业填写经济控制类型") in errors
    assert (4, "上级单位代码", "上级单位「U-B」不存在或不在您的管理范围内") in errors
    assert (5, "单位代码", "单位代码「U-B-E」已被其他单位使用（不在您的管理范围内）") in errors
    assert any(r == 6 and c == "上级单位代码" for r, c, _ in errors)
    assert any(r == 7 and "导入不调整隶属关系" in m for r, _, m in errors)


def test_one_credit_code_on_two_rows_is_refused_on_both(units):
    """One 统一社会信用代码 names one legal entity: two new units carrying it are both refused, by row, and
    nothing is written (not a database error after writing has started)."""
    assert not Unit.objects.filter(credit_code="91330100716105852F").exists()
    errors = rejected([
        ["U-A-5", "甲镇砖厂", "U-A", "企业", "是", "91330100716105852F", "集体", "小型", ""],
        ["U-A-6", "甲镇瓦厂", "U-A", "企业", "是", "91330100716105852F", "集体", "小型", ""],
        ["U-A-7", "甲镇粮站", "U-A", "事业单位", "否", "", "", "", ""],
    ], units.town_user)
    assert (2, "统一社会信用代码", "统一社会信用代码 91330100716105852F 与第 3 行重复（一个代码只对应一个单位）") in errors
    assert (3, "统一社会信用代码", "统一社会信用代码 91330100716105852F 与第 2 行重复（一个代码只对应一个单位）") in errors
    assert not any(r == 4 for r, _, _ in errors)


def test_org_tree_users_cannot_import_units(units):
    with pytest.raises(PermissionDeniedError):  # 支部书记: no basic.import anywhere
        run([["U-A-1", "东村", "U-A", "村", "否", "", "", "", ""]], units.branch_user)
    # a 党务工作者 of 甲镇's organizations holds basic.import on the organization tree only
    from tests.factories import make_user

    org_only = make_user("org_only_importer", "party_affairs", units.town_a)
    errors = rejected([["U-A-1", "东村", "U-A", "村", "否", "", "", "", ""]], org_only)
    assert errors == [(2, "上级单位代码", "上级单位「U-A」不存在或不在您的管理范围内")]


def test_org_sheet_sets_the_unit_of_organizations(units):
    headers = [*ORG_HEADERS, "所在单位代码"]
    rows = [["C-A-2", "甲镇东村党支部", "C-A", "党支部", "行政村", "", "与上级党组织相同"],
            ["C-A-J", "甲镇联合党支部", "C-A", "联合党支部", "企业", "", "U-A-E、U-B-E"]]
    # the town user sees only 甲镇's units: 乙镇's firm is "not found", nothing written
    before = list(PartyOrganization.objects.values_list("code", "unit_relation", "version"))
    with pytest.raises(ValidationFailed) as exc:
        import_organizations(xlsx([headers, *rows]), user=units.town_user, filename="党组织.xlsx")
    assert [(e.row, e.column) for e in exc.value.errors] == [(3, "所在单位代码")]
    assert "U-B-E" in exc.value.errors[0].reason
    assert list(PartyOrganization.objects.values_list("code", "unit_relation", "version")) == before
    import_organizations(xlsx([headers, *rows]), user=units.county_user, filename="党组织.xlsx")
    joint = PartyOrganization.objects.get(code="C-A-J")
    assert joint.unit_relation == "joint"
    assert sorted(joint.joint_units.values_list("code", flat=True)) == ["U-A-E", "U-B-E"]
    assert PartyOrganization.objects.get(code="C-A-2").unit_relation == "same_as_parent"


def test_org_sheet_refuses_a_non_legal_entity_unit(units):
    headers = [*ORG_HEADERS, "所在单位代码"]
    with pytest.raises(ValidationFailed) as exc:
        import_organizations(xlsx([headers, ["C-A-2", "甲镇东村党支部", "C-A", "党支部", "行政村", "", "U-A"]]),
                             user=units.town_user, filename="党组织.xlsx")
    assert [(e.column, e.reason) for e in exc.value.errors] == [("所在单位代码", "所选单位不是法人单位")]
