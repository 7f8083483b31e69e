"""/ho-so/<code>/ — the dossier page, its actions (htmx fragments or plain POST + redirect) and its files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib import messages
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin

from motcua.dossiers import commands, queries, timing
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier, Draft
from motcua.workflow.definition import END
from motcua.workflow.vocabulary import CLOCK_RUNNING_STATES, PAUSED_STATES, Action, State

from .. import actionforms, scans
from ..roles import workplace
from .common import forbidden, is_htmx, officer_required


@dataclass
class DueLine:
    label: str
    due: datetime | None
    left: timedelta | None  # working time left (negative: late)
    note: str = ""

    @property
    def late(self) -> bool:
        return self.left is not None and self.left < timedelta(0)


def _load(code: str) -> Dossier:
    dossier = queries.load(code)
    if dossier is None:
        raise Http404(_("Không tìm thấy hồ sơ %(code)s.") % {"code": code})
    return dossier


def form_url(code: str, number: str) -> str | None:
    """The official form PDF of this dossier (the documents package), or None while it is not installed."""
    try:
        return reverse("documents:form", args=[code, number])
    except NoReverseMatch:
        return None


FORMS = {
    "01": gettext_lazy("Mẫu 01 — Giấy tiếp nhận hồ sơ và hẹn trả kết quả"),
    "02": gettext_lazy("Mẫu 02 — Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ"),
    "03": gettext_lazy("Mẫu 03 — Phiếu từ chối tiếp nhận giải quyết hồ sơ"),
    "04": gettext_lazy("Mẫu 04 — Phiếu xin lỗi và hẹn lại ngày trả kết quả"),
    "05": gettext_lazy("Mẫu 05 — Thông báo dừng giải quyết hồ sơ"),
    "06": gettext_lazy("Mẫu 06 — Phiếu kiểm soát quá trình giải quyết hồ sơ"),
}


def _forms(dossier: Dossier, drafts: list[Draft]) -> list[dict]:
    wanted = []
    if dossier.received_at:
        wanted.append("01")
    if any(d.kind == Draft.Kind.SUPPLEMENT_REQUEST and d.status == Draft.Status.SENT for d in drafts):
        wanted.append("02")
    if dossier.state == State.REFUSED:
        wanted.append("03")
    if dossier.extended:
        wanted.append("04")
    if dossier.state == State.STOPPED:
        wanted.append("05")
    if dossier.received_at:
        wanted.append("06")
    return [{"number": n, "label": FORMS[n], "url": form_url(dossier.code, n)} for n in wanted]


def _due_lines(dossier: Dossier, now: datetime) -> list[DueLine]:
    cal = timing.calendar_of(dossier)
    running = dossier.state in CLOCK_RUNNING_STATES

    def left(due: datetime | None) -> timedelta | None:
        return cal.remaining(due, now) if (due is not None and running) else None

    lines = [
        DueLine(_("Hạn trả theo quy định (ban đầu)"), dossier.original_due_at, None),
        DueLine(_("Hạn trả hiện tại"), dossier.due_at, left(dossier.due_at)),
    ]
    if dossier.current_step and dossier.current_step != END:
        lines.append(DueLine(_("Hạn của bước hiện tại"), dossier.step_due_at, left(dossier.step_due_at)))
    if dossier.state in PAUSED_STATES:
        lines[1].note = _("Đang tạm dừng tính thời gian từ %(at)s; hạn mới được tính khi tiếp tục.") % {
            "at": f"{timezone.localtime(dossier.paused_at):%H:%M %d/%m/%Y}" if dossier.paused_at else ""
        }
    return lines


def page_context(request: HttpRequest, dossier: Dossier, open_form: actionforms.ActionForm | None = None):
    now = timezone.now()
    user = request.user
    available, blocked = commands.available_actions(dossier, user)
    active_role = workplace(request).role
    # The active role's actions first: that is the work the officer came to do.
    available.sort(key=lambda e: (e["role"] != active_role, e["label"]))
    process = dossier.process.process()
    drafts = list(dossier.drafts.select_related("created_by", "approved_by"))
    step_name = ""
    if dossier.current_step and dossier.current_step != END:
        try:
            step_name = process.step(dossier.current_step).name
        except KeyError:
            step_name = dossier.current_step
    events = list(dossier.events.order_by("seq").select_related("actor_unit"))
    step_names = {s.key: s.name for s in process.steps}
    for e in events:
        e.step_name = step_names.get(e.to_step, "")  # type: ignore[attr-defined]
        e.action_label = Action(e.action).label if e.action in Action.values else e.action  # type: ignore[attr-defined]
    return {
        "nav": "inbox",
        "dossier": dossier,
        "state_label": State(dossier.state).label,
        "step_name": step_name,
        "due_lines": _due_lines(dossier, now),
        "events": events,
        "components": list(dossier.components.all()),
        "fees": list(dossier.fees.all()),
        "results": list(dossier.results.select_related("signed_by")),
        "drafts": drafts,
        "pauses": list(dossier.pauses.all()),
        "adjustments": list(dossier.due_adjustments.all()),
        "consultations": list(dossier.consultations.select_related("agency")),
        "available": available,
        "blocked": blocked,
        "open_form": open_form,
        "forms": _forms(dossier, drafts),
        "tracking_url": reverse("backoffice:tracking_code", args=[dossier.code]),
        "now": now,
    }


@officer_required
def dossier_page(request: HttpRequest, code: str) -> HttpResponse:
    dossier = _load(code)
    if not queries.can_see(request.user, dossier):
        return forbidden(request, _("Hồ sơ %(code)s nằm ngoài phạm vi đơn vị của bạn.") % {"code": code})
    return render(request, "backoffice/dossier.html", page_context(request, dossier))


def _entry(dossier: Dossier, user, action: str) -> dict | None:
    """The action as ``available_actions`` describes it, or built from the command when not offered."""
    available, blocked = commands.available_actions(dossier, user)
    for entry in available + blocked:
        if entry["action"] == action:
            return entry
    spec = commands.COMMANDS.get(action)
    if spec is None:
        return None
    # Not offered to this user: still run it on POST, so the engine says precisely why not.
    return {
        "action": action,
        "label": str(Action(action).label),
        "role": None,
        "fields": commands.action_schema(spec.params),
    }


@officer_required
def dossier_action(request: HttpRequest, code: str, action: str) -> HttpResponse:
    dossier = _load(code)
    if not queries.can_see(request.user, dossier):
        return forbidden(request, _("Hồ sơ %(code)s nằm ngoài phạm vi đơn vị của bạn.") % {"code": code})
    entry = _entry(dossier, request.user, action)
    if entry is None:
        raise Http404(_("Thao tác không tồn tại."))
    form = actionforms.build(entry, dossier)
    if request.method != "POST":
        if is_htmx(request):
            return render(request, "backoffice/partials/action_form.html", {"form": form, "dossier": dossier})
        return render(request, "backoffice/dossier.html", page_context(request, dossier, form))

    data, uploads = actionforms.parse(form, request.POST, request.FILES)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        for upload in uploads.values():
            problem = scans.upload_error(upload)
            if problem:
                raise DossierError(problem, details=[{"field": "components", "message": problem}])
        with transaction.atomic():
            last = scans.last_component_id(dossier)
            commands.execute(
                code,
                action,
                request.user,
                data,
                expected_version=version,
                ip=request.META.get("REMOTE_ADDR"),
            )
            if uploads:
                scans.store(scans.new_components_after(dossier, last), uploads)
    except DossierError as exc:
        actionforms.attach_errors(form, exc.message, exc.details)
        status = exc.http_status if exc.http_status >= 400 else 422
        if is_htmx(request):
            response = render(
                request,
                "backoffice/partials/action_form.html",
                {"form": form, "dossier": dossier},
                status=status,
            )
            response["HX-Retarget"] = "#action-panel"
            response["HX-Reswap"] = "innerHTML"
            return response
        return render(request, "backoffice/dossier.html", page_context(request, dossier, form), status=status)

    done = _("Đã thực hiện: %(label)s.") % {"label": entry["label"]}
    dossier = _load(code)
    if not queries.can_see(request.user, dossier):
        messages.success(request, done)
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("backoffice:inbox")
            return response
        return redirect("backoffice:inbox")
    if is_htmx(request):
        context = page_context(request, dossier)
        context["flash"] = done
        return render(request, "backoffice/partials/dossier_main.html", context)
    messages.success(request, done)
    return redirect("backoffice:dossier", code=code)


@officer_required
@xframe_options_sameorigin  # the dossier page previews PDFs in a frame of its own origin
def component_file(request: HttpRequest, code: str, pk: int) -> HttpResponseBase:
    dossier = _load(code)
    if not queries.can_see(request.user, dossier):
        return forbidden(request, _("Hồ sơ %(code)s nằm ngoài phạm vi đơn vị của bạn.") % {"code": code})
    component = dossier.components.filter(pk=pk).exclude(file="").first()
    if component is None:
        raise Http404(_("Không có tệp này."))
    response = FileResponse(
        component.file.open("rb"),
        content_type=scans.content_type(component),
        as_attachment=request.GET.get("tai-ve") == "1",
        filename=component.file_name or "",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
