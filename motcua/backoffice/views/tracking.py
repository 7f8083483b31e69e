"""/tra-cuu/<code> — the public tracking page (the QR code on the receipt opens it).

The applicant proves they hold the receipt by typing the last four digits of the ID number or phone; the
page then shows the status, the due date and a timeline with no personal data — exactly what the public
API shows, from the same function.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from motcua.api.tracking import public_status, too_many_lookups


@never_cache
def tracking_page(request: HttpRequest, code: str = "") -> HttpResponse:
    context: dict = {"nav": "tracking", "code": code.strip()}
    if request.method != "POST":
        return render(request, "backoffice/tracking.html", context)
    code = request.POST.get("code", code).strip()[:40]
    digits = request.POST.get("so-cuoi", "").strip()
    context["code"] = code
    if too_many_lookups(request.META.get("REMOTE_ADDR")):
        context["error"] = _("Tra cứu quá nhiều lần, vui lòng thử lại sau một phút.")
        return render(request, "backoffice/tracking.html", context, status=429)
    if not code or len(digits) != 4 or not digits.isdigit():
        context["error"] = _("Nhập mã hồ sơ và đúng 4 chữ số cuối của số định danh hoặc số điện thoại.")
        return render(request, "backoffice/tracking.html", context, status=422)
    found = public_status(code, digits)
    if found is None:
        context["error"] = _("Không tìm thấy hồ sơ với mã và 4 số cuối đã nhập.")
        return render(request, "backoffice/tracking.html", context, status=404)
    context["found"] = found
    return render(request, "backoffice/tracking.html", context)
