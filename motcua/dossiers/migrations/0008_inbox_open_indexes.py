"""Inbox indexes on open dossiers only, and (PostgreSQL) a trigram index for the search box.

The search box matches a folded substring anywhere in `search_text` (code, applicant name, ID number):
`LIKE '%…%'`, which no B-tree serves, so without a trigram index PostgreSQL filters every dossier in the
searcher's scope and the search slows down as the table grows (docs/performance.md §4). pg_trgm ships with
PostgreSQL and is a trusted extension (the database owner may create it). SQLite, the single-office
default, keeps its plain scan.
"""

from django.conf import settings
from django.db import migrations, models

TRIGRAM = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS dossier_search_trgm ON dossiers_dossier USING gin (search_text gin_trgm_ops)",
]
TRIGRAM_REVERSE = ["DROP INDEX IF EXISTS dossier_search_trgm"]


def _run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0002_import_runs_fee_kind_result_raw_code'),
        ('dossiers', '0007_alter_dossierevent_action'),
        ('org', '0001_initial'),
        ('workflow', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='dossier',
            name='dossier_user_state_due',
        ),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(condition=models.Q(('state__in', ['awaiting_payment', 'awaiting_supplement', 'processing', 'received', 'submitted'])), fields=['holder_unit', 'due_at', 'id'], name='dossier_unit_open_due'),
        ),
        migrations.AddIndex(
            model_name='dossier',
            index=models.Index(condition=models.Q(('state__in', ['awaiting_payment', 'awaiting_supplement', 'processing', 'received', 'submitted'])), fields=['holder_user', 'due_at', 'id'], name='dossier_user_open_due'),
        ),
        migrations.RunPython(_run(TRIGRAM), _run(TRIGRAM_REVERSE)),
    ]
