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

from typing import Any

from ._common import in_processes, record, sibling_database

FULL = {"seconds": 15.0, "rounds": 3}
QUICK = {"seconds": 1.0, "rounds": 1}
GOAL = 1 / 1.3


def run(quick: bool) -> list[dict[str, Any]]:
    from motcua.dossiers.models import Dossier

    from ._world import ensure_cast
    from .lifecycle import _motcua_worker

    plan = QUICK if quick else FULL
    with sibling_database("writes") as use:  # the empty database, beside the full one
        casts, sizes = {}, {}
        for which in ("full", "empty"):
            use(which == "empty")
            casts[which] = ensure_cast(quick)
            sizes[which] = Dossier.objects.count()
        done = {"full": 0, "empty": 0}
        wall = {"full": 0.0, "empty": 0.0}
        for r in range(plan["rounds"]):
            for which in ("full", "empty") if r % 2 == 0 else ("empty", "full"):
                use(which == "empty")
                [(n, seconds)] = in_processes(_motcua_worker, 1, casts[which], plan["seconds"])
                done[which] += n
                wall[which] += seconds
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
