"""Population database (contract §6): a deterministic seeded population and matched-only lookups."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings

from simulators.national_portal.models import Citizen, PopulationQuery
from simulators.national_portal.population import BUILTIN_UNITS, SeedMismatch, seed_population
from simulators.national_portal.tests.conftest import SIM_DB

pytestmark = pytest.mark.django_db(databases=SIM_DB)

UNITS_DIR = Path(settings.SHARED_DIR) / "data" / "admin-units"


def everyone() -> list[tuple]:
    return list(
        Citizen.objects.order_by("so_dinh_danh").values_list(
            "so_dinh_danh", "ho_va_ten", "ngay_sinh", "gioi_tinh", "ma_xa", "dia_chi", "ma_tai_khoan"
        )
    )


def test_seeding_is_deterministic_and_idempotent():
    assert seed_population(400, seed=11) == 400
    first = everyone()
    ids = list(Citizen.objects.order_by("id").values_list("id", flat=True))
    assert seed_population(400, seed=11) == 400  # again: nothing changes
    assert list(Citizen.objects.order_by("id").values_list("id", flat=True)) == ids
    seed_population(400, seed=12, replace=True)
    assert everyone() != first
    seed_population(400, seed=11, replace=True)
    assert everyone() == first


def test_seeding_with_other_values_is_refused_without_replace():
    seed_population(50, seed=1)
    with pytest.raises(SeedMismatch, match="seed=1"):
        seed_population(60, seed=1)


def test_numbers_are_twelve_digits_consistent_with_birth_year_and_sex():
    """rules.md §6: digit 4 is century + sex (0/1 1900s, 2/3 2000s; even male), digits 5–6 the year."""
    seed_population(3000, seed=5)
    century = {"0": 1900, "1": 1900, "2": 2000, "3": 2000}
    rows = Citizen.objects.values_list("so_dinh_danh", "ngay_sinh", "gioi_tinh")
    assert len(rows) == 3000
    assert len({number for number, _, _ in rows}) == 3000
    for number, born, sex in rows:
        assert len(number) == 12 and number.isdigit()
        assert century[number[3]] + int(number[4:6]) == born.year
        assert (int(number[3]) % 2 == 0) == (sex == "Nam")
        assert number[:3] != "000" and len(set(number)) > 1


def test_names_carry_vietnamese_marks_in_nfc():
    seed_population(300, seed=5)
    names = list(Citizen.objects.values_list("ho_va_ten", flat=True))
    assert all(unicodedata.is_normalized("NFC", name) for name in names)
    assert sum(any(ord(ch) > 127 for ch in name) for name in names) > len(names) * 0.8
    assert all(2 <= len(name.split()) <= 4 for name in names)


def test_families_are_consistent():
    seed_population(600, seed=5)
    for citizen in Citizen.objects.exclude(vo_chong=None).select_related("vo_chong"):
        assert citizen.vo_chong.vo_chong_id == citizen.id
        assert citizen.vo_chong.gioi_tinh != citizen.gioi_tinh
    for child in Citizen.objects.exclude(cha=None).select_related("cha"):
        assert child.cha.gioi_tinh == "Nam"
        assert child.cha.ngay_sinh < child.ngay_sinh - dt.timedelta(days=365 * 15)
    for child in Citizen.objects.exclude(me=None).select_related("me"):
        assert child.me.gioi_tinh == "Nữ"
    heads = Citizen.objects.filter(quan_he_chu_ho="Chủ hộ").values_list("household_id", flat=True)
    assert sorted(heads) == sorted(set(Citizen.objects.values_list("household_id", flat=True)))


def test_addresses_use_real_administrative_unit_codes():
    seed_population(500, seed=5)
    used = set(Citizen.objects.values_list("ma_tinh", "ma_xa"))
    files = sorted(UNITS_DIR.glob("vn_units_*.json")) if UNITS_DIR.is_dir() else []
    if files:
        official = {(p["Code"], w["Code"]) for p in json.loads(files[-1].read_text()) for w in p["Wards"]}
    else:
        official = {(province, commune) for province, _, commune, _ in BUILTIN_UNITS}
    assert used <= official
    assert len(used) > (50 if files else 3)


def test_without_the_official_list_it_uses_its_own_few_real_units(settings, tmp_path):
    settings.SHARED_DIR = tmp_path  # an empty shared folder
    seed_population(80, seed=5)
    used = set(Citizen.objects.values_list("ma_tinh", "ma_xa"))
    assert used <= {(province, commune) for province, _, commune, _ in BUILTIN_UNITS}


# --- Lookups ------------------------------------------------------------------------------------------


@pytest.fixture
def people():
    seed_population(200, seed=3)
    return (
        Citizen.objects.exclude(cha=None)
        .filter(quan_he_chu_ho="Con")
        .select_related("cha", "me", "household")
    )


def ask(portal, citizen, **overrides):
    body = {
        "SoDinhDanh": citizen.so_dinh_danh,
        "HoVaTen": citizen.ho_va_ten,
        "NgayThangNamSinh": citizen.ngay_sinh.strftime("%Y%m%d"),
        "MaYeuCau": "YC-1",
        "MaCanBo": "canbo.motcua",
        "MucDich": "Xác minh nhân thân khi tiếp nhận hồ sơ",
        "MaHoSo": "000.00.00.H56-261127-0001",
    }
    body.update(overrides)
    return portal.post_json("/api/dancu/tra-cuu", body)


def test_a_matched_query_returns_the_citizen_and_their_family(portal, people):
    child = people.first()
    answer = ask(portal, child).json()
    assert answer["TimThay"] is True
    found = answer["CongDan"]
    assert (found["SoDinhDanh"], found["HoVaTen"]) == (child.so_dinh_danh, child.ho_va_ten)
    assert found["NgayThangNamSinh"] == child.ngay_sinh.strftime("%Y%m%d")
    assert found["Cha"] == {"HoVaTen": child.cha.ho_va_ten, "SoDinhDanh": child.cha.so_dinh_danh}
    assert found["ThuongTru"]["MaXa"] == child.household.ma_xa
    assert found["ChuHo"]["QuanHe"] == "Con"


@pytest.mark.parametrize(
    "change",
    [
        lambda c: {"HoVaTen": c.ho_va_ten.upper()},  # exact: case matters
        lambda c: {"HoVaTen": unicodedata.normalize("NFD", c.ho_va_ten).encode("ascii", "ignore").decode()},
        lambda c: {"NgayThangNamSinh": (c.ngay_sinh + dt.timedelta(days=1)).strftime("%Y%m%d")},
        lambda c: {"SoDinhDanh": c.so_dinh_danh[:-1] + str((int(c.so_dinh_danh[-1]) + 1) % 10)},
    ],
)
def test_any_mismatch_finds_nothing_and_reveals_nothing(portal, people, change):
    answer = ask(portal, people.first(), **change(people.first())).json()
    assert answer == {"TimThay": False}


def test_names_match_after_nfc_normalisation_and_space_folding(portal, people):
    citizen = people.first()
    decomposed = "  " + unicodedata.normalize("NFD", citizen.ho_va_ten).replace(" ", "  ") + " "
    assert ask(portal, citizen, HoVaTen=decomposed).json()["TimThay"] is True


def test_the_date_may_be_typed_day_first(portal, people):
    citizen = people.first()
    assert (
        ask(portal, citizen, NgayThangNamSinh=citizen.ngay_sinh.strftime("%d/%m/%Y")).json()["TimThay"]
        is True
    )


def test_every_lookup_is_logged_with_officer_purpose_and_dossier(portal, people):
    citizen = people.first()
    ask(portal, citizen)
    ask(portal, citizen, HoVaTen="Sai Tên")
    logged = list(
        PopulationQuery.objects.order_by("id").values_list("ma_can_bo", "muc_dich", "ma_ho_so", "tim_thay")
    )
    assert logged == [
        ("canbo.motcua", "Xác minh nhân thân khi tiếp nhận hồ sơ", "000.00.00.H56-261127-0001", True),
        ("canbo.motcua", "Xác minh nhân thân khi tiếp nhận hồ sơ", "000.00.00.H56-261127-0001", False),
    ]


@pytest.mark.parametrize("missing", ["MucDich", "MaCanBo", "HoVaTen"])
def test_a_lookup_without_purpose_officer_or_name_is_refused(portal, people, missing):
    response = ask(portal, people.first(), **{missing: ""})
    assert response.status_code == 400
    assert response.json()["loi"][0]["truong"] == missing
    assert not PopulationQuery.objects.exists()
