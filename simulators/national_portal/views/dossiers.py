"""Machine tokens and dossier sync endpoints (contract §1 and §2)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hmac
import json
import math

from django.http import HttpRequest, HttpResponse

from simulators.national_portal import api, conf, counters, sync
from simulators.national_portal.api import ApiError, json_response, problem
from simulators.national_portal.models import Dossier
from simulators.national_portal.rules import VN_TZ, format_timestamp, parse_timestamp

PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def _token_error(error: str, description: str, status: int) -> HttpResponse:
    response = json_response({"error": error, "error_description": description}, status)
    response["Cache-Control"] = "no-store"
    if status == 401:
        response["WWW-Authenticate"] = 'Basic realm="national-portal"'
    return response


def _client_credentials(request: HttpRequest) -> tuple[str, str, str]:
    """(grant_type, client_id, client_secret) from HTTP Basic, a form body or a JSON body."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            data = {}
        data = data if isinstance(data, dict) else {}
    else:
        data = request.POST.dict()
    client_id, secret = str(data.get("client_id", "")), str(data.get("client_secret", ""))
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            client_id, secret = "", ""
    return str(data.get("grant_type", "")), client_id, secret


@api.national_api("POST", bearer=False)
def oauth_token(request: HttpRequest, _client: str) -> HttpResponse:
    grant_type, client_id, secret = _client_credentials(request)
    if grant_type != "client_credentials":
        return _token_error("unsupported_grant_type", "Chỉ hỗ trợ grant_type=client_credentials", 400)
    known_id = hmac.compare_digest(client_id.encode(), conf.client_id().encode())
    known_secret = hmac.compare_digest(secret.encode(), conf.client_secret().encode())
    if not (known_id and known_secret):
        counters.bump(unauthorized=1)
        return _token_error("invalid_client", "Sai client_id hoặc client_secret", 401)
    response = json_response(api.issue_token(client_id))
    response["Cache-Control"] = "no-store"
    return response


@api.national_api("POST")
def create(request: HttpRequest, _client: str) -> HttpResponse:
    items = api.read_batch(request, "HoSo")
    return json_response({"error_code": "0", "KetQua": sync.create_dossiers(items)})


@api.national_api("POST")
def update(request: HttpRequest, _client: str) -> HttpResponse:
    items = api.read_batch(request, "HoSo")
    return json_response({"error_code": "0", "KetQua": sync.update_dossiers(items)})


@api.national_api("POST")
def progress(request: HttpRequest, _client: str) -> HttpResponse:
    items = api.read_batch(request, "TienTrinh")
    return json_response({"error_code": "0", "KetQua": sync.store_events(items)})


@api.national_api("GET")
def lookup(request: HttpRequest, _client: str) -> HttpResponse:
    code = request.GET.get("MaHoSo", "").strip()
    if not code:
        raise ApiError(400, problem("Thiếu tham số MaHoSo", [("MaHoSo", "thiếu tham số bắt buộc")]))
    dossier = Dossier.objects.filter(ma_ho_so=code).first()
    if dossier is None:
        return json_response({"error_code": "-4", "message": f"Không tìm thấy hồ sơ {code}"}, 404)
    return json_response({"error_code": "0", "HoSo": sync.dossier_with_log(dossier)})


def _date_param(request: HttpRequest, name: str, *, end: bool) -> dt.datetime | None:
    """yyyyMMdd (the whole day) or yyyyMMddHHmmss; DenNgay is inclusive."""
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    try:
        if len(value) == 8 and value.isdigit():
            day = dt.datetime.strptime(value, "%Y%m%d").replace(tzinfo=VN_TZ)
            return day + dt.timedelta(days=1) - dt.timedelta(microseconds=1) if end else day
        return parse_timestamp(value)
    except ValueError:
        raise ApiError(
            400,
            problem(f"Tham số {name} sai định dạng", [(name, "phải có dạng yyyyMMdd hoặc yyyyMMddHHmmss")]),
        ) from None


def _int_param(request: HttpRequest, name: str, default: int, maximum: int) -> int:
    value = request.GET.get(name, "").strip()
    if not value:
        return default
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise ApiError(400, problem(f"Tham số {name} sai", [(name, f"phải là số nguyên từ 1 đến {maximum}")]))
    return int(value)


@api.national_api("GET")
def listing(request: HttpRequest, _client: str) -> HttpResponse:
    """A page of {MaHoSo, TrangThaiHoSo, ThoiDiemCapNhat, SoSuKien} by MaHoSo, for reconciliation."""
    by = request.GET.get("LoaiNgay", "TiepNhan")
    if by not in ("TiepNhan", "CapNhat"):
        raise ApiError(400, problem("Tham số LoaiNgay sai", [("LoaiNgay", "chỉ nhận TiepNhan hoặc CapNhat")]))
    column = "ngay_ho_so" if by == "TiepNhan" else "thoi_diem_cap_nhat"
    page = _int_param(request, "Trang", 1, 10**9)
    size = _int_param(request, "SoBanGhi", PAGE_SIZE, MAX_PAGE_SIZE)
    query = Dossier.objects.all()
    if unit := request.GET.get("MaDonVi", "").strip():
        query = query.filter(ma_don_vi=unit)
    if (start := _date_param(request, "TuNgay", end=False)) is not None:
        query = query.filter(**{f"{column}__gte": start})
    if (stop := _date_param(request, "DenNgay", end=True)) is not None:
        query = query.filter(**{f"{column}__lte": stop})
    total = query.count()
    rows = query.order_by("ma_ho_so").values_list(
        "ma_ho_so", "trang_thai", "thoi_diem_cap_nhat", "event_count"
    )[(page - 1) * size : page * size]
    return json_response(
        {
            "error_code": "0",
            "Trang": page,
            "SoBanGhi": size,
            "TongSoBanGhi": total,
            "TongSoTrang": math.ceil(total / size),
            "DanhSach": [
                {
                    "MaHoSo": code,
                    "TrangThaiHoSo": status,
                    "ThoiDiemCapNhat": format_timestamp(at),
                    "SoSuKien": n,
                }
                for code, status, at, n in rows
            ],
        }
    )
