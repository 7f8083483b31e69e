"""`bench/results/latest.md`: every figure with its baseline, ratio and goal, and plots where they help."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return "—" if value is None else str(value)


def summary_stem(report: dict, json_name: str) -> str:
    """`latest` for a full run, `latest-quick` for a quick one, `latest-<name>` for a named partial run
    (so that `--only reads --name …` does not replace the full run's summary)."""
    stem = json_name.removesuffix(".json").split("-", 3)[-1]  # drop the date
    if stem in ("bench", "bench-quick"):
        return "latest-quick" if report["quick"] else "latest"
    return f"latest-{stem}"


def write_summary(report: dict, folder: Path, *, json_name: str) -> Path:
    m = report["machine"]
    env = "".join(f"{k}={v} " for k, v in report.get("environment", {}).items())
    lines = [
        f"# Benchmark results — {report['started_at'][:10]}{' (quick)' if report['quick'] else ''}",
        "",
        f"Command: `{env}{report['command']}` (database `{report['database']}`), "
        f"{report['started_at']} → {report['finished_at']}. Raw figures: `{json_name}`.",
        "",
        f"Machine: {m['cores']} cores, {m['memory_gb']} GB, load average at the end {m['load_average']}, "
        f"{m['platform']}, Python {m['python']}, PostgreSQL {m.get('postgresql')}; "
        + ", ".join(f"{k} {v}" for k, v in m["packages"].items()),
        "",
        "Ratios compare figures measured in the same run on the same machine (absolute rates drift on a "
        "shared machine; ratios hold). *Goal* is the target of issue 8 or of the module.",
        "",
    ]
    plots = []
    for name, module in report["modules"].items():
        lines.append(f"## {name} ({module['seconds']} s)")
        lines.append("")
        if "error" in module:
            lines += [f"**Failed:** `{module['error']}`", ""]
            continue
        lines.append("| metric | value | unit | baseline | ratio | n | goal |")
        lines.append("|---|---:|---|---|---:|---:|---|")
        for r in module["results"]:
            base = _fmt(r.get("baseline"))
            if r.get("baseline_name"):
                base += f" ({r['baseline_name']})"
            goal = ""
            if "goal" in r:
                goal = f"{r['goal']}: {'**met**' if r.get('goal_met') else '**not met**'}"
            lines.append(
                f"| {r.get('metric')} | {_fmt(r.get('value'))} | {r.get('unit', '')} | {base} | "
                f"{_fmt(r.get('ratio'))} | {_fmt(r.get('n'))} | {goal} |"
            )
        lines.append("")
        for extra in ("explain",):
            for r in module["results"]:
                if r.get(extra):
                    lines += [f"<details><summary>EXPLAIN (ANALYZE, BUFFERS) — {r['metric']}</summary>", ""]
                    lines += ["```", r[extra].rstrip(), "```", "", "</details>", ""]
        plot = _plot(name, module["results"], folder, summary_stem(report, json_name))
        if plot:
            plots.append(plot)
            lines += [f"![{name}]({plot.name})", ""]
    path = folder / f"{summary_stem(report, json_name)}.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _plot(name: str, results: list[dict], folder: Path, prefix: str = "latest") -> Path | None:
    """A bar chart of value vs baseline for the rows that have one (where a picture helps)."""
    rows = [
        r
        for r in results
        if isinstance(r.get("value"), int | float) and isinstance(r.get("baseline"), int | float)
    ]
    if len(rows) < 2:
        return None
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # the bench extra is not installed: figures without pictures
        return None
    fig, ax = plt.subplots(figsize=(9, 0.5 + 0.55 * len(rows)))
    labels = [r["metric"] for r in rows]
    ys = range(len(rows))
    ax.barh([y + 0.2 for y in ys], [r["value"] for r in rows], height=0.4, label="motcua", color="#1f6f8b")
    ax.barh(
        [y - 0.2 for y in ys], [r["baseline"] for r in rows], height=0.4, label="baseline", color="#c9c9c9"
    )
    ax.set_yticks(list(ys), labels, fontsize=8)
    ax.set_xscale("log")
    ax.set_xlabel(" / ".join(sorted({r.get("unit", "") for r in rows})), fontsize=8)
    ax.legend(fontsize=8)
    ax.set_title(name)
    fig.tight_layout()
    path = folder / f"{prefix}-{name}.png"
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
