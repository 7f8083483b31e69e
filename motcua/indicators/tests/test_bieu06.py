"""Biểu 06: reporting periods, rows that add up, cells that match their dossier lists, XLSX and PDF."""

import io
import shutil
import subprocess
from datetime import date

import openpyxl
import pytest
import time_machine

from motcua.indicators import bieu06, periods
from motcua.indicators.testing import at

from .conftest import NOW

MARCH = periods.parse("2026-03")
TODAY = date(2026, 4, 2)


@pytest.mark.parametrize(
    ("frequency", "number", "start", "end"),
    [
        ("month", 1, date(2025, 12, 15), date(2026, 1, 14)),
        ("month", 7, date(2026, 6, 15), date(2026, 7, 14)),
        ("quarter", 1, date(2025, 12, 15), date(2026, 3, 14)),
        ("quarter", 3, date(2026, 6, 15), date(2026, 9, 14)),
        ("six_months", 1, date(2025, 12, 15), date(2026, 6, 14)),
        ("nine_months", 1, date(2025, 12, 15), date(2026, 9, 14)),
        ("year", 1, date(2025, 12, 15), date(2026, 12, 14)),
    ],
)
def test_reporting_periods_close_on_the_fourteenth(frequency, number, start, end):
    period = periods.report_period(frequency, 2026, number)
    assert (period.start, period.end) == (start, end)


def test_an_unknown_frequency_is_refused_by_name():
    with pytest.raises(periods.PeriodError, match="Tần suất 'weekly'"):
        periods.report_period("weekly", 2026)


def test_rows_add_up_to_the_total_and_every_cell_matches_its_dossier_list(scenario):
    w = scenario.world
    for by in ("field", "unit"):
        for text in ("2026-03", "2026-03-15..2026-04-14", "2026-02-10..2026-03-05"):
            period = periods.parse(text)
            report = bieu06.build(w.province, period, by, today=TODAY)
            assert report.rows, (by, text)
            for key in bieu06.COLUMN_KEYS:
                assert sum(row.values[key] for row in report.rows) == report.total.values[key], (
                    by,
                    text,
                    key,
                )
                for row in report.rows:
                    listed = bieu06.cell_dossiers(w.province, period, key, by=by, key=row.key, today=TODAY)
                    assert listed.count() == row.values[key], (by, text, row.label, key)
                total = bieu06.cell_dossiers(w.province, period, key, by=by, today=TODAY).count()
                assert total == report.total.values[key], (by, text, key)
            v = report.total.values
            assert v["received_total"] == v["carried_over"] + v["new_online"] + v["new_offline"]
            assert v["received_total"] == v["handled_total"] + v["in_progress_total"]
            assert v["handled_total"] == v["early"] + v["on_time"] + v["late"]
            assert v["in_progress_total"] == v["within"] + v["past_due"]


def test_march_in_figures(scenario):
    report = bieu06.build(scenario.world.province, MARCH, "field", today=TODAY)
    v = report.total.values
    # Received for handling: carried over from February (1), new at the counter (early, late, open_late,
    # open_ok, supplement, copies, withdrawn = 7); the online dossier was never received.
    assert (v["carried_over"], v["new_online"], v["new_offline"]) == (1, 0, 7)
    # Handled in March: carried (03/03, due 04/03: early), early (early), late (10/03 vs 09/03: late),
    # withdrawn (on time: never late in Biểu 06).
    assert (v["early"], v["on_time"], v["late"]) == (2, 1, 1)
    # In progress on 31/03: open_late (past due), open_ok (due 06/04), supplement (clock stopped: within),
    # copies (due 06/03: past due).
    assert (v["in_progress_total"], v["within"], v["past_due"]) == (4, 2, 2)
    assert [row.label for row in report.rows] == ["Hộ tịch", "Chưa xác định lĩnh vực"]


def test_by_unit_rows_are_the_child_units(scenario):
    report = bieu06.build(scenario.world.province, MARCH, "unit", today=TODAY)
    assert {row.label for row in report.rows} == {"Sở Tư pháp", "UBND phường Đông Hải"}


def test_the_xlsx_has_vietnamese_headers_the_unit_the_period_and_the_same_figures(scenario):
    report = bieu06.build(scenario.world.province, MARCH, "field", today=TODAY)
    book = openpyxl.load_workbook(io.BytesIO(bieu06.to_xlsx(report)))
    sheet = book.active
    text = [str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None]
    assert "Biểu số 06" in text
    assert any(scenario.world.province.name in t for t in text)
    assert any("từ ngày 01/03/2026 đến ngày 31/03/2026" in t for t in text)
    for label in ("Số hồ sơ nhận giải quyết", "Số kỳ trước chuyển qua", "Trả quá hạn", "THỦ TRƯỞNG ĐƠN VỊ"):
        assert label in text
    total_row = next(row for row in sheet.iter_rows(values_only=True) if row[0] == "Tổng cộng")
    assert list(total_row[2:13]) == [report.total.values[k] for k in bieu06.COLUMN_KEYS]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_is_a4_landscape_with_vietnamese_text(scenario, tmp_path):
    report = bieu06.build(scenario.world.province, MARCH, "unit", today=TODAY)
    pdf = tmp_path / "bieu06.pdf"
    pdf.write_bytes(bieu06.to_pdf(report))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    width, height = (float(x) for x in info.split("Page size:")[1].split("pts")[0].split("x"))
    assert width > height and round(width) == 842  # A4 landscape, in points
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "Biểu số 06",
        "UBND tỉnh Thử Nghiệm",
        "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH",
        "NGƯỜI LẬP BIỂU",
        "Sở Tư pháp",
        "Tổng cộng",
    ):
        assert expected in text


def test_the_page_links_each_cell_to_its_dossiers_and_offers_downloads(client, scenario):
    w = scenario.world
    client.force_login(scenario.supervisor)
    with time_machine.travel(at(NOW), tick=False):
        html = client.get(f"/chi-so/{w.province.code}/bieu-06/", {"tu": "2026-03-01", "den": "2026-03-31"})
        assert html.status_code == 200
        body = html.content.decode()
        assert "dinh-dang=xlsx" in body and "dinh-dang=pdf" in body and "cot=past_due" in body
        cell = client.get(
            f"/chi-so/{w.province.code}/bieu-06/ho-so/",
            {"tu": "2026-03-01", "den": "2026-03-31", "cot": "late"},
        )
        assert cell.status_code == 200 and scenario.dossiers["late"].code in cell.content.decode()
        xlsx = client.get(
            f"/chi-so/{w.province.code}/bieu-06/", {"tan-suat": "year", "nam": "2026", "dinh-dang": "xlsx"}
        )
        assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
        api = client.get(
            "/api/v1/reports/bieu-06",
            {"unit": w.province.code, "from": "2026-03-01", "to": "2026-03-31", "by": "field"},
        )
        assert api.status_code == 200
        report = bieu06.build(w.province, MARCH, "field")
        assert api.json()["total"]["values"] == report.total.values
        assert (
            client.get(
                "/api/v1/reports/bieu-06",
                {"unit": w.province.code, "from": "2026-03-01", "to": "2026-03-31", "by": "week"},
            ).status_code
            == 400
        )
        assert client.get("/api/v1/reports/bieu-06", {"unit": w.province.code}).status_code == 422
