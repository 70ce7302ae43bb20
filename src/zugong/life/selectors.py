"""Scoped reads of meeting records (组织生活, issue #11). Pages, the API, the importer and the services read
through these functions; each takes the acting ``user`` and the scope ``action`` (``party.<action>``) and
never returns a row outside that scope. Templates get what these return (related rows prefetched): no
query runs in a template.

The roster of a meeting (应到名单) is read by ``meeting_roster``: the members of the organization as of the
meeting date (``party.Membership`` in force that day). For a 党小组 without memberships of its own that
day, the roster is its parent branch's; for a committee or general branch, its own direct members (not the
subtree). 流动党员 (``party.MemberStatus`` kind ``mobile`` holding that day) are marked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from zugong.branches.models import BranchOfficer
from zugong.core.codes import ORG_TYPES_BRANCH
from zugong.life.models import Meeting, MeetingAttachment, MeetingAttachmentContent, MeetingAttendance
from zugong.life.validators import GROUP_TYPES
from zugong.orgs.models import PartyOrganization
from zugong.orgs.selectors import scope_roots
from zugong.party.models import Membership, MemberStatus


@dataclass(frozen=True)
class RosterEntry:
    """One member on a meeting's roster: ``person_id``, ``name``, ``mobile`` (流动党员 that day)."""

    person_id: int
    name: str
    mobile: bool = False


# ----- meetings -------------------------------------------------------------------------------------------


def meeting_list(*, user, action: str = "view") -> QuerySet[Meeting]:
    """Every meeting in ``user``'s ``party.<action>`` scope (through its organization), organization
    joined, newest first."""
    return (Meeting.objects.restrict(user, action).select_related("organization")
            .order_by("-date", "-pk"))


def default_record_organization(*, user) -> PartyOrganization | None:
    """The organization whose 「记录会议」 the meeting list offers without a choice in the tree: the user's
    only scope root (``orgs.selectors.scope_roots``, ``party.view``) when it is a 党支部 / 联合党支部 /
    临时党支部 or a 党小组 — a branch secretary's scope, whose 党小组会 the branch records — else ``None``
    (a town or county scope: pick the organization in the tree). One query."""
    roots = list(scope_roots(user=user)[:2])
    if len(roots) == 1 and roots[0].org_type in (*ORG_TYPES_BRANCH, *GROUP_TYPES):
        return roots[0]
    return None


def meeting_get(*, user, pk: int, action: str = "view") -> Meeting | None:
    """The meeting ``pk`` if in ``user``'s ``party.<action>`` scope, else ``None``."""
    return meeting_list(user=user, action=action).filter(pk=pk).first()


def meetings_in(*, user, organization: PartyOrganization | None = None, meeting_type: str = "",
                date_from: dt.date | None = None, date_to: dt.date | None = None,
                action: str = "view") -> QuerySet[Meeting]:
    """The meetings of ``organization``'s subtree (path prefix; all of the scope when ``None``) in
    ``[date_from, date_to]`` (inclusive; open ends allowed) of ``meeting_type`` (a code; all when empty),
    within ``user``'s scope, newest first."""
    qs = meeting_list(user=user, action=action)
    if organization is not None:
        qs = qs.filter(organization__path__startswith=organization.path)
    if meeting_type:
        qs = qs.filter(meeting_type=meeting_type)
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    return qs


def organization_recent_meetings(*, user, organization: PartyOrganization, limit: int = 8) -> list[Meeting]:
    """The ``limit`` newest meetings held by ``organization`` itself (the organization page's 组织生活 tab)."""
    return list(meeting_list(user=user).filter(organization=organization)[:limit])


def meeting_attendance(*, user, meeting: Meeting, action: str = "view") -> list[MeetingAttendance]:
    """The attendance rows of ``meeting`` (within the scope), person joined: 请假 and 缺席 first, then
    出席, by name."""
    order = {"absent": 0, "leave": 1, "present": 2}
    rows = list(MeetingAttendance.objects.restrict(user, action).filter(meeting=meeting)
                .select_related("person").only("id", "meeting_id", "person_id", "person__name", "status", "reason",
                                               "mobile", "version"))
    return sorted(rows, key=lambda r: (order.get(r.status, 3), r.person.name, r.pk))


def meeting_attachments(*, user, meeting: Meeting, action: str = "view") -> list[MeetingAttachment]:
    """The attachments of ``meeting`` (metadata only; the bytes are read by ``attachment_content``)."""
    return list(MeetingAttachment.objects.restrict(user, action).filter(meeting=meeting)
                .select_related("uploaded_by").order_by("pk"))


def attachment_get(*, user, pk: int, action: str = "view") -> MeetingAttachment | None:
    """The attachment ``pk`` if its meeting is in ``user``'s ``party.<action>`` scope, else ``None``."""
    return (MeetingAttachment.objects.restrict(user, action).select_related("meeting", "meeting__organization")
            .filter(pk=pk).first())


def attachment_content(*, user, attachment: MeetingAttachment, action: str = "view") -> bytes | None:
    """The bytes of ``attachment`` when it is in ``user``'s scope (re-checked), else ``None``."""
    if attachment_get(user=user, pk=attachment.pk, action=action) is None:
        return None
    row = MeetingAttachmentContent.objects.filter(attachment_id=attachment.pk).values_list("content", flat=True).first()
    return bytes(row) if row is not None else None


# ----- roster, groups and committee as of a date -----------------------------------------------------------


def roster_organization(organization: PartyOrganization, day: dt.date) -> PartyOrganization:
    """The organization whose members make the roster of ``organization`` on ``day``: itself, or for a
    党小组 without memberships of its own that day, its parent (the branch)."""
    if organization.org_type == "party_group" and organization.depth > 1 \
            and not Membership.objects.on(day).filter(organization=organization).exists():
        parent = PartyOrganization.objects.filter(path=organization.path[:-PartyOrganization.steplen]).first()
        if parent is not None:
            return parent
    return organization


def roster_on(organization: PartyOrganization, day: dt.date) -> list[RosterEntry]:
    """The roster of ``organization`` on ``day`` (see ``roster_organization``), by name: two queries.
    The caller has checked that ``organization`` is in the actor's scope (its members are then too:
    the parent branch of a 党小组 in scope is read for its members' names only)."""
    source = roster_organization(organization, day)
    members = list(Membership.objects.on(day).filter(organization=source)
                   .values_list("person_id", "person__name").order_by("person__name", "person_id"))
    ids = [pk for pk, _ in members]
    mobile = set(MemberStatus.objects.filter(person_id__in=ids, kind="mobile", start_date__lte=day)
                 .filter(Q(end_date__isnull=True) | Q(end_date__gt=day)).values_list("person_id", flat=True))
    return [RosterEntry(pk, name, pk in mobile) for pk, name in members]


def meeting_roster(*, user, organization: PartyOrganization, day: dt.date, action: str = "view") -> list[RosterEntry]:
    """``roster_on(organization, day)`` for ``user``, ``[]`` when ``organization`` is outside the scope."""
    if not PartyOrganization.objects.restrict(user, action, label="party").filter(pk=organization.pk).exists():
        return []
    return roster_on(organization, day)


def has_groups_on(organization: PartyOrganization, day: dt.date) -> bool:
    """True when a 党小组 directly under ``organization`` exists on ``day`` (founded, not dissolved)."""
    return (PartyOrganization.objects.filter(path__startswith=organization.path, depth=organization.depth + 1,
                                             org_type="party_group")
            .filter(Q(founded_date__isnull=True) | Q(founded_date__lte=day))
            .filter(Q(dissolved_date__isnull=True) | Q(dissolved_date__gt=day)).exists())


def officers_on(organization: PartyOrganization, day: dt.date) -> int:
    """The number of 班子成员 posts (``branches.BranchOfficer``) of ``organization`` held on ``day``
    (``start_date <= day < end_date``)."""
    return (BranchOfficer.objects.filter(organization=organization, start_date__lte=day)
            .filter(Q(end_date__isnull=True) | Q(end_date__gt=day)).count())


def people_names(ids) -> dict[int, str]:
    """``person_id → name`` of ``ids`` (to name an attendee who is not on the roster in an error)."""
    from zugong.people.models import Person

    return dict(Person.objects.filter(pk__in=list(ids)).values_list("pk", "name"))


def existing_meeting_keys(*, organization_ids, dates) -> set[tuple[int, str, dt.date, str]]:
    """``(organization_id, meeting_type, date, topic)`` of the meetings recorded for those organizations on
    those dates (the ledger import's dedupe key)."""
    return set(Meeting.objects.filter(organization_id__in=list(organization_ids), date__in=list(dates))
               .values_list("organization_id", "meeting_type", "date", "topic"))
