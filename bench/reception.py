"""Reception over HTTP: POST /api/v1/dossiers under gunicorn with 32 concurrent clients (wrk), p50/p99.

Baseline: GET /bench/ping, a constant JSON answer served by the same gunicorn (bench/_server_urls.py, not
in the product): the same processes, middleware and connection handling with no work in the view. Each
POST is a real counter reception (`commands.receive_new`: dossier code, components, fees, due date, event,
outbox) authenticated by a staff API token. The two are measured alternately, twice each (full mode).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ._common import database_url, record

CLIENTS = 32
FULL = {"seconds": 15, "rounds": 2, "workers": 4, "threads": 4, "warm": 3, "clients": CLIENTS}
QUICK = {"seconds": 3, "rounds": 1, "workers": 2, "threads": 4, "warm": 1, "clients": 8}
ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO = 0.30
GOAL_P99_MS = 300.0

COUNTERS = 16  # a province receives at many counters at once; one counter's numbering is serialised
LUA = """
local bodies = {%s}
local tokens = {%s}
local i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json",
                                  ["Authorization"] = "Bearer " .. tokens[i]}, bodies[i])
end
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not listen on {port} within {timeout:.0f} s")


def _wrk(url: str, seconds: int, script: Path | None = None, clients: int = CLIENTS) -> dict:
    cmd = ["wrk", "-t", "2", "-c", str(clients), "-d", f"{seconds}s", "--latency", "--timeout", "10s"]
    if script is not None:
        cmd += ["-s", str(script)]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    pct = {}
    for label, value, unit in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M):
        scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
        pct[label] = float(value) * scale
    return {
        "rate": rate,
        "requests": requests,
        "non_2xx": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1).strip() if errors else "",
        "p50_ms": pct.get("50"),
        "p99_ms": pct.get("99"),
        "raw": out,
    }


def run(quick: bool) -> list[dict]:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is missing: bash scripts/ensure-debian-packages.sh wrk (make bench does it)")
    from motcua.api.models import ApiToken

    from ._world import ensure_cast

    plan = QUICK if quick else FULL
    cast = ensure_cast(quick)
    counters = cast.counters[:COUNTERS]
    tokens = [ApiToken.issue(desk, "benchmark")[1] for _point, desk in counters]
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench._server_settings",
        "DATABASE_URL": database_url(),
        "DEBUG": "0",
    }
    server = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "bench._server_wsgi:application",
            "--workers",
            str(plan["workers"]),
            "--threads",
            str(plan["threads"]),
            "--worker-class",
            "gthread",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--preload",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait(port)
        base = f"http://127.0.0.1:{port}"
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "post.lua"
            bodies = [
                json.dumps(cast.payload(4242 + i, point), ensure_ascii=False)
                for i, (point, _d) in enumerate(counters)
            ]
            script.write_text(
                LUA % (", ".join(f"[[{b}]]" for b in bodies), ", ".join(f'"{t}"' for t in tokens)),
                encoding="utf-8",
            )
            _wrk(
                f"{base}/bench/ping", plan["warm"]
            )  # warm every worker's threads and connections, off the record
            _wrk(f"{base}/api/v1/dossiers", plan["warm"], script, plan["clients"])
            trivial, post = [], []
            for _round in range(plan["rounds"]):
                trivial.append(_wrk(f"{base}/bench/ping", plan["seconds"], None, plan["clients"]))
                post.append(_wrk(f"{base}/api/v1/dossiers", plan["seconds"], script, plan["clients"]))
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    rate = sum(r["requests"] for r in post) / (plan["seconds"] * len(post))
    base_rate = sum(r["requests"] for r in trivial) / (plan["seconds"] * len(trivial))
    p50 = max(r["p50_ms"] or 0 for r in post)
    p99 = max(r["p99_ms"] or 0 for r in post)
    failures = sum(r["non_2xx"] for r in post)
    server_desc = (
        f"gunicorn {plan['workers']} workers × {plan['threads']} threads, wrk {plan['clients']} connections, "
        f"{len(counters)} counters"
    )
    return [
        record(
            "reception_http_throughput",
            rate,
            "dossiers/s",
            baseline=base_rate,
            baseline_name=f"GET /bench/ping on the same server ({server_desc})",
            n=sum(r["requests"] for r in post),
            goal=f"ratio >= {GOAL_RATIO}",
            goal_met=bool(base_rate) and rate / base_rate >= GOAL_RATIO and failures == 0,
            non_2xx=failures,
            socket_errors=[r["socket_errors"] for r in post if r["socket_errors"]],
        ),
        record(
            "reception_http_p99",
            p99,
            "ms",
            baseline=max(r["p99_ms"] or 0 for r in trivial),
            baseline_name="p99 of GET /bench/ping",
            n=sum(r["requests"] for r in post),
            goal=f"p99 < {GOAL_P99_MS:g} ms",
            goal_met=p99 < GOAL_P99_MS,
            higher_is_better=False,
            p50_ms=p50,
        ),
    ]
