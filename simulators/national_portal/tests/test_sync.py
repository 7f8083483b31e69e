"""Dossier sync (contract §2): per-item codes, stale updates, duplicate events, lookup and listing."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulators.national_portal import counters, sync
from simulators.national_portal.models import Dossier, ProgressEvent
from simulators.national_portal.tests.conftest import SIM_DB, make_event, make_hoso

pytestmark = pytest.mark.django_db(databases=SIM_DB)

CREATE, UPDATE, EVENTS = "/api/hoso/them-moi", "/api/hoso/cap-nhat", "/api/hoso/tien-trinh"


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    assert response.json()["error_code"] == "0"
    return [item["error_code"] for item in response.json()["KetQua"]]


def test_it_creates_a_dossier_and_answers_minus_3_when_it_already_exists(portal):
    hoso = make_hoso()
    assert codes(portal.post_json(CREATE, {"HoSo": [hoso]})) == ["0"]
    assert codes(portal.post_json(CREATE, {"HoSo": [hoso]})) == ["-3"]
    stored = Dossier.objects.get(ma_ho_so=hoso["MaHoSo"])
    assert stored.payload == hoso
    assert stored.trang_thai == 2
    assert counters.snapshot()["created"] == 1
    assert counters.snapshot()["already_exists"] == 1


def test_it_answers_per_item_in_the_order_sent(portal):
    items = [make_hoso("A-1"), make_hoso("A-2"), make_hoso("A-1")]
    response = portal.post_json(CREATE, {"HoSo": items})
    assert [(r["MaHoSo"], r["error_code"]) for r in response.json()["KetQua"]] == [
        ("A-1", "0"),
        ("A-2", "0"),
        ("A-1", "-3"),
    ]


def test_it_updates_with_a_newer_state_and_answers_minus_4_for_an_unknown_dossier(portal):
    portal.post_json(CREATE, {"HoSo": [make_hoso()]})
    newer = make_hoso(TrangThaiHoSo=4, ThoiDiemCapNhat="20261127090000", TrichYeuHoSo="Đã chuyển xử lý")
    assert codes(portal.post_json(UPDATE, {"HoSo": [newer, make_hoso("UNKNOWN-1")]})) == ["0", "-4"]
    stored = Dossier.objects.get(ma_ho_so=newer["MaHoSo"])
    assert stored.trang_thai == 4
    assert stored.payload["TrichYeuHoSo"] == "Đã chuyển xử lý"
    assert counters.snapshot()["not_found"] == 1


def test_it_answers_minus_5_for_a_stale_update_and_keeps_the_newer_state(portal):
    portal.post_json(CREATE, {"HoSo": [make_hoso(TrangThaiHoSo=4, ThoiDiemCapNhat="20261127100000")]})
    older = make_hoso(TrangThaiHoSo=2, ThoiDiemCapNhat="20261127090000", TrichYeuHoSo="cũ")
    assert codes(portal.post_json(UPDATE, {"HoSo": [older]})) == ["-5"]
    stored = Dossier.objects.get()
    assert stored.trang_thai == 4
    assert stored.payload["TrichYeuHoSo"] != "cũ"
    assert counters.snapshot()["stale"] == 1


def test_it_accepts_a_resend_with_the_same_update_time(portal):
    hoso = make_hoso()
    portal.post_json(CREATE, {"HoSo": [hoso]})
    assert codes(portal.post_json(UPDATE, {"HoSo": [hoso]})) == ["0"]


def test_it_stores_events_and_answers_minus_6_for_a_resent_event(portal):
    portal.post_json(CREATE, {"HoSo": [make_hoso()]})
    event = make_event("EV-1")
    assert codes(portal.post_json(EVENTS, {"TienTrinh": [event]})) == ["0"]
    assert codes(portal.post_json(EVENTS, {"TienTrinh": [event]})) == ["-6"]
    assert ProgressEvent.objects.count() == 1
    snapshot = counters.snapshot()
    assert (snapshot["events_stored"], snapshot["duplicate_events"]) == (1, 1)


def test_an_event_repeated_inside_one_batch_is_stored_once(portal):
    portal.post_json(CREATE, {"HoSo": [make_hoso()]})
    event = make_event("EV-1")
    assert codes(
        portal.post_json(EVENTS, {"TienTrinh": [event, make_event("EV-2", TrangThai=4), event]})
    ) == [
        "0",
        "0",
        "-6",
    ]
    assert ProgressEvent.objects.count() == 2


def test_it_answers_minus_4_for_an_event_of_an_unknown_dossier(portal):
    assert codes(portal.post_json(EVENTS, {"TienTrinh": [make_event("EV-1", "NOPE")]})) == ["-4"]
    assert not ProgressEvent.objects.exists()


def test_it_refuses_a_malformed_item_but_applies_the_others(portal):
    good, bad = make_hoso("G-1"), make_hoso("B-1", TrichYeuHoSo="x" * 1001, TrangThaiHoSo=11)
    response = portal.post_json(CREATE, {"HoSo": [good, bad]})
    first, second = response.json()["KetQua"]
    assert first["error_code"] == "0"
    assert second["error_code"] == "-1"
    assert "TrichYeuHoSo" in second["message"] and "TrangThaiHoSo" in second["message"]
    assert list(Dossier.objects.values_list("ma_ho_so", flat=True)) == ["G-1"]


@pytest.mark.parametrize("key", ["HoSo", "TienTrinh"])
def test_it_refuses_a_batch_over_100_items_as_a_whole(portal, key):
    items = [make_hoso(f"X-{i}") if key == "HoSo" else make_event(f"E-{i}") for i in range(101)]
    response = portal.post_json(CREATE if key == "HoSo" else EVENTS, {key: items})
    assert response.status_code == 400
    assert "100" in response.json()["message"]
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("body", [b"not json", b'{"HoSo": {}}', b'{"HoSo": []}', b"[]"])
def test_it_answers_400_for_a_body_that_is_not_a_batch(portal, body):
    response = portal.post(CREATE, data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error_code"] == "-1"


def test_lookup_returns_the_dossier_with_its_log_in_time_order(portal):
    portal.post_json(CREATE, {"HoSo": [make_hoso(TrangThaiHoSo=4, ThoiDiemCapNhat="20261127100000")]})
    later = make_event("EV-2", ThoiDiemXuLy="20261127100000", TrangThai=4, NoiDungXuLy="Chuyển xử lý")
    earlier = make_event("EV-1")
    portal.post_json(EVENTS, {"TienTrinh": [later, earlier]})
    response = portal.get("/api/hoso/tra-cuu", {"MaHoSo": "000.00.00.H56-261127-0001"})
    assert response.status_code == 200
    hoso = response.json()["HoSo"]
    assert hoso["TrangThaiHoSo"] == 4
    assert [e["MaSuKien"] for e in hoso["TienTrinh"]] == ["EV-1", "EV-2"]


def test_lookup_of_an_unknown_dossier_is_404(portal):
    assert portal.get("/api/hoso/tra-cuu", {"MaHoSo": "NOPE"}).status_code == 404
    assert portal.get("/api/hoso/tra-cuu").status_code == 400


def test_listing_pages_by_code_and_filters_by_unit_and_reception_day(portal):
    batch = [make_hoso(f"000.00.00.H56-261127-{i:04d}") for i in range(1, 6)]
    batch += [make_hoso("000.00.15.H56-261126-0001", MaDonVi="000.00.15.H56", NgayTiepNhan="20261126090000")]
    batch += [make_hoso("000.00.00.H56-261125-0001", NgayTiepNhan="20261125090000")]
    portal.post_json(CREATE, {"HoSo": batch})
    first = portal.get(
        "/api/hoso/danh-sach",
        {"MaDonVi": "000.00.00.H56", "TuNgay": "20261127", "DenNgay": "20261127", "Trang": 1, "SoBanGhi": 2},
    ).json()
    assert (first["TongSoBanGhi"], first["TongSoTrang"]) == (5, 3)
    assert [row["MaHoSo"] for row in first["DanhSach"]] == [
        "000.00.00.H56-261127-0001",
        "000.00.00.H56-261127-0002",
    ]
    assert first["DanhSach"][0] == {
        "MaHoSo": "000.00.00.H56-261127-0001",
        "TrangThaiHoSo": 2,
        "ThoiDiemCapNhat": "20261127083000",
        "SoSuKien": 0,
    }
    last = portal.get(
        "/api/hoso/danh-sach", {"MaDonVi": "000.00.00.H56", "TuNgay": "20261127", "Trang": 3, "SoBanGhi": 2}
    )
    assert [row["MaHoSo"] for row in last.json()["DanhSach"]] == ["000.00.00.H56-261127-0005"]
    everything = portal.get("/api/hoso/danh-sach").json()
    assert everything["TongSoBanGhi"] == 7


def test_listing_refuses_a_malformed_date(portal):
    response = portal.get("/api/hoso/danh-sach", {"TuNgay": "27/11/2026"})
    assert response.status_code == 400
    assert response.json()["loi"][0]["truong"] == "TuNgay"


updates = st.lists(
    st.tuples(st.integers(min_value=0, max_value=500), st.sampled_from([2, 4, 5, 4, 9])),
    min_size=1,
    max_size=8,
)


@settings(max_examples=25, deadline=None)
@given(updates=updates, order=st.randoms(use_true_random=False))
def test_the_newest_update_wins_whatever_the_delivery_order(updates, order):
    """Per dossier, a later state is never overwritten by an earlier one (contract §2)."""
    Dossier.objects.all().delete()
    base = dt.datetime(2026, 11, 27, 8, 0)
    sync.create_dossiers([make_hoso(ThoiDiemCapNhat=base.strftime("%Y%m%d%H%M%S"))])
    sent = [
        make_hoso(
            ThoiDiemCapNhat=(base + dt.timedelta(minutes=minutes)).strftime("%Y%m%d%H%M%S"),
            TrangThaiHoSo=status,
            TrichYeuHoSo=f"phiên bản {i}",
        )
        for i, (minutes, status) in enumerate(updates)
    ]
    order.shuffle(sent)
    for item in sent:
        sync.update_dossiers([item])
    newest = max(item["ThoiDiemCapNhat"] for item in sent)
    stored = Dossier.objects.get()
    assert stored.payload["ThoiDiemCapNhat"] == newest
    # Among updates with the newest time, the last one delivered is what the portal shows.
    assert stored.payload == [item for item in sent if item["ThoiDiemCapNhat"] == newest][-1]
