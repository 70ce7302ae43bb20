"""Units (单位): the credit-code validator (GB 32100-2015), the unit services and their refusals, the
unit of a party organization (党组织所在单位情况), and scoping on the unit tree."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from tests.factories import CREDIT_CODES, make_user
from zugong.accounts.models import RoleGrant
from zugong.accounts.services import grant_role
from zugong.audit.models import AuditEvent
from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed, ZugongError
from zugong.core.scoping import anchor_kind, can, user_scope
from zugong.orgs import validators as v
from zugong.orgs.models import PartyOrganization, Unit
from zugong.orgs.services import organization_create, organization_set_unit, organization_update
from zugong.orgs.unit_selectors import organization_unit, unit_list
from zugong.orgs.unit_services import (
    unit_create,
    unit_dissolve,
    unit_move,
    unit_reactivate,
    unit_update,
)

pytestmark = pytest.mark.django_db


# --- validators ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", CREDIT_CODES)
def test_real_credit_codes_pass(code):
    assert v.check_credit_code(code) == []
    assert v.credit_code_check_char(code[:17]) == code[17]


def test_credit_code_wrong_check_character_names_the_expected_one():
    problems = v.check_credit_code("91350100M000100Y44")
    assert [(p.field, p.source) for p in problems] == [("统一社会信用代码", v.GB_32100)]
    assert "第 18 位应为 3" in problems[0].reason


@pytest.mark.parametrize("value, words", [
    ("91350100M000100Y4", "应为 18 位"),
    ("91350100M000100O43", "不允许的字符「O」"),
    ("91350100I000100Y43", "不允许的字符「I」"),
])
def test_credit_code_shape(value, words):
    problems = v.check_credit_code(value)
    assert len(problems) == 1 and words in problems[0].reason


def test_credit_code_normalised_from_what_people_type():
    assert v.normalize_credit_code(" 91350100 m000100y43 ") == "91350100M000100Y43"


def test_category_dependent_attributes():
    problems = v.check_unit_attributes(unit_category="township", legal_entity=False, credit_code=CREDIT_CODES[0],
                                       economic_control="state_controlled", enterprise_size="large",
                                       organ_level="county")
    assert {p.field for p in problems} == {"经济控制类型", "企业规模", "机关层级", "是否法人单位"}
    assert v.check_unit_attributes(unit_category="enterprise", legal_entity=True, credit_code=CREDIT_CODES[0],
                                   economic_control="state_controlled", enterprise_size="large", organ_level="") == []


# --- services -----------------------------------------------------------------------------------------------
def snapshot():
    units = list(Unit.objects.order_by("pk").values_list("pk", "path", "name", "status", "credit_code", "version"))
    orgs = list(PartyOrganization.objects.order_by("pk").values_list("pk", "unit_id", "unit_relation", "version"))
    return units, orgs, AuditEvent.objects.count()


def refused(call) -> list[tuple[str, str]]:
    before = snapshot()
    with pytest.raises(ValidationFailed) as exc:
        call()
    assert snapshot() == before
    return [(e.column, e.reason) for e in exc.value.errors]


def test_create_with_all_attributes_is_audited(units):
    unit = unit_create(user=units.town_user, parent=units.unit_town_a, code="U-A-S", name="甲镇中心小学",
                       unit_category="public_institution", legal_entity=True,
                       credit_code=" 91330100716105852f ", founded_date=dt.date(1952, 9, 1))
    assert (unit.credit_code, unit.depth, unit.legal_entity) == ("91330100716105852F", 3, True)
    assert Unit.objects.get(pk=unit.pk).path.startswith(units.unit_town_a.path)
    assert AuditEvent.objects.filter(kind="change", object_type="orgs.unit", object_id=str(unit.pk)).exists()


def test_create_refusals_name_the_field(units):
    errors = refused(lambda: unit_create(user=units.county_user, parent=units.unit_county, code="U-A",
                                         name="", unit_category="enterprise", credit_code=CREDIT_CODES[1],
                                         legal_entity=True, organ_level="county"))
    fields = {c for c, _ in errors}
    assert {"单位代码", "单位名称", "统一社会信用代码", "机关层级"} <= fields
    assert ("单位代码", "单位代码 U-A 已存在") in errors
    assert any("已登记在单位 U-A-E" in r for _, r in errors)


def test_create_outside_the_unit_scope_is_not_found(units):
    with pytest.raises(OutOfScope):
        unit_create(user=units.town_user, parent=units.unit_town_b, code="X", name="X", unit_category="village")
    # an organization grant does not reach the unit tree
    with pytest.raises(OutOfScope):
        unit_create(user=units.branch_user, parent=units.unit_firm_a, code="X", name="X", unit_category="village")


def test_update_checks_the_final_values_and_versions(units):
    firm = units.unit_firm_a
    errors = refused(lambda: unit_update(user=units.town_user, unit=firm, expected_version=firm.version,
                                         changes={"unit_category": "village"}))
    assert {c for c, _ in errors} == {"经济控制类型", "企业规模"}
    updated = unit_update(user=units.town_user, unit=firm, expected_version=firm.version,
                          changes={"name": "甲镇农机有限公司", "enterprise_size": "medium"})
    assert (updated.name, updated.enterprise_size, updated.version) == ("甲镇农机有限公司", "medium", firm.version + 1)
    with pytest.raises(ConcurrentEdit) as exc:
        unit_update(user=units.county_user, unit=firm, expected_version=firm.version, changes={"name": "旧名"})
    assert "town_a" in exc.value.message and "单位名称" in exc.value.message


def test_move_refuses_own_descendant_and_moves_the_subtree(units):
    errors = refused(lambda: unit_move(user=units.county_user, unit=units.unit_town_a, new_parent=units.unit_firm_a,
                                       expected_version=None))
    assert errors == [("上级单位", "上级单位「甲镇农机厂」是本单位的下级单位，不能作为上级（会形成循环）")]
    # 甲镇's party-affairs worker cannot pull its firm under 乙镇 (outside its unit scope)
    errors = refused(lambda: unit_move(user=units.town_user, unit=units.unit_firm_a, new_parent=units.unit_town_b,
                                       expected_version=None))
    assert errors == [("上级单位", "上级单位不存在或不在您的管理范围内")]
    moved = unit_move(user=units.county_user, unit=units.unit_firm_a, new_parent=units.unit_town_b,
                      expected_version=units.unit_firm_a.version)
    assert moved.path.startswith(units.unit_town_b.path)
    event = AuditEvent.objects.filter(object_type="orgs.unit", object_id=str(moved.pk)).order_by("-id").first()
    assert event.data["changes"]["parent"] == ["U-A", "U-B"]


def test_dissolve_refused_with_the_list_then_allowed(units):
    errors = refused(lambda: unit_dissolve(user=units.county_user, unit=units.unit_town_a, date=dt.date(2024, 1, 1),
                                           reason="撤并", expected_version=None))
    assert errors == [("上级单位", "该单位还有 1 个未撤销的下级单位（甲镇农机厂），请先撤销或移走下级单位")]
    errors = refused(lambda: unit_dissolve(user=units.county_user, unit=units.unit_firm_a, date=dt.date(2024, 1, 1),
                                           reason="破产", expected_version=None))
    assert errors == [("所在单位", "该单位还有 1 个未撤销的党组织（甲镇机关党支部），请先撤销这些党组织或调整其所在单位")]
    organization_set_unit(user=units.county_user, organization=units.branch_a1, relation="",
                          expected_version=None)
    gone = unit_dissolve(user=units.county_user, unit=units.unit_firm_a, date=dt.date(2024, 1, 1), reason="破产",
                         expected_version=None)
    assert (gone.status, gone.dissolution_reason) == ("dissolved", "破产")
    # a dissolved unit takes no child and no organization; reactivating it restores it
    with pytest.raises(ValidationFailed):
        unit_create(user=units.county_user, parent=gone, code="U-A-E-1", name="车间", unit_category="enterprise")
    back = unit_reactivate(user=units.county_user, unit=gone, expected_version=gone.version)
    assert (back.status, back.dissolved_date) == ("active", None)


def test_branch_secretary_cannot_dissolve_a_unit(units):
    secretary = make_user("firm_secretary")
    grant_role(user=secretary, role_code="branch_secretary", unit=units.unit_firm_a)
    with pytest.raises(OutOfScope):
        unit_dissolve(user=secretary, unit=units.unit_firm_a, date=dt.date(2024, 1, 1), reason="x", expected_version=None)


# --- the unit of a party organization -------------------------------------------------------------------------
def test_set_unit_relation_rules(units):
    branch = PartyOrganization.objects.get(pk=units.branch_a2.pk)
    errors = refused(lambda: organization_set_unit(user=units.county_user, organization=branch, relation="joint",
                                                   joint_units=[units.unit_firm_a], expected_version=None))
    assert {c for c, _ in errors} == {"党组织所在单位情况", "联合党支部覆盖的单位"}
    errors = refused(lambda: organization_set_unit(user=units.county_user, organization=branch,
                                                   relation="legal_entity_unit", unit=units.unit_town_a,
                                                   expected_version=None))
    assert errors == [("所在单位", "所选单位不是法人单位")]
    errors = refused(lambda: organization_set_unit(user=units.county_user, organization=units.county,
                                                   relation="same_as_parent", expected_version=None))
    assert errors == [("党组织所在单位情况", "顶级组织没有上级党组织，不能选「与上级党组织相同」")]
    # the town user sees 甲镇's units only: 乙镇's firm "does not exist"
    errors = refused(lambda: organization_set_unit(user=units.town_user, organization=branch,
                                                   relation="legal_entity_unit", unit=units.unit_firm_b,
                                                   expected_version=None))
    assert errors == [("所在单位", "单位不存在或不在您的数据范围内")]


def test_joint_branch_covers_two_units_and_is_audited(units):
    joint = organization_create(user=units.county_user, parent=units.town_a, code="C-A-J", name="甲镇非公企业联合党支部",
                                org_type="joint_branch")
    joint = organization_set_unit(user=units.county_user, organization=joint, relation="joint",
                                  joint_units=[units.unit_firm_a, units.unit_firm_b], expected_version=joint.version)
    assert sorted(joint.joint_units.values_list("code", flat=True)) == ["U-A-E", "U-B-E"]
    assert joint.version == 2  # one change: the relation and the joint units together
    event = AuditEvent.objects.filter(object_id=str(joint.pk), data__action="set_units").get()
    assert event.data["changes"]["joint_units"] == [[], ["U-A-E", "U-B-E"]]
    # the type cannot leave 联合党支部 while the relation says joint
    with pytest.raises(ValidationFailed) as exc:
        organization_update(user=units.county_user, organization=joint, expected_version=joint.version,
                            changes={"org_type": "branch"})
    assert exc.value.errors[0].column == "组织类别"


def test_same_as_parent_shows_the_parents_unit(units):
    group = organization_create(user=units.county_user, parent=units.branch_a1, code="C-A-1-G", name="第一党小组",
                                org_type="party_group")
    organization_set_unit(user=units.county_user, organization=group, relation="same_as_parent", expected_version=None)
    info = organization_unit(user=units.branch_user, organization=PartyOrganization.objects.get(pk=group.pk))
    assert info["relation_label"] == "与上级党组织相同"
    assert [(i["unit"].name, i["link"]) for i in info["units"]] == [("甲镇农机厂", False)]  # no unit grant: no link
    assert info["inherited_from"].code == "C-A-1"
    info = organization_unit(user=units.town_user, organization=PartyOrganization.objects.get(pk=group.pk))
    assert [(i["unit"].name, i["link"]) for i in info["units"]] == [("甲镇农机厂", True)]


# --- scoping on two trees -----------------------------------------------------------------------------------
def test_anchor_kind_is_resolved_from_the_model_declarations():
    assert anchor_kind(Unit) == "unit"
    assert anchor_kind(PartyOrganization) == "organization"
    from zugong.party.models import Membership

    assert anchor_kind(Membership) == "organization"


def test_unit_grants_scope_units_and_nothing_else(units):
    town_b_only = units.unit_only_user
    assert list(Unit.objects.restrict(town_b_only, "view").values_list("code", flat=True)) == ["U-B", "U-B-E"]
    assert list(PartyOrganization.objects.restrict(town_b_only, "view")) == []
    assert list(unit_list(user=units.town_user).values_list("code", flat=True)) == ["U-A", "U-A-E"]
    assert list(unit_list(user=units.county_user).values_list("code", flat=True)) == [
        "U", "U-A", "U-A-E", "U-B", "U-B-E"]
    # organization-tree users without a unit grant see no unit row
    for user in (units.branch_user, units.branch_b_user, units.nogrant_user):
        assert list(unit_list(user=user)) == []
    assert can(town_b_only, "basic", "view", units.unit_firm_b)
    assert not can(town_b_only, "basic", "view", units.unit_firm_a)
    assert not can(town_b_only, "party", "view", units.county)
    assert [n.anchor for n in user_scope(units.county_user, "basic", "view", "unit")] == ["unit"]
    assert all(n.anchor == "organization" for n in user_scope(units.county_user, "basic", "view"))


def test_a_grant_names_exactly_one_anchor(units):
    user = make_user("two_anchors")
    with pytest.raises(ZugongError, match="不能同时指定"):
        grant_role(user=user, role_code="viewer", organization=units.county, unit=units.unit_county)
    with pytest.raises(ZugongError, match="授权组织或授权单位"):
        grant_role(user=user, role_code="viewer")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(user=user, role_id=units.county_user.grants.first().role_id,
                                 organization=units.county, unit=units.unit_county)
    admin = make_user("secadm_u")
    grant = grant_role(user=admin, role_code="security_admin", unit=units.unit_county)
    assert (grant.organization_id, grant.unit_id) == (None, None)
