"""The simulator's own controls under /sim/ (never faulted, no token: bind the simulator to loopback)."""

from __future__ import annotations

import collections
import re
import threading

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from simulators.national_portal import counters, faults, intake, payments, stats
from simulators.national_portal.api import ApiError, json_response, problem, read_json
from simulators.national_portal.models import (
    Anomaly,
    Counter,
    Dossier,
    IntakeBatch,
    MachineToken,
    Payment,
    PopulationQuery,
    StoredDocument,
)
from simulators.national_portal.router import DB_ALIAS


def _guard(view):  # type: ignore[no-untyped-def]
    """Turn ApiError into its JSON answer for the /sim/ views."""

    def inner(request: HttpRequest, *args, **kwargs):  # type: ignore[no-untyped-def]
        try:
            return view(request, *args, **kwargs)
        except ApiError as exc:
            return json_response(exc.body, exc.status)

    inner.__name__ = view.__name__
    inner.__doc__ = view.__doc__
    return inner


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "national_portal/index.html", {"counters": counters.snapshot()})


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_guard
def fault_settings(request: HttpRequest) -> HttpResponse:
    """POST replaces the whole fault configuration (missing keys take their defaults); GET shows it."""
    if request.method == "POST":
        values, problems = faults.validate(read_json(request))
        if problems:
            raise ApiError(400, problem("Thiết lập lỗi không hợp lệ", problems))
        faults.replace(values)
    return json_response(faults.as_dict(faults.current()))


@require_GET
def stats_view(request: HttpRequest) -> HttpResponse:
    limit = request.GET.get("limit", "1000")
    return json_response(stats.stats(int(limit) if limit.isdigit() else 1000))


@require_GET
def export_view(request: HttpRequest) -> HttpResponse:
    return json_response(stats.export(include_files=request.GET.get("tep") in ("1", "true")))


@csrf_exempt
@require_POST
@_guard
def reset(request: HttpRequest) -> HttpResponse:
    """Forget everything received (dossiers, logs, payments, documents, lookups, pushes, counters, faults).

    The population, the OIDC client and the signing key stay: they are the national side's own data.
    """
    with transaction.atomic(using=DB_ALIAS):
        for model in (
            Dossier,
            Anomaly,
            Payment,
            StoredDocument,
            PopulationQuery,
            IntakeBatch,
            Counter,
            MachineToken,
        ):
            model.objects.all().delete()
    faults.replace(dict(faults.DEFAULTS))
    return json_response({"reset": True})


@csrf_exempt
@require_POST
@_guard
def submit(request: HttpRequest) -> HttpResponse:
    """Push generated online dossiers to the HTTT and answer with what the HTTT said to each."""
    try:
        return json_response(intake.submit(read_json(request)))
    except intake.IntakeError as exc:
        raise ApiError(exc.status, problem(exc.message, exc.problems)) from None


@csrf_exempt
@require_POST
@_guard
def complete_payment(request: HttpRequest) -> HttpResponse:
    """{MaThamChieu, KetQua: "thanh-toan" | "huy"}: what the payer's page does, without a browser."""
    body = read_json(request)
    if not isinstance(body, dict) or body.get("KetQua") not in ("thanh-toan", "huy"):
        raise ApiError(
            400, problem("Cần MaThamChieu và KetQua", [("KetQua", 'chỉ nhận "thanh-toan" hoặc "huy"')])
        )
    payment = Payment.objects.filter(ma_tham_chieu=str(body.get("MaThamChieu", ""))).first()
    if payment is None:
        raise ApiError(404, problem("Không tìm thấy giao dịch", [("MaThamChieu", "chưa được khởi tạo")]))
    done = payments.complete(payment.ma_giao_dich, paid=body["KetQua"] == "thanh-toan")
    assert done is not None
    return json_response({"MaThamChieu": done.ma_tham_chieu, "TrangThai": done.state, "MaLoi": done.ma_loi})


@csrf_exempt
@require_POST
@_guard
def resend_callback(request: HttpRequest) -> HttpResponse:
    """{MaThamChieu}: send the payment result to the HTTT once more, now (a late duplicate on demand)."""
    body = read_json(request)
    reference = str(body.get("MaThamChieu", "")) if isinstance(body, dict) else ""
    payment = Payment.objects.filter(ma_tham_chieu=reference).first()
    if payment is None:
        raise ApiError(404, problem("Không tìm thấy giao dịch", [("MaThamChieu", "chưa được khởi tạo")]))
    if payment.state == Payment.PENDING:
        raise ApiError(
            409, problem("Giao dịch chưa có kết quả để báo", [("MaThamChieu", "đang chờ thanh toán")])
        )
    callback = payments.deliver(payment, "manual")
    return json_response(
        {
            "http_status": callback.http_status,
            "error": callback.error,
            "attempts": callback.attempt,
            "body": callback.body,
        }
    )


# --- SMS sink (added for the HTTT's notification adapter; kept in memory, the last 1,000 messages) ---------
_sms_lock = threading.Lock()
_sms: collections.deque[dict] = collections.deque(maxlen=1000)
PHONE_RE = re.compile(r"^(0|\+84)\d{9,10}$")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@_guard
def sms(request: HttpRequest) -> HttpResponse:
    """POST {SoDienThoai, NoiDung, MaThamChieu?}: accept (200) or refuse (400) one SMS. GET: the last ones."""
    if request.method == "GET":
        with _sms_lock:
            return json_response({"TinNhan": list(_sms)})
    body = read_json(request)
    body = body if isinstance(body, dict) else {}
    found = []
    phone, text = str(body.get("SoDienThoai", "")).strip(), body.get("NoiDung")
    if not PHONE_RE.match(phone):
        found.append(("SoDienThoai", "số điện thoại phải có dạng 0xxxxxxxxx hoặc +84xxxxxxxxx"))
    if not isinstance(text, str) or not text.strip():
        found.append(("NoiDung", "thiếu nội dung tin nhắn"))
    if found:
        counters.bump(sms_rejected=1)
        raise ApiError(400, problem("Tin nhắn không hợp lệ", found))
    with _sms_lock:
        _sms.append({"SoDienThoai": phone, "NoiDung": text, "MaThamChieu": str(body.get("MaThamChieu", ""))})
    counters.bump(sms_received=1)
    return json_response({"MaLoi": "00", "MaThamChieu": str(body.get("MaThamChieu", ""))})
