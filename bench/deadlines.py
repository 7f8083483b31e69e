"""Benchmark: working-day due dates and elapsed working time against the ``holidays`` package.

    .venv/bin/python -m bench.deadlines              # 1,000,000 due dates (about two minutes here)
    .venv/bin/python -m bench.deadlines --quick      # 20,000: checks the harness, not the speed

Same inputs, same run, same process: random starts (any minute of 2023–2026, so nights, weekends and
holidays included) and durations of 1–60 working days. Ours: ``WorkingCalendar.due(start, n,
"working_days")`` — the full answer, an aware datetime at the right minute. Baseline: the package's own
``get_nth_working_day(date, n)`` on a pre-populated VN calendar, which answers a date only. Elapsed working
time: ``WorkingCalendar.elapsed(start, due)`` against the package's ``get_working_days_count``.

The two are timed in interleaved chunks (ours, theirs, ours, theirs…) so that the noise of a shared
machine falls on both alike; the ratio is what to read, absolute rates drift. The run also checks that
both engines agree on the due *date* wherever the question is the same (a start inside office hours).
Results go to ``bench/results/<date>-deadlines.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import shlex
import sys
import time
from datetime import date, datetime, timedelta
from importlib import metadata
from pathlib import Path

GOAL_RATIO = 20.0
QUICK_N = 20_000
CHUNKS = 10


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def machine() -> dict:
    memory_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {p: _version(p) for p in ("motcua", "holidays", "Django")},
    }


def make_inputs(n: int, seed: int) -> tuple[list[datetime], list[int]]:
    from motcua.deadlines.engine import TZ

    rng = random.Random(seed)
    base = datetime(2023, 1, 1, tzinfo=TZ)
    minutes = 4 * 365 * 24 * 60
    starts = [base + timedelta(minutes=rng.randrange(minutes)) for _ in range(n)]
    durations = [rng.randint(1, 60) for _ in range(n)]
    return starts, durations


def run(n: int, seed: int) -> dict:
    import holidays

    from motcua.deadlines.engine import WorkingCalendar

    t0 = time.perf_counter()
    calendar = WorkingCalendar.build()  # the computed calendar only: the same days as the package's
    build_seconds = time.perf_counter() - t0
    package = holidays.country_holidays("VN", years=range(2022, 2032))  # populated before timing

    starts, durations = make_inputs(n, seed)
    start_dates = [s.date() for s in starts]  # the baseline's input, prepared outside its timing
    due = calendar.due
    nth = package.get_nth_working_day
    elapsed = calendar.elapsed
    count = package.get_working_days_count

    ours_due: list[datetime] = []
    theirs_due: list[date] = []
    t_ours = t_theirs = t_ours_elapsed = t_theirs_elapsed = 0.0
    step = max(1, n // CHUNKS)
    gc.collect()
    for lo in range(0, n, step):
        hi = min(n, lo + step)
        s, d, sd = starts[lo:hi], durations[lo:hi], start_dates[lo:hi]

        t = time.perf_counter()
        chunk_ours = [due(a, k, "working_days") for a, k in zip(s, d, strict=True)]
        t_ours += time.perf_counter() - t

        t = time.perf_counter()
        chunk_theirs = [nth(a, k) for a, k in zip(sd, d, strict=True)]
        t_theirs += time.perf_counter() - t

        t = time.perf_counter()
        for a, b in zip(s, chunk_ours, strict=True):
            elapsed(a, b)
        t_ours_elapsed += time.perf_counter() - t

        t = time.perf_counter()
        for a, b in zip(sd, chunk_theirs, strict=True):
            count(a, b)
        t_theirs_elapsed += time.perf_counter() - t

        ours_due.extend(chunk_ours)
        theirs_due.extend(chunk_theirs)

    # Where both answer the same question — a start inside a working period on a working day — the due
    # date must be the same: the package's n-th working day after the start date.
    checked = mismatches = 0
    for start, ours, theirs in zip(starts, ours_due, theirs_due, strict=True):
        if (
            calendar.is_working(start)
            and start.astimezone(ours.tzinfo).time() != calendar.office_hours.opening
        ):
            checked += 1
            if ours.date() != theirs:
                mismatches += 1

    due_rate, base_due_rate = n / t_ours, n / t_theirs
    el_rate, base_el_rate = n / t_ours_elapsed, n / t_theirs_elapsed
    return {
        "results": [
            {
                "metric": "working_day_due_dates",
                "value": round(due_rate),
                "unit": "due dates/s",
                "baseline": round(base_due_rate),
                "baseline_name": f"holidays {holidays.__version__} get_nth_working_day",
                "ratio": round(due_rate / base_due_rate, 1),
                "n": n,
                "seconds": round(t_ours, 3),
                "baseline_seconds": round(t_theirs, 3),
                "goal": f"ratio >= {GOAL_RATIO:g}",
                "goal_met": due_rate / base_due_rate >= GOAL_RATIO,
            },
            {
                "metric": "elapsed_working_time",
                "value": round(el_rate),
                "unit": "elapsed computations/s",
                "baseline": round(base_el_rate),
                "baseline_name": f"holidays {holidays.__version__} get_working_days_count",
                "ratio": round(el_rate / base_el_rate, 1),
                "n": n,
                "seconds": round(t_ours_elapsed, 3),
                "baseline_seconds": round(t_theirs_elapsed, 3),
            },
            {
                "metric": "calendar_build",
                "value": round(build_seconds, 3),
                "unit": "s (computed calendar 1900–2100, first build in the process)",
                "baseline": None,
                "ratio": None,
                "n": 1,
            },
        ],
        "checks": {"same_date_as_baseline_checked": checked, "mismatches": mismatches},
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.deadlines", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="due dates to compute (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help=f"small run ({QUICK_N:,}) to check the harness")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, default=Path(__file__).resolve().parent / "results")
    args = parser.parse_args(argv)
    n = QUICK_N if args.quick else args.n
    if n < CHUNKS:
        parser.error(f"--n must be at least {CHUNKS}")
    command = " ".join(
        [".venv/bin/python -m bench.deadlines", *map(shlex.quote, argv if argv is not None else sys.argv[1:])]
    )
    started = datetime.now().astimezone()
    report = {
        "benchmark": "deadlines",
        "command": command.strip(),
        "started_at": started.isoformat(timespec="seconds"),
        "quick": args.quick,
        "machine": machine(),
        **run(n, args.seed),
    }
    args.output.mkdir(parents=True, exist_ok=True)
    name = f"{started:%Y-%m-%d}-deadlines{'-quick' if args.quick else ''}.json"
    path = args.output / name
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for row in report["results"]:
        ratio = (
            f"  ×{row['ratio']} vs {row['baseline']:,} ({row['baseline_name']})" if row.get("ratio") else ""
        )
        print(f"{row['metric']:>24}: {row['value']:,} {row['unit']}{ratio}")
    checks = report["checks"]
    checked = checks["same_date_as_baseline_checked"]
    print(f"{'agreement':>24}: {checks['mismatches']} mismatches in {checked:,} checked")
    print(f"written to {path}")
    return report


if __name__ == "__main__":
    main()
