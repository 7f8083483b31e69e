"""``motcua import-procedures``: sources, idempotency, new versions, bad input, reports."""

from __future__ import annotations

import gzip
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError
from openpyxl import Workbook

from motcua.catalogue.importers import runner
from motcua.catalogue.importers.runner import import_path
from motcua.catalogue.models import (
    ChannelOption,
    Component,
    Fee,
    Field,
    ImportRecord,
    ImportRun,
    Procedure,
    ProcedureVersion,
)

from .factories import national_record, write_jsonl

pytestmark = pytest.mark.django_db
Status = ProcedureVersion.Status


def statuses(run: ImportRun) -> list[tuple[str, str]]:
    return list(run.records.order_by("id").values_list("code", "status"))


def reasons(run: ImportRun) -> list[str]:
    return list(run.records.filter(status="rejected").order_by("id").values_list("reason", flat=True))


def write_xlsx(path, rows, title="Danh sách TTHC"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    sheet.append(["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nDANH SÁCH THỦ TỤC HÀNH CHÍNH"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


LIST_HEADER = ["Mã số", "Tên", "Cơ quan ban hành", "Cơ quan thực hiện", "Lĩnh vực"]


# --- the happy path -----------------------------------------------------------------------------------------
def test_a_jsonl_file_becomes_draft_versions_with_all_their_parts(tmp_path):
    path = write_jsonl(tmp_path / "ds.jsonl", [national_record("9.000001"), national_record("9.000002")])
    run = import_path(path)
    assert (run.total, run.ok, run.partial, run.rejected, run.status) == (2, 2, 0, 0, "finished")
    version = ProcedureVersion.objects.get(procedure__code="9.000001")
    assert (version.number, version.status, version.import_status) == (1, Status.DRAFT, "ok")
    assert version.field.name == "Thử nghiệm" and version.field.code == "thu-nghiem"
    assert Field.objects.count() == 1  # get-or-create, shared by both procedures
    assert version.components.count() == 2 and version.legal_bases.count() == 2
    assert sorted(version.results.values_list("result_code", flat=True)) == ["KQ.G99.000123", "KQ.G99.000124"]
    in_person = version.channels.get(channel="in_person")
    assert (in_person.duration_value, in_person.duration_unit) == (7, "working_days")
    assert sorted(in_person.fees.values_list("kind", "amount")) == [("charged", 50_000)]
    record = run.records.get(code="9.000001")
    assert (record.status, record.action, record.line, record.version) == ("ok", "created", 1, version)


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = write_jsonl(tmp_path / "ds.jsonl", [national_record("9.000001"), national_record("9.000002")])
    import_path(path)
    counts = (ProcedureVersion.objects.count(), Component.objects.count(), Fee.objects.count())
    again = import_path(path)
    assert statuses(again) == [("9.000001", "unchanged"), ("9.000002", "unchanged")]
    assert (ProcedureVersion.objects.count(), Component.objects.count(), Fee.objects.count()) == counts


def test_a_changed_record_makes_a_new_draft_and_leaves_the_published_version_alone(tmp_path):
    import_path(write_jsonl(tmp_path / "v1.jsonl", [national_record("9.000001")]), publish=True)
    changed = national_record("9.000001", ten_thu_tuc="Cấp giấy phép thử nghiệm (sửa đổi)")
    run = import_path(write_jsonl(tmp_path / "v2.jsonl", [changed]))
    assert statuses(run) == [("9.000001", "ok")] and run.records.get().action == "new_version"
    v1, v2 = ProcedureVersion.objects.filter(procedure__code="9.000001").order_by("number")
    assert (v1.status, v1.name) == (Status.PUBLISHED, "Cấp giấy phép kinh doanh dịch vụ thử nghiệm")
    assert (v2.status, v2.name, v2.number) == (Status.DRAFT, "Cấp giấy phép thử nghiệm (sửa đổi)", 2)


def test_with_publish_the_new_version_replaces_the_published_one(tmp_path):
    import_path(write_jsonl(tmp_path / "v1.jsonl", [national_record("9.000001")]), publish=True)
    changed = national_record("9.000001", so_quyet_dinh="999/QĐ-BTN")
    run = import_path(write_jsonl(tmp_path / "v2.jsonl", [changed]), publish=True)
    assert run.records.get().action == "new_version+published"
    v1, v2 = ProcedureVersion.objects.filter(procedure__code="9.000001").order_by("number")
    assert (v1.status, v2.status, v1.valid_to) == (Status.RETIRED, Status.PUBLISHED, v2.valid_from)


def test_publish_on_an_unchanged_draft_publishes_it(tmp_path):
    path = write_jsonl(tmp_path / "ds.jsonl", [national_record("9.000001")])
    import_path(path)
    run = import_path(path, publish=True)
    assert run.records.get().action == "published"
    assert ProcedureVersion.objects.get().status == Status.PUBLISHED


def test_an_unparsable_part_is_imported_as_partial_with_its_raw_text(tmp_path):
    raw = national_record("9.000001", can_cu_phap_ly="Tên văn bản pháp lýMã văn bảnMột văn bản không số hiệu")
    run = import_path(write_jsonl(tmp_path / "ds.jsonl", [raw]))
    record = run.records.get()
    assert (record.status, record.unparsed_fields) == ("partial", ["can_cu_phap_ly"])
    assert record.unparsed["can_cu_phap_ly"] == raw["can_cu_phap_ly"]
    version = record.version
    assert version.import_status == "partial" and version.unparsed == record.unparsed


def test_gzip_and_a_folder_of_json_files_are_read(tmp_path):
    write_jsonl(tmp_path / "a.jsonl.gz", [national_record("9.000001")], gz=True)
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "b.json").write_text(
        json.dumps(national_record("9.000002"), ensure_ascii=False), encoding="utf-8"
    )
    (folder / "c.json").write_text(json.dumps([national_record("9.000003")]), encoding="utf-8")
    (folder / "README.txt").write_text("không phải bản ghi")
    run = import_path(tmp_path)
    assert sorted(code for code, _ in statuses(run)) == ["9.000001", "9.000002", "9.000003"]
    assert {s for _, s in statuses(run)} == {"ok"}
    assert "README.txt" in run.message


def test_a_portal_list_creates_procedures_and_updates_names_without_losing_content(tmp_path):
    import_path(write_jsonl(tmp_path / "full.jsonl", [national_record("9.000001")]))
    xlsx = write_xlsx(
        tmp_path / "list.xlsx",
        [
            LIST_HEADER,
            [
                "9.000001",
                "Cấp giấy phép thử nghiệm (tên mới)",
                "Bộ Thử nghiệm",
                "Sở Thử nghiệm",
                "Thử nghiệm",
            ],
            ["9.000009", "Thủ tục chỉ có trong danh sách", "Bộ Thử nghiệm", "Sở A\nSở B", "Lĩnh vực khác"],
        ],
    )
    run = import_path(xlsx)
    assert statuses(run) == [("9.000001", "ok"), ("9.000009", "ok")]
    v2 = ProcedureVersion.objects.get(procedure__code="9.000001", number=2)
    assert v2.name == "Cấp giấy phép thử nghiệm (tên mới)"
    assert v2.components.count() == 2 and v2.channels.count() == 2  # content copied from v1
    only_listed = ProcedureVersion.objects.get(procedure__code="9.000009")
    assert (only_listed.competent_agency_text, only_listed.field.name) == ("Sở A; Sở B", "Lĩnh vực khác")
    assert run.records.get(code="9.000001").line == 3  # the Excel row


def test_a_folder_mixing_both_sources_is_stable_on_the_second_run(tmp_path):
    write_jsonl(tmp_path / "full.jsonl", [national_record("9.000001")])
    write_xlsx(
        tmp_path / "list.xlsx",
        [LIST_HEADER, ["9.000001", "Tên theo danh sách", "Bộ", "Sở", "Lĩnh vực theo danh sách"]],
    )
    import_path(tmp_path)
    latest = ProcedureVersion.objects.order_by("-number").first()
    assert (latest.name, latest.field.name) == ("Tên theo danh sách", "Lĩnh vực theo danh sách")
    versions_after_first = ProcedureVersion.objects.count()
    second = import_path(tmp_path)
    assert {s for _, s in statuses(second)} == {"unchanged"}
    assert ProcedureVersion.objects.count() == versions_after_first


# --- bad input ----------------------------------------------------------------------------------------------
def test_a_truncated_gzip_keeps_the_complete_lines_and_names_the_file(tmp_path):
    records = [national_record(f"9.00000{i}") for i in range(1, 6)]
    whole = gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode())
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(whole[: len(whole) * 2 // 3])
    run = import_path(path)
    rejected = reasons(run)
    assert len(rejected) == 1 and "cut.jsonl.gz" in rejected[0] and "cắt cụt" in rejected[0]
    imported = [code for code, status in statuses(run) if status == "ok"]
    assert imported == sorted(imported) and len(imported) < 5
    # Nothing half-written: every imported procedure has its complete version, nothing else exists.
    assert Procedure.objects.count() == len(imported)
    assert all(v.components.count() == 2 for v in ProcedureVersion.objects.all())


def test_an_invalid_json_line_is_rejected_with_its_line_and_the_rest_continues(tmp_path):
    path = write_jsonl(
        tmp_path / "ds.jsonl",
        [national_record("9.000001"), '{"ma_thu_tuc": "9.000002", ', national_record("9.000003")],
    )
    run = import_path(path)
    assert [s for _, s in statuses(run)] == ["ok", "rejected", "ok"]
    assert "ds.jsonl, dòng 2: JSON không hợp lệ" in reasons(run)[0]


def test_a_line_that_is_not_utf8_is_rejected_with_its_line(tmp_path):
    good = json.dumps(national_record("9.000001"), ensure_ascii=False).encode()
    bad = json.dumps(national_record("9.000002"), ensure_ascii=False).encode("utf-16-le")
    path = tmp_path / "ds.jsonl"
    path.write_bytes(good + b"\n" + bad + b"\n" + json.dumps(national_record("9.000003")).encode() + b"\n")
    run = import_path(path)
    assert [s for _, s in statuses(run)] == ["ok", "rejected", "ok"]
    assert "dòng 2: không phải UTF-8" in reasons(run)[0]


def test_an_xlsx_without_the_expected_columns_is_refused_and_other_files_continue(tmp_path):
    write_xlsx(tmp_path / "wrong.xlsx", [["Số thứ tự", "Nội dung", "Ghi chú"], ["1", "a", "b"]])
    write_jsonl(tmp_path / "ok.jsonl", [national_record("9.000001")])
    run = import_path(tmp_path)
    assert sorted(statuses(run)) == [("", "rejected"), ("9.000001", "ok")]
    message = reasons(run)[0]
    assert "wrong.xlsx" in message and "Mã số, Tên" in message and "Số thứ tự" in message
    assert ProcedureVersion.objects.count() == 1


def test_extra_xlsx_columns_are_ignored_and_mentioned(tmp_path):
    path = write_xlsx(
        tmp_path / "list.xlsx", [["Tên", "Ghi chú nội bộ", "Mã số"], ["Thủ tục A", "x", "9.000005"]]
    )
    run = import_path(path)
    assert statuses(run) == [("9.000005", "ok")]
    assert "Ghi chú nội bộ" in run.message


def test_a_duplicate_code_in_one_file_is_rejected_naming_the_first(tmp_path):
    path = write_jsonl(
        tmp_path / "ds.jsonl",
        [national_record("9.000001"), national_record("9.000001", ten_thu_tuc="Bản trùng")],
    )
    run = import_path(path)
    assert [s for _, s in statuses(run)] == ["ok", "rejected"]
    assert "dòng 2: mã thủ tục 9.000001 trùng với tệp" in reasons(run)[0] and "dòng 1" in reasons(run)[0]
    assert ProcedureVersion.objects.get().name == "Cấp giấy phép kinh doanh dịch vụ thử nghiệm"


@pytest.mark.parametrize(("code", "expected"), [("", "Thiếu mã thủ tục"), ("1.23", "không đúng dạng")])
def test_an_invalid_procedure_code_is_rejected_with_the_reason(tmp_path, code, expected):
    run = import_path(write_jsonl(tmp_path / "ds.jsonl", [national_record(code)]))
    assert statuses(run)[0][1] == "rejected" and expected in reasons(run)[0]
    assert not Procedure.objects.exists()


def test_a_record_failing_in_the_database_leaves_nothing_half_written(tmp_path, monkeypatch):
    def explode(draft, spec):
        if spec.code == "9.000002":
            ChannelOption.objects.create(version=draft, channel="online")  # written, then rolled back
            raise DatabaseError("ổ đĩa đầy")
        return original(draft, spec)

    original = runner.Importer._write_children
    monkeypatch.setattr(runner.Importer, "_write_children", staticmethod(explode))
    path = write_jsonl(tmp_path / "ds.jsonl", [national_record(f"9.00000{i}") for i in (1, 2, 3)])
    run = import_path(path)
    assert [s for _, s in statuses(run)] == ["ok", "rejected", "ok"]
    assert "ổ đĩa đầy" in reasons(run)[0]
    assert not Procedure.objects.filter(code="9.000002").exists()
    assert ChannelOption.objects.filter(version__procedure__code="9.000002").count() == 0


# --- the command --------------------------------------------------------------------------------------------
def test_the_command_prints_a_summary_and_writes_a_json_report(tmp_path):
    path = write_jsonl(tmp_path / "ds.jsonl", [national_record("9.000001"), national_record("bad")])
    report = tmp_path / "report.json"
    out, err = io.StringIO(), io.StringIO()
    call_command("import_procedures", str(path), "--report", str(report), stdout=out, stderr=err)
    assert "2 bản ghi: 1 đầy đủ, 0 một phần, 0 không thay đổi, 1 bị từ chối" in out.getvalue()
    assert "Bị từ chối" in err.getvalue()
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["summary"] == {"total": 2, "ok": 1, "partial": 0, "unchanged": 0, "rejected": 1}
    first, second = data["records"]
    assert (first["code"], first["status"], first["line"], first["action"]) == (
        "9.000001",
        "ok",
        1,
        "created",
    )
    assert second["status"] == "rejected" and "không đúng dạng" in second["reason"]


def test_the_command_shows_a_progress_bar_only_on_a_terminal(tmp_path, capsys):
    path = write_jsonl(tmp_path / "ds.jsonl", [national_record("9.000001")])

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    call_command("import_procedures", str(path), stdout=io.StringIO())
    assert "Nhập thủ tục" not in capsys.readouterr().err
    call_command("import_procedures", str(path), stdout=Terminal())
    assert "Nhập thủ tục" in capsys.readouterr().err


def test_the_command_refuses_a_missing_or_unsupported_path(tmp_path):
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("import_procedures", str(tmp_path / "none.jsonl"))
    (tmp_path / "list.csv").write_text("a,b")
    with pytest.raises(CommandError, match="không được hỗ trợ"):
        call_command("import_procedures", str(tmp_path / "list.csv"))


def test_each_imported_record_is_kept_for_the_admin(tmp_path):
    path = write_jsonl(tmp_path / "ds.jsonl", [national_record("9.000001"), "[1, 2]"])
    run = import_path(path)
    assert ImportRecord.objects.filter(run=run).count() == 2
    rejected = ImportRecord.objects.get(run=run, status="rejected")
    assert rejected.where.endswith("dòng 2") and "đối tượng JSON" in rejected.reason
