"""/tiep-nhan/ — the counter: find the procedure, check the components, enter the applicant, see the
appointment, confirm; and the written guidance (Mẫu 02) or refusal (Mẫu 03) when a dossier cannot be taken."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from motcua.catalogue.models import ProcedureVersion, Subject
from motcua.catalogue.search import search_procedures
from motcua.dossiers import commands, queries
from motcua.dossiers.errors import DossierError, InvalidInput
from motcua.dossiers.identity import id_number_error, personal_number_warnings
from motcua.dossiers.models import Dossier, IdKind, ResultDelivery
from motcua.org.models import ReceptionPoint, Role

from .. import reception, scans
from ..roles import workplace
from .common import forbidden, officer_required
from .dossier import form_url


def _counter(request: HttpRequest) -> ReceptionPoint | None:
    """The counter of the active one-stop assignment."""
    place = workplace(request)
    if place.role != Role.ONE_STOP or place.active is None or place.active.reception_point_id is None:
        return None
    return ReceptionPoint.objects.select_related("agency").filter(pk=place.active.reception_point_id).first()


def _not_at_counter(request: HttpRequest) -> HttpResponse:
    return forbidden(
        request,
        _(
            "Chức năng tiếp nhận dành cho cán bộ một cửa. Hãy chọn vai trò “Cán bộ tiếp nhận (Một cửa)” ở "
            "đầu trang nếu bạn được phân công vai trò này."
        ),
    )


def _base_context(request: HttpRequest, point: ReceptionPoint) -> dict:
    return {
        "nav": "reception",
        "point": point,
        "id_kinds": IdKind.choices,
        "subjects": Subject.choices,
        "deliveries": ResultDelivery.choices,
        "return_points": ReceptionPoint.objects.filter(is_active=True).order_by("name"),
    }


@officer_required
def reception_page(request: HttpRequest) -> HttpResponse:
    point = _counter(request)
    if point is None:
        return _not_at_counter(request)
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("thu-tuc", "").strip()
    channel = source.get("kenh", "in_person")
    now = timezone.now()
    info = reception.procedure_at_counter(code, channel, point, now) if code else None
    context = _base_context(request, point)
    query = request.GET.get("q", "").strip()
    context.update(
        info=info,
        query=query,
        results=search_procedures(query, limit=15) if query and info is None else [],
        values=source,
        ticked={int(v) for v in source.getlist("component") if v.isdigit()},
        now=now,
    )
    if code and info is None:
        context["error"] = _("Không có thủ tục mã %(code)s đang được công bố.") % {"code": code}
    if request.method != "POST" or info is None:
        return render(request, "backoffice/reception.html", context, status=200 if info or not code else 404)

    if "tra-cuu-dan-cu" in request.POST:  # the lookup button, without JavaScript
        answer = _population(request, request.POST)
        context["population"] = answer
        if answer.prefill:
            values = request.POST.copy()
            values.update(answer.prefill)
            context["values"] = values
        return render(request, "backoffice/reception.html", context)

    data, ticked = reception.receive_payload(request.POST, info, point.pk)
    uploads = {}
    for position, pk in enumerate(ticked):
        upload = request.FILES.get(f"file-{pk}")
        if upload is not None:
            uploads[position] = upload
            data["components"][position].update(file_name=(upload.name or "")[:255], digitised=True)
    try:
        for upload in uploads.values():
            problem = scans.upload_error(upload)
            if problem:
                raise InvalidInput(problem, details=[{"field": "components", "message": problem}])
        with transaction.atomic():
            dossier = commands.receive_new(request.user, data, ip=request.META.get("REMOTE_ADDR"), now=now)
            if uploads:
                scans.store(scans.new_components_after(dossier, 0), uploads)
    except DossierError as exc:
        context["error"] = exc.message
        context["error_details"] = exc.details
        context["missing"] = [d["message"] for d in exc.details] if exc.code == "components_missing" else []
        if context["missing"]:
            context["guide_url"] = _guide_url(request, info.procedure.code, context["missing"])
        if uploads:
            context["reattach"] = True
        return render(request, "backoffice/reception.html", context, status=exc.http_status)
    return redirect("backoffice:reception_done", code=dossier.code)


def _guide_url(request: HttpRequest, procedure_code: str, items: list[str]) -> str:
    query = {
        "thu-tuc": procedure_code,
        "muc": "\n".join(f"{item}" for item in items),
        "ho-ten": request.POST.get("applicant_name", ""),
        "so-dinh-danh": request.POST.get("applicant_id_number", ""),
    }
    return f"{reverse('backoffice:counter_guide')}?{urlencode(query)}"


@officer_required
def procedure_search(request: HttpRequest) -> HttpResponse:
    """Type-ahead: procedures whose code or name contains what was typed (diacritics optional)."""
    query = request.GET.get("q", "").strip()
    return render(
        request,
        "backoffice/partials/procedure_results.html",
        {"results": search_procedures(query, limit=15) if query else [], "query": query},
    )


@officer_required
def procedure_info(request: HttpRequest) -> HttpResponse:
    """Duration, fees and the appointment if received now, for the chosen procedure and channel."""
    point = _counter(request)
    if point is None:
        return _not_at_counter(request)
    info = reception.procedure_at_counter(
        request.GET.get("thu-tuc", ""), request.GET.get("kenh", "in_person"), point, timezone.now()
    )
    return render(request, "backoffice/partials/procedure_info.html", {"info": info, "now": timezone.now()})


@officer_required
def check_id_number(request: HttpRequest) -> HttpResponse:
    """Live check of the ID number as it is typed (form only: the register is the authority)."""
    kind = request.GET.get("applicant_id_kind", IdKind.PERSONAL)
    number = request.GET.get("applicant_id_number", "").replace(" ", "")
    birth = request.GET.get("applicant_birth_date", "")
    error = id_number_error(kind, number) if number else None
    warnings: list[str] = []
    if not error and number and birth:
        try:
            warnings = personal_number_warnings(number, date.fromisoformat(birth))
        except ValueError:
            warnings = []
    return render(
        request,
        "backoffice/partials/id_check.html",
        {"error": error, "warnings": warnings, "ok": bool(number) and not error},
    )


def _population(request: HttpRequest, data) -> reception.PopulationAnswer:
    return reception.population_lookup(
        request.user,
        data.get("applicant_id_number", ""),
        data.get("applicant_name", ""),
        data.get("applicant_birth_date", ""),
        data.get("thu-tuc", ""),
    )


@officer_required
@require_POST
def population_lookup(request: HttpRequest) -> HttpResponse:
    """The lookup button with htmx: the answer, and a matched record copied into the applicant fields."""
    if _counter(request) is None:
        return _not_at_counter(request)
    answer = _population(request, request.POST)
    return render(request, "backoffice/partials/population.html", {"population": answer, "oob": True})


@officer_required
def reception_done(request: HttpRequest, code: str) -> HttpResponse:
    dossier = (
        Dossier.objects.select_related("procedure_version", "return_point", "reception_point__agency")
        .filter(code=code)
        .first()
    )
    if dossier is None or not queries.can_see(request.user, dossier):
        return forbidden(request, _("Không tìm thấy hồ sơ %(code)s trong phạm vi của bạn.") % {"code": code})
    return render(
        request,
        "backoffice/reception_done.html",
        {"nav": "reception", "dossier": dossier, "receipt_url": form_url(dossier.code, "01")},
    )


# --------------------------------------------------------------------------------------------------------
# Written guidance (Mẫu 02) and refusal (Mẫu 03) at the counter, before any dossier exists

COUNTER_FORMS = {
    "guide": {
        "title": gettext_lazy("Hướng dẫn hoàn thiện hồ sơ (Mẫu 02)"),
        "lines_label": gettext_lazy("Những giấy tờ, nội dung cần bổ sung, hoàn thiện (mỗi dòng một mục)"),
        "function": "render_guidance_pdf",
        "file": "mau-02-huong-dan",
    },
    "refuse": {
        "title": gettext_lazy("Từ chối tiếp nhận hồ sơ (Mẫu 03)"),
        "lines_label": gettext_lazy("Lý do từ chối cụ thể (mỗi dòng một lý do)"),
        "function": "render_refusal_pdf",
        "file": "mau-03-tu-choi",
    },
}


def _documents_function(name: str):
    """The documents package's renderer, or None while that package does not provide it."""
    try:
        from motcua.documents import forms as document_forms
    except ImportError:
        return None
    return getattr(document_forms, name, None)


def _counter_form(request: HttpRequest, mode: str) -> HttpResponse:
    point = _counter(request)
    if point is None:
        return _not_at_counter(request)
    spec = COUNTER_FORMS[mode]
    source = request.POST if request.method == "POST" else request.GET
    code = source.get("thu-tuc", "").strip()
    version = (
        ProcedureVersion.objects.filter(procedure__code=code, status=ProcedureVersion.Status.PUBLISHED)
        .select_related("procedure")
        .first()
        if code
        else None
    )
    renderer = _documents_function(str(spec["function"]))
    values: dict[str, str] = {
        "name": source.get("ho-ten", ""),
        "id_number": source.get("so-dinh-danh", ""),
        "address": source.get("dia-chi", ""),
        "phone": source.get("dien-thoai", ""),
        "lines": source.get("muc", ""),
    }
    context = {
        "nav": "reception",
        "mode": mode,
        "spec": spec,
        "version": version,
        "code": code,
        "available": renderer is not None,
        "values": values,
    }
    if request.method != "POST":
        return render(request, "backoffice/counter_form.html", context)
    if renderer is None:
        context["error"] = _("Chức năng in biểu mẫu chưa được cài đặt.")
        return render(request, "backoffice/counter_form.html", context, status=503)
    if version is None:
        context["error"] = _("Cần chọn thủ tục hành chính đang được công bố.")
        return render(request, "backoffice/counter_form.html", context, status=422)
    applicant = {
        "name": values["name"].strip(),
        "id_number": values["id_number"].strip(),
        "address": values["address"].strip(),
        "phone": values["phone"].strip(),
    }
    lines = [line.strip() for line in values["lines"].splitlines() if line.strip()]
    try:
        pdf = renderer(version, applicant, lines, request.user)
    except ValueError as exc:
        context["error"] = str(exc)
        return render(request, "backoffice/counter_form.html", context, status=422)
    response = HttpResponse(pdf, content_type="application/pdf")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'inline; filename="{spec["file"]}-{stamp}.pdf"'
    return response


@officer_required
def counter_guide(request: HttpRequest) -> HttpResponse:
    return _counter_form(request, "guide")


@officer_required
def counter_refuse(request: HttpRequest) -> HttpResponse:
    return _counter_form(request, "refuse")
