"""Pages under /chi-so/: the unit's index, the dossiers behind an item, Biểu 06 (page, XLSX, PDF).

Server-rendered and readable without JavaScript (every chart has its table); Chart.js draws the charts from
a JSON block when it is there. Sign-in required; a unit's pages are for its supervisors, administrators and
its leader (``access.can_view``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from motcua.org.models import Agency

from . import bieu06, dashboard, drilldown, periods, scoring
from .access import can_view, home_units
from .figures import FiguresUnavailable, score_units
from .ontime import REASON_LABELS

PAGE_SIZE = 50


class Refused(Exception):
    """A request the page answers with an explanation (bad period, unknown item…), status 400."""


def _render_error(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(request, "indicators/error.html", {"message": message, **_common(request)}, status=status)


def _common(request: HttpRequest) -> dict[str, Any]:
    return {"site_name": settings.MOTCUA_SITE_NAME, "home_units": home_units(request.user)}


def _agency(request: HttpRequest, code: str) -> Agency:
    agency = Agency.objects.filter(code=code).first()
    if agency is None:
        raise Http404(f"Không có cơ quan, đơn vị mã {code}.")
    return agency


def _period(request: HttpRequest) -> periods.Period:
    text = request.GET.get("ky", "").strip()
    if not text:
        return periods.current_quarter(timezone.localdate())
    try:
        return periods.parse(text)
    except periods.PeriodError as exc:
        raise Refused(str(exc)) from None


def _procedure_id(request: HttpRequest) -> tuple[int | None, Any]:
    from motcua.catalogue.models import Procedure

    code = request.GET.get("thu-tuc", "").strip()
    if not code:
        return None, None
    procedure = Procedure.objects.filter(code=code).first()
    if procedure is None:
        raise Refused(f"Không có thủ tục mã {code} trong danh mục.")
    return procedure.pk, procedure


def guarded(view):
    """Sign-in, the unit from the URL, the viewer's right to see it, and a clear page for bad input."""

    @login_required
    def wrapper(request: HttpRequest, code: str, *args: Any, **kwargs: Any) -> HttpResponse:
        agency = _agency(request, code)
        if not can_view(request.user, agency):
            return _render_error(
                request,
                f"Bạn không có quyền xem chỉ số của {agency.name}: chỉ người giám sát đơn vị này (hoặc cấp "
                "trên), quản trị viên và lãnh đạo của chính đơn vị được xem.",
                403,
            )
        try:
            return view(request, agency, *args, **kwargs)
        except (Refused, bieu06.ReportError) as exc:
            return _render_error(request, str(exc), 400)
        except FiguresUnavailable as exc:
            return _render_error(request, str(exc), 409)

    wrapper.__name__ = view.__name__
    return wrapper


@login_required
def home(request: HttpRequest) -> HttpResponse:
    units = home_units(request.user)
    if not units:
        return _render_error(
            request,
            "Tài khoản của bạn không có vai trò giám sát, quản trị hay lãnh đạo cơ quan nên không xem được "
            "bộ chỉ số.",
            403,
        )
    return redirect("indicators:dashboard", code=units[0].code)


def _links(code: str, period: periods.Period, extra: dict | None = None) -> str:
    query = {"ky": period.code, **(extra or {})}
    return reverse("indicators:dashboard", args=[code]) + "?" + urlencode(query)


def _period_choices(today: date) -> list[periods.Period]:
    month = periods.month(today.year, today.month)
    quarter = periods.current_quarter(today)
    return [
        month,
        month.previous(),
        quarter,
        quarter.previous(),
        periods.year(today.year),
        periods.year(today.year - 1),
    ]


@dataclass
class WhatIf:
    item: str
    numerator: int
    denominator: int
    gain: Decimal | None
    error: str = ""


def _what_if(request: HttpRequest, board: dashboard.Dashboard) -> WhatIf | None:
    item = request.GET.get("chi-tieu", "").strip()
    if not item:
        return None
    try:
        numerator = int(request.GET.get("them", "0") or 0)
        denominator = int(request.GET.get("them-mau", "0") or 0)
    except ValueError:
        return WhatIf(item, 0, 0, None, "Số hồ sơ thêm phải là số nguyên.")
    try:
        gain = scoring.what_if(board.definition, board.scores.root.unit.figures, item, numerator, denominator)
    except (scoring.FiguresError, InvalidOperation) as exc:
        return WhatIf(item, numerator, denominator, None, str(exc))
    return WhatIf(item, numerator, denominator, gain)


def _drillable(item: str) -> bool:
    return (
        item in drilldown.DOSSIER_ITEMS
        or item in drilldown.PROCEDURE_ITEMS
        or item in drilldown.COMMUNE_ITEMS
    )


@guarded
def dashboard_view(request: HttpRequest, agency: Agency) -> HttpResponse:
    period = _period(request)
    procedure_id, procedure = _procedure_id(request)
    board = dashboard.build(agency, period, procedure_id=procedure_id)
    definition = board.definition
    titles = {i.number: i.title_vi for i in definition.items}
    group_titles = {g.code: g.title_vi for g in definition.groups}
    targets_by_item: dict[str, list[dashboard.TargetView]] = {}
    for target in board.targets:
        targets_by_item.setdefault(target.applies_to, []).append(target)
    root = board.scores.root
    items = []
    for item in root.score.items:
        figure = root.unit.figures[item.number]
        items.append(
            {
                "score": item,
                "title": titles[item.number],
                "percent": scoring.ratio_percent(item.ratio),
                "source": figure.source,
                "computed": definition.item(item.number).source == scoring.Source.COMPUTED,
                "drill": _drillable(item.number),
                "targets": targets_by_item.get(item.number, []),
            }
        )
    chart = {
        "groups": {
            "labels": [group_titles[g.code] for g in root.score.groups],
            "score": [float(g.score) for g in root.score.groups],
            "max": [float(g.max_points) for g in root.score.groups],
        },
        "trend": {
            "labels": [p.label for p, _s in board.trend],
            "total": [float(s.total) for _p, s in board.trend],
        },
        "ranking": {
            "labels": [r.key.node.name for r in board.scores.ranking],
            "total": [float(r.total) for r in board.scores.ranking],
        },
    }
    what = _what_if(request, board)
    parents: list[Agency] = []
    node = agency.parent
    while node is not None and can_view(request.user, node):
        parents.insert(0, node)
        node = node.parent
    context = {
        **_common(request),
        "agency": agency,
        "parents": parents,
        "period": period,
        "procedure": procedure,
        "board": board,
        "result": root.score,
        "groups": [(g, group_titles[g.code]) for g in root.score.groups],
        "items": items,
        "lost": [(i, titles[i.number], _drillable(i.number)) for i in root.score.lost_points()],
        "ranking": [
            (r, _links(r.key.node.code, period), board.official_children.get(r.key.node.pk))
            for r in board.scores.ranking
        ],
        "period_choices": [(p, _links(agency.code, p)) for p in _period_choices(timezone.localdate())],
        "previous_link": _links(agency.code, period.previous()),
        "chart_data": chart,
        "what_if": what,
        "item_choices": [(i.number, titles[i.number]) for i in definition.items],
        "bieu06_link": reverse("indicators:bieu06", args=[agency.code]),
    }
    return render(request, "indicators/dashboard.html", context)


@guarded
def item_view(request: HttpRequest, agency: Agency, item: str) -> HttpResponse:
    period = _period(request)
    procedure_id, procedure = _procedure_id(request)
    outcome = request.GET.get("ket-qua", "lost")
    if outcome not in drilldown.OUTCOMES:
        raise Refused("Tham số ket-qua phải là earned (được điểm) hoặc lost (mất điểm).")
    scores = score_units(agency, period, procedure_id=procedure_id, with_children=False)
    definition = scores.definition
    numbers = set(definition.item_numbers)
    if item not in numbers:
        raise Refused(f"Chỉ tiêu {item} không có trong bộ chỉ số phiên bản {definition.version}.")
    score = scores.root.score.item(item)
    context: dict[str, Any] = {
        **_common(request),
        "agency": agency,
        "period": period,
        "procedure": procedure,
        "item": definition.item(item),
        "score": score,
        "percent": scoring.ratio_percent(score.ratio),
        "outcome": outcome,
        "outcome_label": drilldown.OUTCOMES[outcome],
        "other_link": reverse("indicators:item", args=[agency.code, item])
        + "?"
        + urlencode(
            {
                "ky": period.code,
                "ket-qua": "earned" if outcome == "lost" else "lost",
                **({"thu-tuc": procedure.code} if procedure else {}),
            }
        ),
        "back_link": _links(agency.code, period, {"thu-tuc": procedure.code} if procedure else None),
        "source": scores.root.unit.figures[item].source,
    }
    if item in drilldown.DOSSIER_ITEMS:
        facts = (
            drilldown.dossier_facts(
                scores.context.tree.subtree(agency.pk),
                period,
                item,
                outcome,
                cutoff=scores.cutoff,
                procedure_id=procedure_id,
            )
            .select_related("dossier", "procedure", "agency")
            .order_by("day", "dossier_id")
        )
        page = Paginator(facts, PAGE_SIZE).get_page(request.GET.get("trang"))
        context.update(kind="dossiers", page=page, reasons=REASON_LABELS, total=page.paginator.count)
    elif item in drilldown.PROCEDURE_ITEMS:
        entries = drilldown.procedure_entries(scores.root.unit, scores.context.catalogue, item, outcome)
        context.update(kind="procedures", entries=entries, total=len(entries))
    elif item in drilldown.COMMUNE_ITEMS:
        entries = drilldown.commune_entries(scores.root.unit, scores.context.tree, outcome)
        context.update(kind="communes", entries=entries, total=len(entries))
    else:
        context.update(kind="input")
    return render(request, "indicators/item.html", context)


def _report_period(request: HttpRequest) -> periods.Period:
    """Biểu 06: explicit dates (tu/den), else a frequency (tan-suat, nam, so), else this quarter."""
    start, end = request.GET.get("tu", "").strip(), request.GET.get("den", "").strip()
    try:
        if start or end:
            if not (start and end):
                raise Refused("Cần cả ngày bắt đầu (tu) và ngày kết thúc (den).")
            return periods.date_range(
                periods.parse_date(start, "ngày bắt đầu"), periods.parse_date(end, "ngày kết thúc")
            )
        today = timezone.localdate()
        frequency = request.GET.get("tan-suat", "quarter")
        year = int(request.GET.get("nam", today.year))
        default = {"month": today.month, "quarter": (today.month - 1) // 3 + 1}.get(frequency, 1)
        number = int(request.GET.get("so", default))
        return periods.report_period(frequency, year, number)
    except ValueError as exc:
        raise Refused(
            str(exc) if isinstance(exc, periods.PeriodError) else "Năm và số kỳ phải là số."
        ) from None


@guarded
def bieu06_view(request: HttpRequest, agency: Agency) -> HttpResponse:
    period = _report_period(request)
    by = request.GET.get("theo", "field")
    report = bieu06.build(agency, period, by)
    fmt = request.GET.get("dinh-dang", "")
    filename = f"bieu-06-{agency.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}"
    if fmt == "xlsx":
        response = HttpResponse(
            bieu06.to_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    if fmt == "pdf":
        response = HttpResponse(bieu06.to_pdf(report), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{filename}.pdf"'
        return response
    if fmt:
        raise Refused(f"Định dạng '{fmt}' không hỗ trợ (dùng xlsx hoặc pdf).")
    base = {"tu": period.start.isoformat(), "den": period.end.isoformat(), "theo": by}
    cell_url = reverse("indicators:bieu06_cell", args=[agency.code])
    rows = [
        (
            index,
            row,
            [
                (row.values[k], f"{cell_url}?{urlencode({**base, 'cot': k, 'dong': row.key})}")
                for k in bieu06.COLUMN_KEYS
            ],
        )
        for index, row in enumerate(report.rows, start=1)
    ]
    total = [
        (report.total.values[k], f"{cell_url}?{urlencode({**base, 'cot': k})}") for k in bieu06.COLUMN_KEYS
    ]
    context = {
        **_common(request),
        "agency": agency,
        "report": report,
        "rows": rows,
        "total": total,
        "groups": bieu06.GROUPS,
        "columns": bieu06.COLUMNS,
        "title": bieu06.TITLE,
        "by_label": bieu06.BY[by],
        "frequencies": periods.FREQUENCIES,
        "xlsx_link": "?" + urlencode({**base, "dinh-dang": "xlsx"}),
        "pdf_link": "?" + urlencode({**base, "dinh-dang": "pdf"}),
        "other_by_link": "?" + urlencode({**base, "theo": "unit" if by == "field" else "field"}),
        "dashboard_link": reverse("indicators:dashboard", args=[agency.code]),
        "today": timezone.localdate(),
    }
    return render(request, "indicators/bieu06.html", context)


@guarded
def bieu06_cell_view(request: HttpRequest, agency: Agency) -> HttpResponse:
    period = _report_period(request)
    by = request.GET.get("theo", "field")
    column = request.GET.get("cot", "")
    key = request.GET.get("dong")
    facts = (
        bieu06.cell_dossiers(agency, period, column, by=by, key=key)
        .select_related("dossier", "procedure", "agency")
        .order_by("received_day", "dossier_id")
    )
    page = Paginator(facts, PAGE_SIZE).get_page(request.GET.get("trang"))
    labels = dict(bieu06.COLUMNS)
    context = {
        **_common(request),
        "agency": agency,
        "period": period,
        "column_label": labels[column],
        "page": page,
        "total": page.paginator.count,
        "reasons": REASON_LABELS,
        "back_link": reverse("indicators:bieu06", args=[agency.code])
        + "?"
        + urlencode({"tu": period.start.isoformat(), "den": period.end.isoformat(), "theo": by}),
    }
    return render(request, "indicators/cell.html", context)
