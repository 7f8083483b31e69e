"""The counter reception screen's logic: what the officer sees before confirming, and the command input.

The appointment shown before confirming is computed exactly as the reception command will compute it: the
competent agency's working calendar (``deadlines.loader.calendar_for``) applied to the legal duration of the
procedure for the chosen channel, from now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from motcua.catalogue.models import ChannelOption, Component, Fee, Procedure, ProcedureVersion
from motcua.deadlines.engine import DeadlineError
from motcua.deadlines.loader import calendar_for
from motcua.deadlines.units import DurationUnit
from motcua.dossiers.models import CATALOGUE_CHANNEL_FOR_INTAKE, IntakeChannel
from motcua.org.models import Agency, ReceptionPoint

# Channels an officer receives at a counter (online dossiers arrive through the portal instead).
COUNTER_CHANNELS = (IntakeChannel.IN_PERSON, IntakeChannel.POSTAL)


@dataclass
class ProcedureAtCounter:
    procedure: Procedure
    version: ProcedureVersion
    channel: str
    option: ChannelOption | None
    components: list[Component]
    fees: list[Fee]
    competent: Agency | None
    appointment: datetime | None = None
    appointment_error: str = ""
    offered_channels: list[str] = field(default_factory=list)

    @property
    def fee_total(self) -> int:
        return sum(f.amount or 0 for f in self.fees if f.kind == Fee.Kind.CHARGED)

    @property
    def duration_label(self) -> str:
        option = self.option
        if option is None:
            return ""
        if option.duration_unit in ("", DurationUnit.NONE):
            return option.duration_text or _("Không quy định thời hạn")
        value = option.duration_value
        shown = str(int(value)) if value is not None and value == int(value) else str(value)
        unit = DurationUnit(option.duration_unit).label
        return f"{shown} {str(unit).lower()}" if value is not None else str(unit)


def competent_agency(version: ProcedureVersion, point: ReceptionPoint | None) -> Agency | None:
    """The agency that decides: the version's, else the one of its kind above the counter."""
    if version.competent_agency is not None:
        return version.competent_agency
    if point is None:
        return None
    from motcua.dossiers import commands

    # The reception command's own rule (a commune procedure is decided by the counter's commune).
    return commands.competent_by_kind(version.competent_agency_kind, point)


def procedure_at_counter(
    code: str, channel: str, point: ReceptionPoint | None, now: datetime
) -> ProcedureAtCounter | None:
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        return None
    version = (
        ProcedureVersion.objects.filter(procedure=procedure, status=ProcedureVersion.Status.PUBLISHED)
        .select_related("competent_agency")
        .first()
    )
    if version is None:
        return None
    if channel not in COUNTER_CHANNELS:
        channel = IntakeChannel.IN_PERSON
    options = {o.channel: o for o in version.channels.prefetch_related("fees")}
    option = options.get(CATALOGUE_CHANNEL_FOR_INTAKE[channel])
    found = ProcedureAtCounter(
        procedure=procedure,
        version=version,
        channel=channel,
        option=option,
        components=list(version.components.all()),
        fees=list(option.fees.all()) if option else [],
        competent=competent_agency(version, point),
        offered_channels=[c for c in COUNTER_CHANNELS if CATALOGUE_CHANNEL_FOR_INTAKE[c] in options],
    )
    found.appointment, found.appointment_error = appointment(found, now)
    return found


def appointment(info: ProcedureAtCounter, now: datetime) -> tuple[datetime | None, str]:
    """(due instant, or a Vietnamese reason there is none) if received now."""
    option = info.option
    if option is None:
        return None, _("Thủ tục không thực hiện qua hình thức này.")
    unit = option.duration_unit or DurationUnit.NONE
    if unit == DurationUnit.NONE:
        return None, _("Thủ tục không quy định thời hạn giải quyết.")
    if info.competent is None:
        return None, _("Cần xác định cơ quan có thẩm quyền để tính ngày hẹn.")
    duration: int | Decimal = option.duration_value if option.duration_value is not None else Decimal(0)
    if duration == int(duration):
        duration = int(duration)  # the engine's fast path, and the same value the command uses
    try:
        return calendar_for(agency=info.competent).due(now, duration, unit), ""
    except DeadlineError as exc:
        return None, _("Không tính được ngày hẹn: %(error)s") % {"error": exc}


# --------------------------------------------------------------------------------------------------------
# Population database (CSDL quốc gia về dân cư)


@dataclass
class PopulationAnswer:
    matched: bool
    message: str
    person: dict[str, str] = field(default_factory=dict)  # what the officer reads, labelled
    prefill: dict[str, str] = field(default_factory=dict)  # form field → value


def population_lookup(officer, number: str, name: str, birth: str, procedure_code: str) -> PopulationAnswer:
    """Ask the population database (``motcua.integrations.population``, which logs every lookup).

    A matched record prefills the applicant; anything else comes back as the integration's Vietnamese
    message — "not configured" included, so the counter never pretends it has checked.
    """
    try:
        from motcua.integrations.population import lookup
    except ImportError:
        return PopulationAnswer(False, _("Chưa cấu hình kết nối CSDL dân cư."))
    try:
        birth_date = date.fromisoformat(_iso_date(birth.strip())) if birth.strip() else None
    except ValueError:
        birth_date = None
    purpose = _("Tiếp nhận hồ sơ thủ tục %(code)s") % {"code": procedure_code or "—"}
    result = lookup(officer, number.replace(" ", ""), name, birth_date, purpose)
    if not result.matched:
        return PopulationAnswer(False, result.message)
    citizen = result.citizen
    residence = citizen.get("ThuongTru") or {}
    address = residence.get("ChiTiet", "") if isinstance(residence, dict) else str(residence)
    born = str(citizen.get("NgayThangNamSinh", ""))
    born_iso = f"{born[:4]}-{born[4:6]}-{born[6:8]}" if len(born) == 8 and born.isdigit() else ""
    prefill = {
        "applicant_name": str(citizen.get("HoVaTen", name)),
        "applicant_birth_date": born_iso,
        "applicant_address": address,
    }
    person = {
        str(_("Họ và tên")): prefill["applicant_name"],
        str(_("Ngày sinh")): f"{born[6:8]}/{born[4:6]}/{born[:4]}" if born_iso else born,
        str(_("Giới tính")): str(citizen.get("GioiTinh", "")),
        str(_("Thường trú")): address,
    }
    return PopulationAnswer(True, result.message, person, prefill)


# --------------------------------------------------------------------------------------------------------
# The command input from the posted form


def receive_payload(post, info: ProcedureAtCounter, point_id: int) -> tuple[dict, list[int]]:
    """(data for ``commands.receive_new``, ids of ticked catalogue components in the order sent)."""
    ticked = [c.pk for c in info.components if str(c.pk) in set(post.getlist("component"))]
    components: list[dict[str, Any]] = []
    for pk in ticked:
        quantity = post.get(f"quantity-{pk}", "1").strip() or "1"
        components.append({"component_id": pk, "quantity": int(quantity) if quantity.isdigit() else quantity})
    applicant: dict[str, Any] = {
        "name": post.get("applicant_name", ""),
        "id_kind": post.get("applicant_id_kind", "personal"),
        "id_number": post.get("applicant_id_number", "").replace(" ", ""),
        "address": post.get("applicant_address", ""),
        "phone": post.get("applicant_phone", ""),
        "email": post.get("applicant_email", ""),
        "subject_type": post.get("applicant_subject_type", "citizen"),
    }
    birth = post.get("applicant_birth_date", "").strip()
    if birth:
        applicant["birth_date"] = _iso_date(birth)
    data: dict[str, Any] = {
        "procedure_code": info.procedure.code,
        "reception_point_id": point_id,
        "channel": info.channel,
        "result_delivery": post.get("result_delivery", "counter"),
        "delivery_address": post.get("delivery_address", ""),
        "applicant": applicant,
        "components": components,
        "population_data_used": post.get("population_data_used") == "1",
    }
    return_point = post.get("return_point_id", "").strip()
    if return_point:
        data["return_point_id"] = int(return_point) if return_point.isdigit() else return_point
    if info.competent is not None and info.version.competent_agency is None:
        data["competent_agency_code"] = info.competent.code
    summary = post.get("summary", "").strip()
    if summary:
        data["summary"] = summary
    delegate_name = post.get("delegate_name", "").strip()
    if delegate_name:
        data["delegate"] = {
            "name": delegate_name,
            "id_number": post.get("delegate_id_number", "").replace(" ", ""),
            "phone": post.get("delegate_phone", ""),
        }
    sets = post.get("sets_count", "").strip()
    if sets:
        data["sets_count"] = int(sets) if sets.isdigit() else sets
    return data, ticked


def _iso_date(text: str) -> str:
    """dd/mm/yyyy (typed) or yyyy-mm-dd (a date input) → yyyy-mm-dd; anything else is left to the parser."""
    parts = text.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts):
        day, month, year = parts
        return f"{year.zfill(4)}-{month.zfill(2)}-{day.zfill(2)}"
    return text
