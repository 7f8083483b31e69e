"""The engine against the official days-off table of 2023–2026 and the lunar calendar 1990–2050."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from holidays.calendars.chinese import CHINESE_CALENDAR, VIETNAMESE_CALENDAR, _ChineseLunisolar

from motcua.deadlines.calendar_import import import_calendar
from motcua.deadlines.computed import lunar_new_year
from motcua.deadlines.engine import WorkingCalendar
from motcua.deadlines.loader import calendar_for
from motcua.deadlines.models import CalendarEntry

TABLE = Path(settings.SHARED_DIR) / "data" / "calendar" / "vn_days_off_2023_2026.json"


@pytest.fixture(scope="module")
def table() -> dict:
    if not TABLE.is_file():
        pytest.skip(f"the official days-off table is not available at {TABLE}")
    return json.loads(TABLE.read_text(encoding="utf-8"))


def expected_working_days(table: dict) -> dict[date, bool]:
    """Every date of the table's years: working or not, as the official table says."""
    out: dict[date, bool] = {}
    for year_text, content in table["years"].items():
        off = {date.fromisoformat(item["date"]) for item in content["weekday_days_off"]}
        make_up = {date.fromisoformat(d) for d in content["make_up_working_saturdays"]}
        day = date(int(year_text), 1, 1)
        while day.year == int(year_text):
            out[day] = (day.weekday() < 5 and day not in off) or day in make_up
            day += timedelta(days=1)
    return out


def assert_matches(calendar: WorkingCalendar, table: dict) -> None:
    expected = expected_working_days(table)
    wrong = [
        f"{day:%a %d/%m/%Y}: table {'working' if works else 'off'}, engine {calendar.day_name(day) or 'work'}"
        for day, works in expected.items()
        if calendar.is_working_day(day) != works
    ]
    assert not wrong, "\n".join(wrong)
    assert len(expected) == 4 * 365 + 1  # 2023–2026, 2024 a leap year: every date was compared


def test_every_weekday_off_and_make_up_saturday_of_the_table_is_listed(table):
    # The table itself: each listed day off is a weekday and each make-up day a Saturday.
    for content in table["years"].values():
        assert all(date.fromisoformat(i["date"]).weekday() < 5 for i in content["weekday_days_off"])
        assert all(date.fromisoformat(d).weekday() == 5 for d in content["make_up_working_saturdays"])


@pytest.mark.django_db
def test_the_calendar_matches_the_official_table_without_importing_it(table):
    # Computed calendar + the national entries a fresh install has (the seeded 2026 New Year swap).
    assert_matches(calendar_for(), table)


@pytest.mark.django_db
def test_the_calendar_matches_the_official_table_once_imported(table):
    CalendarEntry.objects.all().delete()  # start from the bare computed calendar
    report = import_calendar(TABLE)
    assert report.added
    calendar = calendar_for()
    assert_matches(calendar, table)
    # The names come from the table, so officers see the official wording.
    for content in table["years"].values():
        for item in content["weekday_days_off"]:
            assert calendar.day_name(date.fromisoformat(item["date"])) == item["name_vi"]
    again = import_calendar(TABLE)
    assert not again.added and not again.changed
    assert again.unchanged == len(report.added)


@pytest.mark.django_db
def test_a_complete_year_table_overrides_a_computed_holiday_it_omits(table, tmp_path):
    """A complete year means the other dates are working days: a computed holiday it omits is overridden."""
    year = dict(table["years"]["2025"])
    dropped = year["weekday_days_off"][0]
    year["weekday_days_off"] = year["weekday_days_off"][1:]
    edited = {"source": "Thông báo thử", "years": {"2025": year}}
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(edited, ensure_ascii=False), encoding="utf-8")
    import_calendar(path)
    calendar = calendar_for()
    assert calendar.is_working_day(date.fromisoformat(dropped["date"]))
    assert_matches_year(calendar, edited)


def assert_matches_year(calendar: WorkingCalendar, table: dict) -> None:
    expected = expected_working_days(table)
    assert all(calendar.is_working_day(day) == works for day, works in expected.items())


# --- the lunar calendar ----------------------------------------------------------------------------------
def test_lunar_new_year_is_off_every_year_from_1990_to_2050():
    calendar = WorkingCalendar.build()
    lunisolar = _ChineseLunisolar(VIETNAMESE_CALENDAR)
    for year in range(1990, 2051):
        tet, _estimated = lunisolar.lunar_new_year_date(year)
        assert tet is not None
        assert lunar_new_year(year) == tet, year
        assert not calendar.is_working_day(tet), year
        assert calendar.day_name(tet) == "Tết Nguyên Đán", year
        # New Year's Eve and the 2nd and 3rd days are off too.
        for delta in (-1, 1, 2):
            assert not calendar.is_working_day(tet + timedelta(days=delta)), (year, delta)


def test_tet_follows_the_vietnamese_not_the_chinese_calendar():
    chinese = _ChineseLunisolar(CHINESE_CALENDAR)
    differing = [
        y
        for y in range(1990, 2051)
        if chinese.lunar_new_year_date(y)[0]
        != _ChineseLunisolar(VIETNAMESE_CALENDAR).lunar_new_year_date(y)[0]
    ]
    assert 2007 in differing  # Vietnam celebrated Tết Đinh Hợi on 17/02/2007, China on 18/02/2007
    for year in differing:
        assert lunar_new_year(year) == _ChineseLunisolar(VIETNAMESE_CALENDAR).lunar_new_year_date(year)[0]
        assert lunar_new_year(year) != chinese.lunar_new_year_date(year)[0]


@pytest.mark.parametrize(
    ("year", "tet"),
    [
        (2007, date(2007, 2, 17)),
        (2023, date(2023, 1, 22)),
        (2024, date(2024, 2, 10)),
        (2025, date(2025, 1, 29)),
        (2026, date(2026, 2, 17)),
    ],
)
def test_known_tet_dates(year, tet):
    assert lunar_new_year(year) == tet
