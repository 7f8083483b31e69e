"""motcua import-units: the official list of provinces and communes, imported idempotently."""

from __future__ import annotations

import json
import unicodedata
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from motcua.org.models import AdministrativeUnit

Kind = AdministrativeUnit.Kind


def ward(code, name, unit_id=4, short="Xã", province="99", name_en=None):
    return {
        "Type": "ward",
        "Code": code,
        "Name": name,
        "NameEn": name_en if name_en is not None else name,
        "FullName": f"{short} {name}",
        "ProvinceCode": province,
        "AdministrativeUnitId": unit_id,
        "AdministrativeUnitShortName": short,
    }


def province(code, name, wards, unit_id=2, short="Tỉnh"):
    return {
        "Type": "province",
        "Code": code,
        "Name": name,
        "NameEn": name,
        "FullName": f"{short} {name}",
        "AdministrativeUnitId": unit_id,
        "AdministrativeUnitShortName": short,
        "Wards": wards,
    }


def sample():
    return [
        province(
            "98",
            "Hải Vân",
            [ward("98001", "Hải Châu", 3, "Phường", "98"), ward("98004", "Bạch Long", 5, "Đặc khu", "98")],
            unit_id=1,
            short="Thành phố",
        ),
        province("99", "Hồng Lam", [ward("99001", "Hòa An"), ward("99004", "Tân Lập")]),
    ]


@pytest.fixture
def write(tmp_path):
    def _write(data, name="units.json"):
        path = tmp_path / name
        path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), "utf-8")
        return path

    return _write


def run(path, *args):
    out = StringIO()
    call_command("import_units", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_creates_provinces_and_communes_with_their_kinds(write):
    output = run(write(sample()))

    units = {u.code: u for u in AdministrativeUnit.objects.select_related("province")}
    assert set(units) == {"98", "98001", "98004", "99", "99001", "99004"}
    assert units["98"].kind == Kind.CITY
    assert units["99"].kind == Kind.PROVINCE
    assert units["98001"].kind == Kind.WARD
    assert units["98004"].kind == Kind.SPECIAL_ZONE
    assert units["99001"].kind == Kind.COMMUNE
    assert units["99001"].province == units["99"]
    assert units["98"].province is None
    assert units["99001"].full_name == "Xã Hòa An"
    assert "tạo mới 6" in output


@pytest.mark.django_db
def test_it_falls_back_to_the_type_name_when_the_unit_id_is_absent(write):
    data = sample()
    for prov in data:
        del prov["AdministrativeUnitId"]
        for w in prov["Wards"]:
            del w["AdministrativeUnitId"]
    run(write(data))
    assert AdministrativeUnit.objects.get(code="98").kind == Kind.CITY
    assert AdministrativeUnit.objects.get(code="98004").kind == Kind.SPECIAL_ZONE
    assert AdministrativeUnit.objects.get(code="99004").kind == Kind.COMMUNE


@pytest.mark.django_db
def test_it_stores_names_in_composed_form(write):
    data = sample()
    data[1]["Wards"][0]["Name"] = unicodedata.normalize("NFD", "Hòa  An ")
    run(write(data))
    name = AdministrativeUnit.objects.get(code="99001").name
    assert name == unicodedata.normalize("NFC", "Hòa An")


@pytest.mark.django_db
def test_reimporting_the_same_list_changes_nothing_and_says_so(write):
    path = write(sample())
    run(path)
    before = list(AdministrativeUnit.objects.order_by("code").values())

    output = run(path)

    assert list(AdministrativeUnit.objects.order_by("code").values()) == before
    assert "tạo mới 0, cập nhật 0, không đổi 6" in output


@pytest.mark.django_db
def test_tone_mark_placement_alone_is_not_a_change(write):
    run(write(sample()))
    data = sample()
    data[1]["Wards"][0]["Name"] = "Hoà An"  # old-style placement in another list
    data[1]["Wards"][0]["FullName"] = "Xã Hoà An"

    output = run(write(data, "other-list.json"))

    assert "cập nhật 0" in output
    assert AdministrativeUnit.objects.get(code="99001").name == "Hòa An"


@pytest.mark.django_db
def test_a_real_rename_updates_the_unit_and_reports_old_and_new_names(write):
    run(write(sample()))
    data = sample()
    data[1]["Wards"][0]["Name"] = "Hóa An"  # a different tone: a different name
    data[1]["Wards"][0]["FullName"] = "Xã Hóa An"

    output = run(write(data))

    unit = AdministrativeUnit.objects.get(code="99001")
    assert unit.name == "Hóa An"
    assert unit.search_text.startswith("99001 xa hoa an")
    assert "cập nhật 1" in output
    assert "99001 Xã Hóa An: tên: 'Hòa An' → 'Hóa An'" in output
    assert AdministrativeUnit.objects.count() == 6


@pytest.mark.django_db
def test_a_commune_moved_to_another_province_is_updated(write):
    run(write(sample()))
    data = sample()
    moved = data[1]["Wards"].pop()
    moved["ProvinceCode"] = "98"
    data[0]["Wards"].append(moved)

    output = run(write(data))

    assert AdministrativeUnit.objects.get(code="99004").province.code == "98"
    assert "tỉnh: '99' → '98'" in output


@pytest.mark.django_db
def test_units_missing_from_the_list_are_reported_and_kept(write):
    run(write(sample()))
    data = sample()
    data[1]["Wards"].pop()

    output = run(write(data))

    assert AdministrativeUnit.objects.filter(code="99004").exists()
    assert "1 đơn vị đang hiệu lực trong CSDL không có trong danh sách" in output
    assert "99004" in output


@pytest.mark.django_db
def test_province_option_imports_only_that_province(write):
    output = run(write(sample()), "--province", "99")

    assert sorted(AdministrativeUnit.objects.values_list("code", flat=True)) == ["99", "99001", "99004"]
    assert "1 tỉnh, 2 xã" in output


@pytest.mark.django_db
def test_province_option_ignores_a_bad_record_in_another_province(write):
    data = sample()
    data[0]["Wards"][0]["Code"] = "1"
    run(write(data), "--province", "99")
    assert AdministrativeUnit.objects.filter(code="99").exists()


@pytest.mark.django_db
def test_an_unknown_province_option_is_an_error(write):
    with pytest.raises(CommandError, match="không có tỉnh mã 42"):
        run(write(sample()), "--province", "42")


@pytest.mark.django_db
def test_dry_run_reports_but_writes_nothing(write):
    output = run(write(sample()), "--dry-run")
    assert "tạo mới 6" in output
    assert "Chạy thử" in output
    assert AdministrativeUnit.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('[{"Code": "99",', "không phải JSON hợp lệ: dòng 1"),
        ('{"Code": "99"}', "cần một danh sách"),
        ("[]", "không có tỉnh nào"),
        ('["99"]', "tỉnh thứ 1: cần một đối tượng JSON"),
    ],
)
def test_malformed_files_are_refused_with_the_file_named(write, content, expected):
    path = write(content)
    with pytest.raises(CommandError) as err:
        run(path)
    assert expected in str(err.value)
    assert str(path) in str(err.value)


@pytest.mark.django_db
def test_a_non_utf8_file_is_refused(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(json.dumps(sample(), ensure_ascii=False).encode("cp1258", errors="replace"))
    with pytest.raises(CommandError, match="không phải văn bản UTF-8"):
        run(path)


@pytest.mark.django_db
def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Không đọc được tệp"):
        run(tmp_path / "absent.json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (lambda d: d[1]["Wards"][1].update(Code="9904"), "tỉnh thứ 2 (mã 99), xã thứ 2: mã xã '9904'"),
        (lambda d: d[1].update(Code="9"), "tỉnh thứ 2: mã tỉnh '9' không hợp lệ"),
        (lambda d: d[1]["Wards"][1].update(Code="98001"), "(mã 98001): mã bị trùng"),
        (lambda d: d[1]["Wards"][0].update(ProvinceCode="98"), "ProvinceCode '98' không khớp"),
        (lambda d: d[1]["Wards"][0].update(AdministrativeUnitId=9), "AdministrativeUnitId=9"),
        (lambda d: d[1]["Wards"][0].update(Name=""), "thiếu trường 'Name'"),
        (lambda d: d[1].pop("Wards"), "thiếu danh sách xã 'Wards'"),
    ],
)
def test_a_bad_record_names_itself_and_nothing_is_written(write, breakage, expected):
    data = sample()
    breakage(data)
    with pytest.raises(CommandError) as err:
        run(write(data))
    assert expected in str(err.value)
    assert "Không có thay đổi nào được ghi" in str(err.value)
    # The first province was valid, and still nothing of it was written.
    assert AdministrativeUnit.objects.count() == 0


@pytest.mark.django_db
def test_a_bad_record_in_a_reimport_leaves_the_previous_import_untouched(write):
    run(write(sample()))
    before = list(AdministrativeUnit.objects.order_by("code").values())
    data = sample()
    data[0]["Wards"][0]["Name"] = "Renamed"
    data[1]["Wards"][1]["Code"] = "bad"
    with pytest.raises(CommandError):
        run(write(data))
    assert list(AdministrativeUnit.objects.order_by("code").values()) == before


OFFICIAL_LIST = settings.SHARED_DIR / "data" / "admin-units" / "vn_units_2026-07-25.json"


@pytest.mark.django_db
@pytest.mark.skipif(not OFFICIAL_LIST.exists(), reason=f"shared official list absent ({OFFICIAL_LIST})")
def test_the_official_list_imports_34_provinces_and_3321_communes_once():
    first = run(OFFICIAL_LIST)
    second = run(OFFICIAL_LIST)

    assert AdministrativeUnit.objects.filter(province__isnull=True).count() == 34
    assert AdministrativeUnit.objects.filter(province__isnull=False).count() == 3321
    assert "tạo mới 3.355" in first
    assert "tạo mới 0, cập nhật 0, không đổi 3.355" in second
    hanoi = AdministrativeUnit.objects.get(code="01")
    assert hanoi.kind == Kind.CITY
    assert AdministrativeUnit.objects.filter(kind=Kind.SPECIAL_ZONE).count() > 0
    assert not AdministrativeUnit.objects.exclude(code__regex=r"^(\d{2}|\d{5})$").exists()
