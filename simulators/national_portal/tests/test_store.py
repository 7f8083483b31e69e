"""Citizen data store (contract §5): idempotent deposit, listing by owner, fetching the file."""

from __future__ import annotations

import base64

import pytest

from simulators.national_portal.models import StoredDocument
from simulators.national_portal.samplefiles import tiny_pdf
from simulators.national_portal.tests.conftest import SIM_DB

pytestmark = pytest.mark.django_db(databases=SIM_DB)

OWNER = "001188012345"


def document(**overrides) -> dict:
    body = {
        "SoDinhDanhChuSoHuu": OWNER,
        "MaKetQua": "KQ.G15.000126",
        "SoKyHieu": "123/2026/GKS",
        "TenGiayTo": "Giấy khai sinh",
        "NgayCap": "20261127150000",
        "CoQuanCap": "Ủy ban nhân dân phường Ba Đình",
        "HieuLucDen": "",
        "Tep": {
            "TenTep": "giấy-khai-sinh.pdf",
            "Base64": base64.b64encode(tiny_pdf("Giay khai sinh")).decode(),
        },
    }
    body.update(overrides)
    return body


def test_it_stores_a_document_once_per_owner_result_and_number(portal):
    first = portal.post_json("/api/kho/giay-to", document())
    assert first.status_code == 201
    again = portal.post_json("/api/kho/giay-to", document(TenGiayTo="Giấy khai sinh (gửi lại)"))
    assert again.status_code == 200
    assert again.json()["MaGiayToSo"] == first.json()["MaGiayToSo"]
    other = portal.post_json("/api/kho/giay-to", document(SoKyHieu="124/2026/GKS"))
    assert other.status_code == 201
    assert other.json()["MaGiayToSo"] != first.json()["MaGiayToSo"]
    assert StoredDocument.objects.count() == 2


def test_it_lists_an_owners_documents(portal):
    portal.post_json("/api/kho/giay-to", document())
    portal.post_json("/api/kho/giay-to", document(SoDinhDanhChuSoHuu="079203004321"))
    listing = portal.get("/api/kho/giay-to", {"SoDinhDanh": OWNER}).json()["DanhSach"]
    assert len(listing) == 1
    assert listing[0]["MaKetQua"] == "KQ.G15.000126"
    assert listing[0]["SoKyHieu"] == "123/2026/GKS"
    assert set(listing[0]) == {"MaGiayToSo", "MaKetQua", "TenGiayTo", "SoKyHieu", "NgayCap", "CoQuanCap"}


def test_it_returns_the_stored_file_as_it_was_sent(portal):
    body = document()
    code = portal.post_json("/api/kho/giay-to", body).json()["MaGiayToSo"]
    response = portal.get("/api/kho/tep", {"MaGiayToSo": code})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == base64.b64decode(body["Tep"]["Base64"])
    assert portal.get("/api/kho/tep", {"MaGiayToSo": "NOPE"}).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"Tep": {"TenTep": "a.pdf", "Base64": "@@not base64@@"}}, "Tep.Base64"),
        ({"SoDinhDanhChuSoHuu": "111111111111"}, "SoDinhDanhChuSoHuu"),
        ({"MaKetQua": "G15-126"}, "MaKetQua"),
        ({"NgayCap": "27/11/2026"}, "NgayCap"),
        ({"TenGiayTo": ""}, "TenGiayTo"),
    ],
)
def test_it_refuses_a_bad_document_naming_the_field(portal, overrides, field):
    response = portal.post_json("/api/kho/giay-to", document(**overrides))
    assert response.status_code == 400
    assert field in [p["truong"] for p in response.json()["loi"]]
    assert not StoredDocument.objects.exists()
