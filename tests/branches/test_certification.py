"""支部书记持证上岗 (issue #11 item 5, ``branches.certification``): the certified rate over real shapes
(certified, expiring, expired, revoked, vacant, secretary changed mid-year, another subtree), each bad input
of the services (message and nothing written), the scope of lists, pages and API, and the to-dos on the
right home pages only."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD, make_member
from zugong.audit.models import AuditEvent
from zugong.branches import certification as cert
from zugong.branches.models import BranchOfficer, SecretaryCertificate, TrainingRecord
from zugong.core.errors import OutOfScope, ValidationFailed
from zugong.orgs.services import organization_create

D = dt.date
ON = D(2025, 6, 30)
TODAY = timezone.localdate()


def _errors(caught) -> dict[str, str]:
    return {e.column: e.reason for e in caught.value.errors}


def _snapshot():
    return (list(TrainingRecord.objects.order_by("pk").values()), list(SecretaryCertificate.objects.order_by("pk").values()))


FOUNDED = D(2000, 1, 1)
EXAM = D(2024, 3, 5)


def _branch(t, code: str, name: str, parent=None, founded=FOUNDED):
    return organization_create(code=code, name=name, org_type="branch", parent=parent or t.town_a,
                               unit_category="village", founded_date=founded)


def _secretary(org, person, start, end=None):
    return BranchOfficer.objects.create(organization=org, person=person, role="secretary", start_date=start, end_date=end)


def _certificate(org, person, number, issued, until, revoked=None):
    return SecretaryCertificate.objects.create(organization=org, person=person, number=number, issued_date=issued,
                                               valid_until=until, issuer="中共某县委组织部", revoked_date=revoked,
                                               revoked_reason="调离" if revoked else "")


def _passed(t, person, org, exam=EXAM, score="86", user=None):
    return cert.training_record(user=user or t.town_user, person_id=person.pk, organization=org.code,
                                training_name="2024年党支部书记示范培训班", organizer="县委组织部", start_date=exam - dt.timedelta(days=4),
                                end_date=exam, class_hours="32", exam_date=exam, exam_score=score, passed=True)


@pytest.fixture
def shapes(tree):
    """Town A's branches on ``ON`` (2025-06-30), one shape each, plus branch B1 (town B) certified:

    - A1 张伟: certified until 2025-08-31 (expiring within 90 days) → certified;
    - A2 王强: certificate expired 2025-03-31 → uncertified (expired);
    - A3: secretary whose certificate was revoked 2025-05-01 → uncertified;
    - A4: secretary left 2025-01-31, post vacant → not in the denominator;
    - A5: the certified secretary left 2025-03-01, the new one has none → uncertified on ON, certified on
      2025-02-01;
    - A6: founded after ON → not counted; A7 dissolved before ON → not counted;
    - B1 阿依古丽: certified until 2027-12-31 (another subtree)."""
    t = tree
    _secretary(t.branch_a1, t.member_a1_1, D(2020, 1, 1))
    _certificate(t.branch_a1, t.member_a1_1, "GZ-2022-001", D(2022, 9, 1), D(2025, 8, 31))
    _secretary(t.branch_a2, t.member_a2_1, D(2018, 1, 1))
    _certificate(t.branch_a2, t.member_a2_1, "GZ-2022-002", D(2022, 4, 1), D(2025, 3, 31))
    t.a3 = _branch(t, "C-A-3", "甲镇西村党支部")
    t.a3_sec = make_member(t.a3, "赵敏")
    _secretary(t.a3, t.a3_sec, D(2021, 1, 1))
    _certificate(t.a3, t.a3_sec, "GZ-2023-003", D(2023, 1, 1), D(2026, 1, 1), revoked=D(2025, 5, 1))
    t.a4 = _branch(t, "C-A-4", "甲镇南村党支部")
    t.a4_sec = make_member(t.a4, "钱进")
    _secretary(t.a4, t.a4_sec, D(2019, 1, 1), D(2025, 1, 31))
    _certificate(t.a4, t.a4_sec, "GZ-2023-004", D(2023, 1, 1), D(2026, 1, 1))
    t.a5 = _branch(t, "C-A-5", "甲镇北村党支部")
    t.a5_old, t.a5_new = make_member(t.a5, "孙老"), make_member(t.a5, "周新")
    _secretary(t.a5, t.a5_old, D(2019, 1, 1), D(2025, 3, 1))
    _certificate(t.a5, t.a5_old, "GZ-2023-005", D(2023, 1, 1), D(2026, 1, 1))
    _secretary(t.a5, t.a5_new, D(2025, 3, 1))
    t.a6 = _branch(t, "C-A-6", "甲镇新区党支部", founded=D(2025, 9, 1))
    t.a7 = _branch(t, "C-A-7", "甲镇旧厂党支部", founded=D(1990, 1, 1))
    t.a7.dissolved_date, t.a7.status = D(2024, 12, 31), "dissolved"
    t.a7.save(update_fields=["dissolved_date", "status"])
    _secretary(t.branch_b1, t.member_b1_1, D(2021, 1, 1))
    _certificate(t.branch_b1, t.member_b1_1, "GZ-2024-101", D(2024, 12, 31), D(2027, 12, 31))
    return t


# ----- the rate ----------------------------------------------------------------------------------------------

def test_certified_rate_of_a_subtree_counts_each_shape(shapes):
    t = shapes
    stats = cert.certified_rate(user=t.town_user, organization=t.town_a, on=ON)
    assert {k: stats[k] for k in ("branches", "with_secretary", "vacant", "certified", "uncertified", "expiring",
                                  "expired")} == {"branches": 5, "with_secretary": 4, "vacant": 1, "certified": 1,
                                                  "uncertified": 3, "expiring": 1, "expired": 1}
    assert stats["rate"] == 0.25 and stats["rate_percent"] == 25.0
    rows = {r.code: cert.row_state(r, ON) for r in cert.secretary_rows(user=t.town_user, organization=t.town_a, on=ON)}
    assert rows == {"C-A-1": "即将到期", "C-A-2": "已过期", "C-A-3": "已撤销", "C-A-4": "书记空缺", "C-A-5": "未持证"}
    # before A5's change of secretary and A2's expiry, A3's revocation and A4's vacancy: all four certified
    early = cert.certified_rate(user=t.town_user, organization=t.town_a, on=D(2025, 2, 1))
    assert (early["with_secretary"], early["certified"], early["vacant"]) == (4, 4, 1)
    assert (early["branches"], early["rate"]) == (5, 1.0)  # A4's secretary left 2025-01-31; A7 dissolved in 2024


def test_certified_rate_of_the_county_adds_the_other_township(shapes):
    t = shapes
    stats = cert.certified_rate(user=t.county_user, organization=t.county, on=ON)
    assert (stats["branches"], stats["with_secretary"], stats["certified"]) == (6, 5, 2)
    assert stats["rate_percent"] == 40.0


def test_certified_rate_sees_only_the_scope(shapes):
    t = shapes
    with pytest.raises(OutOfScope):
        cert.certified_rate(user=t.town_user, organization=t.town_b, on=ON)
    with pytest.raises(OutOfScope):
        cert.certified_rate(user=t.branch_user, organization=t.town_a, on=ON)
    own = cert.certified_rate(user=t.branch_user, organization=t.branch_a1, on=ON)
    assert (own["branches"], own["certified"]) == (1, 1)
    empty = cert.certified_rate(user=t.town_user, organization=t.a6, on=ON)  # not founded yet
    assert (empty["branches"], empty["rate"], empty["rate_percent"]) == (0, None, None)


def test_certified_rate_is_a_few_queries(shapes, django_assert_max_num_queries):
    t = shapes
    with django_assert_max_num_queries(3):
        cert.certified_rate(user=t.county_user, organization=t.county, on=ON)


# ----- services ----------------------------------------------------------------------------------------------

def test_training_issue_revoke_renew(tree):
    t = tree
    training = _passed(t, t.member_a2_1, t.branch_a2)
    assert (training.passed, training.exam_score, training.class_hours) == (True, 86, 32)
    assert AuditEvent.objects.filter(kind="secretary_training_record", object_id=str(training.pk)).exists()
    certificate = cert.certificate_issue(user=t.town_user, person_id=t.member_a2_1.pk, organization="C-A-2",
                                         number="GZ-2024-010", issued_date="2024-04-01", issuer="中共某县委组织部")
    assert certificate.valid_until == D(2027, 4, 1)  # the default validity: 3 years
    assert certificate.training == training
    assert AuditEvent.objects.filter(kind="secretary_certificate_issue", object_id=str(certificate.pk)).exists()
    # renewal needs an exam after the old certificate was issued
    with pytest.raises(ValidationFailed) as caught:
        cert.certificate_renew(user=t.town_user, certificate_id=certificate.pk, number="GZ-2026-010",
                               issued_date=TODAY, issuer="中共某县委组织部")
    assert "原证书发证后" in _errors(caught)["培训考试"]
    assert SecretaryCertificate.objects.count() == 1
    _passed(t, t.member_a2_1, t.branch_a2, exam=TODAY - dt.timedelta(days=10), score="92")
    new = cert.certificate_renew(user=t.town_user, certificate_id=certificate.pk, number="GZ-2026-010",
                                 issued_date=TODAY, issuer="中共某县委组织部")
    assert (new.renews, new.person, new.organization) == (certificate, t.member_a2_1, t.branch_a2)
    assert AuditEvent.objects.filter(kind="secretary_certificate_renew", object_id=str(new.pk)).exists()
    revoked = cert.certificate_revoke(user=t.town_user, certificate_id=new.pk, revoked_date=TODAY, reason="调离书记岗位",
                                      expected_version=new.version)
    assert (revoked.revoked_date, revoked.revoked_reason) == (TODAY, "调离书记岗位")
    assert not SecretaryCertificate.objects.filter(cert.valid_on(TODAY), pk=new.pk).exists()


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"exam_score": "101"}, "考试成绩", "超出范围"),
    ({"exam_score": "-1"}, "考试成绩", "超出范围"),
    ({"exam_score": "55"}, "考试成绩", "低于合格线 60 分"),
    ({"exam_score": "八十"}, "考试成绩", "不是数字"),
    ({"exam_date": None}, "考试日期", "须填写考试日期"),
    ({"end_date": "2024-02-01"}, "结束日期", "早于开始日期"),
    ({"exam_date": "2024-02-01"}, "考试日期", "早于培训开始日期"),
    ({"start_date": (TODAY + dt.timedelta(days=5)).isoformat(), "end_date": (TODAY + dt.timedelta(days=6)).isoformat()},
     "开始日期", "晚于今天"),
    ({"training_name": " "}, "培训名称", "必填项为空"),
    ({"class_hours": "1000"}, "学时", "超出范围"),
    ({"start_date": "2009-03-01"}, "人员", "不是您数据范围内的党员"),  # admitted 2010-07-01
])
def test_training_bad_input_changes_nothing(tree, change, field, words):
    t = tree
    data = dict(user=t.town_user, person_id=t.member_a1_1.pk, organization="C-A-1", training_name="书记培训班",
                start_date="2024-03-01", end_date="2024-03-05", class_hours="24", exam_date="2024-03-05",
                exam_score="80", passed=True)
    data.update(change)
    before = _snapshot()
    with pytest.raises(ValidationFailed) as caught:
        cert.training_record(**data)
    assert words in _errors(caught)[field]
    assert _snapshot() == before


def test_training_out_of_scope_organization_or_person_changes_nothing(tree):
    t = tree
    before = _snapshot()
    with pytest.raises(OutOfScope):
        _passed(t, t.member_b1_1, t.branch_b1)  # town A's worker, branch B1
    with pytest.raises(ValidationFailed) as caught:  # an organization in scope, a member of another subtree
        cert.training_record(user=t.town_user, person_id=t.member_b1_1.pk, organization="C-A-1", training_name="培训",
                             start_date="2024-03-01", end_date="2024-03-02")
    assert "不是您数据范围内的党员" in _errors(caught)["人员"]
    with pytest.raises(OutOfScope):  # a branch secretary may not record for the neighbouring branch
        _passed(t, t.member_a2_1, t.branch_a2, user=t.branch_user)
    assert _snapshot() == before


def _issue(t, **change):
    data = dict(user=t.town_user, person_id=t.member_a1_1.pk, organization="C-A-1", number="GZ-2024-001",
                issued_date="2024-04-01", valid_until="2027-03-31", issuer="中共某县委组织部")
    data.update(change)
    return cert.certificate_issue(**data)


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"valid_until": "2024-03-01"}, "有效期至", "不晚于发证日期"),
    ({"valid_until": "2024-04-01"}, "有效期至", "不晚于发证日期"),
    ({"number": ""}, "证书编号", "必填项为空"),
    ({"issuer": ""}, "发证机关", "必填项为空"),
    ({"issued_date": ""}, "发证日期", "必填项为空"),
    ({"issued_date": (TODAY + dt.timedelta(days=1)).isoformat()}, "发证日期", "晚于今天"),
    ({"issued_date": "2027-01-01", "valid_until": "2030-01-01"}, "发证日期", "晚于今天") if TODAY < D(2027, 1, 1)
    else ({"issued_date": "2099-01-01"}, "发证日期", "晚于今天"),
])
def test_issue_bad_input_changes_nothing(tree, change, field, words):
    t = tree
    _passed(t, t.member_a1_1, t.branch_a1)
    before = _snapshot()
    with pytest.raises(ValidationFailed) as caught:
        _issue(t, **change)
    assert words in _errors(caught)[field]
    assert _snapshot() == before


def test_issue_needs_a_passed_exam_within_the_window(tree, settings):
    t = tree
    failed = cert.training_record(user=t.town_user, person_id=t.member_a1_1.pk, organization="C-A-1",
                                  training_name="书记培训班", start_date="2024-03-01", end_date="2024-03-05",
                                  exam_date="2024-03-05", exam_score="50", passed=False)
    before = _snapshot()
    with pytest.raises(ValidationFailed) as caught:
        _issue(t)
    assert "没有考试合格的培训记录" in _errors(caught)["培训考试"]
    with pytest.raises(ValidationFailed) as caught:
        _issue(t, training_id=failed.pk)
    assert "考试不合格" in _errors(caught)["培训考试"]
    assert _snapshot() == before
    _passed(t, t.member_a1_1, t.branch_a1, exam=D(2021, 3, 5))  # too old for a 2024 certificate (2 years)
    with pytest.raises(ValidationFailed) as caught:
        _issue(t)
    assert "2022-04-01 至 2024-04-01" in _errors(caught)["培训考试"]
    settings.ZUGONG_SECRETARY_CERT_EXAM_YEARS = 4  # a deployment with a longer window
    assert _issue(t).training.exam_date == D(2021, 3, 5)


def test_issue_refuses_non_members_duplicates_holders_and_foreign_organizations(tree):
    t = tree
    _passed(t, t.member_a1_1, t.branch_a1)
    _issue(t)
    before = _snapshot()
    with pytest.raises(ValidationFailed) as caught:  # the number is taken
        _issue(t, person_id=t.member_a2_1.pk, organization="C-A-2")
    assert "已被使用" in _errors(caught)["证书编号"]
    with pytest.raises(ValidationFailed) as caught:  # already holds a valid one
        _issue(t, number="GZ-2024-002", issued_date="2024-05-01")
    assert "请办理换证" in _errors(caught)["人员"]
    with pytest.raises(ValidationFailed) as caught:  # 李娜 was admitted 2024-06-20: not a member on 2024-04-01
        _issue(t, person_id=t.member_a1_2.pk, number="GZ-2024-003")
    assert "不是您数据范围内的党员" in _errors(caught)["人员"]
    with pytest.raises(OutOfScope):
        _issue(t, person_id=t.member_b1_1.pk, organization="C-B-1", number="GZ-2024-004")
    assert _snapshot() == before


def test_revoke_bad_input_changes_nothing(tree):
    t = tree
    _passed(t, t.member_a1_1, t.branch_a1)
    certificate = _issue(t)
    before = _snapshot()
    for change, field, words in [({"reason": ""}, "撤销原因", "必填项为空"),
                                 ({"revoked_date": "2024-03-01"}, "撤销日期", "早于发证日期")]:
        data = dict(user=t.town_user, certificate_id=certificate.pk, revoked_date="2024-06-01", reason="调离")
        data.update(change)
        with pytest.raises(ValidationFailed) as caught:
            cert.certificate_revoke(**data)
        assert words in _errors(caught)[field]
    with pytest.raises(OutOfScope):
        cert.certificate_revoke(user=t.branch_b_user, certificate_id=certificate.pk, revoked_date="2024-06-01", reason="x")
    assert _snapshot() == before
    cert.certificate_revoke(user=t.town_user, certificate_id=certificate.pk, revoked_date="2024-06-01", reason="调离")
    with pytest.raises(ValidationFailed) as caught:
        cert.certificate_revoke(user=t.town_user, certificate_id=certificate.pk, revoked_date="2024-07-01", reason="再撤")
    assert "已于 2024-06-01 撤销" in _errors(caught)["撤销日期"]
    with pytest.raises(ValidationFailed) as caught:
        cert.certificate_renew(user=t.town_user, certificate_id=certificate.pk, number="GZ-X", issued_date="2024-08-01",
                               issuer="组织部")
    assert "不能换证" in _errors(caught)["原证书"]


def test_constraints_hold_in_the_database(tree):
    from django.db import IntegrityError, transaction

    t = tree
    with pytest.raises(IntegrityError), transaction.atomic():
        _certificate(t.branch_a1, t.member_a1_1, "X-1", D(2024, 1, 1), D(2023, 1, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        TrainingRecord.objects.create(person=t.member_a1_1, organization=t.branch_a1, training_name="x",
                                      start_date=D(2024, 1, 5), end_date=D(2024, 1, 1))


# ----- lists, pages, API -------------------------------------------------------------------------------------

def test_lists_hold_no_foreign_rows(shapes, client):
    t = shapes
    _passed(t, t.member_a1_1, t.branch_a1)
    cert.training_record(user=t.county_user, person_id=t.member_b1_1.pk, organization="C-B-1", training_name="乙镇培训",
                         start_date="2024-03-01", end_date="2024-03-02")
    assert {r.organization.code for r in cert.training_list(user=t.branch_user)} == {"C-A-1"}
    assert {c.organization.code for c in cert.certificate_list(user=t.town_user)} == {
        "C-A-1", "C-A-2", "C-A-3", "C-A-4", "C-A-5"}
    client.login(username="town_a", password=PASSWORD)
    body = client.get("/api/secretary-certificates/?page_size=100").json()
    assert {r["organization"]["code"] for r in body["results"]} == {"C-A-1", "C-A-2", "C-A-3", "C-A-4", "C-A-5"}
    only = client.get("/api/secretary-certificates/?org=C-A-2").json()["results"]
    assert [r["number"] for r in only] == ["GZ-2022-002"]
    assert client.get("/api/secretary-certificates/?org=C-B-1").json()["results"] == []
    valid = client.get("/api/secretary-certificates/?valid_on=2025-06-30&page_size=100").json()["results"]
    assert {r["number"] for r in valid} == {"GZ-2022-001", "GZ-2023-004", "GZ-2023-005"}  # not expired, not revoked
    trainings = client.get("/api/training-records/").json()["results"]
    assert [r["training_name"] for r in trainings] == ["2024年党支部书记示范培训班"]
    page = client.get(reverse("branches:certification") + "?org=C-A&on=2025-06-30")
    assert page.status_code == 200
    html = page.content.decode()
    assert "25.0%" in html and "王强" in html and "甲镇南村党支部" in html and "乙镇" not in html
    assert client.get(reverse("branches:certification") + "?org=C-B").status_code == 404
    assert client.get(reverse("branches:certification_person", args=[t.member_b1_1.pk])).status_code == 404
    stats = client.get("/api/stats/certification/?org=C-A&on=2025-06-30").json()
    assert (stats["certified"], stats["with_secretary"], stats["vacant"]) == (1, 4, 1)
    assert client.get("/api/stats/certification/?org=C-B").status_code == 404


def test_xlsx_lists_every_branch_of_the_subtree(shapes, client):
    client.login(username="town_a", password=PASSWORD)
    response = client.get(reverse("branches:certification_xlsx") + "?org=C-A&on=2025-06-30")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = list(book["书记持证情况"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[4]) for r in rows] == [("C-A-1", "即将到期"), ("C-A-2", "已过期"), ("C-A-3", "已撤销"),
                                            ("C-A-4", "书记空缺"), ("C-A-5", "未持证")]
    assert rows[3][7].date() == D(2025, 1, 31)  # vacant since
    assert AuditEvent.objects.filter(kind="export", summary__contains="书记持证上岗").exists()
    client.login(username="branch_a1", password=PASSWORD)
    assert client.get(reverse("branches:certification_xlsx") + "?org=C-A").status_code == 404


def test_pages_record_training_and_issue_a_certificate(tree, client):
    t = tree
    client.login(username="branch_a1", password=PASSWORD)
    form = client.get(reverse("branches:training_create") + "?org=C-A-1").content.decode()
    assert "张伟" in form and "王强" not in form  # the picker lists the branch's own members
    data = {"organization": "C-A-1", "person": t.member_a1_1.pk, "training_name": "书记轮训班", "organizer": "县委党校",
            "start_date": "2024-03-01", "end_date": "2024-03-04", "class_hours": "24", "exam_date": "2024-03-04",
            "exam_score": "59", "passed": "on"}
    bad = client.post(reverse("branches:training_create"), data)
    assert bad.status_code == 400 and "低于合格线" in bad.content.decode()
    assert not TrainingRecord.objects.exists()
    foreign = client.post(reverse("branches:training_create"), {**data, "organization": "C-B-1",
                                                                "person": t.member_b1_1.pk, "exam_score": "90"})
    assert foreign.status_code == 404 and not TrainingRecord.objects.exists()
    response = client.post(reverse("branches:training_create"), {**data, "exam_score": "90"})
    assert response.status_code == 302
    training = TrainingRecord.objects.get()
    person_page = client.get(reverse("branches:certification_person", args=[t.member_a1_1.pk])).content.decode()
    assert "书记轮训班" in person_page and reverse("branches:certificate_issue", args=[training.pk]) in person_page
    issued = client.post(reverse("branches:certificate_issue", args=[training.pk]),
                         {"number": "GZ-2024-088", "issued_date": "2024-04-01", "valid_until": "", "issuer": "中共某县委组织部"})
    assert issued.status_code == 302
    certificate = SecretaryCertificate.objects.get()
    assert (certificate.number, certificate.valid_until, certificate.organization) == ("GZ-2024-088", D(2027, 4, 1),
                                                                                       t.branch_a1)
    revoke = client.post(reverse("branches:certificate_revoke", args=[certificate.pk]),
                         {"version": certificate.version, "revoked_date": "2024-05-01", "reason": ""})
    assert revoke.status_code == 400 and "撤销原因" in revoke.content.decode()
    client.login(username="branch_b1", password=PASSWORD)
    assert client.get(reverse("branches:certificate_issue", args=[training.pk])).status_code == 404
    assert client.post(reverse("branches:certificate_revoke", args=[certificate.pk]),
                       {"version": certificate.version, "revoked_date": "2024-05-01", "reason": "x"}).status_code == 404
    assert SecretaryCertificate.objects.get().revoked_date is None


def test_api_creates_through_the_services(tree, client):
    t = tree
    client.login(username="town_a", password=PASSWORD)
    body = {"organization": "C-A-2", "person_id": t.member_a2_1.pk, "training_name": "书记培训", "start_date": "2024-03-01",
            "end_date": "2024-03-03", "exam_date": "2024-03-03", "exam_score": "120", "passed": True}
    bad = client.post("/api/training-records/", body, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["column"] == "考试成绩"
    assert not TrainingRecord.objects.exists()
    assert client.post("/api/training-records/", {**body, "organization": "C-B-1", "exam_score": "80"},
                       content_type="application/json").status_code == 404
    created = client.post("/api/training-records/", {**body, "exam_score": "80"}, content_type="application/json")
    assert created.status_code == 201 and created.json()["passed"] is True
    training_id = created.json()["id"]
    issued = client.post(f"/api/training-records/{training_id}/certificate/",
                         {"number": "GZ-API-1", "issued_date": "2024-04-01", "issuer": "中共某县委组织部"},
                         content_type="application/json")
    assert issued.status_code == 201 and issued.json()["valid_until"] == "2027-04-01"
    certificate_id = issued.json()["id"]
    duplicate = client.post(f"/api/training-records/{training_id}/certificate/",
                            {"number": "GZ-API-1", "issued_date": "2024-04-02", "issuer": "组织部"},
                            content_type="application/json")
    assert duplicate.status_code == 400 and SecretaryCertificate.objects.count() == 1
    revoked = client.post(f"/api/secretary-certificates/{certificate_id}/revoke/",
                          {"version": issued.json()["version"], "revoked_date": "2024-06-01", "reason": "调离"},
                          content_type="application/json")
    assert revoked.status_code == 200 and revoked.json()["revoked_date"] == "2024-06-01"
    client.login(username="branch_b1", password=PASSWORD)
    assert client.get(f"/api/secretary-certificates/{certificate_id}/").status_code == 404
    assert client.get("/api/training-records/").json()["results"] == []


# ----- to-dos ------------------------------------------------------------------------------------------------

@pytest.fixture
def due(tree):
    """Today: A1's secretary holds a certificate expiring in 30 days; A2's secretary's expired 10 days ago
    (still secretary); B1's secretary holds one valid for years."""
    t = tree
    _secretary(t.branch_a1, t.member_a1_1, D(2020, 1, 1))
    _certificate(t.branch_a1, t.member_a1_1, "GZ-DUE-1", TODAY - dt.timedelta(days=1000), TODAY + dt.timedelta(days=30))
    _secretary(t.branch_a2, t.member_a2_1, D(2018, 1, 1))
    _certificate(t.branch_a2, t.member_a2_1, "GZ-DUE-2", TODAY - dt.timedelta(days=1100), TODAY - dt.timedelta(days=10))
    _secretary(t.branch_b1, t.member_b1_1, D(2021, 1, 1))
    _certificate(t.branch_b1, t.member_b1_1, "GZ-DUE-3", TODAY - dt.timedelta(days=100), TODAY + dt.timedelta(days=900))
    return t


def test_todos_go_to_the_right_home_pages(due, client):
    client.login(username="branch_a1", password=PASSWORD)
    home = client.get("/").content.decode()
    assert "甲镇机关党支部书记张伟的党支部书记任职资格证书（GZ-DUE-1）将于" in home
    assert "王强" not in home  # the neighbouring branch's secretary is not this secretary's to-do
    client.login(username="town_a", password=PASSWORD)
    home = client.get("/").content.decode()
    assert "1 名在任支部书记的任职资格证书已过期" in home and "1 名支部书记的任职资格证书 90 天内到期" in home
    assert "GZ-DUE-1" not in home  # a summary, not the list
    client.login(username="branch_b1", password=PASSWORD)
    assert "任职资格证书" not in client.get("/").content.decode()
    client.login(username="nogrant", password=PASSWORD)
    assert "任职资格证书" not in client.get("/").content.decode()


def test_todos_end_when_the_certificate_is_renewed_or_the_secretary_leaves(due):
    t = due
    assert len(cert.certification_due(t.branch_user)) == 1
    _certificate(t.branch_a1, t.member_a1_1, "GZ-DUE-4", TODAY - dt.timedelta(days=5), TODAY + dt.timedelta(days=1000))
    assert cert.certification_due(t.branch_user) == []
    county = cert.certification_due(t.county_user)
    assert [i.text for i in county] == ["书记持证上岗：1 名在任支部书记的任职资格证书已过期"]
    BranchOfficer.objects.filter(organization=t.branch_a2).update(end_date=TODAY - dt.timedelta(days=1))
    assert cert.certification_due(t.county_user) == []
