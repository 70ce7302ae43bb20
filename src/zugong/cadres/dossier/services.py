"""Services of the dossier audit (三龄两历一身份专项审核, ``rules.md`` §6; 《干部人事档案工作条例》(2018)).

- ``dossier_audit_run(*, user, unit=None, as_of=None) -> AuditRunResult``: run every check of
  ``dossier.checks`` over the cadres in ``user``'s ``cadre.change`` scope (or ``unit``'s subtree), record
  new findings, and mark findings no longer detected as 已更正 with a system decision. Idempotent: a rerun
  on unchanged data writes no finding and no decision (only its audit event).
- ``finding_decide(*, user, finding, decision, document, note="", expected_version)``: 认定 a finding with
  the deciding document; every decision is a new ``FindingDecision`` row (the history is kept).

Both are atomic, scoped, audited (``dossier_audit_run`` / ``dossier_finding_decide`` events) and raise
``zugong.core.errors`` types.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from zugong.audit.changelog import log_bulk_change
from zugong.audit.services import acting_user, record_event
from zugong.cadres.choices import DOSSIER_CHECK, DOSSIER_PROBLEM, FINDING_STATUS
from zugong.cadres.dossier import checks
from zugong.cadres.models import Cadre, DossierFinding, Education, FindingDecision, ResumeEntry
from zugong.cadres.selectors import post_facts
from zugong.core import idnumber
from zugong.core.concurrency import save_with_version
from zugong.core.errors import FieldProblem, OutOfScope, PermissionDeniedError, fail
from zugong.core.scoping import can

BATCH = 500
"""Cadres loaded and checked per batch (a few queries each: cadres with person and party record, résumé,
education, 延长预备期 records, appointments and ranks, existing findings)."""

SYSTEM_DOCUMENT = "复核时已不存在（数据已更正）"
SYSTEM_NOTE = "系统自动复核（档案专项审核）"
DECISIONS = ("confirmed", "dismissed", "corrected")
"""What a 认定 may conclude (``FINDING_STATUS`` other than 待认定)."""
CORRECTABLE = ("open", "confirmed")
"""Statuses a rerun turns into 已更正 when the problem is no longer detected: 待认定 and 已认定（存在问题）;
a finding 认定 as 无问题 stays as decided."""


@dataclass
class AuditRunResult:
    """What one run did: ``unit`` (``None``: the whole scope), ``as_of``, ``cadres`` checked, ``detected``
    (problems found now), ``new`` (findings created), ``existing`` (already recorded, status kept),
    ``corrected`` (no longer detected → 已更正), and ``by_check`` / ``by_problem`` counts of the problems
    found now (codes of ``DOSSIER_CHECK`` / ``DOSSIER_PROBLEM``)."""

    unit: object = None
    as_of: dt.date | None = None
    cadres: int = 0
    detected: int = 0
    new: int = 0
    existing: int = 0
    corrected: int = 0
    by_check: dict = field(default_factory=dict)
    by_problem: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """JSON-ready counts (the API's answer and the audit event's data)."""
        return {"unit": getattr(self.unit, "code", None), "as_of": self.as_of.isoformat() if self.as_of else None,
                "cadres": self.cadres, "detected": self.detected, "new": self.new, "existing": self.existing,
                "corrected": self.corrected, "by_check": dict(self.by_check), "by_problem": dict(self.by_problem)}

    @property
    def sentence(self) -> str:
        """「审核干部 12 人，发现问题 3 个（新发现 1 个），已更正 2 个。」"""
        return (f"审核干部 {self.cadres} 人，发现问题 {self.detected} 个（新发现 {self.new} 个），"
                f"复核已更正 {self.corrected} 个。")


def fingerprint(problem: checks.Problem) -> str:
    """SHA-256 (hex) of the check and the disagreeing values: the same problem on the same values is the
    same finding (unique per cadre)."""
    text = "|".join((problem.check, *problem.key))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _id_birth(person, today: dt.date) -> dt.date | None:
    """The birth date inside the person's ID number (decrypted here only; a bad check character is
    tolerated, an unreadable number gives ``None``)."""
    try:
        number = person.id_number
    except Exception:  # noqa: BLE001 — an undecryptable value is "no ID to compare", not an audit failure
        return None
    try:
        return idnumber.parse(number, accept_bad_checksum=True, today=today).birth_date
    except idnumber.IdNumberError:
        return None


def _extensions(person_ids: list[int]) -> set[int]:
    """Persons with a 延长预备期 on record: a 转正 ``MembershipEvent`` with detail ``extended`` /
    ``after_extension`` or extension months, or a 发展党员 step with outcome ``extended``."""
    from zugong.development.models import DevelopmentStep
    from zugong.party.models import MembershipEvent

    found = set(MembershipEvent.objects.filter(
        Q(detail__in=("extended", "after_extension")) | Q(extension_months__isnull=False),
        person_id__in=person_ids, kind="full_membership").values_list("person_id", flat=True))
    found |= set(DevelopmentStep.objects.filter(
        Q(outcome="extended") | Q(extension_months__isnull=False),
        record__person_id__in=person_ids).values_list("record__person_id", flat=True))
    return found


def load_cadre_data(cadres: list[Cadre], *, as_of: dt.date, user=None) -> list[checks.CadreData]:
    """``CadreData`` of ``cadres`` (already scoped instances, with ``person`` and ``person.party_member``
    joined and ``resume_entries`` / ``educations`` prefetched) on ``as_of``: the ID number is decrypted
    here and only its masked form leaves; 任现职时间 / 任同级职务时间 come from ``post_facts`` (2 queries)
    and the recorded fields."""
    facts = post_facts(cadres, as_of, user=user)
    extended = _extensions([c.person_id for c in cadres])
    out = []
    for cadre in cadres:
        person = cadre.person
        member = getattr(person, "party_member", None)
        fact = facts.get(cadre.pk)
        appointment_current = None
        title = ""
        if fact is not None and fact.post is not None:
            appointment_current = fact.current_post_since
            title = fact.post_title
        out.append(checks.CadreData(
            cadre_id=cadre.pk, name=person.name, birth_date=person.birth_date,
            id_birth_date=_id_birth(person, as_of), id_masked=person.id_number_masked,
            work_start_date=person.work_start_date, party_joined_date=cadre.party_joined_date,
            member_admission=member.admission_date if member else None,
            member_full=member.full_membership_date if member else None,
            extension_recorded=person.pk in extended,
            resume=tuple(checks.ResumeLine(r.start_date, r.end_date, r.text, r.position, r.in_service_study)
                         for r in cadre.resume_entries.all()),
            educations=tuple(checks.Qualification(e.category, e.education_level, e.education_text, e.start_date,
                                                  e.end_date, e.degree_text, e.degree_date, e.school)
                             for e in cadre.educations.all()),
            recorded_current=cadre.current_post_since, recorded_same=cadre.same_level_since,
            appointment_current=appointment_current, appointment_title=title,
            facts_current=fact.current_post_since if fact else None,
            facts_same=fact.same_level_since if fact else None,
        ))
    return out


def _cadres_for_run(*, user, unit):
    queryset = Cadre.objects.restrict(user, "change")
    if unit is not None:
        queryset = queryset.filter(unit__path__startswith=unit.path)
    return queryset


def _correct(finding: DossierFinding, *, user, now) -> None:
    finding.status = "corrected"
    finding.resolved_at = now
    save_with_version(finding, finding.version, ["status", "resolved_at"])
    FindingDecision.objects.create(finding=finding, decision="corrected", document=SYSTEM_DOCUMENT, note=SYSTEM_NOTE,
                                   decided_by=user, decided_at=now)


def dossier_audit_run(*, user, unit=None, as_of: dt.date | None = None) -> AuditRunResult:
    """Run the dossier audit over the cadres in ``user``'s ``cadre.change`` scope, or in ``unit``'s subtree
    (a ``orgs.Unit`` the user holds ``cadre.change`` on). ``as_of``: the day 任现职时间 is taken on
    (default today).

    For each cadre, in batches of ``BATCH`` (a few queries each, no query per cadre): every check of
    ``dossier.checks``; a problem whose fingerprint the cadre has no finding for yet becomes a new 待认定
    finding (``detected_at`` now); one already recorded keeps its finding and status; a 待认定 or 已认定（存在问题）
    finding no longer detected becomes 已更正 with a system ``FindingDecision`` (「复核时已不存在（数据已更正）」,
    decided by ``user``). One ``dossier_audit_run`` audit event with the counts.

    Raises ``PermissionDeniedError`` without ``cadre.change`` anywhere, ``OutOfScope`` for a ``unit``
    outside it."""
    with transaction.atomic(), acting_user(user):
        return _run(user=user, unit=unit, as_of=as_of)


def _run(*, user, unit, as_of) -> AuditRunResult:
    if not can(user, "cadre", "change"):
        raise PermissionDeniedError("您没有干部信息的修改权限，不能进行档案专项审核。")
    if unit is not None and not can(user, "cadre", "change", unit):
        raise OutOfScope("单位不存在或不在您的数据范围内。")
    as_of = as_of or timezone.localdate()
    now = timezone.now()
    result = AuditRunResult(unit=unit, as_of=as_of)
    by_check: Counter = Counter()
    by_problem: Counter = Counter()
    ids = list(_cadres_for_run(user=user, unit=unit).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        cadres = list(Cadre.objects.filter(pk__in=chunk).select_related("person", "person__party_member", "unit")
                      .prefetch_related(Prefetch("resume_entries", queryset=ResumeEntry.objects.order_by("position", "id")),
                                        Prefetch("educations", queryset=Education.objects.order_by("position", "id")))
                      .order_by("pk"))
        existing: dict[int, dict[str, DossierFinding]] = {}
        for finding in DossierFinding.objects.filter(cadre_id__in=chunk):
            existing.setdefault(finding.cadre_id, {})[finding.fingerprint] = finding
        new_rows = []
        for data in load_cadre_data(cadres, as_of=as_of, user=user):
            mine = existing.get(data.cadre_id, {})
            found = {}
            for problem in checks.run_checks(data):
                found.setdefault(fingerprint(problem), problem)
            for key, problem in found.items():
                by_check[problem.check] += 1
                by_problem[problem.problem_type] += 1
                if key in mine:
                    result.existing += 1
                else:
                    new_rows.append(DossierFinding(cadre_id=data.cadre_id, check_code=problem.check,
                                                   problem_type=problem.problem_type, evidence=problem.evidence(),
                                                   fingerprint=key, status="open", detected_at=now))
            for key, finding in mine.items():
                if key not in found and finding.status in CORRECTABLE:
                    _correct(finding, user=user, now=now)
                    result.corrected += 1
        if new_rows:
            DossierFinding.objects.bulk_create(new_rows)
            log_bulk_change(DossierFinding, len(new_rows), f"档案专项审核新发现问题 {len(new_rows)} 个",
                            data={"cadres": sorted({r.cadre_id for r in new_rows})})
            result.new += len(new_rows)
        result.cadres += len(cadres)
    result.detected = sum(by_check.values())
    result.by_check = {k: by_check[k] for k in DOSSIER_CHECK.entries if by_check[k]}
    result.by_problem = {k: by_problem[k] for k in DOSSIER_PROBLEM.entries if by_problem[k]}
    where = f"「{unit.name}」" if unit is not None else "数据范围内全部干部"
    record_event("dossier_audit_run", user=user, object_type="orgs.unit" if unit is not None else "",
                 object_id=unit.pk if unit is not None else "", summary=f"档案专项审核（{where}）：{result.sentence}",
                 data=result.as_dict())
    return result


def finding_decide(*, user, finding, decision: str, document: str, note: str = "",
                   expected_version: int) -> FindingDecision:
    """认定 ``finding`` (a ``DossierFinding`` or its pk): ``decision`` one of ``DECISIONS`` (已认定（存在问题）/
    已认定（无问题）/ 已更正), ``document`` the deciding material (认定依据, e.g. 「1978年招工登记表」; required),
    ``note``. A finding already decided may be decided again: each 认定 is a new ``FindingDecision`` row
    and the finding's status follows the newest (nothing is overwritten). ``resolved_at`` is the time of
    the newest 认定.

    Raises ``OutOfScope`` (not in ``user``'s ``cadre.change`` scope), ``ValidationFailed`` (unknown
    decision, blank document, text too long), ``ConcurrentEdit`` (``expected_version`` stale)."""
    with transaction.atomic(), acting_user(user):
        return _decide(user=user, finding=finding, decision=decision, document=document, note=note,
                       expected_version=expected_version)


def _decide(*, user, finding, decision, document, note, expected_version) -> FindingDecision:
    pk = getattr(finding, "pk", finding)
    current = DossierFinding.objects.restrict(user, "change").select_related("cadre__person").filter(pk=pk).first()
    if current is None:
        raise OutOfScope("问题不存在或不在您的数据范围内。")
    decision = str(decision or "").strip()
    document = str(document or "").strip()
    note = str(note or "").strip()
    problems = []
    if decision not in DECISIONS:
        problems.append(FieldProblem("认定结论", "请选择认定结论：已认定（存在问题）、已认定（无问题）或已更正"))
    if not document:
        problems.append(FieldProblem("认定依据", "请填写认定依据（如最早记载出生日期的档案材料名称及形成时间）"))
    elif len(document) > 300:
        problems.append(FieldProblem("认定依据", f"认定依据不能超过300个字（现为{len(document)}个字）"))
    if len(note) > 1000:
        problems.append(FieldProblem("说明", f"说明不能超过1000个字（现为{len(note)}个字）"))
    fail(problems)
    now = timezone.now()
    before = current.status
    current.status = decision
    current.resolved_at = now
    save_with_version(current, int(expected_version), ["status", "resolved_at"])
    row = FindingDecision.objects.create(finding=current, decision=decision, document=document, note=note,
                                         decided_by=user, decided_at=now)
    record_event("dossier_finding_decide", user=user, object_type="cadres.dossierfinding", object_id=current.pk,
                 summary=f"认定「{current.cadre.person.name}」{DOSSIER_CHECK.label(current.check_code)}："
                         f"{FINDING_STATUS.label(decision)}（依据：{document}）",
                 data={"cadre": current.cadre_id, "check": current.check_code, "before": before, "after": decision,
                       "document": document, "note": note})
    return row
