"""Planner statistics and table maintenance (issue #13 item 5): ``ANALYZE`` after bulk writes, and what
``zugong maintain`` runs (``VACUUM (ANALYZE)``, a report of table sizes, dead rows and last (auto)vacuum).

**Why ANALYZE after a bulk write.** PostgreSQL's autovacuum analyzes a table only after its naptime (1 min)
and once ``autovacuum_analyze_threshold + autovacuum_analyze_scale_factor × rows`` rows changed; right after
an import or a demo load the planner still plans with the old (often: empty) tables' statistics — measured
at 100,000 members: the first roster page 206 ms instead of 47 ms, at 1,000,000 members some pages 2–4×
slower (issue #13). SQLite never analyzes by itself: without ``sqlite_stat1`` its planner guesses — measured
on the 100,000-member roster: the first page 68 ms instead of 0.1 ms, a filtered count 67 ms instead of
18 ms. So every bulk write (imports, demo generation, restore) calls ``analyze_models`` (or
``analyze_tables``) for exactly the tables it wrote.

**When.** ``analyze_models`` registers the ``ANALYZE`` with ``transaction.on_commit``: it runs after the
write's transaction committed (the statistics then see the committed rows), immediately when called
outside a transaction, and never when the transaction rolls back (a failed import analyzes nothing).

**SQLite: ``ANALYZE <table>``, not ``PRAGMA optimize``.** ``PRAGMA optimize`` (SQLite ≥ 3.18) analyzes
only tables that the *current connection's* queries used and whose row count changed about tenfold since
the last ``ANALYZE`` — after a bulk write on a fresh connection it may do nothing, and its choice depends on
what ran before. ``ANALYZE`` of the written tables is deterministic and takes ~0.1 s for the three roster
tables at 100,000 members. ``zugong maintain`` runs both (``ANALYZE`` of every table, then ``PRAGMA
optimize``, which also keeps the statistics' limits current).

**VACUUM** cannot run inside a transaction block (PostgreSQL and SQLite alike): ``vacuum_tables`` raises
``MaintenanceError`` inside ``transaction.atomic`` and runs in autocommit otherwise.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.apps import apps
from django.db import connections, models, transaction

from zugong.core.errors import ZugongError

ANALYZE_MIN_ROWS = 1000
"""Rows written from which ``analyze_models(…, rows=n)`` refreshes the statistics. Below it the change is
small: PostgreSQL's autovacuum catches up by its thresholds (50 rows + 10 % of the table by default), and an
``ANALYZE`` of a large table (a 30,000-row sample, ~0.3–1 s at 10^6 rows) would cost more than the write."""

Progress = Callable[[str, int, int], None]


class MaintenanceError(ZugongError):
    """A maintenance step that cannot run here (e.g. ``VACUUM`` inside a transaction)."""


def tables_of(models_written: Iterable[type[models.Model]]) -> list[str]:
    """The database tables of ``models_written`` (in order, no repeats), the auto-created many-to-many
    tables of those models included (``PartyOrganization.joint_units`` → ``orgs_partyorganization_joint_units``)."""
    tables: dict[str, None] = {}
    for model in models_written:
        tables[model._meta.db_table] = None
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through is not None and through._meta.auto_created:
                tables[through._meta.db_table] = None
    return list(tables)


def analyze_tables(tables: Iterable[str], *, using: str = "default") -> list[str]:
    """``ANALYZE <table>`` for each of ``tables`` *now* (PostgreSQL and SQLite; inside a transaction too —
    ``ANALYZE``, unlike ``VACUUM``, may run there, but then it samples uncommitted rows: prefer
    ``analyze_models``). Returns the tables analyzed; ``[]`` on other engines. Tables that do not exist
    are skipped (a backup of an older schema)."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        return []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        done = []
        for table in tables:
            if table in existing:
                # identifier from the model's metadata or the introspected table list, quoted
                cursor.execute(f"ANALYZE {quote(table)}")  # nosec B608
                done.append(table)
    return done


def analyze_models(models_written: Iterable[type[models.Model]], *, rows: int | None = None,
                   using: str = "default") -> list[str]:
    """After a bulk write of ``models_written``: ``ANALYZE`` their tables once the current transaction has
    committed (``transaction.on_commit``; at once outside a transaction; never if it rolls back). ``rows``:
    the rows written — below ``ANALYZE_MIN_ROWS`` nothing is scheduled (``None``: always). Returns the
    tables scheduled (``[]`` when skipped or on an engine without ``ANALYZE``)."""
    if rows is not None and rows < ANALYZE_MIN_ROWS:
        return []
    if connections[using].vendor not in ("sqlite", "postgresql"):
        return []
    tables = tables_of(models_written)
    transaction.on_commit(lambda: analyze_tables(tables, using=using), using=using)
    return tables


# --- zugong maintain ----------------------------------------------------------------------------------

@dataclass
class TableStats:
    """One table of the maintenance report. Sizes in bytes; ``rows`` is the planner's estimate
    (PostgreSQL ``pg_class.reltuples``, ``None`` before the first ANALYZE; SQLite: the row count in
    ``sqlite_stat1``); the vacuum/analyze fields are PostgreSQL's ``pg_stat_user_tables`` (``None`` on
    SQLite or never)."""

    table: str
    label: str  # the model's verbose_name (Chinese), "" for tables without a model
    total_bytes: int | None
    table_bytes: int | None
    index_bytes: int | None
    rows: int | None
    live_rows: int | None = None
    dead_rows: int | None = None
    modified_since_analyze: int | None = None
    last_vacuum: object = None
    last_autovacuum: object = None
    last_analyze: object = None
    last_autoanalyze: object = None


def table_labels() -> dict[str, str]:
    """``{table: 中文名}`` of every installed model (auto-created many-to-many tables named after their
    owner: 「党组织 — 联合党支部覆盖单位」)."""
    labels = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.auto_created:
            owner = meta.auto_created._meta.verbose_name
            field = next((f for f in meta.auto_created._meta.local_many_to_many
                          if f.remote_field.through is model), None)
            labels[meta.db_table] = f"{owner} — {field.verbose_name}" if field else str(owner)
        else:
            labels[meta.db_table] = str(meta.verbose_name)
    return labels


def table_report(*, using: str = "default", min_bytes: int = 0) -> list[TableStats]:
    """The tables of the database, largest first, with sizes, row estimates and (PostgreSQL) dead rows and
    last (auto)vacuum/analyze; tables under ``min_bytes`` left out (SQLite: sizes come from the ``dbstat``
    table when SQLite was built with it, else ``None`` and nothing is left out)."""
    connection = connections[using]
    labels = table_labels()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.relname, pg_total_relation_size(s.relid), pg_relation_size(s.relid), "
                "pg_indexes_size(s.relid), c.reltuples, s.n_live_tup, s.n_dead_tup, s.n_mod_since_analyze, "
                "s.last_vacuum, s.last_autovacuum, s.last_analyze, s.last_autoanalyze "
                "FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid "
                "WHERE s.schemaname = current_schema() AND pg_total_relation_size(s.relid) >= %s "
                "ORDER BY 2 DESC, 1", [min_bytes])
            return [TableStats(table=r[0], label=labels.get(r[0], ""), total_bytes=r[1], table_bytes=r[2],
                               index_bytes=r[3], rows=None if r[4] is None or r[4] < 0 else int(r[4]),
                               live_rows=r[5], dead_rows=r[6], modified_since_analyze=r[7], last_vacuum=r[8],
                               last_autovacuum=r[9], last_analyze=r[10], last_autoanalyze=r[11]) for r in cursor.fetchall()]
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        tables = [t for t in connection.introspection.table_names(cursor) if not t.startswith("sqlite_")]
        rows: dict[str, int] = {}
        try:
            # each row's stat starts with the table's row count (an index's rows = the table's)
            cursor.execute("SELECT tbl, stat FROM sqlite_stat1")
            for table, stat in cursor.fetchall():
                rows.setdefault(table, int(str(stat).split()[0]))
        except Exception:  # no sqlite_stat1: never analyzed
            rows = {}
        sizes: dict[str, tuple[int, int]] = {}
        try:
            cursor.execute("SELECT m.tbl_name, SUM(CASE WHEN m.type = 'table' THEN d.pgsize ELSE 0 END), "
                           "SUM(CASE WHEN m.type = 'index' THEN d.pgsize ELSE 0 END) "
                           "FROM dbstat d JOIN sqlite_master m ON m.name = d.name GROUP BY m.tbl_name")
            sizes = {t: (int(a or 0), int(b or 0)) for t, a, b in cursor.fetchall()}
        except Exception:  # SQLite built without SQLITE_ENABLE_DBSTAT_VTAB
            sizes = {}
    out = []
    for table in tables:
        data, index = sizes.get(table, (None, None))
        total = data + index if data is not None else None
        if sizes and total is not None and total < min_bytes:
            continue
        out.append(TableStats(table=table, label=labels.get(table, ""), total_bytes=total, table_bytes=data,
                              index_bytes=index, rows=rows.get(table)))
    out.sort(key=lambda s: (-(s.total_bytes or 0), -(s.rows or 0), s.table))
    return out


def _require_autocommit(connection, what: str) -> None:
    if connection.in_atomic_block:
        raise MaintenanceError(f"{what} 不能在事务中执行（数据库要求在事务之外运行），请在事务外调用。")


def vacuum_tables(tables: Iterable[str], *, using: str = "default", analyze: bool = True,
                  progress: Progress | None = None) -> dict[str, float]:
    """PostgreSQL: ``VACUUM (ANALYZE)`` (``analyze=False``: ``VACUUM``) each of ``tables`` in turn, outside
    any transaction (autocommit). ``progress(table, k, n)`` before each. Returns ``{table: seconds}``.
    Raises ``MaintenanceError`` inside ``transaction.atomic`` or on another engine (SQLite vacuums the whole
    file: ``vacuum_sqlite``)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise MaintenanceError("按表清理（VACUUM）只适用于 PostgreSQL。")
    _require_autocommit(connection, "VACUUM")
    tables = list(tables)
    quote = connection.ops.quote_name
    command = "VACUUM (ANALYZE)" if analyze else "VACUUM"
    took = {}
    with connection.cursor() as cursor:
        for k, table in enumerate(tables):
            if progress:
                progress(table, k, len(tables))
            t0 = time.perf_counter()
            cursor.execute(f"{command} {quote(table)}")  # nosec B608 (introspected table name, quoted)
            took[table] = time.perf_counter() - t0
    if progress:
        progress("", len(tables), len(tables))
    return took


def optimize_sqlite(*, using: str = "default", vacuum: bool = False) -> list[str]:
    """SQLite: ``ANALYZE`` (every table and index), ``PRAGMA optimize`` and — ``vacuum`` — ``VACUUM`` (rewrites
    the file, returning free pages; needs as much free disk as the database and locks it meanwhile).
    Returns the statements run. Raises ``MaintenanceError`` inside a transaction or on another engine."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        raise MaintenanceError("该操作只适用于 SQLite。")
    _require_autocommit(connection, "VACUUM/ANALYZE")
    statements = ["ANALYZE", "PRAGMA optimize"] + (["VACUUM"] if vacuum else [])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return statements


def sqlite_file_stats(*, using: str = "default") -> dict[str, int]:
    """SQLite: ``{"page_size", "page_count", "freelist_count"}`` of the database file (free pages are what
    ``VACUUM`` would give back)."""
    connection = connections[using]
    out = {}
    with connection.cursor() as cursor:
        for pragma in ("page_size", "page_count", "freelist_count"):
            cursor.execute(f"PRAGMA {pragma}")
            out[pragma] = int(cursor.fetchone()[0])
    return out
