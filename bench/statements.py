"""Statements per lifecycle: what the domain commands send to PostgreSQL, against the floor's same rows.

Throughput on a shared 2-core machine is noisy; the number of statements is not, and it is what the
lifecycle benchmark's gap to the floor is made of (each statement costs a round trip and, through Django,
the compilation of a query). Counted here, for the default process path of `bench/_world.py`:

* **motcua** — every statement Django sends while `commands.receive_new` and the eight `commands.execute`
  run (BEGIN and COMMIT included), per command, with the SQL time PostgreSQL took as Django measured it;
* the Python CPU time (`time.process_time`) of the same lifecycles run again without the capture — the
  application's share of a lifecycle's cost, PostgreSQL's work excluded;
* **floor** — the statements `bench/lifecycle.py`'s floor issues for the same rows (BEGIN and COMMIT
  included), counted on its own cursor.

Runs in the lifecycle benchmark's scratch database. Lower is better; the ratio is ours over the floor's.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from ._common import record

FULL = {"lifecycles": 20}
QUICK = {"lifecycles": 2}


def _count_ours(cast, lifecycles: int) -> tuple[Counter, Counter, list[str]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from motcua.dossiers import commands

    from ._world import lifecycle_steps

    steps = lifecycle_steps(cast)
    counts: Counter = Counter()
    sql_ms: Counter = Counter()
    order = ["receive"] + [f"{i + 1}:{action}" for i, (action, _who, _data) in enumerate(steps)]
    commands.receive_new(cast.desk, cast.payload(7_999_999))  # warm the caches, off the count
    for n in range(lifecycles):
        with CaptureQueriesContext(connection) as captured:
            dossier = commands.receive_new(cast.desk, cast.payload(7_000_000 + n))
        counts["receive"] += len(captured.captured_queries)
        sql_ms["receive"] += sum(float(q["time"]) for q in captured.captured_queries) * 1000
        for key, (action, who, data) in zip(order[1:], steps, strict=True):
            with CaptureQueriesContext(connection) as captured:
                commands.execute(dossier.code, action, who, data)
            counts[key] += len(captured.captured_queries)
            sql_ms[key] += sum(float(q["time"]) for q in captured.captured_queries) * 1000
    return counts, sql_ms, order


def _client_cpu_ms(cast, lifecycles: int) -> float:
    """Python CPU per lifecycle through the commands (what one application process spends)."""
    import time

    from motcua.dossiers import commands

    from ._world import lifecycle_steps

    steps = lifecycle_steps(cast)
    started = time.process_time()
    for n in range(lifecycles):
        dossier = commands.receive_new(cast.desk, cast.payload(7_500_000 + n))
        for action, who, data in steps:
            commands.execute(dossier.code, action, who, data)
    return (time.process_time() - started) * 1000 / lifecycles


def _count_floor(template) -> int:
    """One floor lifecycle through a cursor that counts; each transaction adds its BEGIN and COMMIT."""
    import psycopg

    from ._common import conninfo
    from .lifecycle import floor_lifecycle

    class Counting(psycopg.Cursor):
        executed = 0

        def execute(self, *args, **kwargs):
            Counting.executed += 1
            return super().execute(*args, **kwargs)

    actor = template.events[0][template.positions["event"]["actor_id"]] or 0
    with psycopg.connect(conninfo(), cursor_factory=Counting) as conn:
        floor_lifecycle(conn, template, date.today(), actor)
    transactions = len(template.events)  # one per event (floor_lifecycle)
    return Counting.executed + 2 * transactions


def run(quick: bool) -> list[dict[str, Any]]:
    from .lifecycle import _scratch_database

    with _scratch_database():
        return _run(quick)


def _run(quick: bool) -> list[dict[str, Any]]:
    from ._world import ensure_cast
    from .lifecycle import capture

    plan = QUICK if quick else FULL
    cast = ensure_cast(quick)
    template = capture(cast)
    floor = _count_floor(template)
    counts, sql_ms, order = _count_ours(cast, plan["lifecycles"])
    n = plan["lifecycles"]
    ours = sum(counts.values()) / n
    cpu_ms = _client_cpu_ms(cast, n)
    return [
        record(
            "lifecycle_statements",
            ours,
            "statements/lifecycle",
            baseline=float(floor),
            baseline_name="the floor's statements for the same rows (bench/lifecycle.py)",
            n=n,
            higher_is_better=False,
            per_command={key: round(counts[key] / n, 1) for key in order},
        ),
        record(
            "lifecycle_sql_time",
            sum(sql_ms.values()) / n,
            "ms/lifecycle",
            n=n,
            higher_is_better=False,
            per_command={key: round(sql_ms[key] / n, 2) for key in order},
        ),
        record("lifecycle_python_cpu", cpu_ms, "ms/lifecycle", n=n, higher_is_better=False),
    ]
