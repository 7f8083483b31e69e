"""The 2.1 on-time rule (indicators.md §1.2), case by case, against the real working calendar.

Every case: a dossier received Monday 02/03/2026 09:00 with 5 working days → due Monday 09/03/2026 09:00
(office hours 08:00–12:00, 13:00–17:00; no holiday in March 2026).
"""

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.deadlines.engine import WorkingCalendar
from motcua.indicators.ontime import B06Class, Interval, Limit, Reason, Status, Timeline, classify

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkingCalendar.build()


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VN)


BASE = Timeline(
    state="processing",
    received_at=at(2, 9),
    submitted_at=None,
    original_due_at=at(9, 9),
    limit=Limit(5, "working_days"),
    procedure_limits=(Limit(5, "working_days"), Limit(3, "working_days")),
    policy="pause",
    pauses=(),
    finished_at=None,
    supplement_requests=0,
)
END_OF_MARCH = at(1, 0, month=4)
SUPPLEMENT_2_DAYS = Interval(at(4, 9), at(6, 9), "supplement")  # Wed 09:00 → Fri 09:00: 2 working days


def finished(day, hour, minute=0, state="returned", **changes):
    return replace(BASE, state=state, finished_at=at(day, hour, minute), **changes)


# (name, timeline, cutoff, on time at the cutoff?, reason, Biểu 06 class)
CASES = [
    ("finished before the due date", finished(6, 15), END_OF_MARCH, True, Reason.FINISHED, B06Class.EARLY),
    (
        "finished exactly at the due date",
        finished(9, 9),
        END_OF_MARCH,
        True,
        Reason.FINISHED,
        B06Class.ON_TIME,
    ),
    (
        "finished after the due time on the due day: late for 2.1, on the due date for Biểu 06",
        finished(9, 15),
        END_OF_MARCH,
        False,
        Reason.FINISHED,
        B06Class.ON_TIME,
    ),
    ("finished a day late", finished(10, 9), END_OF_MARCH, False, Reason.FINISHED, B06Class.LATE),
    (
        "supplemented once: the two days waiting are deducted",
        finished(11, 8, 30, supplement_requests=1, pauses=(SUPPLEMENT_2_DAYS,)),
        END_OF_MARCH,
        True,
        Reason.FINISHED,
        B06Class.ON_TIME,  # same date as the moved due date
    ),
    (
        "supplemented once, still late after the deduction",
        finished(11, 10, supplement_requests=1, pauses=(SUPPLEMENT_2_DAYS,)),
        END_OF_MARCH,
        False,
        Reason.FINISHED,
        B06Class.ON_TIME,
    ),
    (
        "supplemented twice: late even when finished early",
        finished(3, 9, supplement_requests=2, pauses=(SUPPLEMENT_2_DAYS,)),
        END_OF_MARCH,
        False,
        Reason.SUPPLEMENTED_TWICE,
        B06Class.LATE,
    ),
    (
        "waiting for its one supplement: ends at the request, before the due date",
        replace(
            BASE,
            state="awaiting_supplement",
            supplement_requests=1,
            pauses=(Interval(at(5, 10), None, "supplement"),),
        ),
        END_OF_MARCH,
        True,
        Reason.AT_SUPPLEMENT_REQUEST,
        None,
    ),
    (
        "waiting for its one supplement, requested after the due date",
        replace(
            BASE,
            state="awaiting_supplement",
            supplement_requests=1,
            pauses=(Interval(at(10, 10), None, "supplement"),),
        ),
        END_OF_MARCH,
        False,
        Reason.AT_SUPPLEMENT_REQUEST,
        None,
    ),
    (
        "in progress, judged at a period end before the due date",
        BASE,
        at(6, 0),
        True,
        Reason.IN_PROGRESS,
        None,
    ),
    ("in progress past the period end", BASE, END_OF_MARCH, False, Reason.IN_PROGRESS, None),
    ("in progress, judged exactly at the due date", BASE, at(9, 9), True, Reason.IN_PROGRESS, None),
    (
        "financial obligation deducted like supplementation",
        finished(10, 8, pauses=(Interval(at(3, 9), at(5, 9), "financial"),)),
        END_OF_MARCH,
        True,
        Reason.FINISHED,
        B06Class.EARLY,
    ),
    (
        "waiting to pay since before the due date: the clock is stopped",
        replace(BASE, state="awaiting_payment", pauses=(Interval(at(5, 9), None, "financial"),)),
        END_OF_MARCH,
        True,
        Reason.CLOCK_STOPPED,
        None,
    ),
    (
        "waiting to pay since after the due date: already late",
        replace(BASE, state="awaiting_payment", pauses=(Interval(at(10, 9), None, "financial"),)),
        END_OF_MARCH,
        False,
        Reason.IN_PROGRESS,
        None,
    ),
    (
        "restart policy: the full budget starts again at the complete supplement",
        finished(12, 16, supplement_requests=1, policy="restart", pauses=(SUPPLEMENT_2_DAYS,)),
        END_OF_MARCH,
        True,
        Reason.FINISHED,
        B06Class.EARLY,
    ),
    (
        "no due date: within the procedure's longest limit (5 days) counted from reception",
        finished(9, 8, original_due_at=None, limit=Limit(None, "none")),
        END_OF_MARCH,
        True,
        Reason.FINISHED,
        B06Class.ON_TIME,
    ),
    (
        "no due date: beyond the procedure's longest limit",
        finished(10, 8, original_due_at=None, limit=Limit(None, "none")),
        END_OF_MARCH,
        False,
        Reason.FINISHED,
        B06Class.LATE,
    ),
    (
        "no due date and no limit anywhere: never late",
        replace(BASE, original_due_at=None, limit=Limit(None, "none"), procedure_limits=()),
        at(1, 0, month=12),
        True,
        Reason.NO_LIMIT,
        None,
    ),
    (
        "online dossier not received yet: the limit counts from submission",
        replace(
            BASE, state="submitted", received_at=None, submitted_at=at(2, 9), original_due_at=None, limit=None
        ),
        at(10, 9),
        False,
        Reason.IN_PROGRESS,
        None,
    ),
    (
        "withdrawn after the due date: late for 2.1, on time for Biểu 06",
        finished(11, 9, state="withdrawn"),
        END_OF_MARCH,
        False,
        Reason.FINISHED,
        B06Class.ON_TIME,
    ),
    (
        "stopped before the due date",
        finished(4, 9, state="stopped"),
        END_OF_MARCH,
        True,
        Reason.FINISHED,
        B06Class.EARLY,
    ),
]


def test_the_base_case_is_due_the_next_monday_at_nine():
    assert CAL.due(BASE.received_at, 5, "working_days") == BASE.original_due_at


@pytest.mark.parametrize(
    ("timeline", "cutoff", "on_time", "reason", "b06"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_it_classifies_each_case_as_the_rule_says(timeline, cutoff, on_time, reason, b06):
    verdict = classify(timeline, CAL)
    assert verdict.on_time_at(cutoff) is on_time
    assert verdict.reason == reason
    assert verdict.b06 == b06


def test_a_decided_verdict_does_not_depend_on_the_cutoff():
    verdict = classify(finished(10, 9), CAL)
    assert verdict.status == Status.LATE
    assert not verdict.on_time_at(at(3, 0)) and not verdict.on_time_at(END_OF_MARCH)


def test_the_supplement_pause_moves_the_judged_due_date_by_the_working_time_waited():
    verdict = classify(finished(11, 8, supplement_requests=1, pauses=(SUPPLEMENT_2_DAYS,)), CAL)
    assert verdict.due == at(11, 9)


def test_an_open_dossier_becomes_late_exactly_after_its_due_date():
    verdict = classify(BASE, CAL)
    assert verdict.status == Status.OPEN and verdict.due == at(9, 9)
    assert verdict.on_time_at(at(9, 9)) and not verdict.on_time_at(at(9, 9, 1))
