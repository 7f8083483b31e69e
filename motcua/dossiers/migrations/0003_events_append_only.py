"""Make the event log append-only in the database itself, not only in Python.

A DBA's UPDATE or a buggy bulk operation must fail loudly: the history of a dossier is legal evidence.
(The hash chain detects tampering by someone who also disables these triggers.)
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER dossiers_event_no_update BEFORE UPDATE ON dossiers_dossierevent
       BEGIN SELECT RAISE(ABORT, 'dossier events are append-only'); END;""",
    """CREATE TRIGGER dossiers_event_no_delete BEFORE DELETE ON dossiers_dossierevent
       BEGIN SELECT RAISE(ABORT, 'dossier events are append-only'); END;""",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS dossiers_event_no_update;",
    "DROP TRIGGER IF EXISTS dossiers_event_no_delete;",
]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION dossiers_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'dossier events are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER dossiers_event_append_only BEFORE UPDATE OR DELETE ON dossiers_dossierevent
       FOR EACH ROW EXECUTE FUNCTION dossiers_event_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS dossiers_event_append_only ON dossiers_dossierevent;",
    "DROP FUNCTION IF EXISTS dossiers_event_append_only();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0002_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
