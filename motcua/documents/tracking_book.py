"""Mẫu 07 — the tracking book (sổ theo dõi hồ sơ) of a unit for a period, as XLSX or PDF.

A unit's book holds the dossiers it received at its counters or decides as the competent agency — the unit
itself and its own divisions (a provincial People's Committee's book includes its service centre). A
dossier belongs to the period by the day it was received (Vietnam time), or, for an online dossier never
received (waiting, refused), the day it was submitted.

One row per dossier: no., code, procedure, sets, applicant, address/phone, lead agency, received, due,
transferred to the handling agency, result received back, returned, notes (rules.md §5).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent, DueAdjustment
from motcua.org.models import Agency
from motcua.workflow.vocabulary import Action, State

from . import context as ctx
from . import fmt
from .rendering import render_form

HEADERS = [
    "STT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Ngày, giờ nhận hồ sơ",
    "Ngày, giờ hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Nhận kết quả từ cơ quan giải quyết",
    "Trả kết quả cho cá nhân, tổ chức",
    "Ghi chú",
]
# 0-based row of the column headers in the XLSX sheet (title, unit and period lines come first).
HEADER_ROW = 6
FORMATS = ("xlsx", "pdf")


class BookError(ValueError):
    """Bad export parameters; the message is Vietnamese and names the parameter."""


@dataclass
class BookRow:
    no: int
    code: str
    procedure: str
    sets: int
    applicant: str
    address_phone: str
    lead_agency: str
    received_at: datetime | None
    due_at: datetime | None
    transferred_at: datetime | None
    result_back_at: datetime | None
    returned_at: datetime | None
    notes: str

    def cells(self) -> list[Any]:
        return [
            self.no,
            self.code,
            self.procedure,
            self.sets,
            self.applicant,
            self.address_phone,
            self.lead_agency,
            self.received_at,
            self.due_at,
            self.transferred_at,
            self.result_back_at,
            self.returned_at,
            self.notes,
        ]

    def as_text(self) -> dict[str, Any]:
        return {
            "no": self.no,
            "code": self.code,
            "procedure": self.procedure,
            "sets": self.sets,
            "applicant": self.applicant,
            "address_phone": self.address_phone,
            "lead_agency": self.lead_agency,
            "received_at": fmt.datetime_vn(self.received_at),
            "due_at": fmt.datetime_vn(self.due_at),
            "transferred_at": fmt.datetime_vn(self.transferred_at),
            "result_back_at": fmt.datetime_vn(self.result_back_at),
            "returned_at": fmt.datetime_vn(self.returned_at),
            "notes": self.notes,
        }


def book_units(agency: Agency) -> list[int]:
    """The agency and its divisions at any depth (not its subordinate agencies: they keep their own book)."""
    ids = [agency.pk]
    frontier = [agency.pk]
    for _depth in range(20):
        frontier = list(
            Agency.objects.filter(parent_id__in=frontier, kind=Agency.Kind.DIVISION).values_list(
                "pk", flat=True
            )
        )
        if not frontier:
            break
        ids.extend(frontier)
    return ids


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(start, time.min, tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz),
    )


def check_params(start: date, end: date, state: str | None, fmt_: str) -> None:
    if not isinstance(start, date) or not isinstance(end, date):
        raise BookError("Cần ngày bắt đầu (from) và ngày kết thúc (to) của kỳ.")
    if end < start:
        raise BookError(f"Ngày kết thúc {end:%d/%m/%Y} trước ngày bắt đầu {start:%d/%m/%Y}.")
    if (end - start).days > 366:
        raise BookError("Kỳ xuất sổ dài tối đa một năm (366 ngày).")
    if state and state not in State.values:
        raise BookError(f"Trạng thái '{state}' không có; chọn một trong: {', '.join(State.values)}.")
    if fmt_ not in FORMATS:
        raise BookError(f"Định dạng '{fmt_}' không hỗ trợ; chọn xlsx hoặc pdf.")


def dossiers(agency: Agency, start: date, end: date, state: str | None = None) -> QuerySet[Dossier]:
    low, high = _bounds(start, end)
    units = book_units(agency)
    qs = (
        Dossier.objects.filter(Q(reception_point__agency_id__in=units) | Q(competent_agency_id__in=units))
        .filter(
            Q(received_at__gte=low, received_at__lt=high)
            | Q(received_at__isnull=True, submitted_at__gte=low, submitted_at__lt=high)
        )
        .annotate(book_at=Coalesce("received_at", "submitted_at"))
    )
    if state:
        qs = qs.filter(state=state)
    return qs.order_by(F("book_at").asc(nulls_last=True), "code")


def rows(agency: Agency, start: date, end: date, state: str | None = None) -> list[BookRow]:
    qs = dossiers(agency, start, end, state).select_related("procedure_version", "competent_agency")
    items = list(qs)
    ids = [d.pk for d in items]
    transferred: dict[int, datetime] = {}
    result_back: dict[int, datetime] = {}
    # Two queries for the whole book, whatever its length (no per-row query).
    for dossier_id, action, at in (
        DossierEvent.objects.filter(dossier_id__in=ids, action__in=[Action.TRANSFER, Action.ISSUE_RESULT])
        .order_by("seq")
        .values_list("dossier_id", "action", "at")
    ):
        if action == Action.TRANSFER:
            transferred.setdefault(dossier_id, at)  # the first transfer to the handling agency
        else:
            result_back[dossier_id] = at  # the result came back to the return point when issued
    before_extension = dict(
        DueAdjustment.objects.filter(dossier_id__in=ids, reason=DueAdjustment.Reason.EXTENDED).values_list(
            "dossier_id", "previous_due_at"
        )
    )
    now = timezone.now()
    out = []
    for no, d in enumerate(items, start=1):
        out.append(
            BookRow(
                no=no,
                code=d.code,
                procedure=d.procedure_version.name,
                sets=d.sets_count,
                applicant=d.applicant_name,
                address_phone="; ".join(x for x in (d.applicant_address, d.applicant_phone) if x),
                lead_agency=d.competent_agency.name,
                received_at=d.received_at,
                due_at=d.due_at,
                transferred_at=transferred.get(d.pk),
                result_back_at=result_back.get(d.pk),
                returned_at=d.returned_at,
                notes=_notes(d, before_extension.get(d.pk), now),
            )
        )
    return out


def _notes(d: Dossier, due_before_extension: datetime | None, now: datetime) -> str:
    notes = []
    if d.received_at is None and d.submitted_at is not None:
        notes.append(f"Nộp trực tuyến lúc {fmt.datetime_vn(d.submitted_at)}")
    if d.state != State.RETURNED:
        notes.append(str(State(d.state).label))
    # Lateness is judged against the due date before any extension (rules.md §3.2, apologise and extend).
    reference = due_before_extension if d.extended else d.due_at
    finished = d.finished_at or (None if d.state in {State.SUBMITTED} else now)
    judged = d.state not in {State.REFUSED, State.WITHDRAWN}
    if judged and reference is not None and finished is not None and finished > reference:
        notes.append("Quá hạn")
    if d.extended:
        notes.append(f"Đã xin lỗi, gia hạn đến {fmt.datetime_vn(d.due_at)}")
    if d.supplement_requests:
        notes.append(f"Yêu cầu bổ sung {d.supplement_requests} lần")
    return "; ".join(notes)


def export(agency: Agency, start: date, end: date, state: str | None = None, fmt: str = "xlsx") -> bytes:
    """The tracking book of `agency` for [start, end] (dates, inclusive), optionally one state only."""
    check_params(start, end, state, fmt)
    book = rows(agency, start, end, state)
    meta = {
        "unit": agency.name,
        "period_from": f"{start:%d/%m/%Y}",
        "period_to": f"{end:%d/%m/%Y}",
        "state_label": str(State(state).label) if state else "",
    }
    if fmt == "pdf":
        context = {
            **ctx.header("07", agency, timezone.now()),
            **meta,
            "headers": HEADERS,
            "rows": [r.as_text() for r in book],
        }
        return render_form("07", agency, context)
    return _xlsx(agency, meta, book)


def _xlsx(agency: Agency, meta: dict[str, str], book: list[BookRow]) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "remove_timezone": True})
    sheet = workbook.add_worksheet("Sổ theo dõi hồ sơ")
    base = {"font_name": "Times New Roman", "font_size": 11, "valign": "top", "text_wrap": True}
    title = workbook.add_format({**base, "bold": True, "font_size": 14, "align": "center"})
    centre = workbook.add_format({**base, "align": "center"})
    bold_centre = workbook.add_format({**base, "bold": True, "align": "center"})
    head = workbook.add_format(
        {**base, "bold": True, "align": "center", "valign": "vcenter", "border": 1, "bg_color": "#EDEDED"}
    )
    cell = workbook.add_format({**base, "border": 1})
    number_cell = workbook.add_format({**base, "border": 1, "align": "center"})
    when = workbook.add_format({**base, "border": 1, "align": "center", "num_format": "hh:mm dd/mm/yyyy"})

    last = len(HEADERS) - 1
    issuer = ctx.issuer(agency)
    sheet.merge_range(0, 0, 0, 4, issuer["parent"], centre)
    sheet.merge_range(1, 0, 1, 4, issuer["name"], bold_centre)
    sheet.merge_range(0, 7, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold_centre)
    sheet.merge_range(1, 7, 1, last, "Độc lập - Tự do - Hạnh phúc", bold_centre)
    sheet.merge_range(3, 0, 3, last, ctx.TITLES["07"], title)
    period = f"Từ ngày {meta['period_from']} đến ngày {meta['period_to']}"
    if meta["state_label"]:
        period += f" — trạng thái: {meta['state_label']}"
    sheet.merge_range(4, 0, 4, last, f"{meta['unit']} — {period}", centre)
    sheet.write_row(HEADER_ROW, 0, HEADERS, head)
    sheet.set_row(HEADER_ROW, 45)
    for i, row in enumerate(book, start=HEADER_ROW + 1):
        for j, value in enumerate(row.cells()):
            if isinstance(value, datetime):
                sheet.write_datetime(i, j, timezone.localtime(value).replace(tzinfo=None), when)
            elif value is None:
                sheet.write_blank(i, j, None, cell)
            elif j in (0, 3):
                sheet.write_number(i, j, value, number_cell)
            else:
                sheet.write_string(i, j, str(value), cell)
    widths = [5, 26, 36, 9, 22, 30, 24, 15, 15, 15, 15, 15, 28]
    for j, width in enumerate(widths):
        sheet.set_column(j, j, width)
    sheet.freeze_panes(HEADER_ROW + 1, 2)
    sheet.autofilter(HEADER_ROW, 0, HEADER_ROW + max(len(book), 1), last)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW)
    workbook.close()
    return buffer.getvalue()
