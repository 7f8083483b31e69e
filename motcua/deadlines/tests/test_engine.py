"""The due-date rules of rules.md §4 on cases typed from the 2025–2026 notices and the edge cases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from motcua.deadlines.engine import (
    TZ,
    DeadlineError,
    InvalidDurationError,
    NaiveDatetimeError,
    OutOfRangeError,
    OverlayDay,
    Pause,
    UnknownUnitError,
    WorkingCalendar,
    classify,
)
from motcua.deadlines.units import DurationUnit, PauseReason, Timeliness

from .conftest import NEW_YEAR_2026_SWAP, vn

WD = DurationUnit.WORKING_DAYS
WH = DurationUnit.WORKING_HOURS


# --- the example of issue 3 and the 2026 notices ----------------------------------------------------------
def test_it_skips_tet_2026_in_the_issue_example(cal):
    assert cal.due(vn(2026, 2, 13, 15, 30), 5, WD).isoformat() == "2026-02-27T15:30:00+07:00"


def test_tet_2026_closes_offices_from_14_to_22_february(cal):
    for day in range(14, 23):
        assert not cal.is_working_day(date(2026, 2, day)), f"{day}/02/2026 should be off"
    assert cal.is_working_day(date(2026, 2, 13))
    assert cal.is_working_day(date(2026, 2, 23))
    assert cal.day_name(date(2026, 2, 17)) == "Tết Nguyên Đán"


def test_hung_kings_day_2026_is_observed_on_monday_27_april(cal):
    assert not cal.is_working_day(date(2026, 4, 27))
    assert "Giỗ Tổ Hùng Vương" in cal.day_name(date(2026, 4, 27))
    assert cal.due(vn(2026, 4, 24, 10, 0), 1, WD) == vn(2026, 4, 28, 10, 0)


# --- normalising the start ------------------------------------------------------------------------------
def test_a_start_on_a_holiday_counts_from_the_next_working_morning(cal):
    assert cal.due(vn(2026, 2, 17, 10, 0), 1, WD) == vn(2026, 2, 23, 17, 0)
    assert cal.next_working_instant(vn(2026, 2, 17, 10, 0)) == vn(2026, 2, 23, 8, 0)


def test_a_start_at_lunch_counts_from_the_afternoon_opening(cal):
    assert cal.next_working_instant(vn(2026, 3, 2, 12, 30)) == vn(2026, 3, 2, 13, 0)
    assert cal.due(vn(2026, 3, 2, 12, 30), 4, WH) == vn(2026, 3, 2, 17, 0)
    # 4 h that afternoon + 4 h the next morning: lands on the end of the morning period and stays there.
    assert cal.due(vn(2026, 3, 2, 12, 30), 1, WD) == vn(2026, 3, 3, 12, 0)


def test_a_start_exactly_at_opening_ends_at_closing_the_same_day(cal):
    assert cal.due(vn(2026, 3, 2, 8, 0), 1, WD) == vn(2026, 3, 2, 17, 0)
    assert cal.due(vn(2026, 3, 2, 8, 0), 2, WD) == vn(2026, 3, 3, 17, 0)


def test_a_start_exactly_at_closing_counts_from_the_next_working_day(cal):
    assert cal.due(vn(2026, 3, 2, 17, 0), 1, WD) == vn(2026, 3, 3, 17, 0)
    assert cal.next_working_instant(vn(2026, 3, 2, 17, 0)) == vn(2026, 3, 3, 8, 0)
    assert not cal.is_working(vn(2026, 3, 2, 17, 0))
    assert cal.is_working(vn(2026, 3, 2, 8, 0))


def test_a_due_time_on_a_period_end_stays_there(cal):
    assert cal.due(vn(2026, 3, 2, 13, 0), 4, WH) == vn(2026, 3, 2, 17, 0)
    assert cal.due(vn(2026, 3, 2, 8, 0), 4, WH) == vn(2026, 3, 2, 12, 0)


def test_a_friday_evening_reception_counts_from_monday(cal):
    assert cal.due(vn(2026, 3, 6, 19, 45), 1, WD) == vn(2026, 3, 9, 17, 0)


def test_it_counts_across_a_year_boundary(cal):
    # 31/12 is day 1; 01/01 (New Year) and 02/01/2026 (swap) are off, 03–04/01 a weekend.
    assert cal.due(vn(2025, 12, 30, 10, 0), 3, WD) == vn(2026, 1, 6, 10, 0)


def test_a_make_up_saturday_is_a_working_day(cal):
    assert cal.is_working_day(date(2026, 1, 10))
    assert cal.due(vn(2026, 1, 9, 10, 0), 1, WD) == vn(2026, 1, 10, 10, 0)
    assert cal.due(vn(2026, 1, 10, 9, 0), 4, WH) == vn(2026, 1, 10, 14, 0)
    assert not cal.is_working_day(date(2026, 1, 17))  # an ordinary Saturday


def test_fractional_working_days_are_counted_in_hours(cal):
    assert cal.due(vn(2026, 3, 2, 8, 0), Decimal("0.5"), WD) == vn(2026, 3, 2, 12, 0)
    assert cal.due(vn(2026, 3, 2, 8, 0), 1.5, WD) == vn(2026, 3, 3, 12, 0)


def test_zero_working_time_gives_the_normalised_start(cal):
    assert cal.due(vn(2026, 3, 2, 18, 0), 0, WD) == vn(2026, 3, 3, 8, 0)


# --- office hours of another agency -----------------------------------------------------------------------
def test_an_agency_with_other_office_hours_counts_its_own_periods():
    cal = WorkingCalendar.build(NEW_YEAR_2026_SWAP, "07:00-11:30,13:30-17:00")
    assert cal.hours_per_day == 8
    assert cal.due(vn(2026, 3, 2, 11, 0), 1, WD) == vn(2026, 3, 3, 11, 0)
    assert cal.next_working_instant(vn(2026, 3, 2, 12, 0)) == vn(2026, 3, 2, 13, 30)
    assert cal.due(vn(2026, 3, 2, 12, 0), 1, WD) == vn(2026, 3, 3, 11, 30)
    assert cal.due(vn(2026, 3, 2, 7, 0), 1, WD) == vn(2026, 3, 2, 17, 0)


def test_hours_per_day_come_from_the_configured_periods():
    cal = WorkingCalendar.build((), "07:30-11:30,13:00-16:30")
    assert cal.hours_per_day == Decimal("7.5")
    start = vn(2026, 3, 2, 9, 0)
    assert cal.elapsed(start, cal.due(start, 2, WD)) == timedelta(hours=15)


# --- the other units ------------------------------------------------------------------------------------
def test_calendar_days_move_to_the_closing_of_the_next_working_day(cal):
    # 13/02 + 3 days = 16/02 (Tết) → first working day 23/02, at closing.
    assert cal.due(vn(2026, 2, 13, 9, 0), 3, DurationUnit.CALENDAR_DAYS) == vn(2026, 2, 23, 17, 0)
    assert cal.due(vn(2026, 3, 2, 9, 0), 3, DurationUnit.CALENDAR_DAYS) == vn(2026, 3, 5, 17, 0)


def test_calendar_days_count_from_the_reception_date_even_on_a_weekend(cal):
    # Received Saturday 07/03: + 2 days = Monday 09/03.
    assert cal.due(vn(2026, 3, 7, 10, 0), 2, DurationUnit.CALENDAR_DAYS) == vn(2026, 3, 9, 17, 0)


def test_months_keep_the_calendar_date_clamped_to_the_month_end(cal):
    # 31/01 + 1 month = 28/02/2026 (Saturday) → Monday 02/03 at closing.
    assert cal.due(vn(2026, 1, 31, 10, 0), 1, DurationUnit.MONTHS) == vn(2026, 3, 2, 17, 0)
    # 31/03 + 1 month = 30/04 (holiday), 01/05 (holiday), weekend → 04/05.
    assert cal.due(vn(2026, 3, 31, 10, 0), 1, DurationUnit.MONTHS) == vn(2026, 5, 4, 17, 0)
    assert cal.due(vn(2024, 1, 31, 10, 0), 1, DurationUnit.MONTHS) == vn(2024, 2, 29, 17, 0)
    assert cal.due(vn(2025, 11, 15, 10, 0), 3, DurationUnit.MONTHS) == vn(2026, 2, 23, 17, 0)


def test_same_day_before_the_cut_off_is_due_at_closing(cal):
    assert cal.due(vn(2026, 3, 2, 14, 59), None, DurationUnit.SAME_DAY) == vn(2026, 3, 2, 17, 0)
    assert cal.due(vn(2026, 3, 2, 7, 15), None, DurationUnit.SAME_DAY) == vn(2026, 3, 2, 17, 0)


def test_same_day_at_or_after_the_cut_off_is_due_at_the_next_closing(cal):
    assert cal.due(vn(2026, 3, 2, 15, 0), None, DurationUnit.SAME_DAY) == vn(2026, 3, 3, 17, 0)
    assert cal.due(vn(2026, 3, 6, 15, 0), 1, DurationUnit.SAME_DAY) == vn(2026, 3, 9, 17, 0)
    assert cal.due(vn(2026, 2, 17, 9, 0), None, DurationUnit.SAME_DAY) == vn(2026, 2, 23, 17, 0)


def test_same_day_cut_off_is_configurable():
    cal = WorkingCalendar.build((), None, same_day_cutoff=datetime(2000, 1, 1, 16, 30).time())
    assert cal.due(vn(2026, 3, 2, 16, 0), None, DurationUnit.SAME_DAY) == vn(2026, 3, 2, 17, 0)


def test_no_due_date_unit_gives_none(cal):
    assert cal.due(vn(2026, 3, 2, 9, 0), None, DurationUnit.NONE) is None
    assert cal.due(vn(2026, 3, 2, 9, 0), None, "none") is None


def test_units_are_accepted_as_plain_strings(cal):
    assert cal.due(vn(2026, 3, 2, 9, 0), 2, "working_hours") == vn(2026, 3, 2, 11, 0)


# --- time zones -----------------------------------------------------------------------------------------
def test_aware_datetimes_in_other_zones_are_converted(cal):
    utc_start = datetime(2026, 2, 13, 8, 30, tzinfo=UTC)  # 15:30 in Hà Nội
    due = cal.due(utc_start, 5, WD)
    assert due == vn(2026, 2, 27, 15, 30)
    assert due.utcoffset() == timedelta(hours=7)
    paris = datetime(2026, 2, 13, 9, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert cal.due(paris, 5, WD) == due


def test_naive_datetimes_are_refused_with_a_clear_error(cal):
    with pytest.raises(NaiveDatetimeError, match="không có múi giờ"):
        cal.due(datetime(2026, 3, 2, 9, 0), 1, WD)
    with pytest.raises(NaiveDatetimeError):
        cal.elapsed(datetime(2026, 3, 2, 9, 0), vn(2026, 3, 2, 10, 0))
    with pytest.raises(NaiveDatetimeError):
        classify(datetime(2026, 3, 2, 9, 0), vn(2026, 3, 2, 10, 0))


# --- bad input ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("duration", "unit", "message"),
    [
        (-1, WD, "không được âm"),
        (-0.5, WH, "không được âm"),
        (5000, WD, "vượt quá giới hạn"),
        (10**9, WH, "vượt quá giới hạn"),
        (100_000, DurationUnit.CALENDAR_DAYS, "vượt quá giới hạn"),
        (1.5, DurationUnit.CALENDAR_DAYS, "số nguyên"),
        (2.5, DurationUnit.MONTHS, "số nguyên"),
        (True, WD, "phải là một số"),
        ("năm", WD, "không phải là một số"),
        (float("nan"), WD, "không phải là một số"),
        (float("inf"), WH, "không phải là một số"),
        (None, WD, "phải là một số"),
        (3, DurationUnit.SAME_DAY, "vượt quá giới hạn"),
    ],
)
def test_bad_durations_are_refused(cal, duration, unit, message):
    with pytest.raises(InvalidDurationError, match=message):
        cal.due(vn(2026, 3, 2, 9, 0), duration, unit)


def test_an_unknown_unit_is_refused_naming_the_valid_ones(cal):
    with pytest.raises(UnknownUnitError, match="working_days"):
        cal.due(vn(2026, 3, 2, 9, 0), 1, "fortnights")


@pytest.mark.parametrize("year", [1899, 2101])
def test_instants_outside_1900_2100_are_refused(cal, year):
    with pytest.raises(OutOfRangeError, match="1900–2100"):
        cal.due(vn(year, 6, 1, 9, 0), 1, WD)
    with pytest.raises(OutOfRangeError):
        cal.is_working_day(date(year, 6, 1))


def test_a_due_date_beyond_2100_is_refused(cal):
    with pytest.raises(OutOfRangeError, match="2100"):
        cal.due(vn(2100, 12, 1, 9, 0), 60, WD)
    with pytest.raises(OutOfRangeError, match="2100"):
        cal.due(vn(2100, 12, 1, 9, 0), 3, DurationUnit.MONTHS)


def test_an_overlay_entry_of_unknown_kind_is_refused():
    with pytest.raises(DeadlineError, match="day_off hoặc working_day"):
        WorkingCalendar.build([OverlayDay(date(2026, 3, 2), "half_day")])


def test_the_range_edges_work(cal):
    assert cal.due(vn(1900, 1, 2, 9, 0), 1, WD) == vn(1900, 1, 3, 9, 0)
    assert cal.due(vn(2100, 12, 1, 9, 0), 5, WD).year == 2100


# --- pauses and the ledger ------------------------------------------------------------------------------
def test_it_pauses_the_clock_when_supplement_requested(cal):
    start = vn(2026, 3, 2, 9, 0)  # Monday; 5 working days → Monday 09/03 09:00
    pause = Pause(vn(2026, 3, 4, 9, 0), vn(2026, 3, 5, 11, 0), PauseReason.SUPPLEMENT)  # 10 working hours
    assert cal.due(start, 5, WD) == vn(2026, 3, 9, 9, 0)
    assert cal.due(start, 5, WD, pauses=[pause]) == vn(2026, 3, 10, 11, 0)


def test_restart_policy_gives_the_full_budget_from_the_complete_supplement(cal):
    start = vn(2026, 3, 2, 9, 0)
    pause = Pause(vn(2026, 3, 4, 9, 0), vn(2026, 3, 5, 11, 0), PauseReason.SUPPLEMENT)
    assert cal.due(start, 5, WD, pauses=[pause], policy="restart") == vn(2026, 3, 12, 11, 0)


def test_restart_policy_does_not_restart_on_a_financial_obligation(cal):
    start = vn(2026, 3, 2, 9, 0)
    pause = Pause(vn(2026, 3, 4, 9, 0), vn(2026, 3, 5, 11, 0), PauseReason.FINANCIAL)
    assert cal.due(start, 5, WD, pauses=[pause], policy="restart") == vn(2026, 3, 10, 11, 0)


def test_a_pause_after_the_due_date_changes_nothing(cal):
    start = vn(2026, 3, 2, 9, 0)
    late_pause = Pause(vn(2026, 3, 9, 10, 0), vn(2026, 3, 11, 10, 0))
    assert cal.due(start, 5, WD, pauses=[late_pause]) == vn(2026, 3, 9, 9, 0)


def test_overlapping_pauses_are_not_counted_twice(cal):
    start = vn(2026, 3, 2, 9, 0)
    a = Pause(vn(2026, 3, 4, 9, 0), vn(2026, 3, 4, 15, 0), PauseReason.SUPPLEMENT)
    b = Pause(vn(2026, 3, 4, 14, 0), vn(2026, 3, 4, 16, 0), PauseReason.FINANCIAL)
    merged = Pause(vn(2026, 3, 4, 9, 0), vn(2026, 3, 4, 16, 0))
    assert cal.due(start, 5, WD, pauses=[b, a]) == cal.due(start, 5, WD, pauses=[merged])


def test_a_pause_over_a_weekend_costs_no_working_time(cal):
    start = vn(2026, 3, 2, 9, 0)
    weekend = Pause(vn(2026, 3, 7, 9, 0), vn(2026, 3, 8, 18, 0))
    assert cal.due(start, 5, WD, pauses=[weekend]) == cal.due(start, 5, WD)


def test_an_open_pause_leaves_the_due_date_unknown_and_the_budget_frozen(cal):
    start = vn(2026, 3, 2, 9, 0)
    pause = Pause(vn(2026, 3, 3, 9, 0), None)
    assert cal.due(start, 5, WD, pauses=[pause]) is None
    state = cal.ledger(start, 5, WD, pauses=[pause], at=vn(2026, 3, 20, 9, 0))
    assert state.paused and state.due is None
    assert state.used == timedelta(hours=8)
    assert state.remaining == timedelta(hours=32)


def test_the_ledger_only_knows_what_happened_before_at(cal):
    start = vn(2026, 3, 2, 9, 0)
    pause = Pause(vn(2026, 3, 4, 9, 0), vn(2026, 3, 5, 11, 0))
    before = cal.ledger(start, 5, WD, pauses=[pause], at=vn(2026, 3, 3, 9, 0))
    assert before.due == vn(2026, 3, 9, 9, 0) and not before.paused
    assert before.used == timedelta(hours=8) and before.remaining == timedelta(hours=32)
    during = cal.ledger(start, 5, WD, pauses=[pause], at=vn(2026, 3, 5, 10, 0))
    assert during.paused and during.due is None
    assert during.used == timedelta(hours=16)
    after = cal.ledger(start, 5, WD, pauses=[pause], at=vn(2026, 3, 11, 9, 0))
    assert after.due == vn(2026, 3, 10, 11, 0)
    assert after.paused_working_time == timedelta(hours=10)
    assert after.remaining == -timedelta(hours=6)  # late by six working hours


def test_pauses_with_bad_bounds_are_refused(cal):
    with pytest.raises(DeadlineError, match=r"kết thúc .* trước khi bắt đầu"):
        cal.due(vn(2026, 3, 2, 9, 0), 5, WD, pauses=[Pause(vn(2026, 3, 4, 9, 0), vn(2026, 3, 3, 9, 0))])
    with pytest.raises(NaiveDatetimeError, match="tạm dừng thứ 1"):
        cal.due(vn(2026, 3, 2, 9, 0), 5, WD, pauses=[Pause(datetime(2026, 3, 4, 9, 0), None)])
    with pytest.raises(DeadlineError, match="pause hoặc restart"):
        cal.ledger(vn(2026, 3, 2, 9, 0), 5, WD, policy="forget")


# --- days and instants ----------------------------------------------------------------------------------
def test_nth_working_day_matches_the_holidays_package_semantics(computed_only):
    import holidays

    package = holidays.country_holidays("VN")
    for day in (date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 17), date(2025, 12, 31)):
        for n in (-7, -1, 0, 1, 3, 20):
            assert computed_only.nth_working_day(day, n) == package.get_nth_working_day(day, n), (day, n)


def test_working_days_between_counts_both_ends(cal):
    assert cal.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 2
    assert cal.working_days_between(date(2026, 2, 23), date(2026, 2, 13)) == 0


def test_elapsed_counts_only_working_time(cal):
    assert cal.elapsed(vn(2026, 2, 13, 15, 30), vn(2026, 2, 23, 9, 0)) == timedelta(hours=2, minutes=30)
    assert cal.elapsed(vn(2026, 2, 23, 9, 0), vn(2026, 2, 13, 15, 30)) == -timedelta(hours=2, minutes=30)
    assert cal.elapsed_minutes(vn(2026, 3, 2, 11, 0), vn(2026, 3, 2, 14, 0)) == 120


def test_remaining_is_negative_once_late(cal):
    assert cal.remaining(vn(2026, 3, 2, 17, 0), vn(2026, 3, 2, 16, 0)) == timedelta(hours=1)
    assert cal.remaining(vn(2026, 3, 2, 17, 0), vn(2026, 3, 3, 9, 0)) == -timedelta(hours=1)


# --- early / on time / late -----------------------------------------------------------------------------
def test_classification_at_timestamp_precision(cal):
    due = vn(2026, 3, 9, 9, 0)
    assert cal.classify(vn(2026, 3, 9, 8, 59), due) == Timeliness.EARLY
    assert cal.classify(vn(2026, 3, 9, 9, 0), due) == Timeliness.ON_TIME
    assert cal.classify(vn(2026, 3, 9, 9, 1), due) == Timeliness.LATE
    assert cal.classify(vn(2026, 3, 9, 9, 1), None) is None


def test_classification_at_date_precision_uses_vietnam_dates(cal):
    due = vn(2026, 3, 9, 9, 0)
    assert cal.classify(vn(2026, 3, 9, 16, 0), due, "date") == Timeliness.ON_TIME
    assert cal.classify(vn(2026, 3, 8, 16, 0), due, "date") == Timeliness.EARLY
    # 18:00 UTC on 09/03 is already 10/03 in Hà Nội.
    assert cal.classify(datetime(2026, 3, 9, 18, 0, tzinfo=UTC), due, "date") == Timeliness.LATE
    with pytest.raises(DeadlineError):
        classify(vn(2026, 3, 9, 9, 0), due, "week")  # type: ignore[arg-type]


def test_an_unfinished_dossier_is_late_once_the_due_date_passed(cal):
    due = vn(2026, 3, 9, 9, 0)
    assert not cal.is_overdue(due, vn(2026, 3, 9, 9, 0))
    assert cal.is_overdue(due, vn(2026, 3, 9, 9, 0, 1))
    assert not cal.is_overdue(None, vn(2030, 1, 1, 0, 0))


def test_overlay_later_entries_win_and_names_are_kept():
    cal = WorkingCalendar.build(
        [
            OverlayDay(date(2026, 3, 2), "day_off", "Bão số 3", "QĐ 1/UBND"),
            OverlayDay(date(2026, 3, 2), "working_day", "Mở cửa lại", "QĐ 2/UBND"),
            OverlayDay(date(2026, 3, 3), "day_off", "Bão số 3", "QĐ 1/UBND"),
        ]
    )
    assert cal.is_working_day(date(2026, 3, 2))
    assert not cal.is_working_day(date(2026, 3, 3))
    assert cal.day_name(date(2026, 3, 3)) == "Bão số 3"
    assert cal.day_source(date(2026, 3, 3)) == "QĐ 1/UBND"


def test_utc_offset_of_results_is_vietnam_time(cal):
    due = cal.due(vn(2026, 3, 2, 9, 0), 1, WD)
    assert due.tzinfo is TZ and due.utcoffset() == timedelta(hours=7)
