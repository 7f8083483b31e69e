"""The benchmark harness runs (quick mode) and writes a complete result file, so it never rots."""

from __future__ import annotations

import json

import pytest

from bench import deadlines as bench


def test_the_quick_benchmark_writes_its_figures(tmp_path, capsys):
    report = bench.main(["--quick", "--output", str(tmp_path)])
    [written] = list(tmp_path.glob("*-deadlines-quick.json"))
    assert json.loads(written.read_text(encoding="utf-8")) == report
    assert report["command"] == f".venv/bin/python -m bench.deadlines --quick --output {tmp_path}"
    assert report["machine"]["cores"] and report["machine"]["packages"]["holidays"]
    by_metric = {row["metric"]: row for row in report["results"]}
    for metric in ("working_day_due_dates", "elapsed_working_time"):
        row = by_metric[metric]
        assert row["n"] == bench.QUICK_N
        assert row["value"] > 0 and row["baseline"] > 0
        assert row["ratio"] == pytest.approx(row["value"] / row["baseline"], rel=0.02)
    # Both engines agree on the due date wherever they answer the same question.
    assert report["checks"]["same_date_as_baseline_checked"] > 1000
    assert report["checks"]["mismatches"] == 0
    assert "working_day_due_dates" in capsys.readouterr().out
