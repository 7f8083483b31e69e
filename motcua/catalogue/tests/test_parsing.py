"""The parsers of the flattened national texts, on small hand-written strings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from motcua.catalogue.importers import parsing as P
from motcua.catalogue.models import Channel, Component, Fee, Level, Subject
from motcua.deadlines.units import DurationUnit

from .factories import national_record

HEADER = P.CHANNEL_HEADER


def test_its_vocabulary_is_the_models_vocabulary():
    assert {P.IN_PERSON, P.ONLINE, P.POSTAL} == set(Channel.values)
    assert {P.WORKING_DAYS, P.WORKING_HOURS, P.CALENDAR_DAYS, P.MONTHS, P.SAME_DAY, P.NO_LIMIT} == set(
        DurationUnit.values
    )
    assert set(P.LEVELS.values()) == set(Level.values)
    assert {s for _, s in P.SUBJECTS} <= set(Subject.values)
    assert {P.FORM_ORIGINAL, P.FORM_COPY} <= set(Component.Form.values)
    assert {P.FEE_CHARGED, P.FEE_MENTIONED} == set(Fee.Kind.values)


# --- amounts ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("20.000 đồng", 20_000),
        ("20,000 VNĐ", 20_000),
        ("1.200.000 Việt Nam Đồng", 1_200_000),
        ("lệ phí 5.000đ/bản", 5_000),
        ("10 triệu đồng", 10_000_000),
        ("2,1 tỷ đồng", 2_100_000_000),
        ("mức thu 300000 vnđ", 300_000),
    ],
)
def test_it_reads_an_amount_in_dong_as_an_integer(text, value):
    assert [m.value for m in P.find_amounts(text)] == [value]


def test_it_does_not_take_words_starting_with_dong_for_a_currency():
    assert P.find_amounts("trong 5 đồng thời với Điều 3; 2 đơn vị") == []


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from([".", ","]))
def test_any_grouped_amount_reads_back_to_the_same_integer(value, separator):
    grouped = f"{value:,}".replace(",", separator)
    assert P.find_amounts(f"Phí {grouped} đồng/lần")[0].value == value


def test_it_reads_the_validity_of_a_temporary_rate():
    assert P.validity_range("áp dụng từ ngày 01/7/2025 đến hết ngày 31/12/2026") == (
        date(2025, 7, 1),
        date(2026, 12, 31),
    )
    assert P.validity_range("từ ngày 31/02/2025 đến ngày 01/03/2025") == (None, None)


# --- durations ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("5 Ngày làm việc", Decimal(5), DurationUnit.WORKING_DAYS),
        ("30 Ngày", Decimal(30), DurationUnit.CALENDAR_DAYS),
        ("4 Giờ", Decimal(4), DurationUnit.WORKING_HOURS),
        ("3 Tháng", Decimal(3), DurationUnit.MONTHS),
        ("0,5 Ngày làm việc", Decimal("0.5"), DurationUnit.WORKING_DAYS),
        ("Trong ngày", None, DurationUnit.SAME_DAY),
        ("Không quy định", None, DurationUnit.NONE),
    ],
)
def test_it_structures_a_time_cell(text, value, unit):
    duration = P.parse_duration(text)
    assert (duration.value, duration.unit, duration.structured) == (value, unit, True)


def test_free_text_duration_is_not_structured():
    assert not P.parse_duration("Theo quy chế làm việc của cơ quan").structured


# --- channels -----------------------------------------------------------------------------------------------
def channels(
    text: str, context: str = "", steps_text: str = ""
) -> tuple[dict[str, P.ChannelSpec], list[str]]:
    parsed = P.parse_channels(HEADER + text, context, steps_text)
    return {c.channel: c for c in parsed.items}, parsed.problems


def test_it_splits_the_flattened_channel_table_into_channels_durations_and_fees():
    found, problems = channels(
        "Trực tiếp7 Ngày làm việc50,000 VNĐ(Lệ phí cấp mới)Nộp tại Bộ phận Một cửa"
        "Trực tuyến5 Ngày làm việcMiễn phí"
        "Dịch vụ bưu chính2 ThángKhông có thông tin"
    )
    assert problems == []
    in_person, online, postal = found["in_person"], found["online"], found["postal"]
    assert (in_person.duration.value, in_person.duration.unit) == (7, DurationUnit.WORKING_DAYS)
    assert [(f.amount, f.kind) for f in in_person.fees] == [(50_000, "charged")]
    assert "Lệ phí cấp mới" in in_person.fees[0].text
    assert in_person.description == "Nộp tại Bộ phận Một cửa"
    assert [(f.amount, f.exemption_note) for f in online.fees] == [(0, "Miễn phí")]
    assert (postal.duration.value, postal.duration.unit, postal.fees) == (2, DurationUnit.MONTHS, [])


def test_every_amount_in_a_fee_note_becomes_a_mentioned_fee_with_its_period():
    found, _ = channels(
        "Trực tiếp10 Ngày làm việc50,000 VNĐ((áp dụng mức phí 25.000 đồng/hồ sơ kể từ ngày 01/7/2025 "
        "đến hết ngày 31/12/2026); Sát hạch thực hành: 250.000 đồng/lần)"
    )
    fees = found["in_person"].fees
    assert [(f.kind, f.amount) for f in fees] == [
        ("charged", 50_000),
        ("mentioned", 25_000),
        ("mentioned", 250_000),
    ]
    assert (fees[1].valid_from, fees[1].valid_to) == (date(2025, 7, 1), date(2026, 12, 31))
    assert fees[2].name.startswith("Sát hạch thực hành")


def test_a_channel_word_inside_a_description_does_not_start_a_row():
    found, problems = channels(
        "Trực tiếp3 Ngày làm việcMiễn phíTrực tiếp: nộp tại trụ sở, trực tuyến qua Cổng"
    )
    assert list(found) == ["in_person"] and problems == []
    assert found["in_person"].description.startswith("Trực tiếp: nộp")


def test_a_unitless_duration_is_kept_but_reported():
    found, problems = channels("Trực tiếp5Miễn phí")
    assert found["in_person"].duration.value == 5
    assert not found["in_person"].duration.structured
    assert "không ghi đơn vị" in problems[0]


def test_a_unitless_duration_takes_its_unit_from_the_same_number_in_the_text_and_says_so():
    found, problems = channels("Trực tiếp15Miễn phí", context="trả kết quả trong 15 ngày làm việc")
    assert (found["in_person"].duration.value, found["in_person"].duration.unit) == (
        15,
        DurationUnit.WORKING_DAYS,
    )
    assert "lấy '15 ngày làm việc' từ số cùng giá trị trong trang — cần kiểm tra" in problems[0]


def test_a_missing_duration_is_taken_from_steps_stating_a_single_time_limit_and_flagged():
    steps = "Bước 2: Trong thời hạn 10 ngày làm việc kể từ ngày nhận đủ hồ sơ, Sở cấp giấy phép."
    found, problems = channels("Trực tiếpKhông có thông tinMiễn phíTrực tuyến1Miễn phí", steps_text=steps)
    for channel in ("in_person", "online"):
        assert (found[channel].duration.value, found[channel].duration.unit) == (
            10,
            DurationUnit.WORKING_DAYS,
        )
    assert all("trình tự thực hiện — cần kiểm tra" in p for p in problems)


def test_steps_stating_several_time_limits_are_not_used():
    steps = "Kiểm tra hồ sơ trong 3 ngày làm việc; thẩm định trong 15 ngày làm việc."
    found, problems = channels("Trực tiếpKhông có thông tinMiễn phí", steps_text=steps)
    assert not found["in_person"].duration.structured and problems == []


def test_a_unitless_number_glued_to_the_amount_is_split_and_flagged():
    found, problems = channels("Trực tuyến120 VNĐ(20.000 đồng/tờ khai)")
    online = found["online"]
    assert online.duration.value == 1
    assert [(f.kind, f.amount) for f in online.fees] == [("charged", 20), ("mentioned", 20_000)]
    assert any("dính liền" in p for p in problems)


def test_a_stated_absence_of_time_limit_is_structured_as_none():
    found, problems = channels("Trực tuyếnKhông phải trả kết quả cho người nộp thuếMiễn phíQua Cổng")
    assert found["online"].duration.unit == DurationUnit.NONE and problems == []


def test_several_cases_for_one_channel_keep_the_first_and_report_the_others():
    found, problems = channels(
        "Trực tiếp12 Ngày làm việcMiễn phíTrường hợp cấp mới"
        "Trực tiếp2 Ngày làm việcMiễn phíTrường hợp cấp lại"
    )
    assert found["in_person"].duration.value == 12
    assert "Trường hợp cấp lại" in found["in_person"].description
    assert "2 trường hợp" in problems[0]


def test_a_table_without_its_header_is_unparsed():
    assert P.parse_channels("Trực tiếp 5 ngày").problems


# --- components ---------------------------------------------------------------------------------------------
def test_it_reads_components_with_counts_templates_and_sections():
    parsed = P.parse_components(
        "* Giấy tờ phải nộp:Tên giấy tờMẫu đơn, tờ khaiSố lượng"
        "Tờ khai theo mẫu (02 bản chính đối với người nước ngoài)Mẫu TK-01.docx1 bản chính"
        "Bản sao hộ chiếu0 bản chính,1 bản sao"
        "* Giấy tờ phải xuất trình:Tên giấy tờMẫu đơn, tờ khaiSố lượng"
        "Đơn đề nghị theo Mẫu số 03/ĐK2 bản chính"
    )
    assert parsed.problems == []
    first, second, third = parsed.items
    assert (first.name, first.template_name, first.original_count) == (
        "Tờ khai theo mẫu (02 bản chính đối với người nước ngoài)",
        "Mẫu TK-01.docx",
        1,
    )
    assert (second.original_count, second.copy_count, second.form) == (0, 1, "copy")
    assert (first.condition, third.condition) == ("Giấy tờ phải nộp", "Giấy tờ phải xuất trình")
    assert (third.template_name, third.original_count) == ("Mẫu số 03/ĐK", 2)


def test_components_that_are_only_a_result_code_are_kept_and_flagged():
    parsed = P.parse_components("KQ.G04.000398")
    assert [c.replacing_result_code for c in parsed.items] == ["KQ.G04.000398"]
    assert parsed.problems


def test_text_that_is_not_a_component_table_is_unparsed():
    assert P.parse_components("Bước 2. Cơ quan tiếp nhận hồ sơ.").problems


# --- legal bases --------------------------------------------------------------------------------------------
def test_it_splits_titles_from_their_numbers_even_when_the_title_quotes_one():
    parsed = P.parse_legal_bases(
        "Tên văn bản pháp lýMã văn bản"
        "Nghị định 10/2030/NĐ-CP10/2030/NĐ-CP"
        "Luật Thử nghiệmLuật số 5/2029/QH15"
        "Thông tư số 7/2031/TT-BTN ngày 01/02/2031 hướng dẫn Nghị định 10/2030/NĐ-CP7/2031/TT-BTN"
        "Quyết định 1/2032/QĐ-TTg về thử nghiệm1/2032/QĐ-TTg"
    )
    assert parsed.problems == []
    assert [(b.number, b.title) for b in parsed.items] == [
        ("10/2030/NĐ-CP", "Nghị định 10/2030/NĐ-CP"),
        ("Luật số 5/2029/QH15", "Luật Thử nghiệm"),
        ("7/2031/TT-BTN", "Thông tư số 7/2031/TT-BTN ngày 01/02/2031 hướng dẫn Nghị định 10/2030/NĐ-CP"),
        ("1/2032/QĐ-TTg", "Quyết định 1/2032/QĐ-TTg về thử nghiệm"),
    ]


def test_a_title_without_number_is_reported():
    parsed = P.parse_legal_bases("Tên văn bản pháp lýMã văn bảnLuật Thử nghiệm năm 2029")
    assert parsed.problems and not parsed.items


# --- results ------------------------------------------------------------------------------------------------
def test_it_extracts_every_result_code_and_keeps_broken_ones_verbatim():
    parsed = P.parse_results(
        "Giấy phépMã: KQ.G99.000001Văn bản từ chốiMã: 000.00.00.G99-KQ0042Thông báoMã: KQ.H99.000002"
        "Từ khóaKhông có thông tinMô tả"
    )
    assert [(r.name, r.result_code, r.raw_code) for r in parsed.items] == [
        ("Giấy phép", "KQ.G99.000001", "KQ.G99.000001"),
        ("Văn bản từ chối", "", "000.00.00.G99-KQ0042"),
        ("Thông báo", "KQ.H99.000002", "KQ.H99.000002"),
    ]
    assert parsed.warnings and not parsed.problems


def test_a_seven_digit_code_is_not_cut_into_a_valid_one():
    parsed = P.parse_results("Quyết địnhMã: KQ.G99.0005567")
    assert parsed.items[0].result_code == "" and parsed.items[0].raw_code == "KQ.G99.0005567"


# --- levels, subjects, field code, hash ---------------------------------------------------------------------
def test_levels_and_subjects_are_mapped_even_with_commas_inside_a_subject():
    assert P.parse_levels("Cấp bộ, Cấp xã, Cơ quan khác").items == ["ministry", "commune", "other"]
    subjects = P.parse_subjects(
        "Cán bộ, công chức, viên chức, Doanh nghiệp, Tổ chức (không bao gồm doanh nghiệp, HTX)"
    )
    assert subjects.items == ["citizen", "enterprise", "organisation"] and not subjects.problems
    assert P.parse_subjects("Người ngoài hành tinh").problems


def test_field_code_is_deterministic_and_fits():
    assert P.field_code("Hộ tịch") == "ho-tich" == P.field_code("HỘ TỊCH")
    long_name = "Lĩnh vực " * 20
    assert len(P.field_code(long_name)) <= 50 and P.field_code(long_name) == P.field_code(long_name)
    assert P.field_code(long_name) != P.field_code(long_name + "khác")


def test_record_hash_ignores_key_order_but_not_content():
    a = national_record()
    b = dict(reversed(list(a.items())))
    assert P.record_hash(a) == P.record_hash(b)
    assert P.record_hash(a) != P.record_hash({**a, "ten_thu_tuc": a["ten_thu_tuc"] + "."})


# --- a whole record -----------------------------------------------------------------------------------------
def test_a_clean_record_is_ok_with_every_part_structured():
    spec = P.parse_national_record(national_record())
    assert spec.status == "ok", spec.warnings
    assert spec.levels == ["province", "commune"] and spec.subjects == ["citizen", "organisation"]
    assert {c.channel for c in spec.channels} == {"in_person", "online"}
    assert [c.template_name for c in spec.components] == ["Mẫu 01.docx", ""]
    assert [b.number for b in spec.legal_bases] == ["12/2030/NĐ-CP", "99/2029/QH15"]
    assert [r.result_code for r in spec.results] == ["KQ.G99.000123", "KQ.G99.000124"]
    assert spec.conditions_text == "" and spec.online_level == "partial"


def test_an_unparsable_part_is_kept_raw_and_makes_the_record_partial():
    raw = national_record(can_cu_phap_ly="Tên văn bản pháp lýMã văn bảnVăn bản không số")
    spec = P.parse_national_record(raw)
    assert spec.status == "partial"
    assert spec.unparsed == {"can_cu_phap_ly": raw["can_cu_phap_ly"]}


@pytest.mark.parametrize("code", ["", None, "1.0001", "A.000001", "1.0000011"])
def test_a_record_with_a_missing_or_invalid_code_is_rejected(code):
    with pytest.raises(P.RecordRejected, match=r"[mM]ã thủ tục"):
        P.parse_national_record(national_record(code=code))


def test_results_missing_from_their_field_are_taken_from_the_page_text():
    raw = national_record(
        ket_qua_xu_ly="",
        raw_text="…Kết quả xử lýGiấy xác nhậnMã: KQ.G99.000777Từ khóaKhông có thông tin",
    )
    spec = P.parse_national_record(raw)
    assert [r.result_code for r in spec.results] == ["KQ.G99.000777"]


def test_a_number_too_long_to_be_a_time_limit_is_not_stored_as_one():
    found, problems = channels("Trực tiếp1234567 Ngày làm việcMiễn phí")
    assert found["in_person"].duration.value is None and problems
