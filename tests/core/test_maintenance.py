"""Planner statistics after bulk writes and ``zugong maintain`` (``zugong.core.maintenance``, issue #13 item 5),
on SQLite and PostgreSQL.

- ``analyze_models`` runs ``ANALYZE`` of exactly the written tables *after the commit* (on_commit), not
  before it, never after a rollback, and not for small writes;
- an import that commits analyzes its tables (PostgreSQL: ``pg_stat_user_tables.last_analyze`` moves, the
  rows changed since the last ANALYZE drop to 0; SQLite: ``sqlite_stat1`` rows); a rejected import and a
  write that rolls back analyze nothing;
- ``zugong maintain``: ``--vacuum`` vacuums (PostgreSQL ``last_vacuum``; SQLite frees the free pages),
  ``--analyze`` analyzes, ``--report`` prints sizes and estimates in Chinese; ``VACUUM`` inside a
  transaction and unknown tables are refused with the reason.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.imports.helpers import ROSTER_HEADERS, member_row, xlsx
from zugong.core import maintenance
from zugong.core.errors import ValidationFailed
from zugong.orgs.models import PartyOrganization
from zugong.party.importers import import_roster
from zugong.party.models import Membership, MembershipEvent, PartyMember
from zugong.people.models import Person

ROSTER_TABLES = ("people_person", "party_partymember", "party_membership", "party_membershipevent")


def _analyzed_sql(queries) -> list[str]:
    return [q["sql"].split()[1].strip('"`') for q in queries if q["sql"].upper().startswith("ANALYZE")]


def _pg_stats(tables) -> dict[str, tuple]:
    """PostgreSQL: ``{table: (last_analyze, n_mod_since_analyze, last_vacuum)}`` read in a fresh snapshot."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT relname, last_analyze, n_mod_since_analyze, last_vacuum FROM pg_stat_user_tables "
                       "WHERE relname = ANY(%s)", [list(tables)])
        return {r[0]: r[1:] for r in cursor.fetchall()}


def _now():
    with connection.cursor() as cursor:
        cursor.execute("SELECT clock_timestamp()" if connection.vendor == "postgresql" else "SELECT 1")
        return cursor.fetchone()[0]


def _sqlite_stat_tables() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchone():
            return set()
        cursor.execute("SELECT DISTINCT tbl FROM sqlite_stat1")
        return {r[0] for r in cursor.fetchall()}


def _clear_sqlite_stats() -> None:
    if _sqlite_stat_tables():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_stat1")


def _roster(*names: str) -> bytes:
    return xlsx([ROSTER_HEADERS, *(member_row("C-A-1", name=name, birth=dt.date(1980 + k, 1, 2))
                                   for k, name in enumerate(names))])


# --- the helper ------------------------------------------------------------------------------------------

def test_tables_of_includes_auto_created_many_to_many_tables():
    assert maintenance.tables_of([Person, PartyOrganization, Person]) == [
        "people_person", "orgs_partyorganization", PartyOrganization.joint_units.through._meta.db_table]


@pytest.mark.django_db
def test_analyze_waits_for_the_commit_and_analyzes_exactly_the_written_tables(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, CaptureQueriesContext(connection) as before:
        with transaction.atomic():
            scheduled = maintenance.analyze_models([Person, PartyMember, Membership, MembershipEvent])
    assert scheduled == list(ROSTER_TABLES)
    assert _analyzed_sql(before) == []  # nothing ran inside the transaction
    assert len(callbacks) == 1
    with CaptureQueriesContext(connection) as after:
        callbacks[0]()
    assert _analyzed_sql(after) == list(ROSTER_TABLES)


@pytest.mark.django_db
def test_rolled_back_write_analyzes_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, CaptureQueriesContext(connection) as run:
        with pytest.raises(RuntimeError), transaction.atomic():
            maintenance.analyze_models([Person])
            raise RuntimeError("the write failed")
    assert callbacks == [] and _analyzed_sql(run) == []


@pytest.mark.django_db
def test_small_writes_are_left_to_autovacuum(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        assert maintenance.analyze_models([Person], rows=maintenance.ANALYZE_MIN_ROWS - 1) == []
        assert maintenance.analyze_models([Person], rows=maintenance.ANALYZE_MIN_ROWS) == ["people_person"]
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_sqlite_analyze_writes_planner_statistics():
    if connection.vendor != "sqlite":
        pytest.skip("sqlite_stat1 is SQLite's (the PostgreSQL side: the pg_stat tests below)")
    from tests import factories

    factories.build_tree()
    _clear_sqlite_stats()
    assert maintenance.analyze_tables(["people_person", "party_membership", "no_such_table"]) == [
        "people_person", "party_membership"]
    assert {"people_person", "party_membership"} <= _sqlite_stat_tables()


# --- after an import, on the database's own statistics -----------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_committed_import_analyzes_its_tables(tree, monkeypatch):
    monkeypatch.setattr(maintenance, "ANALYZE_MIN_ROWS", 2)
    _clear_sqlite_stats() if connection.vendor == "sqlite" else None
    start = _now()
    result = import_roster(_roster("甲一", "乙二", "丙三"), user=tree.town_user, filename="花名册.xlsx")
    assert result.created == 3
    if connection.vendor == "postgresql":
        stats = _pg_stats(ROSTER_TABLES)
        for table in ROSTER_TABLES:
            last_analyze, modified, _ = stats[table]
            assert last_analyze is not None and last_analyze >= start, table
            assert modified == 0, table
    else:
        assert {"people_person", "party_partymember", "party_membership"} <= _sqlite_stat_tables()


@pytest.mark.django_db(transaction=True)
def test_rejected_import_analyzes_nothing(tree, monkeypatch):
    monkeypatch.setattr(maintenance, "ANALYZE_MIN_ROWS", 1)
    _clear_sqlite_stats() if connection.vendor == "sqlite" else None
    before = _pg_stats(ROSTER_TABLES) if connection.vendor == "postgresql" else None
    bad = member_row("C-A-1", name="丁四", birth=dt.date(1991, 1, 1), sex="未知x")
    with pytest.raises(ValidationFailed):
        import_roster(xlsx([ROSTER_HEADERS, member_row("C-A-1", name="戊五"), bad]), user=tree.town_user,
                      filename="错.xlsx")
    if connection.vendor == "postgresql":
        after = _pg_stats(ROSTER_TABLES)
        assert {t: v[0] for t, v in after.items()} == {t: v[0] for t, v in before.items()}
    else:
        assert _sqlite_stat_tables() == set()


@pytest.mark.django_db(transaction=True)
def test_write_failing_inside_the_transaction_analyzes_nothing(tree, monkeypatch):
    """The import's write raises after the rows were sent: the transaction rolls back and its scheduled
    ANALYZE is dropped with it."""
    from zugong.party.importers import RosterImporter

    monkeypatch.setattr(maintenance, "ANALYZE_MIN_ROWS", 1)
    original = RosterImporter.write

    def write_then_fail(self, plan, result, ticker):
        original(self, plan, result, ticker)
        maintenance.analyze_models(self.models_written)
        raise ValidationFailed([])

    monkeypatch.setattr(RosterImporter, "write", write_then_fail)
    with CaptureQueriesContext(connection) as run, pytest.raises(ValidationFailed):
        import_roster(_roster("己六", "庚七"), user=tree.town_user, filename="a.xlsx")
    assert _analyzed_sql(run) == []
    assert not Person.objects.filter(name__in=["己六", "庚七"]).exists()


# --- zugong maintain ------------------------------------------------------------------------------------------

def _maintain(*args) -> str:
    out = io.StringIO()
    call_command("maintain", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_maintain_vacuum_and_report(tree):
    start = _now()
    if connection.vendor == "postgresql":
        text = _maintain("--vacuum", "--report", "--tables", "people_person,party_membership")
        assert "[1/2] VACUUM (ANALYZE) people_person（人员" in text and "[2/2] VACUUM (ANALYZE) party_membership" in text
        stats = _pg_stats(["people_person", "party_membership"])
        assert all(v[2] is not None and v[2] >= start and v[0] >= start for v in stats.values())
        assert "估计行数" in text and "上次清理" in text and "上次分析" in text
        # the other tables were not vacuumed
        assert _pg_stats(["orgs_partyorganization"])["orgs_partyorganization"][2] is None or \
            _pg_stats(["orgs_partyorganization"])["orgs_partyorganization"][2] < start
    else:
        with connection.cursor() as cursor:  # make free pages for VACUUM to give back
            cursor.execute("CREATE TABLE scratch_pages (x TEXT)")
            cursor.execute("INSERT INTO scratch_pages SELECT hex(randomblob(2000)) FROM "
                           "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) SELECT i FROM n)")
            cursor.execute("DROP TABLE scratch_pages")
        free = maintenance.sqlite_file_stats()["freelist_count"]
        text = _maintain("--vacuum", "--report")
        assert "ANALYZE、PRAGMA optimize、VACUUM" in text
        if free:  # an in-memory test database may keep no free list
            assert maintenance.sqlite_file_stats()["freelist_count"] < free
        assert "people_person" in text and "估计行数" in text
        assert "people_person" in _sqlite_stat_tables()


@pytest.mark.django_db(transaction=True)
def test_maintain_default_analyzes_and_reports(tree):
    _clear_sqlite_stats() if connection.vendor == "sqlite" else None
    start = _now()
    text = _maintain("--min-size", "0")
    assert "ANALYZE" in text and "人员" in text
    if connection.vendor == "postgresql":
        assert _pg_stats(["people_person"])["people_person"][0] >= start
        assert "完成" in text
    else:
        assert "people_person" in _sqlite_stat_tables()


@pytest.mark.django_db
def test_vacuum_inside_a_transaction_is_refused():
    with pytest.raises(CommandError, match="不能在事务中执行"):
        _maintain("--vacuum", "--min-size", "0")


@pytest.mark.django_db
def test_unknown_table_is_refused():
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="SQLite 不支持 --tables"):
            _maintain("--tables", "people_person")
        return
    with pytest.raises(CommandError, match="数据库中没有这些表：no_such_table"):
        _maintain("--report", "--tables", "people_person,no_such_table")


def test_advice_names_tables_to_analyze_and_vacuum():
    from zugong.core.management.commands.maintain import advice

    stats = [maintenance.TableStats("a", "", 1, 1, 0, None, live_rows=5000, dead_rows=0),
             maintenance.TableStats("b", "", 1, 1, 0, 5000, live_rows=5000, dead_rows=2000,
                                    modified_since_analyze=1000, last_autoanalyze=dt.datetime(2026, 1, 1)),
             maintenance.TableStats("c", "", 1, 1, 0, 5000, live_rows=5000, dead_rows=10,
                                    modified_since_analyze=10, last_analyze=dt.datetime(2026, 1, 1))]
    tips = advice(stats)
    assert any(t.startswith("a：从未分析") for t in tips)
    assert any(t.startswith("b：上次分析后修改了 1,000 行（20%）") for t in tips)
    assert any(t.startswith("b：死行 2,000") for t in tips)
    assert not any(t.startswith("c") for t in tips)


@pytest.mark.django_db(transaction=True)
def test_restore_analyzes_every_restored_table_on_postgresql(tree, tmp_path):
    """pg_dump carries no planner statistics: ``zugong restore`` analyzes the restored tables (SQLite's
    ``sqlite_stat1`` comes back with the file, so nothing is run there)."""
    if connection.vendor != "postgresql":
        pytest.skip("pg_restore; the SQLite restore copies sqlite_stat1 with the database")
    target = tmp_path / "b.bak"
    call_command("backup", str(target), stdout=io.StringIO())
    start = _now()
    call_command("restore", str(target), "--yes", stdout=io.StringIO())
    stats = _pg_stats(["people_person", "party_membership", "orgs_partyorganization", "audit_auditevent"])
    assert all(v[0] is not None and v[0] >= start for v in stats.values()), stats
