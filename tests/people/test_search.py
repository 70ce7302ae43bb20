"""People search (``zugong.people.search``): the name search finds exactly the rows of ``icontains`` on
both engines (and on PostgreSQL through the indexes of migration ``people.0007``); a full ID or mobile
number finds its person through the lookup hash only within the user's change/unmask scope; name matches
are ranked (exact, then prefix, then the rest) on the roster page, the API and the export."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.db import connection
from django.urls import reverse

from tests import factories
from zugong.party.exporters import roster_export_rows
from zugong.party.filtersets import today
from zugong.people import search
from zugong.people.models import Person

NAMES = [
    "王", "王建国", "建国", "李建国华", "欧阳建国", "建国王", "国建", "阿依古丽·买买提", "买买提·艾力", "艾力",
    "Zhang Wei", "zhangsan", "ZHANG", "McDonald", "mcdonald·王", "100%纯", "下_划线", "O'Brien", "Ümit", "ümit",
]
SEARCHES = [
    "王", "建", "国", "建国", "国建", "王建国", "建国王", "李建国华", "·", "丽·买", "·买买提", "买买提·艾力", "z", "zh",
    "ZHANG", "Zhang", "ang w", "an", "a", "MCD", "%", "_", "纯", "'", "ü", "Ü", "no-match", "建国建国",
]


def add_people(org, names):
    people = []
    for i, name in enumerate(names):
        person = Person(name=name, sex="1", ethnicity="01", birth_date=dt.date(1980, 1, 1) + dt.timedelta(days=i),
                        organization=org)
        person.set_id_number(factories.make_id(person.birth_date, "1"))
        people.append(person)
    return Person.objects.bulk_create(people)


@pytest.mark.django_db
def test_name_search_finds_exactly_the_icontains_rows(tree):
    add_people(tree.branch_a1, NAMES)
    everyone = list(Person.objects.values_list("name", flat=True))
    for text in SEARCHES:
        found = sorted(Person.objects.filter(search.name_q(text)).values_list("pk", flat=True))
        reference = sorted(Person.objects.filter(name__icontains=text).values_list("pk", flat=True))
        assert found == reference, text
        if not any(c.lower() != c.upper() for c in text):  # no cased letter: a plain substring test
            assert sorted(Person.objects.filter(pk__in=found).values_list("name", flat=True)) == \
                sorted(n for n in everyone if text in n), text
    # Latin letters fold case on both engines
    assert set(Person.objects.filter(search.name_q("zhang")).values_list("name", flat=True)) == \
        {"Zhang Wei", "zhangsan", "ZHANG"}
    assert search.name_q("  ") == search.name_q("") == search.name_q(None)  # blank: no condition


@pytest.mark.django_db
def test_name_search_through_a_relation_prefix(tree):
    members = Person.objects.filter(pk__in=[tree.member_a1_1.pk, tree.member_b1_1.pk])
    from zugong.party.models import Membership

    found = Membership.objects.filter(search.name_q("古丽", "person__"), person__in=members)
    assert [m.person.name for m in found] == ["阿依古丽"]


@pytest.mark.django_db
def test_short_texts_add_the_bigram_condition_on_postgresql_only(tree):
    sqls = {text: str(Person.objects.filter(search.name_q(text)).query) for text in ("建国", "王建国", "国", "Zhang")}
    assert all("LIKE" in sql.upper() for sql in sqls.values())
    assert "zugong_name_grams" not in sqls["Zhang"]  # 3+ ASCII letters: the trigram index answers the LIKE
    for text in ("建国", "王建国", "国"):  # CJK: bigrams, whatever the database's LC_CTYPE makes of trigrams
        assert ("zugong_name_grams" in sqls[text] and "zugong_search_grams" in sqls[text]) == \
            (connection.vendor == "postgresql"), text


# --- the migration -----------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm and GIN indexes exist on PostgreSQL only")
def test_postgresql_has_the_extension_functions_and_indexes(tree):
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'")
        assert cursor.fetchone() == ("pg_trgm",)
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'people_person' "
                       "AND indexname IN (%s, %s) ORDER BY 1", [search.GRAMS_INDEX, search.TRIGRAM_INDEX])
        rows = dict(cursor.fetchall())
        assert set(rows) == {search.GRAMS_INDEX, search.TRIGRAM_INDEX}
        assert "gin (upper((name)::text) gin_trgm_ops)" in rows[search.TRIGRAM_INDEX]
        assert "gin (zugong_name_grams(upper((name)::text)))" in rows[search.GRAMS_INDEX]
        cursor.execute("SELECT zugong_name_grams('王建国'), zugong_search_grams('建国'), zugong_search_grams('王')")
        grams, pattern, single = cursor.fetchone()
        assert sorted(grams) == sorted(["王", "建", "国", "王建", "建国"])
        assert (pattern, single) == (["建国"], ["王"])


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL query plans")
@pytest.mark.parametrize(("text", "index"), [("建国", search.GRAMS_INDEX), ("王", search.GRAMS_INDEX),
                                             ("王建国", "people_name_"), ("zhang", search.TRIGRAM_INDEX)])
def test_the_query_expressions_match_the_indexes(tree, text, index):
    """The search's SQL can be answered by its index (a tiny table is scanned anyway, so sequential scans
    are switched off): the index expressions are the ones the query compares."""
    add_people(tree.branch_a1, NAMES)
    sql, params = Person.objects.filter(search.name_q(text)).values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # 王建国: either GIN index (or both); never a walk of the plain btree (name) / (name, id) indexes
    used = index in plan if index != "people_name_" else (search.GRAMS_INDEX in plan or search.TRIGRAM_INDEX in plan)
    assert used and "people_name_idx" not in plan and "people_name_id_idx" not in plan, plan


@pytest.mark.django_db
def test_migration_is_a_no_op_on_sqlite_and_creates_the_indexes_on_postgresql(tree):
    migration = importlib.import_module("zugong.people.migrations.0007_name_search")
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, "people_person")
    present = {search.GRAMS_INDEX, search.TRIGRAM_INDEX} & set(indexes)
    if connection.vendor == "postgresql":
        assert present == {search.GRAMS_INDEX, search.TRIGRAM_INDEX}
    else:
        assert present == set()
        class Recorder:  # the schema editor's interface the migration uses, recording every statement
            executed: list[str] = []

            def __init__(self):
                self.connection = connection

            def execute(self, sql, params=None):
                self.executed.append(sql)

        editor = Recorder()
        migration.forwards(None, editor)
        migration.backwards(None, editor)
        assert editor.executed == []  # nothing on SQLite, either way
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE sql LIKE '%zugong_name_grams%' "
                           "OR name LIKE 'people_name_%_idx' AND name NOT IN ('people_name_idx', 'people_name_id_idx')")
            assert cursor.fetchone() == (0,)


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL privileges")
def test_migration_explains_a_missing_privilege(tree, monkeypatch):
    """A role that may not create the extension gets the operator's instructions, not a bare SQL error."""
    migration = importlib.import_module("zugong.people.migrations.0007_name_search")
    from django.db import DatabaseError, transaction

    class Refusing:
        def __init__(self, real):
            self.real = real

        def execute(self, sql, params=None):
            if sql.startswith("SELECT 1 FROM pg_extension"):
                return self.real.execute("SELECT 1 WHERE false")
            if sql.startswith("CREATE EXTENSION"):
                raise DatabaseError("permission denied to create extension \"pg_trgm\"")
            return self.real.execute(sql, params)

        def fetchone(self):
            return self.real.fetchone()

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.real.close()

    class Editor:
        connection = type("C", (), {"settings_dict": {"USER": "zugong", "NAME": "zugong"},
                                    "cursor": staticmethod(lambda: Refusing(connection.cursor()))})()

    with transaction.atomic(), pytest.raises(migration.ExtensionUnavailable) as error:
        migration.create_extension(Editor())
    message = str(error.value)
    assert "pg_trgm" in message and "「zugong」" in message and "CREATE EXTENSION pg_trgm" in message


# --- exact search by number ---------------------------------------------------------------------------
API = "/api/members/"
URL = reverse("party:member_list")


def api_names(client, user, value, **params):
    client.force_login(user)
    response = client.get(API, {"name": value, **params})
    assert response.status_code == 200
    return [item["name"] for item in response.json()["results"]]


def page_names(client, user, value, **params):
    client.force_login(user)
    response = client.get(URL, {"name": value, **params})
    assert response.status_code == 200
    return re.findall(r'<a href="/people/\d+/">([^<]*)</a>', response.content.decode())


def set_phone(person, phone):
    person.set_phone(phone)
    person.save(update_fields=["phone_encrypted", "phone_hash", "phone_masked"])


@pytest.mark.django_db
@pytest.mark.parametrize("names", [page_names, api_names], ids=["page", "api"])
def test_full_mobile_number_finds_the_person_within_the_change_or_unmask_scope(client, tree, names):
    set_phone(tree.member_a1_1, "13800138000")
    set_phone(tree.member_b1_1, "13900139000")
    person = tree.member_a1_1.name
    for typed in ("13800138000", "138 0013 8000", "138-0013-8000", "+86 138 0013 8000", "008613800138000",
                  "8613800138000", "１３８００１３８０００", "＋８６ １３８００１３８０００"):
        assert names(client, tree.county_user, typed) == [person], typed
    assert names(client, tree.branch_user, "13800138000") == [person]
    assert names(client, tree.branch_user, "13900139000") == []  # outside his roster
    assert names(client, tree.nogrant_user, "13800138000") == []
    # a partial number or another number finds nobody (never a substring of the stored value)
    assert names(client, tree.county_user, "1380013800") == []
    assert names(client, tree.county_user, "8000") == []
    assert names(client, tree.county_user, "13800138001") == []
    # a view-only user, shown masked numbers, cannot test guesses against them — names still work
    viewer = factories.make_user("viewer", "viewer", tree.county)
    assert names(client, viewer, "13800138000") == []
    assert names(client, viewer, tree.member_a1_1.id_number) == []
    assert names(client, viewer, person) == [person]


@pytest.mark.django_db
def test_exact_number_recognises_id_and_mobile_numbers_only(tree, monkeypatch):
    number = tree.member_a1_1.id_number
    assert search.exact_number(number).kind == "id_number"
    assert search.exact_number(number).hash == tree.member_a1_1.id_number_hash
    assert search.exact_number(number.lower()[:6] + " " + number[6:]).kind == "id_number"
    assert search.exact_number("+86 138-0013-8000") == search.exact_number("13800138000")
    assert search.exact_number("13800138000").field == "phone_hash"
    for not_a_number in ("张伟", "1380013800", "23800138000", "12800138000", number[:17], "138001380000", ""):
        assert search.exact_number(not_a_number) is None, not_a_number
    assert search.is_name_search("张伟") and not search.is_name_search("13800138000")

    def refuse(self):
        raise AssertionError("a number search must not decrypt")

    monkeypatch.setattr(Person, "phone", property(refuse))
    monkeypatch.setattr(Person, "id_number", property(refuse))
    set_phone(tree.member_a1_1, "13800138000")
    found = Person.objects.filter(search.search_q("138 0013 8000", user=tree.county_user))
    assert list(found) == [tree.member_a1_1]


# --- ranking ---------------------------------------------------------------------------------------------
@pytest.fixture
def ranked(tree):
    """Members named around 建国 in two branches: by default order (organization, name) the ranks mix."""
    for org, name in [(tree.branch_a1, "王建国"), (tree.branch_a1, "建国华"), (tree.branch_a1, "建国"),
                      (tree.branch_a2, "李建国"), (tree.branch_a2, "建国"), (tree.branch_a2, "建国强"),
                      (tree.branch_b1, "建华")]:
        factories.make_member(org, name)
    return tree


# exact (A1, A2), prefix (A1, A2), the rest (A1, A2): each group in organization, name order
RANKED = ["建国", "建国", "建国华", "建国强", "王建国", "李建国"]


@pytest.mark.django_db
@pytest.mark.parametrize("names", [page_names, api_names], ids=["page", "api"])
def test_name_matches_are_ranked_exact_then_prefix_then_the_rest(client, ranked, names):
    assert names(client, ranked.county_user, "建国") == RANKED
    # an explicit sort wins: plain name order, no ranking
    assert names(client, ranked.county_user, "建国", sort="-name") == sorted(RANKED, reverse=True)
    # the ranking follows the text: 「建」 puts 建国 and 建华 (prefix) before 王建国/李建国
    assert names(client, ranked.county_user, "建")[-2:] == ["王建国", "李建国"]


@pytest.mark.django_db
def test_export_rows_are_ranked_like_the_page(ranked):
    rows = roster_export_rows(user=ranked.county_user, organization=None, as_of=today(),
                              filters={"name": "建国"})
    assert [row[0] for row in rows] == RANKED


@pytest.mark.django_db
def test_rank_expression_values(tree):
    add_people(tree.branch_a1, ["Zhang", "zhang wei", "li zhang", "ZHANG"])
    ranks = dict(Person.objects.filter(search.name_q("zhang")).annotate(r=search.name_rank("zhang"))
                 .values_list("name", "r"))
    assert ranks == {"Zhang": 0, "ZHANG": 0, "zhang wei": 1, "li zhang": 2}
