"""Benchmark: outbox delivery to the national-portal simulator over loopback HTTP.

    .venv/bin/python -m bench.outbox            # 1,000 dossiers, 60 s at 50 changes/s
    .venv/bin/python -m bench.outbox --quick    # 60 dossiers, 10 s: checks the harness, not the speed

What it measures (docs/integrations.md, "Performance"):

1. **Drain rate** — a backlog of national messages (per dossier: its reception, then four more versions,
   each a HoSo and a progress event) is delivered by the real worker processes (`motcua national-portal
   worker`: 1 on SQLite, 2 on PostgreSQL) to the real simulator process; rate = messages / (last − first
   acknowledgement). Baseline, same run, same simulator: a naive sender that posts one item per request on
   a new connection, in order — what a connector without batching or keep-alive does.
2. **Lag under a steady load** — while the workers run, a paced writer produces 50 dossier changes per
   second (each change writes what a command writes to the outbox: a new HoSo version and a progress
   event, with ``created_at`` = the commit time) for the run's duration; lag = acknowledgement − creation
   per message. Goal: p99 < 5 s. The writer inserts the rows directly so that the offered load is exactly
   50/s whatever the commands' own speed on a shared machine (the command engine has its own benchmark).

Everything runs in a child process on a database of its own (a fresh ``<name>_outbox`` database next to
DATABASE_URL's when it is PostgreSQL, else a temporary SQLite file), so the harness's database is untouched.
``run(quick)`` returns the records ``{metric, value, unit, baseline, ratio, n}``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GOAL_P99_MS = 5000
RATE = 50  # dossier changes per second
NATIONAL = ["national.dossier", "national.progress"]


def _database_url(tmp: Path) -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return f"sqlite:///{tmp / 'outbox-bench.sqlite3'}"
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'motcua'}_outbox"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def _drop_database(url: str) -> None:
    """Drop the benchmark's own PostgreSQL database (it stayed behind until the next run)."""
    if not url.startswith(("postgres://", "postgresql://")):
        return  # SQLite: the file goes with the temporary folder
    import psycopg

    parts = urllib.parse.urlsplit(url)
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


def run(quick: bool = False) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="motcua-outbox-bench-") as tmp:
        url = _database_url(Path(tmp))
        env = {**os.environ, "DATABASE_URL": url, "MOTCUA_VAR_DIR": tmp}
        env["MOTCUA_SIM_DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'sim.sqlite3'}"
        env["MOTCUA_FAST_PASSWORD_HASHER"] = "1"
        argv = [sys.executable, "-m", "bench.outbox", "--child", *(["--quick"] if quick else [])]
        try:
            done = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
        finally:
            _drop_database(url)
        if done.returncode != 0:
            raise RuntimeError(f"bench.outbox failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])


# --- the child: everything below runs with the benchmark's own database --------------------------------


def _start(argv: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "w") as out:
        return subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _start_sim(tmp: Path) -> tuple[subprocess.Popen, str]:
    argv = [sys.executable, "-m", "motcua.cli", "national_portal_sim", "--port", "0", "--population", "50"]
    process = subprocess.Popen(
        argv, cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    assert process.stdout is not None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1)
        if ready:
            line = process.stdout.readline()
            if found := re.search(r"(http://127\.0\.0\.1:\d+)/", line):
                import threading

                threading.Thread(target=lambda: [None for _ in process.stdout], daemon=True).start()  # type: ignore[union-attr]
                return process, found.group(1)
        if process.poll() is not None:
            break
    _stop(process)
    raise RuntimeError("the simulator did not start")


def _undelivered() -> int:
    from motcua.dossiers.models import OutboxMessage

    return (
        OutboxMessage.objects.filter(topic__in=["national.dossier", "national.progress"])
        .exclude(status="delivered")
        .count()
    )


def _wait_drained(timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _undelivered() and time.monotonic() < deadline:
        time.sleep(0.2)
    if _undelivered():
        raise RuntimeError(f"{_undelivered()} messages still undelivered after {timeout:.0f} s")


class Producer:
    """Writes what a command writes to the outbox for one change: a new HoSo version and a progress event."""

    def __init__(self, dossiers: list) -> None:
        from motcua.dossiers.models import OutboxMessage

        self.templates = {}
        for dossier in dossiers:
            rows = OutboxMessage.objects.filter(dossier=dossier).order_by("id")
            hoso = rows.filter(topic="national.dossier").last()
            event = rows.filter(topic="national.progress").last()
            self.templates[dossier.pk] = (hoso, event)
        self.ids = list(self.templates)
        self.counter = 0

    def change(self, index: int, now) -> list:
        from motcua.dossiers.models import OutboxMessage
        from motcua.dossiers.national_view import portal_time

        hoso, event = self.templates[self.ids[index % len(self.ids)]]
        self.counter += 1
        stamp = portal_time(now)
        code = hoso.payload["MaHoSo"]
        common = {"dossier_id": hoso.dossier_id, "event_id": event.event_id, "created_at": now}
        seq = 1000 + self.counter
        version = {**hoso.payload, "ThoiDiemCapNhat": stamp}
        return [
            OutboxMessage(topic="national.dossier", dossier_seq=seq, payload=version, **common),
            OutboxMessage(
                topic="national.progress",
                dossier_seq=seq,
                payload={**event.payload, "MaSuKien": f"{code}-B{self.counter:06d}", "ThoiDiemXuLy": stamp},
                **common,
            ),
        ]  # fmt: skip


def _naive_rate(portal: str, rows: list) -> float:
    """One item per request, a new connection each, in order (dossiers created first)."""
    from motcua.integrations.portal import PortalClient

    token = PortalClient(portal).token()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    created: set[int] = set()
    started = time.perf_counter()
    for row in rows:
        if row.topic == "national.dossier":
            path, key = ("/api/hoso/cap-nhat" if row.dossier_id in created else "/api/hoso/them-moi"), "HoSo"
            created.add(row.dossier_id)
        else:
            path, key = "/api/hoso/tien-trinh", "TienTrinh"
        body = json.dumps({key: [row.payload]}, ensure_ascii=False).encode()
        request = urllib.request.Request(portal + path, data=body, headers=headers, method="POST")
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
    return len(rows) / (time.perf_counter() - started)


def child(quick: bool) -> list[dict[str, Any]]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.db.models import Max, Min
    from django.utils import timezone

    from motcua.dossiers import commands
    from motcua.dossiers.models import OutboxMessage
    from motcua.dossiers.testing import build_world

    tmp = Path(os.environ["MOTCUA_VAR_DIR"])
    call_command("migrate", verbosity=0)
    world = build_world()
    dossiers_n, versions, seconds = (60, 4, 10) if quick else (1000, 4, 60)
    payload = world.receive_payload()
    payload["applicant"] = {**payload["applicant"], "email": "", "phone": ""}  # no notices: national only
    dossiers = [commands.receive_new(world.alice, payload) for _ in range(dossiers_n)]
    producer = Producer(dossiers)
    now = timezone.now()
    OutboxMessage.objects.bulk_create(
        [row for i in range(dossiers_n * versions) for row in producer.change(i, now)], batch_size=1000
    )
    backlog = OutboxMessage.objects.filter(topic__in=["national.dossier", "national.progress"]).count()
    sim, portal = _start_sim(tmp)
    workers_n = 2 if connection.vendor == "postgresql" else 1
    env = {
        **os.environ,
        "MOTCUA_NATIONAL_PORTAL_URL": portal,
        "MOTCUA_NATIONAL_RECONCILE_MINUTES": "0",
        "MOTCUA_NATIONAL_POLL_MS": "20",
    }
    connections.close_all()
    argv = [sys.executable, "-m", "motcua.cli", "national_portal", "worker", "--no-notify"]
    workers = [_start(argv, env, tmp / f"worker-{i}.log") for i in range(workers_n)]
    records: list[dict[str, Any]] = []
    try:
        _wait_drained(600)
        span = OutboxMessage.objects.filter(delivered_at__isnull=False).aggregate(
            a=Min("delivered_at"), b=Max("delivered_at")
        )
        drain_rate = backlog / max(0.001, (span["b"] - span["a"]).total_seconds())
        sample = list(
            OutboxMessage.objects.filter(topic__in=["national.dossier", "national.progress"]).order_by("id")[
                : 300 if not quick else 100
            ]
        )
        # Steady load: RATE changes per second, paced on the wall clock.
        window_start = timezone.now()
        started = time.monotonic()
        produced = 0
        while time.monotonic() - started < seconds:
            due = int((time.monotonic() - started) * RATE)
            if due > produced:
                at = timezone.now()
                OutboxMessage.objects.bulk_create(
                    [r for i in range(produced, due) for r in producer.change(i, at)]
                )
                produced = due
            time.sleep(0.01)
        offered = produced / (time.monotonic() - started)
        _wait_drained(600)
        window = OutboxMessage.objects.filter(created_at__gte=window_start, topic__in=NATIONAL)
        lags = sorted(window.values_list("lag_ms", flat=True))
    finally:
        for worker in workers:
            _stop(worker)
    # The naive baseline on a clean simulator (same process, same machine, right after).
    urllib.request.urlopen(
        urllib.request.Request(portal + "/sim/reset", data=b"{}", method="POST"), timeout=30
    ).read()
    naive = _naive_rate(portal, sample)
    _stop(sim)

    def pct(p: int) -> int:
        return lags[max(0, -(-p * len(lags) // 100) - 1)]

    records.append(
        {"metric": "outbox_drain_rate", "value": round(drain_rate, 1), "unit": "events/s",
         "baseline": round(naive, 1), "ratio": round(drain_rate / naive, 2), "n": backlog,
         "workers": workers_n, "database": connection.vendor}
    )  # fmt: skip
    for p in (50, 99):
        records.append(
            {"metric": f"outbox_lag_p{p}_at_{RATE}_changes_per_s", "value": pct(p), "unit": "ms",
             "baseline": GOAL_P99_MS, "ratio": round(pct(p) / GOAL_P99_MS, 3), "n": len(lags),
             "offered_changes_per_s": round(offered, 1), "seconds": seconds, "workers": workers_n,
             "database": connection.vendor}
        )  # fmt: skip
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.quick)))
        return
    records = run(args.quick)
    for record in records:
        print(json.dumps(record, ensure_ascii=False))
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    stamp = time.strftime("%Y-%m-%d")
    (results / f"{stamp}-outbox{'-quick' if args.quick else ''}.json").write_text(
        json.dumps({"command": " ".join(sys.argv), "records": records}, ensure_ascii=False, indent=2)
    )


if __name__ == "__main__":
    main()
