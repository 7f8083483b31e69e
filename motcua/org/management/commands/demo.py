"""``motcua demo`` — load (or refresh) the demo province, its staff, citizens and procedures."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.org.demo import run_demo
from motcua.org.demo.accounts import format_accounts


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu: một tỉnh giả định (Hồng Lam), các cơ quan, tài khoản cán bộ cho mọi vai trò, "
        "công dân và khoảng 30 thủ tục. Chạy lại nhiều lần an toàn: lần sau không thay đổi gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="đặt lại mật khẩu mẫu cho các tài khoản mẫu đã bị đổi mật khẩu",
        )

    def handle(self, *args, reset_passwords: bool, verbosity: int, **options):
        if settings.DEPLOYMENT == "production":
            # Demo accounts share a published password: never on a real deployment.
            raise CommandError(
                "Không nạp dữ liệu mẫu khi MOTCUA_ENV=production (tài khoản mẫu có mật khẩu công khai)."
            )
        ctx = run_demo(reset_passwords=reset_passwords, write=self.stdout.write)
        created, updated, unchanged = ctx.total("created"), ctx.total("updated"), ctx.total("unchanged")
        self.stdout.write(
            f"Dữ liệu mẫu: tạo mới {created}, cập nhật {updated}, không đổi {unchanged} bản ghi."
        )
        if verbosity >= 2:
            for (outcome, label), n in sorted(ctx.stats.items()):
                self.stdout.write(f"  {label}: {outcome} {n}")
        if verbosity >= 1:
            self.stdout.write("\nTài khoản mẫu:")
            self.stdout.write(format_accounts(ctx.accounts))
