"""Shared fixtures for the simulator's tests: its URLconf, a token, dossier builders, real servers."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from simulators.national_portal import api
from simulators.national_portal.router import DB_ALIAS
from simulators.national_portal.tests.receiver import Receiver

SIM_DB = [DB_ALIAS]
API_KEY = "test-national-portal-key"
PARTNER_SECRET = "test-partner-secret"


@pytest.fixture(autouse=True)
def _simulator(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Serve the simulator's URLconf and make outbound retries fast."""
    settings.ROOT_URLCONF = "simulators.national_portal.urls"
    monkeypatch.setenv("MOTCUA_SIM_PUSH_BACKOFF_MS", "10")
    monkeypatch.setenv("MOTCUA_SIM_PUSH_TIMEOUT", "5")
    monkeypatch.setenv("MOTCUA_SIM_HTTT_API_KEY", API_KEY)
    monkeypatch.setenv("MOTCUA_SIM_PARTNER_SECRET", PARTNER_SECRET)
    monkeypatch.setenv("MOTCUA_SIM_HTTT_URL", "http://127.0.0.1:9")  # discard port: nothing listens


class JsonClient(Client):
    def post_json(self, path: str, body: Any, **extra: Any) -> Any:
        return self.post(
            path, data=json.dumps(body, ensure_ascii=False), content_type="application/json", **extra
        )


@pytest.fixture
def anon() -> JsonClient:
    return JsonClient()


@pytest.fixture
def portal() -> JsonClient:
    """A client holding a valid machine token, like the HTTT's connector after POST /oauth/token."""
    client = JsonClient()
    token = api.issue_token("motcua-httt")["access_token"]
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def make_hoso(code: str = "000.00.00.H56-261127-0001", **overrides: Any) -> dict[str, Any]:
    """A complete, valid HoSo (contract §2); override any field."""
    hoso: dict[str, Any] = {
        "MaHoSo": code,
        "MaTTHC": "1.001193",
        "TenTTHC": "Đăng ký khai sinh",
        "MaDVC": "1.001193.000.00.00.H56",
        "MaLinhVuc": "H56-HT",
        "TenLinhVuc": "Hộ tịch",
        "MaDonVi": "000.00.00.H56",
        "DonViXuLy": "Ủy ban nhân dân phường Ba Đình",
        "KenhThucHien": 1,
        "LoaiDoiTuong": 1,
        "ChuHoSo": "Nguyễn Thị Hương",
        "SoGiayToChuHoSo": "001188012345",
        "DinhDanhCHS": [{"LoaiDinhDanh": 1, "SoDinhDanh": "001188012345"}],
        "MaDoiTuong": "",
        "SoDienThoai": "0912345678",
        "Email": "huong@example.com",
        "DiaChi": "Số 1 đường Hùng Vương, Phường Ba Đình, Thành phố Hà Nội",
        "TrichYeuHoSo": "Đăng ký khai sinh cho con",
        "NgayNopHoSo": "20261127083000",
        "NgayTiepNhan": "20261127083000",
        "NgayHenTra": "20261128170000",
        "NgayHenTraBanDau": "",
        "NgayKetThucXuLy": "",
        "NgayTra": "",
        "NgayTuChoi": "",
        "TrangThaiHoSo": 2,
        "ThoiDiemCapNhat": "20261127083000",
        "HinhThucNhanKetQua": 1,
        "HoSoCoThanhPhanSoHoa": 1,
        "TaiKhoanDuocXacThucVoiVNeID": 0,
        "DuocThanhToanTrucTuyen": 0,
        "DSKetNoiCSDL": [{"MaCSDL": "7"}],
        "TaiLieuNop": [
            {
                "MaThanhPhanHoSo": "TP01",
                "TenTepDinhKem": "to-khai.pdf",
                "DuongDanTaiTepTin": "https://httt.example/files/1",
                "DuocSoHoa": 1,
                "DuocTaiSuDung": 0,
                "DuocLayTuKhoDMQG": 0,
                "MaKetQuaThayThe": "",
            }
        ],
        "DanhSachGiayToKetQua": [],
        "DanhSachLePhi": [{"MaPhiLePhi": "LP01", "TenPhiLePhi": "Lệ phí", "Gia": 8000, "HinhThucThu": 1}],
        "DanhSachHoSoBoSung": [],
    }
    hoso.update(overrides)
    return copy.deepcopy(hoso)


def make_event(event_id: str, code: str = "000.00.00.H56-261127-0001", **overrides: Any) -> dict[str, Any]:
    event: dict[str, Any] = {
        "MaSuKien": event_id,
        "MaHoSo": code,
        "NguoiXuLy": "Trần Văn Bình",
        "ChucDanh": "Chuyên viên",
        "PhongBanXuLy": "Bộ phận Một cửa",
        "NoiDungXuLy": "Tiếp nhận hồ sơ",
        "ThoiDiemXuLy": "20261127083000",
        "TrangThai": 2,
        "NgayBatDau": "20261127083000",
        "NgayKetThucTheoQuyDinh": "20261127170000",
    }
    event.update(overrides)
    return event


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """The HTTT stand-in, listening on 127.0.0.1; the simulator is pointed at it."""
    server = Receiver(API_KEY).start()
    monkeypatch.setenv("MOTCUA_SIM_HTTT_URL", server.url)
    yield server
    server.stop()


@pytest.fixture
def live_sim() -> Iterator[str]:
    """The simulator's real server (server.make_server) on an ephemeral port; yields its base URL.

    Use with ``django_db(transaction=True, databases=SIM_DB)``: the server thread must see committed rows.
    In-memory SQLite databases are shared with the server thread, as Django's LiveServerThread does.
    """
    from simulators.national_portal.server import make_server

    shared = {
        conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()
    }
    for conn in shared.values():
        conn.inc_thread_sharing()
    server = make_server("127.0.0.1", 0, connections_override=shared)
    server.daemon_threads = False  # so that server_close() waits for requests still held (timeouts)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        for conn in shared.values():
            conn.dec_thread_sharing()
