"""达标晋级 services (``grading.services``): the seeded rubrics, total and level computed, every bad input
refused with a message naming the field and nothing written, edits with the version lock, history per year,
and 示范 designation against the 软弱涣散 list."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.grading.helpers import FIVE_GOOD, five_good, snapshot
from zugong.audit.models import AuditEvent
from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed
from zugong.grading import selectors, services
from zugong.grading.models import GradingCriterion, GradingLevel, GradingScheme
from zugong.grading.seed import sync_builtin_schemes

TODAY = timezone.localdate()
YEAR = TODAY.year - 1


def record(t, org=None, *, year=YEAR, scores=None, user=None, **kwargs):
    return services.grading_record(actor=user or t.county_user, organization=org or t.branch_a1, scheme="five_good",
                                   year=year, scores=scores or five_good(20, 18, 19, 17, 16), **kwargs)


# ----- the shipped rubrics --------------------------------------------------------------------------


@pytest.mark.django_db
def test_builtin_schemes_are_seeded():
    five = GradingScheme.objects.get(code="five_good")
    assert five.is_builtin
    assert [(c.name, c.max_score) for c in five.criteria.all()] == [
        ("班子好", 20), ("党员管理好", 20), ("制度落实好", 20), ("思想作风好", 20), ("作用发挥好", 20)]
    four = GradingScheme.objects.get(code="four_strong")
    assert [c.name for c in four.criteria.all()] == ["政治功能强", "支部班子强", "党员队伍强", "作用发挥强"]
    assert sum(c.max_score for c in four.criteria.all()) == 100
    assert [(lv.name, lv.min_total) for lv in five.levels.all()] == [
        ("先进", 90), ("达标", 75), ("基本达标", 60), ("后进", 0)]


@pytest.mark.django_db
def test_seeding_is_idempotent_and_keeps_local_additions():
    scheme = GradingScheme.objects.get(code="five_good")
    GradingCriterion.objects.filter(scheme=scheme, code="leadership").update(name="改过的名称")
    GradingLevel.objects.create(scheme=scheme, code="local", name="本地等次", min_total=95, order=0)
    counts = (GradingScheme.objects.count(), GradingCriterion.objects.count())
    sync_builtin_schemes()
    sync_builtin_schemes()
    assert (GradingScheme.objects.count(), GradingCriterion.objects.count()) == counts
    assert GradingCriterion.objects.get(scheme=scheme, code="leadership").name == "班子好"  # shipped fields reset
    assert GradingLevel.objects.filter(scheme=scheme, code="local").exists()  # a deployment's row stays


@pytest.mark.django_db(transaction=True)
def test_seeded_schemes_survive_a_flush():
    """Transactional tests empty the database with ``flush``; the ``post_migrate`` handler puts the rubrics back."""
    call_command("flush", interactive=False, verbosity=0)
    assert set(GradingScheme.objects.values_list("code", flat=True)) >= {"five_good", "four_strong"}
    assert GradingCriterion.objects.filter(scheme__code="five_good").count() == 5


# ----- total and level ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("values", "total", "level"), [
    ((20, 18, 19, 17, 16), "90.0", "先进"),
    ((18, 18, 18, 18, 17.5), "89.5", "达标"),
    ((15, 15, 15, 15, 15), "75.0", "达标"),
    ((12, 12, 12, 12, 11.9), "59.9", "后进"),
    ((0, 0, 0, 0, 0), "0.0", "后进"),
])
def test_total_and_level_are_computed(tree, values, total, level):
    grading = record(tree, scores=five_good(*values))
    grading.refresh_from_db()
    assert grading.total == Decimal(total)
    assert grading.level.name == level
    assert {s.criterion.code: s.score for s in grading.scores.all()} == {
        c: Decimal(str(v)) for c, v in zip(FIVE_GOOD, values, strict=True)}
    event = AuditEvent.objects.filter(kind="grading_record").latest("pk")
    assert event.object_id == str(grading.pk) and level in event.summary


@pytest.mark.django_db
def test_four_strong_and_mapping_scores(tree):
    grading = services.grading_record(
        actor=tree.county_user, organization=tree.branch_a2.code, scheme="四强党支部", year=YEAR,
        scores={"political": {"score": 25, "evidence": "学习记录"}, "team": [24, "班子齐全"], "members": 20, "role": "21"})
    assert grading.scheme.code == "four_strong" and grading.total == Decimal("90.0") and grading.level.code == "advanced"
    assert grading.scores.get(criterion__code="team").evidence == "班子齐全"


@pytest.mark.django_db
def test_a_scheme_without_a_reachable_level(tree):
    scheme = GradingScheme.objects.create(code="local", name="本地方案")
    GradingCriterion.objects.create(scheme=scheme, code="a", name="甲项", max_score=10, order=1)
    GradingLevel.objects.create(scheme=scheme, code="good", name="合格", min_total=6, order=1)
    grading = services.grading_record(actor=tree.county_user, organization=tree.branch_a1, scheme="local", year=YEAR,
                                      scores={"a": (5, "")})
    assert grading.level is None and grading.total == 5


# ----- bad input: message and nothing written -------------------------------------------------------------


def refused(call, *fragments):
    before = snapshot()
    with pytest.raises(ValidationFailed) as info:
        call()
    text = info.value.message + " ".join(str(e) for e in info.value.errors)
    for fragment in fragments:
        assert fragment in text, text
    assert snapshot() == before, "a refused call wrote something"
    return info.value


@pytest.mark.django_db
@pytest.mark.parametrize(("scores", "fragments"), [
    (five_good(21, 18, 18, 18, 18), ("班子好", "21", "超出范围（0–20 分）")),
    (five_good(18, -1, 18, 18, 18), ("党员管理好", "-1", "超出范围")),
    (five_good(18, 18, "很好", 18, 18), ("制度落实好", "不是数字")),
    (five_good(18, 18, 18, 18.25, 18), ("思想作风好", "最多保留一位小数")),
    ({**five_good(18, 18, 18, 18, 18), "political": (20, "")}, ("评分项「political」不属于评定方案「五好党支部」",)),
    ({c: (18, "") for c in FIVE_GOOD[:4]}, ("缺少评分项「作用发挥好」的得分",)),
    (five_good(18, 18, 18, 18, ""), ("缺少评分项「作用发挥好」的得分",)),
])
def test_bad_scores_are_refused_naming_the_criterion(tree, scores, fragments):
    refused(lambda: record(tree, scores=scores), *fragments)


@pytest.mark.django_db
def test_future_year_is_refused(tree):
    refused(lambda: record(tree, year=TODAY.year + 1), "年度", f"{TODAY.year + 1} 晚于本年度")


@pytest.mark.django_db
def test_year_before_the_branch_existed_is_refused(tree):
    refused(lambda: record(tree, year=1959), "成立于 1960-01-01", "1959 年度尚未成立")


@pytest.mark.django_db
def test_evaluation_date_before_the_year_or_in_the_future(tree):
    refused(lambda: record(tree, evaluated_on=dt.date(YEAR - 1, 12, 31)), "评定日期", f"早于 {YEAR} 年度")
    refused(lambda: record(tree, evaluated_on=TODAY + dt.timedelta(days=1)), "评定日期", "晚于今天")


@pytest.mark.django_db
def test_organization_that_is_not_a_branch_is_refused(tree):
    refused(lambda: record(tree, tree.town_a), "「甲镇党委」是", "只针对党支部")


@pytest.mark.django_db
def test_unknown_scheme_is_refused(tree):
    refused(lambda: services.grading_record(actor=tree.county_user, organization=tree.branch_a1, scheme="nope",
                                            year=YEAR, scores={}), "无此评定方案「nope」")


@pytest.mark.django_db
def test_organization_outside_the_scope_is_not_found(tree):
    before = snapshot()
    with pytest.raises(OutOfScope):
        record(tree, tree.branch_b1, user=tree.branch_user)
    with pytest.raises(OutOfScope):  # the branch secretary of A1 cannot grade the sibling branch either
        record(tree, tree.branch_a2, user=tree.branch_user)
    assert snapshot() == before


@pytest.mark.django_db
def test_second_grading_of_the_same_year_and_scheme_is_refused(tree):
    record(tree)
    refused(lambda: record(tree), f"{YEAR} 年度的五好党支部评定已录入")
    record(tree, year=YEAR - 1)  # another year is fine


# ----- 示范党支部 -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_model_designation_needs_the_top_level(tree):
    refused(lambda: record(tree, scores=five_good(17, 17, 17, 17, 17), designated_model=True),
            "示范党支部", "最高等次「先进」", "本次为「达标」")
    grading = record(tree, scores=five_good(19, 18, 18, 18, 18), designated_model=True)
    assert grading.designated_model and grading.level.code == "advanced"


@pytest.mark.django_db
def test_model_designation_refused_for_a_weak_branch_and_vice_versa(tree):
    services.weak_branch_identify(actor=tree.county_user, organization=tree.branch_a1, year=YEAR,
                                  identified_on=dt.date(YEAR, 3, 1), categories=["life_irregular"], reasons="长期不开会")
    refused(lambda: record(tree, scores=five_good(20, 20, 20, 20, 20), designated_model=True),
            f"已列入 {YEAR} 年度软弱涣散基层党组织名单")
    record(tree, tree.branch_a2, scores=five_good(20, 20, 20, 20, 20), designated_model=True)
    refused(lambda: services.weak_branch_identify(
        actor=tree.county_user, organization=tree.branch_a2, year=YEAR, identified_on=dt.date(YEAR, 3, 1),
        categories=["role_weak"], reasons="x"), "已命名为示范党支部")


# ----- edit -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_edit_recomputes_total_and_level(tree):
    grading = record(tree, scores=five_good(20, 18, 19, 17, 16))
    edited = services.grading_edit(actor=tree.town_user, grading=grading.pk, expected_version=grading.version,
                                   scores={"role": (6, "作用发挥不明显")}, note="复核调整")
    edited.refresh_from_db()
    assert edited.total == Decimal("80.0") and edited.level.code == "standard" and edited.note == "复核调整"
    assert edited.scores.get(criterion__code="role").evidence == "作用发挥不明显"
    assert edited.version == grading.version + 1
    assert AuditEvent.objects.filter(kind="grading_edit", object_id=str(grading.pk)).exists()


@pytest.mark.django_db
def test_edit_with_a_stale_version_or_bad_score_writes_nothing(tree):
    grading = record(tree)
    before = snapshot()
    with pytest.raises(ConcurrentEdit):
        services.grading_edit(actor=tree.county_user, grading=grading, expected_version=grading.version - 1, note="x")
    assert snapshot() == before
    refused(lambda: services.grading_edit(actor=tree.county_user, grading=grading, expected_version=grading.version,
                                          scores={"rules": (25, "")}), "制度落实好", "超出范围")
    refused(lambda: services.grading_edit(actor=tree.county_user, grading=grading, expected_version=grading.version,
                                          scores={"bogus": (5, "")}), "评分项「bogus」不属于")


@pytest.mark.django_db
def test_edit_lowering_a_model_branch_below_the_top_level_is_refused(tree):
    grading = record(tree, scores=five_good(20, 20, 20, 20, 20), designated_model=True)
    refused(lambda: services.grading_edit(actor=tree.county_user, grading=grading, expected_version=grading.version,
                                          scores={"role": (5, "")}), "最高等次「先进」", "本次为「达标」")
    edited = services.grading_edit(actor=tree.county_user, grading=grading, expected_version=grading.version,
                                   scores={"role": (5, "")}, designated_model=False)
    assert not edited.designated_model and edited.level.code == "standard"


@pytest.mark.django_db
def test_edit_outside_the_scope_is_not_found(tree):
    grading = record(tree, tree.branch_b1)
    with pytest.raises(OutOfScope):
        services.grading_edit(actor=tree.town_user, grading=grading, expected_version=grading.version, note="x")


# ----- history and figures -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_history_per_year(tree):
    record(tree, year=YEAR - 2, scores=five_good(10, 10, 10, 10, 10))
    record(tree, year=YEAR - 1, scores=five_good(16, 16, 16, 16, 16))
    record(tree, year=YEAR, scores=five_good(19, 19, 19, 19, 19), designated_model=True)
    record(tree, tree.branch_a2, year=YEAR)
    history = selectors.gradings_of(user=tree.branch_user, organization=tree.branch_a1)
    assert [(g.year, g.level.name, g.designated_model) for g in history] == [
        (YEAR, "先进", True), (YEAR - 1, "达标", False), (YEAR - 2, "后进", False)]
    assert selectors.latest_year(user=tree.branch_user) == YEAR


@pytest.mark.django_db
def test_grade_figures(tree, django_assert_max_num_queries):
    record(tree, tree.branch_a1, scores=five_good(20, 20, 20, 20, 20), designated_model=True)
    record(tree, tree.branch_a2, scores=five_good(15, 15, 15, 15, 15))
    record(tree, tree.branch_b1, scores=five_good(20, 20, 20, 20, 20))
    services.grading_record(actor=tree.county_user, organization=tree.branch_a2, scheme="four_strong", year=YEAR,
                            scores={c: (25, "") for c in ("political", "team", "members", "role")})
    entry = services.weak_branch_identify(actor=tree.county_user, organization=tree.branch_a2, year=YEAR,
                                          identified_on=dt.date(YEAR, 3, 1), categories=["rules_unimplemented"],
                                          reasons="制度不落实")
    services.weak_branch_rectify(actor=tree.county_user, weak_branch=entry, expected_version=entry.version,
                                 rectified_on=dt.date(YEAR, 9, 1), measures="建立制度")
    services.weak_branch_identify(actor=tree.county_user, organization=tree.branch_b1, year=YEAR,
                                  identified_on=dt.date(YEAR, 3, 1), categories=["other"], reasons="其他")
    with django_assert_max_num_queries(6):
        figures = selectors.grade_figures(user=tree.town_user, organization=tree.town_a, year=YEAR)
    assert figures == {
        "organization": "C-A", "year": YEAR, "branches": 2, "graded": 2, "model_branches": 1,
        "by_level": [
            {"scheme": "five_good", "scheme_name": "五好党支部", "level": "advanced", "level_name": "先进", "count": 1},
            {"scheme": "five_good", "scheme_name": "五好党支部", "level": "standard", "level_name": "达标", "count": 1},
            {"scheme": "four_strong", "scheme_name": "四强党支部", "level": "advanced", "level_name": "先进", "count": 1}],
        "weak": {"identified": 1, "rectified": 1, "verified": 0},
    }
    county = selectors.grade_figures(user=tree.county_user, organization=tree.county, year=YEAR)
    assert county["branches"] == 3 and county["weak"]["identified"] == 2 and county["model_branches"] == 1
