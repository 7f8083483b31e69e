"""One shape for every API error: a stable code, the Vietnamese message and an English one."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from motcua.dossiers.errors import DossierError


def _field_loc(loc) -> list:
    loc = list(loc)
    if loc and loc[0] == "body":
        loc = loc[2:] if len(loc) > 2 else loc[1:]
    elif loc and loc[0] in ("query", "path"):
        loc = loc[1:]
    return loc


ENGLISH = {
    "invalid_input": "The request data is invalid.",
    "components_missing": "Required dossier components are missing.",
    "unknown_procedure": "Unknown procedure code.",
    "unpublished_procedure": "The procedure has no published version.",
    "unknown_reception_point": "Unknown or inactive reception point.",
    "unknown_return_point": "Unknown result-return point.",
    "unknown_agency": "Unknown agency code.",
    "agency_required": "The competent agency must be given.",
    "channel_not_offered": "The procedure is not offered through this channel.",
    "no_process": "No internal process is published for this procedure.",
    "deadline_error": "The due date could not be computed.",
    "action_not_allowed": "This action is not allowed in the dossier's current state or step.",
    "unknown_action": "Unknown action.",
    "guard_failed": "The conditions for this action are not met yet.",
    "permission_denied": "You do not hold the role needed for this action in this unit.",
    "changed_by_someone_else": "The dossier was changed by someone else; reload it and try again.",
    "not_found": "Not found.",
    "unauthenticated": "Authentication required.",
    "rate_limited": "Too many requests; try again later.",
    "payload_too_large": "The request body is larger than allowed.",
}


def body(code: str, message: str, details: list | None = None) -> dict:
    return {
        "error": code,
        "message": message,
        "message_en": ENGLISH.get(code, code),
        "details": details or [],
    }


def install(api) -> None:
    @api.exception_handler(DossierError)
    def dossier_error(request, exc: DossierError):
        return api.create_response(request, body(exc.code, exc.message, exc.details), status=exc.http_status)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        details = [
            {
                "field": ".".join(str(p) for p in e.get("loc", [])[1:]) or "body",
                "message": "Dữ liệu không hợp lệ.",
                "message_en": e.get("msg", ""),
            }
            for e in exc.errors
        ]
        return api.create_response(
            request, body("invalid_input", "Dữ liệu gửi lên không hợp lệ.", details), status=422
        )

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return api.create_response(
            request, body("payload_too_large", f"Dữ liệu gửi lên vượt quá giới hạn {limit} KB."), status=413
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request, body("unauthenticated", "Cần đăng nhập hoặc khóa truy cập API."), status=401
        )

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = {403: "permission_denied", 404: "not_found", 429: "rate_limited"}.get(exc.status_code, "error")
        return api.create_response(request, body(code, str(exc)), status=exc.status_code)
