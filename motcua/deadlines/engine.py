"""The due-date engine: a pure, immutable snapshot of one working calendar (rules.md §3.3 and §4).

No database, no Django settings: a ``WorkingCalendar`` is built once from the computed holidays, the overlay
entries of one scope and one agency's office hours, then answers millions of questions from arrays.

How it counts. Every instant maps to a *position*: the working time (in microseconds) between the first
working day of the range and that instant. Working days are numbered (``_before[i]`` = how many working days
precede day ``i``), and every working day has the same office hours, so the position of an instant on
working day number ``k`` is ``k × day + time worked so far that day`` — no walking, only a list lookup.
An instant outside office hours has the position of the next opening, which is exactly the rule "a reception
outside office hours starts at the next working period's opening". A due date is the *earliest* instant that
reaches the target position, which is exactly the rule "a due time landing on a period's end stays there
(17:00, not 08:00 next day)".

Times are Asia/Ho_Chi_Minh wall-clock times; naive datetimes are refused, aware ones in any zone are
converted. The range is 1900-01-01 to 2100-12-31.
"""

from __future__ import annotations

import math
from calendar import monthrange
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from itertools import accumulate
from typing import Literal
from zoneinfo import ZoneInfo

from .computed import FIRST_DATE, LAST_DATE, MAKE_UP_NAME, SATURDAY_NAME, SUNDAY_NAME, computed_calendar
from .office_hours import OfficeHours, parse_office_hours
from .units import DurationUnit, PausePolicy, PauseReason, Timeliness

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
US = 1_000_000  # microseconds per second: positions are exact integers, no rounding anywhere
_ORD0 = FIRST_DATE.toordinal()
_NDAYS = LAST_DATE.toordinal() - _ORD0 + 1

# Upper bounds that catch a typo (5000 instead of 5) long before it becomes a due date in 2040. About ten
# years each; no procedure in the national catalogue comes near.
MAX_DURATION: dict[DurationUnit, int] = {
    DurationUnit.WORKING_DAYS: 2_600,
    DurationUnit.WORKING_HOURS: 20_000,
    DurationUnit.CALENDAR_DAYS: 3_660,
    DurationUnit.MONTHS: 120,
    DurationUnit.SAME_DAY: 1,
}

DAY_OFF = "day_off"
WORKING_DAY = "working_day"


class DeadlineError(ValueError):
    """Bad input to the engine. The message is Vietnamese and says what to fix."""


class NaiveDatetimeError(DeadlineError):
    pass


class OutOfRangeError(DeadlineError):
    pass


class InvalidDurationError(DeadlineError):
    pass


class UnknownUnitError(DeadlineError):
    pass


@dataclass(frozen=True)
class OverlayDay:
    """One administrator entry: ``kind`` is ``day_off`` or ``working_day`` (the models' vocabulary)."""

    date: date
    kind: str
    name: str = ""
    source: str = ""


@dataclass(frozen=True)
class Pause:
    """An interval during which the legal clock stands still; ``end`` None = still paused."""

    start: datetime
    end: datetime | None = None
    reason: str = PauseReason.SUPPLEMENT


@dataclass(frozen=True)
class LedgerState:
    """The budget of one dossier (or step) seen at instant ``at``.

    ``due`` is None while the clock is paused (the due date is not known until it resumes) and for the
    ``none`` unit. ``remaining`` is negative once the due date has passed.
    """

    at: datetime | None  # None: every pause as given, measured at the due date
    due: datetime | None
    anchor: datetime
    budget: timedelta | None
    used: timedelta
    remaining: timedelta | None
    paused: bool
    paused_working_time: timedelta


# A local instant: (day index from 1900-01-01, microseconds since local midnight). A plain tuple because
# it is built millions of times in a batch recomputation.
_Local = tuple[int, int]
_UNITS: dict[str, DurationUnit] = {u.value: u for u in DurationUnit}
# Calendar-day offsets reused by the hot path (a working-days due date is rarely more than 20 years out).
_DAYS = [timedelta(days=n) for n in range(8_000)]


def _as_unit(unit: DurationUnit | str) -> DurationUnit:
    found = _UNITS.get(unit) if isinstance(unit, str) else None
    if found is None:
        valid = ", ".join(u.value for u in DurationUnit)
        raise UnknownUnitError(f"Đơn vị thời hạn '{unit}' không được hỗ trợ (dùng một trong: {valid}).")
    return found


def _exact(value: object, what: str) -> Fraction:
    """A duration as an exact fraction: floats and Decimals from forms are both accepted, bools are not."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal | Fraction | str):
        raise InvalidDurationError(f"Thời hạn {what} phải là một số, không phải {value!r}.")
    try:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError
        number = Fraction(Decimal(value) if isinstance(value, str) else value)
    except (ValueError, InvalidOperation, ZeroDivisionError):
        raise InvalidDurationError(f"Thời hạn {what} '{value}' không phải là một số hợp lệ.") from None
    return number


def _fmt_local(dt: datetime) -> str:
    return dt.astimezone(TZ).strftime("%H:%M %d/%m/%Y")


class WorkingCalendar:
    """An immutable working calendar for one scope and one set of office hours.

    Build it with :meth:`build`; the rest of the system gets one from
    ``motcua.deadlines.loader.calendar_for``.
    """

    def __init__(
        self,
        working: bytes | bytearray,
        names: dict[date, str],
        office_hours: OfficeHours,
        *,
        same_day_cutoff: time = time(15, 0),
        label: str = "",
        sources: dict[date, str] | None = None,
    ) -> None:
        if len(working) != _NDAYS:
            raise ValueError("working flags must cover 1900-01-01..2100-12-31")
        self.office_hours = office_hours
        self.same_day_cutoff = same_day_cutoff
        self.label = label
        self._working = bytes(working)
        self._names = names
        self._sources = sources or {}
        self._periods = tuple((a * 60 * US, b * 60 * US) for a, b in office_hours.periods)
        self._day = office_hours.minutes_per_day * 60 * US
        self._opening = self._periods[0][0]
        self._closing = self._periods[-1][1]
        cutoff = same_day_cutoff
        self._cutoff = (cutoff.hour * 3600 + cutoff.minute * 60 + cutoff.second) * US
        # _before[i]: working days strictly before day i; _wdays[k]: the day index of working day number k.
        self._before = list(accumulate(self._working, initial=0))
        self._wdays = [i for i, flag in enumerate(self._working) if flag]
        self._midnights: list[datetime | None] = [None] * len(self._wdays)
        self._ends: list[list[datetime | None]] = [[None] * len(self._wdays) for _ in self._periods]

    # --- construction -------------------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        overlay: Iterable[OverlayDay] = (),
        office_hours: OfficeHours | str | None = None,
        *,
        same_day_cutoff: time = time(15, 0),
        label: str = "",
    ) -> WorkingCalendar:
        """Computed calendar, then ``overlay`` applied in order (a later entry wins over an earlier one)."""
        base = computed_calendar()
        working = bytearray(_NDAYS)
        names: dict[date, str] = {}
        sources: dict[date, str] = {}
        ordinal = _ORD0
        for i in range(_NDAYS):
            # Monday–Friday work by default; date.fromordinal is slow, weekday() from the ordinal is not.
            working[i] = 1 if (ordinal + i) % 7 not in (0, 6) else 0  # ordinal % 7: 0 = Sunday, 6 = Saturday
        for day, name in base.days_off.items():
            working[day.toordinal() - _ORD0] = 0
            names[day] = name
        for day in base.weekend_workdays:
            working[day.toordinal() - _ORD0] = 1
            names.setdefault(day, MAKE_UP_NAME)
        for entry in overlay:
            index = entry.date.toordinal() - _ORD0
            if not 0 <= index < _NDAYS:
                raise OutOfRangeError(f"Ngày {entry.date:%d/%m/%Y} nằm ngoài khoảng 1900–2100.")
            if entry.kind == DAY_OFF:
                working[index] = 0
                names[entry.date] = entry.name or "Ngày nghỉ"
            elif entry.kind == WORKING_DAY:
                working[index] = 1
                names[entry.date] = entry.name or MAKE_UP_NAME
            else:
                raise DeadlineError(f"Loại ngày '{entry.kind}' không hợp lệ (dùng day_off hoặc working_day).")
            if entry.source:
                sources[entry.date] = entry.source
        hours = office_hours if isinstance(office_hours, OfficeHours) else parse_office_hours(office_hours)
        return cls(working, names, hours, same_day_cutoff=same_day_cutoff, label=label, sources=sources)

    @property
    def hours_per_day(self) -> Fraction:
        return Fraction(self.office_hours.minutes_per_day, 60)

    @property
    def working_day_length(self) -> timedelta:
        return timedelta(microseconds=self._day)

    # --- conversions --------------------------------------------------------------------------------
    def _local(self, moment: datetime, what: str = "thời điểm") -> _Local:
        if not isinstance(moment, datetime):
            raise DeadlineError(f"{what.capitalize()} phải là datetime, không phải {type(moment).__name__}.")
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise NaiveDatetimeError(
                f"{what.capitalize()} {moment.isoformat()} không có múi giờ; hãy dùng giờ Việt Nam "
                "(Asia/Ho_Chi_Minh) hoặc ghi rõ độ lệch, ví dụ +07:00."
            )
        local = moment if moment.tzinfo is TZ else moment.astimezone(TZ)
        day = local.toordinal() - _ORD0
        if not 0 <= day < _NDAYS:
            raise OutOfRangeError(f"{what.capitalize()} {local:%d/%m/%Y} nằm ngoài khoảng 1900–2100.")
        return day, ((local.hour * 60 + local.minute) * 60 + local.second) * US + local.microsecond

    def _day_index(self, day: date) -> int:
        if isinstance(day, datetime) or not isinstance(day, date):
            raise DeadlineError(f"Cần một ngày (date), không phải {type(day).__name__}.")
        index = day.toordinal() - _ORD0
        if not 0 <= index < _NDAYS:
            raise OutOfRangeError(f"Ngày {day:%d/%m/%Y} nằm ngoài khoảng 1900–2100.")
        return index

    def _worked_before(self, us: int) -> int:
        """Working time of one working day before local time ``us``."""
        done = 0
        for a, b in self._periods:
            if us <= a:
                break
            if us < b:
                return done + us - a
            done += b - a
        return done

    def _position(self, loc: _Local) -> int:
        day, us = loc
        k = self._before[day]
        if not self._working[day]:
            return k * self._day
        return k * self._day + self._worked_before(us)

    def position(self, moment: datetime) -> int:
        """Working microseconds from the start of the range to ``moment`` (for callers batching maths)."""
        if moment.tzinfo is TZ:  # inlined _local/_position: elapsed() over millions of rows
            day = moment.toordinal() - _ORD0
            if 0 <= day < _NDAYS:
                if not self._working[day]:
                    return self._before[day] * self._day
                us = ((moment.hour * 60 + moment.minute) * 60 + moment.second) * US + moment.microsecond
                return self._before[day] * self._day + self._worked_before(us)
        return self._position(self._local(moment))

    def _instant(self, day: int, us: int) -> datetime:
        d = date.fromordinal(_ORD0 + day)
        # Wall-clock arithmetic on an aware datetime keeps the zone and does not renormalise: exactly the
        # local time we mean (Vietnam has had no DST since 1975; earlier offset changes fall at night).
        return datetime(d.year, d.month, d.day, tzinfo=TZ) + timedelta(microseconds=us)

    def _working_instant(self, k: int, us: int) -> datetime:
        """``us`` after local midnight on working day number ``k`` (midnights cached: the batch hot path)."""
        midnight = self._midnights[k]
        if midnight is None:
            d = date.fromordinal(_ORD0 + self._wdays[k])
            midnight = self._midnights[k] = datetime(d.year, d.month, d.day, tzinfo=TZ)
        return midnight + timedelta(microseconds=us)

    def _earliest_reaching(self, pos: int) -> datetime:
        """The earliest instant whose position is ``pos`` (so a period's end, never the next opening)."""
        k, worked = divmod(pos, self._day)
        if worked == 0:
            k -= 1
            worked = self._day
        if not 0 <= k < len(self._wdays):
            raise OutOfRangeError("Thời hạn tính được vượt quá năm 2100 hoặc trước năm 1900.")
        for a, b in self._periods:
            if worked <= b - a:
                return self._working_instant(k, a + worked)
            worked -= b - a
        raise AssertionError("unreachable: worked is within one day")

    def _latest_reaching(self, pos: int) -> datetime:
        """The latest instant at ``pos`` that is working or an opening: the normalised start of work."""
        k, worked = divmod(pos, self._day)
        if k >= len(self._wdays):
            raise OutOfRangeError("Không còn ngày làm việc nào trước hết năm 2100.")
        for a, b in self._periods:
            if worked < b - a:
                return self._working_instant(k, a + worked)
            worked -= b - a
        raise AssertionError("unreachable: worked is within one day")

    # --- days ---------------------------------------------------------------------------------------
    def is_working_day(self, day: date) -> bool:
        return bool(self._working[self._day_index(day)])

    def day_name(self, day: date) -> str:
        """Why a day is off (or why a weekend day is worked); "" for an ordinary weekday."""
        name = self._names.get(day)
        if name:
            return name
        if day.weekday() == 5:
            return SATURDAY_NAME
        if day.weekday() == 6:
            return SUNDAY_NAME
        return ""

    def day_source(self, day: date) -> str:
        return self._sources.get(day, "")

    def nth_working_day(self, day: date, n: int) -> date:
        """Like ``holidays``' ``get_nth_working_day``: n > 0 forward, n < 0 backward, 0 → this or the next."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise InvalidDurationError(f"Số ngày làm việc phải là số nguyên, không phải {n!r}.")
        index = self._day_index(day)
        k = self._before[index]
        if n > 0:
            target = k + n - (0 if self._working[index] else 1)
        elif n < 0:
            target = k + n
        else:
            target = k
        if not 0 <= target < len(self._wdays):
            raise OutOfRangeError(f"Ngày làm việc thứ {n} kể từ {day:%d/%m/%Y} nằm ngoài khoảng 1900–2100.")
        return date.fromordinal(_ORD0 + self._wdays[target])

    def working_days_between(self, first: date, last: date) -> int:
        """Working days in the closed interval [first, last] (0 when last < first)."""
        a, b = self._day_index(first), self._day_index(last)
        return max(0, self._before[b + 1] - self._before[a])

    def days_off_between(self, first: date, last: date) -> list[tuple[date, str]]:
        """Every non-working day in [first, last] with its name."""
        a, b = self._day_index(first), self._day_index(last)
        out = []
        for i in range(a, b + 1):
            if not self._working[i]:
                d = date.fromordinal(_ORD0 + i)
                out.append((d, self.day_name(d)))
        return out

    def working_days_in(self, year: int) -> list[date]:
        a = self._day_index(date(year, 1, 1))
        b = self._day_index(date(year, 12, 31))
        return [date.fromordinal(_ORD0 + i) for i in range(a, b + 1) if self._working[i]]

    # --- instants -----------------------------------------------------------------------------------
    def is_working(self, moment: datetime) -> bool:
        """Inside a working period of a working day ([opening, closing) of each period)."""
        day, us = self._local(moment)
        if not self._working[day]:
            return False
        return any(a <= us < b for a, b in self._periods)

    def next_working_instant(self, moment: datetime) -> datetime:
        """``moment`` itself when working, else the next period's opening."""
        loc = self._local(moment)
        if self._working[loc[0]] and any(a <= loc[1] < b for a, b in self._periods):
            return moment.astimezone(TZ)
        return self._latest_reaching(self._position(loc))

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Working time between two instants (negative when ``end`` is before ``start``)."""
        return timedelta(microseconds=self.position(end) - self.position(start))

    def elapsed_minutes(self, start: datetime, end: datetime) -> float:
        return (self.position(end) - self.position(start)) / (60 * US)

    # --- due dates ----------------------------------------------------------------------------------
    def _budget_us(self, duration: object, unit: DurationUnit) -> int:
        """A working-days or working-hours duration as working microseconds, validated."""
        what = "ngày làm việc" if unit == DurationUnit.WORKING_DAYS else "giờ làm việc"
        number = _exact(duration, what)
        if number < 0:
            raise InvalidDurationError(f"Thời hạn không được âm ({duration} {what}).")
        if number > MAX_DURATION[unit]:
            raise InvalidDurationError(
                f"Thời hạn {duration} {what} vượt quá giới hạn {MAX_DURATION[unit]} — kiểm tra lại số liệu."
            )
        per_unit = self._day if unit == DurationUnit.WORKING_DAYS else 3600 * US
        return round(number * per_unit)

    def _whole(self, duration: object, unit: DurationUnit, what: str) -> int:
        number = _exact(duration, what)
        if number.denominator != 1:
            raise InvalidDurationError(f"Thời hạn {duration} {what} phải là số nguyên.")
        if number < 0:
            raise InvalidDurationError(f"Thời hạn không được âm ({duration} {what}).")
        if number > MAX_DURATION[unit]:
            raise InvalidDurationError(
                f"Thời hạn {duration} {what} vượt quá giới hạn {MAX_DURATION[unit]} — kiểm tra lại số liệu."
            )
        return int(number)

    def _closing_of_working_day_from(self, day: int) -> datetime:
        """Closing time of ``day`` if it is a working day, else of the next working day."""
        if not 0 <= day < _NDAYS:
            raise OutOfRangeError("Thời hạn tính được vượt quá năm 2100.")
        k = self._before[day] if self._working[day] else self._before[day + 1]
        if k >= len(self._wdays):
            raise OutOfRangeError("Thời hạn tính được vượt quá năm 2100.")
        return self._working_instant(k, self._closing)

    def _base_due(self, loc: _Local, duration: object, unit: DurationUnit) -> datetime | None:
        """rules.md §4 without pauses; ``loc`` is the (already validated) reception instant."""
        if unit == DurationUnit.WORKING_DAYS or unit == DurationUnit.WORKING_HOURS:
            budget = self._budget_us(duration, unit)
            start = self._position(loc)
            if budget == 0:
                return self._latest_reaching(start)
            return self._earliest_reaching(start + budget)
        if unit == DurationUnit.CALENDAR_DAYS:
            return self._closing_of_working_day_from(loc[0] + self._whole(duration, unit, "ngày"))
        if unit == DurationUnit.MONTHS:
            months = self._whole(duration, unit, "tháng")
            received = date.fromordinal(_ORD0 + loc[0])
            year, month0 = divmod(received.month - 1 + months, 12)
            year += received.year
            if year > LAST_DATE.year:
                raise OutOfRangeError("Thời hạn tính được vượt quá năm 2100.")
            # The same calendar date N months later, clamped to the month's end (31/01 + 1 → 28 or 29/02).
            day = min(received.day, monthrange(year, month0 + 1)[1])
            return self._closing_of_working_day_from(date(year, month0 + 1, day).toordinal() - _ORD0)
        if unit == DurationUnit.SAME_DAY:
            if duration is not None:
                self._whole(duration, unit, "(trong ngày)")
            if self._working[loc[0]] and loc[1] < self._cutoff:
                return self._instant(loc[0], self._closing)
            return self._closing_of_working_day_from(loc[0] + 1)
        if unit == DurationUnit.NONE:
            return None
        raise UnknownUnitError(f"Đơn vị thời hạn '{unit}' không được hỗ trợ.")  # pragma: no cover

    def due(
        self,
        start: datetime,
        duration: object,
        unit: DurationUnit | str,
        *,
        pauses: Sequence[Pause] = (),
        policy: PausePolicy | str = PausePolicy.PAUSE,
    ) -> datetime | None:
        """The due instant (Asia/Ho_Chi_Minh) of ``duration`` ``unit`` received at ``start``.

        None for the ``none`` unit, and while a pause that began before the due date is still open.
        """
        if not pauses and unit == DurationUnit.WORKING_DAYS and type(duration) is int:
            return self.due_working_days(start, duration)  # the common case, kept free of Fraction maths
        unit = _as_unit(unit)
        if not pauses:
            return self._base_due(self._local(start, "thời điểm tiếp nhận"), duration, unit)
        return self.ledger(start, duration, unit, pauses=pauses, policy=policy, at=None).due

    def _period_end(self, j: int, k: int) -> datetime:
        """The end of period ``j`` on working day number ``k``, cached (most due dates are one)."""
        if not 0 <= k < len(self._wdays):
            raise OutOfRangeError("Thời hạn tính được vượt quá năm 2100 hoặc trước năm 1900.")
        cached = self._ends[j][k]
        if cached is None:
            cached = self._ends[j][k] = self._working_instant(k, self._periods[j][1])
        return cached

    def due_working_days(self, start: datetime, days: int) -> datetime:
        """``due(start, days, "working_days")`` for whole days: the hot path of a mass recomputation.

        Same answer as the general path (the tests compare them), without building positions: on a
        uniform office day every case is either "same wall-clock time N working days later" or "the end
        of a period on a known working day".
        """
        if type(days) is not int or not 0 < days <= MAX_DURATION[DurationUnit.WORKING_DAYS]:
            # Zero, fractions, bad values: the general path validates and explains.
            return self._base_due(  # type: ignore[return-value]
                self._local(start, "thời điểm tiếp nhận"), days, DurationUnit.WORKING_DAYS
            )
        if start.tzinfo is not TZ:
            self._local(start, "thời điểm tiếp nhận")  # rejects naive and out-of-range instants
            start = start.astimezone(TZ)
        day = start.toordinal() - _ORD0
        if not 0 <= day < _NDAYS:
            self._local(start, "thời điểm tiếp nhận")  # raises the precise error
        k = self._before[day]
        last = len(self._periods) - 1
        if not self._working[day]:
            return self._period_end(last, k + days - 1)  # from the next opening: a whole day ends at closing
        us = ((start.hour * 60 + start.minute) * 60 + start.second) * US + start.microsecond
        for j, (a, b) in enumerate(self._periods):
            if us <= a:  # before this period opens: counting starts at its opening
                return self._period_end(last, k + days - 1) if j == 0 else self._period_end(j - 1, k + days)
            if us <= b:
                # Inside the period (or at its end): every working day has worked the same amount by this
                # wall-clock time, so the due instant is this time N working days later.
                target = k + days
                if target < len(self._wdays) and self._wdays[target] - day < len(_DAYS):
                    return start + _DAYS[self._wdays[target] - day]
                return self._earliest_reaching(self._position((day, us)) + days * self._day)
        return self._period_end(last, k + days)  # after closing: counting starts next working day

    # --- pauses and the budget ledger ---------------------------------------------------------------
    def _check_pauses(self, pauses: Sequence[Pause]) -> list[tuple[int, int | None, str, Pause]]:
        """Pauses as (start position, end position or None, reason, pause) sorted by start; validated."""
        out = []
        for number, pause in enumerate(pauses, start=1):
            if not isinstance(pause, Pause):
                raise DeadlineError(f"Khoảng tạm dừng thứ {number} không hợp lệ: {pause!r}.")
            begin = self._position(self._local(pause.start, f"thời điểm bắt đầu tạm dừng thứ {number}"))
            end = None
            if pause.end is not None:
                end = self._position(self._local(pause.end, f"thời điểm kết thúc tạm dừng thứ {number}"))
                if pause.end < pause.start:
                    raise DeadlineError(
                        f"Khoảng tạm dừng thứ {number} kết thúc ({_fmt_local(pause.end)}) trước khi bắt đầu "
                        f"({_fmt_local(pause.start)})."
                    )
            if pause.reason not in PauseReason.values:
                raise DeadlineError(f"Lý do tạm dừng '{pause.reason}' của khoảng thứ {number} không hợp lệ.")
            out.append((begin, end, pause.reason, pause))
        out.sort(key=lambda p: (p[0], p[3].start))
        return out

    def _run_ledger(
        self,
        start: datetime,
        duration: object,
        unit: DurationUnit,
        pauses: Sequence[Pause],
        policy: PausePolicy,
        at: datetime | None,
    ) -> LedgerState:
        start_loc = self._local(start, "thời điểm tiếp nhận")
        at_pos = None if at is None else self._position(self._local(at, "thời điểm xem xét"))
        # What is known at `at`: pauses not yet begun do not exist; one not yet ended is still open.
        known: list[tuple[int, int | None, str, Pause]] = []
        for begin, end, reason, pause in self._check_pauses(pauses):
            if at_pos is not None and at is not None:
                if pause.start > at:
                    continue
                if pause.end is not None and pause.end > at:
                    end = None
            known.append((begin, end, reason, pause))

        anchor = start.astimezone(TZ)
        if policy == PausePolicy.RESTART:
            # The full budget starts again when the (last) complete supplement is received.
            for _begin, end, reason, pause in known:
                if reason == PauseReason.SUPPLEMENT and end is not None and pause.end and pause.end > anchor:
                    anchor = pause.end.astimezone(TZ)
        anchor_loc = start_loc if anchor == start else self._local(anchor)
        anchor_pos = self._position(anchor_loc)
        base_due = self._base_due(anchor_loc, duration, unit)
        zero = timedelta(0)
        if base_due is None:
            return LedgerState(at, None, anchor, None, zero, None, False, zero)
        base_pos = self._position(self._local(base_due))
        budget = base_pos - anchor_pos

        # Merge overlapping pauses (a payment request during a supplement must not count twice).
        merged: list[list[int | None]] = []
        for begin, end, _reason, _pause in known:
            if end is not None and end <= anchor_pos:
                continue
            begin = max(begin, anchor_pos)
            if merged and (merged[-1][1] is None or begin <= merged[-1][1]):  # type: ignore[operator]
                last_end = merged[-1][1]
                merged[-1][1] = None if end is None or last_end is None else max(last_end, end)
            else:
                merged.append([begin, end])

        target = base_pos
        paused_total = 0
        paused_until_at = 0
        is_open = False
        for begin_, end_ in merged:
            begin = int(begin_)  # type: ignore[arg-type]
            if begin >= target:
                break  # the budget ran out before this pause began: it cannot move the due date
            if end_ is None:
                is_open = True
                if at_pos is not None:
                    paused_total += max(0, at_pos - begin)
                    paused_until_at += max(0, at_pos - begin)
                break
            paused_total += end_ - begin
            target += end_ - begin
            if at_pos is not None:
                paused_until_at += max(0, min(end_, at_pos) - begin)

        if is_open:
            due = None
        elif target == base_pos:
            due = base_due
        else:
            due = self._earliest_reaching(target)
        if at_pos is None:  # measured at the due date: everything used, nothing left
            used = budget if not is_open else 0
        else:
            used = max(0, at_pos - anchor_pos - paused_until_at)
        return LedgerState(
            at=at,
            due=due,
            anchor=anchor,
            budget=timedelta(microseconds=budget),
            used=timedelta(microseconds=used),
            remaining=timedelta(microseconds=budget - used),
            paused=is_open,
            paused_working_time=timedelta(microseconds=paused_total),
        )

    def ledger(
        self,
        start: datetime,
        duration: object,
        unit: DurationUnit | str,
        *,
        pauses: Sequence[Pause] = (),
        policy: PausePolicy | str = PausePolicy.PAUSE,
        at: datetime | None = None,
    ) -> LedgerState:
        """The budget ledger of one dossier (or step) as known at instant ``at``.

        Pauses extend the due date by exactly the working time they overlap while the budget is running; a
        pause that begins after the due date changes nothing (the dossier was already late). Under
        ``restart`` the full budget starts again at the end of the last completed supplementation pause
        (financial-obligation and stop pauses always just pause). Only what is known at ``at`` counts: a
        pause that begins later is ignored and one that ends later is still open (due unknown, clock
        frozen). ``at=None`` takes every pause as given and measures at the due date.
        """
        unit = _as_unit(unit)
        try:
            policy = PausePolicy(policy)
        except ValueError:
            raise DeadlineError(
                f"Chính sách tạm dừng '{policy}' không hợp lệ (dùng pause hoặc restart)."
            ) from None
        return self._run_ledger(start, duration, unit, pauses, policy, at)

    def remaining(self, due: datetime, at: datetime) -> timedelta:
        """Working time left from ``at`` to ``due`` (negative once late)."""
        return self.elapsed(at, due)

    # --- classification ----------------------------------------------------------------------------
    def classify(
        self,
        finished: datetime,
        due: datetime | None,
        precision: Literal["timestamp", "date"] = "timestamp",
    ) -> Timeliness | None:
        """Early / on time / late (rules.md §4). None when there is no due date (excluded from lateness)."""
        return classify(finished, due, precision)

    def is_overdue(self, due: datetime | None, now: datetime) -> bool:
        """An unfinished dossier is late once its due date has passed."""
        self._local(now)
        return due is not None and now > due


def classify(
    finished: datetime, due: datetime | None, precision: Literal["timestamp", "date"] = "timestamp"
) -> Timeliness | None:
    """Reports compare at date precision (Vietnam dates); the index compares timestamps."""
    for value, what in ((finished, "thời điểm hoàn thành"), (due, "hạn xử lý")):
        if value is not None and (value.tzinfo is None or value.utcoffset() is None):
            raise NaiveDatetimeError(f"{what.capitalize()} {value.isoformat()} không có múi giờ.")
    if due is None:
        return None
    if precision == "date":
        a: datetime | date = finished.astimezone(TZ).date()
        b: datetime | date = due.astimezone(TZ).date()
    elif precision == "timestamp":
        a, b = finished, due
    else:
        raise DeadlineError(f"Độ chính xác so sánh '{precision}' không hợp lệ (dùng timestamp hoặc date).")
    if a < b:
        return Timeliness.EARLY
    if a == b:
        return Timeliness.ON_TIME
    return Timeliness.LATE


__all__ = [
    "DAY_OFF",
    "TZ",
    "WORKING_DAY",
    "DeadlineError",
    "InvalidDurationError",
    "LedgerState",
    "NaiveDatetimeError",
    "OutOfRangeError",
    "OverlayDay",
    "Pause",
    "UnknownUnitError",
    "WorkingCalendar",
    "classify",
]
