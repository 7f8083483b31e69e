"""Anomaly detection (/sim/stats): backwards statuses, gaps and disorder in logs, duplicates, bad fields."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulators.national_portal.rules import TERMINAL, is_allowed_transition
from simulators.national_portal.tests.conftest import SIM_DB, make_event, make_hoso

CODE = "000.00.00.H56-261127-0001"
CREATE, UPDATE, EVENTS = "/api/hoso/them-moi", "/api/hoso/cap-nhat", "/api/hoso/tien-trinh"


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (1, 2),
        (2, 4),
        (4, 5),
        (5, 4),
        (4, 6),
        (6, 4),
        (5, 2),
        (4, 9),
        (9, 10),
        (2, 9),
        (1, 3),
        (4, 7),
        (4, 8),
        (4, 4),
    ],
)
def test_the_normal_path_and_its_documented_returns_are_allowed(old, new):
    assert is_allowed_transition(old, new)


@pytest.mark.parametrize(
    ("old", "new"), [(4, 2), (9, 4), (10, 9), (5, 1), (4, 3), (9, 7), (3, 2), (7, 4), (8, 4)]
)
def test_going_back_or_leaving_a_terminal_status_is_not_allowed(old, new):
    assert not is_allowed_transition(old, new)


@given(st.sampled_from(sorted(TERMINAL)), st.integers(min_value=1, max_value=10))
def test_nothing_follows_a_terminal_status(terminal, new):
    assert is_allowed_transition(terminal, new) == (terminal == new)


def anomalies(anon) -> dict:
    response = anon.get("/sim/stats")
    assert response.status_code == 200
    return response.json()["anomalies"]


@pytest.mark.django_db(databases=SIM_DB)
def test_a_clean_history_has_no_anomaly(portal, anon):
    portal.post_json(CREATE, {"HoSo": [make_hoso()]})
    portal.post_json(EVENTS, {"TienTrinh": [make_event("EV-1")]})
    for i, (status, at) in enumerate(
        [(4, "20261127090000"), (9, "20261127150000"), (10, "20261127160000")], 2
    ):
        portal.post_json(UPDATE, {"HoSo": [make_hoso(TrangThaiHoSo=status, ThoiDiemCapNhat=at)]})
        portal.post_json(EVENTS, {"TienTrinh": [make_event(f"EV-{i}", ThoiDiemXuLy=at, TrangThai=status)]})
    found = anomalies(anon)
    assert found["total"] == 0, found


@pytest.mark.django_db(databases=SIM_DB)
def test_it_flags_a_status_that_went_backwards_with_the_dossier_code(portal, anon):
    portal.post_json(CREATE, {"HoSo": [make_hoso(TrangThaiHoSo=4, ThoiDiemCapNhat="20261127090000")]})
    portal.post_json(UPDATE, {"HoSo": [make_hoso(TrangThaiHoSo=2, ThoiDiemCapNhat="20261127100000")]})
    found = anomalies(anon)["status_backwards"]
    assert found["count"] == 1
    assert found["dossiers"] == [CODE]


@pytest.mark.django_db(databases=SIM_DB)
def test_a_stale_update_is_not_counted_as_going_backwards(portal, anon):
    portal.post_json(CREATE, {"HoSo": [make_hoso(TrangThaiHoSo=4, ThoiDiemCapNhat="20261127100000")]})
    portal.post_json(UPDATE, {"HoSo": [make_hoso(TrangThaiHoSo=2, ThoiDiemCapNhat="20261127090000")]})
    assert anomalies(anon)["status_backwards"]["count"] == 0


@pytest.mark.django_db(databases=SIM_DB)
def test_it_flags_a_gap_until_the_missing_event_arrives(portal, anon):
    portal.post_json(CREATE, {"HoSo": [make_hoso()]})
    portal.post_json(EVENTS, {"TienTrinh": [make_event("EV-1")]})
    portal.post_json(UPDATE, {"HoSo": [make_hoso(TrangThaiHoSo=4, ThoiDiemCapNhat="20261127090000")]})
    assert anomalies(anon)["log_gap"]["dossiers"] == [CODE]
    portal.post_json(EVENTS, {"TienTrinh": [make_event("EV-2", ThoiDiemXuLy="20261127090000", TrangThai=4)]})
    assert anomalies(anon)["log_gap"]["count"] == 0


@pytest.mark.django_db(databases=SIM_DB)
def test_a_missing_event_in_the_middle_of_the_log_is_a_gap(portal, anon):
    """The dossier went 2 → 4 → 9 but the log only has 2 and 9: the step to 4 was never reported."""
    portal.post_json(CREATE, {"HoSo": [make_hoso()]})
    portal.post_json(UPDATE, {"HoSo": [make_hoso(TrangThaiHoSo=4, ThoiDiemCapNhat="20261127090000")]})
    portal.post_json(UPDATE, {"HoSo": [make_hoso(TrangThaiHoSo=9, ThoiDiemCapNhat="20261127100000")]})
    portal.post_json(
        EVENTS,
        {"TienTrinh": [make_event("EV-1"), make_event("EV-3", ThoiDiemXuLy="20261127100000", TrangThai=9)]},
    )
    assert anomalies(anon)["log_gap"]["dossiers"] == [CODE]


@pytest.mark.django_db(databases=SIM_DB)
def test_it_flags_a_log_whose_times_contradict_the_status_order(portal, anon):
    portal.post_json(CREATE, {"HoSo": [make_hoso(TrangThaiHoSo=4, ThoiDiemCapNhat="20261127120000")]})
    portal.post_json(
        EVENTS,
        {
            "TienTrinh": [
                make_event("EV-1"),
                make_event("EV-9", ThoiDiemXuLy="20261127100000", TrangThai=9),
                make_event("EV-4", ThoiDiemXuLy="20261127110000", TrangThai=4),
            ]
        },
    )
    found = anomalies(anon)
    assert found["log_order"]["dossiers"] == [CODE]


@pytest.mark.django_db(databases=SIM_DB)
def test_it_flags_an_event_resent_under_a_new_id_and_an_id_reused_for_other_content(portal, anon):
    portal.post_json(CREATE, {"HoSo": [make_hoso()]})
    portal.post_json(EVENTS, {"TienTrinh": [make_event("EV-1")]})
    portal.post_json(EVENTS, {"TienTrinh": [make_event("EV-1-retry")]})  # same event, fresh id
    portal.post_json(EVENTS, {"TienTrinh": [make_event("EV-1", NoiDungXuLy="Nội dung khác")]})  # id reused
    found = anomalies(anon)["duplicate_log_entries"]
    assert (found["count"], found["same_content_new_id"], found["same_id_other_content"]) == (2, 1, 1)
    assert found["dossiers"] == [CODE]


@pytest.mark.django_db(databases=SIM_DB)
def test_a_plain_resend_of_an_event_is_counted_but_is_not_an_anomaly(portal, anon):
    portal.post_json(CREATE, {"HoSo": [make_hoso()]})
    for _ in range(3):
        portal.post_json(EVENTS, {"TienTrinh": [make_event("EV-1")]})
    stats = anon.get("/sim/stats").json()
    assert stats["counters"]["duplicate_events"] == 2
    assert stats["anomalies"]["total"] == 0


@pytest.mark.django_db(databases=SIM_DB)
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"TrichYeuHoSo": "y" * 1001}, "TrichYeuHoSo"),
        ({"ThoiDiemCapNhat": "2026-11-27 08:30"}, "ThoiDiemCapNhat"),
        ({"NgayHenTra": "20261131170000"}, "NgayHenTra"),
        ({"TrangThaiHoSo": 0}, "TrangThaiHoSo"),
        ({"DinhDanhCHS": [{"LoaiDinhDanh": 1, "SoDinhDanh": "000000000000"}]}, "DinhDanhCHS[0].SoDinhDanh"),
        ({"DinhDanhCHS": [{"LoaiDinhDanh": 1, "SoDinhDanh": "001399012345"}]}, "DinhDanhCHS[0].SoDinhDanh"),
        ({"DinhDanhCHS": [{"LoaiDinhDanh": 2, "SoDinhDanh": "12345"}]}, "DinhDanhCHS[0].SoDinhDanh"),
        ({"MaTTHC": "1001193"}, "MaTTHC"),
        ({"KenhThucHien": 9}, "KenhThucHien"),
        (
            {"DanhSachLePhi": [{"MaPhiLePhi": "L", "TenPhiLePhi": "L", "Gia": -1, "HinhThucThu": 1}]},
            "DanhSachLePhi[0].Gia",
        ),
    ],
)
def test_it_counts_each_malformed_dossier_field_with_the_dossier_code(portal, anon, overrides, field):
    response = portal.post_json(CREATE, {"HoSo": [make_hoso(**overrides)]})
    assert response.json()["KetQua"][0]["error_code"] == "-1"
    found = anomalies(anon)["malformed"]
    assert found["dossiers"] == [CODE]
    assert field in found["by_field"], found


@pytest.mark.django_db(databases=SIM_DB)
def test_it_counts_malformed_event_fields_such_as_a_long_officer_name(portal, anon):
    portal.post_json(CREATE, {"HoSo": [make_hoso()]})
    bad = make_event("EV-1", NguoiXuLy="N" * 51, TrangThai=12, ThoiDiemXuLy="")
    result = portal.post_json(EVENTS, {"TienTrinh": [bad]}).json()["KetQua"][0]
    assert result["error_code"] == "-1"
    found = anomalies(anon)["malformed"]
    assert found["fields"] == 3
    assert set(found["by_field"]) == {"NguoiXuLy", "TrangThai", "ThoiDiemXuLy"}


@pytest.mark.django_db(databases=SIM_DB)
def test_a_missing_required_field_is_named(portal):
    hoso = make_hoso()
    del hoso["DanhSachLePhi"], hoso["MaDonVi"]
    message = portal.post_json(CREATE, {"HoSo": [hoso]}).json()["KetQua"][0]["message"]
    assert "DanhSachLePhi: thiếu trường bắt buộc" in message
    assert "MaDonVi: thiếu trường bắt buộc" in message
