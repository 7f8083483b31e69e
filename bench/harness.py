"""The benchmark harness: runs every `bench/*.py` module that exposes `run(quick: bool) -> list[dict]`.

    DATABASE_URL=postgres://…/motcua_bench .venv/bin/python -m bench --prepare          # make bench
    DATABASE_URL=postgres://…/motcua_bench .venv/bin/python -m bench --prepare --quick  # make bench-quick
    … python -m bench --only lifecycle,reads        … --prepare --fresh (drop and recreate the database)

Adding a benchmark is one file: `bench/<name>.py` with `run(quick)` returning records
{metric, value, unit, baseline, ratio, n} (extra keys are kept: baseline_name, goal, goal_met, p99_ms…).
Older modules with `main(argv) -> {"results": [...]}` (bench/deadlines.py) run through that instead.
Files starting with `_` are helpers. Results: `bench/results/<date>-<name>.json` (one file per run, all
modules, the machine and the exact command) and `bench/results/latest.md` with plots (PNG, matplotlib).
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import os
import platform
import shlex
import sys
import time
import traceback
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
PACKAGES = ("motcua", "Django", "psycopg", "SpiffWorkflow", "gunicorn", "holidays", "matplotlib")


# These grow the one benchmark database to a scale and measure there, so they run last and in this order:
# reads at 100k then 1M, then the index dashboard on the same million (run before them, the dashboard's
# top-up to 1M would leave reads no 100k to measure), then the write cost on that million.
RUN_LAST = ("reads", "index_dashboard", "writes_at_scale")


def discover(only: set[str] | None = None) -> list[str]:
    names = []
    for path in sorted(BENCH_DIR.glob("*.py")):
        name = path.stem
        if name.startswith("_") or name in {"harness", "conftest"} or name.startswith("test_"):
            continue
        if only and name not in only:
            continue
        names.append(name)
    last = {name: i for i, name in enumerate(RUN_LAST)}
    return sorted(names, key=lambda name: (last.get(name, -1), name))


def run_module(name: str, quick: bool, output: Path = RESULTS) -> list[dict]:
    module = importlib.import_module(f"bench.{name}")
    run = getattr(module, "run", None)
    if run is not None and list(inspect.signature(run).parameters)[:1] == ["quick"]:
        return list(run(quick))
    main = getattr(module, "main", None)
    if main is not None:  # the first benchmark's own CLI: run(n, seed) + main(argv) writing its own file
        # Its own result file goes to a scratch folder: the harness's file holds the figures, and the
        # module's owner keeps theirs.
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            report = main([*(["--quick"] if quick else []), "--output", scratch])
        return list(report["results"])
    raise TypeError(f"bench/{name}.py exposes neither run(quick) nor main(argv)")


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "—"


def machine() -> dict[str, Any]:
    memory_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    info: dict[str, Any] = {
        "cores": os.cpu_count(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {p: _version(p) for p in PACKAGES},
    }
    try:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            info["postgresql"] = cursor.fetchone()[0]
    except Exception:  # reporting only
        info["postgresql"] = None
    return info


def prepare_database(fresh: bool) -> None:
    """Create the benchmark database if missing (and drop it first with --fresh), then migrate it."""
    import dj_database_url
    import psycopg
    from psycopg import sql

    url = os.environ.get("DATABASE_URL", "")
    config = dj_database_url.parse(url) if url else {}
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise SystemExit("the benchmarks run on PostgreSQL: set DATABASE_URL=postgres://…/motcua_bench")
    name = config["NAME"]
    admin = {
        "dbname": "postgres",
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
    }
    with psycopg.connect(**{k: v for k, v in admin.items() if v}, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            if "bench" not in name:
                raise SystemExit(
                    f"--fresh drops the database; refusing for '{name}' (its name lacks 'bench')"
                )
            conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="every benchmark at a small scale (minutes)")
    parser.add_argument("--only", help="comma-separated module names (default: all)")
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="where results go (default bench/results)"
    )
    parser.add_argument(
        "--name", default=None, help="results file name suffix (default: bench or bench-quick)"
    )
    parser.add_argument("--prepare", action="store_true", help="create (if missing) and migrate the database")
    parser.add_argument("--fresh", action="store_true", help="with --prepare: drop the database first")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    if args.prepare:
        prepare_database(args.fresh)
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        parser.error("the benchmarks run on PostgreSQL: set DATABASE_URL=postgres://…")
    command = " ".join(
        [".venv/bin/python -m bench", *map(shlex.quote, argv if argv is not None else sys.argv[1:])]
    )
    started = datetime.now().astimezone()
    modules: dict[str, Any] = {}
    report: dict[str, Any] = {
        "command": command,
        # The scale knobs (MOTCUA_BENCH_READ_SCALES, …) change what runs: part of the exact command.
        "environment": {k: v for k, v in sorted(os.environ.items()) if k.startswith("MOTCUA_BENCH_")},
        "started_at": started.isoformat(timespec="seconds"),
        "quick": args.quick,
        "database": connection.settings_dict["NAME"],
        "modules": modules,
        "ok": True,
    }
    args.output.mkdir(parents=True, exist_ok=True)
    suffix = args.name or ("bench-quick" if args.quick else "bench")
    path = args.output / f"{started:%Y-%m-%d}-{suffix}.json"
    summary = _write(report, path)
    for name in discover(set(args.only.split(",")) if args.only else None):
        t0 = time.perf_counter()
        print(f"== {name}{' (quick)' if args.quick else ''}", flush=True)
        try:
            rows = run_module(name, args.quick, args.output)
            modules[name] = {"seconds": round(time.perf_counter() - t0, 1), "results": rows}
            for row in rows:
                print("   " + format_row(row), flush=True)
        except Exception as exc:
            report["ok"] = False
            modules[name] = {
                "seconds": round(time.perf_counter() - t0, 1),
                "error": f"{type(exc).__name__}: {exc}",
            }
            traceback.print_exc()
        summary = _write(report, path)  # after every module: a long run interrupted keeps what it measured
    print(f"written {path} and {summary}")
    report["path"] = str(path)
    return report


def _write(report: dict[str, Any], path: Path) -> Path:
    from ._report import write_summary

    report["finished_at"] = datetime.now().astimezone().isoformat(timespec="seconds")
    report["machine"] = machine()
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    return write_summary(report, path.parent, json_name=path.name)


def format_row(row: dict) -> str:
    value = row.get("value")
    text = (
        f"{row.get('metric')}: {value:,}"
        if isinstance(value, int | float)
        else f"{row.get('metric')}: {value}"
    )
    text += f" {row.get('unit', '')}"
    if row.get("ratio") is not None:
        text += f"  ×{row['ratio']} vs {row.get('baseline')} ({row.get('baseline_name', '')})"
    if "goal" in row:
        text += f"  goal {row['goal']}: {'met' if row.get('goal_met') else 'NOT met'}"
    return text


if __name__ == "__main__":
    report = main()
    sys.exit(0 if report["ok"] else 1)
