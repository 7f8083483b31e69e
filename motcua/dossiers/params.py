"""The input of each command, as pydantic models shared by the API and the pages.

Errors are turned into Vietnamese messages naming the field (`parse`), so an integration and an officer
get the same precise answer.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from motcua.catalogue.models import Subject

from .errors import InvalidInput
from .identity import id_number_error
from .models import IdKind, IntakeChannel, ResultDelivery


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ApplicantIn(Strict):
    name: str = Field(min_length=1, max_length=255, description="Họ và tên / tên tổ chức")
    id_kind: IdKind = IdKind.PERSONAL
    id_number: str = Field(min_length=1, max_length=20)
    birth_date: date | None = None
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=20)
    email: str = Field(default="", max_length=254)
    account_id: str = Field(default="", max_length=60)
    subject_type: Subject = Subject.CITIZEN
    vneid_verified: bool = False


class DelegateIn(Strict):
    name: str = Field(min_length=1, max_length=255)
    id_number: str = Field(min_length=12, max_length=12, pattern=r"^\d{12}$")
    phone: str = Field(default="", max_length=20)


class ComponentIn(Strict):
    component_id: int | None = Field(default=None, description="Thành phần trong danh mục thủ tục")
    name: str | None = Field(default=None, max_length=2000)
    provided: bool = True
    quantity: int = Field(default=1, ge=1, le=100)
    file_name: str = Field(default="", max_length=255)
    digitised: bool = False
    reuse: Literal[0, 1, 2] = 0
    from_national_store: bool = False
    replacing_result_code: str = Field(default="", max_length=20)


class ReceiveIn(Strict):
    procedure_code: str = Field(pattern=r"^\d\.\d{6}$")
    reception_point_id: int
    channel: IntakeChannel = IntakeChannel.IN_PERSON
    competent_agency_code: str | None = None
    return_point_id: int | None = None
    result_delivery: ResultDelivery = ResultDelivery.COUNTER
    delivery_address: str = Field(default="", max_length=500)
    applicant: ApplicantIn
    delegate: DelegateIn | None = None
    summary: str | None = Field(default=None, max_length=1000)
    components: list[ComponentIn] = Field(default_factory=list, max_length=100)
    form_data: dict[str, Any] = Field(default_factory=dict)
    sets_count: int = Field(default=1, ge=1, le=50)
    population_data_used: bool = False

    @field_validator("form_data")
    @classmethod
    def _small_form(cls, value: dict) -> dict:
        import json

        if len(json.dumps(value, ensure_ascii=False)) > 100_000:
            raise ValueError("Dữ liệu tờ khai quá lớn (tối đa 100 KB).")
        return value


class SubmitIn(ReceiveIn):
    """An online dossier arriving from the portal: waits in status 1 until an officer receives it."""

    national_dossier_id: str = Field(min_length=1, max_length=60)
    submitted_at: datetime | None = None


class NoteIn(Strict):
    note: str = Field(default="", max_length=2000)


class GuideIn(NoteIn):
    items: list[str] = Field(min_length=1, max_length=50, description="Những gì cần bổ sung, hoàn thiện")


class RefuseIn(NoteIn):
    reasons: list[str] = Field(min_length=1, max_length=20, description="Lý do từ chối cụ thể")


class TransferIn(NoteIn):
    handling_unit_id: int | None = Field(default=None, description="Phòng chuyên môn thụ lý")


class AssignIn(NoteIn):
    assignee_id: int = Field(description="Chuyên viên được phân công")


class MoveIn(NoteIn):
    to_step: str | None = Field(default=None, description="Bước đích (khi có nhiều lựa chọn)")
    assignee_id: int | None = Field(default=None, description="Người nhận ở bước sau")


class ResultIn(Strict):
    name: str = Field(min_length=1, max_length=2000)
    result_code: str = Field(default="", max_length=20)
    document_number: str = Field(default="", max_length=100)
    is_refusal: bool = False


class RecordResultIn(NoteIn):
    results: list[ResultIn] = Field(default_factory=list, max_length=20)


class SupplementRequestIn(NoteIn):
    items: list[str] = Field(min_length=1, max_length=50, description="Giấy tờ cần bổ sung, hoàn thiện")
    reason: str = Field(min_length=1, max_length=2000)
    legal_basis: str = Field(default="", max_length=1000)


class ReceiveSupplementIn(NoteIn):
    components: list[ComponentIn] = Field(default_factory=list, max_length=100)


class ObligationIn(Strict):
    name: str = Field(min_length=1, max_length=500)
    amount: int = Field(gt=0, le=100_000_000_000)
    code: str = Field(default="", max_length=50)


class PaymentRequestIn(NoteIn):
    items: list[ObligationIn] = Field(min_length=1, max_length=20)


class ConfirmPaymentIn(NoteIn):
    method: Literal["counter", "national_platform", "own_gateway"] = "counter"
    reference: str = Field(default="", max_length=100)


class ConsultIn(NoteIn):
    agency_id: int
    question: str = Field(min_length=1, max_length=4000)
    budget_hours: float = Field(gt=0, le=800)


class ReplyConsultationIn(NoteIn):
    consultation_id: int
    reply: str = Field(min_length=1, max_length=4000)


class ExtendIn(NoteIn):
    new_due_at: datetime
    reason: str = Field(min_length=1, max_length=2000)


class StopIn(NoteIn):
    reason: str = Field(min_length=1, max_length=2000)
    legal_ground: str = Field(default="", max_length=1000)


class WithdrawIn(NoteIn):
    reason: str = Field(min_length=1, max_length=2000)


class ReturnIn(NoteIn):
    recipient_name: str = Field(min_length=1, max_length=255)
    method: ResultDelivery = ResultDelivery.COUNTER
    proof: str = Field(default="", max_length=500)


M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "Thiếu thông tin bắt buộc.",
    "string_too_short": "Không được để trống.",
    "string_too_long": "Quá dài.",
    "string_pattern_mismatch": "Không đúng định dạng.",
    "int_parsing": "Phải là số nguyên.",
    "float_parsing": "Phải là số.",
    "date_from_datetime_parsing": "Ngày không hợp lệ (dạng YYYY-MM-DD).",
    "date_parsing": "Ngày không hợp lệ (dạng YYYY-MM-DD).",
    "datetime_parsing": "Thời điểm không hợp lệ (ISO 8601 có múi giờ).",
    "datetime_from_date_parsing": "Thời điểm không hợp lệ (ISO 8601 có múi giờ).",
    "enum": "Giá trị không thuộc danh mục cho phép.",
    "literal_error": "Giá trị không thuộc danh mục cho phép.",
    "extra_forbidden": "Trường không được hỗ trợ.",
    "too_short": "Cần ít nhất một mục.",
    "too_long": "Quá nhiều mục.",
    "greater_than": "Phải lớn hơn 0.",
    "less_than_equal": "Vượt quá giá trị cho phép.",
    "bool_parsing": "Phải là đúng/sai.",
    "model_type": "Phải là một đối tượng.",
    "list_type": "Phải là một danh sách.",
    "dict_type": "Phải là một đối tượng.",
}


def parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise invalid_input(exc.errors()) from None


def invalid_input(errors: list, *, skip_loc: int = 0) -> InvalidInput:
    """Pydantic errors as one InvalidInput with a Vietnamese message per field (and the English one)."""
    details = []
    for err in errors:
        field = ".".join(str(p) for p in list(err.get("loc", []))[skip_loc:]) or "(dữ liệu)"
        message = _MESSAGES.get(err.get("type", ""), err.get("msg", ""))
        if err.get("type") == "value_error":
            message = str(err.get("ctx", {}).get("error", err.get("msg", "")))
        details.append({"field": field, "message": message, "message_en": err.get("msg", "")})
    summary = "; ".join(f"{d['field']}: {d['message']}" for d in details)
    return InvalidInput(f"Dữ liệu không hợp lệ — {summary}", details=details)


def check_applicant(applicant: ApplicantIn) -> None:
    error = id_number_error(applicant.id_kind, applicant.id_number)
    if error:
        raise InvalidInput(error, details=[{"field": "applicant.id_number", "message": error}])
