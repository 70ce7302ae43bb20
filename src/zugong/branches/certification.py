"""支部书记持证上岗 (issue #11 item 5): training and exam records, 《党支部书记任职资格证书》, the certified
rate of a subtree, and the to-do of expiring certificates. Pages (``branches.certification_views``), the
API (``branches.api.certification``) and scripts call the functions here; every service is keyword-only,
atomic, audited (the change log of the rows it writes plus a domain event) and raises the typed errors of
``core.errors`` with the field and the reason, writing nothing.

**The rule** (local practice, so deployment settings — ``shared/rules.md`` tags it [L]): a 党支部书记 is
trained and examined, and after passing the exam (培训考试合格) receives the 《党支部书记任职资格证书》; a
secretary "持证上岗" on day D when they hold a certificate valid on D. What this module enforces, with the
setting that changes it (``certification_rules``):

- ``ZUGONG_SECRETARY_CERT_PASS_MARK`` (合格线, default **60** of 100): a result recorded as 合格 needs a
  score of at least the pass mark (when a score is given);
- ``ZUGONG_SECRETARY_CERT_EXAM_YEARS`` (default **2**): a certificate is issued (or renewed) only on a
  passed exam of that person dated within the N years before the issue date (and, for a renewal, after the
  old certificate was issued);
- ``ZUGONG_SECRETARY_CERT_VALID_YEARS`` (default **3**): the validity (有效期) a certificate gets when the
  issuer gives no 有效期至;
- ``EXPIRING_DAYS`` = 90: "expiring" means valid on D and ``valid_until <= D + 90`` (the to-do list and the
  page's list, like the 90-day 换届 reminder of item 3).

A certificate is valid on D when ``issued_date <= D <= valid_until`` and it was not revoked by D
(``revoked_date`` empty or after D). It is the person's qualification: it counts for whichever branch the
holder is secretary of on D.

Services:

- ``training_record(*, user, person_id, organization, training_name, start_date, end_date, …)``;
- ``certificate_issue(*, user, person_id, organization, number, issued_date, issuer, …)``;
- ``certificate_revoke(*, user, certificate_id, revoked_date, reason, expected_version)``;
- ``certificate_renew(*, user, certificate_id, number, issued_date, issuer, …)``.

Statistics: ``certified_rate(*, user, organization, on) -> dict`` (SQL aggregates over the subtree) and
``secretary_rows`` (one annotated row per branch). To-dos: ``certification_due``.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from zugong.audit.services import record_event
from zugong.branches.models import BranchOfficer, SecretaryCertificate, TrainingRecord
from zugong.core.codes import ORG_TYPES_BRANCH
from zugong.core.concurrency import save_with_version
from zugong.core.dates import add_years
from zugong.core.errors import ConcurrentEdit, OutOfScope, PermissionDeniedError
from zugong.core.registry import TodoItem
from zugong.core.scoping import can, user_scope
from zugong.orgs.models import PartyOrganization
from zugong.orgs.selectors import organization_by_code_in_scope
from zugong.party.models import Membership
from zugong.people.services import parse_day, raise_problems
from zugong.people.validators import Problem

EXPIRING_DAYS = 90
SOURCE = "地方党支部书记培训考试和持证上岗制度（培训考试合格后颁发《党支部书记任职资格证书》；部署参数）"
NOT_FOUND_TRAINING = "培训考试记录不存在或不在您的数据范围内。"
NOT_FOUND_CERTIFICATE = "任职资格证书不存在或不在您的数据范围内。"


# ----- the rule (deployment settings) ------------------------------------------------------------------


@dataclass(frozen=True)
class CertificationRules:
    """The certification rule of this deployment: ``pass_mark`` (合格线, points of 100), ``exam_years``
    (a certificate needs a passed exam within that many years before the issue date), ``valid_years`` (the
    default validity), ``expiring_days`` (the reminder window) and the ``source`` text."""

    pass_mark: Decimal
    exam_years: int
    valid_years: int
    expiring_days: int = EXPIRING_DAYS
    source: str = SOURCE


def _setting(name: str, default):
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name)
    return default if value in (None, "") else value


def certification_rules() -> CertificationRules:
    """The rule in force: Django settings ``ZUGONG_SECRETARY_CERT_PASS_MARK`` (60),
    ``ZUGONG_SECRETARY_CERT_EXAM_YEARS`` (2), ``ZUGONG_SECRETARY_CERT_VALID_YEARS`` (3), each also read from
    the environment variable of the same name; defaults in brackets (see the module docstring)."""
    return CertificationRules(pass_mark=Decimal(str(_setting("ZUGONG_SECRETARY_CERT_PASS_MARK", 60))),
                              exam_years=int(_setting("ZUGONG_SECRETARY_CERT_EXAM_YEARS", 2)),
                              valid_years=int(_setting("ZUGONG_SECRETARY_CERT_VALID_YEARS", 3)))


def valid_on(day: dt.date, prefix: str = "") -> Q:
    """Condition of the certificates valid on ``day`` (issued by then, ``valid_until`` not before it, not
    revoked by then); ``prefix`` for a lookup through a relation (``"secretary_certificates__"``)."""
    p = prefix
    return (Q(**{f"{p}issued_date__lte": day, f"{p}valid_until__gte": day})
            & (Q(**{f"{p}revoked_date__isnull": True}) | Q(**{f"{p}revoked_date__gt": day})))


# ----- selectors ---------------------------------------------------------------------------------------


def training_list(*, user, action: str = "view") -> QuerySet[TrainingRecord]:
    """Training/exam records in ``user``'s ``party.<action>`` scope (by their organization), newest first."""
    return (TrainingRecord.objects.restrict(user, action).select_related("person", "organization")
            .defer("person__id_number_encrypted", "person__phone_encrypted").order_by("-start_date", "-pk"))


def training_get(*, user, pk: int, action: str = "view") -> TrainingRecord | None:
    """The training record ``pk`` in ``user``'s ``party.<action>`` scope, else ``None``."""
    return training_list(user=user, action=action).filter(pk=pk).first()


def certificate_list(*, user, action: str = "view") -> QuerySet[SecretaryCertificate]:
    """Certificates in ``user``'s ``party.<action>`` scope (by their organization), newest first."""
    return (SecretaryCertificate.objects.restrict(user, action).select_related("person", "organization")
            .defer("person__id_number_encrypted", "person__phone_encrypted").order_by("-issued_date", "-pk"))


def certificate_get(*, user, pk: int, action: str = "view") -> SecretaryCertificate | None:
    """The certificate ``pk`` in ``user``'s ``party.<action>`` scope, else ``None``."""
    return certificate_list(user=user, action=action).filter(pk=pk).first()


def person_history(*, user, person_id: int) -> dict:
    """A person's trainings and certificates in ``user``'s ``party.view`` scope and the secretary posts
    they held (of organizations in that scope): ``{"trainings": [...], "certificates": [...], "posts":
    [...]}`` (3 queries)."""
    posts = (BranchOfficer.objects.restrict(user, "view").filter(person_id=person_id, role="secretary")
             .select_related("organization").order_by("-start_date"))
    return {"trainings": list(training_list(user=user).filter(person_id=person_id)),
            "certificates": list(certificate_list(user=user).filter(person_id=person_id)),
            "posts": list(posts)}


def organization_in_scope(*, user, code: str, action: str = "view") -> PartyOrganization:
    """The organization with 组织代码 ``code`` in ``user``'s ``party.<action>`` scope; ``OutOfScope`` when it
    does not exist or lies outside (same message either way; ``orgs.selectors``)."""
    return organization_by_code_in_scope(user=user, code=code, action=action)


def member_choices(*, user, organization: PartyOrganization, on: dt.date, limit: int = 500) -> list[tuple[int, str]]:
    """``(person id, "姓名（党组织）")`` of the members of ``organization``'s subtree on ``on`` in ``user``'s
    ``party.view`` scope, for the training form's picker (at most ``limit``)."""
    rows = (Membership.objects.restrict(user, "view").on(on).filter(organization__path__startswith=organization.path)
            .order_by("organization__path", "person__name").values_list("person_id", "person__name", "organization__name"))
    return [(pk, f"{name}（{org}）") for pk, name, org in rows[:limit]]


def subtree_filter(queryset: QuerySet, code: str) -> QuerySet:
    """``queryset`` (training records or certificates, already scoped) limited to the subtree of the
    organization with 组织代码 ``code`` (no rows for an unknown code; an organization outside the scope
    leaves only the scoped rows under it, i.e. none of another subtree). The API's ``?org=``."""
    path = PartyOrganization.objects.filter(code=str(code or "").strip()).values("path")[:1]
    return queryset.filter(organization__path__startswith=Subquery(path))


def _secretary_on(on: dt.date):
    return (BranchOfficer.objects.filter(organization=OuterRef("pk"), role="secretary", start_date__lte=on)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=on)).order_by("-start_date", "-pk"))


def _annotate(branches: QuerySet, on: dt.date) -> QuerySet:
    """``branches`` with the secretary on ``on`` (``secretary_id``, ``secretary_name``, ``secretary_since``)
    and their certificates: ``valid_until`` / ``certificate_number`` of the valid one lasting longest
    (empty: not certified on ``on``), ``last_until`` (latest 有效期至 of an unrevoked certificate issued by
    then: before ``on`` → expired) and ``revoked`` (one was revoked by then)."""
    secretary = _secretary_on(on)
    mine = SecretaryCertificate.objects.filter(person_id=OuterRef("secretary_id"), issued_date__lte=on)
    valid = mine.filter(valid_on(on)).order_by("-valid_until", "-pk")
    vacated = (BranchOfficer.objects.filter(organization=OuterRef("pk"), role="secretary", end_date__lte=on)
               .order_by("-end_date"))
    return branches.annotate(
        secretary_id=Subquery(secretary.values("person_id")[:1]),
        secretary_name=Subquery(secretary.values("person__name")[:1]),
        secretary_since=Subquery(secretary.values("start_date")[:1]),
        valid_until=Subquery(valid.values("valid_until")[:1]),
        certificate_number=Subquery(valid.values("number")[:1]),
        last_until=Subquery(mine.filter(revoked_date__isnull=True).order_by("-valid_until").values("valid_until")[:1]),
        revoked=Exists(mine.filter(revoked_date__lte=on)),
        vacant_since=Subquery(vacated.values("end_date")[:1]),
    )


def _branches(*, user, organization: PartyOrganization | None, on: dt.date) -> QuerySet:
    qs = (PartyOrganization.objects.restrict(user, "view").active_on(on).filter(org_type__in=ORG_TYPES_BRANCH))
    if organization is not None:
        qs = qs.filter(path__startswith=organization.path)
    return qs


def _checked(user, organization: PartyOrganization) -> PartyOrganization:
    org = PartyOrganization.objects.restrict(user, "view").filter(pk=organization.pk).first()
    if org is None:
        raise OutOfScope("组织不存在或不在您的数据范围内。")
    return org


def secretary_rows(*, user, organization: PartyOrganization, on: dt.date) -> QuerySet[PartyOrganization]:
    """One row per branch (``ORG_TYPES_BRANCH``, existing on ``on``) of ``organization``'s subtree in
    ``user``'s ``party.view`` scope, in tree order, annotated with its secretary on ``on`` and their
    certificate (see ``_annotate``: ``secretary_id`` empty → 书记空缺; ``valid_until`` empty → 未持有效证书).
    Filter it with ``STATE_FILTERS``. Raises ``OutOfScope`` for an organization outside the scope."""
    org = _checked(user, organization)
    return _annotate(_branches(user=user, organization=org, on=on), on).order_by("path")


def state_filters(on: dt.date, days: int = EXPIRING_DAYS) -> dict[str, Q]:
    """Conditions on ``secretary_rows`` for each state on ``on``: ``vacant`` (书记空缺), ``certified`` (持证),
    ``uncertified`` (有书记、未持有效证书), ``expiring`` (持证、``days`` 天内到期), ``expired`` (有书记、证书已过期、
    未换证)."""
    return {
        "vacant": Q(secretary_id__isnull=True),
        "certified": Q(valid_until__isnull=False),
        "uncertified": Q(secretary_id__isnull=False, valid_until__isnull=True),
        "expiring": Q(valid_until__isnull=False, valid_until__lte=on + dt.timedelta(days=days)),
        "expired": Q(secretary_id__isnull=False, valid_until__isnull=True, last_until__lt=on),
    }


def row_state(row, on: dt.date) -> str:
    """The Chinese state of one ``secretary_rows`` row: 书记空缺 / 持证 / 即将到期 / 已过期 / 已撤销 / 未持证."""
    if row.secretary_id is None:
        return "书记空缺"
    if row.valid_until is not None:
        return "即将到期" if row.valid_until <= on + dt.timedelta(days=EXPIRING_DAYS) else "持证"
    if row.last_until is not None and row.last_until < on:
        return "已过期"
    if row.revoked:
        return "已撤销"
    return "未持证"


def certified_rate(*, user, organization: PartyOrganization, on: dt.date) -> dict:
    """持证上岗率 of ``organization``'s subtree on ``on`` (in ``user``'s ``party.view`` scope). One SQL
    aggregate over the branches (``党支部``, ``联合党支部``, ``临时党支部`` existing on ``on``) with the
    secretary post open on ``on`` (``BranchOfficer`` role 书记, ``start_date <= on < end_date``) and whether
    that person holds a certificate valid on ``on`` (``valid_on``). Returns::

        {"organization": {"code", "name"}, "on": date,
         "branches": 支部数, "with_secretary": 有书记的支部数, "vacant": 书记空缺的支部数,
         "certified": 书记持有效证书的支部数, "uncertified": with_secretary - certified,
         "expiring": 持证但 90 天内到期, "expired": 证书已过期未换证,
         "rate": certified / with_secretary (0–1, None when no branch has a secretary),
         "rate_percent": the rate in %, one decimal (None likewise),
         "rules": {"pass_mark", "exam_years", "valid_years", "expiring_days", "source"}}

    The rate's denominator is the branches *with* a secretary (a vacant post is listed apart, not counted
    as uncertified). Raises ``OutOfScope`` for an organization outside the scope."""
    rows = secretary_rows(user=user, organization=organization, on=on).order_by()
    f = state_filters(on)
    counts = rows.aggregate(branches=Count("pk"), with_secretary=Count("pk", filter=~f["vacant"]),
                            certified=Count("pk", filter=f["certified"]), expiring=Count("pk", filter=f["expiring"]),
                            expired=Count("pk", filter=f["expired"]))
    rules = certification_rules()
    with_secretary, certified = counts["with_secretary"], counts["certified"]
    rate = certified / with_secretary if with_secretary else None
    return {"organization": {"code": organization.code, "name": organization.name}, "on": on,
            "branches": counts["branches"], "with_secretary": with_secretary,
            "vacant": counts["branches"] - with_secretary, "certified": certified,
            "uncertified": with_secretary - certified, "expiring": counts["expiring"], "expired": counts["expired"],
            "rate": rate, "rate_percent": round(rate * 100, 1) if rate is not None else None,
            "rules": {"pass_mark": float(rules.pass_mark), "exam_years": rules.exam_years,
                      "valid_years": rules.valid_years, "expiring_days": rules.expiring_days, "source": rules.source}}


# ----- input helpers -----------------------------------------------------------------------------------


def _decimal(value, label: str, problems: list[Problem], *, low: Decimal, high: Decimal) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        problems.append(Problem(label, f"「{value}」不是数字"))
        return None
    if not number.is_finite() or number < low or number > high:
        problems.append(Problem(label, f"{label} {value} 超出范围（应在 {low}–{high} 之间）"))
        return None
    return number.quantize(Decimal("0.1"))


def _yes(value) -> bool:
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("1", "true", "on", "yes", "是", "合格")


def _organization(user, organization, action: str = "add") -> PartyOrganization:
    code = organization.code if isinstance(organization, PartyOrganization) else organization
    if code in (None, ""):
        raise_problems([Problem("党组织", "必填项为空")])
    return organization_in_scope(user=user, code=code, action=action)


def _member_on(user, person_id, day: dt.date | None, problems: list[Problem], what: str) -> None:
    """A problem unless ``person_id`` has a membership in force on ``day`` in ``user``'s ``party.view``
    scope (a secretary is elected from the branch's members: 《中国共产党支部工作条例（试行）》第二十三条)."""
    try:
        pid = int(person_id)
    except (TypeError, ValueError):
        problems.append(Problem("人员", "请选择人员"))
        return
    if day is None:
        return
    if not Membership.objects.restrict(user, "view").on(day).filter(person_id=pid).exists():
        problems.append(Problem("人员", f"该人员在 {day.isoformat()} 不是您数据范围内的党员，不能登记{what}"
                                       "（党支部书记从党员中产生，《中国共产党支部工作条例（试行）》第二十三条）"))


def _exam_basis(user, person_id: int, issued: dt.date, rules: CertificationRules, *, training_id=None,
                after: dt.date | None = None) -> tuple[TrainingRecord | None, str]:
    """The passed exam a certificate is issued on: ``training_id`` if given, else the latest passed exam of
    the person in ``user``'s view scope dated within ``rules.exam_years`` before ``issued`` (and after
    ``after`` for a renewal). ``(record, "")`` or ``(None, reason)``."""
    earliest = add_years(issued, -rules.exam_years)
    if after is not None and after >= earliest:
        earliest = after + dt.timedelta(days=1)
    window = f"{earliest.isoformat()} 至 {issued.isoformat()}"
    qs = TrainingRecord.objects.restrict(user, "view").filter(person_id=person_id)
    if training_id not in (None, ""):
        record = qs.filter(pk=training_id).first()
        if record is None:
            return None, "依据的培训考试记录不存在、不是该人员的或不在您的数据范围内"
        if not record.passed:
            return None, f"依据的培训考试（{record.training_name}）考试不合格，不能颁发任职资格证书"
        if not (earliest <= record.exam_date <= issued):
            return None, (f"依据的培训考试日期 {record.exam_date.isoformat()} 不在 {window} 之间"
                          f"（须为发证前 {rules.exam_years} 年内{'、原证书发证后' if after else ''}的考试合格记录；{rules.source}）")
        return record, ""
    record = (qs.filter(passed=True, exam_date__gte=earliest, exam_date__lte=issued).order_by("-exam_date", "-pk").first())
    if record is None:
        return None, (f"该人员在 {window} 没有考试合格的培训记录：须培训考试合格后才能"
                      f"{'换发' if after else '颁发'}《党支部书记任职资格证书》（发证前 {rules.exam_years} 年内"
                      f"{'、原证书发证后' if after else ''}；{rules.source}）")
    return record, ""


def _certificate_fields(number, issued_date, valid_until, issuer, problems, today, rules) -> tuple:
    number = str(number or "").strip()
    if not number:
        problems.append(Problem("证书编号", "必填项为空"))
    elif len(number) > 50:
        problems.append(Problem("证书编号", "不能超过 50 个字符"))
    elif SecretaryCertificate.objects.filter(number=number).exists():
        problems.append(Problem("证书编号", f"证书编号「{number}」已被使用（证书编号不能重复）"))
    issued = parse_day(issued_date, "发证日期", problems, required=True, today=today)
    until = None
    if valid_until not in (None, ""):
        until = parse_day(valid_until, "有效期至", problems, required=True, today=dt.date.max)
    elif issued is not None:
        until = add_years(issued, rules.valid_years)
    if issued is not None and until is not None and until <= issued:
        problems.append(Problem("有效期至", f"有效期至 {until.isoformat()} 不晚于发证日期 {issued.isoformat()}"))
    issuer = str(issuer or "").strip()
    if not issuer:
        problems.append(Problem("发证机关", "必填项为空"))
    return number, issued, until, issuer[:200]


def _save_certificate(certificate: SecretaryCertificate) -> None:
    try:
        with transaction.atomic():
            certificate.save()
    except IntegrityError:  # a concurrent issue with the same number
        raise_problems([Problem("证书编号", f"证书编号「{certificate.number}」已被使用（证书编号不能重复）")])


# ----- services ----------------------------------------------------------------------------------------


def training_record(*, user, person_id: int, organization, training_name: str, start_date, end_date,
                    organizer: str = "", class_hours=None, exam_date=None, exam_score=None, passed=False,
                    note: str = "", today: dt.date | None = None) -> TrainingRecord:
    """Record a training (and its exam) of person ``person_id`` at ``organization`` (a
    ``PartyOrganization`` or its 组织代码: the branch the person serves or the organization that sent
    them). Dates are ``dt.date`` or text (``YYYY-MM-DD`` …); ``class_hours`` 学时 (0–999.9);
    ``exam_score`` 0–100; ``passed`` 考试合格 (bool or 是/否).

    Requires ``party.add`` on the organization (else ``OutOfScope``). Raises ``ValidationFailed`` (nothing
    written) when: the training name or a date is missing; a date is in the future; 结束日期 before 开始日期;
    考试日期 before 开始日期; 学时 or 考试成绩 out of range; 合格 without 考试日期, or with a score below the
    pass mark (``certification_rules().pass_mark``); the person is not a member in the user's scope on the
    start date. Audited (change log + ``secretary_training_record``). Returns the new record."""
    today = today or timezone.localdate()
    rules = certification_rules()
    problems: list[Problem] = []
    with transaction.atomic():
        org = _organization(user, organization)
        name = str(training_name or "").strip()
        if not name:
            problems.append(Problem("培训名称", "必填项为空"))
        start = parse_day(start_date, "开始日期", problems, required=True, today=today)
        end = parse_day(end_date, "结束日期", problems, required=True, today=today)
        if start and end and end < start:
            problems.append(Problem("结束日期", f"结束日期 {end.isoformat()} 早于开始日期 {start.isoformat()}"))
        exam = parse_day(exam_date, "考试日期", problems, required=False, today=today)
        if exam and start and exam < start:
            problems.append(Problem("考试日期", f"考试日期 {exam.isoformat()} 早于培训开始日期 {start.isoformat()}"))
        hours = _decimal(class_hours, "学时", problems, low=Decimal(0), high=Decimal("999.9"))
        score = _decimal(exam_score, "考试成绩", problems, low=Decimal(0), high=Decimal(100))
        ok = _yes(passed)
        if ok and exam is None and not any(p.field == "考试日期" for p in problems):
            problems.append(Problem("考试日期", "登记为考试合格须填写考试日期"))
        if ok and score is not None and score < rules.pass_mark:
            problems.append(Problem("考试成绩", f"考试成绩 {score} 分低于合格线 {rules.pass_mark} 分，不能登记为考试合格"
                                           f"（{rules.source}）"))
        _member_on(user, person_id, start, problems, "书记培训")
        raise_problems(problems)
        record = TrainingRecord.objects.create(
            person_id=int(person_id), organization=org, training_name=name[:200], organizer=str(organizer or "").strip()[:200],
            start_date=start, end_date=end, class_hours=hours, exam_date=exam, exam_score=score, passed=ok,
            note=str(note or "").strip()[:500])
        record_event("secretary_training_record", user=user, object_type="branches.trainingrecord", object_id=record.pk,
                     summary=f"人员 #{record.person_id} 参加「{record.training_name}」"
                             f"{'，考试合格' if ok else ('，考试不合格' if exam else '')}",
                     data={"person": record.person_id, "organization": org.code, "start_date": start,
                           "end_date": end, "exam_date": exam, "exam_score": score, "passed": ok})
    return record


def certificate_issue(*, user, person_id: int, organization, number: str, issued_date, issuer: str,
                      valid_until=None, training_id: int | None = None, note: str = "",
                      today: dt.date | None = None) -> SecretaryCertificate:
    """Issue a 《党支部书记任职资格证书》 numbered ``number`` to person ``person_id``, anchored at
    ``organization`` (instance or 组织代码), issued on ``issued_date`` by ``issuer``, valid until
    ``valid_until`` (default: ``valid_years`` after the issue date). ``training_id``: the passed exam it is
    issued on (default: the latest one within the window).

    Requires ``party.add`` on the organization (else ``OutOfScope``). Raises ``ValidationFailed`` (nothing
    written) when: the number is missing or already used; 发证日期 missing or in the future; 有效期至 not after
    发证日期; 发证机关 missing; the person is not a member in the user's scope on the issue date; no passed exam
    of the person within ``exam_years`` before the issue date (the rule of the module docstring); the person
    already holds a certificate valid on the issue date (renew it instead: ``certificate_renew``). Audited
    (change log + ``secretary_certificate_issue``)."""
    today = today or timezone.localdate()
    rules = certification_rules()
    problems: list[Problem] = []
    with transaction.atomic():
        org = _organization(user, organization)
        number, issued, until, issuer = _certificate_fields(number, issued_date, valid_until, issuer, problems, today, rules)
        _member_on(user, person_id, issued, problems, "任职资格证书")
        basis = None
        if issued is not None and not any(p.field == "人员" for p in problems):
            pid = int(person_id)
            basis, reason = _exam_basis(user, pid, issued, rules, training_id=training_id)
            if basis is None:
                problems.append(Problem("培训考试", reason))
            held = (SecretaryCertificate.objects.select_for_update().filter(person_id=pid).filter(valid_on(issued))
                    .order_by("-valid_until").first())
            if held is not None:
                problems.append(Problem("人员", f"该人员在 {issued.isoformat()} 已持有有效的任职资格证书"
                                               f"（有效期至 {held.valid_until.isoformat()}），请办理换证"))
        raise_problems(problems)
        certificate = SecretaryCertificate(person_id=int(person_id), organization=org, number=number, issued_date=issued,
                                           valid_until=until, issuer=issuer, training=basis,
                                           note=str(note or "").strip()[:500])
        _save_certificate(certificate)
        record_event("secretary_certificate_issue", user=user, object_type="branches.secretarycertificate",
                     object_id=certificate.pk,
                     summary=f"向人员 #{certificate.person_id} 颁发党支部书记任职资格证书 {number}（有效期至 {until.isoformat()}）",
                     data={"person": certificate.person_id, "organization": org.code, "number": number,
                           "issued_date": issued, "valid_until": until, "training": basis.pk})
    return certificate


def _locked_certificate(user, certificate_id, action: str) -> SecretaryCertificate:
    certificate = (SecretaryCertificate.objects.restrict(user, action).select_for_update(of=("self",))
                   .filter(pk=certificate_id).first())
    if certificate is None:
        raise OutOfScope(NOT_FOUND_CERTIFICATE)
    return certificate


def certificate_revoke(*, user, certificate_id: int, revoked_date, reason: str, expected_version: int | None = None,
                       today: dt.date | None = None) -> SecretaryCertificate:
    """Revoke certificate ``certificate_id`` on ``revoked_date`` (from that day it is no longer valid) for
    ``reason`` (撤销原因). Requires ``party.change`` on its organization (else ``OutOfScope``); a stale
    ``expected_version`` → ``ConcurrentEdit``. ``ValidationFailed`` (nothing written) when it is already
    revoked, the date is missing, in the future or before the issue date, or the reason is empty. Audited
    (change log + ``secretary_certificate_revoke``)."""
    today = today or timezone.localdate()
    with transaction.atomic():
        certificate = _locked_certificate(user, certificate_id, "change")
        if expected_version not in (None, "") and int(expected_version) != certificate.version:
            raise ConcurrentEdit(record=certificate)
        problems: list[Problem] = []
        if certificate.revoked_date is not None:
            problems.append(Problem("撤销日期", f"该证书已于 {certificate.revoked_date.isoformat()} 撤销"))
        day = parse_day(revoked_date, "撤销日期", problems, required=True, today=today)
        if day is not None and day < certificate.issued_date:
            problems.append(Problem("撤销日期", f"撤销日期 {day.isoformat()} 早于发证日期 {certificate.issued_date.isoformat()}"))
        text = str(reason or "").strip()
        if not text:
            problems.append(Problem("撤销原因", "必填项为空"))
        raise_problems(problems)
        certificate.revoked_date, certificate.revoked_reason = day, text[:500]
        save_with_version(certificate, certificate.version, ["revoked_date", "revoked_reason"])
        record_event("secretary_certificate_revoke", user=user, object_type="branches.secretarycertificate",
                     object_id=certificate.pk, summary=f"撤销党支部书记任职资格证书 {certificate.number}（{day.isoformat()}）",
                     data={"number": certificate.number, "revoked_date": day, "reason": text})
    return certificate


def certificate_renew(*, user, certificate_id: int, number: str, issued_date, issuer: str, valid_until=None,
                      training_id: int | None = None, note: str = "", today: dt.date | None = None) -> SecretaryCertificate:
    """换证: issue a new certificate ``number`` to the holder of certificate ``certificate_id`` (same person
    and organization, ``renews`` = the old one), on a passed exam taken after the old certificate was issued
    and within ``exam_years`` before the new issue date. The old certificate keeps its record.

    Requires ``party.change`` on the old certificate's organization (else ``OutOfScope``).
    ``ValidationFailed`` (nothing written) when the old certificate was revoked or already renewed, the new
    issue date is not after the old one, and for every check of ``certificate_issue`` (number, dates,
    issuer, membership, exam). Audited (change log + ``secretary_certificate_renew``). Returns the new one."""
    today = today or timezone.localdate()
    rules = certification_rules()
    with transaction.atomic():
        old = _locked_certificate(user, certificate_id, "change")
        problems: list[Problem] = []
        if old.revoked_date is not None:
            problems.append(Problem("原证书", f"原证书 {old.number} 已于 {old.revoked_date.isoformat()} 撤销，不能换证，"
                                             "请重新颁发"))
        if SecretaryCertificate.objects.filter(renews=old).exists():
            problems.append(Problem("原证书", f"原证书 {old.number} 已换发过新证书"))
        number, issued, until, issuer = _certificate_fields(number, issued_date, valid_until, issuer, problems, today, rules)
        if issued is not None and issued <= old.issued_date:
            problems.append(Problem("发证日期", f"新证发证日期 {issued.isoformat()} 不晚于原证书发证日期 "
                                             f"{old.issued_date.isoformat()}"))
        _member_on(user, old.person_id, issued, problems, "任职资格证书")
        basis = None
        if issued is not None and issued > old.issued_date:
            basis, reason = _exam_basis(user, old.person_id, issued, rules, training_id=training_id, after=old.issued_date)
            if basis is None:
                problems.append(Problem("培训考试", reason))
        raise_problems(problems)
        new = SecretaryCertificate(person_id=old.person_id, organization_id=old.organization_id, number=number,
                                   issued_date=issued, valid_until=until, issuer=issuer, training=basis, renews=old,
                                   note=str(note or "").strip()[:500])
        _save_certificate(new)
        record_event("secretary_certificate_renew", user=user, object_type="branches.secretarycertificate",
                     object_id=new.pk, summary=f"党支部书记任职资格证书 {old.number} 换发为 {number}（有效期至 {until.isoformat()}）",
                     data={"old": old.number, "number": number, "issued_date": issued, "valid_until": until,
                           "training": basis.pk})
    return new


# ----- export ------------------------------------------------------------------------------------------

EXPORT_HEADERS = ("组织代码", "党组织", "书记", "任职日期", "持证情况", "证书编号", "有效期至", "书记空缺自")


def certification_xlsx(*, user, organization: PartyOrganization, on: dt.date) -> tuple[bytes, str]:
    """The 书记持证上岗 list of ``organization``'s subtree on ``on`` as xlsx: a summary sheet (counts and
    rate) and one row per branch (``EXPORT_HEADERS``). Requires ``party.export`` on the organization
    (``PermissionDeniedError``); ``OutOfScope`` outside the view scope. Audited (``export`` event).
    Returns ``(bytes, filename)``."""
    import openpyxl

    org = _checked(user, organization)
    if not can(user, "party", "export", org):
        raise PermissionDeniedError("您没有导出该组织数据的权限。")
    summary = certified_rate(user=user, organization=org, on=on)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "书记持证情况"
    sheet.append(list(EXPORT_HEADERS))
    rows = list(secretary_rows(user=user, organization=org, on=on))
    for row in rows:
        sheet.append([row.code, row.name, row.secretary_name or "", row.secretary_since, row_state(row, on),
                      row.certificate_number or "", row.valid_until, row.vacant_since if row.secretary_id is None else None])
    for col, width in zip("ABCDEFGH", (16, 30, 10, 12, 10, 18, 12, 12), strict=True):
        sheet.column_dimensions[col].width = width
    total = book.create_sheet("汇总")
    for label, key in (("支部数", "branches"), ("有书记的支部", "with_secretary"), ("书记空缺", "vacant"),
                       ("书记持有效证书", "certified"), ("未持有效证书", "uncertified"), ("90天内到期", "expiring"),
                       ("已过期未换证", "expired"), ("持证上岗率(%)", "rate_percent")):
        total.append([label, summary[key]])
    total.append(["统计日期", on])
    buffer = io.BytesIO()
    book.save(buffer)
    record_event("export", user=user, object_type="orgs.partyorganization", object_id=org.pk,
                 summary=f"导出书记持证上岗情况（{org.name}，{on.isoformat()}，{len(rows)} 个支部）",
                 data={"organization": org.code, "on": on, "rows": len(rows)})
    return buffer.getvalue(), f"书记持证上岗_{org.code}_{on.isoformat()}.xlsx"


# ----- to-dos ------------------------------------------------------------------------------------------


def certification_due(user, today: dt.date | None = None) -> list[TodoItem]:
    """To-dos of certificates expiring within ``EXPIRING_DAYS`` or expired while the holder is still
    secretary, over the branches of ``user``'s ``party.view`` scope. A user whose grants are all on
    branches (the 支部书记) gets one item per branch; anyone holding a grant above branch level (an
    organization department, a township committee) one summary item with the counts. 2 queries."""
    today = today or timezone.localdate()
    nodes = user_scope(user, "party", "view")
    if not nodes:
        return []
    f = state_filters(today)
    rows = (_annotate(_branches(user=user, organization=None, on=today), today)
            .filter(f["expiring"] | f["expired"]).order_by("path"))
    ids = {n.org_id for n in nodes}
    branch_level = PartyOrganization.objects.filter(pk__in=ids, org_type__in=ORG_TYPES_BRANCH).count() == len(ids)
    page = reverse("branches:certification")
    if branch_level:
        items = []
        for row in rows[:20]:
            url = f"{page}?{urlencode({'org': row.code, 'on': today.isoformat()})}"
            if row.valid_until is not None:
                items.append(TodoItem(text=f"{row.name}书记{row.secretary_name}的党支部书记任职资格证书"
                                           f"（{row.certificate_number}）将于 {row.valid_until.isoformat()} 到期，请及时参加培训考试换证",
                                      url=url, due=row.valid_until, severity="normal"))
            else:
                items.append(TodoItem(text=f"{row.name}书记{row.secretary_name}的党支部书记任职资格证书已于 "
                                           f"{row.last_until.isoformat()} 到期，书记仍在任，须培训考试合格后换证",
                                      url=url, due=row.last_until, severity="high"))
        return items
    counts = rows.order_by().aggregate(expiring=Count("pk", filter=f["expiring"]), expired=Count("pk", filter=f["expired"]))
    if not counts["expiring"] and not counts["expired"]:
        return []
    parts = []
    if counts["expired"]:
        parts.append(f"{counts['expired']} 名在任支部书记的任职资格证书已过期")
    if counts["expiring"]:
        parts.append(f"{counts['expiring']} 名支部书记的任职资格证书 {EXPIRING_DAYS} 天内到期")
    return [TodoItem(text="书记持证上岗：" + "，".join(parts), url=page,
                     due=today, severity="high" if counts["expired"] else "normal")]


# ----- registration ------------------------------------------------------------------------------------


def register_certification() -> None:
    """Register the certification part of the branches app (called from ``BranchesConfig.ready``): the nav
    entry 「书记持证上岗」 (``party.view``), the two API viewsets, the to-do provider and the declarations of
    the hand-written pages (the generic ones declare themselves)."""
    from zugong.core import registry

    registry.register_nav(section="基层党建", label="书记持证上岗", url_name="branches:certification", order=270,
                          permission="party.view", app="branches")
    registry.register_api_viewset(prefix="training-records", viewset="zugong.branches.api.certification.TrainingRecordViewSet",
                                  basename="training-record")
    registry.register_api_viewset(prefix="secretary-certificates",
                                  viewset="zugong.branches.api.certification.SecretaryCertificateViewSet",
                                  basename="secretary-certificate")
    registry.register_api_path(route="stats/certification/", view="zugong.branches.api.certification.CertifiedRateView",
                               name="certification-stats")
    registry.register_todo_provider(name="branches.certification_due",
                                    provider="zugong.branches.certification.certification_due", permission="party.view")
    org = "orgs.PartyOrganization"
    registry.register_view(url_name="api:certification-stats", kind="detail", model=org, action="view",
                           object_param="org", api=True)
