"""Retention: the append-only trigger lets a DELETE through only when the purge command set
``zugong.audit_purge = 'on'`` for its transaction AND the row is older than 180 days (the legal floor;
the command itself uses ``ZUGONG_AUDIT_RETENTION_DAYS``). UPDATE and TRUNCATE stay refused.
Also an index for the per-IP login throttle (kind, ip_address, created_at)."""

from django.db import migrations, models

CREATE = """
CREATE OR REPLACE FUNCTION zugong_audit_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE'
     AND coalesce(current_setting('zugong.audit_purge', true), '') = 'on'
     AND OLD.created_at < now() - interval '180 days' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_auditevent is append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""
RESTORE = """
CREATE OR REPLACE FUNCTION zugong_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_auditevent is append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(RESTORE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["kind", "ip_address", "created_at"], name="audit_kind_ip_time_idx"),
        ),
    ]
