"""Fault injection on the HTTT-facing API (contract §2: "any call may also fail as a whole").

Each request draws one outcome from the configured rates — error, rate limit, reset, timeout or none — in
that order of the unit interval, so the rates must add up to at most 1. With a ``seed`` the n-th request
after POST /sim/faults always gets the same outcome, so a test can replay a run exactly.

Outcomes (see docs/simulator.md):
- ``down``: every call answers 503 with Retry-After, nothing applied.
- ``error``: 500/502/503, nothing applied.
- ``rate_limit``: 429 with ``Retry-After: retry_after_s``, nothing applied.
- ``reset``: the connection is reset before the request is processed (nothing applied).
- ``timeout``: the request IS applied with probability ``timeout_applied_rate``; either way the answer
  never comes: the connection is held ``timeout_hold_ms`` and then reset. The sender cannot know which
  happened and must resend safely.
- ``latency_ms``: every request that is answered waits a uniformly random 0…latency_ms first.
"""

from __future__ import annotations

import itertools
import random
import threading
from dataclasses import dataclass
from typing import Any

from simulators.national_portal.models import FaultConfig

RATE_FIELDS = ("error_rate", "rate_limit_rate", "reset_rate", "timeout_rate")
OTHER_RATES = (
    "duplicate_callback_rate",
    "late_callback_rate",
    "wrong_amount_callback_rate",
    "timeout_applied_rate",
)
INT_FIELDS = {
    "latency_ms": 600_000,
    "callback_delay_ms": 3_600_000,
    "timeout_hold_ms": 600_000,
    "retry_after_s": 3600,
}
DEFAULTS: dict[str, Any] = {
    **dict.fromkeys(RATE_FIELDS, 0.0),
    **dict.fromkeys(OTHER_RATES, 0.0),
    "timeout_applied_rate": 0.5,
    "latency_ms": 0,
    "callback_delay_ms": 2000,
    "timeout_hold_ms": 15000,
    "retry_after_s": 1,
    "down": False,
    "seed": None,
}

_lock = threading.Lock()
_request_sequence = itertools.count()
_callback_sequence = itertools.count()


@dataclass(frozen=True)
class Decision:
    outcome: str  # "ok", "down", "error", "rate_limit", "reset", "timeout"
    status: int = 200
    latency_s: float = 0.0
    applied: bool = True  # for "timeout": whether the request is processed before the drop
    hold_ms: int = 0
    retry_after_s: int = 0


def validate(body: object) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The full fault configuration from a POST body (missing keys take their defaults) and problems."""
    problems: list[tuple[str, str]] = []
    if not isinstance(body, dict):
        return {}, [("", "nội dung phải là một đối tượng JSON")]
    values = dict(DEFAULTS)
    for key in body:
        if key not in DEFAULTS:
            problems.append((key, "không phải một thiết lập lỗi đã biết"))
    for key in RATE_FIELDS + OTHER_RATES:
        if key in body:
            value = body[key]
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
                problems.append((key, f"{value!r} phải là một tỉ lệ từ 0 đến 1"))
            else:
                values[key] = float(value)
    for key, maximum in INT_FIELDS.items():
        if key in body:
            value = body[key]
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
                problems.append((key, f"{value!r} phải là số nguyên từ 0 đến {maximum}"))
            else:
                values[key] = value
    if "down" in body:
        if not isinstance(body["down"], bool):
            problems.append(("down", "phải là true hoặc false"))
        else:
            values["down"] = body["down"]
    if "seed" in body and body["seed"] is not None:
        if isinstance(body["seed"], bool) or not isinstance(body["seed"], int):
            problems.append(("seed", "phải là số nguyên hoặc null"))
        else:
            values["seed"] = body["seed"]
    if not problems and sum(values[k] for k in RATE_FIELDS) > 1 + 1e-9:
        problems.append(
            ("", "tổng error_rate + rate_limit_rate + reset_rate + timeout_rate không được vượt 1")
        )
    return values, problems


def current() -> FaultConfig:
    config = FaultConfig.objects.filter(pk=1).first()
    return config if config is not None else FaultConfig(pk=1)


def as_dict(config: FaultConfig) -> dict[str, Any]:
    return {key: getattr(config, key) for key in DEFAULTS}


def replace(values: dict[str, Any]) -> FaultConfig:
    """Store a new configuration and restart the seeded sequences so a run can be replayed."""
    global _request_sequence, _callback_sequence
    config = FaultConfig(pk=1, **values)
    config.save()
    with _lock:
        _request_sequence = itertools.count()
        _callback_sequence = itertools.count()
    return config


def _rng(config: FaultConfig, stream: str, sequence: itertools.count[int]) -> random.Random:
    with _lock:
        n = next(sequence)
    if config.seed is None:
        return random.Random()
    return random.Random(f"{config.seed}:{stream}:{n}")


def decide(config: FaultConfig) -> Decision:
    """The outcome for the next HTTT-facing request."""
    if config.down:
        return Decision("down", status=503, retry_after_s=config.retry_after_s)
    rng = _rng(config, "request", _request_sequence)
    draw = rng.random()
    latency_s = rng.uniform(0, config.latency_ms) / 1000 if config.latency_ms else 0.0
    applied = rng.random() < config.timeout_applied_rate
    error_status = rng.choice((500, 502, 503))
    edge = config.error_rate
    if draw < edge:
        return Decision("error", status=error_status)
    edge += config.rate_limit_rate
    if draw < edge:
        return Decision("rate_limit", status=429, retry_after_s=config.retry_after_s)
    edge += config.reset_rate
    if draw < edge:
        return Decision("reset")
    edge += config.timeout_rate
    if draw < edge:
        return Decision("timeout", latency_s=latency_s, applied=applied, hold_ms=config.timeout_hold_ms)
    return Decision("ok", latency_s=latency_s)


@dataclass(frozen=True)
class CallbackPlan:
    duplicate: bool
    late: bool
    delay_s: float
    wrong_amount: bool


def plan_callback(config: FaultConfig) -> CallbackPlan:
    """How the next payment result is delivered to the HTTT: duplicated, late, with a wrong amount."""
    rng = _rng(config, "callback", _callback_sequence)
    return CallbackPlan(
        duplicate=rng.random() < config.duplicate_callback_rate,
        late=rng.random() < config.late_callback_rate,
        delay_s=config.callback_delay_ms / 1000,
        wrong_amount=rng.random() < config.wrong_amount_callback_rate,
    )
