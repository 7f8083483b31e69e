"""Biểu số 06 — "Tình hình, kết quả giải quyết thủ tục hành chính tại cơ quan, đơn vị trực tiếp giải
quyết" (indicators.md §2), per field (lĩnh vực) or per unit, from the aggregates.

Universe: dossiers *received for handling* (an online dossier still in status 1, or refused before
reception, is not). Definitions, by Vietnam dates (S = first day, E = last day of the period, E' = E or
today while the period runs):

- carried over: received before S and not handled before S = Σ received(< S) − Σ handled(< S);
- newly received online / in person and by post: received in [S, E], by channel;
- handled before / on / after the due date: finish date in [S, E] compared with the judged due date
  (``ontime``: extension ignored, pauses deducted, more than one supplementation request = late, no due
  date = on time, withdrawn = never late);
- in progress = received − handled; past due = in progress at the end of E' with a due date before E'
  (Σ ``b06_overdue_from`` before E' − Σ handled late up to E', see ``facts._overdue_from``);
  within = the rest.

Every row of the report is a sum of counter rows; the total row is the sum of the same counters, so rows
add up to it by construction (and a test checks it, and checks each cell against its dossier list).
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet, Sum
from django.template.loader import render_to_string
from django.utils import timezone

from .figures import AgencyTree, window
from .models import DossierFact, IndexCounter
from .periods import Period

COLUMNS: list[tuple[str, str]] = [
    ("received_total", "Tổng số"),
    ("carried_over", "Số kỳ trước chuyển qua"),
    ("new_online", "Số mới tiếp nhận trực tuyến"),
    ("new_offline", "Số mới tiếp nhận trực tiếp và qua dịch vụ bưu chính"),
    ("handled_total", "Tổng số"),
    ("early", "Trả trước hạn"),
    ("on_time", "Trả đúng hạn"),
    ("late", "Trả quá hạn"),
    ("in_progress_total", "Tổng số"),
    ("within", "Chưa đến hạn"),
    ("past_due", "Quá hạn"),
]
COLUMN_KEYS = [key for key, _ in COLUMNS]
# Column groups of the header: (title, number of columns).
GROUPS = [
    ("Số hồ sơ nhận giải quyết", 4),
    ("Số hồ sơ đã giải quyết", 4),
    ("Số hồ sơ đang giải quyết", 3),
]
BY = {"field": "Lĩnh vực", "unit": "Đơn vị"}
TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI CƠ QUAN, ĐƠN VỊ TRỰC TIẾP GIẢI QUYẾT"
NO_FIELD = "Chưa xác định lĩnh vực"


class ReportError(ValueError):
    pass


@dataclass
class Row:
    key: str  # field id / agency id as text ("" for no field); "total" for the total row
    label: str
    values: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COLUMN_KEYS, 0))


@dataclass
class Report:
    unit_code: str
    unit_name: str
    period: Period
    by: str
    as_of: date  # "in progress" is as of the end of this day
    rows: list[Row]
    total: Row


def _procedure_fields(procedure_ids: set[int]) -> dict[int, tuple[int | None, str]]:
    """Procedure → (field id, field name), from its published version (else its latest version)."""
    from motcua.catalogue.models import ProcedureVersion

    found: dict[int, tuple[int | None, str]] = {}
    rows = (
        ProcedureVersion.objects.filter(procedure_id__in=procedure_ids)
        .order_by("procedure_id", F("status").desc(), "-number")  # "published" sorts after "draft"
        .values_list("procedure_id", "status", "field_id", "field__name")
    )
    for procedure_id, status, field_id, field_name in rows:
        if procedure_id not in found or status == ProcedureVersion.Status.PUBLISHED:
            found[procedure_id] = (field_id, field_name or NO_FIELD)
    return found


def build(
    agency: Any,
    period: Period,
    by: str = "field",
    *,
    today: date | None = None,
    tree: AgencyTree | None = None,
) -> Report:
    """Biểu 06 of ``agency`` (with everything below it) for ``period``, one row per field or per unit."""
    if by not in BY:
        raise ReportError(
            f"Cách nhóm '{by}' không hợp lệ (dùng field — theo lĩnh vực — hoặc unit — theo đơn vị)."
        )
    today = today or timezone.localdate()
    tree = tree or AgencyTree.load()
    seen = period.last_day_seen(today)
    subtree = sorted(tree.subtree(agency.pk))
    before_start = window(None, period.start - timedelta(days=1))
    in_period = window(period.start, period.end)
    received = F("b06_received_online") + F("b06_received_offline")
    handled = F("b06_early") + F("b06_on_time") + F("b06_late")
    sums = {
        "received_before": Sum(received, filter=before_start),
        "handled_before": Sum(handled, filter=before_start),
        "new_online": Sum("b06_received_online", filter=in_period),
        "new_offline": Sum("b06_received_offline", filter=in_period),
        "early": Sum("b06_early", filter=in_period),
        "on_time": Sum("b06_on_time", filter=in_period),
        "late": Sum("b06_late", filter=in_period),
        "overdue_started": Sum("b06_overdue_from", filter=window(None, seen - timedelta(days=1))),
        "late_so_far": Sum("b06_late", filter=window(None, seen)),
    }
    grouped = (
        IndexCounter.objects.filter(agency_id__in=subtree, day__lte=period.end)
        .values("agency_id", "procedure_id")
        .annotate(**sums)
        .order_by()
    )
    raw: list[dict[str, Any]] = [{k: (v or 0) if k in sums else v for k, v in row.items()} for row in grouped]
    raw = [row for row in raw if any(row[k] for k in sums)]

    labels: dict[str, str] = {}
    if by == "field":
        fields = _procedure_fields({row["procedure_id"] for row in raw})

        def key_of(row: dict) -> str:
            field_id, name = fields.get(row["procedure_id"], (None, NO_FIELD))
            labels[str(field_id or "")] = name
            return str(field_id or "")
    else:

        def key_of(row: dict) -> str:
            unit = tree.reporting_unit(row["agency_id"], agency.pk)
            labels[str(unit)] = tree.nodes[unit].name
            return str(unit)

    partial: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(sums, 0))
    for row in raw:
        bucket = partial[key_of(row)]
        for name in sums:
            bucket[name] += row[name]
    report_rows = [Row(key, labels[key], _values(values)) for key, values in partial.items()]
    report_rows.sort(key=lambda r: (r.key == "", r.label))
    total = Row("total", "Tổng cộng")
    for report_row in report_rows:
        for column in COLUMN_KEYS:
            total.values[column] += report_row.values[column]
    node = tree.nodes[agency.pk]
    return Report(node.code, node.name, period, by, seen, report_rows, total)


def _values(s: dict[str, int]) -> dict[str, int]:
    carried = s["received_before"] - s["handled_before"]
    received_total = carried + s["new_online"] + s["new_offline"]
    handled_total = s["early"] + s["on_time"] + s["late"]
    in_progress = received_total - handled_total
    past_due = s["overdue_started"] - s["late_so_far"]
    return {
        "received_total": received_total,
        "carried_over": carried,
        "new_online": s["new_online"],
        "new_offline": s["new_offline"],
        "handled_total": handled_total,
        "early": s["early"],
        "on_time": s["on_time"],
        "late": s["late"],
        "in_progress_total": in_progress,
        "within": in_progress - past_due,
        "past_due": past_due,
    }


# --- The dossiers behind a cell ----------------------------------------------------------------------


def cell_dossiers(
    agency: Any,
    period: Period,
    column: str,
    *,
    by: str = "field",
    key: str | None = None,
    today: date | None = None,
    tree: AgencyTree | None = None,
) -> QuerySet[DossierFact]:
    """The facts of the dossiers counted in one cell (``key`` None: the total row)."""
    if column not in COLUMN_KEYS:
        raise ReportError(f"Cột '{column}' không có trong Biểu 06.")
    today = today or timezone.localdate()
    tree = tree or AgencyTree.load()
    seen = period.last_day_seen(today)
    start, end = period.start, period.end
    facts = DossierFact.objects.filter(
        agency_id__in=sorted(tree.subtree(agency.pk)), received_day__isnull=False
    )
    if key is not None:
        if by == "field":
            procedures = [
                p
                for p, (f, _n) in _procedure_fields(
                    set(facts.values_list("procedure_id", flat=True).distinct())
                ).items()
                if str(f or "") == key
            ]
            facts = facts.filter(procedure_id__in=procedures)
        else:
            if not key.isdigit():
                raise ReportError(f"Đơn vị '{key}' không hợp lệ.")
            unit = int(key)
            members = [pk for pk in tree.subtree(agency.pk) if tree.reporting_unit(pk, agency.pk) == unit]
            facts = facts.filter(agency_id__in=members)
    carried = Q(received_day__lt=start) & (Q(finished_day__isnull=True) | Q(finished_day__gte=start))
    new = Q(received_day__gte=start, received_day__lte=end)
    handled = Q(finished_day__gte=start, finished_day__lte=end) & ~Q(b06_class="")
    in_progress = (carried | new) & (Q(finished_day__isnull=True) | Q(finished_day__gt=end))
    past_due = Q(overdue_from__lt=seen) & (Q(finished_day__isnull=True) | Q(finished_day__gt=seen))
    conditions = {
        "received_total": carried | new,
        "carried_over": carried,
        "new_online": new & Q(online=True),
        "new_offline": new & Q(online=False),
        "handled_total": handled,
        "early": handled & Q(b06_class="early"),
        "on_time": handled & Q(b06_class="on_time"),
        "late": handled & Q(b06_class="late"),
        "in_progress_total": in_progress,
        "within": in_progress & ~past_due,
        "past_due": in_progress & past_due,
    }
    return facts.filter(conditions[column])


# --- Exports -------------------------------------------------------------------------------------------


def _period_text(report: Report) -> str:
    p = report.period
    return f"{p.label} (từ ngày {p.start:%d/%m/%Y} đến ngày {p.end:%d/%m/%Y})"


def to_xlsx(report: Report) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("Biểu 06")
    base = {"font_name": "Times New Roman", "font_size": 11, "text_wrap": True, "valign": "vcenter"}
    bold = book.add_format({**base, "bold": True})
    centre_bold = book.add_format({**base, "bold": True, "align": "center"})
    title = book.add_format({**base, "bold": True, "align": "center", "font_size": 13})
    italic = book.add_format({**base, "italic": True, "align": "center"})
    header = book.add_format({**base, "bold": True, "align": "center", "border": 1, "bg_color": "#E8EEF7"})
    cell = book.add_format({**base, "border": 1})
    number = book.add_format({**base, "border": 1, "num_format": "#,##0"})
    total_label = book.add_format({**base, "border": 1, "bold": True})
    total_number = book.add_format({**base, "border": 1, "bold": True, "num_format": "#,##0"})
    last_col = 1 + len(COLUMNS)

    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, last_col, 12)
    sheet.write(0, 0, "Biểu số 06", bold)
    sheet.merge_range(0, last_col - 3, 0, last_col, "Đơn vị báo cáo: " + report.unit_name, bold)
    sheet.merge_range(2, 0, 2, last_col, TITLE, title)
    sheet.merge_range(3, 0, 3, last_col, "Kỳ báo cáo: " + _period_text(report), italic)
    sheet.merge_range(
        4, 0, 4, last_col, f"Đơn vị tính: hồ sơ. Số liệu tính đến hết ngày {report.as_of:%d/%m/%Y}.", italic
    )
    top = 6
    sheet.merge_range(top, 0, top + 2, 0, "STT", header)
    sheet.merge_range(top, 1, top + 2, 1, BY[report.by], header)
    column = 2
    for group_title, width in GROUPS:
        sheet.merge_range(top, column, top, column + width - 1, group_title, header)
        sheet.merge_range(top + 1, column, top + 2, column, "Tổng số", header)
        sheet.merge_range(top + 1, column + 1, top + 1, column + width - 1, "Trong đó", header)
        for offset in range(1, width):
            sheet.write(top + 2, column + offset, COLUMNS[column - 2 + offset][1], header)
        column += width
    sheet.write(top + 3, 0, "(1)", header)
    sheet.write(top + 3, 1, "(2)", header)
    for i in range(len(COLUMNS)):
        sheet.write(top + 3, 2 + i, f"({i + 3})", header)
    line = top + 4
    for index, row in enumerate(report.rows, start=1):
        sheet.write(line, 0, index, cell)
        sheet.write(line, 1, row.label, cell)
        for i, key in enumerate(COLUMN_KEYS):
            sheet.write_number(line, 2 + i, row.values[key], number)
        line += 1
    sheet.merge_range(line, 0, line, 1, report.total.label, total_label)
    for i, key in enumerate(COLUMN_KEYS):
        sheet.write_number(line, 2 + i, report.total.values[key], total_number)
    line += 2
    sheet.merge_range(line, last_col - 4, line, last_col, "……, ngày … tháng … năm …", italic)
    line += 1
    sheet.merge_range(line, 1, line, 3, "NGƯỜI LẬP BIỂU", centre_bold)
    sheet.merge_range(line, last_col - 4, line, last_col, "THỦ TRƯỞNG ĐƠN VỊ", centre_bold)
    line += 1
    sheet.merge_range(line, 1, line, 3, "(Ký, ghi rõ họ tên)", italic)
    sheet.merge_range(line, last_col - 4, line, last_col, "(Ký, đóng dấu, ghi rõ họ tên)", italic)
    book.close()
    return buffer.getvalue()


def to_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "indicators/bieu06_print.html",
        {
            "report": report,
            "title": TITLE,
            "period_text": _period_text(report),
            "groups": GROUPS,
            "columns": COLUMNS,
            "by_label": BY[report.by],
            "numbers": [f"({i + 3})" for i in range(len(COLUMNS))],
            "column_keys": COLUMN_KEYS,
        },
    )
    return HTML(string=html).write_pdf()
