"""Drop six single-column foreign-key indexes that a composite index already serves.

Each leads another index (the unique (dossier, seq) on events, `outbox_dossier_seq`, `dossier_unit_state_due`,
`dossier_reception_state`, `dossier_agency_received`), or, for the outbox's event, is read by nothing (events
are never deleted, so its key's delete check never runs). Every dossier writes ~17 outbox rows and ~9 events,
so these were ~36 index entries per dossier for no reader (docs/performance.md §4).

The fields change in Django's state only; the database drops the indexes by name. An AlterField on SQLite
rebuilds the whole table, which would drop the events table's append-only triggers (migration 0003) with it.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = {
    "dossiers_dossier_competent_agency_id_a13707a3": ("dossiers_dossier", "competent_agency_id"),
    "dossiers_dossier_holder_unit_id_dfd30332": ("dossiers_dossier", "holder_unit_id"),
    "dossiers_dossier_reception_point_id_889af114": ("dossiers_dossier", "reception_point_id"),
    "dossiers_dossierevent_dossier_id_90237d93": ("dossiers_dossierevent", "dossier_id"),
    "dossiers_outboxmessage_dossier_id_8b9dbb4b": ("dossiers_outboxmessage", "dossier_id"),
    "dossiers_outboxmessage_event_id_0eec1e43": ("dossiers_outboxmessage", "event_id"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0009_open_search_trigram"),
        ("org", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"', f'CREATE INDEX "{name}" ON "{table}" ("{column}")'
                )
                for name, (table, column) in INDEXES.items()
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="dossier",
                    name="competent_agency",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.agency",
                        verbose_name="cơ quan có thẩm quyền",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="holder_unit",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.agency",
                        verbose_name="đơn vị đang giữ",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="reception_point",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.receptionpoint",
                        verbose_name="nơi tiếp nhận",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossierevent",
                    name="dossier",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="dossiers.dossier",
                    ),
                ),
                migrations.AlterField(
                    model_name="outboxmessage",
                    name="dossier",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="outbox",
                        to="dossiers.dossier",
                    ),
                ),
                migrations.AlterField(
                    model_name="outboxmessage",
                    name="event",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="outbox",
                        to="dossiers.dossierevent",
                    ),
                ),
            ],
        ),
    ]
