"""Benchmark: the dashboard's full index for a province and all its child units for a year — from the
incremental aggregates, against a naive full scan of the dossiers computing the same figures, same run.

    DATABASE_URL=postgres://…/motcua_bench .venv/bin/python -m bench --only index_dashboard [--quick]

Data: the province-year of `motcua bench generate` (topped up to 1,000,000 dossiers, 600 in quick mode;
MOTCUA_BENCH_INDEX_DOSSIERS overrides the full scale, for a whole `make bench` on a slow machine).
The generator writes rows directly, like a bulk import, so the aggregates are rebuilt first
(`motcua index rebuild`, timed and reported). Measured, on the period [last generated day − 364, last day]:

- **aggregates**: `motcua.indicators.figures.score_units` — the root's score and every child unit's score
  and rank (what /chi-so/<unit>/ and GET /api/v1/indicators compute, without the monthly trend), median of
  several runs after one warm-up — for the calendar year of the data (what the dashboard's "Năm" shows:
  year-grain counters) and for the rolling 365 days (months and days);
- **full scan**: `motcua.indicators.naive.score_units` — every dossier of the subtree and period read with
  its pauses, components, results and sync records, classified from scratch and counted;
- the dashboard page's whole computation (`dashboard.build`, with the twelve-month trend).

Both must give identical figures (asserted; `motcua/indicators/tests/test_bench.py` checks it on small data
too). Goal (issue 7): under 300 ms and ≥ 20× faster than the full scan on PostgreSQL.
"""

from __future__ import annotations

import io
import os
import statistics
import time
from datetime import timedelta
from typing import Any

FULL = {"dossiers": 1_000_000, "repeats": 5}
QUICK = {"dossiers": 600, "repeats": 3}
GOAL_MS = 300.0
GOAL_SPEEDUP = 20.0


def _record(
    metric: str, value: float, unit: str, *, baseline: float | None = None, n: int | None = None, **extra: Any
) -> dict[str, Any]:
    ratio = round(value / baseline, 4) if baseline else None
    return {
        "metric": metric,
        "value": round(value, 3),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 3),
        "ratio": ratio,
        "n": n,
        **extra,
    }


def _full_scale() -> int:
    text = os.environ.get("MOTCUA_BENCH_INDEX_DOSSIERS", "").strip()
    return int(text) if text else FULL["dossiers"]


def _top_up(target: int) -> int:
    from motcua.dossiers.models import Dossier

    have = Dossier.objects.count()
    if have < target:
        from motcua.benchtools.generate import generate

        workers = 1 if target - have < 2000 else (os.cpu_count() or 2)
        generate(target - have, workers=workers, write=lambda _line: None)
    return Dossier.objects.count()


def _ensure_definition() -> None:
    """Load the default index definition when none applies (a flushed or brand-new database): the migration
    loads it once, but a benchmark database may have been emptied since (a transactional test does that)."""
    from django.core.management import call_command

    call_command("index", "load-defaults", stdout=io.StringIO())


def _ensure_aggregates() -> tuple[float | None, int]:
    """Rebuild when dossiers were written around the hook (the generator); (seconds or None, dossiers)."""
    from motcua.dossiers.models import Dossier
    from motcua.indicators.aggregates import rebuild
    from motcua.indicators.models import DossierFact

    dossiers = Dossier.objects.count()
    if DossierFact.objects.count() == dossiers:
        return None, dossiers
    started = time.perf_counter()
    rebuild()
    return time.perf_counter() - started, dossiers


def busiest_root():
    """The top of the agency tree holding most dossiers (the generator's province)."""
    from django.db.models import Count

    from motcua.dossiers.models import Dossier
    from motcua.org.models import Agency

    top = Dossier.objects.values("competent_agency_id").annotate(n=Count("id")).order_by("-n").first()
    if top is None:
        raise RuntimeError("no dossier to measure")
    node = Agency.objects.get(pk=top["competent_agency_id"])
    while node.parent_id is not None:
        node = node.parent
    return node


def data_year():
    """The year of data: the 365 days ending on the latest reception day."""
    from django.db.models import Max
    from django.utils import timezone

    from motcua.dossiers.models import Dossier
    from motcua.indicators.periods import date_range

    latest = Dossier.objects.aggregate(m=Max("received_at"))["m"] or timezone.now()
    last = timezone.localtime(latest).date()
    return date_range(last - timedelta(days=364), last)


def same_figures(fast, slow) -> bool:
    return fast.root.unit.figures == slow.root.unit.figures and [
        (r.rank, r.key.node.pk, r.total, r.key.unit.figures) for r in fast.ranking
    ] == [(r.rank, r.key.node.pk, r.total, r.key.unit.figures) for r in slow.ranking]


def compare(agency, period, now, repeats: int = 3) -> dict[str, Any]:
    """Time both paths on the same unit, period and instant; raise if their figures differ."""
    from motcua.indicators import figures, naive

    fast = figures.score_units(agency, period, now=now)  # warm-up (and the reference)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        fast = figures.score_units(agency, period, now=now)
        timings.append(time.perf_counter() - started)
    started = time.perf_counter()
    slow = naive.score_units(agency, period, now=now)
    scan = time.perf_counter() - started
    if not same_figures(fast, slow):
        raise AssertionError("the aggregates and the full scan disagree")
    return {
        "aggregates_s": statistics.median(timings),
        "scan_s": scan,
        "units": 1 + len(fast.children),
        "dossiers_in_period": fast.root.unit.counts.columns["dossiers"],
        "total": str(fast.root.score.total),
    }


def run(quick: bool) -> list[dict]:
    from django.utils import timezone

    from motcua.indicators import dashboard, periods

    plan = QUICK if quick else FULL
    _ensure_definition()
    size = _top_up(plan["dossiers"] if quick else _full_scale())
    rebuild_s, dossiers = _ensure_aggregates()
    agency = busiest_root()
    rolling = data_year()
    calendar_year = periods.year(rolling.end.year)
    now = timezone.now()
    out = []
    for name, period in (("calendar_year", calendar_year), ("rolling_year", rolling)):
        measured = compare(agency, period, now, repeats=plan["repeats"])
        agg_ms, scan_ms = measured["aggregates_s"] * 1000, measured["scan_s"] * 1000
        common = {
            "agency": agency.code,
            "units": measured["units"],
            "period": period.code,
            "dossiers_in_period": measured["dossiers_in_period"],
            "identical_figures": True,
        }
        out += [
            _record(
                f"index_province_{name}_ms",
                agg_ms,
                "ms",
                baseline=scan_ms,
                n=size,
                baseline_name="full scan of the dossiers (same figures)",
                higher_is_better=False,
                goal=f"< {GOAL_MS:g} ms",
                goal_met=agg_ms < GOAL_MS,
                **common,
            ),
            _record(
                f"index_province_{name}_speedup",
                scan_ms / agg_ms,
                "×",
                baseline=1.0,
                n=size,
                goal=f"≥ {GOAL_SPEEDUP:g}×",
                goal_met=scan_ms / agg_ms >= GOAL_SPEEDUP,
                **common,
            ),
        ]
    page_timings = []
    for _ in range(plan["repeats"]):
        started = time.perf_counter()
        dashboard.build(agency, calendar_year, now=now)
        page_timings.append(time.perf_counter() - started)
    out.append(
        _record(
            "index_dashboard_page_with_trend_ms",
            statistics.median(page_timings) * 1000,
            "ms",
            n=size,
            higher_is_better=False,
            agency=agency.code,
            period=calendar_year.code,
            note="the whole /chi-so/ computation: catch-up, unit + child units, targets, monthly totals",
        )
    )
    if rebuild_s is not None:
        out.append(
            _record(
                "index_rebuild_dossiers_per_s",
                dossiers / rebuild_s,
                "dossiers/s",
                n=dossiers,
                seconds=round(rebuild_s, 1),
            )
        )
    return out
