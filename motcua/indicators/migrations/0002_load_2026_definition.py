"""Load the 2026 index definition (definition_2026.yaml) so every installation can score from day one."""

from django.db import migrations


def load_2026(apps, schema_editor):
    from motcua.indicators.defaults import load_definition

    load_definition(apps)


class Migration(migrations.Migration):
    dependencies = [("indicators", "0001_initial")]

    # No reverse data step: unapplying 0001 drops the tables anyway.
    operations = [migrations.RunPython(load_2026, migrations.RunPython.noop)]
