"""On time for item 2.1 — the one owner of the rule (indicators.md §1.2, "On time for item 2.1").

Pure: no ORM, no clock. A ``Timeline`` carries what the rule needs about one dossier; ``classify`` answers
with a ``Verdict`` that the aggregate layer stores and counts. Working-time arithmetic is the deadline
engine's (``WorkingCalendar.ledger``), so "supplementation time deducted" means exactly what it means for
the dossier's own due date.

The rule, in order:

1. More than one supplementation request: **late**, whatever the dates.
2. End of handling: the first of result issued (9) / returned (10) / stopped / refused / withdrawn — the
   dossier's ``finished_at``. A dossier waiting for a supplement after its one request **ends at the
   request** (the start of its open supplementation pause).
3. The due date it is judged against is the *legal* one: the original due date, moved by the time the
   clock was paused (supplementation — and financial obligation, which pauses the legal clock too, see
   below) before it ran out. **An extension (apology letter) never moves it**: an extended dossier is judged
   against ``original_due_at`` plus pauses, not against the new date.
4. No due date (the dossier's channel sets no time limit, or it was never received — an online dossier
   still waiting in status 1, refused or withdrawn before reception): on time if the elapsed time minus
   the pauses is within the procedure's **maximum** duration (the longest limit of its channels, counted
   from submission). No channel with a limit: never late.
5. Ended: on time iff end ≤ due (timestamps). Not ended: judged at a cutoff — the end of the period (or
   now, while the period is still running): late iff due < cutoff. While an open pause that began before
   the due date lasts, the clock is stopped and the dossier cannot become late.

Choices the specification leaves open (also in docs/indicators.md §6):

- Financial-obligation pauses are deducted like supplementation: the law stops the handling clock for both
  (rules.md §3.3) and the lifecycle engine moves the due date for both; judging otherwise would call late a
  dossier whose receipt says it was on time.
- Biểu 06 compares *dates* (finish date vs due date: before / on / after), the index compares timestamps;
  both use the same judged due date and the same "more than one request = late" rule. Withdrawn dossiers
  are never late in Biểu 06 (indicators.md §2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from motcua.deadlines.engine import TZ, DeadlineError, LedgerState
from motcua.deadlines.engine import Pause as EnginePause
from motcua.deadlines.units import DurationUnit, PausePolicy, PauseReason

# States where handling has ended (the dossier's finished_at is the end). Kept as plain strings so this
# module stays free of the workflow package (it is used by the benchmark's naive scan too).
FINISHED_STATES = frozenset({"result_issued", "returned", "stopped", "refused", "withdrawn"})
AWAITING_SUPPLEMENT = "awaiting_supplement"
WITHDRAWN = "withdrawn"
# Pauses of the legal clock that are deducted from the elapsed time.
DEDUCTED_PAUSES = frozenset({PauseReason.SUPPLEMENT.value, PauseReason.FINANCIAL.value})


class Status(StrEnum):
    ON_TIME = "on_time"  # decided: on time
    LATE = "late"  # decided: late
    OPEN = "open"  # not ended yet: decided at a cutoff (``Verdict.on_time_at``)


class Reason(StrEnum):
    """Why a verdict is what it is (shown in the drill-down lists)."""

    FINISHED = "finished"  # ended; end compared with the judged due date
    AT_SUPPLEMENT_REQUEST = "supplement_request"  # waiting for its one supplement: ended at the request
    SUPPLEMENTED_TWICE = "supplemented_twice"  # more than one supplementation request: late
    IN_PROGRESS = "in_progress"  # not ended: judged at the cutoff
    CLOCK_STOPPED = "clock_stopped"  # not ended, and an open pause began before the due date
    NO_LIMIT = "no_limit"  # neither the dossier nor its procedure has a time limit: never late


REASON_LABELS = {
    Reason.FINISHED: "Đã kết thúc xử lý",
    Reason.AT_SUPPLEMENT_REQUEST: "Chờ bổ sung (tính đến lúc yêu cầu bổ sung)",
    Reason.SUPPLEMENTED_TWICE: "Yêu cầu bổ sung quá một lần",
    Reason.IN_PROGRESS: "Đang giải quyết",
    Reason.CLOCK_STOPPED: "Đang tạm dừng tính thời gian",
    Reason.NO_LIMIT: "Không quy định thời hạn",
}


class B06Class(StrEnum):
    """Biểu 06's "handled" columns, by date."""

    EARLY = "early"  # trước hạn
    ON_TIME = "on_time"  # đúng hạn
    LATE = "late"  # quá hạn


class Calendar(Protocol):
    """What the rule needs from a ``WorkingCalendar`` (a lazy stand-in builds the real one on first use)."""

    def ledger(
        self,
        start: datetime,
        duration: Any,
        unit: Any,
        *,
        pauses: Sequence[EnginePause] = ...,
        policy: Any = ...,
        at: datetime | None = ...,
    ) -> LedgerState: ...


@dataclass(frozen=True)
class Limit:
    """A legal time limit: a value and a deadline-engine unit (``DurationUnit``)."""

    value: Decimal | int | None
    unit: str


@dataclass(frozen=True)
class Interval:
    """A pause of the legal clock (``dossiers.Pause``): end None while it lasts."""

    start: datetime
    end: datetime | None
    reason: str


@dataclass(frozen=True)
class Timeline:
    """What the rule needs about one dossier (all instants timezone-aware)."""

    state: str
    received_at: datetime | None
    submitted_at: datetime | None
    original_due_at: datetime | None
    limit: Limit | None  # the dossier's own limit (its channel's), None/"none" when it has none
    procedure_limits: tuple[Limit, ...]  # every channel's limit of the procedure (for "no due date")
    policy: str  # supplement policy: pause | restart
    pauses: tuple[Interval, ...]
    finished_at: datetime | None
    supplement_requests: int

    @property
    def start(self) -> datetime | None:
        """When the clock starts: reception, else submission (an online dossier not yet received)."""
        return self.received_at or self.submitted_at


@dataclass(frozen=True)
class Verdict:
    status: Status
    reason: Reason
    end_at: datetime | None  # the end of handling used (None while open)
    due: datetime | None  # the due date the dossier is judged against (None: no limit or clock stopped)
    open_due: datetime | None  # Biểu 06 "in progress": the due date with every pause, open ones included
    b06: B06Class | None  # Biểu 06 class of a finished dossier (None while not finished)

    def on_time_at(self, cutoff: datetime) -> bool:
        """2.1 at ``cutoff`` (the end of the period, or now): decided verdicts ignore the cutoff."""
        if self.status == Status.OPEN:
            return self.due is None or self.due >= cutoff
        return self.status == Status.ON_TIME


def _engine_pauses(pauses: Sequence[Interval], before: datetime | None) -> list[EnginePause]:
    """Deducted pauses that began before ``before`` (all when None), cut at ``before``."""
    out = []
    for pause in pauses:
        if pause.reason not in DEDUCTED_PAUSES:
            continue
        if before is not None and pause.start >= before:
            continue
        end = pause.end
        if before is not None and (end is None or end > before):
            end = before
        out.append(EnginePause(pause.start, end, pause.reason))
    return out


def _has_limit(limit: Limit | None) -> bool:
    return (
        limit is not None
        and limit.unit not in ("", DurationUnit.NONE)
        and (limit.value is not None or limit.unit == DurationUnit.SAME_DAY)
    )


def _duration(limit: Limit):
    value = limit.value if limit.value is not None else 0
    if isinstance(value, Decimal) and value == int(value):
        return int(value)
    return value


def judged_due(
    timeline: Timeline, cal: Calendar, *, before: datetime | None = None
) -> tuple[datetime | None, bool, bool]:
    """(due, clock_stopped, limited) with the pauses that began before ``before`` deducted.

    ``limited`` is False when neither the dossier nor its procedure sets a time limit (never late).
    """
    pauses = _engine_pauses(timeline.pauses, before)
    policy = timeline.policy if timeline.policy in PausePolicy.values else PausePolicy.PAUSE
    if timeline.received_at is not None and _has_limit(timeline.limit) and timeline.original_due_at:
        if not pauses:
            # Exactly what the receipt promised (a later calendar change never rewrites a closed verdict).
            return timeline.original_due_at, False, True
        assert timeline.limit is not None
        state = cal.ledger(
            timeline.received_at, _duration(timeline.limit), timeline.limit.unit, pauses=pauses, policy=policy
        )
        return state.due, state.paused, True
    # No due date of its own: the procedure's longest limit, counted from the start.
    start = timeline.start
    limits = [limit for limit in timeline.procedure_limits if _has_limit(limit)]
    if start is None or not limits:
        return None, False, False
    dues: list[datetime] = []
    for limit in limits:
        try:
            state = cal.ledger(start, _duration(limit), limit.unit, pauses=pauses, policy=policy)
        except DeadlineError:
            continue  # an unusable limit in the catalogue is not a reason to call the dossier late
        if state.paused:
            return None, True, True
        if state.due is not None:
            dues.append(state.due)
    if not dues:
        return None, False, False
    return max(dues), False, True


def end_of_handling(timeline: Timeline) -> datetime | None:
    if timeline.finished_at is not None and timeline.state in FINISHED_STATES:
        return timeline.finished_at
    if timeline.state == AWAITING_SUPPLEMENT and timeline.supplement_requests <= 1:
        open_supplement = [
            p for p in timeline.pauses if p.end is None and p.reason == PauseReason.SUPPLEMENT.value
        ]
        if open_supplement:
            return max(p.start for p in open_supplement)
    return None


def local_date(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


def classify(timeline: Timeline, cal: Calendar) -> Verdict:
    """The 2.1 verdict of one dossier, and its Biểu 06 class (see the module documentation)."""
    end = end_of_handling(timeline)
    finished = timeline.finished_at is not None and timeline.state in FINISHED_STATES
    # Biểu 06 "in progress": with every pause, the open one included (it stops the clock).
    open_due, _stopped_all, _ = judged_due(timeline, cal)
    if end is not None:
        due, _stopped, limited = judged_due(timeline, cal, before=end)
    else:
        due, _stopped, limited = open_due, _stopped_all, None

    b06: B06Class | None = None
    if finished:
        assert timeline.finished_at is not None
        b06 = _b06_class(timeline, timeline.finished_at, due)

    if timeline.supplement_requests > 1:
        return Verdict(Status.LATE, Reason.SUPPLEMENTED_TWICE, end, due, open_due, b06)
    if end is not None:
        reason = Reason.FINISHED if finished else Reason.AT_SUPPLEMENT_REQUEST
        if not limited:
            return Verdict(Status.ON_TIME, Reason.NO_LIMIT, end, None, open_due, b06)
        on_time = due is None or end <= due
        return Verdict(Status.ON_TIME if on_time else Status.LATE, reason, end, due, open_due, b06)
    if due is None:
        reason = Reason.CLOCK_STOPPED if _stopped_all else Reason.NO_LIMIT
        return Verdict(Status.OPEN, reason, None, None, None, None)
    return Verdict(Status.OPEN, Reason.IN_PROGRESS, None, due, open_due, None)


def _b06_class(timeline: Timeline, finished_at: datetime, due: datetime | None) -> B06Class:
    if timeline.supplement_requests > 1 and timeline.state != WITHDRAWN:
        return B06Class.LATE
    if due is None:
        return B06Class.ON_TIME
    finished_day, due_day = local_date(finished_at), local_date(due)
    if finished_day < due_day:
        return B06Class.EARLY
    if finished_day == due_day or timeline.state == WITHDRAWN:
        return B06Class.ON_TIME  # withdrawn dossiers count as handled on time (indicators.md §2)
    return B06Class.LATE
