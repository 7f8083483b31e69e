"""The command-line tools and the recomputation hook."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from motcua.deadlines import recompute as recompute_module
from motcua.deadlines.engine import Pause
from motcua.deadlines.models import CalendarEntry
from motcua.deadlines.recompute import (
    Move,
    RecomputeItem,
    recompute,
    register_recompute_provider,
    unregister_recompute_provider,
)
from motcua.org.models import Agency

from .conftest import vn

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


# --- motcua deadline ------------------------------------------------------------------------------------
def test_the_deadline_command_prints_the_issue_example():
    assert run("deadline", "--start", "2026-02-13T15:30", "--duration", "5", "--unit", "working_days") == (
        "2026-02-27T15:30:00+07:00\n"
    )


def test_the_deadline_command_explains_itself_in_json():
    out = run(
        "deadline", "--start", "2026-02-13T15:30", "--duration", "5", "--unit", "working_days", "--json"
    )
    data = json.loads(out)
    assert data["due"] == "2026-02-27T15:30:00+07:00"
    assert data["working_hours_counted"] == 40
    skipped = {d["date"]: d["name"] for d in data["days_skipped"]}
    assert skipped["2026-02-17"] == "Tết Nguyên Đán"
    assert sorted(skipped) == [f"2026-02-{day}" for day in range(14, 23)]  # Tết and its two weekends


def test_the_deadline_command_applies_pauses():
    out = run(
        "deadline", "--start", "2026-03-02T09:00", "--duration", "5", "--unit", "working_days",
        "--pause", "2026-03-04T09:00/2026-03-05T11:00", "--json",
    )  # fmt: skip
    data = json.loads(out)
    assert data["due"] == "2026-03-10T11:00:00+07:00"
    assert data["paused_working_hours"] == 10 and data["working_hours_counted"] == 40


def test_the_deadline_command_uses_the_agency_office_hours():
    Agency.objects.create(
        name="UBND xã", kind="commune", code="000.01.00.H99", office_hours="07:00-11:30,13:30-17:00"
    )
    out = run(
        "deadline",
        "--start",
        "2026-03-02T12:00",
        "--duration",
        "1",
        "--unit",
        "working_days",
        "--agency",
        "000.01.00.H99",
    )
    assert out.strip() == "2026-03-03T11:30:00+07:00"


def test_the_deadline_command_handles_the_other_units():
    assert (
        run("deadline", "--start", "2026-03-02T15:00", "--unit", "same_day").strip()
        == "2026-03-03T17:00:00+07:00"
    )
    assert (
        run("deadline", "--start", "2026-03-02T15:00", "--unit", "none").strip() == "Không quy định thời hạn"
    )
    assert run("deadline", "--start", "2026-01-31T10:00", "--duration", "1", "--unit", "months").strip() == (
        "2026-03-02T17:00:00+07:00"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--start", "hôm qua", "--duration", "5", "--unit", "working_days"], "không đúng dạng"),
        (["--start", "2026-03-02T09:00", "--duration", "-5", "--unit", "working_days"], "không được âm"),
        (["--start", "2026-03-02T09:00", "--duration", "năm", "--unit", "working_days"], "không phải là số"),
        (["--start", "2026-03-02T09:00", "--unit", "working_days"], "cần --duration"),
        (["--start", "2150-03-02T09:00", "--duration", "5", "--unit", "working_days"], "1900–2100"),
        (
            ["--start", "2026-03-02T09:00", "--duration", "5", "--unit", "working_days", "--agency", "999"],
            "Không tìm thấy",
        ),
        (
            ["--start", "2026-03-02T09:00", "--duration", "5", "--unit", "working_days", "--pause", "x"],
            "BẮT_ĐẦU/KẾT_THÚC",
        ),
    ],
)
def test_the_deadline_command_reports_bad_input_clearly(args, message):
    with pytest.raises(CommandError, match=message):
        run("deadline", *args)


# --- motcua import-calendar -----------------------------------------------------------------------------
def test_import_calendar_command_reports_and_refuses_malformed_files(tmp_path):
    good = tmp_path / "bao.csv"
    good.write_text("date,kind,name,source\n2026-03-04,day_off,Bão,CĐ 5\n", encoding="utf-8")
    assert "Đã thêm 1" in run("import_calendar", str(good))
    assert "giữ nguyên 1" in run("import_calendar", str(good))
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "date,kind,name,source\n2026-03-05,day_off,A,B\nnot-a-date,day_off,A,B\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match=r"chưa ghi gì: bad\.csv, dòng 3"):
        run("import_calendar", str(bad))
    assert not CalendarEntry.objects.filter(date=date(2026, 3, 5)).exists()


def test_import_calendar_command_targets_a_province(tmp_path):
    from motcua.org.models import AdministrativeUnit

    province = AdministrativeUnit.objects.create(code="98", kind="province", name="B", full_name="Tỉnh B")
    path = tmp_path / "bao.csv"
    path.write_text("date,kind,name,source\n2026-03-04,day_off,Bão,QĐ 1\n", encoding="utf-8")
    run("import_calendar", str(path), "--province", "98")
    assert CalendarEntry.objects.get(date=date(2026, 3, 4)).province == province
    with pytest.raises(CommandError, match="Không tìm thấy tỉnh"):
        run("import_calendar", str(path), "--province", "77")


def test_days_off_command_lists_the_year():
    out = run("deadlines", "days-off", "--year", "2026")
    assert "Tết Nguyên Đán" in out and "làm bù" in out and "Sat 10/01/2026" in out


# --- recomputation --------------------------------------------------------------------------------------
@dataclass
class FakeDossiers:
    """What the dossiers package will plug in: open items out, moves in."""

    items: list[RecomputeItem]
    name: str = "fake"
    applied: list[Move] = field(default_factory=list)

    def open_items(self):
        return list(self.items)

    def apply(self, moves):
        self.applied.extend(moves)


@pytest.fixture
def no_providers(monkeypatch):
    """Only the providers a test registers (the dossiers package registers its own at start-up)."""
    monkeypatch.setattr(recompute_module, "_providers", {})


@pytest.fixture
def fake(no_providers):
    calendar_start = vn(2026, 3, 2, 9, 0)
    provider = FakeDossiers(
        [
            RecomputeItem("HS-OPEN", calendar_start, 5, "working_days", current_due=vn(2026, 3, 9, 9, 0)),
            RecomputeItem(
                "HS-PAUSED",
                calendar_start,
                5,
                "working_days",
                current_due=vn(2026, 3, 10, 11, 0),
                pauses=(Pause(vn(2026, 3, 4, 9, 0), vn(2026, 3, 5, 11, 0)),),
            ),
            RecomputeItem(
                "HS-CLOSED", calendar_start, 5, "working_days", current_due=vn(2026, 3, 9, 9, 0), closed=True
            ),
        ]
    )
    register_recompute_provider(provider)
    yield provider
    unregister_recompute_provider(provider.name)


def storm_on_4_march():
    CalendarEntry.objects.create(date=date(2026, 3, 4), kind="day_off", name="Bão", source="CĐ 5")


def test_nothing_moves_while_the_calendar_is_unchanged(fake):
    report = recompute()
    assert report.moves == [] and report.checked == 2 and report.skipped_closed == 1


def test_recompute_moves_open_due_dates_after_a_closure_and_never_closed_ones(fake):
    storm_on_4_march()
    report = recompute()
    moved = {m.item.key: (m.old_due, m.new_due) for m in report.moves}
    assert moved == {
        "HS-OPEN": (vn(2026, 3, 9, 9, 0), vn(2026, 3, 10, 9, 0)),
        # The pause started on the storm day: only Thursday 08–11 of it was working time now.
        "HS-PAUSED": (vn(2026, 3, 10, 11, 0), vn(2026, 3, 10, 12, 0)),
    }
    assert {m.item.key for m in fake.applied} == {"HS-OPEN", "HS-PAUSED"}


def test_a_dry_run_reports_but_applies_nothing(fake):
    storm_on_4_march()
    out = run("deadlines", "recompute", "--dry-run")
    assert "HS-OPEN: 09:00 09/03/2026 → 09:00 10/03/2026" in out and "sẽ đổi 2" in out
    assert "HS-CLOSED" not in out
    assert fake.applied == []


def test_recompute_without_providers_says_so(no_providers):
    assert "Chưa có gói nào" in run("deadlines", "recompute")


def test_a_provider_must_have_the_protocol():
    with pytest.raises(TypeError):
        register_recompute_provider(object())  # type: ignore[arg-type]
