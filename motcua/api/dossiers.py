"""/api/v1/dossiers — receive, list, read, act on dossiers, and read their events."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from motcua.dossiers import commands, queries
from motcua.dossiers.errors import NotFound
from motcua.dossiers.models import Dossier
from motcua.dossiers.params import ReceiveIn
from motcua.workflow.vocabulary import State

from .auth import STAFF_AUTH
from .schemas import ActionIn, DossierDetailOut, DossierPageOut, ErrorOut, EventOut

router = Router(tags=["Hồ sơ (dossiers)"], auth=STAFF_AUTH)

ERRORS = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
}


def summary(d: Dossier) -> dict:
    return {
        "code": d.code,
        "procedure_code": d.procedure.code,
        "procedure_name": d.procedure.name,
        "channel": d.channel,
        "state": d.state,
        "state_label": str(State(d.state).label),
        "national_status": d.national_status,
        "current_step": d.current_step,
        "holder_unit": d.holder_unit.name if d.holder_unit else None,
        "holder_user": d.holder_user.get_username() if d.holder_user else None,
        "applicant_name": d.applicant_name,
        "received_at": d.received_at,
        "due_at": d.due_at,
        "version": d.version,
    }


def detail(d: Dossier, user) -> dict:
    available, blocked = commands.available_actions(d, user)
    return {
        **summary(d),
        "national_dossier_id": d.national_dossier_id,
        "procedure_version": d.procedure_version.number,
        "reception_point": d.reception_point.name,
        "competent_agency": d.competent_agency.name,
        "return_point": d.return_point.name,
        "result_delivery": d.result_delivery,
        "applicant_id_number": d.applicant_id_number,
        "applicant_birth_date": d.applicant_birth_date,
        "applicant_phone": d.applicant_phone,
        "applicant_email": d.applicant_email,
        "applicant_address": d.applicant_address,
        "summary": d.summary,
        "submitted_at": d.submitted_at,
        "original_due_at": d.original_due_at,
        "step_due_at": d.step_due_at,
        "finished_at": d.finished_at,
        "returned_at": d.returned_at,
        "extended": d.extended,
        "supplement_requests": d.supplement_requests,
        "payment_status": d.payment_status,
        "fee_total": d.fee_total,
        "components": list(d.components.all()),
        "fees": list(d.fees.all()),
        "results": list(d.results.all()),
        "available_actions": available,
        "blocked_actions": blocked,
    }


def _visible(request) -> QuerySet[Dossier]:
    return queries.visible_dossiers(request.user).select_related("procedure", "holder_unit", "holder_user")


def _get(request, code: str) -> Dossier:
    dossier = queries.load(code)
    if dossier is None:
        raise NotFound(f"Không tìm thấy hồ sơ {code}.")
    if not queries.can_see(request.user, dossier):
        raise HttpError(403, "Hồ sơ nằm ngoài phạm vi đơn vị của bạn.")
    return dossier


def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR")


@router.post("/dossiers", response={201: DossierDetailOut, **ERRORS}, summary="Tiếp nhận hồ sơ")
def receive(request, payload: ReceiveIn):
    dossier = commands.receive_new(request.user, payload.model_dump(mode="json"), ip=_ip(request))
    return Status(201, detail(_get(request, dossier.code), request.user))


class ListFilters(Schema):
    state: State | None = None
    unit: int | None = None
    procedure: str | None = None
    channel: str | None = None
    due_before: datetime | None = None
    overdue: bool = False
    q: str | None = None
    limit: int = 50
    offset: int = 0


@router.get("/dossiers", response={200: DossierPageOut, **ERRORS}, summary="Danh sách hồ sơ")
def list_dossiers(request, filters: Query[ListFilters]):
    limit = max(1, min(filters.limit, 200))
    offset = max(0, filters.offset)
    qs = queries.filter_dossiers(
        _visible(request),
        state=filters.state,
        unit=filters.unit,
        procedure=filters.procedure,
        channel=filters.channel,
        due_before=filters.due_before,
        overdue_at=timezone.now() if filters.overdue else None,
        text=filters.q,
    ).order_by("due_at", "id")
    rows = list(qs[offset : offset + limit + 1])
    return {
        "items": [summary(d) for d in rows[:limit]],
        "limit": limit,
        "offset": offset,
        "has_more": len(rows) > limit,
    }


@router.get("/dossiers/{code}", response={200: DossierDetailOut, **ERRORS}, summary="Chi tiết hồ sơ")
def get_dossier(request, code: str):
    return detail(_get(request, code), request.user)


@router.post(
    "/dossiers/{code}/actions/{action}",
    response={200: DossierDetailOut, **ERRORS},
    summary="Thực hiện thao tác trên hồ sơ",
)
def act(request, code: str, action: str, payload: ActionIn):
    _get(request, code)
    commands.execute(
        code, action, request.user, payload.data, expected_version=payload.version, ip=_ip(request)
    )
    return detail(_get(request, code), request.user)


@router.get("/dossiers/{code}/events", response={200: list[EventOut], **ERRORS}, summary="Nhật ký xử lý")
def events(request, code: str):
    dossier = _get(request, code)
    return [
        {
            **{
                f: getattr(e, f)
                for f in (
                    "seq",
                    "action",
                    "at",
                    "actor_name",
                    "actor_role",
                    "from_state",
                    "to_state",
                    "from_step",
                    "to_step",
                    "national_status",
                    "step_timeliness",
                    "hash",
                )
            },
            "content": e.payload.get("content", ""),
        }
        for e in dossier.events.order_by("seq")
    ]
