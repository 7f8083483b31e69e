"""The download addresses: who may print which form, and the tracking-book export's parameters."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from motcua.documents.models import FormTemplate

from . import pdfcheck
from .drive import fresh, receive


@pytest.fixture
def dossier(world):
    return fresh(receive(world))


def test_the_form_address_is_stable(dossier):
    assert reverse("documents:form", args=[dossier.code, "01"]) == f"/bieu-mau/{dossier.code}/01.pdf"
    assert reverse("documents:tracking_book") == "/bieu-mau/so-theo-doi/"


def test_staff_who_can_see_the_dossier_download_its_receipt(client, world, dossier):
    client.force_login(world.alice)
    response = client.get(reverse("documents:form", args=[dossier.code, "01"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"mau-01-{dossier.code}.pdf" in response["Content-Disposition"]
    assert dossier.code in pdfcheck.text(response.content)
    # The competent agency's staff see it too (its leader).
    client.force_login(world.dave)
    assert client.get(reverse("documents:form", args=[dossier.code, "06"])).status_code == 200


def test_staff_of_an_unrelated_agency_are_refused(client, world, dossier):
    client.force_login(world.mallory)  # Sở Xây dựng: neither received nor decides it
    response = client.get(reverse("documents:form", args=[dossier.code, "01"]))
    assert response.status_code == 403
    assert dossier.code in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, dossier):
    url = reverse("documents:form", args=[dossier.code, "01"])
    response = client.get(url)
    assert response.status_code == 302 and "next=" in response["Location"]


def test_a_form_the_dossier_has_no_basis_for_is_not_found_with_the_reason(client, world, dossier):
    client.force_login(world.alice)
    response = client.get(reverse("documents:form", args=[dossier.code, "04"]))
    assert response.status_code == 404
    assert "chưa được gia hạn" in response.content.decode()


def test_unknown_dossiers_and_forms_are_not_found(client, world, dossier):
    client.force_login(world.alice)
    assert client.get("/bieu-mau/000.00.10.H99-991231-9999/01.pdf").status_code == 404
    assert client.get(f"/bieu-mau/{dossier.code}/07.pdf").status_code == 404
    assert client.get(f"/bieu-mau/{dossier.code}/09.pdf").status_code == 404


def test_writing_is_not_a_way_in(client, world, dossier):
    client.force_login(world.alice)
    assert client.post(reverse("documents:form", args=[dossier.code, "01"])).status_code == 405


def test_the_tracking_book_downloads_as_xlsx_for_the_units_staff(client, world, dossier):
    client.force_login(world.alice)
    response = client.get(
        reverse("documents:tracking_book"),
        {"unit": world.centre.agency.pk, "from": "01/03/2026", "to": "31/03/2026"},
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert dossier.code in [cell.value for cell in sheet["B"]]


def test_the_tracking_book_as_pdf_by_agency_code_for_its_leader(client, world, dossier):
    client.force_login(world.dave)  # leader of Sở Tư pháp, the competent agency
    response = client.get(
        reverse("documents:tracking_book"),
        {"unit": world.justice.code, "from": "01/03/2026", "to": "31/03/2026", "format": "pdf"},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert dossier.code.replace("-", "") in pdfcheck.text(response.content).replace(" ", "").replace("-", "")


def test_the_tracking_book_is_refused_to_staff_of_another_unit(client, world, dossier):
    client.force_login(world.mallory)
    response = client.get(reverse("documents:tracking_book"), {"unit": world.justice.pk})
    assert response.status_code == 403
    assert world.justice.name in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"unit": "999999"}, "Không tìm thấy đơn vị"),
        ({"from": "2026-03-01"}, "'from'"),
        ({"from": "31/03/2026", "to": "01/03/2026"}, "trước ngày bắt đầu"),
        ({"state": "khong-co"}, "khong-co"),
        ({"format": "docx"}, "docx"),
    ],
)
def test_bad_tracking_book_parameters_are_named_in_the_answer(client, world, params, message):
    client.force_login(world.alice)
    query = {"unit": world.centre.agency.pk, "from": "01/03/2026", "to": "31/03/2026", **params}
    response = client.get(reverse("documents:tracking_book"), query)
    assert response.status_code == 400
    assert message in response.content.decode()


# --------------------------------------------------------------------------------------------------------
# The admin: an administrator overrides a template without touching code


@pytest.fixture
def admin_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser(
        "quantri", password="x", first_name="Trần Quốc", last_name="Bảo"
    )
    client.force_login(admin)
    client.user = admin
    return client


def test_an_administrator_saves_an_override_and_previews_it(admin_client, world):
    response = admin_client.post(
        reverse("admin:documents_formtemplate_add"),
        {
            "form": "01",
            "agency": world.justice.pk,
            "active": "on",
            "html": "",
            "css": "h1.title { color: #036; }",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    template = FormTemplate.objects.get()
    assert template.updated_by == admin_client.user
    preview = admin_client.get(reverse("admin:documents_formtemplate_preview", args=[template.pk]))
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert "GIẤY TIẾP NHẬN HỒ SƠ" in pdfcheck.text(preview.content)
    # The change page shows the built-in template's source, to copy from.
    page = admin_client.get(reverse("admin:documents_formtemplate_change", args=[template.pk]))
    assert page.status_code == 200 and "{% block body %}" in page.content.decode()


def test_the_admin_refuses_a_broken_override_and_says_why(admin_client, world):
    response = admin_client.post(
        reverse("admin:documents_formtemplate_add"),
        {"form": "02", "agency": world.justice.pk, "active": "on", "html": "{% for x in %}", "css": ""},
    )
    assert response.status_code == 200
    assert "cú pháp" in response.content.decode()
    assert not FormTemplate.objects.exists()
