"""Indexes for the name search (``zugong.people.search``), PostgreSQL only; nothing on SQLite.

On PostgreSQL:

1. ``CREATE EXTENSION IF NOT EXISTS pg_trgm``. pg_trgm is a *trusted* extension (PostgreSQL ≥ 13): the
   database role running ``zugong migrate`` needs the ``CREATE`` privilege on the database (the owner of
   the database has it), or a superuser creates the extension beforehand —
   ``psql -d <database> -c 'CREATE EXTENSION pg_trgm'`` — and this step is then a no-op. The server needs
   the contrib modules (Debian/Ubuntu: part of ``postgresql-15``; RHEL: ``postgresql15-contrib``). When
   either is missing the migration stops with a message saying which, and writes nothing.
2. ``people_name_trgm_idx``: ``GIN (UPPER(name) gin_trgm_ops)`` — the expression Django's ``icontains``
   compares (``UPPER("name"::text) LIKE UPPER(%s)``), for texts of 3+ letters.
3. ``zugong_name_grams(text)`` / ``zugong_search_grams(text)`` (IMMUTABLE functions, in the current
   schema: the role needs ``CREATE`` on it; the first in PL/pgSQL — ~6× faster than the same in SQL with
   ``generate_series``, which matters because it runs for every person written: ~0.5 s per 100,000
   people added, most of the cost of this index) and ``people_name_grams_idx``: ``GIN
   (zugong_name_grams(UPPER(name)))`` for 1–2 character texts, which pg_trgm cannot index.

The indexes are not in the model state (``Person.Meta.indexes``): a GIN index cannot exist on SQLite, and
``makemigrations --check`` must be clean on both engines. Building both takes ~16 s at 1,000,000 people
(writes to ``people_person`` wait meanwhile). Reversing drops the indexes and functions, not the extension
(other database objects may use it).
"""

from django.db import migrations

GRAM_FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION zugong_name_grams(t text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  chars text[] := string_to_array(t, NULL);  -- one element per character
  grams text[] := chars;
BEGIN
  FOR i IN 1 .. cardinality(chars) - 1 LOOP
    grams := grams || (chars[i] || chars[i + 1]);
  END LOOP;
  RETURN grams;
END
$$;
COMMENT ON FUNCTION zugong_name_grams(text) IS
  'Zugong name search: every 1- and 2-character substring of the text (people_name_grams_idx)';
CREATE OR REPLACE FUNCTION zugong_search_grams(t text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE WHEN length(t) < 2 THEN ARRAY[t]
         ELSE ARRAY(SELECT DISTINCT substr(t, i, 2) FROM generate_series(1, length(t) - 1) AS i) END
$$;
COMMENT ON FUNCTION zugong_search_grams(text) IS
  'Zugong name search: the 2-character substrings of a search text (the text itself if shorter)';
"""

INDEXES = """
CREATE INDEX IF NOT EXISTS people_name_trgm_idx ON people_person USING gin (UPPER(name) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS people_name_grams_idx ON people_person USING gin (zugong_name_grams(UPPER(name)));
"""

DROP = """
DROP INDEX IF EXISTS people_name_grams_idx;
DROP INDEX IF EXISTS people_name_trgm_idx;
DROP FUNCTION IF EXISTS zugong_search_grams(text);
DROP FUNCTION IF EXISTS zugong_name_grams(text);
"""


class ExtensionUnavailable(RuntimeError):
    """pg_trgm could not be created: the message says why and what the operator does."""


def create_extension(schema_editor) -> None:
    """``CREATE EXTENSION IF NOT EXISTS pg_trgm``, or ``ExtensionUnavailable`` with the operator's fix."""
    from django.db import DatabaseError

    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone():
            return
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
        if not cursor.fetchone():
            raise ExtensionUnavailable(
                "PostgreSQL 扩展 pg_trgm 未安装在数据库服务器上（姓名检索的三元组索引需要它）："
                "请安装 PostgreSQL 的 contrib 模块（Debian/Ubuntu 的 postgresql-15 已包含；RHEL 为 postgresql15-contrib）"
                "后重新执行 zugong migrate。")
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as exc:  # the migration's transaction rolls back: nothing written
            role = schema_editor.connection.settings_dict.get("USER") or "当前角色"
            name = schema_editor.connection.settings_dict.get("NAME")
            raise ExtensionUnavailable(
                f"无法创建 PostgreSQL 扩展 pg_trgm（姓名检索的三元组索引需要它）：数据库角色「{role}」没有权限"
                f"（需要数据库「{name}」的 CREATE 权限，或由超级用户创建）。请由数据库管理员执行："
                f"psql -d {name} -c 'CREATE EXTENSION pg_trgm'，然后重新执行 zugong migrate。"
                f"数据库的答复：{exc}") from exc


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite: the plain LIKE scan (zugong.people.search)
    create_extension(schema_editor)
    schema_editor.execute(GRAM_FUNCTIONS)
    for statement in INDEXES.strip().splitlines():
        schema_editor.execute(statement)
    schema_editor.execute("ANALYZE people_person")  # statistics of the new expression indexes


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0006_annual_report_attributes"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
