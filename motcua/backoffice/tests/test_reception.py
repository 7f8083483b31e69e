"""The counter: find the procedure, see the appointment before confirming, receive, guide, refuse."""

from __future__ import annotations

import re

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.deadlines.loader import calendar_for
from motcua.dossiers.models import Dossier

from ..views.dossier import form_url
from ..views.reception import _documents_function
from .conftest import HTMX, at

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def counter_form(world, **overrides) -> dict:
    components = list(world.version.components.filter(required=True))
    data = {
        "thu-tuc": world.procedure.code,
        "kenh": "in_person",
        "component": [str(c.pk) for c in components],
        "applicant_subject_type": "citizen",
        "applicant_name": "Lê Thị Mỹ Dung",
        "applicant_id_kind": "personal",
        "applicant_id_number": "038190001234",
        "applicant_birth_date": "1990-02-03",
        "applicant_phone": "0903111222",
        "applicant_address": "Số 1 Lê Lợi",
        "result_delivery": "counter",
        "return_point_id": str(world.centre.pk),
    }
    data.update(overrides)
    return data


def test_procedures_are_found_as_officers_type_them(world, as_user):
    client = as_user("alice")
    for typed in ("khai sinh", "KHAI SINH", "đăng ký khai", "dang ky khai", "1.0011"):
        html = client.get("/tiep-nhan/thu-tuc/", {"q": typed}, **HTMX).content.decode()
        assert f"?thu-tuc={world.procedure.code}" in html, typed
        assert "<html" not in html
    assert (
        "Không tìm thấy thủ tục nào" in client.get("/tiep-nhan/thu-tuc/", {"q": "hộ chiếu"}).content.decode()
    )
    # Without JavaScript the search box submits to the page itself.
    page = client.get("/tiep-nhan/", {"q": "khai sinh"}).content.decode()
    assert f"?thu-tuc={world.procedure.code}" in page


def test_the_appointment_is_shown_before_confirming_and_matches_the_engine(world, as_user):
    client = as_user("alice")
    with time_machine.travel(at("2026-03-02T09:00"), tick=False):
        html = client.get("/tiep-nhan/", {"thu-tuc": world.procedure.code}).content.decode()
        expected = calendar_for(agency=world.justice).due(at("2026-03-02T09:00"), 5, "working_days")
    assert f"{expected.astimezone(at('2026-03-02T09:00').tzinfo):%H:%M %d/%m/%Y}" == "09:00 09/03/2026"
    assert "Nếu tiếp nhận lúc 09:00 02/03/2026, hẹn trả kết quả:" in html
    assert '<time datetime="2026-03-09T09:00:00+07:00">09:00 09/03/2026</time>' in html
    assert "5 ngày làm việc" in html and "50.000 đồng" in html and "Sở Tư pháp" in html
    for component in world.version.components.all():
        assert component.name in html
    assert html.count("bắt buộc</span>") == 2
    with time_machine.travel(at("2026-03-02T09:00"), tick=False):
        # The postal channel has its own duration; the fragment refreshes when the channel changes.
        fragment = client.get(
            "/tiep-nhan/thong-tin/", {"thu-tuc": world.procedure.code, "kenh": "postal"}, **HTMX
        ).content.decode()
    assert "<html" not in fragment and "09:00 09/03/2026" in fragment


def test_the_id_number_is_checked_as_it_is_typed(world, as_user):
    client = as_user("alice")

    def check(**params):
        return client.get("/tiep-nhan/kiem-tra-so-dinh-danh/", params, **HTMX).content.decode()

    assert "phải gồm đúng 12 chữ số" in check(applicant_id_kind="personal", applicant_id_number="12345")
    assert "không dùng số giả định" in check(applicant_id_kind="personal", applicant_id_number="111111111111")
    assert "đúng định dạng" in check(applicant_id_kind="personal", applicant_id_number="038190001234")
    assert "Mã số thuế phải gồm 10 chữ số" in check(applicant_id_kind="tax_code", applicant_id_number="12")
    warned = check(
        applicant_id_kind="personal", applicant_id_number="038190001234", applicant_birth_date="1985-01-01"
    )
    assert "Năm sinh theo số định danh (1990) khác năm sinh đã khai (1985)" in warned


def test_the_population_lookup_says_plainly_when_it_is_not_configured(world, as_user, settings):
    settings.MOTCUA_POPULATION_URL = ""
    client = as_user("alice")
    asked = {**counter_form(world), "applicant_birth_date": "1990-02-03"}
    fragment = client.post("/tiep-nhan/csdl-dan-cu/", asked, **HTMX).content.decode()
    assert "Chưa cấu hình kết nối CSDL quốc gia về dân cư" in fragment
    assert 'name="population_data_used"' not in fragment
    incomplete = client.post("/tiep-nhan/csdl-dan-cu/", {**asked, "applicant_birth_date": ""}, **HTMX)
    assert "Cần nhập ngày sinh" in incomplete.content.decode()
    # Without JavaScript the button posts the whole form; what was typed stays, nothing is received.
    page = client.post("/tiep-nhan/", {**asked, "tra-cuu-dan-cu": "1"}).content.decode()
    assert "Chưa cấu hình kết nối CSDL quốc gia về dân cư" in page and 'value="Lê Thị Mỹ Dung"' in page
    assert not Dossier.objects.exists()


def test_a_matched_population_record_fills_the_applicant_and_is_recorded(world, as_user, monkeypatch):
    from motcua.integrations import population

    asked = {}

    def fake_lookup(officer, number, name, birth_date, purpose, dossier=None):
        asked.update(officer=officer, number=number, birth_date=birth_date, purpose=purpose)
        return population.LookupResult(
            ok=True,
            matched=True,
            message="Thông tin khớp với CSDL dân cư.",
            citizen={
                "SoDinhDanh": number,
                "HoVaTen": "Lê Thị Mỹ Dung",
                "NgayThangNamSinh": "19900203",
                "GioiTinh": "Nữ",
                "ThuongTru": {"MaTinh": "99", "ChiTiet": "Số 9 Hàng Bạc"},
            },
        )

    monkeypatch.setattr(population, "lookup", fake_lookup)
    client = as_user("alice")
    form = counter_form(world, applicant_address="")
    fragment = client.post("/tiep-nhan/csdl-dan-cu/", form, **HTMX).content.decode()
    assert asked["officer"] == world.alice and asked["number"] == "038190001234"
    assert str(asked["birth_date"]) == "1990-02-03" and world.procedure.code in asked["purpose"]
    assert 'id="address" name="applicant_address" value="Số 9 Hàng Bạc" hx-swap-oob="true"' in fragment
    assert 'name="population_data_used" value="1"' in fragment and "03/02/1990" in fragment
    page = client.post("/tiep-nhan/", {**form, "tra-cuu-dan-cu": "1"}).content.decode()
    assert 'value="Số 9 Hàng Bạc"' in page  # without JavaScript: the page comes back filled in
    response = client.post(
        "/tiep-nhan/", {**form, "applicant_address": "Số 9 Hàng Bạc", "population_data_used": "1"}
    )
    assert response.status_code == 302
    assert Dossier.objects.get().population_data_used


def test_a_counter_dossier_is_received_with_its_scans_and_a_receipt(world, as_user):
    client = as_user("alice")
    first = world.version.components.get(order=1)
    scan = SimpleUploadedFile("to-khai.pdf", PDF, content_type="application/pdf")
    with time_machine.travel(at("2026-03-02T09:00"), tick=False):
        response = client.post("/tiep-nhan/", {**counter_form(world), f"file-{first.pk}": scan})
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/tiep-nhan/xong/{dossier.code}/"
    assert dossier.applicant_name == "Lê Thị Mỹ Dung" and dossier.state == "received"
    assert dossier.due_at == at("2026-03-09T09:00") and dossier.received_at == at("2026-03-02T09:00")
    stored = dossier.components.get(component=first)
    assert stored.file_name == "to-khai.pdf" and stored.digitised
    with stored.file.open("rb") as saved:
        assert saved.read() == PDF
    assert dossier.components.count() == 2 and not dossier.components.exclude(component=first).get().file
    event = dossier.events.get()
    assert [c for c in event.payload["changes"]] and event.action == "receive"
    done = client.get(response["Location"]).content.decode()
    assert dossier.code in done and "09:00 09/03/2026" in done
    receipt = form_url(dossier.code, "01")
    if receipt is None:
        assert "chưa có chức năng in biểu mẫu" in done
    else:
        assert f'href="{receipt}" id="receipt-link"' in done


def test_missing_required_components_lead_to_written_guidance(world, as_user):
    client = as_user("alice")
    first = world.version.components.get(order=1)
    response = client.post("/tiep-nhan/", counter_form(world, component=[str(first.pk)]))
    html = response.content.decode()
    assert response.status_code == 422
    assert "Hồ sơ chưa đủ thành phần bắt buộc: Giấy chứng sinh" in html
    guide = re.search(r'href="(/tiep-nhan/huong-dan/\?[^"]+)"', html)
    assert guide is not None
    assert 'value="Lê Thị Mỹ Dung"' in html  # nothing typed is lost
    assert not Dossier.objects.exists()
    form = client.get(guide.group(1).replace("&amp;", "&")).content.decode()
    assert "Giấy chứng sinh</textarea>" in form and 'value="Lê Thị Mỹ Dung"' in form


def test_bad_applicant_data_is_refused_with_the_field_named(world, as_user):
    client = as_user("alice")
    response = client.post("/tiep-nhan/", counter_form(world, applicant_id_number="12"))
    assert response.status_code == 422
    assert "Số định danh cá nhân phải gồm đúng 12 chữ số" in response.content.decode()
    response = client.post("/tiep-nhan/", counter_form(world, applicant_name=""))
    assert response.status_code == 422 and "applicant.name" in response.content.decode()
    fake = SimpleUploadedFile("to-khai.exe", b"MZ", content_type="application/octet-stream")
    first = world.version.components.get(order=1)
    response = client.post("/tiep-nhan/", {**counter_form(world), f"file-{first.pk}": fake})
    assert response.status_code == 422 and "chỉ nhận bản quét PDF, JPG hoặc PNG" in response.content.decode()
    assert "Vui lòng chọn lại các tệp bản quét" in response.content.decode()
    assert not Dossier.objects.exists()


def test_only_one_stop_officers_use_the_counter(world, as_user):
    for who in ("carol", "bob"):
        response = as_user(who).get("/tiep-nhan/")
        assert response.status_code == 403 and "dành cho cán bộ một cửa" in response.content.decode()
        assert as_user(who).post("/tiep-nhan/", counter_form(world)).status_code == 403
    assert not Dossier.objects.exists()
    assert as_user("alice").get("/tiep-nhan/", {"thu-tuc": "9.999999"}).status_code == 404


def test_guidance_and_refusal_at_the_counter_print_their_form(world, as_user):
    client = as_user("alice")
    for path, function, lines in (
        ("/tiep-nhan/huong-dan/", "render_guidance_pdf", "Bản sao giấy chứng sinh"),
        ("/tiep-nhan/tu-choi/", "render_refusal_pdf", "Không thuộc thẩm quyền"),
    ):
        page = client.get(path, {"thu-tuc": world.procedure.code})
        assert page.status_code == 200 and world.version.name in page.content.decode()
        data = {"thu-tuc": world.procedure.code, "ho-ten": "Lê Thị Mỹ Dung", "muc": lines}
        response = client.post(path, data)
        if _documents_function(function) is None:
            assert response.status_code == 503
            assert "Chức năng in biểu mẫu chưa được cài đặt" in response.content.decode()
            continue
        assert response.status_code == 200, response.content[:2000]
        assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
        empty = client.post(path, {**data, "muc": "  "})
        assert empty.status_code == 422
    assert not Dossier.objects.exists()  # nothing is received when guiding or refusing at the counter
