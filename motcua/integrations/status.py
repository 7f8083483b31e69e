"""The sync status shown to operators (/dong-bo/ and GET /api/v1/national-portal/status)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count
from django.utils import timezone

from motcua.dossiers.models import OutboxMessage

from . import breaker
from .models import ReconciliationRun
from .outbox import NATIONAL_TOPICS, NOTIFY_TOPICS

Status = OutboxMessage.Status


def percentiles(since: datetime, until: datetime, topics=NATIONAL_TOPICS) -> dict[str, Any]:
    """Exact lag percentiles (nearest rank) of the messages acknowledged in [since, until)."""
    rows = OutboxMessage.objects.filter(
        delivered_at__gte=since, delivered_at__lt=until, topic__in=topics, lag_ms__isnull=False
    )
    n = rows.count()
    result: dict[str, Any] = {"n": n, "p50_ms": None, "p95_ms": None, "p99_ms": None}
    if not n:
        return result
    ordered = rows.order_by("lag_ms").values_list("lag_ms", flat=True)
    for p in (50, 95, 99):
        rank = max(1, math.ceil(p / 100 * n))
        result[f"p{p}_ms"] = ordered[rank - 1]
    result["max_ms"] = ordered[n - 1]
    return result


def _counts(topics) -> dict[str, int]:
    counts = dict.fromkeys(Status.values, 0)
    busy = (
        OutboxMessage.objects.filter(topic__in=topics, status__in=[Status.PENDING, Status.IN_FLIGHT])
        .values_list("status")
        .annotate(n=Count("id"))
    )
    counts.update(dict(busy))
    counts[Status.DEAD] = OutboxMessage.objects.filter(topic__in=topics, status=Status.DEAD).count()
    counts[Status.DELIVERED] = OutboxMessage.objects.filter(topic__in=topics, status=Status.DELIVERED).count()
    return counts


def last_errors(limit: int = 50) -> list[dict[str, Any]]:
    """The most recent error of each dossier that still has an undelivered message."""
    seen: set[int] = set()
    found = []
    rows = (
        OutboxMessage.objects.exclude(status=Status.DELIVERED)
        .exclude(last_error="")
        .select_related("dossier")
        .order_by("-id")
        .only(
            "id",
            "dossier__code",
            "topic",
            "status",
            "attempts",
            "last_error",
            "next_attempt_at",
            "dossier_seq",
        )
    )
    for row in rows[: limit * 10]:
        if row.dossier_id in seen:
            continue
        seen.add(row.dossier_id)
        found.append(
            {
                "dossier": row.dossier.code,
                "message": row.pk,
                "seq": row.dossier_seq,
                "topic": row.topic,
                "status": row.status,
                "attempts": row.attempts,
                "next_attempt_at": row.next_attempt_at,
                "error": row.last_error,
            }
        )
        if len(found) >= limit:
            break
    return found


def sync_status(now: datetime | None = None) -> dict[str, Any]:
    now = now or timezone.now()
    health = breaker.health()
    run = ReconciliationRun.objects.first()
    oldest = (
        OutboxMessage.objects.filter(topic__in=NATIONAL_TOPICS, status__in=[Status.PENDING, Status.IN_FLIGHT])
        .order_by("id")
        .values_list("created_at", flat=True)
        .first()
    )
    return {
        "at": now,
        "national": _counts(NATIONAL_TOPICS),
        "notifications": _counts(NOTIFY_TOPICS),
        "oldest_pending_age_s": round((now - oldest).total_seconds(), 1) if oldest else None,
        "lag": {
            "last_hour": percentiles(now - timedelta(hours=1), now),
            "last_day": percentiles(now - timedelta(days=1), now),
        },
        "portal": {
            "url": _portal_url(),
            "breaker": health.state,
            "breaker_label": str(health.get_state_display()),
            "consecutive_failures": health.consecutive_failures,
            "blocked_until": health.blocked_until,
            "opened_at": health.opened_at,
            "last_success_at": health.last_success_at,
            "last_failure_at": health.last_failure_at,
            "last_error": health.last_error,
        },
        "last_reconciliation": None
        if run is None
        else {
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "checked": run.checked,
            "fixed": run.fixed,
            "ok": run.ok,
            "errors": run.report.get("errors", []),
        },
        "last_errors": last_errors(),
    }


def _portal_url() -> str:
    from django.conf import settings

    return settings.MOTCUA_NATIONAL_PORTAL_URL
