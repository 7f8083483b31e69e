"""The default Vietnamese notification templates, editable in the admin afterwards."""

from django.db import migrations


def load(apps, schema_editor):
    from motcua.integrations.notifications import DEFAULT_TEMPLATES

    Template = apps.get_model("integrations", "NotificationTemplate")
    for key, (subject, body, sms) in DEFAULT_TEMPLATES.items():
        Template.objects.get_or_create(key=key, channel="email", defaults={"subject": subject, "body": body})
        Template.objects.get_or_create(key=key, channel="sms", defaults={"subject": "", "body": sms})


class Migration(migrations.Migration):
    dependencies = [("integrations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
