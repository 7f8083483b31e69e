"""/api/v1/indicators and /api/v1/reports/bieu-06 — the same figures as the /chi-so/ pages.

Both read through ``dashboard.build`` / ``bieu06.build``, exactly what the pages render. Staff token or
signed-in session (``STAFF_AUTH``); a unit's figures are for its supervisors, administrators and leader.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError
from ninja.responses import Status

from motcua.api.auth import STAFF_AUTH
from motcua.api.schemas import ErrorOut
from motcua.org.models import Agency

from . import bieu06, dashboard, periods
from .access import can_view
from .figures import FiguresUnavailable

router = Router(tags=["Bộ chỉ số (indicators)"], auth=STAFF_AUTH)

ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _bad_request(code: str, message: str, english: str) -> Status:
    return Status(400, {"error": code, "message": message, "message_en": english, "details": []})


def _unit(request, code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise HttpError(404, f"Không có cơ quan, đơn vị mã {code}.")
    if not can_view(request.user, agency):
        raise HttpError(403, f"Bạn không có quyền xem chỉ số của {agency.name}.")
    return agency


class ItemOut(Schema):
    number: str
    group: str
    title: str
    numerator: str
    denominator: str
    ratio_percent: str | None
    empty_policy_applied: str | None
    points: str
    score: str
    lost: str
    source: str


class GroupOut(Schema):
    code: str
    title: str
    max_points: str
    score: str


class NamedOut(Schema):
    code: str
    name: str


class PeriodOut(Schema):
    code: str
    label: str
    start: str
    end: str
    cutoff: str


class ChildOut(Schema):
    rank: int
    code: str
    name: str
    total: str
    band: str


class OfficialOut(Schema):
    total: str
    rank: int | None
    difference: str
    source: str


class TargetOut(Schema):
    title: str
    applies_to: str
    comparison: str
    value_percent: str
    due_year: int | None
    actual_percent: str | None
    met: bool | None


class TrendOut(Schema):
    period: str
    total: str
    band: str


class IndicatorsOut(Schema):
    unit: NamedOut
    period: PeriodOut
    definition: dict[str, Any]
    items: list[ItemOut]
    groups: list[GroupOut]
    total: str
    max_total: str
    band: dict[str, str]
    children: list[ChildOut]
    official: OfficialOut | None
    targets: list[TargetOut]
    trend: list[TrendOut]


@router.get(
    "/indicators",
    response={200: IndicatorsOut, **ERRORS},
    summary="Chỉ số phục vụ người dân, doanh nghiệp của một đơn vị trong một kỳ",
)
def indicators(request, unit: str, period: str, trend: bool = False):
    """``period``: 2026-07 (month), 2026-Q3 (quarter), 2026 (year) or 2026-01-01..2026-03-31 (range).

    Decimals are strings (76.64), as in ``motcua index score --json``; ``children`` ranks the child units
    (equal totals share a rank). ``trend=true`` adds the total of each month of the period's year.
    """
    agency = _unit(request, unit)
    try:
        parsed = periods.parse(period)
    except periods.PeriodError as exc:
        return _bad_request("invalid_period", str(exc), "The period is invalid.")
    try:
        board = dashboard.build(agency, parsed, with_trend=trend)
    except FiguresUnavailable as exc:
        return _bad_request("no_definition", str(exc), "No index definition applies to this period.")
    return dashboard.to_dict(board)


class Bieu06RowOut(Schema):
    key: str
    label: str
    values: dict[str, int]


class Bieu06Out(Schema):
    unit: NamedOut
    start: str
    end: str
    by: str
    as_of: str
    columns: list[NamedOut]
    rows: list[Bieu06RowOut]
    total: Bieu06RowOut


class Bieu06Query(Schema):
    unit: str
    start: str = Field(alias="from", description="Ngày đầu kỳ (YYYY-MM-DD hoặc dd/mm/yyyy)")
    end: str = Field(alias="to", description="Ngày cuối kỳ")
    by: str = Field("field", description="field (theo lĩnh vực) hoặc unit (theo đơn vị)")


@router.get(
    "/reports/bieu-06",
    response={200: Bieu06Out, **ERRORS},
    summary="Biểu 06: tình hình, kết quả giải quyết TTHC (theo lĩnh vực hoặc đơn vị)",
)
def bieu_06(request, params: Query[Bieu06Query]):
    """``from`` / ``to``: the period's first and last day (YYYY-MM-DD or dd/mm/yyyy); ``by``: field | unit."""
    agency = _unit(request, params.unit)
    try:
        period = periods.date_range(
            periods.parse_date(params.start, "ngày bắt đầu"), periods.parse_date(params.end, "ngày kết thúc")
        )
        report = bieu06.build(agency, period, params.by, today=timezone.localdate())
    except periods.PeriodError as exc:
        return _bad_request("invalid_period", str(exc), "The period is invalid.")
    except bieu06.ReportError as exc:
        return _bad_request("invalid_grouping", str(exc), "by must be field or unit.")
    return {
        "unit": {"code": report.unit_code, "name": report.unit_name},
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
        "by": report.by,
        "as_of": report.as_of.isoformat(),
        "columns": [{"code": key, "name": label} for key, label in bieu06.COLUMNS],
        "rows": [{"key": r.key, "label": r.label, "values": r.values} for r in report.rows],
        "total": {"key": "total", "label": report.total.label, "values": report.total.values},
    }
