"""The database triggers that keep ``reports.StatsChange`` (统计变更) complete, whatever writes the data:
services, imports, ``bulk_create``, ``QuerySet.update``, raw SQL. Each change that can alter a statistic adds
a row for every organization whose own members it touches:

- ``party_membership`` insert / delete / update of a column the statistics read (organization, person,
  period, 工作岗位, 生产工作一线): the old and the new organization;
- ``people_person`` update of 性别, 民族, 学历 or 出生日期: every organization the person has (or had) a
  membership of (a snapshot may be of any day);
- ``party_partymember`` insert / delete / update of the 入党日期 or 转正日期: likewise.

PostgreSQL: statement-level triggers with transition tables (one grouped insert per statement, so a bulk load
of a million rows adds a few thousand rows, not a million), plus ``TRUNCATE`` of any of the three tables
emptying the snapshots. SQLite: row-level triggers (``AFTER UPDATE OF`` the columns, ``WHEN`` a value
changed). Django rebuilds a SQLite table (dropping its triggers) when a migration alters it, so
``install_triggers`` runs after every ``migrate`` (``post_migrate``, idempotent) as well as in the migration.
"""

# ruff: noqa: S608 -- SQL built from table and column names of this module and compiled ORM SQL; values are parameters

from __future__ import annotations

CHANGE = "reports_statschange"
SNAPSHOT = "reports_statssnapshot"

MEMBERSHIP_COLUMNS = ("organization_id", "person_id", "start_date", "end_date", "occupation", "front_line")
PERSON_COLUMNS = ("sex", "ethnicity", "education_level", "birth_date")
PARTY_MEMBER_COLUMNS = ("person_id", "admission_date", "full_membership_date")


def _changed(columns, old="o", new="n") -> str:
    return (f"({', '.join(f'{old}.{c}' for c in columns)}) IS DISTINCT FROM "
            f"({', '.join(f'{new}.{c}' for c in columns)})")


def _pg_statements() -> list[str]:
    insert = f"INSERT INTO {CHANGE} (organization_id, weight)"
    via_person = ("SELECT m.organization_id, COUNT(*) FROM {rows} r JOIN party_membership m "
                  "ON m.person_id = r.{key} {where} GROUP BY m.organization_id")
    functions = {
        "zugong_stats_membership_ins": f"{insert} SELECT organization_id, COUNT(*) FROM new_rows GROUP BY 1",  # nosec B608 -- fixed table and column names
        "zugong_stats_membership_del": f"{insert} SELECT organization_id, COUNT(*) FROM old_rows GROUP BY 1",  # nosec B608 -- fixed table and column names
        "zugong_stats_membership_upd": (
            f"{insert} SELECT organization_id, COUNT(*) FROM (SELECT o.organization_id FROM old_rows o JOIN new_rows n "  # nosec B608 -- fixed table and column names
            f"ON n.id = o.id WHERE {_changed(MEMBERSHIP_COLUMNS)} UNION ALL SELECT n.organization_id FROM old_rows o "
            f"JOIN new_rows n ON n.id = o.id WHERE {_changed(MEMBERSHIP_COLUMNS)}) t GROUP BY 1"),
        "zugong_stats_person_upd": f"{insert} " + via_person.format(
            rows="new_rows", key="id", where=f"JOIN old_rows o ON o.id = r.id WHERE {_changed(PERSON_COLUMNS, 'o', 'r')}"),
        "zugong_stats_party_member_ins": f"{insert} " + via_person.format(rows="new_rows", key="person_id", where=""),
        "zugong_stats_party_member_del": f"{insert} " + via_person.format(rows="old_rows", key="person_id", where=""),
        # an update: the people of the old rows whose statistics columns changed (person_id is the key)
        "zugong_stats_party_member_upd": f"{insert} " + via_person.format(
            rows="old_rows", key="person_id",
            where=f"JOIN new_rows n ON n.person_id = r.person_id WHERE {_changed(PARTY_MEMBER_COLUMNS, 'r', 'n')}"),
        "zugong_stats_truncated": f"DELETE FROM {SNAPSHOT}",  # nosec B608 -- fixed table and column names
    }
    statements = [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN {body}; RETURN NULL; END; $$ LANGUAGE plpgsql"
        for name, body in functions.items()
    ]
    triggers = [
        ("party_membership", "INSERT", "NEW TABLE AS new_rows", "zugong_stats_membership_ins"),
        ("party_membership", "DELETE", "OLD TABLE AS old_rows", "zugong_stats_membership_del"),
        ("party_membership", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "zugong_stats_membership_upd"),
        ("people_person", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "zugong_stats_person_upd"),
        ("party_partymember", "INSERT", "NEW TABLE AS new_rows", "zugong_stats_party_member_ins"),
        ("party_partymember", "DELETE", "OLD TABLE AS old_rows", "zugong_stats_party_member_del"),
        ("party_partymember", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "zugong_stats_party_member_upd"),
    ]
    for table, event, referencing, function in triggers:
        statements.append(f"CREATE OR REPLACE TRIGGER {function}_t AFTER {event} ON {table} REFERENCING {referencing} "
                          f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
    for table in ("party_membership", "people_person", "party_partymember"):
        statements.append(f"CREATE OR REPLACE TRIGGER zugong_stats_truncated_{table} AFTER TRUNCATE ON {table} "
                          "FOR EACH STATEMENT EXECUTE FUNCTION zugong_stats_truncated()")
    return statements


def _sqlite_statements() -> list[str]:
    insert = f"INSERT INTO {CHANGE} (organization_id, weight)"

    def differs(columns) -> str:
        return " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)

    def via_person(ref: str) -> str:
        return f"{insert} SELECT organization_id, 1 FROM party_membership WHERE person_id = {ref};"  # nosec B608 -- fixed table and column names

    return [
        f"CREATE TRIGGER IF NOT EXISTS zugong_stats_membership_ins AFTER INSERT ON party_membership "
        f"BEGIN {insert} VALUES (NEW.organization_id, 1); END",
        f"CREATE TRIGGER IF NOT EXISTS zugong_stats_membership_del AFTER DELETE ON party_membership "
        f"BEGIN {insert} VALUES (OLD.organization_id, 1); END",
        f"CREATE TRIGGER IF NOT EXISTS zugong_stats_membership_upd AFTER UPDATE ON party_membership "
        f"WHEN {differs(MEMBERSHIP_COLUMNS)} "
        f"BEGIN {insert} VALUES (OLD.organization_id, 1); {insert} VALUES (NEW.organization_id, 1); END",
        f"CREATE TRIGGER IF NOT EXISTS zugong_stats_person_upd AFTER UPDATE OF {', '.join(PERSON_COLUMNS)} "
        f"ON people_person WHEN {differs(PERSON_COLUMNS)} BEGIN {via_person('NEW.id')} END",
        f"CREATE TRIGGER IF NOT EXISTS zugong_stats_party_member_ins AFTER INSERT ON party_partymember "
        f"BEGIN {via_person('NEW.person_id')} END",
        f"CREATE TRIGGER IF NOT EXISTS zugong_stats_party_member_del AFTER DELETE ON party_partymember "
        f"BEGIN {via_person('OLD.person_id')} END",
        f"CREATE TRIGGER IF NOT EXISTS zugong_stats_party_member_upd AFTER UPDATE ON party_partymember "
        f"WHEN {differs(PARTY_MEMBER_COLUMNS)} BEGIN {via_person('OLD.person_id')} {via_person('NEW.person_id')} END",
    ]


TRIGGER_NAMES = ("zugong_stats_membership_ins", "zugong_stats_membership_del", "zugong_stats_membership_upd",
                 "zugong_stats_person_upd", "zugong_stats_party_member_ins", "zugong_stats_party_member_del",
                 "zugong_stats_party_member_upd")


def install_triggers(connection) -> bool:
    """Create (or replace) the triggers on ``connection``'s database; idempotent. Returns ``False`` (and does
    nothing) when a table they need does not exist yet (a partial ``migrate``)."""
    tables = set(connection.introspection.table_names())
    if not {CHANGE, SNAPSHOT, "party_membership", "people_person", "party_partymember"} <= tables:
        return False
    if connection.vendor == "postgresql":
        statements = _pg_statements()
    elif connection.vendor == "sqlite":
        statements = _sqlite_statements()
    else:  # pragma: no cover - Zugong runs on SQLite and PostgreSQL only
        raise NotImplementedError(connection.vendor)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    return True


def installed_triggers(connection) -> set[str]:
    """Names of the statistics triggers present in the database (``TRIGGER_NAMES`` when complete)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'zugong_stats_%'")
            return {name.removesuffix("_t") for (name,) in cursor.fetchall()} & set(TRIGGER_NAMES)
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'zugong_stats_%'")
        return {name for (name,) in cursor.fetchall()} & set(TRIGGER_NAMES)


def remove_triggers(connection) -> None:
    """Drop the triggers (the migration's reverse)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table, names in (("party_membership", TRIGGER_NAMES[:3]), ("people_person", TRIGGER_NAMES[3:4]),
                                 ("party_partymember", TRIGGER_NAMES[4:])):
                for name in names:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}_t ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS zugong_stats_truncated_{table} ON {table}")
            for name in (*TRIGGER_NAMES, "zugong_stats_truncated"):
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            for name in TRIGGER_NAMES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
