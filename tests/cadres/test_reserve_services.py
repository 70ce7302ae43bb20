"""后备干部 services and selectors (issue #12 item 7): enter / move / exit / review, measures, one open
entry per cadre, scope, stale versions, the due-for-review list and the 优秀年轻干部 counts against a plain
Python count."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from tests.factories import make_cadre, make_post
from zugong.audit.models import AuditEvent
from zugong.cadres.models import Appointment, ReserveCadre, ReserveMeasure
from zugong.cadres.reserve import rules, selectors, services
from zugong.core.dates import age_on
from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 6, 30)


def _enter(t, cadre, **kw):
    values = {"list_kind": "近期使用", "entered_date": "2024-01-02", "target_post": "乡镇党委书记",
              "target_level": "正科", "today": TODAY}
    values.update(kw)
    return services.reserve_enter(user=t.cadre_user, cadre=cadre, **values)


def test_enter_records_the_entry_and_an_event(ct):
    cadre = make_cadre(ct.unit_town_a, "张伟")
    entry = _enter(ct, cadre, young_outstanding=True, review_date="2025-01-02")
    assert (entry.list_kind, entry.target_level, entry.entered_date, entry.young_outstanding) == (
        "ready_now", "141", dt.date(2024, 1, 2), True)
    event = AuditEvent.objects.filter(kind="reserve_enter").get()
    assert "张伟" in event.summary and event.data["list_kind"] == "ready_now"


def test_a_second_open_entry_is_refused_naming_the_open_one(ct):
    cadre = make_cadre(ct.unit_town_a, "张伟")
    _enter(ct, cadre)
    with pytest.raises(ValidationFailed) as exc:
        _enter(ct, cadre, list_kind="蹲苗培养")
    assert "已在后备干部「近期使用」名单中" in exc.value.message
    assert ReserveCadre.objects.filter(cadre=cadre).count() == 1


def test_enter_refuses_bad_input_by_field_and_writes_nothing(ct):
    cadre = make_cadre(ct.unit_town_a, "张伟")
    with pytest.raises(ValidationFailed) as exc:
        _enter(ct, cadre, list_kind="长期", entered_date="2099-01-01", target_level="大官")
    columns = {e.column for e in exc.value.errors}
    assert columns == {"类别", "入库时间", "拟任职务级别"}
    assert not ReserveCadre.objects.exists() and not AuditEvent.objects.filter(kind="reserve_enter").exists()


def test_enter_out_of_scope_and_without_the_label(ct):
    foreign = make_cadre(ct.unit_town_b, "李四")
    with pytest.raises(OutOfScope):
        _enter(ct, foreign)
    with pytest.raises(OutOfScope):
        services.reserve_enter(user=ct.town_user, cadre=make_cadre(ct.unit_town_a, "王五"), list_kind="ready_now",
                               entered_date="2024-01-02", today=TODAY)
    assert not ReserveCadre.objects.exists()


def test_move_ends_the_entry_and_opens_a_new_one_keeping_history(ct):
    cadre = make_cadre(ct.unit_town_a, "张伟")
    entry = _enter(ct, cadre, young_outstanding=True)
    new = services.reserve_move(user=ct.cadre_user, entry=entry, list_kind="轮岗锻炼", date="2024-06-01",
                                expected_version=entry.version, today=TODAY)
    old = ReserveCadre.objects.get(pk=entry.pk)
    assert (old.exited_date, old.exit_reason) == (dt.date(2024, 6, 1), "adjusted")
    assert "调整至「轮岗锻炼」" in old.note
    assert (new.list_kind, new.entered_date, new.exited_date, new.young_outstanding, new.target_post) == (
        "rotation", dt.date(2024, 6, 1), None, True, "乡镇党委书记")
    history = selectors.history_of(user=ct.cadre_user, cadre=cadre)
    assert [(h.list_kind, h.exit_reason) for h in history] == [("ready_now", "adjusted"), ("rotation", "")]
    # on the day before the move the cadre is in 近期使用, on the day in 轮岗锻炼
    pool = ReserveCadre.objects.filter(cadre=cadre)
    assert [e.list_kind for e in selectors.entries_on(pool, dt.date(2024, 5, 31))] == ["ready_now"]
    assert [e.list_kind for e in selectors.entries_on(pool, dt.date(2024, 6, 1))] == ["rotation"]


def test_move_refuses_the_same_list_a_date_before_entry_and_a_stale_version(ct):
    entry = _enter(ct, make_cadre(ct.unit_town_a, "张伟"))
    with pytest.raises(ValidationFailed) as exc:
        services.reserve_move(user=ct.cadre_user, entry=entry, list_kind="ready_now", date="2023-01-01",
                              expected_version=entry.version, today=TODAY)
    assert {e.column for e in exc.value.errors} == {"类别", "调整时间"}
    with pytest.raises(ConcurrentEdit):
        services.reserve_move(user=ct.cadre_user, entry=entry, list_kind="rotation", date="2024-06-01",
                              expected_version=entry.version + 1, today=TODAY)
    assert ReserveCadre.objects.count() == 1 and ReserveCadre.objects.get().exited_date is None


def test_exit_and_then_enter_again(ct):
    cadre = make_cadre(ct.unit_town_a, "张伟")
    entry = _enter(ct, cadre)
    services.reserve_exit(user=ct.cadre_user, entry=entry, exited_date="2025-03-01", reason="已提拔使用",
                          expected_version=entry.version, today=TODAY)
    entry.refresh_from_db()
    assert (entry.exited_date, entry.exit_reason) == (dt.date(2025, 3, 1), "appointed")
    with pytest.raises(ValidationFailed, match="已于 2025-03-01 出库"):
        services.reserve_exit(user=ct.cadre_user, entry=entry, exited_date="2025-03-02", reason="other",
                              expected_version=entry.version, today=TODAY)
    again = _enter(ct, cadre, entered_date="2025-04-01", list_kind="蹲苗培养")
    assert again.pk != entry.pk and ReserveCadre.objects.filter(cadre=cadre).count() == 2


def test_exit_before_entry_and_unknown_reason_refused(ct):
    entry = _enter(ct, make_cadre(ct.unit_town_a, "张伟"))
    with pytest.raises(ValidationFailed) as exc:
        services.reserve_exit(user=ct.cadre_user, entry=entry, exited_date="2023-12-31", reason="退休了",
                              expected_version=entry.version, today=TODAY)
    assert {e.column for e in exc.value.errors} == {"出库时间", "出库原因"}


def test_review_sets_the_next_date_and_keeps_the_note(ct):
    entry = _enter(ct, make_cadre(ct.unit_town_a, "张伟"), review_date="2025-07-01")
    row = services.reserve_review(user=ct.cadre_user, entry=entry, review_date="2026-07-01", note="表现突出",
                                  expected_version=entry.version, today=TODAY)
    assert row.review_date == dt.date(2026, 7, 1) and "2025-06-30 复核：表现突出" in row.note
    with pytest.raises(ValidationFailed, match="须晚于本次复核时间"):
        services.reserve_review(user=ct.cadre_user, entry=row, review_date="2025-06-01",
                                expected_version=row.version, today=TODAY)
    assert AuditEvent.objects.filter(kind="reserve_review").count() == 1


def test_measures_and_follow_up(ct):
    entry = _enter(ct, make_cadre(ct.unit_town_a, "张伟"))
    measure = services.measure_add(user=ct.cadre_user, entry=entry, measure="到村挂职一年", planned_date="2024-03-01")
    row = services.measure_follow_up(user=ct.cadre_user, measure=measure, follow_up="已到岗", done_date="2025-03-01",
                                     expected_version=measure.version, today=TODAY)
    assert row.follow_up == "2025-06-30：已到岗" and row.done_date == dt.date(2025, 3, 1)
    row = services.measure_follow_up(user=ct.cadre_user, measure=row, follow_up="考核优秀",
                                     expected_version=row.version, today=TODAY)
    assert row.follow_up.splitlines() == ["2025-06-30：已到岗", "2025-06-30：考核优秀"]
    with pytest.raises(ConcurrentEdit):
        services.measure_follow_up(user=ct.cadre_user, measure=row, follow_up="x", expected_version=1, today=TODAY)
    with pytest.raises(ValidationFailed, match="必填项为空"):
        services.measure_add(user=ct.cadre_user, entry=entry, measure=" ")
    with pytest.raises(OutOfScope):
        services.measure_add(user=ct.cadre_b_user, entry=entry, measure="培训")
    assert ReserveMeasure.objects.count() == 1


def test_lists_are_scoped(ct):
    _enter(ct, make_cadre(ct.unit_town_a, "张伟"))
    services.reserve_enter(user=ct.cadre_b_user, cadre=make_cadre(ct.unit_town_b, "李四"), list_kind="rotation",
                           entered_date="2024-01-02", today=TODAY)
    names = lambda user: sorted(e.cadre.person.name for e in selectors.reserve_list(user=user))  # noqa: E731
    assert names(ct.cadre_user) == ["张伟"]
    assert names(ct.cadre_b_user) == ["李四"]
    assert names(ct.county_user) == ["张伟", "李四"]
    assert names(ct.town_user) == []


def test_due_for_review_within_30_days(ct):
    due = _enter(ct, make_cadre(ct.unit_town_a, "到期"), review_date=TODAY + dt.timedelta(days=30))
    _enter(ct, make_cadre(ct.unit_town_a, "未到期"), review_date=TODAY + dt.timedelta(days=31))
    late = _enter(ct, make_cadre(ct.unit_town_a, "已逾期"), review_date="2025-01-01")
    gone = _enter(ct, make_cadre(ct.unit_town_a, "已出库"), review_date="2025-01-01")
    services.reserve_exit(user=ct.cadre_user, entry=gone, exited_date="2025-02-01", reason="other",
                          expected_version=gone.version, today=TODAY)
    rows = list(selectors.due_for_review(user=ct.cadre_user, today=TODAY))
    assert [r.pk for r in rows] == [late.pk, due.pk]
    assert not list(selectors.due_for_review(user=ct.cadre_b_user, today=TODAY))


def test_todo_provider(ct):
    from zugong.cadres.reserve.todos import reviews_due

    _enter(ct, make_cadre(ct.unit_town_a, "张伟"), review_date="2025-06-01")
    items = reviews_due(ct.cadre_user, today=TODAY)
    assert len(items) == 1 and "后备干部复核到期" in items[0].text and "1 人" in items[0].text
    assert reviews_due(ct.cadre_b_user, today=TODAY) == []
    assert reviews_due(ct.town_user, today=TODAY) == []


def test_young_counts_match_a_plain_python_count(ct):
    rng = random.Random(12)
    as_of = dt.date(2025, 6, 30)
    units = [ct.unit_town_a, ct.unit_firm_a, ct.unit_town_b]
    posts = {(u.pk, lv): make_post(u, f"{lv}岗", level=lv, max_holders=50) for u in units for lv in rules.YOUNG_MAX_AGE}
    cadres = []
    for i in range(40):
        unit = rng.choice(units)
        birth = dt.date(rng.randint(1975, 1995), rng.randint(1, 12), rng.randint(1, 28))
        if i == 0:  # exactly 35 on the day (young at 科级), i == 1: 36 today
            birth = dt.date(1990, 6, 30)
        if i == 1:
            birth = dt.date(1989, 6, 30)
        cadre = make_cadre(unit, f"干部{i}", birth_date=birth)
        level = "141" if i < 2 else rng.choice([*rules.YOUNG_MAX_AGE, None])
        if level:
            Appointment.objects.create(cadre=cadre, post=posts[(unit.pk, level)], start_date=dt.date(2020, 1, 1))
            if rng.random() < 0.3:  # a concurrent higher post does not change the level
                Appointment.objects.create(cadre=cadre, post=posts[(unit.pk, "121")], start_date=dt.date(2021, 1, 1),
                                           concurrent=True)
        if rng.random() < 0.4:
            ReserveCadre.objects.create(cadre=cadre, list_kind="ready_now", entered_date=dt.date(2024, 1, 1),
                                        exited_date=rng.choice([None, dt.date(2025, 1, 1)]))
        cadres.append((cadre, unit, birth, level))
    result = {r["level"]: r for r in selectors.young_counts(user=ct.county_user, as_of=as_of)}
    for level, max_age in rules.YOUNG_MAX_AGE.items():
        mine = [(c, b) for c, u, b, lv in cadres if lv == level]
        young = [c for c, b in mine if age_on(b, as_of) <= max_age]
        pooled = {e.cadre_id for e in ReserveCadre.objects.filter(selectors.on_q(as_of))}
        assert result[level]["cadres"] == len(mine), level
        assert result[level]["young"] == len(young), level
        assert result[level]["young_in_reserve"] == len([c for c in young if c.pk in pooled]), level
        assert result[level]["max_age"] == max_age
    assert cadres[0][0].pk in {c.pk for c, *_ in cadres}  # the boundary cadres took part
    assert result["141"]["young"] >= 1
    # scoped: 乙镇's worker counts only 乙镇's cadres
    b_total = sum(r["cadres"] for r in selectors.young_counts(user=ct.cadre_b_user, as_of=as_of))
    assert b_total == len([1 for c, u, b, lv in cadres if lv and u == ct.unit_town_b])
    assert sum(r["cadres"] for r in selectors.young_counts(user=ct.town_user, as_of=as_of)) == 0
