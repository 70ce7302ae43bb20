"""党组织届次 (``OrganizationTerm``, issue #10): the term of an organization's committee or secretary —
换届日期 (``election_date``), 本届任期开始 (``start_date``), 届满日期 (``end_date``) — for 党内统计年报
第二十四表 (任届期满, 报告期内换届). Rule, checks, services and scoped selectors; the pages
(``orgs.term_views``), the API (``orgs.api.terms``) and the 党组织 importer (本届任期开始 / 届满日期 / 换届日期
columns) call them.

Rule (``TERM_RULE``, ``core.rules``): a term lasts 3 years, 5 for the organizations of villages and
communities, and 5 for a basic committee (党的基层委员会): 《中国共产党支部工作条例（试行）》第六章 (村、社区党支部
委员会每届任期5年，其他基层单位党支部委员会一般每届任期3年) and 《中国共产党基层组织选举工作条例》(党的基层委员会
每届任期一般为5年，总支部委员会、支部委员会一般为3年，村和社区党组织为5年). It gives the default 届满日期; a
届满日期 entered by hand may differ (a committee elected for 3 years, a term postponed with approval) but not
by more than the longest term plus the one year a postponement allows (延期一般不超过1年).

Checks (``check_term``; every refusal names its field): 换届日期 (or 本届任期开始) required, not in the future,
not before the organization was founded nor after it was dissolved; 本届任期开始 defaults to 换届日期 and
is not before it; 届满日期 after 本届任期开始; the organization holds elections (党委, 党总支, 党支部, 联合党支部 —
not 党工委, 党组, 临时党支部 or 党小组, whose leaders are appointed by the organization that set them up);
one term per organization and start (``orgs_term_unique_start``). The term in force on day D is the
latest with ``start_date <= D`` (``term_in_force``): an early 换届 simply starts the next term.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from zugong.audit.services import record_event
from zugong.core.concurrency import save_with_version
from zugong.core.dates import DateParseError, add_years, parse_date
from zugong.core.errors import ConcurrentEdit, FieldProblem, OutOfScope, RowError, ValidationFailed
from zugong.core.rules import Rule, register, rule
from zugong.core.scoping import can
from zugong.orgs.models import OrganizationTerm, PartyOrganization

ELECTION, START, END = "换届日期", "本届任期开始", "届满日期"
FIELD_NAMES = {"election_date": ELECTION, "start_date": START, "end_date": END}
TERM_RULE = "orgs.term_years"
REGULATION = "《中国共产党支部工作条例（试行）》第六章、《中国共产党基层组织选举工作条例》"
ELECTED_TYPES = ("committee", "general_branch", "branch", "joint_branch")
"""Organization types whose committee or secretary is elected for a term."""
POSTPONE_YEARS = 1
"""How long a term may be postponed with the higher organization's approval (延期一般不超过1年)."""


@dataclass(frozen=True)
class TermYears:
    """Term lengths in years: ``committee`` (党的基层委员会), ``other`` (总支部委员会、支部委员会),
    ``village_community`` (村、社区党组织, whatever their type)."""

    committee: int = 5
    other: int = 3
    village_community: int = 5

    @property
    def longest(self) -> int:
        return max(self.committee, self.other, self.village_community)


register(Rule(
    key=TERM_RULE,
    name="党的基层组织每届任期",
    value=TermYears(),
    definition="党的基层委员会每届任期5年，总支部委员会、支部委员会每届任期3年，村和社区党组织每届任期5年；"
               "任期届满应按期换届，延期或提前换届须经上级党组织批准，延期一般不超过1年",
    regulation="《中国共产党支部工作条例（试行）》",
    article="第六章；《中国共产党基层组织选举工作条例》",
    note="默认届满日期 = 本届任期开始 + 每届任期年数；党委也可依《中国共产党章程》在三年至五年内确定任期，手工填写届满日期即可。",
))


def term_years(*, on: dt.date | None = None) -> TermYears:
    """The term lengths in force on ``on`` (``TERM_RULE``)."""
    return rule(TERM_RULE, on).value


def is_village_or_community(organization: PartyOrganization) -> bool:
    """Whether ``organization`` is a village's or a community's (its own 单位属性, or its unit's)."""
    categories = {organization.unit_category}
    unit = organization.unit if organization.unit_id else None
    if unit is not None:
        categories.add(unit.unit_category)
    return bool(categories & {"village", "community"})


def default_years(organization: PartyOrganization, *, on: dt.date | None = None) -> int:
    """Years of a term of ``organization`` by ``TERM_RULE``: 5 for a village or community, 5 for a 党委,
    else 3."""
    years = term_years(on=on)
    if is_village_or_community(organization):
        return years.village_community
    return years.committee if organization.org_type == "committee" else years.other


def default_end(organization: PartyOrganization, start: dt.date) -> dt.date:
    """The default 届满日期 of a term of ``organization`` starting on ``start``."""
    return add_years(start, default_years(organization, on=start))


# ----- pure checks -------------------------------------------------------------------------------------


def _day(value, field: str, problems: list[FieldProblem]) -> dt.date | None:
    try:
        day, _ = parse_date(value)
    except DateParseError as exc:
        problems.append(FieldProblem(field, str(exc)))
        return None
    return day


def check_term(organization: PartyOrganization, *, election_date, start_date=None, end_date=None,
               today: dt.date) -> tuple[list[FieldProblem], tuple[dt.date | None, dt.date | None, dt.date | None]]:
    """Check a term of ``organization`` (values as ``dt.date`` or text; blanks take their defaults: 本届任期开始
    = 换届日期, 换届日期 = 本届任期开始, 届满日期 = ``default_end``). Returns ``(problems, (election, start,
    end))``; see the module docstring for the rules. No database access (``organization.unit`` is read
    when linked: select it with the organization)."""
    problems: list[FieldProblem] = []
    election = _day(election_date, ELECTION, problems) if election_date not in (None, "") else None
    start = _day(start_date, START, problems) if start_date not in (None, "") else None
    end = _day(end_date, END, problems) if end_date not in (None, "") else None
    if problems:
        return problems, (None, None, None)
    if organization.org_type not in ELECTED_TYPES:
        problems.append(FieldProblem(ELECTION, f"「{organization.name}」是{organization.org_type_label}，不实行任期制"
                                               "（其书记、委员由批准成立的党组织任命），不登记届次", REGULATION))
        return problems, (None, None, None)
    if election is None and start is None:
        problems.append(FieldProblem(ELECTION, "必填项为空（换届日期或本届任期开始至少填写一项）"))
        return problems, (None, None, None)
    election = election or start
    start = start or election
    if election > today:
        problems.append(FieldProblem(ELECTION, f"换届日期 {election.isoformat()} 晚于今天"))
    if start < election:
        problems.append(FieldProblem(START, f"本届任期开始 {start.isoformat()} 早于换届日期 {election.isoformat()}"))
    if organization.founded_date and election < organization.founded_date:
        problems.append(FieldProblem(ELECTION, f"换届日期 {election.isoformat()} 早于该组织的成立日期 "
                                               f"{organization.founded_date.isoformat()}"))
    if organization.dissolved_date and election >= organization.dissolved_date:
        problems.append(FieldProblem(ELECTION, f"换届日期 {election.isoformat()} 不早于该组织的撤销日期 "
                                               f"{organization.dissolved_date.isoformat()}"))
    if end is None:
        end = default_end(organization, start)
    elif end <= start:
        problems.append(FieldProblem(END, f"届满日期 {end.isoformat()} 应晚于本届任期开始 {start.isoformat()}"))
    else:
        limit = add_years(start, term_years(on=start).longest + POSTPONE_YEARS)
        if end > limit:
            problems.append(FieldProblem(END, f"届满日期 {end.isoformat()} 距本届任期开始超过 "
                                              f"{term_years(on=start).longest + POSTPONE_YEARS} 年（每届任期最长5年，"
                                              f"延期一般不超过1年）", REGULATION))
    return problems, (election, start, end)


def _raise(problems: list[FieldProblem], row: int = 0) -> None:
    if problems:
        raise ValidationFailed([RowError(row, p.field, p.reason) for p in problems],
                               message="；".join(f"「{p.field}」：{p.reason}" for p in problems))


# ----- selectors ---------------------------------------------------------------------------------------


def term_list(*, user, action: str = "view") -> QuerySet[OrganizationTerm]:
    """Every term in ``user``'s ``party.<action>`` scope (through its organization), newest first."""
    return (OrganizationTerm.objects.restrict(user, action).select_related("organization")
            .order_by("organization__path", "-start_date", "-pk"))


def term_get(*, user, pk: int, action: str = "view") -> OrganizationTerm | None:
    """The term ``pk`` if in ``user``'s ``party.<action>`` scope, else ``None``."""
    return term_list(user=user, action=action).filter(pk=pk).first()


def organization_terms(*, user, organization: PartyOrganization, action: str = "view") -> list[OrganizationTerm]:
    """The terms of ``organization`` (which the caller has fetched in scope), newest first; one query."""
    return list(term_list(user=user, action=action).filter(organization=organization).order_by("-start_date", "-pk"))


def term_in_force(terms: list[OrganizationTerm], day: dt.date) -> OrganizationTerm | None:
    """The term in force on ``day`` among ``terms`` of one organization: the latest with ``start_date <=
    day`` (``None`` before the first)."""
    started = [t for t in terms if t.start_date <= day]
    return max(started, key=lambda t: (t.start_date, t.pk)) if started else None


def term_state(terms: list[OrganizationTerm], day: dt.date) -> dict:
    """What the organization page shows of the terms on ``day``: ``{"current": term | None, "expired":
    bool (任届期满: the term in force has reached its 届满日期), "days_left": days to the 届满日期 (0 when
    expired), "days_overdue": days since it (0 when not expired)}``."""
    current = term_in_force(terms, day)
    if current is None:
        return {"current": None, "expired": False, "days_left": None, "days_overdue": None}
    left = (current.end_date - day).days
    return {"current": current, "expired": left <= 0, "days_left": max(left, 0), "days_overdue": max(-left, 0)}


# ----- services ----------------------------------------------------------------------------------------


def _organization(user, organization_id: int, action: str) -> PartyOrganization:
    org = (PartyOrganization.objects.restrict(user, action).select_related("unit")
           .filter(pk=organization_id).first()) if user is not None else \
        PartyOrganization.objects.select_related("unit").filter(pk=organization_id).first()
    if org is None:
        raise OutOfScope("党组织不存在或不在您的数据范围内。")
    return org


def _describe(term: OrganizationTerm) -> str:
    return f"{term.start_date.isoformat()} 至 {term.end_date.isoformat()}"


@transaction.atomic
def term_record(*, user, organization_id: int, election_date, start_date=None, end_date=None,
                today: dt.date | None = None) -> OrganizationTerm:
    """登记换届: a new term of organization ``organization_id`` (dates as ``dt.date`` or text; blanks take
    their defaults — ``check_term``: 届满日期 = 本届任期开始 + 3 years, 5 for a village, a community or a
    党委). Requires ``party.change`` on the organization (else ``OutOfScope``). Raises ``ValidationFailed``
    (by field, nothing written) for the rules of the module docstring and for a term of the same 本届任期开始
    already recorded. Audited: the change log of the new row and an ``organization_term_record`` event."""
    today = today or timezone.localdate()
    org = _organization(user, organization_id, "change")
    problems, (election, start, end) = check_term(org, election_date=election_date, start_date=start_date,
                                                  end_date=end_date, today=today)
    if not problems and OrganizationTerm.objects.filter(organization=org, start_date=start).exists():
        problems.append(FieldProblem(START, f"该组织已登记 {start.isoformat()} 开始的届次"))
    _raise(problems)
    term = OrganizationTerm(organization=org, election_date=election, start_date=start, end_date=end)
    try:
        with transaction.atomic():
            term.save()
    except IntegrityError:  # a concurrent record of the same start (orgs_term_unique_start)
        _raise([FieldProblem(START, f"该组织已登记 {start.isoformat()} 开始的届次")])
    record_event("organization_term_record", user=user, object_type="orgs.organizationterm", object_id=term.pk,
                 summary=f"「{org.name}」换届：本届任期 {_describe(term)}",
                 data={"organization": org.code, "election_date": election, "start_date": start, "end_date": end})
    return term


TERM_FIELDS = ("election_date", "start_date", "end_date")


@transaction.atomic
def term_update(*, user, term_id: int, expected_version: int, changes: dict,
                today: dt.date | None = None) -> OrganizationTerm:
    """Correct a recorded term: ``changes`` maps any of ``election_date``, ``start_date``, ``end_date`` to a
    new value (``dt.date`` or text; the others keep theirs; an empty 届满日期 takes the default again).
    Requires ``party.change`` on its organization (else ``OutOfScope``); ``ConcurrentEdit`` for a stale
    ``expected_version``; ``ValidationFailed`` for an unknown field or the rules of ``check_term``.
    Audited by the change log (before/after of the changed dates)."""
    today = today or timezone.localdate()
    term = (OrganizationTerm.objects.restrict(user, "change").select_related("organization", "organization__unit")
            .filter(pk=term_id).first())
    if term is None:
        raise OutOfScope("届次记录不存在或不在您的数据范围内。")
    if int(expected_version) != term.version:
        raise ConcurrentEdit(record=term)
    unknown = sorted(set(changes) - set(TERM_FIELDS))
    _raise([FieldProblem(name, "该字段不可修改") for name in unknown])
    values = {name: changes.get(name, getattr(term, name)) for name in TERM_FIELDS}
    problems, (election, start, end) = check_term(term.organization, today=today, **values)
    if not problems and start != term.start_date and OrganizationTerm.objects.filter(
            organization_id=term.organization_id, start_date=start).exclude(pk=term.pk).exists():
        problems.append(FieldProblem(START, f"该组织已登记 {start.isoformat()} 开始的届次"))
    _raise(problems)
    new = {"election_date": election, "start_date": start, "end_date": end}
    fields = [name for name, value in new.items() if getattr(term, name) != value]
    if not fields:
        return term
    for name in fields:
        setattr(term, name, new[name])
    save_with_version(term, expected_version, fields)
    return term


@dataclass(slots=True)
class TermWrite:
    """One term the 党组织 importer records for the organization ``code`` (file row ``row``)."""

    row: int
    code: str
    election_date: dt.date | None
    start_date: dt.date | None
    end_date: dt.date | None


def terms_bulk_set(*, user, items: list[TermWrite], action: str = "import", today: dt.date | None = None) -> int:
    """Record the terms of an import in the caller's transaction (after the organizations are written):
    each item is checked with ``check_term`` on the organization as written; a term with the same
    本届任期开始 is updated when its dates differ (else left alone), any other is created. An organization
    outside the user's ``party.<action>`` scope, or a bad term → ``ValidationFailed`` naming the file row
    (the caller's transaction rolls everything back). Returns the number of terms created or changed.
    Audited by the change log (one event per row written)."""
    if not items:
        return 0
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("terms_bulk_set must run inside the import's transaction")
    today = today or timezone.localdate()
    orgs = {o.code: o for o in PartyOrganization.objects.select_related("unit")
            .filter(code__in=sorted({i.code for i in items}))}
    existing = {(t.organization_id, t.start_date): t for t in OrganizationTerm.objects.filter(
        organization__in=list(orgs.values()))}
    errors: list[RowError] = []
    written = 0
    for item in items:
        org = orgs.get(item.code)
        if org is None or (user is not None and not can(user, "party", action, org)):
            errors.append(RowError(item.row, START, "党组织不存在或不在您的管理范围内"))
            continue
        problems, (election, start, end) = check_term(org, election_date=item.election_date,
                                                      start_date=item.start_date, end_date=item.end_date, today=today)
        if problems:
            errors += [RowError(item.row, p.field, p.reason) for p in problems]
            continue
        term = existing.get((org.pk, start))
        if term is None:
            term = OrganizationTerm.objects.create(organization=org, election_date=election, start_date=start,
                                                   end_date=end)
            existing[(org.pk, start)] = term
            written += 1
        elif (term.election_date, term.end_date) != (election, end):
            term.election_date, term.end_date = election, end
            save_with_version(term, term.version, ["election_date", "end_date"])
            written += 1
    if errors:
        raise ValidationFailed(errors)
    return written
