"""Errors a command can raise. Each carries a stable code (for the API) and a Vietnamese message."""

from __future__ import annotations


class DossierError(Exception):
    code = "dossier_error"
    http_status = 400

    def __init__(self, message: str, *, code: str | None = None, details: list[dict] | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details or []


class InvalidInput(DossierError):
    code = "invalid_input"
    http_status = 422


class NotAllowed(DossierError):
    """The action is not possible in the dossier's current state or step."""

    code = "action_not_allowed"
    http_status = 409


class GuardFailed(DossierError):
    code = "guard_failed"
    http_status = 409


class PermissionDenied(DossierError):
    code = "permission_denied"
    http_status = 403


class Conflict(DossierError):
    """Someone else changed the dossier since the caller looked at it."""

    code = "changed_by_someone_else"
    http_status = 409


class NotFound(DossierError):
    code = "not_found"
    http_status = 404
