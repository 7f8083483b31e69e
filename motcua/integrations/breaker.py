"""The circuit breaker in front of the national portal, shared by every worker through one database row.

Closed: calls go through; each call that fails as a whole (timeout, reset, 5xx, 503 "down") adds to
``consecutive_failures``, and at ``MOTCUA_NATIONAL_BREAKER_THRESHOLD`` the breaker opens. Open: nobody
calls until ``blocked_until``; then exactly one worker wins the right to probe (a conditional UPDATE) with a
cheap read (``danh-sach``, one record) that changes nothing and costs no message an attempt. A good probe
closes the breaker; a bad one opens it again for a longer cool-down (doubling, capped at 10×). A 429 does
not open the breaker but its Retry-After holds every worker back (``blocked_until``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from .models import PortalHealth

NAME = "national_portal"


def health(name: str = NAME) -> PortalHealth:
    row, _ = PortalHealth.objects.get_or_create(name=name)
    return row


def _cooldown(open_count: int) -> timedelta:
    base = settings.MOTCUA_NATIONAL_BREAKER_COOLDOWN_MS
    factor = min(10, 2 ** max(0, open_count - 1))
    return timedelta(milliseconds=base * factor)


def gate(now: datetime, name: str = NAME) -> tuple[str, datetime | None]:
    """("go", None) | ("wait", until) | ("probe", None): what a worker may do now."""
    row = health(name)
    if row.blocked_until is not None and now < row.blocked_until:
        return "wait", row.blocked_until
    if row.state == PortalHealth.State.CLOSED:
        return "go", None
    # Open (or a half-open probe whose worker died): one worker takes the probe, the others wait for it.
    probe_until = now + _cooldown(row.open_count)
    won = (
        PortalHealth.objects.filter(name=name)
        .filter(Q(blocked_until__isnull=True) | Q(blocked_until__lte=now))
        .exclude(state=PortalHealth.State.CLOSED)
        .update(state=PortalHealth.State.HALF_OPEN, blocked_until=probe_until)
    )
    return ("probe", None) if won else ("wait", probe_until)


def record_success(now: datetime, name: str = NAME) -> None:
    row = health(name)
    if (
        row.state == PortalHealth.State.CLOSED
        and row.consecutive_failures == 0
        and row.last_success_at is not None
        and (now - row.last_success_at).total_seconds() < 1
    ):
        return  # nothing to change: spare the shared row one write per batch under load
    PortalHealth.objects.filter(name=name).update(
        state=PortalHealth.State.CLOSED,
        consecutive_failures=0,
        last_success_at=now,
        **({"blocked_until": None} if row.state != PortalHealth.State.CLOSED else {}),
    )


def record_failure(
    now: datetime, error: str, *, retry_after: float | None = None, counts: bool = True, name: str = NAME
) -> None:
    with transaction.atomic():
        row = PortalHealth.objects.select_for_update().filter(name=name).first() or health(name)
        row.last_failure_at = now
        row.last_error = error[:2000]
        hold = now + timedelta(seconds=retry_after) if retry_after else None
        if counts:
            row.consecutive_failures += 1
            reopen = row.state == PortalHealth.State.HALF_OPEN
            if reopen or (
                row.state == PortalHealth.State.CLOSED
                and row.consecutive_failures >= settings.MOTCUA_NATIONAL_BREAKER_THRESHOLD
            ):
                row.state = PortalHealth.State.OPEN
                row.opened_at = now
                row.open_count += 1
                until = now + _cooldown(row.open_count if reopen else 1)
                hold = max(until, hold) if hold else until
        if hold is not None and (row.blocked_until is None or hold > row.blocked_until):
            row.blocked_until = hold
        row.save()


def reset(name: str = NAME) -> None:
    PortalHealth.objects.filter(name=name).update(
        state=PortalHealth.State.CLOSED, consecutive_failures=0, blocked_until=None, open_count=0
    )
