"""motcua serve's child management: start together, stop together, never leave an orphan."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from motcua.core import serve
from motcua.core.serve import ChildSpec, ServeOptions, Supervisor, collect_children

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
STUBBORN = [
    sys.executable,
    "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); print('ready', flush=True); "
    "time.sleep(60)",
]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def quiet(_text: str) -> None:
    pass


def test_a_stop_request_terminates_every_child_and_returns_zero():
    sup = Supervisor([ChildSpec("a", SLEEPER), ChildSpec("b", SLEEPER)], write=quiet, poll=0.05)
    sup.start()
    pids = [p.pid for _, p in sup.children]
    sup.request_stop()

    assert sup.wait() == 0
    assert all(p.returncode is not None for _, p in sup.children)
    assert not any(alive(pid) for pid in pids)


def test_when_one_child_dies_the_others_are_stopped_and_its_code_returned():
    dying = ChildSpec("dying", [sys.executable, "-c", "import sys, time; time.sleep(0.3); sys.exit(3)"])
    messages = []
    sup = Supervisor([ChildSpec("web", SLEEPER), dying], write=messages.append, poll=0.05)
    sup.start()

    assert sup.wait() == 3
    web = sup.children[0][1]
    assert web.returncode == -signal.SIGTERM
    assert any("dying đã dừng (mã 3)" in m for m in messages)


def test_a_child_exiting_cleanly_on_its_own_still_counts_as_a_failure():
    sup = Supervisor([ChildSpec("quick", [sys.executable, "-c", "pass"])], write=quiet, poll=0.05)
    sup.start()
    assert sup.wait() == 1


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period():
    sup = Supervisor([ChildSpec("stubborn", STUBBORN)], write=quiet, grace=0.5, poll=0.05)
    sup.children = []
    proc = subprocess.Popen(STUBBORN, stdout=subprocess.PIPE, text=True, start_new_session=True)
    sup.children.append((sup.specs[0], proc))
    assert proc.stdout.readline().strip() == "ready"  # its SIGTERM handler is in place
    started = time.monotonic()

    sup.stop_all()
    proc.stdout.close()

    assert proc.returncode == -signal.SIGKILL
    assert time.monotonic() - started < 5


def test_sigterm_to_the_supervisor_process_stops_it_and_its_children(tmp_path):
    script = textwrap.dedent(
        f"""
        import sys
        from motcua.core.serve import ChildSpec, Supervisor
        sleeper = {SLEEPER!r}
        sup = Supervisor([ChildSpec("a", sleeper), ChildSpec("b", sleeper)], poll=0.05, write=lambda s: None)
        sup.install_signal_handlers()
        sup.start()
        print(" ".join(str(p.pid) for _, p in sup.children), flush=True)
        sys.exit(sup.wait())
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env={**os.environ}
    )
    pids = [int(pid) for pid in proc.stdout.readline().split()[-2:]]
    assert all(alive(pid) for pid in pids)

    proc.send_signal(signal.SIGTERM)

    assert proc.wait(timeout=15) == 0
    proc.stdout.close()
    assert not any(alive(pid) for pid in pids)


def test_the_children_are_the_web_app_and_the_worker():
    names = [spec.name for spec in collect_children(ServeOptions(port=8123))]
    assert names[:2] == ["web", "worker"]
    web = collect_children(ServeOptions(port=8123, threads=6))[0]
    assert "127.0.0.1:8123" in web.argv
    assert web.argv[web.argv.index("--threads") + 1] == "6"


def test_no_worker_child_without_a_database_queue_or_when_asked():
    assert "worker" not in [s.name for s in collect_children(ServeOptions(worker=False))]
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(TASKS=immediate):
        assert "worker" not in [s.name for s in collect_children(ServeOptions())]


def test_another_package_adds_a_child_through_the_hook(monkeypatch):
    sim = ChildSpec("national-portal-sim", SLEEPER)
    monkeypatch.setattr(
        "motcua.core.hooks.app_hooks",
        lambda module, attr: [*serve.SERVE_CHILDREN, lambda options: sim] if attr == "SERVE_CHILDREN" else [],
    )
    assert [s.name for s in collect_children(ServeOptions())][-1] == "national-portal-sim"


def test_serve_refuses_a_port_already_in_use():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match="đang được dùng"):
            call_command("serve", "--port", str(port), "--no-collectstatic")
