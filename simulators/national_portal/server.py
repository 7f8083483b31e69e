"""The simulator's HTTP server: Django's threaded WSGI server, able to really drop a connection.

Injected resets and timeouts must look to the HTTT like what they imitate — no answer at all, then a TCP
reset — which a WSGI application cannot do on its own. A view asks for it with the X-Sim-Drop header
(see api.drop_response); the handler here swallows that response, holds the connection for the requested
time, and closes the socket with SO_LINGER 0 so the peer gets an RST.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
import time
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.core.servers import basehttp
from django.http import HttpRequest, HttpResponseBase

from simulators.national_portal.api import DROP_HEADER

URLCONF = "simulators.national_portal.urls"
log = logging.getLogger(__name__)


class SimulatorWSGIHandler(WSGIHandler):
    """Serves the simulator's URLconf whatever ROOT_URLCONF says (the HTTT's settings module is reused)."""

    def get_response(self, request: HttpRequest) -> HttpResponseBase:
        request.urlconf = URLCONF
        return super().get_response(request)


def parse_drop(value: str) -> tuple[str, int]:
    kind, _, rest = value.partition(";")
    hold_ms = 0
    if rest.startswith("hold_ms="):
        try:
            hold_ms = max(0, int(rest.removeprefix("hold_ms=")))
        except ValueError:
            hold_ms = 0
    return kind, hold_ms


class DroppingServerHandler(basehttp.ServerHandler):
    def finish_response(self) -> None:
        drop = self.headers.get(DROP_HEADER) if self.headers is not None else None
        if drop is None:
            super().finish_response()
            return
        # Nothing of this response may reach the client: consume and discard it, then ask for the drop.
        try:
            for _chunk in self.result or ():
                pass
        finally:
            self.request_handler.sim_drop = parse_drop(drop)
            self.close()


class DroppingRequestHandler(basehttp.WSGIRequestHandler):
    sim_drop: tuple[str, int] | None = None

    def handle(self) -> None:
        self.sim_drop = None
        self.close_connection = True
        self.handle_one_request()
        while not self.close_connection and self.sim_drop is None:
            self.handle_one_request()
        if self.sim_drop is not None:
            self._drop(*self.sim_drop)
            return
        with contextlib.suppress(AttributeError, OSError):
            self.connection.shutdown(socket.SHUT_WR)

    def handle_one_request(self) -> None:
        """Django's own, with the dropping ServerHandler."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = ""
            self.request_version = ""
            self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = DroppingServerHandler(self.rfile, self.wfile, self.get_stderr(), self.get_environ())
        handler.request_handler = self
        handler.run(self.server.get_app())

    def _drop(self, kind: str, hold_ms: int) -> None:
        if hold_ms:
            time.sleep(hold_ms / 1000)
        try:
            # Linger on with a zero timeout: close() sends RST instead of a polite FIN.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.rfile.close()
            self.connection.close()
        except OSError:
            pass
        log.info("Dropped the connection from %s (%s after %d ms)", self.client_address[0], kind, hold_ms)

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # the socket is already gone after a drop
            super().finish()


class SimulatorServer(basehttp.ThreadedWSGIServer):
    """One thread per connection, so a held "timeout" connection never blocks the others."""

    daemon_threads = True
    request_queue_size = 128


def make_server(host: str, port: int, **kwargs: Any) -> SimulatorServer:
    server = SimulatorServer((host, port), DroppingRequestHandler, **kwargs)
    server.set_app(SimulatorWSGIHandler())
    return server
