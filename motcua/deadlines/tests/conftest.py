from __future__ import annotations

from datetime import date, datetime

import pytest

from motcua.deadlines.engine import TZ, OverlayDay, WorkingCalendar

# The New Year 2026 swap announced on 25/12/2025 (Official Letter 12729/VPCP-KGVX), which holidays==0.109
# does not know; the same two entries the 0002 migration seeds.
NEW_YEAR_2026_SWAP = (
    OverlayDay(date(2026, 1, 2), "day_off", "Ngày nghỉ (hoán đổi)", "CV 12729/VPCP-KGVX"),
    OverlayDay(date(2026, 1, 10), "working_day", "Làm bù cho 02/01/2026", "CV 12729/VPCP-KGVX"),
)


def vn(*args: int) -> datetime:
    """A Vietnam-time instant: vn(2026, 2, 13, 15, 30)."""
    return datetime(*args, tzinfo=TZ)  # type: ignore[misc]


@pytest.fixture(scope="session")
def cal() -> WorkingCalendar:
    """The national calendar with the default office hours 08:00–12:00, 13:00–17:00."""
    return WorkingCalendar.build(NEW_YEAR_2026_SWAP)


@pytest.fixture(scope="session")
def computed_only() -> WorkingCalendar:
    return WorkingCalendar.build()
