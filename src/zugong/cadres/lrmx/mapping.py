"""Record → form: ``form_from_cadre(cadre, *, as_of, user)`` builds the ``AppointmentFormData`` of one cadre
for the ``.lrmx`` export and the Word form. ``cadres.formfiles`` implements the inverse (form → record)
with the same table:

==============================  =====================================================================
form field                      record
==============================  =====================================================================
name / sex / ethnicity          ``Person.name`` / ``Person.sex`` label (男/女) / ``Person.ethnicity`` label (汉族)
birth                           ``Person.birth_date`` as 年月 (``Month(y, m)``)
work_start                      ``Person.work_start_date`` as 年月
native_place, birthplace,       ``Cadre.native_place``, ``birthplace``, ``health``,
health, professional_title,     ``professional_title``, ``specialty``
specialty
party_joined / other_party      ``Cadre.party_joined_date`` as 年月 / ``Cadre.other_party``
current_post                    ``cadres.selectors.post_facts(...).post_title`` on ``as_of`` (the main
                                appointment held, else ``Cadre.current_post_title``)
proposed_post, proposed_removal ``Cadre.proposed_post``, ``proposed_removal``
appointment_reason              ``Cadre.appointment_reason``
reporting_unit                  ``Cadre.reporting_unit``
filled_by / filled_date         ``Cadre.form_filled_by`` / ``Cadre.form_filled_date`` (with the day)
age_reference_date              ``Cadre.age_reference_date`` (with the day), else ``as_of``
rewards_punishments             ``Cadre.rewards_punishments``
assessment_results              ``Cadre.assessment_summary``
full_time / in_service          the first ``Education`` row (by ``position``, then id) of category
                                ``full_time`` / ``in_service``: ``education_text``, ``degree_text``,
                                ``education_school_major``, ``degree_school_major``
resume                          ``ResumeEntry`` rows by ``position``: start/end as 年月, text,
                                ``in_service_study``
family                          ``FamilyMember`` rows by ``position``: relation, name, birth as 年月,
                                political_status, work_unit_and_post, deceased
id_number                       see below
photo                           ``CadrePhoto.content`` (the writer makes it 4:5)
==============================  =====================================================================

**ID number.** The appointment form carries the full 身份证号 (the receiving unit matches the person by it),
but the number is sensitive: it is written in clear only when ``user`` holds ``cadre.unmask`` on the
cadre's unit or ``basic.unmask`` on the person (``people.selectors.person_may_unmask``); otherwise — and
when ``user`` is ``None`` — the masked copy (``Person.id_number_masked``, e.g. ``*****************X``) is
written. A masked number is no number: importers must treat a value containing ``*`` as absent and match
by name and birth month. ``id_number_in_clear(user, cadre)`` tells callers which was written (the export
audit event records it).
"""

from __future__ import annotations

import datetime as dt

from zugong.cadres.lrmx.data import AppointmentFormData, EducationBlock, FamilyLine, Month, ResumeLine
from zugong.core.scoping import can


def _month(day: dt.date | None) -> Month | None:
    return Month(day.year, day.month) if day else None


def _day(day: dt.date | None) -> Month | None:
    return Month(day.year, day.month, day.day) if day else None


def id_number_in_clear(user, cadre) -> bool:
    """Whether ``user`` may receive ``cadre``'s ID number in clear on the form: ``cadre.unmask`` on the
    cadre's unit or ``basic.unmask`` on the person."""
    if user is None:
        return False
    from zugong.people.selectors import person_may_unmask

    return can(user, "cadre", "unmask", cadre.unit) or person_may_unmask(user=user, pk=cadre.person_id)


def _education(rows, category: str) -> EducationBlock:
    first = next((row for row in rows if row.category == category), None)
    if first is None:
        return EducationBlock()
    return EducationBlock(first.education_text, first.degree_text, first.education_school_major,
                          first.degree_school_major)


def form_from_cadre(cadre, *, as_of: dt.date, user=None) -> AppointmentFormData:
    """The appointment form of ``cadre`` (an instance already read through a scoped selector) as of
    ``as_of`` (现任职务 on that day; the 计算年龄时间 when the cadre has none recorded); the mapping table
    and the ID-number rule are in the module docstring. Reads the education, résumé, family, photo and
    appointment rows of this one cadre (about 6 queries)."""
    from zugong.cadres.models import CadrePhoto
    from zugong.cadres.selectors import post_facts
    from zugong.core.codes import ETHNICITY, SEX

    person = cadre.person
    facts = post_facts([cadre], as_of, user=user)[cadre.pk]
    educations = list(cadre.educations.order_by("category", "position", "id"))
    photo = CadrePhoto.objects.filter(cadre=cadre).values_list("content", flat=True).first()
    return AppointmentFormData(
        name=person.name,
        sex=SEX.label(person.sex),
        birth=_month(person.birth_date),
        ethnicity=ETHNICITY.label(person.ethnicity),
        native_place=cadre.native_place,
        birthplace=cadre.birthplace,
        party_joined=_month(cadre.party_joined_date),
        other_party=cadre.other_party,
        work_start=_month(person.work_start_date),
        health=cadre.health,
        professional_title=cadre.professional_title,
        specialty=cadre.specialty,
        full_time=_education(educations, "full_time"),
        in_service=_education(educations, "in_service"),
        current_post=facts.post_title,
        proposed_post=cadre.proposed_post,
        proposed_removal=cadre.proposed_removal,
        resume=[ResumeLine(_month(e.start_date), _month(e.end_date), e.text, e.in_service_study)
                for e in cadre.resume_entries.order_by("position", "id")],
        rewards_punishments=cadre.rewards_punishments,
        # 年度考核结果 carries label assessment: left blank for a user without assessment.view on the unit
        assessment_results=cadre.assessment_summary if user is None or can(user, "assessment", "view", cadre.unit) else "",
        appointment_reason=cadre.appointment_reason,
        family=[FamilyLine(m.relation, m.name, _month(m.birth_date), m.political_status, m.work_unit_and_post,
                           m.deceased) for m in cadre.family_members.order_by("position", "id")],
        reporting_unit=cadre.reporting_unit,
        age_reference_date=_day(cadre.age_reference_date or as_of),
        filled_date=_day(cadre.form_filled_date),
        filled_by=cadre.form_filled_by,
        id_number=person.id_number if id_number_in_clear(user, cadre) else person.id_number_masked,
        photo=bytes(photo) if photo else None,
        version="",
    )
