"""The workload generator against the floor of its own writes: how far is `motcua bench generate` from
writing the same rows with nothing to compute?

    DATABASE_URL=postgres://…/motcua_bench .venv/bin/python -m bench --only generator [--quick]

Two new databases beside the benchmark one, migrated alike:

* **generator** — the province is set up first (units, agencies, staff, ~300 procedures; timed apart, a
  one-off), the second database is cloned from the first at that point, then `generate(N, workers=cores,
  index=False)` runs in the first, timed as a user sees it: the replayed commands, COPY in batches, the key
  check and ANALYZE included.
* **floor** — the rows that run wrote to the dossier tables (dossiers, components, fees, results, drafts,
  pauses, adjustments, consultations, events, outbox) are dumped to files (binary COPY, untimed), then
  loaded into the clone by as many connections as the generator had workers, each one COPY per table in
  one transaction, commits not waited for and key triggers off where the generator's were. No Python
  builds a row: what is left is PostgreSQL parsing, storing, compressing and indexing the same rows in the
  same schema, on the same cores.

Ratio = generator ÷ floor (dossiers/s). Issue 8 asks for 1,000,000 dossiers in under 15 minutes: the
records say how long a million takes at each rate, scaled linearly from N (indexes a million deep cost a
little more per row, so the scaled figure is a lower bound). If the floor itself needs more than 15 minutes
on a machine, no generator writing these rows meets the goal there.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from ._common import conninfo, cores, in_processes, record, recreate_database, sibling_database

FULL = {"dossiers": 20_000}
QUICK = {"dossiers": 300}
GOAL_SECONDS_FOR_1M = 15 * 60


def run(quick: bool) -> list[dict[str, Any]]:
    from django.db import connection, connections

    from motcua.benchtools.generate import generate, last_ids, may_skip_key_checks
    from motcua.benchtools.province import ensure_province
    from motcua.benchtools.simulate import ROW_MODELS

    plan = QUICK if quick else FULL
    workers = cores()
    tables = [m._meta.db_table for m in ROW_MODELS]  # the dossier tables, which the run writes
    with sibling_database("generator"), tempfile.TemporaryDirectory() as scratch:
        generated = connection.settings_dict["NAME"]
        floor = f"{generated}_floor"[:63]
        started = time.perf_counter()
        ensure_province(None, 300, lambda _line: None)
        setup_seconds = time.perf_counter() - started
        skip_key_checks = may_skip_key_checks()
        # Without the shared data the setup is the demo province, dossiers included: those are in the clone
        # already, so only the rows above these ids are the run's.
        since = {m._meta.db_table: last_id for m, last_id in last_ids().items()}
        connections.close_all()
        recreate_database(floor, template=generated)  # the same schema and province, no dossiers
        try:
            started = time.perf_counter()
            stats = generate(plan["dossiers"], workers=workers, index=False, write=lambda _line: None)
            generator_seconds = time.perf_counter() - started
            connections.close_all()
            parts, rows, size = _dump(conninfo(), since, workers, Path(scratch))
            target = conninfo().replace(f"dbname={generated}", f"dbname={floor}")
            floor_seconds = max(in_processes(_load, workers, target, parts, skip_key_checks))
            floor_bytes = _table_bytes(target, tables)
            loaded = _row_count(target, since)
            if loaded != rows:  # the floor must have written exactly what the generator did
                raise RuntimeError(f"the floor loaded {loaded:,} rows, the generator wrote {rows:,}")
        finally:
            recreate_database(floor, create=False)

    rate = stats.dossiers / generator_seconds
    floor_rate = stats.dossiers / floor_seconds
    minutes = {k: round(1_000_000 / r / 60, 1) for k, r in (("generator", rate), ("floor", floor_rate))}
    return [
        record(
            "generator",
            rate,
            "dossiers/s (motcua bench generate in a new database, province already set up)",
            baseline=floor_rate,
            baseline_name=(
                f"the floor: the same {rows:,} rows COPY'd in binary by {workers} connections, "
                "nothing computed"
            ),
            n=stats.dossiers,
            workers=workers,
            seconds=round(generator_seconds, 1),
            setup_seconds=round(setup_seconds, 1),
            floor_seconds=round(floor_seconds, 1),
            events=stats.events,
            outbox=stats.outbox,
            rows=rows,
            dump_bytes=size,
            table_bytes=floor_bytes,
            minutes_for_1m=minutes["generator"],
            floor_minutes_for_1m=minutes["floor"],
            goal="1,000,000 in < 15 min",
            goal_met=1_000_000 / rate < GOAL_SECONDS_FOR_1M,
            floor_meets_goal=1_000_000 / floor_rate < GOAL_SECONDS_FOR_1M,
        )
    ]


def _dump(
    source: str, since: dict[str, int], parts: int, folder: Path
) -> tuple[list[dict[str, Path]], int, int]:
    """The rows above `since` of each table, in `parts` files by dossier (binary COPY); (files per part,
    rows, bytes)."""
    import psycopg
    from psycopg import sql

    # Split by dossier, so that each connection holds a dossier with all its rows: where the key triggers
    # stay on, a row must find its parents in its own transaction.
    dump = sql.SQL(
        "COPY (SELECT * FROM {} WHERE id > {} AND {} % {} = {} ORDER BY id) TO STDOUT (FORMAT binary)"
    )
    files: list[dict[str, Path]] = [{} for _ in range(parts)]
    size = 0
    with psycopg.connect(source) as conn, conn.cursor() as cursor:
        for table, last in since.items():
            for k in range(parts):
                path = folder / f"{table}.{k}.copy"
                owner = sql.Identifier("id" if table == "dossiers_dossier" else "dossier_id")
                query = dump.format(
                    sql.Identifier(table), sql.Literal(last), owner, sql.Literal(parts), sql.Literal(k)
                )
                with path.open("wb") as out, cursor.copy(query) as copy:
                    for chunk in copy:
                        out.write(chunk)
                size += path.stat().st_size
                files[k][table] = path
    return files, _row_count(source, since), size


def _load(barrier, index: int, target: str, parts: list[dict[str, Path]], skip_key_checks: bool) -> float:
    """One connection's share of the floor: one COPY per table, one transaction; its wall seconds."""
    import psycopg
    from psycopg import sql

    mine = parts[index]
    with psycopg.connect(target) as conn, conn.cursor() as cursor:
        barrier.wait()
        started = time.perf_counter()
        cursor.execute("SET LOCAL synchronous_commit = off")  # as the generator's batches
        if skip_key_checks:  # as the generator's batches (which then check the keys set-wise)
            cursor.execute("SET LOCAL session_replication_role = replica")
        for table, path in mine.items():
            with (
                path.open("rb") as data,
                cursor.copy(
                    sql.SQL("COPY {} FROM STDIN (FORMAT binary)").format(sql.Identifier(table))
                ) as copy,
            ):
                while chunk := data.read(1 << 20):
                    copy.write(chunk)
        conn.commit()
        return time.perf_counter() - started


def _row_count(source: str, since: dict[str, int]) -> int:
    """Rows above `since`, all tables together."""
    import psycopg
    from psycopg import sql

    count = sql.SQL("SELECT count(*) FROM {} WHERE id > {}")
    with psycopg.connect(source) as conn:
        return sum(
            conn.execute(count.format(sql.Identifier(t), sql.Literal(last))).fetchone()[0]
            for t, last in since.items()
        )


def _table_bytes(target: str, tables: list[str]) -> int:
    """What the floor's rows take on disk, indexes and TOAST included."""
    import psycopg

    with psycopg.connect(target) as conn:
        return sum(
            conn.execute("SELECT pg_total_relation_size(%s)", [table]).fetchone()[0] for table in tables
        )
