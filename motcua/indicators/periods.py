"""Periods: the index's (calendar month, quarter, year, any range) and Biểu 06's reporting periods.

The index is scored per calendar month, quarter or year (indicators.md §1.3), or any date range. Biểu 06
follows the statistical reporting regime (Decree 09/2019/NĐ-CP, Art. 12): every period closes on the 14th —
a month runs from the 15th of the previous month to the 14th, a quarter from the 15th of the month before
it to the 14th of its last month, six and nine months and the year from 15/12 of the previous year to the
14th of June, September and December (indicators.md §2: "the annual report runs from 15/12 to 14/12").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from motcua.deadlines.engine import TZ

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class PeriodError(ValueError):
    """A period that cannot be understood; the message is Vietnamese and names what was given."""


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    kind: str  # month | quarter | year | range | six_months | nine_months
    code: str  # how the API and the pages write it: 2026-07, 2026-Q3, 2026, 2026-01-01..2026-03-31
    label: str  # Vietnamese

    @property
    def end_instant(self) -> datetime:
        """The first instant after the period (midnight after its last day, Vietnam time)."""
        return datetime.combine(self.end + timedelta(days=1), time(), TZ)

    def cutoff(self, now: datetime) -> datetime:
        """When dossiers still open are judged (2.1): the end of the period, or now while it runs."""
        return min(self.end_instant, now)

    def last_day_seen(self, today: date) -> date:
        """The period's last day, or today while it runs (Biểu 06 "in progress" is as of then)."""
        return min(self.end, today)

    def months(self) -> list[Period]:
        """The calendar months the period overlaps, each cut to the period."""
        out = []
        first = self.start.replace(day=1)
        while first <= self.end:
            last = _month_end(first)
            out.append(
                month(first.year, first.month)
                if first >= self.start and last <= self.end
                else date_range(max(first, self.start), min(last, self.end))
            )
            first = last + timedelta(days=1)
        return out

    def previous(self) -> Period:
        """The period of the same kind just before (for "vs last period")."""
        if self.kind == "month":
            first = self.start - timedelta(days=1)
            return month(first.year, first.month)
        if self.kind == "quarter":
            first = self.start - timedelta(days=1)
            return quarter(first.year, (first.month - 1) // 3 + 1)
        if self.kind == "year":
            return year(self.start.year - 1)
        length = self.end - self.start
        return date_range(self.start - length - timedelta(days=1), self.start - timedelta(days=1))


def _month_end(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1) - timedelta(days=1)


def month(y: int, m: int) -> Period:
    _check_year(y)
    if not 1 <= m <= 12:
        raise PeriodError(f"Tháng {m} không hợp lệ (1–12).")
    first = date(y, m, 1)
    return Period(first, _month_end(first), "month", f"{y}-{m:02d}", f"Tháng {m}/{y}")


def quarter(y: int, q: int) -> Period:
    _check_year(y)
    if not 1 <= q <= 4:
        raise PeriodError(f"Quý {q} không hợp lệ (1–4).")
    first = date(y, 3 * q - 2, 1)
    return Period(first, _month_end(date(y, 3 * q, 1)), "quarter", f"{y}-Q{q}", f"Quý {ROMAN[q]}/{y}")


def year(y: int) -> Period:
    _check_year(y)
    return Period(date(y, 1, 1), date(y, 12, 31), "year", str(y), f"Năm {y}")


def date_range(start: date, end: date) -> Period:
    if start > end:
        raise PeriodError(f"Ngày bắt đầu {start:%d/%m/%Y} phải trước hoặc bằng ngày kết thúc {end:%d/%m/%Y}.")
    _check_year(start.year)
    _check_year(end.year)
    return Period(
        start,
        end,
        "range",
        f"{start.isoformat()}..{end.isoformat()}",
        f"Từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}",
    )


def _check_year(y: int) -> None:
    if not 2000 <= y <= 2100:
        raise PeriodError(f"Năm {y} nằm ngoài khoảng 2000–2100.")


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
_RANGE = re.compile(r"^(.+?)\.\.(.+)$")


def parse_date(text: str, what: str = "ngày") -> date:
    """``YYYY-MM-DD`` or ``dd/mm/yyyy``."""
    text = text.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise PeriodError(f"{what.capitalize()} '{text}' không đúng dạng YYYY-MM-DD hoặc dd/mm/yyyy.")


def parse(text: str) -> Period:
    """``2026-07`` (month), ``2026-Q3`` (quarter), ``2026`` (year) or ``2026-01-01..2026-03-31``."""
    text = (text or "").strip()
    if m := _QUARTER.match(text):
        return quarter(int(m[1]), int(m[2]))
    if m := _MONTH.match(text):
        return month(int(m[1]), int(m[2]))
    if m := _YEAR.match(text):
        return year(int(m[1]))
    if m := _RANGE.match(text):
        return date_range(parse_date(m[1], "ngày bắt đầu"), parse_date(m[2], "ngày kết thúc"))
    raise PeriodError(
        f"Kỳ '{text}' không hợp lệ: dùng 2026-07 (tháng), 2026-Q3 (quý), 2026 (năm) hoặc "
        "2026-01-01..2026-03-31 (khoảng ngày)."
    )


def current_quarter(today: date) -> Period:
    return quarter(today.year, (today.month - 1) // 3 + 1)


# --- Biểu 06 reporting periods (Decree 09/2019/NĐ-CP, Art. 12) -------------------------------------------

FREQUENCIES = {
    "month": "Tháng",
    "quarter": "Quý",
    "six_months": "6 tháng",
    "nine_months": "9 tháng",
    "year": "Năm",
}


def report_period(frequency: str, y: int, number: int = 1) -> Period:
    """Biểu 06's period: month ``number`` / quarter ``number`` / six / nine months / year ``y``."""
    _check_year(y)
    december_before = date(y - 1, 12, 15)
    if frequency == "month":
        if not 1 <= number <= 12:
            raise PeriodError(f"Tháng {number} không hợp lệ (1–12).")
        start = date(y - 1, 12, 15) if number == 1 else date(y, number - 1, 15)
        return Period(start, date(y, number, 14), "month", f"{y}-{number:02d}", f"Tháng {number}/{y}")
    if frequency == "quarter":
        if not 1 <= number <= 4:
            raise PeriodError(f"Quý {number} không hợp lệ (1–4).")
        start = december_before if number == 1 else date(y, 3 * number - 3, 15)
        return Period(start, date(y, 3 * number, 14), "quarter", f"{y}-Q{number}", f"Quý {ROMAN[number]}/{y}")
    if frequency == "six_months":
        return Period(december_before, date(y, 6, 14), "six_months", f"{y}-H1", f"6 tháng đầu năm {y}")
    if frequency == "nine_months":
        return Period(december_before, date(y, 9, 14), "nine_months", f"{y}-9M", f"9 tháng năm {y}")
    if frequency == "year":
        return Period(december_before, date(y, 12, 14), "year", str(y), f"Năm {y}")
    raise PeriodError(f"Tần suất '{frequency}' không hợp lệ (dùng một trong: {', '.join(FREQUENCIES)}).")
