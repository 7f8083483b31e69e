"""``motcua import-units PATH [--province CODE] [--dry-run]`` — load the official list of units."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.org.units_import import UnitImportError, import_units, read_units

SHOWN_CHANGES = 30  # beyond this, changes are counted; --verbosity 2 lists them all


def _n(value: int) -> str:
    return f"{value:,}".replace(",", ".")  # Vietnamese thousands separator


class Command(BaseCommand):
    help = (
        "Nhập danh mục đơn vị hành chính (tỉnh và xã, phường, đặc khu) từ tệp JSON danh sách chính thức. "
        "Chạy lại nhiều lần an toàn: chỉ cập nhật phần thay đổi, không tạo trùng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="tệp JSON danh sách đơn vị hành chính")
        parser.add_argument("--province", metavar="CODE", help="chỉ nhập một tỉnh (mã 2 chữ số)")
        parser.add_argument(
            "--dry-run", action="store_true", help="kiểm tra và báo cáo thay đổi nhưng không ghi vào CSDL"
        )

    def handle(self, *args, path: Path, province: str | None, dry_run: bool, verbosity: int, **options):
        try:
            records = read_units(path, province=province)
            report = import_units(records, dry_run=dry_run)
        except UnitImportError as exc:
            raise CommandError(f"{exc} Không có thay đổi nào được ghi.") from None

        prefix = "[Chạy thử, không ghi] " if dry_run else ""
        self.stdout.write(
            f"{prefix}{path}: {_n(report.provinces)} tỉnh, {_n(report.communes)} xã, phường, đặc khu — "
            f"tạo mới {_n(len(report.created))}, cập nhật {_n(len(report.updated))}, "
            f"không đổi {_n(report.unchanged)}."
        )
        shown = report.updated if verbosity >= 2 else report.updated[:SHOWN_CHANGES]
        for change in shown:
            self.stdout.write(f"  cập nhật {change.describe()}")
        if len(shown) < len(report.updated):
            self.stdout.write(
                f"  … và {_n(len(report.updated) - len(shown))} đơn vị cập nhật khác (--verbosity 2)."
            )
        if verbosity >= 2:
            for code in report.created:
                self.stdout.write(f"  tạo mới {code}")
        if report.missing:
            codes = ", ".join(report.missing[:SHOWN_CHANGES])
            more = "…" if len(report.missing) > SHOWN_CHANGES else ""
            self.stdout.write(
                self.style.WARNING(
                    f"{_n(len(report.missing))} đơn vị đang hiệu lực trong CSDL không có trong danh sách "
                    f"(không thay đổi; hãy đặt ngày hết hiệu lực và đơn vị kế thừa trong trang quản trị): "
                    f"{codes}{more}"
                )
            )
