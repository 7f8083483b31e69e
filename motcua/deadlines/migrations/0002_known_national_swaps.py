"""Seed the national swaps that holidays==0.109 does not know yet, so a fresh install counts them.

The New Year 2026 swap (Fri 02/01/2026 off, Sat 10/01/2026 worked) was announced on 25/12/2025, after the
package's data was fixed. Administrators can edit or delete these rows like any other entry.
"""

from datetime import date

from django.db import migrations

SOURCE = "Công văn 12729/VPCP-KGVX ngày 25/12/2025 của Văn phòng Chính phủ"
SEED = [
    (date(2026, 1, 2), "day_off", "Ngày nghỉ (hoán đổi, làm bù thứ Bảy 10/01/2026)"),
    (date(2026, 1, 10), "working_day", "Ngày làm việc bù cho thứ Sáu 02/01/2026"),
]


def seed(apps, schema_editor):
    CalendarEntry = apps.get_model("deadlines", "CalendarEntry")
    for day, kind, name in SEED:
        if not CalendarEntry.objects.filter(scope_key="national", date=day).exists():
            CalendarEntry.objects.create(
                date=day, kind=kind, name=name, source=SOURCE, scope="national", scope_key="national"
            )


def unseed(apps, schema_editor):
    CalendarEntry = apps.get_model("deadlines", "CalendarEntry")
    for day, kind, _name in SEED:
        CalendarEntry.objects.filter(scope_key="national", date=day, kind=kind, source=SOURCE).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
