"""Full lifecycles through the commands, one per branch, at fixed instants (Vietnam time)."""

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.dossiers import commands
from motcua.dossiers.errors import Conflict, GuardFailed, InvalidInput, NotAllowed, PermissionDenied
from motcua.dossiers.events import verify_chain, verify_projection
from motcua.dossiers.models import Dossier, DossierEvent, OutboxMessage
from motcua.workflow.national import is_allowed_national_transition

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=VN)


def run(dossier, action, user, data=None, when="2026-03-02T10:00"):
    return commands.execute(dossier.code, action, user, data or {}, now=at(when))


def receive(world, when="2026-03-02T09:00", **overrides):
    return commands.receive_new(world.alice, world.receive_payload(**overrides), now=at(when))


def drive_to_appraisal(world, dossier, when="2026-03-02T10:00"):
    run(dossier, "transfer", world.alice, {"handling_unit_id": world.civil_status.pk}, when)
    run(dossier, "assign", world.bob, {"assignee_id": world.carol.pk}, when)
    return Dossier.objects.get(pk=dossier.pk)


def assert_consistent(dossier):
    dossier.refresh_from_db()
    assert verify_projection(dossier) == []
    assert verify_chain(dossier) == []
    statuses = [None, *dossier.events.order_by("seq").values_list("national_status", flat=True)]
    for before, after in itertools.pairwise(statuses):
        assert is_allowed_national_transition(before, after), (before, after)


def test_it_receives_at_the_counter_with_a_code_and_an_appointment(world):
    dossier = receive(world)
    assert dossier.code == "000.00.10.H99-260302-0001"
    assert dossier.state == "received" and dossier.national_status == 2
    # Monday 09:00 + 5 working days of 8 hours = the next Monday 09:00.
    assert dossier.due_at == at("2026-03-09T09:00")
    assert dossier.original_due_at == dossier.due_at
    assert dossier.current_step == "tiep_nhan" and dossier.holder_user == world.alice
    assert dossier.fee_total == 50_000 and dossier.payment_status == "due"
    second = receive(world)
    assert second.code.endswith("-0002")
    assert_consistent(dossier)


def test_a_normal_lifecycle_runs_from_counter_to_return(world):
    dossier = receive(world)
    dossier = drive_to_appraisal(world, dossier)
    assert dossier.holder_user == world.carol and dossier.holder_unit == world.civil_status
    with pytest.raises(GuardFailed, match="dự thảo kết quả"):
        run(dossier, "forward", world.carol)
    run(dossier, "record_result", world.carol, {}, "2026-03-03T09:00")
    run(dossier, "forward", world.carol, {"assignee_id": world.bob.pk}, "2026-03-03T10:00")
    run(dossier, "approve", world.bob, {}, "2026-03-03T11:00")
    run(dossier, "approve", world.dave, {}, "2026-03-03T14:00")
    run(dossier, "issue_result", world.erin, {}, "2026-03-03T15:00")
    dossier.refresh_from_db()
    assert dossier.state == "result_issued" and dossier.national_status == 9
    assert dossier.finished_at == at("2026-03-03T15:00")
    assert dossier.results.get().signed_by == world.dave
    run(
        dossier, "return_result", world.alice, {"recipient_name": "Nguyễn Thị Hồng Nhung"}, "2026-03-04T08:30"
    )
    dossier.refresh_from_db()
    assert dossier.state == "returned" and dossier.national_status == 10 and dossier.holder_unit is None
    actions = list(dossier.events.order_by("seq").values_list("action", flat=True))
    assert actions == [
        "receive",
        "transfer",
        "assign",
        "record_result",
        "forward",
        "approve",
        "approve",
        "issue_result",
        "return_result",
    ]
    assert_consistent(dossier)


def test_it_judges_each_handover_against_the_step_budget(world):
    dossier = receive(world)  # the reception step has 2 working hours: until 11:00
    run(dossier, "transfer", world.alice, {"handling_unit_id": world.civil_status.pk}, "2026-03-02T14:00")
    event = dossier.events.get(action="transfer")
    assert event.step_timeliness == "late"
    run(dossier, "assign", world.bob, {"assignee_id": world.carol.pk}, "2026-03-02T14:30")
    assert dossier.events.get(action="assign").step_timeliness == "early"


def test_it_pauses_the_clock_when_supplement_requested_and_resumes_on_supplement(world):
    dossier = drive_to_appraisal(world, receive(world))
    run(
        dossier,
        "request_supplement",
        world.carol,
        {"items": ["Bản sao giấy chứng sinh có chứng thực"], "reason": "Bản chụp không rõ"},
        "2026-03-03T09:00",
    )
    dossier.refresh_from_db()
    assert dossier.state == "processing"  # a draft: nothing sent until the head approves
    with pytest.raises(GuardFailed, match="chờ duyệt"):
        run(dossier, "request_supplement", world.carol, {"items": ["x"], "reason": "y"}, "2026-03-03T09:10")
    run(dossier, "approve_supplement_request", world.bob, {}, "2026-03-03T10:00")
    dossier.refresh_from_db()
    assert dossier.state == "awaiting_supplement" and dossier.national_status == 5
    assert dossier.due_at is None  # unknown while paused
    # Paused Tue 10:00 → Thu 10:00 = 16 working hours: the appointment moves by exactly that.
    run(
        dossier,
        "receive_supplement",
        world.alice,
        {"components": [{"name": "Bản sao giấy chứng sinh"}]},
        "2026-03-05T10:00",
    )
    dossier.refresh_from_db()
    assert dossier.state == "processing" and dossier.national_status == 4
    assert dossier.due_at == at("2026-03-11T09:00")
    assert dossier.original_due_at == at("2026-03-09T09:00")
    assert dossier.supplement_requests == 1
    with pytest.raises(GuardFailed, match="1 lần"):
        run(dossier, "request_supplement", world.carol, {"items": ["x"], "reason": "y"}, "2026-03-05T11:00")
    outbox = list(OutboxMessage.objects.filter(dossier=dossier, topic="national.dossier").order_by("id"))
    assert outbox[-1].payload["DanhSachHoSoBoSung"][0]["NgayTiepNhanBoSung"] == "20260305100000"
    assert_consistent(dossier)


def test_financial_obligation_pauses_until_payment_is_confirmed(world):
    dossier = drive_to_appraisal(world, receive(world))
    run(
        dossier,
        "request_payment",
        world.carol,
        {"items": [{"name": "Lệ phí trước bạ", "amount": 1_200_000}]},
        "2026-03-03T09:00",
    )
    dossier.refresh_from_db()
    assert dossier.state == "awaiting_payment" and dossier.national_status == 6
    assert dossier.fee_total == 1_250_000
    run(dossier, "confirm_payment", world.alice, {"method": "national_platform"}, "2026-03-03T15:00")
    dossier.refresh_from_db()
    assert dossier.state == "processing" and dossier.paid_online == 1 and dossier.payment_status == "paid"
    assert dossier.due_at == at("2026-03-09T15:00")  # 6 working hours paused
    assert_consistent(dossier)


def test_consultation_has_its_own_budget_and_blocks_forwarding_until_answered(world):
    dossier = drive_to_appraisal(world, receive(world))
    run(
        dossier,
        "consult",
        world.carol,
        {"agency_id": world.construction.pk, "question": "Ý kiến về vị trí?", "budget_hours": 8},
        "2026-03-03T09:00",
    )
    run(dossier, "record_result", world.carol, {}, "2026-03-03T09:30")
    with pytest.raises(GuardFailed, match="xin ý kiến"):
        run(dossier, "forward", world.carol, {}, "2026-03-03T10:00")
    consultation = dossier.consultations.get()
    assert consultation.due_at == at("2026-03-04T09:00")
    with pytest.raises(PermissionDenied):
        run(dossier, "reply_consultation", world.carol, {"consultation_id": consultation.pk, "reply": "x"})
    run(
        dossier,
        "reply_consultation",
        world.victor,
        {"consultation_id": consultation.pk, "reply": "Đồng ý"},
        "2026-03-04T10:00",
    )
    consultation.refresh_from_db()
    assert consultation.timeliness == "late"
    run(dossier, "forward", world.carol, {}, "2026-03-04T11:00")
    assert_consistent(dossier)


def test_extension_moves_the_appointment_but_keeps_the_original_due_date(world):
    dossier = drive_to_appraisal(world, receive(world))
    run(
        dossier,
        "extend",
        world.dave,
        {"new_due_at": "2026-03-13T17:00:00+07:00", "reason": "Cần xác minh"},
        "2026-03-05T09:00",
    )
    dossier.refresh_from_db()
    assert dossier.extended and dossier.due_at == at("2026-03-13T17:00")
    assert dossier.original_due_at == at("2026-03-09T09:00")
    with pytest.raises(GuardFailed, match="một lần"):
        run(
            dossier,
            "extend",
            world.dave,
            {"new_due_at": "2026-03-20T17:00:00+07:00", "reason": "x"},
            "2026-03-06T09:00",
        )
    outbox = OutboxMessage.objects.filter(dossier=dossier, topic="national.dossier").order_by("-id").first()
    assert outbox.payload["NgayHenTraBanDau"] == "20260309090000"
    assert outbox.payload["NgayHenTra"] == "20260313170000"
    assert_consistent(dossier)


def test_extension_is_refused_after_the_due_date(world):
    dossier = drive_to_appraisal(world, receive(world))
    with pytest.raises(GuardFailed, match="trước khi hết hạn"):
        run(
            dossier,
            "extend",
            world.dave,
            {"new_due_at": "2026-03-20T17:00:00+07:00", "reason": "x"},
            "2026-03-10T09:00",
        )


def test_stop_and_withdraw_are_terminal(world):
    stopped = drive_to_appraisal(world, receive(world))
    run(stopped, "stop", world.dave, {"reason": "Người nộp đề nghị", "legal_ground": "Điều 18"})
    stopped.refresh_from_db()
    assert stopped.state == "stopped" and stopped.national_status == 8
    with pytest.raises(NotAllowed):
        run(stopped, "forward", world.carol)
    withdrawn = receive(world)
    run(withdrawn, "withdraw", world.alice, {"reason": "Không có nhu cầu"})
    withdrawn.refresh_from_db()
    assert withdrawn.state == "withdrawn" and withdrawn.national_status == 7
    assert_consistent(stopped)
    assert_consistent(withdrawn)


def test_online_dossier_waits_for_reception_and_can_be_refused(world):
    data = world.receive_payload(channel="online", national_dossier_id="G22.99-260302-000001")
    dossier, created = commands.submit_online(data, now=at("2026-03-01T21:00"))
    assert created and dossier.state == "submitted" and dossier.national_status == 1
    again, created_again = commands.submit_online(data, now=at("2026-03-01T21:05"))
    assert again.pk == dossier.pk and not created_again
    run(dossier, "refuse", world.alice, {"reasons": ["Không thuộc thẩm quyền của tỉnh"]}, "2026-03-02T08:15")
    dossier.refresh_from_db()
    assert dossier.state == "refused" and dossier.national_status == 3
    assert_consistent(dossier)


def test_online_dossier_clock_starts_when_an_officer_receives_it(world):
    data = world.receive_payload(channel="online", national_dossier_id="G22.99-260302-000002")
    dossier, _ = commands.submit_online(data, now=at("2026-03-01T21:00"))  # a Sunday evening
    run(dossier, "receive", world.alice, {}, "2026-03-02T08:00")
    dossier.refresh_from_db()
    assert dossier.submitted_at == at("2026-03-01T21:00") and dossier.received_at == at("2026-03-02T08:00")
    assert dossier.due_at == at("2026-03-04T17:00")  # online: 3 working days
    assert_consistent(dossier)


def test_someone_outside_the_unit_cannot_act(world):
    dossier = drive_to_appraisal(world, receive(world))
    with pytest.raises(PermissionDenied, match="Chuyên viên thụ lý"):
        run(dossier, "record_result", world.mallory)
    with pytest.raises(PermissionDenied):
        run(dossier, "forward", world.olga)
    available, _ = commands.available_actions(dossier, world.mallory)
    assert available == []


def test_available_actions_tell_each_user_what_they_can_do_now(world):
    dossier = drive_to_appraisal(world, receive(world))
    available, blocked = commands.available_actions(dossier, world.carol)
    names = {a["action"] for a in available}
    assert {"record_result", "request_supplement", "request_payment", "consult"} <= names
    assert "forward" in {b["action"] for b in blocked}
    assert "approve" not in names
    head_available, _ = commands.available_actions(dossier, world.bob)
    assert {a["action"] for a in head_available} == set()  # nothing to approve yet
    leader_available, _ = commands.available_actions(dossier, world.dave)
    assert {a["action"] for a in leader_available} == {"extend", "stop"}


def test_a_stale_version_is_refused_as_changed_by_someone_else(world):
    dossier = receive(world)
    seen = dossier.version
    run(dossier, "transfer", world.alice, {"handling_unit_id": world.civil_status.pk})
    with pytest.raises(Conflict, match="người khác"):
        commands.execute(dossier.code, "withdraw", world.alice, {"reason": "x"}, expected_version=seen)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"procedure_code": "9.999999"}, "Không có thủ tục"),
        ({"applicant": {"name": "A", "id_number": "12345"}}, "12 chữ số"),
        ({"applicant": {"name": "A", "id_number": "000000000000"}}, "số giả định"),
        ({"components": []}, "chưa đủ thành phần"),
        ({"channel": "carrier_pigeon"}, "danh mục"),
        ({"reception_point_id": 999999}, "Bộ phận tiếp nhận"),
    ],
)
def test_bad_input_is_refused_with_a_specific_message_and_changes_nothing(world, change, message):
    with pytest.raises(InvalidInput, match=message):
        commands.receive_new(world.alice, world.receive_payload(**change), now=at("2026-03-02T09:00"))
    assert Dossier.objects.count() == 0 and DossierEvent.objects.count() == 0


def test_a_commune_officer_cannot_receive_at_the_provincial_centre(world):
    with pytest.raises(PermissionDenied):
        commands.receive_new(world.olga, world.receive_payload(), now=at("2026-03-02T09:00"))
    assert Dossier.objects.count() == 0


def test_every_event_has_a_progress_message_in_order(world):
    dossier = drive_to_appraisal(world, receive(world))
    progress = list(OutboxMessage.objects.filter(dossier=dossier, topic="national.progress").order_by("id"))
    assert [m.dossier_seq for m in progress] == [1, 2, 3]
    assert [m.payload["MaSuKien"] for m in progress] == [f"{dossier.code}-000{i}" for i in (1, 2, 3)]
    assert progress[0].payload["TrangThai"] == 2 and progress[1].payload["TrangThai"] == 4


def test_the_national_view_never_sends_an_empty_required_code(world):
    dossier = drive_to_appraisal(world, receive(world))
    run(
        dossier,
        "request_supplement",
        world.carol,
        {"items": ["Giấy chứng sinh"], "reason": "Mờ"},
        "2026-03-03T09:00",
    )
    run(dossier, "approve_supplement_request", world.bob, {}, "2026-03-03T10:00")
    run(
        dossier,
        "receive_supplement",
        world.alice,
        {"components": [{"name": "Giấy chứng sinh (bổ sung)"}]},
        "2026-03-03T11:00",
    )
    run(
        dossier,
        "request_payment",
        world.carol,
        {"items": [{"name": "Phí thẩm định", "amount": 30_000}]},
        "2026-03-03T14:00",
    )
    run(dossier, "confirm_payment", world.alice, {}, "2026-03-03T15:00")
    run(dossier, "record_result", world.carol, {}, "2026-03-04T09:00")
    run(dossier, "forward", world.carol, {}, "2026-03-04T10:00")
    run(dossier, "approve", world.bob, {}, "2026-03-04T11:00")
    run(dossier, "approve", world.dave, {}, "2026-03-04T14:00")
    run(dossier, "issue_result", world.erin, {}, "2026-03-04T15:00")
    view = (
        OutboxMessage.objects.filter(dossier=dossier, topic="national.dossier")
        .order_by("-id")
        .first()
        .payload
    )
    assert len(view["TaiLieuNop"]) == 4 and all(item["MaThanhPhanHoSo"] for item in view["TaiLieuNop"])
    assert view["DanhSachGiayToKetQua"] and all(r["MaGiayToKetQua"] for r in view["DanhSachGiayToKetQua"])
    assert len(view["DanhSachLePhi"]) == 2 and all(f["MaPhiLePhi"] for f in view["DanhSachLePhi"])
    assert_consistent(dossier)


def test_a_population_lookup_is_recorded_once_with_an_event(world):
    dossier = drive_to_appraisal(world, receive(world))
    run(dossier, "record_population_use", world.carol, {}, "2026-03-03T09:00")
    dossier.refresh_from_db()
    assert dossier.population_data_used
    view = (
        OutboxMessage.objects.filter(dossier=dossier, topic="national.dossier")
        .order_by("-id")
        .first()
        .payload
    )
    assert view["DSKetNoiCSDL"] == [{"MaCSDL": "7"}]
    with pytest.raises(GuardFailed):
        run(dossier, "record_population_use", world.carol, {}, "2026-03-03T09:10")
    assert_consistent(dossier)


def test_can_see_agrees_with_the_visible_list_for_every_user_at_every_stage(world):
    # Two ways to ask one question (queries.py): upwards from one dossier, downwards for a list.
    from motcua.dossiers.queries import can_see, visible_dossiers

    users = [getattr(world, name) for name in ("alice", "bob", "carol", "dave", "erin", "mallory", "olga")]
    users.append(world.victor)
    dossier = receive(world)
    seen_by = []

    def check():
        fresh = Dossier.objects.get(pk=dossier.pk)
        row = []
        for user in users:
            listed = visible_dossiers(user).filter(pk=dossier.pk).exists()
            assert can_see(user, fresh) == listed, (user.username, fresh.state)
            row.append(listed)
        seen_by.append(row)

    check()
    drive_to_appraisal(world, dossier)
    check()
    run(
        dossier,
        "consult",
        world.carol,
        {"agency_id": world.construction.pk, "question": "Ý kiến?", "budget_hours": 8},
        "2026-03-03T09:00",
    )
    check()
    # The answer is not the same for everyone (someone is outside), and the consulted agency's officer
    # sees the dossier only once consulted.
    victor = users.index(world.victor)
    assert not all(seen_by[-1]) and seen_by[-1][victor] and not seen_by[0][victor]
