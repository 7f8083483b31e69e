"""Dossier sync (contract §2): store what the HTTT sends, answer per item, keep the anomaly bookkeeping.

Per-item codes: "0" done, "-3" already exists (create), "-4" not found (update, or an event for an unknown
dossier — create the dossier first), "-5" stale update (older ThoiDiemCapNhat, not applied), "-6" duplicate
MaSuKien (already stored), and the simulator's "-1" for an item refused because a field is malformed.
Each create/update item is applied in its own transaction under a lock on its dossier row, an event batch
in one transaction with its dossiers locked: a request cut short by a crash or a dropped connection leaves
whole items, and concurrent senders cannot interleave half-updates.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter as Tally
from itertools import pairwise
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from simulators.national_portal import counters
from simulators.national_portal.models import Anomaly, Dossier, ProgressEvent
from simulators.national_portal.router import DB_ALIAS
from simulators.national_portal.rules import STATUS_LABELS, is_allowed_transition, parse_timestamp
from simulators.national_portal.validation import as_int, check_dossier, check_event

OK, INVALID, EXISTS, NOT_FOUND, STALE, DUPLICATE = "0", "-1", "-3", "-4", "-5", "-6"
MESSAGES = {
    OK: "Thành công",
    EXISTS: "Hồ sơ đã tồn tại, hãy gửi cập nhật",
    NOT_FOUND: "Không tìm thấy hồ sơ, hãy gửi thêm mới",
    STALE: "Bản cập nhật cũ hơn bản đã lưu (ThoiDiemCapNhat), không áp dụng",
    DUPLICATE: "Sự kiện đã được lưu trước đó (trùng MaSuKien)",
}


def _result(
    code_field: str, code_value: object, error_code: str, message: str | None = None
) -> dict[str, Any]:
    return {
        code_field: code_value if isinstance(code_value, str) else "",
        "error_code": error_code,
        "message": message or MESSAGES[error_code],
    }


def _reject(
    item: object, code_field: str, problems: list[tuple[str, str]], tally: Tally[str]
) -> dict[str, Any]:
    code = item.get("MaHoSo", "") if isinstance(item, dict) else ""
    Anomaly.objects.create(
        kind=Anomaly.MALFORMED,
        ma_ho_so=code if isinstance(code, str) else "",
        detail={
            "ma": item.get(code_field) if isinstance(item, dict) else None,
            "loi": [{"truong": f, "thong_bao": r} for f, r in problems],
        },
    )
    tally["rejected"] += 1
    detail = "; ".join(f"{f}: {r}" for f, r in problems)
    value = item.get(code_field, "") if isinstance(item, dict) else ""
    return _result(code_field, value, INVALID, f"Dữ liệu không hợp lệ — {detail}")


def _day_of(item: dict[str, Any]) -> Any:
    for field in ("NgayTiepNhan", "NgayNopHoSo"):
        if item.get(field):
            return parse_timestamp(item[field])
    return None


LOG_FIELDS = ["event_count", "log_statuses", "log_last_status", "log_order_ok", "log_gap"]


def refresh_log_flags(dossier: Dossier) -> None:
    """Recompute the event-log summary and the gap/order flags (caller holds the row lock and saves)."""
    statuses = list(dossier.events.order_by("thoi_diem_xu_ly", "id").values_list("trang_thai", flat=True))
    dossier.event_count = len(statuses)
    dossier.log_statuses = sorted(set(statuses))
    dossier.log_last_status = statuses[-1] if statuses else None
    dossier.log_order_ok = all(is_allowed_transition(a, b) for a, b in pairwise(statuses))
    dossier.log_gap = bool(gap_reasons(dossier))


def gap_reasons(dossier: Dossier) -> list[str]:
    """Why the dossier's event log has a gap (empty when it has none). See docs/simulator.md."""
    reasons = []
    missing = sorted(set(dossier.statuses_seen) - {1} - set(dossier.log_statuses))
    if missing:
        reasons.append("không có sự kiện nào đưa hồ sơ tới trạng thái " + ", ".join(str(s) for s in missing))
    if dossier.log_last_status is not None and dossier.log_last_status != dossier.trang_thai:
        reasons.append(
            f"sự kiện mới nhất ở trạng thái {dossier.log_last_status}, "
            f"hồ sơ ở trạng thái {dossier.trang_thai}"
        )
    return reasons


def _apply_state(dossier: Dossier, item: dict[str, Any]) -> None:
    dossier.payload = item
    dossier.ma_don_vi = item["MaDonVi"]
    dossier.trang_thai = as_int(item["TrangThaiHoSo"]) or 0
    dossier.thoi_diem_cap_nhat = parse_timestamp(item["ThoiDiemCapNhat"])
    dossier.ngay_ho_so = _day_of(item)
    if dossier.trang_thai not in dossier.statuses_seen:
        dossier.statuses_seen = sorted([*dossier.statuses_seen, dossier.trang_thai])
    dossier.updated_at = timezone.now()


def create_dossiers(items: list[Any]) -> list[dict[str, Any]]:
    results, tally = [], Tally[str]()
    for item in items:
        problems = check_dossier(item)
        if problems:
            results.append(_reject(item, "MaHoSo", problems, tally))
            continue
        code = item["MaHoSo"]
        try:
            with transaction.atomic(using=DB_ALIAS):
                if Dossier.objects.filter(ma_ho_so=code).exists():
                    raise IntegrityError("exists")
                dossier = Dossier(ma_ho_so=code)
                _apply_state(dossier, item)
                dossier.created_at = dossier.updated_at
                refresh_log_flags_new(dossier)
                dossier.save()
        except IntegrityError:
            tally["already_exists"] += 1
            results.append(_result("MaHoSo", code, EXISTS))
            continue
        tally["created"] += 1
        results.append(_result("MaHoSo", code, OK))
    counters.bump(**tally)
    return results


def refresh_log_flags_new(dossier: Dossier) -> None:
    """A dossier not saved yet has no events."""
    dossier.event_count = 0
    dossier.log_statuses = []
    dossier.log_last_status = None
    dossier.log_order_ok = True
    dossier.log_gap = bool(gap_reasons(dossier))


def update_dossiers(items: list[Any]) -> list[dict[str, Any]]:
    results, tally = [], Tally[str]()
    for item in items:
        problems = check_dossier(item)
        if problems:
            results.append(_reject(item, "MaHoSo", problems, tally))
            continue
        code = item["MaHoSo"]
        with transaction.atomic(using=DB_ALIAS):
            dossier = Dossier.objects.select_for_update().filter(ma_ho_so=code).first()
            if dossier is None:
                tally["not_found"] += 1
                results.append(_result("MaHoSo", code, NOT_FOUND))
                continue
            if parse_timestamp(item["ThoiDiemCapNhat"]) < dossier.thoi_diem_cap_nhat:
                tally["stale"] += 1
                results.append(_result("MaHoSo", code, STALE))
                continue
            old, new = dossier.trang_thai, as_int(item["TrangThaiHoSo"]) or 0
            if not is_allowed_transition(old, new):
                Anomaly.objects.create(
                    kind=Anomaly.STATUS_BACKWARDS,
                    ma_ho_so=code,
                    detail={
                        "tu": old,
                        "den": new,
                        "mo_ta": f"{STATUS_LABELS[old]} → {STATUS_LABELS[new]}",
                        "ThoiDiemCapNhat": item["ThoiDiemCapNhat"],
                    },
                )
            _apply_state(dossier, item)
            dossier.update_count += 1
            refresh_log_flags(dossier)
            dossier.save()
        tally["updated"] += 1
        results.append(_result("MaHoSo", code, OK))
    counters.bump(**tally)
    return results


def content_hash(event: dict[str, Any]) -> str:
    """The event's identity without its MaSuKien: what a resend under a fresh id would repeat."""
    content = {k: v for k, v in event.items() if k != "MaSuKien"}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def store_events(items: list[Any]) -> list[dict[str, Any]]:
    """Store a batch of events in one transaction: the batch's dossiers are locked (in primary-key order, so
    concurrent batches cannot deadlock), looked up and written with a handful of queries whatever its size.
    Events are the busiest traffic (10–15 per dossier), so this path is batched where the others are not.
    """
    results: list[dict[str, Any] | None] = [None] * len(items)
    tally = Tally[str]()
    valid = []
    for index, item in enumerate(items):
        problems = check_event(item)
        if problems:
            results[index] = _reject(item, "MaSuKien", problems, tally)
        else:
            valid.append((index, item, content_hash(item)))
    if valid:
        with transaction.atomic(using=DB_ALIAS):
            codes = sorted({item["MaHoSo"] for _, item, _ in valid})
            dossiers = {
                d.ma_ho_so: d
                for d in Dossier.objects.select_for_update().filter(ma_ho_so__in=codes).order_by("pk")
            }
            event_ids = [item["MaSuKien"] for _, item, _ in valid]
            stored = {
                e.ma_su_kien: (e.dossier_id, e.content_hash)
                for e in ProgressEvent.objects.filter(ma_su_kien__in=event_ids).only(
                    "ma_su_kien", "dossier_id", "content_hash"
                )
            }
            contents = {
                (e.dossier_id, e.content_hash): e.ma_su_kien
                for e in ProgressEvent.objects.filter(
                    dossier__in=list(dossiers.values()), content_hash__in=[digest for _, _, digest in valid]
                ).only("ma_su_kien", "dossier_id", "content_hash")
            }
            new_events, anomalies, touched = [], [], {}
            for index, item, digest in valid:
                event_id, code = item["MaSuKien"], item["MaHoSo"]
                dossier = dossiers.get(code)
                if dossier is None:
                    tally["not_found"] += 1
                    results[index] = _result("MaSuKien", event_id, NOT_FOUND)
                    continue
                if event_id in stored:
                    tally["duplicate_events"] += 1
                    if stored[event_id] != (dossier.pk, digest):
                        anomalies.append(
                            Anomaly(
                                kind=Anomaly.DUPLICATE_CONFLICT,
                                ma_ho_so=code,
                                detail={
                                    "MaSuKien": event_id,
                                    "mo_ta": "cùng MaSuKien nhưng nội dung khác bản đã lưu",
                                },
                            )
                        )
                    results[index] = _result("MaSuKien", event_id, DUPLICATE)
                    continue
                twin = contents.get((dossier.pk, digest))
                if twin is not None:
                    anomalies.append(
                        Anomaly(
                            kind=Anomaly.DUPLICATE_CONTENT,
                            ma_ho_so=code,
                            detail={
                                "MaSuKien": event_id,
                                "trung_voi": twin,
                                "mo_ta": "cùng một sự kiện được gửi lại với MaSuKien khác",
                            },
                        )
                    )
                new_events.append(
                    ProgressEvent(
                        ma_su_kien=event_id,
                        dossier=dossier,
                        thoi_diem_xu_ly=parse_timestamp(item["ThoiDiemXuLy"]),
                        trang_thai=as_int(item["TrangThai"]) or 0,
                        content_hash=digest,
                        payload=item,
                    )
                )
                # Later items of the same batch must see this one (a resend inside one batch is a -6).
                stored[event_id] = (dossier.pk, digest)
                contents.setdefault((dossier.pk, digest), event_id)
                touched[dossier.pk] = dossier
                tally["events_stored"] += 1
                results[index] = _result("MaSuKien", event_id, OK)
            ProgressEvent.objects.bulk_create(new_events)
            Anomaly.objects.bulk_create(anomalies)
            for dossier in touched.values():
                refresh_log_flags(dossier)
                dossier.save(update_fields=LOG_FIELDS)
    counters.bump(**tally)
    return [r for r in results if r is not None]


def dossier_with_log(dossier: Dossier) -> dict[str, Any]:
    events = sorted(dossier.events.all(), key=lambda e: (e.thoi_diem_xu_ly, e.pk))  # uses a prefetch if any
    return {**dossier.payload, "TienTrinh": [event.payload for event in events]}
