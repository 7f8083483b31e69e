"""Field checks for what the HTTT sends (contract §2), each problem named by its field path.

An item with any problem is refused as a whole (item code "-1") and recorded as a "malformed" anomaly:
storing half of a dossier would make the portal's view disagree with the HTTT's in ways no one asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from simulators.national_portal import conf
from simulators.national_portal.rules import (
    AGENCY_CODE_RE,
    PROCEDURE_CODE_RE,
    RESULT_CODE_RE,
    check_identifier,
    parse_timestamp,
)

Problems = list[tuple[str, str]]  # (field path, reason in Vietnamese)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE_RE = re.compile(r"^\+?\d{8,15}$")
SUMMARY_MAX = 1000
OFFICER_MAX = 50


class _Checker:
    def __init__(self, data: dict[str, Any], prefix: str = "") -> None:
        self.data = data
        self.prefix = prefix
        self.problems: Problems = []

    def add(self, field: str, reason: str) -> None:
        self.problems.append((f"{self.prefix}{field}", reason))

    def present(self, field: str) -> bool:
        if field not in self.data:
            self.add(field, "thiếu trường bắt buộc")
            return False
        return True

    def text(self, field: str, *, required: bool = True, max_len: int | None = None) -> str | None:
        if field not in self.data or self.data[field] in (None, ""):
            if required:
                self.add(field, "thiếu trường bắt buộc" if field not in self.data else "không được để trống")
            return None
        value = self.data[field]
        if not isinstance(value, str):
            self.add(field, "phải là chuỗi ký tự")
            return None
        if not value.strip():
            self.add(field, "không được để trống")
            return None
        if max_len is not None and len(value) > max_len:
            self.add(field, f"dài {len(value)} ký tự, tối đa {max_len}")
        return value

    def pattern(self, field: str, regex: re.Pattern[str], reason: str, *, required: bool = True) -> None:
        value = self.text(field, required=required)
        if value is not None and not regex.match(value):
            self.add(field, reason)

    def choice(self, field: str, allowed: set[int], *, required: bool = True) -> int | None:
        if field not in self.data or self.data[field] in (None, ""):
            if required:
                self.add(field, "thiếu trường bắt buộc")
            return None
        value = as_int(self.data[field])
        if value is None or value not in allowed:
            shown = ", ".join(str(a) for a in sorted(allowed))
            self.add(field, f"giá trị {self.data[field]!r} không hợp lệ (chỉ nhận {shown})")
            return None
        return value

    def timestamp(self, field: str, *, required: bool = False) -> None:
        """Contract timestamps: yyyyMMddHHmmss, or empty when the moment has not been reached."""
        if field not in self.data:
            if required:
                self.add(field, "thiếu trường bắt buộc")
            return
        value = self.data[field]
        if value in (None, ""):
            if required:
                self.add(field, "không được để trống")
            return
        try:
            parse_timestamp(value)
        except ValueError as exc:
            self.add(field, f"{value!r} {exc}")

    def items(self, field: str, check: Callable[[dict[str, Any], str], Problems], *, required: bool) -> None:
        if field not in self.data:
            if required:
                self.add(field, "thiếu trường bắt buộc (gửi [] khi không có)")
            return
        value = self.data[field]
        if value is None and not required:
            return
        if not isinstance(value, list):
            self.add(field, "phải là một danh sách")
            return
        for index, item in enumerate(value):
            path = f"{self.prefix}{field}[{index}]."
            if not isinstance(item, dict):
                self.problems.append((path[:-1], "phải là một đối tượng"))
                continue
            self.problems.extend(check(item, path))


def as_int(value: object) -> int | None:
    """Numbers may come as JSON numbers or digit strings (production systems send both)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?\d{1,18}", value.strip()):
        return int(value)
    return None


def _identity(item: dict[str, Any], prefix: str) -> Problems:
    c = _Checker(item, prefix)
    if c.present("LoaiDinhDanh") and c.present("SoDinhDanh"):
        reason = check_identifier(item["LoaiDinhDanh"], item["SoDinhDanh"])
        if reason:
            c.add("SoDinhDanh", reason)
    return c.problems


def _component(item: dict[str, Any], prefix: str) -> Problems:
    c = _Checker(item, prefix)
    c.text("MaThanhPhanHoSo")
    c.text("TenTepDinhKem", required=False)
    c.text("DuongDanTaiTepTin", required=False)
    c.choice("DuocSoHoa", {0, 1})
    c.choice("DuocTaiSuDung", {0, 1, 2})
    c.choice("DuocLayTuKhoDMQG", {0, 1})
    c.pattern("MaKetQuaThayThe", RESULT_CODE_RE, "mã kết quả phải có dạng KQ.Gxx.nnnnnn", required=False)
    return c.problems


def _result(item: dict[str, Any], prefix: str) -> Problems:
    c = _Checker(item, prefix)
    c.text("TenGiayTo")
    c.pattern("MaKetQua", RESULT_CODE_RE, "mã kết quả phải có dạng KQ.Gxx.nnnnnn hoặc KQ.Hxx.nnnnnn")
    c.text("MaGiayToKetQua")
    c.text("DuongDanTepTinKetQua")
    return c.problems


def _fee(item: dict[str, Any], prefix: str) -> Problems:
    c = _Checker(item, prefix)
    c.text("MaPhiLePhi")
    c.text("TenPhiLePhi")
    if c.present("Gia"):
        price = as_int(item["Gia"])
        if price is None or price < 0:
            c.add("Gia", f"giá {item['Gia']!r} phải là số nguyên VND không âm")
    c.present("HinhThucThu")
    return c.problems


def _supplement(item: dict[str, Any], prefix: str) -> Problems:
    c = _Checker(item, prefix)
    c.text("MaYeuCau")
    c.text("NoiDungBoSung")
    c.timestamp("NgayYeuCauBoSung", required=True)
    for field in ("NgayTiepNhanBoSung", "NgayHenTraTruoc", "NgayHenTraMoi"):
        c.timestamp(field)
    return c.problems


def _database(item: dict[str, Any], prefix: str) -> Problems:
    c = _Checker(item, prefix)
    c.text("MaCSDL")
    return c.problems


def check_dossier(data: object) -> Problems:
    """Every problem of one HoSo (empty list when it can be stored)."""
    if not isinstance(data, dict):
        return [("HoSo", "mỗi hồ sơ phải là một đối tượng JSON")]
    c = _Checker(data)
    c.text("MaHoSo", max_len=100)
    c.pattern("MaTTHC", PROCEDURE_CODE_RE, "mã thủ tục phải có dạng d.dddddd, ví dụ 1.001193")
    c.text("TenTTHC")
    c.text("MaDVC", required=False)
    c.text("MaLinhVuc")
    c.text("TenLinhVuc")
    c.pattern(
        "MaDonVi", AGENCY_CODE_RE, "mã đơn vị phải theo QCVN 102 hoặc Quyết định 20 (ví dụ 000.00.00.H56)"
    )
    c.text("DonViXuLy")
    c.choice("KenhThucHien", conf.vneid_channel_codes())
    c.choice("LoaiDoiTuong", {1, 2, 3, 4})
    c.text("ChuHoSo")
    c.text("SoGiayToChuHoSo")
    c.items("DinhDanhCHS", _identity, required=True)
    if isinstance(data.get("DinhDanhCHS"), list) and not data["DinhDanhCHS"]:
        c.add("DinhDanhCHS", "phải có ít nhất một số định danh của chủ hồ sơ")
    c.text("MaDoiTuong", required=False)
    phone = c.text("SoDienThoai", required=False)
    if phone is not None and not PHONE_RE.match(phone.replace(" ", "")):
        c.add("SoDienThoai", f"{phone!r} không phải số điện thoại")
    email = c.text("Email", required=False)
    if email is not None and not EMAIL_RE.match(email):
        c.add("Email", f"{email!r} không phải địa chỉ thư điện tử")
    c.text("DiaChi", required=False)
    c.text("TrichYeuHoSo", max_len=SUMMARY_MAX)
    for field in (
        "NgayNopHoSo",
        "NgayTiepNhan",
        "NgayHenTra",
        "NgayHenTraBanDau",
        "NgayKetThucXuLy",
        "NgayTra",
        "NgayTuChoi",
    ):
        if c.present(field):
            c.timestamp(field)
    c.choice("TrangThaiHoSo", set(range(1, 11)))
    c.timestamp("ThoiDiemCapNhat", required=True)
    c.choice("HinhThucNhanKetQua", {1, 2, 3})
    c.choice("HoSoCoThanhPhanSoHoa", {0, 1})
    c.choice("TaiKhoanDuocXacThucVoiVNeID", {0, 1})
    c.choice("DuocThanhToanTrucTuyen", {0, 1, 2})
    c.items("DSKetNoiCSDL", _database, required=True)
    c.items("TaiLieuNop", _component, required=True)
    c.items("DanhSachGiayToKetQua", _result, required=True)
    c.items("DanhSachLePhi", _fee, required=True)
    c.items("DanhSachHoSoBoSung", _supplement, required=True)
    return c.problems


def check_event(data: object) -> Problems:
    """Every problem of one QuaTrinhXuLy."""
    if not isinstance(data, dict):
        return [("TienTrinh", "mỗi sự kiện phải là một đối tượng JSON")]
    c = _Checker(data)
    c.text("MaSuKien", max_len=100)
    c.text("MaHoSo", max_len=100)
    c.text("NguoiXuLy", max_len=OFFICER_MAX)
    # Title and department may be empty for events the system itself produces (automatic reception).
    for field in ("ChucDanh", "PhongBanXuLy"):
        if c.present(field) and not isinstance(data[field], str | None):
            c.add(field, "phải là chuỗi ký tự")
    c.text("NoiDungXuLy")
    c.timestamp("ThoiDiemXuLy", required=True)
    c.choice("TrangThai", set(range(1, 11)))
    for field in ("NgayBatDau", "NgayKetThucTheoQuyDinh"):
        if c.present(field):
            c.timestamp(field)
    return c.problems
