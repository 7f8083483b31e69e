"""(PostgreSQL) A trigram index over the open dossiers only, for the inbox's search box.

Every inbox tab shows open dossiers, so the search box looks for a name or code among open work; the
trigram index over all dossiers (0008) still serves searches across history (the API's list), but at a
million dossiers its posting lists are a million rows long and one search read 880 index pages (13 ms in
PostgreSQL, bench/results/latest-session3-reads-1m-new.md). This one holds only open dossiers, which the
inbox queries imply (`state IN` a subset of the open states), so its size follows the work in hand, not the
years behind it. Closing a dossier takes it out.

Without a pending list (`fastupdate = off`): with one, the entries of a busy day wait there until a vacuum
merges them, and the planner, costing those pending pages, preferred the big index — the benchmark's first
end-to-end run at a million dossiers showed exactly that (319 pending pages, no merged entry). The index is
small, so inserting straight into it costs a command little.

The plain B-tree on `search_text` goes: no query used it (a substring `LIKE '%…%'` cannot), and every
command that rewrites a dossier row paid for it (130 MB at a million dossiers).
"""

from django.db import migrations

# The open states as they were when this was written (`workflow.vocabulary.OPEN_STATES`, as 0008 lists
# them): a migration keeps its own copy, so a later change of the vocabulary cannot rewrite history.
OPEN = "'awaiting_payment', 'awaiting_supplement', 'processing', 'received', 'submitted'"
CREATE = (
    "CREATE INDEX IF NOT EXISTS dossier_open_search_trgm ON dossiers_dossier "
    f"USING gin (search_text gin_trgm_ops) WITH (fastupdate = off) WHERE state IN ({OPEN})"
)
DROP = "DROP INDEX IF EXISTS dossier_open_search_trgm"


def _run(sql):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0008_inbox_open_indexes")]

    operations = [
        migrations.RemoveIndex(model_name="dossier", name="dossier_search_text"),
        migrations.RunPython(_run(CREATE), _run(DROP)),
    ]
