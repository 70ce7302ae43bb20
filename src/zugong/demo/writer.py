"""Fast multi-row inserts for large generated datasets (the demo and the benchmarks).

``bulk_create`` spends ~150 µs of Python per 17-column row preparing values; at a million members
(≈ 3.5 million rows) that alone is several minutes. ``RowWriter`` writes the same rows with
PostgreSQL ``COPY … FROM STDIN`` (psycopg 3; one stream per table, so the server works while the
caller generates) or one ``executemany`` per batch on other backends:

- the column list is every concrete field of the model, so a field added later is written too;
- values not supplied per row come from a *scratch instance* of the model (field defaults, or what the
  caller set on it), prepared once per writer (``get_db_prep_save``); ``auto_now``/``auto_now_add``
  timestamps are the writer's creation time;
- primary keys are supplied by the caller (``reserve_ids``: PostgreSQL sequence values, or the next ids
  above the table's maximum under SQLite's write lock), so child rows can refer to them at once.

No model ``save()``, signal or validation runs (as with ``bulk_create``): callers write consistent rows.
Must run inside ``transaction.atomic()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from django.db import connection, models
from django.utils import timezone

BINARY_COPY = True
"""PostgreSQL: ``COPY … (FORMAT BINARY)`` when every column has one of ``_BINARY_TYPES`` — the server parses no
text (dates, integers) and the client escapes none: measured at 100,000 members (issue #13), this process's
CPU 6.7 → 5.0 s and the database backend's 4.0 → 3.4 s. Same values either way (psycopg's binary dumpers)."""
_BINARY_TYPES = {"bigint", "integer", "smallint", "boolean", "date", "text", "character varying", "character", "bytea",
                 "timestamp with time zone", "timestamp without time zone", "double precision", "real"}


class RowWriter:
    """Insert rows of ``model`` given as tuples of the ``varying`` attnames (in that order)."""

    def __init__(self, model: type[models.Model], varying: Sequence[str], *, scratch: models.Model | None = None):
        self.model = model
        self.varying = list(varying)
        self.postgres = connection.vendor == "postgresql"
        fields = {f.attname: f for f in model._meta.concrete_fields}
        unknown = set(self.varying) - set(fields)
        if unknown:
            raise ValueError(f"{model.__name__} has no column(s) {sorted(unknown)}")
        instance = scratch if scratch is not None else model()
        now = timezone.now()
        static_fields, static_values = [], []
        for name, f in fields.items():
            if name in self.varying:
                continue
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = getattr(instance, name)
            if value is None and f.primary_key:
                raise ValueError(f"{model.__name__}: the primary key must be supplied per row")
            static_fields.append(f)
            static_values.append(f.get_db_prep_save(value, connection))
        # columns: the varying ones in the caller's order, then the fixed ones — a row is one tuple concat
        self.static = tuple(static_values)
        qn = connection.ops.quote_name
        self.table = qn(model._meta.db_table)
        ordered = [fields[name] for name in self.varying] + static_fields
        self.columns = ", ".join(qn(f.column) for f in ordered)
        self.width = len(ordered)
        self.count = 0

    def _column_types(self, cursor) -> list[int] | None:
        """The type OIDs of the written columns, in order, for a binary ``COPY`` (``None`` when a column's type
        has no plain binary form here: JSON, arrays and the like go as text)."""
        cursor.execute(f"SELECT {self.columns} FROM {self.table} LIMIT 0")  # nosec B608 # noqa: S608 (identifiers quoted)
        oids = [column.type_code for column in cursor.cursor.description]
        cursor.execute("SELECT oid::regtype::text FROM unnest(%s::oid[]) WITH ORDINALITY AS t(oid, n) ORDER BY n",
                       [oids])
        names = [row[0] for row in cursor.fetchall()]
        return oids if all(name in _BINARY_TYPES for name in names) else None

    def write(self, rows: Iterable[tuple], *, report: Callable[[int], None] | None = None,
              every: int = 5000) -> int:
        """Insert ``rows`` (tuples of the ``varying`` values; may be a generator) and return how many.
        PostgreSQL streams them through one ``COPY`` — the server indexes rows while the caller is still
        producing the next ones; other backends insert batches of ``every`` rows (dates are adapted by
        the driver's registered adapters). ``report(k)`` is called after every ``every`` rows and at the
        end. The generator must not query the database (the connection is busy with the ``COPY``)."""
        static = self.static
        count = 0
        pending = 0
        with connection.cursor() as cursor:
            if self.postgres:
                types = self._column_types(cursor) if BINARY_COPY else None
                binary = " (FORMAT BINARY)" if types else ""
                sql = f"COPY {self.table} ({self.columns}) FROM STDIN{binary}"  # identifiers quoted
                with cursor.cursor.copy(sql) as copy:
                    if types:
                        copy.set_types(types)
                    write_row = copy.write_row
                    for row in rows:
                        write_row(row + static)
                        pending += 1
                        if pending == every:
                            count += pending
                            if report:
                                report(pending)
                            pending = 0
            else:
                marks = ", ".join(["%s"] * self.width)
                sql = f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})"  # nosec B608 # noqa: S608 (identifiers quoted)
                batch: list[tuple] = []
                for row in rows:
                    batch.append(row + static)
                    if len(batch) == every:
                        cursor.executemany(sql, batch)
                        count += every
                        if report:
                            report(every)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    pending = len(batch)
        count += pending
        if report and pending:
            report(pending)
        self.count += count
        return count


class IdReserver:
    """Primary keys for rows about to be written with ``RowWriter``.

    PostgreSQL: values drawn from the table's identity sequence (safe with concurrent writers).
    Other backends: consecutive ids above the current maximum — only safe while this transaction holds
    the database's write lock (SQLite: the project opens transactions ``IMMEDIATE``)."""

    def __init__(self, model: type[models.Model]):
        if not connection.in_atomic_block:
            raise RuntimeError("IdReserver must be used inside transaction.atomic()")
        self.model = model
        self.next_id: int | None = None

    def take(self, n: int) -> list[int]:
        if n <= 0:
            return []
        table = self.model._meta.db_table
        pk = self.model._meta.pk.column
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                               [table, pk, n])
                return [row[0] for row in cursor.fetchall()]
            if self.next_id is None:
                qn = connection.ops.quote_name
                cursor.execute(f"SELECT MAX({qn(pk)}) FROM {qn(table)}")  # nosec B608 # noqa: S608 (identifiers quoted)
                self.next_id = (cursor.fetchone()[0] or 0) + 1
        start = self.next_id
        self.next_id += n
        return list(range(start, start + n))


class DeferredIndexes:
    """PostgreSQL, inside the loading transaction: the secondary indexes, unique and foreign-key constraints of
    the tables of ``models`` are dropped before a bulk load (``drop``) and created again from their own
    definitions after it (``restore``), so the load neither maintains B-trees row by row (random inserts into
    the lookup-hash indexes) nor queues one deferred foreign-key check per row and column, each of which
    locks the referenced row ``FOR KEY SHARE`` at commit. ``CREATE INDEX`` sorts once and ``ADD CONSTRAINT …
    FOREIGN KEY`` checks the whole table with one join: the same indexes and constraints (names, columns,
    ``DEFERRABLE INITIALLY DEFERRED``), the same checks (a duplicate ID-number hash or a dangling key still
    fails the load, which then rolls back — DDL is transactional), far less work.

    Kept as they are: primary keys, check constraints, and unique indexes that a foreign key of another table
    refers to. The tables stay locked (``ACCESS EXCLUSIVE``) until the transaction ends — meant for loading
    a new dataset, not for a database in use. Other engines: nothing done."""

    def __init__(self, written: Sequence[type[models.Model]]):
        if not connection.in_atomic_block:
            raise RuntimeError("DeferredIndexes must be used inside transaction.atomic()")
        self.tables = [m._meta.db_table for m in written]
        self.constraints: list[tuple[str, str, str, str]] = []  # (table, name, definition, type)
        self.indexes: list[str] = []  # CREATE INDEX statements
        self.active = connection.vendor == "postgresql"

    def drop(self) -> None:
        if not self.active:
            return
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT relname FROM pg_class WHERE oid = c.conrelid), c.conname, pg_get_constraintdef(c.oid), c.contype "
                "FROM pg_constraint c WHERE c.conrelid IN (SELECT unnest(%s::text[])::regclass) AND c.contype IN ('f', 'u') "
                "AND NOT (c.contype = 'u' AND EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' "
                "AND f.conindid = c.conindid)) ORDER BY c.contype DESC, 1, 2", [self.tables])
            self.constraints = cursor.fetchall()  # unique ones first (foreign keys may follow them)
            cursor.execute(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                "WHERE i.indrelid IN (SELECT unnest(%s::text[])::regclass) AND NOT i.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
                [self.tables])
            found = cursor.fetchall()
            for table, name, _definition, _kind in self.constraints:
                cursor.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
            for name, _definition in found:
                cursor.execute(f"DROP INDEX {name}")  # regclass text: already quoted where needed
            self.indexes = [definition for _name, definition in found]

    def restore(self) -> None:
        """Create the dropped indexes, then the unique constraints, then the foreign keys (validated)."""
        if not self.active:
            return
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # sorts in memory (this transaction only)
            for definition in self.indexes:
                cursor.execute(definition)
            for table, name, definition, _kind in sorted(self.constraints, key=lambda c: c[3] != "u"):
                cursor.execute(f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}")
        self.constraints, self.indexes = [], []
