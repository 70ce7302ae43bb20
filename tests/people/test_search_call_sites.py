"""Every list that searches people by name uses ``people.search`` (same rows as ``icontains``, the indexed
SQL on PostgreSQL, exact numbers within the change/unmask scope): the transfer list, the development
pipeline list and its start picker, the cadre list, the reserve list and its picker, the dossier list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from tests import factories
from zugong.cadres.dossier.forms import DossierFilterSet
from zugong.cadres.models import Cadre
from zugong.cadres.record.filtersets import CadreFilterSet
from zugong.cadres.reserve.filtersets import ReserveFilterSet
from zugong.development.filtersets import DevelopmentFilterSet
from zugong.development.selectors import start_candidates
from zugong.party.transfer_forms import TransferFilterSet
from zugong.people.models import Person
from zugong.people.search import PersonSearchFilter

FILTERSETS = [(TransferFilterSet, "person__"), (DevelopmentFilterSet, "person__"), (CadreFilterSet, "person__"),
              (ReserveFilterSet, "cadre__person__"), (DossierFilterSet, "cadre__person__")]


@pytest.mark.parametrize(("filterset", "prefix"), FILTERSETS, ids=lambda v: getattr(v, "__name__", v))
def test_people_name_filters_use_the_shared_search(filterset, prefix):
    field = filterset.base_filters["name"]
    assert isinstance(field, PersonSearchFilter)
    assert field.prefix == prefix


@pytest.mark.django_db
@pytest.mark.parametrize(("filterset", "prefix"), FILTERSETS, ids=lambda v: getattr(v, "__name__", v))
def test_people_name_filters_compile_to_the_indexed_search(tree, filterset, prefix):
    from zugong.cadres.models import DossierFinding, ReserveCadre
    from zugong.party.models import DevelopmentRecord, MembershipTransfer

    model = {TransferFilterSet: MembershipTransfer, DevelopmentFilterSet: DevelopmentRecord, CadreFilterSet: Cadre,
             ReserveFilterSet: ReserveCadre, DossierFilterSet: DossierFinding}[filterset]
    queryset = filterset.base_filters["name"].filter(model.objects.all(), "建国")
    sql = str(queryset.query)
    assert "LIKE" in sql.upper() and "people_person" in sql
    assert ("zugong_name_grams" in sql) == (connection.vendor == "postgresql")


@pytest.mark.django_db
def test_cadre_list_finds_by_name_case_insensitively_and_by_number_in_scope(units):
    a = factories.make_cadre(units.unit_town_a, "Li Jianguo", organization=units.branch_a1)
    b = factories.make_cadre(units.unit_town_a, "王建国", organization=units.branch_a1)
    a.person.set_phone("13800138000")
    a.person.save(update_fields=["phone_encrypted", "phone_hash", "phone_masked"])

    def names(user, value):
        filterset = CadreFilterSet({"name": value}, Cadre.objects.restrict(user, "view"), user=user)
        return sorted(c.person.name for c in filterset.qs)

    assert names(units.county_user, "jianguo") == ["Li Jianguo"]
    assert names(units.county_user, "建国") == ["王建国"]
    assert names(units.county_user, "+86 138 0013 8000") == ["Li Jianguo"]
    assert names(units.county_user, b.person.id_number) == ["王建国"]
    viewer = factories.make_user("viewer", "viewer", units.county)
    assert names(viewer, "13800138000") == []


@pytest.mark.django_db
def test_start_candidates_rank_names_and_refuse_numbers_to_view_only_users(tree):
    people = []
    for i, name in enumerate(["王建国", "建国", "建国华"]):
        person = Person(name=name, sex="1", ethnicity="01", birth_date=dt.date(2000, 1, 1 + i),
                        organization=tree.branch_a1)
        person.set_id_number(factories.make_id(person.birth_date, "1"))
        person.save()
        people.append(person)
    assert [p.name for p in start_candidates(user=tree.county_user, q="建国")] == ["建国", "建国华", "王建国"]
    number = people[0].id_number
    assert [p.name for p in start_candidates(user=tree.county_user, q=number)] == ["王建国"]
    viewer = factories.make_user("viewer", "viewer", tree.county)
    assert start_candidates(user=viewer, q=number) == []
    assert [p.name for p in start_candidates(user=viewer, q="国华")] == ["建国华"]
