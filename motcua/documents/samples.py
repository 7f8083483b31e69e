"""Sample data for each form, in exactly the shape the real builders produce (a test keeps them in step).

Used to test-render an administrator's template override before it is saved, and for the admin preview.
Fictional people and places only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from .context import TITLES, qr_svg
from .tracking_book import HEADERS

CODE = "000.00.10.H99-260302-0001"

ISSUER = {
    "parent": "UBND TỈNH HỒNG LAM",
    "name": "SỞ TƯ PHÁP",
    "display": "Sở Tư pháp",
    "code": "000.00.15.H99",
    "address": "Số 1 đường Lê Lợi",
    "phone": "0200 3800 000",
    "email": "stp@example.gov.vn",
}

APPLICANT = {
    "name": "Nguyễn Thị Hồng Nhung",
    "id_label": "Số định danh cá nhân",
    "id_number": "001190012345",
    "birth_date": "17/05/1990",
    "address": "Số 5 đường Trần Phú, phường Đông Hải",
    "phone": "0912345678",
    "email": "nhung@example.vn",
    "delegate_name": "",
    "delegate_id_number": "",
    "delegate_phone": "",
}

PROCEDURE = {"code": "1.001193", "name": "Thủ tục đăng ký khai sinh"}

DOSSIER = {
    "code": CODE,
    "procedure": PROCEDURE,
    "summary": "Thủ tục đăng ký khai sinh — Nguyễn Thị Hồng Nhung",
    "sets": 1,
    "channel": "Trực tiếp",
    "received_at": "09:00 02/03/2026",
    "submitted_at": "",
    "original_due_at": "09:00 09/03/2026",
    "due_at": "09:00 09/03/2026",
    "state": "Đang xử lý",
    "competent_agency": "Sở Tư pháp",
    "handling_unit": "Phòng Hành chính tư pháp",
    "reception_point": "Trung tâm Phục vụ hành chính công tỉnh",
}

SIGNER = {"name": "Lê Văn Bình", "title": "Trưởng phòng", "unit": "Phòng Hành chính tư pháp"}
LEADER = {"name": "Hoàng Minh Đức", "title": "Phó Giám đốc Sở", "unit": "Sở Tư pháp"}
OFFICER = {
    "name": "Trần Thị Ánh",
    "title": "Chuyên viên một cửa",
    "unit": "Trung tâm Phục vụ hành chính công",
}


def _header(form: str) -> dict[str, Any]:
    return {
        "form_number": form,
        "title": TITLES[form],
        "issuer": ISSUER,
        "place": "Hồng Lam",
        "dated": "ngày 02 tháng 03 năm 2026",
        "number": "",
        "site_name": settings.MOTCUA_SITE_NAME,
        "printed_at": "10:00 02/03/2026",
    }


def sample_context(form: str) -> dict[str, Any]:
    url = f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}/tra-cuu/{CODE}"
    common = {"dossier": DOSSIER, "applicant": APPLICANT}
    if form == "01":
        return {
            **_header(form),
            **common,
            "components": [
                {
                    "no": 1,
                    "name": "Tờ khai đăng ký khai sinh",
                    "form": "Bản chính",
                    "quantity": 1,
                    "electronic": False,
                },
                {"no": 2, "name": "Giấy chứng sinh", "form": "Bản chính", "quantity": 1, "electronic": False},
            ],
            "duration": "5 ngày làm việc",
            "received_at": "09:00 02/03/2026",
            "due_at": "09:00 09/03/2026",
            "has_due": True,
            "due_adjusted": "",
            "collect": "Tại Trung tâm Phục vụ hành chính công tỉnh",
            "tracking_ref": "Sổ theo dõi hồ sơ của Trung tâm Phục vụ hành chính công tỉnh, ngày 02/03/2026, "
            "số thứ tự 0001",
            "qr_url": url,
            "qr_svg": qr_svg(url),
            "officer": OFFICER,
        }
    if form == "02":
        return {
            **_header(form),
            **common,
            "procedure": PROCEDURE,
            "received_at": "09:00 02/03/2026",
            "items": ["Bản sao giấy chứng sinh có chứng thực", "Văn bản ủy quyền có chứng thực"],
            "reason": "Bản chụp giấy chứng sinh không đọc được.",
            "legal_basis": "Luật Hộ tịch 2014",
            "stage": "Thẩm định hồ sơ, dự thảo kết quả",
            "paused_from": "10:00 03/03/2026",
            "at_counter": False,
            "contact": {
                "name": "Phạm Thu Cúc",
                "title": "Chuyên viên",
                "unit": "Phòng Hành chính tư pháp",
                "phone": "0200 3800 001",
                "email": "hctp@example.gov.vn",
            },
            "signer": SIGNER,
        }
    if form == "03":
        return {
            **_header(form),
            **common,
            "procedure": PROCEDURE,
            "submitted_at": "09:00 02/03/2026",
            "reception_point": "Trung tâm Phục vụ hành chính công tỉnh",
            "reasons": ["Thủ tục không thuộc thẩm quyền giải quyết của cơ quan."],
            "note": "",
            "signer": OFFICER,
        }
    if form == "04":
        return {
            **_header(form),
            **common,
            "procedure": PROCEDURE,
            "received_at": "09:00 02/03/2026",
            "previous_due_at": "09:00 09/03/2026",
            "new_due_at": "17:00 13/03/2026",
            "reason": "Cần xác minh thông tin với cơ quan khác.",
            "signer": LEADER,
        }
    if form == "05":
        return {
            **_header(form),
            **common,
            "procedure": PROCEDURE,
            "received_at": "09:00 02/03/2026",
            "stopped_at": "10:00 04/03/2026",
            "stage": "Thẩm định hồ sơ, dự thảo kết quả",
            "reason": "Người nộp hồ sơ đề nghị dừng giải quyết.",
            "legal_ground": "Điều 20 Nghị định 118/2025/NĐ-CP",
            "paid_amount": "50.000",
            "refund": "Khoản phí, lệ phí đã nộp (50.000 đồng) được hoàn trả cho người nộp hồ sơ.",
            "signer": LEADER,
        }
    if form == "06":
        return {
            **_header(form),
            **common,
            "procedure": PROCEDURE,
            "lead_agency": "Sở Tư pháp",
            "coordinating": ["Sở Xây dựng"],
            "rows": [
                {
                    "no": 1,
                    "action": "Tiếp nhận",
                    "giver": {"name": "Nguyễn Thị Hồng Nhung", "unit": "Người nộp hồ sơ"},
                    "receiver": {"name": "Trần Thị Ánh", "unit": "Trung tâm Phục vụ hành chính công tỉnh"},
                    "at": "09:00 02/03/2026",
                    "result": "",
                    "note": "Tiếp nhận hồ sơ (trực tiếp)",
                },
                {
                    "no": 2,
                    "action": "Chuyển xử lý",
                    "giver": {"name": "Trần Thị Ánh", "unit": "Trung tâm Phục vụ hành chính công tỉnh"},
                    "receiver": {"name": "", "unit": "Phòng Hành chính tư pháp"},
                    "at": "10:00 02/03/2026",
                    "result": "Trước hạn",
                    "note": "Tiếp nhận và chuyển hồ sơ → Phân công thụ lý",
                },
            ],
        }
    if form == "07":
        return {
            **_header(form),
            "unit": "Trung tâm Phục vụ hành chính công tỉnh",
            "period_from": "01/03/2026",
            "period_to": "31/03/2026",
            "state_label": "",
            "headers": HEADERS,
            "rows": [
                {
                    "no": 1,
                    "code": CODE,
                    "procedure": PROCEDURE["name"],
                    "sets": 1,
                    "applicant": APPLICANT["name"],
                    "address_phone": f"{APPLICANT['address']}; {APPLICANT['phone']}",
                    "lead_agency": "Sở Tư pháp",
                    "received_at": "09:00 02/03/2026",
                    "due_at": "09:00 09/03/2026",
                    "transferred_at": "10:00 02/03/2026",
                    "result_back_at": "15:00 03/03/2026",
                    "returned_at": "08:30 04/03/2026",
                    "notes": "",
                }
            ],
        }
    raise ValueError(f"Không có biểu mẫu '{form}'.")
