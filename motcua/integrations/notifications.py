"""Notices to applicants (outbox topic ``notify.applicant``): e-mail over SMTP, SMS through an HTTP gateway.

The commands write one notice per change that concerns the applicant (motcua.dossiers.commands.NOTIFY_ON);
each is rendered with the Vietnamese template of its key and channel (editable in the admin, defaults in
DEFAULT_TEMPLATES) and sent on every channel the applicant gave. A channel that succeeded is recorded
(NotificationDelivery) so that a retry after a partial failure never sends it twice; a crash between the
SMTP server's acceptance and that record can repeat one message (at-least-once), never lose one.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import urllib.parse
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction

from motcua.dossiers.models import OutboxMessage

from .models import Channel, NotificationDelivery, NotificationTemplate
from .outbox import Verdict

STATUS_NAMES = {
    1: "Mới đăng ký (chờ tiếp nhận)",
    2: "Đã tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Chờ bổ sung hồ sơ",
    6: "Chờ thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã có kết quả",
    10: "Đã trả kết quả",
}

# (key → (e-mail subject, e-mail body, SMS body)); loaded into the admin by the app's data migration.
DEFAULT_TEMPLATES: dict[str, tuple[str, str, str]] = {
    "received": (
        "Hồ sơ {ma_ho_so} đã được tiếp nhận",
        "Kính gửi {ho_ten},\n\nHồ sơ {ma_ho_so} đã được tiếp nhận. Hẹn trả kết quả: {han_tra}.\n"
        "{noi_dung}\n\n"
        "Tra cứu: {duong_dan_tra_cuu}\n{ten_he_thong}",
        "Ho so {ma_ho_so} da duoc tiep nhan, hen tra {han_tra}. Tra cuu: {duong_dan_tra_cuu}",
    ),
    "guided": (
        "Hướng dẫn hoàn thiện hồ sơ {ma_ho_so}",
        "Kính gửi {ho_ten},\n\nHồ sơ {ma_ho_so} cần được hoàn thiện: {noi_dung}\n\n{ten_he_thong}",
        "Ho so {ma_ho_so} can hoan thien. Chi tiet: {duong_dan_tra_cuu}",
    ),
    "refused": (
        "Hồ sơ {ma_ho_so} không được tiếp nhận",
        "Kính gửi {ho_ten},\n\nHồ sơ {ma_ho_so} không được tiếp nhận. {noi_dung}\n\n{ten_he_thong}",
        "Ho so {ma_ho_so} khong duoc tiep nhan. Chi tiet: {duong_dan_tra_cuu}",
    ),
    "supplement_requested": (
        "Yêu cầu bổ sung hồ sơ {ma_ho_so}",
        "Kính gửi {ho_ten},\n\nĐề nghị bổ sung, hoàn thiện hồ sơ {ma_ho_so}: {noi_dung}\n\n"
        "Tra cứu: {duong_dan_tra_cuu}\n{ten_he_thong}",
        "Ho so {ma_ho_so} can bo sung. Chi tiet: {duong_dan_tra_cuu}",
    ),
    "supplement_received": (
        "Đã nhận hồ sơ bổ sung {ma_ho_so}",
        "Kính gửi {ho_ten},\n\nĐã nhận hồ sơ bổ sung của hồ sơ {ma_ho_so}. Hẹn trả kết quả: {han_tra}.\n\n"
        "{ten_he_thong}",
        "Da nhan bo sung ho so {ma_ho_so}, hen tra {han_tra}.",
    ),
    "payment_requested": (
        "Thông báo nghĩa vụ tài chính — hồ sơ {ma_ho_so}",
        "Kính gửi {ho_ten},\n\n{noi_dung}\n\nTra cứu và thanh toán: {duong_dan_tra_cuu}\n{ten_he_thong}",
        "Ho so {ma_ho_so}: can nop phi/nghia vu tai chinh. Chi tiet: {duong_dan_tra_cuu}",
    ),
    "payment_confirmed": (
        "Đã xác nhận nộp phí — hồ sơ {ma_ho_so}",
        "Kính gửi {ho_ten},\n\nĐã xác nhận hồ sơ {ma_ho_so} hoàn thành nghĩa vụ tài chính.\n\n{ten_he_thong}",
        "Ho so {ma_ho_so}: da xac nhan nop phi.",
    ),
    "extended": (
        "Thư xin lỗi và hẹn lại ngày trả kết quả — hồ sơ {ma_ho_so}",
        "Kính gửi {ho_ten},\n\n{noi_dung}\nNgày hẹn trả mới: {han_tra}.\n\n{ten_he_thong}",
        "Ho so {ma_ho_so} duoc hen lai ngay tra {han_tra}. Xin loi vi su cham tre.",
    ),
    "stopped": (
        "Dừng xử lý hồ sơ {ma_ho_so}",
        "Kính gửi {ho_ten},\n\n{noi_dung}\n\n{ten_he_thong}",
        "Ho so {ma_ho_so} da dung xu ly. Chi tiet: {duong_dan_tra_cuu}",
    ),
    "withdrawn": (
        "Đã rút hồ sơ {ma_ho_so}",
        "Kính gửi {ho_ten},\n\nHồ sơ {ma_ho_so} đã được rút theo yêu cầu.\n\n{ten_he_thong}",
        "Ho so {ma_ho_so} da duoc rut theo yeu cau.",
    ),
    "result_issued": (
        "Hồ sơ {ma_ho_so} đã có kết quả",
        "Kính gửi {ho_ten},\n\nHồ sơ {ma_ho_so} đã có kết quả giải quyết.\n\nTra cứu: {duong_dan_tra_cuu}\n"
        "{ten_he_thong}",
        "Ho so {ma_ho_so} da co ket qua. Tra cuu: {duong_dan_tra_cuu}",
    ),
    "returned": (
        "Đã trả kết quả hồ sơ {ma_ho_so}",
        "Kính gửi {ho_ten},\n\nKết quả hồ sơ {ma_ho_so} đã được trả. {noi_dung}\n\n{ten_he_thong}",
        "Ho so {ma_ho_so} da tra ket qua.",
    ),
}


class _Safe(dict):
    """format_map that leaves an unknown {placeholder} visible instead of failing the whole notice."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def context(payload: dict[str, Any]) -> dict[str, str]:
    due = payload.get("due_at")
    due_text = ""
    if due:
        from django.utils import timezone

        due_text = f"{timezone.localtime(datetime.fromisoformat(due)):%H:%M %d/%m/%Y}"
    code = str(payload.get("dossier", ""))
    return {
        "ho_ten": str(payload.get("name", "")),
        "ma_ho_so": code,
        "noi_dung": str(payload.get("content", "")),
        "trang_thai": STATUS_NAMES.get(payload.get("status") or 0, ""),
        "han_tra": due_text or "—",
        "ten_he_thong": settings.MOTCUA_SITE_NAME,
        "duong_dan_tra_cuu": f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}/tra-cuu/{urllib.parse.quote(code)}",
    }


def render(key: str, channel: str, payload: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) for a notice; the admin's template when there is an active one, else the default."""
    template = NotificationTemplate.objects.filter(key=key, channel=channel, active=True).first()
    values = _Safe(context(payload))
    if template is not None:
        return template.subject.format_map(values), template.body.format_map(values)
    subject, body, sms = DEFAULT_TEMPLATES.get(
        key,
        ("Thông báo về hồ sơ {ma_ho_so}", "Kính gửi {ho_ten},\n\n{noi_dung}\n\n{ten_he_thong}", "{noi_dung}"),
    )
    if channel == Channel.SMS:
        return "", sms.format_map(values)
    return subject.format_map(values), body.format_map(values)


class SmsError(Exception):
    pass


def send_sms(phone: str, text: str, reference: str) -> None:
    """POST {SoDienThoai, NoiDung, MaThamChieu} to the SMS gateway (X-Api-Key); any non-2xx is a failure."""
    url = settings.MOTCUA_SMS_GATEWAY_URL
    if not url:
        raise SmsError("Chưa cấu hình cổng SMS (MOTCUA_SMS_GATEWAY_URL).")
    parts = urllib.parse.urlsplit(url)
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname or "", parts.port, timeout=settings.MOTCUA_NATIONAL_TIMEOUT_SECONDS)
    body = json.dumps({"SoDienThoai": phone, "NoiDung": text, "MaThamChieu": reference}, ensure_ascii=False)
    headers = {"Content-Type": "application/json; charset=utf-8"}
    if settings.MOTCUA_SMS_API_KEY:
        headers["X-Api-Key"] = settings.MOTCUA_SMS_API_KEY
    try:
        conn.request("POST", parts.path or "/", body=body.encode(), headers=headers)
        response = conn.getresponse()
        detail = response.read()[:300].decode("utf-8", "replace")
    except (OSError, http.client.HTTPException) as exc:
        raise SmsError(f"Không gửi được SMS qua {url}: {exc}") from exc
    finally:
        conn.close()
    if not 200 <= response.status < 300:
        raise SmsError(f"Cổng SMS trả lời HTTP {response.status}: {detail}")


def deliver(rows: list[OutboxMessage], now: Callable[[], datetime]) -> list[Verdict]:
    verdicts = []
    mail = get_connection(fail_silently=False)
    try:
        for row in rows:
            verdicts.append(_deliver_one(row, mail, now))
    finally:
        # Closing a broken SMTP session must not hide the verdicts.
        with contextlib.suppress(Exception):
            mail.close()
    return verdicts


def _deliver_one(row: OutboxMessage, mail, now: Callable[[], datetime]) -> Verdict:
    payload = row.payload if isinstance(row.payload, dict) else {}
    key = str(payload.get("template", ""))
    done = set(NotificationDelivery.objects.filter(message=row).values_list("channel", flat=True))
    targets = []
    if payload.get("email"):
        targets.append((Channel.EMAIL, str(payload["email"])))
    if payload.get("phone"):
        targets.append((Channel.SMS, str(payload["phone"])))
    errors = []
    for channel, recipient in targets:
        if channel in done:
            continue
        subject, body = render(key, channel, payload)
        try:
            if channel == Channel.EMAIL:
                EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient], connection=mail).send()
            else:
                send_sms(recipient, body, f"{payload.get('dossier', '')}-{row.pk}")
        except (SmsError, OSError, Exception) as exc:  # any failure of a channel is a retry
            errors.append(f"{channel}: {exc}")
            continue
        try:
            with transaction.atomic():
                NotificationDelivery.objects.create(
                    message=row, channel=channel, recipient=recipient, sent_at=now()
                )
        except IntegrityError:
            pass  # another worker recorded the same channel (its lease had expired): already sent
    if errors:
        return Verdict(row, "retry", error="; ".join(errors)[:4000])
    return Verdict(row, "delivered", code="0")
