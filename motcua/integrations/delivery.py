"""Delivering claimed national messages to the portal (contract §2) and judging each item's answer.

HoSo rows go to ``them-moi`` when the portal has not acknowledged any version of the dossier yet, else to
``cap-nhat``; ``-3`` (exists) is resent as an update and ``-4`` (not found) as a create, once, in the same
round. ``-5`` (stale: the portal holds a newer version) and ``-6`` (event already stored) are successes for
the sender. ``-1`` (malformed) cannot get better by resending: the row is dead-lettered at once with the
portal's message. A call that fails as a whole leaves its rows for a later attempt (backoff, Retry-After)
and counts against the circuit breaker.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from motcua.dossiers.models import OutboxMessage

from . import breaker
from .outbox import Verdict
from .portal import PortalClient, PortalUnavailable

Topic = OutboxMessage.Topic

BREAKER_OPEN = "Cổng DVCQG đang tạm ngắt kết nối (circuit breaker)."
OK, MALFORMED, EXISTS, NOT_FOUND, STALE, DUPLICATE = "0", "-1", "-3", "-4", "-5", "-6"


def _code(result: dict[str, Any]) -> str:
    return str(result.get("error_code", "")).strip()


def _describe(result: dict[str, Any]) -> str:
    return f"Cổng DVCQG trả mã {_code(result) or '?'}: {str(result.get('message', ''))[:1000]}"


class NationalDelivery:
    def __init__(self, client: PortalClient, now: Callable[[], datetime], batch: int = 100) -> None:
        self.client = client
        self.now = now
        self.batch = max(1, min(100, batch))  # the contract's limit per call
        self.calls = 0

    def deliver(self, rows: list[OutboxMessage]) -> list[Verdict]:
        verdicts: dict[int, Verdict] = {}
        dossiers = [r for r in rows if r.topic == Topic.NATIONAL_DOSSIER]
        events = [r for r in rows if r.topic == Topic.NATIONAL_PROGRESS]
        if dossiers:
            known = set(
                OutboxMessage.objects.filter(
                    dossier_id__in={r.dossier_id for r in dossiers},
                    topic=Topic.NATIONAL_DOSSIER,
                    status=OutboxMessage.Status.DELIVERED,
                )
                .values_list("dossier_id", flat=True)
                .distinct()
            )
            creates = [r for r in dossiers if r.dossier_id not in known]
            updates = [r for r in dossiers if r.dossier_id in known]
            exists, _ = self._send_dossiers("create", creates, verdicts)  # -3 → update
            _, missing = self._send_dossiers("update", updates + exists, verdicts)  # -4 → create
            # One more turn for what changed sides twice in a row (a portal that lost the dossier meanwhile).
            exists_again, _ = self._send_dossiers("create", missing, verdicts)
            self._send_dossiers("update", exists_again, verdicts, last=True)
        if events:
            self._send_events(events, verdicts)
        return [
            verdicts.get(r.pk) or Verdict(r, "retry", error="không được gửi trong lượt này") for r in rows
        ]

    # --- calls ----------------------------------------------------------------------------------

    def _call(self, rows: list[OutboxMessage], verdicts: dict[int, Verdict], send) -> list[dict | None]:
        """Send `rows` in calls of at most `batch` items; a chunk whose call failed as a whole gets None
        answers (its rows are retried later) and the breaker is told."""
        results: list[dict | None] = []
        for start in range(0, len(rows), self.batch):
            chunk = rows[start : start + self.batch]
            state, _until = breaker.gate(self.now())
            if state != "go":
                for r in chunk:
                    verdicts[r.pk] = Verdict(r, "retry", error=BREAKER_OPEN)
                results += [None] * len(chunk)
                continue
            self.calls += 1
            try:
                results += send([r.payload for r in chunk])
            except PortalUnavailable as exc:
                breaker.record_failure(
                    self.now(), exc.message, retry_after=exc.retry_after, counts=exc.counts_against_breaker
                )
                for r in chunk:
                    verdicts[r.pk] = Verdict(r, "retry", error=exc.message, retry_after=exc.retry_after)
                results += [None] * len(chunk)
                continue
            breaker.record_success(self.now())
        return results

    def _send_dossiers(
        self, how: str, rows: list[OutboxMessage], verdicts: dict[int, Verdict], *, last: bool = False
    ) -> tuple[list[OutboxMessage], list[OutboxMessage]]:
        """Returns (rows to resend as update, rows to resend as create)."""
        to_update: list[OutboxMessage] = []
        to_create: list[OutboxMessage] = []
        if not rows:
            return to_update, to_create
        send = self.client.create if how == "create" else self.client.update
        results = self._call(rows, verdicts, send)
        for row, result in zip(rows, results, strict=True):
            if result is None:
                continue
            code = _code(result)
            if code == OK or (how == "update" and code == STALE):
                verdicts[row.pk] = Verdict(row, "delivered", code=code)
            elif code == MALFORMED:
                verdicts[row.pk] = Verdict(row, "dead", code=code, error=_describe(result))
            elif how == "create" and code == EXISTS and not last:
                to_update.append(row)
            elif how == "update" and code == NOT_FOUND and not last:
                to_create.append(row)
            else:
                verdicts[row.pk] = Verdict(row, "retry", code=code, error=_describe(result))
        return to_update, to_create

    def _send_events(self, rows: list[OutboxMessage], verdicts: dict[int, Verdict]) -> None:
        results = self._call(rows, verdicts, self.client.progress)
        for row, result in zip(rows, results, strict=True):
            if result is None:
                continue
            code = _code(result)
            if code in (OK, DUPLICATE):
                verdicts[row.pk] = Verdict(row, "delivered", code=code)
            elif code == MALFORMED:
                verdicts[row.pk] = Verdict(row, "dead", code=code, error=_describe(result))
            else:  # -4: the portal does not know the dossier (yet): the sweep or the next try repairs it
                verdicts[row.pk] = Verdict(row, "retry", code=code, error=_describe(result))
