"""``motcua import-procedures PATH [--report FILE.json] [--publish]`` — see docs/catalogue.md."""

from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from motcua.catalogue.importers.national import SourceError
from motcua.catalogue.importers.runner import import_path, write_report


class Command(BaseCommand):
    help = (
        "Nhập thủ tục hành chính từ danh mục quốc gia: tệp .jsonl/.jsonl.gz, thư mục các tệp .json, "
        "danh sách .xlsx của Cổng, hoặc thư mục chứa chúng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="Tệp .jsonl, .jsonl.gz, .json, .xlsx hoặc thư mục")
        parser.add_argument("--report", metavar="FILE.json", help="Ghi báo cáo JSON từng bản ghi vào tệp này")
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Công bố ngay các phiên bản mới (mặc định: để ở dạng dự thảo)",
        )

    def handle(self, *args, **options) -> None:
        path = Path(options["path"])
        on_terminal = self.stdout.isatty()

        def progress(items):
            # A bar only for a person at a terminal; logs and CI get the summary line alone.
            return tqdm(items, desc="Nhập thủ tục", unit=" bản ghi", file=sys.stderr, disable=not on_terminal)

        try:
            run = import_path(path, publish=options["publish"], progress=progress)
        except SourceError as exc:
            raise CommandError(str(exc)) from None
        for line in run.message.splitlines()[:-1]:
            self.stderr.write(line)
        for record in run.records.filter(status="rejected").order_by("id")[:20]:
            self.stderr.write(f"Bị từ chối — {record.reason}")
        if run.rejected > 20:
            self.stderr.write(f"… và {run.rejected - 20} bản ghi bị từ chối khác (xem báo cáo JSON).")
        if options["report"]:
            write_report(run, options["report"])
        elapsed = run.message.splitlines()[-1] if run.message else ""
        self.stdout.write(f"Nhập từ {path}: {run.summary()}. {elapsed}")
