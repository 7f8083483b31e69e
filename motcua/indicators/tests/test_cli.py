"""``motcua index score`` and ``load-defaults`` end to end, on the definition the migrations loaded."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from motcua.indicators.models import IndexDefinition

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "worked_example_1_4.json"

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("index", *args, stdout=out)
    return out.getvalue()


def write(tmp_path: Path, data, name: str = "figures.json") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def example_items() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))["items"]


def test_it_scores_the_worked_example_file_at_76_64_fair():
    out = run("score", "--inputs", str(EXAMPLE))
    assert "Tổng điểm: 76,64/100,00 — xếp loại: Khá" in out


def test_the_table_shows_every_item_and_group_of_the_worked_example():
    out = run("score", "--inputs", str(EXAMPLE))
    lines = {line.split()[0]: line.split()[-1] for line in out.splitlines() if line.strip()}
    assert lines["3.2"] == "2,67"
    assert lines["5.3"] == "5,67"
    assert lines["CLGQ"] == "9,47"
    assert lines["MDHL"] == "14,67"
    for code in ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDSH", "MDHL"):
        assert code in lines
    assert len([n for n in lines if n[0].isdigit() and "." in n]) == 21


def test_json_output_gives_the_worked_example_exactly():
    data = json.loads(run("score", "--inputs", str(EXAMPLE), "--json"))
    assert data["total"] == "76.64"
    assert data["band"] == {"code": "fair", "label": "Khá"}
    assert {g["code"]: g["score"] for g in data["groups"]} == {
        "CKMB": "16.20",
        "TDGQ": "17.40",
        "CLGQ": "9.47",
        "TTTT": "7.10",
        "MDSH": "11.80",
        "MDHL": "14.67",
    }
    assert data["definition"]["version"] == 1
    assert next(i for i in data["items"] if i["number"] == "1.4")["denominator"] == "1000"


def test_english_titles_on_request():
    out = run("score", "--inputs", str(EXAMPLE), "--language", "en")
    assert "Dossiers handled on time" in out
    assert "band: Fair" in out


def test_national_counts_accept_the_plain_pair(tmp_path):
    items = example_items()
    items["1.4"] = [950, 1000]
    data = json.loads(run("score", "--inputs", str(write(tmp_path, {"items": items})), "--json"))
    assert data["total"] == "76.64"


def test_national_counts_accept_an_object_with_last_years_total_for_the_fallback(tmp_path):
    items = example_items()
    items["1.4"] = {"synchronised": 900, "reporting": 0, "portal": 0, "previous_year_total": 4000}
    path = write(tmp_path, {"period": "quarter", "items": items})
    data = json.loads(run("score", "--inputs", str(path), "--json"))
    item = next(i for i in data["items"] if i["number"] == "1.4")
    assert (item["denominator"], item["score"], item["empty_policy_applied"]) == ("1000", "5.40", "fallback")


def test_the_fallback_needs_the_period(tmp_path):
    items = example_items()
    items["1.4"] = {"synchronised": 0, "reporting": 0, "portal": 0, "previous_year_total": 4000}
    with pytest.raises(CommandError, match=r"1\.4.*period"):
        run("score", "--inputs", str(write(tmp_path, {"items": items})))


def test_a_missing_item_is_an_error_naming_it(tmp_path):
    items = example_items()
    del items["4.6"]
    with pytest.raises(CommandError) as err:
        run("score", "--inputs", str(write(tmp_path, {"items": items})))
    assert "chỉ tiêu 4.6: thiếu số liệu" in str(err.value)
    assert "figures.json" in str(err.value)


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("870/1000", "phải là [tử số, mẫu số]"),
        ([870], "nhận được 1 phần tử"),
        ([870, 1000, 5], "nhận được 3 phần tử"),
        ([870.5, 1000], "số nguyên không âm"),
        ([-1, 1000], "số nguyên không âm"),
        (["870", 1000], "số nguyên không âm"),
        ([True, 1000], "số nguyên không âm"),
        ([1001, 1000], "lớn hơn mẫu số"),
        ([5, 0], "mẫu số bằng 0"),
    ],
)
def test_malformed_figures_are_an_error_naming_the_item_and_the_reason(tmp_path, value, reason):
    items = example_items()
    items["2.1"] = value
    with pytest.raises(CommandError) as err:
        run("score", "--inputs", str(write(tmp_path, {"items": items})))
    assert "chỉ tiêu 2.1" in str(err.value)
    assert reason in str(err.value)


def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    items = example_items()
    items["1.1"] = [5, 4]
    items["3.3"] = "x"
    items["9.9"] = [1, 1]
    del items["5.2"]
    with pytest.raises(CommandError) as err:
        run("score", "--inputs", str(write(tmp_path, {"items": items})))
    message = str(err.value)
    for expected in ("1.1: tử số 5 lớn hơn mẫu số 4", "3.3: phải là", "5.2: thiếu số liệu", "9.9: không có"):
        assert expected in message


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"items": {"1.1": [3, 4],}}', "không phải JSON hợp lệ (dòng 1"),
        ("[1, 2]", 'khóa "items"'),
        ('{"items": {}, "unit": "x"}', "khóa không hợp lệ ở cấp ngoài cùng: unit"),
        ('{"period": "week", "items": {}}', '"period" phải là month, quarter hoặc year'),
    ],
)
def test_a_broken_file_is_an_error_naming_the_file(tmp_path, content, reason):
    path = write(tmp_path, content, "broken.json")
    with pytest.raises(CommandError) as err:
        run("score", "--inputs", str(path))
    assert "broken.json" in str(err.value)
    assert reason in str(err.value)


def test_a_missing_file_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="Không đọc được tệp"):
        run("score", "--inputs", str(tmp_path / "none.json"))


def test_an_unknown_definition_version_is_an_error():
    with pytest.raises(CommandError, match="Không có bộ chỉ số phiên bản 42"):
        run("score", "--inputs", str(EXAMPLE), "--version", "42")


def test_a_date_before_any_definition_is_an_error():
    with pytest.raises(CommandError, match="01/06/2025"):
        run("score", "--inputs", str(EXAMPLE), "--on", "2025-06-01")


def test_load_defaults_is_idempotent():
    assert IndexDefinition.objects.filter(version=1).count() == 1  # loaded by migration 0002
    out = run("load-defaults")
    assert "đã có" in out
    assert IndexDefinition.objects.filter(version=1).count() == 1


def test_load_defaults_restores_the_2026_definition_when_it_is_missing():
    IndexDefinition.objects.all().delete()
    assert "Đã nạp" in run("load-defaults")
    definition = IndexDefinition.objects.get(version=1)
    assert definition.status == IndexDefinition.Status.PUBLISHED
    assert json.loads(run("score", "--inputs", str(EXAMPLE), "--json"))["total"] == "76.64"
