"""民主评议党员 results (``MemberEvaluation``): the service that records one and the scoped selectors.
The figures of 党内统计年报 第八表 are computed from these rows by ``reports.life_stats.table_8``.

- ``member_evaluation_record(*, user, person_id, organization_id, year, result, handling="", meeting_id=None,
  note="") -> MemberEvaluation``: keyword-only, atomic, audited (the change log of the new row and a
  ``member_evaluation_record`` event), typed errors (``OutOfScope``, ``ValidationFailed`` naming each field).

Rules (values: ``life.evaluation_validators``; records here):

- the organization must be in the user's ``party.change`` scope (else ``OutOfScope``: "does not exist");
- the person must be a party member of that organization during the year: a ``Membership`` of the
  organization overlapping ``[1 January, 31 December]`` of a person admitted (入党日期) by 31 December —
  民主评议 evaluates the branch's own members (《中国共产党支部工作条例（试行）》: 党支部一般每年开展1次民主评议党员);
- one result per member and year (constraint ``life_evaluation_one_per_person_year``);
- a meeting, when given, must be a 民主评议党员 meeting (``Meeting.meeting_type == "member_evaluation"``) of
  the same organization held in the 评议年度 or the following year (a year's evaluation is often held in
  January of the next one), in the user's scope.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from zugong.audit.services import record_event
from zugong.core.errors import OutOfScope, RowError, ValidationFailed
from zugong.life.choices import EVALUATION_HANDLING, EVALUATION_RESULT
from zugong.life.evaluation_validators import clean_handling, clean_result, clean_year
from zugong.life.models import Meeting, MemberEvaluation
from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership
from zugong.people.services import raise_problems
from zugong.people.validators import Problem

SOURCE_ONCE_A_YEAR = "《中国共产党支部工作条例（试行）》：党支部一般每年开展1次民主评议党员"


# ----- selectors ---------------------------------------------------------------------------------------


def member_evaluation_list(*, user, action: str = "view") -> QuerySet[MemberEvaluation]:
    """Results in ``user``'s ``party.<action>`` scope, with person and organization."""
    return MemberEvaluation.objects.restrict(user, action).select_related("person", "organization")


def member_evaluation_get(*, user, pk: int, action: str = "view") -> MemberEvaluation | None:
    """One result in scope, or ``None``."""
    return member_evaluation_list(user=user, action=action).filter(pk=pk).first()


# ----- service -----------------------------------------------------------------------------------------


def _member_in_year_q(organization_id: int, year: int) -> Q:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (Q(organization_id=organization_id, start_date__lte=end, person__party_member__admission_date__lte=end)
            & (Q(end_date__isnull=True) | Q(end_date__gt=start)))


def member_evaluation_record(*, user, person_id: int, organization_id: int, year, result, handling="",
                             meeting_id: int | None = None, note: str = "",
                             today: dt.date | None = None) -> MemberEvaluation:
    """Record member ``person_id``'s 民主评议党员 result of ``year`` (评议年度) at organization
    ``organization_id``. ``result``: code or name of ``EVALUATION_RESULT`` (优秀 / 合格 / 基本合格 / 不合格);
    ``handling``: code or name of ``EVALUATION_HANDLING`` (限期改正 / 劝退 / 劝而不退除名 / 自行脱党除名),
    required for 不合格 and blank otherwise; ``meeting_id``: the 民主评议党员 ``Meeting`` (optional).

    Raises ``OutOfScope`` when the organization is not in ``user``'s ``party.change`` scope, and
    ``ValidationFailed`` (every problem by field; nothing written) for the rules of the module docstring:
    a bad year, result or handling; a person who was not a member of the organization in that year
    (「党员」); a second result of the same member and year (「评议年度」); a meeting of another type,
    organization or year (「民主评议党员会议」). Audited. Returns the new row."""
    today = today or timezone.localdate()
    problems: list[Problem] = []
    year_value = clean_year(year, problems, today=today)
    result_code = clean_result(result, problems)
    handling_code = clean_handling(handling, result_code, problems)
    with transaction.atomic():
        organization = PartyOrganization.objects.restrict(user, "change").filter(pk=organization_id).first()
        if organization is None:
            raise OutOfScope("该党组织不存在或不在您的数据范围内。")
        if year_value is not None:
            if not Membership.objects.filter(_member_in_year_q(organization.pk, year_value),
                                             person_id=person_id).exists():
                problems.append(Problem("党员", f"该人员在 {year_value} 年不是{organization.name}的党员（该年度内没有"
                                                f"在该组织的组织关系），不能登记其民主评议结果", SOURCE_ONCE_A_YEAR))
            elif MemberEvaluation.objects.select_for_update().filter(person_id=person_id, year=year_value).exists():
                problems.append(Problem("评议年度", f"该党员 {year_value} 年度的民主评议结果已经登记，每名党员每年评议一次",
                                        SOURCE_ONCE_A_YEAR))
        meeting = None
        if meeting_id not in (None, ""):
            meeting = Meeting.objects.restrict(user, "view").filter(pk=meeting_id).first()
            if meeting is None:
                problems.append(Problem("民主评议党员会议", "会议不存在或不在您的数据范围内"))
            elif meeting.meeting_type != "member_evaluation":
                problems.append(Problem("民主评议党员会议", "所选会议不是民主评议党员会议"))
            elif meeting.organization_id != organization.pk:
                problems.append(Problem("民主评议党员会议", "所选会议不是该党组织召开的"))
            elif year_value is not None and meeting.date.year not in (year_value, year_value + 1):
                problems.append(Problem("民主评议党员会议", f"会议日期 {meeting.date.isoformat()} 不在 {year_value} 年度"
                                                           f"或其次年，与评议年度不符"))
        raise_problems(problems)
        evaluation = MemberEvaluation(person_id=person_id, organization=organization, year=year_value,
                                      meeting=meeting, result=result_code, handling=handling_code,
                                      note=str(note or "").strip()[:500])
        try:
            with transaction.atomic():
                evaluation.save()
        except IntegrityError:  # a concurrent record of the same member and year
            raise_problems([Problem("评议年度", f"该党员 {year_value} 年度的民主评议结果已经登记，每名党员每年评议一次")])
        label = EVALUATION_RESULT.label(result_code)
        if handling_code:
            label += f"（{EVALUATION_HANDLING.label(handling_code)}）"
        record_event("member_evaluation_record", user=user, object_type="life.memberevaluation",
                     object_id=evaluation.pk,
                     summary=f"人员 #{person_id} {year_value}年度民主评议结果：{label}",
                     data={"person": person_id, "organization": organization.code, "year": year_value,
                           "result": result_code, "handling": handling_code,
                           "meeting": meeting.pk if meeting else None})
    return evaluation


def member_evaluations_recorded(*, user, year: int, person_ids) -> dict[int, MemberEvaluation]:
    """``person_id → MemberEvaluation`` of ``year`` (评议年度) among ``person_ids``, in ``user``'s
    ``party.view`` scope (the results an entry page shows as already recorded)."""
    rows = member_evaluation_list(user=user).filter(year=year, person_id__in=list(person_ids))
    return {e.person_id: e for e in rows}


def member_evaluation_record_all(*, user, organization_id: int, year, rows, meeting_id: int | None = None,
                                 today: dt.date | None = None) -> list[MemberEvaluation]:
    """Record the results of one 民主评议党员 (the entry page): ``rows`` = ``[(person_id, name, result,
    handling)]`` (``name`` only names the row in errors), each through ``member_evaluation_record`` with
    the same ``organization_id``, ``year`` and ``meeting_id``, all in ONE transaction.

    All-or-nothing: when any row is refused, nothing is written and ``ValidationFailed`` lists every
    problem with the member's name as the field (「张伟」：…). ``OutOfScope`` as
    ``member_evaluation_record``; ``ValidationFailed`` also when ``rows`` is empty. Returns the new rows (in
    the order of ``rows``)."""
    if not rows:
        raise ValidationFailed([RowError(0, "党员", "没有待登记评议结果的党员")], message="没有待登记评议结果的党员。")
    errors: list[RowError] = []
    created: list[MemberEvaluation] = []
    with transaction.atomic():
        for person_id, name, result, handling in rows:
            try:
                created.append(member_evaluation_record(user=user, person_id=person_id, organization_id=organization_id,
                                                        year=year, result=result, handling=handling,
                                                        meeting_id=meeting_id, today=today))
            except ValidationFailed as exc:
                errors.extend(RowError(0, name, (f"{e.column}：{e.reason}" if e.column else e.reason))
                              for e in exc.errors)
        if errors:
            raise ValidationFailed(errors, message=f"共 {len(errors)} 处错误，未登记任何评议结果。")
    return created
