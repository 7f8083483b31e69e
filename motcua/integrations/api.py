"""API of the integrations: intake and catalogue for the national portal, sync status, population lookup."""

from __future__ import annotations

import hmac
import json
from datetime import date

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from ninja import Router, Schema

from motcua.api.auth import STAFF_AUTH
from motcua.dossiers.models import Dossier
from motcua.dossiers.queries import visible_dossiers

from . import intake, population
from .status import sync_status


class LoiItem(Schema):
    truong: str
    thong_bao: str


class LoiOut(Schema):
    loi: list[LoiItem]


class IntakeOut(Schema):
    MaHoSo: str


INTAKE_RESPONSES = {201: IntakeOut, 200: IntakeOut, 400: LoiOut, 401: LoiOut, 413: LoiOut, 422: LoiOut}
STAFF_RESPONSES = {200: dict, 401: dict, 403: dict, 404: dict, 422: dict}

portal_router = Router(tags=["Cổng DVCQG (national portal)"])
staff_router = Router(tags=["Cổng DVCQG (national portal)"], auth=STAFF_AUTH)


def _loi(status: int, *problems: tuple[str, str]) -> JsonResponse:
    return JsonResponse(
        {"loi": [{"truong": f, "thong_bao": m} for f, m in problems]},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _key_ok(request: HttpRequest) -> bool:
    expected = settings.MOTCUA_NATIONAL_API_KEY
    given = request.headers.get("X-Api-Key", "")
    # Constant time, and an unconfigured key never matches (an empty header must not open the door).
    return bool(expected) and hmac.compare_digest(given.encode(), expected.encode())


@portal_router.post(
    "/national-portal/dossiers",
    summary="Nhận hồ sơ trực tuyến từ Cổng DVCQG (hợp đồng §3)",
    response=INTAKE_RESPONSES,
)
def receive_online(request: HttpRequest):
    if not _key_ok(request):
        return _loi(401, ("X-Api-Key", "Khóa truy cập không đúng hoặc thiếu."))
    try:
        raw = request.body
    except RequestDataTooBig:
        return _loi(
            413,
            ("(nội dung)", f"Hồ sơ lớn hơn giới hạn {settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1048576} MB."),
        )
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return _loi(400, ("(nội dung)", f"Không phải JSON hợp lệ (UTF-8): {exc}."))
    try:
        dossier, created = intake.accept(body)
    except intake.IntakeRejected as exc:
        return JsonResponse(exc.body(), status=exc.status, json_dumps_params={"ensure_ascii": False})
    return JsonResponse({"MaHoSo": dossier.code}, status=201 if created else 200)


@portal_router.get(
    "/national-portal/procedures",
    summary="Thủ tục trực tuyến đã công bố (cho Cổng DVCQG)",
    response={200: dict, 401: LoiOut},
)
def procedures(request: HttpRequest):
    if not _key_ok(request):
        return _loi(401, ("X-Api-Key", "Khóa truy cập không đúng hoặc thiếu."))
    return JsonResponse(
        {"DanhSachTTHC": intake.published_procedures()}, json_dumps_params={"ensure_ascii": False}
    )


@staff_router.get(
    "/national-portal/status",
    summary="Tình trạng đồng bộ với Cổng DVCQG",
    url_name="national_portal_status",
    response={200: dict, 401: dict},
)
def status(request: HttpRequest):
    return JsonResponse(sync_status(), json_dumps_params={"ensure_ascii": False})


class LookupIn(Schema):
    so_dinh_danh: str
    ho_ten: str
    ngay_sinh: date
    muc_dich: str
    ma_ho_so: str | None = None


@staff_router.post(
    "/population/lookup",
    summary="Tra cứu CSDL quốc gia về dân cư (khớp đủ 3 thông tin)",
    response=STAFF_RESPONSES,
)
def population_lookup(request: HttpRequest, data: LookupIn):
    dossier = None
    if data.ma_ho_so:
        dossier = visible_dossiers(request.user).filter(code=data.ma_ho_so).first()
        if dossier is None and not Dossier.objects.filter(code=data.ma_ho_so).exists():
            return JsonResponse(
                {"ok": False, "message": f"Không tìm thấy hồ sơ {data.ma_ho_so}."}, status=404
            )
        if dossier is None:
            return JsonResponse({"ok": False, "message": "Bạn không được xem hồ sơ này."}, status=403)
    result = population.lookup(
        request.user, data.so_dinh_danh, data.ho_ten, data.ngay_sinh, data.muc_dich, dossier=dossier
    )
    return JsonResponse(
        result.as_dict(), status=200 if result.ok else 422, json_dumps_params={"ensure_ascii": False}
    )
