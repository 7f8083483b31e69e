"""Mẫu 07, the tracking book: one row per dossier of the unit in the period, read back from the XLSX."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pytest
from django.utils import timezone

from motcua.documents import tracking_book
from motcua.documents.tracking_book import HEADER_ROW, HEADERS, BookError, export

from . import pdfcheck
from .drive import fresh, receive, run, submit_online, to_appraisal, to_return

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def read(xlsx: bytes) -> tuple[list[list], list[str], list[dict]]:
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    headers = values[HEADER_ROW]
    rows = [dict(zip(headers, row, strict=True)) for row in values[HEADER_ROW + 1 :] if any(row)]
    return values[:HEADER_ROW], headers, rows


def local_naive(moment):
    return timezone.localtime(moment).replace(tzinfo=None)


@pytest.fixture
def book(world):
    """March: a returned dossier and a waiting one at the centre, one at the commune; one in April."""
    returned = to_return(world, to_appraisal(world, receive(world, when="2026-03-02T09:00")))
    waiting = fresh(receive(world, when="2026-03-31T16:30"))
    commune = fresh(
        receive(world, when="2026-03-10T10:00", user=world.olga, reception_point_id=world.commune_centre.pk)
    )
    april = fresh(receive(world, when="2026-04-01T08:05"))
    return {"returned": returned, "waiting": waiting, "commune": commune, "april": april}


def test_the_counters_book_has_one_row_per_dossier_it_received_in_the_period(world, book):
    preamble, headers, rows = read(export(world.centre.agency, *MARCH))
    assert headers == HEADERS
    assert "Mã hồ sơ" in headers and "Ngày, giờ hẹn trả kết quả" in headers and "Ghi chú" in headers
    assert [r["Mã hồ sơ"] for r in rows] == [book["returned"].code, book["waiting"].code]
    assert [r["STT"] for r in rows] == [1, 2]
    text = " ".join(str(v) for line in preamble for v in line if v)
    assert "SỔ THEO DÕI HỒ SƠ" in text and world.centre.agency.name in text
    assert "01/03/2026" in text and "31/03/2026" in text


def test_each_row_carries_the_columns_of_the_book(world, book):
    dossier = book["returned"]
    _preamble, _headers, rows = read(export(world.centre.agency, *MARCH))
    row = rows[0]
    events = {e.action: e.at for e in dossier.events.all()}
    assert row["Tên thủ tục hành chính"] == world.version.name
    assert row["Số lượng hồ sơ (bộ)"] == dossier.sets_count
    assert row["Tên cá nhân, tổ chức"] == "Nguyễn Thị Hồng Nhung"
    assert dossier.applicant_phone in row["Địa chỉ, số điện thoại"]
    assert dossier.applicant_address in row["Địa chỉ, số điện thoại"]
    assert row["Cơ quan chủ trì giải quyết"] == world.justice.name
    assert row["Ngày, giờ nhận hồ sơ"] == local_naive(dossier.received_at)
    assert row["Ngày, giờ hẹn trả kết quả"] == local_naive(dossier.due_at)
    assert row["Chuyển hồ sơ đến cơ quan giải quyết"] == local_naive(events["transfer"])
    assert row["Nhận kết quả từ cơ quan giải quyết"] == local_naive(events["issue_result"])
    assert row["Trả kết quả cho cá nhân, tổ chức"] == local_naive(dossier.returned_at)
    assert rows[1]["Trả kết quả cho cá nhân, tổ chức"] is None  # still waiting
    assert "Đã tiếp nhận" in rows[1]["Ghi chú"]


def test_the_competent_agencys_book_holds_what_it_decides_whichever_counter_received_it(world, book):
    _preamble, _headers, rows = read(export(world.justice, *MARCH))
    assert {r["Mã hồ sơ"] for r in rows} == {
        book["returned"].code,
        book["waiting"].code,
        book["commune"].code,
    }


def test_a_state_filter_keeps_only_that_state(world, book):
    _preamble, _headers, rows = read(export(world.justice, *MARCH, state="returned"))
    assert [r["Mã hồ sơ"] for r in rows] == [book["returned"].code]
    preamble, _headers, _rows = read(export(world.justice, *MARCH, state="returned"))
    assert "Đã trả kết quả" in " ".join(str(v) for line in preamble for v in line if v)


def test_online_dossiers_never_received_count_on_the_day_they_were_submitted(world):
    dossier = submit_online(world, when="2026-03-05T20:00")
    run(dossier, "refuse", world.alice, {"reasons": ["Không thuộc thẩm quyền"]}, "2026-03-06T09:00")
    _preamble, _headers, rows = read(export(world.centre.agency, *MARCH))
    assert [r["Mã hồ sơ"] for r in rows] == [dossier.code]
    assert rows[0]["Ngày, giờ nhận hồ sơ"] is None
    assert "Từ chối tiếp nhận" in rows[0]["Ghi chú"] and "20:00 05/03/2026" in rows[0]["Ghi chú"]


def test_notes_say_late_against_the_due_date_before_an_extension(world):
    dossier = to_appraisal(world, receive(world, when="2026-03-02T09:00"))
    run(dossier, "extend", world.dave, {"new_due_at": "2026-03-20T17:00:00+07:00", "reason": "Xác minh"})
    dossier = fresh(dossier)
    # Finish after the original appointment but before the extended one: still late for the statistics.
    run(dossier, "record_result", world.carol, {}, "2026-03-16T09:00")
    run(dossier, "forward", world.carol, {"assignee_id": world.bob.pk}, "2026-03-16T10:00")
    run(dossier, "approve", world.bob, {}, "2026-03-16T11:00")
    run(dossier, "approve", world.dave, {}, "2026-03-16T14:00")
    run(dossier, "issue_result", world.erin, {}, "2026-03-16T15:00")
    _preamble, _headers, rows = read(export(world.justice, *MARCH))
    assert "Quá hạn" in rows[0]["Ghi chú"] and "gia hạn đến 17:00 20/03/2026" in rows[0]["Ghi chú"]


def test_the_pdf_book_is_a4_landscape_with_every_code(world, book):
    pdf = export(world.justice, *MARCH, fmt="pdf")
    sizes = pdfcheck.page_sizes(pdf)
    assert sizes and all(s == pdfcheck.A4[::-1] for s in sizes)
    text = pdfcheck.text(pdf)
    # A code that still wraps does so at a hyphen, which pdftotext then drops as a soft hyphen.
    squeezed = text.replace(" ", "").replace("-", "")
    for key in ("returned", "waiting", "commune"):
        assert book[key].code.replace("-", "") in squeezed
    assert book["april"].code.replace("-", "") not in squeezed and "Tổng số: 3 hồ sơ" in text


def test_an_empty_period_gives_an_empty_book_not_an_error(world):
    _preamble, headers, rows = read(export(world.justice, date(2025, 1, 1), date(2025, 1, 31)))
    assert headers == HEADERS and rows == []
    assert "Không có hồ sơ trong kỳ" in pdfcheck.text(
        export(world.justice, date(2025, 1, 1), date(2025, 1, 31), fmt="pdf")
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((date(2026, 3, 31), date(2026, 3, 1)), "trước ngày bắt đầu"),
        ((date(2025, 1, 1), date(2026, 3, 1)), "tối đa một năm"),
        ((*MARCH, "khong-co"), "Trạng thái 'khong-co'"),
        ((*MARCH, None, "csv"), "Định dạng 'csv'"),
    ],
)
def test_bad_parameters_are_refused_by_name(world, args, message):
    with pytest.raises(BookError, match=message):
        export(world.justice, *args)


def test_the_book_reads_a_fixed_number_of_queries_whatever_its_length(world, django_assert_max_num_queries):
    for hour in range(9, 15):
        to_appraisal(world, receive(world, when=f"2026-03-02T{hour:02d}:00"))
    with django_assert_max_num_queries(6):
        rows = tracking_book.rows(world.justice, *MARCH)
    assert len(rows) == 6
