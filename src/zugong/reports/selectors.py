"""Scoped reads of the report pages (``core.scope_checks`` E013: page views read through selectors)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership, PartyMember
from zugong.people.models import Person


def annual_record_rows(*, user, objects: list, as_of: dt.date) -> list[dict]:
    """The displayed lines of one page of ``reports.annual.annual_records`` (page and API).

    For a person: ``{"person", "url", "admission_date", "organization"}`` — the organization of their
    membership on ``as_of`` (else the last one that started before it), read through
    ``Membership.objects.restrict(user, "view")`` so an organization outside the user's scope (a member
    transferred out of it) is never named (``None`` then); ``admission_date`` through
    ``PartyMember.objects.restrict(user, "view")`` likewise. For an organization (第二十四表):
    ``{"organization", "url"}``. Two queries for a page of people, none for organizations."""
    people = [o for o in objects if isinstance(o, Person)]
    orgs: dict[int, PartyOrganization] = {}
    admitted: dict[int, dt.date] = {}
    if people:
        ids = [p.pk for p in people]
        for m in (Membership.objects.restrict(user, "view").filter(person_id__in=ids, start_date__lte=as_of)
                  .select_related("organization").order_by("person_id", "-start_date")):
            orgs.setdefault(m.person_id, m.organization)
        admitted = dict(PartyMember.objects.restrict(user, "view").filter(person_id__in=ids)
                        .values_list("person_id", "admission_date"))
    rows = []
    for obj in objects:
        if isinstance(obj, Person):
            rows.append({"person": obj, "url": reverse("people:detail", args=[obj.pk]),
                         "admission_date": admitted.get(obj.pk), "organization": orgs.get(obj.pk)})
        else:
            rows.append({"organization": obj, "url": reverse("orgs:detail", args=[obj.pk])})
    return rows
