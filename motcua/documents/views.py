"""PDF and XLSX downloads of the forms: /bieu-mau/<code>/<form>.pdf and /bieu-mau/so-theo-doi/.

Printing a form reads personal data, so each download is logged with who, what and which dossier.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from motcua.dossiers.models import Dossier
from motcua.dossiers.queries import can_see
from motcua.org.models import Agency
from motcua.org.scopes import has_role, roles_of

from . import tracking_book
from .forms import FormNotAvailable, render_pdf

log = logging.getLogger("motcua.documents")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(message: str, status: int) -> HttpResponse:
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


@require_GET
def form_pdf(request: HttpRequest, code: str, form: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    dossier = (
        Dossier.objects.select_related(
            "procedure_version__procedure",
            "process",
            "competent_agency__parent",
            "reception_point__agency__parent",
            "return_point",
            "handling_unit",
        )
        .filter(code=code)
        .first()
    )
    if dossier is None:
        raise Http404(f"Không tìm thấy hồ sơ {code}.")
    if not can_see(request.user, dossier):
        return _text(f"Bạn không có quyền xem hồ sơ {code}.", 403)
    try:
        pdf = render_pdf(form, dossier, user=request.user)
    except FormNotAvailable as exc:
        return _text(exc.message, 404)
    log.info("form %s of dossier %s printed by %s", form, code, request.user.get_username())
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mau-{form}-{code}.pdf"'
    return response


def _parse_day(value: str | None, name: str, default: date) -> date:
    if not value:
        return default
    try:
        return datetime.strptime(value.strip(), "%d/%m/%Y").date()
    except ValueError:
        raise tracking_book.BookError(
            f"Tham số '{name}' = '{value}' không phải ngày dạng dd/mm/yyyy (ví dụ 01/03/2026)."
        ) from None


def _find_unit(value: str | None) -> Agency | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return Agency.objects.select_related("parent").filter(pk=int(value)).first()
    return Agency.objects.select_related("parent").filter(code=value).first()


def may_export(user, agency: Agency) -> bool:
    """Staff whose role reaches the unit (its own staff, its leaders) or a supervisor above it."""
    roles = set(roles_of(user).values_list("role", flat=True))
    return any(has_role(user, role, agency) for role in roles)


@require_GET
def tracking_book_export(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    params = request.GET
    unit = _find_unit(params.get("unit"))
    if unit is None:
        return _text(
            f"Không tìm thấy đơn vị '{params.get('unit', '')}' "
            "(tham số unit: mã số hoặc mã QCVN 102 của đơn vị).",
            400,
        )
    if not may_export(request.user, unit):
        return _text(f"Bạn không thuộc {unit.name} và không có quyền giám sát đơn vị này.", 403)
    today = timezone.localdate()
    fmt = (params.get("format") or "xlsx").lower()
    try:
        start = _parse_day(params.get("from"), "from", today.replace(day=1))
        end = _parse_day(params.get("to"), "to", today)
        content = tracking_book.export(unit, start, end, state=params.get("state") or None, fmt=fmt)
    except tracking_book.BookError as exc:
        return _text(str(exc), 400)
    log.info("tracking book of %s %s–%s exported by %s", unit.code, start, end, request.user.get_username())
    name = f"so-theo-doi-{unit.code}-{start:%Y%m%d}-{end:%Y%m%d}.{fmt}"
    response = HttpResponse(content, content_type=XLSX if fmt == "xlsx" else "application/pdf")
    disposition = "attachment" if fmt == "xlsx" else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response
