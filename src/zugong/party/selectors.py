"""Scoped reads of party members: the roster (党员名册) used by the member list page, the members API and
the roster export, so all three show exactly the same rows.

A roster row is a ``Membership`` in force on the reference date (``as_of``) whose organization lies in the
user's ``party.view`` scope, joined to its person, party record and organization in the same query
(``select_related``: a page of 10 or 1,000 rows costs the same number of queries).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import QueryDict

from zugong.core.codes import MEMBER_CATEGORY, occupation_label_of
from zugong.core.dates import age_on
from zugong.core.errors import RowError, ValidationFailed
from zugong.orgs.models import PartyOrganization
from zugong.party.filtersets import MemberFilterSet, today
from zugong.party.models import Membership, PartyMember
from zugong.party.paging import RosterPage, RosterPaginator, organization_window, roster_count  # noqa: F401 (re-exported)

# Encrypted columns are never needed to list members (the masked copies are shown).
_DEFERRED = ("person__id_number_encrypted", "person__phone_encrypted")


def roster_base(*, user, action: str = "view") -> QuerySet[Membership]:
    """Every membership (any date) within ``user``'s ``party.<action>`` scope, with person, party record
    and organization joined. Not yet limited to a date: ``MemberFilterSet`` applies ``as_of``."""
    return (
        Membership.objects.restrict(user, action)
        .select_related("person", "person__party_member", "organization")
        .defer(*_DEFERRED)
    )


def subtree_first_members(*, user, organization: PartyOrganization, limit: int = 10,
                          action: str = "view") -> list[Membership]:
    """The first ``limit`` current memberships of ``organization``'s subtree within ``user``'s
    ``party.<action>`` scope (tree order, then name), with person and organization joined."""
    return list(Membership.objects.restrict(user, action).current()
                .filter(organization__path__startswith=organization.path)
                .select_related("person", "organization")
                .order_by("organization__path", "person__name", "pk")[:limit])


def current_membership(*, user, person_id: int, action: str = "view") -> Membership | None:
    """The open membership (no end date) of person ``person_id`` if its organization is within ``user``'s
    ``party.<action>`` scope, with the organization joined; else ``None``."""
    return (Membership.objects.restrict(user, action).select_related("organization")
            .filter(person_id=person_id, end_date__isnull=True).first())


def party_member_get(*, user, pk: int, action: str = "view") -> PartyMember | None:
    """The party record (党员信息) of person ``pk`` if within ``user``'s ``party.<action>`` scope, else ``None``."""
    return PartyMember.objects.restrict(user, action).filter(pk=pk).first()


def member_record_get(*, user, pk: int, action: str = "view") -> PartyMember | None:
    """The party record (入党/转正) of person ``pk`` if in ``user``'s ``party.<action>`` scope, else ``None``;
    with the person and every membership period (and its organization) prefetched — the member's whole
    history, as the person page shows it (``people.selectors``). Two queries."""
    return (PartyMember.objects.restrict(user, action).select_related("person")
            .prefetch_related("person__memberships__organization").filter(pk=pk).first())


def member_filterset(*, data: Mapping | None, user=None, request=None, action: str = "view") -> MemberFilterSet:
    """The bound roster filter set over ``roster_base`` (page and API use it to render the filter form
    and its errors). Give ``request`` (its user is used) or ``user``."""
    user = user if user is not None else getattr(request, "user", None)
    filterset = MemberFilterSet(data, roster_base(user=user, action=action), request=request, user=user)
    filterset.scope_action = action  # the scope its totals are counted in (party.paging.roster_count)
    return filterset


def member_roster(*, user, as_of: dt.date | None = None, filters: Mapping | None = None,
                  action: str = "view") -> QuerySet[Membership]:
    """The roster of ``user``'s scope as of ``as_of`` (default today), filtered by ``filters`` (the
    ``MemberFilterSet`` parameters, e.g. ``{"org": "C-A", "category": "probationary"}``), ordered by
    organization (tree order) then name unless ``filters["sort"]`` says otherwise.

    Each row carries ``roster_as_of``. Raises ``ValidationFailed`` (one ``RowError`` per bad parameter,
    row 0, column = the parameter's Chinese label) for invalid filter values. ``action="export"`` gives
    the roster of the user's export scope."""
    # a QueryDict (request.GET) keeps its single values; a plain mapping is copied
    data = filters.copy() if isinstance(filters, QueryDict) else dict(filters or {})
    if as_of is not None:
        data["as_of"] = as_of.isoformat()
    filterset = member_filterset(data=data, user=user, action=action)
    if not filterset.is_valid():
        raise ValidationFailed(filterset_errors(filterset))
    return filterset.qs


def filterset_errors(filterset) -> list[RowError]:
    """The form errors of a filter set as ``RowError`` (row 0, column = field label)."""
    errors = []
    for name, messages in filterset.form.errors.items():
        label = filterset.form.fields[name].label if name in filterset.form.fields else name
        errors.extend(RowError(0, str(label), str(m)) for m in messages)
    return errors


@dataclass(frozen=True)
class RosterRow:
    """One displayed roster line (page table, API item, export row); ages and category as of ``as_of``.

    ``ethnicity``/``education_level``/``occupation`` may be ``""`` (not recorded — a roster imported
    without them): their labels are then ``""`` too, pages show 「未填」 (``core.codes.UNFILLED``).
    ``occupation_label`` is the 党内统计年报 row when the membership keeps one (事业单位专业技术人员),
    else the 公报 category, with the sector where the row does not fix it (``非公有制单位·企业管理人员``) and
    the 其中 row for a flagged member (``农民工``, ``外出务工经商人员``): ``core.codes.occupation_label_of``;
    ``occupation`` is always the category code, ``occupation_detail`` the 年报 row code (or ``""``),
    ``ownership``, ``migrant_worker``, ``migrant_business``, ``front_line_kind`` as stored."""

    person_id: int
    name: str
    sex: str
    sex_label: str
    ethnicity: str
    ethnicity_label: str
    birth_date: dt.date
    age: int
    education_level: str
    education_label: str
    category: str
    category_label: str
    admission_date: dt.date | None
    full_membership_date: dt.date | None
    occupation: str
    occupation_label: str
    front_line: bool
    organization: PartyOrganization
    id_number_masked: str
    start_date: dt.date
    as_of: dt.date
    occupation_detail: str = ""
    ownership: str = ""
    migrant_worker: bool = False
    migrant_business: bool = False
    front_line_kind: str = ""


def roster_row(membership: Membership, as_of: dt.date | None = None) -> RosterRow:
    """A ``RosterRow`` from a roster membership (uses its ``roster_as_of`` annotation unless ``as_of``
    is given). No query when the membership came from ``roster_base``."""
    as_of = as_of or getattr(membership, "roster_as_of", None) or today()
    person = membership.person
    try:
        record: PartyMember | None = person.party_member
    except PartyMember.DoesNotExist:
        record = None
    category = record.category_on(as_of) if record else ""
    return RosterRow(
        person_id=person.pk, name=person.name, sex=person.sex, sex_label=person.sex_label,
        ethnicity=person.ethnicity, ethnicity_label=person.ethnicity_label, birth_date=person.birth_date,
        age=age_on(person.birth_date, as_of), education_level=person.education_level,
        education_label=person.education_label, category=category, category_label=MEMBER_CATEGORY.label(category),
        admission_date=record.admission_date if record else None,
        # as of a past date, a later 转正 has not happened yet
        full_membership_date=record.full_membership_date if category == "full" else None,
        occupation=membership.occupation, occupation_label=occupation_label_of(membership),
        front_line=membership.front_line, organization=membership.organization,
        id_number_masked=person.id_number_masked, start_date=membership.start_date, as_of=as_of,
        occupation_detail=membership.occupation_detail, ownership=membership.ownership,
        migrant_worker=membership.migrant_worker, migrant_business=membership.migrant_business,
        front_line_kind=membership.front_line_kind,
    )


def roster_rows(memberships: Iterable[Membership], as_of: dt.date | None = None) -> list[RosterRow]:
    """``roster_row`` for each membership (e.g. one page of ``member_roster``)."""
    return [roster_row(m, as_of) for m in memberships]


def member_events(*, user, person_id: int, action: str = "view") -> list:
    """The 党员变动 (``MembershipEvent``) of person ``person_id``, oldest first (by date, then entry), with
    their organizations joined — when ``user`` holds ``party.<action>`` on the person's party record or on
    the person (a person admitted by 发展党员 has events only once admitted); else ``[]``. The member's
    history is shown whole, like the membership periods (``people.selectors``): events anchored at
    organizations outside the scope (a transfer from another township) are the member's own record. Two
    queries."""
    from zugong.party.models import MembershipEvent
    from zugong.people.models import Person

    if not Person.objects.restrict(user, action, label="party").filter(pk=person_id).exists():
        return []
    # Scoped through the person above (party label on the person's organization).
    return list(MembershipEvent.objects.filter(person_id=person_id)
                .select_related("organization", "from_organization", "to_organization")
                .order_by("date", "pk"))


def membership_event_get(*, user, pk: int, action: str = "view"):
    """One 党员变动 (``MembershipEvent``) by primary key when ``user`` holds ``party.<action>`` on its
    organization (the scope anchor ``event_record`` wrote), else ``None``."""
    from zugong.party.models import MembershipEvent

    return MembershipEvent.objects.restrict(user, action).select_related("person").filter(pk=pk).first()


def revocable_event(*, user, events: list):
    """The event of ``events`` (one person's, oldest first: ``member_events``) that the person page offers to
    undo (撤销, ``party:event_revoke``): the latest, when ``party.services.event_revocable`` allows it and
    ``user`` holds ``party.change`` on its organization; else ``None``. No query (cached grants)."""
    from zugong.core.scoping import can
    from zugong.party.services import event_revocable

    if not events:
        return None
    latest = events[-1]
    if event_revocable(latest, latest) or not can(user, "party", "change", latest.organization):
        return None
    return latest
