"""GB 11643 check character fast path, and the bulk-write helpers of ``core.bulk``."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.factories import make_id
from zugong.core import idnumber
from zugong.core.bulk import RowInserter, existing_values, reserve_ids
from zugong.people.models import Person


def _reference_check_char(first17: str) -> str:
    """GB 11643-1999 §5.2 written out digit by digit."""
    total = sum(int(c) * w for c, w in zip(first17, idnumber.WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


@pytest.mark.parametrize("first17", ["11010519491231002", "44052418800101001", "00000000000000000",
                                     "99999999999999999", "51010719900307123", "12345678901234567"])
def test_check_char_equals_the_standard_formula(first17):
    assert idnumber.check_char(first17) == _reference_check_char(first17)


def test_check_char_covers_all_eleven_values():
    seen = {idnumber.check_char(f"1101051990010100{d}") for d in range(10)}
    seen |= {idnumber.check_char(f"110105199001010{d}0") for d in range(10)}
    assert seen == set("10X98765432")


@pytest.mark.parametrize("bad", ["1101051949123100", "110105194912310021", "1101051949123100A", "١١٠١٠٥١٩٤٩١٢٣١٠٠٢"])
def test_check_char_refuses_anything_but_17_ascii_digits(bad):
    with pytest.raises(ValueError):
        idnumber.check_char(bad)


def test_parse_refuses_non_ascii_digits_and_accepts_fullwidth():
    number = make_id(dt.date(1990, 3, 7), "1")
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in number)
    assert idnumber.parse(fullwidth).number == number
    arabic_indic = "".join(chr(0x0660 + int(c)) if c.isdigit() else c for c in number)
    with pytest.raises(idnumber.IdNumberError):
        idnumber.parse(arabic_indic)


def test_parse_birth_date_is_checked_against_the_given_today():
    number = make_id(dt.date(2020, 5, 5), "2")
    assert idnumber.parse(number, today=dt.date(2020, 5, 5)).birth_date == dt.date(2020, 5, 5)
    with pytest.raises(idnumber.IdNumberError, match="不合理"):
        idnumber.parse(number, today=dt.date(2020, 5, 4))


@pytest.mark.django_db
def test_existing_values_finds_exactly_the_stored_ones(tree):
    stored = list(Person.objects.values_list("id_number_hash", flat=True))
    assert stored
    probe = [*stored, "0" * 64, "f" * 64]
    assert existing_values(Person, "id_number_hash", probe, chunk=2) == set(stored)
    assert existing_values(Person, "id_number_hash", []) == set()


@pytest.mark.django_db(transaction=True)
def test_reserve_ids_are_unique_and_above_existing_keys(tree):
    from django.db import transaction

    with transaction.atomic():
        ids = reserve_ids(Person, 5)
    assert len(set(ids)) == 5 and min(ids) > max(Person.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_row_inserter_streams_a_generator_and_checks_row_width(tree):
    from zugong.party.models import PartyMember

    person = Person.objects.filter(party_member__isnull=True).first() or _new_person(tree)
    inserter = RowInserter(PartyMember, ["person_id", "admission_date", "full_membership_date"], now=dt.datetime.now(
        dt.UTC), batch_size=1)
    assert inserter.insert(iter([(person.pk, dt.date(2001, 7, 1), None)])) == 1
    member = PartyMember.objects.get(pk=person.pk)
    assert member.admission_date == dt.date(2001, 7, 1) and member.version == 1
    with pytest.raises(ValueError, match="expected 3 values"):
        inserter.insert([(person.pk, dt.date(2001, 7, 1))])


def _new_person(tree):
    person = Person(name="测试", sex="1", ethnicity="01", birth_date=dt.date(1980, 1, 1), organization=tree.branch_a1)
    person.set_id_number(make_id(dt.date(1980, 1, 1), "1"))
    person.save()
    return person
