"""How the forms write dates, durations, amounts and names (Vietnamese administrative style)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone

from motcua.deadlines.units import DurationUnit, Timeliness


def local(moment: datetime | str | None) -> datetime | None:
    if moment is None or moment == "":
        return None
    if isinstance(moment, str):  # event payloads store ISO 8601 instants
        moment = datetime.fromisoformat(moment)
    return timezone.localtime(moment)


def datetime_vn(moment: datetime | str | None) -> str:
    """hh:mm dd/mm/yyyy in Vietnam time; empty when unknown."""
    value = local(moment)
    return f"{value:%H:%M %d/%m/%Y}" if value else ""


def date_vn(moment: datetime | date | str | None) -> str:
    if isinstance(moment, date) and not isinstance(moment, datetime):
        return f"{moment:%d/%m/%Y}"
    value = local(moment)
    return f"{value:%d/%m/%Y}" if value else ""


def dated(moment: datetime | date | str | None) -> str:
    """'ngày 02 tháng 03 năm 2026' — how a document states the day it was issued."""
    if isinstance(moment, date) and not isinstance(moment, datetime):
        day = moment
    else:
        value = local(moment)
        if value is None:
            return "ngày … tháng … năm …"
        day = value.date()
    return f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def number(value: Decimal | int | float | None) -> str:
    """5 → '5', 2.50 → '2,5' (Vietnamese decimal comma)."""
    if value is None:
        return ""
    d = Decimal(str(value)).normalize()
    text = f"{d:f}"
    return text.replace(".", ",")


def money(amount: int | None) -> str:
    """50000 → '50.000' (dot as thousands separator)."""
    return f"{amount or 0:,}".replace(",", ".")


DURATION_WORDS = {
    DurationUnit.WORKING_DAYS: "ngày làm việc",
    DurationUnit.WORKING_HOURS: "giờ làm việc",
    DurationUnit.CALENDAR_DAYS: "ngày",
    DurationUnit.MONTHS: "tháng",
}


def duration(value: Decimal | None, unit: str) -> str:
    if unit == DurationUnit.SAME_DAY:
        return "Trong ngày làm việc"
    if unit == DurationUnit.NONE or value is None or unit not in DURATION_WORDS:
        return "Không quy định thời hạn"
    return f"{number(value)} {DURATION_WORDS[DurationUnit(unit)]}"


def timeliness(value: str) -> str:
    return str(Timeliness(value).label) if value in Timeliness.values else ""


def person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
