"""What each form says, gathered from the dossier, its events and drafts (rules.md §5, field by field).

Every builder returns a plain dictionary of strings and lists — the variables a template may use, listed in
docs/forms.md — so that an administrator's template override never reaches into models, and so that an
override can be test-rendered with sample data of exactly the same shape (samples.py).
"""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.safestring import mark_safe

from motcua.catalogue.models import Component
from motcua.dossiers.models import Dossier, DossierEvent, Draft, IdKind, ResultDelivery
from motcua.org.models import Agency, Role, RoleAssignment
from motcua.workflow.definition import END
from motcua.workflow.vocabulary import Action, State

from . import fmt


class FormNotAvailable(Exception):
    """The dossier has not been through the branch that produces this form (e.g. Mẫu 04 without extension)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# The agency that issues a form (its header; whose template override applies) and the template variables.
FormData = tuple[Agency | None, dict[str, Any]]

TITLES = {
    "01": "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
    "02": "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
    "03": "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
    "04": "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT HỒ SƠ",
    "05": "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
    "06": "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
    "07": "SỔ THEO DÕI HỒ SƠ",
}

ID_LABELS = {
    IdKind.PERSONAL: "Số định danh cá nhân",
    IdKind.LEGACY_CARD: "Số chứng minh nhân dân",
    IdKind.TAX_CODE: "Mã số thuế",
}


# --------------------------------------------------------------------------------------------------------
# Shared parts: issuer header, people, applicant, procedure


def issuer(agency: Agency | None) -> dict[str, str]:
    """The header's left block: the parent agency (upper case) above the issuing agency (bold)."""
    if agency is None:
        return {"parent": "", "name": "", "display": "", "code": "", "address": "", "phone": "", "email": ""}
    parent = agency.parent
    return {
        "parent": parent.name.upper() if parent is not None else "",
        "name": agency.name.upper(),
        "display": agency.name,  # as written in running text ("Sở Tư pháp tiếp nhận…")
        "code": agency.code,
        "address": agency.address,
        "phone": agency.phone,
        "email": agency.email,
    }


def place_of(agency: Agency | None) -> str:
    """The locality a document is dated at ('Hồng Lam, ngày …'): the nearest administrative unit."""
    for node in agency.ancestors_and_self() if agency is not None else []:
        if node.admin_unit_id is not None:
            return node.admin_unit.name  # type: ignore[union-attr]
    return ""


def header(form: str, agency: Agency | None, moment) -> dict[str, Any]:
    return {
        "form_number": form,
        "title": TITLES[form],
        "issuer": issuer(agency),
        "place": place_of(agency),
        "dated": fmt.dated(moment),
        "number": "",  # the document number is given by the clerk; callers pass it through `extra`
        "site_name": settings.MOTCUA_SITE_NAME,
        "printed_at": fmt.datetime_vn(timezone.now()),
    }


def signer_from_event(event: DossierEvent | None, fallback_user=None, fallback_role: str = "") -> dict:
    """Who signs: the actor of the event, with the title and unit they acted in."""
    if event is not None and event.actor_id is not None:
        payload = event.payload or {}
        role = event.actor_role
        return {
            "name": event.actor_name,
            "title": payload.get("actor_title") or (str(Role(role).label) if role in Role.values else ""),
            "unit": payload.get("actor_unit_name", ""),
        }
    return signer_from_user(fallback_user, fallback_role)


def signer_from_user(user, role: str = "") -> dict:
    if user is None:
        return {"name": "", "title": str(Role(role).label) if role in Role.values else "", "unit": ""}
    assignment = _assignment(user, role)
    return {
        "name": fmt.person(user),
        "title": (assignment.title if assignment else "")
        or (str(Role(role).label) if role in Role.values else ""),
        "unit": assignment.agency.name if assignment else "",
    }


def _assignment(user, role: str = "") -> RoleAssignment | None:
    from motcua.org.scopes import roles_of

    assignments = roles_of(user)
    if role:
        assignments = assignments.filter(role=role)
    return assignments.first()


def applicant_of(dossier: Dossier) -> dict[str, str]:
    return {
        "name": dossier.applicant_name,
        "id_label": ID_LABELS.get(IdKind(dossier.applicant_id_kind), "Số giấy tờ"),
        "id_number": dossier.applicant_id_number,
        "birth_date": fmt.date_vn(dossier.applicant_birth_date),
        "address": dossier.applicant_address,
        "phone": dossier.applicant_phone,
        "email": dossier.applicant_email,
        "delegate_name": dossier.delegate_name,
        "delegate_id_number": dossier.delegate_id_number,
        "delegate_phone": dossier.delegate_phone,
    }


def applicant_from_dict(data: dict) -> dict[str, str]:
    """An applicant typed at the counter (the keys of dossiers.params.ApplicantIn)."""
    kind = data.get("id_kind") or IdKind.PERSONAL
    return {
        "name": data.get("name", ""),
        "id_label": ID_LABELS.get(IdKind(kind), "Số giấy tờ") if kind in IdKind.values else "Số giấy tờ",
        "id_number": data.get("id_number", ""),
        "birth_date": fmt.date_vn(data["birth_date"]) if data.get("birth_date") else "",
        "address": data.get("address", ""),
        "phone": data.get("phone", ""),
        "email": data.get("email", ""),
        "delegate_name": data.get("delegate_name", ""),
        "delegate_id_number": data.get("delegate_id_number", ""),
        "delegate_phone": data.get("delegate_phone", ""),
    }


def procedure_of(version) -> dict[str, str]:
    return {"code": version.procedure.code, "name": version.name}


def dossier_summary(dossier: Dossier) -> dict[str, Any]:
    return {
        "code": dossier.code,
        "procedure": procedure_of(dossier.procedure_version),
        "summary": dossier.summary,
        "sets": dossier.sets_count,
        "channel": dossier.get_channel_display(),
        "received_at": fmt.datetime_vn(dossier.received_at),
        "submitted_at": fmt.datetime_vn(dossier.submitted_at),
        "original_due_at": fmt.datetime_vn(dossier.original_due_at),
        "due_at": fmt.datetime_vn(dossier.due_at),
        "state": str(State(dossier.state).label),
        "competent_agency": dossier.competent_agency.name,
        "handling_unit": dossier.handling_unit.name if dossier.handling_unit_id else "",  # type: ignore[union-attr]
        "reception_point": dossier.reception_point.name,
    }


def _events(dossier: Dossier, action: str) -> list[DossierEvent]:
    return list(dossier.events.filter(action=action).order_by("seq"))


def _last_event(dossier: Dossier, action: str) -> DossierEvent | None:
    events = _events(dossier, action)
    return events[-1] if events else None


def step_name(dossier: Dossier, key: str) -> str:
    if not key or key == END:
        return "Kết thúc"
    try:
        return dossier.process.process().step(key).name
    except KeyError:
        return key


def qr_svg(url: str) -> str:
    """The QR code of `url` as inline SVG (vector: sharp at any print resolution)."""
    svg = segno.make(url, error="m").svg_inline(omitsize=True, border=2, dark="#000", svgclass="qr-code")
    return mark_safe(svg)  # segno's own markup; it XML-escapes the URL


def public_tracking_url(code: str) -> str:
    return f"{settings.MOTCUA_PUBLIC_URL.rstrip('/')}/tra-cuu/{code}"


# --------------------------------------------------------------------------------------------------------
# Mẫu 01 — receipt and appointment


def receipt(dossier: Dossier, user=None) -> FormData:
    if dossier.received_at is None:
        raise FormNotAvailable(
            f"Hồ sơ {dossier.code} chưa được tiếp nhận nên chưa có "
            "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu 01)."
        )
    event = _last_event(dossier, Action.RECEIVE)
    issuing = dossier.reception_point.agency
    components = [
        {
            "no": i,
            "name": c.name,
            "form": str(Component.Form(c.form).label) if c.form in Component.Form.values else c.form,
            "quantity": c.quantity,
            "electronic": c.digitised or c.from_national_store,
        }
        for i, c in enumerate(dossier.components.filter(provided=True).order_by("id"), start=1)
    ]
    url = public_tracking_url(dossier.code)
    sequence = dossier.code.rsplit("-", 1)[-1]
    original_due = dossier.original_due_at
    current_due = dossier.due_at
    return issuing, {
        **header("01", issuing, dossier.received_at),
        "dossier": dossier_summary(dossier),
        "applicant": applicant_of(dossier),
        "components": components,
        "duration": fmt.duration(dossier.duration_value, dossier.duration_unit),
        "received_at": fmt.datetime_vn(dossier.received_at),
        "due_at": fmt.datetime_vn(original_due),
        "has_due": original_due is not None,
        # The appointment moved after the receipt was given (supplement, extension): say so, keep the first.
        "due_adjusted": fmt.datetime_vn(current_due)
        if current_due is not None and original_due is not None and current_due != original_due
        else "",
        "collect": collect_text(dossier),
        "tracking_ref": (
            f"Sổ theo dõi hồ sơ của {dossier.reception_point.name}, "
            f"ngày {fmt.date_vn(dossier.received_at)}, số thứ tự {sequence}"
        ),
        "qr_url": url,
        "qr_svg": qr_svg(url),
        "officer": signer_from_event(event, user, Role.ONE_STOP),
    }


def collect_text(dossier: Dossier) -> str:
    if dossier.result_delivery == ResultDelivery.POSTAL:
        address = dossier.delivery_address or dossier.applicant_address
        return f"Qua dịch vụ bưu chính công ích, tại địa chỉ: {address}"
    if dossier.result_delivery == ResultDelivery.ONLINE:
        where = f" (thư điện tử {dossier.applicant_email})" if dossier.applicant_email else ""
        return f"Trực tuyến qua tài khoản trên Cổng Dịch vụ công{where}"
    point = dossier.return_point
    return f"Tại {point.name}" + (f", {point.address}" if point.address else "")


# --------------------------------------------------------------------------------------------------------
# Mẫu 02 — supplement request (from the sent draft), or written guidance to complete an online dossier


def supplement_request(dossier: Dossier, user=None) -> FormData:
    draft = (
        dossier.drafts.filter(kind=Draft.Kind.SUPPLEMENT_REQUEST, status=Draft.Status.SENT)
        .select_related("created_by", "approved_by")
        .order_by("-id")
        .first()
    )
    if draft is None:
        guide = _last_event(dossier, Action.GUIDE)
        if guide is None:
            raise FormNotAvailable(
                f"Hồ sơ {dossier.code} chưa có yêu cầu bổ sung đã được duyệt và gửi (Mẫu 02)."
            )
        return _guide_from_event(dossier, guide, user)
    content = draft.content or {}
    approval = next(
        (
            e
            for e in reversed(_events(dossier, Action.APPROVE_SUPPLEMENT_REQUEST))
            if (e.payload or {}).get("draft") == draft.pk
        ),
        None,
    )
    drafter_assignment = _assignment(draft.created_by, Role.SPECIALIST)
    contact_unit = dossier.handling_unit or dossier.competent_agency
    return dossier.competent_agency, {
        **header("02", dossier.competent_agency, draft.approved_at),
        "dossier": dossier_summary(dossier),
        "applicant": applicant_of(dossier),
        "procedure": procedure_of(dossier.procedure_version),
        "received_at": fmt.datetime_vn(dossier.received_at),
        "items": list(content.get("items", [])),
        "reason": content.get("reason", ""),
        "legal_basis": content.get("legal_basis", ""),
        "stage": step_name(dossier, content.get("stage", "")),
        "paused_from": fmt.datetime_vn(draft.approved_at),
        "at_counter": False,
        "contact": {
            "name": fmt.person(draft.created_by),
            "title": drafter_assignment.title if drafter_assignment else "",
            "unit": contact_unit.name,
            "phone": contact_unit.phone or dossier.competent_agency.phone,
            "email": contact_unit.email or dossier.competent_agency.email,
        },
        "signer": signer_from_event(approval, draft.approved_by, Role.HEAD),
    }


def _guide_from_event(dossier: Dossier, event: DossierEvent, user=None) -> FormData:
    payload = event.payload or {}
    officer = signer_from_event(event, user, Role.ONE_STOP)
    point = dossier.reception_point
    return point.agency, {
        **header("02", point.agency, event.at),
        "dossier": dossier_summary(dossier),
        "applicant": applicant_of(dossier),
        "procedure": procedure_of(dossier.procedure_version),
        "received_at": fmt.datetime_vn(dossier.submitted_at or event.at),
        "items": list(payload.get("items", [])),
        "reason": payload.get("note", "")
        or "Hồ sơ chưa đầy đủ, hợp lệ theo quy định của thủ tục hành chính.",
        "legal_basis": legal_basis_text(dossier.procedure_version),
        "stage": "Tiếp nhận hồ sơ",
        "paused_from": "",
        "at_counter": True,
        "contact": {
            "name": officer["name"],
            "title": officer["title"],
            "unit": point.name,
            "phone": point.phone or point.agency.phone,
            "email": point.agency.email,
        },
        "signer": officer,
    }


def guidance(version, applicant: dict, items: list[str], officer, reason: str = "") -> FormData:
    """Mẫu 02 at the counter, before any dossier exists: guide once, completely, in writing."""
    point_assignment = _assignment(officer, Role.ONE_STOP)
    point = point_assignment.reception_point if point_assignment else None
    agency = point.agency if point is not None else (point_assignment.agency if point_assignment else None)
    officer_block = signer_from_user(officer, Role.ONE_STOP)
    now = timezone.now()
    return agency, {
        **header("02", agency, now),
        "dossier": None,
        "applicant": applicant_from_dict(applicant),
        "procedure": procedure_of(version),
        "received_at": fmt.datetime_vn(now),
        "items": list(items),
        "reason": reason or "Hồ sơ chưa đầy đủ, hợp lệ theo quy định của thủ tục hành chính.",
        "legal_basis": legal_basis_text(version),
        "stage": "Tiếp nhận hồ sơ",
        "paused_from": "",
        "at_counter": True,
        "contact": {
            "name": officer_block["name"],
            "title": officer_block["title"],
            "unit": point.name if point is not None else officer_block["unit"],
            "phone": (point.phone or point.agency.phone) if point is not None else "",
            "email": point.agency.email if point is not None else "",
        },
        "signer": officer_block,
    }


def legal_basis_text(version) -> str:
    bases = [f"{b.number} {b.title}".strip() for b in version.legal_bases.all()[:5]]
    announced = version.announcing_decision
    parts = [*bases] or ([f"Quyết định công bố thủ tục hành chính {announced}"] if announced else [])
    return "; ".join(parts)


# --------------------------------------------------------------------------------------------------------
# Mẫu 03 — refusal


def refusal(dossier: Dossier, user=None) -> FormData:
    event = _last_event(dossier, Action.REFUSE)
    if event is None:
        raise FormNotAvailable(f"Hồ sơ {dossier.code} không bị từ chối tiếp nhận nên không có Mẫu 03.")
    payload = event.payload or {}
    return dossier.reception_point.agency, {
        **header("03", dossier.reception_point.agency, event.at),
        "dossier": dossier_summary(dossier),
        "applicant": applicant_of(dossier),
        "procedure": procedure_of(dossier.procedure_version),
        "submitted_at": fmt.datetime_vn(dossier.submitted_at or event.at),
        "reception_point": dossier.reception_point.name,
        "reasons": list(payload.get("reasons", [])),
        "note": payload.get("note", ""),
        "signer": signer_from_event(event, user, Role.ONE_STOP),
    }


def refusal_at_counter(version, applicant: dict, reasons: list[str], officer) -> FormData:
    point_assignment = _assignment(officer, Role.ONE_STOP)
    point = point_assignment.reception_point if point_assignment else None
    agency = point.agency if point is not None else (point_assignment.agency if point_assignment else None)
    now = timezone.now()
    return agency, {
        **header("03", agency, now),
        "dossier": None,
        "applicant": applicant_from_dict(applicant),
        "procedure": procedure_of(version),
        "submitted_at": fmt.datetime_vn(now),
        "reception_point": point.name if point is not None else "",
        "reasons": list(reasons),
        "note": "",
        "signer": signer_from_user(officer, Role.ONE_STOP),
    }


# --------------------------------------------------------------------------------------------------------
# Mẫu 04 — apology and extension


def apology(dossier: Dossier, user=None) -> FormData:
    event = _last_event(dossier, Action.EXTEND)
    if event is None:
        raise FormNotAvailable(
            f"Hồ sơ {dossier.code} chưa được gia hạn nên không có văn bản xin lỗi (Mẫu 04)."
        )
    payload = event.payload or {}
    return dossier.competent_agency, {
        **header("04", dossier.competent_agency, event.at),
        "dossier": dossier_summary(dossier),
        "applicant": applicant_of(dossier),
        "procedure": procedure_of(dossier.procedure_version),
        "received_at": fmt.datetime_vn(dossier.received_at),
        "previous_due_at": fmt.datetime_vn(payload.get("previous_due_at")),
        "new_due_at": fmt.datetime_vn(payload.get("new_due_at")),
        "reason": payload.get("reason", ""),
        "signer": signer_from_event(event, user, Role.LEADER),
    }


# --------------------------------------------------------------------------------------------------------
# Mẫu 05 — stop notice


def stop_notice(dossier: Dossier, user=None) -> FormData:
    event = _last_event(dossier, Action.STOP)
    if event is None:
        raise FormNotAvailable(f"Hồ sơ {dossier.code} không bị dừng giải quyết nên không có Mẫu 05.")
    payload = event.payload or {}
    paid = sum(f.amount for f in dossier.fees.all() if f.paid_at is not None)
    if paid:
        refund = (
            f"Khoản phí, lệ phí đã nộp ({fmt.money(paid)} đồng) được hoàn trả cho người nộp hồ sơ "
            "theo quy định về phí, lệ phí."
        )
    else:
        refund = "Người nộp hồ sơ chưa nộp khoản phí, lệ phí nào nên không phát sinh việc hoàn trả."
    return dossier.competent_agency, {
        **header("05", dossier.competent_agency, event.at),
        "dossier": dossier_summary(dossier),
        "applicant": applicant_of(dossier),
        "procedure": procedure_of(dossier.procedure_version),
        "received_at": fmt.datetime_vn(dossier.received_at),
        "stopped_at": fmt.datetime_vn(event.at),
        "stage": step_name(dossier, event.from_step),
        "reason": payload.get("reason", ""),
        "legal_ground": payload.get("legal_ground", ""),
        "paid_amount": fmt.money(paid),
        "refund": refund,
        "signer": signer_from_event(event, user, Role.LEADER),
    }


# --------------------------------------------------------------------------------------------------------
# Mẫu 06 — process control sheet: a view over the event log

# Actions after which the dossier is in someone else's hands (the rows of the sheet).
HANDOVER_ACTIONS = frozenset(
    {
        Action.RECEIVE,
        Action.TRANSFER,
        Action.ASSIGN,
        Action.FORWARD,
        Action.SEND_BACK,
        Action.APPROVE,
        Action.ISSUE_RESULT,
        Action.RETURN_RESULT,
        Action.CONSULT,
        Action.REPLY_CONSULTATION,
        Action.APPROVE_SUPPLEMENT_REQUEST,
        Action.RECEIVE_SUPPLEMENT,
    }
)


def control_sheet(dossier: Dossier, user=None) -> FormData:
    events = list(dossier.events.select_related("actor_unit").order_by("seq"))
    if not any(e.action == Action.RECEIVE for e in events):
        raise FormNotAvailable(
            f"Hồ sơ {dossier.code} chưa được tiếp nhận nên chưa có Phiếu kiểm soát quá trình (Mẫu 06)."
        )
    user_ids, unit_ids, agency_codes = set(), set(), set()
    for e in events:
        changes = (e.payload or {}).get("changes", {})
        if changes.get("holder_user_id"):
            user_ids.add(changes["holder_user_id"])
        if changes.get("holder_unit_id"):
            unit_ids.add(changes["holder_unit_id"])
        if e.action == Action.CONSULT and (e.payload or {}).get("agency"):
            agency_codes.add(e.payload["agency"])
    users = {u.pk: fmt.person(u) for u in get_user_model().objects.filter(pk__in=user_ids)}
    units = {a.pk: a.name for a in Agency.objects.filter(pk__in=unit_ids)}
    consulted = {a.code: a.name for a in Agency.objects.filter(code__in=agency_codes)}
    applicant = dossier.delegate_name or dossier.applicant_name

    rows: list[dict[str, Any]] = []
    holder_user: int | None = None
    holder_unit: int | None = None
    for e in events:
        payload = e.payload or {}
        changes = payload.get("changes", {})
        if "holder_user_id" in changes:
            holder_user = changes["holder_user_id"]
        if "holder_unit_id" in changes:
            holder_unit = changes["holder_unit_id"]
        if e.action not in HANDOVER_ACTIONS:
            continue
        giver = {"name": e.actor_name, "unit": payload.get("actor_unit_name") or _unit_name(e)}
        receiver = {
            "name": users.get(holder_user, "") if holder_user else "",
            "unit": units.get(holder_unit, "") if holder_unit else "",
        }
        note = payload.get("note", "")
        if e.action == Action.RECEIVE:
            giver = {"name": applicant, "unit": "Người nộp hồ sơ"}
            receiver = {"name": e.actor_name, "unit": payload.get("actor_unit_name") or _unit_name(e)}
            note = note or f"Tiếp nhận hồ sơ ({dossier.get_channel_display().lower()})"
        elif e.action == Action.RETURN_RESULT:
            receiver = {"name": payload.get("recipient_name", ""), "unit": "Người nhận kết quả"}
            note = note or payload.get("proof", "") or "Trả kết quả"
        elif e.action == Action.CONSULT:
            receiver = {
                "name": "",
                "unit": consulted.get(payload.get("agency", ""), payload.get("agency", "")),
            }
            note = "Xin ý kiến: " + payload.get("question", "")
        elif e.action == Action.REPLY_CONSULTATION:
            receiver = {"name": "", "unit": dossier.competent_agency.name}
            note = "Trả lời: " + payload.get("reply", "")
        elif e.action == Action.APPROVE_SUPPLEMENT_REQUEST:
            receiver = {"name": applicant, "unit": "Người nộp hồ sơ"}
            note = "Yêu cầu bổ sung: " + "; ".join(payload.get("items", []))
        elif e.action == Action.RECEIVE_SUPPLEMENT:
            giver = {"name": applicant, "unit": "Người nộp hồ sơ"}
            receiver = {"name": e.actor_name, "unit": payload.get("actor_unit_name") or _unit_name(e)}
            note = note or "Nhận hồ sơ bổ sung"
        elif e.from_step or e.to_step:
            moved = f"{step_name(dossier, e.from_step)} → {step_name(dossier, e.to_step)}"
            note = f"{moved}. {note}" if note else moved
        rows.append(
            {
                "no": len(rows) + 1,
                "action": str(Action(e.action).label),
                "giver": giver,
                "receiver": receiver,
                "at": fmt.datetime_vn(e.at),
                "result": fmt.timeliness(e.step_timeliness or payload.get("step_timeliness", "")),
                "note": note,
            }
        )
    coordinating = list(
        dict.fromkeys(c.agency.name for c in dossier.consultations.select_related("agency").order_by("id"))
    )
    return dossier.reception_point.agency, {
        **header("06", dossier.reception_point.agency, dossier.received_at),
        "dossier": dossier_summary(dossier),
        "applicant": applicant_of(dossier),
        "procedure": procedure_of(dossier.procedure_version),
        "lead_agency": dossier.competent_agency.name,
        "coordinating": coordinating,
        "rows": rows,
    }


def _unit_name(event: DossierEvent) -> str:
    return event.actor_unit.name if event.actor_unit_id else ""  # type: ignore[union-attr]


BUILDERS = {
    "01": receipt,
    "02": supplement_request,
    "03": refusal,
    "04": apology,
    "05": stop_notice,
    "06": control_sheet,
}
