"""Calls from the national side into the HTTT (intake pushes, payment callbacks, catalogue), with retries.

Standard library only: the simulator must behave like an independent system, and urllib makes every
failure visible as what it is (HTTP status, timeout, refused, reset).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any

from simulators.national_portal import conf

MAX_BACKOFF_S = 30.0


@dataclass
class Outcome:
    """The last answer of a call and every attempt made to get it."""

    status: int | None = None
    body: Any = None
    text: str = ""
    error: str = ""
    attempts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _once(
    method: str, url: str, payload: Any, headers: dict[str, str], timeout: float
) -> tuple[int, str, dict]:
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Accept", "application/json")
    if data is not None:
        request.add_header("Content-Type", "application/json; charset=utf-8")
    for name, value in headers.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace"), dict(exc.headers or {})


def call(
    method: str,
    url: str,
    payload: Any = None,
    *,
    headers: dict[str, str] | None = None,
    max_attempts: int | None = None,
    backoff_ms: int | None = None,
    timeout_s: float | None = None,
) -> Outcome:
    """Send, retrying 5xx, 429 (honouring Retry-After), timeouts and connection errors with backoff.

    4xx answers other than 429 are final: resending the same thing would get the same answer.
    """
    attempts_left = max_attempts if max_attempts is not None else conf.push_max_attempts()
    delay = (backoff_ms if backoff_ms is not None else conf.push_backoff_ms()) / 1000
    timeout = timeout_s if timeout_s is not None else conf.push_timeout_seconds()
    outcome = Outcome()
    for attempt in range(1, attempts_left + 1):
        started = time.monotonic()
        record: dict[str, Any] = {"attempt": attempt}
        retry_after: float | None = None
        try:
            status, text, response_headers = _once(method, url, payload, headers or {}, timeout)
        except TimeoutError:
            outcome.status, outcome.error = None, f"hết thời gian chờ sau {timeout} giây"
        except (urllib.error.URLError, ConnectionError, HTTPException, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            outcome.status, outcome.error = None, f"lỗi kết nối: {reason}"
        else:
            outcome.status, outcome.text, outcome.error = status, text, ""
            try:
                outcome.body = json.loads(text) if text else None
            except json.JSONDecodeError:
                outcome.body = None
            if status == 429:
                retry_after = _retry_after(response_headers)
        record["elapsed_ms"] = round((time.monotonic() - started) * 1000)
        record["status" if outcome.status is not None else "error"] = outcome.status or outcome.error
        outcome.attempts.append(record)
        retryable = outcome.status is None or outcome.status >= 500 or outcome.status == 429
        if not retryable or attempt == attempts_left:
            break
        time.sleep(retry_after if retry_after is not None else delay)
        delay = min(delay * 2, MAX_BACKOFF_S)
    return outcome


def _retry_after(headers: dict[str, Any]) -> float | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return min(float(value), MAX_BACKOFF_S)
            except ValueError:
                return None
    return None


def httt_headers() -> dict[str, str]:
    return {"X-Api-Key": conf.httt_api_key()}
