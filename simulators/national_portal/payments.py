"""Payment platform (contract §4): INIT with checksum, completion, callbacks, status query, e-receipt.

Result codes (MaLoi) of the platform's own answers: "00" success, "01" invalid data (the simulator's
code for a missing or malformed field), "07" bad checksum, "08" unknown MaThamChieu (query/receipt),
"09" duplicate MaThamChieu. In a callback MaLoi "00" means paid and "24" cancelled by the payer.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import threading
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from simulators.national_portal import conf, faults, outbound
from simulators.national_portal.models import Payment, PaymentCallback
from simulators.national_portal.router import DB_ALIAS
from simulators.national_portal.rules import now_timestamp, parse_timestamp

log = logging.getLogger(__name__)

PAID, CANCELLED_BY_PAYER = "00", "24"
INIT_FIELDS = (
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
)
FIXED = {
    "LoaiBanTin": "INIT",
    "PhienBan": "1.0.6",
    "LoaiHinhThanhToan": "PAY",
    "MaKenhThanhToan": "1",
    "MaThietBi": "1",
    "NgonNgu": "vi-VN",
    "MaTienTe": "VND",
    "MaNganHang": "PAYMENT",
}
RECEIPT_FIELDS = ("MaHoSo", "MaTTHC", "MaDonVi", "TenDonVi", "HoTenNguoiNop", "SoDinhDanhNguoiNop")


def checksum(*parts: object) -> str:
    """Lowercase hex SHA-256 of the parts joined by "|", the partner secret last (contract §4)."""
    joined = "|".join(str(part) for part in (*parts, conf.partner_secret()))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def init_checksum(body: dict[str, Any]) -> str:
    return checksum(*(body[name] for name in INIT_FIELDS))


def callback_body(payment: Payment, *, amount: int | None = None) -> dict[str, Any]:
    """The signed result object, sent as the callback and returned by the status query."""
    so_tien = payment.so_tien if amount is None else amount
    return {
        "MaThamChieu": payment.ma_tham_chieu,
        "MaGiaoDich": payment.ma_giao_dich,
        "SoTien": so_tien,
        "MaLoi": payment.ma_loi,
        "ThoiGianGD": payment.thoi_gian_gd,
        "MaXacThuc": checksum(
            payment.ma_tham_chieu, payment.ma_giao_dich, so_tien, payment.ma_loi, payment.thoi_gian_gd
        ),
    }


def check_init(body: object) -> list[tuple[str, str]]:
    if not isinstance(body, dict):
        return [("", "nội dung phải là một đối tượng JSON")]
    problems = []
    for name in (*INIT_FIELDS, "MaXacThuc", "ThongTinBienLai"):
        if name not in body or body[name] in (None, ""):
            problems.append((name, "thiếu trường bắt buộc"))
    for name, value in FIXED.items():
        if body.get(name) not in (None, "", value):
            problems.append((name, f"phải là {value!r}"))
    amount = body.get("SoTien")
    if amount not in (None, "") and (isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0):
        problems.append(("SoTien", "phải là số nguyên VND dương"))
    when = body.get("ThoiGianGD")
    if when not in (None, ""):
        try:
            parse_timestamp(when)
        except ValueError as exc:
            problems.append(("ThoiGianGD", str(exc)))
    if body.get("MaDoiTac") not in (None, "") and body.get("MaDoiTac") != conf.partner_code():
        problems.append(("MaDoiTac", "mã đối tác không được đăng ký trên nền tảng"))
    if len(str(body.get("MaThamChieu", ""))) > 100:
        problems.append(("MaThamChieu", "tối đa 100 ký tự"))
    receipt = body.get("ThongTinBienLai")
    if receipt not in (None, ""):
        if not isinstance(receipt, dict):
            problems.append(("ThongTinBienLai", "phải là một đối tượng"))
        else:
            problems.extend(_check_receipt(receipt, amount))
    url = body.get("UrlTraVe")
    if url not in (None, "") and not (isinstance(url, str) and re.match(r"^https?://", url)):
        problems.append(("UrlTraVe", "phải là địa chỉ http(s)"))
    return problems


def _check_receipt(receipt: dict[str, Any], amount: object) -> list[tuple[str, str]]:
    problems = []
    for name in RECEIPT_FIELDS:
        if not receipt.get(name):
            problems.append((f"ThongTinBienLai.{name}", "thiếu trường bắt buộc"))
    fees = receipt.get("PhiLePhi")
    if not isinstance(fees, list) or not fees:
        problems.append(("ThongTinBienLai.PhiLePhi", "phải là danh sách phí, lệ phí (ít nhất một)"))
        return problems
    total = 0
    for index, fee in enumerate(fees):
        path = f"ThongTinBienLai.PhiLePhi[{index}]"
        if not isinstance(fee, dict) or not fee.get("TenPhiLePhi") or not fee.get("MaPhiLePhi"):
            problems.append((path, "cần MaPhiLePhi, TenPhiLePhi và SoTien"))
            continue
        value = fee.get("SoTien")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append((f"{path}.SoTien", "phải là số nguyên VND không âm"))
            continue
        total += value
    if not problems and isinstance(amount, int) and total != amount:
        problems.append(("ThongTinBienLai.PhiLePhi", f"tổng các khoản {total} khác SoTien {amount}"))
    return problems


def initiate(body: dict[str, Any]) -> tuple[str, Payment | None, list[tuple[str, str]]]:
    """(MaLoi, the payment or None, problems)."""
    problems = check_init(body)
    if problems:
        return "01", None, problems
    if not secrets.compare_digest(str(body["MaXacThuc"]).lower(), init_checksum(body)):
        return "07", None, [("MaXacThuc", "sai mã xác thực")]
    stamp = timezone.localtime().strftime("%y%m%d%H%M%S")
    try:
        with transaction.atomic(using=DB_ALIAS):
            payment = Payment.objects.create(
                ma_tham_chieu=body["MaThamChieu"],
                ma_giao_dich=f"{stamp}{secrets.randbelow(10**8):08d}",
                ma_doi_tac=body["MaDoiTac"],
                so_tien=body["SoTien"],
                thong_tin_giao_dich=str(body["ThongTinGiaoDich"])[:500],
                url_tra_ve=body.get("UrlTraVe") or "",
                request_payload=body,
            )
    except IntegrityError:
        return "09", None, [("MaThamChieu", "đã được dùng cho một giao dịch khác")]
    return "00", payment, []


def payment_url(payment: Payment) -> str:
    return f"{conf.public_url()}/thanhtoan/{payment.ma_giao_dich}"


def complete(ma_giao_dich: str, paid: bool) -> Payment | None:
    """Record the payer's choice once; later choices change nothing. Callbacks follow (background)."""
    with transaction.atomic(using=DB_ALIAS):
        payment = Payment.objects.select_for_update().filter(ma_giao_dich=ma_giao_dich).first()
        if payment is None:
            return None
        if payment.state != Payment.PENDING:
            return payment
        payment.state = Payment.PAID if paid else Payment.CANCELLED
        payment.ma_loi = PAID if paid else CANCELLED_BY_PAYER
        payment.thoi_gian_gd = now_timestamp()
        payment.completed_at = timezone.now()
        payment.save()
        # Only a committed result is announced: a rolled-back one must never reach the HTTT.
        transaction.on_commit(lambda: dispatch_callbacks(payment), using=DB_ALIAS)
    return payment


# --- Callbacks ------------------------------------------------------------------------------------

_threads: list[threading.Thread] = []
_threads_lock = threading.Lock()


def callback_url() -> str:
    return f"{conf.httt_url()}{conf.payment_callback_path()}"


def deliver(payment: Payment, copy: str, *, amount: int | None = None) -> PaymentCallback:
    """Send one copy of the result (with retries) and record the final attempt."""
    body = callback_body(payment, amount=amount)
    outcome = outbound.call("POST", callback_url(), body, headers=outbound.httt_headers())
    return PaymentCallback.objects.create(
        payment=payment,
        copy=copy,
        attempt=len(outcome.attempts),
        body=body,
        http_status=outcome.status,
        response_text=outcome.text[:4000],
        error=outcome.error,
    )


def dispatch_callbacks(payment: Payment) -> threading.Thread:
    """Notify the HTTT in the background: the payer's browser never waits for the merchant.

    The fault settings decide whether this result is sent twice, late, or with a wrong amount (which the
    HTTT must refuse).
    """
    plan = faults.plan_callback(faults.current())
    amount = payment.so_tien + 1000 if plan.wrong_amount else None

    def run() -> None:
        try:
            if plan.late:
                threading.Event().wait(plan.delay_s)
            deliver(payment, "late" if plan.late else "normal", amount=amount)
            if plan.duplicate:
                deliver(payment, "duplicate", amount=amount)
        except Exception:  # a background thread has no caller to tell; the log does
            log.exception("Payment callback for %s failed", payment.ma_tham_chieu)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=f"callback-{payment.ma_tham_chieu}", daemon=True)
    with _threads_lock:
        _threads[:] = [t for t in _threads if t.is_alive()]
        _threads.append(thread)
    thread.start()
    return thread


def wait_for_callbacks(timeout: float = 30.0) -> bool:
    """Join every callback thread (tests, and a clean shutdown); True when all finished in time."""
    with _threads_lock:
        pending = list(_threads)
    for thread in pending:
        thread.join(timeout)
    return not any(thread.is_alive() for thread in pending)


def query_answer(payment: Payment) -> dict[str, Any]:
    state = {Payment.PENDING: "DANG_CHO", Payment.PAID: "THANH_CONG", Payment.CANCELLED: "DA_HUY"}
    return {
        "MaLoi": "00",
        "MoTaLoi": "Thành công",
        "MaThamChieu": payment.ma_tham_chieu,
        "MaGiaoDich": payment.ma_giao_dich,
        "SoTien": payment.so_tien,
        "TrangThaiGD": state[payment.state],
        "KetQuaGD": None if payment.state == Payment.PENDING else callback_body(payment),
    }
