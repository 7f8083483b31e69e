"""Fault injection (/sim/faults): the declared mix, reproducible with a seed, real drops on the wire."""

from __future__ import annotations

import http.client
import json
import math
import socket
import urllib.request
from collections import Counter

import pytest

from simulators.national_portal import api
from simulators.national_portal.models import Dossier
from simulators.national_portal.tests.conftest import SIM_DB, make_hoso

pytestmark = pytest.mark.django_db(databases=SIM_DB)


def set_faults(anon, **values) -> dict:
    response = anon.post_json("/sim/faults", values)
    assert response.status_code == 200, response.content
    return response.json()


def outcome(response) -> str:
    if response.status_code == api.DROP_STATUS:
        return response[api.DROP_HEADER].split(";")[0]
    return str(response.status_code)


def run(portal, n: int) -> list[str]:
    return [outcome(portal.get("/api/hoso/tra-cuu", {"MaHoSo": "X"})) for _ in range(n)]


def within(observed: int, n: int, p: float) -> bool:
    """Inside 4.5 standard deviations of a binomial(n, p): a wrong mix fails, chance almost never does."""
    return abs(observed - n * p) <= 4.5 * math.sqrt(n * p * (1 - p)) + 1


def test_a_seeded_configuration_produces_the_declared_mix(anon, portal):
    declared = {"error_rate": 0.2, "rate_limit_rate": 0.1, "reset_rate": 0.1, "timeout_rate": 0.15}
    set_faults(anon, **declared, timeout_hold_ms=0, seed=7)
    n = 800
    seen = Counter(run(portal, n))
    errors = sum(seen[s] for s in ("500", "502", "503"))
    assert within(errors, n, 0.2), seen
    assert within(seen["429"], n, 0.1), seen
    assert within(seen["reset"], n, 0.1), seen
    assert within(seen["timeout"], n, 0.15), seen
    assert within(seen["404"], n, 0.45), seen
    assert {"500", "502", "503"} <= set(seen)
    stats = anon.get("/sim/stats").json()["counters"]
    assert stats["requests"] == n
    assert stats["fault_reset"] == seen["reset"]


def test_the_same_seed_replays_the_same_outcomes_and_another_seed_does_not(anon, portal):
    set_faults(anon, error_rate=0.3, reset_rate=0.2, seed=42)
    first = run(portal, 60)
    set_faults(anon, error_rate=0.3, reset_rate=0.2, seed=42)
    assert run(portal, 60) == first
    set_faults(anon, error_rate=0.3, reset_rate=0.2, seed=43)
    assert run(portal, 60) != first


def test_faults_never_touch_the_simulator_controls(anon, portal):
    set_faults(anon, error_rate=1.0, seed=1)
    assert anon.get("/sim/stats").status_code == 200
    assert anon.get("/sim/export").status_code == 200
    assert portal.get("/api/hoso/danh-sach").status_code in (500, 502, 503)


def test_down_answers_503_with_retry_after_and_applies_nothing(anon, portal):
    set_faults(anon, down=True, retry_after_s=7)
    response = portal.post_json("/api/hoso/them-moi", {"HoSo": [make_hoso()]})
    assert response.status_code == 503
    assert response["Retry-After"] == "7"
    assert not Dossier.objects.exists()


def test_rate_limiting_answers_429_with_retry_after(anon, portal):
    set_faults(anon, rate_limit_rate=1.0, retry_after_s=3)
    response = portal.get("/api/hoso/danh-sach")
    assert response.status_code == 429
    assert response["Retry-After"] == "3"


def test_a_timeout_applies_the_request_sometimes_and_never_answers(anon, portal):
    set_faults(anon, timeout_rate=1.0, timeout_applied_rate=0.5, timeout_hold_ms=0, seed=3)
    answers = [
        outcome(portal.post_json("/api/hoso/them-moi", {"HoSo": [make_hoso(f"T-{i}")]})) for i in range(80)
    ]
    assert set(answers) == {"timeout"}
    applied = Dossier.objects.count()
    assert within(applied, 80, 0.5) and 0 < applied < 80
    counters = anon.get("/sim/stats").json()["counters"]
    assert counters["fault_timeout_applied"] == applied


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"error_rate": 1.5}, "error_rate"),
        ({"eror_rate": 0.1}, "eror_rate"),
        ({"latency_ms": -5}, "latency_ms"),
        ({"down": "yes"}, "down"),
        ({"seed": "abc"}, "seed"),
        ({"error_rate": 0.6, "timeout_rate": 0.6}, ""),
    ],
)
def test_it_refuses_a_bad_fault_configuration_and_keeps_the_old_one(anon, body, field):
    set_faults(anon, error_rate=0.1)
    response = anon.post_json("/sim/faults", body)
    assert response.status_code == 400
    assert field in [p["truong"] for p in response.json()["loi"]]
    assert anon.get("/sim/faults").json()["error_rate"] == 0.1


def test_posting_faults_replaces_the_whole_configuration(anon):
    set_faults(anon, error_rate=0.5, latency_ms=100)
    current = set_faults(anon, reset_rate=0.2)
    assert (current["error_rate"], current["latency_ms"], current["reset_rate"]) == (0.0, 0, 0.2)


# --- On the wire: the real server drops connections --------------------------------------------------


def token_for(base: str) -> str:
    data = b"grant_type=client_credentials&client_id=motcua-httt&client_secret=motcua-httt-secret"
    with urllib.request.urlopen(
        urllib.request.Request(f"{base}/oauth/token", data=data), timeout=5
    ) as response:
        return json.loads(response.read())["access_token"]


def post_dossier(base: str, token: str, code: str, timeout: float) -> tuple[int, dict]:
    host, port = base.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.request(
            "POST",
            "/api/hoso/them-moi",
            body=json.dumps({"HoSo": [make_hoso(code)]}),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True, databases=SIM_DB)
def test_on_the_wire_a_reset_drops_the_connection_without_applying(live_sim, anon):
    token = token_for(live_sim)
    set_faults(anon, reset_rate=1.0)
    with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
        post_dossier(live_sim, token, "R-1", timeout=5)
    assert not Dossier.objects.filter(ma_ho_so="R-1").exists()


@pytest.mark.django_db(transaction=True, databases=SIM_DB)
def test_on_the_wire_a_timeout_is_applied_but_the_answer_never_comes(live_sim, anon):
    token = token_for(live_sim)
    set_faults(anon, timeout_rate=1.0, timeout_applied_rate=1.0, timeout_hold_ms=1500)
    with pytest.raises((TimeoutError, socket.timeout)):
        post_dossier(live_sim, token, "T-1", timeout=0.5)
    assert Dossier.objects.filter(ma_ho_so="T-1").exists()
    set_faults(anon)
    status, body = post_dossier(live_sim, token, "T-1", timeout=5)
    assert status == 200
    assert body["KetQua"][0]["error_code"] == "-3"  # the resend is safe
