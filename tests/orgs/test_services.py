"""Organization services: every bad input is refused with a Chinese message naming the field and writes
nothing (organizations, memberships and change-log rows snapshotted); success paths are audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_member
from zugong.audit.models import AuditEvent
from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed
from zugong.orgs import validators
from zugong.orgs.models import PartyOrganization
from zugong.orgs.selectors import member_counts, organization_pick, organization_summary
from zugong.orgs.services import (
    LIST_LIMIT,
    organization_create,
    organization_dissolve,
    organization_move,
    organization_reactivate,
    organization_update,
)
from zugong.party.models import Membership

pytestmark = pytest.mark.django_db


def snapshot():
    """Everything a refused service must leave alone."""
    orgs = list(PartyOrganization.objects.order_by("pk").values_list(
        "pk", "path", "numchild", "name", "org_type", "status", "dissolved_date", "dissolution_reason", "version"))
    members = list(Membership.objects.order_by("pk").values_list("pk", "organization_id", "end_date", "version"))
    return orgs, members, AuditEvent.objects.filter(kind="change").count()


def fresh(org):
    return PartyOrganization.objects.get(pk=org.pk)


def refused(exc_info, field: str, *words: str):
    exc = exc_info.value
    assert any(e.column == field for e in exc.errors), exc.errors
    text = exc.message
    assert f"「{field}」" in text
    for w in words:
        assert w in text, text


def empty_branch(tree, code="C-A-9", parent=None, **kw):
    return organization_create(user=tree.town_user, parent=parent or tree.town_a, code=code, name="甲镇空党支部",
                               org_type="branch", founded_date=kw.pop("founded_date", dt.date(2000, 1, 1)), **kw)


# --- create ----------------------------------------------------------------------------------------------
def test_create_child_in_scope_is_audited(tree):
    before = AuditEvent.objects.filter(kind="change").count()
    org = empty_branch(tree)
    assert PartyOrganization.objects.get_parent(fresh(org)).pk == tree.town_a.pk
    assert AuditEvent.objects.filter(kind="change").count() == before + 1


def test_create_under_org_outside_scope_is_not_found(tree):
    before = snapshot()
    with pytest.raises(OutOfScope):
        organization_create(user=tree.town_user, parent=tree.town_b, code="X1", name="乙镇新支部", org_type="branch")
    assert snapshot() == before


def test_create_without_add_right_or_with_node_grant_only_is_not_found(tree):
    from tests.factories import make_user

    viewer = make_user("viewer_a", "viewer", tree.town_a)
    node_only = make_user("node_a", "party_affairs", tree.town_a, include_subtree=False)
    before = snapshot()
    for user in (viewer, node_only):
        with pytest.raises(OutOfScope):
            organization_create(user=user, parent=tree.town_a, code="X1", name="新支部", org_type="branch")
    assert snapshot() == before


def test_create_bad_values_name_the_fields(tree):
    future = timezone.localdate() + dt.timedelta(days=3)
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        organization_create(user=tree.town_user, parent=tree.town_a, code="C-A-1", name=" ", org_type="xx",
                            founded_date=future)
    refused(exc, "组织代码", "已存在")
    refused(exc, "组织名称", "必填")
    refused(exc, "组织类别", "无法识别")
    refused(exc, "成立日期", "晚于今天")
    assert snapshot() == before


def test_party_group_takes_no_children(tree):
    group = organization_create(user=tree.town_user, parent=tree.branch_a1, code="C-A-1-G1", name="第一党小组",
                                org_type="party_group")
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        organization_create(user=tree.town_user, parent=group, code="X", name="不行", org_type="party_group")
    refused(exc, "上级组织", "党小组")
    assert snapshot() == before


# --- update ----------------------------------------------------------------------------------------------
def test_update_renames_and_bumps_version(tree):
    org = organization_update(user=tree.town_user, organization=tree.branch_a1, expected_version=1,
                              changes={"name": "甲镇机关第一党支部", "unit_category": "public_institution"})
    stored = fresh(tree.branch_a1)
    assert stored.name == "甲镇机关第一党支部" and stored.version == 2 == org.version
    event = AuditEvent.objects.filter(kind="change", object_id=str(org.pk)).order_by("-id").first()
    assert event.data["changes"]["name"] == ["甲镇机关党支部", "甲镇机关第一党支部"]


def test_stale_edit_names_who_changed_what(tree):
    organization_update(user=tree.county_user, organization=tree.branch_a1, expected_version=1,
                        changes={"name": "甲镇机关第一党支部"})
    before = snapshot()
    with pytest.raises(ConcurrentEdit) as exc:
        organization_update(user=tree.town_user, organization=tree.branch_a1, expected_version=1,
                            changes={"founded_date": dt.date(1961, 1, 1)})
    assert exc.value.status_code == 409
    assert "county" in exc.value.message and "组织名称" in exc.value.message and "未保存" in exc.value.message
    assert snapshot() == before


def test_update_outside_scope_or_without_change_right(tree):
    before = snapshot()
    with pytest.raises(OutOfScope):
        organization_update(user=tree.town_user, organization=tree.branch_b1, expected_version=1, changes={"name": "x"})
    with pytest.raises(OutOfScope):  # a branch secretary has party.change on the branch only
        organization_update(user=tree.branch_user, organization=tree.town_a, expected_version=1, changes={"name": "x"})
    assert snapshot() == before


def test_update_type_to_party_group_with_children_refused(tree):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        organization_update(user=tree.county_user, organization=tree.town_a, expected_version=1,
                            changes={"org_type": "party_group", "name": ""})
    refused(exc, "组织类别", "下级组织")
    refused(exc, "组织名称", "必填")
    assert snapshot() == before


# --- move ------------------------------------------------------------------------------------------------
def test_move_with_subtree(tree):
    group = organization_create(user=tree.county_user, parent=tree.branch_a1, code="C-A-1-G1", name="第一党小组",
                                org_type="party_group")
    moved = organization_move(user=tree.county_user, organization=tree.branch_a1, new_parent=tree.town_b,
                              expected_version=1)
    assert PartyOrganization.objects.get_parent(moved).pk == tree.town_b.pk and moved.version == 2
    assert fresh(group).path.startswith(moved.path)
    assert fresh(tree.town_a).numchild == 1 and fresh(tree.town_b).numchild == 2
    event = AuditEvent.objects.filter(kind="change", object_id=str(moved.pk)).order_by("-id").first()
    assert event.data["action"] == "move" and event.data["changes"]["parent"] == ["C-A", "C-B"]


def test_move_under_own_descendant_refused(tree):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        organization_move(user=tree.county_user, organization=tree.town_a, new_parent=tree.branch_a1,
                          expected_version=1)
    refused(exc, "上级组织", "下级组织", "循环")
    with pytest.raises(ValidationFailed) as exc:
        organization_move(user=tree.county_user, organization=tree.town_a, new_parent=tree.town_a, expected_version=1)
    refused(exc, "上级组织", "自身")
    assert snapshot() == before


def test_move_out_of_scope_refused(tree):
    """The township user cannot move its branch under the other township (not covered) nor pull the other
    township's branch in; a branch secretary cannot move its own branch (no subtree grant above)."""
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        organization_move(user=tree.town_user, organization=tree.branch_a1, new_parent=tree.town_b, expected_version=1)
    refused(exc, "上级组织", "不在您的管理范围内")
    with pytest.raises(OutOfScope):
        organization_move(user=tree.town_user, organization=tree.branch_b1, new_parent=tree.town_a, expected_version=1)
    with pytest.raises(ValidationFailed):
        organization_move(user=tree.branch_user, organization=tree.branch_a1, new_parent=tree.town_a,
                          expected_version=1)
    assert snapshot() == before


def test_move_stale_refused(tree):
    organization_update(user=tree.county_user, organization=tree.branch_a1, expected_version=1, changes={"name": "新名"})
    before = snapshot()
    with pytest.raises(ConcurrentEdit) as exc:
        organization_move(user=tree.county_user, organization=tree.branch_a1, new_parent=tree.town_b, expected_version=1)
    assert "组织名称" in exc.value.message
    assert snapshot() == before


def test_roster_as_of_before_move_is_unchanged_for_the_moved_org(tree):
    """Memberships point at the organization, so a move changes no membership row and the moved
    organization's roster and figures as of a past date stay the same. The tree is not effective-dated:
    the superiors' subtree counts follow the current tree (documented in ``organization_move``)."""
    past = dt.date(2020, 1, 1)
    members_before = list(Membership.objects.order_by("pk").values_list("pk", "organization_id", "start_date", "end_date"))
    summary_before = organization_summary(user=tree.county_user, organization=tree.branch_a1, as_of=past)
    roster_before = set(Membership.objects.on(past).filter(organization=tree.branch_a1).values_list("person_id", flat=True))
    assert summary_before["total"] == 1  # 李娜 joined in 2024
    organization_move(user=tree.county_user, organization=tree.branch_a1, new_parent=tree.town_b, expected_version=1)
    moved = fresh(tree.branch_a1)
    assert list(Membership.objects.order_by("pk").values_list("pk", "organization_id", "start_date", "end_date")) \
        == members_before
    assert organization_summary(user=tree.county_user, organization=moved, as_of=past) == summary_before
    assert set(Membership.objects.on(past).filter(organization=moved).values_list("person_id", flat=True)) == roster_before
    counts = member_counts(user=tree.county_user, organizations=[fresh(tree.town_a), fresh(tree.town_b)], as_of=past)
    assert counts == {tree.town_a.pk: 1, tree.town_b.pk: 2}  # current tree: the branch counts under 乙镇 now


# --- dissolve / reactivate ---------------------------------------------------------------------------------
def test_dissolve_with_members_lists_them(tree):
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        organization_dissolve(user=tree.town_user, organization=tree.branch_a1, date=dt.date(2024, 12, 31),
                              reason="撤并", expected_version=1)
    refused(exc, "撤销日期", "2 名党员", "张伟", "李娜", "组织关系转接")
    assert snapshot() == before


def test_dissolve_with_sub_organizations_lists_them_first_n_and_count(tree):
    parent = organization_create(user=tree.town_user, parent=tree.town_a, code="C-A-8", name="甲镇联合党总支",
                                 org_type="general_branch")
    for i in range(LIST_LIMIT + 2):
        organization_create(user=tree.town_user, parent=parent, code=f"C-A-8-{i:02d}", name=f"第{i}支部",
                            org_type="branch")
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        organization_dissolve(user=tree.town_user, organization=parent, date=timezone.localdate(), reason="撤并",
                              expected_version=1)
    refused(exc, "上级组织", f"{LIST_LIMIT + 2} 个未撤销的下级组织", "第0支部", f"等 {LIST_LIMIT + 2} 个")
    assert f"第{LIST_LIMIT + 1}支部" not in exc.value.message
    assert snapshot() == before


def test_dissolve_dates_refused(tree):
    org = empty_branch(tree, founded_date=dt.date(2000, 1, 1))
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        organization_dissolve(user=tree.town_user, organization=org, date=dt.date(1999, 12, 31), reason="撤并",
                              expected_version=1)
    refused(exc, "撤销日期", "早于成立日期 2000-01-01")
    with pytest.raises(ValidationFailed) as exc:
        organization_dissolve(user=tree.town_user, organization=org, date=timezone.localdate() + dt.timedelta(days=1),
                              reason="撤并", expected_version=1)
    refused(exc, "撤销日期", "晚于今天")
    with pytest.raises(ValidationFailed) as exc:
        organization_dissolve(user=tree.town_user, organization=org, date=dt.date(2020, 1, 1), reason=" ",
                              expected_version=1)
    refused(exc, "撤销原因", "必填")
    assert snapshot() == before


def test_dissolve_refused_when_a_membership_ends_after_the_date(tree):
    org = empty_branch(tree)
    person = make_member(org, "赵六")
    Membership.objects.filter(organization=org).update(end_date=dt.date(2023, 5, 1))
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        organization_dissolve(user=tree.town_user, organization=org, date=dt.date(2022, 1, 1), reason="撤并",
                              expected_version=1)
    refused(exc, "撤销日期", "之后才结束")
    assert snapshot() == before
    assert person is not None


def test_dissolve_needs_delete_right(tree):
    org = organization_create(user=tree.branch_user, parent=tree.branch_a1, code="C-A-1-G1", name="第一党小组",
                              org_type="party_group")
    before = snapshot()
    with pytest.raises(OutOfScope):  # 支部书记 holds no party.delete
        organization_dissolve(user=tree.branch_user, organization=org, date=timezone.localdate(), reason="撤并",
                              expected_version=1)
    assert snapshot() == before


def test_dissolve_and_reactivate(tree):
    org = empty_branch(tree)
    done = organization_dissolve(user=tree.town_user, organization=org, date=dt.date(2024, 6, 30), reason="村党支部撤并",
                                 expected_version=1)
    stored = fresh(org)
    assert (stored.status, stored.dissolved_date, stored.dissolution_reason, stored.version) == (
        "dissolved", dt.date(2024, 6, 30), "村党支部撤并", 2) and done.version == 2
    assert PartyOrganization.objects.active_on(dt.date(2024, 7, 1)).filter(pk=org.pk).count() == 0
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        organization_dissolve(user=tree.town_user, organization=org, date=dt.date(2024, 7, 1), reason="x",
                              expected_version=2)
    refused(exc, "状态", "已撤销")
    with pytest.raises(ValidationFailed) as exc:  # nothing goes under a dissolved organization
        organization_create(user=tree.town_user, parent=org, code="X", name="x", org_type="party_group")
    refused(exc, "上级组织", "已撤销")
    with pytest.raises(ConcurrentEdit):
        organization_reactivate(user=tree.town_user, organization=org, expected_version=1)
    assert snapshot() == before
    back = organization_reactivate(user=tree.town_user, organization=org, expected_version=2)
    stored = fresh(org)
    assert (stored.status, stored.dissolved_date, stored.dissolution_reason) == ("active", None, "") and back.version == 3
    with pytest.raises(ValidationFailed) as exc:
        organization_reactivate(user=tree.town_user, organization=org, expected_version=3)
    refused(exc, "状态", "未撤销")


# --- picker and validators ---------------------------------------------------------------------------------
def test_picker_finds_by_name_code_and_path_within_scope_only(tree):
    assert [o.code for o in organization_pick(user=tree.town_user, text="机关")] == ["C-A-1"]
    assert [o.code for o in organization_pick(user=tree.town_user, text="C-A-")] == ["C-A-1", "C-A-2"]
    assert [o.code for o in organization_pick(user=tree.county_user, text="乙镇 机关")] == ["C-B-1"]
    assert [o.code for o in organization_pick(user=tree.county_user, text="甲镇/东村")] == ["C-A-2"]
    assert organization_pick(user=tree.town_user, text="乙镇") == []
    assert organization_pick(user=tree.town_user, text="C-B-1") == []
    assert [o.code for o in organization_pick(user=tree.county_user, text="C-A", exclude=tree.town_a)] == []


def test_validators_are_pure():
    assert validators.check_parent_position(org_path="0001", parent_path="00010002")[0].field == "上级组织"
    assert validators.check_parent_position(org_path="0001", parent_path="0002") == []
    problems = validators.check_dissolve(day=dt.date(2000, 1, 1), reason="", founded=dt.date(2001, 1, 1),
                                         today=dt.date(2026, 1, 1))
    assert [p.field for p in problems] == ["撤销日期", "撤销原因"]
    assert validators.check_org_type("branch") == [] and validators.check_org_type("nope")[0].source


def test_picker_words_may_all_be_in_the_name(tree):
    assert [o.code for o in organization_pick(user=tree.county_user, text="甲镇 东村 党支部")] == ["C-A-2"]
    assert [o.code for o in organization_pick(user=tree.county_user, text="东村 甲镇")] == []


def test_dissolve_refusal_names_sub_organizations_only_to_who_sees_them(tree):
    from tests.factories import make_user

    node_only = make_user("town_node", "party_affairs", tree.town_a, include_subtree=False)
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        organization_dissolve(user=node_only, organization=tree.town_a, date=timezone.localdate(), reason="撤并",
                              expected_version=1)
    refused(exc, "上级组织", "2 个未撤销的下级组织")
    assert "甲镇机关党支部" not in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        organization_dissolve(user=tree.town_user, organization=tree.town_a, date=timezone.localdate(), reason="撤并",
                              expected_version=1)
    assert "甲镇机关党支部" in exc.value.message
    assert snapshot() == before
