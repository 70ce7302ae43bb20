"""Services of posts, quotas, establishment, appointments and ranks (``cadres.posts.services``): every refusal
leaves nothing written; effective-dating of quotas, establishment and ranks; 试用期 defaults."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_cadre, make_post
from zugong.audit.models import AuditEvent
from zugong.cadres.models import Appointment, Establishment, Post, PostQuota, RankRecord
from zugong.cadres.posts import services as s
from zugong.core.errors import ConcurrentEdit, OutOfScope, ValidationFailed

pytestmark = pytest.mark.django_db
D = dt.date


def _counts():
    return (Post.objects.count(), PostQuota.objects.count(), Establishment.objects.count(),
            Appointment.objects.count(), RankRecord.objects.count(),
            AuditEvent.objects.filter(kind__startswith="cadre_").count(),
            tuple(Appointment.objects.order_by("pk").values_list("end_date", "version")),
            tuple(PostQuota.objects.order_by("pk").values_list("end_date", "version")))


def _refused(fn, field: str | None = None, error=ValidationFailed, **kwargs):
    before = _counts()
    with pytest.raises(error) as info:
        fn(**kwargs)
    assert _counts() == before, "a refusal wrote something"
    if field is not None:
        assert any(e.column == field for e in info.value.errors), info.value.errors
    return info.value


@pytest.fixture
def setup(ct):
    ct.post = make_post(ct.unit_town_a, "镇长", level="141")
    ct.deputy = make_post(ct.unit_town_a, "副镇长", level="142", max_holders=2)
    ct.zhang = make_cadre(ct.unit_town_a, "张明")
    ct.li = make_cadre(ct.unit_town_a, "李华")
    ct.wang = make_cadre(ct.unit_town_a, "王强")
    ct.foreign_post = make_post(ct.unit_town_b, "乙镇镇长", level="141")
    ct.foreign_cadre = make_cadre(ct.unit_town_b, "赵乙")
    return ct


# ----- posts ---------------------------------------------------------------------------------------------------


def test_post_create_edit_close(setup):
    t = setup
    post = s.post_create(user=t.cadre_user, unit=t.unit_firm_a, name="厂长", level="正科级", start_date="2020-01-01")
    assert (post.level, post.max_holders, post.unit_id) == ("141", 1, t.unit_firm_a.pk)
    post = s.post_edit(user=t.cadre_user, post=post, expected_version=post.version, changes={"name": "厂长（法人）"})
    assert Post.objects.get(pk=post.pk).name == "厂长（法人）"
    with pytest.raises(ConcurrentEdit):
        s.post_edit(user=t.cadre_user, post=post, expected_version=1, changes={"name": "x"})
    s.post_close(user=t.cadre_user, post=post, end_date="2024-01-01", expected_version=post.version, reason="机构改革")
    assert Post.objects.get(pk=post.pk).end_date == D(2024, 1, 1)
    kinds = list(AuditEvent.objects.filter(kind__startswith="cadre_post").values_list("kind", flat=True))
    assert kinds == ["cadre_post_create", "cadre_post_edit", "cadre_post_close"]


def test_post_refusals(setup):
    t = setup
    _refused(s.post_create, error=OutOfScope, user=t.cadre_user, unit=t.unit_town_b, name="x", level="141",
             start_date="2020-01-01")
    _refused(s.post_create, error=OutOfScope, user=t.town_user, unit=t.unit_town_a, name="x", level="141",
             start_date="2020-01-01")
    _refused(s.post_create, "职务级别", user=t.cadre_user, unit=t.unit_town_a, name="x", level="大官", start_date="2020-01-01")
    _refused(s.post_create, "可任职人数", user=t.cadre_user, unit=t.unit_town_a, name="x", level="141",
             start_date="2020-01-01", max_holders=0)
    _refused(s.post_create, "职务名称", user=t.cadre_user, unit=t.unit_town_a, name=" ", level="141", start_date="2020-01-01")
    s.appointment_create(user=t.cadre_user, cadre=t.zhang, post=t.deputy, start_date="2021-01-01")
    s.appointment_create(user=t.cadre_user, cadre=t.li, post=t.deputy, start_date="2021-02-01")
    _refused(s.post_edit, "可任职人数", user=t.cadre_user, post=t.deputy, expected_version=t.deputy.version,
             changes={"max_holders": 1})
    _refused(s.post_edit, "设立日期", user=t.cadre_user, post=t.deputy, expected_version=t.deputy.version,
             changes={"start_date": "2021-01-15"})
    _refused(s.post_close, "撤销日期", user=t.cadre_user, post=t.deputy, end_date="2022-01-01",
             expected_version=t.deputy.version)
    _refused(s.post_edit, error=OutOfScope, user=t.cadre_user, post=t.foreign_post, expected_version=None,
             changes={"name": "x"})


# ----- quotas and establishment ----------------------------------------------------------------------------------


def test_quota_effective_dating(setup):
    t = setup
    first = s.quota_set(user=t.cadre_user, unit=t.unit_town_a, level="正科级", count=1, start_date="2020-01-01",
                        document_number="编发〔2020〕1号")
    second = s.quota_set(user=t.cadre_user, unit=t.unit_town_a, level="141", count=2, start_date="2023-07-01")
    first.refresh_from_db()
    assert first.end_date == D(2023, 7, 1) and second.end_date is None
    # inserted between: ends where the later one starts, and ends the earlier one
    middle = s.quota_set(user=t.cadre_user, unit=t.unit_town_a, level="141", count=3, start_date="2022-01-01")
    first.refresh_from_db()
    assert (first.end_date, middle.end_date) == (D(2022, 1, 1), D(2023, 7, 1))
    other_level = s.quota_set(user=t.cadre_user, unit=t.unit_town_a, level="142", count=4, start_date="2021-01-01")
    assert other_level.end_date is None
    assert AuditEvent.objects.filter(kind="cadre_quota_set").count() == 4


def test_quota_and_establishment_refusals(setup):
    t = setup
    _refused(s.quota_set, "职数", user=t.cadre_user, unit=t.unit_town_a, level="141", count=-1, start_date="2020-01-01")
    _refused(s.quota_set, "职数", user=t.cadre_user, unit=t.unit_town_a, level="141", count="两", start_date="2020-01-01")
    _refused(s.quota_set, error=OutOfScope, user=t.cadre_user, unit=t.unit_town_b, level="141", count=1,
             start_date="2020-01-01")
    _refused(s.quota_set, "生效日期", user=t.cadre_user, unit=t.unit_town_a, level="141", count=1, start_date="2020-13-01")
    s.quota_set(user=t.cadre_user, unit=t.unit_town_a, level="141", count=1, start_date="2020-01-01")
    _refused(s.quota_set, "生效日期", user=t.cadre_user, unit=t.unit_town_a, level="141", count=2, start_date="2020-01-01")
    _refused(s.establishment_set, "编制数", user=t.cadre_user, unit=t.unit_town_a, establishment_type="行政编制",
             count=-3, start_date="2020-01-01")
    _refused(s.establishment_set, "编制类型", user=t.cadre_user, unit=t.unit_town_a, establishment_type="神秘",
             count=3, start_date="2020-01-01")


def test_establishment_effective_dating(setup):
    t = setup
    a = s.establishment_set(user=t.cadre_user, unit=t.unit_town_a, establishment_type="行政", count=30,
                            start_date="2019-01-01")
    b = s.establishment_set(user=t.cadre_user, unit=t.unit_town_a, establishment_type="administrative", count=28,
                            start_date="2024-01-01")
    a.refresh_from_db()
    assert (a.end_date, b.end_date, b.count) == (D(2024, 1, 1), None, 28)


# ----- appointments --------------------------------------------------------------------------------------------


def test_appointment_create_remove_edit(setup):
    t = setup
    appt = s.appointment_create(user=t.cadre_user, cadre=t.zhang, post=t.post, start_date="2021-03-01",
                                appointment_document="甲委〔2021〕3号", method="委任")
    assert (appt.probation_months, appt.method) == (12, "commission")  # a promotion to a non-elected post
    appt = s.appointment_remove(user=t.cadre_user, appointment=appt, end_date="2024-03-01", removal_document="甲委〔2024〕9号",
                                removal_reason="调任", expected_version=appt.version)
    assert (appt.end_date, appt.removal_document, appt.removal_reason) == (D(2024, 3, 1), "甲委〔2024〕9号", "调任")
    # the successor may start the same day the predecessor leaves ([start, end))
    successor = s.appointment_create(user=t.cadre_user, cadre=t.li, post=t.post, start_date="2024-03-01")
    assert successor.end_date is None
    appt = s.appointment_edit(user=t.cadre_user, appointment=appt, expected_version=appt.version,
                              changes={"appointment_document": "甲委〔2021〕4号"})
    assert Appointment.objects.get(pk=appt.pk).appointment_document == "甲委〔2021〕4号"
    with pytest.raises(ConcurrentEdit):
        s.appointment_remove(user=t.cadre_user, appointment=successor, end_date="2025-01-01", expected_version=99)
    kinds = set(AuditEvent.objects.filter(kind__startswith="cadre_appointment").values_list("kind", flat=True))
    assert kinds == {"cadre_appointment_create", "cadre_appointment_remove", "cadre_appointment_edit"}


def test_probation_defaults(setup):
    t = setup
    elected = s.appointment_create(user=t.cadre_user, cadre=t.zhang, post=t.post, start_date="2021-01-01",
                                   method="选任")
    assert elected.probation_months is None  # 选任制: no probation
    first = s.appointment_create(user=t.cadre_user, cadre=t.li, post=t.deputy, start_date="2019-01-01", end_date="2020-01-01")
    assert first.probation_months == 12  # first leadership post: a promotion
    lateral = s.appointment_create(user=t.cadre_user, cadre=t.li, post=t.deputy, start_date="2020-06-01")
    assert lateral.probation_months is None  # same level as before: not a promotion
    explicit = s.appointment_create(user=t.cadre_user, cadre=t.wang, post=t.deputy, start_date="2022-01-01",
                                    probation_months=6)
    assert explicit.probation_months == 6
    concurrent = s.appointment_create(user=t.cadre_user, cadre=t.zhang, post=make_post(t.unit_town_a, "武装部长", level="141"),
                                      start_date="2022-01-01", concurrent=True)
    assert concurrent.probation_months is None


def test_appointment_refusals_write_nothing(setup):
    t = setup
    user = t.cadre_user
    # scope: a post of a unit outside cadre.add, a cadre outside scope, a user without the cadre label
    _refused(s.appointment_create, error=OutOfScope, user=user, cadre=t.zhang, post=t.foreign_post, start_date="2021-01-01")
    _refused(s.appointment_create, error=OutOfScope, user=user, cadre=t.foreign_cadre, post=t.post, start_date="2021-01-01")
    _refused(s.appointment_create, error=OutOfScope, user=t.town_user, cadre=t.zhang, post=t.post, start_date="2021-01-01")
    # removal before the appointment
    _refused(s.appointment_create, "免职日期", user=user, cadre=t.zhang, post=t.post, start_date="2021-01-01",
             end_date="2020-12-31")
    # outside the post's existence
    _refused(s.appointment_create, "任职日期", user=user, cadre=t.zhang, post=t.post, start_date="1999-12-31")
    closed = make_post(t.unit_town_a, "已撤销岗位", level="141", start_date=D(2010, 1, 1), end_date=D(2015, 1, 1))
    _refused(s.appointment_create, "免职日期", user=user, cadre=t.zhang, post=closed, start_date="2012-01-01")
    _refused(s.appointment_create, "任职日期", user=user, cadre=t.zhang, post=closed, start_date="2015-01-01",
             end_date="2016-01-01")
    _refused(s.appointment_create, "试用期（月）", user=user, cadre=t.zhang, post=t.post, start_date="2021-01-01",
             probation_months=-1)
    _refused(s.appointment_create, "任职方式", user=user, cadre=t.zhang, post=t.post, start_date="2021-01-01", method="抽签")
    # single-holder post: a second holder overlapping on any day
    s.appointment_create(user=user, cadre=t.zhang, post=t.post, start_date="2021-01-01", end_date="2023-01-01")
    error = _refused(s.appointment_create, "任职日期", user=user, cadre=t.li, post=t.post, start_date="2022-12-31")
    assert "张明" in error.message and "单一职数" in error.message
    _refused(s.appointment_create, "任职日期", user=user, cadre=t.li, post=t.post, start_date="2020-01-01")  # open-ended
    # the same cadre twice on the same post
    _refused(s.appointment_create, "任职日期", user=user, cadre=t.zhang, post=t.post, start_date="2022-06-01")
    # two-holder post: a third on one day
    s.appointment_create(user=user, cadre=t.zhang, post=t.deputy, start_date="2020-01-01", end_date="2021-06-01")
    s.appointment_create(user=user, cadre=t.li, post=t.deputy, start_date="2021-01-01")
    _refused(s.appointment_create, "任职日期", user=user, cadre=t.wang, post=t.deputy, start_date="2021-05-01")
    third = s.appointment_create(user=user, cadre=t.wang, post=t.deputy, start_date="2021-06-01")  # the day 张明 left
    # removal before the appointment date; removal of a removed appointment; edit into an overlap
    _refused(s.appointment_remove, "免职日期", user=user, appointment=third, end_date="2021-05-31")
    gone = Appointment.objects.get(cadre=t.zhang, post=t.deputy)
    _refused(s.appointment_remove, "免职日期", user=user, appointment=gone, end_date="2022-01-01")
    _refused(s.appointment_edit, "任职日期", user=user, appointment=third, expected_version=third.version,
             changes={"start_date": "2021-05-01"})
    _refused(s.appointment_edit, "办理人", user=user, appointment=third, expected_version=third.version,
             changes={"办理人": "x"})
    _refused(s.appointment_remove, error=OutOfScope, user=t.cadre_b_user, appointment=third, end_date="2022-01-01")


def test_refusal_after_writing_started_rolls_back(setup, monkeypatch):
    """An audit failure after the save leaves nothing behind (one transaction)."""
    t = setup

    def boom(*args, **kwargs):
        raise RuntimeError("audit down")

    monkeypatch.setattr(s, "record_event", boom)
    before = _counts()
    with pytest.raises(RuntimeError):
        s.quota_set(user=t.cadre_user, unit=t.unit_town_a, level="141", count=1, start_date="2020-01-01")
    with pytest.raises(RuntimeError):
        s.appointment_create(user=t.cadre_user, cadre=t.zhang, post=t.post, start_date="2021-01-01")
    assert _counts() == before


# ----- ranks ---------------------------------------------------------------------------------------------------


def test_rank_set_ends_previous(setup):
    t = setup
    first = s.rank_set(user=t.cadre_user, cadre=t.zhang, rank="四级主任科员", start_date="2018-01-01")
    second = s.rank_set(user=t.cadre_user, cadre=t.zhang, rank="principal_clerk_3", start_date="2021-01-01",
                        document_number="甲人〔2021〕1号")
    first.refresh_from_db()
    assert (first.end_date, second.end_date, second.rank) == (D(2021, 1, 1), None, "principal_clerk_3")
    _refused(s.rank_set, "任职级时间", user=t.cadre_user, cadre=t.zhang, rank="principal_clerk_2", start_date="2021-01-01")
    _refused(s.rank_set, "职级", user=t.cadre_user, cadre=t.zhang, rank="大员", start_date="2022-01-01")
    _refused(s.rank_set, error=OutOfScope, user=t.cadre_user, cadre=t.foreign_cadre, rank="clerk_1", start_date="2022-01-01")
