"""党组织 sheets of real layouts (issue #9): the national system's 党组织 list (全称, 简称, 编码, 唯一标识, the parent
by name, the unit's columns), platforms without a code or without any parent column, paths (组织树), parents
by external identifier, codes that lost their leading zeros, and the bad input of the issue (ambiguous
names, an identifier on two organizations, unknown vs out-of-scope parents) — nothing written on error.

Headers sit on row 1 here; title rows, hint rows and two-row headers are ``core.layout``'s (tests/imports/
test_layout*.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import CREDIT_CODES, make_user
from tests.imports.helpers import xlsx
from zugong.audit.models import AuditEvent
from zugong.core.errors import ValidationFailed
from zugong.orgs.importers import default_parent, import_organizations
from zugong.orgs.models import OrganizationExternalId, PartyOrganization, Unit
from zugong.orgs.services import organization_create

pytestmark = pytest.mark.django_db

NATIONAL = ["党组织全称", "党组织简称", "党组织编码", "党组织唯一标识", "组织类别", "批准成立的上级党组织", "成立日期"]


def run(headers, rows, user, **kwargs):
    return import_organizations(xlsx([headers, *rows]), user=user, filename="党组织信息.xlsx", **kwargs)


def state():
    return (sorted(PartyOrganization.objects.values_list("code", "path", "name", "short_name", "org_type", "version")),
            sorted(OrganizationExternalId.objects.values_list("system", "value", "organization_id")),
            sorted(Unit.objects.values_list("code", "name", "version")),
            AuditEvent.objects.filter(kind="import").count())


def rejected(headers, rows, user) -> list:
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        run(headers, rows, user)
    assert state() == before
    return exc.value.errors


def parent_of(code: str) -> str:
    org = PartyOrganization.objects.get(code=code)
    return PartyOrganization.objects.get(path=org.path[:-PartyOrganization.steplen]).code if org.depth > 1 else ""


def test_national_layout_full_names_parent_by_name_and_external_ids(tree):
    rows = [
        # a child listed before its parent, the parent named by its official full name (a row of this file)
        ["中共某县甲镇西村第一支部委员会", "西村第一党支部", "C-A-3-1", "5F2A-0001", "党的支部委员会",
         "中共某县甲镇西村总支部委员会", "2001.07"],
        ["中共某县甲镇西村总支部委员会", "西村党总支", "C-A-3", "5F2A-0000", "党的总支部委员会",
         "中共某县甲镇委员会", "1999-05-01"],  # stored as 甲镇党委 under 某县委: matched with a warning
        ["中共某县甲镇联合支部委员会", "", "C-A-4", "", "联合支部", "甲镇党委", "2019/05/04"],
    ]
    result = run(NATIONAL, rows, tree.town_user)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    general = PartyOrganization.objects.get(code="C-A-3")
    assert (general.name, general.short_name, general.org_type) == ("中共某县甲镇西村总支部委员会", "西村党总支",
                                                                    "general_branch")
    assert parent_of("C-A-3") == "C-A" and parent_of("C-A-3-1") == "C-A-3" and parent_of("C-A-4") == "C-A"
    assert PartyOrganization.objects.get(code="C-A-4").org_type == "joint_branch"
    assert PartyOrganization.objects.get(code="C-A-3-1").founded_date == dt.date(2001, 7, 1)
    assert dict(OrganizationExternalId.objects.values_list("value", "organization__code")) == {
        "5F2A-0001": "C-A-3-1", "5F2A-0000": "C-A-3"}
    warned = {(w.row, w.column): w.reason for w in result.warnings}
    assert "按名称近似匹配为「甲镇党委（C-A）」" in warned[(3, "上级党组织")]
    # the stored identifier resolves on the next import (the roster's 党组织唯一标识)
    from zugong.orgs.matching import OrganizationMatcher
    assert OrganizationMatcher(tree.town_user).resolve("", external_id="5F2A-0001").organization.code == "C-A-3-1"
    # same file twice: nothing changes
    again = run(NATIONAL, rows, tree.town_user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)


def test_without_code_column_codes_come_from_the_identifier_or_the_parent_and_reimport_creates_nothing(tree):
    headers = ["党组织名称", "党组织唯一标识", "党组织类别", "上级党组织"]
    rows = [["甲镇南村党支部", "NAT-77", "党支部", "甲镇党委"],
            ["甲镇北村党支部", "", "党支部", "甲镇党委"],
            ["北村第一党小组", "", "党小组", "甲镇北村党支部"]]
    result = run(headers, rows, tree.town_user)
    assert result.created == 3
    assert parent_of("NAT-77") == "C-A"
    north = PartyOrganization.objects.get(name="甲镇北村党支部")
    assert north.code.startswith("C-A-") and parent_of(north.code) == "C-A"
    group = PartyOrganization.objects.get(name="北村第一党小组")
    assert group.code == f"{north.code}-1" and parent_of(group.code) == north.code
    assert {w.reason for w in result.warnings} >= {f"未填写组织代码，新组织「甲镇北村党支部」的组织代码为「{north.code}」"}
    again = run(headers, rows, tree.town_user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    # renamed in the other system, same identifier: an update, not a new organization
    renamed = run(headers, [["甲镇南村党支部更名", "NAT-77", "党支部", "甲镇党委"]], tree.town_user)
    assert (renamed.created, renamed.updated) == (0, 1)
    assert PartyOrganization.objects.get(code="NAT-77").name == "甲镇南村党支部更名"


def test_no_parent_column_places_new_organizations_under_the_users_own_root(tree):
    headers = ["组织代码", "组织名称", "组织类别"]
    result = run(headers, [["C-A-7", "甲镇新村党支部", "党支部"], ["C-A-1", "甲镇机关党支部更名", "党支部"]],
                 tree.town_user)
    assert (result.created, result.updated) == (1, 1)
    assert parent_of("C-A-7") == "C-A"  # the town user's root, never a new top-level organization
    assert parent_of("C-A-1") == "C-A"  # an existing organization stays where it is
    assert [(w.row, w.reason) for w in result.warnings] == [
        (2, "文件没有上级党组织列，新组织「甲镇新村党支部」放在您管理范围的顶级组织「甲镇党委」下")]
    assert default_parent(tree.town_user).code == "C-A"
    assert default_parent(tree.county_user).code == "C"


def test_no_code_and_no_parent_column_finds_existing_organizations_by_identifier_or_name(tree):
    OrganizationExternalId.objects.create(organization=tree.branch_a2, value="A2-ID")
    headers = ["党组织名称", "党组织唯一标识", "组织类别"]
    result = run(headers, [["甲镇东村党支部新名", "A2-ID", "党支部"], ["甲镇机关党支部", "", "党支部"],
                           ["中共甲镇西村支部委员会", "", "党支部"]], tree.town_user)
    assert (result.created, result.updated, result.unchanged) == (1, 1, 1)
    assert PartyOrganization.objects.get(code="C-A-2").name == "甲镇东村党支部新名" and parent_of("C-A-2") == "C-A"
    west = PartyOrganization.objects.get(name="中共甲镇西村支部委员会")
    assert parent_of(west.code) == "C-A" and west.code.startswith("C-A-")
    # the short form of the new branch's name finds it next time (normalised name under the same parent)
    again = run(headers, [["甲镇西村党支部", "", "党支部"]], tree.town_user)
    assert (again.created, again.updated) == (0, 1)
    assert PartyOrganization.objects.get(pk=west.pk).name == "甲镇西村党支部"


def test_no_parent_column_with_several_roots_asks_for_a_parent(tree):
    user = make_user("two_towns", "party_affairs", tree.town_a)
    from zugong.accounts.services import grant_role
    grant_role(user=user, role_code="party_affairs", organization=tree.town_b, include_subtree=True)
    with pytest.raises(ValidationFailed) as exc:
        default_parent(user)
    assert "甲镇党委（C-A）、乙镇党委（C-B）" in exc.value.errors[0].reason
    errors = rejected(["组织代码", "组织名称", "组织类别"], [["X-1", "某党支部", "党支部"]], user)
    assert "请在文件中增加「上级党组织」或「上级组织代码」列" in errors[0].reason
    # updating existing organizations needs no default parent
    assert run(["组织代码", "组织名称", "组织类别"], [["C-B-1", "乙镇机关党支部", "党支部"]], user).unchanged == 1
    node_only = make_user("node_only", "party_affairs", tree.branch_a1, include_subtree=False)
    with pytest.raises(ValidationFailed):
        default_parent(node_only)


def test_parent_by_path_and_by_the_parents_external_identifier(tree):
    OrganizationExternalId.objects.create(organization=tree.town_a, value="TOWN-A")
    headers = ["组织代码", "组织名称", "组织类别", "组织树", "上一级党组织唯一标识", "党组织唯一标识"]
    rows = [
        ["C-A-5", "甲镇中学党支部", "党支部", "某县委/甲镇党委/甲镇中学党支部", "", ""],  # the path ends with itself
        ["C-A-6", "甲镇卫生院党总支", "党总支", "", "TOWN-A", "HOSP"],
        ["C-A-6-1", "卫生院第一党支部", "党支部", "", "HOSP", ""],  # the parent's identifier, a row of this file
        ["C-A-8", "甲镇敬老院党支部", "党支部", "中共某县委员会>中共某县甲镇委员会", "", ""],
    ]
    result = run(headers, rows, tree.town_user)
    assert result.created == 4
    assert [parent_of(c) for c in ("C-A-5", "C-A-6", "C-A-6-1", "C-A-8")] == ["C-A", "C-A", "C-A-6", "C-A"]


def test_ambiguous_unknown_and_out_of_scope_parents(tree):
    organization_create(code="C-A-9", name="东村党支部", org_type="branch", parent=tree.town_a)
    organization_create(code="C-B-9", name="东村党支部", org_type="branch", parent=tree.town_b)
    headers = ["组织代码", "组织名称", "组织类别", "上级党组织"]
    errors = rejected(headers, [["C-X-1", "第一党小组", "党小组", "东村党支部"]], tree.county_user)
    assert [(e.row, e.column) for e in errors] == [(2, "上级党组织")]
    assert errors[0].reason.startswith("上级组织「东村党支部」对应 2 个党组织：东村党支部（C-A-9）、东村党支部（C-B-9）")
    # the town user sees only its own 东村党支部: resolved
    assert run(headers, [["C-A-9-1", "第一党小组", "党小组", "东村党支部"]], tree.town_user).created == 1
    unknown = rejected(headers, [["C-A-10", "某支部", "党支部", "丙镇党委"]], tree.town_user)
    hidden = rejected(headers, [["C-A-10", "某支部", "党支部", "乙镇党委"]], tree.town_user)
    assert unknown[0].reason == "上级组织「丙镇党委」不存在或不在您的管理范围内"
    assert hidden[0].reason == "上级组织「乙镇党委」不存在或不在您的管理范围内"


def test_the_same_identifier_on_two_rows_or_already_held_by_another_organization(tree):
    headers = ["组织代码", "组织名称", "组织类别", "上级组织代码", "党组织唯一标识"]
    errors = rejected(headers, [["C-A-5", "甲", "党支部", "C-A", "DUP"], ["C-A-6", "乙", "党支部", "C-A", "DUP"]],
                      tree.town_user)
    assert [(e.row, e.column, e.reason) for e in errors] == [
        (2, "党组织唯一标识", "党组织唯一标识「DUP」与第 3 行重复"), (3, "党组织唯一标识", "党组织唯一标识「DUP」与第 2 行重复")]
    OrganizationExternalId.objects.create(organization=tree.branch_a2, value="HELD")
    OrganizationExternalId.objects.create(organization=tree.branch_b1, value="HELD-B")
    errors = rejected(headers, [["C-A-5", "甲", "党支部", "C-A", "HELD"], ["C-A-6", "乙", "党支部", "C-A", "HELD-B"]],
                      tree.town_user)
    assert [e.reason for e in errors] == ["党组织唯一标识「HELD」已登记在「甲镇东村党支部（C-A-2）」",
                                          "党组织唯一标识「HELD-B」已登记在其他党组织（不在您的管理范围内）"]


def test_codes_that_lost_their_leading_zeros(tree):
    organization_create(code="000123", name="甲镇农机厂党支部", org_type="branch", parent=tree.town_a)
    headers = ["党组织编码", "党组织全称", "组织类别", "上级党组织"]
    result = run(headers, [[123, "甲镇农机厂党支部更名", "党支部", "甲镇党委"],
                           [4567, "甲镇砖厂党支部", "党支部", "甲镇党委"],
                           ["004568", "甲镇纸厂党支部", "党支部", "甲镇党委"],
                           ["004569", "甲镇粮站党支部", "党支部", "甲镇党委"]], tree.town_user)
    assert (result.created, result.updated) == (3, 1)
    assert PartyOrganization.objects.get(code="000123").name == "甲镇农机厂党支部更名"
    warned = [(w.row, w.column, w.reason) for w in result.warnings]
    assert (2, "组织代码", "组织代码「123」可能丢失了前导 0，按「000123」处理") in warned
    assert (3, "组织代码", "组织代码「4567」比本文件其他编码（6 位）短，可能丢失了前导 0；请把该列设为文本格式后核对") in warned
    # a parent code that lost its zeros resolves too
    child = run(["组织代码", "组织名称", "组织类别", "上级组织代码"], [["000123-1", "第一党小组", "党小组", "123"]],
                tree.town_user)
    assert child.created == 1 and parent_of("000123-1") == "000123"
    assert "前导 0" in child.warnings[0].reason


def test_real_org_type_values(tree):
    headers = ["组织代码", "组织名称", "组织类别", "上级组织代码"]
    rows = [["C-A-11", "某学院党委", "二级党委", "C-A"], ["C-A-12", "某系党组织", "院系党组织", "C-A"],
            ["C-A-11-1", "在职教工党支部", "在职教工党支部", "C-A-11"], ["C-A-13", "甲镇联合支部", "联合支部", "C-A"],
            ["C-A-14", "某党总支", "党的总支部委员会", "C-A"]]
    run(headers, rows, tree.county_user)
    types = dict(PartyOrganization.objects.filter(code__in=[r[0] for r in rows]).values_list("code", "org_type"))
    assert types == {"C-A-11": "committee", "C-A-12": "committee", "C-A-11-1": "branch", "C-A-13": "joint_branch",
                     "C-A-14": "general_branch"}


NATIONAL_UNITS = ["党组织编码", "党组织全称", "组织类别", "上级党组织", "党组织所在单位情况", "单位名称",
                  "法人单位统一社会信用代码", "单位性质类别", "企业控制（控股）情况", "企业规模", "单位成立日期"]


def test_national_unit_columns_fill_the_linked_unit(units):
    tree = units
    rows = [
        # a new branch in a new enterprise: the unit is created under the parent organization's unit's tree
        ["C-A-20", "中共甲镇食品有限公司支部委员会", "党支部", "甲镇党委", "法人单位", "甲镇食品有限公司",
         CREDIT_CODES[3], "非公有制企业", "私人控股", "小型企业", "2008-03-01"],
        # the existing branch in 甲镇农机厂: its unit is updated (size)
        ["C-A-1", "甲镇机关党支部", "党支部", "甲镇党委", "法人单位", "甲镇农机厂", CREDIT_CODES[1], "集体企业",
         "集体控股", "中型", ""],
        # same unit as the superior: no unit of its own
        ["C-A-21", "甲镇机关第二党支部", "党支部", "甲镇党委", "与上级党组织相同", "", "", "", "", "", ""],
    ]
    result = run(NATIONAL_UNITS, rows, tree.town_user)
    assert (result.created, result.updated, result.unchanged) == (2, 1, 0)  # C-A-1: 单位属性 now 企业
    assert result.details["units_created"] == 1 and result.details["units_updated"] == 1
    food = Unit.objects.get(credit_code=CREDIT_CODES[3])
    assert (food.code, food.name, food.unit_category, food.legal_entity, food.economic_control, food.enterprise_size,
            food.founded_date) == (CREDIT_CODES[3], "甲镇食品有限公司", "enterprise", True, "non_public_controlled",
                                   "small", dt.date(2008, 3, 1))
    assert food.path.startswith(tree.unit_town_a.path)  # the town user's unit root
    new_branch = PartyOrganization.objects.get(code="C-A-20")
    assert (new_branch.unit_relation, new_branch.unit_id) == ("legal_entity_unit", food.pk)
    assert new_branch.unit_category == "enterprise"  # 单位性质类别 fills 单位属性 when that column is absent
    assert Unit.objects.get(code="U-A-E").enterprise_size == "medium"
    branch = PartyOrganization.objects.get(code="C-A-1")
    assert (branch.unit_id, branch.unit_category) == (tree.unit_firm_a.pk, "enterprise")
    assert PartyOrganization.objects.get(code="C-A-21").unit_relation == "same_as_parent"
    again = run(NATIONAL_UNITS, rows, tree.town_user)
    assert (again.created, again.updated, again.details["units_created"], again.details["units_updated"]) == (0, 0, 0, 0)


def test_unit_columns_without_a_unit_grant_are_refused(tree):
    rows = [["C-A-20", "中共甲镇食品有限公司支部委员会", "党支部", "甲镇党委", "法人单位", "甲镇食品有限公司",
             CREDIT_CODES[3], "非公有制企业", "", "", ""]]
    errors = rejected(NATIONAL_UNITS, rows, tree.town_user)  # no grant on the unit tree at all
    assert [(e.row, e.column) for e in errors] == [(2, "单位名称")] and "没有单位的导入权限" in errors[0].reason


def test_a_credit_code_held_by_a_unit_outside_the_unit_scope(units):
    rows = [["C-A-20", "某支部", "党支部", "甲镇党委", "法人单位", "乙镇食品公司", CREDIT_CODES[2], "企业", "", "", ""]]
    errors = rejected(NATIONAL_UNITS, rows, units.town_user)
    assert errors[0].reason == "所在单位不在您的单位管理范围内（需要单位导入权限）"


def test_repeated_founding_date_second_is_the_units(units):
    headers = ["党组织编码", "党组织全称", "组织类别", "上级党组织", "成立日期", "单位名称", "法人单位统一社会信用代码",
               "单位性质类别", "成立日期"]
    rows = [["C-A-20", "中共甲镇食品有限公司支部委员会", "党支部", "甲镇党委", "2010-07-01", "甲镇食品有限公司",
             CREDIT_CODES[3], "企业", "2008-03-01"]]
    run(headers, rows, units.town_user)
    assert PartyOrganization.objects.get(code="C-A-20").founded_date == dt.date(2010, 7, 1)
    assert Unit.objects.get(credit_code=CREDIT_CODES[3]).founded_date == dt.date(2008, 3, 1)


def test_the_organization_page_shows_the_short_name_and_external_ids(client, tree):
    from django.urls import reverse

    run(["党组织编码", "党组织全称", "党组织简称", "党组织唯一标识", "组织类别", "上级党组织"],
        [["C-A-30", "中共某县甲镇西村支部委员会", "西村党支部", "5F2A-0030", "党支部", "甲镇党委"]], tree.town_user)
    OrganizationExternalId.objects.create(organization=PartyOrganization.objects.get(code="C-A-30"),
                                          system="集团党建平台", value="JT-30")
    client.force_login(tree.town_user)
    page = client.get(reverse("orgs:detail", args=[PartyOrganization.objects.get(code="C-A-30").pk]))
    html = page.content.decode()
    assert "<dt>党组织简称</dt><dd>西村党支部</dd>" in html
    assert '<dd id="org-external-ids">5F2A-0030；集团党建平台：JT-30</dd>' in html


def test_a_parent_identifier_held_by_two_organizations_is_refused(tree):
    OrganizationExternalId.objects.create(organization=tree.town_a, system="平台甲", value="P-1")
    OrganizationExternalId.objects.create(organization=tree.branch_a1, system="平台乙", value="P-1")
    errors = rejected(["组织代码", "组织名称", "组织类别", "上一级党组织唯一标识"], [["C-A-40", "某支部", "党支部", "P-1"]],
                      tree.town_user)
    assert [(e.row, e.column) for e in errors] == [(2, "上一级党组织唯一标识")]
    assert errors[0].reason == ("外部标识「P-1」对应 2 个党组织：甲镇党委（C-A）、甲镇机关党支部（C-A-1），"
                                "请在组织页面核对外部标识")


def test_validation_queries_do_not_grow_with_the_rows(tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    headers = ["党组织全称", "组织类别", "批准成立的上级党组织", "党组织唯一标识"]

    def queries(n: int) -> int:
        rows = [[f"中共某县甲镇第{i}村支部委员会", "党支部", "中共某县甲镇委员会", f"ID-{i}"] for i in range(n)]
        user = type(tree.town_user).objects.get(pk=tree.town_user.pk)  # no grants cached on the object
        with CaptureQueriesContext(connection) as ctx:
            result = run(headers, rows, user, dry_run=True)
        assert result.created == n
        return len(ctx.captured_queries)

    assert queries(300) == queries(20) <= 10
