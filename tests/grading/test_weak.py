"""软弱涣散党组织: the lifecycle 列入 → 整改完成 → 验收 (by the higher organization), its bad inputs, and the
status each step shows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.grading.helpers import snapshot
from zugong.audit.models import AuditEvent
from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed
from zugong.grading import selectors, services

TODAY = timezone.localdate()
YEAR = TODAY.year - 1


def identify(t, org=None, *, user=None, **kwargs):
    values = {"year": YEAR, "identified_on": dt.date(YEAR, 3, 1), "categories": ["life_irregular", "书记不胜任"],
              "reasons": "全年只开过一次支部党员大会", "measures": "调整书记，恢复三会一课", "responsible_person": "王强",
              "deadline": dt.date(YEAR, 9, 30), **kwargs}
    return services.weak_branch_identify(actor=user or t.town_user, organization=org or t.branch_a1, **values)


def refused(call, *fragments):
    before = snapshot()
    with pytest.raises(ValidationFailed) as info:
        call()
    text = info.value.message
    for fragment in fragments:
        assert fragment in text, text
    assert snapshot() == before, "a refused call wrote something"


@pytest.mark.django_db
def test_lifecycle(tree):
    entry = identify(tree)
    assert entry.categories == ["life_irregular", "secretary_unfit"]
    assert entry.status == "rectifying" and entry.status_label == "整改中"
    assert AuditEvent.objects.filter(kind="weak_branch_identify", object_id=str(entry.pk)).exists()

    # the branch itself records the rectification
    entry = services.weak_branch_rectify(actor=tree.branch_user, weak_branch=entry.pk, expected_version=entry.version,
                                         rectified_on=dt.date(YEAR, 8, 15), measures="书记调整到位，按月开展主题党日")
    assert entry.status == "rectified" and entry.measures.startswith("书记调整到位")

    # but cannot verify it: the higher organization does
    refused(lambda: services.weak_branch_verify(actor=tree.branch_user, weak_branch=entry, expected_version=entry.version,
                                                verified_on=dt.date(YEAR, 10, 1), verified_by="甲镇机关党支部"),
            "由上级党组织验收", "「甲镇党委」")
    entry = services.weak_branch_verify(actor=tree.town_user, weak_branch=entry, expected_version=entry.version,
                                        verified_on=dt.date(YEAR, 10, 1), verified_by="甲镇党委", note="整改到位")
    entry.refresh_from_db()
    assert entry.status == "verified" and entry.verified_by == "甲镇党委" and entry.verification_note == "整改到位"
    assert [e.kind for e in AuditEvent.objects.filter(object_type="grading.weakbranch", kind__startswith="weak_branch").order_by("pk")] == [
        "weak_branch_identify", "weak_branch_rectify", "weak_branch_verify"]

    # verified: neither changed nor verified again
    refused(lambda: services.weak_branch_rectify(actor=tree.town_user, weak_branch=entry, expected_version=entry.version,
                                                 rectified_on=dt.date(YEAR, 8, 20), measures="x"), "已于", "验收")
    refused(lambda: services.weak_branch_verify(actor=tree.town_user, weak_branch=entry, expected_version=entry.version,
                                                verified_on=dt.date(YEAR, 10, 2), verified_by="甲镇党委"), "已于", "验收")


@pytest.mark.django_db
def test_status_filter_and_list_scope(tree):
    a1 = identify(tree)
    a2 = identify(tree, tree.branch_a2)
    services.weak_branch_rectify(actor=tree.town_user, weak_branch=a2, expected_version=a2.version,
                                 rectified_on=dt.date(YEAR, 5, 1), measures="已整改")
    b1 = identify(tree, tree.branch_b1, user=tree.county_user)
    rows = list(selectors.weak_list(user=tree.town_user))
    assert {r.pk for r in rows} == {a1.pk, a2.pk} and b1.pk not in {r.pk for r in rows}
    assert {r.pk: r.status_label for r in rows} == {a1.pk: "整改中", a2.pk: "已整改"}
    assert [r.pk for r in selectors.weak_list(user=tree.branch_user)] == [a1.pk]


@pytest.mark.django_db
@pytest.mark.parametrize(("kwargs", "fragments"), [
    ({"year": TODAY.year + 1}, ("年度", "晚于本年度")),
    ({"identified_on": TODAY + dt.timedelta(days=1)}, ("确定日期", "晚于今天")),
    ({"identified_on": dt.date(YEAR - 1, 12, 1)}, ("确定日期", f"早于 {YEAR} 年度")),
    ({"categories": []}, ("软弱涣散情形", "请至少选择一种"),),
    ({"categories": ["不存在的情形"]}, ("无法识别的软弱涣散情形「不存在的情形」",)),
    ({"reasons": "  "}, ("具体问题", "必填项为空")),
    ({"deadline": dt.date(YEAR, 2, 1)}, ("整改时限", "早于确定日期")),
])
def test_identify_bad_input(tree, kwargs, fragments):
    refused(lambda: identify(tree, **kwargs), *fragments)


@pytest.mark.django_db
def test_identify_twice_in_a_year_or_a_party_group_is_refused(tree):
    identify(tree)
    refused(lambda: identify(tree), f"已列入 {YEAR} 年度软弱涣散基层党组织名单")
    from zugong.orgs.services import organization_create

    group = organization_create(code="C-A-1-G1", name="第一党小组", org_type="party_group", parent=tree.branch_a1,
                                founded_date=dt.date(2000, 1, 1))
    refused(lambda: identify(tree, group), "「第一党小组」是党小组", "不列入")


@pytest.mark.django_db
def test_identify_outside_the_scope_is_not_found(tree):
    before = snapshot()
    with pytest.raises(OutOfScope):
        identify(tree, tree.branch_b1)
    assert snapshot() == before


@pytest.mark.django_db
def test_rectify_bad_input_and_stale_version(tree):
    entry = identify(tree)
    refused(lambda: services.weak_branch_rectify(actor=tree.town_user, weak_branch=entry, expected_version=entry.version,
                                                 rectified_on=dt.date(YEAR, 2, 1), measures="x"), "早于确定日期")
    refused(lambda: services.weak_branch_rectify(actor=tree.town_user, weak_branch=entry, expected_version=entry.version,
                                                 rectified_on=dt.date(YEAR, 5, 1), measures=""), "整改措施", "必填项为空")
    refused(lambda: services.weak_branch_verify(actor=tree.town_user, weak_branch=entry, expected_version=entry.version,
                                                verified_on=dt.date(YEAR, 5, 1), verified_by="甲镇党委"),
            "尚未登记整改完成")
    before = snapshot()
    with pytest.raises(ConcurrentEdit):
        services.weak_branch_rectify(actor=tree.town_user, weak_branch=entry, expected_version=entry.version + 1,
                                     rectified_on=dt.date(YEAR, 5, 1), measures="x")
    assert snapshot() == before
