"""Planner statistics after bulk writes (``core.maintenance.analyze_models``; ``core.bulk.refresh_planner_statistics``
is the older name) on SQLite *and*
PostgreSQL: after a large import and after demo generation every written table is analyzed, so the
first pages after a 100,000-member load do not run on the empty tables' statistics (issue #9:
206 ms instead of 47 ms on a PostgreSQL whose autovacuum had not run yet).

The SQL issued is captured (``ANALYZE "<table>"``, vendor-neutral); the effect is checked in the
catalog too: ``sqlite_stat1`` rows on SQLite, ``pg_class.reltuples`` on PostgreSQL (reset to -1 "never
analyzed" inside the test's transaction first, so only an ``ANALYZE`` run by the code sets it). The ANALYZE runs
when the write's transaction commits (``transaction.on_commit``): inside the test's transaction the commit
callbacks are run by ``django_capture_on_commit_callbacks(execute=True)``.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.imports.helpers import ROSTER_HEADERS, member_row, xlsx
from zugong.core import maintenance
from zugong.core.bulk import refresh_planner_statistics
from zugong.orgs.models import PartyOrganization, Unit
from zugong.party.importers import import_roster
from zugong.party.models import DevelopmentRecord, Membership, PartyMember
from zugong.people.models import Person

ROSTER_TABLES = ("people_person", "party_partymember", "party_membership")


def _forget(tables) -> None:
    """Drop the planner statistics of ``tables`` (inside the test's transaction on PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("UPDATE pg_class SET reltuples = -1 WHERE relname = ANY(%s)", [list(tables)])
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute(f"DELETE FROM sqlite_stat1 WHERE tbl IN ({', '.join(['%s'] * len(tables))})",  # noqa: S608
                               list(tables))


def _analyzed(table: str) -> bool:
    """Whether the planner has statistics of a non-empty ``table``."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            return cursor.fetchone()[0] > 0
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone():
            return False
        cursor.execute("SELECT 1 FROM sqlite_stat1 WHERE tbl = %s", [table])
        return cursor.fetchone() is not None


def _analyzed_sql(queries) -> set[str]:
    return {q["sql"].split()[1].strip('"`') for q in queries if q["sql"].upper().startswith("ANALYZE")}


@pytest.mark.django_db
def test_refresh_analyzes_each_table_and_its_many_to_many_tables(tree, django_capture_on_commit_callbacks):
    _forget(ROSTER_TABLES + ("orgs_partyorganization",))
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
        assert refresh_planner_statistics([Person, PartyMember, Membership, PartyOrganization]) is True
    assert _analyzed_sql(captured) == {*ROSTER_TABLES, "orgs_partyorganization",
                                       PartyOrganization.joint_units.through._meta.db_table}
    assert all(_analyzed(t) for t in (*ROSTER_TABLES, "orgs_partyorganization")), connection.vendor


@pytest.mark.django_db
def test_large_import_refreshes_planner_statistics_on_either_database(tree, monkeypatch,
                                                                    django_capture_on_commit_callbacks):
    monkeypatch.setattr(maintenance, "ANALYZE_MIN_ROWS", 2)
    _forget(ROSTER_TABLES)
    rows = [member_row("C-A-1", name="甲"), member_row("C-A-1", name="乙", birth=dt.date(1990, 1, 1))]
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
        import_roster(xlsx([ROSTER_HEADERS, *rows]), user=tree.town_user, filename="花名册.xlsx")
    assert set(ROSTER_TABLES) <= _analyzed_sql(captured)
    assert all(_analyzed(t) for t in ROSTER_TABLES), connection.vendor


@pytest.mark.django_db
def test_small_import_leaves_statistics_alone(tree, django_capture_on_commit_callbacks):
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
        import_roster(xlsx([ROSTER_HEADERS, member_row("C-A-1", name="丙")]), user=tree.town_user, filename="a.xlsx")
    assert not _analyzed_sql(captured)


@pytest.mark.django_db
def test_demo_generation_refreshes_planner_statistics(db, django_capture_on_commit_callbacks):
    from zugong.demo.generator import generate

    tables = (*ROSTER_TABLES, "orgs_partyorganization", "orgs_unit", "party_developmentrecord")
    _forget(tables)
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks(execute=True):
        generate(scale=100_000, seed=2023, workers=0)
    expected = {m._meta.db_table for m in (PartyOrganization, Unit, Person, PartyMember, Membership, DevelopmentRecord)}
    assert expected <= _analyzed_sql(captured)
    assert all(_analyzed(t) for t in tables), connection.vendor
