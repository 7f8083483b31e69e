"""Dossier time, computed by the deadline engine (the one owner of every due-date rule).

The current due date is a pure function of the reception instant, the legal duration, the pause intervals
and the supplement policy — recomputed from those facts, never nudged by hand — except after an extension,
which replaces it with the date in the apology letter.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from motcua.deadlines.engine import Pause as EnginePause
from motcua.deadlines.engine import WorkingCalendar
from motcua.deadlines.units import DurationUnit, Timeliness

from .models import Dossier


def calendar_of(dossier: Dossier) -> WorkingCalendar:
    """The competent agency's calendar: its scope's days off and its office hours."""
    from motcua.deadlines.loader import calendar_for

    return calendar_for(agency=dossier.competent_agency)


def engine_pauses(dossier: Dossier) -> list[EnginePause]:
    return [EnginePause(p.started_at, p.ended_at, p.reason) for p in dossier.pauses.all()]


def legal_due(cal: WorkingCalendar, dossier: Dossier, *, at: datetime) -> datetime | None:
    """The due date from the legal duration, with the pauses known at `at`; None while paused or no limit."""
    if dossier.received_at is None or dossier.duration_unit == DurationUnit.NONE:
        return None
    duration: int | Decimal = dossier.duration_value if dossier.duration_value is not None else Decimal(0)
    if duration == int(duration):
        duration = int(duration)
    pauses = engine_pauses(dossier)
    if not pauses:
        return cal.due(dossier.received_at, duration, dossier.duration_unit)
    return cal.ledger(
        dossier.received_at,
        duration,
        dossier.duration_unit,
        pauses=pauses,
        policy=dossier.supplement_policy,
        at=at,
    ).due


def step_due(cal: WorkingCalendar, start: datetime, budget_hours: Decimal) -> datetime | None:
    if budget_hours <= 0:
        return None
    return cal.due(start, budget_hours, DurationUnit.WORKING_HOURS)


def shift_by_pause(cal: WorkingCalendar, due: datetime | None, paused_from: datetime, resumed_at: datetime):
    """A step's own due date moves by the working time its pause overlapped (same rule as the dossier's)."""
    if due is None:
        return None
    if paused_from >= due:
        return due
    overlap = cal.elapsed(paused_from, resumed_at)
    hours = Decimal(overlap.total_seconds()) / Decimal(3600)
    if hours <= 0:
        return due
    return cal.due(due, hours, DurationUnit.WORKING_HOURS)


def timeliness(finished: datetime, due: datetime | None) -> str:
    result = Timeliness.ON_TIME if due is None else None
    if due is not None:
        from motcua.deadlines.engine import classify

        result = classify(finished, due)
    return str(result)
