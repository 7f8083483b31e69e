"""Fixtures: the simulator as a real server process, a database worker processes can share, workers."""

from __future__ import annotations

import copy
import json
import os
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from django.db.utils import load_backend

ROOT = Path(__file__).resolve().parents[3]

# Fast clocks for tests: backoff, lease, breaker and polling in milliseconds instead of seconds.
FAST = {
    "MOTCUA_NATIONAL_BACKOFF_BASE_MS": "50",
    "MOTCUA_NATIONAL_BACKOFF_MAX_SECONDS": "1",
    "MOTCUA_NATIONAL_TIMEOUT_SECONDS": "1",
    "MOTCUA_NATIONAL_CLAIM_LEASE_SECONDS": "3",
    "MOTCUA_NATIONAL_BREAKER_THRESHOLD": "5",
    "MOTCUA_NATIONAL_BREAKER_COOLDOWN_MS": "300",
    "MOTCUA_NATIONAL_POLL_MS": "50",
    "MOTCUA_NATIONAL_RECONCILE_MINUTES": "0",
    # With 30 % failures a message needs several tries; dead letters are tested on their own.
    "MOTCUA_NATIONAL_MAX_ATTEMPTS": "200",
}


class Sim:
    """A running simulator process (motcua national-portal-sim) and its /sim/ controls."""

    def __init__(self, process: subprocess.Popen, url: str, store: Path) -> None:
        self.process = process
        self.url = url
        self.store = store  # its SQLite file (tests read seeded citizens from it)

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=120) as response:
            return json.loads(response.read() or b"null")

    def faults(self, **values: Any) -> Any:
        return self._call("POST", "/sim/faults", values)

    def stats(self) -> Any:
        return self._call("GET", "/sim/stats")

    def export(self) -> Any:
        return self._call("GET", "/sim/export")

    def reset(self) -> Any:
        return self._call("POST", "/sim/reset", {})

    def sms(self) -> list[dict[str, Any]]:
        return self._call("GET", "/sim/sms")["TinNhan"]

    def submit(self, **options: Any) -> Any:
        return self._call("POST", "/sim/submit", options)


def start_sim(tmp: Path, env: dict[str, str] | None = None, population: int = 60) -> Sim:
    environment = {
        **os.environ,
        "MOTCUA_VAR_DIR": str(tmp),
        "MOTCUA_SIM_DATABASE_URL": f"sqlite:///{tmp / 'sim.sqlite3'}",
        "PYTHONUNBUFFERED": "1",
        **(env or {}),
    }
    environment.pop("DATABASE_URL", None)  # the simulator touches only its own store
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "motcua.cli",
            "national_portal_sim",
            "--port",
            "0",
            "--population",
            str(population),
        ],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + 90
    lines = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1)
        if not ready:
            if process.poll() is not None:
                break
            continue
        line = process.stdout.readline()
        lines.append(line)
        found = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
        if found:
            # Keep reading its output in the background so the pipe never fills and blocks the server.
            _drain(process)
            return Sim(process, found.group(1), tmp / "sim.sqlite3")
        if not line and process.poll() is not None:
            break
    stop_process(process)
    raise RuntimeError("the simulator did not start:\n" + "".join(lines))


def _drain(process: subprocess.Popen) -> None:
    import threading

    def read() -> None:
        assert process.stdout is not None
        for _ in process.stdout:
            pass

    threading.Thread(target=read, daemon=True).start()


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        else:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    if process.stdout is not None:
        process.stdout.close()


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    """The simulator as a real server process on a free loopback port, for the whole module."""
    handle = start_sim(tmp_path_factory.mktemp("sim"))
    try:
        yield handle
    finally:
        stop_process(handle.process)


@pytest.fixture
def portal(sim: Sim, settings: Any) -> Sim:
    """A clean simulator with no faults, and this process's connector pointed at it with fast clocks."""
    sim.reset()
    settings.MOTCUA_NATIONAL_PORTAL_URL = sim.url
    settings.MOTCUA_POPULATION_URL = sim.url
    settings.MOTCUA_SMS_GATEWAY_URL = f"{sim.url}/sim/sms"
    for name, value in FAST.items():
        setattr(settings, name, int(value))
    return sim


@pytest.fixture
def shared_db(transactional_db: None, tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL other processes (workers) can open, holding what this test writes.

    PostgreSQL: the test database itself. SQLite: the migrated schema is copied to a file and this process
    works on that file for the test's duration (an in-memory database cannot be shared, and the copy also
    spares the test database a flush of the append-only event table, which SQLite cannot do).
    """
    conn = connections["default"]
    settings_dict = conn.settings_dict
    if conn.vendor == "postgresql":
        auth = settings_dict["USER"] or ""
        if settings_dict.get("PASSWORD"):
            auth += f":{settings_dict['PASSWORD']}"
        host = settings_dict.get("HOST") or "127.0.0.1"
        port = settings_dict.get("PORT") or 5432
        yield f"postgres://{auth}@{host}:{port}/{settings_dict['NAME']}"
        return
    conn.ensure_connection()
    path = tmp_path / "httt.sqlite3"
    target = sqlite3.connect(path)
    conn.connection.backup(target)
    target.close()
    file_settings = copy.deepcopy(settings_dict)
    file_settings["NAME"] = str(path)
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(file_settings, "default")
    connections["default"] = wrapper
    try:
        yield f"sqlite:///{path}"
    finally:
        wrapper.close()
        connections["default"] = conn


class Workers:
    """Worker processes (motcua national-portal worker) against the shared database and the simulator."""

    def __init__(
        self, database_url: str, portal_url: str, log_dir: Path, extra: dict[str, str] | None = None
    ):
        self.env = {
            **os.environ,
            **FAST,
            "DATABASE_URL": database_url,
            "MOTCUA_NATIONAL_PORTAL_URL": portal_url,
            "MOTCUA_VAR_DIR": str(log_dir),
            "MOTCUA_SIM_DATABASE_URL": f"sqlite:///{log_dir / 'unused-sim.sqlite3'}",
            "PYTHONUNBUFFERED": "1",
            **(extra or {}),
        }
        self.log_dir = log_dir
        self.processes: list[subprocess.Popen] = []
        self.started = 0

    def start(self, count: int = 1) -> None:
        for _ in range(count):
            self.started += 1
            with open(self.log_dir / f"worker-{self.started}.log", "w") as log:  # the child keeps its copy
                self.processes.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "motcua.cli", "national_portal", "worker", "--no-notify"],
                        cwd=ROOT,
                        env=self.env,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,
                    )
                )

    def kill(self, index: int = 0) -> None:
        """SIGKILL: no clean-up at all, whatever the worker was doing."""
        process = self.processes.pop(index)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def stop(self) -> None:
        while self.processes:
            stop_process(self.processes.pop())

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.log_dir.glob("worker-*.log")))


@pytest.fixture
def workers(shared_db: str, portal: Sim, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(shared_db, portal.url, tmp_path)
    try:
        yield pool
    finally:
        pool.stop()
