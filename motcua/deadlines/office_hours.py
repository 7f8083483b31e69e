"""Office hours: the working periods of one day, written as "08:00-12:00,13:00-17:00".

Pure (no Django): the deadline engine and the organisation models both parse the same text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

_PERIOD = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")

DEFAULT_OFFICE_HOURS = "08:00-12:00,13:00-17:00"


class OfficeHoursError(ValueError):
    """The text does not describe valid, ordered, non-overlapping periods."""


@dataclass(frozen=True)
class OfficeHours:
    """Working periods of a day as (start minute, end minute) from midnight, in order."""

    periods: tuple[tuple[int, int], ...]

    @property
    def minutes_per_day(self) -> int:
        return sum(end - start for start, end in self.periods)

    @property
    def opening(self) -> time:
        return _as_time(self.periods[0][0])

    @property
    def closing(self) -> time:
        return _as_time(self.periods[-1][1])

    def __str__(self) -> str:
        return ",".join(f"{_fmt(a)}-{_fmt(b)}" for a, b in self.periods)


def _fmt(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _as_time(minute: int) -> time:
    return time(minute // 60, minute % 60)


def parse_office_hours(text: str | None) -> OfficeHours:
    """Parse "HH:MM-HH:MM[,HH:MM-HH:MM…]"; an empty value means the national default."""
    if text is None or not text.strip():
        text = DEFAULT_OFFICE_HOURS
    periods: list[tuple[int, int]] = []
    for chunk in text.split(","):
        match = _PERIOD.match(chunk)
        if not match:
            raise OfficeHoursError(f"'{chunk.strip()}' is not a period like 08:00-12:00")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2 != 0):
            raise OfficeHoursError(f"'{chunk.strip()}' has an impossible time")
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if end <= start:
            raise OfficeHoursError(f"'{chunk.strip()}' ends before it starts")
        if periods and start < periods[-1][1]:
            raise OfficeHoursError(f"'{chunk.strip()}' overlaps or precedes the previous period")
        periods.append((start, end))
    return OfficeHours(tuple(periods))
