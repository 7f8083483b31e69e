"""``motcua serve``: the whole system as a few child processes that start and stop together.

Children: the web application under gunicorn, and the background worker (django-tasks-db ``db_worker``).
Another package adds a child — the national-portal simulator, say — by defining ``SERVE_CHILDREN`` in its
own ``serve.py``: a list of functions that take the ``ServeOptions`` and return a ``ChildSpec`` (or ``None``
to stay out). They are collected in INSTALLED_APPS order (``motcua.core.hooks``).

Supervision rules: every child runs in its own session (process group) so that the supervisor alone decides
when it stops; Ctrl-C or SIGTERM to the supervisor sends SIGTERM to every child's group, waits a grace
period, then kills what is left. If one child dies on its own, the others are stopped too and the supervisor
exits non-zero: half a system (a web app whose worker is gone) must not look healthy.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    web_processes: int = 1
    threads: int = 4
    worker: bool = True


@dataclass(frozen=True)
class ChildSpec:
    name: str
    argv: Sequence[str]
    env: dict[str, str] = field(default_factory=dict)  # added to the supervisor's environment


ChildFactory = Callable[[ServeOptions], "ChildSpec | None"]


def motcua_command(*args: str) -> list[str]:
    """argv running a ``motcua`` management command with this interpreter (no PATH lookup)."""
    return [sys.executable, "-m", "motcua.cli", *args]


def web_child(options: ServeOptions) -> ChildSpec:
    return ChildSpec(
        "web",
        [
            sys.executable,
            "-m",
            "gunicorn",
            "motcua.wsgi:application",
            "--bind",
            f"{options.host}:{options.port}",
            "--workers",
            str(options.web_processes),
            # Threads, not processes, by default: one process keeps the SQLite demo simple and threads cover
            # the waits on the database and on files.
            "--worker-class",
            "gthread",
            "--threads",
            str(options.threads),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            # Its control socket lives at one path per user: two instances on a machine would fight over it.
            "--no-control-socket",
        ],
    )


def worker_child(options: ServeOptions) -> ChildSpec | None:
    if not options.worker:
        return None
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return None  # the immediate backend runs tasks in the request: nothing to poll
    return ChildSpec("worker", motcua_command("db_worker", "--queue-name", "*", "--no-reload"))


SERVE_CHILDREN: list[ChildFactory] = [web_child, worker_child]


def collect_children(options: ServeOptions) -> list[ChildSpec]:
    from motcua.core.hooks import app_hooks

    specs = [factory(options) for factory in app_hooks("serve", "SERVE_CHILDREN")]
    return [spec for spec in specs if spec is not None]


class Supervisor:
    """Start children, watch them, stop them all together."""

    def __init__(
        self,
        specs: Sequence[ChildSpec],
        *,
        grace: float = 10.0,
        poll: float = 0.2,
        write: Callable[[str], None] = print,
    ) -> None:
        self.specs = list(specs)
        self.grace = grace
        self.poll = poll
        self.write = write
        self.children: list[tuple[ChildSpec, subprocess.Popen]] = []
        self._stop_requested = False

    def start(self) -> None:
        for spec in self.specs:
            env = {**os.environ, **spec.env}
            proc = subprocess.Popen(list(spec.argv), env=env, start_new_session=True)
            self.children.append((spec, proc))
            self.write(f"Đã khởi động {spec.name} (pid {proc.pid})")

    def request_stop(self, signum: int | None = None, frame: object = None) -> None:
        self._stop_requested = True

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)

    def wait(self) -> int:
        """Block until a stop is requested (→ 0) or a child exits (→ its code, at least 1)."""
        exit_code = 0
        while not self._stop_requested:
            for spec, proc in self.children:
                code = proc.poll()
                if code is not None:
                    self.write(f"{spec.name} đã dừng (mã {code}); dừng các tiến trình còn lại.")
                    exit_code = code or 1
                    break
            else:
                time.sleep(self.poll)
                continue
            break
        self.stop_all()
        return exit_code

    def stop_all(self) -> None:
        for _spec, proc in self.children:
            if proc.poll() is None:
                _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        for spec, proc in self.children:
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                self.write(f"{spec.name} không dừng sau {self.grace:g} giây; buộc dừng.")
                _signal_group(proc, signal.SIGKILL)
                proc.wait()
            # The group may still hold grandchildren (gunicorn workers) if the leader died first.
            _signal_group(proc, signal.SIGKILL, quiet=True)

    def run(self) -> int:
        self.install_signal_handlers()
        try:
            self.start()
        except BaseException:
            self.stop_all()
            raise
        return self.wait()


def _signal_group(proc: subprocess.Popen, sig: int, quiet: bool = False) -> None:
    try:
        os.killpg(proc.pid, sig)  # start_new_session=True: the child's pid is its group id
    except ProcessLookupError:
        pass
    except PermissionError:
        if not quiet:
            raise
