"""``motcua national-portal-sim --port 8100``: run the national-platforms simulator in this process."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from simulators.national_portal import conf, oidc
from simulators.national_portal.population import SeedMismatch, seed_population
from simulators.national_portal.router import DB_ALIAS


class Command(BaseCommand):
    help = (
        "Chạy mô phỏng các nền tảng quốc gia (DVCQG, thanh toán, kho dữ liệu, dân cư, VNeID) trên cổng riêng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe (mặc định 127.0.0.1)")
        parser.add_argument("--port", type=int, default=conf.DEFAULT_PORT, help="cổng (mặc định 8100)")
        parser.add_argument(
            "--population",
            type=int,
            default=None,
            help="số công dân mô phỏng (mặc định MOTCUA_SIM_POPULATION)",
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="seed sinh dân cư (mặc định MOTCUA_SIM_SEED)"
        )
        parser.add_argument(
            "--replace-population",
            action="store_true",
            help="tạo lại dân cư nếu đã có với seed/số lượng khác",
        )
        parser.add_argument("--no-serve", action="store_true", help="chỉ migrate và tạo dữ liệu rồi thoát")

    def handle(self, *args: Any, **options: Any) -> None:
        host, port = options["host"], options["port"]
        # Only the simulator's own migrations: nothing else lives in its store (see router.py).
        call_command("migrate", "national_portal", database=DB_ALIAS, interactive=False, verbosity=0)
        size = options["population"] or conf.population_size()
        seed = options["seed"] if options["seed"] is not None else conf.population_seed()
        try:
            citizens = seed_population(size, seed, replace=options["replace_population"])
        except (SeedMismatch, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Kho dân cư: {citizens} công dân (seed {seed}).")
        if options["no_serve"]:
            oidc.ensure_client()
            oidc.signing_key()
            return
        from simulators.national_portal.server import make_server

        server = make_server(host, port)
        bound = server.server_address[1]
        # The issuer, payment pages and links must name the port actually bound (e.g. --port 0 in tests).
        os.environ.setdefault("MOTCUA_SIM_PUBLIC_URL", f"http://{host}:{bound}")
        # A test identity provider over plain http, also when reached by a name other than loopback. Set in
        # this process only: the HTTT's own OIDC client must keep insisting on https.
        os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")
        oidc.ensure_client()
        oidc.signing_key()
        self.stdout.write(f"Mô phỏng nền tảng quốc gia đang chạy tại http://{host}:{bound}/ (Ctrl+C để dừng)")
        self.stdout.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
