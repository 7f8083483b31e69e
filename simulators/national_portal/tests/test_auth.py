"""Machine authentication (contract §1): client credentials → bearer token; 401 everywhere without one."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine

from simulators.national_portal.tests.conftest import SIM_DB

pytestmark = pytest.mark.django_db(databases=SIM_DB)

HTTT_FACING = [
    ("post", "/api/hoso/them-moi"),
    ("post", "/api/hoso/cap-nhat"),
    ("post", "/api/hoso/tien-trinh"),
    ("get", "/api/hoso/tra-cuu?MaHoSo=X"),
    ("get", "/api/hoso/danh-sach"),
    ("post", "/api/thanhtoan/khoi-tao"),
    ("post", "/api/thanhtoan/truy-van"),
    ("get", "/api/thanhtoan/bien-lai?MaThamChieu=X"),
    ("post", "/api/kho/giay-to"),
    ("get", "/api/kho/giay-to?SoDinhDanh=X"),
    ("get", "/api/kho/tep?MaGiayToSo=X"),
    ("post", "/api/dancu/tra-cuu"),
]


def get_token(anon, **extra) -> dict:
    response = anon.post(
        "/oauth/token",
        {
            "grant_type": "client_credentials",
            "client_id": "motcua-httt",
            "client_secret": "motcua-httt-secret",
        },
        **extra,
    )
    assert response.status_code == 200, response.content
    return response.json()


def test_it_issues_a_bearer_token_with_an_expiry(anon):
    token = get_token(anon)
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    assert len(token["access_token"]) >= 32
    response = anon.get("/api/hoso/tra-cuu?MaHoSo=X", HTTP_AUTHORIZATION=f"Bearer {token['access_token']}")
    assert response.status_code == 404


def test_it_accepts_http_basic_client_authentication(anon):
    basic = base64.b64encode(b"motcua-httt:motcua-httt-secret").decode()
    response = anon.post(
        "/oauth/token", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}"
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"


def test_it_refuses_a_wrong_secret_and_another_grant(anon):
    wrong = anon.post(
        "/oauth/token",
        {"grant_type": "client_credentials", "client_id": "motcua-httt", "client_secret": "nope"},
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"
    other = anon.post("/oauth/token", {"grant_type": "password", "client_id": "motcua-httt"})
    assert other.status_code == 400
    assert other.json()["error"] == "unsupported_grant_type"


def test_the_client_credentials_come_from_the_environment(anon, monkeypatch):
    monkeypatch.setenv("MOTCUA_SIM_CLIENT_SECRET", "rotated")
    assert (
        anon.post(
            "/oauth/token",
            {"grant_type": "client_credentials", "client_id": "motcua-httt", "client_secret": "rotated"},
        ).status_code
        == 200
    )


@pytest.mark.parametrize(("method", "path"), HTTT_FACING)
@pytest.mark.parametrize("header", [None, "Bearer not-a-token", "Basic abc"])
def test_every_httt_facing_endpoint_answers_401_without_a_valid_token(anon, method, path, header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    response = getattr(anon, method)(path, **extra)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_refused_and_a_fresh_one_works(anon):
    start = dt.datetime(2026, 11, 27, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        old = get_token(anon)["access_token"]
    with time_machine.travel(start + dt.timedelta(seconds=3601), tick=False):
        assert anon.get("/api/hoso/danh-sach", HTTP_AUTHORIZATION=f"Bearer {old}").status_code == 401
        fresh = get_token(anon)["access_token"]
        assert anon.get("/api/hoso/danh-sach", HTTP_AUTHORIZATION=f"Bearer {fresh}").status_code == 200


def test_unauthorized_requests_are_counted(anon):
    anon.get("/api/hoso/danh-sach")
    counters = anon.get("/sim/stats").json()["counters"]
    assert (counters["requests"], counters["unauthorized"]) == (1, 1)
