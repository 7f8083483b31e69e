"""Payment platform (contract §4): INIT checksum, the payer's page, callbacks, status query, e-receipt."""

from __future__ import annotations

import hashlib
import shutil
import subprocess

import pytest

from simulators.national_portal import payments
from simulators.national_portal.models import Payment, PaymentCallback
from simulators.national_portal.tests.conftest import PARTNER_SECRET, SIM_DB

pytestmark = pytest.mark.django_db(databases=SIM_DB)

# The contract's order, written out again here so the test does not trust the code's own list.
SIGNED = [
    "LoaiBanTin",
    "PhienBan",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
]


def sha256(*parts) -> str:
    return hashlib.sha256("|".join(str(p) for p in (*parts, PARTNER_SECRET)).encode()).hexdigest()


def init_body(
    reference: str = "000.00.00.H56-261127-0001-20261127090000", amount: int = 58000, **overrides
) -> dict:
    body = {
        "LoaiBanTin": "INIT",
        "PhienBan": "1.0.6",
        "MaDoiTac": "MOTCUA",
        "MaThamChieu": reference,
        "SoTien": amount,
        "LoaiHinhThanhToan": "PAY",
        "MaKenhThanhToan": "1",
        "MaThietBi": "1",
        "NgonNgu": "vi-VN",
        "MaTienTe": "VND",
        "MaNganHang": "PAYMENT",
        "ThongTinGiaoDich": "Nộp phí, lệ phí hồ sơ 000.00.00.H56-261127-0001",
        "ThoiGianGD": "20261127090000",
        "Ip": "203.0.113.7",
        "ThongTinBienLai": {
            "MaHoSo": "000.00.00.H56-261127-0001",
            "MaTTHC": "1.001193",
            "MaDVC": "1.001193.000.00.00.H56",
            "MaDonVi": "000.00.00.H56",
            "TenDonVi": "Ủy ban nhân dân phường Ba Đình",
            "HoTenNguoiNop": "Nguyễn Thị Hương",
            "SoDinhDanhNguoiNop": "001188012345",
            "DiaChiNguoiNop": "Phường Ba Đình, Thành phố Hà Nội",
            "PhiLePhi": [
                {"MaPhiLePhi": "P1", "TenPhiLePhi": "Phí thẩm định", "SoTien": amount - 8000},
                {"MaPhiLePhi": "L1", "TenPhiLePhi": "Lệ phí cấp giấy", "SoTien": 8000},
            ],
        },
    }
    body.update(overrides)
    body["MaXacThuc"] = sha256(*(body[name] for name in SIGNED))
    return body


def start_payment(portal, **kwargs) -> dict:
    answer = portal.post_json("/api/thanhtoan/khoi-tao", init_body(**kwargs)).json()
    assert answer["MaLoi"] == "00", answer
    return answer


def test_it_initiates_a_payment_with_a_correct_checksum(portal):
    answer = start_payment(portal)
    assert answer["UrlThanhToan"].endswith(f"/thanhtoan/{answer['MaGiaoDich']}")
    payment = Payment.objects.get()
    assert (payment.so_tien, payment.state) == (58000, Payment.PENDING)


@pytest.mark.parametrize("tamper", ["SoTien", "ThongTinGiaoDich", "Ip", "secret"])
def test_a_wrong_checksum_answers_07(portal, tamper):
    body = init_body()
    if tamper == "secret":
        body["MaXacThuc"] = hashlib.sha256(
            "|".join([*(str(body[n]) for n in SIGNED), "other-secret"]).encode()
        ).hexdigest()
    elif tamper == "SoTien":
        body["SoTien"] = 1000
        body["ThongTinBienLai"]["PhiLePhi"] = [{"MaPhiLePhi": "P", "TenPhiLePhi": "Phí", "SoTien": 1000}]
    else:
        body[tamper] = body[tamper] + "x"
    answer = portal.post_json("/api/thanhtoan/khoi-tao", body).json()
    assert answer["MaLoi"] == "07"
    assert not Payment.objects.exists()


def test_a_reused_reference_answers_09(portal):
    start_payment(portal)
    again = portal.post_json("/api/thanhtoan/khoi-tao", init_body(ThoiGianGD="20261127091500")).json()
    assert again["MaLoi"] == "09"
    assert Payment.objects.count() == 1


def test_missing_or_inconsistent_fields_answer_01_naming_them(portal):
    body = init_body()
    del body["Ip"]
    body["ThongTinBienLai"]["PhiLePhi"][0]["SoTien"] = 1
    answer = portal.post_json("/api/thanhtoan/khoi-tao", body).json()
    assert answer["MaLoi"] == "01"
    fields = {p["truong"] for p in answer["loi"]}
    assert {"Ip", "ThongTinBienLai.PhiLePhi"} <= fields


def test_the_payment_page_shows_the_amount_and_both_choices(portal, anon):
    answer = start_payment(portal)
    page = anon.get(f"/thanhtoan/{answer['MaGiaoDich']}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "58.000" in html and "Thanh toán" in html and "Hủy giao dịch" in html
    assert "Ủy ban nhân dân phường Ba Đình" in html


def test_paying_on_the_page_records_the_result_once(portal, anon, django_capture_on_commit_callbacks):
    answer = start_payment(portal)
    with django_capture_on_commit_callbacks(using="national_portal") as callbacks:
        done = anon.post(f"/thanhtoan/{answer['MaGiaoDich']}", {"action": "pay"})
        anon.post(f"/thanhtoan/{answer['MaGiaoDich']}", {"action": "cancel"})  # too late: already paid
    assert done.status_code == 200 and "Thanh toán thành công" in done.content.decode()
    payment = Payment.objects.get()
    assert (payment.state, payment.ma_loi) == (Payment.PAID, "00")
    assert len(callbacks) == 1  # one result, announced once


def test_the_page_sends_the_payer_back_to_the_return_url(portal, anon):
    answer = start_payment(portal, UrlTraVe="http://127.0.0.1:8000/thanh-toan/ket-qua")
    response = anon.post(f"/thanhtoan/{answer['MaGiaoDich']}", {"action": "cancel"})
    assert response.status_code == 302
    assert response["Location"].startswith("http://127.0.0.1:8000/thanh-toan/ket-qua?MaThamChieu=")
    assert response["Location"].endswith("&MaLoi=24")


def test_the_status_query_answers_with_the_signed_result(portal, anon):
    reference = "REF-Q-1"
    start_payment(portal, reference=reference)
    pending = portal.post_json(
        "/api/thanhtoan/truy-van", {"MaThamChieu": reference, "MaXacThuc": sha256(reference)}
    )
    assert pending.json()["TrangThaiGD"] == "DANG_CHO"
    assert pending.json()["KetQuaGD"] is None
    payments.complete(Payment.objects.get().ma_giao_dich, paid=True)
    answer = portal.post_json(
        "/api/thanhtoan/truy-van", {"MaThamChieu": reference, "MaXacThuc": sha256(reference)}
    ).json()
    result = answer["KetQuaGD"]
    assert answer["TrangThaiGD"] == "THANH_CONG"
    assert result["MaXacThuc"] == sha256(
        result["MaThamChieu"], result["MaGiaoDich"], result["SoTien"], result["MaLoi"], result["ThoiGianGD"]
    )
    assert (result["SoTien"], result["MaLoi"]) == (58000, "00")


def test_the_status_query_refuses_a_bad_checksum_and_an_unknown_reference(portal):
    start_payment(portal, reference="REF-Q-2")
    bad = portal.post_json(
        "/api/thanhtoan/truy-van", {"MaThamChieu": "REF-Q-2", "MaXacThuc": sha256("other")}
    )
    assert bad.json()["MaLoi"] == "07"
    unknown = portal.post_json(
        "/api/thanhtoan/truy-van", {"MaThamChieu": "NOPE", "MaXacThuc": sha256("NOPE")}
    )
    assert unknown.json()["MaLoi"] == "08"


def test_the_receipt_is_a_pdf_only_once_paid(portal):
    start_payment(portal, reference="REF-R-1")
    assert portal.get("/api/thanhtoan/bien-lai", {"MaThamChieu": "REF-R-1"}).status_code == 409
    assert portal.get("/api/thanhtoan/bien-lai", {"MaThamChieu": "NOPE"}).status_code == 404
    payments.complete(Payment.objects.get().ma_giao_dich, paid=True)
    response = portal.get("/api/thanhtoan/bien-lai", {"MaThamChieu": "REF-R-1"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (make deb-test) not installed")
def test_the_receipt_renders_vietnamese_text(portal, tmp_path):
    start_payment(portal, reference="REF-R-2")
    payments.complete(Payment.objects.get().ma_giao_dich, paid=True)
    pdf = tmp_path / "bien-lai.pdf"
    pdf.write_bytes(portal.get("/api/thanhtoan/bien-lai", {"MaThamChieu": "REF-R-2"}).content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ" in text
    assert "Nguyễn Thị Hương" in text
    assert "58.000" in text


# --- Callbacks to the HTTT (a real receiver; the callback thread needs committed rows) --------------


def verify(callback: dict) -> bool:
    expected = sha256(
        callback["MaThamChieu"],
        callback["MaGiaoDich"],
        callback["SoTien"],
        callback["MaLoi"],
        callback["ThoiGianGD"],
    )
    return callback["MaXacThuc"] == expected


@pytest.mark.django_db(transaction=True, databases=SIM_DB)
def test_paying_calls_the_httt_back_with_a_valid_checksum(portal, anon, receiver):
    answer = start_payment(portal, reference="REF-C-1")
    anon.post(f"/thanhtoan/{answer['MaGiaoDich']}", {"action": "pay"})
    assert payments.wait_for_callbacks(10)
    [callback] = receiver.wait_for_callbacks(1)
    assert verify(callback)
    assert (callback["MaThamChieu"], callback["SoTien"], callback["MaLoi"]) == ("REF-C-1", 58000, "00")
    assert PaymentCallback.objects.get().http_status == 200


@pytest.mark.django_db(transaction=True, databases=SIM_DB)
def test_a_cancelled_payment_is_reported_as_failed(portal, anon, receiver):
    answer = start_payment(portal, reference="REF-C-2")
    anon.post_json("/sim/thanhtoan/hoan-tat", {"MaThamChieu": "REF-C-2", "KetQua": "huy"})
    assert payments.wait_for_callbacks(10)
    [callback] = receiver.wait_for_callbacks(1)
    assert verify(callback) and callback["MaLoi"] == "24"
    assert Payment.objects.get(ma_giao_dich=answer["MaGiaoDich"]).state == Payment.CANCELLED


@pytest.mark.django_db(transaction=True, databases=SIM_DB)
def test_faults_duplicate_and_delay_callbacks_and_can_falsify_the_amount(portal, anon, receiver):
    anon.post_json(
        "/sim/faults",
        {"duplicate_callback_rate": 1.0, "late_callback_rate": 1.0, "callback_delay_ms": 300,
         "wrong_amount_callback_rate": 1.0},
    )  # fmt: skip
    answer = start_payment(portal, reference="REF-C-3")
    anon.post(f"/thanhtoan/{answer['MaGiaoDich']}", {"action": "pay"})
    assert receiver.callbacks == []  # late: the payer's page has answered, the HTTT has heard nothing yet
    assert payments.wait_for_callbacks(10)
    callbacks = receiver.wait_for_callbacks(2)
    assert len(callbacks) == 2 and callbacks[0] == callbacks[1]
    assert callbacks[0]["SoTien"] != 58000  # a wrong amount the HTTT must refuse, correctly signed
    assert verify(callbacks[0])
    assert sorted(PaymentCallback.objects.values_list("copy", flat=True)) == ["duplicate", "late"]


@pytest.mark.django_db(transaction=True, databases=SIM_DB)
def test_a_callback_can_be_resent_on_demand(portal, anon, receiver):
    start_payment(portal, reference="REF-C-4")
    assert anon.post_json("/sim/thanhtoan/goi-lai", {"MaThamChieu": "REF-C-4"}).status_code == 409
    anon.post_json("/sim/thanhtoan/hoan-tat", {"MaThamChieu": "REF-C-4", "KetQua": "thanh-toan"})
    assert payments.wait_for_callbacks(10)
    resent = anon.post_json("/sim/thanhtoan/goi-lai", {"MaThamChieu": "REF-C-4"}).json()
    assert resent["http_status"] == 200
    assert len(receiver.wait_for_callbacks(2)) == 2
