"""Properties of the engine that must hold for every start, duration and pause (hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.deadlines.engine import TZ, Pause, WorkingCalendar
from motcua.deadlines.units import DurationUnit

from .conftest import NEW_YEAR_2026_SWAP

WD = DurationUnit.WORKING_DAYS
WH = DurationUnit.WORKING_HOURS

# One calendar per office-hours shape: the default, an early province, one with 7.5 h and odd minutes.
CALENDARS = [
    WorkingCalendar.build(NEW_YEAR_2026_SWAP),
    WorkingCalendar.build(NEW_YEAR_2026_SWAP, "07:00-11:30,13:30-17:00"),
    WorkingCalendar.build(NEW_YEAR_2026_SWAP, "07:30-11:30,13:00-16:30"),
    WorkingCalendar.build(NEW_YEAR_2026_SWAP, "07:15-12:05"),
]
calendars = st.sampled_from(CALENDARS)

# Instants 2020–2030 at any microsecond; starts are biased towards the interesting boundaries by drawing
# minute-precision times half of the time (openings, closings, lunch).
_base = datetime(2020, 1, 1, tzinfo=TZ)
instants = st.one_of(
    st.integers(0, 11 * 365 * 24 * 60).map(lambda m: _base + timedelta(minutes=m)),
    st.integers(0, 11 * 365 * 24 * 3600 * 10**6).map(lambda us: _base + timedelta(microseconds=us)),
)
whole_days = st.integers(1, 60)
hours = st.integers(1, 200)

# No example database: CI runs must not leave a .hypothesis/ folder in the checkout.
FAST = settings(max_examples=300, deadline=None, database=None)


def period_ends(cal: WorkingCalendar, moment: datetime) -> bool:
    """The end-of-period rule: a due instant may sit exactly at the end of a period of a working day."""
    local = moment.astimezone(TZ)
    minute_of_day = local.hour * 60 + local.minute
    on_the_minute = local.second == 0 and local.microsecond == 0
    return (
        cal.is_working_day(local.date())
        and on_the_minute
        and any(minute_of_day == end for _, end in cal.office_hours.periods)
    )


@FAST
@given(cal=calendars, start=instants, a=whole_days, b=whole_days)
def test_due_is_monotonic_in_the_duration(cal, start, a, b):
    low, high = sorted((a, b))
    for unit in (WD, WH, DurationUnit.CALENDAR_DAYS, DurationUnit.MONTHS):
        n_low, n_high = (low, high) if unit != DurationUnit.MONTHS else sorted((a % 24, b % 24))
        assert cal.due(start, n_low, unit) <= cal.due(start, n_high, unit)


@FAST
@given(cal=calendars, start=instants, n=whole_days)
def test_elapsed_to_the_due_date_is_n_working_days(cal, start, n):
    due = cal.due(start, n, WD)
    assert cal.elapsed(start, due) == n * cal.working_day_length


@FAST
@given(cal=calendars, start=instants, n=hours)
def test_elapsed_to_the_due_date_is_n_working_hours(cal, start, n):
    assert cal.elapsed(start, cal.due(start, n, WH)) == timedelta(hours=n)


@FAST
@given(cal=calendars, start=instants, a=whole_days, b=whole_days)
def test_splitting_a_duration_equals_the_whole(cal, start, a, b):
    assert cal.due(cal.due(start, a, WD), b, WD) == cal.due(start, a + b, WD)
    assert cal.due(cal.due(start, a, WH), b, WH) == cal.due(start, a + b, WH)


@FAST
@given(cal=calendars, start=instants, n=whole_days)
def test_results_never_fall_in_non_working_time(cal, start, n):
    for unit, duration in ((WD, n), (WH, n), (WD, n / 4)):
        due = cal.due(start, duration, unit)
        assert cal.is_working(due) or period_ends(cal, due), (unit, duration, due)
        assert due > start
    for unit in (DurationUnit.CALENDAR_DAYS, DurationUnit.MONTHS, DurationUnit.SAME_DAY):
        due = cal.due(start, n % 12 if unit != DurationUnit.SAME_DAY else None, unit)
        # Calendar units land on a closing time, which the end-of-period rule allows.
        assert period_ends(cal, due) and due.time() == cal.office_hours.closing, (unit, due)


@FAST
@given(
    cal=calendars,
    start=instants,
    n=whole_days,
    pause_offset=st.integers(-5 * 24 * 60, 90 * 24 * 60),
    pause_length=st.integers(0, 30 * 24 * 60),
)
def test_a_pause_extends_the_due_date_by_exactly_the_working_time_it_overlaps(
    cal, start, n, pause_offset, pause_length
):
    pause_start = start + timedelta(minutes=pause_offset)
    pause = Pause(pause_start, pause_start + timedelta(minutes=pause_length))
    plain = cal.due(start, n, WD)
    paused = cal.due(start, n, WD, pauses=[pause])
    if pause.start >= plain:
        assert paused == plain  # the budget ran out before the pause began
        return
    overlap = max(timedelta(0), cal.elapsed(max(pause.start, start), min(pause.end, paused)))
    assert cal.elapsed(start, paused) == n * cal.working_day_length + overlap
    assert paused >= plain
    # ... and it is the earliest such instant: still working time or a period end.
    assert cal.is_working(paused) or period_ends(cal, paused)


@FAST
@given(cal=calendars, start=instants, n=whole_days)
def test_the_fast_path_agrees_with_the_general_walk(cal, start, n):
    by_positions = cal._earliest_reaching(cal.position(start) + n * cal._day)
    assert cal.due_working_days(start, n) == by_positions
    assert cal.due(start, n, WD) == cal.due(start, float(n), WD) == by_positions


@settings(max_examples=200, deadline=None, database=None)
@given(day=st.dates(date(1995, 1, 1), date(2090, 12, 31)), n=st.integers(-60, 60))
def test_nth_working_day_agrees_with_the_holidays_package(day, n):
    assert COMPUTED.nth_working_day(day, n) == PACKAGE.get_nth_working_day(day, n)


COMPUTED = WorkingCalendar.build()
PACKAGE = holidays.country_holidays("VN")


@FAST
@given(
    cal=calendars,
    start=instants,
    n=whole_days,
    pause_offset=st.integers(0, 90 * 24 * 60),
    pause_length=st.integers(0, 30 * 24 * 60),
)
def test_restart_gives_the_whole_budget_from_the_complete_supplement(
    cal, start, n, pause_offset, pause_length
):
    pause_start = start + timedelta(minutes=pause_offset)
    supplement = Pause(pause_start, pause_start + timedelta(minutes=pause_length))
    assert cal.due(start, n, WD, pauses=[supplement], policy="restart") == cal.due(supplement.end, n, WD)
