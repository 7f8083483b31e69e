"""Intake pushes (contract §3) to a real HTTP receiver on 127.0.0.1, and the tiny files they carry."""

from __future__ import annotations

import base64
import re
import shutil
import struct
import subprocess
import zlib

import pytest

from simulators.national_portal.models import Citizen, IntakePush
from simulators.national_portal.population import seed_population
from simulators.national_portal.rules import PROCEDURE_CODE_RE, TIMESTAMP_RE
from simulators.national_portal.samplefiles import tiny_pdf, tiny_png
from simulators.national_portal.tests.conftest import API_KEY, SIM_DB
from simulators.national_portal.tests.receiver import INTAKE_PATH

pytestmark = pytest.mark.django_db(databases=SIM_DB)

BIRTH = {
    "MaTTHC": "1.001193",
    "TenTTHC": "Đăng ký khai sinh",
    "MaDVC": "1.001193.000.00.00.H56",
    "CoQuanThucHien": [{"MaDonVi": "000.00.00.H56", "TenDonVi": "UBND phường Ba Đình"}],
    "ThanhPhanHoSo": [
        {"MaThanhPhanHoSo": "TK", "TenThanhPhan": "Tờ khai đăng ký khai sinh", "BatBuoc": True},
        {"MaThanhPhanHoSo": "CS", "TenThanhPhan": "Giấy chứng sinh", "BatBuoc": True},
        {"MaThanhPhanHoSo": "UQ", "TenThanhPhan": "Văn bản ủy quyền", "BatBuoc": False},
    ],
    "TruongBieuMau": [
        {"Ma": "HoTenTre", "Ten": "Họ tên trẻ", "Kieu": "text"},
        {"Ma": "NgaySinhTre", "Ten": "Ngày sinh", "Kieu": "ngay"},
    ],
}


@pytest.fixture(autouse=True)
def population():
    seed_population(120, seed=4)


def pushed(receiver) -> list[dict]:
    return [r["body"] for r in receiver.requests if r["path"] == INTAKE_PATH]


def test_it_pushes_realistic_online_dossiers_with_the_api_key(anon, receiver):
    result = anon.post_json("/sim/submit", {"count": 4, "procedures": [BIRTH], "seed": 1}).json()
    assert (result["sent"], result["created"], result["failed"]) == (4, 4, 0)
    bodies = pushed(receiver)
    assert len(bodies) == 4
    assert {r["key"] for r in receiver.requests} == {API_KEY}
    numbers = set(Citizen.objects.values_list("so_dinh_danh", flat=True))
    for body in bodies:
        assert body["MaTTHC"] == "1.001193" and PROCEDURE_CODE_RE.match(body["MaTTHC"])
        assert body["MaDonVi"] == "000.00.00.H56"
        assert body["KenhThucHien"] == 2
        assert TIMESTAMP_RE.match(body["NgayNopHoSo"])
        assert body["ChuHoSo"]["SoDinhDanh"] in numbers
        assert {"TK", "CS"} <= {c["MaThanhPhanHoSo"] for c in body["ThanhPhanHoSo"]}
        assert set(body["DuLieuBieuMau"]) == {"HoTenTre", "NgaySinhTre"}
        for component in body["ThanhPhanHoSo"]:
            [attachment] = component["TepDinhKem"]
            content = base64.b64decode(attachment["Base64"])
            assert content.startswith(b"%PDF-" if attachment["LoaiTep"] == "application/pdf" else b"\x89PNG")
    answers = {d["MaHoSoQuocGia"]: d["MaHoSo"] for d in result["dossiers"]}
    assert answers == receiver.dossiers
    assert IntakePush.objects.filter(http_status=201).count() == 4


def test_it_retries_server_errors_and_records_every_attempt(anon, receiver):
    receiver.fail_next = 2
    result = anon.post_json("/sim/submit", {"count": 1, "procedures": [BIRTH]}).json()
    [dossier] = result["dossiers"]
    assert dossier["copies"][0]["http_status"] == 201
    assert dossier["copies"][0]["attempts"] == 3
    push = IntakePush.objects.get()
    assert [a.get("status") for a in push.attempts] == [503, 503, 201]
    assert "Base64" not in str(push.payload_summary)  # files are summarised, not stored


def test_it_retries_after_a_timeout_and_the_receiver_keeps_one_dossier(anon, receiver, monkeypatch):
    monkeypatch.setenv("MOTCUA_SIM_PUSH_TIMEOUT", "1")
    receiver.slow_next, receiver.slow_seconds = 1, 1.5
    result = anon.post_json("/sim/submit", {"count": 1, "procedures": [BIRTH]}).json()
    [dossier] = result["dossiers"]
    assert "hết thời gian chờ" in str(IntakePush.objects.get().attempts)
    assert dossier["copies"][0]["http_status"] in (200, 201)
    assert len(receiver.dossiers) == 1
    assert dossier["one_dossier"] is True


def test_it_gives_up_on_a_refusal_without_retrying(anon, receiver):
    receiver.known_procedures = {"2.000001"}
    result = anon.post_json("/sim/submit", {"count": 2, "procedures": [BIRTH]}).json()
    assert (result["rejected"], result["created"]) == (2, 0)
    assert len(pushed(receiver)) == 2
    assert result["dossiers"][0]["copies"][0]["response"]["loi"][0]["truong"] == "MaTTHC"


def test_duplicates_out_of_order_and_concurrent_end_as_one_dossier_each(anon, receiver):
    result = anon.post_json(
        "/sim/submit",
        {"count": 6, "procedures": [BIRTH], "copies": 3, "shuffle": True, "concurrency": 4, "seed": 9},
    ).json()
    assert result["sent"] == 18
    assert len(receiver.dossiers) == 6
    assert all(d["one_dossier"] for d in result["dossiers"]), result["dossiers"]
    assert sorted({d["MaHoSo"] for d in result["dossiers"]}) == sorted(receiver.dossiers.values())


def test_the_shuffle_really_interleaves_copies(anon, receiver):
    anon.post_json(
        "/sim/submit", {"count": 5, "procedures": [BIRTH], "copies": 2, "shuffle": True, "seed": 3}
    )
    order = [b["MaHoSoQuocGia"] for b in pushed(receiver)]
    in_order = [code for code in dict.fromkeys(order) for _ in range(2)]
    assert order != in_order


def test_without_procedures_it_uses_the_httt_catalogue(anon, receiver):
    receiver.catalogue = [BIRTH | {"MaTTHC": "2.002154", "TenTTHC": "Cấp phiếu lý lịch tư pháp"}]
    result = anon.post_json("/sim/submit", {"count": 2}).json()
    assert result["created"] == 2
    assert {b["MaTTHC"] for b in pushed(receiver)} == {"2.002154"}


def test_codes_only_take_the_published_details_and_agency_overrides_the_unit(anon, receiver):
    receiver.catalogue = [BIRTH]
    result = anon.post_json(
        "/sim/submit", {"count": 2, "procedures": ["1.001193"], "agency": "000.00.15.H56"}
    )
    assert result.json()["created"] == 2
    bodies = pushed(receiver)
    assert {b["MaDonVi"] for b in bodies} == {"000.00.15.H56"}
    assert {"TK", "CS"} <= {c["MaThanhPhanHoSo"] for c in bodies[0]["ThanhPhanHoSo"]}


def test_an_unreachable_catalogue_is_a_clear_502(anon, monkeypatch):
    monkeypatch.setenv("MOTCUA_SIM_HTTT_CATALOGUE_URL", "http://127.0.0.1:9/none")
    response = anon.post_json("/sim/submit", {"count": 1})
    assert response.status_code == 502
    assert "http://127.0.0.1:9/none" in response.json()["message"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"count": 0}, "count"),
        ({"count": 1, "copies": 9}, "copies"),
        ({"count": 1, "agency": "ubnd"}, "agency"),
        ({"count": 1, "procedures": [{"MaTTHC": "1.001193"}]}, "procedures[0].CoQuanThucHien"),
        ({"count": 1, "procedures": ["abc"], "agency": "000.00.00.H56"}, "procedures[0].MaTTHC"),
        ({"count": 1, "colour": "red"}, "colour"),
    ],
)
def test_bad_submit_options_are_refused_naming_the_field(anon, receiver, body, field):
    response = anon.post_json("/sim/submit", body)
    assert response.status_code == 400
    assert field in [p["truong"] for p in response.json()["loi"]]
    assert pushed(receiver) == []


# --- The files themselves -----------------------------------------------------------------------------


def test_the_tiny_pdf_has_a_correct_cross_reference_table():
    pdf = tiny_pdf("Tờ khai (bản sao) \\ đăng ký")
    xref_at = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", pdf).group(1))
    assert pdf[xref_at:].startswith(b"xref\n0 6\n")
    offsets = [int(line[:10]) for line in pdf[xref_at:].split(b"\n")[3:8]]
    for number, offset in enumerate(offsets, start=1):
        assert pdf[offset:].startswith(b"%d 0 obj" % number)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (make deb-test) not installed")
def test_the_tiny_pdf_opens_in_a_real_reader(tmp_path):
    path = tmp_path / "tiny.pdf"
    path.write_bytes(tiny_pdf("Giấy chứng sinh (bản chính)"))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Giay chung sinh (ban chinh)" in text


def test_the_tiny_png_has_valid_chunks_and_pixels():
    png = tiny_png(5, size=16)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks = 8, {}
    while position < len(png):
        (length,) = struct.unpack(">I", png[position : position + 4])
        kind, data = png[position + 4 : position + 8], png[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", png[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + data)
        chunks[kind] = data
        position += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    assert (width, height, depth, colour) == (16, 16, 8, 2)
    assert len(zlib.decompress(chunks[b"IDAT"])) == 16 * (1 + 16 * 3)
    assert list(chunks) == [b"IHDR", b"IDAT", b"IEND"]
