"""Named counters for GET /sim/stats, kept in the simulator's store so they survive a restart."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from simulators.national_portal.models import Counter
from simulators.national_portal.router import DB_ALIAS

# Every counter the simulator keeps, with what it counts (shown in docs/simulator.md too).
NAMES = {
    "requests": "requests received on the HTTT-facing API (/oauth, /api), faulted ones included",
    "created": "dossiers created (them-moi, code 0)",
    "already_exists": "them-moi items answered -3",
    "updated": "dossiers updated (cap-nhat, code 0)",
    "not_found": "cap-nhat / tien-trinh items answered -4",
    "stale": "cap-nhat items answered -5 (older ThoiDiemCapNhat, not applied)",
    "events_stored": "progress events stored (tien-trinh, code 0)",
    "duplicate_events": "progress events answered -6 (MaSuKien already stored)",
    "rejected": "items answered -1 (malformed)",
    "unauthorized": "requests answered 401",
    "fault_down": "requests answered 503 because the portal is 'down'",
    "fault_error": "injected 5xx",
    "fault_rate_limit": "injected 429",
    "fault_reset": "injected connection resets (not applied)",
    "fault_timeout": "injected timeouts (request held, then dropped)",
    "fault_timeout_applied": "injected timeouts where the request was applied anyway",
    "sms_received": "SMS accepted by the SMS sink (POST /sim/sms)",
    "sms_rejected": "SMS refused by the SMS sink (missing or malformed number or text)",
}


def bump(**amounts: int) -> None:
    """Add to several counters at once (``bump(created=3, stale=1)``); zero amounts are skipped."""
    for name, amount in amounts.items():
        if not amount:
            continue
        if Counter.objects.filter(name=name).update(value=F("value") + amount):
            continue
        try:
            with transaction.atomic(using=DB_ALIAS):
                Counter.objects.create(name=name, value=amount)
        except IntegrityError:  # another thread created it first
            Counter.objects.filter(name=name).update(value=F("value") + amount)


def snapshot() -> dict[str, int]:
    values = dict.fromkeys(NAMES, 0)
    values.update(dict(Counter.objects.values_list("name", "value")))
    return values
