"""The ID-number mask reveals nothing beyond what a viewer already sees (``docs/security.md`` §4).

Rule: from everything a viewer without ``basic.unmask`` is shown — the masked number, birth date, age,
sex and organization — the ID number must not be narrowed to fewer than 10,000 candidates. The counts
below are exact: the GB 11643-1999 check character depends only on Σ wᵢ·dᵢ mod 11, so the numbers
consistent with a shown (birth date, sex, check character) are counted by combining the residue
distributions of the region codes and of the sequences (checked against brute force on a slice).
"""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import random
from collections import Counter
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection

from tests import factories
from zugong.core import idnumber
from zugong.people.models import Person

# GB/T 2260 province-level codes (first two digits of the region code), incl. 71 台湾 and 81–83 港澳台.
PROVINCES = [*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55), *range(61, 66), 71,
             81, 82, 83]
MIN_CANDIDATES = 10_000


def _residue(digits: str, offset: int) -> int:
    """Σ wᵢ·dᵢ mod 11 of ``digits`` placed at positions ``offset``… of the 17-digit body."""
    return sum(int(d) * w for d, w in zip(digits, idnumber.WEIGHTS[offset:], strict=False)) % 11


def _region_residues(regions) -> Counter:
    return Counter(_residue(r, 0) for r in regions)


def province_regions():
    """Every 6-digit code whose first two digits are a GB/T 2260 province code (35 × 10,000 codes)."""
    return (f"{p:02d}{rest:04d}" for p in PROVINCES for rest in range(10_000))


def candidates(masked: str, birth: dt.date, sex: str, region_residues: Counter) -> int:
    """How many 18-character numbers match the shown masked value, birth date and sex, with any region
    code of the space ``region_residues`` (residue → number of codes) was built from."""
    birth_residue = _residue(f"{birth:%Y%m%d}", 6)
    sequences = Counter(_residue(f"{s:03d}", 14) for s in range(1000) if (s % 2 == 1) == (sex == "1"))
    assert len(masked) == 18 and masked[:17] == "*" * 17  # nothing but the check character is shown
    total = 0
    for r_region, n_region in region_residues.items():
        for r_seq, n_seq in sequences.items():
            if idnumber.CHECK_CHARS[(r_region + birth_residue + r_seq) % 11] == masked[17]:
                total += n_region * n_seq
    return total


def brute_force(masked: str, birth: dt.date, sex: str, regions) -> int:
    """The same count by building every number (for a small region space)."""
    count = 0
    for region in regions:
        for s in range(1000):
            if (s % 2 == 1) != (sex == "1"):
                continue
            body = f"{region}{birth:%Y%m%d}{s:03d}"
            if idnumber.mask(body + idnumber.check_char(body)) == masked:
                count += 1
    return count


def test_counting_matches_brute_force_on_a_slice():
    regions = [f"11{rest:04d}" for rest in range(0, 10_000, 97)]  # 104 codes
    birth, sex = dt.date(1985, 6, 15), "2"
    for check in "0X7":
        masked = "*" * 17 + check
        assert candidates(masked, birth, sex, _region_residues(regions)) == brute_force(masked, birth, sex, regions)


def test_every_shown_combination_leaves_at_least_10000_candidates():
    residues = _region_residues(province_regions())
    rng = random.Random(7)
    births = [dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(30_000)) for _ in range(20)]
    counts = []
    for birth, sex in itertools.product(births, "12"):
        number = factories.make_id(birth, sex)
        counts += [candidates(idnumber.mask(number), birth, sex, residues)]
        for check in idnumber.CHECK_CHARS:  # whichever check character the person happens to have
            counts.append(candidates("*" * 17 + check, birth, sex, residues))
    assert min(counts) >= MIN_CANDIDATES
    assert min(counts) > 100 * MIN_CANDIDATES  # ≈ 350,000 × 500 / 11 ≈ 15.9 million in this space


def test_keeping_the_first_character_would_break_the_rule():
    """Why the mask does not keep character 1 (docs/security.md §4): a leading ``8`` (港澳台居民居住证,
    region codes 810000/820000/830000) leaves about 3 × 500 / 11 candidates."""
    birth, sex = dt.date(1990, 3, 1), "1"
    hk_mo_tw = _region_residues(["810000", "820000", "830000"])
    assert max(candidates("*" * 17 + c, birth, sex, hk_mo_tw) for c in idnumber.CHECK_CHARS) < 1000


@pytest.mark.parametrize("seed", range(5))
def test_mask_shows_no_digit_of_region_birth_date_or_sequence(seed):
    rng = random.Random(seed)
    birth = dt.date(1940 + rng.randrange(80), 1 + rng.randrange(12), 1 + rng.randrange(28))
    number = idnumber.make(f"{rng.choice(PROVINCES)}{rng.randrange(10_000):04d}", birth, rng.randrange(1000),
                           rng.choice("12"))
    masked = idnumber.mask(number)
    assert masked == "*" * 17 + number[17]
    assert set(masked[:17]) == {"*"} and len(masked) == 18
    assert idnumber.mask(number.lower()) == "*" * 17 + number.lower()[17]


def test_mask_of_other_lengths_hides_everything():
    assert idnumber.mask("") == "" and idnumber.mask(None) == ""
    assert idnumber.mask("11010519491231002") == "*" * 17  # 17 characters: nothing kept
    assert idnumber.mask("110105491231002") == "*" * 15  # a 15-digit (first-generation) number


@pytest.mark.django_db
def test_stored_masks_and_sealing_use_the_new_form(tree):
    for person in Person.objects.all():
        assert person.id_number_masked == "*" * 17 + person.id_number[17]


@pytest.mark.django_db
def test_data_migration_remasks_old_rows_in_batches(tree, monkeypatch):
    migration = importlib.import_module("zugong.people.migrations.0004_remask_id_numbers")
    people = list(Person.objects.order_by("pk"))
    extra = [factories.make_member(tree.branch_b1, f"补{i}") for i in range(3)]
    people += [e for e in extra]
    for person in people:  # the old, revealing form
        number = person.id_number
        Person.objects.filter(pk=person.pk).update(id_number_masked=number[:6] + "*" * 8 + number[-4:])
    odd = people[-1]
    Person.objects.filter(pk=odd.pk).update(id_number_masked="1101*")  # never produced, still hidden
    monkeypatch.setattr(migration, "BATCH", 2)
    migration.remask_id_numbers(django_apps, SimpleNamespace(connection=connection))
    for person in people[:-1]:
        assert Person.objects.get(pk=person.pk).id_number_masked == idnumber.mask(person.id_number)
    assert Person.objects.get(pk=odd.pk).id_number_masked == "*****"
    before = list(Person.objects.order_by("pk").values_list("id_number_masked", "updated_at"))
    migration.remask_id_numbers(django_apps, SimpleNamespace(connection=connection))  # idempotent
    assert list(Person.objects.order_by("pk").values_list("id_number_masked", "updated_at")) == before


@pytest.mark.django_db
def test_page_api_export_and_edit_errors_show_only_the_check_character(client, tree):
    """Every place a viewer without ``basic.unmask`` sees the number: detail page, member list, people and
    members API, the masked roster export — and the edit page shown again after an error."""
    from django.utils import timezone

    from tests.security.helpers import login
    from zugong.party.exporters import export_roster

    person = tree.member_a1_1
    number = person.id_number
    masked = "*" * 17 + number[17]
    login(client, tree.branch_user)  # 支部书记: view, change, export; no unmask
    pages = {
        "detail": client.get(f"/people/{person.pk}/").content.decode(),
        "list": client.get("/party/members/").content.decode(),
        "members_api": client.get(f"/api/members/{person.pk}/").content.decode(),
        "people_api": client.get(f"/api/people/{person.pk}/").content.decode(),
    }
    export = export_roster(user=tree.branch_user, organization=tree.branch_a1, as_of=timezone.localdate())
    for name, content in pages.items():
        assert masked in content, name
        assert number[:6] not in content and number[:14] not in content, name  # no region code
    ws = __import__("openpyxl").load_workbook(__import__("io").BytesIO(export))["党员花名册"]
    cells = {str(c.value) for row in ws.iter_rows() for c in row}
    assert masked in cells and not any(number[:6] in c for c in cells)
    other = tree.member_a1_2.id_number  # already registered: the edit is refused and the page shown again
    form = {"version": person.version, "name": person.name, "sex": "2", "ethnicity": person.ethnicity,
            "birth_date": tree.member_a1_2.birth_date.isoformat(), "education_level": person.education_level,
            "political_status": person.political_status, "id_number": other, "phone": "13912345678"}
    response = client.post(f"/people/{person.pk}/edit/", form)  # no unmask right: refused on the field
    assert response.status_code == 403
    assert other not in response.content.decode() and "13912345678" not in response.content.decode()
    login(client, tree.county_user)  # holds unmask: the duplicate is reported, the typed values not echoed
    response = client.post(f"/people/{person.pk}/edit/", form)
    assert response.status_code == 400 and "已登记" in response.content.decode()
    assert other not in response.content.decode() and "13912345678" not in response.content.decode()


@pytest.mark.django_db
def test_audit_events_carry_only_the_new_mask(tree):
    """The unmask event and the change log name the number by its mask only — the new one."""
    from zugong.audit.models import AuditEvent
    from zugong.people.sensitive import person_unmask
    from zugong.people.services import person_update

    person = tree.member_a1_1
    old_number = person.id_number
    person_unmask(user=tree.county_user, person_id=person.pk, reason="核对档案")
    event = AuditEvent.objects.filter(kind="unmask").latest("id")
    assert event.data["id_number_masked"] == "*" * 17 + old_number[17]
    new_number = factories.make_id(person.birth_date, person.sex, region="320102")
    while new_number[17] == old_number[17]:  # the masked column changes only with the check character
        new_number = factories.make_id(person.birth_date, person.sex, region="320102")
    person_update(user=tree.county_user, person_id=person.pk, expected_version=person.version,
                  changes={"id_number": new_number})
    change = AuditEvent.objects.filter(kind="change", object_type="people.person", object_id=str(person.pk)).latest("id")
    assert change.data["changes"]["id_number_masked"] == ["*" * 17 + old_number[17], "*" * 17 + new_number[17]]
    text = str(event.data) + event.summary + str(change.data) + change.summary
    assert old_number[:6] not in text and new_number[:6] not in text
