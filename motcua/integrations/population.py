"""Population-database lookups (contract §6) for the reception screen and processing.

``lookup(officer, number, name, birth_date, purpose, dossier=None) -> LookupResult`` asks the national
population database for a matched record (number + name + birth date must all match; there is no browsing).
Every lookup is logged (PopulationLookup: officer, time, dossier, purpose, matched) without the citizen's
data; the caller receives only what a reception form needs (name, birth date, sex, permanent address and
its unit codes) — the rest of the answer (parents, spouse, household) is dropped here.

When the lookup is linked to an existing dossier and matched, the dossier is marked as having used the
population database through ``mark_population_used`` — only through a dossier command (see its note).
At reception the screen passes ``population_data_used=True`` to ``commands.receive_new`` instead.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from motcua.dossiers.identity import id_number_error
from motcua.dossiers.models import Dossier

from .models import PopulationLookup
from .portal import PortalClient, PortalNotConfigured, PortalUnavailable

log = logging.getLogger("motcua.integrations.population")

# The fields a reception form may prefill; nothing else of the answer leaves this module.
KEPT_FIELDS = ("SoDinhDanh", "HoVaTen", "NgayThangNamSinh", "GioiTinh", "ThuongTru")


@dataclass
class LookupResult:
    ok: bool  # the population database answered (matched or not)
    matched: bool = False
    citizen: dict[str, Any] = field(default_factory=dict)  # only KEPT_FIELDS
    message: str = ""
    lookup_id: int | None = None
    marked_on_dossier: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def number_digest(number: str) -> str:
    """Keyed hash of an ID number: lets an auditor check "was X looked up" without a copy of the number."""
    return hmac.new(settings.SECRET_KEY.encode(), number.encode(), hashlib.sha256).hexdigest()


def _problems(number: str, name: str, birth_date: date | None, purpose: str) -> list[str]:
    problems = []
    if error := id_number_error("personal", number):
        problems.append(error)
    if not name.strip():
        problems.append("Cần nhập họ và tên.")
    if birth_date is None:
        problems.append("Cần nhập ngày sinh.")
    if not purpose.strip():
        problems.append("Cần nêu mục đích tra cứu (không có mục đích thì không được tra cứu).")
    return problems


def lookup(
    officer,
    number: str,
    name: str,
    birth_date: date | None,
    purpose: str,
    dossier: Dossier | None = None,
    *,
    client: PortalClient | None = None,
) -> LookupResult:
    number = (number or "").strip()
    problems = _problems(number, name or "", birth_date, purpose or "")
    if problems:
        return LookupResult(ok=False, message=" ".join(problems))
    try:
        client = client or PortalClient(settings.MOTCUA_POPULATION_URL)
    except PortalNotConfigured:
        return LookupResult(ok=False, message="Chưa cấu hình kết nối CSDL quốc gia về dân cư.")
    record = PopulationLookup.objects.create(
        officer=officer,
        at=timezone.now(),
        dossier=dossier,
        purpose=purpose.strip()[:255],
        request_code=f"MC-{uuid.uuid4().hex[:20]}",
        number_last4=number[-4:],
        number_digest=number_digest(number),
        matched=None,
    )
    query = {
        "SoDinhDanh": number,
        "HoVaTen": " ".join(name.split()),
        "NgayThangNamSinh": birth_date.strftime("%Y%m%d") if birth_date else "",
        "MaYeuCau": record.request_code,
        "MaCanBo": officer.get_username(),
        "MucDich": purpose.strip()[:255],
        "MaHoSo": dossier.code if dossier else "",
    }
    try:
        answer = client.call("POST", "/api/dancu/tra-cuu", query)
    except (PortalUnavailable, PortalNotConfigured) as exc:
        message = getattr(exc, "message", str(exc))
        record.error = message[:500]
        record.save(update_fields=["error"])
        return LookupResult(
            ok=False, message=f"Không tra cứu được CSDL dân cư: {message}", lookup_id=record.pk
        )
    finally:
        if client is not None:
            client.close()
    body = answer.body if isinstance(answer.body, dict) else None
    if answer.status != 200 or body is None or not isinstance(body.get("TimThay"), bool):
        record.error = f"HTTP {answer.status}: {answer.text[:300]}"
        record.save(update_fields=["error"])
        return LookupResult(
            ok=False, message=f"CSDL dân cư trả lời không hợp lệ (HTTP {answer.status}).", lookup_id=record.pk
        )
    matched = body["TimThay"]
    record.matched = matched
    record.save(update_fields=["matched"])
    if not matched:
        return LookupResult(
            ok=True,
            matched=False,
            message="Không tìm thấy công dân khớp cả số định danh, họ tên và ngày sinh.",
            lookup_id=record.pk,
        )
    citizen = body.get("CongDan") if isinstance(body.get("CongDan"), dict) else {}
    kept = {k: citizen[k] for k in KEPT_FIELDS if k in citizen}
    marked = mark_population_used(dossier, officer) if dossier is not None else False
    return LookupResult(
        ok=True, matched=True, citizen=kept, message="Thông tin khớp với CSDL dân cư.", lookup_id=record.pk,
        marked_on_dossier=marked,
    )  # fmt: skip


# The dossier command that records the use of the population database on an existing dossier. The engine
# has no such action yet (see docs/integrations.md, "Open questions"): until it exists the lookup is linked to
# the dossier in the log and the flag is set at reception (receive_new's population_data_used).
POPULATION_ACTION = "record_population_use"


def mark_population_used(dossier: Dossier, officer) -> bool:
    from motcua.dossiers import commands

    if dossier.population_data_used:
        return True
    if POPULATION_ACTION not in commands.COMMANDS:
        return False
    try:
        commands.execute(dossier.code, POPULATION_ACTION, officer, {})
    except Exception as exc:  # the lookup itself succeeded; the flag is secondary
        log.warning("Không ghi nhận được việc khai thác CSDL dân cư cho %s: %s", dossier.code, exc)
        return False
    return True


def report(year: int | None = None) -> list[dict[str, Any]]:
    """Lookups per officer and month: total, matched, not matched, failed."""
    rows = PopulationLookup.objects.all()
    if year:
        rows = rows.filter(at__year=year)
    grouped = (
        rows.annotate(month=TruncMonth("at"))
        .values("officer__username", "officer__first_name", "officer__last_name", "month")
        .annotate(
            # Not named after the `matched` field: an alias shadowing it would turn the filters into nonsense.
            n_total=Count("id"),
            n_matched=Count("id", filter=Q(matched=True)),
            n_not_matched=Count("id", filter=Q(matched=False)),
            n_failed=Count("id", filter=Q(matched__isnull=True)),
        )
        .order_by("month", "officer__username")
    )
    return [
        {
            "month": f"{g['month']:%m/%Y}" if g["month"] else "",
            "officer": g["officer__username"],
            "name": f"{g['officer__last_name']} {g['officer__first_name']}".strip(),
            "total": g["n_total"],
            "matched": g["n_matched"],
            "not_matched": g["n_not_matched"],
            "failed": g["n_failed"],
        }
        for g in grouped
    ]
