"""Scoped reads of the 发展党员 pipeline (issue #11). Every function takes ``user`` and reads through
``restrict(user, action)`` on the ``party`` label: a record outside the scope does not exist.

- ``record_list`` / ``record_get``: development records (person and organization joined, steps and
  participants prefetched);
- ``pipeline(*, user, organization, stage, due, today)``: a subtree's records with the SQL annotations of
  their deadlines (``due_filter``), for the list page and the API;
- ``row_status(record, today)``: per record (Python over its prefetched steps: a page of rows) the stage, the
  legal next steps, the next due date and whether it is overdue or due within 30 days;
- ``overdue_counts`` / ``stage_figures``: SQL group-bys over the scoped subtree (to-dos, statistics).

Deadlines (``DEADLINES``), each with its article of 《中国共产党发展党员工作细则》:

- ``talk``: no talk (2) one month after the application (第七条);
- ``assessment``: an 入党积极分子 (3 done, 7 not) whose last half-yearly assessment (6) — or the activist
  decision — is more than six months old (第十二条; a list, not a blocker);
- ``approval``: a vote (15) without the approval (17) after three months (第二十七条);
- ``probation``: a 预备党员 whose year of probation has ended with no 转正 vote (23) (《党章》第七条;
  an extended probation is followed on the person's page, not in this list).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from zugong.core.dates import add_years
from zugong.development import rules
from zugong.development.models import DevelopmentParticipant, DevelopmentStep
from zugong.development.services import legal_next_steps, probation_end
from zugong.party.lifecycle import add_months
from zugong.party.models import DevelopmentRecord, Membership, MembershipEvent
from zugong.party.rules import member_category_q
from zugong.people import search
from zugong.people.models import Person

DUE_SOON_DAYS = 30

DEADLINES = {
    "talk": ("入党申请后一个月内未谈话", "第七条"),
    "assessment": ("入党积极分子半年未考察", "第十二条"),
    "approval": ("支部大会通过后三个月未审批", "第二十七条"),
    "probation": ("预备期已满未讨论转正", "第三十二条"),
}

STAGE_FILTERS = {
    "applicant": "入党申请人",
    "activist": "入党积极分子",
    "candidate": "发展对象",
    "probationary": "预备党员",
    "done": "已转正",
    "closed": "已终止",
}


def record_list(*, user, action: str = "view") -> QuerySet[DevelopmentRecord]:
    """Development records in ``user``'s ``party.<action>`` scope (through the 培养党组织), with person and
    organization joined, steps and participants prefetched, newest application first."""
    return (DevelopmentRecord.objects.restrict(user, action).select_related("person", "organization")
            .defer("person__id_number_encrypted", "person__phone_encrypted")
            .prefetch_related("steps", "participants__person")
            .order_by("-application_date", "-pk"))


def record_get(*, user, pk: int, action: str = "view") -> DevelopmentRecord | None:
    """The record ``pk`` if in ``user``'s ``party.<action>`` scope, else ``None``; annotated with
    ``is_probationary`` today (``annotate_membership``, read by ``row_status``)."""
    return annotate_membership(record_list(user=user, action=action), user=user, today=timezone.localdate(),
                               action=action).filter(pk=pk).first()


def person_for_start(*, user, pk: int, action: str = "add") -> Person | None:
    """Person ``pk`` if visible to ``user`` (the page that starts a pipeline for them), else ``None``."""
    return Person.objects.restrict(user, "view").filter(pk=pk).first() if pk else None


def start_candidates(*, user, q: str, limit: int = 20) -> list[Person]:
    """People in ``user``'s scope found by ``q`` (``people.search.search_q``: the name contains it, or a full
    ID / mobile number within the user's change/unmask scope) who are neither members (open membership)
    nor in an open pipeline: whom a pipeline may be started for. Best name matches first
    (``people.search.name_rank``), then by name. At most ``limit``; ``[]`` for blank ``q``."""
    q = (q or "").strip()
    if not q:
        return []
    members = Membership.objects.filter(end_date__isnull=True).values("person_id")
    open_records = DevelopmentRecord.objects.filter(admission_date__isnull=True, closed_date__isnull=True).values("person_id")
    return list(Person.objects.restrict(user, "view").filter(search.search_q(q, user=user)).exclude(pk__in=members)
                .exclude(pk__in=open_records).select_related("organization")
                .order_by(search.name_rank(q), "name", "pk")[:limit])


# ----- deadlines in SQL ------------------------------------------------------------------------------------

def _has(step: int):
    return Exists(DevelopmentStep.objects.filter(record=OuterRef("pk"), step=step))


def _date_of(step: int):
    return Subquery(DevelopmentStep.objects.filter(record=OuterRef("pk"), step=step).order_by("-date", "-pk")
                    .values("date")[:1])


def probationary_in_scope(*, user, today: dt.date, action: str = "view") -> Exists:
    """SQL condition on a development record (``OuterRef("person_id")``): its person is a 预备党员 on ``today``
    (``party.rules.member_category_q``, 《中国共产党章程》第七条) with a ``Membership`` in force on ``today`` at
    an organization in ``user``'s ``party.<action>`` scope. False for one who left during the 预备期
    (转出组织关系, 取消预备党员资格 / 出党, 死亡 …): the pipeline ended with the membership."""
    return Exists(Membership.objects.restrict(user, action).on(today)
                  .filter(member_category_q("probationary", on=today, prefix="person__party_member__"),
                          person_id=OuterRef("person_id")))


def annotate_membership(qs: QuerySet, *, user, today: dt.date, action: str = "view") -> QuerySet:
    """``qs`` (development records) with ``is_probationary`` (``probationary_in_scope`` on ``today``)."""
    return qs.annotate(is_probationary=probationary_in_scope(user=user, today=today, action=action))


def annotate_deadlines(qs: QuerySet, today: dt.date, *, user=None, action: str = "view") -> QuerySet:
    """``qs`` (development records) with what ``due_filter`` reads: whether steps 2, 15, 17, 23 are
    recorded, a 延长预备期, the vote date, the last assessment and — with ``user`` — ``is_probationary``
    (``annotate_membership``: a 预备党员 in ``user``'s scope on ``today``; the ``probation`` deadline and the
    ``probationary`` / ``closed`` stages need it)."""
    if user is not None:
        qs = annotate_membership(qs, user=user, today=today, action=action)
    last_assessment = Subquery(DevelopmentStep.objects.filter(record=OuterRef("pk"), step=6).order_by()
                               .values("record").annotate(m=Max("date")).values("m")[:1])
    extended = Exists(DevelopmentStep.objects.filter(record=OuterRef("pk"), step=24, outcome="extended"))
    return qs.annotate(
        has_talk=_has(2), has_vote=_has(15), has_approval=_has(17), has_full_vote=_has(23), is_extended=extended,
        vote_date=_date_of(15), last_assessment=last_assessment,
    )


def due_filter(kind: str, *, today: dt.date, within: int = 0) -> Q:
    """Condition on ``annotate_deadlines`` rows: the obligation ``kind`` (a key of ``DEADLINES``) is overdue on
    ``today`` (``within=0``) or falls due within ``within`` days (not yet overdue)."""
    def window(field_cut_overdue: dt.date, field_cut_soon: dt.date, expr: str) -> Q:
        if within:
            return Q(**{f"{expr}__gte": field_cut_overdue, f"{expr}__lte": field_cut_soon})
        return Q(**{f"{expr}__lt": field_cut_overdue})

    open_ = Q(closed_date__isnull=True)
    soon = today + dt.timedelta(days=within)
    if kind == "talk":  # deadline = application + 1 month
        return open_ & Q(admission_date__isnull=True, has_talk=False) & window(
            add_months(today, -1), add_months(soon, -1), "application_date")
    if kind == "assessment":  # deadline = last assessment (or activist date) + 6 months
        cond = open_ & Q(activist_date__isnull=False, candidate_date__isnull=True, admission_date__isnull=True)
        last = Q(last_assessment__isnull=True) & window(add_months(today, -6), add_months(soon, -6), "activist_date")
        last |= Q(last_assessment__isnull=False) & window(add_months(today, -6), add_months(soon, -6), "last_assessment")
        return cond & last
    if kind == "approval":  # deadline = vote + 3 months
        return open_ & Q(has_vote=True, has_approval=False) & window(add_months(today, -3), add_months(soon, -3),
                                                                      "vote_date")
    if kind == "probation":  # deadline = admission + 1 year
        return open_ & Q(admission_date__isnull=False, has_full_vote=False, is_extended=False,
                         is_probationary=True) & window(
            add_years(today, -1), add_years(soon, -1), "admission_date")
    raise ValueError(kind)


def any_due(*, today: dt.date, within: int = 0) -> Q:
    """Any obligation overdue (``within=0``) or due within ``within`` days."""
    q = Q(pk__in=[])
    for kind in DEADLINES:
        q |= due_filter(kind, today=today, within=within)
    return q


def stage_q(stage: str) -> Q:
    """Condition of a ``STAGE_FILTERS`` stage on the record's dates (SQL), on rows annotated with
    ``is_probationary`` (``annotate_membership``): 预备党员 are the admitted still probationary members in
    scope; 已终止 the records closed before admission and those whose person left during the 预备期
    (closed, or no longer a 预备党员 in scope, not a full member)."""
    open_ = Q(closed_date__isnull=True, admission_date__isnull=True)
    done = Q(admission_date__isnull=False, person__party_member__full_membership_date__isnull=False)
    left = Q(admission_date__isnull=False) & ~done & (Q(closed_date__isnull=False) | Q(is_probationary=False))
    return {
        "applicant": open_ & Q(activist_date__isnull=True),
        "activist": open_ & Q(activist_date__isnull=False, candidate_date__isnull=True),
        "candidate": open_ & Q(candidate_date__isnull=False),
        "probationary": Q(admission_date__isnull=False, closed_date__isnull=True, is_probationary=True) & ~done,
        "done": done,
        "closed": Q(closed_date__isnull=False, admission_date__isnull=True) | left,
    }[stage]


def pipeline(*, user, organization=None, stage: str = "", due: str = "", today: dt.date | None = None,
             action: str = "view") -> QuerySet[DevelopmentRecord]:
    """The records of ``user``'s scope under ``organization`` (a ``PartyOrganization``, its subtree by path;
    ``None``: the whole scope), of ``stage`` (a ``STAGE_FILTERS`` key, "" = all) and ``due`` (``overdue`` /
    ``soon`` = within ``DUE_SOON_DAYS`` days, "" = all), deadlines annotated (``annotate_deadlines``)."""
    today = today or timezone.localdate()
    qs = annotate_deadlines(record_list(user=user, action=action), today, user=user, action=action)
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    if stage:
        qs = qs.filter(stage_q(stage))
    if due == "overdue":
        qs = qs.filter(any_due(today=today))
    elif due == "soon":
        qs = qs.filter(any_due(today=today, within=DUE_SOON_DAYS)).exclude(any_due(today=today))
    return qs


def overdue_counts(*, user, organization=None, today: dt.date | None = None, action: str = "view",
                   with_branches: bool = False) -> dict[str, int]:
    """``{kind: n}`` of overdue obligations (``DEADLINES``) in the scope (under ``organization``), and with
    ``with_branches`` ``"branches"``: how many organizations hold an overdue record. One query."""
    today = today or timezone.localdate()
    qs = annotate_deadlines(DevelopmentRecord.objects.restrict(user, action), today, user=user, action=action)
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    counts = {kind: Count("pk", filter=due_filter(kind, today=today)) for kind in DEADLINES}
    if with_branches:
        counts["branches"] = Count("organization", distinct=True, filter=any_due(today=today))
    return qs.aggregate(**counts)


def stage_counts(*, user, organization=None, action: str = "view", today: dt.date | None = None) -> dict[str, int]:
    """``{stage: n}`` over ``STAGE_FILTERS`` (入党申请人 … 已终止) of the records in ``user``'s scope under
    ``organization`` (its subtree; ``None``: the whole scope), 预备党员 as of ``today`` (default: today).
    One query (SQL group-by with filters)."""
    today = today or timezone.localdate()
    qs = annotate_membership(DevelopmentRecord.objects.restrict(user, action), user=user, today=today, action=action)
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    return qs.aggregate(**{stage: Count("pk", filter=stage_q(stage)) for stage in STAGE_FILTERS})


# ----- per row (a page of records, steps prefetched) -------------------------------------------------------

@dataclass
class RowStatus:
    """What the pipeline shows of one record: ``stage`` (1..5, 0 closed, 6 completed), ``stage_label``, the
    ``last`` step recorded, the legal ``next_steps`` (numbers), the next ``due`` obligation (label, date) and
    ``state``: ``overdue`` / ``soon`` / ``""``."""

    stage: int
    stage_label: str
    last: DevelopmentStep | None
    next_steps: list[int]
    due_label: str = ""
    due_date: dt.date | None = None
    state: str = ""

    @property
    def next_labels(self) -> list[str]:
        return [rules.STEPS[n].label for n in self.next_steps]


LEFT_LABEL = "已终止（预备期内离开）"


def row_status(record: DevelopmentRecord, today: dt.date | None = None) -> RowStatus:
    """The ``RowStatus`` of ``record`` on ``today`` from its prefetched ``steps`` (no query). A record closed
    (``closed_date``) is 已终止; an admitted one whose person is no longer a 预备党员 in scope (the
    ``is_probationary`` annotation of ``pipeline`` / ``record_get``; absent: assumed still one) is
    ``LEFT_LABEL``, stage 0, with no next step and no deadline."""
    today = today or timezone.localdate()
    steps = sorted(record.steps.all(), key=lambda s: (s.date, s.pk))
    nxt = legal_next_steps(record, steps)
    last = steps[-1] if steps else None
    if record.closed_date is not None:
        return RowStatus(0, "已终止", last, [])
    if not nxt:
        return RowStatus(6, "已转正", last, [])
    if record.admission_date is not None and getattr(record, "is_probationary", True) is False:
        return RowStatus(0, LEFT_LABEL, last, [])
    done = max([s.step for s in steps] + [1])
    stage = 5 if record.admission_date is not None else rules.STEPS[done].stage
    label = rules.STAGE_SHORT[stage]
    status = RowStatus(stage, label, last, nxt)
    due = _next_due(record, steps, nxt)
    if due is not None:
        status.due_label, status.due_date = due
        if status.due_date < today:
            status.state = "overdue"
        elif status.due_date <= today + dt.timedelta(days=DUE_SOON_DAYS):
            status.state = "soon"
    return status


def _next_due(record, steps, nxt) -> tuple[str, dt.date] | None:
    numbers = {s.step for s in steps}
    if 2 in nxt:
        return "谈话期限（第七条）", add_months(record.application_date, 1)
    if 6 in nxt and 3 in numbers:
        last = max([s.date for s in steps if s.step in (3, 6)])
        return "下次考察（第十二条）", add_months(last, 6)
    if 17 in nxt:
        vote = max(s.date for s in steps if s.step == 15)
        return "审批期限（第二十七条）", add_months(vote, 3)
    if 23 in nxt and record.admission_date is not None:
        return "预备期满（《党章》第七条）", probation_end(record, steps)
    return None


# ----- figures for the statistics page --------------------------------------------------------------------

def stage_figures(*, user, organization, date_from: dt.date, date_to: dt.date) -> dict:
    """Development figures of the subtree of ``organization`` in ``user``'s ``party.view`` scope, in SQL:

    ``{"applicants": n, "activists": n, "candidates": n}`` — records open at ``date_to`` in that stage
    (applied on or before ``date_to``; not admitted or closed on or before it; the stage by the latest stage
    date on or before ``date_to``: the 公报's 入党申请人 / 入党积极分子 and 年报 第十八–二十表 counting),
    ``"admitted"`` — 发展党员 events (kind ``admission``) dated in ``[date_from, date_to]`` at an
    organization of the subtree, ``"full_membership"`` — 转正 events with a full-member outcome dated in
    the period. Two queries."""
    records = DevelopmentRecord.objects.restrict(user, "view").filter(
        organization__path__startswith=organization.path, application_date__lte=date_to).exclude(
        admission_date__lte=date_to).exclude(closed_date__lte=date_to)
    candidate = Q(candidate_date__lte=date_to)
    activist = Q(activist_date__lte=date_to) & ~candidate
    applicant = ~Q(activist_date__lte=date_to) & ~candidate
    row = records.aggregate(applicants=Count("pk", filter=applicant), activists=Count("pk", filter=activist),
                            candidates=Count("pk", filter=candidate))
    events = (MembershipEvent.objects.restrict(user, "view")
              .filter(organization__path__startswith=organization.path, date__gte=date_from, date__lte=date_to)
              .aggregate(admitted=Count("pk", filter=Q(kind="admission")),
                         full_membership=Count("pk", filter=Q(kind="full_membership",
                                                              detail__in=("on_time", "after_extension",
                                                                          "after_postponement")))))
    return {**row, **events}


def participants_of(record: DevelopmentRecord) -> list[DevelopmentParticipant]:
    """The prefetched participants of ``record``, mentors first, by start date (no query)."""
    return sorted(record.participants.all(), key=lambda p: (p.role != "mentor", p.start_date, p.pk))


__all__ = ["record_list", "record_get", "pipeline", "row_status", "stage_figures", "overdue_counts",
           "start_candidates", "participants_of"]


def branches_for_start(*, user) -> list:
    """The branches (党支部, 联合党支部, 临时党支部) in ``user``'s ``party.add`` scope, active, in tree order:
    where a pipeline may be started."""
    from zugong.orgs.models import PartyOrganization

    return list(PartyOrganization.objects.restrict(user, "add", label="party")
                .filter(org_type__in=("branch", "joint_branch", "temporary_branch"), dissolved_date__isnull=True)
                .order_by("path"))


def full_members_of(*, user, organization, on: dt.date | None = None) -> list[Person]:
    """The 正式党员 of ``organization``'s subtree on ``on`` (default today) in ``user``'s ``party.view`` scope:
    whom the participant form offers as 培养联系人 / 入党介绍人."""
    on = on or timezone.localdate()
    ids = (Membership.objects.restrict(user, "view").on(on)
           .filter(member_category_q("full", on=on, prefix="person__party_member__"),
                   organization__path__startswith=organization.path).values("person_id"))
    return list(Person.objects.filter(pk__in=ids).order_by("name", "pk"))
