"""The dossier page and its actions, with and without htmx, through to the end of a dossier's life."""

from __future__ import annotations

import re

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from motcua.dossiers import commands
from motcua.dossiers.models import Dossier

from ..views.dossier import form_url
from .conftest import HTMX, at, receive, to_appraisal

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def act(client, dossier, action, data=None, *, htmx=False, version=None, files=None):
    dossier.refresh_from_db()
    payload = {"version": dossier.version if version is None else version, **(data or {})}
    if files:
        payload.update(files)
    extra = HTMX if htmx else {}
    return client.post(f"/ho-so/{dossier.code}/thao-tac/{action}/", payload, **extra)


def offered(html: str) -> list[str]:
    return re.findall(r'data-action="(\w+)">', html)


def test_the_page_shows_where_the_dossier_is_and_how_much_time_is_left(world, as_user):
    with time_machine.travel(at("2026-03-02T09:00"), tick=False):
        dossier = to_appraisal(world, receive(world))
    with time_machine.travel(at("2026-03-03T10:00"), tick=False):
        html = as_user("carol").get(f"/ho-so/{dossier.code}/").content.decode()
    assert dossier.code in html and "Đang xử lý" in html
    assert "Thẩm định hồ sơ, dự thảo kết quả" in html  # current step name from the process
    assert "Phòng Hành chính tư pháp" in html and "Phạm Thu Cúc" in html  # holder unit and user
    assert "09:00 09/03/2026" in html  # the appointment
    # Tue 10:00 → Mon 09:00 is 31 working hours; the step (20 h from Mon 09:00) has 11 h left.
    assert "Còn 31 giờ làm việc" in html
    assert "Còn 11 giờ làm việc" in html
    assert "Nguyễn Thị Hồng Nhung" in html and "001190012345" in html
    assert "Tờ khai đăng ký khai sinh" in html and "50.000 đồng" in html
    for label in ("Tiếp nhận", "Chuyển xử lý", "Phân công"):
        assert f"<strong>{label}</strong>" in html  # the timeline
    assert set(offered(html)) == {"record_result", "request_payment", "consult", "request_supplement"}
    assert "Chưa thể thực hiện:" in html and "chưa có dự thảo kết quả" in html  # forward is blocked


def test_the_forms_and_the_public_page_are_linked(world, as_user):
    dossier = receive(world)
    html = as_user("alice").get(f"/ho-so/{dossier.code}/").content.decode()
    for number in ("01", "06"):
        url = form_url(dossier.code, number)
        if url is None:
            assert "chưa có chức năng in biểu mẫu" in html
        else:
            assert f'href="{url}" data-form="{number}"' in html
    assert f'href="/tra-cuu/{dossier.code}"' in html


def test_officers_outside_the_units_of_a_dossier_cannot_open_it(world, as_user):
    dossier = to_appraisal(world, receive(world))
    for who in ("mallory", "olga"):
        response = as_user(who).get(f"/ho-so/{dossier.code}/")
        assert response.status_code == 403
        assert "nằm ngoài phạm vi đơn vị của bạn" in response.content.decode()
        assert (
            act(as_user(who), dossier, "request_supplement", {"items": "x", "reason": "y"}).status_code == 403
        )
    assert as_user("alice").get("/ho-so/KHONG-CO/").status_code == 404


def test_an_action_form_comes_as_a_fragment_for_htmx_and_as_a_page_without(world, as_user):
    dossier = receive(world)
    client = as_user("alice")
    fragment = client.get(f"/ho-so/{dossier.code}/thao-tac/transfer/", **HTMX).content.decode()
    assert "<html" not in fragment and 'name="handling_unit_id"' in fragment
    assert "Phòng Hành chính tư pháp" in fragment  # the divisions of the competent agency
    assert f'name="version" value="{dossier.version}"' in fragment
    page = client.get(f"/ho-so/{dossier.code}/thao-tac/transfer/").content.decode()
    assert "<html" in page and 'id="action-panel"' in page and 'name="handling_unit_id"' in page


def test_an_action_without_javascript_posts_and_redirects_back(world, as_user):
    dossier = receive(world)
    client = as_user("alice")
    response = act(client, dossier, "transfer", {"handling_unit_id": world.civil_status.pk, "note": "Chuyển"})
    assert response.status_code == 302 and response["Location"] == f"/ho-so/{dossier.code}/"
    dossier.refresh_from_db()
    assert dossier.current_step == "phan_cong" and dossier.handling_unit == world.civil_status
    page = client.get(response["Location"]).content.decode()
    assert "Đã thực hiện: Chuyển xử lý." in page


def test_an_action_with_htmx_swaps_the_dossier_in_place(world, as_user):
    dossier = receive(world)
    act(as_user("alice"), dossier, "transfer", {"handling_unit_id": world.civil_status.pk})
    response = act(as_user("bob"), dossier, "assign", {"assignee_id": world.carol.pk}, htmx=True)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="dossier-main"')
    assert "Đã thực hiện: Phân công." in html and "Phạm Thu Cúc" in html


def test_input_errors_come_back_in_vietnamese_next_to_the_field(world, as_user):
    dossier = to_appraisal(world, receive(world))
    client = as_user("carol")
    response = act(client, dossier, "request_supplement", {"items": "", "reason": ""})
    html = response.content.decode()
    assert response.status_code == 422
    assert "Dữ liệu không hợp lệ" in html
    assert re.search(r'field-error" role="alert">[^<]*(Thiếu thông tin bắt buộc|Không được để trống)', html)
    assert "<html" in html  # without JavaScript: the whole page, the form open
    htmx = act(client, dossier, "request_supplement", {"items": "Tờ khai", "reason": ""}, htmx=True)
    assert htmx.status_code == 422
    assert htmx["HX-Retarget"] == "#action-panel" and "<html" not in htmx.content.decode()
    assert "Tờ khai" in htmx.content.decode()  # what was typed is kept


def test_a_stale_page_is_told_someone_else_changed_the_dossier(world, as_user):
    dossier = receive(world)
    seen = dossier.version
    commands.execute(dossier.code, "transfer", world.alice, {"handling_unit_id": world.civil_status.pk})
    response = act(as_user("bob"), dossier, "assign", {"assignee_id": world.carol.pk}, version=seen)
    assert response.status_code == 409
    assert "đã được người khác thay đổi" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).current_step == "phan_cong"


def test_the_engine_says_why_an_action_is_not_allowed(world, as_user):
    dossier = to_appraisal(world, receive(world))
    # carol may see the dossier but approving a supplement request is the head's.
    commands.execute(dossier.code, "request_supplement", world.carol, {"items": ["x"], "reason": "y"})
    response = act(as_user("carol"), dossier, "approve_supplement_request")
    assert response.status_code == 403
    assert "Bạn không có vai trò &#x27;Lãnh đạo phòng&#x27;" in response.content.decode()
    assert act(as_user("carol"), dossier, "no_such_action").status_code == 404


def test_scans_are_served_only_to_those_who_see_the_dossier(world, as_user):
    dossier = to_appraisal(world, receive(world))
    commands.execute(
        dossier.code, "request_supplement", world.carol, {"items": ["Giấy chứng sinh"], "reason": "Mờ"}
    )
    commands.execute(dossier.code, "approve_supplement_request", world.bob, {})
    component = world.version.components.get(order=2)
    scan = SimpleUploadedFile("giay-chung-sinh.png", PNG, content_type="image/png")
    response = act(
        as_user("alice"),
        dossier,
        "receive_supplement",
        {"components-ticked": [str(component.pk)]},
        files={f"components-file-{component.pk}": scan},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = dossier.components.exclude(file="").get()
    assert stored.file_name == "giay-chung-sinh.png" and stored.digitised and len(stored.file_sha256) == 64
    url = f"/ho-so/{dossier.code}/tep/{stored.pk}/"
    got = as_user("carol").get(url)
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    assert b"".join(got.streaming_content) == PNG
    assert got["X-Frame-Options"] == "SAMEORIGIN"
    assert as_user("mallory").get(url).status_code == 403
    page = as_user("carol").get(f"/ho-so/{dossier.code}/").content.decode()
    assert f'<img src="{url}"' in page  # inline preview
    assert Dossier.objects.get(pk=dossier.pk).state == "processing"


def test_a_file_that_is_not_a_scan_is_refused_before_anything_is_written(world, as_user):
    dossier = to_appraisal(world, receive(world))
    commands.execute(
        dossier.code, "request_supplement", world.carol, {"items": ["Giấy chứng sinh"], "reason": "Mờ"}
    )
    commands.execute(dossier.code, "approve_supplement_request", world.bob, {})
    component = world.version.components.get(order=2)
    fake = SimpleUploadedFile("giay.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = act(
        as_user("alice"),
        dossier,
        "receive_supplement",
        {"components-ticked": [str(component.pk)]},
        files={f"components-file-{component.pk}": fake},
    )
    assert response.status_code == 400
    assert "không phải tệp PDF hợp lệ" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).state == "awaiting_supplement"


def test_the_whole_life_of_a_dossier_through_the_page(world, as_user):
    """Counter to return, each step by its own officer, through the forms built from each action."""
    dossier = receive(world)
    steps = [
        ("alice", "transfer", {"handling_unit_id": world.civil_status.pk}),
        ("bob", "assign", {"assignee_id": world.carol.pk}),
        (
            "carol",
            "request_supplement",
            {"items": "Bản sao giấy chứng sinh\nTờ khai có chữ ký", "reason": "Mờ"},
        ),
        ("bob", "approve_supplement_request", {"note": "Đồng ý"}),
        ("alice", "receive_supplement", {"components-other": "Bản sao giấy chứng sinh"}),
        ("carol", "record_result", {}),
        ("carol", "forward", {"assignee_id": world.bob.pk}),
        ("bob", "approve", {}),
        ("dave", "approve", {}),
        ("erin", "issue_result", {}),
        ("alice", "return_result", {"recipient_name": "Nguyễn Thị Hồng Nhung", "method": "counter"}),
    ]
    for who, action, data in steps:
        client = as_user(who)
        assert action in offered(client.get(f"/ho-so/{dossier.code}/").content.decode()), (who, action)
        response = act(client, dossier, action, data, htmx=(action in ("assign", "approve")))
        assert response.status_code in (200, 302), (who, action, response.content.decode()[:3000])
    dossier.refresh_from_db()
    assert dossier.state == "returned" and dossier.national_status == 10
    draft = dossier.drafts.get()
    assert draft.content["items"] == ["Bản sao giấy chứng sinh", "Tờ khai có chữ ký"]
    assert dossier.results.get().signed_by == world.dave
    html = as_user("alice").get(f"/ho-so/{dossier.code}/").content.decode()
    assert "Đã trả kết quả" in html and "Trả kết quả cho Nguyễn Thị Hồng Nhung" in html
    assert offered(html) == []


def test_lists_of_objects_and_instants_are_read_from_their_fields(world, as_user):
    with time_machine.travel(at("2026-03-02T09:00"), tick=False):
        dossier = to_appraisal(world, receive(world))
        leader = as_user("dave")
        assert "extend" in offered(leader.get(f"/ho-so/{dossier.code}/").content.decode())
        response = act(
            leader, dossier, "extend", {"new_due_at": "2026-03-12T16:30", "reason": "Cần xác minh"}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        dossier.refresh_from_db()
        assert dossier.due_at == at("2026-03-12T16:30") and dossier.extended
        fragment = as_user("carol").get(f"/ho-so/{dossier.code}/thao-tac/request_payment/", **HTMX)
        assert 'name="items-0-amount"' in fragment.content.decode()
        response = act(
            as_user("carol"),
            dossier,
            "request_payment",
            {"items-0-name": "Lệ phí trước bạ", "items-0-amount": "1200000", "items-1-name": ""},
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    dossier.refresh_from_db()
    assert dossier.state == "awaiting_payment"
    assert dossier.fees.filter(kind="obligation").get().amount == 1_200_000
    bad = act(as_user("alice"), dossier, "confirm_payment", {"method": "bitcoin"})
    assert bad.status_code == 422 and "không thuộc danh mục cho phép" in bad.content.decode()
    assert act(as_user("alice"), dossier, "confirm_payment", {"method": "counter"}).status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).state == "processing"


def test_online_dossiers_are_received_guided_or_refused_from_their_page(world, as_user):
    from .conftest import submit_online

    client = as_user("alice")
    received, guided, refused = (submit_online(world, n) for n in (1, 2, 3))
    assert {"receive", "guide", "refuse", "withdraw"} <= set(
        offered(client.get(f"/ho-so/{received.code}/").content.decode())
    )
    assert act(client, received, "receive", {"note": "Đủ hồ sơ"}).status_code == 302
    assert (
        act(client, guided, "guide", {"items": "Bản sao giấy chứng sinh\n\nTờ khai ký tên"}).status_code
        == 302
    )
    assert act(client, refused, "refuse", {"reasons": "Không thuộc thẩm quyền"}).status_code == 302
    for dossier in (received, guided, refused):
        dossier.refresh_from_db()
    assert received.state == "received" and received.due_at is not None
    assert guided.events.get(action="guide").payload["items"] == ["Bản sao giấy chứng sinh", "Tờ khai ký tên"]
    assert refused.state == "refused"
    assert "Mẫu 03" in client.get(f"/ho-so/{refused.code}/").content.decode()


def test_consultation_send_back_stop_and_withdraw_through_their_forms(world, as_user):
    dossier = to_appraisal(world, receive(world))
    form = as_user("carol").get(f"/ho-so/{dossier.code}/thao-tac/consult/", **HTMX).content.decode()
    assert f'<option value="{world.construction.pk}">Sở Xây dựng</option>' in form
    response = act(
        as_user("carol"),
        dossier,
        "consult",
        {"agency_id": world.construction.pk, "question": "Xin ý kiến về hiện trạng", "budget_hours": "8"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    consultation = dossier.consultations.get()
    # The consulted agency's specialist sees the dossier and answers from it.
    page = as_user("mallory").get(f"/ho-so/{dossier.code}/").content.decode()
    assert "reply_consultation" in offered(page)
    answer = {"consultation_id": consultation.pk, "reply": "Đồng ý"}
    assert act(as_user("mallory"), dossier, "reply_consultation", answer).status_code == 302
    consultation.refresh_from_db()
    assert consultation.reply == "Đồng ý" and consultation.replied_by == world.mallory

    commands.execute(dossier.code, "record_result", world.carol, {})
    commands.execute(dossier.code, "forward", world.carol, {})
    assert act(as_user("bob"), dossier, "send_back", {"note": "Xem lại"}).status_code == 302
    dossier.refresh_from_db()
    assert dossier.current_step == "tham_dinh"

    assert act(as_user("dave"), dossier, "stop", {"reason": ""}).status_code == 422
    stopped = to_appraisal(world, receive(world))
    assert act(as_user("dave"), stopped, "stop", {"reason": "Người nộp đề nghị dừng"}).status_code == 302
    assert Dossier.objects.get(pk=stopped.pk).state == "stopped"
    assert act(as_user("alice"), dossier, "withdraw", {"reason": "Người nộp rút hồ sơ"}).status_code == 302
    assert Dossier.objects.get(pk=dossier.pk).state == "withdrawn"
