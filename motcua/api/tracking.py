"""/api/v1/tracking — the public lookup: status and timeline, no personal data, rate limited."""

from __future__ import annotations

from django.core.cache import cache
from ninja import Router
from ninja.errors import HttpError

from motcua.dossiers.models import Dossier
from motcua.workflow.national import NATIONAL_LABELS

from .schemas import ErrorOut, TrackingOut

router = Router(tags=["Tra cứu công khai (public tracking)"])

LIMIT_PER_MINUTE = 30


def too_many_lookups(address: str | None) -> bool:
    """Count one lookup from this address; True once it exceeds the limit (shared with the web page)."""
    key = f"tracking:{address or '?'}"
    cache.add(key, 0, timeout=60)
    return cache.incr(key) > LIMIT_PER_MINUTE


def _throttle(request) -> None:
    if too_many_lookups(request.META.get("REMOTE_ADDR")):
        raise HttpError(429, "Tra cứu quá nhiều lần, vui lòng thử lại sau một phút.")


@router.get(
    "/tracking/{code}",
    auth=None,
    response={200: TrackingOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Tra cứu tình trạng hồ sơ",
)
def track(request, code: str, id_last4: str):
    """The applicant proves knowledge of the last four digits of the ID number or of the phone number."""
    _throttle(request)
    found = public_status(code, id_last4)
    if found is None:
        raise HttpError(404, "Không tìm thấy hồ sơ với mã và 4 số cuối đã nhập.")
    return found


def public_status(code: str, id_last4: str) -> dict | None:
    """Status and timeline without personal data, or None (same answer for no dossier and wrong digits).

    Shared by this endpoint and the public tracking page (the QR target), so both reveal exactly the same.
    """
    # The code is unique: no ORDER BY (which `.first()` adds, and which costs Django more CPU on a wide row
    # than PostgreSQL needs to find it).
    dossier = next(iter(Dossier.objects.select_related("procedure").filter(code=code).order_by()[:1]), None)
    secret_ok = (
        dossier is not None
        and len(id_last4) == 4
        and id_last4
        in (
            dossier.applicant_id_number[-4:],
            dossier.applicant_phone[-4:] if dossier.applicant_phone else None,
        )
    )
    if not secret_ok:
        # Same answer for "no such dossier" and "wrong digits": the code alone reveals nothing.
        return None
    assert dossier is not None
    return {
        "code": dossier.code,
        "procedure_name": dossier.procedure.name,
        "status": dossier.national_status,
        "status_label": NATIONAL_LABELS[dossier.national_status],
        "received_at": dossier.received_at,
        "due_at": dossier.due_at,
        "returned_at": dossier.returned_at,
        "timeline": [
            {"at": e.at, "content": _public_content(e.national_status), "national_status": e.national_status}
            for e in dossier.events.order_by("seq").only("at", "national_status")
        ],
    }


def _public_content(status: int) -> str:
    return NATIONAL_LABELS[status]
