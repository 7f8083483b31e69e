"""The computed Vietnamese working calendar: the ``holidays`` package's VN calendar over 1900–2100.

The package knows the statutory holidays, the lunar dates on the Vietnamese calendar (UTC+7, which differs
from the Chinese one in some years: 1985, 2007, 2030…), compensatory days and the government swaps it has
been told about. Swaps it has not been told about are the administrator's overlay (see ``models``).
Built once per process: the package walks every year, and nothing here changes while the process lives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import holidays

FIRST_DATE = date(1900, 1, 1)
LAST_DATE = date(2100, 12, 31)
# The package has no Vietnamese data before 1901: 1900 is counted with weekends only.
FIRST_COMPUTED_YEAR = 1901

SATURDAY_NAME = "Thứ Bảy"
SUNDAY_NAME = "Chủ nhật"
MAKE_UP_NAME = "Ngày làm việc bù"


@dataclass(frozen=True)
class ComputedCalendar:
    """Days off (any weekday, with their Vietnamese names) and weekend days that are worked."""

    days_off: dict[date, str]
    weekend_workdays: frozenset[date]
    package_version: str


@lru_cache(maxsize=1)
def computed_calendar() -> ComputedCalendar:
    vn = holidays.country_holidays(
        "VN", years=range(FIRST_COMPUTED_YEAR, LAST_DATE.year + 1), language="vi", observed=True
    )
    days_off = {day: str(name) for day, name in vn.items() if FIRST_DATE <= day <= LAST_DATE}
    workdays = frozenset(d for d in vn.weekend_workdays if FIRST_DATE <= d <= LAST_DATE)
    return ComputedCalendar(days_off, workdays, package_version=holidays.__version__)


@lru_cache(maxsize=1)
def _lunar_new_years() -> dict[int, date]:
    return {day.year: day for day, name in computed_calendar().days_off.items() if name == "Tết Nguyên Đán"}


def lunar_new_year(year: int) -> date | None:
    """Tết Nguyên Đán (1st day of the 1st lunar month) on the Vietnamese calendar, from the package."""
    return _lunar_new_years().get(year)
