"""Party member services: registering a member creates the person, the party record and the open
membership together, in one transaction."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from zugong.core import idnumber
from zugong.core.errors import ZugongError
from zugong.orgs.models import PartyOrganization
from zugong.party.models import Membership, PartyMember
from zugong.people.models import Person


@transaction.atomic
def member_register(*, name: str, id_number: str, sex: str, ethnicity: str, birth_date: dt.date,
                    education_level: str, organization: PartyOrganization, admission_date: dt.date,
                    full_membership_date: dt.date | None, occupation: str, front_line: bool = False,
                    work_start_date: dt.date | None = None, phone: str = "") -> Person:
    """Register one party member: ``Person`` + ``PartyMember`` + open ``Membership`` of ``organization``
    starting at ``admission_date``. Political status is 中共党员 (01) or 中共预备党员 (02) by whether a
    full-membership date is given. Raises ``ZugongError`` for an invalid or already registered ID number
    (the message never names where the existing record lives)."""
    try:
        info = idnumber.parse(id_number)
    except idnumber.IdNumberError as exc:
        raise ZugongError(str(exc))
    if Person.objects.filter(id_number_hash=Person.hash_id_number(info.number)).exists():
        raise ZugongError("该公民身份号码已登记")
    person = Person(name=name, sex=sex, ethnicity=ethnicity, birth_date=birth_date, education_level=education_level,
                    political_status="01" if full_membership_date else "02", work_start_date=work_start_date,
                    organization=organization)
    person.set_id_number(info.number)
    person.set_phone(phone)
    person.save()
    PartyMember.objects.create(person=person, admission_date=admission_date, full_membership_date=full_membership_date)
    Membership.objects.create(person=person, organization=organization, start_date=admission_date,
                              occupation=occupation, front_line=front_line)
    return person
