"""The REST API end to end: a dossier driven through a branch with `available_actions` alone."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client

from motcua.api.models import ApiToken
from motcua.dossiers.models import Dossier


def client_for(user):
    _, token = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def post(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.fixture
def alice(world):
    return client_for(world.alice)


def test_the_openapi_document_declares_every_error_code(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            if path.startswith("/api/v1/tracking"):
                assert {"200", "404", "422", "429"} <= codes
            elif path.startswith("/api/v1/dossiers"):
                assert {"400", "401", "403", "404", "409", "422"} <= codes, (method, path)
            else:  # every other endpoint declares its refusals too, not only its success
                assert any(code.startswith("4") for code in codes), (method, path, codes)


def test_it_requires_authentication(client, world):
    response = client.get("/api/v1/dossiers")
    assert response.status_code == 401
    assert response.json()["message_en"] == "Authentication required."


def test_a_dossier_is_driven_through_the_supplement_branch_from_the_api_alone(world, alice):
    response = post(alice, "/api/v1/dossiers", world.receive_payload())
    assert response.status_code == 201, response.content
    dossier = response.json()
    code = dossier["code"]
    assert {a["action"] for a in dossier["available_actions"]} == {"transfer", "withdraw"}

    clients = {name: client_for(getattr(world, name)) for name in ("alice", "bob", "carol", "dave", "erin")}

    def act(who, action, data=None):
        current = clients[who].get(f"/api/v1/dossiers/{code}").json()
        offered = {a["action"] for a in current["available_actions"]}
        assert action in offered, (who, action, offered)
        answer = post(
            clients[who],
            f"/api/v1/dossiers/{code}/actions/{action}",
            {"version": current["version"], "data": data or {}},
        )
        assert answer.status_code == 200, answer.content
        return answer.json()

    act("alice", "transfer", {"handling_unit_id": world.civil_status.pk})
    act("bob", "assign", {"assignee_id": world.carol.pk})
    act("carol", "request_supplement", {"items": ["Giấy chứng sinh bản chính"], "reason": "Bản chụp mờ"})
    act("bob", "approve_supplement_request")
    state = act("alice", "receive_supplement", {"components": [{"name": "Giấy chứng sinh bản chính"}]})
    assert state["state"] == "processing"
    act("carol", "record_result")
    act("carol", "forward")
    act("bob", "approve")
    act("dave", "approve")
    act("erin", "issue_result")
    final = act("alice", "return_result", {"recipient_name": "Nguyễn Thị Hồng Nhung"})
    assert final["state"] == "returned" and final["national_status"] == 10
    events = clients["alice"].get(f"/api/v1/dossiers/{code}/events").json()
    assert [e["seq"] for e in events] == list(range(1, 13))


def test_bad_input_gets_a_vietnamese_and_an_english_message_and_creates_nothing(world, alice):
    payload = world.receive_payload(applicant={"name": "A", "id_number": "123"})
    response = post(alice, "/api/v1/dossiers", payload)
    assert response.status_code == 422
    body = response.json()
    assert "12 chữ số" in body["message"] and body["message_en"]
    assert Dossier.objects.count() == 0


def test_a_stale_version_answers_409(world, alice):
    code = post(alice, "/api/v1/dossiers", world.receive_payload()).json()["code"]
    post(
        alice,
        f"/api/v1/dossiers/{code}/actions/transfer",
        {"data": {"handling_unit_id": world.civil_status.pk}},
    )
    response = post(
        alice, f"/api/v1/dossiers/{code}/actions/withdraw", {"version": 1, "data": {"reason": "x"}}
    )
    assert response.status_code == 409
    assert response.json()["error"] == "changed_by_someone_else"


@pytest.mark.parametrize("outsider", ["mallory", "olga", "victor"])
def test_every_role_outside_the_scope_is_denied(world, alice, outsider):
    code = post(alice, "/api/v1/dossiers", world.receive_payload()).json()["code"]
    other = client_for(getattr(world, outsider))
    assert other.get(f"/api/v1/dossiers/{code}").status_code == 403
    response = post(other, f"/api/v1/dossiers/{code}/actions/withdraw", {"data": {"reason": "x"}})
    assert response.status_code == 403
    assert code not in [d["code"] for d in other.get("/api/v1/dossiers").json()["items"]]
    denied = post(other, "/api/v1/dossiers", world.receive_payload())
    assert denied.status_code == 403


@pytest.mark.parametrize("insider", ["bob", "dave", "erin"])
def test_roles_inside_the_agency_see_the_dossier_but_cannot_act_out_of_turn(world, alice, insider):
    code = post(alice, "/api/v1/dossiers", world.receive_payload()).json()["code"]
    post(
        alice,
        f"/api/v1/dossiers/{code}/actions/transfer",
        {"data": {"handling_unit_id": world.civil_status.pk}},
    )
    them = client_for(getattr(world, insider))
    detail = them.get(f"/api/v1/dossiers/{code}")
    assert detail.status_code == 200
    offered = {a["action"] for a in detail.json()["available_actions"]}
    assert offered == {"bob": {"assign"}, "dave": {"stop"}, "erin": set()}[insider]
    # Only the head assigns; everyone else is refused with 403, whatever they send.
    response = post(
        them, f"/api/v1/dossiers/{code}/actions/assign", {"data": {"assignee_id": world.carol.pk}}
    )
    assert response.status_code == (200 if insider == "bob" else 403)


def test_list_filters_and_searches_without_diacritics(world, alice):
    post(alice, "/api/v1/dossiers", world.receive_payload())
    other = world.receive_payload()
    other["applicant"] = {**other["applicant"], "name": "Đặng Văn Đông", "id_number": "001085054321"}
    post(alice, "/api/v1/dossiers", other)
    found = alice.get("/api/v1/dossiers", {"q": "dang van dong"}).json()["items"]
    assert [d["applicant_name"] for d in found] == ["Đặng Văn Đông"]
    assert len(alice.get("/api/v1/dossiers", {"state": "received"}).json()["items"]) == 2
    assert alice.get("/api/v1/dossiers", {"state": "returned"}).json()["items"] == []


def test_public_tracking_needs_the_last_four_digits_and_reveals_no_personal_data(world, alice, client):
    cache.clear()
    code = post(alice, "/api/v1/dossiers", world.receive_payload()).json()["code"]
    assert client.get(f"/api/v1/tracking/{code}", {"id_last4": "0000"}).status_code == 404
    response = client.get(f"/api/v1/tracking/{code}", {"id_last4": "2345"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nhung" not in text and "001190012345" not in text
    assert response.json()["status_label"] == "Được tiếp nhận"
    by_phone = client.get(f"/api/v1/tracking/{code}", {"id_last4": "5678"})
    assert by_phone.status_code == 200


def test_public_tracking_is_rate_limited(world, client):
    cache.clear()
    statuses = [
        client.get("/api/v1/tracking/X-000000-0001", {"id_last4": "1234"}).status_code for _ in range(32)
    ]
    assert statuses[:30] == [404] * 30 and statuses[-1] == 429


def test_malformed_and_oversized_payloads_get_a_4xx_in_the_api_shape(world, alice, settings):
    broken = alice.post("/api/v1/dossiers", data="{not json", content_type="application/json")
    assert broken.status_code in (400, 422)
    assert broken.json()["message"] and broken.json()["message_en"]
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    huge = world.receive_payload(summary="x" * 900, form_data={"ghi_chu": "y" * 20_000})
    response = post(alice, "/api/v1/dossiers", huge)
    assert response.status_code in (400, 413, 422)
    assert "message_en" in response.json()
    assert Dossier.objects.count() == 0


BRANCHES = {
    "financial obligation": [
        (
            "carol",
            "request_payment",
            {"items": [{"name": "Lệ phí trước bạ", "amount": 500_000}]},
            "awaiting_payment",
        ),
        ("alice", "confirm_payment", {"method": "national_platform"}, "processing"),
    ],
    "consultation": [
        (
            "carol",
            "consult",
            {"agency_id": "construction", "question": "Ý kiến?", "budget_hours": 8},
            "processing",
        ),
        ("victor", "reply_consultation", {"consultation_id": "open", "reply": "Thống nhất"}, "processing"),
    ],
    "extension then stop": [
        ("dave", "extend", {"new_due_at": "far", "reason": "Cần xác minh thêm"}, "processing"),
        ("dave", "stop", {"reason": "Người nộp đề nghị dừng", "legal_ground": "Điều 18"}, "stopped"),
    ],
    "withdrawal": [("alice", "withdraw", {"reason": "Không còn nhu cầu"}, "withdrawn")],
}


@pytest.mark.parametrize("branch", list(BRANCHES))
def test_every_branch_can_be_driven_from_the_api(world, alice, branch):
    code = post(alice, "/api/v1/dossiers", world.receive_payload()).json()["code"]
    post(
        alice,
        f"/api/v1/dossiers/{code}/actions/transfer",
        {"data": {"handling_unit_id": world.civil_status.pk}},
    )
    post(
        client_for(world.bob),
        f"/api/v1/dossiers/{code}/actions/assign",
        {"data": {"assignee_id": world.carol.pk}},
    )
    for who, action, data, expected_state in BRANCHES[branch]:
        dossier = Dossier.objects.get(code=code)
        data = dict(data)
        if data.get("agency_id") == "construction":
            data["agency_id"] = world.construction.pk
        if data.get("consultation_id") == "open":
            data["consultation_id"] = dossier.consultations.get().pk
        if data.get("new_due_at") == "far":
            data["new_due_at"] = (dossier.due_at + timedelta(days=7)).isoformat()
        them = client_for(getattr(world, who))
        offered = {a["action"] for a in them.get(f"/api/v1/dossiers/{code}").json()["available_actions"]}
        assert action in offered, (who, action, offered)
        response = post(them, f"/api/v1/dossiers/{code}/actions/{action}", {"data": data})
        assert response.status_code == 200, response.content
        assert response.json()["state"] == expected_state
