"""党组织 import service (``orgs.importers.import_organizations``): tree order, updates, moves, cycles,
scope and roots."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_user
from tests.imports.helpers import ORG_HEADERS, xlsx
from zugong.audit.models import AuditEvent
from zugong.core.errors import ValidationFailed
from zugong.orgs.importers import import_organizations
from zugong.orgs.models import PartyOrganization

pytestmark = pytest.mark.django_db


def run(rows, user, **kwargs):
    return import_organizations(xlsx([ORG_HEADERS, *rows]), user=user, filename="党组织.xlsx", **kwargs)


def tree_state():
    return sorted(PartyOrganization.objects.values_list("code", "path", "name", "org_type", "version"))


def rejected(rows, user) -> list:
    before = (tree_state(), AuditEvent.objects.filter(kind="import").count())
    with pytest.raises(ValidationFailed) as exc:
        run(rows, user)
    assert (tree_state(), AuditEvent.objects.filter(kind="import").count()) == before
    return exc.value.errors


def parent_code(code: str) -> str:
    org = PartyOrganization.objects.get(code=code)
    if org.depth == 1:
        return ""
    return PartyOrganization.objects.get(path=org.path[:-PartyOrganization.steplen]).code


def test_children_before_parents_are_created_in_tree_order(tree):
    rows = [
        ["C-A-3-G1", "第一党小组", "C-A-3", "党小组", "", ""],
        ["C-A-3", "甲镇西村党支部", "C-A", "党支部", "行政村", "2001-07-01"],
        ["C-A-4", "甲镇企业联合党支部", "C-A", "联合党支部", "企业", "2019.05"],
    ]
    result = run(rows, tree.town_user)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    west = PartyOrganization.objects.get(code="C-A-3")
    assert west.org_type == "branch" and west.unit_category == "village" and west.founded_date == dt.date(2001, 7, 1)
    assert parent_code("C-A-3-G1") == "C-A-3" and parent_code("C-A-3") == "C-A"
    assert [(w.row, w.column) for w in result.warnings] == [(4, "成立日期")]  # 2019.05: day unknown
    assert PartyOrganization.objects.restrict(tree.town_user, "import").filter(code="C-A-3-G1").exists()


def test_reimport_updates_fields_and_twice_changes_nothing(tree):
    rows = [["C-A-2", "甲镇东村第一党支部", "C-A", "党总支", "行政村", "1960-01-01"]]
    first = run(rows, tree.town_user)
    assert (first.created, first.updated) == (0, 1)
    org = PartyOrganization.objects.get(code="C-A-2")
    assert org.name == "甲镇东村第一党支部" and org.org_type == "general_branch" and org.version == 2
    second = run(rows, tree.town_user)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 1)
    assert PartyOrganization.objects.get(code="C-A-2").version == 2


def test_changed_parent_moves_the_subtree(tree):
    run([["C-A-3", "新支部", "C-A", "党总支", "", ""], ["C-A-3-1", "新支部一", "C-A-3", "党支部", "", ""]], tree.town_user)
    result = run([["C-A-3", "新支部", "C-A-2", "党总支", "", ""]], tree.town_user)
    assert result.updated == 1 and result.details["moved"] == 1
    assert parent_code("C-A-3") == "C-A-2" and parent_code("C-A-3-1") == "C-A-3"
    moved = PartyOrganization.objects.get(code="C-A-3-1")
    assert moved.path.startswith(PartyOrganization.objects.get(code="C-A-2").path)
    assert PartyOrganization.objects.find_problems() == ([], [], [], [], [])


def test_parent_that_is_itself_rejected(tree):
    error = rejected([["C-A-9", "某支部", "C-A-9", "党支部", "", ""]], tree.town_user)
    assert [(e.row, e.column) for e in error] == [(2, "上级组织代码")]
    assert "本组织自身" in error[0].reason


def test_cycle_inside_the_file_rejected(tree):
    errors = rejected([["X-1", "甲", "X-2", "党总支", "", ""], ["X-2", "乙", "X-1", "党总支", "", ""]], tree.county_user)
    assert {(e.row, e.column) for e in errors} == {(2, "上级组织代码"), (3, "上级组织代码")}
    assert all("循环" in e.reason for e in errors)


def test_parent_that_is_a_descendant_in_the_database_rejected(tree):
    # 甲镇党委 under its own branch C-A-1
    errors = rejected([["C-A", "甲镇党委", "C-A-1", "党委", "乡镇", ""]], tree.county_user)
    assert [(e.row, e.column) for e in errors] == [(2, "上级组织代码")]
    assert "下级组织" in errors[0].reason


def test_cycle_across_file_and_database_rejected(tree):
    # new X under C-A-1 (DB child of C-A) and C-A moved under X: C-A → X → C-A-1 → C-A
    errors = rejected([["X", "新组织", "C-A-1", "党总支", "", ""], ["C-A", "甲镇党委", "X", "党委", "", ""]],
                      tree.county_user)
    assert {e.row for e in errors} == {2, 3} and all("循环" in e.reason for e in errors)


def test_unknown_and_out_of_scope_parent_get_the_same_message(tree):
    errors = rejected([["C-A-5", "甲", "NOPE", "党支部", "", ""], ["C-A-6", "乙", "C-B", "党支部", "", ""]],
                      tree.town_user)
    assert [e.reason for e in errors] == ["上级组织「NOPE」不存在或不在您的管理范围内",
                                          "上级组织「C-B」不存在或不在您的管理范围内"]


def test_existing_code_outside_scope_is_not_taken_over(tree):
    errors = rejected([["C-B-1", "改名", "C-A", "党支部", "", ""]], tree.town_user)
    assert [(e.row, e.column) for e in errors] == [(2, "组织代码")]
    assert PartyOrganization.objects.get(code="C-B-1").name == "乙镇机关党支部"


def test_a_grant_on_the_moved_org_alone_does_not_allow_moving_it_out(tree):
    secretary = make_user("a1_import", "party_affairs", tree.branch_a1)
    errors = rejected([["C-A-1", "甲镇机关党支部", "C-B", "党支部", "", ""]], secretary)
    assert [e.column for e in errors] == ["上级组织代码"]


def test_node_only_grant_allows_update_but_not_children(tree):
    node_user = make_user("a2_node", "party_affairs", tree.branch_a2, include_subtree=False)
    assert run([["C-A-2", "东村党支部（更名）", "C-A", "党支部", "", ""]], node_user).updated == 1
    errors = rejected([["C-A-2-1", "小组", "C-A-2", "党小组", "", ""]], node_user)
    assert errors[0].column == "上级组织代码"


def test_roots_only_for_users_with_a_grant_on_a_root(tree):
    errors = rejected([["T", "新工委", "", "党工委", "", ""]], tree.town_user)
    assert [(e.row, e.column) for e in errors] == [(2, "上级组织代码")] and "顶级" in errors[0].reason
    result = run([["T", "新工委", "", "党工委", "", ""]], tree.county_user)  # 组织部门 at the root
    assert result.created == 1 and PartyOrganization.objects.get(code="T").depth == 1
    assert "安全管理员授权" in result.warnings[0].reason
    # updating an existing root in place needs only a grant covering it
    assert run([["C", "某县委（更名）", "", "党委", "机关", "1950-01-01"]], tree.county_user).updated == 1


def test_party_group_cannot_have_children(tree):
    run([["C-A-1-G", "小组", "C-A-1", "党小组", "", ""]], tree.town_user)
    errors = rejected([["C-A-1-G-1", "小小组", "C-A-1-G", "党小组", "", ""]], tree.town_user)
    assert "党小组" in errors[0].reason


def test_duplicate_codes_and_bad_values_rejected(tree):
    errors = rejected([
        ["C-A-7", "甲", "C-A", "党支部", "", ""],
        ["C-A-7", "乙", "C-A", "党支部", "", ""],
        ["C-A-8", "", "C-A", "支委会", "火星", "2023-02-30"],
    ], tree.town_user)
    cells = {(e.row, e.column) for e in errors}
    assert {(2, "组织代码"), (3, "组织代码"), (4, "组织名称"), (4, "组织类别"), (4, "单位属性"), (4, "成立日期")} == cells


def test_missing_required_column(tree):
    with pytest.raises(ValidationFailed) as exc:
        import_organizations(xlsx([["组织代码", "组织名称"], ["X", "Y"]]), user=tree.county_user, filename="a.xlsx")
    assert [(e.row, e.column, e.reason) for e in exc.value.errors] == [(0, "组织类别", "缺少必填列「组织类别」")]


def test_audit_event_recorded(tree):
    run([["C-A-3", "西村党支部", "C-A", "党支部", "", ""]], tree.town_user)
    event = AuditEvent.objects.filter(kind="import").latest("id")
    assert event.object_type == "orgs" and event.data["created"] == 1 and event.data["filename"] == "党组织.xlsx"
