"""Online intake (contract §3): key, validation listing every problem, files by content, idempotency."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import select
import subprocess
import sys
import time
import zipfile
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client

from motcua.catalogue.models import ProcedureVersion
from motcua.dossiers.models import Dossier, DossierComponent
from motcua.integrations.intake import component_code
from motcua.integrations.models import IntakeFilePolicy
from simulators.national_portal.samplefiles import tiny_pdf, tiny_png

from .conftest import ROOT, start_sim, stop_process

KEY = "test-intake-key"
URL = "/api/v1/national-portal/dossiers"


@pytest.fixture(autouse=True)
def _key(settings, tmp_path):
    settings.MOTCUA_NATIONAL_API_KEY = KEY
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def push(world, national_id: str = "DVCQG-261127-0000000001", **overrides: Any) -> dict[str, Any]:
    components = list(world.version.components.filter(required=True))
    body: dict[str, Any] = {
        "MaHoSoQuocGia": national_id,
        "MaTTHC": world.procedure.code,
        "MaDVC": f"{world.procedure.code}.{world.justice.code}",
        "MaDonVi": world.justice.code,
        "KenhThucHien": 2,
        "NgayNopHoSo": "20261127093000",
        "TrichYeuHoSo": "Đăng ký khai sinh cho con",
        "ChuHoSo": {
            "HoVaTen": "Nguyễn Thị Hồng Nhung",
            "SoDinhDanh": "001190012345",
            "NgaySinh": "19900517",
            "SoDienThoai": "0912345678",
            "Email": "nhung@example.vn",
            "DiaChi": "Số 5 đường Trần Phú",
        },
        "LoaiDoiTuong": 1,
        "MaDoiTuong": "VNEID-0001",
        "TaiKhoanDuocXacThucVoiVNeID": 1,
        "HinhThucNhanKetQua": 3,
        "ThanhPhanHoSo": [
            {
                "MaThanhPhanHoSo": component_code(components[0]),
                "TenThanhPhan": components[0].name,
                "TepDinhKem": [
                    {
                        "TenTep": "to-khai.pdf",
                        "LoaiTep": "application/pdf",
                        "Base64": b64(tiny_pdf("Tờ khai")),
                    }
                ],
            },
            {
                "MaThanhPhanHoSo": component_code(components[1]),
                "TenThanhPhan": components[1].name,
                "TepDinhKem": [
                    {"TenTep": "chung-sinh.png", "LoaiTep": "image/png", "Base64": b64(tiny_png(3))}
                ],
            },
        ],
        "DuLieuBieuMau": {"HoTenTre": "Nguyễn Minh An"},
    }
    body.update(overrides)
    return body


def post(body: Any, key: str | None = KEY) -> Any:
    headers = {"HTTP_X_API_KEY": key} if key is not None else {}
    data = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=False)
    return Client().post(URL, data=data, content_type="application/json", **headers)


def problems(response) -> dict[str, str]:
    return {p["truong"]: p["thong_bao"] for p in response.json()["loi"]}


@pytest.mark.django_db
def test_a_push_creates_one_dossier_waiting_for_reception_with_its_files_and_a_repeat_answers_the_same(world):
    body = push(world)
    first = post(body)
    assert first.status_code == 201, first.content
    dossier = Dossier.objects.get()
    assert first.json() == {"MaHoSo": dossier.code}
    assert (dossier.state, dossier.national_status, dossier.channel) == ("submitted", 1, "national_portal")
    assert dossier.national_dossier_id == body["MaHoSoQuocGia"] and dossier.vneid_verified
    assert dossier.form_data == {"HoTenTre": "Nguyễn Minh An"}
    stored = list(DossierComponent.objects.filter(dossier=dossier).order_by("id"))
    assert len(stored) == 2
    for component, item in zip(stored, body["ThanhPhanHoSo"], strict=True):
        sent = base64.b64decode(item["TepDinhKem"][0]["Base64"])
        with default_storage.open(component.file.name) as handle:
            assert handle.read() == sent
        assert component.file_sha256 == hashlib.sha256(sent).hexdigest()
        assert component.file_name == item["TepDinhKem"][0]["TenTep"]
    again = post(body)
    assert again.status_code == 200 and again.json() == {"MaHoSo": dossier.code}
    assert Dossier.objects.count() == 1 and DossierComponent.objects.count() == 2


@pytest.mark.django_db
def test_a_wrong_or_missing_key_is_refused_and_an_unconfigured_key_refuses_everyone(world, settings):
    assert post(push(world), key="wrong").status_code == 401
    assert post(push(world), key=None).status_code == 401
    settings.MOTCUA_NATIONAL_API_KEY = ""
    assert post(push(world), key="").status_code == 401
    assert not Dossier.objects.exists()


@pytest.mark.django_db
def test_it_lists_every_problem_at_once_and_writes_nothing(world, settings):
    settings.MOTCUA_INTAKE_MAX_FILE_MB = 1
    body = push(world, MaDonVi="000.99.99.H99", HinhThucNhanKetQua=2)
    body["ChuHoSo"]["SoDinhDanh"] = "00119001"  # too short
    body["ThanhPhanHoSo"][0]["TepDinhKem"] = [
        {"TenTep": "to-khai.pdf", "LoaiTep": "application/pdf", "Base64": b64(b"just some text, not a PDF")},
        {"TenTep": "lon.png", "LoaiTep": "image/png", "Base64": b64(b"\x89PNG" + b"0" * (1024 * 1024 + 10))},
        {"TenTep": "hong.pdf", "LoaiTep": "application/pdf", "Base64": "@@not base64@@"},
    ]
    body["ThanhPhanHoSo"].pop(1)  # a required component missing
    response = post(body)
    assert response.status_code == 422
    found = problems(response)
    assert "000.99.99.H99" in found["MaDonVi"]
    assert found["DiaChiNhanKetQua"]
    assert found["ChuHoSo.SoDinhDanh"]
    assert "không nhận dạng được" in found["ThanhPhanHoSo[0].TepDinhKem[0].Base64"]
    assert "1 MB" in found["ThanhPhanHoSo[0].TepDinhKem[1].Base64"]
    assert "Base64" in found["ThanhPhanHoSo[0].TepDinhKem[2].Base64"]
    assert "Giấy chứng sinh" in found["ThanhPhanHoSo"]
    assert not Dossier.objects.exists() and not DossierComponent.objects.exists()


@pytest.mark.django_db
def test_an_unknown_procedure_and_a_body_that_is_not_json_are_refused(world):
    response = post(push(world, MaTTHC="9.999999"))
    assert response.status_code == 422 and "9.999999" in problems(response)["MaTTHC"]
    assert post("{not json").status_code == 400
    assert post([1, 2]).status_code == 400


@pytest.mark.django_db
def test_files_are_judged_by_their_content_not_their_name(world):
    body = push(world)
    # A PNG named and declared as a PDF is a PNG: accepted (images are allowed).
    body["ThanhPhanHoSo"][0]["TepDinhKem"] = [
        {"TenTep": "scan.pdf", "LoaiTep": "application/pdf", "Base64": b64(tiny_png(1))}
    ]
    # A PDF cut short cannot be read.
    cut = tiny_pdf("x")[:-40]
    body["ThanhPhanHoSo"][1]["TepDinhKem"] = [
        {"TenTep": "cut.pdf", "LoaiTep": "application/pdf", "Base64": b64(cut)}
    ]
    response = post(body)
    assert response.status_code == 422
    found = problems(response)
    assert not any(field.startswith("ThanhPhanHoSo[0]") for field in found)
    assert "cắt cụt" in found["ThanhPhanHoSo[1].TepDinhKem[0].Base64"]


@pytest.mark.django_db
def test_office_documents_only_where_the_procedure_accepts_them(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    docx = {"TenTep": "don.docx", "LoaiTep": "application/octet-stream", "Base64": b64(buffer.getvalue())}
    body = push(world)
    body["ThanhPhanHoSo"][0]["TepDinhKem"] = [docx]
    refused = post(body)
    assert refused.status_code == 422 and "DOCX" in problems(refused)["ThanhPhanHoSo[0].TepDinhKem[0].Base64"]
    IntakeFilePolicy.objects.create(procedure=world.procedure, extra_types=["docx"])
    assert post(body).status_code == 201


@pytest.mark.django_db
def test_a_procedure_with_automatic_reception_is_received_at_once(world):
    ProcedureVersion.objects.filter(pk=world.version.pk).update(auto_receive_online=True)
    response = post(push(world))
    assert response.status_code == 201
    dossier = Dossier.objects.get()
    assert dossier.state == "received" and dossier.national_status == 2 and dossier.due_at is not None
    assert list(dossier.events.order_by("seq").values_list("action", flat=True)) == ["submit", "receive"]


@pytest.mark.django_db
def test_the_catalogue_for_the_portal_lists_published_online_procedures(world):
    assert Client().get("/api/v1/national-portal/procedures").status_code == 401
    answer = Client().get("/api/v1/national-portal/procedures", HTTP_X_API_KEY=KEY).json()
    (procedure,) = answer["DanhSachTTHC"]
    assert procedure["MaTTHC"] == world.procedure.code
    assert procedure["CoQuanThucHien"] == [{"MaDonVi": world.justice.code, "TenDonVi": world.justice.name}]
    assert [(c["MaThanhPhanHoSo"], c["BatBuoc"]) for c in procedure["ThanhPhanHoSo"]] == [
        (component_code(c), c.required) for c in world.version.components.all()
    ]


# --- end to end: the simulator pushes duplicates, out of order, to a real HTTT server ---------------


def start_httt(database_url: str, tmp_path) -> tuple[subprocess.Popen, str]:
    import os

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MOTCUA_VAR_DIR": str(tmp_path),
        "MOTCUA_SIM_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "MOTCUA_NATIONAL_API_KEY": KEY,
        "MOTCUA_MEDIA_ROOT": str(tmp_path / "media"),
    }
    argv = [sys.executable, "-m", "gunicorn", "motcua.wsgi:application", "--bind", "127.0.0.1:0"]
    argv += ["--workers", "1", "--worker-class", "gthread", "--threads", "4", "--no-control-socket"]
    process = subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    assert process.stderr is not None
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], 1)
        if ready:
            line = process.stderr.readline()
            seen.append(line)
            if found := re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line):
                return process, found.group(1)
        if process.poll() is not None:
            break
    stop_process(process)
    raise RuntimeError("the HTTT did not start:\n" + "".join(seen))


@pytest.mark.slow
def test_duplicate_and_out_of_order_pushes_create_exactly_one_dossier_each(
    world_factory, shared_db, tmp_path
):
    world_factory()
    server, url = start_httt(shared_db, tmp_path)
    sim = start_sim(tmp_path / "sim", {"MOTCUA_SIM_HTTT_URL": url, "MOTCUA_SIM_HTTT_API_KEY": KEY})
    try:
        concurrency = 4 if connection.vendor == "postgresql" else 2
        result = sim.submit(count=6, copies=3, shuffle=True, concurrency=concurrency, seed=3)
    finally:
        stop_process(sim.process)
        stop_process(server)
        if server.stderr is not None:
            server.stderr.close()
    assert result["failed"] == 0 and result["rejected"] == 0, result
    assert all(d["one_dossier"] for d in result["dossiers"]), result["dossiers"]
    assert result["created"] <= 6
    national_ids = {d["MaHoSoQuocGia"] for d in result["dossiers"]}
    assert set(Dossier.objects.values_list("national_dossier_id", flat=True)) == national_ids
    assert Dossier.objects.count() == 6
    assert {d["MaHoSo"] for d in result["dossiers"]} == set(Dossier.objects.values_list("code", flat=True))


@pytest.fixture
def world_factory():
    from motcua.dossiers.testing import build_world

    return build_world
