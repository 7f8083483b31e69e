"""The e-receipt (biên lai điện tử) as a PDF, rendered by WeasyPrint from an HTML template.

Vietnamese text needs a font with full coverage: the template asks for Noto (Debian fonts-noto-core,
installed by ``make deb-run``).
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from simulators.national_portal.models import Payment
from simulators.national_portal.rules import parse_timestamp


def render_receipt(payment: Payment) -> bytes:
    from weasyprint import HTML  # imported here: loading pango costs ~0.3 s, only receipts need it

    info: dict[str, Any] = payment.request_payload.get("ThongTinBienLai") or {}
    paid_at = parse_timestamp(payment.thoi_gian_gd) if payment.thoi_gian_gd else None
    html = render_to_string(
        "national_portal/receipt.html",
        {
            "payment": payment,
            "info": info,
            "fees": info.get("PhiLePhi") or [],
            "paid_at": paid_at,
            "receipt_number": f"BL-{payment.ma_giao_dich}",
        },
    )
    return HTML(string=html).write_pdf()
