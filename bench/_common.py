"""Helpers shared by the benchmark modules (not a benchmark itself: the harness skips `_*.py`)."""

from __future__ import annotations

import math
import multiprocessing
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def record(
    metric: str,
    value: float,
    unit: str,
    *,
    baseline: float | None = None,
    baseline_name: str = "",
    n: int | None = None,
    goal: str = "",
    goal_met: bool | None = None,
    higher_is_better: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """One result row: {metric, value, unit, baseline, ratio, n, …} (ratio = value / baseline)."""
    ratio = round(value / baseline, 3) if baseline else None
    row: dict[str, Any] = {
        "metric": metric,
        "value": round(value, 3) if isinstance(value, float) else value,
        "unit": unit,
        "baseline": round(baseline, 3) if isinstance(baseline, float) else baseline,
        "baseline_name": baseline_name,
        "ratio": ratio,
        "n": n,
        "higher_is_better": higher_is_better,
    }
    if goal:
        row["goal"] = goal
        row["goal_met"] = goal_met
    row.update(extra)
    return row


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100), nearest rank: what an SLO means by "p99"."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_ms(latencies_s: list[float]) -> dict[str, float]:
    ms = [x * 1000 for x in latencies_s]
    return {
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "mean_ms": round(statistics.fmean(ms), 2) if ms else math.nan,
        "count": len(ms),
    }


def conninfo() -> str:
    """libpq connection string of Django's default database (the test database under pytest)."""
    from django.db import connection

    s = connection.settings_dict
    parts = {
        "dbname": s["NAME"],
        "user": s.get("USER") or "",
        "password": s.get("PASSWORD") or "",
        "host": s.get("HOST") or "",
        "port": str(s.get("PORT") or ""),
    }
    return " ".join(f"{k}={v}" for k, v in parts.items() if v)


def database_url() -> str:
    s = __import__("django.db", fromlist=["connection"]).connection.settings_dict
    auth = s.get("USER") or "postgres"
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}"


def recreate_database(name: str, *, create: bool = True, template: str | None = None) -> None:
    """Drop the database `name` on the current server (connections and all), then create it again — empty, or
    as a copy of `template` — unless `create` is False."""
    import psycopg
    from django.db import connection
    from psycopg import sql

    admin = conninfo().replace(f"dbname={connection.settings_dict['NAME']}", "dbname=postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
            if template:
                statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
            conn.execute(statement)


@contextmanager
def sibling_database(suffix: str) -> Iterator[Callable[[bool], None]]:
    """A new, migrated database `<current>_<suffix>` beside the current one, dropped afterwards.

    Yields `use(sibling)`, which points Django's connections at the new database (True) or back at the
    original (False). The block starts on the new one and always ends on the original.
    """
    from django.core.management import call_command
    from django.db import connection, connections

    base = connection.settings_dict["NAME"]
    name = f"{base}_{suffix}"[:63]

    def use(sibling: bool) -> None:
        connections.close_all()
        connection.settings_dict["NAME"] = name if sibling else base

    recreate_database(name)
    try:
        use(True)
        call_command("migrate", interactive=False, verbosity=0)
        yield use
    finally:
        use(False)
        recreate_database(name, create=False)


def in_processes(target: Callable[..., Any], workers: int, *args: Any, timeout: float = 900) -> list[Any]:
    """Run `target(barrier, *args)` in `workers` forked processes started together; their return values.

    Django connections are closed first so that no child shares the parent's socket; each child opens its
    own. The barrier lets every child finish its setup before any starts the clock.
    """
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(workers)
    queue = ctx.Queue()

    def child(index: int) -> None:
        connections.close_all()
        try:
            queue.put((index, "ok", target(barrier, index, *args)))
        except BaseException as exc:  # report, never hang the parent
            queue.put((index, "error", f"{type(exc).__name__}: {exc}"))
            barrier.abort()
        finally:
            connections.close_all()

    processes = [ctx.Process(target=child, args=(i,)) for i in range(workers)]
    for p in processes:
        p.start()
    results: list[Any] = [None] * workers
    deadline = time.monotonic() + timeout
    for _ in processes:
        index, status, value = queue.get(timeout=max(1.0, deadline - time.monotonic()))
        if status != "ok":
            for p in processes:
                p.kill()
            raise RuntimeError(f"worker {index} failed: {value}")
        results[index] = value
    for p in processes:
        p.join(timeout=30)
    return results


def cores() -> int:
    return os.cpu_count() or 1
