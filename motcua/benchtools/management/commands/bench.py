"""``motcua bench generate --dossiers N [--seed S]`` — fill the database with a province-year of dossiers."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.benchtools.generate import generate


class Command(BaseCommand):
    help = (
        "Công cụ đo hiệu năng. `motcua bench generate --dossiers N`: sinh hồ sơ của một năm cho một tỉnh "
        "(đơn vị hành chính thật, ~300 thủ tục, đủ các nhánh xử lý), ghi đúng như các lệnh nghiệp vụ ghi "
        "(sự kiện, chuỗi băm, outbox) — chỉ dùng cho cơ sở dữ liệu đo hiệu năng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("verb", choices=["generate"])
        parser.add_argument("--dossiers", type=int, required=True, help="số hồ sơ cần sinh")
        parser.add_argument("--seed", type=int, default=2026, help="hạt giống ngẫu nhiên (mặc định 2026)")
        parser.add_argument("--province", help="mã tỉnh trong danh sách chính thức (mặc định 56)")
        parser.add_argument("--procedures", type=int, default=300, help="số thủ tục dùng (mặc định 300)")
        parser.add_argument(
            "--workers", type=int, default=2, help="số tiến trình sinh song song (PostgreSQL)"
        )
        parser.add_argument("--until", help="năm dữ liệu kết thúc lúc này (ISO 8601; mặc định: bây giờ)")
        parser.add_argument(
            "--no-index",
            action="store_true",
            help="không tính lại bộ đếm chỉ số phục vụ (nhanh hơn; chạy `motcua index rebuild` sau)",
        )

    def handle(
        self, *args, dossiers: int, seed: int, province, procedures: int, workers: int, until, **options
    ):
        from django.conf import settings

        if settings.DEPLOYMENT == "production":
            raise CommandError("Không sinh dữ liệu đo hiệu năng khi MOTCUA_ENV=production.")
        if dossiers < 1:
            raise CommandError("--dossiers phải lớn hơn 0.")
        if workers < 1:
            raise CommandError("--workers phải lớn hơn 0.")
        end = None
        if until:
            try:
                end = datetime.fromisoformat(until)
            except ValueError:
                raise CommandError(f"--until '{until}' không phải thời điểm ISO 8601.") from None
            if end.tzinfo is None:
                raise CommandError("--until phải có múi giờ, ví dụ 2026-11-27T17:00:00+07:00.")
        stats = generate(
            dossiers,
            seed=seed,
            province=province,
            procedures=procedures,
            workers=workers,
            until=end,
            index=not options["no_index"],
            write=self.stdout.write,
        )
        rate = stats.dossiers / stats.seconds if stats.seconds else 0
        late = f"{100 * stats.late / stats.finished:.1f}%" if stats.finished else "—"
        self.stdout.write(
            f"Đã sinh {stats.dossiers:,} hồ sơ, {stats.events:,} sự kiện, {stats.outbox:,} tin outbox trong "
            f"{stats.seconds:.1f} giây ({rate:,.0f} hồ sơ/giây). Trễ hạn: {late} hồ sơ đã xử lý xong."
        )
        self.stdout.write("Trạng thái: " + ", ".join(f"{k} {v:,}" for k, v in stats.states.most_common()))
        self.stdout.write("Kênh: " + ", ".join(f"{k} {v:,}" for k, v in stats.channels.most_common()))
        self.stdout.write("Nhánh: " + ", ".join(f"{k} {v:,}" for k, v in stats.branches.most_common()))
