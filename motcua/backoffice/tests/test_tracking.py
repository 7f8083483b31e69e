"""The public tracking page (the receipt's QR target): status and timeline, never personal data."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

from motcua.api import tracking
from motcua.dossiers import commands

from .conftest import receive, to_appraisal


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_the_qr_address_asks_for_the_last_four_digits_first(world):
    dossier = receive(world)
    response = Client().get(f"/tra-cuu/{dossier.code}")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'value="{dossier.code}"' in html and 'name="so-cuoi"' in html
    assert "Nguyễn Thị Hồng Nhung" not in html and "Đã tiếp nhận" not in html


def test_the_right_digits_show_status_due_date_and_timeline_without_personal_data(world):
    dossier = to_appraisal(world, receive(world))
    commands.execute(dossier.code, "request_supplement", world.carol, {"items": ["x"], "reason": "y"})
    commands.execute(dossier.code, "approve_supplement_request", world.bob, {})
    for digits in ("2345", "5678"):  # last four of the ID number, or of the phone
        html = Client().post(f"/tra-cuu/{dossier.code}", {"so-cuoi": digits}).content.decode()
        assert "Yêu cầu bổ sung giấy tờ" in html and "Thủ tục đăng ký khai sinh" in html
        assert html.count("<time") == len(tracking.public_status(dossier.code, digits)["timeline"])
        for private in (
            "Nguyễn Thị Hồng Nhung",
            "001190012345",
            "0912345678",
            "nhung@example.vn",
            "Phạm Thu Cúc",
        ):
            assert private not in html, private


def test_a_wrong_code_and_wrong_digits_get_the_same_answer(world):
    dossier = receive(world)
    wrong_digits = Client().post(f"/tra-cuu/{dossier.code}", {"so-cuoi": "0000"})
    no_dossier = Client().post("/tra-cuu/", {"code": "KHONG-CO-HO-SO", "so-cuoi": "2345"})
    assert wrong_digits.status_code == no_dossier.status_code == 404
    message = "Không tìm thấy hồ sơ với mã và 4 số cuối đã nhập."
    assert message in wrong_digits.content.decode() and message in no_dossier.content.decode()
    malformed = Client().post(f"/tra-cuu/{dossier.code}", {"so-cuoi": "12a4"})
    assert malformed.status_code == 422


def test_lookups_are_throttled_like_the_api(world):
    dossier = receive(world)
    client = Client()
    for _ in range(tracking.LIMIT_PER_MINUTE):
        client.post(f"/tra-cuu/{dossier.code}", {"so-cuoi": "0000"})
    blocked = client.post(f"/tra-cuu/{dossier.code}", {"so-cuoi": "2345"})
    assert blocked.status_code == 429 and "Tra cứu quá nhiều lần" in blocked.content.decode()
    # The page and the API share one counter per address.
    api = client.get(f"/api/v1/tracking/{dossier.code}", {"id_last4": "2345"})
    assert api.status_code == 429


def test_the_api_answers_from_the_same_function(world):
    dossier = receive(world)
    api = Client().get(f"/api/v1/tracking/{dossier.code}", {"id_last4": "2345"}).json()
    shared = tracking.public_status(dossier.code, "2345")
    assert api["status"] == shared["status"] == 2
    assert len(api["timeline"]) == len(shared["timeline"]) == 1
    assert Client().get(f"/api/v1/tracking/{dossier.code}", {"id_last4": "9999"}).status_code == 404


def test_the_hand_written_lookup_answers_what_the_models_hold(world):
    """`public_status` reads with one SQL statement of its own; it must agree with the ORM, timestamps
    aware and in UTC on either database."""
    dossier = to_appraisal(world, receive(world))
    commands.execute(dossier.code, "request_supplement", world.carol, {"items": ["x"], "reason": "y"})
    dossier.refresh_from_db()
    found = tracking.public_status(dossier.code, "2345")
    assert found["procedure_name"] == dossier.procedure.name
    assert found["status"] == dossier.national_status
    assert (found["received_at"], found["due_at"], found["returned_at"]) == (
        dossier.received_at,
        dossier.due_at,
        dossier.returned_at,
    )
    assert found["received_at"].utcoffset() is not None
    events = list(dossier.events.order_by("seq"))
    assert [(t["at"], t["national_status"]) for t in found["timeline"]] == [
        (e.at, e.national_status) for e in events
    ]
    assert len(events) >= 4
    assert tracking.public_status(dossier.code + "9", "2345") is None
