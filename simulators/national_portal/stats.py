"""GET /sim/stats and GET /sim/export: what the simulator counted, noticed and stored."""

from __future__ import annotations

import base64
from collections import defaultdict
from typing import Any

from django.db.models import Count

from simulators.national_portal import counters
from simulators.national_portal.models import (
    Anomaly,
    Citizen,
    Dossier,
    IntakePush,
    Payment,
    PopulationQuery,
    ProgressEvent,
    StoredDocument,
)
from simulators.national_portal.sync import dossier_with_log, gap_reasons

ANOMALY_DESCRIPTIONS = {
    "status_backwards": "an accepted update moved the dossier along a transition the status order forbids",
    "log_gap": "a status the dossier reached has no progress event, or the latest event's status differs",
    "log_order": "the progress log sorted by ThoiDiemXuLy walks a forbidden transition",
    "duplicate_log_entries": (
        "one event stored twice under two MaSuKien, or one MaSuKien resent with other content"
    ),
    "malformed": "items refused (-1) for malformed fields",
}


def _codes(values: Any, limit: int) -> tuple[list[str], bool]:
    codes = sorted({v for v in values if v})
    return codes[:limit], len(codes) > limit


def anomalies(limit: int = 1000) -> dict[str, Any]:
    result: dict[str, Any] = {}
    stored = defaultdict(list)
    for kind, code in Anomaly.objects.values_list("kind", "ma_ho_so"):
        stored[kind].append(code)

    def entry(key: str, count: int, codes: Any, **extra: Any) -> None:
        listed, truncated = _codes(codes, limit)
        result[key] = {"count": count, "dossiers": listed, "truncated": truncated, **extra}
        result[key]["meaning"] = ANOMALY_DESCRIPTIONS[key]

    entry("status_backwards", len(stored["status_backwards"]), stored["status_backwards"])
    gaps = list(Dossier.objects.filter(log_gap=True).values_list("ma_ho_so", flat=True))
    entry("log_gap", len(gaps), gaps)
    disorder = list(Dossier.objects.filter(log_order_ok=False).values_list("ma_ho_so", flat=True))
    entry("log_order", len(disorder), disorder)
    duplicates = stored["duplicate_content"] + stored["duplicate_conflict"]
    entry(
        "duplicate_log_entries",
        len(duplicates),
        duplicates,
        same_content_new_id=len(stored["duplicate_content"]),
        same_id_other_content=len(stored["duplicate_conflict"]),
    )
    by_field: dict[str, int] = defaultdict(int)
    malformed_fields = 0
    for detail in Anomaly.objects.filter(kind=Anomaly.MALFORMED).values_list("detail", flat=True):
        for problem in detail.get("loi", []):
            malformed_fields += 1
            by_field[problem["truong"]] += 1
    entry(
        "malformed",
        len(stored["malformed"]),
        stored["malformed"],
        fields=malformed_fields,
        by_field=dict(sorted(by_field.items())),
    )
    result["total"] = sum(v["count"] for v in result.values() if isinstance(v, dict))
    return result


def stats(limit: int = 1000) -> dict[str, Any]:
    return {
        "counters": counters.snapshot(),
        "anomalies": anomalies(limit),
        "stored": {
            "dossiers": Dossier.objects.count(),
            "events": ProgressEvent.objects.count(),
            "payments": dict(
                Payment.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
            ),
            "documents": StoredDocument.objects.count(),
            "citizens": Citizen.objects.count(),
            "population_queries": PopulationQuery.objects.count(),
            "intake_pushes": IntakePush.objects.count(),
        },
    }


def export(include_files: bool = False) -> dict[str, Any]:
    dossiers = []
    for dossier in Dossier.objects.order_by("ma_ho_so").prefetch_related("events"):
        item = dossier_with_log(dossier)
        dossiers.append(
            {**item, "_sim": {"log_gap": gap_reasons(dossier), "log_order_ok": dossier.log_order_ok}}
        )
    payments = []
    for payment in Payment.objects.order_by("id").prefetch_related("callbacks"):
        payments.append(
            {
                "MaThamChieu": payment.ma_tham_chieu,
                "MaGiaoDich": payment.ma_giao_dich,
                "SoTien": payment.so_tien,
                "TrangThai": payment.state,
                "MaLoi": payment.ma_loi,
                "ThoiGianGD": payment.thoi_gian_gd,
                "YeuCau": payment.request_payload,
                "Callbacks": [
                    {
                        "copy": c.copy,
                        "attempts": c.attempt,
                        "body": c.body,
                        "http_status": c.http_status,
                        "error": c.error,
                        "sent_at": c.sent_at.isoformat(),
                    }
                    for c in payment.callbacks.order_by("id")
                ],
            }
        )
    documents = []
    for document in StoredDocument.objects.order_by("id"):
        row = {
            "MaGiayToSo": document.ma_giay_to_so,
            "SoDinhDanhChuSoHuu": document.so_dinh_danh,
            "MaKetQua": document.ma_ket_qua,
            "SoKyHieu": document.so_ky_hieu,
            "TenGiayTo": document.ten_giay_to,
            "NgayCap": document.ngay_cap,
            "CoQuanCap": document.co_quan_cap,
            "HieuLucDen": document.hieu_luc_den,
            "Tep": {"TenTep": document.ten_tep, "bytes": len(document.content), "sha256": document.sha256},
        }
        if include_files:
            row["Tep"]["Base64"] = base64.b64encode(bytes(document.content)).decode()
        documents.append(row)
    queries = [
        {
            "SoDinhDanh": q.so_dinh_danh,
            "HoVaTen": q.ho_va_ten,
            "NgayThangNamSinh": q.ngay_sinh,
            "MaYeuCau": q.ma_yeu_cau,
            "MaCanBo": q.ma_can_bo,
            "MucDich": q.muc_dich,
            "MaHoSo": q.ma_ho_so,
            "TimThay": q.tim_thay,
            "at": q.created_at.isoformat(),
        }
        for q in PopulationQuery.objects.order_by("id")
    ]
    pushes = [
        {
            "batch": p.batch_id,
            "MaHoSoQuocGia": p.ma_ho_so_quoc_gia,
            "copy": p.copy,
            "http_status": p.http_status,
            "MaHoSo": p.ma_ho_so,
            "attempts": p.attempts,
            "error": p.error,
        }
        for p in IntakePush.objects.order_by("id")
    ]
    return {
        "HoSo": dossiers,
        "ThanhToan": payments,
        "GiayTo": documents,
        "TraCuuDanCu": queries,
        "DayHoSo": pushes,
        "anomalies": [
            {"kind": a.kind, "MaHoSo": a.ma_ho_so, "detail": a.detail, "at": a.created_at.isoformat()}
            for a in Anomaly.objects.order_by("id")
        ],
    }
