"""Citizen data store (contract §5): e-results pushed by the HTTT, listed and fetched back."""

from __future__ import annotations

import base64
import binascii
import hashlib
import mimetypes
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.http import content_disposition_header

from simulators.national_portal import api
from simulators.national_portal.api import ApiError, json_response, problem
from simulators.national_portal.models import StoredDocument
from simulators.national_portal.router import DB_ALIAS
from simulators.national_portal.rules import RESULT_CODE_RE, check_identifier, parse_timestamp

MAX_FILE_BYTES = 20 * 1024 * 1024
_DATE_FIELDS = ("NgayCap", "HieuLucDen")


def _sniff(content: bytes, name: str) -> str:
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _check(body: Any) -> tuple[list[tuple[str, str]], bytes]:
    if not isinstance(body, dict):
        return [("", "nội dung phải là một đối tượng JSON")], b""
    problems = []
    for name in ("SoDinhDanhChuSoHuu", "MaKetQua", "SoKyHieu", "TenGiayTo", "NgayCap", "CoQuanCap", "Tep"):
        if not body.get(name):
            problems.append((name, "thiếu trường bắt buộc"))
    owner = body.get("SoDinhDanhChuSoHuu")
    if owner:
        kind = 3 if isinstance(owner, str) and len(owner.split("-")[0]) == 10 else 1
        if reason := check_identifier(kind, owner):
            problems.append(("SoDinhDanhChuSoHuu", reason))
    if body.get("MaKetQua") and not RESULT_CODE_RE.match(str(body["MaKetQua"])):
        problems.append(("MaKetQua", "mã kết quả phải có dạng KQ.Gxx.nnnnnn hoặc KQ.Hxx.nnnnnn"))
    for name in _DATE_FIELDS:
        value = body.get(name)
        if value:
            try:
                parse_timestamp(value)
            except ValueError as exc:
                problems.append((name, f"{value!r} {exc}"))
    content = b""
    attachment = body.get("Tep")
    if attachment:
        if not isinstance(attachment, dict) or not attachment.get("TenTep") or not attachment.get("Base64"):
            problems.append(("Tep", "cần {TenTep, Base64}"))
        else:
            try:
                content = base64.b64decode(attachment["Base64"], validate=True)
            except (binascii.Error, ValueError, TypeError):
                problems.append(("Tep.Base64", "không phải dữ liệu base64 hợp lệ"))
            if not content and not any(f == "Tep.Base64" for f, _ in problems):
                problems.append(("Tep.Base64", "tệp rỗng"))
            if len(content) > MAX_FILE_BYTES:
                problems.append(("Tep.Base64", f"tệp {len(content)} byte, tối đa {MAX_FILE_BYTES}"))
    return problems, content


def _summary(document: StoredDocument) -> dict[str, Any]:
    return {
        "MaGiayToSo": document.ma_giay_to_so,
        "MaKetQua": document.ma_ket_qua,
        "TenGiayTo": document.ten_giay_to,
        "SoKyHieu": document.so_ky_hieu,
        "NgayCap": document.ngay_cap,
        "CoQuanCap": document.co_quan_cap,
    }


def _store(body: dict[str, Any], content: bytes) -> tuple[StoredDocument, bool]:
    """(document, created). Idempotent on owner + MaKetQua + SoKyHieu: a resend returns the first code."""
    key = {
        "so_dinh_danh": body["SoDinhDanhChuSoHuu"],
        "ma_ket_qua": body["MaKetQua"],
        "so_ky_hieu": body["SoKyHieu"],
    }
    existing = StoredDocument.objects.filter(**key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic(using=DB_ALIAS):
            number = StoredDocument.objects.filter(
                so_dinh_danh=key["so_dinh_danh"], ma_ket_qua=key["ma_ket_qua"]
            ).count()
            name = body["Tep"]["TenTep"]
            document = StoredDocument.objects.create(
                **key,
                # <owner>.<result code>.<NN>, like the digitised-document codes of rules.md §6.
                ma_giay_to_so=f"{key['so_dinh_danh']}.{key['ma_ket_qua']}.{number + 1:02d}",
                ten_giay_to=body["TenGiayTo"],
                ngay_cap=body["NgayCap"],
                co_quan_cap=body["CoQuanCap"],
                hieu_luc_den=body.get("HieuLucDen") or "",
                ten_tep=name,
                content_type=_sniff(content, name),
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
            )
    except IntegrityError:  # the same document sent twice at once: the other request stored it
        return StoredDocument.objects.get(**key), False
    return document, True


@api.national_api("GET", "POST")
def documents(request: HttpRequest, _client: str) -> HttpResponse:
    if request.method == "POST":
        body = api.read_json(request)
        problems, content = _check(body)
        if problems:
            raise ApiError(400, problem("Dữ liệu giấy tờ không hợp lệ", problems))
        document, created = _store(body, content)
        return json_response(
            {"error_code": "0", "MaGiayToSo": document.ma_giay_to_so}, 201 if created else 200
        )
    owner = request.GET.get("SoDinhDanh", "").strip()
    if not owner:
        raise ApiError(400, problem("Thiếu tham số SoDinhDanh", [("SoDinhDanh", "thiếu tham số bắt buộc")]))
    rows = StoredDocument.objects.filter(so_dinh_danh=owner).order_by("id").defer("content")
    return json_response({"error_code": "0", "DanhSach": [_summary(row) for row in rows]})


@api.national_api("GET")
def document_file(request: HttpRequest, _client: str) -> HttpResponse:
    code = request.GET.get("MaGiayToSo", "").strip()
    document = StoredDocument.objects.filter(ma_giay_to_so=code).first() if code else None
    if document is None:
        raise ApiError(404, problem(f"Không tìm thấy giấy tờ {code!r}", code="-4"))
    response = HttpResponse(bytes(document.content), content_type=document.content_type)
    if header := content_disposition_header(False, document.ten_tep):
        response["Content-Disposition"] = header
    return response
