"""Appending events, the hash chain, and rebuilding a dossier's state from its events.

Each event stores `changes`: the dossier columns the command set, with their new values. The dossier row is
therefore a projection: folding the `changes` of events 1..n over an empty dossier gives the row's
tracked columns exactly (`project` / `verify_projection`). The chain: hash_n = SHA-256(hash_{n-1} +
canonical JSON of event n); the first event chains from the dossier code.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from .models import Dossier, DossierEvent

# Columns of Dossier that are a projection of its events.
TRACKED_FIELDS = (
    "state",
    "national_status",
    "current_step",
    "holder_unit_id",
    "holder_user_id",
    "handling_unit_id",
    "received_at",
    "original_due_at",
    "due_at",
    "step_started_at",
    "step_due_at",
    "paused_at",
    "finished_at",
    "returned_at",
    "supplement_requests",
    "extended",
    "payment_status",
    "paid_online",
    "fee_total",
    "population_data_used",
)


def to_json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        # UTC, so a value hashed before saving equals the same value read back from either database.
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(dossier: Dossier) -> dict[str, Any]:
    return {name: to_json_value(getattr(dossier, name)) for name in TRACKED_FIELDS}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in after.items() if before.get(k, _MISSING) != v}


_MISSING = object()


def canonical(event: DossierEvent, dossier_code: str) -> bytes:
    body = {
        "dossier": dossier_code,
        "seq": event.seq,
        "action": event.action,
        "at": to_json_value(event.at),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "request_ip": event.request_ip,
        "actor_role": event.actor_role,
        "actor_unit": event.actor_unit_id,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "from_step": event.from_step,
        "to_step": event.to_step,
        "national_status": event.national_status,
        "step_timeliness": event.step_timeliness,
        "payload": event.payload,
    }
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def chain_hash(prev_hash: str, event: DossierEvent, dossier_code: str) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(event, dossier_code)).hexdigest()


def genesis_hash(dossier_code: str) -> str:
    return hashlib.sha256(f"motcua:{dossier_code}".encode()).hexdigest()


def project(events: list[DossierEvent]) -> dict[str, Any]:
    """Fold the events' recorded changes into the dossier's tracked columns."""
    state: dict[str, Any] = dict.fromkeys(TRACKED_FIELDS)
    for event in events:
        state.update(event.payload.get("changes", {}))
    return state


def verify_projection(dossier: Dossier) -> list[str]:
    """Differences between the row and the projection of its events (empty when consistent)."""
    projected = project(list(dossier.events.order_by("seq")))
    current = snapshot(dossier)
    problems = []
    for name in TRACKED_FIELDS:
        if _normalise(projected.get(name)) != _normalise(current.get(name)):
            problems.append(
                f"{dossier.code}: {name} = {current.get(name)!r}, events say {projected.get(name)!r}"
            )
    if dossier.version != dossier.events.count():
        problems.append(f"{dossier.code}: version {dossier.version} ≠ {dossier.events.count()} events")
    return problems


def _normalise(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value


def verify_chain(dossier: Dossier) -> list[str]:
    problems = []
    prev = genesis_hash(dossier.code)
    expected_seq = 1
    for event in dossier.events.order_by("seq"):
        if event.seq != expected_seq:
            problems.append(f"{dossier.code}: event #{expected_seq} is missing (found #{event.seq})")
            expected_seq = event.seq
        if event.prev_hash != prev:
            problems.append(f"{dossier.code}#{event.seq}: chain broken (previous hash does not match)")
        if chain_hash(event.prev_hash, event, dossier.code) != event.hash:
            problems.append(f"{dossier.code}#{event.seq}: event content was altered")
        prev = event.hash
        expected_seq += 1
    return problems
