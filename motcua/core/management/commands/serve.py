"""``motcua serve`` — the web application and the background worker, started and stopped together."""

from __future__ import annotations

import socket
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.core.hooks import app_hooks
from motcua.core.serve import ServeOptions, Supervisor, collect_children

READY_TIMEOUT = 30.0  # seconds to wait for the web process to accept connections before saying so


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class Command(BaseCommand):
    help = (
        "Chạy toàn bộ hệ thống: ứng dụng web (gunicorn) và tiến trình xử lý nền, cùng khởi động và cùng "
        "dừng (Ctrl-C)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="cổng (mặc định 8000)")
        parser.add_argument("--processes", type=int, default=1, help="số tiến trình web gunicorn")
        parser.add_argument("--threads", type=int, default=4, help="số luồng mỗi tiến trình web")
        parser.add_argument("--no-worker", action="store_true", help="không chạy tiến trình xử lý nền")
        parser.add_argument(
            "--no-collectstatic", action="store_true", help="bỏ qua collectstatic khi khởi động"
        )

    def handle(self, *args, host, port, processes, threads, no_worker, no_collectstatic, **options):
        if not 0 < port < 65536:
            raise CommandError(f"Cổng {port} không hợp lệ.")
        if _port_open(host, port):
            raise CommandError(f"Cổng {host}:{port} đang được dùng bởi tiến trình khác; chọn --port khác.")
        if not no_collectstatic:
            # WhiteNoise serves what collectstatic gathered: without it the admin has no CSS.
            call_command("collectstatic", interactive=False, verbosity=0)
        opts = ServeOptions(
            host=host, port=port, web_processes=processes, threads=threads, worker=not no_worker
        )
        supervisor = Supervisor(collect_children(opts), write=self.stdout.write)
        supervisor.install_signal_handlers()
        supervisor.start()

        deadline = time.monotonic() + READY_TIMEOUT
        while not _port_open(host, port) and time.monotonic() < deadline:
            if any(proc.poll() is not None for _, proc in supervisor.children):
                break
            time.sleep(0.2)
        if not _port_open(host, port):
            self.stdout.write(self.style.WARNING("Ứng dụng web chưa sẵn sàng; xem nhật ký ở trên."))
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
        self.stdout.write(self.style.SUCCESS(f"\nmotcua đang chạy tại http://{shown_host}:{port}/"))
        self.stdout.write(f"Trang quản trị: http://{shown_host}:{port}/admin/   (Ctrl-C để dừng)")
        for banner in app_hooks("serve", "SERVE_BANNERS"):
            text = banner()
            if text:
                self.stdout.write(text)
        self.stdout.flush()
        code = supervisor.wait()
        self.stdout.write("Đã dừng tất cả tiến trình.")
        if code:
            raise CommandError(f"Một tiến trình con dừng bất thường (mã {code}).", returncode=code)
