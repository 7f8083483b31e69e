"""Claiming outbox rows for delivery, and recording what the partner answered.

Rules (docs/integrations.md, "Delivery guarantees"):

- A row is claimed by one worker at a time: status ``in_flight``, ``claimed_by``, ``claimed_until`` (the
  lease) and ``attempts + 1``, committed BEFORE anything is sent. On PostgreSQL the candidates are locked
  with ``SELECT … FOR UPDATE SKIP LOCKED`` so several workers on several machines never claim the same row
  and never wait for each other; on SQLite writers are serialised by the database (one worker is the rule).
- A row whose lease expired (its worker was killed or hung) is claimable again. Sending twice is safe: the
  portal deduplicates events by MaSuKien and orders dossier versions by ThoiDiemCapNhat.
- National messages of one dossier go strictly one after the other: a row is claimable only when every
  earlier national row of its dossier is delivered (a dead row holds the dossier back until an operator
  resends it), so the portal never receives seq n+1 before it acknowledged seq n.
- A row is marked delivered only after the partner's answer, and only by the worker that still holds it.
"""

from __future__ import annotations

import os
import random
import socket
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, CharField, Exists, F, OuterRef, Q, Value, When

from motcua.dossiers.models import OutboxMessage

Status = OutboxMessage.Status
Topic = OutboxMessage.Topic
NATIONAL_TOPICS = (Topic.NATIONAL_DOSSIER, Topic.NATIONAL_PROGRESS)
NOTIFY_TOPICS = (Topic.APPLICANT_NOTICE,)


def new_worker_id() -> str:
    """host:pid:nonce — the pid lets a restarted worker on the same host release a dead one's rows."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def backoff(attempts: int, *, retry_after: float | None = None) -> timedelta:
    """Exponential backoff with equal jitter; never sooner than the partner's Retry-After."""
    base = settings.MOTCUA_NATIONAL_BACKOFF_BASE_MS / 1000
    cap = float(settings.MOTCUA_NATIONAL_BACKOFF_MAX_SECONDS)
    delay = min(cap, base * 2 ** max(0, attempts - 1))
    delay = delay / 2 + random.uniform(0, delay / 2)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return timedelta(seconds=delay)


def _claimable(now: datetime) -> Q:
    return Q(status=Status.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)) | Q(
        status=Status.IN_FLIGHT, claimed_until__lt=now
    )


def claim(
    worker: str, topics: Iterable[str], limit: int, now: datetime, *, in_order: bool
) -> list[OutboxMessage]:
    topics = list(topics)
    candidates = OutboxMessage.objects.filter(topic__in=topics).filter(_claimable(now))
    if in_order:
        # Spelled as the partial index outbox_undelivered (dossier, id) is defined, so that it serves it.
        earlier = OutboxMessage.objects.filter(
            dossier_id=OuterRef("dossier_id"),
            id__lt=OuterRef("id"),
            status__in=[Status.PENDING, Status.IN_FLIGHT, Status.DEAD],
            topic__in=topics,
        )
        candidates = candidates.filter(~Exists(earlier))
    candidates = candidates.order_by("id")
    lease = now + timedelta(seconds=settings.MOTCUA_NATIONAL_CLAIM_LEASE_SECONDS)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            ids = list(candidates.select_for_update(skip_locked=True).values_list("id", flat=True)[:limit])
        else:
            ids = list(candidates.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        # Conditional: on SQLite this is what makes the claim exclusive (the row must still be claimable).
        OutboxMessage.objects.filter(id__in=ids).filter(_claimable(now)).update(
            status=Status.IN_FLIGHT, claimed_by=worker, claimed_until=lease, attempts=F("attempts") + 1
        )
    return list(
        OutboxMessage.objects.filter(id__in=ids, claimed_by=worker, status=Status.IN_FLIGHT).order_by("id")
    )


@dataclass
class Verdict:
    """What became of one claimed row after a delivery attempt."""

    message: OutboxMessage
    outcome: str  # delivered | retry | dead
    code: str = ""
    error: str = ""
    retry_after: float | None = None


def settle(worker: str, verdicts: list[Verdict], now: datetime) -> dict[str, int]:
    """Record the verdicts in one transaction; only rows this worker still holds are changed."""
    tally = {"delivered": 0, "retry": 0, "dead": 0}
    max_attempts = settings.MOTCUA_NATIONAL_MAX_ATTEMPTS
    delivered = [v for v in verdicts if v.outcome == "delivered"]
    with transaction.atomic():
        if delivered:
            # One statement for the common case (a whole batch acknowledged), each row with its own lag.
            lags = {
                v.message.pk: max(0, int((now - v.message.created_at).total_seconds() * 1000))
                for v in delivered
            }
            codes = {v.message.pk: v.code[:16] for v in delivered}
            tally["delivered"] = OutboxMessage.objects.filter(
                id__in=list(lags), claimed_by=worker, status=Status.IN_FLIGHT
            ).update(
                status=Status.DELIVERED,
                delivered_at=now,
                result_code=Case(
                    *[When(id=k, then=Value(c)) for k, c in codes.items()],
                    default=Value(""),
                    output_field=CharField(),
                ),
                lag_ms=Case(
                    *[When(id=k, then=Value(lag)) for k, lag in lags.items()],
                    default=Value(None),
                    output_field=BigIntegerField(),
                ),
                last_error="",
                claimed_until=None,
                next_attempt_at=None,
            )
        for v in verdicts:
            if v.outcome == "delivered":
                continue
            held = OutboxMessage.objects.filter(id=v.message.pk, claimed_by=worker, status=Status.IN_FLIGHT)
            if v.outcome == "dead" or v.message.attempts >= max_attempts:
                changed = held.update(
                    status=Status.DEAD, result_code=v.code[:16], last_error=v.error[:4000], claimed_until=None
                )
                v.outcome = "dead"
            else:
                changed = held.update(
                    status=Status.PENDING,
                    result_code=v.code[:16],
                    last_error=v.error[:4000],
                    claimed_until=None,
                    next_attempt_at=now + backoff(v.message.attempts, retry_after=v.retry_after),
                )
            if changed:
                tally[v.outcome] += 1
    return tally


def release(worker: str) -> int:
    """Give back what this worker holds (a clean stop): claimable again at once, the attempt not counted."""
    return OutboxMessage.objects.filter(claimed_by=worker, status=Status.IN_FLIGHT).update(
        status=Status.PENDING, claimed_until=None, attempts=F("attempts") - 1
    )


def release_dead_workers(now: datetime) -> int:
    """Rows held by workers of THIS host whose process is gone (kill -9): claimable now, not after a lease."""
    host = socket.gethostname()[:60]
    freed = 0
    held = (
        OutboxMessage.objects.filter(status=Status.IN_FLIGHT, claimed_by__startswith=f"{host}:")
        .values_list("claimed_by", flat=True)
        .distinct()
    )
    for claimer in list(held):
        try:
            pid = int(claimer.split(":")[1])
        except (IndexError, ValueError):
            continue
        if pid == os.getpid() or _alive(pid):
            continue
        freed += OutboxMessage.objects.filter(claimed_by=claimer, status=Status.IN_FLIGHT).update(
            claimed_until=now - timedelta(seconds=1)
        )
    return freed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def resend(
    ids: Iterable[int] | None = None, *, dossier_code: str | None = None, dead_only: bool = True
) -> int:
    """Operator's resend: dead (or given) rows back to pending with a fresh attempt budget."""
    rows = OutboxMessage.objects.all()
    if ids is not None:
        rows = rows.filter(id__in=list(ids))
    if dossier_code:
        rows = rows.filter(dossier__code=dossier_code)
    rows = rows.filter(status=Status.DEAD) if dead_only else rows.exclude(status=Status.IN_FLIGHT)
    return rows.update(
        status=Status.PENDING, attempts=0, next_attempt_at=None, claimed_by="", claimed_until=None
    )
