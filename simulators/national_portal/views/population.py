"""Population database lookups (contract §6): matched queries only, every one logged."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse

from simulators.national_portal import api, population
from simulators.national_portal.api import ApiError, json_response, problem
from simulators.national_portal.models import PopulationQuery

REQUIRED = ("SoDinhDanh", "HoVaTen", "NgayThangNamSinh", "MaCanBo", "MucDich")


def parse_birth_date(value: str) -> dt.date:
    """yyyyMMdd (as the contract writes dates) or dd/MM/yyyy (as officers type them)."""
    for pattern in ("%Y%m%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


@api.national_api("POST")
def lookup(request: HttpRequest, client_id: str) -> HttpResponse:
    body = api.read_json(request)
    if not isinstance(body, dict):
        raise ApiError(400, problem("Nội dung phải là một đối tượng JSON"))
    problems = [(name, "thiếu trường bắt buộc") for name in REQUIRED if not str(body.get(name) or "").strip()]
    birth = None
    if not problems:
        try:
            birth = parse_birth_date(str(body["NgayThangNamSinh"]).strip())
        except ValueError:
            problems.append(("NgayThangNamSinh", "phải có dạng yyyyMMdd hoặc dd/MM/yyyy"))
    if problems or birth is None:
        # The purpose and the officer are part of every lookup (Law 91/2025): no purpose, no answer.
        raise ApiError(400, problem("Yêu cầu tra cứu không hợp lệ", problems))
    number, name = str(body["SoDinhDanh"]).strip(), str(body["HoVaTen"])
    citizen = population.find(number, name, birth)
    PopulationQuery.objects.create(
        so_dinh_danh=number[:20],
        ho_va_ten=name[:200],
        ngay_sinh=str(body["NgayThangNamSinh"])[:20],
        ma_yeu_cau=str(body.get("MaYeuCau") or "")[:100],
        ma_can_bo=str(body["MaCanBo"])[:100],
        muc_dich=str(body["MucDich"])[:500],
        ma_ho_so=str(body.get("MaHoSo") or "")[:100],
        tim_thay=citizen is not None,
        client_id=client_id,
    )
    if citizen is None:
        return json_response({"TimThay": False})
    return json_response({"TimThay": True, "CongDan": population.describe(citizen)})
