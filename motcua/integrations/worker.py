"""The outbox worker: ``motcua national-portal worker [--once] [--batch N]``.

Each round claims a batch of national messages (at most one per dossier: the oldest not yet acknowledged)
and a batch of applicant notices, delivers them, and records the verdicts. Idle, it sleeps
``MOTCUA_NATIONAL_POLL_MS``. While the circuit breaker is open it makes no national calls (one worker
probes when the cool-down ends); notices keep going. Every ``MOTCUA_NATIONAL_RECONCILE_MINUTES`` one
worker (whichever moves the shared due time first) runs the reconciliation sweep over the last
``MOTCUA_NATIONAL_RECONCILE_DAYS`` days.

SIGTERM / SIGINT finish the current round and give back what is still held. A kill -9 at any instruction
loses nothing: rows are claimed in a committed transaction before anything is sent and marked delivered
only after the answer, so a killed worker's rows are sent again after their lease (or at once by a worker
restarted on the same host) — and the portal deduplicates what it already had.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone

from . import breaker, notifications, outbox
from .delivery import NationalDelivery
from .models import PortalHealth
from .portal import PortalClient, PortalUnavailable

log = logging.getLogger("motcua.integrations.worker")
CALLS_PER_ROUND = 3


class Worker:
    def __init__(
        self,
        *,
        batch: int | None = None,
        client: PortalClient | None = None,
        notify: bool = True,
        reconcile_minutes: int | None = None,
        write: Callable[[str], None] | None = None,
    ) -> None:
        self.batch = max(1, min(100, batch or settings.MOTCUA_NATIONAL_BATCH_SIZE))
        self.client = client or PortalClient()
        self.id = outbox.new_worker_id()
        self.notify = notify
        self.reconcile_minutes = (
            settings.MOTCUA_NATIONAL_RECONCILE_MINUTES if reconcile_minutes is None else reconcile_minutes
        )
        self.write = write or (lambda text: log.info(text))
        self.stopping = False
        self.totals = {"delivered": 0, "retry": 0, "dead": 0, "rounds": 0}

    def now(self) -> datetime:
        return timezone.now()

    # --- one round ------------------------------------------------------------------------------

    def round(self) -> int:
        """Claim and deliver what is due now; returns how many rows were handled."""
        handled = self._national() + (self._notices() if self.notify else 0)
        self.totals["rounds"] += 1
        return handled

    def _national(self) -> int:
        state, _until = breaker.gate(self.now())
        if state == "wait":
            return 0
        if state == "probe":
            self._probe()
            return 0
        # A round claims several calls' worth (creates, updates, events, each call at most `batch` items):
        # fewer round trips to the database per message, and every dossier's next message in one go.
        limit = self.batch * CALLS_PER_ROUND
        rows = outbox.claim(self.id, outbox.NATIONAL_TOPICS, limit, self.now(), in_order=True)
        if not rows:
            return 0
        verdicts = NationalDelivery(self.client, self.now, self.batch).deliver(rows)
        self._settle(verdicts)
        return len(rows)

    def _probe(self) -> None:
        try:
            self.client.listing(SoBanGhi=1, Trang=1)
        except PortalUnavailable as exc:
            breaker.record_failure(
                self.now(), f"Thử kết nối lại thất bại: {exc.message}", retry_after=exc.retry_after
            )
            self.write(f"Cổng DVCQG vẫn chưa sẵn sàng: {exc.message}")
            return
        breaker.record_success(self.now())
        self.write("Cổng DVCQG đã hoạt động trở lại; tiếp tục gửi.")

    def _notices(self) -> int:
        rows = outbox.claim(self.id, outbox.NOTIFY_TOPICS, self.batch, self.now(), in_order=False)
        if not rows:
            return 0
        self._settle(notifications.deliver(rows, self.now))
        return len(rows)

    def _settle(self, verdicts) -> None:
        tally = outbox.settle(self.id, verdicts, self.now())
        for key, value in tally.items():
            self.totals[key] += value
        for v in verdicts:
            if v.outcome == "dead":
                self.write(f"Tin #{v.message.pk} ({v.message.topic}) chuyển sang lỗi cần xử lý: {v.error}")

    # --- loops ----------------------------------------------------------------------------------

    def drain(self, *, max_rounds: int = 100_000) -> dict[str, int]:
        """--once: rounds until nothing is claimable right now."""
        outbox.release_dead_workers(self.now())
        for _ in range(max_rounds):
            if self.round() == 0:
                break
        return self.totals

    def install_signal_handlers(self) -> None:
        def stop(signum, frame):
            self.stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def run_forever(self) -> dict[str, int]:
        self.write(f"Bắt đầu gửi dữ liệu lên {self.client.base_url} (worker {self.id}, lô {self.batch}).")
        freed = outbox.release_dead_workers(self.now())
        if freed:
            self.write(f"Nhận lại {freed} tin của worker đã dừng đột ngột.")
        idle = settings.MOTCUA_NATIONAL_POLL_MS / 1000
        try:
            while not self.stopping:
                try:
                    handled = self.round()
                    self._maybe_reconcile()
                except Exception:  # a worker must outlive a bad round (logged, then retried)
                    log.exception("Vòng gửi lỗi; thử lại sau")
                    close_old_connections()
                    handled = 0
                    time.sleep(min(5.0, idle * 10))
                if handled == 0:
                    time.sleep(idle)
                    close_old_connections()
        finally:
            released = outbox.release(self.id)
            self.client.close()
            self.write(f"Dừng worker {self.id}; trả lại {released} tin chưa gửi xong.")
        return self.totals

    def _maybe_reconcile(self) -> None:
        if not self.reconcile_minutes:
            return
        now = self.now()
        breaker.health()
        won = (
            PortalHealth.objects.filter(name=breaker.NAME)
            .filter(Q(reconcile_due_at__isnull=True) | Q(reconcile_due_at__lte=now))
            .update(reconcile_due_at=now + timedelta(minutes=self.reconcile_minutes))
        )
        if not won:
            return
        from .reconcile import reconcile

        report = reconcile(client=self.client, days=settings.MOTCUA_NATIONAL_RECONCILE_DAYS)
        self.write(report.summary())
