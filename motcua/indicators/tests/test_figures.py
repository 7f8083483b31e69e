"""Figures of a unit and period from the aggregates: what each item counts, and agreement with a scan."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.indicators import drilldown, figures, naive, periods
from motcua.indicators.figures import ranges, window
from motcua.indicators.models import IndexCounter
from motcua.indicators.testing import at

from .conftest import NOW

MARCH = periods.parse("2026-03")


def pair(figure):
    return int(figure.numerator), int(figure.denominator)


def test_each_item_counts_what_its_definition_says(scenario):
    w = scenario.world
    f = figures.compute_figures(w.province, MARCH.start, MARCH.end, now=at(NOW))
    # Dossiers of March (by reception, else submission): early, late, open_late, open_ok, supplement, online,
    # copies, withdrawn — 8; "carried" was received in February.
    assert f["2.1"].denominator == 8
    # On time: early, open_ok (due 06/04), supplement (ended at its request on 04/03, before its due date).
    # Late: late, open_late (due 10/03), online (3 working days from 05/03), copies (due the same day),
    # withdrawn (received 09/03, due 16/03, withdrawn 20/03).
    assert pair(f["2.1"]) == (3, 8)
    assert pair(f["5.3"]) == pair(f["2.1"])  # complaints are not recorded: only lateness is deducted
    assert pair(f["3.3"]) == (0, 8)  # one online dossier, but its result is a document and it has none yet
    assert pair(f["4.1"]) == (2, 8)  # every procedure here issues a document; e-results: early, late
    assert pair(f["4.2"]) == (2, 8)  # early (digitised, and its e-result issued), copies (digitised, open)
    assert pair(f["4.3"]) == (1, 8)  # late: a reused component
    assert pair(f["4.4"]) == (1, 8)  # copies: a component from the national store
    assert pair(f["4.6"]) == (2, 8)  # supplement (population data), copies (national store)
    assert pair(f["3.6"]) == (0, 8)  # every dossier owes a fee, none paid online
    assert pair(f["4.5"]) == (1, 1)  # the commune offers certified copies online
    assert pair(f["3.1"]) == (3, 3)
    assert pair(f["3.2"]) == (1, 3)  # only 1.001193 had an online dossier
    assert pair(f["3.4"]) == (2, 2)  # fee-bearing: 1.001193, 9.100002; both had dossiers with a fee
    assert pair(f["3.5"]) == (0, 2)
    assert pair(f["4.7"]) == (2, 2)  # citizen procedures 1.001193, 9.100002: both had population data
    assert f["1.4"].source.startswith("Ước tính") and pair(f["1.4"]) == (0, 8)


def test_the_scan_and_the_aggregates_agree_for_every_unit_and_period(scenario):
    w = scenario.world
    for text in ("2026-03", "2026-Q1", "2026", "2026-02-20..2026-03-10", "2026-03-15..2026-04-14"):
        period = periods.parse(text)
        fast = figures.score_units(w.province, period, now=at(NOW))
        slow = naive.score_units(w.province, period, now=at(NOW))
        assert fast.root.unit.figures == slow.root.unit.figures, text
        assert [(r.rank, r.key.node.pk, r.total) for r in fast.ranking] == [
            (r.rank, r.key.node.pk, r.total) for r in slow.ranking
        ], text


def test_equal_totals_share_a_rank_and_the_next_rank_skips(scenario):
    scores = figures.score_units(scenario.world.province, MARCH, now=at(NOW))
    by_pk = {r.key.node.pk: r for r in scores.ranking}
    construction, health = by_pk[scenario.world.construction.pk], by_pk[scenario.health.pk]
    assert construction.total == health.total and construction.rank == health.rank
    ranks = [r.rank for r in scores.ranking]
    assert ranks == sorted(ranks)
    for position, ranked in enumerate(scores.ranking, start=1):
        same = [r for r in scores.ranking if r.total == ranked.total]
        assert ranked.rank == min(p for p, r in enumerate(scores.ranking, start=1) if r.total == ranked.total)
        assert len(same) >= 1 and ranked.rank <= position
    assert [c.node.kind for c in scores.children] and all(c.node.kind != "division" for c in scores.children)


def test_a_period_still_running_judges_open_dossiers_now_not_at_its_end(scenario):
    w = scenario.world
    quarter = periods.parse("2026-Q2")
    from motcua.dossiers import commands
    from motcua.indicators.testing import payload

    commands.receive_new(w.alice, payload(w), now=at("2026-04-01T09:00"))  # due 08/04
    on_the_2nd = figures.compute_figures(w.province, quarter.start, quarter.end, now=at("2026-04-02T10:00"))
    after_due = figures.compute_figures(w.province, quarter.start, quarter.end, now=at("2026-04-09T10:00"))
    assert pair(on_the_2nd["2.1"]) == (1, 1)
    assert pair(after_due["2.1"]) == (0, 1)


def test_the_drill_down_lists_exactly_the_dossiers_the_figure_counts(scenario):
    w = scenario.world
    scores = figures.score_units(w.province, MARCH, now=at(NOW), with_children=False)
    subtree = scores.context.tree.subtree(w.province.pk)
    for item in sorted(drilldown.DOSSIER_ITEMS):
        figure = scores.root.unit.figures[item]
        earned = drilldown.dossier_facts(subtree, MARCH, item, "earned", cutoff=scores.cutoff).count()
        lost = drilldown.dossier_facts(subtree, MARCH, item, "lost", cutoff=scores.cutoff).count()
        if item == "1.4":  # its denominator is the national count (here our own estimate)
            assert earned == figure.numerator
            continue
        assert (earned, earned + lost) == pair(figure), item


def test_windows_cover_each_day_once_with_whole_months_at_month_grain(scenario):
    period = periods.parse("2026-02-20..2026-03-31")
    rows = IndexCounter.objects.filter(window(period.start, period.end))
    grains = {(r.grain, r.day.month) for r in rows}
    assert ("m", 3) in grains and ("d", 3) not in grains  # March whole: month rows only
    assert ("d", 2) in grains and ("m", 2) not in grains  # February partly: day rows only
    everything = IndexCounter.objects.filter(window(None, period.end))
    assert sum(r.dossiers for r in everything) == sum(
        r.dossiers for r in IndexCounter.objects.filter(grain="d", day__lte=period.end)
    )


def test_the_rebuild_command_recounts_everything_or_a_window(scenario):
    from io import StringIO

    from django.core.management import CommandError, call_command

    from motcua.indicators import aggregates

    before = aggregates.counters_snapshot()
    out = StringIO()
    call_command("index", "rebuild", stdout=out)
    assert f"{len(scenario.dossiers)} hồ sơ" in out.getvalue()
    call_command("index", "rebuild", "--from", "01/03/2026", "--to", "2026-03-31", stdout=StringIO())
    assert aggregates.counters_snapshot() == before
    with pytest.raises(CommandError, match="--from phải trước"):
        call_command("index", "rebuild", "--from", "2026-04-01", "--to", "2026-03-01")
    with pytest.raises(CommandError, match="không đúng dạng"):
        call_command("index", "rebuild", "--from", "1/3")


def test_the_figures_command_scores_a_unit_from_the_system_data(scenario):
    import json
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "index",
        "figures",
        "--unit",
        scenario.world.province.code,
        "--period",
        "2026-03",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    assert data["unit"]["code"] == scenario.world.province.code and data["period"]["code"] == "2026-03"
    assert {c["name"] for c in data["children"]} >= {"Sở Tư pháp", "Sở Y tế"}


def _days_of(parts, earliest):
    """Every day the (grain, first, last) ranges cover, in order."""
    out = []
    for grain, first, last in parts:
        day = first or earliest
        while day <= last:
            if grain == "d":
                step = timedelta(days=1)
            elif grain == "m":
                step = date(day.year + day.month // 12, day.month % 12 + 1, 1) - day
            else:
                step = date(day.year + 1, 1, 1) - day
            out += [day + timedelta(days=i) for i in range(step.days)]
            day += step
    return out


@given(st.dates(date(2020, 1, 1), date(2030, 12, 31)), st.integers(0, 1200), st.booleans())
def test_ranges_cover_every_day_of_a_period_exactly_once(start, length, from_the_beginning):
    end = start + timedelta(days=length)
    earliest = date(2019, 1, 1)
    first = None if from_the_beginning else start
    expected_start = earliest if from_the_beginning else start
    days = _days_of(ranges(first, end), earliest)
    assert days == [expected_start + timedelta(days=i) for i in range((end - expected_start).days + 1)]


def test_a_calendar_year_reads_year_rows_and_a_quarter_month_rows():
    assert ranges(date(2026, 1, 1), date(2026, 12, 31)) == [("y", date(2026, 1, 1), date(2026, 1, 1))]
    assert ranges(date(2026, 7, 1), date(2026, 9, 30)) == [("m", date(2026, 7, 1), date(2026, 9, 1))]


def test_the_monthly_trend_scores_each_month_like_the_dashboard_does(scenario):
    from motcua.indicators.models import IndexInput

    w = scenario.world
    IndexInput.objects.create(
        agency=w.province,
        period_start=date(2026, 3, 1),
        period_end=date(2026, 3, 31),
        item_number="5.1",
        numerator=3,
        denominator=4,
        source="entered",
    )
    trend = figures.monthly_totals(w.province, periods.parse("2026"), now=at(NOW))
    assert [m.code for m, _ in trend] == ["2026-01", "2026-02", "2026-03", "2026-04"]
    for month, score in trend:
        alone = figures.score_units(w.province, month, now=at(NOW), with_children=False).root.score
        assert score == alone, month.code
