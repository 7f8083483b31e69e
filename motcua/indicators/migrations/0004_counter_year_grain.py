# Year-grain counters: a year's index reads one row per unit and procedure instead of twelve. Existing
# month rows are summed into year rows here, in SQL, so an upgraded database needs no rebuild.

from django.db import migrations, models

COLUMNS = (
    "dossiers", "on_time", "late", "open", "online", "online_scored", "doc_result", "e_result", "fee_due",
    "paid_online", "digitised", "reused", "national_store", "population", "synchronised",
    "b06_received_online", "b06_received_offline", "b06_early", "b06_on_time", "b06_late", "b06_overdue_from",
)


def sum_months_into_years(apps, schema_editor):
    connection = schema_editor.connection
    q = connection.ops.quote_name
    table = q("indicators_indexcounter")
    year = (
        "CAST(date_trunc('year', day) AS date)" if connection.vendor == "postgresql" else "date(day, 'start of year')"
    )
    names = ", ".join(q(c) for c in COLUMNS)
    sums = ", ".join(f"SUM({q(c)})" for c in COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE grain = 'y'")
        cursor.execute(
            f"INSERT INTO {table} (grain, agency_id, day, procedure_id, {names}) "
            f"SELECT 'y', agency_id, {year}, procedure_id, {sums} FROM {table} WHERE grain = 'm' "
            f"GROUP BY agency_id, {year}, procedure_id"
        )


def drop_years(apps, schema_editor):
    apps.get_model("indicators", "IndexCounter").objects.filter(grain="y").delete()


class Migration(migrations.Migration):

    dependencies = [
        ('indicators', '0003_aggregates'),
    ]

    operations = [
        migrations.AlterField(
            model_name='indexcounter',
            name='grain',
            field=models.CharField(choices=[('d', 'Ngày'), ('m', 'Tháng'), ('y', 'Năm')], max_length=1),
        ),
        migrations.RunPython(sum_months_into_years, drop_years),
    ]
