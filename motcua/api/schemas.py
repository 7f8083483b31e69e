"""Request and response shapes of the REST API (OpenAPI 3.1 at /api/v1/openapi.json)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Schema


class ErrorDetail(Schema):
    field: str
    message: str
    message_en: str | None = None


class ErrorOut(Schema):
    error: str
    message: str
    message_en: str
    details: list[ErrorDetail] = []


class DossierSummaryOut(Schema):
    code: str
    procedure_code: str
    procedure_name: str
    channel: str
    state: str
    state_label: str
    national_status: int
    current_step: str
    holder_unit: str | None
    holder_user: str | None
    applicant_name: str
    received_at: datetime | None
    due_at: datetime | None
    version: int


class ComponentOut(Schema):
    id: int
    name: str
    provided: bool
    quantity: int
    file_name: str
    digitised: bool
    reuse: int
    from_national_store: bool


class FeeOut(Schema):
    code: str
    name: str
    amount: int
    kind: str
    paid_at: datetime | None


class ResultOut(Schema):
    id: int
    name: str
    result_code: str
    is_refusal: bool
    signed_at: datetime | None
    issued_at: datetime | None


class ActionOut(Schema):
    action: str
    label: str
    role: str | None
    fields: dict[str, Any]
    targets: list[dict[str, Any]] | None = None
    reasons: list[str] | None = None


class DossierDetailOut(DossierSummaryOut):
    national_dossier_id: str | None
    procedure_version: int
    reception_point: str
    competent_agency: str
    return_point: str
    result_delivery: str
    applicant_id_number: str
    applicant_birth_date: date | None
    applicant_phone: str
    applicant_email: str
    applicant_address: str
    summary: str
    submitted_at: datetime | None
    original_due_at: datetime | None
    step_due_at: datetime | None
    finished_at: datetime | None
    returned_at: datetime | None
    extended: bool
    supplement_requests: int
    payment_status: str
    fee_total: int
    components: list[ComponentOut]
    fees: list[FeeOut]
    results: list[ResultOut]
    available_actions: list[ActionOut]
    blocked_actions: list[ActionOut]


class DossierPageOut(Schema):
    items: list[DossierSummaryOut]
    limit: int
    offset: int
    has_more: bool


class ActionIn(Schema):
    version: int | None = None
    data: dict[str, Any] = {}


class EventOut(Schema):
    seq: int
    action: str
    at: datetime
    actor_name: str
    actor_role: str
    from_state: str
    to_state: str
    from_step: str
    to_step: str
    national_status: int
    step_timeliness: str
    content: str
    hash: str


class TrackingEventOut(Schema):
    at: datetime
    content: str
    national_status: int


class TrackingOut(Schema):
    code: str
    procedure_name: str
    status: int
    status_label: str
    received_at: datetime | None
    due_at: datetime | None
    returned_at: datetime | None
    timeline: list[TrackingEventOut]
