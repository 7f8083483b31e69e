"""`make bench-quick` inside the test suite: every benchmark module runs small, so the harness never rots.

On PostgreSQL only (the benchmarks measure PostgreSQL); under SQLite it is skipped with the reason. The
worker processes of the benchmarks connect to the test database by name, so the test commits for real
(transaction=True) and pytest-django empties the tables afterwards.
"""

from __future__ import annotations

import json
import shutil

import pytest
from django.db import connection

from bench import harness

REQUIRED = {"metric", "value", "unit", "baseline", "ratio", "n"}


def test_every_module_with_a_run_function_is_discovered():
    names = harness.discover()
    assert {"lifecycle", "reception", "reads", "deadlines"} <= set(names)
    assert not any(n.startswith("_") or n.startswith("test_") or n == "harness" for n in names)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_bench_quick_runs_every_benchmark_and_writes_the_results(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the benchmarks measure PostgreSQL: run with DATABASE_URL=postgres://… (make bench-quick)"
        )
    pytest.importorskip(
        "SpiffWorkflow", reason="the peer engine comes with the bench extra (pip -e '.[bench]')"
    )
    only = [n for n in harness.discover() if n != "reception" or shutil.which("wrk")]
    report = harness.main(["--quick", "--output", str(tmp_path), "--only", ",".join(only)])

    failures = {name: m["error"] for name, m in report["modules"].items() if "error" in m}
    assert not failures
    assert set(report["modules"]) == set(only)
    for name, module in report["modules"].items():
        assert module["results"], f"{name} returned no figure"
        for row in module["results"]:
            assert set(row) >= REQUIRED, f"{name}: {row.get('metric')} lacks {REQUIRED - set(row)}"
    written = json.loads((tmp_path / report["path"].rsplit("/", 1)[-1]).read_text(encoding="utf-8"))
    assert written["machine"]["cores"] >= 1 and written["command"].startswith(".venv/bin/python -m bench")
    summary = (tmp_path / "latest-quick.md").read_text(encoding="utf-8")
    assert "lifecycle_1w_vs_floor" in summary and "EXPLAIN" in summary
