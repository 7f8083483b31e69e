"""``motcua import-calendar PATH``: load a yearly days-off notice (CSV or JSON) into the calendar overlay."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.deadlines.calendar_import import CalendarImportError, Scope, import_calendar
from motcua.deadlines.models import CalendarEntry


class Command(BaseCommand):
    help = (
        "Nhập lịch ngày nghỉ / ngày làm bù từ tệp CSV (date,kind,name,source) hoặc JSON, "
        "kể cả bảng ngày nghỉ chính thức theo năm. Chạy lại không tạo trùng; tệp lỗi thì không ghi gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Tệp .csv hoặc .json")
        target = parser.add_mutually_exclusive_group()
        target.add_argument("--province", metavar="MÃ", help="Áp dụng cho một tỉnh (mã 2 chữ số)")
        target.add_argument("--agency", metavar="MÃ", help="Áp dụng cho một cơ quan (mã QCVN 102)")
        parser.add_argument("--source", default="", help="Văn bản căn cứ dùng cho các dòng không ghi nguồn")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Cho phép thay mục đã có khác loại (mặc định: báo mâu thuẫn)",
        )
        parser.add_argument("--dry-run", action="store_true", help="Chỉ báo cáo, không ghi")

    def handle(self, *args, **options) -> None:
        from motcua.org.models import AdministrativeUnit, Agency

        scope = Scope()
        if options["province"]:
            province = AdministrativeUnit.objects.filter(code=options["province"]).first()
            if province is None or not province.is_province:
                raise CommandError(f"Không tìm thấy tỉnh, thành phố có mã {options['province']}.")
            scope = Scope(CalendarEntry.Scope.PROVINCE, province=province)
        elif options["agency"]:
            agency = Agency.objects.filter(code=options["agency"]).first()
            if agency is None:
                raise CommandError(f"Không tìm thấy cơ quan có mã {options['agency']}.")
            scope = Scope(CalendarEntry.Scope.AGENCY, agency=agency)
        try:
            report = import_calendar(
                options["path"],
                scope,
                default_source=options["source"],
                replace=options["replace"],
                dry_run=options["dry_run"],
            )
        except CalendarImportError as exc:
            raise CommandError(f"Không nhập được lịch, chưa ghi gì: {exc}") from None
        for line in report.lines():
            self.stdout.write(line)
        if report.added or report.changed:
            self.stdout.write(
                "Lịch đã thay đổi: chạy 'motcua deadlines recompute --dry-run' để xem hạn xử lý nào dời."
                if not options["dry_run"]
                else "(chạy thử: chưa ghi gì)"
            )
