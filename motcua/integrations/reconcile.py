"""The reconciliation sweep: compare the HTTT's dossiers with the portal's list and repair differences.

For the dossiers of a period (by reception, else submission time — the portal's ``LoaiNgay=TiepNhan``):

- a dossier the portal does not have, or whose status / ThoiDiemCapNhat differs from the last version the
  HTTT wrote → the current HoSo (the last ``national.dossier`` payload, exactly as the command wrote it) is
  enqueued again;
- a dossier whose portal log holds fewer events than the HTTT's → the portal's log is read (``tra-cuu``)
  and every missing event is enqueued again under its own MaSuKien (a duplicate would be answered -6);
- dossiers with messages still on their way (pending or in flight) are left alone — they are not a
  difference, only late — and dead messages are reported for an operator (resend).

Repairs are new outbox rows with the original ``dossier_seq`` and event, delivered by the workers in order.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from motcua.dossiers.models import Dossier, OutboxMessage
from motcua.dossiers.national_view import portal_time

from .models import ReconciliationRun
from .portal import PortalClient, PortalUnavailable

Topic = OutboxMessage.Topic
Status = OutboxMessage.Status
PAGE = 1000


@dataclass
class Report:
    checked: int = 0
    in_transit: int = 0
    missing_on_portal: list[str] = field(default_factory=list)
    state_differs: list[str] = field(default_factory=list)
    events_requeued: dict[str, int] = field(default_factory=dict)
    dead: list[str] = field(default_factory=list)
    unknown_to_httt: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def fixed(self) -> int:
        return len(set(self.missing_on_portal) | set(self.state_differs) | set(self.events_requeued))

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "fixed": self.fixed,
            "in_transit": self.in_transit,
            "missing_on_portal": self.missing_on_portal,
            "state_differs": self.state_differs,
            "events_requeued": self.events_requeued,
            "dead": self.dead,
            "unknown_to_httt": self.unknown_to_httt,
            "errors": self.errors,
        }

    def summary(self) -> str:
        return (
            f"Đối chiếu {self.checked} hồ sơ: {len(self.missing_on_portal)} chưa có trên Cổng, "
            f"{len(self.state_differs)} lệch trạng thái, "
            f"{sum(self.events_requeued.values())} sự kiện gửi lại ({len(self.events_requeued)} hồ sơ), "
            f"{self.in_transit} đang gửi, {len(self.dead)} có tin gửi lỗi, "
            f"{len(self.unknown_to_httt)} chỉ có trên Cổng; đã sửa {self.fixed} hồ sơ."
        )


def _day(value: datetime) -> str:
    return portal_time(value)


def _portal_listing(client: PortalClient, start: datetime, end: datetime) -> dict[str, dict[str, Any]]:
    listed: dict[str, dict[str, Any]] = {}
    page = 1
    while True:
        body = client.listing(TuNgay=_day(start), DenNgay=_day(end), Trang=page, SoBanGhi=PAGE)
        for item in body["DanhSach"]:
            if isinstance(item, dict) and item.get("MaHoSo"):
                listed[str(item["MaHoSo"])] = item
        pages = body.get("TongSoTrang")
        if not body["DanhSach"] or not isinstance(pages, int) or page >= pages:
            return listed
        page += 1


def _with_retries(call, attempts: int = 6):
    """The sweep reads the portal a few times over a flaky link before giving up on that read."""
    import time

    delay = 0.2
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except PortalUnavailable as exc:
            if attempt == attempts:
                raise
            time.sleep(max(delay, exc.retry_after or 0))
            delay = min(delay * 2, 5)
    raise AssertionError("unreachable")  # pragma: no cover


def reconcile(
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    client: PortalClient | None = None,
    days: int = 7,
) -> Report:
    now = timezone.now()
    end = end or now
    start = start or end - timedelta(days=days)
    run = ReconciliationRun.objects.create(started_at=now, period_from=start, period_to=end)
    report = Report()
    own_client = client is None
    client = client or PortalClient()
    try:
        _sweep(client, start, end, report)
        run.ok = True
    except PortalUnavailable as exc:
        report.errors.append(exc.message)
    finally:
        if own_client:
            client.close()
        run.finished_at = timezone.now()
        run.checked = report.checked
        run.fixed = report.fixed
        run.report = report.as_dict()
        run.save()
    return report


def _sweep(client: PortalClient, start: datetime, end: datetime, report: Report) -> None:
    listed = _with_retries(lambda: _portal_listing(client, start, end))
    dossiers = list(
        Dossier.objects.annotate(day=Coalesce("received_at", "submitted_at"))
        .filter(day__gte=start, day__lte=end)
        .values_list("id", "code")
    )
    codes = {pk: code for pk, code in dossiers}
    report.unknown_to_httt = sorted(set(listed) - set(codes.values()))
    busy: set[int] = set()
    dead: set[int] = set()
    for dossier_id, status in (
        OutboxMessage.objects.filter(
            dossier_id__in=codes, topic__in=(Topic.NATIONAL_DOSSIER, Topic.NATIONAL_PROGRESS)
        )
        .exclude(status=Status.DELIVERED)
        .values_list("dossier_id", "status")
    ):
        (dead if status == Status.DEAD else busy).add(dossier_id)
    report.dead = sorted(codes[d] for d in dead)
    latest: dict[int, OutboxMessage] = {}
    for row in OutboxMessage.objects.filter(dossier_id__in=codes, topic=Topic.NATIONAL_DOSSIER).order_by(
        "id"
    ):
        latest[row.dossier_id] = row
    events: dict[int, dict[str, OutboxMessage]] = defaultdict(dict)
    for row in OutboxMessage.objects.filter(dossier_id__in=codes, topic=Topic.NATIONAL_PROGRESS).order_by(
        "id"
    ):
        events[row.dossier_id].setdefault(str(row.payload.get("MaSuKien")), row)
    for dossier_id, code in sorted(codes.items(), key=lambda item: item[1]):
        report.checked += 1
        if dossier_id in busy or dossier_id in dead:
            report.in_transit += dossier_id in busy
            continue
        hoso = latest.get(dossier_id)
        if hoso is None:
            continue  # nothing was ever meant for the portal
        seen = listed.get(code)
        if seen is None:
            # Not listed for the period: the portal may file it under another day; ask for it by code.
            stored = _with_retries(lambda code=code: client.lookup(code))
            if stored is None:
                report.missing_on_portal.append(code)
                # The dossier first: the portal refuses events of a dossier it does not know (-4).
                _requeue([hoso, *sorted(events[dossier_id].values(), key=lambda r: r.pk)])
                continue
            seen = {
                "TrangThaiHoSo": stored.get("TrangThaiHoSo"),
                "ThoiDiemCapNhat": stored.get("ThoiDiemCapNhat"),
                "SoSuKien": len(stored.get("TienTrinh") or []),
            }
        if str(seen.get("TrangThaiHoSo")) != str(hoso.payload.get("TrangThaiHoSo")) or str(
            seen.get("ThoiDiemCapNhat")
        ) != str(hoso.payload.get("ThoiDiemCapNhat")):
            report.state_differs.append(code)
            _requeue([hoso])
        expected = events[dossier_id]
        if int(seen.get("SoSuKien") or 0) < len(expected):
            stored = _with_retries(lambda code=code: client.lookup(code)) or {}
            have = {str(e.get("MaSuKien")) for e in stored.get("TienTrinh") or [] if isinstance(e, dict)}
            missing = [row for key, row in expected.items() if key not in have]
            if missing:
                report.events_requeued[code] = len(missing)
                _requeue(sorted(missing, key=lambda r: r.pk))


def _requeue(rows: list[OutboxMessage]) -> None:
    now = timezone.now()
    with transaction.atomic():
        OutboxMessage.objects.bulk_create(
            OutboxMessage(
                dossier_id=row.dossier_id,
                dossier_seq=row.dossier_seq,
                event_id=row.event_id,
                topic=row.topic,
                payload=row.payload,
                created_at=now,
            )
            for row in rows
        )
