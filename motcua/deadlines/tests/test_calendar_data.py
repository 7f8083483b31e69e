"""The overlay model, the importer, the cached loader and the admin screens (database)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from motcua.deadlines.calendar_import import CalendarImportError, Scope, import_calendar
from motcua.deadlines.loader import calendar_for, scopes_for
from motcua.deadlines.models import CalendarEntry
from motcua.org.models import AdministrativeUnit, Agency, ReceptionPoint

from .conftest import vn

pytestmark = pytest.mark.django_db

STORM_DAY = date(2026, 3, 4)  # an ordinary Wednesday


@pytest.fixture
def province():
    return AdministrativeUnit.objects.create(code="99", kind="province", name="Thử", full_name="Tỉnh Thử")


@pytest.fixture
def commune(province):
    return AdministrativeUnit.objects.create(
        code="99001", kind="commune", name="An Bình", full_name="Xã An Bình", province=province
    )


@pytest.fixture
def department(province):
    return Agency.objects.create(
        name="Sở Tư pháp tỉnh Thử", kind="department", code="000.00.15.H99", admin_unit=province
    )


@pytest.fixture
def division(department):
    return Agency.objects.create(
        name="Phòng Hành chính tư pháp", kind="division", code="001.00.15.H99", parent=department
    )


def table_json(day_off: str) -> str:
    """An official-table file for 2026 with one weekday day off."""
    return '{"source": "S", "years": {"2026": {"weekday_days_off": [' + day_off + "]}}}"


def entry(**fields) -> CalendarEntry:
    defaults = {"date": STORM_DAY, "kind": "day_off", "name": "Nghỉ do bão", "source": "QĐ 1/QĐ-UBND"}
    defaults.update(fields)
    obj = CalendarEntry(**defaults)
    obj.full_clean()
    obj.save()
    return obj


# --- the model ------------------------------------------------------------------------------------------
def test_a_contradicting_entry_in_the_same_scope_is_refused_naming_the_first(province):
    entry(scope="province", province=province)
    clash = CalendarEntry(
        date=STORM_DAY,
        kind="working_day",
        name="Làm việc",
        source="QĐ 2",
        scope="province",
        province=province,
    )
    with pytest.raises(ValidationError, match="Mâu thuẫn với mục đã có") as info:
        clash.full_clean()
    assert "Nghỉ do bão" in str(info.value) and "QĐ 1/QĐ-UBND" in str(info.value)


def test_the_database_refuses_two_entries_for_one_scope_and_date_even_without_clean():
    entry()
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarEntry.objects.create(date=STORM_DAY, kind="working_day", name="x", source="y")


def test_the_same_date_may_differ_between_scopes(province):
    entry(scope="province", province=province)
    entry(kind="working_day", name="Mở cửa", scope="national")  # no contradiction: another scope
    assert CalendarEntry.objects.filter(date=STORM_DAY).count() == 2


def test_scope_fields_must_match_the_scope(province, department, commune):
    with pytest.raises(ValidationError, match="cần chọn một tỉnh"):
        entry(scope="province")
    with pytest.raises(ValidationError, match="không phải cấp tỉnh"):
        entry(scope="province", province=commune)
    with pytest.raises(ValidationError, match="Chỉ chọn cơ quan"):
        entry(scope="national", agency=department)
    with pytest.raises(ValidationError, match="1900"):
        entry(date=date(1850, 1, 1))


# --- the loader -----------------------------------------------------------------------------------------
def test_a_province_closure_applies_to_its_agencies_and_reception_points_only(province, commune, department):
    entry(scope="province", province=province)
    point = ReceptionPoint.objects.create(
        name="TTPVHCC xã An Bình", kind="commune_centre", agency=department, admin_unit=commune
    )
    elsewhere = Agency.objects.create(name="Bộ Tư pháp", kind="ministry", code="000.00.00.G15")
    assert not calendar_for(agency=department).is_working_day(STORM_DAY)
    assert not calendar_for(reception_point=point).is_working_day(STORM_DAY)
    assert calendar_for(agency=elsewhere).is_working_day(STORM_DAY)
    assert calendar_for().is_working_day(STORM_DAY)


def test_an_agency_entry_covers_its_divisions_and_the_nearest_scope_wins(province, department, division):
    entry(scope="province", province=province)  # the province closes …
    entry(kind="working_day", name="Trực tiếp nhận", scope="agency", agency=department)  # … the Sở stays open
    assert calendar_for(agency=department).is_working_day(STORM_DAY)
    assert calendar_for(agency=division).is_working_day(STORM_DAY)  # inherits the Sở and its province
    keys, label = scopes_for(division)
    assert keys == ["national", f"province:{province.pk}", f"agency:{department.pk}", f"agency:{division.pk}"]
    assert "Tỉnh Thử" in label


def test_office_hours_come_from_the_reception_point_then_the_agency(department, province):
    department.office_hours = "07:00-11:30,13:30-17:00"
    department.save()
    point = ReceptionPoint.objects.create(
        name="Quầy", kind="provincial_centre", agency=department, office_hours="07:30-11:30,13:00-17:00"
    )
    assert str(calendar_for(agency=department).office_hours) == "07:00-11:30,13:30-17:00"
    assert str(calendar_for(reception_point=point).office_hours) == "07:30-11:30,13:00-17:00"
    assert calendar_for(reception_point=point).hours_per_day == 8
    assert calendar_for(agency=department).due(vn(2026, 3, 2, 12, 0), 1, "working_days") == vn(
        2026, 3, 3, 11, 30
    )


def test_the_cached_calendar_sees_a_new_edited_or_deleted_entry():
    assert calendar_for().is_working_day(STORM_DAY)
    storm = entry()
    assert not calendar_for().is_working_day(STORM_DAY)
    storm.kind = "working_day"
    storm.save()
    assert calendar_for().is_working_day(STORM_DAY)
    storm.kind = "day_off"
    storm.save()
    CalendarEntry.objects.filter(pk=storm.pk).delete()  # a queryset delete: no signal, the stamp changes
    assert calendar_for().is_working_day(STORM_DAY)


def test_units_with_the_same_entries_and_hours_share_one_snapshot(department, division):
    assert calendar_for(agency=department) is calendar_for(agency=division)


def test_a_fresh_install_knows_the_2026_new_year_swap():
    calendar = calendar_for()
    assert not calendar.is_working_day(date(2026, 1, 2))
    assert calendar.is_working_day(date(2026, 1, 10))
    assert "12729/VPCP-KGVX" in calendar.day_source(date(2026, 1, 2))


# --- the importer ---------------------------------------------------------------------------------------
def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_it_imports_a_csv_notice_and_reports_what_it_added(tmp_path):
    path = write(
        tmp_path,
        "bao.csv",
        "date,kind,name,source\n2026-03-04,day_off,Nghỉ do bão số 3,Công điện 5/CĐ-TTg\n"
        "07/03/2026,working_day,Làm bù,Công điện 5/CĐ-TTg\n",
    )
    report = import_calendar(path)
    assert [(r.date, r.kind) for r in report.added] == [
        (date(2026, 3, 4), "day_off"),
        (date(2026, 3, 7), "working_day"),
    ]
    assert "Đã thêm 2" in report.lines()[-1]
    calendar = calendar_for()
    assert not calendar.is_working_day(date(2026, 3, 4)) and calendar.is_working_day(date(2026, 3, 7))


def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = write(tmp_path, "a.csv", "date,kind,name,source\n2026-03-04,day_off,Bão,CĐ 5\n")
    import_calendar(path)
    again = import_calendar(path)
    assert (again.added, again.changed, again.unchanged) == ([], [], 1)
    assert CalendarEntry.objects.filter(date=date(2026, 3, 4)).count() == 1


def test_a_corrected_name_or_source_is_reported_as_changed(tmp_path):
    import_calendar(write(tmp_path, "a.csv", "date,kind,name,source\n2026-03-04,day_off,Bão,CĐ 5\n"))
    report = import_calendar(
        write(tmp_path, "b.csv", "date,kind,name,source\n2026-03-04,day_off,Bão số 3,CĐ 5\n")
    )
    assert len(report.changed) == 1 and "Bão số 3" in report.changed[0][1][0]
    assert CalendarEntry.objects.get(date=date(2026, 3, 4)).name == "Bão số 3"


def test_a_kind_contradicting_the_database_is_refused_unless_replace(tmp_path):
    import_calendar(write(tmp_path, "a.csv", "date,kind,name,source\n2026-03-04,day_off,Bão,CĐ 5\n"))
    flip = write(
        tmp_path,
        "b.csv",
        "date,kind,name,source\n2026-03-05,day_off,Bão,CĐ 6\n2026-03-04,working_day,Mở,CĐ 6\n",
    )
    with pytest.raises(CalendarImportError, match=r"b\.csv, dòng 3: ngày 04/03/2026 mâu thuẫn"):
        import_calendar(flip)
    assert not CalendarEntry.objects.filter(date=date(2026, 3, 5)).exists()  # nothing half-written
    report = import_calendar(flip, replace=True)
    assert len(report.added) == 1 and len(report.changed) == 1
    assert CalendarEntry.objects.get(date=date(2026, 3, 4)).kind == "working_day"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        (
            "x.csv",
            "date,kind,name,source\n2026-13-01,day_off,A,B\n",
            r"x\.csv, dòng 2: ngày '2026-13-01' không hợp lệ",
        ),
        ("x.csv", "date,kind,name,source\n2026-03-04,holiday,A,B\n", "dòng 2: loại 'holiday' không hợp lệ"),
        ("x.csv", "date,kind,source\n2026-03-04,day_off,B\n", "thiếu cột name"),
        ("x.csv", "date,kind,name,source\n2026-03-04,day_off,,B\n", "dòng 2: thiếu tên"),
        ("x.csv", "date,kind,name\n2026-03-04,day_off,A\n", "dòng 2: thiếu văn bản căn cứ"),
        (
            "x.csv",
            "date,kind,name,source\n2026-03-04,day_off,A,B\n2026-03-04,working_day,C,D\n",
            "dòng 3: .* mâu thuẫn với x.csv, dòng 2",
        ),
        ("x.csv", "date,kind,name,source\n2026-03-04,day_off,A,B,extra\n", "thừa cột"),
        ("x.csv", "date,kind,name,source\n2200-01-01,day_off,A,B\n", "ngoài khoảng 1900–2100"),
        ("x.json", "{not json", r"x\.json, dòng 1: JSON không hợp lệ"),
        ("x.json", '{"a": 1}', "cần một danh sách"),
        (
            "x.json",
            '[{"date": "2026-03-04", "kind": "day_off", "name": "A"}, 5]',
            "mục 1: thiếu văn bản căn cứ",
        ),
        (
            "x.json",
            table_json('{"date": "2026-03-07", "name_vi": "A"}'),
            "không phải ngày trong tuần",
        ),
        (
            "x.json",
            table_json('{"date": "2026-03-04", "dow": "Mon", "name_vi": "A"}'),
            "là Wed, không phải Mon",
        ),
        (
            "x.json",
            '{"source": "S", "years": {"2026": {"make_up_working_saturdays": ["2026-03-04"]}}}',
            "không phải ngày nghỉ cuối tuần",
        ),
        (
            "x.json",
            table_json('{"date": "2025-03-04", "name_vi": "A"}'),
            "không thuộc năm 2026",
        ),
        ("x.txt", "date,kind,name,source\n", "chỉ nhận tệp .csv hoặc .json"),
        ("x.csv", "date,kind,name,source\n", "không có mục nào"),
    ],
)
def test_a_malformed_file_is_refused_naming_the_record_and_nothing_is_written(tmp_path, name, text, message):
    before = list(CalendarEntry.objects.values_list("pk", "date", "kind", "name"))
    with pytest.raises(CalendarImportError, match=message):
        import_calendar(write(tmp_path, name, text))
    assert list(CalendarEntry.objects.values_list("pk", "date", "kind", "name")) == before


def test_json_entries_and_a_default_source_are_accepted(tmp_path):
    path = write(
        tmp_path,
        "n.json",
        json.dumps(
            {"source": "TB 1/TB-UBND", "entries": [{"date": "2026-03-04", "kind": "nghỉ", "name": "Bão"}]}
        ),
    )
    report = import_calendar(path)
    assert report.added[0].source == "TB 1/TB-UBND" and report.added[0].kind == "day_off"


def test_an_import_into_a_province_scope_leaves_the_national_calendar_alone(tmp_path, province, department):
    path = write(tmp_path, "bao.csv", "date,kind,name,source\n2026-03-04,day_off,Bão,QĐ 9/UBND\n")
    import_calendar(path, Scope("province", province=province))
    assert CalendarEntry.objects.get(date=STORM_DAY).scope_key == f"province:{province.pk}"
    assert not calendar_for(agency=department).is_working_day(STORM_DAY)
    assert calendar_for().is_working_day(STORM_DAY)


def test_a_dry_run_reports_and_writes_nothing(tmp_path):
    path = write(tmp_path, "a.csv", "date,kind,name,source\n2026-03-04,day_off,Bão,CĐ 5\n")
    report = import_calendar(path, dry_run=True)
    assert len(report.added) == 1 and "Sẽ thêm 1" in report.lines()[-1]
    assert not CalendarEntry.objects.filter(date=STORM_DAY).exists()


# --- admin screens --------------------------------------------------------------------------------------
@pytest.fixture
def admin_client_vi(client, django_user_model, settings, tmp_path):
    # WhiteNoise warns (an error under our pytest config) when STATIC_ROOT does not exist yet, which is
    # the case on a fresh checkout before collectstatic.
    settings.STATIC_ROOT = tmp_path
    user = django_user_model.objects.create_superuser("quantri", "qt@example.vn", "mat-khau-dai-2026")
    client.force_login(user)
    return client


def test_the_admin_lists_adds_and_refuses_a_contradiction(admin_client_vi):
    entry()
    listing = admin_client_vi.get(reverse("admin:deadlines_calendarentry_changelist"))
    assert listing.status_code == 200 and "Nghỉ do bão" in listing.content.decode()
    response = admin_client_vi.post(
        reverse("admin:deadlines_calendarentry_add"),
        {
            "date": "04/03/2026",
            "kind": "working_day",
            "name": "Mở cửa",
            "source": "QĐ 2",
            "scope": "national",
        },
    )
    assert response.status_code == 200
    assert "Mâu thuẫn với mục đã có" in response.content.decode()
    assert CalendarEntry.objects.filter(date=STORM_DAY).count() == 1


def test_the_admin_year_view_shows_the_effective_calendar(admin_client_vi):
    entry()
    page = admin_client_vi.get(reverse("admin:deadlines_calendarentry_year"), {"year": "2026"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "Nghỉ do bão" in text and "Tết Nguyên Đán" in text and "10/01/2026" in text
