"""The benchmark's two paths (aggregates, full scan) give identical figures on small data."""

from motcua.indicators import periods
from motcua.indicators.testing import at

from .conftest import NOW


def test_the_benchmark_paths_agree_and_are_timed(scenario):
    from bench import index_dashboard

    assert index_dashboard.busiest_root() == scenario.world.province
    period = periods.parse("2026")
    measured = index_dashboard.compare(scenario.world.province, period, at(NOW), repeats=1)
    assert measured["dossiers_in_period"] == len(scenario.dossiers)
    assert measured["units"] == 1 + 4  # the province and its four child agencies (not its own divisions)
    assert measured["aggregates_s"] > 0 and measured["scan_s"] > 0
