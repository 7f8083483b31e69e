"""Reads at scale: the public tracking lookup and the officer inbox at 100,000 and 1,000,000 dossiers.

What runs is the product's own read code, not a copy: `motcua.api.tracking.public_status` (the lookup the
API and the QR page share) and `motcua.backoffice.inbox` (the officer's tabs: a bounded count and a page,
per request), with its search box going through `motcua.dossiers.queries.search` (a page of matches, as the
inbox view's results partial answers it: no count). Kinds: tracking, mine,
unit, overdue, due soon, text search. Each kind runs alone under 64 concurrent clients (4 processes × 16
threads, one connection each) for a fixed time; p50 / p95 / p99 per kind.

The data: the province-year of `motcua bench generate`, topped up to each scale in turn (so the same
database is measured at 100k, then at 1M). `EXPLAIN (ANALYZE, BUFFERS)` of every hot query at the largest
scale goes into the results, with whether PostgreSQL used an index. MOTCUA_BENCH_READ_SCALES overrides the
scales (comma-separated; e.g. `100000` to measure only the first).
"""

from __future__ import annotations

import os
import random
import threading
import time
from typing import Any

from ._common import in_processes, record, summary_ms

KINDS = ("tracking", "mine", "unit", "overdue", "due_soon", "search")
FULL = {"scales": (100_000, 1_000_000), "processes": 4, "threads": 16, "seconds": 10.0, "alone": 3.0}
QUICK = {"scales": (100, 200), "processes": 1, "threads": 4, "seconds": 0.3, "alone": 0.2}
GOAL_TRACKING_P99_MS = 50.0
GOAL_INBOX_P95_MS = 200.0
GOAL_GROWTH = 1.3


def _scales(plan: dict, quick: bool) -> tuple[int, ...]:
    text = os.environ.get("MOTCUA_BENCH_READ_SCALES", "").strip()
    if text:
        return tuple(int(x) for x in text.split(",") if x.strip())
    if quick:  # on top of whatever the other modules left in the database: checks the code path only
        from motcua.dossiers.models import Dossier

        have = Dossier.objects.count()
        return tuple(have + extra for extra in plan["scales"])
    return plan["scales"]


def _inputs(rng: random.Random, now) -> dict[str, list]:
    """Real lookups: codes with their last four digits, officers with work, units with open dossiers."""
    from django.db import connection

    from motcua.deadlines.loader import calendar_for
    from motcua.deadlines.units import DurationUnit

    with connection.cursor() as cur:
        cur.execute(
            "SELECT code, right(applicant_id_number, 4), applicant_name FROM dossiers_dossier "
            "TABLESAMPLE SYSTEM (5) LIMIT 2000"
        )
        sample = cur.fetchall() or []
        if len(sample) < 50:
            cur.execute(
                "SELECT code, right(applicant_id_number, 4), applicant_name FROM dossiers_dossier "
                "ORDER BY random() LIMIT 2000"
            )
            sample = cur.fetchall()
        cur.execute(
            "SELECT DISTINCT holder_user_id FROM dossiers_dossier WHERE holder_user_id IS NOT NULL "
            "AND state IN ('received','processing','awaiting_supplement','awaiting_payment','submitted')"
        )
        users = [r[0] for r in cur.fetchall()]
        cur.execute(
            "SELECT DISTINCT holder_unit_id FROM dossiers_dossier WHERE holder_unit_id IS NOT NULL "
            "AND state IN ('received','processing','awaiting_supplement','awaiting_payment','submitted')"
        )
        units = [r[0] for r in cur.fetchall()]
    due_soon_until = calendar_for().due(now, 1, DurationUnit.WORKING_DAYS)
    rng.shuffle(sample)
    return {
        "codes": [(c, last4) for c, last4, _n in sample],
        "names": [n for _c, _l, n in sample],
        "users": users or [0],
        "units": units or [0],
        "due_soon_until": [due_soon_until],
    }


def _request(kind: str, inputs: dict, rng: random.Random, now) -> Any:
    """One client request of `kind`: what the page or the API would run, returned to be consumed."""
    from motcua.api.tracking import public_status
    from motcua.backoffice.inbox import Filters, Scope, apply_filters, bounded_count, page_of, tab_queryset

    if kind == "tracking":
        code, last4 = rng.choice(inputs["codes"])
        return public_status(code, last4)
    user = rng.choice(inputs["users"])
    unit = rng.choice(inputs["units"])
    scope = Scope(
        user_id=user,
        unit_ids={unit},
        reception_point_ids=set(),
        now=now,
        due_soon_until=inputs["due_soon_until"][0],
        leader_steps=[],
    )
    filters = Filters()
    tab = kind
    if kind == "search":
        tab = "unit"
        scope = Scope(
            user, set(inputs["units"]), set(), now, scope.due_soon_until, []
        )  # a supervisor's reach
        filters = Filters(text=rng.choice(inputs["names"]))
    qs = apply_filters(tab_queryset(tab, scope), filters)
    if kind == "search":
        # What the search box runs: the inbox view answers it with the results partial (htmx), a page of
        # matches and no count — the tab counts above it stay those of the unfiltered tabs.
        return page_of(qs, filters, 1)
    return bounded_count(qs), page_of(qs, filters, 1)


def _client_process(barrier, index: int, kind: str, inputs: dict, threads: int, seconds: float, now):
    from django.db import connection

    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(threads + 1)

    def client(n: int) -> None:
        rng = random.Random(f"{index}:{n}:{kind}")
        mine: list[float] = []
        try:
            _request(kind, inputs, rng, now)  # connect and warm up, off the clock
            start.wait()
            end = time.perf_counter() + seconds
            while True:
                t0 = time.perf_counter()
                if t0 >= end:
                    break
                _request(kind, inputs, rng, now)
                mine.append(time.perf_counter() - t0)
        finally:
            connection.close()
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    barrier.wait()  # every process's threads are connected before any starts
    start.wait()
    for w in workers:
        w.join()
    return latencies


def _explain(kind: str, inputs: dict, now) -> str:
    from django.db import connection

    from motcua.backoffice.inbox import (
        COUNT_CAP,
        PAGE_SIZE,
        ROW_FIELDS,
        Filters,
        Scope,
        apply_filters,
        tab_queryset,
    )

    if kind == "tracking":
        from motcua.api.tracking import lookup_sql

        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {lookup_sql()}", [inputs["codes"][0][0]])
            return "\n".join(row[0] for row in cursor.fetchall())
    scope = Scope(inputs["users"][0], {inputs["units"][0]}, set(), now, inputs["due_soon_until"][0], [])
    filters = Filters()
    tab = kind
    if kind == "search":
        tab = "unit"
        scope = Scope(inputs["users"][0], set(inputs["units"]), set(), now, scope.due_soon_until, [])
        filters = Filters(text=inputs["names"][0])
    qs = apply_filters(tab_queryset(tab, scope), filters)
    from django.db.models import F

    page = qs.order_by(F("due_at").asc(nulls_last=True), "id").values(*ROW_FIELDS)[: PAGE_SIZE + 1]
    count = qs.order_by().values("pk")[: COUNT_CAP + 1]
    return (
        "-- page\n"
        + page.explain(analyze=True, buffers=True)
        + "\n\n-- bounded count\n"
        + count.explain(analyze=True, buffers=True)
    )


def _uses_index(plan: str) -> bool:
    return "Seq Scan on dossiers_dossier" not in plan and "Seq Scan on dossiers_dossierevent" not in plan


def _top_up(scale: int, out: list[dict]) -> int:
    """Generate what is missing up to `scale`; a large top-up also measures the generator."""
    from motcua.benchtools.generate import generate
    from motcua.dossiers.models import Dossier

    have = Dossier.objects.count()
    if have < scale:
        workers = 1 if scale - have < 2000 else (os.cpu_count() or 2)
        started = time.perf_counter()
        # Index counters are not read here; their rebuild (~1 h at 1M) is left to `motcua index rebuild`.
        stats = generate(scale - have, workers=workers, index=False, write=lambda _line: None)
        seconds = time.perf_counter() - started
        if stats.dossiers >= 1000:
            out.append(
                record(
                    f"generate_{have}_to_{have + stats.dossiers}",
                    stats.dossiers / seconds,
                    "dossiers/s (motcua bench generate, COPY, setup included)",
                    n=stats.dossiers,
                    workers=workers,
                    seconds=round(seconds, 1),
                    events=stats.events,
                    outbox=stats.outbox,
                    minutes_for_1m=round(1_000_000 / (stats.dossiers / seconds) / 60, 1),
                    goal="1,000,000 in < 15 min",
                    goal_met=1_000_000 / (stats.dossiers / seconds) < 15 * 60,
                )
            )
    return Dossier.objects.count()


def _audit_sample(size: int, sample: int) -> dict:
    """`motcua audit verify --sample N` on the generated data: chains and projections must hold."""
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    err = StringIO()
    try:
        call_command("audit", "verify", "--sample", str(sample), stdout=StringIO(), stderr=err)
        ok = True
    except CommandError:
        ok = False
    return record(
        f"audit_verify_sample_at_{size}",
        1 if ok else 0,
        "passed (1) / failed (0)",
        n=sample,
        goal="motcua audit verify --sample passes",
        goal_met=ok,
        problems=err.getvalue()[:2000],
    )


def run(quick: bool) -> list[dict]:
    from django.utils import timezone

    plan = QUICK if quick else FULL
    out: list[dict] = []
    measured: dict[int, dict[str, dict]] = {}
    alone: dict[int, dict[str, dict]] = {}
    explains: dict[str, str] = {}
    for scale in _scales(plan, quick):
        from motcua.dossiers.models import Dossier

        if Dossier.objects.count() > scale * 1.05:
            out.append(
                record(
                    f"reads_at_{scale}",
                    0,
                    "skipped",
                    n=Dossier.objects.count(),
                    note="database already larger",
                )
            )
            continue
        size = _top_up(scale, out)
        out.append(_audit_sample(size, 100 if quick else 500))
        now = timezone.now()
        inputs = _inputs(random.Random(scale), now)
        measured[size] = {}
        alone[size] = {}
        for kind in KINDS:
            results = in_processes(
                _client_process, plan["processes"], kind, inputs, plan["threads"], plan["seconds"], now
            )
            latencies = [x for r in results for x in r]
            measured[size][kind] = summary_ms(latencies)
            measured[size][kind]["per_second"] = round(len(latencies) / plan["seconds"], 1)
            # The same requests from one client: the cost of the query itself, without the queue.
            single = in_processes(_client_process, 1, kind, inputs, 1, plan["alone"], now)[0]
            alone[size][kind] = summary_ms(single)
        for kind in KINDS:
            explains[kind] = _explain(kind, inputs, now)
    clients = plan["processes"] * plan["threads"]
    for size, kinds in measured.items():
        for kind, s in kinds.items():
            tracking = kind == "tracking"
            key, goal_ms = ("p99_ms", GOAL_TRACKING_P99_MS) if tracking else ("p95_ms", GOAL_INBOX_P95_MS)
            out.append(
                record(
                    f"read_{kind}_{key[:3]}_at_{size}",
                    s[key],
                    "ms",
                    n=s["count"],
                    goal=f"{key[:3]} < {goal_ms:g} ms",
                    goal_met=s[key] < goal_ms,
                    higher_is_better=False,
                    dossiers=size,
                    clients=clients,
                    **{k: v for k, v in s.items() if k != "count"},
                )
            )
            one = alone[size][kind]
            out.append(
                record(
                    f"read_{kind}_{key[:3]}_at_{size}_1_client",
                    one[key],
                    "ms",
                    n=one["count"],
                    higher_is_better=False,
                    dossiers=size,
                    clients=1,
                    **{k: v for k, v in one.items() if k != "count"},
                )
            )
    sizes = sorted(measured)
    if len(sizes) >= 2:
        small, large = sizes[0], sizes[-1]
        for kind in KINDS:
            key = "p99_ms" if kind == "tracking" else "p95_ms"
            a, b = measured[small][kind][key], measured[large][kind][key]
            a1, b1 = alone[small][kind][key], alone[large][kind][key]
            out.append(
                record(
                    f"read_{kind}_growth_{small}_to_{large}_1_client",
                    b1,
                    "ms",
                    baseline=a1,
                    baseline_name=f"{key[:3]} at {small:,} dossiers, one client",
                    n=alone[large][kind]["count"],
                    higher_is_better=False,
                )
            )
            out.append(
                record(
                    f"read_{kind}_growth_{small}_to_{large}",
                    b,
                    "ms",
                    baseline=a,
                    baseline_name=f"{key[:3]} at {small:,} dossiers",
                    n=measured[large][kind]["count"],
                    goal=f"ratio <= {GOAL_GROWTH}",
                    goal_met=bool(a) and b / a <= GOAL_GROWTH,
                    higher_is_better=False,
                )
            )
    for kind, text in explains.items():
        out.append(
            record(
                f"explain_{kind}",
                1 if _uses_index(text) else 0,
                "uses an index (1) / sequential scan (0)",
                n=sizes[-1] if sizes else None,
                explain=text,
                goal="every hot query uses an index",
                goal_met=_uses_index(text),
            )
        )
    return out
