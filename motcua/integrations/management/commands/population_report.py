"""``motcua population-report [--year YYYY]``: lookups in the population database per officer and month."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.integrations.population import report


class Command(BaseCommand):
    help = "Báo cáo số lần tra cứu CSDL quốc gia về dân cư theo cán bộ và tháng."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=None, help="chỉ năm này")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = report(options["year"])
        self.stdout.write("Tháng\tCán bộ\tHọ tên\tTra cứu\tKhớp\tKhông khớp\tLỗi")
        for r in rows:
            self.stdout.write(
                f"{r['month']}\t{r['officer']}\t{r['name']}\t{r['total']}\t{r['matched']}\t"
                f"{r['not_matched']}\t{r['failed']}"
            )
        if not rows:
            self.stdout.write("(chưa có lượt tra cứu nào)")
