"""``motcua national-portal worker|reconcile|resend|status`` — operate the sync with the national portal."""

from __future__ import annotations

import json
from datetime import datetime, time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.integrations import outbox
from motcua.integrations.portal import PortalNotConfigured


def _moment(value: str, *, end: bool) -> datetime:
    """dd/mm/yyyy, yyyy-mm-dd or an ISO instant; a bare day means its start (--from) or end (--to)."""
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            day = datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        return timezone.make_aware(datetime.combine(day, time.max if end else time.min))
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Không hiểu thời điểm {value!r} (dùng dd/mm/yyyy hoặc yyyy-mm-dd).") from None
    return moment if moment.tzinfo else timezone.make_aware(moment)


class Command(BaseCommand):
    help = "Đồng bộ với Cổng Dịch vụ công quốc gia: worker gửi outbox, đối soát, gửi lại, tình trạng."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        worker = sub.add_parser("worker", help="gửi các tin chờ trong outbox (chạy liên tục)")
        worker.add_argument("--once", action="store_true", help="gửi hết những gì đến hạn rồi thoát")
        worker.add_argument("--batch", type=int, default=None, help="số mục tối đa mỗi lần gọi (≤ 100)")
        worker.add_argument("--no-notify", action="store_true", help="không gửi thông báo cho người nộp")
        reconcile = sub.add_parser("reconcile", help="đối soát với danh sách trên Cổng và sửa chênh lệch")
        reconcile.add_argument("--from", dest="start", default=None, help="từ ngày (dd/mm/yyyy)")
        reconcile.add_argument("--to", dest="end", default=None, help="đến ngày (dd/mm/yyyy)")
        reconcile.add_argument("--days", type=int, default=7, help="khi không có --from: số ngày gần nhất")
        resend = sub.add_parser("resend", help="gửi lại tin lỗi (dead) hoặc tin được chỉ định")
        resend.add_argument("ids", nargs="*", type=int, help="mã tin (mặc định: mọi tin lỗi)")
        resend.add_argument("--dossier", default=None, help="chỉ tin của hồ sơ này")
        resend.add_argument(
            "--any-status", action="store_true", help="gửi lại cả tin đã gửi (không chỉ tin lỗi)"
        )
        sub.add_parser("status", help="tình trạng đồng bộ (JSON)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, f"_{action}")(options)
        except PortalNotConfigured as exc:
            raise CommandError(str(exc)) from None

    def _worker(self, options: dict[str, Any]) -> None:
        from motcua.integrations.worker import Worker

        batch = options["batch"]
        if batch is not None and not 1 <= batch <= 100:
            raise CommandError("--batch phải từ 1 đến 100 (hợp đồng: tối đa 100 mục mỗi lần gọi).")
        worker = Worker(batch=batch, notify=not options["no_notify"], write=self._say)
        if options["once"]:
            totals = worker.drain()
            worker.client.close()
        else:
            worker.install_signal_handlers()
            totals = worker.run_forever()
        self._say(
            f"Đã gửi {totals['delivered']}, chờ gửi lại {totals['retry']}, lỗi cần xử lý {totals['dead']} "
            f"({totals['rounds']} lượt)."
        )

    def _reconcile(self, options: dict[str, Any]) -> None:
        from motcua.integrations.reconcile import reconcile

        start = _moment(options["start"], end=False) if options["start"] else None
        end = _moment(options["end"], end=True) if options["end"] else None
        report = reconcile(start, end, days=options["days"])
        self._say(report.summary())
        for label, codes in (
            ("Chưa có trên Cổng (đã gửi lại)", report.missing_on_portal),
            ("Lệch trạng thái (đã gửi lại)", report.state_differs),
            ("Có tin gửi lỗi cần xử lý", report.dead),
            ("Chỉ có trên Cổng", report.unknown_to_httt),
        ):
            if codes:
                self._say(f"  {label}: {', '.join(codes[:50])}{' …' if len(codes) > 50 else ''}")
        for code, count in list(report.events_requeued.items())[:50]:
            self._say(f"  Gửi lại {count} sự kiện của {code}")
        if report.errors:
            raise CommandError("Đối soát chưa hoàn tất: " + "; ".join(report.errors))

    def _resend(self, options: dict[str, Any]) -> None:
        count = outbox.resend(
            options["ids"] or None, dossier_code=options["dossier"], dead_only=not options["any_status"]
        )
        self._say(f"Đã đưa {count} tin trở lại hàng chờ gửi.")

    def _status(self, options: dict[str, Any]) -> None:
        from motcua.integrations.status import sync_status

        self.stdout.write(json.dumps(sync_status(), ensure_ascii=False, indent=2, default=str))

    def _say(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()
