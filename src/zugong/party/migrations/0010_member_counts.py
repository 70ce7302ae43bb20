"""党员计数 (issue #13): the table ``party_membercount`` (``party.models.MemberCount``), the triggers on
``party_membership`` that keep it exact on every write, and its first fill from the existing memberships.

Per organization: ``open_members`` = memberships with ``end_date IS NULL``; ``last_change`` = the latest
``COALESCE(end_date, start_date)`` of its memberships (an upper bound: deletes leave it).

- PostgreSQL: one trigger function, statement-level AFTER INSERT / UPDATE / DELETE triggers with
  transition tables (one grouped upsert per statement, so a ``COPY`` or ``bulk_create`` of 100,000 rows
  costs one ``GROUP BY`` over them, not 100,000 upserts) and an AFTER TRUNCATE trigger emptying the
  table. An UPDATE counts the old rows out and the new rows in, per organization (no join by id).
- SQLite: row-level triggers (SQLite has no statement-level triggers); the UPDATE trigger fires only when
  the organization, start or end changed.
- The fill runs after the triggers are created, in the migration's transaction (PostgreSQL holds the
  trigger's lock on ``party_membership`` until commit: no write slips between the two).

The SQL is frozen here (a later change is a new migration). Reverse: the triggers and function are
dropped (the table goes with the model).
"""

from django.db import migrations, models
import django.db.models.deletion

PG_INSTALL = r"""
CREATE OR REPLACE FUNCTION party_membercount_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO party_membercount AS c (organization_id, open_members, last_change)
        SELECT organization_id, count(*) FILTER (WHERE end_date IS NULL), max(coalesce(end_date, start_date))
          FROM membercount_new GROUP BY organization_id ORDER BY organization_id
        ON CONFLICT (organization_id) DO UPDATE
           SET open_members = c.open_members + EXCLUDED.open_members,
               last_change = greatest(c.last_change, EXCLUDED.last_change);
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE party_membercount AS c SET open_members = c.open_members - d.n
          FROM (SELECT organization_id, count(*) AS n FROM membercount_old WHERE end_date IS NULL
                 GROUP BY organization_id) AS d
         WHERE c.organization_id = d.organization_id;
    ELSE
        -- Net change per organization: new rows counted in, old rows counted out, no join by id (an UPDATE
        -- of 100,000 rows that changes no date or organization costs two scans of the transition tables).
        -- Unchanged rows' dates are already below the stored upper bound, so only organizations whose count
        -- moves or whose bound rises are written.
        INSERT INTO party_membercount AS c (organization_id, open_members, last_change)
        SELECT d.organization_id, d.delta, d.change FROM (
            SELECT organization_id, sum(delta) AS delta, max(change) AS change FROM (
                SELECT organization_id, (end_date IS NULL)::int AS delta, coalesce(end_date, start_date) AS change
                  FROM membercount_new
                UNION ALL
                SELECT organization_id, -((end_date IS NULL)::int), NULL FROM membercount_old
            ) AS u GROUP BY organization_id
        ) AS d LEFT JOIN party_membercount AS e ON e.organization_id = d.organization_id
         WHERE d.delta <> 0 OR e.organization_id IS NULL OR e.last_change IS NULL OR d.change > e.last_change
         ORDER BY d.organization_id
        ON CONFLICT (organization_id) DO UPDATE
           SET open_members = c.open_members + EXCLUDED.open_members,
               last_change = greatest(c.last_change, EXCLUDED.last_change);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION party_membercount_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
    DELETE FROM party_membercount;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER party_membercount_insert AFTER INSERT ON party_membership
    REFERENCING NEW TABLE AS membercount_new
    FOR EACH STATEMENT EXECUTE FUNCTION party_membercount_apply();
CREATE TRIGGER party_membercount_update AFTER UPDATE ON party_membership
    REFERENCING OLD TABLE AS membercount_old NEW TABLE AS membercount_new
    FOR EACH STATEMENT EXECUTE FUNCTION party_membercount_apply();
CREATE TRIGGER party_membercount_delete AFTER DELETE ON party_membership
    REFERENCING OLD TABLE AS membercount_old
    FOR EACH STATEMENT EXECUTE FUNCTION party_membercount_apply();
CREATE TRIGGER party_membercount_truncate AFTER TRUNCATE ON party_membership
    FOR EACH STATEMENT EXECUTE FUNCTION party_membercount_truncate();
"""

PG_DROP = r"""
DROP TRIGGER IF EXISTS party_membercount_insert ON party_membership;
DROP TRIGGER IF EXISTS party_membercount_update ON party_membership;
DROP TRIGGER IF EXISTS party_membercount_delete ON party_membership;
DROP TRIGGER IF EXISTS party_membercount_truncate ON party_membership;
DROP FUNCTION IF EXISTS party_membercount_apply();
DROP FUNCTION IF EXISTS party_membercount_truncate();
"""

# SQLite: the date columns are ISO text, so max()/comparison order them as dates.
_SQLITE_ADD = """
    INSERT INTO party_membercount (organization_id, open_members, last_change)
    VALUES (NEW.organization_id, NEW.end_date IS NULL, coalesce(NEW.end_date, NEW.start_date))
    ON CONFLICT (organization_id) DO UPDATE
       SET open_members = open_members + excluded.open_members,
           last_change = CASE WHEN last_change IS NULL OR excluded.last_change > last_change
                              THEN excluded.last_change ELSE last_change END;"""
_SQLITE_REMOVE = """
    UPDATE party_membercount SET open_members = open_members - 1
     WHERE organization_id = OLD.organization_id AND OLD.end_date IS NULL;"""

SQLITE_INSTALL = [
    f"CREATE TRIGGER party_membercount_insert AFTER INSERT ON party_membership BEGIN {_SQLITE_ADD} END;",
    f"CREATE TRIGGER party_membercount_delete AFTER DELETE ON party_membership BEGIN {_SQLITE_REMOVE} END;",
    "CREATE TRIGGER party_membercount_update AFTER UPDATE OF organization_id, start_date, end_date "
    "ON party_membership WHEN OLD.organization_id IS NOT NEW.organization_id "
    "OR OLD.start_date IS NOT NEW.start_date OR OLD.end_date IS NOT NEW.end_date "
    f"BEGIN {_SQLITE_REMOVE} {_SQLITE_ADD} END;",
]
SQLITE_DROP = [f"DROP TRIGGER IF EXISTS party_membercount_{op};" for op in ("insert", "update", "delete")]

FILL = """
INSERT INTO party_membercount (organization_id, open_members, last_change)
SELECT organization_id, sum(CASE WHEN end_date IS NULL THEN 1 ELSE 0 END), max(coalesce(end_date, start_date))
  FROM party_membership GROUP BY organization_id
"""


def install(apps, schema_editor):
    statements = [PG_INSTALL] if schema_editor.connection.vendor == "postgresql" else SQLITE_INSTALL
    for sql in [*statements, FILL]:
        schema_editor.execute(sql, params=None)


def uninstall(apps, schema_editor):
    statements = [PG_DROP] if schema_editor.connection.vendor == "postgresql" else SQLITE_DROP
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('orgs', '0005_organizationterm'),
        ('party', '0009_attributes_occupation'),
        ('people', '0006_annual_report_attributes'),
    ]

    operations = [
        migrations.CreateModel(
            name='MemberCount',
            fields=[
                ('organization', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='member_count', serialize=False, to='orgs.partyorganization', verbose_name='党组织')),
                ('open_members', models.IntegerField(default=0, verbose_name='在册组织关系数')),
                ('last_change', models.DateField(blank=True, null=True, verbose_name='最近变动日期（上限）')),
            ],
            options={
                'verbose_name': '党员计数',
                'verbose_name_plural': '党员计数',
            },
        ),
        migrations.AddIndex(
            model_name='membership',
            index=models.Index(condition=models.Q(('end_date__isnull', False)), fields=['organization', 'end_date'], name='membership_org_ended_idx'),
        ),
        migrations.RunPython(install, uninstall, elidable=False),
    ]
