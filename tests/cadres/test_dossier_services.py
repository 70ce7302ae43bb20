"""The dossier audit services (``cadres.dossier.services``): the run over a scope (findings with evidence,
idempotent rerun, auto-correction after the data is fixed), the 认定 workflow with its history, and the
refusals (stale version, blank document, out of scope)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_cadre, make_post
from zugong.audit.models import AuditEvent
from zugong.cadres.dossier import selectors
from zugong.cadres.dossier.services import SYSTEM_DOCUMENT, dossier_audit_run, finding_decide
from zugong.cadres.models import Appointment, DossierFinding, FindingDecision, ResumeEntry
from zugong.core.errors import ConcurrentEdit, OutOfScope, PermissionDeniedError, ValidationFailed
from zugong.people.models import Person

pytestmark = pytest.mark.django_db
BIRTH = dt.date(1980, 3, 15)


def shift_birth(cadre, birth=dt.date(1981, 3, 15)):
    """Record a birth date different from the ID number's (the ID keeps 1980-03-15)."""
    Person.objects.filter(pk=cadre.person_id).update(birth_date=birth, work_start_date=dt.date(2003, 7, 1))


def test_run_records_a_finding_with_evidence_naming_the_sources(ct):
    cadre = make_cadre(ct.unit_town_a, "张建国", birth_date=BIRTH)
    clean = make_cadre(ct.unit_firm_a, "李清白")
    shift_birth(cadre)
    result = dossier_audit_run(user=ct.cadre_user)
    assert (result.cadres, result.new, result.existing, result.corrected) == (2, 1, 0, 0)
    assert result.by_check == {"birth_vs_id": 1} and result.by_problem == {"inconsistent": 1}
    finding = DossierFinding.objects.get(cadre=cadre)
    assert (finding.check_code, finding.problem_type, finding.status) == ("birth_vs_id", "inconsistent", "open")
    person = Person.objects.get(pk=cadre.person_id)
    sources = {s["source"]: s["value"] for s in finding.evidence["sources"]}
    assert sources == {"人员信息·出生日期": "1981-03-15",
                       f"公民身份号码（{person.id_number_masked}）中的出生日期": "1980-03-15"}
    assert person.id_number not in str(finding.evidence)  # only the masked number
    assert "最早记载的材料为准" in finding.evidence["message"]
    assert not DossierFinding.objects.filter(cadre=clean).exists()
    event = AuditEvent.objects.filter(kind="dossier_audit_run").get()
    assert event.actor_username == ct.cadre_user.username
    assert event.data["new"] == 1 and event.data["cadres"] == 2


def test_rerun_adds_nothing_and_keeps_the_status(ct):
    cadre = make_cadre(ct.unit_town_a, "张建国")
    shift_birth(cadre)
    dossier_audit_run(user=ct.cadre_user)
    finding = DossierFinding.objects.get(cadre=cadre)
    finding_decide(user=ct.cadre_user, finding=finding, decision="confirmed", document="1978年招工登记表",
                   expected_version=finding.version)
    again = dossier_audit_run(user=ct.cadre_user)
    assert (again.new, again.existing, again.corrected, again.detected) == (0, 1, 0, 1)
    assert DossierFinding.objects.filter(cadre=cadre).count() == 1
    finding.refresh_from_db()
    assert finding.status == "confirmed" and finding.decisions.count() == 1


def test_fixing_the_data_marks_the_finding_corrected_with_a_system_decision(ct):
    cadre = make_cadre(ct.unit_town_a, "张建国")
    shift_birth(cadre)
    dossier_audit_run(user=ct.cadre_user)
    Person.objects.filter(pk=cadre.person_id).update(birth_date=BIRTH)  # corrected after the archive check
    result = dossier_audit_run(user=ct.cadre_user)
    assert (result.corrected, result.detected, result.new) == (1, 0, 0)
    finding = DossierFinding.objects.get(cadre=cadre)
    assert finding.status == "corrected" and finding.resolved_at is not None
    [decision] = finding.decisions.all()
    assert (decision.decision, decision.document, decision.decided_by) == ("corrected", SYSTEM_DOCUMENT, ct.cadre_user)
    # a third run changes nothing more
    assert dossier_audit_run(user=ct.cadre_user).corrected == 0
    assert finding.decisions.count() == 1
    # a changed value is a new problem (a new fingerprint), the corrected one stays as it is
    shift_birth(cadre, dt.date(1982, 1, 2))
    assert dossier_audit_run(user=ct.cadre_user).new == 1
    assert DossierFinding.objects.filter(cadre=cadre).count() == 2


def test_dismissed_finding_stays_dismissed_when_no_longer_detected(ct):
    cadre = make_cadre(ct.unit_town_a, "张建国")
    shift_birth(cadre)
    dossier_audit_run(user=ct.cadre_user)
    finding = DossierFinding.objects.get(cadre=cadre)
    finding_decide(user=ct.cadre_user, finding=finding, decision="dismissed", document="出生医学证明",
                   expected_version=finding.version)
    Person.objects.filter(pk=cadre.person_id).update(birth_date=BIRTH)
    assert dossier_audit_run(user=ct.cadre_user).corrected == 0
    finding.refresh_from_db()
    assert finding.status == "dismissed"


def test_decide_workflow_keeps_the_history(ct):
    cadre = make_cadre(ct.unit_town_a, "张建国")
    shift_birth(cadre)
    dossier_audit_run(user=ct.cadre_user)
    finding = DossierFinding.objects.get(cadre=cadre)
    first = finding_decide(user=ct.cadre_user, finding=finding, decision="confirmed", document="1978年招工登记表",
                           note="档案最早材料记载1980年3月", expected_version=finding.version)
    finding.refresh_from_db()
    assert finding.status == "confirmed" and finding.resolved_at == first.decided_at
    second = finding_decide(user=ct.cadre_user, finding=finding.pk, decision="corrected",
                            document="组织部更正通知（2026）3号", expected_version=finding.version)
    finding.refresh_from_db()
    assert finding.status == "corrected"
    history = list(finding.decisions.order_by("decided_at", "id").values_list("decision", "document", "note"))
    assert history == [("confirmed", "1978年招工登记表", "档案最早材料记载1980年3月"),
                       ("corrected", "组织部更正通知（2026）3号", "")]
    assert second.decided_by == ct.cadre_user
    events = AuditEvent.objects.filter(kind="dossier_finding_decide").order_by("id")
    assert [e.data["after"] for e in events] == ["confirmed", "corrected"]


def test_stale_blank_and_unknown_decisions_are_refused_with_nothing_written(ct):
    cadre = make_cadre(ct.unit_town_a, "张建国")
    shift_birth(cadre)
    dossier_audit_run(user=ct.cadre_user)
    finding = DossierFinding.objects.get(cadre=cadre)
    stale = finding.version
    finding_decide(user=ct.cadre_user, finding=finding, decision="confirmed", document="招工登记表",
                   expected_version=stale)
    with pytest.raises(ConcurrentEdit):
        finding_decide(user=ct.cadre_user, finding=finding, decision="dismissed", document="出生证明",
                       expected_version=stale)
    finding.refresh_from_db()
    with pytest.raises(ValidationFailed) as blank:
        finding_decide(user=ct.cadre_user, finding=finding, decision="dismissed", document="  ",
                       expected_version=finding.version)
    assert blank.value.errors[0].column == "认定依据" and "请填写认定依据" in blank.value.message
    with pytest.raises(ValidationFailed) as unknown:
        finding_decide(user=ct.cadre_user, finding=finding, decision="open", document="x",
                       expected_version=finding.version)
    assert unknown.value.errors[0].column == "认定结论"
    finding.refresh_from_db()
    assert finding.status == "confirmed" and finding.decisions.count() == 1


def test_scope_of_the_run_and_of_decisions(ct):
    mine = make_cadre(ct.unit_firm_a, "甲镇干部")
    foreign = make_cadre(ct.unit_town_b, "乙镇干部")
    shift_birth(mine)
    shift_birth(foreign)
    result = dossier_audit_run(user=ct.cadre_b_user)
    assert result.cadres == 1 and result.new == 1
    assert list(DossierFinding.objects.values_list("cadre_id", flat=True)) == [foreign.pk]
    dossier_audit_run(user=ct.cadre_user)
    finding_a = DossierFinding.objects.get(cadre=mine)
    assert finding_a.pk not in set(selectors.finding_list(user=ct.cadre_b_user).values_list("pk", flat=True))
    with pytest.raises(OutOfScope):
        finding_decide(user=ct.cadre_b_user, finding=finding_a, decision="dismissed", document="x",
                       expected_version=finding_a.version)
    with pytest.raises(OutOfScope):
        dossier_audit_run(user=ct.cadre_b_user, unit=ct.unit_town_a)
    with pytest.raises(PermissionDeniedError):
        dossier_audit_run(user=ct.town_user)
    assert not selectors.finding_list(user=ct.town_user).exists()
    assert FindingDecision.objects.count() == 0


def test_run_over_a_unit_subtree(ct):
    a = make_cadre(ct.unit_firm_a, "甲厂干部")
    b = make_cadre(ct.unit_town_b, "乙镇干部")
    shift_birth(a)
    shift_birth(b)
    result = dossier_audit_run(user=ct.county_user, unit=ct.unit_town_a)
    assert result.cadres == 1 and result.unit == ct.unit_town_a
    assert list(DossierFinding.objects.values_list("cadre_id", flat=True)) == [a.pk]
    # a run over U-A does not mark U-B's findings as corrected
    dossier_audit_run(user=ct.county_user, unit=ct.unit_town_b)
    Person.objects.filter(pk=b.person_id).update(birth_date=BIRTH)
    assert dossier_audit_run(user=ct.county_user, unit=ct.unit_town_a).corrected == 0
    assert DossierFinding.objects.get(cadre=b).status == "open"


def test_each_check_runs_on_loaded_records(ct):
    """The service loads every source the checks read: person, party record and 延长预备期, résumé,
    education, recorded post dates and appointments."""
    from zugong.cadres.models import Education
    from zugong.party.models import MembershipEvent, PartyMember

    c = make_cadre(ct.unit_town_a, "王多项", organization=ct.branch_a1, party_joined_date=dt.date(1997, 1, 1),
                   same_level_since=dt.date(2021, 1, 1))
    Person.objects.filter(pk=c.person_id).update(work_start_date=dt.date(1995, 1, 1))
    PartyMember.objects.create(person_id=c.person_id, admission_date=dt.date(2001, 7, 1),
                               full_membership_date=dt.date(2002, 3, 1))
    ResumeEntry.objects.create(cadre=c, position=0, start_date=dt.date(1995, 1, 1), end_date=dt.date(2000, 1, 1),
                               text="某厂工人")
    ResumeEntry.objects.create(cadre=c, position=1, start_date=dt.date(2000, 6, 1), end_date=None, text="某局科员")
    Education.objects.create(cadre=c, category="full_time", education_text="大学本科", education_level="21",
                             start_date=dt.date(2003, 9, 1), end_date=dt.date(2002, 7, 1))
    post = make_post(ct.unit_town_a, "镇长", level="141")
    Appointment.objects.create(cadre=c, post=post, start_date=dt.date(2019, 5, 20), appointment_document="甲委〔2019〕5号")
    dossier_audit_run(user=ct.cadre_user, as_of=dt.date(2024, 1, 1))
    found = set(DossierFinding.objects.filter(cadre=c).values_list("check_code", flat=True))
    assert found == {"work_before_16", "admission_before_18", "full_membership_early", "resume_gap", "degree_order",
                     "same_level_after_current"}
    same = DossierFinding.objects.get(cadre=c, check_code="same_level_after_current")
    assert {s["value"] for s in same.evidence["sources"]} == {"2021.01", "2019.05"}
    assert "甲镇镇长" in str(same.evidence)
    # a recorded 延长预备期 explains the early 转正 no more: the finding is corrected on the next run
    MembershipEvent.objects.create(person_id=c.person_id, kind="full_membership", detail="extended",
                                   date=dt.date(2002, 7, 1), organization=ct.branch_a1, extension_months=6)
    assert dossier_audit_run(user=ct.cadre_user, as_of=dt.date(2024, 1, 1)).corrected == 1
    assert DossierFinding.objects.get(cadre=c, check_code="full_membership_early").status == "corrected"


def test_query_count_does_not_grow_with_the_cadres(ct):
    def rerun_queries(n):
        for i in range(n):
            cadre = make_cadre(ct.unit_town_a, f"干部{i}")
            ResumeEntry.objects.create(cadre=cadre, start_date=dt.date(2002, 7, 1), text="工作")
        dossier_audit_run(user=ct.cadre_user)
        with CaptureQueriesContext(connection) as ctx:
            dossier_audit_run(user=ct.cadre_user)
        return len(ctx.captured_queries)

    few = rerun_queries(2)
    many = rerun_queries(6)
    assert few == many, (few, many)
    assert many <= 20


def test_confirmed_finding_becomes_corrected_once_the_data_is_fixed(ct):
    cadre = make_cadre(ct.unit_town_a, "张建国")
    shift_birth(cadre)
    dossier_audit_run(user=ct.cadre_user)
    finding = DossierFinding.objects.get(cadre=cadre)
    finding_decide(user=ct.cadre_user, finding=finding, decision="confirmed", document="1978年招工登记表",
                   expected_version=finding.version)
    Person.objects.filter(pk=cadre.person_id).update(birth_date=BIRTH)
    assert dossier_audit_run(user=ct.cadre_user).corrected == 1
    finding.refresh_from_db()
    assert finding.status == "corrected"
    assert list(finding.decisions.order_by("decided_at", "id").values_list("decision", flat=True)) == [
        "confirmed", "corrected"]


def test_a_failure_after_writing_started_leaves_nothing(ct, monkeypatch):
    """The run's audit event is written last: when it fails, the findings and system decisions written
    before it are rolled back with it."""
    from zugong.cadres.dossier import services

    fixed = make_cadre(ct.unit_town_a, "已更正")
    shift_birth(fixed)
    dossier_audit_run(user=ct.cadre_user)
    Person.objects.filter(pk=fixed.person_id).update(birth_date=BIRTH)
    shift_birth(make_cadre(ct.unit_town_a, "新问题"))

    def broken(*args, **kwargs):
        raise RuntimeError("审计日志写入失败")

    monkeypatch.setattr(services, "record_event", broken)
    before = (DossierFinding.objects.count(), FindingDecision.objects.count(),
              list(DossierFinding.objects.values_list("status", flat=True)))
    with pytest.raises(RuntimeError):
        dossier_audit_run(user=ct.cadre_user)
    assert (DossierFinding.objects.count(), FindingDecision.objects.count(),
            list(DossierFinding.objects.values_list("status", flat=True))) == before
