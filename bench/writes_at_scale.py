"""Write cost at scale: the same lifecycles through the domain commands in the benchmark database as the
earlier modules left it (a province-year: 1,000,000 dossiers after `index_dashboard`) and in an empty
scratch database of the same province, alternating in rounds, one worker.

    DATABASE_URL=postgres://…/motcua_bench .venv/bin/python -m bench --only writes_at_scale [--quick]

`bench/lifecycle.py` measures throughput against the floor and a peer engine in a small scratch database;
this asks the other question: does a command cost more when the tables hold a year? Every row a command
writes enters every index of its table (23 on the dossier row, two trigram ones among them), and an index
of a million rows is deeper and less often in memory than one of a few hundred. The lifecycles are real
dossiers (hash-chained, audit-clean), so they may stay in the benchmark database.

Ratio = lifecycles/s in the full database ÷ in the empty one. Goal: ≥ 1/1.3 — a write may cost at most
1.3× more on the full tables, the same bound issue 8 sets for reads from 100k to 1M.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from ._common import conninfo, in_processes, record

FULL = {"seconds": 15.0, "rounds": 3}
QUICK = {"seconds": 1.0, "rounds": 1}
GOAL = 1 / 1.3


@contextmanager
def _databases():
    """Yield a function that points Django at the full database ("full") or the scratch one ("empty")."""
    import psycopg
    from django.core.management import call_command
    from django.db import connection, connections
    from psycopg import sql

    full = connection.settings_dict["NAME"]
    empty = f"{full}_writes"[:63]
    admin = conninfo().replace(f"dbname={full}", "dbname=postgres")

    def recreate(create: bool) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(empty)))
            if create:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(empty)))

    def use(which: str) -> None:
        connections.close_all()
        connection.settings_dict["NAME"] = full if which == "full" else empty

    recreate(True)
    try:
        use("empty")
        call_command("migrate", interactive=False, verbosity=0)
        yield use
    finally:
        use("full")
        recreate(False)


def run(quick: bool) -> list[dict[str, Any]]:
    from motcua.dossiers.models import Dossier

    from ._world import ensure_cast
    from .lifecycle import _motcua_worker

    plan = QUICK if quick else FULL
    with _databases() as use:
        casts, sizes = {}, {}
        for which in ("full", "empty"):
            use(which)
            casts[which] = ensure_cast(quick)
            sizes[which] = Dossier.objects.count()
        done = {"full": 0, "empty": 0}
        wall = {"full": 0.0, "empty": 0.0}
        for r in range(plan["rounds"]):
            for which in ("full", "empty") if r % 2 == 0 else ("empty", "full"):
                use(which)
                [(n, seconds)] = in_processes(_motcua_worker, 1, casts[which], plan["seconds"])
                done[which] += n
                wall[which] += seconds
        use("full")
    rate = {k: done[k] / wall[k] if wall[k] else 0.0 for k in done}
    ratio = rate["full"] / rate["empty"] if rate["empty"] else 0.0
    return [
        record(
            "lifecycle_1w_at_scale",
            rate["full"],
            "lifecycles/s",
            baseline=rate["empty"],
            baseline_name=(
                f"the same commands in a new database of this province ({sizes['empty']:,} dossiers before)"
            ),
            n=done["full"],
            goal=f"ratio >= {GOAL:.2f} (a write at most 1.3x dearer on the full tables)",
            goal_met=ratio >= GOAL,
            dossiers_at_scale=sizes["full"],
            baseline_n=done["empty"],
        )
    ]
