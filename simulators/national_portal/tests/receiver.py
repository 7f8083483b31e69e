"""A tiny stand-in for the HTTT's inbound endpoints: a real HTTP server on 127.0.0.1, not a mock.

It accepts intake pushes (idempotent on MaHoSoQuocGia, like the contract asks of the HTTT), payment callbacks
and serves a procedure catalogue, records everything it receives, and can be told to fail or be slow.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

INTAKE_PATH = "/api/v1/national-portal/dossiers"
CALLBACK_PATH = "/api/v1/payments/callback"
CATALOGUE_PATH = "/api/v1/national-portal/procedures"


class Receiver:
    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.dossiers: dict[str, str] = {}  # MaHoSoQuocGia → MaHoSo
        self.callbacks: list[dict[str, Any]] = []
        self.fail_next = 0  # answer this many intake pushes with 503
        self.slow_next = 0  # hold this many intake pushes for slow_seconds before answering
        self.slow_seconds = 0.0
        self.known_procedures: set[str] | None = None  # None: accept any MaTTHC
        self.catalogue: list[dict[str, Any]] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for_callbacks(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.callbacks) >= count:
                    return list(self.callbacks)
            time.sleep(0.02)
        with self.lock:
            return list(self.callbacks)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _answer(self, status: int, body: Any) -> None:
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == CATALOGUE_PATH and self.headers.get("X-Api-Key") == receiver.api_key:
                    self._answer(200, {"DanhSachTTHC": receiver.catalogue})
                else:
                    self._answer(404, {"loi": []})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                with receiver.lock:
                    receiver.requests.append(
                        {"path": self.path, "body": body, "key": self.headers.get("X-Api-Key")}
                    )
                if self.headers.get("X-Api-Key") != receiver.api_key:
                    self._answer(401, {"loi": [{"truong": "X-Api-Key", "thong_bao": "sai khóa"}]})
                    return
                if self.path == CALLBACK_PATH:
                    with receiver.lock:
                        receiver.callbacks.append(body)
                    self._answer(200, {"ok": True})
                    return
                if self.path != INTAKE_PATH:
                    self._answer(404, {"loi": []})
                    return
                with receiver.lock:
                    fail = receiver.fail_next > 0
                    receiver.fail_next -= 1 if fail else 0
                    slow = receiver.slow_next > 0
                    receiver.slow_next -= 1 if slow else 0
                if fail:
                    self._answer(503, {"loi": [{"truong": "", "thong_bao": "bảo trì"}]})
                    return
                if slow:
                    time.sleep(receiver.slow_seconds)
                known = receiver.known_procedures
                if known is not None and body.get("MaTTHC") not in known:
                    self._answer(422, {"loi": [{"truong": "MaTTHC", "thong_bao": "thủ tục không có"}]})
                    return
                national = body["MaHoSoQuocGia"]
                with receiver.lock:
                    existing = receiver.dossiers.get(national)
                    if existing is None:
                        receiver.dossiers[national] = f"000.00.00.H56-261127-{len(receiver.dossiers) + 1:04d}"
                    code = receiver.dossiers[national]
                self._answer(200 if existing else 201, {"MaHoSo": code})

        return Handler
