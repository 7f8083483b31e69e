"""Payment platform endpoints (contract §4) and the payer's page."""

from __future__ import annotations

import secrets
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from simulators.national_portal import api, payments
from simulators.national_portal.api import ApiError, json_response
from simulators.national_portal.models import Payment
from simulators.national_portal.receipts import render_receipt


def _error(code: str, message: str, problems: list[tuple[str, str]]) -> HttpResponse:
    return json_response(
        {"MaLoi": code, "MoTaLoi": message, "loi": [{"truong": f, "thong_bao": r} for f, r in problems]}
    )


@api.national_api("POST")
def initiate(request: HttpRequest, _client: str) -> HttpResponse:
    body = api.read_json(request)
    code, payment, problems = payments.initiate(body)
    if payment is None:
        message = {
            "01": "Dữ liệu không hợp lệ",
            "07": "Sai mã xác thực (MaXacThuc)",
            "09": "Trùng mã tham chiếu (MaThamChieu)",
        }[code]
        return _error(code, message, problems)
    return json_response(
        {
            "MaLoi": "00",
            "MoTaLoi": "Thành công",
            "UrlThanhToan": payments.payment_url(payment),
            "MaGiaoDich": payment.ma_giao_dich,
        }
    )


@api.national_api("POST")
def query(request: HttpRequest, _client: str) -> HttpResponse:
    """Body {MaThamChieu, MaXacThuc = SHA-256(MaThamChieu|secret)}."""
    body = api.read_json(request)
    if not isinstance(body, dict) or not body.get("MaThamChieu") or not body.get("MaXacThuc"):
        return _error("01", "Dữ liệu không hợp lệ", [("MaThamChieu", "cần MaThamChieu và MaXacThuc")])
    reference = str(body["MaThamChieu"])
    if not secrets.compare_digest(str(body["MaXacThuc"]).lower(), payments.checksum(reference)):
        return _error("07", "Sai mã xác thực (MaXacThuc)", [("MaXacThuc", "sai mã xác thực")])
    payment = Payment.objects.filter(ma_tham_chieu=reference).first()
    if payment is None:
        return _error("08", "Không tìm thấy giao dịch", [("MaThamChieu", f"{reference} chưa được khởi tạo")])
    return json_response(payments.query_answer(payment))


@api.national_api("GET")
def receipt(request: HttpRequest, _client: str) -> HttpResponse:
    reference = request.GET.get("MaThamChieu", "").strip()
    payment = Payment.objects.filter(ma_tham_chieu=reference).first() if reference else None
    if payment is None:
        raise ApiError(404, {"MaLoi": "08", "MoTaLoi": f"Không tìm thấy giao dịch {reference!r}"})
    if payment.state != Payment.PAID:
        raise ApiError(409, {"MaLoi": "01", "MoTaLoi": "Giao dịch chưa được thanh toán, chưa có biên lai"})
    response = HttpResponse(render_receipt(payment), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-lai-{payment.ma_giao_dich}.pdf"'
    return response


@require_http_methods(["GET", "POST"])
def payment_page(request: HttpRequest, ma_giao_dich: str) -> HttpResponse:
    """The page at UrlThanhToan: the payer pays or cancels; the HTTT hears about it by callback."""
    payment = Payment.objects.filter(ma_giao_dich=ma_giao_dich).first()
    if payment is None:
        raise Http404("Không tìm thấy giao dịch")
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in ("pay", "cancel"):
            return HttpResponse("Hãy chọn Thanh toán hoặc Hủy giao dịch.", status=400)
        payment = payments.complete(ma_giao_dich, paid=action == "pay") or payment
        if payment.url_tra_ve:
            separator = "&" if "?" in payment.url_tra_ve else "?"
            query_string = urlencode({"MaThamChieu": payment.ma_tham_chieu, "MaLoi": payment.ma_loi})
            return HttpResponseRedirect(f"{payment.url_tra_ve}{separator}{query_string}")
        return render(request, "national_portal/payment_done.html", {"payment": payment})
    info = payment.request_payload.get("ThongTinBienLai") or {}
    return render(
        request,
        "national_portal/payment.html",
        {"payment": payment, "info": info, "fees": info.get("PhiLePhi")},
    )
