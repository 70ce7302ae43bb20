"""``orgs.matching.OrganizationMatcher``: organizations named the way real files name them (issue #9, item 3).

The tree is shaped like a real county's: official full names (中共 + place + 委员会 / 支部委员会) with the
local short forms files use, two branches of the same name in two towns, an organization outside the
user's scope, codes that Excel stripped of their leading zeros, and identifiers of other systems."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from tests.factories import make_user
from zugong.orgs.matching import OrganizationMatcher, name_key, split_key, split_path
from zugong.orgs.models import OrganizationExternalId, PartyOrganization
from zugong.orgs.services import organization_create, organization_dissolve

pytestmark = pytest.mark.django_db

UNKNOWN = "党组织「{}」不存在或不在您的管理范围内"


def org(code, name, org_type, parent=None, short_name=""):
    created = organization_create(code=code, name=name, org_type=org_type, parent=parent,
                                  founded_date=dt.date(1990, 1, 1))
    if short_name:
        PartyOrganization.objects.filter(pk=created.pk).update(short_name=short_name)
        created.refresh_from_db()
    return created


@pytest.fixture
def county(db):
    """中共汶上县委员会 → 康驿镇 (第一支部 full name, 第二党支部 short form, 机关党支部) and 义桥镇 (机关党支部);
    中共嘉祥县委员会 (another county: out of the users' scope) → 嘉祥县机关党支部."""
    t = SimpleNamespace()
    t.wenshang = org("370830", "中共汶上县委员会", "committee", short_name="汶上县委")
    t.kangyi = org("37083001", "中共汶上县康驿镇委员会", "committee", t.wenshang, short_name="康驿镇党委")
    t.k1 = org("001001", "中共汶上县康驿镇第一支部委员会", "branch", t.kangyi)
    t.k2 = org("001002", "康驿镇第二党支部", "branch", t.kangyi)
    t.k_organ = org("001003", "机关党支部", "branch", t.kangyi)
    t.yiqiao = org("37083002", "中共汶上县义桥镇委员会", "committee", t.wenshang, short_name="义桥镇党委")
    t.y_organ = org("002003", "机关党支部", "branch", t.yiqiao)
    t.jiaxiang = org("370829", "中共嘉祥县委员会", "committee")
    t.j_organ = org("003003", "嘉祥县机关党支部", "branch", t.jiaxiang)
    t.county_user = make_user("wenshang", "org_department", t.wenshang)
    t.town_user = make_user("kangyi", "party_affairs", t.kangyi)
    return t


def resolve(user, text, **kwargs):
    return OrganizationMatcher(user).resolve(text, **kwargs)


# --- normalisation ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "key"), [
    ("中共汶上县康驿镇第一支部委员会", "汶上县康驿镇第一党支部"),
    ("康驿镇第一党支部", "康驿镇第一党支部"),
    ("中国共产党汶上县委员会", "汶上县党委"),
    ("汶上县委", "汶上县党委"),
    ("中共某公司总支部委员会", "某公司党总支"),
    ("某公司党总支", "某公司党总支"),
    ("中共某街道工作委员会", "某街道党工委"),
    ("某村联合支部委员会", "某村联合党支部"),
])
def test_name_key_makes_full_and_short_forms_one(name, key):
    assert name_key(name) == key


def test_split_key_and_path():
    assert split_key("中共汶上县康驿镇第一支部委员会") == ("汶上县康驿镇第一", "党支部")
    assert split_path("汶上县委 ＞ 康驿镇党委 > 机关党支部") == ["汶上县委", "康驿镇党委", "机关党支部"]
    assert split_path("汶上县委/康驿镇党委") == ["汶上县委", "康驿镇党委"]
    assert split_path("机关党支部") == ["机关党支部"]


# --- the steps -------------------------------------------------------------------------------------------

def test_code_full_name_and_short_name_match_without_warning(county):
    m = OrganizationMatcher(county.county_user)
    for text in ("001001", "中共汶上县康驿镇第一支部委员会", "康驿镇党委", "中共汶上县康驿镇委员会"):
        match = m.resolve(text)
        assert match.organization is not None and not match.warning and not match.error, text
    assert m.resolve("001001").organization.pk == county.k1.pk
    assert m.resolve("康驿镇党委").organization.pk == county.kangyi.pk


def test_short_form_of_an_official_full_name_matches_with_a_warning(county):
    match = resolve(county.county_user, "康驿镇第一党支部")  # stored: 中共汶上县康驿镇第一支部委员会
    assert match.organization.pk == county.k1.pk and not match.error
    assert match.warning == "党组织「康驿镇第一党支部」按名称近似匹配为「中共汶上县康驿镇第一支部委员会（001001）」，请核对"


def test_official_full_name_of_a_short_stored_name_matches_with_a_warning(county):
    match = resolve(county.county_user, "中共汶上县康驿镇第二支部委员会")  # stored: 康驿镇第二党支部
    assert match.organization.pk == county.k2.pk
    assert "近似匹配" in match.warning and "康驿镇第二党支部（001002）" in match.warning


def test_ambiguous_name_names_the_candidates_in_scope(county):
    match = resolve(county.county_user, "机关党支部")
    assert match.organization is None and match.problem == "ambiguous"
    assert match.error == ("党组织「机关党支部」对应 2 个党组织：机关党支部（001003）、机关党支部（002003），"
                           "请改填组织代码或带上级组织名称的路径（如「上级党委/本支部」）")
    # 嘉祥县机关党支部 (out of scope) normalises close to it but is never a candidate
    assert "003003" not in match.error and "嘉祥" not in match.error


def test_a_name_is_ambiguous_only_within_the_scope(county):
    match = resolve(county.town_user, "机关党支部")  # the 义桥镇 one is outside 康驿镇's scope
    assert match.organization.pk == county.k_organ.pk and not match.error and not match.warning


def test_path_from_any_ancestor_resolves_the_ambiguous_name(county):
    m = OrganizationMatcher(county.county_user)
    assert m.resolve("康驿镇党委/机关党支部").organization.pk == county.k_organ.pk
    assert m.resolve("中共汶上县义桥镇委员会 > 机关党支部").organization.pk == county.y_organ.pk
    full = m.resolve("中共汶上县委员会/中共汶上县义桥镇委员会/机关党支部")
    assert full.organization.pk == county.y_organ.pk and not full.warning
    near = m.resolve("汶上县委－康驿镇委员会－机关党支部")  # short forms, full-width dash
    assert near.organization.pk == county.k_organ.pk and "近似匹配" in near.warning
    assert m.resolve("义桥镇党委/第一党支部").error == UNKNOWN.format("义桥镇党委/第一党支部")


def test_path_may_start_above_the_users_scope(county):
    # the town user's scope starts at 康驿镇; the path names the county (an ancestor) first
    match = resolve(county.town_user, "中共汶上县委员会/康驿镇党委/机关党支部")
    assert match.organization.pk == county.k_organ.pk


def test_unknown_and_out_of_scope_get_the_same_message(county):
    m = OrganizationMatcher(county.county_user)
    for text in ("003003", "中共嘉祥县委员会", "370829", "中共嘉祥县委员会/嘉祥县机关党支部"):
        assert m.resolve(text).error == UNKNOWN.format(text), text
        assert m.resolve(text).organization is None
    # no probing: naming an out-of-scope organization answers exactly as naming an invented one of the same
    # shape (here both only find the two in-scope 机关党支部 as candidates)
    for text in ("嘉祥县机关党支部", "中共嘉祥县机关支部委员会", "嘉祥县委/嘉祥县机关党支部", "3003"):
        twin = text.replace("嘉祥", "虚构").replace("3003", "3004")
        assert m.resolve(text).error == m.resolve(twin).error.replace(twin, text), text
        assert m.resolve(text).organization is None
    assert m.resolve("不存在的党支部").error == UNKNOWN.format("不存在的党支部")
    assert m.resolve("不存在的党支部").problem == m.resolve("003003").problem == "unknown"
    assert (m.resolve("").error, m.resolve("").problem) == ("必填项为空", "empty")
    # an identifier stored for an out-of-scope organization answers the same
    OrganizationExternalId.objects.create(organization=county.j_organ, value="JX-0001")
    assert m.resolve("", external_id="JX-0001").error == UNKNOWN.format("JX-0001")


def test_a_place_prefix_the_stored_name_lacks_is_dropped_when_one_ancestor_explains_it(county):
    # 汶上县康驿镇机关党支部: 机关党支部 exists in two towns; the dropped prefix 汶上县康驿镇 is in the names of
    # the 康驿镇 branch's ancestors only
    match = resolve(county.county_user, "中共汶上县康驿镇机关支部委员会")
    assert match.organization.pk == county.k_organ.pk and "近似匹配" in match.warning


def test_lost_leading_zeros_are_restored_with_a_warning(county):
    m = OrganizationMatcher(county.county_user)
    match = m.resolve("1001")
    assert match.organization.pk == county.k1.pk
    assert match.warning == "组织代码「1001」可能丢失了前导 0，按「001001」处理"
    assert m.resolve("01002").organization.pk == county.k2.pk
    # the same number padded two ways → ambiguous
    org("0012", "甲支部", "branch", county.kangyi)
    org("00012", "乙支部", "branch", county.kangyi)
    ambiguous = OrganizationMatcher(county.county_user).resolve("12")
    assert ambiguous.organization is None and "甲支部（0012）" in ambiguous.error and "乙支部（00012）" in ambiguous.error
    # an out-of-scope code is never restored
    assert m.resolve("3003").error == UNKNOWN.format("3003")


def test_external_identifier_first_and_one_mapped_to_two_organizations(county):
    OrganizationExternalId.objects.create(organization=county.k1, value="A1B2C3")
    OrganizationExternalId.objects.create(organization=county.k2, system="集团党建平台", value="X-9")
    OrganizationExternalId.objects.create(organization=county.y_organ, system="全国党员管理信息系统", value="X-9")
    m = OrganizationMatcher(county.county_user)
    assert m.resolve("", external_id="A1B2C3").organization.pk == county.k1.pk
    two = m.resolve("", external_id="X-9")
    assert two.organization is None and two.problem == "ambiguous"
    assert two.error == ("外部标识「X-9」对应 2 个党组织：康驿镇第二党支部（001002）、机关党支部（002003），"
                         "请在组织页面核对外部标识")
    assert m.resolve("", external_id="X-9", system="集团党建平台").organization.pk == county.k2.pk
    # the identifier wins over the name, and a disagreement is reported
    both = m.resolve("机关党支部", external_id="A1B2C3")
    assert both.organization.pk == county.k1.pk and not both.warning  # the name alone is ambiguous
    other = m.resolve("康驿镇第二党支部", external_id="A1B2C3")
    assert other.organization.pk == county.k1.pk and "不一致" in other.warning
    # an unknown identifier falls back on the text
    assert m.resolve("001002", external_id="NOPE").organization.pk == county.k2.pk
    assert m.resolve("", external_id="NOPE").error == UNKNOWN.format("NOPE")


def test_an_active_organization_wins_over_a_dissolved_one_of_the_same_name(county):
    old = org("001009", "康驿镇第三党支部", "branch", county.kangyi)
    organization_dissolve(user=None, organization=old, date=dt.date(2020, 1, 1), reason="合并", expected_version=None)
    new = org("001010", "康驿镇第三党支部", "branch", county.kangyi)
    assert resolve(county.county_user, "康驿镇第三党支部").organization.pk == new.pk


def test_one_load_and_memoised_answers(county, django_assert_max_num_queries):
    m = OrganizationMatcher(county.county_user)
    texts = ["001001", "康驿镇第一党支部", "机关党支部", "1001", "康驿镇党委/机关党支部", "不存在"] * 500
    with django_assert_max_num_queries(4):  # grants, organizations, ancestor names, external ids
        answers = [m.resolve(t) for t in texts]
    assert answers[0] is answers[6]  # memoised
    assert answers[0].organization.code == "001001" and answers[0].organization.name == county.k1.name
    # the instance is a real model instance (fields not loaded are read on access)
    assert isinstance(answers[0].organization, PartyOrganization) and answers[0].organization.pk == county.k1.pk


def test_no_grant_finds_nothing(county):
    nobody = make_user("nobody")
    assert resolve(nobody, "001001").error == UNKNOWN.format("001001")
