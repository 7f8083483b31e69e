"""Importing figures the system cannot see, and the portal's official scores: validated, all or nothing."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from motcua.indicators import scoring
from motcua.indicators.imports import ImportFileError, import_inputs, import_official_scores
from motcua.indicators.models import IndexInput, InputSource, OfficialScore, input_figures
from motcua.indicators.tests.worked_example import DEFINITION, worked_figures
from motcua.org.models import Agency

pytestmark = pytest.mark.django_db

Q1 = {"period_start": "2026-01-01", "period_end": "2026-03-31"}


@pytest.fixture
def commune() -> Agency:
    return Agency.objects.create(
        name="UBND xã Tân Phú", kind=Agency.Kind.COMMUNE, code="000.31.02.H56", electronic_id="H56.31.02"
    )


@pytest.fixture
def department() -> Agency:
    return Agency.objects.create(name="Sở Tư pháp", kind=Agency.Kind.DEPARTMENT, code="000.00.14.H56")


def write(tmp_path: Path, name: str, content) -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def good_records(agency="000.31.02.H56") -> list[dict]:
    return [
        {"agency": agency, **Q1, "item": "1.1", "numerator": 3, "denominator": 4, "source_note": "CSDL TTHC"},
        {"agency": agency, **Q1, "item": "1.2", "numerator": 4, "denominator": 4},
        {"agency": agency, **Q1, "item": "1.3", "numerator": 10, "denominator": 10},
        {"agency": agency, **Q1, "item": "1.4", "denominator": 1000, "portal_count": 950},
        {"agency": agency, **Q1, "item": "5.1", "numerator": 8, "denominator": 10},
        {"agency": agency, **Q1, "item": "5.2", "numerator": 7, "denominator": 10},
    ]


def test_it_imports_a_quarter_of_inputs_from_json_with_their_origin(tmp_path, commune):
    summary = import_inputs(write(tmp_path, "q1.json", {"inputs": good_records()}))
    assert (summary.created, summary.updated) == (6, 0)
    row = IndexInput.objects.get(item_number="1.1")
    assert (row.agency, row.numerator, row.denominator) == (commune, 3, 4)
    assert row.period_start == dt.date(2026, 1, 1)
    assert row.source == InputSource.IMPORTED
    assert row.source_note == "CSDL TTHC"
    assert IndexInput.objects.get(item_number="1.2").source_note == "Tệp q1.json"


def test_imported_inputs_score_like_the_worked_example(tmp_path, commune):
    import_inputs(write(tmp_path, "q1.json", good_records()))
    # 1.4's numerator is the system's own count of synchronised dossiers
    stored = input_figures(commune, dt.date(2026, 1, 1), dt.date(2026, 3, 31), synchronised=950)
    assert set(stored) == {"1.1", "1.2", "1.3", "1.4", "5.1", "5.2"}
    result = scoring.score(DEFINITION, {**worked_figures(), **stored})
    assert result.total == Decimal("76.64")
    assert result.item("1.1").source == "Nhập từ tệp: CSDL TTHC"


def test_it_imports_csv_with_a_bom_dd_mm_yyyy_dates_and_the_electronic_id(tmp_path, commune):
    csv_text = (
        "\ufeffagency,period_start,period_end,item,numerator,denominator,portal_count,previous_year_total\n"
        "H56.31.02,01/01/2026,31/03/2026,5.1,8,10,,\n"
        "H56.31.02,01/01/2026,31/03/2026,1.4,,0,0,4000\n"
    )
    assert import_inputs(write(tmp_path, "q1.csv", csv_text)).created == 2
    assert IndexInput.objects.get(item_number="1.4").previous_year_total == 4000
    figure = input_figures(commune, dt.date(2026, 1, 1), dt.date(2026, 3, 31), synchronised=500)["1.4"]
    assert figure.fallback_denominator == 1000  # a quarter of last year's 4,000
    result = scoring.score(DEFINITION, {**worked_figures(), "1.4": figure})
    assert result.item("1.4").score == Decimal("3.00")


def test_one_bad_record_writes_nothing_and_names_the_file_line_and_reason(tmp_path, commune):
    csv_text = (
        "agency,period_start,period_end,item,numerator,denominator\n"
        "000.31.02.H56,2026-01-01,2026-03-31,1.1,3,4\n"
        "000.31.02.H56,2026-01-01,2026-03-31,1.2,5,4\n"
        "000.31.02.H56,2026-01-01,2026-03-31,2.1,870,1000\n"
        "000.99.99.H56,2026-01-01,2026-03-31,1.3,1,1\n"
        "000.31.02.H56,2026-31-01,2026-03-31,5.1,1,1\n"
        "000.31.02.H56,2026-01-01,2026-03-31,5.2,x,1\n"
    )
    with pytest.raises(ImportFileError) as err:
        import_inputs(write(tmp_path, "bad.csv", csv_text))
    message = str(err.value)
    assert "bad.csv" in message
    assert "dòng 3: Tử số (5) lớn hơn mẫu số (4)" in message
    assert "dòng 4: Chỉ tiêu '2.1' không phải là chỉ tiêu lấy số liệu đầu vào" in message
    assert "dòng 5: không có cơ quan mã '000.99.99.H56'" in message
    assert "dòng 6: period_start '2026-31-01' không phải ngày" in message
    assert "dòng 7: numerator phải là số nguyên không âm" in message
    assert len(err.value.problems) == 5
    assert not IndexInput.objects.exists()


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"item": "1.4", "numerator": None, "denominator": 1000, "portal_count": None}, "1.4 cần"),
        ({"item": "1.4", "numerator": 2000, "denominator": 1000, "portal_count": 950}, "lớn hơn số hồ sơ"),
        ({"portal_count": 5}, "chỉ dùng cho chỉ tiêu 1.4"),
        ({"denominator": None}, "Thiếu mẫu số"),
        ({"numerator": 2, "denominator": 0}, "Tử số phải bằng 0"),
        ({"period_end": "2025-12-31"}, "Ngày kết thúc kỳ"),
        ({"period_start": "2025-01-01", "period_end": "2025-03-31"}, "chưa có bộ chỉ số nào áp dụng vào"),
        ({"numerator": 1.5}, "số nguyên không âm"),
        ({"colour": "red"}, "trường không hợp lệ colour"),
    ],
)
def test_each_kind_of_bad_json_record_is_refused_with_its_reason(tmp_path, commune, change, reason):
    record = {"agency": "000.31.02.H56", **Q1, "item": "1.1", "numerator": 3, "denominator": 4, **change}
    path = tmp_path / "one.json"
    path.write_text(json.dumps([record]), encoding="utf-8")
    with pytest.raises(ImportFileError) as err:
        import_inputs(path)
    assert "bản ghi 1" in str(err.value)
    assert reason in str(err.value)
    assert not IndexInput.objects.exists()


def test_a_record_twice_in_one_file_is_refused(tmp_path, commune):
    records = good_records()
    records.append(dict(records[0]))
    with pytest.raises(ImportFileError, match="bản ghi 7: trùng với bản ghi 1"):
        import_inputs(write(tmp_path, "dup.json", records))


def test_reimporting_needs_replace_and_then_updates_in_place(tmp_path, commune):
    import_inputs(write(tmp_path, "q1.json", good_records()))
    corrected = good_records()
    corrected[0]["numerator"] = 4
    path = write(tmp_path, "q1-corrected.json", corrected)
    with pytest.raises(ImportFileError, match="dùng --replace"):
        import_inputs(path)
    assert IndexInput.objects.get(item_number="1.1").numerator == 3
    summary = import_inputs(path, replace=True)
    assert (summary.created, summary.updated) == (0, 6)
    assert IndexInput.objects.get(item_number="1.1").numerator == 4
    assert IndexInput.objects.count() == 6


def test_the_same_item_for_another_unit_or_period_is_a_new_record(tmp_path, commune, department):
    import_inputs(write(tmp_path, "a.json", good_records()))
    other = good_records("000.00.14.H56")
    april = [{**r, "period_start": "2026-04-01", "period_end": "2026-06-30"} for r in good_records()]
    assert import_inputs(write(tmp_path, "b.json", other + april)).created == 12


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("x.txt", "", "chỉ nhận tệp .json hoặc .csv"),
        ("x.json", "{oops", "JSON không hợp lệ ở dòng 1"),
        ("x.json", '{"rows": []}', 'cần một danh sách bản ghi, hoặc {"inputs": [...]}'),
        ("x.json", "[1]", "bản ghi 1: phải là một đối tượng JSON"),
        ("x.csv", "unit,item\n", "cột không hợp lệ unit"),
        ("x.csv", "agency,item\nH56.31.02,1.1,extra\n", "dòng 2: nhiều cột hơn"),
    ],
)
def test_unreadable_files_are_refused_naming_the_file(tmp_path, commune, name, content, reason):
    with pytest.raises(ImportFileError) as err:
        import_inputs(write(tmp_path, name, content))
    assert name in str(err.value)
    assert reason in str(err.value)


def test_the_command_imports_and_reports_in_vietnamese(tmp_path, commune):
    out = StringIO()
    call_command("index", "import-inputs", str(write(tmp_path, "q1.json", good_records())), stdout=out)
    assert "6 bản ghi mới, 0 bản ghi thay thế" in out.getvalue()
    with pytest.raises(CommandError, match="không ghi bản ghi nào"):
        call_command("index", "import-inputs", str(tmp_path / "q1.json"), stdout=StringIO())
    call_command("index", "import-inputs", str(tmp_path / "q1.json"), "--replace", stdout=out)
    assert "0 bản ghi mới, 6 bản ghi thay thế" in out.getvalue()


def test_an_officer_entering_a_figure_in_the_admin_is_recorded_as_its_source(client, commune):
    from django.contrib.auth import get_user_model

    bob = get_user_model().objects.create_superuser("bob", "bob@example.vn", "mật-khẩu-dài-456")
    client.force_login(bob)
    form = {"agency": commune.pk, **Q1, "item_number": "5.1", "numerator": 9, "denominator": 10}
    response = client.post("/admin/indicators/indexinput/add/", form)
    assert response.status_code == 302
    row = IndexInput.objects.get()
    assert (row.source, row.entered_by, row.numerator) == (InputSource.ENTERED, bob, 9)

    bad = {**form, "item_number": "2.1", "period_start": "2026-04-01", "period_end": "2026-06-30"}
    page = client.post("/admin/indicators/indexinput/add/", bad)
    assert page.status_code == 200
    assert "không phải là chỉ tiêu lấy số liệu đầu vào" in page.content.decode()
    assert IndexInput.objects.count() == 1


# --- Official scores -----------------------------------------------------------------------------------


def test_it_imports_official_scores_from_a_vietnamese_spreadsheet_csv(tmp_path, commune):
    csv_text = (
        "agency,period_start,period_end,total,rank,CKMB,TDGQ,published_on\n"
        'H56.31.02,01/01/2026,31/03/2026,"76,64",12,"16,20",17.4,15/04/2026\n'
    )
    import_official_scores(write(tmp_path, "portal.csv", csv_text))
    score = OfficialScore.objects.get()
    assert score.total == Decimal("76.64")
    assert score.rank == 12
    assert score.group_scores == {"CKMB": "16.20", "TDGQ": "17.40"}
    assert score.published_on == dt.date(2026, 4, 15)
    assert score.source == InputSource.IMPORTED


def test_official_scores_accept_json_with_nested_groups(tmp_path, commune):
    records = {"scores": [{"agency": "000.31.02.H56", **Q1, "total": 80.5, "groups": {"MDHL": "14.67"}}]}
    import_official_scores(write(tmp_path, "portal.json", records))
    assert OfficialScore.objects.get().group_scores == {"MDHL": "14.67"}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"total": "101"}, "total phải từ 0 đến 100"),
        ({"total": "76.645"}, "tối đa 2 chữ số thập phân"),
        ({"total": ""}, "thiếu tổng điểm"),
        ({"CKMB": "abc"}, "CKMB 'abc' không phải là số"),
        ({"period_end": "2025-01-01"}, "ngày kết thúc kỳ"),
        ({"rank": "-3"}, "rank phải là số nguyên không âm"),
    ],
)
def test_bad_official_scores_are_refused_and_nothing_is_written(tmp_path, commune, change, reason):
    records = [
        {"agency": "000.31.02.H56", "period_start": "2025-10-01", "period_end": "2025-12-31", "total": "70"},
        {"agency": "000.31.02.H56", **Q1, "total": "76.64", **change},
    ]
    with pytest.raises(ImportFileError) as err:
        import_official_scores(write(tmp_path, "portal.json", records))
    assert "bản ghi 2" in str(err.value)
    assert reason in str(err.value)
    assert not OfficialScore.objects.exists()


def test_reimporting_an_official_score_needs_replace(tmp_path, commune):
    path = write(tmp_path, "portal.json", [{"agency": "000.31.02.H56", **Q1, "total": "76.64"}])
    import_official_scores(path)
    with pytest.raises(ImportFileError, match="dùng --replace"):
        import_official_scores(path)
    path.write_text(json.dumps([{"agency": "000.31.02.H56", **Q1, "total": "77"}]), encoding="utf-8")
    assert import_official_scores(path, replace=True).updated == 1
    assert OfficialScore.objects.get().total == Decimal("77")
