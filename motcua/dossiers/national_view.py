"""The dossier as the national portal sees it: HoSo and QuaTrinhXuLy (national-portal-contract.md §2).

The one owner of that field mapping. Payloads are built inside the command's transaction and stored in the
outbox, so what is delivered is exactly what was true when the change committed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from .models import Dossier, DossierEvent, IdKind, IntakeChannel, ResultDelivery

VN = ZoneInfo("Asia/Ho_Chi_Minh")

CHANNEL_CODES: dict[str, int] = {
    IntakeChannel.IN_PERSON: 1,
    IntakeChannel.ONLINE: 2,
    IntakeChannel.NATIONAL_PORTAL: 2,
    IntakeChannel.POSTAL: 3,
}
SUBJECT_CODES = {"citizen": 1, "enterprise": 2, "agency": 3, "organisation": 4}
ID_KIND_CODES: dict[str, int] = {IdKind.PERSONAL: 1, IdKind.LEGACY_CARD: 2, IdKind.TAX_CODE: 3}
DELIVERY_CODES: dict[str, int] = {
    ResultDelivery.COUNTER: 1,
    ResultDelivery.POSTAL: 2,
    ResultDelivery.ONLINE: 3,
}


# Dossier columns that appear in HoSo, and the actions that change HoSo's lists (components, results, fees,
# supplementation history). Any other command leaves the portal's view of the dossier as it was, so the
# command skips building HoSo at all — most handovers inside the agency are of that kind.
HOSO_COLUMNS = frozenset(
    {
        "state",
        "national_status",
        "received_at",
        "due_at",
        "original_due_at",
        "finished_at",
        "returned_at",
        "paid_online",
        "fee_total",
        "payment_status",
        "extended",
        "population_data_used",
    }
)
HOSO_LIST_ACTIONS = frozenset(
    {
        "submit",
        "receive",
        "receive_supplement",
        "approve_supplement_request",
        "request_payment",
        "confirm_payment",
        "issue_result",
        "recalculate_due",
    }
)


def hoso_may_change(action: str, changes: dict) -> bool:
    return action in HOSO_LIST_ACTIONS or not HOSO_COLUMNS.isdisjoint(changes)


def channel_code(channel: str) -> int:
    if channel == IntakeChannel.VNEID:
        # No national code is known for VNeID yet (rules.md §6): configurable, online by default.
        return int(getattr(settings, "MOTCUA_VNEID_CHANNEL_CODE", 2))
    return CHANNEL_CODES[channel]


def portal_time(value: datetime | None) -> str:
    """yyyyMMddHHmmss in Vietnam time; empty when the moment has not been reached."""
    if value is None:
        return ""
    return value.astimezone(VN).strftime("%Y%m%d%H%M%S")


def hoso(dossier: Dossier, *, updated_at: datetime) -> dict[str, Any]:
    version = dossier.procedure_version
    field = version.field
    components = list(dossier.components.select_related("component"))
    results = list(dossier.results.filter(issued_at__isnull=False))
    public_url = settings.MOTCUA_PUBLIC_URL.rstrip("/")
    refused_at = updated_at if dossier.state == "refused" else None
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": version.name,
        "MaDVC": f"{dossier.procedure.code}.{dossier.competent_agency.code}",
        "MaLinhVuc": field.code if field else "",
        "TenLinhVuc": field.name if field else "",
        "MaDonVi": dossier.competent_agency.code,
        "DonViXuLy": dossier.competent_agency.name,
        "KenhThucHien": channel_code(dossier.channel),
        "LoaiDoiTuong": SUBJECT_CODES.get(dossier.subject_type, 1),
        "ChuHoSo": dossier.applicant_name,
        "SoGiayToChuHoSo": dossier.applicant_id_number,
        "DinhDanhCHS": [
            {
                "LoaiDinhDanh": ID_KIND_CODES[dossier.applicant_id_kind],
                "SoDinhDanh": dossier.applicant_id_number,
            }
        ],
        "MaDoiTuong": dossier.applicant_account_id,
        "SoDienThoai": dossier.applicant_phone,
        "Email": dossier.applicant_email,
        "DiaChi": dossier.applicant_address,
        "TrichYeuHoSo": dossier.summary[:1000],
        "NgayNopHoSo": portal_time(dossier.submitted_at or dossier.received_at),
        "NgayTiepNhan": portal_time(dossier.received_at),
        "NgayHenTra": portal_time(dossier.due_at),
        "NgayHenTraBanDau": portal_time(dossier.original_due_at) if dossier.extended else "",
        "NgayKetThucXuLy": portal_time(dossier.finished_at),
        "NgayTra": portal_time(dossier.returned_at),
        "NgayTuChoi": portal_time(refused_at),
        "TrangThaiHoSo": dossier.national_status,
        "ThoiDiemCapNhat": portal_time(updated_at),
        "HinhThucNhanKetQua": DELIVERY_CODES[dossier.result_delivery],
        "HoSoCoThanhPhanSoHoa": int(any(c.digitised for c in components)),
        "TaiKhoanDuocXacThucVoiVNeID": int(dossier.vneid_verified),
        "DuocThanhToanTrucTuyen": dossier.paid_online,
        "DSKetNoiCSDL": [{"MaCSDL": settings.MOTCUA_POPULATION_DB_CODE}]
        if dossier.population_data_used
        else [],
        "TaiLieuNop": [
            {
                "MaThanhPhanHoSo": component_code(c),
                "TenTepDinhKem": c.file_name or c.name[:255],
                "DuongDanTaiTepTin": f"{public_url}/files/components/{c.pk}" if c.file else "",
                "DuocSoHoa": int(c.digitised),
                "DuocTaiSuDung": c.reuse,
                "DuocLayTuKhoDMQG": int(c.from_national_store),
                "MaKetQuaThayThe": c.replacing_result_code or None,
            }
            for c in components
            if c.provided
        ],
        "DanhSachGiayToKetQua": [
            {
                "TenGiayTo": r.name[:500],
                "MaKetQua": r.result_code,
                "MaGiayToKetQua": r.document_number or f"{dossier.code}-KQ{r.pk}",
                "DuongDanTepTinKetQua": f"{public_url}/files/results/{r.pk}",
            }
            for r in results
        ],
        "DanhSachLePhi": [
            {
                "MaPhiLePhi": f.code or f"LP{f.pk}",
                "TenPhiLePhi": f.name,
                "Gia": f.amount,
                "HinhThucThu": f.payment_method or "",
            }
            for f in dossier.fees.all()
        ],
        "DanhSachHoSoBoSung": [
            {
                "MaYeuCau": f"{dossier.code}-BS{i}",
                "NoiDungBoSung": "; ".join(d.content.get("items", [])),
                "NgayYeuCauBoSung": portal_time(d.approved_at),
                "NgayTiepNhanBoSung": portal_time(_datetime(d.content.get("received_at"))),
                "NgayHenTraTruoc": portal_time(_datetime(d.content.get("due_before"))),
                "NgayHenTraMoi": portal_time(_datetime(d.content.get("due_after"))),
            }
            for i, d in enumerate(dossier.drafts.filter(kind="supplement_request", status="sent"), start=1)
        ],
    }


def component_code(c) -> str:
    """MaThanhPhanHoSo is required: the catalogue code, else a stable code from our own ids.

    TP<id> for a catalogue component without a published code; BS<id> for a document added by name only
    (typically with a supplement) — both stable, so every resend carries the same code.
    """
    if c.component is not None:
        return c.component.code or f"TP{c.component_id}"
    return f"BS{c.pk}"


def _datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def qua_trinh(event: DossierEvent, dossier: Dossier, *, step_name: str, content: str) -> dict[str, Any]:
    return {
        "MaSuKien": f"{dossier.code}-{event.seq:04d}",
        "MaHoSo": dossier.code,
        "NguoiXuLy": (event.actor_name or "Hệ thống")[:50],
        "ChucDanh": event.payload.get("actor_title", ""),
        "PhongBanXuLy": event.payload.get("actor_unit_name", ""),
        "NoiDungXuLy": content,
        "ThoiDiemXuLy": portal_time(event.at),
        "TrangThai": event.national_status,
        "NgayBatDau": portal_time(dossier.step_started_at),
        "NgayKetThucTheoQuyDinh": portal_time(dossier.step_due_at),
        "TenBuoc": step_name,
    }
