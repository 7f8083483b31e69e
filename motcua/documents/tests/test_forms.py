"""Each form rendered for a dossier driven through its branch, read back as text (rules.md §5)."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import override_settings
from django.utils import timezone

from motcua.documents.forms import (
    FormNotAvailable,
    form_context,
    render_guidance_pdf,
    render_pdf,
    render_refusal_pdf,
)
from motcua.dossiers.models import DossierEvent

from . import pdfcheck
from .drive import at, fresh, receive, run, submit_online, to_appraisal, to_return

APPLICANT = "Nguyễn Thị Hồng Nhung"  # world.receive_payload()'s applicant


def vn(moment: datetime | None) -> str:
    assert moment is not None
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def name(user) -> str:
    return user.get_full_name()


# --------------------------------------------------------------------------------------------------------
# Mẫu 01


@override_settings(MOTCUA_PUBLIC_URL="https://dichvucong.honglam.example.gov.vn")
def test_the_receipt_states_code_applicant_times_components_and_a_qr_to_the_tracking_page(world):
    dossier = fresh(receive(world, when="2026-03-02T09:00"))
    pdf = render_pdf("01", dossier)
    text = pdfcheck.text(pdf)

    assert dossier.code in text
    assert APPLICANT in text
    assert "001190012345" in text and "0912345678" in text and "nhung@example.vn" in text
    assert world.version.name in text
    assert f"Thời gian nhận hồ sơ: {vn(dossier.received_at)}" in text
    assert f"Thời gian trả kết quả giải quyết hồ sơ: {vn(dossier.original_due_at)}" in text
    assert "5 ngày làm việc" in text  # the in-person duration of the world's procedure
    for component in dossier.components.filter(provided=True):
        assert component.name in text
    assert "Số lượng hồ sơ: 1 (bộ)" in text
    assert world.centre.name in text  # where to collect: the return point
    assert f"số thứ tự {dossier.code[-4:]}" in text  # the tracking-book reference
    assert name(world.alice) in text  # the receiving officer signs
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "ngày 02 tháng 03 năm 2026" in text

    assert pdfcheck.page_sizes(pdf) == [pdfcheck.A5]
    tracking = f"https://dichvucong.honglam.example.gov.vn/tra-cuu/{dossier.code}"
    assert tracking in pdfcheck.link_uris(pdf)
    assert pdfcheck.qr_codes(pdf) == [tracking]


def test_the_receipt_embeds_every_font_it_uses(world):
    pdf = render_pdf("01", fresh(receive(world)))
    fonts = pdfcheck.embedded_fonts(pdf)
    assert fonts and all(fonts.values()), fonts
    assert all("Noto" in f for f in fonts), fonts


def test_the_receipt_says_where_a_postal_result_goes_and_lists_only_supplied_components(world):
    components = [{"component_id": c.pk} for c in world.version.components.filter(required=True)]
    dossier = fresh(
        receive(
            world,
            result_delivery="postal",
            delivery_address="Số 9 ngõ 3 phố Hàng Bạc, phường Hoàn Kiếm",
            components=components,
            sets_count=2,
        )
    )
    text = pdfcheck.text(render_pdf("01", dossier))
    assert "bưu chính" in text and "Số 9 ngõ 3 phố Hàng Bạc, phường Hoàn Kiếm" in text
    assert "Số lượng hồ sơ: 2 (bộ)" in text
    assert "Văn bản ủy quyền" not in text  # optional, not supplied


def test_the_receipt_keeps_the_first_appointment_and_shows_the_moved_one(world):
    dossier = to_appraisal(world, receive(world))
    run(
        dossier,
        "request_supplement",
        world.carol,
        {"items": ["Giấy chứng sinh"], "reason": "Mờ"},
        "2026-03-03T09:00",
    )
    run(dossier, "approve_supplement_request", world.bob, {}, "2026-03-03T10:00")
    run(
        dossier,
        "receive_supplement",
        world.alice,
        {"components": [{"name": "Giấy chứng sinh"}]},
        "2026-03-05T10:00",
    )
    dossier = fresh(dossier)
    assert dossier.due_at != dossier.original_due_at
    text = pdfcheck.text(render_pdf("01", dossier))
    assert f"Thời gian trả kết quả giải quyết hồ sơ: {vn(dossier.original_due_at)}" in text
    assert f"Hẹn trả đã điều chỉnh: {vn(dossier.due_at)}" in text


def test_an_online_dossier_has_no_receipt_until_an_officer_receives_it(world):
    dossier = submit_online(world)
    with pytest.raises(FormNotAvailable, match="chưa được tiếp nhận"):
        render_pdf("01", dossier)
    run(dossier, "receive", world.alice, {}, "2026-03-02T09:30")
    text = pdfcheck.text(render_pdf("01", fresh(dossier)))
    assert "09:30 02/03/2026" in text and name(world.alice) in text


# --------------------------------------------------------------------------------------------------------
# Mẫu 02


def test_the_supplement_request_numbers_the_items_and_names_reason_basis_contact_and_signer(world):
    dossier = to_appraisal(world, receive(world))
    items = ["Bản sao giấy chứng sinh có chứng thực", "Văn bản ủy quyền có chứng thực chữ ký"]
    run(
        dossier,
        "request_supplement",
        world.carol,
        {
            "items": items,
            "reason": "Bản chụp giấy chứng sinh không đọc được",
            "legal_basis": "Luật Hộ tịch 2014",
        },
        "2026-03-03T09:00",
    )
    with pytest.raises(FormNotAvailable, match="yêu cầu bổ sung"):
        render_pdf("02", fresh(dossier))  # a draft is not sent until the head approves it
    run(dossier, "approve_supplement_request", world.bob, {}, "2026-03-03T10:15")
    pdf = render_pdf("02", fresh(dossier))
    text = pdfcheck.text(pdf)

    assert dossier.code in text and APPLICANT in text and world.version.name in text
    assert f"1. {items[0]}" in text and f"2. {items[1]}" in text
    assert "Bản chụp giấy chứng sinh không đọc được" in text
    assert "Luật Hộ tịch 2014" in text
    assert name(world.carol) in text  # the contact person is the specialist who drafted it
    assert world.civil_status.name in text
    assert name(world.bob) in text and "TRƯỞNG PHÒNG" in text  # signed by the approving head
    assert "10:15 03/03/2026" in text  # the clock pauses from sending
    assert "ngày 03 tháng 03 năm 2026" in text
    assert pdfcheck.page_sizes(pdf) == [pdfcheck.A5]


def test_written_guidance_at_the_counter_needs_no_dossier(world):
    applicant = {"name": "Trần Văn Đức", "id_number": "079085001234", "phone": "0987654321"}
    items = ["Tờ khai đăng ký khai sinh (bản chính)", "Giấy chứng sinh"]
    pdf = render_guidance_pdf(world.version, applicant, items, world.alice)
    text = pdfcheck.text(pdf)
    assert "Trần Văn Đức" in text and "079085001234" in text
    assert f"1. {items[0]}" in text and f"2. {items[1]}" in text
    assert world.version.name in text
    assert name(world.alice) in text
    assert "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH" in text  # the officer's counter issues it
    assert pdfcheck.page_sizes(pdf) == [pdfcheck.A5]
    # The same through the generic entry point, as the counter screen may call it.
    again = render_pdf(
        "02",
        None,
        user=world.alice,
        extra={"procedure_version": world.version, "applicant": applicant, "items": items},
    )
    assert "Trần Văn Đức" in pdfcheck.text(again)


@pytest.mark.parametrize(
    ("items", "message"),
    [([], "ít nhất một"), (["Giấy chứng sinh", "  "], "Mục 2")],
)
def test_guidance_without_content_is_refused_with_the_reason(world, items, message):
    with pytest.raises(ValueError, match=message):
        render_guidance_pdf(world.version, {"name": "Trần Văn Đức"}, items, world.alice)


def test_an_online_dossier_guided_at_reception_gets_the_guidance_as_form_02(world):
    dossier = submit_online(world)
    run(dossier, "guide", world.alice, {"items": ["Ảnh chụp rõ giấy chứng sinh"]}, "2026-03-02T09:00")
    text = pdfcheck.text(render_pdf("02", fresh(dossier)))
    assert "1. Ảnh chụp rõ giấy chứng sinh" in text and dossier.code in text and APPLICANT in text


# --------------------------------------------------------------------------------------------------------
# Mẫu 03


def test_the_refusal_states_each_specific_reason(world):
    dossier = submit_online(world)
    reasons = ["Thủ tục không thuộc thẩm quyền của Sở Tư pháp", "Người nộp không thuộc đối tượng thực hiện"]
    run(dossier, "refuse", world.alice, {"reasons": reasons}, "2026-03-02T11:20")
    pdf = render_pdf("03", fresh(dossier))
    text = pdfcheck.text(pdf)
    assert dossier.code in text and APPLICANT in text and world.version.name in text
    assert f"1. {reasons[0]}" in text and f"2. {reasons[1]}" in text
    assert "từ chối tiếp nhận" in text
    assert name(world.alice) in text and "ngày 02 tháng 03 năm 2026" in text
    assert pdfcheck.page_sizes(pdf) == [pdfcheck.A5]


def test_a_refusal_at_the_counter_needs_no_dossier(world):
    pdf = render_refusal_pdf(world.version, {"name": "Lê Thị Hương"}, ["Hồ sơ giả mạo chữ ký"], world.alice)
    text = pdfcheck.text(pdf)
    assert "Lê Thị Hương" in text and "1. Hồ sơ giả mạo chữ ký" in text and world.version.name in text


# --------------------------------------------------------------------------------------------------------
# Mẫu 04 and 05


def test_the_apology_states_original_dates_reason_and_new_date_signed_by_the_leader(world):
    dossier = to_appraisal(world, receive(world))
    due_before = dossier.due_at
    run(
        dossier,
        "extend",
        world.dave,
        {"new_due_at": "2026-03-13T17:00:00+07:00", "reason": "Phải xác minh thông tin với Sở Xây dựng"},
        "2026-03-05T10:00",
    )
    dossier = fresh(dossier)
    pdf = render_pdf("04", dossier)
    text = pdfcheck.text(pdf)
    assert dossier.code in text and APPLICANT in text and world.version.name in text
    assert vn(dossier.received_at) in text
    assert vn(due_before) in text  # the appointment being moved
    assert "17:00 13/03/2026" in text
    assert "Phải xác minh thông tin với Sở Xây dựng" in text
    assert "xin lỗi" in text
    assert name(world.dave) in text and "PHÓ GIÁM ĐỐC SỞ" in text
    assert pdfcheck.page_sizes(pdf) == [pdfcheck.A5]


def test_the_stop_notice_states_stage_reason_ground_and_that_nothing_is_refunded_when_nothing_was_paid(world):
    dossier = to_appraisal(world, receive(world))
    run(
        dossier,
        "stop",
        world.dave,
        {
            "reason": "Người nộp đề nghị dừng giải quyết",
            "legal_ground": "Khoản 2 Điều 20 Nghị định 118/2025/NĐ-CP",
        },
        "2026-03-04T14:00",
    )
    pdf = render_pdf("05", fresh(dossier))
    text = pdfcheck.text(pdf)
    assert dossier.code in text and APPLICANT in text
    assert "Thẩm định hồ sơ, dự thảo kết quả" in text  # the step it was stopped at
    assert "Người nộp đề nghị dừng giải quyết" in text
    assert "Khoản 2 Điều 20 Nghị định 118/2025/NĐ-CP" in text
    assert "không phát sinh việc hoàn trả" in text
    assert name(world.dave) in text and "14:00 04/03/2026" in text
    assert pdfcheck.page_sizes(pdf) == [pdfcheck.A5]


def test_the_stop_notice_promises_the_refund_of_what_was_paid(world):
    dossier = to_appraisal(world, receive(world))
    run(dossier, "request_payment", world.carol, {"items": [{"name": "Lệ phí cấp bản sao", "amount": 8000}]})
    run(dossier, "confirm_payment", world.alice, {"method": "counter"}, "2026-03-02T11:00")
    run(dossier, "stop", world.dave, {"reason": "Dữ liệu mâu thuẫn"}, "2026-03-02T15:00")
    dossier = fresh(dossier)
    paid = sum(f.amount for f in dossier.fees.all() if f.paid_at)
    assert paid > 0
    text = pdfcheck.text(render_pdf("05", dossier))
    assert f"{paid:,}".replace(",", ".") + " đồng" in text and "hoàn trả" in text


# --------------------------------------------------------------------------------------------------------
# Mẫu 06


def test_the_control_sheet_has_one_row_per_handover_with_the_giving_steps_timeliness(world):
    dossier = to_appraisal(world, receive(world), when="2026-03-02T14:00")  # reception step late (> 2 h)
    run(
        dossier,
        "consult",
        world.carol,
        {"agency_id": world.construction.pk, "question": "Công trình có phép không?", "budget_hours": 8},
        "2026-03-02T15:00",
    )
    run(
        dossier,
        "reply_consultation",
        world.victor,
        {"consultation_id": dossier.consultations.get().pk, "reply": "Có giấy phép số 12/GPXD"},
        "2026-03-02T16:00",
    )
    dossier = to_return(world, dossier)
    pdf = render_pdf("06", dossier)
    text = pdfcheck.text(pdf)

    handovers = list(
        DossierEvent.objects.filter(dossier=dossier)
        .exclude(action__in=["record_result"])
        .order_by("seq")
        .values_list("action", "at", "step_timeliness")
    )
    # receive, transfer, assign, consult, reply, forward, approve ×2, issue, return (drafting hands nothing)
    assert len(handovers) == 10
    _agency, context = form_context("06", dossier)
    assert [r["at"] for r in context["rows"]] == [vn(m) for _a, m, _t in handovers]
    assert set(pdfcheck.page_sizes(pdf)) == {pdfcheck.A4}
    for _action, moment, _timeliness in handovers:
        assert vn(moment) in text
    assert text.count("Quá hạn") == sum(1 for *_x, t in handovers if t == "late")
    assert text.count("Trước hạn") == sum(1 for *_x, t in handovers if t == "early")
    assert "Sở Xây dựng" in text and "Công trình có phép không?" in text  # coordinating agency
    assert "Cơ quan chủ trì giải quyết: Sở Tư pháp" in text
    for actor in (world.alice, world.bob, world.carol, world.dave, world.erin, world.victor):
        assert name(actor) in text
    assert "Người nhận kết quả" in text and APPLICANT in text


# --------------------------------------------------------------------------------------------------------
# What a form cannot be


@pytest.mark.parametrize("form", ["02", "03", "04", "05"])
def test_a_form_without_its_branch_is_not_available_and_says_why(world, form):
    dossier = fresh(receive(world))
    with pytest.raises(FormNotAvailable, match=dossier.code):
        render_pdf(form, dossier)


@pytest.mark.parametrize("form", ["07", "08", "1", ""])
def test_an_unknown_form_is_refused(world, form):
    with pytest.raises(ValueError, match="biểu mẫu"):
        render_pdf(form, fresh(receive(world)))


def test_extra_sets_the_document_number(world):
    dossier = to_appraisal(world, receive(world))
    run(dossier, "extend", world.dave, {"new_due_at": "2026-03-13T17:00:00+07:00", "reason": "Xác minh"})
    text = pdfcheck.text(render_pdf("04", fresh(dossier), extra={"number": "27/STP-HCTP"}))
    assert "Số: 27/STP-HCTP" in text


def test_names_with_every_vietnamese_mark_survive_the_round_trip(world):
    unusual = "Huỳnh Thị Ngọc Hưởng Ữ Ỷ Ỗ Đặng Quý Khoa"
    dossier = fresh(receive(world, applicant={**world.receive_payload()["applicant"], "name": unusual}))
    assert unusual in pdfcheck.text(render_pdf("01", dossier))


def test_times_are_printed_in_vietnam_time(world):
    # 02:00 UTC is 09:00 in Hà Nội.
    dossier = fresh(receive(world, when="2026-03-02T09:00"))
    assert dossier.received_at == at("2026-03-02T09:00")
    text = pdfcheck.text(render_pdf("01", dossier))
    assert "09:00 02/03/2026" in text and "02:00 02/03/2026" not in text
