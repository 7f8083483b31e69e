"""``motcua deadlines``: operator commands for the working calendar.

motcua deadlines recompute [--dry-run]     recompute due dates of open dossiers, report what moved
motcua deadlines days-off --year 2026 [--agency CODE]
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.deadlines.loader import calendar_for, scopes_for
from motcua.deadlines.recompute import recompute, recompute_providers


class Command(BaseCommand):
    help = "Lịch làm việc: tính lại hạn xử lý (recompute), xem ngày nghỉ trong năm (days-off)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        again = sub.add_parser("recompute", help="Tính lại hạn xử lý của hồ sơ chưa kết thúc")
        again.add_argument("--dry-run", action="store_true", help="Chỉ báo cáo, không ghi")
        days = sub.add_parser("days-off", help="Liệt kê ngày nghỉ và ngày làm bù của một năm")
        days.add_argument("--year", type=int, default=date.today().year)
        days.add_argument("--agency", metavar="MÃ", help="Mã QCVN 102 của cơ quan")

    def handle(self, *args, **options) -> None:
        if options["action"] == "recompute":
            if not recompute_providers():
                self.stdout.write("Chưa có gói nào đăng ký hạn xử lý để tính lại (chưa có hồ sơ).")
                return
            report = recompute(dry_run=options["dry_run"])
            for line in report.lines():
                self.stdout.write(line)
            if report.errors:
                raise CommandError(f"{len(report.errors)} hạn xử lý không tính lại được (xem ở trên).")
            return
        agency = None
        if options["agency"]:
            from motcua.org.models import Agency

            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"Không tìm thấy cơ quan có mã {options['agency']}.")
        year = options["year"]
        if not 1900 <= year <= 2100:
            raise CommandError("Năm phải trong khoảng 1900–2100.")
        calendar = calendar_for(agency=agency)
        self.stdout.write(f"Lịch {scopes_for(agency)[1]}, năm {year}, giờ làm việc {calendar.office_hours}")
        for day, name in calendar.days_off_between(date(year, 1, 1), date(year, 12, 31)):
            if day.weekday() < 5:
                source = calendar.day_source(day)
                self.stdout.write(
                    f"  nghỉ     {day:%a %d/%m/%Y}  {name}" + (f"  [{source}]" if source else "")
                )
        for day in calendar.working_days_in(year):
            if day.weekday() >= 5:
                source = calendar.day_source(day)
                name = calendar.day_name(day)
                self.stdout.write(
                    f"  làm bù   {day:%a %d/%m/%Y}  {name}" + (f"  [{source}]" if source else "")
                )
        self.stdout.write(f"{len(calendar.working_days_in(year))} ngày làm việc.")
